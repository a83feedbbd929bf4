/* fake_kernels: host stand-ins for the GEMV and Q8_1 kernels on the fake
 * gpu backend (fake_gpu.h), for the unit tests that need launches to
 * compute something real (engine, report runs, bench). */
#ifndef GGSCOPE_TEST_FAKE_KERNELS_H
#define GGSCOPE_TEST_FAKE_KERNELS_H

#include <stdbool.h>
#include <stdint.h>

#include "fake_gpu.h"

/* y = W x in float for the common GEMV ABI (y, w, x, k, n), every row
 * times `scale` (1.0: right; else a wrong kernel); x is fp32 or, with q8,
 * the Q8_1 blocks the quantizer wrote. W is of quant type `type`. */
void fake_gemv(struct fake *f, void **p, uint32_t type, bool q8, float scale);

/* quantize_q8_1 (x, q, k): the CPU quantizer into fake memory. */
void fake_quantize_q8_1(struct fake *f, const gpu_launch_cfg *c, void **p);

#endif
