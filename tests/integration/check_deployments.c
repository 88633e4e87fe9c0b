/*
 * Deployments over real HTTP: create (defaults, payload types, ref
 * resolution against a real bare git repository, validation, nothing
 * written on failure), list filters, pagination and its Link headers, get,
 * the delete rule, scopes and permissions, concurrent creates, and the
 * atomicity of a deployment and its outbox event.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "suite.h"

/* ------------------------------------------------------------------------
 * One bare git repository per program, made in main() before the tests:
 * main with three commits (c1, c2, c3), an annotated tag v1.0 on c1, a
 * branch topic one commit ahead of main.
 */

static char git_root[128];
static char git_dir[192];
static char sha_main[41];   /* c3 */
static char sha_c2[41];     /* main~1 */
static char sha_c1[41];     /* v1.0 peeled */
static char sha_tag[41];    /* the tag object itself */
static char sha_topic[41];  /* c4 */

static const char GIT_SCRIPT[] =
    "set -e\n"
    "cd \"$1\"\n"
    "git init -q -b main work\n"
    "cd work\n"
    "git config user.name 'Deploy Tests'\n"
    "git config user.email tests@example.com\n"
    "echo one > app.txt && git add app.txt && git commit -qm c1\n"
    "git tag -a v1.0 -m 'Release 1.0'\n"
    "echo two > app.txt && git commit -qam c2\n"
    "echo three > app.txt && git commit -qam c3\n"
    "git checkout -qb topic\n"
    "echo feature > feature.txt && git add feature.txt && git commit -qm c4\n"
    "git checkout -q main\n"
    "cd ..\n"
    "git clone -q --bare work repo.git\n";

static void
rev_parse(const char *rev, char *out)
{
	char *argv[] = { (char *)"git", (char *)"-C", git_dir, (char *)"rev-parse", (char *)rev, NULL };
	char buf[128];

	if (spawn_capture(argv, buf, sizeof(buf)) != 0 || strlen(buf) != 40) {
		fprintf(stderr, "git rev-parse %s failed: %s\n", rev, buf);
		exit(EXIT_FAILURE);
	}
	memcpy(out, buf, 41);
}

static void
git_setup(void)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)GIT_SCRIPT, (char *)"sh", git_root, NULL };
	char out[256];

	snprintf(git_root, sizeof(git_root), "/tmp/deploy-git.XXXXXX");
	if (mkdtemp(git_root) == NULL) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
	snprintf(git_dir, sizeof(git_dir), "%s/repo.git", git_root);
	if (spawn_capture(argv, out, sizeof(out)) != 0) {
		fprintf(stderr, "cannot create the test git repository in %s\n", git_root);
		exit(EXIT_FAILURE);
	}
	rev_parse("main", sha_main);
	rev_parse("main~1", sha_c2);
	rev_parse("v1.0^{commit}", sha_c1);
	rev_parse("v1.0", sha_tag);
	rev_parse("topic", sha_topic);
	if (strcmp(sha_c1, sha_tag) == 0 || strcmp(sha_c1, sha_main) == 0) {
		fprintf(stderr, "v1.0 is not an annotated tag on an older commit\n");
		exit(EXIT_FAILURE);
	}
}

static void
git_cleanup(void)
{
	char *argv[] = { (char *)"rm", (char *)"-rf", git_root, NULL };

	if (git_root[0])
		(void)spawn_capture(argv, NULL, 0);
}

/* ------------------------------------------------------------------------
 * Repositories and requests.
 */

enum { NO_GIT = 0, WITH_GIT = 1 };
enum { PUBLIC = 0, PRIVATE = 1 };

/* A new owner (token with scope repo) and a new repository. */
static void
repo_make(struct test_repo *r, int with_git, int is_private)
{
	const char *git[] = { "--git-dir", git_dir, NULL };
	char name[64];

	unique_name("repo", name, sizeof(name));
	test_repo_make(r, "owner", name, is_private, with_git ? git : NULL);
}

/* POSTs body (stolen) to the repository's deployments. */
static void
post_deployment(struct http_response *res, const struct test_repo *r, const char *token, json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);

	ck_assert_ptr_nonnull(text);
	http_call(res, "POST", r->deployments, token, text, NULL);
	free(text);
	json_decref(body);
}

/* Creates a deployment with body (stolen), asserts 201, returns its id. */
static long long
create_ok(const struct test_repo *r, json_t *body)
{
	struct http_response res;
	long long id;

	post_deployment(&res, r, r->token, body);
	ck_assert_msg(res.status == 201, "create: %ld %s", res.status, res.body);
	id = json_integer_value(json_object_get(res.json, "id"));
	ck_assert_int_gt(id, 0);
	http_response_release(&res);
	return id;
}

static long long
create_ref(const struct test_repo *r, const char *ref)
{
	return create_ok(r, json_pack("{ss}", "ref", ref));
}

/* The ids of a list response, in order; the count is returned. */
static size_t
ids_of(const struct http_response *res, long long *out, size_t max)
{
	size_t i;
	json_t *d;

	ck_assert_msg(json_is_array(res->json), "not a list: %ld %s", res->status, res->body);
	ck_assert_uint_le(json_array_size(res->json), max);
	json_array_foreach(res->json, i, d)
		out[i] = json_integer_value(json_object_get(d, "id"));
	return json_array_size(res->json);
}

/* GET list path, expects 200 and exactly the ids given (in that order,
 * terminated by 0). */
static void
expect_list(const struct test_repo *r, const char *query, ...)
{
	struct http_response res;
	long long want[64], got[64];
	size_t nwant = 0, ngot;
	va_list ap;
	long long id;

	va_start(ap, query);
	while ((id = va_arg(ap, long long)) != 0 && nwant < 64)
		want[nwant++] = id;
	va_end(ap);
	http_callf(&res, "GET", r->token, NULL, "%s%s", r->deployments, query);
	ck_assert_msg(res.status == 200, "GET %s: %ld", query, res.status);
	ngot = ids_of(&res, got, 64);
	ck_assert_msg(ngot == nwant, "GET %s%s: %zu items, expected %zu: %s", r->deployments, query,
	    ngot, nwant, res.body);
	for (size_t i = 0; i < nwant; i++)
		ck_assert_msg(got[i] == want[i], "GET %s: item %zu is %lld, expected %lld", query, i,
		    got[i], want[i]);
	http_response_release(&res);
}

static void assert_page_url(const char *url, const char *path, const char *const *want);
static void assert_rel(const char *link, const char *rel, const char *path,
    const char *const *want, char *follow);

/* ------------------------------------------------------------------------
 * Create: defaults and echoed fields.
 */

/*
 * The outbox row of deployment d (a response's object) is lean (sql/0014):
 * the deployment's own values, which deploy-dispatch renders the body
 * from, equal to what the API answered; the sender is the creator.
 */
static void
assert_event_values(json_t *d)
{
	long long id = json_integer_value(json_object_get(d, "id"));
	char *text = sql_text("SELECT event_values->'deployment' FROM outbox WHERE deployment_id = %lld"
	    " AND payload IS NULL AND api_url IS NOT NULL AND web_url IS NOT NULL", id);
	char *created = sql_text("SELECT to_char(to_timestamp((event_values->'deployment'->>'created_at')"
	    "::bigint) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM outbox"
	    " WHERE deployment_id = %lld", id);
	json_t *v, *payload;
	static const char *const same[] = { "sha", "ref", "task", "original_environment",
		"environment", "description", "transient_environment", "production_environment" };

	ck_assert_ptr_nonnull(text);
	v = json_loads(text, 0, NULL);
	ck_assert_msg(v != NULL, "not JSON: %s", text);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		ck_assert_msg(json_equal(json_object_get(v, same[i]), json_object_get(d, same[i])),
		    "%s differs: %s", same[i], text);
	payload = json_loads(json_string_value(json_object_get(v, "payload")), JSON_DECODE_ANY, NULL);
	ck_assert_msg(json_equal(payload, json_object_get(d, "payload")), "payload differs: %s", text);
	ck_assert_str_eq(created, json_str(d, "created_at"));
	ck_assert_int_eq(json_integer_value(json_object_get(v, "creator_id")),
	    json_integer_value(json_object_get(json_object_get(d, "creator"), "id")));
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE deployment_id = %lld"
	    " AND sender_id = %lld", id,
	    (long long)json_integer_value(json_object_get(json_object_get(d, "creator"), "id"))), 1);
	json_decref(payload);
	json_decref(v);
	free(created);
	free(text);
}

