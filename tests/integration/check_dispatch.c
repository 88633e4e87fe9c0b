/*
 * deploy-dispatch against real PostgreSQL and real HTTP receivers on
 * loopback (dispatch_receiver.c): GitHub's headers and signatures, both
 * content types, retries under one guid, per-deployment order while the
 * receiver fails, exactly-once with three instances, SIGKILL and restart,
 * the database restarted underneath, a hanging receiver, SIGTERM, pruning,
 * and the claim's plan. Each test starts its own dispatchers and kills
 * them; hooks from earlier tests are deleted first.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "db.h"
#include "dispatch_config.h"
#include "dispatch_job.h"
#include "dispatch_receiver.h"
#include "retry_schedule.h"
#include "dispatch_store.h"
#include "harness.h"
#include "suite.h"
#include "webhook_signature.h"

#define MAX_DISPATCHERS 8

static pid_t dispatchers[MAX_DISPATCHERS];
static PGconn *conn;

/* ---- helpers ---------------------------------------------------------- */

static double
wall_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static PGconn *
db(void)
{
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		if (conn)
			PQfinish(conn);
		conn = PQconnectdb(env_or_die("DEPLOY_DB_OWNER"));
	}
	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "%s", PQerrorMessage(conn));
	return conn;
}

/* The first column of the first row (NULL for none or SQL NULL), newly
 * allocated; the statement must succeed. */
static char *
sql_value(const char *fmt, ...) PRINTF_LIKE(1, 2);

static char *
sql_value(const char *fmt, ...)
{
	struct buf sql = BUF_INIT;
	va_list ap;
	PGresult *r;
	char *v = NULL;

	va_start(ap, fmt);
	buf_vprintf(&sql, fmt, ap);
	va_end(ap);
	r = PQexec(db(), sql.data);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK,
	    "%s: %s", sql.data, PQresultErrorMessage(r));
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	buf_release(&sql);
	return v;
}

static int64_t
db_int(const char *fmt, ...) PRINTF_LIKE(1, 2);

static int64_t
db_int(const char *fmt, ...)
{
	struct buf sql = BUF_INIT;
	va_list ap;
	char *v;
	int64_t n;

	va_start(ap, fmt);
	buf_vprintf(&sql, fmt, ap);
	va_end(ap);
	v = sql_value("%s", sql.data);
	n = v ? strtoll(v, NULL, 10) : -1;
	free(v);
	buf_release(&sql);
	return n;
}

/* A literal for SQL text built by the test itself. */
static char *
sql_quote(const char *s)
{
	char *q = PQescapeLiteral(db(), s, strlen(s));
	char *copy = xstrdup(q);

	PQfreemem(q);
	return copy;
}

/* Removes what earlier tests left: hooks (and their deliveries), events. */
static void
clean_slate(void)
{
	free(sql_value("DELETE FROM hooks"));
	free(sql_value("DELETE FROM outbox"));
}

/* A new user and a repository of theirs; returns the repository id. */
static int64_t
make_repository(void)
{
	char owner[40], name[40], full[128];
	const char *create_user[] = { "user", "create", owner, NULL };
	const char *create_repo[] = { "repo", "create", full, NULL };

	unique_name("hookowner", owner, sizeof(owner));
	unique_name("hooked", name, sizeof(name));
	snprintf(full, sizeof(full), "%s/%s", owner, name);
	free(deployctl(create_user));
	free(deployctl(create_repo));
	return db_int("SELECT r.id FROM repositories r JOIN users u ON u.id = r.owner_id"
	    " WHERE u.login = '%s' AND r.name = '%s'", owner, name);
}

static int64_t
make_hook(int64_t repository_id, const char *url, const char *content_type, const char *secret,
    const char *events)
{
	char *q_url = sql_quote(url);
	char *q_secret = secret ? sql_quote(secret) : xstrdup("NULL");
	int64_t id = db_int("INSERT INTO hooks (repository_id, url, content_type, secret, events)"
	    " VALUES (%" PRId64 ", %s, '%s', %s, '%s') RETURNING id", repository_id, q_url, content_type,
	    q_secret, events);

	free(q_url);
	free(q_secret);
	return id;
}

/* A hook pointing at the receiver's /name?query. */
static int64_t
receiver_hook(int64_t repository_id, const struct receiver *rcv, const char *name, const char *query,
    const char *content_type, const char *secret, const char *events)
{
	char *url = receiver_url(rcv, name, query);
	int64_t id = make_hook(repository_id, url, content_type, secret, events);

	free(url);
	return id;
}

/* deployment_id 0: none. */
static void
add_event(int64_t repository_id, const char *event, int64_t deployment_id, const char *payload)
{
	char *q = sql_quote(payload);
	char dep[32];

	if (deployment_id)
		snprintf(dep, sizeof(dep), "%" PRId64, deployment_id);
	else
		snprintf(dep, sizeof(dep), "NULL");
	free(sql_value("INSERT INTO outbox (event, action, repository_id, deployment_id, payload)"
	    " VALUES ('%s', 'created', %" PRId64 ", %s, %s)", event, repository_id, dep, q));
	free(q);
}

/* Starts deploy-dispatch with the stack's database and args (NULL
 * terminated); its log goes to DEPLOY_DATA/log/dispatch.log. */
