#include "config.h"

#include "settings.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

enum option_type { OPT_STRING, OPT_INT, OPT_FLAG };

struct option_def {
	const char *name;
	enum option_type type;
	size_t offset;
	const char *default_value; /* NULL: the default is computed */
	int64_t min;
	int64_t max;
	const char *help;
};

#define OPT(field) offsetof(struct settings, field)

static const struct option_def options[] = {
	{ "listen", OPT_STRING, OPT(listen), "unix:/tmp/deploy-api.sock", 0, 0,
	  "FastCGI socket: unix:/path or host:port" },
	{ "workers", OPT_INT, OPT(workers), NULL, 1, 1024,
	  "worker processes (default: number of CPUs)" },
	{ "max-requests", OPT_INT, OPT(max_requests), "10000", 0, INT64_MAX,
	  "recycle a worker after this many requests (0: never)" },
	{ "shutdown-timeout", OPT_INT, OPT(shutdown_timeout), "10", 1, 3600,
	  "seconds in-flight requests get to finish on stop or reload" },
	{ "db", OPT_STRING, OPT(db), "", 0, 0,
	  "libpq conninfo (default: the PG* environment variables)" },
	{ "base-url", OPT_STRING, OPT(base_url), "", 0, 0,
	  "scheme://host used in response URLs (default: from each request)" },
	{ "rate-limit", OPT_INT, OPT(rate_limit), "5000", 0, INT64_MAX,
	  "requests per hour per token (0: unlimited)" },
	{ "anonymous-rate-limit", OPT_INT, OPT(anonymous_rate_limit), "60", 0, INT64_MAX,
	  "requests per hour per client address without a token (0: unlimited)" },
	{ "body-max", OPT_INT, OPT(body_max), "1048576", 1, INT64_MAX,
	  "largest request body in bytes" },
	{ "statement-timeout", OPT_INT, OPT(statement_timeout), "5000", 1, INT64_MAX,
	  "PostgreSQL statement_timeout in milliseconds" },
	{ "connect-timeout", OPT_INT, OPT(connect_timeout), "2", 2, 3600,
	  "PostgreSQL connect_timeout in seconds" },
	{ "cascade-skip-production", OPT_FLAG, OPT(cascade_skip_production), NULL, 0, 0,
	  "never mark production deployments inactive (the spec pages' literal rule)" },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: deploy-api [options]\n\n");
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const struct option_def *o = &options[i];

		fprintf(out, "  --%s%s\n      %s", o->name, o->type == OPT_FLAG ? "" : " VALUE", o->help);
		if (o->default_value && *o->default_value)
			fprintf(out, " [%s]", o->default_value);
		fputc('\n', out);
	}
}

static int
option_set(struct settings *cfg, const struct option_def *o, const char *value)
{
	char *field = (char *)cfg + o->offset;

	switch (o->type) {
	case OPT_STRING:
		*(const char **)field = value;
		return 0;
	case OPT_INT:
		if (parse_int64(value, o->min, o->max, (int64_t *)field) < 0) {
			fprintf(stderr, "deploy-api: --%s takes a whole number from %lld to %lld, not '%s'\n",
			    o->name, (long long)o->min, (long long)o->max, value);
			return -1;
		}
		return 0;
	case OPT_FLAG:
		*(bool *)field = true;
		return 0;
	}
	return -1;
}

int
settings_parse(struct settings *cfg, int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < ARRAY_SIZE(options); i++)
		if (options[i].default_value && option_set(cfg, &options[i], options[i].default_value) < 0)
			return -1;
	cfg->workers = cpus > 0 ? cpus : 1;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *value = NULL;
		const struct option_def *o = NULL;
		size_t name_len;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(stdout);
			return 1;
		}
		if (strncmp(arg, "--", 2) != 0) {
			fprintf(stderr, "deploy-api: unexpected argument '%s'\n", arg);
			usage(stderr);
			return -1;
		}
		arg += 2;
		name_len = strcspn(arg, "=");
		for (size_t j = 0; j < ARRAY_SIZE(options); j++)
			if (strlen(options[j].name) == name_len && strncmp(options[j].name, arg, name_len) == 0)
				o = &options[j];
		if (o == NULL) {
			fprintf(stderr, "deploy-api: unknown option --%.*s\n", (int)name_len, arg);
			usage(stderr);
			return -1;
		}
		if (o->type != OPT_FLAG) {
			if (arg[name_len] == '=')
				value = arg + name_len + 1;
			else if (i + 1 < argc)
				value = argv[++i];
			else {
				fprintf(stderr, "deploy-api: --%s needs a value\n", o->name);
				return -1;
			}
		} else if (arg[name_len] == '=') {
			fprintf(stderr, "deploy-api: --%s takes no value\n", o->name);
			return -1;
		}
		if (option_set(cfg, o, value) < 0)
			return -1;
	}
	return 0;
}
