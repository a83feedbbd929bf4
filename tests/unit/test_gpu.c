/* Unit tests for the gpu module without a GPU: the driver-loading failure
 * paths of the CUDA backend, and the handle validation and sticky-error reset
 * of gpu.c, driven through a fake backend that simulates device memory and
 * counts what reaches it. */
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

#include "fake_gpu.h"

/* A module with one kernel (y, x, n) on the fake. */
static gpu_func
fake_kernel(gpu *g, gpu_module *mod)
{
	static const char ptx[] = "// ptx";
	gpu_func fn;
	errmsg e;

	assert_int_equal(gpu_module_load(g, ptx, sizeof ptx, mod, &e), 0);
	assert_int_equal(gpu_func_get(g, *mod, "k", &fn, &e), 0);
	return fn;
}

static const gpu_launch_cfg cfg1 = { { 4, 1, 1 }, { 128, 1, 1 }, 0 };

/* ---------------------------------------------------------------- loading failures */

static void
test_missing_library(void **state)
{
	gpu *g = gpu_open_lib("/nonexistent/dir/libcuda.so.1", 0);
	gpu_buf b;
	errmsg e;
	char line[512];

	(void)state;
	assert_false(gpu_available(g));
	assert_string_equal(gpu_backend_name(g), "null");
	assert_non_null(strstr(gpu_unavailable_reason(g), "/nonexistent/dir/libcuda.so.1 not found: "));
	assert_false(gpu_device_info(g)->valid);
	/* Every op answers with the reason instead of crashing. */
	assert_int_equal(gpu_buf_alloc(g, 64, &b, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "measurement unavailable: "));
	assert_non_null(strstr(e.text, "not found"));
	assert_int_equal(gpu_sync(g, &e), GPU_EFAIL);
	gpu_describe(g, line, sizeof line);
	assert_true(strncmp(line, "measurement unavailable: /nonexistent", 37) == 0);
	gpu_close(g);
}

static void
test_env_override(void **state)
{
	gpu *g;

	(void)state;
	setenv("GGSCOPE_LIBCUDA", "/no/such/libcuda.so.1", 1);
	g = gpu_open();
	unsetenv("GGSCOPE_LIBCUDA");
	assert_false(gpu_available(g));
	assert_non_null(strstr(gpu_unavailable_reason(g), "/no/such/libcuda.so.1 not found"));
	gpu_close(g);
}

static void
test_refuses_unversioned(void **state)
{
	gpu *g = gpu_open_lib("/usr/local/cuda/lib64/stubs/libcuda.so", 0);

	(void)state;
	assert_false(gpu_available(g));
	assert_non_null(strstr(gpu_unavailable_reason(g), "refusing to load"));
	assert_non_null(strstr(gpu_unavailable_reason(g), "libcuda.so.1"));
	gpu_close(g);
}

static void
test_not_a_driver(void **state)
{
	gpu *g = gpu_open_lib("libm.so.6", 0);

	(void)state;
	assert_false(gpu_available(g));
#ifdef HAVE_CUDA_H
	assert_non_null(strstr(gpu_unavailable_reason(g), "lacks the driver entry point cuGetErrorName"));
#else
	assert_non_null(strstr(gpu_unavailable_reason(g), "without cuda.h"));
#endif
	gpu_close(g);
}

/* The toolkit's stub answers cuInit with CUDA_ERROR_STUB_LIBRARY: the path a
 * machine takes when the stub is found instead of a driver. */
static void
test_stub_driver(void **state)
{
#if defined(HAVE_CUDA_H) && defined(GGSCOPE_CUDA_STUB)
	char dir[] = "/tmp/ggscope-stub-XXXXXX", path[256], cmd[600];
	gpu *g;

	(void)state;
	if (access(GGSCOPE_CUDA_STUB, R_OK) != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/libcuda.so.1", dir);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", GGSCOPE_CUDA_STUB, path);
	assert_int_equal(system(cmd), 0);
	g = gpu_open_lib(path, 0);
	unlink(path);
	rmdir(dir);
	assert_false(gpu_available(g));
	assert_non_null(strstr(gpu_unavailable_reason(g), "cuInit: CUDA_ERROR_STUB_LIBRARY"));
	gpu_close(g);
#else
	(void)state;
	skip();
#endif
}

/* ---------------------------------------------------------------- handles */

