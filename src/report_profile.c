/* report_profile.c: the recommended GpuProfile.
 *
 * The seed's GpuProfile runs ONE variant per weight type for every shape,
 * and ONE warp count (MWV_WARPS) for every multi-warp kernel of both types;
 * ggscope's profile adds its stream kernels, with ONE warp count
 * (STREAM_WARPS) for all of them. So the recommendation is not "each
 * shape's winner": it is the (Q4_K variant, Q6_K variant, MWV_WARPS,
 * STREAM_WARPS) that minimises the summed time of all selected tensors,
 * among the choices the profile's environment variables can express, using
 * only rows that passed on every shape they cover. The report shows it
 * beside the per-shape winners and the cost of the gap, and says when it
 * needs ggscope's STREAM_* variables, which the seed engine ignores.
 *
 * Choices the seed runs differently from ggscope's kernels are left out,
 * with a note (shared/notes/seed-kernels.md, "Hazards"): the seed's
 * q4k_hw_dp4a sums at most 8 half-warp partials (wrong above 4 warps), and
 * its q6k_hw_dp4a is generated for 3 warps whatever MWV_WARPS says. */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "profile.h"
#include "quant.h"
#include "report.h"

/* The seed's hazards (shared/notes/seed-kernels.md): variants the seed runs
 * correctly at some warp counts only, so the recommendation leaves the
 * others out. */
static const struct hazard {
	const char *variant;   /* registry name */
	int max_warps;         /* the seed runs it correctly up to this (0: any) */
	int only_warps;        /* the seed runs it correctly only at this (0: any) */
} hazards[] = {
	{ "q4k_hw_dp4a", 4, 0 },
	{ "q6k_hw_dp4a", 0, 3 },
};

#define N_HAZARDS (sizeof hazards / sizeof hazards[0])

/* One profile choice: a variable of the profile's (profile_env_vars, in
 * its precedence order: first present wins, ggscope's variables first),
 * the variant it selects and the seed's hazards for that variant. */
struct choice {
	const profile_env_var *e;
	const char *name;      /* registry name; "q4k_legacy" for the legacy pick per k */
	bool legacy;           /* the legacy dispatch: the kernel depends on k */
	int max_warps;         /* as struct hazard; 0 without one */
	int only_warps;
};

/* Choice i of a weight type (QT_Q4_K or QT_Q6_K); false past the last. */
static bool
choice_at(uint32_t type, size_t i, struct choice *c)
{
	bool q4k = type == QT_Q4_K;
	size_t n, h;
	const profile_env_var *vars = profile_env_vars(q4k ? PROFILE_F_Q4K : PROFILE_F_Q6K, &n);

	if (i >= n)
		return false;
	memset(c, 0, sizeof *c);
	c->e = &vars[i];
	c->name = q4k ? profile_q4k_name((enum profile_q4k)c->e->variant)
		: profile_q6k_name((enum profile_q6k)c->e->variant);
	c->legacy = q4k && c->e->variant == PROFILE_Q4K_LEGACY;
	for (h = 0; h < N_HAZARDS; h++)
		if (strcmp(c->name, hazards[h].variant) == 0) {
			c->max_warps = hazards[h].max_warps;
			c->only_warps = hazards[h].only_warps;
		}
	return true;
}

const char *
report_profile_variable(const char *name)
{
	static const uint32_t types[] = { QT_Q4_K, QT_Q6_K };
	struct choice c;
	size_t t, i;

	for (t = 0; t < 2; t++)
		for (i = 0; choice_at(types[t], i, &c); i++)
			if (strcmp(name, c.name) == 0)
				return c.e->var;
	return NULL;
}
#define MAX_MWV_WARPS 8 /* the largest legal warp count in the registry */
#define SEED_MWV_WARPS 3

/* The two warp counts a profile holds. */
struct warps {
	int mwv;               /* MWV_WARPS, 1..MAX_MWV_WARPS */
	int stream;            /* STREAM_WARPS, PROFILE_STREAM_WARPS_MIN..MAX */
};

