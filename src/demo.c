/* demo: a synthetic llama-style transformer block (see demo.h).
 *
 * Every row of every tensor draws its values from its own random stream,
 * keyed by (seed, tensor, row), so rows can be generated and quantized in
 * any order by any number of threads and the bytes stay the same. The
 * Gaussian draws use only IEEE +, *, / and sqrt (no libm transcendental
 * functions, whose last bits differ between C libraries), so a seed gives
 * the same file everywhere. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"
#include "quant.h"
#include "xalloc.h"

/* See quant_priv.h: keep a*b+c as two roundings on clang too. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#define DEMO_HEAD_DIM 128
#define DEMO_MAX_DIM (1u << 17)   /* 131072: keeps every tensor well inside memory */
#define DEMO_MAX_BLOCK 99999L
#define DEMO_MAX_BYTES (4ull << 30) /* all tensors together */
#define DEMO_MAX_THREADS 64
#define DEMO_ROWS_PER_ITEM 32     /* rows a worker takes at a time */
#define DEMO_ROW_SPREAD 0.3       /* log-normal sigma of the per-row scale */
#define DEMO_NORM_SPREAD 0.2      /* log-normal sigma of the norm weights */

/* ---------------------------------------------------------------- random numbers */

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* splitmix64: a Weyl sequence through a bijective mixer. */
typedef struct demo_rng {
	uint64_t state;
} demo_rng;

static uint64_t
rng_next(demo_rng *r)
{
	return mix64(r->state += 0x9e3779b97f4a7c15ull);
}

/* The stream of row `row` of tensor `tensor` under `seed`. */
static demo_rng
rng_for_row(uint64_t seed, unsigned tensor, uint64_t row)
{
	demo_rng r = { mix64(mix64(seed) ^ mix64(((uint64_t)tensor << 40) ^ row ^ 0x5851f42d4c957f2dull)) };

	return r;
}

/* ln(u) for u in (0, 1] to about 1e-15: u = m * 2^e with m in [0.71, 1.42),
 * ln m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.18, by its odd series. */
static double
demo_log(double u)
{
	uint64_t b;
	double m, s, s2;
	int e;

	memcpy(&b, &u, sizeof b);
	e = (int)((b >> 52) & 0x7ff) - 1023;
	b = (b & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
	memcpy(&m, &b, sizeof m);
	if (m > 1.4142135623730951) {
		m *= 0.5;
		e++;
	}
	s = (m - 1) / (m + 1);
	s2 = s * s;
	return e * 0.6931471805599453 +
		2 * s * (1 + s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 * (1.0 / 9 +
		s2 * (1.0 / 11 + s2 * (1.0 / 13 + s2 * (1.0 / 15))))))));
}

/* exp(x) for |x| up to a few units: Taylor series of x/64, squared 6 times. */
static double
demo_exp(double x)
{
	double y = x / 64, p;

	p = 1 + y * (1 + y * (1.0 / 2 + y * (1.0 / 6 + y * (1.0 / 24 + y * (1.0 / 120 +
		y * (1.0 / 720 + y * (1.0 / 5040)))))));
	for (int i = 0; i < 6; i++)
		p *= p;
	return p;
}

/* Standard normal values by the ziggurat method (Marsaglia and Tsang):
 * the area under exp(-x^2/2) is cut into 256 strips of equal area; a draw
 * picks a strip and a point in it and, 99% of the time, is accepted by one
 * comparison. The strip edges are computed with the functions above, so
 * they too are the same everywhere. */
#define ZIG_N 256
#define ZIG_R 3.6541528853610088   /* where the tail starts */
#define ZIG_V 4.92867323399e-3     /* the area of each strip */

typedef struct demo_zig {
	double x[ZIG_N + 1]; /* strip i spans [0, x[i]]; x[0] is the base strip's pseudo-width */
	double f[ZIG_N + 1]; /* exp(-x^2/2) at each edge */
} demo_zig;

static void
zig_init(demo_zig *z)
{
	z->x[0] = ZIG_V / demo_exp(-0.5 * ZIG_R * ZIG_R);
	z->x[1] = ZIG_R;
	for (int i = 1; i < ZIG_N - 1; i++)
		z->x[i + 1] = sqrt(-2 * demo_log(demo_exp(-0.5 * z->x[i] * z->x[i]) + ZIG_V / z->x[i]));
	z->x[ZIG_N] = 0;
	for (int i = 0; i <= ZIG_N; i++)
		z->f[i] = demo_exp(-0.5 * z->x[i] * z->x[i]);
}

