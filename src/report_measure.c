/* report_measure.c: the measured part of a report: the device, the read
 * ceiling, and every compiled row timed and checked through bench (the
 * loop `ggscope bench` uses), shape by shape. Each shape is measured once,
 * on its first tensor's weights; the result stands for every tensor of the
 * shape. Without a GPU the rows stay compiled-only, UNMEASURED, with the
 * reason. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_cupti.h"
#include "ceiling.h"
#include "cupti.h"
#include "cupti_gpu.h"
#include "gpu.h"
#include "jit.h"
#include "l2flush.h"
#include "occupancy.h"
#include "report.h"
#include "report_run.h"
#include "xalloc.h"

struct report_measure {
	gpu *g;
	bool own_g;
	bool ok;            /* measuring: a device, and measurement asked for */
	cupti_gpu own_cu;   /* CUPTI where the driver runs, when the run opened the gpu */
	cupti_gpu *cu;      /* own_cu, the caller's, or NULL */
	l2flush *flush;     /* the cold-L2 flush kernel, or NULL (cuMemsetD32) */
	ceiling ceil;
};

/* ---------------------------------------------------------------- open */

/* CUPTI on the measuring gpu: the caller's, or one of the run's own when
 * the run opened the gpu; its tier and why into the environment. */
static void
open_cupti(report_run_ctx *c)
{
	struct report_measure *m = c->m;
	report_env *e = &c->r->env;
	const cupti_gpu_status *st;
	cupti_options co = { .disabled = c->o->no_cupti, .full = false };

	if (c->o->cu != NULL)
		m->cu = c->o->cu;
	else if (m->own_g) {
		cupti_gpu_open(&m->own_cu, m->g, &co);
		m->cu = &m->own_cu;
	} else {
		snprintf(e->cupti_tier, sizeof e->cupti_tier, "%s", cupti_tier_name(CUPTI_TIER_NONE));
		snprintf(e->cupti_why, sizeof e->cupti_why, "the caller's gpu came without its CUPTI: CUDA events time");
		return;
	}
	st = cupti_gpu_status_of(m->cu);
	snprintf(e->cupti_tier, sizeof e->cupti_tier, "%s", cupti_tier_name(st->tier));
	if (st->tier == CUPTI_TIER_COUNTERS)
		snprintf(e->cupti_why, sizeof e->cupti_why, "counters on %s, %d passes per profiled launch", st->chip,
			st->passes);
	else if (st->tier == CUPTI_TIER_TIMING)
		snprintf(e->cupti_why, sizeof e->cupti_why, "counters n/a: %s", st->counters_status);
	else
		snprintf(e->cupti_why, sizeof e->cupti_why, "%s", st->timing_status);
}

int
report_measure_open(report_run_ctx *c, errmsg *err)
{
	report *r = c->r;
	const report_run_opts *o = c->o;
	struct report_measure *m = xcalloc(1, sizeof *m);
	const gpu_info *d;
	unsigned cv;

	c->m = m;
	if (o->arch != NULL && jit_parse_arch(o->arch, err) < 0) {
		errmsg_prefix(err, "--arch");
		return -1;
	}
	r->env.cupti_valid = !o->no_cupti && cupti_version(&cv, NULL) == 0;
	if (r->env.cupti_valid)
		r->env.cupti_version = cv;
	if (o->no_cupti)
		snprintf(r->env.cupti_why, sizeof r->env.cupti_why, "disabled (--no-cupti)");
	else if (!r->env.cupti_valid)
		snprintf(r->env.cupti_why, sizeof r->env.cupti_why, "this build has no CUPTI");
	if (!o->measure) {
		snprintf(r->env.measure_why, sizeof r->env.measure_why, "not asked for (--no-measure)");
		snprintf(r->env.ceiling_note, sizeof r->env.ceiling_note, "not measured (--no-measure)");
		snprintf(r->env.arch, sizeof r->env.arch, "%s", o->arch ? o->arch : "sm_90");
		return 0;
	}
	if (o->g != NULL)
		m->g = o->g;
	else {
		/* CUPTI's request handler must be in place before the worker starts. */
		cupti_gpu_install();
		m->g = gpu_open();
		m->own_g = true;
	}
	d = gpu_device_info(m->g);
	r->env.measured = true;
	if (!gpu_available(m->g) || !d->valid) {
		snprintf(r->env.measure_why, sizeof r->env.measure_why, "%s", gpu_unavailable_reason(m->g));
		snprintf(r->env.ceiling_note, sizeof r->env.ceiling_note, "not measured: no GPU");
		snprintf(r->env.arch, sizeof r->env.arch, "%s", o->arch ? o->arch : "sm_90");
		return 0;
	}
	m->ok = true;
	r->env.device_valid = true;
	snprintf(r->env.device, sizeof r->env.device, "%s", d->name);
	gpu_describe(m->g, r->env.device_line, sizeof r->env.device_line);
	r->env.cc_major = d->cc_major;
	r->env.cc_minor = d->cc_minor;
	r->env.sm_count = d->sm_count;
	r->env.peak_gbs = d->peak_bw_gbs;
	ceiling_driver_of(d, r->env.driver, sizeof r->env.driver);
	snprintf(r->env.libcuda, sizeof r->env.libcuda, "%s", gpu_lib_path(m->g));
	if (o->arch != NULL)
		snprintf(r->env.arch, sizeof r->env.arch, "%s", o->arch);
	else
		snprintf(r->env.arch, sizeof r->env.arch, "sm_%d%d", d->cc_major, d->cc_minor);
	open_cupti(c);
	return 0;
}