static pid_t
dispatcher_start(const char *const *args)
{
	struct buf path = BUF_INIT, log_path = BUF_INIT;
	char *argv[40];
	size_t n = 0;
	pid_t pid;

	buf_printf(&path, "%s/deploy-dispatch", env_or_die("DEPLOY_BIN"));
	buf_printf(&log_path, "%s/log/dispatch.log", env_or_die("DEPLOY_DATA"));
	argv[n++] = path.data;
	argv[n++] = (char *)"--db";
	argv[n++] = (char *)env_or_die("DEPLOY_DB");
	/* The receivers are on 127.0.0.1 (run-with-stack.sh allows it). */
	argv[n++] = (char *)"--hook-allowed-hosts";
	argv[n++] = (char *)env_or_die("DEPLOY_HOOK_ALLOWED_HOSTS");
	for (size_t i = 0; args && args[i] && n < 39; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(log_path.data, O_WRONLY | O_CREAT | O_APPEND, 0644);

		/* Never outlives the test, even one an assertion ends early. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			dup2(fd, STDOUT_FILENO);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	for (size_t i = 0; i < MAX_DISPATCHERS; i++)
		if (dispatchers[i] == 0) {
			dispatchers[i] = pid;
			break;
		}
	buf_release(&path);
	buf_release(&log_path);
	return pid;
}

/* Sends sig and waits up to limit_ms for the exit; returns the wait
 * status, or -1 if it did not exit in time (it is then killed). */
static int
dispatcher_stop(pid_t pid, int sig, int limit_ms)
{
	int status = 0;

	kill(pid, sig);
	for (int waited = 0; waited <= limit_ms; waited += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			goto reaped;
		sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	status = -1;
reaped:
	for (size_t i = 0; i < MAX_DISPATCHERS; i++)
		if (dispatchers[i] == pid)
			dispatchers[i] = 0;
	return status;
}

static void
stop_all_dispatchers(void)
{
	for (size_t i = 0; i < MAX_DISPATCHERS; i++)
		if (dispatchers[i] > 0)
			(void)dispatcher_stop(dispatchers[i], SIGKILL, 5000);
}

static bool
process_running(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* CPU seconds (user + system) pid has used, from /proc. */
static double
process_cpu_seconds(pid_t pid)
{
	char path[64], line[1024];
	unsigned long utime = 0, stime = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	fclose(f);
	ck_assert_int_eq(sscanf(strrchr(line, ')') + 2,
	    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime), 2);
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* Waits until the receiver has at least n records; fails after limit_ms. */
static void
wait_records(struct receiver *r, size_t n, int limit_ms)
{
	for (int waited = 0; receiver_poll(r) < n; waited += 20) {
		ck_assert_msg(waited < limit_ms, "receiver got %zu requests in %d ms, expected %zu",
		    receiver_poll(r), limit_ms, n);
		sleep_ms(20);
	}
}

/* 300 ms on, the receiver still has exactly n records: nothing came
 * late or twice. */
static void
assert_no_more_records(struct receiver *r, size_t n)
{
	sleep_ms(300);
	ck_assert_uint_eq(receiver_poll(r), n);
}

/* Waits until the SQL count reaches n. */
static void
wait_count(int64_t n, int limit_ms, const char *sql)
{
	int64_t got = -1;

	for (int waited = 0; (got = db_int("%s", sql)) < n; waited += 50) {
		ck_assert_msg(waited < limit_ms, "%s: %" PRId64 " after %d ms, expected %" PRId64, sql, got,
		    limit_ms, n);
		sleep_ms(50);
	}
}

static const char *
rec_header(json_t *rec, const char *name)
{
	return json_string_value(json_object_get(json_object_get(rec, "headers"), name));
}

static const char *
rec_body(json_t *rec)
{
	return json_string_value(json_object_get(rec, "body"));
}

static double
rec_time(json_t *rec)
{
	return json_real_value(json_object_get(rec, "t"));
}

static int
rec_status(json_t *rec)
{
	return (int)json_integer_value(json_object_get(rec, "status"));
}

static bool
rec_is(json_t *rec, const char *name)
{
	return strcmp(json_string_value(json_object_get(rec, "name")), name) == 0;
}

/* The test's own HMAC (OpenSSL directly, not sign.c) as "algo=hex". */
static void
hmac_hex(const EVP_MD *md, const char *prefix, const char *key, const char *data, char *out)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	size_t p;

	ck_assert_ptr_nonnull(HMAC(md, key, (int)strlen(key), (const unsigned char *)data, strlen(data),
	    mac, &len));
	p = (size_t)sprintf(out, "%s", prefix);
	for (unsigned int i = 0; i < len; i++)
		p += (size_t)sprintf(out + p, "%02x", mac[i]);
}

static char *
url_decode(const char *s)
{
	struct buf out = BUF_INIT;

	buf_append(&out, "", 0);
	for (; *s; s++) {
		if (*s == '%' && s[1] && s[2]) {
			char hex[3] = { s[1], s[2], 0 };

			buf_putc(&out, (char)strtol(hex, NULL, 16));
			s += 2;
		} else {
			buf_putc(&out, *s == '+' ? ' ' : *s);
		}
	}
	return buf_detach(&out);
}

static void
setup(void)
{
	clean_slate();
}

static void
teardown(void)
{
	stop_all_dispatchers();
	if (conn) {
		PQfinish(conn);
		conn = NULL;
	}
}

/* ---- pure pieces ------------------------------------------------------ */

START_TEST(test_sign_vectors)
{
	char out[SIGN_SHA256_LEN], sha1[SIGN_SHA1_LEN];
	const char *secret = "It's a Secret to Everybody";

	/* GitHub's documented example ("Validating webhook deliveries"). */
	ck_assert_int_eq(sign_sha256(secret, strlen(secret), "Hello, World!", 13, out), 0);
	ck_assert_str_eq(out, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
	/* RFC 2202 test case 2. */
	ck_assert_int_eq(sign_sha1("Jefe", 4, "what do ya want for nothing?", 28, sha1), 0);
	ck_assert_str_eq(sha1, "sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}
END_TEST

START_TEST(test_schedule_and_retry)
{
	int64_t delays[DISPATCH_SCHEDULE_MAX];
	size_t n;
	struct dispatch_retry r;
	int64_t delay;
	char *clean;

	ck_assert_int_eq(dispatch_schedule_parse("0,5,300,1800,7200,18000,36000,36000", delays,
	    DISPATCH_SCHEDULE_MAX, &n), 0);
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(delays[7], 36000000);
	ck_assert_int_eq(dispatch_schedule_parse("0,0.25", delays, DISPATCH_SCHEDULE_MAX, &n), 0);
	ck_assert_int_eq(delays[1], 250);
	ck_assert_int_lt(dispatch_schedule_parse("", delays, DISPATCH_SCHEDULE_MAX, &n), 0);
	ck_assert_int_lt(dispatch_schedule_parse("1,,2", delays, DISPATCH_SCHEDULE_MAX, &n), 0);
	ck_assert_int_lt(dispatch_schedule_parse("-1", delays, DISPATCH_SCHEDULE_MAX, &n), 0);
	ck_assert_int_lt(dispatch_schedule_parse("1e3", delays, DISPATCH_SCHEDULE_MAX, &n), 0);
	ck_assert_int_lt(dispatch_schedule_parse("5,", delays, DISPATCH_SCHEDULE_MAX, &n), 0);

	ck_assert_int_eq(dispatch_schedule_parse("0,5,300", delays, DISPATCH_SCHEDULE_MAX, &n), 0);
	dispatch_retry_init(&r, delays, n, 4, 3600000, 42);
	ck_assert_int_eq(dispatch_retry_decide(&r, 1, 204, -1, &delay), DISPATCH_DELIVERED);
	ck_assert_int_eq(dispatch_retry_decide(&r, 4, 200, -1, &delay), DISPATCH_DELIVERED);
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(dispatch_retry_decide(&r, 1, 500, -1, &delay), DISPATCH_RETRY);
		ck_assert_int_ge(delay, 4000);
		ck_assert_int_le(delay, 6000);
		/* Past the schedule's end, its last entry repeats. */
		ck_assert_int_eq(dispatch_retry_decide(&r, 3, 0, -1, &delay), DISPATCH_RETRY);
		ck_assert_int_ge(delay, 240000);
		ck_assert_int_le(delay, 360000);
	}
	ck_assert_int_eq(dispatch_retry_decide(&r, 4, 500, -1, &delay), DISPATCH_FAILED);
	ck_assert_int_eq(dispatch_retry_decide(&r, 4, 410, -1, &delay), DISPATCH_FAILED);
	ck_assert_int_eq(dispatch_retry_decide(&r, 1, 302, -1, &delay), DISPATCH_RETRY);
	/* Retry-After on 429 and 503 only, and bounded. */
	ck_assert_int_eq(dispatch_retry_decide(&r, 1, 429, 120000, &delay), DISPATCH_RETRY);
	ck_assert_int_eq(delay, 120000);
	ck_assert_int_eq(dispatch_retry_decide(&r, 1, 503, 86400000, &delay), DISPATCH_RETRY);
	ck_assert_int_eq(delay, 3600000);
	ck_assert_int_eq(dispatch_retry_decide(&r, 1, 500, 120000, &delay), DISPATCH_RETRY);
	ck_assert_int_le(delay, 6000);

	ck_assert_int_eq(dispatch_retry_after_parse("120", 0), 120000);
	ck_assert_int_eq(dispatch_retry_after_parse(" 7 ", 0), 7000);
	ck_assert_int_eq(dispatch_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470), 10000);
	ck_assert_int_eq(dispatch_retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490), 0);
	ck_assert_int_eq(dispatch_retry_after_parse("soon", 0), -1);
	ck_assert_int_eq(dispatch_retry_after_parse("12x", 0), -1);

	clean = dispatch_text_clean("ok\xff\xc3\xa9\0z\xe2\x82", 9);
	ck_assert_str_eq(clean, "ok\xef\xbf\xbd\xc3\xa9z\xef\xbf\xbd\xef\xbf\xbd");
	free(clean);
}
END_TEST

/* ---- delivery --------------------------------------------------------- */

START_TEST(test_signed_json_and_headers)
{
	struct receiver rcv;
	char want[128], wrong[128];
	const char *secret = "It's a Secret to Everybody";
	const char *payload = "{\"action\":\"created\",\"deployment\":{\"id\":77},\"n\":\"\\u00e9 & \\\"x\\\"\"}";
	const char *args[] = { "--poll-ms", "200", NULL };
	int64_t repo, signed_hook, plain_hook, star_hook;
	size_t nsigned = 0, nplain = 0, nstar = 0;
	char *guid;

	receiver_start(&rcv);
	repo = make_repository();
	signed_hook = receiver_hook(repo, &rcv, "signed", NULL, "json", secret, "{deployment}");
	plain_hook = receiver_hook(repo, &rcv, "plain", NULL, "json", NULL, "{deployment}");
	star_hook = receiver_hook(repo, &rcv, "star", NULL, "json", "", "{*}");
	/* Inactive: never delivered to. */
	free(sql_value("UPDATE hooks SET active = false WHERE id = %" PRId64,
	    receiver_hook(repo, &rcv, "inactive", NULL, "json", NULL, "{*}")));
	add_event(repo, "deployment", 77, payload);
	add_event(repo, "deployment_status", 77, "{\"status\":1}");
	dispatcher_start(args);

	/* signed + plain get the deployment; star gets both events. */
	wait_records(&rcv, 4, 10000);
	assert_no_more_records(&rcv, 4);
	ck_assert_int_eq(db_int("SELECT count(*) FROM outbox"), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM deliveries"), 4);

	for (size_t i = 0; i < 4; i++) {
		json_t *rec = json_array_get(rcv.records, i);
		const char *event = rec_header(rec, "x-github-event");
		int64_t hook_id = strtoll(rec_header(rec, "x-github-hook-id"), NULL, 10);

		ck_assert_str_eq(json_string_value(json_object_get(rec, "path")) + 1,
		    json_string_value(json_object_get(rec, "name")));
		ck_assert_int_eq(strncmp(rec_header(rec, "user-agent"), "GitHub-Hookshot/", 16), 0);
		ck_assert_str_eq(rec_header(rec, "content-type"), "application/json");
		ck_assert_str_eq(rec_header(rec, "x-github-hook-installation-target-type"), "repository");
		ck_assert_int_eq(strtoll(rec_header(rec, "x-github-hook-installation-target-id"), NULL, 10), repo);
		ck_assert_ptr_null(rec_header(rec, "expect"));
		guid = sql_value("SELECT guid FROM deliveries WHERE hook_id = %" PRId64 " AND event = '%s'",
		    hook_id, event);
		ck_assert_ptr_nonnull(guid);
		ck_assert_str_eq(rec_header(rec, "x-github-delivery"), guid);
		free(guid);
		if (rec_is(rec, "signed")) {
			nsigned++;
			ck_assert_int_eq(hook_id, signed_hook);
			ck_assert_str_eq(event, "deployment");
			/* The body is the payload byte for byte. */
			ck_assert_str_eq(rec_body(rec), payload);
			hmac_hex(EVP_sha256(), "sha256=", secret, rec_body(rec), want);
			hmac_hex(EVP_sha256(), "sha256=", "another secret", rec_body(rec), wrong);
			ck_assert_str_eq(rec_header(rec, "x-hub-signature-256"), want);
			ck_assert_str_ne(rec_header(rec, "x-hub-signature-256"), wrong);
			hmac_hex(EVP_sha1(), "sha1=", secret, rec_body(rec), want);
			hmac_hex(EVP_sha1(), "sha1=", "another secret", rec_body(rec), wrong);
			ck_assert_str_eq(rec_header(rec, "x-hub-signature"), want);
			ck_assert_str_ne(rec_header(rec, "x-hub-signature"), wrong);
		} else if (rec_is(rec, "plain")) {
			nplain++;
			ck_assert_int_eq(hook_id, plain_hook);
			ck_assert_ptr_null(rec_header(rec, "x-hub-signature-256"));
			ck_assert_ptr_null(rec_header(rec, "x-hub-signature"));
		} else {
			ck_assert(rec_is(rec, "star"));
			nstar++;
			ck_assert_int_eq(hook_id, star_hook);
			/* An empty secret signs nothing, as on GitHub. */
			ck_assert_ptr_null(rec_header(rec, "x-hub-signature-256"));
		}
	}
	ck_assert_uint_eq(nsigned, 1);
	ck_assert_uint_eq(nplain, 1);
	ck_assert_uint_eq(nstar, 2);

	/* The bookkeeping the deliveries API reads. */
	wait_count(4, 5000, "SELECT count(*) FROM deliveries WHERE status = 'delivered'");
	ck_assert_int_eq(db_int("SELECT count(*) FROM deliveries WHERE attempts = 1 AND status_code = 204"
	    " AND delivered_at IS NOT NULL AND duration_ms >= 0"
	    " AND event_seq > 0 AND deployment_id = 77"), 4);
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id"
	    " WHERE a.status_code = 204 AND a.error IS NULL"
	    "   AND a.request_headers->>'X-GitHub-Delivery' = d.guid::text"
	    "   AND a.request_headers->>'X-GitHub-Event' = d.event"
	    "   AND a.response_headers->>'X-Receiver' = 'test'"), 4);
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts"
	    " WHERE request_headers->>'X-Hub-Signature-256' LIKE 'sha256=%%'"), 1);
	/* Done with: out of the work list. */
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_queue"), 0);
	receiver_stop(&rcv);
}
END_TEST

START_TEST(test_form_content_type)
{
	struct receiver rcv;
	char want[128];
	const char *payload = "{\"action\":\"created\",\"text\":\"a b&c=d/e?f+g%h\\u00e9\",\"deployment\":{\"id\":1}}";
	const char *args[] = { "--poll-ms", "200", NULL };
	int64_t repo;
	json_t *rec;
	const char *body;
	char *decoded;

	receiver_start(&rcv);
	repo = make_repository();
	receiver_hook(repo, &rcv, "form", NULL, "form", "s3cr3t", "{deployment}");
	add_event(repo, "deployment", 1, payload);
	dispatcher_start(args);
	wait_records(&rcv, 1, 10000);
	rec = json_array_get(rcv.records, 0);
	body = rec_body(rec);
	ck_assert_str_eq(rec_header(rec, "content-type"), "application/x-www-form-urlencoded");
	ck_assert_int_eq(strncmp(body, "payload=", 8), 0);
	/* Only the urlencoded form is sent: no raw JSON characters. */
	ck_assert_ptr_null(strpbrk(body + 8, "{}\" &=+/?"));
	decoded = url_decode(body + 8);
	ck_assert_str_eq(decoded, payload);
	free(decoded);
	/* Signed over the exact form body, not the JSON inside it. */
	hmac_hex(EVP_sha256(), "sha256=", "s3cr3t", body, want);
	ck_assert_str_eq(rec_header(rec, "x-hub-signature-256"), want);
	hmac_hex(EVP_sha1(), "sha1=", "s3cr3t", body, want);
	ck_assert_str_eq(rec_header(rec, "x-hub-signature"), want);
	receiver_stop(&rcv);
}
END_TEST

/* A user with a token (returned), a repository of theirs made through
 * deployctl ("login/name" in full, at least 100 bytes; its id in *repo)
 * and a hook of it at rcv for events. */
static char *
api_repository_hooked(const char *prefix, struct receiver *rcv, const char *events, char *login,
    char *full, int64_t *repo)
{
	char name[40];
	const char *repo_create[] = { "repo", "create", full, NULL };
	char *token = make_user_with_token(prefix, "repo", login);

	unique_name(prefix, name, sizeof(name));
	snprintf(full, 100, "%s/%s", login, name);
	free(deployctl(repo_create));
	*repo = db_int("SELECT id FROM repositories WHERE name = '%s'", name);
	receiver_hook(*repo, rcv, prefix, NULL, "json", "k", events);
	return token;
}

/* The real path: POST /deployments commits the deployment and its event;
 * the dispatcher, polling the outbox (the API's writes do not NOTIFY: see
 * sql/0006_write_path.sql), delivers it. */
START_TEST(test_event_from_api)
{
	struct receiver rcv;
	char login[40], path[160], full[100];
	const char *args[] = { NULL };
	struct http_response res;
	char *token;
	int64_t repo;
	json_t *rec, *body;
	double posted;

	receiver_start(&rcv);
	token = api_repository_hooked("apihook", &rcv, "{deployment,deployment_status}", login, full,
	    &repo);
	/* The default poll interval (25 ms) is what delivers it promptly. */
	dispatcher_start(args);
	sleep_ms(500);
	snprintf(path, sizeof(path), "/api/v3/repos/%s/deployments", full);
	posted = wall_clock();
	http_call(&res, "POST", path, token,
	    "{\"ref\":\"0123456789abcdef0123456789abcdef01234567\",\"environment\":\"production\","
	    "\"required_contexts\":[]}", NULL);
	ck_assert_int_eq(res.status, 201);
	wait_records(&rcv, 1, 5000);
	rec = json_array_get(rcv.records, 0);
	ck_assert_str_eq(rec_header(rec, "x-github-event"), "deployment");
	body = json_loads(rec_body(rec), 0, NULL);
	ck_assert_ptr_nonnull(body);
	ck_assert_str_eq(json_string_value(json_object_get(body, "action")), "created");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(body, "deployment"), "id")),
	    json_integer_value(json_object_get(res.json, "id")));
	/* Within a few polls, not a delay. */
	ck_assert_double_lt(rec_time(rec) - posted, 1.0);
	json_decref(body);
	http_response_release(&res);
	free(token);
	receiver_stop(&rcv);
}
END_TEST

