#!/bin/sh
# --snapshot prints the screen once as text, needing no terminal; option
# errors are usage errors.
: "${GGSCOPE:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-snap.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; cat "$tmp/out" "$tmp/err" 2>/dev/null; exit 1; }

"$GGSCOPE" --snapshot --size 120x40 --ascii </dev/null >"$tmp/out" 2>"$tmp/err" || fail "snapshot exit $?"
[ "$(wc -l <"$tmp/out")" -eq 40 ] || fail "expected 40 lines"
[ "$(awk '{ if (length($0) > 120) n++ } END { print n + 0 }' "$tmp/out")" -eq 0 ] || fail "a line is wider than 120"
for want in "ggscope " "model: <demo layer, seed 42>" "Layers (9)" "> attn_q.weight" \
	"Variants x warps: blk.0.attn_q.weight" "Detail" "Outliers" "F10Quit"; do
	grep -qF -- "$want" "$tmp/out" || fail "snapshot lacks: $want"
done
LC_ALL=C grep -q '[^ -~]' "$tmp/out" && fail "--ascii output has non-ASCII bytes"
[ -s "$tmp/err" ] && fail "snapshot wrote to stderr"

# The too-small screen is what a small snapshot shows.
"$GGSCOPE" --snapshot --size 40x12 --ascii >"$tmp/out" 2>"$tmp/err" || fail "small snapshot exit $?"
grep -qF "need 80x24, have 40x12" "$tmp/out" || fail "no too-small message"

# --tensor picks the starting tensor.
"$GGSCOPE" --snapshot --size 160x48 --tensor blk.0.ffn_down.weight >"$tmp/out" 2>&1 || fail "--tensor exit $?"
grep -qF "> ffn_down.weight" "$tmp/out" || fail "--tensor did not select ffn_down"
"$GGSCOPE" --snapshot --tensor nope >"$tmp/out" 2>&1
grep -qF -- "--tensor nope: no such tensor" "$tmp/out" || fail "--tensor nope not reported"

# A file that cannot be opened: exit 1, the reason on screen.
"$GGSCOPE" --snapshot --size 120x40 "$tmp/missing.gguf" >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "a missing model should exit 1"
grep -qF "missing.gguf" "$tmp/out" || fail "the missing file is not named"
printf 'GGUFjunk' >"$tmp/bad.gguf"
"$GGSCOPE" --snapshot "$tmp/bad.gguf" >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "a malformed model should exit 1"

# Usage errors exit 2.
for bad in "--size 12" "--size 0x5" "--size axb" "--bogus" "--token x" "a.gguf b.gguf"; do
	# shellcheck disable=SC2086
	"$GGSCOPE" --snapshot $bad >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] || fail "'$bad' should be a usage error"
	grep -q "Try 'ggscope --help'" "$tmp/err" || fail "'$bad': no hint"
done
"$GGSCOPE" --help >"$tmp/out" || fail "--help"
for o in --no-color --ascii --snapshot --size --tensor --warm --act --token --imatrix --outlier \
	--no-cupti --no-mouse --log; do
	grep -qF -- "$o" "$tmp/out" || fail "--help lacks $o"
done

# Without a terminal and without --snapshot: a clear error, exit 1.
"$GGSCOPE" </dev/null >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "no terminal should exit 1"
grep -qF "needs a terminal" "$tmp/err" || fail "no terminal: unclear message"

# --log writes there, never to the screen.
"$GGSCOPE" --snapshot --log "$tmp/log" >"$tmp/out" 2>&1 || fail "--log exit $?"
grep -q "starting on the demo layer" "$tmp/log" || fail "--log wrote nothing"
"$GGSCOPE" --snapshot --log /nonexistent/dir/log >"$tmp/out" 2>&1
[ $? -eq 1 ] || fail "an unwritable --log should exit 1"
exit 0
