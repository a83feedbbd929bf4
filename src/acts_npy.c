/* acts_npy.c: a strict reader of NumPy .npy files holding float32 or
 * float16 vectors or [tokens, channels] matrices.
 *
 * Format (numpy/lib/format.py): "\x93NUMPY", u8 major (1, 2 or 3), u8 minor
 * (0), header length (u16 for 1.0, u32 for 2.0/3.0), then that many bytes of
 * a Python dict literal {'descr': '<f4', 'fortran_order': False,
 * 'shape': (t, c), } padded with spaces and a newline, then the raw data.
 * Like numpy, the dict must have exactly those three keys. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acts.h"
#include "quant.h"
#include "xalloc.h"

#define NPY_MAX_DIMS 8
#define NPY_DIM_MAX (1ull << 30) /* per dimension: products of two stay far from 2^64 */

struct npy_hdr {
	char descr[16];
	int fortran;          /* -1 until seen */
	int ndim;             /* -1 until seen */
	uint64_t shape[NPY_MAX_DIMS];
};

/* A cursor over the header text; `base` is the file offset of text[0]. */
struct cur {
	const char *s;
	size_t len, pos, base;
	const char *name;
	errmsg *err;
};

static void
skip_ws(struct cur *c)
{
	while (c->pos < c->len && (c->s[c->pos] == ' ' || c->s[c->pos] == '\t' ||
		c->s[c->pos] == '\n' || c->s[c->pos] == '\r'))
		c->pos++;
}

static int
fail(struct cur *c, const char *what)
{
	errmsg_set(c->err, "%s: npy header at byte %zu: %s", c->name, c->base + c->pos, what);
	return -1;
}

static int
expect(struct cur *c, char ch, const char *what)
{
	skip_ws(c);
	if (c->pos >= c->len || c->s[c->pos] != ch)
		return fail(c, what);
	c->pos++;
	return 0;
}

/* A Python string literal in single or double quotes, no escapes (numpy
 * never writes any in these fields). */
static int
parse_str(struct cur *c, char *out, size_t cap)
{
	char q;
	size_t n = 0;

	skip_ws(c);
	if (c->pos >= c->len || (c->s[c->pos] != '\'' && c->s[c->pos] != '"'))
		return fail(c, "expected a quoted string");
	q = c->s[c->pos++];
	while (c->pos < c->len && c->s[c->pos] != q) {
		if (c->s[c->pos] == '\\' || n + 1 >= cap)
			return fail(c, "string too long or escaped");
		out[n++] = c->s[c->pos++];
	}
	if (c->pos >= c->len)
		return fail(c, "unterminated string");
	c->pos++;
	out[n] = '\0';
	return 0;
}

static int
parse_bool(struct cur *c, int *out)
{
	skip_ws(c);
	if (c->len - c->pos >= 4 && memcmp(c->s + c->pos, "True", 4) == 0) {
		c->pos += 4;
		*out = 1;
		return 0;
	}
	if (c->len - c->pos >= 5 && memcmp(c->s + c->pos, "False", 5) == 0) {
		c->pos += 5;
		*out = 0;
		return 0;
	}
	return fail(c, "fortran_order must be True or False");
}

/* "(a, b, )" or "(a,)" or "()". */
static int
parse_shape(struct cur *c, struct npy_hdr *h)
{
	if (expect(c, '(', "shape must be a tuple") != 0)
		return -1;
	h->ndim = 0;
	for (;;) {
		uint64_t v = 0;
		size_t start;

		skip_ws(c);
		if (c->pos < c->len && c->s[c->pos] == ')') {
			c->pos++;
			return 0;
		}
		start = c->pos;
		while (c->pos < c->len && isdigit((unsigned char)c->s[c->pos])) {
			v = v * 10 + (uint64_t)(c->s[c->pos] - '0');
			if (v > NPY_DIM_MAX)
				return fail(c, "shape dimension too large");
			c->pos++;
		}
		if (c->pos == start)
			return fail(c, "shape dimension is not a non-negative integer");
		if (h->ndim == NPY_MAX_DIMS)
			return fail(c, "too many dimensions");
		h->shape[h->ndim++] = v;
		skip_ws(c);
		if (c->pos < c->len && c->s[c->pos] == ',') {
			c->pos++;
			continue;
		}
		if (c->pos < c->len && c->s[c->pos] == ')') {
			c->pos++;
			return 0;
		}
		return fail(c, "expected ',' or ')' in shape");
	}
}

