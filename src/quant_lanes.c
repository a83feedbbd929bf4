/* quant_lanes: the Q4_K and Q6_K searches run on all sub-blocks of a
 * super-block at once, one sub-block per vector lane.
 *
 * ggml's reference quantizers spend nearly all their time in
 * make_qkx2_quants / make_qx_quants, whose sums are long chains of
 * dependent float additions. The sub-blocks of a block are independent, so
 * running them side by side (8 lanes for Q4_K's 32-element sub-blocks, 16
 * for Q6_K's 16-element ones) overlaps those chains. Every lane performs
 * exactly the scalar operations of quant_k.c in the same order, and the
 * data-dependent branches become per-lane selects, so the bytes are
 * identical to the scalar code (tests/unit/test_quant.c checks this).
 * Lanes whose group is degenerate (all values equal, or all zero) are
 * redone by the scalar code, which handles them with early returns. */
#include "config.h"

#include <math.h>

#include "quant.h"
#include "quant_priv.h"

/* GCC and clang vector extensions: a vector op is the scalar op per lane,
 * with IEEE float semantics, so results match scalar code bit for bit.
 * The helpers below are static and inlined, so the vector ABI GCC warns
 * about never crosses a call. */
#pragma GCC diagnostic ignored "-Wpsabi"
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

/* GCC builds an AVX2 copy too and picks it at load time; AVX2 has no FMA,
 * so the arithmetic stays the same. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define QUANT_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef QUANT_CLONES
#define QUANT_CLONES
#endif

/* Per-lane a where m is set (all ones), b elsewhere. */
#define SEL(VF, VI, m, a, b) ((VF)(((VI)(a) & (m)) | ((VI)(b) & ~(m))))

/* ---------------------------------------------------------------- Q4_K */

/* ggml's nearest_int per lane. */
static inline __attribute__((always_inline)) v8i
nearest8(v8f f)
{
	v8f v = f + 12582912.f;

	return ((v8i)v & 0x007fffff) - 0x00400000;
}

static inline __attribute__((always_inline)) v8i
clamp8(v8i l, int lo, int hi)
{
	v8i m = l < lo;

	l = (l & ~m) | (((v8i){ 0 } + lo) & m);
	m = l > hi;
	return (l & ~m) | (((v8i){ 0 } + hi) & m);
}

/* make_qkx2_quants(32, 15, ..., rmin -1, rdelta 0.1, nstep 20, no MAD) for
 * the 8 sub-blocks of one block: x holds 256 floats, L gets 256 levels,
 * scales/mins the 8 results. */
QUANT_CLONES void
quant_q4_k_search8(const float *x, uint8_t *L, float *scales, float *mins)
{
	enum { n = 32, nmax = 15, nstep = 20 };
	const float rmin = -1.f, rdelta = 0.1f;
	v8f xs[n], ws[n];
	v8i Ls[n], La[n];
	v8f min, max, sum_w, sum_x, sum_x2 = { 0 }, iscale, scale, best_error = { 0 }, range;
	v8i degenerate;

	for (int i = 0; i < n; i++)
		for (int j = 0; j < 8; j++)
			xs[i][j] = x[32 * j + i];
	/* Weights: rms of the sub-block plus |x|. */
	for (int i = 0; i < n; i++)
		sum_x2 += xs[i] * xs[i];
	{
		v8f av_x;

		sum_x2 = sum_x2 / 32;
		for (int j = 0; j < 8; j++)
			av_x[j] = sqrtf(sum_x2[j]);
		for (int i = 0; i < n; i++)
			ws[i] = av_x + (v8f)((v8i)xs[i] & 0x7fffffff);
	}

	min = max = xs[0];
	sum_w = ws[0];
	sum_x = sum_w * xs[0];
	for (int i = 1; i < n; i++) {
		min = SEL(v8f, v8i, xs[i] < min, xs[i], min);
		max = SEL(v8f, v8i, xs[i] > max, xs[i], max);
		sum_w += ws[i];
		sum_x += ws[i] * xs[i];
	}
	min = SEL(v8f, v8i, min > 0, (v8f){ 0 }, min);
	degenerate = max == min;

	range = max - min;
	iscale = (float)nmax / range;
	scale = 1.0f / iscale;
	for (int i = 0; i < n; i++) {
		v8f diff;

		Ls[i] = clamp8(nearest8(iscale * (xs[i] - min)), 0, nmax);
		diff = scale * __builtin_convertvector(Ls[i], v8f) + min - xs[i];
		diff = diff * diff;
		best_error += ws[i] * diff;
	}
	for (int is = 0; is <= nstep; is++) {
		v8f sum_l = { 0 }, sum_l2 = { 0 }, sum_xl = { 0 }, cur_error = { 0 };
		v8f D, this_scale, this_min;
		v8i pos, upd;

		iscale = (rmin + rdelta * is + nmax) / (max - min);
		for (int i = 0; i < n; i++) {
			v8f l;

			La[i] = clamp8(nearest8(iscale * (xs[i] - min)), 0, nmax);
			l = __builtin_convertvector(La[i], v8f);
			sum_l += ws[i] * l;
			sum_l2 += ws[i] * l * l;
			sum_xl += ws[i] * l * xs[i];
		}
		D = sum_w * sum_l2 - sum_l * sum_l;
		this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
		this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
		pos = this_min > 0;
		this_min = SEL(v8f, v8i, pos, (v8f){ 0 }, this_min);
		this_scale = SEL(v8f, v8i, pos, sum_xl / sum_l2, this_scale);
		for (int i = 0; i < n; i++) {
			v8f diff = this_scale * __builtin_convertvector(La[i], v8f) + this_min - xs[i];

			diff = diff * diff;
			cur_error += ws[i] * diff;
		}
		/* A lane with D <= 0 skips the trial, whatever garbage the
		 * division left in it. */
		upd = (D > 0) & (cur_error < best_error);
		for (int i = 0; i < n; i++)
			Ls[i] = (Ls[i] & ~upd) | (La[i] & upd);
		best_error = SEL(v8f, v8i, upd, cur_error, best_error);
		scale = SEL(v8f, v8i, upd, this_scale, scale);
		min = SEL(v8f, v8i, upd, this_min, min);
	}

	for (int j = 0; j < 8; j++) {
		if (degenerate[j]) {
			scales[j] = quant_q4_k_search_scalar(x + 32 * j, L + 32 * j, &mins[j]);
			continue;
		}
		scales[j] = scale[j];
		mins[j] = -min[j];
		for (int i = 0; i < n; i++)
			L[32 * j + i] = (uint8_t)Ls[i][j];
	}
}

