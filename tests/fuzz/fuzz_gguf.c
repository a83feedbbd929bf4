/* libFuzzer harness for the GGUF reader.
 *
 * Opens the input with gguf_open_mem, touches every metadata value and
 * every tensor's first and last data byte (ASan proves each lies inside the
 * input), looks every name up again, groups the layers, and checks that an
 * accepted file survives a rewrite: what the reader accepts, the writer
 * must serialize into a file the reader accepts again, with the same keys
 * and tensors. Anything else aborts.
 *
 * Seed corpus (tests/fuzz/corpus/gguf, replayed by make check): bad-* and
 * valid-* are written by `tests/cli/mkgguf DIR` from tests/unit/gguf_fixtures.c;
 * fuzz-* are inputs fuzz runs found that reach new edges (merged with
 * -merge=1 -use_counters=0). Run the fuzzer on a copy of the directory:
 *   ./configure --enable-fuzzing CC=clang && make tests/fuzz/fuzz_gguf
 *   cp -r tests/fuzz/corpus/gguf /tmp/c && tests/fuzz/fuzz_gguf -max_total_time=600 \
 *     -max_len=8192 -dict=tests/fuzz/gguf.dict /tmp/c */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gguf.h"
#include "gguf_write.h"
#include "layers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_gguf: invariant broken: %s\n", what);
		abort();
	}
}

/* Fold every byte a value refers to into a sum, so each is really read. */
static uint64_t
fuzz_walk_value(const gguf_value *v)
{
	uint64_t sum = v->type, i;

	switch (v->type) {
	case GGUF_STRING:
		for (i = 0; i < v->v.str.len; i++)
			sum += (uint8_t)v->v.str.ptr[i];
		break;
	case GGUF_ARRAY:
		fuzz_check(v->v.arr.count == 0 || v->v.arr.items != NULL, "array items");
		for (i = 0; i < v->v.arr.count; i++) {
			fuzz_check(v->v.arr.items[i].type == v->v.arr.elem_type, "array item type");
			sum += fuzz_walk_value(&v->v.arr.items[i]);
		}
		break;
	default:
		sum += v->v.u;
	}
	return sum;
}

/* Rewrite f with the writer and reopen the result. */
static void
fuzz_rewrite(const gguf_file *f)
{
	gguf_writer *w = gguf_writer_new(gguf_alignment(f));
	gguf_file *g;
	uint8_t *buf;
	size_t len, i;
	errmsg err;

	for (i = 0; i < gguf_kv_count(f); i++)
		gguf_writer_set_value(w, gguf_kv_at(f, i)->key, &gguf_kv_at(f, i)->value);
	for (i = 0; i < gguf_tensor_count(f); i++) {
		const gguf_tensor *t = gguf_tensor_at(f, i);

		fuzz_check(gguf_writer_add_tensor(w, t->name, t->n_dims, t->ne, t->type, t->data,
			t->n_bytes, 0, &err) == 0, "the writer refuses a tensor the reader accepted");
	}
	fuzz_check(gguf_writer_write_mem(w, &buf, &len, &err) == 0, "write_mem");
	gguf_writer_free(w);
	g = gguf_open_owned(buf, len, "rewritten", &err);
	if (g == NULL)
		fprintf(stderr, "fuzz_gguf: %s\n", err.text);
	fuzz_check(g != NULL, "the reader refuses the writer's output");
	fuzz_check(gguf_kv_count(g) == gguf_kv_count(f), "kv count changed");
	fuzz_check(gguf_tensor_count(g) == gguf_tensor_count(f), "tensor count changed");
	for (i = 0; i < gguf_tensor_count(f); i++) {
		const gguf_tensor *a = gguf_tensor_at(f, i), *b = gguf_tensor_at(g, i);

		fuzz_check(strcmp(a->name, b->name) == 0 && a->n_bytes == b->n_bytes &&
			memcmp(a->data, b->data, (size_t)a->n_bytes) == 0, "tensor changed");
	}
	gguf_close(g);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile uint64_t sink = 0;
	gguf_file *f;
	layer_map *m;
	errmsg err;
	size_t i;

	f = gguf_open_mem(data, size, "fuzz", &err);
	if (f == NULL) {
		fuzz_check(err.text[0] != '\0', "failure without a message");
		return 0;
	}
	fuzz_check(gguf_data_offset(f) % gguf_alignment(f) == 0, "data offset alignment");
	for (i = 0; i < gguf_kv_count(f); i++) {
		const gguf_kv *kv = gguf_kv_at(f, i);

		fuzz_check(gguf_find_kv(f, kv->key) == kv, "kv lookup");
		sink += fuzz_walk_value(&kv->value);
	}
	for (i = 0; i < gguf_tensor_count(f); i++) {
		const gguf_tensor *t = gguf_tensor_at(f, i);

		fuzz_check(gguf_find_tensor(f, t->name) == t, "tensor lookup");
		fuzz_check(t->n_bytes > 0 && t->offset % gguf_alignment(f) == 0, "tensor extent");
		sink += t->data[0] + t->data[t->n_bytes - 1];
	}
	m = layers_group(f);
	for (i = 0; i < m->n_groups; i++)
		fuzz_check(layers_find_block(m, m->groups[i].block) == &m->groups[i], "layer lookup");
	layers_free(m);
	fuzz_rewrite(f);
	gguf_close(f);
	(void)sink;
	return 0;
}
