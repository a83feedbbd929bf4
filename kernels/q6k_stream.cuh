/* q6k_stream.cuh: the body of q6k_stream (fp32 x) and q6k_stream_dp4a
 * (Q8_1 x): Q6_K GEMV that streams the weights through shared memory with
 * 16-byte cp.async copies, STREAM_STAGES steps deep per warp.
 *
 * Why shared memory. Q6_K super-blocks are 210 bytes, so a super-block
 * starts at any even offset mod 16 and 16-byte loads of its fields are
 * misaligned. But a row's run of super-blocks is one contiguous byte range:
 * its cover by aligned 16-byte chunks can be copied as is (every DRAM byte
 * once; the two end chunks are shared with the neighbouring ranges and
 * come from L2 the second time), and the misalignment is handled where it
 * is cheap, in shared memory (4-byte reads and a funnel shift).
 *
 * Work split. A block computes STREAM_ROWS rows (a unit; block-stride over
 * units). A warp step covers super-blocks 4P s..4P s+4P-1 of every row
 * (P = STREAM_SPAN quads of 4); the block's WARPS warps take steps warp,
 * warp+WARPS, ... Each warp owns a ring of STREAM_STAGES slots; a slot
 * holds, per row, the aligned chunks covering the step's 840 P bytes (at
 * P = 1, 54 chunks = 864 bytes, or 64 at STREAM_ALIGN 128). Copying needs
 * only __syncwarp, never a block barrier.
 *
 * Inside a quad q of the step, lane = 8*o + t: super-block 4q + o; t = 4*hh + 2*a + s2
 * picks 16 ql bytes at 64hh + 32a + 16s2 and 16 qh bytes at
 * 128 + 32hh + 16s2. Byte i of them gives column 128hh + 32a + 16s2 + i
 * (low nibble, qh bits 2a..2a+1, sub-block 8hh + 2a + s2) and the column
 * 64 above (high nibble, qh bits 2a+4.., sub-block 8hh + 4 + 2a + s2): two
 * runs of 16 columns that share one int8 scale each, like q4k_stream's
 * two runs. x for the runs is read once per step for all rows.
 *
 * q - 32 is folded in as sum(q*x) - 32*sum(x) per run. */
#ifndef GG_Q6K_STREAM_CUH
#define GG_Q6K_STREAM_CUH

#include "stream.cuh"

#ifndef STREAM_STAGES
#define STREAM_STAGES 3
#endif
#if STREAM_STAGES < 2 || STREAM_STAGES > 4
#error "STREAM_STAGES must be in 2..4"
#endif

#ifndef STREAM_XSMEM
#define STREAM_XSMEM 0
#endif
/* STREAM_TMA (Q8_1 form with STREAM_XSMEM, sm_90): each row's segment of a
 * step goes by one bulk copy (TMA) issued by lane 0 and signalled on an
 * mbarrier per slot, instead of ~54 per-lane 16-byte cp.async. ncu on the
 * H100 put the per-lane copies and their address arithmetic at ~45% of the
 * loop's instructions. x stays on per-lane cp.async.ca: a bulk copy would
 * read it from L2 for every warp (the hot spot STREAM_XSMEM avoids).
 * Measured no faster on the H100 (BENCHMARKS.md): the loop is not
 * issue-bound. */
/* STREAM_ROTATE: unit u starts its row at step (5u mod nsteps) and wraps,
 * so that the blocks in flight read different offsets of their rows
 * rather than all the same one. Tried because the row-pattern read of a
 * Q6_K 4096 x 14336 matrix (11760-byte rows) took 17.3-18.6 us against
 * 16.2 us for a contiguous read; measured no faster on the H100. The cost
 * was copies starting and ending inside 128-byte lines (STREAM_ALIGN). */
#ifndef STREAM_ROTATE
#define STREAM_ROTATE 0
#endif
#if STREAM_ROTATE != 0 && STREAM_ROTATE != 1
#error "STREAM_ROTATE must be 0 or 1"
#endif
#if STREAM_XSMEM != 0 && STREAM_XSMEM != 1
#error "STREAM_XSMEM must be 0 or 1"
#endif