static void
check_url_and_location(const struct http_response *res, const char *prefix, const struct test_repo *r)
{
	char want[512];
	char *location = http_header(res, "Location");
	long long id = json_integer_value(json_object_get(res->json, "id"));

	snprintf(want, sizeof(want), "%s%s/repos/%s/deployments/%lld", env_or_die("DEPLOY_URL"), prefix,
	    r->full, id);
	ck_assert_str_eq(json_str(res->json, "url"), want);
	ck_assert_ptr_nonnull(location);
	ck_assert_str_eq(location, want);
	free(location);
	strncat(want, "/statuses", sizeof(want) - strlen(want) - 1);
	ck_assert_str_eq(json_str(res->json, "statuses_url"), want);
	snprintf(want, sizeof(want), "%s%s/repos/%s", env_or_die("DEPLOY_URL"), prefix, r->full);
	ck_assert_str_eq(json_str(res->json, "repository_url"), want);
}

START_TEST(create_defaults)
{
	struct test_repo r;
	struct http_response res, got;
	json_t *d;
	char node[64], *b64;
	const char *t;

	repo_make(&r, WITH_GIT, PUBLIC);
	post_deployment(&res, &r, r.token, json_pack("{ss}", "ref", "main"));
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	d = res.json;
	ck_assert(json_is_integer(json_object_get(d, "id")));
	ck_assert_str_eq(json_str(d, "ref"), "main");
	ck_assert_str_eq(json_str(d, "sha"), sha_main);
	ck_assert_str_eq(json_str(d, "task"), "deploy");
	ck_assert_str_eq(json_str(d, "environment"), "production");
	ck_assert_str_eq(json_str(d, "original_environment"), "production");
	ck_assert(json_is_true(json_object_get(d, "production_environment")));
	ck_assert(json_is_false(json_object_get(d, "transient_environment")));
	ck_assert(json_is_null(json_object_get(d, "description")));
	ck_assert(json_is_object(json_object_get(d, "payload")));
	ck_assert_uint_eq(json_object_size(json_object_get(d, "payload")), 0);
	ck_assert_str_eq(json_str(json_object_get(d, "creator"), "login"), r.owner);
	ck_assert(json_is_null(json_object_get(d, "performed_via_github_app")));
	t = json_str(d, "created_at");
	ck_assert_uint_eq(strlen(t), 20);
	ck_assert_int_eq(t[19], 'Z');
	ck_assert_str_eq(json_str(d, "updated_at"), t);
	snprintf(node, sizeof(node), "010:Deployment%lld", (long long)json_integer_value(json_object_get(d, "id")));
	b64 = test_base64(node);
	ck_assert_str_eq(json_str(d, "node_id"), b64);
	free(b64);
	check_url_and_location(&res, "", &r);

	/* GET returns the same object, and the create wrote one event. */
	http_callf(&got, "GET", r.token, NULL, "%s/%lld", r.deployments, (long long)json_integer_value(json_object_get(d, "id")));
	ck_assert_int_eq(got.status, 200);
	ck_assert_msg(json_equal(got.json, d), "GET differs from the create:\n%s\n%s", got.body, res.body);
	http_response_release(&got);
	http_callf(&got, "GET", r.token, NULL, "%s", r.deployments);
	ck_assert_int_eq(got.status, 200);
	ck_assert_uint_eq(json_array_size(got.json), 1);
	ck_assert_msg(json_equal(json_array_get(got.json, 0), d), "list differs from the create:\n%s\n%s",
	    got.body, res.body);
	http_response_release(&got);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE deployment_id = %lld",
	    (long long)json_integer_value(json_object_get(d, "id"))), 1);
	/* Its values are the created deployment's. */
	assert_event_values(d);
	http_response_release(&res);
}
END_TEST

START_TEST(create_explicit_fields)
{
	struct test_repo r;
	struct http_response res;
	json_t *d;

	repo_make(&r, WITH_GIT, PUBLIC);
	post_deployment(&res, &r, r.token, json_pack("{ss ss ss ss sb}", "ref", "topic",
	    "task", "deploy:migrations", "environment", "staging", "description", "Ship it",
	    "transient_environment", 1));
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	d = res.json;
	ck_assert_str_eq(json_str(d, "task"), "deploy:migrations");
	ck_assert_str_eq(json_str(d, "environment"), "staging");
	ck_assert_str_eq(json_str(d, "original_environment"), "staging");
	ck_assert_str_eq(json_str(d, "description"), "Ship it");
	ck_assert(json_is_true(json_object_get(d, "transient_environment")));
	ck_assert(json_is_false(json_object_get(d, "production_environment")));
	ck_assert_str_eq(json_str(d, "sha"), sha_topic);
	http_response_release(&res);

	/* production_environment defaults to true only for exactly "production". */
	post_deployment(&res, &r, r.token, json_pack("{ss ss}", "ref", "main", "environment", "Production"));
	ck_assert_int_eq(res.status, 201);
	ck_assert(json_is_false(json_object_get(res.json, "production_environment")));
	http_response_release(&res);
	post_deployment(&res, &r, r.token, json_pack("{ss ss}", "ref", "main", "environment", "production-eu"));
	ck_assert_int_eq(res.status, 201);
	ck_assert(json_is_false(json_object_get(res.json, "production_environment")));
	http_response_release(&res);

	/* An explicit value always wins, both ways. */
	post_deployment(&res, &r, r.token, json_pack("{ss ss sb}", "ref", "main", "environment", "staging",
	    "production_environment", 1));
	ck_assert_int_eq(res.status, 201);
	ck_assert(json_is_true(json_object_get(res.json, "production_environment")));
	http_response_release(&res);
	post_deployment(&res, &r, r.token, json_pack("{ss ss sb}", "ref", "main", "environment", "production",
	    "production_environment", 0));
	ck_assert_int_eq(res.status, 201);
	ck_assert(json_is_false(json_object_get(res.json, "production_environment")));
	ck_assert_str_eq(json_str(res.json, "environment"), "production");
	http_response_release(&res);

	/* Explicit nulls are the defaults. */
	post_deployment(&res, &r, r.token, json_pack("{ss sn sn sn}", "ref", "main", "description",
	    "payload", "production_environment"));
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	ck_assert(json_is_null(json_object_get(res.json, "description")));
	ck_assert(json_is_object(json_object_get(res.json, "payload")));
	ck_assert(json_is_true(json_object_get(res.json, "production_environment")));
	http_response_release(&res);
}
END_TEST

START_TEST(create_under_api_v3)
{
	struct test_repo r;
	struct http_response res;
	char path[256];

	repo_make(&r, WITH_GIT, PUBLIC);
	snprintf(path, sizeof(path), "/api/v3%s", r.deployments);
	http_call(&res, "POST", path, r.token, "{\"ref\":\"main\"}", NULL);
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	check_url_and_location(&res, "/api/v3", &r);
	http_response_release(&res);
	http_call(&res, "GET", path, r.token, NULL, NULL);
	ck_assert_int_eq(res.status, 200);
	ck_assert_uint_eq(json_array_size(res.json), 1);
	ck_assert_ptr_nonnull(strstr(json_str(json_array_get(res.json, 0), "url"), "/api/v3/repos/"));
	http_response_release(&res);

	/* Link URLs keep the prefix too. */
	http_call(&res, "POST", path, r.token, "{\"ref\":\"main\"}", NULL);
	ck_assert_int_eq(res.status, 201);
	http_response_release(&res);
	snprintf(path, sizeof(path), "/api/v3%s?per_page=1", r.deployments);
	http_call(&res, "GET", path, r.token, NULL, NULL);
	ck_assert_int_eq(res.status, 200);
	{
		char *link = http_header(&res, "Link");
		char want[256];
		const char *q[] = { "per_page=1", "page=2", NULL, NULL };
		char hint[64];

		snprintf(want, sizeof(want), "/api/v3%s", r.deployments);
		snprintf(hint, sizeof(hint), "last_id=%lld",
		    (long long)json_integer_value(json_object_get(json_array_get(res.json, 0), "id")));
		q[2] = hint;
		assert_rel(link, "next", want, q, NULL);
		free(link);
	}
	http_response_release(&res);
}
END_TEST

