/* q4k_stream.cuh: the body of q4k_stream (fp32 x) and q4k_stream_dp4a
 * (Q8_1 x): Q4_K GEMV that streams the weights with 16-byte register loads,
 * STREAM_PIPE steps deep per warp.
 *
 * Work split. A block computes STREAM_ROWS rows (a unit; block-stride over
 * units). A row is nb = k/256 super-blocks of 144 bytes = 9 x 16, so every
 * super-block is 16-byte aligned when the buffer is. A warp step covers 4
 * super-blocks; the block's WARPS warps take steps warp, warp+WARPS, ...
 * Inside a step, lane = 8*o + p: super-block 4*step + o, qs bytes
 * [16p, 16p+16) (one 16-byte load per row), which hold the columns
 * 64c + 16h + [0,16) (low nibbles, sub-block 2c) and 64c + 32 + 16h + [0,16)
 * (high nibbles, sub-block 2c+1), c = p/2, h = p%2. The 16-byte header
 * (d, dmin, 12 scale bytes) is loaded one word per lane (word p%4) and
 * shared in the octet by four shuffles: 1 register in flight instead of 4.
 * The same 32 columns serve all STREAM_ROWS rows, so x is read (through
 * L1) once per step for STREAM_ROWS rows of weights.
 *
 * Pipeline. st[j] holds step i = i0 + j; right after step i is computed its
 * registers are reloaded with step i + STREAM_PIPE, so STREAM_PIPE - 1 to
 * STREAM_PIPE steps (STREAM_ROWS * 16 bytes each per lane) are in flight
 * while a step computes. */
#ifndef GG_Q4K_STREAM_CUH
#define GG_Q4K_STREAM_CUH

#include "stream.cuh"

#ifndef STREAM_PIPE
#define STREAM_PIPE 3
#endif
#if STREAM_PIPE < 1 || STREAM_PIPE > 4
#error "STREAM_PIPE must be in 1..4"
#endif

/* One lane's weights of one step: per row 16 bytes of qs and one header
 * word. */
struct q4s_stage {
	gg_u4 q[STREAM_ROWS];
	u32 h[STREAM_ROWS];
};

/* Issue one step's loads for every row and advance the row pointers to
 * the lane's next step. qp[r] points at the lane's 16 qs bytes of the
 * current super-block of row r; the header word is hoff bytes from there.
 * An octet past the row's end (valid false) loads nothing and holds zeros;
 * its pointers still advance. */
__device__ __forceinline__ void q4s_load(q4s_stage *st, const u8 *qp[STREAM_ROWS], int hoff, bool valid,
					 size_t stride)
{
#pragma unroll
	for (int r = 0; r < STREAM_ROWS; r++) {
		if (valid) {
			st->q[r] = gg_ld_stream_v4(qp[r]);
			st->h[r] = gg_ld_stream_u32(qp[r] + hoff);
		} else {
			st->q[r].x = st->q[r].y = st->q[r].z = st->q[r].w = 0;
			st->h[r] = 0;
		}
		qp[r] += stride;
	}
}

/* The block scales of the lane's two sub-blocks (2c, 2c+1), as floats.
 * All 32 lanes must call it. The octet's lanes each hold one header word
 * (word p%4) and share them by four shuffles; then lane p unpacks only
 * sub-block p (its own: 2c or 2c+1) and takes the other of its pair from
 * lane p^1, which unpacked exactly that one. Branch-free get_scale_min_k4:
 * sub-blocks 0-3 keep 6 bits in scales[j] / scales[j+4] (words w1, w2);
 * sub-blocks 4-7 take the low 4 bits from scales[j+4] (word w3: low nibble
 * scale, high nibble min) and the top 2 from the top bits of scales[j-4]
 * (w1) and scales[j] (w2). `dscale` multiplies d (2^64 for the fp32 form,
 * whose sums come out scaled by 2^-64). */
struct q4s_scales {
	float s_lo, s_hi; /* d * dscale * scale of sub-block 2c, 2c+1 */
	float m_lo, m_hi; /* dmin * min of the same */
};

__device__ __forceinline__ q4s_scales q4s_unpack(u32 hword, int lane, float dscale)
{
	const int base = lane & ~7, p = lane & 7;
	const u32 w0 = __shfl_sync(GG_FULL_MASK, hword, base + 0);
	const u32 w1 = __shfl_sync(GG_FULL_MASK, hword, base + 1);
	const u32 w2 = __shfl_sync(GG_FULL_MASK, hword, base + 2);
	const u32 w3 = __shfl_sync(GG_FULL_MASK, hword, base + 3);
	const bool low = p < 4;
	const u32 sh = 8 * (p & 3);
	const u32 mask = low ? 0x3Fu : 0x0Fu;
	const u32 top = low ? 0u : 0x30u;
	const u32 sc = (((low ? w1 : w3) >> sh) & mask) | ((w1 >> (sh + 2)) & top);
	const u32 m = (((low ? w2 : (w3 >> 4)) >> sh) & mask) | ((w2 >> (sh + 2)) & top);
	const float own_s = gg_h2f((u16)(w0 & 0xFFFFu)) * dscale * (float)sc;
	const float own_m = gg_h2f((u16)(w0 >> 16)) * (float)m;
	const float pair_s = __shfl_xor_sync(GG_FULL_MASK, own_s, 1);
	const float pair_m = __shfl_xor_sync(GG_FULL_MASK, own_m, 1);
	const bool odd = p & 1;
	q4s_scales s;
	s.s_lo = odd ? pair_s : own_s;
	s.s_hi = odd ? own_s : pair_s;
	s.m_lo = odd ? pair_m : own_m;
	s.m_hi = odd ? own_m : pair_m;
	return s;
}