/* STREAM_ALIGN: 16 or 128, the alignment of each copied range's start and
 * (but at the matrix's end) its end. The row-pattern probe on the H100 read
 * Q6_K's 840-byte steps 4-10% faster when every copy began and ended on a
 * 128-byte line (bench/probe: 17.30 against 18.51 us at 2 rows and 1 warp,
 * 16.70 against 17.57 at 4 warps), for up to 254 bytes more per step from
 * L2 and none more from DRAM: a range that starts or ends inside a line
 * costs an extra L2 request for that line. Slots grow from 864 to 1024
 * bytes per row. */

/* STREAM_SPAN: 1, 2 or 4 groups of 4 super-blocks ("quads") per copy step.
 * The lanes still compute one quad at a time (8 lanes per super-block),
 * SPAN quads from each landed slot, so a warp reads SPAN x 840 contiguous
 * bytes of each row per copy instead of 840. Tried because the row-pattern
 * probe read Q6_K rows faster the more contiguous bytes of a row were in
 * flight together (bench/probe: 16.70 us at 4 warps against 17.30 at 1
 * warp, docs/perf-notes.md). */
#ifndef STREAM_SPAN
#define STREAM_SPAN 1
#endif
#if STREAM_SPAN != 1 && STREAM_SPAN != 2 && STREAM_SPAN != 4
#error "STREAM_SPAN must be 1, 2 or 4"
#endif
#if STREAM_SPAN != 1 && STREAM_XPREFETCH
#error "STREAM_XPREFETCH needs STREAM_SPAN 1"
#endif
#define Q6S_QUAD_BYTES (STREAM_SB_PER_STEP * Q6K_BYTES) /* 840 */
#define Q6S_SB (STREAM_SPAN * STREAM_SB_PER_STEP)        /* super-blocks per copy step */
#define Q6S_STEP_BYTES (Q6S_SB * Q6K_BYTES)
/* super-blocks of copy step s (fewer at the row's end) */
__device__ __forceinline__ int q6s_nsb(int nb, int s)
{
	const int left = nb - Q6S_SB * s;
	return left < Q6S_SB ? left : Q6S_SB;
}
/* 16-byte chunks of the STREAM_ALIGN cover of a step's bytes that start at
 * an even offset: for 840 bytes 54 (16-byte cover) or 64 (128-byte cover) */
#define Q6S_SEG_CHUNKS \
	(((STREAM_ALIGN - 2 + Q6S_STEP_BYTES + STREAM_ALIGN - 1) / STREAM_ALIGN) * (STREAM_ALIGN / 16))

/* Lanes per row when copying: the warp's 32 lanes split over the
 * STREAM_ROWS rows, each lane copying every Q6S_LPR-th chunk of its row. */
#if 32 % STREAM_ROWS != 0
#error "q6k_stream needs STREAM_ROWS to divide 32"
#endif
#define Q6S_LPR (32 / STREAM_ROWS)
#define Q6S_CHUNKS_PER_LANE ((Q6S_SEG_CHUNKS + Q6S_LPR - 1) / Q6S_LPR)

/* Copy one step of the lane's row (row lane / Q6S_LPR) into its part of a
 * ring slot: the aligned chunks covering super-blocks 4s.. of the row
 * (fewer at the row's end), chunk ci = lane % Q6S_LPR + Q6S_LPR * m. `seg`
 * is the byte offset of super-block 4s. A chunk may run up to 15 bytes past
 * the step's last super-block into the next row's bytes, which is harmless,
 * except at the very end of the matrix: `last` (the last step of the last
 * row) makes every copy stop at the step's last byte (cp.async zero-fills
 * the rest), so nothing past the matrix is read. Commits nothing: the
 * caller commits one group per step. */
