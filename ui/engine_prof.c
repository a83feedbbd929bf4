/* engine: the profiler side: CUPTI, the measured ceiling, occupancy and
 * the GpuProfile. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "engine_internal.h"

#define NO_CUPTI "the CUPTI module (src/cupti.h) is not in this build"
#define NO_PROFILE "the GpuProfile (src/profile.h) is not in this build"

void
engine_probe_profiler(engine *e, model_device *d)
{
	snprintf(d->cupti, sizeof(d->cupti), "n/a");
	snprintf(d->counters, sizeof(d->counters), "n/a: %s", NO_CUPTI);
	snprintf(d->ceiling_why, sizeof(d->ceiling_why), "the ceiling module (src/ceiling.h) is not in this build");
	snprintf(d->profile_why, sizeof(d->profile_why), "%s", NO_PROFILE);
	e->ceiling_valid = false;
}

int
engine_bench_measure(engine *e, bench_session *s, const bench_kernel *gemv, const bench_kernel *quant,
	const bench_opts *o, bench_result *r)
{
	(void)e;
	return bench_measure(s, gemv, quant, o, r);
}

void
engine_counters(engine *e, const job *j, const gguf_tensor *gt, const jit_module *mod,
	const bench_result *br, model_measure *me)
{
	(void)e;
	(void)j;
	(void)gt;
	(void)mod;
	(void)br;
	snprintf(me->dram_why, sizeof(me->dram_why), "needs CUPTI counters");
	snprintf(me->occ_why, sizeof(me->occ_why), "needs CUPTI counters");
}

void
engine_profile_set(engine *e, const job *j, job_result *r)
{
	(void)e;
	(void)j;
	snprintf(r->why, sizeof(r->why), "cannot apply: %s", NO_PROFILE);
}

void
engine_profiler_close(engine *e)
{
	(void)e;
}
