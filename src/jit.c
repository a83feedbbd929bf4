/* jit: the jit object, its memory and disk caches, and jit_get (the sources,
 * keys and NVRTC call it uses are in jit_build.c). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "jit.h"
#include "jit_build.h"
#include "jit_cache.h"
#include "xalloc.h"

#ifndef GGSCOPE_PKGDATADIR
#error "GGSCOPE_PKGDATADIR comes from Makefile.am's AM_CPPFLAGS"
#endif
#ifndef GGSCOPE_SRCDIR
#error "GGSCOPE_SRCDIR comes from Makefile.am's AM_CPPFLAGS"
#endif

/* arch, --std, -lineinfo, -DWARPS, --ptxas-options, and the defines */
#define JIT_MAX_OPTIONS (8 + JIT_MAX_DEFINES)

/* The last good build of one (variant, warps, arch, options), by id. */
typedef struct last_good {
	char id[65];
	const jit_module *module;
} last_good;

struct jit {
	pthread_mutex_t lock;
	char *kernels_dir;
	const char *kernels_origin;
	char *cache_dir; /* NULL: memory only */
	char cache_note[512];
	jit_module **mods;
	size_t n_mods, cap_mods;
	last_good *last;
	size_t n_last, cap_last;
	char **logs; /* logs of failed compiles, freed with the jit */
	size_t n_logs, cap_logs;
	char *define_opts[JIT_MAX_DEFINES]; /* "-DNAME=VALUE", from jit_config.defines */
	int n_defines;
	jit_stats stats;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ------------------------------------------------------------ the jit object */

jit *
jit_new(const jit_config *cfg, errmsg *err)
{
	static const jit_config defaults;
	const char *env = getenv("GGSCOPE_KERNELS_DIR");
	char *dir = NULL;
	const char *origin;
	jit *j;

	if (cfg == NULL)
		cfg = &defaults;
	if (jit_check_defines(cfg->defines, cfg->n_defines, err) < 0)
		return NULL;
	if (cfg->kernels_dir != NULL) {
		dir = xstrdup(cfg->kernels_dir);
		origin = "jit_config";
	} else if (env != NULL && *env != '\0') {
		dir = xstrdup(env);
		origin = "$GGSCOPE_KERNELS_DIR";
	} else if (is_dir(GGSCOPE_PKGDATADIR "/kernels")) {
		dir = xstrdup(GGSCOPE_PKGDATADIR "/kernels");
		origin = "installed";
	} else if (is_dir(GGSCOPE_SRCDIR "/kernels")) {
		dir = xstrdup(GGSCOPE_SRCDIR "/kernels");
		origin = "source tree";
	} else {
		errmsg_set(err, "no kernel directory: neither %s nor %s exists (set GGSCOPE_KERNELS_DIR)",
			   GGSCOPE_PKGDATADIR "/kernels", GGSCOPE_SRCDIR "/kernels");
		return NULL;
	}
	{
		struct stat st;
		const int e = stat(dir, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
		if (e != 0) {
			errmsg_errno(err, e, "kernel directory %s (from %s)", dir, origin);
			free(dir);
			return NULL;
		}
	}

	j = xcalloc(1, sizeof *j);
	pthread_mutex_init(&j->lock, NULL);
	j->kernels_dir = dir;
	j->kernels_origin = origin;
	for (int i = 0; i < cfg->n_defines; i++)
		j->define_opts[j->n_defines++] = xasprintf("-D%s", cfg->defines[i]);
	if (cfg->no_disk_cache) {
		snprintf(j->cache_note, sizeof j->cache_note, "disk cache disabled by configuration");
	} else {
		char *cache = cfg->cache_dir ? xstrdup(cfg->cache_dir) : jit_cache_default_dir();
		errmsg e;
		if (cache == NULL) {
			snprintf(j->cache_note, sizeof j->cache_note,
				 "no disk cache: neither $XDG_CACHE_HOME nor $HOME is an absolute path");
		} else if (jit_cache_mkdirs(cache, &e) < 0) {
			snprintf(j->cache_note, sizeof j->cache_note, "no disk cache: %s", e.text);
			free(cache);
		} else {
			j->cache_dir = cache;
		}
	}
	return j;
}

static void
module_free(jit_module *m)
{
	free((void *)m->image);
	free((void *)m->log);
	free((void *)m->options);
	free(m);
}

void
jit_free(jit *j)
{
	if (j == NULL)
		return;
	for (size_t i = 0; i < j->n_mods; i++)
		module_free(j->mods[i]);
	free(j->mods);
	free(j->last);
	for (size_t i = 0; i < j->n_logs; i++)
		free(j->logs[i]);
	free(j->logs);
	for (int i = 0; i < j->n_defines; i++)
		free(j->define_opts[i]);
	free(j->kernels_dir);
	free(j->cache_dir);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

const char *
jit_kernels_dir(const jit *j)
{
	return j->kernels_dir;
}

const char *
jit_kernels_dir_origin(const jit *j)
{
	return j->kernels_origin;
}

const char *
jit_cache_dir(const jit *j)
{
	return j->cache_dir;
}

const char *
jit_cache_note(const jit *j)
{
	return j->cache_note;
}

void
jit_get_stats(const jit *j, jit_stats *out)
{
	pthread_mutex_lock((pthread_mutex_t *)&j->lock);
	*out = j->stats;
	pthread_mutex_unlock((pthread_mutex_t *)&j->lock);
}

/* A module from an entry; takes ownership of the entry's buffers. */
static jit_module *
module_from_entry(jit *j, jit_entry *e, const variant *v, int warps, const char *arch, const char *options,
		  const char *key)
{
	jit_module *m = xcalloc(1, sizeof *m);

	m->variant = v;
	m->warps = warps;
	snprintf(m->arch, sizeof m->arch, "%s", arch);
	snprintf(m->target, sizeof m->target, "%s", e->target);
	m->is_ptx = e->is_ptx;
	m->image = e->image;
	m->image_bytes = e->image_bytes;
	m->log = e->log ? e->log : xstrdup("");
	m->options = xstrdup(options);
	m->compile_ms = e->compile_ms;
	memcpy(m->key, key, 65);
	if (m->is_ptx)
		memset(&m->res, 0, sizeof m->res), m->res.cmem0_bytes = -1, m->res.barriers = -1;
	else
		jit_parse_resources(m->log, v->entry, &m->res);
	e->image = NULL;
	e->log = NULL;
	if (j->n_mods == j->cap_mods) {
		j->cap_mods = j->cap_mods ? 2 * j->cap_mods : 32;
		j->mods = xreallocarray(j->mods, j->cap_mods, sizeof *j->mods);
	}
	j->mods[j->n_mods++] = m;
	return m;
}

static const jit_module *
find_module(const jit *j, const char *key)
{
	for (size_t i = 0; i < j->n_mods; i++)
		if (strcmp(j->mods[i]->key, key) == 0)
			return j->mods[i];
	return NULL;
}

static void
remember_good(jit *j, const char *id, const jit_module *m)
{
	size_t i;

	for (i = 0; i < j->n_last; i++)
		if (strcmp(j->last[i].id, id) == 0) {
			j->last[i].module = m;
			return;
		}
	if (j->n_last == j->cap_last) {
		j->cap_last = j->cap_last ? 2 * j->cap_last : 32;
		j->last = xreallocarray(j->last, j->cap_last, sizeof *j->last);
	}
	memcpy(j->last[j->n_last].id, id, 65);
	j->last[j->n_last++].module = m;
}

static void
note_append(jit_result *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note_append(jit_result *out, const char *fmt, ...)
{
	size_t used = strlen(out->note);
	va_list ap;

	if (used + 3 >= sizeof out->note)
		return;
	if (used > 0) {
		memcpy(out->note + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out->note + used, sizeof out->note - used, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ jit_get */

/* What to pass to --gpu-architecture for `arch`: the arch itself when NVRTC
 * knows it (a CUBIN), else compute_NN for the newest NN below it (PTX). */
static int
resolve_target(const char *arch, char target[16], bool *cubin, jit_result *out, errmsg *err)
{
	int archs[64], n, best = -1, nv_major = 0, nv_minor = 0;
	const int want = jit_parse_arch(arch, err);

	if (want < 0)
		return -1;
	n = jit_supported_archs(archs, 64, err);
	if (n < 0)
		return -1;
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++) {
		if (archs[i] == want) {
			snprintf(target, 16, "%s", arch);
			*cubin = true;
			return 0;
		}
		if (archs[i] < want && archs[i] > best)
			best = archs[i];
	}
	jit_nvrtc_version(&nv_major, &nv_minor, NULL);
	if (best < 0) {
		errmsg_set(err, "NVRTC %d.%d cannot build for %s: its oldest architecture is sm_%d", nv_major,
			   nv_minor, arch, n > 0 ? archs[0] : 0);
		return -1;
	}
	snprintf(target, 16, "compute_%d", best);
	*cubin = false;
	note_append(out, "NVRTC %d.%d does not know %s: built PTX for compute_%d, which the driver compiles at load",
		    nv_major, nv_minor, arch, best);
	return 0;
}

/* After a failed build: the last good module of this id, from memory or
 * from the disk cache's pointer file, or NULL. */
static const jit_module *
find_stale(jit *j, const char *id, const variant *v, int warps, const char *arch, const char *options)
{
	char key[65];
	jit_entry e;
	const jit_module *m;

	for (size_t i = 0; i < j->n_last; i++)
		if (strcmp(j->last[i].id, id) == 0)
			return j->last[i].module;
	if (j->cache_dir == NULL || jit_cache_read_pointer(j->cache_dir, id, key) < 0)
		return NULL;
	m = find_module(j, key);
	if (m != NULL)
		return m;
	if (jit_cache_read(j->cache_dir, key, &e, NULL) != 0)
		return NULL;
	m = module_from_entry(j, &e, v, warps, arch, options, key);
	remember_good(j, id, m);
	return m;
}

/* Cache bookkeeping after a good build, load or hit: memory map, and the
 * disk pointer file when it does not already name this key. */
static void
record_good(jit *j, const char *id, const jit_module *m, jit_result *out)
{
	char old[65];
	errmsg e;

	remember_good(j, id, m);
	if (j->cache_dir == NULL)
		return;
	if (jit_cache_read_pointer(j->cache_dir, id, old) == 0 && strcmp(old, m->key) == 0)
		return;
	if (jit_cache_write_pointer(j->cache_dir, id, m->key, &e) < 0)
		note_append(out, "last-good pointer not written: %s", e.text);
}

/* Whatever jit_get needs after it drops the lock to compile. */
typedef struct request {
	const variant *v;
	int warps;
	const char *arch;
	char target[16];
	bool cubin;
	char key[65], id[65];
	/* opts joined by spaces: the fixed ones fit 256 bytes (arch_opt and
	 * warps_opt below, and short literals), each define adds " -D" and
	 * fewer than JIT_MAX_DEFINE_BYTES, so nothing is cut off. */
	char options[256 + JIT_MAX_DEFINES * (JIT_MAX_DEFINE_BYTES + 3)];
	const char *opts[JIT_MAX_OPTIONS];
	int nopts;
	char arch_opt[48], warps_opt[32];
} request;

#ifdef HAVE_NVRTC
/* Keep a failed compile's log until jit_free (results point at it). */
static const char *
keep_log(jit *j, char *log)
{
	if (j->n_logs == j->cap_logs) {
		j->cap_logs = j->cap_logs ? 2 * j->cap_logs : 8;
		j->logs = xreallocarray(j->logs, j->cap_logs, sizeof *j->logs);
	}
	j->logs[j->n_logs++] = log;
	return log;
}
#endif

/* Under the lock: a module for rq->key from memory or disk, or NULL. */
static const jit_module *
lookup_cached(jit *j, const request *rq, jit_result *out)
{
	const jit_module *m = find_module(j, rq->key);
	jit_entry e;
	errmsg cerr;
	int r;

	if (m != NULL) {
		out->origin = JIT_MEMORY;
		j->stats.memory_hits++;
		remember_good(j, rq->id, m);
		return m;
	}
	if (j->cache_dir == NULL)
		return NULL;
	r = jit_cache_read(j->cache_dir, rq->key, &e, &cerr);
	if (r == 0) {
		m = module_from_entry(j, &e, rq->v, rq->warps, rq->arch, rq->options, rq->key);
		out->origin = JIT_DISK;
		j->stats.disk_hits++;
		record_good(j, rq->id, m, out);
		return m;
	}
	if (r < 0) {
		j->stats.corrupt_entries++;
		note_append(out, "corrupt cache entry rebuilt: %s", cerr.text);
	}
	return NULL;
}

int
jit_get(jit *j, const variant *v, int warps, const char *arch, jit_result *out, errmsg *err)
{
	const double t0 = now_ms();
	jit_build_sources src = { 0 };
	request rq;
	int nv_major, nv_minor, rc = -1;
	const jit_module *m;

	memset(out, 0, sizeof *out);
	memset(&rq, 0, sizeof rq);
	out->origin = JIT_COMPILED;
	if (v == NULL) {
		errmsg_set(err, "no variant given");
		goto done;
	}
	if (!variant_warps_legal(v, warps)) {
		char legal[64];
		errmsg_set(err, "%s: warps = %d is not legal (legal: %s)", v->name, warps,
			   variant_warps_text(v, legal, sizeof legal));
		goto done;
	}
	if (jit_nvrtc_version(&nv_major, &nv_minor, err) < 0 ||
	    resolve_target(arch, rq.target, &rq.cubin, out, err) < 0)
		goto done;

	rq.v = v;
	rq.warps = warps;
	rq.arch = arch;
	snprintf(rq.arch_opt, sizeof rq.arch_opt, "--gpu-architecture=%s", rq.target);
	snprintf(rq.warps_opt, sizeof rq.warps_opt, "-DWARPS=%d", warps);
	rq.opts[rq.nopts++] = rq.arch_opt;
	rq.opts[rq.nopts++] = "--std=c++17";
	rq.opts[rq.nopts++] = "-lineinfo";
	rq.opts[rq.nopts++] = rq.warps_opt;
	/* After -DWARPS, and hashed with the other options into the key and
	 * the id: a build with defines is never served for one without. */
	for (int i = 0; i < j->n_defines; i++)
		rq.opts[rq.nopts++] = j->define_opts[i];
	if (rq.cubin)
		rq.opts[rq.nopts++] = "--ptxas-options=-v"; /* the resource report, into the log */
	for (int i = 0; i < rq.nopts; i++)
		snprintf(rq.options + strlen(rq.options), sizeof rq.options - strlen(rq.options), "%s%s",
			 i ? " " : "", rq.opts[i]);

	/* Sources are read without the lock: they are not jit state. */
	if (jit_build_sources_load(j->kernels_dir, v->file, &src, err) < 0) {
		/* The id needs only the main file's name. */
		jit_build_sources names = { 1, { (char *)v->file }, { (char *)"" }, { 0 } };
		jit_build_keys(&names, rq.opts, rq.nopts, nv_major, nv_minor, arch, v->entry, rq.key, rq.id);
		pthread_mutex_lock(&j->lock);
		goto failed;
	}
	jit_build_keys(&src, rq.opts, rq.nopts, nv_major, nv_minor, arch, v->entry, rq.key, rq.id);

	pthread_mutex_lock(&j->lock);
	m = lookup_cached(j, &rq, out);
	if (m != NULL) {
		out->module = m;
		rc = 0;
		goto unlock;
	}
	pthread_mutex_unlock(&j->lock);

#ifdef HAVE_NVRTC
	{
		/* The compile runs unlocked so that other threads' lookups (a UI
		 * asking for a cached module) do not wait behind it. */
		jit_entry e;
		char *fail_log = NULL;
		errmsg werr;
		const int built = jit_build_nvrtc(&src, rq.opts, rq.nopts, rq.cubin, &e, &fail_log, err);

		pthread_mutex_lock(&j->lock);
		if (built < 0) {
			if (fail_log != NULL)
				out->error_log = keep_log(j, fail_log);
			errmsg_prefix(err, "%s (warps %d, %s)", v->file, warps, arch);
			goto failed;
		}
		m = find_module(j, rq.key);
		if (m != NULL) { /* another thread built the same key meanwhile */
			jit_entry_clear(&e);
			out->origin = JIT_MEMORY;
			j->stats.memory_hits++;
		} else {
			snprintf(e.target, sizeof e.target, "%s", rq.target);
			if (j->cache_dir != NULL && jit_cache_write(j->cache_dir, rq.key, &e, &werr) < 0)
				note_append(out, "not cached on disk: %s", werr.text);
			m = module_from_entry(j, &e, v, warps, arch, rq.options, rq.key);
			j->stats.compiles++;
			out->origin = JIT_COMPILED;
		}
		out->module = m;
		record_good(j, rq.id, m, out);
		rc = 0;
		goto unlock;
	}
#else
	pthread_mutex_lock(&j->lock);
#endif

failed:
	j->stats.failures++;
	m = find_stale(j, rq.id, v, warps, arch, rq.options);
	if (m != NULL) {
		out->module = m;
		out->origin = JIT_STALE;
		j->stats.stale_served++;
		note_append(out, "serving the last good build (%.12s...)", m->key);
	}
unlock:
	pthread_mutex_unlock(&j->lock);
done:
	jit_build_sources_free(&src);
	out->elapsed_ms = now_ms() - t0;
	return rc;
}
