/* quant: ggml block formats: type table, fp16/bf16, dequantization,
 * quantizers for Q4_K, Q6_K, Q8_0 and Q8_1.
 *
 * Byte layouts and arithmetic follow ggml exactly (ggml-common.h and
 * ggml-quants.c), so dequantized values agree bit for bit with ggml and with
 * gguf-py's dequantizer. All block structs are packed little-endian byte
 * arrays; code reads them through the offsets below, never through
 * compiler-laid-out structs. */
#ifndef GGSCOPE_QUANT_H
#define GGSCOPE_QUANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

/* ggml type ids as stored in GGUF tensor infos. */
enum qtype {
	QT_F32 = 0,
	QT_F16 = 1,
	QT_Q4_0 = 2,
	QT_Q4_1 = 3,
	QT_Q5_0 = 6,
	QT_Q5_1 = 7,
	QT_Q8_0 = 8,
	QT_Q8_1 = 9,
	QT_Q2_K = 10,
	QT_Q3_K = 11,
	QT_Q4_K = 12,
	QT_Q5_K = 13,
	QT_Q6_K = 14,
	QT_Q8_K = 15,
	QT_IQ2_XXS = 16,
	QT_IQ2_XS = 17,
	QT_IQ3_XXS = 18,
	QT_IQ1_S = 19,
	QT_IQ4_NL = 20,
	QT_IQ3_S = 21,
	QT_IQ2_S = 22,
	QT_IQ4_XS = 23,
	QT_I8 = 24,
	QT_I16 = 25,
	QT_I32 = 26,
	QT_I64 = 27,
	QT_F64 = 28,
	QT_IQ1_M = 29,
	QT_BF16 = 30,
	QT_TQ1_0 = 34,
	QT_TQ2_0 = 35,
	QT_MXFP4 = 39,
	QT_COUNT = 40 /* one past the largest id ggml knows */
};

/* Block sizes (elements) and byte sizes of the formats ggscope computes with. */
#define QK_K 256
#define QK8_0 32
#define QK8_1 32
#define Q4_K_BYTES 144 /* f16 d @0, f16 dmin @2, scales[12] @4, qs[128] @16 */
#define Q5_K_BYTES 176 /* d @0, dmin @2, scales[12] @4, qh[32] @16, qs[128] @48 */
#define Q6_K_BYTES 210 /* ql[128] @0, qh[64] @128, int8 scales[16] @192, f16 d @208 */
#define Q8_0_BYTES 34  /* f16 d @0, int8 qs[32] @2 */
#define Q8_1_BYTES 36  /* f16 d @0, f16 s @2, int8 qs[32] @4 (ggml's block_q8_1) */
#define Q8_K_BYTES 292 /* f32 d @0, int8 qs[256] @4, int16 bsums[16] @260 */

typedef struct quant_info {
	const char *name;      /* ggml's name: "q4_K", "f32", ... */
	uint32_t block_elems;  /* elements per block (1 for plain types) */
	uint32_t block_bytes;  /* bytes per block */
	bool can_dequant;      /* quant_dequant_row supports it */
} quant_info;

/* The table entry for a type id, or NULL for an id ggml does not define
 * (the ids 4, 5, 31-33, 36-38 were retired and are unknown too). */
const quant_info *quant_type_info(uint32_t type);

/* Look a type up by its ggml name, case-insensitively ("q4_k" finds Q4_K).
 * Returns -1 when no type has that name. */
int quant_type_from_name(const char *name);

/* Bytes of a row of n elements. Returns false when n is not a multiple of
 * the block size, the type is unknown, or the size overflows. */
bool quant_row_bytes(uint32_t type, uint64_t n, uint64_t *bytes);

/* IEEE half and bfloat16 conversions: round to nearest even, overflow to
 * infinity, subnormals exact. f16: a NaN keeps its sign and top payload
 * bits (f16 -> f32 -> f16 is the identity on all 65536 values, as numpy).
 * bf16: as ggml, a NaN is made quiet. Never fail. */
float quant_f16_to_f32(uint16_t h);
uint16_t quant_f32_to_f16(float f);
float quant_bf16_to_f32(uint16_t h);
uint16_t quant_f32_to_bf16(float f);

/* Dequantize n elements (a multiple of the block size) of `type` from src,
 * with the float operations of ggml's dequantize_row_* in their order, so
 * the values are identical bit for bit. Supported: F32, F16, BF16, Q4_0,
 * Q4_1, Q5_0, Q5_1, Q8_0, Q8_1 (q * d), Q4_K, Q5_K, Q6_K, Q8_K. Any bytes
 * are accepted (NaN/Inf scales give NaN/Inf values). Returns 0, or -1 with a
 * message for a type without a dequantizer or an n that is negative or not
 * a multiple of the block size. */
int quant_dequant_row(uint32_t type, const void *src, float *dst, int64_t n, errmsg *err);

/* Quantizers of n finite floats into n / block elements blocks at dst. n
 * must be a multiple of the block size (checked by assert). Q4_K, Q6_K and
 * Q8_0 give the bytes of ggml's reference quantizers (quantize_row_*_ref,
 * compiled without FMA contraction); Q8_1 those of ggml's CUDA
 * quantize_q8_1: d = amax/127, q = roundf(x/d) (all 0 when amax is 0),
 * s = the sum of the original x in the order of a warp's xor-shuffle
 * reduction, d and s stored as f16 (s overflows to Inf past 65504). */
void quant_quantize_q4_k(const float *src, void *dst, int64_t n);
void quant_quantize_q6_k(const float *src, void *dst, int64_t n);
void quant_quantize_q8_0(const float *src, void *dst, int64_t n);
void quant_quantize_q8_1(const float *src, void *dst, int64_t n);

#endif
