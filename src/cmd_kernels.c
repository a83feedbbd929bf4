/* cmd_kernels: `ggscope kernels`, the variant list and the NVRTC
 * compile check of every legal (variant, warps, arch). */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "jit.h"
#include "quant.h"
#include "variant.h"
#include "xalloc.h"

#define MAX_ARCHS 16
#define MAX_JOBS 64

typedef struct kopts {
	const char *archs[MAX_ARCHS];
	int n_archs;
	bool selected[64]; /* by registry index; all when none chosen */
	bool any_selected;
	bool check, json, no_cache;
	int jobs; /* compile threads; 0 = one per online CPU */
	const char *defines[JIT_MAX_DEFINES]; /* -D, as given */
	int n_defines;
} kopts;

/* One row of the check table. */
typedef struct build_row {
	const variant *v;
	int warps;
	const char *arch;
	bool ok, spill;
	jit_result res;
	char error[ERRMSG_MAX];
} build_row;

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: ggscope kernels [OPTION]...\n"
		"List the GEMV kernel variants (weight type, activation input, legal warps),\n"
		"and with --check compile every legal (variant, warps) for each architecture\n"
		"with NVRTC. No GPU is needed.\n\n"
		"  -a, --arch=LIST     architectures for --check, comma-separated (default sm_90)\n"
		"  -c, --check         compile every legal combination and print the ptxas\n"
		"                      report; exit 1 on any compile error or register spill\n"
		"  -k, --variant=NAME  only this variant (repeatable, or comma-separated)\n"
		"  -J, --jobs=N        compile N at a time (default: one per CPU, at most %d)\n"
		"  -D, --define=NAME=VALUE\n"
		"                      compile with this #define too, to check a kernel's knob\n"
		"                      (e.g. STREAM_ROWS=2); repeatable, up to %d\n"
		"      --no-cache      do not read or write the disk cache\n"
		"  -j, --json          machine-readable output\n"
		"  -h, --help          display this help and exit\n\n"
		"Kernel sources come from $GGSCOPE_KERNELS_DIR, else the installed kernels,\n"
		"else the source tree. Builds are cached in $XDG_CACHE_HOME/ggscope/jit.\n"
		"Exit status: 0 success, 1 compile error or spill, 2 usage error.\n", MAX_JOBS, JIT_MAX_DEFINES);
}

static const char *
type_label(uint32_t qtype)
{
	return qtype == QT_Q4_K ? "Q4_K" : qtype == QT_Q6_K ? "Q6_K" : qtype == QT_Q8_1 ? "Q8_1" : "?";
}

static const char *
k_rule(const variant *v, char *buf, size_t len)
{
	if (v->kind == VARIANT_QUANTIZE)
		snprintf(buf, len, "any k");
	else if (v->any_k)
		snprintf(buf, len, "any k");
	else if (v->max_k)
		snprintf(buf, len, "k%%256=0, k<=%u", v->max_k);
	else
		snprintf(buf, len, "k%%256=0");
	return buf;
}

static const char *
origin_label(enum jit_origin o)
{
	switch (o) {
	case JIT_COMPILED:
		return "compiled";
	case JIT_MEMORY:
		return "memory";
	case JIT_DISK:
		return "disk";
	default:
		return "stale";
	}
}

/* Split a comma-separated list into the selection; false on an unknown name. */
static bool
select_variants(kopts *o, const char *list)
{
	char *copy = xstrdup(list), *save = NULL, *tok;
	bool ok = true;

	for (tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		const variant *v = variant_find(tok);
		size_t i;
		if (v == NULL) {
			cli_usage_error("kernels", "unknown variant '%s'", tok);
			ok = false;
			break;
		}
		for (i = 0; i < variant_count(); i++)
			if (variant_at(i) == v)
				o->selected[i] = true;
		o->any_selected = true;
	}
	free(copy);
	return ok;
}

