/* jit: NVRTC builds of kernel variants, cached in memory and on disk.
 *
 * jit_get compiles (variant, warps, arch) from the kernel sources to a CUBIN
 * for that exact architecture, or, when the linked NVRTC does not know the
 * architecture, to PTX for the newest one it knows below it (the driver
 * JIT-compiles that PTX at load time). Each build keeps NVRTC's whole log,
 * the ptxas resource report parsed from it (registers, spills, shared
 * memory), and the compile time.
 *
 * Sources are read on every call, so an edited kernel is rebuilt the next
 * time it is asked for. The source (main file and every header it
 * includes with #include "..."), the options (jit_config's defines
 * included), the NVRTC version and the architecture make up a SHA-256 key. A build is looked up in memory, then
 * on disk ($XDG_CACHE_HOME/ggscope/jit, else ~/.cache/ggscope/jit), then
 * compiled. A disk entry carries a magic, its key, its payload length and a
 * SHA-256 checksum: a corrupt or truncated entry is reported and rebuilt,
 * never used. Entries are written to a temporary file and renamed.
 *
 * When a source fails to compile, jit_get reports NVRTC's first error line
 * and keeps the full log, and hands back the last good build of the same
 * (variant, warps, arch, options) marked stale, from memory or from disk,
 * so a broken edit does not take a working kernel away.
 *
 * Kernel directory: jit_config.kernels_dir, else $GGSCOPE_KERNELS_DIR, else
 * the installed GGSCOPE_PKGDATADIR/kernels if it exists, else the source
 * tree's GGSCOPE_SRCDIR/kernels.
 *
 * Thread safety: a jit may be shared between threads. The caches sit
 * behind an internal lock that is not held while NVRTC compiles, so builds
 * run in parallel and lookups never wait for a compile. Modules are
 * immutable and live until jit_free.
 *
 * Built without NVRTC (HAVE_NVRTC undefined), everything links and every
 * compile fails with "NVRTC not available". */
#ifndef GGSCOPE_JIT_H
#define GGSCOPE_JIT_H

#include <stdbool.h>
#include <stddef.h>

#include "errmsg.h"
#include "variant.h"

typedef struct jit jit;

#define JIT_MAX_DEFINES 8        /* jit_config.defines */
#define JIT_MAX_DEFINE_BYTES 128 /* one define's text, NUL included */

typedef struct jit_config {
	const char *kernels_dir; /* NULL: the search order above */
	const char *cache_dir;   /* NULL: $XDG_CACHE_HOME/ggscope/jit or ~/.cache/ggscope/jit */
	bool no_disk_cache;      /* keep builds in memory only */
	/* Preprocessor definitions for every build, "NAME=VALUE" or "NAME",
	 * passed as -DNAME=VALUE after -DWARPS so that a kernel's #define
	 * knobs can be tried without editing it. At most JIT_MAX_DEFINES, each
	 * as jit_check_define wants, no NAME twice; copied by jit_new. Being
	 * options, they enter the cache key and the last good build's id: a
	 * build with defines is never served for a request without them. */
	const char *const *defines;
	int n_defines;
} jit_config;

/* The ptxas resource report of one kernel (from `-Xptxas -v` output). */
typedef struct jit_resources {
	bool valid;             /* false for PTX builds: ptxas did not run */
	int registers;          /* per thread */
	int spill_store_bytes;
	int spill_load_bytes;
	int stack_bytes;        /* stack frame per thread */
	int smem_static_bytes;  /* static shared memory per block (dynamic is the launch's) */
	int cmem0_bytes;        /* constant bank 0 (kernel parameters), -1 when not reported */
	int barriers;           /* named barriers used, -1 when not reported */
} jit_resources;

typedef struct jit_module {
	const variant *variant;
	int warps;
	char arch[16];                /* requested: "sm_90" */
	char target[16];              /* built: "sm_90" (CUBIN) or "compute_89" (PTX fallback) */
	bool is_ptx;                  /* image is NUL-terminated PTX text, not a CUBIN */
	const unsigned char *image;   /* what cuModuleLoadData takes */
	size_t image_bytes;           /* CUBIN bytes, or PTX length including the NUL */
	const char *log;              /* NVRTC's full log, ptxas report included ("" if empty) */
	const char *options;          /* the compile options, space-separated */
	jit_resources res;
	double compile_ms;            /* wall time of the NVRTC compile that produced it */
	char key[65];                 /* cache key: hex SHA-256 */
} jit_module;

enum jit_origin {
	JIT_COMPILED, /* built by this call */
	JIT_MEMORY,   /* found in the memory cache */
	JIT_DISK,     /* loaded from the disk cache */
	JIT_STALE     /* the current source failed; this is the last good build */
};

