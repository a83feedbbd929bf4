/* bench_cupti: CUPTI timing, occupancy and counters for bench_measure
 * (see bench_cupti.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bench_cupti.h"
#include "cupti_gpu.h"
#include "occupancy.h"

void
bench_timing_init(struct bench_timing *tc, gpu *g, const bench_opts *o, const char *gemv_entry,
	const char *quant_entry)
{
	memset(tc, 0, sizeof *tc);
	tc->g = g;
	tc->cu = bench_cupti_timing(o) ? o->cupti : NULL;
	tc->entry[0] = gemv_entry;
	tc->entry[1] = quant_entry;
	tc->flush_kernel = !o->warm_l2 && o->flush != NULL;
}

bool
bench_cupti_timing(const bench_opts *o)
{
	return o->cupti != NULL && cupti_gpu_status_of(o->cupti)->tier >= CUPTI_TIER_TIMING;
}

int
bench_cupti_begin(struct bench_timing *tc, errmsg *err)
{
	return cupti_gpu_timing_begin(tc->cu, err);
}

int
bench_cupti_launch(struct bench_timing *tc, int i, gpu_func f, const gpu_launch_cfg *cfg,
	const gpu_arg *args, int nargs, errmsg *err)
{
	if (i >= 0 && i < 2)
		tc->cfg[i] = *cfg;
	return gpu_launch(tc->g, f, cfg, args, nargs, err);
}

/* "q6k_mwv (96x4096), quantize_q8_1 (...)": what a window held. */
static void
describe_window(const cupti_timing *t, char *buf, size_t len)
{
	size_t i, pos = 0;

	buf[0] = '\0';
	for (i = 0; i < t->n_records && pos < len; i++) {
		int w = snprintf(buf + pos, len - pos, "%s%s (%dx%d)", i ? ", " : "", t->records[i].name,
			t->records[i].block[0], t->records[i].grid[0]);

		pos += w > 0 ? (size_t)w : 0;
	}
	if (t->n_records == 0)
		snprintf(buf, len, "nothing");
}

int
bench_cupti_collect(struct bench_timing *tc, int n, double *us, errmsg *err)
{
	size_t expected = (size_t)n + (tc->flush_kernel ? 1 : 0);
	cupti_timing t;
	char seen[512];
	int rc, i;

	if ((rc = cupti_gpu_timing_end(tc->cu, expected, &t, err)) != 0)
		return rc;
	if (t.n_records != expected) {
		describe_window(&t, seen, sizeof seen);
		errmsg_set(err, "CUPTI activity: %zu kernel records for %zu launches (%s; %zu stale, %zu without "
			"timestamps)", t.n_records, expected, seen, t.stale, t.incomplete);
		return GPU_EFAIL;
	}
	/* Launch order: the flush, then the quantizer (kernel 1), then the GEMV (kernel 0). */
	for (i = 0; i < n; i++) {
		const cupti_kernel_time *k = &t.records[t.n_records - 1 - (size_t)i];

		if ((uint32_t)k->grid[0] != tc->cfg[i].grid[0] || (uint32_t)k->block[0] != tc->cfg[i].block[0]) {
			describe_window(&t, seen, sizeof seen);
			errmsg_set(err, "CUPTI activity: the record of %s has %dx%d threads, the launch %ux%u (%s)",
				tc->entry[i] != NULL ? tc->entry[i] : "?", k->block[0], k->grid[0], tc->cfg[i].block[0],
				tc->cfg[i].grid[0], seen);
			return GPU_EFAIL;
		}
		us[i] = k->median_ns / 1e3;
		if (i == 0) {
			tc->record = *k;
			snprintf(tc->record.name, sizeof tc->record.name, "%s", tc->entry[0] != NULL ? tc->entry[0] : "?");
			tc->have_record = true;
		}
	}
	return 0;
}

