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
 * The Q4_K default: ggscope follows the seed (hw_dp4a on sm_75+, mwv
 * before), which is what the seed file states and what realizar shipped
 * from 2026-03-06. The newest upstream (aprender#2323, 2026-07-27) defaults
 * to mwv on every GPU because the Q8_1 activations of the dp4a kernels
 * misestimate massive-activation channels by ~15%; `ggscope profile
 * --q4k-rule upstream` shows that profile, and `ggscope outliers` shows the
 * damage that motivated it. The rule text of every field says which rule
 * produced it. */
#ifndef GGSCOPE_PROFILE_H
#define GGSCOPE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "errmsg.h"

/* The seed's Q4kVariant, named as ggscope's variant registry names them. */
enum profile_q4k {
	PROFILE_Q4K_LEGACY,     /* Legacy: "q4k_legacy" */
	PROFILE_Q4K_WIDE,       /* Wide: "q4k_wide" */
	PROFILE_Q4K_VECTORIZED, /* Vectorized: "q4k_vectorized" */
	PROFILE_Q4K_MWV_DP4A,   /* MwvDp4a: "q4k_mwv_dp4a" */
	PROFILE_Q4K_HW_DP4A,    /* HwDp4a: "q4k_hw_dp4a" */
	PROFILE_Q4K_MWV,        /* Mwv: "q4k_mwv" */
	PROFILE_Q4K_COUNT
};

/* The seed's Q6kVariant. */
enum profile_q6k {
	PROFILE_Q6K_BASIC,      /* Legacy (1-warp Q6KGemv): "q6k_basic" */
	PROFILE_Q6K_MWV,        /* Mwv: "q6k_mwv" */
	PROFILE_Q6K_DP4A,       /* Dp4a: "q6k_dp4a" */
	PROFILE_Q6K_HW_DP4A,    /* HwDp4a: "q6k_hw_dp4a" */
	PROFILE_Q6K_COUNT
};

/* The fields, in the order they are shown (the seed's serialised keys). */
enum profile_field {
	PROFILE_F_Q4K,
	PROFILE_F_Q6K,
	PROFILE_F_MWV_WARPS,
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

/* The Q4_K default rule ggscope uses (see profile_detect). */
#define PROFILE_Q4K_RULE_SEED 0     /* hw_dp4a on sm_75+, mwv before: the seed */
#define PROFILE_Q4K_RULE_UPSTREAM 1 /* mwv on every GPU: aprender#2323, 2026-07-27 */

typedef struct gpu_profile {
	enum profile_q4k q4k;
	enum profile_q6k q6k;
	unsigned mwv_warps;        /* warps per block of the multi-warp kernels; not range-checked, like the seed */
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
	int batched_prefill, hgemm_decode, fused_gate_up, fp8_prefill, fp8_decode, w4a16_interleaved; /* 0/1 */
	const char *how;           /* shown as the source, e.g. "--q4k"; NULL = "user choice" */
} profile_user;

/* All fields PROFILE_UNSET. */
void profile_user_init(profile_user *u);

/* Looks an environment variable up: its value, or NULL when unset.
 * (An empty value is set: the seed's presence checks count it.) */
typedef const char *(*profile_getenv_fn)(const char *name, void *ctx);

/* Resolve the profile for compute capability major.minor.
 * getenv_fn NULL reads the process environment; user may be NULL.
 * q4k_rule is PROFILE_Q4K_RULE_SEED for ggscope's default.
 * Returns 0, or -1 with err for a capability outside 1.0..99.9 or a user
 * choice that cannot hold (fused_gate_up on without q4k_hw_dp4a, a variant
 * id out of range, mwv_warps outside 1..32). */
int profile_detect(int cc_major, int cc_minor, profile_getenv_fn getenv_fn, void *getenv_ctx,
	const profile_user *user, int q4k_rule, gpu_profile *out, errmsg *err);

/* Names. */
const char *profile_q4k_name(enum profile_q4k v);   /* "q4k_hw_dp4a"; "?" when out of range */
const char *profile_q6k_name(enum profile_q6k v);   /* "q6k_hw_dp4a" */
const char *profile_q4k_seed_name(enum profile_q4k v); /* the seed's enum: "HwDp4a" */
const char *profile_q6k_seed_name(enum profile_q6k v); /* "HwDp4a"; BASIC is the seed's "Legacy" */
const char *profile_field_name(enum profile_field f);  /* "q4k", "mwv_warps", "prefill_path", ... */
const char *profile_origin_name(enum profile_origin o);/* "auto", "env", "user" */

/* Parse a variant name: the registry name ("q4k_mwv"), the short name
 * ("mwv") or the seed's ("Mwv", any case). -1 when unknown. */
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
