/* Unit tests for report: the selection parsers, the plan (which tensors,
 * which shapes, which rows), the winners, the recommended GpuProfile and
 * the decode-time shares from rows filled by hand, the writers (JSON read
 * back, CSV shape, Markdown and HTML content, SVG balance), the atomic
 * files, and a real run (compile only, cancelled half-way). Small shapes
 * keep it fast under ASan. */
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

/* ---------------------------------------------------------------- fixtures */

/* Gaussian-ish deterministic floats (an LCG through a sum of uniforms). */
static void
fill_values(float *x, size_t n, uint32_t seed)
{
	size_t i;
	int j;

	for (i = 0; i < n; i++) {
		double s = 0;

		for (j = 0; j < 4; j++) {
			seed = seed * 1664525u + 1013904223u;
			s += (double)(seed >> 8) / 16777216.0 - 0.5;
		}
		x[i] = (float)s;
	}
}

/* A quantized [n, k] matrix of type (Q4_K, Q6_K or Q8_0) added to w. */
static void
add_matrix(gguf_writer *w, const char *name, uint32_t type, uint64_t k, uint64_t n)
{
	uint64_t ne[2] = { k, n }, row_bytes = 0;
	float *x = malloc(k * sizeof *x);
	uint8_t *data;
	errmsg err;
	uint64_t r;

	assert_true(quant_row_bytes(type, k, &row_bytes));
	data = malloc(row_bytes * n);
	for (r = 0; r < n; r++) {
		fill_values(x, k, (uint32_t)(r * 7919 + k));
		if (type == QT_Q4_K)
			quant_quantize_q4_k(x, data + r * row_bytes, (int64_t)k);
		else if (type == QT_Q6_K)
			quant_quantize_q6_k(x, data + r * row_bytes, (int64_t)k);
		else
			quant_quantize_q8_0(x, data + r * row_bytes, (int64_t)k);
	}
	assert_int_equal(gguf_writer_add_tensor(w, name, 2, ne, type, data, row_bytes * n, 1, &err), 0);
	free(data);
	free(x);
}

/* A small model: three blocks, an LM head, an embedding, a norm, a Q8_0
 * matrix and a 3-D expert tensor.
 *   shapes: q4_K 256x256 (blk.0.attn_q, blk.0.attn_k, blk.1.attn_q),
 *           q4_K 2x12544 (blk.2.ffn_up: q4k_tiled refuses k > 12288),
 *           q6_K 256x512 (blk.0.ffn_down), q6_K 512x256 (output). */
static gguf_file *
test_model(void)
{
	gguf_writer *w = gguf_writer_new(0);
	uint64_t ne1[1] = { 256 }, ne3[3] = { 256, 32, 4 };
	uint8_t *buf;
	size_t len;
	errmsg err;
	gguf_file *f;

	gguf_writer_set_str(w, "general.architecture", "llama");
	add_matrix(w, "token_embd.weight", QT_Q4_K, 256, 512);
	assert_int_equal(gguf_writer_add_tensor(w, "blk.0.attn_norm.weight", 1, ne1, QT_F32, NULL, 1024, 0, &err), 0);
	add_matrix(w, "blk.0.attn_q.weight", QT_Q4_K, 256, 256);
	add_matrix(w, "blk.0.attn_k.weight", QT_Q4_K, 256, 256);
	add_matrix(w, "blk.0.ffn_down.weight", QT_Q6_K, 512, 256);
	add_matrix(w, "blk.1.attn_q.weight", QT_Q4_K, 256, 256);
	add_matrix(w, "blk.1.ffn_gate.weight", QT_Q8_0, 256, 64);
	add_matrix(w, "blk.2.ffn_up.weight", QT_Q4_K, 12544, 2);
	assert_int_equal(gguf_writer_add_tensor(w, "blk.3.ffn_gate_exps.weight", 3, ne3, QT_Q4_K, NULL,
		144ull * 32 * 4, 0, &err), 0);
	add_matrix(w, "output.weight", QT_Q6_K, 256, 512);
	assert_int_equal(gguf_writer_write_mem(w, &buf, &len, &err), 0);
	gguf_writer_free(w);
	f = gguf_open_owned(buf, len, "test-model.gguf", &err);
	if (f == NULL)
		fail_msg("%s", err.text);
	return f;
}

static report *
planned(const gguf_file *f, const report_select *s)
{
	report *r = report_new();
	errmsg err;

	if (report_plan(r, f, s, &err) != 0)
		fail_msg("report_plan: %s", err.text);
	return r;
}

static report_shape *
shape_of(report *r, uint32_t type, uint32_t n, uint32_t k)
{
	size_t i;

	for (i = 0; i < r->n_shapes; i++)
		if (r->shapes[i].type == type && r->shapes[i].n == n && r->shapes[i].k == k)
			return &r->shapes[i];
	fail_msg("no shape %u x %u", n, k);
	return NULL;
}

