/* occupancy: theoretical occupancy, its limiter and a one-line verdict.
 *
 * CUPTI has no launch__* metrics, so ggscope computes what Nsight Compute's
 * Occupancy and Launch Statistics sections show from the device limits, the
 * function's attributes (cuFuncGetAttribute) and the launch configuration.
 * Every function here is pure: the same numbers always give the same answer,
 * and nothing touches a GPU, so the rules are unit-tested with the H100's
 * numbers.
 *
 * The per-limit rules are the hardware's: registers are allocated per warp in
 * units of 256 and per SM sub-partition (4 x 16,384 registers on sm_90), which
 * is why 64-thread blocks of a 40-register kernel fit 24 per SM, not 25.
 * The final blocks-per-SM figure is cuOccupancyMaxActiveBlocksPerMultiprocessor's
 * when the caller has it; the formula then only names the limiter, the way
 * ncu's rule TheoreticalOccupancy does (all limits equal to the lowest). */
#ifndef GGSCOPE_OCCUPANCY_H
#define GGSCOPE_OCCUPANCY_H

#include <stdbool.h>
#include <stddef.h>

#include "errmsg.h"

/* Device limits, from cuDeviceGetAttribute (H100 values in comments). */
typedef struct occ_device {
	int cc_major, cc_minor;        /* 9, 0 */
	int sm_count;                  /* MULTIPROCESSOR_COUNT: 132 */
	int warp_size;                 /* 32 */
	int max_threads_per_sm;        /* MAX_THREADS_PER_MULTIPROCESSOR: 2048 */
	int max_blocks_per_sm;         /* MAX_BLOCKS_PER_MULTIPROCESSOR: 32 */
	int max_threads_per_block;     /* MAX_THREADS_PER_BLOCK: 1024 */
	int regs_per_sm;               /* MAX_REGISTERS_PER_MULTIPROCESSOR: 65536 */
	int regs_per_block;            /* MAX_REGISTERS_PER_BLOCK: 65536 */
	int smem_per_sm_bytes;         /* MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: 233472 */
	int smem_per_block_optin_bytes;/* MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: 232448 */
	int reserved_smem_per_block_bytes; /* RESERVED_SHARED_MEMORY_PER_BLOCK: 1024 */
} occ_device;

/* The function's attributes, from cuFuncGetAttribute. */
typedef struct occ_function {
	int regs_per_thread;           /* NUM_REGS */
	int static_smem_bytes;         /* SHARED_SIZE_BYTES */
	int max_threads_per_block;     /* MAX_THREADS_PER_BLOCK (regs, __launch_bounds__); 0 = the device's */
	int local_bytes_per_thread;    /* LOCAL_SIZE_BYTES: spills and stack; reported, no effect here */
} occ_function;

/* One launch. */
typedef struct occ_launch {
	int block_threads;
	long long grid_blocks;
	int dynamic_smem_bytes;
	/* The shared-memory carveout the driver configured for the launch
	 * (CUPTI's sharedMemoryExecuted, ncu's launch__shared_mem_config_size).
	 * 0 = unknown: the SM's whole shared memory is assumed, as
	 * cuOccupancyMaxActiveBlocksPerMultiprocessor does. */
	int smem_config_bytes;
	/* cuOccupancyMaxActiveBlocksPerMultiprocessor's answer; -1 = not asked. */
	int driver_blocks_per_sm;
} occ_launch;

/* Limits, as bits (a tie names several). */
enum occ_limit {
	OCC_LIMIT_WARPS = 1u << 0,       /* warps within each block (ncu "Block Limit Warps") */
	OCC_LIMIT_REGISTERS = 1u << 1,   /* "Block Limit Registers" */
	OCC_LIMIT_SHARED_MEM = 1u << 2,  /* "Block Limit Shared Mem" */
	OCC_LIMIT_BLOCKS = 1u << 3       /* blocks that fit on the SM ("Block Limit SM") */
};

typedef struct occ_result {
	int warps_per_block;
	/* Blocks per SM each resource allows (ncu's launch__occupancy_limit_*). */
	int limit_warps, limit_registers, limit_shared_mem, limit_blocks;
	int regs_per_warp_alloc;       /* registers per warp after the 256-register rounding */
	int smem_per_block_alloc_bytes;/* static + dynamic + driver reserve, rounded to 128 B */
	int smem_config_bytes;         /* the carveout the shared-memory limit used */
	bool smem_config_known;        /* from the launch, not assumed */
	int formula_blocks_per_sm;     /* min of the four limits */
	int blocks_per_sm;             /* the driver's when given, else the formula's */
	bool driver_given;
	bool driver_agrees;            /* driver_given and equal to the formula */
	unsigned limiters;             /* enum occ_limit bits equal to the lowest limit */
	int max_warps_per_sm;          /* 64 */
	int active_warps_per_sm;       /* theoretical: blocks_per_sm x warps_per_block */
	double theoretical_pct;        /* active / max warps, 0..100 */
	double warps_per_scheduler;    /* ncu's "theoretical warps per scheduler" (4 per SM) */
	double waves_per_sm;           /* grid / (blocks_per_sm x SMs), ncu's launch__waves_per_multiprocessor */
} occ_result;

/* Compute occupancy. Returns 0, or -1 with err naming the bad input
 * (a non-positive limit, a block larger than the device or function allows,
 * a block that cannot fit even alone: its registers or shared memory exceed
 * the per-block limits). */
int occupancy_compute(const occ_device *d, const occ_function *f, const occ_launch *l,
	occ_result *r, errmsg *err);

/* The limiter in ncu's words, e.g. "the number of required registers" or
 * "the number of blocks that can fit on the SM, and the required amount of
 * shared memory". Writes "" for 0. Returns buf. */
const char *occupancy_limiter_text(unsigned limiters, char *buf, size_t len);

/* Short limiter names joined by '+': "registers", "warps", "shared memory",
 * "blocks", e.g. "registers+shared memory". Returns buf. */
const char *occupancy_limiter_short(unsigned limiters, char *buf, size_t len);

/* Optional measured figures for the verdict; a false have_* means n/a. */
typedef struct occ_measured {
	bool have_achieved;
	double achieved_pct;     /* sm__warps_active.avg.pct_of_peak_sustained_active */
	bool have_mem;
	double mem_pct;          /* memory throughput, % of peak (dram__throughput or GB/s / ceiling) */
	bool have_sm;
	double sm_pct;           /* sm__throughput.avg.pct_of_peak_sustained_elapsed (full mode) */
} occ_measured;

/* ncu's rule thresholds, named so the tests and the help text share them. */
#define OCC_LATENCY_PCT 60.0     /* both throughputs below: latency issue */
#define OCC_HIGH_PCT 80.0        /* either at or above: high throughput */
#define OCC_BALANCE_PCT 10.0     /* |SM - memory| at or above: one side dominates */
#define OCC_THEORETICAL_PCT 80.0 /* theoretical below: name the limiter */
#define OCC_IMBALANCE_PCT 10.0   /* achieved below theoretical by more: imbalance */

/* The one-line verdict from the rules above, for example
 * "high throughput, memory-bound (DRAM 84% vs SM 5%); theoretical occupancy
 * 75% limited by registers; achieved 63% is 12 points below theoretical:
 * warp scheduling overhead or load imbalance". Never fails; missing figures
 * are said to be missing. Returns buf. */
const char *occupancy_verdict(const occ_result *r, const occ_measured *m, char *buf, size_t len);

#endif
