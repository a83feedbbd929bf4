/* `ggscope info FILE [--json]`: what a GGUF file holds.
 *
 * Text output: the header, the metadata (long arrays and strings elided, with
 * their length), the tensor table, a per-layer summary and a type histogram.
 *
 * JSON output (--json, format_version 1; fields are only ever added):
 *   {
 *     "format_version": 1,
 *     "file": "PATH",
 *     "header": { "version": 3, "alignment": 32, "size_bytes": N,
 *                 "data_offset": N, "data_bytes": N, "kv_count": N, "tensor_count": N },
 *     "metadata": [ { "key": "K", "type": "uint32", "value": V, "offset": N }, ...
 *                   arrays add "elem_type" and "count"; "value" is the whole
 *                   array (nested arrays as nested JSON arrays); floats are
 *                   written as the shortest decimal that reads back to the
 *                   stored float32/float64 ],
 *     "tensors":  [ { "name": "blk.0.attn_q.weight", "type": "q4_K", "type_id": 12,
 *                     "shape": [ne0, ne1, ...], "n_elems": N, "n_bytes": N,
 *                     "offset": N (from the data section), "file_offset": N }, ... ],
 *     "layers":   [ { "block": N or -1 (non-block tensors), "n_tensors": N,
 *                     "n_bytes": N, "tensors": [index, ...],
 *                     "types": { "q4_K": count, ... } }, ... ],
 *     "types":    [ { "type": "q4_K", "type_id": 12, "n_tensors": N,
 *                     "n_bytes": N, "share": fraction of data bytes }, ... ]
 *   }
 * Tensors and metadata are in file order, layers as layers_group gives them,
 * types by bytes (largest first). */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "gguf.h"
#include "layers.h"
#include "quant.h"
#include "xalloc.h"

/* How much of a value the text output shows. */
#define INFO_PREVIEW_CHARS 64  /* array items shown until the line has this many */
#define INFO_STRING_BYTES 80   /* longer strings are cut, with their length */

typedef struct info_buf {
	char *p;
	size_t len, cap;
} info_buf;

/* Per-type totals over a set of tensors. */
typedef struct info_types {
	uint64_t count[QT_COUNT];
	uint64_t bytes[QT_COUNT];
} info_types;

static void
buf_add(info_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_printf(info_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
buf_printf(info_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* The shortest %g rendering that reads back to the same float (or double):
 * 1e-05, not 9.99999975e-06. */
static void
info_format_float(char *out, size_t cap, double v, bool single)
{
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, v);
		if (single ? (float)strtod(out, NULL) == (float)v : strtod(out, NULL) == v)
			break;
	}
	/* Whole numbers as such: 10000, not 1e+04. */
	if (strchr(out, 'e') != NULL && v == floor(v) && fabs(v) < 1e15)
		snprintf(out, cap, "%.0f", v);
}

/* A quoted, escaped string, cut after `max` bytes. UTF-8 passes through. */
static void
info_add_string(info_buf *b, const gguf_str *s, uint64_t max)
{
	uint64_t i;

	buf_add(b, "\"", 1);
	for (i = 0; i < s->len && i < max; i++) {
		unsigned char c = (unsigned char)s->ptr[i];

		switch (c) {
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_printf(b, "\\x%02x", c);
			else
				buf_add(b, (const char *)&c, 1);
		}
	}
	buf_add(b, "\"", 1);
	if (i < s->len)
		buf_printf(b, "... (%" PRIu64 " bytes)", s->len);
}

static void info_add_value(info_buf *b, const gguf_value *v, size_t stop);

/* Array items until the text reaches `stop` characters, then "...". */
static void
info_add_items(info_buf *b, const gguf_value *v, size_t stop)
{
	uint64_t i;

	buf_add(b, "[", 1);
	for (i = 0; i < v->v.arr.count; i++) {
		if (i > 0)
			buf_add(b, ", ", 2);
		if (b->len >= stop) {
			buf_add(b, "...", 3);
			break;
		}
		info_add_value(b, &v->v.arr.items[i], stop);
	}
	buf_add(b, "]", 1);
}

static void
info_add_value(info_buf *b, const gguf_value *v, size_t stop)
{
	char num[64];

	switch (v->type) {
	case GGUF_UINT8: case GGUF_UINT16: case GGUF_UINT32: case GGUF_UINT64:
		buf_printf(b, "%" PRIu64, v->v.u);
		break;
	case GGUF_INT8: case GGUF_INT16: case GGUF_INT32: case GGUF_INT64:
		buf_printf(b, "%" PRId64, v->v.i);
		break;
	case GGUF_FLOAT32: case GGUF_FLOAT64:
		info_format_float(num, sizeof num, v->v.f, v->type == GGUF_FLOAT32);
		buf_add(b, num, strlen(num));
		break;
	case GGUF_BOOL:
		buf_add(b, v->v.b ? "true" : "false", v->v.b ? 4 : 5);
		break;
	case GGUF_STRING:
		info_add_string(b, &v->v.str, INFO_STRING_BYTES);
		break;
	case GGUF_ARRAY:
		info_add_items(b, v, stop);
		break;
	default:
		break;
	}
}

/* A key or tensor name for the terminal: control bytes become '?' (a
 * hostile file must not move the cursor), the width stays the same. */
static const char *
info_printable(char *out, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < cap; i++)
		out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	out[i] = '\0';
	return out;
}

