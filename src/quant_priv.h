/* quant_priv: helpers shared by the files of the quant module (quant.c,
 * quant_k.c); not part of its interface.
 *
 * Every block is read and written as little-endian bytes at the offsets
 * given in quant.h, so nothing depends on how a compiler would lay out or
 * align a struct (Q6_K blocks are only 2-byte aligned inside a row). */
#ifndef GGSCOPE_QUANT_PRIV_H
#define GGSCOPE_QUANT_PRIV_H

#include <stdint.h>
#include <string.h>

/* Clang contracts a*b+c into an FMA by default where the target has one;
 * ggml's reference arithmetic is separate multiplies and adds, and bit-exact
 * agreement needs the same rounding. (GCC already keeps them apart in ISO C
 * mode, -std=c11.) */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
/* The Q4_K / Q6_K sub-block searches, one group at a time (quant_k.c,
 * ggml's code path) and all groups of a block in vector lanes
 * (quant_lanes.c, the same arithmetic per lane). */
float quant_q4_k_search_scalar(const float *x32, uint8_t *L32, float *the_min);
float quant_q6_k_search_scalar(const float *x16, int8_t *L16);
void quant_q4_k_search8(const float *x256, uint8_t *L256, float *scales8, float *mins8);
void quant_q6_k_search16(const float *x256, int8_t *L256, float *scales16);

/* The quantizers with the one-group-at-a-time searches: slower, and
 * byte-identical to quant_quantize_q4_k / _q6_k (the tests compare them). */
void quant_quantize_q4_k_scalar(const float *src, void *dst, int64_t n);
void quant_quantize_q6_k_scalar(const float *src, void *dst, int64_t n);

#endif

static inline uint16_t
quant_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t
quant_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void
quant_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline float
quant_bits_f32(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

static inline uint32_t
quant_f32_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	return u;
}

/* Dequantizers of the super-block formats (quant_k.c); n is a multiple of
 * QK_K, checked by the caller. */
void quant_dequant_q4_k(const uint8_t *src, float *dst, int64_t n);
void quant_dequant_q5_k(const uint8_t *src, float *dst, int64_t n);
void quant_dequant_q6_k(const uint8_t *src, float *dst, int64_t n);
void quant_dequant_q8_k(const uint8_t *src, float *dst, int64_t n);

/* The Q4_K / Q6_K sub-block searches, one group at a time (quant_k.c,
 * ggml's code path) and all groups of a block in vector lanes
 * (quant_lanes.c, the same arithmetic per lane). */
float quant_q4_k_search_scalar(const float *x32, uint8_t *L32, float *the_min);
float quant_q6_k_search_scalar(const float *x16, int8_t *L16);
void quant_q4_k_search8(const float *x256, uint8_t *L256, float *scales8, float *mins8);
void quant_q6_k_search16(const float *x256, int8_t *L256, float *scales16);

/* The quantizers with the one-group-at-a-time searches: slower, and
 * byte-identical to quant_quantize_q4_k / _q6_k (the tests compare them). */
void quant_quantize_q4_k_scalar(const float *src, void *dst, int64_t n);
void quant_quantize_q6_k_scalar(const float *src, void *dst, int64_t n);

#endif
