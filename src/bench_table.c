/* bench_table: the text table and the JSON document of `ggscope bench`. */
#include "config.h"

#include <json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench_cupti.h"
#include "bench_table.h"
#include "quant.h"

const char *
bench_table_status(const struct bench_row *r)
{
	if (r->refused)
		return "refused";
	if (!r->compiled)
		return "compile-error";
	if (r->measured)
		return r->res.pass ? "pass" : "FAIL";
	/* compiled but not measured: broke on the way, or there is no GPU */
	return r->why[0] || r->rc != 0 ? "error" : "n/a";
}

static const char *
origin_name(enum jit_origin o)
{
	switch (o) {
	case JIT_COMPILED: return "new";
	case JIT_MEMORY: return "mem";
	case JIT_DISK: return "disk";
	case JIT_STALE: return "stale";
	}
	return "?";
}

/* ---------------------------------------------------------------- text */

/* The lines that say what CUPTI and the ceiling give this run. */
static void
text_header_cupti(const bench_table *t)
{
	const cupti_gpu_status *st = t->cupti;

	if (st == NULL)
		printf("counters  n/a: CUPTI not opened\n");
	else if (st->tier == CUPTI_TIER_COUNTERS && t->opts->counters)
		printf("counters  CUPTI range profiler on %s, one extra launch per row replayed %d times "
			"(L2 flushed before each pass)%s\n", st->chip, st->passes,
			st->full ? ", full set (sm__throughput)" : "");
	else if (st->tier == CUPTI_TIER_COUNTERS)
		printf("counters  off (--no-counters)\n");
	else
		printf("counters  n/a: %s\n", st->tier == CUPTI_TIER_TIMING ? st->counters_status : st->timing_status);
	if (st != NULL && st->tier == CUPTI_TIER_COUNTERS && st->counters_status[0] != '\0')
		printf("          %s\n", st->counters_status);
	if (t->ceiling_gbs > 0)
		printf("ceiling   %.0f GB/s read (%s); rd/idl = DRAM bytes read / (weights + x)\n", t->ceiling_gbs,
			t->ceiling_note != NULL ? t->ceiling_note : "measured");
	else
		printf("ceiling   n/a%s%s\n", t->ceiling_note != NULL ? ": " : "", t->ceiling_note != NULL ? t->ceiling_note : "");
}

/* "63.4/75.0% registers": achieved (or -) over theoretical, and the limiter. */
static void
occupancy_cell(const bench_result *b)
{
	char cell[64], lim[64], ach[16] = "-";

	if (!b->occ_valid) {
		printf(" %-22s", b->occupancy_valid ? "" : "-");
		return;
	}
	if (b->counters_valid && b->counters.valid[CUPTI_M_ACHIEVED_OCC])
		snprintf(ach, sizeof ach, "%.1f", b->counters.value[CUPTI_M_ACHIEVED_OCC]);
	snprintf(cell, sizeof cell, "%s/%.1f%% %s", ach, b->occ.theoretical_pct,
		occupancy_limiter_short(b->occ.limiters, lim, sizeof lim));
	printf(" %-22s", cell);
}