static const char *
info_type_name(uint32_t type)
{
	const quant_info *qi = quant_type_info(type);

	return qi != NULL ? qi->name : "?";
}

/* "4096 x 14336" */
static void
info_shape(char *out, size_t cap, const gguf_tensor *t)
{
	size_t o = 0;
	uint32_t d;

	out[0] = '\0';
	for (d = 0; d < t->n_dims && o < cap; d++)
		o += (size_t)snprintf(out + o, cap - o, "%s%" PRIu64, d > 0 ? " x " : "", t->ne[d]);
}

static void
info_count_types(const gguf_file *f, const size_t *idx, size_t n, info_types *ty)
{
	size_t i;

	memset(ty, 0, sizeof *ty);
	for (i = 0; i < n; i++) {
		const gguf_tensor *t = gguf_tensor_at(f, idx != NULL ? idx[i] : i);

		ty->count[t->type]++;
		ty->bytes[t->type] += t->n_bytes;
	}
}

/* Type ids of ty ordered by bytes, largest first (ties by id); returns how many. */
static size_t
info_type_order(const info_types *ty, uint32_t *order)
{
	size_t n = 0, i, j;
	uint32_t t;

	for (t = 0; t < QT_COUNT; t++) {
		if (ty->count[t] == 0)
			continue;
		for (i = n; i > 0 && ty->bytes[order[i - 1]] < ty->bytes[t]; i--)
			;
		for (j = n; j > i; j--)
			order[j] = order[j - 1];
		order[i] = t;
		n++;
	}
	return n;
}

static uint64_t
info_data_bytes(const gguf_file *f)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < gguf_tensor_count(f); i++)
		sum += gguf_tensor_at(f, i)->n_bytes;
	return sum;
}

static void
info_text_header(FILE *out, const gguf_file *f)
{
	fprintf(out, "GGUF file: %s\n", gguf_name(f));
	fprintf(out, "  version:      %" PRIu32 "\n", gguf_version(f));
	fprintf(out, "  alignment:    %" PRIu32 "\n", gguf_alignment(f));
	fprintf(out, "  file size:    %" PRIu64 " bytes\n", gguf_size(f));
	fprintf(out, "  data offset:  %" PRIu64 "\n", gguf_data_offset(f));
	fprintf(out, "  tensor data:  %" PRIu64 " bytes\n", info_data_bytes(f));
	fprintf(out, "  metadata:     %zu keys\n", gguf_kv_count(f));
	fprintf(out, "  tensors:      %zu\n", gguf_tensor_count(f));
}

