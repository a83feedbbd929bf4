/* cupti_internal: what the cupti_*.c files share, and the seam the unit
 * tests use to put a fake CUPTI under the module.
 *
 * Every CUPTI entry point ggscope calls goes through cupti_api_table(); the
 * real table points at libcupti. A test installs a table whose entries
 * return chosen error codes (INSUFFICIENT_PRIVILEGES, NOT_INITIALIZED, ...)
 * to exercise the paths the H100 machine cannot produce. Only built with
 * HAVE_CUPTI. Note the angle-bracket includes below name CUPTI's own
 * headers one by one: <cupti.h> would find ggscope's src/cupti.h first. */
#ifndef GGSCOPE_CUPTI_INTERNAL_H
#define GGSCOPE_CUPTI_INTERNAL_H

#include "config.h"

#ifdef HAVE_CUPTI

#include <pthread.h>
#include <cuda.h>
#include <cupti_result.h>
#include <cupti_version.h>
#include <cupti_activity.h>
#include <cupti_target.h>
#include <cupti_profiler_target.h>
#include <cupti_range_profiler.h>
#include <cupti_profiler_host.h>

#include "cupti.h"

/* libcupti dlopens libnvperf_host.so with RTLD_DEEPBIND, which the
 * AddressSanitizer runtime refuses by aborting the process: in such a build
 * the real profiler host is never called (the fake one of the tests is). */
#if defined(__SANITIZE_ADDRESS__)
#define CUPTI_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CUPTI_UNDER_ASAN 1
#endif
#endif
#ifndef CUPTI_UNDER_ASAN
#define CUPTI_UNDER_ASAN 0
#endif
#define CUPTI_ASAN_NOTE "CUPTI's profiler host is unavailable in this AddressSanitizer build " \
	"(libcupti dlopens libnvperf_host.so with RTLD_DEEPBIND, which ASan refuses)"

typedef struct cupti_api {
	CUptiResult (*GetResultString)(CUptiResult, const char **);
	CUptiResult (*GetVersion)(uint32_t *);
	CUptiResult (*GetTimestamp)(uint64_t *);
	CUptiResult (*ActivityRegisterCallbacks)(CUpti_BuffersCallbackRequestFunc, CUpti_BuffersCallbackCompleteFunc);
	CUptiResult (*ActivityEnable)(CUpti_ActivityKind);
	CUptiResult (*ActivityDisable)(CUpti_ActivityKind);
	CUptiResult (*ActivityFlushAll)(uint32_t);
	CUptiResult (*ActivityGetNextRecord)(uint8_t *, size_t, CUpti_Activity **);
	CUptiResult (*ActivityGetNumDroppedRecords)(CUcontext, uint32_t, size_t *);
	CUptiResult (*ProfilerInitialize)(CUpti_Profiler_Initialize_Params *);
	CUptiResult (*ProfilerDeInitialize)(CUpti_Profiler_DeInitialize_Params *);
	CUptiResult (*ProfilerDeviceSupported)(CUpti_Profiler_DeviceSupported_Params *);
	CUptiResult (*DeviceGetChipName)(CUpti_Device_GetChipName_Params *);
	CUptiResult (*ProfilerGetCounterAvailability)(CUpti_Profiler_GetCounterAvailability_Params *);
	CUptiResult (*HostInitialize)(CUpti_Profiler_Host_Initialize_Params *);
	CUptiResult (*HostDeinitialize)(CUpti_Profiler_Host_Deinitialize_Params *);
	CUptiResult (*HostGetMetricProperties)(CUpti_Profiler_Host_GetMetricProperties_Params *);
	CUptiResult (*HostConfigAddMetrics)(CUpti_Profiler_Host_ConfigAddMetrics_Params *);
	CUptiResult (*HostGetConfigImageSize)(CUpti_Profiler_Host_GetConfigImageSize_Params *);
	CUptiResult (*HostGetConfigImage)(CUpti_Profiler_Host_GetConfigImage_Params *);
	CUptiResult (*HostGetNumOfPasses)(CUpti_Profiler_Host_GetNumOfPasses_Params *);
	CUptiResult (*HostEvaluateToGpuValues)(CUpti_Profiler_Host_EvaluateToGpuValues_Params *);
	CUptiResult (*RangeEnable)(CUpti_RangeProfiler_Enable_Params *);
	CUptiResult (*RangeDisable)(CUpti_RangeProfiler_Disable_Params *);
	CUptiResult (*RangeSetConfig)(CUpti_RangeProfiler_SetConfig_Params *);
	CUptiResult (*RangeStart)(CUpti_RangeProfiler_Start_Params *);
	CUptiResult (*RangeStop)(CUpti_RangeProfiler_Stop_Params *);
	CUptiResult (*RangeDecodeData)(CUpti_RangeProfiler_DecodeData_Params *);
	CUptiResult (*RangeGetCounterDataSize)(CUpti_RangeProfiler_GetCounterDataSize_Params *);
	CUptiResult (*RangeCounterDataImageInitialize)(CUpti_RangeProfiler_CounterDataImage_Initialize_Params *);
	CUptiResult (*RangeGetCounterDataInfo)(CUpti_RangeProfiler_GetCounterDataInfo_Params *);
} cupti_api;

/* The table in use: the real one unless a test installed another. */
const cupti_api *cupti_api_table(void);
/* The real libcupti table (a test copies it and replaces entries). */
const cupti_api *cupti_api_real(void);
/* Install a table; NULL restores the real one. For tests. */
void cupti_api_install(const cupti_api *api);

/* "what: CUPTI_ERROR_X (code N)[. hint]" into err. */
void cupti_set_error(errmsg *err, CUptiResult r, const char *what);

/* Collected activity records for one kernel, kept between flushes. */
typedef struct cupti_record {
	int name_id;                  /* index into the name table, -1 = beyond it */
	bool flush;                   /* named like the flush kernel */
	uint64_t start_ns, end_ns;
	uint32_t regs, smem_config, local_bytes;
	int32_t static_smem, dynamic_smem;
	int32_t grid[3], block[3];
} cupti_record;

struct cupti {
	enum cupti_tier tier;
	cupti_options opt;
	CUcontext ctx;
	CUdevice device;
	int ordinal;
	char timing_status[ERRMSG_MAX];
	char counters_status[ERRMSG_MAX];
	char chip[32];

	/* activity */
	bool activity_on;

	/* range profiler */
	bool profiler_initialized;
	CUpti_Profiler_Host_Object *host;
	uint8_t *avail_image;
	size_t avail_size;
	uint8_t *config_image;
	size_t config_size;
	const char *metric_names[CUPTI_M_COUNT];
	enum cupti_metric metric_ids[CUPTI_M_COUNT];
	size_t n_metrics;
	int passes;
	CUpti_RangeProfiler_Object *range;
	uint8_t *counter_data;
	size_t counter_data_size;
	int session_launches;
	int session_passes;           /* passes stopped so far */
	bool session_in_pass;         /* between pass_begin and pass_end */
	bool session_done;            /* every pass submitted */
	enum cupti_replay session_replay;
	double session_start_ms;
};

/* Activity part (cupti_activity.c). */
int cupti_activity_start(struct cupti *c, errmsg *err);
void cupti_activity_stop(struct cupti *c);
/* Force-flush and forget every record collected so far. */
int cupti_activity_discard(struct cupti *c, errmsg *err);

/* Range-profiler part (cupti_range.c). */
int cupti_range_setup(struct cupti *c, errmsg *err);
void cupti_range_teardown(struct cupti *c);

#endif /* HAVE_CUPTI */
#endif
