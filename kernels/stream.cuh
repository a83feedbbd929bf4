/* stream.cuh: what the streaming GEMV variants (q4k_stream*, q6k_stream*)
 * share: wide weight loads that bypass L1, cp.async staging, the
 * "unit" loop (R rows per thread block, the block's warps splitting the
 * row's super-blocks) and its deterministic reduction. The design and the
 * predictions behind every constant are in docs/perf-notes.md.
 *
 * Why these kernels look the way they do: a GEMV at n = 1 reads every
 * weight byte exactly once, so it can only be as fast as DRAM. Reaching
 * the read ceiling needs about 3 TB/s x ~1 us = ~3 MB of loads in flight
 * across the chip, i.e. ~24 KB per SM, with every byte fetched once. The
 * variants therefore
 *  - load 16 bytes per thread per instruction (Q4_K directly into
 *    registers, Q6_K through cp.async into shared memory because its
 *    210-byte blocks are only 2-byte aligned);
 *  - keep several steps of those loads in flight per warp (PIPE register
 *    stages / STAGES shared-memory stages) before the first use;
 *  - give each thread the same columns for R rows at once, so one x read
 *    (from L1: x stays cached there while the weights bypass it) serves R
 *    rows;
 *  - size a unit (R rows) so that all units of a 4096-row matrix are
 *    resident at once: one wave, no tail of late blocks.
 *
 * Every entry still has the common ABI (common.cuh). Compile-time knobs
 * (each with its legal values; the registry only varies WARPS):
 *   STREAM_ROWS   rows per unit (per block), 1..8, default 4 (q6k_stream:
 *                 a divisor of 32)
 *   STREAM_PIPE   Q4_K register stages in flight per warp, 1..4, default 3
 *                 (q4k_stream sets 2)
 *   STREAM_STAGES shared-memory stages per warp: Q6_K 2..4, default 3,
 *                 WARPS * STAGES * (ROWS * 864 + 1152 with XSMEM) bytes must
 *                 fit 48 KB; the Q4_K ring 2..6, WARPS * STAGES *
 *                 (ROWS * 576 + 1152) bytes
 *   STREAM_XPREFETCH  0 or 1, default 0: the Q8_1 forms load the next
 *                 step's x before computing this one (ncu on the H100: the
 *                 top stall of both dp4a kernels is the L1TEX scoreboard,
 *                 x missing L1 a third of the time; docs/perf-notes.md).
 *                 Measured slower on the H100; kept for comparison.
 *   STREAM_RING   0 or 1, q4k_stream_dp4a only, default 1: weights and x
 *                 through a per-warp cp.async ring of STREAM_STAGES slots
 *                 (2..6, default 2 there) instead of register stages
 *   STREAM_XSMEM  0 or 1, q6k_stream_dp4a only, default 1: x by cp.async
 *                 (through L1) in the same ring slot as the weights
 *   STREAM_MINBLOCKS  0 or blocks per SM for __launch_bounds__, the dp4a
 *                 entries only (caps registers; q4k_stream_dp4a's ring sets
 *                 1, which pins 80 registers)
 *   STREAM_ALIGN  16 or 128: copies of a step start and end on 16-byte
 *                 chunks or on 128-byte lines (q6k_stream_dp4a sets 128)
 *   STREAM_TMA    0 or 1: the rings' weights by bulk copies on mbarriers
 *                 (sm_90; cp.async elsewhere). Measured slower on the H100
 *   STREAM_ROTATE 0 or 1, Q6_K: units start at different steps of their
 *                 rows. Measured no faster on the H100
 *   STREAM_SPAN   1, 2 or 4, Q6_K: groups of 4 super-blocks per copy step
 *                 (longer contiguous reads of each row; the slots grow by
 *                 the same factor)
 *   STREAM_PROBE_MODE  research only (bench/probe), see below
 *
 * GG_HOST_EMU: the emulator build (tests/emu) gets plain C++ versions of
 * the PTX below. Its cp.async is deferred until cp.async.wait_group, so
 * a missing wait or __syncwarp reads stale shared memory there too. */
