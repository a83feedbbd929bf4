/* bench: the measurement loop shared by `ggscope bench`, the TUI and the
 * reports: upload a layer once, then for each compiled kernel poison the
 * output, launch (after the Q8_1 quantizer for dp4a variants), time, check
 * that every output was written, and compare with the CPU float64
 * reference.
 *
 * bench knows nothing of variants or NVRTC: a caller hands it a
 * bench_kernel (a compiled image, its entry point and launch geometry), so
 * the same loop measures anything the JIT builds.
 *
 * Timing comes from a timing source behind a small interface (CUDA events
 * now; CUPTI activity records later). Every figure carries a validity flag:
 * nothing is reported as 0 when it was not measured. */
#ifndef GGSCOPE_BENCH_H
#define GGSCOPE_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "cupti.h"
#include "errmsg.h"
#include "gpu.h"
#include "occupancy.h"

struct cupti_gpu;
struct l2flush;

/* A weight matrix: `rows` rows of k elements of `type` (Q4_K or Q6_K),
 * row-major as in GGUF, each row ceil(k/256) super-blocks. k need not be a
 * multiple of 256 (GGUF tensors always are; random layers may not be):
 * columns from k up to the padded width multiply x = 0. `w` is typically
 * the file's mapping; it must stay valid while the session is open. */
typedef struct bench_layer {
	const char *name;
	uint32_t type;      /* enum qtype */
	int64_t rows, k;
	const void *w;
	uint64_t w_bytes;
} bench_layer;

/* One compiled kernel and how to launch it. The kernel's parameters are
 * (float *y, const uint8_t *w, const void *x, int k, int n) for a GEMV and
 * (const float *x, uint8_t *q8, int k) for the Q8_1 quantizer. */
typedef struct bench_kernel {
	const char *entry;       /* extern "C" name */
	const void *image;       /* CUBIN or PTX */
	size_t image_bytes;
	gpu_launch_cfg cfg;
} bench_kernel;

/* Error classes and their pass thresholds (rel_l2 = ||y - ref|| / ||ref||).
 *
 * fp32 activations: the weights dequantize exactly in float; the only
 * error is float32 rounding of a k-term dot product, ~1e-7..1e-6 relative
 * (pairwise-ish sums over lanes and warps). 1e-5 leaves a 10x margin yet
 * fails any indexing, scale or nibble bug (those give >= 1e-2).
 *
 * Q8_1 activations: x is rounded to 8 bits per 32-value block (d = amax /
 * 127): for Gaussian x the rounding error has rms ~ amax/(127*sqrt(12)) ~
 * 0.5% of rms(x), and y inherits that relative error (~5e-3). 2e-2 allows
 * heavier-tailed inputs. Because that bound is loose, dp4a kernels are also
 * checked against a second reference computed from the CPU's Q8_1 copy of
 * x: that removes the activation rounding and leaves float rounding (plus
 * the f16 block sums, for a kernel that uses them); 1e-3 still catches a
 * dropped sub-block (>= 1e-2).
 *
 * Measured on the H100 (tests/gpu/run.sh, 14 random layers and the demo
 * block, every variant and warp count): fp32 rel_l2 <= 3.1e-7; Q8_1
 * 5.1e-3 .. 5.7e-3, and <= 1.6e-7 against the Q8_1-x reference. */
#define BENCH_TOL_FP32 1e-5
#define BENCH_TOL_Q8 2e-2
#define BENCH_TOL_Q8_KERNEL 1e-3

typedef struct bench_opts {
	int reps;          /* timed launches, >= 1 (default 20) */
	int warmup;        /* untimed launches before them (default 3) */
	bool warm_l2;      /* false (default): evict L2 before every timed launch */
	int threads;       /* CPU reference threads, 0 = one per core */
	/* CUPTI (cupti_gpu.h) and the flush kernel (l2flush.h); all optional */
	struct cupti_gpu *cupti;   /* activity timing where its tier allows; NULL: CUDA events */
	bool counters;             /* one more counter session per kernel (needs the COUNTERS tier) */
	struct l2flush *flush;     /* cold L2 with the flush kernel; NULL: gpu_l2_flush */
} bench_opts;

void bench_opts_default(bench_opts *o);

/* median / min / max of the timed launches, microseconds */
typedef struct bench_time {
	bool valid;
	double median_us, min_us, max_us;
} bench_time;

