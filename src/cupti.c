/* cupti: opening, tiers, names and error texts (see cupti.h). The activity
 * and range-profiler halves live in cupti_activity.c and cupti_range.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cupti.h"
#include "cupti_internal.h"
#include "xalloc.h"

static const struct {
	const char *name;
	const char *label;
} metrics[CUPTI_M_COUNT] = {
	[CUPTI_M_TIME] = { "gpu__time_duration.sum", "kernel time, ns (counter pass)" },
	[CUPTI_M_DRAM_READ] = { "dram__bytes_read.sum", "DRAM read, bytes" },
	[CUPTI_M_DRAM_WRITE] = { "dram__bytes_write.sum",
		"DRAM write, bytes (inflated in-process: includes the profiler's own traffic, ~21 MB seen for a 32 KB write)" },
	[CUPTI_M_DRAM_PCT] = { "dram__throughput.avg.pct_of_peak_sustained_elapsed", "DRAM throughput, % of peak (reads + writes)" },
	[CUPTI_M_ACHIEVED_OCC] = { "sm__warps_active.avg.pct_of_peak_sustained_active", "achieved occupancy, %" },
	[CUPTI_M_L2_HIT] = { "lts__t_sector_hit_rate.pct", "L2 hit rate, %" },
	[CUPTI_M_SM_HZ] = { "gpc__cycles_elapsed.avg.per_second", "SM clock, Hz" },
	[CUPTI_M_SM_PCT] = { "sm__throughput.avg.pct_of_peak_sustained_elapsed", "SM throughput, % of peak (8 passes)" },
};

const char *
cupti_metric_name(enum cupti_metric m)
{
	return (unsigned)m < CUPTI_M_COUNT ? metrics[m].name : "?";
}

const char *
cupti_metric_label(enum cupti_metric m)
{
	return (unsigned)m < CUPTI_M_COUNT ? metrics[m].label : "?";
}

size_t
cupti_metric_set(bool full, const char **names)
{
	size_t n = 0;
	int m;

	for (m = 0; m < CUPTI_M_COUNT; m++)
		if (m != CUPTI_M_SM_PCT || full)
			names[n++] = metrics[m].name;
	return n;
}

const char *
cupti_chip_for_cc(int major, int minor)
{
	/* Only capabilities that name one chip; consumer parts share a cc. */
	if (major == 7 && minor == 0)
		return "GV100";
	if (major == 8 && minor == 0)
		return "GA100";
	if (major == 9 && minor == 0)
		return "GH100";
	if (major == 10 && minor == 0)
		return "GB100";
	return NULL;
}

