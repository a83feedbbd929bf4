/* report.c: the report's data model, the selection of weight matrices, the
 * plan of rows, and what report_finish derives from the filled rows. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "layers.h"
#include "quant.h"
#include "report.h"
#include "xalloc.h"

/* ---------------------------------------------------------------- names */

const char *
report_status_name(enum report_status st)
{
	switch (st) {
	case REPORT_ROW_PLANNED: return "planned";
	case REPORT_ROW_REFUSED: return "refused";
	case REPORT_ROW_COMPILE_ERROR: return "compile-error";
	case REPORT_ROW_UNMEASURED: return "unmeasured";
	case REPORT_ROW_ERROR: return "error";
	case REPORT_ROW_PASS: return "pass";
	case REPORT_ROW_FAIL: return "fail";
	}
	return "?";
}

const char *
report_type_name(uint32_t type)
{
	return type == QT_Q4_K ? "q4_K" : type == QT_Q6_K ? "q6_K" : "?";
}

/* Index of a type in the [Q4_K, Q6_K] arrays, -1 for another. */
static int
type_slot(uint32_t type)
{
	return type == QT_Q4_K ? 0 : type == QT_Q6_K ? 1 : -1;
}

/* ---------------------------------------------------------------- selection */

void
report_select_init(report_select *s)
{
	memset(s, 0, sizeof *s);
	s->all_layers = true;
	s->types[0] = s->types[1] = true;
}

/* Parse a whole non-negative decimal number. */
static bool
parse_uint(const char *s, size_t len, long max, long *out)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 9)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

int
report_parse_layers(report_select *s, const char *spec, errmsg *err)
{
	const char *p = spec;

	if (strcasecmp(spec, "all") == 0) {
		s->all_layers = true;
		s->n_ranges = 0;
		return 0;
	}
	s->all_layers = false;
	s->n_ranges = 0;
	for (;;) {
		const char *end = strchr(p, ','), *dash;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		long lo, hi;

		dash = memchr(p, '-', len);
		if (len == 0) {
			errmsg_set(err, "--layers '%s': empty item (want N, N-M or all)", spec);
			return -1;
		}
		if (dash == NULL) {
			if (!parse_uint(p, len, REPORT_MAX_BLOCK, &lo))
				goto bad;
			hi = lo;
		} else if (!parse_uint(p, (size_t)(dash - p), REPORT_MAX_BLOCK, &lo) ||
			   !parse_uint(dash + 1, len - (size_t)(dash - p) - 1, REPORT_MAX_BLOCK, &hi))
			goto bad;
		if (hi < lo) {
			errmsg_set(err, "--layers '%s': %.*s ends before it starts", spec, (int)len, p);
			return -1;
		}
		if (s->n_ranges == REPORT_MAX_LIST) {
			errmsg_set(err, "--layers '%s': more than %d items", spec, REPORT_MAX_LIST);
			return -1;
		}
		s->lo[s->n_ranges] = lo;
		s->hi[s->n_ranges] = hi;
		s->n_ranges++;
		if (end == NULL)
			return 0;
		p = end + 1;
		continue;
bad:
		errmsg_set(err, "--layers '%s': '%.*s' is not N or N-M with N, M in 0..%d", spec, (int)len, p,
			REPORT_MAX_BLOCK);
		return -1;
	}
}

/* Call fn on each comma-separated item of spec (copied); stop at the first
 * failure. */
static int
each_item(const char *spec, const char *what, int (*fn)(report_select *, const char *, errmsg *),
	report_select *s, errmsg *err)
{
	char *copy = xstrdup(spec), *p = copy;
	int rc = 0;

	for (;;) {
		char *end = strchr(p, ',');

		if (end != NULL)
			*end = '\0';
		if (*p == '\0') {
			errmsg_set(err, "%s '%s': empty item", what, spec);
			rc = -1;
			break;
		}
		if ((rc = fn(s, p, err)) != 0)
			break;
		if (end == NULL)
			break;
		p = end + 1;
	}
	free(copy);
	return rc;
}

