#include "config.h"

#include "harness.h"

#include <check.h>
#include <stdarg.h>
#include <curl/curl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <time.h>

#include "buf.h"

extern char **environ;

const char *
env_or_die(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && *v != '\0', "%s is not set: run through run-with-stack.sh", name);
	return v;
}

static size_t
collect(char *data, size_t size, size_t n, void *userdata)
{
	buf_append(userdata, data, size * n);
	return size * n;
}

void
http_call(struct http_response *res, const char *method, const char *path, const char *token,
    const char *body, const char *const *extra_headers)
{
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = NULL;
	struct buf url = BUF_INIT;
	struct buf auth = BUF_INIT;
	struct buf resp_body = BUF_INIT;
	struct buf resp_headers = BUF_INIT;
	CURLcode rc;

	ck_assert_ptr_nonnull(curl);
	memset(res, 0, sizeof(*res));
	if (strncmp(path, "http://", 7) == 0)
		buf_puts(&url, path);
	else
		buf_printf(&url, "%s%s", env_or_die("DEPLOY_URL"), path);
	curl_easy_setopt(curl, CURLOPT_URL, url.data);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	if (token) {
		buf_printf(&auth, "Authorization: token %s", token);
		headers = curl_slist_append(headers, auth.data);
	}
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		headers = curl_slist_append(headers, "Content-Type: application/json");
	}
	headers = curl_slist_append(headers, "Expect:");
	for (size_t i = 0; extra_headers && extra_headers[i]; i++)
		headers = curl_slist_append(headers, extra_headers[i]);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp_body);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp_headers);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	rc = curl_easy_perform(curl);
	ck_assert_msg(rc == CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &res->seconds);
	res->body_len = resp_body.len;
	res->body = buf_detach(&resp_body);
	res->headers = buf_detach(&resp_headers);
	res->json = json_loadb(res->body, res->body_len, JSON_DECODE_ANY, NULL);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	buf_release(&auth);
	buf_release(&url);
}

void
http_response_release(struct http_response *res)
{
	free(res->body);
	free(res->headers);
	json_decref(res->json);
	memset(res, 0, sizeof(*res));
}

char *
http_header(const struct http_response *res, const char *name)
{
	size_t n = strlen(name);
	const char *line = res->headers;

	while (line && *line) {
		size_t len = strcspn(line, "\r\n");

		if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;

			while (*v == ' ')
				v++;
			return xstrndup(v, len - (size_t)(v - line));
		}
		line += len;
		line += strspn(line, "\r\n");
	}
	return NULL;
}

void
assert_header(const struct http_response *res, const char *name, const char *value)
{
	char *got = http_header(res, name);

	ck_assert_msg(got != NULL && strcmp(got, value) == 0, "%s: %s, expected %s", name,
	    got ? got : "(none)", value);
	free(got);
}

/* Runs argv, returns its stdout; the exit status goes to *status. */
static char *
run_capture(char *const *argv, int *status)
{
	posix_spawn_file_actions_t fa;
	struct buf out = BUF_INIT;
	int pipefd[2];
	pid_t pid;
	char chunk[4096];
	ssize_t n;

	ck_assert_int_eq(pipe(pipefd), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	/* Daemons started by the command must not hold the pipe open. */
	posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	ck_assert_int_eq(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	while ((n = read(pipefd[0], chunk, sizeof(chunk))) > 0)
		buf_append(&out, chunk, (size_t)n);
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, status, 0), pid);
	while (out.len > 0 && out.data[out.len - 1] == '\n')
		out.data[--out.len] = '\0';
	return buf_detach(&out);
}

char *
deployctl(const char *const *args)
{
	struct buf path = BUF_INIT;
	char *argv[32];
	size_t n = 0;
	int status;
	char *out;

	buf_printf(&path, "%s/deployctl", env_or_die("DEPLOY_BIN"));
	argv[n++] = path.data;
	argv[n++] = (char *)"--db";
	argv[n++] = (char *)env_or_die("DEPLOY_DB");
	for (size_t i = 0; args[i] && n < 31; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	out = run_capture(argv, &status);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "deployctl %s %s failed",
	    args[0], args[1] ? args[1] : "");
	buf_release(&path);
	return out;
}