START_TEST(payload_keeps_its_type)
{
	struct test_repo r;
	struct http_response res, got;
	json_t *object = json_pack("{si s{s[iis]} ss sb sn}", "a", 1, "b", "c", 1, 2, "x", "s", "text",
	    "t", 1, "n");
	long long id;

	repo_make(&r, WITH_GIT, PUBLIC);
	post_deployment(&res, &r, r.token, json_pack("{ss ss}", "ref", "main", "payload",
	    "{\"not\":\"parsed\"}"));
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	ck_assert_msg(json_is_string(json_object_get(res.json, "payload")), "%s", res.body);
	ck_assert_str_eq(json_str(res.json, "payload"), "{\"not\":\"parsed\"}");
	id = json_integer_value(json_object_get(res.json, "id"));
	http_response_release(&res);
	http_callf(&got, "GET", r.token, NULL, "%s/%lld", r.deployments, id);
	ck_assert_str_eq(json_str(got.json, "payload"), "{\"not\":\"parsed\"}");
	http_response_release(&got);

	post_deployment(&res, &r, r.token, json_pack("{ss sO}", "ref", "main", "payload", object));
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	ck_assert_msg(json_equal(json_object_get(res.json, "payload"), object), "%s", res.body);
	id = json_integer_value(json_object_get(res.json, "id"));
	http_response_release(&res);
	http_callf(&got, "GET", r.token, NULL, "%s/%lld", r.deployments, id);
	ck_assert_msg(json_equal(json_object_get(got.json, "payload"), object), "%s", got.body);
	http_response_release(&got);

	/* In the list too. */
	http_callf(&got, "GET", r.token, NULL, "%s", r.deployments);
	ck_assert_uint_eq(json_array_size(got.json), 2);
	ck_assert(json_equal(json_object_get(json_array_get(got.json, 0), "payload"), object));
	ck_assert(json_is_string(json_object_get(json_array_get(got.json, 1), "payload")));
	http_response_release(&got);
	json_decref(object);
}
END_TEST

/* ------------------------------------------------------------------------
 * Ref resolution.
 */

static void
expect_resolves(const struct test_repo *r, const char *ref, const char *sha)
{
	struct http_response res;

	post_deployment(&res, r, r->token, json_pack("{ss}", "ref", ref));
	ck_assert_msg(res.status == 201, "ref %s: %ld %s", ref, res.status, res.body);
	ck_assert_str_eq(json_str(res.json, "ref"), ref);
	ck_assert_msg(strcmp(json_str(res.json, "sha"), sha) == 0, "ref %s resolved to %s, expected %s", ref,
	    json_str(res.json, "sha"), sha);
	http_response_release(&res);
}

static void
expect_no_ref(const struct test_repo *r, const char *ref)
{
	struct http_response res;
	char want[512];
	long long deployments = rows_of(r, "deployments"), outbox = rows_of(r, "outbox");

	post_deployment(&res, r, r->token, json_pack("{ss}", "ref", ref));
	ck_assert_msg(res.status == 422, "ref %s: %ld %s", ref, res.status, res.body);
	snprintf(want, sizeof(want), "No ref found for: %s", ref);
	ck_assert_str_eq(message_of(&res), want);
	ck_assert_ptr_null(json_object_get(res.json, "errors"));
	http_response_release(&res);
	ck_assert_int_eq(rows_of(r, "deployments"), deployments);
	ck_assert_int_eq(rows_of(r, "outbox"), outbox);
}

START_TEST(ref_resolution_with_git)
{
	struct test_repo r;
	char abbrev[8];

	repo_make(&r, WITH_GIT, PUBLIC);
	expect_resolves(&r, "main", sha_main);
	expect_resolves(&r, "topic", sha_topic);
	/* The annotated tag is peeled to its commit. */
	expect_resolves(&r, "v1.0", sha_c1);
	expect_resolves(&r, sha_c2, sha_c2);
	memcpy(abbrev, sha_c2, 7);
	abbrev[7] = '\0';
	expect_resolves(&r, abbrev, sha_c2);
	/* Full reference names. */
	expect_resolves(&r, "refs/heads/topic", sha_topic);
	expect_resolves(&r, "refs/tags/v1.0", sha_c1);
	ck_assert_int_eq(rows_of(&r, "deployments"), 7);
	ck_assert_int_eq(rows_of(&r, "outbox"), 7);

	expect_no_ref(&r, "no-such-branch");
	expect_no_ref(&r, "v9.9");
	expect_no_ref(&r, "0000000000000000000000000000000000000000");
	expect_no_ref(&r, "topic/deeper");
	expect_no_ref(&r, "../repo.git/refs/heads/main");
	expect_no_ref(&r, "refs/heads/../../HEAD");
	expect_no_ref(&r, "HEAD");
	expect_no_ref(&r, "refs/heads/nothing");
	ck_assert_int_eq(rows_of(&r, "deployments"), 7);
}
END_TEST

START_TEST(ref_resolution_without_git)
{
	struct test_repo r;
	const char *sha = "0123456789abcdef0123456789abcdef01234567";
	struct http_response res;

	repo_make(&r, NO_GIT, PUBLIC);
	expect_resolves(&r, sha, sha);
	/* Upper case is still a full SHA; stored lower case. */
	post_deployment(&res, &r, r.token, json_pack("{ss}", "ref", "0123456789ABCDEF0123456789ABCDEF01234567"));
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	ck_assert_str_eq(json_str(res.json, "sha"), sha);
	http_response_release(&res);
	expect_no_ref(&r, "main");
	expect_no_ref(&r, "0123456");
	expect_no_ref(&r, "0123456789abcdef0123456789abcdef0123456");    /* 39 */
	expect_no_ref(&r, "0123456789abcdef0123456789abcdef012345678");  /* 41 */
	expect_no_ref(&r, "g123456789abcdef0123456789abcdef01234567");
}
END_TEST

/* ------------------------------------------------------------------------
 * Validation: 422 with errors, 400 for bodies that are not objects; never
 * anything written.
 */

static char *
repeat(const char *unit, size_t n)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < n; i++)
		buf_puts(&b, unit);
	return buf_detach(&b);
}

/* POSTs text, expects 422 Validation Failed with an error for field with
 * code, and no row written. */
static void
expect_invalid(const struct test_repo *r, const char *text, const char *field, const char *code)
{
	struct http_response res;
	long long deployments = rows_of(r, "deployments"), outbox = rows_of(r, "outbox");
	json_t *errors, *e;
	bool found = false;
	size_t i;

	http_call(&res, "POST", r->deployments, r->token, text, NULL);
	ck_assert_msg(res.status == 422, "%.200s: %ld %s", text, res.status, res.body);
	ck_assert_str_eq(message_of(&res), "Validation Failed");
	ck_assert_ptr_nonnull(json_object_get(res.json, "documentation_url"));
	errors = json_object_get(res.json, "errors");
	ck_assert_msg(json_is_array(errors) && json_array_size(errors) > 0, "%.200s: %s", text, res.body);
	json_array_foreach(errors, i, e) {
		ck_assert_msg(json_is_object(e), "error item not an object: %s", res.body);
		ck_assert_str_eq(json_str(e, "resource"), "Deployment");
		if (strcmp(json_str(e, "field"), field) == 0) {
			ck_assert_msg(strcmp(json_str(e, "code"), code) == 0, "%.200s: field %s has code %s, expected %s",
			    text, field, json_str(e, "code"), code);
			found = true;
		}
	}
	ck_assert_msg(found, "%.200s: no error for field %s: %s", text, field, res.body);
	http_response_release(&res);
	ck_assert_int_eq(rows_of(r, "deployments"), deployments);
	ck_assert_int_eq(rows_of(r, "outbox"), outbox);
}

static void
expect_bad_request(const struct test_repo *r, const char *text, const char *message)
{
	struct http_response res;
	long long deployments = rows_of(r, "deployments"), outbox = rows_of(r, "outbox");

	http_call(&res, "POST", r->deployments, r->token, text, NULL);
	ck_assert_msg(res.status == 400, "%s: %ld %s", text, res.status, res.body);
	ck_assert_str_eq(message_of(&res), message);
	http_response_release(&res);
	ck_assert_int_eq(rows_of(r, "deployments"), deployments);
	ck_assert_int_eq(rows_of(r, "outbox"), outbox);
}

