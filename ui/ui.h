/* ui: the interactive ncurses front end (`ggscope [MODEL.gguf]`). */
#ifndef GGSCOPE_UI_H
#define GGSCOPE_UI_H

/* Run the TUI; argv[0] is "ggscope", the rest are the top-level options and
 * an optional model path. Returns an exit status. */
int ui_main(int argc, char **argv);

/* The top-level options the TUI accepts, for `ggscope --help`. */
extern const char ui_options_help[];

#endif