typedef struct jit_result {
	const jit_module *module; /* owned by the jit; NULL when there is none */
	enum jit_origin origin;
	double elapsed_ms;        /* wall time of this jit_get call */
	char note[512];           /* "" or what else happened: PTX fallback, a corrupt cache entry
				     rebuilt, a cache write that failed */
	const char *error_log;    /* after a failed compile: NVRTC's full log (owned by the jit,
				     valid until jit_free); NULL otherwise */
} jit_result;

typedef struct jit_stats {
	unsigned compiles;        /* successful NVRTC compiles */
	unsigned failures;        /* failed compiles */
	unsigned memory_hits;
	unsigned disk_hits;
	unsigned corrupt_entries; /* disk entries found corrupt and rebuilt */
	unsigned stale_served;    /* last good builds handed out after a failure */
} jit_stats;

/* A jit over the kernel directory and cache that cfg names (cfg may be
 * NULL for the defaults). Returns NULL and sets err when a define is bad
 * (see jit_check_defines), when no kernel directory can be found or when
 * $GGSCOPE_KERNELS_DIR names a missing one. A cache directory
 * that cannot be created is not an error: the jit works from memory and
 * jit_cache_note() says why. */
jit *jit_new(const jit_config *cfg, errmsg *err);

/* Check one define, "NAME=VALUE" or "NAME": NAME matches
 * [A-Za-z_][A-Za-z0-9_]*, is not WARPS (each build sets it from its warps)
 * and does not start with "__" (the compiler's); VALUE matches
 * [-+A-Za-z0-9_.]* (no spaces or quotes, so that the option stays one
 * token); the whole is shorter than JIT_MAX_DEFINE_BYTES. Returns 0, or -1
 * and sets err naming the define and the rule it breaks. */
int jit_check_define(const char *def, errmsg *err);

/* Check a list of defines as jit_new takes it: each one as above, at most
 * JIT_MAX_DEFINES, no NAME twice (defs may be NULL when n is 0). Returns 0,
 * or -1 and sets err. */
int jit_check_defines(const char *const *defs, int n, errmsg *err);

/* Free the jit and every module it handed out. NULL is fine. */
void jit_free(jit *j);

/* The kernel directory in use, and where it came from: "jit_config",
 * "$GGSCOPE_KERNELS_DIR", "installed" or "source tree". */
const char *jit_kernels_dir(const jit *j);
const char *jit_kernels_dir_origin(const jit *j);

/* The disk cache directory, or NULL when disk caching is off; then
 * jit_cache_note() says why ("disabled by configuration", or the mkdir
 * error). */
const char *jit_cache_dir(const jit *j);
const char *jit_cache_note(const jit *j);

/* Build (or find) v compiled with -DWARPS=warps and the jit's defines for
 * arch ("sm_80", "sm_90", "sm_90a", ...).
 * Returns 0 and fills *out with a usable module (origin COMPILED, MEMORY or
 * DISK).
 * Returns -1 and sets err on failure, naming the cause: an illegal warps
 * value, a malformed or unsupported arch, an unreadable source or header,
 * NVRTC missing, or a compile error (then err holds NVRTC's first error
 * line, out->error_log the whole log). After a compile error out->module is
 * the last good build of the same variant, warps, arch and options, with
 * origin JIT_STALE, or NULL when there never was one. */
int jit_get(jit *j, const variant *v, int warps, const char *arch, jit_result *out, errmsg *err);

/* Counters since jit_new. */
void jit_get_stats(const jit *j, jit_stats *out);

/* Whether this build of ggscope links NVRTC. */
bool jit_available(void);

/* NVRTC's version. Returns 0, or -1 with a message when NVRTC is missing. */
int jit_nvrtc_version(int *major, int *minor, errmsg *err);

/* The architectures NVRTC can build CUBINs for, as numbers (75, 80, 90,
 * ...), ascending. Writes at most max of them; returns how many there are,
 * or -1 with a message when NVRTC is missing or fails. */
int jit_supported_archs(int *archs, int max, errmsg *err);

/* Parse "sm_NN" with an optional "a" or "f" suffix. Returns NN (>= 10), or
 * -1 with a message. */
int jit_parse_arch(const char *arch, errmsg *err);

/* Fill *res from the ptxas verbose lines of `log` that belong to `entry`
 * ("Function properties for ENTRY" and the "Used N registers" line after
 * "Compiling entry function 'ENTRY'"). Returns 0 when the registers line
 * was found, -1 (res->valid false) when not. */
int jit_parse_resources(const char *log, const char *entry, jit_resources *res);

/* The first line of an NVRTC log that reports an error (the first
 * non-empty line when none says "error"), copied into buf (truncated,
 * NUL-terminated). Returns buf. */
char *jit_first_error_line(const char *log, char *buf, size_t len);

#endif
