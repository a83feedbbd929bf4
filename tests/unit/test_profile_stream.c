/* Unit tests for ggscope's profile rule and its stream variables
 * (STREAM_DP4A_Q4K, STREAM_Q4K, STREAM_DP4A_Q6K, STREAM_Q6K, STREAM_WARPS):
 * the picks on sm_90, the seed rule ignoring them, precedence over the
 * seed's variables, STREAM_WARPS parsing and the registry's warp range. */
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

/* ggscope's rule: the stream dp4a kernels on cc 9.x, where they were
 * measured, and 4 warps; the seed's rule everywhere else. */
static void
test_ggscope_rule(void **state)
{
	static const int others[] = { 61, 70, 75, 80, 86, 89, 100, 120, 121 };
	gpu_profile p, q;
	size_t i;
	int f;

	(void)state;
	p = detect_gg(9, 0, NULL);
	assert_int_equal(p.q4k, PROFILE_Q4K_STREAM_DP4A);
	assert_int_equal(p.q6k, PROFILE_Q6K_STREAM_DP4A);
	assert_int_equal(p.stream_warps, 4);
	assert_int_equal(p.mwv_warps, 3);
	for (f = 0; f < PROFILE_F_COUNT; f++) {
		assert_int_equal(p.src[f].origin, PROFILE_AUTO);
		assert_string_equal(p.src[f].note, "");
	}
	for (f = PROFILE_F_Q4K; f <= PROFILE_F_Q6K; f++) {
		assert_non_null(strstr(p.src[f].text, "ggscope's rule"));
		assert_non_null(strstr(p.src[f].text, "BENCHMARKS.md"));
		assert_non_null(strstr(p.src[f].text, "the seed: hw_dp4a"));
	}
	assert_non_null(strstr(p.src[PROFILE_F_STREAM_WARPS].text, "BENCHMARKS.md"));
	assert_null(strstr(p.src[PROFILE_F_STREAM_WARPS].text, "unused"));
	/* the fused gate/up kernel is the seed's hw_dp4a one: off with stream */
	assert_false(p.fused_gate_up);
	p = detect_gg(9, 9, NULL); /* any 9.x */
	assert_int_equal(p.q4k, PROFILE_Q4K_STREAM_DP4A);

	/* Elsewhere: exactly the seed's profile, rule texts included. */
	for (i = 0; i < sizeof others / sizeof others[0]; i++) {
		p = detect_gg(others[i] / 10, others[i] % 10, NULL);
		q = detect(others[i] / 10, others[i] % 10, NULL);
		assert_int_equal(p.q4k, q.q4k);
		assert_int_equal(p.q6k, q.q6k);
		assert_false(profile_q4k_is_stream(p.q4k));
		assert_false(profile_q6k_is_stream(p.q6k));
		assert_int_equal(p.stream_warps, PROFILE_STREAM_WARPS_REGISTRY);
		assert_int_equal(p.fused_gate_up, q.fused_gate_up);
		for (f = 0; f < PROFILE_F_COUNT; f++)
			assert_string_equal(p.src[f].text, q.src[f].text);
	}
	p = detect_gg(8, 9, NULL);
	assert_int_equal(p.q4k, PROFILE_Q4K_HW_DP4A);
	assert_int_equal(p.q6k, PROFILE_Q6K_HW_DP4A);
	p = detect_gg(12, 0, NULL);
	assert_int_equal(p.q4k, PROFILE_Q4K_HW_DP4A);
	assert_false(p.batched_prefill);

	assert_string_equal(profile_rule_name(PROFILE_RULE_GGSCOPE), "ggscope");
	assert_string_equal(profile_rule_name(PROFILE_RULE_SEED), "seed");
	assert_string_equal(profile_rule_name(PROFILE_RULE_UPSTREAM), "upstream");
	assert_string_equal(profile_rule_name(3), "?");
	assert_int_equal(profile_rule_parse("ggscope"), PROFILE_RULE_GGSCOPE);
	assert_int_equal(profile_rule_parse("upstream"), PROFILE_RULE_UPSTREAM);
	assert_int_equal(profile_rule_parse("Seed"), -1);
	assert_int_equal(profile_detect(9, 0, NULL, NULL, NULL, 3, &p, NULL), -1);
}

