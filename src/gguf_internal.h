/* gguf_internal: the parsing cursor shared by gguf.c (header, tensor infos,
 * lookup) and gguf_value.c (metadata values). Not part of the gguf API.
 *
 * Every read goes through gguf_read_* below, which check the bytes are there
 * first; nothing else in the reader touches the mapping before validation. */
#ifndef GGSCOPE_GGUF_INTERNAL_H
#define GGSCOPE_GGUF_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "errmsg.h"
#include "gguf.h"

typedef struct gguf_parser {
	const uint8_t *base;
	uint64_t size;          /* bytes in the mapping */
	uint64_t pos;           /* next byte to read */
	const char *name;       /* file name for messages */
	errmsg *err;

	/* Where the cursor is, only for messages: the record being read
	 * ("kv" or "tensor", NULL in the fixed header), its index, and its
	 * key or name once that has been read. */
	const char *rec_kind;
	uint64_t rec_index;
	const char *rec_name;
	uint64_t rec_name_len;
	unsigned depth;                      /* arrays entered */
	uint64_t path[GGUF_MAX_ARRAY_DEPTH]; /* element index at each depth */

	uint64_t n_values;      /* metadata values parsed so far */
} gguf_parser;

/* Set the parser's error: "NAME: byte OFF: <record> FIELD: message".
 * Always returns false so callers can `return gguf_fail(...)`. */
bool gguf_fail(gguf_parser *p, uint64_t off, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Read a little-endian field at the cursor and advance. Return false with
 * a "file ends inside this field" message when the bytes are not there. */
bool gguf_read_u8(gguf_parser *p, const char *field, uint8_t *out);
bool gguf_read_u16(gguf_parser *p, const char *field, uint16_t *out);
bool gguf_read_u32(gguf_parser *p, const char *field, uint32_t *out);
bool gguf_read_u64(gguf_parser *p, const char *field, uint64_t *out);

/* A GGUF string (u64 length + bytes) pointing into the mapping. Returns
 * false when the length field or the bytes run past the end. */
bool gguf_read_str(gguf_parser *p, const char *field, gguf_str *out);

/* Parse one value of `type` (whose u32 type field was at type_off) at the
 * cursor into *out, arrays included. Returns false with a message on any
 * malformation; *out then holds nothing that needs freeing. */
bool gguf_parse_value(gguf_parser *p, uint32_t type, uint64_t type_off, gguf_value *out);

/* Free what gguf_parse_value (or the writer's copies) allocated inside v:
 * array items, recursively. Strings point into the mapping and are not
 * freed here. */
void gguf_value_free_items(gguf_value *v);

/* Write `len` bytes of s into buf (size cap) with non-printable bytes as
 * \xNN and at most `max` source bytes ("..." after), for messages. */
void gguf_escape(char *buf, size_t cap, const char *s, uint64_t len, uint64_t max);

#endif
