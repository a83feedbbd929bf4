#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "xalloc.h"

void
model_init(model *m)
{
	memset(m, 0, sizeof(*m));
	m->l2_cold = true;
	m->load_progress = -1;
	m->busy_frac = -1;
	m->focus = FOCUS_LAYERS;
	m->color = true;
	snprintf(m->dev.why, sizeof(m->dev.why), "device not probed yet");
	snprintf(m->dev.profile_why, sizeof(m->dev.profile_why), "device not probed yet");
}

void
model_compile_clear(model_compile *c)
{
	free(c->log);
	memset(c, 0, sizeof(*c));
}

void
model_outlier_clear(model_outlier *o)
{
	free(o->mag);
	memset(o, 0, sizeof(*o));
}

void
model_clear_tensors(model *m)
{
	size_t i;
	int j;

	for (i = 0; i < m->n_tensors; i++) {
		model_tensor *t = &m->tensors[i];

		if (t->cells != NULL)
			for (j = 0; j < t->n_variants * MODEL_MAX_WARPS; j++)
				model_compile_clear(&t->cells[j].comp);
		free(t->cells);
		free(t->variants);
		model_outlier_clear(&t->out);
	}
	free(m->tensors);
	free(m->groups);
	m->tensors = NULL;
	m->groups = NULL;
	m->n_tensors = 0;
	m->n_groups = 0;
	m->sel_tensor = 0;
	m->sel_variant = 0;
	m->sel_warps = 0;
	m->layers_scroll = 0;
	m->matrix_scroll = 0;
}

void
model_free(model *m)
{
	model_clear_tensors(m);
	free(m->log_text);
	model_init(m);
}

void
model_status(model *m, int level, const char *fmt, ...)
{
	va_list ap;

	m->status_level = level;
	va_start(ap, fmt);
	vsnprintf(m->status, sizeof(m->status), fmt, ap);
	va_end(ap);
}

model_tensor *
model_tensor_sel(model *m)
{
	if (m->sel_tensor >= m->n_tensors)
		return NULL;
	return &m->tensors[m->sel_tensor];
}

const model_variant *
model_variant_sel(const model *m)
{
	const model_tensor *t;

	if (m->sel_tensor >= m->n_tensors)
		return NULL;
	t = &m->tensors[m->sel_tensor];
	if (m->sel_variant < 0 || m->sel_variant >= t->n_variants)
		return NULL;
	return &t->variants[m->sel_variant];
}

bool
model_variant_has_warps(const model_variant *v, int warps)
{
	int i;

	for (i = 0; i < v->n_warps; i++)
		if (v->warps[i] == warps)
			return true;
	return false;
}

model_cell *
model_cell_at(model_tensor *t, int variant, int warps)
{
	const model_variant *v;
	int i;

	if (t == NULL || t->cells == NULL || variant < 0 || variant >= t->n_variants)
		return NULL;
	v = &t->variants[variant];
	for (i = 0; i < v->n_warps && i < MODEL_MAX_WARPS; i++)
		if (v->warps[i] == warps)
			return &t->cells[variant * MODEL_MAX_WARPS + i];
	return NULL;
}

model_cell *
model_cell_sel(model *m)
{
	return model_cell_at(model_tensor_sel(m), m->sel_variant, m->sel_warps);
}

int
model_columns(const model_tensor *t, int *cols)
{
	int n = 0, v, i, j;

	for (v = 0; v < t->n_variants; v++) {
		const model_variant *var = &t->variants[v];

		for (i = 0; i < var->n_warps; i++) {
			int w = var->warps[i], pos;

			for (j = 0; j < n && cols[j] < w; j++)
				;
			if (j < n && cols[j] == w)
				continue;
			if (n == MODEL_MAX_COLS)
				continue;
			for (pos = n; pos > j; pos--)
				cols[pos] = cols[pos - 1];
			cols[j] = w;
			n++;
		}
	}
	return n;
}

/* The legal warp count of v nearest to `want` (the smaller one on a tie);
 * 0 when v lists none. */
static int
nearest_warps(const model_variant *v, int want)
{
	int i, best = 0, bestd = 0;

	for (i = 0; i < v->n_warps; i++) {
		int d = abs(v->warps[i] - want);

		if (i == 0 || d < bestd) {
			best = v->warps[i];
			bestd = d;
		}
	}
	return best;
}

void
model_select_tensor(model *m, size_t idx)
{
	const model_variant *old = model_variant_sel(m);
	char name[sizeof(old->name)] = "";
	model_tensor *t;
	int v;

	if (m->n_tensors == 0)
		return;
	if (old != NULL)
		snprintf(name, sizeof(name), "%s", old->name);
	if (idx >= m->n_tensors)
		idx = m->n_tensors - 1;
	m->sel_tensor = idx;
	t = &m->tensors[idx];
	/* Keep the variant by name across tensors of the same type: moving
	 * from ffn_gate to ffn_up should not jump back to the first row. */
	m->sel_variant = 0;
	for (v = 0; v < t->n_variants; v++)
		if (strcmp(t->variants[v].name, name) == 0)
			m->sel_variant = v;
	m->matrix_scroll = 0;
	if (t->n_variants > 0)
		m->sel_warps = nearest_warps(&t->variants[m->sel_variant],
			m->sel_warps > 0 ? m->sel_warps : 1);
}

void
model_move_tensor(model *m, long delta)
{
	long idx;

	if (m->n_tensors == 0)
		return;
	idx = (long)m->sel_tensor + delta;
	if (idx < 0)
		idx = 0;
	if (idx >= (long)m->n_tensors)
		idx = (long)m->n_tensors - 1;
	model_select_tensor(m, (size_t)idx);
}

