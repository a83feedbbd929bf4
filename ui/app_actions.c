/* app: what the action keys do: measure, sweep, edit (hot reload), the
 * compile log, the report and the GpuProfile, and the cheap jobs the
 * selection starts by itself. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "term.h"
#include "uilog.h"

job
app_cell_job(const app *a, int kind)
{
	job j;

	memset(&j, 0, sizeof(j));
	j.kind = kind;
	j.tensor = a->m.sel_tensor;
	j.variant = a->m.sel_variant;
	j.warps = a->m.sel_warps;
	j.l2_cold = a->m.l2_cold;
	j.act_gen = a->m.act_gen;
	j.act_source = a->m.act_source;
	snprintf(j.outlier_spec, sizeof(j.outlier_spec), "%s", a->m.outlier_spec);
	if (kind == JOB_COMPILE || kind == JOB_MEASURE)
		snprintf(j.path, sizeof(j.path), "%s", a->kernels_dir);
	return j;
}

void
app_autojobs(app *a)
{
	model_tensor *t = model_tensor_sel(&a->m);
	const model_variant *v = model_variant_sel(&a->m);
	model_cell *cell = model_cell_sel(&a->m);

	if (t == NULL || a->m.load_state != LOAD_OK)
		return;
	/* Moving the cursor quickly queues at most one of each: a newer
	 * request replaces the queued one (coalesce). */
	if (cell != NULL && v != NULL && v->illegal[0] == '\0' && cell->state == CELL_EMPTY) {
		job j = app_cell_job(a, JOB_COMPILE);

		j.group = JG_AUTO;
		j.coalesce = true;
		cell->state = CELL_QUEUED;
		app_submit(a, &j);
	}
	if (t->gemv && !t->out.done && !t->out.pending) {
		job j = app_cell_job(a, JOB_OUTLIER);

		j.group = JG_AUTO;
		j.coalesce = true;
		t->out.pending = true;
		app_submit(a, &j);
	}
}

/* Enter / r: build and measure the selected cell. */
void
app_measure(app *a, bool force)
{
	const model_variant *v = model_variant_sel(&a->m);
	model_cell *cell = model_cell_sel(&a->m);
	job j;

	if (v == NULL || cell == NULL) {
		model_status(&a->m, LEVEL_WARN, "nothing to measure: %s",
			model_tensor_sel(&a->m) ? model_tensor_sel(&a->m)->no_variants : "no tensor loaded");
		return;
	}
	if (v->illegal[0] != '\0') {
		model_status(&a->m, LEVEL_WARN, "%s cannot run this shape: %s", v->name, v->illegal);
		return;
	}
	j = app_cell_job(a, JOB_MEASURE);
	j.force = force;
	cell->state = CELL_QUEUED;
	app_submit(a, &j);
}

void
app_sweep(app *a)
{
	model_tensor *t = model_tensor_sel(&a->m);
	bool gpu = a->m.dev.gpu_ok;
	int v, i, n = 0;

	if (t == NULL || t->n_variants == 0) {
		model_status(&a->m, LEVEL_WARN, "nothing to sweep: %s", t ? t->no_variants : "no tensor loaded");
		return;
	}
	if (a->m.progress_active) {
		model_status(&a->m, LEVEL_WARN, "a sweep is running (Esc cancels it)");
		return;
	}
	a->m.progress_active = true;
	a->m.sweep_gen++;
	a->m.progress_done = 0;
	a->m.progress_total = 0;
	snprintf(a->m.progress_label, sizeof(a->m.progress_label), "%s %s",
		gpu ? "sweep" : "compile check", t->name);
	for (v = 0; v < t->n_variants; v++) {
		if (t->variants[v].illegal[0] != '\0')
			continue;
		for (i = 0; i < t->variants[v].n_warps && i < MODEL_MAX_WARPS; i++)
			n++;
	}
	a->m.progress_total = n;
	for (v = 0; v < t->n_variants; v++) {
		if (t->variants[v].illegal[0] != '\0')
			continue;
		for (i = 0; i < t->variants[v].n_warps && i < MODEL_MAX_WARPS; i++) {
			/* Without a GPU the sweep is a compile check of every cell,
			 * which still gives registers, spills and shared memory. */
			job j = app_cell_job(a, gpu ? JOB_MEASURE : JOB_COMPILE);

			j.variant = v;
			j.warps = t->variants[v].warps[i];
			j.group = JG_SWEEP;
			j.sweep = a->m.sweep_gen;
			t->cells[v * MODEL_MAX_WARPS + i].state = CELL_QUEUED;
			app_submit(a, &j);
		}
	}
	/* Replaces the last sweep's "sweep done", so that what the status
	 * line says is always about this sweep. */
	if (!gpu)
		model_status(&a->m, LEVEL_INFO, "no GPU: the sweep compiles every cell (resources only)");
	else
		model_status(&a->m, LEVEL_INFO, "sweep of %d cells started", n);
}

