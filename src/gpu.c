/* gpu: handle tables, validation before anything reaches the driver, the
 * sticky-error reset, and dispatch to the backend ops (gpu_backend.h).
 * Opening, state and descriptions are in gpu_open.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu.h"
#include "gpu_backend.h"
#include "gpu_priv.h"
#include "xalloc.h"

enum slot_kind { KIND_BUF = 1, KIND_MODULE, KIND_FUNC };
enum slot_state { SLOT_FREE, SLOT_LIVE, SLOT_STALE };

struct slot {
	enum slot_kind kind;
	enum slot_state state;
	uint32_t serial;   /* the serial of the handle this slot answers to */
	uint32_t gen;      /* context generation the object was made in */
	uint64_t dptr;     /* buffer: device address */
	size_t bytes;      /* buffer: size */
	void *obj;         /* module or function: the driver's pointer */
	gpu_module parent; /* function: its module */
	char *name;        /* function: kernel name */
	int n_params;      /* function: -1 when unknown */
	size_t param_sizes[GPU_MAX_ARGS];
};


static const char *
kind_name(enum slot_kind k)
{
	switch (k) {
	case KIND_BUF: return "buffer";
	case KIND_MODULE: return "module";
	case KIND_FUNC: return "function";
	}
	return "handle";
}

gpu *
gpu_open_backend(const gpu_backend_ops *ops, void *impl, const gpu_info *info, const char *lib_path)
{
	gpu *g = xcalloc(1, sizeof *g);

	g->ops = ops;
	g->impl = impl;
	if (info != NULL)
		g->info = *info;
	snprintf(g->lib_path, sizeof g->lib_path, "%s", lib_path ? lib_path : "");
	g->gen = 1;
	g->n_slots = 1;
	g->slots = xcalloc(1, sizeof *g->slots);
	return g;
}

/* Handles of objects of the current generation only: stale and free slots
 * hold nothing the driver still knows. */
static void
release_live(gpu *g)
{
	size_t i;
	errmsg ignored;

	for (i = 1; i < g->n_slots; i++) {
		struct slot *s = &g->slots[i];

		if (s->state != SLOT_LIVE)
			continue;
		if (s->kind == KIND_BUF)
			(void)g->ops->mem_free(g->impl, s->dptr, &ignored);
	}
	for (i = 1; i < g->n_slots; i++) {
		struct slot *s = &g->slots[i];

		if (s->state == SLOT_LIVE && s->kind == KIND_MODULE)
			(void)g->ops->module_unload(g->impl, s->obj, &ignored);
	}
}

void
gpu_close(gpu *g)
{
	size_t i;

	if (g == NULL)
		return;
	release_live(g);
	for (i = 0; i < g->n_slots; i++)
		free(g->slots[i].name);
	free(g->slots);
	if (g->ops->close != NULL)
		g->ops->close(g->impl);
	free(g);
}

/* ---------------------------------------------------------------- handle table */

static uint32_t
slot_new(gpu *g, enum slot_kind kind)
{
	size_t i;
	struct slot *s;

	for (i = 1; i < g->n_slots; i++)
		if (g->slots[i].state == SLOT_FREE)
			break;
	if (i == g->n_slots) {
		g->slots = xreallocarray(g->slots, g->n_slots + 1, sizeof *g->slots);
		memset(&g->slots[i], 0, sizeof g->slots[i]);
		g->n_slots++;
	}
	s = &g->slots[i];
	free(s->name);
	s->name = NULL;
	s->kind = kind;
	s->state = SLOT_LIVE;
	s->serial++;
	s->gen = g->gen;
	s->dptr = 0;
	s->bytes = 0;
	s->obj = NULL;
	memset(&s->parent, 0, sizeof s->parent);
	s->n_params = -1;
	return (uint32_t)i;
}

/* The slot for a handle when it is live and of the right kind; otherwise NULL
 * and `why` says what is wrong with it. */
