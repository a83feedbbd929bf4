#!/bin/sh
# Faulting kernels in the middle of a bench run: copies of two kernels are
# planted with an illegal address and a misaligned store. Each must be
# reported with its variant and CUDA error, the worker replaced, and every
# other variant measured after it and passing. Exit 77 without a GPU.
#
# Usage: tests/gpu/sticky.sh [BUILDDIR]
set -u
build=${1:-${top_builddir:-.}}
ggscope=${GGSCOPE:-$build/ggscope}
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
[ -x "$ggscope" ] || { echo "sticky.sh: no ggscope at $ggscope" >&2; exit 1; }
probe=$(GGSCOPE_KERNELS_DIR=$srcdir/kernels "$ggscope" bench --shape 32x256 --variant q4k_basic \
	--reps 1 --warmup 0 2>&1 >/dev/null)
case $probe in
*"measurement unavailable"*) echo "SKIP: $probe"; exit 77 ;;
esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ggscope-sticky.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cp -r "$srcdir/kernels" "$tmp/kernels" || exit 1
# 4 GiB past y: no allocation there (the H100 names this store
# CUDA_ERROR_INVALID_ADDRESS_SPACE, an address outside the global window;
# nearer misses give CUDA_ERROR_ILLEGAL_ADDRESS)
sed -i 's/y\[row\] = acc;/y[row + 0x40000000] = acc;/' "$tmp/kernels/q4k_coalesced.cu"
# a float store one byte off its alignment
sed -i 's/y\[row\] = acc;/*(float *)((char *)(y + row) + 1) = acc;/' "$tmp/kernels/q4k_wide.cu"
grep -q 0x40000000 "$tmp/kernels/q4k_coalesced.cu" && grep -q 'char \*)(y + row) + 1' "$tmp/kernels/q4k_wide.cu" ||
	{ echo "FAIL: the planted faults did not apply (kernel sources changed?)" >&2; exit 1; }

GGSCOPE_KERNELS_DIR=$tmp/kernels XDG_CACHE_HOME=$tmp/cache \
	"$ggscope" bench --shape 512x1024 --variant all --warps all --reps 2 --warmup 1 --seed 5 >"$tmp/out.txt" 2>&1
st=$?
cat "$tmp/out.txt"
fail=0
[ $st -eq 1 ] || { echo "FAIL: exit status $st, expected 1" >&2; fail=1; }
grep -A1 '^q4k_coalesced .* error$' "$tmp/out.txt" |
	grep -Eq 'CUDA_ERROR_(ILLEGAL_ADDRESS|INVALID_ADDRESS_SPACE) .* after kernel q4k_coalesced' ||
	{ echo "FAIL: q4k_coalesced is not reported with its address error" >&2; fail=1; }
grep -A1 '^q4k_wide .* error$' "$tmp/out.txt" | grep -q 'CUDA_ERROR_MISALIGNED_ADDRESS .* after kernel q4k_wide' ||
	{ echo "FAIL: q4k_wide is not reported with CUDA_ERROR_MISALIGNED_ADDRESS" >&2; fail=1; }
grep -q 'context reset and rebuilt (generation 3)' "$tmp/out.txt" ||
	{ echo "FAIL: the second fault did not find a rebuilt context" >&2; fail=1; }
grep -q '^30 rows: 28 pass, 2 failed, 0 refused, 0 not measured$' "$tmp/out.txt" ||
	{ echo "FAIL: the other 28 rows did not all pass" >&2; fail=1; }
[ $fail -eq 0 ] && echo PASS
exit $fail
