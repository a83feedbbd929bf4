/* quant: half-precision conversions, the dequantization entry point, the
 * 32-element block formats (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1) and the
 * Q8_0 / Q8_1 quantizers. The super-block (K) formats live in quant_k.c.
 *
 * Each dequantizer performs the same float operations in the same order as
 * ggml's dequantize_row_* (ggml-quants.c), so the results are identical bit
 * for bit; the comments name the expression ggml evaluates. */
#include "config.h"

#include <assert.h>
#include <math.h>

#include "quant.h"
#include "quant_priv.h"

/* ---------------------------------------------------------------- halves */

/* IEEE binary16 -> binary32 is exact. NaN payloads are kept as they are
 * (no quieting), so f16 -> f32 -> f16 is the identity on all 65536 values. */
float
quant_f16_to_f32(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f;
	uint32_t mant = h & 0x3ff;
	float f;

	if (exp == 0x1f)
		return quant_bits_f32(sign | 0x7f800000u | (mant << 13));
	if (exp != 0)
		return quant_bits_f32(sign | ((exp + 112) << 23) | (mant << 13));
	/* Zero or subnormal: mant * 2^-24, exact in float. */
	f = (float)mant * 0x1p-24f;
	return sign ? -f : f;
}

/* binary32 -> binary16, round to nearest even; overflow gives infinity,
 * underflow gives (signed) subnormals or zero; a NaN keeps its sign and the
 * top 10 payload bits, and stays a NaN when those are all zero (numpy's
 * rule, also what F16C hardware keeps apart from forcing the quiet bit). */
uint16_t
quant_f32_to_f16(float f)
{
	uint32_t x = quant_f32_bits(f);
	uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
	uint32_t ax = x & 0x7fffffffu;
	uint32_t mant, m, rem, halfway;
	int shift;

	if (ax > 0x7f800000u) {
		m = (ax >> 13) & 0x3ff;
		return (uint16_t)(sign | 0x7c00 | (m ? m : 1));
	}
	/* 65520 is halfway between 65504 (odd mantissa) and 2^16: ties to even
	 * go up, so it and everything above becomes infinity. */
	if (ax >= 0x477ff000u)
		return (uint16_t)(sign | 0x7c00);
	if (ax >= 0x38800000u) {
		/* Normal half. Adding 0xfff plus the lowest kept bit rounds to
		 * nearest even; a carry moves into the exponent correctly. */
		ax += 0xfffu + ((ax >> 13) & 1);
		return (uint16_t)(sign | ((ax - (112u << 23)) >> 13));
	}
	/* Half subnormal: m = round(value / 2^-24). 2^-25 is the tie with 0. */
	if (ax <= 0x33000000u)
		return sign;
	mant = (ax & 0x7fffffu) | 0x800000u;
	shift = 126 - (int)(ax >> 23); /* 14..24 */
	m = mant >> shift;
	rem = mant & ((1u << shift) - 1);
	halfway = 1u << (shift - 1);
	if (rem > halfway || (rem == halfway && (m & 1)))
		m++; /* 1024 is the smallest normal, bit for bit */
	return (uint16_t)(sign | m);
}

float
quant_bf16_to_f32(uint16_t h)
{
	return quant_bits_f32((uint32_t)h << 16);
}

/* As ggml's GGML_FP32_TO_BF16: round to nearest even, and a NaN is made
 * quiet (bit 6) so that truncating its payload cannot turn it into Inf. */
uint16_t
quant_f32_to_bf16(float f)
{
	uint32_t u = quant_f32_bits(f);

	if ((u & 0x7fffffffu) > 0x7f800000u)
		return (uint16_t)((u >> 16) | 64);
	return (uint16_t)((u + (0x7fffu + ((u >> 16) & 1))) >> 16);
}

/* ---------------------------------------------------------------- 32-blocks */

static void
dequant_f16(const uint8_t *s, float *y, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		y[i] = quant_f16_to_f32(quant_rd16(s + 2 * i));
}

static void
dequant_bf16(const uint8_t *s, float *y, int64_t n)
{
	for (int64_t i = 0; i < n; i++)
		y[i] = quant_bf16_to_f32(quant_rd16(s + 2 * i));
}

static void
dequant_f32(const uint8_t *s, float *y, int64_t n)
{
	memcpy(y, s, (size_t)n * sizeof *y);
}

