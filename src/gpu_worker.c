/* gpu_worker: the loop of the worker process. It owns the driver; ggscope
 * talks to it through gpu_proc.c. When the driver reports a poisoned
 * context the worker keeps answering (every call fails) until ggscope
 * closes the socket and starts a fresh worker. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gpu_backend.h"
#include "gpu_proto.h"
#include "io_full.h"
#include "xalloc.h"

/* Read exactly n bytes; 0 on success, -1 on EOF or error. */
static int
read_full(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

struct worker {
	int fd;
	const gpu_backend_ops *ops;
	void *impl;
	unsigned char *in;   /* request payload, NUL-terminated */
	size_t in_cap;
	unsigned char *out;  /* response payload */
	size_t out_cap;
};

static void
out_reserve(struct worker *w, size_t n)
{
	if (n > w->out_cap) {
		w->out = xrealloc(w->out, n);
		w->out_cap = n;
	}
}

static int
respond(struct worker *w, int rc, uint64_t v0, uint64_t v1, const void *payload, size_t n,
	const errmsg *err)
{
	struct gpu_proto_resp r;

	memset(&r, 0, sizeof r);
	r.magic = GPU_PROTO_MAGIC;
	r.rc = rc;
	r.v[0] = v0;
	r.v[1] = v1;
	if (rc != 0) {
		payload = err->text;
		n = strlen(err->text);
	}
	r.payload_bytes = n;
	if (io_send_full(w->fd, &r, sizeof r) != 0 || (n > 0 && io_send_full(w->fd, payload, n) != 0))
		return -1;
	return 0;
}

/* Handle one request; -1 when the connection is gone or broken. */
static int
serve_one(struct worker *w, const struct gpu_proto_req *q, gpu_backend_open_fn opener)
{
	const gpu_backend_ops *o = w->ops;
	uint64_t u = 0;
	errmsg err;
	int rc, n;

	errmsg_clear(&err);
	if (q->op != GPU_OP_OPEN && q->op != GPU_OP_CLOSE && o == NULL) {
		errmsg_set(&err, "gpu worker: request %u before open", q->op);
		return respond(w, GPU_EFAIL, 0, 0, NULL, 0, &err);
	}
	switch (q->op) {
	case GPU_OP_OPEN: {
		gpu_info info;
		char path[1024];
		size_t plen;

		if (o != NULL) {
			errmsg_set(&err, "gpu worker: opened twice");
			return respond(w, GPU_EFAIL, 0, 0, NULL, 0, &err);
		}
		memset(&info, 0, sizeof info);
		rc = opener((const char *)w->in, (int)q->a[0], &w->ops, &w->impl, &info, path,
			sizeof path, &err);
		if (rc != 0)
			return respond(w, GPU_EFAIL, 0, 0, NULL, 0, &err);
		plen = strlen(path) + 1;
		out_reserve(w, sizeof info + plen);
		memcpy(w->out, &info, sizeof info);
		memcpy(w->out + sizeof info, path, plen);
		return respond(w, 0, 0, 0, w->out, sizeof info + plen, &err);
	}
	case GPU_OP_MEM_ALLOC:
		rc = o->mem_alloc(w->impl, (size_t)q->a[0], &u, &err);
		return respond(w, rc, u, 0, NULL, 0, &err);
	case GPU_OP_MEM_FREE:
		return respond(w, o->mem_free(w->impl, q->a[0], &err), 0, 0, NULL, 0, &err);
	case GPU_OP_UPLOAD:
		rc = o->upload(w->impl, q->a[0], w->in, (size_t)q->payload_bytes, &err);
		return respond(w, rc, 0, 0, NULL, 0, &err);
	case GPU_OP_DOWNLOAD:
		if (q->a[1] > GPU_PROTO_CHUNK) {
			errmsg_set(&err, "gpu worker: download of %llu bytes in one piece",
				(unsigned long long)q->a[1]);
			return respond(w, GPU_EFAIL, 0, 0, NULL, 0, &err);
		}
		out_reserve(w, (size_t)q->a[1]);
		rc = o->download(w->impl, w->out, q->a[0], (size_t)q->a[1], &err);
		return respond(w, rc, 0, 0, w->out, rc == 0 ? (size_t)q->a[1] : 0, &err);
	case GPU_OP_FILL:
		rc = o->fill_u32(w->impl, q->a[0], (uint32_t)q->a[1], (size_t)q->a[2], &err);
		return respond(w, rc, 0, 0, NULL, 0, &err);
	case GPU_OP_MODULE_LOAD: {
		void *mod = NULL;

		rc = o->module_load(w->impl, w->in, (size_t)q->payload_bytes, &mod, &err);
		return respond(w, rc, (uint64_t)(uintptr_t)mod, 0, NULL, 0, &err);
	}
	case GPU_OP_MODULE_UNLOAD:
		rc = o->module_unload(w->impl, (void *)(uintptr_t)q->a[0], &err);
		return respond(w, rc, 0, 0, NULL, 0, &err);
	case GPU_OP_FUNC_GET: {
		size_t sizes[GPU_MAX_ARGS];
		uint64_t s64[GPU_MAX_ARGS];
		void *fn = NULL;
		int i, max = q->a[1] < GPU_MAX_ARGS ? (int)q->a[1] : GPU_MAX_ARGS;

		n = -1;
		rc = o->func_get(w->impl, (void *)(uintptr_t)q->a[0], (const char *)w->in, &fn, sizes,
			max, &n, &err);
		for (i = 0; rc == 0 && i < n; i++)
			s64[i] = sizes[i];
		return respond(w, rc, (uint64_t)(uintptr_t)fn, (uint64_t)(int64_t)n, s64,
			rc == 0 && n > 0 ? (size_t)n * sizeof *s64 : 0, &err);
	}
	case GPU_OP_FUNC_ATTRS: {
		gpu_func_attrs a;

		memset(&a, 0, sizeof a);
		rc = o->func_attrs(w->impl, (void *)(uintptr_t)q->a[0], &a, &err);
		return respond(w, rc, 0, 0, &a, sizeof a, &err);
	}
	case GPU_OP_OCCUPANCY:
		rc = o->occupancy(w->impl, (void *)(uintptr_t)q->a[0], (int)q->a[1], (size_t)q->a[2], &n,
			&err);
		return respond(w, rc, (uint64_t)(int64_t)(rc == 0 ? n : 0), 0, NULL, 0, &err);
	case GPU_OP_LAUNCH: {
		gpu_launch_cfg cfg;
		size_t sizes[GPU_MAX_ARGS], off;
		uint64_t s64;
		void *params[GPU_MAX_ARGS];
		int i, np = (int)q->a[1];

		off = sizeof cfg + (size_t)np * sizeof s64;
		if (np < 0 || np > GPU_MAX_ARGS || q->payload_bytes < off) {
			errmsg_set(&err, "gpu worker: malformed launch");
			return respond(w, GPU_EFAIL, 0, 0, NULL, 0, &err);
		}
		memcpy(&cfg, w->in, sizeof cfg);
		for (i = 0; i < np; i++) {
			memcpy(&s64, w->in + sizeof cfg + (size_t)i * sizeof s64, sizeof s64);
			sizes[i] = (size_t)s64;
			if (sizes[i] > 8 || off + sizes[i] > q->payload_bytes) {
				errmsg_set(&err, "gpu worker: malformed launch argument %d", i);
				return respond(w, GPU_EFAIL, 0, 0, NULL, 0, &err);
			}
			params[i] = w->in + off; /* the payload is kept 8-aligned per value */
			off += 8;
		}
		rc = o->launch(w->impl, (void *)(uintptr_t)q->a[0], &cfg, params, sizes, np,
			(int)q->a[2] - 1, (int)q->a[3] - 1, &err);
		return respond(w, rc, 0, 0, NULL, 0, &err);
	}
	case GPU_OP_SYNC:
		return respond(w, o->sync(w->impl, &err), 0, 0, NULL, 0, &err);
	case GPU_OP_EVENT_RECORD:
		rc = o->event_record(w->impl, (int)q->a[0], &err);
		return respond(w, rc, 0, 0, NULL, 0, &err);
	case GPU_OP_EVENT_ELAPSED: {
		float ms = 0;
		uint32_t bits;

		rc = o->event_elapsed_ms(w->impl, (int)q->a[0], (int)q->a[1], &ms, &err);
		memcpy(&bits, &ms, sizeof bits);
		return respond(w, rc, bits, 0, NULL, 0, &err);
	}
	case GPU_OP_PROFILER:
		if (o->profiler == NULL || q->a[1] > GPU_PROTO_CHUNK) {
			errmsg_set(&err, "gpu worker: no profiler requests on this backend");
			return respond(w, GPU_EFAIL, 0, 0, NULL, 0, &err);
		}
		out_reserve(w, (size_t)q->a[1] + 1);
		rc = o->profiler(w->impl, (uint32_t)q->a[0], w->in, (size_t)q->payload_bytes, w->out,
			(size_t)q->a[1], &err);
		return respond(w, rc, 0, 0, w->out, rc == 0 ? (size_t)q->a[1] : 0, &err);
	case GPU_OP_CLOSE:
		respond(w, 0, 0, 0, NULL, 0, &err);
		return -1;
	default:
		errmsg_set(&err, "gpu worker: unknown request %u", q->op);
		return respond(w, GPU_EFAIL, 0, 0, NULL, 0, &err);
	}
}

int
gpu_worker_serve(int fd, gpu_backend_open_fn opener)
{
	struct worker w;
	struct gpu_proto_req q;
	int status = 0;

	memset(&w, 0, sizeof w);
	w.fd = fd;
	for (;;) {
		if (read_full(fd, &q, sizeof q) != 0)
			break; /* ggscope went away: that is how a worker is retired */
		if (q.magic != GPU_PROTO_MAGIC || q.payload_bytes > GPU_PROTO_MAX_PAYLOAD) {
			fprintf(stderr, "ggscope-gpu-worker: malformed request\n");
			status = 1;
			break;
		}
		if (q.payload_bytes + 1 > w.in_cap) {
			free(w.in);
			w.in_cap = (size_t)q.payload_bytes + 1;
			/* 8-byte aligned: launch values are read in place */
			w.in = xmalloc(w.in_cap + 8);
		}
		if (q.payload_bytes > 0 && read_full(fd, w.in, (size_t)q.payload_bytes) != 0)
			break;
		w.in[q.payload_bytes] = '\0';
		if (serve_one(&w, &q, opener) != 0)
			break;
	}
	if (w.ops != NULL)
		w.ops->close(w.impl);
	free(w.in);
	free(w.out);
	return status;
}