char *
outbox_body(long long id)
{
	struct buf path = BUF_INIT, ids = BUF_INIT;
	char *argv[6], *out, *tab, *body;
	int status;

	buf_printf(&path, "%s/deploy-dispatch", env_or_die("DEPLOY_BIN"));
	buf_printf(&ids, "%lld", id);
	argv[0] = path.data;
	argv[1] = (char *)"--db";
	argv[2] = (char *)env_or_die("DEPLOY_DB");
	argv[3] = (char *)"--show-outbox";
	argv[4] = ids.data;
	argv[5] = NULL;
	out = run_capture(argv, &status);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "deploy-dispatch --show-outbox %lld failed",
	    id);
	tab = strchr(out, '\t');
	ck_assert_msg(tab != NULL, "outbox row %lld not shown: %s", id, out);
	body = xstrdup(tab + 1);
	free(out);
	buf_release(&ids);
	buf_release(&path);
	return body;
}

void
unique_name(const char *prefix, char *out, size_t outlen)
{
	static unsigned counter;

	snprintf(out, outlen, "%s-%d-%u", prefix, (int)getpid(), ++counter);
}

char *
make_user_with_token(const char *prefix, const char *scopes, char *login_out)
{
	const char *create[] = { "user", "create", login_out, NULL };
	const char *token[] = { "token", "create", login_out, "--scopes", scopes, "--rate-limit", "0", NULL };

	unique_name(prefix, login_out, 40);
	free(deployctl(create));
	return deployctl(token);
}

int
stack_command(const char *snippet)
{
	struct buf script = BUF_INIT;
	char *argv[] = { (char *)"/bin/bash", (char *)"-c", NULL, (char *)"stack", NULL, NULL, NULL };
	int status;
	char *out;

	buf_printf(&script, "source \"$DEPLOY_SRC/scripts/lib.sh\" && %s", snippet);
	argv[2] = script.data;
	argv[4] = (char *)env_or_die("DEPLOY_DATA");
	argv[5] = (char *)env_or_die("DEPLOY_BIN");
	out = run_capture(argv, &status);
	free(out);
	buf_release(&script);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
stack_pid(const char *name)
{
	struct buf path = BUF_INIT;
	FILE *f;
	int pid = 0;

	buf_printf(&path, "%s/run/%s.pid", env_or_die("DEPLOY_DATA"), name);
	f = fopen(path.data, "r");
	ck_assert_msg(f != NULL, "no pid file %s", path.data);
	ck_assert_int_eq(fscanf(f, "%d", &pid), 1);
	fclose(f);
	buf_release(&path);
	return pid;
}

char *
test_base64(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	return out;
}

/* Runs argv (argv[0] looked up in PATH); its stdout, trimmed, into out.
 * Returns the exit status, -1 when it cannot run. */
int
spawn_capture(char *const *argv, char *out, size_t outlen)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2], status;
	pid_t pid;
	size_t len = 0;
	ssize_t n;

	if (pipe(pipefd) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	while (out && len + 1 < outlen && (n = read(pipefd[0], out + len, outlen - 1 - len)) > 0)
		len += (size_t)n;
	if (out) {
		out[len] = '\0';
		while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == '\r'))
			out[--len] = '\0';
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* What a query must give for the test to go on. */
enum sql_want {
	SQL_DONE,       /* success, with or without rows */
	SQL_ROWS,       /* rows, however many */
	SQL_ONE_ROW,    /* exactly one row */
};

/* Runs the statement fmt describes on a new connection, failing the test
 * unless it gives what want says; the caller frees both with sql_done(). */
static PGresult *
sql_vrun(PGconn **conn, enum sql_want want, const char *fmt, va_list ap)
{
	struct buf sql = BUF_INIT;
	PGresult *r;
	ExecStatusType st;

	buf_vprintf(&sql, fmt, ap);
	*conn = PQconnectdb(env_or_die("DEPLOY_DB_OWNER"));
	ck_assert_msg(PQstatus(*conn) == CONNECTION_OK, "%s", PQerrorMessage(*conn));
	r = PQexec(*conn, sql.data);
	st = PQresultStatus(r);
	ck_assert_msg(st == PGRES_TUPLES_OK || (want == SQL_DONE && st == PGRES_COMMAND_OK),
	    "%s: %s", sql.data, PQresultErrorMessage(r));
	ck_assert_msg(want != SQL_ONE_ROW || PQntuples(r) == 1, "%s: %d rows, expected one",
	    sql.data, PQntuples(r));
	buf_release(&sql);
	return r;
}

