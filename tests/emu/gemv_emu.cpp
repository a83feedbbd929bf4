/* gemv_emu: runs every kernel variant on the CPU emulator (emu.h) and checks
 * it against a float64 reference written here from the ggml block formats.
 *
 * The kernels come in through table.inc, which tests/cli/kernels-emu.sh
 * generates from `ggscope kernels --json`: one EMU_GEMV(name, warps) or
 * EMU_QUANT(name, warps) line per (variant, legal warps), each kernel built
 * with -DWARPS=warps and its entry renamed name_wWARPS. Launch geometry comes
 * from the registry (src/variant.c), so a mismatch between the registry and
 * the kernels shows up here too.
 *
 * Checks:
 *  - quantize_q8_1 is bit-identical to a reference of ggml's CUDA quantizer
 *    (halves through the compiler's _Float16, not the emulator's code);
 *  - every GEMV output element is written and within 1e-5 of sum|w*x| of the
 *    reference (fp32 x for fp32 variants, the dequantized Q8_1 x for dp4a
 *    variants), on shapes that cover partial super-blocks, tail rows,
 *    several shared-memory chunks and grid-stride loops.
 *
 * Usage: gemv_emu [--dump DIR]   (--dump also writes random Q4_K/Q6_K
 * matrices and their reference dequantization for check_dequant.py) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "emu_launch.h"

extern "C" {
#include "quant.h"
#include "variant.h"
}

typedef void (*gemv_fn)(float *, const unsigned char *, const void *, int, int);
typedef void (*quant_fn)(const float *, unsigned char *, int);

#define EMU_GEMV(name, warps) extern "C" void name##_w##warps(float *, const unsigned char *, const void *, int, int);
#define EMU_QUANT(name, warps) extern "C" void name##_w##warps(const float *, unsigned char *, int);
#include "table.inc"
#undef EMU_GEMV
#undef EMU_QUANT

struct kernel_entry {
	const char *name;
	int warps;
	gemv_fn gemv;
	quant_fn quant;
};

static const kernel_entry table[] = {
#define EMU_GEMV(name, warps) { #name, warps, name##_w##warps, NULL },
#define EMU_QUANT(name, warps) { #name, warps, NULL, name##_w##warps },
#include "table.inc"
};

/* ------------------------------------------------------------ buffers */

/* A 16-byte aligned buffer of `bytes`, like cuMemAlloc's. Normally
 * rounded up to 16; with -DEMU_EXACT_ALLOC exactly `bytes`, so that an
 * AddressSanitizer build (tests/cli/stream-bounds.sh) reports a kernel
 * that reads even one byte past a matrix or vector. */
static void *
emu_alloc16(size_t bytes)
{
	void *p = NULL;
#ifdef EMU_EXACT_ALLOC
	if (posix_memalign(&p, 16, bytes) != 0)
		p = NULL;
#else
	p = aligned_alloc(16, (bytes + 15) & ~(size_t)15);
#endif
	if (p == NULL) {
		fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
		exit(1);
	}
	return p;
}

/* ------------------------------------------------------------ random data */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static float
rnd_uniform(float lo, float hi)
{
	return lo + (hi - lo) * (float)(rnd() & 0xffffff) / (float)0x1000000;
}

static uint16_t
f16_bits(float f)
{
	_Float16 h = (_Float16)f;
	uint16_t b;
	memcpy(&b, &h, sizeof b);
	return b;
}

static double
f16_value(const unsigned char *p)
{
	_Float16 h;
	memcpy(&h, p, sizeof h);
	return (double)(float)h;
}

static void
random_blocks(uint32_t qtype, unsigned char *w, size_t blocks)
{
	const size_t bb = qtype == QT_Q4_K ? Q4_K_BYTES : Q6_K_BYTES;
	for (size_t b = 0; b < blocks; b++) {
		unsigned char *blk = w + b * bb;
		for (size_t i = 0; i < bb; i++)
			blk[i] = (unsigned char)rnd();
		uint16_t d = f16_bits(rnd_uniform(0.5e-3f, 3e-3f));
		if (qtype == QT_Q4_K) {
			uint16_t dmin = f16_bits(rnd_uniform(0.5e-3f, 3e-3f));
			memcpy(blk, &d, 2);
			memcpy(blk + 2, &dmin, 2);
		} else {
			memcpy(blk + 208, &d, 2);
		}
	}
}