/* A GET's body, newly allocated, without a trailing newline. */
static char *
get_body(const char *token, const char *fmt, ...) PRINTF_LIKE(2, 3);

static char *
get_body(const char *token, const char *fmt, ...)
{
	struct buf path = BUF_INIT;
	struct http_response res;
	va_list ap;
	char *body;
	size_t n;

	va_start(ap, fmt);
	buf_vprintf(&path, fmt, ap);
	va_end(ap);
	http_call(&res, "GET", path.data, token, NULL, NULL);
	ck_assert_msg(res.status == 200, "GET %s: %ld %s", path.data, res.status, res.body);
	n = res.body_len;
	while (n > 0 && (res.body[n - 1] == '\n' || res.body[n - 1] == '\r'))
		n--;
	body = xstrndup(res.body, n);
	http_response_release(&res);
	buf_release(&path);
	return body;
}

/* The delivered body begins with want, byte for byte; its repository is
 * the GET's without permissions, its sender the caller. */
static void
assert_event_body(json_t *rec, const char *want, const char *repository, const char *login)
{
	const char *body = rec_body(rec);
	json_t *v = json_loads(body, 0, NULL), *repo = json_loads(repository, 0, NULL);

	ck_assert_msg(strncmp(body, want, strlen(want)) == 0, "delivered:\n%s\nwanted it to begin with:\n%s",
	    body, want);
	ck_assert_ptr_nonnull(v);
	json_object_del(repo, "permissions");
	ck_assert_msg(json_equal(json_object_get(v, "repository"), repo), "repository differs:\n%s\n%s",
	    body, repository);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(v, "sender"), "login")), login);
	json_decref(repo);
	json_decref(v);
}

