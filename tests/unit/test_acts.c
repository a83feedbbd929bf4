/* Unit tests for acts: outlier specs, the PRNG, synthetic vectors, raw and
 * NumPy files (well-formed and malformed), token selection. */
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

#include "acts.h"
#include "quant.h"
#include "xalloc.h"

/* ------------------------------------------------------------ spikes */

static void
test_spikes_ok(void **state)
{
	acts_spike s[4];
	errmsg e;

	(void)state;
	assert_int_equal(acts_parse_spikes("408:26,1415:80", s, 4, &e), 2);
	assert_int_equal(s[0].channel, 408);
	assert_true(s[0].mult == 26.0);
	assert_int_equal(s[1].channel, 1415);
	assert_true(s[1].mult == 80.0);
	assert_int_equal(acts_parse_spikes("0:-2.5", s, 4, &e), 1);
	assert_true(s[0].mult == -2.5);
	assert_int_equal(acts_parse_spikes("7:1e3", s, 4, &e), 1);
	assert_true(s[0].mult == 1000.0);
}

static void
test_spikes_bad(void **state)
{
	static const char *const bad[] = {
		"", "408", "408:", ":26", "a:26", "408:x", "408:26,", ",408:26", "408:26,,1:2",
		"-1:5", "408:0", "408:nan", "408:inf", "408:26x", " 408:26", "408: 26",
		"99999999999999999999999:2",
	};
	acts_spike s[4];
	errmsg e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		e.text[0] = '\0';
		assert_int_equal(acts_parse_spikes(bad[i], s, 4, &e), -1);
		assert_true(e.text[0] != '\0');
	}
	assert_int_equal(acts_parse_spikes("1:2,1:3", s, 4, &e), -1);
	assert_non_null(strstr(e.text, "channel 1 is given twice"));
	assert_int_equal(acts_parse_spikes("1:2,2:3,3:4", s, 2, &e), -1);
	assert_non_null(strstr(e.text, "more than 2"));
	assert_int_equal(acts_parse_spikes("5:2,6", s, 4, &e), -1);
	assert_non_null(strstr(e.text, "outlier 2 '6'"));
}

/* ------------------------------------------------------------ PRNG */

/* xoshiro256** seeded by splitmix64, values from an independent Python
 * implementation of the published algorithms. */
static void
test_rng_known_values(void **state)
{
	acts_rng r;

	(void)state;
	acts_rng_seed(&r, 42);
	assert_true(acts_rng_next(&r) == 0x15780b2e0c2ec716ull);
	assert_true(acts_rng_next(&r) == 0x6104d9866d113a7eull);
	assert_true(acts_rng_next(&r) == 0xae17533239e499a1ull);
	acts_rng_seed(&r, 0);
	assert_true(acts_rng_next(&r) == 0x99ec5f36cb75f2b4ull);
	assert_true(acts_rng_next(&r) == 0xbf6e1f784956452aull);
}

static void
test_rng_gauss_moments(void **state)
{
	const int n = 200000;
	double s = 0, s2 = 0, s4 = 0, u;
	acts_rng r;
	int i;

	(void)state;
	acts_rng_seed(&r, 3);
	for (i = 0; i < n; i++) {
		double g = acts_rng_gauss(&r);

		s += g;
		s2 += g * g;
		s4 += g * g * g * g;
		u = acts_rng_uniform(&r);
		assert_true(u >= 0.0 && u < 1.0);
	}
	assert_true(fabs(s / n) < 0.01);
	assert_true(fabs(s2 / n - 1.0) < 0.01);
	assert_true(fabs(s4 / n / ((s2 / n) * (s2 / n)) - 3.0) < 0.05);
}

/* ------------------------------------------------------------ synthetic */

static void
test_synth(void **state)
{
	const uint64_t k = 1536;
	float *a = xmalloc(k * sizeof *a), *b = xmalloc(k * sizeof *b);
	acts_spike sp[3] = { { 408, 26.0 }, { 7, -5.0 }, { 5000, 3.0 } };
	double bulk2 = 0;
	size_t planted;
	uint64_t j;

	(void)state;
	acts_synth(a, k, 42, NULL, 0, &planted);
	acts_synth(b, k, 42, NULL, 0, NULL);
	assert_int_equal(planted, 0);
	assert_memory_equal(a, b, k * sizeof *a);
	acts_synth(b, k, 43, NULL, 0, NULL);
	assert_memory_not_equal(a, b, k * sizeof *a);

	acts_synth(a, k, 42, sp, 3, &planted);
	assert_int_equal(planted, 2);  /* channel 5000 >= k */
	for (j = 0; j < k; j++)
		if (j != 408 && j != 7)
			bulk2 += (double)a[j] * a[j];
	assert_true(fabs(a[408] / sqrt(bulk2 / (double)(k - 2)) - 26.0) < 1e-5);
	assert_true(fabs(a[7] / sqrt(bulk2 / (double)(k - 2)) + 5.0) < 1e-5);
	/* The other channels are the unplanted draw. */
	acts_synth(b, k, 42, NULL, 0, NULL);
	assert_true(a[0] == b[0] && a[1000] == b[1000]);
	free(a);
	free(b);
}