/* The seed rule is the seed engine's profile exactly: ggscope's variables
 * change nothing but a note, on every capability. */
static void
test_seed_rule_ignores_stream_vars(void **state)
{
	static const int ccs[] = { 70, 75, 89, 90, 121 };
	env all = { { "STREAM_DP4A_Q4K", "1", "STREAM_Q4K", "1", "STREAM_DP4A_Q6K", "", "STREAM_Q6K", "0",
		"STREAM_WARPS", "1", NULL } };
	size_t i;
	int rule, f;

	(void)state;
	for (rule = PROFILE_RULE_SEED; rule <= PROFILE_RULE_UPSTREAM; rule++)
		for (i = 0; i < sizeof ccs / sizeof ccs[0]; i++) {
			gpu_profile p = detect_rule(ccs[i] / 10, ccs[i] % 10, &all, rule);
			gpu_profile q = detect_rule(ccs[i] / 10, ccs[i] % 10, NULL, rule);
			char a[64], b[64];

			for (f = 0; f < PROFILE_F_COUNT; f++) {
				assert_string_equal(profile_field_value(&p, (enum profile_field)f, a, sizeof a),
					profile_field_value(&q, (enum profile_field)f, b, sizeof b));
				assert_int_equal(p.src[f].origin, PROFILE_AUTO);
				assert_string_equal(p.src[f].text, q.src[f].text);
			}
			assert_non_null(strstr(p.src[PROFILE_F_Q4K].note, "STREAM_DP4A_Q4K is ggscope's variable: ignored "
				"under the"));
			assert_non_null(strstr(p.src[PROFILE_F_Q4K].note, "STREAM_Q4K is ggscope's variable"));
			assert_non_null(strstr(p.src[PROFILE_F_Q6K].note, "STREAM_Q6K is ggscope's variable"));
			assert_non_null(strstr(p.src[PROFILE_F_STREAM_WARPS].note, "STREAM_WARPS is ggscope's variable"));
			assert_non_null(strstr(p.src[PROFILE_F_STREAM_WARPS].note, profile_rule_name(rule)));
		}
}

/* Each of ggscope's variables alone selects its kernel, by presence, and
 * says it is ggscope's, on any capability. */
static void
test_stream_variables(void **state)
{
	static const struct {
		const char *var;
		bool q4k;
		int v;
	} vars[] = {
		{ "STREAM_DP4A_Q4K", true, PROFILE_Q4K_STREAM_DP4A }, { "STREAM_Q4K", true, PROFILE_Q4K_STREAM },
		{ "STREAM_DP4A_Q6K", false, PROFILE_Q6K_STREAM_DP4A }, { "STREAM_Q6K", false, PROFILE_Q6K_STREAM },
	};
	static const int ccs[] = { 70, 86, 90, 120 };
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof vars / sizeof vars[0]; i++)
		for (j = 0; j < sizeof ccs / sizeof ccs[0]; j++) {
			env e = { { vars[i].var, "0", NULL } };
			gpu_profile p = detect_gg(ccs[j] / 10, ccs[j] % 10, &e);
			const profile_source *s = &p.src[vars[i].q4k ? PROFILE_F_Q4K : PROFILE_F_Q6K];

			if (vars[i].q4k)
				assert_int_equal(p.q4k, vars[i].v);
			else
				assert_int_equal(p.q6k, vars[i].v);
			assert_int_equal(s->origin, PROFILE_ENV);
			assert_non_null(strstr(s->text, vars[i].var));
			assert_non_null(strstr(s->text, "ggscope's variable, the seed engine ignores it"));
			assert_non_null(strstr(s->text, "presence"));
			assert_string_equal(s->note, "");
			/* its warps: the rule's count, in use now */
			assert_int_equal(p.stream_warps, ccs[j] == 90 ? 4 : PROFILE_STREAM_WARPS_REGISTRY);
			assert_null(strstr(p.src[PROFILE_F_STREAM_WARPS].text, "unused"));
		}
}

