/* Unit tests for cupti_gpu and bench_cupti without a GPU: a fake gpu
 * backend that carries profiler requests to the handler cupti_gpu installs
 * (as the worker process does), over the fake libcupti. Covers the tiers
 * through the gpu layer, the request round trip, and the timing source's
 * matching of records to launches by order and geometry (CUPTI reported
 * kernels under the names of unloaded ones on the H100). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench_cupti.h"
#include "cupti_gpu.h"
#include "fake_cupti.h"
#include "fake_gpu.h"

/* ---- pure parts: counters, read ratio, verdict ---- */

static void
test_counters_and_verdict(void **state)
{
	bench_result r;
	cupti_counters k;
	double ratio = 0;
	char buf[512];

	(void)state;
	memset(&r, 0, sizeof r);
	memset(&k, 0, sizeof k);
	assert_false(bench_cupti_read_ratio(&r, &ratio));
	k.n_ranges = 2;
	k.passes = 2;
	k.wall_ms = 210;
	k.range[1].valid[CUPTI_M_DRAM_READ] = true;
	k.range[1].value[CUPTI_M_DRAM_READ] = 48193280;
	k.range[1].valid[CUPTI_M_ACHIEVED_OCC] = true;
	k.range[1].value[CUPTI_M_ACHIEVED_OCC] = 67.3;
	k.range[1].valid[CUPTI_M_DRAM_PCT] = true;
	k.range[1].value[CUPTI_M_DRAM_PCT] = 51;
	bench_cupti_take_counters(&r, &k, 3);
	assert_false(r.counters_valid);
	assert_non_null(strstr(r.counters_note, "returned 2 range(s), the GEMV's is #4"));
	r.counters_note[0] = '\0';
	bench_cupti_take_counters(&r, &k, 1);
	assert_true(r.counters_valid);
	assert_int_equal(r.counter_passes, 2);
	r.ideal_read_bytes = 48193280;
	assert_true(bench_cupti_read_ratio(&r, &ratio));
	assert_true(ratio == 1.0);

	/* No occupancy: no verdict. */
	assert_string_equal(bench_cupti_verdict(&r, 3352, buf, sizeof buf), "");
	r.occ_valid = true;
	r.occ.theoretical_pct = 98.4375;
	r.occ.waves_per_sm = 0.76;
	r.occ.limiters = OCC_LIMIT_REGISTERS | OCC_LIMIT_WARPS;
	bench_cupti_verdict(&r, 3352, buf, sizeof buf);
	assert_non_null(strstr(buf, "DRAM 51% of peak"));
	assert_non_null(strstr(buf, "achieved 67% is 31 points below theoretical"));
	assert_non_null(strstr(buf, "grid too small"));
	/* Without counters the memory figure is GB/s over the datasheet peak. */
	r.counters_valid = false;
	r.gemv.valid = true;
	r.gbs = 1676;
	bench_cupti_verdict(&r, 3352, buf, sizeof buf);
	assert_non_null(strstr(buf, "DRAM 50% of peak"));
	assert_null(strstr(buf, "achieved"));
}

#ifdef HAVE_CUPTI

/* ---- through the gpu layer ---- */

static gpu_backend_ops ops_with_profiler;

/* The fake backend's profiler op: what gpu_cuda.c does, with a made-up
 * context, in this process. */
static int
fake_profiler(void *impl, uint32_t op, const void *in, size_t in_len, void *out, size_t out_len,
	errmsg *err)
{
	gpu_profiler_fn fn = gpu_profiler();

	(void)impl;
	if (fn == NULL) {
		errmsg_set(err, "no profiler is installed in this process");
		return GPU_EFAIL;
	}
	return fn((void *)(uintptr_t)0x10, 0, 0, op, in, in_len, out, out_len, err) == 0 ? 0 : GPU_EFAIL;
}

