/* Unit tests for profile: the seed's GpuProfile rules per compute
 * capability, every override variable with its exact semantics (presence
 * vs value) and precedence, user choices on top, and the JSON shape.
 * ggscope's own rule and its stream variables: test_profile_stream.c. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "profile.h"
#include "profile_fixtures.h"
#include "quant.h"
#include "variant.h"

static void
test_h100_defaults(void **state)
{
	gpu_profile p = detect(9, 0, NULL);
	char buf[64];
	int f;

	(void)state;
	assert_int_equal(p.q4k, PROFILE_Q4K_HW_DP4A);
	assert_string_equal(profile_q4k_name(p.q4k), "q4k_hw_dp4a");
	assert_int_equal(p.q6k, PROFILE_Q6K_HW_DP4A);
	assert_string_equal(profile_q6k_name(p.q6k), "q6k_hw_dp4a");
	assert_int_equal(p.mwv_warps, 3);
	assert_true(p.batched_prefill);
	assert_false(p.hgemm_decode);
	assert_true(p.fused_gate_up);
	assert_true(p.fp8_prefill);
	assert_true(p.fp8_decode);
	assert_false(p.w4a16_interleaved);
	assert_string_equal(p.sm_target, "sm_90");
	assert_int_equal(p.cc, 90);
	for (f = 0; f < PROFILE_F_COUNT; f++) {
		assert_int_equal(p.src[f].origin, PROFILE_AUTO);
		assert_true(p.src[f].text[0] != '\0');
		assert_string_equal(p.src[f].note, "");
	}
	assert_non_null(strstr(p.src[PROFILE_F_Q4K].text, "cc 90 >= 75"));
	assert_non_null(strstr(p.src[PROFILE_F_Q4K].text, "newest upstream defaults to mwv"));
	assert_string_equal(profile_field_value(&p, PROFILE_F_PREFILL_PATH, buf, sizeof buf), "batched");
	assert_string_equal(profile_field_value(&p, PROFILE_F_MWV_WARPS, buf, sizeof buf), "3");
	assert_int_equal(p.stream_warps, PROFILE_STREAM_WARPS_REGISTRY);
	assert_non_null(strstr(p.src[PROFILE_F_STREAM_WARPS].text, "unused"));
	assert_string_equal(profile_field_value(&p, PROFILE_F_FUSED_GATE_UP, buf, sizeof buf), "on");
	assert_string_equal(profile_field_value(&p, PROFILE_F_CC, buf, sizeof buf), "90");
}

/* Capability boundaries of every auto rule. */
static void
test_cc_rules(void **state)
{
	gpu_profile p;

	(void)state;
	p = detect(7, 0, NULL); /* Volta: no validated DP4A, no FP8 */
	assert_int_equal(p.q4k, PROFILE_Q4K_MWV);
	assert_int_equal(p.q6k, PROFILE_Q6K_MWV);
	assert_false(p.fused_gate_up);
	assert_false(p.fp8_prefill);
	assert_false(p.fp8_decode);
	assert_string_equal(p.sm_target, "sm_70");
	assert_non_null(strstr(p.src[PROFILE_F_Q4K].text, "cc 70 < 75"));

	p = detect(6, 1, NULL); /* DP4A exists on sm_61 but the seed does not use it there */
	assert_int_equal(p.q4k, PROFILE_Q4K_MWV);

	p = detect(7, 5, NULL);
	assert_int_equal(p.q4k, PROFILE_Q4K_HW_DP4A);
	assert_int_equal(p.q6k, PROFILE_Q6K_HW_DP4A);
	assert_false(p.fp8_prefill);

	p = detect(8, 6, NULL);
	assert_false(p.fp8_prefill);
	p = detect(8, 9, NULL);
	assert_true(p.fp8_prefill);
	assert_true(p.fp8_decode);
	assert_string_equal(p.sm_target, "sm_89");

	p = detect(10, 0, NULL); /* Blackwell datacenter: batched, PTX target clamped */
	assert_int_equal(p.cc, 100);
	assert_string_equal(p.sm_target, "sm_90");
	assert_non_null(strstr(p.src[PROFILE_F_SM_TARGET].text, "clamped"));
	assert_true(p.batched_prefill);

	p = detect(11, 9, NULL); /* cc 119: still batched */
	assert_true(p.batched_prefill);

	p = detect(12, 0, NULL); /* sm_12x: serial prefill */
	assert_int_equal(p.cc, 120);
	assert_false(p.batched_prefill);
	assert_non_null(strstr(p.src[PROFILE_F_PREFILL_PATH].text, "PMAT-810"));
	assert_string_equal(p.sm_target, "sm_90");

	p = detect(12, 1, NULL); /* GB10 */
	assert_int_equal(p.cc, 121);
	assert_false(p.batched_prefill);
	assert_int_equal(p.q4k, PROFILE_Q4K_HW_DP4A); /* the seed's rule: the cc >= 120 mwv rule came later */
}

