/* GPU test of the Driver API runner on a real device (exit 77 without one):
 * module load from PTX, parameter checks, launch, the poison check, events,
 * occupancy, and recovery from two sticky errors (an illegal address and a
 * misaligned store), each followed by a launch that must work again.
 *
 * The kernels are hand-written PTX so this test needs neither NVRTC nor the
 * kernels/ directory. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu.h"

static const char ptx[] =
	".version 7.0\n"
	".target sm_52\n"
	".address_size 64\n"
	"\n"
	".visible .entry fill_index(.param .u64 y, .param .u32 n)\n"
	"{\n"
	"	.reg .pred %p;\n"
	"	.reg .b32 %r<6>;\n"
	"	.reg .b64 %rd<4>;\n"
	"	ld.param.u64 %rd1, [y];\n"
	"	ld.param.u32 %r1, [n];\n"
	"	mov.u32 %r2, %ctaid.x;\n"
	"	mov.u32 %r3, %ntid.x;\n"
	"	mov.u32 %r4, %tid.x;\n"
	"	mad.lo.s32 %r2, %r2, %r3, %r4;\n"
	"	setp.ge.u32 %p, %r2, %r1;\n"
	"	@%p bra DONE;\n"
	"	cvta.to.global.u64 %rd1, %rd1;\n"
	"	mul.wide.u32 %rd2, %r2, 4;\n"
	"	add.s64 %rd3, %rd1, %rd2;\n"
	"	mad.lo.s32 %r5, %r2, 3, 1;\n"
	"	st.global.u32 [%rd3], %r5;\n"
	"DONE:\n"
	"	ret;\n"
	"}\n"
	"\n"
	".visible .entry fill_half(.param .u64 y, .param .u32 n)\n"
	"{\n"
	"	.reg .pred %p;\n"
	"	.reg .b32 %r<6>;\n"
	"	.reg .b64 %rd<4>;\n"
	"	ld.param.u64 %rd1, [y];\n"
	"	ld.param.u32 %r1, [n];\n"
	"	shr.u32 %r1, %r1, 1;\n"
	"	mov.u32 %r2, %ctaid.x;\n"
	"	mov.u32 %r3, %ntid.x;\n"
	"	mov.u32 %r4, %tid.x;\n"
	"	mad.lo.s32 %r2, %r2, %r3, %r4;\n"
	"	setp.ge.u32 %p, %r2, %r1;\n"
	"	@%p bra DONE;\n"
	"	cvta.to.global.u64 %rd1, %rd1;\n"
	"	mul.wide.u32 %rd2, %r2, 4;\n"
	"	add.s64 %rd3, %rd1, %rd2;\n"
	"	mad.lo.s32 %r5, %r2, 3, 1;\n"
	"	st.global.u32 [%rd3], %r5;\n"
	"DONE:\n"
	"	ret;\n"
	"}\n"
	"\n"
	".visible .entry bad_store(.param .u64 y, .param .u32 n)\n"
	"{\n"
	"	.reg .b32 %r<2>;\n"
	"	.reg .b64 %rd<3>;\n"
	"	ld.param.u64 %rd1, [y];\n"
	"	ld.param.u32 %r1, [n];\n"
	"	cvta.to.global.u64 %rd1, %rd1;\n"
	"	add.s64 %rd2, %rd1, 1099511627776;\n"
	"	st.global.u32 [%rd2], %r1;\n"
	"	ret;\n"
	"}\n"
	"\n"
	".visible .entry misaligned_store(.param .u64 y, .param .u32 n)\n"
	"{\n"
	"	.reg .b32 %r<2>;\n"
	"	.reg .b64 %rd<3>;\n"
	"	ld.param.u64 %rd1, [y];\n"
	"	ld.param.u32 %r1, [n];\n"
	"	cvta.to.global.u64 %rd1, %rd1;\n"
	"	add.s64 %rd2, %rd1, 1;\n"
	"	st.global.u32 [%rd2], %r1;\n"
	"	ret;\n"
	"}\n";

static int failures;

static void
check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "ok  " : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failures += !ok;
}

struct kernels {
	gpu_module mod;
	gpu_func fill, half, bad, misaligned;
};

static int
load(gpu *g, struct kernels *k, errmsg *e)
{
	if (gpu_module_load(g, ptx, strlen(ptx), &k->mod, e) != 0 ||
	    gpu_func_get(g, k->mod, "fill_index", &k->fill, e) != 0 ||
	    gpu_func_get(g, k->mod, "fill_half", &k->half, e) != 0 ||
	    gpu_func_get(g, k->mod, "bad_store", &k->bad, e) != 0 ||
	    gpu_func_get(g, k->mod, "misaligned_store", &k->misaligned, e) != 0)
		return -1;
	return 0;
}

/* Launch fn over n words of y after poisoning y; return the downloaded
 * words (caller frees) or NULL. */
