/* q4k_stream_dp4a: Q4_K GEMV against Q8_1 x with dp4a, designed for the
 * read ceiling (see q4k_stream.cuh for the work split and pipeline,
 * docs/perf-notes.md for the predictions).
 *
 * Launch: grid min(n, 16 * SMs), WARPS*32 threads (WARPS warps split each
 * row's super-blocks; a block computes STREAM_ROWS rows at a time and
 * strides over row groups by gridDim.x). Needs k % 256 == 0; x is k/32
 * Q8_1 blocks.
 *
 * Per row and 32 weights a lane does 8 dp4a; the min term's sum of the
 * Q8_1 values is computed once per step for all STREAM_ROWS rows.
 *
 * The shared-memory ring (STREAM_RING, q4k_ring.cuh) with two stages is
 * the default: on the H100 (cold L2, CUPTI, 4 warps, one call) it took
 * 13.62 / 12.96 / 5.38 us on Q4_K 4096 x 14336 / 14336 x 4096 / 4096 x 4096
 * against 16.93 / 14.18 / 6.03 us for the register stages
 * (docs/perf-notes.md, BENCHMARKS.md).
 * -D STREAM_RING=0 builds the register form, whose STREAM_PIPE then applies. */
#ifndef STREAM_RING
#define STREAM_RING 1
#endif
#if !defined(STREAM_STAGES) && STREAM_RING
#define STREAM_STAGES 2
#endif
/* __launch_bounds__(threads, 1) for the ring: with the minimum stated,
 * ptxas gives every warp count 80 registers; without it, 3 warps spilled 4
 * bytes and 4 warps got 72 registers, 7 blocks per SM instead of 6, which
 * on the H100 ran Q4_K 4096 x 14336 0.8 us slower (14.6 against 13.8 us,
 * twice each in one call) and 14336 x 4096 0.3 us faster. */
#if !defined(STREAM_MINBLOCKS) && STREAM_RING
#define STREAM_MINBLOCKS 1
#endif
#include "q4k_stream.cuh"
#include "q4k_ring.cuh"

extern "C" __global__ void STREAM_BOUNDS
q4k_stream_dp4a(float *__restrict__ y, const unsigned char *__restrict__ w,
	        const void *__restrict__ xv, int k, int n)
{
#if STREAM_RING
	q4k_ring_body(y, w, xv, k, n);
#else
	q4k_stream_body<true>(y, w, xv, k, n);
#endif
}
