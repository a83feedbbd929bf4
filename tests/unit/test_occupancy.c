/* Unit tests for occupancy: the H100 numbers Nsight Compute and
 * cuOccupancyMaxActiveBlocksPerMultiprocessor gave (shared/notes/
 * cupti-nvrtc-tui.md 3.2), the per-sub-partition register rule, every
 * limiter, ncu's limiter wording, and the verdict thresholds. */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "occupancy.h"

/* NVIDIA H100 80GB HBM3 (sm_90), as cuDeviceGetAttribute reports it. */
static occ_device
h100(void)
{
	occ_device d = {
		.cc_major = 9, .cc_minor = 0, .sm_count = 132, .warp_size = 32,
		.max_threads_per_sm = 2048, .max_blocks_per_sm = 32, .max_threads_per_block = 1024,
		.regs_per_sm = 65536, .regs_per_block = 65536, .smem_per_sm_bytes = 233472,
		.smem_per_block_optin_bytes = 232448, .reserved_smem_per_block_bytes = 1024,
	};
	return d;
}

static occ_launch
launch(int threads, long long grid)
{
	occ_launch l = { .block_threads = threads, .grid_blocks = grid, .dynamic_smem_bytes = 0,
		.smem_config_bytes = 0, .driver_blocks_per_sm = -1 };
	return l;
}

/* The ncu run (WARPS=4): 40 registers x 128 threads, 2,048 blocks, 32 KB
 * shared-memory config: limits warps 16, registers 12, shared 32, SM 32;
 * 48 theoretical warps = 75 %; 1.29 waves. */
static void
test_h100_40regs_128threads(void **state)
{
	occ_device d = h100();
	occ_function f = { .regs_per_thread = 40 };
	occ_launch l = launch(128, 2048);
	occ_result r;
	errmsg e;
	char buf[256];

	(void)state;
	l.smem_config_bytes = 32768;
	l.driver_blocks_per_sm = 12;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, &e), 0);
	assert_int_equal(r.warps_per_block, 4);
	assert_int_equal(r.limit_warps, 16);
	assert_int_equal(r.limit_registers, 12);
	assert_int_equal(r.limit_shared_mem, 32);
	assert_int_equal(r.limit_blocks, 32);
	assert_int_equal(r.regs_per_warp_alloc, 1280);
	assert_int_equal(r.smem_per_block_alloc_bytes, 1024);
	assert_int_equal(r.blocks_per_sm, 12);
	assert_true(r.driver_given);
	assert_true(r.driver_agrees);
	assert_int_equal(r.active_warps_per_sm, 48);
	assert_int_equal(r.max_warps_per_sm, 64);
	assert_true(fabs(r.theoretical_pct - 75.0) < 1e-9);
	assert_true(fabs(r.warps_per_scheduler - 12.0) < 1e-9);
	assert_int_equal(r.limiters, OCC_LIMIT_REGISTERS);
	assert_true(fabs(r.waves_per_sm - 2048.0 / (12 * 132)) < 1e-9);
	assert_true(fabs(r.waves_per_sm - 1.29) < 0.005); /* ncu's launch__waves_per_multiprocessor */
	assert_string_equal(occupancy_limiter_text(r.limiters, buf, sizeof buf), "the number of required registers");
	assert_string_equal(occupancy_limiter_short(r.limiters, buf, sizeof buf), "registers");
}

/* Without the driver's carveout the whole SM is assumed: the shared-memory
 * limit is large, and nothing else changes. */
static void
test_h100_unknown_carveout(void **state)
{
	occ_device d = h100();
	occ_function f = { .regs_per_thread = 40 };
	occ_launch l = launch(128, 2048);
	occ_result r;

	(void)state;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);
	assert_false(r.smem_config_known);
	assert_int_equal(r.smem_config_bytes, 233472);
	assert_int_equal(r.limit_shared_mem, 228);
	assert_int_equal(r.blocks_per_sm, 12);
	assert_false(r.driver_given);
	assert_false(r.driver_agrees);
	assert_int_equal(r.limiters, OCC_LIMIT_REGISTERS);
}

