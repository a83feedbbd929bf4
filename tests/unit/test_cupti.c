/* Unit tests for cupti, without a GPU.
 *
 * Real libcupti: the Profiler Host API works with no GPU given a chip name,
 * so the metric set, the pass counts (2, and 8 with sm__throughput on GH100),
 * units and rejected names are checked against CUPTI itself.
 * Fake libcupti (cupti_api_install): the error paths the H100 machine cannot
 * produce (no permission, libnvperf_host.so missing, vGPU, another profiler
 * attached) and the timing/counter bookkeeping, fed with records built here. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cupti.h"
#include "cupti_internal.h"
#include "fake_cupti.h"

static void
test_metric_names(void **state)
{
	const char *names[CUPTI_M_COUNT];

	(void)state;
	assert_int_equal(cupti_metric_set(false, names), 7);
	assert_string_equal(names[0], "gpu__time_duration.sum");
	assert_string_equal(names[4], "sm__warps_active.avg.pct_of_peak_sustained_active");
	assert_int_equal(cupti_metric_set(true, names), 8);
	assert_string_equal(names[7], "sm__throughput.avg.pct_of_peak_sustained_elapsed");
	assert_non_null(strstr(cupti_metric_label(CUPTI_M_DRAM_WRITE), "inflated"));
	assert_non_null(strstr(cupti_metric_label(CUPTI_M_SM_PCT), "8 passes"));
	assert_string_equal(cupti_metric_name((enum cupti_metric)99), "?");
	assert_string_equal(cupti_chip_for_cc(9, 0), "GH100");
	assert_null(cupti_chip_for_cc(8, 6));
	assert_string_equal(cupti_tier_name(CUPTI_TIER_TIMING), "timing only");
}

static void
test_summarize(void **state)
{
	double odd[] = { 110, 90, 100, 105, 95 };
	double even[] = { 4, 1, 3, 2 };
	double med, mn, mx, mean;

	(void)state;
	cupti_summarize(odd, 5, &med, &mn, &mx, &mean);
	assert_true(med == 100 && mn == 90 && mx == 110 && mean == 100);
	cupti_summarize(even, 4, &med, &mn, &mx, &mean);
	assert_true(med == 2.5 && mn == 1 && mx == 4 && mean == 2.5);
	cupti_summarize(even, 0, &med, &mn, &mx, &mean);
	assert_true(med == 0 && mn == 0 && mx == 0 && mean == 0);
}

static void
test_hints(void **state)
{
	(void)state;
	assert_non_null(strstr(cupti_result_hint(35), "RmProfilingAdminOnly"));
	assert_non_null(strstr(cupti_result_hint(35), "NVreg_RestrictProfilingToAdminUsers=0"));
	assert_non_null(strstr(cupti_result_hint(15), "libnvperf_host.so"));
	assert_non_null(strstr(cupti_result_hint(15), "LD_LIBRARY_PATH"));
	assert_non_null(strstr(cupti_result_hint(15), "--disable-new-dtags"));
	assert_non_null(strstr(cupti_result_hint(39), "--no-cupti"));
	assert_string_equal(cupti_result_hint(1), "");
}

/* --no-cupti touches nothing and says so. */
static void
test_disabled(void **state)
{
	cupti_options o = { .disabled = true };
	cupti *c = cupti_open(NULL, 0, 0, &o);
	cupti_timing t;
	cupti_counters k;
	errmsg e;

	(void)state;
	assert_int_equal(cupti_tier(c), CUPTI_TIER_NONE);
	assert_non_null(strstr(cupti_timing_status(c), "--no-cupti"));
	assert_non_null(strstr(cupti_counters_status(c), "--no-cupti"));
	assert_int_equal(cupti_timing_begin(c, &e), -1);
	assert_non_null(strstr(e.text, "--no-cupti"));
	assert_int_equal(cupti_timing_end(c, 1, &t, &e), -1);
	assert_int_equal(cupti_counters_begin(c, 1, CUPTI_REPLAY_KERNEL, &e), -1);
	assert_int_equal(cupti_counters_end(c, &k, &e), -1);
	assert_int_equal(cupti_passes(c), 0);
	cupti_close(c);
	cupti_close(NULL);
}

#ifdef HAVE_CUPTI

/* ---- against the real libcupti, host side only ---- */

