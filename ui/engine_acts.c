/* engine: activation sources and the outlier statistics job. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acts.h"
#include "engine_internal.h"
#include "imatrix.h"
#include "outlier.h"
#include "xalloc.h"

/* The sources, in the order `a` cycles through them. */
enum { SRC_SYNTH, SRC_PLANTED, SRC_FILE, SRC_IMATRIX };

/* The source kind of a model source index: the file and the imatrix are
 * listed only when given. */
static int
source_kind(const engine *e, int index)
{
	int kinds[4], n = 0;

	kinds[n++] = SRC_SYNTH;
	kinds[n++] = SRC_PLANTED;
	if (e->opt.act_file != NULL)
		kinds[n++] = SRC_FILE;
	if (e->opt.imatrix_file != NULL)
		kinds[n++] = SRC_IMATRIX;
	return index >= 0 && index < n ? kinds[index] : SRC_SYNTH;
}

int
engine_act_sources(const engine *e, char labels[][64], int max)
{
	int n = 0;

	if (n < max)
		snprintf(labels[n++], 64, "synthetic (seed %llu)", (unsigned long long)e->opt.seed);
	if (n < max)
		snprintf(labels[n++], 64, "synthetic + planted outliers");
	if (e->opt.act_file != NULL && n < max)
		snprintf(labels[n++], 64, "file %s", e->opt.act_file);
	if (e->opt.imatrix_file != NULL && n < max)
		snprintf(labels[n++], 64, "imatrix %s", e->opt.imatrix_file);
	return n;
}

/* The input vector for a tensor of k inputs from a vector source, into a
 * new array; NULL with err (naming both lengths on a mismatch). */
static float *
source_vector(engine *e, const job *j, uint64_t k, char *label, size_t label_len, errmsg *err)
{
	acts_spike spikes[ACTS_MAX_SPIKES];
	int kind = source_kind(e, j->act_source), n = 0;
	size_t planted = 0;
	const float *row;
	float *x;

	if (kind == SRC_FILE) {
		if (e->acts == NULL && (e->acts = acts_load(e->opt.act_file, err)) == NULL)
			return NULL;
		row = acts_token(e->acts, e->opt.has_token, e->opt.token, err);
		if (row == NULL)
			return NULL;
		if (e->acts->n_channels != k) {
			errmsg_set(err, "%s holds %llu channels but the tensor has k = %llu inputs",
				e->opt.act_file, (unsigned long long)e->acts->n_channels, (unsigned long long)k);
			return NULL;
		}
		x = xmalloc(k * sizeof(*x));
		memcpy(x, row, k * sizeof(*x));
		snprintf(label, label_len, "file %s (%s)", e->opt.act_file, acts_format_name(e->acts->format));
		return x;
	}
	if (kind == SRC_PLANTED && j->outlier_spec[0] != '\0') {
		n = acts_parse_spikes(j->outlier_spec, spikes, ACTS_MAX_SPIKES, err);
		if (n < 0)
			return NULL;
	}
	x = xmalloc((k ? k : 1) * sizeof(*x));
	acts_synth(x, k, e->opt.seed, spikes, (size_t)n, &planted);
	if (kind == SRC_PLANTED)
		snprintf(label, label_len, "synthetic (seed %llu), planted %s%s",
			(unsigned long long)e->opt.seed, n > 0 ? j->outlier_spec : "none",
			planted < (size_t)n ? " (some channels >= k not planted)" : "");
	else
		snprintf(label, label_len, "synthetic N(0,1), seed %llu", (unsigned long long)e->opt.seed);
	return x;
}

/* The ranking and counts every source shares, from |x| or the channel rms. */
static void
fill_top(model_outlier *o, const outlier_channel *top, size_t n_top)
{
	size_t i;

	o->n_top = 0;
	for (i = 0; i < n_top && i < MODEL_TOP; i++) {
		o->top_ch[i] = (int64_t)top[i].index;
		o->top_mult[i] = top[i].mult;
		o->n_top++;
	}
}

/* A live vector: the statistics, the Q8_1 round trip and, with the
 * weights, the simulated GEMV error and ggscope's verdict. */
static int
vector_stats(const gguf_tensor *gt, const float *x, uint64_t k, model_outlier *o, errmsg *err)
{
	outlier_report rep;
	uint64_t i;

	if (outlier_report_build(gt->name, x, k, gt->type, gt->data, gt->ne[1], OUTLIER_DEFAULT_MULT,
			OUTLIER_DEFAULT_TOL, 0, &rep, err) != 0)
		return -1;
	if (!rep.vec.valid) {
		errmsg_set(err, "the input holds %llu NaN/Inf values (the first at channel %llu)",
			(unsigned long long)rep.vec.n_nonfinite, (unsigned long long)rep.vec.first_nonfinite);
		outlier_report_free(&rep);
		return -1;
	}
	o->k = (int64_t)k;
	o->mag = xmalloc(k * sizeof(*o->mag));
	for (i = 0; i < k; i++)
		o->mag[i] = fabsf(x[i]);
	o->rms = rep.vec.rms;
	o->max_abs = rep.vec.max_abs;
	o->max_over_rms = rep.vec.ratio_valid ? rep.vec.max_over_rms : 0;
	o->argmax = (int64_t)rep.vec.argmax;
	fill_top(o, rep.vec.top, rep.vec.n_top);
	o->kurtosis = rep.vec.kurtosis_valid ? rep.vec.kurtosis : 0;
	o->n_above = (int64_t)rep.vec.n_above;
	o->threshold = rep.vec.mult;
	o->route_fp32 = rep.vec.seed_flag;
	o->q8_valid = rep.q8.valid && rep.q8.eps_x_valid;
	if (o->q8_valid) {
		o->q8_rel_err = rep.q8.eps_x;
		o->q8_gemv_err = rep.have_weights && rep.w.gemv_valid ? rep.w.gemv_rel : rep.q8.gemv_pred;
		o->q8_gemv_sim = rep.have_weights && rep.w.gemv_valid;
	} else {
		snprintf(o->q8_why, sizeof(o->q8_why), "%s", rep.q8.valid ? "x is all zero" : rep.q8.why);
	}
	o->gg_valid = rep.verdict.valid;
	o->gg_fp32 = rep.verdict.fp32;
	snprintf(o->gg_reason, sizeof(o->gg_reason), "%s", rep.verdict.reason);
	outlier_report_free(&rep);
	o->valid = true;
	return 0;
}

