/* uilog: the TUI's log file (--log FILE). The screen belongs to curses, so
 * diagnostics go here, never to stdout or stderr while the view is up.
 * Thread-safe: the worker logs too. Without --log nothing is written. */
#ifndef GGSCOPE_UILOG_H
#define GGSCOPE_UILOG_H

#include "errmsg.h"

/* Open (append) the log. Returns 0, or -1 with err when it cannot be
 * opened. */
int uilog_open(const char *path, errmsg *err);
void uilog_close(void);

/* One line, prefixed with the time since start in seconds. */
void uilog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
