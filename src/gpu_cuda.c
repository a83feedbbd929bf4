/* gpu_cuda: the CUDA Driver API backend. libcuda.so.1 is opened with dlopen
 * and each entry point resolved into a pointer (never -lcuda: a machine
 * without a driver must still run everything but measurement). cuda.h from
 * the toolkit supplies only types and enums. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu.h"
#include "gpu_backend.h"
#include "xalloc.h"

#ifndef HAVE_CUDA_H

int
gpu_cuda_open(const char *lib_path, int ordinal, const gpu_backend_ops **ops, void **impl,
	gpu_info *info, char *loaded_path, size_t loaded_len, errmsg *err)
{
	errmsg_set(err, "ggscope was built without cuda.h (configure --with-cuda)");
	return GPU_EFAIL;
}

#else

#include <cuda.h>
#include <dlfcn.h>
#include <link.h>

/* The entry points: pointer field, then the names to try in order (the
 * versioned name cuda.h maps to first, the older one as a fallback), and
 * whether ggscope can do without it. The field's type is that of the
 * function cuda.h declares under the first name. */
#define CU_ENTRIES(X) \
	X(GetErrorName, cuGetErrorName, "cuGetErrorName", NULL, 0) \
	X(GetErrorString, cuGetErrorString, "cuGetErrorString", NULL, 0) \
	X(Init, cuInit, "cuInit", NULL, 0) \
	X(DriverGetVersion, cuDriverGetVersion, "cuDriverGetVersion", NULL, 0) \
	X(DeviceGetCount, cuDeviceGetCount, "cuDeviceGetCount", NULL, 0) \
	X(DeviceGet, cuDeviceGet, "cuDeviceGet", NULL, 0) \
	X(DeviceGetName, cuDeviceGetName, "cuDeviceGetName", NULL, 0) \
	X(DeviceGetAttribute, cuDeviceGetAttribute, "cuDeviceGetAttribute", NULL, 0) \
	X(DeviceTotalMem, cuDeviceTotalMem_v2, "cuDeviceTotalMem_v2", NULL, 0) \
	X(PrimaryCtxRetain, cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain", NULL, 0) \
	X(PrimaryCtxRelease, cuDevicePrimaryCtxRelease_v2, "cuDevicePrimaryCtxRelease_v2", NULL, 0) \
	X(PrimaryCtxReset, cuDevicePrimaryCtxReset_v2, "cuDevicePrimaryCtxReset_v2", NULL, 0) \
	X(CtxSetCurrent, cuCtxSetCurrent, "cuCtxSetCurrent", NULL, 0) \
	X(StreamCreate, cuStreamCreate, "cuStreamCreate", NULL, 0) \
	X(StreamDestroy, cuStreamDestroy_v2, "cuStreamDestroy_v2", NULL, 0) \
	X(StreamSynchronize, cuStreamSynchronize, "cuStreamSynchronize", NULL, 0) \
	X(EventCreate, cuEventCreate, "cuEventCreate", NULL, 0) \
	X(EventDestroy, cuEventDestroy_v2, "cuEventDestroy_v2", NULL, 0) \
	X(EventRecord, cuEventRecord, "cuEventRecord", NULL, 0) \
	X(EventSynchronize, cuEventSynchronize, "cuEventSynchronize", NULL, 0) \
	X(EventElapsedTime, cuEventElapsedTime_v2, "cuEventElapsedTime_v2", "cuEventElapsedTime", 0) \
	X(MemAlloc, cuMemAlloc_v2, "cuMemAlloc_v2", NULL, 0) \
	X(MemFree, cuMemFree_v2, "cuMemFree_v2", NULL, 0) \
	X(MemcpyHtoDAsync, cuMemcpyHtoDAsync_v2, "cuMemcpyHtoDAsync_v2", NULL, 0) \
	X(MemcpyDtoHAsync, cuMemcpyDtoHAsync_v2, "cuMemcpyDtoHAsync_v2", NULL, 0) \
	X(MemsetD32Async, cuMemsetD32Async, "cuMemsetD32Async", NULL, 0) \
	X(ModuleLoadDataEx, cuModuleLoadDataEx, "cuModuleLoadDataEx", NULL, 0) \
	X(ModuleUnload, cuModuleUnload, "cuModuleUnload", NULL, 0) \
	X(ModuleGetFunction, cuModuleGetFunction, "cuModuleGetFunction", NULL, 0) \
	X(FuncGetAttribute, cuFuncGetAttribute, "cuFuncGetAttribute", NULL, 0) \
	X(FuncGetParamInfo, cuFuncGetParamInfo, "cuFuncGetParamInfo", NULL, 1) \
	X(OccupancyMaxActiveBlocks, cuOccupancyMaxActiveBlocksPerMultiprocessor, \
		"cuOccupancyMaxActiveBlocksPerMultiprocessor", NULL, 0) \
	X(LaunchKernel, cuLaunchKernel, "cuLaunchKernel", NULL, 0)

struct cu_api {
#define X(field, decl, n1, n2, opt) __typeof__(decl) *field;
	CU_ENTRIES(X)
#undef X
};

struct cuda {
	void *lib;
	struct cu_api api;
	CUdevice dev;
	int ordinal;
	CUcontext ctx;     /* retained primary context, NULL when not held */
	CUstream stream;
	CUevent events[GPU_EVENTS];
	int n_events;
};

/* Fallback names for when the driver cannot name its own errors (the stub
 * library answers every call, cuGetErrorName included, with STUB_LIBRARY). */
static const char *
known_error_name(CUresult r)
{
	switch (r) {
	case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
	case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
	case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
	case CUDA_ERROR_STUB_LIBRARY: return "CUDA_ERROR_STUB_LIBRARY";
	case CUDA_ERROR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
	case CUDA_ERROR_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
	case CUDA_ERROR_ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
	case CUDA_ERROR_LAUNCH_FAILED: return "CUDA_ERROR_LAUNCH_FAILED";
	case CUDA_ERROR_MISALIGNED_ADDRESS: return "CUDA_ERROR_MISALIGNED_ADDRESS";
	default: return NULL;
	}
}

static void
describe(const struct cuda *c, CUresult r, char *buf, size_t len)
{
	const char *name = NULL, *text = NULL;

	if (c->api.GetErrorName == NULL || c->api.GetErrorName(r, &name) != CUDA_SUCCESS)
		name = NULL;
	if (c->api.GetErrorString == NULL || c->api.GetErrorString(r, &text) != CUDA_SUCCESS)
		text = NULL;
	if (name == NULL)
		name = known_error_name(r);
	if (name != NULL && text != NULL)
		snprintf(buf, len, "%s (%s)", name, text);
	else if (name != NULL)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "CUDA error %d", (int)r);
}

