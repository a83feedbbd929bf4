#!/bin/sh
# The smaller keys: c (L2 mode), % (cell units), L (NVRTC log), p (the
# GpuProfile), F7 (report), Tab (focus), Ctrl-L (redraw), Esc.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

tui_start
tui_wait "regs  spill"
tui_has "L2: cold"
tui_keys c
tui_wait "L2: warm"
tui_has "weights may stay in L2"
tui_keys c
tui_wait "L2: cold"

# The compile log of the selected cell: ptxas's resource report.
tui_keys L
tui_wait "NVRTC log: basic, 1 warp"
tui_has "registers"
tui_keys Escape
tui_gone "NVRTC log"

tui_keys p
tui_wait "GpuProfile"
tui_has "Enter: apply the selection"
tui_keys Escape
tui_gone "Enter: apply the selection"

tui_keys F7
tui_wait "Tuning report (F7)"
tui_keys Escape
tui_gone "Tuning report (F7)"

tui_keys Tab
tui_keys j
tui_wait "Detail: tiled, 4 warps"
tui_keys Tab j
tui_wait "> attn_k.weight"
tui_keys C-l
tui_wait "> attn_k.weight"
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