/* 64-thread blocks: 65,536 / 1,280 / 2 = 25.6 says 25, but registers live in
 * 4 sub-partitions of 16,384: 12 warps each, 48 warps, 24 blocks, as the
 * driver said. */
static void
test_h100_64threads_per_smsp(void **state)
{
	occ_device d = h100();
	occ_function f = { .regs_per_thread = 40 };
	occ_launch l = launch(64, 4096);
	occ_result r;

	(void)state;
	l.driver_blocks_per_sm = 24;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);
	assert_int_equal(r.limit_registers, 24);
	assert_int_equal(r.limit_warps, 32);
	assert_int_equal(r.blocks_per_sm, 24);
	assert_true(r.driver_agrees);
	assert_int_equal(r.active_warps_per_sm, 48);
	assert_true(fabs(r.theoretical_pct - 75.0) < 1e-9);
	assert_int_equal(r.limiters, OCC_LIMIT_REGISTERS);
}

static void
test_h100_256threads(void **state)
{
	occ_device d = h100();
	occ_function f = { .regs_per_thread = 40 };
	occ_launch l = launch(256, 1024);
	occ_result r;

	(void)state;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);
	assert_int_equal(r.limit_warps, 8);
	assert_int_equal(r.limit_registers, 6);
	assert_int_equal(r.blocks_per_sm, 6);
	assert_true(fabs(r.theoretical_pct - 75.0) < 1e-9);
}

/* GP100 (6.0) has two sub-partitions: the same 64-thread launch fits 25
 * blocks there, and 24 on GP10x (6.1) with four. */
static void
test_sub_partitions_by_arch(void **state)
{
	occ_device d = h100();
	occ_function f = { .regs_per_thread = 40 };
	occ_launch l = launch(64, 4096);
	occ_result r;

	(void)state;
	d.cc_major = 6;
	d.cc_minor = 0;
	d.reserved_smem_per_block_bytes = 0;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);
	assert_int_equal(r.limit_registers, 25);
	d.cc_minor = 1;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);
	assert_int_equal(r.limit_registers, 24);
}

/* 1,024-thread blocks of 32 registers: warps and registers both allow 2. */
static void
test_tie_registers_and_warps(void **state)
{
	occ_device d = h100();
	occ_function f = { .regs_per_thread = 32 };
	occ_launch l = launch(1024, 264);
	occ_result r;
	char buf[256];

	(void)state;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);
	assert_int_equal(r.limit_warps, 2);
	assert_int_equal(r.limit_registers, 2);
	assert_int_equal(r.blocks_per_sm, 2);
	assert_true(fabs(r.theoretical_pct - 100.0) < 1e-9);
	assert_int_equal(r.limiters, OCC_LIMIT_REGISTERS | OCC_LIMIT_WARPS);
	assert_string_equal(occupancy_limiter_text(r.limiters, buf, sizeof buf),
		"the number of required registers, and the number of warps within each block");
	assert_string_equal(occupancy_limiter_short(r.limiters, buf, sizeof buf), "registers+warps");
	assert_true(fabs(r.waves_per_sm - 1.0) < 1e-9);
}

/* One-warp blocks: 32 blocks per SM is the cap: 32 warps = 50 %. */
static void
test_blocks_limit(void **state)
{
	occ_device d = h100();
	occ_function f = { .regs_per_thread = 16 };
	occ_launch l = launch(32, 100000);
	occ_result r;
	char buf[256];

	(void)state;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);
	assert_int_equal(r.limit_warps, 64);
	assert_int_equal(r.limit_registers, 128);
	assert_int_equal(r.blocks_per_sm, 32);
	assert_int_equal(r.limiters, OCC_LIMIT_BLOCKS);
	assert_true(fabs(r.theoretical_pct - 50.0) < 1e-9);
	assert_string_equal(occupancy_limiter_text(r.limiters, buf, sizeof buf), "the number of blocks that can fit on the SM");
}