static void
text_header(const bench_table *t)
{
	const bench_layer *L = t->layer;
	const bench_opts *o = t->opts;
	char dev[ERRMSG_MAX + 64];

	printf("layer     %s: %s, %lld rows x %lld, %.1f MB (%s)\n", L->name,
		quant_type_info(L->type)->name, (long long)L->rows, (long long)L->k,
		(double)L->w_bytes / 1e6, t->source);
	printf("device    %s\n", gpu_describe(t->g, dev, sizeof dev));
	if (gpu_available(t->g))
		printf("library   %s, driver in a %s\n", gpu_lib_path(t->g), gpu_note(t->g));
	printf("kernels   compiled for %s\n", t->arch);
	if (t->n_defines > 0) {
		printf("defines  ");
		for (int i = 0; i < t->n_defines; i++)
			printf(" %s", t->defines[i]);
		printf("\n");
	}
	printf("timing    %s, median/min/max of %d launches after %d warm-up, %s L2\n",
		bench_cupti_timing(o) ? "CUPTI activity records" : "cuda events", o->reps, o->warmup,
		o->warm_l2 ? "warm (no flush between launches)" : "cold");
	if (!o->warm_l2)
		printf("l2 flush  before each launch: %s\n", t->flush != NULL ? t->flush : "n/a (nothing launched)");
	text_header_cupti(t);
	printf("input     x ~ N(0,1), seed %llu; checked against a CPU float64 reference\n",
		(unsigned long long)t->seed);
	printf("pass if   no output unwritten or non-finite, and rel_l2 <= %.0e (f32 x), or rel_l2 "
		"<= %.0e\n          and <= %.0e against the reference with the Q8_1-rounded x "
		"(q8_1 x)\n\n", BENCH_TOL_FP32, BENCH_TOL_Q8, BENCH_TOL_Q8_KERNEL);
	printf("%-15s %2s %-5s %6s %4s %5s %10s %9s %9s %9s %8s %9s %8s %6s %6s %7s %-22s %8s %8s  %s\n",
		"variant", "W", "x", "block", "regs", "spill", "compile ms", "median us",
		"min us", "max us", "q8_1 us", "total us", "GB/s", "%peak", "%ceil", "rd/idl",
		"occ ach/theo (limiter)", "rel_l2", "q8_l2", "result");
}

/* A number or "-" when it is not valid, right-aligned in `width`. */
static void
num(bool valid, double v, int width, int prec)
{
	if (valid && isfinite(v))
		printf(" %*.*f", width, prec, v);
	else
		printf(" %*s", width, "-");
}

static void
sci(bool valid, double v, int width)
{
	if (valid && isfinite(v))
		printf(" %*.1e", width, v);
	else if (valid)
		printf(" %*s", width, "inf");
	else
		printf(" %*s", width, "-");
}

static void
text_row(const bench_table *t, const struct bench_row *r)
{
	const bench_result *b = &r->res;
	const jit_module *m = r->compiled || r->build.module ? r->build.module : NULL;
	bool have_res = m != NULL && m->res.valid;
	int regs = b->attrs_valid ? b->attrs.num_regs : have_res ? m->res.registers : -1;
	char comp[32] = "-";

	printf("%-15s %2d %-5s", r->v->name, r->warps, variant_input_name(r->v->input));
	if (r->measured || b->gemv.valid || b->attrs_valid)
		printf(" %6u", b->cfg.block[0]);
	else
		printf(" %6d", r->warps * 32);
	if (regs >= 0)
		printf(" %4d", regs);
	else
		printf(" %4s", "-");
	if (have_res)
		printf(" %5d", m->res.spill_store_bytes + m->res.spill_load_bytes);
	else
		printf(" %5s", "-");
	if (m != NULL)
		snprintf(comp, sizeof comp, "%.1f %s", m->compile_ms, origin_name(r->build.origin));
	printf(" %10s", comp);
	num(b->gemv.valid, b->gemv.median_us, 9, 2);
	num(b->gemv.valid, b->gemv.min_us, 9, 2);
	num(b->gemv.valid, b->gemv.max_us, 9, 2);
	num(b->quant.valid, b->quant.median_us, 8, 2);
	num(b->total.valid, b->total.median_us, 9, 2);
	num(b->gemv.valid, b->gbs, 8, 1);
	num(b->gemv.valid && b->peak_pct > 0, b->peak_pct, 6, 1);
	num(b->gemv.valid && t->ceiling_gbs > 0, 100.0 * b->gbs / t->ceiling_gbs, 6, 1);
	{
		double ratio = 0;
		bool have = bench_cupti_read_ratio(b, &ratio);

		num(have, ratio, 7, 3);
	}
	occupancy_cell(b);
	sci(b->checked, b->rel_l2, 8);
	sci(b->q8_checked, b->q8_rel_l2, 8);
	printf("  %s\n", bench_table_status(r));
	if (r->measured) {
		char verdict[512];

		if (bench_cupti_verdict(b, gpu_device_info(t->g)->peak_bw_gbs, verdict, sizeof verdict)[0])
			printf("    %s\n", verdict);
		if (b->counters_note[0])
			printf("    counters n/a: %s\n", b->counters_note);
	}
	/* Why a row did not pass, on the line below it. */
	if (r->why[0])
		printf("    %s\n", r->why);
	else if (r->measured && !b->pass) {
		if (b->unwritten > 0)
			printf("    %lld of %lld outputs never written (still poisoned)\n",
				(long long)b->unwritten, (long long)t->layer->rows);
		if (b->non_finite > 0)
			printf("    %lld outputs NaN or infinite\n", (long long)b->non_finite);
		if (!(b->rel_l2 <= b->tol))
			printf("    rel_l2 %.3e > %.0e (max abs error %.3e)\n", b->rel_l2, b->tol,
				b->max_abs);
		if (b->q8_checked && !(b->q8_rel_l2 <= BENCH_TOL_Q8_KERNEL))
			printf("    rel_l2 against the Q8_1-x reference %.3e > %.0e\n", b->q8_rel_l2,
				BENCH_TOL_Q8_KERNEL);
	}
	fflush(stdout);
}

