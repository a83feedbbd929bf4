/* variant: the registry of GEMV kernel variants and the Q8_1 quantizer.
 *
 * One entry per kernel in kernels/: its source file and entry symbol, the
 * weight type it reads, whether x is fp32 or Q8_1, the legal values of its
 * one compile-time parameter WARPS (-DWARPS=N: the warps of a thread block),
 * and the rules that turn a shape (n rows, k columns) into a launch. The
 * registry is static data; nothing here needs a GPU or allocates.
 *
 * Kernel ABI, the same for every GEMV entry:
 *   extern "C" __global__ void ENTRY(float *y, const unsigned char *w,
 *                                    const void *x, int k, int n)
 * y[r] = sum_c W[r,c] x[c] for r < n. W is row-major, each row
 * ceil(k/256) GGUF super-blocks (Q4_K 144 B, Q6_K 210 B per 256 values).
 * x is k floats (VARIANT_X_F32) or ceil(k/32) ggml block_q8_1 (36 B:
 * f16 d @0, f16 s @2, int8 qs[32] @4) written by the quantizer
 * (VARIANT_X_Q8_1). Buffers must be 16-byte aligned (cuMemAlloc's are).
 * The launch always has exactly warps*32 threads per block: the kernels
 * are compiled for that count and rely on it.
 *
 * The quantizer (variant_quantizer()) has its own ABI:
 *   extern "C" __global__ void quantize_q8_1(const float *x,
 *                                            unsigned char *q8, int k)
 * with ggml's CUDA semantics; see kernels/q8_1.cu. */
#ifndef GGSCOPE_VARIANT_H
#define GGSCOPE_VARIANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

#define VARIANT_MAX_WARPS 8           /* most legal values a variant lists */
#define VARIANT_TILED_MAX_K 12288     /* q4k_tiled: k*4 bytes of x in 48 KB of shared memory */
#define VARIANT_STRIDE_BLOCKS_PER_SM 16 /* grid-stride kernels launch min(n, 16 * SMs) blocks */
#define VARIANT_MAX_K (1u << 30)      /* keeps the kernels' int index arithmetic in range */
#define VARIANT_MAX_N 0x7fffffffu     /* n is an int in the ABI and a grid dimension */

enum variant_kind {
	VARIANT_GEMV,    /* y = W x */
	VARIANT_QUANTIZE /* x (fp32) -> Q8_1, for the dp4a variants */
};

enum variant_input {
	VARIANT_X_F32, /* x is k floats */
	VARIANT_X_Q8_1 /* x is ceil(k/32) block_q8_1 */
};

/* How the grid follows from the shape. */
enum variant_grid {
	VARIANT_GRID_ROW,    /* one block per row: grid n */
	VARIANT_GRID_ROWS,   /* one warp per row, `warps` rows per block: grid ceil(n/warps) */
	VARIANT_GRID_STRIDE, /* grid min(n, 16 * SMs); the kernel strides over rows */
	VARIANT_GRID_VALUES  /* the quantizer: one thread per value of the padded x */
};

typedef struct variant {
	const char *name;        /* registry name, lowercase: "q4k_mwv" */
	const char *entry;       /* kernel symbol in the compiled module */
	const char *file;        /* source file in the kernels directory */
	enum variant_kind kind;
	uint32_t qtype;          /* weight type (QT_Q4_K, QT_Q6_K); QT_Q8_1 for the quantizer */
	enum variant_input input;
	enum variant_grid grid;
	uint8_t n_warps;         /* number of legal WARPS values */
	uint8_t warps[VARIANT_MAX_WARPS]; /* the legal values, ascending */
	uint8_t default_warps;
	const char *warps_means; /* what WARPS is for this kernel: "warps per row", ... */
	bool any_k;              /* k need not be a multiple of 256 (partial last super-block) */
	uint32_t max_k;          /* largest k the kernel takes; 0 = VARIANT_MAX_K */
	const char *description;
} variant;

/* Launch geometry: a 1-D grid of 1-D blocks. */
typedef struct variant_launch {
	uint32_t grid_x;
	uint32_t block_x;            /* threads per block = warps * 32 */
	uint32_t smem_dynamic_bytes; /* dynamic shared memory to request */
} variant_launch;

/* The registry: GEMV variants first (Q4_K, then Q6_K), the quantizer last.
 * variant_at returns NULL for i >= variant_count(). */
size_t variant_count(void);
const variant *variant_at(size_t i);

/* The entry called `name` (case-insensitive), or NULL. Aliases are not
 * looked up here; see variant_resolve. */
const variant *variant_find(const char *name);

/* The Q8_1 quantizer entry (never NULL). */
const variant *variant_quantizer(void);

/* The seed's "legacy" dispatch: for Q4_K q4k_basic when k % 256 != 0,
 * q4k_tiled when k <= 12288, else q4k_chunked; for Q6_K q6k_basic.
 * Returns NULL for any other weight type. */
const variant *variant_legacy_pick(uint32_t qtype, uint32_t k);

/* A user's variant name for weights of `qtype` with k columns: a registry
 * name, or the aliases "q4k_legacy"/"q6k_legacy" ("legacy" picks by qtype),
 * which resolve through variant_legacy_pick. Returns NULL and sets err when
 * the name is unknown, names the quantizer, or the variant reads another
 * weight type. */
const variant *variant_resolve(const char *name, uint32_t qtype, uint32_t k, errmsg *err);

/* Whether `warps` is one of v's legal values. */
bool variant_warps_legal(const variant *v, int warps);

/* The legal warps as text, "1..8" for a run or "4" / "1,2,4" otherwise.
 * Always NUL-terminates (truncating) when len > 0; returns buf. */
char *variant_warps_text(const variant *v, char *buf, size_t len);

/* "f32" or "q8_1". */
const char *variant_input_name(enum variant_input in);

/* Whether v can run on n rows, k columns with `warps`: returns 0, or -1
 * and a message naming the rule (k % 256, k limit, warps not legal, n or k
 * out of the int range, n or k zero) and what to use instead. The
 * quantizer ignores n. */
int variant_check_shape(const variant *v, int warps, uint32_t n, uint32_t k, errmsg *err);

/* Launch geometry for v on the shape, for a device with sm_count SMs (only
 * grid-stride kernels use it). Runs variant_check_shape first. Returns 0,
 * or -1 and a message (shape rejected, sm_count < 1). */
int variant_geometry(const variant *v, int warps, uint32_t n, uint32_t k, int sm_count,
		     variant_launch *out, errmsg *err);

/* Bytes of a weight matrix: n rows of ceil(k/256) super-blocks of qtype
 * (Q4_K or Q6_K; 0 for other types). */
uint64_t variant_weight_bytes(uint32_t qtype, uint32_t n, uint32_t k);

/* Bytes of x quantized to Q8_1: 36 * ceil(k/32). The buffer the quantizer
 * writes and the dp4a variants read. */
uint64_t variant_q8_1_bytes(uint32_t k);

/* Bytes one launch must move at least, for bandwidth figures: weights +
 * x (4k, or the Q8_1 bytes) + y (4n) for a GEMV; 4k read + Q8_1 bytes
 * written for the quantizer. The quantizer pass of a dp4a variant is not
 * included: add variant_bytes(variant_quantizer(), 0, k). */
uint64_t variant_bytes(const variant *v, uint32_t n, uint32_t k);

#endif
