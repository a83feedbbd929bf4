/* engine: the device probe, measurements and the GpuProfile. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "engine_internal.h"
#include "gpu.h"
#include "variant.h"
#include "xalloc.h"

void
engine_set_gpu(engine *e, gpu *g)
{
	engine_gpu_close(e);
	e->gpu = g;
}

void
engine_probe(engine *e, job_result *r)
{
	model_device *d = &r->dev;
	const gpu_info *gi;

	memset(d, 0, sizeof(*d));
	d->probed = true;
	if (e->gpu == NULL) {
		/* CUPTI runs where the driver does: its handler goes in first. */
		cupti_gpu_install();
		e->gpu = gpu_open();
	}
	engine_nvrtc_version(d->nvrtc, sizeof(d->nvrtc));
	gi = gpu_device_info(e->gpu);
	if (!gpu_available(e->gpu) || gi == NULL || !gi->valid) {
		snprintf(d->why, sizeof(d->why), "%s", gpu_unavailable_reason(e->gpu));
		snprintf(d->driver, sizeof(d->driver), "n/a");
		snprintf(d->arch, sizeof(d->arch), "%s (no GPU: the default)", e->arch);
	} else {
		d->gpu_ok = true;
		snprintf(d->name, sizeof(d->name), "%s", gi->name);
		d->cc_major = gi->cc_major;
		d->cc_minor = gi->cc_minor;
		d->n_sms = gi->sm_count;
		d->l2_bytes = gi->l2_bytes;
		if (gi->driver_release[0] != '\0')
			snprintf(d->driver, sizeof(d->driver), "%s", gi->driver_release);
		else
			snprintf(d->driver, sizeof(d->driver), "CUDA %d.%d", gi->driver_version / 1000,
				gi->driver_version % 1000 / 10);
		snprintf(d->libcuda, sizeof(d->libcuda), "%s", gpu_lib_path(e->gpu));
		snprintf(e->arch, sizeof(e->arch), "sm_%d%d", gi->cc_major, gi->cc_minor);
		snprintf(d->arch, sizeof(d->arch), "%s", e->arch);
		e->sm_count = gi->sm_count;
		e->peak_gbs = gi->peak_bw_gbs;
	}
	engine_probe_profiler(e, d);
	r->ok = true;
}

/* The bench session for the job's tensor and input: the reference GEMV
 * costs a dequantization and a float64 product, so a session is kept
 * until the tensor or the activation setting changes. */
static bench_session *
session_for(engine *e, const job *j, model_measure *me)
{
	const gguf_tensor *gt = engine_tensor(e, j->tensor);
	bench_layer layer;
	errmsg err;
	char label[160];
	float *x;

	if (e->sess != NULL && e->sess_tensor == j->tensor && e->sess_act_source == j->act_source &&
		strcmp(e->sess_spec, j->outlier_spec) == 0)
		return e->sess;
	bench_close(e->sess);
	e->sess = NULL;
	x = engine_input(e, j, gt->ne[0], label, sizeof(label), &err);
	if (x == NULL) {
		snprintf(me->why, sizeof(me->why), "input: %s", err.text);
		return NULL;
	}
	memset(&layer, 0, sizeof(layer));
	layer.name = gt->name;
	layer.type = gt->type;
	layer.rows = (int64_t)gt->ne[1];
	layer.k = (int64_t)gt->ne[0];
	layer.w = gt->data;
	layer.w_bytes = gt->n_bytes;
	e->sess = bench_open(e->gpu, &layer, x, 0, &err);
	free(x);
	if (e->sess == NULL) {
		snprintf(me->why, sizeof(me->why), "%s", err.text);
		return NULL;
	}
	e->sess_tensor = j->tensor;
	e->sess_act_source = j->act_source;
	snprintf(e->sess_spec, sizeof(e->sess_spec), "%s", j->outlier_spec);
	return e->sess;
}

/* A module and its launch geometry as bench takes them. */
static int
kernel_of(const engine *e, const jit_module *m, const gguf_tensor *gt, bench_kernel *k, errmsg *err)
{
	variant_launch l;

	if (variant_geometry(m->variant, m->warps, (uint32_t)gt->ne[1], (uint32_t)gt->ne[0], e->sm_count,
			&l, err) != 0)
		return -1;
	memset(k, 0, sizeof(*k));
	k->entry = m->variant->entry;
	k->image = m->image;
	k->image_bytes = m->image_bytes;
	k->cfg.grid[0] = l.grid_x;
	k->cfg.grid[1] = k->cfg.grid[2] = 1;
	k->cfg.block[0] = l.block_x;
	k->cfg.block[1] = k->cfg.block[2] = 1;
	k->cfg.smem_bytes = l.smem_dynamic_bytes;
	return 0;
}

