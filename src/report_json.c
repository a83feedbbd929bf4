/* report_json.c: the report as one JSON document, described by
 * docs/report-schema.json (schema_version REPORT_SCHEMA_VERSION; fields are
 * only ever added within a version). A figure that was not measured is
 * null, never 0; the reason sits beside it. */
#include "config.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "quant.h"
#include "report.h"
#include "report_internal.h"

/* A number printed with `digits` significant digits (so reports do not
 * carry float noise such as 3.0700000000000003), or null. */
static json_object *
jnum(bool valid, double v, int digits)
{
	char buf[40];

	if (!valid || !isfinite(v))
		return NULL;
	snprintf(buf, sizeof buf, "%.*g", digits, v);
	return json_object_new_double_s(v, buf);
}

static json_object *
jstr(const char *s)
{
	return json_object_new_string(s);
}

/* A string or null for "". */
static json_object *
jstr_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? json_object_new_string(s) : NULL;
}

static json_object *
jint(int64_t v)
{
	return json_object_new_int64(v);
}

static void
add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

/* {"available": bool, ..., "reason": "..." or null} */
static json_object *
javail(bool ok, const char *why)
{
	json_object *o = json_object_new_object();

	add(o, "available", json_object_new_boolean(ok));
	add(o, "reason", ok ? NULL : jstr(why && *why ? why : "unknown"));
	return o;
}

static json_object *
env_json(const report *r)
{
	const report_env *e = &r->env;
	json_object *o = json_object_new_object(), *d;
	char buf[32];

	d = javail(e->device_valid, e->measure_why);
	if (e->device_valid) {
		add(d, "name", jstr(e->device));
		add(d, "description", jstr(e->device_line));
		snprintf(buf, sizeof buf, "%d.%d", e->cc_major, e->cc_minor);
		add(d, "cc", jstr(buf));
		add(d, "sm_count", jint(e->sm_count));
		add(d, "peak_gbs", jnum(e->peak_gbs > 0, e->peak_gbs, 6));
		add(d, "libcuda", jstr_or_null(e->libcuda));
	}
	add(o, "device", d);
	add(o, "driver", jstr_or_null(e->driver));
	d = javail(e->nvrtc_valid, "NVRTC not available");
	if (e->nvrtc_valid) {
		snprintf(buf, sizeof buf, "%d.%d", e->nvrtc_major, e->nvrtc_minor);
		add(d, "version", jstr(buf));
	}
	add(o, "nvrtc", d);
	d = javail(e->cupti_valid, e->cupti_why);
	if (e->cupti_valid)
		add(d, "version", jint(e->cupti_version));
	add(d, "tier", jstr_or_null(e->cupti_tier));
	add(d, "note", e->cupti_valid ? jstr_or_null(e->cupti_why) : NULL);
	add(o, "cupti", d);
	d = javail(e->ceiling_valid, e->ceiling_note);
	add(d, "gbs", jnum(e->ceiling_valid, e->ceiling_gbs, 6));
	add(d, "note", e->ceiling_valid ? jstr_or_null(e->ceiling_note) : NULL);
	add(o, "ceiling", d);
	add(o, "arch", jstr_or_null(e->arch));
	/* the -D knobs, one string each ([] for the sources' defaults) */
	d = json_object_new_array();
	for (const char *p = e->defines, *q; *p != '\0'; p = *q ? q + 1 : q) {
		q = strchr(p, ' ');
		if (q == NULL)
			q = p + strlen(p);
		json_object_array_add(d, json_object_new_string_len(p, (int)(q - p)));
	}
	add(o, "defines", d);
	add(o, "l2", jstr(e->warm_l2 ? "warm" : "cold"));
	add(o, "flush", jstr_or_null(e->flush));
	add(o, "timer", jstr_or_null(e->timer));
	add(o, "reps", jint(e->reps));
	add(o, "warmup", jint(e->warmup));
	add(o, "seed", jint((int64_t)e->seed));
	return o;
}

