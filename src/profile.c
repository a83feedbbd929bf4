/* profile: the GpuProfile (see profile.h).
 *
 * Rules and variable semantics follow paiml/realizar src/cuda/gpu_profile.rs
 * (HEAD 40edaa93) and, where the newest upstream (paiml/aprender
 * crates/aprender-serve/src/cuda/gpu_profile.rs) fixed an inconsistency,
 * the newer behaviour; each such place says so. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "profile.h"

struct vnames {
	const char *name, *short_name, *seed;
};

static const struct vnames q4k_names[PROFILE_Q4K_COUNT] = {
	[PROFILE_Q4K_LEGACY] = { "q4k_legacy", "legacy", "Legacy" },
	[PROFILE_Q4K_WIDE] = { "q4k_wide", "wide", "Wide" },
	[PROFILE_Q4K_VECTORIZED] = { "q4k_vectorized", "vectorized", "Vectorized" },
	[PROFILE_Q4K_MWV_DP4A] = { "q4k_mwv_dp4a", "mwv_dp4a", "MwvDp4a" },
	[PROFILE_Q4K_HW_DP4A] = { "q4k_hw_dp4a", "hw_dp4a", "HwDp4a" },
	[PROFILE_Q4K_MWV] = { "q4k_mwv", "mwv", "Mwv" },
	/* ggscope's own kernels: the seed has no such variant. */
	[PROFILE_Q4K_STREAM] = { "q4k_stream", "stream", "Stream (ggscope)" },
	[PROFILE_Q4K_STREAM_DP4A] = { "q4k_stream_dp4a", "stream_dp4a", "StreamDp4a (ggscope)" },
};

static const struct vnames q6k_names[PROFILE_Q6K_COUNT] = {
	[PROFILE_Q6K_BASIC] = { "q6k_basic", "basic", "Legacy" },
	[PROFILE_Q6K_MWV] = { "q6k_mwv", "mwv", "Mwv" },
	[PROFILE_Q6K_DP4A] = { "q6k_dp4a", "dp4a", "Dp4a" },
	[PROFILE_Q6K_HW_DP4A] = { "q6k_hw_dp4a", "hw_dp4a", "HwDp4a" },
	[PROFILE_Q6K_STREAM] = { "q6k_stream", "stream", "Stream (ggscope)" },
	[PROFILE_Q6K_STREAM_DP4A] = { "q6k_stream_dp4a", "stream_dp4a", "StreamDp4a (ggscope)" },
};

static const char *const field_names[PROFILE_F_COUNT] = {
	[PROFILE_F_Q4K] = "q4k",
	[PROFILE_F_Q6K] = "q6k",
	[PROFILE_F_MWV_WARPS] = "mwv_warps",
	[PROFILE_F_STREAM_WARPS] = "stream_warps",
	[PROFILE_F_PREFILL_PATH] = "prefill_path",
	[PROFILE_F_HGEMM_DECODE] = "hgemm_decode",
	[PROFILE_F_FUSED_GATE_UP] = "fused_gate_up",
	[PROFILE_F_FP8_PREFILL] = "fp8_prefill",
	[PROFILE_F_FP8_DECODE] = "fp8_decode",
	[PROFILE_F_W4A16_INTERLEAVED] = "w4a16_interleaved",
	[PROFILE_F_SM_TARGET] = "sm_target",
	[PROFILE_F_CC] = "cc",
};

/* The Q4K overrides, first present wins; all read by presence. ggscope's
 * own come first: set, they mean "run ggscope's kernel", which only ggscope
 * can, so a seed variable left set beside them must not hide them. The
 * report's recommendation is built from these lists too, so what it tells
 * the user to set is what this module reads. */
static const profile_env_var q4k_env[] = {
	{ "STREAM_DP4A_Q4K", PROFILE_Q4K_STREAM_DP4A, true, PROFILE_WARPS_STREAM },
	{ "STREAM_Q4K", PROFILE_Q4K_STREAM, true, PROFILE_WARPS_STREAM },
	{ "WIDE_Q4K_DISABLE", PROFILE_Q4K_LEGACY, false, PROFILE_WARPS_OWN },
	{ "WIDE_Q4K", PROFILE_Q4K_WIDE, false, PROFILE_WARPS_OWN },
	{ "VECTORIZED_Q4K", PROFILE_Q4K_VECTORIZED, false, PROFILE_WARPS_OWN },
	{ "HW_DP4A_Q4K", PROFILE_Q4K_HW_DP4A, false, PROFILE_WARPS_MWV },
	{ "DP4A_Q4K", PROFILE_Q4K_MWV_DP4A, false, PROFILE_WARPS_MWV },
	{ "MWV_Q4K", PROFILE_Q4K_MWV, false, PROFILE_WARPS_MWV },
};

