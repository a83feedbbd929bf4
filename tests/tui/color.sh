#!/bin/sh
# Colours when the terminal has them; none with NO_COLOR or -C.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

# Colour escape sequences in the pane (foreground/background 30-47, or
# the 256-colour forms).
has_color() {
	tui capture-pane -e -p -t main | grep -q "$(printf '\033')\[[0-9;]*\(3[0-7]\|4[0-7]\|38;5\|48;5\)[;m]"
}

run() {
	tui_run "$1" $2
	tui_wait "Layers (9)"
}

tui_shell
run "" ""
has_color || tui_fail "no colour on a colour terminal"
tui_quit
run "NO_COLOR=1" ""
has_color && tui_fail "colour despite NO_COLOR"
tui_quit
run "" "-C"
has_color && tui_fail "colour despite -C"
tui_quit
# An empty NO_COLOR does not count (no-color.org).
run "NO_COLOR=" ""
has_color || tui_fail "an empty NO_COLOR turned colour off"
tui_quit
# A terminal without colours gets the monochrome looks.
run "TERM=vt100" ""
has_color && tui_fail "colour on a vt100"
tui_quit
# An unknown terminal: a clear error, exit 1.
tui_run "TERM=bogus-terminal-type"
tui_wait "GGSCOPE-EXIT=1"
grep -q "cannot start curses on TERM=bogus-terminal-type" "$TUI_DIR/stderr" || tui_fail "no message for an unknown TERM"
