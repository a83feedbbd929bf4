/* libFuzzer harness for the imatrix reader (GGUF and legacy .dat): any
 * input must either load or be refused with a message, never crash, leak
 * or read out of bounds. Accepted files are also pushed through the pooled
 * per-channel profile and its statistics, as `ggscope outliers` would. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "imatrix.h"
#include "outlier.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	errmsg e;
	imatrix *im = imatrix_load_mem(data, size, "fuzz", &e);
	size_t i;

	if (im == NULL)
		return 0;
	for (i = 0; i < im->n_entries; i++) {
		const imatrix_entry *en = &im->entries[i];
		uint64_t k = en->n_in;
		double peak, *ms;

		/* Legacy entries may be concatenated experts: try half the width too. */
		if (im->format == IMATRIX_LEGACY && k % 2 == 0 && k > 1 && (i & 1))
			k /= 2;
		ms = imatrix_channel_ms(im, en, k, &peak, &e);
		if (ms != NULL) {
			outlier_profile p;

			outlier_profile_stats(ms, k, peak, OUTLIER_DEFAULT_MULT, &p);
			free(ms);
		}
	}
	imatrix_free(im);
	return 0;
}