__device__ __forceinline__ void q6s_issue(gg_u4 (*slot)[Q6S_SEG_CHUNKS], const u8 *w, size_t seg, int nsb,
					  bool last, int lane)
{
	const int r = lane / Q6S_LPR, c0 = lane % Q6S_LPR;
	const size_t al = seg & ~(size_t)(STREAM_ALIGN - 1);
	/* bytes to copy from chunk c0's start on: the step's range, run on to
	 * the next STREAM_ALIGN boundary except at the matrix's end */
	const int span = (int)(seg - al) + nsb * Q6K_BYTES;
	const int left0 = (STREAM_ALIGN == 16 || last ? span : (span + STREAM_ALIGN - 1) & ~(STREAM_ALIGN - 1)) -
			  16 * c0;
	const u8 *src = w + al + 16 * (size_t)c0;
	const gg_saddr dst = gg_smem_addr(&slot[r][c0]);
	if (!last) {
#pragma unroll
		for (int m = 0; m < Q6S_CHUNKS_PER_LANE; m++)
			if (left0 > 16 * Q6S_LPR * m)
				gg_cp_async16_full(dst + 16 * Q6S_LPR * m, src + 16 * Q6S_LPR * m);
	} else {
		for (int m = 0; m < Q6S_CHUNKS_PER_LANE; m++) {
			const int left = left0 - 16 * Q6S_LPR * m;
			if (left > 0)
				gg_cp_async16(dst + 16 * Q6S_LPR * m, src + 16 * Q6S_LPR * m,
					      left < 16 ? (u32)left : 16u);
		}
	}
}

/* 16 bytes from shared memory at a 2-byte aligned address: five aligned
 * words and a funnel shift (misalignment 0 or 2 bytes). `at` is the byte
 * offset of p from a 16-byte aligned base, which fixes the misalignment. */
__device__ __forceinline__ void q6s_read16(const u8 *p, int at, u32 out[4])
{
	const int mis = at & 3;
	const u32 *q = (const u32 *)(p - mis);
	const u32 v0 = q[0], v1 = q[1], v2 = q[2], v3 = q[3], v4 = q[4];
	const u32 sh = 8u * (u32)mis;
	out[0] = gg_funnel_r(v0, v1, sh);
	out[1] = gg_funnel_r(v1, v2, sh);
	out[2] = gg_funnel_r(v2, v3, sh);
	out[3] = gg_funnel_r(v3, v4, sh);
}

/* Bits 0-3 of each byte from `nib`, bits 4-7 from `hi` (one LOP3). */
__device__ __forceinline__ u32 q6s_merge(u32 nib, u32 hi)
{
	return (nib & 0x0F0F0F0Fu) | (hi & 0xF0F0F0F0u);
}

/* The lane's Q8_1 x for quad q (super-block 4q + o; column 0 past the
 * row's end, so every load stays in bounds). */
__device__ __forceinline__ void q6s_load_x8(const void *xv, int q, int nb, int lane, stream_x8 *x)
{
	const int o = lane >> 3, t = lane & 7;
	const int hh = t >> 2, a = (t >> 1) & 1, s2 = t & 1;
	const int b = STREAM_SB_PER_STEP * q + o;
	const int bx = b < nb ? b : 0;
	stream_load_x8((const u8 *)xv, bx * 8 + 4 * hh + a, bx * 8 + 4 * hh + a + 2, 16 * s2, x);
}

/* STREAM_XSMEM (Q8_1 form): x travels with the weights. A step's x is
 * 4 super-blocks x 8 Q8_1 blocks = 1152 contiguous bytes at 1152 * s, 16-byte
 * aligned (288 = 18 x 16 per super-block), copied by cp.async into the
 * warp's x slot in the same commit group as the step's weights, so the
 * wait that covers the weights covers x too and no step stalls on an x load
 * that missed L1 (ncu on the H100: 45% of q6k_stream_dp4a's stall samples sat
 * on the first dp4a after the x loads; docs/perf-notes.md). */
#define Q6S_X_CHUNKS (Q6S_SB * 8 * Q8_1_BYTES / 16) /* 72 per quad */

__device__ __forceinline__ void q6s_issue_x(gg_u4 *xslot, const void *xv, int s, int nb, int lane)
{
	const int chunks = q6s_nsb(nb, s) * (8 * Q8_1_BYTES / 16);
	const u8 *src = (const u8 *)xv + (size_t)s * (Q6S_X_CHUNKS * 16);
	const gg_saddr dst = gg_smem_addr(xslot);
#pragma unroll
	for (int c = lane; c < Q6S_X_CHUNKS; c += 32)
		if (c < chunks)
			gg_cp_async16_ca(dst + 16 * c, src + 16 * c);
}