static struct slot *
slot_get(const gpu *g, uint32_t idx, uint32_t serial, enum slot_kind kind, errmsg *why)
{
	struct slot *s;
	const char *what = kind_name(kind);

	if (idx == 0 && serial == 0) {
		errmsg_set(why, "null %s", what);
		return NULL;
	}
	if (idx == 0 || idx >= g->n_slots || g->slots[idx].kind != kind) {
		errmsg_set(why, "invalid %s handle (slot %u)", what, idx);
		return NULL;
	}
	s = &g->slots[idx];
	if (s->serial != serial || s->state == SLOT_FREE) {
		errmsg_set(why, "freed %s", what);
		return NULL;
	}
	if (s->state == SLOT_STALE || s->gen != g->gen) {
		errmsg_set(why, "stale %s (made in context generation %u, before the context reset; "
			"now %u)", what, s->gen, g->gen);
		return NULL;
	}
	return s;
}

static void
slot_release(struct slot *s)
{
	s->state = SLOT_FREE;
	s->serial++; /* every handle to it is now "freed" */
	free(s->name);
	s->name = NULL;
}

/* ---------------------------------------------------------------- sticky errors */

/* A backend reported a poisoned context: mark every object stale, rebuild,
 * and explain. Returns GPU_ERESET, or GPU_EFAIL when the rebuild failed (the
 * gpu is unavailable from then on). */
static int
context_lost(gpu *g, errmsg *err)
{
	size_t i, nbuf = 0, nmod = 0, nfn = 0;
	errmsg rerr;
	char cause[ERRMSG_MAX];

	snprintf(cause, sizeof cause, "%s", err ? err->text : "sticky device error");
	for (i = 1; i < g->n_slots; i++) {
		struct slot *s = &g->slots[i];

		if (s->state != SLOT_LIVE)
			continue;
		s->state = SLOT_STALE;
		nbuf += s->kind == KIND_BUF;
		nmod += s->kind == KIND_MODULE;
		nfn += s->kind == KIND_FUNC;
	}
	memset(&g->flush_buf, 0, sizeof g->flush_buf);
	memset(g->recorded, 0, sizeof g->recorded);
	g->gen++;
	g->resets++;
	if (g->ops->reset(g->impl, &rerr) != 0) {
		snprintf(g->reason, sizeof g->reason, "device lost: %.900s; rebuilding the context "
			"failed: %.800s%s", cause, rerr.text, g->isolated ? "" : " (CUDA does not recover a "
			"process from a sticky error; ggscope-gpu-worker isolates it)");
		errmsg_set(err, "%s", g->reason);
		return GPU_EFAIL;
	}
	errmsg_set(err, "%.1200s%s%.127s; context reset and rebuilt (generation %u): %zu buffer%s, "
		"%zu module%s, %zu function%s invalidated", cause,
		g->last_kernel[0] ? " after kernel " : "", g->last_kernel, g->gen,
		nbuf, nbuf == 1 ? "" : "s", nmod, nmod == 1 ? "" : "s", nfn, nfn == 1 ? "" : "s");
	return GPU_ERESET;
}

/* Map a backend return code to the public one. */
static int
result(gpu *g, int rc, errmsg *err)
{
	if (rc == GPU_BACKEND_STICKY)
		return context_lost(g, err);
	return rc == 0 ? 0 : GPU_EFAIL;
}

/* ---------------------------------------------------------------- memory */

int
gpu_buf_alloc(gpu *g, size_t bytes, gpu_buf *out, errmsg *err)
{
	uint64_t dptr = 0;
	uint32_t idx;
	int rc;

	memset(out, 0, sizeof *out);
	if (bytes == 0) {
		errmsg_set(err, "device allocation of 0 bytes");
		return GPU_EFAIL;
	}
	rc = g->ops->mem_alloc(g->impl, bytes, &dptr, err);
	if (rc != 0)
		return result(g, rc, err);
	if (dptr == 0) {
		errmsg_set(err, "device allocation of %zu bytes returned a null address", bytes);
		return GPU_EFAIL;
	}
	idx = slot_new(g, KIND_BUF);
	g->slots[idx].dptr = dptr;
	g->slots[idx].bytes = bytes;
	out->slot = idx;
	out->serial = g->slots[idx].serial;
	return 0;
}

