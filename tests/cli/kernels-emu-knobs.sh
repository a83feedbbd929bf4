#!/bin/sh
# The stream kernels' #define knobs (ggscope bench -D) on the CPU emulator:
# every knob setting a device sweep may try must give the reference's
# result at every legal warp count, like the defaults (kernels-emu.sh).
# Each setting rebuilds only the stream variants; the prefetch also runs
# under AddressSanitizer on exact-size buffers (stream-bounds.sh).
set -u
: "${GGSCOPE:?run through make check}"
emu=${top_srcdir:-.}/tests/cli/kernels-emu.sh
only="q4k_stream q4k_stream_dp4a q6k_stream q6k_stream_dp4a"
st=0
for d in "-DSTREAM_XPREFETCH=1" "-DSTREAM_XPREFETCH=1 -DSTREAM_ROWS=2 -DSTREAM_PIPE=2" \
	"-DSTREAM_XPREFETCH=1 -DSTREAM_ROWS=1 -DSTREAM_STAGES=2"; do
	echo "== $d"
	EMU_DEFINES=$d EMU_ONLY=$only sh "$emu"
	rc=$?
	[ $rc -eq 77 ] && exit 77
	[ $rc -eq 0 ] || { echo "FAIL: $d"; st=1; }
done
# and nothing read past the matrix or x with the next step's x prefetched
echo "== bounds, -DSTREAM_XPREFETCH=1"
EMU_DEFINES=-DSTREAM_XPREFETCH=1 sh "${top_srcdir:-.}/tests/cli/stream-bounds.sh"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 77 ] || { echo "FAIL: bounds with -DSTREAM_XPREFETCH=1"; st=1; }
exit $st