static json_object *
row_json(const report_row *row)
{
	json_object *o = json_object_new_object();

	add(o, "variant", jstr(row->v->name));
	add(o, "warps", jint(row->warps));
	add(o, "input", jstr(variant_input_name(row->v->input)));
	add(o, "status", jstr(report_status_name(row->status)));
	add(o, "winner", json_object_new_boolean(row->winner));
	add(o, "why", jstr_or_null(report_row_note(row)));
	add(o, "time_us", jnum(row->time_valid, row->time_us, 6));
	add(o, "min_us", jnum(row->time_valid, row->min_us, 6));
	add(o, "max_us", jnum(row->time_valid, row->max_us, 6));
	add(o, "quant_us", jnum(row->quant_valid, row->quant_us, 6));
	add(o, "total_us", jnum(row->total_valid, row->total_us, 6));
	add(o, "ideal_bytes", jint((int64_t)row->ideal_bytes));
	add(o, "gbs", jnum(row->gbs_valid, row->gbs, 6));
	add(o, "ceiling_pct", jnum(row->ceiling_pct_valid, row->ceiling_pct, 4));
	add(o, "dram_read_bytes", jnum(row->dram_valid, row->dram_read_bytes, 10));
	add(o, "dram_ratio", jnum(row->dram_valid, row->dram_ratio, 4));
	add(o, "achieved_occupancy_pct", jnum(row->achieved_occ_valid, row->achieved_occ_pct, 4));
	add(o, "theoretical_occupancy_pct", jnum(row->theo_occ_valid, row->theo_occ_pct, 4));
	add(o, "occupancy_limiter", jstr_or_null(row->occ_limiter));
	add(o, "registers", row->launch_regs_valid ? jint(row->launch_regs) : row->res_valid ? jint(row->regs) : NULL);
	add(o, "spill_bytes", row->res_valid ? jint(row->spill_bytes) : NULL);
	add(o, "smem_static_bytes", row->res_valid ? jint(row->smem_static_bytes) : NULL);
	add(o, "build_target", jstr_or_null(row->target));
	add(o, "build_origin", jstr_or_null(row->origin));
	add(o, "compile_ms", jnum(row->compiled, row->compile_ms, 5));
	if (row->geom_valid) {
		json_object *g = json_object_new_object();

		add(g, "grid", jint(row->grid));
		add(g, "block", jint(row->block));
		add(g, "smem_dynamic_bytes", jint(row->smem_dynamic_bytes));
		add(o, "launch", g);
	} else
		add(o, "launch", NULL);
	add(o, "rel_l2", jnum(row->err_valid, row->rel_l2, 4));
	add(o, "max_abs", jnum(row->err_valid, row->max_abs, 4));
	add(o, "tolerance", jnum(row->err_valid, row->tol, 4));
	return o;
}

