/* bench: upload once, then poison / launch / time / verify per kernel. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_cupti.h"
#include "cupti_gpu.h"
#include "l2flush.h"
#include "quant.h"
#include "ref.h"
#include "xalloc.h"

/* ---------------------------------------------------------------- timing source */

/* Where kernel durations come from. A rep launches up to BENCH_KERNELS
 * kernels through the timer's launch (kernel i of the rep), then, once the
 * stream has finished, collect gives each kernel's duration. CUDA events
 * are recorded in the same backend call as the launch; a CUPTI source would
 * launch plainly and read activity records in collect. */
#define BENCH_KERNELS 2

struct bench_timer {
	const char *name;
	/* at the start of each rep, the stream idle; NULL: nothing to do */
	int (*begin)(struct bench_timing *tc, errmsg *err);
	int (*launch)(struct bench_timing *tc, int i, gpu_func f, const gpu_launch_cfg *cfg,
		const gpu_arg *args, int nargs, errmsg *err);
	int (*collect)(struct bench_timing *tc, int n, double *us, errmsg *err);
};

static int
ev_launch(struct bench_timing *tc, int i, gpu_func f, const gpu_launch_cfg *cfg, const gpu_arg *args,
	int nargs, errmsg *err)
{
	return gpu_launch_timed(tc->g, f, cfg, args, nargs, 2 * i, 2 * i + 1, err);
}

static int
ev_collect(struct bench_timing *tc, int n, double *us, errmsg *err)
{
	int i, rc;
	float ms;

	for (i = 0; i < n; i++) {
		if ((rc = gpu_event_elapsed_ms(tc->g, 2 * i, 2 * i + 1, &ms, err)) != 0)
			return rc;
		us[i] = (double)ms * 1e3;
	}
	return 0;
}

static const struct bench_timer event_timer = { "cuda events", NULL, ev_launch, ev_collect };
static const struct bench_timer cupti_timer = { "cupti activity", bench_cupti_begin, bench_cupti_launch,
	bench_cupti_collect };

/* ---------------------------------------------------------------- pure helpers */

