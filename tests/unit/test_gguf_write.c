/* Unit tests for the GGUF writer (src/gguf_write.c): layout, alignment,
 * key replacement, tensor validation, atomic file writes, sparse zeros. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "gguf.h"
#include "gguf_write.h"
#include "quant.h"
#include "xalloc.h"

static char tmpdir[64];

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ggscope-write-XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

/* Remove the files a test left and the directory. */
static int
teardown_dir(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	(void)state;
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		char path[512];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(tmpdir);
}

static size_t
dir_entries(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static gguf_file *
write_and_open(const gguf_writer *w)
{
	uint8_t *buf;
	size_t len;
	errmsg err;
	gguf_file *f;

	if (gguf_writer_write_mem(w, &buf, &len, &err) != 0)
		fail_msg("%s", err.text);
	f = gguf_open_owned(buf, len, "mem", &err);
	if (f == NULL)
		fail_msg("%s", err.text);
	return f;
}

/* Layout: header, KVs, infos, padding; tensors at aligned offsets in add
 * order; the file ends padded; a non-default alignment is recorded first. */
static void
test_layout_alignment(void **state)
{
	gguf_writer *w = gguf_writer_new(64);
	uint64_t ne[2] = { 32, 3 };
	float data[96];
	gguf_file *f;
	errmsg err;
	size_t i;

	(void)state;
	for (i = 0; i < 96; i++)
		data[i] = (float)i;
	gguf_writer_set_str(w, "general.architecture", "llama");
	assert_int_equal(gguf_writer_add_tensor(w, "a", 2, ne, QT_F32, data, sizeof data, 0, &err), 0);
	ne[1] = 1;
	assert_int_equal(gguf_writer_add_tensor(w, "b", 1, ne, QT_F32, data, 128, 1, &err), 0);
	f = write_and_open(w);
	gguf_writer_free(w);
	assert_int_equal(gguf_alignment(f), 64);
	assert_int_equal(gguf_kv_count(f), 2);
	assert_string_equal(gguf_kv_at(f, 0)->key, "general.alignment");
	assert_int_equal(gguf_kv_at(f, 0)->value.type, GGUF_UINT32);
	assert_int_equal(gguf_kv_at(f, 0)->value.v.u, 64);
	assert_int_equal(gguf_data_offset(f) % 64, 0);
	assert_int_equal(gguf_tensor_at(f, 0)->offset, 0);
	assert_int_equal(gguf_tensor_at(f, 1)->offset, 384);
	assert_int_equal(gguf_size(f) % 64, 0);
	assert_int_equal(gguf_size(f), gguf_data_offset(f) + 384 + 128);
	assert_memory_equal(gguf_tensor_at(f, 0)->data, data, sizeof data);
	assert_memory_equal(gguf_tensor_at(f, 1)->data, data, 128);
	assert_int_equal(gguf_tensor_at(f, 0)->ne[1], 3);
	gguf_close(f);

	/* The default alignment writes no key. */
	w = gguf_writer_new(0);
	f = write_and_open(w);
	gguf_writer_free(w);
	assert_int_equal(gguf_kv_count(f), 0);
	assert_int_equal(gguf_alignment(f), 32);
	gguf_close(f);
}

/* Setting a key again replaces the value where the key was. */
static void
test_replace_key(void **state)
{
	gguf_writer *w = gguf_writer_new(0);
	gguf_file *f;

	(void)state;
	gguf_writer_set_u32(w, "a", 1);
	gguf_writer_set_str(w, "b", "x");
	gguf_writer_set_str(w, "a", "now a string");
	gguf_writer_set_u32(w, "b", 9);
	f = write_and_open(w);
	gguf_writer_free(w);
	assert_int_equal(gguf_kv_count(f), 2);
	assert_string_equal(gguf_kv_at(f, 0)->key, "a");
	assert_int_equal(gguf_kv_at(f, 0)->value.type, GGUF_STRING);
	assert_int_equal(gguf_kv_at(f, 1)->value.v.u, 9);
	gguf_close(f);
}

/* An explicit general.alignment is kept in place (a copied header). */
static void
test_explicit_alignment_key(void **state)
{
	gguf_writer *w = gguf_writer_new(128);
	gguf_file *f;

	(void)state;
	gguf_writer_set_str(w, "general.architecture", "llama");
	gguf_writer_set_u32(w, "general.alignment", 128);
	f = write_and_open(w);
	gguf_writer_free(w);
	assert_int_equal(gguf_kv_count(f), 2);
	assert_string_equal(gguf_kv_at(f, 1)->key, "general.alignment");
	assert_int_equal(gguf_alignment(f), 128);
	gguf_close(f);
}

static void
expect_add_error(gguf_writer *w, const char *name, uint32_t n_dims, const uint64_t *ne,
	uint32_t type, uint64_t n_bytes, const char *text)
{
	static uint8_t data[4096];
	errmsg err;

	errmsg_clear(&err);
	assert_int_equal(gguf_writer_add_tensor(w, name, n_dims, ne, type, data, n_bytes, 0, &err), -1);
	if (strstr(err.text, text) == NULL)
		fail_msg("adding \"%s\": \"%s\" lacks \"%s\"", name != NULL ? name : "(null)", err.text, text);
}

static void
test_add_tensor_errors(void **state)
{
	gguf_writer *w = gguf_writer_new(0);
	uint64_t ne[4] = { 256, 2, 1, 1 }, zero[2] = { 256, 0 }, odd[1] = { 100 }, huge[2] = { 1ull << 40, 1ull << 40 };
	static const char long_name[] = "blk.0.012345678901234567890123456789012345678901234567890123456789";
	errmsg err;

	(void)state;
	assert_int_equal(gguf_writer_add_tensor(w, "t", 2, ne, QT_Q4_K, NULL, 2 * 144, 0, &err), 0);
	expect_add_error(w, "", 2, ne, QT_Q4_K, 288, "tensor name is empty");
	expect_add_error(w, NULL, 2, ne, QT_Q4_K, 288, "tensor name is empty");
	expect_add_error(w, long_name, 2, ne, QT_Q4_K, 288, "longer than 64");
	expect_add_error(w, "t", 2, ne, QT_Q4_K, 288, "duplicate tensor name \"t\"");
	expect_add_error(w, "u", 0, ne, QT_Q4_K, 288, "n_dims 0 is out of range");
	expect_add_error(w, "u", 5, ne, QT_Q4_K, 288, "n_dims 5 is out of range");
	expect_add_error(w, "u", 2, ne, 4, 288, "ggml type 4 is unknown");
	expect_add_error(w, "u", 2, zero, QT_Q4_K, 0, "ne[1] is 0");
	expect_add_error(w, "u", 1, odd, QT_Q4_K, 144, "not a multiple of q4_K's block size 256");
	expect_add_error(w, "u", 2, ne, QT_Q4_K, 287, "287 bytes given");
	expect_add_error(w, "u", 2, huge, QT_F32, 0, "element count overflows");
	huge[1] = 1;
	expect_add_error(w, "u", 2, huge, QT_F32, 0, "1099511627776 f32 elements in rows of 1099511627776 take 4398046511104");
	huge[0] = 1ull << 62;
	expect_add_error(w, "u", 1, huge, QT_F32, 0, "size in bytes overflows");
	gguf_writer_free(w);
}

/* write_file: the file reads back, no temporary is left, a second write
 * replaces the first, and a failure names the path and leaves nothing. */
static void
test_write_file(void **state)
{
	gguf_writer *w = gguf_writer_new(0);
	uint64_t ne[1] = { 64 };
	uint16_t half[64];
	char path[128], bad[160];
	gguf_file *f;
	struct stat st;
	errmsg err;
	mode_t old;
	size_t i;

	(void)state;
	for (i = 0; i < 64; i++)
		half[i] = (uint16_t)(0x3c00 + i);
	snprintf(path, sizeof path, "%s/out.gguf", tmpdir);
	gguf_writer_set_str(w, "general.name", "first");
	assert_int_equal(gguf_writer_add_tensor(w, "h", 1, ne, QT_F16, half, sizeof half, 0, &err), 0);
	old = umask(022);
	assert_int_equal(gguf_writer_write_file(w, path, &err), 0);
	umask(old);
	assert_int_equal(dir_entries(), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	f = gguf_open(path, &err);
	assert_non_null(f);
	assert_memory_equal(gguf_tensor_at(f, 0)->data, half, sizeof half);
	gguf_close(f);

	gguf_writer_set_str(w, "general.name", "second");
	assert_int_equal(gguf_writer_write_file(w, path, &err), 0);
	assert_int_equal(dir_entries(), 1);
	f = gguf_open(path, &err);
	assert_non_null(f);
	assert_int_equal(gguf_find_kv(f, "general.name")->value.v.str.len, 6);
	gguf_close(f);

	snprintf(bad, sizeof bad, "%s/no/such/dir/out.gguf", tmpdir);
	assert_int_equal(gguf_writer_write_file(w, bad, &err), -1);
	assert_non_null(strstr(err.text, bad));
	assert_non_null(strstr(err.text, "No such file or directory"));
	assert_int_equal(dir_entries(), 1);
	gguf_writer_free(w);
}

/* NULL data: zeros, and a hole in the file (a large tensor costs no disk). */
static void
test_zero_tensor_sparse(void **state)
{
	gguf_writer *w = gguf_writer_new(0);
	uint64_t ne[2] = { 4096, 4096 }, small[1] = { 32 };
	float ones[32];
	char path[128];
	gguf_file *f;
	struct stat st;
	errmsg err;
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++)
		ones[i] = 1.0f;
	snprintf(path, sizeof path, "%s/sparse.gguf", tmpdir);
	assert_int_equal(gguf_writer_add_tensor(w, "big", 2, ne, QT_F32, NULL, 4096ull * 4096 * 4, 0, &err), 0);
	assert_int_equal(gguf_writer_add_tensor(w, "after", 1, small, QT_F32, ones, sizeof ones, 1, &err), 0);
	assert_int_equal(gguf_writer_write_file(w, path, &err), 0);
	gguf_writer_free(w);
	assert_int_equal(stat(path, &st), 0);
	assert_true((uint64_t)st.st_size > 64ull << 20);
	f = gguf_open(path, &err);
	assert_non_null(f);
	assert_int_equal(gguf_tensor_at(f, 0)->data[0], 0);
	assert_int_equal(gguf_tensor_at(f, 0)->data[4096ull * 4096 * 4 - 1], 0);
	assert_memory_equal(gguf_tensor_at(f, 1)->data, ones, sizeof ones);
	gguf_close(f);
	/* Where the filesystem supports holes, far less than 64 MiB is allocated. */
	if ((uint64_t)st.st_blocks * 512 < (1u << 20))
		assert_true((uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size / 8);
	unlink(path);
}

/* Copied data is independent of the caller's buffer; borrowed data is read at write time. */
static void
test_copy_vs_borrow(void **state)
{
	gguf_writer *w = gguf_writer_new(0);
	uint64_t ne[1] = { 8 };
	float a[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, b[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	gguf_file *f;
	errmsg err;

	(void)state;
	assert_int_equal(gguf_writer_add_tensor(w, "copied", 1, ne, QT_F32, a, sizeof a, 1, &err), 0);
	assert_int_equal(gguf_writer_add_tensor(w, "borrowed", 1, ne, QT_F32, b, sizeof b, 0, &err), 0);
	a[0] = 100;
	b[0] = 200;
	f = write_and_open(w);
	gguf_writer_free(w);
	assert_true(((const float *)(const void *)gguf_find_tensor(f, "copied")->data)[0] == 1.0f);
	assert_true(((const float *)(const void *)gguf_find_tensor(f, "borrowed")->data)[0] == 200.0f);
	gguf_close(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_alignment),
		cmocka_unit_test(test_replace_key),
		cmocka_unit_test(test_explicit_alignment_key),
		cmocka_unit_test(test_add_tensor_errors),
		cmocka_unit_test(test_write_file),
		cmocka_unit_test(test_zero_tensor_sparse),
		cmocka_unit_test(test_copy_vs_borrow),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