static uint32_t *
run(gpu *g, gpu_func fn, gpu_buf y, uint32_t n, int *rc, errmsg *e)
{
	gpu_launch_cfg cfg = { { (n + 255) / 256, 1, 1 }, { 256, 1, 1 }, 0 };
	gpu_arg args[2];
	uint32_t *host = calloc(n, 4);

	args[0] = gpu_arg_buf(y);
	args[1] = gpu_arg_u32(n);
	if ((*rc = gpu_buf_poison(g, y, e)) != 0 || (*rc = gpu_launch(g, fn, &cfg, args, 2, e)) != 0 ||
	    (*rc = gpu_sync(g, e)) != 0 || (*rc = gpu_buf_download(g, y, 0, host, (size_t)n * 4, e)) != 0) {
		free(host);
		return NULL;
	}
	return host;
}

static int
values_ok(const uint32_t *w, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (w[i] != i * 3 + 1)
			return 0;
	return 1;
}

/* A kernel that faults must give GPU_ERESET naming the error, leave the old
 * handles stale, and a fresh module and buffer must work afterwards. */
static void
sticky(gpu *g, struct kernels *k, gpu_buf *y, gpu_func bad, const char *code, uint32_t n)
{
	uint32_t gen = gpu_generation(g), *w;
	gpu_launch_cfg one = { { 1, 1, 1 }, { 1, 1, 1 }, 0 };
	gpu_arg args[2];
	errmsg e;
	int rc;

	args[0] = gpu_arg_buf(*y);
	args[1] = gpu_arg_u32(7);
	rc = gpu_launch(g, bad, &one, args, 2, &e);
	if (rc == 0)
		rc = gpu_sync(g, &e);
	check(rc == GPU_ERESET, "faulting kernel gives GPU_ERESET (%d): %s", rc, rc ? e.text : "");
	check(strstr(e.text, code) != NULL, "message names %s", code);
	check(gpu_generation(g) == gen + 1, "generation %u -> %u", gen, gpu_generation(g));
	check(!gpu_buf_valid(g, *y, &e) && strstr(e.text, "stale") != NULL, "old buffer is stale");
	check(gpu_launch(g, k->fill, &one, args, 2, &e) == GPU_EFAIL, "launch with stale handles refused: %s",
		e.text);
	gpu_buf_free(g, *y, &e);
	gpu_module_unload(g, k->mod, &e);
	if (load(g, k, &e) != 0 || gpu_buf_alloc(g, (size_t)n * 4, y, &e) != 0) {
		check(0, "rebuild after %s: %s", code, e.text);
		return;
	}
	w = run(g, k->fill, *y, n, &rc, &e);
	check(w != NULL && gpu_poison_count(w, n) == 0 && values_ok(w, n),
		"the rebuilt context computes correctly%s%s", w ? "" : ": ", w ? "" : e.text);
	free(w);
}

/* In-process, a sticky error cannot be recovered (the driver poisons the
 * whole process): the gpu must say so and become unavailable, not crash.
 * Run last: CUDA stays poisoned in this process afterwards. */
static void
in_process_sticky(void)
{
	gpu_launch_cfg one = { { 1, 1, 1 }, { 1, 1, 1 }, 0 };
	struct kernels k;
	gpu_buf y;
	gpu_arg args[2];
	errmsg e;
	gpu *g;
	int rc;

	setenv("GGSCOPE_GPU_INPROC", "1", 1);
	g = gpu_open();
	unsetenv("GGSCOPE_GPU_INPROC");
	if (load(g, &k, &e) != 0 || gpu_buf_alloc(g, 64, &y, &e) != 0) {
		check(0, "in-process open: %s", e.text);
		gpu_close(g);
		return;
	}
	args[0] = gpu_arg_buf(y);
	args[1] = gpu_arg_u32(7);
	rc = gpu_launch(g, k.bad, &one, args, 2, &e);
	if (rc == 0)
		rc = gpu_sync(g, &e);
	if (rc == GPU_ERESET)
		check(1, "in-process: the driver recovered the context: %s", e.text);
	else
		check(rc == GPU_EFAIL && !gpu_available(g) &&
			strstr(gpu_unavailable_reason(g), "device lost") != NULL,
			"in-process sticky error leaves the gpu unavailable: %s", gpu_unavailable_reason(g));
	gpu_close(g);
}