size_t
report_measure_steps(const report_run_ctx *c)
{
	size_t i, j, n = 0;

	if (c->m == NULL || !c->m->ok)
		return 0;
	for (i = 0; i < c->r->n_shapes; i++)
		for (j = 0; j < c->r->shapes[i].n_rows; j++)
			n += c->r->shapes[i].rows[j].status != REPORT_ROW_REFUSED;
	return n + 1; /* the ceiling */
}

void
report_measure_close(report_run_ctx *c)
{
	if (c->m == NULL)
		return;
	l2flush_free(c->m->flush);
	if (c->m->own_cu.g != NULL)
		cupti_gpu_close(&c->m->own_cu);
	if (c->m->own_g)
		gpu_close(c->m->g);
	free(c->m);
	c->m = NULL;
}

/* ---------------------------------------------------------------- measure */

static void
copy_result(report *r, report_row *row, int rc, const bench_result *b)
{
	/* registers as the launch used them (CUPTI's record), else the
	 * loaded function's */
	row->launch_regs_valid = b->record_valid || b->attrs_valid;
	row->launch_regs = b->record_valid ? (int)b->record.regs_per_thread : b->attrs.num_regs;
	row->theo_occ_valid = b->occ_valid || b->occupancy_valid;
	row->theo_occ_pct = b->occ_valid ? b->occ.theoretical_pct : b->occupancy_pct;
	if (b->occ_valid)
		occupancy_limiter_short(b->occ.limiters, row->occ_limiter, sizeof row->occ_limiter);
	if (b->counters_valid && b->counters.valid[CUPTI_M_ACHIEVED_OCC]) {
		row->achieved_occ_valid = true;
		row->achieved_occ_pct = b->counters.value[CUPTI_M_ACHIEVED_OCC];
	}
	if (bench_cupti_read_ratio(b, &row->dram_ratio)) {
		row->dram_valid = true;
		row->dram_read_bytes = b->counters.value[CUPTI_M_DRAM_READ];
	}
	if (rc != 0) {
		row->status = REPORT_ROW_ERROR;
		snprintf(row->why, sizeof row->why, "%s%s", b->error,
			b->context_reset ? " (the context was reset)" : "");
		return;
	}
	row->time_valid = b->gemv.valid;
	row->time_us = b->gemv.median_us;
	row->min_us = b->gemv.min_us;
	row->max_us = b->gemv.max_us;
	row->quant_valid = b->quant.valid;
	row->quant_us = b->quant.median_us;
	row->total_valid = b->total.valid;
	row->total_us = b->total.median_us;
	row->ideal_bytes = b->bytes;
	row->gbs_valid = b->gemv.valid && b->gemv.median_us > 0;
	row->gbs = b->gbs;
	row->ceiling_pct_valid = row->gbs_valid && r->env.ceiling_valid && r->env.ceiling_gbs > 0;
	row->ceiling_pct = row->ceiling_pct_valid ? 100.0 * row->gbs / r->env.ceiling_gbs : 0;
	row->err_valid = b->checked;
	row->rel_l2 = b->rel_l2;
	row->max_abs = b->max_abs;
	row->tol = b->tol;
	row->status = b->pass ? REPORT_ROW_PASS : REPORT_ROW_FAIL;
	if (!b->pass) {
		if (b->unwritten > 0)
			snprintf(row->why, sizeof row->why, "%lld outputs never written", (long long)b->unwritten);
		else if (b->non_finite > 0)
			snprintf(row->why, sizeof row->why, "%lld outputs NaN or Inf", (long long)b->non_finite);
		else if (b->rel_l2 > b->tol)
			snprintf(row->why, sizeof row->why, "rel_l2 %.3g > tolerance %.3g", b->rel_l2, b->tol);
		else if (b->q8_checked)
			snprintf(row->why, sizeof row->why, "rel_l2 %.3g against the Q8_1 reference > %.3g",
				b->q8_rel_l2, BENCH_TOL_Q8_KERNEL);
		else
			snprintf(row->why, sizeof row->why, "output not checked");
	}
}

