/* cupti_range: hardware counters through the CUPTI 13.0 Range Profiler
 * (target side) and Profiler Host (metric configuration and evaluation).
 *
 * The call sequence is the one in shared/notes/cupti-nvrtc-tui.md 1.4:
 * once per handle ProfilerInitialize, DeviceSupported, chip name, counter
 * availability, host object, config image; per counter session Enable,
 * counter-data image, SetConfig (AutoRange + KernelReplay), Start, the
 * launches, Stop, DecodeData, EvaluateToGpuValues per range, Disable. */
#include "config.h"

#ifdef HAVE_CUPTI

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cupti_internal.h"
#include "xalloc.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static const char *
support_name(CUpti_Profiler_Support_Level l)
{
	switch (l) {
	case CUPTI_PROFILER_CONFIGURATION_SUPPORTED:
		return "supported";
	case CUPTI_PROFILER_CONFIGURATION_DISABLED:
		return "disabled";
	case CUPTI_PROFILER_CONFIGURATION_UNSUPPORTED:
		return "unsupported";
	default:
		return "unknown";
	}
}

/* "architecture unsupported (needs cc 7.5+), vGPU disabled (...)" for every
 * field that is not SUPPORTED. */
static void
unsupported_reasons(const CUpti_Profiler_DeviceSupported_Params *p, errmsg *err)
{
	const struct {
		const char *what, *why;
		CUpti_Profiler_Support_Level l;
	} f[] = {
		{ "architecture", "the range profiler needs Turing (cc 7.5) or newer", p->architecture },
		{ "SLI", "profiling does not work with SLI", p->sli },
		{ "vGPU", "the hypervisor must enable profiling for this guest", p->vGpu },
		{ "confidential computing", "profiling is off in confidential-computing mode", p->confidentialCompute },
		{ "CMP", "crypto-mining processors cannot be profiled", p->cmp },
		{ "WSL", "this WSL driver does not support profiling", p->wsl },
	};
	char buf[ERRMSG_MAX];
	size_t i, pos = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		int n;

		if (f[i].l == CUPTI_PROFILER_CONFIGURATION_SUPPORTED)
			continue;
		n = snprintf(buf + pos, sizeof buf - pos, "%s%s %s (%s)", pos ? ", " : "", f[i].what,
			support_name(f[i].l), f[i].why);
		if (n < 0 || (size_t)n >= sizeof buf - pos)
			break;
		pos += (size_t)n;
	}
	errmsg_set(err, "counters n/a: this device does not support the range profiler: %s",
		pos ? buf : "no reason given");
}

static void
host_deinit(CUpti_Profiler_Host_Object **host)
{
	CUpti_Profiler_Host_Deinitialize_Params p = { .structSize = CUpti_Profiler_Host_Deinitialize_Params_STRUCT_SIZE };

	if (*host == NULL)
		return;
	p.pHostObject = *host;
	(void)cupti_api_table()->HostDeinitialize(&p);
	*host = NULL;
}

static int
host_init(const char *chip, const uint8_t *avail, CUpti_Profiler_Host_Object **host, errmsg *err)
{
	CUpti_Profiler_Host_Initialize_Params p = { .structSize = CUpti_Profiler_Host_Initialize_Params_STRUCT_SIZE };
	CUptiResult r;
	char what[96];

	if (CUPTI_UNDER_ASAN && cupti_api_table()->HostInitialize == cupti_api_real()->HostInitialize) {
		errmsg_set(err, "%s", CUPTI_ASAN_NOTE);
		return -1;
	}
	p.profilerType = CUPTI_PROFILER_TYPE_RANGE_PROFILER;
	p.pChipName = chip;
	p.pCounterAvailabilityImage = avail;
	r = cupti_api_table()->HostInitialize(&p);
	if (r != CUPTI_SUCCESS) {
		snprintf(what, sizeof what, "cuptiProfilerHostInitialize(chip %s)", chip);
		cupti_set_error(err, r, what);
		return -1;
	}
	*host = p.pHostObject;
	return 0;
}

