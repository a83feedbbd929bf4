/* engine_internal: the engine's state and the job functions its files
 * share. Internal to ui/engine*.c. */
#ifndef GGSCOPE_ENGINE_INTERNAL_H
#define GGSCOPE_ENGINE_INTERNAL_H

#include <stddef.h>

#include "acts.h"
#include "bench.h"
#include "cupti_gpu.h"
#include "engine.h"
#include "gguf.h"
#include "gpu.h"
#include "imatrix.h"
#include "jit.h"
#include "l2flush.h"
#include "layers.h"
#include "profile.h"

struct engine {
	engine_opts opt;
	gguf_file *file;      /* the open model or demo layer */
	layer_map *layers;
	size_t *index;        /* model tensor index -> gguf tensor index */
	size_t n_index;
	jit *jit;             /* builds; made on first use */
	jit *jit_fresh;       /* the last build forced with r (no caches) */
	char jit_dir[512];    /* its kernels directory, "" = the default search */
	char arch[16];        /* what builds target: the device's, else sm_90 */
	acts_file *acts;      /* --act, loaded on first use */
	imatrix *im;          /* --imatrix, loaded on first use */

	gpu *gpu;             /* opened by the probe; the null backend without a GPU */
	int sm_count;
	bench_session *sess;  /* the last tensor and input measured, with its reference */
	size_t sess_tensor;
	int sess_act_source;
	char sess_spec[128];
	bool ceiling_valid;   /* the device's measured read ceiling */
	double ceiling_gbs;
	double peak_gbs;      /* the datasheet bandwidth, for the verdict */
	cupti_gpu cu;         /* CUPTI where the driver runs; cu.g NULL: not opened */
	l2flush *flush;       /* the cold-L2 flush kernel; NULL: gpu_l2_flush */

	int cc_major, cc_minor;   /* what the GpuProfile is detected for */
	profile_user user;        /* the choices applied with p */
	gpu_profile prof;
	model_device dev;         /* the last probe, updated by profile changes */
};

/* Builds target the H100's architecture when there is no device to ask. */
#define ENGINE_DEFAULT_ARCH "sm_90"

/* Whether the worker asked the running job to stop. */
bool engine_cancelled(worker *w);

/* The file's tensor for a model tensor index, or NULL. */
const gguf_tensor *engine_tensor(const engine *e, size_t model_index);

/* Fill t->variants (legal for its type and shape) or t->no_variants. */
void engine_variants_for(engine *e, model_tensor *t);

/* The index-th GEMV variant of the registry for a weight type, or NULL. */
const variant *engine_variant(uint32_t qtype, int index);

/* Build the job's cell for e->arch into c (c->log owned by c). Returns
 * the module when it compiled (owned by the jit), NULL when not (c says
 * why; after a failed edit the jit keeps the last good build). */
const jit_module *engine_build(engine *e, const job *j, model_compile *c);
/* The jit for a kernels directory ("" = the default search), made or
 * remade on demand. NULL with err when no kernel directory is usable. */
jit *engine_jit(engine *e, const char *kernels_dir, errmsg *err);
/* The same for a given variant and warps (the Q8_1 quantizer). */
const jit_module *engine_build_variant(engine *e, const job *j, const variant *v, int warps,
	model_compile *c);
void engine_build_close(engine *e);

/* "13.0", or "n/a (why)"; returns 0 or -1. */
int engine_nvrtc_version(char *buf, size_t len);

/* The jobs. */
void engine_probe(engine *e, job_result *r);
void engine_cell(engine *e, const job *j, job_result *r, worker *w);
void engine_profile_set(engine *e, const job *j, job_result *r);
void engine_outlier(engine *e, const job *j, job_result *r, worker *w);
void engine_report(engine *e, const job *j, job_result *r, worker *w);

/* The input vector (k floats, malloc'd) a job's activation source gives,
 * and its label; NULL with err (a file of another length, a bad spec). */
float *engine_input(engine *e, const job *j, uint64_t k, char *label, size_t label_len, errmsg *err);
void engine_acts_close(engine *e);
/* The loaded imatrix when the job's source is one (F7 reports per-layer
 * profiles from it), else NULL. */
const imatrix *engine_source_imatrix(engine *e, const job *j);

/* Release the GPU side. */
void engine_gpu_close(engine *e);

/* The profiler side (engine_prof.c): versions, counter availability, the
 * ceiling and the GpuProfile into d; the timed measurement; the counters
 * and occupancy of one measured cell; and closing it all. */
void engine_probe_profiler(engine *e, model_device *d);
int engine_bench_measure(engine *e, bench_session *s, const bench_kernel *gemv, const bench_kernel *quant,
	const bench_opts *o, bench_result *r);
void engine_counters(engine *e, const job *j, const gguf_tensor *gt, const jit_module *mod,
	const bench_result *br, model_measure *me);
void engine_profiler_close(engine *e);

#endif
