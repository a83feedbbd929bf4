/* gguf: open, validate and index a GGUF file (see gguf.h).
 *
 * Only the header is read at open: the metadata pairs, the tensor infos and
 * the tensors' extents. Tensor data is never touched, so the cost does not
 * depend on the file's size (bench/gguf_open measures it). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gguf_internal.h"
#include "quant.h"
#include "xalloc.h"

/* Smallest encodings, used to refuse counts the file cannot hold before
 * allocating for them: a KV is a key length, a type and a 1-byte value; a
 * tensor info is a name length, a 1-byte name, n_dims, one ne, type, offset. */
#define KV_MIN_BYTES 13u
#define TENSOR_MIN_BYTES 33u
#define HEADER_BYTES 24u

enum gguf_backing { BACK_BORROWED, BACK_MMAP, BACK_OWNED };

/* Open-addressing hash table of indices (index + 1; 0 = empty slot). */
typedef struct gguf_index {
	size_t *slots;
	size_t mask;
	uint64_t seed;
} gguf_index;

struct gguf_file {
	char *name;
	const uint8_t *base;
	uint64_t size;
	enum gguf_backing backing;
	void *backing_ptr;     /* what munmap/free release */
	size_t backing_len;

	uint32_t version;
	uint32_t alignment;
	uint64_t data_offset;

	size_t n_kv;
	gguf_kv *kv;
	gguf_index kv_index;

	size_t n_tensors;
	gguf_tensor *tensors;
	gguf_index tensor_index;
};

/* Seeded FNV-1a with a 64-bit finalizer. The seed is random per file: a
 * hostile file cannot line up thousands of names on one probe chain
 * (unseeded FNV's low bits collide by brute force), so lookups and the
 * duplicate checks at open stay O(1) on average whatever the input. */
