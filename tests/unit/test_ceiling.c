/* Unit tests for ceiling's cache: the path per device and driver, the
 * atomic write, and a reader that rejects every kind of damaged or foreign
 * file with a message naming the cause. And: no GPU, no measurement. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "ceiling.h"

static char dir[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s/ggscope-ceiling-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static ceiling
h100_ceiling(void)
{
	ceiling c;

	memset(&c, 0, sizeof c);
	c.valid = true;
	c.best_gbs = 3071.2;
	c.median_gbs = 3060.4;
	c.bytes = 2ull << 30;
	c.best_ns = (double)c.bytes / c.best_gbs;
	c.median_ns = (double)c.bytes / c.median_gbs;
	c.reps = 10;
	snprintf(c.timer, sizeof c.timer, "cupti activity");
	snprintf(c.device, sizeof c.device, "NVIDIA H100 80GB HBM3");
	snprintf(c.driver, sizeof c.driver, "580.159.04");
	snprintf(c.measured_at, sizeof c.measured_at, "2026-11-25T18:00:00Z");
	return c;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_paths(void **state)
{
	char path[CEILING_PATH_MAX], big[2000];
	errmsg e;

	(void)state;
	assert_int_equal(ceiling_cache_path("/c", "NVIDIA H100 80GB HBM3", "580.159.04", path, sizeof path, &e), 0);
	assert_string_equal(path, "/c/ggscope/ceiling-NVIDIA_H100_80GB_HBM3-580.159.04.json");
	assert_int_equal(ceiling_cache_path("/c", "a/b\\c", "cuda 13.0", path, sizeof path, &e), 0);
	assert_string_equal(path, "/c/ggscope/ceiling-a_b_c-cuda_13.0.json");

	setenv("XDG_CACHE_HOME", "/xdg", 1);
	assert_int_equal(ceiling_cache_path(NULL, "d", "v", path, sizeof path, &e), 0);
	assert_string_equal(path, "/xdg/ggscope/ceiling-d-v.json");
	setenv("XDG_CACHE_HOME", "", 1);
	setenv("HOME", "/home/u", 1);
	assert_int_equal(ceiling_cache_path(NULL, "d", "v", path, sizeof path, &e), 0);
	assert_string_equal(path, "/home/u/.cache/ggscope/ceiling-d-v.json");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	assert_int_equal(ceiling_cache_path(NULL, "d", "v", path, sizeof path, &e), -1);
	assert_non_null(strstr(e.text, "neither XDG_CACHE_HOME nor HOME"));

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(ceiling_cache_path(big, "d", "v", path, sizeof path, &e), -1);
	assert_non_null(strstr(e.text, "too long"));
	assert_int_equal(ceiling_cache_path("/c", "d", "v", path, 10, &e), -1);
}

static void
test_driver_string(void **state)
{
	gpu_info info;
	char buf[64];

	(void)state;
	memset(&info, 0, sizeof info);
	info.driver_version = 13000;
	assert_string_equal(ceiling_driver_of(&info, buf, sizeof buf), "cuda 13.0");
	info.driver_version = 12080;
	assert_string_equal(ceiling_driver_of(&info, buf, sizeof buf), "cuda 12.8");
	snprintf(info.driver_release, sizeof info.driver_release, "580.159.04");
	assert_string_equal(ceiling_driver_of(&info, buf, sizeof buf), "580.159.04");
}

/* Save creates the directories and the file atomically; load gets it back. */
static void
test_round_trip(void **state)
{
	ceiling c = h100_ceiling(), back;
	char path[CEILING_PATH_MAX], tmp[CEILING_PATH_MAX + 32];
	errmsg e;

	(void)state;
	assert_int_equal(ceiling_cache_path(dir, c.device, c.driver, path, sizeof path, &e), 0);
	assert_int_equal(ceiling_save(path, &c, &e), 0);
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	assert_int_not_equal(access(tmp, F_OK), 0);
	assert_int_equal(ceiling_load(path, c.device, c.driver, &back, &e), 0);
	assert_true(back.valid);
	assert_true(back.from_cache);
	assert_true(back.best_gbs == c.best_gbs);
	assert_true(back.median_gbs == c.median_gbs);
	assert_true(back.bytes == c.bytes);
	assert_int_equal(back.reps, 10);
	assert_string_equal(back.timer, "cupti activity");
	assert_string_equal(back.measured_at, c.measured_at);
	assert_string_equal(back.cache_path, path);

	/* Another device or driver: not ours. */
	assert_int_equal(ceiling_load(path, "NVIDIA A100-SXM4-80GB", c.driver, &back, &e), -1);
	assert_non_null(strstr(e.text, "measured on NVIDIA H100 80GB HBM3 with driver 580.159.04"));
	assert_false(back.valid);
	assert_int_equal(ceiling_load(path, c.device, "590.48.01", &back, &e), -1);
	assert_non_null(strstr(e.text, "this is NVIDIA H100 80GB HBM3 with driver 590.48.01"));

	/* A directory where the file should go cannot be written. */
	snprintf(tmp, sizeof tmp, "%s/blocked", dir);
	assert_int_equal(mkdir(tmp, 0755), 0);
	snprintf(path, sizeof path, "%s/blocked/x", dir);
	write_file(path, "a file where a directory should be");
	snprintf(tmp, sizeof tmp, "%s/blocked/x/ceiling.json", dir);
	assert_int_equal(ceiling_save(tmp, &c, &e), -1);
	assert_non_null(strstr(e.text, "Not a directory"));
	assert_non_null(strstr(e.text, "ceiling cache"));
}

