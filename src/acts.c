/* acts.c: synthetic inputs with planted outliers, the deterministic PRNG,
 * raw float32 files and token selection. The NumPy reader is acts_npy.c. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acts.h"
#include "io_full.h"
#include "xalloc.h"

/* ------------------------------------------------------------ spikes */

static int
parse_one_spike(const char *item, size_t len, acts_spike *s)
{
	char tmp[96], *colon, *end;
	unsigned long long ch;

	if (len == 0 || len >= sizeof tmp)
		return -1;
	memcpy(tmp, item, len);
	tmp[len] = '\0';
	colon = strchr(tmp, ':');
	if (colon == NULL || colon == tmp || colon[1] == '\0')
		return -1;
	*colon = '\0';
	if (!isdigit((unsigned char)tmp[0]))
		return -1;
	errno = 0;
	ch = strtoull(tmp, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	errno = 0;
	s->mult = strtod(colon + 1, &end);
	if (errno != 0 || *end != '\0' || isspace((unsigned char)colon[1]))
		return -1;
	s->channel = ch;
	return 0;
}

int
acts_parse_spikes(const char *spec, acts_spike *spikes, size_t max, errmsg *err)
{
	const char *p = spec;
	size_t n = 0, i;

	if (spec == NULL || *spec == '\0') {
		errmsg_set(err, "empty outlier list (expected CHANNEL:MULTIPLE[,...], e.g. 408:26)");
		return -1;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		acts_spike s;

		if (n == max) {
			errmsg_set(err, "more than %zu outliers in '%s'", max, spec);
			return -1;
		}
		if (parse_one_spike(p, len, &s) != 0) {
			errmsg_set(err, "outlier %zu '%.*s': expected CHANNEL:MULTIPLE (e.g. 408:26)",
				n + 1, (int)(len > 64 ? 64 : len), p);
			return -1;
		}
		if (!isfinite(s.mult) || s.mult == 0.0) {
			errmsg_set(err, "outlier %zu '%.*s': the multiple must be finite and nonzero",
				n + 1, (int)len, p);
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (spikes[i].channel == s.channel) {
				errmsg_set(err, "outlier channel %llu is given twice",
					(unsigned long long)s.channel);
				return -1;
			}
		}
		spikes[n++] = s;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return (int)n;
}

/* ------------------------------------------------------------ PRNG */

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void
acts_rng_seed(acts_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
	r->have_spare = false;
	r->spare = 0.0;
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
acts_rng_next(acts_rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double
acts_rng_uniform(acts_rng *r)
{
	return (double)(acts_rng_next(r) >> 11) * 0x1.0p-53;
}

double
acts_rng_gauss(acts_rng *r)
{
	double u1, u2, rad;

	if (r->have_spare) {
		r->have_spare = false;
		return r->spare;
	}
	u1 = 1.0 - acts_rng_uniform(r); /* (0, 1]: log stays finite */
	u2 = acts_rng_uniform(r);
	rad = sqrt(-2.0 * log(u1));
	r->spare = rad * sin(2.0 * M_PI * u2);
	r->have_spare = true;
	return rad * cos(2.0 * M_PI * u2);
}

/* ------------------------------------------------------------ synthetic */

void
acts_synth(float *x, uint64_t k, uint64_t seed, const acts_spike *spikes, size_t n_spikes,
	size_t *n_planted)
{
	acts_rng r;
	double bulk2 = 0.0, rms;
	uint64_t j, n_bulk = k;
	size_t i, planted = 0;

	acts_rng_seed(&r, seed);
	for (j = 0; j < k; j++)
		x[j] = (float)acts_rng_gauss(&r);
	for (i = 0; i < n_spikes; i++)
		if (spikes[i].channel < k) {
			planted++;
			n_bulk--;
		}
	if (n_planted != NULL)
		*n_planted = planted;
	if (planted == 0)
		return;
	/* The multiple is of the rms of the channels that stay Gaussian. */
	for (j = 0; j < k; j++) {
		bool spike = false;

		for (i = 0; i < n_spikes; i++)
			spike |= spikes[i].channel == j;
		if (!spike)
			bulk2 += (double)x[j] * x[j];
	}
	rms = n_bulk > 0 ? sqrt(bulk2 / (double)n_bulk) : 1.0;
	for (i = 0; i < n_spikes; i++)
		if (spikes[i].channel < k)
			x[spikes[i].channel] = (float)(spikes[i].mult * rms);
}

/* ------------------------------------------------------------ files */

const char *
acts_format_name(enum acts_format f)
{
	switch (f) {
	case ACTS_RAW_F32: return "raw float32";
	case ACTS_NPY_F32: return "npy <f4";
	case ACTS_NPY_F16: return "npy <f2";
	}
	return "unknown";
}

static acts_file *
raw_parse(const unsigned char *buf, size_t len, const char *name, errmsg *err)
{
	acts_file *a;
	size_t i;

	if (len % 4 != 0) {
		errmsg_set(err, "%s: raw float32 file of %zu bytes is not a multiple of 4 "
			"(a .npy needs its \\x93NUMPY magic)", name, len);
		return NULL;
	}
	a = xcalloc(1, sizeof *a);
	a->format = ACTS_RAW_F32;
	a->n_tokens = 1;
	a->n_channels = len / 4;
	a->data = xmalloc(len);
	for (i = 0; i < len / 4; i++) {
		uint32_t u = (uint32_t)buf[4 * i] | (uint32_t)buf[4 * i + 1] << 8 |
			(uint32_t)buf[4 * i + 2] << 16 | (uint32_t)buf[4 * i + 3] << 24;

		memcpy(&a->data[i], &u, 4);
	}
	return a;
}

acts_file *
acts_load_mem(const void *buf, size_t len, const char *name, errmsg *err)
{
	static const unsigned char magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

	if (len == 0) {
		errmsg_set(err, "%s: empty file", name);
		return NULL;
	}
	if (len >= sizeof magic && memcmp(buf, magic, sizeof magic) == 0)
		return acts_npy_parse(buf, len, name, err);
	return raw_parse(buf, len, name, err);
}

acts_file *
acts_load(const char *path, errmsg *err)
{
	size_t len;
	unsigned char *buf = io_read_file(path, &len, err);
	acts_file *a;

	if (buf == NULL)
		return NULL;
	a = acts_load_mem(buf, len, path, err);
	free(buf);
	return a;
}

void
acts_free(acts_file *a)
{
	if (a == NULL)
		return;
	free(a->data);
	free(a);
}

const float *
acts_token(const acts_file *a, bool has_token, long token, errmsg *err)
{
	long long t = token;

	if (!has_token) {
		if (a->n_tokens > 1) {
			errmsg_set(err, "the file holds %llu tokens of %llu channels: choose one with --token",
				(unsigned long long)a->n_tokens, (unsigned long long)a->n_channels);
			return NULL;
		}
		return a->data;
	}
	if (t < 0)
		t += (long long)a->n_tokens;
	if (t < 0 || (unsigned long long)t >= a->n_tokens) {
		errmsg_set(err, "token %ld is out of range: the file holds %llu token%s", token,
			(unsigned long long)a->n_tokens, a->n_tokens == 1 ? "" : "s");
		return NULL;
	}
	return a->data + (uint64_t)t * a->n_channels;
}
