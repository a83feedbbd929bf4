/* gguf_write: serialize metadata and tensors as GGUF v3 (see gguf_write.h).
 *
 * The layout matches ggml's and gguf-py's writers: header, KV pairs, tensor
 * infos, zero padding to the alignment, then each tensor at an aligned
 * offset, each followed by padding to the alignment. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gguf_internal.h"
#include "gguf_write.h"
#include "quant.h"
#include "xalloc.h"

typedef struct writer_kv {
	char *key;
	gguf_value value; /* strings and array items are owned copies */
} writer_kv;

typedef struct writer_tensor {
	char name[GGUF_NAME_MAX + 1];
	uint32_t n_dims;
	uint64_t ne[GGUF_MAX_DIMS];
	uint32_t type;
	const void *data; /* NULL: zeros */
	void *owned;      /* freed with the writer */
	uint64_t n_bytes;
} writer_tensor;

struct gguf_writer {
	uint32_t alignment;
	writer_kv *kv;
	size_t n_kv, cap_kv;
	writer_tensor *t;
	size_t n_t, cap_t;
};

/* A growable byte buffer for the header. */
typedef struct writer_buf {
	uint8_t *p;
	size_t len, cap;
} writer_buf;

gguf_writer *
gguf_writer_new(uint32_t alignment)
{
	gguf_writer *w = xcalloc(1, sizeof *w);

	if (alignment == 0)
		alignment = GGUF_DEFAULT_ALIGNMENT;
	if ((alignment & (alignment - 1)) != 0)
		xfatal("gguf_writer_new: alignment %" PRIu32 " is not a power of two", alignment);
	w->alignment = alignment;
	return w;
}

/* Free what a writer-owned value holds: string copies and array items. */
static void
writer_value_free(gguf_value *v)
{
	uint64_t i;

	if (v->type == GGUF_STRING) {
		free((char *)v->v.str.ptr);
	} else if (v->type == GGUF_ARRAY) {
		for (i = 0; i < v->v.arr.count; i++)
			writer_value_free(&v->v.arr.items[i]);
		free(v->v.arr.items);
	}
	memset(v, 0, sizeof *v);
}

void
gguf_writer_free(gguf_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n_kv; i++) {
		free(w->kv[i].key);
		writer_value_free(&w->kv[i].value);
	}
	for (i = 0; i < w->n_t; i++)
		free(w->t[i].owned);
	free(w->kv);
	free(w->t);
	free(w);
}

static gguf_str
writer_str_copy(const char *s, uint64_t len)
{
	gguf_str out;
	char *p;

	if (len > SIZE_MAX - 1)
		xfatal("gguf_writer: string of %" PRIu64 " bytes", len);
	p = xmalloc((size_t)len + 1);
	if (len != 0)
		memcpy(p, s, (size_t)len);
	p[len] = '\0';
	out.ptr = p;
	out.len = len;
	return out;
}

/* Deep copy of src into dst; aborts on a malformed value (a caller bug). */
static void
writer_value_copy(gguf_value *dst, const gguf_value *src, unsigned depth)
{
	uint64_t i;

	if (src->type >= GGUF_VTYPE_COUNT)
		xfatal("gguf_writer_set_value: value type %" PRIu32 " is unknown", src->type);
	*dst = *src;
	if (src->type == GGUF_STRING) {
		dst->v.str = writer_str_copy(src->v.str.ptr, src->v.str.len);
	} else if (src->type == GGUF_ARRAY) {
		if (depth >= GGUF_MAX_ARRAY_DEPTH || src->v.arr.elem_type >= GGUF_VTYPE_COUNT)
			xfatal("gguf_writer_set_value: malformed array (element type %" PRIu32 ", depth %u)",
				src->v.arr.elem_type, depth);
		dst->v.arr.items = src->v.arr.count != 0 ?
			xreallocarray(NULL, (size_t)src->v.arr.count, sizeof *dst->v.arr.items) : NULL;
		for (i = 0; i < src->v.arr.count; i++) {
			if (src->v.arr.items[i].type != src->v.arr.elem_type)
				xfatal("gguf_writer_set_value: array item %" PRIu64 " is a %s in an array of %s",
					i, gguf_vtype_name(src->v.arr.items[i].type),
					gguf_vtype_name(src->v.arr.elem_type));
			writer_value_copy(&dst->v.arr.items[i], &src->v.arr.items[i], depth + 1);
		}
	}
}

