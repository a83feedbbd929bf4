#!/bin/sh
# The outlier pane: o plants outliers (the seed's 26x channel is routed to
# fp32), a cycles the activation sources.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

tui_start
tui_wait "> attn_q.weight"
tui_wait "input synthetic N(0,1), seed 42"
tui_wait "seed    Q8_1/dp4a ok"
tui_keys o
tui_wait "Planted outliers"
tui_has "408:26_"
tui_keys Enter
tui_gone "Planted outliers"
tui_wait "planted 408:26"
tui_wait "at ch 408"
tui_wait "seed    route to fp32"
tui_has "input: synthetic + planted outliers"
# Editing the spec: Backspace, a second channel.
tui_keys o BSpace BSpace BSpace ",1415:80" 
tui_wait "408,1415:80_"
tui_keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
tui_keys "408:26,1415:80" Enter
tui_wait "planted 408:26,1415:80"
tui_wait "at ch 1415"
# A bad spec is reported in the pane, not fatal.
tui_keys o BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace "x:y" Enter
tui_wait "n/a:"
tui_keys a
tui_wait "input: synthetic (seed 42)"
tui_wait "input synthetic N(0,1), seed 42"
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
