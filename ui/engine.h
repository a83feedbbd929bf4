/* engine: runs the TUI's jobs through the library (GGUF reader, demo
 * layer, variant registry and JIT, GPU runner, CUPTI, GpuProfile, outlier
 * statistics) and turns the answers into model data.
 *
 * One engine lives on the worker thread (or, for --snapshot, on the main
 * thread): it owns the open file and the GPU. Nothing here draws. */
#ifndef GGSCOPE_ENGINE_H
#define GGSCOPE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "job.h"
#include "worker.h"

typedef struct engine_opts {
	bool no_cupti;              /* leave CUPTI off (so ncu can profile ggscope) */
	const char *act_file;       /* --act: a .f32/.npy activation file, or NULL */
	const char *imatrix_file;   /* --imatrix, or NULL */
	bool has_token;             /* --token given */
	long token;                 /* --token: row of a 2-D .npy (negative: from the end) */
	uint64_t seed;              /* synthetic activations */
} engine_opts;

typedef struct engine engine;

/* Never fails; nothing is opened until the first job. */
engine *engine_new(const engine_opts *o);
/* Close the file and the GPU. NULL is allowed. */
void engine_free(engine *e);

/* Use g instead of opening device 0 at the first probe (the tests pass a
 * fake backend). The engine owns g from now on. */
struct gpu;
void engine_set_gpu(engine *e, struct gpu *g);

/* Run one job (a worker_fn; w may be NULL when called directly). Fills r;
 * failures are reported in r (ok false, why), never by aborting. */
void engine_run(void *engine_ctx, const job *j, job_result *r, worker *w);

/* The activation sources engine_run understands, in order: their labels
 * for the model. Returns how many. */
int engine_act_sources(const engine *e, char labels[][64], int max);


#endif