static void
sql_done(PGconn *conn, PGresult *r)
{
	PQclear(r);
	PQfinish(conn);
}

void
sql_exec(const char *fmt, ...)
{
	PGconn *conn;
	PGresult *r;
	va_list ap;

	va_start(ap, fmt);
	r = sql_vrun(&conn, SQL_DONE, fmt, ap);
	va_end(ap);
	sql_done(conn, r);
}

static char *
sql_vtext(const char *fmt, va_list ap)
{
	PGconn *conn;
	PGresult *r = sql_vrun(&conn, SQL_ONE_ROW, fmt, ap);
	char *v = xstrdup(PQgetvalue(r, 0, 0));

	sql_done(conn, r);
	return v;
}

char *
sql_text(const char *fmt, ...)
{
	va_list ap;
	char *v;

	va_start(ap, fmt);
	v = sql_vtext(fmt, ap);
	va_end(ap);
	return v;
}

long long
sql_int(const char *fmt, ...)
{
	va_list ap;
	char *text;
	long long v;

	va_start(ap, fmt);
	text = sql_vtext(fmt, ap);
	va_end(ap);
	v = strtoll(text, NULL, 10);
	free(text);
	return v;
}

char *
sql_rows(const char *fmt, ...)
{
	struct buf out = BUF_INIT;
	PGconn *conn;
	PGresult *r;
	va_list ap;

	va_start(ap, fmt);
	r = sql_vrun(&conn, SQL_ROWS, fmt, ap);
	va_end(ap);
	for (int i = 0; i < PQntuples(r); i++) {
		for (int j = 0; j < PQnfields(r); j++)
			buf_printf(&out, "%s%s", j ? "|" : "", PQgetvalue(r, i, j));
		buf_putc(&out, '\n');
	}
	sql_done(conn, r);
	return buf_detach(&out);
}

const char *
message_of(const struct http_response *r)
{
	json_t *m = json_object_get(r->json, "message");

	return m ? json_string_value(m) : "";
}

const char *
json_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

long long
json_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
	return (long long)json_integer_value(v);
}

void
http_callf(struct http_response *res, const char *method, const char *token, const char *body,
    const char *fmt, ...)
{
	struct buf path = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&path, fmt, ap);
	va_end(ap);
	http_call(res, method, path.data, token, body, NULL);
	buf_release(&path);
}

json_t *
http_json(const char *method, const char *token, const char *body, long expect, const char *fmt,
    ...)
{
	struct buf path = BUF_INIT;
	struct http_response r;
	va_list ap;
	json_t *out;

	va_start(ap, fmt);
	buf_vprintf(&path, fmt, ap);
	va_end(ap);
	http_call(&r, method, path.data, token, body, NULL);
	ck_assert_msg(r.status == expect, "%s %s %s: expected %ld, got %ld %s", method, path.data,
	    body ? body : "", expect, r.status, r.body);
	out = json_incref(r.json);
	http_response_release(&r);
	buf_release(&path);
	return out;
}

long
http_status(const char *method, const char *token, const char *body, const char *fmt, ...)
{
	struct buf path = BUF_INIT;
	struct http_response r;
	va_list ap;
	long status;

	va_start(ap, fmt);
	buf_vprintf(&path, fmt, ap);
	va_end(ap);
	http_call(&r, method, path.data, token, body, NULL);
	status = r.status;
	http_response_release(&r);
	buf_release(&path);
	return status;
}

char *
link_url(const char *link, const char *rel, int *nrels)
{
	char want[64];
	char *found = NULL;
	const char *p = link;

	if (nrels)
		*nrels = 0;
	if (link == NULL)
		return NULL;
	snprintf(want, sizeof(want), "rel=\"%s\"", rel ? rel : "");
	while ((p = strchr(p, '<')) != NULL) {
		const char *end = strchr(p, '>');
		const char *next;
		size_t attrs_len;

		ck_assert_ptr_nonnull(end);
		next = strchr(end, '<');
		attrs_len = next ? (size_t)(next - end) : strlen(end);
		if (nrels)
			(*nrels)++;
		if (rel && memmem(end, attrs_len, want, strlen(want)) != NULL) {
			ck_assert_msg(found == NULL, "rel %s twice in %s", rel, link);
			found = xstrndup(p + 1, (size_t)(end - p - 1));
		}
		p = end;
	}
	return found;
}

