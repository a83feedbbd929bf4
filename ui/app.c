/* app: `ggscope [OPTION]... [MODEL.gguf]`: options, terminal set-up, the
 * main loop, and --snapshot. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "app.h"
#include "cli.h"
#include "term.h"
#include "ui.h"
#include "uilog.h"
#include "xalloc.h"

const char ui_options_help[] =
	"  -C, --no-color      monochrome (also when NO_COLOR is set)\n"
	"      --ascii         draw with ASCII only, no box-drawing characters\n"
	"      --snapshot      print the screen once as text and exit (no terminal needed)\n"
	"      --size WxH      the snapshot's size (default: the terminal's, else 120x40)\n"
	"  -t, --tensor NAME   start on this tensor\n"
	"      --warm          measure with a warm L2 (default: cold, L2 flushed)\n"
	"      --act FILE      activations from a .f32 or .npy file\n"
	"      --token N       the row of a 2-D .npy activation file (negative: from the end)\n"
	"      --imatrix FILE  per-channel activations from a llama.cpp imatrix\n"
	"      --outlier SPEC  planted outliers for the synthetic input, e.g. 408:26,1415:80\n"
	"      --no-cupti      measure without CUPTI (so that ncu can profile ggscope)\n"
	"      --no-mouse      leave mouse clicks to the terminal\n"
	"      --log FILE      append diagnostics to FILE\n";

enum { OPT_ASCII = 256, OPT_SNAPSHOT, OPT_SIZE, OPT_WARM, OPT_ACT, OPT_TOKEN, OPT_IMATRIX,
	OPT_OUTLIER, OPT_NO_CUPTI, OPT_NO_MOUSE, OPT_LOG };

static const struct option long_opts[] = {
	{ "no-color", no_argument, NULL, 'C' },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "snapshot", no_argument, NULL, OPT_SNAPSHOT },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "tensor", required_argument, NULL, 't' },
	{ "warm", no_argument, NULL, OPT_WARM },
	{ "act", required_argument, NULL, OPT_ACT },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "imatrix", required_argument, NULL, OPT_IMATRIX },
	{ "outlier", required_argument, NULL, OPT_OUTLIER },
	{ "no-cupti", no_argument, NULL, OPT_NO_CUPTI },
	{ "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
	{ "log", required_argument, NULL, OPT_LOG },
	{ NULL, 0, NULL, 0 }
};

void
app_submit(app *a, job *j)
{
	job_result *r;

	if (a->wk != NULL) {
		worker_push(a->wk, j);
		return;
	}
	/* --snapshot: no thread, the job runs now and its result lands at
	 * once, through the same apply path as the worker's. */
	r = xcalloc(1, sizeof(*r));
	r->job = *j;
	engine_run(a->eng, j, r, NULL);
	app_result(a, r);
	free(r);
}

void
app_update_crash_info(const app *a)
{
	char buf[1024];
	const model_device *d = &a->m.dev;

	snprintf(buf, sizeof(buf), "ggscope %s; model %s; device %s; driver %s; NVRTC %s; CUPTI %s",
		PACKAGE_VERSION, a->m.src_name[0] ? a->m.src_name : "(none)",
		d->gpu_ok ? d->name : "none", d->driver[0] ? d->driver : "n/a",
		d->nvrtc[0] ? d->nvrtc : "n/a", d->cupti[0] ? d->cupti : "n/a");
	term_set_crash_info(buf);
}

/* "WxH" with both in 1..10000. */
static bool
parse_size(const char *s, int *w, int *h)
{
	char *end;
	long a, b;

	errno = 0;
	a = strtol(s, &end, 10);
	if (errno != 0 || end == s || (*end != 'x' && *end != 'X'))
		return false;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || a < 1 || b < 1 || a > 10000 || b > 10000)
		return false;
	*w = (int)a;
	*h = (int)b;
	return true;
}

