/* outlier: activation-outlier statistics for the input vector of a GEMV,
 * the damage Q8_1 quantization does to it, the weight-side view, and the
 * per-layer table built from them.
 *
 * Why: the dp4a kernel variants quantize the input x to Q8_1 (blocks of 32
 * values sharing one absmax scale d = amax/127 stored as fp16). A massive
 * channel crushes the other 31 values of its block to a few levels. The seed
 * (realizar, PMAT-806) routes an input to an fp32 path when
 * max|x| > 8 x rms(x); ggscope shows that rule's verdict beside its own,
 * which is based on the exact Q8_1 round trip:
 *
 *   eps_x    = ||Q(x) - x|| / ||x||                      (whole vector)
 *   eps_bulk = ||(Q(x) - x)_B|| / ||x_B||,  B = channels NOT in O,
 *              O = { i : |x_i| > mult * rms(x) }        (the outlier set)
 *   GEMV error (predicted, no W) = eps_x  (for isotropic W, E||W e|| / E||W x||)
 *   GEMV error (simulated, with W) = ||W Q(x) - W x|| / ||W x||, both in
 *              float64 from the dequantized weights: the damage the dp4a
 *              variants see, up to their own accumulation order.
 *
 * The ggscope verdict routes to fp32 when eps_bulk or the simulated GEMV
 * error exceeds a tolerance (default 2%, about 4x the Gaussian baseline of
 * 0.54%), or an fp16 hazard exists (see outlier_q8). Every metric carries a
 * validity flag; invalid ones are printed as "n/a" with the reason.
 *
 * Files: outlier.c (vector and profile statistics, verdicts), outlier_q8.c
 * (Q8_1), outlier_w.c (weights and the simulated GEMV), outlier_report.c
 * (one vector's report, GPU measurements), outlier_table.c (per-layer
 * table), outlier_render.c (text and JSON). */
#ifndef GGSCOPE_OUTLIER_H
#define GGSCOPE_OUTLIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "acts.h"
#include "errmsg.h"
#include "gguf.h"
#include "imatrix.h"

#define OUTLIER_TOP 8               /* top channels and worst blocks kept */
#define OUTLIER_DEFAULT_MULT 8.0    /* the seed's threshold: max|x| > 8 x rms */
#define OUTLIER_DEFAULT_TOL 0.02    /* ggscope's route-to-fp32 error tolerance */
#define OUTLIER_Q8_BLOCK 32         /* Q8_1 block size (QK8_1) */
#define OUTLIER_EPS_G2 2.85e-5      /* Gaussian-bulk Q8_1 NSR at B=32 (outliers.md 2.2) */
#define OUTLIER_Q8_LEVELS2 193548.0 /* 12 * 127^2: uniform-rounding noise denominator */

/* One channel of a ranking: its index, its value (signed input value, or a
 * non-negative norm/rms) and that value's multiple of the vector's rms. */
typedef struct outlier_channel {
	uint64_t index;
	double value;
	double mult;
} outlier_channel;

/* ------------------------------------------------------------ input vector */

/* Statistics of one input vector. Moments are accumulated in double.
 * kurtosis is Pearson's (not excess) kurtosis of the n values taken as a
 * population: m4 / m2^2 with m_k = mean((x - mean)^k). A Gaussian gives 3,
 * a vector of +-1 gives 1, one spike among n zeros gives n - 2 + 1/(n-1). */
typedef struct outlier_vec {
	uint64_t n;
	uint64_t n_nonfinite;     /* NaN/Inf values; when > 0 nothing else is valid */
	uint64_t first_nonfinite; /* channel of the first one */
	bool valid;               /* n > 0 and every value finite */
	double mean, rms, max_abs;
	uint64_t argmax;          /* first channel with |x| == max_abs */
	bool ratio_valid;         /* rms > 0 */
	double max_over_rms;
	bool kurtosis_valid;      /* m2 > 0 (the vector is not constant) */
	double kurtosis;
	size_t n_top;             /* min(n, OUTLIER_TOP) */
	outlier_channel top[OUTLIER_TOP]; /* by |x| descending, ties by index */
	double mult;              /* the threshold used */
	uint64_t n_above;         /* channels with |x| > mult * rms (strict) */
	bool seed_flag;           /* outlier_seed_verdict(x, n, mult) */
} outlier_vec;

