/*
 * Hostile input and hostile hooks (issue 15): each test replays one attack
 * that once worked against the stack and checks that it no longer does.
 * The stack runs with deploy-api's default --hook-allowed-hosts (external
 * only: run-test.sh), as in production.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "buf.h"
#include "harness.h"
#include "suite.h"

/* A repository with the demo git repository of scripts/lib.sh (main, topic,
 * v1.0). */
static void
repo_with_git(struct test_repo *r)
{
	char name[64];
	struct buf git = BUF_INIT;
	const char *options[3] = { "--git-dir", NULL, NULL };

	buf_printf(&git, "%s/git/hostile.git", env_or_die("DEPLOY_DATA"));
	ck_assert_int_eq(stack_command("demo_git_repo \"$1/git/hostile.git\""), 0);
	options[1] = git.data;
	unique_name("hostile", name, sizeof(name));
	test_repo_make(r, "hostile", name, false, options);
	buf_release(&git);
}

static void
assert_json_is_utf8(const struct http_response *res)
{
	ck_assert_msg(utf8_is_valid(res->body, res->body_len), "body is not UTF-8: %s", res->body);
	ck_assert_ptr_nonnull(res->json);
}

/* 500s from bytes PostgreSQL refuses, raw bytes echoed into JSON. */
START_TEST(invalid_utf8_is_404_or_422_never_500)
{
	struct test_repo r;
	struct http_response res;
	const char *bad_version[] = { "X-GitHub-Api-Version: 2022-\xff\xfe", NULL };
	const char *not_found[] = { "/commits/%FF%FE/status", "/deployments/%FF", "/hooks/%C0%AF" };

	repo_with_git(&r);
	http_callf(&res, "GET", NULL, NULL, "/repos/%s/%%FF", r.owner);
	ck_assert_int_eq(res.status, 404);
	assert_json_is_utf8(&res);
	http_response_release(&res);
	for (size_t i = 0; i < ARRAY_SIZE(not_found); i++) {
		http_callf(&res, "GET", r.token, NULL, "%s%s", r.path, not_found[i]);
		ck_assert_int_eq(res.status, 404);
		assert_json_is_utf8(&res);
		http_response_release(&res);
	}
	http_callf(&res, "GET", NULL, NULL, "%s?environment=%%FF", r.deployments);
	ck_assert_int_eq(res.status, 422);
	assert_json_is_utf8(&res);
	ck_assert_str_eq(json_str(json_array_get(json_object_get(res.json, "errors"), 0), "field"),
	    "environment");
	http_response_release(&res);
	http_call(&res, "GET", r.path, NULL, NULL, bad_version);
	ck_assert_int_eq(res.status, 400);
	assert_json_is_utf8(&res);
	http_response_release(&res);
}
END_TEST

/* A ref libgit2 or the file system cannot hold was a 500. */
START_TEST(impossible_ref_names_are_not_found)
{
	struct test_repo r;
	struct buf body = BUF_INIT, ref = BUF_INIT;
	json_t *j;

	repo_with_git(&r);
	for (int i = 0; i < 100; i++)
		buf_puts(&ref, "\xe2\x82\xac");        /* 100 characters, 300 bytes */
	buf_printf(&body, "{\"ref\":\"%s\"}", ref.data);
	j = http_json("POST", r.token, body.data, 422, "%s", r.deployments);
	ck_assert(strncmp(json_str(j, "message"), "No ref found for: ", 18) == 0);
	json_decref(j);
	buf_reset(&body);
	buf_printf(&body, "{\"base\":\"%s\",\"head\":\"main\"}", ref.data);
	ck_assert_int_eq(http_status("POST", r.token, body.data, "%s/merges", r.path), 404);
	buf_reset(&body);
	buf_printf(&body, "{\"base\":\"main\",\"head\":\"%s\"}", ref.data);
	ck_assert_int_eq(http_status("POST", r.token, body.data, "%s/merges", r.path), 404);
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/commits/%s/status", r.path,
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
	    404);
	buf_release(&body);
	buf_release(&ref);
}
END_TEST

