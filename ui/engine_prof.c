/* engine: the profiler side: CUPTI, the measured ceiling, occupancy and
 * the GpuProfile. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bench_cupti.h"
#include "ceiling.h"
#include "engine_internal.h"
#include "occupancy.h"
#include "profile.h"
#include "quant.h"
#include "variant.h"

/* The profile ggscope's default rule gives for the engine's compute
 * capability, with the user's choices so far, into d's fields. */
static void
profile_fill(engine *e, model_device *d)
{
	errmsg err;
	int f;

	d->n_fields = 0;
	if (profile_detect(e->cc_major, e->cc_minor, NULL, NULL, &e->user, PROFILE_RULE_GGSCOPE, &e->prof,
			&err) != 0) {
		snprintf(d->profile_why, sizeof(d->profile_why), "%s", err.text);
		return;
	}
	for (f = 0; f < PROFILE_F_COUNT && f < MODEL_MAX_FIELDS; f++) {
		model_field *mf = &d->fields[d->n_fields++];
		const profile_source *s = &e->prof.src[f];

		snprintf(mf->name, sizeof(mf->name), "%s", profile_field_name((enum profile_field)f));
		profile_field_value(&e->prof, (enum profile_field)f, mf->value, sizeof(mf->value));
		snprintf(mf->origin, sizeof(mf->origin), "%s", profile_origin_name(s->origin));
		snprintf(mf->source, sizeof(mf->source), "%s", s->text);
		snprintf(mf->note, sizeof(mf->note), "%s", s->note);
	}
}

/* The counters line of the header: what CUPTI can do here, or why not. */
static void
cupti_fill(engine *e, model_device *d)
{
	const cupti_gpu_status *st;
	cupti_options co;
	unsigned v;
	errmsg err;

	if (e->opt.no_cupti)
		snprintf(d->cupti, sizeof(d->cupti), "off (--no-cupti)");
	else if (cupti_version(&v, &err) == 0)
		snprintf(d->cupti, sizeof(d->cupti), "%u.%u (API %u)", v / 10000, v / 100 % 100, v);
	else
		snprintf(d->cupti, sizeof(d->cupti), "n/a (%s)", err.text);
	if (!d->gpu_ok) {
		snprintf(d->counters, sizeof(d->counters), "n/a: no GPU");
		return;
	}
	memset(&co, 0, sizeof(co));
	co.disabled = e->opt.no_cupti;
	cupti_gpu_open(&e->cu, e->gpu, &co);
	st = cupti_gpu_status_of(&e->cu);
	d->counters_ok = st->tier == CUPTI_TIER_COUNTERS;
	if (st->tier == CUPTI_TIER_COUNTERS)
		snprintf(d->counters, sizeof(d->counters), "on %s, %d passes per profiled launch", st->chip,
			st->passes);
	else if (st->tier == CUPTI_TIER_TIMING)
		snprintf(d->counters, sizeof(d->counters), "timing only: %s", st->counters_status);
	else
		snprintf(d->counters, sizeof(d->counters), "n/a (CUDA event timing): %s", st->timing_status);
}

/* The flush kernel and the device's read ceiling (cached per device and
 * driver); each that fails only leaves its reason. */
static void
ceiling_fill(engine *e, model_device *d)
{
	ceiling ceil;
	errmsg err;
	jit *jt;

	e->ceiling_valid = false;
	if (!d->gpu_ok) {
		snprintf(d->ceiling_why, sizeof(d->ceiling_why), "no GPU to measure");
		return;
	}
	jt = engine_jit(e, "", &err);
	if (jt == NULL) {
		snprintf(d->ceiling_why, sizeof(d->ceiling_why), "%s", err.text);
		return;
	}
	if (e->flush == NULL)
		e->flush = l2flush_new(e->gpu, jt, L2FLUSH_READ, &err);
	memset(&ceil, 0, sizeof(ceil));
	if (ceiling_get(e->gpu, jt, cupti_gpu_status_of(&e->cu)->tier != CUPTI_TIER_NONE ? &e->cu : NULL,
			NULL, false, &ceil, &err) != 0) {
		snprintf(d->ceiling_why, sizeof(d->ceiling_why), "%s", err.text);
		return;
	}
	e->ceiling_valid = d->ceiling_valid = true;
	e->ceiling_gbs = d->ceiling_gbs = ceil.best_gbs;
}

