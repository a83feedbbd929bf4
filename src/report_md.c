/* report_md.c: the report as Markdown (GitHub flavour: pipe tables). The
 * pictures live in an SVG file beside it, linked once. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "quant.h"
#include "report.h"
#include "report_internal.h"

/* One row of the environment table. */
static void
md_env_row(const char *label, const char *value, void *ctx)
{
	FILE *out = ctx;

	fputs("| ", out);
	report_put_md(out, label);
	fputs(" | ", out);
	report_put_md(out, value);
	fputs(" |\n", out);
}

static void
md_env(const report *r, FILE *out)
{
	const report_env *e = &r->env;

	fprintf(out, "## Environment\n\n| | |\n| --- | --- |\n");
	report_env_rows(e, md_env_row, out);
	fputs("\n", out);
	if (e->measure_why[0]) {
		fputs("**Measurements missing:** ", out);
		report_put_md(out, e->measure_why);
		fputs(". The report holds the static parts: shapes, compile resources and the outlier table.\n\n", out);
	}
}

static void
md_profile(const report *r, FILE *out)
{
	const report_profile *p = &r->profile;
	char a[64], b[64];
	size_t t;

	fprintf(out, "## Recommended GpuProfile\n\n");
	if (!p->valid) {
		fputs("n/a: ", out);
		report_put_md(out, p->why);
		fputs(".\n\n", out);
		return;
	}
	fprintf(out, "One variant per weight type, one `MWV_WARPS` for every multi-warp kernel and one "
		"`STREAM_WARPS` for every stream kernel, chosen to minimise the summed time of the selected "
		"tensors among the variants the seed's variables and ggscope's `STREAM_*` variables select. "
		"Apply it with:\n\n```sh\n%s\n```\n\n", p->env);
	if (p->unset[0])
		fprintf(out, "These variables win over it when set; unset them: `%s`.\n\n", p->unset);
	if (p->why[0]) {
		report_put_md(out, p->why);
		fputs(".\n\n", out);
	}
	fprintf(out, "| type | variant | warps | variable | time, all tensors (us) | with each shape's winner (us) | note |\n"
		"| --- | --- | --- | --- | --- | --- | --- |\n");
	for (t = 0; t < 2; t++) {
		const report_rec *rec = &p->rec[t];

		if (!rec->valid) {
			fprintf(out, "| %s | n/a | | | | | ", report_type_name(rec->type));
			report_put_md(out, rec->why);
			fputs(" |\n", out);
			continue;
		}
		fprintf(out, "| %s | `%s` | %d%s | `%s` | %s | %s | %s", report_type_name(rec->type), rec->label,
			rec->warps, report_warps_source(rec), rec->env,
			report_fmt_num(a, sizeof a, true, "%.2f", rec->total_us),
			report_fmt_num(b, sizeof b, rec->best_total_us == rec->best_total_us, "%.2f", rec->best_total_us),
			rec->matches_winners ? "as fast as each shape's winner" : "");
		if (rec->why[0]) {
			fputs(rec->matches_winners ? "; " : "", out);
			report_put_md(out, rec->why);
		}
		fputs(" |\n", out);
	}
	fputc('\n', out);
}

