/* Unit tests for imatrix: GGUF and legacy .dat files built here byte by
 * byte (or with the project's GGUF writer), read back, and every
 * validation rule hit by a malformed file. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "gguf.h"
#include "gguf_write.h"
#include "imatrix.h"
#include "quant.h"
#include "xalloc.h"

/* ------------------------------------------------------------ GGUF builders */

static void
add_f32(gguf_writer *w, const char *name, uint32_t n_dims, uint64_t ne0, uint64_t ne1,
	const float *v)
{
	uint64_t ne[2] = { ne0, ne1 };
	errmsg e;

	assert_int_equal(gguf_writer_add_tensor(w, name, n_dims, ne, QT_F32, v,
		ne0 * ne1 * sizeof(float), 1, &e), 0);
}

/* A writer holding the standard good file: a dense entry (8 channels, 4
 * tokens), an MoE entry (4 channels x 2 experts; expert 1 saw no token). */
static gguf_writer *
good_writer(void)
{
	static const float dense[8] = { 4, 4, 4, 400, 4, 4, 4, 4 }, dense_c[1] = { 4 };
	static const float moe[8] = { 1, 2, 3, 4, 0, 0, 0, 0 }, moe_c[2] = { 2, 0 };
	static const char *const ds[1] = { "wiki.train.raw" };
	gguf_writer *w = gguf_writer_new(0);

	gguf_writer_set_str(w, "general.type", "imatrix");
	gguf_writer_set_str_array(w, "imatrix.datasets", ds, 1);
	gguf_writer_set_u32(w, "imatrix.chunk_count", 2);
	gguf_writer_set_u32(w, "imatrix.chunk_size", 512);
	add_f32(w, "blk.0.attn_q.weight.in_sum2", 1, 8, 1, dense);
	add_f32(w, "blk.0.attn_q.weight.counts", 1, 1, 1, dense_c);
	add_f32(w, "blk.1.ffn_down_exps.weight.in_sum2", 2, 4, 2, moe);
	add_f32(w, "blk.1.ffn_down_exps.weight.counts", 2, 1, 2, moe_c);
	return w;
}

static imatrix *
load_writer(gguf_writer *w, errmsg *e)
{
	uint8_t *buf;
	size_t len;
	imatrix *im;

	assert_int_equal(gguf_writer_write_mem(w, &buf, &len, e), 0);
	gguf_writer_free(w);
	im = imatrix_load_mem(buf, len, "im.gguf", e);
	free(buf);
	return im;
}

static void
test_gguf_good(void **state)
{
	errmsg e;
	imatrix *im = load_writer(good_writer(), &e);
	const imatrix_entry *d, *m;
	double *ms, peak;

	(void)state;
	assert_non_null(im);
	assert_int_equal(im->format, IMATRIX_GGUF);
	assert_true(im->counts_are_tokens);
	assert_true(im->has_chunk_count && im->chunk_count == 2);
	assert_true(im->has_chunk_size && im->chunk_size == 512);
	assert_int_equal(im->n_datasets, 1);
	assert_string_equal(im->datasets[0], "wiki.train.raw");
	assert_int_equal(im->n_entries, 2);
	d = imatrix_find(im, "blk.0.attn_q.weight");
	m = imatrix_find(im, "blk.1.ffn_down_exps.weight");
	assert_non_null(d);
	assert_non_null(m);
	assert_null(imatrix_find(im, "blk.0.attn_k.weight"));
	assert_int_equal(d->n_in, 8);
	assert_int_equal(d->n_mat, 1);
	assert_int_equal(m->n_in, 4);
	assert_int_equal(m->n_mat, 2);
	assert_null(d->sum);

	ms = imatrix_channel_ms(im, d, 8, &peak, &e);
	assert_non_null(ms);
	assert_true(ms[0] == 1.0 && ms[3] == 100.0);
	assert_true(fabs(peak - sqrt(400.0 / 2.0)) < 1e-12);
	free(ms);
	/* The expert without tokens is left out of the pooled profile. */
	ms = imatrix_channel_ms(im, m, 0, NULL, &e);
	assert_non_null(ms);
	assert_true(ms[0] == 0.5 && ms[3] == 2.0);
	free(ms);
	/* k must equal n_in for GGUF entries; the message names both numbers. */
	assert_null(imatrix_channel_ms(im, d, 16, NULL, &e));
	assert_non_null(strstr(e.text, "blk.0.attn_q.weight has 8 input channels, but the tensor's k is 16"));
	assert_int_equal(imatrix_entry_check(im, d, 4, &e), -1);
	assert_int_equal(imatrix_entry_check(im, d, 8, &e), 0);
	imatrix_free(im);
}

