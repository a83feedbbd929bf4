/* gpu_proto: the messages between gpu_proc.c (in ggscope) and its worker
 * process (gpu_worker.c, run as ggscope-gpu-worker).
 *
 * Why a worker: on current drivers a sticky error (an illegal address, a
 * failed launch, ...) poisons CUDA for the whole process. No context
 * reset, retain or new context recovers it (measured on the H100, driver
 * 580.159.04: cuDevicePrimaryCtxRetain keeps answering
 * CUDA_ERROR_ILLEGAL_ADDRESS). Running the driver in a child process lets
 * ggscope drop the poisoned process and start a clean one.
 *
 * One request, one response, over a stream socket. Both ends are the same
 * build on the same machine, so structs travel as raw bytes. Payloads
 * larger than GPU_PROTO_CHUNK are split by the client (uploads, downloads).
 * On an error the response's payload is the message text. */
#ifndef GGSCOPE_GPU_PROTO_H
#define GGSCOPE_GPU_PROTO_H

#include <stdint.h>

#define GPU_PROTO_MAGIC 0x67677075u   /* "ggpu" */
#define GPU_PROTO_CHUNK (16u << 20)   /* largest upload/download payload */
#define GPU_PROTO_MAX_PAYLOAD (64u << 20) /* anything larger is a broken peer */

enum gpu_proto_op {
	GPU_OP_OPEN = 1,   /* payload: library path; a0 ordinal -> payload gpu_info + loaded path */
	GPU_OP_MEM_ALLOC,  /* a0 bytes -> v0 device address */
	GPU_OP_MEM_FREE,   /* a0 address */
	GPU_OP_UPLOAD,     /* a0 address, payload the bytes */
	GPU_OP_DOWNLOAD,   /* a0 address, a1 bytes -> payload */
	GPU_OP_FILL,       /* a0 address, a1 value, a2 count of 32-bit words */
	GPU_OP_MODULE_LOAD,   /* payload image -> v0 module */
	GPU_OP_MODULE_UNLOAD, /* a0 module */
	GPU_OP_FUNC_GET,   /* a0 module, a1 max params, payload name -> v0 function, v1 n
	                      (as int64), payload n uint64 sizes */
	GPU_OP_FUNC_ATTRS, /* a0 function -> payload gpu_func_attrs */
	GPU_OP_OCCUPANCY,  /* a0 function, a1 block threads, a2 dynamic smem -> v0 blocks */
	GPU_OP_LAUNCH,     /* a0 function, a1 n params, a2/a3 events around it + 1 (0: none),
	                      payload gpu_launch_cfg, n uint64 sizes, then each value in
	                      an 8-byte slot */
	GPU_OP_SYNC,
	GPU_OP_EVENT_RECORD,  /* a0 event */
	GPU_OP_EVENT_ELAPSED, /* a0 start, a1 end -> v0 the float's bits */
	GPU_OP_CLOSE,      /* the worker answers, then exits */
	GPU_OP_PROFILER    /* a0 profiler op, a1 out bytes, payload the request -> payload
	                      exactly a1 bytes (gpu_profiler_call) */
};

struct gpu_proto_req {
	uint32_t magic;
	uint32_t op;
	uint64_t a[4];
	uint64_t payload_bytes;
};

struct gpu_proto_resp {
	uint32_t magic;
	int32_t rc;        /* 0, GPU_EFAIL or GPU_BACKEND_STICKY */
	uint64_t v[2];
	uint64_t payload_bytes;
};

#endif