/*
 * Bodies are rendered at fan-out from the event's own values (sql/0014):
 * with the dispatcher stopped, a deployment, a status, a second status
 * that moves the deployment to another environment (and changes its
 * updated_at), then the deployment deleted with its statuses. Delivered
 * afterwards, each event is what the API's GETs said at its time, to the
 * byte.
 */
START_TEST(test_event_values_of_their_time)
{
	struct receiver rcv;
	char login[40], path[200], full[100];
	const char *args[] = { NULL };
	struct http_response res;
	struct buf want[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	char *token, *repository, *dep, *st, *shown[3];
	int64_t repo, id, sid;
	const char *statuses[2] = { "{\"state\":\"in_progress\",\"log_url\":\"https://ci.example/1\"}",
		"{\"state\":\"success\",\"environment\":\"production\",\"description\":\"moved\"}" };

	receiver_start(&rcv);
	token = api_repository_hooked("lean", &rcv, "{deployment,deployment_status}", login, full, &repo);
	snprintf(path, sizeof(path), "/api/v3/repos/%s/deployments", full);
	http_call(&res, "POST", path, token,
	    "{\"ref\":\"0123456789abcdef0123456789abcdef01234567\",\"environment\":\"staging\","
	    "\"required_contexts\":[],\"payload\":{\"b\": [1,  2], \"a\":\"\\u00e9\"}}", NULL);
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	id = json_integer_value(json_object_get(res.json, "id"));
	http_response_release(&res);
	repository = get_body(token, "/api/v3/repos/%s", full);
	dep = get_body(token, "/api/v3/repos/%s/deployments/%" PRId64, full, id);
	buf_printf(&want[0], "{\"action\":\"created\",\"deployment\":%s,\"workflow\":null,"
	    "\"workflow_run\":null,\"repository\":", dep);
	free(dep);
	for (int i = 0; i < 2; i++) {
		/* Times are in seconds: the next status changes updated_at. */
		sleep_ms(1100);
		snprintf(path, sizeof(path), "/api/v3/repos/%s/deployments/%" PRId64 "/statuses", full, id);
		http_call(&res, "POST", path, token, statuses[i], NULL);
		ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
		sid = json_integer_value(json_object_get(res.json, "id"));
		http_response_release(&res);
		st = get_body(token, "/api/v3/repos/%s/deployments/%" PRId64 "/statuses/%" PRId64, full, id,
		    sid);
		dep = get_body(token, "/api/v3/repos/%s/deployments/%" PRId64, full, id);
		ck_assert_ptr_nonnull(strstr(dep, i == 0 ? "\"environment\":\"staging\""
		                                          : "\"environment\":\"production\""));
		buf_printf(&want[i + 1], "{\"action\":\"created\",\"deployment_status\":%s,"
		    "\"deployment\":%s,\"check_run\":null,\"workflow\":null,\"workflow_run\":null,"
		    "\"repository\":", st, dep);
		free(st);
		free(dep);
	}
	snprintf(path, sizeof(path), "/api/v3/repos/%s/deployments/%" PRId64, full, id);
	http_call(&res, "DELETE", path, token, NULL, NULL);
	ck_assert_msg(res.status == 204, "%ld %s", res.status, res.body);
	http_response_release(&res);
	ck_assert_int_eq(db_int("SELECT count(*) FROM deployments WHERE id = %" PRId64, id), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM outbox WHERE deployment_id = %" PRId64
	    " AND payload IS NULL", id), 3);
	/* What --show-outbox prints is what the fan-out sends. */
	for (int i = 0; i < 3; i++)
		shown[i] = outbox_body(db_int("SELECT id FROM outbox WHERE deployment_id = %" PRId64
		    " ORDER BY id OFFSET %d LIMIT 1", id, i));

	dispatcher_start(args);
	wait_records(&rcv, 3, 10000);
	for (size_t i = 0; i < 3; i++) {
		assert_event_body(json_array_get(rcv.records, i), want[i].data, repository, login);
		ck_assert_str_eq(rec_body(json_array_get(rcv.records, i)), shown[i]);
		free(shown[i]);
	}
	ck_assert_str_eq(rec_header(json_array_get(rcv.records, 0), "x-github-event"), "deployment");
	ck_assert_str_eq(rec_header(json_array_get(rcv.records, 2), "x-github-event"),
	    "deployment_status");
	for (size_t i = 0; i < 3; i++)
		buf_release(&want[i]);
	free(repository);
	free(token);
	receiver_stop(&rcv);
}
END_TEST

/* A delivery whose hook was deactivated after the fan-out, and one whose
 * event name could forge a header: both fail at once, unsent, recorded. */
START_TEST(test_not_sendable)
{
	struct receiver rcv;
	const char *args[] = { "--poll-ms", "200", NULL };
	struct dispatch_fanout_result res;
	struct db_error err;
	struct db conn_db;
	int64_t repo, off, odd;

	receiver_start(&rcv);
	repo = make_repository();
	off = receiver_hook(repo, &rcv, "off", NULL, "json", "s", "{deployment}");
	odd = receiver_hook(repo, &rcv, "odd", NULL, "json", NULL, "{*}");
	free(sql_value("UPDATE hooks SET events = ARRAY[E'bad\\nevent'] WHERE id = %" PRId64, odd));
	add_event(repo, "deployment", 0, "{\"n\":1}");
	free(sql_value("INSERT INTO outbox (event, repository_id, payload) VALUES (E'bad\\nevent', %" PRId64
	    ", '{}')", repo));
	/* The fan-out, by the dispatcher's own statement, before any claim. */
	db_init(&conn_db, env_or_die("DEPLOY_DB"), 2, 10000, "check_dispatch");
	ck_assert_int_eq(dispatch_store_fanout(&conn_db, 100, &res, &err), 0);
	ck_assert(res.locked);
	ck_assert_int_eq(res.moved, 2);
	ck_assert_int_eq(res.created, 2);
	db_release(&conn_db);
	free(sql_value("UPDATE hooks SET active = false WHERE id = %" PRId64, off));

	dispatcher_start(args);
	wait_count(2, 10000, "SELECT count(*) FROM deliveries WHERE status = 'failed'");
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id"
	    " WHERE d.hook_id = %" PRId64 " AND a.error LIKE 'hook is inactive%%' AND a.status_code IS NULL"
	    "   AND a.request_headers::text = '{}'", off), 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id"
	    " WHERE d.hook_id = %" PRId64 " AND a.error LIKE '%%control characters%%'", odd), 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_queue"), 0);
	assert_no_more_records(&rcv, 0);
	receiver_stop(&rcv);
}
END_TEST

/* ---- retries ---------------------------------------------------------- */

