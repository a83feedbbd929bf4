/* report: the tuning report of `ggscope report` and the TUI's F7.
 *
 * A report is plain data, filled in three steps and written in one:
 *
 *   report_plan    pick the Q4_K/Q6_K weight matrices of a model (layers,
 *                  types, one tensor), group them by (type, n, k) so each
 *                  shape is measured once, and list every legal
 *                  (variant, warps) of each shape as a row;
 *   report_run     fill what can be known: the environment (device,
 *                  driver, NVRTC/CUPTI versions, ceiling), the compile
 *                  resources of every row (NVRTC, no GPU needed), the
 *                  measurements (GPU), the per-layer outlier table;
 *   report_finish  derive: the winner of each shape (the fastest correct
 *                  row), the recommended GpuProfile as environment
 *                  variables, and each tensor's share of decode time;
 *   report_write   md, json, csv or html, atomically.
 *
 * Every figure carries a validity flag and a row that was not measured
 * says why; a writer prints "n/a" (or null), never a made-up 0. A report
 * whose sweep was interrupted is marked partial; its unreached rows keep
 * the status REPORT_ROW_PLANNED.
 *
 * Files: report.c (model, selection, plan, finish), report_profile.c (the
 * recommendation), report_run.c (static parts and the sweep),
 * report_write.c (atomic files, shared formatting), report_md.c,
 * report_json.c, report_csv.c, report_html.c, report_svg.c. */
#ifndef GGSCOPE_REPORT_H
#define GGSCOPE_REPORT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "errmsg.h"
#include "gguf.h"
#include "variant.h"

#define REPORT_SCHEMA_VERSION 1
#define REPORT_WHY_MAX 256
#define REPORT_MAX_LIST 64     /* entries of --variants / --warps */
#define REPORT_MAX_BLOCK 99999 /* the largest blk.N a layer list may name */

enum report_format {
	REPORT_MD,
	REPORT_JSON,
	REPORT_CSV,
	REPORT_HTML
};

/* How far a row got. */
enum report_status {
	REPORT_ROW_PLANNED,       /* not reached: the sweep was interrupted */
	REPORT_ROW_REFUSED,       /* the variant cannot take this shape (why) */
	REPORT_ROW_COMPILE_ERROR, /* NVRTC failed (why: its first error line) */
	REPORT_ROW_UNMEASURED,    /* compiled; not measured (why: no GPU, --no-measure) */
	REPORT_ROW_ERROR,         /* the launch or the measurement failed (why) */
	REPORT_ROW_PASS,          /* measured, output within tolerance */
	REPORT_ROW_FAIL           /* measured, output wrong (why) */
};

/* One (variant, warps) of one shape. */
typedef struct report_row {
	const variant *v;
	int warps;
	enum report_status status;
	char why[REPORT_WHY_MAX];     /* "" when nothing needs saying */
	/* compile (NVRTC, per (variant, warps): the same for every shape) */
	bool compiled;
	char target[16];              /* "sm_90" (CUBIN) or "compute_89" (PTX) */
	char origin[12];              /* "compiled", "memory", "disk", "stale" */
	double compile_ms;            /* the NVRTC compile that produced the build */
	bool res_valid;               /* ptxas report (false for PTX builds) */
	int regs, spill_bytes, smem_static_bytes;
	/* launch geometry for this shape */
	bool geom_valid;
	uint32_t grid, block, smem_dynamic_bytes;
	/* measurement */
	bool time_valid;
	double time_us, min_us, max_us; /* GEMV kernel: median, min, max of the timed launches */
	bool quant_valid;
	double quant_us;              /* the Q8_1 quantizer's median (Q8_1-input variants) */
	bool total_valid;
	double total_us;              /* quantizer + GEMV: what ranks the rows */
	uint64_t ideal_bytes;         /* what the GEMV must move: weights + x + y */
	bool gbs_valid;
	double gbs;                   /* ideal_bytes / time_us, 1e9 B/s */
	bool ceiling_pct_valid;
	double ceiling_pct;           /* gbs / the measured read ceiling */
	bool dram_valid;
	double dram_read_bytes;       /* CUPTI dram__bytes_read.sum of one launch */
	double dram_ratio;            /* dram_read_bytes / ideal_bytes */
	bool achieved_occ_valid;
	double achieved_occ_pct;      /* CUPTI sm__warps_active, % of peak */
	bool theo_occ_valid;
	double theo_occ_pct;          /* resident warps / max warps per SM */
	char occ_limiter[48];         /* "registers", "warps+blocks", ... or "" */
	bool launch_regs_valid;
	int launch_regs;              /* registers of the loaded function (cuFuncGetAttribute) */
	bool err_valid;
	double rel_l2, max_abs, tol;  /* against the float64 reference with fp32 x */
	bool winner;                  /* set by report_finish */
} report_row;

