/* occupancy: theoretical occupancy, limiter and verdict (see occupancy.h). */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "occupancy.h"

/* Registers are handed to warps in units of this many (every arch since
 * Fermi), shared memory to blocks in units of 128 B from sm_80 on and 256 B
 * before. */
#define REG_ALLOC_UNIT 256
#define SCHEDULERS_PER_SM 4

static int
round_up(int x, int unit)
{
	return (x + unit - 1) / unit * unit;
}

static int
min_int(int a, int b)
{
	return a < b ? a : b;
}

/* Register-file sub-partitions per SM: the per-partition register budget is
 * what makes 64-thread blocks fit one fewer than the whole-SM division says.
 * GP100 (6.0) has two, every other arch since Maxwell four. */
static int
sub_partitions(const occ_device *d)
{
	return (d->cc_major == 6 && d->cc_minor == 0) ? 2 : 4;
}

static int
smem_granularity(const occ_device *d)
{
	return d->cc_major >= 8 ? 128 : 256;
}

static int
check_device(const occ_device *d, errmsg *err)
{
	const struct {
		const char *name;
		int v;
	} f[] = {
		{ "sm_count", d->sm_count },
		{ "warp_size", d->warp_size },
		{ "max_threads_per_sm", d->max_threads_per_sm },
		{ "max_blocks_per_sm", d->max_blocks_per_sm },
		{ "max_threads_per_block", d->max_threads_per_block },
		{ "regs_per_sm", d->regs_per_sm },
		{ "regs_per_block", d->regs_per_block },
		{ "cc_major", d->cc_major },
	};
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		if (f[i].v <= 0) {
			errmsg_set(err, "occupancy: device limit %s is %d, must be positive", f[i].name, f[i].v);
			return -1;
		}
	}
	if (d->smem_per_sm_bytes < 0 || d->reserved_smem_per_block_bytes < 0 || d->smem_per_block_optin_bytes < 0) {
		errmsg_set(err, "occupancy: negative shared-memory limit");
		return -1;
	}
	return 0;
}

/* Blocks per SM the register file allows, or INT_MAX for a function without
 * registers. Registers are split evenly over the sub-partitions and a warp
 * lives in one of them, so the count is per partition, times partitions. */
static int
limit_by_registers(const occ_device *d, const occ_function *f, int warps_per_block, occ_result *r)
{
	int parts = sub_partitions(d);
	int per_warp, warps_per_part;

	if (f->regs_per_thread <= 0) {
		r->regs_per_warp_alloc = 0;
		return INT_MAX;
	}
	per_warp = round_up(f->regs_per_thread * d->warp_size, REG_ALLOC_UNIT);
	r->regs_per_warp_alloc = per_warp;
	warps_per_part = (d->regs_per_sm / parts) / per_warp;
	return warps_per_part * parts / warps_per_block;
}

