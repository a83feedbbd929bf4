/* xalloc: the one checked allocation wrapper.
 *
 * Out of memory is the one failure ggscope does not recover from: these print
 * a message naming the size, restore the terminal through the registered
 * hook (the TUI sets one) and exit with status 1. They never return NULL. */
#ifndef GGSCOPE_XALLOC_H
#define GGSCOPE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grow an array: like xrealloc(ptr, count * size) with an overflow check. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called before exiting on a fatal error (the TUI passes a function that
 * calls endwin). NULL removes it. */
void xalloc_set_fatal_hook(void (*hook)(void));

/* Restore the terminal (through the hook), print the message and exit(1). */
void xfatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
