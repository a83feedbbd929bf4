/* q6k_stream: Q6_K GEMV against fp32 x, designed for the read ceiling
 * (see q6k_stream.cuh for the cp.async ring and work split, stream.cuh for
 * the shared parts, docs/perf-notes.md for the predictions).
 *
 * Launch: grid min(n, 16 * SMs), WARPS*32 threads (WARPS warps split each
 * row's super-blocks; a block computes STREAM_ROWS rows at a time and
 * strides over row groups by gridDim.x). Needs k % 256 == 0. Static shared
 * memory: WARPS * STREAM_STAGES * STREAM_ROWS * 864 bytes (41.5 KB at
 * WARPS = 4), which is why WARPS stops at 4.
 *
 * 6-bit values become floats without a conversion instruction (an exact
 * denormal; stream.cuh explains the trick and its range: |x| < 2^43). */
#include "q6k_stream.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q6k_stream(float *__restrict__ y, const unsigned char *__restrict__ w,
	   const void *__restrict__ xv, int k, int n)
{
	q6k_stream_body<false>(y, w, xv, k, n);
}
