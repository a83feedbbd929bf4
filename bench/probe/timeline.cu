/* timeline.cu: where a GEMV launch's time goes, block by block.
 *
 * A research probe for issue 8 (docs/perf-notes.md), not part of ggscope:
 * the linear fit of the stream kernels' cold-L2 times (6.02 us for 9.5 MB,
 * 14.22 us for 33 MB) says they stream at ~94% of the read ceiling once
 * running, with ~2.7 us of fixed cost per launch. CUPTI gives one number
 * per launch; this probe shows which part of the launch that cost sits in.
 *
 * Each thread block's thread 0 reads %globaltimer (ns, one clock for the
 * whole GPU) when the block starts and after its last barrier, and records
 * its SM. Per launch that gives the start spread (block dispatch), each
 * block's duration, and the end spread (the tail). The same is measured for
 * an ideal read of the same bytes (ggscope's ceiling kernel, traced), so
 * the GEMV's fixed cost can be compared with what any kernel pays.
 *
 * Built with nvcc by bench/probe/timeline.sh, one binary per kernel
 * configuration: -DPROBE_KERNEL=<kernels/*.cuh body> -DPROBE_BODY=<body
 * template instance> -DWARPS=.. plus the kernel's knobs. Timing per launch:
 * CUDA events (include ~0.5 us of launch overhead) and the globaltimer span
 * (first block start to last block end; excludes launch latency). Cold L2:
 * a 256 MiB read sweep before every launch, like ggscope's read flush.
 *
 * Usage: timeline QTYPE N K [REPS [gemv]]   QTYPE 4 (Q4_K) or 6 (Q6_K); "gemv"
 * skips the read kernels (run them from one binary only). */
#include <cuda_runtime.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vector>
#include <algorithm>

#ifndef WARPS
#define WARPS 2
#endif

#ifdef PROBE_KERNEL
#include PROBE_KERNEL
#else
#include "../../kernels/stream.cuh" /* the bulk-copy helpers */
#endif

struct trace_rec {
	unsigned long long t0, t1;
	unsigned smid, pad;
};

__device__ __forceinline__ unsigned long long probe_now(void)
{
	unsigned long long t;
	asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
	return t;
}

__device__ __forceinline__ unsigned probe_smid(void)
{
	unsigned s;
	asm volatile("mov.u32 %0, %%smid;" : "=r"(s));
	return s;
}

#ifdef PROBE_BODY
/* the kernel's own launch bounds where it has them (the dp4a entries'
 * STREAM_BOUNDS: q4k_stream_dp4a.cu pins 80 registers with it) */
#ifndef STREAM_BOUNDS
#define STREAM_BOUNDS __launch_bounds__(WARPS * 32)
#endif
extern "C" __global__ void STREAM_BOUNDS
probe_gemv(float *__restrict__ y, const unsigned char *__restrict__ w, const void *__restrict__ x, int k, int n,
	   trace_rec *tr)
{
	unsigned long long t0 = 0;
	if (threadIdx.x == 0)
		t0 = probe_now();
	PROBE_BODY(y, w, x, k, n);
	__syncthreads();
	if (threadIdx.x == 0) {
		trace_rec r = { t0, probe_now(), probe_smid(), 0 };
		tr[blockIdx.x] = r;
	}
}
#endif

/* ggscope's ceiling kernel (kernels/ceiling.cu), traced. */
extern "C" __global__ void __launch_bounds__(256)
probe_read(const uint4 *__restrict__ src, unsigned long long n, unsigned magic, unsigned *sink, trace_rec *tr)
{
	unsigned long long t0 = 0;
	if (threadIdx.x == 0)
		t0 = probe_now();
	const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
	unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
	unsigned acc = 0;
	for (; i + 3 * stride < n; i += 4 * stride) {
		const uint4 a = src[i], b = src[i + stride], c = src[i + 2 * stride], d = src[i + 3 * stride];
		acc ^= a.x ^ a.y ^ a.z ^ a.w ^ b.x ^ b.y ^ b.z ^ b.w;
		acc ^= c.x ^ c.y ^ c.z ^ c.w ^ d.x ^ d.y ^ d.z ^ d.w;
	}
	for (; i < n; i += stride) {
		const uint4 a = src[i];
		acc ^= a.x ^ a.y ^ a.z ^ a.w;
	}
	if (acc == magic)
		sink[0] = acc;
	__syncthreads();
	if (threadIdx.x == 0) {
		trace_rec r = { t0, probe_now(), probe_smid(), 0 };
		tr[blockIdx.x] = r;
	}
}