int
occupancy_compute(const occ_device *d, const occ_function *f, const occ_launch *l,
	occ_result *r, errmsg *err)
{
	int block_max, per_block_smem_limit, lowest, parts;
	long long regs_assumed;

	memset(r, 0, sizeof *r);
	if (check_device(d, err) < 0)
		return -1;
	if (f->regs_per_thread < 0 || f->regs_per_thread > 255) {
		errmsg_set(err, "occupancy: %d registers per thread is outside 0..255", f->regs_per_thread);
		return -1;
	}
	if (f->static_smem_bytes < 0 || l->dynamic_smem_bytes < 0 || l->smem_config_bytes < 0) {
		errmsg_set(err, "occupancy: negative shared-memory size");
		return -1;
	}
	block_max = d->max_threads_per_block;
	if (f->max_threads_per_block > 0 && f->max_threads_per_block < block_max)
		block_max = f->max_threads_per_block;
	if (l->block_threads <= 0 || l->block_threads > block_max) {
		errmsg_set(err, "occupancy: block of %d threads is outside 1..%d (%s)", l->block_threads, block_max,
			block_max == d->max_threads_per_block ? "device limit" : "the function's limit, from its registers or __launch_bounds__");
		return -1;
	}
	if (l->grid_blocks <= 0) {
		errmsg_set(err, "occupancy: grid of %lld blocks", l->grid_blocks);
		return -1;
	}

	r->warps_per_block = (l->block_threads + d->warp_size - 1) / d->warp_size;
	r->max_warps_per_sm = d->max_threads_per_sm / d->warp_size;

	/* Warps. */
	r->limit_warps = r->max_warps_per_sm / r->warps_per_block;

	/* Registers; the hardware also checks the whole block against the
	 * per-block file as if every partition held a share of its warps. */
	r->limit_registers = limit_by_registers(d, f, r->warps_per_block, r);
	parts = sub_partitions(d);
	regs_assumed = (long long)r->regs_per_warp_alloc * round_up(r->warps_per_block, parts);
	if (regs_assumed > d->regs_per_block) {
		errmsg_set(err, "occupancy: %d registers x %d threads need %lld registers per block, the device has %d",
			f->regs_per_thread, l->block_threads, regs_assumed, d->regs_per_block);
		return -1;
	}

	/* Shared memory, with the driver's per-block reserve (sm_80+). */
	r->smem_per_block_alloc_bytes = round_up(f->static_smem_bytes + l->dynamic_smem_bytes
		+ d->reserved_smem_per_block_bytes, smem_granularity(d));
	per_block_smem_limit = d->smem_per_block_optin_bytes + d->reserved_smem_per_block_bytes;
	if (d->smem_per_block_optin_bytes > 0 && r->smem_per_block_alloc_bytes > per_block_smem_limit) {
		errmsg_set(err, "occupancy: %d B of shared memory per block exceeds the device's %d B",
			r->smem_per_block_alloc_bytes, per_block_smem_limit);
		return -1;
	}
	r->smem_config_known = l->smem_config_bytes > 0;
	r->smem_config_bytes = r->smem_config_known ? l->smem_config_bytes : d->smem_per_sm_bytes;
	if (r->smem_per_block_alloc_bytes == 0)
		r->limit_shared_mem = INT_MAX;
	else
		r->limit_shared_mem = r->smem_config_bytes / r->smem_per_block_alloc_bytes;

	/* Blocks. */
	r->limit_blocks = d->max_blocks_per_sm;

	lowest = min_int(min_int(r->limit_warps, r->limit_registers), min_int(r->limit_shared_mem, r->limit_blocks));
	r->formula_blocks_per_sm = lowest;
	if (r->limit_warps == lowest)
		r->limiters |= OCC_LIMIT_WARPS;
	if (r->limit_registers == lowest)
		r->limiters |= OCC_LIMIT_REGISTERS;
	if (r->limit_shared_mem == lowest)
		r->limiters |= OCC_LIMIT_SHARED_MEM;
	if (r->limit_blocks == lowest)
		r->limiters |= OCC_LIMIT_BLOCKS;

	r->driver_given = l->driver_blocks_per_sm >= 0;
	r->blocks_per_sm = r->driver_given ? l->driver_blocks_per_sm : lowest;
	r->driver_agrees = r->driver_given && l->driver_blocks_per_sm == lowest;

	r->active_warps_per_sm = r->blocks_per_sm * r->warps_per_block;
	if (r->active_warps_per_sm > r->max_warps_per_sm)
		r->active_warps_per_sm = r->max_warps_per_sm;
	r->theoretical_pct = 100.0 * r->active_warps_per_sm / r->max_warps_per_sm;
	r->warps_per_scheduler = (double)r->active_warps_per_sm / SCHEDULERS_PER_SM;
	if (r->blocks_per_sm > 0)
		r->waves_per_sm = (double)l->grid_blocks / ((double)r->blocks_per_sm * d->sm_count);
	else
		r->waves_per_sm = INFINITY;
	return 0;
}

/* Append "s" to buf at *pos, truncating safely. */
static void
append(char *buf, size_t len, size_t *pos, const char *s)
{
	int n;

	if (*pos >= len)
		return;
	n = snprintf(buf + *pos, len - *pos, "%s", s);
	if (n > 0)
		*pos += (size_t)n < len - *pos ? (size_t)n : len - *pos - 1;
}

static const char *
join_limiters(unsigned limiters, const char *const names[4], const char *sep, const char *last_sep,
	char *buf, size_t len)
{
	static const unsigned order[4] = { OCC_LIMIT_BLOCKS, OCC_LIMIT_REGISTERS, OCC_LIMIT_SHARED_MEM, OCC_LIMIT_WARPS };
	size_t pos = 0, i, count = 0, total = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < 4; i++)
		if (limiters & order[i])
			total++;
	for (i = 0; i < 4; i++) {
		if (!(limiters & order[i]))
			continue;
		if (count > 0)
			append(buf, len, &pos, count + 1 == total ? last_sep : sep);
		append(buf, len, &pos, names[i]);
		count++;
	}
	return buf;
}

