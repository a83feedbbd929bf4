/* q4k_stream: Q4_K GEMV against fp32 x, designed for the read ceiling
 * (see q4k_stream.cuh for the work split and pipeline, stream.cuh for the
 * shared parts, docs/perf-notes.md for the predictions).
 *
 * Launch: grid min(n, 16 * SMs), WARPS*32 threads (WARPS warps split each
 * row's super-blocks; a block computes STREAM_ROWS rows at a time and
 * strides over row groups by gridDim.x). Needs k % 256 == 0.
 *
 * Nibbles become floats without a conversion instruction (one AND each, an
 * exact denormal; stream.cuh explains the trick and its range: |x| < 2^43). */
/* Two register stages: the fp32 step is the heavier one (about 4 issue
 * slots per weight), and 3 stages would cost 149 registers, too many for
 * the 16 warps per SM that 4096 rows at WARPS = 2 need to run in one wave. */
#ifndef STREAM_PIPE
#define STREAM_PIPE 2
#endif
#include "q4k_stream.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q4k_stream(float *__restrict__ y, const unsigned char *__restrict__ w,
	   const void *__restrict__ xv, int k, int n)
{
	q4k_stream_body<false>(y, w, xv, k, n);
}