/* The errors after which the context refuses all further work until it is
 * reset (the CUDA programming guide's "sticky" errors). */
static bool
is_sticky(CUresult r)
{
	switch (r) {
	case CUDA_ERROR_ILLEGAL_ADDRESS:
	case CUDA_ERROR_LAUNCH_TIMEOUT:
	case CUDA_ERROR_ASSERT:
	case CUDA_ERROR_HARDWARE_STACK_ERROR:
	case CUDA_ERROR_ILLEGAL_INSTRUCTION:
	case CUDA_ERROR_MISALIGNED_ADDRESS:
	case CUDA_ERROR_INVALID_ADDRESS_SPACE:
	case CUDA_ERROR_INVALID_PC:
	case CUDA_ERROR_LAUNCH_FAILED:
	case CUDA_ERROR_ECC_UNCORRECTABLE:
	case CUDA_ERROR_CONTEXT_IS_DESTROYED:
	case CUDA_ERROR_UNKNOWN:
		return true;
	default:
		return false;
	}
}

/* Fill err with "call: NAME (text)" and classify. */
static int
fail(const struct cuda *c, CUresult r, const char *call, errmsg *err)
{
	char what[512];

	describe(c, r, what, sizeof what);
	errmsg_set(err, "%s: %s", call, what);
	return is_sticky(r) ? GPU_BACKEND_STICKY : GPU_EFAIL;
}

