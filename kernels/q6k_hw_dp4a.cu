/* q6k_hw_dp4a: Q6_K GEMV against Q8_1 x with dp4a, half-warp per
 * super-block: thread t = lane%16 owns sub-block t (16 values, exactly one
 * scale). The block's 2*WARPS half-warps stride over the row by 2*WARPS;
 * WARPS is honoured (1..8), unlike the upstream generator that ignored it
 * and skipped or double-counted super-blocks.
 *
 * Launch: grid min(n, 16 * SMs), WARPS*32 threads; the kernel strides over
 * rows by gridDim.x. Needs k % 256 == 0; x is k/32 Q8_1 blocks.
 *
 * Sub-block t: half h = t/8, group g = (t/2)%4, offset l0 = 16*(t%2):
 * elements 128h+32g+l0+i (i = 0..15) from ql bytes 64h+32(g&1)+l0+i (low
 * nibble for g < 2, high for g >= 2), qh bytes 32h+l0+i (bits 2g, 2g+1),
 * Q8_1 block 4h+g bytes l0+i. Four rounds of one ql word, one qh word (two
 * 16-bit loads each: Q6_K blocks are 2-byte aligned) and one q8 word. */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
q6k_hw_dp4a(float *__restrict__ y, const unsigned char *__restrict__ w,
	    const void *__restrict__ xv, int k, int n)
{
	__shared__ float part[WARPS];
	const u8 *q8 = (const u8 *)xv;
	const int lane = threadIdx.x & 31;
	const int hw = (threadIdx.x >> 5) * 2 + (lane >> 4);
	const int t = lane & 15;
	const int h = t >> 3;
	const int g = (t >> 1) & 3;
	const int l0 = 16 * (t & 1);
	const int nib = 4 * (g >> 1);
	const int hsh = 2 * g;
	const int nb = k / QK_K;

	for (int row = blockIdx.x; row < n; row += gridDim.x) {
		const u8 *rw = w + (size_t)row * nb * Q6K_BYTES;
		float acc = 0.0f;
		for (int b = hw; b < nb; b += 2 * WARPS) {
			const u8 *blk = rw + (size_t)b * Q6K_BYTES;
			const float d = gg_h2f((u16)gg_ld_u16(blk + 208));
			const int sc = ((const i8 *)(blk + 192))[t];
			const u8 *ql = blk + 64 * h + 32 * (g & 1) + l0;
			const u8 *qh = blk + 128 + 32 * h + l0;
			const u8 *yb = q8 + ((size_t)b * 8 + 4 * h + g) * Q8_1_BYTES;
			const float d8 = gg_h2f((u16)gg_ld_u16(yb));
			int dot = 0, sum = 0;
#pragma unroll
			for (int i = 0; i < 4; i++) {
				const int v = (int)q6k_pack4(gg_ld_u32_a2(ql + 4 * i), gg_ld_u32_a2(qh + 4 * i), nib, hsh);
				const int u = (int)gg_ld_u32(yb + 4 + l0 + 4 * i);
				dot = __dp4a(v, u, dot);
				sum = __dp4a(0x01010101, u, sum);
			}
			acc += d * d8 * (float)(sc * (dot - 32 * sum));
		}
		acc = gg_block_sum(acc, part);
		if (threadIdx.x == 0)
			y[row] = acc;
	}
}