START_TEST(test_retry_same_guid)
{
	struct receiver rcv;
	const char *args[] = { "--schedule", "0,1,1,1", "--poll-ms", "200", NULL };
	int64_t repo, hook;
	char *guid;

	receiver_start(&rcv);
	repo = make_repository();
	hook = receiver_hook(repo, &rcv, "flaky", "fail=2", "json", NULL, "{deployment}");
	add_event(repo, "deployment", 5, "{\"n\":1}");
	dispatcher_start(args);
	wait_records(&rcv, 3, 10000);
	wait_count(1, 5000, "SELECT count(*) FROM deliveries WHERE status = 'delivered'");
	assert_no_more_records(&rcv, 3);
	guid = sql_value("SELECT guid FROM deliveries WHERE hook_id = %" PRId64, hook);
	for (size_t i = 0; i < 3; i++) {
		json_t *rec = json_array_get(rcv.records, i);

		ck_assert_str_eq(rec_header(rec, "x-github-delivery"), guid);
		ck_assert_int_eq(rec_status(rec), i < 2 ? 500 : 204);
		/* 1 s apart, +-20%. */
		if (i > 0) {
			double gap = rec_time(rec) - rec_time(json_array_get(rcv.records, i - 1));

			ck_assert_double_ge(gap, 0.75);
			ck_assert_double_le(gap, 2.5);
		}
	}
	ck_assert_int_eq(db_int("SELECT attempts FROM deliveries WHERE hook_id = %" PRId64, hook), 3);
	ck_assert_int_eq(db_int("SELECT status_code FROM deliveries WHERE hook_id = %" PRId64, hook), 204);
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id"
	    " WHERE d.hook_id = %" PRId64, hook), 3);
	free(guid);
	guid = sql_value("SELECT string_agg(a.status_code::text, ',' ORDER BY a.id)"
	    " FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.hook_id = %" PRId64,
	    hook);
	ck_assert_str_eq(guid, "500,500,204");
	free(guid);
	receiver_stop(&rcv);
}
END_TEST

/* A receiver answering with more headers and body than may be stored
 * (each byte 0xff, three once made valid UTF-8) on every attempt: the last
 * attempt keeps a bounded excerpt, the earlier ones none. */
START_TEST(test_response_bounds)
{
	struct receiver rcv;
	const char *args[] = { "--schedule", "0,0.2,0.2", "--poll-ms", "200", NULL };
	int64_t repo, hook;

	receiver_start(&rcv);
	repo = make_repository();
	hook = receiver_hook(repo, &rcv, "flood", "flood=1&fail=2&status=200", "json", NULL,
	    "{deployment}");
	add_event(repo, "deployment", 5, "{\"n\":1}");
	dispatcher_start(args);
	wait_records(&rcv, 3, 10000);
	wait_count(1, 5000, "SELECT count(*) FROM deliveries WHERE status = 'delivered'");
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts a JOIN deliveries d"
	    " ON d.id = a.delivery_id WHERE d.hook_id = %" PRId64, hook), 3);
	/* Only the last attempt keeps its response. */
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts a JOIN deliveries d"
	    " ON d.id = a.delivery_id WHERE d.hook_id = %" PRId64
	    " AND (a.response_body IS NOT NULL OR a.response_headers IS NOT NULL)", hook), 1);
	ck_assert_int_eq(db_int("SELECT a.status_code FROM delivery_attempts a JOIN deliveries d"
	    " ON d.id = a.delivery_id WHERE d.hook_id = %" PRId64 " AND a.response_body IS NOT NULL",
	    hook), 200);
	ck_assert_int_le(db_int("SELECT octet_length(a.response_body) FROM delivery_attempts a"
	    " JOIN deliveries d ON d.id = a.delivery_id WHERE d.hook_id = %" PRId64
	    " AND a.response_body IS NOT NULL", hook), 4096);
	ck_assert_int_ge(db_int("SELECT octet_length(a.response_body) FROM delivery_attempts a"
	    " JOIN deliveries d ON d.id = a.delivery_id WHERE d.hook_id = %" PRId64
	    " AND a.response_body IS NOT NULL", hook), 4093);
	ck_assert_int_le(db_int("SELECT count(*) FROM delivery_attempts a JOIN deliveries d"
	    " ON d.id = a.delivery_id, json_object_keys(a.response_headers) k"
	    " WHERE d.hook_id = %" PRId64, hook), 64);
	/* Names and values within 16 KiB; JSON adds quotes and separators. */
	ck_assert_int_le(db_int("SELECT octet_length(a.response_headers::text) FROM delivery_attempts a"
	    " JOIN deliveries d ON d.id = a.delivery_id WHERE d.hook_id = %" PRId64
	    " AND a.response_headers IS NOT NULL", hook), 16384 + 64 * 8);
	receiver_stop(&rcv);
}
END_TEST

/* A statement's text, for wait_count(). */
static char *
statement_text(const char *fmt, ...) PRINTF_LIKE(1, 2);

static char *
statement_text(const char *fmt, ...)
{
	struct buf sql = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&sql, fmt, ap);
	va_end(ap);
	return buf_detach(&sql);
}

/* 410 Gone disables the hook at once: its queued deliveries are recorded
 * as not sent (failed, redeliverable), nothing more reaches the receiver;
 * made active again, it is delivered to. */
START_TEST(test_gone_disables_then_resumes)
{
	struct receiver rcv;
	const char *args[] = { "--schedule", "0,0.2,0.2", "--poll-ms", "100", NULL };
	int64_t repo, hook;
	char *sql, *url;

	receiver_start(&rcv);
	repo = make_repository();
	hook = receiver_hook(repo, &rcv, "gone", "status=410", "json", NULL, "{deployment}");
	add_event(repo, "deployment", 5, "{\"n\":1}");
	add_event(repo, "deployment", 5, "{\"n\":2}");
	dispatcher_start(args);
	wait_records(&rcv, 1, 10000);
	sql = statement_text("SELECT count(*) FROM hooks WHERE id = %" PRId64
	    " AND NOT active AND disabled_reason = 'Disabled: the receiver answered 410 Gone'", hook);
	wait_count(1, 5000, sql);
	free(sql);
	sql = statement_text("SELECT count(*) FROM deliveries WHERE hook_id = %" PRId64
	    " AND status = 'failed'", hook);
	wait_count(2, 5000, sql);
	free(sql);
	assert_no_more_records(&rcv, 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts a JOIN deliveries d"
	    " ON d.id = a.delivery_id WHERE d.hook_id = %" PRId64
	    " AND a.error = 'hook is inactive; not sent'", hook), 2);

	/* What PATCH {"active": true} does (check_hooks tests the API). */
	url = receiver_url(&rcv, "gone", "status=204");
	free(sql_value("UPDATE hooks SET active = true, failing_since = NULL, disabled_reason = NULL,"
	    " url = '%s' WHERE id = %" PRId64 " RETURNING 1", url, hook));
	free(url);
	add_event(repo, "deployment", 5, "{\"n\":3}");
	wait_records(&rcv, 2, 10000);
	sql = statement_text("SELECT count(*) FROM deliveries WHERE hook_id = %" PRId64
	    " AND status = 'delivered'", hook);
	wait_count(1, 5000, sql);
	free(sql);
	ck_assert_int_eq(db_int("SELECT count(*) FROM hooks WHERE id = %" PRId64
	    " AND active AND failing_since IS NULL", hook), 1);
	receiver_stop(&rcv);
}
END_TEST

/* Every attempt failing for longer than --hook-disable-after disables the
 * hook, and then nothing more is sent to it. */
START_TEST(test_failing_too_long_disables)
{
	struct receiver rcv;
	const char *args[] = { "--schedule", "0,0.3", "--max-attempts", "100", "--poll-ms", "100",
		"--hook-disable-after", "1", NULL };
	int64_t repo, hook;
	size_t seen;
	char *sql;

	receiver_start(&rcv);
	repo = make_repository();
	hook = receiver_hook(repo, &rcv, "down", "fail=1000", "json", NULL, "{deployment}");
	add_event(repo, "deployment", 5, "{\"n\":1}");
	dispatcher_start(args);
	sql = statement_text("SELECT count(*) FROM hooks WHERE id = %" PRId64
	    " AND NOT active AND disabled_reason LIKE 'Disabled: every delivery failed since %%Z'", hook);
	wait_count(1, 8000, sql);
	free(sql);
	seen = receiver_poll(&rcv);
	/* Attempts 0.3 s apart (+-20%) over a second or more. */
	ck_assert_uint_ge(seen, 3);
	assert_no_more_records(&rcv, seen);
	sql = statement_text("SELECT count(*) FROM deliveries WHERE hook_id = %" PRId64
	    " AND status = 'failed'", hook);
	wait_count(1, 5000, sql);
	free(sql);
	receiver_stop(&rcv);
}
END_TEST

