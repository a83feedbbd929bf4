# Shared code of the tmux-driven TUI tests (sourced, not run).
#
# Each test runs ggscope in its own tmux server (a unique -L socket), in a
# pane of a fixed size running a plain sh, with TERM pinned. It drives the
# program with send-keys and polls capture-pane for markers with a bounded
# loop; it never sleeps for a fixed time to let something happen.
#
#   tui_start [ARGS...]   start "$GGSCOPE ARGS" in the pane
#   tui_keys KEY...       tmux send-keys
#   tui_wait TEXT [SEC]   until the screen shows TEXT (fixed string)
#   tui_gone TEXT [SEC]   until the screen no longer shows TEXT
#   tui_screen            the screen now, as text
#   tui_fail MESSAGE      print the message and the screen, exit 1

if ! command -v tmux >/dev/null 2>&1; then
	echo "tmux is not installed: skipping the TUI tests"
	exit 77
fi
: "${GGSCOPE:?GGSCOPE must name the built program}"
unset TMUX TMUX_PANE
TUI_COLS=${TUI_COLS:-160}
TUI_ROWS=${TUI_ROWS:-48}
TUI_TIMEOUT=${TUI_TIMEOUT:-90}
TUI_SOCK="ggscope-test-$(basename "$0" .sh)-$$"
TUI_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-tui.XXXXXX") || exit 1
TUI_PROMPT='READY$ '

tui_cleanup() {
	tmux -L "$TUI_SOCK" kill-server >/dev/null 2>&1
	rm -rf "$TUI_DIR"
}
trap tui_cleanup EXIT
trap 'exit 1' INT TERM

tui() {
	tmux -L "$TUI_SOCK" "$@"
}

tui_screen() {
	tui capture-pane -p -t main 2>/dev/null
}

tui_fail() {
	echo "FAIL: $*"
	echo "---- screen ----"
	tui_screen
	echo "---- stderr of ggscope ----"
	cat "$TUI_DIR/stderr" 2>/dev/null
	exit 1
}

# Poll every 50 ms, at most SEC seconds.
tui_wait() {
	_n=0
	_max=$(( ${2:-$TUI_TIMEOUT} * 20 ))
	while [ "$_n" -lt "$_max" ]; do
		if tui_screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.05
		_n=$((_n + 1))
	done
	tui_fail "timed out waiting for: $1"
}

tui_gone() {
	_n=0
	_max=$(( ${2:-$TUI_TIMEOUT} * 20 ))
	while [ "$_n" -lt "$_max" ]; do
		if ! tui_screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.05
		_n=$((_n + 1))
	done
	tui_fail "timed out waiting for this to go: $1"
}

tui_has() {
	tui_screen | grep -qF -- "$1" || tui_fail "the screen lacks: $1"
}

tui_lacks() {
	if tui_screen | grep -qF -- "$1"; then
		tui_fail "the screen should not show: $1"
	fi
}

tui_keys() {
	tui send-keys -t main "$@"
}

# A pane running sh with a known prompt; ggscope is typed into it, so that
# after it exits the shell (and whether the terminal was restored) shows.
# TERM is pinned to tmux-256color: it describes what tmux really is, so the
# key sequences tmux sends (Home, End, F-keys) match the terminfo entry.
tui_shell() {
	tui -f /dev/null new-session -d -s main -x "$TUI_COLS" -y "$TUI_ROWS" \
		"env PS1='$TUI_PROMPT' TERM=tmux-256color sh" || tui_fail "cannot start tmux"
	tui_wait "READY\$" 20
}

# Type "ENV $GGSCOPE ARGS..." into the shell; the exit status is printed
# as GGSCOPE-EXIT=N.
tui_run() {
	_cmd="$1 \"\$GGSCOPE\""
	shift
	for _a in "$@"; do
		_cmd="$_cmd '$_a'"
	done
	tui_keys "$_cmd 2>>'$TUI_DIR/stderr'; echo GGSCOPE-EXIT=\$?" Enter
}

tui_start() {
	tui_shell
	tui_run "" "$@"
}

# Quit with q and wait for the shell; clear the screen for the next run.
tui_quit() {
	tui_keys q
	tui_wait "GGSCOPE-EXIT=0"
	tui_keys clear Enter
	tui_gone "GGSCOPE-EXIT"
}

# The pid of the program running in the pane's shell.
tui_child_pid() {
	ps -o pid= --ppid "$(tui display-message -p -t main '#{pane_pid}')" | tr -d ' ' | head -n 1
}

# Where TEXT first shows on the screen, as "X Y" (0-based), or nothing.
# Byte offsets: use it on an --ascii screen.
tui_find() {
	tui_screen | awk -v t="$1" '{ i = index($0, t); if (i) { print i - 1, NR - 1; exit } }'
}

# A left click at (X, Y) as an xterm (X10) mouse report, press then
# release; coordinates below 94 fit its one-byte encoding.
tui_click() {
	_p=$(printf "\\033[M %b%b" "\\0$(printf '%03o' $(($1 + 33)))" "\\0$(printf '%03o' $(($2 + 33)))")
	_r=$(printf "\\033[M#%b%b" "\\0$(printf '%03o' $(($1 + 33)))" "\\0$(printf '%03o' $(($2 + 33)))")
	tui_keys -l "$_p$_r"
}

# The pane's alternate-screen flag: 1 while a full-screen program runs.
tui_alternate() {
	tui display-message -p -t main '#{alternate_on}'
}