static void
test_gguf_extensions_ignored_or_used(void **state)
{
	static const float s[8] = { 1, -1, 2, -2, 0, 0, 0, 5 }, st[12] = { 0 };
	gguf_writer *w = good_writer();
	const imatrix_entry *d;
	imatrix *im;
	errmsg e;

	(void)state;
	add_f32(w, "blk.0.attn_q.weight.in_sum", 1, 8, 1, s);
	add_f32(w, "blk.0.attn_q.weight.stats", 1, 12, 1, st);
	gguf_writer_set_str(w, "general.architecture", "llama"); /* gguf-py always writes one */
	im = load_writer(w, &e);
	assert_non_null(im);
	assert_int_equal(im->n_entries, 2);
	d = imatrix_find(im, "blk.0.attn_q.weight");
	assert_non_null(d->sum);
	assert_true(d->sum[7] == 5.0 && d->sum[1] == -1.0);
	imatrix_free(im);
}

static void
test_gguf_no_chunks(void **state)
{
	static const float v[4] = { 1, 1, 1, 9 }, c[1] = { 3 };
	gguf_writer *w = gguf_writer_new(0);
	imatrix *im;
	errmsg e;
	double *ms, peak;

	(void)state;
	add_f32(w, "output.weight.in_sum2", 1, 4, 1, v);
	add_f32(w, "output.weight.counts", 1, 1, 1, c);
	im = load_writer(w, &e); /* general.type absent: accepted */
	assert_non_null(im);
	assert_false(im->has_chunk_count);
	ms = imatrix_channel_ms(im, &im->entries[0], 4, &peak, &e);
	assert_true(peak < 0);    /* unknown without imatrix.chunk_count */
	assert_true(ms[3] == 3.0);
	free(ms);
	imatrix_free(im);
}

/* Each builder breaks one rule; the message must name it. */
static void
expect_gguf_error(gguf_writer *w, const char *want)
{
	errmsg e;
	imatrix *im;

	e.text[0] = '\0';
	im = load_writer(w, &e);
	if (im != NULL || strstr(e.text, want) == NULL)
		fail_msg("got '%s', want '%s'", im != NULL ? "(accepted)" : e.text, want);
}