/* A client's Host and X-Forwarded-Proto ended up in stored webhook bodies. */
START_TEST(client_host_never_reaches_urls)
{
	struct test_repo r;
	struct http_response res;
	const char *headers[] = { "Host: attacker.example:8443", "X-Forwarded-Proto: https", NULL };
	char *payload;

	repo_with_git(&r);
	http_call(&res, "POST", r.deployments, r.token, "{\"ref\":\"main\",\"required_contexts\":[]}",
	    headers);
	ck_assert_int_eq(res.status, 201);
	ck_assert_ptr_null(strstr(res.body, "attacker.example"));
	ck_assert(strncmp(json_str(res.json, "url"), env_or_die("DEPLOY_URL"),
	    strlen(env_or_die("DEPLOY_URL"))) == 0);
	payload = sql_text("SELECT payload FROM outbox WHERE repository_id = %lld ORDER BY id DESC "
	    "LIMIT 1", r.id);
	ck_assert_ptr_null(strstr(payload, "attacker.example"));
	ck_assert_ptr_null(strstr(payload, "https://"));
	free(payload);
	http_response_release(&res);
}
END_TEST

/* A long query string was repeated in every rel of Link: 503 from nginx. */
START_TEST(longest_query_fits_in_link)
{
	struct test_repo r;
	struct http_response res;
	struct buf path = BUF_INIT;
	int nrels = 0;
	char *link;
	size_t query_start;

	repo_with_git(&r);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(http_status("POST", r.token, "{\"ref\":\"main\",\"required_contexts\":[]}",
		    "%s", r.deployments), 201);
	/* 2,048 bytes of query, each '+' re-encoded as three in four URLs. */
	buf_printf(&path, "%s?per_page=1&page=2&x=", r.deployments);
	query_start = strlen(r.deployments) + 1;
	while (path.len - query_start < 2048)
		buf_putc(&path, '+');
	http_call(&res, "GET", path.data, r.token, NULL, NULL);
	ck_assert_int_eq(res.status, 200);
	link = http_header(&res, "Link");
	ck_assert_ptr_nonnull(link);
	free(link_url(link, NULL, &nrels));
	ck_assert_int_eq(nrels, 4);
	free(link);
	http_response_release(&res);
	/* One byte more is refused by the API, not by nginx's buffer. */
	buf_putc(&path, '+');
	http_call(&res, "GET", path.data, r.token, NULL, NULL);
	ck_assert_int_eq(res.status, 414);
	ck_assert_str_eq(message_of(&res), "URI Too Long");
	http_response_release(&res);
	buf_release(&path);
}
END_TEST

static void
assert_hook_refused(const struct test_repo *r, const char *url, const char *message)
{
	struct buf body = BUF_INIT;
	json_t *j, *entry;

	buf_printf(&body, "{\"config\":{\"url\":\"%s\"}}", url);
	j = http_json("POST", r->token, body.data, 422, "%s/hooks", r->path);
	entry = json_array_get(json_object_get(j, "errors"), 0);
	ck_assert_msg(strcmp(json_str(entry, "message"), message) == 0, "%s: %s", url,
	    json_str(entry, "message"));
	json_decref(j);
	buf_release(&body);
}

static char *
refused_host_message(const char *host)
{
	struct buf msg = BUF_INIT;

	buf_printf(&msg, "Sorry, the URL host %s is not supported because it isn't reachable over "
	    "the public Internet", host);
	return buf_detach(&msg);
}

/* The machine's own name, when it resolves to a loopback address (as
 * Debian's /etc/hosts makes it): a name that is no address spelling. */
static bool
loopback_name(char *out, size_t outlen)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *list = NULL;
	bool loopback = false;

	if (gethostname(out, outlen) != 0 || getaddrinfo(out, NULL, &hints, &list) != 0)
		return false;
	loopback = ntohl(((const struct sockaddr_in *)(const void *)list->ai_addr)->sin_addr.s_addr) >> 24
	    == 127;
	freeaddrinfo(list);
	return loopback;
}

