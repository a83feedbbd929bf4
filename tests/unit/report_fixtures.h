/* report_fixtures: what the report unit tests share: a small test model
 * (GGUF written in memory), plans and rows filled by hand, and the writers'
 * output read back. Test code only. */
#ifndef GGSCOPE_REPORT_FIXTURES_H
#define GGSCOPE_REPORT_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "gguf.h"
#include "gguf_write.h"
#include "report.h"

void fill_values(float *x, size_t n, uint32_t seed);
void add_matrix(gguf_writer *w, const char *name, uint32_t type, uint64_t k, uint64_t n);
gguf_file *test_model(void);
report *planned(const gguf_file *f, const report_select *s);
report_shape *shape_of(report *r, uint32_t type, uint32_t n, uint32_t k);
report_row *row_of(report_shape *sh, const char *name, int warps);
void measured(report_shape *sh, const char *name, int warps, enum report_status st, double total_us);
void all_pass(report *r, double us);
size_t legal_rows(uint32_t type);
char *slurp(const char *path);
char *render(const report *r, enum report_format fmt, const char *svg_href);
size_t count(const char *s, const char *needle);

#endif