/* The same bytes with every load in flight at once: one block per 16 KB,
 * each thread four independent 16-byte loads and nothing else, so the grid
 * (two waves on an H100) holds as many bytes in flight as the SMs take. */
extern "C" __global__ void __launch_bounds__(256)
probe_read_flat(const uint4 *__restrict__ src, unsigned long long n, unsigned magic, unsigned *sink, trace_rec *tr)
{
	unsigned long long t0 = 0;
	if (threadIdx.x == 0)
		t0 = probe_now();
	const unsigned long long i = (unsigned long long)blockIdx.x * 1024 + threadIdx.x;
	unsigned acc = 0;
#pragma unroll
	for (int m = 0; m < 4; m++)
		if (i + 256 * m < n) {
			const uint4 a = src[i + 256 * m];
			acc ^= a.x ^ a.y ^ a.z ^ a.w;
		}
	if (acc == magic)
		sink[0] = acc;
	__syncthreads();
	if (threadIdx.x == 0) {
		trace_rec r = { t0, probe_now(), probe_smid(), 0 };
		tr[blockIdx.x] = r;
	}
}

/* The same bytes by bulk copies (TMA, sm_90): one block per BULK_BYTES,
 * thread 0 moves them into shared memory with one cp.async.bulk and waits
 * on an mbarrier; no per-thread loads at all. 14 blocks of 16 KB fit an
 * H100 SM, ~30 MB in flight over the chip. Whatever the SMs' instruction
 * streams cost, this read does not pay it. */
#define BULK_BYTES 16384
extern "C" __global__ void __launch_bounds__(32)
probe_read_bulk(const unsigned char *__restrict__ src, unsigned long long bytes, unsigned *sink, trace_rec *tr)
{
	__shared__ __align__(128) unsigned char buf[BULK_BYTES];
	__shared__ gg_mbar bar;
	unsigned long long t0 = 0;
	if (threadIdx.x == 0) {
		t0 = probe_now();
		const unsigned long long off = (unsigned long long)blockIdx.x * BULK_BYTES;
		const unsigned len = (unsigned)min((unsigned long long)BULK_BYTES, bytes - off) & ~15u;
		gg_mbar_init(&bar, 1);
		gg_mbar_init_fence();
		gg_mbar_expect(&bar, len);
		if (len)
			gg_bulk_copy(buf, src + off, len, &bar);
		gg_mbar_wait(&bar, 0);
		if (buf[len / 2] == 0x5a && buf[0] == 0xa5 && buf[len - 1] == 0x33)
			sink[0] = 1;
		trace_rec r = { t0, probe_now(), probe_smid(), 0 };
		tr[blockIdx.x] = r;
	}
}

/* The stream kernels' access pattern without their arithmetic: units of R
 * rows (row_bytes each, a multiple of 16: Q4_K), the block's W warps
 * taking 512-byte steps of every row of the unit round-robin, P steps in
 * flight per warp. The copies go by cp.async into a per-warp ring (ptxas
 * cannot sink them past the wait the way it sinks plain loads towards
 * their first use), and each landed step is read back from shared memory.
 * Tells the DRAM cost of reading thousands of rows side by side from the
 * cost of the kernels' instruction stream. */
