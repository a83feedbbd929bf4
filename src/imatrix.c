/* imatrix.c: read llama.cpp importance matrices (GGUF and legacy .dat) into
 * per-channel sums, validating everything before use. The GGUF container is
 * parsed by the project's GGUF reader; the legacy format by hand here. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gguf.h"
#include "imatrix.h"
#include "io_full.h"
#include "quant.h"
#include "xalloc.h"

static const char SFX_SUM2[] = ".in_sum2";
static const char SFX_COUNTS[] = ".counts";
static const char SFX_SUM[] = ".in_sum";

const char *
imatrix_format_name(enum imatrix_format f)
{
	return f == IMATRIX_GGUF ? "GGUF imatrix" : "legacy imatrix .dat";
}

static float
rdf32(const uint8_t *p)
{
	uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

static int32_t
rdi32(const uint8_t *p)
{
	uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	int32_t i;

	memcpy(&i, &u, sizeof i);
	return i;
}

void
imatrix_free(imatrix *im)
{
	size_t i;

	if (im == NULL)
		return;
	for (i = 0; i < im->n_entries; i++) {
		free(im->entries[i].name);
		free(im->entries[i].sum2);
		free(im->entries[i].sum);
		free(im->entries[i].counts);
	}
	for (i = 0; i < im->n_datasets; i++)
		free(im->datasets[i]);
	free(im->datasets);
	free(im->entries);
	free(im->name);
	free(im);
}

static imatrix_entry *
add_entry(imatrix *im, size_t *cap)
{
	if (im->n_entries == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		im->entries = xreallocarray(im->entries, *cap, sizeof *im->entries);
	}
	memset(&im->entries[im->n_entries], 0, sizeof im->entries[0]);
	return &im->entries[im->n_entries++];
}

static int
cmp_entry_name(const void *a, const void *b)
{
	const imatrix_entry *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Names must be unique: sort pointers and compare neighbours. */
static int
check_duplicates(const imatrix *im, errmsg *err)
{
	const imatrix_entry **v;
	size_t i;
	int rc = 0;

	if (im->n_entries < 2)
		return 0;
	v = xmalloc(im->n_entries * sizeof *v);
	for (i = 0; i < im->n_entries; i++)
		v[i] = &im->entries[i];
	qsort(v, im->n_entries, sizeof *v, cmp_entry_name);
	for (i = 1; i < im->n_entries; i++) {
		if (strcmp(v[i - 1]->name, v[i]->name) == 0) {
			errmsg_set(err, "%s: entry '%s' appears twice (at byte %llu and %llu)", im->name,
				v[i]->name, (unsigned long long)v[i - 1]->offset,
				(unsigned long long)v[i]->offset);
			rc = -1;
			break;
		}
	}
	free(v);
	return rc;
}

/* ------------------------------------------------------------ GGUF */

static bool
ends_with(const char *s, const char *sfx, size_t *base_len)
{
	size_t n = strlen(s), m = strlen(sfx);

	if (n <= m || strcmp(s + n - m, sfx) != 0)
		return false;
	*base_len = n - m;
	return true;
}

/* Read an optional unsigned imatrix.* key: absent is fine, a wrong type not. */
static int
get_opt_u64(const gguf_file *g, const char *key, bool *has, uint64_t *v, const char *name,
	errmsg *err)
{
	const gguf_kv *kv = gguf_find_kv(g, key);

	*has = false;
	if (kv == NULL)
		return 0;
	if (!gguf_get_u64(g, key, v)) {
		errmsg_set(err, "%s: key %s at byte %llu has type %s, expected an unsigned integer",
			name, key, (unsigned long long)kv->offset, gguf_vtype_name(kv->value.type));
		return -1;
	}
	*has = true;
	return 0;
}