static void
md_shape(const report *r, size_t i, FILE *out)
{
	const report_shape *sh = &r->shapes[i];
	char names[1024], b[32], f[12][32];
	size_t j;

	fprintf(out, "### %s %u x %u (%s per tensor)\n\n", report_type_name(sh->type), sh->n, sh->k,
		report_fmt_bytes(b, sizeof b, sh->weight_bytes));
	fprintf(out, "%zu tensor%s, measured once on the first: ", sh->n_tensors, sh->n_tensors == 1 ? "" : "s");
	report_put_md(out, report_fmt_shape_tensors(r, i, names, sizeof names, 8));
	fputs(".", out);
	if (sh->winner >= 0)
		fprintf(out, " Winner: **%s, %d warp%s** (%.2f us).", sh->rows[sh->winner].v->name,
			sh->rows[sh->winner].warps, sh->rows[sh->winner].warps == 1 ? "" : "s", sh->rows[sh->winner].total_us);
	else
		fputs(" No winner: no row was measured correct.", out);
	fprintf(out, "\n\n| | variant | warps | x | status | time us | q8_1 us | GB/s | %% ceiling | DRAM read/ideal "
		"| occupancy ach/theor %% | limiter | regs | spill B | smem B | compile ms | rel err | note |\n"
		"| --- | --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
	for (j = 0; j < sh->n_rows; j++) {
		const report_row *row = &sh->rows[j];

		fprintf(out, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s | %s | %s | ",
			row->winner ? "**winner**" : "", row->v->name, row->warps, variant_input_name(row->v->input),
			report_status_name(row->status),
			report_fmt_num(f[0], sizeof f[0], row->time_valid, "%.2f", row->time_us),
			report_fmt_num(f[1], sizeof f[1], row->quant_valid, "%.2f", row->quant_us),
			report_fmt_num(f[2], sizeof f[2], row->gbs_valid, "%.0f", row->gbs),
			report_fmt_num(f[3], sizeof f[3], row->ceiling_pct_valid, "%.1f", row->ceiling_pct),
			report_fmt_num(f[4], sizeof f[4], row->dram_valid, "%.2f", row->dram_ratio),
			report_fmt_num(f[5], sizeof f[5], row->achieved_occ_valid, "%.0f", row->achieved_occ_pct),
			report_fmt_num(f[6], sizeof f[6], row->theo_occ_valid, "%.0f", row->theo_occ_pct),
			row->occ_limiter[0] ? row->occ_limiter : "",
			report_fmt_num(f[7], sizeof f[7], row->launch_regs_valid || row->res_valid, "%.0f",
				row->launch_regs_valid ? row->launch_regs : row->regs),
			report_fmt_num(f[8], sizeof f[8], row->res_valid, "%.0f", row->spill_bytes),
			report_fmt_num(f[9], sizeof f[9], row->res_valid, "%.0f", row->smem_static_bytes),
			report_fmt_num(f[10], sizeof f[10], row->compiled, "%.1f", row->compile_ms),
			report_fmt_num(f[11], sizeof f[11], row->err_valid, "%.1e", row->rel_l2));
		report_put_md(out, report_row_note(row));
		fputs(" |\n", out);
	}
	fputc('\n', out);
}

static void
md_shapes(const report *r, FILE *out, const char *svg_href)
{
	char counts[512], b[32];
	size_t i;

	fprintf(out, "## Shapes\n\n%zu tensor%s selected, %zu unique shape%s. Tensors with the same (type, n, k) "
		"are measured once and the result applies to all of them. %s. The winner of a shape is its "
		"fastest correct row, ranked by total time (Q8_1 quantizer + GEMV).\n\n",
		r->n_tensors, r->n_tensors == 1 ? "" : "s", r->n_shapes, r->n_shapes == 1 ? "" : "s",
		report_fmt_counts(r, counts, sizeof counts));
	fprintf(out, "| # | type | n x k | weight bytes | tensors | winner |\n| ---: | --- | --- | ---: | ---: | --- |\n");
	for (i = 0; i < r->n_shapes; i++) {
		const report_shape *sh = &r->shapes[i];

		fprintf(out, "| %zu | %s | %u x %u | %s | %zu | ", i + 1, report_type_name(sh->type), sh->n, sh->k,
			report_fmt_bytes(b, sizeof b, sh->weight_bytes), sh->n_tensors);
		if (sh->winner >= 0)
			fprintf(out, "%s, %d warp%s, %.2f us", sh->rows[sh->winner].v->name, sh->rows[sh->winner].warps,
				sh->rows[sh->winner].warps == 1 ? "" : "s",
				sh->rows[sh->winner].total_us);
		else
			fputs("n/a", out);
		fputs(" |\n", out);
	}
	fputc('\n', out);
	if (svg_href != NULL)
		fprintf(out, "![GB/s per variant and warp count for each shape, and the per-layer max/rms](%s)\n\n",
			svg_href);
	for (i = 0; i < r->n_shapes; i++)
		md_shape(r, i, out);
}

static void
md_shares(const report *r, FILE *out)
{
	char b[32], t[32], s[32], lay[24];
	size_t i;

	fprintf(out, "## Decode-time share\n\nEach tensor's expected share of one decode step's GEMV time: its shape's "
		"winning time, summed over the selected tensors (%s). The bytes share is what a purely "
		"bandwidth-bound step would spend.\n\n",
		r->time_shares_valid ? "measured" : "n/a: not every shape has a correct measured variant");
	fprintf(out, "| tensor | layer | type | n x k | bytes | bytes %% | time us | time %% |\n"
		"| --- | --- | --- | --- | ---: | ---: | ---: | ---: |\n");
	for (i = 0; i < r->n_tensors; i++) {
		const report_tensor *x = &r->tensors[i];

		fputs("| ", out);
		report_put_md(out, x->name);
		fprintf(out, " | %s | %s | %u x %u | %s | %.1f | %s | %s |\n", report_fmt_layer(lay, sizeof lay, x->layer),
			report_type_name(x->type), x->n, x->k, report_fmt_bytes(b, sizeof b, x->bytes), x->bytes_share_pct,
			report_fmt_num(t, sizeof t, x->time_valid, "%.2f", x->time_us),
			report_fmt_num(s, sizeof s, r->time_shares_valid, "%.1f", x->time_share_pct));
	}
	if (r->time_shares_valid)
		fprintf(out, "| **total** | | | | | 100.0 | %.2f | 100.0 |\n", r->total_time_us);
	fputc('\n', out);
}

static void
md_outliers(const report *r, FILE *out)
{
	const report_outliers *o = &r->outliers;
	char summary[1024];
	char a[32], b[32], c[32], lay[24];
	size_t i;

	fprintf(out, "## Outliers\n\n");
	if (!o->available) {
		fputs("n/a: ", out);
		report_put_md(out, o->why);
		fputs(".\n\n", out);
		return;
	}
	fputs("Input: ", out);
	report_put_md(out, o->source);
	fprintf(out, ". The seed's rule flags max|x| > %g x rms(x); ggscope routes a GEMV to fp32 when the Q8_1 error "
		"of the bulk channels or the simulated GEMV error exceeds %g%%, or an fp16 hazard exists.\n\n",
		o->threshold, 100 * o->tolerance);
	report_fp32_summary(r, summary, sizeof summary);
	fprintf(out, "%s\n\n", summary);
	fprintf(out, "| layer | tensor | k | max/rms | seed rule | eps_bulk | GEMV sim | verdict | reason |\n"
		"| --- | --- | ---: | ---: | --- | ---: | ---: | --- | --- |\n");
	for (i = 0; i < o->n_rows; i++) {
		const report_outlier_row *x = &o->rows[i];

		fprintf(out, "| %s | ", report_fmt_layer(lay, sizeof lay, x->layer));
		report_put_md(out, x->tensor);
		if (x->skipped) {
			fprintf(out, " | %" PRIu64 " | | | | | skipped | ", x->k);
			report_put_md(out, x->why);
			fputs(" |\n", out);
			continue;
		}
		fprintf(out, " | %" PRIu64 " | %s | %s | %s | %s | %s | ", x->k,
			report_fmt_num(a, sizeof a, x->ratio_valid, "%.1f", x->max_over_rms), x->seed_fp32 ? "fp32" : "ok",
			report_fmt_num(b, sizeof b, x->eps_valid, "%.2e", x->eps_bulk),
			report_fmt_num(c, sizeof c, x->gemv_valid, "%.2e", x->gemv_sim),
			!x->verdict_valid ? "n/a" : x->fp32 ? "**fp32**" : "q8_1 ok");
		report_put_md(out, x->reason);
		fputs(" |\n", out);
	}
	fputc('\n', out);
}

void
report_md_write(const report *r, FILE *out, const char *svg_href)
{
	size_t i;

	fprintf(out, "# ggscope tuning report\n\n");
	fputs("Model `", out);
	report_put_md(out, r->env.model);
	fputs("`; selection: ", out);
	report_put_md(out, r->env.selection);
	fprintf(out, ".\n\n");
	if (r->partial) {
		fputs("> **PARTIAL REPORT**: ", out);
		report_put_md(out, r->partial_why[0] ? r->partial_why : "the sweep did not finish");
		fputs(". Rows it did not reach say \"planned\".\n\n", out);
	}
	md_env(r, out);
	md_profile(r, out);
	md_shapes(r, out, svg_href);
	md_shares(r, out);
	md_outliers(r, out);
	if (r->n_skipped) {
		fprintf(out, "## Skipped tensors\n\n| tensor | why |\n| --- | --- |\n");
		for (i = 0; i < r->n_skipped; i++) {
			fputs("| ", out);
			report_put_md(out, r->skipped[i].name);
			fputs(" | ", out);
			report_put_md(out, r->skipped[i].why);
			fputs(" |\n", out);
		}
		fputc('\n', out);
	}
	if (svg_href == NULL)
		fputs("Pictures are written only beside a report file (`-o FILE.md`) or inline in html.\n", out);
}
