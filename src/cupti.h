/* cupti: kernel timing (CUPTI Activity API) and hardware counters (CUPTI
 * Range Profiler + Profiler Host, CUDA 13.0) for the kernels ggscope launches.
 *
 * Availability comes in tiers, decided once at cupti_open and said once:
 *   COUNTERS  activity timing and range-profiler counters;
 *   TIMING    activity timing only; the counter fields are n/a, with the
 *             reason (no permission: CUPTI_ERROR_INSUFFICIENT_PRIVILEGES,
 *             an unsupported device, libnvperf_host.so not found, ...);
 *   NONE      no CUPTI at all: --no-cupti (so that ncu can profile ggscope:
 *             a process using CUPTI cannot be profiled), a build without
 *             CUPTI, or activity tracing refused. Callers then time with
 *             CUDA events.
 *
 * Timing and counter passes are kept apart: a kernel launched inside a
 * range-profiler session leaves an activity record that never completes and
 * holds back every later flush, so a counter pass ends with a forced flush
 * and drops what it collected. One handle per process (CUPTI's activity
 * callbacks are process-wide); all calls from one thread.
 *
 * Host-side metric checks (cupti_host_check) need no GPU at all: given a
 * chip name ("GH100") they validate metric names and count passes. */
#ifndef GGSCOPE_CUPTI_H
#define GGSCOPE_CUPTI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

enum cupti_tier {
	CUPTI_TIER_NONE,
	CUPTI_TIER_TIMING,
	CUPTI_TIER_COUNTERS
};

/* The counter set. The first seven are the 2-pass set on GH100;
 * SM_THROUGHPUT alone needs 8 passes and is only collected in full mode. */
enum cupti_metric {
	CUPTI_M_TIME,           /* gpu__time_duration.sum, ns */
	CUPTI_M_DRAM_READ,      /* dram__bytes_read.sum, bytes */
	CUPTI_M_DRAM_WRITE,     /* dram__bytes_write.sum, bytes; inflated in-process (see cupti_metric_label) */
	CUPTI_M_DRAM_PCT,       /* dram__throughput.avg.pct_of_peak_sustained_elapsed, % */
	CUPTI_M_ACHIEVED_OCC,   /* sm__warps_active.avg.pct_of_peak_sustained_active, % */
	CUPTI_M_L2_HIT,         /* lts__t_sector_hit_rate.pct, % */
	CUPTI_M_SM_HZ,          /* gpc__cycles_elapsed.avg.per_second, Hz (the SM clock) */
	CUPTI_M_SM_PCT,         /* sm__throughput.avg.pct_of_peak_sustained_elapsed, %: full mode only */
	CUPTI_M_COUNT
};

#define CUPTI_M_BASIC_COUNT CUPTI_M_SM_PCT /* metrics in the default (2-pass) set */

typedef struct cupti_options {
	bool disabled;  /* --no-cupti: touch no CUPTI function at all */
	bool full;      /* also collect sm__throughput: 8 passes on GH100 instead of 2 */
} cupti_options;

typedef struct cupti cupti;

/* Open CUPTI on a CUDA context (a CUcontext, passed as void * so this header
 * needs no cuda.h), its CUdevice and the device's ordinal. Never returns NULL
 * and never fails: what does not work lowers the tier, and
 * cupti_timing_status / cupti_counters_status say why. Costs ~0.3 s when
 * counters are set up (profiler host initialisation). */
cupti *cupti_open(void *cu_context, int cu_device, int device_ordinal, const cupti_options *opt);
void cupti_close(cupti *c); /* NULL allowed */

enum cupti_tier cupti_tier(const cupti *c);
const char *cupti_tier_name(enum cupti_tier t); /* "counters", "timing only", "none" */
/* "" when the part works, else the one-line reason (with the fix when there
 * is one, e.g. the LD_LIBRARY_PATH / DT_RPATH hint for libnvperf_host.so). */
const char *cupti_timing_status(const cupti *c);
const char *cupti_counters_status(const cupti *c);
const char *cupti_chip(const cupti *c);   /* "GH100", or "" when unknown */
int cupti_passes(const cupti *c);         /* passes per counter launch, 0 when n/a */
bool cupti_full(const cupti *c);          /* sm__throughput is in the set */

/* The CUPTI library's API version (cuptiGetVersion, e.g. 130001). Returns 0,
 * or -1 with err when CUPTI is not built in or the call fails. Needs no GPU. */
