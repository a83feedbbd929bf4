/* cmd_outliers.c: `ggscope outliers`, the per-layer outlier table and the
 * detail report of one GEMV input. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acts.h"
#include "cli.h"
#include "cmd.h"
#include "demo.h"
#include "gguf.h"
#include "imatrix.h"
#include "outlier.h"
#include "xalloc.h"

#define CMD "outliers"

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: ggscope outliers [OPTION]... FILE\n"
		"   or: ggscope outliers --imatrix F [OPTION]...\n"
		"   or: ggscope outliers (--act F | -k N [--outlier SPEC]) [OPTION]...\n"
		"Show how outlier channels in the input of each GEMV of FILE (a GGUF model or\n"
		"layer, or 'demo' for the built-in demo layer) damage its Q8_1 quantization,\n"
		"one row per weight matrix, sorted by layer, worst layers called out.\n"
		"Without FILE: the imatrix table alone, or the full report of one vector.\n\n"
		"Input (one of; default: synthetic Gaussian, no outlier):\n"
		"      --outlier SPEC   plant outliers: CHANNEL:MULTIPLE[,...] of the bulk rms,\n"
		"                       e.g. 408:26,1415:80\n"
		"      --act F          a vector from a raw little-endian float32 file or a\n"
		"                       NumPy .npy ('<f4'/'<f2', 1-D or 2-D [tokens, channels])\n"
		"      --token T        the row of a 2-D .npy (negative counts from the end)\n"
		"      --imatrix F      per-channel rms of every tensor from a llama.cpp\n"
		"                       importance matrix (GGUF or legacy .dat)\n\n"
		"Options:\n"
		"      --seed N         seed of the synthetic draws (default 42)\n"
		"      --threshold M    the seed rule: flag max|x| > M x rms(x) (default 8)\n"
		"      --tolerance PCT  ggscope routes to fp32 above this Q8_1 error (default 2)\n"
		"      --tensor NAME    only this weight matrix, with the full report\n"
		"  -k, --k N            without FILE: one synthetic vector of N channels\n"
		"      --no-weights     do not dequantize weights (no column norms or simulated GEMV)\n"
		"      --threads N      CPU threads for the weight pass (default: all)\n"
		"      --json           print JSON instead of text\n"
		"  -h, --help           display this help and exit\n\n"
		"Columns: max/rms and the seed's verdict; eps_x = ||q(x)-x||/||x|| of the exact Q8_1\n"
		"round trip (pred: from block crest factors); eps_bulk = the same error on the\n"
		"non-outlier channels only; GEMV sim = ||W q(x) - W x|| / ||W x|| in float64.\n"
		"Exit status: 0 success, 1 error, 2 usage error.\n");
}

struct args {
	const char *file, *spec, *act, *imatrix, *tensor;
	bool has_token, json, weights;
	long token, k;
	unsigned long long seed;
	double mult, tol;
	int threads;
	acts_spike spikes[ACTS_MAX_SPIKES];
	size_t n_spikes;
};

static int
parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' && isfinite(*out);
}

/* Returns -1 to continue, or an exit status. */
static int
parse_args(int argc, char **argv, struct args *a)
{
	enum { O_OUTLIER = 256, O_ACT, O_TOKEN, O_IMATRIX, O_SEED, O_THRESHOLD, O_TOL, O_TENSOR,
		O_NOW, O_THREADS, O_JSON };
	static const struct option longopts[] = {
		{ "outlier", required_argument, NULL, O_OUTLIER },
		{ "act", required_argument, NULL, O_ACT },
		{ "token", required_argument, NULL, O_TOKEN },
		{ "imatrix", required_argument, NULL, O_IMATRIX },
		{ "seed", required_argument, NULL, O_SEED },
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "tolerance", required_argument, NULL, O_TOL },
		{ "tensor", required_argument, NULL, O_TENSOR },
		{ "k", required_argument, NULL, 'k' },
		{ "no-weights", no_argument, NULL, O_NOW },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "json", no_argument, NULL, O_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v;
	int c, sources;
	errmsg e;

	memset(a, 0, sizeof *a);
	a->seed = 42;
	a->mult = OUTLIER_DEFAULT_MULT;
	a->tol = OUTLIER_DEFAULT_TOL;
	a->weights = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hk:", longopts, NULL)) != -1) {
		switch (c) {
		case O_OUTLIER: a->spec = optarg; break;
		case O_ACT: a->act = optarg; break;
		case O_IMATRIX: a->imatrix = optarg; break;
		case O_TENSOR: a->tensor = optarg; break;
		case O_NOW: a->weights = false; break;
		case O_JSON: a->json = true; break;
		case O_TOKEN:
			if (!cli_parse_long(optarg, &a->token))
				return cli_usage_error(CMD, "--token: '%s' is not an integer", optarg);
			a->has_token = true;
			break;
		case O_SEED:
			if (!cli_parse_long(optarg, &v) || v < 0)
				return cli_usage_error(CMD, "--seed: '%s' is not a non-negative integer", optarg);
			a->seed = (unsigned long long)v;
			break;
		case O_THRESHOLD:
			if (!parse_double(optarg, &a->mult) || a->mult <= 0.0)
				return cli_usage_error(CMD, "--threshold: '%s' is not a positive number", optarg);
			break;
		case O_TOL:
			if (!parse_double(optarg, &a->tol) || a->tol <= 0.0)
				return cli_usage_error(CMD, "--tolerance: '%s' is not a positive percentage", optarg);
			a->tol /= 100.0;
			break;
		case 'k':
			if (!cli_parse_long(optarg, &a->k) || a->k < 1 || a->k > (1L << 30))
				return cli_usage_error(CMD, "-k: '%s' is not a channel count in 1..2^30", optarg);
			break;
		case O_THREADS:
			if (!cli_parse_long(optarg, &v) || v < 1 || v > 1024)
				return cli_usage_error(CMD, "--threads: '%s' is not in 1..1024", optarg);
			a->threads = (int)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_usage_error(CMD, "unknown option");
		}
	}
	if (optind < argc)
		a->file = argv[optind++];
	if (optind < argc)
		return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	sources = (a->spec != NULL) + (a->act != NULL) + (a->imatrix != NULL);
	if (sources > 1)
		return cli_usage_error(CMD, "--outlier, --act and --imatrix exclude each other");
	if (a->has_token && a->act == NULL)
		return cli_usage_error(CMD, "--token needs --act");
	if (a->k > 0 && (a->file != NULL || a->act != NULL || a->imatrix != NULL))
		return cli_usage_error(CMD, "-k is for a synthetic vector without FILE");
	if (a->file == NULL && a->imatrix == NULL && a->act == NULL && a->k == 0)
		return cli_usage_error(CMD, "missing FILE (a GGUF model or layer, or 'demo')");
	if (a->tensor != NULL && a->file == NULL && a->imatrix == NULL)
		return cli_usage_error(CMD, "--tensor needs FILE or --imatrix");
	if (a->spec != NULL) {
		int n = acts_parse_spikes(a->spec, a->spikes, ACTS_MAX_SPIKES, &e);

		if (n < 0)
			return cli_usage_error(CMD, "--outlier: %s", e.text);
		a->n_spikes = (size_t)n;
	}
	return -1;
}

