/* q4k_wide: Q4_K GEMV, WARPS = 8 warps (256 threads) per row. Warp w takes
 * super-blocks w, w+WARPS, ...; inside a super-block it works like
 * q4k_coalesced (lane 0 loads the scales as three u32 and broadcasts them,
 * qs as bytes). The warps' partial sums meet in shared memory.
 *
 * Launch: grid n, WARPS*32 threads. Needs k % 256 == 0. */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q4k_wide(float *__restrict__ y, const unsigned char *__restrict__ w,
	 const void *__restrict__ xv, int k, int n)
{
	__shared__ float part[WARPS];
	const float *x = (const float *)xv;
	const int row = blockIdx.x;
	const int lane = threadIdx.x & 31;
	const int warp = threadIdx.x >> 5;
	if (row >= n) /* uniform over the block: no barrier is skipped by half of it */
		return;
	const int nb = k / QK_K;
	const u8 *rw = w + (size_t)row * nb * Q4K_BYTES;
	float acc = 0.0f;

	for (int b = warp; b < nb; b += WARPS) {
		const u8 *blk = rw + (size_t)b * Q4K_BYTES;
		u32 s0 = 0, s1 = 0, s2 = 0;
		if (lane == 0) {
			s0 = gg_ld_u32(blk + 4);
			s1 = gg_ld_u32(blk + 8);
			s2 = gg_ld_u32(blk + 12);
		}
		s0 = __shfl_sync(GG_FULL_MASK, s0, 0);
		s1 = __shfl_sync(GG_FULL_MASK, s1, 0);
		s2 = __shfl_sync(GG_FULL_MASK, s2, 0);
		const u32 dm = gg_ld_u32(blk);
		const float d = gg_h2f((u16)(dm & 0xFFFF));
		const float dmin = gg_h2f((u16)(dm >> 16));
		const u8 *qs = blk + 16;
		const float *xb = x + (size_t)b * QK_K;
#pragma unroll
		for (int c = 0; c < 4; c++) {
			const int q = qs[32 * c + lane];
			const float x_lo = xb[64 * c + lane];
			const float x_hi = xb[64 * c + 32 + lane];
			int s_lo, m_lo, s_hi, m_hi;
			q4k_scale_min_words(s0, s1, s2, 2 * c, &s_lo, &m_lo);
			q4k_scale_min_words(s0, s1, s2, 2 * c + 1, &s_hi, &m_hi);
			acc += d * ((float)(s_lo * (q & 0xF)) * x_lo + (float)(s_hi * (q >> 4)) * x_hi) -
			       dmin * ((float)m_lo * x_lo + (float)m_hi * x_hi);
		}
	}
	acc = gg_block_sum(acc, part);
	if (threadIdx.x == 0)
		y[row] = acc;
}
