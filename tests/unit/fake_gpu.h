/* fake_gpu: a gpu backend for unit tests (see fake_gpu.c). */
#ifndef GGSCOPE_TEST_FAKE_GPU_H
#define GGSCOPE_TEST_FAKE_GPU_H

#include <stddef.h>
#include <stdint.h>

#include "gpu.h"
#include "gpu_backend.h"

#define FAKE_MAX 64

struct fake;

/* A kernel: its name, parameter sizes (n_params -1: the driver cannot
 * tell) and what it does to the fake memory (NULL: nothing). */
struct fake_kernel {
	const char *name;
	int n_params;
	size_t param_sizes[GPU_MAX_ARGS];
	void (*run)(struct fake *f, const gpu_launch_cfg *cfg, void **params);
};

struct fake {
	struct { uint64_t addr; size_t bytes; unsigned char *mem; } blocks[FAKE_MAX];
	uint64_t next_addr;
	int allocs, frees, fills, launches, syncs, resets, unloads;
	int sticky_next_sync;   /* the next sync reports a poisoned context */
	int reset_fails;
	uint64_t last_arg0;     /* value of the first launch argument, as 8 bytes */
	int last_ev_start, last_ev_end; /* events the last launch recorded around it */
	const void *last_image; /* the image the last module_load got */
	size_t last_size;
	int *closed;            /* set when the backend is closed */
	const struct fake_kernel *kernels; /* ends with a NULL name */
};

extern const gpu_backend_ops fake_ops;

/* A gpu on the fake backend, with a made-up H100 (132 SMs, L2 50 MiB,
 * 3352 GB/s). kernels NULL gives test_gpu's: k(8, 8, 4) and unchecked. */
gpu *fake_gpu_open(struct fake **out, const struct fake_kernel *kernels);
/* The same with another L2 size (the L2 flush writes 3 x L2). */
gpu *fake_gpu_open_l2(struct fake **out, const struct fake_kernel *kernels, uint64_t l2_bytes);

/* A gpu_backend_open_fn for worker tests: library "fail" fails, anything
 * else opens a fake with the kernels in fake_open_kernels (NULL: the
 * defaults) and reports "/fake/<lib>" as the loaded path. */
extern const struct fake_kernel *fake_open_kernels;
int fake_backend_open(const char *lib, int ordinal, const gpu_backend_ops **ops, void **impl,
	gpu_info *info, char *path, size_t len, errmsg *err);

/* Host memory behind a fake device range, or NULL outside every block. */
unsigned char *fake_mem(struct fake *f, uint64_t addr, size_t bytes);

#endif