/* One unique (type, n, k) and the tensors that share it. */
typedef struct report_shape {
	uint32_t type;                /* QT_Q4_K or QT_Q6_K */
	uint32_t n, k;                /* rows, columns (ne[1], ne[0]) */
	uint64_t weight_bytes;
	size_t n_tensors;             /* how many selected tensors have it */
	size_t first_tensor;          /* the one whose data is measured */
	size_t n_rows;
	report_row *rows;             /* registry order, then warps ascending */
	long winner;                  /* row index, -1 when no row passed */
	bool done;                    /* every row was attempted */
} report_shape;

/* One selected weight matrix. */
typedef struct report_tensor {
	char name[GGUF_NAME_MAX + 1];
	long layer;                   /* blk.N, -1 outside blocks */
	uint32_t type;
	uint32_t n, k;
	uint64_t bytes;
	size_t shape;                 /* index into report.shapes */
	const void *data;             /* into the model's mapping (not owned) */
	/* decode time, from report_finish */
	double bytes_share_pct;       /* of the selected tensors' bytes */
	bool time_valid;
	double time_us;               /* its shape's winner (total) */
	double time_share_pct;        /* of the selected tensors' summed time */
} report_tensor;

/* A tensor the selection saw but left out, and why ("token_embd is a row
 * lookup, not a GEMV", "3 dimensions"). */
typedef struct report_skip {
	char name[GGUF_NAME_MAX + 1];
	char why[128];
} report_skip;

/* One row of the per-layer outlier table, copied out of outlier_table. */
typedef struct report_outlier_row {
	long layer;
	char tensor[GGUF_NAME_MAX + 1];
	uint64_t k;
	bool skipped;
	char why[160];                /* when skipped */
	bool ratio_valid;
	double max_over_rms;          /* live vector: max|x|/rms; imatrix: the crest factor */
	bool seed_fp32;               /* the seed's rule: max|x| > threshold x rms */
	bool eps_valid;
	double eps_bulk;              /* Q8_1 error of the non-outlier channels */
	bool gemv_valid;
	double gemv_sim;              /* simulated ||W q(x) - W x|| / ||W x|| */
	bool verdict_valid;
	bool fp32;                    /* ggscope's verdict: route this GEMV to fp32 */
	char reason[128];
} report_outlier_row;

typedef struct report_outliers {
	bool available;
	char why[REPORT_WHY_MAX];     /* when not available */
	char source[256];             /* "synthetic N(0,1), seed 42, no planted outlier", ... */
	double threshold;             /* the seed's multiple (8) */
	double tolerance;             /* ggscope's error tolerance (0.02) */
	size_t n_rows;
	report_outlier_row *rows;     /* by layer, then graph order */
	size_t n_fp32, n_seed_flagged;
} report_outliers;