int cupti_version(unsigned *version, errmsg *err);

/* ---- timing (Activity API, CONCURRENT_KERNEL records) ---- */

#define CUPTI_KERNEL_NAME_MAX 128
#define CUPTI_MAX_KERNELS 8
/* The L2 flush kernel's name: its records never count. */
#define CUPTI_FLUSH_KERNEL "ggscope_l2_flush"

typedef struct cupti_kernel_time {
	char name[CUPTI_KERNEL_NAME_MAX];
	size_t n;                 /* launches timed */
	double median_ns, min_ns, max_ns, mean_ns;
	/* From the last record: what the launch really used. */
	uint32_t regs_per_thread;
	int32_t static_smem_bytes, dynamic_smem_bytes;
	uint32_t smem_config_bytes;   /* sharedMemoryExecuted: the carveout the driver chose */
	uint32_t local_bytes_per_thread;
	int32_t grid[3], block[3];
} cupti_kernel_time;

/* Kernel names come from CUPTI, which keys them by function: after a
 * module is unloaded, a kernel loaded later at the same address is reported
 * under the old kernel's name (seen on the H100 with CUDA 13.0). So a caller
 * that unloads modules identifies its launches by their order (records[],
 * sorted by start time), not by name. */
#define CUPTI_MAX_RECORDS 32

typedef struct cupti_timing {
	size_t n_kernels;             /* distinct names, in order of first launch */
	cupti_kernel_time kernels[CUPTI_MAX_KERNELS]; /* per name, the flush kernel's left out */
	size_t n_records;             /* every kernel of the window, the flush kernel's included */
	cupti_kernel_time records[CUPTI_MAX_RECORDS]; /* one per launch (n = 1), by start time */
	size_t excluded;              /* records named like the flush kernel (left out of kernels[]) */
	size_t other;                 /* records beyond CUPTI_MAX_KERNELS names or CUPTI_MAX_RECORDS */
	size_t incomplete;            /* records without timestamps, dropped */
	size_t stale;                 /* records of kernels started before the window, dropped */
	size_t dropped;               /* records CUPTI itself lost (buffer full) */
} cupti_timing;

/* Start a timing window: discards every record collected so far, and any
 * record of a kernel that started before this call, whenever CUPTI delivers
 * it (its buffers may come back later, from CUPTI's own thread). The
 * context must be idle (synchronised).
 * Returns 0, or -1 with err when timing is unavailable or CUPTI fails. */
int cupti_timing_begin(cupti *c, errmsg *err);

/* End the window and summarise each kernel launched in it (the flush kernel
 * excluded from kernels[]). The caller synchronises the context first
 * (cuCtxSynchronize) and says how many kernels it launched in the window,
 * the flush kernel included (0 = at least one): CUPTI completes a record some time after the
 * kernel ends, so the window stays open, flushing completed buffers, until
 * that many arrived or CUPTI_TIMING_WAIT_MS passed. A forced flush would
 * hand back the missing ones without timestamps.
 * Returns 0, or -1 with err on a CUPTI failure or when fewer records came. */
#define CUPTI_TIMING_WAIT_MS 2000
int cupti_timing_end(cupti *c, size_t expected, cupti_timing *out, errmsg *err);

/* The entry for a kernel name, or NULL. */
const cupti_kernel_time *cupti_timing_find(const cupti_timing *t, const char *name);

/* Median, min, max and mean of v[0..n) (v is sorted in place). n == 0 gives
 * zeros. The median of an even count is the mean of the middle two. */
void cupti_summarize(double *v, size_t n, double *median, double *min, double *max, double *mean);

/* ---- counters (Range Profiler, AutoRange + KernelReplay) ---- */

#define CUPTI_MAX_RANGES 4

typedef struct cupti_range_values {
	bool valid[CUPTI_M_COUNT];
	double value[CUPTI_M_COUNT];
} cupti_range_values;

typedef struct cupti_counters {
	size_t n_ranges;              /* one per kernel launched in the session, in launch order */
	cupti_range_values range[CUPTI_MAX_RANGES];
	size_t ranges_dropped;
	int passes;
	double wall_ms;               /* begin to end: ~0.2 s, the reason counters run on demand */
} cupti_counters;

