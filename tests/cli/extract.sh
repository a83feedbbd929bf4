#!/bin/sh
# ggscope extract: one block of the sample to a file whose info matches a
# golden file; the non-block group; a missing block (exit 1, the range
# listed); usage errors (exit 2); no temporary file left behind.
set -u
: "${GGSCOPE:?}" "${top_srcdir:?}" "${top_builddir:?}"
golden=$top_srcdir/tests/cli/golden
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-extract.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check DESC EXPECTED_STATUS ACTUAL_STATUS
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit status $3, expected $2" >&2
		fail=1
	fi
}
expect_err() { # expect_err TEXT
	grep -qF -- "$1" err.txt || { echo "FAIL: stderr lacks \"$1\":" >&2; cat err.txt >&2; fail=1; }
}

"$top_builddir/tests/cli/mkgguf" "$tmp" valid-sample || exit 1
cd "$tmp" || exit 1
mv valid-sample sample.gguf
mkdir out

"$GGSCOPE" extract sample.gguf --layer 0 -o out/blk0.gguf >msg.txt 2>err.txt
check "extract --layer 0" 0 $?
grep -qx "out/blk0.gguf: block 0, 3 tensors, 2688 bytes of data" msg.txt || { echo "FAIL: extract message:" >&2; cat msg.txt err.txt >&2; fail=1; }
[ "$(ls out)" = "blk0.gguf" ] || { echo "FAIL: out/ holds: $(ls out)" >&2; fail=1; }
(cd out && "$GGSCOPE" info blk0.gguf) >blk0.txt
check "info on the extracted block" 0 $?
diff -u "$golden/info-sample-extract0.txt" blk0.txt || fail=1

# Extracting the extracted block again gives the same bytes.
"$GGSCOPE" extract out/blk0.gguf --layer=0 --output out/again.gguf >/dev/null
check "extract of the extract" 0 $?
cmp out/blk0.gguf out/again.gguf || fail=1

"$GGSCOPE" extract sample.gguf -l global -o out/global.gguf >msg.txt
check "extract --layer global" 0 $?
grep -qx "out/global.gguf: non-block tensors, 2 tensors, 1152 bytes of data" msg.txt || { echo "FAIL: global message:" >&2; cat msg.txt >&2; fail=1; }
"$GGSCOPE" extract sample.gguf --layer -1 -o out/global2.gguf >/dev/null
check "extract --layer -1" 0 $?
cmp out/global.gguf out/global2.gguf || fail=1

"$GGSCOPE" extract sample.gguf --layer 5 -o out/none.gguf >/dev/null 2>err.txt
check "extract --layer 5" 1 $?
expect_err "ggscope extract: sample.gguf: no block 5: the file has blocks 0..1"
[ ! -e out/none.gguf ] || { echo "FAIL: out/none.gguf was created" >&2; fail=1; }
"$GGSCOPE" extract out/blk0.gguf --layer global -o out/none.gguf >/dev/null 2>err.txt
check "extract global from a block file" 1 $?
expect_err "no tensors outside the blocks"

"$GGSCOPE" extract sample.gguf --layer 0 -o nodir/x.gguf >/dev/null 2>err.txt
check "extract into a missing directory" 1 $?
expect_err "nodir/x.gguf: cannot create a temporary file next to it: No such file or directory"
"$GGSCOPE" extract missing.gguf --layer 0 -o out/x.gguf >/dev/null 2>err.txt
check "extract from a missing file" 1 $?
expect_err "missing.gguf: No such file or directory"

"$GGSCOPE" extract sample.gguf -o out/x.gguf >/dev/null 2>err.txt
check "extract without --layer" 2 $?
expect_err "missing --layer N"
"$GGSCOPE" extract sample.gguf --layer 0 >/dev/null 2>err.txt
check "extract without -o" 2 $?
expect_err "missing -o OUT.gguf"
"$GGSCOPE" extract sample.gguf --layer x -o out/x.gguf >/dev/null 2>err.txt
check "extract --layer x" 2 $?
expect_err "--layer: 'x' is not a block number or 'global'"
"$GGSCOPE" extract sample.gguf --layer -2 -o out/x.gguf >/dev/null 2>err.txt
check "extract --layer -2" 2 $?
"$GGSCOPE" extract --layer 0 -o out/x.gguf >/dev/null 2>err.txt
check "extract without FILE" 2 $?
"$GGSCOPE" extract sample.gguf --layer >/dev/null 2>err.txt
check "extract --layer without a value" 2 $?
expect_err "option '--layer' needs an argument"
"$GGSCOPE" extract --help >help.txt
check "extract --help" 0 $?
grep -q '^Usage: ggscope extract' help.txt || { echo "FAIL: extract --help" >&2; fail=1; }

[ "$(ls out | LC_ALL=C sort | tr '\n' ' ')" = "again.gguf blk0.gguf global.gguf global2.gguf " ] ||
	{ echo "FAIL: out/ holds: $(ls out)" >&2; fail=1; }
exit $fail
