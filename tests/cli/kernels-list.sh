#!/bin/sh
# ggscope kernels: the listing (text and JSON) and the usage errors.
set -u
: "${GGSCOPE:?run through make check}"
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"

"$GGSCOPE" kernels >"$tmp/out" 2>"$tmp/err" || fail "listing exited $?: $(cat "$tmp/err")"
grep -q "^Kernel sources: $GGSCOPE_KERNELS_DIR (\$GGSCOPE_KERNELS_DIR)" "$tmp/out" || fail "kernel directory not reported"
for v in q4k_basic q4k_tiled q4k_chunked q4k_coalesced q4k_wide q4k_vectorized q4k_mwv q4k_mwv_dp4a \
	q4k_hw_dp4a q4k_stream q4k_stream_dp4a q6k_basic q6k_mwv q6k_dp4a q6k_hw_dp4a q6k_stream \
	q6k_stream_dp4a quantize_q8_1; do
	grep -q "^$v " "$tmp/out" || fail "variant $v not listed"
done
grep -q '^q4k_hw_dp4a *Q4_K *q8_1 *1\.\.8 *3 ' "$tmp/out" || fail "q4k_hw_dp4a row: $(grep '^q4k_hw_dp4a' "$tmp/out")"
grep -q '^q4k_tiled *Q4_K *f32 *4 *4 *k%256=0, k<=12288 ' "$tmp/out" || fail "q4k_tiled row"
grep -q 'q4k_legacy = q4k_basic' "$tmp/out" || fail "legacy alias not explained"

"$GGSCOPE" kernels --variant q6k_dp4a,q6k_mwv >"$tmp/out" || fail "--variant exited $?"
[ "$(grep -c '^q6k_' "$tmp/out")" -eq 2 ] || fail "--variant did not filter"
grep -q '^q4k_' "$tmp/out" && fail "--variant listed others"

"$GGSCOPE" kernels --json >"$tmp/json" || fail "--json exited $?"
[ "${PYTHON3:-no}" = no ] || "$PYTHON3" - "$tmp/json" <<'PY' || fail "JSON listing"
import json, sys
d = json.load(open(sys.argv[1]))
names = [v["name"] for v in d["variants"]]
assert len(names) == 18, names
v = {x["name"]: x for x in d["variants"]}
assert v["q4k_mwv"]["warps"] == list(range(1, 9)) and v["q4k_mwv"]["default_warps"] == 3
assert v["q4k_tiled"]["warps"] == [4] and v["q4k_tiled"]["max_k"] == 12288
assert v["q6k_hw_dp4a"]["input"] == "q8_1" and v["q6k_hw_dp4a"]["type"] == "Q6_K"
assert v["quantize_q8_1"]["kind"] == "quantize"
assert "builds" not in d
PY

"$GGSCOPE" kernels --help | grep -q -- '--check' || fail "--help"
"$GGSCOPE" kernels --variant nope 2>"$tmp/err"; [ $? -eq 2 ] || fail "unknown variant: not a usage error"
grep -q "unknown variant 'nope'" "$tmp/err" || fail "unknown variant message"
"$GGSCOPE" kernels --arch sm90 2>"$tmp/err"; [ $? -eq 2 ] || fail "bad arch: not a usage error"
grep -q "bad architecture 'sm90'" "$tmp/err" || fail "bad arch message"
"$GGSCOPE" kernels --bogus 2>/dev/null; [ $? -eq 2 ] || fail "unknown option: not a usage error"
"$GGSCOPE" kernels extra 2>/dev/null; [ $? -eq 2 ] || fail "stray argument: not a usage error"

# A missing kernel directory is reported, not fatal for the listing.
GGSCOPE_KERNELS_DIR=/nonexistent/kernels "$GGSCOPE" kernels >"$tmp/out" || fail "listing without kernels dir"
grep -q '^Kernel sources: none (.*/nonexistent/kernels' "$tmp/out" || fail "missing kernels dir not reported"
GGSCOPE_KERNELS_DIR=/nonexistent/kernels "$GGSCOPE" kernels --check 2>"$tmp/err"; [ $? -eq 1 ] || fail "--check without kernels dir"
exit 0
