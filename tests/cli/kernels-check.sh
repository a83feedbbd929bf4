#!/bin/sh
# make check's compile gate: every legal (variant, warps) builds with NVRTC
# for sm_80 and sm_90 without errors or register spills, from a fresh cache
# so it really compiles. Then: a second run is served from the disk cache,
# and a kernel with a syntax error fails the check with NVRTC's log.
set -u
: "${GGSCOPE:?run through make check}"
fail() { echo "FAIL: $*" >&2; exit 1; }
if ! grep -q '^#define HAVE_NVRTC 1' "$top_builddir/config.h"; then
	echo "NVRTC not configured: skipping the compile check"
	exit 77
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME="$tmp/cache"

# Expected builds: every legal warps value of every variant, for 2 archs
# (56 per arch when this was written).
per_arch=$("$GGSCOPE" kernels --json | tr -d ' \n' | sed 's/"warps":\[\([0-9,]*\)\]/\n\1\n/g' |
	grep -E '^[0-9,]+$' | tr ',' '\n' | wc -l)
[ "$per_arch" -ge 56 ] || fail "could not count the legal (variant, warps) pairs ($per_arch)"
n=$((per_arch * 2))

"$GGSCOPE" kernels --check --arch sm_80,sm_90 >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/out"
[ $rc -eq 0 ] || { cat "$tmp/err" >&2; fail "kernels --check exited $rc"; }
grep -q "^$n builds: $n ok, 0 errors, 0 with register spills; $n compiled, 0 from cache" "$tmp/out" ||
	fail "expected $n fresh builds"
[ "$(ls "$tmp/cache/ggscope/jit/"*.ggjit | wc -l)" -eq "$n" ] || fail "$n cache entries expected"

# Again: everything from the disk cache, same report.
"$GGSCOPE" kernels --check --arch sm_80,sm_90 --json >"$tmp/json" || fail "cached --check exited $?"
[ "${PYTHON3:-no}" = no ] || "$PYTHON3" - "$tmp/json" <<'PY' || fail "cached JSON check"
import json, sys
d = json.load(open(sys.argv[1]))
b = d["builds"]
assert d["ok"] is True and len(b) == sum(len(v["warps"]) for v in d["variants"]) * 2
assert all(x["cache"] == "disk" and x["ok"] for x in b), [x for x in b if x["cache"] != "disk"][:1]
assert all(x["registers"] > 0 and x["spill_store_bytes"] == 0 and x["spill_load_bytes"] == 0 for x in b)
assert {x["arch"] for x in b} == {"sm_80", "sm_90"}
hw = [x for x in b if x["variant"] == "q4k_hw_dp4a"]
assert sorted(x["warps"] for x in hw) == sorted(list(range(1, 9)) * 2)
PY

# A broken copy of the kernels: --check fails and shows NVRTC's error line.
cp -R "$GGSCOPE_KERNELS_DIR" "$tmp/kernels"
echo 'int broken = ;' >>"$tmp/kernels/q6k_basic.cu"
GGSCOPE_KERNELS_DIR="$tmp/kernels" "$GGSCOPE" kernels --check --variant q6k_basic >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a broken kernel did not fail the check"
grep -q 'q6k_basic.cu.*error' "$tmp/err" || fail "NVRTC error not shown: $(cat "$tmp/err")"
grep -q 'ERROR' "$tmp/out" || fail "ERROR row missing"
exit 0
