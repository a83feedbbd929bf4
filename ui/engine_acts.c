/* engine: activation sources and the outlier statistics job. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "engine_internal.h"

int
engine_act_sources(const engine *e, char labels[][64], int max)
{
	int n = 0;

	if (n < max)
		snprintf(labels[n++], 64, "synthetic (seed %llu)", (unsigned long long)e->opt.seed);
	if (n < max)
		snprintf(labels[n++], 64, "synthetic + planted outliers");
	if (e->opt.act_file != NULL && n < max)
		snprintf(labels[n++], 64, "file %s", e->opt.act_file);
	if (e->opt.imatrix_file != NULL && n < max)
		snprintf(labels[n++], 64, "imatrix %s", e->opt.imatrix_file);
	return n;
}

void
engine_outlier(engine *e, const job *j, job_result *r, worker *w)
{
	(void)e;
	(void)j;
	(void)w;
	snprintf(r->out.why, sizeof(r->out.why), "the outlier statistics (src/outlier.h) are not in this build");
}

void
engine_acts_close(engine *e)
{
	(void)e;
}

const char *
engine_report_unavailable(void)
{
	return "the report module (src/report.h) is not in this build";
}
