#!/bin/sh
# The stream kernels' #define knobs (ggscope bench -D) on the CPU emulator:
# every knob setting a device sweep may try must give the reference's
# result at every legal warp count, like the defaults (kernels-emu.sh).
# Each setting rebuilds only the stream variants. The defaults of the dp4a
# forms are the shared-memory rings (STREAM_RING=1 for Q4_K, STREAM_XSMEM=1
# for Q6_K); the first settings build the older register / L1 forms, the
# others the ring's own knobs (bulk copies, rotation, register cap, copy
# alignment, Q6_K's span). Five settings also run under AddressSanitizer on exact-size
# buffers (stream-bounds.sh).
set -u
: "${GGSCOPE:?run through make check}"
emu=${top_srcdir:-.}/tests/cli/kernels-emu.sh
only="q4k_stream q4k_stream_dp4a q6k_stream q6k_stream_dp4a"
st=0
for d in "-DSTREAM_RING=0 -DSTREAM_XSMEM=0 -DSTREAM_XPREFETCH=1" \
	"-DSTREAM_RING=0 -DSTREAM_XPREFETCH=1 -DSTREAM_ROWS=2 -DSTREAM_PIPE=2" \
	"-DSTREAM_TMA=1 -DSTREAM_ROTATE=1 -DSTREAM_ROWS=1 -DSTREAM_STAGES=4 -DSTREAM_ALIGN=16" \
	"-DSTREAM_TMA=1 -DSTREAM_STAGES=2 -DSTREAM_MINBLOCKS=8" \
	"-DSTREAM_SPAN=2 -DSTREAM_STAGES=2" "-DSTREAM_SPAN=4 -DSTREAM_TMA=1 -DSTREAM_ROWS=1"; do
	echo "== $d"
	EMU_DEFINES=$d EMU_ONLY=$only sh "$emu"
	rc=$?
	[ $rc -eq 77 ] && exit 77
	[ $rc -eq 0 ] || { echo "FAIL: $d"; st=1; }
done
# nothing read past the matrix or x: the x prefetch of the L1 forms, the
# bulk copies (a Q6_K row's last partial chunk is stored by hand), and
# 128-byte covers in the fp32 Q6_K form (its last copy must stop at the end)
for d in "-DSTREAM_RING=0 -DSTREAM_XSMEM=0 -DSTREAM_XPREFETCH=1" "-DSTREAM_TMA=1" \
	"-DSTREAM_TMA=1 -DSTREAM_ROTATE=1 -DSTREAM_ROWS=4 -DSTREAM_STAGES=2" "-DSTREAM_ALIGN=128 -DSTREAM_ROWS=2" \
	"-DSTREAM_SPAN=2 -DSTREAM_ALIGN=128 -DSTREAM_ROTATE=1"; do
	echo "== bounds, $d"
	EMU_DEFINES=$d sh "${top_srcdir:-.}/tests/cli/stream-bounds.sh"
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 77 ] || { echo "FAIL: bounds with $d"; st=1; }
done
exit $st
