/* ceiling: measured read-bandwidth ceiling, cached per device and driver
 * (see ceiling.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ceiling.h"
#include "variant.h"
#include "xalloc.h"

#define CEILING_FORMAT 1
#define CEILING_WARPS 8        /* 256 threads */
#define CEILING_BLOCKS_PER_SM 8
#define CEILING_WARMUP 2
#define CEILING_REPS 10
#define CEILING_ENTRY "ggscope_read_ceiling"
/* Every word holds FILL, so each thread's XOR of an even number of words is
 * 0 and never equals MAGIC: the kernel's guarded store never happens. */
#define CEILING_FILL 0x3c3c3c3cu
#define CEILING_MAGIC 0xdeadbeefu

/* The ceiling kernel is not a GEMV variant, but the JIT builds anything it
 * is described to: a source file, an entry point and the legal WARPS. */
static const variant ceiling_kernel = {
	.name = "read_ceiling",
	.entry = CEILING_ENTRY,
	.file = "ceiling.cu",
	.kind = VARIANT_GEMV,
	.input = VARIANT_X_F32,
	.grid = VARIANT_GRID_STRIDE,
	.n_warps = 1,
	.warps = { CEILING_WARPS },
	.default_warps = CEILING_WARPS,
	.warps_means = "warps per block",
	.description = "read-only 16-byte sweep: the device's practical read bandwidth",
};

const char *
ceiling_driver_of(const gpu_info *info, char *buf, size_t len)
{
	if (info->driver_release[0] != '\0')
		snprintf(buf, len, "%s", info->driver_release);
	else
		snprintf(buf, len, "cuda %d.%d", info->driver_version / 1000, info->driver_version % 1000 / 10);
	return buf;
}

/* Keep [A-Za-z0-9._-]; everything else (spaces, slashes) becomes '_'. */
static void
sanitize(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < len; i++) {
		char ch = in[i];

		out[i] = ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			ch == '.' || ch == '-' || ch == '_') ? ch : '_';
	}
	out[i] = '\0';
}

int
ceiling_cache_path(const char *cache_home, const char *device, const char *driver,
	char *buf, size_t len, errmsg *err)
{
	char dev[128], drv[64], base[CEILING_PATH_MAX];
	const char *xdg = cache_home != NULL ? cache_home : getenv("XDG_CACHE_HOME");
	int n;

	if (xdg != NULL && xdg[0] != '\0') {
		n = snprintf(base, sizeof base, "%s/ggscope", xdg);
	} else {
		const char *home = getenv("HOME");

		if (home == NULL || home[0] == '\0') {
			errmsg_set(err, "ceiling cache: neither XDG_CACHE_HOME nor HOME is set");
			return -1;
		}
		n = snprintf(base, sizeof base, "%s/.cache/ggscope", home);
	}
	if (n < 0 || (size_t)n >= sizeof base)
		goto too_long;
	sanitize(device, dev, sizeof dev);
	sanitize(driver, drv, sizeof drv);
	n = snprintf(buf, len, "%s/ceiling-%s-%s.json", base, dev, drv);
	if (n < 0 || (size_t)n >= len)
		goto too_long;
	return 0;
too_long:
	errmsg_set(err, "ceiling cache: path too long");
	return -1;
}

/* mkdir -p for the directory part of path. */
static int
make_parent_dirs(const char *path, errmsg *err)
{
	char *dir = xstrdup(path), *p;
	int rc = 0;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			errmsg_errno(err, errno, "ceiling cache: mkdir %s", dir);
			rc = -1;
			break;
		}
		*p = '/';
	}
	free(dir);
	return rc;
}

struct json_object *
ceiling_to_json(const ceiling *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "format", json_object_new_int(CEILING_FORMAT));
	json_object_object_add(o, "device", json_object_new_string(c->device));
	json_object_object_add(o, "driver", json_object_new_string(c->driver));
	json_object_object_add(o, "best_gbs", json_object_new_double(c->best_gbs));
	json_object_object_add(o, "median_gbs", json_object_new_double(c->median_gbs));
	json_object_object_add(o, "best_ns", json_object_new_double(c->best_ns));
	json_object_object_add(o, "median_ns", json_object_new_double(c->median_ns));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)c->bytes));
	json_object_object_add(o, "reps", json_object_new_int(c->reps));
	json_object_object_add(o, "timer", json_object_new_string(c->timer));
	json_object_object_add(o, "measured_at", json_object_new_string(c->measured_at));
	json_object_object_add(o, "from_cache", json_object_new_boolean(c->from_cache));
	return o;
}

