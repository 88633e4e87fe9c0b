/*
 * deploy-api's configuration: one table of options (name, type, default, help)
 * parsed from the command line. The master owns the parsed struct; workers
 * inherit a copy at fork.
 */
#ifndef DEPLOY_API_CONFIG_H
#define DEPLOY_API_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "hook_target.h"
#include "util.h"

/* The default --workers: so many per online CPU, up to a maximum. */
#define API_CONFIG_WORKERS_PER_CPU 4
#define API_CONFIG_WORKERS_DEFAULT_MAX 64

struct api_config {
	const char *listen;        /* "unix:/path" or "host:port" */
	const char *metrics_listen; /* "host:port" of GET /metrics; "": none */
	int64_t workers;
	int64_t max_requests;      /* 0: never recycle */
	int64_t shutdown_timeout;  /* seconds in-flight requests get on stop */
	const char *db;            /* libpq conninfo; "" = PG* variables */
	const char *base_url;      /* "" = from each request (request_read) */
	bool trust_proxy;          /* Host and X-Forwarded-Proto make URLs */
	int64_t rate_limit;        /* per-token hourly budget, 0 = unlimited */
	int64_t anonymous_rate_limit;
	int64_t rate_limit_share;  /* a host claims limit/share of a budget at a time */
	int64_t body_max;          /* bytes */
	int64_t statement_timeout; /* milliseconds */
	int64_t connect_timeout;   /* seconds */
	int64_t auth_cache_ms;     /* resolve_cache.h; 0: off */
	bool cascade_skip_production;
	const char *hook_allowed_hosts; /* as given; parsed into hook_targets */
	struct hook_target_policy hook_targets;
};

/* Fills cfg from argv; prints usage or the error and returns -1 when the
 * arguments are wrong, 1 when --help was asked for, 0 otherwise. */
int api_config_parse(struct api_config *cfg, int argc, char **argv) MUST_CHECK;
/* Frees what parsing allocated (the hook host list). */
void api_config_release(struct api_config *cfg);

#endif
