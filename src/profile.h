/* profile: the GpuProfile, the seed's per-GPU choice of GEMV kernels.
 *
 * The seed (paiml/realizar, src/cuda/gpu_profile.rs) picks the Q4_K and Q6_K
 * GEMV variants, the multi-warp warp count and six feature switches from the
 * compute capability, and lets environment variables override each field.
 * ggscope resolves the same profile with the same variable names and the
 * same semantics (some variables count by presence alone, others by value),
 * adds the user's own choices on top, and keeps for every field where its
 * value came from, so `ggscope profile` can say "HW_DP4A_Q4K=0 enabled
 * hw_dp4a: the seed reads that variable by presence only".
 *
 * Precedence per field: user choice > environment > automatic rule.
 * Everything here is pure given the environment callback, and unit-tested.
 *
 * ggscope's own kernels: the stream variants (q4k_stream, q4k_stream_dp4a,
 * q6k_stream, q6k_stream_dp4a) are not in the seed. The profile can pick
 * them through ggscope's variables STREAM_DP4A_Q4K, STREAM_Q4K,
 * STREAM_DP4A_Q6K, STREAM_Q6K (presence, checked before the seed's) and
 * STREAM_WARPS (their warp count, 1..4), which the seed engine ignores; a
 * stream pick in an engine means porting kernels/q*_stream*.cu(h).
 *
 * The rules (PROFILE_RULE_*): "ggscope", the default, is the seed's rule
 * except on cc 9.x, where the stream dp4a kernels were measured fastest
 * (BENCHMARKS.md, H100). "seed" is the seed's profile exactly: hw_dp4a on
 * sm_75+, mwv before, and ggscope's variables ignored as the seed ignores
 * them; that Q4_K default is what realizar shipped from 2026-03-06.
 * "upstream" is the seed with the newest upstream's Q4_K default
 * (aprender#2323, 2026-07-27): mwv on every GPU, because the Q8_1
 * activations of the dp4a kernels misestimate massive-activation channels
 * by ~15%; `ggscope outliers` shows the damage that motivated it. The rule
 * text of every field says which rule produced it. */
#ifndef GGSCOPE_PROFILE_H
#define GGSCOPE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "errmsg.h"

/* The seed's Q4kVariant, named as ggscope's variant registry names them,
 * then ggscope's own kernels. */
enum profile_q4k {
	PROFILE_Q4K_LEGACY,     /* Legacy: "q4k_legacy" */
	PROFILE_Q4K_WIDE,       /* Wide: "q4k_wide" */
	PROFILE_Q4K_VECTORIZED, /* Vectorized: "q4k_vectorized" */
	PROFILE_Q4K_MWV_DP4A,   /* MwvDp4a: "q4k_mwv_dp4a" */
	PROFILE_Q4K_HW_DP4A,    /* HwDp4a: "q4k_hw_dp4a" */
	PROFILE_Q4K_MWV,        /* Mwv: "q4k_mwv" */
	PROFILE_Q4K_STREAM,     /* ggscope only: "q4k_stream" */
	PROFILE_Q4K_STREAM_DP4A,/* ggscope only: "q4k_stream_dp4a" */
	PROFILE_Q4K_COUNT
};

/* The seed's Q6kVariant, then ggscope's own kernels. */
enum profile_q6k {
	PROFILE_Q6K_BASIC,      /* Legacy (1-warp Q6KGemv): "q6k_basic" */
	PROFILE_Q6K_MWV,        /* Mwv: "q6k_mwv" */
	PROFILE_Q6K_DP4A,       /* Dp4a: "q6k_dp4a" */
	PROFILE_Q6K_HW_DP4A,    /* HwDp4a: "q6k_hw_dp4a" */
	PROFILE_Q6K_STREAM,     /* ggscope only: "q6k_stream" */
	PROFILE_Q6K_STREAM_DP4A,/* ggscope only: "q6k_stream_dp4a" */
	PROFILE_Q6K_COUNT
};

/* The fields, in the order they are shown: the seed's serialised keys, with
 * ggscope's stream_warps after mwv_warps. */
