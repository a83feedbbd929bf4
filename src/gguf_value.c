/* gguf_value: the bounds-checked cursor and the metadata value parser. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gguf_internal.h"
#include "xalloc.h"

/* Encoded size of each scalar type; 0 for STRING and ARRAY. */
static const uint8_t value_scalar_bytes[GGUF_VTYPE_COUNT] = {
	[GGUF_UINT8] = 1, [GGUF_INT8] = 1, [GGUF_UINT16] = 2, [GGUF_INT16] = 2,
	[GGUF_UINT32] = 4, [GGUF_INT32] = 4, [GGUF_FLOAT32] = 4, [GGUF_BOOL] = 1,
	[GGUF_UINT64] = 8, [GGUF_INT64] = 8, [GGUF_FLOAT64] = 8,
};

static const char *const value_type_names[GGUF_VTYPE_COUNT] = {
	"uint8", "int8", "uint16", "int16", "uint32", "int32", "float32",
	"bool", "string", "array", "uint64", "int64", "float64",
};

const char *
gguf_vtype_name(uint32_t type)
{
	return type < GGUF_VTYPE_COUNT ? value_type_names[type] : "unknown";
}

void
gguf_escape(char *buf, size_t cap, const char *s, uint64_t len, uint64_t max)
{
	size_t o = 0;
	uint64_t i;

	if (cap == 0)
		return;
	for (i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		int n;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			n = snprintf(buf + o, cap - o, "%c", c);
		else
			n = snprintf(buf + o, cap - o, "\\x%02x", c);
		if (n < 0 || (size_t)n >= cap - o)
			break;
		o += (size_t)n;
	}
	if (i < len && o + 4 <= cap) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o < cap ? o : cap - 1] = '\0';
}