static bool
add_archs(kopts *o, char *list)
{
	char *save = NULL, *tok;
	errmsg err;

	for (tok = strtok_r(list, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		if (jit_parse_arch(tok, &err) < 0) {
			cli_usage_error("kernels", "%s", err.text);
			return false;
		}
		if (o->n_archs == MAX_ARCHS) {
			cli_usage_error("kernels", "more than %d architectures", MAX_ARCHS);
			return false;
		}
		o->archs[o->n_archs++] = tok;
	}
	return true;
}

static bool
wanted(const kopts *o, size_t i)
{
	return !o->any_selected || o->selected[i];
}

static void
print_header_text(const kopts *o, const jit *j, const char *jit_error)
{
	int major, minor, archs[64], n;
	errmsg err;

	if (j != NULL)
		printf("Kernel sources: %s (%s)\n", jit_kernels_dir(j), jit_kernels_dir_origin(j));
	else
		printf("Kernel sources: none (%s)\n", jit_error);
	if (jit_nvrtc_version(&major, &minor, &err) == 0 && (n = jit_supported_archs(archs, 64, &err)) > 0) {
		printf("NVRTC %d.%d: CUBIN for", major, minor);
		for (int i = 0; i < n && i < 64; i++)
			printf(" sm_%d", archs[i]);
		printf("\n");
	} else {
		printf(jit_available() ? "NVRTC: %s\n" : "%s\n", err.text);
	}
	if (j != NULL) {
		if (jit_cache_dir(j) != NULL)
			printf("Disk cache: %s\n", jit_cache_dir(j));
		else
			printf("Disk cache: none (%s)\n", jit_cache_note(j));
	}
	if (o->n_defines > 0) {
		printf("Defines:");
		for (int i = 0; i < o->n_defines; i++)
			printf(" %s", o->defines[i]);
		printf("\n");
	}
}

static void
print_list_text(const kopts *o)
{
	char warps[64], rule[64];

	printf("\n%-15s %-5s %-5s %-6s %-4s %-17s %s\n", "VARIANT", "TYPE", "X", "WARPS", "DEF", "K", "DESCRIPTION");
	for (size_t i = 0; i < variant_count(); i++) {
		const variant *v = variant_at(i);
		if (!wanted(o, i))
			continue;
		printf("%-15s %-5s %-5s %-6s %-4d %-17s %s\n", v->name, type_label(v->qtype),
		       variant_input_name(v->input), variant_warps_text(v, warps, sizeof warps), v->default_warps,
		       k_rule(v, rule, sizeof rule), v->description);
	}
	printf("\nWARPS is the -DWARPS value and the launch's warps per block.\n"
	       "Aliases: q4k_legacy = q4k_basic if k %% 256 != 0, else q4k_tiled if k <= %d, else q4k_chunked;\n"
	       "         q6k_legacy = q6k_basic.\n"
	       "The dp4a variants read x as Q8_1, written first by quantize_q8_1.\n",
	       VARIANT_TILED_MAX_K);
}

static json_object *
variant_json(const variant *v)
{
	json_object *o = json_object_new_object(), *w = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(v->name));
	json_object_object_add(o, "entry", json_object_new_string(v->entry));
	json_object_object_add(o, "file", json_object_new_string(v->file));
	json_object_object_add(o, "kind", json_object_new_string(v->kind == VARIANT_GEMV ? "gemv" : "quantize"));
	json_object_object_add(o, "type", json_object_new_string(type_label(v->qtype)));
	json_object_object_add(o, "input", json_object_new_string(variant_input_name(v->input)));
	for (int i = 0; i < v->n_warps; i++)
		json_object_array_add(w, json_object_new_int(v->warps[i]));
	json_object_object_add(o, "warps", w);
	json_object_object_add(o, "default_warps", json_object_new_int(v->default_warps));
	json_object_object_add(o, "warps_means", json_object_new_string(v->warps_means));
	json_object_object_add(o, "any_k", json_object_new_boolean(v->any_k));
	json_object_object_add(o, "max_k", json_object_new_int64(v->max_k ? v->max_k : VARIANT_MAX_K));
	json_object_object_add(o, "description", json_object_new_string(v->description));
	return o;
}