/* STREAM_TMA: lane 0 copies step s of every row (seg = the step's byte
 * offset in the row) into the slot, one bulk copy per row, announced on
 * bar. A bulk copy moves whole 16-byte chunks, so where a row's cover would
 * run past the matrix (its last bytes when the matrix size is not a
 * multiple of 16) the last partial chunk is stored by lane 0 itself; no
 * byte past the matrix is read. The other lanes see those stores after the
 * __syncwarp that follows the wait. */
__device__ __forceinline__ void q6s_issue_tma(gg_u4 (*slot)[Q6S_SEG_CHUNKS], gg_mbar *bar, const u8 *w,
					      const size_t rowoff[STREAM_ROWS], size_t seg, int nsb, size_t total,
					      int lane)
{
	if (lane != 0)
		return;
	size_t al[STREAM_ROWS];
	u32 full[STREAM_ROWS], tail[STREAM_ROWS], sum = 0;
#pragma unroll
	for (int r = 0; r < STREAM_ROWS; r++) {
		const size_t start = rowoff[r] + seg, end = start + (size_t)nsb * Q6K_BYTES;
		al[r] = start & ~(size_t)(STREAM_ALIGN - 1);
		const u32 cover = (u32)((end - al[r] + 15) & ~(size_t)15);
		const bool past = al[r] + cover > total;
		full[r] = past ? (u32)((end - al[r]) & ~(size_t)15) : cover;
		tail[r] = past ? (u32)(end - al[r]) - full[r] : 0;
		sum += full[r];
	}
	gg_mbar_expect(bar, sum);
#pragma unroll
	for (int r = 0; r < STREAM_ROWS; r++) {
		if (full[r])
			gg_bulk_copy(slot[r], w + al[r], full[r], bar);
#pragma unroll 1
		for (u32 t = 0; t < tail[r]; t++)
			((u8 *)slot[r])[full[r] + t] = w[al[r] + full[r] + t];
	}
}

/* The lane's Q8_1 x for quad h of step s from its x slot (block 0 of the
 * slot past the row's end: the slot always holds the step's first
 * super-block). */
__device__ __forceinline__ void q6s_load_x8_slot(const gg_u4 *xslot, int s, int h, int nb, int lane, stream_x8 *x)
{
	const int o = lane >> 3, t = lane & 7;
	const int hh = t >> 2, a = (t >> 1) & 1, s2 = t & 1;
	const int ox = Q6S_SB * s + STREAM_SB_PER_STEP * h + o < nb ? STREAM_SB_PER_STEP * h + o : 0;
	stream_load_x8((const u8 *)xslot, ox * 8 + 4 * hh + a, ox * 8 + 4 * hh + a + 2, 16 * s2, x);
}

/* The lane's fields of one row's super-block 4(SPAN s + h) + o in its ring
 * slot (row offset rowoff in the matrix): 16 ql and 16 qh bytes at ql_at and
 * qh_at, the two int8 scales at sc_at and sc_at + 4, and d. Both forms read
 * them alike; only their arithmetic differs. */
struct q6s_fields {
	u32 ql[4], qh[4];
	int sc_lo, sc_hi;
	float d;
};

__device__ __forceinline__ void q6s_read_fields(const gg_u4 *slot_row, size_t rowoff, int s, int h, int o, int ql_at,
						int qh_at, int sc_at, q6s_fields *f)
{
	const int at = (int)((rowoff + (size_t)s * Q6S_STEP_BYTES) & (STREAM_ALIGN - 1)) + Q6S_QUAD_BYTES * h +
		       Q6K_BYTES * o;
	const u8 *sb = (const u8 *)slot_row + at;
	q6s_read16(sb + ql_at, at + ql_at, f->ql);
	q6s_read16(sb + qh_at, at + qh_at, f->qh);
	f->sc_lo = ((const i8 *)sb)[sc_at];
	f->sc_hi = ((const i8 *)sb)[sc_at + 4];
	f->d = gg_h2f((u16)gg_ld_u16(sb + 208));
}

