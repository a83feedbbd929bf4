/* fake_cupti: a fake libcupti for the unit tests, installed with
 * cupti_api_install (see src/cupti_internal.h). Its activity API delivers
 * records the test stages through CUPTI's own buffer callbacks; its range
 * profiler and profiler host answer like GH100 (2 passes, 8 with
 * sm__throughput); `ctl` makes any step fail with a chosen code. */
#ifndef GGSCOPE_TEST_FAKE_CUPTI_H
#define GGSCOPE_TEST_FAKE_CUPTI_H

#include "config.h"

#ifdef HAVE_CUPTI

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cupti_internal.h"

#define FAKE_CUPTI_STAGED 32

/* What the fake returns where a test wants a failure (CUPTI_SUCCESS = none). */
struct fake_cupti_ctl {
	CUptiResult activity_enable, counter_availability, host_init, range_start;
	CUpti_Profiler_Support_Level supported, vgpu;
	bool reject_l2;         /* the host rejects lts__t_sector_hit_rate.pct */
	bool hold_flushes;      /* plain flushes return nothing; forced ones drop timestamps */
	uint64_t now;           /* cuptiGetTimestamp */
	int complete_after;     /* records complete only from this flush number on */
	uint8_t all_passes_submitted;
	bool user_replay;
	int stops, starts;
	size_t ranges;          /* ranges a decoded session holds */
	int disables, flushes;
};

extern struct fake_cupti_ctl ctl;
/* Records the next flush delivers. */
extern CUpti_ActivityKernel10 staged[FAKE_CUPTI_STAGED];
extern size_t n_staged;

/* cmocka setup/teardown: install (with ctl reset) and remove the fake. */
int fake_setup(void **state);
int fake_teardown(void **state);

/* Stage a kernel record: 96 threads x 14336 blocks, 40 registers, a 32 KB
 * carveout; stage_geom sets the geometry. */
void stage(const char *name, uint64_t start, uint64_t end);
void stage_geom(const char *name, uint64_t start, uint64_t end, int block, int grid);

#endif /* HAVE_CUPTI */
#endif
