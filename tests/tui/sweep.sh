#!/bin/sh
# s sweeps the whole matrix with a progress bar (without a GPU: a compile
# check of every legal cell); Esc cancels a sweep.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

# A private build cache, so the builds are real compiles and take time.
tui_shell
tui_run "XDG_CACHE_HOME='$TUI_DIR/cache'"
tui_wait "regs  spill"
tui_keys G
tui_wait "> ffn_down.weight"
tui_has "q6_K"
tui_keys s
if [ ! -e /dev/nvidia0 ]; then
	tui_wait "compile check blk.0.ffn_down.weight"
	tui_wait "sweep done: " 300
	# Every legal cell of the Q6_K variants now shows its registers: as
	# many as the sweep says it checked (more than the 25 of the four
	# seed variants).
	want=$(tui_screen | sed -n 's/.*sweep done: \([0-9]*\) cells checked.*/\1/p')
	# (the detail pane's "N regs  spill" is not a cell)
	n=$(( $(tui_screen | grep -o '[0-9][0-9]* regs' | wc -l) - $(tui_screen | grep -c 'regs  spill') ))
	[ -n "$want" ] && [ "$want" -ge 25 ] || tui_fail "the sweep checked ${want:-no} cells"
	[ "$n" -eq "$want" ] || tui_fail "$n cells show registers, the sweep checked $want"
else
	tui_wait "sweep done" 300
fi
# A second sweep, of a q4_K matrix nothing was built for yet, cancelled at
# once.
tui_keys k
tui_wait "> ffn_up.weight"
tui_keys s Escape
tui_wait "sweep cancelled"
tui_keys q
tui_wait "GGSCOPE-EXIT=0"
