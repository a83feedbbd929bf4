/* report_svg.c: the report's pictures as SVG, drawn by hand (no library):
 * a heat map of GB/s per variant x warps for each shape, and a bar chart of
 * max/rms per layer against the seed's threshold. Every cell and bar has a
 * <title> with its figures, so a browser shows them on hover. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_internal.h"
#include "xalloc.h"

#define HM_LABEL_W 140   /* variant names */
#define HM_CELL_W 62
#define HM_CELL_H 26
#define HM_TITLE_H 30
#define HM_HEAD_H 20
#define HM_FOOT_H 34
#define HM_PAD 12

#define CH_W_MIN 600
#define CH_H 300
#define CH_LEFT 56
#define CH_TOP 36
#define CH_BOTTOM 92      /* room for rotated labels */
#define CH_PLOT_H (CH_H - CH_TOP - CH_BOTTOM)

/* ---------------------------------------------------------------- heat map */

/* The distinct variants and warp counts of a shape's rows, in row order
 * and ascending. */
struct grid {
	const variant *v[32];
	size_t nv;
	int w[32];
	size_t nw;
};

static void
grid_of(const report_shape *sh, struct grid *g)
{
	size_t j, a;

	g->nv = g->nw = 0;
	for (j = 0; j < sh->n_rows; j++) {
		const report_row *row = &sh->rows[j];

		for (a = 0; a < g->nv && g->v[a] != row->v; a++)
			;
		if (a == g->nv && g->nv < 32)
			g->v[g->nv++] = row->v;
		for (a = 0; a < g->nw && g->w[a] != row->warps; a++)
			;
		if (a == g->nw && g->nw < 32) {
			/* insertion keeps the columns ascending */
			for (a = g->nw; a > 0 && g->w[a - 1] > row->warps; a--)
				g->w[a] = g->w[a - 1];
			g->w[a] = row->warps;
			g->nw++;
		}
	}
}

void
report_svg_heatmap_size(const report *r, size_t shape, int *w, int *h)
{
	struct grid g;

	grid_of(&r->shapes[shape], &g);
	*w = HM_PAD + HM_LABEL_W + (int)g.nw * HM_CELL_W + HM_PAD;
	if (*w < 600)
		*w = 600;
	*h = HM_TITLE_H + HM_HEAD_H + (int)g.nv * HM_CELL_H + HM_FOOT_H;
}

/* Viridis, five stops, t in 0..1. */
static void
colour(double t, char *buf, size_t len)
{
	static const double stops[5][3] = {
		{ 68, 1, 84 }, { 59, 82, 139 }, { 33, 145, 140 }, { 94, 201, 98 }, { 253, 231, 37 },
	};
	double x;
	int i;

	if (!(t >= 0))
		t = 0;
	if (t > 1)
		t = 1;
	x = t * 4;
	i = (int)x;
	if (i > 3)
		i = 3;
	x -= i;
	snprintf(buf, len, "#%02x%02x%02x", (int)lround(stops[i][0] + x * (stops[i + 1][0] - stops[i][0])),
		(int)lround(stops[i][1] + x * (stops[i + 1][1] - stops[i][1])),
		(int)lround(stops[i][2] + x * (stops[i + 1][2] - stops[i][2])));
}

static const report_row *
cell_row(const report_shape *sh, const variant *v, int warps)
{
	size_t j;

	for (j = 0; j < sh->n_rows; j++)
		if (sh->rows[j].v == v && sh->rows[j].warps == warps)
			return &sh->rows[j];
	return NULL;
}

/* A cell; its colour is the row's % of the ceiling when by_ceiling, else
 * its GB/s relative to the shape's best. */
