#!/bin/sh
# Resizing at any time: below the minimum a "terminal too small" screen,
# and the full layout again once there is room.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

tui_start
tui_wait "Layers (9)"
tui set-option -t main window-size manual >/dev/null
tui resize-window -t main -x 60 -y 15
tui_wait "terminal too small"
tui_has "need 80x24, have 60x15"
tui_lacks "Layers (9)"
# Keys other than quit and redraw are ignored while too small.
tui_keys j
tui resize-window -t main -x 40 -y 12
tui_wait "need 80x24, have 40x12"
tui resize-window -t main -x 80 -y 24
tui_wait "Layers (9)"
tui_lacks "terminal too small"
tui_has "F10Quit"
tui_has "> attn_q.weight"
tui resize-window -t main -x 300 -y 100
tui_wait "Layers (9)"
tui_has "Outliers"
tui resize-window -t main -x 160 -y 48
tui_wait "Layers (9)"
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