int
main(void)
{
	gpu *g = gpu_open();
	struct kernels k;
	gpu_func_attrs attrs;
	gpu_buf y, dead;
	gpu_arg args[2];
	gpu_launch_cfg cfg = { { 64, 1, 1 }, { 256, 1, 1 }, 0 };
	char line[ERRMSG_MAX];
	uint32_t n = 1000003, *w;
	int rc, blocks;
	float ms = 0;
	errmsg e;

	if (!gpu_available(g)) {
		printf("SKIP: %s\n", gpu_describe(g, line, sizeof line));
		gpu_close(g);
		return 77;
	}
	printf("device: %s\nlibrary: %s\ndriver runs in: %s\n", gpu_describe(g, line, sizeof line),
		gpu_lib_path(g), gpu_note(g));
	check(gpu_device_info(g)->sm_count > 0 && gpu_device_info(g)->l2_bytes > 0,
		"device info: %d SMs, L2 %llu bytes, %d blocks/SM, %llu B reserved smem/block",
		gpu_device_info(g)->sm_count, (unsigned long long)gpu_device_info(g)->l2_bytes,
		gpu_device_info(g)->max_blocks_per_sm,
		(unsigned long long)gpu_device_info(g)->reserved_smem_per_block_bytes);
	if (load(g, &k, &e) != 0) {
		check(0, "load PTX: %s", e.text);
		gpu_close(g);
		return 1;
	}
	rc = gpu_func_param_count(g, k.fill);
	check(rc == 2 || rc == -1, "fill_index takes %d parameters (-1: driver cannot tell)", rc);
	rc = gpu_func_get_attrs(g, k.fill, &attrs, &e);
	check(rc == 0 && attrs.num_regs > 0, "attributes: %d regs, %d local bytes, binary sm_%d",
		attrs.num_regs, attrs.local_bytes, attrs.binary_version);
	rc = gpu_occupancy(g, k.fill, 256, 0, &blocks, &e);
	check(rc == 0 && blocks > 0, "occupancy: %d blocks of 256 per SM", blocks);

	check(gpu_buf_alloc(g, (size_t)n * 4, &y, &e) == 0, "alloc %u words", n);
	w = run(g, k.fill, y, n, &rc, &e);
	check(w != NULL && gpu_poison_count(w, n) == 0 && values_ok(w, n), "fill_index writes all %u "
		"words%s%s", n, w ? "" : ": ", w ? "" : e.text);
	free(w);
	w = run(g, k.half, y, n, &rc, &e);
	check(w != NULL && gpu_poison_count(w, n) == n - n / 2 && gpu_poison_first(w, n) == n / 2,
		"the poison check sees the %u words fill_half leaves unwritten", n - n / 2);
	free(w);

	/* Refusals never reach the driver: the context must stay healthy. */
	check(gpu_buf_alloc(g, 64, &dead, &e) == 0 && gpu_buf_free(g, dead, &e) == 0, "alloc+free");
	args[0] = gpu_arg_buf(dead);
	args[1] = gpu_arg_u32(16);
	check(gpu_launch(g, k.fill, &cfg, args, 2, &e) == GPU_EFAIL, "freed buffer refused: %s", e.text);
	args[0] = gpu_arg_buf((gpu_buf){ 0, 0 });
	check(gpu_launch(g, k.fill, &cfg, args, 2, &e) == GPU_EFAIL, "null buffer refused: %s", e.text);
	check(gpu_generation(g) == 1 && gpu_sync(g, &e) == 0, "context healthy after refusals");

	/* Events around a launch. */
	args[0] = gpu_arg_buf(y);
	args[1] = gpu_arg_u32(n);
	cfg.grid[0] = (n + 255) / 256;
	rc = gpu_event_record(g, 0, &e);
	if (rc == 0)
		rc = gpu_launch(g, k.fill, &cfg, args, 2, &e);
	if (rc == 0)
		rc = gpu_event_record(g, 1, &e);
	if (rc == 0)
		rc = gpu_event_elapsed_ms(g, 0, 1, &ms, &e);
	check(rc == 0 && ms > 0 && ms < 1000, "event timing: %.4f ms for %u words", ms, n);
	check(gpu_l2_flush(g, &e) == 0 && gpu_sync(g, &e) == 0, "L2 flush");

	if (gpu_worker_pid(g) > 0) {
		sticky(g, &k, &y, k.bad, "CUDA_ERROR_ILLEGAL_ADDRESS", n);
		sticky(g, &k, &y, k.misaligned, "CUDA_ERROR_MISALIGNED_ADDRESS", n);
		check(gpu_reset_count(g) == 2, "two resets counted");
	} else
		check(0, "the driver runs in-process (%s): set GGSCOPE_GPU_WORKER", gpu_note(g));
	gpu_close(g);
	in_process_sticky();
	printf("%s: %d failure%s\n", failures ? "FAIL" : "PASS", failures, failures == 1 ? "" : "s");
	return failures ? 1 : 0;
}