/* A fake gpu; with `profiler`, its backend carries profiler requests. */
static gpu *
open_gpu(bool profiler)
{
	static const struct fake_kernel none[] = { { NULL, 0, { 0 }, NULL } };
	struct fake *f;
	gpu_info info;

	if (!profiler)
		return fake_gpu_open(&f, NULL);
	ops_with_profiler = fake_ops;
	ops_with_profiler.profiler = fake_profiler;
	f = calloc(1, sizeof *f);
	f->next_addr = 0x7f0000000000ull;
	f->kernels = none;
	memset(&info, 0, sizeof info);
	info.valid = true;
	snprintf(info.name, sizeof info.name, "Fake H100");
	info.cc_major = 9;
	info.sm_count = 132;
	return gpu_open_backend(&ops_with_profiler, f, &info, "/fake/libcuda.so.1");
}

static void
close_gpu(gpu *g)
{
	gpu_close(g);
}

static void
test_tiers_through_gpu(void **state)
{
	cupti_options off = { .disabled = true };
	cupti_gpu cu;
	gpu *g;
	errmsg e;

	(void)state;
	cupti_gpu_install();
	/* A backend that cannot carry profiler requests: no CUPTI, and why. */
	g = open_gpu(false);
	cupti_gpu_open(&cu, g, NULL);
	assert_int_equal(cupti_gpu_status_of(&cu)->tier, CUPTI_TIER_NONE);
	assert_non_null(strstr(cupti_gpu_status_of(&cu)->timing_status, "carries no profiler requests"));
	assert_int_equal(cupti_gpu_timing_begin(&cu, &e), GPU_EFAIL);
	cupti_gpu_close(&cu);
	close_gpu(g);

	/* With one: the handler opens CUPTI (fake) on the context it is given. */
	g = open_gpu(true);
	cupti_gpu_open(&cu, g, NULL);
	assert_int_equal(cupti_gpu_status_of(&cu)->tier, CUPTI_TIER_COUNTERS);
	assert_string_equal(cupti_gpu_status_of(&cu)->chip, "GH100");
	assert_int_equal(cupti_gpu_status_of(&cu)->passes, 2);
	cupti_gpu_close(&cu);

	/* --no-cupti never asks. */
	ctl.flushes = 0;
	cupti_gpu_open(&cu, g, &off);
	assert_int_equal(cupti_gpu_status_of(&cu)->tier, CUPTI_TIER_NONE);
	assert_non_null(strstr(cupti_gpu_status_of(&cu)->timing_status, "--no-cupti"));
	assert_int_equal(ctl.flushes, 0);
	cupti_gpu_close(&cu);

	/* No permission on the other side: timing stays, counters say why. */
	ctl.counter_availability = CUPTI_ERROR_INSUFFICIENT_PRIVILEGES;
	cupti_gpu_open(&cu, g, NULL);
	assert_int_equal(cupti_gpu_status_of(&cu)->tier, CUPTI_TIER_TIMING);
	assert_non_null(strstr(cupti_gpu_status_of(&cu)->counters_status, "INSUFFICIENT_PRIVILEGES"));
	assert_int_equal(cupti_gpu_counters_begin(&cu, 1, CUPTI_REPLAY_USER, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "RmProfilingAdminOnly"));
	cupti_gpu_close(&cu);
	close_gpu(g);
}

/* A counter session through the gpu layer, with user replay. */
static void
test_counters_through_gpu(void **state)
{
	gpu *g = open_gpu(true);
	cupti_counters k;
	cupti_gpu cu;
	bool done = false;
	errmsg e;
	int passes = 0;

	(void)state;
	cupti_gpu_install();
	cupti_gpu_open(&cu, g, NULL);
	assert_int_equal(cupti_gpu_counters_begin(&cu, 1, CUPTI_REPLAY_USER, &e), 0);
	while (!done) {
		assert_int_equal(cupti_gpu_counters_pass_begin(&cu, &e), 0);
		assert_int_equal(cupti_gpu_counters_pass_end(&cu, &done, &e), 0);
		passes++;
	}
	assert_int_equal(passes, 2);
	assert_int_equal(cupti_gpu_counters_end(&cu, &k, &e), 0);
	assert_int_equal(k.n_ranges, 1);
	assert_true(k.range[0].valid[CUPTI_M_DRAM_READ]);
	assert_true(k.range[0].value[CUPTI_M_DRAM_READ] == 1.0); /* the fake's value: the metric's position */
	cupti_gpu_close(&cu);
	close_gpu(g);
}

