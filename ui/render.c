#include "config.h"

#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "panes.h"
#include "render.h"

char *
fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return buf;
}

char *
fmt_ns(char *buf, size_t len, double ns)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, ns < 1e4 ? "%.2f us" : "%.1f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
	return buf;
}

char *
fmt_shape(char *buf, size_t len, const model_tensor *t)
{
	int i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < t->n_dims && i < 4; i++)
		n += snprintf(buf + n, len > (size_t)n ? len - (size_t)n : 0, "%s%llu",
			i ? "x" : "", (unsigned long long)t->ne[i]);
	return buf;
}

unsigned
role_for_pct(double pct)
{
	if (pct >= 75)
		return ROLE_GOOD;
	if (pct >= 40)
		return ROLE_WARN;
	return ROLE_BAD;
}

void
render_add_hit(render_out *out, layout_rect r, int kind, int a, int b)
{
	render_hit *h;

	if (out->n_hits >= RENDER_MAX_HITS)
		return;
	h = &out->hits[out->n_hits++];
	h->r = r;
	h->kind = kind;
	h->a = a;
	h->b = b;
}

render_hit
render_hit_at(const render_out *out, int x, int y)
{
	render_hit none = { { 0, 0, 0, 0 }, HIT_NONE, 0, 0 };
	int i;

	/* Zones are added outer first (panes), inner after: the last match
	 * is the innermost. */
	for (i = out->n_hits - 1; i >= 0; i--)
		if (layout_rect_contains(out->hits[i].r, x, y))
			return out->hits[i];
	return none;
}

layout_rect
pane_inner(layout_rect r)
{
	layout_rect in = { r.x + 1, r.y + 1, r.w - 2, r.h - 2 };

	if (in.w < 0)
		in.w = 0;
	if (in.h < 0)
		in.h = 0;
	return in;
}

void
pane_frame(canvas *c, layout_rect r, const char *title, bool focused)
{
	canvas_box(c, r, focused ? ROLE_BORDER_FOCUS : ROLE_BORDER, title,
		focused ? ROLE_TITLE | ROLE_F_BOLD : ROLE_TITLE);
}

/* Header line 1: the device and its ceiling, or why there is none. */
static void
header_device(canvas *c, int x, int y, int w, const model *m, const render_opts *o)
{
	const model_device *d = &m->dev;
	char l2[32];
	int n;

	n = canvas_printf(c, x, y, w, ROLE_TITLE | ROLE_F_BOLD, "ggscope %s", o->version ? o->version : "");
	n += canvas_text(c, x + n, y, w - n, ROLE_LABEL, "  device: ");
	if (!d->probed) {
		canvas_text(c, x + n, y, w - n, ROLE_NA, "probing...");
		return;
	}
	if (!d->gpu_ok) {
		canvas_printf(c, x + n, y, w - n, ROLE_WARN,
			"none - measurement unavailable: %s", d->why);
		return;
	}
	n += canvas_printf(c, x + n, y, w - n, ROLE_VALUE, "%s  sm_%d%d  %d SMs  L2 %s",
		d->name, d->cc_major, d->cc_minor, d->n_sms, fmt_bytes(l2, sizeof(l2), d->l2_bytes));
	n += canvas_text(c, x + n, y, w - n, ROLE_LABEL, "  ceiling ");
	if (d->ceiling_valid)
		canvas_printf(c, x + n, y, w - n, ROLE_VALUE, "%.0f GB/s", d->ceiling_gbs);
	else
		canvas_printf(c, x + n, y, w - n, ROLE_NA, "n/a: %s", d->ceiling_why);
}

/* A "label value" pair; returns the columns used. */
static int
pair(canvas *c, int x, int y, int w, const char *label, const char *value, unsigned vrole)
{
	int n = canvas_text(c, x, y, w, ROLE_LABEL, label);

	n += canvas_text(c, x + n, y, w - n, vrole, value);
	return n + canvas_text(c, x + n, y, w - n, ROLE_NORMAL, "  ");
}

static unsigned
version_role(const char *v)
{
	return strncmp(v, "n/a", 3) == 0 ? ROLE_NA : ROLE_VALUE;
}

