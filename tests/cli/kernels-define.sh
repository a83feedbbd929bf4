#!/bin/sh
# ggscope kernels -D/--define: a knob setting is compile-checked with its
# own builds (different resources, the define in the options), a value the
# kernel rejects fails the check with the #error text, and bad defines are
# usage errors.
set -u
: "${GGSCOPE:?run through make check}"
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

"$GGSCOPE" kernels -D 'BAD NAME' >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "-D 'BAD NAME' exited $rc"
grep -qF "define 'BAD NAME': the name must match" "$tmp/err" || fail "-D 'BAD NAME' said: $(cat "$tmp/err")"
"$GGSCOPE" kernels --check -D WARPS=2 >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] || fail "-D WARPS=2 exited $rc"
grep -qF "every legal warp count" "$tmp/err" || fail "-D WARPS=2 said: $(cat "$tmp/err")"

if ! grep -q '^#define HAVE_NVRTC 1' "$top_builddir/config.h"; then
	echo "NVRTC not configured: skipping the compile checks"
	exit 77
fi

export XDG_CACHE_HOME="$tmp/cache"

"$GGSCOPE" kernels --check --arch sm_90 -k q6k_stream --json >"$tmp/plain.json" 2>"$tmp/err" ||
	fail "plain check exited $?: $(cat "$tmp/err")"
"$GGSCOPE" kernels --check --arch sm_90 -k q6k_stream -D STREAM_STAGES=2 >"$tmp/out" 2>"$tmp/err" ||
	fail "-D STREAM_STAGES=2 exited $?: $(cat "$tmp/err")"
grep -q '^Defines: STREAM_STAGES=2$' "$tmp/out" || fail "no Defines line: $(cat "$tmp/out")"
grep -q ' 4 ok, 0 errors, .* 4 compiled, 0 from cache' "$tmp/out" ||
	fail "the define's builds were not compiled afresh: $(cat "$tmp/out")"
"$GGSCOPE" kernels --check --arch sm_90 -k q6k_stream --define STREAM_STAGES=2 --json >"$tmp/stages2.json" ||
	fail "-D STREAM_STAGES=2 --json exited $?"
[ "${PYTHON3:-no}" = no ] || "$PYTHON3" - "$tmp/plain.json" "$tmp/stages2.json" <<'PY' || fail "JSON check"
import json, sys
plain, st2 = (json.load(open(p)) for p in sys.argv[1:3])
assert plain["defines"] == [] and st2["defines"] == ["STREAM_STAGES=2"]
p = {b["warps"]: b for b in plain["builds"]}
for b in st2["builds"]:
    assert b["ok"] and b["cache"] == "disk", b
    assert "-DSTREAM_STAGES=2" in b["options"] and "STREAM_STAGES" not in p[b["warps"]]["options"], b
    # the ring is STAGES deep: 2 stages instead of 3
    assert b["smem_static_bytes"] < p[b["warps"]]["smem_static_bytes"], (b, p[b["warps"]])
PY

"$GGSCOPE" kernels --check --arch sm_90 -k q6k_stream -D STREAM_ROWS=99 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || fail "-D STREAM_ROWS=99 exited $rc"
grep -q 'STREAM_ROWS must be in 1..8' "$tmp/err" || fail "#error text not shown: $(cat "$tmp/err")"
grep -q '0 ok, 4 errors' "$tmp/out" || fail "expected 4 errors: $(cat "$tmp/out")"

# Every knob's range check, each on its own: the build fails with the
# #error's text, on every warp count. DEFS is a space-separated list.
while IFS='|' read -r v defs text; do
	dargs=
	for d in $defs; do dargs="$dargs -D $d"; done
	# shellcheck disable=SC2086 # dargs is a list of options
	"$GGSCOPE" kernels --check --arch sm_90 -k "$v" $dargs >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc -eq 1 ] || fail "$v $dargs exited $rc"
	grep -qF "$text" "$tmp/err" || fail "$v $dargs: #error text '$text' not shown: $(cat "$tmp/err")"
	grep -q '0 ok, 4 errors' "$tmp/out" || fail "$v $dargs: expected 4 errors: $(cat "$tmp/out")"
done <<'KNOBS'
q4k_stream_dp4a|STREAM_RING=2|STREAM_RING must be 0 or 1
q4k_stream_dp4a|STREAM_STAGES=7|STREAM_STAGES must be in 2..6 for q4k_stream
q4k_stream|STREAM_PIPE=5|STREAM_PIPE must be in 1..4
q6k_stream_dp4a|STREAM_STAGES=5|STREAM_STAGES must be in 2..4
q6k_stream_dp4a|STREAM_ROTATE=2|STREAM_ROTATE must be 0 or 1
q6k_stream_dp4a|STREAM_XSMEM=2|STREAM_XSMEM must be 0 or 1
q6k_stream_dp4a|STREAM_SPAN=3|STREAM_SPAN must be 1, 2 or 4
q6k_stream_dp4a|STREAM_XPREFETCH=1 STREAM_SPAN=2|STREAM_XPREFETCH needs STREAM_SPAN 1
q6k_stream_dp4a|STREAM_ROWS=3|q6k_stream needs STREAM_ROWS to divide 32
q4k_stream_dp4a|STREAM_XPREFETCH=2|STREAM_XPREFETCH must be 0 or 1
q4k_stream_dp4a|STREAM_TMA=2|STREAM_TMA must be 0 or 1
q6k_stream_dp4a|STREAM_ALIGN=64|STREAM_ALIGN must be 16 or 128
KNOBS

# The bulk-copy knob uses sm_90 instructions: it must build there (with its
# mbarriers in shared memory) and fall back to cp.async on sm_80, both
# without spills.
"$GGSCOPE" kernels --check --arch sm_80,sm_90 -k q4k_stream_dp4a -k q6k_stream_dp4a -D STREAM_TMA=1 --json \
	>"$tmp/tma.json" 2>"$tmp/err" || fail "-D STREAM_TMA=1 exited $?: $(cat "$tmp/err")"
"$GGSCOPE" kernels --check --arch sm_80,sm_90 -k q4k_stream_dp4a -k q6k_stream_dp4a --json >"$tmp/notma.json" ||
	fail "plain dp4a check exited $?"
[ "${PYTHON3:-no}" = no ] || "$PYTHON3" - "$tmp/tma.json" "$tmp/notma.json" <<'PY' || fail "TMA JSON check"
import json, sys
tma, plain = (json.load(open(p)) for p in sys.argv[1:3])
assert len(tma["builds"]) == 16, len(tma["builds"])
p = {(b["variant"], b["warps"], b["arch"]): b for b in plain["builds"]}
for b in tma["builds"]:
    assert b["ok"] and b["spill_store_bytes"] == 0 and b["spill_load_bytes"] == 0, b
    q = p[(b["variant"], b["warps"], b["arch"])]
    # sm_90 adds one 8-byte mbarrier per ring slot and warp; sm_80 is unchanged
    if b["arch"] == "sm_90":
        assert b["smem_static_bytes"] > q["smem_static_bytes"], (b, q)
    else:
        assert b["smem_static_bytes"] == q["smem_static_bytes"], (b, q)
PY
exit 0