/* Returns 0 to go on, or an exit status. */
static int
parse_args(app *a, int argc, char **argv, const char **log_path)
{
	const char *nc = getenv("NO_COLOR");
	long v;
	int c;

	a->color = !(nc != NULL && *nc != '\0');
	a->mouse = true;
	a->m.l2_cold = true;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":Ct:", long_opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			a->color = false;
			break;
		case OPT_ASCII:
			a->ascii = true;
			break;
		case OPT_SNAPSHOT:
			a->snapshot = true;
			break;
		case OPT_SIZE:
			if (!parse_size(optarg, &a->snap_cols, &a->snap_rows))
				return cli_usage_error(NULL, "--size: expected WxH (for example 160x48), got '%s'", optarg);
			break;
		case 't':
			a->tensor_name = optarg;
			break;
		case OPT_WARM:
			a->m.l2_cold = false;
			break;
		case OPT_ACT:
			a->eo.act_file = optarg;
			break;
		case OPT_TOKEN:
			if (!cli_parse_long(optarg, &v) || v < -1000000000L || v > 1000000000L)
				return cli_usage_error(NULL, "--token: expected a row number, got '%s'", optarg);
			a->eo.token = v;
			a->eo.has_token = true;
			break;
		case OPT_IMATRIX:
			a->eo.imatrix_file = optarg;
			break;
		case OPT_OUTLIER:
			/* Checked by the engine against each tensor's k; a bad spec
			 * shows in the outlier pane. Starts on the planted source. */
			snprintf(a->m.outlier_spec, sizeof(a->m.outlier_spec), "%s", optarg);
			a->m.act_source = 1;
			break;
		case OPT_NO_CUPTI:
			a->eo.no_cupti = true;
			break;
		case OPT_NO_MOUSE:
			a->mouse = false;
			break;
		case OPT_LOG:
			*log_path = optarg;
			break;
		case ':':
			return cli_usage_error(NULL, "option '%s' needs an argument", argv[optind - 1]);
		default:
			return cli_usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		a->model_path = argv[optind++];
	if (optind < argc)
		return cli_usage_error(NULL, "one model at a time ('%s' is extra)", argv[optind]);
	return 0;
}

/* Queue what every session starts with. */
static void
start_jobs(app *a)
{
	job load, probe;

	memset(&load, 0, sizeof(load));
	load.kind = JOB_LOAD;
	snprintf(load.path, sizeof(load.path), "%s", a->model_path ? a->model_path : "");
	a->m.load_state = LOAD_RUNNING;
	snprintf(a->m.src_name, sizeof(a->m.src_name), "%s", a->model_path ? a->model_path : "<demo layer>");
	memset(&probe, 0, sizeof(probe));
	probe.kind = JOB_PROBE;
	/* The worker loads first, so the screen fills while the device is
	 * probed; inline (--snapshot) the probe goes first, so the builds that
	 * follow the load know the device's architecture. */
	if (a->wk == NULL)
		app_submit(a, &probe);
	app_submit(a, &load);
	if (a->wk != NULL)
		app_submit(a, &probe);
}

static int
run_snapshot(app *a)
{
	struct winsize ws;
	int cols = a->snap_cols, rows = a->snap_rows;

	if (cols == 0) {
		if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
			cols = ws.ws_col;
			rows = ws.ws_row;
		} else {
			cols = 120;
			rows = 40;
		}
	}
	start_jobs(a);
	app_autojobs(a);
	a->cv = canvas_new(cols, rows, a->ascii ? &canvas_glyphs_ascii :
		term_utf8() ? &canvas_glyphs_utf8 : &canvas_glyphs_ascii);
	/* Scroll offsets settle on the first pass. */
	render_screen(a->cv, &a->m, &a->ro, &a->out);
	render_screen(a->cv, &a->m, &a->ro, &a->out);
	canvas_print(a->cv, stdout);
	return a->m.load_state == LOAD_OK ? 0 : 1;
}

