/* ref: the CPU float64 reference GEMV.
 *
 * Rows are split into contiguous ranges, one per thread. Every output row
 * is computed by one thread with the same sequential double accumulation,
 * so the result does not depend on the number of threads. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "quant.h"
#include "ref.h"
#include "xalloc.h"

/* Below this many weights a thread costs more than it saves. */
#define REF_MIN_WORK_PER_THREAD (1 << 16)
#define REF_MAX_THREADS 256

struct ref_job {
	uint32_t type;
	const uint8_t *w;
	uint64_t row_bytes;
	int64_t k;
	const float *x;
	double *y;
	int64_t row_begin, row_end;
};

/* Rows [row_begin, row_end) of one job: dequantize, then a double dot. */
static void
ref_rows(const struct ref_job *j)
{
	float *row = xmalloc((size_t)j->k * sizeof *row);

	for (int64_t r = j->row_begin; r < j->row_end; r++) {
		double acc = 0.0;

		/* Cannot fail: ref_gemv checked the type and k. */
		quant_dequant_row(j->type, j->w + (uint64_t)r * j->row_bytes, row, j->k, NULL);
		for (int64_t c = 0; c < j->k; c++)
			acc += (double)row[c] * (double)j->x[c];
		j->y[r] = acc;
	}
	free(row);
}

/* pthread entry: one job. */
static void *
ref_thread(void *arg)
{
	ref_rows(arg);
	return NULL;
}

/* The thread count to use: `threads`, or one per online core for 0, capped
 * so each thread has a useful amount of work. */
static int
ref_thread_count(int threads, int64_t rows, int64_t k)
{
	int64_t by_work;

	if (threads <= 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores > 0 ? (int)(cores < REF_MAX_THREADS ? cores : REF_MAX_THREADS) : 1;
	}
	if (threads > REF_MAX_THREADS)
		threads = REF_MAX_THREADS;
	by_work = k > 0 && rows > INT64_MAX / k ? INT64_MAX : rows * k / REF_MIN_WORK_PER_THREAD;
	if (by_work < threads)
		threads = by_work > 1 ? (int)by_work : 1;
	if (threads > rows)
		threads = rows > 0 ? (int)rows : 1;
	return threads;
}

int
ref_gemv(uint32_t type, const void *w, int64_t rows, int64_t k, const float *x,
	double *y, int threads, errmsg *err)
{
	const quant_info *qi = quant_type_info(type);
	struct ref_job *jobs;
	pthread_t *tids;
	uint64_t row_bytes;
	float probe[1];
	int n, started;

	if (qi == NULL || !qi->can_dequant) {
		errmsg_set(err, "reference GEMV: no dequantizer for tensor type %s (id %u)",
			qi ? qi->name : "unknown", type);
		return -1;
	}
	if (rows < 0 || k < 0 || !quant_row_bytes(type, (uint64_t)k, &row_bytes)) {
		errmsg_set(err, "reference GEMV: %lld x %lld is not a valid %s matrix "
			"(rows of %s hold multiples of %u elements)", (long long)rows,
			(long long)k, qi->name, qi->name, qi->block_elems);
		return -1;
	}
	/* The table and the dequantizer must agree; catch a mismatch here
	 * rather than inside a worker thread. */
	if (quant_dequant_row(type, w, probe, 0, err) != 0) {
		errmsg_prefix(err, "reference GEMV");
		return -1;
	}
	if (rows == 0)
		return 0;

	n = ref_thread_count(threads, rows, k);
	jobs = xcalloc((size_t)n, sizeof *jobs);
	tids = xcalloc((size_t)n, sizeof *tids);
	for (int t = 0; t < n; t++) {
		jobs[t] = (struct ref_job){ type, w, row_bytes, k, x, y,
			rows * t / n, rows * (t + 1) / n };
	}
	/* Job 0 runs on this thread; a thread that cannot be created has its
	 * rows done here too, so a failed pthread_create only costs time. */
	started = 0;
	for (int t = 1; t < n; t++) {
		if (pthread_create(&tids[t], NULL, ref_thread, &jobs[t]) != 0)
			break;
		started = t;
	}
	ref_rows(&jobs[0]);
	for (int t = started + 1; t < n; t++)
		ref_rows(&jobs[t]);
	for (int t = 1; t <= started; t++)
		pthread_join(tids[t], NULL);
	free(jobs);
	free(tids);
	return 0;
}

ref_error
ref_compare(const float *y, const double *ref, int64_t n)
{
	ref_error e = { 0.0, 0.0, 0 };
	double diff2 = 0.0, ref2 = 0.0;

	for (int64_t i = 0; i < n; i++) {
		double d;

		if (!isfinite(y[i]) || !isfinite(ref[i])) {
			e.n_bad++;
			continue;
		}
		d = fabs((double)y[i] - ref[i]);
		if (d > e.max_abs)
			e.max_abs = d;
		diff2 += d * d;
		ref2 += ref[i] * ref[i];
	}
	if (e.n_bad > 0) {
		e.max_abs = INFINITY;
		e.rel_l2 = INFINITY;
	} else if (ref2 > 0.0) {
		e.rel_l2 = sqrt(diff2 / ref2);
	} else {
		e.rel_l2 = diff2 > 0.0 ? INFINITY : 0.0;
	}
	return e;
}