/* The newest upstream rule: mwv everywhere, which also turns fused_gate_up off. */
static void
test_upstream_rule(void **state)
{
	static const env empty = { { NULL } };
	static const int ccs[] = { 60, 70, 75, 80, 86, 89, 90, 100, 120, 121 };
	gpu_profile p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof ccs / sizeof ccs[0]; i++) {
		assert_int_equal(profile_detect(ccs[i] / 10, ccs[i] % 10, fake_getenv, (void *)&empty, NULL,
			PROFILE_RULE_UPSTREAM, &p, NULL), 0);
		assert_int_equal(p.q4k, PROFILE_Q4K_MWV);
		assert_false(p.fused_gate_up);
		assert_non_null(strstr(p.src[PROFILE_F_Q4K].text, "aprender#2323"));
		/* Q6_K keeps the seed's rule; no stream kernel anywhere. */
		assert_int_equal(p.q6k, ccs[i] >= 75 ? PROFILE_Q6K_HW_DP4A : PROFILE_Q6K_MWV);
		assert_int_equal(p.stream_warps, PROFILE_STREAM_WARPS_REGISTRY);
	}
}

/* Presence-only variables: any value, even 0 or empty, selects the variant. */
static void
test_presence_semantics(void **state)
{
	env e = { { "HW_DP4A_Q4K", "0", NULL } };
	env e2 = { { "HW_DP4A_Q4K", "", NULL } };
	env e3 = { { "MWV_Q6K", "false", NULL } };
	gpu_profile p;

	(void)state;
	p = detect(7, 0, &e); /* would be mwv without it */
	assert_int_equal(p.q4k, PROFILE_Q4K_HW_DP4A);
	assert_int_equal(p.src[PROFILE_F_Q4K].origin, PROFILE_ENV);
	assert_non_null(strstr(p.src[PROFILE_F_Q4K].text, "HW_DP4A_Q4K=0"));
	assert_non_null(strstr(p.src[PROFILE_F_Q4K].text, "presence"));
	/* fused_gate_up follows the overridden q4k. */
	assert_true(p.fused_gate_up);

	p = detect(9, 0, &e2);
	assert_int_equal(p.q4k, PROFILE_Q4K_HW_DP4A);
	assert_int_equal(p.src[PROFILE_F_Q4K].origin, PROFILE_ENV);

	p = detect(9, 0, &e3);
	assert_int_equal(p.q6k, PROFILE_Q6K_MWV);
	assert_int_equal(p.src[PROFILE_F_Q6K].origin, PROFILE_ENV);
}

/* Q4K precedence: ggscope's STREAM_DP4A_Q4K > STREAM_Q4K, then the seed's
 * WIDE_Q4K_DISABLE > WIDE_Q4K > VECTORIZED_Q4K > HW_DP4A_Q4K > DP4A_Q4K >
 * MWV_Q4K; each pair, the earlier wins and the later is noted. */
