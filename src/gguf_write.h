/* gguf_write: build a GGUF (version 3) file in memory and write it
 * atomically (a temporary file in the target's directory, then rename).
 *
 * Used by `extract` (one layer of a model), `demo` (a synthetic layer) and
 * the tests (well-formed and deliberately malformed files). */
#ifndef GGSCOPE_GGUF_WRITE_H
#define GGSCOPE_GGUF_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"
#include "gguf.h"

typedef struct gguf_writer gguf_writer;

/* alignment 0 means GGUF_DEFAULT_ALIGNMENT; it is written as
 * general.alignment only when it differs from the default. */
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
/* Copy any value (nested arrays included) read from another file. */
void gguf_writer_set_value(gguf_writer *w, const char *key, const gguf_value *v);

/* Add a tensor. ne[0] is the row length. The data is copied when `copy` is
 * nonzero, otherwise borrowed and must outlive the write. Returns 0, or -1
 * with a message (duplicate name, name too long, unknown type, size not
 * matching the type's row size). */
int gguf_writer_add_tensor(gguf_writer *w, const char *name, uint32_t n_dims,
	const uint64_t *ne, uint32_t type, const void *data, uint64_t n_bytes,
	int copy, errmsg *err);

/* Serialize. The memory variant returns a malloc'd buffer. */
int gguf_writer_write_mem(const gguf_writer *w, uint8_t **buf, size_t *len, errmsg *err);
int gguf_writer_write_file(const gguf_writer *w, const char *path, errmsg *err);

#endif