static void
info_text_metadata(FILE *out, const gguf_file *f)
{
	info_buf b = { NULL, 0, 0 };
	char key[512];
	size_t i;

	fprintf(out, "\nMetadata:%s\n", gguf_kv_count(f) == 0 ? " none" : "");
	for (i = 0; i < gguf_kv_count(f); i++) {
		const gguf_kv *kv = gguf_kv_at(f, i);
		const gguf_value *v = &kv->value;

		b.len = 0;
		buf_add(&b, "", 0);
		if (v->type == GGUF_ARRAY) {
			buf_printf(&b, "[%s x %" PRIu64 "] ", gguf_vtype_name(v->v.arr.elem_type), v->v.arr.count);
			info_add_items(&b, v, b.len + INFO_PREVIEW_CHARS);
		} else {
			info_add_value(&b, v, INFO_PREVIEW_CHARS);
		}
		fprintf(out, "  %-8s %s = %s\n", gguf_vtype_name(v->type),
			info_printable(key, sizeof key, kv->key), b.p);
	}
	free(b.p);
}

static void
info_text_tensors(FILE *out, const gguf_file *f)
{
	size_t i, n = gguf_tensor_count(f);
	int name_w = 4, shape_w = 5;
	char shape[128], name[GGUF_NAME_MAX + 1];

	if (n == 0) {
		fprintf(out, "\nTensors: none\n");
		return;
	}
	for (i = 0; i < n; i++) {
		int len = (int)strlen(gguf_tensor_at(f, i)->name);

		info_shape(shape, sizeof shape, gguf_tensor_at(f, i));
		if (len > name_w)
			name_w = len;
		if ((int)strlen(shape) > shape_w)
			shape_w = (int)strlen(shape);
	}
	fprintf(out, "\nTensors (offsets from the data section):\n");
	fprintf(out, "  %5s  %-*s  %-7s  %-*s %14s %14s\n", "#", name_w, "NAME", "TYPE", shape_w, "SHAPE",
		"BYTES", "OFFSET");
	for (i = 0; i < n; i++) {
		const gguf_tensor *t = gguf_tensor_at(f, i);

		info_shape(shape, sizeof shape, t);
		fprintf(out, "  %5zu  %-*s  %-7s  %-*s %14" PRIu64 " %14" PRIu64 "\n",
			i, name_w, info_printable(name, sizeof name, t->name), info_type_name(t->type),
			shape_w, shape, t->n_bytes, t->offset);
	}
}

/* "f32 x2, q4_K x5" in the histogram's order. */
static void
info_types_line(info_buf *b, const info_types *ty)
{
	uint32_t order[QT_COUNT];
	size_t n = info_type_order(ty, order), i;

	b->len = 0;
	buf_add(b, "", 0);
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s x%" PRIu64, i > 0 ? ", " : "", info_type_name(order[i]), ty->count[order[i]]);
}

static void
info_text_layers(FILE *out, const gguf_file *f, const layer_map *m)
{
	info_buf b = { NULL, 0, 0 };
	info_types ty;
	size_t i;

	if (m->n_groups == 0) {
		fprintf(out, "\nLayers: none\n");
		return;
	}
	fprintf(out, "\nLayers:\n");
	fprintf(out, "  %-7s %8s %14s  %s\n", "BLOCK", "TENSORS", "BYTES", "TYPES");
	for (i = 0; i < m->n_groups; i++) {
		const layer_group *g = &m->groups[i];
		char block[32];

		if (g->block < 0)
			snprintf(block, sizeof block, "global");
		else
			snprintf(block, sizeof block, "%ld", g->block);
		info_count_types(f, g->tensors, g->n_tensors, &ty);
		info_types_line(&b, &ty);
		fprintf(out, "  %-7s %8zu %14" PRIu64 "  %s\n", block, g->n_tensors, g->n_bytes, b.p);
	}
	free(b.p);
}

static void
info_text_types(FILE *out, const gguf_file *f)
{
	uint64_t total = info_data_bytes(f);
	uint32_t order[QT_COUNT];
	info_types ty;
	size_t n, i;

	info_count_types(f, NULL, gguf_tensor_count(f), &ty);
	n = info_type_order(&ty, order);
	if (n == 0) {
		fprintf(out, "\nTypes: none\n");
		return;
	}
	fprintf(out, "\nTypes:\n");
	fprintf(out, "  %-7s %8s %14s %8s\n", "TYPE", "TENSORS", "BYTES", "SHARE");
	for (i = 0; i < n; i++) {
		uint32_t t = order[i];

		fprintf(out, "  %-7s %8" PRIu64 " %14" PRIu64 " %7.2f%%\n", info_type_name(t), ty.count[t],
			ty.bytes[t], total != 0 ? 100.0 * (double)ty.bytes[t] / (double)total : 0.0);
	}
}