/* ---------------------------------------------------------------- JSON */

static json_object *
jnum(bool valid, double v)
{
	return valid && isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *
jtime(const bench_time *t)
{
	json_object *o;

	if (!t->valid)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "median", json_object_new_double(t->median_us));
	json_object_object_add(o, "min", json_object_new_double(t->min_us));
	json_object_object_add(o, "max", json_object_new_double(t->max_us));
	return o;
}

static json_object *
jbuild(const jit_result *jr)
{
	const jit_module *m = jr->module;
	json_object *o;

	if (m == NULL)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "target", json_object_new_string(m->target));
	json_object_object_add(o, "ptx", json_object_new_boolean(m->is_ptx));
	json_object_object_add(o, "compile_ms", json_object_new_double(m->compile_ms));
	json_object_object_add(o, "origin", json_object_new_string(origin_name(jr->origin)));
	json_object_object_add(o, "registers", m->res.valid ? json_object_new_int(m->res.registers) : NULL);
	json_object_object_add(o, "spill_store_bytes",
		m->res.valid ? json_object_new_int(m->res.spill_store_bytes) : NULL);
	json_object_object_add(o, "spill_load_bytes",
		m->res.valid ? json_object_new_int(m->res.spill_load_bytes) : NULL);
	json_object_object_add(o, "smem_static_bytes",
		m->res.valid ? json_object_new_int(m->res.smem_static_bytes) : NULL);
	return o;
}