/* ------------------------------------------------------------ npy */

/* Build an npy image: magic, version, header length, header, data. */
static size_t
npy(uint8_t *buf, int major, const char *hdr, const void *data, size_t dlen)
{
	size_t hl = strlen(hdr), pre = major == 1 ? 10 : 12;

	memcpy(buf, "\x93NUMPY", 6);
	buf[6] = (uint8_t)major;
	buf[7] = 0;
	if (major == 1) {
		buf[8] = (uint8_t)hl;
		buf[9] = (uint8_t)(hl >> 8);
	} else {
		buf[8] = (uint8_t)hl;
		buf[9] = (uint8_t)(hl >> 8);
		buf[10] = buf[11] = 0;
	}
	memcpy(buf + pre, hdr, hl);
	if (dlen)
		memcpy(buf + pre + hl, data, dlen);
	return pre + hl + dlen;
}

static void
test_npy_f32_1d(void **state)
{
	uint8_t buf[512];
	float v[3] = { 1.5f, -2.0f, 3.25f };
	acts_file *a;
	errmsg e;
	size_t n;

	(void)state;
	n = npy(buf, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }       \n", v, sizeof v);
	a = acts_load_mem(buf, n, "v.npy", &e);
	assert_non_null(a);
	assert_int_equal(a->format, ACTS_NPY_F32);
	assert_int_equal(a->n_tokens, 1);
	assert_int_equal(a->n_channels, 3);
	assert_false(a->two_d);
	assert_memory_equal(a->data, v, sizeof v);
	assert_ptr_equal(acts_token(a, false, 0, &e), a->data);
	assert_ptr_equal(acts_token(a, true, -1, &e), a->data);
	assert_null(acts_token(a, true, 1, &e));
	assert_non_null(strstr(e.text, "token 1 is out of range: the file holds 1 token"));
	acts_free(a);
	/* Double quotes, other key order, fortran True is fine for 1-D. */
	n = npy(buf, 1, "{\"shape\": (3,), \"fortran_order\": True, \"descr\": \"<f4\"}\n", v, sizeof v);
	a = acts_load_mem(buf, n, "v.npy", &e);
	assert_non_null(a);
	acts_free(a);
}

static void
test_npy_f16_2d_tokens(void **state)
{
	uint8_t buf[512];
	uint16_t h[6];
	float want[6] = { 0.5f, -1.0f, 2.0f, 65504.0f, -0.25f, 3.0f };
	acts_file *a;
	const float *t;
	errmsg e;
	size_t n;
	int i;

	(void)state;
	for (i = 0; i < 6; i++)
		h[i] = quant_f32_to_f16(want[i]);
	n = npy(buf, 2, "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }\n", h, sizeof h);
	a = acts_load_mem(buf, n, "t.npy", &e);
	assert_non_null(a);
	assert_int_equal(a->format, ACTS_NPY_F16);
	assert_int_equal(a->n_tokens, 2);
	assert_int_equal(a->n_channels, 3);
	assert_true(a->two_d);
	assert_memory_equal(a->data, want, sizeof want);
	assert_null(acts_token(a, false, 0, &e));
	assert_non_null(strstr(e.text, "2 tokens of 3 channels: choose one with --token"));
	t = acts_token(a, true, 1, &e);
	assert_ptr_equal(t, a->data + 3);
	assert_ptr_equal(acts_token(a, true, -2, &e), a->data);
	assert_null(acts_token(a, true, -3, &e));
	assert_null(acts_token(a, true, 2, &e));
	assert_non_null(strstr(e.text, "token 2 is out of range: the file holds 2 tokens"));
	acts_free(a);
	/* Version 3.0 uses the same layout as 2.0. */
	n = npy(buf, 3, "{'descr': '<f2', 'fortran_order': False, 'shape': (6,)}\n", h, sizeof h);
	a = acts_load_mem(buf, n, "t.npy", &e);
	assert_non_null(a);
	assert_int_equal(a->n_channels, 6);
	acts_free(a);
}

