/* q4k_ring.cuh: the body of q4k_stream_dp4a's default form (STREAM_RING=1):
 * Q4_K GEMV against Q8_1 x that streams the weights and x through a
 * per-warp shared-memory ring of cp.async copies. The register-stage form
 * it replaced is q4k_stream.cuh; the work split (units of STREAM_ROWS rows,
 * the block's warps taking 4-super-block steps round-robin) is the same. */
#ifndef GG_Q4K_RING_CUH
#define GG_Q4K_RING_CUH

#include "stream.cuh"

/* STREAM_RING=1 (Q8_1 form only): the weights and x travel by cp.async
 * through a per-warp shared-memory ring of STREAM_STAGES slots, as in
 * q6k_stream, instead of register stages.
 *
 * Why (H100, ncu source counters, docs/perf-notes.md): the register form
 * spends 58% of its stall samples on the first shuffle of a header word,
 * i.e. waiting for weights whose reload is issued only after the previous
 * step's arithmetic, and its 126 registers cap it at 16 warps per SM. In the
 * ring, a step's copies go out STAGES - 1 steps ahead whatever the
 * arithmetic does, the header is read by one broadcast LDS.128 per octet
 * (no shuffles), the lane decodes the scales of its own two sub-blocks, and
 * x (1152 bytes per step, 16-byte aligned) arrives in the same commit group
 * as the weights, so no step waits on an x load that missed L1.
 *
 * Slot layout: per row the step's 4 super-blocks, 576 bytes = 36 chunks
 * (super-blocks are 144 = 9 x 16 bytes and rows are whole super-blocks, so
 * every chunk is aligned and inside the matrix); then x, 72 chunks. */
#ifndef STREAM_RING
#define STREAM_RING 0
#endif
#if STREAM_RING != 0 && STREAM_RING != 1
#error "STREAM_RING must be 0 or 1"
#endif
#ifndef STREAM_STAGES
#define STREAM_STAGES 3
#endif
#if STREAM_STAGES < 2 || STREAM_STAGES > 6
#error "STREAM_STAGES must be in 2..6 for q4k_stream"
#endif

/* STREAM_TMA and STREAM_ALIGN (stream.cuh) apply here too: bulk copies of
 * each row's 576 bytes (rows are whole 16-byte chunks, so no copy runs past
 * the matrix; x stays on per-lane cp.async.ca), and copies on 128-byte
 * lines (the cover of the 576 bytes, up to 768; no gain measured, the rows
 * being whole lines already). */

/* chunks per row in a slot: the step's 576 bytes, or their 128-byte cover
 * from a start up to 112 bytes into a line */
#define Q4R_W_CHUNKS (STREAM_ALIGN == 16 ? STREAM_SB_PER_STEP * Q4K_BYTES / 16 : 48)
#define Q4R_X_CHUNKS (STREAM_SB_PER_STEP * 8 * Q8_1_BYTES / 16) /* 72 */
#define Q4R_SLOT_CHUNKS (STREAM_ROWS * Q4R_W_CHUNKS + Q4R_X_CHUNKS)
#define Q4R_STEP_BYTES (STREAM_SB_PER_STEP * Q4K_BYTES) /* 576 per row */

/* Move the copy pointers on to the warp's next step (WARPS steps on). */
__device__ __forceinline__ void q4r_advance(const u8 *wp[STREAM_ROWS], const u8 **xp)
{
#pragma unroll
	for (int r = 0; r < STREAM_ROWS; r++)
		wp[r] += WARPS * Q4R_STEP_BYTES;
	*xp += WARPS * (Q4R_X_CHUNKS * 16);
}

/* Issue the copies of one step into `slot`: nsb super-blocks of every
 * row from wp[r] and their x from xp. wp[r] and xp point at this lane's
 * first chunk (lane * 16 bytes into the step); the caller advances them by
 * the warp's step stride. Chunk lane + 32 exists only for lanes 0-3 (36
 * chunks per row; up to 48 with STREAM_ALIGN=128) and lanes 0-7 (72 of x,
 * in three rounds). w, wend: the matrix's start and end; the 128-byte
 * lines are counted from w (cuMemAlloc aligns it to 256 bytes, the ABI
 * promises only 16). */