static void
test_buffer_lifecycle(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	gpu_buf b, nul = { 0, 0 };
	errmsg e;
	float in[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, out[8];

	(void)state;
	assert_true(gpu_available(g));
	assert_string_equal(gpu_lib_path(g), "/fake/libcuda.so.1");
	assert_int_equal(gpu_buf_alloc(g, 0, &b, &e), GPU_EFAIL);
	assert_int_equal(gpu_buf_alloc(g, sizeof in, &b, &e), 0);
	assert_true(gpu_buf_valid(g, b, &e));
	assert_int_equal(gpu_buf_bytes(g, b), sizeof in);
	assert_int_equal(gpu_buf_upload(g, b, 0, in, sizeof in, &e), 0);
	assert_int_equal(gpu_buf_download(g, b, 4, out, 4 * sizeof(float), &e), 0);
	assert_true(out[0] == 2 && out[3] == 5);
	/* Out of range copies never reach the backend. */
	assert_int_equal(gpu_buf_upload(g, b, 4, in, sizeof in, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "outside the 32-byte buffer"));
	assert_int_equal(gpu_buf_download(g, b, SIZE_MAX, out, 2, &e), GPU_EFAIL);
	/* Poison, then see it from the host. */
	assert_int_equal(gpu_buf_poison(g, b, &e), 0);
	assert_int_equal(gpu_buf_download(g, b, 0, out, sizeof out, &e), 0);
	assert_int_equal(gpu_poison_count(out, 8), 8);
	/* Null and freed handles. */
	assert_false(gpu_buf_valid(g, nul, &e));
	assert_string_equal(e.text, "null buffer");
	assert_int_equal(gpu_buf_free(g, nul, &e), 0);
	assert_int_equal(gpu_buf_free(g, b, &e), 0);
	assert_int_equal(f->frees, 1);
	assert_false(gpu_buf_valid(g, b, &e));
	assert_string_equal(e.text, "freed buffer");
	assert_int_equal(gpu_buf_free(g, b, &e), GPU_EFAIL); /* double free */
	assert_non_null(strstr(e.text, "freed buffer"));
	assert_int_equal(f->frees, 1);
	assert_int_equal(gpu_buf_upload(g, b, 0, in, 4, &e), GPU_EFAIL);
	assert_int_equal(gpu_buf_bytes(g, b), 0);
	gpu_close(g);
}

static void
test_slot_reuse_keeps_old_handle_dead(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	gpu_buf a, b;
	errmsg e;

	(void)state;
	assert_int_equal(gpu_buf_alloc(g, 16, &a, &e), 0);
	assert_int_equal(gpu_buf_free(g, a, &e), 0);
	assert_int_equal(gpu_buf_alloc(g, 16, &b, &e), 0);
	assert_int_equal(a.slot, b.slot); /* the slot is reused ... */
	assert_false(gpu_buf_valid(g, a, &e)); /* ... but the old handle stays dead */
	assert_true(gpu_buf_valid(g, b, &e));
	gpu_close(g);
}

static void
test_fill_needs_words(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	gpu_buf b;
	errmsg e;

	(void)state;
	assert_int_equal(gpu_buf_alloc(g, 10, &b, &e), 0);
	assert_int_equal(gpu_buf_poison(g, b, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "not a whole number of 32-bit words"));
	gpu_close(g);
}

/* ---------------------------------------------------------------- launch checks */

static void
test_launch_resolves_buffers(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	gpu_module m;
	gpu_func fn = fake_kernel(g, &m);
	gpu_buf y, x;
	gpu_arg args[3];
	errmsg e;

	(void)state;
	assert_int_equal(gpu_func_param_count(g, fn), 3);
	assert_string_equal(gpu_func_name(g, fn), "k");
	assert_int_equal(gpu_buf_alloc(g, 64, &y, &e), 0);
	assert_int_equal(gpu_buf_alloc(g, 64, &x, &e), 0);
	args[0] = gpu_arg_buf(y);
	args[1] = gpu_arg_buf(x);
	args[2] = gpu_arg_u32(16);
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 3, &e), 0);
	assert_int_equal(f->launches, 1);
	assert_int_equal(f->last_arg0, 0x7f0000000000ull); /* y's device address */
	gpu_close(g);
}

/* PTX without a terminating NUL reaches the driver as a terminated copy; a
 * CUBIN (ELF) image and terminated PTX are passed as they are. */