#ifndef GG_STREAM_CUH
#define GG_STREAM_CUH

#include "common.cuh"

#ifndef STREAM_ROWS
#define STREAM_ROWS 4
#endif
#if STREAM_ROWS < 1 || STREAM_ROWS > 8
#error "STREAM_ROWS must be in 1..8"
#endif

#ifndef STREAM_XPREFETCH
#define STREAM_XPREFETCH 0
#endif
#if STREAM_XPREFETCH != 0 && STREAM_XPREFETCH != 1
#error "STREAM_XPREFETCH must be 0 or 1"
#endif

/* STREAM_PROBE_MODE: research only, for bench/probe/timeline.cu; ggscope
 * never sets it. 1: the weights are loaded but the arithmetic is replaced
 * by a fold of the loaded words (what the loads alone cost); 2: the full
 * arithmetic, but every row reads the weights of row (r % 64), which stay
 * in L2 (what the arithmetic costs when memory is fast). Results are
 * meaningless in both. */
#ifndef STREAM_PROBE_MODE
#define STREAM_PROBE_MODE 0
#endif
#if STREAM_PROBE_MODE == 2
#define STREAM_PROBE_ROW(r) ((r) & 63)
#else
#define STREAM_PROBE_ROW(r) (r)
#endif

/* STREAM_MINBLOCKS: 0 (default) or the resident blocks per SM to ask ptxas
 * for (__launch_bounds__'s second argument), which caps the registers. The
 * dp4a entries use STREAM_BOUNDS. */
#ifndef STREAM_MINBLOCKS
#define STREAM_MINBLOCKS 0
#endif
#if STREAM_MINBLOCKS > 0
#define STREAM_BOUNDS __launch_bounds__(GG_THREADS, STREAM_MINBLOCKS)
#else
#define STREAM_BOUNDS __launch_bounds__(GG_THREADS)
#endif

/* STREAM_TMA, the rings' bulk copies (q4k_ring.cuh, q6k_stream.cuh). */
#ifndef STREAM_TMA
#define STREAM_TMA 0
#endif
#if STREAM_TMA != 0 && STREAM_TMA != 1
#error "STREAM_TMA must be 0 or 1"
#endif

/* STREAM_ALIGN, the rings' copy alignment (q4k_ring.cuh, q6k_stream.cuh;
 * q6k_stream_dp4a.cu sets 128). */
#ifndef STREAM_ALIGN
#define STREAM_ALIGN 16
#endif
#if STREAM_ALIGN != 16 && STREAM_ALIGN != 128
#error "STREAM_ALIGN must be 16 or 128"
#endif

/* Super-blocks per warp step: 8 lanes share one super-block, so a warp
 * covers 4 of them (576 bytes of Q4_K, 840 of Q6_K per row) per step. */
#define STREAM_SB_PER_STEP 4

/* 2^64: the fp32 forms' products come out scaled by 2^-64 (stream_x32). */
#define STREAM_TWO64 18446744073709551616.0f

#ifdef GG_HOST_EMU
struct alignas(16) gg_u4 {
	u32 x, y, z, w;
};
#else
typedef uint4 gg_u4;
#endif

/* ------------------------------------------------------------ loads */

#ifndef GG_HOST_EMU
/* 16 bytes of weights, read once: no L1 allocation (x lives in L1 and
 * must stay there), and a 256-byte L2 prefetch hint because neighbouring
 * sectors are always wanted next. p must be 16-byte aligned. */
__device__ __forceinline__ gg_u4 gg_ld_stream_v4(const u8 *p)
{
	gg_u4 v;
	asm("ld.global.nc.L1::no_allocate.L2::256B.v4.u32 {%0, %1, %2, %3}, [%4];"
	    : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
	    : "l"(p));
	return v;
}