static double
rng_unit_open(demo_rng *rng) /* (0, 1] */
{
	return (double)((rng_next(rng) >> 11) + 1) * 0x1p-53;
}

/* A draw b that missed the strip's rectangle (about 1% of them): the tail
 * for the base strip, else the wedge test; NAN asks for a new draw. The
 * extra uniforms come from a stream keyed by b, which keeps the caller's
 * stream in a register. */
static __attribute__((noinline)) double
zig_slow(const demo_zig *z, uint64_t b, unsigned i, double x)
{
	demo_rng sub = { b };
	demo_rng *rng = &sub;

	if (i == 0) {
		/* The tail beyond R, by Marsaglia's exponential method. */
		double a, c;

		do {
			a = -demo_log(rng_unit_open(rng)) / ZIG_R;
			c = -demo_log(rng_unit_open(rng));
		} while (c + c < a * a);
		return ZIG_R + a;
	}
	/* The wedge between the strip's rectangle and the curve. */
	if (z->f[i] + rng_unit_open(rng) * (z->f[i + 1] - z->f[i]) < demo_exp(-0.5 * x * x))
		return x;
	return NAN;
}

/* One draw; inlined so that consecutive draws overlap in the CPU. */
static inline double
rng_gauss(const demo_zig *z, demo_rng *rng)
{
	for (;;) {
		uint64_t b = rng_next(rng), u;
		unsigned i = (unsigned)(b & (ZIG_N - 1));
		double x = (double)(int64_t)(b >> 11) * 0x1p-53 * z->x[i];

		if (x >= z->x[i + 1]) {
			x = zig_slow(z, b, i, x);
			if (isnan(x))
				continue;
		}
		/* Bit 8 is the sign; flipping the bit avoids an unpredictable
		 * branch. */
		memcpy(&u, &x, sizeof u);
		u ^= (b >> 8 & 1) << 63;
		memcpy(&x, &u, sizeof x);
		return x;
	}
}

/* ---------------------------------------------------------------- the block */

typedef struct demo_tensor {
	const char *suffix;   /* "attn_q": the name is blk.N.<suffix>.weight */
	uint32_t type;
	uint32_t n_dims;
	uint64_t k;           /* ne[0], the row length */
	uint64_t rows;        /* ne[1] (1 for the norms) */
	uint64_t row_bytes;
	uint8_t *data;
} demo_tensor;

enum { DEMO_N_TENSORS = 9 };

typedef struct demo_plan {
	demo_config cfg;
	demo_zig zig;
	demo_tensor t[DEMO_N_TENSORS];
	/* Work items: tensor index and first row, handed out in order. */
	struct { unsigned tensor; uint64_t row; } *items;
	size_t n_items;
	atomic_size_t next_item;
	atomic_uint_least64_t rows_done;
	uint64_t rows_total;
} demo_plan;

static int
demo_check_dim(const char *what, uint32_t v, errmsg *err)
{
	if (v == 0 || v % QK_K != 0 || v > DEMO_MAX_DIM) {
		errmsg_set(err, "demo: %s %u must be a positive multiple of %d, at most %u",
			what, v, QK_K, DEMO_MAX_DIM);
		return -1;
	}
	return 0;
}

