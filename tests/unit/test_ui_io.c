/* Unit tests for the TUI's plumbing: the canvas, the worker thread and
 * the editor helpers. No terminal. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "canvas.h"
#include "editor.h"
#include "job.h"
#include "model.h"
#include "worker.h"
#include "xalloc.h"

/* ------------------------------------------------------------ canvas */

static void
test_canvas_text_and_clip(void **state)
{
	canvas *c = canvas_new(10, 3, &canvas_glyphs_utf8);
	char row[64];

	(void)state;
	/* wcwidth needs a UTF-8 locale to know that U+00E9 is one column. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		skip();
	assert_int_equal(canvas_text(c, 7, 0, 100, ROLE_NORMAL, "abcdef"), 3);
	canvas_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "       abc");
	/* Off-grid drawing is ignored, never written. */
	canvas_text(c, -3, 1, 10, ROLE_NORMAL, "xyz");
	canvas_text(c, 0, 5, 10, ROLE_NORMAL, "xyz");
	canvas_put(c, 10, 0, 'Q', ROLE_NORMAL);
	assert_null(canvas_get(c, 10, 0));
	/* UTF-8 decodes to one cell per code point; control bytes, wide
	 * characters and malformed sequences become '?'. */
	canvas_clear(c);
	assert_int_equal(canvas_text(c, 0, 0, 10, ROLE_NORMAL, "\xc3\xa9\t\xe4\xb8\xad\xff"), 4);
	canvas_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "\xc3\xa9???");
	canvas_free(c);

	c = canvas_new(6, 1, &canvas_glyphs_ascii);
	canvas_text(c, 0, 0, 6, ROLE_NORMAL, "\xc3\xa9x");
	canvas_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "?x");
	assert_int_equal(canvas_text_right(c, 0, 0, 6, ROLE_NORMAL, "42"), 2);
	canvas_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "?x  42");
	canvas_free(c);
}

static void
test_canvas_box_bars(void **state)
{
	canvas *c = canvas_new(12, 4, &canvas_glyphs_ascii);
	layout_rect r = { 0, 0, 12, 4 };
	char row[64];

	(void)state;
	canvas_box(c, r, ROLE_BORDER, "Title", ROLE_TITLE);
	canvas_row_text(c, 0, row, sizeof(row));
	assert_string_equal(row, "+- Title --+");
	canvas_row_text(c, 3, row, sizeof(row));
	assert_string_equal(row, "+----------+");
	canvas_hbar(c, 1, 1, 10, 0.5, ROLE_BAR);
	canvas_row_text(c, 1, row, sizeof(row));
	assert_string_equal(row, "|#####     |");
	canvas_vbar_cell(c, 1, 2, 1.0, ROLE_BAR);
	canvas_vbar_cell(c, 2, 2, 0.001, ROLE_BAR); /* never vanishes */
	canvas_vbar_cell(c, 3, 2, 0.0, ROLE_BAR);
	assert_int_equal(canvas_get(c, 1, 2)->ch, '#');
	assert_int_equal(canvas_get(c, 2, 2)->ch, '.');
	assert_int_equal(canvas_get(c, 3, 2)->ch, ' ');
	assert_true(canvas_contains(c, "Title"));
	assert_false(canvas_contains(c, "Missing"));
	canvas_free(c);
}

/* ------------------------------------------------------------ worker */

/* A job function that echoes its warps into regs; warps < 0 waits until
 * the worker cancels it. */
static void
fake_run(void *ctx, const job *j, job_result *r, worker *w)
{
	(void)ctx;
	if (j->warps == 100) {
		/* 0 %, 0 % again (not posted), 50 %, 100 % */
		worker_progress(w, j, 0.001);
		worker_progress(w, j, 0.005);
		worker_progress(w, j, 0.5);
		worker_progress(w, j, 1.0);
	}
	if (j->warps < 0) {
		while (!worker_cancelling(w))
			usleep(1000);
		snprintf(r->why, sizeof(r->why), "stopped");
		return;
	}
	r->ok = true;
	r->comp.valid = true;
	r->comp.regs = j->warps;
}

