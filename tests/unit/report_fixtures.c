/* report_fixtures: see report_fixtures.h. */
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

/* ---------------------------------------------------------------- fixtures */

/* Gaussian-ish deterministic floats (an LCG through a sum of uniforms). */
void
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
void
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
gguf_file *
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

report *
planned(const gguf_file *f, const report_select *s)
{
	report *r = report_new();
	errmsg err;

	if (report_plan(r, f, s, &err) != 0)
		fail_msg("report_plan: %s", err.text);
	return r;
}

report_shape *
shape_of(report *r, uint32_t type, uint32_t n, uint32_t k)
{
	size_t i;

	for (i = 0; i < r->n_shapes; i++)
		if (r->shapes[i].type == type && r->shapes[i].n == n && r->shapes[i].k == k)
			return &r->shapes[i];
	fail_msg("no shape %u x %u", n, k);
	return NULL;
}

report_row *
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
void
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
void
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
size_t
legal_rows(uint32_t type)
{
	const variant *v;
	size_t i, n = 0;

	for (i = 0; (v = variant_at(i)) != NULL; i++)
		if (v->kind == VARIANT_GEMV && v->qtype == type)
			n += v->n_warps;
	return n;
}

char *
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
char *
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

size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	for (s = strstr(s, needle); s != NULL; s = strstr(s + 1, needle))
		n++;
	return n;
}