/* Lay out the tensors and allocate their data. */
static int
plan_init(demo_plan *p, const demo_config *c, errmsg *err)
{
	const uint64_t h = c->hidden, f = c->ffn, kv = c->kv_dim;
	const demo_tensor layout[DEMO_N_TENSORS] = {
		{ "attn_norm", QT_F32, 1, h, 1, 0, NULL },
		{ "attn_q", QT_Q4_K, 2, h, h, 0, NULL },
		{ "attn_k", QT_Q4_K, 2, h, kv, 0, NULL },
		{ "attn_v", QT_Q6_K, 2, h, kv, 0, NULL },
		{ "attn_output", QT_Q4_K, 2, h, h, 0, NULL },
		{ "ffn_norm", QT_F32, 1, h, 1, 0, NULL },
		{ "ffn_gate", QT_Q4_K, 2, h, f, 0, NULL },
		{ "ffn_up", QT_Q4_K, 2, h, f, 0, NULL },
		{ "ffn_down", QT_Q6_K, 2, f, h, 0, NULL },
	};
	size_t n_items = 0;
	uint64_t total = 0;

	memset(p, 0, sizeof *p);
	if (demo_check_dim("hidden size", c->hidden, err) != 0 ||
	    demo_check_dim("feed-forward size", c->ffn, err) != 0 ||
	    demo_check_dim("key/value size", c->kv_dim, err) != 0)
		return -1;
	if (c->block < 0 || c->block > DEMO_MAX_BLOCK) {
		errmsg_set(err, "demo: block number %ld is out of range 0..%ld", c->block, DEMO_MAX_BLOCK);
		return -1;
	}
	p->cfg = *c;
	zig_init(&p->zig);
	memcpy(p->t, layout, sizeof layout);
	for (int i = 0; i < DEMO_N_TENSORS; i++) {
		/* Cannot fail: k is a positive multiple of 256. */
		quant_row_bytes(p->t[i].type, p->t[i].k, &p->t[i].row_bytes);
		total += p->t[i].row_bytes * p->t[i].rows; /* < 2^40 with the dims capped */
	}
	if (total > DEMO_MAX_BYTES) {
		errmsg_set(err, "demo: the block would take %.1f GiB; the limit is %.0f GiB",
			(double)total / (1u << 30), (double)DEMO_MAX_BYTES / (1u << 30));
		return -1;
	}
	for (int i = 0; i < DEMO_N_TENSORS; i++) {
		demo_tensor *t = &p->t[i];

		t->data = xmalloc((size_t)(t->row_bytes * t->rows));
		n_items += (size_t)((t->rows + DEMO_ROWS_PER_ITEM - 1) / DEMO_ROWS_PER_ITEM);
	}
	p->items = xcalloc(n_items, sizeof *p->items);
	for (unsigned i = 0; i < DEMO_N_TENSORS; i++) {
		for (uint64_t r = 0; r < p->t[i].rows; r += DEMO_ROWS_PER_ITEM) {
			p->items[p->n_items].tensor = i;
			p->items[p->n_items].row = r;
			p->n_items++;
		}
		p->rows_total += p->t[i].rows;
	}
	atomic_init(&p->next_item, 0);
	atomic_init(&p->rows_done, 0);
	return 0;
}

static void
plan_free(demo_plan *p)
{
	for (int i = 0; i < DEMO_N_TENSORS; i++)
		free(p->t[i].data);
	free(p->items);
}

/* Values of one row, then its encoding. Weights: N(0, 1/k) times a
 * log-normal per-row scale, the spread trained layers show between output
 * channels. Norms: log-normal around 1. */
static void
make_row(const demo_plan *p, unsigned ti, uint64_t row, float *buf)
{
	const demo_tensor *t = &p->t[ti];
	demo_rng rng = rng_for_row(p->cfg.seed, ti, row);
	uint8_t *dst = t->data + row * t->row_bytes;
	double scale;

	if (t->type == QT_F32) {
		for (uint64_t i = 0; i < t->k; i++)
			buf[i] = (float)demo_exp(DEMO_NORM_SPREAD * rng_gauss(&p->zig, &rng));
		memcpy(dst, buf, (size_t)t->row_bytes);
		return;
	}
	scale = demo_exp(DEMO_ROW_SPREAD * rng_gauss(&p->zig, &rng)) / sqrt((double)t->k);
	for (uint64_t i = 0; i < t->k; i++)
		buf[i] = (float)(rng_gauss(&p->zig, &rng) * scale);
	if (t->type == QT_Q4_K)
		quant_quantize_q4_k(buf, dst, (int64_t)t->k);
	else
		quant_quantize_q6_k(buf, dst, (int64_t)t->k);
}

/* Take work items until none are left. The calling thread (report set)
 * also reports progress after each of its items. */
static void
demo_work(demo_plan *p, bool report)
{
	float *buf = xmalloc((size_t)(p->cfg.hidden > p->cfg.ffn ? p->cfg.hidden : p->cfg.ffn) * sizeof *buf);
	size_t i;

	while ((i = atomic_fetch_add(&p->next_item, 1)) < p->n_items) {
		const demo_tensor *t = &p->t[p->items[i].tensor];
		uint64_t end = p->items[i].row + DEMO_ROWS_PER_ITEM;

		if (end > t->rows)
			end = t->rows;
		for (uint64_t r = p->items[i].row; r < end; r++)
			make_row(p, p->items[i].tensor, r, buf);
		atomic_fetch_add(&p->rows_done, end - p->items[i].row);
		if (report && p->cfg.progress != NULL)
			p->cfg.progress(p->cfg.progress_arg, atomic_load(&p->rows_done), p->rows_total);
	}
	free(buf);
}

