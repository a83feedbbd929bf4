/* cupti_gpu: CUPTI requests carried by the gpu layer to the process that
 * owns the driver (see cupti_gpu.h). Both ends are the same build, so the
 * request and the results travel as raw structs. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cupti_gpu.h"

enum cupti_gpu_op {
	CUPTI_GPU_STATUS = 1,
	CUPTI_GPU_TIMING_BEGIN,
	CUPTI_GPU_TIMING_END,
	CUPTI_GPU_COUNTERS_BEGIN,
	CUPTI_GPU_COUNTERS_END,
	CUPTI_GPU_CLOSE,
	CUPTI_GPU_PASS_BEGIN,
	CUPTI_GPU_PASS_END
};

#define CUPTI_GPU_MAGIC 0x63757074u /* "cupt" */

struct cupti_gpu_req {
	uint32_t magic;
	uint8_t disabled, full, replay;
	int32_t max_launches;
};

/* ---------------------------------------------------------------- the driver's side */

/* One CUPTI handle per process, bound to the context it was opened on. */
static struct {
	cupti *c;
	void *ctx;
	cupti_options opt;
} side;

static void
side_close(void)
{
	cupti_close(side.c);
	side.c = NULL;
	side.ctx = NULL;
}

static size_t
out_size(uint32_t op)
{
	switch (op) {
	case CUPTI_GPU_STATUS:
		return sizeof(cupti_gpu_status);
	case CUPTI_GPU_TIMING_END:
		return sizeof(cupti_timing);
	case CUPTI_GPU_COUNTERS_END:
		return sizeof(cupti_counters);
	case CUPTI_GPU_PASS_END:
		return 1;
	default:
		return 0;
	}
}

static int
handle(void *ctx, int dev, int ordinal, uint32_t op, const void *in, size_t in_len, void *out, size_t out_len,
	errmsg *err)
{
	struct cupti_gpu_req req;
	cupti_options opt;

	if (in_len != sizeof req || out_len != out_size(op)) {
		errmsg_set(err, "CUPTI request %u: %zu bytes in, %zu out: a mismatched ggscope-gpu-worker?", op, in_len, out_len);
		return GPU_EFAIL;
	}
	memcpy(&req, in, sizeof req);
	if (req.magic != CUPTI_GPU_MAGIC) {
		errmsg_set(err, "CUPTI request %u: bad magic", op);
		return GPU_EFAIL;
	}
	if (op == CUPTI_GPU_CLOSE) {
		side_close();
		return 0;
	}
	memset(&opt, 0, sizeof opt);
	opt.disabled = req.disabled != 0;
	opt.full = req.full != 0;
	/* A new context (a reset in-process) or other options: start over. */
	if (side.c != NULL && (side.ctx != ctx || side.opt.disabled != opt.disabled || side.opt.full != opt.full))
		side_close();
	if (side.c == NULL) {
		side.c = cupti_open(ctx, dev, ordinal, &opt);
		side.ctx = ctx;
		side.opt = opt;
	}
	switch (op) {
	case CUPTI_GPU_STATUS: {
		cupti_gpu_status *st = out;

		memset(st, 0, sizeof *st);
		st->tier = cupti_tier(side.c);
		snprintf(st->timing_status, sizeof st->timing_status, "%s", cupti_timing_status(side.c));
		snprintf(st->counters_status, sizeof st->counters_status, "%s", cupti_counters_status(side.c));
		snprintf(st->chip, sizeof st->chip, "%s", cupti_chip(side.c));
		st->passes = cupti_passes(side.c);
		st->full = cupti_full(side.c);
		return 0;
	}
	case CUPTI_GPU_TIMING_BEGIN:
		return cupti_timing_begin(side.c, err) == 0 ? 0 : GPU_EFAIL;
	case CUPTI_GPU_TIMING_END:
		return cupti_timing_end(side.c, (size_t)req.max_launches, out, err) == 0 ? 0 : GPU_EFAIL;
	case CUPTI_GPU_COUNTERS_BEGIN:
		return cupti_counters_begin(side.c, req.max_launches,
			req.replay ? CUPTI_REPLAY_USER : CUPTI_REPLAY_KERNEL, err) == 0 ? 0 : GPU_EFAIL;
	case CUPTI_GPU_PASS_BEGIN:
		return cupti_counters_pass_begin(side.c, err) == 0 ? 0 : GPU_EFAIL;
	case CUPTI_GPU_PASS_END: {
		bool done = false;
		int rc = cupti_counters_pass_end(side.c, &done, err);

		*(uint8_t *)out = done;
		return rc == 0 ? 0 : GPU_EFAIL;
	}
	case CUPTI_GPU_COUNTERS_END:
		return cupti_counters_end(side.c, out, err) == 0 ? 0 : GPU_EFAIL;
	default:
		errmsg_set(err, "CUPTI request %u: unknown", op);
		return GPU_EFAIL;
	}
}

void
cupti_gpu_install(void)
{
	gpu_set_profiler(handle);
}

/* ---------------------------------------------------------------- ggscope's side */

