/* gpu_open: choosing where the driver runs (a worker process, or this
 * one), the state getters, and the pure helpers. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpu.h"
#include "gpu_backend.h"
#include "gpu_priv.h"

/* An unversioned libcuda.so may be the toolkit's stub: refuse it by name. */
static bool
refused_lib(const char *lib_path, errmsg *err)
{
	const char *base = strrchr(lib_path, '/');
	size_t n;

	base = base ? base + 1 : lib_path;
	n = strlen(base);
	if (n >= 3 && strcmp(base + n - 3, ".so") == 0) {
		errmsg_set(err, "refusing to load %s: an unversioned libcuda.so may be the "
			"toolkit's stub; name the driver's versioned soname (libcuda.so.1)", lib_path);
		return true;
	}
	return false;
}

gpu *
gpu_open_lib(const char *lib_path, int ordinal)
{
	const gpu_backend_ops *ops;
	void *impl;
	gpu_info info;
	char loaded[1024];
	errmsg err;
	gpu *g;

	if (refused_lib(lib_path, &err))
		return gpu_open_null(err.text);
	memset(&info, 0, sizeof info);
	if (gpu_cuda_open(lib_path, ordinal, &ops, &impl, &info, loaded, sizeof loaded, &err) != 0)
		g = gpu_open_null(err.text);
	else
		g = gpu_open_backend(ops, impl, &info, loaded);
	snprintf(g->note, sizeof g->note, "in-process");
	return g;
}

gpu *
gpu_open_isolated(const char *worker, const char *lib_path, int ordinal, errmsg *err)
{
	const gpu_backend_ops *ops;
	void *impl;
	gpu_info info;
	char loaded[1024];
	bool started = false;
	gpu *g;

	if (refused_lib(lib_path, err))
		return gpu_open_null(err->text);
	memset(&info, 0, sizeof info);
	if (gpu_proc_open(worker, lib_path, ordinal, &ops, &impl, &info, loaded, sizeof loaded,
	    &started, err) != 0) {
		if (!started)
			return NULL;
		g = gpu_open_null(err->text);
	} else {
		g = gpu_open_backend(ops, impl, &info, loaded);
		g->isolated = true;
	}
	snprintf(g->note, sizeof g->note, "worker process %s", worker);
	return g;
}

/* The worker program: $GGSCOPE_GPU_WORKER, else beside the running
 * executable (the build tree), else ../libexec/ggscope/ from it (an
 * install). */
static bool
find_worker(char *buf, size_t len)
{
	const char *env = getenv("GGSCOPE_GPU_WORKER");
	char exe[1024], *slash;
	ssize_t n;

	if (env != NULL && *env != '\0') {
		snprintf(buf, len, "%s", env);
		return true;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return false;
	*slash = '\0';
	snprintf(buf, len, "%s/ggscope-gpu-worker", exe);
	if (access(buf, X_OK) == 0)
		return true;
	snprintf(buf, len, "%s/../libexec/ggscope/ggscope-gpu-worker", exe);
	return access(buf, X_OK) == 0;
}

gpu *
gpu_open(void)
{
	const char *lib = getenv("GGSCOPE_LIBCUDA"), *inproc = getenv("GGSCOPE_GPU_INPROC");
	char worker[1024];
	errmsg err;
	gpu *g;

	if (lib == NULL || *lib == '\0')
		lib = "libcuda.so.1";
	if (inproc != NULL && strcmp(inproc, "1") == 0) {
		g = gpu_open_lib(lib, 0);
		snprintf(g->note, sizeof g->note, "in-process (GGSCOPE_GPU_INPROC=1)");
		return g;
	}
	if (!find_worker(worker, sizeof worker))
		errmsg_set(&err, "no ggscope-gpu-worker beside the program or in ../libexec/ggscope");
	else if ((g = gpu_open_isolated(worker, lib, 0, &err)) != NULL)
		return g;
	g = gpu_open_lib(lib, 0);
	snprintf(g->note, sizeof g->note, "in-process (%.1900s): a sticky error ends measurement",
		err.text);
	return g;
}

const char *
gpu_note(const gpu *g)
{
	return g->note;
}

long
gpu_worker_pid(const gpu *g)
{
	return g->isolated ? gpu_proc_pid(g->impl) : -1;
}

void
gpu_set_unavailable(gpu *g, const char *reason)
{
	snprintf(g->reason, sizeof g->reason, "%s", reason);
}

bool
gpu_available(const gpu *g)
{
	return g->reason[0] == '\0';
}

const char *
gpu_unavailable_reason(const gpu *g)
{
	return g->reason;
}

const char *
gpu_backend_name(const gpu *g)
{
	return g->ops->name;
}

const char *
gpu_lib_path(const gpu *g)
{
	return g->lib_path;
}

const gpu_info *
gpu_device_info(const gpu *g)
{
	return &g->info;
}

uint32_t
gpu_generation(const gpu *g)
{
	return g->gen;
}

unsigned
gpu_reset_count(const gpu *g)
{
	return g->resets;
}

size_t
gpu_poison_first(const void *words, size_t n_words)
{
	const unsigned char *p = words;
	size_t i;
	uint32_t w;

	for (i = 0; i < n_words; i++) {
		memcpy(&w, p + 4 * i, 4);
		if (w == GPU_POISON_U32)
			return i;
	}
	return n_words;
}

size_t
gpu_poison_count(const void *words, size_t n_words)
{
	const unsigned char *p = words;
	size_t i, n = 0;
	uint32_t w;

	for (i = 0; i < n_words; i++) {
		memcpy(&w, p + 4 * i, 4);
		n += w == GPU_POISON_U32;
	}
	return n;
}

/* ---------------------------------------------------------------- helpers */

double
gpu_peak_bandwidth_gbs(int mem_clock_khz, int bus_bits)
{
	if (mem_clock_khz <= 0 || bus_bits <= 0)
		return 0;
	return 2.0 * (double)mem_clock_khz * 1e3 * ((double)bus_bits / 8.0) / 1e9;
}

const char *
gpu_describe(const gpu *g, char *buf, size_t len)
{
	const gpu_info *d = &g->info;
	char rel[80] = "";

	if (!gpu_available(g) || !d->valid) {
		snprintf(buf, len, "measurement unavailable: %s",
			g->reason[0] ? g->reason : "no device information");
		return buf;
	}
	if (d->driver_release[0])
		snprintf(rel, sizeof rel, " (%s)", d->driver_release);
	snprintf(buf, len, "%s, sm_%d%d, %d SMs, L2 %.0f MiB, %.1f GiB, %.0f GB/s, driver %d.%d%s",
		d->name, d->cc_major, d->cc_minor, d->sm_count, (double)d->l2_bytes / (1 << 20),
		(double)d->mem_bytes / (1 << 30), d->peak_bw_gbs, d->driver_version / 1000,
		(d->driver_version % 1000) / 10, rel);
	return buf;
}
