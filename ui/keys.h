/* keys: what each key does, as one table. The key dispatcher, the help
 * screen and the function-key bar all read it, so the help always lists
 * every key that works. */
#ifndef GGSCOPE_KEYS_H
#define GGSCOPE_KEYS_H

enum key_action {
	ACT_NONE,
	ACT_UP, ACT_DOWN, ACT_LEFT, ACT_RIGHT,
	ACT_PGUP, ACT_PGDN, ACT_HOME, ACT_END,
	ACT_FOCUS,        /* Tab: layers <-> matrix */
	ACT_MEASURE,      /* Enter: build (cached) and measure the cell */
	ACT_REBUILD,      /* r: rebuild bypassing the cache, then measure */
	ACT_VAR_NEXT, ACT_VAR_PREV,
	ACT_WARPS_NEXT, ACT_WARPS_PREV,
	ACT_SWEEP,
	ACT_L2,
	ACT_ACT_SOURCE,
	ACT_OUTLIERS,
	ACT_EDIT,
	ACT_PROFILE,
	ACT_REPORT,
	ACT_LOG,
	ACT_PCT,
	ACT_HELP,
	ACT_REDRAW,
	ACT_ESCAPE,       /* close a popup, cancel a sweep */
	ACT_QUIT,
	ACT_COUNT
};

#define KEYS_MAX_CODES 4

typedef struct key_binding {
	int action;                  /* enum key_action */
	int codes[KEYS_MAX_CODES];   /* curses key codes; 0 ends the list */
	const char *keys;            /* as the help shows them: "Enter, r" */
	const char *help;            /* what it does */
	const char *bar;             /* label in the function-key bar, or NULL */
	const char *bar_key;         /* the key as the bar shows it ("F1") */
} key_binding;

/* The table, ending with an entry whose action is ACT_NONE. */
extern const key_binding keys_table[];

/* The action for a key code in the main screen; ACT_NONE when unbound. */
int keys_action(int code);

/* The first key code bound to an action (for the bar's mouse clicks). */
int keys_code_for(int action);

#endif
