/* ref: the CPU float64 reference GEMV every GPU result is checked against.
 *
 * y[r] = sum_c W[r,c] * x[c] for a row-major GGUF weight matrix of `rows`
 * rows of k elements of `type`. Each row is dequantized exactly as ggml does
 * (to float), and the products are accumulated in double. */
#ifndef GGSCOPE_REF_H
#define GGSCOPE_REF_H

#include <stdint.h>

#include "errmsg.h"

/* Compute y (rows doubles) with up to `threads` threads (0 = one per core;
 * small matrices use fewer). w holds `rows` rows of quant_row_bytes(type, k)
 * bytes each, x holds k floats. The result is the same bit for bit for any
 * thread count. Returns 0, or -1 with a message when the type cannot be
 * dequantized, rows or k is negative, or k is not a multiple of the type's
 * block size; y is untouched then. */
int ref_gemv(uint32_t type, const void *w, int64_t rows, int64_t k, const float *x,
	double *y, int threads, errmsg *err);

/* Error of a GPU result against the reference: max |y - ref|, and the
 * relative L2 error ||y - ref|| / ||ref||. NaN/Inf in y (or in ref) count
 * as infinite error: `n_bad` counts such positions and both errors are then
 * +Inf. With an all-zero ref, rel_l2 is 0 when y is all zero too and +Inf
 * otherwise. Never fails; n = 0 gives all zeros. */
typedef struct ref_error {
	double max_abs;
	double rel_l2;
	int64_t n_bad;
} ref_error;

ref_error ref_compare(const float *y, const double *ref, int64_t n);

#endif
