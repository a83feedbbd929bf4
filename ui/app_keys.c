/* app: what keys, clicks and job results do to the model and the worker. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "keys.h"
#include "term.h"
#include "uilog.h"

static job
cell_job(const app *a, int kind)
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
		job j = cell_job(a, JOB_COMPILE);

		j.group = JG_AUTO;
		j.coalesce = true;
		cell->state = CELL_QUEUED;
		app_submit(a, &j);
	}
	if (t->gemv && !t->out.done && !t->out.pending) {
		job j = cell_job(a, JOB_OUTLIER);

		j.group = JG_AUTO;
		j.coalesce = true;
		t->out.pending = true;
		app_submit(a, &j);
	}
}

/* Enter / r: build and measure the selected cell. */
static void
act_measure(app *a, bool force)
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
	j = cell_job(a, JOB_MEASURE);
	j.force = force;
	cell->state = CELL_QUEUED;
	app_submit(a, &j);
}

static void
act_sweep(app *a)
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
			job j = cell_job(a, gpu ? JOB_MEASURE : JOB_COMPILE);

			j.variant = v;
			j.warps = t->variants[v].warps[i];
			j.group = JG_SWEEP;
			j.sweep = a->m.sweep_gen;
			t->cells[v * MODEL_MAX_WARPS + i].state = CELL_QUEUED;
			app_submit(a, &j);
		}
	}
	if (!gpu)
		model_status(&a->m, LEVEL_INFO, "no GPU: the sweep compiles every cell (resources only)");
}

/* The end of a sweep: say which cell won. */
static void
sweep_done(app *a, bool cancelled)
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

static void
act_edit(app *a)
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
	j = cell_job(a, a->m.dev.gpu_ok ? JOB_MEASURE : JOB_COMPILE);
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

static void
act_log(app *a)
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
static void
act_report(app *a, bool whole)
{
	model_tensor *t = model_tensor_sel(&a->m);
	job j;

	a->m.popup = POPUP_NONE;
	if (a->m.load_state != LOAD_OK || (!whole && (t == NULL || !t->gemv))) {
		model_status(&a->m, LEVEL_WARN, "F7: %s", a->m.load_state != LOAD_OK ? "nothing loaded" :
			"select a q4_K or q6_K matrix, or f for the whole file");
		return;
	}
	j = cell_job(a, JOB_REPORT);
	j.group = JG_REPORT;
	snprintf(j.path, sizeof(j.path), "%s", a->kernels_dir);
	j.tensor = whole ? JOB_ALL_TENSORS : a->m.sel_tensor;
	report_path(whole ? NULL : t->name, j.report_path, sizeof(j.report_path));
	model_status(&a->m, LEVEL_INFO, "F7: writing %s", j.report_path);
	app_submit(a, &j);
}

static void
act_profile_apply(app *a)
{
	const model_variant *v = model_variant_sel(&a->m);
	job j;

	a->m.popup = POPUP_NONE;
	if (v == NULL || a->m.dev.n_fields == 0) {
		model_status(&a->m, LEVEL_WARN, "cannot apply: %s",
			v == NULL ? "no variant selected" : a->m.dev.profile_why);
		return;
	}
	j = cell_job(a, JOB_PROFILE_SET);
	app_submit(a, &j);
}

/* Keys while a popup is open. */
static void
popup_key(app *a, int code)
{
	model *m = &a->m;
	int act = keys_action(code);

	if (m->popup == POPUP_INPUT) {
		if (code == 27) {
			m->popup = POPUP_NONE;
		} else if (code == '\n' || code == '\r' || code == KEY_ENTER) {
			m->popup = POPUP_NONE;
			snprintf(m->outlier_spec, sizeof(m->outlier_spec), "%s", m->input);
			if (m->n_act_sources > 1)
				m->act_source = 1;
			model_invalidate_acts(m, "planted outliers changed");
			model_status(m, LEVEL_INFO, "planted outliers: %s", m->outlier_spec[0] ? m->outlier_spec : "none");
			app_autojobs(a);
		} else if (code == KEY_BACKSPACE || code == 127 || code == 8) {
			model_input_backspace(m);
		} else {
			model_input_char(m, code);
		}
		return;
	}
	if (m->popup == POPUP_REPORT && (code == 't' || code == 'f')) {
		act_report(a, code == 'f');
		return;
	}
	switch (act) {
	case ACT_UP:
		if (m->popup_scroll > 0)
			m->popup_scroll--;
		break;
	case ACT_DOWN:
		m->popup_scroll++;
		break;
	case ACT_PGUP:
		m->popup_scroll = m->popup_scroll > 10 ? m->popup_scroll - 10 : 0;
		break;
	case ACT_PGDN:
		m->popup_scroll += 10;
		break;
	case ACT_HOME:
		m->popup_scroll = 0;
		break;
	case ACT_MEASURE:
		if (m->popup == POPUP_PROFILE)
			act_profile_apply(a);
		break;
	case ACT_QUIT:
		if (code == KEY_F(10))
			a->quit = true;
		m->popup = POPUP_NONE;
		break;
	case ACT_ESCAPE:
	case ACT_HELP:
	case ACT_PROFILE:
	case ACT_LOG:
	case ACT_REPORT:
		m->popup = POPUP_NONE;
		break;
	case ACT_REDRAW:
		term_redraw();
		break;
	default:
		break;
	}
}

