/*
 * The foundation over real HTTP: authentication and scopes, hidden
 * repositories, routing, limits, conditional requests, rate limits and the
 * headers every response carries.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "suite.h"

/* Created once per test: an owner with a public and a private repository,
 * and tokens for the owner and for other users. */
struct world {
	char owner[40];
	char owner_token[128];
	char public_repo[64];
	char private_repo[64];
};

static void
world_make(struct world *w)
{
	char *t = make_user_with_token("owner", "repo", w->owner);
	char full[128];
	const char *pub[] = { "repo", "create", full, NULL };
	const char *priv[] = { "repo", "create", full, "--private", NULL };

	snprintf(w->owner_token, sizeof(w->owner_token), "%s", t);
	free(t);
	snprintf(w->public_repo, sizeof(w->public_repo), "/repos/%s/public", w->owner);
	snprintf(w->private_repo, sizeof(w->private_repo), "/repos/%s/secret", w->owner);
	snprintf(full, sizeof(full), "%s/public", w->owner);
	free(deployctl(pub));
	snprintf(full, sizeof(full), "%s/secret", w->owner);
	free(deployctl(priv));
}

/* "Authorization: Basic" for user:password, newly allocated. */
static char *
basic_authorization(const char *user, const char *password)
{
	struct buf raw = BUF_INIT, header = BUF_INIT;
	char *b64;

	buf_printf(&raw, "%s:%s", user, password);
	b64 = test_base64(raw.data);
	buf_printf(&header, "Authorization: Basic %s", b64);
	free(b64);
	buf_release(&raw);
	return buf_detach(&header);
}

START_TEST(healthz_needs_no_token)
{
	struct http_response r;

	http_call(&r, "GET", "/healthz", NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "ok");
	http_response_release(&r);
}
END_TEST

