/* report_run.c: fill a planned report: the environment, the compile
 * resources of every (variant, warps) the rows need (NVRTC, in parallel,
 * no GPU needed), then the measurements (report_measure.c) and the outlier
 * table (report_outliers.c), checking the cancel flag between steps. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jit.h"
#include "report.h"
#include "report_run.h"
#include "xalloc.h"

#define MAX_COMPILE_THREADS 16

void
report_run_opts_default(report_run_opts *o)
{
	memset(o, 0, sizeof *o);
	o->measure = true;
	o->reps = 20;
	o->warmup = 3;
	o->seed = 42;
	o->outliers = true;
	o->outlier_weights = true;
}

double
report_run_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

bool
report_run_cancelled(const report_run_ctx *c)
{
	return c->o->cancel != NULL && *c->o->cancel != 0;
}

void
report_run_step(report_run_ctx *c, const char *phase)
{
	report_progress p;
	size_t i;

	if (c->o->progress == NULL)
		return;
	memset(&p, 0, sizeof p);
	p.phase = phase;
	p.done = c->done;
	p.total = c->total;
	p.n_tensors = c->r->n_tensors;
	for (i = 0; i < c->r->n_tensors; i++)
		p.tensors_done += c->r->shapes[c->r->tensors[i].shape].done;
	p.elapsed_s = report_run_now() - c->t0;
	/* The ETA extrapolates the measured steps' pace; compile steps are
	 * counted too, so it settles after the first shape. */
	if (c->done > 0 && c->done < c->total) {
		p.eta_valid = true;
		p.eta_s = p.elapsed_s / (double)c->done * (double)(c->total - c->done);
	} else if (c->done == c->total) {
		p.eta_valid = true;
		p.eta_s = 0;
	}
	c->o->progress(c->o->progress_arg, &p);
}

/* ---------------------------------------------------------------- compile */

/* One (variant, warps) to build, and what came of it. */
struct build {
	const variant *v;
	int warps;
	int rc;
	jit_result res;
	errmsg err;
};

struct pool {
	jit *j;
	const char *arch;
	struct build *b;
	size_t n, next, finished;
	volatile sig_atomic_t *cancel;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void *
compile_worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct build *b;

		pthread_mutex_lock(&p->lock);
		if (p->next == p->n || (p->cancel != NULL && *p->cancel)) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		b = &p->b[p->next++];
		pthread_mutex_unlock(&p->lock);
		b->rc = jit_get(p->j, b->v, b->warps, p->arch, &b->res, &b->err);
		pthread_mutex_lock(&p->lock);
		p->finished++;
		pthread_cond_signal(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
}

static struct build *
find_build(struct build *b, size_t n, const variant *v, int warps)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i].v == v && b[i].warps == warps)
			return &b[i];
	return NULL;
}

static const char *
origin_name(enum jit_origin o)
{
	switch (o) {
	case JIT_COMPILED: return "compiled";
	case JIT_MEMORY: return "memory";
	case JIT_DISK: return "disk";
	case JIT_STALE: return "stale";
	}
	return "?";
}

/* Copy a build's outcome into a row. */
static void
apply_build(report_row *row, const struct build *b)
{
	const jit_module *m = b->res.module;

	if (b->rc != 0) {
		row->status = REPORT_ROW_COMPILE_ERROR;
		snprintf(row->why, sizeof row->why, "%s", b->err.text[0] ? b->err.text : "not compiled");
		return;
	}
	row->compiled = true;
	snprintf(row->target, sizeof row->target, "%s", m->target);
	snprintf(row->origin, sizeof row->origin, "%s", origin_name(b->res.origin));
	row->compile_ms = m->compile_ms;
	row->res_valid = m->res.valid;
	if (m->res.valid) {
		row->regs = m->res.registers;
		row->spill_bytes = m->res.spill_store_bytes + m->res.spill_load_bytes;
		row->smem_static_bytes = m->res.smem_static_bytes;
	}
}

/* Every (variant, warps) a non-refused row needs, and the Q8_1 quantizer
 * when a row reads Q8_1: the builds of the compile phase. */
