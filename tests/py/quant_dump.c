/* quant_dump: raw blocks and our dequantized floats for the gguf-py
 * cross-check (test_dequant_gguf_py.py).
 *
 *   quant_dump gen DIR               write the data set below into DIR
 *   quant_dump dequant TYPE IN OUT   dequantize the blocks in IN (a whole
 *                                    number of blocks of TYPE) into OUT (f32)
 *
 * `gen` writes, little-endian:
 *   gauss.f32              the float input of the quantizers (Gaussian with a
 *                          per-256 scale spread, plus f16/bf16 edge values)
 *   rand_T.bin, rand_T.f32 random-byte blocks of type T (scales set to finite
 *                          f16 values) and our dequantization of them
 *   quant_T.bin, quant_T.f32  our quantizer (q4_K, q6_K, q8_0) or conversion
 *                          (f16, bf16) applied to gauss.f32, and its dequantization
 * Exit status 0, or 1 with a message. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant.h"

#define N_GAUSS (96 * QK_K)
#define N_RAND_BLOCKS 4096

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t
next_u64(void)
{
	/* splitmix64 */
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static float
gauss(void)
{
	double u1 = ((next_u64() >> 11) + 1) * 0x1p-53, u2 = (next_u64() >> 11) * 0x1p-53;

	return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

/* A finite half with magnitude between 2^-12 and 2^4 and either sign (or a
 * subnormal now and then), so that products stay finite. */
static uint16_t
sane_half(void)
{
	uint64_t r = next_u64();
	uint16_t sign = (uint16_t)((r & 1) << 15);
	uint16_t mant = (uint16_t)((r >> 1) & 0x3ff);
	uint16_t exp = (uint16_t)(3 + (r >> 11) % 17); /* 2^-12 .. 2^4 */

	if ((r >> 20) % 16 == 0)
		exp = 0; /* subnormal */
	return (uint16_t)(sign | (exp << 10) | mant);
}

static void
put_half(uint8_t *p, uint16_t h)
{
	p[0] = (uint8_t)h;
	p[1] = (uint8_t)(h >> 8);
}

static int
write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* Write blocks and their dequantization as NAME.bin and NAME.f32. */
static int
write_pair(const char *dir, const char *stem, uint32_t type, const uint8_t *blocks, size_t bytes,
	int64_t n)
{
	float *y = malloc((size_t)n * sizeof *y);
	char name[256];
	errmsg err;
	int rc = -1;

	if (y == NULL)
		return -1;
	if (quant_dequant_row(type, blocks, y, n, &err) != 0) {
		fprintf(stderr, "quant_dump: %s: %s\n", stem, err.text);
	} else {
		snprintf(name, sizeof name, "%s.bin", stem);
		if (write_file(dir, name, blocks, bytes) == 0) {
			snprintf(name, sizeof name, "%s.f32", stem);
			rc = write_file(dir, name, y, (size_t)n * sizeof *y);
		}
	}
	free(y);
	return rc;
}

/* Random-byte blocks with every f16 scale field replaced by a sane half. */
static int
gen_random(const char *dir, uint32_t type)
{
	const quant_info *qi = quant_type_info(type);
	size_t bytes = (size_t)N_RAND_BLOCKS * qi->block_bytes;
	uint8_t *b = malloc(bytes);
	char stem[64];
	int rc;

	if (b == NULL)
		return -1;
	for (size_t i = 0; i < bytes; i++)
		b[i] = (uint8_t)next_u64();
	for (size_t i = 0; i < N_RAND_BLOCKS; i++) {
		uint8_t *p = b + i * qi->block_bytes;

		switch (type) {
		case QT_F16:
			put_half(p, (uint16_t)(next_u64() % 0x7c00 | (next_u64() & 1) << 15));
			break;
		case QT_BF16: /* anything but NaN: exponent 0xff only with mantissa 0 */
			if (((p[1] & 0x7f) == 0x7f) && (p[0] & 0x80))
				p[0] &= 0x7f;
			break;
		case QT_Q6_K:
			put_half(p + 208, sane_half());
			break;
		case QT_Q4_0: case QT_Q5_0: case QT_Q8_0:
			put_half(p, sane_half());
			break;
		default: /* Q4_1, Q5_1, Q4_K, Q5_K: d and m/dmin */
			put_half(p, sane_half());
			put_half(p + 2, sane_half());
			break;
		}
	}
	snprintf(stem, sizeof stem, "rand_%s", qi->name);
	rc = write_pair(dir, stem, type, b, bytes, (int64_t)N_RAND_BLOCKS * qi->block_elems);
	free(b);
	return rc;
}

static int
gen(const char *dir)
{
	static const uint32_t rand_types[] = { QT_Q4_0, QT_Q4_1, QT_Q5_0, QT_Q5_1, QT_Q8_0,
		QT_Q4_K, QT_Q5_K, QT_Q6_K, QT_F16, QT_BF16 };
	float *x = malloc(N_GAUSS * sizeof *x);
	uint8_t *q = malloc((size_t)N_GAUSS * 4);
	int rc = 0;

	if (x == NULL || q == NULL)
		return -1;
	for (int i = 0; i < N_GAUSS; i++) {
		int blk = i / QK_K;
		float scale = blk % 5 == 0 ? 1e-3f : blk % 5 == 1 ? 30.0f : 0.02f * (float)(1 + blk % 7);

		x[i] = gauss() * scale;
		if (blk % 11 == 3)
			x[i] = fabsf(x[i]) + 0.5f; /* all positive: min clamps to 0 */
		if (blk % 13 == 4 && i % 64 == 0)
			x[i] *= 50.0f;             /* outliers */
	}
	/* Edge values for the half conversions, in a block of their own. */
	{
		static const float edge[] = { 65504.0f, 65519.0f, 65520.0f, 1e6f, -1e6f, 0x1p-25f,
			0x1.8p-24f, 0x1p-24f, 0x1.ffcp-15f, -0.0f, 3e-8f, 1.00048828125f,
			1.000732421875f, 3.4e38f };

		memcpy(x + N_GAUSS - QK_K, edge, sizeof edge);
	}
	rc |= write_file(dir, "gauss.f32", x, N_GAUSS * sizeof *x);
	for (size_t i = 0; i < sizeof rand_types / sizeof rand_types[0]; i++)
		rc |= gen_random(dir, rand_types[i]);

	quant_quantize_q4_k(x, q, N_GAUSS - QK_K);
	rc |= write_pair(dir, "quant_q4_K", QT_Q4_K, q, (N_GAUSS / QK_K - 1) * Q4_K_BYTES, N_GAUSS - QK_K);
	quant_quantize_q6_k(x, q, N_GAUSS - QK_K);
	rc |= write_pair(dir, "quant_q6_K", QT_Q6_K, q, (N_GAUSS / QK_K - 1) * Q6_K_BYTES, N_GAUSS - QK_K);
	quant_quantize_q8_0(x, q, N_GAUSS - QK_K);
	rc |= write_pair(dir, "quant_q8_0", QT_Q8_0, q, (N_GAUSS - QK_K) / 32 * Q8_0_BYTES, N_GAUSS - QK_K);
	for (int i = 0; i < N_GAUSS; i++)
		put_half(q + 2 * i, quant_f32_to_f16(x[i]));
	rc |= write_pair(dir, "quant_f16", QT_F16, q, N_GAUSS * 2, N_GAUSS);
	for (int i = 0; i < N_GAUSS; i++)
		put_half(q + 2 * i, quant_f32_to_bf16(x[i]));
	rc |= write_pair(dir, "quant_bf16", QT_BF16, q, N_GAUSS * 2, N_GAUSS);
	free(x);
	free(q);
	return rc ? -1 : 0;
}

static int
dequant_file(const char *tname, const char *in, const char *out)
{
	int type = quant_type_from_name(tname);
	const quant_info *qi = type >= 0 ? quant_type_info((uint32_t)type) : NULL;
	uint8_t *b = NULL;
	long len;
	FILE *f;
	int rc;

	if (qi == NULL) {
		fprintf(stderr, "quant_dump: unknown type %s\n", tname);
		return -1;
	}
	f = fopen(in, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		perror(in);
		return -1;
	}
	if (len % qi->block_bytes != 0 || (b = malloc((size_t)len + 1)) == NULL ||
	    fread(b, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "quant_dump: %s: %ld bytes is not a whole number of %s blocks\n", in,
			len, qi->name);
		fclose(f);
		free(b);
		return -1;
	}
	fclose(f);
	{
		int64_t n = len / qi->block_bytes * qi->block_elems;
		float *y = malloc((size_t)n * sizeof *y + 1);
		errmsg err = { "out of memory" };

		rc = y == NULL ? -1 : quant_dequant_row((uint32_t)type, b, y, n, &err);
		if (rc != 0)
			fprintf(stderr, "quant_dump: %s\n", err.text);
		else if ((f = fopen(out, "wb")) == NULL || fwrite(y, sizeof *y, (size_t)n, f) != (size_t)n ||
			 fclose(f) != 0) {
			perror(out);
			rc = -1;
		}
		free(y);
	}
	free(b);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "gen") == 0)
		return gen(argv[2]) == 0 ? 0 : 1;
	if (argc == 5 && strcmp(argv[1], "dequant") == 0)
		return dequant_file(argv[2], argv[3], argv[4]) == 0 ? 0 : 1;
	fprintf(stderr, "usage: quant_dump gen DIR | quant_dump dequant TYPE IN OUT\n");
	return 1;
}