/* One aligned word of weights with the same cache policy. */
__device__ __forceinline__ u32 gg_ld_stream_u32(const u8 *p)
{
	u32 v;
	asm("ld.global.nc.L1::no_allocate.L2::256B.u32 %0, [%1];" : "=r"(v) : "l"(p));
	return v;
}

/* The float whose bits are u. With u < 2^23 that is the denormal
 * u * 2^-149, exactly. */
__device__ __forceinline__ float gg_bits_f32(u32 u)
{
	return __uint_as_float(u);
}

__device__ __forceinline__ u32 gg_funnel_r(u32 lo, u32 hi, u32 shift)
{
	return __funnelshift_r(lo, hi, shift);
}

/* A shared-memory address for cp.async: the 32-bit shared-window offset,
 * so that offsets from it are plain 32-bit adds. */
typedef u32 gg_saddr;

__device__ __forceinline__ gg_saddr gg_smem_addr(const void *p)
{
	u32 s;
	asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(s) : "l"(p));
	return s;
}

/* cp.async: 16 bytes global -> shared, bypassing registers and L1 (.cg).
 * Only src_bytes (1..16) are read; the rest of the 16 is zero-filled, so
 * a copy may end exactly at the last byte of the matrix. Both addresses
 * must be 16-byte aligned. */
__device__ __forceinline__ void gg_cp_async16(gg_saddr dst, const void *gsrc, u32 src_bytes)
{
	asm volatile("cp.async.cg.shared.global.L2::256B [%0], [%1], 16, %2;"
		     :
		     : "r"(dst), "l"(gsrc), "r"(src_bytes)
		     : "memory");
}

/* The same, all 16 bytes. */
__device__ __forceinline__ void gg_cp_async16_full(gg_saddr dst, const void *gsrc)
{
	asm volatile("cp.async.cg.shared.global.L2::256B [%0], [%1], 16;" : : "r"(dst), "l"(gsrc) : "memory");
}

/* The same, through L1 (.ca): for x, which every warp of the SM copies in
 * turn. With .cg every warp's copy went to L2, all to the same few lines at
 * once (q6k_stream_dp4a with STREAM_XSMEM ran at half speed, ncu: L1 hit
 * rate 0.2%); through L1 only an SM's first copy does. */
__device__ __forceinline__ void gg_cp_async16_ca(gg_saddr dst, const void *gsrc)
{
	asm volatile("cp.async.ca.shared.global [%0], [%1], 16;" : : "r"(dst), "l"(gsrc) : "memory");
}

__device__ __forceinline__ void gg_cp_commit(void)
{
	asm volatile("cp.async.commit_group;" ::: "memory");
}

/* Wait until at most N of this thread's committed groups are pending.
 * Other lanes' copies are visible only after a __syncwarp as well. */
template <int N> __device__ __forceinline__ void gg_cp_wait(void)
{
	asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
}

/* ---- bulk copies (TMA, sm_90): one instruction moves a whole row segment
 * into shared memory and signals an mbarrier when its bytes have landed.
 * GG_TMA says whether the target has them; STREAM_TMA kernels fall back to
 * per-lane cp.async without. */
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
#define GG_TMA 1
#else
#define GG_TMA 0
#endif
typedef unsigned long long gg_mbar; /* an mbarrier: 8 bytes of shared memory */

__device__ __forceinline__ void gg_mbar_init(gg_mbar *b, u32 count)
{
	asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(gg_smem_addr(b)), "r"(count) : "memory");
}

/* After the inits, before any copy signals them. */
__device__ __forceinline__ void gg_mbar_init_fence(void)
{
#if GG_TMA
	asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
#endif
}

/* This thread's arrival, announcing `bytes` of copies for the phase. */
__device__ __forceinline__ void gg_mbar_expect(gg_mbar *b, u32 bytes)
{
#if GG_TMA
	asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(gg_smem_addr(b)), "r"(bytes)
		     : "memory");