static void
heat_cell(FILE *out, const report_row *row, bool by_ceiling, double best_gbs, int x, int y)
{
	char fill[16] = "#dddddd", text[32], tip[64];
	const char *ink = "#333333";

	snprintf(text, sizeof text, "n/a");
	if (row->status == REPORT_ROW_PASS && row->gbs_valid) {
		double t = by_ceiling ? row->ceiling_pct / 100 : best_gbs > 0 ? row->gbs / best_gbs : 0;

		colour(t, fill, sizeof fill);
		ink = t < 0.6 ? "#ffffff" : "#000000";
		snprintf(text, sizeof text, "%.0f", row->gbs);
	} else if (row->status == REPORT_ROW_FAIL) {
		snprintf(fill, sizeof fill, "#d62728");
		ink = "#ffffff";
		snprintf(text, sizeof text, "FAIL");
	} else if (row->status == REPORT_ROW_ERROR || row->status == REPORT_ROW_COMPILE_ERROR) {
		snprintf(fill, sizeof fill, "#ff9896");
		snprintf(text, sizeof text, row->status == REPORT_ROW_ERROR ? "error" : "build");
	} else if (row->status == REPORT_ROW_REFUSED) {
		snprintf(fill, sizeof fill, "#f4f4f4");
		ink = "#999999";
		snprintf(text, sizeof text, "refused");
	} else if (row->res_valid) {
		/* not measured: show the static figure, the registers */
		snprintf(text, sizeof text, "%d regs", row->regs);
	}
	fprintf(out, "<g><title>%s, %d warps: %s", row->v->name, row->warps, report_status_name(row->status));
	if (row->time_valid)
		fprintf(out, ", %.2f us", row->time_us);
	if (row->gbs_valid)
		fprintf(out, ", %.0f GB/s", row->gbs);
	if (row->ceiling_pct_valid)
		fprintf(out, ", %.1f%% of ceiling", row->ceiling_pct);
	if (row->why[0]) {
		fputs(" (", out);
		report_put_xml(out, row->why);
		fputs(")", out);
	}
	fprintf(out, "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"%s\" "
		"stroke-width=\"%d\"/>", x + 1, y + 1, HM_CELL_W - 2, HM_CELL_H - 2, fill,
		row->winner ? "#000000" : "#ffffff", row->winner ? 3 : 1);
	snprintf(tip, sizeof tip, "%s%s", text, row->winner ? " *" : "");
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" fill=\"%s\"%s>%s</text></g>\n",
		x + HM_CELL_W / 2, y + HM_CELL_H / 2 + 4, ink, row->winner ? " font-weight=\"bold\"" : "", tip);
}

void
report_svg_heatmap(const report *r, size_t shape, FILE *out, int x, int y, bool standalone)
{
	const report_shape *sh = &r->shapes[shape];
	struct grid g;
	double best = 0;
	bool by_ceiling = r->env.ceiling_valid;
	int w, h, top = HM_TITLE_H + HM_HEAD_H;
	size_t a, b, j;

	grid_of(sh, &g);
	report_svg_heatmap_size(r, shape, &w, &h);
	for (j = 0; j < sh->n_rows; j++) {
		const report_row *row = &sh->rows[j];

		if (row->status != REPORT_ROW_PASS || !row->gbs_valid)
			continue;
		if (row->gbs > best)
			best = row->gbs;
		by_ceiling &= row->ceiling_pct_valid;
	}
	if (standalone)
		fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			"font-family=\"sans-serif\" role=\"img\">\n", w, h, w, h);
	else
		fprintf(out, "<svg x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">\n", x, y, w, h);
	fprintf(out, "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s %u x %u: GB/s per variant and warps</text>\n",
		HM_PAD, report_type_name(sh->type), sh->n, sh->k);
	for (b = 0; b < g.nw; b++)
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%d</text>\n",
			HM_PAD + HM_LABEL_W + (int)b * HM_CELL_W + HM_CELL_W / 2, HM_TITLE_H + 14, g.w[b]);
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#666666\">warps</text>\n", HM_PAD, HM_TITLE_H + 14);
	for (a = 0; a < g.nv; a++) {
		int cy = top + (int)a * HM_CELL_H;

		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>\n", HM_PAD, cy + HM_CELL_H / 2 + 4,
			g.v[a]->name);
		for (b = 0; b < g.nw; b++) {
			const report_row *row = cell_row(sh, g.v[a], g.w[b]);

			if (row != NULL)
				heat_cell(out, row, by_ceiling, best, HM_PAD + HM_LABEL_W + (int)b * HM_CELL_W, cy);
		}
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555555\">", HM_PAD, top + (int)g.nv * HM_CELL_H + 20);
	if (best > 0)
		fprintf(out, "colour: %s; * and a black border: the winner (fastest correct)",
			by_ceiling ? "% of the read ceiling, dark 0 to yellow 100" : "GB/s relative to the best, dark 0 to yellow 1");
	else
		fputs("not measured (the report says why); cells show registers per thread", out);
	fprintf(out, "</text>\n</svg>\n");
}

/* ---------------------------------------------------------------- outlier chart */

/* The bars: one per layer, or one per tensor when all rows are one layer. */
struct bar {
	char label[GGUF_NAME_MAX + 1];
	bool valid;
	double value;
	bool seed_fp32, fp32;
};

