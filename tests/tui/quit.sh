#!/bin/sh
# Every way out restores the terminal: q, F10 and SIGTERM leave the
# alternate screen and give the shell back with echo on.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

check_restored() {
	tui_wait "GGSCOPE-EXIT=$1"
	[ "$(tui_alternate)" = 0 ] || tui_fail "still on the alternate screen after quitting"
	# The typed command shows only when the terminal echoes again.
	tui_keys "echo restored-\$((40+2))" Enter
	tui_wait "echo restored-\$((40+2))"
	tui_wait "restored-42"
	tui_keys clear Enter
	tui_gone "GGSCOPE-EXIT"
}

tui_start
tui_wait "Layers (9)"
tui_keys q
check_restored 0

tui_keys "\"\$GGSCOPE\" 2>'$TUI_DIR/stderr'; echo GGSCOPE-EXIT=\$?" Enter
tui_wait "Layers (9)"
tui_keys F10
check_restored 0

tui_keys "\"\$GGSCOPE\" 2>'$TUI_DIR/stderr' & echo PID=\$!; wait; echo GGSCOPE-EXIT=\$?" Enter
tui_wait "Layers (9)"
pid=$(tui capture-pane -p -S -100 -t main | sed -n 's/^PID=\([0-9]*\).*/\1/p' | tail -n 1)
[ -n "$pid" ] || tui_fail "no PID printed"
kill -TERM "$pid"
check_restored 0