static void
test_version(void **state)
{
	unsigned v = 0;
	errmsg e;

	(void)state;
	assert_int_equal(cupti_version(&v, &e), 0);
	assert_true(v >= 130000); /* built against 13.0 headers */
	assert_string_equal(cupti_result_name(35), "CUPTI_ERROR_INSUFFICIENT_PRIVILEGES");
}

/* Under ASan the real profiler host is refused with a reason, not run. */
static void
test_host_asan_refusal(void **state)
{
	const char *names[] = { "dram__bytes_read.sum" };
	cupti_metric_check chk[1];
	int passes = -1;
	errmsg e;

	(void)state;
	if (!CUPTI_UNDER_ASAN)
		skip();
	assert_int_equal(cupti_host_check("GH100", names, 1, chk, &passes, &e), -1);
	assert_non_null(strstr(e.text, "AddressSanitizer"));
	assert_non_null(strstr(e.text, "RTLD_DEEPBIND"));
}

static void
test_host_gh100_passes(void **state)
{
	const char *names[CUPTI_M_COUNT];
	cupti_metric_check chk[CUPTI_M_COUNT];
	size_t n, i;
	int passes = -1;
	errmsg e;

	(void)state;
	if (CUPTI_UNDER_ASAN)
		skip();
	n = cupti_metric_set(false, names);
	assert_int_equal(cupti_host_check("GH100", names, n, chk, &passes, &e), 0);
	for (i = 0; i < n; i++)
		assert_true(chk[i].ok);
	assert_int_equal(passes, 2);
	assert_string_equal(chk[CUPTI_M_TIME].unit, "nanosecond");
	assert_string_equal(chk[CUPTI_M_DRAM_READ].unit, "byte");
	assert_string_equal(chk[CUPTI_M_DRAM_READ].hw_unit, "dram");
	assert_string_equal(chk[CUPTI_M_SM_HZ].unit, "gpc_cycle/second");

	n = cupti_metric_set(true, names);
	assert_int_equal(cupti_host_check("GH100", names, n, chk, &passes, &e), 0);
	assert_int_equal(passes, 8);
	assert_string_equal(chk[CUPTI_M_SM_PCT].unit, "percent");
}

/* Names CUPTI does not have (launch__* are Nsight Compute's own) are
 * rejected one by one; the rest still get a pass count. */
static void
test_host_rejects(void **state)
{
	const char *names[] = {
		"launch__registers_per_thread",
		"dram__bytes_read.sum",
		"sm__maximum_warps_per_active_cycle_pct",
		"dram__bytes_read.nonsense",
	};
	cupti_metric_check chk[4];
	int passes = -1;
	errmsg e;

	(void)state;
	if (CUPTI_UNDER_ASAN)
		skip();
	assert_int_equal(cupti_host_check("GH100", names, 4, chk, &passes, &e), 0);
	assert_false(chk[0].ok);
	assert_non_null(strstr(chk[0].why, "CUPTI_ERROR_INVALID_METRIC_NAME"));
	assert_true(chk[1].ok);
	assert_false(chk[2].ok);
	assert_false(chk[3].ok);
	assert_int_equal(passes, 1);

	/* None accepted: no passes, no error. */
	assert_int_equal(cupti_host_check("GH100", names, 1, chk, &passes, &e), 0);
	assert_int_equal(passes, 0);
}

static void
test_host_bad_chip(void **state)
{
	const char *names[] = { "dram__bytes_read.sum" };
	cupti_metric_check chk[1];
	int passes = -1;
	errmsg e;

	(void)state;
	if (CUPTI_UNDER_ASAN)
		skip();
	assert_int_equal(cupti_host_check("GX999", names, 1, chk, &passes, &e), -1);
	assert_non_null(strstr(e.text, "chip GX999"));
	assert_non_null(strstr(e.text, "CUPTI_ERROR_INVALID_CHIP_NAME"));
	assert_int_equal(passes, 0);
}

/* Everything works: counters tier, 2 passes, chip from the device. */
static void
test_fake_counters_tier(void **state)
{
	cupti_options o = { 0 };
	cupti *c;

	(void)state;
	c = cupti_open((void *)(uintptr_t)0x10, 0, 0, &o);
	assert_int_equal(cupti_tier(c), CUPTI_TIER_COUNTERS);
	assert_string_equal(cupti_timing_status(c), "");
	assert_string_equal(cupti_counters_status(c), "");
	assert_string_equal(cupti_chip(c), "GH100");
	assert_int_equal(cupti_passes(c), 2);
	assert_false(cupti_full(c));
	cupti_close(c);

	o.full = true;
	c = cupti_open((void *)(uintptr_t)0x10, 0, 0, &o);
	assert_int_equal(cupti_passes(c), 8);
	assert_true(cupti_full(c));
	cupti_close(c);
}