/* Expects expect_invalid() of field holding n times unit (beside ref main
 * unless field is ref). */
static void
expect_too_long(const struct test_repo *r, const char *field, const char *unit, size_t n)
{
	struct buf b = BUF_INIT;
	char *s = repeat(unit, n);

	if (strcmp(field, "ref") == 0)
		buf_printf(&b, "{\"ref\":\"%s\"}", s);
	else
		buf_printf(&b, "{\"ref\":\"main\",\"%s\":\"%s\"}", field, s);
	expect_invalid(r, b.data, field, "invalid");
	free(s);
	buf_release(&b);
}

START_TEST(validation_failures_write_nothing)
{
	struct test_repo r;
	struct buf b = BUF_INIT;
	char *s;

	repo_make(&r, WITH_GIT, PUBLIC);
	expect_invalid(&r, "{}", "ref", "missing_field");
	expect_invalid(&r, "{\"task\":\"deploy\"}", "ref", "missing_field");
	expect_invalid(&r, "{\"ref\":\"\"}", "ref", "invalid");
	expect_invalid(&r, "{\"ref\":123}", "ref", "invalid");
	expect_invalid(&r, "{\"ref\":[\"main\"]}", "ref", "invalid");
	expect_invalid(&r, "{\"ref\":true}", "ref", "invalid");

	expect_too_long(&r, "task", "t", 129);
	expect_too_long(&r, "environment", "e", 256);
	expect_too_long(&r, "description", "d", 1025);
	expect_too_long(&r, "ref", "r", 256);

	expect_invalid(&r, "{\"ref\":\"main\",\"task\":42}", "task", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"environment\":{}}", "environment", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"payload\":42}", "payload", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"payload\":[1,2]}", "payload", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"payload\":true}", "payload", "invalid");
	s = repeat("p", 70 * 1024);
	buf_reset(&b);
	buf_printf(&b, "{\"ref\":\"main\",\"payload\":{\"big\":\"%s\"}}", s);
	expect_invalid(&r, b.data, "payload", "invalid");
	buf_reset(&b);
	buf_printf(&b, "{\"ref\":\"main\",\"payload\":\"%s\"}", s);
	expect_invalid(&r, b.data, "payload", "invalid");
	free(s);
	expect_invalid(&r, "{\"ref\":\"main\",\"required_contexts\":\"ci\"}", "required_contexts", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"required_contexts\":[1]}", "required_contexts", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"required_contexts\":[\"ci\",null]}", "required_contexts",
	    "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"required_contexts\":{\"ci\":1}}", "required_contexts",
	    "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"auto_merge\":\"false\"}", "auto_merge", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"transient_environment\":\"true\"}", "transient_environment",
	    "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"production_environment\":\"false\"}",
	    "production_environment", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"production_environment\":1}", "production_environment",
	    "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"force\":\"yes\"}", "force", "invalid");
	/* Control characters. */
	expect_invalid(&r, "{\"ref\":\"ma\\nin\"}", "ref", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"environment\":\"prod\\u0001\"}", "environment", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"environment\":\"prod\\tuction\"}", "environment", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"task\":\"de\\u007fploy\"}", "task", "invalid");

	/* Bodies that are not JSON objects. */
	expect_bad_request(&r, "{\"ref\":", "Problems parsing JSON");
	expect_bad_request(&r, "{ref: main}", "Problems parsing JSON");
	expect_bad_request(&r, "[{\"ref\":\"main\"}]", "Body should be a JSON object");
	expect_bad_request(&r, "\"main\"", "Body should be a JSON object");

	ck_assert_int_eq(rows_of(&r, "deployments"), 0);
	ck_assert_int_eq(rows_of(&r, "outbox"), 0);
	buf_release(&b);
}
END_TEST

/* "\u0000" is valid JSON (RFC 8259): a string holding NUL is a control
 * character in a field, a validation failure, not a parse error. */
START_TEST(nul_in_strings_is_a_validation_failure)
{
	struct test_repo r;

	repo_make(&r, WITH_GIT, PUBLIC);
	expect_invalid(&r, "{\"ref\":\"main\\u0000\"}", "ref", "invalid");
	expect_invalid(&r, "{\"ref\":\"main\",\"environment\":\"prod\\u0000x\"}", "environment", "invalid");
	ck_assert_int_eq(rows_of(&r, "deployments"), 0);
}
END_TEST

START_TEST(limits_are_inclusive_and_count_characters)
{
	struct test_repo r;
	struct http_response res;
	char *task = repeat("\xc3\xa9", 128);   /* 128 characters, 256 bytes */
	char *env = repeat("e", 255);
	char *desc = repeat("d", 1024);
	json_t *body = json_pack("{ss ss ss ss}", "ref", "main", "task", task, "environment", env,
	    "description", desc);

	repo_make(&r, WITH_GIT, PUBLIC);
	post_deployment(&res, &r, r.token, body);
	ck_assert_msg(res.status == 201, "%ld %.300s", res.status, res.body);
	ck_assert_str_eq(json_str(res.json, "task"), task);
	ck_assert_str_eq(json_str(res.json, "environment"), env);
	ck_assert_str_eq(json_str(res.json, "description"), desc);
	http_response_release(&res);

	/* Unknown fields (clients send sha, for instance) are ignored. */
	http_call(&res, "POST", r.deployments, r.token,
	    "{\"ref\":\"main\",\"sha\":\"not-a-sha\",\"unknown\":{\"x\":[1]},\"ignored\":null}", NULL);
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	ck_assert_str_eq(json_str(res.json, "sha"), sha_main);
	ck_assert_ptr_null(json_object_get(res.json, "unknown"));
	http_response_release(&res);

	/* An empty body is an object without ref. */
	expect_invalid(&r, "", "ref", "missing_field");
	ck_assert_int_eq(rows_of(&r, "deployments"), 2);
	ck_assert_int_eq(rows_of(&r, "outbox"), 2);
	free(task);
	free(env);
	free(desc);
}
END_TEST

/* ------------------------------------------------------------------------
 * List filters.
 */

START_TEST(list_filters)
{
	struct test_repo r;
	long long a, b, c, d;
	char q[256];

	repo_make(&r, WITH_GIT, PUBLIC);
	a = create_ref(&r, "main");
	b = create_ok(&r, json_pack("{ss ss ss}", "ref", "topic", "task", "deploy:migrations",
	    "environment", "staging"));
	c = create_ok(&r, json_pack("{ss ss}", "ref", "v1.0", "environment", "staging"));
	d = create_ok(&r, json_pack("{ss ss}", "ref", sha_c2, "environment", "qa env"));

	/* No filter, and empty filters: everything, newest first. */
	expect_list(&r, "", d, c, b, a, 0LL);
	expect_list(&r, "?sha=&ref=&task=&environment=", d, c, b, a, 0LL);

	snprintf(q, sizeof(q), "?sha=%s", sha_main);
	expect_list(&r, q, a, 0LL);
	snprintf(q, sizeof(q), "?sha=%s", sha_topic);
	expect_list(&r, q, b, 0LL);
	snprintf(q, sizeof(q), "?sha=%s", sha_c1);   /* the tag's commit */
	expect_list(&r, q, c, 0LL);
	snprintf(q, sizeof(q), "?sha=%s", sha_tag);  /* not the tag object */
	expect_list(&r, q, 0LL);
	snprintf(q, sizeof(q), "?sha=%s", sha_c2);
	expect_list(&r, q, d, 0LL);

	expect_list(&r, "?ref=main", a, 0LL);
	expect_list(&r, "?ref=topic", b, 0LL);
	expect_list(&r, "?ref=v1.0", c, 0LL);
	snprintf(q, sizeof(q), "?ref=%s", sha_c2);
	expect_list(&r, q, d, 0LL);
	expect_list(&r, "?ref=refs/heads/main", 0LL);   /* the ref as given, exactly */
	expect_list(&r, "?ref=MAIN", 0LL);

	expect_list(&r, "?task=deploy:migrations", b, 0LL);
	expect_list(&r, "?task=deploy%3Amigrations", b, 0LL);
	expect_list(&r, "?task=deploy", d, c, a, 0LL);

	expect_list(&r, "?environment=staging", c, b, 0LL);
	expect_list(&r, "?environment=production", a, 0LL);
	expect_list(&r, "?environment=qa%20env", d, 0LL);
	expect_list(&r, "?environment=Staging", 0LL);

	/* Filters combine. */
	expect_list(&r, "?environment=staging&ref=v1.0", c, 0LL);
	expect_list(&r, "?environment=staging&task=deploy", c, 0LL);
	expect_list(&r, "?environment=staging&ref=main", 0LL);

	/* environment is the current environment, not the original one. */
	sql_exec("UPDATE deployments SET environment = 'moved' WHERE id = %lld", b);
	expect_list(&r, "?environment=staging", c, 0LL);
	expect_list(&r, "?environment=moved", b, 0LL);
}
END_TEST

