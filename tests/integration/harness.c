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

void
sql_exec(const char *sql)
{
	PGconn *conn = PQconnectdb(env_or_die("DEPLOY_DB"));
	PGresult *r;

	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "%s", PQerrorMessage(conn));
	r = PQexec(conn, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
	    "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(conn);
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

long long
sql_int(const char *fmt, ...)
{
	PGconn *conn = PQconnectdb(env_or_die("DEPLOY_DB"));
	struct buf sql = BUF_INIT;
	PGresult *r;
	va_list ap;
	long long v;

	va_start(ap, fmt);
	buf_vprintf(&sql, fmt, ap);
	va_end(ap);
	ck_assert_msg(PQstatus(conn) == CONNECTION_OK, "%s", PQerrorMessage(conn));
	r = PQexec(conn, sql.data);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1,
	    "%s: %s", sql.data, PQresultErrorMessage(r));
	v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQfinish(conn);
	buf_release(&sql);
	return v;
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
