/* ggscope bench: measure GEMV variants on one weight tensor.
 *
 * One row per (variant, warps): compile through the JIT, launch through the
 * gpu runner, time, and check against the CPU float64 reference. Without a
 * GPU the compile-only columns are printed and the command exits 1. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "acts.h"
#include "bench.h"
#include "bench_cupti.h"
#include "bench_table.h"
#include "ceiling.h"
#include "cupti_gpu.h"
#include "l2flush.h"
#include "cli.h"
#include "cmd.h"
#include "demo.h"
#include "gguf.h"
#include "gpu.h"
#include "jit.h"
#include "quant.h"
#include "variant.h"
#include "xalloc.h"

#define CMD "bench"

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: ggscope bench [OPTION]... FILE|demo\n"
		"   or: ggscope bench [OPTION]... --demo\n"
		"   or: ggscope bench [OPTION]... --shape ROWSxK [--type q4_k|q6_k]\n"
		"Measure GEMV kernel variants on one Q4_K or Q6_K weight tensor: time (median, min,\n"
		"max over the timed launches), bandwidth, and error against a CPU float64 reference.\n"
		"Every output is poisoned before each launch and checked for unwritten values.\n\n"
		"  -t, --tensor NAME     the tensor to measure (default for the demo layer:\n"
		"                        blk.0.ffn_down.weight)\n"
		"      --demo            the embedded demo layer (the same as FILE = demo)\n"
		"      --shape ROWSxK    a random layer of this shape instead of a file\n"
		"      --type TYPE       q4_k (default) or q6_k, for --shape\n"
		"  -v, --variant V       a variant or alias (q4k_legacy, ...); all (default): every\n"
		"                        variant for the tensor's type\n"
		"  -w, --warps W         a warp count, or all (every legal value); default: each\n"
		"                        variant's default\n"
		"  -n, --reps N          timed launches per row (default 20)\n"
		"      --warmup N        untimed launches before them (default 3)\n"
		"      --warm            keep L2 warm (default: cold: L2 emptied before each\n"
		"                        launch, see --flush)\n"
		"      --seed N          x ~ N(0, 1) drawn from this seed (default: from the clock)\n"
		"      --arch sm_NN      compile for this architecture (default: the device's;\n"
		"                        sm_90 without a GPU)\n"
		"  -D, --define NAME=VALUE\n"
		"                        compile the rows' kernels with this #define, to try a\n"
		"                        kernel's knobs (e.g. STREAM_ROWS=2); repeatable, up to %d\n"
		"      --threads N       CPU threads for the reference and random layers (0: all)\n"
		"      --json            print JSON instead of a table\n"
		"      --no-cupti        no CUPTI: time with CUDA events, no counters (so that\n"
		"                        ncu can profile ggscope's kernels)\n"
		"      --no-counters     CUPTI timing only: skip the counter launch of each row\n"
		"      --full            also count sm__throughput (8 passes per row instead of 2)\n"
		"      --flush MODE      how L2 is emptied for cold timing: read (default: a kernel\n"
		"                        reads 3 x L2), write (it writes 3 x L2), memset\n"
		"      --no-ceiling      do not measure or read the device's read ceiling\n"
		"      --outlier SPEC    plant outlier channels in x: CHANNEL:MULTIPLE[,...] of the\n"
		"                        bulk rms (as ggscope outliers), e.g. 408:26\n"
		"  -h, --help            display this help and exit\n\n"
		"Exit status: 0 when every row was measured and passed, 1 when a row failed, a\n"
		"kernel did not compile, or there is no GPU (after the compile-only results),\n"
		"2 on a usage error.\n", JIT_MAX_DEFINES);
}

/* What the command was asked to do. */
struct bench_args {
	const char *file;
	const char *tensor;
	bool demo;
	int64_t shape_rows, shape_k;
	uint32_t shape_type;
	const char *variant;   /* NULL = all */
	int warps;             /* 0 = each variant's default, -1 = all */
	bench_opts opts;
	uint64_t seed;
	bool seed_given;
	const char *arch;
	const char *defines[JIT_MAX_DEFINES]; /* -D, as given */
	int n_defines;
	bool json;
	bool no_cupti, no_counters, full, no_ceiling;
	int flush;             /* enum l2flush_mode, or -1 for cuMemsetD32 */
	acts_spike spikes[16]; /* --outlier: channels planted in x */
	int n_spikes;
	const char *outlier_spec;
};