__device__ __forceinline__ void q4r_issue(gg_u4 *slot, const u8 *const wp[STREAM_ROWS], const u8 *xp, int nsb,
					  int lane, const u8 *w, const u8 *wend)
{
	const gg_saddr dst = gg_smem_addr(slot) + 16 * lane;
	const int wch = nsb * (Q4K_BYTES / 16);
#pragma unroll
	for (int r = 0; r < STREAM_ROWS; r++) {
		if (STREAM_ALIGN == 16) {
			if (lane < wch)
				gg_cp_async16_full(dst + 16 * r * Q4R_W_CHUNKS, wp[r]);
			if (lane + 32 < wch)
				gg_cp_async16_full(dst + 16 * (r * Q4R_W_CHUNKS + 32), wp[r] + 512);
		} else {
			/* the 128-byte cover of the step, but never past the matrix */
			const size_t start = (size_t)(wp[r] - 16 * lane - w);
			const u8 *a0 = w + (start & ~(size_t)127);
			const u8 *a1 = w + ((start + 16 * wch + 127) & ~(size_t)127);
			const int ch = (int)(((a1 < wend ? a1 : wend) - a0) / 16);
			if (lane < ch)
				gg_cp_async16_full(dst + 16 * r * Q4R_W_CHUNKS, a0 + 16 * lane);
			if (lane + 32 < ch)
				gg_cp_async16_full(dst + 16 * (r * Q4R_W_CHUNKS + 32), a0 + 16 * lane + 512);
		}
	}
	const int xch = nsb * (8 * Q8_1_BYTES / 16);
#pragma unroll
	for (int c = 0; c < Q4R_X_CHUNKS; c += 32)
		if (lane + c < xch)
			gg_cp_async16_ca(dst + 16 * (STREAM_ROWS * Q4R_W_CHUNKS + c), xp + 16 * c);
}

/* STREAM_TMA: the weights of one step by lane 0, one bulk copy per row
 * (wp[r] - 16 * lane is the row's step start), then x as q4r_issue does. */
__device__ __forceinline__ void q4r_issue_tma(gg_u4 *slot, gg_mbar *bar, const u8 *const wp[STREAM_ROWS],
					      const u8 *xp, int nsb, int lane, const u8 *w, const u8 *wend)
{
	if (lane == 0) {
		const u32 bytes = (u32)nsb * Q4K_BYTES;
		if (STREAM_ALIGN == 16) {
			gg_mbar_expect(bar, STREAM_ROWS * bytes);
#pragma unroll
			for (int r = 0; r < STREAM_ROWS; r++)
				gg_bulk_copy(slot + r * Q4R_W_CHUNKS, wp[r], bytes, bar);
		} else {
			const u8 *a0[STREAM_ROWS];
			u32 len[STREAM_ROWS], sum = 0;
#pragma unroll
			for (int r = 0; r < STREAM_ROWS; r++) {
				const size_t start = (size_t)(wp[r] - w);
				a0[r] = w + (start & ~(size_t)127);
				const u8 *a1 = w + ((start + bytes + 127) & ~(size_t)127);
				len[r] = (u32)((a1 < wend ? a1 : wend) - a0[r]);
				sum += len[r];
			}
			gg_mbar_expect(bar, sum);
#pragma unroll
			for (int r = 0; r < STREAM_ROWS; r++)
				gg_bulk_copy(slot + r * Q4R_W_CHUNKS, a0[r], len[r], bar);
		}
	}
	const gg_saddr dst = gg_smem_addr(slot) + 16 * lane;
	const int xch = nsb * (8 * Q8_1_BYTES / 16);
#pragma unroll
	for (int c = 0; c < Q4R_X_CHUNKS; c += 32)
		if (lane + c < xch)
			gg_cp_async16_ca(dst + 16 * (STREAM_ROWS * Q4R_W_CHUNKS + c), xp + 16 * c);
}

/* The 6-bit scale and min of the lane's two sub-blocks 2c, 2c+1 from the
 * header words w1 (scales[0..3]), w2 ([4..7]), w3 ([8..11]): the branch-free
 * get_scale_min_k4 of q4s_unpack, twice, with no shuffles. */
