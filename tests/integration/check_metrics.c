/*
 * GET /metrics of deploy-api (its master, on --metrics-listen) and of
 * deploy-dispatch: valid Prometheus text, and the numbers move as
 * requests are made (200, 404 without a route, 401, the rate limit's 403,
 * 503s of a stopped database) and as webhooks are delivered. The API's
 * own location (nginx) never serves it.
 *
 * Before the tests, the stack's deploy-api is restarted with
 * --metrics-listen and a dispatcher started with it, each on a free port;
 * run-with-stack.sh stops both.
 */
#include "config.h"

#include <check.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "buf.h"
#include "dispatch_receiver.h"
#include "harness.h"
#include "suite.h"

#define API_WORKERS 2

static int api_port, dispatch_port;

/* A port on 127.0.0.1 that nothing listens on now. */
static int
free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		perror("free port");
		exit(1);
	}
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* The page at port's /metrics (asserted 200, Prometheus' media type). */
static char *
scrape(int port)
{
	struct http_response r;
	char url[64];
	char *type, *text;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", port);
	http_call(&r, "GET", url, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	type = http_header(&r, "Content-Type");
	ck_assert_str_eq(type, "text/plain; version=0.0.4; charset=utf-8");
	free(type);
	text = xstrdup(r.body ? r.body : "");
	http_response_release(&r);
	return text;
}

/* The value of series (name{labels} exactly as written), 0 when the page
 * has no such line: a counter not incremented yet. */
static double
value_of(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *line = text; *line; line = strchr(line, '\n') + 1) {
		if (strncmp(line, series, n) == 0 && line[n] == ' ')
			return strtod(line + n + 1, NULL);
		if (strchr(line, '\n') == NULL)
			break;
	}
	return 0;
}

static bool
has_series(const char *text, const char *series)
{
	struct buf needle = BUF_INIT;
	bool found;

	buf_printf(&needle, "\n%s ", series);
	found = strstr(text, needle.data) != NULL;
	buf_release(&needle);
	return found;
}

/* A histogram's state while its lines are checked. */
struct histogram_check {
	char series[512];   /* the labels of the buckets at hand, le aside */
	double last;        /* the previous bucket's count */
	double inf;         /* the +Inf bucket's, -1 until seen */
};

/* The labels of a bucket line without its le, and le's value. */
static void
split_le(const char *labels, char *rest, size_t restlen, char *le, size_t lelen)
{
	const char *at = strstr(labels, "le=\"");
	const char *end;

	ck_assert_msg(at != NULL, "bucket without le: %s", labels);
	end = strchr(at + 4, '"');
	ck_assert_ptr_nonnull(end);
	snprintf(le, lelen, "%.*s", (int)(end - at - 4), at + 4);
	/* {a="1",le="x"} -> {a="1"}; {le="x"} -> nothing, as _count has. */
	snprintf(rest, restlen, "%.*s%s", (int)(at - labels - (at[-1] == ',')), labels, end + 1);
	if (strcmp(rest, "{}") == 0)
		rest[0] = '\0';
}

static void
check_histogram_line(struct histogram_check *h, const char *family, const char *name,
    const char *labels, double value)
{
	size_t flen = strlen(family);
	const char *suffix = name + flen;

	ck_assert_msg(strncmp(name, family, flen) == 0, "%s outside its family %s", name, family);
	if (strcmp(suffix, "_bucket") == 0) {
		char rest[512], le[32];

		split_le(labels, rest, sizeof(rest), le, sizeof(le));
		if (strcmp(rest, h->series) != 0) {
			ck_assert_msg(h->series[0] == '\0' || h->inf >= 0, "%s%s: no +Inf bucket", family,
			    h->series);
			snprintf(h->series, sizeof(h->series), "%s", rest);
			h->last = 0;
			h->inf = -1;
		}
		ck_assert_msg(h->inf < 0, "%s%s: a bucket after +Inf", family, rest);
		ck_assert_msg(value >= h->last, "%s%s: buckets not cumulative at le=%s", family, rest, le);
		h->last = value;
		if (strcmp(le, "+Inf") == 0)
			h->inf = value;
		else
			ck_assert_msg(strtod(le, NULL) > 0, "%s: le=%s", family, le);
	} else if (strcmp(suffix, "_count") == 0) {
		ck_assert_msg(strcmp(labels, h->series) == 0 && h->inf >= 0,
		    "%s_count%s without its buckets", family, labels);
		ck_assert_msg(value == h->inf, "%s_count%s is not its +Inf bucket", family, labels);
	} else {
		ck_assert_msg(strcmp(suffix, "_sum") == 0, "%s in histogram %s", name, family);
		ck_assert_msg(value >= 0, "%s_sum%s negative", family, labels);
	}
}

