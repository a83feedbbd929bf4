/* cmd_report: `ggscope report`, the tuning report of a model: every legal
 * (variant, warps) of each selected Q4_K/Q6_K matrix compiled, measured and
 * checked, the recommended GpuProfile, the decode-time shares and the
 * per-layer outlier table, as md, json, csv or html.
 *
 * Ctrl-C during the sweep stops it at the next step and writes what was
 * measured, marked partial (a second Ctrl-C, 0.5 s or more later, ends the program at once; the
 * destination is never half-written: files are written to a temporary name
 * and renamed). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "demo.h"
#include "gguf.h"
#include "imatrix.h"
#include "jit.h"
#include "report.h"
#include "xalloc.h"

#define CMD "report"

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: ggscope report [OPTION]... MODEL.gguf|demo\n"
		"Sweep every legal (variant, warps) of each selected Q4_K/Q6_K weight matrix of a\n"
		"GGUF model (or the embedded demo layer): compile it with NVRTC, measure it, check\n"
		"it against a float64 reference, and write a tuning report: the environment, one\n"
		"table per unique shape with the fastest correct variant marked, the recommended\n"
		"GpuProfile as environment variables, each tensor's share of decode time, and the\n"
		"per-layer outlier table. Tensors with the same (type, n, k) are measured once.\n"
		"Without a GPU the report holds the static parts and says why the rest is missing.\n\n"
		"Selection:\n"
		"  -l, --layers LIST    blocks: all (default: every block and the matrices outside\n"
		"                       blocks, such as output.weight), or N and N-M, comma-separated\n"
		"      --types LIST     weight types, comma-separated: q4_K, q6_K (default both)\n"
		"  -t, --tensor NAME    only this tensor\n"
		"  -v, --variants LIST  variants (or q4k_legacy, q6k_legacy), comma-separated, or\n"
		"                       all (default)\n"
		"  -w, --warps LIST     warp counts, comma-separated, or all (default: every legal\n"
		"                       count of each variant)\n\n"
		"Outlier table:\n"
		"      --imatrix F      per-channel input profiles from a llama.cpp importance matrix\n"
		"                       (GGUF or legacy .dat) instead of a synthetic input\n"
		"      --outlier SPEC   plant outliers in the synthetic input: CHANNEL:MULTIPLE[,...]\n"
		"      --no-weights     do not dequantize weights (no simulated GEMV error; faster)\n"
		"      --no-outliers    leave the outlier table out\n\n"
		"Measurement:\n"
		"  -n, --reps N         timed launches per measurement (default 20)\n"
		"      --warmup N       untimed launches before them (default 3)\n"
		"      --warm           keep L2 warm (default: cold, flushed before every launch)\n"
		"      --seed N         x ~ N(0, 1) and the synthetic outlier input from this seed\n"
		"                       (default 42)\n"
		"      --arch sm_NN     compile for this architecture (default: the device's;\n"
		"                       sm_90 without a GPU)\n"
		"  -D, --define NAME=VALUE\n"
		"                       build the measured kernels with this #define (a kernel\n"
		"                       knob, e.g. STREAM_ROWS=2); repeatable, up to %d\n"
		"      --no-measure     compile and analyse only; launch nothing\n"
		"      --no-ceiling     do not measure or read the read-bandwidth ceiling\n"
		"      --no-cupti       do not load CUPTI\n"
		"  -j, --threads N      CPU threads for compiles and references (default 0: all)\n\n"
		"Output:\n"
		"  -f, --format FMT     md, json, csv or html (default: from the extension of -o,\n"
		"                       else md)\n"
		"  -o, --output FILE    write FILE atomically; md also writes its pictures to\n"
		"                       FILE with the extension .svg (default: standard output)\n"
		"  -h, --help           display this help and exit\n\n"
		"A progress bar goes to standard error when it is a terminal. Ctrl-C stops the\n"
		"sweep and writes the partial report, marked partial.\n"
		"Exit status: 0 report written, 1 error or interrupted (the partial report is\n"
		"written), 2 usage error.\n", JIT_MAX_DEFINES);
}

struct args {
	const char *model, *imatrix, *output;
	int format;                    /* -1: from the output's extension */
	report_select sel;
	report_run_opts run;
	const char *defines[JIT_MAX_DEFINES]; /* -D, as given */
};