int
gpu_buf_free(gpu *g, gpu_buf b, errmsg *err)
{
	struct slot *s;
	int rc;

	if (b.slot == 0 && b.serial == 0)
		return 0;
	if (b.slot < g->n_slots && g->slots[b.slot].kind == KIND_BUF &&
	    g->slots[b.slot].serial == b.serial && g->slots[b.slot].state == SLOT_STALE) {
		slot_release(&g->slots[b.slot]);
		return 0;
	}
	s = slot_get(g, b.slot, b.serial, KIND_BUF, err);
	if (s == NULL) {
		errmsg_prefix(err, "gpu_buf_free refused");
		return GPU_EFAIL;
	}
	rc = g->ops->mem_free(g->impl, s->dptr, err);
	slot_release(s);
	return result(g, rc, err);
}

bool
gpu_buf_valid(const gpu *g, gpu_buf b, errmsg *why)
{
	return slot_get(g, b.slot, b.serial, KIND_BUF, why) != NULL;
}

size_t
gpu_buf_bytes(const gpu *g, gpu_buf b)
{
	struct slot *s = slot_get(g, b.slot, b.serial, KIND_BUF, NULL);

	return s ? s->bytes : 0;
}

/* A live buffer whose [offset, offset+bytes) lies inside it. */
static struct slot *
buf_range(gpu *g, gpu_buf b, size_t offset, size_t bytes, const char *op, errmsg *err)
{
	struct slot *s = slot_get(g, b.slot, b.serial, KIND_BUF, err);

	if (s == NULL) {
		errmsg_prefix(err, "%s refused", op);
		return NULL;
	}
	if (offset > s->bytes || bytes > s->bytes - offset) {
		errmsg_set(err, "%s refused: bytes %zu..%zu outside the %zu-byte buffer", op, offset,
			offset + bytes, s->bytes);
		return NULL;
	}
	return s;
}

int
gpu_buf_upload(gpu *g, gpu_buf b, size_t offset, const void *src, size_t bytes, errmsg *err)
{
	struct slot *s = buf_range(g, b, offset, bytes, "upload", err);

	if (s == NULL)
		return GPU_EFAIL;
	if (bytes == 0)
		return 0;
	return result(g, g->ops->upload(g->impl, s->dptr + offset, src, bytes, err), err);
}

int
gpu_buf_download(gpu *g, gpu_buf b, size_t offset, void *dst, size_t bytes, errmsg *err)
{
	struct slot *s = buf_range(g, b, offset, bytes, "download", err);
	int rc;

	if (s == NULL)
		return GPU_EFAIL;
	/* Finish queued work first: a kernel's sticky error belongs to it, not
	 * to the copy. */
	rc = gpu_sync(g, err);
	if (rc != 0)
		return rc;
	if (bytes == 0)
		return 0;
	return result(g, g->ops->download(g->impl, dst, s->dptr + offset, bytes, err), err);
}

int
gpu_buf_fill_u32(gpu *g, gpu_buf b, uint32_t value, errmsg *err)
{
	struct slot *s = slot_get(g, b.slot, b.serial, KIND_BUF, err);

	if (s == NULL) {
		errmsg_prefix(err, "fill refused");
		return GPU_EFAIL;
	}
	if (s->bytes % 4 != 0) {
		errmsg_set(err, "fill refused: %zu-byte buffer is not a whole number of 32-bit words",
			s->bytes);
		return GPU_EFAIL;
	}
	return result(g, g->ops->fill_u32(g->impl, s->dptr, value, s->bytes / 4, err), err);
}

int
gpu_buf_poison(gpu *g, gpu_buf b, errmsg *err)
{
	return gpu_buf_fill_u32(g, b, GPU_POISON_U32, err);
}

int
gpu_l2_flush(gpu *g, errmsg *err)
{
	int rc;

	if (!gpu_buf_valid(g, g->flush_buf, NULL)) {
		/* 3 x L2 (> 2 x as the CUPTI notes ask); 192 MiB when L2 is unknown */
		size_t bytes = g->info.valid && g->info.l2_bytes > 0 ? (size_t)g->info.l2_bytes * 3
			: (size_t)192 << 20;

		bytes = (bytes + 3) & ~(size_t)3;
		rc = gpu_buf_alloc(g, bytes, &g->flush_buf, err);
		if (rc != 0) {
			errmsg_prefix(err, "L2 flush buffer");
			return rc;
		}
	}
	/* A new value each time, so no layer below can skip the writes as
	 * redundant. */
	return gpu_buf_fill_u32(g, g->flush_buf, 0x9e3779b9u * ++g->flushes, err);
}

