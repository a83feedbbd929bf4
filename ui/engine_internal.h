/* engine_internal: the engine's state and the job functions its files
 * share. Internal to ui/engine*.c. */
#ifndef GGSCOPE_ENGINE_INTERNAL_H
#define GGSCOPE_ENGINE_INTERNAL_H

#include <stddef.h>

#include "engine.h"
#include "gguf.h"
#include "layers.h"

struct engine {
	engine_opts opt;
	gguf_file *file;      /* the open model or demo layer */
	layer_map *layers;
	size_t *index;        /* model tensor index -> gguf tensor index */
	size_t n_index;
};

/* Whether the worker asked the running job to stop. */
bool engine_cancelled(worker *w);

/* The file's tensor for a model tensor index, or NULL. */
const gguf_tensor *engine_tensor(const engine *e, size_t model_index);

/* Fill t->variants (legal for its type and shape) or t->no_variants. */
void engine_variants_for(engine *e, model_tensor *t);

/* The jobs. */
void engine_probe(engine *e, job_result *r);
void engine_cell(engine *e, const job *j, job_result *r, worker *w);
void engine_profile_set(engine *e, const job *j, job_result *r);
void engine_outlier(engine *e, const job *j, job_result *r, worker *w);

/* Release the GPU side. */
void engine_gpu_close(engine *e);

#endif