static int
parse_dict(struct cur *c, struct npy_hdr *h)
{
	int have_descr = 0;

	h->fortran = -1;
	h->ndim = -1;
	if (expect(c, '{', "expected '{' (the header is a dict literal)") != 0)
		return -1;
	for (;;) {
		char key[32];

		skip_ws(c);
		if (c->pos < c->len && c->s[c->pos] == '}') {
			c->pos++;
			break;
		}
		if (parse_str(c, key, sizeof key) != 0 || expect(c, ':', "expected ':' after a key") != 0)
			return -1;
		if (strcmp(key, "descr") == 0 && !have_descr) {
			if (parse_str(c, h->descr, sizeof h->descr) != 0)
				return -1;
			have_descr = 1;
		} else if (strcmp(key, "fortran_order") == 0 && h->fortran < 0) {
			if (parse_bool(c, &h->fortran) != 0)
				return -1;
		} else if (strcmp(key, "shape") == 0 && h->ndim < 0) {
			if (parse_shape(c, h) != 0)
				return -1;
		} else {
			char msg[96];

			snprintf(msg, sizeof msg, "unexpected or repeated key '%s'", key);
			return fail(c, msg);
		}
		skip_ws(c);
		if (c->pos < c->len && c->s[c->pos] == ',') {
			c->pos++;
			continue;
		}
		if (expect(c, '}', "expected ',' or '}' after a value") != 0)
			return -1;
		break;
	}
	skip_ws(c);
	if (c->pos != c->len)
		return fail(c, "unexpected text after the dict");
	if (!have_descr)
		return fail(c, "missing key 'descr'");
	if (h->fortran < 0)
		return fail(c, "missing key 'fortran_order'");
	if (h->ndim < 0)
		return fail(c, "missing key 'shape'");
	return 0;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

acts_file *
acts_npy_parse(const unsigned char *buf, size_t len, const char *name, errmsg *err)
{
	struct npy_hdr h;
	struct cur c;
	size_t pre, hlen, item;
	uint64_t n, data_len, i;
	acts_file *a;
	int major;

	if (len < 10) {
		errmsg_set(err, "%s: npy file of %zu bytes is truncated in its preamble", name, len);
		return NULL;
	}
	major = buf[6];
	if (major < 1 || major > 3 || buf[7] != 0) {
		errmsg_set(err, "%s: npy version %d.%d at byte 6 is not supported (1.0, 2.0, 3.0)",
			name, buf[6], buf[7]);
		return NULL;
	}
	if (major == 1) {
		pre = 10;
		hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
	} else {
		if (len < 12) {
			errmsg_set(err, "%s: npy file of %zu bytes is truncated in its preamble", name, len);
			return NULL;
		}
		pre = 12;
		hlen = le32(buf + 8);
	}
	if (hlen > len - pre) {
		errmsg_set(err, "%s: npy header length %zu at byte 8 runs past the end of the file (%zu bytes)",
			name, hlen, len);
		return NULL;
	}
	memset(&h, 0, sizeof h);
	c.s = (const char *)buf + pre;
	c.len = hlen;
	c.pos = 0;
	c.base = pre;
	c.name = name;
	c.err = err;
	if (parse_dict(&c, &h) != 0)
		return NULL;
	if (strcmp(h.descr, "<f4") == 0)
		item = 4;
	else if (strcmp(h.descr, "<f2") == 0)
		item = 2;
	else {
		errmsg_set(err, "%s: npy dtype '%s' is not supported (only '<f4' float32 and '<f2' float16)",
			name, h.descr);
		return NULL;
	}
	if (h.ndim < 1 || h.ndim > 2) {
		errmsg_set(err, "%s: npy array has %d dimensions; expected 1-D [channels] or 2-D "
			"[tokens, channels]", name, h.ndim);
		return NULL;
	}
	if (h.fortran && h.ndim == 2) {
		errmsg_set(err, "%s: npy array is in Fortran (column) order; save it C-ordered "
			"(numpy.ascontiguousarray)", name);
		return NULL;
	}
	if (h.shape[0] == 0 || (h.ndim == 2 && h.shape[1] == 0)) {
		errmsg_set(err, "%s: npy array has an empty dimension", name);
		return NULL;
	}
	/* Each dimension is <= 2^30, so n * item cannot overflow. */
	n = h.shape[0] * (h.ndim == 2 ? h.shape[1] : 1);
	data_len = len - pre - hlen;
	if (n * item != data_len) {
		char shape[64];

		if (h.ndim == 2)
			snprintf(shape, sizeof shape, "(%llu, %llu)", (unsigned long long)h.shape[0],
				(unsigned long long)h.shape[1]);
		else
			snprintf(shape, sizeof shape, "(%llu,)", (unsigned long long)h.shape[0]);
		errmsg_set(err, "%s: npy data at byte %zu has %llu bytes, but shape %s of %s needs %llu",
			name, pre + hlen, (unsigned long long)data_len, shape, h.descr,
			(unsigned long long)(n * item));
		return NULL;
	}
	a = xcalloc(1, sizeof *a);
	a->format = item == 4 ? ACTS_NPY_F32 : ACTS_NPY_F16;
	a->two_d = h.ndim == 2;
	a->n_tokens = h.ndim == 2 ? h.shape[0] : 1;
	a->n_channels = h.ndim == 2 ? h.shape[1] : h.shape[0];
	a->data = xmalloc((size_t)n * sizeof *a->data);
	for (i = 0; i < n; i++) {
		const unsigned char *p = buf + pre + hlen + i * item;

		if (item == 4) {
			uint32_t u = le32(p);

			memcpy(&a->data[i], &u, 4);
		} else {
			a->data[i] = quant_f16_to_f32((uint16_t)(p[0] | p[1] << 8));
		}
	}
	return a;
}
