/* report_write.c: format dispatch, atomic files, and the formatting the
 * writers share. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "report_internal.h"
#include "xalloc.h"

/* ---------------------------------------------------------------- formats */

static const struct {
	const char *name;
	enum report_format f;
} format_names[] = {
	{ "md", REPORT_MD }, { "markdown", REPORT_MD }, { "json", REPORT_JSON },
	{ "csv", REPORT_CSV }, { "html", REPORT_HTML }, { "htm", REPORT_HTML },
};

int
report_format_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (strcasecmp(s, format_names[i].name) == 0)
			return (int)format_names[i].f;
	return -1;
}

int
report_format_of_path(const char *path)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');

	if (dot == NULL || (slash != NULL && dot < slash) || dot[1] == '\0')
		return -1;
	return report_format_parse(dot + 1);
}

const char *
report_format_name(enum report_format f)
{
	switch (f) {
	case REPORT_MD: return "md";
	case REPORT_JSON: return "json";
	case REPORT_CSV: return "csv";
	case REPORT_HTML: return "html";
	}
	return "?";
}

char *
report_svg_path(const char *path, char *buf, size_t len)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	size_t stem = (dot != NULL && (slash == NULL || dot > slash) && dot != (slash ? slash + 1 : path))
		? (size_t)(dot - path) : strlen(path);

	snprintf(buf, len, "%.*s.svg", (int)stem, path);
	return buf;
}

/* ---------------------------------------------------------------- streams */

static int
check_stream(FILE *out, errmsg *err)
{
	if (fflush(out) != 0 || ferror(out)) {
		errmsg_errno(err, errno ? errno : EIO, "writing the report");
		return -1;
	}
	return 0;
}

int
report_write_stream(const report *r, enum report_format f, FILE *out, const char *svg_href, errmsg *err)
{
	switch (f) {
	case REPORT_MD: report_md_write(r, out, svg_href); break;
	case REPORT_JSON: report_json_write(r, out); break;
	case REPORT_CSV: report_csv_write(r, out); break;
	case REPORT_HTML: report_html_write(r, out); break;
	default:
		errmsg_set(err, "unknown report format %d", (int)f);
		return -1;
	}
	return check_stream(out, err);
}