/* The warps a choice runs at under w; 0 for the legacy pick (per k). */
static int
choice_warps(const struct choice *c, struct warps w, const variant *v)
{
	switch (c->e->warps) {
	case PROFILE_WARPS_MWV:
		return w.mwv;
	case PROFILE_WARPS_STREAM:
		return w.stream;
	case PROFILE_WARPS_OWN:
		break;
	}
	return v != NULL ? v->default_warps : 0;
}

/* The row a choice runs on a shape under w, or NULL. */
static const report_row *
choice_row(const struct choice *c, const report_shape *sh, struct warps w)
{
	const variant *v = c->legacy ? variant_legacy_pick(sh->type, sh->k) : variant_find(c->name);
	int warps;
	size_t j;

	if (v == NULL)
		return NULL;
	warps = choice_warps(c, w, v);
	for (j = 0; j < sh->n_rows; j++)
		if (sh->rows[j].v == v && sh->rows[j].warps == warps)
			return &sh->rows[j];
	return NULL;
}

/* The summed time of a choice over every shape of `type` under w (each
 * shape counted once per tensor that has it); NAN when there is no shape of
 * the type, a shape has no passing, timed row for it, or the seed would run
 * it wrongly. */
static double
choice_cost(const report *r, uint32_t type, const struct choice *c, struct warps w)
{
	double sum = 0;
	bool any = false;
	size_t i;

	if (c->e->warps == PROFILE_WARPS_MWV &&
	    ((c->max_warps && w.mwv > c->max_warps) || (c->only_warps && w.mwv != c->only_warps)))
		return NAN;
	for (i = 0; i < r->n_shapes; i++) {
		const report_shape *sh = &r->shapes[i];
		const report_row *row;

		if (sh->type != type)
			continue;
		row = choice_row(c, sh, w);
		if (row == NULL || row->status != REPORT_ROW_PASS || !row->total_valid)
			return NAN;
		sum += row->total_us * (double)sh->n_tensors;
		any = true;
	}
	return any ? sum : NAN;
}

/* The time of `type` with each shape's own winner; NAN when one has none. */
static double
winners_cost(const report *r, uint32_t type, bool *any)
{
	double sum = 0;
	size_t i;

	*any = false;
	for (i = 0; i < r->n_shapes; i++) {
		const report_shape *sh = &r->shapes[i];

		if (sh->type != type)
			continue;
		*any = true;
		if (sh->winner < 0)
			return NAN;
		sum += sh->rows[sh->winner].total_us * (double)sh->n_tensors;
	}
	return sum;
}

/* The cheapest choice of a type under w: its index, or -1. On a tie the
 * seed's variable wins over ggscope's (it runs in the seed engine as is),
 * then the earlier one. */
static int
best_choice(const report *r, uint32_t type, struct warps w, double *cost)
{
	struct choice ch;
	int best = -1, pass;
	size_t i;

	*cost = NAN;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; choice_at(type, i, &ch); i++) {
			double c;

			if (ch.e->ggscope != (pass == 1))
				continue;
			c = choice_cost(r, type, &ch, w);
			if (!isnan(c) && (best < 0 || c < *cost)) {
				best = (int)i;
				*cost = c;
			}
		}
	return best;
}

/* Whether a row is as fast as its shape's winner (the winner itself, or a
 * tie the row order broke). */
static bool
as_fast(const report_shape *sh, const report_row *row)
{
	return row != NULL && sh->winner >= 0 && row->status == REPORT_ROW_PASS && row->total_valid &&
		row->total_us <= sh->rows[sh->winner].total_us * (1 + 1e-9);
}

/* Whether the profile runs each shape's winner, or something as fast. */
static bool
runs_winners(const report *r, uint32_t type, const struct choice *c, struct warps w)
{
	size_t i;

	for (i = 0; i < r->n_shapes; i++) {
		const report_shape *sh = &r->shapes[i];

		if (sh->type == type && !as_fast(sh, choice_row(c, sh, w)))
			return false;
	}
	return true;
}

