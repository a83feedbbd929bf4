/* Unit tests for the report's recommended GpuProfile: the search over the
 * profile's choices (the seed's variables and ggscope's STREAM_*), the
 * variables to unset, the gap notes, the H100 demo figures, and that every
 * profile choice has its report row. Rows are filled by hand. */
#include "config.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_gpu.h"
#include "gguf.h"
#include "gguf_write.h"
#include "profile.h"
#include "quant.h"
#include "report.h"
#include "variant.h"
#include "report_fixtures.h"

/* The profile's presence-checked variables per type, in its precedence
 * order (profile.c), for checking the report's list of what to unset. */
static const char *const q4k_vars[] = { "STREAM_DP4A_Q4K", "STREAM_Q4K", "WIDE_Q4K_DISABLE", "WIDE_Q4K",
	"VECTORIZED_Q4K", "HW_DP4A_Q4K", "DP4A_Q4K", "MWV_Q4K", NULL };
static const char *const q6k_vars[] = { "STREAM_DP4A_Q6K", "STREAM_Q6K", "HW_DP4A_Q6K", "DP4A_Q6K", "MWV_Q6K",
	NULL };

static const char *pair_var[2];

static const char *
pair_getenv(const char *name, void *ctx)
{
	(void)ctx;
	return (pair_var[0] && strcmp(name, pair_var[0]) == 0) || (pair_var[1] && strcmp(name, pair_var[1]) == 0)
		? "1" : NULL;
}