/* Check one name on a host object without configuring it. */
static CUptiResult
metric_props(CUpti_Profiler_Host_Object *host, const char *name, cupti_metric_check *out)
{
	CUpti_Profiler_Host_GetMetricProperties_Params p = { .structSize = CUpti_Profiler_Host_GetMetricProperties_Params_STRUCT_SIZE };
	CUptiResult r;

	p.pHostObject = host;
	p.pMetricName = name;
	r = cupti_api_table()->HostGetMetricProperties(&p);
	if (out != NULL) {
		memset(out, 0, sizeof *out);
		out->ok = r == CUPTI_SUCCESS;
		if (out->ok) {
			snprintf(out->unit, sizeof out->unit, "%s", p.pDimUnit != NULL ? p.pDimUnit : "");
			snprintf(out->hw_unit, sizeof out->hw_unit, "%s", p.pHwUnit != NULL ? p.pHwUnit : "");
		} else {
			snprintf(out->why, sizeof out->why, "%s (code %d)", cupti_result_name((int)r), (int)r);
		}
	}
	return r;
}

/* Add the names to a fresh host object and build its config image.
 * On success *image is malloc'd. */
static int
build_config(CUpti_Profiler_Host_Object *host, const char **names, size_t n,
	uint8_t **image, size_t *size, int *passes, errmsg *err)
{
	const cupti_api *api = cupti_api_table();
	CUpti_Profiler_Host_ConfigAddMetrics_Params add = { .structSize = CUpti_Profiler_Host_ConfigAddMetrics_Params_STRUCT_SIZE };
	CUpti_Profiler_Host_GetConfigImageSize_Params sz = { .structSize = CUpti_Profiler_Host_GetConfigImageSize_Params_STRUCT_SIZE };
	CUpti_Profiler_Host_GetConfigImage_Params img = { .structSize = CUpti_Profiler_Host_GetConfigImage_Params_STRUCT_SIZE };
	CUpti_Profiler_Host_GetNumOfPasses_Params np = { .structSize = CUpti_Profiler_Host_GetNumOfPasses_Params_STRUCT_SIZE };
	CUptiResult r;

	add.pHostObject = host;
	add.ppMetricNames = names;
	add.numMetrics = n;
	if ((r = api->HostConfigAddMetrics(&add)) != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "cuptiProfilerHostConfigAddMetrics");
		return -1;
	}
	sz.pHostObject = host;
	if ((r = api->HostGetConfigImageSize(&sz)) != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "cuptiProfilerHostGetConfigImageSize");
		return -1;
	}
	if (sz.configImageSize == 0) {
		errmsg_set(err, "cuptiProfilerHostGetConfigImageSize: empty config image");
		return -1;
	}
	*image = xmalloc(sz.configImageSize);
	img.pHostObject = host;
	img.configImageSize = sz.configImageSize;
	img.pConfigImage = *image;
	if ((r = api->HostGetConfigImage(&img)) != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "cuptiProfilerHostGetConfigImage");
		goto fail;
	}
	np.configImageSize = sz.configImageSize;
	np.pConfigImage = *image;
	if ((r = api->HostGetNumOfPasses(&np)) != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "cuptiProfilerHostGetNumOfPasses");
		goto fail;
	}
	*size = sz.configImageSize;
	*passes = (int)np.numOfPasses;
	return 0;
fail:
	free(*image);
	*image = NULL;
	return -1;
}