/* STREAM_WARPS: MWV_WARPS's u32 parse, then 1..4 only; anything else is
 * the rule's default with a note. */
static void
test_stream_warps(void **state)
{
	static const struct {
		const char *v;
		unsigned want;     /* on cc 8.6; 0 = the default */
		const char *note;  /* "" = none */
	} cases[] = {
		{ "1", 1, "" }, { "4", 4, "" }, { "+3", 3, "" }, { "002", 2, "" },
		{ "0", 0, "is outside 1..4" }, { "5", 0, "is outside 1..4" }, { "8", 0, "is outside 1..4" },
		{ "4294967295", 0, "is outside 1..4" },
		{ "4294967296", 0, "does not parse as u32" }, { "abc", 0, "does not parse as u32" },
		{ "", 0, "does not parse as u32" }, { " 2", 0, "does not parse as u32" },
		{ "-1", 0, "does not parse as u32" }, { "2.0", 0, "does not parse as u32" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		env e = { { "STREAM_WARPS", cases[i].v, "STREAM_Q6K", "1", NULL } };
		gpu_profile p = detect_gg(8, 6, &e), q = detect_gg(9, 0, &e);
		const profile_source *s = &p.src[PROFILE_F_STREAM_WARPS];

		if (cases[i].want != 0) {
			assert_int_equal(p.stream_warps, cases[i].want);
			assert_int_equal(q.stream_warps, cases[i].want);
			assert_int_equal(s->origin, PROFILE_ENV);
			assert_non_null(strstr(s->text, "ggscope's variable"));
			assert_string_equal(s->note, "");
		} else {
			assert_int_equal(p.stream_warps, PROFILE_STREAM_WARPS_REGISTRY);
			assert_int_equal(q.stream_warps, 4); /* the ggscope rule's on sm_90 */
			assert_int_equal(s->origin, PROFILE_AUTO);
			assert_non_null(strstr(s->note, cases[i].note));
			assert_non_null(strstr(s->note, "-> the default 2"));
			assert_non_null(strstr(q.src[PROFILE_F_STREAM_WARPS].note, "-> the default 4"));
		}
	}
	/* Set, but no stream kernel runs: said so. */
	{
		env e = { { "STREAM_WARPS", "1", NULL } };
		gpu_profile p = detect_gg(8, 9, &e);

		assert_int_equal(p.stream_warps, 1);
		assert_non_null(strstr(p.src[PROFILE_F_STREAM_WARPS].note, "unused"));
	}
}

/* STREAM_WARPS's range and default are the registry's stream WARPS: every
 * stream kernel the profile can pick takes exactly 1..4, default 2. */
static void
test_stream_warps_registry(void **state)
{
	int i, w, n = 0;

	(void)state;
	for (i = 0; i < PROFILE_Q4K_COUNT + PROFILE_Q6K_COUNT; i++) {
		bool q4k = i < PROFILE_Q4K_COUNT;
		const char *name = q4k ? profile_q4k_name((enum profile_q4k)i)
			: profile_q6k_name((enum profile_q6k)(i - PROFILE_Q4K_COUNT));
		const variant *v = variant_find(name);

		if (q4k ? !profile_q4k_is_stream((enum profile_q4k)i)
			: !profile_q6k_is_stream((enum profile_q6k)(i - PROFILE_Q4K_COUNT)))
			continue;
		n++;
		assert_non_null(v);
		assert_int_equal(v->default_warps, PROFILE_STREAM_WARPS_REGISTRY);
		for (w = 0; w <= PROFILE_STREAM_WARPS_MAX + 1; w++)
			assert_int_equal(variant_warps_legal(v, w),
				w >= PROFILE_STREAM_WARPS_MIN && w <= PROFILE_STREAM_WARPS_MAX);
	}
	assert_int_equal(n, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ggscope_rule),
		cmocka_unit_test(test_seed_rule_ignores_stream_vars),
		cmocka_unit_test(test_stream_variables),
		cmocka_unit_test(test_stream_warps),
		cmocka_unit_test(test_stream_warps_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