/* Timing: medians per kernel, the flush kernel and incomplete records dropped. */
static void
test_fake_timing(void **state)
{
	cupti *c = cupti_open((void *)(uintptr_t)0x10, 0, 0, NULL);
	const cupti_kernel_time *g, *q;
	cupti_timing t;
	errmsg e;

	(void)state;
	/* A record left from before the window is discarded by begin. */
	stage("stale_kernel", 1, 1000000);
	ctl.now = 500;
	assert_int_equal(cupti_timing_begin(c, &e), 0);
	/* ... and one CUPTI delivers only now, after begin, is dropped by its start time. */
	stage("late_stale_kernel", 400, 480);
	stage("q8_1_quantize", 1000, 1003);
	stage(CUPTI_FLUSH_KERNEL, 1010, 1500);
	stage("gemv", 2000, 2110);
	stage(CUPTI_FLUSH_KERNEL, 2200, 2700);
	stage("gemv", 3000, 3090);
	stage("gemv", 4000, 4100);
	stage("gemv", 5000, 5105);
	stage("gemv", 6000, 6095);
	stage("gemv", 0, 0);       /* launched inside a counter session: never completed */
	stage("q8_1_quantize", 7000, 7005);
	assert_int_equal(cupti_timing_end(c, 7, &t, &e), 0);
	assert_int_equal(t.n_kernels, 2);
	assert_int_equal(t.excluded, 2);
	assert_int_equal(t.incomplete, 1);
	assert_int_equal(t.stale, 1);
	assert_null(cupti_timing_find(&t, "stale_kernel"));
	assert_null(cupti_timing_find(&t, "late_stale_kernel"));
	assert_null(cupti_timing_find(&t, CUPTI_FLUSH_KERNEL));
	g = cupti_timing_find(&t, "gemv");
	assert_non_null(g);
	assert_int_equal(g->n, 5);
	assert_true(g->median_ns == 100 && g->min_ns == 90 && g->max_ns == 110 && g->mean_ns == 100);
	assert_int_equal(g->regs_per_thread, 40);
	assert_int_equal(g->smem_config_bytes, 32768);
	assert_int_equal(g->grid[0], 14336);
	assert_int_equal(g->block[0], 96);
	q = cupti_timing_find(&t, "q8_1_quantize");
	assert_non_null(q);
	assert_int_equal(q->n, 2);
	assert_true(q->median_ns == 4);
	assert_string_equal(t.kernels[0].name, "q8_1_quantize"); /* order of first launch */
	ctl.now = 0;

	/* An empty window is an error that says what to check. */
	assert_int_equal(cupti_timing_begin(c, &e), 0);
	assert_int_equal(cupti_timing_end(c, 0, &t, &e), -1);
	assert_non_null(strstr(e.text, "0 of 1 kernel records"));

	/* A record CUPTI never completes: waited for, then reported. */
	assert_int_equal(cupti_timing_begin(c, &e), 0);
	stage("gemv", 100, 190);
	ctl.hold_flushes = true;
	assert_int_equal(cupti_timing_end(c, 1, &t, &e), -1);
	assert_non_null(strstr(e.text, "1 without timestamps"));
	assert_true(ctl.flushes > 10); /* it kept polling */
	ctl.hold_flushes = false;

	/* A record completed late: the poll picks it up. */
	assert_int_equal(cupti_timing_begin(c, &e), 0);
	stage("gemv", 100, 190);
	ctl.complete_after = ctl.flushes + 5;
	assert_int_equal(cupti_timing_end(c, 1, &t, &e), 0);
	assert_int_equal(t.kernels[0].n, 1);
	assert_true(t.kernels[0].median_ns == 90);
	ctl.complete_after = 0;

	/* More distinct names than the table holds are counted, not kept. */
	assert_int_equal(cupti_timing_begin(c, &e), 0);
	{
		static const char *const names[] = { "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9" };
		size_t i;

		for (i = 0; i < 10; i++)
			stage(names[i], 100, 200);
	}
	assert_int_equal(cupti_timing_end(c, 10, &t, &e), 0);
	assert_int_equal(t.n_kernels, CUPTI_MAX_KERNELS);
	assert_int_equal(t.other, 2);
	cupti_close(c);
}

