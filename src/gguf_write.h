/* gguf_write: build a GGUF (version 3) file in memory and write it
 * atomically (a temporary file in the target's directory, then rename).
 *
 * Used by `extract` (one layer of a model), `demo` (a synthetic layer) and
 * the tests (well-formed and deliberately malformed files). */
#ifndef GGSCOPE_GGUF_WRITE_H
#define GGSCOPE_GGUF_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"
#include "gguf.h"

typedef struct gguf_writer gguf_writer;

/* alignment 0 means GGUF_DEFAULT_ALIGNMENT; it must be a power of two
 * (anything else is a programming error and aborts). It is written as a
 * general.alignment key (first) only when it differs from the default and
 * no general.alignment key was set explicitly: an explicit one is written
 * as given (a copied header keeps its place; the tests use it to build
 * malformed files) while the data is still laid out at `alignment`. */
gguf_writer *gguf_writer_new(uint32_t alignment);
void gguf_writer_free(gguf_writer *w);

/* Metadata, kept in insertion order; setting an existing key replaces it. */
void gguf_writer_set_u32(gguf_writer *w, const char *key, uint32_t v);
void gguf_writer_set_i32(gguf_writer *w, const char *key, int32_t v);
void gguf_writer_set_u64(gguf_writer *w, const char *key, uint64_t v);
void gguf_writer_set_f32(gguf_writer *w, const char *key, float v);
void gguf_writer_set_bool(gguf_writer *w, const char *key, bool v);
void gguf_writer_set_str(gguf_writer *w, const char *key, const char *v);
void gguf_writer_set_str_array(gguf_writer *w, const char *key, const char *const *v, size_t n);
/* Copy any value (nested arrays included) read from another file. The
 * value must be well-formed, as the reader produces them (every array item
 * of the array's element type); anything else aborts. */
void gguf_writer_set_value(gguf_writer *w, const char *key, const gguf_value *v);

/* Add a tensor. ne[0] is the row length. The data is copied when `copy` is
 * nonzero, otherwise borrowed and must outlive the write. data may be NULL:
 * the tensor's bytes are then zeros (write_file leaves them as a hole, so a
 * large file stays sparse). Returns 0, or -1 with a message (empty,
 * too long or duplicate name, n_dims out of 1..4, a zero dimension, unknown
 * type, ne[0] not a multiple of the block size, size overflow, n_bytes not
 * matching the type's size for the shape). */
int gguf_writer_add_tensor(gguf_writer *w, const char *name, uint32_t n_dims,
	const uint64_t *ne, uint32_t type, const void *data, uint64_t n_bytes,
	int copy, errmsg *err);

/* Serialize. The memory variant returns a malloc'd buffer. Both return 0,
 * or -1 with a message: the memory variant only when the file would not
 * fit in size_t; write_file names the failing call and the path, and
 * leaves no temporary file and no partial target behind (fsync, then
 * rename over `path`). */
int gguf_writer_write_mem(const gguf_writer *w, uint8_t **buf, size_t *len, errmsg *err);
int gguf_writer_write_file(const gguf_writer *w, const char *path, errmsg *err);

#endif
