/* engine: the variants a tensor can run, and their JIT builds. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "jit.h"
#include "quant.h"
#include "variant.h"
#include "xalloc.h"

/* The registry's GEMV variants for a weight type, in registry order: the
 * model's variant index i is the i-th of them. */
const variant *
engine_variant(uint32_t qtype, int index)
{
	size_t i;
	int n = 0;

	for (i = 0; i < variant_count(); i++) {
		const variant *v = variant_at(i);

		if (v->kind == VARIANT_GEMV && v->qtype == qtype && n++ == index)
			return v;
	}
	return NULL;
}

/* "q4k_mwv" -> "mwv": the matrix already says which type it is. */
static const char *
short_name(const char *name)
{
	if ((strncmp(name, "q4k_", 4) == 0 || strncmp(name, "q6k_", 4) == 0) && name[4] != '\0')
		return name + 4;
	return name;
}

void
engine_variants_for(engine *e, model_tensor *t)
{
	const variant *v;
	int n = 0, i;

	(void)e;
	t->n_variants = 0;
	t->gemv = (t->type == QT_Q4_K || t->type == QT_Q6_K) && t->n_dims == 2;
	if (!t->gemv) {
		if (t->type != QT_Q4_K && t->type != QT_Q6_K)
			snprintf(t->no_variants, sizeof(t->no_variants),
				"no GEMV variants for %s (ggscope explores q4_K and q6_K matrices)", t->type_name);
		else
			snprintf(t->no_variants, sizeof(t->no_variants), "a %d-D tensor is not a GEMV matrix",
				t->n_dims);
		return;
	}
	while (engine_variant(t->type, n) != NULL)
		n++;
	t->variants = xcalloc((size_t)n + 1, sizeof(*t->variants));
	for (i = 0; i < n; i++) {
		model_variant *mv = &t->variants[i];
		errmsg err;
		int w;

		v = engine_variant(t->type, i);
		snprintf(mv->name, sizeof(mv->name), "%s", short_name(v->name));
		snprintf(mv->file, sizeof(mv->file), "%s", v->file);
		mv->q8_1 = v->input == VARIANT_X_Q8_1;
		snprintf(mv->warps_means, sizeof(mv->warps_means), "%s", v->warps_means ? v->warps_means : "");
		snprintf(mv->about, sizeof(mv->about), "%s", v->description ? v->description : "");
		for (w = 0; w < v->n_warps && w < MODEL_MAX_WARPS; w++)
			mv->warps[mv->n_warps++] = v->warps[w];
		/* A shape rule (k limits, k % 256) rules the whole row out;
		 * the default warps are always legal, so only the shape speaks. */
		if (t->ne[0] > UINT32_MAX || t->ne[1] > UINT32_MAX)
			snprintf(mv->illegal, sizeof(mv->illegal), "the shape exceeds the kernel ABI's int range");
		else if (variant_check_shape(v, v->default_warps, (uint32_t)t->ne[1], (uint32_t)t->ne[0], &err) != 0)
			snprintf(mv->illegal, sizeof(mv->illegal), "%s", err.text);
	}
	t->n_variants = n;
	if (n == 0)
		snprintf(t->no_variants, sizeof(t->no_variants), "the registry has no %s variants", t->type_name);
}

jit *
engine_jit(engine *e, const char *kernels_dir, errmsg *err)
{
	jit_config cfg;

	if (e->jit != NULL && strcmp(e->jit_dir, kernels_dir) == 0)
		return e->jit;
	jit_free(e->jit);
	e->jit = NULL;
	memset(&cfg, 0, sizeof(cfg));
	cfg.kernels_dir = kernels_dir[0] ? kernels_dir : NULL;
	e->jit = jit_new(&cfg, err);
	snprintf(e->jit_dir, sizeof(e->jit_dir), "%s", kernels_dir);
	return e->jit;
}

/* r: a jit with empty caches (memory only), so the build is a real NVRTC
 * compile. It lives until the next one: the module it hands out is
 * measured after the build. (The hot reload does not need it: the jit
 * keys builds by the source text, so an edited kernel is compiled anyway,
 * and the shared jit keeps the last good build for a failed edit.) */
static jit *
fresh_jit(engine *e, const char *kernels_dir, errmsg *err)
{
	jit_config cfg;

	jit_free(e->jit_fresh);
	memset(&cfg, 0, sizeof(cfg));
	cfg.kernels_dir = kernels_dir[0] ? kernels_dir : NULL;
	cfg.no_disk_cache = true;
	e->jit_fresh = jit_new(&cfg, err);
	return e->jit_fresh;
}

const jit_module *
engine_build(engine *e, const job *j, model_compile *c)
{
	const gguf_tensor *gt = engine_tensor(e, j->tensor);
	const variant *v = gt ? engine_variant(gt->type, j->variant) : NULL;

	return engine_build_variant(e, j, v, j->warps, c);
}

const jit_module *
engine_build_variant(engine *e, const job *j, const variant *v, int warps, model_compile *c)
{
	const jit_module *mod;
	jit_result res;
	errmsg err;
	jit *jt;
	int rc;

	memset(c, 0, sizeof(*c));
	c->regs = c->spill_bytes = c->smem_bytes = -1;
	if (v == NULL) {
		snprintf(c->why, sizeof(c->why), "no such variant for this tensor");
		return NULL;
	}
	jt = j->force ? fresh_jit(e, j->path, &err) : engine_jit(e, j->path, &err);
	if (jt == NULL) {
		snprintf(c->why, sizeof(c->why), "%s", err.text);
		return NULL;
	}
	memset(&res, 0, sizeof(res));
	rc = jit_get(jt, v, warps, e->arch, &res, &err);
	mod = res.module;
	c->valid = true;
	c->ok = rc == 0;
	if (rc != 0) {
		snprintf(c->why, sizeof(c->why), "%s%s", err.text,
			mod != NULL ? " (the last good build stays in use)" : "");
		c->log = xstrdup(res.error_log ? res.error_log : err.text);
	} else if (mod != NULL) {
		c->log = xstrdup(mod->log ? mod->log : "");
	}
	if (mod != NULL) {
		if (mod->res.valid) {
			c->regs = mod->res.registers;
			c->spill_bytes = mod->res.spill_store_bytes;
			c->smem_bytes = mod->res.smem_static_bytes;
		}
		c->compile_ms = res.origin == JIT_COMPILED ? mod->compile_ms : res.elapsed_ms;
		c->cache_hit = res.origin == JIT_MEMORY || res.origin == JIT_DISK;
		snprintf(c->arch, sizeof(c->arch), "%s", mod->target);
	}
	if (rc == 0 && res.note[0] != '\0')
		snprintf(c->why, sizeof(c->why), "%s", res.note);
	return rc == 0 ? mod : NULL;
}

void
engine_build_close(engine *e)
{
	jit_free(e->jit_fresh);
	e->jit_fresh = NULL;
	jit_free(e->jit);
	e->jit = NULL;
}

int
engine_nvrtc_version(char *buf, size_t len)
{
	errmsg err;
	int major, minor;

	if (jit_nvrtc_version(&major, &minor, &err) != 0) {
		snprintf(buf, len, "n/a (%s)", err.text);
		return -1;
	}
	snprintf(buf, len, "%d.%d", major, minor);
	return 0;
}
