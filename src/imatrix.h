/* imatrix: llama.cpp importance matrices, read into per-channel mean squares.
 *
 * llama-imatrix sums, for every weight matrix it sees, the squares of the
 * matrix's input per input channel over the calibration tokens. Two formats:
 *
 * GGUF (llama.cpp PR #9400, default since #14842): per weight `<name>`
 *   `<name>.in_sum2` F32 ne=[n_in, n_mat]  sum over tokens of x_j^2
 *   `<name>.counts`  F32 ne=[1, n_mat]     tokens per matrix (expert)
 *   `<name>.in_sum`  F32 ne=[n_in, n_mat]  sum of x_j (optional, PR #14891)
 *   KVs general.type = "imatrix", imatrix.chunk_count, imatrix.chunk_size,
 *   imatrix.datasets; any other tensor or key is ignored.
 * Legacy .dat: i32 n_entries, then per entry i32 len, name[len], i32 ncall,
 *   i32 nval, f32 values[nval] (= mean(x^2) * ncall), then an optional
 *   trailer i32 last_chunk, i32 len, dataset[len].
 *
 * Both are held the same way: sum2[m*n_in + j] and counts[m], so the mean
 * square is sum2/count. For legacy files sum2 = values and counts = ncall,
 * which gives the same mean square (the token count itself is not stored,
 * so the implied peak is unknown). Legacy entries of MoE tensors hold all
 * experts concatenated with n_mat = 1; imatrix_entry_fit reshapes them
 * against the model tensor. */
#ifndef GGSCOPE_IMATRIX_H
#define GGSCOPE_IMATRIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

#define IMATRIX_MAX_ENTRIES 1000000
#define IMATRIX_MAX_NAME 4096      /* legacy name length bound */

enum imatrix_format { IMATRIX_GGUF, IMATRIX_LEGACY };

typedef struct imatrix_entry {
	char *name;          /* the weight tensor's name, e.g. "blk.1.ffn_down.weight" */
	uint64_t n_in;       /* input channels (the weight's ne[0]) */
	uint64_t n_mat;      /* matrices (experts); 1 for dense */
	double *sum2;        /* n_in * n_mat sums of squares */
	double *sum;         /* n_in * n_mat sums, or NULL (GGUF .in_sum only) */
	double *counts;      /* n_mat token counts (legacy: ncall) */
	uint64_t offset;     /* file offset of the entry (legacy) or its in_sum2 info (GGUF) */
} imatrix_entry;

typedef struct imatrix {
	enum imatrix_format format;
	char *name;                /* path or the name given */
	bool counts_are_tokens;    /* GGUF: true; legacy: counts are chunk counts */
	bool has_chunk_count, has_chunk_size;
	uint64_t chunk_count, chunk_size;
	size_t n_datasets;
	char **datasets;
	size_t n_entries;
	imatrix_entry *entries;    /* in file order */
} imatrix;

/* Read a file in either format (GGUF if it starts with "GGUF"). Returns NULL
 * and sets err naming the cause for: I/O errors; a GGUF that is malformed, is
 * not an imatrix (general.type other than "imatrix", or no .in_sum2 tensor),
 * or has an entry without .counts, a non-F32 entry, shapes that disagree,
 * negative or non-finite values, or a bad imatrix.* key type; a legacy file
 * that is truncated anywhere, has n_entries outside 1..IMATRIX_MAX_ENTRIES,
 * a name length outside 1..IMATRIX_MAX_NAME or containing NUL, a negative
 * ncall, nval < 1 or larger than the bytes left, non-finite or negative
 * values, a duplicate name, or bytes after the trailer. */
imatrix *imatrix_load(const char *path, errmsg *err);

/* The same from memory (the buffer is only read during the call). */
imatrix *imatrix_load_mem(const void *buf, size_t len, const char *name, errmsg *err);

void imatrix_free(imatrix *im);

/* The entry of a weight name, or NULL. */
const imatrix_entry *imatrix_find(const imatrix *im, const char *weight_name);

/* Whether the entry can be the input profile of a tensor with k inputs:
 * GGUF entries need n_in == k; legacy entries (experts concatenated) need
 * n_in a multiple of k. Returns 0, or -1 with a message naming both numbers. */
int imatrix_entry_check(const imatrix *im, const imatrix_entry *e, uint64_t k, errmsg *err);

/* The pooled per-channel mean squares of the entry viewed as n_mat matrices
 * of k inputs (k == 0: the entry's own n_in): ms[j] = sum over matrices with
 * a nonzero count of sum2[m][j], divided by the sum of those counts.
 * Returns a malloc'd array of k doubles, or NULL with a message when the
 * entry does not fit k (as imatrix_entry_check) or no matrix has data. When
 * `peak` is not NULL it receives the implied peak sqrt(max_j pooled
 * sum2_j / chunk_count), or -1 when unknown (legacy, no chunk count). */
double *imatrix_channel_ms(const imatrix *im, const imatrix_entry *e, uint64_t k, double *peak,
	errmsg *err);

const char *imatrix_format_name(enum imatrix_format f);

#endif
