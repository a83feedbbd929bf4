/* editor: `e` in the TUI. Find the selected variant's kernel source, make
 * sure the user edits a copy they may write (the installed kernels dir is
 * usually read-only: then the whole dir is copied once into the user's
 * cache), run $VISUAL / $EDITOR on it, and tell whether it changed so the
 * kernel can be rebuilt (hot reload). */
#ifndef GGSCOPE_EDITOR_H
#define GGSCOPE_EDITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "errmsg.h"

/* A file's identity for change detection. */
typedef struct editor_stamp {
	bool exists;
	long long mtime_ns;
	long long size;
} editor_stamp;

/* Where the kernels are read from: $GGSCOPE_KERNELS_DIR, else the
 * installed pkgdatadir/kernels. Never fails. */
const char *editor_kernels_dir(void);

/* The user's cache root for editable kernel copies:
 * $XDG_CACHE_HOME/ggscope/kernels, else $HOME/.cache/ggscope/kernels.
 * Returns false (and sets err) when neither variable is set. */
bool editor_cache_dir(char *buf, size_t len, errmsg *err);

/* Decide which file to edit for `file` (a name inside kernels_dir). When
 * kernels_dir/file is writable it is edited in place; otherwise every
 * regular file of kernels_dir is copied (once; existing copies are kept,
 * they may hold edits) into cache_dir and the copy is edited. path gets
 * the file to edit, dir the directory the JIT must then read kernels from.
 * Returns 0, or -1 with err naming the file that could not be read or
 * written. */
int editor_prepare(const char *kernels_dir, const char *file, const char *cache_dir,
	char *path, size_t path_len, char *dir, size_t dir_len, errmsg *err);

/* Run the editor on path and wait for it: $VISUAL, else $EDITOR, else vi,
 * through /bin/sh so "code -w" works. Returns the editor's exit status
 * (0 = fine), or -1 with err when it could not be started or was killed. */
int editor_run(const char *path, errmsg *err);

/* The file's stamp now (exists false when it cannot be stat'ed). */
editor_stamp editor_stat(const char *path);
bool editor_changed(editor_stamp a, editor_stamp b);

#endif
