/* report_run.h: what the parts of report_run share (report_run.c,
 * report_measure.c, report_outliers.c). Not part of the library's
 * interface. */
#ifndef GGSCOPE_REPORT_RUN_H
#define GGSCOPE_REPORT_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "errmsg.h"
#include "gguf.h"
#include "report.h"

struct jit;

typedef struct report_run_ctx {
	report *r;
	const report_run_opts *o;
	const gguf_file *f;
	struct jit *j, *own_j;        /* own_j: opened by the run, freed by it */
	struct jit *tools_j;          /* for the flush and ceiling kernels: j, or without
					 the defines (own_tools_j) */
	struct jit *own_tools_j;
	struct report_measure *m;     /* report_measure.c's state, NULL when not measuring */
	double t0;                    /* monotonic start, seconds */
	size_t done, total;           /* progress steps */
	size_t compile_total;         /* builds in the compile phase */
} report_run_ctx;

/* Monotonic seconds. */
double report_run_now(void);

/* Whether the caller's cancel flag is set. */
bool report_run_cancelled(const report_run_ctx *c);

/* Call the progress callback with the context's counters. */
void report_run_step(report_run_ctx *c, const char *phase);

/* report_measure.c. open: the device (or the reason there is none) into
 * r->env, the architecture to build for, CUPTI and the ceiling; returns -1
 * only on a bad --arch. steps: how many rows will be measured. all: measure
 * every compiled row, shape by shape; rows left get UNMEASURED and the
 * reason. close: release what open took (safe after a failed open). */
int report_measure_open(report_run_ctx *c, errmsg *err);
size_t report_measure_steps(const report_run_ctx *c);
void report_measure_all(report_run_ctx *c);
void report_measure_close(report_run_ctx *c);

/* report_outliers.c: build the per-layer outlier table of the selected
 * tensors into r->outliers; on failure r->outliers.why says why. */
void report_outliers_fill(report_run_ctx *c);

#endif