static int
parse_shape(const char *s, int64_t *rows, int64_t *k)
{
	char *end;
	long long r, c;

	r = strtoll(s, &end, 10);
	if (end == s || (*end != 'x' && *end != 'X'))
		return 0;
	s = end + 1;
	c = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || r <= 0 || c <= 0 || r > 0x7fffffff || c > 0x7fffffff)
		return 0;
	*rows = r;
	*k = c;
	return 1;
}

static int
parse_args(int argc, char **argv, struct bench_args *a)
{
	enum { O_DEMO = 256, O_SHAPE, O_TYPE, O_WARMUP, O_WARM, O_SEED, O_ARCH, O_THREADS, O_JSON,
		O_NO_CUPTI, O_NO_COUNTERS, O_FULL, O_FLUSH, O_NO_CEILING, O_OUTLIER };
	static const struct option longopts[] = {
		{ "tensor", required_argument, NULL, 't' },
		{ "demo", no_argument, NULL, O_DEMO },
		{ "shape", required_argument, NULL, O_SHAPE },
		{ "type", required_argument, NULL, O_TYPE },
		{ "variant", required_argument, NULL, 'v' },
		{ "warps", required_argument, NULL, 'w' },
		{ "reps", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, O_WARMUP },
		{ "warm", no_argument, NULL, O_WARM },
		{ "seed", required_argument, NULL, O_SEED },
		{ "arch", required_argument, NULL, O_ARCH },
		{ "define", required_argument, NULL, 'D' },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "json", no_argument, NULL, O_JSON },
		{ "no-cupti", no_argument, NULL, O_NO_CUPTI },
		{ "no-counters", no_argument, NULL, O_NO_COUNTERS },
		{ "full", no_argument, NULL, O_FULL },
		{ "flush", required_argument, NULL, O_FLUSH },
		{ "no-ceiling", no_argument, NULL, O_NO_CEILING },
		{ "outlier", required_argument, NULL, O_OUTLIER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool type_given = false;
	errmsg derr;
	long v;
	int c, rc;

	memset(a, 0, sizeof *a);
	a->shape_type = QT_Q4_K;
	a->flush = L2FLUSH_READ;
	bench_opts_default(&a->opts);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:v:w:n:D:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't': a->tensor = optarg; break;
		case O_DEMO: a->demo = true; break;
		case O_SHAPE:
			if (!parse_shape(optarg, &a->shape_rows, &a->shape_k))
				return cli_usage_error(CMD, "--shape wants ROWSxK, e.g. 4096x14336: '%s'", optarg);
			break;
		case O_TYPE:
			c = quant_type_from_name(optarg);
			if (c != QT_Q4_K && c != QT_Q6_K)
				return cli_usage_error(CMD, "--type wants q4_k or q6_k: '%s'", optarg);
			a->shape_type = (uint32_t)c;
			type_given = true;
			break;
		case 'v':
			a->variant = strcasecmp(optarg, "all") == 0 ? NULL : optarg;
			break;
		case 'w':
			if (strcasecmp(optarg, "all") == 0)
				a->warps = -1;
			else if (!cli_parse_long(optarg, &v) || v < 1 || v > 32)
				return cli_usage_error(CMD, "--warps wants 1..32 or all: '%s'", optarg);
			else
				a->warps = (int)v;
			break;
		case 'n':
			if (!cli_parse_long(optarg, &v) || v < 1 || v > 100000)
				return cli_usage_error(CMD, "--reps wants 1..100000: '%s'", optarg);
			a->opts.reps = (int)v;
			break;
		case O_WARMUP:
			if (!cli_parse_long(optarg, &v) || v < 0 || v > 100000)
				return cli_usage_error(CMD, "--warmup wants 0..100000: '%s'", optarg);
			a->opts.warmup = (int)v;
			break;
		case O_WARM: a->opts.warm_l2 = true; break;
		case O_SEED:
			if (!cli_parse_long(optarg, &v) || v < 0)
				return cli_usage_error(CMD, "--seed wants a number >= 0: '%s'", optarg);
			a->seed = (uint64_t)v;
			a->seed_given = true;
			break;
		case O_ARCH: a->arch = optarg; break;
		case 'D':
			if ((rc = cli_add_define(CMD, optarg, a->defines, &a->n_defines)) >= 0)
				return rc;
			break;
		case O_THREADS:
			if (!cli_parse_long(optarg, &v) || v < 0 || v > 1024)
				return cli_usage_error(CMD, "--threads wants 0..1024: '%s'", optarg);
			a->opts.threads = (int)v;
			break;
		case O_JSON: a->json = true; break;
		case O_NO_CUPTI: a->no_cupti = true; break;
		case O_NO_COUNTERS: a->no_counters = true; break;
		case O_FULL: a->full = true; break;
		case O_NO_CEILING: a->no_ceiling = true; break;
		case O_OUTLIER: {
			errmsg perr;

			a->n_spikes = acts_parse_spikes(optarg, a->spikes,
				sizeof a->spikes / sizeof a->spikes[0], &perr);
			if (a->n_spikes < 0)
				return cli_usage_error(CMD, "--outlier: %s", perr.text);
			a->outlier_spec = optarg;
			break;
		}
		case O_FLUSH:
			if (strcasecmp(optarg, "memset") == 0)
				a->flush = -1;
			else if ((a->flush = l2flush_mode_parse(optarg)) < 0)
				return cli_usage_error(CMD, "--flush wants read, write or memset: '%s'", optarg);
			break;
		case 'h': usage(stdout); return -1;
		case ':': return cli_usage_error(CMD, "option '%s' needs an argument", argv[optind - 1]);
		default: return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
		}
	}
	/* Each define is good by now: what is left to refuse is a name given twice. */
	if (jit_check_defines(a->defines, a->n_defines, &derr) < 0)
		return cli_usage_error(CMD, "%s", derr.text);
	if (optind < argc)
		a->file = argv[optind++];
	if (optind < argc)
		return cli_usage_error(CMD, "one FILE only: '%s'", argv[optind]);
	if (a->file != NULL && strcmp(a->file, "demo") == 0) {
		a->file = NULL;
		a->demo = true;
	}
	if ((a->file != NULL) + a->demo + (a->shape_rows > 0) != 1)
		return cli_usage_error(CMD, "name one layer source: FILE, --demo or --shape");
	if (type_given && a->shape_rows == 0)
		return cli_usage_error(CMD, "--type goes with --shape");
	if (a->shape_rows > 0 && a->tensor != NULL)
		return cli_usage_error(CMD, "--tensor names a tensor of a file, not of --shape");
	if (a->file != NULL && a->tensor == NULL)
		return cli_usage_error(CMD, "--tensor NAME is required with a FILE");
	if (a->demo && a->tensor == NULL)
		a->tensor = "blk.0.ffn_down.weight";
	if (!a->seed_given)
		a->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return 0;
}