/* Q4_0: f16 d @0, qs[16] @2; element j = (nibble - 8) * d, low nibbles
 * first. */
static void
dequant_q4_0(const uint8_t *b, float *y, int64_t n)
{
	for (int64_t i = 0; i < n / 32; i++, b += 18, y += 32) {
		const float d = quant_f16_to_f32(quant_rd16(b));
		const uint8_t *qs = b + 2;

		for (int j = 0; j < 16; j++) {
			const int x0 = (qs[j] & 0x0f) - 8;
			const int x1 = (qs[j] >> 4) - 8;

			y[j] = x0 * d;
			y[j + 16] = x1 * d;
		}
	}
}

/* Q4_1: d @0, m @2, qs[16] @4; element = nibble * d + m. */
static void
dequant_q4_1(const uint8_t *b, float *y, int64_t n)
{
	for (int64_t i = 0; i < n / 32; i++, b += 20, y += 32) {
		const float d = quant_f16_to_f32(quant_rd16(b));
		const float m = quant_f16_to_f32(quant_rd16(b + 2));
		const uint8_t *qs = b + 4;

		for (int j = 0; j < 16; j++) {
			const int x0 = qs[j] & 0x0f;
			const int x1 = qs[j] >> 4;

			y[j] = x0 * d + m;
			y[j + 16] = x1 * d + m;
		}
	}
}

/* Q5_0: d @0, u32 qh @2 (bit j = 5th bit of element j), qs[16] @6;
 * element = (q5 - 16) * d. */
static void
dequant_q5_0(const uint8_t *b, float *y, int64_t n)
{
	for (int64_t i = 0; i < n / 32; i++, b += 22, y += 32) {
		const float d = quant_f16_to_f32(quant_rd16(b));
		const uint32_t qh = quant_rd32(b + 2);
		const uint8_t *qs = b + 6;

		for (int j = 0; j < 16; j++) {
			const uint8_t xh0 = (uint8_t)(((qh >> j) << 4) & 0x10);
			const uint8_t xh1 = (uint8_t)((qh >> (j + 12)) & 0x10);
			const int32_t x0 = ((qs[j] & 0x0f) | xh0) - 16;
			const int32_t x1 = ((qs[j] >> 4) | xh1) - 16;

			y[j] = x0 * d;
			y[j + 16] = x1 * d;
		}
	}
}

/* Q5_1: d @0, m @2, u32 qh @4, qs[16] @8; element = q5 * d + m. */
static void
dequant_q5_1(const uint8_t *b, float *y, int64_t n)
{
	for (int64_t i = 0; i < n / 32; i++, b += 24, y += 32) {
		const float d = quant_f16_to_f32(quant_rd16(b));
		const float m = quant_f16_to_f32(quant_rd16(b + 2));
		const uint32_t qh = quant_rd32(b + 4);
		const uint8_t *qs = b + 8;

		for (int j = 0; j < 16; j++) {
			const uint8_t xh0 = (uint8_t)(((qh >> j) << 4) & 0x10);
			const uint8_t xh1 = (uint8_t)((qh >> (j + 12)) & 0x10);
			const int x0 = (qs[j] & 0x0f) | xh0;
			const int x1 = (qs[j] >> 4) | xh1;

			y[j] = x0 * d + m;
			y[j + 16] = x1 * d + m;
		}
	}
}

/* Q8_0 (d @0, qs @2) and Q8_1 (d @0, s @2, qs @4): element = q * d. ggml
 * has no CPU dequantizer for Q8_1; q * d is how its dot products read it. */
static void
dequant_q8(const uint8_t *b, float *y, int64_t n, int block_bytes, int qs_off)
{
	for (int64_t i = 0; i < n / 32; i++, b += block_bytes, y += 32) {
		const float d = quant_f16_to_f32(quant_rd16(b));
		const int8_t *qs = (const int8_t *)(b + qs_off);

		for (int j = 0; j < 32; j++)
			y[j] = qs[j] * d;
	}
}

