/* app: keys, popups, mouse clicks and job results. */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "keys.h"
#include "term.h"
#include "uilog.h"

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
		app_report(a, code == 'f');
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
			app_profile_apply(a);
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
		app_measure(a, false);
		break;
	case ACT_REBUILD:
		app_measure(a, true);
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
		app_sweep(a);
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
		app_edit(a);
		break;
	case ACT_PROFILE:
		m->popup = POPUP_PROFILE;
		break;
	case ACT_LOG:
		app_show_log(a);
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
			app_sweep_done(a, true);
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
			app_sweep_done(a, false);
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
