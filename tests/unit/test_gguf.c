/* Unit tests for the GGUF reader (src/gguf.c, src/gguf_value.c) and the
 * type table (src/qtype.c): every malformed-file class, round trips of every
 * value type through the writer, lookup, and file-level errors. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "gguf.h"
#include "gguf_fixtures.h"
#include "gguf_write.h"
#include "quant.h"
#include "xalloc.h"

/* Every malformed fixture is refused with a message naming its byte offset
 * and field and containing its class's text. */
static void
test_malformed_messages(void **state)
{
	gguf_fixture *fx;
	size_t n = gguf_fixtures_build(&fx), i, bad = 0;

	(void)state;
	for (i = 0; i < n; i++) {
		char want[512];
		errmsg err;
		gguf_file *f;

		if (fx[i].klass == NULL)
			continue;
		bad++;
		errmsg_clear(&err);
		f = gguf_open_mem(fx[i].buf, fx[i].len, "m.gguf", &err);
		if (f != NULL)
			fail_msg("%s: opened, expected a \"%s\" error", fx[i].name, fx[i].klass);
		snprintf(want, sizeof want, "m.gguf: byte %" PRIu64 ": %s", fx[i].offset, fx[i].field);
		if (strstr(err.text, want) == NULL || strstr(err.text, fx[i].expect) == NULL)
			fail_msg("%s: message \"%s\"\n  lacks \"%s\" or \"%s\"", fx[i].name, err.text, want, fx[i].expect);
	}
	assert_true(bad >= 30);
	gguf_fixtures_free(fx, n);
}

/* No class's distinctive text appears in another class's message: each
 * failure class has a message of its own. */
static void
test_malformed_distinct(void **state)
{
	gguf_fixture *fx;
	size_t n = gguf_fixtures_build(&fx), i, j, classes = 0;
	char (*msgs)[ERRMSG_MAX] = xcalloc(n, sizeof *msgs);

	(void)state;
	for (i = 0; i < n; i++) {
		errmsg err;

		if (fx[i].klass == NULL)
			continue;
		assert_null(gguf_open_mem(fx[i].buf, fx[i].len, "m.gguf", &err));
		memcpy(msgs[i], err.text, sizeof err.text);
	}
	for (i = 0; i < n; i++) {
		bool first = true;

		if (fx[i].klass == NULL)
			continue;
		for (j = 0; j < i; j++)
			if (fx[j].klass != NULL && strcmp(fx[j].klass, fx[i].klass) == 0)
				first = false;
		classes += first;
		for (j = 0; j < n; j++) {
			if (fx[j].klass == NULL || strcmp(fx[j].klass, fx[i].klass) == 0)
				continue;
			if (strstr(msgs[j], fx[i].expect) != NULL)
				fail_msg("class %s's text \"%s\" also appears in %s: %s", fx[i].klass,
					fx[i].expect, fx[j].name, msgs[j]);
		}
	}
	/* magic, truncated, 3 version classes, 2 counts, string, 2 array, nesting,
	 * value type, NUL, duplicate key, 2 alignment, values limit, tensor type,
	 * n_dims, ne zero, ne overflow, size overflow, block multiple, 3 name
	 * (empty, long, duplicate), offset alignment, outside, overlap. */
	assert_int_equal(classes, 29);
	free(msgs);
	gguf_fixtures_free(fx, n);
}

static void
test_valid_fixtures(void **state)
{
	gguf_fixture *fx;
	size_t n = gguf_fixtures_build(&fx), i, good = 0;

	(void)state;
	for (i = 0; i < n; i++) {
		errmsg err;
		gguf_file *f;
		void *copy;

		if (fx[i].klass != NULL)
			continue;
		good++;
		f = gguf_open_mem(fx[i].buf, fx[i].len, fx[i].name, &err);
		if (f == NULL)
			fail_msg("%s: %s", fx[i].name, err.text);
		assert_int_equal(gguf_data_offset(f) % gguf_alignment(f), 0);
		gguf_close(f);
		/* The owning variant frees its buffer (ASan's leak check). */
		copy = xmalloc(fx[i].len + 1);
		memcpy(copy, fx[i].buf, fx[i].len);
		f = gguf_open_owned(copy, fx[i].len, fx[i].name, &err);
		assert_non_null(f);
		gguf_close(f);
	}
	assert_true(good >= 6);
	gguf_fixtures_free(fx, n);
}

