/* q6k_mwv: Q6_K GEMV, WARPS warps per row (1..8), warp w takes super-blocks
 * w, w+WARPS, .... Inside a super-block the lanes split the work like
 * q6k_basic (lane l: ql[64h+l], ql[64h+l+32], qh[32h+l] of both halves),
 * but lanes 0-15 each load one scale byte and the others get theirs by
 * shuffle instead of every lane reading 8 scale bytes.
 *
 * Launch: grid n, WARPS*32 threads. Any k >= 1 (columns >= k are skipped). */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q6k_mwv(float *__restrict__ y, const unsigned char *__restrict__ w,
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
	const u8 *rw = w + (size_t)row * nb * Q6K_BYTES;
	const int is = lane >> 4;
	float acc = 0.0f;

	/* The loop bound depends on the warp only, so the shuffles below run
	 * with all 32 lanes. */
	for (int b = warp; b < nb; b += WARPS) {
		const u8 *blk = rw + (size_t)b * Q6K_BYTES;
		const float d = gg_h2f((u16)gg_ld_u16(blk + 208));
		const int my_sc = ((const i8 *)(blk + 192))[lane & 15];
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
			const int sc0 = __shfl_sync(GG_FULL_MASK, my_sc, 8 * h + is);
			const int sc1 = __shfl_sync(GG_FULL_MASK, my_sc, 8 * h + is + 2);
			const int sc2 = __shfl_sync(GG_FULL_MASK, my_sc, 8 * h + is + 4);
			const int sc3 = __shfl_sync(GG_FULL_MASK, my_sc, 8 * h + is + 6);
			const int e = b * QK_K + 128 * h + lane;
			const float x0 = e < k ? x[e] : 0.0f;
			const float x1 = e + 32 < k ? x[e + 32] : 0.0f;
			const float x2 = e + 64 < k ? x[e + 64] : 0.0f;
			const float x3 = e + 96 < k ? x[e + 96] : 0.0f;
			sb += (float)(sc0 * q0) * x0 + (float)(sc1 * q1) * x1 +
			      (float)(sc2 * q2) * x2 + (float)(sc3 * q3) * x3;
		}
		acc += d * sb;
	}
	acc = gg_block_sum(acc, part);
	if (threadIdx.x == 0)
		y[row] = acc;
}
