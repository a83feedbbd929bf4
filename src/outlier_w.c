/* outlier_w.c: the weight side of a GEMV: per-input-channel column norms,
 * the distribution of the stored block scales, and the CPU simulation of
 * the Q8_1 damage, y_q = W dequant(q8_1(x)) against y = W x, both in
 * float64 from the same dequantized rows. One pass over the matrix does
 * all three. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outlier.h"
#include "quant.h"
#include "xalloc.h"

/* Where a block format keeps its fp16 scale d (and min/dmin). */
struct scale_layout {
	uint32_t type;
	int d_off;
	int dmin_off; /* -1: none */
};

static const struct scale_layout scale_layouts[] = {
	{ QT_Q4_0, 0, -1 }, { QT_Q4_1, 0, 2 }, { QT_Q5_0, 0, -1 }, { QT_Q5_1, 0, 2 },
	{ QT_Q8_0, 0, -1 }, { QT_Q2_K, 80, 82 }, { QT_Q3_K, 108, -1 }, { QT_Q4_K, 0, 2 },
	{ QT_Q5_K, 0, 2 }, { QT_Q6_K, 208, -1 },
};

/* The matrix is cut into a fixed number of row chunks that depends only on
 * the shape, and each chunk's column sums are merged in chunk order, so the
 * results are the same for any thread count. */
#define MAX_CHUNKS 64

struct wjob {
	uint32_t type;
	const uint8_t *data;
	uint64_t rows, k, row_bytes, n_chunks;
	const float *x, *xq, *xb;
	double *y, *yq, *yb;
	double *chunk_colsq;      /* n_chunks x k */
	uint64_t next;            /* next chunk to take, under lock */
	pthread_mutex_t lock;
	int failed;
	errmsg err;
};

static double
dot(const float *w, const float *x, uint64_t k)
{
	double acc = 0.0;
	uint64_t j;

	for (j = 0; j < k; j++)
		acc += (double)w[j] * (double)x[j];
	return acc;
}

static void *
wjob_worker(void *arg)
{
	struct wjob *jb = arg;
	float *row = xmalloc((size_t)jb->k * sizeof *row);

	for (;;) {
		uint64_t c, r, lo, hi, j;
		double *colsq;
		errmsg e;

		pthread_mutex_lock(&jb->lock);
		c = jb->failed ? jb->n_chunks : jb->next++;
		pthread_mutex_unlock(&jb->lock);
		if (c >= jb->n_chunks)
			break;
		lo = c * jb->rows / jb->n_chunks;
		hi = (c + 1) * jb->rows / jb->n_chunks;
		colsq = jb->chunk_colsq + c * jb->k;
		for (r = lo; r < hi; r++) {
			if (quant_dequant_row(jb->type, jb->data + r * jb->row_bytes, row,
				(int64_t)jb->k, &e) != 0) {
				pthread_mutex_lock(&jb->lock);
				if (!jb->failed) {
					jb->failed = 1;
					errmsg_set(&jb->err, "row %llu: %s", (unsigned long long)r, e.text);
				}
				pthread_mutex_unlock(&jb->lock);
				break;
			}
			for (j = 0; j < jb->k; j++)
				colsq[j] += (double)row[j] * row[j];
			if (jb->x != NULL) {
				jb->y[r] = dot(row, jb->x, jb->k);
				jb->yq[r] = dot(row, jb->xq, jb->k);
				if (jb->xb != NULL)
					jb->yb[r] = dot(row, jb->xb, jb->k);
			}
		}
	}
	free(row);
	return NULL;
}

static int
thread_count(int threads, uint64_t n_chunks)
{
	long n = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if ((uint64_t)n > n_chunks)
		n = (long)n_chunks;
	return (int)n;
}

/* Run the pass over all rows. Returns 0 or -1 with err set. */
static int
wjob_run(struct wjob *jb, int threads, errmsg *err)
{
	int n = thread_count(threads, jb->n_chunks), i, started = 0;
	pthread_t *tid = xcalloc((size_t)n, sizeof *tid);

	pthread_mutex_init(&jb->lock, NULL);
	for (i = 1; i < n; i++) {
		if (pthread_create(&tid[i], NULL, wjob_worker, jb) != 0)
			break; /* fewer helpers; the calling thread still does the work */
		started++;
	}
	wjob_worker(jb);
	for (i = 1; i <= started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&jb->lock);
	free(tid);
	if (jb->failed) {
		errmsg_set(err, "%s", jb->err.text);
		return -1;
	}
	return 0;
}

static void
scale_quantiles(outlier_weights *w, const uint8_t *data, uint64_t row_bytes)
{
	const quant_info *qi = quant_type_info(w->type);
	const struct scale_layout *sl = NULL;
	uint64_t per_row, nb, r, b, i = 0;
	double *d, *m = NULL;
	size_t t;

	for (t = 0; t < sizeof scale_layouts / sizeof scale_layouts[0]; t++)
		if (scale_layouts[t].type == w->type)
			sl = &scale_layouts[t];
	if (sl == NULL) {
		snprintf(w->scales_why, sizeof w->scales_why, "%s has no block scales",
			qi != NULL ? qi->name : "this type");
		return;
	}
	per_row = w->k / qi->block_elems;
	nb = per_row * w->rows;
	if (nb == 0) {
		snprintf(w->scales_why, sizeof w->scales_why, "no blocks");
		return;
	}
	d = xmalloc((size_t)nb * sizeof *d);
	if (sl->dmin_off >= 0)
		m = xmalloc((size_t)nb * sizeof *m);
	for (r = 0; r < w->rows; r++) {
		for (b = 0; b < per_row; b++, i++) {
			const uint8_t *p = data + r * row_bytes + b * qi->block_bytes;

			d[i] = quant_f16_to_f32((uint16_t)(p[sl->d_off] | (p[sl->d_off + 1] << 8)));
			if (m != NULL)
				m[i] = quant_f16_to_f32((uint16_t)(p[sl->dmin_off] | (p[sl->dmin_off + 1] << 8)));
		}
	}
	outlier_quantiles_of(d, nb, &w->d);
	if (m != NULL) {
		w->has_dmin = true;
		outlier_quantiles_of(m, nb, &w->dmin);
	}
	w->scales_valid = true;
	free(d);
	free(m);
}

