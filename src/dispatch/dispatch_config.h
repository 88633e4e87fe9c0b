/*
 * deploy-dispatch's configuration: one table of options (name, type, default,
 * limits, help) parsed from the command line, in the manner of api_config.c.
 */
#ifndef DEPLOY_DISPATCH_CONFIG_H
#define DEPLOY_DISPATCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hook_target.h"
#include "util.h"

/* Longest retry schedule accepted. */
#define DISPATCH_SCHEDULE_MAX 32

struct dispatch_config {
	const char *db;               /* libpq conninfo; "" = PG* variables */
	int64_t concurrency;          /* requests in flight at once */
	int64_t hook_concurrency;     /* in flight to one hook; 0 = concurrency / 2 */
	int64_t batch;                /* deliveries claimed per statement */
	int64_t lease_seconds;        /* a claim is taken over after this */
	int64_t retention_days;       /* finished deliveries are pruned after */
	int64_t max_attempts;         /* 0 = one per schedule entry */
	const char *schedule;         /* "0,5,300,..." seconds, as given */
	int64_t poll_ms;              /* look for work this often without NOTIFY */
	int64_t timeout_seconds;      /* one request, connect included */
	int64_t retry_after_max;      /* seconds of Retry-After honoured at most */
	int64_t hook_disable_after;   /* seconds of failures that disable a hook */
	int64_t connect_timeout;      /* PostgreSQL connect_timeout, seconds */
	int64_t statement_timeout;    /* PostgreSQL statement_timeout, ms */
	const char *ca_file;          /* PEM CAs for HTTPS receivers; "" = the system's */
	const char *metrics_listen;   /* "host:port" of GET /metrics; "": none */
	const char *show_outbox;      /* "1,2": print these rows' bodies and exit; "": run */
	const char *hook_allowed_hosts; /* as given; parsed into hook_targets */
	struct hook_target_policy hook_targets;

	/* Derived from schedule: the delay before attempt i + 1, in ms
	 * (delays[0] is the first attempt's, always taken as "now"). */
	int64_t delays_ms[DISPATCH_SCHEDULE_MAX];
	size_t ndelays;
};

/* Fills cfg from argv; prints usage or the error and returns -1 when the
 * arguments are wrong, 1 when --help was asked for, 0 otherwise. */
int dispatch_config_parse(struct dispatch_config *cfg, int argc, char **argv) MUST_CHECK;
/* Frees what parsing allocated (the hook host list). */
void dispatch_config_release(struct dispatch_config *cfg);

/* Parses "0,5,0.5,300" (seconds, fractions allowed) into delays_ms; -1
 * on an empty, negative, malformed or too long list. */
int dispatch_schedule_parse(const char *s, int64_t *delays_ms, size_t max, size_t *n) MUST_CHECK;

#endif
