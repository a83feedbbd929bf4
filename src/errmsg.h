/* errmsg: the message a recoverable failure hands back to its caller.
 *
 * Library functions that can fail take an `errmsg *` as their last argument.
 * On failure they return an error value (NULL, -1 or false, as documented) and
 * fill the message with the cause, naming what a user can act on: the file
 * offset, the field, the NVRTC log line, the CUDA error name. The pointer may
 * be NULL when the caller does not want the text. On success the message is
 * left untouched. */
#ifndef GGSCOPE_ERRMSG_H
#define GGSCOPE_ERRMSG_H

#include <stdarg.h>

#define ERRMSG_MAX 2048

typedef struct errmsg {
	char text[ERRMSG_MAX];
} errmsg;

/* Replace the message (printf-style). Safe with e == NULL; truncates. */
void errmsg_set(errmsg *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void errmsg_vset(errmsg *e, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Put context in front of an existing message: "ctx: old message". */
void errmsg_prefix(errmsg *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Set the message to "what: strerror(errnum)". */
void errmsg_errno(errmsg *e, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Clear the message to the empty string. */
void errmsg_clear(errmsg *e);

#endif
