/* report_html.c: the report as one self-contained HTML page: the same
 * sections as the Markdown, with the pictures inline as SVG. */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_internal.h"

static const char css[] =
	"body{font-family:sans-serif;margin:2em;max-width:1400px;color:#222}"
	"table{border-collapse:collapse;margin:0.5em 0 1.5em}"
	"th,td{border:1px solid #ccc;padding:2px 6px;font-size:13px}"
	"th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}"
	"tr.winner{background:#e6f4ea;font-weight:bold}tr.fail td{color:#b00020}"
	".partial{background:#fff3cd;border:1px solid #e0a800;padding:0.5em 1em}"
	".missing{background:#f8f9fa;border-left:4px solid #999;padding:0.3em 1em}"
	"pre{background:#f6f8fa;padding:0.6em 1em}code{background:#f6f8fa}";

static void
td(FILE *out, const char *s)
{
	fputs("<td>", out);
	report_put_xml(out, s);
	fputs("</td>", out);
}

static void
tdn(FILE *out, bool valid, const char *fmt, double v)
{
	char buf[64];

	fprintf(out, "<td class=\"n\">%s</td>", report_fmt_num(buf, sizeof buf, valid, fmt, v));
}

/* One row of the environment table. */
static void
html_env_row(const char *label, const char *value, void *ctx)
{
	FILE *out = ctx;

	fputs("<tr><th>", out);
	report_put_xml(out, label);
	fputs("</th>", out);
	td(out, value);
	fputs("</tr>\n", out);
}

static void
html_env(const report *r, FILE *out)
{
	const report_env *e = &r->env;

	fputs("<h2>Environment</h2>\n<table>\n", out);
	report_env_rows(e, html_env_row, out);
	fputs("</table>\n", out);
	if (e->measure_why[0]) {
		fputs("<p class=\"missing\"><b>Measurements missing:</b> ", out);
		report_put_xml(out, e->measure_why);
		fputs(". The report holds the static parts: shapes, compile resources and the outlier table.</p>\n", out);
	}
}

