/* q6k_basic: Q6_K GEMV, one warp per row, byte loads, fp32 x from global.
 *
 * Launch: grid n, WARPS*32 threads with WARPS = 1. Any k >= 1: a row holds
 * ceil(k/256) super-blocks and columns >= k are skipped (the seed falls back
 * to this kernel when k % 256 != 0).
 *
 * A super-block is two halves h of 128 values; lane l reads ql[64h+l],
 * ql[64h+l+32] and qh[32h+l] of each half, which give elements
 * 128h+l+32j (j = 0..3) with scales[8h + l/16 + 2j]:
 *   j=0: ql[64h+l] low nibble,     qh bits 0-1
 *   j=1: ql[64h+l+32] low nibble,  qh bits 2-3
 *   j=2: ql[64h+l] high nibble,    qh bits 4-5
 *   j=3: ql[64h+l+32] high nibble, qh bits 6-7
 * value = d * scale * (q - 32). */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q6k_basic(float *__restrict__ y, const unsigned char *__restrict__ w,
	  const void *__restrict__ xv, int k, int n)
{
	const float *x = (const float *)xv;
	const int row = blockIdx.x;
	const int lane = threadIdx.x & 31;
	if (row >= n)
		return;
	const int nb = (k + QK_K - 1) / QK_K;
	const u8 *rw = w + (size_t)row * nb * Q6K_BYTES;
	const int is = lane >> 4;
	float acc = 0.0f;

	for (int b = 0; b < nb; b++) {
		const u8 *blk = rw + (size_t)b * Q6K_BYTES;
		const float d = gg_h2f((u16)gg_ld_u16(blk + 208));
		const i8 *scales = (const i8 *)(blk + 192);
		float sb = 0.0f;
#pragma unroll
		for (int h = 0; h < 2; h++) {
			const int a = blk[64 * h + lane];
			const int a2 = blk[64 * h + lane + 32];
			const int hb = blk[128 + 32 * h + lane];
			const int q0 = ((a & 0xF) | ((hb & 3) << 4)) - 32;
			const int q1 = ((a2 & 0xF) | (((hb >> 2) & 3) << 4)) - 32;
			const int q2 = ((a >> 4) | (((hb >> 4) & 3) << 4)) - 32;
			const int q3 = ((a2 >> 4) | (((hb >> 6) & 3) << 4)) - 32;
			const int e = b * QK_K + 128 * h + lane;
			const float x0 = e < k ? x[e] : 0.0f;
			const float x1 = e + 32 < k ? x[e + 32] : 0.0f;
			const float x2 = e + 64 < k ? x[e + 64] : 0.0f;
			const float x3 = e + 96 < k ? x[e + 96] : 0.0f;
			const i8 *sc = scales + 8 * h + is;
			sb += (float)(sc[0] * q0) * x0 + (float)(sc[2] * q1) * x1 +
			      (float)(sc[4] * q2) * x2 + (float)(sc[6] * q3) * x3;
		}
		acc += d * sb;
	}
	acc = gg_warp_sum(acc);
	if (lane == 0)
		y[row] = acc;
}