/* The recommendation for one weight type. */
typedef struct report_rec {
	uint32_t type;
	bool valid;
	char why[REPORT_WHY_MAX];     /* when not valid, or a caveat when valid */
	const variant *v;             /* the variant the profile would run; NULL for
					 the legacy dispatch (a pick per k) */
	char label[32];               /* v's name, or "q4k_legacy" */
	int warps;                    /* its warp count (MWV_WARPS or STREAM_WARPS when it takes one) */
	bool uses_mwv_warps;          /* the variant's warps come from MWV_WARPS */
	bool uses_stream_warps;       /* ... from STREAM_WARPS (ggscope's stream kernels) */
	bool ggscope;                 /* selected by a ggscope variable the seed engine ignores */
	char env[64];                 /* "MWV_Q4K=1", "WIDE_Q4K_DISABLE=1", "STREAM_DP4A_Q6K=1", ... */
	double total_us;              /* summed over this type's selected tensors */
	double best_total_us;         /* the same with each shape's own winner */
	bool matches_winners;         /* the profile runs each shape's winner or a row as fast (a tie) */
} report_rec;

typedef struct report_profile {
	bool valid;
	char why[2 * REPORT_WHY_MAX]; /* when not valid; when valid, a caveat or "" */
	report_rec rec[2];            /* [0] Q4_K, [1] Q6_K */
	bool mwv_warps_valid;
	int mwv_warps;
	bool stream_warps_valid;      /* a stream kernel is picked */
	int stream_warps;
	char env[256];                /* the whole assignment: "MWV_Q4K=1 HW_DP4A_Q6K=1 MWV_WARPS=4" */
	char unset[256];              /* variables that win over it when set: "WIDE_Q4K_DISABLE ..." */
} report_profile;

/* Where the figures came from. Strings are "" when unknown. */
typedef struct report_env {
	char version[32];             /* ggscope */
	char date_utc[32];            /* ISO 8601 */
	char model[512];              /* path, or the demo's name */
	char arch[16];                /* what the kernels were compiled for */
	char defines[256];            /* the rows' -D knobs, space-separated; "" = none */
	bool device_valid;
	char device[256];             /* the device's name */
	char device_line[512];        /* gpu_describe's line */
	int cc_major, cc_minor, sm_count;
	double peak_gbs;              /* datasheet, 0 when unknown */
	char driver[64];
	char libcuda[256];
	bool nvrtc_valid;
	int nvrtc_major, nvrtc_minor;
	bool cupti_valid;
	unsigned cupti_version;
	char cupti_tier[32];          /* "counters", "timing only", "none" */
	char cupti_why[REPORT_WHY_MAX];
	bool ceiling_valid;
	double ceiling_gbs;
	char ceiling_note[REPORT_WHY_MAX]; /* "cached 2026-..." or why it is missing */
	bool warm_l2;
	char flush[192];              /* how L2 was emptied for cold timing */
	char timer[32];               /* "cupti activity" or "cuda events" */
	int reps, warmup;
	uint64_t seed;                /* of x */
	bool measured;                /* measurements were attempted */
	char measure_why[REPORT_WHY_MAX]; /* why measurements are missing ("" when none is) */
	char selection[256];          /* "layers all, types q4_K,q6_K, ..." */
} report_env;

typedef struct report {
	report_env env;
	size_t n_tensors;
	report_tensor *tensors;       /* file order */
	size_t n_skipped;
	report_skip *skipped;
	size_t n_shapes;
	report_shape *shapes;         /* Q4_K first, then by n, k */
	report_profile profile;
	bool time_shares_valid;       /* every tensor has a time (report_finish) */
	double total_time_us;         /* their sum */
	report_outliers outliers;
	bool partial;
	char partial_why[128];
} report;

/* ---------------------------------------------------------------- selection */

/* What report_plan takes from the model. */
typedef struct report_select {
	bool all_layers;              /* true: every block and the non-block matrices */
	size_t n_ranges;              /* when !all_layers: blocks lo[i]..hi[i] */
	long lo[REPORT_MAX_LIST], hi[REPORT_MAX_LIST];
	bool types[2];                /* [0] Q4_K, [1] Q6_K */
	const char *tensor;           /* only this tensor, or NULL */
	size_t n_variants;            /* none = every variant of each type */
	char variants[REPORT_MAX_LIST][32]; /* registry names or q4k_legacy/q6k_legacy */
	size_t n_warps;
	int warps[REPORT_MAX_LIST];   /* none = every legal count */
	char text[256];               /* the selection as the user gave it, for the header */
} report_select;

