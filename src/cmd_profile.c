/* cmd_profile: `ggscope profile` — the device, driver, NVRTC and CUPTI
 * versions, the measured read-bandwidth ceiling, and the GpuProfile with
 * where each field came from. Without a GPU it shows the profile the rules
 * would choose for --cc, checks the counter set offline, and says what is
 * unavailable and why. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ceiling.h"
#include "cli.h"
#include "cmd.h"
#include "cupti.h"
#include "cupti_gpu.h"
#include "gpu.h"
#include "jit.h"
#include "profile.h"

#define CMD "profile"

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: ggscope profile [OPTION]...\n"
		"Show the GPU, driver, NVRTC and CUPTI versions, the measured read-bandwidth\n"
		"ceiling, and the GpuProfile: which Q4_K/Q6_K GEMV variants and warp counts the\n"
		"rules pick on this GPU, each with its source (auto rule, environment\n"
		"variable, or your choice). The seed's override variables are honoured:\n"
		"WIDE_Q4K_DISABLE, WIDE_Q4K, VECTORIZED_Q4K, HW_DP4A_Q4K, DP4A_Q4K, MWV_Q4K,\n"
		"HW_DP4A_Q6K, DP4A_Q6K, MWV_Q6K (set = on, whatever the value), MWV_WARPS,\n"
		"BATCHED_PREFILL, FUSED_GATE_UP, FP8_PREFILL, FP8_DECODE, W4A16_INTERLEAVED,\n"
		"HGEMM_DECODE (by value); and ggscope's own, for its stream kernels, which the\n"
		"seed engine ignores: STREAM_DP4A_Q4K, STREAM_Q4K, STREAM_DP4A_Q6K, STREAM_Q6K\n"
		"(set = on, checked before the seed's), STREAM_WARPS (1..4).\n\n"
		"  -c, --cc MAJOR.MINOR   the profile for this compute capability (no GPU needed)\n"
		"      --rule RULE        the automatic rule: ggscope (the default: the seed's,\n"
		"                         but the stream dp4a kernels on sm_90, measured fastest\n"
		"                         there), seed (the seed engine's profile exactly;\n"
		"                         ggscope's variables ignored) or upstream (the seed with\n"
		"                         Q4_K mwv on every GPU, aprender#2323)\n"
		"      --q4k-rule RULE    the former name of --rule\n"
		"      --q4k VARIANT      choose the Q4_K variant (shown as a user choice)\n"
		"      --q6k VARIANT      choose the Q6_K variant\n"
		"  -w, --warps N          choose mwv_warps (1..32)\n"
		"      --stream-warps N   choose stream_warps (1..4)\n"
		"      --refresh          measure the ceiling again instead of using the cache\n"
		"      --no-ceiling       do not measure or read the ceiling\n"
		"      --no-cupti         do not load CUPTI (time with CUDA events)\n"
		"      --full             count the passes of the full counter set (sm__throughput)\n"
		"      --json             machine-readable output\n"
		"  -h, --help             display this help and exit\n\n"
		"Exit status: 0 success, 1 no GPU and no --cc (nothing to profile), 2 usage error.\n");
}

struct opts {
	bool json, refresh, no_ceiling, no_cupti, full, have_cc;
	int cc_major, cc_minor;
	int rule;                 /* PROFILE_RULE_* */
	profile_user user;
};