/* ---------------------------------------------------------------- the layer */

struct source {
	gguf_file *file;
	void *random_w;
	bench_layer layer;
	char label[300];      /* where the layer came from */
};

static int
open_source(const struct bench_args *a, struct source *src, errmsg *err)
{
	const gguf_tensor *t;

	memset(src, 0, sizeof *src);
	if (a->shape_rows > 0) {
		src->random_w = bench_random_layer(a->shape_type, a->shape_rows, a->shape_k,
			a->seed ^ 0x5eed, a->opts.threads, &src->layer, err);
		if (src->random_w == NULL)
			return -1;
		snprintf(src->label, sizeof src->label, "random, seed %llu",
			(unsigned long long)(a->seed ^ 0x5eed));
		return 0;
	}
	if (a->demo) {
		demo_config dc;

		demo_config_default(&dc);
		dc.threads = a->opts.threads;
		src->file = demo_open(&dc, err);
	} else
		src->file = gguf_open(a->file, err);
	if (src->file == NULL)
		return -1;
	snprintf(src->label, sizeof src->label, "%s", gguf_name(src->file));
	t = gguf_find_tensor(src->file, a->tensor);
	if (t == NULL) {
		errmsg_set(err, "%s: no tensor named '%s'", gguf_name(src->file), a->tensor);
		return -1;
	}
	if (t->type != QT_Q4_K && t->type != QT_Q6_K) {
		const quant_info *qi = quant_type_info(t->type);

		errmsg_set(err, "%s is %s: bench measures Q4_K and Q6_K matrices", t->name,
			qi ? qi->name : "of an unknown type");
		return -1;
	}
	if (t->n_dims != 2 || t->ne[2] != 1 || t->ne[3] != 1) {
		errmsg_set(err, "%s has %u dimensions: bench measures matrices", t->name, t->n_dims);
		return -1;
	}
	src->layer.name = t->name;
	src->layer.type = t->type;
	src->layer.k = (int64_t)t->ne[0];
	src->layer.rows = (int64_t)t->ne[1];
	src->layer.w = t->data; /* straight from the mapping */
	src->layer.w_bytes = t->n_bytes;
	return 0;
}

