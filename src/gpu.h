/* gpu: the CUDA Driver API runner behind one narrow interface.
 *
 * A `gpu` is one device (the primary context of CUDA device N, one stream,
 * a few events) or, where there is no driver or no device, the null backend:
 * every call then fails with "measurement unavailable: <reason>" and the rest
 * of ggscope keeps working. libcuda.so.1 is loaded with dlopen by its
 * versioned soname; nothing links against libcuda.
 *
 * Device memory, modules and functions are reached only through handles
 * (small values, not pointers). A handle names a table slot, the slot's
 * serial number and, through the slot, the context generation it was made
 * in. Freeing a handle bumps its slot's serial; a sticky device error
 * (illegal address, launch failure, ...) resets the primary context and
 * bumps the generation. A launch checks every buffer argument first and
 * refuses a null, freed or stale handle before anything reaches the driver:
 * a kernel that dereferences a bad pointer poisons the whole context.
 *
 * Return values: 0 on success, GPU_EFAIL on an error that left the context
 * usable, GPU_ERESET when a sticky error forced a context reset (every
 * handle made before it is now stale; the message names the error, the
 * kernel launched last and what was invalidated). Every function that takes
 * an errmsg fills it on failure.
 *
 * Isolation: on current drivers a sticky error poisons CUDA for the whole
 * process, so gpu_open runs the driver in a worker process
 * (ggscope-gpu-worker) and a reset replaces that process. Where no worker
 * can be started the driver runs in-process, gpu_note() says so, and the
 * first sticky error ends measurement (the gpu becomes unavailable).
 *
 * Threads: a gpu is used by one thread at a time; it may move between
 * threads (each call makes its context current on the calling thread). */
#ifndef GGSCOPE_GPU_H
#define GGSCOPE_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errmsg.h"

#define GPU_EFAIL (-1)
#define GPU_ERESET (-2)

/* Events the gpu owns, addressed by index 0 .. GPU_EVENTS-1. */
#define GPU_EVENTS 8

/* The bit pattern outputs are filled with before a launch: a signalling NaN
 * no float arithmetic produces (GPUs return the canonical 0x7fffffff). */
#define GPU_POISON_U32 0x7fbadbadu

typedef struct gpu gpu;

/* Handles. The zero value of each is the null handle. */
typedef struct gpu_buf {
	uint32_t slot;
	uint32_t serial;
} gpu_buf;

typedef struct gpu_module {
	uint32_t slot;
	uint32_t serial;
} gpu_module;

typedef struct gpu_func {
	uint32_t slot;
	uint32_t serial;
} gpu_func;

/* What the device reports. Fields are meaningful only when `valid`. */
typedef struct gpu_info {
	bool valid;
	int ordinal;                  /* CUDA device index */
	char name[256];
	int cc_major, cc_minor;       /* compute capability */
	int sm_count;
	int warp_size;
	uint64_t mem_bytes;           /* total device memory */
	uint64_t l2_bytes;
	int max_threads_per_sm;
	int max_threads_per_block;
	int max_regs_per_sm;
	int max_regs_per_block;
	uint64_t max_smem_per_sm_bytes;
	uint64_t max_smem_per_block_bytes;        /* without opt-in */
	uint64_t max_smem_per_block_optin_bytes;
	uint64_t reserved_smem_per_block_bytes;   /* the driver's share of each block */
	int max_blocks_per_sm;
	int mem_clock_khz;            /* peak memory clock */
	int mem_bus_bits;             /* global memory bus width */
	double peak_bw_gbs;           /* 2 (DDR) x clock x bus width: the datasheet figure */
	int driver_version;           /* cuDriverGetVersion: 13000 = CUDA 13.0 */
	char driver_release[64];      /* kernel module version ("580.159.04"); "" when unknown */
} gpu_info;

