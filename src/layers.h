/* layers: group a model's tensors into transformer blocks by llama.cpp's
 * naming (`blk.N.attn_q.weight`, `blk.N.ffn_down.weight`, ...). Tensors
 * outside any block (token_embd, output, output_norm, ...) form one group
 * of their own, listed first. */
#ifndef GGSCOPE_LAYERS_H
#define GGSCOPE_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#include "gguf.h"

typedef struct layer_group {
	long block;           /* N of blk.N, or -1 for the non-block group */
	size_t n_tensors;
	size_t *tensors;      /* indices for gguf_tensor_at, in file order */
	uint64_t n_bytes;     /* sum of the tensors' bytes */
} layer_group;

typedef struct layer_map {
	size_t n_groups;
	layer_group *groups;  /* the non-block group (if any) first, then blocks by N */
} layer_map;

/* Never fails (a file with no tensors gives zero groups). */
layer_map *layers_group(const gguf_file *f);
void layers_free(layer_map *m);

/* The group for block N, or NULL. */
const layer_group *layers_find_block(const layer_map *m, long block);

/* Parse "blk.N." at the start of a name: returns N, or -1 when absent.
 * *suffix (optional) points after the "blk.N." prefix. */
long layers_block_of(const char *tensor_name, const char **suffix);

#endif