/* 48 KB static shared memory + 1 KB driver reserve: 4 blocks of 4 warps. */
static void
test_shared_memory_limit(void **state)
{
	occ_device d = h100();
	occ_function f = { .regs_per_thread = 32, .static_smem_bytes = 49152 };
	occ_launch l = launch(128, 528);
	occ_result r;
	char buf[256];

	(void)state;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);
	assert_int_equal(r.smem_per_block_alloc_bytes, 50176);
	assert_int_equal(r.limit_shared_mem, 4);
	assert_int_equal(r.blocks_per_sm, 4);
	assert_int_equal(r.limiters, OCC_LIMIT_SHARED_MEM);
	assert_true(fabs(r.theoretical_pct - 25.0) < 1e-9);
	assert_string_equal(occupancy_limiter_text(r.limiters, buf, sizeof buf), "the required amount of shared memory");
	/* Dynamic shared memory counts the same, rounded to 128 B. */
	f.static_smem_bytes = 0;
	l.dynamic_smem_bytes = 49100;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);
	assert_int_equal(r.smem_per_block_alloc_bytes, 50176);
	/* ncu's wording for a three-way tie. */
	assert_string_equal(occupancy_limiter_text(OCC_LIMIT_BLOCKS | OCC_LIMIT_SHARED_MEM | OCC_LIMIT_WARPS, buf, sizeof buf),
		"the number of blocks that can fit on the SM, the required amount of shared memory, and the number of warps within each block");
	assert_string_equal(occupancy_limiter_text(OCC_LIMIT_BLOCKS | OCC_LIMIT_SHARED_MEM, buf, sizeof buf),
		"the number of blocks that can fit on the SM, and the required amount of shared memory");
	assert_string_equal(occupancy_limiter_text(0, buf, sizeof buf), "");
}

/* The driver's figure wins for the final count; the formula still names the limiter. */
static void
test_driver_disagrees(void **state)
{
	occ_device d = h100();
	occ_function f = { .regs_per_thread = 40 };
	occ_launch l = launch(128, 2048);
	occ_result r;

	(void)state;
	l.driver_blocks_per_sm = 11;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);
	assert_int_equal(r.blocks_per_sm, 11);
	assert_int_equal(r.formula_blocks_per_sm, 12);
	assert_false(r.driver_agrees);
	assert_int_equal(r.active_warps_per_sm, 44);
	assert_int_equal(r.limiters, OCC_LIMIT_REGISTERS);
}

static void
test_bad_inputs(void **state)
{
	occ_device d = h100();
	occ_function f = { .regs_per_thread = 40 };
	occ_launch l = launch(128, 2048);
	occ_result r;
	errmsg e;

	(void)state;
	l.block_threads = 2048;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, &e), -1);
	assert_non_null(strstr(e.text, "2048 threads"));
	assert_non_null(strstr(e.text, "device limit"));

	l.block_threads = 512;
	f.max_threads_per_block = 256;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, &e), -1);
	assert_non_null(strstr(e.text, "function's limit"));

	f.max_threads_per_block = 0;
	f.regs_per_thread = 256;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, &e), -1);
	assert_non_null(strstr(e.text, "256 registers"));

	f.regs_per_thread = 255;
	l.block_threads = 1024;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, &e), -1);
	assert_non_null(strstr(e.text, "registers per block"));

	f.regs_per_thread = 32;
	f.static_smem_bytes = 240000;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, &e), -1);
	assert_non_null(strstr(e.text, "shared memory per block"));

	f.static_smem_bytes = 0;
	l.grid_blocks = 0;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, &e), -1);
	assert_non_null(strstr(e.text, "grid"));

	l.grid_blocks = 1;
	d.sm_count = 0;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, &e), -1);
	assert_non_null(strstr(e.text, "sm_count"));

	d = h100();
	l.block_threads = 0;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, &e), -1);
}