/*
 * The page is the text format: each family once, "# HELP" then "# TYPE"
 * (counter, gauge or histogram), then its samples: counters end in
 * _total, durations are histograms in seconds whose buckets are
 * cumulative and end with +Inf, which _count repeats.
 */
static void
assert_exposition(const char *text)
{
	char family[128] = "", type[16] = "";
	struct buf seen = BUF_INIT;
	struct histogram_check h = { .inf = -1 };
	char *copy = xstrdup(text), *save = NULL;
	size_t samples = 0;

	ck_assert_msg(text[0] != '\0' && text[strlen(text) - 1] == '\n', "page not ended by a newline");
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], labels[512] = "", *value_at, *end;
		double value;

		if (strncmp(line, "# HELP ", 7) == 0) {
			ck_assert_msg(h.series[0] == '\0' || h.inf >= 0, "%s: last histogram unfinished", family);
			char *type_line = strtok_r(NULL, "\n", &save);
			char wanted[160];

			ck_assert_int_eq(sscanf(line + 7, "%127s", family), 1);
			ck_assert_msg(strlen(line) > 8 + strlen(family), "%s: empty help", family);
			ck_assert_ptr_nonnull(type_line);
			snprintf(wanted, sizeof(wanted), "# TYPE %s ", family);
			ck_assert_msg(strncmp(type_line, wanted, strlen(wanted)) == 0, "HELP %s, then %s",
			    family, type_line);
			snprintf(type, sizeof(type), "%s", type_line + strlen(wanted));
			ck_assert_msg(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0 ||
			    strcmp(type, "histogram") == 0, "%s: type %s", family, type);
			if (strcmp(type, "counter") == 0)
				ck_assert_msg(strlen(family) > 6 && strcmp(family + strlen(family) - 6, "_total") == 0,
				    "counter %s does not end in _total", family);
			if (strstr(family, "duration") != NULL)
				ck_assert_msg(strcmp(type, "histogram") == 0 &&
				    strcmp(family + strlen(family) - 8, "_seconds") == 0,
				    "%s: durations are histograms in seconds", family);
			/* wanted + 6 is " NAME ". */
			ck_assert_msg(seen.len == 0 || strstr(seen.data, wanted + 6) == NULL, "%s declared twice",
			    family);
			buf_printf(&seen, " %s ", family);
			h = (struct histogram_check){ .inf = -1 };
			continue;
		}
		ck_assert_msg(line[0] != '#', "comment line: %s", line);
		ck_assert_msg(family[0] != '\0', "sample before any # TYPE: %s", line);
		value_at = strrchr(line, ' ');
		ck_assert_msg(value_at != NULL, "no value: %s", line);
		value = strtod(value_at + 1, &end);
		ck_assert_msg(*end == '\0' && end != value_at + 1, "bad value: %s", line);
		*value_at = '\0';
		if (strchr(line, '{') != NULL) {
			ck_assert_msg(line[strlen(line) - 1] == '}', "bad labels: %s", line);
			ck_assert_int_eq(sscanf(line, "%255[^{]", name), 1);
			snprintf(labels, sizeof(labels), "%s", strchr(line, '{'));
		} else {
			snprintf(name, sizeof(name), "%s", line);
		}
		if (strcmp(type, "histogram") == 0)
			check_histogram_line(&h, family, name, labels, value);
		else
			ck_assert_msg(strcmp(name, family) == 0, "%s under # TYPE %s", name, family);
		ck_assert_msg(value >= 0, "negative: %s", line);
		samples++;
	}
	ck_assert_msg(strcmp(type, "histogram") != 0 || h.inf >= 0, "%s: last histogram unfinished", family);
	ck_assert_uint_gt(samples, 0);
	free(copy);
	buf_release(&seen);
}

