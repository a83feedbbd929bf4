/* job: the requests the UI hands to the worker thread and the results it
 * gets back, plus job_apply, which folds a result into the model.
 *
 * Results own what they point to (logs, channel magnitudes, the tensor
 * table) until job_apply moves it into the model or job_result_free drops
 * it. Tensor/variant indices are those of the load the job was made for. */
#ifndef GGSCOPE_JOB_H
#define GGSCOPE_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

enum job_kind {
	JOB_LOAD,       /* open the file (path) or build the demo layer (path "") */
	JOB_PROBE,      /* device, versions, counters, GpuProfile, ceiling */
	JOB_COMPILE,    /* JIT-build a cell: resources, no launch */
	JOB_MEASURE,    /* build, launch, time, check a cell */
	JOB_OUTLIER,    /* statistics of the activation vector for a tensor */
	JOB_PROFILE_SET,/* apply (variant, warps) to the GpuProfile */
	JOB_REPORT,     /* F7: write the tuning report (report_path) */
	JOB_KIND_COUNT
};

/* Groups a job can belong to, so a set of them can be cancelled at once. */
enum job_group { JG_NONE, JG_AUTO, JG_SWEEP, JG_REPORT };

/* JOB_REPORT's tensor for "the whole file". */
#define JOB_ALL_TENSORS ((size_t)-1)

typedef struct job {
	int kind;            /* enum job_kind */
	unsigned id;         /* set by worker_push */
	int group;           /* enum job_group */
	unsigned sweep;      /* JG_SWEEP: which sweep, so a cancelled one's late
	                        result does not count toward the next */
	bool coalesce;       /* a newer queued job of this kind and group replaces it */
	char path[512];      /* LOAD: the file, "" = demo; COMPILE/MEASURE: the
	                        kernels directory to build from, "" = the default */
	size_t tensor;       /* COMPILE, MEASURE, OUTLIER, PROFILE_SET */
	int variant;
	int warps;
	bool l2_cold;        /* MEASURE */
	bool force;          /* COMPILE/MEASURE: compile afresh, bypassing the caches (r) */
	bool reload;         /* COMPILE/MEASURE: the kernel file changed (hot reload) */
	unsigned act_gen;    /* MEASURE, OUTLIER: the activation setting it used */
	int act_source;
	char outlier_spec[128];
	char report_path[512];   /* JOB_REPORT: the markdown file to write */
} job;

typedef struct job_result {
	job job;             /* the request, as pushed */
	bool started;        /* a "now running" notice, not a result */
	bool progress;       /* a progress notice (progress_frac), not a result */
	double progress_frac;
	bool cancelled;      /* dropped before it ran */
	bool ok;
	char why[MODEL_WHY];
	/* LOAD */
	char src_name[256];
	uint64_t file_bytes;
	size_t n_groups, n_tensors;
	model_group *groups;
	model_tensor *tensors;
	int n_act_sources;
	char act_sources[MODEL_MAX_SOURCES][64];
	/* PROBE */
	model_device dev;
	/* COMPILE, MEASURE */
	model_compile comp;
	model_measure meas;
	/* OUTLIER */
	model_outlier out;
	/* PROFILE_SET: a status message in why */
} job_result;

/* A human description of a job for the busy line ("compiling mwv w4"). */
void job_describe(const job *j, const model *m, char *buf, size_t len);

/* Fold a result into the model (moving what it owns) and leave r empty.
 * Stale results (for another load, or an outdated activation setting)
 * are dropped or applied only in part, as documented in job.c. */
void job_apply(model *m, job_result *r);

/* Free what a result owns that job_apply did not take. */
void job_result_free(job_result *r);

#endif