static int
call(cupti_gpu *c, uint32_t op, int max_launches, void *out, errmsg *err)
{
	struct cupti_gpu_req req;

	memset(&req, 0, sizeof req);
	req.magic = CUPTI_GPU_MAGIC;
	req.disabled = c->opt.disabled;
	req.full = c->opt.full;
	req.replay = c->replay == CUPTI_REPLAY_USER;
	req.max_launches = max_launches;
	return gpu_profiler_call(c->g, op, &req, sizeof req, out, out_size(op), err);
}

static void
fetch_status(cupti_gpu *c)
{
	errmsg err;

	c->generation = gpu_generation(c->g);
	if (c->opt.disabled) {
		memset(&c->st, 0, sizeof c->st);
		c->st.tier = CUPTI_TIER_NONE;
		snprintf(c->st.timing_status, sizeof c->st.timing_status,
			"CUPTI disabled (--no-cupti): kernels are timed with CUDA events");
		snprintf(c->st.counters_status, sizeof c->st.counters_status, "CUPTI disabled (--no-cupti)");
		return;
	}
	if (call(c, CUPTI_GPU_STATUS, 0, &c->st, &err) != 0) {
		memset(&c->st, 0, sizeof c->st);
		c->st.tier = CUPTI_TIER_NONE;
		snprintf(c->st.timing_status, sizeof c->st.timing_status, "%s", err.text);
		snprintf(c->st.counters_status, sizeof c->st.counters_status, "n/a: %s", err.text);
	}
}

void
cupti_gpu_open(cupti_gpu *c, gpu *g, const cupti_options *opt)
{
	memset(c, 0, sizeof *c);
	c->g = g;
	if (opt != NULL)
		c->opt = *opt;
	if (!gpu_available(g) && !c->opt.disabled) {
		c->generation = gpu_generation(g);
		c->st.tier = CUPTI_TIER_NONE;
		snprintf(c->st.timing_status, sizeof c->st.timing_status, "no GPU: %s", gpu_unavailable_reason(g));
		snprintf(c->st.counters_status, sizeof c->st.counters_status, "no GPU");
		return;
	}
	fetch_status(c);
}

void
cupti_gpu_close(cupti_gpu *c)
{
	if (c->g != NULL && !c->opt.disabled && gpu_available(c->g))
		(void)call(c, CUPTI_GPU_CLOSE, 0, NULL, NULL);
	c->g = NULL;
}

const cupti_gpu_status *
cupti_gpu_status_of(cupti_gpu *c)
{
	if (c->g != NULL && gpu_available(c->g) && c->generation != gpu_generation(c->g))
		fetch_status(c);
	return &c->st;
}

static int
need(cupti_gpu *c, enum cupti_tier tier, errmsg *err)
{
	const cupti_gpu_status *st = cupti_gpu_status_of(c);

	if (st->tier >= tier)
		return 0;
	errmsg_set(err, "%s", tier == CUPTI_TIER_COUNTERS && st->tier == CUPTI_TIER_TIMING ? st->counters_status
		: st->timing_status);
	return GPU_EFAIL;
}

int
cupti_gpu_timing_begin(cupti_gpu *c, errmsg *err)
{
	int rc = need(c, CUPTI_TIER_TIMING, err);

	return rc != 0 ? rc : call(c, CUPTI_GPU_TIMING_BEGIN, 0, NULL, err);
}

int
cupti_gpu_timing_end(cupti_gpu *c, size_t expected, cupti_timing *out, errmsg *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	rc = need(c, CUPTI_TIER_TIMING, err);
	return rc != 0 ? rc : call(c, CUPTI_GPU_TIMING_END, (int)expected, out, err);
}

int
cupti_gpu_counters_begin(cupti_gpu *c, int max_launches, enum cupti_replay replay, errmsg *err)
{
	int rc = need(c, CUPTI_TIER_COUNTERS, err);

	if (rc != 0)
		return rc;
	c->replay = replay;
	rc = call(c, CUPTI_GPU_COUNTERS_BEGIN, max_launches, NULL, err);
	/* A permission failure at Start lowers the tier there. */
	if (rc != 0)
		fetch_status(c);
	return rc;
}

int
cupti_gpu_counters_pass_begin(cupti_gpu *c, errmsg *err)
{
	int rc = call(c, CUPTI_GPU_PASS_BEGIN, 0, NULL, err);

	if (rc != 0)
		fetch_status(c);
	return rc;
}

int
cupti_gpu_counters_pass_end(cupti_gpu *c, bool *done, errmsg *err)
{
	uint8_t d = 0;
	int rc = call(c, CUPTI_GPU_PASS_END, 0, &d, err);

	*done = rc == 0 && d != 0;
	return rc;
}

int
cupti_gpu_counters_end(cupti_gpu *c, cupti_counters *out, errmsg *err)
{
	int rc;

	memset(out, 0, sizeof *out);
	rc = need(c, CUPTI_TIER_COUNTERS, err);
	if (rc != 0)
		return rc;
	rc = call(c, CUPTI_GPU_COUNTERS_END, 0, out, err);
	/* A permission failure inside the session lowers the tier there. */
	if (rc != 0)
		fetch_status(c);
	return rc;
}
