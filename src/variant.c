/* variant: the kernel registry and its shape and launch rules. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "quant.h"
#include "variant.h"

#define W1 1, { 1 }, 1
#define W4 1, { 4 }, 4
#define W8 1, { 8 }, 8
#define W1_8 8, { 1, 2, 3, 4, 5, 6, 7, 8 }, 3 /* default 3: the seed's mwv_warps */
/* The stream variants: a block's warps split its 4 rows' steps of 4
 * super-blocks (k = 4096: 4 steps, k = 14336: 14). Past 4 warps a 4096-row
 * matrix no longer fits one wave, and q6k_stream's cp.async ring (10.4 KB
 * per warp) the 48 KB of static shared memory. Default 2: 15.5 warps per
 * SM for 4096 rows, all resident at once. */
#define W_STREAM 4, { 1, 2, 3, 4 }, 2

static const variant registry[] = {
	{ "q4k_basic", "q4k_basic", "q4k_basic.cu", VARIANT_GEMV, QT_Q4_K, VARIANT_X_F32, VARIANT_GRID_ROW,
	  W1, "warps per row (fixed)", true, 0,
	  "one warp per row, byte loads of scales and quants; any k (the legacy fallback)" },
	{ "q4k_tiled", "q4k_tiled", "q4k_tiled.cu", VARIANT_GEMV, QT_Q4_K, VARIANT_X_F32, VARIANT_GRID_ROWS,
	  W4, "rows per block, one warp each (fixed)", false, VARIANT_TILED_MAX_K,
	  "x staged in shared memory (k*4 bytes), one warp per row; legacy for k <= 12288" },
	{ "q4k_chunked", "q4k_chunked", "q4k_chunked.cu", VARIANT_GEMV, QT_Q4_K, VARIANT_X_F32, VARIANT_GRID_ROWS,
	  W4, "rows per block, one warp each (fixed)", false, 0,
	  "x staged through a 32 KB shared buffer in 8192-float chunks; legacy for k > 12288" },
	{ "q4k_coalesced", "q4k_coalesced", "q4k_coalesced.cu", VARIANT_GEMV, QT_Q4_K, VARIANT_X_F32, VARIANT_GRID_ROW,
	  W1, "warps per row (fixed)", false, 0,
	  "one warp per row; lane 0 loads the scales as 3 u32 and broadcasts them by shuffle" },
	{ "q4k_wide", "q4k_wide", "q4k_wide.cu", VARIANT_GEMV, QT_Q4_K, VARIANT_X_F32, VARIANT_GRID_ROW,
	  W8, "warps per row (fixed)", false, 0,
	  "8 warps per row over strided super-blocks, cross-warp sum in shared memory" },
	{ "q4k_vectorized", "q4k_vectorized", "q4k_vectorized.cu", VARIANT_GEMV, QT_Q4_K, VARIANT_X_F32,
	  VARIANT_GRID_ROW, W1, "warps per row (fixed)", false, 0,
	  "one warp per row, one coalesced u32 of quants per lane, x as float4" },
	{ "q4k_mwv", "q4k_mwv", "q4k_mwv.cu", VARIANT_GEMV, QT_Q4_K, VARIANT_X_F32, VARIANT_GRID_ROW,
	  W1_8, "warps per row", true, 0,
	  "multi-warp vectorized: u32 quant loads, float4 x, warps stride over super-blocks; any k" },
	{ "q4k_mwv_dp4a", "q4k_mwv_dp4a", "q4k_mwv_dp4a.cu", VARIANT_GEMV, QT_Q4_K, VARIANT_X_Q8_1,
	  VARIANT_GRID_STRIDE, W1_8, "warps per block", false, 0,
	  "multi-warp dp4a against Q8_1 x, 32 lanes per super-block, grid-stride rows" },
	{ "q4k_hw_dp4a", "q4k_hw_dp4a", "q4k_hw_dp4a.cu", VARIANT_GEMV, QT_Q4_K, VARIANT_X_Q8_1,
	  VARIANT_GRID_STRIDE, W1_8, "warps per block", false, 0,
	  "half-warp dp4a against Q8_1 x, 16 threads per super-block, grid-stride rows" },
	{ "q4k_stream", "q4k_stream", "q4k_stream.cu", VARIANT_GEMV, QT_Q4_K, VARIANT_X_F32, VARIANT_GRID_STRIDE,
	  W_STREAM, "warps splitting each 4-row group's k", false, 0,
	  "16-byte weight loads 2 steps deep, 4 rows per block sharing x, conversion-free nibbles" },
	{ "q4k_stream_dp4a", "q4k_stream_dp4a", "q4k_stream_dp4a.cu", VARIANT_GEMV, QT_Q4_K, VARIANT_X_Q8_1,
	  VARIANT_GRID_STRIDE, W_STREAM, "warps splitting each 4-row group's k", false, 0,
	  "16-byte weight loads 3 steps deep, 4 rows per block sharing Q8_1 x, dp4a" },
	{ "q6k_basic", "q6k_basic", "q6k_basic.cu", VARIANT_GEMV, QT_Q6_K, VARIANT_X_F32, VARIANT_GRID_ROW,
	  W1, "warps per row (fixed)", true, 0,
	  "one warp per row, byte loads; any k (the legacy fallback)" },
	{ "q6k_mwv", "q6k_mwv", "q6k_mwv.cu", VARIANT_GEMV, QT_Q6_K, VARIANT_X_F32, VARIANT_GRID_ROW,
	  W1_8, "warps per row", true, 0,
	  "multi-warp, scales broadcast by shuffle, warps stride over super-blocks; any k" },
	{ "q6k_dp4a", "q6k_dp4a", "q6k_dp4a.cu", VARIANT_GEMV, QT_Q6_K, VARIANT_X_Q8_1, VARIANT_GRID_STRIDE,
	  W1_8, "warps per block", false, 0,
	  "multi-warp dp4a against Q8_1 x, 32 lanes per super-block, grid-stride rows" },
	{ "q6k_hw_dp4a", "q6k_hw_dp4a", "q6k_hw_dp4a.cu", VARIANT_GEMV, QT_Q6_K, VARIANT_X_Q8_1,
	  VARIANT_GRID_STRIDE, W1_8, "warps per block", false, 0,
	  "half-warp dp4a against Q8_1 x, one 16-value sub-block per thread, grid-stride rows" },
	{ "q6k_stream", "q6k_stream", "q6k_stream.cu", VARIANT_GEMV, QT_Q6_K, VARIANT_X_F32, VARIANT_GRID_STRIDE,
	  W_STREAM, "warps splitting each 4-row group's k", false, 0,
	  "cp.async 16-byte copies 3 stages deep per warp, 4 rows per block sharing x" },
	{ "q6k_stream_dp4a", "q6k_stream_dp4a", "q6k_stream_dp4a.cu", VARIANT_GEMV, QT_Q6_K, VARIANT_X_Q8_1,
	  VARIANT_GRID_STRIDE, W_STREAM, "warps splitting each 2-row group's k", false, 0,
	  "cp.async 16-byte copies 3 stages deep per warp, 2 rows per block sharing Q8_1 x, dp4a" },
	{ "quantize_q8_1", "quantize_q8_1", "q8_1.cu", VARIANT_QUANTIZE, QT_Q8_1, VARIANT_X_F32, VARIANT_GRID_VALUES,
	  W8, "warps per block (fixed)", true, 0,
	  "x to Q8_1 for the dp4a variants, ggml's CUDA semantics (one warp per 32 values)" },
};