/* Every damage is caught and named. */
static void
test_damaged_files(void **state)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "", "not JSON" },
		{ "{\"format\": 1, \"device\": ", "not JSON" },
		{ "[1, 2]", "not a JSON object" },
		{ "{}", "\"format\" missing" },
		{ "{\"format\": 2}", "format 2" },
		{ "{\"format\": 1}", "\"device\" missing" },
		{ "{\"format\": 1, \"device\": 7}", "\"device\" missing or not a string" },
	};
	ceiling c = h100_ceiling(), back;
	struct json_object *o;
	char path[CEILING_PATH_MAX], text[4096];
	errmsg e;
	size_t i;

	(void)state;
	snprintf(path, sizeof path, "%s/c.json", dir);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		write_file(path, cases[i].text);
		assert_int_equal(ceiling_load(path, c.device, c.driver, &back, &e), -1);
		if (strstr(e.text, cases[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, e.text, cases[i].want);
		assert_non_null(strstr(e.text, path));
	}

	/* A valid document with one field broken at a time. */
	{
		static const struct {
			const char *key, *value, *want;
		} bad[] = {
			{ "best_gbs", "-3071", "\"best_gbs\" is -3071, must be positive" },
			{ "median_gbs", "\"fast\"", "\"median_gbs\" missing or not a number" },
			{ "reps", "2.5", "\"reps\" missing or not an integer" },
			{ "bytes", "1024", "inconsistent figures" },
			{ "median_gbs", "4000", "inconsistent figures" },
			{ "timer", "null", "\"timer\" missing" },
		};

		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			struct json_object *v = json_tokener_parse(bad[i].value);

			o = ceiling_to_json(&c);
			json_object_object_del(o, "from_cache");
			json_object_object_add(o, bad[i].key, v);
			snprintf(text, sizeof text, "%s", json_object_to_json_string(o));
			json_object_put(o);
			write_file(path, text);
			assert_int_equal(ceiling_load(path, c.device, c.driver, &back, &e), -1);
			if (strstr(e.text, bad[i].want) == NULL)
				fail_msg("%s=%s: '%s' lacks '%s'", bad[i].key, bad[i].value, e.text, bad[i].want);
		}
	}

	/* Too large to be ours. */
	{
		FILE *f = fopen(path, "w");

		for (i = 0; i < 70000; i++)
			fputc(' ', f);
		fclose(f);
		assert_int_equal(ceiling_load(path, c.device, c.driver, &back, &e), -1);
		assert_non_null(strstr(e.text, "too large"));
	}

	snprintf(path, sizeof path, "%s/missing.json", dir);
	assert_int_equal(ceiling_load(path, c.device, c.driver, &back, &e), -1);
	assert_non_null(strstr(e.text, "No such file"));
}

/* No GPU: no ceiling, and the reason. */
static void
test_no_gpu(void **state)
{
	gpu *g = gpu_open_lib("/nonexistent/libcuda.so.1", 0);
	ceiling c;
	errmsg e;

	(void)state;
	assert_false(gpu_available(g));
	assert_int_equal(ceiling_measure(g, NULL, NULL, &c, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "ceiling: measurement unavailable"));
	assert_false(c.valid);
	assert_int_equal(ceiling_get(g, NULL, NULL, dir, false, &c, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "measurement unavailable"));
	gpu_close(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_driver_string),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_gpu, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