/* Webhook SSRF: hooks at loopback, private and link-local addresses. */
START_TEST(hooks_to_internal_hosts_are_refused)
{
	static const struct {
		const char *url, *host;
	} refused[] = {
		{ "http://127.0.0.1/", "127.0.0.1" },
		{ "http://localhost:8080/x", "localhost" },
		{ "http://2130706433/", "2130706433" },
		{ "http://0x7f.1/", "0x7f.1" },
		{ "http://0.0.0.0/", "0.0.0.0" },
		{ "http://169.254.169.254/latest/meta-data", "169.254.169.254" },
		{ "http://10.0.0.1/", "10.0.0.1" },
		{ "http://[::1]:80/", "::1" },
		{ "http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1" },
		{ "http://LocalHost./", "localhost" },
	};
	struct test_repo r;
	char name[256], url[300];
	json_t *hook;

	repo_with_git(&r);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		char *msg = refused_host_message(refused[i].host);

		assert_hook_refused(&r, refused[i].url, msg);
		free(msg);
	}
	assert_hook_refused(&r, "http://user:pass@127.0.0.1/", "url must not contain a user name or password");
	assert_hook_refused(&r, "http://example.com@127.0.0.1/", "url must not contain a user name or password");
	/* By what the name resolves to. */
	if (loopback_name(name, sizeof(name))) {
		char *msg;

		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		snprintf(url, sizeof(url), "http://%s:9/hook", name);
		msg = refused_host_message(name);
		assert_hook_refused(&r, url, msg);
		free(msg);
	}
	/* A public address is fine, and cannot be changed to an internal one. */
	hook = http_json("POST", r.token, "{\"config\":{\"url\":\"http://8.8.8.8/hook\"}}", 201, "%s/hooks",
	    r.path);
	ck_assert_int_eq(http_status("PATCH", r.token, "{\"config\":{\"url\":\"http://127.0.0.1/\"}}",
	    "%s/hooks/%lld", r.path, json_int(hook, "id")), 422);
	json_decref(hook);
}
END_TEST

/* A hook stored with an internal URL (deployctl, or a name that resolved
 * elsewhere when it was made: DNS rebinding) is not sent: the dispatcher
 * checks the URL, and each address at connect time. */