/* Resources of a loaded function (cuFuncGetAttribute). */
typedef struct gpu_func_attrs {
	int num_regs;                 /* registers per thread */
	int local_bytes;              /* local memory (spills, stack) per thread */
	int shared_bytes;             /* static shared memory per block */
	int max_threads_per_block;    /* as limited by registers and __launch_bounds__ */
	int binary_version;           /* SASS arch of the loaded code, e.g. 90 */
} gpu_func_attrs;

typedef struct gpu_launch_cfg {
	uint32_t grid[3];
	uint32_t block[3];
	uint32_t smem_bytes;          /* dynamic shared memory per block */
} gpu_launch_cfg;

/* A kernel argument. Buffers are passed as handles and resolved to device
 * addresses only after they pass the validity checks. */
enum gpu_arg_kind {
	GPU_ARG_BUF,
	GPU_ARG_I32,
	GPU_ARG_U32,
	GPU_ARG_I64,
	GPU_ARG_F32
};

typedef struct gpu_arg {
	enum gpu_arg_kind kind;
	union {
		gpu_buf buf;
		int32_t i32;
		uint32_t u32;
		int64_t i64;
		float f32;
	} v;
} gpu_arg;

static inline gpu_arg gpu_arg_buf(gpu_buf b) { gpu_arg a = { GPU_ARG_BUF, { .buf = b } }; return a; }
static inline gpu_arg gpu_arg_i32(int32_t x) { gpu_arg a = { GPU_ARG_I32, { .i32 = x } }; return a; }
static inline gpu_arg gpu_arg_u32(uint32_t x) { gpu_arg a = { GPU_ARG_U32, { .u32 = x } }; return a; }
static inline gpu_arg gpu_arg_i64(int64_t x) { gpu_arg a = { GPU_ARG_I64, { .i64 = x } }; return a; }
static inline gpu_arg gpu_arg_f32(float x) { gpu_arg a = { GPU_ARG_F32, { .f32 = x } }; return a; }

/* The most arguments one launch may pass. */
#define GPU_MAX_ARGS 16

/* ---------------------------------------------------------------- open, close, state */

/* Open CUDA device 0 through libcuda.so.1 (or the library named by
 * $GGSCOPE_LIBCUDA, for tests), in a worker process when one can be started
 * ($GGSCOPE_GPU_WORKER, else ggscope-gpu-worker beside the running program
 * or in ../libexec/ggscope/), in-process otherwise or when
 * $GGSCOPE_GPU_INPROC=1. Never returns NULL: without a usable driver or
 * device the result is the null backend, gpu_available() is false and
 * gpu_unavailable_reason() says why. */
gpu *gpu_open(void);

/* Open in this process, with an explicit library path and device ordinal.
 * A path whose file name ends in ".so" (an unversioned library, possibly
 * the toolkit's stub) is refused. Never returns NULL. */
gpu *gpu_open_lib(const char *lib_path, int ordinal);

/* Open through the worker program `worker`. Returns NULL and sets err when
 * the worker cannot be started; otherwise as gpu_open_lib (the null backend
 * with the worker's reason when the driver or device is unusable). */
gpu *gpu_open_isolated(const char *worker, const char *lib_path, int ordinal, errmsg *err);

/* Where the driver runs: "worker process <path>" or "in-process (<why>)". */
const char *gpu_note(const gpu *g);

/* The worker's process id, or -1 when the driver runs in-process. */
long gpu_worker_pid(const gpu *g);

/* Release everything: buffers, modules, events, the stream, the primary
 * context, the library. NULL is allowed. */
void gpu_close(gpu *g);

bool gpu_available(const gpu *g);
/* Why measurement is unavailable ("libcuda.so.1 not found: ..."), or "" when
 * it is available. */
