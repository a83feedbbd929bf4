#!/bin/sh
# ggscope report: --help, usage errors (exit 2, a message and the hint) and
# errors (exit 1, naming the cause); none of them writes a file.
set -u
: "${GGSCOPE:?run through make check}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-report-usage.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS PATTERN ARGS...: run `ggscope report ARGS`, check the exit
# status and that stderr matches PATTERN (a fixed string).
expect() {
	want=$1 pat=$2; shift 2
	"$GGSCOPE" report "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	[ "$got" -eq "$want" ] || fail "report $* -> exit $got, want $want ($(head -c 300 "$tmp/err"))"
	grep -qF -- "$pat" "$tmp/err" || fail "report $*: stderr lacks '$pat': $(head -c 300 "$tmp/err")"
	if [ "$want" -eq 2 ]; then
		grep -qF "Try 'ggscope report --help'" "$tmp/err" || fail "report $*: no hint"
	fi
}

"$GGSCOPE" report --help >"$tmp/out" 2>&1 || fail "--help exited $?"
grep -q '^Usage: ggscope report \[OPTION\]\.\.\. MODEL.gguf|demo' "$tmp/out" || fail "--help: no usage line"
for opt in --layers --types --tensor --variants --warps --imatrix --outlier --no-weights --no-outliers \
	--reps --warmup --warm --seed --arch --define --no-measure --no-ceiling --no-cupti --threads --format --output; do
	grep -q -- "$opt" "$tmp/out" || fail "--help does not mention $opt"
done
"$GGSCOPE" --help | grep -q '^  report ' || fail "ggscope --help does not list report"

"$GGSCOPE" demo --hidden 256 --ffn 512 --kv-dim 256 -o "$tmp/m.gguf" >/dev/null 2>&1 || fail "demo"
m=$tmp/m.gguf
o=$tmp/r.md

expect 2 "name a model"
expect 2 "WARPS" "$m" -D WARPS=2
expect 2 "BAD NAME" "$m" -D "BAD NAME=1"
expect 2 "STREAM_ROWS" "$m" -D STREAM_ROWS=2 -D STREAM_ROWS=4
expect 2 "at most 8 --define options" "$m" -D A=1 -D B=1 -D C=1 -D D=1 -D E=1 -D F=1 -D G=1 -D H=1 -D I=1
expect 2 "one model only: 'x'" "$m" x
expect 2 "--layers '3-1': 3-1 ends before it starts" "$m" --layers 3-1 -o "$o"
expect 2 "is not N or N-M" "$m" -l x
expect 2 "'q8_0' is not q4_K or q6_K" "$m" --types q8_0
expect 2 "'nope' is not a GEMV variant" "$m" -v nope
expect 2 "'0' is not a warp count" "$m" -w 0
expect 2 "--format wants md, json, csv or html: 'pdf'" "$m" -f pdf
expect 2 "--reps wants 1..100000: '0'" "$m" -n 0
expect 2 "--warmup wants" "$m" --warmup -1
expect 2 "--seed wants" "$m" --seed x
expect 2 "--threads wants" "$m" -j 2000
expect 2 "two different inputs" "$m" --imatrix x --outlier 1:20
expect 2 "--no-outliers leaves out the table" "$m" --no-outliers --no-weights
expect 2 "--layers does not go with it" "$m" --tensor blk.0.attn_q.weight --layers 0
expect 2 "unknown option '--bogus'" "$m" --bogus
expect 2 "option '--layers' needs an argument" "$m" --layers
expect 2 "--arch" "$m" --no-measure --arch sm_x -o "$o"

expect 1 "no/such.gguf" "$tmp/no/such.gguf"
expect 1 "no tensor named 'blk.0.nope.weight'" "$m" --tensor blk.0.nope.weight
expect 1 "blk.0.attn_norm.weight: not a matrix" "$m" --tensor blk.0.attn_norm.weight
expect 1 "no Q4_K/Q6_K weight matrix matches (layers 5" "$m" --layers 5
expect 1 "no variant of the selection takes these warps" "$m" -v q4k_wide -w 2 --types q4_K
expect 1 "$tmp/nodir" "$m" --no-measure --no-outliers -o "$tmp/nodir/r.json"
expect 1 "--imatrix: $tmp/missing.dat" "$m" --imatrix "$tmp/missing.dat"

left=$(ls "$tmp" | grep -v -e '^m\.gguf$' -e '^out$' -e '^err$')
[ -z "$left" ] || fail "files left behind: $left"
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
