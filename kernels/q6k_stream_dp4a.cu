/* q6k_stream_dp4a: Q6_K GEMV against Q8_1 x with dp4a, designed for the
 * read ceiling (see q6k_stream.cuh for the cp.async ring and work split,
 * docs/perf-notes.md for the predictions).
 *
 * Launch: grid min(n, 16 * SMs), WARPS*32 threads (WARPS warps split each
 * row's super-blocks; a block computes STREAM_ROWS rows at a time and
 * strides over row groups by gridDim.x). Needs k % 256 == 0; x is k/32
 * Q8_1 blocks. Static shared memory as q6k_stream (WARPS <= 4).
 *
 * Per row and 32 weights a lane does 8 dp4a; the -32 offset uses the sum
 * of the Q8_1 values, computed once per step for all STREAM_ROWS rows.
 *
 * Two rows per block, not stream.cuh's four: on the H100 (Q6_K 4096 x
 * 14336, cold L2, CUPTI) the knob sweep measured 20.4 us at 2 rows and 1
 * warp against 23.2 at 4 rows (64 registers instead of 96, theoretical
 * occupancy 50% instead of 31%; BENCHMARKS.md, docs/perf-notes.md). The fp32
 * form keeps four: at two it spills. -D STREAM_ROWS=N still overrides. */
#ifndef STREAM_ROWS
#define STREAM_ROWS 2
#endif
/* x by cp.async with the weights (STREAM_XSMEM, q6k_stream.cuh): 19.70 us
 * at 2 warps and 20.42 at 4 against 21.97 and 21.92 with x loaded through
 * L1 (H100, one call; 1 warp 20.83 against 20.78). */
#ifndef STREAM_XSMEM
#define STREAM_XSMEM 1
#endif
/* copies on whole 128-byte lines (STREAM_ALIGN, q6k_stream.cuh): 18.80 us
 * at 2 warps against 20.64 with 16-byte alignment (H100, one call, commit
 * 0bbc4c5; 4 warps 19.20 against 19.66) */
#ifndef STREAM_ALIGN
#define STREAM_ALIGN 128
#endif
#include "q6k_stream.cuh"

extern "C" __global__ void STREAM_BOUNDS
q6k_stream_dp4a(float *__restrict__ y, const unsigned char *__restrict__ w,
	        const void *__restrict__ xv, int k, int n)
{
	q6k_stream_body<true>(y, w, xv, k, n);
}