START_TEST(test_failed_then_redelivered)
{
	struct receiver rcv;
	const char *args[] = { "--schedule", "0,0.2,0.2", "--poll-ms", "200", NULL };
	int64_t repo, hook;

	receiver_start(&rcv);
	repo = make_repository();
	hook = receiver_hook(repo, &rcv, "down", "fail=1000&fail_status=503", "json", NULL, "{*}");
	add_event(repo, "deployment", 9, "{\"n\":1}");
	dispatcher_start(args);
	wait_count(1, 10000, "SELECT count(*) FROM deliveries WHERE status = 'failed'");
	ck_assert_uint_eq(receiver_poll(&rcv), 3);
	ck_assert_int_eq(db_int("SELECT attempts FROM deliveries WHERE hook_id = %" PRId64, hook), 3);
	ck_assert_int_eq(db_int("SELECT status_code FROM deliveries WHERE hook_id = %" PRId64, hook), 503);
	/* What the API's redelivery does: a new delivery under the same guid,
	 * with attempts of its own; the original keeps its record. */
	free(sql_value("INSERT INTO deliveries (guid, hook_id, repository_id, event, action,"
	    " deployment_id, event_seq, payload, redelivery)"
	    " SELECT guid, hook_id, repository_id, event, action, deployment_id, event_seq, payload, true"
	    " FROM deliveries WHERE hook_id = %" PRId64, hook));
	wait_records(&rcv, 6, 5000);
	for (size_t i = 3; i < 6; i++)
		ck_assert_str_eq(rec_header(json_array_get(rcv.records, i), "x-github-delivery"),
		    rec_header(json_array_get(rcv.records, 0), "x-github-delivery"));
	wait_count(1, 5000, "SELECT count(*) FROM deliveries WHERE status = 'failed' AND attempts = 3"
	    " AND redelivery");
	ck_assert_int_eq(db_int("SELECT count(*) FROM deliveries WHERE status = 'failed' AND attempts = 3"
	    " AND NOT redelivery"), 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts a JOIN deliveries d"
	    " ON d.id = a.delivery_id WHERE d.hook_id = %" PRId64, hook), 6);
	assert_no_more_records(&rcv, 6);
	receiver_stop(&rcv);
}
END_TEST

START_TEST(test_retry_after)
{
	struct receiver rcv;
	const char *args[] = { "--schedule", "0,0.1,0.1", "--poll-ms", "200", NULL };
	int64_t repo;
	double gap;

	receiver_start(&rcv);
	repo = make_repository();
	receiver_hook(repo, &rcv, "busy", "fail=1&fail_status=429&retry_after=2", "json", NULL, "{*}");
	add_event(repo, "deployment", 3, "{\"n\":1}");
	dispatcher_start(args);
	wait_records(&rcv, 2, 10000);
	ck_assert_int_eq(rec_status(json_array_get(rcv.records, 0)), 429);
	ck_assert_int_eq(rec_status(json_array_get(rcv.records, 1)), 204);
	gap = rec_time(json_array_get(rcv.records, 1)) - rec_time(json_array_get(rcv.records, 0));
	/* Retry-After: 2 wins over the schedule's 0.1 s. */
	ck_assert_double_ge(gap, 1.9);
	ck_assert_double_le(gap, 4.0);
	receiver_stop(&rcv);
}
END_TEST

/* ---- order ------------------------------------------------------------ */

/* The sequence numbers ("s") of deployment dep's requests, in arrival
 * order, only those answered 2xx if ok_only. */
static size_t
sequence_of(struct receiver *rcv, int dep, bool ok_only, int *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(rcv->records) && n < max; i++) {
		json_t *rec = json_array_get(rcv->records, i);
		json_t *body = json_loads(rec_body(rec), 0, NULL);

		ck_assert_ptr_nonnull(body);
		if (json_integer_value(json_object_get(body, "dep")) == dep &&
		    (!ok_only || rec_status(rec) / 100 == 2))
			out[n++] = (int)json_integer_value(json_object_get(body, "s"));
		json_decref(body);
	}
	return n;
}

