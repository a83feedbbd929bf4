/* model: everything the TUI shows, as plain data.
 *
 * The worker fills it through job results (job.h) computed by the library;
 * the panes render it; the keys move its selection. It holds no curses and
 * no library objects, so the tests build one by hand and drive it.
 *
 * Every figure carries a validity flag and, when invalid, the reason that
 * the screen prints as "n/a: reason" (never a fake 0). Units are in the
 * field names. Owned by the UI thread only. */
#ifndef GGSCOPE_MODEL_H
#define GGSCOPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEL_MAX_WARPS 8     /* legal warp counts one variant may list */
#define MODEL_MAX_COLS 16     /* distinct warp counts in one matrix */
#define MODEL_WHY 256         /* room for a reason */
#define MODEL_NAME 72         /* a tensor name (64) and a NUL, rounded */
#define MODEL_TOP 8           /* top channels shown */
#define MODEL_MAX_FIELDS 16   /* GpuProfile fields */
#define MODEL_MAX_SOURCES 6   /* activation sources */

/* One kernel variant as it applies to one tensor. */
typedef struct model_variant {
	char name[32];              /* "mwv", "hw_dp4a", ... */
	char file[96];              /* its .cu file under kernels/, for `e` */
	bool q8_1;                  /* consumes Q8_1-quantized activations */
	int n_warps;
	int warps[MODEL_MAX_WARPS]; /* legal warp counts, ascending */
	char illegal[MODEL_WHY];    /* non-empty: cannot run this shape, and why */
	char warps_means[48];       /* what its warp count is: "warps per row" */
	char about[192];            /* the registry's one-line description */
} model_variant;

/* A JIT build of one (variant, warps). */
typedef struct model_compile {
	bool valid;              /* a build was attempted and reported */
	bool ok;                 /* it compiled; else `why` has the first error */
	char why[MODEL_WHY];
	int regs;                /* per thread; -1 unknown */
	int spill_bytes;         /* local memory per thread; -1 unknown */
	int smem_bytes;          /* static shared memory per block; -1 unknown */
	double compile_ms;
	bool cache_hit;
	char arch[16];           /* "sm_90" */
	char *log;               /* the full NVRTC log, or NULL; owned */
} model_compile;

/* One measurement of one (variant, warps). */
typedef struct model_measure {
	bool valid;              /* timing is valid; else `why` */
	char why[MODEL_WHY];
	double t_med_ns, t_min_ns, t_max_ns;
	int reps;
	char timing_src[24];     /* "CUPTI activity", "cuEvent" */
	double gbs;              /* bytes the kernel must move / median time */
	bool pct_valid;          /* ceiling known */
	double pct_ceiling;
	bool q8_valid;           /* the Q8_1 quantize kernel's own time */
	double q8_ns;
	bool dram_valid;
	double dram_ratio;       /* DRAM bytes read / ideal bytes */
	char dram_why[96];
	bool occ_valid;
	double occ_achieved_pct;
	char occ_why[96];
	bool theo_valid;
	double occ_theoretical_pct;
	char limiter[32];        /* "registers", "warps", "shared memory", "blocks" */
	double waves;
	bool err_valid;
	double err_max_abs, err_rel_l2;
	bool err_pass;
	char err_why[96];
	bool l2_cold;
	char counters[160];      /* DRAM %, L2 hit, SM clock, passes; "" without */
	char verdict[256];       /* one line, ncu-style, or what failed */
} model_measure;

enum model_cell_state { CELL_EMPTY, CELL_QUEUED, CELL_RUNNING, CELL_DONE };

typedef struct model_cell {
	uint8_t state;           /* enum model_cell_state */
	model_compile comp;
	model_measure meas;
} model_cell;

