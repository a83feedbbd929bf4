/* q4k_basic: Q4_K GEMV, one warp per row, byte loads, fp32 x from global.
 *
 * Launch: grid n, WARPS*32 threads with WARPS = 1. Any k >= 1: a row holds
 * ceil(k/256) super-blocks and columns >= k are skipped, which is why the
 * legacy dispatch falls back to this kernel when k % 256 != 0.
 *
 * Work split inside a super-block: lane l reads qs byte 32c+l of chunk c
 * (c = 0..3), i.e. element 64c+l (low nibble, sub-block 2c) and element
 * 64c+32+l (high nibble, sub-block 2c+1). The 32 lanes read 32 consecutive
 * bytes and 32 consecutive floats, and every lane needs all 8 scale/min
 * pairs, which it reads byte by byte. */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q4k_basic(float *__restrict__ y, const unsigned char *__restrict__ w,
	  const void *__restrict__ xv, int k, int n)
{
	const float *x = (const float *)xv;
	const int row = blockIdx.x;
	const int lane = threadIdx.x & 31;
	if (row >= n)
		return;
	const int nb = (k + QK_K - 1) / QK_K;
	const u8 *rw = w + (size_t)row * nb * Q4K_BYTES;
	float acc = 0.0f;

	for (int b = 0; b < nb; b++) {
		const u8 *blk = rw + (size_t)b * Q4K_BYTES;
		const float d = gg_h2f(gg_ld_u16(blk));
		const float dmin = gg_h2f(gg_ld_u16(blk + 2));
		const u8 *sc = blk + 4;
		const u8 *qs = blk + 16;
		const int base = b * QK_K;
#pragma unroll
		for (int c = 0; c < 4; c++) {
			const int q = qs[32 * c + lane];
			const int e_lo = base + 64 * c + lane;
			const int e_hi = e_lo + 32;
			const float x_lo = e_lo < k ? x[e_lo] : 0.0f;
			const float x_hi = e_hi < k ? x[e_hi] : 0.0f;
			int s_lo, m_lo, s_hi, m_hi;
			q4k_scale_min_bytes(sc, 2 * c, &s_lo, &m_lo);
			q4k_scale_min_bytes(sc, 2 * c + 1, &s_hi, &m_hi);
			acc += d * ((float)(s_lo * (q & 0xF)) * x_lo + (float)(s_hi * (q >> 4)) * x_hi) -
			       dmin * ((float)m_lo * x_lo + (float)m_hi * x_hi);
		}
	}
	acc = gg_warp_sum(acc);
	if (lane == 0)
		y[row] = acc;
}
