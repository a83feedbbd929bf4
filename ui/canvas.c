#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "canvas.h"
#include "xalloc.h"

const canvas_glyphs canvas_glyphs_utf8 = {
	0x2500, 0x2502, 0x250c, 0x2510, 0x2514, 0x2518,
	{ ' ', 0x2581, 0x2582, 0x2583, 0x2584, 0x2585, 0x2586, 0x2587, 0x2588 },
	{ 0x280b, 0x2819, 0x2839, 0x2838, 0x283c, 0x2834, 0x2826, 0x2827 }, 8,
	0x2588, 0x2591, true
};

const canvas_glyphs canvas_glyphs_ascii = {
	'-', '|', '+', '+', '+', '+',
	{ ' ', '.', '.', '_', '_', 'o', 'o', '#', '#' },
	{ '|', '/', '-', '\\', 0, 0, 0, 0 }, 4,
	'#', '.', false
};

canvas *
canvas_new(int w, int h, const canvas_glyphs *g)
{
	canvas *c = xcalloc(1, sizeof(*c));

	c->g = g ? g : &canvas_glyphs_ascii;
	canvas_resize(c, w, h);
	return c;
}

void
canvas_free(canvas *c)
{
	if (c == NULL)
		return;
	free(c->cells);
	free(c);
}

void
canvas_resize(canvas *c, int w, int h)
{
	c->w = w < 0 ? 0 : w;
	c->h = h < 0 ? 0 : h;
	free(c->cells);
	c->cells = xreallocarray(NULL, (size_t)c->w * (size_t)c->h + 1, sizeof(*c->cells));
	canvas_clear(c);
}

void
canvas_clear(canvas *c)
{
	size_t i, n = (size_t)c->w * (size_t)c->h;

	for (i = 0; i < n; i++) {
		c->cells[i].ch = ' ';
		c->cells[i].role = ROLE_NORMAL;
	}
}

void
canvas_put(canvas *c, int x, int y, uint32_t ch, unsigned role)
{
	canvas_cell *cell;

	if (x < 0 || y < 0 || x >= c->w || y >= c->h)
		return;
	cell = &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
	cell->ch = ch;
	cell->role = (uint8_t)role;
}

const canvas_cell *
canvas_get(const canvas *c, int x, int y)
{
	if (x < 0 || y < 0 || x >= c->w || y >= c->h)
		return NULL;
	return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

/* Decode one UTF-8 sequence at s; returns its length (>= 1) and the code
 * point, or '?' for a malformed byte (consuming just that byte). */
static int
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	int n, i;
	uint32_t v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		v = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		v = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		v = s[0] & 0x07;
	} else {
		*cp = '?';
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = '?';
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return n;
}

/* A code point drawn as itself only when it is printable and one column
 * wide in a UTF-8 canvas; anything else becomes '?'. */
