/* engine: the TUI's jobs, run through the library. This file holds the
 * engine's state, the dispatcher and the load job; engine_gpu.c holds the
 * device, build and measurement jobs, engine_acts.c the activation and
 * outlier jobs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"
#include "engine_internal.h"
#include "gguf.h"
#include "layers.h"
#include "quant.h"
#include "xalloc.h"

engine *
engine_new(const engine_opts *o)
{
	engine *e = xcalloc(1, sizeof(*e));

	if (o != NULL)
		e->opt = *o;
	if (e->opt.seed == 0)
		e->opt.seed = 42;
	snprintf(e->arch, sizeof(e->arch), "%s", ENGINE_DEFAULT_ARCH);
	return e;
}

void
engine_free(engine *e)
{
	if (e == NULL)
		return;
	engine_gpu_close(e);
	engine_build_close(e);
	engine_acts_close(e);
	layers_free(e->layers);
	gguf_close(e->file);
	free(e->index);
	free(e);
}

bool
engine_cancelled(worker *w)
{
	return w != NULL && worker_cancelling(w);
}

/* Copy a tensor's description into the model's form. */
static void
fill_tensor(engine *e, const gguf_tensor *gt, size_t group, model_tensor *t)
{
	const quant_info *qi = quant_type_info(gt->type);
	uint32_t d;

	snprintf(t->name, sizeof(t->name), "%s", gt->name);
	snprintf(t->type_name, sizeof(t->type_name), "%s", qi ? qi->name : "?");
	t->type = gt->type;
	t->n_dims = (int)gt->n_dims;
	for (d = 0; d < GGUF_MAX_DIMS && d < 4; d++)
		t->ne[d] = gt->ne[d];
	t->bytes = gt->n_bytes;
	t->block = layers_block_of(gt->name, NULL);
	t->group = group;
	engine_variants_for(e, t);
	if (t->n_variants > 0)
		t->cells = xcalloc((size_t)t->n_variants * MODEL_MAX_WARPS, sizeof(*t->cells));
	snprintf(t->out.why, sizeof(t->out.why), "not computed yet");
}

/* The demo builder's progress, passed on to the worker. */
struct load_progress {
	worker *w;
	const job *j;
};

static void
demo_progress(void *arg, uint64_t done, uint64_t total)
{
	struct load_progress *p = arg;

	worker_progress(p->w, p->j, total > 0 ? (double)done / (double)total : 0);
}

static void
run_load(engine *e, const job *j, job_result *r, worker *w)
{
	struct load_progress lp = { w, j };

	errmsg err;
	size_t g, i, n = 0;

	layers_free(e->layers);
	gguf_close(e->file);
	e->layers = NULL;
	e->file = NULL;
	errmsg_clear(&err);
	if (j->path[0] == '\0') {
		demo_config c;

		demo_config_default(&c);
		c.progress = demo_progress;
		c.progress_arg = &lp;
		demo_name(&c, r->src_name, sizeof(r->src_name));
		e->file = demo_open(&c, &err);
	} else {
		snprintf(r->src_name, sizeof(r->src_name), "%s", j->path);
		e->file = gguf_open(j->path, &err);
	}
	if (e->file == NULL) {
		snprintf(r->why, sizeof(r->why), "%s", err.text);
		return;
	}
	e->layers = layers_group(e->file);
	r->file_bytes = gguf_size(e->file);
	r->n_groups = e->layers->n_groups;
	r->groups = xcalloc(r->n_groups + 1, sizeof(*r->groups));
	for (g = 0; g < e->layers->n_groups; g++)
		n += e->layers->groups[g].n_tensors;
	r->n_tensors = n;
	r->tensors = xcalloc(n + 1, sizeof(*r->tensors));
	/* The model lists tensors group by group, so a group is a contiguous
	 * run of rows; e->index maps the model's order back to the file's. */
	free(e->index);
	e->index = xcalloc(n + 1, sizeof(*e->index));
	e->n_index = n;
	n = 0;
	for (g = 0; g < e->layers->n_groups; g++) {
		const layer_group *lg = &e->layers->groups[g];

		r->groups[g].block = lg->block;
		r->groups[g].first = n;
		r->groups[g].count = lg->n_tensors;
		r->groups[g].bytes = lg->n_bytes;
		for (i = 0; i < lg->n_tensors; i++, n++) {
			e->index[n] = lg->tensors[i];
			fill_tensor(e, gguf_tensor_at(e->file, lg->tensors[i]), g, &r->tensors[n]);
		}
	}
	r->n_act_sources = engine_act_sources(e, r->act_sources, MODEL_MAX_SOURCES);
	r->ok = true;
}

const gguf_tensor *
engine_tensor(const engine *e, size_t model_index)
{
	if (e->file == NULL || model_index >= e->n_index)
		return NULL;
	return gguf_tensor_at(e->file, e->index[model_index]);
}

void
engine_run(void *ctx, const job *j, job_result *r, worker *w)
{
	engine *e = ctx;

	switch (j->kind) {
	case JOB_LOAD:
		run_load(e, j, r, w);
		break;
	case JOB_PROBE:
		engine_probe(e, r);
		break;
	case JOB_COMPILE:
	case JOB_MEASURE:
		engine_cell(e, j, r, w);
		break;
	case JOB_OUTLIER:
		engine_outlier(e, j, r, w);
		break;
	case JOB_PROFILE_SET:
		engine_profile_set(e, j, r);
		break;
	case JOB_REPORT:
		engine_report(e, j, r, w);
		break;
	default:
		snprintf(r->why, sizeof(r->why), "unknown job kind %d", j->kind);
		break;
	}
}
