#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "uilog.h"

static FILE *log_file;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct timespec log_t0;

int
uilog_open(const char *path, errmsg *err)
{
	FILE *f = fopen(path, "a");

	if (f == NULL) {
		errmsg_errno(err, errno, "--log %s", path);
		return -1;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_MONOTONIC, &log_t0);
	pthread_mutex_lock(&log_lock);
	log_file = f;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void
uilog_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
	pthread_mutex_unlock(&log_lock);
}

void
uilog(const char *fmt, ...)
{
	struct timespec now;
	va_list ap;

	pthread_mutex_lock(&log_lock);
	if (log_file != NULL) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		fprintf(log_file, "%9.3f ", (double)(now.tv_sec - log_t0.tv_sec) +
			(double)(now.tv_nsec - log_t0.tv_nsec) / 1e9);
		va_start(ap, fmt);
		vfprintf(log_file, fmt, ap);
		va_end(ap);
		fputc('\n', log_file);
	}
	pthread_mutex_unlock(&log_lock);
}
