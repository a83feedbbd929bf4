/* jit_cache: SHA-256, cache entries on disk, file reading (see jit_cache.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jit_cache.h"
#include "xalloc.h"

/* ------------------------------------------------------------ SHA-256 (FIPS 180-4) */

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t
rotr(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void
sha_block(jit_sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       (uint32_t)p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
	e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (i = 0; i < 64; i++) {
		uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
		uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g, g = f, f = e, e = d + t1;
		d = c, c = b, b = a, a = t1 + t2;
	}
	s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
	s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

void
jit_sha256_init(jit_sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, iv, sizeof iv);
	s->bytes = 0;
	s->used = 0;
}

void
jit_sha256_update(jit_sha256 *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	s->bytes += len;
	while (len > 0) {
		size_t take = 64 - s->used < len ? 64 - s->used : len;
		memcpy(s->buf + s->used, p, take);
		s->used += take;
		p += take;
		len -= take;
		if (s->used == 64) {
			sha_block(s, s->buf);
			s->used = 0;
		}
	}
}

void
jit_sha256_final(jit_sha256 *s, unsigned char out[32])
{
	const uint64_t bits = s->bytes * 8;
	unsigned char pad = 0x80, len[8];
	int i;

	jit_sha256_update(s, &pad, 1);
	pad = 0;
	while (s->used != 56)
		jit_sha256_update(s, &pad, 1);
	for (i = 0; i < 8; i++)
		len[i] = (unsigned char)(bits >> (56 - 8 * i));
	jit_sha256_update(s, len, 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

void
jit_sha256_hex(const unsigned char digest[32], char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
}

/* ------------------------------------------------------------ files */

int
jit_read_file(const char *path, size_t max, char **data, size_t *len, errmsg *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t used = 0, cap = 0, got;

	if (f == NULL) {
		errmsg_errno(err, errno, "%s", path);
		return -1;
	}
	for (;;) {
		if (cap - used < 4096) {
			cap = cap ? cap * 2 : 16384;
			buf = xrealloc(buf, cap + 1);
		}
		got = fread(buf + used, 1, cap - used, f);
		used += got;
		if (used > max) {
			errmsg_set(err, "%s: larger than %zu bytes", path, max);
			goto fail;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		errmsg_errno(err, errno ? errno : EIO, "%s: read", path);
		goto fail;
	}
	fclose(f);
	buf[used] = '\0';
	*data = buf;
	*len = used;
	return 0;
fail:
	fclose(f);
	free(buf);
	return -1;
}

int
jit_cache_mkdirs(const char *path, errmsg *err)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		const char keep = *s;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			errmsg_errno(err, errno, "mkdir %s", p);
			rc = -1;
			break;
		}
		*s = keep;
		if (keep == '\0')
			break;
	}
	if (rc == 0) {
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
			errmsg_set(err, "%s: not a directory", path);
			rc = -1;
		}
	}
	free(p);
	return rc;
}

char *
jit_cache_default_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	/* The XDG spec says relative values are invalid and must be ignored. */
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/ggscope/jit", xdg);
	if (home != NULL && home[0] == '/')
		return xasprintf("%s/.cache/ggscope/jit", home);
	return NULL;
}

char *
jit_cache_entry_path(const char *dir, const char *key)
{
	return xasprintf("%s/%s.ggjit", dir, key);
}

/* Write len bytes to a fresh temporary file next to `path`, then rename it
 * over `path`, so readers see the old file or the whole new one. */
