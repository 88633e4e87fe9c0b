#include "config.h"

#include "dispatch_config.h"

#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPT(field) offsetof(struct dispatch_config, field)

static const struct option_def options[] = {
	{ "hook-allowed-hosts", OPTION_STRING, OPT(hook_allowed_hosts), "external", 0, 0,
	  "hosts webhooks may be sent to, checked at every connection: external, loopback,"
	  " private, *, networks (CIDR), host names (*.suffix); the same list as deploy-api's" },
	{ "ca-file", OPTION_STRING, OPT(ca_file), "", 0, 0,
	  "PEM file of the CAs that HTTPS receivers' certificates are verified against, in place of"
	  " the system's bundle file (a private CA; the system's CA directory still applies)" },
	{ "metrics-listen", OPTION_STRING, OPT(metrics_listen), "", 0, 0,
	  "HOST:PORT where GET /metrics is served (Prometheus; default: off)" },
	{ "hook-disable-after", OPTION_INT, OPT(hook_disable_after), "259200", 1, 31536000,
	  "seconds of failing deliveries (none delivered) after which a hook is disabled;"
	  " a 410 Gone disables it at once" },
	{ "show-outbox", OPTION_STRING, OPT(show_outbox), "", 0, 0,
	  "print the bodies of these outbox rows (comma-separated ids) as the fan-out would send"
	  " them, \"ID<tab>BODY\" lines, and exit; the rows stay" },
	{ "db", OPTION_STRING, OPT(db), "", 0, 0,
	  "libpq conninfo (default: the PG* environment variables)" },
	{ "concurrency", OPTION_INT, OPT(concurrency), "100", 1, 10000,
	  "requests in flight at once" },
	{ "hook-concurrency", OPTION_INT, OPT(hook_concurrency), "0", 0, 10000,
	  "requests in flight to one hook (0: half of --concurrency), so a slow receiver cannot take every slot" },
	{ "batch", OPTION_INT, OPT(batch), "100", 1, 10000,
	  "deliveries claimed (and outbox events fanned out, times 10) per statement" },
	{ "lease-seconds", OPTION_INT, OPT(lease_seconds), "60", 1, 86400,
	  "a claimed delivery is taken over by another instance after this; must exceed --timeout-seconds" },
	{ "retention-days", OPTION_INT, OPT(retention_days), "30", 1, 36500,
	  "delivered and failed deliveries are pruned this long after their last attempt" },
	{ "max-attempts", OPTION_INT, OPT(max_attempts), "0", 0, 1000,
	  "attempts before a delivery is marked failed (0: one per --schedule entry; 1: GitHub's own)" },
	{ "schedule", OPTION_STRING, OPT(schedule), "0,5,300,1800,7200,18000,36000,36000", 0, 0,
	  "seconds before each attempt (the last repeats), each with +-20% jitter" },
	{ "poll-ms", OPTION_INT, OPT(poll_ms), "25", 5, 3600000,
	  "look for work this often even without a notification" },
	{ "timeout-seconds", OPTION_INT, OPT(timeout_seconds), "10", 1, 3600,
	  "limit on one request, connection included" },
	{ "retry-after-max", OPTION_INT, OPT(retry_after_max), "3600", 0, 86400,
	  "longest Retry-After (on 429 and 503) honoured, in seconds" },
	{ "connect-timeout", OPTION_INT, OPT(connect_timeout), "2", 2, 3600,
	  "PostgreSQL connect_timeout in seconds" },
	{ "statement-timeout", OPTION_INT, OPT(statement_timeout), "10000", 1, INT64_MAX,
	  "PostgreSQL statement_timeout in milliseconds" },
};

int
dispatch_schedule_parse(const char *s, int64_t *delays_ms, size_t max, size_t *n)
{
	*n = 0;
	if (s == NULL || *s == '\0')
		return -1;
	for (;;) {
		char *end;
		double v;

		/* strtod would take white space, signs, hex and "inf": only
		 * plain decimals are a schedule. */
		if (!(*s >= '0' && *s <= '9'))
			return -1;
		errno = 0;
		v = strtod(s, &end);
		if (errno != 0 || end == s || !(v >= 0 && v <= 30.0 * 86400) || *n == max)
			return -1;
		for (const char *p = s; p < end; p++)
			if (!((*p >= '0' && *p <= '9') || *p == '.'))
				return -1;
		delays_ms[(*n)++] = (int64_t)(v * 1000.0 + 0.5);
		if (*end == '\0')
			return 0;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

/* Rules between options, checked once all are known. */
static int
config_check(struct dispatch_config *cfg)
{
	struct buf error = BUF_INIT;

	if (dispatch_schedule_parse(cfg->schedule, cfg->delays_ms, DISPATCH_SCHEDULE_MAX, &cfg->ndelays) < 0) {
		fprintf(stderr, "deploy-dispatch: --schedule takes up to %d comma-separated delays in seconds "
		    "(each at most 30 days), not '%s'\n", DISPATCH_SCHEDULE_MAX, cfg->schedule);
		return -1;
	}
	/* A lease shorter than a request would let another instance take a
	 * delivery over while it is still being sent. */
	if (cfg->lease_seconds <= cfg->timeout_seconds) {
		fprintf(stderr, "deploy-dispatch: --lease-seconds (%lld) must exceed --timeout-seconds (%lld)\n",
		    (long long)cfg->lease_seconds, (long long)cfg->timeout_seconds);
		return -1;
	}
	/* Checked now: unreadable, it would fail every HTTPS delivery. */
	if (*cfg->ca_file && access(cfg->ca_file, R_OK) != 0) {
		fprintf(stderr, "deploy-dispatch: --ca-file '%s': %s\n", cfg->ca_file, strerror(errno));
		return -1;
	}
	if (strspn(cfg->show_outbox, "0123456789,") != strlen(cfg->show_outbox)) {
		fprintf(stderr, "deploy-dispatch: --show-outbox takes comma-separated ids, not '%s'\n",
		    cfg->show_outbox);
		return -1;
	}
	if (cfg->max_attempts == 0)
		cfg->max_attempts = (int64_t)cfg->ndelays;
	if (cfg->hook_concurrency == 0 || cfg->hook_concurrency > cfg->concurrency)
		cfg->hook_concurrency = cfg->concurrency > 1 ? cfg->concurrency / 2 : 1;
	if (hook_target_policy_parse(&cfg->hook_targets, cfg->hook_allowed_hosts, &error) < 0) {
		fprintf(stderr, "deploy-dispatch: --hook-allowed-hosts: %s\n", buf_cstr(&error));
		buf_release(&error);
		return -1;
	}
	return 0;
}

void
dispatch_config_release(struct dispatch_config *cfg)
{
	hook_target_policy_release(&cfg->hook_targets);
}

int
dispatch_config_parse(struct dispatch_config *cfg, int argc, char **argv)
{
	static const struct option_table table = { "deploy-dispatch", options, ARRAY_SIZE(options) };
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = options_parse(&table, cfg, argc, argv);
	return rc != 0 ? rc : config_check(cfg);
}
