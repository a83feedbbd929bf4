/* jit_build: what one build is made of, and the NVRTC call that makes it
 * (part of the jit module, internal to src/jit*.c and their tests).
 *
 * A build's inputs are the kernel source with the headers it includes, and
 * the NVRTC options. From them come two hashes: the cache key, which
 * changes with anything the image depends on, and the id, which names
 * "this variant, warps, arch and options" across edits of the sources, so
 * that a failed edit can fall back to the last good build of that id. */
#ifndef GGSCOPE_JIT_BUILD_H
#define GGSCOPE_JIT_BUILD_H

#include <stdbool.h>
#include <stddef.h>

#include "errmsg.h"
#include "jit_cache.h"

#define JIT_MAX_SOURCES 16 /* main file plus headers */

/* The main source and the headers it pulls in with #include "...".
 * names[0] and texts[0] are the main file. */
typedef struct jit_build_sources {
	int n;
	char *names[JIT_MAX_SOURCES];
	char *texts[JIT_MAX_SOURCES];
	size_t lens[JIT_MAX_SOURCES];
} jit_build_sources;

/* Load dir/file and, transitively, every header it names with a line
 * `#include "name"`. Headers must sit in the kernel directory itself: a
 * name with a '/' or a leading '.' is refused. <...> includes are left to
 * NVRTC (which has no include path and reports them). Returns 0, or -1
 * with the file (and the including line) in err; *s is then empty. */
int jit_build_sources_load(const char *dir, const char *file, jit_build_sources *s, errmsg *err);

/* Free what jit_build_sources_load read; *s is empty afterwards. */
void jit_build_sources_free(jit_build_sources *s);

/* key: everything the build depends on (NVRTC version, arch, entry, every
 * option, every source name and text). id: the same without the header
 * names and the source contents. Both are hex SHA-256. */
void jit_build_keys(const jit_build_sources *s, const char *const *opts, int nopts, int nv_major,
		    int nv_minor, const char *arch, const char *entry, char key[65], char id[65]);

/* Compile s with opts to a CUBIN (want_cubin) or to PTX. On success returns
 * 0 and fills *e (image and log xmalloc'd; target left for the caller). On
 * failure returns -1 with NVRTC's first error line in err, and its whole
 * log in *fail_log (xmalloc'd) when there is one, else NULL. Without NVRTC
 * it always fails with "NVRTC not available". */
int jit_build_nvrtc(const jit_build_sources *s, const char *const *opts, int nopts, bool want_cubin,
		    jit_entry *e, char **fail_log, errmsg *err);

#endif
