/* worker: one background thread that runs jobs (compile, measure, load,
 * statistics) in order and posts their results back, so the screen never
 * waits on NVRTC, CUPTI or a GPU.
 *
 * All GPU work happens on this one thread (a CUDA context is current per
 * thread). The UI thread pushes jobs, waits on worker_fd() with poll()
 * beside the terminal, and pops results. Before running a job the worker
 * posts a "started" notice (job_result.started), so the UI can show what
 * runs; a job removed from the queue comes back with `cancelled` set. */
#ifndef GGSCOPE_WORKER_H
#define GGSCOPE_WORKER_H

#include <stdbool.h>

#include "errmsg.h"
#include "job.h"

typedef struct worker worker;

/* Runs one job and fills r (r->job is already set). It should return soon
 * after worker_cancelling() turns true. */
typedef void (*worker_fn)(void *ctx, const job *j, job_result *r, worker *w);

/* Start the thread. Returns NULL and sets err when the thread or the
 * wake-up pipe cannot be created. */
worker *worker_new(worker_fn fn, void *ctx, errmsg *err);

/* Stop: cancel the running job, drop the queue, join the thread, free the
 * results never popped. NULL is allowed. */
void worker_free(worker *w);

/* Queue a job; returns its id (never 0). A job with `coalesce` replaces
 * queued jobs of the same kind and group (they come back cancelled). */
unsigned worker_push(worker *w, const job *j);

/* Take the oldest result; false when there is none. */
bool worker_pop(worker *w, job_result *r);

/* Readable while results are waiting; for poll(). */
int worker_fd(const worker *w);

/* Jobs queued or running. */
int worker_pending(worker *w);

/* Drop the queued jobs of a group and ask the running one, if in that
 * group, to stop. Returns how many were dropped. */
int worker_cancel_group(worker *w, int group);

/* For the job function: whether it has been asked to stop. */
bool worker_cancelling(worker *w);

/* For the job function: post how far the running job is (0..1) as a
 * result with `progress` set. Throttled to steps of 1 %; w may be NULL
 * (a job run inline), then nothing happens. */
void worker_progress(worker *w, const job *j, double frac);

#endif
