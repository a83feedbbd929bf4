/* Unit tests for report: the selection parsers, the plan (which tensors,
 * which shapes, which rows), the winners and the decode-time shares from
 * rows filled by hand, the writers (JSON read back, CSV shape, Markdown and
 * HTML content, SVG balance) and the atomic files. The recommended
 * GpuProfile is in test_report_profile.c, whole runs in test_report_run.c.
 * Small shapes keep it fast under ASan. */
#include "config.h"

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

/* ---------------------------------------------------------------- parsers */

static void
test_parse_layers(void **state)
{
	report_select s;
	errmsg err;

	(void)state;
	report_select_init(&s);
	assert_true(s.all_layers);
	assert_int_equal(report_parse_layers(&s, "0-3,7", &err), 0);
	assert_false(s.all_layers);
	assert_int_equal(s.n_ranges, 2);
	assert_int_equal(s.lo[0], 0);
	assert_int_equal(s.hi[0], 3);
	assert_int_equal(s.lo[1], 7);
	assert_int_equal(s.hi[1], 7);
	assert_int_equal(report_parse_layers(&s, "ALL", &err), 0);
	assert_true(s.all_layers);
	assert_int_equal(report_parse_layers(&s, "3-1", &err), -1);
	assert_non_null(strstr(err.text, "3-1 ends before it starts"));
	assert_int_equal(report_parse_layers(&s, "x", &err), -1);
	assert_non_null(strstr(err.text, "'x' is not N or N-M"));
	assert_int_equal(report_parse_layers(&s, "1,,2", &err), -1);
	assert_non_null(strstr(err.text, "empty item"));
	assert_int_equal(report_parse_layers(&s, "", &err), -1);
	assert_int_equal(report_parse_layers(&s, "0-", &err), -1);
	assert_int_equal(report_parse_layers(&s, "-3", &err), -1);
	assert_int_equal(report_parse_layers(&s, "100000", &err), -1);
	assert_int_equal(report_parse_layers(&s, "99999", &err), 0);
	assert_int_equal(report_parse_layers(&s, "1,", &err), -1);
	{
		char many[4 * (REPORT_MAX_LIST + 2)] = "";
		int i;

		for (i = 0; i <= REPORT_MAX_LIST; i++)
			snprintf(many + strlen(many), sizeof many - strlen(many), "%s%d", i ? "," : "", i);
		assert_int_equal(report_parse_layers(&s, many, &err), -1);
		assert_non_null(strstr(err.text, "more than"));
	}
}

static void
test_parse_lists(void **state)
{
	report_select s;
	errmsg err;

	(void)state;
	report_select_init(&s);
	assert_int_equal(report_parse_types(&s, "Q6_K", &err), 0);
	assert_false(s.types[0]);
	assert_true(s.types[1]);
	assert_int_equal(report_parse_types(&s, "q6_k,q4_K", &err), 0);
	assert_true(s.types[0] && s.types[1]);
	assert_int_equal(report_parse_types(&s, "q8_0", &err), -1);
	assert_non_null(strstr(err.text, "'q8_0' is not q4_K or q6_K"));
	assert_true(s.types[0] && s.types[1]); /* a failed parse leaves the old value */
	assert_int_equal(report_parse_types(&s, "q4_K,", &err), -1);

	assert_int_equal(report_parse_variants(&s, "q4k_mwv,Q6K_HW_DP4A,q4k_legacy,q4k_mwv", &err), 0);
	assert_int_equal(s.n_variants, 3);
	assert_string_equal(s.variants[1], "q6k_hw_dp4a");
	assert_int_equal(report_parse_variants(&s, "all", &err), 0);
	assert_int_equal(s.n_variants, 0);
	assert_int_equal(report_parse_variants(&s, "nope", &err), -1);
	assert_non_null(strstr(err.text, "'nope' is not a GEMV variant"));
	assert_int_equal(report_parse_variants(&s, "quantize_q8_1", &err), -1);

	assert_int_equal(report_parse_warps(&s, "4,1,4", &err), 0);
	assert_int_equal(s.n_warps, 2);
	assert_int_equal(s.warps[0], 4);
	assert_int_equal(s.warps[1], 1);
	assert_int_equal(report_parse_warps(&s, "all", &err), 0);
	assert_int_equal(s.n_warps, 0);
	assert_int_equal(report_parse_warps(&s, "0", &err), -1);
	assert_int_equal(report_parse_warps(&s, "33", &err), -1);
	assert_int_equal(report_parse_warps(&s, "2x", &err), -1);
	assert_non_null(strstr(err.text, "'2x' is not a warp count"));
}

