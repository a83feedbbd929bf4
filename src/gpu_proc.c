/* gpu_proc: a backend that forwards every op to a worker process running
 * the CUDA backend (see gpu_proto.h for why). A sticky error, a worker
 * that dies, or one that stops answering, is reported as a poisoned
 * context; `reset` then retires that worker and starts a fresh one. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gpu_backend.h"
#include "gpu_proto.h"
#include "io_full.h"
#include "xalloc.h"

extern char **environ;

#define PROC_DEFAULT_TIMEOUT_S 120

struct proc {
	char worker[1024];
	char lib[1024];
	int ordinal;
	pid_t pid;
	int fd;
	int timeout_ms;        /* how long one answer may take */
	unsigned char *buf;    /* response payload */
	size_t cap;
};

/* Read n bytes, waiting at most the timeout for each piece. Returns 0, -1
 * on EOF or error, -2 on timeout. */
static int
read_timed(int fd, void *buf, size_t n, int timeout_ms)
{
	unsigned char *p = buf;

	while (n > 0) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int pr = poll(&pfd, 1, timeout_ms);
		ssize_t r;

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			return -2;
		if (pr < 0)
			return -1;
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Stop the worker: close its socket (it exits on EOF), give it a moment,
 * then kill it (a hung kernel keeps it from reading). */
static void
retire(struct proc *p, char *how, size_t how_len)
{
	int status = 0, i;
	pid_t r = 0;

	if (how_len > 0)
		how[0] = '\0';
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->pid <= 0)
		return;
	for (i = 0; i < 100 && (r = waitpid(p->pid, &status, WNOHANG)) == 0; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	if (r == 0) {
		kill(p->pid, SIGKILL);
		r = waitpid(p->pid, &status, 0);
		snprintf(how, how_len, "killed");
	} else if (r == p->pid && WIFSIGNALED(status))
		snprintf(how, how_len, "died of signal %d (%s)", WTERMSIG(status),
			strsignal(WTERMSIG(status)));
	else if (r == p->pid && WIFEXITED(status))
		snprintf(how, how_len, "exited with status %d", WEXITSTATUS(status));
	p->pid = -1;
}

/* The worker broke the conversation: say how, retire it, and report a
 * poisoned context so that gpu.c resets (starts a new worker). */
static int
lost(struct proc *p, int read_rc, errmsg *err)
{
	char how[128];
	long pid = (long)p->pid;

	retire(p, how, sizeof how);
	if (read_rc == -2)
		errmsg_set(err, "gpu worker (pid %ld) did not answer within %d s (a kernel that "
			"never finishes?); it was %s", pid, p->timeout_ms / 1000, how[0] ? how : "stopped");
	else
		errmsg_set(err, "gpu worker (pid %ld) %s", pid, how[0] ? how : "closed the connection");
	return GPU_BACKEND_STICKY;
}

/* One request and its answer. `payload2` (may be NULL) is sent after
 * `payload`. The answer's payload lands in p->buf (NUL-terminated). */
static int
call(struct proc *p, uint32_t op, const uint64_t a[4], const void *payload, size_t n,
	const void *payload2, size_t n2, struct gpu_proto_resp *r, errmsg *err)
{
	struct gpu_proto_req q;
	int rc;

	if (p->fd < 0) {
		errmsg_set(err, "gpu worker is not running");
		return GPU_BACKEND_STICKY;
	}
	memset(&q, 0, sizeof q);
	q.magic = GPU_PROTO_MAGIC;
	q.op = op;
	if (a != NULL)
		memcpy(q.a, a, sizeof q.a);
	q.payload_bytes = n + n2;
	if (io_send_full(p->fd, &q, sizeof q) != 0 || (n > 0 && io_send_full(p->fd, payload, n) != 0) ||
	    (n2 > 0 && io_send_full(p->fd, payload2, n2) != 0))
		return lost(p, -1, err);
	if ((rc = read_timed(p->fd, r, sizeof *r, p->timeout_ms)) != 0)
		return lost(p, rc, err);
	if (r->magic != GPU_PROTO_MAGIC || r->payload_bytes > GPU_PROTO_MAX_PAYLOAD)
		return lost(p, -1, err);
	if (r->payload_bytes + 1 > p->cap) {
		free(p->buf);
		p->cap = (size_t)r->payload_bytes + 1;
		p->buf = xmalloc(p->cap);
	}
	if (r->payload_bytes > 0 &&
	    (rc = read_timed(p->fd, p->buf, (size_t)r->payload_bytes, p->timeout_ms)) != 0)
		return lost(p, rc, err);
	p->buf[r->payload_bytes] = '\0';
	if (r->rc != 0) {
		errmsg_set(err, "%s", (const char *)p->buf);
		return r->rc == GPU_BACKEND_STICKY ? GPU_BACKEND_STICKY : GPU_EFAIL;
	}
	return 0;
}

static int
call0(struct proc *p, uint32_t op, uint64_t a0, uint64_t a1, uint64_t a2, struct gpu_proto_resp *r,
	errmsg *err)
{
	uint64_t a[4] = { a0, a1, a2, 0 };

	return call(p, op, a, NULL, 0, NULL, 0, r, err);
}

/* Start a worker and open the device in it. *started says whether the
 * program ran at all. */
static int
start(struct proc *p, gpu_info *info, char *loaded, size_t loaded_len, bool *started, errmsg *err)
{
	posix_spawn_file_actions_t fa;
	struct gpu_proto_resp r;
	char *argv[4];
	int sv[2], rc;
	uint64_t a[4] = { (uint64_t)p->ordinal, 0, 0, 0 };

	*started = false;
	if (access(p->worker, X_OK) != 0) {
		errmsg_errno(err, errno, "gpu worker %s", p->worker);
		return GPU_EFAIL;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		errmsg_errno(err, errno, "gpu worker: socketpair");
		return GPU_EFAIL;
	}
	argv[0] = p->worker;
	argv[1] = (char *)"--fd";
	argv[2] = (char *)"3";
	argv[3] = NULL;
	posix_spawn_file_actions_init(&fa);
	/* dup2 onto fd 3 clears its close-on-exec flag; the parent's end and
	 * everything else marked close-on-exec stays behind */
	posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
	rc = posix_spawn(&p->pid, p->worker, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(sv[1]);
	if (rc != 0) {
		close(sv[0]);
		p->pid = -1;
		errmsg_errno(err, rc, "gpu worker %s: spawn", p->worker);
		return GPU_EFAIL;
	}
	p->fd = sv[0];
	rc = call(p, GPU_OP_OPEN, a, p->lib, strlen(p->lib) + 1, NULL, 0, &r, err);
	if (rc == GPU_BACKEND_STICKY) {
		/* it died before answering: it never ran as a worker */
		errmsg_prefix(err, "starting %s", p->worker);
		return GPU_EFAIL;
	}
	*started = true;
	if (rc != 0) {
		char how[64];

		retire(p, how, sizeof how);
		return GPU_EFAIL;
	}
	if (r.payload_bytes < sizeof *info + 1) {
		char how[64];

		retire(p, how, sizeof how);
		errmsg_set(err, "gpu worker: short answer to open");
		return GPU_EFAIL;
	}
	memcpy(info, p->buf, sizeof *info);
	snprintf(loaded, loaded_len, "%s", (const char *)p->buf + sizeof *info);
	return 0;
}

/* ---------------------------------------------------------------- ops */

static void
pr_close(void *impl)
{
	struct proc *p = impl;
	struct gpu_proto_resp r;
	errmsg ignored;
	char how[64];

	if (p->fd >= 0)
		(void)call0(p, GPU_OP_CLOSE, 0, 0, 0, &r, &ignored);
	retire(p, how, sizeof how);
	free(p->buf);
	free(p);
}

static int
pr_mem_alloc(void *impl, size_t bytes, uint64_t *dptr, errmsg *err)
{
	struct gpu_proto_resp r;
	int rc = call0(impl, GPU_OP_MEM_ALLOC, bytes, 0, 0, &r, err);

	*dptr = rc == 0 ? r.v[0] : 0;
	return rc;
}

static int
pr_mem_free(void *impl, uint64_t dptr, errmsg *err)
{
	struct gpu_proto_resp r;

	return call0(impl, GPU_OP_MEM_FREE, dptr, 0, 0, &r, err);
}

static int
pr_upload(void *impl, uint64_t dptr, const void *src, size_t bytes, errmsg *err)
{
	struct gpu_proto_resp r;
	size_t off, n;
	int rc;

	for (off = 0; off < bytes; off += n) {
		uint64_t a[4] = { dptr + off, 0, 0, 0 };

		n = bytes - off < GPU_PROTO_CHUNK ? bytes - off : GPU_PROTO_CHUNK;
		if ((rc = call(impl, GPU_OP_UPLOAD, a, (const char *)src + off, n, NULL, 0, &r, err)) != 0)
			return rc;
	}
	return 0;
}

static int
pr_download(void *impl, void *dst, uint64_t dptr, size_t bytes, errmsg *err)
{
	struct proc *p = impl;
	struct gpu_proto_resp r;
	size_t off, n;
	int rc;

	for (off = 0; off < bytes; off += n) {
		n = bytes - off < GPU_PROTO_CHUNK ? bytes - off : GPU_PROTO_CHUNK;
		if ((rc = call0(p, GPU_OP_DOWNLOAD, dptr + off, n, 0, &r, err)) != 0)
			return rc;
		if (r.payload_bytes != n) {
			errmsg_set(err, "gpu worker: download answered %llu bytes of %zu",
				(unsigned long long)r.payload_bytes, n);
			return GPU_EFAIL;
		}
		memcpy((char *)dst + off, p->buf, n);
	}
	return 0;
}

static int
pr_fill(void *impl, uint64_t dptr, uint32_t value, size_t count, errmsg *err)
{
	struct gpu_proto_resp r;

	return call0(impl, GPU_OP_FILL, dptr, value, count, &r, err);
}

static int
pr_module_load(void *impl, const void *image, size_t size, void **mod, errmsg *err)
{
	struct gpu_proto_resp r;
	int rc;

	/* PTX arrives NUL-terminated (gpu.c makes sure); keep the NUL */
	if (size > 0 && ((const char *)image)[size - 1] != '\0' &&
	    memcmp(image, "\x7f" "ELF", size < 4 ? size : 4) != 0)
		size++;
	rc = call(impl, GPU_OP_MODULE_LOAD, NULL, image, size, NULL, 0, &r, err);
	*mod = rc == 0 ? (void *)(uintptr_t)r.v[0] : NULL;
	return rc;
}

static int
pr_module_unload(void *impl, void *mod, errmsg *err)
{
	struct gpu_proto_resp r;

	return call0(impl, GPU_OP_MODULE_UNLOAD, (uint64_t)(uintptr_t)mod, 0, 0, &r, err);
}

static int
pr_func_get(void *impl, void *mod, const char *name, void **fn, size_t *param_sizes, int max_params,
	int *n_params, errmsg *err)
{
	struct proc *p = impl;
	struct gpu_proto_resp r;
	uint64_t a[4] = { (uint64_t)(uintptr_t)mod, (uint64_t)max_params, 0, 0 };
	int rc, i, n;

	*fn = NULL;
	*n_params = -1;
	rc = call(p, GPU_OP_FUNC_GET, a, name, strlen(name) + 1, NULL, 0, &r, err);
	if (rc != 0)
		return rc;
	n = (int)(int64_t)r.v[1];
	if (n > max_params || (n > 0 && r.payload_bytes != (uint64_t)n * 8)) {
		errmsg_set(err, "gpu worker: malformed parameter list for %s", name);
		return GPU_EFAIL;
	}
	for (i = 0; i < n; i++) {
		uint64_t s;

		memcpy(&s, p->buf + 8 * i, 8);
		param_sizes[i] = (size_t)s;
	}
	*fn = (void *)(uintptr_t)r.v[0];
	*n_params = n;
	return 0;
}

static int
pr_func_attrs(void *impl, void *fn, gpu_func_attrs *out, errmsg *err)
{
	struct proc *p = impl;
	struct gpu_proto_resp r;
	int rc = call0(p, GPU_OP_FUNC_ATTRS, (uint64_t)(uintptr_t)fn, 0, 0, &r, err);

	if (rc == 0 && r.payload_bytes == sizeof *out)
		memcpy(out, p->buf, sizeof *out);
	return rc;
}

static int
pr_occupancy(void *impl, void *fn, int block_threads, size_t dyn_smem, int *blocks, errmsg *err)
{
	struct gpu_proto_resp r;
	int rc = call0(impl, GPU_OP_OCCUPANCY, (uint64_t)(uintptr_t)fn, (uint64_t)block_threads,
		dyn_smem, &r, err);

	*blocks = rc == 0 ? (int)(int64_t)r.v[0] : 0;
	return rc;
}

static int
pr_launch(void *impl, void *fn, const gpu_launch_cfg *cfg, void **params, const size_t *sizes,
	int n_params, int ev_start, int ev_end, errmsg *err)
{
	unsigned char buf[sizeof *cfg + GPU_MAX_ARGS * 16];
	struct gpu_proto_resp r;
	uint64_t a[4] = { (uint64_t)(uintptr_t)fn, (uint64_t)n_params, (uint64_t)(ev_start + 1),
		(uint64_t)(ev_end + 1) };
	size_t off = sizeof *cfg;
	int i;

	if (n_params < 0 || n_params > GPU_MAX_ARGS) {
		errmsg_set(err, "launch with %d parameters", n_params);
		return GPU_EFAIL;
	}
	memcpy(buf, cfg, sizeof *cfg);
	for (i = 0; i < n_params; i++) {
		uint64_t s = sizes[i];

		memcpy(buf + off, &s, 8);
		off += 8;
	}
	for (i = 0; i < n_params; i++) {
		memset(buf + off, 0, 8);
		memcpy(buf + off, params[i], sizes[i] <= 8 ? sizes[i] : 8);
		off += 8;
	}
	return call(impl, GPU_OP_LAUNCH, a, buf, off, NULL, 0, &r, err);
}

static int
pr_sync(void *impl, errmsg *err)
{
	struct gpu_proto_resp r;

	return call0(impl, GPU_OP_SYNC, 0, 0, 0, &r, err);
}

static int
pr_event_record(void *impl, int ev, errmsg *err)
{
	struct gpu_proto_resp r;

	return call0(impl, GPU_OP_EVENT_RECORD, (uint64_t)ev, 0, 0, &r, err);
}

static int
pr_event_elapsed_ms(void *impl, int start_ev, int end_ev, float *ms, errmsg *err)
{
	struct gpu_proto_resp r;
	uint32_t bits;
	int rc = call0(impl, GPU_OP_EVENT_ELAPSED, (uint64_t)start_ev, (uint64_t)end_ev, 0, &r, err);

	bits = (uint32_t)r.v[0];
	memcpy(ms, &bits, sizeof *ms);
	if (rc != 0)
		*ms = 0;
	return rc;
}

/* A poisoned worker is retired and a fresh one opens the same device. */
static int
pr_reset(void *impl, errmsg *err)
{
	struct proc *p = impl;
	gpu_info info;
	char how[128], loaded[1024];
	bool started;

	retire(p, how, sizeof how);
	if (start(p, &info, loaded, sizeof loaded, &started, err) != 0) {
		errmsg_prefix(err, "new gpu worker");
		return GPU_EFAIL;
	}
	return 0;
}

/* A profiler request, answered by the handler installed in the worker. */
static int
pr_profiler(void *impl, uint32_t op, const void *in, size_t in_len, void *out, size_t out_len,
	errmsg *err)
{
	struct proc *p = impl;
	struct gpu_proto_resp r;
	uint64_t a[4] = { op, out_len, 0, 0 };
	int rc = call(p, GPU_OP_PROFILER, a, in, in_len, NULL, 0, &r, err);

	if (rc != 0)
		return rc;
	if (r.payload_bytes != out_len) {
		errmsg_set(err, "gpu worker: profiler answer of %llu bytes, expected %zu",
			(unsigned long long)r.payload_bytes, out_len);
		return GPU_EFAIL;
	}
	if (out_len > 0)
		memcpy(out, p->buf, out_len);
	return 0;
}

static const gpu_backend_ops proc_ops = {
	"cuda (worker process)", pr_close, pr_mem_alloc, pr_mem_free, pr_upload, pr_download,
	pr_fill, pr_module_load, pr_module_unload, pr_func_get, pr_func_attrs, pr_occupancy,
	pr_launch, pr_sync, pr_event_record, pr_event_elapsed_ms, pr_reset, pr_profiler
};

long
gpu_proc_pid(const void *impl)
{
	return impl != NULL ? (long)((const struct proc *)impl)->pid : -1;
}

int
gpu_proc_open(const char *worker, const char *lib_path, int ordinal,
	const gpu_backend_ops **ops, void **impl, gpu_info *info, char *loaded_path,
	size_t loaded_len, bool *started, errmsg *err)
{
	struct proc *p = xcalloc(1, sizeof *p);
	const char *t = getenv("GGSCOPE_GPU_TIMEOUT");
	long secs = t != NULL ? strtol(t, NULL, 10) : 0;

	*ops = NULL;
	*impl = NULL;
	snprintf(p->worker, sizeof p->worker, "%s", worker);
	snprintf(p->lib, sizeof p->lib, "%s", lib_path);
	p->ordinal = ordinal;
	p->pid = -1;
	p->fd = -1;
	p->timeout_ms = (int)((secs > 0 && secs < 86400 ? secs : PROC_DEFAULT_TIMEOUT_S) * 1000);
	if (start(p, info, loaded_path, loaded_len, started, err) != 0) {
		char how[64];

		retire(p, how, sizeof how);
		free(p->buf);
		free(p);
		return GPU_EFAIL;
	}
	*ops = &proc_ops;
	*impl = p;
	return 0;
}
