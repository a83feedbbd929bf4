/* q4k_hw_dp4a: Q4_K GEMV against Q8_1 x with dp4a, half-warp per
 * super-block: 16 threads share one super-block, so a warp works on two
 * and the block's 2*WARPS half-warps stride over the row by 2*WARPS.
 * WARPS is 1..8: the partial sums meet through a full-warp shuffle and one
 * shared slot per warp (the upstream kernel summed at most 8 half-warp
 * slots and dropped the rest above 4 warps).
 *
 * Launch: grid min(n, 16 * SMs), WARPS*32 threads; the kernel strides over
 * rows by gridDim.x. Needs k % 256 == 0; x is k/32 Q8_1 blocks.
 *
 * Thread t = lane%16 of a half-warp: chunk c = t/4, positions p..p+3 and
 * p+16..p+19 with p = 4*(t%4): two qs words, 16 weights. Low nibbles meet
 * Q8_1 block 2c of the super-block, high nibbles block 2c+1. Each thread
 * loads the scale words itself. 8 dp4a per thread and super-block. */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q4k_hw_dp4a(float *__restrict__ y, const unsigned char *__restrict__ w,
	    const void *__restrict__ xv, int k, int n)
{
	__shared__ float part[WARPS];
	const u8 *q8 = (const u8 *)xv;
	const int lane = threadIdx.x & 31;
	const int hw = (threadIdx.x >> 5) * 2 + (lane >> 4); /* half-warp in the block */
	const int t = lane & 15;
	const int c = t >> 2;
	const int p = 4 * (t & 3);
	const int nb = k / QK_K;

	for (int row = blockIdx.x; row < n; row += gridDim.x) {
		const u8 *rw = w + (size_t)row * nb * Q4K_BYTES;
		float acc = 0.0f;
		for (int b = hw; b < nb; b += 2 * WARPS) {
			const u8 *blk = rw + (size_t)b * Q4K_BYTES;
			const u32 s0 = gg_ld_u32(blk + 4);
			const u32 s1 = gg_ld_u32(blk + 8);
			const u32 s2 = gg_ld_u32(blk + 12);
			const u32 dm = gg_ld_u32(blk);
			const float d = gg_h2f((u16)(dm & 0xFFFF));
			const float dmin = gg_h2f((u16)(dm >> 16));
			const u8 *qs = blk + 16 + 32 * c + p;
			const u32 q0 = gg_ld_u32(qs);
			const u32 q1 = gg_ld_u32(qs + 16);
			const u8 *y_lo = q8 + ((size_t)b * 8 + 2 * c) * Q8_1_BYTES;
			const u8 *y_hi = y_lo + Q8_1_BYTES;
			const int ul0 = (int)gg_ld_u32(y_lo + 4 + p);
			const int ul1 = (int)gg_ld_u32(y_lo + 4 + p + 16);
			const int uh0 = (int)gg_ld_u32(y_hi + 4 + p);
			const int uh1 = (int)gg_ld_u32(y_hi + 4 + p + 16);
			const float d8_lo = gg_h2f((u16)gg_ld_u16(y_lo));
			const float d8_hi = gg_h2f((u16)gg_ld_u16(y_hi));
			const int dot_lo = __dp4a((int)(q0 & 0x0F0F0F0Fu), ul0,
						 __dp4a((int)(q1 & 0x0F0F0F0Fu), ul1, 0));
			const int dot_hi = __dp4a((int)((q0 >> 4) & 0x0F0F0F0Fu), uh0,
						 __dp4a((int)((q1 >> 4) & 0x0F0F0F0Fu), uh1, 0));
			const int sum_lo = __dp4a(0x01010101, ul0, __dp4a(0x01010101, ul1, 0));
			const int sum_hi = __dp4a(0x01010101, uh0, __dp4a(0x01010101, uh1, 0));
			int s_lo, m_lo, s_hi, m_hi;
			q4k_scale_min_words(s0, s1, s2, 2 * c, &s_lo, &m_lo);
			q4k_scale_min_words(s0, s1, s2, 2 * c + 1, &s_hi, &m_hi);
			acc += d * (d8_lo * (float)(s_lo * dot_lo) + d8_hi * (float)(s_hi * dot_hi)) -
			       dmin * (d8_lo * (float)(m_lo * sum_lo) + d8_hi * (float)(m_hi * sum_hi));
		}
		acc = gg_block_sum(acc, part);
		if (threadIdx.x == 0)
			y[row] = acc;
	}
}
