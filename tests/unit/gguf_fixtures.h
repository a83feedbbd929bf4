/* gguf_fixtures: small GGUF images for the tests, the CLI golden files and
 * the fuzz seed corpus: a few well-formed files of different shapes, and one
 * malformed file (or more) for every rule the reader enforces, each built by
 * writing a valid file with gguf_writer and patching bytes (or, where the
 * writer cannot express the input, by assembling bytes directly). */
#ifndef GGSCOPE_TESTS_GGUF_FIXTURES_H
#define GGSCOPE_TESTS_GGUF_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

typedef struct gguf_fixture {
	const char *name;    /* file name in the corpus: "valid-sample", "bad-magic" */
	const char *klass;   /* failure class; NULL for a well-formed file */
	const char *expect;  /* text every message of this class contains, and no other class's */
	const char *field;   /* the field the message must name ("" when none) */
	uint64_t offset;     /* the byte offset the message must name */
	uint8_t *buf;        /* malloc'd image */
	size_t len;
} gguf_fixture;

/* Build every fixture. Returns the count; *out is malloc'd. Aborts (through
 * xalloc / assert-like checks) only on a bug in the fixture code itself. */
size_t gguf_fixtures_build(gguf_fixture **out);
void gguf_fixtures_free(gguf_fixture *fx, size_t n);

/* The well-formed sample the CLI golden tests use (also in the list above). */
void gguf_fixture_sample(uint8_t **buf, size_t *len);

#endif