/* A failing gguf_open_owned frees the buffer too (leak check under ASan). */
static void
test_owned_failure_frees(void **state)
{
	uint8_t *buf = xcalloc(1, 64);
	errmsg err;

	(void)state;
	assert_null(gguf_open_owned(buf, 64, "zeros", &err));
	assert_non_null(strstr(err.text, "zeros: byte 0: magic:"));
}

static void
test_sample_contents(void **state)
{
	uint8_t *buf;
	size_t len, i;
	errmsg err;
	gguf_file *f;
	const gguf_tensor *t;
	const gguf_kv *kv;
	gguf_str s;
	uint64_t u;
	static const char *const order[] = {
		"token_embd.weight", "blk.0.attn_norm.weight", "blk.0.attn_q.weight",
		"blk.0.ffn_down.weight", "blk.1.attn_norm.weight", "blk.1.attn_v.weight",
		"output_norm.weight",
	};

	(void)state;
	gguf_fixture_sample(&buf, &len);
	f = gguf_open_mem(buf, len, "sample", &err);
	assert_non_null(f);
	assert_string_equal(gguf_name(f), "sample");
	assert_int_equal(gguf_version(f), 3);
	assert_int_equal(gguf_alignment(f), 32);
	assert_int_equal(gguf_size(f), len);
	assert_int_equal(gguf_kv_count(f), 9);
	assert_int_equal(gguf_tensor_count(f), 7);

	assert_string_equal(gguf_kv_at(f, 0)->key, "general.architecture");
	assert_int_equal(gguf_kv_at(f, 0)->offset, 24);
	assert_null(gguf_kv_at(f, 9));
	assert_true(gguf_get_str(f, "general.name", &s));
	assert_int_equal(s.len, 14);
	assert_memory_equal(s.ptr, "ggscope sample", 14);
	assert_true(gguf_get_u64(f, "llama.block_count", &u));
	assert_int_equal(u, 2);
	assert_false(gguf_get_u64(f, "general.name", &u));
	assert_false(gguf_get_str(f, "llama.block_count", &s));
	assert_false(gguf_get_u64(f, "no.such.key", &u));
	kv = gguf_find_kv(f, "tokenizer.ggml.tokens");
	assert_non_null(kv);
	assert_int_equal(kv->value.type, GGUF_ARRAY);
	assert_int_equal(kv->value.v.arr.elem_type, GGUF_STRING);
	assert_int_equal(kv->value.v.arr.count, 40);
	assert_int_equal(kv->value.v.arr.items[3].v.str.len, 1);
	assert_memory_equal(kv->value.v.arr.items[3].v.str.ptr, "\"", 1);
	kv = gguf_find_kv(f, "tokenizer.ggml.scores");
	assert_true(kv->value.v.arr.items[39].v.f == -39.0 / 4.0);
	kv = gguf_find_kv(f, "llama.attention.layer_norm_rms_epsilon");
	assert_true(kv->value.v.f == (double)1e-5f);
	assert_null(gguf_find_kv(f, "tokenizer.ggml"));

	for (i = 0; i < 7; i++) {
		t = gguf_tensor_at(f, i);
		assert_string_equal(t->name, order[i]);
		assert_ptr_equal(gguf_find_tensor(f, order[i]), t);
		assert_ptr_equal(t->data, buf + gguf_data_offset(f) + t->offset);
		/* fixtures fill data with (i * 7 + strlen(name)) */
		assert_int_equal(t->data[1], (uint8_t)(7 + strlen(order[i])));
	}
	assert_null(gguf_tensor_at(f, 7));
	assert_null(gguf_find_tensor(f, "blk.0.attn_q"));
	t = gguf_find_tensor(f, "blk.0.ffn_down.weight");
	assert_int_equal(t->type, QT_Q4_K);
	assert_int_equal(t->n_dims, 2);
	assert_int_equal(t->ne[0], 256);
	assert_int_equal(t->ne[1], 4);
	assert_int_equal(t->ne[2], 1);
	assert_int_equal(t->ne[3], 1);
	assert_int_equal(t->n_elems, 1024);
	assert_int_equal(t->n_bytes, 4 * Q4_K_BYTES);
	t = gguf_find_tensor(f, "blk.1.attn_v.weight");
	assert_int_equal(t->n_bytes, 2 * Q6_K_BYTES);
	assert_int_equal(t->offset % 32, 0);
	gguf_close(f);
	free(buf);
}