template <int R, int W, int P, int ROT = 0>
__global__ void __launch_bounds__(W * 32)
probe_rowread(const unsigned char *__restrict__ m, int n, int row_bytes, unsigned *sink, trace_rec *tr)
{
	__shared__ uint4 ring[W][P][R][32];
	unsigned long long t0 = 0;
	if (threadIdx.x == 0)
		t0 = probe_now();
	const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
	const int steps = (row_bytes + 511) / 512;
	const int units = (n + R - 1) / R;
	const int cnt = steps > warp ? (steps - warp + W - 1) / W : 0; /* this warp's steps */
	unsigned acc = 0;
	auto issue = [&](int u, int i) {
		/* ROT: unit u starts at step 5u mod steps and wraps (the
		 * kernels' STREAM_ROTATE) */
		int s = warp + i * W + (ROT ? (5 * u) % steps : 0);
		s = s >= steps ? s - steps : s;
#pragma unroll
		for (int r = 0; r < R; r++) {
			const int row = min(u * R + r, n - 1);
			const int off = s * 512 + lane * 16;
			const unsigned bytes = off < row_bytes ? 16u : 0u; /* 0: zero fill, reads nothing */
			const unsigned dst = (unsigned)__cvta_generic_to_shared(&ring[warp][i % P][r][lane]);
			asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(dst),
				     "l"(m + (size_t)row * row_bytes + min(off, row_bytes - 16)), "r"(bytes)
				     : "memory");
		}
	};
	for (int u = blockIdx.x; u < units; u += gridDim.x) {
#pragma unroll
		for (int i = 0; i < P - 1; i++) {
			if (i < cnt)
				issue(u, i);
			asm volatile("cp.async.commit_group;" ::: "memory");
		}
		for (int i = 0; i < cnt; i++) {
			if (i + P - 1 < cnt)
				issue(u, i + P - 1);
			asm volatile("cp.async.commit_group;" ::: "memory");
			asm volatile("cp.async.wait_group %0;" ::"n"(P - 1) : "memory");
#pragma unroll
			for (int r = 0; r < R; r++) {
				const uint4 v = ring[warp][i % P][r][lane];
				acc ^= v.x ^ v.y ^ v.z ^ v.w;
			}
		}
		asm volatile("cp.async.wait_group 0;" ::: "memory");
	}
	if (acc == 0x12345678u)
		sink[0] = acc;
	__syncthreads();
	if (threadIdx.x == 0) {
		trace_rec r = { t0, probe_now(), probe_smid(), 0 };
		tr[blockIdx.x] = r;
	}
}

/* Q6_K's own step geometry without arithmetic: each warp step reads 840
 * bytes (4 super-blocks) of each of the unit's R rows, as q6k_stream does,
 * copying the ALIGN-byte-aligned cover of the range by 16-byte cp.async
 * (ALIGN 16 is what the kernel does; 128 starts and ends every copy on a
 * cache line, reading up to 254 bytes more from L2, none more from DRAM). */
template <int R, int W, int P, int ALIGN, int STEP = 840>
__global__ void __launch_bounds__(W * 32)
probe_rowcover(const unsigned char *__restrict__ m, int n, int row_bytes, unsigned *sink, trace_rec *tr)
{
	/* chunks: STEP + 2 x 127 rounded up to 128 (72 for 840) */
	constexpr int SLOT = (STEP + 254 + 127) / 128 * 8;
	__shared__ uint4 ring[W][P][R][SLOT];
	unsigned long long t0 = 0;
	if (threadIdx.x == 0)
		t0 = probe_now();
	const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
	const int steps = (row_bytes + STEP - 1) / STEP;
	const int units = (n + R - 1) / R;
	const int cnt = steps > warp ? (steps - warp + W - 1) / W : 0;
	const size_t total = (size_t)n * row_bytes;
	unsigned acc = 0;
	auto issue = [&](int u, int i) {
		const int s = warp + i * W;
#pragma unroll
		for (int r = 0; r < R; r++) {
			const int row = min(u * R + r, n - 1);
			const size_t seg = (size_t)row * row_bytes + (size_t)s * STEP;
			const size_t end = min(seg + STEP, (size_t)row * row_bytes + row_bytes);
			const size_t a0 = seg & ~(size_t)(ALIGN - 1);
			const size_t a1 = min((end + ALIGN - 1) & ~(size_t)(ALIGN - 1), total);
			const int chunks = (int)((a1 - a0) / 16);
			for (int c = lane; c < chunks; c += 32) {
				const unsigned dst = (unsigned)__cvta_generic_to_shared(&ring[warp][i % P][r][c]);
				asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" ::"r"(dst), "l"(m + a0 + 16 * c)
					     : "memory");
			}
		}
	};
	for (int u = blockIdx.x; u < units; u += gridDim.x) {
#pragma unroll
		for (int i = 0; i < P - 1; i++) {
			if (i < cnt)
				issue(u, i);
			asm volatile("cp.async.commit_group;" ::: "memory");
		}
		for (int i = 0; i < cnt; i++) {
			if (i + P - 1 < cnt)
				issue(u, i + P - 1);
			asm volatile("cp.async.commit_group;" ::: "memory");
			asm volatile("cp.async.wait_group %0;" ::"n"(P - 1) : "memory");
			__syncwarp();
#pragma unroll
			for (int r = 0; r < R; r++) {
				const uint4 v = ring[warp][i % P][r][lane];
				acc ^= v.x ^ v.w;
			}
			__syncwarp();
		}
		asm volatile("cp.async.wait_group 0;" ::: "memory");
	}
	if (acc == 0x12345678u)
		sink[0] = acc;
	__syncthreads();
	if (threadIdx.x == 0) {
		trace_rec r = { t0, probe_now(), probe_smid(), 0 };
		tr[blockIdx.x] = r;
	}
}

