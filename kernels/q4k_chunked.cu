/* q4k_chunked: Q4_K GEMV like q4k_tiled (WARPS = 4 rows per block, one warp
 * each), but x goes through a fixed 32 KB shared buffer, 8192 floats at a
 * time, so any k works.
 *
 * Launch: grid ceil(n/WARPS), WARPS*32 threads, 32 KB of static shared
 * memory. Needs k % 256 == 0 (a chunk is then a whole number of
 * super-blocks). The legacy dispatch uses it for k > 12288.
 *
 * Every thread of the block stages a chunk with a stride of the whole block
 * (the upstream kernel strode by 256 while launching 128 threads and left
 * half of x unloaded). Warps past the last row still take part in the
 * staging and the barriers. */
#include "common.cuh"

#define CHUNK_FLOATS 8192

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q4k_chunked(float *__restrict__ y, const unsigned char *__restrict__ w,
	    const void *__restrict__ xv, int k, int n)
{
	__shared__ float4 xs4[CHUNK_FLOATS / 4];
	const float *xs = (const float *)xs4;
	const float *x = (const float *)xv;
	const int lane = threadIdx.x & 31;
	const int warp = threadIdx.x >> 5;
	const int row = blockIdx.x * WARPS + warp;
	const bool active = row < n;
	const int nb = k / QK_K;
	const u8 *rw = w + (size_t)(active ? row : 0) * nb * Q4K_BYTES;
	float acc = 0.0f;

	for (int c0 = 0; c0 < k; c0 += CHUNK_FLOATS) {
		const int len = k - c0 < CHUNK_FLOATS ? k - c0 : CHUNK_FLOATS;
		__syncthreads(); /* the previous chunk is consumed */
		for (int i = threadIdx.x; i < len / 4; i += GG_THREADS)
			xs4[i] = ((const float4 *)(x + c0))[i];
		__syncthreads();
		if (!active)
			continue;
		for (int b = c0 / QK_K; b < (c0 + len) / QK_K; b++) {
			const u8 *blk = rw + (size_t)b * Q4K_BYTES;
			const float d = gg_h2f(gg_ld_u16(blk));
			const float dmin = gg_h2f(gg_ld_u16(blk + 2));
			const u8 *sc = blk + 4;
			const u8 *qs = blk + 16;
			const float *xb = xs + (b * QK_K - c0);
#pragma unroll
			for (int c = 0; c < 4; c++) {
				const int q = qs[32 * c + lane];
				const float x_lo = xb[64 * c + lane];
				const float x_hi = xb[64 * c + 32 + lane];
				int s_lo, m_lo, s_hi, m_hi;
				q4k_scale_min_bytes(sc, 2 * c, &s_lo, &m_lo);
				q4k_scale_min_bytes(sc, 2 * c + 1, &s_hi, &m_hi);
				acc += d * ((float)(s_lo * (q & 0xF)) * x_lo + (float)(s_hi * (q >> 4)) * x_hi) -
				       dmin * ((float)m_lo * x_lo + (float)m_hi * x_hi);
			}
		}
	}
	if (active) {
		acc = gg_warp_sum(acc);
		if (lane == 0)
			y[row] = acc;
	}
}