/* Quad h of step s of the Q8_1 form with x already loaded: every row. */
__device__ __forceinline__ void q6s_step_q8(gg_u4 (*slot)[Q6S_SEG_CHUNKS], const size_t rowoff[STREAM_ROWS],
					    int s, int h, int nb, const stream_x8 &x, int lane, float acc[STREAM_ROWS])
{
	const int o = lane >> 3, t = lane & 7;
	const int hh = t >> 2, a = (t >> 1) & 1, s2 = t & 1;
	const bool valid = Q6S_SB * s + STREAM_SB_PER_STEP * h + o < nb;
	const int ql_at = 64 * hh + 32 * a + 16 * s2, qh_at = 128 + 32 * hh + 16 * s2;
	const int sc_at = 192 + 8 * hh + 2 * a + s2;
	const int off_lo = 32 * x.sum_lo, off_hi = 32 * x.sum_hi;
#pragma unroll
	for (int r = 0; r < STREAM_ROWS; r++) {
		q6s_fields f;
		q6s_read_fields(slot[r], rowoff[r], s, h, o, ql_at, qh_at, sc_at, &f);
		int dl = 0, dh = 0;
#pragma unroll
		for (int k4 = 0; k4 < 4; k4++) {
			/* clean 6-bit bytes: dp4a reads all 8 bits */
			const u32 vl = (f.ql[k4] & 0x0F0F0F0Fu) | ((f.qh[k4] << (4 - 2 * a)) & 0x30303030u);
			const u32 vh = ((f.ql[k4] >> 4) & 0x0F0F0F0Fu) | ((f.qh[k4] >> (2 * a)) & 0x30303030u);
			dl = __dp4a((int)vl, x.lo[k4], dl);
			dh = __dp4a((int)vh, x.hi[k4], dh);
		}
		const float v = f.d * (x.d_lo * (float)(f.sc_lo * (dl - off_lo)) +
				       x.d_hi * (float)(f.sc_hi * (dh - off_hi)));
		acc[r] += valid ? v : 0.0f;
	}
}

/* Quad h of step s for one lane from its ring slot: x for super-block
 * 4(SPAN s + h) + o, then every row. `valid` false (octet past the row's
 * end) adds nothing and reads x at column 0; its shared-memory reads stay
 * inside the slot. */
template <bool Q8>
__device__ __forceinline__ void q6s_step(gg_u4 (*slot)[Q6S_SEG_CHUNKS], const size_t rowoff[STREAM_ROWS],
					 int s, int h, int nb, const void *xv, int lane, float acc[STREAM_ROWS])
{
	const int o = lane >> 3, t = lane & 7;
	const int hh = t >> 2, a = (t >> 1) & 1, s2 = t & 1;
	const int b = Q6S_SB * s + STREAM_SB_PER_STEP * h + o;
	const bool valid = b < nb;
	const int bx = valid ? b : 0;
	/* offsets inside the super-block */
	const int ql_at = 64 * hh + 32 * a + 16 * s2, qh_at = 128 + 32 * hh + 16 * s2;
	const int sc_at = 192 + 8 * hh + 2 * a + s2;

	if constexpr (!Q8) {
		/* bytes 0, 1 of each word: bits 0-5 after (v, v >> 8): x * 2^85;
		 * bytes 2, 3: bits 16-21: x * 2^69 (see stream_x32) */
		const float scale[4] = { 0x1p85f, 0x1p85f, 0x1p69f, 0x1p69f };
		const int col_lo = bx * QK_K + 128 * hh + 32 * a + 16 * s2;
		stream_x32 x;
		stream_load_x32((const float *)xv, col_lo, col_lo + 64, scale, scale, &x);
#pragma unroll
		for (int r = 0; r < STREAM_ROWS; r++) {
			q6s_fields f;
			q6s_read_fields(slot[r], rowoff[r], s, h, o, ql_at, qh_at, sc_at, &f);
			float lo = 0.0f, hi = 0.0f;
#pragma unroll
			for (int k4 = 0; k4 < 4; k4++) {
				/* bits 6-7 of each byte may hold stray qh bits:
				 * the 0x3F masks below drop them */
				const u32 vl = q6s_merge(f.ql[k4], f.qh[k4] << (4 - 2 * a));
				const u32 vh = q6s_merge(f.ql[k4] >> 4, f.qh[k4] >> (2 * a));
				const u32 vl8 = vl >> 8, vh8 = vh >> 8;
				lo += gg_bits_f32(vl & 0x3Fu) * x.lo[4 * k4 + 0];
				lo += gg_bits_f32(vl8 & 0x3Fu) * x.lo[4 * k4 + 1];
				lo += gg_bits_f32(vl & 0x3F0000u) * x.lo[4 * k4 + 2];
				lo += gg_bits_f32(vl8 & 0x3F0000u) * x.lo[4 * k4 + 3];
				hi += gg_bits_f32(vh & 0x3Fu) * x.hi[4 * k4 + 0];
				hi += gg_bits_f32(vh8 & 0x3Fu) * x.hi[4 * k4 + 1];
				hi += gg_bits_f32(vh & 0x3F0000u) * x.hi[4 * k4 + 2];
				hi += gg_bits_f32(vh8 & 0x3F0000u) * x.hi[4 * k4 + 3];
			}
			const float v = f.d * ((float)f.sc_lo * (lo * STREAM_TWO64 - 32.0f * x.lo_sum) +
					       (float)f.sc_hi * (hi * STREAM_TWO64 - 32.0f * x.hi_sum));
			acc[r] += valid ? v : 0.0f;
		}
	} else {
		stream_x8 x;
		q6s_load_x8(xv, STREAM_SPAN * s + h, nb, lane, &x);
		q6s_step_q8(slot, rowoff, s, h, nb, x, lane, acc);
	}
}

