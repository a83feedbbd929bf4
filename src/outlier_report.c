/* outlier_report.c: the full analysis of one input vector of one GEMV, and
 * the container for the GPU runner's per-variant measured errors. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outlier.h"
#include "xalloc.h"

int
outlier_report_build(const char *tensor, const float *x, uint64_t k, uint32_t w_type,
	const void *w_data, uint64_t rows, double mult, double tol, int threads,
	outlier_report *out, errmsg *err)
{
	float *xq = NULL;
	int rc = 0;

	memset(out, 0, sizeof *out);
	snprintf(out->tensor, sizeof out->tensor, "%s", tensor != NULL ? tensor : "");
	out->k = k;
	outlier_vec_stats(x, k, mult, &out->vec);
	if (k > 0)
		xq = xmalloc((size_t)k * sizeof *xq);
	outlier_q8_analyze(x, k, mult, xq, &out->q8);
	if (w_data != NULL) {
		float *xb = NULL;
		const float *xp = NULL, *xqp = NULL;

		if (out->q8.valid) {
			double thr = mult * out->vec.rms;
			uint64_t j;

			xb = xmalloc((size_t)k * sizeof *xb);
			for (j = 0; j < k; j++)
				xb[j] = fabs((double)x[j]) > thr ? 0.0f : x[j];
			xp = x;
			xqp = xq;
		}
		rc = outlier_weights_analyze(w_type, w_data, rows, k, xp, xqp, xb, threads, &out->w, err);
		free(xb);
		if (rc == 0)
			out->have_weights = true;
		else if (tensor != NULL)
			errmsg_prefix(err, "%s", tensor);
	}
	free(xq);
	outlier_verdict_vector(&out->vec, &out->q8, out->have_weights ? &out->w : NULL, tol,
		&out->verdict);
	if (rc != 0)
		outlier_report_free(out);
	return rc;
}

void
outlier_report_free(outlier_report *r)
{
	if (r == NULL)
		return;
	outlier_q8_free(&r->q8);
	outlier_weights_free(&r->w);
}

void
outlier_measured_init(outlier_measured *m)
{
	memset(m, 0, sizeof *m);
}

void
outlier_measured_free(outlier_measured *m)
{
	if (m == NULL)
		return;
	free(m->v);
	memset(m, 0, sizeof *m);
}

void
outlier_measured_add(outlier_measured *m, const char *variant, int warps, bool q8_1_input,
	bool valid, double rel_l2, double max_abs, int64_t n_bad, const char *why)
{
	outlier_variant_error *e;

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->v = xreallocarray(m->v, m->cap, sizeof *m->v);
	}
	e = &m->v[m->n++];
	memset(e, 0, sizeof *e);
	snprintf(e->variant, sizeof e->variant, "%s", variant != NULL ? variant : "?");
	e->warps = warps;
	e->q8_1_input = q8_1_input;
	e->valid = valid;
	e->rel_l2 = rel_l2;
	e->max_abs = max_abs;
	e->n_bad = n_bad;
	if (!valid)
		snprintf(e->why, sizeof e->why, "%s", why != NULL ? why : "not measured");
}

bool
outlier_measured_gap(const outlier_measured *m, double *worst_q8, double *best_fp32)
{
	bool have_q8 = false, have_fp = false;
	size_t i;

	*worst_q8 = 0.0;
	*best_fp32 = INFINITY;
	for (i = 0; i < m->n; i++) {
		const outlier_variant_error *e = &m->v[i];
		/* A non-finite output is an infinite error, not a missing one. */
		double err = e->n_bad > 0 ? INFINITY : e->rel_l2;

		if (!e->valid)
			continue;
		if (e->q8_1_input) {
			have_q8 = true;
			if (err > *worst_q8)
				*worst_q8 = err;
		} else {
			have_fp = true;
			if (err < *best_fp32)
				*best_fp32 = err;
		}
	}
	return have_q8 && have_fp;
}

bool
outlier_verdict_measured(outlier_verdict *v, const outlier_measured *m, double tol)
{
	double wq, bf;
	size_t i;
	bool have = false;

	if (m == NULL)
		return false;
	wq = 0.0;
	for (i = 0; i < m->n; i++) {
		const outlier_variant_error *e = &m->v[i];
		double err = e->n_bad > 0 ? INFINITY : e->rel_l2;

		if (e->valid && e->q8_1_input) {
			have = true;
			if (err > wq)
				wq = err;
		}
	}
	if (!have || !(wq > tol) || (v->valid && v->fp32))
		return false;
	v->valid = true;
	v->fp32 = true;
	if (outlier_measured_gap(m, &wq, &bf) && isfinite(wq))
		snprintf(v->reason, sizeof v->reason, "measured Q8_1 variant error %.2f%% > %.2f%% "
			"(best fp32 %.2g%%)", 100.0 * wq, 100.0 * tol, 100.0 * bf);
	else if (isfinite(wq))
		snprintf(v->reason, sizeof v->reason, "measured Q8_1 variant error %.2f%% > %.2f%%",
			100.0 * wq, 100.0 * tol);
	else
		snprintf(v->reason, sizeof v->reason, "a Q8_1 variant produced non-finite outputs");
	return true;
}

void
outlier_report_set_measured(outlier_report *r, const outlier_measured *m, double tol)
{
	r->measured = m;
	outlier_verdict_measured(&r->verdict, m, tol);
}