static size_t
chart_bars(const report *r, struct bar **out, bool *per_tensor)
{
	report_layer_agg *agg = NULL;
	size_t n = report_layer_aggregate(r, &agg), i, m = 0;
	struct bar *b;

	*per_tensor = n == 1;
	if (*per_tensor) {
		b = xcalloc(r->outliers.n_rows ? r->outliers.n_rows : 1, sizeof *b);
		for (i = 0; i < r->outliers.n_rows; i++) {
			const report_outlier_row *o = &r->outliers.rows[i];
			const char *dot1 = strchr(o->tensor, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
			const char *last = strrchr(o->tensor, '.');

			if (o->skipped)
				continue;
			/* "blk.3.ffn_down.weight" -> "ffn_down" */
			if (dot2 != NULL && last != NULL && last > dot2)
				snprintf(b[m].label, sizeof b[m].label, "%.*s", (int)(last - dot2 - 1), dot2 + 1);
			else
				snprintf(b[m].label, sizeof b[m].label, "%s", o->tensor);
			b[m].valid = o->ratio_valid;
			b[m].value = o->max_over_rms;
			b[m].seed_fp32 = o->seed_fp32;
			b[m].fp32 = o->verdict_valid && o->fp32;
			m++;
		}
	} else {
		b = xcalloc(n ? n : 1, sizeof *b);
		for (i = 0; i < n; i++) {
			report_fmt_layer(b[m].label, sizeof b[m].label, agg[i].layer);
			b[m].valid = agg[i].ratio_valid;
			b[m].value = agg[i].max_over_rms;
			b[m].seed_fp32 = agg[i].seed_fp32;
			b[m].fp32 = agg[i].fp32;
			m++;
		}
	}
	free(agg);
	*out = b;
	return m;
}

static int
bar_width(size_t n)
{
	int w = n ? (int)(640 / n) - 4 : 40;

	return w < 6 ? 6 : w > 40 ? 40 : w;
}

bool
report_svg_chart_size(const report *r, int *w, int *h)
{
	struct bar *b;
	bool per_tensor;
	size_t n;

	if (!r->outliers.available)
		return false;
	n = chart_bars(r, &b, &per_tensor);
	free(b);
	if (n == 0)
		return false;
	*w = CH_LEFT + (int)n * (bar_width(n) + 4) + 40;
	if (*w < CH_W_MIN)
		*w = CH_W_MIN;
	*h = CH_H;
	return true;
}

void
report_svg_chart(const report *r, FILE *out, int x, int y, bool standalone)
{
	struct bar *b;
	bool per_tensor;
	size_t n = chart_bars(r, &b, &per_tensor), i;
	double ymax = r->outliers.threshold;
	int w, h, bw = bar_width(n), base = CH_TOP + CH_PLOT_H;

	if (!report_svg_chart_size(r, &w, &h)) {
		free(b);
		return;
	}
	for (i = 0; i < n; i++)
		if (b[i].valid && b[i].value > ymax)
			ymax = b[i].value;
	ymax *= 1.15;
	if (standalone)
		fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			"font-family=\"sans-serif\" role=\"img\">\n", w, h, w, h);
	else
		fprintf(out, "<svg x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">\n", x, y, w, h);
	fprintf(out, "<text x=\"12\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s per %s</text>\n",
		strstr(r->outliers.source, "imatrix") ? "crest factor (max rms / mean rms)" : "max|x| / rms(x)",
		per_tensor ? "tensor" : "layer");
	/* axes, the 0 and threshold ticks */
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000000\"/>\n", CH_LEFT, CH_TOP, CH_LEFT, base);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000000\"/>\n", CH_LEFT, base, w - 20, base);
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">0</text>\n", CH_LEFT - 4, base + 4);
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%.0f</text>\n", CH_LEFT - 4,
		CH_TOP + 4, ymax);
	{
		int ty = base - (int)lround(CH_PLOT_H * r->outliers.threshold / ymax);

		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d62728\" stroke-dasharray=\"5,3\"/>\n",
			CH_LEFT, ty, w - 20, ty);
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#d62728\" text-anchor=\"end\">"
			"seed rule %gx</text>\n", w - 20, ty - 3, r->outliers.threshold);
	}
	for (i = 0; i < n; i++) {
		int bx = CH_LEFT + 8 + (int)i * (bw + 4), bh, lx = bx + bw / 2;
		const char *fill = b[i].fp32 ? "#d62728" : b[i].seed_fp32 ? "#ff7f0e" : "#1f77b4";

		fprintf(out, "<g><title>");
		report_put_xml(out, b[i].label);
		if (b[i].valid)
			fprintf(out, ": %.2f%s%s</title>", b[i].value, b[i].seed_fp32 ? ", seed rule flags it" : "",
				b[i].fp32 ? ", needs the fp32 route" : "");
		else
			fputs(": n/a</title>", out);
		if (b[i].valid) {
			bh = (int)lround(CH_PLOT_H * b[i].value / ymax);
			fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", bx, base - bh, bw,
				bh > 0 ? bh : 1, fill);
		} else
			fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"9\" text-anchor=\"middle\">n/a</text>", lx, base - 4);
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\" transform=\"rotate(-45 %d %d)\">",
			lx, base + 12, lx, base + 12);
		report_put_xml(out, b[i].label);
		fputs("</text></g>\n", out);
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", w - 20, base + 30,
		per_tensor ? "tensor" : "layer");
	fprintf(out, "<text x=\"12\" y=\"%d\" font-size=\"11\" fill=\"#555555\">red: ggscope routes to fp32; "
		"orange: only the seed's rule flags it; blue: Q8_1 is fine</text>\n</svg>\n", h - 8);
	free(b);
}
