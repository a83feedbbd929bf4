/* gguf: a validating, read-only reader of GGUF files (versions 2 and 3).
 *
 * The file is mapped read-only; only the header (metadata and tensor infos)
 * is parsed at open, so opening costs the same for a 100 MB and a 100 GB
 * file. Everything is validated before use: a malformed file gives one
 * distinct message naming the byte offset and the field, never a crash or a
 * read outside the mapping. Tensor data pointers point into the mapping and
 * live as long as the gguf_file. */
#ifndef GGSCOPE_GGUF_H
#define GGSCOPE_GGUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

#define GGUF_MAGIC 0x46554747u /* "GGUF" read as a little-endian u32 */
#define GGUF_DEFAULT_ALIGNMENT 32
#define GGUF_MAX_DIMS 4
#define GGUF_NAME_MAX 64 /* longest tensor name ggml accepts, in bytes */
/* Limits of this reader (a file past them is refused with a message):
 * arrays nest at most this deep (ggml itself reads no nested arrays;
 * gguf-py writes them), and all metadata together holds at most this many
 * values, array elements included (a 256k-token vocabulary is ~1M), which
 * bounds the memory a hostile header can make the reader allocate. */
#define GGUF_MAX_ARRAY_DEPTH 8
#define GGUF_MAX_VALUES (1u << 24)

/* Metadata value types. */
enum gguf_vtype {
	GGUF_UINT8 = 0,
	GGUF_INT8 = 1,
	GGUF_UINT16 = 2,
	GGUF_INT16 = 3,
	GGUF_UINT32 = 4,
	GGUF_INT32 = 5,
	GGUF_FLOAT32 = 6,
	GGUF_BOOL = 7,
	GGUF_STRING = 8,
	GGUF_ARRAY = 9,
	GGUF_UINT64 = 10,
	GGUF_INT64 = 11,
	GGUF_FLOAT64 = 12,
	GGUF_VTYPE_COUNT
};

/* A string inside the mapping: not NUL-terminated. */
typedef struct gguf_str {
	const char *ptr;
	uint64_t len;
} gguf_str;

/* A parsed metadata value. Arrays hold their parsed items (nested arrays
 * nest). Integers are widened: u for unsigned types, i for signed ones,
 * f for the float types, b for BOOL. */
typedef struct gguf_value {
	uint32_t type; /* enum gguf_vtype */
	union {
		uint64_t u;
		int64_t i;
		double f;
		bool b;
		gguf_str str;
		struct {
			uint32_t elem_type;
			uint64_t count;
			struct gguf_value *items;
		} arr;
	} v;
} gguf_value;

typedef struct gguf_kv {
	char *key;          /* NUL-terminated copy */
	gguf_value value;
	uint64_t offset;    /* file offset of the key's length field */
} gguf_kv;

typedef struct gguf_tensor {
	char name[GGUF_NAME_MAX + 1];
	uint32_t n_dims;
	uint64_t ne[GGUF_MAX_DIMS]; /* ne[0] is the contiguous row length; unused dims are 1 */
	uint32_t type;              /* enum qtype */
	uint64_t offset;            /* from the start of the data section */
	uint64_t n_elems;
	uint64_t n_bytes;
	const uint8_t *data;        /* into the mapping */
	uint64_t info_offset;       /* file offset of this tensor's info record */
} gguf_tensor;

typedef struct gguf_file gguf_file;

/* Open and validate a file. Returns NULL and sets err on any failure
 * (I/O, or the first validation rule the file breaks). */
gguf_file *gguf_open(const char *path, errmsg *err);

/* Validate a GGUF image in memory. The buffer is not copied: it must stay
 * valid, unchanged, until gguf_close. `name` is used in messages. */
gguf_file *gguf_open_mem(const void *buf, size_t len, const char *name, errmsg *err);

/* Like gguf_open_mem, but takes ownership of a malloc'd buffer: it is
 * freed by gguf_close, or at once when validation fails. */
gguf_file *gguf_open_owned(void *buf, size_t len, const char *name, errmsg *err);

/* Unmap and free. NULL is allowed. */
void gguf_close(gguf_file *f);

const char *gguf_name(const gguf_file *f); /* path or the name given */
uint32_t gguf_version(const gguf_file *f);
uint32_t gguf_alignment(const gguf_file *f);
uint64_t gguf_size(const gguf_file *f);        /* bytes */
uint64_t gguf_data_offset(const gguf_file *f); /* start of the data section */

size_t gguf_kv_count(const gguf_file *f);
const gguf_kv *gguf_kv_at(const gguf_file *f, size_t i);     /* in file order */
const gguf_kv *gguf_find_kv(const gguf_file *f, const char *key); /* NULL if absent */

size_t gguf_tensor_count(const gguf_file *f);
const gguf_tensor *gguf_tensor_at(const gguf_file *f, size_t i); /* in file order */
const gguf_tensor *gguf_find_tensor(const gguf_file *f, const char *name);

/* Convenience getters: true and *out set when the key exists with a type
 * that converts without loss (any integer type for u64/i64 in range). */
bool gguf_get_u64(const gguf_file *f, const char *key, uint64_t *out);
bool gguf_get_str(const gguf_file *f, const char *key, gguf_str *out);

/* "uint32", "string", "array", ...; "unknown" for bad ids. */
const char *gguf_vtype_name(uint32_t type);

#endif