START_TEST(test_order_while_failing)
{
	struct receiver rcv;
	const char *args[] = { "--schedule", "0,1,1,1,1,1", "--poll-ms", "200", NULL };
	int64_t repo;
	int seq[32];
	size_t n;
	double a1_ok = 0, b_last = 0;

	receiver_start(&rcv);
	repo = make_repository();
	/* Every request of deployment 1001 fails the first three times. */
	receiver_hook(repo, &rcv, "ordered", "fail=3&match=%22dep%22:1001", "json", NULL, "{*}");
	for (int s = 1; s <= 3; s++) {
		char payload[64];

		snprintf(payload, sizeof(payload), "{\"dep\":1001,\"s\":%d}", s);
		add_event(repo, s == 1 ? "deployment" : "deployment_status", 1001, payload);
		snprintf(payload, sizeof(payload), "{\"dep\":1002,\"s\":%d}", s);
		add_event(repo, s == 1 ? "deployment" : "deployment_status", 1002, payload);
	}
	add_event(repo, "repository_dispatch", 0, "{\"dep\":0,\"s\":1}");
	dispatcher_start(args);
	wait_records(&rcv, 10, 15000);
	wait_count(7, 5000, "SELECT count(*) FROM deliveries WHERE status = 'delivered'");
	assert_no_more_records(&rcv, 10);

	/* Deployment 1001: its first event thrice refused, then in order;
	 * nothing of it went out before its first event was delivered. */
	n = sequence_of(&rcv, 1001, false, seq, 32);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(seq[0], 1);
	ck_assert_int_eq(seq[1], 1);
	ck_assert_int_eq(seq[2], 1);
	ck_assert_int_eq(seq[3], 1);
	ck_assert_int_eq(seq[4], 2);
	ck_assert_int_eq(seq[5], 3);
	/* Deployment 1002 was not held up: done before 1001's first success. */
	n = sequence_of(&rcv, 1002, false, seq, 32);
	ck_assert_uint_eq(n, 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(seq[i], (int)i + 1);
	for (size_t i = 0; i < json_array_size(rcv.records); i++) {
		json_t *rec = json_array_get(rcv.records, i);

		if (strstr(rec_body(rec), "\"dep\":1001") && rec_status(rec) == 204 && a1_ok == 0)
			a1_ok = rec_time(rec);
		if (strstr(rec_body(rec), "\"dep\":1002"))
			b_last = rec_time(rec);
	}
	ck_assert_double_lt(b_last, a1_ok);
	receiver_stop(&rcv);
}
END_TEST

/* Many deployments, a receiver refusing 30% at random, two instances: no
 * deployment's events ever go out of order. */
START_TEST(test_order_random_failures)
{
	struct receiver rcv;
	const char *args[] = { "--schedule", "0,0.3", "--max-attempts", "20", "--poll-ms", "200",
	    "--concurrency", "8", NULL };
	enum { DEPLOYMENTS = 20, EVENTS = 5 };
	int64_t repo;

	receiver_start(&rcv);
	repo = make_repository();
	receiver_hook(repo, &rcv, "random", "fail_pct=30", "json", NULL, "{*}");
	dispatcher_start(args);
	dispatcher_start(args);
	/* Interleaved across deployments, as an API under load writes them. */
	for (int s = 1; s <= EVENTS; s++)
		for (int dep = 1; dep <= DEPLOYMENTS; dep++) {
			char payload[64];

			snprintf(payload, sizeof(payload), "{\"dep\":%d,\"s\":%d}", 2000 + dep, s);
			add_event(repo, "deployment_status", 2000 + dep, payload);
		}
	wait_count(DEPLOYMENTS * EVENTS, 60000, "SELECT count(*) FROM deliveries WHERE status = 'delivered'");
	receiver_poll(&rcv);
	for (int dep = 1; dep <= DEPLOYMENTS; dep++) {
		int all[256], ok[64];
		size_t nall = sequence_of(&rcv, 2000 + dep, false, all, 256);
		size_t nok = sequence_of(&rcv, 2000 + dep, true, ok, 64);

		ck_assert_uint_eq(nok, EVENTS);
		for (size_t i = 0; i < nok; i++)
			ck_assert_int_eq(ok[i], (int)i + 1);
		/* Attempts, failed ones included, never go back or skip ahead. */
		for (size_t i = 1; i < nall; i++)
			ck_assert_msg(all[i] == all[i - 1] || all[i] == all[i - 1] + 1,
			    "deployment %d: event %d sent after %d", 2000 + dep, all[i], all[i - 1]);
	}
	receiver_stop(&rcv);
}
END_TEST

/* ---- scale and failure ------------------------------------------------ */

/* The receiver's records by X-GitHub-Delivery: how many distinct, and
 * whether any came twice. */
static size_t
distinct_deliveries(struct receiver *rcv, size_t *duplicates)
{
	json_t *seen = json_object();
	size_t n;

	*duplicates = 0;
	for (size_t i = 0; i < json_array_size(rcv->records); i++) {
		const char *guid = rec_header(json_array_get(rcv->records, i), "x-github-delivery");

		ck_assert_ptr_nonnull(guid);
		if (json_object_get(seen, guid))
			(*duplicates)++;
		else
			json_object_set_new(seen, guid, json_true());
	}
	n = json_object_size(seen);
	json_decref(seen);
	return n;
}

START_TEST(test_three_instances_exactly_once)
{
	struct receiver rcv;
	const char *args[] = { "--poll-ms", "200", "--batch", "50", NULL };
	enum { EVENTS = 10000 };
	int64_t repo;
	size_t dups;

	receiver_start(&rcv);
	repo = make_repository();
	receiver_hook(repo, &rcv, "bulk", NULL, "json", "k", "{*}");
	dispatcher_start(args);
	dispatcher_start(args);
	dispatcher_start(args);
	/* Written while they run, in ten commits, half with a deployment. */
	for (int i = 0; i < 10; i++)
		free(sql_value("INSERT INTO outbox (event, action, repository_id, deployment_id, payload)"
		    " SELECT 'deployment', 'created', %" PRId64 ", CASE WHEN g %% 2 = 0 THEN g END,"
		    "  json_build_object('n', g) FROM generate_series(%d, %d) g", repo, i * 1000 + 1,
		    i * 1000 + 1000));
	wait_count(EVENTS, 120000, "SELECT count(*) FROM deliveries WHERE status = 'delivered'");
	sleep_ms(500);
	receiver_poll(&rcv);
	ck_assert_uint_eq(distinct_deliveries(&rcv, &dups), EVENTS);
	ck_assert_uint_eq(dups, 0);
	ck_assert_uint_eq(json_array_size(rcv.records), EVENTS);
	ck_assert_int_eq(db_int("SELECT count(*) FROM deliveries WHERE attempts <> 1"), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts"), EVENTS);
	/* None of them crashed on the way. */
	for (size_t i = 0; i < 3; i++)
		ck_assert(process_running(dispatchers[i]));
	receiver_stop(&rcv);
}
END_TEST

START_TEST(test_sigkill_then_restart)
{
	struct receiver rcv;
	const char *args[] = { "--lease-seconds", "2", "--timeout-seconds", "1", "--concurrency", "10",
	    "--poll-ms", "200", NULL };
	enum { EVENTS = 1000 };
	int64_t repo;
	pid_t first;
	size_t dups, at_kill;

	receiver_start(&rcv);
	repo = make_repository();
	/* 20 ms per answer, 10 at a time: about two seconds of work. */
	receiver_hook(repo, &rcv, "slow", "delay_ms=20", "json", NULL, "{*}");
	free(sql_value("INSERT INTO outbox (event, action, repository_id, deployment_id, payload)"
	    " SELECT 'deployment', 'created', %" PRId64 ", g, json_build_object('n', g)"
	    "   FROM generate_series(1, %d) g", repo, EVENTS));
	first = dispatcher_start(args);
	wait_records(&rcv, 200, 20000);
	ck_assert_int_eq(WIFSIGNALED(dispatcher_stop(first, SIGKILL, 5000)), 1);
	at_kill = receiver_poll(&rcv);
	ck_assert_uint_lt(at_kill, EVENTS);
	/* Claimed but not recorded: leased to the dead instance. */
	ck_assert_int_gt(db_int("SELECT count(*) FROM delivery_queue WHERE claims > 0"
	    " AND next_attempt_at > now()"), 0);
	dispatcher_start(args);
	wait_count(EVENTS, 60000, "SELECT count(*) FROM deliveries WHERE status = 'delivered'");
	sleep_ms(300);
	receiver_poll(&rcv);
	ck_assert_uint_eq(distinct_deliveries(&rcv, &dups), EVENTS);
	/* At least once: only what the killed instance had claimed and not
	 * recorded (at most twice its concurrency) came twice. */
	ck_assert_uint_le(dups, 20);
	ck_assert_int_eq(db_int("SELECT count(*) FROM outbox"), 0);
	receiver_stop(&rcv);
}
END_TEST

START_TEST(test_database_restart)
{
	struct receiver rcv;
	const char *args[] = { "--poll-ms", "200", NULL };
	int64_t repo;
	pid_t pid;
	double cpu;

	receiver_start(&rcv);
	repo = make_repository();
	receiver_hook(repo, &rcv, "db", NULL, "json", NULL, "{*}");
	for (int i = 0; i < 20; i++)
		add_event(repo, "deployment", 100 + i, "{\"before\":true}");
	pid = dispatcher_start(args);
	wait_records(&rcv, 20, 10000);
	PQfinish(conn);
	conn = NULL;

	ck_assert_int_eq(stack_command("pg_stop \"$1\""), 0);
	cpu = process_cpu_seconds(pid);
	sleep_ms(3000);
	ck_assert(process_running(pid));
	/* Waiting for the database costs (almost) no CPU: no busy loop. */
	ck_assert_double_lt(process_cpu_seconds(pid) - cpu, 0.3);
	ck_assert_int_eq(stack_command("pg_start \"$1\""), 0);

	for (int i = 0; i < 20; i++)
		add_event(repo, "deployment", 200 + i, "{\"after\":true}");
	wait_records(&rcv, 40, 20000);
	wait_count(40, 10000, "SELECT count(*) FROM deliveries WHERE status = 'delivered'");
	ck_assert(process_running(pid));
	receiver_stop(&rcv);
}
END_TEST

START_TEST(test_hanging_receiver)
{
	struct receiver rcv;
	const char *args[] = { "--timeout-seconds", "1", "--lease-seconds", "5", "--schedule", "0,30",
	    "--concurrency", "8", "--poll-ms", "200", NULL };
	int64_t repo, hung, fine;
	double first_hang = 0, last_fine = 0;

	receiver_start(&rcv);
	repo = make_repository();
	hung = receiver_hook(repo, &rcv, "hang", "hang=1", "json", NULL, "{deployment}");
	fine = receiver_hook(repo, &rcv, "fine", NULL, "json", NULL, "{deployment_status}");
	/* The hanging hook's events come first: they fill at most half the slots. */
	for (int i = 0; i < 20; i++)
		add_event(repo, "deployment", 0, "{\"hang\":1}");
	for (int i = 0; i < 50; i++)
		add_event(repo, "deployment_status", 0, "{\"fine\":1}");
	dispatcher_start(args);
	wait_count(50, 10000, "SELECT count(*) FROM deliveries WHERE status = 'delivered'");
	receiver_poll(&rcv);
	for (size_t i = 0; i < json_array_size(rcv.records); i++) {
		json_t *rec = json_array_get(rcv.records, i);

		if (rec_is(rec, "hang") && first_hang == 0)
			first_hang = rec_time(rec);
		if (rec_is(rec, "fine"))
			last_fine = rec_time(rec);
	}
	ck_assert_double_gt(first_hang, 0);
	/* The other hook's deliveries all went while the first requests hung. */
	ck_assert_double_lt(last_fine, first_hang + 1.0);
	/* Each hung request cost one timeout: an attempt with no status. */
	wait_count(4, 5000, "SELECT count(*) FROM delivery_attempts WHERE status_code IS NULL AND error IS NOT NULL");
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id"
	    " WHERE d.hook_id = %" PRId64 " AND (a.status_code IS NOT NULL OR a.duration_ms < 900"
	    "   OR a.duration_ms > 3000)", hung), 0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM deliveries WHERE hook_id = %" PRId64
	    " AND status = 'delivered'", fine), 50);
	/* The rest of the hanging hook's deliveries are still worked through. */
	wait_count(20, 15000, "SELECT count(*) FROM delivery_attempts WHERE status_code IS NULL");
	receiver_stop(&rcv);
}
END_TEST

/* A new repository with n deployment events for one hook of rcv
 * (/name?query) and a dispatcher started with args; returns its pid once
 * rcv has all n requests, in flight for as long as rcv holds its answers. */
static pid_t
start_with_requests_in_flight(struct receiver *rcv, const char *name, const char *query, int n,
    const char *const *args)
{
	int64_t repo = make_repository();
	pid_t pid;

	receiver_hook(repo, rcv, name, query, "json", NULL, "{*}");
	for (int i = 0; i < n; i++)
		add_event(repo, "deployment", 0, "{\"n\":1}");
	pid = dispatcher_start(args);
	wait_records(rcv, (size_t)n, 10000);
	return pid;
}