static void
expect_npy_error(int major, const char *hdr, size_t dlen, const char *msg)
{
	uint8_t buf[1024], data[64] = { 0 };
	acts_file *a;
	errmsg e;
	size_t n = npy(buf, major, hdr, data, dlen);

	e.text[0] = '\0';
	a = acts_load_mem(buf, n, "bad.npy", &e);
	if (a != NULL || strstr(e.text, msg) == NULL)
		fail_msg("header %s: got '%s', want '%s'", hdr, e.text, msg);
}

static void
test_npy_malformed(void **state)
{
	uint8_t buf[64];
	errmsg e;

	(void)state;
	expect_npy_error(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8,
		"dtype '>f4' is not supported");
	expect_npy_error(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16,
		"dtype '<f8'");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16,
		"Fortran");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4,
		"0 dimensions");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2), }", 8,
		"3 dimensions");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }", 0,
		"empty dimension");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 8,
		"has 8 bytes, but shape (3,) of <f4 needs 12");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 8,
		"shape (2, 3) of <f4 needs 24");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False}", 8, "missing key 'shape'");
	expect_npy_error(1, "{'descr': '<f4', 'shape': (2,)}", 8, "missing key 'fortran_order'");
	expect_npy_error(1, "{'fortran_order': False, 'shape': (2,)}", 8, "missing key 'descr'");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8,
		"unexpected or repeated key 'x'");
	expect_npy_error(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 8,
		"repeated key 'descr'");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}", 8,
		"True or False");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk", 8,
		"unexpected text after the dict");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", 8,
		"not a non-negative integer");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}", 8,
		"expected ',' or ')'");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999,)}", 8,
		"too large");
	expect_npy_error(1, "{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", 8,
		"at byte 27: expected ',' or '}' after a value");
	expect_npy_error(1, "{'descr' '<f4', 'fortran_order': False, 'shape': (2,)}", 8,
		"expected ':'");
	expect_npy_error(1, "['descr']", 8, "expected '{'");
	expect_npy_error(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 8,
		"expected ',' or '}'");
	expect_npy_error(1, "{'descr': '<f4", 8, "unterminated string");

	/* Preamble problems. */
	memcpy(buf, "\x93NUMPY\x04\x00\x10\x00", 10);
	assert_null(acts_load_mem(buf, 10, "v.npy", &e));
	assert_non_null(strstr(e.text, "version 4.0"));
	memcpy(buf, "\x93NUMPY\x01\x00\xff\x00", 10);
	assert_null(acts_load_mem(buf, 10, "v.npy", &e));
	assert_non_null(strstr(e.text, "header length 255 at byte 8 runs past"));
	memcpy(buf, "\x93NUMPY\x01", 7);
	assert_null(acts_load_mem(buf, 7, "v.npy", &e));
	assert_non_null(strstr(e.text, "truncated in its preamble"));
	memcpy(buf, "\x93NUMPY\x02\x00\x00\x00", 10);
	assert_null(acts_load_mem(buf, 10, "v.npy", &e));
	assert_non_null(strstr(e.text, "truncated"));
}

/* ------------------------------------------------------------ raw */

static void
test_raw(void **state)
{
	float v[4] = { 1.0f, -2.0f, 0.5f, 8.0f };
	char path[] = "/tmp/ggscope-acts-XXXXXX";
	acts_file *a;
	errmsg e;
	FILE *f;
	int fd;

	(void)state;
	a = acts_load_mem(v, sizeof v, "v.f32", &e);
	assert_non_null(a);
	assert_int_equal(a->format, ACTS_RAW_F32);
	assert_int_equal(a->n_channels, 4);
	assert_memory_equal(a->data, v, sizeof v);
	acts_free(a);
	assert_null(acts_load_mem(v, 7, "v.f32", &e));
	assert_non_null(strstr(e.text, "7 bytes is not a multiple of 4"));
	assert_null(acts_load_mem(v, 0, "v.f32", &e));
	assert_non_null(strstr(e.text, "empty file"));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_int_equal(fwrite(v, sizeof v, 1, f), 1);
	fclose(f);
	a = acts_load(path, &e);
	assert_non_null(a);
	assert_memory_equal(a->data, v, sizeof v);
	acts_free(a);
	unlink(path);
	assert_null(acts_load(path, &e));
	assert_non_null(strstr(e.text, "No such file"));
	assert_string_equal(acts_format_name(ACTS_NPY_F16), "npy <f2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spikes_ok),
		cmocka_unit_test(test_spikes_bad),
		cmocka_unit_test(test_rng_known_values),
		cmocka_unit_test(test_rng_gauss_moments),
		cmocka_unit_test(test_synth),
		cmocka_unit_test(test_npy_f32_1d),
		cmocka_unit_test(test_npy_f16_2d_tokens),
		cmocka_unit_test(test_npy_malformed),
		cmocka_unit_test(test_raw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