static void
close_source(struct source *src)
{
	gguf_close(src->file);
	free(src->random_w);
}

/* ---------------------------------------------------------------- rows */

/* The (variant, warps) pairs to run, in registry order. */
static int
plan_rows(const struct bench_args *a, const bench_layer *L, struct bench_row **rows, size_t *n,
	errmsg *err)
{
	const variant *only = NULL, *v;
	size_t i, cap = 0;
	int j;

	*rows = NULL;
	*n = 0;
	if (a->variant != NULL) {
		only = variant_resolve(a->variant, L->type, (uint32_t)L->k, err);
		if (only == NULL)
			return -1;
		if (a->warps > 0 && !variant_warps_legal(only, a->warps)) {
			char legal[64];

			errmsg_set(err, "%s takes warps %s, not %d", only->name,
				variant_warps_text(only, legal, sizeof legal), a->warps);
			return -1;
		}
	}
	for (i = 0; (v = variant_at(i)) != NULL; i++) {
		if (v->kind != VARIANT_GEMV || v->qtype != L->type || (only != NULL && v != only))
			continue;
		for (j = 0; j < v->n_warps; j++) {
			int w = v->warps[j];

			if (a->warps == 0 ? w != v->default_warps : a->warps > 0 && w != a->warps)
				continue;
			if (*n == cap) {
				cap = cap ? 2 * cap : 16;
				*rows = xreallocarray(*rows, cap, sizeof **rows);
			}
			memset(&(*rows)[*n], 0, sizeof **rows);
			(*rows)[*n].v = v;
			(*rows)[*n].warps = w;
			(*n)++;
		}
	}
	if (*n == 0) {
		errmsg_set(err, "no variant of %s takes %d warps", quant_type_info(L->type)->name,
			a->warps);
		return -1;
	}
	return 0;
}

/* Compile (or find in the cache) the row's kernel and, for Q8_1 input, the
 * quantizer. */
static void
compile_row(jit *j, const char *arch, const bench_layer *L, struct bench_row *r)
{
	errmsg err;

	if (variant_check_shape(r->v, r->warps, (uint32_t)L->rows, (uint32_t)L->k, &err) != 0) {
		r->refused = true;
		snprintf(r->why, sizeof r->why, "%s", err.text);
		return;
	}
	if (jit_get(j, r->v, r->warps, arch, &r->build, &err) != 0) {
		snprintf(r->why, sizeof r->why, "compile: %s", err.text);
		return;
	}
	if (r->v->input == VARIANT_X_Q8_1) {
		const variant *q = variant_quantizer();

		if (jit_get(j, q, q->default_warps, arch, &r->qbuild, &err) != 0) {
			snprintf(r->why, sizeof r->why, "compile %s: %s", q->name, err.text);
			return;
		}
	}
	r->compiled = true;
}

static void
measure_row(gpu *g, bench_session *s, const bench_layer *L, const bench_opts *o,
	struct bench_row *r)
{
	const variant *q = variant_quantizer();
	const jit_module *m = r->build.module, *qm = r->qbuild.module;
	variant_launch gl, ql;
	bench_kernel gk, qk;
	errmsg err;
	int sms = gpu_device_info(g)->sm_count;

