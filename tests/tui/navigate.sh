#!/bin/sh
# Tensor navigation with arrows, hjkl, g/G and Home/End; the matrix title
# follows the selected tensor.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

tui_start
tui_wait "> attn_q.weight"
tui_keys j
tui_wait "> attn_k.weight"
tui_has "Variants x warps: blk.0.attn_k.weight"
tui_keys Down Down
tui_wait "> attn_output.weight"
tui_keys k
tui_wait "> attn_v.weight"
tui_has "Variants x warps: blk.0.attn_v.weight  q6_K"
tui_keys G
tui_wait "> ffn_down.weight"
tui_keys g
tui_wait "> attn_norm.weight"
tui_has "n/a: no GEMV variants for f32"
tui_keys End Up Up
tui_wait "> ffn_gate.weight"
tui_keys Home j
tui_wait "> attn_q.weight"

tui_keys q
tui_wait "GGSCOPE-EXIT=0"
