/* Unit tests for the variant registry: consistency with kernels/, shape
 * rules, launch geometry, byte counts, the legacy pick. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "quant.h"
#include "variant.h"

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Every entry names a file that exists and defines its entry with the
 * kernel ABI, has sane legal warps, and a unique lowercase name. */
static void
test_registry_consistent(void **state)
{
	size_t i, j, gemv = 0;

	(void)state;
	assert_int_equal(variant_count(), 18);
	assert_null(variant_at(variant_count()));
	for (i = 0; i < variant_count(); i++) {
		const variant *v = variant_at(i);
		char path[1024], sig[128], *text;

		assert_non_null(v);
		for (const char *p = v->name; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
		for (j = 0; j < i; j++)
			assert_string_not_equal(variant_at(j)->name, v->name);
		assert_ptr_equal(variant_find(v->name), v);
		assert_true(v->n_warps >= 1 && v->n_warps <= VARIANT_MAX_WARPS);
		for (j = 0; j < v->n_warps; j++) {
			assert_true(v->warps[j] >= 1 && v->warps[j] <= 32);
			if (j > 0)
				assert_true(v->warps[j] > v->warps[j - 1]);
		}
		assert_true(variant_warps_legal(v, v->default_warps));
		assert_non_null(v->description);
		assert_non_null(v->warps_means);

		snprintf(path, sizeof path, "%s/kernels/%s", GGSCOPE_SRCDIR, v->file);
		text = slurp(path);
		if (text == NULL)
			fail_msg("%s: kernel source %s is missing", v->name, path);
		snprintf(sig, sizeof sig, "\n%s(", v->entry);
		if (strstr(text, "extern \"C\" __global__") == NULL || strstr(text, sig) == NULL)
			fail_msg("%s: %s does not define extern \"C\" __global__ %s(", v->name, path, v->entry);
		if (v->kind == VARIANT_GEMV) {
			gemv++;
			assert_true(v->qtype == QT_Q4_K || v->qtype == QT_Q6_K);
			assert_non_null(strstr(text, "float *__restrict__ y, const unsigned char *__restrict__ w"));
			assert_non_null(strstr(text, "const void *__restrict__ xv, int k, int n)"));
		} else {
			assert_ptr_equal(v, variant_quantizer());
			assert_non_null(strstr(text, "const float *__restrict__ x, unsigned char *__restrict__ q8, int k)"));
		}
		free(text);
	}
	assert_int_equal(gemv, 17);
	assert_int_equal(variant_quantizer()->kind, VARIANT_QUANTIZE);
}

static void
test_find(void **state)
{
	(void)state;
	assert_non_null(variant_find("q4k_mwv"));
	assert_ptr_equal(variant_find("Q4K_MWV"), variant_find("q4k_mwv"));
	assert_null(variant_find("q4k_legacy")); /* an alias, not an entry */
	assert_null(variant_find("nope"));
	assert_null(variant_find(NULL));
	assert_string_equal(variant_input_name(variant_find("q6k_dp4a")->input), "q8_1");
	assert_string_equal(variant_input_name(variant_find("q6k_mwv")->input), "f32");
}

static void
test_warps_text(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(variant_warps_text(variant_find("q4k_mwv"), buf, sizeof buf), "1..8");
	assert_string_equal(variant_warps_text(variant_find("q4k_tiled"), buf, sizeof buf), "4");
	assert_string_equal(variant_warps_text(variant_find("q4k_basic"), buf, sizeof buf), "1");
	assert_string_equal(variant_warps_text(variant_find("q4k_wide"), buf, sizeof buf), "8");
	assert_string_equal(variant_warps_text(variant_find("q4k_mwv"), buf, 3), "1.");
}

/* Accepts when `want` is NULL, else rejects with a message containing it. */
static void
expect_shape(const char *name, int warps, uint32_t n, uint32_t k, const char *want)
{
	errmsg err;
	int rc;

	err.text[0] = '\0';
	rc = variant_check_shape(variant_find(name), warps, n, k, &err);
	if (want == NULL && rc != 0)
		fail_msg("%s warps %d n %u k %u rejected: %s", name, warps, n, k, err.text);
	if (want != NULL && rc == 0)
		fail_msg("%s warps %d n %u k %u accepted, want '%s'", name, warps, n, k, want);
	if (want != NULL && strstr(err.text, want) == NULL)
		fail_msg("%s warps %d n %u k %u: '%s' lacks '%s'", name, warps, n, k, err.text, want);
}

static void
test_shape_rules(void **state)
{
	(void)state;
	expect_shape("q4k_tiled", 4, 4096, 4096, NULL);
	expect_shape("q4k_tiled", 4, 4096, 12288, NULL);
	expect_shape("q4k_tiled", 4, 4096, 12544, "k <= 12288");
	expect_shape("q4k_tiled", 4, 4096, 1000, "k % 256 == 0");
	expect_shape("q4k_tiled", 3, 4096, 4096, "warps = 3 is not legal (legal: 4)");
	expect_shape("q4k_chunked", 4, 10, 18944, NULL);
	expect_shape("q4k_chunked", 4, 10, 4096, NULL);
	expect_shape("q4k_chunked", 4, 10, 18900, "k % 256 == 0");
	expect_shape("q4k_basic", 1, 7, 1000, NULL);
	expect_shape("q4k_mwv", 3, 7, 1000, NULL);
	expect_shape("q4k_mwv", 9, 7, 4096, "legal: 1..8");
	expect_shape("q4k_mwv", 0, 7, 4096, "not legal");
	expect_shape("q4k_vectorized", 1, 7, 1000, "q4k_basic and q4k_mwv take any k");
	expect_shape("q4k_hw_dp4a", 8, 7, 4096, NULL);
	expect_shape("q4k_hw_dp4a", 3, 7, 1000, "k % 256 == 0");
	expect_shape("q6k_dp4a", 3, 7, 1000, "q6k_basic and q6k_mwv take any k");
	expect_shape("q6k_mwv", 6, 7, 1000, NULL);
	expect_shape("q6k_hw_dp4a", 2, 7, 14336, NULL);
	expect_shape("q4k_mwv", 3, 0, 4096, "n = 0");
	expect_shape("q4k_mwv", 3, 7, 0, "k = 0");
	expect_shape("q4k_mwv", 3, 0x80000000u, 4096, "n = 2147483648");
	expect_shape("q4k_mwv", 3, 7, (1u << 30) + 256, "exceeds");
	expect_shape("q4k_stream", 3, 4096, 14336, NULL);
	expect_shape("q4k_stream", 8, 4096, 14336, "legal: 1..4");
	expect_shape("q4k_stream_dp4a", 2, 7, 1000, "q4k_basic and q4k_mwv take any k");
	expect_shape("q6k_stream", 4, 4096, 14336, NULL);
	expect_shape("q6k_stream", 5, 4096, 14336, "legal: 1..4");
	expect_shape("q6k_stream_dp4a", 2, 7, 4000, "q6k_basic and q6k_mwv take any k");
	expect_shape("quantize_q8_1", 8, 0, 1000, NULL); /* n does not matter */
	expect_shape("quantize_q8_1", 4, 0, 1000, "legal: 8");
}

static void
expect_geometry(const char *name, int warps, uint32_t n, uint32_t k, int sms, uint32_t grid, uint32_t block,
		uint32_t smem)
{
	variant_launch L;
	errmsg err;

	if (variant_geometry(variant_find(name), warps, n, k, sms, &L, &err) != 0)
		fail_msg("%s: %s", name, err.text);
	if (L.grid_x != grid || L.block_x != block || L.smem_dynamic_bytes != smem)
		fail_msg("%s warps %d n %u k %u: grid %u block %u smem %u, want %u %u %u", name, warps, n, k,
			 L.grid_x, L.block_x, L.smem_dynamic_bytes, grid, block, smem);
}

static void
test_geometry(void **state)
{
	variant_launch L;
	errmsg err;

	(void)state;
	expect_geometry("q4k_basic", 1, 4096, 14336, 132, 4096, 32, 0);
	expect_geometry("q4k_tiled", 4, 4097, 4096, 132, 1025, 128, 16384);
	expect_geometry("q4k_chunked", 4, 10, 18944, 132, 3, 128, 0);
	expect_geometry("q4k_coalesced", 1, 11, 256, 132, 11, 32, 0);
	expect_geometry("q4k_wide", 8, 11, 256, 132, 11, 256, 0);
	expect_geometry("q4k_mwv", 3, 4096, 14336, 132, 4096, 96, 0);
	expect_geometry("q6k_mwv", 8, 5, 1000, 132, 5, 256, 0);
	expect_geometry("q4k_hw_dp4a", 4, 4096, 14336, 132, 2112, 128, 0);
	expect_geometry("q4k_mwv_dp4a", 3, 100, 14336, 132, 100, 96, 0);
	expect_geometry("q6k_dp4a", 2, 14336, 4096, 8, 128, 64, 0);
	expect_geometry("q6k_hw_dp4a", 7, 14336, 4096, 1, 16, 224, 0);
	/* stream: a block per 4 rows, capped at 16 blocks per SM (the
	 * kernels stride over the remaining row groups) */
	expect_geometry("q4k_stream", 2, 4096, 14336, 132, 2112, 64, 0);
	expect_geometry("q4k_stream_dp4a", 3, 37, 512, 1, 16, 96, 0);
	expect_geometry("q6k_stream", 4, 3, 256, 132, 3, 128, 0);
	expect_geometry("q6k_stream_dp4a", 1, 14336, 4096, 132, 2112, 32, 0);
	expect_geometry("quantize_q8_1", 8, 0, 4096, 132, 16, 256, 0);
	expect_geometry("quantize_q8_1", 8, 0, 1000, 132, 4, 256, 0); /* 32 blocks of 32 */
	expect_geometry("quantize_q8_1", 8, 0, 1, 132, 1, 256, 0);
	assert_int_equal(variant_geometry(variant_find("q4k_hw_dp4a"), 4, 10, 4096, 0, &L, &err), -1);
	assert_non_null(strstr(err.text, "SM count"));
	assert_int_equal(variant_geometry(variant_find("q4k_tiled"), 4, 10, 16384, 132, &L, &err), -1);
	assert_non_null(strstr(err.text, "q4k_chunked"));
}

static void
test_bytes(void **state)
{
	(void)state;
	/* The figures of notes/ggml-formats.md for 4096 x 14336. */
	assert_int_equal(variant_weight_bytes(QT_Q4_K, 4096, 14336), 33030144);
	assert_int_equal(variant_weight_bytes(QT_Q6_K, 4096, 14336), 48168960);
	assert_int_equal(variant_weight_bytes(QT_Q4_K, 2, 1000), 2 * 4 * 144); /* partial block stored whole */
	assert_int_equal(variant_weight_bytes(QT_Q8_0, 2, 1024), 0);
	assert_int_equal(variant_q8_1_bytes(14336), 448 * 36);
	assert_int_equal(variant_q8_1_bytes(1000), 32 * 36);
	assert_int_equal(variant_bytes(variant_find("q4k_mwv"), 4096, 14336), 33030144 + 4 * 14336 + 4 * 4096);
	assert_int_equal(variant_bytes(variant_find("q6k_hw_dp4a"), 4096, 14336), 48168960 + 448 * 36 + 4 * 4096);
	assert_int_equal(variant_bytes(variant_quantizer(), 0, 14336), 4 * 14336 + 448 * 36);
}

static void
test_legacy(void **state)
{
	errmsg err;

	(void)state;
	assert_string_equal(variant_legacy_pick(QT_Q4_K, 4096)->name, "q4k_tiled");
	assert_string_equal(variant_legacy_pick(QT_Q4_K, 12288)->name, "q4k_tiled");
	assert_string_equal(variant_legacy_pick(QT_Q4_K, 12544)->name, "q4k_chunked");
	assert_string_equal(variant_legacy_pick(QT_Q4_K, 1000)->name, "q4k_basic");
	assert_string_equal(variant_legacy_pick(QT_Q6_K, 4096)->name, "q6k_basic");
	assert_null(variant_legacy_pick(QT_Q8_0, 4096));

	assert_string_equal(variant_resolve("q4k_legacy", QT_Q4_K, 18944, &err)->name, "q4k_chunked");
	assert_string_equal(variant_resolve("legacy", QT_Q6_K, 4096, &err)->name, "q6k_basic");
	assert_string_equal(variant_resolve("q6k_mwv", QT_Q6_K, 4096, &err)->name, "q6k_mwv");
	assert_null(variant_resolve("q6k_mwv", QT_Q4_K, 4096, &err));
	assert_non_null(strstr(err.text, "runs on Q6_K weights, not on Q4_K"));
	assert_null(variant_resolve("q4k_legacy", QT_Q6_K, 4096, &err));
	assert_non_null(strstr(err.text, "Q4_K"));
	assert_null(variant_resolve("quantize_q8_1", QT_Q4_K, 4096, &err));
	assert_non_null(strstr(err.text, "quantizer"));
	assert_null(variant_resolve("nope", QT_Q4_K, 4096, &err));
	assert_non_null(strstr(err.text, "unknown variant 'nope'"));
	assert_null(variant_resolve("legacy", QT_Q8_0, 4096, &err));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_consistent), cmocka_unit_test(test_find),
		cmocka_unit_test(test_warps_text),          cmocka_unit_test(test_shape_rules),
		cmocka_unit_test(test_geometry),            cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_legacy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
