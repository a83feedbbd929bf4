/* ggscope-gpu-worker: the process that owns the CUDA driver for ggscope
 * (see gpu_proto.h). Started by ggscope with a socket on the descriptor
 * given by --fd; not meant to be run by hand. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cupti_gpu.h"
#include "gpu_backend.h"

int
main(int argc, char **argv)
{
	char *end;
	long fd;

	if (argc != 3 || strcmp(argv[1], "--fd") != 0 || (fd = strtol(argv[2], &end, 10)) < 0 ||
	    *end != '\0' || fd > 1024) {
		fprintf(stderr, "Usage: ggscope-gpu-worker --fd N\n"
			"The process ggscope runs the CUDA driver in; ggscope starts it.\n");
		return 2;
	}
	/* A vanished ggscope must end this process through EOF, not SIGPIPE
	 * half-way through a reply. */
	signal(SIGPIPE, SIG_IGN);
	/* A terminal's Ctrl-C reaches the whole process group, this process
	 * too. ggscope decides what an interrupt stops (a report finishes the
	 * launch in flight and writes what it has); dying here instead would
	 * turn that launch into a "worker died of signal 2" error. ggscope
	 * ends this process by closing the socket. */
	signal(SIGINT, SIG_IGN);
	/* CUPTI only sees the kernels of the process it runs in: this one. */
	cupti_gpu_install();
	return gpu_worker_serve((int)fd, gpu_cuda_open);
}