static void
test_q4k_precedence(void **state)
{
	static const struct {
		const char *var;
		enum profile_q4k v;
	} order[] = {
		{ "STREAM_DP4A_Q4K", PROFILE_Q4K_STREAM_DP4A }, { "STREAM_Q4K", PROFILE_Q4K_STREAM },
		{ "WIDE_Q4K_DISABLE", PROFILE_Q4K_LEGACY }, { "WIDE_Q4K", PROFILE_Q4K_WIDE },
		{ "VECTORIZED_Q4K", PROFILE_Q4K_VECTORIZED }, { "HW_DP4A_Q4K", PROFILE_Q4K_HW_DP4A },
		{ "DP4A_Q4K", PROFILE_Q4K_MWV_DP4A }, { "MWV_Q4K", PROFILE_Q4K_MWV },
	};
	size_t i, j, n = sizeof order / sizeof order[0];

	(void)state;
	for (i = 0; i < n; i++) {
		env alone = { { order[i].var, "1", NULL } };
		gpu_profile p = detect_gg(9, 0, &alone);

		assert_int_equal(p.q4k, order[i].v);
		assert_string_equal(p.src[PROFILE_F_Q4K].note, "");
		for (j = i + 1; j < n; j++) {
			/* Put the later variable first in the environment: order there must not matter. */
			env both = { { order[j].var, "1", order[i].var, "1", NULL } };
			char want[128];

			p = detect_gg(9, 0, &both);
			assert_int_equal(p.q4k, order[i].v);
			assert_non_null(strstr(p.src[PROFILE_F_Q4K].text, order[i].var));
			snprintf(want, sizeof want, "%s is set too but %s comes first", order[j].var, order[i].var);
			assert_non_null(strstr(p.src[PROFILE_F_Q4K].note, want));
		}
	}
}

static void
test_q6k_precedence(void **state)
{
	env all = { { "MWV_Q6K", "1", "DP4A_Q6K", "1", "HW_DP4A_Q6K", "1", NULL } };
	env two = { { "MWV_Q6K", "1", "DP4A_Q6K", "1", NULL } };
	env gg = { { "MWV_Q6K", "1", "HW_DP4A_Q6K", "1", "STREAM_Q6K", "1", "STREAM_DP4A_Q6K", "1", NULL } };
	env gg2 = { { "HW_DP4A_Q6K", "1", "STREAM_Q6K", "", NULL } };
	gpu_profile p;

	(void)state;
	/* ggscope's variables come first, STREAM_DP4A_Q6K before STREAM_Q6K. */
	p = detect_gg(7, 0, &gg);
	assert_int_equal(p.q6k, PROFILE_Q6K_STREAM_DP4A);
	assert_non_null(strstr(p.src[PROFILE_F_Q6K].note, "STREAM_Q6K is set too but STREAM_DP4A_Q6K comes first"));
	assert_non_null(strstr(p.src[PROFILE_F_Q6K].note, "HW_DP4A_Q6K is set too but STREAM_DP4A_Q6K comes first"));
	assert_non_null(strstr(p.src[PROFILE_F_Q6K].note, "MWV_Q6K is set too"));
	p = detect_gg(9, 0, &gg2);
	assert_int_equal(p.q6k, PROFILE_Q6K_STREAM);
	assert_string_equal(profile_q6k_name(p.q6k), "q6k_stream");
	assert_non_null(strstr(p.src[PROFILE_F_Q6K].note, "HW_DP4A_Q6K is set too but STREAM_Q6K comes first"));
	/* the seed rule: the seed's variable, and ggscope's ignored */
	p = detect(9, 0, &gg2);
	assert_int_equal(p.q6k, PROFILE_Q6K_HW_DP4A);
	assert_int_equal(p.src[PROFILE_F_Q6K].origin, PROFILE_ENV);
	assert_non_null(strstr(p.src[PROFILE_F_Q6K].note, "STREAM_Q6K is ggscope's variable: ignored under the seed rule"));

	p = detect(7, 0, &all);
	assert_int_equal(p.q6k, PROFILE_Q6K_HW_DP4A);
	assert_non_null(strstr(p.src[PROFILE_F_Q6K].note, "DP4A_Q6K is set too but HW_DP4A_Q6K comes first"));
	assert_non_null(strstr(p.src[PROFILE_F_Q6K].note, "MWV_Q6K is set too"));
	p = detect(9, 0, &two);
	assert_int_equal(p.q6k, PROFILE_Q6K_DP4A);
	assert_string_equal(profile_q6k_name(p.q6k), "q6k_dp4a");
}