/* Whether the space-separated list holds the word. */
static bool
has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *s;

	for (s = strstr(list, word); s != NULL; s = strstr(s + 1, word))
		if ((s == list || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0'))
			return true;
	return false;
}

/* The report's "unset" list is exactly the variables that, set beside the
 * recommended one, would make ggscope's GpuProfile run something else. */
static void
check_unset(const report_profile *p)
{
	size_t t, i;

	for (t = 0; t < 2; t++) {
		const report_rec *rec = &p->rec[t];
		const char *const *vars = t == 0 ? q4k_vars : q6k_vars;
		char var[64];

		if (!rec->valid)
			continue;
		snprintf(var, sizeof var, "%.*s", (int)strcspn(rec->env, "="), rec->env);
		for (i = 0; vars[i] != NULL; i++) {
			gpu_profile g;
			errmsg err;
			bool same;

			pair_var[0] = var;
			pair_var[1] = vars[i];
			assert_int_equal(profile_detect(9, 0, pair_getenv, NULL, NULL, PROFILE_RULE_GGSCOPE, &g, &err), 0);
			same = strcmp(t == 0 ? profile_q4k_name(g.q4k) : profile_q6k_name(g.q6k), rec->label) == 0;
			if (same == has_word(p->unset, vars[i]))
				fail_msg("%s beside %s: the profile runs %s, unset says %s", vars[i], var,
					t == 0 ? profile_q4k_name(g.q4k) : profile_q6k_name(g.q6k), p->unset);
		}
	}
	pair_var[0] = pair_var[1] = NULL;
}

static void
test_recommend(void **state)
{
	gguf_file *f = test_model();
	report_select s;
	report *r;
	report_shape *a, *b, *c, *d;
	const report_profile *p;
	errmsg err;

	(void)state;
	report_select_init(&s);
	r = planned(f, &s);
	all_pass(r, 50);
	a = shape_of(r, QT_Q4_K, 256, 256);   /* 3 tensors */
	b = shape_of(r, QT_Q4_K, 2, 12544);   /* 1 tensor */
	c = shape_of(r, QT_Q6_K, 256, 512);
	d = shape_of(r, QT_Q6_K, 512, 256);
	/* Q4_K: mwv wins at 4 warps on a, at 2 on b; summed over tensors
	 * 4 warps is better (3 x 10 + 30 = 60 vs 3 x 20 + 10 = 70). Q6_K: dp4a
	 * is fastest at 4 warps too. The seed's hw_dp4a Q4_K at 6 warps is
	 * faster still but the seed runs it wrongly: left out. */
	measured(a, "q4k_mwv", 4, REPORT_ROW_PASS, 10);
	measured(a, "q4k_mwv", 2, REPORT_ROW_PASS, 20);
	measured(b, "q4k_mwv", 4, REPORT_ROW_PASS, 30);
	measured(b, "q4k_mwv", 2, REPORT_ROW_PASS, 10);
	measured(a, "q4k_hw_dp4a", 6, REPORT_ROW_PASS, 1);
	measured(b, "q4k_hw_dp4a", 6, REPORT_ROW_PASS, 1);
	measured(c, "q6k_dp4a", 4, REPORT_ROW_PASS, 10);
	measured(d, "q6k_dp4a", 4, REPORT_ROW_PASS, 10);
	report_finish(r);
	p = &r->profile;
	assert_true(p->valid);
	assert_true(p->mwv_warps_valid);
	assert_int_equal(p->mwv_warps, 4);
	assert_string_equal(p->env, "MWV_Q4K=1 DP4A_Q6K=1 MWV_WARPS=4");
	assert_string_equal(p->rec[0].label, "q4k_mwv");
	assert_true(fabs(p->rec[0].total_us - 60) < 1e-9);
	assert_false(p->rec[0].matches_winners);
	assert_non_null(strstr(p->rec[0].why, "q4k_hw_dp4a at 6 warps"));
	assert_string_equal(p->rec[1].env, "DP4A_Q6K=1");
	assert_true(p->rec[1].matches_winners);
	/* no stream kernel: no STREAM_WARPS, nothing of ggscope's to say */
	assert_false(p->stream_warps_valid);
	assert_false(p->rec[0].ggscope || p->rec[1].ggscope);
	assert_null(strstr(p->why, "ggscope"));
	/* the variables of higher precedence must be unset: ggscope's come
	 * first in the profile, so they are among them */
	assert_string_equal(p->unset, "STREAM_DP4A_Q4K STREAM_Q4K WIDE_Q4K_DISABLE WIDE_Q4K VECTORIZED_Q4K HW_DP4A_Q4K "
		"DP4A_Q4K STREAM_DP4A_Q6K STREAM_Q6K HW_DP4A_Q6K");
	check_unset(p);

	/* q6k_hw_dp4a wins at 3 warps: the seed's fixed count, allowed; at 5
	 * it is not */
	measured(c, "q6k_hw_dp4a", 5, REPORT_ROW_PASS, 2);
	measured(d, "q6k_hw_dp4a", 5, REPORT_ROW_PASS, 2);
	report_finish(r);
	assert_string_equal(p->rec[1].label, "q6k_dp4a");
	assert_non_null(strstr(p->rec[1].why, "generates it for 3 warps"));
	measured(c, "q6k_hw_dp4a", 3, REPORT_ROW_PASS, 1);
	measured(d, "q6k_hw_dp4a", 3, REPORT_ROW_PASS, 1);
	report_finish(r);
	/* 3 warps: Q4_K mwv costs 3 x 50 + 50, Q6_K 2; 4 warps: 60 + 20 */
	assert_int_equal(p->mwv_warps, 4);
	measured(c, "q6k_hw_dp4a", 3, REPORT_ROW_PASS, 0.1);
	measured(d, "q6k_hw_dp4a", 3, REPORT_ROW_PASS, 0.1);
	measured(a, "q4k_vectorized", 1, REPORT_ROW_PASS, 5);
	measured(b, "q4k_vectorized", 1, REPORT_ROW_PASS, 5);
	report_finish(r);
	/* vectorized takes no MWV_WARPS; the warps then suit Q6_K alone */
	assert_string_equal(p->env, "VECTORIZED_Q4K=1 HW_DP4A_Q6K=1 MWV_WARPS=3");
	assert_non_null(strstr(p->rec[1].why, "only MWV_WARPS=3 runs it right"));
	assert_false(p->rec[0].uses_mwv_warps);
	assert_int_equal(p->rec[0].warps, 1);
	report_free(r);

	/* the legacy dispatch: WIDE_Q4K_DISABLE runs the pick of each k */
	report_select_init(&s);
	assert_int_equal(report_parse_types(&s, "q4_K", &err), 0);
	r = planned(f, &s);
	all_pass(r, 50);
	a = shape_of(r, QT_Q4_K, 256, 256);
	b = shape_of(r, QT_Q4_K, 2, 12544);
	measured(a, "q4k_tiled", 4, REPORT_ROW_PASS, 5);
	measured(b, "q4k_chunked", 4, REPORT_ROW_PASS, 5);
	report_finish(r);
	p = &r->profile;
	assert_string_equal(p->env, "WIDE_Q4K_DISABLE=1");
	assert_false(p->mwv_warps_valid);
	assert_string_equal(p->rec[0].label, "q4k_legacy");
	assert_null(p->rec[0].v);
	assert_true(p->rec[0].matches_winners);
	assert_string_equal(p->unset, "STREAM_DP4A_Q4K STREAM_Q4K");
	assert_false(p->rec[1].valid);
	assert_non_null(strstr(p->rec[1].why, "no q6_K tensor selected"));
	/* coalesced has no variable: the fastest it can express is chosen */
	measured(a, "q4k_coalesced", 1, REPORT_ROW_PASS, 1);
	measured(b, "q4k_coalesced", 1, REPORT_ROW_PASS, 1);
	report_finish(r);
	assert_string_equal(p->env, "WIDE_Q4K_DISABLE=1");
	assert_false(p->rec[0].matches_winners);
	assert_true(fabs(p->rec[0].best_total_us - 4) < 1e-9);
	assert_non_null(strstr(p->rec[0].why, "q4k_coalesced at 1 warp wins (1.00 us against 5.00 us): "
		"no variable selects it, the seed's or ggscope's"));
	/* nothing correct: no profile, and why */
	all_pass(r, 50);
	measured(a, "q4k_mwv", 3, REPORT_ROW_FAIL, 50);
	{
		size_t j;

		for (j = 0; j < a->n_rows; j++)
			if (a->rows[j].status == REPORT_ROW_PASS)
				a->rows[j].status = REPORT_ROW_FAIL;
	}
	report_finish(r);
	assert_false(p->valid);
	assert_non_null(strstr(p->rec[0].why, "no correct measured variant"));
	report_free(r);
	gguf_close(f);
}

/* A tie between the seed's variable and ggscope's goes to the seed's (it
 * runs in the seed engine as is); a stream kernel that is faster wins, with
 * its variable, STREAM_WARPS, and the plain word that the seed ignores
 * them. */
static void
test_recommend_stream(void **state)
{
	gguf_file *f = test_model();
	report_select s;
	report *r;
	report_shape *a, *b, *c, *d;
	const report_profile *p;

	(void)state;
	report_select_init(&s);
	r = planned(f, &s);
	all_pass(r, 50);
	report_finish(r);
	p = &r->profile;
	/* everything ties: the seed's first variables and its MWV_WARPS */
	assert_string_equal(p->env, "WIDE_Q4K_DISABLE=1 HW_DP4A_Q6K=1 MWV_WARPS=3");
	assert_false(p->stream_warps_valid);

	a = shape_of(r, QT_Q4_K, 256, 256);   /* 3 tensors */
	b = shape_of(r, QT_Q4_K, 2, 12544);   /* 1 tensor */
	c = shape_of(r, QT_Q6_K, 256, 512);
	d = shape_of(r, QT_Q6_K, 512, 256);
	/* Q6_K: q6k_stream_dp4a is fastest at 1 warp on both shapes; Q4_K:
	 * q4k_stream at 2 warps, but with one STREAM_WARPS for both types,
	 * 1 costs less in sum (3 x 10 + 10 + 2 x 5 = 50 against 3 x 8 + 8 +
	 * 2 x 20 = 72). */
	measured(c, "q6k_stream_dp4a", 1, REPORT_ROW_PASS, 5);
	measured(d, "q6k_stream_dp4a", 1, REPORT_ROW_PASS, 5);
	measured(c, "q6k_stream_dp4a", 2, REPORT_ROW_PASS, 20);
	measured(d, "q6k_stream_dp4a", 2, REPORT_ROW_PASS, 20);
	measured(a, "q4k_stream", 1, REPORT_ROW_PASS, 10);
	measured(b, "q4k_stream", 1, REPORT_ROW_PASS, 10);
	measured(a, "q4k_stream", 2, REPORT_ROW_PASS, 8);
	measured(b, "q4k_stream", 2, REPORT_ROW_PASS, 8);
	report_finish(r);
	assert_true(p->valid);
	assert_string_equal(p->env, "STREAM_Q4K=1 STREAM_DP4A_Q6K=1 STREAM_WARPS=1");
	assert_true(p->stream_warps_valid);
	assert_int_equal(p->stream_warps, 1);
	assert_false(p->mwv_warps_valid);
	assert_string_equal(p->rec[0].label, "q4k_stream");
	assert_true(p->rec[0].uses_stream_warps);
	assert_false(p->rec[0].uses_mwv_warps);
	assert_true(p->rec[0].ggscope);
	assert_int_equal(p->rec[0].warps, 1);
	assert_true(fabs(p->rec[0].total_us - 40) < 1e-9);
	assert_false(p->rec[0].matches_winners);
	/* a winner at a warp count the one STREAM_WARPS cannot give it */
	assert_non_null(strstr(p->rec[0].why, "q4k_stream at 2 warps wins (8.00 us against 10.00 us): the profile's "
		"one variant per type, one MWV_WARPS and one STREAM_WARPS"));
	assert_string_equal(p->rec[1].label, "q6k_stream_dp4a");
	assert_string_equal(p->rec[1].env, "STREAM_DP4A_Q6K=1");
	assert_true(p->rec[1].matches_winners);
	assert_non_null(strstr(p->why, "STREAM_Q4K, STREAM_DP4A_Q6K and STREAM_WARPS are ggscope's variables, not "
		"the seed's: the seed engine has no stream kernels and ignores them"));
	assert_non_null(strstr(p->why, "kernels/q4k_stream.cu and kernels/q6k_stream_dp4a.cu"));
	assert_string_equal(p->unset, "STREAM_DP4A_Q4K");
	check_unset(p);

	/* the seed's variant faster again on Q4_K: a seed variable there,
	 * ggscope's on Q6_K, both warp counts */
	measured(a, "q4k_mwv", 4, REPORT_ROW_PASS, 1);
	measured(b, "q4k_mwv", 4, REPORT_ROW_PASS, 1);
	report_finish(r);
	assert_string_equal(p->env, "MWV_Q4K=1 STREAM_DP4A_Q6K=1 MWV_WARPS=4 STREAM_WARPS=1");
	assert_false(p->rec[0].ggscope);
	assert_true(p->rec[1].ggscope);
	assert_non_null(strstr(p->why, "STREAM_DP4A_Q6K and STREAM_WARPS are ggscope's variables"));
	assert_null(strstr(p->why, "MWV_Q4K"));
	check_unset(p);

	/* the writers show it */
	{
		char *md = render(r, REPORT_MD, NULL), *html = render(r, REPORT_HTML, NULL);
		char *js = render(r, REPORT_JSON, NULL);
		json_object *root = json_tokener_parse(js), *x, *y;

		assert_non_null(strstr(md, "```sh\nMWV_Q4K=1 STREAM_DP4A_Q6K=1 MWV_WARPS=4 STREAM_WARPS=1\n```"));
		assert_non_null(strstr(md, "| q6_K | `q6k_stream_dp4a` | 1 (STREAM_WARPS) | `STREAM_DP4A_Q6K=1` |"));
		assert_non_null(strstr(md, "are ggscope's variables"));
		assert_non_null(strstr(html, "<td class=\"n\">1 (STREAM_WARPS)</td>"));
		assert_non_null(root);
		assert_true(json_object_object_get_ex(root, "profile", &x));
		assert_true(json_object_object_get_ex(x, "stream_warps", &y));
		assert_int_equal(json_object_get_int(y), 1);
		assert_true(json_object_object_get_ex(x, "note", &y));
		assert_non_null(strstr(json_object_get_string(y), "ggscope's variables"));
		assert_true(json_object_object_get_ex(x, "types", &x));
		x = json_object_array_get_idx(x, 1);
		assert_true(json_object_object_get_ex(x, "uses_stream_warps", &y) && json_object_get_boolean(y));
		assert_true(json_object_object_get_ex(x, "ggscope_variable", &y) && json_object_get_boolean(y));
		json_object_put(root);
		free(js);
		free(html);
		free(md);
	}
	report_free(r);
	gguf_close(f);
}

/* The demo layer's shapes with the H100 figures of the stream and
 * hw_dp4a rows (docs/examples/report-demo.md: time + Q8_1 time, us, per
 * warp count; every other variant was slower in sum there): the
 * recommendation is ggscope's stream dp4a pair at 4 warps, the rule
 * profile.c applies on sm_90; with ffn_down alone it is that tensor's
 * fastest correct row, as `ggscope bench` measured it. */
static const struct h100_row {
	uint32_t type, n, k;
	const char *variant;
	double us[8];
} h100_rows[] = {
	{ QT_Q4_K, 1024, 4096, "q4k_hw_dp4a", { 7.54, 5.68, 5.15, 4.83, 4.87, 5.02, 6.08, 5.31 } },
	{ QT_Q4_K, 1024, 4096, "q4k_stream", { 5.92, 4.42, 4.98, 3.84 } },
	{ QT_Q4_K, 1024, 4096, "q4k_stream_dp4a", { 5.63, 5.00, 5.20, 4.59 } },
	{ QT_Q4_K, 4096, 4096, "q4k_hw_dp4a", { 13.15, 9.58, 9.41, 10.34, 10.78, 11.30, 13.12, 11.43 } },
	{ QT_Q4_K, 4096, 4096, "q4k_stream", { 9.41, 7.91, 9.89, 7.50 } },
	{ QT_Q4_K, 4096, 4096, "q4k_stream_dp4a", { 8.59, 7.98, 8.65, 7.55 } },
	{ QT_Q4_K, 14336, 4096, "q4k_hw_dp4a", { 37.52, 25.10, 25.09, 27.45, 28.64, 29.65, 36.97, 31.67 } },
	{ QT_Q4_K, 14336, 4096, "q4k_stream", { 20.03, 18.27, 23.81, 19.06 } },
	{ QT_Q4_K, 14336, 4096, "q4k_stream_dp4a", { 17.91, 15.96, 17.98, 15.73 } },
	{ QT_Q6_K, 1024, 4096, "q6k_hw_dp4a", { 7.30, 6.38, 5.71, 5.57, 5.32, 5.43, 5.64, 5.52 } },
	{ QT_Q6_K, 1024, 4096, "q6k_stream", { 6.93, 4.99, 4.99, 4.66 } },
	{ QT_Q6_K, 1024, 4096, "q6k_stream_dp4a", { 6.85, 5.74, 5.89, 5.49 } },
	{ QT_Q6_K, 4096, 14336, "q6k_hw_dp4a", { 35.23, 27.89, 28.66, 28.24, 29.59, 27.24, 27.21, 27.17 } },
	{ QT_Q6_K, 4096, 14336, "q6k_stream", { 32.21, 29.09, 29.97, 29.22 } },
	{ QT_Q6_K, 4096, 14336, "q6k_stream_dp4a", { 24.74, 25.14, 29.07, 25.32 } },
};

/* The demo layer's seven matrices, data left as zeros in a sparse file:
 * the plan reads only the shapes. */
static gguf_file *
demo_shapes(void)
{
	static const struct {
		const char *name;
		uint32_t type;
		uint64_t k, n;
	} m[] = {
		{ "blk.0.attn_q.weight", QT_Q4_K, 4096, 4096 }, { "blk.0.attn_k.weight", QT_Q4_K, 4096, 1024 },
		{ "blk.0.attn_v.weight", QT_Q6_K, 4096, 1024 }, { "blk.0.attn_output.weight", QT_Q4_K, 4096, 4096 },
		{ "blk.0.ffn_gate.weight", QT_Q4_K, 4096, 14336 }, { "blk.0.ffn_up.weight", QT_Q4_K, 4096, 14336 },
		{ "blk.0.ffn_down.weight", QT_Q6_K, 14336, 4096 },
	};
	gguf_writer *w = gguf_writer_new(0);
	char path[] = "/tmp/ggscope-report-demo.XXXXXX";
	gguf_file *f;
	errmsg err;
	size_t i;
	int fd;

	gguf_writer_set_str(w, "general.architecture", "llama");
	for (i = 0; i < sizeof m / sizeof m[0]; i++) {
		uint64_t ne[2] = { m[i].k, m[i].n }, row_bytes = 0;

		assert_true(quant_row_bytes(m[i].type, m[i].k, &row_bytes));
		assert_int_equal(gguf_writer_add_tensor(w, m[i].name, 2, ne, m[i].type, NULL, row_bytes * m[i].n, 0,
			&err), 0);
	}
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	if (gguf_writer_write_file(w, path, &err) != 0)
		fail_msg("%s", err.text);
	gguf_writer_free(w);
	f = gguf_open(path, &err);
	unlink(path);
	if (f == NULL)
		fail_msg("%s", err.text);
	return f;
}

static void
fill_h100(report *r)
{
	size_t i, j;

	all_pass(r, 1000);
	for (i = 0; i < sizeof h100_rows / sizeof h100_rows[0]; i++) {
		const struct h100_row *h = &h100_rows[i];
		report_shape *sh = NULL;

		for (j = 0; j < r->n_shapes; j++)
			if (r->shapes[j].type == h->type && r->shapes[j].n == h->n && r->shapes[j].k == h->k)
				sh = &r->shapes[j];
		if (sh == NULL)
			continue;
		for (j = 0; j < 8 && h->us[j] > 0; j++)
			measured(sh, h->variant, (int)j + 1, REPORT_ROW_PASS, h->us[j]);
	}
	report_finish(r);
}

static void
test_recommend_h100(void **state)
{
	gguf_file *f = demo_shapes();
	report_select s;
	report *r;
	const report_profile *p;
	const report_shape *sh;

	(void)state;
	report_select_init(&s);
	r = planned(f, &s);
	assert_int_equal(r->n_shapes, 5);
	fill_h100(r);
	p = &r->profile;
	assert_true(p->valid);
	assert_string_equal(p->env, "STREAM_DP4A_Q4K=1 STREAM_DP4A_Q6K=1 STREAM_WARPS=4");
	/* 4.59 + 2 x 7.55 + 2 x 15.73 and 5.49 + 25.32 */
	assert_true(fabs(p->rec[0].total_us - 51.15) < 1e-6);
	assert_true(fabs(p->rec[1].total_us - 30.81) < 1e-6);
	/* ... what profile.c's ggscope rule picks on cc 9.0 */
	{
		gpu_profile g;

		assert_int_equal(profile_detect(9, 0, pair_getenv, NULL, NULL, PROFILE_RULE_GGSCOPE, &g, NULL), 0);
		assert_string_equal(profile_q4k_name(g.q4k), p->rec[0].label);
		assert_string_equal(profile_q6k_name(g.q6k), p->rec[1].label);
		assert_int_equal((int)g.stream_warps, p->stream_warps);
	}
	/* the fp32 q4k_stream at 4 warps wins the two smaller Q4_K shapes, and
	 * ffn_down's winner is at 1 warp: said, with the gap */
	assert_false(p->rec[0].matches_winners);
	assert_non_null(strstr(p->rec[0].why, "on 1024 x 4096 q4k_stream at 4 warps wins (3.84 us against 4.59 us)"));
	assert_non_null(strstr(p->rec[1].why, "q6k_stream at 4 warps wins (4.66 us against 5.49 us)"));
	assert_non_null(strstr(p->why, "STREAM_DP4A_Q4K, STREAM_DP4A_Q6K and STREAM_WARPS are ggscope's variables"));
	check_unset(p);
	report_free(r);

	/* ffn_down alone: the profile runs exactly bench's fastest correct row */
	report_select_init(&s);
	s.tensor = "blk.0.ffn_down.weight";
	r = planned(f, &s);
	fill_h100(r);
	p = &r->profile;
	sh = &r->shapes[0];
	assert_string_equal(sh->rows[sh->winner].v->name, "q6k_stream_dp4a");
	assert_int_equal(sh->rows[sh->winner].warps, 1);
	assert_string_equal(p->env, "STREAM_DP4A_Q6K=1 STREAM_WARPS=1");
	assert_true(p->rec[1].matches_winners);
	assert_string_equal(p->rec[1].label, sh->rows[sh->winner].v->name);
	assert_int_equal(p->rec[1].warps, sh->rows[sh->winner].warps);
	assert_false(p->rec[0].valid);
	report_free(r);
	gguf_close(f);
}

/* The recommendation's variables are the profile module's: each one,
 * alone in the environment, makes profile_detect pick that variant, and
 * every variant the profile can pick has one (the Q6_K legacy kernel
 * excepted: no variable selects it). */
static const char *only_var;

static const char *
only_getenv(const char *name, void *ctx)
{
	(void)ctx;
	return only_var != NULL && strcmp(name, only_var) == 0 ? "1" : NULL;
}

static void
test_profile_variables(void **state)
{
	gpu_profile p;
	errmsg err;
	int v;

	(void)state;
	/* Under ggscope's rule every variable counts; under the seed's, only
	 * the seed's, and ggscope's stream kernels stay out of reach. */
	for (v = 0; v < PROFILE_Q4K_COUNT; v++) {
		const char *name = profile_q4k_name((enum profile_q4k)v);
		bool stream = profile_q4k_is_stream((enum profile_q4k)v);

		only_var = report_profile_variable(name);
		if (only_var == NULL)
			fail_msg("no variable for %s", name);
		assert_int_equal(strncmp(only_var, "STREAM_", 7) == 0, stream);
		assert_int_equal(profile_detect(8, 0, only_getenv, NULL, NULL, PROFILE_RULE_GGSCOPE, &p, &err), 0);
		assert_string_equal(profile_q4k_name(p.q4k), name);
		assert_int_equal(profile_detect(8, 0, only_getenv, NULL, NULL, PROFILE_RULE_SEED, &p, &err), 0);
		assert_int_equal(p.q4k == (enum profile_q4k)v, !stream);
	}
	for (v = 0; v < PROFILE_Q6K_COUNT; v++) {
		const char *name = profile_q6k_name((enum profile_q6k)v);
		bool stream = profile_q6k_is_stream((enum profile_q6k)v);

		only_var = report_profile_variable(name);
		if (v == PROFILE_Q6K_BASIC) {
			assert_null(only_var);
			continue;
		}
		if (only_var == NULL)
			fail_msg("no variable for %s", name);
		assert_int_equal(strncmp(only_var, "STREAM_", 7) == 0, stream);
		assert_int_equal(profile_detect(8, 0, only_getenv, NULL, NULL, PROFILE_RULE_GGSCOPE, &p, &err), 0);
		assert_string_equal(profile_q6k_name(p.q6k), name);
		assert_int_equal(profile_detect(8, 0, only_getenv, NULL, NULL, PROFILE_RULE_SEED, &p, &err), 0);
		assert_int_equal(p.q6k == (enum profile_q6k)v, !stream);
	}
	only_var = NULL;
	assert_null(report_profile_variable("q4k_coalesced"));
	assert_null(report_profile_variable("nope"));
}

/* Whether `text` holds the variant name `name` as a whole word, not inside
 * a longer one (q4k_mwv in q4k_mwv_dp4a). */
static bool
has_name(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *s;

	for (s = strstr(text, name); s != NULL; s = strstr(s + 1, name))
		if ((s == text || !(isalnum((unsigned char)s[-1]) || s[-1] == '_')) &&
		    !(isalnum((unsigned char)s[n]) || s[n] == '_'))
			return true;
	return false;
}

/* A copy of the manual from the text `from` up to `to` (not included). */
static char *
man_part(const char *man, const char *from, const char *to)
{
	const char *a = strstr(man, from), *b;
	char *part;

	if (a == NULL)
		fail_msg("the manual has no \"%s\"", from);
	b = strstr(a + strlen(from), to);
	if (b == NULL)
		fail_msg("the manual has no \"%s\" after \"%s\"", to, from);
	part = malloc((size_t)(b - a) + 1);
	assert_non_null(part);
	memcpy(part, a, (size_t)(b - a));
	part[b - a] = '\0';
	return part;
}

/* The manual's list of a type's variables (the tags of the .TP entries
 * after `from`, up to the next .PP) is profile_env_vars's, in its order,
 * each described as selecting its variant, and as ggscope's exactly when
 * it is. */
static void
check_documented(const char *man, enum profile_field f, const char *from)
{
	static const char tp[] = "\n.TP\n.B ";
	char *part = man_part(man, from, "\n.PP");
	const profile_env_var *vars;
	const char *s = part;
	size_t n, i;

	vars = profile_env_vars(f, &n);
	assert_non_null(vars);
	for (i = 0; i < n; i++) {
		const char *tag, *desc, *end;
		char want[96], text[512];

		tag = strstr(s, tp);
		if (tag == NULL)
			fail_msg("the manual lists %zu %s variables, the profile %zu", i, profile_field_name(f), n);
		tag += strlen(tp);
		desc = strchr(tag, '\n');
		assert_non_null(desc);
		desc++;
		end = strstr(desc, "\n.TP");
		if (end == NULL)
			end = desc + strlen(desc);
		if ((size_t)(desc - 1 - tag) != strlen(vars[i].var) || strncmp(tag, vars[i].var, strlen(vars[i].var)) != 0)
			fail_msg("the manual's %s variable %zu is %.*s, the profile's %s", profile_field_name(f), i + 1,
				(int)(desc - 1 - tag), tag, vars[i].var);
		snprintf(text, sizeof text, "%.*s", (int)(end - desc), desc);
		if (f == PROFILE_F_Q4K && vars[i].variant == PROFILE_Q4K_LEGACY)
			snprintf(want, sizeof want, "Q4_K runs the legacy dispatch");
		else
			snprintf(want, sizeof want, "%s runs %s (presence", f == PROFILE_F_Q4K ? "Q4_K" : "Q6_K",
				f == PROFILE_F_Q4K ? profile_q4k_name((enum profile_q4k)vars[i].variant)
					: profile_q6k_name((enum profile_q6k)vars[i].variant));
		if (strstr(text, want) == NULL)
			fail_msg("%s: the manual says \"%s\", not \"%s\"", vars[i].var, text, want);
		if ((strstr(text, "ggscope's variable") != NULL) != vars[i].ggscope)
			fail_msg("%s: the manual %s it ggscope's variable", vars[i].var, vars[i].ggscope ? "does not call"
				: "calls");
		s = end;
	}
	if (strstr(s, tp) != NULL)
		fail_msg("the manual lists more %s variables than the profile's %zu", profile_field_name(f), n);
	free(part);
}

/* The profile's one table of variables (profile_env_vars), which both
 * profile_detect and the recommendation read, against the manual: the
 * variables, their precedence, the variants they select, which are
 * ggscope's, and which warp count each variant reads (the kernels listed
 * under MWV_WARPS and STREAM_WARPS). */
static void
test_env_vars_documented(void **state)
{
	static const enum profile_field fields[] = { PROFILE_F_Q4K, PROFILE_F_Q6K };
	const char *top = getenv("top_srcdir");
	char path[4096], *man, *mwv, *stream;
	size_t t, i, n;

	(void)state;
	snprintf(path, sizeof path, "%s/man/ggscope.1.in", top != NULL ? top : ".");
	man = slurp(path);
	if (man == NULL)
		fail_msg("cannot read %s (run through make check, or from the source tree)", path);
	check_documented(man, PROFILE_F_Q4K, "The Q4_K variables are checked in this order");
	check_documented(man, PROFILE_F_Q6K, "The Q6_K variables, first present wins");
	mwv = man_part(man, "\n.B MWV_WARPS\n", "\n.TP");
	stream = man_part(man, "\n.B STREAM_WARPS\n", "\n.TP");
	for (t = 0; t < 2; t++) {
		const profile_env_var *vars = profile_env_vars(fields[t], &n);

		for (i = 0; i < n; i++) {
			const char *name = t == 0 ? profile_q4k_name((enum profile_q4k)vars[i].variant)
				: profile_q6k_name((enum profile_q6k)vars[i].variant);

			if (has_name(mwv, name) != (vars[i].warps == PROFILE_WARPS_MWV))
				fail_msg("%s: the manual %s it under MWV_WARPS", name, has_name(mwv, name) ? "lists" : "does not list");
			if (has_name(stream, name) != (vars[i].warps == PROFILE_WARPS_STREAM))
				fail_msg("%s: the manual %s it under STREAM_WARPS", name,
					has_name(stream, name) ? "lists" : "does not list");
			/* The recommendation names the same variable. */
			assert_string_equal(report_profile_variable(name), vars[i].var);
		}
	}
	assert_null(profile_env_vars(PROFILE_F_MWV_WARPS, &n));
	assert_int_equal(n, 0);
	free(stream);
	free(mwv);
	free(man);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recommend),
		cmocka_unit_test(test_recommend_stream),
		cmocka_unit_test(test_recommend_h100),
		cmocka_unit_test(test_profile_variables),
		cmocka_unit_test(test_env_vars_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
