#include "config.h"

#include <stdio.h>
#include <string.h>

#include "errmsg.h"

void
errmsg_vset(errmsg *e, const char *fmt, va_list ap)
{
	if (e == NULL)
		return;
	vsnprintf(e->text, sizeof e->text, fmt, ap);
}

void
errmsg_set(errmsg *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errmsg_vset(e, fmt, ap);
	va_end(ap);
}

void
errmsg_prefix(errmsg *e, const char *fmt, ...)
{
	char head[ERRMSG_MAX], old[ERRMSG_MAX];
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, e->text, sizeof old);
	snprintf(e->text, sizeof e->text, "%s: %s", head, old);
}

void
errmsg_errno(errmsg *e, int errnum, const char *fmt, ...)
{
	char head[ERRMSG_MAX];
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	snprintf(e->text, sizeof e->text, "%s: %s", head, strerror(errnum));
}

void
errmsg_clear(errmsg *e)
{
	if (e != NULL)
		e->text[0] = '\0';
}