/* ---- JSON */

static json_object *
info_json_u64(uint64_t v)
{
#if JSON_C_VERSION_NUM >= ((0 << 16) | (14 << 8))
	return json_object_new_uint64(v);
#else
	return v <= INT64_MAX ? json_object_new_int64((int64_t)v) : json_object_new_double((double)v);
#endif
}

static json_object *
info_json_value(const gguf_value *v)
{
	char num[64];
	json_object *a;
	uint64_t i;

	switch (v->type) {
	case GGUF_UINT8: case GGUF_UINT16: case GGUF_UINT32: case GGUF_UINT64:
		return info_json_u64(v->v.u);
	case GGUF_INT8: case GGUF_INT16: case GGUF_INT32: case GGUF_INT64:
		return json_object_new_int64(v->v.i);
	case GGUF_FLOAT32: case GGUF_FLOAT64:
		info_format_float(num, sizeof num, v->v.f, v->type == GGUF_FLOAT32);
		return json_object_new_double_s(v->v.f, num);
	case GGUF_BOOL:
		return json_object_new_boolean(v->v.b);
	case GGUF_STRING:
		return json_object_new_string_len(v->v.str.ptr, (int)(v->v.str.len > INT32_MAX ? INT32_MAX : v->v.str.len));
	case GGUF_ARRAY:
		a = json_object_new_array();
		for (i = 0; i < v->v.arr.count; i++)
			json_object_array_add(a, info_json_value(&v->v.arr.items[i]));
		return a;
	default:
		return json_object_new_null();
	}
}

static json_object *
info_json_types(const info_types *ty)
{
	json_object *o = json_object_new_object();
	uint32_t order[QT_COUNT];
	size_t n = info_type_order(ty, order), i;

	for (i = 0; i < n; i++)
		json_object_object_add(o, info_type_name(order[i]), info_json_u64(ty->count[order[i]]));
	return o;
}

