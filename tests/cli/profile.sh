#!/bin/sh
# ggscope profile without a GPU (GGSCOPE_LIBCUDA names a library that does
# not exist, so this runs the same on the H100): what is unavailable and why,
# the profile the rules choose for --cc with each field's source, the seed's
# environment variables and ggscope's own, the three rules, user choices,
# JSON, and usage errors.
set -u
: "${GGSCOPE:?}"
GGSCOPE_LIBCUDA=/nonexistent/libcuda.so.1
export GGSCOPE_LIBCUDA
# The seed's variables and ggscope's must not leak in from the caller.
unset WIDE_Q4K_DISABLE WIDE_Q4K VECTORIZED_Q4K HW_DP4A_Q4K DP4A_Q4K MWV_Q4K HW_DP4A_Q6K DP4A_Q6K MWV_Q6K \
	MWV_WARPS BATCHED_PREFILL FUSED_GATE_UP FP8_PREFILL FP8_DECODE W4A16_INTERLEAVED HGEMM_DECODE \
	STREAM_DP4A_Q4K STREAM_Q4K STREAM_DP4A_Q6K STREAM_Q6K STREAM_WARPS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-profile.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

# expect STATUS PATTERN... -- ARGS: run `ggscope profile ARGS`, check the exit
# status and that stdout+stderr match every grep pattern.
expect() {
	want=$1
	shift
	pats=
	while [ "$1" != -- ]; do
		pats="$pats
$1"
		shift
	done
	shift
	"$GGSCOPE" profile "$@" >"$tmp/out" 2>&1
	rc=$?
	if [ $rc -ne "$want" ]; then
		echo "FAIL: profile $*: exit $rc, expected $want" >&2
		sed 's/^/  | /' "$tmp/out" >&2
		fail=1
		return
	fi
	printf '%s\n' "$pats" | while IFS= read -r p; do
		[ -z "$p" ] && continue
		if ! grep -q -e "$p" "$tmp/out"; then
			echo "FAIL: profile $*: no line matches '$p'" >&2
			sed 's/^/  | /' "$tmp/out" >&2
			echo x >>"$tmp/failed"
		fi
	done
}

expect 0 '^Usage: ggscope profile' 'HW_DP4A_Q4K' 'STREAM_DP4A_Q4K' '^      --rule RULE' '^      --stream-warps N' -- --help

# No GPU, no --cc: nothing to profile, and the hint.
expect 1 '^device     unavailable: ' '^ceiling    n/a: no GPU' '^GpuProfile n/a: no GPU' 'give --cc' '^NVRTC ' '^CUPTI ' --

# The profile ggscope's rule (the default) picks for an H100: its stream
# dp4a kernels, measured fastest there, at 4 warps.
expect 0 '^GpuProfile for cc 9.0 (rule: ggscope)' \
	"^  q4k  *q4k_stream_dp4a  *auto  *cc 90 -> stream_dp4a, ggscope's kernel (ggscope's rule: .*BENCHMARKS.md.*the seed: hw_dp4a" \
	'^  q6k  *q6k_stream_dp4a  *auto  .*the seed: hw_dp4a' \
	'^  mwv_warps  *3  *auto' \
	"^  stream_warps  *4  *auto  *cc 90 -> 4 (ggscope's rule" \
	'^  prefill_path  *batched  *auto' \
	'^  fused_gate_up  *off  *auto' \
	'^  fp8_prefill  *on  *auto' \
	'^  sm_target  *sm_90  *auto' \
	'^  cc  *90  *auto' -- --cc 9.0 --no-ceiling
# ... elsewhere it is the seed's rule.
expect 0 '^GpuProfile for cc 8.9 (rule: ggscope)' '^  q4k  *q4k_hw_dp4a  *auto  *cc 89 >= 75' \
	'^  q6k  *q6k_hw_dp4a  *auto' "^  stream_warps  *2  *auto  *2, the registry's default .*unused" -- --cc 8.9 --no-ceiling

# The seed's rule: the seed engine's profile exactly, for an H100.
expect 0 '^GpuProfile for cc 9.0 (rule: seed)' \
	'^  q4k  *q4k_hw_dp4a  *auto  *cc 90 >= 75' \
	'^  q6k  *q6k_hw_dp4a  *auto' \
	'^  mwv_warps  *3  *auto' \
	'^  prefill_path  *batched  *auto' \
	'^  fused_gate_up  *on  *auto' \
	'^  fp8_prefill  *on  *auto' \
	'^  sm_target  *sm_90  *auto' \
	'^  cc  *90  *auto' -- --cc 9.0 --no-ceiling --rule seed
# --q4k-rule is the former name of --rule.
expect 0 '^GpuProfile for cc 9.0 (rule: seed)' '^  q4k  *q4k_hw_dp4a  *auto' -- --cc 9.0 --q4k-rule seed

# Presence-only: HW_DP4A_Q4K=0 still selects hw_dp4a (on a Volta that would not).
HW_DP4A_Q4K=0 expect 0 '^  q4k  *q4k_hw_dp4a  *env  *HW_DP4A_Q4K=0 (read by presence' -- --cc 7.0 --no-ceiling
HW_DP4A_Q4K=0 MWV_Q4K=1 expect 0 'note: MWV_Q4K is set too but HW_DP4A_Q4K comes first' -- --cc 9.0