/* The seed's rule, ported exactly: true when max|x| > mult * rms(x), with
 * the sum of squares in f64, rms rounded to f32 and the comparison strict
 * in f32. Empty and all-zero inputs are never flagged (nor, as in the seed,
 * inputs whose rms is NaN). Never fails. */
bool outlier_seed_verdict(const float *x, size_t n, float mult);

/* Fill *out for x[0..n). x may be NULL when n is 0. Never fails: a vector
 * that is empty or holds NaN/Inf comes back with valid == false. */
void outlier_vec_stats(const float *x, uint64_t n, double mult, outlier_vec *out);

/* ------------------------------------------------------------ Q8_1 damage */

typedef struct outlier_q8_block {
	uint64_t block;
	double rel_err;    /* ||Q(x)_b - x_b|| / ||x_b||, 0 for an all-zero block */
	double amax;       /* max |x| in the block */
	uint32_t n_zeroed; /* nonzero inputs that quantized to 0 */
} outlier_q8_block;

/* The exact Q8_1 round trip of one vector (ggml's CUDA quantize_q8_1 through
 * quant_quantize_q8_1; dequantized as the dp4a kernels read it: fp16 d times
 * the int8 value). A length that is not a multiple of 32 is padded with
 * zeros, as ggml pads the row.
 *
 * fp16 hazards (ds = half2(d, s)):
 *   d overflow  : d = amax/127 rounds to Inf in fp16 (amax >= ~8.3e6)
 *   d flushed   : d rounds to 0 in fp16 while amax > 0 (amax < ~3.8e-6)
 *   d subnormal : d is an fp16 subnormal (amax < ~7.8e-3): fewer bits of d
 *   s overflow  : the block sum s rounds to Inf in fp16 (|sum| >= 65520).
 *                 ggml's mmvq Q4_K/Q6_K ignore s, but other Q8_1 consumers
 *                 (Q4_1/Q5_1, MMQ) read it, so ggscope counts it.
 * hazard is true for a d overflow, an s overflow, or a flushed/subnormal d
 * in a block that carries more than 1% of the vector's energy. */
typedef struct outlier_q8 {
	uint64_t n;                /* input length */
	uint64_t n_blocks;
	uint64_t n_pad;            /* zeros appended to fill the last block */
	bool valid;                /* n > 0 and all finite */
	char why[96];              /* when !valid */
	bool eps_x_valid;          /* ||x|| > 0 */
	double eps_x;
	uint64_t n_outlier_ch;     /* |O| */
	bool eps_bulk_valid;       /* ||x_B|| > 0 */
	double eps_bulk;
	double crest2;             /* C^2 = mean_b(amax_b^2) / mean(x^2) */
	double eps_x_pred;         /* sqrt((B-1)/B * C^2 / 193548): uniform-rounding model */
	double snr_db_pred;        /* -10 log10 of that NSR */
	bool eps_bulk_pred_valid;
	double eps_bulk_pred;      /* closed form of outliers.md 2.2, one term per block holding O */
	uint64_t n_zeroed;
	double *block_err;         /* n_blocks relative errors, owned */
	size_t n_worst;
	outlier_q8_block worst[OUTLIER_TOP]; /* by rel_err descending, ties by index */
	double max_block_sum;      /* max |sum| over blocks (s before fp16) */
	uint64_t n_d_overflow, n_d_zero, n_d_subnormal, n_s_overflow;
	bool hazard;
	char hazard_why[96];
	double gemv_pred;          /* predicted relative GEMV error without W: eps_x */
} outlier_q8;

/* Quantize x to Q8_1 and back into xq[0..n) (exact kernel arithmetic).
 * Never fails (n == 0 does nothing). */
void outlier_q8_roundtrip(const float *x, uint64_t n, float *xq);

/* Analyse x; `mult` defines the outlier set O. When xq is not NULL it
 * receives the round trip. Never fails: an invalid input (empty, NaN/Inf)
 * gives valid == false and why. Free with outlier_q8_free. */