/* ------------------------------------------------------------------------
 * Pagination.
 */

/* Asserts that url is DEPLOY_URL + path + "?" + exactly the query
 * parameters in want (NULL-terminated, "name=value", any order). */
static void
assert_page_url(const char *url, const char *path, const char *const *want)
{
	const char *base = env_or_die("DEPLOY_URL");
	size_t nbase = strlen(base), npath = strlen(path), nwant = 0, ngot = 0;
	char *query, *tok, *save = NULL;

	ck_assert_ptr_nonnull(url);
	ck_assert_msg(strncmp(url, base, nbase) == 0 && strncmp(url + nbase, path, npath) == 0 &&
	    url[nbase + npath] == '?', "link %s is not %s%s?...", url, base, path);
	while (want[nwant])
		nwant++;
	query = xstrdup(url + nbase + npath + 1);
	for (tok = strtok_r(query, "&", &save); tok; tok = strtok_r(NULL, "&", &save)) {
		bool ok = false;

		for (size_t i = 0; i < nwant; i++)
			if (strcmp(tok, want[i]) == 0)
				ok = true;
		ck_assert_msg(ok, "link %s: unexpected parameter %s", url, tok);
		ngot++;
	}
	ck_assert_msg(ngot == nwant, "link %s: %zu parameters, expected %zu", url, ngot, nwant);
	free(query);
}

/* GETs a page of a deployments list, expects 200 and n items, whose ids
 * it appends to seen[*nseen...]; returns its Link header, which must be
 * there (owned). */
static char *
read_page(const struct test_repo *r, const char *path, size_t n, long long *seen, size_t *nseen)
{
	struct http_response res;
	long long ids[100];
	char *link;

	http_call(&res, "GET", path, r->token, NULL, NULL);
	ck_assert_int_eq(res.status, 200);
	ck_assert_uint_eq(ids_of(&res, ids, 100), n);
	memcpy(seen + *nseen, ids, n * sizeof(*ids));
	*nseen += n;
	link = http_header(&res, "Link");
	ck_assert_ptr_nonnull(link);
	http_response_release(&res);
	return link;
}

/* Asserts that rel of link is path with the query parameters want (as
 * assert_page_url); its path, what a client requests, is copied to
 * follow (512 bytes) when follow is not NULL. */
static void
assert_rel(const char *link, const char *rel, const char *path, const char *const *want,
    char *follow)
{
	char *url = link_url(link, rel, NULL);

	assert_page_url(url, path, want);
	if (follow)
		snprintf(follow, 512, "%s", url_path(url));
	free(url);
}

/* GET r's deployments with query: 200 and n items. */
static void
expect_list_size(const struct test_repo *r, const char *query, size_t n)
{
	struct http_response res;

	http_callf(&res, "GET", r->token, NULL, "%s%s", r->deployments, query);
	ck_assert_msg(res.status == 200, "GET %s: %ld", query, res.status);
	ck_assert_uint_eq(json_array_size(res.json), n);
	http_response_release(&res);
}

/* Asserts that link has exactly nrels rels, missing_a and missing_b (when
 * not NULL) not among them. */
static void
assert_rels(const char *link, int nrels, const char *missing_a, const char *missing_b)
{
	int n;

	free(link_url(link, NULL, &n));
	ck_assert_msg(n == nrels, "%d rels, expected %d: %s", n, nrels, link);
	if (missing_a)
		ck_assert_ptr_null(link_url(link, missing_a, NULL));
	if (missing_b)
		ck_assert_ptr_null(link_url(link, missing_b, NULL));
}

START_TEST(pagination_of_75)
{
	struct test_repo r;
	enum { N = 75 };
	long long created[N], seen[N + 10], direct[100];
	size_t nseen = 0, n;
	struct http_response res;
	char *link, path[512];
	char p_last_id[64];

	repo_make(&r, NO_GIT, PUBLIC);
	for (int i = 0; i < N; i++)
		created[i] = create_ok(&r, json_pack("{ss ss}", "ref", "0123456789abcdef0123456789abcdef01234567",
		    "environment", i % 2 ? "odd" : "even"));

	/* A task filter is not counted (sql/0007): the pages link next but
	 * no last; the whole list and an environment are counted (below).
	 * Page 1 (no page parameter): 30 items, next. */
	snprintf(path, sizeof(path), "%s?task=deploy&per_page=30", r.deployments);
	link = read_page(&r, path, 30, seen, &nseen);
	snprintf(p_last_id, sizeof(p_last_id), "last_id=%lld", seen[nseen - 1]);
	{
		const char *next_q[] = { "task=deploy", "per_page=30", "page=2", p_last_id, NULL };

		assert_rel(link, "next", r.deployments, next_q, path);
		assert_rels(link, 1, "prev", "last");
	}
	free(link);

	/* Page 2, following next. */
	link = read_page(&r, path, 30, seen, &nseen);
	snprintf(p_last_id, sizeof(p_last_id), "last_id=%lld", seen[nseen - 1]);
	{
		const char *prev_q[] = { "task=deploy", "per_page=30", "page=1", NULL };
		const char *next_q[] = { "task=deploy", "per_page=30", "page=3", p_last_id, NULL };

		assert_rel(link, "prev", r.deployments, prev_q, NULL);
		assert_rel(link, "first", r.deployments, prev_q, NULL);
		assert_rel(link, "next", r.deployments, next_q, path);
		assert_rels(link, 3, "last", NULL);
	}
	free(link);

	/* Page 3, the last: 15 items, prev and first only. */
	link = read_page(&r, path, 15, seen, &nseen);
	{
		const char *prev_q[] = { "task=deploy", "per_page=30", "page=2", NULL };
		const char *first_q[] = { "task=deploy", "per_page=30", "page=1", NULL };

		assert_rel(link, "prev", r.deployments, prev_q, NULL);
		assert_rel(link, "first", r.deployments, first_q, NULL);
		assert_rels(link, 2, "next", "last");
	}
	free(link);

	/* Every item exactly once, newest first. */
	ck_assert_uint_eq(nseen, N);
	for (size_t i = 0; i < N; i++)
		ck_assert_msg(seen[i] == created[N - 1 - i], "item %zu is %lld, expected %lld", i, seen[i],
		    created[N - 1 - i]);

	/* page=2 and page=3 asked directly (no hint): the same items. */
	for (int page = 2; page <= 3; page++) {
		http_callf(&res, "GET", r.token, NULL, "%s?per_page=30&page=%d", r.deployments, page);
		ck_assert_int_eq(res.status, 200);
		n = ids_of(&res, direct, 100);
		ck_assert_uint_eq(n, page == 2 ? 30 : 15);
		for (size_t i = 0; i < n; i++)
			ck_assert_int_eq(direct[i], seen[(size_t)(page - 1) * 30 + i]);
		http_response_release(&res);
	}

	/* The filter is applied on every page: 38 "even", pages 30 + 8, and
	 * counted: page 1 says the last is 2. */
	expect_list_size(&r, "?environment=even&per_page=30&page=2", 8);
	http_callf(&res, "GET", r.token, NULL, "%s?environment=even&per_page=30", r.deployments);
	link = http_header(&res, "Link");
	{
		const char *last_q[] = { "environment=even", "per_page=30", "page=2", NULL };

		assert_rel(link, "last", r.deployments, last_q, NULL);
	}
	free(link);
	http_response_release(&res);

	/* per_page below 1 is the default; the default is 30. */
	for (int i = 0; i < 3; i++) {
		static const char *const queries[] = { "?per_page=0", "?per_page=-5", "" };
		const char *last_q[] = { "page=3", NULL };
		const char *last_q_pp[] = { NULL, "page=3", NULL };

		http_callf(&res, "GET", r.token, NULL, "%s%s", r.deployments, queries[i]);
		ck_assert_int_eq(res.status, 200);
		ck_assert_msg(json_array_size(res.json) == 30, "%s: %zu items", queries[i],
		    json_array_size(res.json));
		link = http_header(&res, "Link");
		last_q_pp[0] = queries[i] + 1;
		assert_rel(link, "last", r.deployments, i < 2 ? last_q_pp : last_q, NULL);
		free(link);
		http_response_release(&res);
	}

	/* Everything on one page: no Link at all. */
	http_callf(&res, "GET", r.token, NULL, "%s?per_page=1000", r.deployments);
	ck_assert_int_eq(res.status, 200);
	ck_assert_uint_eq(json_array_size(res.json), N);
	ck_assert_ptr_null(http_header(&res, "Link"));
	http_response_release(&res);
	http_callf(&res, "GET", r.token, NULL, "%s?per_page=75", r.deployments);
	ck_assert_uint_eq(json_array_size(res.json), N);
	ck_assert_ptr_null(http_header(&res, "Link"));
	http_response_release(&res);

	/* Beyond the end: an empty page, 200. */
	http_callf(&res, "GET", r.token, NULL, "%s?per_page=30&page=4", r.deployments);
	ck_assert_int_eq(res.status, 200);
	ck_assert(json_is_array(res.json));
	ck_assert_uint_eq(json_array_size(res.json), 0);
	link = http_header(&res, "Link");
	ck_assert_ptr_null(link_url(link, "next", NULL));
	free(link);
	http_response_release(&res);
	expect_list_size(&r, "?page=999999", 0);
}
END_TEST