/* Returns -1 to go on, or an exit status. */
static int
parse_args(int argc, char **argv, struct args *a)
{
	enum { O_TYPES = 256, O_IMATRIX, O_OUTLIER, O_NO_WEIGHTS, O_NO_OUTLIERS, O_WARMUP, O_WARM, O_SEED,
		O_ARCH, O_NO_MEASURE, O_NO_CEILING, O_NO_CUPTI };
	static const struct option longopts[] = {
		{ "layers", required_argument, NULL, 'l' },
		{ "types", required_argument, NULL, O_TYPES },
		{ "tensor", required_argument, NULL, 't' },
		{ "variants", required_argument, NULL, 'v' },
		{ "warps", required_argument, NULL, 'w' },
		{ "imatrix", required_argument, NULL, O_IMATRIX },
		{ "outlier", required_argument, NULL, O_OUTLIER },
		{ "no-weights", no_argument, NULL, O_NO_WEIGHTS },
		{ "no-outliers", no_argument, NULL, O_NO_OUTLIERS },
		{ "reps", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, O_WARMUP },
		{ "warm", no_argument, NULL, O_WARM },
		{ "seed", required_argument, NULL, O_SEED },
		{ "arch", required_argument, NULL, O_ARCH },
		{ "define", required_argument, NULL, 'D' },
		{ "no-measure", no_argument, NULL, O_NO_MEASURE },
		{ "no-ceiling", no_argument, NULL, O_NO_CEILING },
		{ "no-cupti", no_argument, NULL, O_NO_CUPTI },
		{ "threads", required_argument, NULL, 'j' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	errmsg err;
	long v;
	int c, rc;

	memset(a, 0, sizeof *a);
	a->format = -1;
	report_select_init(&a->sel);
	report_run_opts_default(&a->run);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:t:v:w:n:j:f:o:D:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (report_parse_layers(&a->sel, optarg, &err) != 0)
				return cli_usage_error(CMD, "%s", err.text);
			break;
		case O_TYPES:
			if (report_parse_types(&a->sel, optarg, &err) != 0)
				return cli_usage_error(CMD, "%s", err.text);
			break;
		case 't': a->sel.tensor = optarg; break;
		case 'v':
			if (report_parse_variants(&a->sel, optarg, &err) != 0)
				return cli_usage_error(CMD, "%s", err.text);
			break;
		case 'w':
			if (report_parse_warps(&a->sel, optarg, &err) != 0)
				return cli_usage_error(CMD, "%s", err.text);
			break;
		case O_IMATRIX: a->imatrix = optarg; break;
		case O_OUTLIER: a->run.spikes = optarg; break;
		case O_NO_WEIGHTS: a->run.outlier_weights = false; break;
		case O_NO_OUTLIERS: a->run.outliers = false; break;
		case 'n':
			if (!cli_parse_long(optarg, &v) || v < 1 || v > 100000)
				return cli_usage_error(CMD, "--reps wants 1..100000: '%s'", optarg);
			a->run.reps = (int)v;
			break;
		case O_WARMUP:
			if (!cli_parse_long(optarg, &v) || v < 0 || v > 100000)
				return cli_usage_error(CMD, "--warmup wants 0..100000: '%s'", optarg);
			a->run.warmup = (int)v;
			break;
		case O_WARM: a->run.warm_l2 = true; break;
		case O_SEED:
			if (!cli_parse_long(optarg, &v) || v < 0)
				return cli_usage_error(CMD, "--seed wants a number >= 0: '%s'", optarg);
			a->run.seed = (uint64_t)v;
			break;
		case O_ARCH: a->run.arch = optarg; break;
		case 'D':
			if ((rc = cli_add_define(CMD, optarg, a->defines, &a->run.n_defines)) >= 0)
				return rc;
			break;
		case O_NO_MEASURE: a->run.measure = false; break;
		case O_NO_CEILING: a->run.no_ceiling = true; break;
		case O_NO_CUPTI: a->run.no_cupti = true; break;
		case 'j':
			if (!cli_parse_long(optarg, &v) || v < 0 || v > 1024)
				return cli_usage_error(CMD, "--threads wants 0..1024: '%s'", optarg);
			a->run.threads = (int)v;
			break;
		case 'f':
			if ((a->format = report_format_parse(optarg)) < 0)
				return cli_usage_error(CMD, "--format wants md, json, csv or html: '%s'", optarg);
			break;
		case 'o': a->output = optarg; break;
		case 'h': usage(stdout); return 0;
		case ':': return cli_usage_error(CMD, "option '%s' needs an argument", argv[optind - 1]);
		default: return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
		}
	}
	/* each define is good by now: what is left to refuse is a name given twice */
	a->run.defines = a->defines;
	if (jit_check_defines(a->defines, a->run.n_defines, &err) < 0)
		return cli_usage_error(CMD, "%s", err.text);
	if (optind == argc)
		return cli_usage_error(CMD, "name a model: MODEL.gguf or demo");
	a->model = argv[optind++];
	if (optind < argc)
		return cli_usage_error(CMD, "one model only: '%s'", argv[optind]);
	if (a->imatrix != NULL && a->run.spikes != NULL)
		return cli_usage_error(CMD, "--imatrix and --outlier are two different inputs: give one");
	if (!a->run.outliers && (a->imatrix != NULL || a->run.spikes != NULL || !a->run.outlier_weights))
		return cli_usage_error(CMD, "--no-outliers leaves out the table that --imatrix, --outlier and "
			"--no-weights are for");
	if (a->sel.tensor != NULL && !a->sel.all_layers)
		return cli_usage_error(CMD, "--tensor names one tensor: --layers does not go with it");
	if (a->format < 0)
		a->format = a->output != NULL && report_format_of_path(a->output) >= 0
			? report_format_of_path(a->output) : REPORT_MD;
	return -1;
}

