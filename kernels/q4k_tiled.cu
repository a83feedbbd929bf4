/* q4k_tiled: Q4_K GEMV, WARPS rows per block (one warp each, WARPS = 4),
 * x staged once per block in dynamic shared memory (k floats).
 *
 * Launch: grid ceil(n/WARPS), WARPS*32 threads, k*4 bytes of dynamic shared
 * memory. Needs k % 256 == 0 and k <= 12288 (48 KB, the most a block gets
 * without opting in); q4k_chunked covers larger k.
 *
 * The per-warp work is q4k_basic's (lane l: qs byte 32c+l, elements 64c+l
 * and 64c+32+l), reading x from shared memory: the 32 lanes touch 32
 * consecutive floats, so there are no bank conflicts. */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q4k_tiled(float *__restrict__ y, const unsigned char *__restrict__ w,
	  const void *__restrict__ xv, int k, int n)
{
	GG_DYNAMIC_SMEM(float4, xs4); /* declared as float4 for its 16-byte alignment */
	const float *xs = (const float *)xs4;
	const float4 *x4 = (const float4 *)xv;
	const int lane = threadIdx.x & 31;
	const int warp = threadIdx.x >> 5;

	/* k % 256 == 0, so k/4 float4 cover x exactly. */
	for (int i = threadIdx.x; i < k / 4; i += GG_THREADS)
		xs4[i] = x4[i];
	__syncthreads();

	const int row = blockIdx.x * WARPS + warp;
	if (row >= n)
		return;
	const int nb = k / QK_K;
	const u8 *rw = w + (size_t)row * nb * Q4K_BYTES;
	float acc = 0.0f;

	for (int b = 0; b < nb; b++) {
		const u8 *blk = rw + (size_t)b * Q4K_BYTES;
		const float d = gg_h2f(gg_ld_u16(blk));
		const float dmin = gg_h2f(gg_ld_u16(blk + 2));
		const u8 *sc = blk + 4;
		const u8 *qs = blk + 16;
		const float *xb = xs + b * QK_K;
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
	acc = gg_warp_sum(acc);
	if (lane == 0)
		y[row] = acc;
}