void
bench_cupti_occupancy(gpu *g, const struct bench_timing *tc, bench_result *r)
{
	const gpu_info *d = gpu_device_info(g);
	occ_device dev;
	occ_function fn;
	occ_launch l;

	r->record_valid = tc->have_record;
	if (tc->have_record)
		r->record = tc->record;
	r->occ_valid = false;
	if (!d->valid || !r->attrs_valid)
		return;
	memset(&dev, 0, sizeof dev);
	dev.cc_major = d->cc_major;
	dev.cc_minor = d->cc_minor;
	dev.sm_count = d->sm_count;
	dev.warp_size = d->warp_size;
	dev.max_threads_per_sm = d->max_threads_per_sm;
	dev.max_blocks_per_sm = d->max_blocks_per_sm;
	dev.max_threads_per_block = d->max_threads_per_block;
	dev.regs_per_sm = d->max_regs_per_sm;
	dev.regs_per_block = d->max_regs_per_block;
	dev.smem_per_sm_bytes = (int)d->max_smem_per_sm_bytes;
	dev.smem_per_block_optin_bytes = (int)d->max_smem_per_block_optin_bytes;
	dev.reserved_smem_per_block_bytes = (int)d->reserved_smem_per_block_bytes;
	memset(&fn, 0, sizeof fn);
	fn.regs_per_thread = r->attrs.num_regs;
	fn.static_smem_bytes = r->attrs.shared_bytes;
	fn.max_threads_per_block = r->attrs.max_threads_per_block;
	fn.local_bytes_per_thread = r->attrs.local_bytes;
	memset(&l, 0, sizeof l);
	l.block_threads = (int)(r->cfg.block[0] * r->cfg.block[1] * r->cfg.block[2]);
	l.grid_blocks = (long long)r->cfg.grid[0] * r->cfg.grid[1] * r->cfg.grid[2];
	l.dynamic_smem_bytes = (int)r->cfg.smem_bytes;
	l.smem_config_bytes = tc->have_record ? (int)tc->record.smem_config_bytes : 0;
	l.driver_blocks_per_sm = r->occupancy_valid ? r->blocks_per_sm : -1;
	r->occ_valid = occupancy_compute(&dev, &fn, &l, &r->occ, NULL) == 0;
}

bool
bench_cupti_counters_wanted(const bench_opts *o, bench_result *r)
{
	const cupti_gpu_status *st;

	if (!o->counters)
		return false;
	if (o->cupti == NULL) {
		snprintf(r->counters_note, sizeof r->counters_note, "CUPTI is off");
		return false;
	}
	st = cupti_gpu_status_of(o->cupti);
	if (st->tier < CUPTI_TIER_COUNTERS) {
		snprintf(r->counters_note, sizeof r->counters_note, "%s",
			st->tier == CUPTI_TIER_TIMING ? st->counters_status : st->timing_status);
		return false;
	}
	return true;
}

void
bench_cupti_take_counters(bench_result *r, const cupti_counters *k, size_t range)
{
	if (range >= k->n_ranges) {
		snprintf(r->counters_note, sizeof r->counters_note,
			"the counter session returned %zu range(s), the GEMV's is #%zu", k->n_ranges, range + 1);
		return;
	}
	r->counters = k->range[range];
	r->counters_valid = true;
	r->counter_passes = k->passes;
	r->counters_wall_ms = k->wall_ms;
}

bool
bench_cupti_read_ratio(const bench_result *r, double *ratio)
{
	if (!r->counters_valid || !r->counters.valid[CUPTI_M_DRAM_READ] || r->ideal_read_bytes == 0)
		return false;
	*ratio = r->counters.value[CUPTI_M_DRAM_READ] / (double)r->ideal_read_bytes;
	return true;
}

const char *
bench_cupti_verdict(const bench_result *r, double peak_gbs, char *buf, size_t len)
{
	occ_measured m;

	if (len > 0)
		buf[0] = '\0';
	if (!r->occ_valid)
		return buf;
	memset(&m, 0, sizeof m);
	if (r->counters_valid && r->counters.valid[CUPTI_M_ACHIEVED_OCC]) {
		m.have_achieved = true;
		m.achieved_pct = r->counters.value[CUPTI_M_ACHIEVED_OCC];
	}
	if (r->counters_valid && r->counters.valid[CUPTI_M_DRAM_PCT]) {
		m.have_mem = true;
		m.mem_pct = r->counters.value[CUPTI_M_DRAM_PCT];
	} else if (r->gemv.valid && peak_gbs > 0) {
		m.have_mem = true;
		m.mem_pct = 100.0 * r->gbs / peak_gbs;
	}
	if (r->counters_valid && r->counters.valid[CUPTI_M_SM_PCT]) {
		m.have_sm = true;
		m.sm_pct = r->counters.value[CUPTI_M_SM_PCT];
	}
	return occupancy_verdict(&r->occ, &m, buf, len);
}