static void
html_profile(const report *r, FILE *out)
{
	const report_profile *p = &r->profile;
	size_t t;

	fputs("<h2>Recommended GpuProfile</h2>\n", out);
	if (!p->valid) {
		fputs("<p>n/a: ", out);
		report_put_xml(out, p->why);
		fputs(".</p>\n", out);
		return;
	}
	fputs("<p>One variant per weight type, one <code>MWV_WARPS</code> for every multi-warp kernel and one "
		"<code>STREAM_WARPS</code> for every stream kernel, chosen to minimise the summed time of the selected "
		"tensors among the variants the seed's variables and ggscope's <code>STREAM_*</code> variables select. "
		"Apply it with:</p>\n<pre>", out);
	report_put_xml(out, p->env);
	fputs("</pre>\n", out);
	if (p->unset[0]) {
		fputs("<p>These variables win over it when set; unset them: <code>", out);
		report_put_xml(out, p->unset);
		fputs("</code>.</p>\n", out);
	}
	if (p->why[0]) {
		fputs("<p>", out);
		report_put_xml(out, p->why);
		fputs(".</p>\n", out);
	}
	fputs("<table>\n<tr><th>type</th><th>variant</th><th>warps</th><th>variable</th><th>time, all tensors (us)</th>"
		"<th>with each shape's winner (us)</th><th>note</th></tr>\n", out);
	for (t = 0; t < 2; t++) {
		const report_rec *rec = &p->rec[t];

		fprintf(out, "<tr><td>%s</td>", report_type_name(rec->type));
		if (!rec->valid) {
			fputs("<td>n/a</td><td></td><td></td><td></td><td></td>", out);
			td(out, rec->why);
			fputs("</tr>\n", out);
			continue;
		}
		td(out, rec->label);
		fprintf(out, "<td class=\"n\">%d%s</td>", rec->warps, report_warps_source(rec));
		td(out, rec->env);
		tdn(out, true, "%.2f", rec->total_us);
		tdn(out, !isnan(rec->best_total_us), "%.2f", rec->best_total_us);
		fputs("<td>", out);
		if (rec->matches_winners)
			fputs("as fast as each shape's winner", out);
		if (rec->why[0]) {
			fputs(rec->matches_winners ? "; " : "", out);
			report_put_xml(out, rec->why);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void
html_shape(const report *r, size_t i, FILE *out)
{
	const report_shape *sh = &r->shapes[i];
	char names[1024], b[32];
	size_t j;

	fprintf(out, "<h3 id=\"shape%zu\">%s %u x %u (%s per tensor)</h3>\n<p>%zu tensor%s, measured once on the first: ",
		i + 1, report_type_name(sh->type), sh->n, sh->k, report_fmt_bytes(b, sizeof b, sh->weight_bytes),
		sh->n_tensors, sh->n_tensors == 1 ? "" : "s");
	report_put_xml(out, report_fmt_shape_tensors(r, i, names, sizeof names, 8));
	if (sh->winner >= 0)
		fprintf(out, ". Winner: <b>%s, %d warp%s</b> (%.2f us).</p>\n", sh->rows[sh->winner].v->name,
			sh->rows[sh->winner].warps, sh->rows[sh->winner].warps == 1 ? "" : "s", sh->rows[sh->winner].total_us);
	else
		fputs(". No winner: no row was measured correct.</p>\n", out);
	report_svg_heatmap(r, i, out, 0, 0, true);
	fputs("<table>\n<tr><th></th><th>variant</th><th>warps</th><th>x</th><th>status</th><th>time us</th>"
		"<th>q8_1 us</th><th>GB/s</th><th>% ceiling</th><th>DRAM read/ideal</th><th>occupancy achieved %</th>"
		"<th>theoretical %</th><th>limiter</th><th>regs</th><th>spill B</th><th>smem B</th><th>compile ms</th>"
		"<th>rel err</th><th>note</th></tr>\n", out);
	for (j = 0; j < sh->n_rows; j++) {
		const report_row *row = &sh->rows[j];

		fprintf(out, "<tr%s><td>%s</td>", row->winner ? " class=\"winner\"" : row->status == REPORT_ROW_FAIL
			? " class=\"fail\"" : "", row->winner ? "&#9733; winner" : "");
		td(out, row->v->name);
		fprintf(out, "<td class=\"n\">%d</td>", row->warps);
		td(out, variant_input_name(row->v->input));
		td(out, report_status_name(row->status));
		tdn(out, row->time_valid, "%.2f", row->time_us);
		tdn(out, row->quant_valid, "%.2f", row->quant_us);
		tdn(out, row->gbs_valid, "%.0f", row->gbs);
		tdn(out, row->ceiling_pct_valid, "%.1f", row->ceiling_pct);
		tdn(out, row->dram_valid, "%.2f", row->dram_ratio);
		tdn(out, row->achieved_occ_valid, "%.0f", row->achieved_occ_pct);
		tdn(out, row->theo_occ_valid, "%.0f", row->theo_occ_pct);
		td(out, row->occ_limiter);
		tdn(out, row->launch_regs_valid || row->res_valid, "%.0f",
			row->launch_regs_valid ? row->launch_regs : row->regs);
		tdn(out, row->res_valid, "%.0f", row->spill_bytes);
		tdn(out, row->res_valid, "%.0f", row->smem_static_bytes);
		tdn(out, row->compiled, "%.1f", row->compile_ms);
		tdn(out, row->err_valid, "%.1e", row->rel_l2);
		td(out, report_row_note(row));
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void
html_shares(const report *r, FILE *out)
{
	char b[32], lay[24];
	size_t i;

	fprintf(out, "<h2>Decode-time share</h2>\n<p>Each tensor's expected share of one decode step's GEMV time: its "
		"shape's winning time, summed over the selected tensors (%s). The bytes share is what a purely "
		"bandwidth-bound step would spend.</p>\n",
		r->time_shares_valid ? "measured" : "n/a: not every shape has a correct measured variant");
	fputs("<table>\n<tr><th>tensor</th><th>layer</th><th>type</th><th>n x k</th><th>bytes</th><th>bytes %</th>"
		"<th>time us</th><th>time %</th></tr>\n", out);
	for (i = 0; i < r->n_tensors; i++) {
		const report_tensor *x = &r->tensors[i];

		fputs("<tr>", out);
		td(out, x->name);
		td(out, report_fmt_layer(lay, sizeof lay, x->layer));
		td(out, report_type_name(x->type));
		fprintf(out, "<td>%u x %u</td>", x->n, x->k);
		fprintf(out, "<td class=\"n\">%s</td>", report_fmt_bytes(b, sizeof b, x->bytes));
		tdn(out, true, "%.1f", x->bytes_share_pct);
		tdn(out, x->time_valid, "%.2f", x->time_us);
		tdn(out, r->time_shares_valid, "%.1f", x->time_share_pct);
		fputs("</tr>\n", out);
	}
	if (r->time_shares_valid)
		fprintf(out, "<tr><th>total</th><td></td><td></td><td></td><td></td><td class=\"n\">100.0</td>"
			"<td class=\"n\">%.2f</td><td class=\"n\">100.0</td></tr>\n", r->total_time_us);
	fputs("</table>\n", out);
}

static void
html_outliers(const report *r, FILE *out)
{
	const report_outliers *o = &r->outliers;
	char summary[1024];
	char lay[24];
	size_t i;

	fputs("<h2>Outliers</h2>\n", out);
	if (!o->available) {
		fputs("<p>n/a: ", out);
		report_put_xml(out, o->why);
		fputs(".</p>\n", out);
		return;
	}
	fputs("<p>Input: ", out);
	report_put_xml(out, o->source);
	fprintf(out, ". The seed's rule flags max|x| &gt; %g x rms(x); ggscope routes a GEMV to fp32 when the Q8_1 "
		"error of the bulk channels or the simulated GEMV error exceeds %g%%, or an fp16 hazard exists.</p>\n",
		o->threshold, 100 * o->tolerance);
	report_fp32_summary(r, summary, sizeof summary);
	fprintf(out, "<p><b>Layers that need the fp32 route:</b>%s</p>\n",
		summary + strlen("Layers that need the fp32 route:"));
	report_svg_chart(r, out, 0, 0, true);
	fputs("<table>\n<tr><th>layer</th><th>tensor</th><th>k</th><th>max/rms</th><th>seed rule</th><th>eps_bulk</th>"
		"<th>GEMV sim</th><th>verdict</th><th>reason</th></tr>\n", out);
	for (i = 0; i < o->n_rows; i++) {
		const report_outlier_row *x = &o->rows[i];

		fprintf(out, "<tr%s>", x->verdict_valid && x->fp32 ? " class=\"fail\"" : "");
		td(out, report_fmt_layer(lay, sizeof lay, x->layer));
		td(out, x->tensor);
		fprintf(out, "<td class=\"n\">%" PRIu64 "</td>", x->k);
		if (x->skipped) {
			fputs("<td></td><td></td><td></td><td></td><td>skipped</td>", out);
			td(out, x->why);
			fputs("</tr>\n", out);
			continue;
		}
		tdn(out, x->ratio_valid, "%.1f", x->max_over_rms);
		td(out, x->seed_fp32 ? "fp32" : "ok");
		tdn(out, x->eps_valid, "%.2e", x->eps_bulk);
		tdn(out, x->gemv_valid, "%.2e", x->gemv_sim);
		td(out, !x->verdict_valid ? "n/a" : x->fp32 ? "fp32" : "q8_1 ok");
		td(out, x->reason);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

void
report_html_write(const report *r, FILE *out)
{
	char counts[512], b[32];
	size_t i;

	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<title>ggscope tuning report</title>\n<style>%s</style>\n</head>\n<body>\n"
		"<h1>ggscope tuning report</h1>\n<p>Model <code>", css);
	report_put_xml(out, r->env.model);
	fputs("</code>; selection: ", out);
	report_put_xml(out, r->env.selection);
	fputs(".</p>\n", out);
	if (r->partial) {
		fputs("<p class=\"partial\"><b>PARTIAL REPORT</b>: ", out);
		report_put_xml(out, r->partial_why[0] ? r->partial_why : "the sweep did not finish");
		fputs(". Rows it did not reach say \"planned\".</p>\n", out);
	}
	html_env(r, out);
	html_profile(r, out);
	fprintf(out, "<h2>Shapes</h2>\n<p>%zu tensor%s selected, %zu unique shape%s. Tensors with the same (type, n, k) "
		"are measured once and the result applies to all of them. %s. The winner of a shape is its fastest "
		"correct row, ranked by total time (Q8_1 quantizer + GEMV).</p>\n", r->n_tensors,
		r->n_tensors == 1 ? "" : "s", r->n_shapes, r->n_shapes == 1 ? "" : "s",
		report_fmt_counts(r, counts, sizeof counts));
	fputs("<table>\n<tr><th>#</th><th>type</th><th>n x k</th><th>weight bytes</th><th>tensors</th><th>winner</th></tr>\n", out);
	for (i = 0; i < r->n_shapes; i++) {
		const report_shape *sh = &r->shapes[i];

		fprintf(out, "<tr><td class=\"n\"><a href=\"#shape%zu\">%zu</a></td><td>%s</td><td>%u x %u</td>"
			"<td class=\"n\">%s</td><td class=\"n\">%zu</td><td>", i + 1, i + 1, report_type_name(sh->type),
			sh->n, sh->k, report_fmt_bytes(b, sizeof b, sh->weight_bytes), sh->n_tensors);
		if (sh->winner >= 0)
			fprintf(out, "%s, %d warp%s, %.2f us", sh->rows[sh->winner].v->name, sh->rows[sh->winner].warps,
				sh->rows[sh->winner].warps == 1 ? "" : "s",
				sh->rows[sh->winner].total_us);
		else
			fputs("n/a", out);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
	for (i = 0; i < r->n_shapes; i++)
		html_shape(r, i, out);
	html_shares(r, out);
	html_outliers(r, out);
	if (r->n_skipped) {
		fputs("<h2>Skipped tensors</h2>\n<table>\n<tr><th>tensor</th><th>why</th></tr>\n", out);
		for (i = 0; i < r->n_skipped; i++) {
			fputs("<tr>", out);
			td(out, r->skipped[i].name);
			td(out, r->skipped[i].why);
			fputs("</tr>\n", out);
		}
		fputs("</table>\n", out);
	}
	fputs("</body>\n</html>\n", out);
}
