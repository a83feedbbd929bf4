/* cupti_gpu: CUPTI in the process that owns the CUDA context.
 *
 * ggscope runs the driver in a worker process (gpu.h, "Isolation"), and
 * CUPTI only sees kernels of its own process, so CUPTI lives there too. The
 * gpu layer carries opaque profiler requests to wherever the driver runs
 * (gpu_profiler_call) and hands them to the handler this module installs
 * (cupti_gpu_install, in ggscope and in ggscope-gpu-worker alike). The
 * handler opens CUPTI lazily on the context it is given, so a worker that
 * replaced a poisoned one starts clean and is set up again on first use.
 *
 * Call order for a timing window: the context idle, cupti_gpu_timing_begin,
 * the launches, gpu_sync, cupti_gpu_timing_end. For counters, the session
 * of cupti.h: cupti_gpu_counters_begin, then per pass (flush L2 and
 * synchronise first) cupti_gpu_counters_pass_begin, the launches, gpu_sync,
 * cupti_gpu_counters_pass_end, until done; cupti_gpu_counters_end. Close
 * before gpu_close. */
#ifndef GGSCOPE_CUPTI_GPU_H
#define GGSCOPE_CUPTI_GPU_H

#include <stdbool.h>

#include "cupti.h"
#include "errmsg.h"
#include "gpu.h"

/* What CUPTI can do on that side, fetched once at open and after a reset. */
typedef struct cupti_gpu_status {
	enum cupti_tier tier;
	char timing_status[1024];    /* "" when activity timing works */
	char counters_status[1024];  /* "" when counters work */
	char chip[32];
	int passes;                  /* per profiled launch; 0 without counters */
	bool full;
} cupti_gpu_status;

typedef struct cupti_gpu {
	gpu *g;
	cupti_options opt;
	cupti_gpu_status st;
	unsigned generation;         /* the gpu generation st was fetched in */
	enum cupti_replay replay;    /* of the session being run */
} cupti_gpu;

/* Install the request handler in this process. Idempotent; call before
 * gpu_open (the worker's main does the same). */
void cupti_gpu_install(void);

/* Open CUPTI where g's driver runs. Never fails: without a GPU, with
 * opt->disabled, or when the gpu layer has no profiler path, the tier is
 * NONE and st.timing_status says why. */
void cupti_gpu_open(cupti_gpu *c, gpu *g, const cupti_options *opt);

/* Release CUPTI on the driver's side (before gpu_close). */
void cupti_gpu_close(cupti_gpu *c);

/* The status, fetched again if the gpu was reset since. */
const cupti_gpu_status *cupti_gpu_status_of(cupti_gpu *c);

/* The calls of cupti.h, run on the driver's side. Each returns 0, or
 * GPU_EFAIL / GPU_ERESET with err (CUPTI's message, or the gpu layer's). */
int cupti_gpu_timing_begin(cupti_gpu *c, errmsg *err);
int cupti_gpu_timing_end(cupti_gpu *c, size_t expected, cupti_timing *out, errmsg *err);
int cupti_gpu_counters_begin(cupti_gpu *c, int max_launches, enum cupti_replay replay, errmsg *err);
int cupti_gpu_counters_pass_begin(cupti_gpu *c, errmsg *err);
int cupti_gpu_counters_pass_end(cupti_gpu *c, bool *done, errmsg *err);
int cupti_gpu_counters_end(cupti_gpu *c, cupti_counters *out, errmsg *err);

#endif