static void
test_gguf_malformed(void **state)
{
	static const float v4[4] = { 1, 2, 3, 4 }, neg[4] = { 1, -1, 3, 4 }, one[1] = { 1 },
		two[2] = { 1, 1 }, nan1[1] = { NAN };
	static const uint16_t h4[4] = { 0 };
	static const char *const ds[1] = { "x" };
	gguf_writer *w;
	uint64_t ne3[3] = { 2, 1, 2 };
	errmsg e;

	(void)state;
	w = good_writer();
	gguf_writer_set_str(w, "general.type", "model");
	expect_gguf_error(w, "general.type is 'model', not 'imatrix'");
	w = good_writer();
	gguf_writer_set_u32(w, "general.type", 3);
	expect_gguf_error(w, "general.type at byte");
	w = good_writer();
	gguf_writer_set_str(w, "imatrix.chunk_count", "2");
	expect_gguf_error(w, "imatrix.chunk_count at byte");
	w = good_writer();
	gguf_writer_set_str(w, "imatrix.datasets", "x");
	expect_gguf_error(w, "imatrix.datasets at byte");
	w = good_writer();
	gguf_writer_set_str_array(w, "imatrix.datasets", ds, 1);
	gguf_writer_set_u32(w, "imatrix.chunk_size", 7);
	assert_non_null(w); /* still good: replaced values */
	gguf_writer_free(w);

	w = good_writer();
	add_f32(w, "blk.2.attn_k.weight.in_sum2", 1, 4, 1, v4);
	expect_gguf_error(w, "blk.2.attn_k.weight.in_sum2 (info at byte");
	w = good_writer();
	add_f32(w, "blk.2.attn_k.weight.counts", 1, 1, 1, one);
	expect_gguf_error(w, "has no matching blk.2.attn_k.weight.in_sum2 tensor");
	w = good_writer();
	add_f32(w, "blk.2.attn_k.weight.in_sum", 1, 4, 1, v4);
	expect_gguf_error(w, "has no matching blk.2.attn_k.weight.in_sum2 tensor");

	w = good_writer();
	{
		uint64_t ne[1] = { 4 };

		assert_int_equal(gguf_writer_add_tensor(w, "blk.2.attn_k.weight.in_sum2", 1, ne, QT_F16,
			h4, sizeof h4, 1, &e), 0);
	}
	add_f32(w, "blk.2.attn_k.weight.counts", 1, 1, 1, one);
	expect_gguf_error(w, "has type f16, expected f32");

	w = good_writer();
	add_f32(w, "blk.2.attn_k.weight.in_sum2", 1, 4, 1, v4);
	add_f32(w, "blk.2.attn_k.weight.counts", 1, 2, 1, two);
	expect_gguf_error(w, "blk.2.attn_k.weight.counts has shape [2, 1], expected [1, 1]");

	w = good_writer();
	add_f32(w, "blk.2.attn_k.weight.in_sum2", 1, 4, 1, v4);
	add_f32(w, "blk.2.attn_k.weight.counts", 1, 1, 1, one);
	add_f32(w, "blk.2.attn_k.weight.in_sum", 2, 2, 2, v4);
	expect_gguf_error(w, "in_sum has shape [2, 2], expected [4, 1]");

	w = good_writer();
	add_f32(w, "blk.2.attn_k.weight.in_sum2", 1, 4, 1, neg);
	add_f32(w, "blk.2.attn_k.weight.counts", 1, 1, 1, one);
	expect_gguf_error(w, "blk.2.attn_k.weight.in_sum2[1] is -1");

	w = good_writer();
	add_f32(w, "blk.2.attn_k.weight.in_sum2", 1, 4, 1, v4);
	add_f32(w, "blk.2.attn_k.weight.counts", 1, 1, 1, nan1);
	expect_gguf_error(w, "blk.2.attn_k.weight.counts[0] is nan");

	w = good_writer();
	assert_int_equal(gguf_writer_add_tensor(w, "blk.2.attn_k.weight.in_sum2", 3, ne3, QT_F32,
		v4, sizeof v4, 1, &e), 0);
	add_f32(w, "blk.2.attn_k.weight.counts", 1, 1, 1, one);
	expect_gguf_error(w, "has 3 dimensions, expected 1 or 2");

	w = gguf_writer_new(0);
	gguf_writer_set_str(w, "general.type", "imatrix");
	add_f32(w, "blk.0.attn_q.weight", 1, 4, 1, v4);
	expect_gguf_error(w, "no <name>.in_sum2 tensors: not an imatrix file");
}

static void
test_gguf_truncated(void **state)
{
	gguf_writer *w = good_writer();
	uint8_t *buf;
	size_t len, cut, end;
	errmsg e;

	(void)state;
	assert_int_equal(gguf_writer_write_mem(w, &buf, &len, &e), 0);
	gguf_writer_free(w);
	/* The writer pads the data section: only cuts into tensor data matter. */
	{
		gguf_file *g = gguf_open_mem(buf, len, "full", &e);
		size_t i;

		assert_non_null(g);
		end = 0;
		for (i = 0; i < gguf_tensor_count(g); i++) {
			const gguf_tensor *t = gguf_tensor_at(g, i);
			uint64_t x = gguf_data_offset(g) + t->offset + t->n_bytes;

			end = x > end ? (size_t)x : end;
		}
		gguf_close(g);
	}
	/* Every shorter prefix is refused with a message, never a crash. */
	for (cut = 4; cut < end; cut += 3) {
		e.text[0] = '\0';
		assert_null(imatrix_load_mem(buf, cut, "cut.gguf", &e));
		assert_true(e.text[0] != '\0');
	}
	free(buf);
}

/* ------------------------------------------------------------ legacy */

struct dat {
	uint8_t b[1024];
	size_t n;
};

static void
put_i32(struct dat *d, int32_t v)
{
	uint32_t u = (uint32_t)v;

	d->b[d->n++] = (uint8_t)u;
	d->b[d->n++] = (uint8_t)(u >> 8);
	d->b[d->n++] = (uint8_t)(u >> 16);
	d->b[d->n++] = (uint8_t)(u >> 24);
}