static void
test_formats(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(report_format_parse("md"), REPORT_MD);
	assert_int_equal(report_format_parse("Markdown"), REPORT_MD);
	assert_int_equal(report_format_parse("JSON"), REPORT_JSON);
	assert_int_equal(report_format_parse("htm"), REPORT_HTML);
	assert_int_equal(report_format_parse("pdf"), -1);
	assert_int_equal(report_format_of_path("a/b.csv"), REPORT_CSV);
	assert_int_equal(report_format_of_path("a.b/c"), -1);
	assert_int_equal(report_format_of_path("x."), -1);
	assert_string_equal(report_format_name(REPORT_HTML), "html");
	assert_string_equal(report_svg_path("dir/x.md", buf, sizeof buf), "dir/x.svg");
	assert_string_equal(report_svg_path("dir.d/x", buf, sizeof buf), "dir.d/x.svg");
	assert_string_equal(report_svg_path(".hidden", buf, sizeof buf), ".hidden.svg");
	assert_string_equal(report_status_name(REPORT_ROW_COMPILE_ERROR), "compile-error");
	assert_string_equal(report_type_name(QT_Q6_K), "q6_K");
}

/* ---------------------------------------------------------------- plan */

static void
test_plan_all(void **state)
{
	gguf_file *f = test_model();
	report_select s;
	report *r;
	report_shape *sh;
	size_t i, j, rows_q4 = 0;

	(void)state;
	report_select_init(&s);
	r = planned(f, &s);
	/* 6 matrices: the embedding, the Q8_0 and the 3-D tensor are skipped with a reason */
	assert_int_equal(r->n_tensors, 6);
	assert_int_equal(r->n_shapes, 4);
	assert_int_equal(r->n_skipped, 3);
	assert_string_equal(r->skipped[0].name, "token_embd.weight");
	assert_non_null(strstr(r->skipped[0].why, "row lookup"));
	assert_non_null(strstr(r->skipped[1].why, "q8_0"));
	assert_non_null(strstr(r->skipped[2].why, "3 dimensions"));
	/* Q4_K first, then by rows and columns */
	assert_int_equal(r->shapes[0].type, QT_Q4_K);
	assert_int_equal(r->shapes[0].n, 2);
	assert_int_equal(r->shapes[1].n, 256);
	assert_int_equal(r->shapes[2].type, QT_Q6_K);
	assert_int_equal(r->shapes[2].n, 256);
	assert_int_equal(r->shapes[2].k, 512);
	sh = shape_of(r, QT_Q4_K, 256, 256);
	assert_int_equal(sh->n_tensors, 3);
	assert_string_equal(r->tensors[sh->first_tensor].name, "blk.0.attn_q.weight");
	assert_int_equal(sh->winner, -1);
	for (i = 0; i < r->n_tensors; i++)
		assert_true(r->shapes[r->tensors[i].shape].type == r->tensors[i].type &&
			r->shapes[r->tensors[i].shape].k == r->tensors[i].k);
	assert_int_equal(r->tensors[5].layer, -1); /* output.weight */
	/* every legal (variant, warps) of the type, once */
	for (j = 0; j < sh->n_rows; j++) {
		assert_int_equal(sh->rows[j].v->qtype, QT_Q4_K);
		assert_true(variant_warps_legal(sh->rows[j].v, sh->rows[j].warps));
		assert_int_equal(sh->rows[j].status, REPORT_ROW_PLANNED);
		assert_int_equal(sh->rows[j].ideal_bytes, variant_bytes(sh->rows[j].v, 256, 256));
		rows_q4++;
	}
	assert_int_equal(rows_q4, legal_rows(QT_Q4_K));
	assert_true(rows_q4 >= 30); /* 6 fixed-warp variants and 3 of 1..8 at least */
	assert_int_equal(shape_of(r, QT_Q6_K, 256, 512)->n_rows, legal_rows(QT_Q6_K));
	/* k = 12544 > 12288: q4k_tiled is refused with the rule */
	sh = shape_of(r, QT_Q4_K, 2, 12544);
	assert_int_equal(row_of(sh, "q4k_tiled", 4)->status, REPORT_ROW_REFUSED);
	assert_non_null(strstr(row_of(sh, "q4k_tiled", 4)->why, "12288"));
	assert_int_equal(report_count_status(r, REPORT_ROW_REFUSED), 1);
	assert_non_null(strstr(r->env.selection, "layers all"));
	report_free(r);
	gguf_close(f);
}

