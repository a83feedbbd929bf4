/* report_internal.h: what the report writers share (report_write.c). Not
 * part of the library's interface. */
#ifndef GGSCOPE_REPORT_INTERNAL_H
#define GGSCOPE_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report.h"

/* The writers, one per format (report_FORMAT.c). Each writes the whole
 * document to out and leaves error detection to the caller (ferror). */
void report_md_write(const report *r, FILE *out, const char *svg_href);
void report_json_write(const report *r, FILE *out);
void report_csv_write(const report *r, FILE *out);
void report_html_write(const report *r, FILE *out);

/* The pictures (report_svg.c). A heat map of GB/s per variant x warps of
 * one shape, and the per-layer max/rms bar chart; each is one <svg>
 * element of the size report_svg_*_size gives, placed at (x, y) when
 * nested in another (0, 0 and standalone == false for inline html). */
void report_svg_heatmap_size(const report *r, size_t shape, int *w, int *h);
void report_svg_heatmap(const report *r, size_t shape, FILE *out, int x, int y, bool standalone);
/* false when there is no outlier row to draw. */
bool report_svg_chart_size(const report *r, int *w, int *h);
void report_svg_chart(const report *r, FILE *out, int x, int y, bool standalone);

/* A number with its validity: the value in printf format `fmt`, or "n/a".
 * Returns buf. */
const char *report_fmt_num(char *buf, size_t len, bool valid, const char *fmt, double v);

/* Bytes as "33.0 MB" (1e6). Returns buf. */
const char *report_fmt_bytes(char *buf, size_t len, uint64_t bytes);

/* "blk.0.ffn_up.weight, blk.0.ffn_gate.weight" for the tensors of a
 * shape, at most `max` names then ", +N more". Returns buf. */
const char *report_fmt_shape_tensors(const report *r, size_t shape, char *buf, size_t len, size_t max);

/* Where a recommendation's warps come from, for the warps column:
 * " (MWV_WARPS)", " (STREAM_WARPS)" or "". */
const char *report_warps_source(const report_rec *rec);

/* What a row's note column says: its why, "winner" marks, caveats. */
const char *report_row_note(const report_row *row);

/* The measurement summary line: "140 rows: 120 pass, ..." Returns buf. */
const char *report_fmt_counts(const report *r, char *buf, size_t len);

/* The environment table's rows, in the order the writers show them, as
 * (label, value) pairs of plain text for the writer to escape and mark up.
 * A row with nothing to show (no libcuda path, no -D knobs) is left out. */
typedef void (*report_env_row_fn)(const char *label, const char *value, void *ctx);
void report_env_rows(const report_env *e, report_env_row_fn row, void *ctx);

/* Escapes: write s to out with the characters the format treats specially
 * escaped (md: | and newlines; html/xml: & < > " '; csv: quoted when
 * needed). */
void report_put_md(FILE *out, const char *s);
void report_put_xml(FILE *out, const char *s);
void report_put_csv(FILE *out, const char *s);

/* Per-layer aggregation of the outlier rows (the chart and the html/md
 * per-layer summary): the largest max/rms of the layer's rows and whether
 * any of them needs the fp32 route. */
typedef struct report_layer_agg {
	long layer;
	bool ratio_valid;
	double max_over_rms;
	bool seed_fp32, fp32;
	size_t n_rows;
} report_layer_agg;

/* Fills a malloc'd array (caller frees) and returns its length. */
size_t report_layer_aggregate(const report *r, report_layer_agg **out);

/* "layer 3" or "non-block" for -1. Returns buf. */
const char *report_fmt_layer(char *buf, size_t len, long layer);

/* The outlier section's summary sentence, as plain text (layer labels
 * need no escaping in md or html): "Layers that need the fp32 route: 1, 3
 * (4 of 14 GEMVs; the seed's rule flags 14)." or "...: none (...)". */
void report_fp32_summary(const report *r, char *buf, size_t len);

#endif