/* An imatrix: no single vector, but the per-channel rms profile. */
static int
imatrix_stats(engine *e, const gguf_tensor *gt, uint64_t k, model_outlier *o, errmsg *err)
{
	const imatrix_entry *ent;
	outlier_profile prof;
	double *ms, peak = -1;
	uint64_t i;

	if (e->im == NULL && (e->im = imatrix_load(e->opt.imatrix_file, err)) == NULL)
		return -1;
	ent = imatrix_find(e->im, gt->name);
	if (ent == NULL) {
		errmsg_set(err, "%s has no entry for %s", e->opt.imatrix_file, gt->name);
		return -1;
	}
	ms = imatrix_channel_ms(e->im, ent, k, &peak, err);
	if (ms == NULL)
		return -1;
	outlier_profile_stats(ms, k, peak, OUTLIER_DEFAULT_MULT, &prof);
	if (!prof.valid) {
		errmsg_set(err, "%s", prof.why);
		free(ms);
		return -1;
	}
	o->k = (int64_t)k;
	o->mag = xmalloc(k * sizeof(*o->mag));
	o->max_abs = 0;
	for (i = 0; i < k; i++) {
		o->mag[i] = (float)sqrt(ms[i]);
		if (o->mag[i] > o->max_abs)
			o->max_abs = o->mag[i];
		if (o->mag[i] > OUTLIER_DEFAULT_MULT * prof.R)
			o->n_above++;
	}
	free(ms);
	o->rms = prof.R;
	o->max_over_rms = prof.crest;
	o->argmax = (int64_t)prof.top_ch;
	fill_top(o, prof.top, prof.n_top);
	o->kurtosis = prof.kurtosis;
	o->threshold = OUTLIER_DEFAULT_MULT;
	o->route_fp32 = prof.seed_flag;
	o->q8_valid = prof.peak_valid;
	if (o->q8_valid) {
		o->q8_rel_err = prof.eps_bulk_pred;
		o->q8_gemv_err = prof.eps_bulk_pred;
	} else {
		snprintf(o->q8_why, sizeof(o->q8_why), "an imatrix holds no vector and no chunk count here");
	}
	o->valid = true;
	return 0;
}

void
engine_outlier(engine *e, const job *j, job_result *r, worker *w)
{
	const gguf_tensor *gt = engine_tensor(e, j->tensor);
	model_outlier *o = &r->out;
	errmsg err;
	float *x;
	uint64_t k;

	(void)w;
	if (gt == NULL) {
		snprintf(o->why, sizeof(o->why), "no such tensor");
		return;
	}
	k = gt->ne[0];
	o->threshold = OUTLIER_DEFAULT_MULT;
	errmsg_clear(&err);
	if (source_kind(e, j->act_source) == SRC_IMATRIX) {
		snprintf(o->source, sizeof(o->source), "imatrix %s (per-channel rms)", e->opt.imatrix_file);
		if (imatrix_stats(e, gt, k, o, &err) != 0)
			snprintf(o->why, sizeof(o->why), "%s", err.text);
		r->ok = o->valid;
		return;
	}
	x = source_vector(e, j, k, o->source, sizeof(o->source), &err);
	if (x == NULL) {
		snprintf(o->why, sizeof(o->why), "%s", err.text);
		return;
	}
	if (vector_stats(gt, x, k, o, &err) != 0)
		snprintf(o->why, sizeof(o->why), "%s", err.text);
	free(x);
	r->ok = o->valid;
}

/* The input vector of a measurement: the same source as the statistics.
 * An imatrix has no vector; measurements then use the synthetic one. */
float *
engine_input(engine *e, const job *j, uint64_t k, char *label, size_t label_len, errmsg *err)
{
	job jj = *j;

	if (source_kind(e, j->act_source) == SRC_IMATRIX)
		jj.act_source = 0;
	return source_vector(e, &jj, k, label, label_len, err);
}

void
engine_acts_close(engine *e)
{
	acts_free(e->acts);
	imatrix_free(e->im);
	e->acts = NULL;
	e->im = NULL;
}

const imatrix *
engine_source_imatrix(engine *e, const job *j)
{
	errmsg err;

	if (source_kind(e, j->act_source) != SRC_IMATRIX)
		return NULL;
	if (e->im == NULL)
		e->im = imatrix_load(e->opt.imatrix_file, &err);
	return e->im;
}