static gguf_value
mk_scalar(uint32_t type, uint64_t u)
{
	gguf_value v;

	memset(&v, 0, sizeof v);
	v.type = type;
	v.v.u = u;
	return v;
}

static gguf_value
mk_array(uint32_t elem_type, gguf_value *items, uint64_t n)
{
	gguf_value v;

	memset(&v, 0, sizeof v);
	v.type = GGUF_ARRAY;
	v.v.arr.elem_type = elem_type;
	v.v.arr.count = n;
	v.v.arr.items = items;
	return v;
}

static void
assert_value_equal(const gguf_value *a, const gguf_value *b)
{
	uint64_t i;

	assert_int_equal(a->type, b->type);
	switch (a->type) {
	case GGUF_FLOAT32: case GGUF_FLOAT64:
		assert_memory_equal(&a->v.f, &b->v.f, sizeof a->v.f);
		break;
	case GGUF_BOOL:
		assert_int_equal(a->v.b, b->v.b);
		break;
	case GGUF_STRING:
		assert_int_equal(a->v.str.len, b->v.str.len);
		if (a->v.str.len != 0)
			assert_memory_equal(a->v.str.ptr, b->v.str.ptr, a->v.str.len);
		break;
	case GGUF_ARRAY:
		assert_int_equal(a->v.arr.elem_type, b->v.arr.elem_type);
		assert_int_equal(a->v.arr.count, b->v.arr.count);
		for (i = 0; i < a->v.arr.count; i++)
			assert_value_equal(&a->v.arr.items[i], &b->v.arr.items[i]);
		break;
	default:
		assert_int_equal(a->v.u, b->v.u);
	}
}

/* Every value type at its extremes, strings, and nested arrays: writer ->
 * bytes -> reader gives back the same values. */
