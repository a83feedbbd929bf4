/* cupti_activity: kernel durations from CUPTI's Activity API
 * (CONCURRENT_KERNEL records: GPU start/end timestamps in ns).
 *
 * CUPTI hands records back through two process-wide callbacks with no user
 * pointer, possibly from its own thread and later than the flush that asked
 * for them, so the collected records live in one static store behind a
 * mutex, only one cupti handle may own it, and a timing window keeps only
 * kernels that started after it opened (cuptiGetTimestamp shares the
 * records' clock): a late buffer of the previous window cannot leak in. */
#include "config.h"

#ifdef HAVE_CUPTI

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cupti_internal.h"
#include "xalloc.h"

/* One buffer holds thousands of kernel records (~250 B each); the bench
 * flushes after every window, so a few MiB never fill. */
#define ACT_BUFFER_BYTES (4u << 20)

static struct {
	pthread_mutex_t lock;
	bool registered;
	struct cupti *owner;
	cupti_record *recs;
	size_t n, cap;
	char *names[CUPTI_MAX_KERNELS];
	size_t n_names;
	size_t excluded, other, incomplete, stale, dropped;
	uint64_t window_start_ns;     /* records of kernels started earlier are stale */
} act = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The id of a kernel name, interning it; -1 when the table is full.
 * Called with the lock held. */
static int
name_id(const char *name)
{
	size_t i;

	for (i = 0; i < act.n_names; i++)
		if (strcmp(act.names[i], name) == 0)
			return (int)i;
	if (act.n_names == CUPTI_MAX_KERNELS)
		return -1;
	act.names[act.n_names] = xstrndup(name, CUPTI_KERNEL_NAME_MAX - 1);
	return (int)act.n_names++;
}

static void
clear_records_locked(void)
{
	size_t i;

	for (i = 0; i < act.n_names; i++)
		free(act.names[i]);
	act.n_names = 0;
	act.n = 0;
	act.excluded = act.other = act.incomplete = act.stale = act.dropped = 0;
}

/* Keep one kernel record. Called with the lock held. */
static void
add_kernel_locked(const CUpti_ActivityKernel10 *k)
{
	const char *name = k->name != NULL ? k->name : "?";
	cupti_record *r;

	/* Both 0 = not collected; a launch inside a range-profiler session
	 * leaves such a record behind. */
	if (k->start == 0 || k->end == 0 || k->end < k->start) {
		act.incomplete++;
		return;
	}
	if (k->start < act.window_start_ns) {
		act.stale++;
		return;
	}
	if (act.n == act.cap) {
		act.cap = act.cap ? act.cap * 2 : 256;
		act.recs = xreallocarray(act.recs, act.cap, sizeof *act.recs);
	}
	r = &act.recs[act.n];
	r->flush = strcmp(name, CUPTI_FLUSH_KERNEL) == 0;
	r->name_id = name_id(name);
	if (r->flush)
		act.excluded++;
	else if (r->name_id < 0)
		act.other++;
	r->start_ns = k->start;
	r->end_ns = k->end;
	r->regs = k->registersPerThread;
	r->smem_config = k->sharedMemoryExecuted;
	r->local_bytes = k->localMemoryPerThread;
	r->static_smem = k->staticSharedMemory;
	r->dynamic_smem = k->dynamicSharedMemory;
	r->grid[0] = k->gridX;
	r->grid[1] = k->gridY;
	r->grid[2] = k->gridZ;
	r->block[0] = k->blockX;
	r->block[1] = k->blockY;
	r->block[2] = k->blockZ;
	act.n++;
}

static void CUPTIAPI
buffer_requested(uint8_t **buffer, size_t *size, size_t *max_records)
{
	/* malloc's alignment (16 on glibc) satisfies CUPTI's 8. */
	*buffer = xmalloc(ACT_BUFFER_BYTES);
	*size = ACT_BUFFER_BYTES;
	*max_records = 0;
}