/* Everything, both types, every variant and warp count. */
void report_select_init(report_select *s);

/* "all" or a list of N and N-M, comma-separated ("0-3,7"). Returns 0, or
 * -1 with a message naming the bad item (not a number, M < N, above
 * 99999, empty, more than REPORT_MAX_LIST items). */
int report_parse_layers(report_select *s, const char *spec, errmsg *err);

/* "q4_K,q6_K" (case-insensitive). Returns 0, or -1 naming a type that is
 * not Q4_K or Q6_K. */
int report_parse_types(report_select *s, const char *spec, errmsg *err);

/* Variant names (registry names or the q4k_legacy/q6k_legacy aliases,
 * which stand for the legacy dispatch's pick), comma-separated. Returns 0,
 * or -1 naming an unknown variant, the quantizer, or too many. */
int report_parse_variants(report_select *s, const char *spec, errmsg *err);

/* "all" or warp counts 1..32, comma-separated. Returns 0 or -1. */
int report_parse_warps(report_select *s, const char *spec, errmsg *err);

/* ---------------------------------------------------------------- the model */

/* An empty report (env.version and env.date_utc filled). Never fails. */
report *report_new(void);
void report_free(report *r);

/* Select the weight matrices of f and plan the rows. f must outlive the
 * report (tensor data points into its mapping). Rows a variant cannot take
 * on a shape are REFUSED now, with the rule in why. Returns 0, or -1 with a
 * message when nothing is selected (naming what was asked for), the tensor
 * asked for is missing or not a Q4_K/Q6_K matrix, or a variant/warp filter
 * leaves a shape with no row. */
int report_plan(report *r, const gguf_file *f, const report_select *s, errmsg *err);

/* Winners, the recommended profile and the decode-time shares, from what
 * the rows hold. Pure; may be called again after more rows are filled.
 * Never fails: what cannot be derived is marked invalid with the reason. */
void report_finish(report *r);

/* The recommendation alone (report_profile.c; report_finish calls it). */
void report_recommend(report *r);

/* The environment variable that makes the GpuProfile run `variant` for its
 * weight type: the seed's ("MWV_Q4K"; "WIDE_Q4K_DISABLE" for q4k_legacy)
 * or, for ggscope's stream kernels, ggscope's ("STREAM_DP4A_Q6K"); NULL
 * when no variable selects it (q4k_coalesced, q6k_basic, unknown names). */
const char *report_profile_variable(const char *variant);

/* Count rows by status (over all shapes). */
size_t report_count_status(const report *r, enum report_status st);

/* "planned", "refused", "compile-error", "unmeasured", "error", "pass",
 * "fail". */
const char *report_status_name(enum report_status st);

/* "q4_K" / "q6_K" ("?" otherwise). */
const char *report_type_name(uint32_t type);

/* ---------------------------------------------------------------- filling it */

/* What report_run reports as it goes; called on the calling thread. */
typedef struct report_progress {
	const char *phase;            /* "compile", "measure", "outliers" */
	size_t done, total;           /* steps of the whole run */
	size_t tensors_done;          /* tensors whose shape is finished */
	size_t n_tensors;
	double elapsed_s;
	bool eta_valid;
	double eta_s;
} report_progress;

struct gpu;
struct jit;
struct cupti_gpu;
struct imatrix;