#endif
}

/* Copy `bytes` (a multiple of 16; both addresses 16-byte aligned) from
 * global to shared memory, completing on b. Orders this thread's earlier
 * shared-memory accesses (the slot's last readers, after a __syncwarp)
 * before the copy's writes. */
__device__ __forceinline__ void gg_bulk_copy(void *dst, const void *src, u32 bytes, gg_mbar *b)
{
#if GG_TMA
	asm volatile("fence.proxy.async.shared::cta;\n\t"
		     "cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];"
		     ::"r"(gg_smem_addr(dst)), "l"(src), "r"(bytes), "r"(gg_smem_addr(b))
		     : "memory");
#endif
}

/* Wait until the phase of b with this parity has completed. */
__device__ __forceinline__ void gg_mbar_wait(gg_mbar *b, u32 parity)
{
#if GG_TMA
	u32 done;
	do {
		asm volatile("{ .reg .pred p; mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2; "
			     "selp.u32 %0, 1, 0, p; }"
			     : "=r"(done)
			     : "r"(gg_smem_addr(b)), "r"(parity)
			     : "memory");
	} while (!done);
#endif
}
#else /* GG_HOST_EMU */
#include <stdio.h>
#include <stdlib.h>

static inline gg_u4 gg_ld_stream_v4(const u8 *p)
{
	gg_u4 v;
	memcpy(&v, p, sizeof v);
	return v;
}

static inline u32 gg_ld_stream_u32(const u8 *p)
{
	return *(const u32 *)p;
}