#define REGISTRY_COUNT (sizeof registry / sizeof registry[0])

size_t
variant_count(void)
{
	return REGISTRY_COUNT;
}

const variant *
variant_at(size_t i)
{
	return i < REGISTRY_COUNT ? &registry[i] : NULL;
}

const variant *
variant_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < REGISTRY_COUNT; i++)
		if (strcasecmp(registry[i].name, name) == 0)
			return &registry[i];
	return NULL;
}

const variant *
variant_quantizer(void)
{
	return &registry[REGISTRY_COUNT - 1];
}

const variant *
variant_legacy_pick(uint32_t qtype, uint32_t k)
{
	if (qtype == QT_Q4_K) {
		if (k % QK_K != 0)
			return variant_find("q4k_basic");
		return variant_find(k <= VARIANT_TILED_MAX_K ? "q4k_tiled" : "q4k_chunked");
	}
	if (qtype == QT_Q6_K)
		return variant_find("q6k_basic");
	return NULL;
}

static const char *
qtype_label(uint32_t qtype)
{
	switch (qtype) {
	case QT_Q4_K:
		return "Q4_K";
	case QT_Q6_K:
		return "Q6_K";
	case QT_Q8_1:
		return "Q8_1";
	default:
		return "another type";
	}
}

const variant *
variant_resolve(const char *name, uint32_t qtype, uint32_t k, errmsg *err)
{
	const variant *v;

	if (name == NULL || *name == '\0') {
		errmsg_set(err, "empty variant name");
		return NULL;
	}
	if (strcasecmp(name, "legacy") == 0 ||
	    (strcasecmp(name, "q4k_legacy") == 0 && qtype == QT_Q4_K) ||
	    (strcasecmp(name, "q6k_legacy") == 0 && qtype == QT_Q6_K)) {
		v = variant_legacy_pick(qtype, k);
		if (v == NULL)
			errmsg_set(err, "variant %s: no legacy kernel for %s weights", name, qtype_label(qtype));
		return v;
	}
	if (strcasecmp(name, "q4k_legacy") == 0 || strcasecmp(name, "q6k_legacy") == 0) {
		errmsg_set(err, "variant %s runs on %s weights, not on %s", name,
			   tolower((unsigned char)name[1]) == '4' ? "Q4_K" : "Q6_K", qtype_label(qtype));
		return NULL;
	}
	v = variant_find(name);
	if (v == NULL) {
		errmsg_set(err, "unknown variant '%s' (ggscope kernels lists them)", name);
		return NULL;
	}
	if (v->kind != VARIANT_GEMV) {
		errmsg_set(err, "%s is the activation quantizer, not a GEMV variant", v->name);
		return NULL;
	}
	if (v->qtype != qtype) {
		errmsg_set(err, "variant %s runs on %s weights, not on %s", v->name, qtype_label(v->qtype),
			   qtype_label(qtype));
		return NULL;
	}
	return v;
}