static void
test_roundtrip_values(void **state)
{
	gguf_value vals[32], s_items[3], inner[3], deep[GGUF_MAX_ARRAY_DEPTH], leaf, f32s[2];
	const char *keys[32];
	gguf_writer *w = gguf_writer_new(0);
	size_t n = 0, i, len;
	uint8_t *buf;
	errmsg err;
	gguf_file *f;

	(void)state;
	keys[n] = "u8"; vals[n++] = mk_scalar(GGUF_UINT8, 255);
	keys[n] = "i8"; vals[n] = mk_scalar(GGUF_INT8, 0); vals[n++].v.i = -128;
	keys[n] = "u16"; vals[n++] = mk_scalar(GGUF_UINT16, 65535);
	keys[n] = "i16"; vals[n] = mk_scalar(GGUF_INT16, 0); vals[n++].v.i = -32768;
	keys[n] = "u32"; vals[n++] = mk_scalar(GGUF_UINT32, UINT32_MAX);
	keys[n] = "i32"; vals[n] = mk_scalar(GGUF_INT32, 0); vals[n++].v.i = INT32_MIN;
	keys[n] = "u64"; vals[n++] = mk_scalar(GGUF_UINT64, UINT64_MAX);
	keys[n] = "i64"; vals[n] = mk_scalar(GGUF_INT64, 0); vals[n++].v.i = INT64_MIN;
	keys[n] = "f32"; vals[n] = mk_scalar(GGUF_FLOAT32, 0); vals[n++].v.f = (double)-3.25e-7f;
	keys[n] = "f64"; vals[n] = mk_scalar(GGUF_FLOAT64, 0); vals[n++].v.f = 0.1;
	keys[n] = "bool.t"; vals[n] = mk_scalar(GGUF_BOOL, 0); vals[n++].v.b = true;
	keys[n] = "bool.f"; vals[n] = mk_scalar(GGUF_BOOL, 0); vals[n++].v.b = false;
	keys[n] = "str"; vals[n] = mk_scalar(GGUF_STRING, 0);
	vals[n].v.str.ptr = "tab\there \"q\" \xe2\x96\x81x";
	vals[n++].v.str.len = strlen("tab\there \"q\" \xe2\x96\x81x");
	keys[n] = "str.empty"; vals[n] = mk_scalar(GGUF_STRING, 0);
	vals[n].v.str.ptr = "";
	vals[n++].v.str.len = 0;
	for (i = 0; i < 3; i++) {
		s_items[i] = mk_scalar(GGUF_STRING, 0);
		s_items[i].v.str.ptr = i == 0 ? "a" : i == 1 ? "" : "ccc";
		s_items[i].v.str.len = i == 0 ? 1 : i == 1 ? 0 : 3;
	}
	keys[n] = "arr.str"; vals[n++] = mk_array(GGUF_STRING, s_items, 3);
	f32s[0] = mk_scalar(GGUF_FLOAT32, 0);
	f32s[0].v.f = 1.5;
	f32s[1] = mk_scalar(GGUF_FLOAT32, 0);
	f32s[1].v.f = -0.0;
	keys[n] = "arr.f32"; vals[n++] = mk_array(GGUF_FLOAT32, f32s, 2);
	keys[n] = "arr.empty"; vals[n++] = mk_array(GGUF_INT64, NULL, 0);
	/* [[strings], [], [strings]] */
	inner[0] = mk_array(GGUF_STRING, s_items, 3);
	inner[1] = mk_array(GGUF_UINT8, NULL, 0);
	inner[2] = mk_array(GGUF_STRING, s_items + 2, 1);
	keys[n] = "arr.nested"; vals[n++] = mk_array(GGUF_ARRAY, inner, 3);
	/* Nested exactly as deep as allowed. */
	leaf = mk_scalar(GGUF_INT32, 0);
	leaf.v.i = -7;
	deep[GGUF_MAX_ARRAY_DEPTH - 1] = mk_array(GGUF_INT32, &leaf, 1);
	for (i = GGUF_MAX_ARRAY_DEPTH - 1; i > 0; i--)
		deep[i - 1] = mk_array(GGUF_ARRAY, &deep[i], 1);
	keys[n] = "arr.deep"; vals[n++] = deep[0];

	for (i = 0; i < n; i++)
		gguf_writer_set_value(w, keys[i], &vals[i]);
	assert_int_equal(gguf_writer_write_mem(w, &buf, &len, &err), 0);
	gguf_writer_free(w);
	f = gguf_open_owned(buf, len, "roundtrip", &err);
	if (f == NULL)
		fail_msg("%s", err.text);
	assert_int_equal(gguf_kv_count(f), n);
	for (i = 0; i < n; i++) {
		const gguf_kv *kv = gguf_kv_at(f, i);

		assert_string_equal(kv->key, keys[i]);
		assert_value_equal(&kv->value, &vals[i]);
	}
	assert_int_equal(gguf_find_kv(f, "i64")->value.v.i, INT64_MIN);
	gguf_close(f);
}

