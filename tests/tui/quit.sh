#!/bin/sh
# Every way out restores the terminal: q, F10 and SIGTERM leave the
# alternate screen and give the shell back with echo on.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

check_restored() {
	tui_wait "GGSCOPE-EXIT=$1"
	restored
}

restored() {
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

tui_run ""
tui_wait "Layers (9)"
tui_keys F10
check_restored 0

# SIGTERM: the main loop quits cleanly.
tui_run ""
tui_wait "Layers (9)"
pid=$(tui_child_pid)
[ -n "$pid" ] || tui_fail "cannot find ggscope's pid"
kill -TERM "$pid"
check_restored 0

# A crash: the handler restores the terminal first, then says what crashed
# (version, model, device) and dies of the signal.
tui_run ""
tui_wait "Layers (9)"
pid=$(tui_child_pid)
kill -SEGV "$pid"
tui_wait "GGSCOPE-EXIT="
tui_lacks "GGSCOPE-EXIT=0"
restored
grep -q "ggscope: fatal signal 11" "$TUI_DIR/stderr" || tui_fail "no crash message on stderr"
grep -q "ggscope 0\.[0-9.]*; model <demo layer, seed 42>; device" "$TUI_DIR/stderr" || tui_fail "no version info on stderr"
