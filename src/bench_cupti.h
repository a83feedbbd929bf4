/* bench_cupti: what bench_measure takes from CUPTI and occupancy.c — the
 * activity-record timing source, the occupancy of the launch as the driver
 * really configured it, the counter values of the GEMV's range, and the
 * one-line verdict. bench.c keeps the loop; these are the pieces it calls. */
#ifndef GGSCOPE_BENCH_CUPTI_H
#define GGSCOPE_BENCH_CUPTI_H

#include <stdbool.h>
#include <stddef.h>

#include "bench.h"
#include "cupti.h"
#include "errmsg.h"
#include "gpu.h"

/* The state a timing source keeps for one bench_measure. */
struct bench_timing {
	gpu *g;
	struct cupti_gpu *cu;         /* NULL: CUDA events */
	const char *entry[2];         /* kernel 0 (the GEMV) and 1 (the quantizer or NULL) */
	bool flush_kernel;            /* each rep launches the L2 flush kernel first */
	gpu_launch_cfg cfg[2];        /* of kernels 0 and 1, as launched */
	bool have_record;
	cupti_kernel_time record;     /* the GEMV's last activity record */
};

void bench_timing_init(struct bench_timing *tc, gpu *g, const bench_opts *o, const char *gemv_entry,
	const char *quant_entry);

/* Whether o asks for CUPTI timing and its tier gives it. */
bool bench_cupti_timing(const bench_opts *o);

/* The CUPTI timing source: open a window at the start of a rep, launch
 * plainly, read kernel i's duration from its activity record. Records are
 * matched by launch order (CUPTI can report a kernel under the name of an
 * unloaded one), and checked against the launch's grid and block. collect
 * fails (GPU_EFAIL) when the window holds more or fewer kernels than the
 * rep launched, or one whose geometry does not match. */
int bench_cupti_begin(struct bench_timing *tc, errmsg *err);
int bench_cupti_launch(struct bench_timing *tc, int i, gpu_func f, const gpu_launch_cfg *cfg,
	const gpu_arg *args, int nargs, errmsg *err);
int bench_cupti_collect(struct bench_timing *tc, int n, double *us, errmsg *err);

/* Theoretical occupancy of the GEMV launch (occupancy.h) from the device
 * limits, r->attrs, r->cfg, the driver's blocks per SM and, when CUPTI saw
 * the launch, the shared-memory carveout the driver chose. Sets r->occ_valid,
 * r->record_valid. */
void bench_cupti_occupancy(gpu *g, const struct bench_timing *tc, bench_result *r);

/* Whether to run a counter session; when not and counters were asked for,
 * r->counters_note says why. */
bool bench_cupti_counters_wanted(const bench_opts *o, bench_result *r);

/* Keep range `range` of k as the GEMV's counters. */
void bench_cupti_take_counters(bench_result *r, const cupti_counters *k, size_t range);

/* DRAM bytes read / the ideal (weights + x read once); false when n/a. */
bool bench_cupti_read_ratio(const bench_result *r, double *ratio);

/* The verdict line (occupancy_verdict with what r holds): memory figure
 * from dram__throughput when counted, else GB/s over the datasheet peak.
 * Returns buf, "" when occupancy is unknown. */
const char *bench_cupti_verdict(const bench_result *r, double peak_gbs, char *buf, size_t len);

#endif