#define CU_TRY(c, call, args, err) do { \
	CUresult r_ = (c)->api.call args; \
	if (r_ != CUDA_SUCCESS) \
		return fail((c), r_, "cu" #call, (err)); \
} while (0)

/* Make the context current on the calling thread (the TUI measures on a
 * worker thread; a gpu may move between threads). */
static int
make_current(struct cuda *c, errmsg *err)
{
	CU_TRY(c, CtxSetCurrent, (c->ctx), err);
	return 0;
}

/* ---------------------------------------------------------------- ops */

static int
cu_mem_alloc(void *impl, size_t bytes, uint64_t *dptr, errmsg *err)
{
	struct cuda *c = impl;
	CUdeviceptr p = 0;
	int rc;

	*dptr = 0;
	if ((rc = make_current(c, err)) != 0)
		return rc;
	CU_TRY(c, MemAlloc, (&p, bytes), err);
	*dptr = (uint64_t)p;
	return 0;
}

static int
cu_mem_free(void *impl, uint64_t dptr, errmsg *err)
{
	struct cuda *c = impl;
	int rc;

	if ((rc = make_current(c, err)) != 0)
		return rc;
	CU_TRY(c, MemFree, ((CUdeviceptr)dptr), err);
	return 0;
}

static int
cu_upload(void *impl, uint64_t dptr, const void *src, size_t bytes, errmsg *err)
{
	struct cuda *c = impl;
	int rc;

	if ((rc = make_current(c, err)) != 0)
		return rc;
	CU_TRY(c, MemcpyHtoDAsync, ((CUdeviceptr)dptr, src, bytes, c->stream), err);
	CU_TRY(c, StreamSynchronize, (c->stream), err);
	return 0;
}

static int
cu_download(void *impl, void *dst, uint64_t dptr, size_t bytes, errmsg *err)
{
	struct cuda *c = impl;
	int rc;

	if ((rc = make_current(c, err)) != 0)
		return rc;
	CU_TRY(c, MemcpyDtoHAsync, (dst, (CUdeviceptr)dptr, bytes, c->stream), err);
	CU_TRY(c, StreamSynchronize, (c->stream), err);
	return 0;
}

static int
cu_fill_u32(void *impl, uint64_t dptr, uint32_t value, size_t count, errmsg *err)
{
	struct cuda *c = impl;
	int rc;

	if ((rc = make_current(c, err)) != 0)
		return rc;
	CU_TRY(c, MemsetD32Async, ((CUdeviceptr)dptr, value, count, c->stream), err);
	return 0;
}

static int
cu_module_load(void *impl, const void *image, size_t size, void **mod, errmsg *err)
{
	struct cuda *c = impl;
	char log[4096] = "";
	CUjit_option opts[2] = { CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES };
	void *vals[2] = { log, (void *)(uintptr_t)sizeof log };
	CUmodule m = NULL;
	CUresult r;
	int rc;

	*mod = NULL;
	if ((rc = make_current(c, err)) != 0)
		return rc;
	r = c->api.ModuleLoadDataEx(&m, image, 2, opts, vals);
	if (r != CUDA_SUCCESS) {
		rc = fail(c, r, "cuModuleLoadDataEx", err);
		log[sizeof log - 1] = '\0';
		if (log[0] != '\0')
			errmsg_set(err, "%.1024s; JIT log: %.900s", err ? err->text : "", log);
		return rc;
	}
	*mod = m;
	return 0;
}

static int
cu_module_unload(void *impl, void *mod, errmsg *err)
{
	struct cuda *c = impl;
	int rc;

	if ((rc = make_current(c, err)) != 0)
		return rc;
	CU_TRY(c, ModuleUnload, ((CUmodule)mod), err);
	return 0;
}