void
bench_opts_default(bench_opts *o)
{
	o->reps = 20;
	o->warmup = 3;
	o->warm_l2 = false;
	o->threads = 0;
	o->cupti = NULL;
	o->counters = false;
	o->flush = NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

bench_time
bench_time_of(double *us, int n)
{
	bench_time t = { false, 0, 0, 0 };

	if (n < 1)
		return t;
	qsort(us, (size_t)n, sizeof *us, cmp_double);
	t.valid = true;
	t.min_us = us[0];
	t.max_us = us[n - 1];
	t.median_us = n % 2 ? us[n / 2] : 0.5 * (us[n / 2 - 1] + us[n / 2]);
	return t;
}

uint64_t
bench_gemv_bytes(uint64_t w_bytes, int64_t rows, int64_t k, bool q8_input)
{
	uint64_t x = q8_input ? (uint64_t)((k + QK8_1 - 1) / QK8_1) * Q8_1_BYTES : (uint64_t)k * 4;

	return w_bytes + x + (uint64_t)rows * 4;
}

static uint64_t
splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A double in (0, 1]: never 0, so log() below is finite. */
static double
unit(uint64_t *s)
{
	return ((double)(splitmix64(s) >> 11) + 1.0) * 0x1.0p-53;
}

void
bench_gaussian(float *x, int64_t n, uint64_t seed)
{
	uint64_t s = seed;
	int64_t i;

	for (i = 0; i < n; i += 2) {
		double r = sqrt(-2.0 * log(unit(&s))), a = 2.0 * M_PI * unit(&s);

		x[i] = (float)(r * cos(a));
		if (i + 1 < n)
			x[i + 1] = (float)(r * sin(a));
	}
}

/* ---------------------------------------------------------------- session */

struct bench_session {
	gpu *g;
	bench_layer layer;
	int64_t k_pad;     /* k rounded up to whole super-blocks */
	int threads;
	float *x;          /* k_pad floats: x, then zeros */
	float *x_q8;       /* x after a Q8_1 round trip (k floats), or NULL until needed */
	double *ref;       /* rows: reference with x */
	double *ref_q8;    /* rows: reference with x_q8, or NULL until needed */
	float *y;          /* rows: the downloaded output */
	gpu_buf w_dev, x_dev, q8_dev, y_dev;
};

bench_session *
bench_open(gpu *g, const bench_layer *layer, const float *x, int threads, errmsg *err)
{
	bench_session *s;
	uint64_t row_bytes = 0;
	int64_t k_pad = (layer->k + QK_K - 1) / QK_K * QK_K;

	if (layer->type != QT_Q4_K && layer->type != QT_Q6_K) {
		const quant_info *qi = quant_type_info(layer->type);

		errmsg_set(err, "%s: type %s: bench measures Q4_K and Q6_K matrices", layer->name,
			qi ? qi->name : "unknown");
		return NULL;
	}
	if (layer->rows <= 0 || layer->k <= 0 || layer->rows > INT32_MAX || layer->k > INT32_MAX ||
	    !quant_row_bytes(layer->type, (uint64_t)k_pad, &row_bytes) ||
	    row_bytes * (uint64_t)layer->rows != layer->w_bytes) {
		errmsg_set(err, "%s: %lld x %lld %s (%llu bytes a row) does not match its %llu bytes",
			layer->name, (long long)layer->rows, (long long)layer->k,
			quant_type_info(layer->type)->name, (unsigned long long)row_bytes,
			(unsigned long long)layer->w_bytes);
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->g = g;
	s->layer = *layer;
	s->k_pad = k_pad;
	s->threads = threads;
	s->x = xcalloc((size_t)k_pad, sizeof *s->x);
	memcpy(s->x, x, (size_t)layer->k * sizeof *s->x);
	s->ref = xreallocarray(NULL, (size_t)layer->rows, sizeof *s->ref);
	s->y = xreallocarray(NULL, (size_t)layer->rows, sizeof *s->y);
	if (ref_gemv(layer->type, layer->w, layer->rows, k_pad, s->x, s->ref, threads, err) != 0) {
		errmsg_prefix(err, "%s: reference", layer->name);
		bench_close(s);
		return NULL;
	}
	return s;
}

void
bench_close(bench_session *s)
{
	if (s == NULL)
		return;
	gpu_buf_free(s->g, s->w_dev, NULL);
	gpu_buf_free(s->g, s->x_dev, NULL);
	gpu_buf_free(s->g, s->q8_dev, NULL);
	gpu_buf_free(s->g, s->y_dev, NULL);
	free(s->x);
	free(s->x_q8);
	free(s->ref);
	free(s->ref_q8);
	free(s->y);
	free(s);
}

const double *
bench_reference(const bench_session *s)
{
	return s->ref;
}

/* The reference against x as the dp4a kernels see it: quantized to Q8_1
 * by the CPU twin of the GPU quantizer and expanded back to float. */
static int
need_q8_reference(bench_session *s, errmsg *err)
{
	int64_t k = s->k_pad, nblk = k / QK8_1, b, i;
	uint8_t *q8;

	if (s->ref_q8 != NULL)
		return 0;
	/* x is zero past the logical k, as the GPU quantizer pads it */
	q8 = xmalloc((size_t)(nblk * Q8_1_BYTES));
	quant_quantize_q8_1(s->x, q8, k);
	s->x_q8 = xreallocarray(NULL, (size_t)k, sizeof *s->x_q8);
	for (b = 0; b < nblk; b++) {
		const uint8_t *blk = q8 + b * Q8_1_BYTES;
		float d = quant_f16_to_f32((uint16_t)(blk[0] | blk[1] << 8));

		for (i = 0; i < QK8_1; i++)
			s->x_q8[b * QK8_1 + i] = d * (float)(int8_t)blk[4 + i];
	}
	free(q8);
	s->ref_q8 = xreallocarray(NULL, (size_t)s->layer.rows, sizeof *s->ref_q8);
	if (ref_gemv(s->layer.type, s->layer.w, s->layer.rows, k, s->x_q8, s->ref_q8, s->threads,
	    err) != 0) {
		free(s->ref_q8);
		s->ref_q8 = NULL;
		return GPU_EFAIL;
	}
	return 0;
}

/* Device copies of w, x and the outputs; rebuilt after a context reset
 * (the old handles are stale then, and freeing them only drops the slot). */
static int
need_buffers(bench_session *s, errmsg *err)
{
	gpu *g = s->g;
	int64_t nblk = (s->layer.k + QK8_1 - 1) / QK8_1;
	int rc;

	if (gpu_buf_valid(g, s->w_dev, NULL) && gpu_buf_valid(g, s->x_dev, NULL) &&
	    gpu_buf_valid(g, s->q8_dev, NULL) && gpu_buf_valid(g, s->y_dev, NULL))
		return 0;
	gpu_buf_free(g, s->w_dev, NULL);
	gpu_buf_free(g, s->x_dev, NULL);
	gpu_buf_free(g, s->q8_dev, NULL);
	gpu_buf_free(g, s->y_dev, NULL);
	memset(&s->w_dev, 0, sizeof s->w_dev);
	memset(&s->x_dev, 0, sizeof s->x_dev);
	memset(&s->q8_dev, 0, sizeof s->q8_dev);
	memset(&s->y_dev, 0, sizeof s->y_dev);
	if ((rc = gpu_buf_alloc(g, s->layer.w_bytes, &s->w_dev, err)) != 0 ||
	    (rc = gpu_buf_upload(g, s->w_dev, 0, s->layer.w, s->layer.w_bytes, err)) != 0 ||
	    (rc = gpu_buf_alloc(g, (size_t)s->layer.k * 4, &s->x_dev, err)) != 0 ||
	    (rc = gpu_buf_upload(g, s->x_dev, 0, s->x, (size_t)s->layer.k * 4, err)) != 0 ||
	    (rc = gpu_buf_alloc(g, (size_t)(nblk * Q8_1_BYTES), &s->q8_dev, err)) != 0 ||
	    (rc = gpu_buf_alloc(g, (size_t)s->layer.rows * 4, &s->y_dev, err)) != 0) {
		errmsg_prefix(err, "uploading %s", s->layer.name);
		return rc;
	}
	return 0;
}

/* A kernel loaded for one measurement. */
struct loaded {
	gpu_module mod;
	gpu_func fn;
};

static int
load(gpu *g, const bench_kernel *k, struct loaded *l, errmsg *err)
{
	int rc;

	memset(l, 0, sizeof *l);
	if ((rc = gpu_module_load(g, k->image, k->image_bytes, &l->mod, err)) != 0) {
		errmsg_prefix(err, "loading %s", k->entry);
		return rc;
	}
	return gpu_func_get(g, l->mod, k->entry, &l->fn, err);
}

/* Resources and theoretical occupancy of the GEMV kernel. */
static void
resources(gpu *g, const struct loaded *l, const gpu_launch_cfg *cfg, bench_result *r)
{
	const gpu_info *d = gpu_device_info(g);
	int threads = (int)(cfg->block[0] * cfg->block[1] * cfg->block[2]);

	r->attrs_valid = gpu_func_get_attrs(g, l->fn, &r->attrs, NULL) == 0;
	if (gpu_occupancy(g, l->fn, threads, cfg->smem_bytes, &r->blocks_per_sm, NULL) == 0 &&
	    d->valid && d->max_threads_per_sm > 0) {
		int warps = (threads + 31) / 32;

		r->occupancy_valid = true;
		r->occupancy_pct = 100.0 * r->blocks_per_sm * warps / (d->max_threads_per_sm / 32);
	}
}

/* Before a rep's launches: the arguments, poisoned outputs and, for cold
 * L2, the flush (the flush kernel when there is one, else gpu_l2_flush). */
static int
prepare_rep(bench_session *s, bool quant, bool warm_l2, struct l2flush *flush, gpu_arg ga[5],
	gpu_arg qa[3], errmsg *err)
{
	gpu *g = s->g;
	int rc;

	ga[0] = gpu_arg_buf(s->y_dev);
	ga[1] = gpu_arg_buf(s->w_dev);
	ga[2] = gpu_arg_buf(quant ? s->q8_dev : s->x_dev);
	ga[3] = gpu_arg_i32((int32_t)s->layer.k);
	ga[4] = gpu_arg_i32((int32_t)s->layer.rows);
	if ((rc = gpu_buf_poison(g, s->y_dev, err)) != 0)
		return rc;
	if (quant) {
		qa[0] = gpu_arg_buf(s->x_dev);
		qa[1] = gpu_arg_buf(s->q8_dev);
		qa[2] = gpu_arg_i32((int32_t)s->layer.k);
		/* so the GEMV can only see what this rep's quantizer wrote */
		if ((rc = gpu_buf_poison(g, s->q8_dev, err)) != 0)
			return rc;
	}
	if (!warm_l2 && (rc = flush != NULL ? l2flush_run(flush, err) : gpu_l2_flush(g, err)) != 0)
		return rc;
	return 0;
}

/* One rep: poison, (flush), quantize, GEMV, wait. durations[0] is the GEMV,
 * durations[1] the quantizer. */
static int
one_rep(bench_session *s, const struct bench_timer *t, struct bench_timing *tc, const bench_kernel *gk,
	const struct loaded *gemv, const bench_kernel *qk, const struct loaded *quant, bool warm_l2,
	struct l2flush *flush, double *durations, errmsg *err)
{
	gpu *g = s->g;
	gpu_arg ga[5], qa[3];
	double us[BENCH_KERNELS];
	int rc, n = 0;

	if (t->begin != NULL && (rc = t->begin(tc, err)) != 0)
		return rc;
	if ((rc = prepare_rep(s, quant != NULL, warm_l2, flush, ga, qa, err)) != 0)
		return rc;
	if (quant != NULL) {
		if ((rc = t->launch(tc, 1, quant->fn, &qk->cfg, qa, 3, err)) != 0)
			return rc;
		n = 2;
	} else
		n = 1;
	if ((rc = t->launch(tc, 0, gemv->fn, &gk->cfg, ga, 5, err)) != 0)
		return rc;
	if ((rc = gpu_sync(g, err)) != 0 || (rc = t->collect(tc, n, us, err)) != 0)
		return rc;
	durations[0] = us[0];
	durations[1] = n > 1 ? us[1] : 0;
	return 0;
}

/* Download y and fold its errors into the worst seen so far. */
static int
check_output(bench_session *s, bool q8, bench_result *r, errmsg *err)
{
	int64_t rows = s->layer.rows, unwritten;
	ref_error e;
	int rc;

	if ((rc = gpu_buf_download(s->g, s->y_dev, 0, s->y, (size_t)rows * 4, err)) != 0)
		return rc;
	unwritten = (int64_t)gpu_poison_count(s->y, (size_t)rows);
	e = ref_compare(s->y, s->ref, rows);
	if (unwritten > r->unwritten)
		r->unwritten = unwritten;
	if (e.n_bad - unwritten > r->non_finite)
		r->non_finite = e.n_bad - unwritten;
	if (!r->checked || !(e.max_abs <= r->max_abs))
		r->max_abs = e.max_abs;
	if (!r->checked || !(e.rel_l2 <= r->rel_l2))
		r->rel_l2 = e.rel_l2;
	if (q8) {
		e = ref_compare(s->y, s->ref_q8, rows);
		if (!r->q8_checked || !(e.rel_l2 <= r->q8_rel_l2))
			r->q8_rel_l2 = e.rel_l2;
		r->q8_checked = true;
	}
	r->checked = true;
	return 0;
}

/* ---------------------------------------------------------------- hardware counters (CUPTI) */

/* One counter session after the timed reps, with user replay: before each
 * pass the outputs are poisoned and L2 flushed (unless warm) and the stream
 * drained, so every pass sees what ncu --cache-control all would. The
 * ranges come in launch order: the quantizer's first. A CUPTI failure only
 * leaves r->counters_note; a sticky error is returned. */
static int
counter_session(bench_session *s, const bench_kernel *gk, const struct loaded *gemv,
	const bench_kernel *qk, const struct loaded *quant, const bench_opts *o, bench_result *r,
	errmsg *err)
{
	gpu *g = s->g;
	gpu_arg ga[5], qa[3];
	cupti_counters k;
	bool done = false;
	errmsg why;
	int rc;

	if (!bench_cupti_counters_wanted(o, r))
		return 0;
	if ((rc = cupti_gpu_counters_begin(o->cupti, quant ? 2 : 1, CUPTI_REPLAY_USER, &why)) != 0)
		goto note;
	while (!done) {
		if ((rc = prepare_rep(s, quant != NULL, o->warm_l2, o->flush, ga, qa, &why)) != 0 ||
		    (rc = gpu_sync(g, &why)) != 0 ||
		    (rc = cupti_gpu_counters_pass_begin(o->cupti, &why)) != 0)
			goto abandon;
		if ((quant != NULL && (rc = gpu_launch(g, quant->fn, &qk->cfg, qa, 3, &why)) != 0) ||
		    (rc = gpu_launch(g, gemv->fn, &gk->cfg, ga, 5, &why)) != 0 ||
		    (rc = gpu_sync(g, &why)) != 0 ||
		    (rc = cupti_gpu_counters_pass_end(o->cupti, &done, &why)) != 0)
			goto abandon;
	}
	if ((rc = cupti_gpu_counters_end(o->cupti, &k, &why)) != 0)
		goto note;
	/* The last pass's output is checked like any other. */
	if ((rc = check_output(s, quant != NULL, r, err)) != 0)
		return rc;
	bench_cupti_take_counters(r, &k, quant != NULL ? 1 : 0);
	return 0;
abandon:
	if (rc != GPU_ERESET) {
		errmsg ignored;

		(void)cupti_gpu_counters_end(o->cupti, &k, &ignored);
	}
note:
	if (rc == GPU_ERESET) {
		errmsg_set(err, "%s", why.text);
		return rc;
	}
	snprintf(r->counters_note, sizeof r->counters_note, "%s", why.text);
	return 0;
}

int
bench_measure(bench_session *s, const bench_kernel *gemv, const bench_kernel *quant,
	const bench_opts *o, bench_result *r)
{
	const struct bench_timer *t = bench_cupti_timing(o) ? &cupti_timer : &event_timer;
	struct bench_timing tc;
	gpu *g = s->g;
	struct loaded lg, lq;
	double *gt = NULL, *qt = NULL, *tt = NULL, d[BENCH_KERNELS];
	errmsg err;
	int rc, i, n = 0;

	memset(r, 0, sizeof *r);
	memset(&lg, 0, sizeof lg);
	memset(&lq, 0, sizeof lq);
	errmsg_clear(&err);
	r->cfg = gemv->cfg;
	r->timer = t->name;
	r->warm_l2 = o->warm_l2;
	r->reps = o->reps;
	r->tol = quant ? BENCH_TOL_Q8 : BENCH_TOL_FP32;
	r->bytes = bench_gemv_bytes(s->layer.w_bytes, s->layer.rows, s->layer.k, quant != NULL);
	r->ideal_read_bytes = r->bytes - (uint64_t)s->layer.rows * 4;
	bench_timing_init(&tc, g, o, gemv->entry, quant != NULL ? quant->entry : NULL);
	if (o->reps < 1 || o->warmup < 0) {
		errmsg_set(&err, "%d reps, %d warm-up launches", o->reps, o->warmup);
		rc = GPU_EFAIL;
		goto out;
	}
	if (!gpu_available(g)) {
		errmsg_set(&err, "measurement unavailable: %s", gpu_unavailable_reason(g));
		rc = GPU_EFAIL;
		goto out;
	}
	if (quant != NULL && (rc = need_q8_reference(s, &err)) != 0)
		goto out;
	if ((rc = need_buffers(s, &err)) != 0 || (rc = load(g, gemv, &lg, &err)) != 0 ||
	    (quant != NULL && (rc = load(g, quant, &lq, &err)) != 0))
		goto out;
	resources(g, &lg, &gemv->cfg, r);
	gt = xcalloc((size_t)o->reps, sizeof *gt);
	qt = xcalloc((size_t)o->reps, sizeof *qt);
	tt = xcalloc((size_t)o->reps, sizeof *tt);
	for (i = 0; i < o->warmup + o->reps; i++) {
		if ((rc = one_rep(s, t, &tc, gemv, &lg, quant, quant ? &lq : NULL, o->warm_l2, o->flush, d, &err)) != 0 ||
		    (rc = check_output(s, quant != NULL, r, &err)) != 0)
			goto out;
		if (i >= o->warmup) {
			gt[n] = d[0];
			qt[n] = d[1];
			tt[n] = d[0] + d[1];
			n++;
		}
	}
	r->gemv = bench_time_of(gt, n);
	if (quant != NULL) {
		r->quant = bench_time_of(qt, n);
		r->total = bench_time_of(tt, n);
	} else
		r->total = r->gemv;
	if (r->gemv.valid && r->gemv.median_us > 0) {
		r->gbs = (double)r->bytes / r->gemv.median_us / 1e3;
		if (gpu_device_info(g)->peak_bw_gbs > 0)
			r->peak_pct = 100.0 * r->gbs / gpu_device_info(g)->peak_bw_gbs;
	}
	/* Occupancy with the carveout the driver really chose, then the
	 * counters: a separate session, never mixed with the timed launches. */
	bench_cupti_occupancy(g, &tc, r);
	if ((rc = counter_session(s, gemv, &lg, quant, quant ? &lq : NULL, o, r, &err)) != 0)
		goto out;
	r->pass = r->checked && r->unwritten == 0 && r->non_finite == 0 && r->rel_l2 <= r->tol &&
		(quant == NULL || (r->q8_checked && r->q8_rel_l2 <= BENCH_TOL_Q8_KERNEL));
	rc = 0;
out:
	if (rc != 0) {
		snprintf(r->error, sizeof r->error, "%s", err.text);
		r->context_reset = rc == GPU_ERESET;
		r->pass = false;
	}
	gpu_module_unload(g, lg.mod, NULL);
	gpu_module_unload(g, lq.mod, NULL);
	free(gt);
	free(qt);
	free(tt);
	return rc;
}