START_TEST(test_sigterm_finishes_in_flight)
{
	struct receiver rcv;
	const char *args[] = { "--poll-ms", "200", NULL };
	pid_t pid;
	int status;
	double t0;

	receiver_start(&rcv);
	pid = start_with_requests_in_flight(&rcv, "slow", "delay_ms=1500", 5, args);
	t0 = wall_clock();
	status = dispatcher_stop(pid, SIGTERM, 8000);
	ck_assert_msg(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status %d", status);
	/* It waited for the answers (1.5 s), not for a timeout (10 s). */
	ck_assert_double_ge(wall_clock() - t0, 0.5);
	ck_assert_double_lt(wall_clock() - t0, 5.0);
	ck_assert_int_eq(db_int("SELECT count(*) FROM deliveries WHERE status = 'delivered'"), 5);
	receiver_stop(&rcv);
}
END_TEST

START_TEST(test_second_sigterm_releases)
{
	struct receiver rcv;
	const char *args[] = { "--poll-ms", "200", "--lease-seconds", "600", NULL };
	pid_t pid;
	int status;

	receiver_start(&rcv);
	pid = start_with_requests_in_flight(&rcv, "hang", "hang=1", 3, args);
	kill(pid, SIGTERM);
	sleep_ms(200);
	status = dispatcher_stop(pid, SIGTERM, 3000);
	ck_assert_msg(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit status %d", status);
	/* Given back: due now, not in ten minutes when the lease would end. */
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_queue WHERE next_attempt_at <= now()"), 3);
	ck_assert_int_eq(db_int("SELECT count(*) FROM deliveries WHERE status = 'pending' AND attempts = 0"), 3);
	receiver_stop(&rcv);
}
END_TEST

/* ---- housekeeping and plans ------------------------------------------- */

START_TEST(test_prune_old_deliveries)
{
	const char *args[] = { "--poll-ms", "200", "--retention-days", "30", NULL };
	int64_t repo, hook;

	repo = make_repository();
	hook = make_hook(repo, "http://127.0.0.1:9/unused", "json", NULL, "{}");
	free(sql_value("INSERT INTO deliveries (hook_id, repository_id, event, event_seq, payload, status,"
	    "   created_at, delivered_at, attempts)"
	    " SELECT %" PRId64 ", %" PRId64 ", 'deployment', g, '{}', CASE WHEN g %% 2 = 0 THEN 'delivered'"
	    "   ELSE 'failed' END, now() - interval '41 days', now() - interval '40 days', 1"
	    "   FROM generate_series(1, 1200) g", hook, repo));
	free(sql_value("INSERT INTO delivery_attempts (delivery_id, started_at, duration_ms, request_headers)"
	    " SELECT id, now(), 1, '{}' FROM deliveries WHERE hook_id = %" PRId64, hook));
	/* Old but redelivered lately, and old but pending: both stay. */
	free(sql_value("INSERT INTO deliveries (hook_id, repository_id, event, event_seq, payload, status,"
	    "   created_at, delivered_at, attempts)"
	    " SELECT %" PRId64 ", %" PRId64 ", 'deployment', g, '{}', 'delivered', now() - interval '45 days',"
	    "   now() - interval '29 days', 1 FROM generate_series(1, 10) g", hook, repo));
	free(sql_value("INSERT INTO deliveries (hook_id, repository_id, event, event_seq, payload,"
	    "   created_at, next_attempt_at)"
	    " VALUES (%" PRId64 ", %" PRId64 ", 'deployment', 1, '{}', now() - interval '50 days',"
	    "   now() + interval '1 day')", hook, repo));
	dispatcher_start(args);
	wait_count(1200, 15000, "SELECT 1211 - count(*) FROM deliveries");
	sleep_ms(1500);
	ck_assert_int_eq(db_int("SELECT count(*) FROM deliveries"), 11);
	ck_assert_int_eq(db_int("SELECT count(*) FROM deliveries WHERE delivered_at > now() - interval '30 days'"), 10);
	ck_assert_int_eq(db_int("SELECT count(*) FROM deliveries WHERE status = 'pending'"), 1);
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id"
	    " WHERE d.hook_id = %" PRId64, hook), 0);
}
END_TEST

/* The claim reads the queue of pending deliveries through its index and
 * the history only by primary key, however much history there is: checked
 * on the generic plan, which is what a prepared statement runs after its
 * first few executions. */
START_TEST(test_claim_plan_is_index_scan)
{
	int64_t repo, hook;
	struct buf sql = BUF_INIT;
	PGresult *r;
	struct buf plan = BUF_INIT;

	repo = make_repository();
	hook = make_hook(repo, "http://127.0.0.1:9/unused", "json", NULL, "{}");
	free(sql_value("INSERT INTO deliveries (hook_id, repository_id, event, deployment_id, event_seq, payload,"
	    "   status, delivered_at, attempts)"
	    " SELECT %" PRId64 ", %" PRId64 ", 'deployment', g %% 1000, g, '{}', 'delivered', now(), 1"
	    "   FROM generate_series(1, 200000) g", hook, repo));
	/* A backlog, not yet due: queued by the trigger. */
	free(sql_value("INSERT INTO deliveries (hook_id, repository_id, event, deployment_id, event_seq, payload,"
	    "   next_attempt_at)"
	    " SELECT %" PRId64 ", %" PRId64 ", 'deployment', g %% 100, 300000 + g, '{}', now() + interval '1 hour'"
	    "   FROM generate_series(1, 5000) g", hook, repo));
	ck_assert_int_eq(db_int("SELECT count(*) FROM delivery_queue"), 5000);
	free(sql_value("ANALYZE deliveries"));
	free(sql_value("ANALYZE delivery_queue"));
	free(sql_value("SET plan_cache_mode = force_generic_plan"));
	buf_printf(&sql, "PREPARE claim_plan (int, float8, bigint[], int[], int) AS %s", dispatch_store_claim_sql);
	free(sql_value("%s", sql.data));
	r = PQexec(db(), "EXPLAIN (ANALYZE, BUFFERS) EXECUTE claim_plan(100, 60, '{}', '{}', 50)");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	for (int i = 0; i < PQntuples(r); i++)
		buf_printf(&plan, "%s\n", PQgetvalue(r, i, 0));
	PQclear(r);
	/* The queue through its index, the history only by primary key. */
	ck_assert_msg(strstr(plan.data, "Index Scan using delivery_queue_due") != NULL, "plan:\n%s", plan.data);
	ck_assert_msg(strstr(plan.data, "Seq Scan on deliveries") == NULL, "plan:\n%s", plan.data);
	ck_assert_msg(strstr(plan.data, "Bitmap Heap Scan on deliveries") == NULL, "plan:\n%s", plan.data);
	ck_assert_msg(strstr(plan.data, "Seq Scan on delivery_queue") == NULL, "plan:\n%s", plan.data);
	free(sql_value("DEALLOCATE claim_plan"));
	free(sql_value("DELETE FROM deliveries WHERE hook_id = %" PRId64, hook));
	buf_release(&plan);
	buf_release(&sql);
}
END_TEST

START_TEST(test_bad_arguments)
{
	struct dispatch_config cfg;
	char *lease[] = { "deploy-dispatch", "--lease-seconds", "5", "--timeout-seconds", "10", NULL };
	char *schedule[] = { "deploy-dispatch", "--schedule", "1,x", NULL };
	char *ok[] = { "deploy-dispatch", "--schedule", "0,1", "--concurrency", "10", NULL };

	ck_assert_int_lt(dispatch_config_parse(&cfg, 5, lease), 0);
	ck_assert_int_lt(dispatch_config_parse(&cfg, 3, schedule), 0);
	ck_assert_int_eq(dispatch_config_parse(&cfg, 5, ok), 0);
	ck_assert_int_eq(cfg.max_attempts, 2);
	ck_assert_int_eq(cfg.hook_concurrency, 5);
	ck_assert_int_eq(cfg.lease_seconds, 60);
}
END_TEST

int
main(void)
{
	TCase *pure = tcase_of("pure", 0, (const TTest *const[]){
		test_sign_vectors, test_schedule_and_retry, test_bad_arguments, NULL });
	TCase *delivery = tcase_of("delivery", 60, (const TTest *const[]){
		test_signed_json_and_headers, test_form_content_type, test_event_from_api,
		test_event_values_of_their_time,
		test_not_sendable, test_retry_same_guid, test_response_bounds, test_gone_disables_then_resumes,
		test_failing_too_long_disables, test_failed_then_redelivered,
		test_retry_after, test_order_while_failing, test_order_random_failures,
		test_prune_old_deliveries, test_claim_plan_is_index_scan, NULL });
	TCase *failure = tcase_of("failure", 180, (const TTest *const[]){
		test_three_instances_exactly_once, test_sigkill_then_restart, test_hanging_receiver,
		test_sigterm_finishes_in_flight, test_second_sigterm_releases, test_database_restart,
		NULL });

	tcase_add_checked_fixture(delivery, setup, teardown);
	tcase_add_checked_fixture(failure, setup, teardown);
	return suite_failures(suite_of("dispatch", pure, delivery, failure, NULL)) == 0 ? 0 : 1;
}
