/* q6k_dp4a: Q6_K GEMV against Q8_1 x with dp4a. WARPS warps per block
 * (1..8), warp w takes super-blocks w, w+WARPS, ...; 32 lanes per
 * super-block, 4 consecutive values per lane in each half.
 *
 * Launch: grid min(n, 16 * SMs), WARPS*32 threads. The kernel itself strides
 * over rows by gridDim.x (the upstream kernel wrote only y[blockIdx.x]
 * while its launcher capped the grid, leaving rows unwritten). Needs
 * k % 256 == 0; x is k/32 Q8_1 blocks.
 *
 * Lane l: group g = l/8, positions p..p+3 with p = 4*(l%8). In half h it
 * covers elements 128h+32g+p+t: ql bytes 64h+32(g&1)+p+t (low nibble for
 * g < 2, high for g >= 2), qh bytes 32h+p+t (bits 2g, 2g+1), scale
 * 8h+2g+p/16, Q8_1 block 4h+g of the super-block. Q6_K blocks are 210 B, so
 * ql/qh words are read as two 16-bit loads (odd blocks are only 2-byte
 * aligned). q - 32 is folded in as dot(q, u) - 32*sum(u). */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q6k_dp4a(float *__restrict__ y, const unsigned char *__restrict__ w,
	 const void *__restrict__ xv, int k, int n)
{
	__shared__ float part[WARPS];
	const u8 *q8 = (const u8 *)xv;
	const int lane = threadIdx.x & 31;
	const int warp = threadIdx.x >> 5;
	const int nb = k / QK_K;
	const int g = lane >> 3;
	const int p = 4 * (lane & 7);
	const int nib = 4 * (g >> 1);
	const int hsh = 2 * g;

	for (int row = blockIdx.x; row < n; row += gridDim.x) {
		const u8 *rw = w + (size_t)row * nb * Q6K_BYTES;
		float acc = 0.0f;
		for (int b = warp; b < nb; b += WARPS) {
			const u8 *blk = rw + (size_t)b * Q6K_BYTES;
			const float d = gg_h2f((u16)gg_ld_u16(blk + 208));
			float sb = 0.0f;
#pragma unroll
			for (int h = 0; h < 2; h++) {
				const u32 ql = gg_ld_u32_a2(blk + 64 * h + 32 * (g & 1) + p);
				const u32 qh = gg_ld_u32_a2(blk + 128 + 32 * h + p);
				const int v = (int)q6k_pack4(ql, qh, nib, hsh);
				const int sc = ((const i8 *)(blk + 192))[8 * h + 2 * g + (p >> 4)];
				const u8 *yb = q8 + ((size_t)b * 8 + 4 * h + g) * Q8_1_BYTES;
				const int u = (int)gg_ld_u32(yb + 4 + p);
				const float d8 = gg_h2f((u16)gg_ld_u16(yb));
				const int dot = __dp4a(v, u, 0) - 32 * __dp4a(0x01010101, u, 0);
				sb += d8 * (float)(sc * dot);
			}
			acc += d * sb;
		}
		acc = gg_block_sum(acc, part);
		if (threadIdx.x == 0)
			y[row] = acc;
	}
}