/* Store an owned value under key, replacing an existing one in place. */
static void
writer_put(gguf_writer *w, const char *key, gguf_value *owned)
{
	size_t i;

	for (i = 0; i < w->n_kv; i++) {
		if (strcmp(w->kv[i].key, key) == 0) {
			writer_value_free(&w->kv[i].value);
			w->kv[i].value = *owned;
			return;
		}
	}
	if (w->n_kv == w->cap_kv) {
		w->cap_kv = w->cap_kv != 0 ? 2 * w->cap_kv : 16;
		w->kv = xreallocarray(w->kv, w->cap_kv, sizeof *w->kv);
	}
	w->kv[w->n_kv].key = xstrdup(key);
	w->kv[w->n_kv].value = *owned;
	w->n_kv++;
}

static void
writer_put_scalar(gguf_writer *w, const char *key, uint32_t type, gguf_value v)
{
	v.type = type;
	writer_put(w, key, &v);
}

void
gguf_writer_set_u32(gguf_writer *w, const char *key, uint32_t v)
{
	writer_put_scalar(w, key, GGUF_UINT32, (gguf_value){ .v.u = v });
}

void
gguf_writer_set_i32(gguf_writer *w, const char *key, int32_t v)
{
	writer_put_scalar(w, key, GGUF_INT32, (gguf_value){ .v.i = v });
}

void
gguf_writer_set_u64(gguf_writer *w, const char *key, uint64_t v)
{
	writer_put_scalar(w, key, GGUF_UINT64, (gguf_value){ .v.u = v });
}

void
gguf_writer_set_f32(gguf_writer *w, const char *key, float v)
{
	writer_put_scalar(w, key, GGUF_FLOAT32, (gguf_value){ .v.f = v });
}

void
gguf_writer_set_bool(gguf_writer *w, const char *key, bool v)
{
	writer_put_scalar(w, key, GGUF_BOOL, (gguf_value){ .v.b = v });
}

void
gguf_writer_set_str(gguf_writer *w, const char *key, const char *v)
{
	gguf_value val = { .type = GGUF_STRING };

	val.v.str = writer_str_copy(v, strlen(v));
	writer_put(w, key, &val);
}

void
gguf_writer_set_str_array(gguf_writer *w, const char *key, const char *const *v, size_t n)
{
	gguf_value val = { .type = GGUF_ARRAY };
	size_t i;

	val.v.arr.elem_type = GGUF_STRING;
	val.v.arr.count = n;
	val.v.arr.items = n != 0 ? xreallocarray(NULL, n, sizeof *val.v.arr.items) : NULL;
	for (i = 0; i < n; i++) {
		val.v.arr.items[i].type = GGUF_STRING;
		val.v.arr.items[i].v.str = writer_str_copy(v[i], strlen(v[i]));
	}
	writer_put(w, key, &val);
}

void
gguf_writer_set_value(gguf_writer *w, const char *key, const gguf_value *v)
{
	gguf_value copy;

	writer_value_copy(&copy, v, 0);
	writer_put(w, key, &copy);
}