/* One pass of a session: start, (the launches), stop. */
static int
one_pass(cupti *c, bool *done, errmsg *e)
{
	if (cupti_counters_pass_begin(c, e) != 0)
		return -1;
	if (n_staged < 4)
		stage("gemv", 0, 0); /* the profiled launch's record: never completed */
	return cupti_counters_pass_end(c, done, e);
}

static void
test_fake_counters_session(void **state)
{
	cupti *c = cupti_open((void *)(uintptr_t)0x10, 0, 0, NULL);
	cupti_counters k;
	bool done = false;
	errmsg e;
	int m;

	(void)state;
	ctl.ranges = 2;
	assert_int_equal(cupti_counters_begin(c, 2, CUPTI_REPLAY_KERNEL, &e), 0);
	assert_int_equal(cupti_counters_begin(c, 1, CUPTI_REPLAY_KERNEL, &e), -1); /* one session at a time */
	assert_non_null(strstr(e.text, "already running"));
	assert_int_equal(cupti_counters_pass_end(c, &done, &e), -1);
	assert_non_null(strstr(e.text, "none is running"));
	assert_int_equal(one_pass(c, &done, &e), 0);
	assert_true(done); /* kernel replay: every pass inside the launch */
	assert_int_equal(cupti_counters_pass_begin(c, &e), -1);
	assert_non_null(strstr(e.text, "every pass is done"));
	assert_int_equal(cupti_counters_end(c, &k, &e), 0);
	assert_int_equal(k.n_ranges, 2);
	assert_int_equal(k.passes, 2);
	assert_true(k.wall_ms >= 0);
	for (m = 0; m < CUPTI_M_BASIC_COUNT; m++) {
		assert_true(k.range[0].valid[m]);
		assert_true(k.range[0].value[m] == (double)m);
		assert_true(k.range[1].value[m] == 1000.0 + (double)m);
	}
	assert_false(k.range[0].valid[CUPTI_M_SM_PCT]);
	assert_int_equal(ctl.disables, 1);
	assert_int_equal(n_staged, 0); /* the session's records were flushed out */

	assert_int_equal(cupti_counters_end(c, &k, &e), -1);
	assert_non_null(strstr(e.text, "no counter session"));
	assert_int_equal(cupti_counters_begin(c, 0, CUPTI_REPLAY_KERNEL, &e), -1);
	assert_int_equal(cupti_counters_begin(c, CUPTI_MAX_RANGES + 1, CUPTI_REPLAY_KERNEL, &e), -1);

	/* User replay: the caller loops once per pass. */
	ctl.ranges = 1;
	ctl.starts = 0;
	assert_int_equal(cupti_counters_begin(c, 1, CUPTI_REPLAY_USER, &e), 0);
	assert_int_equal(one_pass(c, &done, &e), 0);
	assert_false(done);
	assert_int_equal(one_pass(c, &done, &e), 0);
	assert_true(done);
	assert_int_equal(ctl.starts, 2);
	assert_int_equal(cupti_counters_end(c, &k, &e), 0);
	assert_int_equal(k.passes, 2);
	assert_int_equal(k.n_ranges, 1);

	/* Abandoned half-way: end says so and releases the session. */
	assert_int_equal(cupti_counters_begin(c, 1, CUPTI_REPLAY_USER, &e), 0);
	assert_int_equal(one_pass(c, &done, &e), 0);
	assert_int_equal(cupti_counters_pass_begin(c, &e), 0);
	assert_int_equal(cupti_counters_end(c, &k, &e), -1);
	assert_non_null(strstr(e.text, "after 1 of 2 passes, one still running"));
	assert_int_equal(cupti_counters_begin(c, 1, CUPTI_REPLAY_USER, &e), 0); /* free again */
	assert_int_equal(cupti_counters_end(c, &k, &e), -1);

	/* Kernel replay that submitted nothing: no kernel ran. */
	ctl.all_passes_submitted = 0;
	assert_int_equal(cupti_counters_begin(c, 1, CUPTI_REPLAY_KERNEL, &e), 0);
	assert_int_equal(one_pass(c, &done, &e), -1);
	assert_non_null(strstr(e.text, "was a kernel launched"));
	assert_int_equal(cupti_tier(c), CUPTI_TIER_COUNTERS);
	assert_int_equal(cupti_counters_end(c, &k, &e), -1); /* the session is gone */
	assert_non_null(strstr(e.text, "no counter session"));

	/* User replay that never completes stops at CUPTI_MAX_PASSES. */
	assert_int_equal(cupti_counters_begin(c, 1, CUPTI_REPLAY_USER, &e), 0);
	for (m = 0; m < CUPTI_MAX_PASSES; m++)
		if (one_pass(c, &done, &e) != 0)
			break;
	assert_int_equal(m, CUPTI_MAX_PASSES - 1);
	assert_non_null(strstr(e.text, "after 64 loop(s)"));

	/* No range decoded. */
	ctl.all_passes_submitted = 1;
	ctl.ranges = 0;
	assert_int_equal(cupti_counters_begin(c, 1, CUPTI_REPLAY_KERNEL, &e), 0);
	assert_int_equal(one_pass(c, &done, &e), 0);
	assert_int_equal(cupti_counters_end(c, &k, &e), -1);
	assert_non_null(strstr(e.text, "no range"));
	cupti_close(c);
}

