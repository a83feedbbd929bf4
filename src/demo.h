/* demo: a synthetic llama-style transformer block at real shapes, seeded,
 * so ggscope always has something real to open: attn_q/k/v/o, ffn_gate/up
 * in Q4_K, ffn_down and attn_v in Q6_K, the two norms in F32. Weights are
 * Gaussian (a per-row scale spread like trained layers) quantized by
 * quant.c; the same seed always gives the same bytes. */
#ifndef GGSCOPE_DEMO_H
#define GGSCOPE_DEMO_H

#include <stdint.h>

#include "errmsg.h"
#include "gguf.h"
#include "gguf_write.h"

typedef struct demo_config {
	uint64_t seed;
	uint32_t hidden;  /* n_embd: 4096 */
	uint32_t ffn;     /* n_ff: 14336 */
	uint32_t kv_dim;  /* n_head_kv * head_dim: 1024 */
	long block;       /* the N in blk.N: 0 */
	int threads;      /* quantizer threads, 0 = one per core */
	/* Called now and then on the calling thread while the block is built
	 * (which takes seconds at full size), with the rows done so far out
	 * of the total; NULL for none. */
	void (*progress)(void *arg, uint64_t rows_done, uint64_t rows_total);
	void *progress_arg;
} demo_config;

/* The defaults above (seed 42, all cores, no progress callback). */
void demo_config_default(demo_config *c);

/* Build the block: 9 tensors named blk.N.{attn_norm, attn_q, attn_k,
 * attn_v, attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down}.weight with
 * ne[0] = the row length, plus llama metadata, general.file_type 15
 * (Q4_K_M) and ggscope.demo.seed. The bytes depend only on the seed and the
 * shapes, never on the thread count. The writer owns copies of the data.
 * Returns NULL and sets err when a size is zero, not a multiple of 256 or
 * above 131072, the block number is outside 0..99999, or the tensors would
 * take more than 4 GiB. */
gguf_writer *demo_build(const demo_config *c, errmsg *err);

/* Build the block and open it in memory, no file involved (the reader
 * validates it like any file). Returns NULL and sets err as demo_build, or
 * when the reader rejects the image. */
gguf_file *demo_open(const demo_config *c, errmsg *err);

/* The name demo_open gives the in-memory file ("<demo layer, seed 42>"),
 * written into buf (truncated to len); returns buf. */
const char *demo_name(const demo_config *c, char *buf, size_t len);

#endif
