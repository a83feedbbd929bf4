/* bench_table: what `ggscope bench` prints, as a text table (streamed, one
 * line per row as it completes) or as one JSON document at the end.
 *
 * Figures that were not measured print as "-" (text) or null (JSON), never
 * as 0. */
#ifndef GGSCOPE_BENCH_TABLE_H
#define GGSCOPE_BENCH_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "cupti_gpu.h"
#include "errmsg.h"
#include "gpu.h"
#include "jit.h"
#include "variant.h"

/* One (variant, warps) of a bench run and how far it got. */
struct bench_row {
	const variant *v;
	int warps;
	bool refused;          /* the variant cannot take this shape (not an error) */
	bool compiled;         /* build (and qbuild for Q8_1 input) are usable */
	jit_result build;      /* the GEMV kernel */
	jit_result qbuild;     /* the Q8_1 quantizer, for Q8_1-input variants */
	bool measured;         /* res holds a checked measurement */
	int rc;                /* bench_measure's return */
	bench_result res;
	char why[ERRMSG_MAX];  /* refusal, compile error or run error; "" */
};

typedef struct bench_table {
	/* set by the caller */
	gpu *g;
	const bench_layer *layer;
	const char *source;    /* where the layer came from */
	const char *arch;      /* what the kernels were compiled for */
	const char *const *defines; /* the rows' -D NAME=VALUE, as given */
	int n_defines;
	const bench_opts *opts;
	uint64_t seed;         /* of x */
	bool json;
	const struct bench_row *rows; /* all rows, for the JSON document */
	size_t n_rows;
	/* CUPTI and the ceiling (bench_cupti.h, ceiling.h); optional */
	const struct cupti_gpu_status *cupti; /* NULL: CUPTI not opened */
	const char *flush;     /* how L2 is flushed: "read kernel", "gpu memset", ... */
	double ceiling_gbs;    /* measured read ceiling, 0 = unknown */
	const char *ceiling_note; /* why it is unknown, or where it came from */
	/* counted by bench_table_row */
	size_t n_pass, n_fail, n_refused, n_unmeasured;
} bench_table;

/* Print the header (text) or nothing yet (JSON). */
void bench_table_begin(bench_table *t);

/* Print one finished row (text) and count it. */
void bench_table_row(bench_table *t, const struct bench_row *r);

/* Print the summary (text) or the whole document (JSON) and return the
 * exit status: 0 when at least one row passed and none failed, errored or
 * went unmeasured; 1 otherwise (with "measurement unavailable: <reason>"
 * on stderr when there is no GPU). */
int bench_table_end(bench_table *t);

/* The status word of a row: "pass", "FAIL", "refused", "compile-error",
 * "error" (it ran and broke), or "n/a" (not measured: no GPU). */
const char *bench_table_status(const struct bench_row *r);

#endif