const char *
cupti_tier_name(enum cupti_tier t)
{
	switch (t) {
	case CUPTI_TIER_COUNTERS:
		return "counters";
	case CUPTI_TIER_TIMING:
		return "timing only";
	case CUPTI_TIER_NONE:
		return "none";
	}
	return "?";
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void
cupti_summarize(double *v, size_t n, double *median, double *min, double *max, double *mean)
{
	double sum = 0;
	size_t i;

	*median = *min = *max = *mean = 0;
	if (n == 0)
		return;
	qsort(v, n, sizeof *v, cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	*min = v[0];
	*max = v[n - 1];
	*mean = sum / (double)n;
	*median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

const cupti_kernel_time *
cupti_timing_find(const cupti_timing *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n_kernels; i++)
		if (strcmp(t->kernels[i].name, name) == 0)
			return &t->kernels[i];
	return NULL;
}

const char *
cupti_result_hint(int code)
{
	switch (code) {
	case 35: /* CUPTI_ERROR_INSUFFICIENT_PRIVILEGES */
		return "the driver restricts GPU performance counters to admin users "
			"(check: grep RmProfilingAdminOnly /proc/driver/nvidia/params); run as root or with "
			"CAP_PERFMON (driver R565+) or CAP_SYS_ADMIN, or set 'options nvidia "
			"NVreg_RestrictProfilingToAdminUsers=0' in /etc/modprobe.d, rebuild the initramfs and "
			"reboot; see https://developer.nvidia.com/CUPTI_ERROR_INSUFFICIENT_PRIVILEGES";
	case 15: /* CUPTI_ERROR_NOT_INITIALIZED */
		return "libcupti could not load libnvperf_host.so, which it dlopens by that unversioned name "
			"(an executable's RUNPATH does not reach that lookup): add the CUDA lib64 directory to "
			"LD_LIBRARY_PATH, or link ggscope with -Wl,--disable-new-dtags,-rpath,<cuda>/lib64 "
			"(DT_RPATH, what ./configure does); a driver older than the CUPTI library also gives this code";
	case 33: /* VIRTUALIZED_DEVICE_NOT_SUPPORTED */
	case 40: /* VIRTUALIZED_DEVICE_INSUFFICIENT_PRIVILEGES */
		return "a virtual GPU: the hypervisor must enable profiling for this guest (pass-through GPUs profile like bare metal)";
	case 41:
		return "confidential computing is on: NVIDIA does not allow profiling or tracing in that mode";
	case 42:
		return "a CMP (crypto mining) device: profiling is not supported on it";
	case 43:
		return "a MIG instance: counters need an isolated compute instance";
	case 44:
		return "SLI is enabled: profiling is not supported with SLI";
	case 45:
		return "WSL: profiling is not supported under this WSL driver";
	case 39: /* MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED */
		return "another CUPTI client (ncu, nsys, a debugger) is attached to this process: run ggscope with --no-cupti under it";
	case 38:
		return "the legacy event/metric API is gone in CUDA 13.0";
	case 46:
		return "this CUPTI does not know the chip: use a CUPTI at least as new as the GPU";
	default:
		return "";
	}
}

#ifdef HAVE_CUPTI

static const cupti_api real_api = {
	.GetResultString = cuptiGetResultString,
	.GetVersion = cuptiGetVersion,
	.GetTimestamp = cuptiGetTimestamp,
	.ActivityRegisterCallbacks = cuptiActivityRegisterCallbacks,
	.ActivityEnable = cuptiActivityEnable,
	.ActivityDisable = cuptiActivityDisable,
	.ActivityFlushAll = cuptiActivityFlushAll,
	.ActivityGetNextRecord = cuptiActivityGetNextRecord,
	.ActivityGetNumDroppedRecords = cuptiActivityGetNumDroppedRecords,
	.ProfilerInitialize = cuptiProfilerInitialize,
	.ProfilerDeInitialize = cuptiProfilerDeInitialize,
	.ProfilerDeviceSupported = cuptiProfilerDeviceSupported,
	.DeviceGetChipName = cuptiDeviceGetChipName,
	.ProfilerGetCounterAvailability = cuptiProfilerGetCounterAvailability,
	.HostInitialize = cuptiProfilerHostInitialize,
	.HostDeinitialize = cuptiProfilerHostDeinitialize,
	.HostGetMetricProperties = cuptiProfilerHostGetMetricProperties,
	.HostConfigAddMetrics = cuptiProfilerHostConfigAddMetrics,
	.HostGetConfigImageSize = cuptiProfilerHostGetConfigImageSize,
	.HostGetConfigImage = cuptiProfilerHostGetConfigImage,
	.HostGetNumOfPasses = cuptiProfilerHostGetNumOfPasses,
	.HostEvaluateToGpuValues = cuptiProfilerHostEvaluateToGpuValues,
	.RangeEnable = cuptiRangeProfilerEnable,
	.RangeDisable = cuptiRangeProfilerDisable,
	.RangeSetConfig = cuptiRangeProfilerSetConfig,
	.RangeStart = cuptiRangeProfilerStart,
	.RangeStop = cuptiRangeProfilerStop,
	.RangeDecodeData = cuptiRangeProfilerDecodeData,
	.RangeGetCounterDataSize = cuptiRangeProfilerGetCounterDataSize,
	.RangeCounterDataImageInitialize = cuptiRangeProfilerCounterDataImageInitialize,
	.RangeGetCounterDataInfo = cuptiRangeProfilerGetCounterDataInfo,
};

static const cupti_api *api_in_use = &real_api;

const cupti_api *
cupti_api_table(void)
{
	return api_in_use;
}

const cupti_api *
cupti_api_real(void)
{
	return &real_api;
}

void
cupti_api_install(const cupti_api *api)
{
	api_in_use = api != NULL ? api : &real_api;
}

const char *
cupti_result_name(int code)
{
	static char buf[32];
	const char *s = NULL;

	if (api_in_use->GetResultString((CUptiResult)code, &s) == CUPTI_SUCCESS && s != NULL)
		return s;
	snprintf(buf, sizeof buf, "CUPTI error %d", code);
	return buf;
}

void
cupti_set_error(errmsg *err, CUptiResult r, const char *what)
{
	const char *hint = cupti_result_hint((int)r);

	errmsg_set(err, "%s: %s (code %d)%s%s", what, cupti_result_name((int)r), (int)r,
		hint[0] != '\0' ? ": " : "", hint);
}

int
cupti_version(unsigned *version, errmsg *err)
{
	uint32_t v = 0;
	CUptiResult r = cupti_api_table()->GetVersion(&v);

	if (r != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "cuptiGetVersion");
		return -1;
	}
	*version = v;
	return 0;
}

cupti *
cupti_open(void *cu_context, int cu_device, int device_ordinal, const cupti_options *opt)
{
	static const cupti_options defaults;
	struct cupti *c = xcalloc(1, sizeof *c);
	errmsg e;

	c->opt = opt != NULL ? *opt : defaults;
	c->ctx = (CUcontext)cu_context;
	c->device = (CUdevice)cu_device;
	c->ordinal = device_ordinal;
	if (c->opt.disabled) {
		c->tier = CUPTI_TIER_NONE;
		snprintf(c->timing_status, sizeof c->timing_status, "CUPTI disabled (--no-cupti): kernels are timed with CUDA events");
		snprintf(c->counters_status, sizeof c->counters_status, "CUPTI disabled (--no-cupti)");
		return c;
	}
	if (cupti_activity_start(c, &e) < 0) {
		c->tier = CUPTI_TIER_NONE;
		snprintf(c->timing_status, sizeof c->timing_status, "%s", e.text);
		snprintf(c->counters_status, sizeof c->counters_status, "n/a: activity tracing failed first");
		return c;
	}
	c->tier = CUPTI_TIER_TIMING;
	if (cupti_range_setup(c, &e) < 0) {
		snprintf(c->counters_status, sizeof c->counters_status, "%s", e.text);
		cupti_range_teardown(c);
		return c;
	}
	c->tier = CUPTI_TIER_COUNTERS;
	return c;
}

void
cupti_close(cupti *c)
{
	if (c == NULL)
		return;
	cupti_range_teardown(c);
	cupti_activity_stop(c);
	free(c);
}

enum cupti_tier
cupti_tier(const cupti *c)
{
	return c->tier;
}

const char *
cupti_timing_status(const cupti *c)
{
	return c->timing_status;
}

const char *
cupti_counters_status(const cupti *c)
{
	return c->counters_status;
}

const char *
cupti_chip(const cupti *c)
{
	return c->chip;
}

int
cupti_passes(const cupti *c)
{
	return c->tier == CUPTI_TIER_COUNTERS ? c->passes : 0;
}

bool
cupti_full(const cupti *c)
{
	return c->opt.full;
}

#else /* !HAVE_CUPTI: the null backend, so everything above CUPTI still builds and runs. */

#define NOT_BUILT "ggscope was built without CUPTI (configure found no cupti.h/libcupti or could not include cupti_profiler_host.h from C)"

struct cupti {
	cupti_options opt;
};

const char *
cupti_result_name(int code)
{
	static char buf[32];

	snprintf(buf, sizeof buf, "CUPTI error %d", code);
	return buf;
}

int
cupti_version(unsigned *version, errmsg *err)
{
	(void)version;
	errmsg_set(err, "%s", NOT_BUILT);
	return -1;
}

cupti *
cupti_open(void *cu_context, int cu_device, int device_ordinal, const cupti_options *opt)
{
	static const cupti_options defaults;
	struct cupti *c = xcalloc(1, sizeof *c);

	(void)cu_context;
	(void)cu_device;
	(void)device_ordinal;
	c->opt = opt != NULL ? *opt : defaults;
	return c;
}

void
cupti_close(cupti *c)
{
	free(c);
}

enum cupti_tier
cupti_tier(const cupti *c)
{
	(void)c;
	return CUPTI_TIER_NONE;
}

const char *
cupti_timing_status(const cupti *c)
{
	return c->opt.disabled ? "CUPTI disabled (--no-cupti): kernels are timed with CUDA events" : NOT_BUILT;
}

const char *
cupti_counters_status(const cupti *c)
{
	return c->opt.disabled ? "CUPTI disabled (--no-cupti)" : NOT_BUILT;
}

const char *
cupti_chip(const cupti *c)
{
	(void)c;
	return "";
}

int
cupti_passes(const cupti *c)
{
	(void)c;
	return 0;
}

bool
cupti_full(const cupti *c)
{
	return c->opt.full;
}

int
cupti_timing_begin(cupti *c, errmsg *err)
{
	errmsg_set(err, "%s", cupti_timing_status(c));
	return -1;
}

int
cupti_timing_end(cupti *c, size_t expected, cupti_timing *out, errmsg *err)
{
	(void)expected;
	memset(out, 0, sizeof *out);
	errmsg_set(err, "%s", cupti_timing_status(c));
	return -1;
}

int
cupti_counters_begin(cupti *c, int max_launches, enum cupti_replay replay, errmsg *err)
{
	(void)max_launches;
	(void)replay;
	errmsg_set(err, "%s", cupti_counters_status(c));
	return -1;
}

int
cupti_counters_pass_begin(cupti *c, errmsg *err)
{
	errmsg_set(err, "%s", cupti_counters_status(c));
	return -1;
}

int
cupti_counters_pass_end(cupti *c, bool *done, errmsg *err)
{
	*done = false;
	errmsg_set(err, "%s", cupti_counters_status(c));
	return -1;
}

int
cupti_counters_end(cupti *c, cupti_counters *out, errmsg *err)
{
	memset(out, 0, sizeof *out);
	errmsg_set(err, "%s", cupti_counters_status(c));
	return -1;
}

int
cupti_host_check(const char *chip, const char *const *names, size_t n,
	cupti_metric_check *out, int *passes, errmsg *err)
{
	(void)chip;
	(void)names;
	(void)n;
	(void)out;
	*passes = 0;
	errmsg_set(err, "%s", NOT_BUILT);
	return -1;
}

#endif /* HAVE_CUPTI */
