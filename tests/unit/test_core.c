/* Unit tests for errmsg and xalloc. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <stdlib.h>
#include <cmocka.h>

#include "errmsg.h"
#include "xalloc.h"
#include "cli.h"

static void
test_errmsg_set_prefix(void **state)
{
	errmsg e;

	(void)state;
	errmsg_set(&e, "bad %s at %d", "magic", 0);
	assert_string_equal(e.text, "bad magic at 0");
	errmsg_prefix(&e, "file %s", "x.gguf");
	assert_string_equal(e.text, "file x.gguf: bad magic at 0");
	errmsg_errno(&e, ENOENT, "open %s", "y");
	assert_string_equal(e.text, "open y: No such file or directory");
	errmsg_set(NULL, "ignored");
	errmsg_clear(&e);
	assert_string_equal(e.text, "");
}

static void
test_errmsg_truncates(void **state)
{
	errmsg e;
	char big[ERRMSG_MAX * 2];

	(void)state;
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	errmsg_set(&e, "%s", big);
	assert_int_equal(strlen(e.text), ERRMSG_MAX - 1);
}

static void
test_xstr(void **state)
{
	char *s;

	(void)state;
	s = xasprintf("%d-%s", 7, "x");
	assert_string_equal(s, "7-x");
	free(s);
	s = xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
}

static void
test_parse_long(void **state)
{
	long v;

	(void)state;
	assert_true(cli_parse_long("42", &v));
	assert_int_equal(v, 42);
	assert_true(cli_parse_long("0x10", &v));
	assert_int_equal(v, 16);
	assert_false(cli_parse_long("4x", &v));
	assert_false(cli_parse_long("", &v));
	assert_false(cli_parse_long("99999999999999999999999", &v));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errmsg_set_prefix),
		cmocka_unit_test(test_errmsg_truncates),
		cmocka_unit_test(test_xstr),
		cmocka_unit_test(test_parse_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