static double
requests(const char *text, const char *route, const char *method, int code)
{
	char series[256];

	snprintf(series, sizeof(series), "deploy_api_requests_total{route=\"%s\",method=\"%s\",code=\"%d\"}",
	    route, method, code);
	return value_of(text, series);
}

static double
durations_count(const char *text, const char *route)
{
	char series[256];

	snprintf(series, sizeof(series), "deploy_api_request_duration_seconds_count{route=\"%s\"}", route);
	return value_of(text, series);
}

static char *
token_with_limit(const char *login, const char *limit)
{
	const char *args[] = { "token", "create", login, "--scopes", "repo", "--rate-limit", limit, NULL };

	return deployctl(args);
}

START_TEST(api_requests_move_the_counters)
{
	char login[40];
	char *token = make_user_with_token("metrics", "repo", login);
	char *limited = token_with_limit(login, "2");
	char *before, *after;

	before = scrape(api_port);
	assert_exposition(before);
	ck_assert_int_eq(http_status("GET", NULL, NULL, "/healthz"), 200);
	ck_assert_int_eq(http_status("GET", NULL, NULL, "/api/v3/no/such/route"), 404);
	ck_assert_int_eq(http_status("GET", NULL, NULL, "/api/v3/user"), 401);
	ck_assert_int_eq(http_status("GET", token, NULL, "/api/v3/user"), 200);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(http_status("GET", limited, NULL, "/api/v3/user"), 200);
	ck_assert_int_eq(http_status("GET", limited, NULL, "/api/v3/user"), 403);
	ck_assert_int_eq(http_status("POST", token, "{}", "/api/v3/user"), 404);
	after = scrape(api_port);
	assert_exposition(after);

	ck_assert_double_eq(requests(after, "/healthz", "GET", 200) - requests(before, "/healthz", "GET", 200), 1);
	ck_assert_double_eq(requests(after, "unmatched", "GET", 404) -
	    requests(before, "unmatched", "GET", 404), 1);
	/* A path some route has, with a method none has: no route matched. */
	ck_assert_double_eq(requests(after, "unmatched", "POST", 404) -
	    requests(before, "unmatched", "POST", 404), 1);
	ck_assert_double_eq(requests(after, "/user", "GET", 401) - requests(before, "/user", "GET", 401), 1);
	ck_assert_double_eq(requests(after, "/user", "GET", 200) - requests(before, "/user", "GET", 200), 3);
	ck_assert_double_eq(requests(after, "/user", "GET", 403) - requests(before, "/user", "GET", 403), 1);
	ck_assert_double_eq(durations_count(after, "/user") - durations_count(before, "/user"), 5);
	ck_assert_double_eq(durations_count(after, "/healthz") - durations_count(before, "/healthz"), 1);
	ck_assert_double_gt(value_of(after, "deploy_api_request_duration_seconds_sum{route=\"/user\"}"),
	    value_of(before, "deploy_api_request_duration_seconds_sum{route=\"/user\"}"));
	ck_assert_double_eq(value_of(after, "deploy_api_rate_limit_rejections_total") -
	    value_of(before, "deploy_api_rate_limit_rejections_total"), 1);
	ck_assert_double_eq(value_of(after, "deploy_api_workers"), API_WORKERS);
	ck_assert_double_eq(value_of(after, "deploy_api_workers_busy"), 0);
	/* Every route template has its histogram from the start. */
	ck_assert(has_series(before,
	    "deploy_api_request_duration_seconds_bucket{route=\"/repos/:owner/:repo/deployments\",le=\"+Inf\"}"));
	free(before);
	free(after);
	free(token);
	free(limited);
}
END_TEST