static report_row *
row_of(report_shape *sh, const char *name, int warps)
{
	size_t j;

	for (j = 0; j < sh->n_rows; j++)
		if (strcmp(sh->rows[j].v->name, name) == 0 && sh->rows[j].warps == warps)
			return &sh->rows[j];
	fail_msg("no row %s/%d", name, warps);
	return NULL;
}

/* Mark a row measured: status and a total time; GB/s from the ideal bytes. */
static void
measured(report_shape *sh, const char *name, int warps, enum report_status st, double total_us)
{
	report_row *row = row_of(sh, name, warps);

	row->status = st;
	row->compiled = true;
	row->time_valid = row->total_valid = row->gbs_valid = row->err_valid = true;
	row->time_us = row->min_us = row->max_us = total_us;
	row->total_us = total_us;
	row->gbs = (double)row->ideal_bytes / total_us / 1e3;
	row->rel_l2 = st == REPORT_ROW_PASS ? 1e-7 : 0.5;
	row->tol = 1e-5;
}

/* Every row of every shape measured PASS at `us`, so a few can be made
 * faster. */
static void
all_pass(report *r, double us)
{
	size_t i, j;

	for (i = 0; i < r->n_shapes; i++)
		for (j = 0; j < r->shapes[i].n_rows; j++) {
			report_row *row = &r->shapes[i].rows[j];

			if (row->status != REPORT_ROW_REFUSED)
				measured(&r->shapes[i], row->v->name, row->warps, REPORT_ROW_PASS, us);
		}
}

/* Legal (variant, warps) pairs of the GEMV variants of a type: the rows a
 * shape gets with no filter. */
static size_t
legal_rows(uint32_t type)
{
	const variant *v;
	size_t i, n = 0;

	for (i = 0; (v = variant_at(i)) != NULL; i++)
		if (v->kind == VARIANT_GEMV && v->qtype == type)
			n += v->n_warps;
	return n;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A report written to memory through a stream. */
static char *
render(const report *r, enum report_format fmt, const char *svg_href)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	errmsg err;

	assert_non_null(out);
	assert_int_equal(report_write_stream(r, fmt, out, svg_href, &err), 0);
	fclose(out);
	return buf;
}

static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	for (s = strstr(s, needle); s != NULL; s = strstr(s + 1, needle))
		n++;
	return n;
}

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

/* ---------------------------------------------------------------- a real run */

struct cancel_after {
	volatile sig_atomic_t flag;
	size_t calls, after;
	bool saw_compile;
};

static void
cancel_progress(void *arg, const report_progress *p)
{
	struct cancel_after *c = arg;

	c->calls++;
	c->saw_compile |= strcmp(p->phase, "compile") == 0;
	assert_true(p->done <= p->total);
	assert_true(p->tensors_done <= p->n_tensors);
	if (c->calls >= c->after)
		c->flag = 1;
}

/* Compile-only runs (no launch): the rows get their ptxas figures and stay
 * unmeasured; a cancelled run is partial and still writes. */
static void
test_run_static(void **state)
{
	gguf_file *f = test_model();
	report_select s;
	report_run_opts o;
	report *r;
	struct cancel_after ca = { 0, 0, 1000000, false };
	report_shape *sh;
	errmsg err;
	size_t j;

	(void)state;
	report_select_init(&s);
	assert_int_equal(report_parse_variants(&s, "q4k_mwv,q6k_dp4a", &err), 0);
	assert_int_equal(report_parse_warps(&s, "2,3", &err), 0);
	assert_int_equal(report_parse_layers(&s, "0", &err), 0);
	r = planned(f, &s);
	report_run_opts_default(&o);
	o.measure = false;
	o.outlier_weights = false;
	o.threads = 2;
	o.progress = cancel_progress;
	o.progress_arg = &ca;
	o.cancel = &ca.flag;
	if (report_run(r, f, &o, &err) != 0)
		fail_msg("report_run: %s", err.text);
	assert_false(r->partial);
	assert_true(ca.saw_compile);
	assert_non_null(strstr(r->env.measure_why, "--no-measure"));
	sh = shape_of(r, QT_Q4_K, 256, 256);
	for (j = 0; j < sh->n_rows; j++) {
		const report_row *row = &sh->rows[j];

		if (r->env.nvrtc_valid) {
			assert_int_equal(row->status, REPORT_ROW_UNMEASURED);
			assert_true(row->compiled);
			assert_true(row->res_valid);
			assert_true(row->regs > 0);
			assert_string_equal(row->target, "sm_90");
		} else
			assert_int_equal(row->status, REPORT_ROW_COMPILE_ERROR);
		assert_false(row->time_valid);
	}
	assert_true(r->outliers.available);
	assert_int_equal(r->outliers.n_rows, r->n_tensors);
	assert_non_null(strstr(r->outliers.source, "synthetic"));
	assert_false(r->profile.valid);
	report_free(r);

	/* cancelled at the first progress call: partial, rows left planned */
	r = planned(f, &s);
	ca.calls = 0;
	ca.after = 1;
	ca.flag = 0;
	assert_int_equal(report_run(r, f, &o, &err), 0);
	assert_true(r->partial);
	assert_non_null(strstr(r->partial_why, "interrupted after "));
	assert_false(r->outliers.available);
	{
		char *json = render(r, REPORT_JSON, NULL);
		json_object *root = json_tokener_parse(json), *x;

		assert_non_null(root);
		assert_true(json_object_object_get_ex(root, "partial", &x) && json_object_get_boolean(x));
		json_object_put(root);
		free(json);
	}
	report_free(r);
	gguf_close(f);
}

