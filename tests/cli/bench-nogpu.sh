#!/bin/sh
# ggscope bench without a GPU (forced with a driver path that does not
# exist, so this runs the same on a GPU machine): the compile-only columns,
# "measurement unavailable: <reason>" and exit 1; the JSON form; the demo
# layer's tensors by name, and the refusals for tensors bench cannot take.
set -u
: "${GGSCOPE:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-bench-nogpu.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
GGSCOPE_LIBCUDA=/nonexistent/libcuda.so.1
export GGSCOPE_LIBCUDA
fail=0
check() { # check DESC EXPECTED_STATUS ACTUAL_STATUS
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit status $3, expected $2" >&2
		cat err.txt >&2
		fail=1
	fi
}
expect() { # expect FILE TEXT
	grep -qF -- "$2" "$1" || { echo "FAIL: $1 lacks \"$2\":" >&2; cat "$1" >&2; fail=1; }
}

# Without NVRTC nothing compiles: the compile-only path cannot be shown.
"$GGSCOPE" bench --shape 32x512 --variant q4k_basic --seed 1 >out.txt 2>err.txt
st=$?
if grep -q "NVRTC not available" out.txt; then
	echo "SKIP: this ggscope was built without NVRTC"
	exit 77
fi
check "compile-only q4k_basic" 1 $st
expect err.txt "ggscope bench: measurement unavailable: /nonexistent/libcuda.so.1 not found"
expect out.txt "device    measurement unavailable: /nonexistent/libcuda.so.1 not found"
expect out.txt "layer     random Q4_K layer: q4_K, 32 rows x 512, 0.0 MB (random, seed"
expect out.txt "input     x ~ N(0,1), seed 1;"
expect out.txt "kernels   compiled for sm_90"
# the row: registers from ptxas, no timing, status n/a
grep -Eq "^q4k_basic +1 f32 +32 +[0-9]+ +0 +[0-9.]+ (new|mem|disk) +- +- +- +- +- +- +- +- +- +- +- +-  n/a$" out.txt ||
	{ echo "FAIL: compile-only row:" >&2; cat out.txt >&2; fail=1; }
expect out.txt "1 row: 0 pass, 0 failed, 0 refused, 1 not measured"

# Every Q6_K variant at every legal warp count, for another arch, as JSON.
"$GGSCOPE" bench --shape 16x512 --type q6_k --warps all --arch sm_80 --json >out.json 2>err.txt
check "compile-only --json" 1 $?
if [ -n "${PYTHON3:-}" ] && [ "$PYTHON3" != no ]; then
	"$PYTHON3" - out.json <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["measurement"]["available"] is False, d["measurement"]
assert "not found" in d["measurement"]["reason"]
assert d["measurement"]["arch"] == "sm_80"
assert d["device"] is None
rows = d["rows"]
names = sorted({r["variant"] for r in rows})
assert names == ["q6k_basic", "q6k_dp4a", "q6k_hw_dp4a", "q6k_mwv", "q6k_stream", "q6k_stream_dp4a"], names
assert len(rows) == 1 + 8 + 8 + 8 + 4 + 4, len(rows)
for r in rows:
    assert r["status"] == "n/a", r
    b = r["build"]
    assert b["target"] == "sm_80" and b["registers"] > 0 and b["spill_store_bytes"] == 0, r
    assert r["time_us"]["gemv"] is None and r["gbs"] is None and r["error"] is None, r
    assert (r["quantizer_build"] is not None) == (r["input"] == "q8_1"), r
assert d["summary"] == {"pass": 0, "fail": 0, "refused": 0, "unmeasured": 33}, d["summary"]
PY
fi

# k not a multiple of 256: only the any-k variants compile, the rest are refused.
"$GGSCOPE" bench --shape 8x300 --warps all >out.txt 2>err.txt
check "k = 300" 1 $?
expect out.txt "q4k_tiled"
grep -q "^q4k_tiled .* refused$" out.txt || { echo "FAIL: q4k_tiled not refused for k = 300" >&2; cat out.txt >&2; fail=1; }
grep -q "^q4k_mwv .* n/a$" out.txt || { echo "FAIL: q4k_mwv does not take k = 300" >&2; fail=1; }

# The demo layer: its ffn_down by default, other tensors by name, refusals.
"$GGSCOPE" bench demo --variant q6k_mwv --warps 4 >out.txt 2>err.txt
check "demo ffn_down" 1 $?
expect out.txt "layer     blk.0.ffn_down.weight: q6_K, 4096 rows x 14336, 48.2 MB"
grep -q "^q6k_mwv  *4 f32 .* n/a$" out.txt || { echo "FAIL: demo q6k_mwv row:" >&2; cat out.txt >&2; fail=1; }
"$GGSCOPE" bench --demo --tensor blk.0.attn_norm.weight >out.txt 2>err.txt
check "an F32 tensor" 1 $?
expect err.txt "blk.0.attn_norm.weight is f32: bench measures Q4_K and Q6_K matrices"
"$GGSCOPE" bench --demo --tensor blk.0.nosuch.weight >out.txt 2>err.txt
check "a missing tensor" 1 $?
expect err.txt "no tensor named 'blk.0.nosuch.weight'"

exit $fail