/* The timing source takes records by launch order and checks geometry,
 * whatever names CUPTI gives them. */
static void
test_collect_by_order(void **state)
{
	gpu *g = open_gpu(true);
	struct bench_timing tc;
	bench_opts o;
	cupti_gpu cu;
	gpu_launch_cfg gemv = { { 4096, 1, 1 }, { 96, 1, 1 }, 0 }, quant = { { 56, 1, 1 }, { 256, 1, 1 }, 0 };
	double us[2];
	errmsg e;

	(void)state;
	cupti_gpu_install();
	cupti_gpu_open(&cu, g, NULL);
	bench_opts_default(&o);
	o.cupti = &cu;
	o.flush = (struct l2flush *)&o; /* any non-NULL: a flush kernel is launched each rep */
	assert_true(bench_cupti_timing(&o));
	bench_timing_init(&tc, g, &o, "q6k_hw_dp4a", "quantize_q8_1");
	assert_true(tc.flush_kernel);
	tc.cfg[0] = gemv;
	tc.cfg[1] = quant;

	/* Names from unloaded modules: the flush reported as q6k_mwv, the
	 * quantizer as q4k_wide. Order and geometry still tell them apart. */
	ctl.now = 1000;
	assert_int_equal(bench_cupti_begin(&tc, &e), 0);
	stage_geom("q6k_mwv", 1100, 1600, 256, 528);
	stage_geom("q4k_wide", 1700, 1701 + 1600, 256, 56);
	stage_geom("q4k_wide", 3400, 3400 + 27300, 96, 4096);
	assert_int_equal(bench_cupti_collect(&tc, 2, us, &e), 0);
	assert_true(us[0] == 27.3);
	assert_true(us[1] == 1.601);
	assert_true(tc.have_record);
	assert_string_equal(tc.record.name, "q6k_hw_dp4a");
	assert_int_equal(tc.record.smem_config_bytes, 32768);

	/* A missing launch: said, with what the window held. */
	ctl.now = 100000;
	assert_int_equal(bench_cupti_begin(&tc, &e), 0);
	stage_geom(CUPTI_FLUSH_KERNEL, 100100, 100600, 256, 528);
	stage_geom("q6k_hw_dp4a", 100700, 128000, 96, 4096);
	ctl.hold_flushes = false;
	assert_int_equal(bench_cupti_collect(&tc, 2, us, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "2 of 3 kernel records"));
	/* A record whose geometry is not the launch's. */
	ctl.now = 200000;
	assert_int_equal(bench_cupti_begin(&tc, &e), 0);
	stage_geom(CUPTI_FLUSH_KERNEL, 200100, 200600, 256, 528);
	stage_geom("quantize_q8_1", 200700, 202000, 256, 56);
	stage_geom("q6k_hw_dp4a", 202100, 230000, 128, 4096);
	assert_int_equal(bench_cupti_collect(&tc, 2, us, &e), GPU_EFAIL);
	assert_non_null(strstr(e.text, "the record of q6k_hw_dp4a has 128x4096 threads, the launch 96x4096"));
	cupti_gpu_close(&cu);
	close_gpu(g);
}

#endif /* HAVE_CUPTI */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counters_and_verdict),
#ifdef HAVE_CUPTI
		cmocka_unit_test_setup_teardown(test_tiers_through_gpu, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_counters_through_gpu, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_collect_by_order, fake_setup, fake_teardown),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