static int
cu_func_get(void *impl, void *mod, const char *name, void **fn, size_t *param_sizes, int max_params,
	int *n_params, errmsg *err)
{
	struct cuda *c = impl;
	CUfunction f = NULL;
	CUresult r;
	int rc, i;

	*fn = NULL;
	*n_params = -1;
	if ((rc = make_current(c, err)) != 0)
		return rc;
	r = c->api.ModuleGetFunction(&f, (CUmodule)mod, name);
	if (r != CUDA_SUCCESS) {
		rc = fail(c, r, "cuModuleGetFunction", err);
		errmsg_prefix(err, "kernel \"%s\"", name);
		return rc;
	}
	*fn = f;
	if (c->api.FuncGetParamInfo == NULL)
		return 0;
	/* Walk the parameters until the driver says there is no such index. */
	for (i = 0; i <= max_params; i++) {
		size_t off, sz;

		r = c->api.FuncGetParamInfo(f, (size_t)i, &off, &sz);
		if (r == CUDA_ERROR_INVALID_VALUE)
			break;
		if (r != CUDA_SUCCESS)
			return 0; /* the driver cannot tell: launches go unchecked */
		if (i == max_params) {
			errmsg_set(err, "kernel \"%s\" takes more than %d parameters", name, max_params);
			return GPU_EFAIL;
		}
		param_sizes[i] = sz;
	}
	*n_params = i;
	return 0;
}

static int
cu_func_attrs(void *impl, void *fn, gpu_func_attrs *out, errmsg *err)
{
	struct cuda *c = impl;
	CUfunction f = fn;
	int rc;

	if ((rc = make_current(c, err)) != 0)
		return rc;
	CU_TRY(c, FuncGetAttribute, (&out->num_regs, CU_FUNC_ATTRIBUTE_NUM_REGS, f), err);
	CU_TRY(c, FuncGetAttribute, (&out->local_bytes, CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, f), err);
	CU_TRY(c, FuncGetAttribute, (&out->shared_bytes, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, f), err);
	CU_TRY(c, FuncGetAttribute, (&out->max_threads_per_block,
		CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, f), err);
	CU_TRY(c, FuncGetAttribute, (&out->binary_version, CU_FUNC_ATTRIBUTE_BINARY_VERSION, f), err);
	return 0;
}

static int
cu_occupancy(void *impl, void *fn, int block_threads, size_t dyn_smem, int *blocks, errmsg *err)
{
	struct cuda *c = impl;
	int rc;

	if ((rc = make_current(c, err)) != 0)
		return rc;
	CU_TRY(c, OccupancyMaxActiveBlocks, (blocks, (CUfunction)fn, block_threads, dyn_smem), err);
	return 0;
}

static int
cu_launch(void *impl, void *fn, const gpu_launch_cfg *cfg, void **params, const size_t *sizes,
	int n_params, int ev_start, int ev_end, errmsg *err)
{
	struct cuda *c = impl;
	int rc;

	if ((rc = make_current(c, err)) != 0)
		return rc;
	if (ev_start >= 0)
		CU_TRY(c, EventRecord, (c->events[ev_start], c->stream), err);
	CU_TRY(c, LaunchKernel, ((CUfunction)fn, cfg->grid[0], cfg->grid[1], cfg->grid[2],
		cfg->block[0], cfg->block[1], cfg->block[2], cfg->smem_bytes, c->stream, params, NULL),
		err);
	if (ev_end >= 0)
		CU_TRY(c, EventRecord, (c->events[ev_end], c->stream), err);
	return 0;
}

static int
cu_sync(void *impl, errmsg *err)
{
	struct cuda *c = impl;
	int rc;

	if ((rc = make_current(c, err)) != 0)
		return rc;
	CU_TRY(c, StreamSynchronize, (c->stream), err);
	return 0;
}

static int
cu_event_record(void *impl, int ev, errmsg *err)
{
	struct cuda *c = impl;
	int rc;

	if ((rc = make_current(c, err)) != 0)
		return rc;
	CU_TRY(c, EventRecord, (c->events[ev], c->stream), err);
	return 0;
}

