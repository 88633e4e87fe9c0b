#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api_config.h"
#include "buf.h"
#include "unit.h"
#include "util.h"

/* api_config_parse prints usage and errors; keep the test log readable. */
static int saved_stdout = -1;
static int saved_stderr = -1;

static void
quiet_setup(void)
{
	int null = open("/dev/null", O_WRONLY);

	ck_assert_int_ge(null, 0);
	fflush(stdout);
	fflush(stderr);
	saved_stdout = dup(STDOUT_FILENO);
	saved_stderr = dup(STDERR_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	close(null);
}

static void
quiet_teardown(void)
{
	fflush(stdout);
	fflush(stderr);
	if (saved_stdout >= 0) {
		dup2(saved_stdout, STDOUT_FILENO);
		close(saved_stdout);
		saved_stdout = -1;
	}
	if (saved_stderr >= 0) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

#define PARSE(cfg, ...) \
	api_config_parse(cfg, (int)(sizeof((char *[]){ "deploy-api", __VA_ARGS__ }) / sizeof(char *)), \
	    (char *[]){ "deploy-api", __VA_ARGS__ })

START_TEST(test_defaults)
{
	struct api_config cfg;
	char *argv[] = { "deploy-api", NULL };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long workers = API_CONFIG_WORKERS_PER_CPU * (cpus > 0 ? cpus : 1);

	ck_assert_int_eq(api_config_parse(&cfg, 1, argv), 0);
	ck_assert_str_eq(cfg.listen, "unix:/tmp/deploy-api.sock");
	ck_assert_int_eq(cfg.workers, workers < API_CONFIG_WORKERS_DEFAULT_MAX ? workers
	    : API_CONFIG_WORKERS_DEFAULT_MAX);
	ck_assert_int_eq(cfg.max_requests, 10000);
	ck_assert_int_eq(cfg.shutdown_timeout, 10);
	ck_assert_str_eq(cfg.db, "");
	ck_assert_str_eq(cfg.base_url, "");
	ck_assert_int_eq(cfg.rate_limit, 5000);
	ck_assert_int_eq(cfg.anonymous_rate_limit, 60);
	ck_assert_int_eq(cfg.body_max, 1048576);
	ck_assert_int_eq(cfg.statement_timeout, 5000);
	ck_assert_int_eq(cfg.connect_timeout, 2);
	ck_assert(!cfg.cascade_skip_production);
}
END_TEST

START_TEST(test_values)
{
	struct api_config cfg;

	/* Both spellings. */
	ck_assert_int_eq(PARSE(&cfg, "--workers", "4"), 0);
	ck_assert_int_eq(cfg.workers, 4);
	ck_assert_int_eq(PARSE(&cfg, "--workers=5"), 0);
	ck_assert_int_eq(cfg.workers, 5);
	ck_assert_int_eq(PARSE(&cfg, "--listen", "127.0.0.1:9000", "--db=host=/run dbname=x"), 0);
	ck_assert_str_eq(cfg.listen, "127.0.0.1:9000");
	/* Only the first '=' separates name and value. */
	ck_assert_str_eq(cfg.db, "host=/run dbname=x");
	ck_assert_int_eq(PARSE(&cfg, "--base-url", "https://api.example", "--listen="), 0);
	ck_assert_str_eq(cfg.base_url, "https://api.example");
	ck_assert_str_eq(cfg.listen, "");
	ck_assert_int_eq(PARSE(&cfg, "--rate-limit=0", "--anonymous-rate-limit", "0",
	    "--max-requests=0"), 0);
	ck_assert_int_eq(cfg.rate_limit, 0);
	ck_assert_int_eq(cfg.anonymous_rate_limit, 0);
	ck_assert_int_eq(cfg.max_requests, 0);
	ck_assert_int_eq(PARSE(&cfg, "--body-max=1", "--statement-timeout=9223372036854775807",
	    "--connect-timeout=3600", "--shutdown-timeout", "3600"), 0);
	ck_assert_int_eq(cfg.body_max, 1);
	ck_assert_int_eq(cfg.statement_timeout, INT64_MAX);
	ck_assert_int_eq(cfg.connect_timeout, 3600);
	ck_assert_int_eq(cfg.shutdown_timeout, 3600);
	ck_assert_int_eq(PARSE(&cfg, "--cascade-skip-production"), 0);
	ck_assert(cfg.cascade_skip_production);
	/* The last occurrence wins; the others keep their defaults. */
	ck_assert_int_eq(PARSE(&cfg, "--workers=2", "--workers", "3"), 0);
	ck_assert_int_eq(cfg.workers, 3);
	ck_assert_int_eq(cfg.rate_limit, 5000);
	ck_assert(!cfg.cascade_skip_production);
}
END_TEST

START_TEST(test_values_are_borrowed)
{
	struct api_config cfg;
	char *argv[] = { "deploy-api", "--listen=unix:/x.sock", "--db", "dbname=y", NULL };

	ck_assert_int_eq(api_config_parse(&cfg, 4, argv), 0);
	ck_assert_ptr_eq(cfg.listen, argv[1] + strlen("--listen="));
	ck_assert_ptr_eq(cfg.db, argv[3]);
}
END_TEST

START_TEST(test_each_parse_starts_from_defaults)
{
	struct api_config cfg;
	char *argv[] = { "deploy-api", NULL };

	ck_assert_int_eq(PARSE(&cfg, "--rate-limit=7", "--cascade-skip-production"), 0);
	ck_assert_int_eq(api_config_parse(&cfg, 1, argv), 0);
	ck_assert_int_eq(cfg.rate_limit, 5000);
	ck_assert(!cfg.cascade_skip_production);
}
END_TEST

/* deploy-api's arguments after its name, and what api_config_parse returns
 * for them: 0 parsed, 1 help asked for, -1 refused. */
struct parse_case {
	const char *args[4];
	int ret;
};

static void
assert_parse_results(const struct parse_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *argv[ARRAY_SIZE(cases[i].args) + 1] = { "deploy-api" };
		int argc = 1;
		struct buf shown = BUF_INIT;
		struct api_config cfg;

		for (size_t j = 0; j < ARRAY_SIZE(cases[i].args) && cases[i].args[j]; j++) {
			argv[argc++] = (char *)cases[i].args[j];
			buf_printf(&shown, " '%s'", cases[i].args[j]);
		}
		ck_assert_msg(api_config_parse(&cfg, argc, argv) == cases[i].ret,
		    "deploy-api%s: expected %d", buf_cstr(&shown), cases[i].ret);
		buf_release(&shown);
	}
}

START_TEST(test_range)
{
	static const struct parse_case cases[] = {
		{ { "--workers=1" }, 0 },
		{ { "--workers=1024" }, 0 },
		{ { "--workers=0" }, -1 },
		{ { "--workers=1025" }, -1 },
		{ { "--workers=-1" }, -1 },
		{ { "--shutdown-timeout=0" }, -1 },
		{ { "--shutdown-timeout=3601" }, -1 },
		{ { "--connect-timeout=1" }, -1 },
		{ { "--connect-timeout=3601" }, -1 },
		{ { "--body-max=0" }, -1 },
		{ { "--rate-limit=-1" }, -1 },
		{ { "--statement-timeout=9223372036854775808" }, -1 },
	};

	assert_parse_results(cases, ARRAY_SIZE(cases));
}
END_TEST

START_TEST(test_malformed_numbers)
{
	static const struct parse_case cases[] = {
		{ { "--workers=abc" }, -1 },
		{ { "--workers=" }, -1 },
		{ { "--workers", "" }, -1 },
		{ { "--workers=4x" }, -1 },
		{ { "--workers= 4" }, -1 },
		{ { "--workers=+4" }, -1 },
		{ { "--workers=4.0" }, -1 },
	};

	assert_parse_results(cases, ARRAY_SIZE(cases));
}
END_TEST

START_TEST(test_bad_arguments)
{
	static const struct parse_case cases[] = {
		{ { "--bogus" }, -1 },
		{ { "--bogus=1" }, -1 },
		/* Names are whole: no abbreviations, no case folding. */
		{ { "--work=4" }, -1 },
		{ { "--workerss=4" }, -1 },
		{ { "--Workers=4" }, -1 },
		{ { "--=4" }, -1 },
		{ { "--" }, -1 },
		{ { "-w", "4" }, -1 },
		{ { "workers=4" }, -1 },
		{ { "--workers", "4", "extra" }, -1 },
		/* A value option at the end without its value. */
		{ { "--workers" }, -1 },
		{ { "--listen" }, -1 },
		/* A flag with a value. */
		{ { "--cascade-skip-production=yes" }, -1 },
		{ { "--cascade-skip-production=" }, -1 },
	};

	assert_parse_results(cases, ARRAY_SIZE(cases));
}
END_TEST

START_TEST(test_help)
{
	static const struct parse_case cases[] = {
		{ { "--help" }, 1 },
		{ { "-h" }, 1 },
		{ { "--workers=4", "--help" }, 1 },
		/* Help is answered before a later bad argument is seen. */
		{ { "--help", "--bogus" }, 1 },
		/* But an earlier bad argument fails first. */
		{ { "--bogus", "--help" }, -1 },
	};

	assert_parse_results(cases, ARRAY_SIZE(cases));
}
END_TEST

Suite *
api_config_suite(void)
{
	TCase *tc = tcase_of("core", 0, (const TTest *const[]){
		test_defaults, test_values, test_values_are_borrowed,
		test_each_parse_starts_from_defaults, test_range, test_malformed_numbers,
		test_bad_arguments, test_help, NULL });

	tcase_add_checked_fixture(tc, quiet_setup, quiet_teardown);
	return suite_of("api_config", tc, NULL);
}
