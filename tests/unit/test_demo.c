/* Unit tests for demo: layout and metadata of the synthetic block,
 * determinism (seed -> bytes, independent of threads), weight statistics,
 * and argument errors. Small shapes keep it fast under ASan. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "demo.h"
#include "quant.h"
#include "ref.h"

/* FNV-1a of the tensor bytes of the seed-42 small block (small_config). */
#define DEMO_PINNED_HASH 0xb1edd4b9703f9251ull

static void
small_config(demo_config *c, uint64_t seed, int threads)
{
	demo_config_default(c);
	c->seed = seed;
	c->hidden = 256;
	c->ffn = 512;
	c->kv_dim = 256;
	c->block = 3;
	c->threads = threads;
}

/* The serialized file for a config. */
static uint8_t *
build_image(const demo_config *c, size_t *len)
{
	errmsg err;
	gguf_writer *w = demo_build(c, &err);
	uint8_t *buf = NULL;

	if (w == NULL)
		fail_msg("demo_build: %s", err.text);
	if (gguf_writer_write_mem(w, &buf, len, &err) != 0)
		fail_msg("write_mem: %s", err.text);
	gguf_writer_free(w);
	return buf;
}

static void
test_same_seed_same_bytes(void **state)
{
	demo_config c;
	size_t n1, n2, n3;
	uint8_t *a, *b, *d;

	(void)state;
	small_config(&c, 7, 1);
	a = build_image(&c, &n1);
	small_config(&c, 7, 3);
	b = build_image(&c, &n2);
	small_config(&c, 7, 0);
	d = build_image(&c, &n3);
	assert_int_equal(n1, n2);
	assert_int_equal(n1, n3);
	assert_memory_equal(a, b, n1);
	assert_memory_equal(a, d, n1);
	free(a);
	free(b);
	free(d);
}

static void
test_other_seed_other_weights(void **state)
{
	demo_config c;
	errmsg err;
	gguf_file *f1, *f2;

	(void)state;
	small_config(&c, 1, 2);
	f1 = demo_open(&c, &err);
	assert_non_null(f1);
	small_config(&c, 2, 2);
	f2 = demo_open(&c, &err);
	assert_non_null(f2);
	assert_int_equal(gguf_tensor_count(f1), gguf_tensor_count(f2));
	/* Every tensor differs, in nearly every block. */
	for (size_t i = 0; i < gguf_tensor_count(f1); i++) {
		const gguf_tensor *t1 = gguf_tensor_at(f1, i), *t2 = gguf_tensor_at(f2, i);
		size_t same = 0;

		assert_string_equal(t1->name, t2->name);
		assert_int_equal(t1->n_bytes, t2->n_bytes);
		for (uint64_t j = 0; j + 4 <= t1->n_bytes; j += 4)
			same += memcmp(t1->data + j, t2->data + j, 4) == 0;
		if (same > t1->n_bytes / 4 / 20)
			fail_msg("%s: %zu of %llu words equal across seeds", t1->name, same,
				(unsigned long long)(t1->n_bytes / 4));
	}
	gguf_close(f1);
	gguf_close(f2);
}

/* FNV-1a over every tensor's bytes: pins the generator and the quantizers,
 * so a change to either (or arithmetic that differs on another platform)
 * is noticed. */
static void
test_pinned_hash(void **state)
{
	demo_config c;
	errmsg err;
	gguf_file *f;
	uint64_t h = 0xcbf29ce484222325ull;

	(void)state;
	small_config(&c, 42, 2);
	f = demo_open(&c, &err);
	assert_non_null(f);
	for (size_t i = 0; i < gguf_tensor_count(f); i++) {
		const gguf_tensor *t = gguf_tensor_at(f, i);

		for (uint64_t j = 0; j < t->n_bytes; j++)
			h = (h ^ t->data[j]) * 0x100000001b3ull;
	}
	print_message("demo tensor hash %016llx\n", (unsigned long long)h);
	assert_true(h == DEMO_PINNED_HASH);
	gguf_close(f);
}