static json_object *
build_json(const build_row *b)
{
	json_object *o = json_object_new_object();
	const jit_module *m = b->res.module;

	json_object_object_add(o, "variant", json_object_new_string(b->v->name));
	json_object_object_add(o, "warps", json_object_new_int(b->warps));
	json_object_object_add(o, "arch", json_object_new_string(b->arch));
	json_object_object_add(o, "ok", json_object_new_boolean(b->ok));
	json_object_object_add(o, "error", b->ok ? NULL : json_object_new_string(b->error));
	if (b->res.error_log != NULL)
		json_object_object_add(o, "log", json_object_new_string(b->res.error_log));
	json_object_object_add(o, "cache", json_object_new_string(m ? origin_label(b->res.origin) : "none"));
	json_object_object_add(o, "note", json_object_new_string(b->res.note));
	if (m != NULL && b->res.origin != JIT_STALE) {
		json_object_object_add(o, "target", json_object_new_string(m->target));
		json_object_object_add(o, "ptx", json_object_new_boolean(m->is_ptx));
		json_object_object_add(o, "image_bytes", json_object_new_int64((int64_t)m->image_bytes));
		json_object_object_add(o, "compile_ms", json_object_new_double(m->compile_ms));
		json_object_object_add(o, "resources_valid", json_object_new_boolean(m->res.valid));
		if (m->res.valid) {
			json_object_object_add(o, "registers", json_object_new_int(m->res.registers));
			json_object_object_add(o, "spill_store_bytes", json_object_new_int(m->res.spill_store_bytes));
			json_object_object_add(o, "spill_load_bytes", json_object_new_int(m->res.spill_load_bytes));
			json_object_object_add(o, "stack_bytes", json_object_new_int(m->res.stack_bytes));
			json_object_object_add(o, "smem_static_bytes", json_object_new_int(m->res.smem_static_bytes));
		}
		json_object_object_add(o, "options", json_object_new_string(m->options));
	}
	return o;
}

/* The work list of --check, shared by the compile threads. */
typedef struct check_work {
	jit *j;
	build_row *rows;
	size_t n;
	size_t next; /* next row to take (atomic) */
} check_work;

static void *
check_worker(void *arg)
{
	check_work *w = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED)) < w->n) {
		build_row *b = &w->rows[i];
		errmsg err;

		b->ok = jit_get(w->j, b->v, b->warps, b->arch, &b->res, &err) == 0;
		if (!b->ok) {
			snprintf(b->error, sizeof b->error, "%s", err.text);
		} else {
			const jit_resources *r = &b->res.module->res;
			b->spill = r->valid && (r->spill_store_bytes > 0 || r->spill_load_bytes > 0);
		}
	}
	return NULL;
}

/* Compile everything selected for every arch into rows, with `jobs`
 * threads (NVRTC compiles run in parallel; the jit is thread-safe).
 * Returns the count; rows keep the list's order. */