/* The CUPTI, occupancy and ceiling figures of a row. */
static void
jrow_cupti(json_object *o, const bench_table *t, const bench_result *b)
{
	json_object *x, *lim;
	char buf[512];
	double ratio;
	int m;

	json_object_object_add(o, "timer", b->timer != NULL ? json_object_new_string(b->timer) : NULL);
	json_object_object_add(o, "ceiling_pct", jnum(b->gemv.valid && t->ceiling_gbs > 0, 100.0 * b->gbs / t->ceiling_gbs));
	if (b->occ_valid) {
		x = json_object_new_object();
		json_object_object_add(x, "theoretical_pct", json_object_new_double(b->occ.theoretical_pct));
		json_object_object_add(x, "limiter", json_object_new_string(occupancy_limiter_short(b->occ.limiters, buf, sizeof buf)));
		json_object_object_add(x, "limiter_text", json_object_new_string(occupancy_limiter_text(b->occ.limiters, buf, sizeof buf)));
		json_object_object_add(x, "blocks_per_sm", json_object_new_int(b->occ.blocks_per_sm));
		json_object_object_add(x, "driver_agrees", json_object_new_boolean(b->occ.driver_agrees));
		json_object_object_add(x, "warps_per_scheduler", json_object_new_double(b->occ.warps_per_scheduler));
		json_object_object_add(x, "waves_per_sm", json_object_new_double(b->occ.waves_per_sm));
		lim = json_object_new_object();
		json_object_object_add(lim, "blocks", json_object_new_int(b->occ.limit_blocks));
		json_object_object_add(lim, "registers", json_object_new_int(b->occ.limit_registers));
		json_object_object_add(lim, "shared_mem", json_object_new_int(b->occ.limit_shared_mem));
		json_object_object_add(lim, "warps", json_object_new_int(b->occ.limit_warps));
		json_object_object_add(x, "block_limits", lim);
		json_object_object_add(x, "smem_config_bytes", json_object_new_int(b->occ.smem_config_bytes));
		json_object_object_add(x, "smem_config_known", json_object_new_boolean(b->occ.smem_config_known));
		json_object_object_add(o, "occupancy", x);
	} else
		json_object_object_add(o, "occupancy", NULL);
	if (b->counters_valid) {
		static const char *const keys[CUPTI_M_COUNT] = {
			[CUPTI_M_TIME] = "time_ns", [CUPTI_M_DRAM_READ] = "dram_read_bytes",
			[CUPTI_M_DRAM_WRITE] = "dram_write_bytes_inflated", [CUPTI_M_DRAM_PCT] = "dram_throughput_pct",
			[CUPTI_M_ACHIEVED_OCC] = "achieved_occupancy_pct", [CUPTI_M_L2_HIT] = "l2_hit_pct",
			[CUPTI_M_SM_HZ] = "sm_clock_hz", [CUPTI_M_SM_PCT] = "sm_throughput_pct",
		};

		x = json_object_new_object();
		for (m = 0; m < CUPTI_M_COUNT; m++)
			json_object_object_add(x, keys[m], jnum(b->counters.valid[m], b->counters.value[m]));
		json_object_object_add(x, "ideal_read_bytes", json_object_new_int64((int64_t)b->ideal_read_bytes));
		json_object_object_add(x, "read_ratio", jnum(bench_cupti_read_ratio(b, &ratio), ratio));
		json_object_object_add(x, "passes", json_object_new_int(b->counter_passes));
		json_object_object_add(x, "wall_ms", json_object_new_double(b->counters_wall_ms));
		json_object_object_add(o, "counters", x);
	} else
		json_object_object_add(o, "counters", NULL);
	json_object_object_add(o, "counters_note", b->counters_note[0] ? json_object_new_string(b->counters_note) : NULL);
	if (b->record_valid) {
		x = json_object_new_object();
		json_object_object_add(x, "registers", json_object_new_int((int)b->record.regs_per_thread));
		json_object_object_add(x, "smem_config_bytes", json_object_new_int((int)b->record.smem_config_bytes));
		json_object_object_add(x, "local_bytes", json_object_new_int((int)b->record.local_bytes_per_thread));
		json_object_object_add(o, "activity_record", x);
	}
	bench_cupti_verdict(b, gpu_device_info(t->g)->peak_bw_gbs, buf, sizeof buf);
	json_object_object_add(o, "verdict", buf[0] ? json_object_new_string(buf) : NULL);
}