__device__ __forceinline__ void q4r_scales(u32 w1, u32 w2, u32 w3, int c, u32 sc[2], u32 m[2])
{
	const bool low = c < 2;
	const u32 mask = low ? 0x3Fu : 0x0Fu, top = low ? 0u : 0x30u;
	const u32 a = low ? w1 : w3, b = low ? w2 : (w3 >> 4);
#pragma unroll
	for (int i = 0; i < 2; i++) {
		const u32 sh = 8u * (u32)((2 * c + i) & 3);
		sc[i] = ((a >> sh) & mask) | ((w1 >> (sh + 2)) & top);
		m[i] = ((b >> sh) & mask) | ((w2 >> (sh + 2)) & top);
	}
}

/* One step of the ring form: every row from the slot, x from the slot.
 * mis[r]: with STREAM_ALIGN=128, the row's step start in its slot (a
 * multiple of 16 below 128); 0 otherwise. */
__device__ __forceinline__ void q4r_step(const gg_u4 *slot, int s, int nb, int lane, const int mis[STREAM_ROWS],
					 float acc[STREAM_ROWS])
{
	const int o = lane >> 3, p = lane & 7, c = p >> 1, hh = p & 1;
	const bool valid = STREAM_SB_PER_STEP * s + o < nb;
	const int ox = valid ? o : 0;
	stream_x8 x;
	stream_load_x8((const u8 *)(slot + STREAM_ROWS * Q4R_W_CHUNKS), ox * 8 + 2 * c, ox * 8 + 2 * c + 1, 16 * hh,
		       &x);
	const float xs_lo = x.d_lo * (float)x.sum_lo, xs_hi = x.d_hi * (float)x.sum_hi;
#pragma unroll
	for (int r = 0; r < STREAM_ROWS; r++) {
		const gg_u4 *sb = slot + r * Q4R_W_CHUNKS + (STREAM_ALIGN == 16 ? 0 : mis[r] / 16) + ox * (Q4K_BYTES / 16);
		const gg_u4 h = sb[0];
		const gg_u4 q = sb[1 + p];
		u32 sc[2], m[2];
		q4r_scales(h.y, h.z, h.w, c, sc, m);
		const u32 qw[4] = { q.x, q.y, q.z, q.w };
		/* high nibbles in place: the unsigned dp4a gives 16 x their sum,
		 * a multiple of 16, so the shift back is exact */
		int dl = 0, dh = 0;
#pragma unroll
		for (int t = 0; t < 4; t++) {
			dl = __dp4a((int)(qw[t] & 0x0F0F0F0Fu), x.lo[t], dl);
			dh = gg_dp4a_us(qw[t] & 0xF0F0F0F0u, x.hi[t], dh);
		}
		const float d = gg_h2f((u16)(h.x & 0xFFFFu)), dmin = gg_h2f((u16)(h.x >> 16));
		const float v = d * (x.d_lo * (float)((int)sc[0] * dl) + x.d_hi * (float)((int)sc[1] * (dh >> 4))) -
				dmin * ((float)m[0] * xs_lo + (float)m[1] * xs_hi);
		acc[r] += valid ? v : 0.0f;
	}
}

/* The ring body: y = W x for Q4_K W against Q8_1 x, k % 256 == 0. Same work
 * split as q4k_stream_body (units of STREAM_ROWS rows, the block's warps
 * taking steps round-robin); same ring protocol as q6k_stream_body. */
