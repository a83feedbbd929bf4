/* fake_kernels: see fake_kernels.h. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fake_kernels.h"
#include "quant.h"

void
fake_gemv(struct fake *f, void **p, uint32_t type, bool q8, float scale)
{
	uint64_t y, w, x, row_bytes;
	int k, n, r, c;
	float *row, *xv, *yv;
	const uint8_t *wv, *xb;

	memcpy(&y, p[0], 8);
	memcpy(&w, p[1], 8);
	memcpy(&x, p[2], 8);
	memcpy(&k, p[3], 4);
	memcpy(&n, p[4], 4);
	assert_true(quant_row_bytes(type, (uint64_t)k, &row_bytes));
	yv = (float *)fake_mem(f, y, (size_t)n * 4);
	wv = fake_mem(f, w, (size_t)(row_bytes * (uint64_t)n));
	xb = fake_mem(f, x, 4);
	assert_non_null(yv);
	assert_non_null(wv);
	assert_non_null(xb);
	row = malloc((size_t)k * sizeof *row);
	xv = malloc((size_t)k * sizeof *xv);
	assert_non_null(row);
	assert_non_null(xv);
	for (c = 0; c < k; c++) {
		if (q8) {
			const uint8_t *blk = xb + (c / 32) * Q8_1_BYTES;

			xv[c] = quant_f16_to_f32((uint16_t)(blk[0] | blk[1] << 8)) * (float)(int8_t)blk[4 + c % 32];
		} else
			memcpy(&xv[c], xb + 4 * (size_t)c, 4);
	}
	for (r = 0; r < n; r++) {
		float acc = 0;

		assert_int_equal(quant_dequant_row(type, wv + (uint64_t)r * row_bytes, row, k, NULL), 0);
		for (c = 0; c < k; c++)
			acc += row[c] * xv[c];
		yv[r] = acc * scale;
	}
	free(row);
	free(xv);
}

void
fake_quantize_q8_1(struct fake *f, const gpu_launch_cfg *c, void **p)
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
