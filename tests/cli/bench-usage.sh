#!/bin/sh
# ggscope bench: --help, usage errors (exit 2) and bad layers (exit 1), all
# decided before anything is compiled or measured.
set -u
: "${GGSCOPE:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-bench-usage.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0
check() { # check DESC EXPECTED_STATUS ACTUAL_STATUS
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit status $3, expected $2" >&2
		cat err.txt >&2
		fail=1
	fi
}
expect_err() { # expect_err TEXT
	grep -qF -- "$1" err.txt || { echo "FAIL: stderr lacks \"$1\":" >&2; cat err.txt >&2; fail=1; }
}

"$GGSCOPE" bench --help >out.txt 2>err.txt
check "--help" 0 $?
grep -q "^Usage: ggscope bench" out.txt || { echo "FAIL: --help prints no usage" >&2; fail=1; }
grep -q -- "--warm " out.txt || { echo "FAIL: --help does not list --warm" >&2; fail=1; }

"$GGSCOPE" bench >/dev/null 2>err.txt
check "no layer source" 2 $?
expect_err "ggscope bench: name one layer source: FILE, --demo or --shape"
expect_err "Try 'ggscope bench --help'"

"$GGSCOPE" bench demo --shape 64x256 >/dev/null 2>err.txt
check "two layer sources" 2 $?
"$GGSCOPE" bench --shape 64by256 >/dev/null 2>err.txt
check "bad --shape" 2 $?
expect_err "--shape wants ROWSxK, e.g. 4096x14336: '64by256'"
"$GGSCOPE" bench --shape 64x256 --type q8_0 >/dev/null 2>err.txt
check "bad --type" 2 $?
expect_err "--type wants q4_k or q6_k: 'q8_0'"
"$GGSCOPE" bench --shape 64x256 --outlier 408: >/dev/null 2>err.txt
check "bad --outlier" 2 $?
expect_err "--outlier: outlier 1 '408:': expected CHANNEL:MULTIPLE"
"$GGSCOPE" bench --demo --type q6_k >/dev/null 2>err.txt
check "--type without --shape" 2 $?
"$GGSCOPE" bench --shape 64x256 --warps 0 >/dev/null 2>err.txt
check "--warps 0" 2 $?
expect_err "--warps wants 1..32 or all: '0'"
"$GGSCOPE" bench --shape 64x256 --reps x >/dev/null 2>err.txt
check "--reps x" 2 $?
"$GGSCOPE" bench --shape 64x256 --bogus >/dev/null 2>err.txt
check "unknown option" 2 $?
expect_err "unknown option '--bogus'"
"$GGSCOPE" bench --shape 64x256 --reps >/dev/null 2>err.txt
check "missing argument" 2 $?
expect_err "option '--reps' needs an argument"
"$GGSCOPE" bench model.gguf >/dev/null 2>err.txt
check "FILE without --tensor" 2 $?
expect_err "--tensor NAME is required with a FILE"

# -D/--define: checked while parsing, before anything is compiled.
"$GGSCOPE" bench --shape 64x256 -D 'BAD NAME' >/dev/null 2>err.txt
check "-D 'BAD NAME'" 2 $?
expect_err "define 'BAD NAME': the name must match [A-Za-z_][A-Za-z0-9_]*"
expect_err "Try 'ggscope bench --help'"
"$GGSCOPE" bench --shape 64x256 -D WARPS=2 >/dev/null 2>err.txt
check "-D WARPS=2" 2 $?
expect_err "define 'WARPS=2': WARPS is set by each build's warp count: use --warps"
"$GGSCOPE" bench --shape 64x256 --define __CUDA_ARCH__=900 >/dev/null 2>err.txt
check "-D __CUDA_ARCH__" 2 $?
expect_err "names that start with __ belong to the compiler"
"$GGSCOPE" bench --shape 64x256 -D 'STREAM_ROWS="2"' >/dev/null 2>err.txt
check "-D with a quoted value" 2 $?
expect_err "no spaces or quotes"
"$GGSCOPE" bench --shape 64x256 -D 'STREAM_ROWS=2 -DX' >/dev/null 2>err.txt
check "-D with a space in the value" 2 $?
"$GGSCOPE" bench --shape 64x256 -D STREAM_ROWS=2 -D STREAM_ROWS=4 >/dev/null 2>err.txt
check "-D twice for one name" 2 $?
expect_err "STREAM_ROWS is already defined ('STREAM_ROWS=2')"
"$GGSCOPE" bench --shape 64x256 -D A -D B -D C -D D -D E -D F -D G -D H -D I >/dev/null 2>err.txt
check "nine -D" 2 $?
expect_err "at most 8 --define options"
"$GGSCOPE" bench --shape 64x256 -D >/dev/null 2>err.txt
check "-D without an argument" 2 $?
expect_err "option '-D' needs an argument"

"$GGSCOPE" bench missing.gguf --tensor t >/dev/null 2>err.txt
check "missing file" 1 $?
expect_err "missing.gguf"
"$GGSCOPE" bench --shape 64x256 --variant q6k_mwv >/dev/null 2>err.txt
check "variant of the other type" 1 $?
expect_err "q6k_mwv"
"$GGSCOPE" bench --shape 64x256 --variant nosuch >/dev/null 2>err.txt
check "unknown variant" 1 $?
expect_err "nosuch"
"$GGSCOPE" bench --shape 64x256 --variant q4k_basic --warps 2 >/dev/null 2>err.txt
check "illegal warps for the variant" 1 $?
expect_err "q4k_basic takes warps 1, not 2"

exit $fail
