/* app: the TUI program: options, the main loop and what keys and job
 * results do. Internal to ui/ (ui.h is the public entry). */
#ifndef GGSCOPE_APP_H
#define GGSCOPE_APP_H

#include <stdbool.h>
#include <time.h>

#include "canvas.h"
#include "editor.h"
#include "engine.h"
#include "model.h"
#include "render.h"
#include "worker.h"

typedef struct app {
	model m;
	engine *eng;
	worker *wk;               /* NULL in --snapshot: jobs run inline */
	canvas *cv;
	render_out out;
	render_opts ro;
	bool quit;
	bool dirty;
	int reports;              /* report jobs running (Esc stops them) */

	/* options */
	const char *model_path;   /* NULL: the demo layer */
	const char *tensor_name;  /* --tensor, applied once after the load */
	bool snapshot;
	int snap_cols, snap_rows;
	bool color, ascii, mouse;
	engine_opts eo;

	/* hot reload: the kernel file last opened with `e`, and the directory
	 * builds read kernels from once a copy was made ("" = the default) */
	char kernels_dir[512];
	bool watching;
	char watch_path[4096];
	editor_stamp watch_stamp;
	size_t watch_tensor;
	int watch_variant, watch_warps;
	struct timespec last_watch;
	struct timespec last_tick;
} app;

/* Hand a job to the worker, or run it at once in --snapshot. */
void app_submit(app *a, job *j);

/* Fold one result into the model and queue what follows from it. */
void app_result(app *a, job_result *r);

/* app_actions.c: a job for the selected cell with the current settings;
 * and the actions behind the keys (each reports in the status line). */
job app_cell_job(const app *a, int kind);
void app_measure(app *a, bool force);     /* Enter, r */
void app_sweep(app *a);                   /* s */
void app_sweep_done(app *a, bool cancelled);
void app_edit(app *a);                    /* e */
void app_show_log(app *a);                /* L */
void app_report(app *a, bool whole);      /* F7, then t or f */
void app_profile_apply(app *a);           /* p, then Enter */

/* Queue the cheap jobs the selection needs (compile check of the cell,
 * outlier statistics of the tensor) if they have not run. */
void app_autojobs(app *a);

/* A key (curses code) in the main screen or a popup. */
void app_key(app *a, int code);

/* A mouse click at (x, y). */
void app_click(app *a, int x, int y);

/* Whether the watched kernel changed on disk; if so, queue a rebuild. */
void app_check_watch(app *a);

/* The crash handler's text: version, model, device, driver, NVRTC. */
void app_update_crash_info(const app *a);

#endif