extern "C" __global__ void probe_flush(const uint4 *__restrict__ buf, unsigned long long n, unsigned *sink)
{
	const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
	unsigned acc = 0;
	for (unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
		const uint4 v = buf[i];
		acc ^= v.x ^ v.y ^ v.z ^ v.w;
	}
	if (acc == 0x9e3779b9u)
		sink[0] = acc;
}

#define CK(call)                                                                                     \
	do {                                                                                         \
		cudaError_t e_ = (call);                                                             \
		if (e_ != cudaSuccess) {                                                             \
			fprintf(stderr, "timeline: %s failed: %s (%s:%d)\n", #call, cudaGetErrorString(e_), \
				__FILE__, __LINE__);                                                 \
			exit(1);                                                                     \
		}                                                                                    \
	} while (0)

static double median(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	size_t m = v.size() / 2;
	return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

/* One launch's block records reduced to figures, all in us relative to the
 * first block's start. */
struct launch_fig {
	double event_us, span, start_max, start_p90, end_min, end_p10, end_p50, end_p90, dur_p50;
};

static launch_fig reduce(std::vector<trace_rec> &tr, double event_us)
{
	unsigned long long t0 = ~0ull, t1 = 0;
	for (auto &r : tr) {
		t0 = std::min(t0, r.t0);
		t1 = std::max(t1, r.t1);
	}
	std::vector<double> st, en, du;
	for (auto &r : tr) {
		st.push_back((r.t0 - t0) * 1e-3);
		en.push_back((r.t1 - t0) * 1e-3);
		du.push_back((r.t1 - r.t0) * 1e-3);
	}
	std::sort(st.begin(), st.end());
	std::sort(en.begin(), en.end());
	std::sort(du.begin(), du.end());
	auto pct = [](const std::vector<double> &v, double p) { return v[(size_t)(p * (v.size() - 1) + 0.5)]; };
	launch_fig f;
	f.event_us = event_us;
	f.span = (t1 - t0) * 1e-3;
	f.start_max = st.back();
	f.start_p90 = pct(st, 0.9);
	f.end_min = en.front();
	f.end_p10 = pct(en, 0.1);
	f.end_p50 = pct(en, 0.5);
	f.end_p90 = pct(en, 0.9);
	f.dur_p50 = pct(du, 0.5);
	return f;
}

static void print_figs(const char *label, double mbytes, std::vector<launch_fig> &fs)
{
	std::vector<double> a[9];
	for (auto &f : fs) {
		const double v[9] = { f.event_us, f.span, f.start_max, f.start_p90, f.end_min, f.end_p10, f.end_p50,
				      f.end_p90, f.dur_p50 };
		for (int i = 0; i < 9; i++)
			a[i].push_back(v[i]);
	}
	printf("%-34s %7.2f MB  event %6.2f  span %6.2f (%5.0f GB/s)  start max %5.2f p90 %5.2f  "
	       "end min %6.2f p10 %6.2f p50 %6.2f p90 %6.2f  block p50 %6.2f us\n",
	       label, mbytes, median(a[0]), median(a[1]), mbytes * 1e3 / median(a[1]), median(a[2]), median(a[3]),
	       median(a[4]), median(a[5]), median(a[6]), median(a[7]), median(a[8]));
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s QTYPE(4|6) N K [REPS]\n", argv[0]);
		return 2;
	}
	const int qt = atoi(argv[1]), n = atoi(argv[2]), k = atoi(argv[3]);
	const int reps = argc > 4 ? atoi(argv[4]) : 30;
	const bool reads = !(argc > 5 && strcmp(argv[5], "gemv") == 0);
	if ((qt != 4 && qt != 6) || n < 1 || k < 256 || k % 256 || reps < 1) {
		fprintf(stderr, "timeline: bad arguments\n");
		return 2;
	}
	int dev = 0, sms = 0;
	CK(cudaSetDevice(dev));
	CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
	const size_t wbytes = (size_t)n * (k / 256) * (qt == 4 ? 144 : 210);
	const size_t xbytes = (size_t)(k / 32) * 36;
	const size_t flush_bytes = 256u << 20;

	unsigned char *w, *xq;
	float *y;
	uint4 *flush;
	unsigned *sink;
	trace_rec *tr;
	const int max_blocks = 1 << 16;
	CK(cudaMalloc(&w, wbytes + 16));
	CK(cudaMalloc(&xq, xbytes + 16));
	CK(cudaMalloc(&y, (size_t)n * 4));
	CK(cudaMalloc(&flush, flush_bytes));
	CK(cudaMalloc(&sink, 4));
	CK(cudaMalloc(&tr, max_blocks * sizeof(trace_rec)));
	{
		/* Random bytes: the timing does not depend on the values. Q8_1 d
		 * halves are small so nothing overflows (not that it would slow
		 * anything). */
		std::vector<unsigned char> h(wbytes);
		uint64_t s = 0x9e3779b97f4a7c15ull;
		for (auto &b : h) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			b = (unsigned char)s;
		}
		CK(cudaMemcpy(w, h.data(), wbytes, cudaMemcpyHostToDevice));
		std::vector<unsigned char> hx(xbytes);
		for (size_t i = 0; i < xbytes; i++)
			hx[i] = (i % 36 == 1) ? 0x20 : (unsigned char)(i * 37);
		CK(cudaMemcpy(xq, hx.data(), xbytes, cudaMemcpyHostToDevice));
		CK(cudaMemset(flush, 1, flush_bytes));
	}
	cudaEvent_t e0, e1;
	CK(cudaEventCreate(&e0));
	CK(cudaEventCreate(&e1));

	/* `active`: the blocks that get work; a grid-stride kernel's surplus
	 * blocks return at once and would only blur the figures */
	auto timed = [&](auto launch, int active, const char *label, double mb) {
		std::vector<launch_fig> fs;
		std::vector<trace_rec> h(active);
		for (int r = 0; r < reps + 2; r++) {
			probe_flush<<<4 * sms, 256>>>(flush, flush_bytes / 16, sink);
			CK(cudaGetLastError());
			CK(cudaEventRecord(e0));
			launch();
			CK(cudaGetLastError());
			CK(cudaEventRecord(e1));
			CK(cudaEventSynchronize(e1));
			float ms = 0;
			CK(cudaEventElapsedTime(&ms, e0, e1));
			CK(cudaMemcpy(h.data(), tr, active * sizeof(trace_rec), cudaMemcpyDeviceToHost));
			if (r >= 2)
				fs.push_back(reduce(h, ms * 1e3));
		}
		print_figs(label, mb, fs);
	};

	const double mb = (wbytes + xbytes + 4.0 * n) / 1e6;
	/* the ideal read of the same bytes, at ggscope's ceiling launch (8 x SMs
	 * blocks of 256) and at 16 x SMs */
	for (int g = 8; reads && g <= 16; g += 8) {
		const int blocks = g * sms;
		char label[64];
		snprintf(label, sizeof label, "read %dxSMs x256", g);
		timed([&] { probe_read<<<blocks, 256>>>((const uint4 *)w, wbytes / 16, 0x12345678u, sink, tr); },
		      blocks, label, wbytes / 1e6);
	}
	if (reads) {
		const int fb = (int)((wbytes / 16 + 1023) / 1024), bb = (int)((wbytes + BULK_BYTES - 1) / BULK_BYTES);
		if (fb <= max_blocks)
			timed([&] { probe_read_flat<<<fb, 256>>>((const uint4 *)w, wbytes / 16, 0x12345678u, sink, tr); },
			      fb, "read flat 4x16B per thread", wbytes / 1e6);
		if (bb <= max_blocks)
			timed([&] { probe_read_bulk<<<bb, 32>>>(w, wbytes, sink, tr); }, bb, "read bulk 16KB per block",
			      wbytes / 1e6);
	}
	/* the stream pattern without arithmetic (rows of whole 16-byte chunks:
	 * Q4_K always, Q6_K when k is a multiple of 2048) */
	const int row_bytes = (k / 256) * (qt == 4 ? 144 : 210);
	if (reads && row_bytes % 16 == 0) {
		auto rr = [&](auto kern, int R, int W, const char *label) {
			const int units = (n + R - 1) / R, blocks = std::min(n, 16 * sms);
			timed([&] { kern<<<blocks, W * 32>>>(w, n, row_bytes, sink, tr); }, std::min(blocks, units), label,
			      wbytes / 1e6);
		};
		rr(probe_rowread<4, 2, 4>, 4, 2, "rowread R4 W2 P4");
		rr(probe_rowread<4, 2, 3>, 4, 2, "rowread R4 W2 P3");
		rr(probe_rowread<4, 4, 4>, 4, 4, "rowread R4 W4 P4");
		rr(probe_rowread<2, 1, 3>, 2, 1, "rowread R2 W1 P3");
		rr(probe_rowread<2, 2, 4>, 2, 2, "rowread R2 W2 P4");
		rr(probe_rowread<1, 4, 4>, 1, 4, "rowread R1 W4 P4");
		rr(probe_rowread<8, 1, 4>, 8, 1, "rowread R8 W1 P4");
		rr(probe_rowread<2, 1, 3, 1>, 2, 1, "rowread R2 W1 P3 rotated");
		if (qt == 6) {
			rr(probe_rowcover<2, 2, 3, 16>, 2, 2, "q6 steps R2 W2 P3, 16-aligned");
			rr(probe_rowcover<2, 2, 3, 128>, 2, 2, "q6 steps R2 W2 P3, 128-aligned");
			rr(probe_rowcover<2, 1, 3, 16>, 2, 1, "q6 steps R2 W1 P3, 16-aligned");
			rr(probe_rowcover<2, 1, 3, 128>, 2, 1, "q6 steps R2 W1 P3, 128-aligned");
			rr(probe_rowcover<2, 4, 3, 16>, 2, 4, "q6 steps R2 W4 P3, 16-aligned");
			rr(probe_rowcover<2, 4, 3, 128>, 2, 4, "q6 steps R2 W4 P3, 128-aligned");
			rr(probe_rowcover<4, 2, 3, 16>, 4, 2, "q6 steps R4 W2 P3, 16-aligned");
			rr(probe_rowcover<4, 2, 3, 128>, 4, 2, "q6 steps R4 W2 P3, 128-aligned");
			/* 8 and 16 super-blocks per copy step (STREAM_SPAN 2 and 4) */
			rr(probe_rowcover<2, 1, 3, 128, 1680>, 2, 1, "q6 2x steps R2 W1 P3, 128-aligned");
			rr(probe_rowcover<2, 2, 3, 128, 1680>, 2, 2, "q6 2x steps R2 W2 P3, 128-aligned");
			rr(probe_rowcover<2, 1, 2, 128, 1680>, 2, 1, "q6 2x steps R2 W1 P2, 128-aligned");
			rr(probe_rowcover<2, 1, 3, 128, 3360>, 2, 1, "q6 4x steps R2 W1 P3, 128-aligned");
			rr(probe_rowcover<1, 2, 3, 128, 1680>, 1, 2, "q6 2x steps R1 W2 P3, 128-aligned");
		}
		rr(probe_rowread<2, 4, 3, 1>, 2, 4, "rowread R2 W4 P3 rotated");
		rr(probe_rowread<4, 4, 4, 1>, 4, 4, "rowread R4 W4 P4 rotated");
	}
#ifdef PROBE_BODY
	{
		/* the registry's grid-stride launch: min(n, 16 x SMs) blocks */
		const int units = (n + STREAM_ROWS - 1) / STREAM_ROWS;
		const int blocks = std::min(n, 16 * sms);
		timed([&] { probe_gemv<<<blocks, WARPS * 32>>>(y, w, xq, k, n, tr); }, std::min(blocks, units),
		      PROBE_LABEL, mb);
	}
#endif
	return 0;
}