typedef struct bench_result {
	/* launch and resources */
	gpu_launch_cfg cfg;
	bool attrs_valid;
	gpu_func_attrs attrs;          /* of the GEMV kernel */
	bool occupancy_valid;
	int blocks_per_sm;
	double occupancy_pct;          /* theoretical: resident warps / max warps per SM */
	/* time */
	const char *timer;             /* the timing source: "cuda events" */
	bool warm_l2;
	int reps;
	bench_time gemv;
	bench_time quant;              /* Q8_1 quantizer (q8 kernels only) */
	bench_time total;              /* quantizer + GEMV per launch */
	uint64_t bytes;                /* what the GEMV must move: weights + x + y */
	double gbs;                    /* bytes / median GEMV time; valid with gemv */
	double peak_pct;               /* gbs / the device's theoretical bandwidth, 0 if unknown */
	/* correctness, worst over all timed launches */
	bool checked;
	int64_t unwritten;             /* outputs still holding the poison */
	int64_t non_finite;            /* NaN / Inf outputs */
	double max_abs, rel_l2;        /* against the reference with fp32 x */
	double tol;                    /* the class threshold for rel_l2 */
	bool q8_checked;
	double q8_rel_l2;              /* dp4a: against the reference with Q8_1 x */
	bool pass;
	/* what went wrong, "" when nothing did */
	char error[ERRMSG_MAX];
	bool context_reset;            /* a sticky error forced a context reset */
	/* CUPTI and occupancy (bench_cupti.c) */
	bool record_valid;             /* the GEMV's activity record was seen */
	cupti_kernel_time record;      /* its launch facts: registers, carveout (sharedMemoryExecuted) */
	bool occ_valid;
	occ_result occ;                /* theoretical occupancy, its limiter, waves (occupancy.h) */
	uint64_t ideal_read_bytes;     /* weights + x: DRAM reads of a GEMV that reads each byte once */
	bool counters_valid;
	cupti_range_values counters;   /* the GEMV's range of the counter session */
	int counter_passes;
	double counters_wall_ms;
	char counters_note[ERRMSG_MAX];/* why counters are n/a; "" */
} bench_result;

typedef struct bench_session bench_session;

/* Bind a layer and an input vector x (k floats, copied) to a gpu and
 * compute the float64 reference on the CPU. Returns NULL and sets err for a
 * type other than Q4_K/Q6_K, a w_bytes that does not match rows of
 * ceil(k/256) super-blocks, or a reference failure. Works without a GPU
 * (measurement then fails). */
bench_session *bench_open(gpu *g, const bench_layer *layer, const float *x, int threads,
	errmsg *err);

void bench_close(bench_session *s);

/* The reference y (rows doubles) of the session. */
const double *bench_reference(const bench_session *s);

/* Measure one kernel. `quant` is the Q8_1 quantizer for a kernel that
 * reads Q8_1 x, NULL for one that reads float x. Fills r completely
 * (r->error says what failed) and returns 0 when the kernel ran and was
 * checked (whether or not it passed), GPU_EFAIL when it could not be
 * measured (no GPU, load or launch failure: r->error), GPU_ERESET when a
 * sticky error forced a context reset (the session re-uploads what it
 * needs on the next call). */
int bench_measure(bench_session *s, const bench_kernel *gemv, const bench_kernel *quant,
	const bench_opts *o, bench_result *r);

/* ---------------------------------------------------------------- pure helpers */

/* median, min, max of n samples (n >= 1; the array is sorted in place). */
bench_time bench_time_of(double *us, int n);

/* Bytes a GEMV must move: weights + x (4k fp32, or 36 bytes per 32 values
 * as Q8_1) + y (4 per row). */
uint64_t bench_gemv_bytes(uint64_t w_bytes, int64_t rows, int64_t k, bool q8_input);

/* A random layer at any shape, for benchmarks and GPU tests without a
 * model file: Gaussian weights with a per-row scale spread (log-normal, as
 * in trained layers) quantized to Q4_K or Q6_K with `threads` threads (0 =
 * one per core). Returns the rows x row_bytes weights (caller frees) and
 * fills *layer (layer->w points at them, layer->name at a static string).
 * A k that is not a multiple of 256 gives padded rows (see bench_layer).
 * NULL with a message for another type or a non-positive shape. */
void *bench_random_layer(uint32_t type, int64_t rows, int64_t k, uint64_t seed, int threads,
	bench_layer *layer, errmsg *err);

/* Seeded Gaussian N(0, 1) values (splitmix64 + Box-Muller): the same seed
 * gives the same vector on every machine. */
void bench_gaussian(float *x, int64_t n, uint64_t seed);

#endif