START_TEST(anonymous_reads_public_not_private)
{
	struct world w;
	struct http_response r;

	world_make(&w);
	http_call(&r, "GET", w.public_repo, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(json_object_get(r.json, "permissions"));
	ck_assert(json_is_false(json_object_get(r.json, "private")));
	http_response_release(&r);

	http_call(&r, "GET", w.private_repo, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(message_of(&r), "Not Found");
	ck_assert_ptr_nonnull(json_object_get(r.json, "documentation_url"));
	http_response_release(&r);
}
END_TEST

START_TEST(bad_token_is_401_even_on_public_data)
{
	struct world w;
	struct http_response r;
	const char *malformed[] = { "Authorization: Digest abc", NULL };

	world_make(&w);
	http_call(&r, "GET", w.public_repo, "dpa_notarealtoken", NULL, NULL);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(message_of(&r), "Bad credentials");
	http_response_release(&r);

	http_call(&r, "GET", w.public_repo, NULL, NULL, malformed);
	ck_assert_int_eq(r.status, 401);
	http_response_release(&r);
}
END_TEST

/* Workers remember callers for --auth-cache-ms (500 by default): a change
 * to a token, a collaborator or a repository takes effect within a second
 * on every worker. Called right after the change: waits a second, then
 * asks enough times for every worker (4) to answer, each of which must say
 * want. Few requests: a 401 counts against the client address's budget of
 * 60 an hour, which the other tests share. */
#define WORKERS_REACHED 8
static void
expect_within_a_second(const char *token, const char *path, long want)
{
	sql_exec("SELECT pg_sleep(1)");
	for (int i = 0; i < WORKERS_REACHED; i++)
		ck_assert_int_eq(http_status("GET", token, NULL, "%s", path), want);
}

/* The same for GraphQL's repository(owner, name), which goes through the
 * same memory: whether every worker finds the repository for token. */
static void
expect_graphql_within_a_second(const char *token, const char *owner, const char *name,
    bool found)
{
	char body[256];

	snprintf(body, sizeof(body),
	    "{\"query\": \"{ repository(owner: \\\"%s\\\", name: \\\"%s\\\") { name } }\"}", owner,
	    name);
	sql_exec("SELECT pg_sleep(1)");
	for (int i = 0; i < WORKERS_REACHED; i++) {
		json_t *answer = http_json("POST", token, body, 200, "/graphql");
		json_t *repo = json_object_get(json_object_get(answer, "data"), "repository");

		ck_assert_msg(found ? json_is_object(repo) : json_is_null(repo),
		    "worker %d: repository %s/%s %s", i, owner, name, found ? "not found" : "found");
		json_decref(answer);
	}
}

START_TEST(expired_token_is_401)
{
	char login[40];
	char *token = make_user_with_token("expired", "repo", login);

	ck_assert_int_eq(http_status("GET", token, NULL, "/user"), 200);
	sql_exec("UPDATE tokens SET expires_at = now() - interval '1 second' "
	    "WHERE user_id = (SELECT id FROM users WHERE login = '%s')", login);
	expect_within_a_second(token, "/user", 401);
	free(token);
}
END_TEST

START_TEST(changes_to_callers_take_effect_within_a_second)
{
	struct world w;
	char reader[40], outsider[40], full[128];
	char *reader_token = make_user_with_token("revoked", "repo", reader);
	char *outsider_token = make_user_with_token("outsider", "repo", outsider);
	const char *add[] = { "collaborator", "add", full, reader, "--permission", "pull", NULL };
	char hooks[128];

	world_make(&w);
	snprintf(full, sizeof(full), "%s/secret", w.owner);
	free(deployctl(add));

	/* A collaborator removed: the private repository is gone for them,
	 * on REST and GraphQL. */
	expect_within_a_second(reader_token, w.private_repo, 200);
	expect_graphql_within_a_second(reader_token, w.owner, "secret", true);
	sql_exec("DELETE FROM collaborators WHERE user_id = (SELECT id FROM users WHERE login = '%s')",
	    reader);
	expect_within_a_second(reader_token, w.private_repo, 404);
	expect_graphql_within_a_second(reader_token, w.owner, "secret", false);

	/* A repository made private: gone for everybody else. */
	expect_within_a_second(outsider_token, w.public_repo, 200);
	sql_exec("UPDATE repositories SET private = true WHERE id = (SELECT r.id FROM repositories r"
	    " JOIN users u ON u.id = r.owner_id WHERE u.login = '%s' AND r.name = 'public')", w.owner);
	expect_within_a_second(outsider_token, w.public_repo, 404);

	/* A permission changed: pull, then admin, who may list the hooks. */
	free(deployctl(add));
	snprintf(hooks, sizeof(hooks), "%s/hooks", w.private_repo);
	expect_within_a_second(reader_token, w.private_repo, 200);
	ck_assert_int_ne(http_status("GET", reader_token, NULL, "%s", hooks), 200);
	sql_exec("UPDATE collaborators SET permission = 'admin' WHERE user_id ="
	    " (SELECT id FROM users WHERE login = '%s')", reader);
	expect_within_a_second(reader_token, hooks, 200);

	/* A token revoked. */
	sql_exec("DELETE FROM tokens WHERE user_id = (SELECT id FROM users WHERE login = '%s')", reader);
	expect_within_a_second(reader_token, "/user", 401);
	free(reader_token);
	free(outsider_token);
}
END_TEST

START_TEST(token_bearer_and_basic_are_accepted)
{
	struct world w;
	struct buf bearer = BUF_INIT;
	char *authorization[3];
	struct http_response r;

	world_make(&w);
	buf_printf(&bearer, "Authorization: Bearer %s", w.owner_token);
	authorization[0] = buf_detach(&bearer);
	/* Basic with the token as password, then as user. */
	authorization[1] = basic_authorization(w.owner, w.owner_token);
	authorization[2] = basic_authorization(w.owner_token, "");
	for (size_t i = 0; i < ARRAY_SIZE(authorization); i++) {
		const char *h[] = { authorization[i], NULL };

		http_call(&r, "GET", w.private_repo, NULL, NULL, h);
		ck_assert_msg(r.status == 200, "%s: %ld", authorization[i], r.status);
		http_response_release(&r);
		free(authorization[i]);
	}
}
END_TEST

START_TEST(collaborator_permissions)
{
	struct world w;
	char reader[40], outsider[40];
	char *reader_token = make_user_with_token("reader", "repo", reader);
	char *outsider_token = make_user_with_token("outsider", "repo", outsider);
	char full[128];
	const char *add[] = { "collaborator", "add", full, reader, "--permission", "pull", NULL };
	struct http_response r;
	json_t *perms;

	world_make(&w);
	snprintf(full, sizeof(full), "%s/secret", w.owner);
	free(deployctl(add));

	http_call(&r, "GET", w.private_repo, reader_token, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	perms = json_object_get(r.json, "permissions");
	ck_assert(json_is_true(json_object_get(perms, "pull")));
	ck_assert(json_is_false(json_object_get(perms, "push")));
	ck_assert(json_is_false(json_object_get(perms, "admin")));
	http_response_release(&r);

	/* Existence of a private repository is never confirmed. */
	ck_assert_int_eq(http_status("GET", outsider_token, NULL, "%s", w.private_repo), 404);
	ck_assert_int_eq(http_status("GET", outsider_token, NULL, "%s", w.public_repo), 200);

	http_call(&r, "GET", w.private_repo, w.owner_token, NULL, NULL);
	perms = json_object_get(r.json, "permissions");
	ck_assert(json_is_true(json_object_get(perms, "admin")));
	http_response_release(&r);
	free(reader_token);
	free(outsider_token);
}
END_TEST

START_TEST(scopes_limit_what_a_token_sees)
{
	struct world w;
	char login[40];
	char *public_only, *deploy_only;
	const char *pub_token[] = { "token", "create", NULL, "--scopes", "public_repo", NULL };
	const char *dep_token[] = { "token", "create", NULL, "--scopes", "repo_deployment", NULL };
	struct http_response r;

	world_make(&w);
	pub_token[2] = w.owner;
	dep_token[2] = w.owner;
	public_only = deployctl(pub_token);
	deploy_only = deployctl(dep_token);
	(void)login;

	/* public_repo: public repositories only, even for their owner. */
	ck_assert_int_eq(http_status("GET", public_only, NULL, "%s", w.public_repo), 200);
	ck_assert_int_eq(http_status("GET", public_only, NULL, "%s", w.private_repo), 404);
	/* repo_deployment: no code access to a private repository. */
	ck_assert_int_eq(http_status("GET", deploy_only, NULL, "%s", w.private_repo), 404);
	ck_assert_int_eq(http_status("GET", deploy_only, NULL, "%s", w.public_repo), 200);

	http_call(&r, "GET", w.public_repo, public_only, NULL, NULL);
	assert_header(&r, "X-OAuth-Scopes", "public_repo");
	assert_header(&r, "X-Accepted-OAuth-Scopes", "repo");
	http_response_release(&r);
	free(public_only);
	free(deploy_only);
}
END_TEST

START_TEST(names_match_case_insensitively)
{
	struct world w;
	struct buf path = BUF_INIT;

	world_make(&w);
	for (char *p = w.owner; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	buf_printf(&path, "/repos/%s/PUBLIC", w.owner);
	ck_assert_int_eq(http_status("GET", NULL, NULL, "%s", path.data), 200);
	buf_release(&path);
}
END_TEST

START_TEST(urls_follow_the_request_prefix)
{
	struct world w;
	struct http_response r;
	struct buf path = BUF_INIT;
	const char *url;

	world_make(&w);
	buf_printf(&path, "/api/v3%s", w.public_repo);
	http_call(&r, "GET", path.data, NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	url = json_string_value(json_object_get(r.json, "url"));
	ck_assert_ptr_nonnull(strstr(url, "/api/v3/repos/"));
	ck_assert_str_eq(url + strlen(url) - strlen(w.public_repo), w.public_repo);
	http_response_release(&r);

	http_call(&r, "GET", w.public_repo, NULL, NULL, NULL);
	url = json_string_value(json_object_get(r.json, "url"));
	ck_assert_ptr_null(strstr(url, "/api/v3"));
	ck_assert(strncmp(url, "http://127.0.0.1:", 17) == 0);
	http_response_release(&r);
	buf_release(&path);
}
END_TEST

START_TEST(unknown_routes_and_methods_are_404)
{
	struct world w;
	struct http_response r;

	world_make(&w);
	http_call(&r, "GET", "/no/such/thing", NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(message_of(&r), "Not Found");
	assert_header(&r, "Content-Type", "application/json; charset=utf-8");
	http_response_release(&r);
	ck_assert_int_eq(http_status("DELETE", w.owner_token, NULL, "%s", w.public_repo), 404);
	ck_assert_int_eq(http_status("GET", w.owner_token, NULL, "/repos/nobody-here/nothing"), 404);
}
END_TEST

START_TEST(user_needs_authentication)
{
	char login[40];
	char *token = make_user_with_token("me", "repo", login);
	struct http_response r;

	http_call(&r, "GET", "/user", NULL, NULL, NULL);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(message_of(&r), "Requires authentication");
	http_response_release(&r);

	http_call(&r, "GET", "/user", token, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "login")), login);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "type")), "User");
	http_response_release(&r);
	free(token);
}
END_TEST

START_TEST(oversized_body_is_413)
{
	size_t n = 1024 * 1024 + 10;
	char *big = malloc(n + 1);
	struct http_response r;

	memset(big, 'x', n);
	big[n] = '\0';
	http_call(&r, "POST", "/repos/a/b/deployments", NULL, big, NULL);
	ck_assert_int_eq(r.status, 413);
	ck_assert_ptr_nonnull(json_object_get(r.json, "message"));
	http_response_release(&r);
	free(big);
}
END_TEST

START_TEST(etag_and_if_none_match)
{
	struct world w;
	struct http_response r;
	struct buf inm = BUF_INIT;
	const char *h[2] = { NULL, NULL };
	char *etag, *etag2;

	world_make(&w);
	http_call(&r, "GET", w.public_repo, w.owner_token, NULL, NULL);
	etag = http_header(&r, "ETag");
	ck_assert_ptr_nonnull(etag);
	http_response_release(&r);

	buf_printf(&inm, "If-None-Match: %s", etag);
	h[0] = inm.data;
	http_call(&r, "GET", w.public_repo, w.owner_token, NULL, h);
	ck_assert_int_eq(r.status, 304);
	ck_assert_uint_eq(r.body_len, 0);
	etag2 = http_header(&r, "ETag");
	ck_assert_str_eq(etag, etag2);
	http_response_release(&r);

	buf_reset(&inm);
	buf_puts(&inm, "If-None-Match: W/\"something-else\"");
	http_call(&r, "GET", w.public_repo, w.owner_token, NULL, h);
	ck_assert_int_eq(r.status, 200);
	http_response_release(&r);
	free(etag);
	free(etag2);
	buf_release(&inm);
}
END_TEST

START_TEST(rate_limit_per_token)
{
	char login[40];
	const char *create[] = { "user", "create", login, NULL };
	const char *tok[] = { "token", "create", login, "--rate-limit", "3", NULL };
	struct http_response r;
	char *token, *h;

	unique_name("limited", login, sizeof(login));
	free(deployctl(create));
	token = deployctl(tok);
	for (int i = 1; i <= 3; i++) {
		http_call(&r, "GET", "/user", token, NULL, NULL);
		ck_assert_int_eq(r.status, 200);
		assert_header(&r, "X-RateLimit-Limit", "3");
		h = http_header(&r, "X-RateLimit-Remaining");
		ck_assert_int_eq(atoi(h), 3 - i);
		free(h);
		h = http_header(&r, "X-RateLimit-Used");
		ck_assert_int_eq(atoi(h), i);
		free(h);
		http_response_release(&r);
	}
	http_call(&r, "GET", "/user", token, NULL, NULL);
	ck_assert_int_eq(r.status, 403);
	ck_assert_ptr_nonnull(strstr(message_of(&r), "API rate limit exceeded"));
	assert_header(&r, "X-RateLimit-Remaining", "0");
	assert_header(&r, "X-RateLimit-Resource", "core");
	http_response_release(&r);
	free(token);
}
END_TEST

/* The five X-RateLimit-* headers are on res, Limit as given; returns Used. */
static long
rate_limit_used(const struct http_response *res, const char *limit)
{
	static const char *const names[] = { "X-RateLimit-Remaining", "X-RateLimit-Reset",
		"X-RateLimit-Used" };
	char *used;
	long n;

	assert_header(res, "X-RateLimit-Limit", limit);
	assert_header(res, "X-RateLimit-Resource", "core");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *v = http_header(res, names[i]);

		ck_assert_msg(v != NULL, "%ld response without %s", res->status, names[i]);
		free(v);
	}
	used = http_header(res, "X-RateLimit-Used");
	n = atol(used);
	free(used);
	return n;
}