/* A metric the chip rejects is left out (n/a), said in the status; the
 * others are still collected, and their values land on the right ids. */
static void
test_fake_rejected_metric(void **state)
{
	cupti *c;
	cupti_counters k;
	errmsg e;

	(void)state;
	ctl.reject_l2 = true;
	c = cupti_open((void *)(uintptr_t)0x10, 0, 0, NULL);
	assert_int_equal(cupti_tier(c), CUPTI_TIER_COUNTERS);
	assert_non_null(strstr(cupti_counters_status(c), "lts__t_sector_hit_rate.pct: CUPTI_ERROR_INVALID_METRIC_NAME"));
	assert_int_equal(cupti_counters_begin(c, 1, CUPTI_REPLAY_KERNEL, &e), 0);
	assert_int_equal(one_pass(c, &(bool){ false }, &e), 0);
	assert_int_equal(cupti_counters_end(c, &k, &e), 0);
	assert_false(k.range[0].valid[CUPTI_M_L2_HIT]);
	assert_true(k.range[0].valid[CUPTI_M_SM_HZ]);
	assert_true(k.range[0].value[CUPTI_M_SM_HZ] == 5.0); /* 6th of the 6 accepted */
	assert_true(k.range[0].value[CUPTI_M_ACHIEVED_OCC] == 4.0);
	cupti_close(c);
}

/* No permission: said once, timing kept, counters n/a. */
static void
test_fake_no_privileges(void **state)
{
	cupti *c;
	cupti_counters k;
	errmsg e;

	(void)state;
	ctl.counter_availability = CUPTI_ERROR_INSUFFICIENT_PRIVILEGES;
	c = cupti_open((void *)(uintptr_t)0x10, 0, 0, NULL);
	assert_int_equal(cupti_tier(c), CUPTI_TIER_TIMING);
	assert_string_equal(cupti_timing_status(c), "");
	assert_non_null(strstr(cupti_counters_status(c), "CUPTI_ERROR_INSUFFICIENT_PRIVILEGES"));
	assert_non_null(strstr(cupti_counters_status(c), "RmProfilingAdminOnly"));
	assert_int_equal(cupti_passes(c), 0);
	assert_int_equal(cupti_counters_begin(c, 1, CUPTI_REPLAY_KERNEL, &e), -1);
	assert_non_null(strstr(e.text, "counters unavailable"));
	assert_int_equal(cupti_timing_begin(c, &e), 0);
	stage("gemv", 10, 20);
	assert_int_equal(cupti_timing_end(c, 1, &(cupti_timing){ 0 }, &e), 0);
	cupti_close(c);

	/* The same code at Start (where some drivers report it) lowers the tier then. */
	ctl.counter_availability = CUPTI_SUCCESS;
	ctl.range_start = CUPTI_ERROR_INSUFFICIENT_PRIVILEGES;
	c = cupti_open((void *)(uintptr_t)0x10, 0, 0, NULL);
	assert_int_equal(cupti_tier(c), CUPTI_TIER_COUNTERS);
	assert_int_equal(cupti_counters_begin(c, 1, CUPTI_REPLAY_USER, &e), 0);
	assert_int_equal(cupti_counters_pass_begin(c, &e), -1);
	assert_non_null(strstr(e.text, "cuptiRangeProfilerStart"));
	assert_int_equal(cupti_tier(c), CUPTI_TIER_TIMING);
	assert_non_null(strstr(cupti_counters_status(c), "INSUFFICIENT_PRIVILEGES"));
	assert_int_equal(ctl.disables, 1);
	assert_int_equal(cupti_counters_end(c, &k, &e), -1);
	cupti_close(c);
}