bool
model_select_tensor_name(model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n_tensors; i++)
		if (strcmp(m->tensors[i].name, name) == 0) {
			model_select_tensor(m, i);
			return true;
		}
	return false;
}

void
model_move_variant(model *m, int delta, bool wrap)
{
	model_tensor *t = model_tensor_sel(m);
	int v;

	if (t == NULL || t->n_variants == 0)
		return;
	v = m->sel_variant + delta;
	if (wrap)
		v = ((v % t->n_variants) + t->n_variants) % t->n_variants;
	else if (v < 0)
		v = 0;
	else if (v >= t->n_variants)
		v = t->n_variants - 1;
	m->sel_variant = v;
	m->sel_warps = nearest_warps(&t->variants[v], m->sel_warps);
}

void
model_move_warps(model *m, int delta, bool wrap)
{
	const model_variant *v = model_variant_sel(m);
	int i, cur = 0;

	if (v == NULL || v->n_warps == 0)
		return;
	for (i = 0; i < v->n_warps; i++)
		if (v->warps[i] == m->sel_warps)
			cur = i;
	i = cur + delta;
	if (wrap)
		i = ((i % v->n_warps) + v->n_warps) % v->n_warps;
	else if (i < 0)
		i = 0;
	else if (i >= v->n_warps)
		i = v->n_warps - 1;
	m->sel_warps = v->warps[i];
}

bool
model_select_cell(model *m, int variant, int warps)
{
	model_tensor *t = model_tensor_sel(m);

	if (t == NULL || variant < 0 || variant >= t->n_variants)
		return false;
	if (!model_variant_has_warps(&t->variants[variant], warps))
		return false;
	m->sel_variant = variant;
	m->sel_warps = warps;
	return true;
}

size_t
model_list_rows(const model *m)
{
	return m->n_tensors + m->n_groups;
}

size_t
model_row_of_tensor(const model *m, size_t idx)
{
	if (idx >= m->n_tensors)
		return 0;
	return idx + m->tensors[idx].group + 1;
}

long
model_tensor_of_row(const model *m, size_t row)
{
	size_t g, r = 0;

	for (g = 0; g < m->n_groups; g++) {
		const model_group *gr = &m->groups[g];

		if (row == r)
			return -1;
		if (row <= r + gr->count)
			return (long)(gr->first + (row - r - 1));
		r += gr->count + 1;
	}
	return -1;
}

void
model_scroll_layers(model *m, size_t visible)
{
	size_t row = model_row_of_tensor(m, m->sel_tensor);
	size_t rows = model_list_rows(m);

	if (visible == 0)
		return;
	/* Show the group header above the first tensor of the list. */
	if (row > 0 && m->tensors != NULL && m->groups[m->tensors[m->sel_tensor].group].first == m->sel_tensor)
		row--;
	if (row < m->layers_scroll)
		m->layers_scroll = row;
	else if (model_row_of_tensor(m, m->sel_tensor) >= m->layers_scroll + visible)
		m->layers_scroll = model_row_of_tensor(m, m->sel_tensor) - visible + 1;
	if (rows > visible && m->layers_scroll > rows - visible)
		m->layers_scroll = rows - visible;
	if (rows <= visible)
		m->layers_scroll = 0;
}

void
model_scroll_matrix(model *m, int visible)
{
	model_tensor *t = model_tensor_sel(m);

	if (t == NULL || visible <= 0)
		return;
	if (m->sel_variant < m->matrix_scroll)
		m->matrix_scroll = m->sel_variant;
	else if (m->sel_variant >= m->matrix_scroll + visible)
		m->matrix_scroll = m->sel_variant - visible + 1;
	if (t->n_variants <= visible)
		m->matrix_scroll = 0;
	else if (m->matrix_scroll > t->n_variants - visible)
		m->matrix_scroll = t->n_variants - visible;
}

void
model_invalidate_acts(model *m, const char *why)
{
	size_t i;
	int j;

	m->act_gen++;
	for (i = 0; i < m->n_tensors; i++) {
		model_tensor *t = &m->tensors[i];

		model_outlier_clear(&t->out);
		snprintf(t->out.why, sizeof(t->out.why), "%s", why);
		if (t->cells == NULL)
			continue;
		for (j = 0; j < t->n_variants * MODEL_MAX_WARPS; j++) {
			model_measure *me = &t->cells[j].meas;

			if (me->err_valid) {
				me->err_valid = false;
				snprintf(me->err_why, sizeof(me->err_why), "%s", why);
			}
		}
	}
}

void
model_next_act_source(model *m)
{
	if (m->n_act_sources <= 1)
		return;
	m->act_source = (m->act_source + 1) % m->n_act_sources;
	model_invalidate_acts(m, "activation source changed");
}

void
model_input_begin(model *m, const char *prompt, const char *initial)
{
	m->popup = POPUP_INPUT;
	snprintf(m->input_prompt, sizeof(m->input_prompt), "%s", prompt);
	snprintf(m->input, sizeof(m->input), "%s", initial ? initial : "");
	m->input_len = strlen(m->input);
}

void
model_input_char(model *m, int ch)
{
	if (ch < 0x20 || ch > 0x7e || m->input_len + 1 >= sizeof(m->input))
		return;
	m->input[m->input_len++] = (char)ch;
	m->input[m->input_len] = '\0';
}

void
model_input_backspace(model *m)
{
	if (m->input_len > 0)
		m->input[--m->input_len] = '\0';
}

void
model_set_log(model *m, const char *title, const char *text)
{
	free(m->log_text);
	m->log_text = xstrdup(text ? text : "");
	snprintf(m->log_title, sizeof(m->log_title), "%s", title);
	m->popup_scroll = 0;
}
