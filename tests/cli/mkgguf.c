/* mkgguf: write the GGUF test fixtures (tests/unit/gguf_fixtures.c) as files.
 *   mkgguf DIR             every fixture up to 64 KiB, named after it
 *                          (how tests/fuzz/corpus/gguf was made)
 *   mkgguf DIR NAME...     only those fixtures
 * Exit status: 0, 1 on a write error or an unknown NAME. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "gguf_fixtures.h"

#define MKGGUF_CORPUS_MAX (64u << 10)

static int
mkgguf_write(const char *dir, const gguf_fixture *fx)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, fx->name);
	fp = fopen(path, "wb");
	if (fp == NULL || fwrite(fx->buf, 1, fx->len, fp) != fx->len || fclose(fp) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	gguf_fixture *fx;
	size_t n, i;
	int rc = 0, a;

	if (argc < 2) {
		fprintf(stderr, "usage: mkgguf DIR [NAME]...\n");
		return 2;
	}
	n = gguf_fixtures_build(&fx);
	if (argc == 2) {
		for (i = 0; i < n; i++)
			if (fx[i].len <= MKGGUF_CORPUS_MAX)
				rc |= mkgguf_write(argv[1], &fx[i]);
	}
	for (a = 2; a < argc; a++) {
		for (i = 0; i < n && strcmp(fx[i].name, argv[a]) != 0; i++)
			;
		if (i == n) {
			fprintf(stderr, "mkgguf: no fixture named %s\n", argv[a]);
			rc = 1;
			continue;
		}
		rc |= mkgguf_write(argv[1], &fx[i]);
	}
	gguf_fixtures_free(fx, n);
	return rc;
}
