#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "worker.h"
#include "xalloc.h"

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	worker_fn fn;
	void *ctx;
	int pipe[2];          /* [0] polled by the UI, [1] written on each post */

	job *queue;           /* FIFO, guarded by lock */
	size_t n_queue, cap_queue;
	job_result *results;  /* FIFO, guarded by lock */
	size_t n_results, cap_results;
	size_t results_head;
	bool running;
	int running_group;
	unsigned next_id;
	bool stop;
	atomic_bool cancel;   /* read by the job function without the lock */
	int last_pct;         /* the last progress posted for the running job */
};

/* Append a result and wake the UI; lock held. */
static void
post_locked(worker *w, const job_result *r)
{
	char one = 1;

	if (w->results_head > 0 && w->results_head == w->n_results) {
		w->n_results = 0;
		w->results_head = 0;
	}
	if (w->n_results == w->cap_results) {
		w->cap_results = w->cap_results ? w->cap_results * 2 : 16;
		w->results = xreallocarray(w->results, w->cap_results, sizeof(*w->results));
	}
	w->results[w->n_results++] = *r;
	/* The pipe only wakes poll(); when it is full, a wake-up is pending
	 * already, so EAGAIN is harmless. */
	if (write(w->pipe[1], &one, 1) < 0 && errno != EAGAIN)
		return;
}

/* Post a job back as cancelled; lock held. */
static void
post_cancelled_locked(worker *w, const job *j)
{
	job_result *r = xcalloc(1, sizeof(*r));

	r->job = *j;
	r->cancelled = true;
	post_locked(w, r);
	free(r);
}

static void *
worker_main(void *arg)
{
	worker *w = arg;
	job_result *r = xmalloc(sizeof(*r));

	pthread_mutex_lock(&w->lock);
	for (;;) {
		job j;

		while (!w->stop && w->n_queue == 0)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		j = w->queue[0];
		memmove(w->queue, w->queue + 1, (w->n_queue - 1) * sizeof(*w->queue));
		w->n_queue--;
		w->running = true;
		w->running_group = j.group;
		atomic_store(&w->cancel, false);
		w->last_pct = -1;
		memset(r, 0, sizeof(*r));
		r->job = j;
		r->started = true;
		post_locked(w, r);
		pthread_mutex_unlock(&w->lock);

		memset(r, 0, sizeof(*r));
		r->job = j;
		w->fn(w->ctx, &j, r, w);

		pthread_mutex_lock(&w->lock);
		w->running = false;
		post_locked(w, r);
	}
	pthread_mutex_unlock(&w->lock);
	free(r);
	return NULL;
}

worker *
worker_new(worker_fn fn, void *ctx, errmsg *err)
{
	worker *w = xcalloc(1, sizeof(*w));
	int rc;

	w->fn = fn;
	w->ctx = ctx;
	w->next_id = 1;
	atomic_init(&w->cancel, false);
	if (pipe(w->pipe) != 0) {
		errmsg_errno(err, errno, "worker: pipe");
		free(w);
		return NULL;
	}
	fcntl(w->pipe[0], F_SETFL, fcntl(w->pipe[0], F_GETFL) | O_NONBLOCK);
	fcntl(w->pipe[1], F_SETFL, fcntl(w->pipe[1], F_GETFL) | O_NONBLOCK);
	fcntl(w->pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(w->pipe[1], F_SETFD, FD_CLOEXEC);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc != 0) {
		errmsg_errno(err, rc, "worker: pthread_create");
		close(w->pipe[0]);
		close(w->pipe[1]);
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		free(w);
		return NULL;
	}
	return w;
}

void
worker_free(worker *w)
{
	size_t i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	atomic_store(&w->cancel, true);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	for (i = w->results_head; i < w->n_results; i++)
		job_result_free(&w->results[i]);
	free(w->results);
	free(w->queue);
	close(w->pipe[0]);
	close(w->pipe[1]);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}

unsigned
worker_push(worker *w, const job *j)
{
	size_t i, keep = 0;
	unsigned id;

	pthread_mutex_lock(&w->lock);
	if (j->coalesce) {
		for (i = 0; i < w->n_queue; i++) {
			if (w->queue[i].coalesce && w->queue[i].kind == j->kind && w->queue[i].group == j->group)
				post_cancelled_locked(w, &w->queue[i]);
			else
				w->queue[keep++] = w->queue[i];
		}
		w->n_queue = keep;
	}
	if (w->n_queue == w->cap_queue) {
		w->cap_queue = w->cap_queue ? w->cap_queue * 2 : 16;
		w->queue = xreallocarray(w->queue, w->cap_queue, sizeof(*w->queue));
	}
	id = w->next_id++;
	if (w->next_id == 0)
		w->next_id = 1;
	w->queue[w->n_queue] = *j;
	w->queue[w->n_queue].id = id;
	w->n_queue++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return id;
}

bool
worker_pop(worker *w, job_result *r)
{
	bool got = false;
	char buf[64];

	pthread_mutex_lock(&w->lock);
	if (w->results_head < w->n_results) {
		*r = w->results[w->results_head++];
		got = true;
	}
	if (w->results_head == w->n_results) {
		w->results_head = w->n_results = 0;
		/* Nothing left: empty the pipe so poll() sleeps again. */
		while (read(w->pipe[0], buf, sizeof(buf)) > 0)
			;
	}
	pthread_mutex_unlock(&w->lock);
	return got;
}

int
worker_fd(const worker *w)
{
	return w->pipe[0];
}

int
worker_pending(worker *w)
{
	int n;

	pthread_mutex_lock(&w->lock);
	n = (int)w->n_queue + (w->running ? 1 : 0);
	pthread_mutex_unlock(&w->lock);
	return n;
}

int
worker_cancel_group(worker *w, int group)
{
	size_t i, keep = 0;
	int dropped = 0;

	pthread_mutex_lock(&w->lock);
	for (i = 0; i < w->n_queue; i++) {
		if (w->queue[i].group == group) {
			post_cancelled_locked(w, &w->queue[i]);
			dropped++;
		} else {
			w->queue[keep++] = w->queue[i];
		}
	}
	w->n_queue = keep;
	if (w->running && w->running_group == group)
		atomic_store(&w->cancel, true);
	pthread_mutex_unlock(&w->lock);
	return dropped;
}

bool
worker_cancelling(worker *w)
{
	return atomic_load(&w->cancel);
}

void
worker_progress(worker *w, const job *j, double frac)
{
	job_result *r;
	int pct;

	if (w == NULL)
		return;
	pct = frac <= 0 ? 0 : frac >= 1 ? 100 : (int)(frac * 100);
	pthread_mutex_lock(&w->lock);
	if (pct != w->last_pct) {
		w->last_pct = pct;
		r = xcalloc(1, sizeof(*r));
		r->job = *j;
		r->progress = true;
		r->progress_frac = frac;
		post_locked(w, r);
		free(r);
	}
	pthread_mutex_unlock(&w->lock);
}