/* ---------------------------------------------------------------- code */

int
gpu_module_load(gpu *g, const void *image, size_t size, gpu_module *out, errmsg *err)
{
	static const unsigned char elf[4] = { 0x7f, 'E', 'L', 'F' };
	void *mod = NULL, *copy = NULL;
	const void *img = image;
	uint32_t idx;
	int rc;

	memset(out, 0, sizeof *out);
	if (image == NULL || size == 0) {
		errmsg_set(err, "module image is empty");
		return GPU_EFAIL;
	}
	/* The driver reads PTX up to a NUL it cannot bound: give it one. */
	if (!(size >= 4 && memcmp(image, elf, 4) == 0) && ((const char *)image)[size - 1] != '\0') {
		copy = xmalloc(size + 1);
		memcpy(copy, image, size);
		((char *)copy)[size] = '\0';
		img = copy;
	}
	rc = g->ops->module_load(g->impl, img, size, &mod, err);
	free(copy);
	if (rc != 0)
		return result(g, rc, err);
	idx = slot_new(g, KIND_MODULE);
	g->slots[idx].obj = mod;
	out->slot = idx;
	out->serial = g->slots[idx].serial;
	return 0;
}

int
gpu_module_unload(gpu *g, gpu_module m, errmsg *err)
{
	struct slot *s;
	size_t i;
	int rc;

	if (m.slot == 0 && m.serial == 0)
		return 0;
	if (m.slot < g->n_slots && g->slots[m.slot].kind == KIND_MODULE &&
	    g->slots[m.slot].serial == m.serial && g->slots[m.slot].state == SLOT_STALE)
		s = &g->slots[m.slot];
	else if ((s = slot_get(g, m.slot, m.serial, KIND_MODULE, err)) == NULL) {
		errmsg_prefix(err, "gpu_module_unload refused");
		return GPU_EFAIL;
	}
	for (i = 1; i < g->n_slots; i++) {
		struct slot *f = &g->slots[i];

		if (f->kind == KIND_FUNC && f->state != SLOT_FREE && f->parent.slot == m.slot &&
		    f->parent.serial == m.serial)
			slot_release(f);
	}
	rc = s->state == SLOT_LIVE ? g->ops->module_unload(g->impl, s->obj, err) : 0;
	slot_release(s);
	return result(g, rc, err);
}

int
gpu_func_get(gpu *g, gpu_module m, const char *name, gpu_func *out, errmsg *err)
{
	struct slot *ms = slot_get(g, m.slot, m.serial, KIND_MODULE, err);
	size_t sizes[GPU_MAX_ARGS];
	void *fn = NULL;
	int n = -1, rc;
	uint32_t idx;

	memset(out, 0, sizeof *out);
	if (ms == NULL) {
		errmsg_prefix(err, "function %s", name);
		return GPU_EFAIL;
	}
	rc = g->ops->func_get(g->impl, ms->obj, name, &fn, sizes, GPU_MAX_ARGS, &n, err);
	if (rc != 0)
		return result(g, rc, err);
	idx = slot_new(g, KIND_FUNC);
	g->slots[idx].obj = fn;
	g->slots[idx].parent = m;
	g->slots[idx].name = xstrdup(name);
	g->slots[idx].n_params = n;
	if (n > 0)
		memcpy(g->slots[idx].param_sizes, sizes, (size_t)n * sizeof sizes[0]);
	out->slot = idx;
	out->serial = g->slots[idx].serial;
	return 0;
}

/* A live function whose module is live too. */
static struct slot *
func_get_slot(const gpu *g, gpu_func f, errmsg *why)
{
	struct slot *s = slot_get(g, f.slot, f.serial, KIND_FUNC, why);

	if (s == NULL)
		return NULL;
	if (slot_get(g, s->parent.slot, s->parent.serial, KIND_MODULE, why) == NULL) {
		errmsg_prefix(why, "function %s: its module", s->name);
		return NULL;
	}
	return s;
}

