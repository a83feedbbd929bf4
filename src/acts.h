/* acts: where a GEMV input vector comes from.
 *
 * - Synthetic: a seeded Gaussian N(0,1) bulk with planted outlier channels,
 *   written "408:26,1415:80" (channel:multiple). A spike's value is the
 *   multiple times the rms of the vector's other (bulk) channels, so
 *   "408:26" is the seed's 26x case; the whole vector's max/rms comes out
 *   lower, because the spike adds to the rms (and max/rms <= sqrt(k)).
 * - A file: raw little-endian float32 (.f32, one vector), or a NumPy .npy
 *   array of '<f4' or '<f2', 1-D [channels] or 2-D [tokens, channels] in C
 *   order; for 2-D a token row is chosen.
 * The deterministic generator is exported because the outlier table draws
 * typical tokens from imatrix profiles with it. */
#ifndef GGSCOPE_ACTS_H
#define GGSCOPE_ACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

#define ACTS_MAX_SPIKES 64

/* One planted outlier: x[channel] = mult * rms(bulk). */
typedef struct acts_spike {
	uint64_t channel;
	double mult;       /* finite and nonzero; its sign is the spike's */
} acts_spike;

/* Parse "CH:MULT[,CH:MULT]...". Returns the count (>= 1) and fills
 * spikes[0..max), or -1 with a message naming the bad item (empty item,
 * missing ':', bad channel, mult not finite or zero, duplicate channel,
 * more than max items). */
int acts_parse_spikes(const char *spec, acts_spike *spikes, size_t max, errmsg *err);

/* A small deterministic PRNG (xoshiro256** seeded through splitmix64), so
 * the same seed gives the same vector on every platform. */
typedef struct acts_rng {
	uint64_t s[4];
	bool have_spare;
	double spare;
} acts_rng;

void acts_rng_seed(acts_rng *r, uint64_t seed);
uint64_t acts_rng_next(acts_rng *r);
double acts_rng_uniform(acts_rng *r);  /* in [0, 1) with 53 random bits */
double acts_rng_gauss(acts_rng *r);    /* N(0,1), Box-Muller (polar-free form) */

/* Fill x[0..k) with the synthetic vector for `seed`. Spikes whose channel is
 * >= k are not planted: *n_planted (optional) says how many were. Never
 * fails (k == 0 does nothing). */
void acts_synth(float *x, uint64_t k, uint64_t seed, const acts_spike *spikes, size_t n_spikes,
	size_t *n_planted);

enum acts_format { ACTS_RAW_F32, ACTS_NPY_F32, ACTS_NPY_F16 };

/* A loaded activation file: tokens x channels floats, row-major. */
typedef struct acts_file {
	enum acts_format format;
	uint64_t n_tokens;     /* 1 for raw files and 1-D arrays */
	uint64_t n_channels;
	bool two_d;            /* the array was 2-D */
	float *data;           /* owned */
} acts_file;

/* Load a file. NumPy files are recognised by their magic "\x93NUMPY";
 * anything else is raw float32. Returns NULL and sets err (naming the byte
 * offset or header field) for: I/O errors, an empty file, a raw size that is
 * not a multiple of 4, a bad npy magic/version/header, a dtype other than
 * '<f4'/'<f2', fortran_order for 2-D, a shape that is not 1-D or 2-D or has a
 * zero dimension, or a data size that does not match the shape. */
acts_file *acts_load(const char *path, errmsg *err);

/* The same from memory (the buffer is copied from). `name` is for messages. */
acts_file *acts_load_mem(const void *buf, size_t len, const char *name, errmsg *err);

/* Parse a NumPy .npy image (acts_npy.c); acts_load_mem calls it when the
 * magic matches. Same failure contract as acts_load. */
acts_file *acts_npy_parse(const unsigned char *buf, size_t len, const char *name, errmsg *err);

void acts_free(acts_file *a);

/* The vector of token `token` (negative counts from the end, as in Python).
 * has_token false means "not given": allowed only when the file holds one
 * vector. Returns a pointer into a->data (n_channels floats), or NULL with a
 * message naming the token and the count. */
const float *acts_token(const acts_file *a, bool has_token, long token, errmsg *err);

/* "raw float32", "npy <f4", "npy <f2". */
const char *acts_format_name(enum acts_format f);

#endif
