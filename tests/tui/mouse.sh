#!/bin/sh
# Mouse clicks select tensors, matrix cells and key-bar entries; a click
# closes a popup. (--ascii, so screen columns are byte offsets.)
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

tui_start --ascii
tui_wait "> attn_q.weight"
tui_wait "regs]"

set -- $(tui_find "ffn_up.weight")
[ $# -eq 2 ] || tui_fail "ffn_up.weight not on screen"
tui_click "$1" "$2"
tui_wait "> ffn_up.weight"
tui_has "Variants x warps: blk.0.ffn_up.weight"

# The mwv row, the w4 column.
set -- $(tui_find " w4")
col=$(($1 + 2))
set -- $(tui_find " mwv ")
tui_click "$col" "$2"
tui_wait "Detail: mwv, 4 warps"
tui_wait "regs  spill"

# A key label in the bar acts like its key; a click closes the popup.
set -- $(tui_find "F1Help")
tui_click "$1" "$2"
tui_wait "Help: ggscope keys"
tui_click 2 2
tui_gone "Help: ggscope keys"
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