int
ceiling_save(const char *path, const ceiling *c, errmsg *err)
{
	struct json_object *o;
	char tmp[CEILING_PATH_MAX + 32];
	const char *text;
	FILE *f;
	int rc = -1;

	if (make_parent_dirs(path, err) < 0)
		return -1;
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	o = ceiling_to_json(c);
	json_object_object_del(o, "from_cache");
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	f = fopen(tmp, "w");
	if (f == NULL) {
		errmsg_errno(err, errno, "ceiling cache: create %s", tmp);
		goto out;
	}
	if (fprintf(f, "%s\n", text) < 0 || fclose(f) != 0) {
		errmsg_errno(err, errno, "ceiling cache: write %s", tmp);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		errmsg_errno(err, errno, "ceiling cache: rename %s to %s", tmp, path);
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

static int
get_string(struct json_object *o, const char *key, char *out, size_t len, const char *path, errmsg *err)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string)) {
		errmsg_set(err, "%s: field \"%s\" missing or not a string", path, key);
		return -1;
	}
	snprintf(out, len, "%s", json_object_get_string(v));
	return 0;
}

/* A number > 0 and finite (an integer where `integer`). */
static int
get_positive(struct json_object *o, const char *key, bool integer, double *out, const char *path, errmsg *err)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
		!(json_object_is_type(v, json_type_int) || (!integer && json_object_is_type(v, json_type_double)))) {
		errmsg_set(err, "%s: field \"%s\" missing or not %s", path, key, integer ? "an integer" : "a number");
		return -1;
	}
	*out = json_object_get_double(v);
	if (!isfinite(*out) || *out <= 0) {
		errmsg_set(err, "%s: field \"%s\" is %g, must be positive", path, key, *out);
		return -1;
	}
	return 0;
}

int
ceiling_load(const char *path, const char *device, const char *driver, ceiling *out, errmsg *err)
{
	struct json_tokener *tok = NULL;
	struct json_object *o = NULL;
	enum json_tokener_error jerr;
	char *text = NULL;
	double format, bytes, reps;
	long size;
	FILE *f;
	int rc = -1;

	memset(out, 0, sizeof *out);
	f = fopen(path, "rb");
	if (f == NULL) {
		errmsg_errno(err, errno, "%s", path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		errmsg_errno(err, errno, "%s", path);
		fclose(f);
		return -1;
	}
	if (size > 65536) {
		errmsg_set(err, "%s: %ld bytes, too large for a ceiling cache file", path, size);
		fclose(f);
		return -1;
	}
	text = xmalloc((size_t)size + 1);
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		errmsg_set(err, "%s: short read", path);
		fclose(f);
		goto out;
	}
	fclose(f);
	text[size] = '\0';
	tok = json_tokener_new();
	o = json_tokener_parse_ex(tok, text, (int)size + 1);
	jerr = json_tokener_get_error(tok);
	if (o == NULL || jerr != json_tokener_success) {
		errmsg_set(err, "%s: not JSON (%s at byte %zu)", path,
			json_tokener_error_desc(jerr != json_tokener_success ? jerr : json_tokener_error_parse_eof),
			json_tokener_get_parse_end(tok));
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		errmsg_set(err, "%s: not a JSON object", path);
		goto out;
	}
	if (get_positive(o, "format", true, &format, path, err) < 0)
		goto out;
	if (format != CEILING_FORMAT) {
		errmsg_set(err, "%s: format %g, this ggscope reads %d", path, format, CEILING_FORMAT);
		goto out;
	}
	if (get_string(o, "device", out->device, sizeof out->device, path, err) < 0 ||
		get_string(o, "driver", out->driver, sizeof out->driver, path, err) < 0 ||
		get_string(o, "timer", out->timer, sizeof out->timer, path, err) < 0 ||
		get_string(o, "measured_at", out->measured_at, sizeof out->measured_at, path, err) < 0 ||
		get_positive(o, "best_gbs", false, &out->best_gbs, path, err) < 0 ||
		get_positive(o, "median_gbs", false, &out->median_gbs, path, err) < 0 ||
		get_positive(o, "best_ns", false, &out->best_ns, path, err) < 0 ||
		get_positive(o, "median_ns", false, &out->median_ns, path, err) < 0 ||
		get_positive(o, "bytes", true, &bytes, path, err) < 0 ||
		get_positive(o, "reps", true, &reps, path, err) < 0)
		goto out;
	if (strcmp(out->device, device) != 0 || strcmp(out->driver, driver) != 0) {
		errmsg_set(err, "%s: measured on %s with driver %s, this is %s with driver %s", path,
			out->device, out->driver, device, driver);
		goto out;
	}
	if (bytes < (double)(1u << 30) || out->median_gbs > out->best_gbs * 1.000001) {
		errmsg_set(err, "%s: inconsistent figures (bytes %.0f, best %.1f GB/s, median %.1f GB/s)", path,
			bytes, out->best_gbs, out->median_gbs);
		goto out;
	}
	out->bytes = (uint64_t)bytes;
	out->reps = (int)reps;
	out->valid = true;
	out->from_cache = true;
	snprintf(out->cache_path, sizeof out->cache_path, "%s", path);
	rc = 0;
out:
	if (rc != 0)
		out->valid = false;
	json_object_put(o);
	if (tok != NULL)
		json_tokener_free(tok);
	free(text);
	return rc;
}