/* The end of a sweep: say which cell won. */
void
app_sweep_done(app *a, bool cancelled)
{
	model_tensor *t = model_tensor_sel(&a->m);
	int v, i, bv = -1, bw = 0;
	double best = 0;

	a->m.progress_active = false;
	if (cancelled || t == NULL) {
		model_status(&a->m, LEVEL_WARN, "sweep cancelled after %d of %d", a->m.progress_done,
			a->m.progress_total);
		return;
	}
	for (v = 0; v < t->n_variants; v++)
		for (i = 0; i < t->variants[v].n_warps && i < MODEL_MAX_WARPS; i++) {
			const model_measure *me = &t->cells[v * MODEL_MAX_WARPS + i].meas;

			if (me->valid && (!me->err_valid || me->err_pass) && me->gbs > best) {
				best = me->gbs;
				bv = v;
				bw = t->variants[v].warps[i];
			}
		}
	if (bv >= 0)
		model_status(&a->m, LEVEL_INFO, "sweep done: fastest correct %s w%d at %.0f GB/s",
			t->variants[bv].name, bw, best);
	else
		model_status(&a->m, LEVEL_INFO, "sweep done: %d cells checked", a->m.progress_total);
}

void
app_edit(app *a)
{
	const model_variant *v = model_variant_sel(&a->m);
	char cache[4096], path[4096], dir[4096];
	editor_stamp before;
	errmsg err;
	int rc;

	if (v == NULL) {
		model_status(&a->m, LEVEL_WARN, "no variant selected");
		return;
	}
	if (!editor_cache_dir(cache, sizeof(cache), &err) ||
		editor_prepare(a->kernels_dir[0] ? a->kernels_dir : editor_kernels_dir(), v->file, cache,
			path, sizeof(path), dir, sizeof(dir), &err) != 0) {
		model_status(&a->m, LEVEL_ERROR, "e: %s", err.text);
		return;
	}
	/* From now on every build reads the kernels from where the user can
	 * edit them (the cache copy when the install is read-only). */
	snprintf(a->kernels_dir, sizeof(a->kernels_dir), "%s", dir);
	before = editor_stat(path);
	uilog("edit %s (kernels from %s)", path, dir);
	term_suspend();
	rc = editor_run(path, &err);
	term_resume();
	a->watching = true;
	snprintf(a->watch_path, sizeof(a->watch_path), "%s", path);
	a->watch_stamp = before;
	a->watch_tensor = a->m.sel_tensor;
	a->watch_variant = a->m.sel_variant;
	a->watch_warps = a->m.sel_warps;
	if (rc < 0)
		model_status(&a->m, LEVEL_ERROR, "e: %s", err.text);
	else if (rc > 0)
		model_status(&a->m, LEVEL_WARN, "editor exited with status %d", rc);
	else
		model_status(&a->m, LEVEL_INFO, "watching %s: every save rebuilds and re-measures", path);
	app_check_watch(a);
}