void
pane_header(canvas *c, layout_rect r, const model *m, const render_opts *o)
{
	const model_device *d = &m->dev;
	char buf[160], sz[32];
	int n, i, x = r.x + 1, w = r.w - 2;

	header_device(c, x, r.y, w, m, o);

	/* Line 2: versions and what the profiler can count. */
	n = pair(c, x, r.y + 1, w, "driver ", d->driver[0] ? d->driver : "n/a", version_role(d->driver));
	n += pair(c, x + n, r.y + 1, w - n, "NVRTC ", d->nvrtc[0] ? d->nvrtc : "n/a", version_role(d->nvrtc));
	if (d->arch[0] != '\0')
		n += pair(c, x + n, r.y + 1, w - n, "builds ", d->arch, ROLE_VALUE);
	n += pair(c, x + n, r.y + 1, w - n, "CUPTI ", d->cupti[0] ? d->cupti : "n/a", version_role(d->cupti));
	pair(c, x + n, r.y + 1, w - n, "counters: ", d->counters[0] ? d->counters : "n/a",
		d->counters_ok ? ROLE_GOOD : ROLE_NA);

	/* Line 3: the GpuProfile, each field with its source. */
	n = canvas_text(c, x, r.y + 2, w, ROLE_LABEL, "profile: ");
	if (d->n_fields == 0)
		canvas_printf(c, x + n, r.y + 2, w - n, ROLE_NA, "n/a: %s", d->profile_why);
	/* The kernel choices and their warp counts (q4k, q6k, mwv_warps,
	 * stream_warps) only; p shows every field and its source. */
	for (i = 0; i < d->n_fields && i < 4 && n < w; i++) {
		const model_field *f = &d->fields[i];

		n += canvas_printf(c, x + n, r.y + 2, w - n, ROLE_VALUE, "%s=%s", f->name, f->value);
		n += canvas_printf(c, x + n, r.y + 2, w - n, f->note[0] ? ROLE_WARN : ROLE_DIM, " (%s)  ",
			f->origin);
	}
	if (d->n_fields > 0)
		canvas_printf(c, x + n, r.y + 2, w - n, ROLE_DIM, "for %s; p: all %d fields", d->profile_for,
			d->n_fields);

	/* Line 4: what is open and the measurement settings. */
	n = canvas_text(c, x, r.y + 3, w, ROLE_LABEL, "model: ");
	switch (m->load_state) {
	case LOAD_RUNNING:
		n += canvas_printf(c, x + n, r.y + 3, w - n, ROLE_WARN, "%s (loading...)", m->src_name);
		break;
	case LOAD_FAILED:
		n += canvas_printf(c, x + n, r.y + 3, w - n, ROLE_BAD, "%s: %s", m->src_name, m->load_why);
		break;
	case LOAD_OK:
		n += canvas_printf(c, x + n, r.y + 3, w - n, ROLE_VALUE, "%s", m->src_name);
		n += canvas_printf(c, x + n, r.y + 3, w - n, ROLE_DIM, "  %zu tensor%s, %zu group%s, %s",
			m->n_tensors, m->n_tensors == 1 ? "" : "s", m->n_groups, m->n_groups == 1 ? "" : "s",
			fmt_bytes(sz, sizeof(sz), m->file_bytes));
		break;
	default:
		n += canvas_text(c, x + n, r.y + 3, w - n, ROLE_NA, "none");
		break;
	}
	snprintf(buf, sizeof(buf), "  L2: %s  input: %s", m->l2_cold ? "cold" : "warm",
		m->n_act_sources > 0 ? m->act_sources[m->act_source] : "n/a");
	canvas_text(c, x + n, r.y + 3, w - n, ROLE_LABEL, buf);
}

