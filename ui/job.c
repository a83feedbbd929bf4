#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"

void
job_describe(const job *j, const model *m, char *buf, size_t len)
{
	const model_tensor *t = j->tensor < m->n_tensors ? &m->tensors[j->tensor] : NULL;
	const char *vname = "?";

	if (t != NULL && j->variant >= 0 && j->variant < t->n_variants)
		vname = t->variants[j->variant].name;
	switch (j->kind) {
	case JOB_LOAD:
		snprintf(buf, len, j->path[0] ? "opening %s" : "building demo layer%s", j->path);
		break;
	case JOB_PROBE:
		snprintf(buf, len, "probing the device");
		break;
	case JOB_COMPILE:
		snprintf(buf, len, "compiling %s w%d", vname, j->warps);
		break;
	case JOB_MEASURE:
		snprintf(buf, len, "measuring %s w%d on %s", vname, j->warps, t ? t->name : "?");
		break;
	case JOB_OUTLIER:
		snprintf(buf, len, "outlier statistics for %s", t ? t->name : "?");
		break;
	case JOB_PROFILE_SET:
		snprintf(buf, len, "applying %s w%d to the profile", vname, j->warps);
		break;
	case JOB_REPORT:
		snprintf(buf, len, "writing the report for %s (Esc stops it)", t ? t->name : "the whole file");
		break;
	default:
		snprintf(buf, len, "working");
		break;
	}
}

void
job_result_free(job_result *r)
{
	size_t i;
	int k;

	for (i = 0; i < r->n_tensors; i++) {
		model_tensor *t = &r->tensors[i];

		if (t->cells != NULL)
			for (k = 0; k < t->n_variants * MODEL_MAX_WARPS; k++)
				model_compile_clear(&t->cells[k].comp);
		free(t->cells);
		free(t->variants);
		model_outlier_clear(&t->out);
	}
	free(r->tensors);
	free(r->groups);
	r->tensors = NULL;
	r->groups = NULL;
	r->n_tensors = r->n_groups = 0;
	model_compile_clear(&r->comp);
	model_outlier_clear(&r->out);
}

static void
apply_load(model *m, job_result *r)
{
	int i;

	model_clear_tensors(m);
	snprintf(m->src_name, sizeof(m->src_name), "%s", r->src_name);
	if (!r->ok) {
		m->load_state = LOAD_FAILED;
		snprintf(m->load_why, sizeof(m->load_why), "%s", r->why);
		model_status(m, LEVEL_ERROR, "cannot open %s: %s", r->src_name, r->why);
		return;
	}
	m->load_state = LOAD_OK;
	m->file_bytes = r->file_bytes;
	m->groups = r->groups;
	m->n_groups = r->n_groups;
	m->tensors = r->tensors;
	m->n_tensors = r->n_tensors;
	r->groups = NULL;
	r->tensors = NULL;
	r->n_groups = r->n_tensors = 0;
	m->n_act_sources = r->n_act_sources;
	for (i = 0; i < r->n_act_sources && i < MODEL_MAX_SOURCES; i++)
		memcpy(m->act_sources[i], r->act_sources[i], sizeof(m->act_sources[i]));
	if (m->act_source >= m->n_act_sources)
		m->act_source = 0;
	/* The first matrix a kernel can run on, not a norm vector. */
	for (m->sel_tensor = 0; m->sel_tensor < m->n_tensors; m->sel_tensor++)
		if (m->tensors[m->sel_tensor].gemv)
			break;
	if (m->sel_tensor >= m->n_tensors)
		m->sel_tensor = 0;
	model_select_tensor(m, m->sel_tensor);
}

/* The cell a compile/measure result is for, or NULL when it no longer
 * exists (a new file was loaded meanwhile). */
static model_cell *
result_cell(model *m, const job *j)
{
	if (j->tensor >= m->n_tensors)
		return NULL;
	return model_cell_at(&m->tensors[j->tensor], j->variant, j->warps);
}

static void
apply_cell(model *m, job_result *r)
{
	model_cell *cell = result_cell(m, &r->job);

	if (cell == NULL)
		return;
	if (r->started) {
		cell->state = CELL_RUNNING;
		return;
	}
	if (r->cancelled) {
		cell->state = cell->comp.valid || cell->meas.valid ? CELL_DONE : CELL_EMPTY;
		return;
	}
	cell->state = CELL_DONE;
	/* A measure result carries its build too; an empty build report
	 * (not attempted) must not wipe a good earlier one. */
	if (r->comp.valid || r->job.kind == JOB_COMPILE) {
		model_compile_clear(&cell->comp);
		cell->comp = r->comp;
		r->comp.log = NULL;
		if (cell->comp.valid && !cell->comp.ok)
			model_status(m, LEVEL_ERROR, "compile failed: %s (L shows the NVRTC log)",
				cell->comp.why);
	}
	if (r->job.kind == JOB_MEASURE) {
		cell->meas = r->meas;
		if (r->job.act_gen != m->act_gen && cell->meas.err_valid) {
			cell->meas.err_valid = false;
			snprintf(cell->meas.err_why, sizeof(cell->meas.err_why),
				"measured on the previous input; press r");
		}
	}
}

static void
apply_outlier(model *m, job_result *r)
{
	model_tensor *t;

	if (r->job.tensor >= m->n_tensors)
		return;
	t = &m->tensors[r->job.tensor];
	if (r->job.act_gen != m->act_gen)
		return; /* computed for an activation setting since replaced */
	if (r->started || r->cancelled) {
		t->out.pending = r->started;
		return;
	}
	model_outlier_clear(&t->out);
	t->out = r->out;
	t->out.act_gen = r->job.act_gen;
	t->out.pending = false;
	t->out.done = true;
	r->out.mag = NULL;
}

void
job_apply(model *m, job_result *r)
{
	if (r->progress) {
		if (r->job.kind == JOB_LOAD)
			m->load_progress = r->progress_frac;
		else
			m->busy_frac = r->progress_frac;
		return;
	}
	if (r->started)
		m->busy_frac = -1;
	switch (r->job.kind) {
	case JOB_LOAD:
		if (r->started) {
			m->load_state = LOAD_RUNNING;
			m->load_progress = -1;
		}
		else if (!r->cancelled)
			apply_load(m, r);
		break;
	case JOB_PROBE:
		if (!r->started && !r->cancelled)
			m->dev = r->dev;
		break;
	case JOB_COMPILE:
	case JOB_MEASURE:
		apply_cell(m, r);
		break;
	case JOB_OUTLIER:
		apply_outlier(m, r);
		break;
	case JOB_PROFILE_SET:
		if (!r->started && !r->cancelled) {
			if (r->ok)
				m->dev = r->dev;
			model_status(m, r->ok ? LEVEL_INFO : LEVEL_ERROR, "%s", r->why);
		}
		break;
	case JOB_REPORT:
		if (!r->started && !r->cancelled)
			model_status(m, r->ok ? LEVEL_INFO : LEVEL_ERROR, "%s", r->why);
		break;
	default:
		break;
	}
	job_result_free(r);
}
