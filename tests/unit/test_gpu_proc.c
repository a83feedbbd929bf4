/* Unit tests of the worker-process backend without a GPU: a fake worker
 * (tests/unit/fake_worker) behind the real protocol, through the public gpu
 * API. A poisoned context, a worker that dies and one that hangs must each
 * give GPU_ERESET and a fresh worker that works; the real worker must
 * report a missing driver as the reason measurement is unavailable. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gpu.h"

static const gpu_launch_cfg one = { { 1, 1, 1 }, { 32, 1, 1 }, 0 };

static gpu *
open_fake(void)
{
	errmsg e;
	gpu *g = gpu_open_isolated(FAKE_WORKER, "libcuda.so.1", 0, &e);

	assert_non_null(g);
	assert_true(gpu_available(g));
	return g;
}

/* Launch `kernel` on y (n words) and wait. */
static int
launch(gpu *g, const char *kernel, gpu_buf y, uint32_t n, errmsg *e)
{
	gpu_module m;
	gpu_func f;
	gpu_arg args[2];
	int rc;

	if ((rc = gpu_module_load(g, "// fake", 7, &m, e)) != 0 ||
	    (rc = gpu_func_get(g, m, kernel, &f, e)) != 0)
		return rc;
	args[0] = gpu_arg_buf(y);
	args[1] = gpu_arg_u32(n);
	if ((rc = gpu_launch(g, f, &one, args, 2, e)) != 0 || (rc = gpu_sync(g, e)) != 0)
		return rc;
	return gpu_module_unload(g, m, e);
}

/* A fresh buffer, filled by the fake kernel and read back. */
static void
assert_works(gpu *g)
{
	enum { N = 1000 };
	uint32_t *w = malloc(N * 4);
	gpu_buf y;
	errmsg e;
	int i;

	assert_int_equal(gpu_buf_alloc(g, N * 4, &y, &e), 0);
	assert_int_equal(gpu_buf_poison(g, y, &e), 0);
	assert_int_equal(launch(g, "fill", y, N, &e), 0);
	assert_int_equal(gpu_buf_download(g, y, 0, w, N * 4, &e), 0);
	assert_int_equal(gpu_poison_count(w, N), 0);
	for (i = 0; i < N; i++)
		assert_int_equal(w[i], 3 * i + 1);
	assert_int_equal(gpu_buf_free(g, y, &e), 0);
	free(w);
}

static void
test_open_and_info(void **state)
{
	gpu *g = open_fake();
	gpu_func_attrs a;
	gpu_module m;
	gpu_func f;
	int blocks;
	errmsg e;

	(void)state;
	assert_string_equal(gpu_lib_path(g), "/fake/libcuda.so.1");
	assert_string_equal(gpu_device_info(g)->name, "Fake H100");
	assert_true(gpu_worker_pid(g) > 0);
	assert_non_null(strstr(gpu_note(g), "worker process"));
	assert_int_equal(gpu_module_load(g, "// fake", 7, &m, &e), 0);
	assert_int_equal(gpu_func_get(g, m, "fill", &f, &e), 0);
	assert_int_equal(gpu_func_param_count(g, f), 2);
	assert_int_equal(gpu_func_get_attrs(g, f, &a, &e), 0);
	assert_int_equal(a.num_regs, 40);
	assert_int_equal(gpu_occupancy(g, f, 256, 0, &blocks, &e), 0);
	assert_int_equal(blocks, 8);
	assert_int_equal(gpu_func_get(g, m, "missing", &f, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "CUDA_ERROR_NOT_FOUND"));
	assert_works(g);
	gpu_close(g);
}

/* Transfers larger than one protocol chunk (16 MiB) at odd offsets. */
static void
test_large_transfers(void **state)
{
	size_t n = (17u << 20) + 12345, off = 4099, i;
	unsigned char *in = malloc(n), *out = malloc(n);
	gpu *g = open_fake();
	gpu_buf b;
	errmsg e;

	(void)state;
	for (i = 0; i < n; i++)
		in[i] = (unsigned char)(i * 7 + (i >> 13));
	assert_int_equal(gpu_buf_alloc(g, n + off, &b, &e), 0);
	assert_int_equal(gpu_buf_upload(g, b, off, in, n, &e), 0);
	memset(out, 0, n);
	assert_int_equal(gpu_buf_download(g, b, off, out, n, &e), 0);
	assert_memory_equal(in, out, n);
	gpu_close(g);
	free(in);
	free(out);
}

static void
test_events(void **state)
{
	gpu *g = open_fake();
	float ms = 0;
	errmsg e;

	(void)state;
	assert_int_equal(gpu_event_record(g, 2, &e), 0);
	assert_int_equal(gpu_event_record(g, 3, &e), 0);
	assert_int_equal(gpu_event_elapsed_ms(g, 2, 3, &ms, &e), 0);
	assert_true(ms == 1.5f);
	gpu_close(g);
}

