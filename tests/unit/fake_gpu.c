/* fake_gpu: a gpu backend for unit tests. It simulates device memory in
 * host memory, counts what reaches it, can report a poisoned context, and
 * runs "kernels" as host functions looked up by name. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_gpu.h"

unsigned char *
fake_mem(struct fake *f, uint64_t addr, size_t bytes)
{
	int i;

	for (i = 0; i < FAKE_MAX; i++)
		if (f->blocks[i].mem && addr >= f->blocks[i].addr &&
		    addr + bytes <= f->blocks[i].addr + f->blocks[i].bytes)
			return f->blocks[i].mem + (addr - f->blocks[i].addr);
	return NULL;
}

static void
fake_close(void *impl)
{
	struct fake *f = impl;
	int i;

	for (i = 0; i < FAKE_MAX; i++)
		free(f->blocks[i].mem);
	if (f->closed)
		*f->closed = 1;
	free(f);
}

static int
fake_alloc(void *impl, size_t bytes, uint64_t *d, errmsg *e)
{
	struct fake *f = impl;
	int i;

	for (i = 0; i < FAKE_MAX && f->blocks[i].mem; i++)
		;
	if (i == FAKE_MAX) {
		errmsg_set(e, "fake: out of memory");
		return GPU_EFAIL;
	}
	f->blocks[i].addr = f->next_addr;
	f->blocks[i].bytes = bytes;
	f->blocks[i].mem = calloc(1, bytes);
	f->next_addr += (bytes + 255) & ~(uint64_t)255;
	*d = f->blocks[i].addr;
	f->allocs++;
	return 0;
}

static int
fake_free(void *impl, uint64_t d, errmsg *e)
{
	struct fake *f = impl;
	int i;

	for (i = 0; i < FAKE_MAX; i++)
		if (f->blocks[i].mem && f->blocks[i].addr == d) {
			free(f->blocks[i].mem);
			f->blocks[i].mem = NULL;
			f->frees++;
			return 0;
		}
	errmsg_set(e, "fake: free of unknown address %#llx", (unsigned long long)d);
	return GPU_EFAIL;
}

static int
fake_upload(void *impl, uint64_t d, const void *s, size_t b, errmsg *e)
{
	unsigned char *m = fake_mem(impl, d, b);

	assert_non_null(m); /* gpu.c must have range-checked */
	memcpy(m, s, b);
	return 0;
}

static int
fake_download(void *impl, void *d, uint64_t s, size_t b, errmsg *e)
{
	unsigned char *m = fake_mem(impl, s, b);

	assert_non_null(m);
	memcpy(d, m, b);
	return 0;
}

static int
fake_fill(void *impl, uint64_t d, uint32_t v, size_t n, errmsg *e)
{
	unsigned char *m = fake_mem(impl, d, n * 4);
	size_t i;

	assert_non_null(m);
	((struct fake *)impl)->fills++;
	for (i = 0; i < n; i++)
		memcpy(m + 4 * i, &v, 4);
	return 0;
}

static int fake_token;

static int
fake_mod_load(void *impl, const void *im, size_t s, void **m, errmsg *e)
{
	struct fake *f = impl;

	f->last_image = im;
	f->last_size = s;
	if (memcmp(im, "\x7f" "ELF", 4) != 0) {
		/* PTX must end within the image or right after it (a copy). */
		size_t len = strlen(im);

		assert_true(len == s || len + 1 == s);
	}
	*m = &fake_token;
	return 0;
}

static int
fake_mod_unload(void *impl, void *m, errmsg *e)
{
	((struct fake *)impl)->unloads++;
	return 0;
}

static const struct fake_kernel *
find_kernel(const struct fake *f, const char *name)
{
	size_t i;

	for (i = 0; f->kernels[i].name != NULL; i++)
		if (strcmp(f->kernels[i].name, name) == 0)
			return &f->kernels[i];
	return NULL;
}

static int
fake_func_get(void *impl, void *m, const char *n, void **fn, size_t *ps, int mp, int *np, errmsg *e)
{
	struct fake *f = impl;
	const struct fake_kernel *k = find_kernel(f, n);

	if (k == NULL) {
		errmsg_set(e, "kernel \"%s\": cuModuleGetFunction: CUDA_ERROR_NOT_FOUND", n);
		return GPU_EFAIL;
	}
	*fn = (void *)k;
	*np = k->n_params;
	if (k->n_params > 0)
		memcpy(ps, k->param_sizes, (size_t)k->n_params * sizeof *ps);
	return 0;
}

static int
fake_attrs(void *impl, void *fn, gpu_func_attrs *a, errmsg *e)
{
	a->num_regs = 40;
	a->max_threads_per_block = 1024;
	return 0;
}