static void
test_plan_filters(void **state)
{
	gguf_file *f = test_model();
	report_select s;
	report *r;
	errmsg err;

	(void)state;
	/* layers 0 and 2: no output.weight, no blk.1 */
	report_select_init(&s);
	assert_int_equal(report_parse_layers(&s, "0,2", &err), 0);
	r = planned(f, &s);
	assert_int_equal(r->n_tensors, 4);
	assert_int_equal(r->n_skipped, 0);
	assert_int_equal(shape_of(r, QT_Q4_K, 256, 256)->n_tensors, 2);
	assert_non_null(strstr(r->env.selection, "layers 0,2"));
	report_free(r);

	/* a Q4_K variant only: Q6_K tensors are left out, saying why */
	report_select_init(&s);
	assert_int_equal(report_parse_variants(&s, "q4k_mwv", &err), 0);
	assert_int_equal(report_parse_warps(&s, "2,4", &err), 0);
	r = planned(f, &s);
	assert_int_equal(r->n_shapes, 2);
	assert_int_equal(r->shapes[0].n_rows, 2);
	assert_int_equal(r->shapes[0].rows[1].warps, 4);
	assert_non_null(strstr(r->skipped[r->n_skipped - 1].why, "--variants names no q6_K variant"));
	report_free(r);

	/* the legacy alias stands for the pick at each k */
	report_select_init(&s);
	assert_int_equal(report_parse_variants(&s, "q4k_legacy", &err), 0);
	assert_int_equal(report_parse_types(&s, "q4_K", &err), 0);
	r = planned(f, &s);
	assert_string_equal(shape_of(r, QT_Q4_K, 256, 256)->rows[0].v->name, "q4k_tiled");
	assert_string_equal(shape_of(r, QT_Q4_K, 2, 12544)->rows[0].v->name, "q4k_chunked");
	report_free(r);

	/* one tensor */
	report_select_init(&s);
	s.tensor = "blk.0.ffn_down.weight";
	r = planned(f, &s);
	assert_int_equal(r->n_tensors, 1);
	assert_non_null(strstr(r->env.selection, "tensor blk.0.ffn_down.weight"));
	report_free(r);

	/* failures name the cause */
	r = report_new();
	s.tensor = "blk.9.nope.weight";
	assert_int_equal(report_plan(r, f, &s, &err), -1);
	assert_non_null(strstr(err.text, "no tensor named 'blk.9.nope.weight'"));
	report_free(r);
	r = report_new();
	s.tensor = "blk.0.attn_norm.weight";
	assert_int_equal(report_plan(r, f, &s, &err), -1);
	assert_non_null(strstr(err.text, "not a matrix"));
	report_free(r);
	r = report_new();
	s.tensor = "blk.1.ffn_gate.weight";
	assert_int_equal(report_plan(r, f, &s, &err), -1);
	assert_non_null(strstr(err.text, "no GEMV kernel"));
	report_free(r);
	r = report_new();
	report_select_init(&s);
	assert_int_equal(report_parse_layers(&s, "7-9", &err), 0);
	assert_int_equal(report_plan(r, f, &s, &err), -1);
	assert_non_null(strstr(err.text, "no Q4_K/Q6_K weight matrix matches (layers 7-9"));
	report_free(r);
	r = report_new();
	report_select_init(&s);
	assert_int_equal(report_parse_variants(&s, "q4k_wide", &err), 0);
	assert_int_equal(report_parse_warps(&s, "3", &err), 0);
	assert_int_equal(report_plan(r, f, &s, &err), -1);
	assert_non_null(strstr(err.text, "no variant of the selection takes these warps"));
	report_free(r);
	gguf_close(f);
}