/* ------------------------------------------------------------ reference */

/* ggml's get_scale_min_k4, from the formats note. */
static void
ref_scale_min(const unsigned char *q, int j, int *sc, int *m)
{
	if (j < 4) {
		*sc = q[j] & 63;
		*m = q[j + 4] & 63;
	} else {
		*sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
		*m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
	}
}

static void
ref_dequant_q4k(const unsigned char *blk, double *out)
{
	const double d = f16_value(blk), dmin = f16_value(blk + 2);
	const unsigned char *qs = blk + 16;
	for (int c = 0; c < 4; c++) {
		int s0, m0, s1, m1;
		ref_scale_min(blk + 4, 2 * c, &s0, &m0);
		ref_scale_min(blk + 4, 2 * c + 1, &s1, &m1);
		for (int l = 0; l < 32; l++) {
			out[64 * c + l] = d * s0 * (qs[32 * c + l] & 0xF) - dmin * m0;
			out[64 * c + 32 + l] = d * s1 * (qs[32 * c + l] >> 4) - dmin * m1;
		}
	}
}

static void
ref_dequant_q6k(const unsigned char *blk, double *out)
{
	const double d = f16_value(blk + 208);
	const signed char *sc = (const signed char *)(blk + 192);
	for (int h = 0; h < 2; h++) {
		const unsigned char *ql = blk + 64 * h, *qh = blk + 128 + 32 * h;
		for (int l = 0; l < 32; l++) {
			const int is = l / 16;
			const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
			const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
			const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
			const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
			out[128 * h + l] = d * sc[8 * h + is + 0] * q1;
			out[128 * h + l + 32] = d * sc[8 * h + is + 2] * q2;
			out[128 * h + l + 64] = d * sc[8 * h + is + 4] * q3;
			out[128 * h + l + 96] = d * sc[8 * h + is + 6] * q4;
		}
	}
}

/* Row r of the matrix dequantized (ceil(k/256)*256 values). */
static void
ref_dequant_row(uint32_t qtype, const unsigned char *w, uint32_t k, uint32_t r, double *out)
{
	const uint32_t nb = (k + 255) / 256;
	const size_t bb = qtype == QT_Q4_K ? Q4_K_BYTES : Q6_K_BYTES;
	for (uint32_t b = 0; b < nb; b++) {
		const unsigned char *blk = w + ((size_t)r * nb + b) * bb;
		if (qtype == QT_Q4_K)
			ref_dequant_q4k(blk, out + 256 * b);
		else
			ref_dequant_q6k(blk, out + 256 * b);
	}
}

/* ggml's CUDA quantize_q8_1, sequentially: the same butterfly sum order. */
static void
ref_quantize_q8_1(const float *x, uint32_t k, unsigned char *q8)
{
	const uint32_t nblk = (k + 31) / 32;
	for (uint32_t b = 0; b < nblk; b++) {
		float v[32], amax = 0.0f;
		for (int l = 0; l < 32; l++) {
			v[l] = b * 32 + l < k ? x[b * 32 + l] : 0.0f;
			amax = fmaxf(amax, fabsf(v[l]));
		}
		float s[32];
		memcpy(s, v, sizeof s);
		for (int o = 16; o > 0; o >>= 1) {
			float t[32];
			for (int l = 0; l < 32; l++)
				t[l] = s[l] + s[l ^ o];
			memcpy(s, t, sizeof s);
		}
		const float d = amax / 127.0f;
		unsigned char *blk = q8 + (size_t)b * 36;
		uint16_t dh = f16_bits(d), sh = f16_bits(s[0]);
		memcpy(blk, &dh, 2);
		memcpy(blk + 2, &sh, 2);
		for (int l = 0; l < 32; l++)
			blk[4 + l] = (unsigned char)(signed char)(amax == 0.0f ? 0 : (int)roundf(v[l] / d));
	}
}

/* ------------------------------------------------------------ launching */

struct gemv_call {
	gemv_fn fn;
	float *y;
	const unsigned char *w;
	const void *x;
	int k, n;
};