static int
read_kvs(imatrix *im, const gguf_file *g, errmsg *err)
{
	const gguf_kv *kv = gguf_find_kv(g, "general.type");
	uint64_t i;

	if (kv != NULL) {
		gguf_str s;

		if (!gguf_get_str(g, "general.type", &s)) {
			errmsg_set(err, "%s: general.type at byte %llu has type %s, expected string",
				im->name, (unsigned long long)kv->offset, gguf_vtype_name(kv->value.type));
			return -1;
		}
		if (s.len != 7 || memcmp(s.ptr, "imatrix", 7) != 0) {
			errmsg_set(err, "%s: general.type is '%.*s', not 'imatrix' (a model? pass it as FILE)",
				im->name, (int)(s.len > 64 ? 64 : s.len), s.ptr);
			return -1;
		}
	}
	if (get_opt_u64(g, "imatrix.chunk_count", &im->has_chunk_count, &im->chunk_count, im->name, err) != 0 ||
		get_opt_u64(g, "imatrix.chunk_size", &im->has_chunk_size, &im->chunk_size, im->name, err) != 0)
		return -1;
	kv = gguf_find_kv(g, "imatrix.datasets");
	if (kv != NULL) {
		if (kv->value.type != GGUF_ARRAY || kv->value.v.arr.elem_type != GGUF_STRING) {
			errmsg_set(err, "%s: imatrix.datasets at byte %llu is not an array of strings",
				im->name, (unsigned long long)kv->offset);
			return -1;
		}
		im->n_datasets = (size_t)kv->value.v.arr.count;
		im->datasets = xcalloc(im->n_datasets ? im->n_datasets : 1, sizeof *im->datasets);
		for (i = 0; i < kv->value.v.arr.count; i++) {
			const gguf_str *s = &kv->value.v.arr.items[i].v.str;

			im->datasets[i] = xstrndup(s->ptr, (size_t)s->len);
		}
	}
	return 0;
}

/* Copy an F32 tensor into doubles, checking every value. */
static int
copy_f32(const gguf_tensor *t, double *dst, bool nonneg, const char *fname, errmsg *err)
{
	uint64_t i;

	for (i = 0; i < t->n_elems; i++) {
		float f = rdf32(t->data + 4 * i);

		if (!isfinite(f) || (nonneg && f < 0.0f)) {
			errmsg_set(err, "%s: %s[%llu] is %g (tensor data at byte %llu)", fname, t->name,
				(unsigned long long)i, (double)f,
				(unsigned long long)(t->info_offset));
			return -1;
		}
		dst[i] = f;
	}
	return 0;
}

static const gguf_tensor *
find_part(const gguf_file *g, const char *base, size_t base_len, const char *sfx)
{
	char name[GGUF_NAME_MAX + 16];

	snprintf(name, sizeof name, "%.*s%s", (int)base_len, base, sfx);
	return gguf_find_tensor(g, name);
}

static int
check_f32(const gguf_tensor *t, const char *fname, errmsg *err)
{
	if (t->type != QT_F32) {
		const quant_info *qi = quant_type_info(t->type);

		errmsg_set(err, "%s: tensor %s (info at byte %llu) has type %s, expected f32", fname,
			t->name, (unsigned long long)t->info_offset, qi != NULL ? qi->name : "unknown");
		return -1;
	}
	if (t->ne[2] != 1 || t->ne[3] != 1) {
		errmsg_set(err, "%s: tensor %s (info at byte %llu) has %u dimensions, expected 1 or 2",
			fname, t->name, (unsigned long long)t->info_offset, t->n_dims);
		return -1;
	}
	return 0;
}

