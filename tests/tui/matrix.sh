#!/bin/sh
# The variant matrix: v/V cycle variants and w/W warp counts, arrows and
# hjkl move the cell; each selected cell is compile-checked at once, so
# its registers show even without a GPU.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

tui_start
tui_wait "> attn_q.weight"
tui_wait "Detail: basic, 1 warp"
tui_wait "regs]"
tui_wait "regs  spill"
# Into the matrix; v/V cycle variants, w/W warp counts.
tui_keys l
tui_keys v
tui_wait "Detail: tiled, 4 warps"
tui_keys v v v v v
tui_wait "Detail: mwv, 1 warp"
tui_keys w
tui_wait "Detail: mwv, 2 warps"
tui_keys W W
tui_wait "Detail: mwv, 8 warps"
tui_wait "regs  spill"
tui_keys Left
tui_wait "Detail: mwv, 7 warps"
tui_keys j
tui_wait "Detail: mwv_dp4a, 7 warps"
tui_keys V V
tui_wait "Detail: vectorized, 1 warp"
# Left from the first column goes back to the layers.
tui_keys h j
tui_wait "> attn_k.weight"
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