bool
variant_warps_legal(const variant *v, int warps)
{
	int i;

	for (i = 0; i < v->n_warps; i++)
		if (v->warps[i] == warps)
			return true;
	return false;
}

char *
variant_warps_text(const variant *v, char *buf, size_t len)
{
	size_t used = 0;
	int i, run = 1;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 1; i < v->n_warps; i++)
		if (v->warps[i] != v->warps[i - 1] + 1)
			run = 0;
	if (run && v->n_warps > 2) {
		snprintf(buf, len, "%d..%d", v->warps[0], v->warps[v->n_warps - 1]);
		return buf;
	}
	for (i = 0; i < v->n_warps && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%d", i ? "," : "", v->warps[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

const char *
variant_input_name(enum variant_input in)
{
	return in == VARIANT_X_Q8_1 ? "q8_1" : "f32";
}

int
variant_check_shape(const variant *v, int warps, uint32_t n, uint32_t k, errmsg *err)
{
	const uint32_t max_k = v->max_k ? v->max_k : VARIANT_MAX_K;
	char legal[64];

	if (!variant_warps_legal(v, warps)) {
		errmsg_set(err, "%s: warps = %d is not legal (legal: %s)", v->name, warps,
			   variant_warps_text(v, legal, sizeof legal));
		return -1;
	}
	if (k == 0) {
		errmsg_set(err, "%s: k = 0 (no columns)", v->name);
		return -1;
	}
	if (v->kind == VARIANT_GEMV) {
		if (n == 0) {
			errmsg_set(err, "%s: n = 0 (no rows)", v->name);
			return -1;
		}
		if (n > VARIANT_MAX_N) {
			errmsg_set(err, "%s: n = %u exceeds %u, the largest row count the int ABI takes",
				   v->name, n, VARIANT_MAX_N);
			return -1;
		}
	}
	if (k > VARIANT_MAX_K) {
		errmsg_set(err, "%s: k = %u exceeds %u, where the kernels' int index arithmetic ends",
			   v->name, k, VARIANT_MAX_K);
		return -1;
	}
	if (!v->any_k && k % QK_K != 0) {
		errmsg_set(err, "%s needs k %% 256 == 0 (k = %u, %u past a super-block); %s", v->name, k,
			   k % QK_K,
			   v->qtype == QT_Q6_K ? "q6k_basic and q6k_mwv take any k"
					       : "q4k_basic and q4k_mwv take any k");
		return -1;
	}
	if (k > max_k) {
		errmsg_set(err, "%s stages x in shared memory and needs k <= %u (k = %u needs %llu bytes, "
			   "more than 48 KB); use q4k_chunked", v->name, max_k, k, 4ull * k);
		return -1;
	}
	return 0;
}

int
variant_geometry(const variant *v, int warps, uint32_t n, uint32_t k, int sm_count,
		 variant_launch *out, errmsg *err)
{
	uint64_t grid = 0, values;

	if (variant_check_shape(v, warps, n, k, err) < 0)
		return -1;
	out->block_x = (uint32_t)warps * 32;
	out->smem_dynamic_bytes = 0;
	switch (v->grid) {
	case VARIANT_GRID_ROW:
		grid = n;
		break;
	case VARIANT_GRID_ROWS:
		grid = ((uint64_t)n + (uint64_t)warps - 1) / (uint64_t)warps;
		if (v->max_k != 0) /* x staged whole: k floats of dynamic shared memory */
			out->smem_dynamic_bytes = 4 * k;
		break;
	case VARIANT_GRID_STRIDE:
		if (sm_count < 1) {
			errmsg_set(err, "%s: the grid needs the device's SM count (got %d)", v->name, sm_count);
			return -1;
		}
		grid = (uint64_t)VARIANT_STRIDE_BLOCKS_PER_SM * (uint64_t)sm_count;
		if (grid > n)
			grid = n;
		break;
	case VARIANT_GRID_VALUES:
		values = ((uint64_t)k + QK8_1 - 1) / QK8_1 * QK8_1;
		grid = (values + out->block_x - 1) / out->block_x;
		break;
	}
	out->grid_x = (uint32_t)grid;
	return 0;
}

uint64_t
variant_weight_bytes(uint32_t qtype, uint32_t n, uint32_t k)
{
	const uint64_t blocks = ((uint64_t)k + QK_K - 1) / QK_K;

	if (qtype == QT_Q4_K)
		return (uint64_t)n * blocks * Q4_K_BYTES;
	if (qtype == QT_Q6_K)
		return (uint64_t)n * blocks * Q6_K_BYTES;
	return 0;
}

uint64_t
variant_q8_1_bytes(uint32_t k)
{
	return ((uint64_t)k + QK8_1 - 1) / QK8_1 * Q8_1_BYTES;
}

uint64_t
variant_bytes(const variant *v, uint32_t n, uint32_t k)
{
	if (v->kind == VARIANT_QUANTIZE)
		return 4ull * k + variant_q8_1_bytes(k);
	return variant_weight_bytes(v->qtype, n, k) +
	       (v->input == VARIANT_X_Q8_1 ? variant_q8_1_bytes(k) : 4ull * k) + 4ull * n;
}
