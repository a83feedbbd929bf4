#!/bin/sh
# Time every GEMV variant at every legal warp count on the demo layer's
# ffn_down (Q6_K 4096 x 14336) and ffn_up (Q4_K 14336 x 4096), with cold and
# with warm L2. Run on the GPU machine from a build tree; the tables go to
# stdout. Timing is CUDA events around each launch (event overhead is a few
# microseconds: compare variants, not absolute floors, until CUPTI lands).
#
# Usage: bench/gemv-variants.sh [BUILDDIR] [REPS]
set -u
build=${1:-.}
reps=${2:-50}
ggscope=$build/ggscope
srcdir=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$ggscope" ] || { echo "gemv-variants.sh: no ggscope in $build" >&2; exit 1; }
: "${GGSCOPE_KERNELS_DIR:=$srcdir/kernels}"
export GGSCOPE_KERNELS_DIR
echo "commit: $(git -C "$srcdir" rev-parse --short HEAD 2>/dev/null || echo unknown), $(date -u '+%Y-%m-%d %H:%M UTC')"
st=0
for t in ffn_down ffn_up; do
	for l2 in cold warm; do
		echo
		echo "== blk.0.$t.weight, $l2 L2, $reps reps"
		if [ $l2 = warm ]; then w=--warm; else w=; fi
		"$ggscope" bench demo --tensor "blk.0.$t.weight" --variant all --warps all \
			--reps "$reps" --warmup 5 --seed 1 $w || st=1
	done
done
exit $st
