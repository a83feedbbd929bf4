/* outlier_q8.c: the exact Q8_1 round trip of an input vector, the errors it
 * causes (whole vector, bulk, per block), the uniform-rounding predictions
 * of outliers.md 2.2, and the fp16 hazards of the block header. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outlier.h"
#include "quant.h"
#include "xalloc.h"

#define F16_EXP_MASK 0x7c00u
#define F16_MAN_MASK 0x03ffu
#define HAZARD_ENERGY_SHARE 0.01 /* a weak d matters only in blocks carrying >1% */

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static bool
f16_is_inf(uint16_t h)
{
	return (h & 0x7fffu) == F16_EXP_MASK;
}

/* Quantize x (n values, zero-padded to whole blocks) into a malloc'd Q8_1
 * buffer of *nb blocks. */
static uint8_t *
quantize_padded(const float *x, uint64_t n, uint64_t *nb)
{
	uint64_t blocks = (n + OUTLIER_Q8_BLOCK - 1) / OUTLIER_Q8_BLOCK;
	float *pad = xcalloc((size_t)(blocks * OUTLIER_Q8_BLOCK), sizeof *pad);
	uint8_t *q = xmalloc((size_t)(blocks * Q8_1_BYTES));

	memcpy(pad, x, (size_t)n * sizeof *x);
	quant_quantize_q8_1(pad, q, (int64_t)(blocks * OUTLIER_Q8_BLOCK));
	free(pad);
	*nb = blocks;
	return q;
}

/* Dequantize block values the way the dp4a kernels consume them: the fp16 d
 * widened to float, times the int8 value. */
static void
dequant_blocks(const uint8_t *q, uint64_t n, float *xq)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		const uint8_t *blk = q + (i / OUTLIER_Q8_BLOCK) * Q8_1_BYTES;
		float d = quant_f16_to_f32(rd16(blk));

		xq[i] = d * (float)(int8_t)blk[4 + i % OUTLIER_Q8_BLOCK];
	}
}

void
outlier_q8_roundtrip(const float *x, uint64_t n, float *xq)
{
	uint64_t nb;
	uint8_t *q;

	if (n == 0)
		return;
	q = quantize_padded(x, n, &nb);
	dequant_blocks(q, n, xq);
	free(q);
}

double
outlier_q8_eps_bulk_closed(double c, uint64_t k)
{
	if (k == 0)
		return NAN;
	return sqrt(OUTLIER_EPS_G2 + (OUTLIER_Q8_BLOCK - 1) / (double)k *
		(1.0 - exp(-c * c / OUTLIER_Q8_LEVELS2)));
}

static void
worst_insert(outlier_q8 *q, const outlier_q8_block *b)
{
	size_t pos = q->n_worst;

	if (q->n_worst == OUTLIER_TOP && !(b->rel_err > q->worst[OUTLIER_TOP - 1].rel_err))
		return;
	if (q->n_worst < OUTLIER_TOP)
		q->n_worst++;
	else
		pos = OUTLIER_TOP - 1;
	while (pos > 0 && b->rel_err > q->worst[pos - 1].rel_err) {
		q->worst[pos] = q->worst[pos - 1];
		pos--;
	}
	q->worst[pos] = *b;
}

/* Classify the fp16 header of every block; sets the hazard counters. */
static void
check_hazards(outlier_q8 *q, const uint8_t *qb, const double *block_e2, double total_e2,
	const double *amax)
{
	uint64_t b;

	for (b = 0; b < q->n_blocks; b++) {
		uint16_t d16 = rd16(qb + b * Q8_1_BYTES), s16 = rd16(qb + b * Q8_1_BYTES + 2);
		bool heavy = total_e2 > 0.0 && block_e2[b] > HAZARD_ENERGY_SHARE * total_e2;

		if (f16_is_inf(d16))
			q->n_d_overflow++;
		else if (d16 == 0 && amax[b] > 0.0) {
			q->n_d_zero++;
			if (heavy && !q->hazard)
				snprintf(q->hazard_why, sizeof q->hazard_why,
					"block %llu: d flushes to 0 in fp16 (amax %.3g)",
					(unsigned long long)b, amax[b]);
			q->hazard |= heavy;
		} else if ((d16 & F16_EXP_MASK) == 0 && (d16 & F16_MAN_MASK) != 0) {
			q->n_d_subnormal++;
			if (heavy && !q->hazard)
				snprintf(q->hazard_why, sizeof q->hazard_why,
					"block %llu: d is fp16-subnormal (amax %.3g)",
					(unsigned long long)b, amax[b]);
			q->hazard |= heavy;
		}
		if (f16_is_inf(s16))
			q->n_s_overflow++;
	}
	/* Overflows are hazards wherever they happen; they override the text. */
	if (q->n_d_overflow > 0) {
		q->hazard = true;
		snprintf(q->hazard_why, sizeof q->hazard_why,
			"%llu blocks with d = amax/127 beyond fp16 (Inf)",
			(unsigned long long)q->n_d_overflow);
	} else if (q->n_s_overflow > 0) {
		q->hazard = true;
		snprintf(q->hazard_why, sizeof q->hazard_why,
			"%llu blocks with |sum| %.6g beyond fp16 (s = Inf)",
			(unsigned long long)q->n_s_overflow, q->max_block_sum);
	}
}

