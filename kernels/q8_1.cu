/* quantize_q8_1: x (k floats) to ggml block_q8_1 (36 B per 32 values),
 * with the semantics of ggml's CUDA quantizer, so the CPU reference
 * (quant_quantize_q8_1) can match it bit for bit:
 *   amax = max |x| over the block, d = amax / 127 (float),
 *   q = amax == 0 ? 0 : roundf(x / d)   (half away from zero),
 *   s = sum of the block's original floats,
 *   stored: f16(d) @0, f16(s) @2 (round to nearest even), int8 q[32] @4.
 * The sum is a butterfly over the warp: for o = 16, 8, 4, 2, 1 every lane
 * adds the value of lane (lane ^ o), i.e. pairwise v[l] + v[l+o] for
 * l < o, so s = ((((v0+v16)+(v8+v24))+...)...) in that tree order.
 * Values past k count as 0 (the last block is padded).
 *
 * Launch: WARPS = 8, 256 threads, grid ceil(32*ceil(k/32) / 256); thread i
 * handles value i, each warp one block. */
#include "common.cuh"

extern "C" __global__ void __launch_bounds__(GG_THREADS)
quantize_q8_1(const float *__restrict__ x, unsigned char *__restrict__ q8, int k)
{
	const int nblk = (k + QK8_1 - 1) / QK8_1;
	const long long i = (long long)blockIdx.x * GG_THREADS + threadIdx.x;
	/* nblk*32 is a multiple of 32, so whole warps leave here together. */
	if (i >= (long long)nblk * QK8_1)
		return;
	const float xi = i < k ? x[i] : 0.0f;
	float amax = fabsf(xi);
	float sum = xi;
#pragma unroll
	for (int o = 16; o > 0; o >>= 1) {
		amax = fmaxf(amax, __shfl_xor_sync(GG_FULL_MASK, amax, o));
		sum += __shfl_xor_sync(GG_FULL_MASK, sum, o);
	}
	const float d = amax / 127.0f;
	const int q = amax == 0.0f ? 0 : (int)roundf(xi / d);
	u8 *blk = q8 + (size_t)(i / QK8_1) * Q8_1_BYTES;
	blk[4 + (int)(i % QK8_1)] = (u8)(i8)q;
	if (i % QK8_1 == 0) {
		((u16 *)blk)[0] = gg_f2h_rn(d);
		((u16 *)blk)[1] = gg_f2h_rn(sum);
	}
}