static int
parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_RULE = 256, OPT_Q4K_RULE, OPT_Q4K, OPT_Q6K, OPT_STREAM_WARPS, OPT_REFRESH, OPT_NO_CEILING,
		OPT_NO_CUPTI, OPT_FULL, OPT_JSON };
	static const struct option longopts[] = {
		{ "cc", required_argument, NULL, 'c' },
		{ "rule", required_argument, NULL, OPT_RULE },
		/* The option's name from when the rule chose Q4_K alone. */
		{ "q4k-rule", required_argument, NULL, OPT_Q4K_RULE },
		{ "q4k", required_argument, NULL, OPT_Q4K },
		{ "q6k", required_argument, NULL, OPT_Q6K },
		{ "warps", required_argument, NULL, 'w' },
		{ "stream-warps", required_argument, NULL, OPT_STREAM_WARPS },
		{ "refresh", no_argument, NULL, OPT_REFRESH },
		{ "no-ceiling", no_argument, NULL, OPT_NO_CEILING },
		{ "no-cupti", no_argument, NULL, OPT_NO_CUPTI },
		{ "full", no_argument, NULL, OPT_FULL },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	errmsg err;
	long v;
	int ch;

	memset(o, 0, sizeof *o);
	profile_user_init(&o->user);
	o->user.how = "option";
	o->rule = PROFILE_RULE_GGSCOPE;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:w:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (profile_parse_cc(optarg, &o->cc_major, &o->cc_minor, &err) < 0)
				return cli_usage_error(CMD, "%s", err.text);
			o->have_cc = true;
			break;
		case OPT_RULE:
		case OPT_Q4K_RULE:
			if ((o->rule = profile_rule_parse(optarg)) < 0)
				return cli_usage_error(CMD, "%s '%s': expected ggscope, seed or upstream",
					ch == OPT_RULE ? "--rule" : "--q4k-rule", optarg);
			break;
		case OPT_Q4K:
			if ((o->user.q4k = profile_q4k_parse(optarg)) < 0)
				return cli_usage_error(CMD, "--q4k '%s': not a Q4_K variant the profile chooses between "
					"(legacy, wide, vectorized, mwv_dp4a, hw_dp4a, mwv, stream, stream_dp4a)", optarg);
			break;
		case OPT_Q6K:
			if ((o->user.q6k = profile_q6k_parse(optarg)) < 0)
				return cli_usage_error(CMD, "--q6k '%s': not a Q6_K variant the profile chooses between "
					"(basic, mwv, dp4a, hw_dp4a, stream, stream_dp4a)", optarg);
			break;
		case 'w':
			if (!cli_parse_long(optarg, &v) || v < 1 || v > 32)
				return cli_usage_error(CMD, "--warps '%s': expected 1..32", optarg);
			o->user.mwv_warps = v;
			break;
		case OPT_STREAM_WARPS:
			if (!cli_parse_long(optarg, &v) || v < PROFILE_STREAM_WARPS_MIN || v > PROFILE_STREAM_WARPS_MAX)
				return cli_usage_error(CMD, "--stream-warps '%s': expected 1..4", optarg);
			o->user.stream_warps = v;
			break;
		case OPT_REFRESH:
			o->refresh = true;
			break;
		case OPT_NO_CEILING:
			o->no_ceiling = true;
			break;
		case OPT_NO_CUPTI:
			o->no_cupti = true;
			break;
		case OPT_FULL:
			o->full = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			return cli_usage_error(CMD, "option '%s' needs an argument", argv[optind - 1]);
		default:
			return cli_usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* Everything gathered, for the text and JSON printers. */
struct report {
	const gpu_info *info;
	char device_line[512];
	const char *device_unavailable;   /* NULL when the GPU is there */
	const char *lib_path;
	bool have_nvrtc;
	int nvrtc_major, nvrtc_minor;
	char nvrtc_error[ERRMSG_MAX];
	bool have_cupti_version;
	unsigned cupti_version;
	char cupti_error[ERRMSG_MAX];
	bool have_cu;                     /* false without a GPU */
	cupti_gpu cu;
	/* the counter set checked offline (no GPU) on the chip of --cc */
	const char *offline_chip;
	int offline_passes;
	size_t offline_ok, offline_n;
	char offline_error[ERRMSG_MAX];
	bool have_ceiling;
	ceiling ceil;
	char ceiling_error[ERRMSG_MAX];
	bool have_profile;
	int cc_major, cc_minor;
	gpu_profile prof;
	char profile_error[ERRMSG_MAX];
};

static void
offline_counter_check(struct report *r, bool full)
{
	const char *names[CUPTI_M_COUNT];
	cupti_metric_check chk[CUPTI_M_COUNT];
	errmsg err;
	size_t i;

	r->offline_chip = cupti_chip_for_cc(r->cc_major, r->cc_minor);
	if (r->offline_chip == NULL)
		return;
	r->offline_n = cupti_metric_set(full, names);
	if (cupti_host_check(r->offline_chip, names, r->offline_n, chk, &r->offline_passes, &err) < 0) {
		snprintf(r->offline_error, sizeof r->offline_error, "%s", err.text);
		return;
	}
	for (i = 0; i < r->offline_n; i++)
		r->offline_ok += chk[i].ok;
}

static const char *
version_text(unsigned v, char *buf, size_t len)
{
	/* CUPTI_API_VERSION 130001 = CUDA 13.0, API revision 1. */
	snprintf(buf, len, "%u.%u (API %u)", v / 10000, v / 100 % 100, v);
	return buf;
}

static void
print_text(const struct report *r, const struct opts *o)
{
	char buf[256];
	int f;

	if (r->device_unavailable != NULL)
		printf("device     unavailable: %s\n", r->device_unavailable);
	else
		printf("device     %s\nlibcuda    %s\n", r->device_line, r->lib_path);
	if (r->have_nvrtc)
		printf("NVRTC      %d.%d\n", r->nvrtc_major, r->nvrtc_minor);
	else
		printf("NVRTC      n/a: %s\n", r->nvrtc_error);
	if (r->have_cupti_version)
		printf("CUPTI      %s", version_text(r->cupti_version, buf, sizeof buf));
	else
		printf("CUPTI      n/a: %s", r->cupti_error);
	if (r->have_cu) {
		const cupti_gpu_status *st = &r->cu.st;

		printf("; %s", cupti_tier_name(st->tier));
		if (st->tier == CUPTI_TIER_COUNTERS)
			printf(" on %s, %d passes per profiled launch%s", st->chip, st->passes,
				st->full ? " (full set: sm__throughput)" : "");
		printf("\n");
		if (st->timing_status[0] != '\0')
			printf("           timing: %s\n", st->timing_status);
		if (st->counters_status[0] != '\0')
			printf("           counters: %s\n", st->counters_status);
	} else {
		printf("\n");
		if (r->offline_chip != NULL && r->offline_error[0] == '\0')
			printf("           counters n/a without a GPU; the counter set checked offline on %s: "
				"%zu of %zu metrics accepted, %d passes\n", r->offline_chip, r->offline_ok, r->offline_n,
				r->offline_passes);
		else if (r->offline_chip != NULL)
			printf("           counter set not checked offline: %s\n", r->offline_error);
	}
	if (o->no_ceiling)
		printf("ceiling    not measured (--no-ceiling)\n");
	else if (r->have_ceiling) {
		printf("ceiling    %.0f GB/s read (median %.0f GB/s; %llu MiB, %d launches, %s, %s%s)\n",
			r->ceil.best_gbs, r->ceil.median_gbs, (unsigned long long)(r->ceil.bytes >> 20), r->ceil.reps,
			r->ceil.timer, r->ceil.measured_at, r->ceil.from_cache ? ", cached" : "");
		if (r->info != NULL && r->info->peak_bw_gbs > 0)
			printf("           %.1f%% of the %.0f GB/s datasheet peak\n",
				100.0 * r->ceil.best_gbs / r->info->peak_bw_gbs, r->info->peak_bw_gbs);
		if (r->ceil.cache_path[0] != '\0')
			printf("           cache %s\n", r->ceil.cache_path);
		if (r->ceil.note[0] != '\0')
			printf("           %s\n", r->ceil.note);
	} else
		printf("ceiling    n/a: %s\n", r->ceiling_error);

	printf("\n");
	if (!r->have_profile) {
		printf("GpuProfile n/a: %s\n", r->profile_error);
		return;
	}
	printf("GpuProfile for cc %d.%d (rule: %s)%s\n", r->cc_major, r->cc_minor, profile_rule_name(o->rule),
		o->have_cc && r->device_unavailable == NULL ? " (from --cc, not the device)" : "");
	printf("  %-18s %-15s %-6s %s\n", "field", "value", "source", "why");
	for (f = 0; f < PROFILE_F_COUNT; f++) {
		printf("  %-18s %-15s %-6s %s\n", profile_field_name((enum profile_field)f),
			profile_field_value(&r->prof, (enum profile_field)f, buf, sizeof buf),
			profile_origin_name(r->prof.src[f].origin), r->prof.src[f].text);
		if (r->prof.src[f].note[0] != '\0')
			printf("  %-18s %-15s %-6s note: %s\n", "", "", "", r->prof.src[f].note);
	}
}

static void
print_json(const struct report *r, const struct opts *o)
{
	struct json_object *root = json_object_new_object(), *x;
	char buf[256];

	x = json_object_new_object();
	if (r->device_unavailable != NULL) {
		json_object_object_add(x, "available", json_object_new_boolean(false));
		json_object_object_add(x, "reason", json_object_new_string(r->device_unavailable));
	} else {
		json_object_object_add(x, "available", json_object_new_boolean(true));
		json_object_object_add(x, "name", json_object_new_string(r->info->name));
		snprintf(buf, sizeof buf, "%d.%d", r->info->cc_major, r->info->cc_minor);
		json_object_object_add(x, "cc", json_object_new_string(buf));
		json_object_object_add(x, "sm_count", json_object_new_int(r->info->sm_count));
		json_object_object_add(x, "l2_bytes", json_object_new_int64((int64_t)r->info->l2_bytes));
		json_object_object_add(x, "mem_bytes", json_object_new_int64((int64_t)r->info->mem_bytes));
		json_object_object_add(x, "peak_gbs", json_object_new_double(r->info->peak_bw_gbs));
		json_object_object_add(x, "driver_version", json_object_new_int(r->info->driver_version));
		json_object_object_add(x, "driver_release", json_object_new_string(r->info->driver_release));
		json_object_object_add(x, "libcuda", json_object_new_string(r->lib_path));
	}
	json_object_object_add(root, "device", x);

	if (r->have_nvrtc) {
		snprintf(buf, sizeof buf, "%d.%d", r->nvrtc_major, r->nvrtc_minor);
		json_object_object_add(root, "nvrtc", json_object_new_string(buf));
	} else
		json_object_object_add(root, "nvrtc", NULL);

	x = json_object_new_object();
	if (r->have_cupti_version)
		json_object_object_add(x, "version", json_object_new_int64(r->cupti_version));
	else
		json_object_object_add(x, "error", json_object_new_string(r->cupti_error));
	if (r->have_cu) {
		const cupti_gpu_status *st = &r->cu.st;

		json_object_object_add(x, "tier", json_object_new_string(cupti_tier_name(st->tier)));
		json_object_object_add(x, "chip", json_object_new_string(st->chip));
		json_object_object_add(x, "passes", json_object_new_int(st->passes));
		json_object_object_add(x, "full", json_object_new_boolean(st->full));
		json_object_object_add(x, "timing_status", json_object_new_string(st->timing_status));
		json_object_object_add(x, "counters_status", json_object_new_string(st->counters_status));
	} else {
		json_object_object_add(x, "tier", json_object_new_string("none"));
		if (r->offline_chip != NULL && r->offline_error[0] == '\0') {
			json_object_object_add(x, "offline_chip", json_object_new_string(r->offline_chip));
			json_object_object_add(x, "offline_passes", json_object_new_int(r->offline_passes));
			json_object_object_add(x, "offline_metrics_ok", json_object_new_int((int)r->offline_ok));
		}
	}
	json_object_object_add(root, "cupti", x);

	if (r->have_ceiling) {
		x = ceiling_to_json(&r->ceil);
		if (r->ceil.cache_path[0] != '\0')
			json_object_object_add(x, "cache", json_object_new_string(r->ceil.cache_path));
		if (r->ceil.note[0] != '\0')
			json_object_object_add(x, "note", json_object_new_string(r->ceil.note));
	} else {
		x = json_object_new_object();
		json_object_object_add(x, "available", json_object_new_boolean(false));
		json_object_object_add(x, "reason", json_object_new_string(o->no_ceiling ? "--no-ceiling" : r->ceiling_error));
	}
	json_object_object_add(root, "ceiling", x);

	if (r->have_profile) {
		x = json_object_new_object();
		snprintf(buf, sizeof buf, "%d.%d", r->cc_major, r->cc_minor);
		json_object_object_add(x, "cc", json_object_new_string(buf));
		json_object_object_add(x, "from", json_object_new_string(o->have_cc ? "--cc" : "device"));
		json_object_object_add(x, "rule", json_object_new_string(profile_rule_name(o->rule)));
		json_object_object_add(x, "fields", profile_to_json(&r->prof));
	} else {
		x = json_object_new_object();
		json_object_object_add(x, "available", json_object_new_boolean(false));
		json_object_object_add(x, "reason", json_object_new_string(r->profile_error));
	}
	json_object_object_add(root, "profile", x);
	printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

int
cmd_profile(int argc, char **argv)
{
	struct opts o;
	struct report r;
	gpu *g;
	jit *j = NULL;
	errmsg err;
	int rc;

	if ((rc = parse_args(argc, argv, &o)) != 0)
		return rc < 0 ? 0 : rc;
	memset(&r, 0, sizeof r);

	cupti_gpu_install();
	g = gpu_open();
	if (gpu_available(g) && gpu_device_info(g)->valid) {
		r.info = gpu_device_info(g);
		gpu_describe(g, r.device_line, sizeof r.device_line);
		r.lib_path = gpu_lib_path(g);
	} else
		r.device_unavailable = gpu_unavailable_reason(g);

	r.have_nvrtc = jit_nvrtc_version(&r.nvrtc_major, &r.nvrtc_minor, &err) == 0;
	if (!r.have_nvrtc)
		snprintf(r.nvrtc_error, sizeof r.nvrtc_error, "%s", err.text);
	if (o.no_cupti)
		snprintf(r.cupti_error, sizeof r.cupti_error, "disabled (--no-cupti)");
	else if (!(r.have_cupti_version = cupti_version(&r.cupti_version, &err) == 0))
		snprintf(r.cupti_error, sizeof r.cupti_error, "%s", err.text);

	if (r.info != NULL) {
		cupti_options co = { .disabled = o.no_cupti, .full = o.full };

		cupti_gpu_open(&r.cu, g, &co);
		r.have_cu = true;
	}

	/* The profile: --cc wins over the device, as the user asked for it. */
	if (o.have_cc) {
		r.cc_major = o.cc_major;
		r.cc_minor = o.cc_minor;
	} else if (r.info != NULL) {
		r.cc_major = r.info->cc_major;
		r.cc_minor = r.info->cc_minor;
	}
	if (o.have_cc || r.info != NULL) {
		r.have_profile = profile_detect(r.cc_major, r.cc_minor, NULL, NULL, &o.user, o.rule, &r.prof, &err) == 0;
		if (!r.have_profile)
			snprintf(r.profile_error, sizeof r.profile_error, "%s", err.text);
	} else
		snprintf(r.profile_error, sizeof r.profile_error,
			"no GPU (%s); give --cc (e.g. --cc 9.0) to see the profile the rules would choose", r.device_unavailable);
	if (!r.have_cu && r.have_profile && !o.no_cupti)
		offline_counter_check(&r, o.full);

	if (o.no_ceiling)
		snprintf(r.ceiling_error, sizeof r.ceiling_error, "--no-ceiling");
	else if (r.info == NULL)
		snprintf(r.ceiling_error, sizeof r.ceiling_error, "no GPU to measure");
	else if ((j = jit_new(NULL, &err)) == NULL)
		snprintf(r.ceiling_error, sizeof r.ceiling_error, "%s", err.text);
	else if (ceiling_get(g, j, r.have_cu ? &r.cu : NULL, NULL, o.refresh, &r.ceil, &err) == 0)
		r.have_ceiling = true;
	else
		snprintf(r.ceiling_error, sizeof r.ceiling_error, "%s", err.text);

	if (o.json)
		print_json(&r, &o);
	else
		print_text(&r, &o);
	rc = (r.have_profile || r.info != NULL) ? 0 : 1;
	if (!r.have_profile && r.info == NULL)
		fprintf(stderr, "ggscope profile: no GPU and no --cc: nothing to profile\n");
	if (!r.have_profile && o.have_cc)
		rc = 1;
	if (r.have_cu)
		cupti_gpu_close(&r.cu);
	jit_free(j);
	gpu_close(g);
	return rc;
}