enum profile_field {
	PROFILE_F_Q4K,
	PROFILE_F_Q6K,
	PROFILE_F_MWV_WARPS,
	PROFILE_F_STREAM_WARPS,
	PROFILE_F_PREFILL_PATH,
	PROFILE_F_HGEMM_DECODE,
	PROFILE_F_FUSED_GATE_UP,
	PROFILE_F_FP8_PREFILL,
	PROFILE_F_FP8_DECODE,
	PROFILE_F_W4A16_INTERLEAVED,
	PROFILE_F_SM_TARGET,
	PROFILE_F_CC,
	PROFILE_F_COUNT
};

/* Where a field's value came from. */
enum profile_origin {
	PROFILE_AUTO,  /* the automatic rule for this compute capability */
	PROFILE_ENV,   /* an environment variable */
	PROFILE_USER   /* the user's choice in ggscope (option or TUI) */
};

#define PROFILE_TEXT_MAX 256

typedef struct profile_source {
	enum profile_origin origin;
	/* auto: the rule and its inputs; env: "VAR=value" and how it was read;
	 * user: the option. */
	char text[PROFILE_TEXT_MAX];
	/* A variable that was present but ignored or refused, or a value that
	 * cannot be launched as is; "" when none. */
	char note[PROFILE_TEXT_MAX];
} profile_source;

/* The automatic rule (see the top of this file and profile_detect). */
#define PROFILE_RULE_GGSCOPE 0  /* the seed's, but the stream dp4a kernels on cc 9.x: the default */
#define PROFILE_RULE_SEED 1     /* the seed exactly: hw_dp4a on sm_75+, mwv before, no STREAM_* */
#define PROFILE_RULE_UPSTREAM 2 /* the seed with Q4_K mwv on every GPU: aprender#2323, 2026-07-27 */

/* The warp counts the stream kernels take (the registry's WARPS 1..4), and
 * the registry's default, used where no rule picks another. */
#define PROFILE_STREAM_WARPS_MIN 1
#define PROFILE_STREAM_WARPS_MAX 4
#define PROFILE_STREAM_WARPS_REGISTRY 2

typedef struct gpu_profile {
	enum profile_q4k q4k;
	enum profile_q6k q6k;
	unsigned mwv_warps;        /* warps per block of the multi-warp kernels; not range-checked, like the seed */
	unsigned stream_warps;     /* warps per block of ggscope's stream kernels, 1..4 */
	bool batched_prefill;      /* prefill_path: true = "batched", false = "serial" */
	bool hgemm_decode;
	bool fused_gate_up;
	bool fp8_prefill;
	bool fp8_decode;
	bool w4a16_interleaved;
	char sm_target[16];        /* "sm_90"; clamped to sm_90 above cc 9.0, as the seed's PTX target */
	unsigned cc;               /* major * 10 + minor: 90 */
	profile_source src[PROFILE_F_COUNT];
} gpu_profile;

/* The user's own choices; a negative value (or PROFILE_UNSET) = not chosen. */
#define PROFILE_UNSET (-1)
typedef struct profile_user {
	int q4k;                   /* enum profile_q4k */
	int q6k;                   /* enum profile_q6k */
	long mwv_warps;
	long stream_warps;
	int batched_prefill, hgemm_decode, fused_gate_up, fp8_prefill, fp8_decode, w4a16_interleaved; /* 0/1 */
	const char *how;           /* shown as the source, e.g. "--q4k"; NULL = "user choice" */
} profile_user;

/* All fields PROFILE_UNSET. */
void profile_user_init(profile_user *u);

/* Looks an environment variable up: its value, or NULL when unset.
 * (An empty value is set: the seed's presence checks count it.) */
typedef const char *(*profile_getenv_fn)(const char *name, void *ctx);

/* Resolve the profile for compute capability major.minor under `rule`
 * (PROFILE_RULE_*; PROFILE_RULE_GGSCOPE is ggscope's default). Under the
 * seed and upstream rules ggscope's variables are ignored, with a note, as
 * the seed ignores them; user choices count under every rule.
 * getenv_fn NULL reads the process environment; user may be NULL.
 * Returns 0, or -1 with err for a capability outside 1.0..99.9, a rule out
 * of range, or a user choice that cannot hold (fused_gate_up on without
 * q4k_hw_dp4a, a variant id out of range, mwv_warps outside 1..32,
 * stream_warps outside 1..4). */