/* Answers decided before authentication (an unknown API version) count
 * against the token they carry, or the client address without one, as do
 * later 4xx; nginx's own 413 page is the one response without them. */
START_TEST(rate_limit_headers_on_every_error)
{
	char login[40];
	const char *create[] = { "user", "create", login, NULL };
	const char *tok[] = { "token", "create", login, "--rate-limit", "50", NULL };
	char full[128], path[160];
	const char *repo[] = { "repo", "create", full, NULL };
	const char *bad_version[] = { "X-GitHub-Api-Version: 1999-01-01", NULL };
	const char *unknown_token[] = { "X-GitHub-Api-Version: 1999-01-01",
		"Authorization: token not-a-token", NULL };
	struct http_response r;
	size_t n = 1024 * 1024 + 10;
	char *token, *big, *h;
	long used;

	unique_name("counted", login, sizeof(login));
	free(deployctl(create));
	token = deployctl(tok);
	snprintf(full, sizeof(full), "%s/counted", login);
	free(deployctl(repo));
	snprintf(path, sizeof(path), "/repos/%s/deployments", full);

	http_call(&r, "GET", "/user", token, NULL, bad_version);
	ck_assert_int_eq(r.status, 400);
	used = rate_limit_used(&r, "50");
	http_response_release(&r);
	http_call(&r, "POST", path, token, "{not json", NULL);
	ck_assert_int_eq(r.status, 400);
	ck_assert_int_eq(rate_limit_used(&r, "50"), used + 1);
	http_response_release(&r);
	http_call(&r, "GET", "/no/such/route", token, NULL, bad_version);
	ck_assert_int_eq(r.status, 400);
	ck_assert_int_eq(rate_limit_used(&r, "50"), used + 2);
	http_response_release(&r);

	/* Without a token that resolves, the address's budget (60). */
	http_call(&r, "GET", "/user", NULL, NULL, bad_version);
	ck_assert_int_eq(r.status, 400);
	used = rate_limit_used(&r, "60");
	http_response_release(&r);
	http_call(&r, "GET", "/user", NULL, NULL, unknown_token);
	ck_assert_int_eq(r.status, 400);
	ck_assert_int_eq(rate_limit_used(&r, "60"), used + 1);
	http_response_release(&r);

	big = malloc(n + 1);
	memset(big, 'x', n);
	big[n] = '\0';
	http_call(&r, "POST", "/repos/a/b/deployments", token, big, NULL);
	ck_assert_int_eq(r.status, 413);
	h = http_header(&r, "X-RateLimit-Limit");
	ck_assert_msg(h == NULL, "nginx's 413 page now has X-RateLimit-Limit: update docs/architecture.md");
	http_response_release(&r);
	free(big);
	free(token);
}
END_TEST