static void
column_summary(outlier_weights *w, const double *colsq)
{
	double sum2 = 0.0;
	uint64_t j;
	size_t t, pos;

	w->col_norm = xmalloc((size_t)w->k * sizeof *w->col_norm);
	for (j = 0; j < w->k; j++) {
		double v = sqrt(colsq[j]);

		w->col_norm[j] = v;
		sum2 += colsq[j];
		pos = w->n_top;
		if (w->n_top == OUTLIER_TOP && !(v > w->top[OUTLIER_TOP - 1].value))
			continue;
		if (w->n_top < OUTLIER_TOP)
			w->n_top++;
		else
			pos = OUTLIER_TOP - 1;
		while (pos > 0 && v > w->top[pos - 1].value) {
			w->top[pos] = w->top[pos - 1];
			pos--;
		}
		w->top[pos].index = j;
		w->top[pos].value = v;
	}
	w->col_rms = w->k > 0 ? sqrt(sum2 / (double)w->k) : 0.0;
	for (t = 0; t < w->n_top; t++)
		w->top[t].mult = w->col_rms > 0.0 ? w->top[t].value / w->col_rms : 0.0;
}

static void
gemv_summary(outlier_weights *w, const double *y, const double *yq, const double *yb)
{
	double e2 = 0.0, y2 = 0.0, b2 = 0.0, emax = 0.0;
	uint64_t r;

	for (r = 0; r < w->rows; r++) {
		double e = yq[r] - y[r];

		e2 += e * e;
		y2 += y[r] * y[r];
		if (yb != NULL)
			b2 += yb[r] * yb[r];
		if (fabs(e) > emax)
			emax = fabs(e);
	}
	w->gemv_valid = y2 > 0.0 && isfinite(y2) && isfinite(e2);
	if (!w->gemv_valid)
		return;
	w->gemv_rel = sqrt(e2 / y2);
	w->gemv_max_rel = emax / sqrt(y2 / (double)w->rows);
	w->gemv_bulk_valid = yb != NULL && b2 > 0.0;
	if (w->gemv_bulk_valid)
		w->gemv_rel_bulk = sqrt(e2 / b2);
}

int
outlier_weights_analyze(uint32_t type, const void *data, uint64_t rows, uint64_t k,
	const float *x, const float *xq, const float *x_bulk, int threads,
	outlier_weights *out, errmsg *err)
{
	const quant_info *qi = quant_type_info(type);
	struct wjob jb;
	uint64_t c, j;
	double *colsq;

	memset(out, 0, sizeof *out);
	out->type = type;
	out->rows = rows;
	out->k = k;
	if (qi == NULL || !qi->can_dequant) {
		errmsg_set(err, "weights of type %s cannot be dequantized",
			qi != NULL ? qi->name : "unknown");
		return -1;
	}
	memset(&jb, 0, sizeof jb);
	if (!quant_row_bytes(type, k, &jb.row_bytes)) {
		errmsg_set(err, "k %llu is not a multiple of the %s block size %u",
			(unsigned long long)k, qi->name, qi->block_elems);
		return -1;
	}
	if (rows == 0 || k == 0) {
		errmsg_set(err, "empty weight matrix [%llu, %llu]", (unsigned long long)rows,
			(unsigned long long)k);
		return -1;
	}
	jb.type = type;
	jb.data = data;
	jb.rows = rows;
	jb.k = k;
	jb.n_chunks = rows < MAX_CHUNKS ? rows : MAX_CHUNKS;
	jb.chunk_colsq = xcalloc((size_t)(jb.n_chunks * k), sizeof *jb.chunk_colsq);
	if (x != NULL && xq != NULL) {
		jb.x = x;
		jb.xq = xq;
		jb.xb = x_bulk;
		jb.y = xcalloc((size_t)rows, sizeof *jb.y);
		jb.yq = xcalloc((size_t)rows, sizeof *jb.yq);
		if (x_bulk != NULL)
			jb.yb = xcalloc((size_t)rows, sizeof *jb.yb);
	}
	if (wjob_run(&jb, threads, err) != 0) {
		free(jb.chunk_colsq);
		free(jb.y);
		free(jb.yq);
		free(jb.yb);
		return -1;
	}
	colsq = jb.chunk_colsq; /* merge in chunk order into chunk 0 */
	for (c = 1; c < jb.n_chunks; c++)
		for (j = 0; j < k; j++)
			colsq[j] += jb.chunk_colsq[c * k + j];
	column_summary(out, colsq);
	scale_quantiles(out, data, jb.row_bytes);
	if (jb.y != NULL)
		gemv_summary(out, jb.y, jb.yq, jb.yb);
	free(jb.chunk_colsq);
	free(jb.y);
	free(jb.yq);
	free(jb.yb);
	return 0;
}

void
outlier_weights_free(outlier_weights *w)
{
	if (w == NULL)
		return;
	free(w->col_norm);
	w->col_norm = NULL;
}
