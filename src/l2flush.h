/* l2flush: evict L2 between measured launches with a kernel of ggscope's
 * own (kernels/l2_flush.cu), whose CUPTI records are excluded by name.
 *
 * Two sweeps over 3 x L2 bytes: READ leaves L2 full of clean lines, so the
 * next kernel's misses cost no write-backs; WRITE leaves it full of dirty
 * lines that the next kernel's misses must write back to DRAM first. The
 * default is READ. Measured on the H100 (demo ffn_down, Q6_K 48 MB, CUPTI
 * activity medians): read flush 53.0 / 56.6 / 31.6 / 27.1 us for
 * q6k_basic / mwv / dp4a / hw_dp4a, warm L2 51.9 / 52.5 / 31.6 / 27.3 us,
 * write flush 63.2 / 62.1 / 41.8 / 35.6 us, cuMemsetD32 of 3 x L2
 * 62.6 / 61.6 / 41.0 / 34.7 us: a written L2 costs ~8-10 us of write-backs
 * inside the measured kernel. ncu --cache-control all gives 54.3 / 58.1 /
 * - / 28.9 us (tests/gpu/fidelity.sh). */
#ifndef GGSCOPE_L2FLUSH_H
#define GGSCOPE_L2FLUSH_H

#include "errmsg.h"
#include "gpu.h"
#include "jit.h"

enum l2flush_mode {
	L2FLUSH_READ = 0,
	L2FLUSH_WRITE = 1
};

typedef struct l2flush l2flush;

/* Compile the flush kernel for the device and allocate 3 x L2 (192 MiB when
 * the device does not report its L2). Returns NULL and sets err: no GPU,
 * compile or allocation failure. */
l2flush *l2flush_new(gpu *g, jit *j, enum l2flush_mode mode, errmsg *err);

/* Launch one sweep on the gpu's stream (asynchronous). Returns 0 or a
 * gpu.h error code with err. After a context reset (GPU_ERESET anywhere)
 * the flush must be made anew. */
int l2flush_run(l2flush *f, errmsg *err);

/* "read" / "write". */
const char *l2flush_mode_name(enum l2flush_mode m);
/* Parse "read" / "write"; -1 when neither. */
int l2flush_mode_parse(const char *s);

void l2flush_free(l2flush *f); /* NULL allowed */

#endif