START_TEST(common_headers)
{
	struct world w;
	struct http_response r1, r2;
	const char *preview[] = { "Accept: application/vnd.github.ant-man-preview+json", NULL };
	const char *bad_version[] = { "X-GitHub-Api-Version: 1999-01-01", NULL };
	const char *good_version[] = { "X-GitHub-Api-Version: 2022-11-28", NULL };
	char *a, *b;

	world_make(&w);
	http_call(&r1, "GET", w.public_repo, w.owner_token, NULL, preview);
	http_call(&r2, "GET", w.public_repo, w.owner_token, NULL, NULL);
	a = http_header(&r1, "X-GitHub-Media-Type");
	ck_assert_str_eq(a, "github.ant-man-preview; format=json");
	free(a);
	a = http_header(&r2, "X-GitHub-Media-Type");
	ck_assert_str_eq(a, "github.v3; format=json");
	free(a);
	a = http_header(&r1, "X-GitHub-Request-Id");
	b = http_header(&r2, "X-GitHub-Request-Id");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
	a = http_header(&r1, "X-RateLimit-Reset");
	ck_assert_ptr_nonnull(a);
	free(a);
	http_response_release(&r1);
	http_response_release(&r2);

	ck_assert_int_eq(http_status("GET", NULL, NULL, "%s", w.public_repo), 200);
	http_call(&r1, "GET", w.public_repo, NULL, NULL, bad_version);
	ck_assert_int_eq(r1.status, 400);
	http_response_release(&r1);
	http_call(&r1, "GET", w.public_repo, NULL, NULL, good_version);
	ck_assert_int_eq(r1.status, 200);
	http_response_release(&r1);
}
END_TEST

int
main(void)
{
	TCase *tc = tcase_of("foundation", 60, (const TTest *const[]){
		healthz_needs_no_token, anonymous_reads_public_not_private,
		bad_token_is_401_even_on_public_data, expired_token_is_401,
		changes_to_callers_take_effect_within_a_second,
		token_bearer_and_basic_are_accepted, collaborator_permissions,
		scopes_limit_what_a_token_sees, names_match_case_insensitively,
		urls_follow_the_request_prefix, unknown_routes_and_methods_are_404,
		user_needs_authentication, oversized_body_is_413, etag_and_if_none_match,
		rate_limit_per_token, rate_limit_headers_on_every_error, common_headers, NULL });

	return suite_failures(suite_of("api", tc, NULL)) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
