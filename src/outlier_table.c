/* outlier_table.c: one row per weight matrix of a model (or per imatrix
 * entry), with the input statistics, the Q8_1 damage, the weight-side
 * simulation and both verdicts; sorted by layer, worst layers ranked. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"
#include "outlier.h"
#include "quant.h"
#include "xalloc.h"

#define TYPICAL_DRAWS 8

/* llama.cpp's graph order inside a block, so rows read like the forward pass. */
static const char *const role_order[] = {
	"attn_q", "attn_k", "attn_v", "attn_qkv", "attn_output", "ffn_gate", "ffn_up",
	"ffn_gate_up", "ffn_down", "ffn_gate_inp", "ffn_gate_exps", "ffn_up_exps",
	"ffn_gate_up_exps", "ffn_down_exps", "ffn_gate_shexp", "ffn_up_shexp", "ffn_down_shexp",
};

const char *
outlier_short_name(const char *tensor, char *buf, size_t len)
{
	const char *suffix = tensor;
	size_t n;

	if (layers_block_of(tensor, &suffix) < 0)
		suffix = tensor;
	n = strlen(suffix);
	if (n > 7 && strcmp(suffix + n - 7, ".weight") == 0)
		n -= 7;
	snprintf(buf, len, "%.*s", (int)n, suffix);
	return buf;
}

static size_t
role_rank(const char *tensor)
{
	char s[GGUF_NAME_MAX + 1];
	size_t i;

	outlier_short_name(tensor, s, sizeof s);
	for (i = 0; i < sizeof role_order / sizeof role_order[0]; i++)
		if (strcmp(s, role_order[i]) == 0)
			return i;
	return sizeof role_order / sizeof role_order[0];
}

static int
cmp_rows(const void *a, const void *b)
{
	const outlier_row *x = a, *y = b;
	/* Blocks by N; tensors outside blocks (output) come after the last block. */
	long lx = x->layer < 0 ? __LONG_MAX__ : x->layer, ly = y->layer < 0 ? __LONG_MAX__ : y->layer;
	size_t rx, ry;

	if (lx != ly)
		return lx < ly ? -1 : 1;
	rx = role_rank(x->tensor);
	ry = role_rank(y->tensor);
	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(x->tensor, y->tensor);
}

