/* engine: the device probe, measurements and the GpuProfile. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "engine_internal.h"

#define NO_RUNNER "the GPU runner (src/gpu.h) is not in this build"

void
engine_probe(engine *e, job_result *r)
{
	model_device *d = &r->dev;

	memset(d, 0, sizeof(*d));
	d->probed = true;
	snprintf(d->why, sizeof(d->why), "%s", NO_RUNNER);
	snprintf(d->driver, sizeof(d->driver), "n/a");
	engine_nvrtc_version(d->nvrtc, sizeof(d->nvrtc));
	snprintf(d->arch, sizeof(d->arch), "%s (no GPU: the default)", e->arch);
	snprintf(d->cupti, sizeof(d->cupti), "n/a");
	snprintf(d->counters, sizeof(d->counters), "n/a: %s", NO_RUNNER);
	snprintf(d->profile_why, sizeof(d->profile_why), "the GpuProfile needs a device's compute capability");
	r->ok = true;
}

void
engine_cell(engine *e, const job *j, job_result *r, worker *w)
{
	(void)w;
	engine_build(e, j, &r->comp);
	r->ok = r->comp.valid && r->comp.ok;
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