/* Outlier statistics of the activation vector fed to one tensor. */
typedef struct model_outlier {
	bool valid;
	char why[MODEL_WHY];
	bool pending;
	unsigned act_gen;        /* which activation setting it was computed for */
	char source[128];        /* "synthetic (seed 42), planted 408:26" */
	int64_t k;
	float *mag;              /* |x| per channel, k values; owned */
	double rms, max_abs, max_over_rms;
	int64_t argmax;
	int n_top;
	int64_t top_ch[MODEL_TOP];
	double top_mult[MODEL_TOP]; /* |x| / rms */
	double kurtosis;
	int64_t n_above;
	double threshold;        /* the verdict's multiple of rms */
	bool route_fp32;         /* the seed's verdict: max > threshold x rms */
	bool q8_valid;
	double q8_rel_err;       /* relative L2 error of x after Q8_1 */
	double q8_gemv_err;      /* relative GEMV error from Q8_1: simulated with W, or predicted */
	bool q8_gemv_sim;        /* q8_gemv_err is the simulation with the weights */
	char q8_why[96];
	bool gg_valid;           /* ggscope's own verdict (Q8_1 round trip, tolerance) */
	bool gg_fp32;
	char gg_reason[128];
	bool done;               /* a result (valid or not) arrived for act_gen */
} model_outlier;

typedef struct model_tensor {
	char name[MODEL_NAME];
	char type_name[16];
	uint32_t type;
	int n_dims;
	uint64_t ne[4];          /* ne[0] = k (row length), ne[1] = rows */
	uint64_t bytes;
	long block;              /* blk.N, -1 outside blocks */
	size_t group;
	bool gemv;               /* a 2-D q4_K/q6_K matrix: what ggscope explores */
	int n_variants;
	model_variant *variants; /* owned */
	char no_variants[MODEL_WHY]; /* why the matrix is empty */
	model_cell *cells;       /* n_variants x MODEL_MAX_WARPS, owned */
	model_outlier out;
} model_tensor;

typedef struct model_group {
	long block;              /* -1: the tensors outside blocks */
	size_t first, count;     /* into model.tensors */
	uint64_t bytes;
} model_group;

/* One GpuProfile field with where it came from. */
typedef struct model_field {
	char name[24];
	char value[48];
	char origin[16];         /* "auto", "env", "user" */
	char source[192];        /* the rule, "MWV_WARPS=4 (by value)", "TUI q4k_mwv" */
	char note[160];          /* a variable ignored or refused, or "" */
} model_field;

typedef struct model_device {
	bool probed;
	bool gpu_ok;             /* measurement possible */
	char why[MODEL_WHY];     /* why it is not */
	char name[96];
	int cc_major, cc_minor, n_sms;
	uint64_t l2_bytes;
	bool ceiling_valid;
	double ceiling_gbs;
	char ceiling_why[96];
	char driver[48], nvrtc[48], cupti[48]; /* a version, or "n/a (why)" */
	char arch[64];           /* what builds target, and why: "sm_90 (no GPU: default)" */
	bool counters_ok;
	char counters[160];      /* availability, or why not */
	char libcuda[160];       /* the path loaded */
	int n_fields;
	model_field fields[MODEL_MAX_FIELDS];
	char profile_for[64];    /* "sm_90", or "sm_90 (no GPU: the default)" */
	char profile_why[MODEL_WHY]; /* when n_fields == 0 */
} model_device;

enum model_load_state { LOAD_NONE, LOAD_RUNNING, LOAD_OK, LOAD_FAILED };
enum model_focus { FOCUS_LAYERS, FOCUS_MATRIX, FOCUS_COUNT };
enum model_popup { POPUP_NONE, POPUP_HELP, POPUP_PROFILE, POPUP_LOG, POPUP_INPUT, POPUP_REPORT };
enum model_level { LEVEL_INFO, LEVEL_WARN, LEVEL_ERROR };

