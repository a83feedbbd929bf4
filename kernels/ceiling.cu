/* ceiling.cu: the device's practical read bandwidth, the denominator of
 * "% of ceiling" in ggscope's tables.
 *
 * A read-only sweep of a large buffer (>= 1 GiB, far beyond L2) in 16-byte
 * loads, four independent loads in flight per thread, grid-stride so any
 * grid covers any size. Nothing is written unless the XOR of everything
 * read equals `magic`, which the host picks so that it never does; the
 * branch only keeps the compiler from dropping the loads. On the H100 this
 * pattern reaches ~3.07 TB/s, 91.6% of the 3.35 TB/s datasheet figure.
 *
 * Launch: -DWARPS=8 (256 threads), grid 8 x SMs; kernel time from CUPTI
 * activity records. src/ceiling.c drives it. No CUDA headers: NVRTC
 * provides uint4. */
#ifndef WARPS
#error "compile with -DWARPS=N (the warps per thread block)"
#endif

extern "C" __global__ void __launch_bounds__(WARPS * 32)
ggscope_read_ceiling(const uint4 *__restrict__ src, unsigned long long n, unsigned int magic,
	unsigned int *__restrict__ sink)
{
	const unsigned long long stride = (unsigned long long)gridDim.x * blockDim.x;
	unsigned long long i = (unsigned long long)blockIdx.x * blockDim.x + threadIdx.x;
	unsigned int acc = 0;

	for (; i + 3 * stride < n; i += 4 * stride) {
		const uint4 a = src[i];
		const uint4 b = src[i + stride];
		const uint4 c = src[i + 2 * stride];
		const uint4 d = src[i + 3 * stride];
		acc ^= a.x ^ a.y ^ a.z ^ a.w ^ b.x ^ b.y ^ b.z ^ b.w;
		acc ^= c.x ^ c.y ^ c.z ^ c.w ^ d.x ^ d.y ^ d.z ^ d.w;
	}
	for (; i < n; i += stride) {
		const uint4 a = src[i];
		acc ^= a.x ^ a.y ^ a.z ^ a.w;
	}
	if (acc == magic)
		sink[0] = acc;
}