static size_t
collect_builds(const report *r, struct build **out)
{
	struct build *b = NULL;
	size_t i, j, n = 0, cap = 0;

	for (i = 0; i < r->n_shapes; i++)
		for (j = 0; j < r->shapes[i].n_rows; j++) {
			const report_row *row = &r->shapes[i].rows[j];
			const variant *need[2] = { row->v, row->v->input == VARIANT_X_Q8_1 ? variant_quantizer() : NULL };
			int wneed[2] = { row->warps, need[1] ? need[1]->default_warps : 0 };
			int k;

			if (row->status == REPORT_ROW_REFUSED)
				continue;
			for (k = 0; k < 2; k++) {
				if (need[k] == NULL || find_build(b, n, need[k], wneed[k]) != NULL)
					continue;
				if (n == cap) {
					cap = cap ? 2 * cap : 32;
					b = xreallocarray(b, cap, sizeof *b);
				}
				memset(&b[n], 0, sizeof b[n]);
				b[n].v = need[k];
				b[n].warps = wneed[k];
				n++;
			}
		}
	*out = b;
	return n;
}

/* Build everything collect_builds lists with up to `threads` NVRTC
 * compiles at a time. Rows that cannot be built become COMPILE_ERROR. */
static void
compile_phase(report_run_ctx *c, int threads)
{
	report *r = c->r;
	struct pool p;
	pthread_t tid[MAX_COMPILE_THREADS];
	size_t i, j, reported = 0;
	int n_threads, t;

	memset(&p, 0, sizeof p);
	p.j = c->j;
	p.arch = r->env.arch;
	p.cancel = c->o->cancel;
	p.n = collect_builds(r, &p.b);
	n_threads = threads > 0 ? threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (n_threads < 1)
		n_threads = 1;
	if (n_threads > MAX_COMPILE_THREADS)
		n_threads = MAX_COMPILE_THREADS;
	if ((size_t)n_threads > p.n)
		n_threads = (int)p.n;
	pthread_mutex_init(&p.lock, NULL);
	pthread_cond_init(&p.cond, NULL);
	for (t = 0; t < n_threads; t++)
		if (pthread_create(&tid[t], NULL, compile_worker, &p) != 0)
			break;
	n_threads = t;
	if (n_threads == 0)
		compile_worker(&p); /* no thread could start: build here */
	/* Report progress on this thread as the workers finish builds. */
	pthread_mutex_lock(&p.lock);
	while (p.finished < p.n && !(p.cancel != NULL && *p.cancel && p.finished == p.next)) {
		if (p.finished == reported) {
			/* Wake now and then: a cancel between builds signals nothing. */
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&p.cond, &p.lock, &ts);
		}
		reported = p.finished;
		pthread_mutex_unlock(&p.lock);
		c->done = reported;
		report_run_step(c, "compile");
		pthread_mutex_lock(&p.lock);
	}
	pthread_mutex_unlock(&p.lock);
	for (t = 0; t < n_threads; t++)
		pthread_join(tid[t], NULL);
	c->done = p.finished;
	report_run_step(c, "compile");
	for (i = 0; i < r->n_shapes; i++)
		for (j = 0; j < r->shapes[i].n_rows; j++) {
			report_row *row = &r->shapes[i].rows[j];
			size_t bi;

			if (row->status == REPORT_ROW_REFUSED)
				continue;
			bi = (size_t)(find_build(p.b, p.n, row->v, row->warps) - p.b);
			if (bi >= p.next || (p.b[bi].rc == 0 && p.b[bi].res.module == NULL))
				continue; /* never started: cancelled; the row stays PLANNED */
			apply_build(row, &p.b[bi]);
			if (row->compiled && row->v->input == VARIANT_X_Q8_1) {
				const variant *q = variant_quantizer();
				struct build *qb = find_build(p.b, p.n, q, q->default_warps);

				if (qb != NULL && (size_t)(qb - p.b) < p.next && qb->rc != 0) {
					row->compiled = false;
					row->status = REPORT_ROW_COMPILE_ERROR;
					snprintf(row->why, sizeof row->why, "the Q8_1 quantizer: %s", qb->err.text);
				}
			}
		}
	pthread_cond_destroy(&p.cond);
	pthread_mutex_destroy(&p.lock);
	free(p.b);
}