void
engine_probe_profiler(engine *e, model_device *d)
{
	const gpu_info *gi = gpu_device_info(e->gpu);

	cupti_fill(e, d);
	ceiling_fill(e, d);
	/* Without a device the profile is the one the rules give the
	 * architecture builds target, and says so. */
	if (d->gpu_ok && gi != NULL) {
		e->cc_major = gi->cc_major;
		e->cc_minor = gi->cc_minor;
		snprintf(d->profile_for, sizeof(d->profile_for), "sm_%d%d", e->cc_major, e->cc_minor);
	} else {
		e->cc_major = 9;
		e->cc_minor = 0;
		snprintf(d->profile_for, sizeof(d->profile_for), "sm_90 (no GPU: the builds' default)");
	}
	profile_user_init(&e->user);
	e->user.how = "TUI";
	profile_fill(e, d);
	e->dev = *d;
}

int
engine_bench_measure(engine *e, bench_session *s, const bench_kernel *gemv, const bench_kernel *quant,
	const bench_opts *o, bench_result *r)
{
	bench_opts oo = *o;
	errmsg err;
	int rc;

	/* Timing from CUPTI's activity records and one counter session per
	 * measurement (2 passes on GH100) where the tier allows; the flush
	 * kernel for a cold L2. */
	if (e->cu.g != NULL && cupti_gpu_status_of(&e->cu)->tier != CUPTI_TIER_NONE) {
		oo.cupti = &e->cu;
		oo.counters = cupti_gpu_status_of(&e->cu)->tier == CUPTI_TIER_COUNTERS;
	}
	if (!oo.warm_l2 && e->flush == NULL && e->jit != NULL)
		e->flush = l2flush_new(e->gpu, e->jit, L2FLUSH_READ, &err);
	oo.flush = oo.warm_l2 ? NULL : e->flush;
	rc = bench_measure(s, gemv, quant, &oo, r);
	if (rc == GPU_ERESET) {
		/* The flush kernel's module and buffer died with the context. */
		l2flush_free(e->flush);
		e->flush = NULL;
	}
	return rc;
}

void
engine_counters(engine *e, const job *j, const gguf_tensor *gt, const jit_module *mod,
	const bench_result *br, model_measure *me)
{
	const cupti_range_values *cv = &br->counters;
	char buf[256], lim[64];
	double ratio;
	int n = 0;

	(void)j;
	(void)gt;
	(void)mod;
	if (!me->valid)
		return;
	if (bench_cupti_read_ratio(br, &ratio)) {
		me->dram_valid = true;
		me->dram_ratio = ratio;
	} else {
		snprintf(me->dram_why, sizeof(me->dram_why), "%s", br->counters_note[0] ? br->counters_note :
			"no counters");
	}
	if (br->counters_valid && cv->valid[CUPTI_M_ACHIEVED_OCC]) {
		me->occ_valid = true;
		me->occ_achieved_pct = cv->value[CUPTI_M_ACHIEVED_OCC];
	} else {
		snprintf(me->occ_why, sizeof(me->occ_why), "%s", br->counters_note[0] ? br->counters_note :
			"no counters");
	}
	if (br->occ_valid) {
		me->theo_valid = true;
		me->occ_theoretical_pct = br->occ.theoretical_pct;
		me->waves = br->occ.waves_per_sm;
		occupancy_limiter_short(br->occ.limiters, lim, sizeof(lim));
		snprintf(me->limiter, sizeof(me->limiter), "%s", lim);
	}
	if (br->counters_valid) {
		if (cv->valid[CUPTI_M_DRAM_PCT])
			n += snprintf(me->counters + n, sizeof(me->counters) - (size_t)n, "DRAM %.0f %% of peak  ",
				cv->value[CUPTI_M_DRAM_PCT]);
		if (cv->valid[CUPTI_M_L2_HIT])
			n += snprintf(me->counters + n, sizeof(me->counters) - (size_t)n, "L2 hit %.0f %%  ",
				cv->value[CUPTI_M_L2_HIT]);
		if (cv->valid[CUPTI_M_SM_HZ] && n < (int)sizeof(me->counters))
			n += snprintf(me->counters + n, sizeof(me->counters) - (size_t)n, "SM %.2f GHz  ",
				cv->value[CUPTI_M_SM_HZ] / 1e9);
		if (n < (int)sizeof(me->counters))
			snprintf(me->counters + n, sizeof(me->counters) - (size_t)n, "(%d passes)", br->counter_passes);
	}
	if (me->verdict[0] == '\0' && bench_cupti_verdict(br, e->peak_gbs, buf, sizeof(buf))[0] != '\0')
		snprintf(me->verdict, sizeof(me->verdict), "%s", buf);
}

