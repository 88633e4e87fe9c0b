/*
 * What integration tests share: HTTP calls against the running stack
 * (real nginx, real workers, real PostgreSQL) through libcurl, and
 * provisioning through the real deployctl. run-with-stack.sh starts the
 * stack and exports DEPLOY_URL, DEPLOY_DB, DEPLOY_BIN, DEPLOY_DATA and
 * DEPLOY_SRC before running a test program.
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

/* Performs method url-path (relative to DEPLOY_URL) with optional token
 * ("token T" is sent), body (NULL: none) and extra header lines
 * (NULL-terminated, may be NULL). Aborts the test on transport errors. */
void http_call(struct http_response *res, const char *method, const char *path, const char *token,
    const char *body, const char *const *extra_headers);
void http_response_release(struct http_response *res);

/* The value of a response header (case-insensitive name), newly
 * allocated, or NULL. */
char *http_header(const struct http_response *res, const char *name);

/* Runs deployctl with args (NULL-terminated) against DEPLOY_DB and returns
 * its stdout without the trailing newline; aborts the test if it fails. */
char *deployctl(const char *const *args);

/* Creates a user and a token for it; returns the token. A unique suffix
 * keeps names apart across tests: the returned login is written to
 * login_out (at least 40 bytes). */
char *make_user_with_token(const char *prefix, const char *scopes, char *login_out);

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

/* Runs one SQL statement against DEPLOY_DB (test setup only). */
void sql_exec(const char *sql);

/* The pid in DEPLOY_DATA/run/NAME.pid. */
int stack_pid(const char *name);

const char *env_or_die(const char *name);

/* Runs argv (argv[0] looked up in PATH) and puts its stdout, trimmed of
 * trailing newlines, in out (when not NULL). Returns the exit status, -1
 * when it cannot run. For the tests' own tools (git), not deployctl. */
int spawn_capture(char *const *argv, char *out, size_t outlen);

/* Base64 of s, newly allocated. */
char *test_base64(const char *s);

/* A name unique to this process and call. */
void unique_name(const char *prefix, char *out, size_t outlen);

#endif
