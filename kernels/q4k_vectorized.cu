/* q4k_vectorized: Q4_K GEMV, one warp per row, one u32 of qs per lane: the
 * warp reads a super-block's 128 qs bytes in one coalesced 128-byte access.
 * Lane 0 loads the scales as three u32 and broadcasts them.
 *
 * Launch: grid n, WARPS*32 threads with WARPS = 1. Needs k % 256 == 0.
 *
 * Lane l holds qs bytes 4l..4l+3: chunk c = l/8, positions p..p+3 with
 * p = 4*(l%8). Their low nibbles are elements 64c+p+t (sub-block 2c), their
 * high nibbles elements 64c+32+p+t (sub-block 2c+1), so x comes in as two
 * aligned float4. */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q4k_vectorized(float *__restrict__ y, const unsigned char *__restrict__ w,
	       const void *__restrict__ xv, int k, int n)
{
	const float *x = (const float *)xv;
	const int row = blockIdx.x;
	const int lane = threadIdx.x & 31;
	if (row >= n)
		return;
	const int nb = k / QK_K;
	const u8 *rw = w + (size_t)row * nb * Q4K_BYTES;
	const int c = lane >> 3;
	const int p = 4 * (lane & 7);
	float acc = 0.0f;

	for (int b = 0; b < nb; b++) {
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
		const u32 lo = q & 0x0F0F0F0Fu;
		const u32 hi = (q >> 4) & 0x0F0F0F0Fu;
		const float *xb = x + (size_t)b * QK_K + 64 * c + p;
		const float4 xl = *(const float4 *)xb;
		const float4 xh = *(const float4 *)(xb + 32);
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
	acc = gg_warp_sum(acc);
	if (lane == 0)
		y[row] = acc;
}
