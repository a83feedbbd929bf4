/* Unit tests for the jit: SHA-256, log parsing, NVRTC builds, the memory and
 * disk cache (hits, corrupt entries, keys), broken sources and the last good
 * build, the PTX fallback, defines (checks, keys, last good builds). Every test works in its own temporary directory. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "jit.h"
#include "jit_cache.h"

#define SRC_KERNELS GGSCOPE_SRCDIR "/kernels"

/* ------------------------------------------------------------ helpers */

typedef struct fixture {
	char root[256];
	char cache[300];
	char kernels[300];
} fixture;

static int
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int
setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	const char *tmp = getenv("TMPDIR");

	snprintf(f->root, sizeof f->root, "%s/ggscope-test-jit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(f->root) == NULL)
		return -1;
	snprintf(f->cache, sizeof f->cache, "%s/cache", f->root);
	snprintf(f->kernels, sizeof f->kernels, "%s/kernels", f->root);
	/* A private copy of the kernel sources, free to break. */
	if (run("cp -R '%s' '%s'", SRC_KERNELS, f->kernels) != 0)
		return -1;
	unsetenv("GGSCOPE_KERNELS_DIR");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	fixture *f = *state;

	run("rm -rf '%s'", f->root);
	free(f);
	return 0;
}

static jit *
new_jit_defines(const fixture *f, const char *const *defines, int n_defines)
{
	jit_config cfg = { .kernels_dir = f->kernels, .cache_dir = f->cache, .defines = defines,
			   .n_defines = n_defines };
	errmsg err;
	jit *j = jit_new(&cfg, &err);

	if (j == NULL)
		fail_msg("jit_new: %s", err.text);
	return j;
}

static jit *
new_jit(const fixture *f)
{
	return new_jit_defines(f, NULL, 0);
}

static const jit_module *
get_ok(jit *j, const char *name, int warps, const char *arch, enum jit_origin want)
{
	jit_result r;
	errmsg err;

	if (jit_get(j, variant_find(name), warps, arch, &r, &err) != 0)
		fail_msg("jit_get %s %d %s: %s", name, warps, arch, err.text);
	assert_non_null(r.module);
	if (r.origin != want)
		fail_msg("jit_get %s %d %s: origin %d, want %d (note: %s)", name, warps, arch, r.origin, want, r.note);
	assert_null(r.error_log);
	return r.module;
}

static void
append_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "a");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* ------------------------------------------------------------ without NVRTC too */

static void
hex_of(const char *msg, size_t len, char out[65])
{
	jit_sha256 s;
	unsigned char d[32];

	jit_sha256_init(&s);
	/* feed in uneven pieces to exercise the buffering */
	for (size_t i = 0; i < len; i += 7)
		jit_sha256_update(&s, msg + i, len - i < 7 ? len - i : 7);
	jit_sha256_final(&s, d);
	jit_sha256_hex(d, out);
}