/* ---------------------------------------------------------------- run */

static void
mark_partial(report *r, const char *why)
{
	if (r->partial)
		return;
	r->partial = true;
	snprintf(r->partial_why, sizeof r->partial_why, "%s", why);
}

int
report_run(report *r, const gguf_file *f, const report_run_opts *o, errmsg *err)
{
	report_run_ctx c;
	int threads;

	memset(&c, 0, sizeof c);
	c.r = r;
	c.o = o;
	c.f = f;
	c.t0 = report_run_now();
	r->env.reps = o->reps;
	r->env.warmup = o->warmup;
	r->env.warm_l2 = o->warm_l2;
	r->env.seed = o->seed;
	r->env.nvrtc_valid = jit_nvrtc_version(&r->env.nvrtc_major, &r->env.nvrtc_minor, NULL) == 0;
	threads = o->threads;

	/* The device first: it decides the architecture the kernels are
	 * built for. */
	if (report_measure_open(&c, err) != 0)
		goto fail;
	if (o->j != NULL)
		c.j = o->j;
	else {
		jit_config jc;

		memset(&jc, 0, sizeof jc);
		jc.defines = o->defines;
		jc.n_defines = o->n_defines;
		if ((c.j = c.own_j = jit_new(&jc, err)) == NULL)
			goto fail;
		for (int i = 0; i < o->n_defines; i++)
			snprintf(r->env.defines + strlen(r->env.defines), sizeof r->env.defines - strlen(r->env.defines),
				 "%s%s", i ? " " : "", o->defines[i]);
	}
	/* The flush and ceiling kernels are the instruments: a knob must not
	 * change them, nor the ceiling cached from them. */
	if (c.own_j == NULL || o->n_defines == 0)
		c.tools_j = c.j;
	else if ((c.tools_j = c.own_tools_j = jit_new(NULL, err)) == NULL)
		goto fail;
	/* steps: the builds, one per measured row (and the ceiling), one for
	 * the outlier table */
	{
		struct build *b;

		c.compile_total = collect_builds(r, &b);
		free(b);
	}
	c.total = c.compile_total + report_measure_steps(&c) + (o->outliers ? 1 : 0);
	if (!report_run_cancelled(&c))
		compile_phase(&c, threads);
	if (!report_run_cancelled(&c))
		report_measure_all(&c);
	if (o->outliers && !report_run_cancelled(&c)) {
		report_run_step(&c, "outliers");
		report_outliers_fill(&c);
		c.done++;
		report_run_step(&c, "outliers");
	} else if (!o->outliers)
		snprintf(r->outliers.why, sizeof r->outliers.why, "not asked for");
	if (report_run_cancelled(&c)) {
		size_t left = c.total > c.done ? c.total - c.done : 0;
		char why[128];

		if (c.done == 0)
			snprintf(why, sizeof why, "interrupted before the first of %zu steps", c.total);
		else
			snprintf(why, sizeof why, "interrupted after %zu of %zu steps (%zu left)", c.done, c.total, left);
		mark_partial(r, why);
		if (!r->outliers.available && o->outliers)
			snprintf(r->outliers.why, sizeof r->outliers.why, "not built: the run was interrupted");
	}
	report_measure_close(&c);
	jit_free(c.own_tools_j);
	jit_free(c.own_j);
	report_finish(r);
	return 0;
fail:
	report_measure_close(&c);
	jit_free(c.own_tools_j);
	jit_free(c.own_j);
	return -1;
}

/* ---------------------------------------------------------------- one call */

int
report_generate(const gguf_file *f, const char *tensor, const report_run_opts *opts,
	enum report_format fmt, const char *path, bool *partial, errmsg *err)
{
	report_run_opts defaults;
	report_select sel;
	report *r = report_new();
	int rc = -1;

	if (opts == NULL) {
		report_run_opts_default(&defaults);
		opts = &defaults;
	}
	report_select_init(&sel);
	sel.tensor = tensor;
	if (report_plan(r, f, &sel, err) == 0 && report_run(r, f, opts, err) == 0 &&
	    report_write(r, fmt, path, err) == 0) {
		rc = 0;
		if (partial != NULL)
			*partial = r->partial;
	}
	report_free(r);
	return rc;
}