int
cupti_host_check(const char *chip, const char *const *names, size_t n,
	cupti_metric_check *out, int *passes, errmsg *err)
{
	CUpti_Profiler_Host_Object *host = NULL;
	const char **ok = xcalloc(n ? n : 1, sizeof *ok);
	uint8_t *image = NULL;
	size_t i, n_ok = 0, size = 0;
	int rc = -1;

	*passes = 0;
	if (host_init(chip, NULL, &host, err) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (metric_props(host, names[i], &out[i]) == CUPTI_SUCCESS)
			ok[n_ok++] = names[i];
	host_deinit(&host);
	if (n_ok > 0) {
		/* A clean object: properties queries leave no state, but a config
		 * must never share an object with a rejected name. */
		if (host_init(chip, NULL, &host, err) < 0)
			goto out;
		if (build_config(host, ok, n_ok, &image, &size, passes, err) < 0)
			goto out;
	}
	rc = 0;
out:
	host_deinit(&host);
	free(image);
	free(ok);
	return rc;
}

/* Counter availability: the image is read twice (size, then contents).
 * Missing privileges are expected to show here first. */
static int
read_availability(struct cupti *c, errmsg *err)
{
	CUpti_Profiler_GetCounterAvailability_Params p = { .structSize = CUpti_Profiler_GetCounterAvailability_Params_STRUCT_SIZE };
	CUptiResult r;

	p.ctx = c->ctx;
	if ((r = cupti_api_table()->ProfilerGetCounterAvailability(&p)) != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "counters n/a: cuptiProfilerGetCounterAvailability");
		return -1;
	}
	if (p.counterAvailabilityImageSize == 0) {
		errmsg_set(err, "counters n/a: cuptiProfilerGetCounterAvailability returned an empty image");
		return -1;
	}
	c->avail_size = p.counterAvailabilityImageSize;
	c->avail_image = xmalloc(c->avail_size);
	p.pCounterAvailabilityImage = c->avail_image;
	if ((r = cupti_api_table()->ProfilerGetCounterAvailability(&p)) != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "counters n/a: cuptiProfilerGetCounterAvailability");
		return -1;
	}
	return 0;
}

int
cupti_range_setup(struct cupti *c, errmsg *err)
{
	const cupti_api *api = cupti_api_table();
	CUpti_Profiler_Initialize_Params ip = { .structSize = CUpti_Profiler_Initialize_Params_STRUCT_SIZE };
	CUpti_Profiler_DeviceSupported_Params ds = { .structSize = CUpti_Profiler_DeviceSupported_Params_STRUCT_SIZE };
	CUpti_Device_GetChipName_Params cn = { .structSize = CUpti_Device_GetChipName_Params_STRUCT_SIZE };
	const char *all[CUPTI_M_COUNT];
	char rejected[ERRMSG_MAX];
	size_t i, n, pos = 0;
	CUptiResult r;

	if ((r = api->ProfilerInitialize(&ip)) != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "counters n/a: cuptiProfilerInitialize");
		return -1;
	}
	c->profiler_initialized = true;

	ds.cuDevice = c->device;
	ds.api = CUPTI_PROFILER_RANGE_PROFILING;
	if ((r = api->ProfilerDeviceSupported(&ds)) != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "counters n/a: cuptiProfilerDeviceSupported");
		return -1;
	}
	if (ds.isSupported != CUPTI_PROFILER_CONFIGURATION_SUPPORTED) {
		unsupported_reasons(&ds, err);
		return -1;
	}

	cn.deviceIndex = (size_t)c->ordinal;
	if ((r = api->DeviceGetChipName(&cn)) != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "counters n/a: cuptiDeviceGetChipName");
		return -1;
	}
	snprintf(c->chip, sizeof c->chip, "%s", cn.pChipName != NULL ? cn.pChipName : "");

	if (read_availability(c, err) < 0)
		return -1;
	if (host_init(c->chip, c->avail_image, &c->host, err) < 0) {
		errmsg_prefix(err, "counters n/a");
		return -1;
	}

	/* Each name alone first: a name the config rejects would poison the
	 * host object for every later call. */
	rejected[0] = '\0';
	n = cupti_metric_set(c->opt.full, all);
	for (i = 0; i < n; i++) {
		cupti_metric_check chk;
		enum cupti_metric id = CUPTI_M_COUNT;
		int m;

		for (m = 0; m < CUPTI_M_COUNT; m++)
			if (strcmp(cupti_metric_name((enum cupti_metric)m), all[i]) == 0)
				id = (enum cupti_metric)m;
		if (metric_props(c->host, all[i], &chk) != CUPTI_SUCCESS) {
			int k = snprintf(rejected + pos, sizeof rejected - pos, "%s%s: %s", pos ? ", " : "", all[i], chk.why);

			if (k > 0 && (size_t)k < sizeof rejected - pos)
				pos += (size_t)k;
			continue;
		}
		c->metric_names[c->n_metrics] = all[i];
		c->metric_ids[c->n_metrics] = id;
		c->n_metrics++;
	}
	if (c->n_metrics == 0) {
		errmsg_set(err, "counters n/a: chip %s rejected every metric: %s", c->chip, rejected);
		return -1;
	}
	if (build_config(c->host, c->metric_names, c->n_metrics, &c->config_image, &c->config_size, &c->passes, err) < 0) {
		errmsg_prefix(err, "counters n/a");
		return -1;
	}
	if (pos > 0)
		snprintf(c->counters_status, sizeof c->counters_status, "some metrics rejected by chip %s (shown n/a): %s",
			c->chip, rejected);
	return 0;
}