static void
gemv_body(void *arg)
{
	gemv_call *c = (gemv_call *)arg;
	c->fn(c->y, c->w, c->x, c->k, c->n);
}

struct quant_call {
	quant_fn fn;
	const float *x;
	unsigned char *q8;
	int k;
};

static void
quant_body(void *arg)
{
	quant_call *c = (quant_call *)arg;
	c->fn(c->x, c->q8, c->k);
}

static void
run_quantizer(const kernel_entry *ke, const float *x, uint32_t k, unsigned char *q8)
{
	variant_launch L;
	errmsg err;
	if (variant_geometry(variant_quantizer(), ke->warps, 0, k, 1, &L, &err) < 0) {
		fprintf(stderr, "quantizer geometry: %s\n", err.text);
		exit(1);
	}
	quant_call c = { ke->quant, x, q8, (int)k };
	emu_launch(L.grid_x, L.block_x, L.smem_dynamic_bytes, quant_body, &c);
}

static const kernel_entry *
find_quantizer(void)
{
	for (const kernel_entry &ke : table)
		if (ke.quant != NULL)
			return &ke;
	fprintf(stderr, "table.inc has no quantizer\n");
	exit(1);
}

/* Random x with an outlier, an all-zero Q8_1 block and some tiny values. */
static float *
random_x(uint32_t k)
{
	float *x = (float *)emu_alloc16((size_t)k * 4);
	for (uint32_t i = 0; i < k; i++)
		x[i] = rnd_uniform(-1.0f, 1.0f);
	if (k > 40)
		x[37] = 26.0f;
	if (k >= 96)
		for (int i = 64; i < 96; i++)
			x[i] = 0.0f;
	if (k > 100)
		x[100] = 1e-30f;
	return x;
}

static int
check_quantizer(void)
{
	const kernel_entry *ke = find_quantizer();
	const uint32_t ks[] = { 32, 1000, 4096 + 32 * 3 + 5 };
	int bad = 0;
	for (uint32_t k : ks) {
		float *x = random_x(k);
		const size_t bytes = variant_q8_1_bytes(k);
		unsigned char *got = (unsigned char *)malloc(bytes), *want = (unsigned char *)malloc(bytes);
		memset(got, 0xAB, bytes);
		run_quantizer(ke, x, k, got);
		ref_quantize_q8_1(x, k, want);
		for (size_t i = 0; i < bytes; i++)
			if (got[i] != want[i]) {
				fprintf(stderr, "FAIL quantize_q8_1 k=%u: byte %zu (block %zu, offset %zu) = 0x%02x, want 0x%02x\n",
					k, i, i / 36, i % 36, got[i], want[i]);
				bad = 1;
				break;
			}
		free(x);
		free(got);
		free(want);
	}
	printf("%-14s warps %d: %s (bit-exact on 3 sizes)\n", ke->name, ke->warps, bad ? "FAIL" : "ok");
	return bad;
}

struct shape {
	uint32_t n, k;
};

static const shape shapes[] = {
	{ 37, 512 }, { 37, 1280 }, { 3, 256 }, { 9, 1000 }, { 5, 8704 }, { 3, 12800 }, { 2, 300 },
};