static double
elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - since->tv_sec) * 1e3 + (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

/* Redraw; a frame slower than the 50 ms keys are allowed is logged. */
static void
draw(app *a)
{
	struct timespec t0;
	int cols, rows;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	term_size(&cols, &rows);
	if (cols != a->cv->w || rows != a->cv->h)
		canvas_resize(a->cv, cols, rows);
	render_screen(a->cv, &a->m, &a->ro, &a->out);
	term_draw(a->cv);
	a->dirty = false;
	ms = elapsed_ms(&t0);
	if (ms > 50)
		uilog("slow frame: %.1f ms at %dx%d", ms, cols, rows);
}

static void
loop(app *a)
{
	struct pollfd pfd[2];
	job_result *r = xmalloc(sizeof(*r));
	int key;

	clock_gettime(CLOCK_MONOTONIC, &a->last_tick);
	a->last_watch = a->last_tick;
	while (!a->quit && !term_quit_requested()) {
		a->m.busy = worker_pending(a->wk);
		if (a->dirty)
			draw(a);
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = worker_fd(a->wk);
		pfd[1].events = POLLIN;
		/* Awake often only while something runs (the spinner). */
		if (poll(pfd, 2, a->m.busy > 0 ? 100 : 500) < 0 && errno != EINTR)
			break;
		while ((key = term_key()) != -1 && !a->quit)
			app_key(a, key);
		while (worker_pop(a->wk, r))
			app_result(a, r);
		if (a->m.busy > 0 && elapsed_ms(&a->last_tick) >= 100) {
			a->m.tick++;
			clock_gettime(CLOCK_MONOTONIC, &a->last_tick);
			a->dirty = true;
		}
		if (elapsed_ms(&a->last_watch) >= 500) {
			app_check_watch(a);
			clock_gettime(CLOCK_MONOTONIC, &a->last_watch);
		}
		if (a->m.busy != worker_pending(a->wk))
			a->dirty = true;
	}
	free(r);
}

static void
fatal_hook(void)
{
	term_close();
}

int
ui_main(int argc, char **argv)
{
	app *a = xcalloc(1, sizeof(*a));
	const char *log_path = NULL;
	errmsg err;
	int rc;

	setlocale(LC_ALL, "");
	model_init(&a->m);
	rc = parse_args(a, argc, argv, &log_path);
	if (rc != 0)
		goto out;
	if (log_path != NULL && uilog_open(log_path, &err) != 0) {
		rc = cli_error(NULL, "%s", err.text);
		goto out;
	}
	a->ro.version = PACKAGE_VERSION;
	a->m.color = a->color;
	a->eng = engine_new(&a->eo);
	uilog("ggscope %s starting on %s", PACKAGE_VERSION, a->model_path ? a->model_path : "the demo layer");
	if (a->snapshot) {
		a->m.color = false;
		rc = run_snapshot(a);
		goto out;
	}

	{
		term_opts to = { a->color, a->mouse, log_path };

		xalloc_set_fatal_hook(fatal_hook);
		term_install_signals("ggscope " PACKAGE_VERSION);
		if (term_open(&to, &err) != 0) {
			rc = cli_error(NULL, "%s", err.text);
			goto out;
		}
	}
	a->m.color = term_color();
	a->wk = worker_new(engine_run, a->eng, &err);
	if (a->wk == NULL) {
		term_close();
		rc = cli_error(NULL, "%s", err.text);
		goto out;
	}
	a->cv = canvas_new(1, 1, a->ascii || !term_utf8() ? &canvas_glyphs_ascii : &canvas_glyphs_utf8);
	a->dirty = true;
	start_jobs(a);
	loop(a);
	term_close();
	rc = 0;
out:
	/* The worker goes first: it may be using the engine. */
	worker_free(a->wk);
	engine_free(a->eng);
	canvas_free(a->cv);
	model_free(&a->m);
	uilog("exit %d", rc);
	uilog_close();
	xalloc_set_fatal_hook(NULL);
	free(a);
	return rc;
}