/* Requests waiting in the database (a lock on tokens) keep workers busy. */
START_TEST(busy_workers_are_counted)
{
	char login[40];
	char *token = make_user_with_token("busy", "repo", login);
	PGconn *c = PQconnectdb(env_or_die("DEPLOY_DB"));
	pid_t pid;
	double busy = 0;
	char *text;
	int status;

	ck_assert(PQstatus(c) == CONNECTION_OK);
	PQclear(PQexec(c, "BEGIN; LOCK TABLE tokens IN ACCESS EXCLUSIVE MODE"));
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(http_status("GET", token, NULL, "/api/v3/user") == 200 ? 0 : 1);
	for (int i = 0; i < 100 && busy < 1; i++) {
		sleep_ms(20);
		text = scrape(api_port);
		busy = value_of(text, "deploy_api_workers_busy");
		free(text);
	}
	ck_assert_double_eq(busy, 1);
	PQclear(PQexec(c, "COMMIT"));
	PQfinish(c);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	text = scrape(api_port);
	ck_assert_double_eq(value_of(text, "deploy_api_workers_busy"), 0);
	free(text);
	free(token);
}
END_TEST

START_TEST(database_outage_counts_errors_and_reconnects)
{
	char login[40];
	char *token = make_user_with_token("dbdown", "repo", login);
	const char *unavailable = "deploy_api_database_errors_total{kind=\"unavailable\"}";
	char *before, *after;
	long status = 0;

	ck_assert_int_eq(http_status("GET", token, NULL, "/api/v3/user"), 200);
	before = scrape(api_port);
	ck_assert_int_eq(stack_command("pg_stop \"$1\""), 0);
	ck_assert_int_eq(http_status("GET", token, NULL, "/api/v3/user"), 503);
	ck_assert_int_eq(stack_command("pg_start \"$1\""), 0);
	for (int i = 0; i < 50 && (status = http_status("GET", token, NULL, "/api/v3/user")) != 200; i++)
		sleep_ms(100);
	ck_assert_int_eq(status, 200);
	after = scrape(api_port);
	assert_exposition(after);
	ck_assert_double_ge(value_of(after, unavailable) - value_of(before, unavailable), 1);
	ck_assert_double_ge(value_of(after, "deploy_api_database_reconnects_total") -
	    value_of(before, "deploy_api_database_reconnects_total"), 1);
	ck_assert_double_ge(requests(after, "/user", "GET", 503) - requests(before, "/user", "GET", 503), 1);
	free(before);
	free(after);
	free(token);
}
END_TEST

/* Sends request on a new connection to port and returns all that comes
 * back until the server closes it. */
static char *
raw_exchange(int port, const char *request)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct buf answer = BUF_INIT;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char chunk[4096];
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* The server may close before taking it all: a reset is fine. */
	(void)send(fd, request, strlen(request), MSG_NOSIGNAL);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&answer, chunk, (size_t)n);
	close(fd);
	if (answer.data == NULL)
		return xstrdup("");
	return buf_detach(&answer);
}

/* Only the operator's address serves the metrics: through nginx they are
 * an unknown path, and the metrics address serves nothing else. */