static void
test_layout_and_metadata(void **state)
{
	static const struct { const char *name; uint32_t type; uint64_t ne0, ne1; uint32_t n_dims; } want[] = {
		{ "blk.3.attn_norm.weight", QT_F32, 256, 1, 1 },
		{ "blk.3.attn_q.weight", QT_Q4_K, 256, 256, 2 },
		{ "blk.3.attn_k.weight", QT_Q4_K, 256, 256, 2 },
		{ "blk.3.attn_v.weight", QT_Q6_K, 256, 256, 2 },
		{ "blk.3.attn_output.weight", QT_Q4_K, 256, 256, 2 },
		{ "blk.3.ffn_norm.weight", QT_F32, 256, 1, 1 },
		{ "blk.3.ffn_gate.weight", QT_Q4_K, 256, 512, 2 },
		{ "blk.3.ffn_up.weight", QT_Q4_K, 256, 512, 2 },
		{ "blk.3.ffn_down.weight", QT_Q6_K, 512, 256, 2 },
	};
	demo_config c;
	errmsg err;
	gguf_file *f;
	gguf_str s;
	uint64_t v;
	char name[64];

	(void)state;
	small_config(&c, 1234567890123ull, 2);
	f = demo_open(&c, &err);
	assert_non_null(f);
	assert_string_equal(gguf_name(f), "<demo layer, seed 1234567890123>");
	assert_string_equal(demo_name(&c, name, sizeof name), "<demo layer, seed 1234567890123>");
	assert_int_equal(gguf_tensor_count(f), 9);
	for (size_t i = 0; i < 9; i++) {
		const gguf_tensor *t = gguf_find_tensor(f, want[i].name);

		assert_non_null(t);
		assert_ptr_equal(t, gguf_tensor_at(f, i));
		assert_int_equal(t->type, want[i].type);
		assert_int_equal(t->n_dims, want[i].n_dims);
		assert_int_equal(t->ne[0], want[i].ne0);
		assert_int_equal(t->ne[1], want[i].ne1);
	}
	assert_true(gguf_get_str(f, "general.architecture", &s));
	assert_int_equal(s.len, 5);
	assert_memory_equal(s.ptr, "llama", 5);
	assert_true(gguf_get_u64(f, "general.file_type", &v) && v == 15);
	assert_true(gguf_get_u64(f, "llama.embedding_length", &v) && v == 256);
	assert_true(gguf_get_u64(f, "llama.feed_forward_length", &v) && v == 512);
	assert_true(gguf_get_u64(f, "llama.block_count", &v) && v == 4);
	assert_true(gguf_get_u64(f, "llama.attention.head_count", &v) && v == 2);
	assert_true(gguf_get_u64(f, "llama.attention.head_count_kv", &v) && v == 2);
	assert_true(gguf_get_u64(f, "ggscope.demo.seed", &v) && v == 1234567890123ull);
	assert_true(gguf_get_str(f, "general.name", &s));
	gguf_close(f);
}

/* The weights look like a trained layer's: zero mean, std about 1/sqrt(k)
 * with a clear spread between rows; norms positive around 1. */