/* ---------------------------------------------------------------- Ctrl-C */

static volatile sig_atomic_t interrupted;
static struct timespec first_sigint;

/* The first Ctrl-C asks the sweep to stop; a second one ends the program,
 * unless it comes within half a second of the first: that is the same
 * interrupt delivered twice (timeout(1) signals the child and then its
 * whole process group), not a user insisting. clock_gettime and raise are
 * async-signal-safe. */
static void
on_sigint(int sig)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!interrupted) {
		interrupted = 1;
		first_sigint = now;
		return;
	}
	if ((now.tv_sec - first_sigint.tv_sec) * 1000000000L + (now.tv_nsec - first_sigint.tv_nsec) < 500000000L)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---------------------------------------------------------------- progress */

struct bar {
	bool shown;
};

static void
fmt_time(char *buf, size_t len, double s)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

/* "[#########.........] 40/140 measure  tensor 3/9  0:12, ETA 0:30" */
static void
progress(void *arg, const report_progress *p)
{
	struct bar *b = arg;
	char bar[21], el[16], eta[16];
	size_t fill = p->total ? p->done * 20 / p->total : 0, i;

	for (i = 0; i < 20; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[20] = '\0';
	fmt_time(el, sizeof el, p->elapsed_s);
	if (p->eta_valid)
		fmt_time(eta, sizeof eta, p->eta_s);
	else
		snprintf(eta, sizeof eta, "?");
	fprintf(stderr, "\r[%s] %zu/%zu %-8s tensor %zu/%zu  %s, ETA %s  ", bar, p->done, p->total, p->phase,
		p->tensors_done, p->n_tensors, el, eta);
	fflush(stderr);
	b->shown = true;
}

/* Refuse an output directory that cannot take the file before the sweep,
 * not after it. */
static int
check_output_dir(const char *path, errmsg *err)
{
	char *copy = xstrdup(path), *dir = dirname(copy);
	int rc = 0;

	if (access(dir, W_OK | X_OK) != 0) {
		errmsg_errno(err, errno, "%s: cannot write in %s", path, dir);
		rc = -1;
	}
	free(copy);
	return rc;
}

/* The demo layer takes seconds to build: say so on the terminal. */
static void
demo_progress(void *arg, uint64_t rows_done, uint64_t rows_total)
{
	struct bar *b = arg;

	fprintf(stderr, "\rbuilding the demo layer: %3.0f%%", rows_total ? 100.0 * (double)rows_done / (double)rows_total : 0);
	fflush(stderr);
	b->shown = true;
}

/* ---------------------------------------------------------------- main */

int
cmd_report(int argc, char **argv)
{
	struct args a;
	struct sigaction sa, old;
	struct bar bar = { false };
	gguf_file *f = NULL;
	imatrix *im = NULL;
	report *r = NULL;
	errmsg err;
	int rc;

	if ((rc = parse_args(argc, argv, &a)) >= 0)
		return rc;
	if (a.output != NULL && check_output_dir(a.output, &err) != 0)
		return cli_error(CMD, "%s", err.text);
	interrupted = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old);
	a.run.cancel = &interrupted;
	if (isatty(STDERR_FILENO)) {
		a.run.progress = progress;
		a.run.progress_arg = &bar;
	}
	if (strcmp(a.model, "demo") == 0) {
		demo_config dc;

		demo_config_default(&dc);
		dc.threads = a.run.threads;
		if (a.run.progress != NULL) {
			dc.progress = demo_progress;
			dc.progress_arg = &bar;
		}
		f = demo_open(&dc, &err);
		if (bar.shown) {
			fputc('\n', stderr);
			bar.shown = false;
		}
	} else
		f = gguf_open(a.model, &err);
	if (f == NULL) {
		rc = cli_error(CMD, "%s", err.text);
		goto out;
	}
	if (a.imatrix != NULL) {
		if ((im = imatrix_load(a.imatrix, &err)) == NULL) {
			rc = cli_error(CMD, "--imatrix: %s", err.text);
			goto out;
		}
		a.run.im = im;
	}
	r = report_new();
	if (report_plan(r, f, &a.sel, &err) != 0) {
		rc = cli_error(CMD, "%s", err.text);
		goto out;
	}
	if (report_run(r, f, &a.run, &err) != 0) {
		rc = a.run.arch != NULL && strncmp(err.text, "--arch", 6) == 0 ? cli_usage_error(CMD, "%s", err.text)
			: cli_error(CMD, "%s", err.text);
		goto out;
	}
	if (bar.shown)
		fputc('\n', stderr);
	if (a.output != NULL)
		rc = report_write(r, (enum report_format)a.format, a.output, &err);
	else
		rc = report_write_stream(r, (enum report_format)a.format, stdout, NULL, &err);
	if (rc != 0) {
		rc = cli_error(CMD, "%s", err.text);
		goto out;
	}
	if (r->partial) {
		rc = cli_error(CMD, "%s: the partial report was written%s%s", r->partial_why,
			a.output ? " to " : "", a.output ? a.output : "");
		goto out;
	}
	if (r->env.measure_why[0] != '\0')
		fprintf(stderr, "ggscope report: measurements missing: %s\n", r->env.measure_why);
	rc = 0;
out:
	sigaction(SIGINT, &old, NULL);
	report_free(r);
	imatrix_free(im);
	gguf_close(f);
	return rc;
}