/* ncu lists the limiters in this order: blocks, registers, shared memory, warps. */
const char *
occupancy_limiter_text(unsigned limiters, char *buf, size_t len)
{
	static const char *const names[4] = {
		"the number of blocks that can fit on the SM",
		"the number of required registers",
		"the required amount of shared memory",
		"the number of warps within each block",
	};

	return join_limiters(limiters, names, ", ", ", and ", buf, len);
}

const char *
occupancy_limiter_short(unsigned limiters, char *buf, size_t len)
{
	static const char *const names[4] = { "blocks", "registers", "shared memory", "warps" };

	return join_limiters(limiters, names, "+", "+", buf, len);
}

static void
appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
appendf(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	append(buf, len, pos, tmp);
}

/* Throughput part: ncu's SOL rules on whatever figures are present. */
static void
verdict_throughput(const occ_result *r, const occ_measured *m, char *buf, size_t len, size_t *pos)
{
	if (m->have_mem && m->have_sm) {
		double hi = m->mem_pct > m->sm_pct ? m->mem_pct : m->sm_pct;
		double diff = m->mem_pct - m->sm_pct;

		if (hi >= OCC_HIGH_PCT)
			append(buf, len, pos, "high throughput");
		else if (m->mem_pct < OCC_LATENCY_PCT && m->sm_pct < OCC_LATENCY_PCT)
			append(buf, len, pos, "latency-bound");
		else
			append(buf, len, pos, "moderate throughput");
		if (diff >= OCC_BALANCE_PCT)
			append(buf, len, pos, ", memory-bound");
		else if (-diff >= OCC_BALANCE_PCT)
			append(buf, len, pos, ", compute-bound");
		appendf(buf, len, pos, " (DRAM %.0f%% vs SM %.0f%% of peak)", m->mem_pct, m->sm_pct);
	} else if (m->have_mem) {
		if (m->mem_pct >= OCC_HIGH_PCT)
			appendf(buf, len, pos, "memory-bound at high throughput (DRAM %.0f%% of peak)", m->mem_pct);
		else if (m->mem_pct < OCC_LATENCY_PCT)
			appendf(buf, len, pos, "DRAM %.0f%% of peak (< %.0f%%: latency-bound unless the SM is busy; SM throughput not measured)",
				m->mem_pct, OCC_LATENCY_PCT);
		else
			appendf(buf, len, pos, "DRAM %.0f%% of peak (SM throughput not measured)", m->mem_pct);
	} else if (m->have_sm) {
		appendf(buf, len, pos, "SM %.0f%% of peak (memory throughput not measured)", m->sm_pct);
	} else {
		append(buf, len, pos, "throughput not measured");
	}
	if (r->waves_per_sm < 1.0)
		appendf(buf, len, pos, "; grid too small to fill the GPU (%.2f waves)", r->waves_per_sm);
}

const char *
occupancy_verdict(const occ_result *r, const occ_measured *m, char *buf, size_t len)
{
	static const occ_measured none;
	size_t pos = 0;
	char lim[160];

	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (m == NULL)
		m = &none;
	verdict_throughput(r, m, buf, len, &pos);

	if (r->theoretical_pct < OCC_THEORETICAL_PCT)
		appendf(buf, len, &pos, "; theoretical occupancy %.0f%% limited by %s", r->theoretical_pct,
			occupancy_limiter_short(r->limiters, lim, sizeof lim));
	else
		appendf(buf, len, &pos, "; theoretical occupancy %.0f%%", r->theoretical_pct);

	if (m->have_achieved) {
		double gap = r->theoretical_pct - m->achieved_pct;

		if (gap > OCC_IMBALANCE_PCT)
			appendf(buf, len, &pos, "; achieved %.0f%% is %.0f points below theoretical: warp scheduling overhead or load imbalance",
				m->achieved_pct, gap);
		else
			appendf(buf, len, &pos, "; achieved %.0f%%", m->achieved_pct);
	}

	/* A partial last wave leaves SMs idle at the end: say how full it is
	 * when there are few waves and the tail therefore matters. */
	if (r->waves_per_sm >= 1.0 && r->waves_per_sm < 4.0) {
		double whole = floor(r->waves_per_sm);
		double frac = r->waves_per_sm - whole;

		if (frac > 1e-9)
			appendf(buf, len, &pos, "; partial last wave (%.0f%% full of %.0f)", 100.0 * frac, whole + 1);
	}
	return buf;
}