int
gguf_writer_add_tensor(gguf_writer *w, const char *name, uint32_t n_dims,
	const uint64_t *ne, uint32_t type, const void *data, uint64_t n_bytes,
	int copy, errmsg *err)
{
	const quant_info *qi = quant_type_info(type);
	uint64_t row_bytes, rows = 1, elems;
	writer_tensor *t;
	size_t i, len = name != NULL ? strlen(name) : 0;
	uint32_t d;

	if (len == 0) {
		errmsg_set(err, "tensor name is empty");
		return -1;
	}
	if (len > GGUF_NAME_MAX) {
		errmsg_set(err, "tensor name \"%.64s...\" is %zu bytes, longer than %d", name, len, GGUF_NAME_MAX);
		return -1;
	}
	for (i = 0; i < w->n_t; i++) {
		if (strcmp(w->t[i].name, name) == 0) {
			errmsg_set(err, "duplicate tensor name \"%s\"", name);
			return -1;
		}
	}
	if (n_dims == 0 || n_dims > GGUF_MAX_DIMS) {
		errmsg_set(err, "tensor \"%s\": n_dims %" PRIu32 " is out of range 1..%d", name, n_dims, GGUF_MAX_DIMS);
		return -1;
	}
	if (qi == NULL) {
		errmsg_set(err, "tensor \"%s\": ggml type %" PRIu32 " is unknown", name, type);
		return -1;
	}
	elems = 1;
	for (d = 0; d < n_dims; d++) {
		if (ne[d] == 0) {
			errmsg_set(err, "tensor \"%s\": ne[%" PRIu32 "] is 0", name, d);
			return -1;
		}
		if (ne[d] > (uint64_t)INT64_MAX / elems) {
			errmsg_set(err, "tensor \"%s\": element count overflows", name);
			return -1;
		}
		elems *= ne[d];
		if (d > 0)
			rows *= ne[d];
	}
	if (ne[0] % qi->block_elems != 0) {
		errmsg_set(err, "tensor \"%s\": row length %" PRIu64 " is not a multiple of %s's block size %" PRIu32,
			name, ne[0], qi->name, qi->block_elems);
		return -1;
	}
	if (!quant_row_bytes(type, ne[0], &row_bytes) || rows > UINT64_MAX / row_bytes) {
		errmsg_set(err, "tensor \"%s\": the size in bytes overflows 64 bits", name);
		return -1;
	}
	if (row_bytes * rows != n_bytes) {
		errmsg_set(err, "tensor \"%s\": %" PRIu64 " bytes given, but %" PRIu64 " %s elements in rows of %" PRIu64 " take %" PRIu64,
			name, n_bytes, elems, qi->name, ne[0], row_bytes * rows);
		return -1;
	}
	if (data != NULL && copy && n_bytes > SIZE_MAX) {
		errmsg_set(err, "tensor \"%s\": %" PRIu64 " bytes do not fit in memory", name, n_bytes);
		return -1;
	}

	if (w->n_t == w->cap_t) {
		w->cap_t = w->cap_t != 0 ? 2 * w->cap_t : 16;
		w->t = xreallocarray(w->t, w->cap_t, sizeof *w->t);
	}
	t = &w->t[w->n_t++];
	memset(t, 0, sizeof *t);
	memcpy(t->name, name, len + 1);
	t->n_dims = n_dims;
	for (d = 0; d < GGUF_MAX_DIMS; d++)
		t->ne[d] = d < n_dims ? ne[d] : 1;
	t->type = type;
	t->n_bytes = n_bytes;
	t->data = data;
	if (data != NULL && copy) {
		t->owned = xmalloc(n_bytes != 0 ? (size_t)n_bytes : 1);
		memcpy(t->owned, data, (size_t)n_bytes);
		t->data = t->owned;
	}
	return 0;
}

/* ---- serialization */