static inline float gg_bits_f32(u32 u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static inline u32 gg_funnel_r(u32 lo, u32 hi, u32 shift)
{
	return (u32)((((uint64_t)hi << 32) | lo) >> (shift & 31));
}

/* A warp barrier: every lane must arrive (the emulator's shuffle is a
 * rendezvous of all 32 lanes). */
static inline void __syncwarp(unsigned mask = 0xffffffffu)
{
	(void)__shfl_sync(mask, 0, 0);
}

/* Deferred copies, per emulated thread: issued into the open group,
 * performed only when a wait retires their group. */
struct gg_emu_copy {
	u8 *dst;
	const u8 *src;
	u32 bytes;
	unsigned group;
};
#define GG_EMU_MAX_COPIES 128
static gg_emu_copy gg_emu_copies[1024][GG_EMU_MAX_COPIES];
static int gg_emu_ncopies[1024];
static unsigned gg_emu_open_group[1024];

/* In the emulator a shared address is simply a pointer. */
typedef u8 *gg_saddr;

static inline gg_saddr gg_smem_addr(const void *p)
{
	return (u8 *)p;
}

static inline void gg_cp_async16(gg_saddr dst, const void *gsrc, u32 src_bytes)
{
	const unsigned t = threadIdx.x;
	if (gg_emu_ncopies[t] == GG_EMU_MAX_COPIES || src_bytes == 0 || src_bytes > 16 ||
	    ((uintptr_t)dst & 15) != 0 || ((uintptr_t)gsrc & 15) != 0) {
		fprintf(stderr, "emu: bad cp.async (thread %u: %d pending, %u bytes, dst %p, src %p)\n", t,
			gg_emu_ncopies[t], src_bytes, (void *)dst, gsrc);
		abort();
	}
	gg_emu_copies[t][gg_emu_ncopies[t]++] = { dst, (const u8 *)gsrc, src_bytes, gg_emu_open_group[t] };
}

static inline void gg_cp_async16_full(gg_saddr dst, const void *gsrc)
{
	gg_cp_async16(dst, gsrc, 16);
}

static inline void gg_cp_async16_ca(gg_saddr dst, const void *gsrc)
{
	gg_cp_async16(dst, gsrc, 16);
}

static inline void gg_cp_commit(void)
{
	gg_emu_open_group[threadIdx.x]++;
}

template <int N> static inline void gg_cp_wait(void)
{
	const unsigned t = threadIdx.x;
	int kept = 0;
	for (int i = 0; i < gg_emu_ncopies[t]; i++) {
		gg_emu_copy *c = &gg_emu_copies[t][i];
		/* committed groups are < open_group; retire all but the newest N */
		if (c->group + N < gg_emu_open_group[t]) {
			memcpy(c->dst, c->src, c->bytes);
			memset(c->dst + c->bytes, 0, 16 - c->bytes);
		} else {
			gg_emu_copies[t][kept++] = *c;
		}
	}
	gg_emu_ncopies[t] = kept;
}

/* Bulk copies and mbarriers: a copy is recorded on its barrier and
 * performed when a thread first waits for that phase, which also checks
 * that the bytes announced by expect match the bytes copied (on the GPU a
 * mismatch hangs the wait). Barriers are found by address. */
#define GG_TMA 1
typedef unsigned long long gg_mbar;
struct gg_emu_bar {
	gg_mbar *key;
	unsigned phase, expected, copied;
	int n;
	struct {
		u8 *dst;
		const u8 *src;
		u32 bytes;
	} c[16];
};
static gg_emu_bar gg_emu_bars[256];

static inline gg_emu_bar *gg_emu_bar_of(gg_mbar *b, bool create)
{
	for (int i = 0; i < 256; i++)
		if (gg_emu_bars[i].key == b)
			return &gg_emu_bars[i];
	if (create)
		for (int i = 0; i < 256; i++)
			if (gg_emu_bars[i].key == NULL) {
				gg_emu_bars[i].key = b;
				return &gg_emu_bars[i];
			}
	fprintf(stderr, "emu: mbarrier %p %s\n", (void *)b, create ? "table full" : "used before init");
	abort();
}

static inline void gg_mbar_init(gg_mbar *b, u32 count)
{
	gg_emu_bar *e = gg_emu_bar_of(b, true);
	(void)count;
	e->phase = e->expected = e->copied = 0;
	e->n = 0;
}

static inline void gg_mbar_init_fence(void)
{
}

static inline void gg_mbar_expect(gg_mbar *b, u32 bytes)
{
	gg_emu_bar_of(b, false)->expected += bytes;
}

static inline void gg_bulk_copy(void *dst, const void *src, u32 bytes, gg_mbar *b)
{
	gg_emu_bar *e = gg_emu_bar_of(b, false);
	if (e->n == 16 || bytes == 0 || bytes % 16 || ((uintptr_t)dst & 15) || ((uintptr_t)src & 15)) {
		fprintf(stderr, "emu: bad bulk copy (%d pending, %u bytes, dst %p, src %p)\n", e->n, bytes, dst, src);
		abort();
	}
	e->c[e->n].dst = (u8 *)dst;
	e->c[e->n].src = (const u8 *)src;
	e->c[e->n].bytes = bytes;
	e->n++;
	e->copied += bytes;
}

static inline void gg_mbar_wait(gg_mbar *b, u32 parity)
{
	gg_emu_bar *e = gg_emu_bar_of(b, false);
	if ((e->phase & 1) != parity)
		return; /* that phase has completed */
	if (e->n == 0 || e->expected != e->copied) {
		fprintf(stderr, "emu: wait on mbarrier %p phase %u: %d copies, %u bytes announced, %u copied "
			"(the GPU would hang)\n", (void *)b, e->phase, e->n, e->expected, e->copied);
		abort();
	}
	for (int i = 0; i < e->n; i++)
		memcpy(e->c[i].dst, e->c[i].src, e->c[i].bytes);
	e->n = 0;
	e->expected = e->copied = 0;
	e->phase++;
}
#endif /* GG_HOST_EMU */

/* dp4a with unsigned bytes in a and signed bytes in b (PTX dp4a.u32.s32):
 * lets a kernel feed high nibbles as (w & 0xF0F0F0F0) with no shift, the
 * sum coming out 16 times larger (exact; the caller shifts it back). */
#ifndef GG_HOST_EMU
__device__ __forceinline__ int gg_dp4a_us(u32 a, int b, int c)
{
	int d;
	asm("dp4a.u32.s32 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
	return d;
}
#else
static inline int gg_dp4a_us(u32 a, int b, int c)
{
	for (int i = 0; i < 4; i++)
		c += (int)(uint8_t)(a >> (8 * i)) * (int)(int8_t)((uint32_t)b >> (8 * i));
	return c;
}
#endif

/* ------------------------------------------------------------ geometry */

/* Rows [unit*STREAM_ROWS, +STREAM_ROWS) form a unit; the block-stride loop
 * covers ceil(n / STREAM_ROWS) units (the registry launches
 * min(n, 16 * SMs) blocks, so blocks past the last unit return at once).
 * Row indices past n are clamped to n-1 for loading and never stored. */
__device__ __forceinline__ int stream_units(int n)
{
	return (n + STREAM_ROWS - 1) / STREAM_ROWS;
}

/* Super-blocks in step s of a row of nb: 4, fewer in the last step. */
__device__ __forceinline__ int stream_nsb(int nb, int s)
{
	const int left = nb - STREAM_SB_PER_STEP * s;
	return left < STREAM_SB_PER_STEP ? left : STREAM_SB_PER_STEP;
}

/* STREAM_TMA rings: one mbarrier per slot of the warp's ring (bars[0..n)),
 * initialised by lane 0 before any copy signals them. */
__device__ __forceinline__ void stream_ring_bars_init(gg_mbar *bars, int n, int lane)
{
	if (lane == 0)
		for (int j = 0; j < n; j++)
			gg_mbar_init(&bars[j], 1);
	gg_mbar_init_fence();
	__syncwarp();
}

/* Wait until slot sl's copies have landed. Bit sl of *ph is the parity of
 * the slot's next phase; the slot is used once per phase. */
__device__ __forceinline__ void stream_ring_bar_wait(gg_mbar *bars, int sl, u32 *ph)
{
	gg_mbar_wait(&bars[sl], (*ph >> sl) & 1u);
	*ph ^= 1u << sl;
}

/* Sum each acc[r] over the block and store it to y[row0 + r] for the rows
 * below n. Every thread of the block must call it; it holds two barriers
 * when WARPS > 1 (the second lets the next unit reuse `part`). The order of
 * additions is fixed, so results do not vary between runs. */
__device__ __forceinline__ void stream_store_rows(float *y, int row0, int n, float acc[STREAM_ROWS],
						  float (*part)[STREAM_ROWS])
{
	const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
	for (int r = 0; r < STREAM_ROWS; r++)
		acc[r] = gg_warp_sum(acc[r]);
	if (WARPS == 1) {
		if (lane == 0) {
#pragma unroll
			for (int r = 0; r < STREAM_ROWS; r++)
				if (row0 + r < n)
					y[row0 + r] = acc[r];
		}
		return;
	}
	if (lane == 0) {
#pragma unroll
		for (int r = 0; r < STREAM_ROWS; r++)
			part[warp][r] = acc[r];
	}
	__syncthreads();
	if (warp == 0 && lane < STREAM_ROWS && row0 + lane < n) {
		float t = 0.0f;
		for (int i = 0; i < WARPS; i++)
			t += part[i][lane];
		y[row0 + lane] = t;
	}
	__syncthreads();
}

/* ------------------------------------------------------------ x, fp32 */

/* The lane's 32 columns of fp32 x, prepared for the exact nibble trick.
 *
 * A weight nibble n sitting at bit 4j of a word w becomes the float whose
 * bits are (w & (0xF << 4j)): the denormal n * 2^(4j-149), exact, in one
 * AND and no conversion instruction. Multiplying it by x * 2^(85-4j) gives
 * n * x * 2^-64 rounded once, like the plain product. So x is scaled once
 * per step (shared by the STREAM_ROWS rows) by the power of two that
 * matches the bit position of its nibble, and the row sums are scaled back
 * by 2^64 with the block scale. Range: |x| < 2^43 (else x * 2^85
 * overflows) and full precision for |n*x| >= 2^-62; products below that
 * are denormal (absolute error 2^-149 * 2^64 = 2^-85, far under any
 * tolerance). The sums `lo_sum` / `hi_sum` are of the unscaled x. */
struct stream_x32 {
	float lo[16], hi[16]; /* scaled x of the lane's two 16-column runs */
	float lo_sum, hi_sum; /* plain sums of the same runs */
};

/* Load 2 x 16 floats at col_lo and col_hi (16-byte aligned) through L1 and
 * scale column i of each run by scale_lo[i % 4] / scale_hi[i % 4]. */
__device__ __forceinline__ void stream_load_x32(const float *x, int col_lo, int col_hi,
						const float scale_lo[4], const float scale_hi[4],
						stream_x32 *o)
{
	float s_lo = 0.0f, s_hi = 0.0f;
#pragma unroll
	for (int t = 0; t < 4; t++) {
		const float4 a = *(const float4 *)(x + col_lo + 4 * t);
		const float4 b = *(const float4 *)(x + col_hi + 4 * t);
		s_lo += (a.x + a.y) + (a.z + a.w);
		s_hi += (b.x + b.y) + (b.z + b.w);
		o->lo[4 * t + 0] = a.x * scale_lo[0];
		o->lo[4 * t + 1] = a.y * scale_lo[1];
		o->lo[4 * t + 2] = a.z * scale_lo[2];
		o->lo[4 * t + 3] = a.w * scale_lo[3];
		o->hi[4 * t + 0] = b.x * scale_hi[0];
		o->hi[4 * t + 1] = b.y * scale_hi[1];
		o->hi[4 * t + 2] = b.z * scale_hi[2];
		o->hi[4 * t + 3] = b.w * scale_hi[3];
	}
	o->lo_sum = s_lo;
	o->hi_sum = s_hi;
}

/* ------------------------------------------------------------ x, Q8_1 */

/* The lane's 2 x 16 int8 values of Q8_1 x (4 words per run), their block
 * scales d8, and the sum of each run's values (for the Q4_K min term and
 * Q6_K's -32 offset). */
struct stream_x8 {
	int lo[4], hi[4];
	float d_lo, d_hi;
	int sum_lo, sum_hi;
};

/* Run `lo` is values off..off+15 of Q8_1 block blk_lo, `hi` the same of
 * blk_hi (off is 0 or 16). The blocks are 36 bytes, so only 4-byte loads
 * are aligned. */
__device__ __forceinline__ void stream_load_x8(const u8 *q8, int blk_lo, int blk_hi, int off,
					       stream_x8 *o)
{
	const u8 *a = q8 + (size_t)blk_lo * Q8_1_BYTES;
	const u8 *b = q8 + (size_t)blk_hi * Q8_1_BYTES;
	int s_lo = 0, s_hi = 0;
#pragma unroll
	for (int t = 0; t < 4; t++) {
		o->lo[t] = (int)gg_ld_u32(a + 4 + off + 4 * t);
		o->hi[t] = (int)gg_ld_u32(b + 4 + off + 4 * t);
		s_lo = __dp4a(0x01010101, o->lo[t], s_lo);
		s_hi = __dp4a(0x01010101, o->hi[t], s_hi);
	}
	o->d_lo = gg_h2f((u16)gg_ld_u16(a));
	o->d_hi = gg_h2f((u16)gg_ld_u16(b));
	o->sum_lo = s_lo;
	o->sum_hi = s_hi;
}

#endif