void outlier_q8_analyze(const float *x, uint64_t n, double mult, float *xq, outlier_q8 *out);
void outlier_q8_free(outlier_q8 *q);

/* The closed form for one spike of c x bulk rms in a K-vector (B = 32):
 * sqrt(eps_G^2 + 31/K * (1 - exp(-c^2 / 193548))). Returns NaN for K == 0. */
double outlier_q8_eps_bulk_closed(double c, uint64_t k);

/* ------------------------------------------------------------ weights */

/* Quantiles by linear interpolation between order statistics (numpy's
 * default, "type 7"). */
typedef struct outlier_quantiles {
	bool valid;
	uint64_t n;
	double min, p01, p10, p50, p90, p99, max;
} outlier_quantiles;

/* Fill q from v[0..n) (v is sorted in place). n == 0 gives valid == false. */
void outlier_quantiles_of(double *v, uint64_t n, outlier_quantiles *q);

typedef struct outlier_weights {
	uint32_t type;
	uint64_t rows, k;
	double *col_norm;          /* k column norms sqrt(sum_r W[r,c]^2), owned */
	double col_rms;            /* rms of col_norm */
	size_t n_top;
	outlier_channel top[OUTLIER_TOP]; /* columns by norm; mult = norm / col_rms */
	bool scales_valid;
	char scales_why[96];
	bool has_dmin;
	outlier_quantiles d, dmin; /* super-block (or block) scales as stored */
	bool gemv_valid;           /* x and xq given and ||W x|| > 0 */
	double gemv_rel;           /* ||W xq - W x|| / ||W x|| */
	bool gemv_bulk_valid;
	double gemv_rel_bulk;      /* same error / ||W x_B|| (x with O zeroed) */
	double gemv_max_rel;       /* max_r |(W xq - W x)_r| / rms(W x) */
} outlier_weights;

/* Dequantize a row-major [rows, k] matrix of `type` row by row (as
 * quant_dequant_row, i.e. as ggml) and compute column norms and the scale
 * quantiles. When x and xq (k floats each) are given, also the simulated
 * GEMV error in float64: x_bulk (optional) is x with its outlier channels
 * zeroed. threads 0 = one per online CPU; results do not depend on it.
 * Returns 0, or -1 with a message when the type cannot be dequantized or
 * k is not a multiple of its block size. Free with outlier_weights_free. */
int outlier_weights_analyze(uint32_t type, const void *data, uint64_t rows, uint64_t k,
	const float *x, const float *xq, const float *x_bulk, int threads,
	outlier_weights *out, errmsg *err);
void outlier_weights_free(outlier_weights *w);

/* ------------------------------------------------------------ imatrix profile */

/* Statistics of a per-channel mean-square profile ms[0..n) (from an
 * imatrix), outliers.md 3.6. With r_j = sqrt(ms_j), p_j = ms_j / sum(ms),
 * R = sqrt(mean(ms)):
 *   crest = max r / R (<= sqrt(n)); top1/top8 share = p_max, sum of top 8 p;
 *   n_eff = 1 / sum p^2; kurtosis = mean(r^4) / mean(r^2)^2 = n / n_eff
 *   (He et al.'s kurtosis of the per-channel rms: 1 flat, n one-hot);
 *   max_over_median = max r / median r.
 * implied_peak (if known) is the magnitude the top channel would have if its
 * energy came from one token per chunk; c_peak = implied_peak / rms of the
 * other channels; eps_bulk_pred is the closed form at c_peak. */
typedef struct outlier_profile {
	uint64_t n;
	bool valid;
	char why[96];
	double R, crest;
	uint64_t top_ch;
	double top1_share, top8_share, n_eff, kurtosis;
	bool median_valid;
	double max_over_median;
	size_t n_top;
	outlier_channel top[OUTLIER_TOP]; /* value = r_j, mult = r_j / R */
	bool peak_valid;
	double implied_peak, c_peak, eps_bulk_pred;
	bool seed_flag;            /* crest > mult: the seed's rule on the rms profile */
} outlier_profile;

/* implied_peak < 0 or NaN means unknown. Never fails: an empty, all-zero or
 * non-finite profile gives valid == false and why. */