	if (variant_geometry(r->v, r->warps, (uint32_t)L->rows, (uint32_t)L->k, sms, &gl, &err) != 0 ||
	    (qm != NULL && variant_geometry(q, q->default_warps, (uint32_t)L->rows, (uint32_t)L->k, sms,
	    &ql, &err) != 0)) {
		snprintf(r->why, sizeof r->why, "%s", err.text);
		return;
	}
	gk = (bench_kernel){ m->variant->entry, m->image, m->image_bytes,
		{ { gl.grid_x, 1, 1 }, { gl.block_x, 1, 1 }, gl.smem_dynamic_bytes } };
	if (qm != NULL)
		qk = (bench_kernel){ qm->variant->entry, qm->image, qm->image_bytes,
			{ { ql.grid_x, 1, 1 }, { ql.block_x, 1, 1 }, ql.smem_dynamic_bytes } };
	r->rc = bench_measure(s, &gk, qm ? &qk : NULL, o, &r->res);
	r->measured = r->rc == 0;
	if (r->rc != 0)
		snprintf(r->why, sizeof r->why, "%s", r->res.error);
}

/* ---------------------------------------------------------------- CUPTI, flush, ceiling */

/* Open CUPTI where the driver runs, build the L2 flush kernel and get the
 * read ceiling (cached per device and driver). Each one that fails leaves a
 * note in the table's header and the run goes on without it. */
static void
setup_cupti(struct bench_args *a, gpu *g, jit *j, cupti_gpu *cu, l2flush **fl, ceiling *ceil,
	bench_table *rep)
{
	static char flush_text[ERRMSG_MAX + 64], ceiling_text[ERRMSG_MAX + 128];
	cupti_options co = { .disabled = a->no_cupti, .full = a->full };
	errmsg err;

	cupti_gpu_open(cu, g, &co);
	a->opts.cupti = cu;
	a->opts.counters = !a->no_counters && !a->no_cupti;
	rep->cupti = cupti_gpu_status_of(cu);
	rep->flush = "3 x L2 written by cuMemsetD32";
	if (!a->opts.warm_l2 && a->flush >= 0) {
		*fl = l2flush_new(g, j, (enum l2flush_mode)a->flush, &err);
		if (*fl != NULL)
			snprintf(flush_text, sizeof flush_text, "3 x L2 %s by the flush kernel, its records excluded",
				a->flush == L2FLUSH_WRITE ? "written" : "read");
		else
			snprintf(flush_text, sizeof flush_text, "3 x L2 written by cuMemsetD32: %s", err.text);
		rep->flush = flush_text;
		a->opts.flush = *fl;
	}
	memset(ceil, 0, sizeof *ceil);
	if (a->no_ceiling)
		rep->ceiling_note = "--no-ceiling";
	else if (ceiling_get(g, j, bench_cupti_timing(&a->opts) ? cu : NULL, NULL, false, ceil, &err) == 0) {
		rep->ceiling_gbs = ceil->best_gbs;
		snprintf(ceiling_text, sizeof ceiling_text, "%s, %s%s%s", ceil->timer, ceil->measured_at,
			ceil->from_cache ? ", cached" : "", ceil->note[0] ? "; " : "");
		if (ceil->note[0])
			snprintf(ceiling_text + strlen(ceiling_text), sizeof ceiling_text - strlen(ceiling_text), "%s", ceil->note);
		rep->ceiling_note = ceiling_text;
	} else {
		snprintf(ceiling_text, sizeof ceiling_text, "%s", err.text);
		rep->ceiling_note = ceiling_text;
	}
}

/* ---------------------------------------------------------------- main */

