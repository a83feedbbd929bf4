#!/bin/sh
# Colours when the terminal has them; none with NO_COLOR or -C.
. "${top_srcdir:-.}/tests/tui/tui-lib.sh"

# Colour escape sequences in the pane (foreground/background 30-47, or
# the 256-colour forms).
has_color() {
	tui capture-pane -e -p -t main | grep -q "$(printf '\033')\[[0-9;]*\(3[0-7]\|4[0-7]\|38;5\|48;5\)[;m]"
}

run() {
	tui_keys "$1 \"\$GGSCOPE\" $2 2>'$TUI_DIR/stderr'; echo GGSCOPE-EXIT=\$?" Enter
	tui_wait "Layers (9)"
}

quit() {
	tui_keys q
	tui_wait "GGSCOPE-EXIT=0"
	tui_keys clear Enter
	tui_gone "GGSCOPE-EXIT"
}

tui -f /dev/null new-session -d -s main -x 160 -y 48 "env PS1='$TUI_PROMPT' TERM=xterm-256color sh"
tui_wait "$TUI_PROMPT" 20
run "" ""
has_color || tui_fail "no colour on a colour terminal"
quit
run "NO_COLOR=1" ""
has_color && tui_fail "colour despite NO_COLOR"
quit
run "" "-C"
has_color && tui_fail "colour despite -C"
quit
# An empty NO_COLOR does not count (no-color.org).
run "NO_COLOR=" ""
has_color || tui_fail "an empty NO_COLOR turned colour off"
quit