/* The kernel body: y = W x for Q6_K W, k % 256 == 0 (the registry checks). */
template <bool Q8>
__device__ __forceinline__ void q6k_stream_body(float *__restrict__ y, const u8 *__restrict__ w,
						const void *__restrict__ xv, int k, int n)
{
	__shared__ gg_u4 ring[WARPS][STREAM_STAGES][STREAM_ROWS][Q6S_SEG_CHUNKS];
	__shared__ float part[WARPS][STREAM_ROWS];
	constexpr bool XS = Q8 && STREAM_XSMEM;
	constexpr bool TMA = XS && STREAM_TMA && GG_TMA;
	__shared__ gg_u4 xring[XS ? WARPS : 1][XS ? STREAM_STAGES : 1][XS ? Q6S_X_CHUNKS : 1];
	__shared__ gg_mbar bars[TMA ? WARPS : 1][TMA ? STREAM_STAGES : 1];
	const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
	const int nb = k / QK_K;
	const int nsteps = (nb + Q6S_SB - 1) / Q6S_SB;
	const int cnt = nsteps > warp ? (nsteps - warp + WARPS - 1) / WARPS : 0;
	const size_t row_bytes = (size_t)nb * Q6K_BYTES;
	const int units = stream_units(n);
	u32 ph = 0; /* STREAM_TMA: each slot's mbarrier parity (stream_ring_bar_wait) */
	if constexpr (TMA)
		stream_ring_bars_init(bars[warp], STREAM_STAGES, lane);

	for (int u = blockIdx.x; u < units; u += gridDim.x) {
		const int row0 = u * STREAM_ROWS;
		/* the warp's i-th step: warp + i * WARPS, rotated by STREAM_ROTATE */
		const int rot = STREAM_ROTATE ? (int)(((unsigned)u * 5u) % (unsigned)nsteps) : 0;
		auto step_of = [&](int i) {
			if (!STREAM_ROTATE)
				return warp + i * WARPS;
			const int st = warp + i * WARPS + rot;
			return st >= nsteps ? st - nsteps : st;
		};
		size_t rowoff[STREAM_ROWS];
		float acc[STREAM_ROWS];
#pragma unroll
		for (int r = 0; r < STREAM_ROWS; r++) {
			const int rr = row0 + r < n ? row0 + r : n - 1;
			rowoff[r] = (size_t)STREAM_PROBE_ROW(rr) * row_bytes;
			acc[r] = 0.0f;
		}
		/* the row this lane copies */
		int crow = row0 + lane / Q6S_LPR;
		crow = crow < n ? crow : n - 1;
		const bool clast = crow == n - 1;
		const size_t coff = (size_t)STREAM_PROBE_ROW(crow) * row_bytes;
		/* Ring: step i (this warp's i-th, global step warp + i*WARPS) lives
		 * in slot i % STREAM_STAGES. One commit group per step, empty
		 * when there is no step, so wait<STAGES-1> always means "step i
		 * has landed" for this lane; __syncwarp then publishes every
		 * lane's copies. The trailing __syncwarp keeps a slot from being
		 * refilled while a lane still reads it. */
#pragma unroll
		for (int j = 0; j < STREAM_STAGES - 1; j++) {
			if (j < cnt) {
				const int sj = step_of(j);
				if constexpr (TMA)
					q6s_issue_tma(ring[warp][j], &bars[warp][j], w, rowoff, (size_t)sj * Q6S_STEP_BYTES,
						      q6s_nsb(nb, sj), (size_t)n * row_bytes, lane);
				else
					q6s_issue(ring[warp][j], w, coff + (size_t)sj * Q6S_STEP_BYTES, q6s_nsb(nb, sj),
						  clast && sj == nsteps - 1, lane);
				if constexpr (XS)
					q6s_issue_x(xring[warp][j], xv, sj, nb, lane);
			}
			gg_cp_commit();
		}
		if constexpr (TMA)
			__syncwarp(); /* every lane past lane 0's first issues */
		/* STREAM_XPREFETCH (Q8_1 form): x of the next step is loaded
		 * before this step's wait and compute, so no step waits on x */
		stream_x8 xc;
		if constexpr (Q8 && STREAM_XPREFETCH && !XS)
			q6s_load_x8(xv, step_of(0), nb, lane, &xc);
		for (int i = 0; i < cnt; i++) {
			const int jn = i + STREAM_STAGES - 1;
			if (jn < cnt) {
				const int sj = step_of(jn);
				if constexpr (TMA)
					q6s_issue_tma(ring[warp][jn % STREAM_STAGES], &bars[warp][jn % STREAM_STAGES], w,
						      rowoff, (size_t)sj * Q6S_STEP_BYTES, q6s_nsb(nb, sj),
						      (size_t)n * row_bytes, lane);
				else
					q6s_issue(ring[warp][jn % STREAM_STAGES], w, coff + (size_t)sj * Q6S_STEP_BYTES,
						  q6s_nsb(nb, sj), clast && sj == nsteps - 1, lane);
				if constexpr (XS)
					q6s_issue_x(xring[warp][jn % STREAM_STAGES], xv, sj, nb, lane);
			}
			gg_cp_commit();
			if constexpr (STREAM_PROBE_MODE == 1) {
				gg_cp_wait<STREAM_STAGES - 1>();
				__syncwarp();
#pragma unroll
				for (int r = 0; r < STREAM_ROWS; r++)
					acc[r] += gg_bits_f32(ring[warp][i % STREAM_STAGES][r][lane].x & 0x7fffffu);
			} else if constexpr (XS) {
				gg_cp_wait<STREAM_STAGES - 1>();
				if constexpr (TMA) {
					stream_ring_bar_wait(bars[warp], i % STREAM_STAGES, &ph);
				}
				__syncwarp();
				/* not unrolled: unrolled, ptxas hoists the second
				 * quad's reads and needs ~1.5x the registers */
#pragma unroll 1
				for (int h = 0; h < STREAM_SPAN; h++) {
					stream_x8 x;
					q6s_load_x8_slot(xring[warp][i % STREAM_STAGES], step_of(i), h, nb, lane, &x);
					q6s_step_q8(ring[warp][i % STREAM_STAGES], rowoff, step_of(i), h, nb, x, lane, acc);
				}
			} else if constexpr (Q8 && STREAM_XPREFETCH) {
				stream_x8 xn;
				q6s_load_x8(xv, step_of(i + 1), nb, lane, &xn);
				gg_cp_wait<STREAM_STAGES - 1>();
				__syncwarp();
				q6s_step_q8(ring[warp][i % STREAM_STAGES], rowoff, step_of(i), 0, nb, xc, lane, acc);
				xc = xn;
			} else {
				gg_cp_wait<STREAM_STAGES - 1>();
				__syncwarp();
#pragma unroll 1
				for (int h = 0; h < STREAM_SPAN; h++)
					q6s_step<Q8>(ring[warp][i % STREAM_STAGES], rowoff, step_of(i), h, nb, xv, lane, acc);
			}
			__syncwarp();
		}
		gg_cp_wait<0>();
		stream_store_rows(y, row0, n, acc, part);
	}
}

#endif