/* Pop until `n` final results arrived (bounded); count the kinds. */
static int
collect(worker *w, int n, int *started, int *cancelled, int *regs_sum)
{
	job_result r;
	int done = 0, spins;

	*started = *cancelled = *regs_sum = 0;
	for (spins = 0; done < n && spins < 5000; spins++) {
		if (!worker_pop(w, &r)) {
			usleep(1000);
			continue;
		}
		if (r.started)
			(*started)++;
		else {
			done++;
			if (r.cancelled)
				(*cancelled)++;
			else
				*regs_sum += r.comp.regs;
		}
	}
	return done;
}

/* Wait (bounded) for the notice that a job started running. */
static void
wait_started(worker *w)
{
	job_result r;
	int spins;

	for (spins = 0; spins < 5000; spins++) {
		if (worker_pop(w, &r) && r.started)
			return;
		usleep(1000);
	}
	fail_msg("no job started");
}

static void
test_worker_runs_and_cancels(void **state)
{
	errmsg err;
	worker *w = worker_new(fake_run, NULL, &err);
	int started, cancelled, sum, i;
	job j;

	(void)state;
	assert_non_null(w);
	memset(&j, 0, sizeof(j));
	j.kind = JOB_COMPILE;
	for (i = 1; i <= 4; i++) {
		j.warps = i;
		assert_int_not_equal(worker_push(w, &j), 0);
	}
	assert_int_equal(collect(w, 4, &started, &cancelled, &sum), 4);
	assert_int_equal(started, 4);
	assert_int_equal(sum, 1 + 2 + 3 + 4);
	assert_int_equal(worker_pending(w), 0);

	/* A blocking job holds the thread; the queued sweep jobs behind it are
	 * cancelled, then the running one is asked to stop. */
	j.warps = -1;
	j.group = JG_SWEEP;
	worker_push(w, &j);
	for (i = 1; i <= 3; i++) {
		j.warps = 10;
		worker_push(w, &j);
	}
	assert_true(worker_pending(w) >= 3);
	wait_started(w);
	assert_int_equal(worker_cancel_group(w, JG_SWEEP), 3);
	assert_int_equal(collect(w, 4, &started, &cancelled, &sum), 4);
	assert_int_equal(cancelled, 3);

	/* Coalescing: only the newest queued auto job survives. */
	j.warps = -1;
	j.group = JG_SWEEP;
	worker_push(w, &j);
	wait_started(w);
	j.group = JG_AUTO;
	j.coalesce = true;
	for (i = 1; i <= 5; i++) {
		j.warps = i;
		worker_push(w, &j);
	}
	worker_cancel_group(w, JG_SWEEP);
	assert_int_equal(collect(w, 6, &started, &cancelled, &sum), 6);
	assert_int_equal(cancelled, 4);
	assert_int_equal(sum, 5);
	assert_true(worker_fd(w) >= 0);
	worker_free(w);
	worker_free(NULL);
}

static void
test_worker_progress(void **state)
{
	errmsg err;
	worker *w = worker_new(fake_run, NULL, &err);
	job_result r;
	double fr[8];
	int n = 0, done = 0, spins;
	model m;
	job j;

	(void)state;
	memset(&j, 0, sizeof(j));
	j.kind = JOB_LOAD;
	j.warps = 100;
	worker_push(w, &j);
	for (spins = 0; !done && spins < 5000; spins++) {
		if (!worker_pop(w, &r)) {
			usleep(1000);
			continue;
		}
		if (r.progress && n < 8)
			fr[n++] = r.progress_frac;
		else if (!r.started)
			done = 1;
	}
	assert_true(done);
	assert_int_equal(n, 3);
	assert_true(fr[0] < 0.01 && fr[1] == 0.5 && fr[2] == 1.0);
	worker_progress(NULL, &j, 0.5); /* inline jobs: nothing to post to */
	worker_free(w);

	model_init(&m);
	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_LOAD;
	r.started = true;
	job_apply(&m, &r);
	assert_true(m.load_progress < 0);
	memset(&r, 0, sizeof(r));
	r.job.kind = JOB_LOAD;
	r.progress = true;
	r.progress_frac = 0.25;
	job_apply(&m, &r);
	assert_true(m.load_progress == 0.25);
	assert_int_equal(m.load_state, LOAD_RUNNING);
	model_free(&m);
}

static void
test_worker_free_with_pending(void **state)
{
	errmsg err;
	worker *w = worker_new(fake_run, NULL, &err);
	job j;

	(void)state;
	memset(&j, 0, sizeof(j));
	j.warps = -1;
	worker_push(w, &j);
	j.warps = 1;
	worker_push(w, &j);
	/* Freed with a job running and one queued: stops, joins, no leak. */
	worker_free(w);
}