/* Measure one compiled row of a shape. */
static void
measure_row(report_run_ctx *c, bench_session *s, const report_shape *sh, bench_opts *bo,
	report_row *row)
{
	gpu *g = c->m->g;
	const gpu_info *d = gpu_device_info(g);
	const variant *q = variant_quantizer();
	jit_result jr, qr;
	variant_launch gl, ql;
	bench_kernel gk, qk;
	bench_result b;
	errmsg err;
	int rc;

	/* The builds are in the jit's memory cache since the compile phase. */
	if (jit_get(c->j, row->v, row->warps, c->r->env.arch, &jr, &err) != 0 ||
	    (row->v->input == VARIANT_X_Q8_1 && jit_get(c->j, q, q->default_warps, c->r->env.arch, &qr, &err) != 0)) {
		row->status = REPORT_ROW_COMPILE_ERROR;
		snprintf(row->why, sizeof row->why, "%s", err.text);
		return;
	}
	if (variant_geometry(row->v, row->warps, sh->n, sh->k, d->sm_count, &gl, &err) != 0 ||
	    (row->v->input == VARIANT_X_Q8_1 &&
	     variant_geometry(q, q->default_warps, sh->n, sh->k, d->sm_count, &ql, &err) != 0)) {
		row->status = REPORT_ROW_ERROR;
		snprintf(row->why, sizeof row->why, "%s", err.text);
		return;
	}
	row->geom_valid = true;
	row->grid = gl.grid_x;
	row->block = gl.block_x;
	row->smem_dynamic_bytes = gl.smem_dynamic_bytes;
	gk = (bench_kernel){ jr.module->variant->entry, jr.module->image, jr.module->image_bytes,
		{ { gl.grid_x, 1, 1 }, { gl.block_x, 1, 1 }, gl.smem_dynamic_bytes } };
	if (row->v->input == VARIANT_X_Q8_1)
		qk = (bench_kernel){ qr.module->variant->entry, qr.module->image, qr.module->image_bytes,
			{ { ql.grid_x, 1, 1 }, { ql.block_x, 1, 1 }, ql.smem_dynamic_bytes } };
	memset(&b, 0, sizeof b);
	rc = bench_measure(s, &gk, row->v->input == VARIANT_X_Q8_1 ? &qk : NULL, bo, &b);
	copy_result(c->r, row, rc, &b);
	if (b.timer != NULL && c->r->env.timer[0] == '\0')
		snprintf(c->r->env.timer, sizeof c->r->env.timer, "%s", b.timer);
	if (rc == GPU_ERESET && c->m->flush != NULL) {
		/* the flush kernel died with the context: cuMemsetD32 from now on */
		l2flush_free(c->m->flush);
		c->m->flush = NULL;
		bo->flush = NULL;
	}
}

/* Why the rows of a shape stay unmeasured. */
static void
leave_unmeasured(report_shape *sh, const char *why)
{
	size_t j;

	for (j = 0; j < sh->n_rows; j++) {
		report_row *row = &sh->rows[j];

		if (row->status != REPORT_ROW_PLANNED || !row->compiled)
			continue;
		row->status = REPORT_ROW_UNMEASURED;
		snprintf(row->why, sizeof row->why, "%s", why);
	}
}