const char *
url_path(const char *url)
{
	const char *base = env_or_die("DEPLOY_URL");
	size_t n = strlen(base);

	ck_assert_msg(strncmp(url, base, n) == 0, "%s is not below %s", url, base);
	return url + n;
}

void
in_parallel(int n, void (*request)(int i, void *arg, struct http_response *res), void *arg,
    struct parallel_answer *answers)
{
	pid_t *pids = xcalloc((size_t)n, sizeof(*pids));
	bool *seen = xcalloc((size_t)n, sizeof(*seen));
	int gate[2], report[2];
	FILE *in;

	ck_assert_int_eq(pipe(gate), 0);
	ck_assert_int_eq(pipe(report), 0);
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			struct http_response res;
			char line[80], c;
			int len;

			close(gate[1]);
			close(report[0]);
			(void)!read(gate[0], &c, 1);
			request(i, arg, &res);
			len = snprintf(line, sizeof(line), "%d %ld %lld\n", i, res.status,
			    (long long)json_integer_value(json_object_get(res.json, "id")));
			_exit(write(report[1], line, (size_t)len) == len ? 0 : 2);
		}
	}
	close(gate[0]);
	close(gate[1]);   /* opens the gate */
	close(report[1]);
	/* The reports are far smaller than a pipe holds: no child waits. */
	for (int i = 0; i < n; i++) {
		int status;

		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "parallel request %d did not report back", i);
	}
	in = fdopen(report[0], "r");
	ck_assert_ptr_nonnull(in);
	for (int k = 0; k < n; k++) {
		int i;
		long status;
		long long id;

		ck_assert_int_eq(fscanf(in, "%d %ld %lld", &i, &status, &id), 3);
		ck_assert_msg(i >= 0 && i < n && !seen[i], "parallel request %d reported twice", i);
		seen[i] = true;
		answers[i].status = status;
		answers[i].id = id;
	}
	fclose(in);
	free(seen);
	free(pids);
}

void
test_repo_make(struct test_repo *r, const char *owner_prefix, const char *name,
    bool private_repo, const char *const *options)
{
	char *token = make_user_with_token(owner_prefix, "repo", r->owner);
	const char *args[16] = { "repo", "create", r->full };
	size_t n = 3;

	snprintf(r->token, sizeof(r->token), "%s", token);
	free(token);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->full, sizeof(r->full), "%s/%s", r->owner, r->name);
	snprintf(r->path, sizeof(r->path), "/repos/%s", r->full);
	snprintf(r->deployments, sizeof(r->deployments), "%s/deployments", r->path);
	if (private_repo)
		args[n++] = "--private";
	for (size_t i = 0; options && options[i] && n < ARRAY_SIZE(args) - 1; i++)
		args[n++] = options[i];
	args[n] = NULL;
	free(deployctl(args));
	r->id = sql_int("SELECT r.id FROM repositories r JOIN users u ON u.id = r.owner_id"
	    " WHERE u.login = '%s' AND r.name = '%s'", r->owner, r->name);
}

long long
rows_of(const struct test_repo *r, const char *table)
{
	return sql_int("SELECT count(*) FROM %s WHERE repository_id = %lld", table, r->id);
}

void
assert_repo_served(const struct test_repo *r)
{
	struct http_response res;

	http_call(&res, "GET", r->path, r->token, NULL, NULL);
	ck_assert_msg(res.status == 200, "GET %s: %ld %s", r->path, res.status, res.body);
	ck_assert_int_eq(json_int(res.json, "id"), r->id);
	http_response_release(&res);
}

char *
add_collaborator(const struct test_repo *r, const char *permission, char *login_out)
{
	char *token = make_user_with_token(permission, "repo", login_out);
	const char *add[] = { "collaborator", "add", r->full, login_out, "--permission", permission,
		NULL };

	free(deployctl(add));
	return token;
}

void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}
