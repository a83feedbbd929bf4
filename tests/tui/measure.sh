#!/bin/sh
# Live measurement on a GPU (skipped without one): Enter measures the
# selected cell, v/w switch variants and warps, s sweeps; the screen shows
# GB/s, % of the ceiling, occupancy and the reference check. With
# TUI_CAPTURE_DIR set, the screens are saved there as text (for
# BENCHMARKS.md).
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

if "$GGSCOPE" --snapshot --size 200x30 2>/dev/null | grep -q "measurement unavailable"; then
	echo "no GPU: skipping the live measurement test"
	exit 77
fi
n=0
capture() {
	n=$((n + 1))
	if [ -n "${TUI_CAPTURE_DIR:-}" ]; then
		mkdir -p "$TUI_CAPTURE_DIR"
		tui_screen >"$TUI_CAPTURE_DIR/$(printf '%02d' "$n")-$1.txt"
	fi
}

TUI_COLS=200 TUI_ROWS=60
tui_start --tensor blk.0.ffn_down.weight
tui_wait "> ffn_down.weight"
tui_wait "ceiling "
capture start
tui_keys l Enter
tui_wait "GB/s" 120
tui_wait "error       rel"
tui_has "% of ceiling"
tui_has "theor."
capture basic
tui_keys v w Enter
tui_wait "Detail: mwv, 2 warps"
tui_wait "median of" 120
capture mwv-w2
tui_keys c Enter
tui_wait "L2 warm" 120
capture mwv-w2-warm
tui_keys c s
tui_wait "sweep done" 600
capture sweep
tui_keys Tab k
tui_wait "> ffn_up.weight"
tui_keys s
# The status line still shows the first sweep's "sweep done": wait for this
# sweep's cells to leave the queue first.
tui_wait "queued"
tui_gone "queued" 600
tui_wait "sweep done" 600
capture sweep-q4k
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