static void
test_module_images(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	char *ptx = malloc(6);
	static const unsigned char elf[8] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
	static const char text[] = ".version 8.0";
	gpu_module m;
	errmsg e;

	(void)state;
	memcpy(ptx, "// ptx", 6);
	assert_int_equal(gpu_module_load(g, ptx, 6, &m, &e), 0);
	assert_ptr_not_equal(f->last_image, ptx);
	assert_int_equal(f->last_size, 6);
	free(ptx);
	assert_int_equal(gpu_module_load(g, elf, sizeof elf, &m, &e), 0);
	assert_ptr_equal(f->last_image, elf);
	assert_int_equal(gpu_module_load(g, text, sizeof text, &m, &e), 0);
	assert_ptr_equal(f->last_image, text);
	assert_int_equal(gpu_module_load(g, text, 0, &m, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "empty"));
	gpu_close(g);
}

static void
test_launch_refusals(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	gpu_module m;
	gpu_func fn = fake_kernel(g, &m), nulfn = { 0, 0 };
	gpu_buf y, x, nul = { 0, 0 };
	gpu_arg args[3];
	gpu_launch_cfg zero = { { 0, 1, 1 }, { 128, 1, 1 }, 0 };
	errmsg e;

	(void)state;
	assert_int_equal(gpu_buf_alloc(g, 64, &y, &e), 0);
	assert_int_equal(gpu_buf_alloc(g, 64, &x, &e), 0);
	args[0] = gpu_arg_buf(y);
	args[1] = gpu_arg_buf(nul);
	args[2] = gpu_arg_u32(16);
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 3, &e), GPU_EFAIL);
	assert_string_equal(e.text, "launch of k refused: argument 1 is a null buffer");
	args[1] = gpu_arg_buf(x);
	assert_int_equal(gpu_buf_free(g, x, &e), 0);
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 3, &e), GPU_EFAIL);
	assert_string_equal(e.text, "launch of k refused: argument 1 is a freed buffer");
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 2, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "2 arguments given, the kernel takes 3"));
	assert_int_equal(gpu_buf_alloc(g, 64, &x, &e), 0);
	args[1] = gpu_arg_buf(x);
	args[2] = gpu_arg_i64(16); /* the kernel's third parameter is 4 bytes */
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 3, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "argument 2 is 8 bytes, the kernel's parameter is 4"));
	args[2] = gpu_arg_u32(16);
	assert_int_equal(gpu_launch(g, fn, &zero, args, 3, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "grid 0x1x1"));
	assert_int_equal(gpu_launch(g, nulfn, &cfg1, args, 3, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "null function"));
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, GPU_MAX_ARGS + 1, &e), GPU_EFAIL);
	/* None of it reached the backend; the good launch does. */
	assert_int_equal(f->launches, 0);
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 3, &e), 0);
	assert_int_equal(f->launches, 1);
	gpu_close(g);
}

static void
test_unknown_param_list_is_not_checked(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	gpu_module m;
	gpu_func fn;
	gpu_buf y;
	gpu_arg args[1];
	errmsg e;

	(void)state;
	assert_int_equal(gpu_module_load(g, "// ptx", 7, &m, &e), 0);
	assert_int_equal(gpu_func_get(g, m, "unchecked", &fn, &e), 0); /* no cuFuncGetParamInfo */
	assert_int_equal(gpu_func_param_count(g, fn), -1);
	assert_int_equal(gpu_buf_alloc(g, 64, &y, &e), 0);
	args[0] = gpu_arg_buf(y);
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 1, &e), 0);
	gpu_close(g);
}

static void
test_module_unload_kills_functions(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	gpu_module m;
	gpu_func fn = fake_kernel(g, &m), missing;
	gpu_func_attrs a;
	int blocks;
	errmsg e;

	(void)state;
	assert_int_equal(gpu_func_get(g, m, "missing", &missing, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "CUDA_ERROR_NOT_FOUND"));
	assert_int_equal(gpu_func_get_attrs(g, fn, &a, &e), 0);
	assert_int_equal(a.num_regs, 40);
	assert_int_equal(gpu_occupancy(g, fn, 128, 0, &blocks, &e), 0);
	assert_int_equal(blocks, 16);
	assert_int_equal(gpu_occupancy(g, fn, 0, 0, &blocks, &e), GPU_EFAIL);
	assert_int_equal(gpu_module_unload(g, m, &e), 0);
	assert_int_equal(f->unloads, 1);
	assert_false(gpu_func_valid(g, fn, &e));
	assert_int_equal(gpu_func_get_attrs(g, fn, &a, &e), GPU_EFAIL);
	assert_int_equal(gpu_module_unload(g, m, &e), GPU_EFAIL); /* twice */
	assert_int_equal(f->unloads, 1);
	gpu_close(g);
}

