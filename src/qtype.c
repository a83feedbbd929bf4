/* qtype: ggml's tensor type table (the part of quant.h the GGUF reader needs).
 *
 * Kept apart from quant.c so the reader, the writer and `info` need none of
 * the dequantization code. Block sizes are ggml's (ggml.c type_traits and
 * ggml-common.h); where gguf-py's GGML_QUANT_SIZES disagrees (Q8_1: 40 bytes
 * there, a stale float layout) ggml wins, since ggml is what reads the files. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <strings.h>

#include "quant.h"

/* Indexed by type id; entries with a NULL name are ids ggml never defined or
 * retired (4 and 5: Q4_2/Q4_3; 31-33: Q4_0_4_4/4_8/8_8; 36-38: IQ4_NL_4_4/4_8/8_8),
 * which a file must not use. */
static const quant_info qtype_table[QT_COUNT] = {
	[QT_F32]     = { "f32",     1,   4,   true },
	[QT_F16]     = { "f16",     1,   2,   true },
	[QT_Q4_0]    = { "q4_0",    32,  18,  true },
	[QT_Q4_1]    = { "q4_1",    32,  20,  true },
	[QT_Q5_0]    = { "q5_0",    32,  22,  true },
	[QT_Q5_1]    = { "q5_1",    32,  24,  true },
	[QT_Q8_0]    = { "q8_0",    32,  Q8_0_BYTES, true },
	[QT_Q8_1]    = { "q8_1",    32,  Q8_1_BYTES, true },
	[QT_Q2_K]    = { "q2_K",    256, 84,  false },
	[QT_Q3_K]    = { "q3_K",    256, 110, false },
	[QT_Q4_K]    = { "q4_K",    256, Q4_K_BYTES, true },
	[QT_Q5_K]    = { "q5_K",    256, Q5_K_BYTES, true },
	[QT_Q6_K]    = { "q6_K",    256, Q6_K_BYTES, true },
	[QT_Q8_K]    = { "q8_K",    256, Q8_K_BYTES, true },
	[QT_IQ2_XXS] = { "iq2_xxs", 256, 66,  false },
	[QT_IQ2_XS]  = { "iq2_xs",  256, 74,  false },
	[QT_IQ3_XXS] = { "iq3_xxs", 256, 98,  false },
	[QT_IQ1_S]   = { "iq1_s",   256, 50,  false },
	[QT_IQ4_NL]  = { "iq4_nl",  32,  18,  false },
	[QT_IQ3_S]   = { "iq3_s",   256, 110, false },
	[QT_IQ2_S]   = { "iq2_s",   256, 82,  false },
	[QT_IQ4_XS]  = { "iq4_xs",  256, 136, false },
	[QT_I8]      = { "i8",      1,   1,   false },
	[QT_I16]     = { "i16",     1,   2,   false },
	[QT_I32]     = { "i32",     1,   4,   false },
	[QT_I64]     = { "i64",     1,   8,   false },
	[QT_F64]     = { "f64",     1,   8,   false },
	[QT_IQ1_M]   = { "iq1_m",   256, 56,  false },
	[QT_BF16]    = { "bf16",    1,   2,   true },
	[QT_TQ1_0]   = { "tq1_0",   256, 54,  false },
	[QT_TQ2_0]   = { "tq2_0",   256, 66,  false },
	[QT_MXFP4]   = { "mxfp4",   32,  17,  false },
};

const quant_info *
quant_type_info(uint32_t type)
{
	if (type >= QT_COUNT || qtype_table[type].name == NULL)
		return NULL;
	return &qtype_table[type];
}

int
quant_type_from_name(const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; i < QT_COUNT; i++)
		if (qtype_table[i].name != NULL && strcasecmp(qtype_table[i].name, name) == 0)
			return i;
	return -1;
}

bool
quant_row_bytes(uint32_t type, uint64_t n, uint64_t *bytes)
{
	const quant_info *qi = quant_type_info(type);
	uint64_t blocks;

	if (qi == NULL || n % qi->block_elems != 0)
		return false;
	blocks = n / qi->block_elems;
	if (blocks > UINT64_MAX / qi->block_bytes)
		return false;
	*bytes = blocks * qi->block_bytes;
	return true;
}
