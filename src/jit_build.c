/* jit_build: the inputs of a build (sources, keys, defines) and the NVRTC
 * compile (see jit_build.h). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_NVRTC
#include <nvrtc.h>
#endif

#include "jit.h"
#include "jit_build.h"
#include "xalloc.h"

#define JIT_MAX_SOURCE_BYTES (4u << 20)

#ifdef HAVE_NVRTC
static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
#endif

/* ------------------------------------------------------------ NVRTC */

bool
jit_available(void)
{
#ifdef HAVE_NVRTC
	return true;
#else
	return false;
#endif
}

#ifndef HAVE_NVRTC
static const char no_nvrtc[] =
	"NVRTC not available: ggscope was built without the CUDA toolkit (see ./configure --with-cuda)";
#endif

int
jit_nvrtc_version(int *major, int *minor, errmsg *err)
{
#ifdef HAVE_NVRTC
	nvrtcResult r = nvrtcVersion(major, minor);
	if (r != NVRTC_SUCCESS) {
		errmsg_set(err, "nvrtcVersion: %s", nvrtcGetErrorString(r));
		return -1;
	}
	return 0;
#else
	(void)major;
	(void)minor;
	errmsg_set(err, "%s", no_nvrtc);
	return -1;
#endif
}

int
jit_supported_archs(int *archs, int max, errmsg *err)
{
#ifdef HAVE_NVRTC
	int n = 0, *all;
	nvrtcResult r = nvrtcGetNumSupportedArchs(&n);

	if (r != NVRTC_SUCCESS || n <= 0) {
		errmsg_set(err, "nvrtcGetNumSupportedArchs: %s", nvrtcGetErrorString(r));
		return -1;
	}
	all = xcalloc((size_t)n, sizeof *all);
	r = nvrtcGetSupportedArchs(all);
	if (r != NVRTC_SUCCESS) {
		free(all);
		errmsg_set(err, "nvrtcGetSupportedArchs: %s", nvrtcGetErrorString(r));
		return -1;
	}
	memcpy(archs, all, (size_t)(n < max ? n : max) * sizeof *archs);
	free(all);
	return n;
#else
	(void)archs;
	(void)max;
	errmsg_set(err, "%s", no_nvrtc);
	return -1;
#endif
}

#ifdef HAVE_NVRTC
int
jit_build_nvrtc(const jit_build_sources *s, const char *const *opts, int nopts, bool want_cubin, jit_entry *e,
	    char **fail_log, errmsg *err)
{
	nvrtcProgram prog;
	nvrtcResult r;
	size_t log_size = 0, size = 0;
	double t0;
	int rc = -1;

	memset(e, 0, sizeof *e);
	*fail_log = NULL;
	r = nvrtcCreateProgram(&prog, s->texts[0], s->names[0], s->n - 1, (const char *const *)s->texts + 1,
			       (const char *const *)s->names + 1);
	if (r != NVRTC_SUCCESS) {
		errmsg_set(err, "nvrtcCreateProgram: %s", nvrtcGetErrorString(r));
		return -1;
	}
	t0 = now_ms();
	r = nvrtcCompileProgram(prog, nopts, opts);
	e->compile_ms = now_ms() - t0;

	char *log = NULL;
	if (nvrtcGetProgramLogSize(prog, &log_size) == NVRTC_SUCCESS && log_size > 0) {
		log = xmalloc(log_size + 1);
		if (nvrtcGetProgramLog(prog, log) != NVRTC_SUCCESS)
			log[0] = '\0';
		log[log_size] = '\0';
	} else {
		log = xstrdup("");
	}
	if (r != NVRTC_SUCCESS) {
		char line[512];
		if (log[0] != '\0')
			errmsg_set(err, "%s", jit_first_error_line(log, line, sizeof line));
		else
			errmsg_set(err, "nvrtcCompileProgram: %s", nvrtcGetErrorString(r));
		*fail_log = log;
		goto out;
	}
	e->log = log;
	e->log_bytes = strlen(log);
	if (want_cubin) {
		r = nvrtcGetCUBINSize(prog, &size);
		if (r == NVRTC_SUCCESS && size > 0) {
			e->image = xmalloc(size);
			r = nvrtcGetCUBIN(prog, (char *)e->image);
		}
	} else {
		r = nvrtcGetPTXSize(prog, &size);
		if (r == NVRTC_SUCCESS && size > 0) {
			e->image = xmalloc(size);
			r = nvrtcGetPTX(prog, (char *)e->image);
		}
	}
	if (r != NVRTC_SUCCESS || size == 0) {
		errmsg_set(err, "%s: %s", want_cubin ? "nvrtcGetCUBIN" : "nvrtcGetPTX",
			   r != NVRTC_SUCCESS ? nvrtcGetErrorString(r) : "empty image");
		jit_entry_clear(e);
		goto out;
	}
	e->image_bytes = size;
	e->is_ptx = !want_cubin;
	rc = 0;
out:
	nvrtcDestroyProgram(&prog);
	return rc;
}
#else
int
jit_build_nvrtc(const jit_build_sources *s, const char *const *opts, int nopts, bool want_cubin, jit_entry *e,
		char **fail_log, errmsg *err)
{
	(void)s;
	(void)opts;
	(void)nopts;
	(void)want_cubin;
	memset(e, 0, sizeof *e);
	*fail_log = NULL;
	errmsg_set(err, "%s", no_nvrtc);
	return -1;
}
#endif