/* The typed setters write the types they name. */
static void
test_roundtrip_setters(void **state)
{
	static const char *const strs[] = { "x", "yy" };
	gguf_writer *w = gguf_writer_new(0);
	uint8_t *buf;
	size_t len;
	errmsg err;
	gguf_file *f;

	(void)state;
	gguf_writer_set_u32(w, "a", 7);
	gguf_writer_set_i32(w, "b", -7);
	gguf_writer_set_u64(w, "c", 1ull << 40);
	gguf_writer_set_f32(w, "d", 0.1f);
	gguf_writer_set_bool(w, "e", true);
	gguf_writer_set_str(w, "f", "text");
	gguf_writer_set_str_array(w, "g", strs, 2);
	gguf_writer_set_str_array(w, "h", NULL, 0);
	assert_int_equal(gguf_writer_write_mem(w, &buf, &len, &err), 0);
	gguf_writer_free(w);
	f = gguf_open_owned(buf, len, "setters", &err);
	assert_non_null(f);
	assert_int_equal(gguf_find_kv(f, "a")->value.type, GGUF_UINT32);
	assert_int_equal(gguf_find_kv(f, "a")->value.v.u, 7);
	assert_int_equal(gguf_find_kv(f, "b")->value.type, GGUF_INT32);
	assert_int_equal(gguf_find_kv(f, "b")->value.v.i, -7);
	assert_int_equal(gguf_find_kv(f, "c")->value.type, GGUF_UINT64);
	assert_int_equal(gguf_find_kv(f, "c")->value.v.u, 1ull << 40);
	assert_int_equal(gguf_find_kv(f, "d")->value.type, GGUF_FLOAT32);
	assert_true(gguf_find_kv(f, "d")->value.v.f == (double)0.1f);
	assert_int_equal(gguf_find_kv(f, "e")->value.type, GGUF_BOOL);
	assert_true(gguf_find_kv(f, "e")->value.v.b);
	assert_int_equal(gguf_find_kv(f, "f")->value.v.str.len, 4);
	assert_int_equal(gguf_find_kv(f, "g")->value.v.arr.count, 2);
	assert_int_equal(gguf_find_kv(f, "g")->value.v.arr.items[1].v.str.len, 2);
	assert_int_equal(gguf_find_kv(f, "h")->value.v.arr.elem_type, GGUF_STRING);
	assert_int_equal(gguf_find_kv(f, "h")->value.v.arr.count, 0);
	gguf_close(f);
}

/* Lookup stays right with many keys and tensors (hash collisions, growth). */
static void
test_lookup_many(void **state)
{
	gguf_writer *w = gguf_writer_new(0);
	uint64_t ne[1] = { 32 };
	static float zeros[32];
	uint8_t *buf;
	size_t len, i;
	errmsg err;
	gguf_file *f;
	char name[64];

	(void)state;
	for (i = 0; i < 1500; i++) {
		snprintf(name, sizeof name, "blk.%zu.t", i);
		assert_int_equal(gguf_writer_add_tensor(w, name, 1, ne, QT_F32, zeros, sizeof zeros, 0, &err), 0);
		snprintf(name, sizeof name, "key.%zu", i);
		gguf_writer_set_u64(w, name, i);
	}
	assert_int_equal(gguf_writer_write_mem(w, &buf, &len, &err), 0);
	gguf_writer_free(w);
	f = gguf_open_owned(buf, len, "many", &err);
	assert_non_null(f);
	for (i = 0; i < 1500; i++) {
		uint64_t u;

		snprintf(name, sizeof name, "blk.%zu.t", i);
		assert_ptr_equal(gguf_find_tensor(f, name), gguf_tensor_at(f, i));
		snprintf(name, sizeof name, "key.%zu", i);
		assert_true(gguf_get_u64(f, name, &u));
		assert_int_equal(u, i);
	}
	assert_null(gguf_find_tensor(f, "blk.1500.t"));
	assert_null(gguf_find_kv(f, "key.1500"));
	assert_null(gguf_find_kv(f, ""));
	gguf_close(f);
}

