/*
 * What integration tests share: HTTP calls against the running stack
 * (real nginx, real workers, real PostgreSQL) through libcurl, and
 * provisioning through the real deployctl. run-with-stack.sh starts the
 * stack and exports DEPLOY_URL, DEPLOY_DB (the programs' role),
 * DEPLOY_DB_OWNER (the schema's owner, for the tests' own SQL), DEPLOY_BIN,
 * DEPLOY_DATA and DEPLOY_SRC before running a test program.
 */
#ifndef DEPLOY_TEST_HARNESS_H
#define DEPLOY_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "util.h"

struct http_response {
	long status;
	char *body;
	size_t body_len;
	char *headers;    /* raw header block, lines as received */
	json_t *json;     /* parsed body, NULL when it is not JSON */
	double seconds;
};

/* Performs method url-path (relative to DEPLOY_URL, or a whole http://
 * URL: another server of the stack's) with optional token
 * ("token T" is sent), body (NULL: none) and extra header lines
 * (NULL-terminated, may be NULL). Aborts the test on transport errors. */
void http_call(struct http_response *res, const char *method, const char *path, const char *token,
    const char *body, const char *const *extra_headers);
void http_response_release(struct http_response *res);

/* http_call with the path written printf-style, and no extra headers. */
void http_callf(struct http_response *res, const char *method, const char *token,
    const char *body, const char *fmt, ...) PRINTF_LIKE(5, 6);

/* method on the path written printf-style (body may be NULL): asserts the
 * status is expect and returns the parsed body (owned, NULL when it is
 * not JSON). */
json_t *http_json(const char *method, const char *token, const char *body, long expect,
    const char *fmt, ...) PRINTF_LIKE(5, 6);

/* Only the status of method on the path written printf-style (body may
 * be NULL). */
long http_status(const char *method, const char *token, const char *body, const char *fmt, ...)
    PRINTF_LIKE(4, 5);

/* The value of a response header (case-insensitive name), newly
 * allocated, or NULL. */
char *http_header(const struct http_response *res, const char *name);

/* Asserts that res has the header name (case-insensitive) with exactly
 * value. */
void assert_header(const struct http_response *res, const char *name, const char *value);

/* The URL of rel in a Link header (NULL: none) as the server wrote it,
 * newly allocated, or NULL (always, when rel is NULL); *nrels (when nrels
 * is not NULL) is set to how many rels the header has. Fails the test
 * when rel is there twice. */
char *link_url(const char *link, const char *rel, int *nrels);

/* The path of url, which must be below DEPLOY_URL: what a client that
 * follows the link requests. Points into url. */
const char *url_path(const char *url);

/* What one of the requests of in_parallel() was answered. */
struct parallel_answer {
	long status;
	long long id;    /* the "id" of the body, 0 when it has none */
};

/* Makes n requests at once, each from its own child process, all released
 * together: request(i, arg, res) makes the i-th into res (and may print
 * what the test wants to see of it); answers[i] is what it was answered.
 * Fails the test when a child does not report back. */
void in_parallel(int n, void (*request)(int i, void *arg, struct http_response *res), void *arg,
    struct parallel_answer *answers);

/* Runs deployctl with args (NULL-terminated) against DEPLOY_DB and returns
 * its stdout without the trailing newline; aborts the test if it fails. */
char *deployctl(const char *const *args);

/* The body outbox row id's event is delivered with, as deploy-dispatch
 * renders it at fan-out (--show-outbox: the row stays), newly allocated. */
char *outbox_body(long long id);

/* Creates a user and a token for it; returns the token. A unique suffix
 * keeps names apart across tests: the returned login is written to
 * login_out (at least 40 bytes). */
char *make_user_with_token(const char *prefix, const char *scopes, char *login_out);

/* A repository of a new owner, made through deployctl. */
struct test_repo {
	char owner[40];
	char token[128];         /* the owner's, scope repo */
	char name[64];
	char full[128];          /* OWNER/NAME */
	char path[160];          /* /repos/OWNER/NAME */
	char deployments[192];   /* /repos/OWNER/NAME/deployments */
	long long id;
};

/* Makes r: a user (login from owner_prefix) with a token of scope repo,
 * and their repository name, private or not, created with the other repo
 * create options given (NULL-terminated, may be NULL: "--git-dir" DIR,
 * "--default-branch" B). */
void test_repo_make(struct test_repo *r, const char *owner_prefix, const char *name,
    bool private_repo, const char *const *options);

/* How many rows of table (outbox, deployments, hooks, ...) are r's, by
 * their repository_id. */
long long rows_of(const struct test_repo *r, const char *table);

/* Asserts that GET r's path, as its owner, answers 200 with r's id. */
void assert_repo_served(const struct test_repo *r);

/* A new user (login from permission) with a token of scope repo and that
 * permission on r; returns the token, the login into login_out (at least
 * 40 bytes). */
char *add_collaborator(const struct test_repo *r, const char *permission, char *login_out);

/* Runs a shell snippet after sourcing scripts/lib.sh, with $1 = the data
 * folder and $2 = the bin folder ("pg_stop \"$1\"", ...); returns its
 * exit status. */
int stack_command(const char *snippet);

/* The one value of a query that returns one row (printf-style text of
 * the test's own making), as an integer; fails the test otherwise. */
long long sql_int(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* The "message" of an error body, "" when there is none. */
const char *message_of(const struct http_response *r);

/* The string member key of o; fails the test when it is not a string. */
const char *json_str(json_t *o, const char *key);

/* The integer member key of o; fails the test when it is not an integer. */
long long json_int(json_t *o, const char *key);

/* Runs one SQL statement (printf-style text of the test's own making)
 * as DEPLOY_DB_OWNER: test setup, or state changed behind the server. */
void sql_exec(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* The one value of a query that returns one row, as text ("" for NULL),
 * newly allocated; fails the test otherwise. */
char *sql_text(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Every row of a query, each row's columns joined with '|' and each row
 * ended by '\n', newly allocated. */
char *sql_rows(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* The pid in DEPLOY_DATA/run/NAME.pid. */
int stack_pid(const char *name);

const char *env_or_die(const char *name);

/* Runs argv (argv[0] looked up in PATH) and puts its stdout, trimmed of
 * trailing newlines, in out (when not NULL). Returns the exit status, -1
 * when it cannot run. For the tests' own tools (git), not deployctl. */
int spawn_capture(char *const *argv, char *out, size_t outlen);

/* Base64 of s, newly allocated. */
char *test_base64(const char *s);

/* Sleeps ms milliseconds. */
void sleep_ms(int ms);

/* A name unique to this process and call. */
void unique_name(const char *prefix, char *out, size_t outlen);

#endif