/* ------------------------------------------------------------ sources and keys */

static const char *
line_end(const char *p)
{
	const char *e = strchr(p, '\n');
	return e ? e : p + strlen(p);
}

void
jit_build_sources_free(jit_build_sources *s)
{
	for (int i = 0; i < s->n; i++) {
		free(s->names[i]);
		free(s->texts[i]);
	}
	s->n = 0;
}

static bool
sources_have(const jit_build_sources *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return true;
	return false;
}

/* Add dir/name as source number s->n. */
static int
sources_add(jit_build_sources *s, const char *dir, const char *name, errmsg *err)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc;

	if (s->n == JIT_MAX_SOURCES) {
		errmsg_set(err, "%s: more than %d files included", path, JIT_MAX_SOURCES);
		free(path);
		return -1;
	}
	rc = jit_read_file(path, JIT_MAX_SOURCE_BYTES, &s->texts[s->n], &s->lens[s->n], err);
	free(path);
	if (rc < 0)
		return -1;
	s->names[s->n++] = xstrdup(name);
	return 0;
}

int
jit_build_sources_load(const char *dir, const char *file, jit_build_sources *s, errmsg *err)
{
	s->n = 0;
	if (sources_add(s, dir, file, err) < 0)
		return -1;
	for (int i = 0; i < s->n; i++) {
		const char *p = s->texts[i];
		int line = 1;
		for (; *p != '\0'; line++) {
			const char *e = line_end(p), *q = p;
			while (q < e && (*q == ' ' || *q == '\t'))
				q++;
			if (q < e && *q == '#') {
				q++;
				while (q < e && (*q == ' ' || *q == '\t'))
					q++;
				if ((size_t)(e - q) > 8 && strncmp(q, "include", 7) == 0) {
					q += 7;
					while (q < e && (*q == ' ' || *q == '\t'))
						q++;
					const char *close = q < e && *q == '"' ? memchr(q + 1, '"', (size_t)(e - q - 1)) : NULL;
					if (close != NULL) {
						char name[128];
						size_t n = (size_t)(close - q - 1);
						if (n == 0 || n >= sizeof name || memchr(q + 1, '/', n) != NULL || q[1] == '.') {
							errmsg_set(err, "%s/%s:%d: #include \"%.*s\": only plain file names "
								   "in the kernel directory are allowed", dir, s->names[i],
								   line, (int)(n < 200 ? n : 200), q + 1);
							jit_build_sources_free(s);
							return -1;
						}
						memcpy(name, q + 1, n);
						name[n] = '\0';
						if (!sources_have(s, name) && sources_add(s, dir, name, err) < 0) {
							errmsg_prefix(err, "%s/%s:%d", dir, s->names[i], line);
							jit_build_sources_free(s);
							return -1;
						}
					}
				}
			}
			p = *e == '\n' ? e + 1 : e;
		}
	}
	return 0;
}

/* Length-prefixed, so that no two different field lists hash alike. */
static void
hash_field(jit_sha256 *h, const void *data, size_t len)
{
	unsigned char l[8];

	for (int i = 0; i < 8; i++)
		l[i] = (unsigned char)((uint64_t)len >> (8 * i));
	jit_sha256_update(h, l, 8);
	jit_sha256_update(h, data, len);
}

