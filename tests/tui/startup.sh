#!/bin/sh
# The TUI starts on the embedded demo layer, fills every pane, and says
# why measurement is unavailable on a machine without a GPU.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

tui_start
tui_wait "Layers (9)"
tui_has "model: <demo layer, seed 42>"
tui_has "blk.0  9 tensors"
for t in attn_q attn_k attn_v attn_output ffn_gate ffn_up ffn_down attn_norm ffn_norm; do
	tui_has "$t.weight"
done
# The cursor starts on the first matrix, not on a norm vector.
tui_has "> attn_q.weight"
tui_has "Variants x warps: blk.0.attn_q.weight  q4_K"
tui_has "Detail"
tui_has "Outliers"
tui_has "F1Help"
tui_has "F10Quit"
[ "$(tui_alternate)" = 1 ] || tui_fail "ggscope did not switch to the alternate screen"
# Without a GPU the header says why, and the rest still works.
if [ ! -e /dev/nvidia0 ]; then
	tui_wait "measurement unavailable"
fi
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
