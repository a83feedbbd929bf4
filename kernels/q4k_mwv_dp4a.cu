/* q4k_mwv_dp4a: Q4_K GEMV against x quantized to Q8_1 (quantize_q8_1 in
 * q8_1.cu), integer dot products with dp4a. WARPS warps per block (1..8),
 * warp w takes super-blocks w, w+WARPS, ...; 32 lanes per super-block.
 *
 * Launch: grid min(n, 16 * SMs), WARPS*32 threads; the kernel strides over
 * rows by gridDim.x. Needs k % 256 == 0; x is k/32 Q8_1 blocks.
 *
 * Lane l holds qs bytes 4l..4l+3: chunk c = l/8, positions p..p+3 with
 * p = 4*(l%8). Low nibbles meet Q8_1 block 2c of the super-block (its
 * bytes p..p+3), high nibbles block 2c+1. Lane 0 loads the scale words and
 * broadcasts them. Per lane and super-block: 2 dp4a for the dots, 2 for the
 * sums of the q8 values that the min term needs:
 *   sum_i x_i w_i ~= d8 * (d*sc*sum(u*q) - dmin*m*sum(u)). */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q4k_mwv_dp4a(float *__restrict__ y, const unsigned char *__restrict__ w,
	     const void *__restrict__ xv, int k, int n)
{
	__shared__ float part[WARPS];
	const u8 *q8 = (const u8 *)xv;
	const int lane = threadIdx.x & 31;
	const int warp = threadIdx.x >> 5;
	const int nb = k / QK_K;
	const int c = lane >> 3;
	const int p = 4 * (lane & 7);

	for (int row = blockIdx.x; row < n; row += gridDim.x) {
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
			const u32 q = gg_ld_u32(blk + 16 + 4 * lane);
			const int v_lo = (int)(q & 0x0F0F0F0Fu);
			const int v_hi = (int)((q >> 4) & 0x0F0F0F0Fu);
			const u8 *y_lo = q8 + ((size_t)b * 8 + 2 * c) * Q8_1_BYTES;
			const u8 *y_hi = y_lo + Q8_1_BYTES;
			const int u_lo = (int)gg_ld_u32(y_lo + 4 + p);
			const int u_hi = (int)gg_ld_u32(y_hi + 4 + p);
			const float d8_lo = gg_h2f((u16)gg_ld_u16(y_lo));
			const float d8_hi = gg_h2f((u16)gg_ld_u16(y_hi));
			const int dot_lo = __dp4a(v_lo, u_lo, 0);
			const int dot_hi = __dp4a(v_hi, u_hi, 0);
			const int sum_lo = __dp4a(0x01010101, u_lo, 0);
			const int sum_hi = __dp4a(0x01010101, u_hi, 0);
			int s_lo, m_lo, s_hi, m_hi;
			q4k_scale_min_words(s0, s1, s2, 2 * c, &s_lo, &m_lo);
			q4k_scale_min_words(s0, s1, s2, 2 * c + 1, &s_hi, &m_hi);
			acc += d8_lo * (d * (float)(s_lo * dot_lo) - dmin * (float)(m_lo * sum_lo)) +
			       d8_hi * (d * (float)(s_hi * dot_hi) - dmin * (float)(m_hi * sum_hi));
		}
		acc = gg_block_sum(acc, part);
		if (threadIdx.x == 0)
			y[row] = acc;
	}
}