static uint32_t
safe_glyph(const canvas *c, uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return '?';
	if (cp < 0x7f)
		return cp;
	if (!c->g->utf8 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return '?';
	return wcwidth((wchar_t)cp) == 1 ? cp : '?';
}

int
canvas_text(canvas *c, int x, int y, int maxw, unsigned role, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int col = 0;
	uint32_t cp;

	if (s == NULL)
		return 0;
	while (*p != '\0' && col < maxw && x + col < c->w) {
		p += utf8_decode(p, &cp);
		canvas_put(c, x + col, y, safe_glyph(c, cp), role);
		col++;
	}
	return col;
}

int
canvas_printf(canvas *c, int x, int y, int maxw, unsigned role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return canvas_text(c, x, y, maxw, role, buf);
}

/* Columns that s occupies (one per code point). */
static int
text_cols(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	int n = 0;

	while (*p != '\0') {
		p += utf8_decode(p, &cp);
		n++;
	}
	return n;
}

int
canvas_text_right(canvas *c, int x, int y, int w, unsigned role, const char *s)
{
	int n = text_cols(s);

	if (n > w)
		n = w;
	return canvas_text(c, x + w - n, y, n, role, s);
}

void
canvas_fill(canvas *c, layout_rect r, uint32_t ch, unsigned role)
{
	int x, y;

	for (y = r.y; y < r.y + r.h; y++)
		for (x = r.x; x < r.x + r.w; x++)
			canvas_put(c, x, y, ch, role);
}

void
canvas_set_role(canvas *c, layout_rect r, unsigned role)
{
	int x, y;

	for (y = r.y; y < r.y + r.h; y++)
		for (x = r.x; x < r.x + r.w; x++)
			if (x >= 0 && y >= 0 && x < c->w && y < c->h)
				c->cells[(size_t)y * (size_t)c->w + (size_t)x].role = (uint8_t)role;
}

void
canvas_box(canvas *c, layout_rect r, unsigned role, const char *title, unsigned title_role)
{
	const canvas_glyphs *g = c->g;
	int x, y;

	if (r.w < 2 || r.h < 2)
		return;
	for (x = r.x + 1; x < r.x + r.w - 1; x++) {
		canvas_put(c, x, r.y, g->hline, role);
		canvas_put(c, x, r.y + r.h - 1, g->hline, role);
	}
	for (y = r.y + 1; y < r.y + r.h - 1; y++) {
		canvas_put(c, r.x, y, g->vline, role);
		canvas_put(c, r.x + r.w - 1, y, g->vline, role);
	}
	canvas_put(c, r.x, r.y, g->ul, role);
	canvas_put(c, r.x + r.w - 1, r.y, g->ur, role);
	canvas_put(c, r.x, r.y + r.h - 1, g->ll, role);
	canvas_put(c, r.x + r.w - 1, r.y + r.h - 1, g->lr, role);
	if (title != NULL && *title != '\0' && r.w > 4) {
		int n = canvas_text(c, r.x + 2, r.y, r.w - 4, title_role, " ");
		n += canvas_text(c, r.x + 2 + n, r.y, r.w - 4 - n, title_role, title);
		canvas_text(c, r.x + 2 + n, r.y, r.w - 4 - n, title_role, " ");
	}
}

void
canvas_hbar(canvas *c, int x, int y, int w, double frac, unsigned role)
{
	int eighths, i;

	if (w <= 0)
		return;
	if (!(frac > 0))
		frac = 0;
	if (frac > 1)
		frac = 1;
	eighths = (int)(frac * w * 8 + 0.5);
	for (i = 0; i < w; i++) {
		int e = eighths - i * 8;

		if (e >= 8)
			canvas_put(c, x + i, y, c->g->fill, role);
		else if (e > 0 && c->g->utf8)
			canvas_put(c, x + i, y, 0x2590 - (uint32_t)e, role); /* U+258F..U+2589: 1/8..7/8 left blocks */
		else if (e >= 4)
			canvas_put(c, x + i, y, c->g->fill, role);
		else
			canvas_put(c, x + i, y, ' ', role);
	}
}

void
canvas_vbar_cell(canvas *c, int x, int y, double frac, unsigned role)
{
	int level;

	if (!(frac > 0))
		frac = 0;
	if (frac > 1)
		frac = 1;
	level = (int)(frac * 8 + 0.5);
	if (level == 0 && frac > 0)
		level = 1; /* a nonzero channel never disappears */
	canvas_put(c, x, y, c->g->bars[level], role);
}

int
canvas_utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

void
canvas_row_text(const canvas *c, int y, char *buf, size_t len)
{
	size_t n = 0, keep = 0;
	int x;

	if (len == 0)
		return;
	buf[0] = '\0';
	if (y < 0 || y >= c->h)
		return;
	for (x = 0; x < c->w; x++) {
		char enc[4];
		int k = canvas_utf8_encode(c->cells[(size_t)y * (size_t)c->w + (size_t)x].ch, enc);

		if (n + (size_t)k + 1 > len)
			break;
		memcpy(buf + n, enc, (size_t)k);
		n += (size_t)k;
		if (!(k == 1 && enc[0] == ' '))
			keep = n;
	}
	buf[keep] = '\0';
}

void
canvas_print(const canvas *c, FILE *out)
{
	size_t len = (size_t)c->w * 4 + 1;
	char *buf = xmalloc(len);
	int y;

	for (y = 0; y < c->h; y++) {
		canvas_row_text(c, y, buf, len);
		fprintf(out, "%s\n", buf);
	}
	free(buf);
}

bool
canvas_contains(const canvas *c, const char *needle)
{
	size_t len = (size_t)c->w * 4 + 1;
	char *buf = xmalloc(len);
	bool found = false;
	int y;

	for (y = 0; y < c->h && !found; y++) {
		canvas_row_text(c, y, buf, len);
		found = strstr(buf, needle) != NULL;
	}
	free(buf);
	return found;
}