static void
buf_put(writer_buf *b, const void *p, size_t n)
{
	if (n > SIZE_MAX - b->len)
		xfatal("gguf_writer: header larger than memory");
	if (b->len + n > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 4096;

		while (cap < b->len + n)
			cap = cap <= SIZE_MAX / 2 ? 2 * cap : b->len + n;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	if (n != 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
buf_put_le(writer_buf *b, uint64_t v, unsigned n)
{
	uint8_t bytes[8];
	unsigned i;

	for (i = 0; i < n; i++)
		bytes[i] = (uint8_t)(v >> (8 * i));
	buf_put(b, bytes, n);
}

static void
buf_put_str(writer_buf *b, const char *s, uint64_t len)
{
	buf_put_le(b, len, 8);
	buf_put(b, s, (size_t)len);
}

/* A value's payload (without its type field; arrays carry their own). */
static void
buf_put_value(writer_buf *b, const gguf_value *v)
{
	union { float f; uint32_t u; } f32;
	union { double f; uint64_t u; } f64;
	uint64_t i;

	switch (v->type) {
	case GGUF_UINT8: case GGUF_INT8: buf_put_le(b, v->v.u, 1); break;
	case GGUF_UINT16: case GGUF_INT16: buf_put_le(b, v->v.u, 2); break;
	case GGUF_UINT32: case GGUF_INT32: buf_put_le(b, v->v.u, 4); break;
	case GGUF_UINT64: case GGUF_INT64: buf_put_le(b, v->v.u, 8); break;
	case GGUF_BOOL: buf_put_le(b, v->v.b ? 1 : 0, 1); break;
	case GGUF_FLOAT32:
		f32.f = (float)v->v.f;
		buf_put_le(b, f32.u, 4);
		break;
	case GGUF_FLOAT64:
		f64.f = v->v.f;
		buf_put_le(b, f64.u, 8);
		break;
	case GGUF_STRING:
		buf_put_str(b, v->v.str.ptr, v->v.str.len);
		break;
	case GGUF_ARRAY:
		buf_put_le(b, v->v.arr.elem_type, 4);
		buf_put_le(b, v->v.arr.count, 8);
		for (i = 0; i < v->v.arr.count; i++)
			buf_put_value(b, &v->v.arr.items[i]);
		break;
	default:
		break;
	}
}

static uint64_t
writer_align(uint64_t x, uint32_t a)
{
	return x + (a - x % a) % a;
}

/* Build the header (up to the data section, padding included) into b and
 * the tensors' data offsets into offs (n_t entries). *total gets the file
 * size, kept within off_t. */
static int
writer_header(const gguf_writer *w, writer_buf *b, uint64_t *offs, uint64_t *total, errmsg *err)
{
	bool auto_align = w->alignment != GGUF_DEFAULT_ALIGNMENT;
	uint64_t off = 0;
	size_t i;
	uint32_t d;

	for (i = 0; i < w->n_kv; i++)
		if (strcmp(w->kv[i].key, "general.alignment") == 0)
			auto_align = false;
	memset(b, 0, sizeof *b);
	buf_put_le(b, GGUF_MAGIC, 4);
	buf_put_le(b, 3, 4);
	buf_put_le(b, w->n_t, 8);
	buf_put_le(b, w->n_kv + (auto_align ? 1 : 0), 8);
	if (auto_align) {
		buf_put_str(b, "general.alignment", 17);
		buf_put_le(b, GGUF_UINT32, 4);
		buf_put_le(b, w->alignment, 4);
	}
	for (i = 0; i < w->n_kv; i++) {
		buf_put_str(b, w->kv[i].key, strlen(w->kv[i].key));
		buf_put_le(b, w->kv[i].value.type, 4);
		buf_put_value(b, &w->kv[i].value);
	}
	for (i = 0; i < w->n_t; i++) {
		const writer_tensor *t = &w->t[i];

		off = writer_align(off, w->alignment);
		offs[i] = off;
		if (t->n_bytes > (uint64_t)INT64_MAX / 2 - off) {
			free(b->p);
			errmsg_set(err, "tensor \"%s\": the data section would exceed 2^62 bytes", t->name);
			return -1;
		}
		off += t->n_bytes;
		buf_put_str(b, t->name, strlen(t->name));
		buf_put_le(b, t->n_dims, 4);
		for (d = 0; d < t->n_dims; d++)
			buf_put_le(b, t->ne[d], 8);
		buf_put_le(b, t->type, 4);
		buf_put_le(b, offs[i], 8);
	}
	/* Like ggml, no padding when there is no data section: a file with a
	 * large alignment and no tensors stays small. */
	while (w->n_t > 0 && b->len % w->alignment != 0)
		buf_put_le(b, 0, 1);
	*total = b->len + writer_align(off, w->alignment);
	return 0;
}

int
gguf_writer_write_mem(const gguf_writer *w, uint8_t **buf, size_t *len, errmsg *err)
{
	uint64_t *offs = xmalloc((w->n_t != 0 ? w->n_t : 1) * sizeof *offs);
	writer_buf b;
	uint64_t total;
	size_t i, data_start;

	if (writer_header(w, &b, offs, &total, err) != 0) {
		free(offs);
		return -1;
	}
	if (total > SIZE_MAX) {
		free(offs);
		free(b.p);
		errmsg_set(err, "the file (%" PRIu64 " bytes) does not fit in memory", total);
		return -1;
	}
	data_start = b.len;
	b.p = xrealloc(b.p, (size_t)total != 0 ? (size_t)total : 1);
	memset(b.p + data_start, 0, (size_t)total - data_start);
	for (i = 0; i < w->n_t; i++)
		if (w->t[i].data != NULL)
			memcpy(b.p + data_start + offs[i], w->t[i].data, (size_t)w->t[i].n_bytes);
	free(offs);
	*buf = b.p;
	*len = (size_t)total;
	return 0;
}

/* write(2) all of p at the file position, retrying short writes. */
static int
writer_write_all(int fd, const void *p, uint64_t n)
{
	const uint8_t *q = p;

	while (n > 0) {
		size_t chunk = n > (1u << 30) ? (1u << 30) : (size_t)n;
		ssize_t r = write(fd, q, chunk);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = EIO;
		if (r <= 0)
			return -1;
		q += r;
		n -= (uint64_t)r;
	}
	return 0;
}

/* Create a new temporary file next to path (mode 0666 less the umask, like
 * the target would get). Returns the fd and the malloc'd name. */
static int
writer_create_temp(const char *path, char **tmp_out)
{
	unsigned attempt;

	for (attempt = 0; attempt < 100; attempt++) {
		char *tmp = xasprintf("%s.tmp.%ld.%u", path, (long)getpid(), attempt);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);

		if (fd >= 0) {
			*tmp_out = tmp;
			return fd;
		}
		free(tmp);
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

/* fsync the directory holding path so the rename itself is durable. */
static void
writer_sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int
gguf_writer_write_file(const gguf_writer *w, const char *path, errmsg *err)
{
	uint64_t *offs = xmalloc((w->n_t != 0 ? w->n_t : 1) * sizeof *offs);
	writer_buf b;
	uint64_t total, pos;
	char *tmp = NULL;
	const char *what;
	size_t i;
	int fd;

	if (writer_header(w, &b, offs, &total, err) != 0) {
		free(offs);
		return -1;
	}
	fd = writer_create_temp(path, &tmp);
	if (fd < 0) {
		errmsg_errno(err, errno, "%s: cannot create a temporary file next to it", path);
		free(offs);
		free(b.p);
		return -1;
	}
	what = "write";
	if (writer_write_all(fd, b.p, b.len) != 0)
		goto fail;
	pos = b.len;
	for (i = 0; i < w->n_t; i++) {
		const writer_tensor *t = &w->t[i];
		uint64_t at = b.len + offs[i];

		if (t->data == NULL)
			continue; /* a hole; ftruncate below sets the size */
		/* Padding and skipped zero tensors are left unwritten: they read
		 * back as zeros once ftruncate has set the size. */
		what = "lseek";
		if (at != pos && lseek(fd, (off_t)at, SEEK_SET) < 0)
			goto fail;
		pos = at;
		what = "write";
		if (writer_write_all(fd, t->data, t->n_bytes) != 0)
			goto fail;
		pos += t->n_bytes;
	}
	what = "ftruncate";
	if (ftruncate(fd, (off_t)total) != 0)
		goto fail;
	what = "fsync";
	if (fsync(fd) != 0)
		goto fail;
	what = "close";
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	what = "rename";
	if (rename(tmp, path) != 0)
		goto fail;
	writer_sync_dir(path);
	free(offs);
	free(tmp);
	free(b.p);
	return 0;

fail:
	errmsg_errno(err, errno, "%s: %s of the temporary file %s", path, what, tmp);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(offs);
	free(tmp);
	free(b.p);
	return -1;
}
