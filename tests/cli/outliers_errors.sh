#!/bin/sh
# ggscope outliers: usage errors exit 2, bad inputs exit 1, each with a
# message that names the cause.
set -u
: "${GGSCOPE:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-outliers-err.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect STATUS PATTERN ARGS...: run `ggscope outliers ARGS`, check the exit
# status and that stderr contains PATTERN (fixed string).
expect() {
	want=$1 pat=$2
	shift 2
	"$GGSCOPE" outliers "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL: outliers $*: exit $rc, expected $want" >&2
		cat "$tmp/err" >&2
		fail=1
	elif ! grep -qF -- "$pat" "$tmp/err"; then
		echo "FAIL: outliers $*: stderr lacks '$pat':" >&2
		cat "$tmp/err" >&2
		fail=1
	fi
}

expect 2 "missing FILE"
expect 2 "unknown option" --bogus demo
expect 2 "unexpected argument 'b'" a b
expect 2 "outlier 1 '408x26': expected CHANNEL:MULTIPLE" --outlier 408x26 -k 64
expect 2 "the multiple must be finite and nonzero" --outlier 408:0 -k 64
expect 2 "channel 3 is given twice" --outlier 3:5,3:6 -k 64
expect 2 "exclude each other" --outlier 1:2 --act x.npy
expect 2 "exclude each other" --imatrix a --act b
expect 2 "--token needs --act" --token 1 demo
expect 2 "--threshold: '0' is not a positive number" --threshold 0 demo
expect 2 "--tolerance: 'x' is not a positive percentage" --tolerance x demo
expect 2 "-k: '0' is not a channel count" -k 0
expect 2 "-k is for a synthetic vector without FILE" -k 64 demo
expect 2 "--tensor needs FILE or --imatrix" --tensor blk.0.attn_q.weight -k 64
expect 2 "--threads: '0' is not in 1..1024" --threads 0 demo
expect 2 "--seed" --seed -1 demo

expect 1 "$tmp/none.npy: No such file or directory" --act "$tmp/none.npy"
expect 1 "$tmp/none.dat: No such file or directory" --imatrix "$tmp/none.dat"
expect 1 "$tmp/none.gguf" "$tmp/none.gguf"
printf 'abcdefg' >"$tmp/seven.f32"
expect 1 "raw float32 file of 7 bytes is not a multiple of 4" --act "$tmp/seven.f32"
# A legacy .dat whose only entry claims more values than the file holds.
printf '\001\000\000\000\001\000\000\000a\001\000\000\000\100\000\000\000' >"$tmp/short.dat"
expect 1 "entry 'a': nval 64 at byte 13 needs 256 bytes, 0 left" --imatrix "$tmp/short.dat"
printf '\000\000\000\000' >"$tmp/zero.dat"
expect 1 "entry count 0 at byte 0 is outside 1..1000000" --imatrix "$tmp/zero.dat"
printf '\223NUMPY\001\000\004\000{}  ' >"$tmp/empty-dict.npy"
expect 1 "missing key 'descr'" --act "$tmp/empty-dict.npy"
exit $fail
