#!/bin/sh
# F1 and ? open the help, which lists every key; Esc and q close it
# without quitting.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

tui_start
tui_wait "Layers (9)"
tui_keys F1
tui_wait "Help: ggscope keys"
for k in "Up, k" "Down, j" "Left, h" "Right, l" "PgUp" "PgDn" "Home, g" "End, G" "Tab" \
	"Enter" "r " "v " "V " "w " "W " "s " "c " "a " "o " "e " "p " "L " "% " "F7" "F1, ?" \
	"Ctrl-L, F5" "Esc" "F10, q"; do
	tui_has "$k"
done
tui_has "cold / warm L2"
tui_has "% of the device ceiling"
tui_keys Escape
tui_gone "Help: ggscope keys"
tui_keys '?'
tui_wait "Help: ggscope keys"
# q closes the help; a second q quits.
tui_keys q
tui_gone "Help: ggscope keys"
tui_has "Layers (9)"
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