/* Who replays a multi-pass configuration.
 *   KERNEL: CUPTI replays each kernel inside its launch, saving and
 *           restoring device memory; one pass of the loop below. Later
 *           passes then run with the L2 the earlier ones warmed.
 *   USER:   the caller repeats its launches once per pass, and can flush
 *           L2 before each, as ncu --cache-control all does. The launches
 *           must be idempotent (a GEMV is: it overwrites y). */
enum cupti_replay {
	CUPTI_REPLAY_KERNEL,
	CUPTI_REPLAY_USER
};

/* A counter session, AutoRange (one range per kernel, in launch order):
 *   cupti_counters_begin(c, launches, replay)
 *   do { (flush, synchronise) cupti_counters_pass_begin; the launches;
 *        synchronise; cupti_counters_pass_end(&done) } while (!done)
 *   cupti_counters_end(&out)
 * Launches inside a pass are synchronous. Any failure ends the session
 * (everything is released); a permission failure
 * (CUPTI_ERROR_INSUFFICIENT_PRIVILEGES) also lowers the tier to TIMING for
 * good, with the reason in cupti_counters_status.
 *
 * begin: max_launches per pass, 1..CUPTI_MAX_RANGES. Returns 0, or -1 with
 * err when counters are unavailable, a session is open, or CUPTI fails. */
int cupti_counters_begin(cupti *c, int max_launches, enum cupti_replay replay, errmsg *err);

/* Start one pass. Returns 0, or -1 with err. */
int cupti_counters_pass_begin(cupti *c, errmsg *err);

/* Stop the pass; *done is true once every pass has been submitted (always
 * after the first with KERNEL replay). Returns 0, or -1 with err (also when
 * more than CUPTI_MAX_PASSES were needed). */
#define CUPTI_MAX_PASSES 64
int cupti_counters_pass_end(cupti *c, bool *done, errmsg *err);

/* Decode and evaluate (every pass must be done); then force-flush the
 * activity records the session left behind. Also ends a session abandoned
 * half-way (then -1 and err). Returns 0, or -1 with err. */
int cupti_counters_end(cupti *c, cupti_counters *out, errmsg *err);

/* ---- metric names, offline ---- */

const char *cupti_metric_name(enum cupti_metric m);   /* the CUPTI name */
/* A short label with the unit and any caveat, e.g. "DRAM write (inflated
 * in-process: includes profiler traffic)". */
const char *cupti_metric_label(enum cupti_metric m);

/* The metric names of the default set, or the full set with
 * sm__throughput. Returns the count; names[] must hold CUPTI_M_COUNT. */
size_t cupti_metric_set(bool full, const char **names);

/* The chip name CUPTI uses for a compute capability, for offline checks:
 * 7.0 GV100, 8.0 GA100, 9.0 GH100, 10.0 GB100. NULL where one cc covers
 * several chips (8.6, 8.9, 12.0, ...). */
const char *cupti_chip_for_cc(int major, int minor);

typedef struct cupti_metric_check {
	bool ok;
	char why[256];       /* the CUPTI error when !ok */
	char unit[32];       /* "byte", "nanosecond", "percent", "gpc_cycle/second" */
	char hw_unit[32];    /* "dram", "gpu", ... */
} cupti_metric_check;

/* Validate metric names on a chip with the Profiler Host API (no GPU
 * needed): each name alone on one host object (a rejected name would leave
 * a configured object unusable), then the pass count of the accepted ones
 * together (*passes, 0 when none was accepted). Returns 0, or -1 with err
 * when the host cannot initialise: an unknown chip
 * (CUPTI_ERROR_INVALID_CHIP_NAME), libnvperf_host.so not found
 * (CUPTI_ERROR_NOT_INITIALIZED, with the fix), or a build without CUPTI. */
int cupti_host_check(const char *chip, const char *const *names, size_t n,
	cupti_metric_check *out, int *passes, errmsg *err);

/* CUPTI's name for a result code ("CUPTI_ERROR_INSUFFICIENT_PRIVILEGES"),
 * or "CUPTI error N". */
const char *cupti_result_name(int code);

/* What to do about a result code, or "" when there is nothing specific:
 * permissions (RmProfilingAdminOnly, root / CAP_PERFMON, the modprobe option),
 * libnvperf_host.so (LD_LIBRARY_PATH or -Wl,--disable-new-dtags,-rpath),
 * virtualised / MIG / WSL / CMP devices, another profiler attached. */
const char *cupti_result_hint(int code);

#endif