/* Time one launch with events (no CUPTI): microseconds of overhead on a
 * ~0.7 ms kernel. */
static int
launch_timed_events(gpu *g, gpu_func fn, const gpu_launch_cfg *cfg, const gpu_arg *args, double *ns, errmsg *err)
{
	float ms;
	int rc;

	if ((rc = gpu_event_record(g, 0, err)) != 0 || (rc = gpu_launch(g, fn, cfg, args, 4, err)) != 0 ||
		(rc = gpu_event_record(g, 1, err)) != 0 || (rc = gpu_event_elapsed_ms(g, 0, 1, &ms, err)) != 0)
		return rc;
	*ns = (double)ms * 1e6;
	return 0;
}

int
ceiling_measure(gpu *g, jit *j, cupti_gpu *cu, ceiling *out, errmsg *err)
{
	const gpu_info *info = gpu_device_info(g);
	bool use_cupti = cu != NULL && cupti_gpu_status_of(cu)->tier != CUPTI_TIER_NONE;
	gpu_buf src = { 0, 0 }, sink = { 0, 0 };
	gpu_module mod = { 0, 0 };
	gpu_func fn;
	gpu_launch_cfg cfg;
	gpu_arg args[4];
	jit_result jr;
	double ns[CEILING_REPS], med, mn, mx, mean;
	char arch[16];
	struct tm tm;
	time_t now;
	int rc, i;

	memset(out, 0, sizeof *out);
	if (!gpu_available(g) || !info->valid) {
		errmsg_set(err, "ceiling: measurement unavailable: %s", gpu_unavailable_reason(g));
		return GPU_EFAIL;
	}
	snprintf(arch, sizeof arch, "sm_%d%d", info->cc_major, info->cc_minor);
	if (jit_get(j, &ceiling_kernel, CEILING_WARPS, arch, &jr, err) != 0 || jr.module == NULL) {
		errmsg_prefix(err, "ceiling kernel");
		return GPU_EFAIL;
	}
	out->bytes = info->mem_bytes >= (16ull << 30) ? (2ull << 30) : (1ull << 30);
	if ((rc = gpu_buf_alloc(g, out->bytes, &src, err)) != 0) {
		errmsg_prefix(err, "ceiling: %llu MiB read buffer", (unsigned long long)(out->bytes >> 20));
		return rc;
	}
	if ((rc = gpu_buf_alloc(g, 16, &sink, err)) != 0 || (rc = gpu_buf_fill_u32(g, src, CEILING_FILL, err)) != 0 ||
		(rc = gpu_module_load(g, jr.module->image, jr.module->image_bytes, &mod, err)) != 0 ||
		(rc = gpu_func_get(g, mod, CEILING_ENTRY, &fn, err)) != 0)
		goto out;
	memset(&cfg, 0, sizeof cfg);
	cfg.grid[0] = (uint32_t)(CEILING_BLOCKS_PER_SM * info->sm_count);
	cfg.grid[1] = cfg.grid[2] = 1;
	cfg.block[0] = CEILING_WARPS * 32;
	cfg.block[1] = cfg.block[2] = 1;
	args[0] = gpu_arg_buf(src);
	args[1] = gpu_arg_i64((int64_t)(out->bytes / 16));
	args[2] = gpu_arg_u32(CEILING_MAGIC);
	args[3] = gpu_arg_buf(sink);

	for (i = 0; i < CEILING_WARMUP; i++)
		if ((rc = gpu_launch(g, fn, &cfg, args, 4, err)) != 0)
			goto out;
	if ((rc = gpu_sync(g, err)) != 0)
		goto out;
	if (use_cupti) {
		cupti_timing t;

		if ((rc = cupti_gpu_timing_begin(cu, err)) != 0)
			goto out;
		for (i = 0; i < CEILING_REPS; i++)
			if ((rc = gpu_launch(g, fn, &cfg, args, 4, err)) != 0)
				goto out;
		if ((rc = gpu_sync(g, err)) != 0)
			goto out;
		if ((rc = cupti_gpu_timing_end(cu, CEILING_REPS, &t, err)) != 0)
			goto out;
		/* By count and geometry, not name: see cupti.h on reused names. */
		if (t.n_records != CEILING_REPS) {
			errmsg_set(err, "ceiling: CUPTI returned %zu kernel records for %d launches", t.n_records, CEILING_REPS);
			rc = GPU_EFAIL;
			goto out;
		}
		for (i = 0; i < CEILING_REPS; i++) {
			if ((uint32_t)t.records[i].grid[0] != cfg.grid[0] || (uint32_t)t.records[i].block[0] != cfg.block[0]) {
				errmsg_set(err, "ceiling: a CUPTI record has %dx%d threads, the launches %ux%u",
					t.records[i].block[0], t.records[i].grid[0], cfg.block[0], cfg.grid[0]);
				rc = GPU_EFAIL;
				goto out;
			}
			ns[i] = t.records[i].median_ns;
		}
		cupti_summarize(ns, CEILING_REPS, &med, &mn, &mx, &mean);
		snprintf(out->timer, sizeof out->timer, "cupti activity");
	} else {
		for (i = 0; i < CEILING_REPS; i++)
			if ((rc = launch_timed_events(g, fn, &cfg, args, &ns[i], err)) != 0)
				goto out;
		cupti_summarize(ns, CEILING_REPS, &med, &mn, &mx, &mean);
		snprintf(out->timer, sizeof out->timer, "cuda events");
	}
	if (!(mn > 0) || !(med > 0)) {
		errmsg_set(err, "ceiling: kernel time %g ns is not positive", mn);
		rc = GPU_EFAIL;
		goto out;
	}
	out->reps = CEILING_REPS;
	out->best_ns = mn;
	out->median_ns = med;
	out->best_gbs = (double)out->bytes / mn;
	out->median_gbs = (double)out->bytes / med;
	snprintf(out->device, sizeof out->device, "%s", info->name);
	ceiling_driver_of(info, out->driver, sizeof out->driver);
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(out->measured_at, sizeof out->measured_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	out->valid = true;
	rc = 0;
out:
	gpu_module_unload(g, mod, NULL);
	gpu_buf_free(g, sink, NULL);
	gpu_buf_free(g, src, NULL);
	return rc;
}

int
ceiling_get(gpu *g, jit *j, cupti_gpu *cu, const char *cache_home, bool refresh, ceiling *out, errmsg *err)
{
	const gpu_info *info = gpu_device_info(g);
	char path[CEILING_PATH_MAX], driver[64];
	errmsg why;
	bool have_path;
	int rc;

	memset(out, 0, sizeof *out);
	if (!gpu_available(g) || !info->valid) {
		errmsg_set(err, "ceiling: measurement unavailable: %s", gpu_unavailable_reason(g));
		return GPU_EFAIL;
	}
	ceiling_driver_of(info, driver, sizeof driver);
	have_path = ceiling_cache_path(cache_home, info->name, driver, path, sizeof path, &why) == 0;
	if (have_path && !refresh) {
		if (ceiling_load(path, info->name, driver, out, &why) == 0)
			return 0;
		/* A missing file is the normal first run, not worth a note. */
		if (access(path, F_OK) == 0)
			snprintf(out->note, sizeof out->note, "cache ignored: %s", why.text);
	}
	{
		char note[ERRMSG_MAX];

		snprintf(note, sizeof note, "%s", out->note);
		if ((rc = ceiling_measure(g, j, cu, out, err)) != 0)
			return rc;
		snprintf(out->note, sizeof out->note, "%s", note);
	}
	if (!have_path) {
		snprintf(out->note, sizeof out->note, "not cached: %s", why.text);
		return 0;
	}
	snprintf(out->cache_path, sizeof out->cache_path, "%s", path);
	if (ceiling_save(path, out, &why) != 0) {
		snprintf(out->note, sizeof out->note, "not cached: %s", why.text);
		out->cache_path[0] = '\0';
	}
	return 0;
}
