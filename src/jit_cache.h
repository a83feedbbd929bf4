/* jit_cache: the on-disk half of the jit module (internal to src/jit.c and
 * its tests): SHA-256, the cache entry format, atomic writes, and reading
 * whole files.
 *
 * Entry file <dir>/<key>.ggjit, little-endian, 152-byte header:
 *   0   magic "GGSJIT\0" + format version byte (1)
 *   8   key, 64 hex characters (the file name's key, checked on read)
 *   72  u32 flags (bit 0: the image is PTX)
 *   76  u32 reserved (0)
 *   80  f64 compile time, ms
 *   88  target, 16 bytes, NUL-padded ("sm_90", "compute_89")
 *   104 u64 image bytes
 *   112 u64 log bytes
 *   120 SHA-256 of header bytes 0..119 followed by the payload
 *   152 payload: image, then log
 * Pointer file <dir>/<id>.last: the key of the last good build of one
 * (variant, warps, arch, options), 64 hex characters and a newline. */
#ifndef GGSCOPE_JIT_CACHE_H
#define GGSCOPE_JIT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

#define JIT_CACHE_HEADER_BYTES 152
#define JIT_CACHE_MAX_FILE (256u << 20) /* refuse anything bigger */

typedef struct jit_sha256 {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char buf[64];
	size_t used;
} jit_sha256;

void jit_sha256_init(jit_sha256 *s);
void jit_sha256_update(jit_sha256 *s, const void *data, size_t len);
void jit_sha256_final(jit_sha256 *s, unsigned char out[32]);
/* Lowercase hex of a 32-byte digest into out[65]. */
void jit_sha256_hex(const unsigned char digest[32], char out[65]);

/* What an entry holds. image and log are owned by whoever filled it;
 * log is NUL-terminated (log_bytes excludes the NUL). */
typedef struct jit_entry {
	bool is_ptx;
	double compile_ms;
	char target[16];
	unsigned char *image;
	size_t image_bytes;
	char *log;
	size_t log_bytes;
} jit_entry;

/* Write the entry for key atomically (temporary file, fsync, rename).
 * Returns 0, or -1 with the failing step and path. */
int jit_cache_write(const char *dir, const char *key, const jit_entry *e, errmsg *err);

/* Read the entry for key into *e (image and log xmalloc'd; free with
 * jit_entry_clear). Returns 0 when found and intact, 1 when there is no
 * entry, -1 when the entry is corrupt or unreadable: err then says what is
 * wrong with it (short header, bad magic, key mismatch, length mismatch,
 * checksum mismatch). */
int jit_cache_read(const char *dir, const char *key, jit_entry *e, errmsg *err);

void jit_entry_clear(jit_entry *e);

/* The pointer file id -> key (see above). write: 0 or -1 with a message;
 * read: 0 when a well-formed key was read, -1 otherwise. */
int jit_cache_write_pointer(const char *dir, const char *id, const char *key, errmsg *err);
int jit_cache_read_pointer(const char *dir, const char *id, char key[65]);

/* The path of the entry for key (xmalloc'd). */
char *jit_cache_entry_path(const char *dir, const char *key);

/* mkdir -p with mode 0700 for the parts it creates. Returns 0 or -1 with
 * the path that failed. */
int jit_cache_mkdirs(const char *path, errmsg *err);

/* The default cache directory: $XDG_CACHE_HOME/ggscope/jit when that is an
 * absolute path, else $HOME/.cache/ggscope/jit. xmalloc'd, or NULL when
 * neither variable is usable. */
char *jit_cache_default_dir(void);

/* Read a whole file (at most max bytes) into *data, NUL-terminated,
 * xmalloc'd; *len excludes the NUL. Returns 0, or -1 with the path and the
 * error (also for a file larger than max). */
int jit_read_file(const char *path, size_t max, char **data, size_t *len, errmsg *err);

#endif