/* Arrows act on the focused pane. */
static void
move_cursor(app *a, int act)
{
	model *m = &a->m;
	bool layers = m->focus == FOCUS_LAYERS;
	const model_tensor *t = model_tensor_sel(m);
	int page = a->out.lay.too_small ? 10 : a->out.lay.r[layers ? LP_LAYERS : LP_MATRIX].h - 3;

	if (page < 1)
		page = 1;
	switch (act) {
	case ACT_UP:
		layers ? model_move_tensor(m, -1) : model_move_variant(m, -1, false);
		break;
	case ACT_DOWN:
		layers ? model_move_tensor(m, 1) : model_move_variant(m, 1, false);
		break;
	case ACT_PGUP:
		layers ? model_move_tensor(m, -page) : model_move_variant(m, -page, false);
		break;
	case ACT_PGDN:
		layers ? model_move_tensor(m, page) : model_move_variant(m, page, false);
		break;
	case ACT_HOME:
		layers ? model_move_tensor(m, -(long)m->n_tensors) : model_move_variant(m, -1000, false);
		break;
	case ACT_END:
		layers ? model_move_tensor(m, (long)m->n_tensors) : model_move_variant(m, 1000, false);
		break;
	case ACT_LEFT:
		if (!layers) {
			const model_variant *v = model_variant_sel(m);

			if (v == NULL || v->n_warps == 0 || m->sel_warps <= v->warps[0])
				m->focus = FOCUS_LAYERS;
			else
				model_move_warps(m, -1, false);
		}
		break;
	case ACT_RIGHT:
		if (layers) {
			if (t != NULL && t->n_variants > 0)
				m->focus = FOCUS_MATRIX;
		} else {
			model_move_warps(m, 1, false);
		}
		break;
	default:
		break;
	}
}

void
app_key(app *a, int code)
{
	model *m = &a->m;
	int act;

	if (code == KEY_RESIZE) {
		a->dirty = true;
		return;
	}
	if (code == KEY_MOUSE) {
		int x, y;

		if (term_mouse_click(&x, &y))
			app_click(a, x, y);
		return;
	}
	a->dirty = true;
	if (m->popup != POPUP_NONE) {
		popup_key(a, code);
		return;
	}
	act = keys_action(code);
	/* Below the minimum size only quitting and redrawing make sense. */
	if (a->out.lay.too_small && act != ACT_QUIT && act != ACT_REDRAW)
		return;
	switch (act) {
	case ACT_UP: case ACT_DOWN: case ACT_LEFT: case ACT_RIGHT:
	case ACT_PGUP: case ACT_PGDN: case ACT_HOME: case ACT_END:
		move_cursor(a, act);
		break;
	case ACT_FOCUS:
		m->focus = m->focus == FOCUS_LAYERS && model_variant_sel(m) != NULL ? FOCUS_MATRIX : FOCUS_LAYERS;
		break;
	case ACT_MEASURE:
		act_measure(a, false);
		break;
	case ACT_REBUILD:
		act_measure(a, true);
		break;
	case ACT_VAR_NEXT:
		model_move_variant(m, 1, true);
		break;
	case ACT_VAR_PREV:
		model_move_variant(m, -1, true);
		break;
	case ACT_WARPS_NEXT:
		model_move_warps(m, 1, true);
		break;
	case ACT_WARPS_PREV:
		model_move_warps(m, -1, true);
		break;
	case ACT_SWEEP:
		act_sweep(a);
		break;
	case ACT_L2:
		m->l2_cold = !m->l2_cold;
		model_status(m, LEVEL_INFO, m->l2_cold ?
			"L2 cold: a flush kernel evicts L2 before each measured launch" :
			"L2 warm: weights may stay in L2 between launches");
		break;
	case ACT_ACT_SOURCE:
		if (m->n_act_sources > 1) {
			model_next_act_source(m);
			model_status(m, LEVEL_INFO, "input: %s", m->act_sources[m->act_source]);
		}
		break;
	case ACT_OUTLIERS:
		model_input_begin(m, "Planted outliers", m->outlier_spec[0] ? m->outlier_spec : "408:26");
		break;
	case ACT_EDIT:
		act_edit(a);
		break;
	case ACT_PROFILE:
		m->popup = POPUP_PROFILE;
		break;
	case ACT_LOG:
		act_log(a);
		break;
	case ACT_PCT:
		a->ro.show_pct = !a->ro.show_pct;
		break;
	case ACT_REPORT:
		m->popup = POPUP_REPORT;
		break;
	case ACT_HELP:
		m->popup = POPUP_HELP;
		m->popup_scroll = 0;
		break;
	case ACT_REDRAW:
		term_redraw();
		break;
	case ACT_ESCAPE:
		if (m->progress_active && a->wk != NULL) {
			worker_cancel_group(a->wk, JG_SWEEP);
			sweep_done(a, true);
		}
		/* A report being written stops and is written partial. */
		if (a->wk != NULL && a->reports > 0) {
			worker_cancel_group(a->wk, JG_REPORT);
			model_status(m, LEVEL_WARN, "stopping the report: what is done is written, marked partial");
		}
		break;
	case ACT_QUIT:
		a->quit = true;
		break;
	default:
		return;
	}
	app_autojobs(a);
}