bool
gpu_func_valid(const gpu *g, gpu_func f, errmsg *why)
{
	return func_get_slot(g, f, why) != NULL;
}

const char *
gpu_func_name(const gpu *g, gpu_func f)
{
	struct slot *s = func_get_slot(g, f, NULL);

	return s ? s->name : "";
}

int
gpu_func_param_count(const gpu *g, gpu_func f)
{
	struct slot *s = func_get_slot(g, f, NULL);

	return s ? s->n_params : -1;
}

int
gpu_func_get_attrs(gpu *g, gpu_func f, gpu_func_attrs *out, errmsg *err)
{
	struct slot *s = func_get_slot(g, f, err);

	memset(out, 0, sizeof *out);
	if (s == NULL)
		return GPU_EFAIL;
	return result(g, g->ops->func_attrs(g->impl, s->obj, out, err), err);
}

int
gpu_occupancy(gpu *g, gpu_func f, int block_threads, size_t dyn_smem_bytes, int *blocks_per_sm,
	errmsg *err)
{
	struct slot *s = func_get_slot(g, f, err);

	*blocks_per_sm = 0;
	if (s == NULL)
		return GPU_EFAIL;
	if (block_threads <= 0) {
		errmsg_set(err, "occupancy of %s: block of %d threads", s->name, block_threads);
		return GPU_EFAIL;
	}
	return result(g, g->ops->occupancy(g->impl, s->obj, block_threads, dyn_smem_bytes,
		blocks_per_sm, err), err);
}

/* ---------------------------------------------------------------- launch and timing */

static size_t
arg_size(enum gpu_arg_kind k)
{
	return k == GPU_ARG_BUF || k == GPU_ARG_I64 ? 8 : 4;
}

int
gpu_launch(gpu *g, gpu_func f, const gpu_launch_cfg *cfg, const gpu_arg *args, int nargs,
	errmsg *err)
{
	return gpu_launch_timed(g, f, cfg, args, nargs, -1, -1, err);
}

int
gpu_launch_timed(gpu *g, gpu_func f, const gpu_launch_cfg *cfg, const gpu_arg *args, int nargs,
	int ev_start, int ev_end, errmsg *err)
{
	int rc;
	union { uint64_t u64; int32_t i32; uint32_t u32; int64_t i64; float f32; } vals[GPU_MAX_ARGS];
	void *params[GPU_MAX_ARGS];
	size_t sizes[GPU_MAX_ARGS];
	struct slot *fs = func_get_slot(g, f, err);
	errmsg why;
	int i, d;

	if (fs == NULL) {
		errmsg_prefix(err, "launch refused");
		return GPU_EFAIL;
	}
	if (nargs < 0 || nargs > GPU_MAX_ARGS || (nargs > 0 && args == NULL)) {
		errmsg_set(err, "launch of %s refused: %d arguments", fs->name, nargs);
		return GPU_EFAIL;
	}
	if (ev_start < -1 || ev_start >= GPU_EVENTS || ev_end < -1 || ev_end >= GPU_EVENTS) {
		errmsg_set(err, "launch of %s refused: events %d, %d out of range 0..%d", fs->name,
			ev_start, ev_end, GPU_EVENTS - 1);
		return GPU_EFAIL;
	}
	if (fs->n_params >= 0 && nargs != fs->n_params) {
		errmsg_set(err, "launch of %s refused: %d arguments given, the kernel takes %d",
			fs->name, nargs, fs->n_params);
		return GPU_EFAIL;
	}
	for (d = 0; d < 3; d++)
		if (cfg->grid[d] == 0 || cfg->block[d] == 0) {
			errmsg_set(err, "launch of %s refused: grid %ux%ux%u, block %ux%ux%u", fs->name,
				cfg->grid[0], cfg->grid[1], cfg->grid[2], cfg->block[0], cfg->block[1],
				cfg->block[2]);
			return GPU_EFAIL;
		}
	for (i = 0; i < nargs; i++) {
		if (fs->n_params >= 0 && arg_size(args[i].kind) != fs->param_sizes[i]) {
			errmsg_set(err, "launch of %s refused: argument %d is %zu bytes, the kernel's "
				"parameter is %zu", fs->name, i, arg_size(args[i].kind), fs->param_sizes[i]);
			return GPU_EFAIL;
		}
		switch (args[i].kind) {
		case GPU_ARG_BUF: {
			struct slot *bs = slot_get(g, args[i].v.buf.slot, args[i].v.buf.serial, KIND_BUF,
				&why);

			if (bs == NULL) {
				errmsg_set(err, "launch of %s refused: argument %d is a %s", fs->name, i,
					why.text);
				return GPU_EFAIL;
			}
			vals[i].u64 = bs->dptr;
			break;
		}
		case GPU_ARG_I32: vals[i].i32 = args[i].v.i32; break;
		case GPU_ARG_U32: vals[i].u32 = args[i].v.u32; break;
		case GPU_ARG_I64: vals[i].i64 = args[i].v.i64; break;
		case GPU_ARG_F32: vals[i].f32 = args[i].v.f32; break;
		default:
			errmsg_set(err, "launch of %s refused: argument %d has unknown kind %d", fs->name,
				i, (int)args[i].kind);
			return GPU_EFAIL;
		}
		params[i] = &vals[i];
		sizes[i] = arg_size(args[i].kind);
	}
	snprintf(g->last_kernel, sizeof g->last_kernel, "%s", fs->name);
	rc = result(g, g->ops->launch(g->impl, fs->obj, cfg, params, sizes, nargs, ev_start, ev_end,
		err), err);
	if (rc == 0) {
		if (ev_start >= 0)
			g->recorded[ev_start] = true;
		if (ev_end >= 0)
			g->recorded[ev_end] = true;
	}
	return rc;
}

