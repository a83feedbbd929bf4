/* panes: the drawing functions render.c calls, one per pane, and the
 * number formatting they share. Internal to ui/. */
#ifndef GGSCOPE_PANES_H
#define GGSCOPE_PANES_H

#include <stddef.h>
#include <stdint.h>

#include "canvas.h"
#include "model.h"
#include "render.h"

/* Formatting, into buf of len bytes; each returns buf. */
char *fmt_bytes(char *buf, size_t len, uint64_t bytes);   /* "33.0 MiB" */
char *fmt_ns(char *buf, size_t len, double ns);           /* "12.3 us" */
char *fmt_shape(char *buf, size_t len, const model_tensor *t); /* "4096x14336" */

/* The colour of a bandwidth figure, by % of the device ceiling. */
unsigned role_for_pct(double pct);

/* Register a clickable zone (ignored when the table is full). */
void render_add_hit(render_out *out, layout_rect r, int kind, int a, int b);

/* The inside of a pane's border. */
layout_rect pane_inner(layout_rect r);
/* Draw a pane's border with its title, highlighted when focused. */
void pane_frame(canvas *c, layout_rect r, const char *title, bool focused);

void pane_header(canvas *c, layout_rect r, const model *m, const render_opts *o);
void pane_layers(canvas *c, layout_rect r, model *m, render_out *out);
void pane_matrix(canvas *c, layout_rect r, model *m, const render_opts *o, render_out *out);
void pane_detail(canvas *c, layout_rect r, model *m);
void pane_outlier(canvas *c, layout_rect r, model *m);
void pane_status(canvas *c, layout_rect r, const model *m);
void pane_fkeys(canvas *c, layout_rect r, render_out *out);

/* Popups over the screen. */
void popup_draw(canvas *c, model *m, const render_opts *o);
void popup_too_small(canvas *c, const layout *l);

#endif