static int
fake_occ(void *impl, void *fn, int bt, size_t sm, int *b, errmsg *e)
{
	*b = 2048 / bt;
	return 0;
}

static int
fake_launch(void *impl, void *fn, const gpu_launch_cfg *c, void **p, const size_t *sizes, int n,
	int ev_start, int ev_end, errmsg *e)
{
	struct fake *f = impl;
	const struct fake_kernel *k = fn;

	f->launches++;
	f->last_ev_start = ev_start;
	f->last_ev_end = ev_end;
	if (p != NULL && p[0] != NULL)
		memcpy(&f->last_arg0, p[0], 8);
	if (k->run != NULL)
		k->run(f, c, p);
	return 0;
}

static int
fake_sync(void *impl, errmsg *e)
{
	struct fake *f = impl;

	f->syncs++;
	if (f->sticky_next_sync) {
		f->sticky_next_sync = 0;
		errmsg_set(e, "cuStreamSynchronize: CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory "
			"access was encountered)");
		return GPU_BACKEND_STICKY;
	}
	return 0;
}

static int fake_ev_rec(void *impl, int ev, errmsg *e) { return 0; }
static int fake_ev_el(void *impl, int a, int b, float *ms, errmsg *e) { *ms = 1.5f; return 0; }

static int
fake_reset(void *impl, errmsg *e)
{
	struct fake *f = impl;
	int i;

	f->resets++;
	if (f->reset_fails) {
		errmsg_set(e, "cuDevicePrimaryCtxReset: CUDA_ERROR_UNKNOWN");
		return GPU_EFAIL;
	}
	/* A reset frees everything the context held. */
	for (i = 0; i < FAKE_MAX; i++) {
		free(f->blocks[i].mem);
		f->blocks[i].mem = NULL;
	}
	return 0;
}

const gpu_backend_ops fake_ops = {
	"fake", fake_close, fake_alloc, fake_free, fake_upload, fake_download, fake_fill,
	fake_mod_load, fake_mod_unload, fake_func_get, fake_attrs, fake_occ, fake_launch, fake_sync,
	fake_ev_rec, fake_ev_el, fake_reset, NULL
};

/* The kernels test_gpu uses: k(y, x, n) and one whose parameter list the
 * driver cannot tell. */
static const struct fake_kernel default_kernels[] = {
	{ "k", 3, { 8, 8, 4 }, NULL },
	{ "unchecked", -1, { 0 }, NULL },
	{ NULL, 0, { 0 }, NULL }
};

gpu *
fake_gpu_open(struct fake **out, const struct fake_kernel *kernels)
{
	return fake_gpu_open_l2(out, kernels, 50u << 20);
}

static void
fake_info(gpu_info *info, uint64_t l2_bytes)
{
	memset(info, 0, sizeof *info);
	info->valid = true;
	snprintf(info->name, sizeof info->name, "Fake H100");
	info->cc_major = 9;
	info->sm_count = 132;
	info->max_threads_per_sm = 2048;
	info->l2_bytes = l2_bytes;
	info->mem_bytes = (uint64_t)80 << 30;
	info->mem_clock_khz = 2619000;
	info->mem_bus_bits = 5120;
	info->peak_bw_gbs = gpu_peak_bandwidth_gbs(2619000, 5120);
	info->driver_version = 13000;
}

const struct fake_kernel *fake_open_kernels;

int
fake_backend_open(const char *lib, int ordinal, const gpu_backend_ops **ops, void **impl,
	gpu_info *info, char *path, size_t len, errmsg *err)
{
	struct fake *f;

	if (strcmp(lib, "fail") == 0) {
		errmsg_set(err, "fake: no device here");
		return GPU_EFAIL;
	}
	f = calloc(1, sizeof *f);
	f->next_addr = 0x7f0000000000ull;
	f->kernels = fake_open_kernels ? fake_open_kernels : default_kernels;
	fake_info(info, 50u << 20);
	snprintf(path, len, "/fake/%s", lib);
	*ops = &fake_ops;
	*impl = f;
	return 0;
}

gpu *
fake_gpu_open_l2(struct fake **out, const struct fake_kernel *kernels, uint64_t l2_bytes)
{
	struct fake *f = calloc(1, sizeof *f);
	gpu_info info;

	fake_info(&info, l2_bytes);
	f->next_addr = 0x7f0000000000ull;
	f->kernels = kernels ? kernels : default_kernels;
	*out = f;
	return gpu_open_backend(&fake_ops, f, &info, "/fake/libcuda.so.1");
}