static const profile_env_var q6k_env[] = {
	{ "STREAM_DP4A_Q6K", PROFILE_Q6K_STREAM_DP4A, true, PROFILE_WARPS_STREAM },
	{ "STREAM_Q6K", PROFILE_Q6K_STREAM, true, PROFILE_WARPS_STREAM },
	{ "HW_DP4A_Q6K", PROFILE_Q6K_HW_DP4A, false, PROFILE_WARPS_MWV },
	{ "DP4A_Q6K", PROFILE_Q6K_DP4A, false, PROFILE_WARPS_MWV },
	{ "MWV_Q6K", PROFILE_Q6K_MWV, false, PROFILE_WARPS_MWV },
};

#define N_Q4K_ENV (sizeof q4k_env / sizeof q4k_env[0])
#define N_Q6K_ENV (sizeof q6k_env / sizeof q6k_env[0])

/* Turing is where the seed's DP4A kernels were validated (DP4A itself exists
 * from sm_61); FP8 tensor cores arrive with Ada (8.9); batched prefill
 * corrupted the KV cache on sm_12x (PMAT-810); WMMA needs Volta. */
#define CC_DP4A 75
#define CC_FP8 89
#define CC_SM12X 120
#define CC_WMMA 70
#define MWV_WARPS_DEFAULT 3u
/* Where ggscope's stream kernels were measured (H100, sm_90). */
#define CC_STREAM_MAJOR 9
/* The ggscope rule's STREAM_WARPS on cc 9.x. One count serves both types.
 * With the shared-memory rings (q4k_stream_dp4a's STREAM_RING, q6k's
 * STREAM_XSMEM; H100, 2026-11-26 00:00, commit 862d85e, BENCHMARKS.md) 4
 * warps were fastest on all three Q4_K shapes of issue 8 (13.62, 12.96,
 * 5.38 us; 2 warps 16.34, 13.36, 6.16) and 2% behind 2 warps on Q6_K
 * 4096 x 14336 (19.20 against 18.80 us with 128-byte copies, commit
 * 0bbc4c5), and the demo layer's tuning report picked 4 (73.6 us summed,
 * Q8_1 included, docs/examples/report-demo.md).
 * Before the rings the demo sum was 82.0 us at 4, 83.8 at 2, 90.2 at 1,
 * 93.4 at 3. */
#define STREAM_WARPS_SM90 4u

const char *
profile_q4k_name(enum profile_q4k v)
{
	return (unsigned)v < PROFILE_Q4K_COUNT ? q4k_names[v].name : "?";
}

const char *
profile_q6k_name(enum profile_q6k v)
{
	return (unsigned)v < PROFILE_Q6K_COUNT ? q6k_names[v].name : "?";
}

const char *
profile_q4k_seed_name(enum profile_q4k v)
{
	return (unsigned)v < PROFILE_Q4K_COUNT ? q4k_names[v].seed : "?";
}

const char *
profile_q6k_seed_name(enum profile_q6k v)
{
	return (unsigned)v < PROFILE_Q6K_COUNT ? q6k_names[v].seed : "?";
}

bool
profile_q4k_is_stream(enum profile_q4k v)
{
	return v == PROFILE_Q4K_STREAM || v == PROFILE_Q4K_STREAM_DP4A;
}

bool
profile_q6k_is_stream(enum profile_q6k v)
{
	return v == PROFILE_Q6K_STREAM || v == PROFILE_Q6K_STREAM_DP4A;
}

const profile_env_var *
profile_env_vars(enum profile_field f, size_t *n)
{
	switch (f) {
	case PROFILE_F_Q4K:
		*n = N_Q4K_ENV;
		return q4k_env;
	case PROFILE_F_Q6K:
		*n = N_Q6K_ENV;
		return q6k_env;
	default:
		*n = 0;
		return NULL;
	}
}

static const char *const rule_names[] = {
	[PROFILE_RULE_GGSCOPE] = "ggscope",
	[PROFILE_RULE_SEED] = "seed",
	[PROFILE_RULE_UPSTREAM] = "upstream",
};

#define N_RULES (sizeof rule_names / sizeof rule_names[0])

const char *
profile_rule_name(int rule)
{
	return rule >= 0 && (size_t)rule < N_RULES ? rule_names[rule] : "?";
}

