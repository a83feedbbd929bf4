/* jit_log: reading NVRTC and ptxas logs, and architecture names (part of
 * the jit module; declared in jit.h). */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jit.h"

static const char *
line_end(const char *p)
{
	const char *e = strchr(p, '\n');
	return e ? e : p + strlen(p);
}

char *
jit_first_error_line(const char *log, char *buf, size_t len)
{
	const char *p, *first = NULL, *pick = NULL;
	size_t n;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (p = log; p != NULL && *p != '\0';) {
		const char *end = strchr(p, '\n');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		bool blank = true;
		for (size_t i = 0; i < l; i++)
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
				blank = false;
		if (!blank && first == NULL)
			first = p;
		if (!blank && memmem(p, l, "error", 5) != NULL) {
			pick = p;
			break;
		}
		p = end ? end + 1 : NULL;
	}
	if (pick == NULL)
		pick = first;
	if (pick == NULL)
		return buf;
	n = strcspn(pick, "\r\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, pick, n);
	buf[n] = '\0';
	return buf;
}

/* The number written right before `suffix` in [line, end), or false. */
static bool
number_before(const char *line, const char *end, const char *suffix, int *out)
{
	const char *s = memmem(line, (size_t)(end - line), suffix, strlen(suffix));
	const char *d;

	if (s == NULL)
		return false;
	d = s;
	while (d > line && d[-1] == ' ')
		d--;
	const char *stop = d;
	while (d > line && d[-1] >= '0' && d[-1] <= '9')
		d--;
	if (d == stop)
		return false;
	*out = (int)strtol(d, NULL, 10);
	return true;
}

int
jit_parse_resources(const char *log, const char *entry, jit_resources *res)
{
	char marker[256];
	const char *p, *e;

	memset(res, 0, sizeof *res);
	res->cmem0_bytes = -1;
	res->barriers = -1;
	if (log == NULL || entry == NULL)
		return -1;

	snprintf(marker, sizeof marker, "Function properties for %s", entry);
	p = strstr(log, marker);
	if (p != NULL && (p[strlen(marker)] == '\n' || p[strlen(marker)] == '\r' || p[strlen(marker)] == '\0')) {
		p = line_end(p);
		if (*p == '\n') {
			p++;
			e = line_end(p);
			number_before(p, e, "bytes stack frame", &res->stack_bytes);
			number_before(p, e, "bytes spill stores", &res->spill_store_bytes);
			number_before(p, e, "bytes spill loads", &res->spill_load_bytes);
		}
	}

	snprintf(marker, sizeof marker, "Compiling entry function '%s'", entry);
	p = strstr(log, marker);
	if (p == NULL)
		return -1;
	/* The "Used" line follows; stop at the next function's header. */
	for (p = line_end(p); *p == '\n';) {
		p++;
		e = line_end(p);
		if (memmem(p, (size_t)(e - p), "Compiling entry function", 24) != NULL)
			break;
		const char *used = memmem(p, (size_t)(e - p), "Used ", 5);
		if (used != NULL && memmem(used, (size_t)(e - used), "registers", 9) != NULL) {
			res->registers = (int)strtol(used + 5, NULL, 10);
			number_before(p, e, "barriers", &res->barriers);
			if (!number_before(p, e, "bytes smem", &res->smem_static_bytes))
				res->smem_static_bytes = 0;
			number_before(p, e, "bytes cmem[0]", &res->cmem0_bytes);
			res->valid = true;
			return 0;
		}
		p = e;
	}
	return -1;
}

int
jit_parse_arch(const char *arch, errmsg *err)
{
	const char *p;
	long v = 0;

	if (arch == NULL || strncmp(arch, "sm_", 3) != 0)
		goto bad;
	for (p = arch + 3; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (*p - '0');
		if (v > 10000)
			goto bad;
	}
	if (p == arch + 3 || v < 10)
		goto bad;
	if ((*p == 'a' || *p == 'f') && p[1] == '\0')
		return (int)v;
	if (*p == '\0')
		return (int)v;
bad:
	errmsg_set(err, "bad architecture '%s' (expected sm_NN, like sm_80 or sm_90)", arch ? arch : "(null)");
	return -1;
}