int profile_detect(int cc_major, int cc_minor, profile_getenv_fn getenv_fn, void *getenv_ctx,
	const profile_user *user, int rule, gpu_profile *out, errmsg *err);

/* "ggscope", "seed", "upstream"; "?" when out of range. */
const char *profile_rule_name(int rule);

/* A rule by its name (exact, lowercase); -1 when unknown. */
int profile_rule_parse(const char *s);

/* Whether a variant is one of ggscope's stream kernels (no seed variable
 * selects it; its warps come from stream_warps). */
bool profile_q4k_is_stream(enum profile_q4k v);
bool profile_q6k_is_stream(enum profile_q6k v);

/* The warp count a variant runs at. */
enum profile_warps {
	PROFILE_WARPS_OWN,    /* its own, fixed by the registry (legacy, wide, vectorized) */
	PROFILE_WARPS_MWV,    /* mwv_warps (MWV_WARPS) */
	PROFILE_WARPS_STREAM  /* stream_warps (ggscope's STREAM_WARPS) */
};

/* A variable that selects a variant by presence alone. */
typedef struct profile_env_var {
	const char *var;          /* "HW_DP4A_Q4K" */
	int variant;              /* enum profile_q4k or profile_q6k, by the field whose list holds it */
	bool ggscope;             /* ggscope's variable: the seed engine, and the seed and upstream rules, ignore it */
	enum profile_warps warps; /* where the selected variant's warp count comes from */
} profile_env_var;

/* The variables that select field f's variant (PROFILE_F_Q4K or
 * PROFILE_F_Q6K) in precedence order, the order profile_detect checks them
 * and the manual lists them: the first one present wins. Sets *n; returns
 * NULL and sets *n to 0 for any other field. The Q6_K legacy kernel
 * (q6k_basic) has no variable. */
const profile_env_var *profile_env_vars(enum profile_field f, size_t *n);

/* Names. */
const char *profile_q4k_name(enum profile_q4k v);   /* "q4k_hw_dp4a"; "?" when out of range */
const char *profile_q6k_name(enum profile_q6k v);   /* "q6k_hw_dp4a" */
/* The seed's enum: "HwDp4a"; BASIC is the seed's "Legacy"; ggscope's own
 * kernels, which the seed lacks, are "Stream (ggscope)", "StreamDp4a (ggscope)". */
const char *profile_q4k_seed_name(enum profile_q4k v);
const char *profile_q6k_seed_name(enum profile_q6k v);
const char *profile_field_name(enum profile_field f);  /* "q4k", "mwv_warps", "stream_warps", ... */
const char *profile_origin_name(enum profile_origin o);/* "auto", "env", "user" */

/* Parse a variant name: the registry name ("q4k_mwv"), the short name
 * ("mwv", "stream_dp4a") or the seed's ("Mwv", any case; "StreamDp4a" for
 * ggscope's). -1 when unknown. */
int profile_q4k_parse(const char *s);
int profile_q6k_parse(const char *s);

/* The seed's MWV_WARPS parse (Rust's u32::from_str): an optional '+', then
 * ASCII digits only, at most 4294967295. Returns true and sets *out, or false
 * (the seed then uses 3). */
bool profile_parse_u32(const char *s, unsigned *out);

/* A field's value as text ("q4k_hw_dp4a", "3", "batched", "on", "sm_90", "90"). */
const char *profile_field_value(const gpu_profile *p, enum profile_field f, char *buf, size_t len);

/* The compute capability parsed from "9.0", "90" or "sm_90". Returns 0, or
 * -1 with err on anything else. */
int profile_parse_cc(const char *s, int *major, int *minor, errmsg *err);

/* The profile as a json-c object: {"q4k": {"value": "q4k_hw_dp4a",
 * "source": "auto", "rule": "...", "note": "..."}, ...} in field order.
 * Never fails (json-c aborts through xalloc-style handling on OOM). */
struct json_object;
struct json_object *profile_to_json(const gpu_profile *p);

#endif
