/* fake_cupti: see fake_cupti.h. */
#include "config.h"

#ifdef HAVE_CUPTI

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake_cupti.h"

static cupti_api fake;
static CUpti_BuffersCallbackRequestFunc cb_request;
static CUpti_BuffersCallbackCompleteFunc cb_complete;

struct fake_cupti_ctl ctl;
CUpti_ActivityKernel10 staged[FAKE_CUPTI_STAGED];
size_t n_staged;

static CUptiResult
f_register(CUpti_BuffersCallbackRequestFunc req, CUpti_BuffersCallbackCompleteFunc done)
{
	cb_request = req;
	cb_complete = done;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_enable(CUpti_ActivityKind k)
{
	(void)k;
	return ctl.activity_enable;
}

static CUptiResult
f_disable(CUpti_ActivityKind k)
{
	(void)k;
	return CUPTI_SUCCESS;
}

/* Deliver the staged records through CUPTI's own callbacks. A plain flush
 * returns nothing while records are "incomplete" (hold_flushes, or before
 * flush number complete_after); a forced one then returns them without
 * timestamps, as CUPTI does. */
static CUptiResult
f_flush(uint32_t flag)
{
	uint8_t *buf = NULL;
	size_t size = 0, max = 0, i;

	ctl.flushes++;
	if (n_staged == 0)
		return CUPTI_SUCCESS;
	if (ctl.hold_flushes || ctl.flushes < ctl.complete_after) {
		if (flag != CUPTI_ACTIVITY_FLAG_FLUSH_FORCED)
			return CUPTI_SUCCESS;
		for (i = 0; i < n_staged; i++)
			staged[i].start = staged[i].end = 0;
	}
	cb_request(&buf, &size, &max);
	assert_true(size >= n_staged * sizeof staged[0]);
	memcpy(buf, staged, n_staged * sizeof staged[0]);
	cb_complete(NULL, 0, buf, size, n_staged * sizeof staged[0]);
	n_staged = 0;
	return CUPTI_SUCCESS;
}

/* CUPTI's clock: what the test sets. */
static CUptiResult
f_timestamp(uint64_t *t)
{
	*t = ctl.now;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_next(uint8_t *buf, size_t valid, CUpti_Activity **rec)
{
	CUpti_ActivityKernel10 *k = *rec == NULL ? (CUpti_ActivityKernel10 *)(void *)buf
		: (CUpti_ActivityKernel10 *)(void *)*rec + 1;

	if ((uint8_t *)(k + 1) > buf + valid)
		return CUPTI_ERROR_MAX_LIMIT_REACHED;
	*rec = (CUpti_Activity *)k;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_dropped(CUcontext ctx, uint32_t s, size_t *n)
{
	(void)ctx;
	(void)s;
	*n = 0;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_prof_init(CUpti_Profiler_Initialize_Params *p)
{
	(void)p;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_prof_deinit(CUpti_Profiler_DeInitialize_Params *p)
{
	(void)p;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_supported(CUpti_Profiler_DeviceSupported_Params *p)
{
	p->isSupported = ctl.supported;
	p->architecture = p->sli = p->confidentialCompute = p->cmp = p->wsl = CUPTI_PROFILER_CONFIGURATION_SUPPORTED;
	p->vGpu = ctl.vgpu;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_chip(CUpti_Device_GetChipName_Params *p)
{
	p->pChipName = "GH100";
	return CUPTI_SUCCESS;
}

static CUptiResult
f_avail(CUpti_Profiler_GetCounterAvailability_Params *p)
{
	if (ctl.counter_availability != CUPTI_SUCCESS)
		return ctl.counter_availability;
	if (p->pCounterAvailabilityImage == NULL)
		p->counterAvailabilityImageSize = 64;
	else
		memset(p->pCounterAvailabilityImage, 0, p->counterAvailabilityImageSize);
	return CUPTI_SUCCESS;
}

/* A fake profiler host: the real one's answers are checked by the
 * test_host_* tests; this one also runs under ASan, where the real one
 * cannot be loaded. It knows ggscope's eight metrics and counts passes the
 * way GH100 does for the two sets (2, or 8 with sm__throughput). */
static CUpti_Profiler_Host_Object *const fake_host = (CUpti_Profiler_Host_Object *)(uintptr_t)0x2000;
static size_t fake_added;

static CUptiResult
f_host_init(CUpti_Profiler_Host_Initialize_Params *p)
{
	if (ctl.host_init != CUPTI_SUCCESS)
		return ctl.host_init;
	assert_non_null(p->pCounterAvailabilityImage);
	assert_string_equal(p->pChipName, "GH100");
	p->pHostObject = fake_host;
	fake_added = 0;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_host_deinit(CUpti_Profiler_Host_Deinitialize_Params *p)
{
	assert_ptr_equal(p->pHostObject, fake_host);
	return CUPTI_SUCCESS;
}

static CUptiResult
f_host_props(CUpti_Profiler_Host_GetMetricProperties_Params *p)
{
	int m;

	for (m = 0; m < CUPTI_M_COUNT; m++)
		if (strcmp(p->pMetricName, cupti_metric_name((enum cupti_metric)m)) == 0 &&
			!(m == CUPTI_M_L2_HIT && ctl.reject_l2)) {
			p->pDimUnit = "unit";
			p->pHwUnit = "hw";
			return CUPTI_SUCCESS;
		}
	return CUPTI_ERROR_INVALID_METRIC_NAME;
}

static CUptiResult
f_host_add(CUpti_Profiler_Host_ConfigAddMetrics_Params *p)
{
	fake_added = p->numMetrics;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_host_size(CUpti_Profiler_Host_GetConfigImageSize_Params *p)
{
	p->configImageSize = 16;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_host_image(CUpti_Profiler_Host_GetConfigImage_Params *p)
{
	memset(p->pConfigImage, 0xab, p->configImageSize);
	return CUPTI_SUCCESS;
}

static CUptiResult
f_host_passes(CUpti_Profiler_Host_GetNumOfPasses_Params *p)
{
	p->numOfPasses = fake_added == CUPTI_M_COUNT ? 8 : 2;
	return CUPTI_SUCCESS;
}

static CUpti_RangeProfiler_Object *const fake_object = (CUpti_RangeProfiler_Object *)(uintptr_t)0x1000;

static CUptiResult
f_range_enable(CUpti_RangeProfiler_Enable_Params *p)
{
	p->pRangeProfilerObject = fake_object;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_range_disable(CUpti_RangeProfiler_Disable_Params *p)
{
	assert_ptr_equal(p->pRangeProfilerObject, fake_object);
	ctl.disables++;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_range_setconfig(CUpti_RangeProfiler_SetConfig_Params *p)
{
	assert_int_equal(p->range, CUPTI_AutoRange);
	ctl.user_replay = p->replayMode == CUPTI_UserReplay;
	ctl.stops = 0;
	assert_non_null(p->pConfig);
	return CUPTI_SUCCESS;
}

static CUptiResult
f_range_start(CUpti_RangeProfiler_Start_Params *p)
{
	(void)p;
	ctl.starts++;
	return ctl.range_start;
}

static CUptiResult
f_range_stop(CUpti_RangeProfiler_Stop_Params *p)
{
	ctl.stops++;
	/* User replay: GH100's 2 passes, one per Start..Stop. */
	p->passIndex = (size_t)ctl.stops;
	p->isAllPassSubmitted = ctl.user_replay ? ctl.stops >= 2 && ctl.all_passes_submitted : ctl.all_passes_submitted;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_range_decode(CUpti_RangeProfiler_DecodeData_Params *p)
{
	p->numOfRangeDropped = 0;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_range_size(CUpti_RangeProfiler_GetCounterDataSize_Params *p)
{
	assert_int_equal(p->numMetrics, ctl.reject_l2 ? 6 : 7);
	p->counterDataSize = 128;
	return CUPTI_SUCCESS;
}

static CUptiResult
f_range_init(CUpti_RangeProfiler_CounterDataImage_Initialize_Params *p)
{
	assert_int_equal(p->counterDataSize, 128);
	return CUPTI_SUCCESS;
}

static CUptiResult
f_range_info(CUpti_RangeProfiler_GetCounterDataInfo_Params *p)
{
	p->numTotalRanges = ctl.ranges;
	return CUPTI_SUCCESS;
}

/* Value = 1000 x range + metric position, so the mapping can be checked. */
static CUptiResult
f_evaluate(CUpti_Profiler_Host_EvaluateToGpuValues_Params *p)
{
	size_t i;

	for (i = 0; i < p->numMetrics; i++)
		p->pMetricValues[i] = 1000.0 * (double)p->rangeIndex + (double)i;
	return CUPTI_SUCCESS;
}

int
fake_setup(void **state)
{
	(void)state;
	fake = *cupti_api_real();
	fake.ActivityRegisterCallbacks = f_register;
	fake.ActivityEnable = f_enable;
	fake.ActivityDisable = f_disable;
	fake.ActivityFlushAll = f_flush;
	fake.ActivityGetNextRecord = f_next;
	fake.GetTimestamp = f_timestamp;
	fake.ActivityGetNumDroppedRecords = f_dropped;
	fake.ProfilerInitialize = f_prof_init;
	fake.ProfilerDeInitialize = f_prof_deinit;
	fake.ProfilerDeviceSupported = f_supported;
	fake.DeviceGetChipName = f_chip;
	fake.ProfilerGetCounterAvailability = f_avail;
	fake.HostInitialize = f_host_init;
	fake.HostDeinitialize = f_host_deinit;
	fake.HostGetMetricProperties = f_host_props;
	fake.HostConfigAddMetrics = f_host_add;
	fake.HostGetConfigImageSize = f_host_size;
	fake.HostGetConfigImage = f_host_image;
	fake.HostGetNumOfPasses = f_host_passes;
	fake.RangeEnable = f_range_enable;
	fake.RangeDisable = f_range_disable;
	fake.RangeSetConfig = f_range_setconfig;
	fake.RangeStart = f_range_start;
	fake.RangeStop = f_range_stop;
	fake.RangeDecodeData = f_range_decode;
	fake.RangeGetCounterDataSize = f_range_size;
	fake.RangeCounterDataImageInitialize = f_range_init;
	fake.RangeGetCounterDataInfo = f_range_info;
	fake.HostEvaluateToGpuValues = f_evaluate;
	memset(&ctl, 0, sizeof ctl);
	ctl.supported = ctl.vgpu = CUPTI_PROFILER_CONFIGURATION_SUPPORTED;
	ctl.all_passes_submitted = 1;
	ctl.ranges = 1;
	n_staged = 0;
	cupti_api_install(&fake);
	return 0;
}

int
fake_teardown(void **state)
{
	(void)state;
	cupti_api_install(NULL);
	return 0;
}

void
stage(const char *name, uint64_t start, uint64_t end)
{
	CUpti_ActivityKernel10 *k;

	assert_true(n_staged < sizeof staged / sizeof staged[0]);
	k = &staged[n_staged++];

	memset(k, 0, sizeof *k);
	k->kind = CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL;
	k->name = name;
	k->start = start;
	k->end = end;
	k->registersPerThread = 40;
	k->sharedMemoryExecuted = 32768;
	k->gridX = 14336;
	k->gridY = k->gridZ = 1;
	k->blockX = 96;
	k->blockY = k->blockZ = 1;
}

void
stage_geom(const char *name, uint64_t start, uint64_t end, int block, int grid)
{
	stage(name, start, end);
	staged[n_staged - 1].blockX = block;
	staged[n_staged - 1].gridX = grid;
}

#endif /* HAVE_CUPTI */