static int
cu_event_elapsed_ms(void *impl, int start, int end, float *ms, errmsg *err)
{
	struct cuda *c = impl;
	int rc;

	if ((rc = make_current(c, err)) != 0)
		return rc;
	CU_TRY(c, EventSynchronize, (c->events[end]), err);
	CU_TRY(c, EventElapsedTime, (ms, c->events[start], c->events[end]), err);
	return 0;
}

/* ---------------------------------------------------------------- context life */

/* Destroy the stream and events and release the primary context. Errors
 * are ignored: this runs on poisoned contexts too, where every call fails. */
static void
context_drop(struct cuda *c)
{
	int i;

	if (c->ctx == NULL)
		return;
	(void)c->api.CtxSetCurrent(c->ctx);
	for (i = 0; i < c->n_events; i++)
		(void)c->api.EventDestroy(c->events[i]);
	c->n_events = 0;
	if (c->stream != NULL)
		(void)c->api.StreamDestroy(c->stream);
	c->stream = NULL;
	(void)c->api.CtxSetCurrent(NULL);
	(void)c->api.PrimaryCtxRelease(c->dev);
	c->ctx = NULL;
}

/* Retain the primary context, make it current, create the stream and the
 * events. On failure everything made here is dropped again. */
static int
context_build(struct cuda *c, errmsg *err)
{
	CUresult r;
	const char *call;

	r = c->api.PrimaryCtxRetain(&c->ctx, c->dev);
	if (r != CUDA_SUCCESS) {
		c->ctx = NULL;
		call = "cuDevicePrimaryCtxRetain";
		goto fail;
	}
	call = "cuCtxSetCurrent";
	if ((r = c->api.CtxSetCurrent(c->ctx)) != CUDA_SUCCESS)
		goto fail;
	call = "cuStreamCreate";
	if ((r = c->api.StreamCreate(&c->stream, CU_STREAM_NON_BLOCKING)) != CUDA_SUCCESS) {
		c->stream = NULL;
		goto fail;
	}
	call = "cuEventCreate";
	for (c->n_events = 0; c->n_events < GPU_EVENTS; c->n_events++)
		if ((r = c->api.EventCreate(&c->events[c->n_events], CU_EVENT_DEFAULT)) != CUDA_SUCCESS)
			goto fail;
	return 0;
fail:
	(void)fail(c, r, call, err);
	context_drop(c);
	return GPU_EFAIL;
}

static int
cu_reset(void *impl, errmsg *err)
{
	struct cuda *c = impl;
	CUresult r;
	int i;

	(void)c->api.CtxSetCurrent(c->ctx);
	for (i = 0; i < c->n_events; i++)
		(void)c->api.EventDestroy(c->events[i]);
	c->n_events = 0;
	if (c->stream != NULL)
		(void)c->api.StreamDestroy(c->stream);
	c->stream = NULL;
	/* Reset destroys every allocation and module of the poisoned context;
	 * it does not drop our retain, so release it and retain afresh. */
	r = c->api.PrimaryCtxReset(c->dev);
	(void)c->api.CtxSetCurrent(NULL);
	(void)c->api.PrimaryCtxRelease(c->dev);
	c->ctx = NULL;
	if (r != CUDA_SUCCESS) {
		(void)fail(c, r, "cuDevicePrimaryCtxReset", err);
		return GPU_EFAIL;
	}
	return context_build(c, err);
}

static void
cu_close(void *impl)
{
	struct cuda *c = impl;

	if (c == NULL)
		return;
	context_drop(c);
	if (c->lib != NULL)
		dlclose(c->lib);
	free(c);
}