static int
read_group(imatrix *im, const gguf_file *g, const gguf_tensor *t2, size_t base_len,
	imatrix_entry *e, errmsg *err)
{
	const gguf_tensor *tc = find_part(g, t2->name, base_len, SFX_COUNTS);
	const gguf_tensor *ts = find_part(g, t2->name, base_len, SFX_SUM);

	e->name = xstrndup(t2->name, base_len);
	e->offset = t2->info_offset;
	if (tc == NULL) {
		errmsg_set(err, "%s: %s (info at byte %llu) has no matching %s%s tensor", im->name,
			t2->name, (unsigned long long)t2->info_offset, e->name, SFX_COUNTS);
		return -1;
	}
	if (check_f32(t2, im->name, err) != 0 || check_f32(tc, im->name, err) != 0 ||
		(ts != NULL && check_f32(ts, im->name, err) != 0))
		return -1;
	e->n_in = t2->ne[0];
	e->n_mat = t2->ne[1];
	if (e->n_in == 0 || e->n_mat == 0) {
		errmsg_set(err, "%s: %s (info at byte %llu) is empty", im->name, t2->name,
			(unsigned long long)t2->info_offset);
		return -1;
	}
	if (tc->ne[0] != 1 || tc->ne[1] != e->n_mat) {
		errmsg_set(err, "%s: %s has shape [%llu, %llu], expected [1, %llu] to match %s", im->name,
			tc->name, (unsigned long long)tc->ne[0], (unsigned long long)tc->ne[1],
			(unsigned long long)e->n_mat, t2->name);
		return -1;
	}
	if (ts != NULL && (ts->ne[0] != e->n_in || ts->ne[1] != e->n_mat)) {
		errmsg_set(err, "%s: %s has shape [%llu, %llu], expected [%llu, %llu] as %s", im->name,
			ts->name, (unsigned long long)ts->ne[0], (unsigned long long)ts->ne[1],
			(unsigned long long)e->n_in, (unsigned long long)e->n_mat, t2->name);
		return -1;
	}
	e->sum2 = xmalloc((size_t)t2->n_elems * sizeof *e->sum2);
	e->counts = xmalloc((size_t)tc->n_elems * sizeof *e->counts);
	if (copy_f32(t2, e->sum2, true, im->name, err) != 0 ||
		copy_f32(tc, e->counts, true, im->name, err) != 0)
		return -1;
	if (ts != NULL) {
		e->sum = xmalloc((size_t)ts->n_elems * sizeof *e->sum);
		if (copy_f32(ts, e->sum, false, im->name, err) != 0)
			return -1;
	}
	return 0;
}

/* Every .counts and .in_sum must belong to an .in_sum2. */
static int
check_orphans(const imatrix *im, const gguf_file *g, errmsg *err)
{
	size_t i, bl;

	for (i = 0; i < gguf_tensor_count(g); i++) {
		const gguf_tensor *t = gguf_tensor_at(g, i);

		if ((ends_with(t->name, SFX_COUNTS, &bl) || ends_with(t->name, SFX_SUM, &bl)) &&
			find_part(g, t->name, bl, SFX_SUM2) == NULL) {
			errmsg_set(err, "%s: %s (info at byte %llu) has no matching %.*s%s tensor", im->name,
				t->name, (unsigned long long)t->info_offset, (int)bl, t->name, SFX_SUM2);
			return -1;
		}
	}
	return 0;
}

static imatrix *
load_gguf(const void *buf, size_t len, const char *name, errmsg *err)
{
	gguf_file *g = gguf_open_mem(buf, len, name, err);
	imatrix *im;
	size_t i, cap = 0, bl;

	if (g == NULL)
		return NULL;
	im = xcalloc(1, sizeof *im);
	im->format = IMATRIX_GGUF;
	im->name = xstrdup(name);
	im->counts_are_tokens = true;
	if (read_kvs(im, g, err) != 0 || check_orphans(im, g, err) != 0)
		goto fail;
	for (i = 0; i < gguf_tensor_count(g); i++) {
		const gguf_tensor *t = gguf_tensor_at(g, i);

		if (ends_with(t->name, SFX_SUM2, &bl) &&
			read_group(im, g, t, bl, add_entry(im, &cap), err) != 0)
			goto fail;
	}
	if (im->n_entries == 0) {
		errmsg_set(err, "%s: no <name>.in_sum2 tensors: not an imatrix file", name);
		goto fail;
	}
	if (check_duplicates(im, err) != 0)
		goto fail;
	gguf_close(g);
	return im;
fail:
	gguf_close(g);
	imatrix_free(im);
	return NULL;
}

/* ------------------------------------------------------------ legacy .dat */

struct rd {
	const uint8_t *p;
	size_t len, pos;
	const char *name;
	errmsg *err;
};