static void
test_events(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	gpu_module m;
	gpu_func fn = fake_kernel(g, &m);
	gpu_buf y;
	gpu_arg args[3];
	float ms;
	errmsg e;

	(void)state;
	/* events recorded by the launch itself */
	assert_int_equal(gpu_buf_alloc(g, 64, &y, &e), 0);
	args[0] = args[1] = gpu_arg_buf(y);
	args[2] = gpu_arg_u32(16);
	assert_int_equal(gpu_event_elapsed_ms(g, 4, 5, &ms, &e), GPU_EFAIL);
	assert_int_equal(gpu_launch_timed(g, fn, &cfg1, args, 3, 4, GPU_EVENTS, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "out of range"));
	assert_int_equal(gpu_launch_timed(g, fn, &cfg1, args, 3, 4, 5, &e), 0);
	assert_int_equal(f->last_ev_start, 4);
	assert_int_equal(f->last_ev_end, 5);
	assert_int_equal(gpu_event_elapsed_ms(g, 4, 5, &ms, &e), 0);
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 3, &e), 0);
	assert_int_equal(f->last_ev_start, -1);
	assert_int_equal(f->last_ev_end, -1);
	assert_int_equal(gpu_event_elapsed_ms(g, 0, 1, &ms, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "was not recorded"));
	assert_int_equal(gpu_event_record(g, 0, &e), 0);
	assert_int_equal(gpu_event_record(g, 1, &e), 0);
	assert_int_equal(gpu_event_record(g, GPU_EVENTS, &e), GPU_EFAIL);
	assert_int_equal(gpu_event_elapsed_ms(g, 0, 1, &ms, &e), 0);
	assert_true(ms == 1.5f);
	gpu_close(g);
}

/* ---------------------------------------------------------------- sticky errors */

static void
test_sticky_error_resets_and_invalidates(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	gpu_module m;
	gpu_func fn = fake_kernel(g, &m);
	gpu_buf y, x, y2;
	gpu_arg args[3];
	errmsg e;
	int frees;

	(void)state;
	assert_int_equal(gpu_generation(g), 1);
	assert_int_equal(gpu_buf_alloc(g, 64, &y, &e), 0);
	assert_int_equal(gpu_buf_alloc(g, 64, &x, &e), 0);
	args[0] = gpu_arg_buf(y);
	args[1] = gpu_arg_buf(x);
	args[2] = gpu_arg_u32(16);
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 3, &e), 0);
	f->sticky_next_sync = 1;
	assert_int_equal(gpu_sync(g, &e), GPU_ERESET);
	assert_non_null(strstr(e.text, "CUDA_ERROR_ILLEGAL_ADDRESS"));
	assert_non_null(strstr(e.text, "after kernel k"));
	assert_non_null(strstr(e.text, "context reset and rebuilt (generation 2): 2 buffers, "
		"1 module, 1 function invalidated"));
	assert_int_equal(f->resets, 1);
	assert_int_equal(gpu_generation(g), 2);
	assert_int_equal(gpu_reset_count(g), 1);
	assert_true(gpu_available(g));
	/* Everything from before is stale and refused before the driver. */
	assert_false(gpu_buf_valid(g, y, &e));
	assert_non_null(strstr(e.text, "stale buffer"));
	assert_false(gpu_func_valid(g, fn, &e));
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 3, &e), GPU_EFAIL);
	assert_int_equal(f->launches, 1);
	/* Freeing a stale handle releases the slot without a driver call. */
	frees = f->frees;
	assert_int_equal(gpu_buf_free(g, y, &e), 0);
	assert_int_equal(f->frees, frees);
	assert_int_equal(gpu_buf_free(g, y, &e), GPU_EFAIL);
	/* The new generation works. */
	assert_int_equal(gpu_module_unload(g, m, &e), 0);
	assert_int_equal(f->unloads, 0); /* the reset already unloaded it */
	fn = fake_kernel(g, &m);
	assert_int_equal(gpu_buf_alloc(g, 64, &y2, &e), 0);
	args[0] = gpu_arg_buf(y2);
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 3, &e), GPU_EFAIL); /* x is stale */
	assert_non_null(strstr(e.text, "argument 1 is a stale buffer"));
	args[1] = gpu_arg_buf(y2);
	assert_int_equal(gpu_launch(g, fn, &cfg1, args, 3, &e), 0);
	assert_int_equal(gpu_sync(g, &e), 0);
	gpu_close(g);
}

