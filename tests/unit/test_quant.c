/* Unit tests for quant: half conversions (exhaustive), known-answer
 * dequantization of hand-built blocks of every supported type, the type
 * table's agreement with the dequantizer, and quantize -> dequantize error
 * bounds on Gaussian data. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "quant.h"
#include "quant_priv.h"

/* ---------------------------------------------------------------- helpers */

static uint32_t
f2u(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	return u;
}

static float
u2f(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

/* xorshift64* and Box-Muller: test data only. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double
rng_uniform(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((rng_state * 0x2545f4914f6cdd1dull) >> 11) * 0x1p-53;
}

static float
rng_gauss(void)
{
	double u1 = rng_uniform(), u2 = rng_uniform();

	if (u1 < 1e-300)
		u1 = 1e-300;
	return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

static void
dequant_ok(uint32_t type, const void *src, float *dst, int64_t n)
{
	errmsg err;

	err.text[0] = '\0';
	if (quant_dequant_row(type, src, dst, n, &err) != 0)
		fail_msg("dequant type %u: %s", type, err.text);
}

/* ---------------------------------------------------------------- halves */

static void
test_f16_known(void **state)
{
	(void)state;
	assert_true(quant_f16_to_f32(0x3c00) == 1.0f);
	assert_true(quant_f16_to_f32(0xc000) == -2.0f);
	assert_true(quant_f16_to_f32(0x7bff) == 65504.0f);
	assert_true(quant_f16_to_f32(0x0400) == 0x1p-14f);
	assert_true(quant_f16_to_f32(0x0001) == 0x1p-24f);
	assert_true(quant_f16_to_f32(0x83ff) == -1023 * 0x1p-24f);
	assert_true(quant_f16_to_f32(0x3555) == 0x1.554p-2f);
	assert_true(isinf(quant_f16_to_f32(0x7c00)) && quant_f16_to_f32(0x7c00) > 0);
	assert_true(isinf(quant_f16_to_f32(0xfc00)) && quant_f16_to_f32(0xfc00) < 0);
	assert_true(isnan(quant_f16_to_f32(0x7e00)));
	assert_int_equal(f2u(quant_f16_to_f32(0x8000)), 0x80000000u);

	assert_int_equal(quant_f32_to_f16(1.0f), 0x3c00);
	assert_int_equal(quant_f32_to_f16(-2.0f), 0xc000);
	assert_int_equal(quant_f32_to_f16(0.1f), 0x2e66);
	assert_int_equal(quant_f32_to_f16(65504.0f), 0x7bff);
	assert_int_equal(quant_f32_to_f16(65519.99f), 0x7bff);
	assert_int_equal(quant_f32_to_f16(65520.0f), 0x7c00);
	assert_int_equal(quant_f32_to_f16(1e10f), 0x7c00);
	assert_int_equal(quant_f32_to_f16(-1e10f), 0xfc00);
	assert_int_equal(quant_f32_to_f16(INFINITY), 0x7c00);
	assert_int_equal(quant_f32_to_f16(0x1p-24f), 0x0001);
	assert_int_equal(quant_f32_to_f16(0x1p-25f), 0x0000);     /* tie -> even (0) */
	assert_int_equal(quant_f32_to_f16(0x1.8p-24f), 0x0002);   /* tie -> even (2) */
	assert_int_equal(quant_f32_to_f16(0x1p-26f), 0x0000);
	assert_int_equal(quant_f32_to_f16(-0x1p-26f), 0x8000);
	assert_int_equal(quant_f32_to_f16(-0.0f), 0x8000);
	assert_int_equal(quant_f32_to_f16(0x1.ff8p-15f), 0x03ff);  /* largest subnormal */
	assert_int_equal(quant_f32_to_f16(0x1.ffap-15f), 0x03ff);
	assert_int_equal(quant_f32_to_f16(0x1.ffcp-15f), 0x0400);  /* tie: up to the even normal */
	/* NaN: sign and top payload bits kept; a payload only in the low
	 * bits must still give a NaN, not Inf. */
	assert_int_equal(quant_f32_to_f16(u2f(0x7fc00000u)), 0x7e00);
	assert_int_equal(quant_f32_to_f16(u2f(0xffc00000u)), 0xfe00);
	assert_int_equal(quant_f32_to_f16(u2f(0x7f800001u)), 0x7c01);
}

/* Every half converts to float and back to itself, NaNs included. */
static void
test_f16_exhaustive_round_trip(void **state)
{
	(void)state;
	for (uint32_t h = 0; h < 0x10000; h++) {
		uint16_t back = quant_f32_to_f16(quant_f16_to_f32((uint16_t)h));

		if (back != h)
			fail_msg("f16 0x%04x -> %a -> 0x%04x", h, (double)quant_f16_to_f32((uint16_t)h), back);
	}
}

/* For every pair of neighbouring finite halves, the exact midpoint rounds
 * to the even one, and one float ulp either side rounds to the nearer. */
static void
test_f16_rounding_midpoints(void **state)
{
	(void)state;
	for (uint32_t s = 0; s < 2; s++) {
		for (uint32_t h = 0; h < 0x7c00; h++) {
			uint16_t lo = (uint16_t)(h | (s << 15)), hi = (uint16_t)((h + 1) | (s << 15));
			double a = quant_f16_to_f32(lo);
			/* Past 65504 the next step would be 65536: that is where the
			 * rounding boundary to Inf lies. */
			double b = h + 1 == 0x7c00 ? (s ? -65536.0 : 65536.0) : quant_f16_to_f32(hi);
			float mid = (float)((a + b) / 2); /* exact: 12 significant bits */
			float toward_lo = nextafterf(mid, (float)a), toward_hi = nextafterf(mid, (float)b);
			uint16_t even = (h & 1) ? hi : lo;

			if ((double)mid != (a + b) / 2)
				fail_msg("midpoint of 0x%04x not exact", lo);
			if (quant_f32_to_f16(mid) != even)
				fail_msg("midpoint %a of 0x%04x/0x%04x -> 0x%04x", (double)mid, lo, hi,
					quant_f32_to_f16(mid));
			if (quant_f32_to_f16(toward_lo) != lo || quant_f32_to_f16(toward_hi) != hi)
				fail_msg("neighbours of midpoint %a (0x%04x/0x%04x)", (double)mid, lo, hi);
		}
	}
}

#ifdef __FLT16_MANT_DIG__
/* The compiler's own _Float16 conversion (round to nearest even) agrees on
 * a million random float bit patterns. */
static void
test_f16_vs_compiler(void **state)
{
	(void)state;
	rng_state = 12345;
	for (int i = 0; i < 1000000; i++) {
		uint32_t u = (uint32_t)(rng_uniform() * 4294967296.0);
		float f = u2f(u);
		_Float16 h = (_Float16)f;
		uint16_t hb;

		if (isnan(f))
			continue;
		memcpy(&hb, &h, sizeof hb);
		if (quant_f32_to_f16(f) != hb)
			fail_msg("%a: ours 0x%04x, compiler 0x%04x", (double)f, quant_f32_to_f16(f), hb);
	}
}
#endif

static void
test_bf16(void **state)
{
	(void)state;
	assert_true(quant_bf16_to_f32(0x3f80) == 1.0f);
	assert_true(quant_bf16_to_f32(0xc040) == -3.0f);
	assert_int_equal(f2u(quant_bf16_to_f32(0x0001)), 0x00010000u); /* subnormal */
	assert_int_equal(quant_f32_to_bf16(1.0f), 0x3f80);
	assert_int_equal(quant_f32_to_bf16(u2f(0x3f808000u)), 0x3f80); /* tie -> even */
	assert_int_equal(quant_f32_to_bf16(u2f(0x3f818000u)), 0x3f82); /* tie -> even */
	assert_int_equal(quant_f32_to_bf16(u2f(0x3f808001u)), 0x3f81);
	assert_int_equal(quant_f32_to_bf16(u2f(0x7f7fffffu)), 0x7f80);   /* overflow -> Inf */
	assert_int_equal(quant_f32_to_bf16(-INFINITY), 0xff80);
	assert_int_equal(quant_f32_to_bf16(u2f(0x7f800001u)), 0x7fc0);   /* NaN stays NaN */
	assert_int_equal(quant_f32_to_bf16(u2f(0x00008000u)), 0x0000);   /* subnormal tie */
	assert_int_equal(quant_f32_to_bf16(u2f(0x00018000u)), 0x0002);

	/* Exhaustive: every bf16 round-trips; a NaN comes back quiet. */
	for (uint32_t h = 0; h < 0x10000; h++) {
		float f = quant_bf16_to_f32((uint16_t)h);
		uint16_t back = quant_f32_to_bf16(f);
		uint16_t want = isnan(f) ? (uint16_t)(h | 0x40) : (uint16_t)h;

		if (back != want)
			fail_msg("bf16 0x%04x -> 0x%04x, want 0x%04x", h, back, want);
	}
}

/* ---------------------------------------------------------------- dequant KATs */

static void
test_dequant_plain(void **state)
{
	float in[3] = { 1.5f, -0.0f, 3e38f }, out[4];
	uint8_t h[8];

	(void)state;
	dequant_ok(QT_F32, in, out, 3);
	assert_memory_equal(in, out, sizeof in);

	put16(h, 0x3c00); put16(h + 2, 0xc000); put16(h + 4, 0x0001); put16(h + 6, 0x7bff);
	dequant_ok(QT_F16, h, out, 4);
	assert_true(out[0] == 1.0f && out[1] == -2.0f && out[2] == 0x1p-24f && out[3] == 65504.0f);

	put16(h, 0x3f80); put16(h + 2, 0xc040); put16(h + 4, 0x4049); put16(h + 6, 0xff80);
	dequant_ok(QT_BF16, h, out, 4);
	assert_true(out[0] == 1.0f && out[1] == -3.0f && out[2] == 3.140625f && isinf(out[3]));
}

static void
test_dequant_q4_0_q4_1(void **state)
{
	uint8_t b[2 * 20];
	float y[64];

	(void)state;
	/* Two Q4_0 blocks: d = 0.5 and d = -2; qs[j] = j | (15 - j) << 4. */
	put16(b, 0x3800);
	put16(b + 18, 0xc000);
	for (int j = 0; j < 16; j++)
		b[2 + j] = b[20 + j] = (uint8_t)(j | ((15 - j) << 4));
	dequant_ok(QT_Q4_0, b, y, 64);
	for (int j = 0; j < 16; j++) {
		assert_true(y[j] == (j - 8) * 0.5f);
		assert_true(y[j + 16] == (7 - j) * 0.5f);
		assert_true(y[32 + j] == (j - 8) * -2.0f);
		assert_true(y[48 + j] == (7 - j) * -2.0f);
	}
	assert_true(y[0] == -4.0f && y[16] == 3.5f && y[63] == 16.0f);

	/* Q4_1: d = 0.25, m = -1. */
	put16(b, 0x3400);
	put16(b + 2, 0xbc00);
	for (int j = 0; j < 16; j++)
		b[4 + j] = (uint8_t)(j | ((15 - j) << 4));
	dequant_ok(QT_Q4_1, b, y, 32);
	for (int j = 0; j < 16; j++) {
		assert_true(y[j] == j * 0.25f - 1.0f);
		assert_true(y[j + 16] == (15 - j) * 0.25f - 1.0f);
	}
	assert_true(y[0] == -1.0f && y[16] == 2.75f);
}

static void
test_dequant_q5_0_q5_1(void **state)
{
	uint8_t b[24];
	float y[32];
	/* 5th bits: elements 0..15 get bit (qh >> j) & 1, 16..31 (qh >> (j+16)) & 1. */
	const uint32_t qh = 0x00108421u | (1u << 20) | (1u << 31);

	(void)state;
	put16(b, 0x3c00); /* d = 1 */
	b[2] = (uint8_t)qh; b[3] = (uint8_t)(qh >> 8); b[4] = (uint8_t)(qh >> 16); b[5] = (uint8_t)(qh >> 24);
	for (int j = 0; j < 16; j++)
		b[6 + j] = (uint8_t)(j | ((15 - j) << 4));
	dequant_ok(QT_Q5_0, b, y, 32);
	for (int j = 0; j < 32; j++) {
		int q4 = j < 16 ? j : 15 - (j - 16);
		int q5 = q4 | (int)(((qh >> j) & 1) << 4);

		assert_true(y[j] == (float)(q5 - 16));
	}
	/* Spot values worked out by hand: element 0 has its bit (0 | 16) - 16
	 * = 0; element 1 has none: 1 - 16; element 20 (q4 = 11) has it. */
	assert_true(y[0] == 0.0f && y[1] == -15.0f && y[5] == 5.0f && y[20] == 11.0f && y[21] == -6.0f);
	assert_true(y[31] == 0.0f);

	put16(b, 0x3800); /* d = 0.5 */
	put16(b + 2, 0x4200); /* m = 3 */
	b[4] = (uint8_t)qh; b[5] = (uint8_t)(qh >> 8); b[6] = (uint8_t)(qh >> 16); b[7] = (uint8_t)(qh >> 24);
	for (int j = 0; j < 16; j++)
		b[8 + j] = (uint8_t)(j | ((15 - j) << 4));
	dequant_ok(QT_Q5_1, b, y, 32);
	for (int j = 0; j < 32; j++) {
		int q4 = j < 16 ? j : 15 - (j - 16);
		int q5 = q4 | (int)(((qh >> j) & 1) << 4);

		assert_true(y[j] == q5 * 0.5f + 3.0f);
	}
	assert_true(y[0] == 11.0f && y[1] == 3.5f && y[20] == 16.5f);
}

static void
test_dequant_q8_0_q8_1(void **state)
{
	uint8_t b[36];
	float y[32];

	(void)state;
	put16(b, 0x3000); /* d = 0.125 */
	for (int j = 0; j < 32; j++)
		b[2 + j] = (uint8_t)(int8_t)(j * 8 - 128);
	dequant_ok(QT_Q8_0, b, y, 32);
	for (int j = 0; j < 32; j++)
		assert_true(y[j] == (j * 8 - 128) * 0.125f);
	assert_true(y[0] == -16.0f && y[31] == 15.0f);

	/* Q8_1: d @0 = 2, s @2 is not part of the values, qs @4. */
	put16(b, 0x4000);
	put16(b + 2, 0x7bff);
	for (int j = 0; j < 32; j++)
		b[4 + j] = (uint8_t)(int8_t)(127 - j * 8);
	dequant_ok(QT_Q8_1, b, y, 32);
	for (int j = 0; j < 32; j++)
		assert_true(y[j] == (127 - j * 8) * 2.0f);
}

/* Pack 8 six-bit scales and mins the way get_scale_min_k4 reads them. */
static void
pack_k4_scales(uint8_t *q, const uint8_t *sc, const uint8_t *m)
{
	for (int j = 0; j < 4; j++) {
		q[j] = (uint8_t)(sc[j] | ((sc[j + 4] >> 4) << 6));
		q[j + 4] = (uint8_t)(m[j] | ((m[j + 4] >> 4) << 6));
		q[j + 8] = (uint8_t)((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
	}
}

static const uint8_t k4_sc[8] = { 1, 2, 3, 63, 17, 33, 48, 5 };
static const uint8_t k4_m[8] = { 0, 1, 62, 3, 20, 40, 16, 7 };

static void
test_dequant_q4_k(void **state)
{
	uint8_t b[Q4_K_BYTES];
	float y[QK_K];

	(void)state;
	put16(b, 0x3c00);     /* d = 1 */
	put16(b + 2, 0x3800); /* dmin = 0.5 */
	pack_k4_scales(b + 4, k4_sc, k4_m);
	for (int c = 0; c < 4; c++)
		for (int l = 0; l < 32; l++)
			b[16 + 32 * c + l] = (uint8_t)((l & 15) | (((l + c) & 15) << 4));
	dequant_ok(QT_Q4_K, b, y, QK_K);
	for (int c = 0; c < 4; c++) {
		for (int l = 0; l < 32; l++) {
			assert_true(y[64 * c + l] == k4_sc[2 * c] * (float)(l & 15) - 0.5f * k4_m[2 * c]);
			assert_true(y[64 * c + 32 + l] ==
				k4_sc[2 * c + 1] * (float)((l + c) & 15) - 0.5f * k4_m[2 * c + 1]);
		}
	}
	/* By hand: element 64*1+3: sc 3, q 3, m 62 -> 9 - 31 = -22;
	 * element 64*3+32+15: sc 5, q (15+3)&15 = 2, m 7 -> 10 - 3.5. */
	assert_true(y[67] == -22.0f);
	assert_true(y[64 * 3 + 32 + 15] == 6.5f);
	assert_true(y[64 * 2 + 32 + 1] == 33 * 3 - 20.0f);
}

static void
test_dequant_q5_k(void **state)
{
	uint8_t b[Q5_K_BYTES];
	float y[QK_K];

	(void)state;
	put16(b, 0x3c00);
	put16(b + 2, 0x3800);
	pack_k4_scales(b + 4, k4_sc, k4_m);
	for (int l = 0; l < 32; l++)
		b[16 + l] = (uint8_t)(l * 37 + 11);
	for (int c = 0; c < 4; c++)
		for (int l = 0; l < 32; l++)
			b[48 + 32 * c + l] = (uint8_t)((l & 15) | (((l + c) & 15) << 4));
	dequant_ok(QT_Q5_K, b, y, QK_K);
	for (int c = 0; c < 4; c++) {
		for (int l = 0; l < 32; l++) {
			uint8_t qh = b[16 + l];
			int lo = (l & 15) + (((qh >> (2 * c)) & 1) << 4);
			int hi = ((l + c) & 15) + (((qh >> (2 * c + 1)) & 1) << 4);

			assert_true(y[64 * c + l] == k4_sc[2 * c] * (float)lo - 0.5f * k4_m[2 * c]);
			assert_true(y[64 * c + 32 + l] == k4_sc[2 * c + 1] * (float)hi - 0.5f * k4_m[2 * c + 1]);
		}
	}
	/* By hand: qh[0] = 11 = 0b1011. Element 0 (bit 0 set): 1 * 16 - 0;
	 * element 32 (bit 1 set): 2 * 16 - 0.5 * 1; element 64 (bit 2 clear):
	 * 3 * 0 - 0.5 * 62; element 96 (bit 3 set, q4 1): 63 * 17 - 0.5 * 3. */
	assert_true(y[0] == 16.0f && y[32] == 31.5f && y[64] == -31.0f && y[96] == 63 * 17 - 1.5f);
}

static void
test_dequant_q6_k(void **state)
{
	static const int8_t sc[16] = { 1, -2, 3, -4, 5, 127, -128, 8, 9, 10, -11, 12, 13, 14, 15, -16 };
	uint8_t b[Q6_K_BYTES];
	float y[QK_K];

	(void)state;
	for (int i = 0; i < 128; i++)
		b[i] = (uint8_t)(i * 29 + 3);
	for (int i = 0; i < 64; i++)
		b[128 + i] = (uint8_t)(i * 53 + 7);
	memcpy(b + 192, sc, 16);
	put16(b + 208, 0x3800); /* d = 0.5 */
	dequant_ok(QT_Q6_K, b, y, QK_K);
	/* The layout as ggml-formats.md spells it: half h, l in 0..31. */
	for (int h = 0; h < 2; h++) {
		const uint8_t *ql = b + 64 * h, *qh = b + 128 + 32 * h;
		const int8_t *s = sc + 8 * h;

		for (int l = 0; l < 32; l++) {
			int is = l / 16;
			int q1 = (ql[l] & 15) | ((qh[l] & 3) << 4);
			int q2 = (ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4);
			int q3 = (ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4);
			int q4 = (ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4);

			assert_true(y[128 * h + l] == 0.5f * s[is] * (float)(q1 - 32));
			assert_true(y[128 * h + l + 32] == 0.5f * s[is + 2] * (float)(q2 - 32));
			assert_true(y[128 * h + l + 64] == 0.5f * s[is + 4] * (float)(q3 - 32));
			assert_true(y[128 * h + l + 96] == 0.5f * s[is + 6] * (float)(q4 - 32));
		}
	}
	/* By hand: ql[0] = 3, qh[0] = 7 -> q1 = 3 | 3<<4 = 51, scale 1:
	 * 0.5 * 19; q3 = 0 | (0 << 4) = 0 -> 0.5 * 5 * -32. */
	assert_true(y[0] == 9.5f);
	assert_true(y[64] == -80.0f);
}

static void
test_dequant_q8_k(void **state)
{
	uint8_t b[2 * Q8_K_BYTES];
	float y[2 * QK_K], d0 = 0.75f, d1 = -1e-3f;

	(void)state;
	memcpy(b, &d0, 4);
	memcpy(b + Q8_K_BYTES, &d1, 4);
	for (int j = 0; j < QK_K; j++)
		b[4 + j] = b[Q8_K_BYTES + 4 + j] = (uint8_t)j; /* int8: 0..127, -128..-1 */
	memset(b + 260, 0x5a, 32); /* bsums: ignored */
	memset(b + Q8_K_BYTES + 260, 0xa5, 32);
	dequant_ok(QT_Q8_K, b, y, 2 * QK_K);
	for (int j = 0; j < QK_K; j++) {
		assert_true(y[j] == d0 * (float)(int8_t)j);
		assert_true(y[QK_K + j] == d1 * (float)(int8_t)j);
	}
	assert_true(y[128] == -96.0f && y[255] == -0.75f);
}

static void
test_dequant_errors(void **state)
{
	uint8_t b[Q4_K_BYTES] = { 0 };
	float y[QK_K];
	errmsg err;

	(void)state;
	assert_int_equal(quant_dequant_row(QT_Q2_K, b, y, QK_K, &err), -1);
	assert_non_null(strstr(err.text, "q2_K"));
	assert_int_equal(quant_dequant_row(4, b, y, 32, &err), -1);
	assert_non_null(strstr(err.text, "unknown"));
	assert_int_equal(quant_dequant_row(1000, b, y, 32, &err), -1);
	assert_int_equal(quant_dequant_row(QT_Q4_K, b, y, 128, &err), -1);
	assert_non_null(strstr(err.text, "128"));
	assert_int_equal(quant_dequant_row(QT_Q8_0, b, y, -32, &err), -1);
	assert_int_equal(quant_dequant_row(QT_Q4_K, b, y, 0, NULL), 0);
}

/* The type table (qtype.c) and the dequantizer agree on what is supported
 * and on block geometry. */
static void
test_table_matches_dequant(void **state)
{
	static const struct { uint32_t t, elems, bytes; } geo[] = {
		{ QT_F32, 1, 4 }, { QT_F16, 1, 2 }, { QT_BF16, 1, 2 },
		{ QT_Q4_0, 32, 18 }, { QT_Q4_1, 32, 20 }, { QT_Q5_0, 32, 22 }, { QT_Q5_1, 32, 24 },
		{ QT_Q8_0, 32, Q8_0_BYTES }, { QT_Q8_1, 32, Q8_1_BYTES },
		{ QT_Q4_K, QK_K, Q4_K_BYTES }, { QT_Q5_K, QK_K, Q5_K_BYTES },
		{ QT_Q6_K, QK_K, Q6_K_BYTES }, { QT_Q8_K, QK_K, Q8_K_BYTES },
	};
	uint8_t b[8] = { 0 };
	float y[1];

	(void)state;
	for (uint32_t t = 0; t < QT_COUNT + 2; t++) {
		const quant_info *qi = quant_type_info(t);
		int ok = quant_dequant_row(t, b, y, 0, NULL) == 0;

		if (qi == NULL)
			assert_false(ok);
		else if (qi->can_dequant != ok)
			fail_msg("type %s: table says can_dequant=%d, dequantizer %d", qi->name,
				qi->can_dequant, ok);
	}
	for (size_t i = 0; i < sizeof geo / sizeof geo[0]; i++) {
		const quant_info *qi = quant_type_info(geo[i].t);

		assert_non_null(qi);
		assert_true(qi->can_dequant);
		assert_int_equal(qi->block_elems, geo[i].elems);
		assert_int_equal(qi->block_bytes, geo[i].bytes);
	}
}

/* ---------------------------------------------------------------- quantizers */

#define GN (64 * QK_K)

/* Relative RMS error ||deq - x|| / ||x|| of a quantize/dequantize round
 * trip of GN Gaussian values with a per-256 scale spread. */
static double
round_trip_rel_rms(uint32_t type, void (*quantize)(const float *, void *, int64_t),
	size_t bytes, float *maxerr_over_amax)
{
	float *x = malloc(GN * sizeof *x), *y = malloc(GN * sizeof *y);
	uint8_t *q = malloc(bytes);
	double e2 = 0, x2 = 0;
	float worst = 0;

	assert_non_null(x); assert_non_null(y); assert_non_null(q);
	rng_state = 777;
	for (int i = 0; i < GN; i++)
		x[i] = rng_gauss() * (0.01f + (float)((i / QK_K) % 7));
	quantize(x, q, GN);
	dequant_ok(type, q, y, GN);
	for (int b = 0; b < GN / 32; b++) {
		float amax = 0, emax = 0;

		for (int j = 0; j < 32; j++) {
			int i = 32 * b + j;
			double e = (double)y[i] - x[i];

			e2 += e * e;
			x2 += (double)x[i] * x[i];
			amax = fmaxf(amax, fabsf(x[i]));
			emax = fmaxf(emax, fabsf((float)e));
		}
		if (amax > 0 && emax / amax > worst)
			worst = emax / amax;
	}
	free(x); free(y); free(q);
	if (maxerr_over_amax)
		*maxerr_over_amax = worst;
	return sqrt(e2 / x2);
}

static void
test_quantize_error_bounds(void **state)
{
	float worst;
	double r;

	(void)state;
	/* Gaussian round-trip errors of ggml's reference quantizers are about
	 * 7.2% (Q4_K), 1.8% (Q6_K) and 0.53% (Q8_0 / Q8_1); the bounds leave some
	 * room, while a wrong nibble, scale or sign order gives 50% or more. */
	r = round_trip_rel_rms(QT_Q4_K, quant_quantize_q4_k, GN / QK_K * Q4_K_BYTES, NULL);
	print_message("q4_K rel rms %.5f\n", r);
	assert_true(r < 0.08 && r > 0.05);
	r = round_trip_rel_rms(QT_Q6_K, quant_quantize_q6_k, GN / QK_K * Q6_K_BYTES, NULL);
	print_message("q6_K rel rms %.5f\n", r);
	assert_true(r < 0.02 && r > 0.01);
	r = round_trip_rel_rms(QT_Q8_0, quant_quantize_q8_0, GN / 32 * Q8_0_BYTES, &worst);
	print_message("q8_0 rel rms %.5f, worst |err|/amax %.5f\n", r, worst);
	assert_true(r < 0.007);
	/* Each value is within half a step (amax/254) plus the f16 rounding of
	 * d (127 steps * 2^-11 relative). */
	assert_true(worst <= (0.5f + 127 * 0x1p-11f) / 127 * 1.0001f);
	r = round_trip_rel_rms(QT_Q8_1, quant_quantize_q8_1, GN / 32 * Q8_1_BYTES, &worst);
	print_message("q8_1 rel rms %.5f, worst |err|/amax %.5f\n", r, worst);
	assert_true(r < 0.007);
	assert_true(worst <= (0.5f + 127 * 0x1p-11f) / 127 * 1.0001f);
}

/* Zero input gives an all-zero block (and zero output) in every format. */
static void
test_quantize_zero(void **state)
{
	float x[QK_K] = { 0 }, y[QK_K];
	uint8_t q[Q8_K_BYTES], zero[Q8_K_BYTES] = { 0 };

	(void)state;
	memset(q, 0xee, sizeof q);
	quant_quantize_q4_k(x, q, QK_K);
	assert_memory_equal(q, zero, Q4_K_BYTES);
	memset(q, 0xee, sizeof q);
	quant_quantize_q6_k(x, q, QK_K);
	assert_memory_equal(q, zero, Q6_K_BYTES);
	memset(q, 0xee, sizeof q);
	quant_quantize_q8_0(x, q, 32);
	assert_memory_equal(q, zero, Q8_0_BYTES);
	memset(q, 0xee, sizeof q);
	quant_quantize_q8_1(x, q, 32);
	assert_memory_equal(q, zero, Q8_1_BYTES);
	dequant_ok(QT_Q8_1, q, y, 32);
	for (int j = 0; j < 32; j++)
		assert_true(y[j] == 0.0f);
}

/* Values exactly on the grid come back exactly. */
static void
test_quantize_exact_grids(void **state)
{
	float x[QK_K], y[QK_K];
	uint8_t q[Q6_K_BYTES];

	(void)state;
	/* Q8_0: amax 127 makes d = 1, so integers are kept. */
	for (int j = 0; j < 32; j++)
		x[j] = (float)(j * 8 - 127 + (j == 0 ? 0 : 1));
	x[5] = 127.0f;
	quant_quantize_q8_0(x, q, 32);
	assert_int_equal(get16(q), 0x3c00);
	dequant_ok(QT_Q8_0, q, y, 32);
	assert_memory_equal(x, y, 32 * sizeof *x);

	/* Q4_K: each 32-group uses the 16 levels 0..15 of step 1 and offset
	 * -8 (min 8): the search finds scale 1, min 8 exactly. */
	for (int i = 0; i < QK_K; i++)
		x[i] = (float)((i * 7) % 16 - 8);
	quant_quantize_q4_k(x, q, QK_K);
	dequant_ok(QT_Q4_K, q, y, QK_K);
	for (int i = 0; i < QK_K; i++)
		assert_true(fabsf(y[i] - x[i]) < 1e-2f);
}

static void
test_q8_1_fields(void **state)
{
	float x[64], y[32];
	uint8_t q[2 * Q8_1_BYTES];

	(void)state;
	/* Block 0: amax 127 -> d = 1; halves round away from zero, as CUDA's
	 * roundf does. Sum = 127 + 2.5 - 2.5 + 0.5 + ... */
	memset(x, 0, sizeof x);
	x[0] = 127.0f; x[1] = 2.5f; x[2] = -2.5f; x[3] = 0.5f; x[4] = -0.5f; x[5] = 1.49f;
	/* Block 1: tiny amax makes d an f16 subnormal. */
	for (int j = 0; j < 32; j++)
		x[32 + j] = (j - 16) * 1e-4f;
	quant_quantize_q8_1(x, q, 64);

	assert_int_equal(get16(q), 0x3c00);                      /* d = 1 */
	assert_int_equal(get16(q + 2), quant_f32_to_f16(128.49f)); /* s = sum of x */
	assert_int_equal((int8_t)q[4 + 0], 127);
	assert_int_equal((int8_t)q[4 + 1], 3);
	assert_int_equal((int8_t)q[4 + 2], -3);
	assert_int_equal((int8_t)q[4 + 3], 1);
	assert_int_equal((int8_t)q[4 + 4], -1);
	assert_int_equal((int8_t)q[4 + 5], 1);
	assert_int_equal((int8_t)q[4 + 6], 0);

	{
		const uint8_t *b = q + Q8_1_BYTES;
		float amax = 16 * 1e-4f, d = amax / 127;

		assert_int_equal(get16(b), quant_f32_to_f16(d));
		assert_true(get16(b) < 0x0400); /* subnormal half */
		assert_int_equal((int8_t)b[4 + 0], -127);
		assert_int_equal((int8_t)b[4 + 16], 0);
		assert_int_equal((int8_t)b[4 + 31], (int)roundf(15 * 1e-4f / d));
		dequant_ok(QT_Q8_1, b, y, 32);
		/* Dequantized with the rounded (subnormal) d: coarse. */
		assert_true(fabsf(y[0] + amax) < amax * 0.01f);
	}

	/* The sum overflows f16 at |s| > 65504 (an fp16 hazard of Q8_1): s is
	 * +Inf while d and the values are fine. */
	for (int j = 0; j < 32; j++)
		x[j] = 3000.0f;
	quant_quantize_q8_1(x, q, 32);
	assert_int_equal(get16(q + 2), 0x7c00);
	assert_int_equal((int8_t)q[4], 127);
	assert_int_equal(get16(q), quant_f32_to_f16(3000.0f / 127));
}

/* The vector-lane searches give the same bytes as the one-group-at-a-time
 * code on data that exercises every branch: Gaussian at several scales,
 * all-positive groups (min clamped to 0), outliers, constant, zero and
 * near-zero groups (the lanes' scalar fallback) mixed into one block. */
static void
test_lanes_match_scalar(void **state)
{
	enum { nb = 600 };
	float *x = malloc(nb * QK_K * sizeof *x);
	uint8_t *a = malloc(nb * Q6_K_BYTES), *b = malloc(nb * Q6_K_BYTES);

	(void)state;
	assert_non_null(x); assert_non_null(a); assert_non_null(b);
	rng_state = 4242;
	for (int i = 0; i < nb * QK_K; i++) {
		int blk = i / QK_K, g16 = i / 16, g32 = i / 32;
		float v = rng_gauss();

		switch (blk % 8) {
		case 0: x[i] = v; break;
		case 1: x[i] = v * 1e-4f; break;
		case 2: x[i] = fabsf(v) + 0.25f; break;
		case 3: x[i] = i % 61 == 0 ? v * 100 : v; break;
		case 4: x[i] = g32 % 3 == 0 ? 0.0f : g32 % 3 == 1 ? -0.5f : v; break;
		case 5: x[i] = g16 % 2 ? 1e-17f * v : v; break;
		case 6: x[i] = g32 % 2 ? 2.0f : v * 1e3f; break;
		default: x[i] = (float)((i * 7) % 16 - 8) * (g32 % 4 == 0 ? 1.0f : 0.37f); break;
		}
	}
	quant_quantize_q4_k(x, a, nb * QK_K);
	quant_quantize_q4_k_scalar(x, b, nb * QK_K);
	for (int i = 0; i < nb; i++)
		if (memcmp(a + i * Q4_K_BYTES, b + i * Q4_K_BYTES, Q4_K_BYTES) != 0)
			fail_msg("q4_K block %d (kind %d): lanes and scalar differ", i, i % 8);
	quant_quantize_q6_k(x, a, nb * QK_K);
	quant_quantize_q6_k_scalar(x, b, nb * QK_K);
	for (int i = 0; i < nb; i++)
		if (memcmp(a + i * Q6_K_BYTES, b + i * Q6_K_BYTES, Q6_K_BYTES) != 0)
			fail_msg("q6_K block %d (kind %d): lanes and scalar differ", i, i % 8);
	free(x); free(a); free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_f16_known),
		cmocka_unit_test(test_f16_exhaustive_round_trip),
		cmocka_unit_test(test_f16_rounding_midpoints),
#ifdef __FLT16_MANT_DIG__
		cmocka_unit_test(test_f16_vs_compiler),
#endif
		cmocka_unit_test(test_bf16),
		cmocka_unit_test(test_dequant_plain),
		cmocka_unit_test(test_dequant_q4_0_q4_1),
		cmocka_unit_test(test_dequant_q5_0_q5_1),
		cmocka_unit_test(test_dequant_q8_0_q8_1),
		cmocka_unit_test(test_dequant_q4_k),
		cmocka_unit_test(test_dequant_q5_k),
		cmocka_unit_test(test_dequant_q6_k),
		cmocka_unit_test(test_dequant_q8_k),
		cmocka_unit_test(test_dequant_errors),
		cmocka_unit_test(test_table_matches_dequant),
		cmocka_unit_test(test_quantize_error_bounds),
		cmocka_unit_test(test_lanes_match_scalar),
		cmocka_unit_test(test_quantize_zero),
		cmocka_unit_test(test_quantize_exact_grids),
		cmocka_unit_test(test_q8_1_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
