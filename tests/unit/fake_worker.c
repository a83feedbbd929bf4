/* A gpu worker process over the fake backend, for test_gpu_proc: the same
 * gpu_worker_serve loop as ggscope-gpu-worker, with kernels that fill a
 * buffer, poison the "context", kill the worker, or never finish. */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_gpu.h"

/* fill(uint32 *y, uint32 n): y[i] = 3i + 1 */
static void
sim_fill(struct fake *f, const gpu_launch_cfg *c, void **p)
{
	uint64_t y;
	uint32_t n, i, v;
	unsigned char *m;

	memcpy(&y, p[0], 8);
	memcpy(&n, p[1], 4);
	m = fake_mem(f, y, (size_t)n * 4);
	if (m == NULL)
		_exit(9); /* a real GPU would fault */
	for (i = 0; i < n; i++) {
		v = 3 * i + 1;
		memcpy(m + 4 * i, &v, 4);
	}
}

static void sim_crash(struct fake *f, const gpu_launch_cfg *c, void **p) { f->sticky_next_sync = 1; }
static void sim_die(struct fake *f, const gpu_launch_cfg *c, void **p) { _exit(7); }
static void sim_hang(struct fake *f, const gpu_launch_cfg *c, void **p) { for (;;) pause(); }

static const struct fake_kernel kernels[] = {
	{ "fill", 2, { 8, 4 }, sim_fill },
	{ "crash", 2, { 8, 4 }, sim_crash },
	{ "die", 2, { 8, 4 }, sim_die },
	{ "hang", 2, { 8, 4 }, sim_hang },
	{ NULL, 0, { 0 }, NULL }
};

int
main(int argc, char **argv)
{
	if (argc != 3 || strcmp(argv[1], "--fd") != 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	fake_open_kernels = kernels;
	return gpu_worker_serve(atoi(argv[2]), fake_backend_open);
}
