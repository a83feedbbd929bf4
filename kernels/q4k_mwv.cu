/* q4k_mwv: Q4_K GEMV, multi-warp vectorized: WARPS warps per row (1..8),
 * warp w takes super-blocks w, w+WARPS, ...; inside one it works like
 * q4k_vectorized (one u32 of qs per lane, x as float4), with every lane
 * loading the three scale words itself (one broadcast transaction).
 *
 * Launch: grid n, WARPS*32 threads. Any k >= 1: a row holds ceil(k/256)
 * super-blocks and the last, partial one reads x with bounds checks
 * (columns >= k count as 0).
 *
 * Lane l: chunk c = l/8, positions p..p+3 with p = 4*(l%8); low nibbles are
 * elements 64c+p+t (sub-block 2c), high nibbles 64c+32+p+t (sub-block 2c+1). */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q4k_mwv(float *__restrict__ y, const unsigned char *__restrict__ w,
	const void *__restrict__ xv, int k, int n)
{
	__shared__ float part[WARPS];
	const float *x = (const float *)xv;
	const int row = blockIdx.x;
	const int lane = threadIdx.x & 31;
	const int warp = threadIdx.x >> 5;
	if (row >= n) /* uniform over the block */
		return;
	const int nb = (k + QK_K - 1) / QK_K;
	const u8 *rw = w + (size_t)row * nb * Q4K_BYTES;
	const int c = lane >> 3;
	const int p = 4 * (lane & 7);
	float acc = 0.0f;

	for (int b = warp; b < nb; b += WARPS) {
		const u8 *blk = rw + (size_t)b * Q4K_BYTES;
		const u32 s0 = gg_ld_u32(blk + 4);
		const u32 s1 = gg_ld_u32(blk + 8);
		const u32 s2 = gg_ld_u32(blk + 12);
		const u32 dm = gg_ld_u32(blk);
		const float d = gg_h2f((u16)(dm & 0xFFFF));
		const float dmin = gg_h2f((u16)(dm >> 16));
		const u32 q = gg_ld_u32(blk + 16 + 4 * lane);
		const u32 lo = q & 0x0F0F0F0Fu;
		const u32 hi = (q >> 4) & 0x0F0F0F0Fu;
		const int e = b * QK_K + 64 * c + p; /* first low-nibble element */
		float4 xl, xh;
		if (b * QK_K + QK_K <= k) {
			xl = *(const float4 *)(x + e);
			xh = *(const float4 *)(x + e + 32);
		} else {
			xl.x = e + 0 < k ? x[e + 0] : 0.0f;
			xl.y = e + 1 < k ? x[e + 1] : 0.0f;
			xl.z = e + 2 < k ? x[e + 2] : 0.0f;
			xl.w = e + 3 < k ? x[e + 3] : 0.0f;
			xh.x = e + 32 < k ? x[e + 32] : 0.0f;
			xh.y = e + 33 < k ? x[e + 33] : 0.0f;
			xh.z = e + 34 < k ? x[e + 34] : 0.0f;
			xh.w = e + 35 < k ? x[e + 35] : 0.0f;
		}
		const float dot_lo = (float)(lo & 0xFF) * xl.x + (float)((lo >> 8) & 0xFF) * xl.y +
				     (float)((lo >> 16) & 0xFF) * xl.z + (float)(lo >> 24) * xl.w;
		const float dot_hi = (float)(hi & 0xFF) * xh.x + (float)((hi >> 8) & 0xFF) * xh.y +
				     (float)((hi >> 16) & 0xFF) * xh.z + (float)(hi >> 24) * xh.w;
		const float sum_lo = xl.x + xl.y + xl.z + xl.w;
		const float sum_hi = xh.x + xh.y + xh.z + xh.w;
		int s_lo, m_lo, s_hi, m_hi;
		q4k_scale_min_words(s0, s1, s2, 2 * c, &s_lo, &m_lo);
		q4k_scale_min_words(s0, s1, s2, 2 * c + 1, &s_hi, &m_hi);
		acc += d * ((float)s_lo * dot_lo + (float)s_hi * dot_hi) -
		       dmin * ((float)m_lo * sum_lo + (float)m_hi * sum_hi);
	}
	acc = gg_block_sum(acc, part);
	if (threadIdx.x == 0)
		y[row] = acc;
}
