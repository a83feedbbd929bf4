#!/bin/sh
# GPU correctness sweep: every GEMV variant at every legal warp count, on
# random Q4_K and Q6_K layers at seven shapes (k = 4000 is not a multiple of
# 256: only the any-k variants run there, the others must refuse), and on
# every Q4_K/Q6_K tensor of the demo layer. Fails on any wrong result,
# unwritten output, compile error or run error. Builds nothing.
#
# Usage: tests/gpu/run.sh [BUILDDIR]   (default: $top_builddir, else .)
# Exit 77 (skip) without a GPU. Full tables go to $GPU_TEST_LOG (default
# BUILDDIR/tests/gpu/run.log); the summary goes to stdout.
set -u
build=${1:-${top_builddir:-.}}
ggscope=${GGSCOPE:-$build/ggscope}
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
log=${GPU_TEST_LOG:-$build/tests/gpu/run.log}
reps=${GPU_TEST_REPS:-5}
[ -x "$ggscope" ] || { echo "run.sh: no ggscope at $ggscope (give the build tree)" >&2; exit 1; }
: "${GGSCOPE_KERNELS_DIR:=$srcdir/kernels}"
export GGSCOPE_KERNELS_DIR

# Is there a GPU? One tiny measurement says.
probe=$("$ggscope" bench --shape 32x256 --variant q4k_basic --reps 1 --warmup 0 2>&1 >/dev/null)
case $probe in
*"measurement unavailable"*)
	echo "SKIP: $probe"
	exit 77 ;;
esac

mkdir -p "$(dirname "$log")" || exit 1
: >"$log"
fail=0
total_pass=0
total_refused=0
# run TITLE ARGS...: one bench invocation, its summary line, and its verdict
run() {
	title=$1
	shift
	echo "==== $title: ggscope bench $*" >>"$log"
	out=$("$ggscope" bench "$@" --variant all --warps all --reps "$reps" --warmup 2 2>&1)
	st=$?
	printf '%s\n\n' "$out" >>"$log"
	summary=$(printf '%s\n' "$out" | grep -E '^[0-9]+ rows?: ' | tail -n 1)
	printf '%-34s %s' "$title" "${summary:-no summary}"
	if [ $st -ne 0 ] || [ -z "$summary" ]; then
		echo "  <- FAILED (exit $st)"
		printf '%s\n' "$out" | grep -E ' (FAIL|error|compile-error)$' -A 3 | sed 's/^/    /'
		fail=1
	else
		echo
	fi
	p=$(printf '%s\n' "$summary" | sed -n 's/.*: \([0-9]*\) pass, .*/\1/p')
	r=$(printf '%s\n' "$summary" | sed -n 's/.*, \([0-9]*\) refused,.*/\1/p')
	total_pass=$((total_pass + ${p:-0}))
	total_refused=$((total_refused + ${r:-0}))
}

"$ggscope" bench --shape 32x256 --variant q4k_basic --reps 1 2>/dev/null | sed -n 's/^device *//p'
seed=1
for type in q4_k q6_k; do
	for shape in 4096x14336 14336x4096 4096x4096 1024x4096 11008x4096 4096x11008 4096x4000; do
		run "$type $shape" --shape "$shape" --type "$type" --seed $seed
		seed=$((seed + 1))
	done
done
for t in attn_q attn_k attn_v attn_output ffn_gate ffn_up ffn_down; do
	run "demo blk.0.$t" demo --tensor "blk.0.$t.weight" --seed $seed
	seed=$((seed + 1))
done

echo "rows passed: $total_pass, refused (shape not taken): $total_refused; tables in $log"
if [ $fail -ne 0 ]; then
	echo "FAIL"
	exit 1
fi
echo "PASS"
exit 0