static void CUPTIAPI
buffer_completed(CUcontext ctx, uint32_t stream, uint8_t *buffer, size_t size, size_t valid)
{
	const cupti_api *api = cupti_api_table();
	CUpti_Activity *rec = NULL;
	size_t dropped = 0;

	(void)size;
	pthread_mutex_lock(&act.lock);
	while (valid > 0 && api->ActivityGetNextRecord(buffer, valid, &rec) == CUPTI_SUCCESS) {
		if (rec->kind == CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL || rec->kind == CUPTI_ACTIVITY_KIND_KERNEL)
			add_kernel_locked((const CUpti_ActivityKernel10 *)rec);
	}
	if (ctx != NULL && api->ActivityGetNumDroppedRecords(ctx, stream, &dropped) == CUPTI_SUCCESS)
		act.dropped += dropped;
	pthread_mutex_unlock(&act.lock);
	free(buffer);
}

int
cupti_activity_start(struct cupti *c, errmsg *err)
{
	const cupti_api *api = cupti_api_table();
	CUptiResult r;

	if (act.owner != NULL) {
		errmsg_set(err, "activity tracing: another ggscope CUPTI handle is open in this process");
		return -1;
	}
	if (!act.registered) {
		r = api->ActivityRegisterCallbacks(buffer_requested, buffer_completed);
		if (r != CUPTI_SUCCESS) {
			cupti_set_error(err, r, "cuptiActivityRegisterCallbacks");
			return -1;
		}
		act.registered = true;
	}
	r = api->ActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
	if (r != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "cuptiActivityEnable(CONCURRENT_KERNEL)");
		return -1;
	}
	act.owner = c;
	c->activity_on = true;
	pthread_mutex_lock(&act.lock);
	clear_records_locked();
	pthread_mutex_unlock(&act.lock);
	return 0;
}

void
cupti_activity_stop(struct cupti *c)
{
	const cupti_api *api = cupti_api_table();

	if (!c->activity_on)
		return;
	/* Return every buffer CUPTI holds, then stop; errors here leave nothing
	 * to act on (the process is done with CUPTI). */
	(void)api->ActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
	(void)api->ActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
	pthread_mutex_lock(&act.lock);
	clear_records_locked();
	free(act.recs);
	act.recs = NULL;
	act.cap = 0;
	pthread_mutex_unlock(&act.lock);
	act.owner = NULL;
	c->activity_on = false;
}

int
cupti_activity_discard(struct cupti *c, errmsg *err)
{
	CUptiResult r;

	if (!c->activity_on) {
		errmsg_set(err, "activity tracing is off");
		return -1;
	}
	r = cupti_api_table()->ActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
	pthread_mutex_lock(&act.lock);
	clear_records_locked();
	pthread_mutex_unlock(&act.lock);
	if (r != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "cuptiActivityFlushAll(FORCED)");
		return -1;
	}
	return 0;
}

int
cupti_timing_begin(cupti *c, errmsg *err)
{
	uint64_t now = 0;
	CUptiResult r;

	if (c->tier == CUPTI_TIER_NONE || !c->activity_on) {
		errmsg_set(err, "CUPTI timing unavailable: %s", c->timing_status);
		return -1;
	}
	if (cupti_activity_discard(c, err) != 0)
		return -1;
	if ((r = cupti_api_table()->GetTimestamp(&now)) != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "cuptiGetTimestamp");
		return -1;
	}
	pthread_mutex_lock(&act.lock);
	act.window_start_ns = now;
	pthread_mutex_unlock(&act.lock);
	return 0;
}

