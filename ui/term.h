/* term: the curses side of the TUI. It opens and restores the terminal,
 * maps canvas roles to colours (or to monochrome attributes), copies a
 * canvas to the screen, reads keys and mouse clicks, and makes sure every
 * way out (quit, fatal error, crash signal) restores the terminal first. */
#ifndef GGSCOPE_TERM_H
#define GGSCOPE_TERM_H

#include <stdbool.h>

#include "canvas.h"
#include "errmsg.h"

typedef struct term_opts {
	bool color;            /* false: monochrome even on a colour terminal */
	bool mouse;
	const char *stderr_to; /* where stderr goes while the screen is up (the
	                          log file), NULL for /dev/null */
} term_opts;

/* Open the terminal (stdin/stdout must be a terminal). While it is open,
 * stderr (fd 2, inherited by the GPU worker process too) goes to
 * o->stderr_to, so that no library's message lands on the screen; it is
 * restored before anything is printed on the way out. Returns 0, or -1
 * with err when stdin/stdout are not a terminal or curses cannot start
 * ($TERM unknown). */
int term_open(const term_opts *o, errmsg *err);

/* Restore the terminal. Idempotent; safe from the fatal hook. */
void term_close(void);

/* Whether colours are in use (the terminal has them and they are wanted). */
bool term_color(void);
/* Whether the locale can show UTF-8 box drawing. */
bool term_utf8(void);

/* The terminal size now. */
void term_size(int *cols, int *rows);

/* Copy the canvas to the screen and update it. */
void term_draw(const canvas *c);

/* Redraw everything on the next term_draw (Ctrl-L). */
void term_redraw(void);

/* One key (curses code) or -1 when none is waiting; never blocks. */
int term_key(void);

/* After KEY_MOUSE: a button-1 click at (x, y)? */
bool term_mouse_click(int *x, int *y);

/* Hand the terminal to a child program ($EDITOR) and take it back. */
void term_suspend(void);
void term_resume(void);

/* Catch SIGSEGV, SIGBUS, SIGFPE and SIGABRT (restore the terminal, print
 * `info`, then die as before) and SIGINT, SIGTERM, SIGHUP (ask the main
 * loop to quit). info is copied; call again to update it. */
void term_install_signals(const char *info);
void term_set_crash_info(const char *info);

/* Whether SIGINT/SIGTERM/SIGHUP asked to quit. */
bool term_quit_requested(void);

#endif
