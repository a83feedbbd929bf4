/* quant_k: the 256-element super-block formats: dequantization of Q4_K,
 * Q5_K, Q6_K and Q8_K, and the Q4_K and Q6_K reference quantizers.
 *
 * The quantizers follow ggml's quantize_row_q4_K_ref (a weighted search per
 * 32-element sub-block, make_qkx2_quants) and quantize_row_q6_K_ref (a
 * search per 16, make_qx_quants) step for step, with the same float
 * operations in the same order, so a given input gives the bytes ggml would
 * write. Inputs must be finite. */
#include "config.h"

#include <assert.h>
#include <math.h>
#include <stdbool.h>

#include "quant.h"
#include "quant_priv.h"

#define GROUP_MAX_EPS 1e-15f

/* Round to nearest, ties to even, by adding 1.5 * 2^23: the sum's low
 * mantissa bits are the integer. Valid for |f| <= 4194303, which every
 * caller guarantees for finite input (it is ggml's nearest_int). */
static inline int
nearest_int(float f)
{
	float v = f + 12582912.f;
	int32_t i;

	memcpy(&i, &v, sizeof i);
	return (i & 0x007fffff) - 0x00400000;
}

static inline int
clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K block from
 * its 12 packed bytes (ggml's get_scale_min_k4). */
static inline void
scale_min_k4(int j, const uint8_t *q, uint8_t *sc, uint8_t *m)
{
	if (j < 4) {
		*sc = q[j] & 63;
		*m = q[j + 4] & 63;
	} else {
		*sc = (uint8_t)((q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4));
		*m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
	}
}

/* ---------------------------------------------------------------- dequant */

/* Q4_K: element 64c+l = d*sc[2c]*(qs[32c+l] & 15) - dmin*m[2c],
 * element 64c+32+l the same with the high nibble and sub-block 2c+1. */
void
quant_dequant_q4_k(const uint8_t *b, float *y, int64_t n)
{
	for (int64_t i = 0; i < n / QK_K; i++, b += Q4_K_BYTES) {
		const float d = quant_f16_to_f32(quant_rd16(b));
		const float min = quant_f16_to_f32(quant_rd16(b + 2));
		const uint8_t *scales = b + 4;
		const uint8_t *q = b + 16;
		uint8_t sc, m;

		for (int is = 0; is < 8; is += 2, q += 32) {
			scale_min_k4(is, scales, &sc, &m);
			const float d1 = d * sc;
			const float m1 = min * m;
			scale_min_k4(is + 1, scales, &sc, &m);
			const float d2 = d * sc;
			const float m2 = min * m;

			for (int l = 0; l < 32; l++)
				*y++ = d1 * (q[l] & 0xf) - m1;
			for (int l = 0; l < 32; l++)
				*y++ = d2 * (q[l] >> 4) - m2;
		}
	}
}

/* Q5_K: Q4_K plus a fifth bit from qh: bit 2c of qh[l] for the low nibbles
 * of chunk c, bit 2c+1 for the high ones. */
void
quant_dequant_q5_k(const uint8_t *b, float *y, int64_t n)
{
	for (int64_t i = 0; i < n / QK_K; i++, b += Q5_K_BYTES) {
		const float d = quant_f16_to_f32(quant_rd16(b));
		const float min = quant_f16_to_f32(quant_rd16(b + 2));
		const uint8_t *scales = b + 4;
		const uint8_t *qh = b + 16;
		const uint8_t *ql = b + 48;
		uint8_t sc, m, u1 = 1, u2 = 2;

		for (int is = 0; is < 8; is += 2, ql += 32) {
			scale_min_k4(is, scales, &sc, &m);
			const float d1 = d * sc;
			const float m1 = min * m;
			scale_min_k4(is + 1, scales, &sc, &m);
			const float d2 = d * sc;
			const float m2 = min * m;

			for (int l = 0; l < 32; l++)
				*y++ = d1 * ((ql[l] & 0xf) + (qh[l] & u1 ? 16 : 0)) - m1;
			for (int l = 0; l < 32; l++)
				*y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
			u1 = (uint8_t)(u1 << 2);
			u2 = (uint8_t)(u2 << 2);
		}
	}
}

/* Q6_K: two halves of 128; see quant.h for the bit positions. The value is
 * (d * scale) * (q - 32), in that order. */
void
quant_dequant_q6_k(const uint8_t *b, float *y, int64_t n)
{
	for (int64_t i = 0; i < n / QK_K; i++, b += Q6_K_BYTES) {
		const float d = quant_f16_to_f32(quant_rd16(b + 208));
		const uint8_t *ql = b;
		const uint8_t *qh = b + 128;
		const int8_t *sc = (const int8_t *)(b + 192);

		for (int h = 0; h < 2; h++, y += 128, ql += 64, qh += 32, sc += 8) {
			for (int l = 0; l < 32; l++) {
				const int is = l / 16;
				const int8_t q1 = (int8_t)(((ql[l] & 0xf) | ((qh[l] & 3) << 4)) - 32);
				const int8_t q2 = (int8_t)(((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32);
				const int8_t q3 = (int8_t)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
				const int8_t q4 = (int8_t)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);

				y[l] = d * sc[is] * q1;
				y[l + 32] = d * sc[is + 2] * q2;
				y[l + 64] = d * sc[is + 4] * q3;
				y[l + 96] = d * sc[is + 6] * q4;
			}
		}
	}
}

/* Q8_K: f32 d @0, int8 qs[256] @4 (bsums unused here). */
void
quant_dequant_q8_k(const uint8_t *b, float *y, int64_t n)
{
	for (int64_t i = 0; i < n / QK_K; i++, b += Q8_K_BYTES) {
		const float d = quant_bits_f32(quant_rd32(b));
		const int8_t *qs = (const int8_t *)(b + 4);

		for (int j = 0; j < QK_K; j++)
			*y++ = d * qs[j];
	}
}

/* ---------------------------------------------------------------- Q4_K */

/* ggml's make_qkx2_quants for n = 32 values: fit x ~ scale * L - min with
 * L in 0..nmax, minimizing the weighted squared error over nstep+1 trial
 * scales around nmax / (max - min). A trial that improves replaces `min`,
 * and later trials start from it, as in ggml. Returns the scale and stores
 * the (positive) min in *the_min. */
static float
make_qkx2_quants(int nmax, const float *x, const float *weights, uint8_t *L,
	float *the_min, float rmin, float rdelta, int nstep)
{
	enum { n = 32 };
	uint8_t Laux[n];
	float min = x[0], max = x[0];
	float sum_w = weights[0];
	float sum_x = sum_w * x[0];

	for (int i = 1; i < n; i++) {
		if (x[i] < min)
			min = x[i];
		if (x[i] > max)
			max = x[i];
		const float w = weights[i];
		sum_w += w;
		sum_x += w * x[i];
	}
	if (min > 0)
		min = 0;
	if (max == min) {
		memset(L, 0, n);
		*the_min = -min;
		return 0.f;
	}
	float iscale = nmax / (max - min);
	float scale = 1 / iscale;
	float best_error = 0;

	for (int i = 0; i < n; i++) {
		const int l = nearest_int(iscale * (x[i] - min));
		L[i] = (uint8_t)clampi(l, 0, nmax);
		float diff = scale * L[i] + min - x[i];
		diff = diff * diff;
		best_error += weights[i] * diff;
	}
	for (int is = 0; is <= nstep; is++) {
		float sum_l = 0, sum_l2 = 0, sum_xl = 0;

		iscale = (rmin + rdelta * is + nmax) / (max - min);
		for (int i = 0; i < n; i++) {
			const int l = clampi(nearest_int(iscale * (x[i] - min)), 0, nmax);
			const float w = weights[i];

			Laux[i] = (uint8_t)l;
			sum_l += w * l;
			sum_l2 += w * l * l;
			sum_xl += w * l * x[i];
		}
		const float D = sum_w * sum_l2 - sum_l * sum_l;
		if (D > 0) {
			float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
			float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
			float cur_error = 0;

			if (this_min > 0) {
				this_min = 0;
				this_scale = sum_xl / sum_l2;
			}
			for (int i = 0; i < n; i++) {
				float diff = this_scale * Laux[i] + this_min - x[i];
				diff = diff * diff;
				cur_error += weights[i] * diff;
			}
			if (cur_error < best_error) {
				memcpy(L, Laux, n);
				best_error = cur_error;
				scale = this_scale;
				min = this_min;
			}
		}
	}
	*the_min = -min;
	return scale;
}

/* The search for one 32-element sub-block: weights rms + |x|, then
 * make_qkx2_quants with ggml's parameters for Q4_K. */
float
quant_q4_k_search_scalar(const float *x, uint8_t *L, float *the_min)
{
	float weights[32], sum_x2 = 0;

	for (int l = 0; l < 32; l++)
		sum_x2 += x[l] * x[l];
	const float av_x = sqrtf(sum_x2 / 32);
	for (int l = 0; l < 32; l++)
		weights[l] = av_x + fabsf(x[l]);
	return make_qkx2_quants(15, x, weights, L, the_min, -1.f, 0.1f, 20);
}

/* One Q4_K block from 256 floats (ggml's quantize_row_q4_K_ref body); the
 * sub-block searches run in vector lanes unless `scalar` is set. */
static void
quantize_block_q4_k(const float *x, uint8_t *y, bool scalar)
{
	uint8_t L[QK_K];
	float mins[8], scales[8];
	float max_scale = 0, max_min = 0;
	uint8_t *ysc = y + 4, *q = y + 16;

	if (scalar) {
		for (int j = 0; j < 8; j++)
			scales[j] = quant_q4_k_search_scalar(x + 32 * j, L + 32 * j, &mins[j]);
	} else {
		quant_q4_k_search8(x, L, scales, mins);
	}
	for (int j = 0; j < 8; j++) {
		if (scales[j] > max_scale)
			max_scale = scales[j];
		if (mins[j] > max_min)
			max_min = mins[j];
	}

	const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
	const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
	for (int j = 0; j < 8; j++) {
		uint8_t ls = (uint8_t)nearest_int(inv_scale * scales[j]);
		uint8_t lm = (uint8_t)nearest_int(inv_min * mins[j]);

		ls = ls < 63 ? ls : 63;
		lm = lm < 63 ? lm : 63;
		if (j < 4) {
			ysc[j] = ls;
			ysc[j + 4] = lm;
		} else {
			ysc[j + 4] = (uint8_t)((ls & 0xf) | ((lm & 0xf) << 4));
			ysc[j - 4] |= (uint8_t)((ls >> 4) << 6);
			ysc[j] |= (uint8_t)((lm >> 4) << 6);
		}
	}
	quant_wr16(y, quant_f32_to_f16(max_scale / 63.f));
	quant_wr16(y + 2, quant_f32_to_f16(max_min / 63.f));

	/* Recompute the 4-bit values against the scales as stored. A
	 * sub-block whose scale rounded to 0 keeps the search's values. */
	const float dall = quant_f16_to_f32(quant_rd16(y));
	const float dmin = quant_f16_to_f32(quant_rd16(y + 2));
	for (int j = 0; j < 8; j++) {
		uint8_t sc, m;

		scale_min_k4(j, ysc, &sc, &m);
		const float d = dall * sc;
		if (d == 0.0f)
			continue;
		const float dm = dmin * m;
		for (int ii = 0; ii < 32; ii++)
			L[32 * j + ii] = (uint8_t)clampi(nearest_int((x[32 * j + ii] + dm) / d), 0, 15);
	}
	for (int j = 0; j < QK_K; j += 64, q += 32)
		for (int l = 0; l < 32; l++)
			q[l] = (uint8_t)(L[j + l] | (L[j + l + 32] << 4));
}

void
quant_quantize_q4_k(const float *src, void *dst, int64_t n)
{
	uint8_t *y = dst;

	assert(n % QK_K == 0);
	for (int64_t i = 0; i < n / QK_K; i++)
		quantize_block_q4_k(src + i * QK_K, y + i * Q4_K_BYTES, false);
}

void
quant_quantize_q4_k_scalar(const float *src, void *dst, int64_t n)
{
	uint8_t *y = dst;

	assert(n % QK_K == 0);
	for (int64_t i = 0; i < n / QK_K; i++)
		quantize_block_q4_k(src + i * QK_K, y + i * Q4_K_BYTES, true);
}

/* ---------------------------------------------------------------- Q6_K */

/* ggml's make_qx_quants for n = 16, nmax = 32, rmse_type 1 (weights x^2),
 * the search for one 16-element group of a Q6_K block:
 * symmetric levels -32..31 around a signed scale, refined over 18 trial
 * scales. L gets the levels + 32. Returns the scale (0 for an all-zero
 * group). */
float
quant_q6_k_search_scalar(const float *x, int8_t *L)
{
	enum { n = 16, nmax = 32 };
	float max = 0, amax = 0;

	for (int i = 0; i < n; i++) {
		const float ax = fabsf(x[i]);
		if (ax > amax) {
			amax = ax;
			max = x[i];
		}
	}
	if (amax < GROUP_MAX_EPS) {
		memset(L, 0, n);
		return 0.f;
	}
	float iscale = -nmax / max;
	float sumlx = 0, suml2 = 0;

	for (int i = 0; i < n; i++) {
		const int l = clampi(nearest_int(iscale * x[i]), -nmax, nmax - 1);
		const float w = x[i] * x[i];

		L[i] = (int8_t)(l + nmax);
		sumlx += w * x[i] * l;
		suml2 += w * l * l;
	}
	float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
	float best = scale * sumlx;

	for (int is = -9; is <= 9; is++) {
		if (is == 0)
			continue;
		iscale = -(nmax + 0.1f * is) / max;
		sumlx = suml2 = 0;
		for (int i = 0; i < n; i++) {
			const int l = clampi(nearest_int(iscale * x[i]), -nmax, nmax - 1);
			const float w = x[i] * x[i];

			sumlx += w * x[i] * l;
			suml2 += w * l * l;
		}
		if (suml2 > 0 && sumlx * sumlx > best * suml2) {
			for (int i = 0; i < n; i++)
				L[i] = (int8_t)(nmax + clampi(nearest_int(iscale * x[i]), -nmax, nmax - 1));
			scale = sumlx / suml2;
			best = scale * sumlx;
		}
	}
	return scale;
}

/* One Q6_K block from 256 floats (ggml's quantize_row_q6_K_ref body). */
static void
quantize_block_q6_k(const float *x, uint8_t *y, bool scalar)
{
	int8_t L[QK_K];
	float scales[16];
	float max_scale = 0, max_abs_scale = 0;
	uint8_t *ql = y, *qh = y + 128;
	int8_t *ysc = (int8_t *)(y + 192);

	if (scalar) {
		for (int ib = 0; ib < 16; ib++)
			scales[ib] = quant_q6_k_search_scalar(x + 16 * ib, L + 16 * ib);
	} else {
		quant_q6_k_search16(x, L, scales);
	}
	for (int ib = 0; ib < 16; ib++) {
		const float abs_scale = fabsf(scales[ib]);

		if (abs_scale > max_abs_scale) {
			max_abs_scale = abs_scale;
			max_scale = scales[ib];
		}
	}
	if (max_abs_scale < GROUP_MAX_EPS) {
		memset(y, 0, Q6_K_BYTES);
		return;
	}

	const float iscale = -128.f / max_scale;
	quant_wr16(y + 208, quant_f32_to_f16(1 / iscale));
	for (int ib = 0; ib < 16; ib++) {
		const int l = nearest_int(iscale * scales[ib]);
		ysc[ib] = (int8_t)(l < 127 ? l : 127);
	}

	const float dall = quant_f16_to_f32(quant_rd16(y + 208));
	for (int j = 0; j < 16; j++) {
		const float d = dall * ysc[j];
		if (d == 0.0f)
			continue;
		for (int ii = 0; ii < 16; ii++)
			L[16 * j + ii] = (int8_t)(clampi(nearest_int(x[16 * j + ii] / d), -32, 31) + 32);
	}

	for (int j = 0; j < QK_K; j += 128, ql += 64, qh += 32) {
		for (int l = 0; l < 32; l++) {
			const uint8_t q1 = L[j + l] & 0xf;
			const uint8_t q2 = L[j + l + 32] & 0xf;
			const uint8_t q3 = L[j + l + 64] & 0xf;
			const uint8_t q4 = L[j + l + 96] & 0xf;

			ql[l] = (uint8_t)(q1 | (q3 << 4));
			ql[l + 32] = (uint8_t)(q2 | (q4 << 4));
			qh[l] = (uint8_t)((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) |
				((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
		}
	}
}

void
quant_quantize_q6_k(const float *src, void *dst, int64_t n)
{
	uint8_t *y = dst;

	assert(n % QK_K == 0);
	for (int64_t i = 0; i < n / QK_K; i++)
		quantize_block_q6_k(src + i * QK_K, y + i * Q6_K_BYTES, false);
}

void
quant_quantize_q6_k_scalar(const float *src, void *dst, int64_t n)
{
	uint8_t *y = dst;

	assert(n % QK_K == 0);
	for (int64_t i = 0; i < n / QK_K; i++)
		quantize_block_q6_k(src + i * QK_K, y + i * Q6_K_BYTES, true);
}