__device__ __forceinline__ void q4k_ring_body(float *__restrict__ y, const u8 *__restrict__ w,
					      const void *__restrict__ xv, int k, int n)
{
	constexpr bool TMA = STREAM_TMA && GG_TMA;
	__shared__ gg_u4 ring[WARPS][STREAM_STAGES][Q4R_SLOT_CHUNKS];
	__shared__ float part[WARPS][STREAM_ROWS];
	__shared__ gg_mbar bars[TMA ? WARPS : 1][TMA ? STREAM_STAGES : 1];
	const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
	const int nb = k / QK_K;
	const int nsteps = (nb + STREAM_SB_PER_STEP - 1) / STREAM_SB_PER_STEP;
	const int cnt = nsteps > warp ? (nsteps - warp + WARPS - 1) / WARPS : 0;
	const size_t row_bytes = (size_t)nb * Q4K_BYTES;
	const int units = stream_units(n);
	const u8 *const wend = w + (size_t)n * row_bytes;
	u32 ph = 0; /* STREAM_TMA: each slot's mbarrier parity (stream_ring_bar_wait) */
	if constexpr (TMA)
		stream_ring_bars_init(bars[warp], STREAM_STAGES, lane);

	for (int u = blockIdx.x; u < units; u += gridDim.x) {
		const int row0 = u * STREAM_ROWS;
		/* the lane's next chunk to copy, per row and of x, for this warp's
		 * next step to issue */
		const u8 *wp[STREAM_ROWS];
		float acc[STREAM_ROWS];
		/* STREAM_ALIGN=128: each row's start within a 128-byte line */
		int rmis[STREAM_ROWS];
#pragma unroll
		for (int r = 0; r < STREAM_ROWS; r++) {
			const int rr = row0 + r < n ? row0 + r : n - 1;
			wp[r] = w + (size_t)STREAM_PROBE_ROW(rr) * row_bytes + (size_t)warp * Q4R_STEP_BYTES + 16 * lane;
			rmis[r] = (int)(((size_t)STREAM_PROBE_ROW(rr) * row_bytes) & 127);
			acc[r] = 0.0f;
		}
		const u8 *xp = (const u8 *)xv + (size_t)warp * (Q4R_X_CHUNKS * 16) + 16 * lane;
		/* one commit group per step, empty past the warp's last step, so
		 * wait<STAGES-1> always means "step i has landed" */
#pragma unroll
		for (int j = 0; j < STREAM_STAGES - 1; j++) {
			if (j < cnt) {
				if constexpr (TMA)
					q4r_issue_tma(ring[warp][j], &bars[warp][j], wp, xp,
						      stream_nsb(nb, warp + j * WARPS), lane, w, wend);
				else
					q4r_issue(ring[warp][j], wp, xp, stream_nsb(nb, warp + j * WARPS), lane, w, wend);
				q4r_advance(wp, &xp);
			}
			gg_cp_commit();
		}
		if constexpr (TMA)
			__syncwarp(); /* every lane past lane 0's first issues */
		for (int i = 0; i < cnt; i++) {
			const int jn = i + STREAM_STAGES - 1;
			if (jn < cnt) {
				if constexpr (TMA)
					q4r_issue_tma(ring[warp][jn % STREAM_STAGES], &bars[warp][jn % STREAM_STAGES], wp, xp,
						      stream_nsb(nb, warp + jn * WARPS), lane, w, wend);
				else
					q4r_issue(ring[warp][jn % STREAM_STAGES], wp, xp,
						  stream_nsb(nb, warp + jn * WARPS), lane, w, wend);
				q4r_advance(wp, &xp);
			}
			gg_cp_commit();
			gg_cp_wait<STREAM_STAGES - 1>();
			if constexpr (TMA) {
				stream_ring_bar_wait(bars[warp], i % STREAM_STAGES, &ph);
			}
			__syncwarp();
			if constexpr (STREAM_PROBE_MODE == 1) {
#pragma unroll
				for (int r = 0; r < STREAM_ROWS; r++)
					acc[r] += gg_bits_f32(ring[warp][i % STREAM_STAGES][r * Q4R_W_CHUNKS + 1].x &
							      0x7fffffu);
			} else {
				const int s = warp + i * WARPS;
				int mis[STREAM_ROWS];
#pragma unroll
				for (int r = 0; r < STREAM_ROWS; r++)
					mis[r] = (rmis[r] + s * Q4R_STEP_BYTES) & 127;
				q4r_step(ring[warp][i % STREAM_STAGES], s, nb, lane, mis, acc);
			}
			/* no lane refills this slot while another still reads it */
			__syncwarp();
		}
		gg_cp_wait<0>();
		stream_store_rows(y, row0, n, acc, part);
	}
}

#endif