static void
test_sha256(void **state)
{
	char hex[65];
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	hex_of("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hex_of("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hex_of(m, strlen(m), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_parse_resources(void **state)
{
	/* sm_90 style (no smem/cmem when zero) followed by a second kernel. */
	const char *log =
		"ptxas info    : 0 bytes gmem\n"
		"ptxas info    : Compiling entry function 'q4k_mwv' for 'sm_90'\n"
		"ptxas info    : Function properties for q4k_mwv\n"
		"ptxas         .     16 bytes stack frame, 8 bytes spill stores, 12 bytes spill loads\n"
		"ptxas info    : Used 255 registers, used 1 barriers, 12 bytes smem\n"
		"ptxas info    : Compile time = 12.9 ms\n"
		"ptxas info    : Compiling entry function 'q4k_mwv_x' for 'sm_90'\n"
		"ptxas info    : Function properties for q4k_mwv_x\n"
		"ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads\n"
		"ptxas info    : Used 40 registers, used 0 barriers, 372 bytes cmem[0]\n";
	jit_resources r;
	char line[128];
	errmsg err;

	(void)state;
	assert_int_equal(jit_parse_resources(log, "q4k_mwv", &r), 0);
	assert_true(r.valid);
	assert_int_equal(r.registers, 255);
	assert_int_equal(r.stack_bytes, 16);
	assert_int_equal(r.spill_store_bytes, 8);
	assert_int_equal(r.spill_load_bytes, 12);
	assert_int_equal(r.smem_static_bytes, 12);
	assert_int_equal(r.barriers, 1);
	assert_int_equal(r.cmem0_bytes, -1);
	assert_int_equal(jit_parse_resources(log, "q4k_mwv_x", &r), 0);
	assert_int_equal(r.registers, 40);
	assert_int_equal(r.smem_static_bytes, 0);
	assert_int_equal(r.cmem0_bytes, 372);
	assert_int_equal(r.spill_store_bytes, 0);
	assert_int_equal(jit_parse_resources(log, "q4k", &r), -1);
	assert_false(r.valid);
	assert_int_equal(jit_parse_resources("", "q4k_mwv", &r), -1);

	assert_string_equal(jit_first_error_line("\nwarning: x\nk.cu(3): error: bad thing\nmore\n", line, sizeof line),
			    "k.cu(3): error: bad thing");
	assert_string_equal(jit_first_error_line("\n  \nfirst line\nsecond", line, sizeof line), "first line");
	assert_string_equal(jit_first_error_line("k.cu(3): error: bad thing", line, 9), "k.cu(3):");
	assert_string_equal(jit_first_error_line("", line, sizeof line), "");

	assert_int_equal(jit_parse_arch("sm_90", &err), 90);
	assert_int_equal(jit_parse_arch("sm_90a", &err), 90);
	assert_int_equal(jit_parse_arch("sm_100f", &err), 100);
	assert_int_equal(jit_parse_arch("sm90", &err), -1);
	assert_non_null(strstr(err.text, "sm90"));
	assert_int_equal(jit_parse_arch("sm_", &err), -1);
	assert_int_equal(jit_parse_arch("sm_9", &err), -1);
	assert_int_equal(jit_parse_arch("sm_90x", &err), -1);
	assert_int_equal(jit_parse_arch(NULL, &err), -1);
}

/* The kernel directory search order and its failures. */
static void
test_kernels_dir(void **state)
{
	fixture *f = *state;
	jit_config cfg = { .kernels_dir = "/nonexistent/ggscope", .cache_dir = f->cache };
	errmsg err;
	jit *j;

	assert_null(jit_new(&cfg, &err));
	assert_non_null(strstr(err.text, "/nonexistent/ggscope"));

	setenv("GGSCOPE_KERNELS_DIR", "/nonexistent/env", 1);
	cfg.kernels_dir = NULL;
	assert_null(jit_new(&cfg, &err));
	assert_non_null(strstr(err.text, "GGSCOPE_KERNELS_DIR"));

	setenv("GGSCOPE_KERNELS_DIR", f->kernels, 1);
	j = jit_new(&cfg, &err);
	assert_non_null(j);
	assert_string_equal(jit_kernels_dir(j), f->kernels);
	assert_string_equal(jit_kernels_dir_origin(j), "$GGSCOPE_KERNELS_DIR");
	assert_string_equal(jit_cache_dir(j), f->cache);
	jit_free(j);

	unsetenv("GGSCOPE_KERNELS_DIR");
	j = jit_new(&cfg, &err);
	assert_non_null(j);
	assert_true(strcmp(jit_kernels_dir_origin(j), "installed") == 0 ||
		    strcmp(jit_kernels_dir_origin(j), "source tree") == 0);
	jit_free(j);

	cfg.no_disk_cache = true;
	j = jit_new(&cfg, &err);
	assert_null(jit_cache_dir(j));
	assert_non_null(strstr(jit_cache_note(j), "disabled"));
	jit_free(j);
}

/* What jit_check_define(s) and jit_new accept as defines. */
static void
test_define_checks(void **state)
{
	fixture *f = *state;
	static const char *const good[] = { "A", "B=", "STREAM_ROWS=2", "_x1=-0.5e+3", "b=c_d.E" };
	static const struct { const char *def, *why; } bad[] = {
		{ "BAD NAME", "the name must match" },
		{ "1A=2", "the name must match" },
		{ "A-B=1", "the name must match" },
		{ "", "want NAME or NAME=VALUE" },
		{ "=1", "want NAME or NAME=VALUE" },
		{ "WARPS=2", "use --warps" },
		{ "WARPS", "use --warps" },
		{ "__CUDA_ARCH__=900", "__" },
		{ "A=1 2", "no spaces or quotes" },
		{ "A=\"x\"", "no spaces or quotes" },
		{ "A='x'", "no spaces or quotes" },
		{ "A=1;", "the value must match" },
	};
	char longdef[JIT_MAX_DEFINE_BYTES + 8];
	const char *nine[9], *twice[] = { "A=1", "B", "A=2" }, *one[] = { "BAD NAME" };
	jit_config cfg = { .kernels_dir = f->kernels, .cache_dir = f->cache };
	errmsg err;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		if (jit_check_define(good[i], &err) != 0)
			fail_msg("'%s' refused: %s", good[i], err.text);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (jit_check_define(bad[i].def, &err) == 0)
			fail_msg("'%s' accepted", bad[i].def);
		if (strstr(err.text, bad[i].why) == NULL || strstr(err.text, bad[i].def) == NULL)
			fail_msg("'%s': message '%s' lacks '%s' or the define", bad[i].def, err.text, bad[i].why);
	}
	assert_int_equal(jit_check_define(NULL, &err), -1);
	memset(longdef, 'A', sizeof longdef - 1);
	longdef[sizeof longdef - 1] = '\0';
	assert_int_equal(jit_check_define(longdef, &err), -1);
	assert_non_null(strstr(err.text, "longer than"));
	longdef[JIT_MAX_DEFINE_BYTES - 1] = '\0';
	assert_int_equal(jit_check_define(longdef, &err), 0);

	assert_int_equal(jit_check_defines(good, 5, &err), 0);
	assert_int_equal(jit_check_defines(NULL, 0, &err), 0);
	assert_int_equal(jit_check_defines(NULL, 1, &err), -1);
	for (int i = 0; i < 9; i++)
		nine[i] = good[2];
	assert_int_equal(jit_check_defines(nine, 9, &err), -1);
	assert_non_null(strstr(err.text, "at most 8"));
	assert_int_equal(jit_check_defines(twice, 3, &err), -1);
	assert_non_null(strstr(err.text, "A is already defined"));

	/* jit_new refuses what the checks refuse, and takes a copy of the rest. */
	cfg.defines = one;
	cfg.n_defines = 1;
	assert_null(jit_new(&cfg, &err));
	assert_non_null(strstr(err.text, "BAD NAME"));
	cfg.defines = twice;
	cfg.n_defines = 3;
	assert_null(jit_new(&cfg, &err));
	cfg.defines = nine;
	cfg.n_defines = 9;
	assert_null(jit_new(&cfg, &err));
	cfg.n_defines = 8;
	assert_null(jit_new(&cfg, &err)); /* eight times the same name */
	cfg.defines = good;
	cfg.n_defines = 5;
	jit_free(new_jit_defines(f, good, 5));
}

#ifndef HAVE_NVRTC
static void
test_no_nvrtc(void **state)
{
	fixture *f = *state;
	jit *j = new_jit(f);
	jit_result r;
	errmsg err;
	int major, minor, archs[4];

	assert_false(jit_available());
	assert_int_equal(jit_get(j, variant_find("q4k_mwv"), 3, "sm_90", &r, &err), -1);
	assert_non_null(strstr(err.text, "NVRTC not available"));
	assert_null(r.module);
	assert_int_equal(jit_nvrtc_version(&major, &minor, &err), -1);
	assert_int_equal(jit_supported_archs(archs, 4, &err), -1);
	jit_free(j);
}
#else

/* ------------------------------------------------------------ with NVRTC */

static void
test_compile_and_cache(void **state)
{
	fixture *f = *state;
	jit *j = new_jit(f);
	const jit_module *m, *m2;
	unsigned char *copy;
	size_t bytes;
	char key[65];
	jit_stats st;

	assert_true(jit_available());
	m = get_ok(j, "q4k_mwv", 3, "sm_90", JIT_COMPILED);
	assert_false(m->is_ptx);
	assert_string_equal(m->target, "sm_90");
	assert_string_equal(m->arch, "sm_90");
	assert_int_equal(m->warps, 3);
	assert_true(m->image_bytes > 1000);
	assert_memory_equal(m->image, "\x7f" "ELF", 4);
	assert_true(m->res.valid);
	assert_true(m->res.registers > 0 && m->res.registers <= 255);
	assert_int_equal(m->res.smem_static_bytes, 12); /* float part[3] */
	assert_int_equal(m->res.spill_store_bytes, 0);
	assert_true(m->compile_ms > 0.0);
	assert_non_null(strstr(m->log, "Used "));
	assert_non_null(strstr(m->options, "-DWARPS=3"));
	assert_non_null(strstr(m->options, "-lineinfo"));
	assert_non_null(strstr(m->options, "--std=c++17"));
	assert_non_null(strstr(m->options, "--gpu-architecture=sm_90"));

	/* Same request: the memory cache hands back the very same module. */
	m2 = get_ok(j, "q4k_mwv", 3, "sm_90", JIT_MEMORY);
	assert_ptr_equal(m, m2);
	copy = malloc(m->image_bytes);
	memcpy(copy, m->image, m->image_bytes);
	bytes = m->image_bytes;
	memcpy(key, m->key, sizeof key);
	jit_get_stats(j, &st);
	assert_int_equal(st.compiles, 1);
	assert_int_equal(st.memory_hits, 1);
	jit_free(j);

	/* A fresh jit finds it on disk, byte for byte. */
	j = new_jit(f);
	m = get_ok(j, "q4k_mwv", 3, "sm_90", JIT_DISK);
	assert_string_equal(m->key, key);
	assert_int_equal(m->image_bytes, bytes);
	assert_memory_equal(m->image, copy, bytes);
	assert_true(m->res.valid);
	assert_true(m->compile_ms > 0.0); /* the original compile's time */
	jit_get_stats(j, &st);
	assert_int_equal(st.disk_hits, 1);
	assert_int_equal(st.compiles, 0);
	jit_free(j);
	free(copy);
}

static void
test_keys_follow_inputs(void **state)
{
	fixture *f = *state;
	jit *j = new_jit(f);
	char k1[65], k2[65], k3[65], k4[65];
	char path[400];

	memcpy(k1, get_ok(j, "q6k_mwv", 3, "sm_90", JIT_COMPILED)->key, 65);
	memcpy(k2, get_ok(j, "q6k_mwv", 4, "sm_90", JIT_COMPILED)->key, 65);
	memcpy(k3, get_ok(j, "q6k_mwv", 3, "sm_80", JIT_COMPILED)->key, 65);
	assert_string_not_equal(k1, k2);
	assert_string_not_equal(k1, k3);
	assert_string_not_equal(k2, k3);
	assert_string_equal(get_ok(j, "q6k_mwv", 3, "sm_90", JIT_MEMORY)->key, k1);

	/* An included header is part of the key: a comment in common.cuh
	 * makes a new build. */
	snprintf(path, sizeof path, "%s/common.cuh", f->kernels);
	append_file(path, "\n/* touched */\n");
	memcpy(k4, get_ok(j, "q6k_mwv", 3, "sm_90", JIT_COMPILED)->key, 65);
	assert_string_not_equal(k1, k4);
	jit_free(j);
}

enum damage { FLIP_PAYLOAD_BYTE, CUT_HEADER, CUT_PAYLOAD, BAD_MAGIC };

static void
damage_file(const char *path, enum damage how)
{
	FILE *fp;

	switch (how) {
	case FLIP_PAYLOAD_BYTE:
	case BAD_MAGIC: {
		const long at = how == BAD_MAGIC ? 0 : 2000;
		int c;
		fp = fopen(path, "r+b");
		assert_non_null(fp);
		assert_int_equal(fseek(fp, at, SEEK_SET), 0);
		c = fgetc(fp);
		assert_int_not_equal(c, EOF);
		assert_int_equal(fseek(fp, at, SEEK_SET), 0);
		fputc(c ^ 0x5a, fp);
		assert_int_equal(fclose(fp), 0);
		break;
	}
	case CUT_HEADER:
		assert_int_equal(truncate(path, 100), 0);
		break;
	case CUT_PAYLOAD:
		assert_int_equal(truncate(path, 1000), 0);
		break;
	}
}

static void
corrupt_and_expect(fixture *f, enum damage how, const char *want_note)
{
	char path[512], key[65];
	jit_result r;
	errmsg err;
	jit_stats st;
	jit *j = new_jit(f);

	/* compiled the first time, from disk after an earlier round */
	assert_int_equal(jit_get(j, variant_find("q4k_basic"), 1, "sm_80", &r, &err), 0);
	assert_true(r.origin == JIT_COMPILED || r.origin == JIT_DISK);
	memcpy(key, r.module->key, 65);
	jit_free(j);
	snprintf(path, sizeof path, "%s/%s.ggjit", f->cache, key);
	damage_file(path, how);

	j = new_jit(f);
	assert_int_equal(jit_get(j, variant_find("q4k_basic"), 1, "sm_80", &r, &err), 0);
	assert_int_equal(r.origin, JIT_COMPILED);
	if (strstr(r.note, want_note) == NULL || strstr(r.note, "corrupt") == NULL)
		fail_msg("note '%s' lacks '%s'", r.note, want_note);
	jit_get_stats(j, &st);
	assert_int_equal(st.corrupt_entries, 1);
	jit_free(j);

	/* The rebuilt entry is good again. */
	j = new_jit(f);
	get_ok(j, "q4k_basic", 1, "sm_80", JIT_DISK);
	jit_free(j);
}

static void
test_corrupt_entries(void **state)
{
	fixture *f = *state;

	corrupt_and_expect(f, FLIP_PAYLOAD_BYTE, "checksum mismatch");
	corrupt_and_expect(f, CUT_HEADER, "truncated header");
	corrupt_and_expect(f, CUT_PAYLOAD, "payload bytes");
	corrupt_and_expect(f, BAD_MAGIC, "bad magic");
}

static void
test_broken_source_keeps_last_good(void **state)
{
	fixture *f = *state;
	const jit_module *good, *m;
	char path[400], *saved = NULL, good_key[65];
	size_t saved_len;
	jit_result r;
	errmsg err;
	jit_stats st;
	jit *j;

	setenv("GGSCOPE_KERNELS_DIR", f->kernels, 1);
	{
		jit_config cfg = { .cache_dir = f->cache };
		j = jit_new(&cfg, &err);
		assert_non_null(j);
		assert_string_equal(jit_kernels_dir_origin(j), "$GGSCOPE_KERNELS_DIR");
	}
	good = get_ok(j, "q4k_vectorized", 1, "sm_90", JIT_COMPILED);
	memcpy(good_key, good->key, sizeof good_key);

	snprintf(path, sizeof path, "%s/q4k_vectorized.cu", f->kernels);
	assert_int_equal(jit_read_file(path, 1 << 20, &saved, &saved_len, &err), 0);
	append_file(path, "\nthis is not CUDA;\n");

	assert_int_equal(jit_get(j, variant_find("q4k_vectorized"), 1, "sm_90", &r, &err), -1);
	assert_non_null(strstr(err.text, "error"));
	assert_non_null(strstr(err.text, "q4k_vectorized.cu"));
	assert_non_null(r.error_log);
	assert_non_null(strstr(r.error_log, "error"));
	assert_ptr_equal(r.module, good);
	assert_int_equal(r.origin, JIT_STALE);
	jit_get_stats(j, &st);
	assert_int_equal(st.failures, 1);
	assert_int_equal(st.stale_served, 1);
	jit_free(j);

	/* A new jit (a new process) still gets the last good build, from disk. */
	{
		jit_config cfg = { .cache_dir = f->cache };
		j = jit_new(&cfg, &err);
	}
	assert_int_equal(jit_get(j, variant_find("q4k_vectorized"), 1, "sm_90", &r, &err), -1);
	assert_int_equal(r.origin, JIT_STALE);
	assert_non_null(r.module);
	assert_true(r.module->image_bytes > 0);
	assert_non_null(strstr(r.note, "last good"));

	/* Without a previous build there is nothing to fall back to. */
	assert_int_equal(jit_get(j, variant_find("q4k_vectorized"), 1, "sm_80", &r, &err), -1);
	assert_null(r.module);

	/* Fixed again: back to a normal build. */
	{
		FILE *fp = fopen(path, "wb");
		assert_non_null(fp);
		fwrite(saved, 1, saved_len, fp);
		fclose(fp);
	}
	m = get_ok(j, "q4k_vectorized", 1, "sm_90", JIT_MEMORY);
	assert_string_equal(m->key, good_key);
	jit_free(j);
	free(saved);
	unsetenv("GGSCOPE_KERNELS_DIR");
}

static void
test_missing_sources(void **state)
{
	fixture *f = *state;
	char path[400];
	jit_result r;
	errmsg err;
	jit *j = new_jit(f);

	snprintf(path, sizeof path, "%s/q6k_basic.cu", f->kernels);
	unlink(path);
	assert_int_equal(jit_get(j, variant_find("q6k_basic"), 1, "sm_90", &r, &err), -1);
	assert_non_null(strstr(err.text, "q6k_basic.cu"));
	assert_non_null(strstr(err.text, "No such file"));
	assert_null(r.module);

	/* A header that is missing is named with the line including it. */
	snprintf(path, sizeof path, "%s/common.cuh", f->kernels);
	unlink(path);
	assert_int_equal(jit_get(j, variant_find("q6k_mwv"), 2, "sm_90", &r, &err), -1);
	assert_non_null(strstr(err.text, "q6k_mwv.cu:"));
	assert_non_null(strstr(err.text, "common.cuh"));
	jit_free(j);
}

static void
test_arch_and_warps(void **state)
{
	fixture *f = *state;
	jit *j = new_jit(f);
	const jit_module *m;
	jit_result r;
	errmsg err;
	int archs[64], n;

	n = jit_supported_archs(archs, 64, &err);
	assert_true(n > 0);
	/* sm_95 is not an architecture NVRTC knows, sm_90 is: PTX for compute_90. */
	for (int i = 0; i < n && i < 64; i++)
		assert_int_not_equal(archs[i], 95);
	assert_int_equal(jit_get(j, variant_find("q4k_basic"), 1, "sm_95", &r, &err), 0);
	m = r.module;
	assert_true(m->is_ptx);
	assert_string_equal(m->arch, "sm_95");
	assert_string_equal(m->target, "compute_90");
	assert_false(m->res.valid);
	assert_int_equal(((const char *)m->image)[m->image_bytes - 1], '\0');
	assert_non_null(strstr((const char *)m->image, ".entry q4k_basic"));
	assert_non_null(strstr(r.note, "PTX"));

	assert_int_equal(jit_get(j, variant_find("q4k_basic"), 1, "sm_50", &r, &err), -1);
	assert_non_null(strstr(err.text, "oldest"));
	assert_int_equal(jit_get(j, variant_find("q4k_basic"), 1, "gfx90a", &r, &err), -1);
	assert_non_null(strstr(err.text, "bad architecture"));
	assert_int_equal(jit_get(j, variant_find("q4k_hw_dp4a"), 9, "sm_90", &r, &err), -1);
	assert_non_null(strstr(err.text, "legal: 1..8"));
	assert_int_equal(jit_get(j, NULL, 1, "sm_90", &r, &err), -1);
	jit_free(j);
}

struct race {
	jit *j;
	const char *name;
	int warps;
	const jit_module *got;
	int rc;
};

static void *
race_get(void *arg)
{
	struct race *r = arg;
	jit_result res;
	errmsg err;

	r->rc = jit_get(r->j, variant_find(r->name), r->warps, "sm_90", &res, &err);
	r->got = res.module;
	return NULL;
}

/* Threads asking at once: everyone gets a module, equal requests the same
 * one (a build that lost the race is dropped), different ones differ. */
static void
test_threads(void **state)
{
	fixture *f = *state;
	jit *j = new_jit(f);
	struct race r[6] = {
		{ j, "q4k_wide", 8, NULL, -1 }, { j, "q4k_wide", 8, NULL, -1 }, { j, "q4k_wide", 8, NULL, -1 },
		{ j, "q6k_dp4a", 2, NULL, -1 }, { j, "q6k_dp4a", 2, NULL, -1 }, { j, "q6k_dp4a", 5, NULL, -1 },
	};
	pthread_t t[6];
	jit_stats st;

	for (int i = 0; i < 6; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race_get, &r[i]), 0);
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].rc, 0);
		assert_non_null(r[i].got);
	}
	assert_ptr_equal(r[0].got, r[1].got);
	assert_ptr_equal(r[0].got, r[2].got);
	assert_ptr_equal(r[3].got, r[4].got);
	assert_ptr_not_equal(r[3].got, r[5].got);
	jit_get_stats(j, &st);
	assert_int_equal(st.compiles, 3);
	assert_int_equal(st.compiles + st.memory_hits + st.disk_hits, 6);
	jit_free(j);
}