START_TEST(metrics_only_on_their_own_address)
{
	const char *public_paths[] = { "/metrics", "/api/v3/metrics", "/api/metrics" };
	struct http_response r;
	char url[96];

	for (size_t i = 0; i < ARRAY_SIZE(public_paths); i++) {
		http_call(&r, "GET", public_paths[i], NULL, NULL, NULL);
		ck_assert_int_eq(r.status, 404);
		ck_assert_ptr_null(strstr(r.body ? r.body : "", "deploy_api_"));
		http_response_release(&r);
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", api_port);
	http_call(&r, "GET", url, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 404);
	http_response_release(&r);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics/x", api_port);
	http_call(&r, "GET", url, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 404);
	http_response_release(&r);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", api_port);
	http_call(&r, "POST", url, NULL, "{}", NULL);
	ck_assert_int_eq(r.status, 404);
	http_response_release(&r);
	/* A request over the size limit is closed unanswered, and the next
	 * one served. */
	{
		struct buf huge = BUF_INIT;
		char *answer;

		buf_puts(&huge, "GET /metrics HTTP/1.1\r\nX-Filler: ");
		for (int i = 0; i < 1000; i++)
			buf_puts(&huge, "0123456789");
		answer = raw_exchange(api_port, huge.data);
		ck_assert_str_eq(answer, "");
		free(answer);
		buf_release(&huge);
	}
	free(scrape(api_port));
}
END_TEST

static double
deliveries(const char *text, const char *result)
{
	char series[128];

	snprintf(series, sizeof(series), "deploy_dispatch_deliveries_total{result=\"%s\"}", result);
	return value_of(text, series);
}

static double
attempts(const char *text)
{
	return deliveries(text, "delivered") + deliveries(text, "retry") + deliveries(text, "failed");
}

START_TEST(dispatcher_deliveries_move_the_counters)
{
	struct receiver rcv;
	struct test_repo repo;
	struct buf hook = BUF_INIT;
	char *url, *before, *after = NULL;
	json_t *created;

	receiver_start(&rcv);
	test_repo_make(&repo, "metricshook", "hooked", false, NULL);
	url = receiver_url(&rcv, "metrics", "fail=1");
	buf_printf(&hook, "{\"config\":{\"url\":\"%s\",\"content_type\":\"json\"},\"events\":[\"deployment\"]}",
	    url);
	json_decref(http_json("POST", repo.token, hook.data, 201, "/api/v3%s/hooks", repo.path));
	/* The queue's figures come once the dispatcher's database answers
	 * (it may be in its backoff after the outage test). */
	before = scrape(dispatch_port);
	for (int i = 0; i < 50 && !has_series(before, "deploy_dispatch_queue_depth"); i++) {
		sleep_ms(100);
		free(before);
		before = scrape(dispatch_port);
	}
	assert_exposition(before);
	ck_assert(has_series(before, "deploy_dispatch_queue_depth"));
	ck_assert(has_series(before, "deploy_dispatch_outbox_depth"));
	ck_assert(has_series(before, "deploy_dispatch_oldest_pending_age_seconds"));
	created = http_json("POST", repo.token,
	    "{\"ref\":\"0123456789abcdef0123456789abcdef01234567\",\"required_contexts\":[]}", 201,
	    "/api/v3%s", repo.deployments);
	json_decref(created);
	/* The receiver fails the first request: one retry, then delivered
	 * (the default schedule retries after 5 s). */
	for (int i = 0; i < 150; i++) {
		free(after);
		after = scrape(dispatch_port);
		if (deliveries(after, "delivered") > deliveries(before, "delivered"))
			break;
		sleep_ms(100);
	}
	assert_exposition(after);
	ck_assert_double_ge(deliveries(after, "delivered") - deliveries(before, "delivered"), 1);
	ck_assert_double_ge(deliveries(after, "retry") - deliveries(before, "retry"), 1);
	ck_assert_double_eq(
	    value_of(after, "deploy_dispatch_attempt_duration_seconds_count") -
	    value_of(before, "deploy_dispatch_attempt_duration_seconds_count"),
	    attempts(after) - attempts(before));
	ck_assert_uint_ge(receiver_poll(&rcv), 2);
	free(before);
	free(after);
	free(url);
	buf_release(&hook);
	receiver_stop(&rcv);
}
END_TEST

/* Restarts the stack's deploy-api with metrics and starts a dispatcher
 * with them, once before the tests (in the process that forks them). */
static void
start_with_metrics(void)
{
	struct buf cmd = BUF_INIT;

	api_port = free_port();
	dispatch_port = free_port();
	while (dispatch_port == api_port)
		dispatch_port = free_port();
	buf_printf(&cmd, "stop_pidfile \"$1/run/deploy-api.pid\" && "
	    "api_start \"$1\" \"$2\" --workers %d --base-url \"$DEPLOY_URL\" --metrics-listen 127.0.0.1:%d && "
	    "dispatch_start \"$1\" \"$2\" --metrics-listen 127.0.0.1:%d",
	    API_WORKERS, api_port, dispatch_port);
	ck_assert_int_eq(stack_command(cmd.data), 0);
	buf_release(&cmd);
}

int
main(void)
{
	TCase *tc = tcase_of("metrics", 90, (const TTest *const[]){
		api_requests_move_the_counters, busy_workers_are_counted,
		database_outage_counts_errors_and_reconnects, metrics_only_on_their_own_address,
		dispatcher_deliveries_move_the_counters, NULL });

	tcase_add_unchecked_fixture(tc, start_with_metrics, NULL);
	return suite_failures(suite_of("metrics", tc, NULL)) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