typedef struct report_run_opts {
	/* Borrowed handles (NULL: report_run opens and closes its own). A gpu
	 * passed here must not be used by another thread during the run. */
	struct gpu *g;
	struct cupti_gpu *cu;         /* CUPTI on g (only with g); NULL with g: CUDA events */
	struct jit *j;
	const char *arch;             /* NULL: the device's, else sm_90 */
	/* #define knobs for the measured kernels ("NAME=VALUE", jit_config's
	 * rules); only used when j is NULL (a borrowed jit has its own). The
	 * flush and ceiling kernels are built without them. */
	const char *const *defines;
	int n_defines;
	bool measure;                 /* false: compile and analyse only */
	bool no_cupti;
	bool no_ceiling;
	int reps, warmup;             /* timed and untimed launches (20, 3) */
	bool warm_l2;
	uint64_t seed;                /* x ~ N(0, 1) */
	int threads;                  /* CPU threads, 0 = one per core */
	/* outliers */
	bool outliers;                /* build the per-layer table */
	const struct imatrix *im;     /* per-channel profiles instead of a synthetic x */
	const char *spikes;           /* planted outliers "CH:MULT,...", or NULL */
	bool outlier_weights;         /* dequantize weights for the simulated GEMV error */
	/* Checked between steps: when it becomes nonzero the run stops, marks
	 * the report partial and returns 0. May be NULL. */
	volatile sig_atomic_t *cancel;
	void (*progress)(void *arg, const report_progress *p);
	void *progress_arg;
} report_run_opts;

/* Defaults: measure, 20 reps, 3 warm-up launches, cold L2, seed 42,
 * outliers with weights, no cancel flag, no progress. */
void report_run_opts_default(report_run_opts *o);

/* Fill a planned report (see the top of this file). Missing parts are not
 * errors: without NVRTC the rows say so, without a GPU the measurements
 * are marked missing with the reason, a failed outlier table says why.
 * Returns 0, or -1 with a message only when the run itself cannot proceed
 * (a kernel directory that cannot be found). */
int report_run(report *r, const gguf_file *f, const report_run_opts *o, errmsg *err);

/* ---------------------------------------------------------------- writing */

/* Parse "md", "json", "csv", "html" (also "markdown", "htm"). -1 when unknown. */
int report_format_parse(const char *s);

/* The format a file name's extension implies, or -1. */
int report_format_of_path(const char *path);

const char *report_format_name(enum report_format f);

/* Write to a stream. For md, `svg_href` names the picture file the caller
 * writes beside it (report_write_svg), NULL for none. Returns 0, or -1 with
 * a message on a write error. */
int report_write_stream(const report *r, enum report_format f, FILE *out, const char *svg_href,
	errmsg *err);

/* Write the pictures (heat maps and the outlier chart) as one SVG
 * document. Returns 0 or -1 on a write error. */
int report_write_svg(const report *r, FILE *out, errmsg *err);

/* Write to a file atomically (temporary file in the same directory,
 * fsync, rename): a reader sees the old file or the whole new one. For md
 * the pictures go to PATH with its extension replaced by ".svg" (written
 * the same way, first) and the report links them. Returns 0, or -1 with a
 * message naming the path and the errno text; no temporary file is left
 * behind. */
int report_write(const report *r, enum report_format f, const char *path, errmsg *err);

/* The picture file report_write uses for an md path: "x.md" -> "x.svg",
 * "x" -> "x.svg". Returns buf (truncated to len). */
char *report_svg_path(const char *path, char *buf, size_t len);

/* ---------------------------------------------------------------- one call (TUI F7) */

/* Plan, run, finish and write a report in one call, for the TUI's F7:
 * `tensor` names the current tensor, or NULL for the whole file. opts may
 * be NULL for the defaults; a TUI passes its own gpu and jit (used on the
 * calling thread only), its cancel flag and a progress callback. The file
 * is written even when the run was cancelled (marked partial). *partial
 * (optional) says whether it was. Returns 0, or -1 with a message (the
 * plan failed, the file could not be written). */
int report_generate(const gguf_file *f, const char *tensor, const report_run_opts *opts,
	enum report_format fmt, const char *path, bool *partial, errmsg *err);

#endif