static void
measure_shape(report_run_ctx *c, report_shape *sh, bench_opts *bo)
{
	const report_tensor *t = &c->r->tensors[sh->first_tensor];
	bench_layer layer;
	bench_session *s;
	float *x;
	errmsg err;
	size_t j;

	memset(&layer, 0, sizeof layer);
	layer.name = t->name;
	layer.type = t->type;
	layer.rows = t->n;
	layer.k = t->k;
	layer.w = t->data;
	layer.w_bytes = t->bytes;
	x = xreallocarray(NULL, t->k, sizeof *x);
	bench_gaussian(x, t->k, c->o->seed);
	s = bench_open(c->m->g, &layer, x, c->o->threads, &err);
	free(x);
	if (s == NULL) {
		char why[REPORT_WHY_MAX];

		snprintf(why, sizeof why, "no reference: %s", err.text);
		leave_unmeasured(sh, why);
		for (j = 0; j < sh->n_rows; j++)
			c->done += sh->rows[j].status != REPORT_ROW_REFUSED;
		sh->done = true;
		return;
	}
	for (j = 0; j < sh->n_rows; j++) {
		report_row *row = &sh->rows[j];

		if (row->status == REPORT_ROW_REFUSED)
			continue;
		if (report_run_cancelled(c))
			break;
		if (row->status == REPORT_ROW_PLANNED && row->compiled)
			measure_row(c, s, sh, bo, row);
		c->done++;
		report_run_step(c, "measure");
	}
	sh->done = j == sh->n_rows;
	bench_close(s);
}

void
report_measure_all(report_run_ctx *c)
{
	report *r = c->r;
	struct report_measure *m = c->m;
	bench_opts bo;
	errmsg err;
	size_t i;

	if (m == NULL || !m->ok) {
		/* The reason is in the environment section; rows keep it short. */
		const char *why = !c->o->measure ? "--no-measure" : "no GPU";

		for (i = 0; i < r->n_shapes; i++) {
			leave_unmeasured(&r->shapes[i], why);
			r->shapes[i].done = true;
		}
		return;
	}
	bench_opts_default(&bo);
	bo.reps = c->o->reps;
	bo.warmup = c->o->warmup;
	bo.warm_l2 = c->o->warm_l2;
	bo.threads = c->o->threads;
	bo.cupti = m->cu;
	bo.counters = m->cu != NULL && !c->o->no_cupti;
	/* Cold L2 by the read flush, the one that agrees with ncu
	 * --cache-control all; cuMemsetD32 when the kernel cannot be made. */
	snprintf(r->env.flush, sizeof r->env.flush, "%s", c->o->warm_l2 ? "none (warm)" : "3 x L2 written by cuMemsetD32");
	if (!c->o->warm_l2) {
		if ((m->flush = l2flush_new(m->g, c->tools_j, L2FLUSH_READ, &err)) != NULL) {
			bo.flush = m->flush;
			snprintf(r->env.flush, sizeof r->env.flush, "3 x L2 read by the flush kernel, its records excluded");
		} else
			snprintf(r->env.flush, sizeof r->env.flush, "3 x L2 written by cuMemsetD32 (flush kernel: %.160s)",
				err.text);
	}
	report_run_step(c, "ceiling");
	if (c->o->no_ceiling)
		snprintf(r->env.ceiling_note, sizeof r->env.ceiling_note, "not measured (--no-ceiling)");
	else if (ceiling_get(m->g, c->tools_j, bench_cupti_timing(&bo) ? m->cu : NULL, NULL, false, &m->ceil, &err) == 0) {
		r->env.ceiling_valid = true;
		r->env.ceiling_gbs = m->ceil.best_gbs;
		snprintf(r->env.ceiling_note, sizeof r->env.ceiling_note, "%s %s, %s", m->ceil.from_cache ? "cached" :
			"measured", m->ceil.measured_at, m->ceil.timer);
	} else
		snprintf(r->env.ceiling_note, sizeof r->env.ceiling_note, "%s", err.text);
	c->done++;
	for (i = 0; i < r->n_shapes && !report_run_cancelled(c); i++)
		measure_shape(c, &r->shapes[i], &bo);
}
