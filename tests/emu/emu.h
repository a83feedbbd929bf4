/* emu.h: enough of CUDA C to run ggscope's kernels on the CPU.
 *
 * tests/cli/kernels-emu.sh builds each kernel source as C++ with this file
 * force-included (g++ -include emu.h). Every CUDA thread of a block is a
 * coroutine (ucontext) on one OS thread; warp shuffles and __syncthreads
 * are rendezvous points where the coroutine yields until all participants
 * have arrived. So the emulator runs the kernels' real indexing, loads,
 * shuffles and barriers, and reports a deadlock (a barrier or shuffle some
 * thread never reaches) instead of hanging. It does not model timing,
 * memory coalescing or out-of-order warps. */
#ifndef GG_EMU_H
#define GG_EMU_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define GG_HOST_EMU 1
#define __global__
#define __device__
#define __forceinline__ static inline
#define __launch_bounds__(...)
#define __shared__ static
#define __restrict__ __restrict

struct emu_dim3 {
	unsigned x, y, z;
};
/* Set by the scheduler before it resumes a coroutine. */
extern emu_dim3 threadIdx, blockIdx, blockDim, gridDim;

struct alignas(16) float4 {
	float x, y, z, w;
};

void emu_syncthreads(void);
uint64_t emu_shfl(unsigned mask, uint64_t v, int mode, int arg, int width);
void *emu_dynamic_smem(void);
float emu_h2f(unsigned short h);
unsigned short emu_f2h_rn(float f);

#define __syncthreads() emu_syncthreads()
#define GG_DYNAMIC_SMEM(type, name) type *name = (type *)emu_dynamic_smem()

static inline float gg_h2f(unsigned short h)
{
	return emu_h2f(h);
}

static inline unsigned short gg_f2h_rn(float f)
{
	return emu_f2h_rn(f);
}

template <class T> static inline T emu_shfl_t(unsigned mask, T v, int mode, int arg, int width)
{
	uint64_t raw = 0;
	T out;
	static_assert(sizeof(T) <= sizeof raw, "shuffle of a type wider than 64 bits");
	memcpy(&raw, &v, sizeof v);
	raw = emu_shfl(mask, raw, mode, arg, width);
	memcpy(&out, &raw, sizeof out);
	return out;
}

template <class T> static inline T __shfl_sync(unsigned mask, T v, int src, int width = 32)
{
	return emu_shfl_t(mask, v, 0, src, width);
}

template <class T> static inline T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32)
{
	return emu_shfl_t(mask, v, 1, lane_mask, width);
}

template <class T> static inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32)
{
	return emu_shfl_t(mask, v, 2, (int)delta, width);
}

/* Four signed byte products plus c, like the PTX dp4a.s32.s32. */
static inline int __dp4a(int a, int b, int c)
{
	for (int i = 0; i < 4; i++)
		c += (int)(int8_t)((uint32_t)a >> (8 * i)) * (int)(int8_t)((uint32_t)b >> (8 * i));
	return c;
}

#endif