static void
test_open_errors(void **state)
{
	char dir[] = "/tmp/ggscope-test-XXXXXX", path[128];
	errmsg err;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/missing.gguf", dir);
	assert_null(gguf_open(path, &err));
	assert_non_null(strstr(err.text, path));
	assert_non_null(strstr(err.text, "No such file"));
	assert_null(gguf_open(dir, &err));
	assert_non_null(strstr(err.text, "not a regular file"));
	snprintf(path, sizeof path, "%s/empty.gguf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_null(gguf_open(path, &err));
	assert_non_null(strstr(err.text, "empty.gguf: byte 0: magic: the file ends at byte 0"));
	assert_null(gguf_open_mem(NULL, 0, NULL, &err));
	assert_non_null(strstr(err.text, "<memory>: byte 0: magic"));
	unlink(path);
	rmdir(dir);
}

/* gguf_open maps a file and gives the same view as gguf_open_mem. */
static void
test_open_file(void **state)
{
	char dir[] = "/tmp/ggscope-test-XXXXXX", path[128];
	uint8_t *buf;
	size_t len;
	errmsg err;
	gguf_file *f;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sample.gguf", dir);
	gguf_fixture_sample(&buf, &len);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	fclose(fp);
	f = gguf_open(path, &err);
	assert_non_null(f);
	assert_string_equal(gguf_name(f), path);
	assert_int_equal(gguf_size(f), len);
	assert_memory_equal(gguf_tensor_at(f, 3)->data, buf + gguf_data_offset(f) + gguf_tensor_at(f, 3)->offset,
		gguf_tensor_at(f, 3)->n_bytes);
	gguf_close(f);
	free(buf);
	unlink(path);
	rmdir(dir);
}

static void
test_type_table(void **state)
{
	static const uint32_t retired[] = { 4, 5, 31, 32, 33, 36, 37, 38, 40, 1000 };
	uint64_t bytes;
	size_t i;
	int known = 0;

	(void)state;
	for (i = 0; i < sizeof retired / sizeof retired[0]; i++)
		assert_null(quant_type_info(retired[i]));
	for (i = 0; i < QT_COUNT; i++)
		known += quant_type_info((uint32_t)i) != NULL;
	assert_int_equal(known, 32);
	assert_string_equal(quant_type_info(QT_Q4_K)->name, "q4_K");
	assert_int_equal(quant_type_info(QT_Q4_K)->block_bytes, 144);
	assert_int_equal(quant_type_info(QT_Q6_K)->block_bytes, 210);
	assert_int_equal(quant_type_info(QT_Q8_1)->block_bytes, 36);
	assert_int_equal(quant_type_info(QT_Q8_K)->block_bytes, 292);
	assert_int_equal(quant_type_info(QT_IQ4_XS)->block_bytes, 136);
	assert_int_equal(quant_type_info(QT_MXFP4)->block_bytes, 17);
	assert_true(quant_type_info(QT_Q5_K)->can_dequant);
	assert_false(quant_type_info(QT_Q2_K)->can_dequant);
	assert_int_equal(quant_type_from_name("q4_k"), QT_Q4_K);
	assert_int_equal(quant_type_from_name("Q6_K"), QT_Q6_K);
	assert_int_equal(quant_type_from_name("bf16"), QT_BF16);
	assert_int_equal(quant_type_from_name("q4_2"), -1);
	assert_int_equal(quant_type_from_name(""), -1);
	assert_true(quant_row_bytes(QT_Q4_K, 4096, &bytes));
	assert_int_equal(bytes, 16 * 144);
	assert_true(quant_row_bytes(QT_F32, 3, &bytes));
	assert_int_equal(bytes, 12);
	assert_false(quant_row_bytes(QT_Q4_K, 4000, &bytes));
	assert_false(quant_row_bytes(4, 32, &bytes));
	assert_false(quant_row_bytes(QT_F32, UINT64_MAX / 2, &bytes));
	/* ggscope's table agrees with the header's layout constants. */
	assert_int_equal(quant_type_info(QT_Q8_0)->block_elems, QK8_0);
	assert_int_equal(quant_type_info(QT_Q6_K)->block_elems, QK_K);
}

static void
test_vtype_names(void **state)
{
	(void)state;
	assert_string_equal(gguf_vtype_name(GGUF_UINT8), "uint8");
	assert_string_equal(gguf_vtype_name(GGUF_FLOAT64), "float64");
	assert_string_equal(gguf_vtype_name(GGUF_ARRAY), "array");
	assert_string_equal(gguf_vtype_name(13), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_messages),
		cmocka_unit_test(test_malformed_distinct),
		cmocka_unit_test(test_valid_fixtures),
		cmocka_unit_test(test_owned_failure_frees),
		cmocka_unit_test(test_sample_contents),
		cmocka_unit_test(test_roundtrip_values),
		cmocka_unit_test(test_roundtrip_setters),
		cmocka_unit_test(test_lookup_many),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_open_file),
		cmocka_unit_test(test_type_table),
		cmocka_unit_test(test_vtype_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