START_TEST(pagination_next_survives_inserts)
{
	/* The keyset hint keeps "next" stable when deployments are created
	 * between two pages: no item is seen twice. */
	struct test_repo r;
	long long created[12], ids[20];
	struct http_response res;
	char *link, *url, path[512];
	size_t n;

	repo_make(&r, NO_GIT, PUBLIC);
	for (int i = 0; i < 12; i++)
		created[i] = create_ref(&r, "0123456789abcdef0123456789abcdef01234567");
	http_callf(&res, "GET", r.token, NULL, "%s?per_page=5", r.deployments);
	n = ids_of(&res, ids, 20);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(ids[0], created[11]);
	link = http_header(&res, "Link");
	url = link_url(link, "next", NULL);
	ck_assert_ptr_nonnull(url);
	snprintf(path, sizeof(path), "%s", url_path(url));
	free(url);
	free(link);
	http_response_release(&res);

	(void)create_ref(&r, "0123456789abcdef0123456789abcdef01234567");
	(void)create_ref(&r, "0123456789abcdef0123456789abcdef01234567");
	http_call(&res, "GET", path, r.token, NULL, NULL);
	n = ids_of(&res, ids, 20);
	ck_assert_uint_eq(n, 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(ids[i], created[6 - i]);
	http_response_release(&res);
}
END_TEST

START_TEST(links_keep_encoded_filters)
{
	/* A filter value that needs percent-encoding survives the Link URLs:
	 * following next from page 1 gives exactly the filtered items. */
	struct test_repo r;
	long long want[7], got[20];
	size_t ngot = 0, n;
	struct http_response res;
	char path[512], *link, *url;
	int pages = 0;

	repo_make(&r, NO_GIT, PUBLIC);
	for (int i = 0, k = 0; i < 10; i++) {
		const char *env = i % 3 == 1 ? "elsewhere" : "eu west/1&2=\xc3\xbc+x";
		long long id = create_ok(&r, json_pack("{ss ss}", "ref", "0123456789abcdef0123456789abcdef01234567",
		    "environment", env));

		if (i % 3 != 1)
			want[6 - k++] = id;
	}
	snprintf(path, sizeof(path), "%s?environment=eu%%20west%%2F1%%262%%3D%%C3%%BC%%2Bx&per_page=3",
	    r.deployments);
	while (path[0]) {
		http_call(&res, "GET", path, r.token, NULL, NULL);
		ck_assert_msg(res.status == 200, "GET %s: %ld", path, res.status);
		n = ids_of(&res, got + ngot, 20 - ngot);
		ngot += n;
		pages++;
		link = http_header(&res, "Link");
		url = link_url(link, "next", NULL);
		path[0] = '\0';
		if (url)
			snprintf(path, sizeof(path), "%s", url_path(url));
		free(url);
		free(link);
		http_response_release(&res);
		ck_assert_int_le(pages, 4);
	}
	ck_assert_int_eq(pages, 3);
	ck_assert_uint_eq(ngot, 7);
	for (size_t i = 0; i < 7; i++)
		ck_assert_int_eq(got[i], want[i]);
}
END_TEST

START_TEST(list_etag_follows_the_content)
{
	struct test_repo r;
	struct http_response res;
	char inm[256];
	const char *h[] = { inm, NULL };
	char *etag;

	repo_make(&r, NO_GIT, PUBLIC);
	(void)create_ref(&r, "0123456789abcdef0123456789abcdef01234567");
	http_call(&res, "GET", r.deployments, r.token, NULL, NULL);
	etag = http_header(&res, "ETag");
	ck_assert_ptr_nonnull(etag);
	http_response_release(&res);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	http_call(&res, "GET", r.deployments, r.token, NULL, h);
	ck_assert_int_eq(res.status, 304);
	http_response_release(&res);
	(void)create_ref(&r, "0123456789abcdef0123456789abcdef01234567");
	http_call(&res, "GET", r.deployments, r.token, NULL, h);
	ck_assert_int_eq(res.status, 200);
	ck_assert_uint_eq(json_array_size(res.json), 2);
	http_response_release(&res);
	free(etag);
}
END_TEST

START_TEST(per_page_is_clamped_to_100)
{
	struct test_repo r;
	struct http_response res;
	char *link;
	long long ids[200];
	const char *next_q[] = { "per_page=1000", "page=2", NULL, NULL };
	char hint[64];

	repo_make(&r, NO_GIT, PUBLIC);
	/* 105 rows directly: the point is the list, not the create. */
	sql_exec("INSERT INTO deployments (repository_id, sha, ref, task, payload, original_environment,"
	    " environment, creator_id, transient_environment, production_environment, auto_merge,"
	    " created_at, updated_at)"
	    " SELECT %lld, repeat('a', 40), 'main', 'deploy', '{}', 'production', 'production',"
	    " (SELECT id FROM users WHERE login = '%s'), false, true, true, now(), now()"
	    " FROM generate_series(1, 105)", r.id, r.owner);
	http_callf(&res, "GET", r.token, NULL, "%s?per_page=1000", r.deployments);
	ck_assert_int_eq(res.status, 200);
	ck_assert_uint_eq(ids_of(&res, ids, 200), 100);
	for (size_t i = 1; i < 100; i++)
		ck_assert_int_lt(ids[i], ids[i - 1]);
	link = http_header(&res, "Link");
	ck_assert_ptr_nonnull(link);
	snprintf(hint, sizeof(hint), "last_id=%lld", ids[99]);
	next_q[2] = hint;
	assert_rel(link, "next", r.deployments, next_q, NULL);
	free(link);
	http_response_release(&res);

	expect_list_size(&r, "?per_page=1000&page=2", 5);
}
END_TEST

/* ------------------------------------------------------------------------
 * Get.
 */

static void
expect_not_found(const char *method, const char *path, const char *token)
{
	struct http_response res;

	http_call(&res, method, path, token, NULL, NULL);
	ck_assert_msg(res.status == 404, "%s %s: %ld %s", method, path, res.status, res.body);
	ck_assert_str_eq(message_of(&res), "Not Found");
	http_response_release(&res);
}

START_TEST(get_not_found)
{
	struct test_repo r, other;
	char path[512];
	long long mine, theirs;

	repo_make(&r, NO_GIT, PUBLIC);
	repo_make(&other, NO_GIT, PUBLIC);
	mine = create_ref(&r, "0123456789abcdef0123456789abcdef01234567");
	theirs = create_ref(&other, "0123456789abcdef0123456789abcdef01234567");

	snprintf(path, sizeof(path), "%s/%lld", r.deployments, mine);
	{
		struct http_response res;

		http_call(&res, "GET", path, r.token, NULL, NULL);
		ck_assert_int_eq(res.status, 200);
		http_response_release(&res);
	}
	snprintf(path, sizeof(path), "%s/%lld", r.deployments, theirs + 1000000);
	expect_not_found("GET", path, r.token);
	/* Another repository's deployment through this repository. */
	snprintf(path, sizeof(path), "%s/%lld", r.deployments, theirs);
	expect_not_found("GET", path, r.token);
	expect_not_found("GET", path, other.token);
	expect_not_found("DELETE", path, r.token);
	snprintf(path, sizeof(path), "%s/%lld", other.deployments, theirs);
	{
		struct http_response res;

		http_call(&res, "GET", path, other.token, NULL, NULL);
		ck_assert_int_eq(res.status, 200);
		http_response_release(&res);
	}
	/* Ids that are not ids. */
	snprintf(path, sizeof(path), "%s/abc", r.deployments);
	expect_not_found("GET", path, r.token);
	snprintf(path, sizeof(path), "%s/%lldabc", r.deployments, mine);
	expect_not_found("GET", path, r.token);
	snprintf(path, sizeof(path), "%s/0", r.deployments);
	expect_not_found("GET", path, r.token);
	snprintf(path, sizeof(path), "%s/-%lld", r.deployments, mine);
	expect_not_found("GET", path, r.token);
	snprintf(path, sizeof(path), "%s/99999999999999999999999", r.deployments);
	expect_not_found("GET", path, r.token);
	snprintf(path, sizeof(path), "%s/abc", r.deployments);
	expect_not_found("DELETE", path, r.token);
	/* A repository that does not exist. */
	snprintf(path, sizeof(path), "/repos/%s/no-such-repo/deployments/%lld", r.owner, mine);
	expect_not_found("GET", path, r.token);
	ck_assert_int_eq(rows_of(&other, "deployments"), 1);
}
END_TEST

/* ------------------------------------------------------------------------
 * Delete.
 */

static void
make_active(long long id)
{
	sql_exec("UPDATE deployments SET latest_state = 'success' WHERE id = %lld", id);
}

static long
delete_status(const struct test_repo *r, long long id, const char *token, struct http_response *keep)
{
	struct http_response res;
	char path[512];
	long status;

	snprintf(path, sizeof(path), "%s/%lld", r->deployments, id);
	http_call(&res, "DELETE", path, token, NULL, NULL);
	status = res.status;
	if (status == 204)
		ck_assert_msg(res.body_len == 0, "204 with a body: %s", res.body);
	if (keep)
		*keep = res;
	else
		http_response_release(&res);
	return status;
}

static bool
exists(long long id)
{
	return sql_int("SELECT count(*) FROM deployments WHERE id = %lld", id) == 1;
}

START_TEST(delete_rule)
{
	struct test_repo r;
	struct http_response res;
	char path[512];
	long long a, b, c, d, e, f, outbox;
	json_t *want_errors;

	repo_make(&r, WITH_GIT, PUBLIC);
	a = create_ref(&r, "main");
	b = create_ref(&r, "main");
	c = create_ok(&r, json_pack("{ss ss}", "ref", "main", "environment", "staging"));
	d = create_ok(&r, json_pack("{ss ss}", "ref", "main", "environment", "staging"));
	e = create_ok(&r, json_pack("{ss ss}", "ref", "main", "environment", "solo"));
	f = create_ok(&r, json_pack("{ss ss}", "ref", "main", "environment", "production"));
	outbox = rows_of(&r, "outbox");
	ck_assert_int_eq(outbox, 6);

	/* Not active: deleted, even with others in its environment. */
	ck_assert_int_eq(delete_status(&r, a, r.token, NULL), 204);
	ck_assert(!exists(a));
	snprintf(path, sizeof(path), "%s/%lld", r.deployments, a);
	expect_not_found("GET", path, r.token);
	expect_not_found("DELETE", path, r.token);
	expect_list(&r, "", f, e, d, c, b, 0LL);

	/* Active and not alone in its environment: 422, kept. */
	make_active(c);
	ck_assert_int_eq(delete_status(&r, c, r.token, &res), 422);
	ck_assert_str_eq(message_of(&res), "Validation Failed");
	want_errors = json_pack("[s]", "We cannot delete an active deployment unless it is the only "
	    "deployment in a given environment.");
	ck_assert_msg(json_equal(json_object_get(res.json, "errors"), want_errors), "%s", res.body);
	json_decref(want_errors);
	http_response_release(&res);
	ck_assert(exists(c));
	/* Active beside a deployment that is not active: still not alone. */
	make_active(b);
	ck_assert_int_eq(delete_status(&r, b, r.token, NULL), 422);
	ck_assert(exists(b));

	/* Active and alone in its environment: deleted. */
	make_active(e);
	ck_assert_int_eq(delete_status(&r, e, r.token, NULL), 204);
	ck_assert(!exists(e));

	/* Once the other one is gone, the active one is alone. */
	ck_assert_int_eq(delete_status(&r, d, r.token, NULL), 204);
	ck_assert_int_eq(delete_status(&r, c, r.token, NULL), 204);
	ck_assert(!exists(c));
	ck_assert(!exists(d));

	/* Environment means the current environment. */
	sql_exec("UPDATE deployments SET environment = 'elsewhere' WHERE id = %lld", f);
	ck_assert_int_eq(delete_status(&r, b, r.token, NULL), 204);
	expect_list(&r, "", f, 0LL);

	/* Deleting writes no event. */
	ck_assert_int_eq(rows_of(&r, "outbox"), outbox);
}
END_TEST

/* ------------------------------------------------------------------------
 * Scopes and permissions.
 */

START_TEST(scopes_and_permissions)
{
	struct test_repo priv, pub;
	char pusher[40], reader[40], outsider[40];
	char *pusher_token = make_user_with_token("pusher", "repo_deployment", pusher);
	char *reader_token = make_user_with_token("reader", "repo", reader);
	char *outsider_token = make_user_with_token("outsider", "repo", outsider);
	const char *owner_dep[] = { "token", "create", NULL, "--scopes", "repo_deployment", "--rate-limit", "0", NULL };
	const char *owner_pub[] = { "token", "create", NULL, "--scopes", "public_repo", "--rate-limit", "0", NULL };
	const char *add_pusher[] = { "collaborator", "add", NULL, pusher, "--permission", "push", NULL };
	const char *add_reader[] = { "collaborator", "add", NULL, reader, "--permission", "pull", NULL };
	char *dep_token, *pub_token, *h;
	struct http_response res;
	long long id;
	char path[512];

	repo_make(&priv, WITH_GIT, PRIVATE);
	repo_make(&pub, WITH_GIT, PUBLIC);
	owner_dep[2] = priv.owner;
	owner_pub[2] = priv.owner;
	add_pusher[2] = priv.full;
	add_reader[2] = priv.full;
	dep_token = deployctl(owner_dep);
	pub_token = deployctl(owner_pub);
	free(deployctl(add_pusher));
	free(deployctl(add_reader));

	/* repo_deployment: deployments of a private repository it can push to. */
	post_deployment(&res, &priv, dep_token, json_pack("{ss}", "ref", "main"));
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	h = http_header(&res, "X-Accepted-OAuth-Scopes");
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(strstr(h, "repo_deployment"));
	free(h);
	assert_header(&res, "X-OAuth-Scopes", "repo_deployment");
	http_response_release(&res);
	post_deployment(&res, &priv, pusher_token, json_pack("{ss}", "ref", "topic"));
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	ck_assert_str_eq(json_str(json_object_get(res.json, "creator"), "login"), pusher);
	id = json_integer_value(json_object_get(res.json, "id"));
	http_response_release(&res);
	http_callf(&res, "GET", pusher_token, NULL, "%s", priv.deployments);
	ck_assert_int_eq(res.status, 200);
	ck_assert_uint_eq(json_array_size(res.json), 2);
	http_response_release(&res);
	http_callf(&res, "GET", pusher_token, NULL, "%s/%lld", priv.deployments, id);
	ck_assert_int_eq(res.status, 200);
	http_response_release(&res);
	ck_assert_int_eq(rows_of(&priv, "deployments"), 2);

	/* public_repo on a private repository: it does not exist. */
	post_deployment(&res, &priv, pub_token, json_pack("{ss}", "ref", "main"));
	ck_assert_int_eq(res.status, 404);
	ck_assert_str_eq(message_of(&res), "Not Found");
	http_response_release(&res);
	expect_not_found("GET", priv.deployments, pub_token);
	snprintf(path, sizeof(path), "%s/%lld", priv.deployments, id);
	expect_not_found("GET", path, pub_token);
	expect_not_found("DELETE", path, pub_token);

	/* Pull only: 403 on create and delete, reads allowed. */
	post_deployment(&res, &priv, reader_token, json_pack("{ss}", "ref", "main"));
	ck_assert_int_eq(res.status, 403);
	ck_assert_str_eq(message_of(&res), "Must have push access to repository");
	http_response_release(&res);
	ck_assert_int_eq(delete_status(&priv, id, reader_token, &res), 403);
	ck_assert_str_eq(message_of(&res), "Must have push access to repository");
	http_response_release(&res);
	http_callf(&res, "GET", reader_token, NULL, "%s", priv.deployments);
	ck_assert_int_eq(res.status, 200);
	http_response_release(&res);

	/* Strangers: 404 on the private repository, 403 on the public one. */
	post_deployment(&res, &priv, outsider_token, json_pack("{ss}", "ref", "main"));
	ck_assert_int_eq(res.status, 404);
	http_response_release(&res);
	expect_not_found("GET", priv.deployments, outsider_token);
	post_deployment(&res, &pub, outsider_token, json_pack("{ss}", "ref", "main"));
	ck_assert_int_eq(res.status, 403);
	ck_assert_str_eq(message_of(&res), "Must have push access to repository");
	http_response_release(&res);

	/* Anonymous: 401 on create on a public repository; reads allowed. */
	post_deployment(&res, &pub, NULL, json_pack("{ss}", "ref", "main"));
	ck_assert_int_eq(res.status, 401);
	ck_assert_ptr_nonnull(json_object_get(res.json, "message"));
	http_response_release(&res);
	id = create_ref(&pub, "main");
	http_callf(&res, "GET", NULL, NULL, "%s", pub.deployments);
	ck_assert_int_eq(res.status, 200);
	ck_assert_uint_eq(json_array_size(res.json), 1);
	http_response_release(&res);
	ck_assert_int_eq(delete_status(&pub, id, NULL, NULL), 401);
	expect_not_found("GET", priv.deployments, NULL);
	post_deployment(&res, &priv, NULL, json_pack("{ss}", "ref", "main"));
	ck_assert_int_eq(res.status, 404);
	http_response_release(&res);
	/* A bad token is 401 even where anonymous reads are allowed. */
	http_callf(&res, "GET", "dpa_not_a_token", NULL, "%s", pub.deployments);
	ck_assert_int_eq(res.status, 401);
	http_response_release(&res);

	/* None of the refusals wrote anything. */
	ck_assert_int_eq(rows_of(&priv, "deployments"), 2);
	ck_assert_int_eq(rows_of(&priv, "outbox"), 2);
	ck_assert_int_eq(rows_of(&pub, "deployments"), 1);
	ck_assert_int_eq(rows_of(&pub, "outbox"), 1);
	free(dep_token);
	free(pub_token);
	free(pusher_token);
	free(reader_token);
	free(outsider_token);
}
END_TEST

/* ------------------------------------------------------------------------
 * Concurrency.
 */

/* The i-th of the parallel creates: main for odd i, topic in qa for even. */
static void
create_one(int i, void *arg, struct http_response *res)
{
	const struct test_repo *r = arg;

	http_call(res, "POST", r->deployments, r->token,
	    i % 2 ? "{\"ref\":\"main\"}" : "{\"ref\":\"topic\",\"environment\":\"qa\"}", NULL);
}

START_TEST(parallel_creates)
{
	enum { N = 20 };
	struct test_repo r;
	struct parallel_answer answers[N];
	long long ids[N], listed[100];
	struct http_response res;
	size_t n;

	repo_make(&r, WITH_GIT, PUBLIC);
	in_parallel(N, create_one, &r, answers);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(answers[i].status, 201);
		ids[i] = answers[i].id;
		ck_assert_int_gt(ids[i], 0);
		for (int j = 0; j < i; j++)
			ck_assert_int_ne(ids[i], ids[j]);
	}

	http_callf(&res, "GET", r.token, NULL, "%s?per_page=100", r.deployments);
	ck_assert_int_eq(res.status, 200);
	n = ids_of(&res, listed, 100);
	ck_assert_uint_eq(n, N);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_lt(listed[i], listed[i - 1]);
	for (int i = 0; i < N; i++) {
		bool found = false;

		for (size_t j = 0; j < n; j++)
			found = found || listed[j] == ids[i];
		ck_assert_msg(found, "created %lld is not listed", ids[i]);
	}
	http_response_release(&res);
	ck_assert_int_eq(rows_of(&r, "deployments"), N);
	ck_assert_int_eq(rows_of(&r, "outbox"), N);
	ck_assert_int_eq(sql_int("SELECT count(DISTINCT deployment_id) FROM outbox WHERE repository_id = %lld",
	    r.id), N);
}
END_TEST