static uint64_t
gguf_hash(uint64_t seed, const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/* A seed from the clock and the address space layout (not cryptographic;
 * it only has to be unknown to whoever wrote the file). */
static uint64_t
gguf_hash_seed(const void *salt)
{
	static unsigned long counter;
	struct timespec ts;
	uint64_t x;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)salt ^
		((uint64_t)(uintptr_t)&counter << 16) ^ (uint64_t)++counter * 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void
gguf_index_init(gguf_index *ix, size_t n)
{
	size_t cap = 8;

	while (cap < 2 * n)
		cap *= 2;
	ix->slots = xcalloc(cap, sizeof *ix->slots);
	ix->mask = cap - 1;
	ix->seed = gguf_hash_seed(ix);
}

/* Find `name` among the indexed entries; `name_of` maps an index to its
 * string. Returns the entry index, or SIZE_MAX; *slot_out gets the slot
 * where it is or would go. */
static size_t
gguf_index_find(const gguf_index *ix, const char *name, size_t len,
	const char *(*name_of)(const gguf_file *, size_t), const gguf_file *f, size_t *slot_out)
{
	size_t s;

	if (ix->slots == NULL)
		return SIZE_MAX;
	for (s = (size_t)gguf_hash(ix->seed, name, len) & ix->mask; ix->slots[s] != 0; s = (s + 1) & ix->mask) {
		const char *other = name_of(f, ix->slots[s] - 1);

		if (strncmp(other, name, len) == 0 && other[len] == '\0')
			break;
	}
	if (slot_out != NULL)
		*slot_out = s;
	return ix->slots[s] != 0 ? ix->slots[s] - 1 : SIZE_MAX;
}

static const char *
gguf_kv_name(const gguf_file *f, size_t i)
{
	return f->kv[i].key;
}

static const char *
gguf_tensor_name(const gguf_file *f, size_t i)
{
	return f->tensors[i].name;
}

/* "GGUF version" check, detecting byte-swapped (big-endian) files. */
static bool
gguf_check_version(gguf_parser *p, uint32_t version)
{
	uint32_t swapped = ((version & 0xffu) << 24) | ((version & 0xff00u) << 8) |
		((version >> 8) & 0xff00u) | (version >> 24);

	if (version == 2 || version == 3)
		return true;
	if (version == 1)
		return gguf_fail(p, 4, "version",
			"GGUF version 1 is not supported (it used 32-bit counts; only versions 2 and 3 are read)");
	if (swapped >= 1 && swapped <= 3)
		return gguf_fail(p, 4, "version",
			"big-endian GGUF is not supported (version reads as 0x%08" PRIx32 ", byte-swapped %" PRIu32 ")",
			version, swapped);
	return gguf_fail(p, 4, "version", "GGUF version %" PRIu32 " is not supported (only 2 and 3)", version);
}

/* Does the key or name contain a NUL? Such a name cannot be looked up. */
static bool
gguf_has_nul(const gguf_str *s)
{
	return s->len != 0 && memchr(s->ptr, '\0', (size_t)s->len) != NULL;
}

static bool
gguf_parse_kvs(gguf_parser *p, gguf_file *f, size_t total)
{
	size_t i, slot, other;

	gguf_index_init(&f->kv_index, total);
	for (i = 0; i < total; i++) {
		gguf_kv *kv = &f->kv[i];
		gguf_str key;
		uint64_t type_off;
		uint32_t type;

		p->rec_kind = "kv";
		p->rec_index = i;
		p->rec_name = NULL;
		kv->offset = p->pos;
		if (!gguf_read_str(p, "key", &key))
			return false;
		if (gguf_has_nul(&key))
			return gguf_fail(p, kv->offset, "key", "the key contains a NUL byte");
		kv->key = xstrndup(key.ptr, (size_t)key.len);
		f->n_kv = i + 1; /* from here on close() frees this entry */
		f->kv[i].value.type = GGUF_UINT8;
		p->rec_name = kv->key;
		p->rec_name_len = key.len;
		other = gguf_index_find(&f->kv_index, key.ptr, (size_t)key.len, gguf_kv_name, f, &slot);
		if (other != SIZE_MAX)
			return gguf_fail(p, kv->offset, "key",
				"duplicate key (first defined by kv[%zu] at byte %" PRIu64 ")",
				other, f->kv[other].offset);
		f->kv_index.slots[slot] = i + 1;
		type_off = p->pos;
		if (!gguf_read_u32(p, "value type", &type))
			return false;
		if (!gguf_parse_value(p, type, type_off, &kv->value))
			return false;
	}
	return true;
}

/* general.alignment: optional, a uint32 nonzero power of two. */
static bool
gguf_parse_alignment(gguf_parser *p, gguf_file *f)
{
	size_t i = gguf_index_find(&f->kv_index, "general.alignment", 17, gguf_kv_name, f, NULL);
	const gguf_kv *kv;

	f->alignment = GGUF_DEFAULT_ALIGNMENT;
	if (i == SIZE_MAX)
		return true;
	kv = &f->kv[i];
	p->rec_kind = "kv";
	p->rec_index = i;
	p->rec_name = kv->key;
	p->rec_name_len = strlen(kv->key);
	if (kv->value.type != GGUF_UINT32)
		return gguf_fail(p, kv->offset, "value type",
			"general.alignment must be a uint32, not %s", gguf_vtype_name(kv->value.type));
	if (kv->value.v.u == 0 || (kv->value.v.u & (kv->value.v.u - 1)) != 0)
		return gguf_fail(p, kv->offset, "value",
			"general.alignment %" PRIu64 " is not a nonzero power of two", kv->value.v.u);
	f->alignment = (uint32_t)kv->value.v.u;
	return true;
}

/* File offset of a tensor info's `offset` field (for messages). */
static uint64_t
gguf_offset_field_pos(const gguf_tensor *t)
{
	return t->info_offset + 8 + strlen(t->name) + 4 + 8 * (uint64_t)t->n_dims + 4;
}

/* Shape, type and size of one tensor info, read at the cursor. */
static bool
gguf_parse_shape(gguf_parser *p, gguf_tensor *t)
{
	uint64_t ne_off, type_off, row_bytes, rows = 1, elems;
	const quant_info *qi;
	uint32_t d;

	if (!gguf_read_u32(p, "n_dims", &t->n_dims))
		return false;
	if (t->n_dims == 0 || t->n_dims > GGUF_MAX_DIMS)
		return gguf_fail(p, p->pos - 4, "n_dims", "%" PRIu32 " is out of range 1..%d",
			t->n_dims, GGUF_MAX_DIMS);
	ne_off = p->pos;
	for (d = 0; d < GGUF_MAX_DIMS; d++) {
		static const char *const fields[GGUF_MAX_DIMS] = { "ne[0]", "ne[1]", "ne[2]", "ne[3]" };

		t->ne[d] = 1;
		if (d >= t->n_dims)
			continue;
		if (!gguf_read_u64(p, fields[d], &t->ne[d]))
			return false;
		if (t->ne[d] == 0)
			return gguf_fail(p, p->pos - 8, fields[d], "dimension is 0");
	}
	type_off = p->pos;
	if (!gguf_read_u32(p, "type", &t->type))
		return false;
	qi = quant_type_info(t->type);
	if (qi == NULL)
		return gguf_fail(p, type_off, "type", "ggml type %" PRIu32 " is unknown%s", t->type,
			t->type < QT_COUNT ? " (a retired id)" : "");
	if (!gguf_read_u64(p, "offset", &t->offset))
		return false;

	/* ggml keeps element counts in int64_t. */
	elems = t->ne[0];
	for (d = 1; d < t->n_dims; d++) {
		if (t->ne[d] > (uint64_t)INT64_MAX / elems)
			return gguf_fail(p, ne_off, "ne",
				"element count overflows (%" PRIu64 " x %" PRIu64 " x ... exceeds 2^63-1)",
				elems, t->ne[d]);
		elems *= t->ne[d];
		rows *= t->ne[d];
	}
	if (elems > (uint64_t)INT64_MAX)
		return gguf_fail(p, ne_off, "ne", "element count %" PRIu64 " exceeds 2^63-1", elems);
	if (t->ne[0] % qi->block_elems != 0)
		return gguf_fail(p, ne_off, "ne[0]",
			"row length %" PRIu64 " is not a multiple of %s's block size %" PRIu32,
			t->ne[0], qi->name, qi->block_elems);
	if (!quant_row_bytes(t->type, t->ne[0], &row_bytes) || rows > UINT64_MAX / row_bytes)
		return gguf_fail(p, ne_off, "ne", "the tensor's size in bytes overflows 64 bits");
	t->n_elems = elems;
	t->n_bytes = row_bytes * rows;
	return true;
}

static bool
gguf_parse_tensor_infos(gguf_parser *p, gguf_file *f)
{
	size_t i, slot, other;

	gguf_index_init(&f->tensor_index, f->n_tensors);
	for (i = 0; i < f->n_tensors; i++) {
		gguf_tensor *t = &f->tensors[i];
		gguf_str name;

		p->rec_kind = "tensor";
		p->rec_index = i;
		p->rec_name = NULL;
		t->info_offset = p->pos;
		if (!gguf_read_str(p, "name", &name))
			return false;
		if (name.len == 0)
			return gguf_fail(p, t->info_offset, "name", "the tensor name is empty");
		if (name.len > GGUF_NAME_MAX) {
			p->rec_name = name.ptr;
			p->rec_name_len = name.len;
			return gguf_fail(p, t->info_offset, "name",
				"%" PRIu64 " bytes, longer than ggml's limit of %d", name.len, GGUF_NAME_MAX);
		}
		if (gguf_has_nul(&name))
			return gguf_fail(p, t->info_offset, "name", "the tensor name contains a NUL byte");
		memcpy(t->name, name.ptr, (size_t)name.len);
		t->name[name.len] = '\0';
		p->rec_name = t->name;
		p->rec_name_len = name.len;
		other = gguf_index_find(&f->tensor_index, t->name, (size_t)name.len, gguf_tensor_name, f, &slot);
		if (other != SIZE_MAX)
			return gguf_fail(p, t->info_offset, "name",
				"duplicate tensor name (first defined by tensor[%zu] at byte %" PRIu64 ")",
				other, f->tensors[other].info_offset);
		f->tensor_index.slots[slot] = i + 1;
		if (!gguf_parse_shape(p, t))
			return false;
		if (t->offset % f->alignment != 0)
			return gguf_fail(p, gguf_offset_field_pos(t), "offset",
				"%" PRIu64 " is not a multiple of the alignment %" PRIu32, t->offset, f->alignment);
	}
	return true;
}

struct gguf_extent {
	uint64_t start, end;
	size_t index;
};

static int
gguf_extent_cmp(const void *a, const void *b)
{
	const struct gguf_extent *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static void
gguf_set_tensor_context(gguf_parser *p, const gguf_file *f, size_t i)
{
	p->rec_kind = "tensor";
	p->rec_index = i;
	p->rec_name = f->tensors[i].name;
	p->rec_name_len = strlen(f->tensors[i].name);
}

/* Every tensor's data lies inside the file, and no two overlap. */
static bool
gguf_check_extents(gguf_parser *p, gguf_file *f)
{
	uint64_t room = f->data_offset <= f->size ? f->size - f->data_offset : 0;
	struct gguf_extent *ext;
	size_t i;

	for (i = 0; i < f->n_tensors; i++) {
		gguf_tensor *t = &f->tensors[i];

		if (f->data_offset > f->size || t->offset > room || t->n_bytes > room - t->offset) {
			gguf_set_tensor_context(p, f, i);
			return gguf_fail(p, gguf_offset_field_pos(t), "offset",
				"data at %" PRIu64 "+%" PRIu64 " (%" PRIu64 " bytes) lies outside the file (data section starts at byte %" PRIu64 ", file is %" PRIu64 " bytes)",
				f->data_offset, t->offset, t->n_bytes, f->data_offset, f->size);
		}
		t->data = f->base + f->data_offset + t->offset;
	}
	if (f->n_tensors < 2)
		return true;
	ext = xmalloc(f->n_tensors * sizeof *ext);
	for (i = 0; i < f->n_tensors; i++) {
		ext[i].start = f->tensors[i].offset;
		ext[i].end = f->tensors[i].offset + f->tensors[i].n_bytes;
		ext[i].index = i;
	}
	qsort(ext, f->n_tensors, sizeof *ext, gguf_extent_cmp);
	for (i = 1; i < f->n_tensors; i++) {
		if (ext[i].start < ext[i - 1].end) {
			const gguf_tensor *a = &f->tensors[ext[i - 1].index];
			size_t b = ext[i].index;
			char esc[300];
			bool ok;

			gguf_escape(esc, sizeof esc, a->name, strlen(a->name), 64);
			gguf_set_tensor_context(p, f, b);
			ok = gguf_fail(p, gguf_offset_field_pos(&f->tensors[b]), "offset",
				"data [%" PRIu64 ", %" PRIu64 ") overlaps tensor[%zu] \"%s\" [%" PRIu64 ", %" PRIu64 ")",
				ext[i].start, ext[i].end, ext[i - 1].index, esc, ext[i - 1].start, ext[i - 1].end);
			free(ext);
			return ok;
		}
	}
	free(ext);
	return true;
}

/* Parse the whole header of f (base and size set). */
static bool
gguf_parse(gguf_file *f, errmsg *err)
{
	gguf_parser p;
	uint32_t magic;
	uint64_t n_tensors, n_kv, left;

	memset(&p, 0, sizeof p);
	p.base = f->base;
	p.size = f->size;
	p.name = f->name;
	p.err = err;

	if (!gguf_read_u32(&p, "magic", &magic))
		return false;
	if (magic != GGUF_MAGIC) {
		char esc[64];

		gguf_escape(esc, sizeof esc, (const char *)f->base, 4, 4);
		return gguf_fail(&p, 0, "magic", "\"%s\" is not \"GGUF\": not a GGUF file", esc);
	}
	if (!gguf_read_u32(&p, "version", &f->version) || !gguf_check_version(&p, f->version))
		return false;
	if (!gguf_read_u64(&p, "tensor_count", &n_tensors) || !gguf_read_u64(&p, "kv_count", &n_kv))
		return false;
	left = f->size - HEADER_BYTES;
	if (n_tensors > left / TENSOR_MIN_BYTES)
		return gguf_fail(&p, 8, "tensor_count",
			"%" PRIu64 " tensor infos cannot fit in the %" PRIu64 " bytes after the header (each takes at least %u)",
			n_tensors, left, TENSOR_MIN_BYTES);
	if (n_kv > left / KV_MIN_BYTES)
		return gguf_fail(&p, 16, "kv_count",
			"%" PRIu64 " metadata pairs cannot fit in the %" PRIu64 " bytes after the header (each takes at least %u)",
			n_kv, left, KV_MIN_BYTES);

	f->kv = xcalloc(n_kv != 0 ? (size_t)n_kv : 1, sizeof *f->kv);
	if (!gguf_parse_kvs(&p, f, (size_t)n_kv) || !gguf_parse_alignment(&p, f))
		return false;

	f->tensors = xcalloc(n_tensors != 0 ? (size_t)n_tensors : 1, sizeof *f->tensors);
	f->n_tensors = (size_t)n_tensors;
	if (!gguf_parse_tensor_infos(&p, f))
		return false;
	/* With no tensors a file may end before the padding (ggml writes none). */
	f->data_offset = p.pos + (f->alignment - p.pos % f->alignment) % f->alignment;
	return gguf_check_extents(&p, f);
}

/* Parse f; on failure free everything (the backing included). */
static gguf_file *
gguf_finish_open(gguf_file *f, errmsg *err)
{
	if (!gguf_parse(f, err)) {
		gguf_close(f);
		return NULL;
	}
	return f;
}

static gguf_file *
gguf_new(const void *buf, size_t len, const char *name)
{
	gguf_file *f = xcalloc(1, sizeof *f);

	f->name = xstrdup(name != NULL ? name : "<memory>");
	f->base = buf;
	f->size = len;
	return f;
}

gguf_file *
gguf_open_mem(const void *buf, size_t len, const char *name, errmsg *err)
{
	static const uint8_t empty[1];

	return gguf_finish_open(gguf_new(buf != NULL ? buf : empty, buf != NULL ? len : 0, name), err);
}

gguf_file *
gguf_open_owned(void *buf, size_t len, const char *name, errmsg *err)
{
	static const uint8_t empty[1];
	gguf_file *f = gguf_new(buf != NULL ? buf : empty, buf != NULL ? len : 0, name);

	f->backing = BACK_OWNED;
	f->backing_ptr = buf;
	return gguf_finish_open(f, err);
}

gguf_file *
gguf_open(const char *path, errmsg *err)
{
	static const uint8_t empty[1];
	struct stat st;
	gguf_file *f;
	void *map;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errmsg_errno(err, errno, "%s", path);
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		errmsg_errno(err, errno, "%s", path);
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		errmsg_set(err, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size > SIZE_MAX) {
		errmsg_set(err, "%s: file too large to map", path);
		close(fd);
		return NULL;
	}
	if (st.st_size == 0) {
		close(fd);
		return gguf_finish_open(gguf_new(empty, 0, path), err);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		errmsg_errno(err, errno, "%s: mmap", path);
		return NULL;
	}
	f = gguf_new(map, (size_t)st.st_size, path);
	f->backing = BACK_MMAP;
	f->backing_ptr = map;
	f->backing_len = (size_t)st.st_size;
	return gguf_finish_open(f, err);
}

void
gguf_close(gguf_file *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n_kv && f->kv != NULL; i++) {
		free(f->kv[i].key);
		gguf_value_free_items(&f->kv[i].value);
	}
	free(f->kv);
	free(f->kv_index.slots);
	free(f->tensors);
	free(f->tensor_index.slots);
	if (f->backing == BACK_MMAP)
		munmap(f->backing_ptr, f->backing_len);
	else if (f->backing == BACK_OWNED)
		free(f->backing_ptr);
	free(f->name);
	free(f);
}

const char *gguf_name(const gguf_file *f) { return f->name; }
uint32_t gguf_version(const gguf_file *f) { return f->version; }
uint32_t gguf_alignment(const gguf_file *f) { return f->alignment; }
uint64_t gguf_size(const gguf_file *f) { return f->size; }
uint64_t gguf_data_offset(const gguf_file *f) { return f->data_offset; }
size_t gguf_kv_count(const gguf_file *f) { return f->n_kv; }
size_t gguf_tensor_count(const gguf_file *f) { return f->n_tensors; }

const gguf_kv *
gguf_kv_at(const gguf_file *f, size_t i)
{
	return i < f->n_kv ? &f->kv[i] : NULL;
}

const gguf_tensor *
gguf_tensor_at(const gguf_file *f, size_t i)
{
	return i < f->n_tensors ? &f->tensors[i] : NULL;
}

const gguf_kv *
gguf_find_kv(const gguf_file *f, const char *key)
{
	size_t i = gguf_index_find(&f->kv_index, key, strlen(key), gguf_kv_name, f, NULL);

	return i != SIZE_MAX ? &f->kv[i] : NULL;
}

const gguf_tensor *
gguf_find_tensor(const gguf_file *f, const char *name)
{
	size_t i = gguf_index_find(&f->tensor_index, name, strlen(name), gguf_tensor_name, f, NULL);

	return i != SIZE_MAX ? &f->tensors[i] : NULL;
}

bool
gguf_get_u64(const gguf_file *f, const char *key, uint64_t *out)
{
	const gguf_kv *kv = gguf_find_kv(f, key);

	if (kv == NULL)
		return false;
	switch (kv->value.type) {
	case GGUF_UINT8: case GGUF_UINT16: case GGUF_UINT32: case GGUF_UINT64:
		*out = kv->value.v.u;
		return true;
	case GGUF_INT8: case GGUF_INT16: case GGUF_INT32: case GGUF_INT64:
		if (kv->value.v.i < 0)
			return false;
		*out = (uint64_t)kv->value.v.i;
		return true;
	default:
		return false;
	}
}

bool
gguf_get_str(const gguf_file *f, const char *key, gguf_str *out)
{
	const gguf_kv *kv = gguf_find_kv(f, key);

	if (kv == NULL || kv->value.type != GGUF_STRING)
		return false;
	*out = kv->value.v.str;
	return true;
}