void
app_click(app *a, int x, int y)
{
	render_hit h = render_hit_at(&a->out, x, y);

	a->dirty = true;
	if (a->m.popup != POPUP_NONE) {
		a->m.popup = POPUP_NONE;
		return;
	}
	switch (h.kind) {
	case HIT_TENSOR:
		model_select_tensor(&a->m, (size_t)h.a);
		a->m.focus = FOCUS_LAYERS;
		break;
	case HIT_CELL:
		if (model_select_cell(&a->m, h.a, h.b))
			a->m.focus = FOCUS_MATRIX;
		break;
	case HIT_KEY:
		app_key(a, h.a);
		return;
	case HIT_PANE:
		if (h.a == LP_LAYERS)
			a->m.focus = FOCUS_LAYERS;
		else if (h.a == LP_MATRIX && model_variant_sel(&a->m) != NULL)
			a->m.focus = FOCUS_MATRIX;
		break;
	default:
		break;
	}
	app_autojobs(a);
}

void
app_result(app *a, job_result *r)
{
	model *m = &a->m;
	int kind = r->job.kind;
	bool started = r->started, cancelled = r->cancelled;
	bool sweep = r->job.group == JG_SWEEP && r->job.sweep == m->sweep_gen;

	a->dirty = true;
	if (r->progress) {
		job_apply(m, r);
		return;
	}
	if (kind == JOB_REPORT && !r->progress)
		a->reports += started ? 1 : (cancelled ? 0 : -1);
	if (started) {
		job_describe(&r->job, m, m->busy_label, sizeof(m->busy_label));
		uilog("start: %s", m->busy_label);
	} else if (!cancelled) {
		uilog("done: kind %d ok %d %s", kind, r->ok, r->why);
	}
	job_apply(m, r);
	if (started)
		return;
	if (sweep && m->progress_active) {
		m->progress_done++;
		if (m->progress_done >= m->progress_total)
			sweep_done(a, false);
	}
	if (cancelled)
		return;
	if (r->job.reload && (kind == JOB_COMPILE || kind == JOB_MEASURE) && r->job.tensor < m->n_tensors) {
		const model_cell *cell = model_cell_at(&m->tensors[r->job.tensor], r->job.variant, r->job.warps);

		if (cell != NULL && cell->comp.valid && cell->comp.ok)
			model_status(m, LEVEL_INFO, "rebuilt %s: %d registers, %d B spilled", a->watch_path,
				cell->comp.regs, cell->comp.spill_bytes);
	}
	if (kind == JOB_LOAD && m->load_state == LOAD_OK) {
		if (a->tensor_name != NULL && !model_select_tensor_name(m, a->tensor_name))
			model_status(m, LEVEL_WARN, "--tensor %s: no such tensor", a->tensor_name);
		a->tensor_name = NULL;
		app_update_crash_info(a);
	}
	if (kind == JOB_PROBE) {
		app_update_crash_info(a);
		if (!m->dev.gpu_ok)
			model_status(m, LEVEL_WARN, "measurement unavailable: %s", m->dev.why);
	}
	app_autojobs(a);
}