static void
emit_json(json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* The full report of one vector (no FILE, or --tensor). */
static int
run_report(const struct args *a, const float *x, uint64_t k, const gguf_tensor *t,
	const char *source)
{
	outlier_report r;
	errmsg e;

	if (outlier_report_build(t != NULL ? t->name : NULL, x, k, t != NULL ? t->type : 0,
		t != NULL && a->weights ? t->data : NULL, t != NULL ? t->ne[1] * t->ne[2] * t->ne[3] : 0,
		a->mult, a->tol, a->threads, &r, &e) != 0)
		return cli_error(CMD, "%s", e.text);
	if (a->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "source", json_object_new_string(source));
		json_object_object_add(o, "report", outlier_report_json(&r));
		emit_json(o);
	} else {
		printf("input: %s\n", source);
		outlier_report_print(stdout, &r);
	}
	outlier_report_free(&r);
	return 0;
}

static int
run_table(const struct args *a, const gguf_file *model, const outlier_table_opts *o)
{
	outlier_table *t;
	errmsg e;

	t = outlier_table_build(model, o, &e);
	if (t == NULL)
		return cli_error(CMD, "%s", e.text);
	if (a->json)
		emit_json(outlier_table_json(t));
	else
		outlier_table_print(stdout, t);
	outlier_table_free(t);
	return 0;
}

static gguf_file *
open_model(const char *file, errmsg *e)
{
	gguf_file *g;
	gguf_str s;

	if (strcmp(file, "demo") == 0) {
		demo_config c;

		demo_config_default(&c);
		return demo_open(&c, e);
	}
	g = gguf_open(file, e);
	if (g != NULL && gguf_get_str(g, "general.type", &s) && s.len == 7 &&
		memcmp(s.ptr, "imatrix", 7) == 0) {
		errmsg_set(e, "%s is an importance matrix, not a model: pass it with --imatrix", file);
		gguf_close(g);
		return NULL;
	}
	return g;
}