void
outlier_q8_analyze(const float *x, uint64_t n, double mult, float *xq_out, outlier_q8 *out)
{
	double sum_sq = 0.0, rms, thr, e2 = 0.0, e2_bulk = 0.0, x2_bulk = 0.0, amax2_sum = 0.0;
	double *block_e2, *amax, pred_terms = 0.0, rms_bulk;
	bool *block_has_o;
	uint8_t *qb;
	float *xq;
	uint64_t i, b, nb;

	memset(out, 0, sizeof *out);
	out->n = n;
	if (n == 0) {
		snprintf(out->why, sizeof out->why, "empty input");
		return;
	}
	for (i = 0; i < n; i++) {
		if (!isfinite(x[i])) {
			snprintf(out->why, sizeof out->why, "non-finite value at channel %llu",
				(unsigned long long)i);
			return;
		}
		sum_sq += (double)x[i] * x[i];
	}
	out->valid = true;
	rms = sqrt(sum_sq / (double)n);
	thr = mult * rms;

	qb = quantize_padded(x, n, &nb);
	out->n_blocks = nb;
	out->n_pad = nb * OUTLIER_Q8_BLOCK - n;
	xq = xq_out != NULL ? xq_out : xmalloc((size_t)n * sizeof *xq);
	dequant_blocks(qb, n, xq);

	out->block_err = xcalloc((size_t)nb, sizeof *out->block_err);
	block_e2 = xcalloc((size_t)nb, sizeof *block_e2);
	amax = xcalloc((size_t)nb, sizeof *amax);
	block_has_o = xcalloc((size_t)nb, sizeof *block_has_o);
	for (b = 0; b < nb; b++) {
		uint64_t lo = b * OUTLIER_Q8_BLOCK, hi = lo + OUTLIER_Q8_BLOCK < n ? lo + OUTLIER_Q8_BLOCK : n;
		double be2 = 0.0, bx2 = 0.0, bsum = 0.0;
		outlier_q8_block ob = { .block = b };

		for (i = lo; i < hi; i++) {
			double v = x[i], d = (double)xq[i] - v, a = fabs(v);

			be2 += d * d;
			bx2 += v * v;
			bsum += v;
			if (a > amax[b])
				amax[b] = a;
			if (a > thr) {
				block_has_o[b] = true;
				out->n_outlier_ch++;
			} else {
				e2_bulk += d * d;
				x2_bulk += v * v;
			}
			if (v != 0.0 && xq[i] == 0.0f)
				ob.n_zeroed++;
		}
		e2 += be2;
		block_e2[b] = bx2;
		amax2_sum += amax[b] * amax[b];
		if (fabs(bsum) > out->max_block_sum)
			out->max_block_sum = fabs(bsum);
		out->block_err[b] = bx2 > 0.0 ? sqrt(be2 / bx2) : 0.0;
		out->n_zeroed += ob.n_zeroed;
		ob.rel_err = out->block_err[b];
		ob.amax = amax[b];
		worst_insert(out, &ob);
	}

	out->eps_x_valid = sum_sq > 0.0;
	if (out->eps_x_valid) {
		double nsr;

		out->eps_x = sqrt(e2 / sum_sq);
		out->crest2 = (amax2_sum / (double)nb) / (sum_sq / (double)n);
		nsr = (OUTLIER_Q8_BLOCK - 1.0) / OUTLIER_Q8_BLOCK * out->crest2 / OUTLIER_Q8_LEVELS2;
		out->eps_x_pred = sqrt(nsr);
		out->snr_db_pred = -10.0 * log10(nsr);
	}
	out->eps_bulk_valid = x2_bulk > 0.0;
	if (out->eps_bulk_valid)
		out->eps_bulk = sqrt(e2_bulk / x2_bulk);
	rms_bulk = n > out->n_outlier_ch ? sqrt(x2_bulk / (double)(n - out->n_outlier_ch)) : 0.0;
	if (rms_bulk > 0.0) {
		for (b = 0; b < nb; b++) {
			if (block_has_o[b]) {
				double c = amax[b] / rms_bulk;

				pred_terms += (OUTLIER_Q8_BLOCK - 1) / (double)n *
					(1.0 - exp(-c * c / OUTLIER_Q8_LEVELS2));
			}
		}
		out->eps_bulk_pred_valid = true;
		out->eps_bulk_pred = sqrt(OUTLIER_EPS_G2 + pred_terms);
	}
	out->gemv_pred = out->eps_x;
	check_hazards(out, qb, block_e2, sum_sq, amax);

	free(block_has_o);
	free(amax);
	free(block_e2);
	if (xq != xq_out)
		free(xq);
	free(qb);
}

void
outlier_q8_free(outlier_q8 *q)
{
	if (q == NULL)
		return;
	free(q->block_err);
	q->block_err = NULL;
}