static json_object *
shapes_json(const report *r)
{
	json_object *a = json_object_new_array();
	size_t i, j;

	for (i = 0; i < r->n_shapes; i++) {
		const report_shape *sh = &r->shapes[i];
		json_object *o = json_object_new_object(), *names = json_object_new_array(), *rows, *win = NULL;

		add(o, "type", jstr(report_type_name(sh->type)));
		add(o, "n", jint(sh->n));
		add(o, "k", jint(sh->k));
		add(o, "weight_bytes", jint((int64_t)sh->weight_bytes));
		for (j = 0; j < r->n_tensors; j++)
			if (r->tensors[j].shape == i)
				json_object_array_add(names, jstr(r->tensors[j].name));
		add(o, "tensors", names);
		add(o, "measured_on", jstr(r->tensors[sh->first_tensor].name));
		add(o, "done", json_object_new_boolean(sh->done));
		if (sh->winner >= 0) {
			win = json_object_new_object();
			add(win, "variant", jstr(sh->rows[sh->winner].v->name));
			add(win, "warps", jint(sh->rows[sh->winner].warps));
			add(win, "total_us", jnum(true, sh->rows[sh->winner].total_us, 6));
		}
		add(o, "winner", win);
		rows = json_object_new_array();
		for (j = 0; j < sh->n_rows; j++)
			json_object_array_add(rows, row_json(&sh->rows[j]));
		add(o, "rows", rows);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *
profile_json(const report *r)
{
	const report_profile *p = &r->profile;
	json_object *o = javail(p->valid, p->why), *types = json_object_new_array();
	size_t t;

	add(o, "env", p->valid ? jstr(p->env) : NULL);
	add(o, "unset", jstr_or_null(p->unset));
	add(o, "mwv_warps", p->mwv_warps_valid ? jint(p->mwv_warps) : NULL);
	add(o, "stream_warps", p->stream_warps_valid ? jint(p->stream_warps) : NULL);
	add(o, "note", p->valid ? jstr_or_null(p->why) : NULL);
	for (t = 0; t < 2; t++) {
		const report_rec *rec = &p->rec[t];
		json_object *x = javail(rec->valid, rec->why);

		add(x, "type", jstr(report_type_name(rec->type)));
		if (rec->valid) {
			add(x, "variant", jstr(rec->label));
			add(x, "warps", jint(rec->warps));
			add(x, "uses_mwv_warps", json_object_new_boolean(rec->uses_mwv_warps));
			add(x, "uses_stream_warps", json_object_new_boolean(rec->uses_stream_warps));
			add(x, "ggscope_variable", json_object_new_boolean(rec->ggscope));
			add(x, "env", jstr(rec->env));
			add(x, "total_us", jnum(true, rec->total_us, 6));
			add(x, "matches_winners", json_object_new_boolean(rec->matches_winners));
			add(x, "note", jstr_or_null(rec->why));
		}
		add(x, "winners_total_us", jnum(!isnan(rec->best_total_us) && rec->best_total_us > 0,
			rec->best_total_us, 6));
		json_object_array_add(types, x);
	}
	add(o, "types", types);
	return o;
}

static json_object *
tensors_json(const report *r)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < r->n_tensors; i++) {
		const report_tensor *t = &r->tensors[i];
		json_object *o = json_object_new_object();

		add(o, "name", jstr(t->name));
		add(o, "layer", t->layer >= 0 ? jint(t->layer) : NULL);
		add(o, "type", jstr(report_type_name(t->type)));
		add(o, "n", jint(t->n));
		add(o, "k", jint(t->k));
		add(o, "bytes", jint((int64_t)t->bytes));
		add(o, "shape", jint((int64_t)t->shape));
		add(o, "bytes_share_pct", jnum(true, t->bytes_share_pct, 4));
		add(o, "time_us", jnum(t->time_valid, t->time_us, 6));
		add(o, "time_share_pct", jnum(r->time_shares_valid, t->time_share_pct, 4));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *
outliers_json(const report *r)
{
	const report_outliers *o = &r->outliers;
	json_object *x = javail(o->available, o->why), *rows = json_object_new_array(), *layers;
	report_layer_agg *agg = NULL;
	size_t i, n;

	add(x, "source", jstr_or_null(o->source));
	add(x, "threshold", jnum(true, o->threshold, 6));
	add(x, "tolerance", jnum(true, o->tolerance, 6));
	add(x, "n_fp32", jint((int64_t)o->n_fp32));
	add(x, "n_seed_flagged", jint((int64_t)o->n_seed_flagged));
	n = report_layer_aggregate(r, &agg);
	layers = json_object_new_array();
	for (i = 0; i < n; i++)
		if (agg[i].fp32)
			json_object_array_add(layers, agg[i].layer >= 0 ? jint(agg[i].layer) : NULL);
	free(agg);
	add(x, "fp32_layers", layers);
	for (i = 0; i < o->n_rows; i++) {
		const report_outlier_row *w = &o->rows[i];
		json_object *y = json_object_new_object();

		add(y, "layer", w->layer >= 0 ? jint(w->layer) : NULL);
		add(y, "tensor", jstr(w->tensor));
		add(y, "k", jint((int64_t)w->k));
		add(y, "skipped", json_object_new_boolean(w->skipped));
		add(y, "max_over_rms", jnum(w->ratio_valid, w->max_over_rms, 5));
		add(y, "seed_fp32", json_object_new_boolean(w->seed_fp32));
		add(y, "eps_bulk", jnum(w->eps_valid, w->eps_bulk, 4));
		add(y, "gemv_sim", jnum(w->gemv_valid, w->gemv_sim, 4));
		add(y, "fp32", w->verdict_valid && !w->skipped ? json_object_new_boolean(w->fp32) : NULL);
		add(y, "reason", jstr(w->skipped ? w->why : w->reason));
		json_object_array_add(rows, y);
	}
	add(x, "rows", rows);
	return x;
}

void
report_json_write(const report *r, FILE *out)
{
	json_object *root = json_object_new_object(), *x, *skips;
	size_t i;

	add(root, "schema_version", jint(REPORT_SCHEMA_VERSION));
	x = json_object_new_object();
	add(x, "name", jstr("ggscope"));
	add(x, "version", jstr(r->env.version));
	add(root, "generator", x);
	add(root, "created_utc", jstr(r->env.date_utc));
	add(root, "partial", json_object_new_boolean(r->partial));
	add(root, "partial_reason", r->partial ? jstr(r->partial_why[0] ? r->partial_why : "unfinished") : NULL);
	add(root, "model", jstr(r->env.model));
	add(root, "selection", jstr(r->env.selection));
	add(root, "environment", env_json(r));
	x = javail(r->env.measured && r->env.measure_why[0] == '\0', r->env.measure_why);
	add(x, "pass", jint((int64_t)report_count_status(r, REPORT_ROW_PASS)));
	add(x, "fail", jint((int64_t)report_count_status(r, REPORT_ROW_FAIL)));
	add(x, "error", jint((int64_t)report_count_status(r, REPORT_ROW_ERROR)));
	add(x, "unmeasured", jint((int64_t)report_count_status(r, REPORT_ROW_UNMEASURED)));
	add(x, "compile_error", jint((int64_t)report_count_status(r, REPORT_ROW_COMPILE_ERROR)));
	add(x, "refused", jint((int64_t)report_count_status(r, REPORT_ROW_REFUSED)));
	add(x, "planned", jint((int64_t)report_count_status(r, REPORT_ROW_PLANNED)));
	add(x, "ranking", jstr("fastest correct row by total time (Q8_1 quantizer + GEMV)"));
	add(root, "measurements", x);
	add(root, "profile", profile_json(r));
	add(root, "shapes", shapes_json(r));
	add(root, "tensors", tensors_json(r));
	x = json_object_new_object();
	add(x, "valid", json_object_new_boolean(r->time_shares_valid));
	add(x, "total_us", jnum(r->time_shares_valid, r->total_time_us, 6));
	add(root, "decode_time", x);
	add(root, "outliers", outliers_json(r));
	skips = json_object_new_array();
	for (i = 0; i < r->n_skipped; i++) {
		x = json_object_new_object();
		add(x, "tensor", jstr(r->skipped[i].name));
		add(x, "why", jstr(r->skipped[i].why));
		json_object_array_add(skips, x);
	}
	add(root, "skipped", skips);
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}