static size_t
run_check(jit *j, const kopts *o, int jobs, build_row **rows_out)
{
	build_row *rows = NULL;
	size_t n = 0, cap = 0;
	pthread_t tid[MAX_JOBS];
	int started = 0;
	check_work w;

	for (int a = 0; a < o->n_archs; a++)
		for (size_t i = 0; i < variant_count(); i++) {
			const variant *v = variant_at(i);
			if (!wanted(o, i))
				continue;
			for (int k = 0; k < v->n_warps; k++) {
				if (n == cap) {
					cap = cap ? 2 * cap : 64;
					rows = xreallocarray(rows, cap, sizeof *rows);
				}
				memset(&rows[n], 0, sizeof rows[n]);
				rows[n].v = v;
				rows[n].warps = v->warps[k];
				rows[n++].arch = o->archs[a];
			}
		}
	w.j = j;
	w.rows = rows;
	w.n = n;
	w.next = 0;
	for (int t = 1; t < jobs; t++)
		if (pthread_create(&tid[started], NULL, check_worker, &w) == 0)
			started++;
	check_worker(&w); /* this thread works too */
	for (int t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	*rows_out = rows;
	return n;
}

static void
print_check_text(const build_row *rows, size_t n, double wall_ms)
{
	size_t errors = 0, spills = 0, compiled = 0, cached = 0;

	printf("\n%-15s %5s %-7s %-10s %5s %9s %6s %6s %10s %-8s %s\n", "VARIANT", "WARPS", "ARCH", "TARGET", "REGS",
	       "SPILL S/L", "STACK", "SMEM", "COMPILE_MS", "CACHE", "STATUS");
	for (size_t i = 0; i < n; i++) {
		const build_row *b = &rows[i];
		const jit_module *m = b->ok ? b->res.module : NULL;
		char regs[16] = "n/a", spill[24] = "n/a", stack[16] = "n/a", smem[16] = "n/a";
		if (m != NULL && m->res.valid) {
			snprintf(regs, sizeof regs, "%d", m->res.registers);
			snprintf(spill, sizeof spill, "%d/%d", m->res.spill_store_bytes, m->res.spill_load_bytes);
			snprintf(stack, sizeof stack, "%d", m->res.stack_bytes);
			snprintf(smem, sizeof smem, "%d", m->res.smem_static_bytes);
		}
		if (m != NULL)
			printf("%-15s %5d %-7s %-10s %5s %9s %6s %6s %10.1f %-8s %s\n", b->v->name, b->warps, b->arch,
			       m->target, regs, spill, stack, smem, m->compile_ms, origin_label(b->res.origin),
			       b->spill ? "SPILL" : m->res.valid ? "ok" : "ok (PTX: no ptxas report)");
		else
			printf("%-15s %5d %-7s %-10s %5s %9s %6s %6s %10s %-8s ERROR\n", b->v->name, b->warps, b->arch,
			       "-", "-", "-", "-", "-", "-", "-");
		if (b->res.note[0] != '\0')
			printf("    note: %s\n", b->res.note);
		errors += !b->ok;
		spills += b->spill;
		compiled += b->ok && b->res.origin == JIT_COMPILED;
		cached += b->ok && (b->res.origin == JIT_MEMORY || b->res.origin == JIT_DISK);
	}
	for (size_t i = 0; i < n; i++)
		if (!rows[i].ok)
			fprintf(stderr, "ggscope kernels: %s warps %d %s: %s\n%s", rows[i].v->name, rows[i].warps,
				rows[i].arch, rows[i].error, rows[i].res.error_log ? rows[i].res.error_log : "");
	printf("\n%zu builds: %zu ok, %zu errors, %zu with register spills; %zu compiled, %zu from cache; %.1f s\n", n,
	       n - errors, errors, spills, compiled, cached, wall_ms / 1e3);
}

static double
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
cmd_kernels(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "arch", required_argument, NULL, 'a' },  { "check", no_argument, NULL, 'c' },
		{ "variant", required_argument, NULL, 'k' }, { "json", no_argument, NULL, 'j' },
		{ "no-cache", no_argument, NULL, 'N' },   { "help", no_argument, NULL, 'h' },
		{ "jobs", required_argument, NULL, 'J' }, { "define", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 },
	};
	kopts o;
	jit_config cfg = { 0 };
	jit *j;
	errmsg jerr;
	build_row *rows = NULL;
	size_t n_rows = 0;
	char *arch_buf[MAX_ARCHS];
	int n_arch_buf = 0, c, status = 0;
	double t0;

	memset(&o, 0, sizeof o);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":a:ck:jJ:D:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (n_arch_buf == MAX_ARCHS) {
				status = cli_usage_error("kernels", "too many --arch options");
				goto out;
			}
			arch_buf[n_arch_buf] = xstrdup(optarg);
			if (!add_archs(&o, arch_buf[n_arch_buf++])) {
				status = EXIT_USAGE;
				goto out;
			}
			break;
		case 'c':
			o.check = true;
			break;
		case 'k':
			if (!select_variants(&o, optarg)) {
				status = EXIT_USAGE;
				goto out;
			}
			break;
		case 'j':
			o.json = true;
			break;
		case 'N':
			o.no_cache = true;
			break;
		case 'J': {
			long v;
			if (!cli_parse_long(optarg, &v) || v < 1 || v > MAX_JOBS) {
				status = cli_usage_error("kernels", "--jobs: '%s' is not a number in 1..%d", optarg,
							 MAX_JOBS);
				goto out;
			}
			o.jobs = (int)v;
			break;
		}
		case 'D':
			if (o.n_defines == JIT_MAX_DEFINES) {
				status = cli_usage_error("kernels", "at most %d --define options", JIT_MAX_DEFINES);
				goto out;
			}
			if (strncmp(optarg, "WARPS", 5) == 0 && (optarg[5] == '\0' || optarg[5] == '=')) {
				/* jit_check_define says "use --warps", which is bench's */
				status = cli_usage_error("kernels", "define '%s': WARPS is set by each build: "
							 "--check builds every legal warp count", optarg);
				goto out;
			}
			if (jit_check_define(optarg, &jerr) < 0) {
				status = cli_usage_error("kernels", "%s", jerr.text);
				goto out;
			}
			o.defines[o.n_defines++] = optarg;
			break;
		case 'h':
			usage(stdout);
			goto out;
		case ':':
			status = cli_usage_error("kernels", "option '%s' needs an argument", argv[optind - 1]);
			goto out;
		default:
			status = cli_usage_error("kernels", "unknown option '%s'", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		status = cli_usage_error("kernels", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (jit_check_defines(o.defines, o.n_defines, &jerr) < 0) { /* a name given twice */
		status = cli_usage_error("kernels", "%s", jerr.text);
		goto out;
	}
	if (o.n_archs == 0)
		o.archs[o.n_archs++] = "sm_90";

	cfg.no_disk_cache = o.no_cache;
	cfg.defines = o.defines;
	cfg.n_defines = o.n_defines;
	j = jit_new(&cfg, &jerr);
	if (o.check) {
		if (j == NULL) {
			status = cli_error("kernels", "%s", jerr.text);
			goto out;
		}
		t0 = wall_ms();
		if (o.jobs == 0) {
			long cpus = sysconf(_SC_NPROCESSORS_ONLN);
			o.jobs = cpus < 1 ? 1 : cpus > MAX_JOBS ? MAX_JOBS : (int)cpus;
		}
		n_rows = run_check(j, &o, o.jobs, &rows);
		for (size_t i = 0; i < n_rows; i++)
			if (!rows[i].ok || rows[i].spill)
				status = 1;
		if (!o.json) {
			print_header_text(&o, j, NULL);
			print_check_text(rows, n_rows, wall_ms() - t0);
		}
	} else if (!o.json) {
		print_header_text(&o, j, jerr.text);
		print_list_text(&o);
	}

	if (o.json) {
		json_object *root = json_object_new_object(), *vs = json_object_new_array(), *archs, *defs;
		int major, minor, list[64], n;
		char ver[32];
		errmsg err;

		json_object_object_add(root, "kernels_dir", j ? json_object_new_string(jit_kernels_dir(j)) : NULL);
		json_object_object_add(root, "kernels_dir_origin",
				       json_object_new_string(j ? jit_kernels_dir_origin(j) : jerr.text));
		json_object_object_add(root, "cache_dir",
				       j && jit_cache_dir(j) ? json_object_new_string(jit_cache_dir(j)) : NULL);
		if (jit_nvrtc_version(&major, &minor, &err) == 0) {
			snprintf(ver, sizeof ver, "%d.%d", major, minor);
			json_object_object_add(root, "nvrtc", json_object_new_string(ver));
		} else {
			json_object_object_add(root, "nvrtc", NULL);
		}
		archs = json_object_new_array();
		n = jit_supported_archs(list, 64, &err);
		for (int i = 0; i < n && i < 64; i++)
			json_object_array_add(archs, json_object_new_int(list[i]));
		json_object_object_add(root, "nvrtc_archs", archs);
		defs = json_object_new_array();
		for (int i = 0; i < o.n_defines; i++)
			json_object_array_add(defs, json_object_new_string(o.defines[i]));
		json_object_object_add(root, "defines", defs);
		for (size_t i = 0; i < variant_count(); i++)
			if (wanted(&o, i))
				json_object_array_add(vs, variant_json(variant_at(i)));
		json_object_object_add(root, "variants", vs);
		if (o.check) {
			json_object *bs = json_object_new_array();
			for (size_t i = 0; i < n_rows; i++)
				json_object_array_add(bs, build_json(&rows[i]));
			json_object_object_add(root, "builds", bs);
			json_object_object_add(root, "ok", json_object_new_boolean(status == 0));
		}
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	}
	free(rows);
	jit_free(j);
out:
	for (int i = 0; i < n_arch_buf; i++)
		free(arch_buf[i]);
	return status;
}