void
jit_build_keys(const jit_build_sources *s, const char *const *opts, int nopts, int nv_major, int nv_minor,
	       const char *arch, const char *entry, char key[65], char id[65])
{
	jit_sha256 hk, hi;
	unsigned char d[32];
	char head[64];
	int i;

	snprintf(head, sizeof head, "ggscope-jit/1 nvrtc %d.%d", nv_major, nv_minor);
	jit_sha256_init(&hk);
	hash_field(&hk, head, strlen(head));
	hash_field(&hk, arch, strlen(arch));
	hash_field(&hk, entry, strlen(entry));
	for (i = 0; i < nopts; i++)
		hash_field(&hk, opts[i], strlen(opts[i]));
	hash_field(&hk, s->names[0], strlen(s->names[0]));
	hi = hk; /* the id stops here */
	jit_sha256_final(&hi, d);
	jit_sha256_hex(d, id);
	for (i = 1; i < s->n; i++)
		hash_field(&hk, s->names[i], strlen(s->names[i]));
	for (i = 0; i < s->n; i++)
		hash_field(&hk, s->texts[i], s->lens[i]);
	jit_sha256_final(&hk, d);
	jit_sha256_hex(d, key);
}

/* ------------------------------------------------------------ defines */

static bool
is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool
is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/* Value characters: enough for numbers (1, -2, 0.5f, 1e-3) and macro
 * names, never a space or a quote, which would split the option or start
 * a string in it. */
static bool
is_value_char(char c)
{
	return is_name_char(c) || c == '-' || c == '+' || c == '.';
}

/* The length of def's NAME (up to '=' or the end). */
static size_t
define_name_len(const char *def)
{
	const char *eq = strchr(def, '=');

	return eq ? (size_t)(eq - def) : strlen(def);
}

int
jit_check_define(const char *def, errmsg *err)
{
	size_t n, i;

	if (def == NULL || *def == '\0' || *def == '=') {
		errmsg_set(err, "define '%s': want NAME or NAME=VALUE", def ? def : "");
		return -1;
	}
	if (strlen(def) >= JIT_MAX_DEFINE_BYTES) {
		errmsg_set(err, "define '%.40s...': longer than %d characters", def, JIT_MAX_DEFINE_BYTES - 1);
		return -1;
	}
	n = define_name_len(def);
	for (i = 0; i < n; i++)
		if (!(i == 0 ? is_name_start(def[i]) : is_name_char(def[i]))) {
			errmsg_set(err, "define '%s': the name must match [A-Za-z_][A-Za-z0-9_]*", def);
			return -1;
		}
	if (n == 5 && strncmp(def, "WARPS", 5) == 0) {
		errmsg_set(err, "define '%s': WARPS is set by each build's warp count: use --warps", def);
		return -1;
	}
	if (n >= 2 && def[0] == '_' && def[1] == '_') {
		errmsg_set(err, "define '%s': names that start with __ belong to the compiler", def);
		return -1;
	}
	for (i = n + (def[n] == '='); def[i] != '\0'; i++)
		if (!is_value_char(def[i])) {
			errmsg_set(err, "define '%s': the value must match [-+A-Za-z0-9_.]* (no spaces or quotes)",
				   def);
			return -1;
		}
	return 0;
}

int
jit_check_defines(const char *const *defs, int n, errmsg *err)
{
	if (n < 0 || n > JIT_MAX_DEFINES) {
		errmsg_set(err, "%d defines: at most %d", n, JIT_MAX_DEFINES);
		return -1;
	}
	if (n > 0 && defs == NULL) {
		errmsg_set(err, "%d defines, but no list of them", n);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const size_t len = define_name_len(defs[i] ? defs[i] : "");

		if (jit_check_define(defs[i], err) < 0)
			return -1;
		for (int k = 0; k < i; k++)
			if (define_name_len(defs[k]) == len && strncmp(defs[k], defs[i], len) == 0) {
				errmsg_set(err, "define '%s': %.*s is already defined ('%s')", defs[i], (int)len,
					   defs[i], defs[k]);
				return -1;
			}
	}
	return 0;
}
