/* outlier.c: statistics of one input vector and of an imatrix rms profile,
 * quantiles, and ggscope's routing verdict. Pure arithmetic, no I/O. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outlier.h"
#include "xalloc.h"

bool
outlier_seed_verdict(const float *x, size_t n, float mult)
{
	double sum_sq = 0.0;
	float max_abs = 0.0f;
	float rms;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		float ax = fabsf(x[i]);

		if (ax > max_abs)
			max_abs = ax;
		sum_sq += (double)x[i] * (double)x[i];
	}
	/* The seed narrows rms to f32 before comparing, and compares in f32. */
	rms = (float)sqrt(sum_sq / (double)n);
	return rms > 0.0f && max_abs > mult * rms;
}

/* Insert (idx, key) into top[0..*n) kept by key descending. Indices arrive
 * in increasing order, so a strict comparison keeps the lower index first
 * on ties. The key is parked in .mult until the caller rescales it. */
static void
top_insert(outlier_channel *top, size_t *n, size_t cap, uint64_t idx, double key, double value)
{
	size_t pos = *n;

	if (*n == cap && !(key > top[cap - 1].mult))
		return;
	if (*n < cap)
		(*n)++;
	else
		pos = cap - 1;
	while (pos > 0 && key > top[pos - 1].mult) {
		top[pos] = top[pos - 1];
		pos--;
	}
	top[pos].index = idx;
	top[pos].value = value;
	top[pos].mult = key;
}

void
outlier_vec_stats(const float *x, uint64_t n, double mult, outlier_vec *out)
{
	double sum = 0.0, sum_sq = 0.0, m2 = 0.0, m4 = 0.0, thr;
	uint64_t i;
	size_t t;

	memset(out, 0, sizeof *out);
	out->n = n;
	out->mult = mult;
	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		if (!isfinite(x[i])) {
			if (out->n_nonfinite++ == 0)
				out->first_nonfinite = i;
		}
	}
	out->seed_flag = outlier_seed_verdict(x, (size_t)n, (float)mult);
	if (out->n_nonfinite > 0)
		return;
	out->valid = true;
	for (i = 0; i < n; i++) {
		double v = x[i], a = fabs(v);

		sum += v;
		sum_sq += v * v;
		if (a > out->max_abs) {
			out->max_abs = a;
			out->argmax = i;
		}
		top_insert(out->top, &out->n_top, OUTLIER_TOP, i, a, v);
	}
	out->mean = sum / (double)n;
	out->rms = sqrt(sum_sq / (double)n);
	for (i = 0; i < n; i++) {
		double d = (double)x[i] - out->mean, d2 = d * d;

		m2 += d2;
		m4 += d2 * d2;
	}
	m2 /= (double)n;
	m4 /= (double)n;
	if (m2 > 0.0) {
		out->kurtosis_valid = true;
		out->kurtosis = m4 / (m2 * m2);
	}
	out->ratio_valid = out->rms > 0.0;
	if (out->ratio_valid)
		out->max_over_rms = out->max_abs / out->rms;
	for (t = 0; t < out->n_top; t++)
		out->top[t].mult = out->ratio_valid ? out->top[t].mult / out->rms : 0.0;
	thr = mult * out->rms;
	for (i = 0; i < n; i++)
		if (fabs((double)x[i]) > thr)
			out->n_above++;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* numpy.quantile's default: linear interpolation at h = (n-1) p. */
static double
quantile_sorted(const double *v, uint64_t n, double p)
{
	double h = (double)(n - 1) * p;
	uint64_t lo = (uint64_t)floor(h);
	uint64_t hi = lo + 1 < n ? lo + 1 : lo;

	return v[lo] + (h - (double)lo) * (v[hi] - v[lo]);
}

void
outlier_quantiles_of(double *v, uint64_t n, outlier_quantiles *q)
{
	memset(q, 0, sizeof *q);
	q->n = n;
	if (n == 0)
		return;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	q->valid = true;
	q->min = v[0];
	q->max = v[n - 1];
	q->p01 = quantile_sorted(v, n, 0.01);
	q->p10 = quantile_sorted(v, n, 0.10);
	q->p50 = quantile_sorted(v, n, 0.50);
	q->p90 = quantile_sorted(v, n, 0.90);
	q->p99 = quantile_sorted(v, n, 0.99);
}

