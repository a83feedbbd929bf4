/* Unit tests for `ggscope extract` (src/cmd_extract.c), called in-process:
 * the output holds exactly the block's tensors, byte for byte, and all of
 * the source's metadata. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cmd.h"
#include "gguf.h"
#include "gguf_fixtures.h"
#include "layers.h"

static char dir[64], src[128];

static int
setup(void **state)
{
	uint8_t *buf;
	size_t len;
	FILE *fp;

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/ggscope-extract-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(src, sizeof src, "%s/sample.gguf", dir);
	gguf_fixture_sample(&buf, &len);
	fp = fopen(src, "wb");
	if (fp == NULL || fwrite(buf, 1, len, fp) != len || fclose(fp) != 0)
		return -1;
	free(buf);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(src);
	return rmdir(dir);
}

static uint8_t *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return buf;
}

/* Where the KV pairs end: the first tensor info (the files have tensors). */
static uint64_t
kv_region_end(const gguf_file *f)
{
	assert_true(gguf_tensor_count(f) > 0);
	return gguf_tensor_at(f, 0)->info_offset;
}

static int
run_extract(const char *layer, const char *out)
{
	char *argv[] = { "extract", src, "--layer", (char *)layer, "-o", (char *)out, NULL };

	return cmd_extract(6, argv);
}

/* Extract `layer` and compare the output with the source's group `block`. */
static void
check_block(const char *layer, long block)
{
	char out[160];
	gguf_file *a, *b;
	layer_map *m;
	const layer_group *g;
	errmsg err;
	size_t i;

	snprintf(out, sizeof out, "%s/out-%s.gguf", dir, layer);
	assert_int_equal(run_extract(layer, out), 0);
	a = gguf_open(src, &err);
	b = gguf_open(out, &err);
	assert_non_null(a);
	assert_non_null(b);
	m = layers_group(a);
	g = layers_find_block(m, block);
	assert_non_null(g);
	assert_int_equal(gguf_tensor_count(b), g->n_tensors);
	for (i = 0; i < g->n_tensors; i++) {
		const gguf_tensor *s = gguf_tensor_at(a, g->tensors[i]), *t = gguf_tensor_at(b, i);

		assert_string_equal(s->name, t->name);
		assert_int_equal(s->type, t->type);
		assert_int_equal(s->n_dims, t->n_dims);
		assert_memory_equal(s->ne, t->ne, sizeof s->ne);
		assert_int_equal(s->n_bytes, t->n_bytes);
		assert_memory_equal(s->data, t->data, s->n_bytes);
	}
	/* The metadata is copied byte for byte: same keys, types and values. */
	assert_int_equal(gguf_kv_count(b), gguf_kv_count(a));
	{
		uint8_t *ra = slurp(src), *rb = slurp(out);
		uint64_t ka = kv_region_end(a), kb = kv_region_end(b);

		assert_int_equal(ka, kb);
		assert_memory_equal(ra + 24, rb + 24, ka - 24);
		free(ra);
		free(rb);
	}
	for (i = 0; i < gguf_kv_count(a); i++)
		assert_string_equal(gguf_kv_at(a, i)->key, gguf_kv_at(b, i)->key);
	layers_free(m);
	gguf_close(a);
	gguf_close(b);
	unlink(out);
}

static void
test_extract_blocks(void **state)
{
	(void)state;
	check_block("0", 0);
	check_block("1", 1);
	check_block("global", -1);
}

static void
test_extract_missing_block(void **state)
{
	char out[160];

	(void)state;
	snprintf(out, sizeof out, "%s/none.gguf", dir);
	assert_int_equal(run_extract("2", out), 1);
	assert_int_equal(access(out, F_OK), -1);
	assert_int_equal(run_extract("x", out), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extract_blocks),
		cmocka_unit_test(test_extract_missing_block),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
