#include "config.h"

#include <curses.h>

#include "keys.h"

#define CTRL(c) ((c) & 0x1f)
#define ESC 27

/* Order = the order of the help screen. hjkl are the vim keys users of
 * nvtop expect; h therefore moves left, and help is F1 or '?'. */
const key_binding keys_table[] = {
	{ ACT_UP, { KEY_UP, 'k', 0 }, "Up, k", "previous tensor / variant", NULL, NULL },
	{ ACT_DOWN, { KEY_DOWN, 'j', 0 }, "Down, j", "next tensor / variant", NULL, NULL },
	{ ACT_LEFT, { KEY_LEFT, 'h', 0 }, "Left, h", "fewer warps; from the first column, back to the layers", NULL, NULL },
	{ ACT_RIGHT, { KEY_RIGHT, 'l', 0 }, "Right, l", "more warps; from the layers, into the matrix", NULL, NULL },
	{ ACT_PGUP, { KEY_PPAGE, 0 }, "PgUp", "a page up", NULL, NULL },
	{ ACT_PGDN, { KEY_NPAGE, 0 }, "PgDn", "a page down", NULL, NULL },
	{ ACT_HOME, { KEY_HOME, 'g', 0 }, "Home, g", "first tensor / variant", NULL, NULL },
	{ ACT_END, { KEY_END, 'G', 0 }, "End, G", "last tensor / variant", NULL, NULL },
	{ ACT_FOCUS, { '\t', KEY_BTAB, 0 }, "Tab", "switch between the layers and the matrix", NULL, NULL },
	{ ACT_MEASURE, { '\n', '\r', KEY_ENTER, 0 }, "Enter", "build (JIT, cached) and measure the selected cell", "Measure", "Enter" },
	{ ACT_REBUILD, { 'r', 0 }, "r", "rebuild the selected cell from source (no cache) and measure", NULL, NULL },
	{ ACT_VAR_NEXT, { 'v', 0 }, "v", "next variant", NULL, NULL },
	{ ACT_VAR_PREV, { 'V', 0 }, "V", "previous variant", NULL, NULL },
	{ ACT_WARPS_NEXT, { 'w', 0 }, "w", "next warp count", NULL, NULL },
	{ ACT_WARPS_PREV, { 'W', 0 }, "W", "previous warp count", NULL, NULL },
	{ ACT_SWEEP, { 's', 0 }, "s", "sweep every cell of the matrix (Esc cancels)", "Sweep", "s" },
	{ ACT_L2, { 'c', 0 }, "c", "toggle cold / warm L2 for measurements", "L2", "c" },
	{ ACT_ACT_SOURCE, { 'a', 0 }, "a", "cycle the activation source", "Input", "a" },
	{ ACT_OUTLIERS, { 'o', 0 }, "o", "edit the planted outliers (channel:multiple,...)", "Outl", "o" },
	{ ACT_EDIT, { 'e', 0 }, "e", "edit the variant's kernel in $EDITOR; saving rebuilds it", "Edit", "e" },
	{ ACT_PROFILE, { 'p', 0 }, "p", "the full GpuProfile; Enter there applies the selection", "Profile", "p" },
	{ ACT_LOG, { 'L', 0 }, "L", "the NVRTC log of the selected cell", NULL, NULL },
	{ ACT_PCT, { '%', 0 }, "%", "matrix cells in GB/s or % of the ceiling", NULL, NULL },
	{ ACT_REPORT, { KEY_F(7), 0 }, "F7", "write a tuning report (t: this tensor, f: the whole file)", "Report", "F7" },
	{ ACT_HELP, { KEY_F(1), '?', 0 }, "F1, ?", "this help", "Help", "F1" },
	{ ACT_REDRAW, { CTRL('l'), KEY_F(5), 0 }, "Ctrl-L, F5", "redraw the screen", NULL, NULL },
	{ ACT_ESCAPE, { ESC, 0 }, "Esc", "close a popup; cancel a sweep; stop a report (written partial)", NULL, NULL },
	{ ACT_QUIT, { KEY_F(10), 'q', CTRL('c'), 0 }, "F10, q", "quit", "Quit", "F10" },
	{ ACT_NONE, { 0 }, NULL, NULL, NULL, NULL }
};

int
keys_action(int code)
{
	const key_binding *b;
	int i;

	if (code == 0)
		return ACT_NONE;
	for (b = keys_table; b->action != ACT_NONE; b++)
		for (i = 0; i < KEYS_MAX_CODES && b->codes[i] != 0; i++)
			if (b->codes[i] == code)
				return b->action;
	return ACT_NONE;
}

int
keys_code_for(int action)
{
	const key_binding *b;

	for (b = keys_table; b->action != ACT_NONE; b++)
		if (b->action == action)
			return b->codes[0];
	return 0;
}