static int
need(struct rd *r, size_t n, const char *what)
{
	if (r->len - r->pos < n) {
		errmsg_set(r->err, "%s: truncated at byte %zu reading %s (%zu bytes needed, %zu left)",
			r->name, r->pos, what, n, r->len - r->pos);
		return -1;
	}
	return 0;
}

static int
read_i32(struct rd *r, const char *what, int32_t *v)
{
	if (need(r, 4, what) != 0)
		return -1;
	*v = rdi32(r->p + r->pos);
	r->pos += 4;
	return 0;
}

static int
legacy_entry(struct rd *r, imatrix_entry *e)
{
	int32_t nlen, ncall, nval, i;
	size_t at = r->pos, p;

	e->offset = at;
	if (read_i32(r, "a name length", &nlen) != 0)
		return -1;
	if (nlen < 1 || nlen > IMATRIX_MAX_NAME) {
		errmsg_set(r->err, "%s: name length %d at byte %zu is outside 1..%d", r->name, nlen, at,
			IMATRIX_MAX_NAME);
		return -1;
	}
	if (need(r, (size_t)nlen, "a name") != 0)
		return -1;
	if (memchr(r->p + r->pos, '\0', (size_t)nlen) != NULL) {
		errmsg_set(r->err, "%s: name at byte %zu contains a NUL byte", r->name, r->pos);
		return -1;
	}
	e->name = xstrndup((const char *)r->p + r->pos, (size_t)nlen);
	r->pos += (size_t)nlen;
	p = r->pos;
	if (read_i32(r, "ncall", &ncall) != 0)
		return -1;
	if (ncall < 0) {
		errmsg_set(r->err, "%s: entry '%s': ncall %d at byte %zu is negative", r->name, e->name,
			ncall, p);
		return -1;
	}
	p = r->pos;
	if (read_i32(r, "nval", &nval) != 0)
		return -1;
	if (nval < 1 || (size_t)nval > (r->len - r->pos) / 4) {
		errmsg_set(r->err, "%s: entry '%s': nval %d at byte %zu needs %lld bytes, %zu left",
			r->name, e->name, nval, p, 4LL * nval, r->len - r->pos);
		return -1;
	}
	e->n_in = (uint64_t)nval;
	e->n_mat = 1;
	e->sum2 = xmalloc((size_t)nval * sizeof *e->sum2);
	e->counts = xmalloc(sizeof *e->counts);
	e->counts[0] = ncall;
	for (i = 0; i < nval; i++, r->pos += 4) {
		float f = rdf32(r->p + r->pos);

		if (!isfinite(f) || f < 0.0f) {
			errmsg_set(r->err, "%s: entry '%s': value %d at byte %zu is %g", r->name, e->name,
				i, r->pos, (double)f);
			return -1;
		}
		e->sum2[i] = f;
	}
	return 0;
}

static int
legacy_trailer(imatrix *im, struct rd *r)
{
	int32_t last_chunk, dlen;
	size_t at = r->pos;

	if (r->pos == r->len)
		return 0;
	if (r->len - r->pos < 8) {
		errmsg_set(r->err, "%s: %zu stray bytes after the last entry at byte %zu "
			"(a trailer needs at least 8)", r->name, r->len - r->pos, at);
		return -1;
	}
	if (read_i32(r, "last_chunk", &last_chunk) != 0 || read_i32(r, "the dataset name length", &dlen) != 0)
		return -1;
	if (last_chunk < 0) {
		errmsg_set(r->err, "%s: trailer chunk count %d at byte %zu is negative", r->name,
			last_chunk, at);
		return -1;
	}
	if (dlen < 0 || (size_t)dlen != r->len - r->pos) {
		errmsg_set(r->err, "%s: trailer dataset name length %d at byte %zu does not match the "
			"%zu bytes left", r->name, dlen, at + 4, r->len - r->pos);
		return -1;
	}
	im->has_chunk_count = true;
	im->chunk_count = (uint64_t)last_chunk;
	im->n_datasets = 1;
	im->datasets = xcalloc(1, sizeof *im->datasets);
	im->datasets[0] = xstrndup((const char *)r->p + r->pos, (size_t)dlen);
	r->pos += (size_t)dlen;
	return 0;
}