const char *gpu_unavailable_reason(const gpu *g);
/* "cuda" or "null" (tests may install others). */
const char *gpu_backend_name(const gpu *g);
/* The file the driver library was loaded from, or "" for the null backend. */
const char *gpu_lib_path(const gpu *g);
/* Device properties; `valid` is false for the null backend. */
const gpu_info *gpu_device_info(const gpu *g);
/* The context generation: starts at 1, +1 on every reset. */
uint32_t gpu_generation(const gpu *g);
/* How many sticky errors forced a reset so far. */
unsigned gpu_reset_count(const gpu *g);

/* ---------------------------------------------------------------- memory */

/* Allocate `bytes` (> 0) of device memory. Fails (GPU_EFAIL) on zero bytes,
 * out of memory, or no device. */
int gpu_buf_alloc(gpu *g, size_t bytes, gpu_buf *out, errmsg *err);

/* Free a buffer. Freeing the null handle is a no-op (0). A freed handle is
 * refused (GPU_EFAIL, "already freed"); a stale one (older generation) only
 * releases its slot: the reset already released the memory. */
int gpu_buf_free(gpu *g, gpu_buf b, errmsg *err);

/* True when b is live in the current generation; otherwise false and
 * `why` (optional) says "null buffer", "freed buffer" or "stale buffer
 * (made before context reset N)". */
bool gpu_buf_valid(const gpu *g, gpu_buf b, errmsg *why);

/* Size in bytes of a valid buffer, 0 for an invalid one. */
size_t gpu_buf_bytes(const gpu *g, gpu_buf b);

/* Copy host -> device at byte `offset` (synchronous). The range must lie in
 * the buffer. */
int gpu_buf_upload(gpu *g, gpu_buf b, size_t offset, const void *src, size_t bytes, errmsg *err);

/* Copy device -> host (waits for the stream first, so a sticky error from
 * earlier work is reported and attributed before the copy). */
int gpu_buf_download(gpu *g, gpu_buf b, size_t offset, void *dst, size_t bytes, errmsg *err);

/* Fill the whole buffer with a 32-bit pattern, asynchronously on the
 * stream. Its size must be a multiple of 4. */
int gpu_buf_fill_u32(gpu *g, gpu_buf b, uint32_t value, errmsg *err);

/* gpu_buf_fill_u32 with GPU_POISON_U32. */
int gpu_buf_poison(gpu *g, gpu_buf b, errmsg *err);

/* Count the 32-bit words in host memory that still hold GPU_POISON_U32
 * (outputs a kernel failed to write). Pure. */
size_t gpu_poison_count(const void *words, size_t n_words);

/* Index of the first poisoned word, or n_words when there is none. Pure. */
size_t gpu_poison_first(const void *words, size_t n_words);

/* Evict the L2 cache: write a buffer of at least 2 x L2 bytes (allocated on
 * first use) on the stream. */
int gpu_l2_flush(gpu *g, errmsg *err);

/* ---------------------------------------------------------------- code */

/* Load a CUBIN or PTX image (PTX need not be NUL-terminated). A PTX JIT
 * error gives the driver's log in the message. */
int gpu_module_load(gpu *g, const void *image, size_t size, gpu_module *out, errmsg *err);

/* Unload a module; its functions become invalid. Null is a no-op. */
int gpu_module_unload(gpu *g, gpu_module m, errmsg *err);

/* Look a kernel up by its (extern "C" or lowered) name. The function
 * records its parameter sizes when the driver can tell them
 * (cuFuncGetParamInfo, CUDA 12.4+) so launches with the wrong argument list
 * are refused. */
int gpu_func_get(gpu *g, gpu_module m, const char *name, gpu_func *out, errmsg *err);

bool gpu_func_valid(const gpu *g, gpu_func f, errmsg *why);

/* The name given to gpu_func_get, or "" for an invalid handle. */
const char *gpu_func_name(const gpu *g, gpu_func f);

/* Parameter count from the driver, or -1 when it could not tell. */
int gpu_func_param_count(const gpu *g, gpu_func f);

int gpu_func_get_attrs(gpu *g, gpu_func f, gpu_func_attrs *out, errmsg *err);

