#include "config.h"

#include "api_config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

#define OPT(field) offsetof(struct api_config, field)

static const struct option_def options[] = {
	{ "listen", OPTION_STRING, OPT(listen), "unix:/tmp/deploy-api.sock", 0, 0,
	  "FastCGI socket: unix:/path or host:port" },
	{ "metrics-listen", OPTION_STRING, OPT(metrics_listen), "", 0, 0,
	  "HOST:PORT where the master serves GET /metrics (Prometheus; default: off); keep it"
	  " off the public network" },
	{ "workers", OPTION_INT, OPT(workers), NULL, 1, 1024,
	  "worker processes (default: 4 per CPU, at most 64)" },
	{ "max-requests", OPTION_INT, OPT(max_requests), "10000", 0, INT64_MAX,
	  "recycle a worker after this many requests (0: never)" },
	{ "shutdown-timeout", OPTION_INT, OPT(shutdown_timeout), "10", 1, 3600,
	  "seconds in-flight requests get to finish on stop or reload" },
	{ "db", OPTION_STRING, OPT(db), "", 0, 0,
	  "libpq conninfo (default: the PG* environment variables)" },
	{ "base-url", OPTION_STRING, OPT(base_url), "", 0, 0,
	  "scheme://host[:port] of the URLs in responses and webhook payloads (default: the"
	  " server's name and port from nginx, or the request's with --trust-proxy)" },
	{ "trust-proxy", OPTION_FLAG, OPT(trust_proxy), NULL, 0, 0,
	  "without --base-url, take URLs from the request's Host and X-Forwarded-Proto (only"
	  " behind a proxy that sets both)" },
	{ "rate-limit", OPTION_INT, OPT(rate_limit), "5000", 0, INT64_MAX,
	  "requests per hour per token (0: unlimited)" },
	{ "anonymous-rate-limit", OPTION_INT, OPT(anonymous_rate_limit), "60", 0, INT64_MAX,
	  "requests per hour per client address without a token (0: unlimited)" },
	{ "rate-limit-share", OPTION_INT, OPT(rate_limit_share), "300", 1, 1000000,
	  "a host takes 1/N of a budget from PostgreSQL at a time: what N hosts hold unspent, at"
	  " most hosts/N of the limit, is refused early" },
	{ "body-max", OPTION_INT, OPT(body_max), "1048576", 1, INT64_MAX,
	  "largest request body in bytes" },
	{ "statement-timeout", OPTION_INT, OPT(statement_timeout), "5000", 1, INT64_MAX,
	  "PostgreSQL statement_timeout in milliseconds" },
	{ "connect-timeout", OPTION_INT, OPT(connect_timeout), "2", 2, 3600,
	  "PostgreSQL connect_timeout in seconds" },
	{ "auth-cache-ms", OPTION_INT, OPT(auth_cache_ms), "500", 0, 60000,
	  "reuse a caller's token, repository and permission for this long (0: ask every time);"
	  " a revoked token or changed permission takes effect after at most this" },
	{ "hook-allowed-hosts", OPTION_STRING, OPT(hook_allowed_hosts), "external", 0, 0,
	  "hosts webhooks may be sent to, comma-separated: external, loopback, private, *,"
	  " networks (CIDR), host names (*.suffix); the same list as deploy-dispatch's" },
	{ "cascade-skip-production", OPTION_FLAG, OPT(cascade_skip_production), NULL, 0, 0,
	  "never mark production deployments inactive (the spec pages' literal rule)" },
};

int
api_config_parse(struct api_config *cfg, int argc, char **argv)
{
	static const struct option_table table = { "deploy-api", options, ARRAY_SIZE(options) };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct buf error = BUF_INIT;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	/* A worker sleeps through every round trip to PostgreSQL (and a
	 * write's commit): four per CPU keep the CPUs busy on writes and cost
	 * reads nothing (docs/performance.md). */
	cfg->workers = API_CONFIG_WORKERS_PER_CPU * (cpus > 0 ? cpus : 1);
	/* Each worker holds a PostgreSQL connection: a large host must not
	 * take a cluster's whole max_connections by default. */
	if (cfg->workers > API_CONFIG_WORKERS_DEFAULT_MAX)
		cfg->workers = API_CONFIG_WORKERS_DEFAULT_MAX;
	rc = options_parse(&table, cfg, argc, argv);
	if (rc != 0)
		return rc;
	if (hook_target_policy_parse(&cfg->hook_targets, cfg->hook_allowed_hosts, &error) < 0) {
		fprintf(stderr, "deploy-api: --hook-allowed-hosts: %s\n", buf_cstr(&error));
		rc = -1;
	}
	buf_release(&error);
	return rc;
}

void
api_config_release(struct api_config *cfg)
{
	hook_target_policy_release(&cfg->hook_targets);
}
