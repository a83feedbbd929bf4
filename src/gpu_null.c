/* gpu_null: the backend of a machine without a usable driver or device.
 * Every op fails with "measurement unavailable: <reason>", so callers need no
 * special case: inspection, compile checks and the UI keep working. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "gpu.h"
#include "gpu_backend.h"
#include "xalloc.h"

static int
null_fail(void *impl, errmsg *err)
{
	errmsg_set(err, "measurement unavailable: %s", (const char *)impl);
	return GPU_EFAIL;
}

static void null_close(void *impl) { free(impl); }
static int null_mem_alloc(void *i, size_t b, uint64_t *d, errmsg *e) { *d = 0; return null_fail(i, e); }
static int null_mem_free(void *i, uint64_t d, errmsg *e) { return null_fail(i, e); }
static int null_upload(void *i, uint64_t d, const void *s, size_t b, errmsg *e) { return null_fail(i, e); }
static int null_download(void *i, void *d, uint64_t s, size_t b, errmsg *e) { return null_fail(i, e); }
static int null_fill(void *i, uint64_t d, uint32_t v, size_t n, errmsg *e) { return null_fail(i, e); }
static int null_mod_load(void *i, const void *im, size_t s, void **m, errmsg *e) { *m = NULL; return null_fail(i, e); }
static int null_mod_unload(void *i, void *m, errmsg *e) { return null_fail(i, e); }
static int null_func_get(void *i, void *m, const char *n, void **f, size_t *ps, int mp, int *np,
	errmsg *e) { *f = NULL; *np = -1; return null_fail(i, e); }
static int null_attrs(void *i, void *f, gpu_func_attrs *a, errmsg *e) { return null_fail(i, e); }
static int null_occ(void *i, void *f, int bt, size_t sm, int *b, errmsg *e) { return null_fail(i, e); }
static int null_launch(void *i, void *f, const gpu_launch_cfg *c, void **p, const size_t *s, int n,
	int e0, int e1, errmsg *e) { return null_fail(i, e); }
static int null_sync(void *i, errmsg *e) { return null_fail(i, e); }
static int null_ev_rec(void *i, int ev, errmsg *e) { return null_fail(i, e); }
static int null_ev_el(void *i, int a, int b, float *ms, errmsg *e) { return null_fail(i, e); }
static int null_reset(void *i, errmsg *e) { return null_fail(i, e); }

static const gpu_backend_ops null_ops = {
	"null", null_close, null_mem_alloc, null_mem_free, null_upload, null_download, null_fill,
	null_mod_load, null_mod_unload, null_func_get, null_attrs, null_occ, null_launch, null_sync,
	null_ev_rec, null_ev_el, null_reset, NULL
};

gpu *
gpu_open_null(const char *reason)
{
	const char *why = reason != NULL && *reason != '\0' ? reason : "no GPU backend";
	gpu *g = gpu_open_backend(&null_ops, xstrdup(why), NULL, "");

	gpu_set_unavailable(g, why);
	return g;
}