int
report_write_svg(const report *r, FILE *out, errmsg *err)
{
	int w = 0, h = 0, y = 0, sw, sh, cw = 0, ch = 0;
	bool chart = report_svg_chart_size(r, &cw, &ch);
	size_t i;

	for (i = 0; i < r->n_shapes; i++) {
		report_svg_heatmap_size(r, i, &sw, &sh);
		w = sw > w ? sw : w;
		h += sh;
	}
	if (chart) {
		w = cw > w ? cw : w;
		h += ch;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"font-family=\"sans-serif\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		w, h > 0 ? h : 1, w, h > 0 ? h : 1);
	for (i = 0; i < r->n_shapes; i++) {
		report_svg_heatmap(r, i, out, 0, y, false);
		report_svg_heatmap_size(r, i, &sw, &sh);
		y += sh;
	}
	if (chart)
		report_svg_chart(r, out, 0, y, false);
	fprintf(out, "</svg>\n");
	return check_stream(out, err);
}

/* ---------------------------------------------------------------- atomic files */

typedef int (*write_fn)(const report *r, FILE *out, const void *arg, errmsg *err);

/* Write through fn into a temporary file beside path, then rename it over
 * path. The file gets the mode a plain fopen would give (0666 & ~umask). */
static int
atomic_write(const char *path, write_fn fn, const report *r, const void *arg, errmsg *err)
{
	char *copy = xstrdup(path), *dir = dirname(copy);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	mode_t mask;
	FILE *out = NULL;
	int fd, rc = -1;

	if (*base == '\0') {
		errmsg_set(err, "%s: not a file name", path);
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		errmsg_errno(err, errno, "%s: cannot create a temporary file in %s", path, dir);
		goto out;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (out = fdopen(fd, "w")) == NULL) {
		errmsg_errno(err, errno, "%s", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (fn(r, out, arg, err) != 0) {
		errmsg_prefix(err, "%s", path);
		fclose(out);
		unlink(tmp);
		goto out;
	}
	if (fsync(fileno(out)) != 0) {
		errmsg_errno(err, errno, "%s: fsync", path);
		fclose(out);
		unlink(tmp);
		goto out;
	}
	if (fclose(out) != 0) {
		errmsg_errno(err, errno, "%s: close", path);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		errmsg_errno(err, errno, "%s: rename", path);
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	free(copy);
	return rc;
}

struct doc_arg {
	enum report_format f;
	const char *svg_href;
};

static int
write_doc(const report *r, FILE *out, const void *arg, errmsg *err)
{
	const struct doc_arg *a = arg;

	return report_write_stream(r, a->f, out, a->svg_href, err);
}

static int
write_pictures(const report *r, FILE *out, const void *arg, errmsg *err)
{
	(void)arg;
	return report_write_svg(r, out, err);
}

int
report_write(const report *r, enum report_format f, const char *path, errmsg *err)
{
	struct doc_arg a = { f, NULL };
	char svg[4096];

	if (f == REPORT_MD) {
		const char *slash;

		report_svg_path(path, svg, sizeof svg);
		if (atomic_write(svg, write_pictures, r, NULL, err) != 0)
			return -1;
		/* The link is relative: the two files travel together. */
		slash = strrchr(svg, '/');
		a.svg_href = slash ? slash + 1 : svg;
	}
	return atomic_write(path, write_doc, r, &a, err);
}

/* ---------------------------------------------------------------- shared formatting */

const char *
report_warps_source(const report_rec *rec)
{
	return rec->uses_mwv_warps ? " (MWV_WARPS)" : rec->uses_stream_warps ? " (STREAM_WARPS)" : "";
}

const char *
report_fmt_num(char *buf, size_t len, bool valid, const char *fmt, double v)
{
	if (!valid) {
		snprintf(buf, len, "n/a");
		return buf;
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(buf, len, fmt, v);
#pragma GCC diagnostic pop
	return buf;
}

const char *
report_fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	if (bytes >= 1000000000u)
		snprintf(buf, len, "%.2f GB", (double)bytes / 1e9);
	else if (bytes >= 1000000u)
		snprintf(buf, len, "%.1f MB", (double)bytes / 1e6);
	else if (bytes >= 1000u)
		snprintf(buf, len, "%.1f kB", (double)bytes / 1e3);
	else
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	return buf;
}

const char *
report_fmt_shape_tensors(const report *r, size_t shape, char *buf, size_t len, size_t max)
{
	size_t i, shown = 0, total = 0, used = 0;

	buf[0] = '\0';
	for (i = 0; i < r->n_tensors; i++) {
		if (r->tensors[i].shape != shape)
			continue;
		total++;
		if (shown < max && used < len) {
			used += (size_t)snprintf(buf + used, len - used, "%s%s", shown ? ", " : "", r->tensors[i].name);
			shown++;
		}
	}
	if (total > shown && used < len)
		snprintf(buf + used, len - used, ", +%zu more", total - shown);
	return buf;
}

const char *
report_row_note(const report_row *row)
{
	if (row->why[0] != '\0')
		return row->why;
	if (row->status == REPORT_ROW_PLANNED)
		return "not reached (interrupted)";
	return "";
}

const char *
report_fmt_counts(const report *r, char *buf, size_t len)
{
	size_t total = 0, i;

	for (i = 0; i < r->n_shapes; i++)
		total += r->shapes[i].n_rows;
	snprintf(buf, len, "%zu rows: %zu pass, %zu fail, %zu error, %zu unmeasured, %zu compile error, "
		"%zu refused, %zu not reached", total, report_count_status(r, REPORT_ROW_PASS),
		report_count_status(r, REPORT_ROW_FAIL), report_count_status(r, REPORT_ROW_ERROR),
		report_count_status(r, REPORT_ROW_UNMEASURED), report_count_status(r, REPORT_ROW_COMPILE_ERROR),
		report_count_status(r, REPORT_ROW_REFUSED), report_count_status(r, REPORT_ROW_PLANNED));
	return buf;
}

/* Append printf output to the string in buf; truncates at len. */
static void
cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* Room for the longest row: "n/a: " and a device line, or the CUPTI row
 * (version, tier and why). */
#define ENV_VALUE_MAX 1024

void
report_env_rows(const report_env *e, report_env_row_fn row, void *ctx)
{
	char v[ENV_VALUE_MAX] = "", num[64];

	if (e->device_valid)
		cat(v, sizeof v, "%s", e->device_line[0] ? e->device_line : e->device);
	else
		cat(v, sizeof v, "n/a: %s", e->measure_why[0] ? e->measure_why : "no GPU");
	row("Device", v, ctx);
	row("Driver", e->driver[0] ? e->driver : "n/a", ctx);
	if (e->libcuda[0])
		row("libcuda", e->libcuda, ctx);
	if (e->nvrtc_valid)
		snprintf(v, sizeof v, "%d.%d", e->nvrtc_major, e->nvrtc_minor);
	else
		snprintf(v, sizeof v, "n/a");
	row("NVRTC", v, ctx);
	if (e->cupti_valid)
		snprintf(v, sizeof v, "%u.%u (API %u)", e->cupti_version / 10000, e->cupti_version / 100 % 100,
			e->cupti_version);
	else
		snprintf(v, sizeof v, "n/a");
	if (e->cupti_tier[0])
		cat(v, sizeof v, ", %s", e->cupti_tier);
	if (e->cupti_why[0])
		cat(v, sizeof v, ": %s", e->cupti_why);
	row("CUPTI", v, ctx);
	snprintf(v, sizeof v, "%s", report_fmt_num(num, sizeof num, e->ceiling_valid, "%.0f GB/s", e->ceiling_gbs));
	if (e->ceiling_note[0] && e->ceiling_valid)
		cat(v, sizeof v, " (%s)", e->ceiling_note);
	else if (e->ceiling_note[0])
		cat(v, sizeof v, ": %s", e->ceiling_note);
	row("Read ceiling", v, ctx);
	row("Kernels built for", e->arch[0] ? e->arch : "n/a", ctx);
	if (e->defines[0])
		row("Kernel knobs (-D)", e->defines, ctx);
	snprintf(v, sizeof v, "%s", e->warm_l2 ? "warm (kept between launches)" : "cold (flushed before every timed launch)");
	if (e->flush[0])
		cat(v, sizeof v, ": %s", e->flush);
	row("L2", v, ctx);
	snprintf(v, sizeof v, "median of %d timed launches after %d warm-up%s%s; x ~ N(0, 1), seed %" PRIu64,
		e->reps, e->warmup, e->timer[0] ? ", timed by " : "", e->timer, e->seed);
	row("Timing", v, ctx);
	row("ggscope", e->version, ctx);
	row("Date", e->date_utc, ctx);
}

void
report_put_md(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

void
report_put_xml(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			/* Control characters are not allowed in XML 1.0. */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc(' ', out);
			else
				fputc(*s, out);
		}
	}
}

void
report_put_csv(FILE *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

const char *
report_fmt_layer(char *buf, size_t len, long layer)
{
	if (layer < 0)
		snprintf(buf, len, "non-block");
	else
		snprintf(buf, len, "%ld", layer);
	return buf;
}

void
report_fp32_summary(const report *r, char *buf, size_t len)
{
	const report_outliers *o = &r->outliers;
	report_layer_agg *agg = NULL;
	size_t n = report_layer_aggregate(r, &agg), i, used, shown = 0;
	char lay[24];

	used = (size_t)snprintf(buf, len, "Layers that need the fp32 route: ");
	for (i = 0; i < n && used < len; i++)
		if (agg[i].fp32)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", shown++ ? ", " : "",
						 report_fmt_layer(lay, sizeof lay, agg[i].layer));
	if (used < len)
		snprintf(buf + used, len - used, "%s (%zu of %zu GEMVs; the seed's rule flags %zu).",
			 shown ? "" : "none", o->n_fp32, o->n_rows, o->n_seed_flagged);
	free(agg);
}

size_t
report_layer_aggregate(const report *r, report_layer_agg **out)
{
	report_layer_agg *a = NULL;
	size_t n = 0, i, j;

	for (i = 0; i < r->outliers.n_rows; i++) {
		const report_outlier_row *o = &r->outliers.rows[i];

		if (o->skipped)
			continue;
		for (j = 0; j < n && a[j].layer != o->layer; j++)
			;
		if (j == n) {
			a = xreallocarray(a, n + 1, sizeof *a);
			memset(&a[n], 0, sizeof a[n]);
			a[n].layer = o->layer;
			n++;
		}
		a[j].n_rows++;
		if (o->ratio_valid && (!a[j].ratio_valid || o->max_over_rms > a[j].max_over_rms)) {
			a[j].ratio_valid = true;
			a[j].max_over_rms = o->max_over_rms;
		}
		a[j].seed_fp32 |= o->seed_fp32;
		a[j].fp32 |= o->verdict_valid && o->fp32;
	}
	*out = a;
	return n;
}