/* ---------------------------------------------------------------- Q6_K */

/* make_qx_quants(16, 32, ..., rmse_type 1) for 8 groups of 16 values (one
 * half of a Q6_K block): L gets 128 levels (+32), scales the 8 results. */
static inline __attribute__((always_inline)) void
q6_k_search8(const float *x, int8_t *L, float *scales)
{
	enum { n = 16, nmax = 32 };
	v8f xs[n], w[n];
	v8i Ls[n], la[n];
	v8f max = { 0 }, amax = { 0 }, iscale, sumlx = { 0 }, suml2 = { 0 }, scale, best;
	v8i tiny;

	for (int i = 0; i < n; i++)
		for (int j = 0; j < 8; j++)
			xs[i][j] = x[16 * j + i];
	for (int i = 0; i < n; i++) {
		v8f ax = (v8f)((v8i)xs[i] & 0x7fffffff);
		v8i m = ax > amax;

		amax = SEL(v8f, v8i, m, ax, amax);
		max = SEL(v8f, v8i, m, xs[i], max);
		w[i] = xs[i] * xs[i];
	}
	tiny = amax < 1e-15f;

	iscale = (float)-nmax / max;
	for (int i = 0; i < n; i++) {
		v8f l;

		la[i] = clamp8(nearest8(iscale * xs[i]), -nmax, nmax - 1);
		Ls[i] = la[i] + nmax;
		l = __builtin_convertvector(la[i], v8f);
		sumlx += w[i] * xs[i] * l;
		suml2 += w[i] * l * l;
	}
	scale = SEL(v8f, v8i, suml2 != 0, sumlx / suml2, (v8f){ 0 });
	best = scale * sumlx;
	for (int is = -9; is <= 9; is++) {
		v8i upd;

		if (is == 0)
			continue;
		iscale = -(nmax + 0.1f * is) / max;
		sumlx = suml2 = (v8f){ 0 };
		for (int i = 0; i < n; i++) {
			v8f l;

			la[i] = clamp8(nearest8(iscale * xs[i]), -nmax, nmax - 1);
			l = __builtin_convertvector(la[i], v8f);
			sumlx += w[i] * xs[i] * l;
			suml2 += w[i] * l * l;
		}
		/* The trial wins where it fits better; the scalar code then
		 * recomputes the same levels, which la[] already holds. */
		upd = (suml2 > 0) & (sumlx * sumlx > best * suml2);
		for (int i = 0; i < n; i++)
			Ls[i] = (Ls[i] & ~upd) | ((la[i] + nmax) & upd);
		scale = SEL(v8f, v8i, upd, sumlx / suml2, scale);
		best = SEL(v8f, v8i, upd, scale * sumlx, best);
	}

	for (int j = 0; j < 8; j++) {
		if (tiny[j]) {
			scales[j] = quant_q6_k_search_scalar(x + 16 * j, L + 16 * j);
			continue;
		}
		scales[j] = scale[j];
		for (int i = 0; i < n; i++)
			L[16 * j + i] = (int8_t)Ls[i][j];
	}
}

/* The 16 groups of one Q6_K block, 8 at a time (inlined, so that each
 * target clone gets its own copy). */
QUANT_CLONES void
quant_q6_k_search16(const float *x, int8_t *L, float *scales)
{
	q6_k_search8(x, L, scales);
	q6_k_search8(x + 128, L + 128, scales + 8);
}
