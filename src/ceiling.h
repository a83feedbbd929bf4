/* ceiling: the device's practical read bandwidth, measured once per device
 * and driver and cached on disk.
 *
 * A datasheet peak (memory clock x bus width x 2) is never reached; a
 * read-bound GEMV is judged against what a plain read-only sweep achieves.
 * kernels/ceiling.cu reads >= 1 GiB (2 GiB on devices with 16 GiB or more)
 * in 16-byte loads; each of 10 launches after 2 warm-ups is timed with CUPTI
 * activity records (CUDA events under --no-cupti, which add a few us to a
 * ~0.7 ms launch). The ceiling is the fastest launch; the median is kept
 * beside it. On the H100 it is ~3.07 TB/s.
 *
 * Cache: $XDG_CACHE_HOME/ggscope/ceiling-<device>-<driver>.json (else
 * ~/.cache/...), one small JSON object; a file that does not parse, lacks a
 * field or names another device or driver is reported and measured anew. */
#ifndef GGSCOPE_CEILING_H
#define GGSCOPE_CEILING_H

#include <stdbool.h>
#include <stdint.h>

#include "cupti_gpu.h"
#include "errmsg.h"
#include "gpu.h"
#include "jit.h"

#define CEILING_PATH_MAX 1024

typedef struct ceiling {
	bool valid;
	double best_gbs;          /* the ceiling: bytes / fastest launch, GB/s (1e9 B/s) */
	double median_gbs;
	double best_ns, median_ns;
	uint64_t bytes;           /* read per launch */
	int reps;
	char timer[32];           /* "cupti activity" or "cuda events" */
	char device[256];
	char driver[64];          /* kernel-module release ("580.159.04"), else the CUDA driver version */
	char measured_at[32];     /* UTC, ISO 8601 */
	bool from_cache;
	char cache_path[CEILING_PATH_MAX]; /* "" when there is none */
	char note[ERRMSG_MAX];    /* a cache that could not be read or written, or "" */
} ceiling;

/* The driver string ceiling uses for a device (its release, else
 * "cuda <version>"). */
const char *ceiling_driver_of(const gpu_info *info, char *buf, size_t len);

/* The cache file for a device and driver. cache_home NULL = $XDG_CACHE_HOME,
 * else $HOME/.cache. Characters outside [A-Za-z0-9._-] in the names become
 * '_'. Returns 0, or -1 with err when neither variable is set or the path
 * does not fit. */
int ceiling_cache_path(const char *cache_home, const char *device, const char *driver,
	char *buf, size_t len, errmsg *err);

/* Write c atomically (temporary file + rename), creating the directory.
 * Returns 0, or -1 with err naming the path and the errno text. */
int ceiling_save(const char *path, const ceiling *c, errmsg *err);

/* Read a cache file and check it belongs to device and driver. Returns 0
 * (out->from_cache set), or -1 with err: missing file, JSON error, a missing
 * or out-of-range field (named), or another device/driver. */
int ceiling_load(const char *path, const char *device, const char *driver, ceiling *out, errmsg *err);

/* The figures as a json-c object (what the cache holds, plus from_cache). */
struct json_object;
struct json_object *ceiling_to_json(const ceiling *c);

/* Measure now. cu may be NULL or without timing: CUDA events are used.
 * Returns 0, or a gpu.h error code (GPU_EFAIL / GPU_ERESET) with err: no
 * device, allocation, compile (NVRTC log line), launch. */
int ceiling_measure(gpu *g, jit *j, cupti_gpu *cu, ceiling *out, errmsg *err);

/* The cached ceiling, or a measurement saved to the cache (refresh: always
 * measure). A cache that cannot be read or written only leaves out->note.
 * Returns as ceiling_measure. */
int ceiling_get(gpu *g, jit *j, cupti_gpu *cu, const char *cache_home, bool refresh, ceiling *out, errmsg *err);

#endif
