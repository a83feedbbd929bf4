/* engine: F7, the tuning report of the current tensor or the whole file. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "engine_internal.h"
#include "report.h"

/* The report's progress, passed on to the worker; a cancelled job (Esc)
 * raises report_run's flag, so the file is still written, marked partial. */
struct report_ctx {
	worker *w;
	const job *j;
	volatile sig_atomic_t cancel;
};

static void
report_progress_cb(void *arg, const report_progress *p)
{
	struct report_ctx *c = arg;

	if (p->total > 0)
		worker_progress(c->w, c->j, (double)p->done / (double)p->total);
	if (engine_cancelled(c->w))
		c->cancel = 1;
}

void
engine_report(engine *e, const job *j, job_result *r, worker *w)
{
	const gguf_tensor *gt = j->tensor == JOB_ALL_TENSORS ? NULL : engine_tensor(e, j->tensor);
	struct report_ctx ctx = { w, j, 0 };
	report_run_opts o;
	errmsg err;
	bool partial = false;

	if (e->file == NULL || (j->tensor != JOB_ALL_TENSORS && gt == NULL)) {
		snprintf(r->why, sizeof(r->why), "F7: nothing to report on");
		return;
	}
	report_run_opts_default(&o);
	/* The TUI's own device, CUPTI and builds, on this (the worker's)
	 * thread; its L2 mode, input seed and planted outliers. */
	if (e->gpu != NULL) {
		/* an unavailable device too: the report then says why (no
		 * driver, no device, ...) instead of "not asked for" */
		o.g = e->gpu;
		o.cu = gpu_available(e->gpu) && e->cu.g != NULL ? &e->cu : NULL;
	} else {
		o.measure = false;
	}
	o.j = engine_jit(e, j->path, &err);
	if (o.j == NULL) {
		snprintf(r->why, sizeof(r->why), "F7: %s", err.text);
		return;
	}
	o.arch = e->arch;
	o.no_cupti = e->opt.no_cupti;
	o.warm_l2 = !j->l2_cold;
	o.seed = e->opt.seed;
	o.spikes = j->act_source == 1 && j->outlier_spec[0] != '\0' ? j->outlier_spec : NULL;
	o.im = engine_source_imatrix(e, j);
	o.cancel = &ctx.cancel;
	o.progress = report_progress_cb;
	o.progress_arg = &ctx;
	if (report_generate(e->file, gt ? gt->name : NULL, &o, REPORT_MD, j->report_path, &partial, &err) != 0) {
		snprintf(r->why, sizeof(r->why), "F7: %s", err.text);
		return;
	}
	r->ok = true;
	snprintf(r->why, sizeof(r->why), "F7: %sreport written to %s (pictures in the .svg beside it)",
		partial ? "partial " : "", j->report_path);
}