/* fp32 x: sum over the lane's 16 low and 16 high nibbles times the scaled
 * x (stream_x32). Byte i of the 16 qs bytes holds column i of the low run
 * (bits 0-3) and of the high run (bits 4-7). Word t = bytes 4t..4t+3; with
 * b = t >> 16 the nibbles sit at bits 0, 4, 8, 12 of t (bytes 0, 1) and of
 * b (bytes 2, 3), so the x scales are 2^85 / 2^77 (low, bit 0 / 8) and
 * 2^81 / 2^73 (high, bit 4 / 12). Results are n*x*2^-64. */
__device__ __forceinline__ void q4s_dot_f32(const gg_u4 &q, const stream_x32 &x, float *lo, float *hi)
{
	const u32 qw[4] = { q.x, q.y, q.z, q.w };
	float l = 0.0f, h = 0.0f;
#pragma unroll
	for (int t = 0; t < 4; t++) {
		const u32 a = qw[t], b = qw[t] >> 16;
		l += gg_bits_f32(a & 0xFu) * x.lo[4 * t + 0];
		l += gg_bits_f32(a & 0xF00u) * x.lo[4 * t + 1];
		l += gg_bits_f32(b & 0xFu) * x.lo[4 * t + 2];
		l += gg_bits_f32(b & 0xF00u) * x.lo[4 * t + 3];
		h += gg_bits_f32(a & 0xF0u) * x.hi[4 * t + 0];
		h += gg_bits_f32(a & 0xF000u) * x.hi[4 * t + 1];
		h += gg_bits_f32(b & 0xF0u) * x.hi[4 * t + 2];
		h += gg_bits_f32(b & 0xF000u) * x.hi[4 * t + 3];
	}
	*lo = l;
	*hi = h;
}

/* The lane's Q8_1 x for super-block b (column 0 when !valid, so that every
 * load stays in bounds): its two 16-value runs of sub-blocks 2c, 2c+1. */
__device__ __forceinline__ void q4s_load_x8(const void *xv, int b, bool valid, int c, int hh, stream_x8 *x)
{
	const int bx = valid ? b : 0;
	stream_load_x8((const u8 *)xv, bx * 8 + 2 * c, bx * 8 + 2 * c + 1, 16 * hh, x);
}

/* One step of the Q8_1 form with x already loaded: every row. */
__device__ __forceinline__ void q4s_step_q8(const q4s_stage &st, const stream_x8 &x, bool valid, int lane,
					    float acc[STREAM_ROWS])
{
	const float xs_lo = x.d_lo * (float)x.sum_lo, xs_hi = x.d_hi * (float)x.sum_hi;
#pragma unroll
	for (int r = 0; r < STREAM_ROWS; r++) {
		const q4s_scales s = q4s_unpack(st.h[r], lane, 1.0f);
		const u32 qw[4] = { st.q[r].x, st.q[r].y, st.q[r].z, st.q[r].w };
		int dl = 0, dh = 0;
#pragma unroll
		for (int t = 0; t < 4; t++) {
			dl = __dp4a((int)(qw[t] & 0x0F0F0F0Fu), x.lo[t], dl);
			dh = __dp4a((int)((qw[t] >> 4) & 0x0F0F0F0Fu), x.hi[t], dh);
		}
		const float v = (s.s_lo * (x.d_lo * (float)dl) + s.s_hi * (x.d_hi * (float)dh)) -
				(s.m_lo * xs_lo + s.m_hi * xs_hi);
		acc[r] += valid ? v : 0.0f;
	}
}

/* One step for one lane: read x for super-block b, then every row. `valid`
 * false (an octet past the row's end) adds nothing; its x index is clamped
 * to column 0 so every load stays in bounds. */