# ggscope's variables: by presence, before the seed's, on any GPU; ignored
# under the seed's rule, as the seed engine ignores them.
STREAM_Q4K=0 HW_DP4A_Q4K=1 expect 0 "^  q4k  *q4k_stream  *env  *STREAM_Q4K=0 (ggscope's variable, the seed engine ignores it" \
	'note: HW_DP4A_Q4K is set too but STREAM_Q4K comes first' -- --cc 8.6
STREAM_DP4A_Q6K= STREAM_WARPS=1 expect 0 '^  q6k  *q6k_stream_dp4a  *env  *STREAM_DP4A_Q6K=' \
	"^  stream_warps  *1  *env  *STREAM_WARPS=1 (ggscope's variable" -- --cc 7.5
STREAM_DP4A_Q4K=1 STREAM_WARPS=1 expect 0 '^  q4k  *q4k_hw_dp4a  *auto' \
	"note: STREAM_DP4A_Q4K is ggscope's variable: ignored under the seed rule" \
	"note: STREAM_WARPS is ggscope's variable: ignored under the seed rule" -- --cc 9.0 --rule seed
STREAM_WARPS=5 expect 0 '^  stream_warps  *4  *auto' 'note: STREAM_WARPS=5 is outside 1..4, .* -> the default 4' -- --cc 9.0
STREAM_WARPS=two expect 0 '^  stream_warps  *4  *auto' 'note: STREAM_WARPS=two does not parse as u32 -> the default 4' -- --cc 9.0
MWV_WARPS=abc expect 0 '^  mwv_warps  *3  *env  *MWV_WARPS=abc does not parse as u32 -> 3' -- --cc 9.0
BATCHED_PREFILL=1 expect 0 '^  prefill_path  *batched  *env .*forced even on sm_12x' -- --cc 12.1
FUSED_GATE_UP=1 MWV_Q4K= expect 0 'note: FUSED_GATE_UP=1 refused: q4k is q4k_mwv' -- --cc 9.0

# Blackwell consumer parts: serial prefill, the PTX target clamped.
expect 0 '^  prefill_path  *serial  *auto' '^  sm_target  *sm_90  *auto .*clamped' -- --cc sm_120

# User choices and the upstream rule.
HW_DP4A_Q4K=1 expect 0 '^  q4k  *q4k_mwv  *user  *option q4k_mwv' 'HW_DP4A_Q4K is set but a user choice wins' \
	'^  mwv_warps  *4  *user' -- --cc 9.0 --q4k mwv --warps 4
STREAM_WARPS=2 expect 0 '^  q6k  *q6k_stream  *user  *option q6k_stream' '^  stream_warps  *3  *user  *option 3' \
	'STREAM_WARPS=2 is set but a user choice wins' -- --cc 8.0 --q6k stream --stream-warps 3
expect 0 '^GpuProfile for cc 9.0 (rule: upstream)' '^  q4k  *q4k_mwv  *auto  *mwv on every GPU' \
	'^  q6k  *q6k_hw_dp4a  *auto' '^  fused_gate_up  *off' -- --cc 9.0 --rule upstream

# JSON.
"$GGSCOPE" profile --cc 9.0 --json >"$tmp/json" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	echo "FAIL: profile --cc 9.0 --json: exit $rc" >&2
	fail=1
elif [ -n "${PYTHON3:-}" ] && [ "$PYTHON3" != no ]; then
	"$PYTHON3" - "$tmp/json" <<'EOF' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["device"]["available"] is False and d["device"]["reason"], d["device"]
assert d["ceiling"]["available"] is False
p = d["profile"]
assert p["cc"] == "9.0" and p["from"] == "--cc" and p["rule"] == "ggscope", p
f = p["fields"]
assert len(f) == 12, sorted(f)
assert list(f)[:4] == ["q4k", "q6k", "mwv_warps", "stream_warps"], list(f)
assert f["q4k"] == {"value": "q4k_stream_dp4a", "source": "auto", "rule": f["q4k"]["rule"]}, f["q4k"]
assert f["q6k"]["value"] == "q6k_stream_dp4a" and f["stream_warps"]["value"] == 4, f
assert f["mwv_warps"]["value"] == 3 and f["fused_gate_up"]["value"] is False and f["cc"]["value"] == 90
assert d["cupti"]["tier"] == "none"
EOF
fi

# Usage errors.
expect 2 'compute capability' -- --cc 9
expect 2 "rule 'newest': expected ggscope, seed or upstream" -- --rule newest
expect 2 "q4k-rule 'newest'" -- --q4k-rule newest
expect 2 "expected 1..4" -- --stream-warps 5
expect 2 "expected 1..4" -- --stream-warps 0
expect 2 "not a Q4_K variant" -- --q4k q6k_basic
expect 2 "expected 1..32" -- --warps 0
expect 2 "unknown option" -- --bogus
expect 2 "unexpected argument" -- extra

[ -e "$tmp/failed" ] && fail=1
exit $fail