/* Disable the session's range profiler object and free its image. */
static void
session_close(struct cupti *c)
{
	CUpti_RangeProfiler_Disable_Params p = { .structSize = CUpti_RangeProfiler_Disable_Params_STRUCT_SIZE };

	if (c->range != NULL) {
		p.pRangeProfilerObject = c->range;
		(void)cupti_api_table()->RangeDisable(&p);
		c->range = NULL;
	}
	free(c->counter_data);
	c->counter_data = NULL;
	c->counter_data_size = 0;
	c->session_launches = 0;
	c->session_passes = 0;
	c->session_in_pass = false;
	c->session_done = false;
}

void
cupti_range_teardown(struct cupti *c)
{
	CUpti_Profiler_DeInitialize_Params p = { .structSize = CUpti_Profiler_DeInitialize_Params_STRUCT_SIZE };

	session_close(c);
	host_deinit(&c->host);
	free(c->config_image);
	c->config_image = NULL;
	free(c->avail_image);
	c->avail_image = NULL;
	c->n_metrics = 0;
	c->passes = 0;
	if (c->profiler_initialized) {
		(void)cupti_api_table()->ProfilerDeInitialize(&p);
		c->profiler_initialized = false;
	}
}

/* A permission failure during a session means counters never work here:
 * lower the tier once and keep the reason. */
static void
maybe_downgrade(struct cupti *c, CUptiResult r, const errmsg *e)
{
	if (r == CUPTI_ERROR_INSUFFICIENT_PRIVILEGES || r == CUPTI_ERROR_VIRTUALIZED_DEVICE_INSUFFICIENT_PRIVILEGES) {
		c->tier = CUPTI_TIER_TIMING;
		snprintf(c->counters_status, sizeof c->counters_status, "counters n/a: %s", e->text);
	}
}

int
cupti_counters_begin(cupti *c, int max_launches, enum cupti_replay replay, errmsg *err)
{
	const cupti_api *api = cupti_api_table();
	CUpti_RangeProfiler_Enable_Params en = { .structSize = CUpti_RangeProfiler_Enable_Params_STRUCT_SIZE };
	CUpti_RangeProfiler_GetCounterDataSize_Params ds = { .structSize = CUpti_RangeProfiler_GetCounterDataSize_Params_STRUCT_SIZE };
	CUpti_RangeProfiler_CounterDataImage_Initialize_Params ci = { .structSize = CUpti_RangeProfiler_CounterDataImage_Initialize_Params_STRUCT_SIZE };
	CUpti_RangeProfiler_SetConfig_Params sc = { .structSize = CUpti_RangeProfiler_SetConfig_Params_STRUCT_SIZE };
	CUptiResult r;
	errmsg e;

	if (c->tier != CUPTI_TIER_COUNTERS) {
		errmsg_set(err, "CUPTI counters unavailable: %s", c->counters_status);
		return -1;
	}
	if (c->range != NULL) {
		errmsg_set(err, "a counter session is already running");
		return -1;
	}
	if (max_launches < 1 || max_launches > CUPTI_MAX_RANGES) {
		errmsg_set(err, "counter session for %d launches: must be 1..%d", max_launches, CUPTI_MAX_RANGES);
		return -1;
	}
	c->session_start_ms = now_ms();
	en.ctx = c->ctx;
	if ((r = api->RangeEnable(&en)) != CUPTI_SUCCESS) {
		cupti_set_error(&e, r, "cuptiRangeProfilerEnable");
		goto fail;
	}
	c->range = en.pRangeProfilerObject;

	ds.pRangeProfilerObject = c->range;
	ds.pMetricNames = c->metric_names;
	ds.numMetrics = c->n_metrics;
	ds.maxNumOfRanges = (size_t)max_launches;
	ds.maxNumRangeTreeNodes = (uint32_t)max_launches;
	if ((r = api->RangeGetCounterDataSize(&ds)) != CUPTI_SUCCESS) {
		cupti_set_error(&e, r, "cuptiRangeProfilerGetCounterDataSize");
		goto fail;
	}
	c->counter_data_size = ds.counterDataSize;
	c->counter_data = xcalloc(1, ds.counterDataSize ? ds.counterDataSize : 1);
	ci.pRangeProfilerObject = c->range;
	ci.counterDataSize = c->counter_data_size;
	ci.pCounterData = c->counter_data;
	if ((r = api->RangeCounterDataImageInitialize(&ci)) != CUPTI_SUCCESS) {
		cupti_set_error(&e, r, "cuptiRangeProfilerCounterDataImageInitialize");
		goto fail;
	}

	sc.pRangeProfilerObject = c->range;
	sc.configSize = c->config_size;
	sc.pConfig = c->config_image;
	sc.counterDataImageSize = c->counter_data_size;
	sc.pCounterDataImage = c->counter_data;
	sc.range = CUPTI_AutoRange;         /* one range per kernel: UserRange inflates time by the launch gaps */
	sc.replayMode = replay == CUPTI_REPLAY_USER ? CUPTI_UserReplay : CUPTI_KernelReplay;
	sc.maxRangesPerPass = (size_t)max_launches;
	sc.numNestingLevels = 1;
	sc.minNestingLevel = 1;
	sc.passIndex = 0;
	sc.targetNestingLevel = 1;
	if ((r = api->RangeSetConfig(&sc)) != CUPTI_SUCCESS) {
		cupti_set_error(&e, r, "cuptiRangeProfilerSetConfig");
		goto fail;
	}
	c->session_launches = max_launches;
	c->session_replay = replay;
	return 0;
fail:
	maybe_downgrade(c, r, &e);
	session_close(c);
	errmsg_set(err, "%s", e.text);
	return -1;
}