int
quant_dequant_row(uint32_t type, const void *src, float *dst, int64_t n, errmsg *err)
{
	const uint8_t *s = src;
	int64_t block;

	switch (type) {
	case QT_F32: case QT_F16: case QT_BF16:
		block = 1;
		break;
	case QT_Q4_0: case QT_Q4_1: case QT_Q5_0: case QT_Q5_1: case QT_Q8_0: case QT_Q8_1:
		block = 32;
		break;
	case QT_Q4_K: case QT_Q5_K: case QT_Q6_K: case QT_Q8_K:
		block = QK_K;
		break;
	default: {
		const quant_info *qi = quant_type_info(type);

		errmsg_set(err, "no dequantizer for tensor type %s (id %u)",
			qi ? qi->name : "unknown", type);
		return -1;
	}
	}
	if (n < 0 || n % block != 0) {
		errmsg_set(err, "row of %lld elements is not a multiple of the %s block size %lld",
			(long long)n, quant_type_info(type) ? quant_type_info(type)->name : "?",
			(long long)block);
		return -1;
	}
	switch (type) {
	case QT_F32: dequant_f32(s, dst, n); break;
	case QT_F16: dequant_f16(s, dst, n); break;
	case QT_BF16: dequant_bf16(s, dst, n); break;
	case QT_Q4_0: dequant_q4_0(s, dst, n); break;
	case QT_Q4_1: dequant_q4_1(s, dst, n); break;
	case QT_Q5_0: dequant_q5_0(s, dst, n); break;
	case QT_Q5_1: dequant_q5_1(s, dst, n); break;
	case QT_Q8_0: dequant_q8(s, dst, n, Q8_0_BYTES, 2); break;
	case QT_Q8_1: dequant_q8(s, dst, n, Q8_1_BYTES, 4); break;
	case QT_Q4_K: quant_dequant_q4_k(s, dst, n); break;
	case QT_Q5_K: quant_dequant_q5_k(s, dst, n); break;
	case QT_Q6_K: quant_dequant_q6_k(s, dst, n); break;
	case QT_Q8_K: quant_dequant_q8_k(s, dst, n); break;
	}
	return 0;
}

/* ---------------------------------------------------------------- Q8 quantizers */

/* ggml's quantize_row_q8_0_ref: d = amax/127, q = roundf(x * (1/d)). */
void
quant_quantize_q8_0(const float *x, void *dst, int64_t n)
{
	uint8_t *b = dst;

	assert(n % QK8_0 == 0);
	for (int64_t i = 0; i < n / QK8_0; i++, x += QK8_0, b += Q8_0_BYTES) {
		float amax = 0.0f;

		for (int j = 0; j < QK8_0; j++)
			amax = amax > fabsf(x[j]) ? amax : fabsf(x[j]); /* ggml's MAX() */
		const float d = amax / 127;
		const float id = d != 0.0f ? 1.0f / d : 0.0f;

		quant_wr16(b, quant_f32_to_f16(d));
		for (int j = 0; j < QK8_0; j++)
			b[2 + j] = (uint8_t)(int8_t)roundf(x[j] * id);
	}
}

/* The sum a warp forms with warp_reduce_sum (xor shuffles 16, 8, 4, 2, 1):
 * lane 0, the one that stores it, ends with this tree of additions. Using
 * the same order makes s bit-identical to the GPU's. */
static float
warp_tree_sum32(const float *x)
{
	float v[32];

	memcpy(v, x, sizeof v);
	for (int off = 16; off > 0; off >>= 1)
		for (int i = 0; i < off; i++)
			v[i] = v[i] + v[i + off];
	return v[0];
}

/* ggml's CUDA quantize_q8_1: d = amax/127, q = roundf(x / d) (a division,
 * not a multiply by 1/d as on the CPU), all zero when amax is 0; s is the
 * sum of the original floats, stored as f16 like d. */
void
quant_quantize_q8_1(const float *x, void *dst, int64_t n)
{
	uint8_t *b = dst;

	assert(n % QK8_1 == 0);
	for (int64_t i = 0; i < n / QK8_1; i++, x += QK8_1, b += Q8_1_BYTES) {
		float amax = 0.0f;

		for (int j = 0; j < QK8_1; j++)
			amax = fmaxf(amax, fabsf(x[j]));
		const float d = amax / 127;

		quant_wr16(b, quant_f32_to_f16(d));
		quant_wr16(b + 2, quant_f32_to_f16(warp_tree_sum32(x)));
		for (int j = 0; j < QK8_1; j++)
			b[4 + j] = amax == 0.0f ? 0 : (uint8_t)(int8_t)roundf(x[j] / d);
	}
}
