/* gpu_backend: the ops a gpu backend implements (cuda, null, and the fake
 * the unit tests install). Only the gpu module and its tests include this.
 *
 * Backends deal in raw values (device addresses, driver module and function
 * pointers) and know nothing of handles: gpu.c validates every handle before
 * an op is called, so a backend never sees a null, freed or stale pointer.
 *
 * Every op returns 0, GPU_EFAIL (an error, the context is still usable) or
 * GPU_BACKEND_STICKY (the context is poisoned: gpu.c calls `reset`, bumps
 * the generation and reports GPU_ERESET to its caller). On failure the op
 * fills err with the cause, e.g. "cuStreamSynchronize: CUDA_ERROR_ILLEGAL_ADDRESS
 * (an illegal memory access was encountered)". */
#ifndef GGSCOPE_GPU_BACKEND_H
#define GGSCOPE_GPU_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"
#include "gpu.h"

#define GPU_BACKEND_STICKY (-100)

typedef struct gpu_backend_ops {
	const char *name;
	void (*close)(void *impl);
	int (*mem_alloc)(void *impl, size_t bytes, uint64_t *dptr, errmsg *err);
	int (*mem_free)(void *impl, uint64_t dptr, errmsg *err);
	int (*upload)(void *impl, uint64_t dptr, const void *src, size_t bytes, errmsg *err);
	int (*download)(void *impl, void *dst, uint64_t dptr, size_t bytes, errmsg *err);
	int (*fill_u32)(void *impl, uint64_t dptr, uint32_t value, size_t count, errmsg *err);
	/* image is NUL-terminated when it is PTX text */
	int (*module_load)(void *impl, const void *image, size_t size, void **mod, errmsg *err);
	int (*module_unload)(void *impl, void *mod, errmsg *err);
	/* *n_params = -1 when the backend cannot tell the parameter list */
	int (*func_get)(void *impl, void *mod, const char *name, void **fn, size_t *param_sizes,
		int max_params, int *n_params, errmsg *err);
	int (*func_attrs)(void *impl, void *fn, gpu_func_attrs *out, errmsg *err);
	int (*occupancy)(void *impl, void *fn, int block_threads, size_t dyn_smem, int *blocks,
		errmsg *err);
	/* params[i] points at the value of argument i (sizes[i] bytes), as
	 * cuLaunchKernel wants. Events ev_start and ev_end (-1: none) are
	 * recorded right before and after the launch, in the same call, so
	 * nothing else separates them from the kernel. */
	int (*launch)(void *impl, void *fn, const gpu_launch_cfg *cfg, void **params,
		const size_t *sizes, int n_params, int ev_start, int ev_end, errmsg *err);
	int (*sync)(void *impl, errmsg *err);
	int (*event_record)(void *impl, int ev, errmsg *err);
	int (*event_elapsed_ms)(void *impl, int start, int end, float *ms, errmsg *err);
	/* After a sticky error: drop the poisoned context and build a fresh one
	 * (stream and events included). GPU_EFAIL when that fails. */
	int (*reset)(void *impl, errmsg *err);
	/* A profiler request for the handler gpu_profiler() of the process
	 * that owns the context (gpu.h). NULL: this backend has none. */
	int (*profiler)(void *impl, uint32_t op, const void *in, size_t in_len, void *out,
		size_t out_len, errmsg *err);
} gpu_backend_ops;

/* Wrap a backend in a gpu. `info` and `lib_path` are copied; `impl` is owned
 * by the gpu and passed to ops->close at gpu_close. Never returns NULL. */
gpu *gpu_open_backend(const gpu_backend_ops *ops, void *impl, const gpu_info *info,
	const char *lib_path);

/* Mark a gpu unusable for measurement, with the reason gpu_describe and
 * gpu_unavailable_reason show. */
void gpu_set_unavailable(gpu *g, const char *reason);

/* The null backend: every op fails with "measurement unavailable: <reason>". */
gpu *gpu_open_null(const char *reason);

/* How a backend is opened: load `lib_path`, open device `ordinal`. Returns
 * 0 and sets *ops, *impl, *info and loaded_path; or GPU_EFAIL with the
 * reason. gpu_cuda_open is one; the tests have a fake. */
typedef int (*gpu_backend_open_fn)(const char *lib_path, int ordinal, const gpu_backend_ops **ops,
	void **impl, gpu_info *info, char *loaded_path, size_t loaded_len, errmsg *err);

/* The CUDA backend (gpu_cuda.c): load the library, initialise the driver,
 * open device `ordinal` with its primary context, a stream and events.
 * Returns 0 and sets *ops, *impl, *info, lib_path; or GPU_EFAIL with the
 * reason ("libcuda.so.1 not found: ...", "no CUDA device", "cuInit:
 * CUDA_ERROR_..."). Everything it acquired is released on failure. */
int gpu_cuda_open(const char *lib_path, int ordinal, const gpu_backend_ops **ops, void **impl,
	gpu_info *info, char *loaded_path, size_t loaded_len, errmsg *err);

/* The worker process's loop (gpu_worker.c): answer requests on the socket
 * fd with the backend `opener` opens, until the peer closes it or asks to
 * close. Returns the process exit status: 0, or 1 for a malformed request. */
int gpu_worker_serve(int fd, gpu_backend_open_fn opener);

/* The worker client (gpu_proc.c): start `worker` (a program that runs
 * gpu_worker_serve on fd 3) and open `lib_path` device `ordinal` in it.
 * Returns 0 and sets *ops and *impl (info, loaded_path as gpu_cuda_open);
 * GPU_EFAIL with the reason when the worker ran but the driver or device is
 * unusable (*started true), or when the worker could not be started at all
 * (*started false). A sticky error makes the ops' reset start a fresh
 * worker. */
int gpu_proc_open(const char *worker, const char *lib_path, int ordinal,
	const gpu_backend_ops **ops, void **impl, gpu_info *info, char *loaded_path,
	size_t loaded_len, bool *started, errmsg *err);

/* The worker's process id, or -1 (for tests and the UI). */
long gpu_proc_pid(const void *impl);

#endif