static void
test_sticky_error_during_download(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	gpu_buf y;
	float out[4];
	errmsg e;

	(void)state;
	assert_int_equal(gpu_buf_alloc(g, 16, &y, &e), 0);
	f->sticky_next_sync = 1;
	assert_int_equal(gpu_buf_download(g, y, 0, out, 16, &e), GPU_ERESET);
	assert_false(gpu_buf_valid(g, y, NULL));
	gpu_close(g);
}

static void
test_failed_rebuild_makes_unavailable(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	errmsg e;
	char line[ERRMSG_MAX];

	(void)state;
	f->sticky_next_sync = 1;
	f->reset_fails = 1;
	assert_int_equal(gpu_sync(g, &e), GPU_EFAIL);
	assert_false(gpu_available(g));
	assert_non_null(strstr(gpu_unavailable_reason(g), "device lost: cuStreamSynchronize: "
		"CUDA_ERROR_ILLEGAL_ADDRESS"));
	assert_non_null(strstr(gpu_unavailable_reason(g), "CUDA_ERROR_UNKNOWN"));
	gpu_describe(g, line, sizeof line);
	assert_true(strncmp(line, "measurement unavailable: device lost", 36) == 0);
	gpu_close(g);
}

static void
test_close_frees_live(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	gpu_buf a, b, c;
	gpu_module m;
	errmsg e;
	int closed = 0;

	(void)state;
	f->closed = &closed;
	fake_kernel(g, &m);
	assert_int_equal(gpu_buf_alloc(g, 16, &a, &e), 0);
	assert_int_equal(gpu_buf_alloc(g, 16, &b, &e), 0);
	assert_int_equal(gpu_buf_alloc(g, 16, &c, &e), 0);
	assert_int_equal(gpu_buf_free(g, b, &e), 0);
	assert_int_equal(gpu_l2_flush(g, &e), 0);
	assert_int_equal(f->allocs, 4);
	/* gpu_close frees a, c, the flush buffer and the module (ASan checks
	 * that the fake's memory is gone too). */
	gpu_close(g);
	assert_int_equal(closed, 1);
}

/* ---------------------------------------------------------------- pure helpers */

static void
test_poison_helpers(void **state)
{
	uint32_t w[6] = { 0, GPU_POISON_U32, 0x7fffffffu, GPU_POISON_U32, 0x3f800000u, 1 };
	float nan;
	uint32_t bits;

	(void)state;
	assert_int_equal(gpu_poison_count(w, 6), 2);
	assert_int_equal(gpu_poison_first(w, 6), 1);
	assert_int_equal(gpu_poison_first(w, 1), 1);
	assert_int_equal(gpu_poison_count(w, 0), 0);
	/* The poison is a NaN, so an unwritten output can never pass a numeric
	 * comparison either. */
	bits = GPU_POISON_U32;
	memcpy(&nan, &bits, 4);
	assert_true(nan != nan);
}

static void
test_bandwidth_and_describe(void **state)
{
	struct fake *f;
	gpu *g = fake_gpu_open(&f, NULL);
	char line[512];

	(void)state;
	assert_true(gpu_peak_bandwidth_gbs(2619000, 5120) > 3352.3 &&
		gpu_peak_bandwidth_gbs(2619000, 5120) < 3352.4);
	assert_true(gpu_peak_bandwidth_gbs(0, 5120) == 0);
	gpu_describe(g, line, sizeof line);
	assert_string_equal(line, "Fake H100, sm_90, 132 SMs, L2 50 MiB, 80.0 GiB, 3352 GB/s, "
		"driver 13.0");
	gpu_close(g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_env_override),
		cmocka_unit_test(test_refuses_unversioned),
		cmocka_unit_test(test_not_a_driver),
		cmocka_unit_test(test_stub_driver),
		cmocka_unit_test(test_buffer_lifecycle),
		cmocka_unit_test(test_slot_reuse_keeps_old_handle_dead),
		cmocka_unit_test(test_fill_needs_words),
		cmocka_unit_test(test_launch_resolves_buffers),
		cmocka_unit_test(test_module_images),
		cmocka_unit_test(test_launch_refusals),
		cmocka_unit_test(test_unknown_param_list_is_not_checked),
		cmocka_unit_test(test_module_unload_kills_functions),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_sticky_error_resets_and_invalidates),
		cmocka_unit_test(test_sticky_error_during_download),
		cmocka_unit_test(test_failed_rebuild_makes_unavailable),
		cmocka_unit_test(test_close_frees_live),
		cmocka_unit_test(test_poison_helpers),
		cmocka_unit_test(test_bandwidth_and_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
