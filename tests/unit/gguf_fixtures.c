/* gguf_fixtures: well-formed and malformed GGUF images (see the header). */
#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gguf.h"
#include "gguf_fixtures.h"
#include "gguf_write.h"
#include "quant.h"
#include "xalloc.h"

typedef struct fx_list {
	gguf_fixture *v;
	size_t n, cap;
	const uint8_t *base; /* the image fx_patch copies: the sample */
	size_t base_len;
} fx_list;

/* A byte assembler for images the writer cannot produce. */
typedef struct fx_bytes {
	uint8_t *p;
	size_t len, cap;
} fx_bytes;

static void
fx_bytes_put(fx_bytes *b, uint64_t v, unsigned n)
{
	unsigned i;

	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	for (i = 0; i < n; i++)
		b->p[b->len++] = (uint8_t)(v >> (8 * i));
}

static void
fx_bytes_str(fx_bytes *b, const char *s)
{
	size_t i, n = strlen(s);

	fx_bytes_put(b, n, 8);
	for (i = 0; i < n; i++)
		fx_bytes_put(b, (uint8_t)s[i], 1);
}

static void
fx_put(uint8_t *buf, uint64_t off, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		buf[off + i] = (uint8_t)(v >> (8 * i));
}

static void
fx_die(const char *what)
{
	fprintf(stderr, "gguf_fixtures: %s\n", what);
	abort();
}