/* p, Enter: the selected variant (and its warps, for the multi-warp and
 * stream kernels) becomes the user's choice for its weight type. */
void
engine_profile_set(engine *e, const job *j, job_result *r)
{
	const gguf_tensor *gt = engine_tensor(e, j->tensor);
	const variant *v = gt ? engine_variant(gt->type, j->variant) : NULL;
	profile_user saved = e->user;
	bool stream;
	int id;

	if (v == NULL || e->dev.n_fields == 0) {
		snprintf(r->why, sizeof(r->why), "cannot apply: %s", v == NULL ? "no variant selected" :
			e->dev.profile_why);
		return;
	}
	if (v->qtype == QT_Q4_K) {
		id = profile_q4k_parse(v->name);
		/* basic, tiled and chunked are what the seed's Legacy picks by k. */
		if (id < 0 && variant_legacy_pick(v->qtype, (uint32_t)gt->ne[0]) == v)
			id = PROFILE_Q4K_LEGACY;
		if (id < 0) {
			snprintf(r->why, sizeof(r->why), "%s is not a variant the GpuProfile chooses between "
				"(legacy, wide, vectorized, mwv_dp4a, hw_dp4a, mwv, stream, stream_dp4a)", v->name);
			return;
		}
		e->user.q4k = id;
		stream = profile_q4k_is_stream((enum profile_q4k)id);
	} else {
		id = profile_q6k_parse(v->name);
		if (id < 0) {
			snprintf(r->why, sizeof(r->why), "%s is not a variant the GpuProfile chooses between "
				"(basic, mwv, dp4a, hw_dp4a, stream, stream_dp4a)", v->name);
			return;
		}
		e->user.q6k = id;
		stream = profile_q6k_is_stream((enum profile_q6k)id);
	}
	/* One warp count serves every multi-warp kernel, as in the seed, and
	 * one every stream kernel. */
	if (stream)
		e->user.stream_warps = j->warps;
	else if (v->n_warps > 1)
		e->user.mwv_warps = j->warps;
	profile_fill(e, &e->dev);
	if (e->dev.n_fields == 0) {
		e->user = saved;
		snprintf(r->why, sizeof(r->why), "cannot apply: %s", e->dev.profile_why);
		profile_fill(e, &e->dev);
		return;
	}
	r->dev = e->dev;
	r->ok = true;
	if (v->n_warps > 1)
		snprintf(r->why, sizeof(r->why), "GpuProfile: %s = %s, %s = %d (user choice)",
			v->qtype == QT_Q4_K ? "q4k" : "q6k", v->name, stream ? "stream_warps" : "mwv_warps", j->warps);
	else
		snprintf(r->why, sizeof(r->why), "GpuProfile: %s = %s (user choice)",
			v->qtype == QT_Q4_K ? "q4k" : "q6k", v->name);
}

void
engine_profiler_close(engine *e)
{
	l2flush_free(e->flush);
	e->flush = NULL;
	if (e->cu.g != NULL)
		cupti_gpu_close(&e->cu);
	memset(&e->cu, 0, sizeof(e->cu));
}
