#!/bin/sh
# The manual against the program: every option that `ggscope --help` and
# each `ggscope COMMAND --help` print is documented (the program's under
# OPTIONS, a command's in its .SS "ggscope COMMAND" subsection), every option
# documented there exists, every command has a subsection and every
# subsection a command, every key of the interactive view's key table is
# under INTERACTIVE COMMANDS, the version is substituted, and groff finds
# nothing to warn about.
set -u
: "${GGSCOPE:?run through make check}"
builddir=${top_builddir:-.}
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
man=$builddir/man/ggscope.1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-man.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

[ -f "$man" ] || { echo "FAIL: $man was not generated (configure)"; exit 1; }

# Options of a --help text: the lines whose first non-blank is '-', up to
# the two spaces before the description, one option per line.
help_options() {
	sed -n 's/^ *\(-.*\)$/\1/p' | sed 's/  .*//' | tr ',' '\n' |
		sed -n 's/^ *\(--\{0,1\}[A-Za-z0-9][A-Za-z0-9-]*\).*/\1/p' | sort -u
}

# The man page's option tags, "SECTION OPTION": SECTION is "top" under
# OPTIONS and the command under .SS "ggscope COMMAND"; a tag is the line
# after .TP.
awk '
	/^\.SH / { sec = ($2 == "OPTIONS") ? "top" : ""; next }
	/^\.SS "ggscope / { s = $0; sub(/^\.SS "ggscope /, "", s); sub(/".*/, "", s); sec = s; print "cmd " s; next }
	/^\.TP/ { tag = 1; next }
	tag {
		tag = 0
		if (sec == "") next
		line = $0
		gsub(/\\f[BIRP]/, "", line); gsub(/\\-/, "-", line)
		sub(/^\.[A-Z]+ /, "", line); gsub(/"/, " ", line)
		n = split(line, w, /[ ,=]+/)
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^--?[A-Za-z0-9][A-Za-z0-9-]*$/)
				print sec " " w[i]
	}
' "$man" >"$tmp/man-all"
grep '^cmd ' "$tmp/man-all" | cut -d' ' -f2 | sort -u >"$tmp/man-cmds"
grep -v '^cmd ' "$tmp/man-all" | sort -u >"$tmp/man-opts"

"$GGSCOPE" --help >"$tmp/help" 2>&1 || fail "ggscope --help exited $?"
sed -n '/^Commands:/,/^$/p' "$tmp/help" | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p' | sort -u >"$tmp/cmds"
[ -s "$tmp/cmds" ] || fail "ggscope --help lists no command"
help_options <"$tmp/help" | sed 's/^/top /' >"$tmp/help-opts"
for c in $(cat "$tmp/cmds"); do
	"$GGSCOPE" "$c" --help >"$tmp/h-$c" 2>&1 || fail "ggscope $c --help exited $?"
	help_options <"$tmp/h-$c" | sed "s/^/$c /" >>"$tmp/help-opts"
done
sort -u -o "$tmp/help-opts" "$tmp/help-opts"

comm -23 "$tmp/cmds" "$tmp/man-cmds" | while read -r c; do
	echo "FAIL: command '$c' has no .SS \"ggscope $c\" in the manual"
done >"$tmp/missing-cmds"
comm -13 "$tmp/cmds" "$tmp/man-cmds" | while read -r c; do
	echo "FAIL: the manual documents 'ggscope $c', which ggscope --help does not list"
done >>"$tmp/missing-cmds"
comm -23 "$tmp/help-opts" "$tmp/man-opts" | while read -r s o; do
	echo "FAIL: $o (${s}) is in --help but not in the manual"
done >>"$tmp/missing-cmds"
comm -13 "$tmp/help-opts" "$tmp/man-opts" | while read -r s o; do
	echo "FAIL: the manual documents $o (${s}), which --help does not print"
done >>"$tmp/missing-cmds"
if [ -s "$tmp/missing-cmds" ]; then
	cat "$tmp/missing-cmds"
	fails=$((fails + $(wc -l <"$tmp/missing-cmds")))
fi
[ "$(wc -l <"$tmp/help-opts")" -ge 20 ] || fail "only $(wc -l <"$tmp/help-opts") options found in --help: the parser is broken"

# Every key of the interactive view's table (ui/keys.c: the "keys" column,
# "Up, k") appears as a tag under INTERACTIVE COMMANDS.
if [ -f "$srcdir/ui/keys.c" ]; then
	awk '/^\.SH INTERACTIVE COMMANDS/ { on = 1; next } /^\.SH / { on = 0 }
		on && /^\.TP/ { tag = 1; next }
		on && tag { tag = 0; l = $0; gsub(/\\-/, "-", l); sub(/^\.[A-Z]+ /, "", l); gsub(/"/, "", l)
			n = split(l, w, / *, */); for (i = 1; i <= n; i++) { gsub(/^ +| +$/, "", w[i]); print w[i] } }' \
		"$man" | sort -u >"$tmp/man-keys"
	sed -n 's/^	{ ACT_[A-Z0-9_]*, {[^}]*}, "\([^"]*\)".*/\1/p' "$srcdir/ui/keys.c" | tr ',' '\n' |
		sed 's/^ *//; s/ *$//' | sort -u >"$tmp/keys"
	[ -s "$tmp/keys" ] || fail "no key found in ui/keys.c: the parser is broken"
	comm -23 "$tmp/keys" "$tmp/man-keys" | while read -r k; do
		echo "FAIL: key '$k' is not under INTERACTIVE COMMANDS"
	done >"$tmp/missing-keys"
	comm -13 "$tmp/keys" "$tmp/man-keys" | while read -r k; do
		echo "FAIL: the manual documents key '$k', which ui/keys.c does not bind"
	done >>"$tmp/missing-keys"
	if [ -s "$tmp/missing-keys" ]; then
		cat "$tmp/missing-keys"
		fails=$((fails + $(wc -l <"$tmp/missing-keys")))
	fi
fi

grep -q '@[A-Za-z_]*@' "$man" && fail "unsubstituted @VARIABLE@ in $man"
version=$("$GGSCOPE" --version | sed 's/^ggscope //')
grep -q "^\.TH GGSCOPE 1 \"[0-9-]*\" \"ggscope $version\"" "$man" || fail ".TH does not carry version $version"
for s in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS "INTERACTIVE COMMANDS" FILES ENVIRONMENT \
	"EXTERNAL LIBRARIES" "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	grep -q "^\.SH $s\$" "$man" || fail "no section $s"
done
for v in WIDE_Q4K_DISABLE WIDE_Q4K VECTORIZED_Q4K HW_DP4A_Q4K DP4A_Q4K MWV_Q4K HW_DP4A_Q6K DP4A_Q6K MWV_Q6K \
	MWV_WARPS BATCHED_PREFILL FUSED_GATE_UP FP8_PREFILL FP8_DECODE W4A16_INTERLEAVED HGEMM_DECODE NO_COLOR \
	XDG_CACHE_HOME EDITOR GGSCOPE_KERNELS_DIR; do
	sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$man" | grep '^\.BR* ' | grep -qw "$v" ||
		fail "environment variable $v is not documented under ENVIRONMENT"
done

if command -v groff >/dev/null 2>&1; then
	groff -ww -man -z "$man" >"$tmp/groff" 2>&1 || fail "groff exited $?"
	[ -s "$tmp/groff" ] && fail "groff -ww warns: $(head -5 "$tmp/groff")"
	LC_ALL=C.UTF-8 MANWIDTH=80 groff -man -Tutf8 -rLL=80n "$man" 2>/dev/null | grep -q 'ggscope report' ||
		fail "the manual does not render"
else
	echo "note: groff not found: formatter warnings not checked"
fi
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