static void *
demo_worker(void *arg)
{
	demo_work(arg, false);
	return NULL;
}

/* Generate every row with the configured number of threads. A thread that
 * cannot be started leaves its share to the others. */
static void
plan_run(demo_plan *p)
{
	pthread_t tids[DEMO_MAX_THREADS];
	int n = p->cfg.threads, started = 0;

	if (n <= 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		n = cores > 0 ? (int)(cores < DEMO_MAX_THREADS ? cores : DEMO_MAX_THREADS) : 1;
	}
	if (n > DEMO_MAX_THREADS)
		n = DEMO_MAX_THREADS;
	for (int t = 1; t < n; t++) {
		if (pthread_create(&tids[started], NULL, demo_worker, p) != 0)
			break;
		started++;
	}
	demo_work(p, true);
	for (int t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	if (p->cfg.progress != NULL)
		p->cfg.progress(p->cfg.progress_arg, p->rows_total, p->rows_total);
}

/* Metadata and tensors into w; `copy` as gguf_writer_add_tensor. */
static int
plan_to_writer(const demo_plan *p, gguf_writer *w, int copy, errmsg *err)
{
	const demo_config *c = &p->cfg;
	char name[GGUF_NAME_MAX + 1];

	gguf_writer_set_str(w, "general.architecture", "llama");
	gguf_writer_set_str(w, "general.name", "ggscope demo layer");
	gguf_writer_set_u32(w, "general.file_type", 15); /* MOSTLY_Q4_K_M */
	gguf_writer_set_u32(w, "general.quantization_version", 2);
	gguf_writer_set_u32(w, "llama.block_count", (uint32_t)c->block + 1);
	gguf_writer_set_u32(w, "llama.context_length", 8192);
	gguf_writer_set_u32(w, "llama.embedding_length", c->hidden);
	gguf_writer_set_u32(w, "llama.feed_forward_length", c->ffn);
	gguf_writer_set_u32(w, "llama.attention.head_count", c->hidden / DEMO_HEAD_DIM);
	gguf_writer_set_u32(w, "llama.attention.head_count_kv", c->kv_dim / DEMO_HEAD_DIM);
	gguf_writer_set_u32(w, "llama.rope.dimension_count", DEMO_HEAD_DIM);
	gguf_writer_set_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
	gguf_writer_set_u64(w, "ggscope.demo.seed", c->seed);
	for (int i = 0; i < DEMO_N_TENSORS; i++) {
		const demo_tensor *t = &p->t[i];
		uint64_t ne[2] = { t->k, t->rows };

		snprintf(name, sizeof name, "blk.%ld.%s.weight", c->block, t->suffix);
		if (gguf_writer_add_tensor(w, name, t->n_dims, ne, t->type, t->data,
			t->row_bytes * t->rows, copy, err) != 0) {
			errmsg_prefix(err, "demo");
			return -1;
		}
	}
	return 0;
}

void
demo_config_default(demo_config *c)
{
	c->seed = 42;
	c->hidden = 4096;
	c->ffn = 14336;
	c->kv_dim = 1024;
	c->block = 0;
	c->threads = 0;
	c->progress = NULL;
	c->progress_arg = NULL;
}

gguf_writer *
demo_build(const demo_config *c, errmsg *err)
{
	demo_plan p;
	gguf_writer *w;

	if (plan_init(&p, c, err) != 0)
		return NULL;
	plan_run(&p);
	w = gguf_writer_new(0);
	if (plan_to_writer(&p, w, 1, err) != 0) {
		gguf_writer_free(w);
		w = NULL;
	}
	plan_free(&p);
	return w;
}

gguf_file *
demo_open(const demo_config *c, errmsg *err)
{
	char name[64];
	demo_plan p;
	gguf_writer *w;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (plan_init(&p, c, err) != 0)
		return NULL;
	plan_run(&p);
	/* The writer borrows the plan's buffers: one copy of the data, into
	 * the serialized image. */
	w = gguf_writer_new(0);
	rc = plan_to_writer(&p, w, 0, err);
	if (rc == 0)
		rc = gguf_writer_write_mem(w, &buf, &len, err);
	gguf_writer_free(w);
	plan_free(&p);
	if (rc != 0)
		return NULL;
	return gguf_open_owned(buf, len, demo_name(c, name, sizeof name), err);
}

const char *
demo_name(const demo_config *c, char *buf, size_t len)
{
	snprintf(buf, len, "<demo layer, seed %llu>", (unsigned long long)c->seed);
	return buf;
}
