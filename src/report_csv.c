/* report_csv.c: one row per measurement (shape x variant x warps), RFC 4180
 * quoting, a header line first. A figure that was not measured is an empty
 * field and the `why` column says why; rows an interrupted sweep did not
 * reach have status "planned", so a partial report is visible row by row. */
#include "config.h"

#include <stdio.h>

#include "report.h"
#include "report_internal.h"

static void
field(FILE *out, bool valid, const char *fmt, double v)
{
	char buf[64];

	fputc(',', out);
	if (valid)
		fputs(report_fmt_num(buf, sizeof buf, true, fmt, v), out);
}

void
report_csv_write(const report *r, FILE *out)
{
	size_t i, j;

	fputs("type,n,k,tensors,variant,warps,input,status,winner,time_us,min_us,max_us,quant_us,total_us,"
		"ideal_bytes,gbs,ceiling_pct,dram_read_bytes,dram_ratio,achieved_occupancy_pct,"
		"theoretical_occupancy_pct,occupancy_limiter,registers,spill_bytes,smem_static_bytes,compile_ms,"
		"rel_l2,tolerance,partial,why\r\n", out);
	for (i = 0; i < r->n_shapes; i++) {
		const report_shape *sh = &r->shapes[i];

		for (j = 0; j < sh->n_rows; j++) {
			const report_row *row = &sh->rows[j];

			fprintf(out, "%s,%u,%u,%zu,%s,%d,%s,%s,%d", report_type_name(sh->type), sh->n, sh->k,
				sh->n_tensors, row->v->name, row->warps, variant_input_name(row->v->input),
				report_status_name(row->status), row->winner ? 1 : 0);
			field(out, row->time_valid, "%.4f", row->time_us);
			field(out, row->time_valid, "%.4f", row->min_us);
			field(out, row->time_valid, "%.4f", row->max_us);
			field(out, row->quant_valid, "%.4f", row->quant_us);
			field(out, row->total_valid, "%.4f", row->total_us);
			field(out, true, "%.0f", (double)row->ideal_bytes);
			field(out, row->gbs_valid, "%.2f", row->gbs);
			field(out, row->ceiling_pct_valid, "%.2f", row->ceiling_pct);
			field(out, row->dram_valid, "%.0f", row->dram_read_bytes);
			field(out, row->dram_valid, "%.4f", row->dram_ratio);
			field(out, row->achieved_occ_valid, "%.2f", row->achieved_occ_pct);
			field(out, row->theo_occ_valid, "%.2f", row->theo_occ_pct);
			fputc(',', out);
			report_put_csv(out, row->occ_limiter);
			field(out, row->launch_regs_valid || row->res_valid, "%.0f",
				row->launch_regs_valid ? row->launch_regs : row->regs);
			field(out, row->res_valid, "%.0f", row->spill_bytes);
			field(out, row->res_valid, "%.0f", row->smem_static_bytes);
			field(out, row->compiled, "%.2f", row->compile_ms);
			field(out, row->err_valid, "%.3e", row->rel_l2);
			field(out, row->err_valid, "%.3e", row->tol);
			fprintf(out, ",%d,", r->partial ? 1 : 0);
			report_put_csv(out, report_row_note(row));
			fputs("\r\n", out);
		}
	}
}