static int
write_atomic(const char *path, const void *const *parts, const size_t *lens, int nparts, errmsg *err)
{
	static unsigned counter;
	char *tmp = xasprintf("%s.tmp.%ld.%u", path, (long)getpid(), __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600), i;

	if (fd < 0) {
		errmsg_errno(err, errno, "create %s", tmp);
		free(tmp);
		return -1;
	}
	for (i = 0; i < nparts; i++) {
		const char *p = parts[i];
		size_t left = lens[i];
		while (left > 0) {
			ssize_t w = write(fd, p, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				errmsg_errno(err, w < 0 ? errno : EIO, "write %s", tmp);
				goto fail;
			}
			p += w;
			left -= (size_t)w;
		}
	}
	if (fsync(fd) != 0) {
		errmsg_errno(err, errno, "fsync %s", tmp);
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		errmsg_errno(err, errno, "close %s", tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		errmsg_errno(err, errno, "rename %s to %s", tmp, path);
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

static const unsigned char entry_magic[8] = { 'G', 'G', 'S', 'J', 'I', 'T', 0, 1 };

static void
put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
get_u32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t
get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The checksum covers the header up to itself and the whole payload. */
static void
entry_checksum(const unsigned char *header, const void *image, size_t image_bytes, const void *log,
	       size_t log_bytes, unsigned char out[32])
{
	jit_sha256 s;

	jit_sha256_init(&s);
	jit_sha256_update(&s, header, 120);
	jit_sha256_update(&s, image, image_bytes);
	jit_sha256_update(&s, log, log_bytes);
	jit_sha256_final(&s, out);
}

int
jit_cache_write(const char *dir, const char *key, const jit_entry *e, errmsg *err)
{
	unsigned char h[JIT_CACHE_HEADER_BYTES];
	uint64_t ms_bits;
	char *path;
	int rc;

	memset(h, 0, sizeof h);
	memcpy(h, entry_magic, 8);
	memcpy(h + 8, key, 64);
	put_u32(h + 72, e->is_ptx ? 1u : 0u);
	memcpy(&ms_bits, &e->compile_ms, sizeof ms_bits);
	put_u64(h + 80, ms_bits);
	memcpy(h + 88, e->target, strnlen(e->target, 15)); /* NUL-padded by the memset */
	put_u64(h + 104, e->image_bytes);
	put_u64(h + 112, e->log_bytes);
	entry_checksum(h, e->image, e->image_bytes, e->log, e->log_bytes, h + 120);

	const void *parts[3] = { h, e->image, e->log };
	const size_t lens[3] = { sizeof h, e->image_bytes, e->log_bytes };
	path = jit_cache_entry_path(dir, key);
	rc = write_atomic(path, parts, lens, 3, err);
	free(path);
	return rc;
}

int
jit_cache_read(const char *dir, const char *key, jit_entry *e, errmsg *err)
{
	char *path = jit_cache_entry_path(dir, key), *data = NULL;
	const unsigned char *h;
	unsigned char sum[32];
	uint64_t image_bytes, log_bytes, ms_bits;
	size_t len;
	int rc = -1;

	memset(e, 0, sizeof *e);
	if (access(path, F_OK) != 0) {
		free(path);
		return 1;
	}
	if (jit_read_file(path, JIT_CACHE_MAX_FILE, &data, &len, err) < 0)
		goto out;
	h = (const unsigned char *)data;
	if (len < JIT_CACHE_HEADER_BYTES) {
		errmsg_set(err, "%s: truncated header (%zu of %d bytes)", path, len, JIT_CACHE_HEADER_BYTES);
		goto out;
	}
	if (memcmp(h, entry_magic, 8) != 0) {
		errmsg_set(err, "%s: bad magic at offset 0", path);
		goto out;
	}
	if (memcmp(h + 8, key, 64) != 0) {
		errmsg_set(err, "%s: key at offset 8 does not match the file name", path);
		goto out;
	}
	image_bytes = get_u64(h + 104);
	log_bytes = get_u64(h + 112);
	if (image_bytes > len || log_bytes > len || JIT_CACHE_HEADER_BYTES + image_bytes + log_bytes != len) {
		errmsg_set(err, "%s: header says %llu + %llu payload bytes, the file has %zu after the header",
			   path, (unsigned long long)image_bytes, (unsigned long long)log_bytes,
			   len - JIT_CACHE_HEADER_BYTES);
		goto out;
	}
	entry_checksum(h, data + JIT_CACHE_HEADER_BYTES, image_bytes,
		       data + JIT_CACHE_HEADER_BYTES + image_bytes, log_bytes, sum);
	if (memcmp(sum, h + 120, 32) != 0) {
		errmsg_set(err, "%s: checksum mismatch", path);
		goto out;
	}
	if (image_bytes == 0 || h[88 + 15] != '\0') {
		errmsg_set(err, "%s: empty image or unterminated target", path);
		goto out;
	}
	e->is_ptx = (get_u32(h + 72) & 1u) != 0;
	ms_bits = get_u64(h + 80);
	memcpy(&e->compile_ms, &ms_bits, sizeof e->compile_ms);
	memcpy(e->target, h + 88, 16);
	e->image_bytes = (size_t)image_bytes;
	e->image = xmalloc(e->image_bytes);
	memcpy(e->image, data + JIT_CACHE_HEADER_BYTES, e->image_bytes);
	e->log_bytes = (size_t)log_bytes;
	e->log = xmalloc(e->log_bytes + 1);
	memcpy(e->log, data + JIT_CACHE_HEADER_BYTES + image_bytes, e->log_bytes);
	e->log[e->log_bytes] = '\0';
	if (e->is_ptx && e->image[e->image_bytes - 1] != '\0') {
		jit_entry_clear(e);
		errmsg_set(err, "%s: PTX image is not NUL-terminated", path);
		goto out;
	}
	rc = 0;
out:
	free(data);
	free(path);
	return rc;
}

void
jit_entry_clear(jit_entry *e)
{
	free(e->image);
	free(e->log);
	memset(e, 0, sizeof *e);
}

int
jit_cache_write_pointer(const char *dir, const char *id, const char *key, errmsg *err)
{
	char *path = xasprintf("%s/%s.last", dir, id), line[66];
	int rc;

	memcpy(line, key, 64);
	line[64] = '\n';
	line[65] = '\0';
	const void *parts[1] = { line };
	const size_t lens[1] = { 65 };
	rc = write_atomic(path, parts, lens, 1, err);
	free(path);
	return rc;
}

int
jit_cache_read_pointer(const char *dir, const char *id, char key[65])
{
	char *path = xasprintf("%s/%s.last", dir, id), *data = NULL;
	size_t len, i;
	int rc = -1;

	if (jit_read_file(path, 4096, &data, &len, NULL) == 0 && len == 65 && data[64] == '\n') {
		for (i = 0; i < 64; i++)
			if (!((data[i] >= '0' && data[i] <= '9') || (data[i] >= 'a' && data[i] <= 'f')))
				break;
		if (i == 64) {
			memcpy(key, data, 64);
			key[64] = '\0';
			rc = 0;
		}
	}
	free(data);
	free(path);
	return rc;
}