bool
gguf_fail(gguf_parser *p, uint64_t off, const char *field, const char *fmt, ...)
{
	char where[512], msg[1024];
	size_t o = 0;
	unsigned d;
	va_list ap;

	where[0] = '\0';
	if (p->rec_kind != NULL) {
		o += (size_t)snprintf(where, sizeof where, "%s[%" PRIu64 "]", p->rec_kind, p->rec_index);
		if (p->rec_name != NULL) {
			char esc[300];

			gguf_escape(esc, sizeof esc, p->rec_name, p->rec_name_len, 64);
			o += (size_t)snprintf(where + o, sizeof where - o, " \"%s\"", esc);
		}
		for (d = 0; d < p->depth && o < sizeof where; d++)
			o += (size_t)snprintf(where + o, sizeof where - o, "[%" PRIu64 "]", p->path[d]);
		if (o < sizeof where && field != NULL && field[0] != '\0')
			snprintf(where + o, sizeof where - o, " ");
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	errmsg_set(p->err, "%s: byte %" PRIu64 ": %s%s: %s", p->name, off, where,
		field != NULL ? field : "", msg);
	return false;
}

/* Are n bytes available at the cursor? Fails naming the field otherwise. */
static bool
value_need(gguf_parser *p, uint64_t n, const char *field)
{
	if (p->pos > p->size || n > p->size - p->pos)
		return gguf_fail(p, p->pos, field,
			"the file ends at byte %" PRIu64 ", inside this %" PRIu64 "-byte field",
			p->size, n);
	return true;
}

/* Little-endian load of n <= 8 bytes; the caller checked they exist. */
static uint64_t
value_load_le(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

bool
gguf_read_u8(gguf_parser *p, const char *field, uint8_t *out)
{
	if (!value_need(p, 1, field))
		return false;
	*out = p->base[p->pos++];
	return true;
}

bool
gguf_read_u16(gguf_parser *p, const char *field, uint16_t *out)
{
	if (!value_need(p, 2, field))
		return false;
	*out = (uint16_t)value_load_le(p->base + p->pos, 2);
	p->pos += 2;
	return true;
}

bool
gguf_read_u32(gguf_parser *p, const char *field, uint32_t *out)
{
	if (!value_need(p, 4, field))
		return false;
	*out = (uint32_t)value_load_le(p->base + p->pos, 4);
	p->pos += 4;
	return true;
}

bool
gguf_read_u64(gguf_parser *p, const char *field, uint64_t *out)
{
	if (!value_need(p, 8, field))
		return false;
	*out = value_load_le(p->base + p->pos, 8);
	p->pos += 8;
	return true;
}

bool
gguf_read_str(gguf_parser *p, const char *field, gguf_str *out)
{
	uint64_t off = p->pos, len;

	if (!gguf_read_u64(p, field, &len))
		return false;
	if (len > p->size - p->pos)
		return gguf_fail(p, off, field,
			"length %" PRIu64 " runs past the end of the file (%" PRIu64 " bytes left)",
			len, p->size - p->pos);
	out->ptr = (const char *)p->base + p->pos;
	out->len = len;
	p->pos += len;
	return true;
}

/* Decode a scalar whose bytes are at the cursor (already checked). */
static void
value_scalar(gguf_parser *p, uint32_t type, gguf_value *out)
{
	unsigned n = value_scalar_bytes[type];
	uint64_t raw = value_load_le(p->base + p->pos, n);
	union { uint32_t u; float f; } f32;
	union { uint64_t u; double f; } f64;

	p->pos += n;
	switch (type) {
	case GGUF_UINT8: case GGUF_UINT16: case GGUF_UINT32: case GGUF_UINT64:
		out->v.u = raw;
		break;
	case GGUF_INT8:
		out->v.i = (int8_t)(uint8_t)raw;
		break;
	case GGUF_INT16:
		out->v.i = (int16_t)(uint16_t)raw;
		break;
	case GGUF_INT32:
		out->v.i = (int32_t)(uint32_t)raw;
		break;
	case GGUF_INT64:
		out->v.i = (int64_t)raw;
		break;
	case GGUF_FLOAT32:
		f32.u = (uint32_t)raw;
		out->v.f = f32.f;
		break;
	case GGUF_FLOAT64:
		f64.u = raw;
		out->v.f = f64.f;
		break;
	case GGUF_BOOL:
		out->v.b = raw != 0;
		break;
	default:
		break;
	}
}

/* The array header (element type and count) is at the cursor. */
static bool
value_array(gguf_parser *p, uint64_t type_off, gguf_value *out)
{
	uint64_t et_off = p->pos, count_off, count, min_bytes, i;
	uint32_t et;
	gguf_value *items;

	if (p->depth >= GGUF_MAX_ARRAY_DEPTH)
		return gguf_fail(p, type_off, "value type",
			"arrays nested deeper than %d levels", GGUF_MAX_ARRAY_DEPTH);
	if (!gguf_read_u32(p, "array element type", &et))
		return false;
	if (et >= GGUF_VTYPE_COUNT)
		return gguf_fail(p, et_off, "array element type",
			"value type %" PRIu32 " is unknown (valid: 0..%d)", et, GGUF_VTYPE_COUNT - 1);
	count_off = p->pos;
	if (!gguf_read_u64(p, "array count", &count))
		return false;
	/* Smallest encoding of one element: a scalar's size, a string's length
	 * field, a nested array's type and count. */
	min_bytes = value_scalar_bytes[et] != 0 ? value_scalar_bytes[et] : et == GGUF_STRING ? 8 : 12;
	if (count > UINT64_MAX / min_bytes)
		return gguf_fail(p, count_off, "array count",
			"count %" PRIu64 " times the element size %" PRIu64 " (%s) overflows 64 bits",
			count, min_bytes, gguf_vtype_name(et));
	if (count * min_bytes > p->size - p->pos)
		return gguf_fail(p, count_off, "array count",
			"%" PRIu64 " %s elements need at least %" PRIu64 " bytes, but the file has %" PRIu64 " left",
			count, gguf_vtype_name(et), count * min_bytes, p->size - p->pos);
	if (count > GGUF_MAX_VALUES - p->n_values)
		return gguf_fail(p, count_off, "array count",
			"metadata would hold more than %u values (ggscope's limit)", GGUF_MAX_VALUES);
	p->n_values += count;

	items = count != 0 ? xcalloc((size_t)count, sizeof *items) : NULL;
	out->v.arr.elem_type = et;
	out->v.arr.count = 0;
	out->v.arr.items = items;
	p->depth++;
	for (i = 0; i < count; i++) {
		p->path[p->depth - 1] = i;
		if (!gguf_parse_value(p, et, et_off, &items[i])) {
			p->depth--;
			gguf_value_free_items(out);
			return false;
		}
		/* Counted as parsed so a failure frees exactly the built items. */
		out->v.arr.count = i + 1;
	}
	p->depth--;
	return true;
}

bool
gguf_parse_value(gguf_parser *p, uint32_t type, uint64_t type_off, gguf_value *out)
{
	memset(out, 0, sizeof *out);
	if (type >= GGUF_VTYPE_COUNT)
		return gguf_fail(p, type_off, p->depth > 0 ? "array element type" : "value type",
			"value type %" PRIu32 " is unknown (valid: 0..%d)", type, GGUF_VTYPE_COUNT - 1);
	out->type = type;
	if (type == GGUF_STRING)
		return gguf_read_str(p, "string length", &out->v.str);
	if (type == GGUF_ARRAY) {
		if (!value_array(p, type_off, out)) {
			out->type = GGUF_UINT8; /* nothing left to free */
			return false;
		}
		return true;
	}
	if (!value_need(p, value_scalar_bytes[type], "value"))
		return false;
	value_scalar(p, type, out);
	return true;
}

void
gguf_value_free_items(gguf_value *v)
{
	uint64_t i;

	if (v == NULL || v->type != GGUF_ARRAY)
		return;
	for (i = 0; i < v->v.arr.count; i++)
		gguf_value_free_items(&v->v.arr.items[i]);
	free(v->v.arr.items);
	v->v.arr.items = NULL;
	v->v.arr.count = 0;
}