int
cmd_bench(int argc, char **argv)
{
	struct bench_args a;
	struct source src;
	bench_table rep;
	struct bench_row *rows = NULL;
	size_t n = 0, i;
	gpu *g = NULL;
	jit *j = NULL, *tools = NULL;
	jit_config jc;
	bench_session *s = NULL;
	float *x = NULL;
	char arch[16];
	cupti_gpu cu;
	l2flush *fl = NULL;
	ceiling ceil;
	errmsg err;
	int rc;

	memset(&cu, 0, sizeof cu);
	if ((rc = parse_args(argc, argv, &a)) != 0)
		return rc < 0 ? 0 : rc;
	if (open_source(&a, &src, &err) != 0) {
		close_source(&src);
		return cli_error(CMD, "%s", err.text);
	}
	if (plan_rows(&a, &src.layer, &rows, &n, &err) != 0) {
		close_source(&src);
		return cli_error(CMD, "%s", err.text);
	}
	cupti_gpu_install();
	g = gpu_open();
	if (a.arch != NULL) {
		if (jit_parse_arch(a.arch, &err) < 0) {
			rc = cli_usage_error(CMD, "--arch: %s", err.text);
			goto out;
		}
		snprintf(arch, sizeof arch, "%s", a.arch);
	} else if (gpu_available(g))
		snprintf(arch, sizeof arch, "sm_%d%d", gpu_device_info(g)->cc_major,
			gpu_device_info(g)->cc_minor);
	else
		snprintf(arch, sizeof arch, "sm_90");
	memset(&jc, 0, sizeof jc);
	jc.defines = a.defines;
	jc.n_defines = a.n_defines;
	if ((j = jit_new(&jc, &err)) == NULL) {
		rc = cli_error(CMD, "%s", err.text);
		goto out;
	}
	/* The flush and ceiling kernels are the instruments, not what is
	 * measured: they are built without the defines, so that a knob cannot
	 * change them (nor the ceiling cached from them). */
	if (a.n_defines == 0)
		tools = j;
	else if ((tools = jit_new(NULL, &err)) == NULL) {
		rc = cli_error(CMD, "%s", err.text);
		goto out;
	}
	x = xreallocarray(NULL, (size_t)src.layer.k, sizeof *x);
	/* With --outlier, x is the outliers module's synthetic vector (Gaussian
	 * bulk, the named channels planted at multiples of its rms), so the
	 * Q8_1 damage measured here is the one `ggscope outliers` predicts. */
	if (a.n_spikes > 0) {
		size_t planted = 0;

		acts_synth(x, (uint64_t)src.layer.k, a.seed, a.spikes, (size_t)a.n_spikes, &planted);
		if (planted < (size_t)a.n_spikes)
			fprintf(stderr, "ggscope bench: %zu of %d --outlier channels are >= k = %lld and were not planted\n",
				(size_t)a.n_spikes - planted, a.n_spikes, (long long)src.layer.k);
		if (!a.json)
			printf("input x: synthetic (seed %llu) with outliers %s\n",
				(unsigned long long)a.seed, a.outlier_spec);
	} else
		bench_gaussian(x, src.layer.k, a.seed);
	if (gpu_available(g) && (s = bench_open(g, &src.layer, x, a.opts.threads, &err)) == NULL) {
		rc = cli_error(CMD, "%s", err.text);
		goto out;
	}
	memset(&rep, 0, sizeof rep);
	if (gpu_available(g))
		setup_cupti(&a, g, tools, &cu, &fl, &ceil, &rep);
	rep.g = g;
	rep.layer = &src.layer;
	rep.source = src.label;
	rep.arch = arch;
	rep.defines = a.defines;
	rep.n_defines = a.n_defines;
	rep.opts = &a.opts;
	rep.seed = a.seed;
	rep.rows = rows;
	rep.n_rows = n;
	rep.json = a.json;
	bench_table_begin(&rep);
	for (i = 0; i < n; i++) {
		compile_row(j, arch, &src.layer, &rows[i]);
		if (rows[i].compiled && s != NULL)
			measure_row(g, s, &src.layer, &a.opts, &rows[i]);
		bench_table_row(&rep, &rows[i]);
	}
	rc = bench_table_end(&rep);
out:
	bench_close(s);
	l2flush_free(fl);
	if (cu.g != NULL)
		cupti_gpu_close(&cu);
	if (tools != j)
		jit_free(tools);
	jit_free(j);
	gpu_close(g);
	free(x);
	free(rows);
	close_source(&src);
	return rc;
}