static imatrix *
load_legacy(const void *buf, size_t len, const char *name, errmsg *err)
{
	struct rd r = { buf, len, 0, name, err };
	imatrix *im = xcalloc(1, sizeof *im);
	int32_t n, i;
	size_t cap = 0;

	im->format = IMATRIX_LEGACY;
	im->name = xstrdup(name);
	if (read_i32(&r, "the entry count", &n) != 0)
		goto fail;
	if (n < 1 || n > IMATRIX_MAX_ENTRIES) {
		errmsg_set(err, "%s: entry count %d at byte 0 is outside 1..%d (not an imatrix?)", name, n,
			IMATRIX_MAX_ENTRIES);
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (legacy_entry(&r, add_entry(im, &cap)) != 0)
			goto fail;
	if (legacy_trailer(im, &r) != 0 || check_duplicates(im, err) != 0)
		goto fail;
	return im;
fail:
	imatrix_free(im);
	return NULL;
}

/* ------------------------------------------------------------ public */

imatrix *
imatrix_load_mem(const void *buf, size_t len, const char *name, errmsg *err)
{
	if (len == 0) {
		errmsg_set(err, "%s: empty file", name);
		return NULL;
	}
	if (len >= 4 && memcmp(buf, "GGUF", 4) == 0)
		return load_gguf(buf, len, name, err);
	return load_legacy(buf, len, name, err);
}

imatrix *
imatrix_load(const char *path, errmsg *err)
{
	size_t len;
	unsigned char *buf = io_read_file(path, &len, err);
	imatrix *im;

	if (buf == NULL)
		return NULL;
	im = imatrix_load_mem(buf, len, path, err);
	free(buf);
	return im;
}

const imatrix_entry *
imatrix_find(const imatrix *im, const char *weight_name)
{
	size_t i;

	for (i = 0; i < im->n_entries; i++)
		if (strcmp(im->entries[i].name, weight_name) == 0)
			return &im->entries[i];
	return NULL;
}

int
imatrix_entry_check(const imatrix *im, const imatrix_entry *e, uint64_t k, errmsg *err)
{
	if (k == 0 || (im->format == IMATRIX_GGUF ? k != e->n_in : (e->n_in * e->n_mat) % k != 0)) {
		errmsg_set(err, "imatrix entry %s has %llu input channels, but the tensor's k is %llu",
			e->name, (unsigned long long)e->n_in, (unsigned long long)k);
		return -1;
	}
	return 0;
}

double *
imatrix_channel_ms(const imatrix *im, const imatrix_entry *e, uint64_t k, double *peak,
	errmsg *err)
{
	uint64_t total = e->n_in * e->n_mat, n_mat, m, j;
	double tot_count = 0.0, *ms, max_sum = 0.0;

	if (k == 0)
		k = e->n_in;
	if (imatrix_entry_check(im, e, k, err) != 0)
		return NULL;
	n_mat = total / k;
	ms = xcalloc((size_t)k, sizeof *ms);
	for (m = 0; m < n_mat; m++) {
		/* Legacy entries have one ncall shared by all concatenated experts. */
		double c = e->counts[e->n_mat == 1 ? 0 : m];

		if (!(c > 0.0))
			continue;
		tot_count += c;
		for (j = 0; j < k; j++)
			ms[j] += e->sum2[m * k + j];
	}
	if (!(tot_count > 0.0)) {
		errmsg_set(err, "imatrix entry %s has no data (all counts are 0)", e->name);
		free(ms);
		return NULL;
	}
	for (j = 0; j < k; j++) {
		if (ms[j] > max_sum)
			max_sum = ms[j];
		ms[j] /= tot_count;
	}
	if (peak != NULL) {
		*peak = -1.0;
		if (im->counts_are_tokens && im->has_chunk_count && im->chunk_count > 0)
			*peak = sqrt(max_sum / (double)im->chunk_count);
	}
	return ms;
}
