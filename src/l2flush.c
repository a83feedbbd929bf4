/* l2flush: the L2 flush kernel (see l2flush.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cupti.h"
#include "l2flush.h"
#include "variant.h"
#include "xalloc.h"

#define FLUSH_WARPS 8
#define FLUSH_BLOCKS_PER_SM 4
#define FLUSH_DEFAULT_BYTES ((size_t)192 << 20)

static const variant flush_kernel = {
	.name = "l2_flush",
	.entry = CUPTI_FLUSH_KERNEL,
	.file = "l2_flush.cu",
	.kind = VARIANT_GEMV,
	.input = VARIANT_X_F32,
	.grid = VARIANT_GRID_STRIDE,
	.n_warps = 1,
	.warps = { FLUSH_WARPS },
	.default_warps = FLUSH_WARPS,
	.warps_means = "warps per block",
	.description = "L2 eviction sweep over 3 x L2 bytes",
};

struct l2flush {
	gpu *g;
	const jit_module *m;  /* owned by the jit: reloaded after a context reset */
	uint32_t generation;  /* of buf, mod and fn */
	enum l2flush_mode mode;
	gpu_buf buf;
	gpu_module mod;
	gpu_func fn;
	size_t bytes;
	gpu_launch_cfg cfg;
};

const char *
l2flush_mode_name(enum l2flush_mode m)
{
	return m == L2FLUSH_WRITE ? "write" : "read";
}

int
l2flush_mode_parse(const char *s)
{
	if (strcasecmp(s, "read") == 0)
		return L2FLUSH_READ;
	if (strcasecmp(s, "write") == 0)
		return L2FLUSH_WRITE;
	return -1;
}

/* The buffer, module and function in the current context generation. */
static int
setup(struct l2flush *f, errmsg *err)
{
	gpu *g = f->g;
	int rc;

	f->generation = gpu_generation(g);
	if ((rc = gpu_buf_alloc(g, f->bytes, &f->buf, err)) != 0 ||
		(rc = gpu_buf_fill_u32(g, f->buf, 0x01010101u, err)) != 0 ||
		(rc = gpu_module_load(g, f->m->image, f->m->image_bytes, &f->mod, err)) != 0 ||
		(rc = gpu_func_get(g, f->mod, CUPTI_FLUSH_KERNEL, &f->fn, err)) != 0) {
		errmsg_prefix(err, "L2 flush");
		return rc;
	}
	return 0;
}

l2flush *
l2flush_new(gpu *g, jit *j, enum l2flush_mode mode, errmsg *err)
{
	const gpu_info *info = gpu_device_info(g);
	struct l2flush *f;
	jit_result jr;
	char arch[16];

	if (!gpu_available(g) || !info->valid) {
		errmsg_set(err, "L2 flush: measurement unavailable: %s", gpu_unavailable_reason(g));
		return NULL;
	}
	snprintf(arch, sizeof arch, "sm_%d%d", info->cc_major, info->cc_minor);
	if (jit_get(j, &flush_kernel, FLUSH_WARPS, arch, &jr, err) != 0 || jr.module == NULL) {
		errmsg_prefix(err, "L2 flush kernel");
		return NULL;
	}
	f = xcalloc(1, sizeof *f);
	f->g = g;
	f->m = jr.module;
	f->mode = mode;
	f->bytes = info->l2_bytes > 0 ? (size_t)info->l2_bytes * 3 : FLUSH_DEFAULT_BYTES;
	f->bytes = (f->bytes + 15) & ~(size_t)15;
	if (setup(f, err) != 0) {
		l2flush_free(f);
		return NULL;
	}
	f->cfg.grid[0] = (uint32_t)(FLUSH_BLOCKS_PER_SM * (info->sm_count > 0 ? info->sm_count : 1));
	f->cfg.grid[1] = f->cfg.grid[2] = 1;
	f->cfg.block[0] = FLUSH_WARPS * 32;
	f->cfg.block[1] = f->cfg.block[2] = 1;
	return f;
}

int
l2flush_run(l2flush *f, errmsg *err)
{
	gpu_arg args[3];
	int rc;

	/* A sticky error replaced the context: everything made before is stale. */
	if (f->generation != gpu_generation(f->g)) {
		memset(&f->buf, 0, sizeof f->buf);
		memset(&f->mod, 0, sizeof f->mod);
		if ((rc = setup(f, err)) != 0)
			return rc;
	}
	args[0] = gpu_arg_buf(f->buf);
	args[1] = gpu_arg_i64((int64_t)(f->bytes / 16));
	args[2] = gpu_arg_u32((uint32_t)f->mode);
	return gpu_launch(f->g, f->fn, &f->cfg, args, 3, err);
}

void
l2flush_free(l2flush *f)
{
	if (f == NULL)
		return;
	if (f->generation == gpu_generation(f->g)) {
		gpu_module_unload(f->g, f->mod, NULL);
		gpu_buf_free(f->g, f->buf, NULL);
	}
	free(f);
}