static void
put_f32(struct dat *d, float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	put_i32(d, (int32_t)u);
}

static void
put_entry(struct dat *d, const char *name, int32_t ncall, int32_t nval, const float *v)
{
	int32_t i;

	put_i32(d, (int32_t)strlen(name));
	memcpy(d->b + d->n, name, strlen(name));
	d->n += strlen(name);
	put_i32(d, ncall);
	put_i32(d, nval);
	for (i = 0; i < nval; i++)
		put_f32(d, v[i]);
}

static const float lv[4] = { 10, 20, 30, 40 };

static void
legacy_good(struct dat *d, bool trailer)
{
	d->n = 0;
	put_i32(d, 2);
	put_entry(d, "blk.0.ffn_down.weight", 10, 4, lv);
	put_entry(d, "blk.0.attn_q.weight", 5, 2, lv);
	if (trailer) {
		put_i32(d, 123);
		put_i32(d, 4);
		memcpy(d->b + d->n, "wiki", 4);
		d->n += 4;
	}
}

static void
test_legacy_good(void **state)
{
	struct dat d;
	imatrix *im;
	errmsg e;
	double *ms, peak;
	const imatrix_entry *x;

	(void)state;
	legacy_good(&d, true);
	im = imatrix_load_mem(d.b, d.n, "im.dat", &e);
	assert_non_null(im);
	assert_int_equal(im->format, IMATRIX_LEGACY);
	assert_false(im->counts_are_tokens);
	assert_true(im->has_chunk_count && im->chunk_count == 123);
	assert_int_equal(im->n_datasets, 1);
	assert_string_equal(im->datasets[0], "wiki");
	assert_int_equal(im->n_entries, 2);
	x = imatrix_find(im, "blk.0.ffn_down.weight");
	assert_int_equal(x->n_in, 4);
	assert_int_equal(x->offset, 4);
	ms = imatrix_channel_ms(im, x, 4, &peak, &e);
	assert_true(ms[0] == 1.0 && ms[3] == 4.0); /* values / ncall */
	assert_true(peak < 0);                      /* no token counts in .dat */
	free(ms);
	/* Concatenated experts: viewed as 2 matrices of k = 2, pooled. */
	ms = imatrix_channel_ms(im, x, 2, NULL, &e);
	assert_non_null(ms);
	assert_true(ms[0] == 2.0 && ms[1] == 3.0);
	free(ms);
	assert_null(imatrix_channel_ms(im, x, 3, NULL, &e));
	assert_non_null(strstr(e.text, "has 4 input channels, but the tensor's k is 3"));
	imatrix_free(im);

	legacy_good(&d, false);
	im = imatrix_load_mem(d.b, d.n, "im.dat", &e);
	assert_non_null(im);
	assert_false(im->has_chunk_count);
	imatrix_free(im);
}

static void
test_legacy_zero_ncall(void **state)
{
	struct dat d = { .n = 0 };
	imatrix *im;
	errmsg e;

	(void)state;
	put_i32(&d, 1);
	put_entry(&d, "a", 0, 4, lv);
	im = imatrix_load_mem(d.b, d.n, "im.dat", &e);
	assert_non_null(im);
	assert_null(imatrix_channel_ms(im, &im->entries[0], 4, NULL, &e));
	assert_non_null(strstr(e.text, "no data"));
	imatrix_free(im);
}

static void
expect_legacy_error(const struct dat *d, const char *want)
{
	errmsg e;
	imatrix *im;

	e.text[0] = '\0';
	im = imatrix_load_mem(d->b, d->n, "bad.dat", &e);
	if (im != NULL || strstr(e.text, want) == NULL)
		fail_msg("got '%s', want '%s'", im != NULL ? "(accepted)" : e.text, want);
	imatrix_free(im);
}