static int
add_type(report_select *s, const char *name, errmsg *err)
{
	int t = quant_type_from_name(name), slot = t < 0 ? -1 : type_slot((uint32_t)t);

	if (slot < 0) {
		errmsg_set(err, "--types: '%s' is not q4_K or q6_K (the types ggscope has kernels for)", name);
		return -1;
	}
	s->types[slot] = true;
	return 0;
}

int
report_parse_types(report_select *s, const char *spec, errmsg *err)
{
	bool old[2] = { s->types[0], s->types[1] };

	s->types[0] = s->types[1] = false;
	if (each_item(spec, "--types", add_type, s, err) != 0) {
		s->types[0] = old[0];
		s->types[1] = old[1];
		return -1;
	}
	return 0;
}

static int
add_variant(report_select *s, const char *name, errmsg *err)
{
	const variant *v = variant_find(name);
	size_t i;

	if (strcasecmp(name, "q4k_legacy") != 0 && strcasecmp(name, "q6k_legacy") != 0 &&
	    (v == NULL || v->kind != VARIANT_GEMV)) {
		errmsg_set(err, "--variants: '%s' is not a GEMV variant (see 'ggscope kernels')", name);
		return -1;
	}
	if (s->n_variants == REPORT_MAX_LIST) {
		errmsg_set(err, "--variants: more than %d names", REPORT_MAX_LIST);
		return -1;
	}
	for (i = 0; i < s->n_variants; i++)
		if (strcasecmp(s->variants[i], name) == 0)
			return 0;
	snprintf(s->variants[s->n_variants++], sizeof s->variants[0], "%s", v ? v->name : name);
	return 0;
}

int
report_parse_variants(report_select *s, const char *spec, errmsg *err)
{
	s->n_variants = 0;
	if (strcasecmp(spec, "all") == 0)
		return 0;
	return each_item(spec, "--variants", add_variant, s, err);
}

static int
add_warps(report_select *s, const char *text, errmsg *err)
{
	long w;
	size_t i;

	if (!parse_uint(text, strlen(text), 32, &w) || w < 1) {
		errmsg_set(err, "--warps: '%s' is not a warp count in 1..32", text);
		return -1;
	}
	for (i = 0; i < s->n_warps; i++)
		if (s->warps[i] == (int)w)
			return 0;
	if (s->n_warps == REPORT_MAX_LIST) {
		errmsg_set(err, "--warps: more than %d counts", REPORT_MAX_LIST);
		return -1;
	}
	s->warps[s->n_warps++] = (int)w;
	return 0;
}

int
report_parse_warps(report_select *s, const char *spec, errmsg *err)
{
	s->n_warps = 0;
	if (strcasecmp(spec, "all") == 0)
		return 0;
	return each_item(spec, "--warps", add_warps, s, err);
}

/* ---------------------------------------------------------------- lifecycle */

/* The report's date: $SOURCE_DATE_EPOCH when set (reproducible output, as
 * reproducible-builds.org defines it), else now. */
static void
fill_date(char *buf, size_t len)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	struct tm tm;

	if (sde != NULL && *sde != '\0') {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(sde, &end, 10);
		if (errno == 0 && *end == '\0' && v >= 0)
			t = (time_t)v;
	}
	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "unknown");
}

report *
report_new(void)
{
	report *r = xcalloc(1, sizeof *r);

	snprintf(r->env.version, sizeof r->env.version, "%s", PACKAGE_VERSION);
	fill_date(r->env.date_utc, sizeof r->env.date_utc);
	r->env.reps = 20;
	r->env.warmup = 3;
	r->env.seed = 42;
	r->outliers.threshold = 8.0;
	r->outliers.tolerance = 0.02;
	snprintf(r->outliers.why, sizeof r->outliers.why, "not built");
	snprintf(r->profile.why, sizeof r->profile.why, "nothing measured");
	return r;
}

void
report_free(report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_shapes; i++)
		free(r->shapes[i].rows);
	free(r->shapes);
	free(r->tensors);
	free(r->skipped);
	free(r->outliers.rows);
	free(r);
}

/* ---------------------------------------------------------------- plan */