static json_object *
info_json(const gguf_file *f, const layer_map *m)
{
	json_object *root = json_object_new_object(), *h, *arr;
	uint64_t total = info_data_bytes(f);
	uint32_t order[QT_COUNT];
	info_types ty;
	size_t i, n;
	uint32_t d;

	json_object_object_add(root, "format_version", json_object_new_int(1));
	json_object_object_add(root, "file", json_object_new_string(gguf_name(f)));
	h = json_object_new_object();
	json_object_object_add(h, "version", json_object_new_int64(gguf_version(f)));
	json_object_object_add(h, "alignment", json_object_new_int64(gguf_alignment(f)));
	json_object_object_add(h, "size_bytes", info_json_u64(gguf_size(f)));
	json_object_object_add(h, "data_offset", info_json_u64(gguf_data_offset(f)));
	json_object_object_add(h, "data_bytes", info_json_u64(total));
	json_object_object_add(h, "kv_count", info_json_u64(gguf_kv_count(f)));
	json_object_object_add(h, "tensor_count", info_json_u64(gguf_tensor_count(f)));
	json_object_object_add(root, "header", h);

	arr = json_object_new_array();
	for (i = 0; i < gguf_kv_count(f); i++) {
		const gguf_kv *kv = gguf_kv_at(f, i);
		json_object *o = json_object_new_object();

		json_object_object_add(o, "key", json_object_new_string(kv->key));
		json_object_object_add(o, "type", json_object_new_string(gguf_vtype_name(kv->value.type)));
		if (kv->value.type == GGUF_ARRAY) {
			json_object_object_add(o, "elem_type",
				json_object_new_string(gguf_vtype_name(kv->value.v.arr.elem_type)));
			json_object_object_add(o, "count", info_json_u64(kv->value.v.arr.count));
		}
		json_object_object_add(o, "value", info_json_value(&kv->value));
		json_object_object_add(o, "offset", info_json_u64(kv->offset));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "metadata", arr);

	arr = json_object_new_array();
	for (i = 0; i < gguf_tensor_count(f); i++) {
		const gguf_tensor *t = gguf_tensor_at(f, i);
		json_object *o = json_object_new_object(), *shape = json_object_new_array();

		json_object_object_add(o, "name", json_object_new_string(t->name));
		json_object_object_add(o, "type", json_object_new_string(info_type_name(t->type)));
		json_object_object_add(o, "type_id", json_object_new_int64(t->type));
		for (d = 0; d < t->n_dims; d++)
			json_object_array_add(shape, info_json_u64(t->ne[d]));
		json_object_object_add(o, "shape", shape);
		json_object_object_add(o, "n_elems", info_json_u64(t->n_elems));
		json_object_object_add(o, "n_bytes", info_json_u64(t->n_bytes));
		json_object_object_add(o, "offset", info_json_u64(t->offset));
		json_object_object_add(o, "file_offset", info_json_u64(gguf_data_offset(f) + t->offset));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "tensors", arr);

	arr = json_object_new_array();
	for (i = 0; i < m->n_groups; i++) {
		const layer_group *g = &m->groups[i];
		json_object *o = json_object_new_object(), *idx = json_object_new_array();
		size_t j;

		json_object_object_add(o, "block", json_object_new_int64(g->block));
		json_object_object_add(o, "n_tensors", info_json_u64(g->n_tensors));
		json_object_object_add(o, "n_bytes", info_json_u64(g->n_bytes));
		for (j = 0; j < g->n_tensors; j++)
			json_object_array_add(idx, info_json_u64(g->tensors[j]));
		json_object_object_add(o, "tensors", idx);
		info_count_types(f, g->tensors, g->n_tensors, &ty);
		json_object_object_add(o, "types", info_json_types(&ty));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "layers", arr);

	info_count_types(f, NULL, gguf_tensor_count(f), &ty);
	n = info_type_order(&ty, order);
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		uint32_t t = order[i];

		json_object_object_add(o, "type", json_object_new_string(info_type_name(t)));
		json_object_object_add(o, "type_id", json_object_new_int64(t));
		json_object_object_add(o, "n_tensors", info_json_u64(ty.count[t]));
		json_object_object_add(o, "n_bytes", info_json_u64(ty.bytes[t]));
		json_object_object_add(o, "share", json_object_new_double(total != 0 ? (double)ty.bytes[t] / (double)total : 0.0));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "types", arr);
	return root;
}

static void
info_help(void)
{
	printf("Usage: ggscope info [OPTION]... FILE\n"
		"Show what a GGUF file holds: its header, metadata (long arrays and strings\n"
		"elided with their length), tensor table, per-layer summary and type histogram.\n\n"
		"  -j, --json     machine-readable output: one JSON object with the keys\n"
		"                 format_version (1), file, header, metadata (full values),\n"
		"                 tensors, layers (block -1: non-block tensors) and types\n"
		"  -h, --help     display this help and exit\n\n"
		"Exit status: 0 success, 1 error (unreadable or malformed file), 2 usage error.\n");
}

int
cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	gguf_file *f;
	layer_map *m;
	errmsg err;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': info_help(); return 0;
		default:
			if (optopt != 0)
				return cli_usage_error("info", "invalid option -- '%c'", optopt);
			return cli_usage_error("info", "unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error("info", "missing FILE");
	if (argc - optind > 1)
		return cli_usage_error("info", "one FILE expected, got %d", argc - optind);

	f = gguf_open(argv[optind], &err);
	if (f == NULL)
		return cli_error("info", "%s", err.text);
	m = layers_group(f);
	if (json) {
		json_object *root = info_json(f, m);

		fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
		fputc('\n', stdout);
		json_object_put(root);
	} else {
		info_text_header(stdout, f);
		info_text_metadata(stdout, f);
		info_text_tensors(stdout, f);
		info_text_layers(stdout, f, m);
		info_text_types(stdout, f);
	}
	layers_free(m);
	gguf_close(f);
	if (fflush(stdout) != 0 || ferror(stdout))
		return cli_error("info", "writing the output failed");
	return 0;
}