static void
test_legacy_malformed(void **state)
{
	struct dat d;
	float bad[2] = { 1, NAN }, negv[2] = { 1, -2 };

	(void)state;
	d.n = 0;
	expect_legacy_error(&d, "empty file");
	put_i32(&d, 1);
	d.n = 2;
	expect_legacy_error(&d, "truncated at byte 0 reading the entry count");
	d.n = 0;
	put_i32(&d, 0);
	expect_legacy_error(&d, "entry count 0 at byte 0 is outside 1..1000000");
	d.n = 0;
	put_i32(&d, -5);
	expect_legacy_error(&d, "entry count -5");
	d.n = 0;
	put_i32(&d, 1);
	put_i32(&d, 0);
	expect_legacy_error(&d, "name length 0 at byte 4 is outside 1..4096");
	d.n = 0;
	put_i32(&d, 1);
	put_i32(&d, 5000);
	expect_legacy_error(&d, "name length 5000");
	d.n = 0;
	put_i32(&d, 1);
	put_i32(&d, 10);
	memcpy(d.b + d.n, "abc", 3);
	d.n += 3;
	expect_legacy_error(&d, "truncated at byte 8 reading a name (10 bytes needed, 3 left)");
	d.n = 0;
	put_i32(&d, 1);
	put_i32(&d, 3);
	memcpy(d.b + d.n, "a\0c", 3);
	d.n += 3;
	expect_legacy_error(&d, "contains a NUL byte");
	d.n = 0;
	put_i32(&d, 1);
	put_entry(&d, "a", -1, 1, lv);
	expect_legacy_error(&d, "entry 'a': ncall -1 at byte 9 is negative");
	d.n = 0;
	put_i32(&d, 1);
	put_entry(&d, "a", 1, 0, lv);
	expect_legacy_error(&d, "entry 'a': nval 0 at byte 13");
	d.n = 0;
	put_i32(&d, 1);
	put_entry(&d, "a", 1, 4, lv);
	d.n -= 4;
	expect_legacy_error(&d, "nval 4 at byte 13 needs 16 bytes, 12 left");
	d.n = 0;
	put_i32(&d, 1);
	put_entry(&d, "a", 1, 2, bad);
	expect_legacy_error(&d, "entry 'a': value 1 at byte 21 is nan");
	d.n = 0;
	put_i32(&d, 1);
	put_entry(&d, "a", 1, 2, negv);
	expect_legacy_error(&d, "value 1 at byte 21 is -2");
	d.n = 0;
	put_i32(&d, 2);
	put_entry(&d, "dup", 1, 1, lv);
	put_entry(&d, "dup", 1, 1, lv);
	expect_legacy_error(&d, "entry 'dup' appears twice (at byte 4 and 23)");
	d.n = 0;
	put_i32(&d, 2);
	put_entry(&d, "a", 1, 1, lv);
	expect_legacy_error(&d, "truncated at byte 21 reading a name length");
	/* Trailers. */
	legacy_good(&d, false);
	d.b[d.n++] = 1;
	d.b[d.n++] = 2;
	d.b[d.n++] = 3;
	expect_legacy_error(&d, "3 stray bytes after the last entry");
	legacy_good(&d, false);
	put_i32(&d, 1);
	put_i32(&d, 9);
	memcpy(d.b + d.n, "wiki", 4);
	d.n += 4;
	expect_legacy_error(&d, "dataset name length 9");
	legacy_good(&d, false);
	put_i32(&d, -1);
	put_i32(&d, 0);
	expect_legacy_error(&d, "trailer chunk count -1");
	legacy_good(&d, true);
	d.b[d.n++] = 0;
	expect_legacy_error(&d, "does not match the 5 bytes left");
}

static void
test_load_file(void **state)
{
	char path[] = "/tmp/ggscope-im-XXXXXX";
	struct dat d;
	imatrix *im;
	errmsg e;
	FILE *f;
	int fd;

	(void)state;
	legacy_good(&d, true);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_int_equal(fwrite(d.b, d.n, 1, f), 1);
	fclose(f);
	im = imatrix_load(path, &e);
	assert_non_null(im);
	assert_string_equal(im->name, path);
	assert_string_equal(imatrix_format_name(im->format), "legacy imatrix .dat");
	imatrix_free(im);
	unlink(path);
	assert_null(imatrix_load(path, &e));
	assert_non_null(strstr(e.text, "No such file"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gguf_good),
		cmocka_unit_test(test_gguf_extensions_ignored_or_used),
		cmocka_unit_test(test_gguf_no_chunks),
		cmocka_unit_test(test_gguf_malformed),
		cmocka_unit_test(test_gguf_truncated),
		cmocka_unit_test(test_legacy_good),
		cmocka_unit_test(test_legacy_zero_ncall),
		cmocka_unit_test(test_legacy_malformed),
		cmocka_unit_test(test_load_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