/* A profiler request (gpu.h): the handler of this process, on this context. */
static int
cu_profiler(void *impl, uint32_t op, const void *in, size_t in_len, void *out, size_t out_len,
	errmsg *err)
{
	struct cuda *c = impl;
	gpu_profiler_fn fn = gpu_profiler();
	int rc;

	if (fn == NULL) {
		errmsg_set(err, "no profiler is installed in this process");
		return GPU_EFAIL;
	}
	if ((rc = make_current(c, err)) != 0)
		return rc;
	return fn((void *)c->ctx, (int)c->dev, c->ordinal, op, in, in_len, out, out_len, err) == 0 ? 0 : GPU_EFAIL;
}

static const gpu_backend_ops cuda_ops = {
	"cuda", cu_close, cu_mem_alloc, cu_mem_free, cu_upload, cu_download, cu_fill_u32,
	cu_module_load, cu_module_unload, cu_func_get, cu_func_attrs, cu_occupancy, cu_launch,
	cu_sync, cu_event_record, cu_event_elapsed_ms, cu_reset, cu_profiler
};

/* ---------------------------------------------------------------- open */

/* Where each entry point's pointer goes, and the names to look for. */
static const struct {
	const char *name, *fallback;
	size_t off;
	bool optional;
} entries[] = {
#define X(field, decl, n1, n2, opt) { n1, n2, offsetof(struct cu_api, field), opt },
	CU_ENTRIES(X)
#undef X
};

/* Resolve every entry point; names the first one missing. */
static int
resolve(struct cuda *c, const char *path, errmsg *err)
{
	size_t i;
	void *p;

	for (i = 0; i < sizeof entries / sizeof entries[0]; i++) {
		p = dlsym(c->lib, entries[i].name);
		if (p == NULL && entries[i].fallback != NULL)
			p = dlsym(c->lib, entries[i].fallback);
		if (p == NULL && !entries[i].optional) {
			errmsg_set(err, "%s lacks the driver entry point %s (not a CUDA driver, or one "
				"older than CUDA 12)", path, entries[i].name);
			return GPU_EFAIL;
		}
		/* POSIX guarantees a data pointer from dlsym converts to a function pointer. */
		memcpy((char *)&c->api + entries[i].off, &p, sizeof p);
	}
	return 0;
}

/* The kernel module's release ("580.159.04") from /proc, where present. */
static void
driver_release(char *buf, size_t len)
{
	FILE *f = fopen("/proc/driver/nvidia/version", "r");
	char line[512], *tok, *save = NULL;

	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(line, sizeof line, f) != NULL)
		for (tok = strtok_r(line, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save))
			if (tok[0] >= '0' && tok[0] <= '9' && strchr(tok, '.') != NULL) {
				snprintf(buf, len, "%s", tok);
				break;
			}
	fclose(f);
}

static int
device_info(struct cuda *c, int ordinal, gpu_info *d, errmsg *err)
{
	static const struct { CUdevice_attribute a; size_t off; } attrs[] = {
#define A(attr, field) { CU_DEVICE_ATTRIBUTE_##attr, offsetof(gpu_info, field) }
		A(COMPUTE_CAPABILITY_MAJOR, cc_major),
		A(COMPUTE_CAPABILITY_MINOR, cc_minor),
		A(MULTIPROCESSOR_COUNT, sm_count),
		A(WARP_SIZE, warp_size),
		A(MAX_THREADS_PER_MULTIPROCESSOR, max_threads_per_sm),
		A(MAX_THREADS_PER_BLOCK, max_threads_per_block),
		A(MAX_REGISTERS_PER_MULTIPROCESSOR, max_regs_per_sm),
		A(MAX_REGISTERS_PER_BLOCK, max_regs_per_block),
		A(MAX_BLOCKS_PER_MULTIPROCESSOR, max_blocks_per_sm),
		A(MEMORY_CLOCK_RATE, mem_clock_khz),
		A(GLOBAL_MEMORY_BUS_WIDTH, mem_bus_bits),
#undef A
	};
	static const struct { CUdevice_attribute a; size_t off; } attrs64[] = {
		{ CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, offsetof(gpu_info, l2_bytes) },
		{ CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR,
			offsetof(gpu_info, max_smem_per_sm_bytes) },
		{ CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK,
			offsetof(gpu_info, max_smem_per_block_bytes) },
		{ CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
			offsetof(gpu_info, max_smem_per_block_optin_bytes) },
		{ CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK,
			offsetof(gpu_info, reserved_smem_per_block_bytes) },
	};
	size_t i, mem = 0;
	int v;

	memset(d, 0, sizeof *d);
	d->ordinal = ordinal;
	CU_TRY(c, DriverGetVersion, (&d->driver_version), err);
	CU_TRY(c, DeviceGetName, (d->name, (int)sizeof d->name - 1, c->dev), err);
	for (i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		CU_TRY(c, DeviceGetAttribute, (&v, attrs[i].a, c->dev), err);
		memcpy((char *)d + attrs[i].off, &v, sizeof v);
	}
	for (i = 0; i < sizeof attrs64 / sizeof attrs64[0]; i++) {
		uint64_t u;

		CU_TRY(c, DeviceGetAttribute, (&v, attrs64[i].a, c->dev), err);
		u = v < 0 ? 0 : (uint64_t)v;
		memcpy((char *)d + attrs64[i].off, &u, sizeof u);
	}
	CU_TRY(c, DeviceTotalMem, (&mem, c->dev), err);
	d->mem_bytes = mem;
	d->peak_bw_gbs = gpu_peak_bandwidth_gbs(d->mem_clock_khz, d->mem_bus_bits);
	driver_release(d->driver_release, sizeof d->driver_release);
	d->valid = true;
	return 0;
}