/* The verdict names what ncu's rules would. */
static void
test_verdict(void **state)
{
	occ_device d = h100();
	occ_function f = { .regs_per_thread = 40 };
	occ_launch l = launch(128, 2048);
	occ_result r;
	occ_measured m = { 0 };
	char buf[512];

	(void)state;
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);

	/* The GEMV of the notes: DRAM 84 %, SM 5 %, achieved 63 % of a 75 % theoretical. */
	m.have_mem = m.have_sm = m.have_achieved = true;
	m.mem_pct = 84;
	m.sm_pct = 5;
	m.achieved_pct = 63;
	occupancy_verdict(&r, &m, buf, sizeof buf);
	assert_non_null(strstr(buf, "high throughput, memory-bound (DRAM 84% vs SM 5% of peak)"));
	assert_non_null(strstr(buf, "theoretical occupancy 75% limited by registers"));
	assert_non_null(strstr(buf, "achieved 63% is 12 points below theoretical"));
	assert_non_null(strstr(buf, "partial last wave (29% full of 2)"));

	/* Within 10 points: no imbalance. */
	m.achieved_pct = 66;
	occupancy_verdict(&r, &m, buf, sizeof buf);
	assert_null(strstr(buf, "imbalance"));
	assert_non_null(strstr(buf, "achieved 66%"));

	/* Both under 60 %: latency. */
	m.mem_pct = 45;
	m.sm_pct = 40;
	occupancy_verdict(&r, &m, buf, sizeof buf);
	assert_non_null(strstr(buf, "latency-bound"));
	assert_null(strstr(buf, "memory-bound"));

	/* Compute side heavier. */
	m.mem_pct = 50;
	m.sm_pct = 70;
	occupancy_verdict(&r, &m, buf, sizeof buf);
	assert_non_null(strstr(buf, "moderate throughput, compute-bound"));

	/* Only memory known (the default 2-pass set has no sm__throughput). */
	m.have_sm = false;
	m.mem_pct = 85;
	occupancy_verdict(&r, &m, buf, sizeof buf);
	assert_non_null(strstr(buf, "memory-bound at high throughput (DRAM 85% of peak)"));
	m.mem_pct = 30;
	occupancy_verdict(&r, &m, buf, sizeof buf);
	assert_non_null(strstr(buf, "SM throughput not measured"));

	/* Nothing measured: theoretical only, said so. */
	occupancy_verdict(&r, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "throughput not measured"));
	assert_non_null(strstr(buf, "limited by registers"));
	assert_null(strstr(buf, "achieved"));

	/* A small grid and full occupancy. */
	f.regs_per_thread = 32;
	l = launch(1024, 100);
	assert_int_equal(occupancy_compute(&d, &f, &l, &r, NULL), 0);
	occupancy_verdict(&r, NULL, buf, sizeof buf);
	assert_non_null(strstr(buf, "grid too small to fill the GPU (0.38 waves)"));
	assert_non_null(strstr(buf, "theoretical occupancy 100%"));
	assert_null(strstr(buf, "limited by"));
	assert_null(strstr(buf, "partial last wave"));

	/* Truncation is safe. */
	occupancy_verdict(&r, &m, buf, 8);
	assert_int_equal(strlen(buf), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_h100_40regs_128threads),
		cmocka_unit_test(test_h100_unknown_carveout),
		cmocka_unit_test(test_h100_64threads_per_smsp),
		cmocka_unit_test(test_h100_256threads),
		cmocka_unit_test(test_sub_partitions_by_arch),
		cmocka_unit_test(test_tie_registers_and_warps),
		cmocka_unit_test(test_blocks_limit),
		cmocka_unit_test(test_shared_memory_limit),
		cmocka_unit_test(test_driver_disagrees),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