static int
check_gemv(const kernel_entry *ke, double *worst)
{
	const variant *v = variant_find(ke->name);
	const kernel_entry *qk = find_quantizer();
	int ran = 0;

	*worst = 0.0;
	if (v == NULL || v->kind != VARIANT_GEMV) {
		fprintf(stderr, "FAIL %s: not a GEMV in the registry\n", ke->name);
		return 1;
	}
	for (const shape &s : shapes) {
		variant_launch L;
		errmsg err;
		if (variant_geometry(v, ke->warps, s.n, s.k, 1, &L, &err) < 0)
			continue; /* the registry rejects this shape for v */
		ran++;
		const uint32_t nb = (s.k + 255) / 256;
		const size_t wbytes = variant_weight_bytes(v->qtype, s.n, s.k);
		unsigned char *w = (unsigned char *)emu_alloc16(wbytes);
		random_blocks(v->qtype, w, (size_t)s.n * nb);
		float *x = random_x(s.k);
		/* What the kernel multiplies with: x itself, or its Q8_1 form. */
		double *xe = (double *)calloc((size_t)nb * 256, sizeof *xe);
		unsigned char *q8 = NULL;
		const void *xarg = x;
		if (v->input == VARIANT_X_Q8_1) {
			q8 = (unsigned char *)emu_alloc16(variant_q8_1_bytes(s.k));
			run_quantizer(qk, x, s.k, q8);
			for (uint32_t i = 0; i < s.k; i++)
				xe[i] = f16_value(q8 + (i / 32) * 36) * (signed char)q8[(i / 32) * 36 + 4 + i % 32];
			xarg = q8;
		} else {
			for (uint32_t i = 0; i < s.k; i++)
				xe[i] = x[i];
		}
		float *y = (float *)malloc(s.n * sizeof *y);
		for (uint32_t r = 0; r < s.n; r++)
			y[r] = NAN;
		gemv_call c = { ke->gemv, y, w, xarg, (int)s.k, (int)s.n };
		emu_launch(L.grid_x, L.block_x, L.smem_dynamic_bytes, gemv_body, &c);

		double *row = (double *)malloc((size_t)nb * 256 * sizeof *row);
		for (uint32_t r = 0; r < s.n; r++) {
			double ref = 0.0, mag = 0.0;
			ref_dequant_row(v->qtype, w, s.k, r, row);
			for (uint32_t i = 0; i < s.k; i++) {
				ref += row[i] * xe[i];
				mag += fabs(row[i] * xe[i]);
			}
			const double e = fabs((double)y[r] - ref) / (mag > 0 ? mag : 1.0);
			if (!(e <= 1e-5)) {
				fprintf(stderr, "FAIL %s warps %d n=%u k=%u grid %u: y[%u] = %.9g, reference %.9g "
					"(error %.3g of sum|w*x|)\n", ke->name, ke->warps, s.n, s.k, L.grid_x, r,
					(double)y[r], ref, e);
				free(row);
				return 1;
			}
			if (e > *worst)
				*worst = e;
		}
		free(row);
		free(y);
		free(xe);
		free(q8);
		free(x);
		free(w);
	}
	if (ran == 0) {
		fprintf(stderr, "FAIL %s warps %d: the registry accepted none of the test shapes\n", ke->name,
			ke->warps);
		return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ dump */

static int
dump(const char *dir)
{
	const uint32_t rows = 7, k = 768;
	const uint32_t types[] = { QT_Q4_K, QT_Q6_K };
	for (uint32_t qt : types) {
		const size_t bytes = variant_weight_bytes(qt, rows, k);
		unsigned char *w = (unsigned char *)malloc(bytes);
		double *deq = (double *)malloc((size_t)rows * k * sizeof *deq);
		random_blocks(qt, w, (size_t)rows * (k / 256));
		for (uint32_t r = 0; r < rows; r++)
			ref_dequant_row(qt, w, k, r, deq + (size_t)r * k);
		char path[4096];
		const char *tn = qt == QT_Q4_K ? "q4_k" : "q6_k";
		snprintf(path, sizeof path, "%s/%s.bin", dir, tn);
		FILE *f = fopen(path, "wb");
		if (f == NULL || fwrite(w, 1, bytes, f) != bytes || fclose(f) != 0)
			return perror(path), 1;
		snprintf(path, sizeof path, "%s/%s.f64", dir, tn);
		f = fopen(path, "wb");
		if (f == NULL || fwrite(deq, sizeof *deq, (size_t)rows * k, f) != (size_t)rows * k || fclose(f) != 0)
			return perror(path), 1;
		free(w);
		free(deq);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int bad = 0, count = 0;

	if (argc == 3 && strcmp(argv[1], "--dump") == 0)
		return dump(argv[2]);
	bad |= check_quantizer();
	for (const kernel_entry &ke : table) {
		double worst;
		if (ke.gemv == NULL)
			continue;
		count++;
		if (check_gemv(&ke, &worst) != 0) {
			bad = 1;
			continue;
		}
		printf("%-14s warps %d: ok (worst error %.2g of sum|w*x|)\n", ke.name, ke.warps, worst);
	}
	printf("%d GEMV kernels checked: %s\n", count, bad ? "FAILED" : "all passed");
	return bad;
}
