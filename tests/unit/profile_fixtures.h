/* profile_fixtures: a fake environment and profile_detect wrappers for
 * the profile unit tests. Test code only. */
#ifndef GGSCOPE_PROFILE_FIXTURES_H
#define GGSCOPE_PROFILE_FIXTURES_H

#include "profile.h"

/* A fake environment: NULL-terminated name/value pairs. */
typedef struct env {
	const char *kv[32];
} env;

/* profile_getenv_fn over an env (ctx). */
const char *fake_getenv(const char *name, void *ctx);

/* profile_detect under a rule, failing the test on an error; e NULL: an
 * empty environment. */
gpu_profile detect_rule(int major, int minor, const env *e, int rule);

/* The seed's rule: most tests pin the seed's behaviour. */
gpu_profile detect(int major, int minor, const env *e);

/* ggscope's rule, the default. */
gpu_profile detect_gg(int major, int minor, const env *e);

#endif