/* Defines are compile options: they enter the cache key and the last good
 * build's id, so a module built with them is never served for a request
 * without them, nor the other way round: not from memory, not from disk,
 * not as the last good build after a failed edit. */
static void
test_defines_keys(void **state)
{
	fixture *f = *state;
	static const char *const rows2[] = { "STREAM_ROWS=2" }, *const rows99[] = { "STREAM_ROWS=99" };
	static const char *const unused[] = { "GGSCOPE_TEST_UNUSED=1" };
	jit *plain = new_jit(f), *knob = new_jit_defines(f, rows2, 1), *other;
	const jit_module *m0, *m2;
	char k0[65], k2[65], path[400];
	jit_result r;
	errmsg err;

	/* Same variant, warps and arch, on one disk cache: two builds. */
	m0 = get_ok(plain, "q6k_stream", 4, "sm_90", JIT_COMPILED);
	m2 = get_ok(knob, "q6k_stream", 4, "sm_90", JIT_COMPILED);
	memcpy(k0, m0->key, 65);
	memcpy(k2, m2->key, 65);
	assert_string_not_equal(k0, k2);
	assert_null(strstr(m0->options, "STREAM_ROWS"));
	assert_non_null(strstr(m2->options, "-DWARPS=4 -DSTREAM_ROWS=2"));
	/* and the define reached the kernel: its shared ring is per row */
	assert_true(m0->res.valid && m2->res.valid);
	assert_int_not_equal(m0->res.smem_static_bytes, m2->res.smem_static_bytes);
	assert_ptr_equal(get_ok(knob, "q6k_stream", 4, "sm_90", JIT_MEMORY), m2);
	assert_ptr_equal(get_ok(plain, "q6k_stream", 4, "sm_90", JIT_MEMORY), m0);
	jit_free(plain);
	jit_free(knob);

	/* Fresh jits (new processes): each finds its own build on disk. */
	plain = new_jit(f);
	knob = new_jit_defines(f, rows2, 1);
	assert_string_equal(get_ok(knob, "q6k_stream", 4, "sm_90", JIT_DISK)->key, k2);
	assert_string_equal(get_ok(plain, "q6k_stream", 4, "sm_90", JIT_DISK)->key, k0);

	/* A define no kernel reads still makes its own build. */
	other = new_jit_defines(f, unused, 1);
	assert_string_not_equal(get_ok(other, "q6k_stream", 4, "sm_90", JIT_COMPILED)->key, k0);
	jit_free(other);

	/* A value the kernel refuses is a compile error with its #error text,
	 * and there is no last good build to fall back to: the builds with
	 * other defines (or none) are not it. */
	other = new_jit_defines(f, rows99, 1);
	assert_int_equal(jit_get(other, variant_find("q6k_stream"), 4, "sm_90", &r, &err), -1);
	assert_non_null(strstr(err.text, "STREAM_ROWS must be in 1..8"));
	assert_non_null(r.error_log);
	assert_null(r.module);
	jit_free(other);

	/* A broken edit: each jit falls back to its own last good build. */
	snprintf(path, sizeof path, "%s/q6k_stream.cu", f->kernels);
	append_file(path, "\nthis is not CUDA;\n");
	assert_int_equal(jit_get(knob, variant_find("q6k_stream"), 4, "sm_90", &r, &err), -1);
	assert_int_equal(r.origin, JIT_STALE);
	assert_string_equal(r.module->key, k2);
	assert_int_equal(jit_get(plain, variant_find("q6k_stream"), 4, "sm_90", &r, &err), -1);
	assert_int_equal(r.origin, JIT_STALE);
	assert_string_equal(r.module->key, k0);
	jit_free(plain);
	jit_free(knob);

	/* The same from the disk cache's last-good pointers. */
	knob = new_jit_defines(f, rows2, 1);
	assert_int_equal(jit_get(knob, variant_find("q6k_stream"), 4, "sm_90", &r, &err), -1);
	assert_int_equal(r.origin, JIT_STALE);
	assert_string_equal(r.module->key, k2);
	assert_non_null(strstr(r.module->options, "-DSTREAM_ROWS=2"));
	jit_free(knob);
	plain = new_jit(f);
	assert_int_equal(jit_get(plain, variant_find("q6k_stream"), 4, "sm_90", &r, &err), -1);
	assert_int_equal(r.origin, JIT_STALE);
	assert_string_equal(r.module->key, k0);
	assert_null(strstr(r.module->options, "STREAM_ROWS"));
	jit_free(plain);
}

/* The quantizer and a dp4a kernel build too (their ABI differs). */
static void
test_quantizer_builds(void **state)
{
	fixture *f = *state;
	jit *j = new_jit(f);
	const jit_module *m = get_ok(j, "quantize_q8_1", 8, "sm_80", JIT_COMPILED);

	assert_true(m->res.valid);
	assert_ptr_equal(m->variant, variant_quantizer());
	m = get_ok(j, "q6k_hw_dp4a", 8, "sm_80", JIT_COMPILED);
	assert_int_equal(m->res.smem_static_bytes, 32);
	jit_free(j);
}
#endif

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_parse_resources),
		cmocka_unit_test_setup_teardown(test_kernels_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_define_checks, setup, teardown),
#ifndef HAVE_NVRTC
		cmocka_unit_test_setup_teardown(test_no_nvrtc, setup, teardown),
#else
		cmocka_unit_test_setup_teardown(test_compile_and_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_follow_inputs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_source_keeps_last_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_sources, setup, teardown),
		cmocka_unit_test_setup_teardown(test_arch_and_warps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quantizer_builds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defines_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
