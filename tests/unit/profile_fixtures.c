/* profile_fixtures: see profile_fixtures.h. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "profile_fixtures.h"

const char *
fake_getenv(const char *name, void *ctx)
{
	const env *e = ctx;
	size_t i;

	for (i = 0; e->kv[i] != NULL; i += 2)
		if (strcmp(e->kv[i], name) == 0)
			return e->kv[i + 1];
	return NULL;
}

gpu_profile
detect_rule(int major, int minor, const env *e, int rule)
{
	static const env empty = { { NULL } };
	gpu_profile p;
	errmsg err;

	if (profile_detect(major, minor, fake_getenv, (void *)(e ? e : &empty), NULL, rule, &p, &err) != 0)
		fail_msg("profile_detect(%d.%d): %s", major, minor, err.text);
	return p;
}

/* The seed's rule: most tests here pin the seed's behaviour. */
gpu_profile
detect(int major, int minor, const env *e)
{
	return detect_rule(major, minor, e, PROFILE_RULE_SEED);
}

/* ggscope's rule, the default. */
gpu_profile
detect_gg(int major, int minor, const env *e)
{
	return detect_rule(major, minor, e, PROFILE_RULE_GGSCOPE);
}