static json_object *
jrow(const bench_table *t, const struct bench_row *r)
{
	const bench_result *b = &r->res;
	json_object *o = json_object_new_object(), *x;

	json_object_object_add(o, "variant", json_object_new_string(r->v->name));
	json_object_object_add(o, "warps", json_object_new_int(r->warps));
	json_object_object_add(o, "input", json_object_new_string(variant_input_name(r->v->input)));
	json_object_object_add(o, "status", json_object_new_string(bench_table_status(r)));
	json_object_object_add(o, "reason", r->why[0] ? json_object_new_string(r->why) : NULL);
	json_object_object_add(o, "build", jbuild(&r->build));
	json_object_object_add(o, "quantizer_build", jbuild(&r->qbuild));
	if (b->attrs_valid || b->gemv.valid) {
		x = json_object_new_object();
		json_object_object_add(x, "grid", json_object_new_int64(b->cfg.grid[0]));
		json_object_object_add(x, "block", json_object_new_int64(b->cfg.block[0]));
		json_object_object_add(x, "smem_dynamic_bytes", json_object_new_int64(b->cfg.smem_bytes));
		json_object_object_add(o, "launch", x);
	}
	if (b->attrs_valid) {
		x = json_object_new_object();
		json_object_object_add(x, "registers", json_object_new_int(b->attrs.num_regs));
		json_object_object_add(x, "local_bytes", json_object_new_int(b->attrs.local_bytes));
		json_object_object_add(x, "smem_static_bytes", json_object_new_int(b->attrs.shared_bytes));
		json_object_object_add(x, "binary_version", json_object_new_int(b->attrs.binary_version));
		json_object_object_add(o, "function", x);
	}
	json_object_object_add(o, "blocks_per_sm", b->occupancy_valid ?
		json_object_new_int(b->blocks_per_sm) : NULL);
	json_object_object_add(o, "theoretical_occupancy_pct", jnum(b->occupancy_valid, b->occupancy_pct));
	x = json_object_new_object();
	json_object_object_add(x, "gemv", jtime(&b->gemv));
	json_object_object_add(x, "quantize", jtime(&b->quant));
	json_object_object_add(x, "total", jtime(&b->total));
	json_object_object_add(o, "time_us", x);
	json_object_object_add(o, "bytes", b->gemv.valid ? json_object_new_int64((int64_t)b->bytes) : NULL);
	json_object_object_add(o, "gbs", jnum(b->gemv.valid, b->gbs));
	json_object_object_add(o, "peak_pct", jnum(b->gemv.valid && b->peak_pct > 0, b->peak_pct));
	if (b->checked) {
		x = json_object_new_object();
		json_object_object_add(x, "max_abs", jnum(true, b->max_abs));
		json_object_object_add(x, "rel_l2", jnum(true, b->rel_l2));
		json_object_object_add(x, "tolerance", json_object_new_double(b->tol));
		json_object_object_add(x, "q8_rel_l2", jnum(b->q8_checked, b->q8_rel_l2));
		json_object_object_add(x, "q8_tolerance", b->q8_checked ?
			json_object_new_double(BENCH_TOL_Q8_KERNEL) : NULL);
		json_object_object_add(x, "unwritten", json_object_new_int64(b->unwritten));
		json_object_object_add(x, "non_finite", json_object_new_int64(b->non_finite));
		json_object_object_add(o, "error", x);
	} else
		json_object_object_add(o, "error", NULL);
	json_object_object_add(o, "context_reset", json_object_new_boolean(b->context_reset));
	jrow_cupti(o, t, b);
	return o;
}

static json_object *
jdevice(gpu *g)
{
	const gpu_info *d = gpu_device_info(g);
	json_object *o;

	if (!gpu_available(g) || !d->valid)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "cc", json_object_new_int(d->cc_major * 10 + d->cc_minor));
	json_object_object_add(o, "sm_count", json_object_new_int(d->sm_count));
	json_object_object_add(o, "l2_bytes", json_object_new_int64((int64_t)d->l2_bytes));
	json_object_object_add(o, "memory_bytes", json_object_new_int64((int64_t)d->mem_bytes));
	json_object_object_add(o, "peak_bandwidth_gbs", json_object_new_double(d->peak_bw_gbs));
	json_object_object_add(o, "driver_version", json_object_new_int(d->driver_version));
	json_object_object_add(o, "driver_release", d->driver_release[0] ?
		json_object_new_string(d->driver_release) : NULL);
	json_object_object_add(o, "library", json_object_new_string(gpu_lib_path(g)));
	json_object_object_add(o, "driver_runs_in", json_object_new_string(gpu_note(g)));
	return o;
}