void outlier_profile_stats(const double *ms, uint64_t n, double implied_peak, double mult,
	outlier_profile *out);

/* ------------------------------------------------------------ verdicts */

typedef struct outlier_verdict {
	bool seed_fp32;            /* the seed's rule */
	bool valid;                /* ggscope's verdict could be computed */
	bool fp32;                 /* ggscope: route to fp32 */
	char reason[128];          /* why (either way), or why not valid */
} outlier_verdict;

/* ggscope's verdict on a live vector: fp32 when the input is non-finite,
 * an fp16 hazard exists, eps_bulk > tol, or (w given with a valid
 * simulated GEMV) the simulated GEMV error > tol. Never fails. */
void outlier_verdict_vector(const outlier_vec *v, const outlier_q8 *q, const outlier_weights *w,
	double tol, outlier_verdict *out);

/* ------------------------------------------------------------ measured (GPU) */

/* The GPU runner's results for one input: per kernel variant, the relative
 * L2 error of its output against the float64 reference. The runner fills
 * this; ggscope renders it beside the simulated Q8_1 column. */
typedef struct outlier_variant_error {
	char variant[64];
	int warps;
	bool q8_1_input;           /* the variant quantizes x to Q8_1 (dp4a) */
	bool valid;
	char why[96];              /* when !valid: "no GPU", the CUDA error, ... */
	double rel_l2, max_abs;
	int64_t n_bad;             /* non-finite outputs */
} outlier_variant_error;

typedef struct outlier_measured {
	size_t n, cap;
	outlier_variant_error *v;
} outlier_measured;

void outlier_measured_init(outlier_measured *m);
void outlier_measured_free(outlier_measured *m);
/* Append one result; why may be NULL when valid. Never fails. */
void outlier_measured_add(outlier_measured *m, const char *variant, int warps, bool q8_1_input,
	bool valid, double rel_l2, double max_abs, int64_t n_bad, const char *why);

/* Summary: the worst valid error among Q8_1 variants and the best among
 * fp32-input variants; false when either group has no valid entry. */
bool outlier_measured_gap(const outlier_measured *m, double *worst_q8, double *best_fp32);

/* Fold GPU measurements into ggscope's verdict: when the worst valid
 * Q8_1-input variant's error exceeds tol (a non-finite output counts as
 * infinite), the verdict becomes fp32 with the measured figure as reason.
 * Returns true when it changed the verdict. Never fails. */
bool outlier_verdict_measured(outlier_verdict *v, const outlier_measured *m, double tol);

/* Print the per-variant table, with `sim_q8` (the simulated Q8_1 GEMV error,
 * NaN if unknown) as the CPU prediction line. Never fails. */
void outlier_measured_print(FILE *out, const outlier_measured *m, double sim_q8);
json_object *outlier_measured_json(const outlier_measured *m, double sim_q8);

/* ------------------------------------------------------------ detail report */

/* Everything ggscope knows about one input vector of one GEMV. */
typedef struct outlier_report {
	char tensor[GGUF_NAME_MAX + 1]; /* "" when no weight is involved */
	uint64_t k;
	outlier_vec vec;
	outlier_q8 q8;
	bool have_weights;
	outlier_weights w;
	outlier_verdict verdict;
	const outlier_measured *measured; /* borrowed, may be NULL; set with outlier_report_set_measured */
} outlier_report;

/* Analyse x (k floats) and, when w_type/w_data are given (w_data != NULL),
 * the weight matrix [rows, k]. Returns 0, or -1 with a message when the
 * weights cannot be dequantized. Free with outlier_report_free. */
int outlier_report_build(const char *tensor, const float *x, uint64_t k, uint32_t w_type,
	const void *w_data, uint64_t rows, double mult, double tol, int threads,
	outlier_report *out, errmsg *err);
void outlier_report_free(outlier_report *r);
/* Attach the GPU runner's results (borrowed: must outlive r) and fold them
 * into the verdict with the report's tolerance `tol`. */
void outlier_report_set_measured(outlier_report *r, const outlier_measured *m, double tol);
void outlier_report_print(FILE *out, const outlier_report *r);
json_object *outlier_report_json(const outlier_report *r);