int
gpu_sync(gpu *g, errmsg *err)
{
	return result(g, g->ops->sync(g->impl, err), err);
}

int
gpu_event_record(gpu *g, int ev, errmsg *err)
{
	int rc;

	if (ev < 0 || ev >= GPU_EVENTS) {
		errmsg_set(err, "event %d out of range 0..%d", ev, GPU_EVENTS - 1);
		return GPU_EFAIL;
	}
	rc = result(g, g->ops->event_record(g->impl, ev, err), err);
	if (rc == 0)
		g->recorded[ev] = true;
	return rc;
}

int
gpu_event_elapsed_ms(gpu *g, int start, int end, float *ms, errmsg *err)
{
	*ms = 0;
	if (start < 0 || start >= GPU_EVENTS || end < 0 || end >= GPU_EVENTS) {
		errmsg_set(err, "events %d, %d out of range 0..%d", start, end, GPU_EVENTS - 1);
		return GPU_EFAIL;
	}
	if (!g->recorded[start] || !g->recorded[end]) {
		errmsg_set(err, "event %d was not recorded", g->recorded[start] ? end : start);
		return GPU_EFAIL;
	}
	return result(g, g->ops->event_elapsed_ms(g->impl, start, end, ms, err), err);
}

/* ---------------------------------------------------------------- profiler requests */

#define GPU_PROFILER_MAX_BYTES (64u << 10)

static gpu_profiler_fn profiler_fn;

void
gpu_set_profiler(gpu_profiler_fn fn)
{
	profiler_fn = fn;
}

gpu_profiler_fn
gpu_profiler(void)
{
	return profiler_fn;
}

int
gpu_profiler_call(gpu *g, uint32_t op, const void *in, size_t in_len, void *out, size_t out_len,
	errmsg *err)
{
	if (!gpu_available(g)) {
		errmsg_set(err, "measurement unavailable: %s", gpu_unavailable_reason(g));
		return GPU_EFAIL;
	}
	if (g->ops->profiler == NULL) {
		errmsg_set(err, "the %s backend carries no profiler requests", g->ops->name);
		return GPU_EFAIL;
	}
	if (in_len > GPU_PROFILER_MAX_BYTES || out_len > GPU_PROFILER_MAX_BYTES) {
		errmsg_set(err, "profiler request of %zu/%zu bytes: at most %u", in_len, out_len, GPU_PROFILER_MAX_BYTES);
		return GPU_EFAIL;
	}
	return result(g, g->ops->profiler(g->impl, op, in, in_len, out, out_len, err), err);
}