/* ------------------------------------------------------------------------
 * Atomicity: a deployment and its event, or neither.
 */

START_TEST(deployment_and_event_are_atomic)
{
	struct test_repo r;
	struct http_response res;
	long long id;
	json_t *body;

	repo_make(&r, WITH_GIT, PUBLIC);
	/* Only this repository's events fail, so nothing else is disturbed. */
	sql_exec("CREATE FUNCTION test_refuse_outbox_%lld() RETURNS trigger LANGUAGE plpgsql AS $$"
	    " BEGIN IF NEW.repository_id = %lld THEN RAISE EXCEPTION 'outbox refused by the test'; END IF;"
	    " RETURN NEW; END $$", r.id, r.id);
	sql_exec("CREATE TRIGGER test_refuse_outbox_%lld BEFORE INSERT ON outbox"
	    " FOR EACH ROW EXECUTE FUNCTION test_refuse_outbox_%lld()", r.id, r.id);

	post_deployment(&res, &r, r.token, json_pack("{ss ss}", "ref", "main", "description", "doomed"));
	ck_assert_msg(res.status == 500, "%ld %s", res.status, res.body);
	ck_assert_ptr_nonnull(json_object_get(res.json, "message"));
	http_response_release(&res);
	ck_assert_int_eq(rows_of(&r, "deployments"), 0);
	ck_assert_int_eq(rows_of(&r, "outbox"), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM deployments WHERE description = 'doomed'"
	    " AND repository_id = %lld", r.id), 0);

	sql_exec("DROP TRIGGER test_refuse_outbox_%lld ON outbox", r.id);
	sql_exec("DROP FUNCTION test_refuse_outbox_%lld()", r.id);

	/* The same request now works and writes exactly one event. */
	post_deployment(&res, &r, r.token, json_pack("{ss ss}", "ref", "main", "description", "doomed"));
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	body = json_incref(res.json);
	id = json_integer_value(json_object_get(body, "id"));
	http_response_release(&res);
	ck_assert_int_eq(rows_of(&r, "deployments"), 1);
	ck_assert_int_eq(rows_of(&r, "outbox"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE deployment_id = %lld"
	    " AND event = 'deployment' AND action = 'created' AND repository_id = %lld", id, r.id), 1);
	assert_event_values(body);
	json_decref(body);
}
END_TEST

static Suite *
deployments_suite(void)
{
	return suite_of("deployments", tcase_of("create", 120, (const TTest *const[]){
		create_defaults, create_explicit_fields, create_under_api_v3, payload_keeps_its_type,
		ref_resolution_with_git, ref_resolution_without_git, validation_failures_write_nothing,
		nul_in_strings_is_a_validation_failure, limits_are_inclusive_and_count_characters,
		NULL }),
	    tcase_of("list", 120, (const TTest *const[]){
		list_filters, pagination_of_75, pagination_next_survives_inserts,
		links_keep_encoded_filters, list_etag_follows_the_content, per_page_is_clamped_to_100,
		NULL }),
	    tcase_of("get-delete-access", 120, (const TTest *const[]){
		get_not_found, delete_rule, scopes_and_permissions, parallel_creates,
		deployment_and_event_are_atomic, NULL }), NULL);
}

int
main(void)
{
	int failed;

	git_setup();
	failed = suite_failures(deployments_suite());
	git_cleanup();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