static void
test_generate(void **state)
{
	gguf_file *f = test_model();
	report_run_opts o;
	char dir[] = "/tmp/ggscope-report-gen.XXXXXX", path[256], *text;
	bool partial = true;
	errmsg err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/t.json", dir);
	report_run_opts_default(&o);
	o.measure = false;
	o.outliers = false;
	o.threads = 2;
	if (report_generate(f, "blk.0.ffn_down.weight", &o, REPORT_JSON, path, &partial, &err) != 0)
		fail_msg("report_generate: %s", err.text);
	assert_false(partial);
	text = slurp(path);
	assert_non_null(strstr(text, "\"selection\": \"tensor blk.0.ffn_down.weight"));
	assert_non_null(strstr(text, "\"reason\": \"not asked for\""));
	free(text);
	unlink(path);
	/* the plan fails: nothing is written */
	assert_int_equal(report_generate(f, "nope", &o, REPORT_JSON, path, &partial, &err), -1);
	assert_non_null(strstr(err.text, "no tensor named 'nope'"));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(rmdir(dir), 0);
	gguf_close(f);
}

/* ---------------------------------------------------------------- a measured run (fake GPU) */

/* Host "kernels" on the fake backend (tests/unit/fake_gpu.c): q4k_mwv
 * computes y = W x right, q4k_vectorized 0.1% off (wrong for the fp32
 * tolerance), q4k_mwv_dp4a reads the Q8_1 x the quantizer wrote. */
static void
sim_gemv(struct fake *f, void **p, bool q8, float scale)
{
	uint64_t y, w, x, row_bytes;
	int k, n, r, c;
	float *row, *xv, *yv;
	const uint8_t *wv, *xq;

	memcpy(&y, p[0], 8);
	memcpy(&w, p[1], 8);
	memcpy(&x, p[2], 8);
	memcpy(&k, p[3], 4);
	memcpy(&n, p[4], 4);
	assert_true(quant_row_bytes(QT_Q4_K, (uint64_t)k, &row_bytes));
	yv = (float *)fake_mem(f, y, (size_t)n * 4);
	wv = fake_mem(f, w, (size_t)(row_bytes * (uint64_t)n));
	xq = fake_mem(f, x, 4);
	assert_non_null(yv);
	assert_non_null(wv);
	assert_non_null(xq);
	row = malloc((size_t)k * sizeof *row);
	xv = malloc((size_t)k * sizeof *xv);
	for (c = 0; c < k; c++) {
		if (q8) {
			const uint8_t *blk = xq + (c / 32) * Q8_1_BYTES;

			xv[c] = quant_f16_to_f32((uint16_t)(blk[0] | blk[1] << 8)) * (float)(int8_t)blk[4 + c % 32];
		} else
			memcpy(&xv[c], xq + 4 * (size_t)c, 4);
	}
	for (r = 0; r < n; r++) {
		float acc = 0;

		assert_int_equal(quant_dequant_row(QT_Q4_K, wv + (uint64_t)r * row_bytes, row, k, NULL), 0);
		for (c = 0; c < k; c++)
			acc += row[c] * xv[c];
		yv[r] = acc * scale;
	}
	free(row);
	free(xv);
}

static void sim_right(struct fake *f, const gpu_launch_cfg *c, void **p) { (void)c; sim_gemv(f, p, false, 1.0f); }
static void sim_wrong(struct fake *f, const gpu_launch_cfg *c, void **p) { (void)c; sim_gemv(f, p, false, 1.001f); }
static void sim_dp4a(struct fake *f, const gpu_launch_cfg *c, void **p) { (void)c; sim_gemv(f, p, true, 1.0f); }