static void
test_fake_nvperf_missing(void **state)
{
	cupti *c;

	(void)state;
	ctl.host_init = CUPTI_ERROR_NOT_INITIALIZED;
	c = cupti_open((void *)(uintptr_t)0x10, 0, 0, NULL);
	assert_int_equal(cupti_tier(c), CUPTI_TIER_TIMING);
	assert_non_null(strstr(cupti_counters_status(c), "cuptiProfilerHostInitialize(chip GH100)"));
	assert_non_null(strstr(cupti_counters_status(c), "CUPTI_ERROR_NOT_INITIALIZED"));
	assert_non_null(strstr(cupti_counters_status(c), "libnvperf_host.so"));
	assert_non_null(strstr(cupti_counters_status(c), "LD_LIBRARY_PATH"));
	cupti_close(c);
}

static void
test_fake_unsupported_device(void **state)
{
	cupti *c;

	(void)state;
	ctl.supported = CUPTI_PROFILER_CONFIGURATION_UNSUPPORTED;
	ctl.vgpu = CUPTI_PROFILER_CONFIGURATION_DISABLED;
	c = cupti_open((void *)(uintptr_t)0x10, 0, 0, NULL);
	assert_int_equal(cupti_tier(c), CUPTI_TIER_TIMING);
	assert_non_null(strstr(cupti_counters_status(c), "vGPU disabled"));
	assert_non_null(strstr(cupti_counters_status(c), "hypervisor"));
	assert_null(strstr(cupti_counters_status(c), "architecture"));
	cupti_close(c);
}

/* Under ncu/nsys the activity API refuses a second subscriber: no CUPTI. */
static void
test_fake_other_profiler(void **state)
{
	cupti *c;
	errmsg e;

	(void)state;
	ctl.activity_enable = CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED;
	c = cupti_open((void *)(uintptr_t)0x10, 0, 0, NULL);
	assert_int_equal(cupti_tier(c), CUPTI_TIER_NONE);
	assert_non_null(strstr(cupti_timing_status(c), "CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED"));
	assert_non_null(strstr(cupti_timing_status(c), "--no-cupti"));
	assert_int_equal(cupti_timing_begin(c, &e), -1);
	cupti_close(c);
}

/* Only one handle owns the process-wide activity callbacks. */
static void
test_fake_one_owner(void **state)
{
	cupti *a = cupti_open((void *)(uintptr_t)0x10, 0, 0, NULL);
	cupti *b = cupti_open((void *)(uintptr_t)0x10, 0, 0, NULL);

	(void)state;
	assert_int_equal(cupti_tier(a), CUPTI_TIER_COUNTERS);
	assert_int_equal(cupti_tier(b), CUPTI_TIER_NONE);
	assert_non_null(strstr(cupti_timing_status(b), "another ggscope CUPTI handle"));
	cupti_close(b);
	cupti_close(a);
	b = cupti_open((void *)(uintptr_t)0x10, 0, 0, NULL);
	assert_int_equal(cupti_tier(b), CUPTI_TIER_COUNTERS);
	cupti_close(b);
}

#endif /* HAVE_CUPTI */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metric_names),
		cmocka_unit_test(test_summarize),
		cmocka_unit_test(test_hints),
		cmocka_unit_test(test_disabled),
#ifdef HAVE_CUPTI
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_host_asan_refusal),
		cmocka_unit_test(test_host_gh100_passes),
		cmocka_unit_test(test_host_rejects),
		cmocka_unit_test(test_host_bad_chip),
		cmocka_unit_test_setup_teardown(test_fake_counters_tier, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_timing, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_counters_session, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_rejected_metric, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_no_privileges, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_nvperf_missing, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_unsupported_device, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_other_profiler, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fake_one_owner, fake_setup, fake_teardown),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