START_TEST(dispatcher_refuses_internal_addresses_at_connect)
{
	struct test_repo r;
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	char name[256], url[320];
	long long literal, by_name = 0;
	char *error;

	repo_with_git(&r);
	ck_assert_int_ge(listener, 0);
	ck_assert_int_eq(bind(listener, (struct sockaddr *)&addr, sizeof(addr)), 0);
	ck_assert_int_eq(listen(listener, 16), 0);
	ck_assert_int_eq(getsockname(listener, (struct sockaddr *)&addr, &len), 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", ntohs(addr.sin_port));
	literal = sql_int("INSERT INTO hooks (repository_id, url, content_type, events) VALUES "
	    "(%lld, '%s', 'json', '{*}') RETURNING id", r.id, url);
	ck_assert_int_eq(http_status("POST", r.token, NULL, "%s/hooks/%lld/pings", r.path, literal), 204);
	if (loopback_name(name, sizeof(name))) {
		snprintf(url, sizeof(url), "http://%s:%d/hook", name, ntohs(addr.sin_port));
		by_name = sql_int("INSERT INTO hooks (repository_id, url, content_type, events) VALUES "
		    "(%lld, '%s', 'json', '{*}') RETURNING id", r.id, url);
		ck_assert_int_eq(http_status("POST", r.token, NULL, "%s/hooks/%lld/pings", r.path, by_name),
		    204);
	}
	ck_assert_int_eq(stack_command("dispatch_start \"$1\" \"$2\" --hook-allowed-hosts external"), 0);
	for (int i = 0; i < 100 && sql_int("SELECT count(*) FROM deliveries d WHERE d.hook_id IN (%lld, %lld)"
	    " AND d.status = 'pending'", literal, by_name) > 0; i++)
		usleep(100 * 1000);
	ck_assert_int_eq(stack_command("dispatch_stop \"$1\""), 0);
	error = sql_rows("SELECT DISTINCT a.error FROM delivery_attempts a JOIN deliveries d ON"
	    " d.id = a.delivery_id WHERE d.hook_id = %lld", literal);
	ck_assert_str_eq(error, "not sent: the host 127.0.0.1 is not allowed (--hook-allowed-hosts)\n");
	free(error);
	if (by_name) {
		error = sql_rows("SELECT DISTINCT a.error FROM delivery_attempts a JOIN deliveries d ON"
		    " d.id = a.delivery_id WHERE d.hook_id = %lld", by_name);
		ck_assert_msg(strncmp(error, "not sent: the address 127.", 26) == 0, "%s", error);
		free(error);
	}
	/* Nothing ever connected to the receiver. */
	ck_assert_int_lt(accept(listener, NULL, NULL), 0);
	close(listener);
}
END_TEST

/* Reads DIR/log/deploy-api.log until a line has want (at most 10 s) and
 * returns the number that follows number_after in that line. */
static long
wait_for_log(const char *dir, const char *want, const char *number_after)
{
	struct buf path = BUF_INIT;
	long found = -1;

	buf_printf(&path, "%s/log/deploy-api.log", dir);
	for (int i = 0; i < 200 && found < 0; i++) {
		FILE *f = fopen(path.data, "r");
		char line[512];

		while (f && found < 0 && fgets(line, sizeof(line), f)) {
			const char *at = strstr(line, number_after);

			if (strstr(line, want) && at)
				found = strtol(at + strlen(number_after), NULL, 10);
		}
		if (f)
			fclose(f);
		if (found < 0)
			usleep(50 * 1000);
	}
	buf_release(&path);
	ck_assert_msg(found >= 0, "no '%s' in %s/log/deploy-api.log", want, dir);
	return found;
}

/* Whether stack_reports (scripts/lib.sh, what run-with-stack.sh fails a
 * test on) finds anything in dir's logs. */
static bool
reports_found(const char *dir)
{
	struct buf snippet = BUF_INIT;
	int status;

	buf_printf(&snippet, "stack_reports %s >/dev/null", dir);
	status = stack_command(snippet.data);
	buf_release(&snippet);
	return status == 0;
}

/* A worker that crashed (a sanitizer's abort, a SEGV) left the master's exit
 * status at 0 and went unnoticed: now the master exits 1, and the harness's
 * scan of the logs finds it; a SIGKILL (the fault tests') is no crash. */
START_TEST(crashed_worker_fails_the_run)
{
	char dir[] = "/tmp/deploy-crash.XXXXXX";
	struct buf snippet = BUF_INIT;
	int status;
	pid_t runner, master, worker;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	buf_printf(&snippet, "mkdir -p %s/log %s/run && exec \"$2/deploy-api\" --listen unix:%s/run/api.sock"
	    " --db \"$DEPLOY_DB\" --workers 1 >%s/log/deploy-api.log 2>&1", dir, dir, dir, dir);
	runner = fork();
	ck_assert_int_ge(runner, 0);
	if (runner == 0)
		_exit(stack_command(snippet.data));
	master = (pid_t)wait_for_log(dir, "msg=\"started:", "pid=");
	worker = (pid_t)wait_for_log(dir, "started (start)", "msg=\"worker ");
	/* Ready by then (it connects to the database first). */
	sleep(1);
	ck_assert_int_eq(kill(worker, SIGKILL), 0);
	worker = (pid_t)wait_for_log(dir, "started (replacing a killed worker)", "msg=\"worker ");
	ck_assert(!reports_found(dir));
	sleep(1);
	ck_assert_int_eq(kill(worker, SIGSEGV), 0);
	/* "killed by signal 11", or AddressSanitizer's report of the SEGV. */
	for (int i = 0; i < 100 && !reports_found(dir); i++)
		usleep(100 * 1000);
	ck_assert(reports_found(dir));
	ck_assert_int_eq(kill(master, SIGTERM), 0);
	ck_assert_int_eq(waitpid(runner, &status, 0), runner);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 1);
	(void)wait_for_log(dir, "workers crashed", "pid=");
	buf_reset(&snippet);
	buf_printf(&snippet, "rm -rf %s", dir);
	(void)stack_command(snippet.data);
	buf_release(&snippet);
}
END_TEST

/* deployctl hook create --secret S showed the secret to every local
 * account in ps; --secret-file reads it from a file (or stdin). */
START_TEST(deployctl_reads_secrets_from_a_file)
{
	struct test_repo r;
	char path[] = "/tmp/deploy-secret.XXXXXX";
	int fd = mkstemp(path);
	char *id, *stored;

	repo_with_git(&r);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "s3cr3t\n", 7), 7);
	close(fd);
	id = deployctl((const char *const[]){ "hook", "create", r.full, "--url",
	    "http://127.0.0.1:9/hook", "--secret-file", path, NULL });
	stored = sql_text("SELECT secret FROM hooks WHERE id = %s", id);
	ck_assert_str_eq(stored, "s3cr3t");
	unlink(path);
	free(stored);
	free(id);
}
END_TEST

/* scripts/run's PostgreSQL trusted every local account, as superuser. Now
 * each role needs its password, and the programs' role reads and writes
 * rows but can change nothing else. */
