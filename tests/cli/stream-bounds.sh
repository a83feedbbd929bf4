#!/bin/sh
# The stream variants read their weights with 16-byte loads and cp.async
# copies that cover whole aligned chunks; q6k_stream's chunks can reach
# past the last Q6_K super-block (210-byte blocks end anywhere mod 16).
# On a GPU a read a few bytes past a buffer rarely faults, so the GPU tests
# cannot see it. Here the emulator runs the stream variants built with
# AddressSanitizer on buffers of the exact size (EMU_EXACT_ALLOC), at the
# emulator's shapes (n = 37, 3, 9, 5, 2 rows: every tail case): any byte
# read past W, x or the Q8_1 vector fails the test, as does a wrong result.
# Needs g++ with _Float16 and libasan; skips without. EMU_DEFINES: extra -D
# flags for the kernels (a knob setting, as ggscope bench -D).
set -u
: "${GGSCOPE:?run through make check}"
fail() { echo "FAIL: $*" >&2; exit 1; }
CXX=${CXX:-g++}
CC=${CC:-cc}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
printf 'int main(){_Float16 h=(_Float16)1.0f;return (int)(float)h-1;}\n' >"$tmp/probe.cpp"
if ! command -v "$CXX" >/dev/null 2>&1 ||
	! "$CXX" -std=c++17 -fsanitize=address "$tmp/probe.cpp" -o "$tmp/probe" 2>/dev/null ||
	! ASAN_OPTIONS=detect_leaks=0 "$tmp/probe"; then
	echo "no $CXX with C++17, _Float16 and AddressSanitizer: skipping"
	exit 77
fi
emu="$top_srcdir/tests/emu"
src="$top_srcdir/src"
kdir="$GGSCOPE_KERNELS_DIR"
san="-fsanitize=address -fno-omit-frame-pointer"

# WARPS 1 (no block reduction) and 3 (uneven step split, block reduction).
: >"$tmp/table.inc"
objs=""
for v in q4k_stream q4k_stream_dp4a q6k_stream q6k_stream_dp4a; do
	for w in 1 3; do
		# shellcheck disable=SC2086 # EMU_DEFINES (a knob setting) is a list of flags
		"$CXX" -std=c++17 -O1 -g $san -w -include "$emu/emu.h" -DWARPS=$w -D"$v=${v}_w$w" \
			${EMU_DEFINES:-} -x c++ -c "$kdir/$v.cu" -o "$tmp/${v}_w$w.o" || fail "compiling $v.cu (warps $w)"
		echo "EMU_GEMV($v, $w)" >>"$tmp/table.inc"
		objs="$objs $tmp/${v}_w$w.o"
	done
done
"$CXX" -std=c++17 -O1 -w -include "$emu/emu.h" -DWARPS=8 -Dquantize_q8_1=quantize_q8_1_w8 \
	-x c++ -c "$kdir/q8_1.cu" -o "$tmp/q8_1.o" || fail "compiling q8_1.cu"
echo "EMU_QUANT(quantize_q8_1, 8)" >>"$tmp/table.inc"
for c in variant errmsg xalloc; do
	"$CC" -std=c11 -O1 -I"$top_builddir" -I"$src" -c "$src/$c.c" -o "$tmp/$c.o" || fail "compiling $c.c"
done
"$CXX" -std=c++17 -O1 -g $san -DEMU_EXACT_ALLOC -I"$tmp" -I"$emu" -I"$src" "$emu/gemv_emu.cpp" \
	"$emu/emu.cpp" $objs "$tmp/q8_1.o" "$tmp/variant.o" "$tmp/errmsg.o" "$tmp/xalloc.o" \
	-o "$tmp/gemv_emu" || fail "linking gemv_emu with AddressSanitizer"
# The coroutines switch stacks with swapcontext: ASan's fake stacks must be
# off for that, and leaks are the harness's business, not this test's.
ASAN_OPTIONS=detect_leaks=0:detect_stack_use_after_return=0:abort_on_error=0 \
	"$tmp/gemv_emu" >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
[ $rc -eq 0 ] || fail "gemv_emu exited $rc (an out-of-bounds read or a wrong result, see above)"
[ "$(grep -c ': ok (worst error' "$tmp/out")" -eq 8 ] || fail "expected 8 stream kernels checked"
exit 0
