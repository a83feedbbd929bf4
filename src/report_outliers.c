/* report_outliers.c: the per-layer outlier table of the selected tensors,
 * built by the outlier module one tensor at a time (so the run can stop
 * between tensors and only the selected weights are dequantized) and
 * copied into the report's own rows. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "acts.h"
#include "outlier.h"
#include "report.h"
#include "report_run.h"
#include "xalloc.h"

/* The report's row from the outlier module's. */
static void
copy_row(report_outlier_row *d, const outlier_row *s)
{
	memset(d, 0, sizeof *d);
	d->layer = s->layer;
	snprintf(d->tensor, sizeof d->tensor, "%s", s->tensor);
	d->k = s->k;
	d->skipped = s->skipped;
	snprintf(d->why, sizeof d->why, "%s", s->why);
	if (s->have_profile) {
		/* imatrix: the crest factor of the per-channel rms, the typical
		 * token's Q8_1 error of the bulk */
		d->ratio_valid = s->prof.valid;
		d->max_over_rms = s->prof.crest;
		d->seed_fp32 = s->prof.seed_flag;
		d->eps_valid = s->prof.valid;
		d->eps_bulk = s->typical_eps_bulk;
	} else {
		d->ratio_valid = s->vec.ratio_valid;
		d->max_over_rms = s->vec.max_over_rms;
		d->seed_fp32 = s->vec.seed_flag;
		d->eps_valid = s->have_q8 && s->q8.eps_bulk_valid;
		d->eps_bulk = s->q8.eps_bulk;
	}
	d->gemv_valid = s->have_weights && s->w.gemv_valid;
	d->gemv_sim = s->w.gemv_rel;
	d->verdict_valid = s->verdict.valid;
	d->fp32 = s->verdict.fp32;
	snprintf(d->reason, sizeof d->reason, "%s", s->verdict.reason);
	if (s->have_profile && s->peak_fp32 && !s->verdict.fp32) {
		size_t len = strlen(d->reason);

		snprintf(d->reason + len, sizeof d->reason - len, "%sfp32 if the top channel's energy comes "
			"from one token per chunk", len ? "; " : "");
	}
}

static void
add_row(report_outliers *o, const report_outlier_row *row)
{
	o->rows = xreallocarray(o->rows, o->n_rows + 1, sizeof *o->rows);
	o->rows[o->n_rows++] = *row;
	o->n_fp32 += !row->skipped && row->verdict_valid && row->fp32;
	o->n_seed_flagged += !row->skipped && row->seed_fp32;
}

void
report_outliers_fill(report_run_ctx *c)
{
	report *r = c->r;
	const report_run_opts *ro = c->o;
	report_outliers *o = &r->outliers;
	acts_spike spikes[ACTS_MAX_SPIKES];
	outlier_table_opts to;
	errmsg err;
	int n_spikes = 0;
	size_t i, j;

	memset(&to, 0, sizeof to);
	o->threshold = OUTLIER_DEFAULT_MULT;
	o->tolerance = OUTLIER_DEFAULT_TOL;
	if (ro->spikes != NULL && (n_spikes = acts_parse_spikes(ro->spikes, spikes, ACTS_MAX_SPIKES, &err)) < 0) {
		snprintf(o->why, sizeof o->why, "--outlier: %s", err.text);
		return;
	}
	to.kind = ro->im != NULL ? OUTLIER_SRC_IMATRIX : OUTLIER_SRC_SYNTH;
	to.mult = o->threshold;
	to.tol = o->tolerance;
	to.seed = ro->seed;
	to.spikes = n_spikes > 0 ? spikes : NULL;
	to.n_spikes = n_spikes > 0 ? (size_t)n_spikes : 0;
	to.im = ro->im;
	to.weights = ro->outlier_weights;
	to.threads = ro->threads;
	for (i = 0; i < r->n_tensors && !report_run_cancelled(c); i++) {
		outlier_table *t;
		report_outlier_row row;

		to.only = r->tensors[i].name;
		if ((t = outlier_table_build(c->f, &to, &err)) == NULL) {
			memset(&row, 0, sizeof row);
			row.layer = r->tensors[i].layer;
			snprintf(row.tensor, sizeof row.tensor, "%s", r->tensors[i].name);
			row.k = r->tensors[i].k;
			row.skipped = true;
			snprintf(row.why, sizeof row.why, "%s", err.text);
			add_row(o, &row);
			continue;
		}
		if (o->source[0] == '\0')
			snprintf(o->source, sizeof o->source, "%s", t->source);
		for (j = 0; j < t->n_rows; j++) {
			copy_row(&row, &t->rows[j]);
			add_row(o, &row);
		}
		outlier_table_free(t);
	}
	if (i < r->n_tensors && o->n_rows == 0) {
		snprintf(o->why, sizeof o->why, "interrupted before the first tensor");
		return;
	}
	if (!ro->outlier_weights) {
		size_t len = strlen(o->source);

		snprintf(o->source + len, sizeof o->source - len, "; weights not dequantized (no GEMV simulation)");
	}
	if (i < r->n_tensors) {
		size_t len = strlen(o->source);

		snprintf(o->source + len, sizeof o->source - len, "; interrupted after %zu of %zu tensors", i,
			r->n_tensors);
	}
	o->available = true;
	o->why[0] = '\0';
}