/* MWV_WARPS: Rust's u32 parse; failure gives 3; 0 is taken but flagged. */
static void
test_mwv_warps(void **state)
{
	static const struct {
		const char *v;
		unsigned want;
		bool parsed;
	} cases[] = {
		{ "4", 4, true }, { "+5", 5, true }, { "0", 0, true }, { "007", 7, true },
		{ "4294967295", 4294967295u, true },
		{ "abc", 3, false }, { "", 3, false }, { "-1", 3, false }, { " 4", 3, false },
		{ "4 ", 3, false }, { "4294967296", 3, false }, { "+", 3, false }, { "3.0", 3, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		env e = { { "MWV_WARPS", cases[i].v, NULL } };
		gpu_profile p = detect(9, 0, &e);
		unsigned w = 99;

		assert_int_equal(p.mwv_warps, cases[i].want);
		assert_int_equal(p.src[PROFILE_F_MWV_WARPS].origin, PROFILE_ENV);
		assert_int_equal(profile_parse_u32(cases[i].v, &w), cases[i].parsed);
		if (!cases[i].parsed)
			assert_non_null(strstr(p.src[PROFILE_F_MWV_WARPS].text, "does not parse as u32 -> 3"));
	}
	{
		env e = { { "MWV_WARPS", "0", NULL } };
		gpu_profile p = detect(9, 0, &e);

		assert_non_null(strstr(p.src[PROFILE_F_MWV_WARPS].note, "0 threads"));
	}
}

static void
test_batched_prefill(void **state)
{
	env off = { { "BATCHED_PREFILL", "0", NULL } };
	env on = { { "BATCHED_PREFILL", "1", NULL } };
	env any = { { "BATCHED_PREFILL", "", NULL } };
	env no = { { "BATCHED_PREFILL", "no", NULL } };
	gpu_profile p;

	(void)state;
	p = detect(9, 0, &off);
	assert_false(p.batched_prefill);
	assert_int_equal(p.src[PROFILE_F_PREFILL_PATH].origin, PROFILE_ENV);
	p = detect(12, 1, &on); /* forces batched even on sm_12x */
	assert_true(p.batched_prefill);
	assert_non_null(strstr(p.src[PROFILE_F_PREFILL_PATH].text, "forced even on sm_12x"));
	p = detect(12, 0, &any);
	assert_true(p.batched_prefill);
	p = detect(9, 0, &no); /* any value but 0 means batched */
	assert_true(p.batched_prefill);
}

static void
test_fused_gate_up(void **state)
{
	env off = { { "FUSED_GATE_UP", "0", NULL } };
	env on_hw = { { "FUSED_GATE_UP", "1", NULL } };
	env on_mwv = { { "FUSED_GATE_UP", "1", "MWV_Q4K", "1", NULL } };
	env yes_hw = { { "FUSED_GATE_UP", "yes", NULL } };
	gpu_profile p;

	(void)state;
	p = detect(9, 0, &off);
	assert_false(p.fused_gate_up);
	assert_int_equal(p.src[PROFILE_F_FUSED_GATE_UP].origin, PROFILE_ENV);
	p = detect(9, 0, &on_hw);
	assert_true(p.fused_gate_up);
	assert_int_equal(p.src[PROFILE_F_FUSED_GATE_UP].origin, PROFILE_ENV);
	p = detect(9, 0, &yes_hw);
	assert_true(p.fused_gate_up);
	/* Refused without hw_dp4a (the newer upstream behaviour). */
	p = detect(9, 0, &on_mwv);
	assert_int_equal(p.q4k, PROFILE_Q4K_MWV);
	assert_false(p.fused_gate_up);
	assert_int_equal(p.src[PROFILE_F_FUSED_GATE_UP].origin, PROFILE_AUTO);
	assert_non_null(strstr(p.src[PROFILE_F_FUSED_GATE_UP].note, "FUSED_GATE_UP=1 refused: q4k is q4k_mwv"));
	p = detect(7, 0, &on_hw);
	assert_false(p.fused_gate_up);
}

static void
test_fp8_w4a16_hgemm(void **state)
{
	env pre_off = { { "FP8_PREFILL", "0", NULL } };
	env pre_on = { { "FP8_PREFILL", "1", NULL } };
	env pre_two = { { "FP8_PREFILL", "2", NULL } };
	env dec_off = { { "FP8_DECODE", "0", NULL } };
	env dec_on = { { "FP8_DECODE", "1", NULL } };
	env dec_yes = { { "FP8_DECODE", "yes", NULL } };
	env w1 = { { "W4A16_INTERLEAVED", "1", NULL } };
	env w0 = { { "W4A16_INTERLEAVED", "0", NULL } };
	env wt = { { "W4A16_INTERLEAVED", "true", NULL } };
	env h1 = { { "HGEMM_DECODE", "1", NULL } };
	env ht = { { "HGEMM_DECODE", "true", NULL } };
	gpu_profile p;

	(void)state;
	p = detect(9, 0, &pre_off); /* fp8_decode follows the overridden prefill */
	assert_false(p.fp8_prefill);
	assert_false(p.fp8_decode);
	assert_int_equal(p.src[PROFILE_F_FP8_PREFILL].origin, PROFILE_ENV);
	assert_int_equal(p.src[PROFILE_F_FP8_DECODE].origin, PROFILE_AUTO);
	p = detect(7, 5, &pre_on);
	assert_true(p.fp8_prefill);
	assert_true(p.fp8_decode);
	p = detect(7, 5, &pre_two);
	assert_false(p.fp8_prefill);
	assert_int_equal(p.src[PROFILE_F_FP8_PREFILL].origin, PROFILE_AUTO);
	assert_non_null(strstr(p.src[PROFILE_F_FP8_PREFILL].note, "FP8_PREFILL=2 ignored"));
	p = detect(9, 0, &dec_off);
	assert_true(p.fp8_prefill);
	assert_false(p.fp8_decode);
	p = detect(7, 0, &dec_on);
	assert_false(p.fp8_prefill);
	assert_true(p.fp8_decode);
	p = detect(9, 0, &dec_yes);
	assert_true(p.fp8_decode);
	assert_non_null(strstr(p.src[PROFILE_F_FP8_DECODE].note, "FP8_DECODE=yes ignored"));

	p = detect(9, 0, &w1);
	assert_true(p.w4a16_interleaved);
	assert_int_equal(p.src[PROFILE_F_W4A16_INTERLEAVED].origin, PROFILE_ENV);
	p = detect(6, 1, &w1);
	assert_false(p.w4a16_interleaved);
	assert_non_null(strstr(p.src[PROFILE_F_W4A16_INTERLEAVED].note, "no WMMA"));
	p = detect(9, 0, &w0);
	assert_false(p.w4a16_interleaved);
	p = detect(9, 0, &wt);
	assert_false(p.w4a16_interleaved);
	assert_non_null(strstr(p.src[PROFILE_F_W4A16_INTERLEAVED].note, "ignored"));

	p = detect(9, 0, &h1);
	assert_true(p.hgemm_decode);
	p = detect(9, 0, &ht); /* only 1 enables */
	assert_false(p.hgemm_decode);
	assert_int_equal(p.src[PROFILE_F_HGEMM_DECODE].origin, PROFILE_ENV);
}

/* User choices beat the environment; ggscope checks what the seed did not. */
static void
test_user_choices(void **state)
{
	env e = { { "HW_DP4A_Q4K", "1", "MWV_WARPS", "8", NULL } };
	profile_user u;
	gpu_profile p;
	errmsg err;

	(void)state;
	profile_user_init(&u);
	u.q4k = PROFILE_Q4K_MWV;
	u.mwv_warps = 4;
	u.how = "--q4k/--warps";
	assert_int_equal(profile_detect(9, 0, fake_getenv, &e, &u, PROFILE_RULE_SEED, &p, &err), 0);
	assert_int_equal(p.q4k, PROFILE_Q4K_MWV);
	assert_int_equal(p.src[PROFILE_F_Q4K].origin, PROFILE_USER);
	assert_non_null(strstr(p.src[PROFILE_F_Q4K].text, "--q4k/--warps q4k_mwv"));
	assert_non_null(strstr(p.src[PROFILE_F_Q4K].note, "HW_DP4A_Q4K is set but a user choice wins"));
	assert_int_equal(p.mwv_warps, 4);
	assert_non_null(strstr(p.src[PROFILE_F_MWV_WARPS].note, "MWV_WARPS=8 is set but a user choice wins"));
	assert_false(p.fused_gate_up); /* auto follows the user's q4k */

	u.fused_gate_up = 1;
	assert_int_equal(profile_detect(9, 0, fake_getenv, &e, &u, PROFILE_RULE_SEED, &p, &err), -1);
	assert_non_null(strstr(err.text, "fused_gate_up needs q4k_hw_dp4a"));

	profile_user_init(&u);
	u.mwv_warps = 0;
	assert_int_equal(profile_detect(9, 0, NULL, NULL, &u, PROFILE_RULE_SEED, &p, &err), -1);
	assert_non_null(strstr(err.text, "outside 1..32"));
	u.mwv_warps = 33;
	assert_int_equal(profile_detect(9, 0, NULL, NULL, &u, PROFILE_RULE_SEED, &p, &err), -1);

	profile_user_init(&u);
	u.q6k = PROFILE_Q6K_COUNT;
	assert_int_equal(profile_detect(9, 0, NULL, NULL, &u, PROFILE_RULE_SEED, &p, &err), -1);
	assert_non_null(strstr(err.text, "out of range"));

	profile_user_init(&u);
	u.q6k = PROFILE_Q6K_BASIC;
	u.batched_prefill = 0;
	u.hgemm_decode = 1;
	u.fp8_prefill = 0;
	u.fp8_decode = 1;
	u.w4a16_interleaved = 1;
	assert_int_equal(profile_detect(9, 0, NULL, NULL, &u, PROFILE_RULE_SEED, &p, &err), 0);
	assert_int_equal(p.q6k, PROFILE_Q6K_BASIC);
	assert_false(p.batched_prefill);
	assert_true(p.hgemm_decode);
	assert_false(p.fp8_prefill);
	assert_true(p.fp8_decode);
	assert_true(p.w4a16_interleaved);
	assert_int_equal(p.src[PROFILE_F_W4A16_INTERLEAVED].origin, PROFILE_USER);
	assert_non_null(strstr(p.src[PROFILE_F_Q6K].text, "user choice q6k_basic"));

	/* Stream choices: the user's kernel and warps win over ggscope's
	 * variables, and count under the seed rule too (they are explicit). */
	{
		env se = { { "STREAM_DP4A_Q4K", "1", "STREAM_WARPS", "1", NULL } };
		int rule;

		for (rule = PROFILE_RULE_GGSCOPE; rule <= PROFILE_RULE_UPSTREAM; rule++) {
			profile_user_init(&u);
			u.q4k = PROFILE_Q4K_STREAM;
			u.stream_warps = 3;
			assert_int_equal(profile_detect(9, 0, fake_getenv, &se, &u, rule, &p, &err), 0);
			assert_int_equal(p.q4k, PROFILE_Q4K_STREAM);
			assert_int_equal(p.src[PROFILE_F_Q4K].origin, PROFILE_USER);
			assert_int_equal(p.stream_warps, 3);
			assert_int_equal(p.src[PROFILE_F_STREAM_WARPS].origin, PROFILE_USER);
			assert_non_null(strstr(p.src[PROFILE_F_STREAM_WARPS].note, "STREAM_WARPS=1 is set but a user choice wins"));
			assert_non_null(strstr(p.src[PROFILE_F_Q4K].note, rule == PROFILE_RULE_GGSCOPE ?
				"STREAM_DP4A_Q4K is set but a user choice wins" : "STREAM_DP4A_Q4K is ggscope's variable"));
		}
		profile_user_init(&u);
		u.stream_warps = 0;
		assert_int_equal(profile_detect(9, 0, NULL, NULL, &u, PROFILE_RULE_GGSCOPE, &p, &err), -1);
		assert_non_null(strstr(err.text, "stream_warps 0 is outside 1..4"));
		u.stream_warps = 5;
		assert_int_equal(profile_detect(9, 0, NULL, NULL, &u, PROFILE_RULE_GGSCOPE, &p, &err), -1);
		u.stream_warps = 4;
		assert_int_equal(profile_detect(9, 0, NULL, NULL, &u, PROFILE_RULE_GGSCOPE, &p, &err), 0);
		assert_int_equal(p.stream_warps, 4);
	}
}

/* The process environment is read when no callback is given. */
static void
test_process_environment(void **state)
{
	gpu_profile p;

	(void)state;
	setenv("DP4A_Q4K", "0", 1);
	assert_int_equal(profile_detect(9, 0, NULL, NULL, NULL, PROFILE_RULE_SEED, &p, NULL), 0);
	unsetenv("DP4A_Q4K");
	assert_int_equal(p.q4k, PROFILE_Q4K_MWV_DP4A);
	assert_int_equal(p.src[PROFILE_F_Q4K].origin, PROFILE_ENV);
}

static void
test_parsers(void **state)
{
	int a, b;
	errmsg err;

	(void)state;
	assert_int_equal(profile_parse_cc("9.0", &a, &b, &err), 0);
	assert_int_equal(a * 10 + b, 90);
	assert_int_equal(profile_parse_cc("86", &a, &b, &err), 0);
	assert_int_equal(a * 10 + b, 86);
	assert_int_equal(profile_parse_cc("sm_90", &a, &b, &err), 0);
	assert_int_equal(a * 10 + b, 90);
	assert_int_equal(profile_parse_cc("sm_121", &a, &b, &err), 0);
	assert_int_equal(a, 12);
	assert_int_equal(b, 1);
	assert_int_equal(profile_parse_cc("12.1", &a, &b, &err), 0);
	assert_int_equal(a, 12);
	assert_int_equal(profile_parse_cc("9", &a, &b, &err), -1);
	assert_non_null(strstr(err.text, "'9'"));
	assert_int_equal(profile_parse_cc("", &a, &b, &err), -1);
	assert_int_equal(profile_parse_cc("9.", &a, &b, &err), -1);
	assert_int_equal(profile_parse_cc("9.10", &a, &b, &err), -1);
	assert_int_equal(profile_parse_cc("abc", &a, &b, &err), -1);
	assert_int_equal(profile_parse_cc("9.0x", &a, &b, &err), -1);

	assert_int_equal(profile_q4k_parse("mwv"), PROFILE_Q4K_MWV);
	assert_int_equal(profile_q4k_parse("Q4K_HW_DP4A"), PROFILE_Q4K_HW_DP4A);
	assert_int_equal(profile_q4k_parse("MwvDp4a"), PROFILE_Q4K_MWV_DP4A);
	assert_int_equal(profile_q4k_parse("basic"), -1);
	assert_int_equal(profile_q6k_parse("basic"), PROFILE_Q6K_BASIC);
	assert_int_equal(profile_q6k_parse("Legacy"), PROFILE_Q6K_BASIC);
	assert_int_equal(profile_q6k_parse("q6k_hw_dp4a"), PROFILE_Q6K_HW_DP4A);
	assert_int_equal(profile_q6k_parse("wide"), -1);
	assert_int_equal(profile_q4k_parse("stream"), PROFILE_Q4K_STREAM);
	assert_int_equal(profile_q4k_parse("q4k_stream_dp4a"), PROFILE_Q4K_STREAM_DP4A);
	assert_int_equal(profile_q4k_parse("StreamDp4a (ggscope)"), PROFILE_Q4K_STREAM_DP4A);
	assert_int_equal(profile_q6k_parse("stream_dp4a"), PROFILE_Q6K_STREAM_DP4A);
	assert_int_equal(profile_q6k_parse("Q6K_STREAM"), PROFILE_Q6K_STREAM);
	assert_int_equal(profile_q6k_parse("q4k_stream"), -1);
	assert_string_equal(profile_q4k_seed_name(PROFILE_Q4K_HW_DP4A), "HwDp4a");
	assert_string_equal(profile_q6k_seed_name(PROFILE_Q6K_BASIC), "Legacy");
	/* ggscope's kernels have no seed enum: their "seed name" says so */
	assert_non_null(strstr(profile_q4k_seed_name(PROFILE_Q4K_STREAM), "(ggscope)"));
	assert_non_null(strstr(profile_q4k_seed_name(PROFILE_Q4K_STREAM_DP4A), "(ggscope)"));
	assert_non_null(strstr(profile_q6k_seed_name(PROFILE_Q6K_STREAM), "(ggscope)"));
	assert_non_null(strstr(profile_q6k_seed_name(PROFILE_Q6K_STREAM_DP4A), "(ggscope)"));
	assert_true(profile_q4k_is_stream(PROFILE_Q4K_STREAM));
	assert_false(profile_q4k_is_stream(PROFILE_Q4K_HW_DP4A));
	assert_true(profile_q6k_is_stream(PROFILE_Q6K_STREAM_DP4A));
	assert_false(profile_q6k_is_stream(PROFILE_Q6K_MWV));
	assert_string_equal(profile_field_name(PROFILE_F_STREAM_WARPS), "stream_warps");
	assert_string_equal(profile_q4k_name((enum profile_q4k)99), "?");
	assert_string_equal(profile_field_name(PROFILE_F_W4A16_INTERLEAVED), "w4a16_interleaved");
	assert_string_equal(profile_origin_name(PROFILE_ENV), "env");

	assert_int_equal(profile_detect(0, 0, NULL, NULL, NULL, 0, &(gpu_profile){ 0 }, &err), -1);
	assert_non_null(strstr(err.text, "0.0"));
}

/* The seed's eleven keys and ggscope's stream_warps, each with value,
 * source and rule. */
static void
test_json(void **state)
{
	env e = { { "FUSED_GATE_UP", "1", "MWV_Q4K", "", "STREAM_WARPS", "3", NULL } };
	gpu_profile p = detect_gg(9, 0, &e);
	struct json_object *o = profile_to_json(&p), *f, *v;

	(void)state;
	assert_int_equal(json_object_object_length(o), 12);
	assert_true(json_object_object_get_ex(o, "stream_warps", &f));
	assert_true(json_object_object_get_ex(f, "value", &v));
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int(v), 3);
	assert_true(json_object_object_get_ex(f, "source", &v));
	assert_string_equal(json_object_get_string(v), "env");
	assert_true(json_object_object_get_ex(o, "q4k", &f));
	assert_true(json_object_object_get_ex(f, "value", &v));
	assert_string_equal(json_object_get_string(v), "q4k_mwv");
	assert_true(json_object_object_get_ex(f, "source", &v));
	assert_string_equal(json_object_get_string(v), "env");
	assert_true(json_object_object_get_ex(o, "mwv_warps", &f));
	assert_true(json_object_object_get_ex(f, "value", &v));
	assert_int_equal(json_object_get_int(v), 3);
	assert_true(json_object_object_get_ex(o, "fused_gate_up", &f));
	assert_true(json_object_object_get_ex(f, "value", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(f, "note", &v));
	assert_non_null(strstr(json_object_get_string(v), "refused"));
	assert_true(json_object_object_get_ex(o, "prefill_path", &f));
	assert_true(json_object_object_get_ex(f, "value", &v));
	assert_string_equal(json_object_get_string(v), "batched");
	assert_true(json_object_object_get_ex(o, "cc", &f));
	assert_true(json_object_object_get_ex(f, "value", &v));
	assert_int_equal(json_object_get_int(v), 90);
	json_object_put(o);
}

/* Every variant the profile can choose is one the registry can launch. */
static void
test_names_in_registry(void **state)
{
	errmsg err;
	int i;

	(void)state;
	for (i = 0; i < PROFILE_Q4K_COUNT; i++) {
		const variant *v = variant_resolve(profile_q4k_name((enum profile_q4k)i), QT_Q4_K, 4096, &err);

		if (v == NULL)
			fail_msg("%s: %s", profile_q4k_name((enum profile_q4k)i), err.text);
		assert_int_equal(v->qtype, QT_Q4_K);
	}
	for (i = 0; i < PROFILE_Q6K_COUNT; i++) {
		const variant *v = variant_resolve(profile_q6k_name((enum profile_q6k)i), QT_Q6_K, 4096, &err);

		if (v == NULL)
			fail_msg("%s: %s", profile_q6k_name((enum profile_q6k)i), err.text);
		assert_int_equal(v->qtype, QT_Q6_K);
	}
	/* The seed's legacy Q4_K picks by k, as variant_legacy_pick does. */
	assert_string_equal(variant_resolve("q4k_legacy", QT_Q4_K, 14336, &err)->name, "q4k_chunked");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_h100_defaults),
		cmocka_unit_test(test_cc_rules),
		cmocka_unit_test(test_upstream_rule),
		cmocka_unit_test(test_presence_semantics),
		cmocka_unit_test(test_q4k_precedence),
		cmocka_unit_test(test_q6k_precedence),
		cmocka_unit_test(test_mwv_warps),
		cmocka_unit_test(test_batched_prefill),
		cmocka_unit_test(test_fused_gate_up),
		cmocka_unit_test(test_fp8_w4a16_hgemm),
		cmocka_unit_test(test_user_choices),
		cmocka_unit_test(test_process_environment),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_names_in_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