static void
add_skip(report *r, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
add_skip(report *r, const char *name, const char *fmt, ...)
{
	report_skip *k;
	va_list ap;

	r->skipped = xreallocarray(r->skipped, r->n_skipped + 1, sizeof *r->skipped);
	k = &r->skipped[r->n_skipped++];
	snprintf(k->name, sizeof k->name, "%s", name);
	va_start(ap, fmt);
	vsnprintf(k->why, sizeof k->why, fmt, ap);
	va_end(ap);
}

static bool
layer_selected(const report_select *s, long layer)
{
	size_t i;

	if (s->all_layers)
		return true;
	for (i = 0; i < s->n_ranges; i++)
		if (layer >= s->lo[i] && layer <= s->hi[i])
			return true;
	return false;
}

/* Whether the variant filter names v for a shape of this type and k. An
 * alias stands for the legacy pick at this k. */
static bool
variant_selected(const report_select *s, const variant *v, uint32_t k)
{
	size_t i;

	if (s->n_variants == 0)
		return true;
	for (i = 0; i < s->n_variants; i++) {
		const char *name = s->variants[i];

		if (strcasecmp(name, v->name) == 0)
			return true;
		if ((strcasecmp(name, "q4k_legacy") == 0 && v->qtype == QT_Q4_K) ||
		    (strcasecmp(name, "q6k_legacy") == 0 && v->qtype == QT_Q6_K))
			if (variant_legacy_pick(v->qtype, k) == v)
				return true;
	}
	return false;
}

/* Whether the filter names any variant of this type at all. */
static bool
type_has_variant(const report_select *s, uint32_t type)
{
	size_t i;

	if (s->n_variants == 0)
		return true;
	for (i = 0; i < s->n_variants; i++) {
		const variant *v = variant_find(s->variants[i]);

		if (v != NULL ? v->qtype == type
			      : strncasecmp(s->variants[i], type == QT_Q4_K ? "q4k_" : "q6k_", 4) == 0)
			return true;
	}
	return false;
}

static bool
warps_selected(const report_select *s, int w)
{
	size_t i;

	if (s->n_warps == 0)
		return true;
	for (i = 0; i < s->n_warps; i++)
		if (s->warps[i] == w)
			return true;
	return false;
}

/* Shapes sort Q4_K first, then by rows, then by columns. */
static int
shape_cmp(const void *a, const void *b)
{
	const report_shape *x = a, *y = b;

	if (x->type != y->type)
		return type_slot(x->type) - type_slot(y->type);
	if (x->n != y->n)
		return x->n < y->n ? -1 : 1;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return 0;
}

static size_t
find_shape(const report *r, uint32_t type, uint32_t n, uint32_t k)
{
	size_t i;

	for (i = 0; i < r->n_shapes; i++)
		if (r->shapes[i].type == type && r->shapes[i].n == n && r->shapes[i].k == k)
			return i;
	return r->n_shapes;
}

/* The rows of one shape: every selected (variant, warps) in registry order. */
static void
plan_rows(report_shape *sh, const report_select *s)
{
	const variant *v;
	size_t i, cap = 0;
	int j;

	for (i = 0; (v = variant_at(i)) != NULL; i++) {
		if (v->kind != VARIANT_GEMV || v->qtype != sh->type || !variant_selected(s, v, sh->k))
			continue;
		for (j = 0; j < v->n_warps; j++) {
			report_row *row;
			errmsg e;

			if (!warps_selected(s, v->warps[j]))
				continue;
			if (sh->n_rows == cap) {
				cap = cap ? 2 * cap : 32;
				sh->rows = xreallocarray(sh->rows, cap, sizeof *sh->rows);
			}
			row = &sh->rows[sh->n_rows++];
			memset(row, 0, sizeof *row);
			row->v = v;
			row->warps = v->warps[j];
			row->ideal_bytes = variant_bytes(v, sh->n, sh->k);
			row->status = REPORT_ROW_PLANNED;
			if (variant_check_shape(v, row->warps, sh->n, sh->k, &e) != 0) {
				row->status = REPORT_ROW_REFUSED;
				snprintf(row->why, sizeof row->why, "%s", e.text);
			}
		}
	}
}

/* Whether t is a weight matrix the report measures; if not and it should be
 * mentioned, record why. */
static bool
tensor_eligible(report *r, const gguf_tensor *t, const report_select *s, bool named)
{
	const quant_info *qi = quant_type_info(t->type);
	int slot = type_slot(t->type);

	if (t->n_dims < 2)
		return false; /* norms and biases: not matrices */
	if (slot < 0) {
		add_skip(r, t->name, "%s: ggscope has no GEMV kernel for this type", qi ? qi->name : "unknown type");
		return false;
	}
	if (!s->types[slot])
		return false;
	if (t->n_dims != 2 || t->ne[2] != 1 || t->ne[3] != 1) {
		add_skip(r, t->name, "%u dimensions: the report measures 2-D matrices", t->n_dims);
		return false;
	}
	if (!named && strncmp(t->name, "token_embd.", 11) == 0) {
		add_skip(r, t->name, "the token embedding is a row lookup, not a GEMV");
		return false;
	}
	if (t->ne[0] > UINT32_MAX || t->ne[1] > UINT32_MAX) {
		add_skip(r, t->name, "%" PRIu64 " x %" PRIu64 " is beyond the kernels' int range", t->ne[1], t->ne[0]);
		return false;
	}
	if (!type_has_variant(s, t->type)) {
		add_skip(r, t->name, "--variants names no %s variant", report_type_name(t->type));
		return false;
	}
	return true;
}

static void
add_tensor(report *r, const gguf_tensor *t, long layer)
{
	report_tensor *rt;
	uint32_t n = (uint32_t)t->ne[1], k = (uint32_t)t->ne[0];
	size_t si = find_shape(r, t->type, n, k);

	if (si == r->n_shapes) {
		r->shapes = xreallocarray(r->shapes, r->n_shapes + 1, sizeof *r->shapes);
		memset(&r->shapes[si], 0, sizeof r->shapes[si]);
		r->shapes[si].type = t->type;
		r->shapes[si].n = n;
		r->shapes[si].k = k;
		r->shapes[si].weight_bytes = t->n_bytes;
		r->shapes[si].first_tensor = r->n_tensors;
		r->shapes[si].winner = -1;
		r->n_shapes++;
	}
	r->shapes[si].n_tensors++;
	r->tensors = xreallocarray(r->tensors, r->n_tensors + 1, sizeof *r->tensors);
	rt = &r->tensors[r->n_tensors++];
	memset(rt, 0, sizeof *rt);
	snprintf(rt->name, sizeof rt->name, "%s", t->name);
	rt->layer = layer;
	rt->type = t->type;
	rt->n = n;
	rt->k = k;
	rt->bytes = t->n_bytes;
	rt->data = t->data;
}

static void
describe_selection(report *r, const report_select *s)
{
	char *p = r->env.selection;
	size_t len = sizeof r->env.selection, used = 0, i;

#define ADD(...) do { if (used < len) used += (size_t)snprintf(p + used, len - used, __VA_ARGS__); } while (0)
	if (s->tensor != NULL)
		ADD("tensor %s", s->tensor);
	else if (s->all_layers)
		ADD("layers all");
	else {
		ADD("layers ");
		for (i = 0; i < s->n_ranges; i++) {
			if (s->lo[i] == s->hi[i])
				ADD("%s%ld", i ? "," : "", s->lo[i]);
			else
				ADD("%s%ld-%ld", i ? "," : "", s->lo[i], s->hi[i]);
		}
	}
	ADD("; types %s%s%s", s->types[0] ? "q4_K" : "", s->types[0] && s->types[1] ? "," : "",
		s->types[1] ? "q6_K" : "");
	ADD("; variants ");
	if (s->n_variants == 0)
		ADD("all");
	for (i = 0; i < s->n_variants; i++)
		ADD("%s%s", i ? "," : "", s->variants[i]);
	ADD("; warps ");
	if (s->n_warps == 0)
		ADD("all legal");
	for (i = 0; i < s->n_warps; i++)
		ADD("%s%d", i ? "," : "", s->warps[i]);
#undef ADD
}

int
report_plan(report *r, const gguf_file *f, const report_select *s, errmsg *err)
{
	size_t i, j;

	snprintf(r->env.model, sizeof r->env.model, "%s", gguf_name(f));
	describe_selection(r, s);
	if (s->tensor != NULL) {
		const gguf_tensor *t = gguf_find_tensor(f, s->tensor);
		size_t before = r->n_skipped;

		if (t == NULL) {
			errmsg_set(err, "%s: no tensor named '%s'", gguf_name(f), s->tensor);
			return -1;
		}
		if (!tensor_eligible(r, t, s, true)) {
			errmsg_set(err, "%s: %s", t->name, r->n_skipped > before ? r->skipped[before].why
				: t->n_dims < 2 ? "not a matrix" : "not of the selected types (--types)");
			return -1;
		}
		add_tensor(r, t, layers_block_of(t->name, NULL));
	} else {
		for (i = 0; i < gguf_tensor_count(f); i++) {
			const gguf_tensor *t = gguf_tensor_at(f, i);
			long layer = layers_block_of(t->name, NULL);

			if (!s->all_layers && (layer < 0 || !layer_selected(s, layer)))
				continue;
			if (tensor_eligible(r, t, s, false))
				add_tensor(r, t, layer);
		}
	}
	if (r->n_tensors == 0) {
		errmsg_set(err, "%s: no Q4_K/Q6_K weight matrix matches (%s)", gguf_name(f), r->env.selection);
		return -1;
	}
	/* Sort the shapes, then point the tensors at their new places. */
	qsort(r->shapes, r->n_shapes, sizeof *r->shapes, shape_cmp);
	for (i = 0; i < r->n_tensors; i++) {
		report_tensor *t = &r->tensors[i];

		t->shape = find_shape(r, t->type, t->n, t->k);
	}
	for (j = 0; j < r->n_shapes; j++) {
		report_shape *sh = &r->shapes[j];

		for (i = 0; i < r->n_tensors; i++)
			if (r->tensors[i].shape == j) {
				sh->first_tensor = i;
				break;
			}
		plan_rows(sh, s);
		if (sh->n_rows == 0) {
			errmsg_set(err, "%s %u x %u: no variant of the selection takes these warps (%s)",
				report_type_name(sh->type), sh->n, sh->k, r->env.selection);
			return -1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- finish */

size_t
report_count_status(const report *r, enum report_status st)
{
	size_t i, j, n = 0;

	for (i = 0; i < r->n_shapes; i++)
		for (j = 0; j < r->shapes[i].n_rows; j++)
			n += r->shapes[i].rows[j].status == st;
	return n;
}

/* The fastest correct row: PASS with a valid total time; ties keep the
 * earlier row (registry order, fewer warps). */
static void
pick_winner(report_shape *sh)
{
	size_t j;

	sh->winner = -1;
	for (j = 0; j < sh->n_rows; j++) {
		report_row *row = &sh->rows[j];

		row->winner = false;
		if (row->status != REPORT_ROW_PASS || !row->total_valid)
			continue;
		if (sh->winner < 0 || row->total_us < sh->rows[sh->winner].total_us)
			sh->winner = (long)j;
	}
	if (sh->winner >= 0)
		sh->rows[sh->winner].winner = true;
}

void
report_finish(report *r)
{
	uint64_t total_bytes = 0;
	size_t i;
	bool all = r->n_tensors > 0;

	for (i = 0; i < r->n_shapes; i++)
		pick_winner(&r->shapes[i]);
	r->total_time_us = 0;
	for (i = 0; i < r->n_tensors; i++) {
		report_tensor *t = &r->tensors[i];
		const report_shape *sh = &r->shapes[t->shape];

		total_bytes += t->bytes;
		t->time_valid = sh->winner >= 0;
		t->time_us = t->time_valid ? sh->rows[sh->winner].total_us : 0;
		if (t->time_valid)
			r->total_time_us += t->time_us;
		else
			all = false;
	}
	r->time_shares_valid = all && r->total_time_us > 0;
	for (i = 0; i < r->n_tensors; i++) {
		report_tensor *t = &r->tensors[i];

		t->bytes_share_pct = total_bytes ? 100.0 * (double)t->bytes / (double)total_bytes : 0;
		t->time_share_pct = r->time_shares_valid ? 100.0 * t->time_us / r->total_time_us : 0;
	}
	report_recommend(r);
}