void
pane_status(canvas *c, layout_rect r, const model *m)
{
	const canvas_glyphs *g = c->g;
	int n = 0, w = r.w, bar;

	canvas_fill(c, r, ' ', ROLE_STATUS);
	if (m->progress_active && m->progress_total > 0) {
		n = canvas_printf(c, r.x, r.y, w, ROLE_PROGRESS, "%s %d/%d ",
			m->progress_label, m->progress_done, m->progress_total);
		bar = w / 4 < 10 ? 10 : w / 4;
		if (n + bar + 2 < w) {
			int filled = (int)((double)m->progress_done / m->progress_total * bar + 0.5), i;

			canvas_put(c, r.x + n++, r.y, '[', ROLE_PROGRESS);
			for (i = 0; i < bar; i++)
				canvas_put(c, r.x + n++, r.y, i < filled ? g->fill : g->empty, ROLE_PROGRESS);
			canvas_put(c, r.x + n++, r.y, ']', ROLE_PROGRESS);
		}
		n += canvas_text(c, r.x + n, r.y, w - n, ROLE_DIM, " Esc cancels  ");
	} else if (m->busy > 0) {
		canvas_put(c, r.x, r.y, g->spinner[m->tick % (unsigned)g->n_spinner], ROLE_PROGRESS);
		n = 2 + canvas_printf(c, r.x + 2, r.y, w - 2, ROLE_PROGRESS, "%s", m->busy_label);
		if (m->busy_frac >= 0)
			n += canvas_printf(c, r.x + n, r.y, w - n, ROLE_PROGRESS, " %.0f%%", m->busy_frac * 100);
		n += canvas_text(c, r.x + n, r.y, w - n, ROLE_STATUS, "  ");
	}
	canvas_text(c, r.x + n, r.y, w - n,
		m->status_level == LEVEL_ERROR ? ROLE_STATUS_ERR | ROLE_F_BOLD :
		m->status_level == LEVEL_WARN ? ROLE_WARN : ROLE_STATUS, m->status);
}

void
pane_fkeys(canvas *c, layout_rect r, render_out *out)
{
	const key_binding *b;
	int x = r.x, total = 0, pad = 6;

	canvas_fill(c, r, ' ', ROLE_FKEY_NUM);
	/* Labels padded to 6 like htop's when they all fit that way; packed
	 * tight on a narrow screen, so that F10 Quit always shows. */
	for (b = keys_table; b->action != ACT_NONE; b++)
		if (b->bar != NULL)
			total += (int)strlen(b->bar_key) + ((int)strlen(b->bar) > pad ? (int)strlen(b->bar) : pad) + 1;
	if (total > r.w)
		pad = 0;
	for (b = keys_table; b->action != ACT_NONE; b++) {
		int x0 = x;
		layout_rect hit;

		if (b->bar == NULL)
			continue;
		if (x + (int)strlen(b->bar_key) + 2 > r.x + r.w)
			break;
		x += canvas_text(c, x, r.y, r.x + r.w - x, ROLE_FKEY_NUM, b->bar_key);
		x += canvas_printf(c, x, r.y, r.x + r.w - x, ROLE_FKEY_LABEL, "%-*s", pad, b->bar);
		x += canvas_text(c, x, r.y, r.x + r.w - x, ROLE_FKEY_NUM, " ");
		hit.x = x0;
		hit.y = r.y;
		hit.w = x - x0;
		hit.h = 1;
		render_add_hit(out, hit, HIT_KEY, b->codes[0], 0);
	}
}

void
render_screen(canvas *c, model *m, const render_opts *o, render_out *out)
{
	const model_tensor *t = model_tensor_sel(m);
	int i;

	canvas_clear(c);
	out->n_hits = 0;
	layout_compute(c->w, c->h, t != NULL && t->n_variants > 0 ? t->n_variants : 3, &out->lay);
	if (out->lay.too_small) {
		popup_too_small(c, &out->lay);
		return;
	}
	for (i = 0; i < LP_COUNT; i++)
		render_add_hit(out, out->lay.r[i], HIT_PANE, i, 0);
	pane_header(c, out->lay.r[LP_HEADER], m, o);
	pane_layers(c, out->lay.r[LP_LAYERS], m, out);
	pane_matrix(c, out->lay.r[LP_MATRIX], m, o, out);
	pane_detail(c, out->lay.r[LP_DETAIL], m);
	pane_outlier(c, out->lay.r[LP_OUTLIER], m);
	pane_status(c, out->lay.r[LP_STATUS], m);
	pane_fkeys(c, out->lay.r[LP_FKEYS], out);
	if (m->popup != POPUP_NONE) {
		/* A popup takes the clicks: only a click outside closes it. */
		out->n_hits = 0;
		popup_draw(c, m, o);
	}
}