/* Events around a launch travel with it to the worker. */
static void
test_timed_launch(void **state)
{
	gpu *g = open_fake();
	gpu_module m;
	gpu_func f;
	gpu_buf y;
	gpu_arg args[2];
	float ms = 0;
	errmsg e;

	(void)state;
	assert_int_equal(gpu_buf_alloc(g, 64, &y, &e), 0);
	assert_int_equal(gpu_module_load(g, "// fake", 7, &m, &e), 0);
	assert_int_equal(gpu_func_get(g, m, "fill", &f, &e), 0);
	args[0] = gpu_arg_buf(y);
	args[1] = gpu_arg_u32(16);
	assert_int_equal(gpu_launch_timed(g, f, &one, args, 2, 6, 7, &e), 0);
	assert_int_equal(gpu_event_elapsed_ms(g, 6, 7, &ms, &e), 0);
	assert_true(ms == 1.5f);
	gpu_close(g);
}

/* kernel: what goes wrong; expect: a phrase of the message. */
static void
recovers_from(const char *kernel, const char *expect)
{
	gpu *g = open_fake();
	long pid = gpu_worker_pid(g);
	gpu_buf y;
	errmsg e;

	assert_int_equal(gpu_buf_alloc(g, 64, &y, &e), 0);
	assert_int_equal(launch(g, kernel, y, 16, &e), GPU_ERESET);
	assert_non_null(strstr(e.text, expect));
	assert_non_null(strstr(e.text, "context reset and rebuilt (generation 2)"));
	assert_true(gpu_available(g));
	assert_int_equal(gpu_generation(g), 2);
	assert_true(gpu_worker_pid(g) > 0 && gpu_worker_pid(g) != pid);
	assert_false(gpu_buf_valid(g, y, &e));
	assert_int_equal(gpu_buf_free(g, y, &e), 0);
	assert_works(g);
	gpu_close(g);
}

static void
test_sticky_error(void **state)
{
	(void)state;
	recovers_from("crash", "cuStreamSynchronize: CUDA_ERROR_ILLEGAL_ADDRESS");
}

static void
test_worker_dies(void **state)
{
	(void)state;
	recovers_from("die", "exited with status 7");
}

static void
test_worker_hangs(void **state)
{
	(void)state;
	setenv("GGSCOPE_GPU_TIMEOUT", "1", 1);
	recovers_from("hang", "did not answer within 1 s");
	unsetenv("GGSCOPE_GPU_TIMEOUT");
}

static void
test_open_failure_is_the_reason(void **state)
{
	errmsg e;
	gpu *g = gpu_open_isolated(FAKE_WORKER, "fail", 0, &e);

	(void)state;
	assert_non_null(g);
	assert_false(gpu_available(g));
	assert_string_equal(gpu_unavailable_reason(g), "fake: no device here");
	gpu_close(g);
}

static void
test_missing_worker(void **state)
{
	errmsg e;

	(void)state;
	assert_null(gpu_open_isolated("/nonexistent/ggscope-gpu-worker", "libcuda.so.1", 0, &e));
	assert_non_null(strstr(e.text, "/nonexistent/ggscope-gpu-worker: No such file or directory"));
}

/* The real worker without a driver: the same reason as in-process. */
static void
test_real_worker_without_driver(void **state)
{
	errmsg e;
	gpu *g = gpu_open_isolated(REAL_WORKER, "/nonexistent/libcuda.so.1", 0, &e);

	(void)state;
	assert_non_null(g);
	assert_false(gpu_available(g));
	assert_non_null(strstr(gpu_unavailable_reason(g), "/nonexistent/libcuda.so.1 not found"));
	gpu_close(g);
}

/* gpu_open: the worker named by $GGSCOPE_GPU_WORKER; in-process when it
 * cannot start, or when asked. */
static void
test_gpu_open_modes(void **state)
{
	gpu *g;

	(void)state;
	setenv("GGSCOPE_LIBCUDA", "/nonexistent/libcuda.so.1", 1);
	setenv("GGSCOPE_GPU_WORKER", REAL_WORKER, 1);
	g = gpu_open();
	assert_non_null(strstr(gpu_note(g), "worker process"));
	assert_non_null(strstr(gpu_unavailable_reason(g), "not found"));
	gpu_close(g);
	setenv("GGSCOPE_GPU_WORKER", "/nonexistent/worker", 1);
	g = gpu_open();
	assert_non_null(strstr(gpu_note(g), "in-process (gpu worker /nonexistent/worker"));
	assert_non_null(strstr(gpu_unavailable_reason(g), "not found"));
	gpu_close(g);
	setenv("GGSCOPE_GPU_INPROC", "1", 1);
	g = gpu_open();
	assert_string_equal(gpu_note(g), "in-process (GGSCOPE_GPU_INPROC=1)");
	gpu_close(g);
	unsetenv("GGSCOPE_GPU_INPROC");
	unsetenv("GGSCOPE_GPU_WORKER");
	unsetenv("GGSCOPE_LIBCUDA");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_and_info),
		cmocka_unit_test(test_large_transfers),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_timed_launch),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_worker_dies),
		cmocka_unit_test(test_worker_hangs),
		cmocka_unit_test(test_open_failure_is_the_reason),
		cmocka_unit_test(test_missing_worker),
		cmocka_unit_test(test_real_worker_without_driver),
		cmocka_unit_test(test_gpu_open_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