/* ---------------------------------------------------------------- finish */

static void
test_winner_and_shares(void **state)
{
	gguf_file *f = test_model();
	report_select s;
	report *r;
	report_shape *a, *b;
	double sum = 0, bytes = 0;
	size_t i;

	(void)state;
	report_select_init(&s);
	r = planned(f, &s);
	report_finish(r);
	assert_false(r->time_shares_valid);
	assert_false(r->profile.valid);
	all_pass(r, 50);
	a = shape_of(r, QT_Q4_K, 256, 256);
	measured(a, "q4k_mwv", 4, REPORT_ROW_PASS, 10);
	measured(a, "q4k_hw_dp4a", 2, REPORT_ROW_FAIL, 5);   /* faster but wrong */
	row_of(a, "q4k_mwv_dp4a", 3)->total_valid = false; /* no time: never a winner */
	row_of(a, "q4k_mwv_dp4a", 3)->total_us = 1;
	b = shape_of(r, QT_Q4_K, 2, 12544);
	measured(b, "q4k_mwv", 3, REPORT_ROW_PASS, 20);
	measured(b, "q4k_mwv", 5, REPORT_ROW_PASS, 20);      /* a tie keeps the first */
	report_finish(r);
	assert_string_equal(a->rows[a->winner].v->name, "q4k_mwv");
	assert_int_equal(a->rows[a->winner].warps, 4);
	assert_true(row_of(a, "q4k_mwv", 4)->winner);
	assert_false(row_of(a, "q4k_hw_dp4a", 2)->winner);
	assert_int_equal(b->rows[b->winner].warps, 3);
	/* shares: every tensor timed, both shares sum to 100 */
	assert_true(r->time_shares_valid);
	for (i = 0; i < r->n_tensors; i++) {
		assert_true(r->tensors[i].time_valid);
		sum += r->tensors[i].time_share_pct;
		bytes += r->tensors[i].bytes_share_pct;
	}
	assert_true(fabs(sum - 100) < 1e-9);
	assert_true(fabs(bytes - 100) < 1e-9);
	/* 3 x 10 (shape a) + 20 (b) + 50 + 50 (the Q6_K shapes) */
	assert_true(fabs(r->total_time_us - 150) < 1e-9);
	assert_true(fabs(r->tensors[1].time_share_pct - 100.0 * 10 / 150) < 1e-9);
	/* a shape without a correct row: no shares */
	for (i = 0; i < b->n_rows; i++)
		if (b->rows[i].status == REPORT_ROW_PASS)
			b->rows[i].status = REPORT_ROW_FAIL;
	report_finish(r);
	assert_int_equal(b->winner, -1);
	assert_false(r->time_shares_valid);
	report_free(r);
	gguf_close(f);
}

/* ---------------------------------------------------------------- writers */