template <bool Q8>
__device__ __forceinline__ void q4s_step(const q4s_stage &st, int b, bool valid, const void *xv, int lane,
					 int c, int hh, float acc[STREAM_ROWS])
{
	const int bx = valid ? b : 0;
	if constexpr (!Q8) {
		const float scale_lo[4] = { 0x1p85f, 0x1p77f, 0x1p85f, 0x1p77f };
		const float scale_hi[4] = { 0x1p81f, 0x1p73f, 0x1p81f, 0x1p73f };
		const int col_lo = bx * QK_K + 64 * c + 16 * hh;
		stream_x32 x;
		stream_load_x32((const float *)xv, col_lo, col_lo + 32, scale_lo, scale_hi, &x);
#pragma unroll
		for (int r = 0; r < STREAM_ROWS; r++) {
			const q4s_scales s = q4s_unpack(st.h[r], lane, STREAM_TWO64);
			float lo, hi;
			q4s_dot_f32(st.q[r], x, &lo, &hi);
			const float v = (s.s_lo * lo + s.s_hi * hi) - (s.m_lo * x.lo_sum + s.m_hi * x.hi_sum);
			acc[r] += valid ? v : 0.0f;
		}
	} else {
		stream_x8 x;
		q4s_load_x8(xv, b, valid, c, hh, &x);
		q4s_step_q8(st, x, valid, lane, acc);
	}
}

/* The kernel body: y = W x for Q4_K W, k % 256 == 0 (the registry checks). */
template <bool Q8>
__device__ __forceinline__ void q4k_stream_body(float *__restrict__ y, const u8 *__restrict__ w,
						const void *__restrict__ xv, int k, int n)
{
	__shared__ float part[WARPS][STREAM_ROWS];
	const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
	const int o = lane >> 3, p = lane & 7, c = p >> 1, hh = p & 1;
	const int nb = k / QK_K;
	const int nsteps = (nb + STREAM_SB_PER_STEP - 1) / STREAM_SB_PER_STEP;
	/* Every warp runs the same number of steps (warp-uniform branches keep
	 * the shuffles cheap); a step past nsteps has only invalid octets. */
	const int cnt = (nsteps + WARPS - 1) / WARPS;
	const size_t row_bytes = (size_t)nb * Q4K_BYTES;
	const int units = stream_units(n);

	/* Lane offsets inside a super-block: its 16 qs bytes, and its header
	 * word relative to those. A warp step advances WARPS * 4 super-blocks. */
	const int qoff = 16 + 16 * p, hoff = 4 * (p & 3) - qoff;
	const size_t stride = (size_t)WARPS * STREAM_SB_PER_STEP * Q4K_BYTES;
	const int b0 = warp * STREAM_SB_PER_STEP + o;

	for (int u = blockIdx.x; u < units; u += gridDim.x) {
		const int row0 = u * STREAM_ROWS;
		const u8 *qp[STREAM_ROWS];
		float acc[STREAM_ROWS];
#pragma unroll
		for (int r = 0; r < STREAM_ROWS; r++) {
			const int rr = row0 + r < n ? row0 + r : n - 1;
			qp[r] = w + (size_t)STREAM_PROBE_ROW(rr) * row_bytes + (size_t)b0 * Q4K_BYTES + qoff;
			acc[r] = 0.0f;
		}
		q4s_stage st[STREAM_PIPE];
		/* b_load: the super-block of the next step to load (b0 + 4*WARPS*i) */
		int b_load = b0;
#pragma unroll
		for (int j = 0; j < STREAM_PIPE; j++)
			if (j < cnt) {
				q4s_load(&st[j], qp, hoff, b_load < nb, stride);
				b_load += WARPS * STREAM_SB_PER_STEP;
			}
		int b = b0;
		/* STREAM_XPREFETCH (Q8_1 form): x of the next step is loaded
		 * before this step's compute, so no step starts by waiting on x */
		stream_x8 xc;
		if constexpr (Q8 && STREAM_XPREFETCH)
			q4s_load_x8(xv, b, b < nb, c, hh, &xc);
		for (int i0 = 0; i0 < cnt; i0 += STREAM_PIPE) {
#pragma unroll
			for (int j = 0; j < STREAM_PIPE; j++) {
				const int i = i0 + j;
				if (i < cnt) {
					if constexpr (STREAM_PROBE_MODE == 1) {
#pragma unroll
						for (int r = 0; r < STREAM_ROWS; r++)
							acc[r] += gg_bits_f32((st[j].q[r].x ^ st[j].q[r].y ^ st[j].q[r].z ^
									       st[j].q[r].w ^ st[j].h[r]) & 0x7fffffu);
					} else if constexpr (Q8 && STREAM_XPREFETCH) {
						const int bn = b + WARPS * STREAM_SB_PER_STEP;
						stream_x8 xn;
						q4s_load_x8(xv, bn, bn < nb, c, hh, &xn);
						q4s_step_q8(st[j], xc, b < nb, lane, acc);
						xc = xn;
					} else {
						q4s_step<Q8>(st[j], b, b < nb, xv, lane, c, hh, acc);
					}
					b += WARPS * STREAM_SB_PER_STEP;
					if (i + STREAM_PIPE < cnt) {
						q4s_load(&st[j], qp, hoff, b_load < nb, stride);
						b_load += WARPS * STREAM_SB_PER_STEP;
					}
				}
			}
		}
		stream_store_rows(y, row0, n, acc, part);
	}
}

#endif