static int
cmp_start(const void *a, const void *b)
{
	const cupti_record *x = a, *y = b;

	return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

/* Every record of the window, by start time. Called with the lock held. */
static void
records_locked(cupti_timing *out)
{
	size_t i;

	qsort(act.recs, act.n, sizeof *act.recs, cmp_start);
	for (i = 0; i < act.n; i++) {
		const cupti_record *r = &act.recs[i];
		cupti_kernel_time *k;

		if (out->n_records == CUPTI_MAX_RECORDS) {
			out->other += act.n - i;
			break;
		}
		k = &out->records[out->n_records++];
		memset(k, 0, sizeof *k);
		snprintf(k->name, sizeof k->name, "%s", r->name_id >= 0 ? act.names[r->name_id] : "?");
		k->n = 1;
		k->median_ns = k->min_ns = k->max_ns = k->mean_ns = (double)(r->end_ns - r->start_ns);
		k->regs_per_thread = r->regs;
		k->static_smem_bytes = r->static_smem;
		k->dynamic_smem_bytes = r->dynamic_smem;
		k->smem_config_bytes = r->smem_config;
		k->local_bytes_per_thread = r->local_bytes;
		memcpy(k->grid, r->grid, sizeof k->grid);
		memcpy(k->block, r->block, sizeof k->block);
	}
}

/* Summarise the collected records per kernel name. Called with the lock held. */
static void
summarize_locked(cupti_timing *out)
{
	double *d = xcalloc(act.n ? act.n : 1, sizeof *d);
	size_t id, i;

	for (id = 0; id < act.n_names; id++) {
		cupti_kernel_time *k = &out->kernels[out->n_kernels];
		const cupti_record *last = NULL;
		size_t m = 0;

		for (i = 0; i < act.n; i++) {
			if (act.recs[i].name_id != (int)id || act.recs[i].flush)
				continue;
			d[m++] = (double)(act.recs[i].end_ns - act.recs[i].start_ns);
			last = &act.recs[i];
		}
		if (m == 0)
			continue;
		memset(k, 0, sizeof *k);
		snprintf(k->name, sizeof k->name, "%s", act.names[id]);
		k->n = m;
		cupti_summarize(d, m, &k->median_ns, &k->min_ns, &k->max_ns, &k->mean_ns);
		k->regs_per_thread = last->regs;
		k->static_smem_bytes = last->static_smem;
		k->dynamic_smem_bytes = last->dynamic_smem;
		k->smem_config_bytes = last->smem_config;
		k->local_bytes_per_thread = last->local_bytes;
		memcpy(k->grid, last->grid, sizeof k->grid);
		memcpy(k->block, last->block, sizeof k->block);
		out->n_kernels++;
	}
	free(d);
	records_locked(out);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t
kept_records(void)
{
	size_t n;

	pthread_mutex_lock(&act.lock);
	n = act.n;
	pthread_mutex_unlock(&act.lock);
	return n;
}

int
cupti_timing_end(cupti *c, size_t expected, cupti_timing *out, errmsg *err)
{
	const cupti_api *api = cupti_api_table();
	const struct timespec pause = { 0, 200000 }; /* 0.2 ms between polls */
	double deadline = now_ms() + CUPTI_TIMING_WAIT_MS;
	size_t want = expected > 0 ? expected : 1, total;
	CUptiResult r;

	memset(out, 0, sizeof *out);
	if (c->tier == CUPTI_TIER_NONE || !c->activity_on) {
		errmsg_set(err, "CUPTI timing unavailable: %s", c->timing_status);
		return -1;
	}
	/* The kernels have finished, but CUPTI fills in their records on its own
	 * time: the plain flush returns only buffers whose records are all
	 * complete, so poll it until every expected record is in. The forced
	 * flush then returns the buffer in use. */
	for (;;) {
		if ((r = api->ActivityFlushAll(0)) != CUPTI_SUCCESS) {
			cupti_set_error(err, r, "cuptiActivityFlushAll");
			return -1;
		}
		if (kept_records() >= want || now_ms() > deadline)
			break;
		nanosleep(&pause, NULL);
	}
	if ((r = api->ActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED)) != CUPTI_SUCCESS) {
		cupti_set_error(err, r, "cuptiActivityFlushAll(FORCED)");
		return -1;
	}
	pthread_mutex_lock(&act.lock);
	total = act.n;
	summarize_locked(out);
	out->excluded = act.excluded;
	out->other += act.other;
	out->incomplete = act.incomplete;
	out->stale = act.stale;
	out->dropped = act.dropped;
	clear_records_locked();
	pthread_mutex_unlock(&act.lock);
	{
		size_t got = total;

		if (got < want) {
			errmsg_set(err, "CUPTI returned %zu of %zu kernel records within %d ms (%zu named like the flush "
				"kernel, %zu without timestamps, %zu from before the window, %zu dropped): was the context "
				"synchronised before cupti_timing_end?", got, want, CUPTI_TIMING_WAIT_MS, out->excluded,
				out->incomplete, out->stale, out->dropped);
			return -1;
		}
	}
	return 0;
}

#endif /* HAVE_CUPTI */
