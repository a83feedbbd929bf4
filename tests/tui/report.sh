#!/bin/sh
# F7 writes the tuning report: t for the current tensor, f for the whole
# file; Esc stops a report in progress, which is then written marked
# partial. (Without a GPU: compile and outlier figures, measurements n/a.)
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

tui_shell
tui_keys "cd '$TUI_DIR'" Enter
tui_run "XDG_CACHE_HOME='$TUI_DIR/cache'"
tui_wait "regs  spill"
tui_keys F7
tui_wait "Tuning report (F7)"
tui_has "t  this tensor: blk.0.attn_q.weight"
tui_keys t
tui_gone "Tuning report (F7)"
tui_wait "F7: report written to ggscope-report-blk.0.attn_q.weight.md" 300
md="$TUI_DIR/ggscope-report-blk.0.attn_q.weight.md"
[ -s "$md" ] || tui_fail "no report file"
[ -s "${md%.md}.svg" ] || tui_fail "no pictures beside the report"
grep -q "blk.0.attn_q.weight" "$md" || tui_fail "the report does not name the tensor"
grep -q "q4k_mwv" "$md" || tui_fail "the report lacks the variants"
grep -qi "partial" "$md" && tui_fail "a finished report is marked partial"
# without a GPU the report says why (the device's reason), not --no-measure
if grep -qF '**Measurements missing:**' "$md"; then
	grep -q -- "--no-measure" "$md" && tui_fail "no GPU blamed on --no-measure: $(grep -F 'Measurements missing' "$md")"
fi

# The whole file, stopped at once: what is done is written, marked partial.
tui_keys F7 f
tui_wait "writing the report for the whole file"
tui_keys Escape
tui_wait "F7: partial report written to ggscope-report.md" 300
grep -qi "partial" "$TUI_DIR/ggscope-report.md" || tui_fail "the stopped report is not marked partial"
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
