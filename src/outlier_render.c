/* outlier_render.c: text and JSON views of the outlier statistics. Invalid
 * metrics print as "n/a" (text) or null (JSON), never as a fake 0. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "outlier.h"
#include "quant.h"

/* ------------------------------------------------------------ helpers */

static const char *
pct(char *buf, size_t len, bool valid, double v)
{
	if (!valid || !isfinite(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.2f%%", 100.0 * v);
	return buf;
}

static const char *
num(char *buf, size_t len, bool valid, double v, int prec)
{
	if (!valid || !isfinite(v))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.*f", prec, v);
	return buf;
}

static void
jnum(json_object *o, const char *key, bool valid, double v)
{
	json_object_object_add(o, key, valid && isfinite(v) ? json_object_new_double(v) : NULL);
}

static void
jint(json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

static void
jbool(json_object *o, const char *key, bool v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}

static void
jstr(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, v != NULL ? json_object_new_string(v) : NULL);
}

static json_object *
jchannels(const outlier_channel *c, size_t n, const char *value_key)
{
	json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		jint(o, "channel", c[i].index);
		jnum(o, value_key, true, c[i].value);
		jnum(o, "mult", true, c[i].mult);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *
jquantiles(const outlier_quantiles *q)
{
	json_object *o;

	if (!q->valid)
		return NULL;
	o = json_object_new_object();
	jint(o, "n", q->n);
	jnum(o, "min", true, q->min);
	jnum(o, "p01", true, q->p01);
	jnum(o, "p10", true, q->p10);
	jnum(o, "p50", true, q->p50);
	jnum(o, "p90", true, q->p90);
	jnum(o, "p99", true, q->p99);
	jnum(o, "max", true, q->max);
	return o;
}

static const char *
type_name(uint32_t type)
{
	const quant_info *qi = type == UINT32_MAX ? NULL : quant_type_info(type);

	return qi != NULL ? qi->name : "-";
}

static const char *
layer_name(long layer, char *buf, size_t len)
{
	if (layer < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%ld", layer);
	return buf;
}

/* ------------------------------------------------------------ JSON pieces */

static json_object *
vec_json(const outlier_vec *v)
{
	json_object *o = json_object_new_object();

	jint(o, "n", v->n);
	jbool(o, "valid", v->valid);
	jint(o, "nonfinite", v->n_nonfinite);
	jnum(o, "rms", v->valid, v->rms);
	jnum(o, "mean", v->valid, v->mean);
	jnum(o, "max_abs", v->valid, v->max_abs);
	json_object_object_add(o, "argmax", v->valid ? json_object_new_int64((int64_t)v->argmax) : NULL);
	jnum(o, "max_over_rms", v->ratio_valid, v->max_over_rms);
	jnum(o, "kurtosis", v->kurtosis_valid, v->kurtosis);
	json_object_object_add(o, "top", jchannels(v->top, v->n_top, "value"));
	jnum(o, "threshold", true, v->mult);
	jint(o, "above_threshold", v->n_above);
	return o;
}

static json_object *
q8_json(const outlier_q8 *q)
{
	json_object *o = json_object_new_object(), *w = json_object_new_array(), *h;
	size_t i;

	jbool(o, "valid", q->valid);
	jstr(o, "why", q->valid ? NULL : q->why);
	jint(o, "blocks", q->n_blocks);
	jint(o, "padding", q->n_pad);
	jnum(o, "eps_x", q->eps_x_valid, q->eps_x);
	jnum(o, "eps_x_pred", q->eps_x_valid, q->eps_x_pred);
	jnum(o, "snr_db_pred", q->eps_x_valid, q->snr_db_pred);
	jnum(o, "crest2", q->eps_x_valid, q->crest2);
	jint(o, "outlier_channels", q->n_outlier_ch);
	jnum(o, "eps_bulk", q->eps_bulk_valid, q->eps_bulk);
	jnum(o, "eps_bulk_pred", q->eps_bulk_pred_valid, q->eps_bulk_pred);
	jint(o, "zeroed", q->n_zeroed);
	jnum(o, "gemv_pred", q->eps_x_valid, q->gemv_pred);
	for (i = 0; i < q->n_worst; i++) {
		json_object *b = json_object_new_object();

		jint(b, "block", q->worst[i].block);
		jnum(b, "rel_err", true, q->worst[i].rel_err);
		jnum(b, "amax", true, q->worst[i].amax);
		jint(b, "zeroed", q->worst[i].n_zeroed);
		json_object_array_add(w, b);
	}
	json_object_object_add(o, "worst_blocks", w);
	h = json_object_new_object();
	jnum(h, "max_block_sum", q->valid, q->max_block_sum);
	jint(h, "d_overflow", q->n_d_overflow);
	jint(h, "d_zero", q->n_d_zero);
	jint(h, "d_subnormal", q->n_d_subnormal);
	jint(h, "s_overflow", q->n_s_overflow);
	jbool(h, "hazard", q->hazard);
	jstr(h, "why", q->hazard ? q->hazard_why : NULL);
	json_object_object_add(o, "fp16", h);
	return o;
}

static json_object *
weights_json(const outlier_weights *w)
{
	json_object *o = json_object_new_object();

	jstr(o, "type", type_name(w->type));
	jint(o, "rows", w->rows);
	jint(o, "k", w->k);
	jnum(o, "col_norm_rms", true, w->col_rms);
	json_object_object_add(o, "top_columns", jchannels(w->top, w->n_top, "norm"));
	json_object_object_add(o, "scale_d", w->scales_valid ? jquantiles(&w->d) : NULL);
	json_object_object_add(o, "scale_dmin", w->has_dmin ? jquantiles(&w->dmin) : NULL);
	jstr(o, "scales_why", w->scales_valid ? NULL : w->scales_why);
	jnum(o, "gemv_sim", w->gemv_valid, w->gemv_rel);
	jnum(o, "gemv_sim_vs_bulk", w->gemv_bulk_valid, w->gemv_rel_bulk);
	jnum(o, "gemv_sim_max_rel", w->gemv_valid, w->gemv_max_rel);
	return o;
}

static json_object *
profile_json(const outlier_profile *p)
{
	json_object *o = json_object_new_object();

	jint(o, "n", p->n);
	jbool(o, "valid", p->valid);
	jstr(o, "why", p->valid ? NULL : p->why);
	jnum(o, "rms", p->valid, p->R);
	jnum(o, "crest", p->valid, p->crest);
	json_object_object_add(o, "top_channel", p->valid ? json_object_new_int64((int64_t)p->top_ch) : NULL);
	jnum(o, "top1_share", p->valid, p->top1_share);
	jnum(o, "top8_share", p->valid, p->top8_share);
	jnum(o, "n_eff", p->valid, p->n_eff);
	jnum(o, "kurtosis_rms", p->valid, p->kurtosis);
	jnum(o, "max_over_median", p->median_valid, p->max_over_median);
	json_object_object_add(o, "top", jchannels(p->top, p->n_top, "rms"));
	jnum(o, "implied_peak", p->peak_valid, p->implied_peak);
	jnum(o, "c_peak", p->peak_valid, p->c_peak);
	jnum(o, "eps_bulk_pred", p->peak_valid, p->eps_bulk_pred);
	return o;
}

static json_object *
verdict_json(const outlier_verdict *v)
{
	json_object *o = json_object_new_object();

	jstr(o, "seed", v->seed_fp32 ? "fp32" : "q8_1");
	jstr(o, "ggscope", !v->valid ? NULL : v->fp32 ? "fp32" : "q8_1");
	jstr(o, "reason", v->reason);
	return o;
}

/* ------------------------------------------------------------ measured */

void
outlier_measured_print(FILE *out, const outlier_measured *m, double sim_q8)
{
	char a[32], b[32];
	double wq, bf;
	size_t i;

	fprintf(out, "measured (GPU, error vs float64 reference):\n");
	fprintf(out, "  %-28s %5s %6s %10s %10s\n", "variant", "warps", "input", "rel L2", "max |dy|");
	fprintf(out, "  %-28s %5s %6s %10s %10s\n", "CPU simulation", "-", "q8_1",
		pct(a, sizeof a, isfinite(sim_q8), sim_q8), "-");
	if (m == NULL || m->n == 0) {
		fprintf(out, "  (no GPU measurements: run on a machine with a GPU)\n");
		return;
	}
	for (i = 0; i < m->n; i++) {
		const outlier_variant_error *e = &m->v[i];

		if (!e->valid) {
			fprintf(out, "  %-28s %5d %6s n/a: %s\n", e->variant, e->warps,
				e->q8_1_input ? "q8_1" : "fp32", e->why);
			continue;
		}
		fprintf(out, "  %-28s %5d %6s %10s %10.4g%s\n", e->variant, e->warps,
			e->q8_1_input ? "q8_1" : "fp32", pct(a, sizeof a, e->n_bad == 0, e->rel_l2),
			e->max_abs, e->n_bad > 0 ? "  (non-finite outputs)" : "");
	}
	if (outlier_measured_gap(m, &wq, &bf)) {
		char c[32] = "n/a";

		if (bf > 0.0 && isfinite(wq))
			snprintf(c, sizeof c, "%.1fx", wq / bf);
		fprintf(out, "  worst q8_1 %s vs best fp32 %s: %s\n", pct(a, sizeof a, isfinite(wq), wq),
			pct(b, sizeof b, true, bf), c);
	}
}

json_object *
outlier_measured_json(const outlier_measured *m, double sim_q8)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	double wq, bf;
	size_t i;

	jnum(o, "simulated_q8_1", isfinite(sim_q8), sim_q8);
	for (i = 0; m != NULL && i < m->n; i++) {
		const outlier_variant_error *e = &m->v[i];
		json_object *v = json_object_new_object();

		jstr(v, "variant", e->variant);
		json_object_object_add(v, "warps", json_object_new_int(e->warps));
		jstr(v, "input", e->q8_1_input ? "q8_1" : "fp32");
		jbool(v, "valid", e->valid);
		jnum(v, "rel_l2", e->valid && e->n_bad == 0, e->rel_l2);
		jnum(v, "max_abs", e->valid, e->max_abs);
		json_object_object_add(v, "nonfinite", json_object_new_int64(e->n_bad));
		jstr(v, "why", e->valid ? NULL : e->why);
		json_object_array_add(a, v);
	}
	json_object_object_add(o, "variants", a);
	if (m != NULL && outlier_measured_gap(m, &wq, &bf)) {
		jnum(o, "worst_q8_1", true, wq);
		jnum(o, "best_fp32", true, bf);
	}
	return o;
}

/* ------------------------------------------------------------ detail report */

static void
print_channels(FILE *out, const outlier_channel *c, size_t n, bool signed_value)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(out, signed_value ? " %llu (%+.4g, %.1fx)" : " %llu (%.4g, %.2fx)",
			(unsigned long long)c[i].index, c[i].value, c[i].mult);
	fputc('\n', out);
}

static void
print_quantiles(FILE *out, const char *label, const outlier_quantiles *q)
{
	fprintf(out, "  %-5s min %.4g  p1 %.4g  p10 %.4g  p50 %.4g  p90 %.4g  p99 %.4g  max %.4g  (%llu blocks)\n",
		label, q->min, q->p01, q->p10, q->p50, q->p90, q->p99, q->max, (unsigned long long)q->n);
}

static void
print_vec(FILE *out, const outlier_vec *v)
{
	char a[32], b[32];

	if (!v->valid) {
		if (v->n_nonfinite > 0)
			fprintf(out, "  n/a: %llu non-finite values (first at channel %llu)\n",
				(unsigned long long)v->n_nonfinite, (unsigned long long)v->first_nonfinite);
		else
			fprintf(out, "  n/a: empty input\n");
		return;
	}
	fprintf(out, "  rms %.4g  max|x| %.4g @ch %llu  max/rms %s (<= sqrt(k) %.1f)  kurtosis %s  mean %.3g\n",
		v->rms, v->max_abs, (unsigned long long)v->argmax, num(a, sizeof a, v->ratio_valid, v->max_over_rms, 2),
		sqrt((double)v->n), num(b, sizeof b, v->kurtosis_valid, v->kurtosis, 2), v->mean);
	fprintf(out, "  top channels (value, multiple of rms):");
	print_channels(out, v->top, v->n_top, true);
	fprintf(out, "  above %gx rms: %llu channel%s\n", v->mult, (unsigned long long)v->n_above,
		v->n_above == 1 ? "" : "s");
}

static void
print_q8(FILE *out, const outlier_q8 *q)
{
	char a[32], b[32], c[32];
	size_t i;

	if (!q->valid) {
		fprintf(out, "Q8_1 round trip: n/a: %s\n", q->why);
		return;
	}
	fprintf(out, "Q8_1 round trip (exact: d = amax/127 as fp16, q = round(x/d)), %llu blocks%s:\n",
		(unsigned long long)q->n_blocks, q->n_pad ? " (last one zero-padded)" : "");
	fprintf(out, "  eps_x %s  (uniform model %s from block crest C^2 %.2f; Gaussian 5.7, max 32; SNR %.1f dB)\n",
		pct(a, sizeof a, q->eps_x_valid, q->eps_x), pct(b, sizeof b, q->eps_x_valid, q->eps_x_pred),
		q->crest2, q->snr_db_pred);
	fprintf(out, "  eps_bulk %s on the %llu non-outlier channels  (closed form %s)  zeroed %llu\n",
		pct(a, sizeof a, q->eps_bulk_valid, q->eps_bulk),
		(unsigned long long)(q->n - q->n_outlier_ch),
		pct(c, sizeof c, q->eps_bulk_pred_valid, q->eps_bulk_pred), (unsigned long long)q->n_zeroed);
	fprintf(out, "  worst blocks (rel err, amax, zeroed):");
	for (i = 0; i < q->n_worst; i++)
		fprintf(out, " %llu (%s, %.3g, %u)", (unsigned long long)q->worst[i].block,
			pct(a, sizeof a, true, q->worst[i].rel_err), q->worst[i].amax, q->worst[i].n_zeroed);
	fputc('\n', out);
	fprintf(out, "  fp16: max |block sum| %.4g (%s 65504)  d subnormal %llu  d = 0 %llu  d Inf %llu  s Inf %llu%s%s\n",
		q->max_block_sum, q->n_s_overflow ? ">" : "<=", (unsigned long long)q->n_d_subnormal,
		(unsigned long long)q->n_d_zero, (unsigned long long)q->n_d_overflow,
		(unsigned long long)q->n_s_overflow, q->hazard ? "  HAZARD: " : "",
		q->hazard ? q->hazard_why : "");
	fprintf(out, "  predicted GEMV error without weights (= eps_x): %s\n",
		pct(a, sizeof a, q->eps_x_valid, q->gemv_pred));
}

static void
print_weights(FILE *out, const outlier_report *r)
{
	const outlier_weights *w = &r->w;
	char a[32], b[32], c[32];

	fprintf(out, "weights %s %s [%llu rows x k %llu] (dequantized on the CPU):\n", r->tensor,
		type_name(w->type), (unsigned long long)w->rows, (unsigned long long)w->k);
	fprintf(out, "  column norms: rms %.4g; top (norm, multiple):", w->col_rms);
	print_channels(out, w->top, w->n_top, false);
	if (w->scales_valid) {
		print_quantiles(out, "d", &w->d);
		if (w->has_dmin)
			print_quantiles(out, "dmin", &w->dmin);
	} else {
		fprintf(out, "  scales: n/a (%s)\n", w->scales_why);
	}
	fprintf(out, "  simulated Q8_1 GEMV error (float64, same weights): %s  (vs bulk output %s, max |dy|/rms(y) %s)\n",
		pct(a, sizeof a, w->gemv_valid, w->gemv_rel), pct(b, sizeof b, w->gemv_bulk_valid, w->gemv_rel_bulk),
		pct(c, sizeof c, w->gemv_valid, w->gemv_max_rel));
}

void
outlier_report_print(FILE *out, const outlier_report *r)
{
	fprintf(out, "input vector: k %llu%s%s\n", (unsigned long long)r->k,
		r->tensor[0] ? ", input of " : "", r->tensor);
	print_vec(out, &r->vec);
	print_q8(out, &r->q8);
	if (r->have_weights) {
		print_weights(out, r);
		outlier_measured_print(out, r->measured, r->w.gemv_valid ? r->w.gemv_rel : NAN);
	}
	fprintf(out, "verdict: seed rule (max|x| > %gx rms) %s | ggscope %s (%s)\n", r->vec.mult,
		r->verdict.seed_fp32 ? "FP32" : "Q8_1", !r->verdict.valid ? "n/a" :
		r->verdict.fp32 ? "FP32" : "Q8_1", r->verdict.reason);
}

json_object *
outlier_report_json(const outlier_report *r)
{
	json_object *o = json_object_new_object();

	jstr(o, "tensor", r->tensor[0] ? r->tensor : NULL);
	jint(o, "k", r->k);
	json_object_object_add(o, "vector", vec_json(&r->vec));
	json_object_object_add(o, "q8_1", q8_json(&r->q8));
	json_object_object_add(o, "weights", r->have_weights ? weights_json(&r->w) : NULL);
	if (r->have_weights)
		json_object_object_add(o, "measured", outlier_measured_json(r->measured,
			r->w.gemv_valid ? r->w.gemv_rel : NAN));
	json_object_object_add(o, "verdict", verdict_json(&r->verdict));
	return o;
}

/* ------------------------------------------------------------ table */

static const char *
verdict_word(const outlier_verdict *v, bool seed)
{
	if (seed)
		return v->seed_fp32 ? "FP32" : "q8_1";
	return !v->valid ? "n/a" : v->fp32 ? "FP32" : "q8_1";
}

static void
print_live_row(FILE *out, const outlier_row *r)
{
	char a[32], b[32], c[32], d[32], e[32];

	if (!r->vec.valid) {
		fprintf(out, "%8s %6llu n/a: %llu non-finite values (first at channel %llu)  %-4s  %s\n",
			type_name(r->type), (unsigned long long)r->k, (unsigned long long)r->vec.n_nonfinite,
			(unsigned long long)r->vec.first_nonfinite, verdict_word(&r->verdict, true),
			verdict_word(&r->verdict, false));
		return;
	}
	fprintf(out, "%8s %6llu %7s %6llu %8s %8s  %7s/%-7s  %-4s  %s\n",
		type_name(r->type), (unsigned long long)r->k,
		num(a, sizeof a, r->vec.ratio_valid, r->vec.max_over_rms, 1),
		(unsigned long long)r->vec.argmax, num(b, sizeof b, r->vec.kurtosis_valid, r->vec.kurtosis, 1),
		pct(c, sizeof c, r->q8.eps_bulk_valid, r->q8.eps_bulk),
		pct(d, sizeof d, r->q8.eps_x_valid, r->q8.gemv_pred),
		pct(e, sizeof e, r->have_weights && r->w.gemv_valid, r->w.gemv_rel),
		verdict_word(&r->verdict, true), verdict_word(&r->verdict, false));
}

static void
print_profile_row(FILE *out, const outlier_row *r)
{
	const outlier_profile *p = &r->prof;
	char a[32], b[32], c[32], d[32], e[32];

	fprintf(out, "%6llu %6.1f %6llu %5.1f%% %5.1f%% %7.0f %7.1f %9s %7s %7s/%-7s %7s  %-4s  %-4s  %s\n",
		(unsigned long long)r->k, p->crest, (unsigned long long)p->top_ch, 100.0 * p->top1_share,
		100.0 * p->top8_share, p->n_eff, p->kurtosis, num(a, sizeof a, p->peak_valid, p->implied_peak, 1),
		pct(b, sizeof b, true, r->typical_eps_bulk), pct(c, sizeof c, p->peak_valid, p->eps_bulk_pred),
		pct(d, sizeof d, r->massive_valid, r->massive_eps_bulk),
		pct(e, sizeof e, r->have_weights && r->w.gemv_valid, r->w.gemv_rel),
		verdict_word(&r->verdict, true), verdict_word(&r->verdict, false),
		!r->massive_valid ? "n/a" : r->peak_fp32 ? "FP32" : "q8_1");
}

static const outlier_row *
worst_row_of(const outlier_table *t, long layer)
{
	const outlier_row *best = NULL;
	size_t i;

	for (i = 0; i < t->n_rows; i++)
		if (!t->rows[i].skipped && t->rows[i].layer == layer &&
			(best == NULL || t->rows[i].score > best->score))
			best = &t->rows[i];
	return best;
}

void
outlier_table_print(FILE *out, const outlier_table *t)
{
	bool prof = t->kind == OUTLIER_SRC_IMATRIX;
	size_t i, n_live = 0;
	char a[32], s[GGUF_NAME_MAX + 1];

	fprintf(out, "model: %s\n", t->model[0] ? t->model : "(none: imatrix only)");
	fprintf(out, "input: %s\n", t->source);
	fprintf(out, "seed rule: max/rms > %g; ggscope: fp32 when eps_bulk or the simulated GEMV error "
		"> %.2f%%, or an fp16 hazard\n\n", t->mult, 100.0 * t->tol);
	if (prof)
		fprintf(out, "%5s %-15s %6s %6s %6s %6s %6s %7s %7s %9s %7s %15s %7s  %-4s  %-4s  %s\n",
			"layer", "tensor", "k", "crest", "top", "top1", "top8", "N_eff", "kurt", "peak",
			"typical", "at peak pred/sim", "GEMV", "seed", "ggscope", "at peak");
	else
		fprintf(out, "%5s %-15s %8s %6s %7s %6s %8s %8s  %15s  %-4s  %s\n", "layer", "tensor",
			"type", "k", "max/rms", "top", "kurt", "eps_bulk", "GEMV pred/sim", "seed", "ggscope");
	for (i = 0; i < t->n_rows; i++) {
		const outlier_row *r = &t->rows[i];

		fprintf(out, "%5s %-15s ", layer_name(r->layer, a, sizeof a),
			outlier_short_name(r->tensor, s, sizeof s));
		if (r->skipped)
			fprintf(out, "n/a: %s\n", r->why);
		else if (prof)
			print_profile_row(out, r);
		else
			print_live_row(out, r);
		if (!r->skipped)
			n_live++;
		if (r->note[0])
			fprintf(out, "%21s note: %s\n", "", r->note);
		if (!r->skipped && r->measured != NULL) {
			double wq, bf;
			char b[32];

			if (outlier_measured_gap(r->measured, &wq, &bf))
				fprintf(out, "%21s measured on the GPU: worst q8_1 variant %s, best fp32 %s\n", "",
					isfinite(wq) ? pct(a, sizeof a, true, wq) : "non-finite",
					pct(b, sizeof b, true, bf));
			else
				fprintf(out, "%21s measured on the GPU: %zu variants (no q8_1/fp32 pair)\n", "",
					r->measured->n);
		}
	}
	fputc('\n', out);
	if (t->n_worst > 0) {
		fprintf(out, "worst layers:");
		for (i = 0; i < t->n_worst; i++) {
			const outlier_row *r = worst_row_of(t, t->worst[i]);
			char lb[32];

			if (t->worst[i] < 0)
				snprintf(lb, sizeof lb, "(no block)");
			else
				snprintf(lb, sizeof lb, "blk.%ld", t->worst[i]);
			fprintf(out, "%s %s %s %s", i ? "," : "", lb, outlier_short_name(r->tensor, s, sizeof s),
				isfinite(r->score) ? pct(a, sizeof a, true, r->score) : "fp16 hazard");
		}
		fprintf(out, "  (by %s)\n", prof ? "max(typical eps_bulk, GEMV sim)" : "max(eps_bulk, GEMV sim)");
	}
	fprintf(out, "seed rule flags %zu of %zu matrices; ggscope routes %zu to fp32\n",
		t->n_seed_flagged, n_live, t->n_fp32);
	if (prof)
		fprintf(out, "crest = max/rms of the per-channel rms r_j; kurt = mean(r^4)/mean(r^2)^2; "
			"peak = sqrt(max in_sum2 / chunks);\n"
			"typical = Q8_1 eps_bulk of tokens x_j ~ N(0, r_j^2) (energy spread over all tokens: "
			"decides ggscope);\n"
			"at peak = eps_bulk if the top channel's energy came from one token per chunk "
			"(an upper bound)\n");
	else
		fprintf(out, "kurt = Pearson kurtosis m4/m2^2 (Gaussian 3); eps_bulk = Q8_1 error on the "
			"non-outlier channels;\nGEMV pred = ||q(x)-x||/||x|| (no weights), sim = "
			"||W q(x) - W x|| / ||W x|| in float64\n");
}

json_object *
outlier_table_json(const outlier_table *t)
{
	json_object *o = json_object_new_object(), *rows = json_object_new_array(), *w;
	size_t i;

	jstr(o, "model", t->model[0] ? t->model : NULL);
	jstr(o, "source", t->source);
	jstr(o, "kind", t->kind == OUTLIER_SRC_IMATRIX ? "imatrix" : t->kind == OUTLIER_SRC_ACT ?
		"activation" : "synthetic");
	jnum(o, "threshold", true, t->mult);
	jnum(o, "tolerance", true, t->tol);
	for (i = 0; i < t->n_rows; i++) {
		const outlier_row *r = &t->rows[i];
		json_object *j = json_object_new_object();

		json_object_object_add(j, "layer", r->layer >= 0 ? json_object_new_int64(r->layer) : NULL);
		jstr(j, "tensor", r->tensor);
		jstr(j, "type", r->type == UINT32_MAX ? NULL : type_name(r->type));
		jint(j, "k", r->k);
		jbool(j, "skipped", r->skipped);
		jstr(j, "why", r->skipped ? r->why : NULL);
		jstr(j, "note", r->note[0] ? r->note : NULL);
		if (!r->skipped && r->have_profile) {
			json_object_object_add(j, "profile", profile_json(&r->prof));
			jnum(j, "typical_eps_x", true, r->typical_eps_x);
			jnum(j, "typical_eps_bulk", true, r->typical_eps_bulk);
			jnum(j, "peak_eps_bulk", r->massive_valid, r->massive_eps_bulk);
			jstr(j, "peak_verdict", !r->massive_valid ? NULL : r->peak_fp32 ? "fp32" : "q8_1");
		} else if (!r->skipped) {
			json_object_object_add(j, "vector", vec_json(&r->vec));
			json_object_object_add(j, "q8_1", q8_json(&r->q8));
		}
		if (!r->skipped)
			json_object_object_add(j, "weights", r->have_weights ? weights_json(&r->w) : NULL);
		if (!r->skipped && r->measured != NULL)
			json_object_object_add(j, "measured", outlier_measured_json(r->measured,
				r->have_weights && r->w.gemv_valid ? r->w.gemv_rel : NAN));
		if (!r->skipped)
			json_object_object_add(j, "verdict", verdict_json(&r->verdict));
		jnum(j, "score", !r->skipped, r->score);
		json_object_array_add(rows, j);
	}
	json_object_object_add(o, "rows", rows);
	w = json_object_new_array();
	for (i = 0; i < t->n_worst; i++)
		json_object_array_add(w, t->worst[i] >= 0 ? json_object_new_int64(t->worst[i]) : NULL);
	json_object_object_add(o, "worst_layers", w);
	jint(o, "seed_flagged", t->n_seed_flagged);
	jint(o, "fp32_routed", t->n_fp32);
	return o;
}
