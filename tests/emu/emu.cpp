/* emu.cpp: the coroutine scheduler behind emu.h (see there). */
#include "emu.h"

#include <stdio.h>
#include <stdlib.h>
#include <ucontext.h>

#include "emu_launch.h"

emu_dim3 threadIdx, blockIdx, blockDim, gridDim;

enum { RUNNABLE, WAIT_WARP, WAIT_BLOCK, DONE };

struct ethread {
	ucontext_t ctx;
	char *stack;
	int state;
};

struct ewarp {
	uint64_t wr[32]; /* values written at the pending shuffle */
	uint64_t rd[32]; /* snapshot of the last completed shuffle */
	int arrived;
};

#define EMU_MAX_THREADS 1024
#define EMU_STACK (256 * 1024)

static ethread threads[EMU_MAX_THREADS];
static ewarp warps[EMU_MAX_THREADS / 32];
static ucontext_t sched_ctx;
static int cur, nthreads, block_arrived;
static void (*body)(void *);
static void *body_arg;
static unsigned char *dyn_smem;
static size_t dyn_smem_bytes;

static void
emu_die(const char *what)
{
	fprintf(stderr, "emu: %s (block %u, thread %u)\n", what, blockIdx.x, threadIdx.x);
	for (int t = 0; t < nthreads; t++)
		if (threads[t].state != DONE)
			fprintf(stderr, "  thread %d: %s\n", t,
				threads[t].state == WAIT_WARP ? "waiting at a shuffle" :
				threads[t].state == WAIT_BLOCK ? "waiting at __syncthreads" : "runnable");
	abort();
}

static void
yield(void)
{
	swapcontext(&threads[cur].ctx, &sched_ctx);
}

static void
trampoline(void)
{
	body(body_arg);
	threads[cur].state = DONE;
	/* returning resumes uc_link, the scheduler */
}

void
emu_syncthreads(void)
{
	threads[cur].state = WAIT_BLOCK;
	if (++block_arrived == nthreads) {
		block_arrived = 0;
		for (int t = 0; t < nthreads; t++)
			threads[t].state = RUNNABLE;
	}
	yield();
}

uint64_t
emu_shfl(unsigned mask, uint64_t v, int mode, int arg, int width)
{
	const int lane = cur & 31;
	ewarp *w = &warps[cur / 32];
	int src;

	if (mask != 0xffffffffu)
		emu_die("shuffle with a partial mask (the kernels use full warps only)");
	if (width <= 0 || width > 32 || (width & (width - 1)) != 0)
		emu_die("shuffle width is not a power of two <= 32");
	w->wr[lane] = v;
	threads[cur].state = WAIT_WARP;
	if (++w->arrived == 32) {
		w->arrived = 0;
		memcpy(w->rd, w->wr, sizeof w->rd);
		for (int t = cur & ~31; t < (cur & ~31) + 32; t++)
			threads[t].state = RUNNABLE;
	}
	yield();
	{
		const int seg = lane & ~(width - 1);
		switch (mode) {
		case 0:
			src = seg + (arg & (width - 1));
			break;
		case 1:
			src = seg + ((lane ^ arg) & (width - 1));
			break;
		default:
			src = (lane - seg) + arg < width ? lane + arg : lane;
			break;
		}
	}
	return w->rd[src];
}

void *
emu_dynamic_smem(void)
{
	return dyn_smem;
}

float
emu_h2f(unsigned short h)
{
	const uint32_t sign = (uint32_t)(h >> 15) << 31;
	const int exp = (h >> 10) & 0x1f;
	uint32_t mant = h & 0x3ff, bits;
	float f;

	if (exp == 0x1f) {
		bits = sign | 0x7f800000u | (mant << 13);
	} else if (exp != 0) {
		bits = sign | ((uint32_t)(exp - 15 + 127) << 23) | (mant << 13);
	} else if (mant == 0) {
		bits = sign;
	} else { /* subnormal: normalise */
		int e = -14;
		while (!(mant & 0x400)) {
			mant <<= 1;
			e--;
		}
		bits = sign | ((uint32_t)(e + 127) << 23) | ((mant & 0x3ff) << 13);
	}
	memcpy(&f, &bits, sizeof f);
	return f;
}

unsigned short
emu_f2h_rn(float f)
{
	uint32_t x;
	memcpy(&x, &f, sizeof x);
	const uint32_t sign = (x >> 16) & 0x8000;
	const int exp = (int)((x >> 23) & 0xff);
	uint32_t mant = x & 0x7fffff;

	if (exp == 0xff) /* inf or NaN (keep NaN quiet) */
		return (unsigned short)(sign | 0x7c00 | (mant ? 0x200 | (mant >> 13) : 0));
	int e = exp - 127 + 15;
	if (e >= 0x1f)
		return (unsigned short)(sign | 0x7c00);
	if (e <= 0) { /* subnormal half or zero */
		if (e < -10)
			return (unsigned short)sign;
		mant |= 0x800000;
		const int shift = 14 - e;
		uint32_t h = mant >> shift;
		const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
		if (rem > half || (rem == half && (h & 1)))
			h++;
		return (unsigned short)(sign | h);
	}
	uint32_t h = ((uint32_t)e << 10) | (mant >> 13);
	const uint32_t rem = mant & 0x1fff;
	if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
		h++; /* may carry into the exponent, up to inf: correct */
	return (unsigned short)(sign | h);
}

void
emu_launch(unsigned grid, unsigned block, size_t smem_bytes, void (*fn)(void *), void *arg)
{
	if (block == 0 || block > EMU_MAX_THREADS || block % 32 != 0) {
		fprintf(stderr, "emu: block of %u threads (need a multiple of 32 up to %d)\n", block, EMU_MAX_THREADS);
		abort();
	}
	if (smem_bytes > dyn_smem_bytes) {
		free(dyn_smem);
		dyn_smem = (unsigned char *)aligned_alloc(16, (smem_bytes + 15) & ~(size_t)15);
		dyn_smem_bytes = smem_bytes;
	}
	body = fn;
	body_arg = arg;
	nthreads = (int)block;
	gridDim = {grid, 1, 1};
	blockDim = {block, 1, 1};
	for (unsigned b = 0; b < grid; b++) {
		blockIdx = {b, 0, 0};
		block_arrived = 0;
		for (int w = 0; w < nthreads / 32; w++)
			warps[w].arrived = 0;
		for (int t = 0; t < nthreads; t++) {
			ethread *th = &threads[t];
			if (th->stack == NULL)
				th->stack = (char *)malloc(EMU_STACK);
			getcontext(&th->ctx);
			th->ctx.uc_stack.ss_sp = th->stack;
			th->ctx.uc_stack.ss_size = EMU_STACK;
			th->ctx.uc_link = &sched_ctx;
			makecontext(&th->ctx, trampoline, 0);
			th->state = RUNNABLE;
		}
		for (;;) {
			int ran = 0, done = 0;
			for (int t = 0; t < nthreads; t++) {
				if (threads[t].state != RUNNABLE)
					continue;
				cur = t;
				threadIdx = {(unsigned)t, 0, 0};
				swapcontext(&sched_ctx, &threads[t].ctx);
				ran = 1;
			}
			for (int t = 0; t < nthreads; t++)
				done += threads[t].state == DONE;
			if (done == nthreads)
				break;
			if (!ran) {
				threadIdx = {0, 0, 0};
				emu_die("deadlock: threads wait at a barrier or shuffle that others never reach");
			}
		}
	}
}