void
outlier_profile_stats(const double *ms, uint64_t n, double implied_peak, double mult,
	outlier_profile *out)
{
	double sum = 0.0, sum_p2 = 0.0, max_ms = -1.0, top8 = 0.0, bulk;
	double *r;
	uint64_t j;
	size_t t;

	memset(out, 0, sizeof *out);
	out->n = n;
	if (n == 0) {
		snprintf(out->why, sizeof out->why, "no channels");
		return;
	}
	for (j = 0; j < n; j++) {
		if (!isfinite(ms[j]) || ms[j] < 0.0) {
			snprintf(out->why, sizeof out->why, "channel %llu has mean square %g",
				(unsigned long long)j, ms[j]);
			return;
		}
		sum += ms[j];
		if (ms[j] > max_ms) {
			max_ms = ms[j];
			out->top_ch = j;
		}
	}
	if (!(sum > 0.0)) {
		snprintf(out->why, sizeof out->why, "all %llu channels are zero", (unsigned long long)n);
		return;
	}
	out->valid = true;
	out->R = sqrt(sum / (double)n);
	r = xmalloc((size_t)n * sizeof *r);
	for (j = 0; j < n; j++) {
		double p = ms[j] / sum;

		sum_p2 += p * p;
		r[j] = sqrt(ms[j]);
		top_insert(out->top, &out->n_top, OUTLIER_TOP, j, r[j], r[j]);
	}
	out->crest = sqrt(max_ms) / out->R;
	out->top1_share = max_ms / sum;
	for (t = 0; t < out->n_top; t++) {
		top8 += out->top[t].value * out->top[t].value;
		out->top[t].mult = out->top[t].value / out->R;
	}
	out->top8_share = top8 / sum;
	out->n_eff = 1.0 / sum_p2;
	out->kurtosis = (double)n * sum_p2;
	qsort(r, (size_t)n, sizeof *r, cmp_double);
	{
		double med = n % 2 ? r[n / 2] : 0.5 * (r[n / 2 - 1] + r[n / 2]);

		out->median_valid = med > 0.0;
		if (out->median_valid)
			out->max_over_median = sqrt(max_ms) / med;
	}
	free(r);
	out->seed_flag = out->crest > mult;
	bulk = n > 1 ? sqrt((sum - max_ms) / (double)(n - 1)) : 0.0;
	if (isfinite(implied_peak) && implied_peak >= 0.0 && bulk > 0.0) {
		out->peak_valid = true;
		out->implied_peak = implied_peak;
		out->c_peak = implied_peak / bulk;
		out->eps_bulk_pred = outlier_q8_eps_bulk_closed(out->c_peak, n);
	}
}

void
outlier_verdict_vector(const outlier_vec *v, const outlier_q8 *q, const outlier_weights *w,
	double tol, outlier_verdict *out)
{
	memset(out, 0, sizeof *out);
	out->seed_fp32 = v->seed_flag;
	if (v->n == 0) {
		snprintf(out->reason, sizeof out->reason, "empty input");
		return;
	}
	out->valid = true;
	if (v->n_nonfinite > 0) {
		out->fp32 = true;
		snprintf(out->reason, sizeof out->reason, "%llu non-finite input values (first at channel %llu)",
			(unsigned long long)v->n_nonfinite, (unsigned long long)v->first_nonfinite);
		return;
	}
	if (q->hazard) {
		out->fp32 = true;
		snprintf(out->reason, sizeof out->reason, "fp16 hazard: %s", q->hazard_why);
		return;
	}
	if (q->eps_bulk_valid && q->eps_bulk > tol) {
		out->fp32 = true;
		snprintf(out->reason, sizeof out->reason, "eps_bulk %.2f%% > %.2f%%",
			100.0 * q->eps_bulk, 100.0 * tol);
		return;
	}
	if (w != NULL && w->gemv_valid && w->gemv_rel > tol) {
		out->fp32 = true;
		snprintf(out->reason, sizeof out->reason, "simulated GEMV error %.2f%% > %.2f%%",
			100.0 * w->gemv_rel, 100.0 * tol);
		return;
	}
	if (w != NULL && w->gemv_valid)
		snprintf(out->reason, sizeof out->reason, "eps_bulk %.2f%%, GEMV %.2f%% <= %.2f%%",
			100.0 * q->eps_bulk, 100.0 * w->gemv_rel, 100.0 * tol);
	else if (q->eps_bulk_valid)
		snprintf(out->reason, sizeof out->reason, "eps_bulk %.2f%% <= %.2f%%",
			100.0 * q->eps_bulk, 100.0 * tol);
	else
		snprintf(out->reason, sizeof out->reason, "all-zero input quantizes exactly");
}