static void
test_weight_statistics(void **state)
{
	demo_config c;
	errmsg err;
	gguf_file *f;
	const gguf_tensor *t;
	float row[512];
	double sum = 0, sum2 = 0, rmin = 1e9, rmax = 0;

	(void)state;
	small_config(&c, 99, 2);
	f = demo_open(&c, &err);
	assert_non_null(f);

	t = gguf_find_tensor(f, "blk.3.ffn_gate.weight");
	assert_non_null(t);
	for (uint64_t r = 0; r < t->ne[1]; r++) {
		double rs2 = 0;

		assert_int_equal(quant_dequant_row(t->type, t->data + r * (t->n_bytes / t->ne[1]), row,
			(int64_t)t->ne[0], &err), 0);
		for (uint64_t i = 0; i < t->ne[0]; i++) {
			sum += row[i];
			sum2 += (double)row[i] * row[i];
			rs2 += (double)row[i] * row[i];
		}
		rs2 = sqrt(rs2 / (double)t->ne[0]);
		rmin = rs2 < rmin ? rs2 : rmin;
		rmax = rs2 > rmax ? rs2 : rmax;
	}
	{
		double n = (double)(t->ne[0] * t->ne[1]);
		double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);

		print_message("ffn_gate: mean %.5f sd %.5f row rms %.4f..%.4f\n", mean, sd, rmin, rmax);
		assert_true(fabs(mean) < 0.002);
		assert_true(sd > 0.8 / 16 && sd < 1.3 / 16); /* 1/sqrt(256) times the spread */
		assert_true(rmax / rmin > 2.0);
	}

	t = gguf_find_tensor(f, "blk.3.attn_norm.weight");
	assert_non_null(t);
	assert_int_equal(quant_dequant_row(QT_F32, t->data, row, 256, &err), 0);
	sum = 0;
	for (int i = 0; i < 256; i++) {
		assert_true(row[i] > 0.3f && row[i] < 3.0f);
		sum += row[i];
	}
	assert_true(fabs(sum / 256 - 1.0) < 0.1);

	/* The reference GEMV runs on the demo tensors as they are. */
	{
		float x[512];
		double y[256];

		t = gguf_find_tensor(f, "blk.3.ffn_down.weight");
		for (int i = 0; i < 512; i++)
			x[i] = 1.0f;
		assert_int_equal(ref_gemv(t->type, t->data, (int64_t)t->ne[1], (int64_t)t->ne[0], x, y, 2, &err), 0);
		assert_true(isfinite(y[0]) && y[0] != 0.0);
	}
	gguf_close(f);
}

struct progress_log {
	uint64_t calls, last_done, total;
	int went_back;
};

static void
on_progress(void *arg, uint64_t done, uint64_t total)
{
	struct progress_log *l = arg;

	if (done < l->last_done)
		l->went_back = 1;
	l->calls++;
	l->last_done = done;
	l->total = total;
}

/* Progress comes on the calling thread, never goes backwards, and ends at
 * the total: the rows of all 9 tensors (1 + 256 + 256 + 256 + 256 + 1 +
 * 512 + 512 + 256). */
static void
test_progress(void **state)
{
	struct progress_log log = { 0, 0, 0, 0 };
	demo_config c;
	errmsg err;
	gguf_writer *w;

	(void)state;
	small_config(&c, 3, 2);
	c.progress = on_progress;
	c.progress_arg = &log;
	w = demo_build(&c, &err);
	assert_non_null(w);
	gguf_writer_free(w);
	assert_true(log.calls >= 2);
	assert_false(log.went_back);
	assert_int_equal(log.total, 2306);
	assert_int_equal(log.last_done, 2306);
}

static void
test_bad_configs(void **state)
{
	demo_config c;
	errmsg err;

	(void)state;
	small_config(&c, 1, 1);
	c.hidden = 0;
	assert_null(demo_build(&c, &err));
	assert_non_null(strstr(err.text, "hidden size 0"));
	small_config(&c, 1, 1);
	c.ffn = 300;
	assert_null(demo_build(&c, &err));
	assert_non_null(strstr(err.text, "feed-forward size 300"));
	small_config(&c, 1, 1);
	c.kv_dim = 1u << 20;
	assert_null(demo_open(&c, &err));
	assert_non_null(strstr(err.text, "key/value size"));
	small_config(&c, 1, 1);
	c.block = -1;
	assert_null(demo_build(&c, &err));
	assert_non_null(strstr(err.text, "block number -1"));
	/* Sizes that are each allowed but together too big: refused before
	 * any allocation. */
	small_config(&c, 1, 1);
	c.hidden = 1u << 17;
	c.ffn = 1u << 17;
	assert_null(demo_build(&c, &err));
	assert_non_null(strstr(err.text, "GiB"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test(test_other_seed_other_weights),
		cmocka_unit_test(test_pinned_hash),
		cmocka_unit_test(test_layout_and_metadata),
		cmocka_unit_test(test_weight_statistics),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_bad_configs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