int
profile_rule_parse(const char *s)
{
	size_t i;

	for (i = 0; i < N_RULES; i++)
		if (strcmp(s, rule_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
profile_field_name(enum profile_field f)
{
	return (unsigned)f < PROFILE_F_COUNT ? field_names[f] : "?";
}

const char *
profile_origin_name(enum profile_origin o)
{
	switch (o) {
	case PROFILE_AUTO:
		return "auto";
	case PROFILE_ENV:
		return "env";
	case PROFILE_USER:
		return "user";
	}
	return "?";
}

int
profile_q4k_parse(const char *s)
{
	int i;

	for (i = 0; i < PROFILE_Q4K_COUNT; i++)
		if (strcasecmp(s, q4k_names[i].name) == 0 || strcasecmp(s, q4k_names[i].short_name) == 0
			|| strcasecmp(s, q4k_names[i].seed) == 0)
			return i;
	return -1;
}

int
profile_q6k_parse(const char *s)
{
	int i;

	for (i = 0; i < PROFILE_Q6K_COUNT; i++)
		if (strcasecmp(s, q6k_names[i].name) == 0 || strcasecmp(s, q6k_names[i].short_name) == 0
			|| strcasecmp(s, q6k_names[i].seed) == 0)
			return i;
	return -1;
}

bool
profile_parse_u32(const char *s, unsigned *out)
{
	unsigned long long v = 0;

	if (*s == '+')
		s++;
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 4294967295ull)
			return false;
	}
	*out = (unsigned)v;
	return true;
}

int
profile_parse_cc(const char *s, int *major, int *minor, errmsg *err)
{
	const char *p = s;
	char *end;
	long a, b;

	if (strncasecmp(p, "sm_", 3) == 0)
		p += 3;
	if (!isdigit((unsigned char)*p))
		goto bad;
	a = strtol(p, &end, 10);
	if (*end == '.') {
		if (!isdigit((unsigned char)end[1]))
			goto bad;
		b = strtol(end + 1, &end, 10);
		if (*end != '\0' || a < 1 || a > 99 || b < 0 || b > 9)
			goto bad;
	} else {
		/* "90" / "sm_90" / "sm_121": the last digit is the minor. */
		if (*end != '\0' || a < 10 || a > 999)
			goto bad;
		b = a % 10;
		a /= 10;
	}
	*major = (int)a;
	*minor = (int)b;
	return 0;
bad:
	errmsg_set(err, "compute capability '%s': expected MAJOR.MINOR (9.0), 90 or sm_90", s);
	return -1;
}

static const char *
env_get(profile_getenv_fn fn, void *ctx, const char *name)
{
	if (fn == NULL)
		return getenv(name);
	return fn(name, ctx);
}

static void
src_set(profile_source *s, enum profile_origin o, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
src_set(profile_source *s, enum profile_origin o, const char *fmt, ...)
{
	va_list ap;

	s->origin = o;
	va_start(ap, fmt);
	vsnprintf(s->text, sizeof s->text, fmt, ap);
	va_end(ap);
}

static void
src_note(profile_source *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
src_note(profile_source *s, const char *fmt, ...)
{
	va_list ap;
	size_t used = strlen(s->note);

	if (used > 0 && used + 2 < sizeof s->note) {
		strcpy(s->note + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(s->note + used, sizeof s->note - used, fmt, ap);
	va_end(ap);
}

static const char *
user_how(const profile_user *u, const char *dflt)
{
	return u != NULL && u->how != NULL ? u->how : dflt;
}

/* A type's presence-checked variables: the first one present that the rule
 * honours sets s (origin and text) and its index is returned; -1 when none
 * does or the user's choice wins. Every other one that is set gets a note
 * saying why it had no effect: an earlier one or the user's choice won, or
 * it is ggscope's and the rule is the seed's, which ignores it. */
static int
env_pick(profile_source *s, const profile_env_var *list, size_t n, const struct vnames *names, int rule,
	bool user_wins, profile_getenv_fn fn, void *ctx)
{
	const char *winner = NULL;
	int found = -1;
	size_t i;

	for (i = 0; i < n && !user_wins; i++) {
		const char *v = env_get(fn, ctx, list[i].var);

		if (v == NULL || (list[i].ggscope && rule != PROFILE_RULE_GGSCOPE))
			continue;
		found = (int)i;
		winner = list[i].var;
		if (list[i].ggscope)
			src_set(s, PROFILE_ENV, "%s=%s (ggscope's variable, the seed engine ignores it; read by presence "
				"like the seed's: any value, even 0 or empty, selects %s)", list[i].var, v,
				names[list[i].variant].short_name);
		else
			src_set(s, PROFILE_ENV, "%s=%s (read by presence: any value, even 0 or empty, selects %s)",
				list[i].var, v, names[list[i].variant].short_name);
		break;
	}
	for (i = 0; i < n; i++) {
		if (env_get(fn, ctx, list[i].var) == NULL || (winner != NULL && strcmp(list[i].var, winner) == 0))
			continue;
		if (list[i].ggscope && rule != PROFILE_RULE_GGSCOPE)
			src_note(s, "%s is ggscope's variable: ignored under the %s rule, as the seed engine ignores it",
				list[i].var, profile_rule_name(rule));
		else if (winner != NULL)
			src_note(s, "%s is set too but %s comes first", list[i].var, winner);
		else
			src_note(s, "%s is set but a user choice wins", list[i].var);
	}
	return found;
}

static void
detect_q4k(gpu_profile *p, unsigned cc, int rule, const profile_user *u, profile_getenv_fn fn, void *ctx)
{
	profile_source *s = &p->src[PROFILE_F_Q4K];
	bool user = u != NULL && u->q4k >= 0;
	int i;

	if (user) {
		p->q4k = (enum profile_q4k)u->q4k;
		src_set(s, PROFILE_USER, "%s %s", user_how(u, "user choice"), profile_q4k_name(p->q4k));
	}
	i = env_pick(s, q4k_env, N_Q4K_ENV, q4k_names, rule, user, fn, ctx);
	if (user)
		return;
	if (i >= 0) {
		p->q4k = (enum profile_q4k)q4k_env[i].variant;
	} else if (rule == PROFILE_RULE_UPSTREAM) {
		p->q4k = PROFILE_Q4K_MWV;
		src_set(s, PROFILE_AUTO, "mwv on every GPU (upstream rule since aprender#2323, 2026-07-27: "
			"fp32 activations keep massive-activation channels exact)");
	} else if (rule == PROFILE_RULE_GGSCOPE && cc / 10 == CC_STREAM_MAJOR) {
		p->q4k = PROFILE_Q4K_STREAM_DP4A;
		src_set(s, PROFILE_AUTO, "cc %u -> stream_dp4a, ggscope's kernel (ggscope's rule: fastest in sum on the "
			"H100, BENCHMARKS.md; 14336 x 4096 13.0 us with its shared-memory ring, hw_dp4a 23.5); the seed: hw_dp4a", cc);
	} else if (cc >= CC_DP4A) {
		p->q4k = PROFILE_Q4K_HW_DP4A;
		src_set(s, PROFILE_AUTO, "cc %u >= 75 has DP4A -> hw_dp4a (the seed's rule; newest upstream "
			"defaults to mwv on every GPU for outlier accuracy)", cc);
	} else {
		p->q4k = PROFILE_Q4K_MWV;
		src_set(s, PROFILE_AUTO, "cc %u < 75: no validated DP4A -> mwv (the seed's rule)", cc);
	}
}

static void
detect_q6k(gpu_profile *p, unsigned cc, int rule, const profile_user *u, profile_getenv_fn fn, void *ctx)
{
	profile_source *s = &p->src[PROFILE_F_Q6K];
	bool user = u != NULL && u->q6k >= 0;
	int i;

	if (user) {
		p->q6k = (enum profile_q6k)u->q6k;
		src_set(s, PROFILE_USER, "%s %s", user_how(u, "user choice"), profile_q6k_name(p->q6k));
	}
	i = env_pick(s, q6k_env, N_Q6K_ENV, q6k_names, rule, user, fn, ctx);
	if (user)
		return;
	if (i >= 0) {
		p->q6k = (enum profile_q6k)q6k_env[i].variant;
	} else if (rule == PROFILE_RULE_GGSCOPE && cc / 10 == CC_STREAM_MAJOR) {
		p->q6k = PROFILE_Q6K_STREAM_DP4A;
		src_set(s, PROFILE_AUTO, "cc %u -> stream_dp4a, ggscope's kernel (ggscope's rule: fastest in sum on the "
			"H100, BENCHMARKS.md; 4096 x 14336 18.8 us with x copied beside the weights, hw_dp4a 25.6); the seed: hw_dp4a", cc);
	} else if (cc >= CC_DP4A) {
		p->q6k = PROFILE_Q6K_HW_DP4A;
		src_set(s, PROFILE_AUTO, "cc %u >= 75 has DP4A -> hw_dp4a (kept after PMAT-806: mwv Q6_K diverged on the LM head)", cc);
	} else {
		p->q6k = PROFILE_Q6K_MWV;
		src_set(s, PROFILE_AUTO, "cc %u < 75: no validated DP4A -> mwv", cc);
	}
}

static void
detect_mwv_warps(gpu_profile *p, const profile_user *u, profile_getenv_fn fn, void *ctx)
{
	profile_source *s = &p->src[PROFILE_F_MWV_WARPS];
	const char *v = env_get(fn, ctx, "MWV_WARPS");
	unsigned w;

	if (u != NULL && u->mwv_warps >= 0) {
		p->mwv_warps = (unsigned)u->mwv_warps;
		src_set(s, PROFILE_USER, "%s %u", user_how(u, "user choice"), p->mwv_warps);
		if (v != NULL)
			src_note(s, "MWV_WARPS=%s is set but a user choice wins", v);
	} else if (v != NULL && profile_parse_u32(v, &w)) {
		p->mwv_warps = w;
		src_set(s, PROFILE_ENV, "MWV_WARPS=%s (parsed as u32)", v);
		if (w == 0)
			src_note(s, "0 warps would launch 0 threads: the seed does not range-check it, ggscope refuses to launch it");
	} else if (v != NULL) {
		p->mwv_warps = MWV_WARPS_DEFAULT;
		src_set(s, PROFILE_ENV, "MWV_WARPS=%s does not parse as u32 -> 3, as the seed does", v);
	} else {
		p->mwv_warps = MWV_WARPS_DEFAULT;
		src_set(s, PROFILE_AUTO, "default 3 (GH-219 sweep: 3 warps 114.0 tok/s vs 4 113.7 on an RTX 4090; PMAT-089 kept 3)");
	}
}

/* STREAM_WARPS: parsed as MWV_WARPS is, but only the stream kernels' legal
 * counts are taken; anything else gives the default, with a note, since
 * ggscope cannot launch it and the seed never reads it. */
static void
detect_stream_warps(gpu_profile *p, unsigned cc, int rule, const profile_user *u, profile_getenv_fn fn, void *ctx)
{
	profile_source *s = &p->src[PROFILE_F_STREAM_WARPS];
	const char *v = env_get(fn, ctx, "STREAM_WARPS");
	bool sm90 = rule == PROFILE_RULE_GGSCOPE && cc / 10 == CC_STREAM_MAJOR;
	bool used = profile_q4k_is_stream(p->q4k) || profile_q6k_is_stream(p->q6k);
	unsigned dflt = sm90 ? STREAM_WARPS_SM90 : PROFILE_STREAM_WARPS_REGISTRY, w;
	bool legal = v != NULL && profile_parse_u32(v, &w) && w >= PROFILE_STREAM_WARPS_MIN &&
		w <= PROFILE_STREAM_WARPS_MAX;

	if (u != NULL && u->stream_warps >= 0) {
		p->stream_warps = (unsigned)u->stream_warps;
		src_set(s, PROFILE_USER, "%s %u", user_how(u, "user choice"), p->stream_warps);
		if (v != NULL)
			src_note(s, "STREAM_WARPS=%s is set but a user choice wins", v);
	} else if (legal && rule == PROFILE_RULE_GGSCOPE) {
		p->stream_warps = w;
		src_set(s, PROFILE_ENV, "STREAM_WARPS=%s (ggscope's variable, parsed as u32 like MWV_WARPS, 1..4; "
			"the seed engine ignores it)", v);
	} else {
		p->stream_warps = dflt;
		if (sm90)
			src_set(s, PROFILE_AUTO, "cc %u -> 4 (ggscope's rule: the stream_dp4a pair on "
				"the H100, BENCHMARKS.md: fastest on issue 8's Q4_K shapes, and the demo layer's report picks it)%s", cc,
				used ? "" : "; unused here");
		else
			src_set(s, PROFILE_AUTO, "%u, the registry's default for the stream kernels%s", dflt,
				used ? "" : " (unused: neither q4k nor q6k is a stream kernel)");
		if (v != NULL && rule != PROFILE_RULE_GGSCOPE)
			src_note(s, "STREAM_WARPS is ggscope's variable: ignored under the %s rule, as the seed engine "
				"ignores it", profile_rule_name(rule));
		else if (v != NULL && !legal && !profile_parse_u32(v, &w))
			src_note(s, "STREAM_WARPS=%s does not parse as u32 -> the default %u", v, dflt);
		else if (v != NULL)
			src_note(s, "STREAM_WARPS=%s is outside 1..4, the stream kernels' warps -> the default %u", v, dflt);
	}
	if (!used && s->origin != PROFILE_AUTO)
		src_note(s, "unused: neither q4k nor q6k is a stream kernel");
}

static void
detect_prefill(gpu_profile *p, unsigned cc, const profile_user *u, profile_getenv_fn fn, void *ctx)
{
	profile_source *s = &p->src[PROFILE_F_PREFILL_PATH];
	const char *v = env_get(fn, ctx, "BATCHED_PREFILL");

	if (u != NULL && u->batched_prefill >= 0) {
		p->batched_prefill = u->batched_prefill != 0;
		src_set(s, PROFILE_USER, "%s %s", user_how(u, "user choice"), p->batched_prefill ? "batched" : "serial");
	} else if (v != NULL) {
		p->batched_prefill = strcmp(v, "0") != 0;
		src_set(s, PROFILE_ENV, "BATCHED_PREFILL=%s (0 = serial, any other value = batched%s)", v,
			cc >= CC_SM12X ? ", forced even on sm_12x" : "");
	} else if (cc >= CC_SM12X) {
		p->batched_prefill = false;
		src_set(s, PROFILE_AUTO, "cc %u >= 120: serial (PMAT-810: batched prefill corrupted the KV cache on GB10)", cc);
	} else {
		p->batched_prefill = true;
		src_set(s, PROFILE_AUTO, "default batched (cc %u < 120)", cc);
	}
}

static void
detect_hgemm(gpu_profile *p, const profile_user *u, profile_getenv_fn fn, void *ctx)
{
	profile_source *s = &p->src[PROFILE_F_HGEMM_DECODE];
	const char *v = env_get(fn, ctx, "HGEMM_DECODE");

	if (u != NULL && u->hgemm_decode >= 0) {
		p->hgemm_decode = u->hgemm_decode != 0;
		src_set(s, PROFILE_USER, "%s %s", user_how(u, "user choice"), p->hgemm_decode ? "on" : "off");
	} else if (v != NULL) {
		p->hgemm_decode = strcmp(v, "1") == 0;
		src_set(s, PROFILE_ENV, "HGEMM_DECODE=%s (only 1 enables)", v);
	} else {
		p->hgemm_decode = false;
		src_set(s, PROFILE_AUTO, "off (PMAT-037: cuBLAS HGEMM at M=1 was slower, 109 vs 193 tok/s on an RTX 4090)");
	}
}

/* Newest upstream refuses FUSED_GATE_UP=1 unless q4k is hw_dp4a: the fused
 * kernel is only loaded on that path (realizar HEAD accepted it and would
 * launch a missing module). ggscope takes the newer behaviour. */
static int
detect_fused(gpu_profile *p, const profile_user *u, profile_getenv_fn fn, void *ctx, errmsg *err)
{
	profile_source *s = &p->src[PROFILE_F_FUSED_GATE_UP];
	const char *v = env_get(fn, ctx, "FUSED_GATE_UP");
	bool hw = p->q4k == PROFILE_Q4K_HW_DP4A;

	if (u != NULL && u->fused_gate_up >= 0) {
		if (u->fused_gate_up && !hw) {
			errmsg_set(err, "fused_gate_up needs q4k_hw_dp4a (the fused gate/up kernel is hw_dp4a only), q4k is %s",
				profile_q4k_name(p->q4k));
			return -1;
		}
		p->fused_gate_up = u->fused_gate_up != 0;
		src_set(s, PROFILE_USER, "%s %s", user_how(u, "user choice"), p->fused_gate_up ? "on" : "off");
	} else if (v != NULL && strcmp(v, "0") == 0) {
		p->fused_gate_up = false;
		src_set(s, PROFILE_ENV, "FUSED_GATE_UP=0 (0 = off, any other value = on)");
	} else if (v != NULL && hw) {
		p->fused_gate_up = true;
		src_set(s, PROFILE_ENV, "FUSED_GATE_UP=%s (0 = off, any other value = on)", v);
	} else {
		p->fused_gate_up = hw;
		src_set(s, PROFILE_AUTO, "%s: on exactly when q4k is hw_dp4a (the fused kernel is hw_dp4a only)", hw ? "on" : "off");
		if (v != NULL)
			src_note(s, "FUSED_GATE_UP=%s refused: q4k is %s, not hw_dp4a", v, profile_q4k_name(p->q4k));
	}
	return 0;
}

/* FP8_PREFILL / FP8_DECODE / W4A16_INTERLEAVED: only "0" and "1" count. */
static void
detect_fp8(gpu_profile *p, unsigned cc, const profile_user *u, profile_getenv_fn fn, void *ctx)
{
	profile_source *s = &p->src[PROFILE_F_FP8_PREFILL];
	profile_source *d = &p->src[PROFILE_F_FP8_DECODE];
	const char *v = env_get(fn, ctx, "FP8_PREFILL");
	const char *w = env_get(fn, ctx, "FP8_DECODE");

	if (u != NULL && u->fp8_prefill >= 0) {
		p->fp8_prefill = u->fp8_prefill != 0;
		src_set(s, PROFILE_USER, "%s %s", user_how(u, "user choice"), p->fp8_prefill ? "on" : "off");
	} else if (v != NULL && (strcmp(v, "0") == 0 || strcmp(v, "1") == 0)) {
		p->fp8_prefill = v[0] == '1';
		src_set(s, PROFILE_ENV, "FP8_PREFILL=%s (0 off, 1 on, anything else: the default)", v);
	} else {
		p->fp8_prefill = cc >= CC_FP8;
		src_set(s, PROFILE_AUTO, "cc %u %s 89 (FP8 tensor cores from Ada)", cc, cc >= CC_FP8 ? ">=" : "<");
		if (v != NULL)
			src_note(s, "FP8_PREFILL=%s ignored: only 0 and 1 count", v);
	}

	if (u != NULL && u->fp8_decode >= 0) {
		p->fp8_decode = u->fp8_decode != 0;
		src_set(d, PROFILE_USER, "%s %s", user_how(u, "user choice"), p->fp8_decode ? "on" : "off");
	} else if (w != NULL && (strcmp(w, "0") == 0 || strcmp(w, "1") == 0)) {
		p->fp8_decode = w[0] == '1';
		src_set(d, PROFILE_ENV, "FP8_DECODE=%s (0 off, 1 on, anything else: follows fp8_prefill)", w);
	} else {
		p->fp8_decode = p->fp8_prefill;
		src_set(d, PROFILE_AUTO, "follows fp8_prefill (%s)", p->fp8_prefill ? "on" : "off");
		if (w != NULL)
			src_note(d, "FP8_DECODE=%s ignored: only 0 and 1 count", w);
	}
}

static void
detect_w4a16(gpu_profile *p, unsigned cc, const profile_user *u, profile_getenv_fn fn, void *ctx)
{
	profile_source *s = &p->src[PROFILE_F_W4A16_INTERLEAVED];
	const char *v = env_get(fn, ctx, "W4A16_INTERLEAVED");

	if (u != NULL && u->w4a16_interleaved >= 0) {
		p->w4a16_interleaved = u->w4a16_interleaved != 0;
		src_set(s, PROFILE_USER, "%s %s", user_how(u, "user choice"), p->w4a16_interleaved ? "on" : "off");
	} else if (v != NULL && strcmp(v, "1") == 0) {
		p->w4a16_interleaved = cc >= CC_WMMA;
		src_set(s, PROFILE_ENV, "W4A16_INTERLEAVED=1 (on when cc >= 70)");
		if (cc < CC_WMMA)
			src_note(s, "cc %u < 70 has no WMMA: stays off", cc);
	} else if (v != NULL && strcmp(v, "0") == 0) {
		p->w4a16_interleaved = false;
		src_set(s, PROFILE_ENV, "W4A16_INTERLEAVED=0");
	} else {
		p->w4a16_interleaved = false;
		src_set(s, PROFILE_AUTO, "off by default (experimental upstream)");
		if (v != NULL)
			src_note(s, "W4A16_INTERLEAVED=%s ignored: only 0 and 1 count", v);
	}
}

void
profile_user_init(profile_user *u)
{
	u->q4k = u->q6k = PROFILE_UNSET;
	u->mwv_warps = PROFILE_UNSET;
	u->stream_warps = PROFILE_UNSET;
	u->batched_prefill = u->hgemm_decode = u->fused_gate_up = PROFILE_UNSET;
	u->fp8_prefill = u->fp8_decode = u->w4a16_interleaved = PROFILE_UNSET;
	u->how = NULL;
}

static int
check_user(const profile_user *u, errmsg *err)
{
	if (u == NULL)
		return 0;
	if (u->q4k >= PROFILE_Q4K_COUNT) {
		errmsg_set(err, "q4k variant id %d is out of range", u->q4k);
		return -1;
	}
	if (u->q6k >= PROFILE_Q6K_COUNT) {
		errmsg_set(err, "q6k variant id %d is out of range", u->q6k);
		return -1;
	}
	/* The user goes through ggscope, which checks what the seed did not. */
	if (u->mwv_warps != PROFILE_UNSET && (u->mwv_warps < 1 || u->mwv_warps > 32)) {
		errmsg_set(err, "mwv_warps %ld is outside 1..32 (a block holds at most 32 warps)", u->mwv_warps);
		return -1;
	}
	if (u->stream_warps != PROFILE_UNSET &&
	    (u->stream_warps < PROFILE_STREAM_WARPS_MIN || u->stream_warps > PROFILE_STREAM_WARPS_MAX)) {
		errmsg_set(err, "stream_warps %ld is outside 1..4 (the stream kernels' warps)", u->stream_warps);
		return -1;
	}
	return 0;
}

int
profile_detect(int cc_major, int cc_minor, profile_getenv_fn fn, void *ctx,
	const profile_user *u, int rule, gpu_profile *p, errmsg *err)
{
	unsigned cc;

	memset(p, 0, sizeof *p);
	if (cc_major < 1 || cc_major > 99 || cc_minor < 0 || cc_minor > 9) {
		errmsg_set(err, "compute capability %d.%d is outside 1.0..99.9", cc_major, cc_minor);
		return -1;
	}
	if (rule < 0 || (size_t)rule >= N_RULES) {
		errmsg_set(err, "profile rule %d is out of range", rule);
		return -1;
	}
	if (check_user(u, err) < 0)
		return -1;
	cc = (unsigned)(cc_major * 10 + cc_minor);
	p->cc = cc;
	src_set(&p->src[PROFILE_F_CC], PROFILE_AUTO, "compute capability %d.%d = major x 10 + minor", cc_major, cc_minor);

	/* GH-480: the PTX .target of the seed's generated kernels tops out at sm_90. */
	if (cc > 90) {
		snprintf(p->sm_target, sizeof p->sm_target, "sm_90");
		src_set(&p->src[PROFILE_F_SM_TARGET], PROFILE_AUTO, "cc %u > 90 clamped to sm_90 (the seed's PTX 8.0 target; the driver JIT still gets the real cc)", cc);
	} else {
		snprintf(p->sm_target, sizeof p->sm_target, "sm_%d%d", cc_major, cc_minor);
		src_set(&p->src[PROFILE_F_SM_TARGET], PROFILE_AUTO, "sm_<major><minor>");
	}

	detect_q4k(p, cc, rule, u, fn, ctx);
	detect_q6k(p, cc, rule, u, fn, ctx);
	detect_mwv_warps(p, u, fn, ctx);
	detect_stream_warps(p, cc, rule, u, fn, ctx);
	detect_prefill(p, cc, u, fn, ctx);
	detect_hgemm(p, u, fn, ctx);
	if (detect_fused(p, u, fn, ctx, err) < 0)
		return -1;
	detect_fp8(p, cc, u, fn, ctx);
	detect_w4a16(p, cc, u, fn, ctx);
	return 0;
}

const char *
profile_field_value(const gpu_profile *p, enum profile_field f, char *buf, size_t len)
{
	switch (f) {
	case PROFILE_F_Q4K:
		snprintf(buf, len, "%s", profile_q4k_name(p->q4k));
		break;
	case PROFILE_F_Q6K:
		snprintf(buf, len, "%s", profile_q6k_name(p->q6k));
		break;
	case PROFILE_F_MWV_WARPS:
		snprintf(buf, len, "%u", p->mwv_warps);
		break;
	case PROFILE_F_STREAM_WARPS:
		snprintf(buf, len, "%u", p->stream_warps);
		break;
	case PROFILE_F_PREFILL_PATH:
		snprintf(buf, len, "%s", p->batched_prefill ? "batched" : "serial");
		break;
	case PROFILE_F_HGEMM_DECODE:
		snprintf(buf, len, "%s", p->hgemm_decode ? "on" : "off");
		break;
	case PROFILE_F_FUSED_GATE_UP:
		snprintf(buf, len, "%s", p->fused_gate_up ? "on" : "off");
		break;
	case PROFILE_F_FP8_PREFILL:
		snprintf(buf, len, "%s", p->fp8_prefill ? "on" : "off");
		break;
	case PROFILE_F_FP8_DECODE:
		snprintf(buf, len, "%s", p->fp8_decode ? "on" : "off");
		break;
	case PROFILE_F_W4A16_INTERLEAVED:
		snprintf(buf, len, "%s", p->w4a16_interleaved ? "on" : "off");
		break;
	case PROFILE_F_SM_TARGET:
		snprintf(buf, len, "%s", p->sm_target);
		break;
	case PROFILE_F_CC:
		snprintf(buf, len, "%u", p->cc);
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
	return buf;
}

struct json_object *
profile_to_json(const gpu_profile *p)
{
	struct json_object *o = json_object_new_object();
	int f;

	for (f = 0; f < PROFILE_F_COUNT; f++) {
		struct json_object *e = json_object_new_object();
		char val[64];

		if (f == PROFILE_F_MWV_WARPS)
			json_object_object_add(e, "value", json_object_new_int64(p->mwv_warps));
		else if (f == PROFILE_F_STREAM_WARPS)
			json_object_object_add(e, "value", json_object_new_int64(p->stream_warps));
		else if (f == PROFILE_F_CC)
			json_object_object_add(e, "value", json_object_new_int64(p->cc));
		else if (f >= PROFILE_F_HGEMM_DECODE && f <= PROFILE_F_W4A16_INTERLEAVED)
			json_object_object_add(e, "value", json_object_new_boolean(
				strcmp(profile_field_value(p, (enum profile_field)f, val, sizeof val), "on") == 0));
		else
			json_object_object_add(e, "value", json_object_new_string(
				profile_field_value(p, (enum profile_field)f, val, sizeof val)));
		json_object_object_add(e, "source", json_object_new_string(profile_origin_name(p->src[f].origin)));
		json_object_object_add(e, "rule", json_object_new_string(p->src[f].text));
		if (p->src[f].note[0] != '\0')
			json_object_object_add(e, "note", json_object_new_string(p->src[f].note));
		json_object_object_add(o, field_names[f], e);
	}
	return o;
}