/* End the session after a failure: release it, drop its activity
 * records, lower the tier on a permission error. */
static int
session_fail(cupti *c, CUptiResult r, const errmsg *e, errmsg *err)
{
	errmsg flush;

	maybe_downgrade(c, r, e);
	session_close(c);
	(void)cupti_activity_discard(c, &flush);
	errmsg_set(err, "%s", e->text);
	return -1;
}

int
cupti_counters_pass_begin(cupti *c, errmsg *err)
{
	CUpti_RangeProfiler_Start_Params st = { .structSize = CUpti_RangeProfiler_Start_Params_STRUCT_SIZE };
	CUptiResult r;
	errmsg e;

	if (c->range == NULL || c->session_in_pass || c->session_done) {
		errmsg_set(err, "counter pass: %s", c->range == NULL ? "no session (cupti_counters_begin first)"
			: c->session_in_pass ? "a pass is already running" : "every pass is done");
		return -1;
	}
	st.pRangeProfilerObject = c->range;
	if ((r = cupti_api_table()->RangeStart(&st)) != CUPTI_SUCCESS) {
		cupti_set_error(&e, r, "cuptiRangeProfilerStart");
		return session_fail(c, r, &e, err);
	}
	c->session_in_pass = true;
	return 0;
}

int
cupti_counters_pass_end(cupti *c, bool *done, errmsg *err)
{
	CUpti_RangeProfiler_Stop_Params sp = { .structSize = CUpti_RangeProfiler_Stop_Params_STRUCT_SIZE };
	CUptiResult r;
	errmsg e;

	*done = false;
	if (c->range == NULL || !c->session_in_pass) {
		errmsg_set(err, "counter pass: none is running (cupti_counters_pass_begin first)");
		return -1;
	}
	sp.pRangeProfilerObject = c->range;
	if ((r = cupti_api_table()->RangeStop(&sp)) != CUPTI_SUCCESS) {
		cupti_set_error(&e, r, "cuptiRangeProfilerStop");
		return session_fail(c, r, &e, err);
	}
	c->session_in_pass = false;
	c->session_passes++;
	if (sp.isAllPassSubmitted) {
		c->session_done = true;
		*done = true;
		return 0;
	}
	/* Kernel replay submits every pass inside the launch: anything else
	 * means no kernel ran in the pass. */
	if (c->session_replay == CUPTI_REPLAY_KERNEL || c->session_passes >= CUPTI_MAX_PASSES) {
		errmsg_set(&e, "cuptiRangeProfilerStop: %d of %d passes submitted after %d loop(s): was a kernel "
			"launched between cupti_counters_pass_begin and cupti_counters_pass_end?",
			(int)sp.passIndex, c->passes, c->session_passes);
		return session_fail(c, CUPTI_SUCCESS, &e, err);
	}
	return 0;
}

