/* canvas: a grid of cells (a code point and a role) that the panes draw
 * into. The terminal backend (term.c) copies it to curses, mapping roles to
 * colours or monochrome attributes; --snapshot and the tests print it as
 * text. Drawing is clipped: nothing is ever written outside the grid.
 *
 * Every glyph drawn is one column wide. Text is UTF-8; a character that is
 * not printable or not one column wide is drawn as '?', so a strange tensor
 * name cannot shift the columns. */
#ifndef GGSCOPE_CANVAS_H
#define GGSCOPE_CANVAS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "layout.h"

/* What a cell means; the backend decides how it looks. */
enum canvas_role {
	ROLE_NORMAL,
	ROLE_DIM,         /* secondary text, illegal cells */
	ROLE_BORDER,
	ROLE_BORDER_FOCUS,
	ROLE_TITLE,       /* pane titles, program name */
	ROLE_LABEL,       /* "device:", "regs" */
	ROLE_VALUE,       /* a measured or read value */
	ROLE_NA,          /* "n/a: why" */
	ROLE_GOOD,        /* >= 75 % of ceiling, a passing check */
	ROLE_WARN,        /* 40-75 %, a warning */
	ROLE_BAD,         /* < 40 %, a failure, an error */
	ROLE_BAR,         /* chart bars */
	ROLE_BAR_HOT,     /* chart bars above the outlier threshold */
	ROLE_FKEY_NUM,    /* "F1" in the key bar */
	ROLE_FKEY_LABEL,  /* "Help" in the key bar */
	ROLE_STATUS,
	ROLE_STATUS_ERR,
	ROLE_PROGRESS,
	ROLE_POPUP,
	ROLE_COUNT
};

/* Flags or'ed into a role. */
#define ROLE_F_REVERSE 0x80u /* the cursor */
#define ROLE_F_BOLD 0x40u
#define ROLE_MASK 0x3fu

typedef struct canvas_cell {
	uint32_t ch;  /* a Unicode code point, one column wide */
	uint8_t role; /* enum canvas_role | flags */
} canvas_cell;

/* The line-drawing and chart glyphs: UTF-8 box drawing, or plain ASCII for
 * a terminal whose locale is not UTF-8 (and for --ascii). */
typedef struct canvas_glyphs {
	uint32_t hline, vline, ul, ur, ll, lr;
	uint32_t bars[9];      /* 0/8 .. 8/8 of a cell, for charts */
	uint32_t spinner[8];
	int n_spinner;
	uint32_t fill, empty;  /* progress bar */
	bool utf8;
} canvas_glyphs;

extern const canvas_glyphs canvas_glyphs_utf8;
extern const canvas_glyphs canvas_glyphs_ascii;

typedef struct canvas {
	int w, h;
	canvas_cell *cells;        /* w * h, row-major */
	const canvas_glyphs *g;
} canvas;

/* Allocate a blank w x h canvas (sizes below 0 count as 0). */
canvas *canvas_new(int w, int h, const canvas_glyphs *g);
void canvas_free(canvas *c);
/* Change the size and blank everything. */
void canvas_resize(canvas *c, int w, int h);
void canvas_clear(canvas *c);

/* One cell; outside the grid it is ignored (get returns NULL). */
void canvas_put(canvas *c, int x, int y, uint32_t ch, unsigned role);
const canvas_cell *canvas_get(const canvas *c, int x, int y);

/* Draw UTF-8 text from (x, y), at most maxw columns (and never past the
 * right edge). Returns the columns drawn. */
int canvas_text(canvas *c, int x, int y, int maxw, unsigned role, const char *s);
int canvas_printf(canvas *c, int x, int y, int maxw, unsigned role, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Text right-aligned so that it ends at column x + w - 1. */
int canvas_text_right(canvas *c, int x, int y, int w, unsigned role, const char *s);

/* Fill a rectangle with one glyph. */
void canvas_fill(canvas *c, layout_rect r, uint32_t ch, unsigned role);
/* Change only the role of the cells in r (used to mark the cursor row). */
void canvas_set_role(canvas *c, layout_rect r, unsigned role);
/* A box on r's border, with an optional title in the top edge. */
void canvas_box(canvas *c, layout_rect r, unsigned role, const char *title, unsigned title_role);
/* A horizontal bar of `frac` (0..1) of w cells with eighth-cell resolution. */
void canvas_hbar(canvas *c, int x, int y, int w, double frac, unsigned role);
/* A one-cell vertical bar of height frac (0..1) using the bars glyphs. */
void canvas_vbar_cell(canvas *c, int x, int y, double frac, unsigned role);

/* Row y as UTF-8 (ASCII when the glyphs are), trailing blanks removed,
 * into buf of len bytes (truncated there, always NUL-terminated). */
void canvas_row_text(const canvas *c, int y, char *buf, size_t len);
/* Print every row as text, one line each. */
void canvas_print(const canvas *c, FILE *out);
/* Whether some row contains `needle` (tests and --snapshot checks). */
bool canvas_contains(const canvas *c, const char *needle);

/* Encode one code point as UTF-8 into out (>= 4 bytes); returns its length. */
int canvas_utf8_encode(uint32_t cp, char *out);

#endif