/* ------------------------------------------------------------ editor */

static void
test_editor_prepare(void **state)
{
	char base[] = "/tmp/ggscope-edXXXXXX", kdir[256], cache[256], path[512], dir[512], f[300];
	editor_stamp s0, s1;
	errmsg err;
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(base));
	snprintf(kdir, sizeof(kdir), "%s/kernels", base);
	snprintf(cache, sizeof(cache), "%s/cache/ggscope/kernels", base);
	assert_int_equal(mkdir(kdir, 0755), 0);
	snprintf(f, sizeof(f), "%s/q4k_mwv.cu", kdir);
	fp = fopen(f, "w");
	fputs("// kernel\n", fp);
	fclose(fp);
	snprintf(f, sizeof(f), "%s/common.cuh", kdir);
	fp = fopen(f, "w");
	fputs("// header\n", fp);
	fclose(fp);

	/* Writable: edited in place. */
	assert_int_equal(editor_prepare(kdir, "q4k_mwv.cu", cache, path, sizeof(path), dir, sizeof(dir), &err), 0);
	assert_string_equal(dir, kdir);

	/* Bad names and missing files are errors with a message. */
	assert_int_equal(editor_prepare(kdir, "../x.cu", cache, path, sizeof(path), dir, sizeof(dir), &err), -1);
	assert_int_equal(editor_prepare(kdir, "nope.cu", cache, path, sizeof(path), dir, sizeof(dir), &err), -1);
	assert_non_null(strstr(err.text, "nope.cu"));

	/* Read-only (as root, access(W_OK) ignores modes: skip that part). */
	chmod(kdir, 0555);
	snprintf(f, sizeof(f), "%s/q4k_mwv.cu", kdir);
	chmod(f, 0444);
	if (access(f, W_OK) != 0) {
		assert_int_equal(editor_prepare(kdir, "q4k_mwv.cu", cache, path, sizeof(path), dir, sizeof(dir),
			&err), 0);
		assert_string_equal(dir, cache);
		snprintf(f, sizeof(f), "%s/common.cuh", cache);
		assert_int_equal(access(f, R_OK), 0); /* the headers came along */
	}

	s0 = editor_stat(path);
	assert_true(s0.exists);
	s1 = s0;
	assert_false(editor_changed(s0, s1));
	s1.size++;
	assert_true(editor_changed(s0, s1));
	assert_false(editor_stat("/nonexistent/x").exists);

	/* The editor runs through the shell with the file as "$1". */
	setenv("VISUAL", "sh -c 'echo edited >> \"$0\"'", 1);
	assert_int_equal(editor_run(path, &err), 0);
	assert_true(editor_changed(s0, editor_stat(path)));
	setenv("VISUAL", "false", 1);
	assert_int_equal(editor_run(path, &err), 1);
	setenv("VISUAL", "/nonexistent/editor", 1);
	assert_int_equal(editor_run(path, &err), -1);
	assert_non_null(strstr(err.text, "cannot run editor"));
	unsetenv("VISUAL");

	snprintf(f, sizeof(f), "chmod -R u+w '%s' && rm -rf '%s'", base, base);
	assert_int_equal(system(f), 0);
}

static void
test_editor_dirs(void **state)
{
	char buf[256];
	errmsg err;

	(void)state;
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	assert_true(editor_cache_dir(buf, sizeof(buf), &err));
	assert_string_equal(buf, "/x/cache/ggscope/kernels");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	assert_true(editor_cache_dir(buf, sizeof(buf), &err));
	assert_string_equal(buf, "/home/u/.cache/ggscope/kernels");
	unsetenv("HOME");
	assert_false(editor_cache_dir(buf, sizeof(buf), &err));
	setenv("GGSCOPE_KERNELS_DIR", "/k", 1);
	assert_string_equal(editor_kernels_dir(), "/k");
	unsetenv("GGSCOPE_KERNELS_DIR");
	assert_non_null(strstr(editor_kernels_dir(), "/kernels"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canvas_text_and_clip),
		cmocka_unit_test(test_canvas_box_bars),
		cmocka_unit_test(test_worker_runs_and_cancels),
		cmocka_unit_test(test_worker_progress),
		cmocka_unit_test(test_worker_free_with_pending),
		cmocka_unit_test(test_editor_prepare),
		cmocka_unit_test(test_editor_dirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
