/* layers: group tensors into transformer blocks (see layers.h). */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"
#include "xalloc.h"

long
layers_block_of(const char *tensor_name, const char **suffix)
{
	const char *p;
	long n = 0;

	if (strncmp(tensor_name, "blk.", 4) != 0)
		return -1;
	p = tensor_name + 4;
	if (*p < '0' || *p > '9')
		return -1;
	/* Plain decimal only: no sign, no spaces, no overflow (strtol would
	 * take " +7" and saturate on huge numbers). */
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (LONG_MAX - (*p - '0')) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	if (*p != '.')
		return -1;
	if (suffix != NULL)
		*suffix = p + 1;
	return n;
}

struct layers_entry {
	long block;
	size_t index;
};

static int
layers_entry_cmp(const void *a, const void *b)
{
	const struct layers_entry *x = a, *y = b;

	if (x->block != y->block)
		return x->block < y->block ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

layer_map *
layers_group(const gguf_file *f)
{
	size_t n = gguf_tensor_count(f), i, g;
	struct layers_entry *e;
	layer_map *m = xcalloc(1, sizeof *m);

	if (n == 0)
		return m;
	e = xmalloc(n * sizeof *e);
	for (i = 0; i < n; i++) {
		e[i].block = layers_block_of(gguf_tensor_at(f, i)->name, NULL);
		e[i].index = i;
	}
	/* -1 (no block) sorts first; ties keep file order. */
	qsort(e, n, sizeof *e, layers_entry_cmp);
	m->n_groups = 1;
	for (i = 1; i < n; i++)
		if (e[i].block != e[i - 1].block)
			m->n_groups++;
	m->groups = xcalloc(m->n_groups, sizeof *m->groups);
	for (i = 0, g = 0; i < n; g++) {
		layer_group *grp = &m->groups[g];
		size_t j = i;

		while (j < n && e[j].block == e[i].block)
			j++;
		grp->block = e[i].block;
		grp->n_tensors = j - i;
		grp->tensors = xmalloc(grp->n_tensors * sizeof *grp->tensors);
		for (; i < j; i++) {
			grp->tensors[grp->n_tensors - (j - i)] = e[i].index;
			grp->n_bytes += gguf_tensor_at(f, e[i].index)->n_bytes;
		}
	}
	free(e);
	return m;
}

void
layers_free(layer_map *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n_groups; i++)
		free(m->groups[i].tensors);
	free(m->groups);
	free(m);
}

const layer_group *
layers_find_block(const layer_map *m, long block)
{
	size_t lo = 0, hi = m->n_groups;

	/* Groups are sorted by block (-1 first): binary search. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->groups[mid].block < block)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n_groups && m->groups[lo].block == block ? &m->groups[lo] : NULL;
}