START_TEST(application_role_cannot_change_the_schema)
{
	static const char *const refused[] = {
		"DROP TABLE deployments",
		"ALTER TABLE deployments ADD COLUMN stolen text",
		"TRUNCATE deployments",
		"CREATE TABLE stolen (t text)",
		"CREATE TEMP TABLE stolen (t text)",
		"CREATE FUNCTION stolen() RETURNS int LANGUAGE sql AS 'SELECT 1'",
		"CREATE ROLE stolen SUPERUSER",
		"ALTER ROLE deploy_app SUPERUSER",
		"ALTER SYSTEM SET fsync = off",
		"CREATE SCHEMA stolen",
		"DROP DATABASE deploy",
	};
	PGconn *conn = PQconnectdb(env_or_die("DEPLOY_DB"));
	PGresult *r;

	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "%s", PQerrorMessage(conn));
	r = PQexec(conn, "SELECT current_user, count(*) FROM deployments");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "deploy_app");
	PQclear(r);
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		const char *state;

		r = PQexec(conn, refused[i]);
		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		/* 42501 insufficient_privilege; DROP DATABASE of a connected
		 * database is refused before privileges are looked at. */
		ck_assert_msg(PQresultStatus(r) == PGRES_FATAL_ERROR && state != NULL &&
		    (strcmp(state, "42501") == 0 || strcmp(state, "55006") == 0),
		    "%s: %s %s", refused[i], PQresStatus(PQresultStatus(r)), PQresultErrorMessage(r));
		PQclear(r);
	}
	PQfinish(conn);
}
END_TEST

START_TEST(database_wants_a_password_from_everyone)
{
	static const char *const roles[] = { "deploy_app", "deploy_owner", "deploy_admin", "postgres" };
	const char *data = env_or_die("DEPLOY_DATA");

	for (size_t i = 0; i < ARRAY_SIZE(roles); i++) {
		struct buf conninfo = BUF_INIT;
		PGconn *conn;

		buf_printf(&conninfo, "host=%s/pgrun port=5432 dbname=deploy user=%s passfile=%s/secrets/none",
		    data, roles[i], data);
		conn = PQconnectdb(conninfo.data);
		ck_assert_msg(PQstatus(conn) == CONNECTION_BAD, "%s connected without a password", roles[i]);
		PQfinish(conn);
		buf_release(&conninfo);
	}
}
END_TEST

static void
assert_mode(const char *data, const char *file, mode_t want)
{
	struct buf path = BUF_INIT;
	struct stat st;

	buf_printf(&path, "%s/%s", data, file);
	ck_assert_msg(stat(path.data, &st) == 0, "%s is missing", path.data);
	ck_assert_msg((st.st_mode & 0777) == want, "%s is %o, not %o", path.data,
	    (unsigned)(st.st_mode & 0777), (unsigned)want);
	buf_release(&path);
}

START_TEST(database_files_are_private)
{
	const char *data = env_or_die("DEPLOY_DATA");
	struct buf hba = BUF_INIT;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	assert_mode(data, "secrets", 0700);
	assert_mode(data, "secrets/pgpass", 0600);
	assert_mode(data, "pgrun", 0700);
	assert_mode(data, "pg", 0700);
	buf_printf(&hba, "%s/pg/pg_hba.conf", data);
	ck_assert_ptr_nonnull(f = fopen(hba.data, "r"));
	while (getline(&line, &cap, f) > 0) {
		char *hash = strchr(line, '#');

		if (hash)
			*hash = '\0';
		ck_assert_msg(strstr(line, "trust") == NULL, "pg_hba.conf trusts: %s", line);
	}
	free(line);
	fclose(f);
	buf_release(&hba);
}
END_TEST

int
main(void)
{
	TCase *tc = tcase_of("hostile", 60, (const TTest *const[]){
		invalid_utf8_is_404_or_422_never_500, impossible_ref_names_are_not_found,
		client_host_never_reaches_urls, longest_query_fits_in_link,
		hooks_to_internal_hosts_are_refused, dispatcher_refuses_internal_addresses_at_connect,
		crashed_worker_fails_the_run, deployctl_reads_secrets_from_a_file,
		application_role_cannot_change_the_schema, database_wants_a_password_from_everyone,
		database_files_are_private, NULL });

	return suite_failures(suite_of("hostile", tc, NULL)) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