/* bench's figures in the model's form. */
static void
fill_measure(const engine *e, const bench_result *br, model_measure *me)
{
	me->valid = br->gemv.valid;
	if (!me->valid) {
		snprintf(me->why, sizeof(me->why), "%s", br->error[0] ? br->error : "no timing");
		return;
	}
	me->t_med_ns = br->gemv.median_us * 1e3;
	me->t_min_ns = br->gemv.min_us * 1e3;
	me->t_max_ns = br->gemv.max_us * 1e3;
	me->reps = br->reps;
	snprintf(me->timing_src, sizeof(me->timing_src), "%s", br->timer ? br->timer : "?");
	me->gbs = br->gbs;
	me->l2_cold = !br->warm_l2;
	if (e->ceiling_valid && e->ceiling_gbs > 0) {
		me->pct_valid = true;
		me->pct_ceiling = 100.0 * br->gbs / e->ceiling_gbs;
	}
	if (br->quant.valid) {
		me->q8_valid = true;
		me->q8_ns = br->quant.median_us * 1e3;
	}
	if (br->occupancy_valid) {
		me->theo_valid = true;
		me->occ_theoretical_pct = br->occupancy_pct;
	}
	me->err_valid = br->checked;
	if (br->checked) {
		me->err_rel_l2 = br->rel_l2;
		me->err_max_abs = br->max_abs;
		me->err_pass = br->pass;
		if (!br->pass)
			snprintf(me->verdict, sizeof(me->verdict), "%s", br->error[0] ? br->error :
				br->unwritten > 0 ? "outputs left unwritten" : "error above the tolerance");
	} else {
		snprintf(me->err_why, sizeof(me->err_why), "not checked");
	}
}

static void
measure(engine *e, const job *j, job_result *r, const jit_module *mod)
{
	const gguf_tensor *gt = engine_tensor(e, j->tensor);
	model_measure *me = &r->meas;
	const jit_module *qmod = NULL;
	bench_kernel gk, qk;
	bench_session *s;
	bench_result *br;
	bench_opts o;
	errmsg err;
	int rc;

	if (!gpu_available(e->gpu)) {
		snprintf(me->why, sizeof(me->why), "no GPU: %s", gpu_unavailable_reason(e->gpu));
		return;
	}
	if (mod->variant->input == VARIANT_X_Q8_1) {
		const variant *q = variant_quantizer();
		model_compile qc;
		job qj = *j;

		/* The quantizer is built like any cell; only its module is used.
		 * Never afresh: that would free the GEMV module forced just now. */
		qj.variant = -1;
		qj.force = false;
		qmod = engine_build_variant(e, &qj, q, q->default_warps, &qc);
		if (qmod == NULL) {
			snprintf(me->why, sizeof(me->why), "quantizer: %s", qc.why);
			model_compile_clear(&qc);
			return;
		}
		model_compile_clear(&qc);
	}
	if (kernel_of(e, mod, gt, &gk, &err) != 0 || (qmod != NULL && kernel_of(e, qmod, gt, &qk, &err) != 0)) {
		snprintf(me->why, sizeof(me->why), "%s", err.text);
		return;
	}
	s = session_for(e, j, me);
	if (s == NULL)
		return;
	bench_opts_default(&o);
	o.warm_l2 = !j->l2_cold;
	br = xcalloc(1, sizeof(*br));
	rc = engine_bench_measure(e, s, &gk, qmod ? &qk : NULL, &o, br);
	fill_measure(e, br, me);
	engine_counters(e, j, gt, mod, br, me);
	if (rc == GPU_ERESET) {
		/* The session re-uploads on its next call; the reference stays. */
		snprintf(me->verdict, sizeof(me->verdict), "sticky error, context reset: %s", br->error);
	}
	free(br);
}

void
engine_cell(engine *e, const job *j, job_result *r, worker *w)
{
	const jit_module *mod = engine_build(e, j, &r->comp);

	r->ok = r->comp.valid && r->comp.ok;
	if (j->kind != JOB_MEASURE || engine_cancelled(w))
		return;
	if (mod == NULL) {
		snprintf(r->meas.why, sizeof(r->meas.why), "not built: %s", r->comp.why);
		return;
	}
	measure(e, j, r, mod);
}

void
engine_gpu_close(engine *e)
{
	bench_close(e->sess);
	e->sess = NULL;
	engine_profiler_close(e);
	gpu_close(e->gpu);
	e->gpu = NULL;
}