/* Append a sentence to a recommendation's note. */
static void
rec_note(report_rec *rec, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
rec_note(report_rec *rec, const char *fmt, ...)
{
	size_t len = strlen(rec->why);
	va_list ap;

	if (len > 0 && len + 2 < sizeof rec->why) {
		memcpy(rec->why + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(rec->why + len, sizeof rec->why - len, fmt, ap);
	va_end(ap);
}

/* The winner of some shape of the type, when it is a combination the
 * profile leaves out because the seed runs it wrongly: say so, and return
 * whether it did. */
static bool
note_hazard(const report *r, report_rec *rec)
{
	struct choice c;
	size_t i, k;

	for (i = 0; i < r->n_shapes; i++) {
		const report_shape *sh = &r->shapes[i];
		const report_row *win;

		if (sh->type != rec->type || sh->winner < 0)
			continue;
		win = &sh->rows[sh->winner];
		for (k = 0; choice_at(rec->type, k, &c); k++) {
			if (c.legacy || strcmp(c.name, win->v->name) != 0)
				continue;
			if (c.max_warps && win->warps > c.max_warps)
				rec_note(rec,
					"%s at %d warps won on %u x %u but is left out: the seed's kernel sums at most "
					"8 half-warp partials, so it is wrong above %d warps", win->v->name, win->warps,
					sh->n, sh->k, c.max_warps);
			else if (c.only_warps && win->warps != c.only_warps)
				rec_note(rec,
					"%s at %d warps won on %u x %u but is left out: the seed generates it for %d "
					"warps whatever MWV_WARPS says", win->v->name, win->warps, sh->n, sh->k,
					c.only_warps);
			else
				continue;
			return true;
		}
	}
	return false;
}

/* When the profile does not run some shape's winner and no hazard
 * explains it: name the first such shape, its winner and the gap. */
static void
note_gap(const report *r, report_rec *rec, const struct choice *c, struct warps w)
{
	size_t i;

	for (i = 0; i < r->n_shapes; i++) {
		const report_shape *sh = &r->shapes[i];
		const report_row *win, *ran;

		if (sh->type != rec->type || sh->winner < 0)
			continue;
		win = &sh->rows[sh->winner];
		ran = choice_row(c, sh, w);
		if (ran == NULL || as_fast(sh, ran))
			continue;
		rec_note(rec, "on %u x %u %s at %d warp%s wins (%.2f us against %.2f us): %s",
			sh->n, sh->k, win->v->name, win->warps, win->warps == 1 ? "" : "s", win->total_us, ran->total_us,
			report_profile_variable(win->v->name) == NULL ? "no variable selects it, the seed's or ggscope's"
				: "the profile's one variant per type, one MWV_WARPS and one STREAM_WARPS for all "
				  "shapes cost less in sum");
		return;
	}
}

static void
fill_rec(const report *r, report_rec *rec, const struct choice *c, struct warps w, double cost)
{
	const report_shape *first = NULL;
	size_t i;

	for (i = 0; i < r->n_shapes && first == NULL; i++)
		if (r->shapes[i].type == rec->type)
			first = &r->shapes[i];
	rec->valid = true;
	rec->v = c->legacy ? NULL : variant_find(c->name);
	snprintf(rec->label, sizeof rec->label, "%s", c->name);
	rec->uses_mwv_warps = c->e->warps == PROFILE_WARPS_MWV;
	rec->uses_stream_warps = c->e->warps == PROFILE_WARPS_STREAM;
	rec->ggscope = c->e->ggscope;
	rec->warps = choice_warps(c, w, rec->v);
	if (rec->v == NULL && first != NULL) {
		const variant *pick = variant_legacy_pick(rec->type, first->k);

		rec->warps = pick ? pick->default_warps : 0;
	}
	snprintf(rec->env, sizeof rec->env, "%s=1", c->e->var);
	rec->total_us = cost;
	rec->matches_winners = runs_winners(r, rec->type, c, w);
	if (rec->v == NULL)
		snprintf(rec->why, sizeof rec->why,
			"the legacy dispatch picks per k: q4k_tiled for k <= %d, q4k_chunked above, "
			"q4k_basic when k %% 256 != 0", VARIANT_TILED_MAX_K);
	if (c->only_warps)
		rec_note(rec, "the seed generates %s for %d warps whatever MWV_WARPS says, so only MWV_WARPS=%d "
			"runs it right", c->name, c->only_warps, c->only_warps);
}

/* Why a type got no recommendation. */
static void
explain_none(const report *r, report_rec *rec)
{
	bool any;
	double best = winners_cost(r, rec->type, &any);

	if (!any)
		snprintf(rec->why, sizeof rec->why, "no %s tensor selected", report_type_name(rec->type));
	else if (isnan(best))
		snprintf(rec->why, sizeof rec->why, "a %s shape has no correct measured variant",
			report_type_name(rec->type));
	else
		snprintf(rec->why, sizeof rec->why,
			"no variant the profile's variables select passed on every %s shape "
			"(q4k_coalesced and q6k_basic have no variable; check the warp filter)",
			report_type_name(rec->type));
}

/* The variables of higher precedence than choice `pick` of a type: set,
 * they win. */
static void
append_shadowing(char *buf, size_t len, uint32_t type, size_t pick)
{
	struct choice c;
	size_t i, used = strlen(buf);

	for (i = 0; i < pick && choice_at(type, i, &c); i++)
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", c.e->var);
}

/* Every (MWV_WARPS, STREAM_WARPS) pair, in search order; false past the
 * last. */
static bool
next_warps(struct warps *w, bool first)
{
	if (first) {
		w->mwv = 1;
		w->stream = PROFILE_STREAM_WARPS_MIN;
		return true;
	}
	if (++w->stream > PROFILE_STREAM_WARPS_MAX) {
		w->stream = PROFILE_STREAM_WARPS_MIN;
		w->mwv++;
	}
	return w->mwv <= MAX_MWV_WARPS;
}

/* Among equally fast pairs: the seed's MWV_WARPS 3, then the registry's
 * STREAM_WARPS, then the search order (fewer warps). */
static int
warps_rank(struct warps w)
{
	return (w.mwv != SEED_MWV_WARPS) * 2 + (w.stream != PROFILE_STREAM_WARPS_REGISTRY);
}

/* Say plainly which of the picks need ggscope's variables. */
static void
note_ggscope(report_profile *p)
{
	char vars[128] = "", files[160] = "";
	size_t t, nv = 0;

	for (t = 0; t < 2; t++) {
		const report_rec *rec = &p->rec[t];

		if (!rec->valid || !rec->ggscope)
			continue;
		snprintf(vars + strlen(vars), sizeof vars - strlen(vars), "%s%.*s", nv++ ? ", " : "",
			(int)strcspn(rec->env, "="), rec->env);
		snprintf(files + strlen(files), sizeof files - strlen(files), "%skernels/%s.cu",
			files[0] ? " and " : "", rec->label);
	}
	if (nv == 0)
		return;
	if (p->stream_warps_valid)
		snprintf(vars + strlen(vars), sizeof vars - strlen(vars), "%sSTREAM_WARPS", nv++ ? " and " : "");
	snprintf(p->why + strlen(p->why), sizeof p->why - strlen(p->why),
		"%s%s %s ggscope's variable%s, not the seed's: the seed engine has no stream kernels and ignores "
		"them; port %s (with the .cuh headers included) to use this profile there", p->why[0] ? "; " : "", vars,
		nv > 1 ? "are" : "is", nv > 1 ? "s" : "", files);
}

void
report_recommend(report *r)
{
	report_profile *p = &r->profile;
	struct warps w, best_w = { -1, -1 };
	int pick[2] = { -1, -1 }, wp[2];
	double best_total = NAN, cost[2];
	bool wanted[2], uses_w, uses_sw, first;
	size_t t;

	memset(p, 0, sizeof *p);
	p->rec[0].type = QT_Q4_K;
	p->rec[1].type = QT_Q6_K;
	/* A type takes part when some pair of warp counts gives it a choice. */
	for (t = 0; t < 2; t++) {
		wanted[t] = false;
		for (first = true; !wanted[t] && next_warps(&w, first); first = false)
			wanted[t] = best_choice(r, p->rec[t].type, w, &cost[t]) >= 0;
	}
	/* The pair that minimises the total over the types that take part;
	 * ties go to warps_rank. */
	for (first = true; next_warps(&w, first); first = false) {
		double total = 0;
		bool ok = true;

		for (t = 0; t < 2; t++) {
			if (!wanted[t])
				continue;
			if ((wp[t] = best_choice(r, p->rec[t].type, w, &cost[t])) < 0)
				ok = false;
			else
				total += cost[t];
		}
		if (!ok || (!wanted[0] && !wanted[1]))
			continue;
		if (best_w.mwv < 0 || total < best_total * (1 - 1e-12) ||
		    (fabs(total - best_total) <= 1e-12 * best_total && warps_rank(w) < warps_rank(best_w))) {
			best_w = w;
			best_total = total;
			pick[0] = wanted[0] ? wp[0] : -1;
			pick[1] = wanted[1] ? wp[1] : -1;
		}
	}
	/* No pair of warp counts fits both types at once: recommend each alone. */
	if (best_w.mwv < 0 && wanted[0] && wanted[1]) {
		snprintf(p->why, sizeof p->why, "no single MWV_WARPS and STREAM_WARPS suit both types; Q4_K alone shown");
		wanted[1] = false;
		for (first = true; next_warps(&w, first); first = false) {
			int c = best_choice(r, QT_Q4_K, w, &cost[0]);

			if (c >= 0 && (best_w.mwv < 0 || cost[0] < best_total)) {
				best_w = w;
				best_total = cost[0];
				pick[0] = c;
			}
		}
	}
	uses_w = uses_sw = false;
	for (t = 0; t < 2; t++) {
		report_rec *rec = &p->rec[t];
		struct choice c;
		bool any;

		rec->best_total_us = winners_cost(r, rec->type, &any);
		if (pick[t] < 0 || !choice_at(rec->type, (size_t)pick[t], &c)) {
			explain_none(r, rec);
			continue;
		}
		fill_rec(r, rec, &c, best_w, choice_cost(r, rec->type, &c, best_w));
		if (!rec->matches_winners && !note_hazard(r, rec))
			note_gap(r, rec, &c, best_w);
		uses_w |= rec->uses_mwv_warps;
		uses_sw |= rec->uses_stream_warps;
		if (p->env[0] != '\0')
			strncat(p->env, " ", sizeof p->env - strlen(p->env) - 1);
		strncat(p->env, rec->env, sizeof p->env - strlen(p->env) - 1);
		append_shadowing(p->unset, sizeof p->unset, rec->type, (size_t)pick[t]);
	}
	p->valid = pick[0] >= 0 || pick[1] >= 0;
	if (!p->valid) {
		if (p->why[0] == '\0')
			snprintf(p->why, sizeof p->why, "%s",
				report_count_status(r, REPORT_ROW_PASS) == 0 ? "no variant was measured correct"
					: p->rec[0].why[0] ? p->rec[0].why : p->rec[1].why);
		return;
	}
	if (uses_w) {
		p->mwv_warps_valid = true;
		p->mwv_warps = best_w.mwv;
		snprintf(p->env + strlen(p->env), sizeof p->env - strlen(p->env), " MWV_WARPS=%d", best_w.mwv);
	}
	if (uses_sw) {
		p->stream_warps_valid = true;
		p->stream_warps = best_w.stream;
		snprintf(p->env + strlen(p->env), sizeof p->env - strlen(p->env), " STREAM_WARPS=%d", best_w.stream);
	}
	note_ggscope(p);
}
