/* Unit tests for layers (src/layers.c): blk.N parsing and grouping. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gguf.h"
#include "gguf_fixtures.h"
#include "gguf_write.h"
#include "layers.h"
#include "quant.h"

static void
test_block_of(void **state)
{
	const char *suffix = NULL;

	(void)state;
	assert_int_equal(layers_block_of("blk.0.attn_q.weight", &suffix), 0);
	assert_string_equal(suffix, "attn_q.weight");
	assert_int_equal(layers_block_of("blk.127.ffn_down.weight", &suffix), 127);
	assert_string_equal(suffix, "ffn_down.weight");
	assert_int_equal(layers_block_of("blk.7.", NULL), 7);
	assert_int_equal(layers_block_of("blk.007.x", NULL), 7);
	assert_int_equal(layers_block_of("token_embd.weight", NULL), -1);
	assert_int_equal(layers_block_of("output.weight", NULL), -1);
	assert_int_equal(layers_block_of("blk.x.weight", NULL), -1);
	assert_int_equal(layers_block_of("blk..weight", NULL), -1);
	assert_int_equal(layers_block_of("blk.-1.weight", NULL), -1);
	assert_int_equal(layers_block_of("blk.+1.weight", NULL), -1);
	assert_int_equal(layers_block_of("blk. 1.weight", NULL), -1);
	assert_int_equal(layers_block_of("blk.12", NULL), -1);
	assert_int_equal(layers_block_of("blk.12x.w", NULL), -1);
	assert_int_equal(layers_block_of("blk.99999999999999999999999.w", NULL), -1);
	assert_int_equal(layers_block_of("xblk.1.w", NULL), -1);
	assert_int_equal(layers_block_of("BLK.1.w", NULL), -1);
	assert_int_equal(layers_block_of("", NULL), -1);
}

static void
assert_group(const layer_group *g, long block, size_t n, const size_t *idx)
{
	size_t i;

	assert_non_null(g);
	assert_int_equal(g->block, block);
	assert_int_equal(g->n_tensors, n);
	for (i = 0; i < n; i++)
		assert_int_equal(g->tensors[i], idx[i]);
}

/* The sample: token_embd (0), blk.0 x3 (1-3), blk.1 x2 (4-5), output_norm (6). */
static void
test_group_sample(void **state)
{
	static const size_t global[] = { 0, 6 }, b0[] = { 1, 2, 3 }, b1[] = { 4, 5 };
	uint8_t *buf;
	size_t len;
	errmsg err;
	gguf_file *f;
	layer_map *m;

	(void)state;
	gguf_fixture_sample(&buf, &len);
	f = gguf_open_owned(buf, len, "sample", &err);
	assert_non_null(f);
	m = layers_group(f);
	assert_int_equal(m->n_groups, 3);
	assert_group(&m->groups[0], -1, 2, global);
	assert_group(&m->groups[1], 0, 3, b0);
	assert_group(&m->groups[2], 1, 2, b1);
	assert_int_equal(m->groups[0].n_bytes, 32 * 8 * 4 + 32 * 4);
	assert_int_equal(m->groups[1].n_bytes, 256 * 4 + 4 * Q8_0_BYTES * 8 + 4 * Q4_K_BYTES);
	assert_int_equal(m->groups[2].n_bytes, 256 * 4 + 2 * Q6_K_BYTES);
	assert_ptr_equal(layers_find_block(m, -1), &m->groups[0]);
	assert_ptr_equal(layers_find_block(m, 0), &m->groups[1]);
	assert_ptr_equal(layers_find_block(m, 1), &m->groups[2]);
	assert_null(layers_find_block(m, 2));
	assert_null(layers_find_block(m, -2));
	layers_free(m);
	gguf_close(f);
}

/* Blocks sort numerically (2 before 10), tensors keep file order within a
 * block, and a file with no non-block tensors starts with block groups. */
static void
test_group_order(void **state)
{
	static const char *const names[] = {
		"blk.10.a", "blk.2.b", "blk.10.c", "blk.2.a", "blk.0.z",
	};
	static const size_t b0[] = { 4 }, b2[] = { 1, 3 }, b10[] = { 0, 2 };
	gguf_writer *w = gguf_writer_new(0);
	uint64_t ne[1] = { 32 };
	uint8_t *buf;
	size_t len, i;
	errmsg err;
	gguf_file *f;
	layer_map *m;

	(void)state;
	for (i = 0; i < 5; i++)
		assert_int_equal(gguf_writer_add_tensor(w, names[i], 1, ne, QT_F32, NULL, 128, 0, &err), 0);
	assert_int_equal(gguf_writer_write_mem(w, &buf, &len, &err), 0);
	gguf_writer_free(w);
	f = gguf_open_owned(buf, len, "order", &err);
	assert_non_null(f);
	m = layers_group(f);
	assert_int_equal(m->n_groups, 3);
	assert_group(&m->groups[0], 0, 1, b0);
	assert_group(&m->groups[1], 2, 2, b2);
	assert_group(&m->groups[2], 10, 2, b10);
	assert_int_equal(m->groups[2].n_bytes, 256);
	assert_null(layers_find_block(m, -1));
	assert_ptr_equal(layers_find_block(m, 10), &m->groups[2]);
	layers_free(m);
	gguf_close(f);
}

static void
test_group_empty(void **state)
{
	gguf_writer *w = gguf_writer_new(0);
	uint8_t *buf;
	size_t len;
	errmsg err;
	gguf_file *f;
	layer_map *m;

	(void)state;
	assert_int_equal(gguf_writer_write_mem(w, &buf, &len, &err), 0);
	gguf_writer_free(w);
	f = gguf_open_owned(buf, len, "empty", &err);
	assert_non_null(f);
	m = layers_group(f);
	assert_int_equal(m->n_groups, 0);
	assert_null(layers_find_block(m, 0));
	assert_null(layers_find_block(m, -1));
	layers_free(m);
	layers_free(NULL);
	gguf_close(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_of),
		cmocka_unit_test(test_group_sample),
		cmocka_unit_test(test_group_order),
		cmocka_unit_test(test_group_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