static void
fx_add(fx_list *l, const char *name, const char *klass, const char *expect, const char *field,
	uint64_t offset, uint8_t *buf, size_t len)
{
	gguf_fixture *f;

	if (l->n == l->cap) {
		l->cap = l->cap != 0 ? 2 * l->cap : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	f = &l->v[l->n++];
	f->name = name;
	f->klass = klass;
	f->expect = expect;
	f->field = field;
	f->offset = offset;
	f->buf = buf;
	f->len = len;
}

static uint8_t *
fx_dup(const uint8_t *buf, size_t len)
{
	uint8_t *p = xmalloc(len != 0 ? len : 1);

	memcpy(p, buf, len);
	return p;
}

static void
fx_tensor(gguf_writer *w, const char *name, uint32_t type, uint64_t ne0, uint64_t ne1, uint32_t n_dims)
{
	uint64_t ne[2] = { ne0, ne1 }, row, n, i;
	uint8_t *data;
	errmsg err;

	if (!quant_row_bytes(type, ne0, &row))
		fx_die("bad fixture tensor");
	n = row * (n_dims > 1 ? ne1 : 1);
	data = xmalloc((size_t)n);
	for (i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 7 + strlen(name));
	if (gguf_writer_add_tensor(w, name, n_dims, ne, type, data, n, 1, &err) != 0)
		fx_die(err.text);
	free(data);
}

static void
fx_write(gguf_writer *w, uint8_t **buf, size_t *len)
{
	errmsg err;

	if (gguf_writer_write_mem(w, buf, len, &err) != 0)
		fx_die(err.text);
	gguf_writer_free(w);
}

void
gguf_fixture_sample(uint8_t **buf, size_t *len)
{
	gguf_writer *w = gguf_writer_new(0);
	static const char *const tokens[40] = {
		"<s>", "</s>", "<unk>", "\"", "\\", "\n", " the", " a", "ing", "ed",
		"0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
		"a", "b", "c", "d", "e", "f", "g", "h", "i", "j",
		"k", "l", "m", "n", "o", "p", "q", "r", "s", "t",
	};
	gguf_value scores = { .type = GGUF_ARRAY };
	gguf_value items[40];
	int i;

	gguf_writer_set_str(w, "general.architecture", "llama");
	gguf_writer_set_str(w, "general.name", "ggscope sample");
	gguf_writer_set_u32(w, "general.file_type", 15);
	gguf_writer_set_u32(w, "llama.block_count", 2);
	gguf_writer_set_f32(w, "llama.rope.freq_base", 10000.0f);
	gguf_writer_set_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
	gguf_writer_set_bool(w, "general.sample", true);
	gguf_writer_set_str_array(w, "tokenizer.ggml.tokens", tokens, 40);
	for (i = 0; i < 40; i++) {
		items[i].type = GGUF_FLOAT32;
		items[i].v.f = -(float)i / 4.0f;
	}
	scores.v.arr.elem_type = GGUF_FLOAT32;
	scores.v.arr.count = 40;
	scores.v.arr.items = items;
	gguf_writer_set_value(w, "tokenizer.ggml.scores", &scores);

	fx_tensor(w, "token_embd.weight", QT_F32, 32, 8, 2);
	fx_tensor(w, "blk.0.attn_norm.weight", QT_F32, 256, 1, 1);
	fx_tensor(w, "blk.0.attn_q.weight", QT_Q8_0, 256, 4, 2);
	fx_tensor(w, "blk.0.ffn_down.weight", QT_Q4_K, 256, 4, 2);
	fx_tensor(w, "blk.1.attn_norm.weight", QT_F32, 256, 1, 1);
	fx_tensor(w, "blk.1.attn_v.weight", QT_Q6_K, 256, 2, 2);
	fx_tensor(w, "output_norm.weight", QT_F32, 32, 1, 1);
	fx_write(w, buf, len);
}

/* Every value type, nested arrays included, and no tensors. */
static void
fx_all_values(uint8_t **buf, size_t *len)
{
	gguf_writer *w = gguf_writer_new(64);
	gguf_value v, inner[2], leaf0[2], leaf1[1];
	static const uint32_t scalar_types[] = {
		GGUF_UINT8, GGUF_INT8, GGUF_UINT16, GGUF_INT16, GGUF_UINT32, GGUF_INT32,
		GGUF_FLOAT32, GGUF_BOOL, GGUF_UINT64, GGUF_INT64, GGUF_FLOAT64,
	};
	size_t i;

	for (i = 0; i < sizeof scalar_types / sizeof scalar_types[0]; i++) {
		char key[32];

		memset(&v, 0, sizeof v);
		v.type = scalar_types[i];
		v.v.u = 0x7f - i;
		if (v.type == GGUF_FLOAT32 || v.type == GGUF_FLOAT64)
			v.v.f = -1.5;
		else if (v.type == GGUF_BOOL)
			v.v.b = true;
		snprintf(key, sizeof key, "t.%s", gguf_vtype_name(v.type));
		gguf_writer_set_value(w, key, &v);
	}
	gguf_writer_set_str(w, "t.string", "h\xc3\xa9llo");
	/* A key with a terminal escape: info must not pass it through. */
	gguf_writer_set_str(w, "t.esc\x1b[31m", "\x1b[0m");
	memset(leaf0, 0, sizeof leaf0);
	leaf0[0].type = leaf0[1].type = GGUF_INT16;
	leaf0[0].v.i = -3;
	leaf0[1].v.i = 300;
	memset(leaf1, 0, sizeof leaf1);
	leaf1[0].type = GGUF_INT16;
	leaf1[0].v.i = 7;
	memset(inner, 0, sizeof inner);
	inner[0].type = inner[1].type = GGUF_ARRAY;
	inner[0].v.arr.elem_type = inner[1].v.arr.elem_type = GGUF_INT16;
	inner[0].v.arr.count = 2;
	inner[0].v.arr.items = leaf0;
	inner[1].v.arr.count = 1;
	inner[1].v.arr.items = leaf1;
	memset(&v, 0, sizeof v);
	v.type = GGUF_ARRAY;
	v.v.arr.elem_type = GGUF_ARRAY;
	v.v.arr.count = 2;
	v.v.arr.items = inner;
	gguf_writer_set_value(w, "t.nested", &v);
	v.v.arr.elem_type = GGUF_UINT64;
	v.v.arr.count = 0;
	v.v.arr.items = NULL;
	gguf_writer_set_value(w, "t.empty_array", &v);
	fx_write(w, buf, len);
}

/* Field positions inside a valid image, found with the reader itself. */
typedef struct fx_pos {
	uint64_t kv;        /* the kv's key length field */
	uint64_t kv_type;   /* its value type field */
	uint64_t kv_value;  /* its value */
	uint64_t info;      /* a tensor info's name length field */
	uint64_t n_dims, ne[4], type, offset;
} fx_pos;

static gguf_file *
fx_open(const uint8_t *buf, size_t len)
{
	errmsg err;
	gguf_file *f = gguf_open_mem(buf, len, "fixture", &err);

	if (f == NULL)
		fx_die(err.text);
	return f;
}

static fx_pos
fx_kv_pos(const uint8_t *buf, size_t len, const char *key)
{
	gguf_file *f = fx_open(buf, len);
	const gguf_kv *kv = gguf_find_kv(f, key);
	fx_pos p;

	memset(&p, 0, sizeof p);
	if (kv == NULL)
		fx_die(key);
	p.kv = kv->offset;
	p.kv_type = kv->offset + 8 + strlen(key);
	p.kv_value = p.kv_type + 4;
	gguf_close(f);
	return p;
}

static fx_pos
fx_tensor_pos(const uint8_t *buf, size_t len, const char *name)
{
	gguf_file *f = fx_open(buf, len);
	const gguf_tensor *t = gguf_find_tensor(f, name);
	fx_pos p;
	uint32_t d;

	memset(&p, 0, sizeof p);
	if (t == NULL)
		fx_die(name);
	p.info = t->info_offset;
	p.n_dims = p.info + 8 + strlen(name);
	for (d = 0; d < 4; d++)
		p.ne[d] = p.n_dims + 4 + 8 * (uint64_t)d;
	p.type = p.n_dims + 4 + 8 * (uint64_t)t->n_dims;
	p.offset = p.type + 4;
	gguf_close(f);
	return p;
}

/* A copy of the sample with one little-endian n-byte field at `at` set to v. */
static void
fx_patch(fx_list *l, const char *name, const char *klass, const char *expect, const char *field,
	uint64_t report_off, uint64_t at, uint64_t v, unsigned n)
{
	uint8_t *p = fx_dup(l->base, l->base_len);

	fx_put(p, at, v, n);
	fx_add(l, name, klass, expect, field, report_off, p, l->base_len);
}

/* A file of one KV whose value bytes are given; the value starts at byte 24+8+1+4 = 37. */
static void
fx_raw_kv(fx_bytes *b, uint32_t type)
{
	memset(b, 0, sizeof *b);
	fx_bytes_put(b, GGUF_MAGIC, 4);
	fx_bytes_put(b, 3, 4);
	fx_bytes_put(b, 0, 8);
	fx_bytes_put(b, 1, 8);
	fx_bytes_str(b, "k");
	fx_bytes_put(b, type, 4);
}

static void
fx_header_cases(fx_list *l, const uint8_t *s, size_t n)
{
	fx_patch(l, "bad-magic", "magic", "is not \"GGUF\"", "magic", 0, 0, 0x46554746u, 4);
	fx_add(l, "bad-empty", "truncated", "the file ends at byte", "magic", 0, fx_dup(s, 0), 0);
	fx_add(l, "bad-truncated-header", "truncated", "the file ends at byte", "tensor_count", 8, fx_dup(s, 10), 10);
	fx_patch(l, "bad-version-1", "version-1", "GGUF version 1 is not supported", "version", 4, 4, 1, 4);
	fx_patch(l, "bad-version-9", "version", "is not supported (only 2 and 3)", "version", 4, 4, 9, 4);
	fx_patch(l, "bad-big-endian", "big-endian", "big-endian GGUF is not supported", "version", 4, 4, 0x03000000u, 4);
	fx_patch(l, "bad-tensor-count", "tensor-count", "tensor infos cannot fit", "tensor_count", 8, 8, 1000000, 8);
	fx_patch(l, "bad-kv-count", "kv-count", "metadata pairs cannot fit", "kv_count", 16, 16, UINT64_MAX / 2, 8);
}

static void
fx_kv_cases(fx_list *l, const uint8_t *s, size_t n)
{
	fx_pos name = fx_kv_pos(s, n, "general.name");
	fx_pos count = fx_kv_pos(s, n, "llama.block_count");
	fx_pos toks = fx_kv_pos(s, n, "tokenizer.ggml.tokens");
	fx_pos scores = fx_kv_pos(s, n, "tokenizer.ggml.scores");
	fx_pos rope = fx_kv_pos(s, n, "llama.rope.freq_base");
	uint64_t at;
	uint8_t *p;
	fx_bytes b;
	int d, i;

	fx_patch(l, "bad-key-length", "string-past-end", "runs past the end of the file", "kv[1] key",
		name.kv, name.kv, 1u << 20, 8);
	fx_patch(l, "bad-string-length", "string-past-end", "runs past the end of the file",
		"kv[1] \"general.name\" string length", name.kv_value, name.kv_value, UINT64_MAX - 3, 8);
	/* The last token's length field: walk the array's strings. */
	at = toks.kv_value + 12;
	for (i = 0; i < 39; i++)
		at += 8 + (s[at] | (uint64_t)s[at + 1] << 8);
	fx_patch(l, "bad-token-length", "string-past-end", "runs past the end of the file",
		"kv[7] \"tokenizer.ggml.tokens\"[39] string length", at, at, 1ull << 40, 8);
	fx_patch(l, "bad-array-overflow", "array-overflow", "times the element size", "kv[8] \"tokenizer.ggml.scores\" array count",
		scores.kv_value + 4, scores.kv_value + 4, 1ull << 62, 8);
	fx_patch(l, "bad-array-past-end", "array-past-end", "elements need at least",
		"kv[8] \"tokenizer.ggml.scores\" array count", scores.kv_value + 4, scores.kv_value + 4, 1000000, 8);
	fx_patch(l, "bad-value-type", "value-type", "is unknown (valid: 0..12)", "kv[3] \"llama.block_count\" value type",
		count.kv_type, count.kv_type, 13, 4);
	fx_patch(l, "bad-array-elem-type", "value-type", "is unknown (valid: 0..12)",
		"kv[7] \"tokenizer.ggml.tokens\" array element type", toks.kv_value, toks.kv_value, 99, 4);
	fx_patch(l, "bad-key-nul", "nul", "contains a NUL byte", "kv[3] key", count.kv, count.kv + 8 + 5, 0, 1);
	/* Duplicate key: "llama.block_count" renamed to "general.file_type"
	 * (both 17 bytes, so nothing else moves). */
	p = fx_dup(s, n);
	memcpy(p + count.kv + 8, "general.file_type", 17);
	fx_add(l, "bad-duplicate-key", "duplicate-key", "duplicate key", "kv[3] \"general.file_type\" key", count.kv, p, n);
	/* Cut inside a float32 value, with tensor_count 0 so the counts fit. */
	p = fx_dup(s, (size_t)rope.kv_value + 2);
	fx_put(p, 8, 0, 8);
	fx_add(l, "bad-truncated-value", "truncated", "the file ends at byte", "kv[4] \"llama.rope.freq_base\" value",
		rope.kv_value, p, (size_t)rope.kv_value + 2);

	/* Arrays nested GGUF_MAX_ARRAY_DEPTH + 1 deep. */
	fx_raw_kv(&b, GGUF_ARRAY);
	for (d = 0; d < GGUF_MAX_ARRAY_DEPTH; d++) {
		fx_bytes_put(&b, GGUF_ARRAY, 4);
		fx_bytes_put(&b, 1, 8);
	}
	fx_bytes_put(&b, GGUF_UINT8, 4);
	fx_bytes_put(&b, 1, 8);
	fx_bytes_put(&b, 42, 1);
	fx_add(l, "bad-nesting", "nesting", "arrays nested deeper than", "kv[0] \"k\"[0][0][0][0][0][0][0][0] value type",
		24 + 9 + 4 + 12 * (GGUF_MAX_ARRAY_DEPTH - 1), b.p, b.len);

	/* More values than the reader's limit: a uint8 array of GGUF_MAX_VALUES + 1. */
	fx_raw_kv(&b, GGUF_ARRAY);
	fx_bytes_put(&b, GGUF_UINT8, 4);
	fx_bytes_put(&b, (uint64_t)GGUF_MAX_VALUES + 1, 8);
	b.p = xrealloc(b.p, b.len + GGUF_MAX_VALUES + 1);
	memset(b.p + b.len, 0, GGUF_MAX_VALUES + 1);
	fx_add(l, "big-values-limit", "values-limit", "ggscope's limit", "kv[0] \"k\" array count",
		24 + 9 + 4 + 4, b.p, b.len + GGUF_MAX_VALUES + 1);
}

/* general.alignment set explicitly with a bad type or value. */
static void
fx_alignment_cases(fx_list *l)
{
	gguf_writer *w;
	uint8_t *buf;
	size_t len;

	w = gguf_writer_new(0);
	gguf_writer_set_str(w, "general.architecture", "llama");
	gguf_writer_set_str(w, "general.alignment", "32");
	fx_write(w, &buf, &len);
	fx_add(l, "bad-alignment-type", "alignment-type", "general.alignment must be a uint32",
		"kv[1] \"general.alignment\" value type", 24 + 8 + 20 + 4 + 8 + 5, buf, len);

	w = gguf_writer_new(0);
	gguf_writer_set_u32(w, "general.alignment", 48);
	fx_tensor(w, "blk.0.x", QT_F32, 32, 1, 1);
	fx_write(w, &buf, &len);
	fx_add(l, "bad-alignment-48", "alignment-value", "is not a nonzero power of two",
		"kv[0] \"general.alignment\" value", 24, buf, len);

	w = gguf_writer_new(0);
	gguf_writer_set_u32(w, "general.alignment", 0);
	fx_write(w, &buf, &len);
	fx_add(l, "bad-alignment-0", "alignment-value", "is not a nonzero power of two",
		"kv[0] \"general.alignment\" value", 24, buf, len);
}

static void
fx_tensor_cases(fx_list *l, const uint8_t *s, size_t n)
{
	fx_pos emb = fx_tensor_pos(s, n, "token_embd.weight");
	fx_pos q = fx_tensor_pos(s, n, "blk.0.attn_q.weight");
	fx_pos k4 = fx_tensor_pos(s, n, "blk.0.ffn_down.weight");
	fx_pos an = fx_tensor_pos(s, n, "blk.0.attn_norm.weight");
	fx_pos norm = fx_tensor_pos(s, n, "blk.1.attn_norm.weight");
	fx_pos out = fx_tensor_pos(s, n, "output_norm.weight");
	uint8_t *p;

	fx_patch(l, "bad-tensor-type-retired", "tensor-type", "ggml type", "tensor[2] \"blk.0.attn_q.weight\" type",
		q.type, q.type, 4, 4);
	fx_patch(l, "bad-tensor-type-99", "tensor-type", "ggml type", "tensor[2] \"blk.0.attn_q.weight\" type",
		q.type, q.type, 99, 4);
	fx_patch(l, "bad-n-dims-0", "n-dims", "is out of range 1..4", "tensor[0] \"token_embd.weight\" n_dims",
		emb.n_dims, emb.n_dims, 0, 4);
	fx_patch(l, "bad-n-dims-5", "n-dims", "is out of range 1..4", "tensor[0] \"token_embd.weight\" n_dims",
		emb.n_dims, emb.n_dims, 5, 4);
	fx_patch(l, "bad-ne-zero", "ne-zero", "dimension is 0", "tensor[0] \"token_embd.weight\" ne[1]",
		emb.ne[1], emb.ne[1], 0, 8);
	fx_patch(l, "bad-ne-overflow", "ne-overflow", "element count overflows", "tensor[0] \"token_embd.weight\" ne",
		emb.ne[0], emb.ne[1], 1ull << 62, 8);
	fx_patch(l, "bad-size-overflow", "size-overflow", "size in bytes overflows",
		"tensor[1] \"blk.0.attn_norm.weight\" ne", an.ne[0], an.ne[0], 1ull << 62, 8);
	fx_patch(l, "bad-block-multiple", "block-multiple", "block size", "tensor[3] \"blk.0.ffn_down.weight\" ne[0]",
		k4.ne[0], k4.ne[0], 100, 8);
	fx_patch(l, "bad-name-empty", "name-empty", "the tensor name is empty", "tensor[0] name", emb.info, emb.info, 0, 8);
	fx_patch(l, "bad-name-nul", "nul", "contains a NUL byte", "tensor[0] name", emb.info, emb.info + 8 + 3, 0, 1);
	fx_patch(l, "bad-offset-align", "offset-align", "is not a multiple of the alignment",
		"tensor[2] \"blk.0.attn_q.weight\" offset", q.offset, q.offset, 1024 + 1024 + 4, 8);
	fx_patch(l, "bad-outside", "outside", "lies outside the file", "tensor[6] \"output_norm.weight\" offset",
		out.offset, out.offset, 1u << 20, 8);
	fx_patch(l, "bad-outside-huge", "outside", "lies outside the file", "tensor[6] \"output_norm.weight\" offset",
		out.offset, out.offset, UINT64_MAX - 31, 8);
	fx_patch(l, "bad-overlap", "overlap", "overlaps tensor[1]", "tensor[4] \"blk.1.attn_norm.weight\" offset",
		norm.offset, norm.offset, 1024, 8);

	/* Duplicate name: blk.0.attn_norm.weight -> blk.1.attn_norm.weight. */
	p = fx_dup(s, n);
	p[an.info + 8 + 4] = '1';
	fx_add(l, "bad-duplicate-name", "name-duplicate", "duplicate tensor name",
		"tensor[4] \"blk.1.attn_norm.weight\" name", norm.info, p, n);
}

/* A 64-byte name is fine; its length patched to 65 is too long. */
static void
fx_long_name_case(fx_list *l)
{
	static const char name[] = "blk.0.0123456789012345678901234567890123456789012345678901234567";
	gguf_writer *w = gguf_writer_new(0);
	uint8_t *buf;
	size_t len;

	fx_tensor(w, name, QT_F32, 32, 1, 1);
	fx_write(w, &buf, &len);
	fx_add(l, "valid-name-64", NULL, NULL, NULL, 0, fx_dup(buf, len), len);
	fx_put(buf, 24, 65, 8);
	fx_add(l, "bad-name-long", "name-long", "longer than ggml's limit of 64", "tensor[0]", 24, buf, len);
}

static void
fx_valid_cases(fx_list *l, const uint8_t *s, size_t n)
{
	gguf_writer *w;
	uint8_t *buf;
	size_t len;

	fx_add(l, "valid-sample", NULL, NULL, NULL, 0, fx_dup(s, n), n);
	fx_add(l, "valid-v2", NULL, NULL, NULL, 0, fx_dup(s, n), n);
	fx_put(l->v[l->n - 1].buf, 4, 2, 4);

	w = gguf_writer_new(0);
	fx_write(w, &buf, &len);
	fx_add(l, "valid-empty", NULL, NULL, NULL, 0, buf, len);

	fx_all_values(&buf, &len);
	fx_add(l, "valid-all-values", NULL, NULL, NULL, 0, buf, len);

	/* Alignment 64, every computable type, blocks out of file order. */
	w = gguf_writer_new(64);
	gguf_writer_set_str(w, "general.architecture", "qwen3");
	fx_tensor(w, "blk.2.ffn_up.weight", QT_Q5_K, 256, 1, 2);
	fx_tensor(w, "blk.10.ffn_gate.weight", QT_Q4_0, 64, 2, 2);
	fx_tensor(w, "output.weight", QT_BF16, 16, 2, 2);
	fx_tensor(w, "blk.2.attn_k.weight", QT_F16, 32, 1, 1);
	fx_tensor(w, "blk.0.attn_k.weight", QT_Q8_K, 256, 1, 1);
	fx_tensor(w, "blk.0.ffn_up.weight", QT_Q5_1, 32, 1, 1);
	fx_tensor(w, "blk.0.x.weight", QT_Q4_1, 32, 1, 1);
	fx_tensor(w, "blk.0.y.weight", QT_Q5_0, 32, 1, 1);
	fx_tensor(w, "blk.0.z.weight", QT_Q8_1, 32, 1, 1);
	fx_tensor(w, "blk.0.w.weight", QT_Q2_K, 256, 1, 1);
	fx_write(w, &buf, &len);
	fx_add(l, "valid-align64", NULL, NULL, NULL, 0, buf, len);
}

size_t
gguf_fixtures_build(gguf_fixture **out)
{
	fx_list l = { NULL, 0, 0, NULL, 0 };
	uint8_t *s;
	size_t n;

	gguf_fixture_sample(&s, &n);
	l.base = s;
	l.base_len = n;
	fx_valid_cases(&l, s, n);
	fx_header_cases(&l, s, n);
	fx_kv_cases(&l, s, n);
	fx_alignment_cases(&l);
	fx_tensor_cases(&l, s, n);
	fx_long_name_case(&l);
	free(s);
	*out = l.v;
	return l.n;
}

void
gguf_fixtures_free(gguf_fixture *fx, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(fx[i].buf);
	free(fx);
}