/* A report with every kind of row and an outlier table, for the writers. */
static report *
mixed_report(gguf_file *f)
{
	report_select s;
	report *r;
	report_shape *a;
	report_outlier_row *o;

	report_select_init(&s);
	r = planned(f, &s);
	all_pass(r, 50);
	a = shape_of(r, QT_Q4_K, 256, 256);
	measured(a, "q4k_mwv", 4, REPORT_ROW_PASS, 10);
	measured(a, "q4k_hw_dp4a", 2, REPORT_ROW_FAIL, 5);
	snprintf(row_of(a, "q4k_hw_dp4a", 2)->why, REPORT_WHY_MAX, "rel_l2 0.5 > tolerance, \"bad\" | x");
	row_of(a, "q4k_mwv", 5)->status = REPORT_ROW_UNMEASURED;
	row_of(a, "q4k_mwv", 5)->time_valid = row_of(a, "q4k_mwv", 5)->total_valid = false;
	row_of(a, "q4k_mwv", 5)->gbs_valid = row_of(a, "q4k_mwv", 5)->err_valid = false;
	row_of(a, "q4k_mwv", 6)->status = REPORT_ROW_PLANNED;
	row_of(a, "q4k_mwv", 6)->time_valid = row_of(a, "q4k_mwv", 6)->total_valid = false;
	row_of(a, "q4k_mwv", 6)->gbs_valid = row_of(a, "q4k_mwv", 6)->err_valid = false;
	row_of(a, "q4k_mwv", 7)->status = REPORT_ROW_COMPILE_ERROR;
	snprintf(row_of(a, "q4k_mwv", 7)->why, REPORT_WHY_MAX, "q4k_mwv.cu(12): error: <oops> & more");
	r->env.device_valid = true;
	snprintf(r->env.device, sizeof r->env.device, "Test GPU");
	snprintf(r->env.device_line, sizeof r->env.device_line, "Test GPU, sm_90, 132 SMs");
	snprintf(r->env.arch, sizeof r->env.arch, "sm_90");
	r->env.ceiling_valid = true;
	r->env.ceiling_gbs = 3000;
	r->outliers.available = true;
	snprintf(r->outliers.source, sizeof r->outliers.source, "synthetic N(0,1) seed 42, 408:26x");
	r->outliers.rows = calloc(3, sizeof *r->outliers.rows);
	r->outliers.n_rows = 3;
	o = r->outliers.rows;
	o[0].layer = 0;
	snprintf(o[0].tensor, sizeof o[0].tensor, "blk.0.attn_q.weight");
	o[0].k = 256;
	o[0].ratio_valid = o[0].eps_valid = o[0].verdict_valid = o[0].seed_fp32 = o[0].fp32 = true;
	o[0].max_over_rms = 14.5;
	o[0].eps_bulk = 0.05;
	snprintf(o[0].reason, sizeof o[0].reason, "eps_bulk 5%% > 2%%");
	o[1].layer = 1;
	snprintf(o[1].tensor, sizeof o[1].tensor, "blk.1.attn_q.weight");
	o[1].k = 256;
	o[1].ratio_valid = o[1].verdict_valid = true;
	o[1].max_over_rms = 3.9;
	o[2].layer = -1;
	snprintf(o[2].tensor, sizeof o[2].tensor, "output.weight");
	o[2].skipped = true;
	snprintf(o[2].why, sizeof o[2].why, "no input");
	r->outliers.n_fp32 = 1;
	r->outliers.n_seed_flagged = 1;
	r->partial = true;
	snprintf(r->partial_why, sizeof r->partial_why, "interrupted after 3 of 9 steps");
	report_finish(r);
	return r;
}