int
gpu_cuda_open(const char *lib_path, int ordinal, const gpu_backend_ops **ops, void **impl,
	gpu_info *info, char *loaded_path, size_t loaded_len, errmsg *err)
{
	struct cuda *c = xcalloc(1, sizeof *c);
	struct link_map *lm = NULL;
	CUresult r;
	int count = 0;
	char what[512];

	*ops = NULL;
	*impl = NULL;
	loaded_path[0] = '\0';
	c->lib = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
	if (c->lib == NULL) {
		const char *e = dlerror();

		errmsg_set(err, "%s not found: %s", lib_path, e ? e : "dlopen failed");
		goto fail;
	}
	if (dlinfo(c->lib, RTLD_DI_LINKMAP, &lm) == 0 && lm != NULL && lm->l_name && lm->l_name[0])
		snprintf(loaded_path, loaded_len, "%s", lm->l_name);
	else
		snprintf(loaded_path, loaded_len, "%s", lib_path);
	if (resolve(c, loaded_path, err) != 0)
		goto fail;
	r = c->api.Init(0);
	if (r == CUDA_ERROR_NO_DEVICE) {
		errmsg_set(err, "no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE, driver %s)", loaded_path);
		goto fail;
	}
	if (r != CUDA_SUCCESS) {
		describe(c, r, what, sizeof what);
		errmsg_set(err, "cuInit: %s (driver %s)", what, loaded_path);
		goto fail;
	}
	if ((r = c->api.DeviceGetCount(&count)) != CUDA_SUCCESS) {
		(void)fail(c, r, "cuDeviceGetCount", err);
		goto fail;
	}
	if (count == 0) {
		errmsg_set(err, "no CUDA device (driver %s)", loaded_path);
		goto fail;
	}
	if (ordinal < 0 || ordinal >= count) {
		errmsg_set(err, "no CUDA device %d (the driver sees %d)", ordinal, count);
		goto fail;
	}
	c->ordinal = ordinal;
	if ((r = c->api.DeviceGet(&c->dev, ordinal)) != CUDA_SUCCESS) {
		(void)fail(c, r, "cuDeviceGet", err);
		goto fail;
	}
	if (device_info(c, ordinal, info, err) != 0)
		goto fail;
	if (context_build(c, err) != 0)
		goto fail;
	*ops = &cuda_ops;
	*impl = c;
	return 0;
fail:
	cu_close(c);
	memset(info, 0, sizeof *info);
	return GPU_EFAIL;
}

#endif /* HAVE_CUDA_H */