/* With --tensor and a live source: the report of that tensor's input. */
static int
tensor_report(const struct args *a, const gguf_file *model, const outlier_table_opts *o)
{
	const gguf_tensor *t = gguf_find_tensor(model, a->tensor);
	char src[512];
	float *x = NULL;
	int rc;

	if (t == NULL || t->n_dims < 2)
		return cli_error(CMD, "%s: no weight matrix named '%s'", gguf_name(model), a->tensor);
	if (o->kind == OUTLIER_SRC_ACT) {
		if (o->act_len != t->ne[0])
			return cli_error(CMD, "%s: the activation source has %llu values, but the tensor's k is %llu",
				t->name, (unsigned long long)o->act_len, (unsigned long long)t->ne[0]);
		snprintf(src, sizeof src, "%s", o->act_name);
		return run_report(a, o->act, o->act_len, t, src);
	}
	x = xmalloc((size_t)t->ne[0] * sizeof *x);
	acts_synth(x, t->ne[0], a->seed, a->spikes, a->n_spikes, NULL);
	snprintf(src, sizeof src, "synthetic N(0,1) seed %llu%s%s", a->seed,
		a->spec != NULL ? ", outliers " : "", a->spec != NULL ? a->spec : "");
	rc = run_report(a, x, t->ne[0], t, src);
	free(x);
	return rc;
}

int
cmd_outliers(int argc, char **argv)
{
	struct args a;
	outlier_table_opts o;
	acts_file *af = NULL;
	imatrix *im = NULL;
	gguf_file *model = NULL;
	errmsg e;
	int rc = parse_args(argc, argv, &a);

	if (rc >= 0)
		return rc;
	memset(&o, 0, sizeof o);
	o.kind = OUTLIER_SRC_SYNTH;
	o.mult = a.mult;
	o.tol = a.tol;
	o.seed = a.seed;
	o.spikes = a.spikes;
	o.n_spikes = a.n_spikes;
	o.weights = a.weights;
	o.threads = a.threads;
	o.only = a.tensor;
	if (a.act != NULL) {
		const float *x;

		af = acts_load(a.act, &e);
		if (af == NULL)
			return cli_error(CMD, "%s", e.text);
		x = acts_token(af, a.has_token, a.token, &e);
		if (x == NULL) {
			acts_free(af);
			return cli_error(CMD, "%s: %s", a.act, e.text);
		}
		o.kind = OUTLIER_SRC_ACT;
		o.act = x;
		o.act_len = af->n_channels;
		o.act_name = a.act;
	}
	if (a.imatrix != NULL) {
		im = imatrix_load(a.imatrix, &e);
		if (im == NULL)
			return cli_error(CMD, "%s", e.text);
		o.kind = OUTLIER_SRC_IMATRIX;
		o.im = im;
	}
	if (a.file != NULL) {
		model = open_model(a.file, &e);
		if (model == NULL) {
			rc = cli_error(CMD, "%s", e.text);
			goto out;
		}
	}
	if (model != NULL && a.tensor != NULL && o.kind != OUTLIER_SRC_IMATRIX) {
		rc = tensor_report(&a, model, &o);
	} else if (model != NULL || o.kind == OUTLIER_SRC_IMATRIX) {
		rc = run_table(&a, model, &o);
	} else if (o.kind == OUTLIER_SRC_ACT) {
		char src[512];

		snprintf(src, sizeof src, "%s (%s, %llu channels%s)", a.act, acts_format_name(af->format),
			(unsigned long long)af->n_channels, af->n_tokens > 1 ? ", one token" : "");
		rc = run_report(&a, o.act, o.act_len, NULL, src);
	} else {
		float *x = xmalloc((size_t)a.k * sizeof *x);
		char src[512];

		acts_synth(x, (uint64_t)a.k, a.seed, a.spikes, a.n_spikes, NULL);
		snprintf(src, sizeof src, "synthetic N(0,1) seed %llu%s%s", a.seed,
			a.spec != NULL ? ", outliers " : "", a.spec != NULL ? a.spec : "");
		rc = run_report(&a, x, (uint64_t)a.k, NULL, src);
		free(x);
	}
out:
	gguf_close(model);
	imatrix_free(im);
	acts_free(af);
	return rc;
}