static void
json_document(const bench_table *t)
{
	const bench_layer *L = t->layer;
	json_object *root = json_object_new_object(), *x, *rows, *defs;
	size_t i;

	x = json_object_new_object();
	json_object_object_add(x, "name", json_object_new_string(L->name));
	json_object_object_add(x, "type", json_object_new_string(quant_type_info(L->type)->name));
	json_object_object_add(x, "rows", json_object_new_int64(L->rows));
	json_object_object_add(x, "k", json_object_new_int64(L->k));
	json_object_object_add(x, "bytes", json_object_new_int64((int64_t)L->w_bytes));
	json_object_object_add(x, "source", json_object_new_string(t->source));
	json_object_object_add(root, "layer", x);
	json_object_object_add(root, "device", jdevice(t->g));
	x = json_object_new_object();
	json_object_object_add(x, "available", json_object_new_boolean(gpu_available(t->g)));
	json_object_object_add(x, "reason", gpu_available(t->g) ? NULL :
		json_object_new_string(gpu_unavailable_reason(t->g)));
	json_object_object_add(x, "timer", json_object_new_string(bench_cupti_timing(t->opts) ? "cupti activity" : "cuda events"));
	json_object_object_add(x, "l2_flush", t->opts->warm_l2 || t->flush == NULL ? NULL : json_object_new_string(t->flush));
	json_object_object_add(x, "counters", json_object_new_boolean(t->opts->counters && t->cupti != NULL &&
		t->cupti->tier == CUPTI_TIER_COUNTERS));
	json_object_object_add(x, "cupti_tier", json_object_new_string(t->cupti != NULL ? cupti_tier_name(t->cupti->tier) : "none"));
	json_object_object_add(x, "ceiling_gbs", jnum(t->ceiling_gbs > 0, t->ceiling_gbs));
	json_object_object_add(x, "l2", json_object_new_string(t->opts->warm_l2 ? "warm" : "cold"));
	json_object_object_add(x, "reps", json_object_new_int(t->opts->reps));
	json_object_object_add(x, "warmup", json_object_new_int(t->opts->warmup));
	json_object_object_add(x, "arch", json_object_new_string(t->arch));
	defs = json_object_new_array();
	for (int d = 0; d < t->n_defines; d++)
		json_object_array_add(defs, json_object_new_string(t->defines[d]));
	json_object_object_add(x, "defines", defs);
	json_object_object_add(x, "x_seed", json_object_new_int64((int64_t)t->seed));
	json_object_object_add(root, "measurement", x);
	x = json_object_new_object();
	json_object_object_add(x, "f32", json_object_new_double(BENCH_TOL_FP32));
	json_object_object_add(x, "q8_1", json_object_new_double(BENCH_TOL_Q8));
	json_object_object_add(x, "q8_1_kernel", json_object_new_double(BENCH_TOL_Q8_KERNEL));
	json_object_object_add(root, "tolerance", x);
	rows = json_object_new_array();
	for (i = 0; i < t->n_rows; i++)
		json_object_array_add(rows, jrow(t, &t->rows[i]));
	json_object_object_add(root, "rows", rows);
	x = json_object_new_object();
	json_object_object_add(x, "pass", json_object_new_int64((int64_t)t->n_pass));
	json_object_object_add(x, "fail", json_object_new_int64((int64_t)t->n_fail));
	json_object_object_add(x, "refused", json_object_new_int64((int64_t)t->n_refused));
	json_object_object_add(x, "unmeasured", json_object_new_int64((int64_t)t->n_unmeasured));
	json_object_object_add(root, "summary", x);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
		JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

/* ---------------------------------------------------------------- the table */

void
bench_table_begin(bench_table *t)
{
	t->n_pass = t->n_fail = t->n_refused = t->n_unmeasured = 0;
	if (!t->json)
		text_header(t);
}

void
bench_table_row(bench_table *t, const struct bench_row *r)
{
	const char *st = bench_table_status(r);

	if (strcmp(st, "pass") == 0)
		t->n_pass++;
	else if (strcmp(st, "refused") == 0)
		t->n_refused++;
	else if (strcmp(st, "n/a") == 0)
		t->n_unmeasured++;
	else
		t->n_fail++;
	if (!t->json)
		text_row(t, r);
}

int
bench_table_end(bench_table *t)
{
	if (t->json)
		json_document(t);
	else
		printf("\n%zu row%s: %zu pass, %zu failed, %zu refused, %zu not measured\n", t->n_rows,
			t->n_rows == 1 ? "" : "s", t->n_pass, t->n_fail, t->n_refused, t->n_unmeasured);
	fflush(stdout);
	if (!gpu_available(t->g)) {
		fprintf(stderr, "ggscope bench: measurement unavailable: %s\n",
			gpu_unavailable_reason(t->g));
		return 1;
	}
	return t->n_pass > 0 && t->n_fail == 0 && t->n_unmeasured == 0 ? 0 : 1;
}