typedef struct model {
	/* what was opened */
	int load_state;
	double load_progress;    /* 0..1 while loading, -1 when unknown */
	char src_name[256];
	char load_why[MODEL_WHY];
	uint64_t file_bytes;
	size_t n_groups;
	model_group *groups;
	size_t n_tensors;
	model_tensor *tensors;

	model_device dev;

	/* selection */
	size_t sel_tensor;
	int sel_variant;         /* index into the tensor's variants */
	int sel_warps;           /* a warp count (kept when changing variant) */
	int focus;               /* enum model_focus */
	size_t layers_scroll;    /* first list row shown */
	int matrix_scroll;       /* first variant row shown */

	/* settings */
	bool l2_cold;
	int act_source;          /* index into act_sources */
	int n_act_sources;
	char act_sources[MODEL_MAX_SOURCES][64];
	char outlier_spec[128];  /* planted outliers, "408:26,1415:80" */
	unsigned act_gen;        /* bumped when the activation setting changes */
	bool color;              /* for the help screen's legend */

	/* activity */
	int busy;                /* jobs queued or running */
	char busy_label[128];    /* what runs now */
	double busy_frac;        /* how far, 0..1, or -1 when it does not say */
	unsigned tick;           /* spinner frame */
	bool progress_active;
	unsigned sweep_gen;      /* the sweep the progress counts */
	int progress_done, progress_total;
	char progress_label[96];
	int status_level;        /* enum model_level */
	char status[512];

	/* popups */
	int popup;               /* enum model_popup */
	int popup_scroll;
	char input_prompt[64];
	char input[128];
	size_t input_len;
	char *log_text;          /* the log popup's text; owned */
	char log_title[96];

} model;

void model_init(model *m);
/* Free everything the model owns and reset it. */
void model_free(model *m);
/* Drop the loaded tensors (before applying a new load). */
void model_clear_tensors(model *m);

/* Status line. */
void model_status(model *m, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The selected tensor, or NULL when nothing is loaded. */
model_tensor *model_tensor_sel(model *m);
const model_variant *model_variant_sel(const model *m);
/* The cell of (variant, warps) of a tensor, or NULL when that warp count
 * is not legal for the variant. */
model_cell *model_cell_at(model_tensor *t, int variant, int warps);
model_cell *model_cell_sel(model *m);

/* The matrix columns of a tensor: the union of its variants' warp counts,
 * ascending. Returns how many (at most MODEL_MAX_COLS). */
int model_columns(const model_tensor *t, int *cols);
/* Whether a variant lists a warp count. */
bool model_variant_has_warps(const model_variant *v, int warps);

/* Navigation. All clamp; none fails. */
void model_select_tensor(model *m, size_t idx);
void model_move_tensor(model *m, long delta);
/* Select the first tensor with that name; false if none. */
bool model_select_tensor_name(model *m, const char *name);
/* Move to the next/previous variant (wrapping when wrap), keeping the warp
 * count when legal, else taking the nearest legal one. */
void model_move_variant(model *m, int delta, bool wrap);
/* Move to the next/previous legal warp count of the selected variant. */
void model_move_warps(model *m, int delta, bool wrap);
/* Select a matrix cell directly (mouse); false if not legal. */
bool model_select_cell(model *m, int variant, int warps);

/* The layers list as rows: a header row per group, then its tensors. */
size_t model_list_rows(const model *m);
/* The row of tensor idx, and the tensor at a row (-1 for a group row). */
size_t model_row_of_tensor(const model *m, size_t idx);
long model_tensor_of_row(const model *m, size_t row);
/* Keep the selected tensor inside a window of `visible` rows. */
void model_scroll_layers(model *m, size_t visible);
/* Keep the selected variant inside a window of `visible` variant rows. */
void model_scroll_matrix(model *m, int visible);

/* Activation sources. */
void model_next_act_source(model *m);
/* Drop the activation-dependent results (outlier stats, errors). */
void model_invalidate_acts(model *m, const char *why);

/* The popup's one-line text input: begin opens it, char appends a
 * printable ASCII character (others are ignored), backspace deletes. */
void model_input_begin(model *m, const char *prompt, const char *initial);
void model_input_char(model *m, int ch);
void model_input_backspace(model *m);

/* Replace the log popup's text (copied). */
void model_set_log(model *m, const char *title, const char *text);

/* Free what a cell owns and empty it. */
void model_compile_clear(model_compile *c);
void model_outlier_clear(model_outlier *o);

#endif