/* Resident blocks per SM for a block size and dynamic shared memory
 * (cuOccupancyMaxActiveBlocksPerMultiprocessor). */
int gpu_occupancy(gpu *g, gpu_func f, int block_threads, size_t dyn_smem_bytes, int *blocks_per_sm,
	errmsg *err);

/* ---------------------------------------------------------------- launch and timing */

/* Launch f on the stream. Refused before the driver sees it (GPU_EFAIL,
 * nothing launched) when f is invalid, an argument buffer is null, freed or
 * stale, the argument count or sizes differ from the kernel's, or a grid or
 * block dimension is 0. A driver error at launch is returned as is (a
 * sticky one resets the context: GPU_ERESET). Errors that the kernel causes
 * while running surface at the next gpu_sync. */
int gpu_launch(gpu *g, gpu_func f, const gpu_launch_cfg *cfg, const gpu_arg *args, int nargs,
	errmsg *err);

/* gpu_launch with events ev_start and ev_end (0 .. GPU_EVENTS-1, or -1 for
 * none) recorded right before and after the kernel in the same backend call,
 * so that no host round trip falls between an event and its kernel (the
 * worker process would otherwise put ~10 us in). */
int gpu_launch_timed(gpu *g, gpu_func f, const gpu_launch_cfg *cfg, const gpu_arg *args, int nargs,
	int ev_start, int ev_end, errmsg *err);

/* Wait for the stream. A sticky error resets the context (GPU_ERESET) and
 * the message names the kernel launched last. */
int gpu_sync(gpu *g, errmsg *err);

/* Record event `ev` (0 .. GPU_EVENTS-1) on the stream. */
int gpu_event_record(gpu *g, int ev, errmsg *err);

/* Milliseconds between two recorded events; waits for `end`. */
int gpu_event_elapsed_ms(gpu *g, int start, int end, float *ms, errmsg *err);

/* ---------------------------------------------------------------- helpers */

/* The theoretical DRAM bandwidth in GB/s for a memory clock (kHz) and bus
 * width (bits), double data rate: 2619000 kHz x 5120 bits = 3352.3 GB/s. */
double gpu_peak_bandwidth_gbs(int mem_clock_khz, int bus_bits);

/* One line describing the device ("NVIDIA H100 80GB HBM3, sm_90, 132 SMs,
 * L2 50 MiB, 3352 GB/s, driver 13.0 (580.159.04)") or the reason it is
 * unavailable ("measurement unavailable: ..."). Writes at most len bytes. */
const char *gpu_describe(const gpu *g, char *buf, size_t len);

/* ---------------------------------------------------------------- profiler requests */

/* A profiler (CUPTI, src/cupti_gpu.c) must run in the process that owns the
 * CUDA context, which is the worker process when there is one. The gpu
 * layer carries its requests there as opaque bytes and hands them to the
 * handler installed in that process, with the backend's CUcontext (as
 * void *), CUdevice and ordinal. The handler fills exactly out_len bytes
 * and returns 0, or GPU_EFAIL with err. */
typedef int (*gpu_profiler_fn)(void *cu_context, int cu_device, int ordinal, uint32_t op,
	const void *in, size_t in_len, void *out, size_t out_len, errmsg *err);

/* Install the handler for this process (ggscope and ggscope-gpu-worker each
 * call it once, before gpu_open). */
void gpu_set_profiler(gpu_profiler_fn fn);

/* The handler installed in this process, or NULL. For backends. */
gpu_profiler_fn gpu_profiler(void);

/* Run a profiler request where the driver runs. in_len and out_len are at
 * most 64 KiB. Returns 0, GPU_EFAIL (no GPU, no handler there, the
 * handler's error) or GPU_ERESET, with err. */
int gpu_profiler_call(gpu *g, uint32_t op, const void *in, size_t in_len, void *out, size_t out_len,
	errmsg *err);

#endif
