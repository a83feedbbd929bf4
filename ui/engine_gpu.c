/* engine: the device, build and measurement jobs. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "engine_internal.h"
#include "quant.h"

#define NO_REGISTRY "the kernel variant registry (src/variant.h) is not in this build"
#define NO_RUNNER "the GPU runner (src/gpu.h) is not in this build"

void
engine_variants_for(engine *e, model_tensor *t)
{
	(void)e;
	t->n_variants = 0;
	t->gemv = (t->type == QT_Q4_K || t->type == QT_Q6_K) && t->n_dims == 2;
	if (t->type != QT_Q4_K && t->type != QT_Q6_K)
		snprintf(t->no_variants, sizeof(t->no_variants),
			"no GEMV variants for %s (ggscope explores q4_K and q6_K matrices)", t->type_name);
	else if (t->n_dims != 2)
		snprintf(t->no_variants, sizeof(t->no_variants), "a %d-D tensor is not a GEMV matrix",
			t->n_dims);
	else
		snprintf(t->no_variants, sizeof(t->no_variants), "%s", NO_REGISTRY);
}

void
engine_probe(engine *e, job_result *r)
{
	model_device *d = &r->dev;

	(void)e;
	memset(d, 0, sizeof(*d));
	d->probed = true;
	snprintf(d->why, sizeof(d->why), "%s", NO_RUNNER);
	snprintf(d->driver, sizeof(d->driver), "n/a");
	snprintf(d->nvrtc, sizeof(d->nvrtc), "n/a");
	snprintf(d->cupti, sizeof(d->cupti), "n/a");
	snprintf(d->counters, sizeof(d->counters), "n/a: %s", NO_RUNNER);
	snprintf(d->profile_why, sizeof(d->profile_why), "the GpuProfile needs a device's compute capability");
	r->ok = true;
}

void
engine_cell(engine *e, const job *j, job_result *r, worker *w)
{
	(void)e;
	(void)w;
	snprintf(r->why, sizeof(r->why), "%s", NO_REGISTRY);
	if (j->kind == JOB_MEASURE)
		snprintf(r->meas.why, sizeof(r->meas.why), "%s", NO_RUNNER);
}

void
engine_profile_set(engine *e, const job *j, job_result *r)
{
	(void)e;
	(void)j;
	snprintf(r->why, sizeof(r->why), "the GpuProfile needs a device's compute capability");
}

void
engine_gpu_close(engine *e)
{
	(void)e;
}