static void
test_json(void **state)
{
	gguf_file *f = test_model();
	report *r = mixed_report(f);
	char *text = render(r, REPORT_JSON, NULL);
	json_object *root = json_tokener_parse(text), *x, *shapes, *rows, *row;
	size_t i, n_rows = 0;
	bool seen_unmeasured = false;

	(void)state;
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "schema_version", &x));
	assert_int_equal(json_object_get_int(x), REPORT_SCHEMA_VERSION);
	assert_true(json_object_object_get_ex(root, "partial", &x) && json_object_get_boolean(x));
	assert_true(json_object_object_get_ex(root, "partial_reason", &x));
	assert_string_equal(json_object_get_string(x), "interrupted after 3 of 9 steps");
	assert_true(json_object_object_get_ex(root, "shapes", &shapes));
	assert_int_equal(json_object_array_length(shapes), r->n_shapes);
	for (i = 0; i < json_object_array_length(shapes); i++) {
		assert_true(json_object_object_get_ex(json_object_array_get_idx(shapes, i), "rows", &rows));
		n_rows += json_object_array_length(rows);
	}
	assert_int_equal(n_rows, 2 * legal_rows(QT_Q4_K) + 2 * legal_rows(QT_Q6_K));
	/* shape 1 is 256 x 256: its winner and an unmeasured row with nulls */
	assert_true(json_object_object_get_ex(json_object_array_get_idx(shapes, 1), "winner", &x));
	assert_true(json_object_object_get_ex(x, "variant", &x));
	assert_string_equal(json_object_get_string(x), "q4k_mwv");
	assert_true(json_object_object_get_ex(json_object_array_get_idx(shapes, 1), "rows", &rows));
	for (i = 0; i < json_object_array_length(rows); i++) {
		json_object *st;

		row = json_object_array_get_idx(rows, i);
		assert_true(json_object_object_get_ex(row, "status", &st));
		if (strcmp(json_object_get_string(st), "unmeasured") == 0) {
			seen_unmeasured = true;
			assert_true(json_object_object_get_ex(row, "time_us", &x));
			assert_null(x); /* never a fake 0 */
			assert_true(json_object_object_get_ex(row, "gbs", &x));
			assert_null(x);
		}
	}
	assert_true(seen_unmeasured);
	assert_true(json_object_object_get_ex(root, "profile", &x));
	assert_true(json_object_object_get_ex(x, "env", &x));
	assert_non_null(strstr(json_object_get_string(x), "MWV_Q4K=1"));
	assert_true(json_object_object_get_ex(root, "outliers", &x));
	assert_true(json_object_object_get_ex(x, "fp32_layers", &x));
	assert_int_equal(json_object_array_length(x), 1);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(x, 0)), 0);
	/* numbers carry no float noise */
	assert_null(strstr(text, "00000000"));
	json_object_put(root);
	free(text);
	report_free(r);
	gguf_close(f);
}

static void
test_csv(void **state)
{
	gguf_file *f = test_model();
	report *r = mixed_report(f);
	char *text = render(r, REPORT_CSV, NULL), *line, *save = NULL;
	size_t lines = 0, i;
	int header_fields = 0;

	(void)state;
	/* one header and one line per row, every line with the header's
	 * number of fields outside quotes */
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		int fields = 1;
		bool quoted = false;

		for (i = 0; line[i]; i++) {
			if (line[i] == '"')
				quoted = !quoted;
			else if (line[i] == ',' && !quoted)
				fields++;
		}
		assert_false(quoted);
		if (lines == 0) {
			header_fields = fields;
			assert_memory_equal(line, "type,n,k,tensors,variant,warps", 30);
		} else
			assert_int_equal(fields, header_fields);
		lines++;
	}
	assert_int_equal(lines, 1 + 2 * legal_rows(QT_Q4_K) + 2 * legal_rows(QT_Q6_K));
	free(text);
	text = render(r, REPORT_CSV, NULL);
	assert_non_null(strstr(text, "\"rel_l2 0.5 > tolerance, \"\"bad\"\" | x\""));
	assert_non_null(strstr(text, "q6_K,256,512,1,q6k_basic,1,f32,pass,1,50.0000"));
	assert_non_null(strstr(text, ",planned,0,,,,,,"));
	free(text);
	report_free(r);
	gguf_close(f);
}