/* ------------------------------------------------------------ per-layer table */

enum outlier_source_kind {
	OUTLIER_SRC_SYNTH,   /* seeded Gaussian with planted spikes, per tensor k */
	OUTLIER_SRC_ACT,     /* one vector read from a file */
	OUTLIER_SRC_IMATRIX  /* per-channel rms profiles of every tensor */
};

typedef struct outlier_table_opts {
	enum outlier_source_kind kind;
	double mult;                 /* seed threshold; also defines O */
	double tol;                  /* ggscope's error tolerance */
	uint64_t seed;               /* synthetic draws */
	const acts_spike *spikes;    /* SYNTH: planted outliers */
	size_t n_spikes;
	const float *act;            /* ACT: the vector */
	uint64_t act_len;
	const char *act_name;        /* ACT: shown as the source */
	const imatrix *im;           /* IMATRIX */
	bool weights;                /* dequantize weights (norms, scales, simulated GEMV) */
	int threads;
	const char *only;            /* restrict to the tensor of this name (NULL: all) */
} outlier_table_opts;

typedef struct outlier_row {
	long layer;                  /* blk.N, -1 outside blocks */
	char tensor[GGUF_NAME_MAX + 1];
	uint32_t type;               /* weight type, or UINT32_MAX with no model */
	uint64_t k, rows;
	bool skipped;                /* no input for this tensor; why says so */
	char why[160];
	char note[96];               /* e.g. spikes not planted because channel >= k */
	/* live vector (SYNTH/ACT) */
	outlier_vec vec;
	bool have_q8;
	outlier_q8 q8;               /* block_err freed after the row is built */
	bool have_weights;
	outlier_weights w;           /* col_norm freed after the row is built */
	/* imatrix */
	bool have_profile;
	outlier_profile prof;
	/* imatrix sums cannot tell a channel that is large on every token from
	 * one that is huge on one token per chunk (BOS). Two readings bound it:
	 * typical: the energy spread evenly, x_j ~ N(0, ms_j) (mean of 8
	 *          draws through the exact Q8_1 round trip); decides the verdict.
	 * peak:    the top channel's energy on one token per chunk, at the
	 *          implied peak (an upper bound; its own verdict, peak_fp32). */
	double typical_eps_x;
	double typical_eps_bulk;
	bool typical_hazard;
	bool massive_valid;
	double massive_eps_bulk;
	bool massive_hazard;
	bool peak_fp32;              /* massive_valid and (hazard or eps_bulk > tol) */
	char hazard_why[96];
	outlier_verdict verdict;
	const outlier_measured *measured; /* borrowed GPU results, or NULL */
	double score;                /* the error the worst-layer ranking uses */
} outlier_row;

typedef struct outlier_table {
	enum outlier_source_kind kind;
	char source[256];            /* what the input was, for the header */
	char model[256];             /* model name or "" */
	double mult, tol;
	size_t n_rows;
	outlier_row *rows;           /* sorted by layer, then llama graph order */
	size_t n_worst;
	long worst[3];               /* the layers with the largest score, worst first */
	size_t n_seed_flagged, n_fp32;
} outlier_table;

/* Build the table for every weight matrix of `model` (may be NULL for an
 * imatrix-only table, whose rows are the imatrix entries). Returns NULL and
 * sets err when a source length does not match a tensor's k (naming both
 * numbers), when an explicitly requested tensor is missing, or when no
 * tensor gets an input. */
outlier_table *outlier_table_build(const gguf_file *model, const outlier_table_opts *o, errmsg *err);
void outlier_table_free(outlier_table *t);
/* Attach GPU results to the row of `tensor` (borrowed: must outlive t),
 * fold them into its verdict and score, and recount the verdicts and the
 * worst layers. Returns -1 with a message when no row has that name. */
int outlier_table_set_measured(outlier_table *t, const char *tensor, const outlier_measured *m,
	errmsg *err);
void outlier_table_print(FILE *out, const outlier_table *t);
json_object *outlier_table_json(const outlier_table *t);

/* The short role of a tensor name: "attn_q" for "blk.3.attn_q.weight". */
const char *outlier_short_name(const char *tensor, char *buf, size_t len);

#endif