/* A GEMV weight: a matrix, not the embedding table (a row lookup). */
static bool
is_gemv_weight(const gguf_tensor *t)
{
	return t->n_dims >= 2 && strcmp(t->name, "token_embd.weight") != 0;
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* x with its outlier channels (|x| > mult * rms) zeroed: the bulk input. */
static float *
bulk_of(const float *x, uint64_t k, const outlier_vec *v)
{
	float *b = xmalloc((size_t)k * sizeof *b);
	double thr = v->mult * v->rms;
	uint64_t j;

	for (j = 0; j < k; j++)
		b[j] = fabs((double)x[j]) > thr ? 0.0f : x[j];
	return b;
}

static int
weights_pass(const gguf_tensor *t, const outlier_table_opts *o, const float *x, const float *xq,
	const outlier_vec *v, outlier_row *row, errmsg *err)
{
	const quant_info *qi = quant_type_info(t->type);
	float *xb;
	int rc;

	if (qi == NULL || !qi->can_dequant) {
		snprintf(row->note, sizeof row->note, "weights of type %s not dequantized",
			qi != NULL ? qi->name : "unknown");
		return 0;
	}
	xb = x != NULL ? bulk_of(x, row->k, v) : NULL;
	rc = outlier_weights_analyze(t->type, t->data, row->rows, row->k, x, xq, xb, o->threads,
		&row->w, err);
	free(xb);
	if (rc != 0) {
		errmsg_prefix(err, "%s", t->name);
		return -1;
	}
	row->have_weights = true;
	outlier_weights_free(&row->w); /* the table keeps the summary only */
	return 0;
}

/* A live vector x of length row->k: statistics, Q8_1, weights, verdict. */
static int
live_row(const gguf_tensor *t, const outlier_table_opts *o, const float *x, outlier_row *row,
	errmsg *err)
{
	float *xq = xmalloc((size_t)row->k * sizeof *xq);
	int rc = 0;

	outlier_vec_stats(x, row->k, o->mult, &row->vec);
	outlier_q8_analyze(x, row->k, o->mult, xq, &row->q8);
	row->have_q8 = true;
	if (t != NULL && o->weights && row->q8.valid)
		rc = weights_pass(t, o, x, xq, &row->vec, row, err);
	outlier_verdict_vector(&row->vec, &row->q8, row->have_weights ? &row->w : NULL, o->tol,
		&row->verdict);
	outlier_q8_free(&row->q8);
	free(xq);
	row->score = row->q8.eps_bulk_valid ? row->q8.eps_bulk : 0.0;
	if (row->have_weights && row->w.gemv_valid && row->w.gemv_rel > row->score)
		row->score = row->w.gemv_rel;
	if (row->verdict.fp32 && !row->q8.eps_bulk_valid)
		row->score = INFINITY;
	return rc;
}

static int
synth_row(const gguf_tensor *t, const outlier_table_opts *o, outlier_row *row, size_t *planted,
	errmsg *err)
{
	float *x = xmalloc((size_t)row->k * sizeof *x);
	size_t n;
	int rc;

	acts_synth(x, row->k, o->seed, o->spikes, o->n_spikes, &n);
	*planted += n;
	if (n < o->n_spikes)
		snprintf(row->note, sizeof row->note, "%zu of %zu outliers not planted (channel >= k %llu)",
			o->n_spikes - n, o->n_spikes, (unsigned long long)row->k);
	rc = live_row(t, o, x, row, err);
	free(x);
	return rc;
}

/* Draws for an imatrix profile: typical tokens x_j = r_j g_j, and a massive
 * token: the first draw with the top channel at the implied peak. */
static void
profile_sims(const double *ms, const outlier_table_opts *o, outlier_row *row, float *first)
{
	uint64_t k = row->k, j;
	float *x = xmalloc((size_t)k * sizeof *x), *x0 = xmalloc((size_t)k * sizeof *x0);
	double sum_x = 0.0, sum_b = 0.0;
	int d, nb = 0;
	acts_rng r;
	outlier_q8 q;

	acts_rng_seed(&r, o->seed ^ fnv1a(row->tensor));
	for (d = 0; d < TYPICAL_DRAWS; d++) {
		for (j = 0; j < k; j++)
			x[j] = (float)(sqrt(ms[j]) * acts_rng_gauss(&r));
		if (d == 0)
			memcpy(x0, x, (size_t)k * sizeof *x);
		outlier_q8_analyze(x, k, o->mult, NULL, &q);
		sum_x += q.eps_x;
		if (q.eps_bulk_valid) {
			sum_b += q.eps_bulk;
			nb++;
		}
		if (q.hazard && !row->typical_hazard) {
			row->typical_hazard = true;
			snprintf(row->hazard_why, sizeof row->hazard_why, "%s", q.hazard_why);
		}
		outlier_q8_free(&q);
	}
	row->typical_eps_x = sum_x / TYPICAL_DRAWS;
	row->typical_eps_bulk = nb > 0 ? sum_b / nb : 0.0;
	if (first != NULL)
		memcpy(first, x0, (size_t)k * sizeof *x0);
	if (row->prof.peak_valid) {
		x0[row->prof.top_ch] = (float)row->prof.implied_peak;
		outlier_q8_analyze(x0, k, o->mult, NULL, &q);
		row->massive_valid = q.valid && q.eps_bulk_valid;
		row->massive_eps_bulk = q.eps_bulk;
		row->massive_hazard = q.hazard;
		if (q.hazard && !row->typical_hazard)
			snprintf(row->hazard_why, sizeof row->hazard_why, "%s", q.hazard_why);
		row->peak_fp32 = row->massive_valid && (q.hazard || q.eps_bulk > o->tol);
		outlier_q8_free(&q);
	}
	free(x0);
	free(x);
}

static void
profile_verdict(const outlier_table_opts *o, outlier_row *row)
{
	outlier_verdict *v = &row->verdict;
	char peak[64] = "";

	memset(v, 0, sizeof *v);
	v->seed_fp32 = row->prof.seed_flag;
	v->valid = true;
	row->score = row->typical_eps_bulk;
	if (row->have_weights && row->w.gemv_valid && row->w.gemv_rel > row->score)
		row->score = row->w.gemv_rel;
	if (row->massive_valid)
		snprintf(peak, sizeof peak, "; at the implied peak %.4g: %s", row->prof.implied_peak,
			row->massive_hazard ? "fp16 hazard" : row->peak_fp32 ? "fp32" : "q8_1");
	if (row->typical_hazard) {
		v->fp32 = true;
		row->score = INFINITY;
		snprintf(v->reason, sizeof v->reason, "fp16 hazard on a typical token: %s", row->hazard_why);
	} else if (row->typical_eps_bulk > o->tol) {
		v->fp32 = true;
		snprintf(v->reason, sizeof v->reason, "typical-token eps_bulk %.2f%% > %.2f%%%s",
			100.0 * row->typical_eps_bulk, 100.0 * o->tol, peak);
	} else if (row->have_weights && row->w.gemv_valid && row->w.gemv_rel > o->tol) {
		v->fp32 = true;
		snprintf(v->reason, sizeof v->reason, "simulated GEMV error %.2f%% > %.2f%%%s",
			100.0 * row->w.gemv_rel, 100.0 * o->tol, peak);
	} else {
		snprintf(v->reason, sizeof v->reason, "typical-token eps_bulk %.2f%% <= %.2f%%%s",
			100.0 * row->typical_eps_bulk, 100.0 * o->tol, peak);
	}
}

/* Returns 1 when the row got an input, 0 when skipped, -1 on error. */
static int
imatrix_row(const gguf_tensor *t, const outlier_table_opts *o, outlier_row *row, errmsg *err)
{
	const imatrix_entry *e = imatrix_find(o->im, row->tensor);
	double peak, *ms;
	float *first = NULL;
	errmsg why;
	int rc = 1;

	if (e == NULL) {
		row->skipped = true;
		snprintf(row->why, sizeof row->why, "no imatrix entry");
		return 0;
	}
	if (imatrix_entry_check(o->im, e, row->k, err) != 0)
		return -1;
	ms = imatrix_channel_ms(o->im, e, row->k, &peak, &why);
	if (ms == NULL) {
		row->skipped = true;
		snprintf(row->why, sizeof row->why, "%s", why.text);
		return 0;
	}
	outlier_profile_stats(ms, row->k, peak, o->mult, &row->prof);
	row->have_profile = true;
	if (!row->prof.valid) {
		row->skipped = true;
		snprintf(row->why, sizeof row->why, "%s", row->prof.why);
		free(ms);
		return 0;
	}
	if (t != NULL && o->weights)
		first = xmalloc((size_t)row->k * sizeof *first);
	profile_sims(ms, o, row, first);
	if (first != NULL) {
		float *xq = xmalloc((size_t)row->k * sizeof *xq);
		outlier_vec v;

		outlier_vec_stats(first, row->k, o->mult, &v);
		outlier_q8_roundtrip(first, row->k, xq);
		if (weights_pass(t, o, first, xq, &v, row, err) != 0)
			rc = -1;
		free(xq);
		free(first);
	}
	if (rc > 0)
		profile_verdict(o, row);
	free(ms);
	return rc;
}

static void
init_row(outlier_row *row, const char *name, uint32_t type, uint64_t k, uint64_t rows)
{
	memset(row, 0, sizeof *row);
	snprintf(row->tensor, sizeof row->tensor, "%s", name);
	row->layer = layers_block_of(name, NULL);
	row->type = type;
	row->k = k;
	row->rows = rows;
}

/* Collect the rows (unfilled) the table will have. */
static int
collect_rows(outlier_table *tb, const gguf_file *model, const outlier_table_opts *o, errmsg *err)
{
	size_t i, cap = 0, n_all = 0;

	if (model != NULL) {
		for (i = 0; i < gguf_tensor_count(model); i++) {
			const gguf_tensor *t = gguf_tensor_at(model, i);

			if (!is_gemv_weight(t))
				continue;
			n_all++;
			if (o->only != NULL && strcmp(o->only, t->name) != 0)
				continue;
			if (tb->n_rows == cap) {
				cap = cap ? cap * 2 : 16;
				tb->rows = xreallocarray(tb->rows, cap, sizeof *tb->rows);
			}
			init_row(&tb->rows[tb->n_rows++], t->name, t->type, t->ne[0],
				t->ne[1] * t->ne[2] * t->ne[3]);
		}
	} else if (o->kind == OUTLIER_SRC_IMATRIX) {
		for (i = 0; i < o->im->n_entries; i++) {
			const imatrix_entry *e = &o->im->entries[i];

			n_all++;
			if (o->only != NULL && strcmp(o->only, e->name) != 0)
				continue;
			if (tb->n_rows == cap) {
				cap = cap ? cap * 2 : 16;
				tb->rows = xreallocarray(tb->rows, cap, sizeof *tb->rows);
			}
			init_row(&tb->rows[tb->n_rows++], e->name, UINT32_MAX, e->n_in, 0);
		}
	} else {
		errmsg_set(err, "no model: only an imatrix can be inspected without one");
		return -1;
	}
	if (o->only != NULL && tb->n_rows == 0) {
		errmsg_set(err, "no weight matrix named '%s' (%zu matrices in %s)", o->only, n_all,
			model != NULL ? gguf_name(model) : o->im->name);
		return -1;
	}
	if (tb->n_rows == 0) {
		errmsg_set(err, "%s has no weight matrices", model != NULL ? gguf_name(model) : o->im->name);
		return -1;
	}
	return 0;
}

/* An error naming the source length and the k values the model has. */
static void
act_mismatch(const outlier_table *tb, const outlier_table_opts *o, errmsg *err)
{
	char ks[160] = "";
	size_t i, j, len = 0;

	for (i = 0; i < tb->n_rows && len < sizeof ks - 24; i++) {
		bool seen = false;

		for (j = 0; j < i; j++)
			seen |= tb->rows[j].k == tb->rows[i].k;
		if (!seen)
			len += (size_t)snprintf(ks + len, sizeof ks - len, "%s%llu", len ? ", " : "",
				(unsigned long long)tb->rows[i].k);
	}
	errmsg_set(err, "the activation source has %llu values, but the tensor k is %s",
		(unsigned long long)o->act_len, ks);
}

struct layer_score {
	long layer;
	double score;
};

static int
cmp_layer_score(const void *a, const void *b)
{
	const struct layer_score *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return (x->layer > y->layer) - (x->layer < y->layer);
}

/* Count verdicts and keep the (up to) 3 layers whose worst row scores highest. */
static void
rank_layers(outlier_table *tb)
{
	struct layer_score *ls = xcalloc(tb->n_rows, sizeof *ls);
	size_t i, j, n = 0;

	for (i = 0; i < tb->n_rows; i++) {
		const outlier_row *r = &tb->rows[i];

		if (r->skipped)
			continue;
		tb->n_seed_flagged += r->verdict.seed_fp32;
		tb->n_fp32 += r->verdict.valid && r->verdict.fp32;
		for (j = 0; j < n && ls[j].layer != r->layer; j++)
			;
		if (j == n) {
			ls[n].layer = r->layer;
			ls[n++].score = r->score;
		} else if (r->score > ls[j].score) {
			ls[j].score = r->score;
		}
	}
	qsort(ls, n, sizeof *ls, cmp_layer_score);
	tb->n_worst = n < 3 ? n : 3;
	for (i = 0; i < tb->n_worst; i++)
		tb->worst[i] = ls[i].layer;
	free(ls);
}

static void
describe_source(outlier_table *tb, const gguf_file *model, const outlier_table_opts *o)
{
	size_t i, len;

	if (model != NULL)
		snprintf(tb->model, sizeof tb->model, "%s", gguf_name(model));
	switch (o->kind) {
	case OUTLIER_SRC_SYNTH:
		len = (size_t)snprintf(tb->source, sizeof tb->source, "synthetic N(0,1) seed %llu",
			(unsigned long long)o->seed);
		if (o->n_spikes == 0)
			snprintf(tb->source + len, sizeof tb->source - len, ", no planted outlier");
		for (i = 0; i < o->n_spikes && len < sizeof tb->source - 32; i++)
			len += (size_t)snprintf(tb->source + len, sizeof tb->source - len, "%s%llu:%gx",
				i ? "," : ", outliers ", (unsigned long long)o->spikes[i].channel,
				o->spikes[i].mult);
		break;
	case OUTLIER_SRC_ACT:
		snprintf(tb->source, sizeof tb->source, "%s (%llu values)",
			o->act_name != NULL ? o->act_name : "activation file", (unsigned long long)o->act_len);
		break;
	case OUTLIER_SRC_IMATRIX:
		len = (size_t)snprintf(tb->source, sizeof tb->source, "%s %s", imatrix_format_name(o->im->format),
			o->im->name);
		if (o->im->has_chunk_count)
			snprintf(tb->source + len, sizeof tb->source - len, ", %llu chunks",
				(unsigned long long)o->im->chunk_count);
		break;
	}
}

outlier_table *
outlier_table_build(const gguf_file *model, const outlier_table_opts *o, errmsg *err)
{
	outlier_table *tb = xcalloc(1, sizeof *tb);
	size_t i, planted = 0, filled = 0;

	tb->kind = o->kind;
	tb->mult = o->mult;
	tb->tol = o->tol;
	describe_source(tb, model, o);
	if (collect_rows(tb, model, o, err) != 0)
		goto fail;
	for (i = 0; i < tb->n_rows; i++) {
		outlier_row *row = &tb->rows[i];
		const gguf_tensor *t = model != NULL ? gguf_find_tensor(model, row->tensor) : NULL;
		int rc = 0;

		switch (o->kind) {
		case OUTLIER_SRC_SYNTH:
			rc = synth_row(t, o, row, &planted, err);
			filled += rc == 0;
			break;
		case OUTLIER_SRC_ACT:
			if (o->act_len != row->k) {
				row->skipped = true;
				snprintf(row->why, sizeof row->why, "source has %llu values, tensor k is %llu",
					(unsigned long long)o->act_len, (unsigned long long)row->k);
				if (o->only != NULL) {
					errmsg_set(err, "%s: the activation source has %llu values, but the tensor's "
						"k is %llu", row->tensor, (unsigned long long)o->act_len,
						(unsigned long long)row->k);
					goto fail;
				}
				break;
			}
			rc = live_row(t, o, o->act, row, err);
			filled += rc == 0;
			break;
		case OUTLIER_SRC_IMATRIX:
			rc = imatrix_row(t, o, row, err);
			filled += rc > 0;
			rc = rc < 0 ? -1 : 0;
			break;
		}
		if (rc != 0)
			goto fail;
	}
	if (o->kind == OUTLIER_SRC_SYNTH && o->n_spikes > 0 && planted == 0) {
		uint64_t kmax = 0;

		for (i = 0; i < tb->n_rows; i++)
			if (tb->rows[i].k > kmax)
				kmax = tb->rows[i].k;
		errmsg_set(err, "every outlier channel is >= the tensors' k (largest k %llu)",
			(unsigned long long)kmax);
		goto fail;
	}
	if (filled == 0) {
		if (o->kind == OUTLIER_SRC_ACT)
			act_mismatch(tb, o, err);
		else if (o->kind == OUTLIER_SRC_IMATRIX)
			errmsg_set(err, "no weight matrix of %s has usable data in %s",
				model != NULL ? gguf_name(model) : o->im->name, o->im->name);
		else
			errmsg_set(err, "no weight matrix got an input");
		goto fail;
	}
	qsort(tb->rows, tb->n_rows, sizeof *tb->rows, cmp_rows);
	rank_layers(tb);
	return tb;
fail:
	outlier_table_free(tb);
	return NULL;
}

int
outlier_table_set_measured(outlier_table *t, const char *tensor, const outlier_measured *m,
	errmsg *err)
{
	outlier_row *row = NULL;
	double wq, bf;
	size_t i;

	for (i = 0; i < t->n_rows; i++)
		if (strcmp(t->rows[i].tensor, tensor) == 0)
			row = &t->rows[i];
	if (row == NULL || row->skipped) {
		errmsg_set(err, "no analysed row for tensor '%s'", tensor);
		return -1;
	}
	row->measured = m;
	outlier_verdict_measured(&row->verdict, m, t->tol);
	if (m != NULL && outlier_measured_gap(m, &wq, &bf) && wq > row->score)
		row->score = wq;
	t->n_seed_flagged = t->n_fp32 = 0;
	rank_layers(t);
	return 0;
}

void
outlier_table_free(outlier_table *t)
{
	if (t == NULL)
		return;
	free(t->rows);
	free(t);
}