int
cupti_counters_end(cupti *c, cupti_counters *out, errmsg *err)
{
	const cupti_api *api = cupti_api_table();
	CUpti_RangeProfiler_DecodeData_Params dd = { .structSize = CUpti_RangeProfiler_DecodeData_Params_STRUCT_SIZE };
	CUpti_RangeProfiler_GetCounterDataInfo_Params di = { .structSize = CUpti_RangeProfiler_GetCounterDataInfo_Params_STRUCT_SIZE };
	CUptiResult r = CUPTI_SUCCESS;
	errmsg e, flush;
	size_t i, k;

	memset(out, 0, sizeof *out);
	if (c->range == NULL) {
		errmsg_set(err, "no counter session is running (cupti_counters_begin first)");
		return -1;
	}
	if (!c->session_done) {
		errmsg_set(&e, "counter session ended after %d of %d passes%s", c->session_passes, c->passes,
			c->session_in_pass ? ", one still running" : "");
		if (c->session_in_pass) {
			CUpti_RangeProfiler_Stop_Params sp = { .structSize = CUpti_RangeProfiler_Stop_Params_STRUCT_SIZE };

			sp.pRangeProfilerObject = c->range;
			(void)api->RangeStop(&sp);
		}
		r = CUPTI_SUCCESS;
		goto fail;
	}
	dd.pRangeProfilerObject = c->range;
	if ((r = api->RangeDecodeData(&dd)) != CUPTI_SUCCESS) {
		cupti_set_error(&e, r, "cuptiRangeProfilerDecodeData");
		goto fail;
	}
	di.pCounterDataImage = c->counter_data;
	di.counterDataImageSize = c->counter_data_size;
	if ((r = api->RangeGetCounterDataInfo(&di)) != CUPTI_SUCCESS) {
		cupti_set_error(&e, r, "cuptiRangeProfilerGetCounterDataInfo");
		goto fail;
	}
	if (di.numTotalRanges == 0) {
		errmsg_set(&e, "the counter session recorded no range: no kernel was launched in it");
		r = CUPTI_SUCCESS;
		goto fail;
	}
	out->ranges_dropped = dd.numOfRangeDropped;
	out->n_ranges = di.numTotalRanges < CUPTI_MAX_RANGES ? di.numTotalRanges : CUPTI_MAX_RANGES;
	for (i = 0; i < out->n_ranges; i++) {
		CUpti_Profiler_Host_EvaluateToGpuValues_Params ev = { .structSize = CUpti_Profiler_Host_EvaluateToGpuValues_Params_STRUCT_SIZE };
		double values[CUPTI_M_COUNT];

		ev.pHostObject = c->host;
		ev.pCounterDataImage = c->counter_data;
		ev.counterDataImageSize = c->counter_data_size;
		ev.rangeIndex = i;
		ev.ppMetricNames = c->metric_names;
		ev.numMetrics = c->n_metrics;
		ev.pMetricValues = values;
		if ((r = api->HostEvaluateToGpuValues(&ev)) != CUPTI_SUCCESS) {
			cupti_set_error(&e, r, "cuptiProfilerHostEvaluateToGpuValues");
			goto fail;
		}
		for (k = 0; k < c->n_metrics; k++) {
			out->range[i].valid[c->metric_ids[k]] = true;
			out->range[i].value[c->metric_ids[k]] = values[k];
		}
	}
	out->passes = c->session_passes > c->passes ? c->session_passes : c->passes;
	session_close(c);
	/* The launch inside the session left an activity record that never
	 * completes; flush it out so the next timing window starts clean. */
	if (cupti_activity_discard(c, &flush) < 0) {
		errmsg_set(err, "after the counter session: %s", flush.text);
		return -1;
	}
	out->wall_ms = now_ms() - c->session_start_ms;
	return 0;
fail:
	return session_fail(c, r, &e, err);
}

#endif /* HAVE_CUPTI */