void
app_check_watch(app *a)
{
	editor_stamp now;
	job j;

	if (!a->watching)
		return;
	now = editor_stat(a->watch_path);
	if (!editor_changed(now, a->watch_stamp))
		return;
	a->watch_stamp = now;
	if (a->watch_tensor >= a->m.n_tensors)
		return;
	j = app_cell_job(a, a->m.dev.gpu_ok ? JOB_MEASURE : JOB_COMPILE);
	j.tensor = a->watch_tensor;
	j.variant = a->watch_variant;
	j.warps = a->watch_warps;
	j.reload = true;
	{
		model_cell *cell = model_cell_at(&a->m.tensors[j.tensor], j.variant, j.warps);

		if (cell != NULL)
			cell->state = CELL_QUEUED;
	}
	model_status(&a->m, LEVEL_INFO, "%s changed: rebuilding", a->watch_path);
	uilog("hot reload: %s changed", a->watch_path);
	app_submit(a, &j);
}

void
app_show_log(app *a)
{
	model_cell *cell = model_cell_sel(&a->m);
	const model_variant *v = model_variant_sel(&a->m);
	char title[96];

	if (cell == NULL || v == NULL) {
		model_status(&a->m, LEVEL_WARN, "no cell selected");
		return;
	}
	snprintf(title, sizeof(title), "NVRTC log: %s, %d warp%s", v->name, a->m.sel_warps,
		a->m.sel_warps == 1 ? "" : "s");
	model_set_log(&a->m, title, cell->comp.log && cell->comp.log[0] ? cell->comp.log :
		cell->comp.valid ? "(NVRTC printed nothing)" : "(not built yet)");
	a->m.popup = POPUP_LOG;
}

/* The report's file name in the current directory, from what it covers:
 * characters a shell or a file system could trip on become '_'. */
static void
report_path(const char *what, char *buf, size_t len)
{
	size_t i, n;

	n = (size_t)snprintf(buf, len, "ggscope-report%s%s.md", what ? "-" : "", what ? what : "");
	for (i = 0; i < n && i < len; i++)
		if (!(buf[i] == '.' || buf[i] == '-' || buf[i] == '_' || (buf[i] >= '0' && buf[i] <= '9') ||
			(buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= 'A' && buf[i] <= 'Z')))
			buf[i] = '_';
}

/* F7, then t or f: the report of this tensor or of the whole file. */
void
app_report(app *a, bool whole)
{
	model_tensor *t = model_tensor_sel(&a->m);
	job j;

	a->m.popup = POPUP_NONE;
	if (a->m.load_state != LOAD_OK || (!whole && (t == NULL || !t->gemv))) {
		model_status(&a->m, LEVEL_WARN, "F7: %s", a->m.load_state != LOAD_OK ? "nothing loaded" :
			"select a q4_K or q6_K matrix, or f for the whole file");
		return;
	}
	j = app_cell_job(a, JOB_REPORT);
	j.group = JG_REPORT;
	snprintf(j.path, sizeof(j.path), "%s", a->kernels_dir);
	j.tensor = whole ? JOB_ALL_TENSORS : a->m.sel_tensor;
	report_path(whole ? NULL : t->name, j.report_path, sizeof(j.report_path));
	model_status(&a->m, LEVEL_INFO, "F7: writing %s", j.report_path);
	app_submit(a, &j);
}

void
app_profile_apply(app *a)
{
	const model_variant *v = model_variant_sel(&a->m);
	job j;

	a->m.popup = POPUP_NONE;
	if (v == NULL || a->m.dev.n_fields == 0) {
		model_status(&a->m, LEVEL_WARN, "cannot apply: %s",
			v == NULL ? "no variant selected" : a->m.dev.profile_why);
		return;
	}
	j = app_cell_job(a, JOB_PROFILE_SET);
	app_submit(a, &j);
}