static void
test_md_html_svg(void **state)
{
	gguf_file *f = test_model();
	report *r = mixed_report(f);
	char *md = render(r, REPORT_MD, "pictures.svg"), *html = render(r, REPORT_HTML, NULL), *svg;
	size_t len = 0;
	FILE *out;
	errmsg err;

	(void)state;
	assert_null(strstr(md, "| libcuda |")); /* no path, no row */
	assert_null(strstr(html, "<th>libcuda</th>"));
	free(md);
	free(html);
	/* the driver library's path, in both formats, escaped */
	snprintf(r->env.libcuda, sizeof r->env.libcuda, "/opt/a&b/libcuda.so.1");
	md = render(r, REPORT_MD, "pictures.svg");
	html = render(r, REPORT_HTML, NULL);
	assert_non_null(strstr(md, "| libcuda | /opt/a&b/libcuda.so.1 |"));
	assert_non_null(strstr(html, "<tr><th>libcuda</th><td>/opt/a&amp;b/libcuda.so.1</td></tr>"));
	assert_non_null(strstr(md, "> **PARTIAL REPORT**: interrupted after 3 of 9 steps"));
	assert_non_null(strstr(md, "](pictures.svg)"));
	assert_non_null(strstr(md, "```sh\nMWV_Q4K=1 DP4A_Q6K=1 MWV_WARPS=4\n```"));
	assert_non_null(strstr(md, "| **winner** | q4k_mwv | 4 |"));
	assert_non_null(strstr(md, "rel_l2 0.5 > tolerance, \"bad\" \\| x")); /* | escaped */
	assert_non_null(strstr(md, "Layers that need the fp32 route: 0 (1 of 3 GEMVs"));
	assert_non_null(strstr(md, "| n/a | n/a |"));
	assert_null(strstr(md, "Pictures are written only"));
	assert_non_null(strstr(html, "<p class=\"partial\"><b>PARTIAL REPORT</b>"));
	assert_non_null(strstr(html, "&lt;oops&gt; &amp; more"));
	assert_null(strstr(html, "<oops>"));
	assert_int_equal(count(html, "<svg "), r->n_shapes + 1); /* heat maps and the chart */
	assert_int_equal(count(html, "<svg "), count(html, "</svg>"));
	assert_non_null(strstr(html, "</html>"));
	out = open_memstream(&svg, &len);
	assert_int_equal(report_write_svg(r, out, &err), 0);
	fclose(out);
	assert_memory_equal(svg, "<?xml", 5);
	assert_int_equal(count(svg, "<svg "), r->n_shapes + 2);
	assert_int_equal(count(svg, "<svg "), count(svg, "</svg>"));
	assert_non_null(strstr(svg, "seed rule 8x"));
	assert_non_null(strstr(svg, "FAIL"));
	assert_non_null(strstr(svg, "per layer")); /* two layers: one bar each */
	assert_null(strstr(svg, "<oops>"));
	free(svg);
	free(md);
	free(html);
	md = render(r, REPORT_MD, NULL);
	assert_non_null(strstr(md, "Pictures are written only beside a report file"));
	free(md);
	report_free(r);
	gguf_close(f);
}

/* ---------------------------------------------------------------- files */

static void
test_atomic_write(void **state)
{
	gguf_file *f = test_model();
	report *r = mixed_report(f);
	char dir[] = "/tmp/ggscope-report-test.XXXXXX", path[256], svg[256], *text;
	struct dirent *e;
	DIR *d;
	errmsg err;
	int entries = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/out.md", dir);
	assert_int_equal(report_write(r, REPORT_MD, path, &err), 0);
	snprintf(svg, sizeof svg, "%s/out.svg", dir);
	text = slurp(path);
	assert_non_null(strstr(text, "](out.svg)"));
	free(text);
	text = slurp(svg);
	assert_non_null(text);
	assert_non_null(strstr(text, "</svg>"));
	free(text);
	snprintf(path, sizeof path, "%s/out.json", dir);
	assert_int_equal(report_write(r, REPORT_JSON, path, &err), 0);
	/* a rewrite replaces the file */
	assert_int_equal(report_write(r, REPORT_JSON, path, &err), 0);
	/* no temporary file is left */
	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)) {
			assert_true(strcmp(e->d_name, "out.md") == 0 || strcmp(e->d_name, "out.svg") == 0 ||
				strcmp(e->d_name, "out.json") == 0);
			entries++;
		}
	closedir(d);
	assert_int_equal(entries, 3);
	/* an impossible destination fails naming it, leaving nothing */
	snprintf(path, sizeof path, "%s/no/such/dir/x.csv", dir);
	assert_int_equal(report_write(r, REPORT_CSV, path, &err), -1);
	assert_non_null(strstr(err.text, "no/such/dir"));
	unlink(svg);
	snprintf(path, sizeof path, "%s/out.md", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/out.json", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	report_free(r);
	gguf_close(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_layers),
		cmocka_unit_test(test_parse_lists),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_plan_all),
		cmocka_unit_test(test_plan_filters),
		cmocka_unit_test(test_winner_and_shares),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_md_html_svg),
		cmocka_unit_test(test_atomic_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