static void
sim_quantize(struct fake *f, const gpu_launch_cfg *c, void **p)
{
	uint64_t x, q;
	int k;

	(void)c;
	memcpy(&x, p[0], 8);
	memcpy(&q, p[1], 8);
	memcpy(&k, p[2], 4);
	quant_quantize_q8_1((const float *)fake_mem(f, x, (size_t)k * 4),
		fake_mem(f, q, (size_t)k / 32 * Q8_1_BYTES), k);
}

static const struct fake_kernel sim_kernels[] = {
	{ "q4k_mwv", 5, { 8, 8, 8, 4, 4 }, sim_right },
	{ "q4k_vectorized", 5, { 8, 8, 8, 4, 4 }, sim_wrong },
	{ "q4k_mwv_dp4a", 5, { 8, 8, 8, 4, 4 }, sim_dp4a },
	{ "quantize_q8_1", 3, { 8, 8, 4 }, sim_quantize },
	{ NULL, 0, { 0 }, NULL }
};

static void
test_run_measured(void **state)
{
	gguf_file *f = test_model();
	struct fake *fk;
	gpu *g = fake_gpu_open_l2(&fk, sim_kernels, 4096);
	report_select s;
	report_run_opts o;
	report *r;
	report_shape *sh;
	const report_row *row;
	errmsg err;

	(void)state;
	report_select_init(&s);
	assert_int_equal(report_parse_types(&s, "q4_K", &err), 0);
	assert_int_equal(report_parse_layers(&s, "0-1", &err), 0);
	assert_int_equal(report_parse_variants(&s, "q4k_mwv,q4k_vectorized,q4k_mwv_dp4a,q4k_wide", &err), 0);
	assert_int_equal(report_parse_warps(&s, "1,2,8", &err), 0);
	r = planned(f, &s);
	report_run_opts_default(&o);
	o.g = g;
	o.reps = 2;
	o.warmup = 0;
	o.no_ceiling = true;
	o.outliers = false;
	o.threads = 2;
	if (report_run(r, f, &o, &err) != 0)
		fail_msg("report_run: %s", err.text);
	if (!r->env.nvrtc_valid) {
		/* nothing compiled, nothing to launch */
		gpu_close(g);
		report_free(r);
		gguf_close(f);
		skip();
	}
	assert_true(r->env.device_valid);
	assert_string_equal(r->env.measure_why, "");
	assert_string_equal(r->env.arch, "sm_90");
	assert_non_null(strstr(r->env.ceiling_note, "--no-ceiling"));
	assert_int_equal(r->n_shapes, 1);
	sh = &r->shapes[0];
	assert_int_equal(sh->n_tensors, 3);
	assert_true(sh->done);
	/* right: pass, with every figure bench gives */
	row = row_of(sh, "q4k_mwv", 2);
	assert_int_equal(row->status, REPORT_ROW_PASS);
	assert_true(row->time_valid && row->total_valid && row->gbs_valid && row->err_valid);
	assert_true(row->time_us > 0);
	assert_true(row->rel_l2 < 1e-5);
	assert_false(row->ceiling_pct_valid); /* no ceiling: no % of it, not a 0 */
	assert_true(row->geom_valid);
	assert_int_equal(row->block, 64);
	assert_int_equal(row->grid, 256);
	/* 0.1% off fails the fp32 tolerance, saying so */
	row = row_of(sh, "q4k_vectorized", 1);
	assert_int_equal(row->status, REPORT_ROW_FAIL);
	assert_non_null(strstr(row->why, "rel_l2"));
	/* Q8_1 input: the quantizer ran first, its time is apart */
	row = row_of(sh, "q4k_mwv_dp4a", 8);
	assert_int_equal(row->status, REPORT_ROW_PASS);
	assert_true(row->quant_valid);
	assert_true(row->total_us > row->time_us);
	/* no host kernel for q4k_wide: an error naming it, never a winner */
	row = row_of(sh, "q4k_wide", 8);
	assert_int_equal(row->status, REPORT_ROW_ERROR);
	assert_non_null(strstr(row->why, "q4k_wide"));
	assert_false(row->winner);
	/* the fake times every launch alike: the first correct f32 row wins
	 * (the dp4a rows pay for the quantizer too) */
	assert_true(sh->winner >= 0);
	assert_string_equal(sh->rows[sh->winner].v->name, "q4k_mwv");
	assert_int_equal(sh->rows[sh->winner].warps, 1);
	assert_true(r->time_shares_valid);
	assert_true(r->profile.valid);
	assert_string_equal(r->profile.env, "MWV_Q4K=1 MWV_WARPS=1");
	gpu_close(g);
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
		cmocka_unit_test(test_recommend),
		cmocka_unit_test(test_recommend_stream),
		cmocka_unit_test(test_recommend_h100),
		cmocka_unit_test(test_profile_variables),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_md_html_svg),
		cmocka_unit_test(test_atomic_write),
		cmocka_unit_test(test_run_static),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_run_measured),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
