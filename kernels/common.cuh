/* common.cuh: what every ggscope kernel shares.
 *
 * Kernels are CUDA C compiled at run time by NVRTC (src/jit.c), with no CUDA
 * headers at all: NVRTC has no include path here, so half conversions go
 * through PTX cvt instructions instead of cuda_fp16.h.
 *
 * Kernel ABI (src/variant.h describes it to the host side):
 *   extern "C" __global__ void <entry>(float *y, const unsigned char *w,
 *                                      const void *x, int k, int n)
 *   y[r] = sum_c W[r,c] x[c] for r < n. W is row-major: each row is
 *   ceil(k/256) GGUF super-blocks. x is k floats for the fp32 variants, or
 *   k/32 ggml block_q8_1 blocks (36 B) for the dp4a variants.
 *
 * Compile-time parameter: -DWARPS=N, the warps of one thread block. The host
 * launches exactly WARPS*32 threads; every kernel relies on that.
 *
 * GG_HOST_EMU: the CPU emulator in tests/emu/ builds these same sources as
 * C++ and supplies its own half conversions and dynamic shared memory. */
#ifndef GG_COMMON_CUH
#define GG_COMMON_CUH

#ifndef WARPS
#error "compile with -DWARPS=N (the warps per thread block)"
#endif
#if WARPS < 1 || WARPS > 32
#error "WARPS must be in 1..32"
#endif

typedef unsigned char u8;
typedef signed char i8;
typedef unsigned short u16;
typedef unsigned int u32;

#define GG_FULL_MASK 0xffffffffu
#define GG_THREADS (WARPS * 32)

/* Block formats (byte sizes and element counts), see ggml-common.h. */
#define QK_K 256
#define Q4K_BYTES 144 /* f16 d @0, f16 dmin @2, scales[12] @4, qs[128] @16 */
#define Q6K_BYTES 210 /* ql[128] @0, qh[64] @128, int8 scales[16] @192, f16 d @208 */
#define QK8_1 32
#define Q8_1_BYTES 36 /* f16 d @0, f16 s @2, int8 qs[32] @4 */

#ifndef GG_HOST_EMU
/* IEEE half bits to float, exact. */
__device__ __forceinline__ float gg_h2f(u16 h)
{
	float f;
	asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(h));
	return f;
}

/* Float to IEEE half bits, round to nearest even (what __float2half does). */
__device__ __forceinline__ u16 gg_f2h_rn(float f)
{
	u16 h;
	asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(f));
	return h;
}

/* The dynamic shared memory of the launch, as an array of `type`. */
#define GG_DYNAMIC_SMEM(type, name) extern __shared__ type name[]
#endif

/* Aligned loads from the byte stream. The caller guarantees the alignment:
 * Q4_K rows and blocks are 4-byte aligned (144 = 9*16), Q8_1 blocks too
 * (36 = 9*4); Q6_K blocks are only 2-byte aligned (210 B). */
__device__ __forceinline__ u32 gg_ld_u16(const u8 *p)
{
	return *(const u16 *)p;
}

__device__ __forceinline__ u32 gg_ld_u32(const u8 *p)
{
	return *(const u32 *)p;
}

/* A little-endian u32 from a 2-byte aligned address: two 16-bit loads,
 * because odd Q6_K blocks make 4-byte loads misaligned. */
__device__ __forceinline__ u32 gg_ld_u32_a2(const u8 *p)
{
	return (u32)((const u16 *)p)[0] | ((u32)((const u16 *)p)[1] << 16);
}

/* Sum over the 32 lanes of a warp; every lane gets the total. All 32 lanes
 * must call it. */
__device__ __forceinline__ float gg_warp_sum(float v)
{
#pragma unroll
	for (int o = 16; o > 0; o >>= 1)
		v += __shfl_xor_sync(GG_FULL_MASK, v, o);
	return v;
}

/* Sum over the WARPS warps of the block; the total is valid in warp 0.
 * Every thread of the block must call it (it holds two barriers); `part`
 * is a __shared__ float[WARPS]. The second barrier lets a grid-stride
 * kernel call it once per row without racing on `part`. */
__device__ __forceinline__ float gg_block_sum(float v, float *part)
{
	v = gg_warp_sum(v);
	if (WARPS == 1)
		return v;
	const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
	if (lane == 0)
		part[warp] = v;
	__syncthreads();
	float t = 0.0f;
	if (warp == 0) {
		t = lane < WARPS ? part[lane] : 0.0f;
		t = gg_warp_sum(t);
	}
	__syncthreads();
	return t;
}

/* Q4_K: the 6-bit scale and min of sub-block j (0..7) from the 12 packed
 * bytes s[] (ggml's get_scale_min_k4). Sub-blocks 0-3 keep their 6 bits in
 * the low bits of s[j] / s[j+4]; sub-blocks 4-7 take their low 4 bits from
 * s[j+4] (low nibble: scale, high nibble: min) and their top 2 bits from
 * the top of s[j-4] (scale) and s[j] (min). */
__device__ __forceinline__ void q4k_scale_min_bytes(const u8 *s, int j, int *sc, int *m)
{
	if (j < 4) {
		*sc = s[j] & 63;
		*m = s[j + 4] & 63;
	} else {
		*sc = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
		*m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
	}
}

/* The same from the 12 bytes loaded as three little-endian words:
 * w0 = s[0..3], w1 = s[4..7], w2 = s[8..11]. */
__device__ __forceinline__ void q4k_scale_min_words(u32 w0, u32 w1, u32 w2, int j, int *sc, int *m)
{
	if (j < 4) {
		const int sh = 8 * j;
		*sc = (w0 >> sh) & 63;
		*m = (w1 >> sh) & 63;
	} else {
		const int sh = 8 * (j - 4);
		*sc = ((w2 >> sh) & 0xF) | (((w0 >> (sh + 6)) & 3) << 4);
		*m = ((w2 >> (sh + 4)) & 0xF) | (((w1 >> (sh + 6)) & 3) << 4);
	}
}

/* Q6_K: four 6-bit values (as bytes 0..63) from a word of ql and a word of
 * qh covering the same four positions. `nib` picks the ql nibble (0: low,
 * 4: high) and `hsh` the qh bit pair (0, 2, 4 or 6). Masking after the
 * whole-word shift keeps every byte's bits inside that byte. */
__device__ __forceinline__ u32 q6k_pack4(u32 ql, u32 qh, int nib, int hsh)
{
	return ((ql >> nib) & 0x0F0F0F0Fu) | (((qh >> hsh) & 0x03030303u) << 4);
}

#endif
