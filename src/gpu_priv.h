/* gpu_priv: the state of a gpu, shared by gpu.c (handles, validation,
 * dispatch) and gpu_open.c (opening, state, descriptions). Only those two
 * include it. */
#ifndef GGSCOPE_GPU_PRIV_H
#define GGSCOPE_GPU_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "errmsg.h"
#include "gpu.h"
#include "gpu_backend.h"

struct slot;

struct gpu {
	const gpu_backend_ops *ops;
	void *impl;
	gpu_info info;
	char lib_path[1024];
	char reason[ERRMSG_MAX]; /* why unavailable; "" when available */
	char note[ERRMSG_MAX];   /* where the driver runs */
	bool isolated;           /* impl is a gpu_proc worker */
	uint32_t gen;
	unsigned resets;
	struct slot *slots;      /* slot 0 is never used: the zero handle is null */
	size_t n_slots;
	gpu_buf flush_buf;
	uint32_t flushes;
	char last_kernel[128];
	bool recorded[GPU_EVENTS];
};

#endif
