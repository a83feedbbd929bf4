#include "config.h"

#include <curses.h>
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "term.h"
#include "xalloc.h"

static SCREEN *screen;
static bool is_open;
static bool use_color;
static volatile sig_atomic_t quit_flag;
static int saved_stderr = -1;
static char crash_info[1024];
static struct sigaction old_fatal[4];
static const int fatal_sigs[4] = { SIGSEGV, SIGBUS, SIGFPE, SIGABRT };

/* One curses look per role: colour pair (0 = none) and attributes, and
 * the attributes used instead when there is no colour. */
struct look {
	short fg, bg;
	attr_t attr;
	attr_t mono;
};

static const struct look looks[ROLE_COUNT] = {
	[ROLE_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_DIM] = { -1, -1, A_DIM, A_DIM },
	[ROLE_BORDER] = { COLOR_BLUE, -1, A_NORMAL, A_NORMAL },
	[ROLE_BORDER_FOCUS] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[ROLE_TITLE] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[ROLE_LABEL] = { COLOR_CYAN, -1, A_NORMAL, A_NORMAL },
	[ROLE_VALUE] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_NA] = { COLOR_MAGENTA, -1, A_NORMAL, A_DIM },
	[ROLE_GOOD] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[ROLE_WARN] = { COLOR_YELLOW, -1, A_NORMAL, A_BOLD },
	[ROLE_BAD] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[ROLE_BAR] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[ROLE_BAR_HOT] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[ROLE_FKEY_NUM] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_FKEY_LABEL] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[ROLE_STATUS] = { -1, -1, A_NORMAL, A_NORMAL },
	[ROLE_STATUS_ERR] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[ROLE_PROGRESS] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[ROLE_POPUP] = { -1, -1, A_NORMAL, A_NORMAL },
};

/* Point fd 2 at path (or /dev/null), keeping the terminal's for later. */
static void
redirect_stderr(const char *path)
{
	int fd = open(path ? path : "/dev/null", O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (saved_stderr >= 0)
		dup2(fd, STDERR_FILENO);
	close(fd);
}

int
term_open(const term_opts *o, errmsg *err)
{
	int i;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		errmsg_set(err, "the interactive view needs a terminal (use --snapshot for text output)");
		return -1;
	}
	/* Esc must close a popup at once, not after a second (nvtop, htop). */
	if (getenv("ESCDELAY") == NULL)
		setenv("ESCDELAY", "25", 1);
	screen = newterm(NULL, stdout, stdin);
	if (screen == NULL) {
		errmsg_set(err, "cannot start curses on TERM=%s", getenv("TERM") ? getenv("TERM") : "(unset)");
		return -1;
	}
	set_term(screen);
	is_open = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	use_color = o->color && has_colors();
	if (use_color && start_color() == OK) {
		use_default_colors();
		for (i = 1; i < ROLE_COUNT; i++)
			init_pair((short)i, looks[i].fg, looks[i].bg);
	} else {
		use_color = false;
	}
	if (o->mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	mouseinterval(0);
	redirect_stderr(o->stderr_to);
	return 0;
}

void
term_close(void)
{
	if (!is_open)
		return;
	is_open = false;
	curs_set(1);
	endwin();
	fflush(stdout);
	/* dup2 and close are async-signal-safe: the crash handler gets here. */
	if (saved_stderr >= 0) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

bool
term_color(void)
{
	return use_color;
}

bool
term_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

void
term_size(int *cols, int *rows)
{
	int y, x;

	getmaxyx(stdscr, y, x);
	*cols = x;
	*rows = y;
}

static attr_t
attr_of(unsigned role, short *pair)
{
	unsigned base = role & ROLE_MASK;
	attr_t a;

	if (base >= ROLE_COUNT)
		base = ROLE_NORMAL;
	if (use_color) {
		a = looks[base].attr;
		*pair = (short)base;
	} else {
		a = looks[base].mono;
		*pair = 0;
	}
	if (role & ROLE_F_REVERSE)
		a |= A_REVERSE;
	if (role & ROLE_F_BOLD)
		a |= A_BOLD;
	return a;
}

void
term_draw(const canvas *c)
{
	cchar_t *line;
	int x, y, w, h;

	term_size(&w, &h);
	if (w > c->w)
		w = c->w;
	if (h > c->h)
		h = c->h;
	line = xcalloc((size_t)(w > 0 ? w : 1), sizeof(*line));
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			const canvas_cell *cell = canvas_get(c, x, y);
			wchar_t wc[2] = { (wchar_t)cell->ch, 0 };
			short pair;
			attr_t a = attr_of(cell->role, &pair);

			setcchar(&line[x], wc, a, pair, NULL);
		}
		/* add_wchnstr leaves the cursor alone, so the bottom-right cell
		 * does not scroll the screen. */
		mvadd_wchnstr(y, 0, line, w);
	}
	free(line);
	refresh();
}

void
term_redraw(void)
{
	clearok(curscr, TRUE);
}

int
term_key(void)
{
	int ch = getch();

	return ch == ERR ? -1 : ch;
}

bool
term_mouse_click(int *x, int *y)
{
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return false;
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return false;
	*x = ev.x;
	*y = ev.y;
	return true;
}

void
term_suspend(void)
{
	def_prog_mode();
	endwin();
}

void
term_resume(void)
{
	reset_prog_mode();
	clearok(curscr, TRUE);
	refresh();
}

static void
crash_handler(int sig)
{
	static const char head[] = "\nggscope: fatal signal ";
	char num[8];
	int n = 0, s = sig;

	/* endwin is not async-signal-safe, but the process is dying anyway:
	 * a shell left in raw mode without echo is the worse outcome. */
	term_close();
	do {
		num[n++] = (char)('0' + s % 10);
		s /= 10;
	} while (s > 0 && n < 7);
	if (write(STDERR_FILENO, head, sizeof(head) - 1) < 0)
		_exit(128 + sig);
	while (n > 0)
		if (write(STDERR_FILENO, &num[--n], 1) < 0)
			break;
	if (write(STDERR_FILENO, "\n", 1) < 0 ||
		write(STDERR_FILENO, crash_info, strlen(crash_info)) < 0)
		_exit(128 + sig);
	/* Die the way the process would have without us: the previous
	 * handler (a sanitizer's report) or the default action. */
	for (n = 0; n < 4; n++)
		if (fatal_sigs[n] == sig)
			sigaction(sig, &old_fatal[n], NULL);
	raise(sig);
}

static void
quit_handler(int sig)
{
	(void)sig;
	quit_flag = 1;
}

void
term_set_crash_info(const char *info)
{
	/* Written whole before a crash can read it: the handler may run at any
	 * time, so build the text aside and copy it in one go. */
	char buf[sizeof(crash_info)];

	snprintf(buf, sizeof(buf), "%s\n", info ? info : "");
	memcpy(crash_info, buf, sizeof(buf));
}

void
term_install_signals(const char *info)
{
	static const int quit[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	term_set_crash_info(info);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = crash_handler;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < 4; i++)
		sigaction(fatal_sigs[i], &sa, &old_fatal[i]);
	sa.sa_handler = quit_handler;
	sa.sa_flags = 0; /* no SA_RESTART: poll() must return EINTR */
	for (i = 0; i < sizeof(quit) / sizeof(quit[0]); i++)
		sigaction(quit[i], &sa, NULL);
}

bool
term_quit_requested(void)
{
	return quit_flag != 0;
}
