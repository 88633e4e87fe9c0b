/*
 * Commit statuses and the checks a deployment makes over real HTTP:
 * creating and listing statuses, the combined status rule, pagination,
 * validation that writes nothing; required_contexts case by case, force;
 * auto_merge on real bare repositories (a behind branch gets a real merge
 * commit, a conflict changes nothing, up-to-date branches, tags and SHAs
 * take no merge, concurrent auto-merges of one branch make exactly one
 * merge commit and lose no update); the merges API; the order of checks.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "suite.h"

/* ------------------------------------------------------------------------
 * Bare git repositories, a fresh one per test that may change it:
 *
 *   c1 (v1.0, annotated) -- c2 = main
 *     |\-- b1 = behind     (adds other.txt: merges cleanly with main)
 *     \--- x1 = conflict   (changes app.txt as c2 does: conflicts)
 *   main -- a1 = ahead     (main's head is in it: up to date)
 */

struct git {
	char root[128];
	char dir[192];
	char main[41];
	char c1[41];
	char behind[41];
	char conflict[41];
	char ahead[41];
};

static const char GIT_SCRIPT[] =
    "set -e\n"
    "cd \"$1\"\n"
    "export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME='Deploy Tests' GIT_AUTHOR_EMAIL=tests@example.com\n"
    "export GIT_COMMITTER_NAME='Deploy Tests' GIT_COMMITTER_EMAIL=tests@example.com\n"
    "git init -q -b main work\n"
    "cd work\n"
    "echo one > app.txt && git add app.txt && git commit -qm c1\n"
    "git tag -a v1.0 -m 'Release 1.0'\n"
    "git checkout -qb behind\n"
    "echo other > other.txt && git add other.txt && git commit -qm b1\n"
    "git checkout -q main && git checkout -qb conflict\n"
    "echo conflicting > app.txt && git commit -qam x1\n"
    "git checkout -q main\n"
    "echo two > app.txt && git commit -qam c2\n"
    "git checkout -qb ahead\n"
    "echo feature > feature.txt && git add feature.txt && git commit -qm a1\n"
    "git checkout -q main\n"
    "cd ..\n"
    "git clone -q --bare work repo.git\n";

/* git -C dir ARGS... into out; fails the test when git fails. */
static void
git_out(const struct git *g, char *out, size_t outlen, ...)
{
	char *argv[16] = { (char *)"git", (char *)"-C", (char *)g->dir };
	size_t n = 3;
	va_list ap;
	char *a;

	va_start(ap, outlen);
	while ((a = va_arg(ap, char *)) != NULL && n < ARRAY_SIZE(argv) - 1)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	ck_assert_msg(spawn_capture(argv, out, outlen) == 0, "git %s failed", argv[3]);
}

static void
rev_parse(const struct git *g, const char *rev, char *out)
{
	char buf[128];

	git_out(g, buf, sizeof(buf), "rev-parse", rev, NULL);
	ck_assert_msg(strlen(buf) == 40, "rev-parse %s: %s", rev, buf);
	memcpy(out, buf, 41);
}

static void
git_make(struct git *g)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)GIT_SCRIPT, (char *)"sh", g->root, NULL };

	memset(g, 0, sizeof(*g));
	snprintf(g->root, sizeof(g->root), "/tmp/deploy-cs-git.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(g->root));
	snprintf(g->dir, sizeof(g->dir), "%s/repo.git", g->root);
	ck_assert_msg(spawn_capture(argv, NULL, 0) == 0, "cannot create a git repository in %s", g->root);
	rev_parse(g, "main", g->main);
	rev_parse(g, "v1.0^{commit}", g->c1);
	rev_parse(g, "behind", g->behind);
	rev_parse(g, "conflict", g->conflict);
	rev_parse(g, "ahead", g->ahead);
}

static void
git_remove(struct git *g)
{
	char *argv[] = { (char *)"rm", (char *)"-rf", g->root, NULL };

	if (g->root[0])
		(void)spawn_capture(argv, NULL, 0);
}

/* The number of merge commits reachable from rev but not from since. */
static int
merges_between(const struct git *g, const char *since, const char *rev)
{
	char range[128], out[64];

	snprintf(range, sizeof(range), "%s..%s", since, rev);
	git_out(g, out, sizeof(out), "rev-list", "--merges", "--count", range, NULL);
	return atoi(out);
}

/* ------------------------------------------------------------------------
 * SQL (the server's own state, for "nothing written").
 */

/* ------------------------------------------------------------------------
 * Repositories and requests.
 */

struct repo {
	struct test_repo api;    /* the repository as the API serves it */
	struct git git;          /* empty without a git dir */
};

/* A new owner (scope repo) and public repository, with a fresh bare git
 * repository when with_git. */
static void
repo_make(struct repo *r, bool with_git)
{
	const char *options[] = { "--git-dir", r->git.dir, NULL };
	char name[64];

	memset(&r->git, 0, sizeof(r->git));
	if (with_git)
		git_make(&r->git);
	unique_name("app", name, sizeof(name));
	test_repo_make(&r->api, "cs", name, false, with_git ? options : NULL);
}

static void
repo_release(struct repo *r)
{
	git_remove(&r->git);
}

/* POSTs a status; returns its id after asserting 201. */
static long long
status_ok(const struct repo *r, const char *sha, const char *state, const char *context)
{
	struct http_response res;
	char body[512];
	long long id;

	snprintf(body, sizeof(body), "{\"state\":\"%s\",\"context\":\"%s\"}", state, context);
	http_callf(&res, "POST", r->api.token, body, "%s/statuses/%s", r->api.path, sha);
	ck_assert_msg(res.status == 201, "status %s %s: %ld %s", state, context, res.status, res.body);
	id = json_integer_value(json_object_get(res.json, "id"));
	ck_assert_int_gt(id, 0);
	http_response_release(&res);
	return id;
}

/* POSTs a deployment with body; the response into res. */
static void
deploy(struct http_response *res, const struct repo *r, const char *body)
{
	http_callf(res, "POST", r->api.token, body, "%s/deployments", r->api.path);
}

static void
deploy_expect(const struct repo *r, const char *body, long status)
{
	struct http_response res;

	deploy(&res, r, body);
	ck_assert_msg(res.status == status, "%s: %ld (expected %ld) %s", body, res.status, status,
	    res.body);
	http_response_release(&res);
}

/* ------------------------------------------------------------------------
 * Commit statuses.
 */

START_TEST(create_and_list)
{
	struct repo r;
	struct http_response res;
	char want[512], node[64], *b64, *location;
	long long id, id2;
	json_t *s;

	repo_make(&r, true);
	http_callf(&res, "POST", r.api.token, "{\"state\":\"success\"}", "%s/statuses/%s", r.api.path, r.git.main);
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	s = res.json;
	id = json_integer_value(json_object_get(s, "id"));
	ck_assert_int_gt(id, 0);
	snprintf(want, sizeof(want), "%s%s/statuses/%s", env_or_die("DEPLOY_URL"), r.api.path, r.git.main);
	ck_assert_str_eq(json_str(s, "url"), want);
	location = http_header(&res, "Location");
	ck_assert_ptr_nonnull(location);
	ck_assert_str_eq(location, want);
	free(location);
	ck_assert_str_eq(json_str(s, "state"), "success");
	ck_assert_str_eq(json_str(s, "context"), "default");
	ck_assert(json_is_null(json_object_get(s, "description")));
	ck_assert(json_is_null(json_object_get(s, "target_url")));
	ck_assert_str_eq(json_str(json_object_get(s, "creator"), "login"), r.api.owner);
	ck_assert_str_eq(json_str(s, "avatar_url"), json_str(json_object_get(s, "creator"), "avatar_url"));
	snprintf(node, sizeof(node), "06:Status%lld", id);
	b64 = test_base64(node);
	ck_assert_str_eq(json_str(s, "node_id"), b64);
	free(b64);
	ck_assert_uint_eq(strlen(json_str(s, "created_at")), 20);
	ck_assert_str_eq(json_str(s, "created_at"), json_str(s, "updated_at"));
	http_response_release(&res);

	http_callf(&res, "POST", r.api.token, "{\"state\":\"pending\",\"context\":\"ci/build\","
	    "\"description\":\"Building\",\"target_url\":\"https://ci.example.com/1\"}",
	    "%s/statuses/%s", r.api.path, r.git.main);
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	id2 = json_integer_value(json_object_get(res.json, "id"));
	ck_assert_str_eq(json_str(res.json, "description"), "Building");
	ck_assert_str_eq(json_str(res.json, "target_url"), "https://ci.example.com/1");
	ck_assert_str_eq(json_str(res.json, "context"), "ci/build");
	http_response_release(&res);
	/* Another commit's status is not listed with main's. */
	(void)status_ok(&r, r.git.behind, "failure", "ci/build");

	/* Listed newest first, by branch, tag-less SHA and abbreviated SHA. */
	{
		const char *refs[] = { "main", r.git.main, NULL };
		char abbrev[8];

		memcpy(abbrev, r.git.main, 7);
		abbrev[7] = '\0';
		refs[2] = abbrev;
		for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
			http_callf(&res, "GET", r.api.token, NULL, "%s/commits/%s/statuses", r.api.path, refs[i]);
			ck_assert_msg(res.status == 200, "%s: %ld %s", refs[i], res.status, res.body);
			ck_assert_uint_eq(json_array_size(res.json), 2);
			ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(res.json, 0), "id")), id2);
			ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(res.json, 1), "id")), id);
			ck_assert_ptr_null(http_header(&res, "Link"));
			http_response_release(&res);
		}
	}
	/* A ref that names no commit. */
	http_callf(&res, "GET", r.api.token, NULL, "%s/commits/no-such-branch/statuses", r.api.path);
	ck_assert_int_eq(res.status, 404);
	ck_assert_str_eq(message_of(&res), "No commit found for SHA: no-such-branch");
	http_response_release(&res);

	/* The tag names c1, which has no status. */
	http_callf(&res, "GET", r.api.token, NULL, "%s/commits/v1.0/statuses", r.api.path);
	ck_assert_int_eq(res.status, 200);
	ck_assert_uint_eq(json_array_size(res.json), 0);
	http_response_release(&res);
	repo_release(&r);
}
END_TEST

static void
expect_invalid(const struct repo *r, const char *sha, const char *body, const char *field,
    const char *code, const char *message)
{
	struct http_response res;
	json_t *e;

	http_callf(&res, "POST", r->api.token, body, "%s/statuses/%s", r->api.path, sha);
	ck_assert_msg(res.status == 422, "%s: %ld %s", body, res.status, res.body);
	ck_assert_str_eq(message_of(&res), "Validation Failed");
	e = json_array_get(json_object_get(res.json, "errors"), 0);
	ck_assert_msg(e != NULL, "%s: no errors: %s", body, res.body);
	ck_assert_str_eq(json_str(e, "resource"), "Status");
	ck_assert_str_eq(json_str(e, "field"), field);
	ck_assert_str_eq(json_str(e, "code"), code);
	if (message)
		ck_assert_str_eq(json_str(e, "message"), message);
	http_response_release(&res);
}

START_TEST(validation_writes_nothing)
{
	struct repo r, nogit;
	struct http_response res;
	struct buf long_text = BUF_INIT;
	char body[1024];
	const char *full = "0123456789abcdef0123456789abcdef01234567";

	repo_make(&r, true);
	expect_invalid(&r, r.git.main, "{}", "state", "missing_field", NULL);
	expect_invalid(&r, r.git.main, "{\"state\":\"inactive\"}", "state", "custom",
	    "state is not included in the list");
	expect_invalid(&r, r.git.main, "{\"state\":\"SUCCESS\"}", "state", "custom",
	    "state is not included in the list");
	expect_invalid(&r, r.git.main, "{\"state\":1}", "state", "custom",
	    "state is not included in the list");
	for (int i = 0; i < 141; i++)
		buf_puts(&long_text, "é");
	snprintf(body, sizeof(body), "{\"state\":\"success\",\"description\":\"%s\"}", long_text.data);
	expect_invalid(&r, r.git.main, body, "description", "custom",
	    "description is too long (maximum is 140 characters)");
	expect_invalid(&r, r.git.main, "{\"state\":\"success\",\"target_url\":5}", "target_url",
	    "invalid", NULL);
	expect_invalid(&r, r.git.main, "{\"state\":\"success\",\"context\":[\"a\"]}", "context",
	    "invalid", NULL);
	expect_invalid(&r, r.git.main, "{\"state\":\"success\",\"context\":\"a\\nb\"}", "context",
	    "invalid", NULL);
	http_callf(&res, "POST", r.api.token, "{\"state\":", "%s/statuses/%s", r.api.path, r.git.main);
	ck_assert_int_eq(res.status, 400);
	http_response_release(&res);
	http_callf(&res, "POST", r.api.token, "[]", "%s/statuses/%s", r.api.path, r.git.main);
	ck_assert_int_eq(res.status, 400);
	http_response_release(&res);

	/* A SHA that is not in the repository, or not a SHA at all. */
	{
		const char *bad[] = { full, "main", "v1.0", "zz", "0000000" };

		for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
			char want[128];

			http_callf(&res, "POST", r.api.token, "{\"state\":\"success\"}", "%s/statuses/%s", r.api.path,
			    bad[i]);
			ck_assert_msg(res.status == 422, "%s: %ld %s", bad[i], res.status, res.body);
			snprintf(want, sizeof(want), "No commit found for SHA: %s", bad[i]);
			ck_assert_str_eq(message_of(&res), want);
			http_response_release(&res);
		}
	}
	/* exactly 140 characters is fine; then the only row is that one. */
	buf_reset(&long_text);
	for (int i = 0; i < 140; i++)
		buf_puts(&long_text, "é");
	snprintf(body, sizeof(body), "{\"state\":\"success\",\"description\":\"%s\"}", long_text.data);
	http_callf(&res, "POST", r.api.token, body, "%s/statuses/%s", r.api.path, r.git.main);
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	http_response_release(&res);
	ck_assert_int_eq(rows_of(&r.api, "commit_statuses"), 1);

	/* Without a git directory any full SHA is taken, lower-cased; nothing
	 * shorter. */
	repo_make(&nogit, false);
	http_callf(&res, "POST", nogit.api.token, "{\"state\":\"error\"}", "%s/statuses/%s", nogit.api.path,
	    "0123456789ABCDEF0123456789ABCDEF01234567");
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	ck_assert_ptr_nonnull(strstr(json_str(res.json, "url"), full));
	http_response_release(&res);
	http_callf(&res, "POST", nogit.api.token, "{\"state\":\"error\"}", "%s/statuses/0123456", nogit.api.path);
	ck_assert_int_eq(res.status, 422);
	http_response_release(&res);
	ck_assert_int_eq(rows_of(&nogit.api, "commit_statuses"), 1);
	buf_release(&long_text);
	repo_release(&r);
}
END_TEST

START_TEST(access_rules)
{
	struct repo r;
	struct http_response res;
	char login[40];
	char *reader;

	repo_make(&r, false);
	reader = add_collaborator(&r.api, "pull", login);
	http_callf(&res, "POST", reader, "{\"state\":\"success\"}", "%s/statuses/%s", r.api.path,
	    "0123456789abcdef0123456789abcdef01234567");
	ck_assert_int_eq(res.status, 403);
	http_response_release(&res);
	(void)status_ok(&r, "0123456789abcdef0123456789abcdef01234567", "success", "ci");
	/* Reads need pull: the reader, and anybody on a public repository. */
	http_callf(&res, "GET", reader, NULL, "%s/commits/0123456789abcdef0123456789abcdef01234567/status",
	    r.api.path);
	ck_assert_int_eq(res.status, 200);
	http_response_release(&res);
	http_callf(&res, "GET", NULL, NULL, "%s/commits/0123456789abcdef0123456789abcdef01234567/statuses",
	    r.api.path);
	ck_assert_int_eq(res.status, 200);
	ck_assert_uint_eq(json_array_size(res.json), 1);
	http_response_release(&res);
	http_callf(&res, "POST", reader, "{\"base\":\"main\",\"head\":\"x\"}", "%s/merges", r.api.path);
	ck_assert_int_eq(res.status, 403);
	http_response_release(&res);
	ck_assert_int_eq(rows_of(&r.api, "commit_statuses"), 1);
	free(reader);
}
END_TEST

/* ------------------------------------------------------------------------
 * Pagination of a commit's statuses.
 */

START_TEST(statuses_pagination)
{
	enum { N = 75 };
	struct repo r;
	struct http_response res;
	long long created[N], seen[N];
	size_t nseen = 0;
	char path[1024], *link, *next, *last;
	const char *sha = "00000000000000000000000000000000000000aa";

	repo_make(&r, false);
	for (int i = 0; i < N; i++) {
		char context[32];

		snprintf(context, sizeof(context), "ci/%d", i % 7);
		created[i] = status_ok(&r, sha, i % 3 ? "success" : "pending", context);
	}
	snprintf(path, sizeof(path), "%s/commits/%s/statuses?per_page=30", r.api.path, sha);
	for (int page = 1; page <= 3; page++) {
		http_call(&res, "GET", path, r.api.token, NULL, NULL);
		ck_assert_msg(res.status == 200, "%s: %ld", path, res.status);
		ck_assert_uint_eq(json_array_size(res.json), page < 3 ? 30 : 15);
		for (size_t i = 0; i < json_array_size(res.json); i++)
			seen[nseen++] = json_integer_value(json_object_get(json_array_get(res.json, i), "id"));
		link = http_header(&res, "Link");
		ck_assert_ptr_nonnull(link);
		next = link_url(link, "next", NULL);
		last = link_url(link, "last", NULL);
		if (page < 3) {
			ck_assert_ptr_nonnull(next);
			ck_assert_ptr_nonnull(strstr(last, "page=3"));
			ck_assert_ptr_nonnull(strstr(next, "last_id="));
			snprintf(path, sizeof(path), "%s", url_path(next));
		} else {
			char *prev = link_url(link, "prev", NULL);

			ck_assert_ptr_null(next);
			ck_assert_ptr_null(last);
			ck_assert_ptr_nonnull(prev);
			free(prev);
		}
		free(next);
		free(last);
		free(link);
		http_response_release(&res);
	}
	/* Every status once, newest first. */
	ck_assert_uint_eq(nseen, N);
	for (size_t i = 0; i < N; i++)
		ck_assert_int_eq(seen[i], created[N - 1 - i]);

	/* page=N without the hint gives the same page. */
	http_callf(&res, "GET", r.api.token, NULL, "%s/commits/%s/statuses?per_page=30&page=2", r.api.path, sha);
	ck_assert_int_eq(res.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(res.json, 0), "id")),
	    seen[30]);
	http_response_release(&res);
	/* per_page is clamped to 100. */
	http_callf(&res, "GET", r.api.token, NULL, "%s/commits/%s/statuses?per_page=1000", r.api.path, sha);
	ck_assert_uint_eq(json_array_size(res.json), N);
	http_response_release(&res);
}
END_TEST

/* ------------------------------------------------------------------------
 * The combined status.
 */

static void
expect_combined(const struct repo *r, const char *ref, const char *state, size_t total)
{
	struct http_response res;

	http_callf(&res, "GET", r->api.token, NULL, "%s/commits/%s/status", r->api.path, ref);
	ck_assert_msg(res.status == 200, "%ld %s", res.status, res.body);
	ck_assert_msg(strcmp(json_str(res.json, "state"), state) == 0, "combined %s, expected %s: %s",
	    json_str(res.json, "state"), state, res.body);
	ck_assert_int_eq(json_integer_value(json_object_get(res.json, "total_count")), (long long)total);
	ck_assert_uint_eq(json_array_size(json_object_get(res.json, "statuses")), total);
	http_response_release(&res);
}

START_TEST(combined_rule)
{
	struct repo r;
	struct http_response res;
	char want[512];
	json_t *statuses, *repo;
	long long latest_a;

	repo_make(&r, true);
	/* No status at all: pending. */
	expect_combined(&r, "main", "pending", 0);
	(void)status_ok(&r, r.git.main, "failure", "ci/a");
	expect_combined(&r, "main", "failure", 1);
	/* Only the latest of a context counts. */
	latest_a = status_ok(&r, r.git.main, "success", "ci/a");
	expect_combined(&r, "main", "success", 1);
	(void)status_ok(&r, r.git.main, "pending", "ci/b");
	expect_combined(&r, "main", "pending", 2);
	(void)status_ok(&r, r.git.main, "error", "ci/c");
	/* error beats pending. */
	expect_combined(&r, "main", "failure", 3);
	(void)status_ok(&r, r.git.main, "success", "ci/c");
	expect_combined(&r, "main", "pending", 3);
	(void)status_ok(&r, r.git.main, "success", "ci/b");
	expect_combined(&r, r.git.main, "success", 3);
	/* Other commits keep their own state. */
	expect_combined(&r, "behind", "pending", 0);

	http_callf(&res, "GET", r.api.token, NULL, "%s/commits/main/status", r.api.path);
	ck_assert_int_eq(res.status, 200);
	ck_assert_str_eq(json_str(res.json, "sha"), r.git.main);
	statuses = json_object_get(res.json, "statuses");
	/* One per context, in context order, the latest of each. */
	ck_assert_str_eq(json_str(json_array_get(statuses, 0), "context"), "ci/a");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(statuses, 0), "id")), latest_a);
	ck_assert_str_eq(json_str(json_array_get(statuses, 1), "context"), "ci/b");
	ck_assert_str_eq(json_str(json_array_get(statuses, 2), "context"), "ci/c");
	ck_assert_ptr_null(json_object_get(json_array_get(statuses, 0), "creator"));
	repo = json_object_get(res.json, "repository");
	ck_assert_str_eq(json_str(repo, "full_name"), r.api.full);
	ck_assert_int_eq(json_integer_value(json_object_get(repo, "id")), r.api.id);
	ck_assert_ptr_null(json_object_get(repo, "default_branch"));  /* minimal */
	snprintf(want, sizeof(want), "%s%s/commits/%s", env_or_die("DEPLOY_URL"), r.api.path, r.git.main);
	ck_assert_str_eq(json_str(res.json, "commit_url"), want);
	strncat(want, "/status", sizeof(want) - strlen(want) - 1);
	ck_assert_str_eq(json_str(res.json, "url"), want);
	http_response_release(&res);

	/* Paged by context; the state still covers every context. */
	(void)status_ok(&r, r.git.main, "failure", "ci/d");
	http_callf(&res, "GET", r.api.token, NULL, "%s/commits/main/status?per_page=2&page=2", r.api.path);
	ck_assert_int_eq(res.status, 200);
	ck_assert_str_eq(json_str(res.json, "state"), "failure");
	ck_assert_int_eq(json_integer_value(json_object_get(res.json, "total_count")), 4);
	statuses = json_object_get(res.json, "statuses");
	ck_assert_uint_eq(json_array_size(statuses), 2);
	ck_assert_str_eq(json_str(json_array_get(statuses, 0), "context"), "ci/c");
	ck_assert_str_eq(json_str(json_array_get(statuses, 1), "context"), "ci/d");
	{
		char *link = http_header(&res, "Link");

		ck_assert_ptr_nonnull(link);
		ck_assert_ptr_nonnull(strstr(link, "rel=\"prev\""));
		ck_assert_ptr_null(strstr(link, "last_id"));
		free(link);
	}
	http_response_release(&res);
	http_callf(&res, "GET", r.api.token, NULL, "%s/commits/nothing-here/status", r.api.path);
	ck_assert_int_eq(res.status, 404);
	ck_assert_str_eq(message_of(&res), "No commit found for SHA: nothing-here");
	http_response_release(&res);
	repo_release(&r);
}
END_TEST

/* ------------------------------------------------------------------------
 * required_contexts.
 */

/* Asserts a 409 for failing contexts and that they are exactly the pairs
 * given ("context", "state", ..., NULL). */
static void
expect_contexts_conflict(const struct repo *r, const char *body, const char *ref, ...)
{
	struct http_response res;
	char want[256];
	json_t *errors, *e, *contexts;
	long long before = rows_of(&r->api, "deployments"), events = rows_of(&r->api, "outbox");
	const char *context;
	size_t n = 0;
	va_list ap;

	deploy(&res, r, body);
	ck_assert_msg(res.status == 409, "%s: %ld %s", body, res.status, res.body);
	snprintf(want, sizeof(want), "Conflict: Commit status checks failed for %s.", ref);
	ck_assert_str_eq(message_of(&res), want);
	errors = json_object_get(res.json, "errors");
	ck_assert_uint_eq(json_array_size(errors), 1);
	e = json_array_get(errors, 0);
	ck_assert_str_eq(json_str(e, "resource"), "Deployment");
	ck_assert_str_eq(json_str(e, "field"), "required_contexts");
	ck_assert_str_eq(json_str(e, "code"), "invalid");
	contexts = json_object_get(e, "contexts");
	va_start(ap, ref);
	while ((context = va_arg(ap, const char *)) != NULL) {
		const char *state = va_arg(ap, const char *);
		json_t *c = json_array_get(contexts, n++);

		ck_assert_msg(c != NULL, "%s: context %s not listed: %s", body, context, res.body);
		ck_assert_str_eq(json_str(c, "context"), context);
		ck_assert_str_eq(json_str(c, "state"), state);
	}
	va_end(ap);
	ck_assert_msg(json_array_size(contexts) == n, "%s: %s", body, res.body);
	http_response_release(&res);
	ck_assert_int_eq(rows_of(&r->api, "deployments"), before);
	ck_assert_int_eq(rows_of(&r->api, "outbox"), events);
}

START_TEST(required_contexts_cases)
{
	struct repo r;

	repo_make(&r, true);
	/* No status at all: omitted passes. */
	deploy_expect(&r, "{\"ref\":\"main\"}", 201);

	/* Omitted, every context success (the latest of each). */
	(void)status_ok(&r, r.git.main, "failure", "ci/a");
	(void)status_ok(&r, r.git.main, "success", "ci/a");
	(void)status_ok(&r, r.git.main, "success", "ci/b");
	deploy_expect(&r, "{\"ref\":\"main\"}", 201);
	deploy_expect(&r, "{\"ref\":\"main\",\"required_contexts\":null}", 201);

	/* Omitted, one failing: 409 listing it, nothing created. */
	(void)status_ok(&r, r.git.main, "failure", "ci/b");
	(void)status_ok(&r, r.git.main, "pending", "ci/c");
	expect_contexts_conflict(&r, "{\"ref\":\"main\"}", "main", "ci/b", "failure", "ci/c",
	    "pending", NULL);

	/* A list: only the named ones count; a context without status fails. */
	deploy_expect(&r, "{\"ref\":\"main\",\"required_contexts\":[\"ci/a\"]}", 201);
	expect_contexts_conflict(&r, "{\"ref\":\"main\",\"required_contexts\":[\"ci/a\",\"ci/x\"]}",
	    "main", "ci/x", "missing", NULL);
	expect_contexts_conflict(&r,
	    "{\"ref\":\"main\",\"required_contexts\":[\"ci/x\",\"ci/b\",\"ci/a\",\"ci/x\"]}",
	    "main", "ci/x", "missing", "ci/b", "failure", NULL);

	/* [] checks nothing; force skips the check. */
	deploy_expect(&r, "{\"ref\":\"main\",\"required_contexts\":[]}", 201);
	deploy_expect(&r, "{\"ref\":\"main\",\"force\":true}", 201);
	deploy_expect(&r, "{\"ref\":\"main\",\"force\":true,\"required_contexts\":[\"ci/x\"]}", 201);

	/* The check reads the resolved commit: the tag's commit has none. */
	deploy_expect(&r, "{\"ref\":\"v1.0\"}", 201);
	/* A full SHA reads that commit. */
	{
		char body[128];

		snprintf(body, sizeof(body), "{\"ref\":\"%s\"}", r.git.main);
		expect_contexts_conflict(&r, body, r.git.main, "ci/b", "failure", "ci/c", "pending",
		    NULL);
	}
	ck_assert_int_eq(rows_of(&r.api, "deployments"), 8);
	repo_release(&r);
}
END_TEST

/* ------------------------------------------------------------------------
 * auto_merge.
 */

/* Deploying branch answers 409, a conflict merging main into it, and the
 * branch is still at head. */
static void
expect_merge_conflict(const struct repo *r, const char *branch, const char *head)
{
	struct http_response res;
	char body[128], want[128], now[41];

	snprintf(body, sizeof(body), "{\"ref\":\"%s\"}", branch);
	deploy(&res, r, body);
	ck_assert_msg(res.status == 409, "%ld %s", res.status, res.body);
	snprintf(want, sizeof(want), "Conflict merging main into %s.", branch);
	ck_assert_str_eq(message_of(&res), want);
	http_response_release(&res);
	rev_parse(&r->git, branch, now);
	ck_assert_str_eq(now, head);
}

START_TEST(behind_branch_is_merged)
{
	struct repo r;
	struct http_response res;
	char out[512], merge[41], want[256];

	repo_make(&r, true);
	deploy(&res, &r, "{\"ref\":\"behind\"}");
	ck_assert_msg(res.status == 202, "%ld %s", res.status, res.body);
	ck_assert_str_eq(message_of(&res), "Auto-merged main into behind on deployment.");
	http_response_release(&res);
	ck_assert_int_eq(rows_of(&r.api, "deployments"), 0);
	ck_assert_int_eq(rows_of(&r.api, "outbox"), 0);

	/* A real merge commit: the branch's old head first, then main's. */
	rev_parse(&r.git, "behind", merge);
	ck_assert_str_ne(merge, r.git.behind);
	git_out(&r.git, out, sizeof(out), "log", "-1", "--format=%P", "behind", NULL);
	snprintf(want, sizeof(want), "%s %s", r.git.behind, r.git.main);
	ck_assert_str_eq(out, want);
	git_out(&r.git, out, sizeof(out), "log", "-1", "--format=%s", "behind", NULL);
	ck_assert_str_eq(out, "Merge branch 'main' into behind");
	git_out(&r.git, out, sizeof(out), "log", "-1", "--format=%an <%ae>|%cn <%ce>", "behind", NULL);
	snprintf(want, sizeof(want), "%s <%s@users.noreply.127.0.0.1>|%s <%s@users.noreply.127.0.0.1>",
	    r.api.owner, r.api.owner, r.api.owner, r.api.owner);
	ck_assert_str_eq(out, want);
	/* Both sides' files are in the merge. */
	git_out(&r.git, out, sizeof(out), "ls-tree", "--name-only", "behind", NULL);
	ck_assert_str_eq(out, "app.txt\nother.txt");
	git_out(&r.git, out, sizeof(out), "show", "behind:app.txt", NULL);
	ck_assert_str_eq(out, "two");
	git_out(&r.git, out, sizeof(out), "fsck", "--no-progress", NULL);
	/* main did not move. */
	rev_parse(&r.git, "main", out);
	ck_assert_str_eq(out, r.git.main);

	/* The client deploys again: now up to date, created on the merge. */
	deploy(&res, &r, "{\"ref\":\"behind\"}");
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	ck_assert_str_eq(json_str(res.json, "sha"), merge);
	http_response_release(&res);
	ck_assert_int_eq(merges_between(&r.git, r.git.behind, "behind"), 1);
	repo_release(&r);
}
END_TEST

START_TEST(conflict_changes_nothing)
{
	struct repo r;
	struct http_response res;
	char head[41], out[64];

	repo_make(&r, true);
	expect_merge_conflict(&r, "conflict", r.git.conflict);
	ck_assert_int_eq(rows_of(&r.api, "deployments"), 0);
	/* Failing contexts too: the merge comes first (semantics.md's order). */
	(void)status_ok(&r, r.git.conflict, "failure", "ci");
	deploy(&res, &r, "{\"ref\":\"conflict\"}");
	ck_assert_int_eq(res.status, 409);
	ck_assert_str_eq(message_of(&res), "Conflict merging main into conflict.");
	http_response_release(&res);
	/* Without the merge, the contexts decide; with force, nothing does. */
	deploy(&res, &r, "{\"ref\":\"conflict\",\"auto_merge\":false}");
	ck_assert_int_eq(res.status, 409);
	ck_assert_str_eq(message_of(&res), "Conflict: Commit status checks failed for conflict.");
	http_response_release(&res);
	deploy_expect(&r, "{\"ref\":\"conflict\",\"force\":true}", 201);
	rev_parse(&r.git, "conflict", head);
	ck_assert_str_eq(head, r.git.conflict);
	git_out(&r.git, out, sizeof(out), "rev-list", "--count", "--all", NULL);
	ck_assert_str_eq(out, "5");
	ck_assert_int_eq(rows_of(&r.api, "deployments"), 1);
	repo_release(&r);
}
END_TEST

/* Deploys ref (with extra body fields) and expects 201 on sha with every
 * branch where it was. */
static void
expect_no_merge(const struct repo *r, const char *ref, const char *extra, const char *sha)
{
	struct http_response res;
	char body[256], head[41];
	const char *branches[] = { "main", "behind", "conflict", "ahead" };
	const char *heads[] = { r->git.main, r->git.behind, r->git.conflict, r->git.ahead };

	snprintf(body, sizeof(body), "{\"ref\":\"%s\"%s}", ref, extra);
	deploy(&res, r, body);
	ck_assert_msg(res.status == 201, "%s: %ld %s", body, res.status, res.body);
	ck_assert_str_eq(json_str(res.json, "sha"), sha);
	http_response_release(&res);
	for (size_t i = 0; i < ARRAY_SIZE(branches); i++) {
		rev_parse(&r->git, branches[i], head);
		ck_assert_msg(strcmp(head, heads[i]) == 0, "%s moved after %s", branches[i], body);
	}
}

START_TEST(no_merge_cases)
{
	struct repo r;

	repo_make(&r, true);
	/* The default branch itself, an up-to-date branch. */
	expect_no_merge(&r, "main", "", r.git.main);
	expect_no_merge(&r, "ahead", "", r.git.ahead);
	expect_no_merge(&r, "refs/heads/ahead", "", r.git.ahead);
	/* Tags and SHAs are not branches, even when behind. */
	expect_no_merge(&r, "v1.0", "", r.git.c1);
	expect_no_merge(&r, "refs/tags/v1.0", "", r.git.c1);
	expect_no_merge(&r, r.git.behind, "", r.git.behind);
	/* auto_merge false, force. */
	expect_no_merge(&r, "behind", ",\"auto_merge\":false", r.git.behind);
	expect_no_merge(&r, "behind", ",\"force\":true", r.git.behind);
	ck_assert_int_eq(rows_of(&r.api, "deployments"), 8);
	/* Validation still comes first: nothing merged on a 422. */
	deploy_expect(&r, "{\"ref\":\"behind\",\"task\":7}", 422);
	deploy_expect(&r, "{\"ref\":\"behind\",\"auto_merge\":\"yes\"}", 422);
	deploy_expect(&r, "{\"ref\":\"behind-not\"}", 422);
	expect_no_merge(&r, "behind", ",\"auto_merge\":false", r.git.behind);
	repo_release(&r);
}
END_TEST

/* Several auto-merges of one branch at once: exactly one merge commit, on
 * top of the old head; every other request 409s or finds it up to date and
 * deploys; never a lost update. */
/* One of the concurrent auto-merges: deploy behind. */
static void
deploy_behind(int i, void *arg, struct http_response *res)
{
	(void)i;
	deploy(res, arg, "{\"ref\":\"behind\"}");
}

START_TEST(concurrent_auto_merges)
{
	enum { N = 8 };
	struct repo r;
	struct parallel_answer answers[N];
	int merged = 0, conflicts = 0, created = 0;
	char head[41], out[256], want[128];

	repo_make(&r, true);
	in_parallel(N, deploy_behind, &r, answers);
	for (int i = 0; i < N; i++) {
		if (answers[i].status == 202)
			merged++;
		else if (answers[i].status == 409)
			conflicts++;
		else if (answers[i].status == 201)
			created++;
		else
			ck_abort_msg("unexpected status %ld", answers[i].status);
	}
	ck_assert_int_eq(merged, 1);
	ck_assert_int_eq(merged + conflicts + created, N);
	ck_assert_int_eq(rows_of(&r.api, "deployments"), created);
	/* One merge commit on the branch, its first parent the old head. */
	ck_assert_int_eq(merges_between(&r.git, r.git.behind, "behind"), 1);
	rev_parse(&r.git, "behind", head);
	git_out(&r.git, out, sizeof(out), "log", "-1", "--format=%P", "behind", NULL);
	snprintf(want, sizeof(want), "%s %s", r.git.behind, r.git.main);
	ck_assert_str_eq(out, want);
	git_out(&r.git, out, sizeof(out), "rev-list", "--count", "behind", NULL);
	ck_assert_str_eq(out, "4");  /* c1, b1, c2, the merge */
	if (created > 0)
		ck_assert_int_eq(sql_int("SELECT count(*) FROM deployments WHERE repository_id = %lld"
		    " AND sha = '%s'", r.api.id, head), created);
	repo_release(&r);
}
END_TEST

/* A push that lands between the merge's read and its ref update wins: the
 * server's compare-and-swap fails and the request answers 409. Simulated
 * by locking the ref the way git does while it writes one. */
START_TEST(locked_ref_is_not_overwritten)
{
	struct repo r;
	char lock[256];
	FILE *f;

	repo_make(&r, true);
	snprintf(lock, sizeof(lock), "%s/refs/heads/behind.lock", r.git.dir);
	f = fopen(lock, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "%s\n", r.git.main);
	fclose(f);
	expect_merge_conflict(&r, "behind", r.git.behind);
	unlink(lock);
	deploy_expect(&r, "{\"ref\":\"behind\"}", 202);
	repo_release(&r);
}
END_TEST

/* ------------------------------------------------------------------------
 * The merges API.
 */

/* POST /merges with body: status, and message when it is not NULL. */
static void
expect_merge(const struct repo *r, const char *body, long status, const char *message)
{
	struct http_response res;

	http_callf(&res, "POST", r->api.token, body, "%s/merges", r->api.path);
	ck_assert_msg(res.status == status, "%s: %ld %s", body, res.status, res.body);
	if (message)
		ck_assert_str_eq(message_of(&res), message);
	http_response_release(&res);
}

START_TEST(merges_api)
{
	struct repo r, nogit;
	struct http_response res;
	char out[256], want[256], merge[41];
	json_t *c, *parents;

	repo_make(&r, true);
	http_callf(&res, "POST", r.api.token, "{\"base\":\"behind\",\"head\":\"main\"}", "%s/merges", r.api.path);
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	c = res.json;
	rev_parse(&r.git, "behind", merge);
	ck_assert_str_eq(json_str(c, "sha"), merge);
	ck_assert_str_eq(json_str(json_object_get(c, "commit"), "message"), "Merge main into behind");
	ck_assert_str_eq(json_str(json_object_get(json_object_get(c, "commit"), "author"), "name"), r.api.owner);
	ck_assert_str_eq(json_str(json_object_get(c, "author"), "login"), r.api.owner);
	parents = json_object_get(c, "parents");
	ck_assert_uint_eq(json_array_size(parents), 2);
	ck_assert_str_eq(json_str(json_array_get(parents, 0), "sha"), r.git.behind);
	ck_assert_str_eq(json_str(json_array_get(parents, 1), "sha"), r.git.main);
	git_out(&r.git, out, sizeof(out), "rev-parse", "behind^{tree}", NULL);
	ck_assert_str_eq(json_str(json_object_get(json_object_get(c, "commit"), "tree"), "sha"), out);
	snprintf(want, sizeof(want), "%s%s/commits/%s", env_or_die("DEPLOY_URL"), r.api.path, merge);
	ck_assert_str_eq(json_str(c, "url"), want);
	http_response_release(&res);

	/* Nothing left to merge: 204, and the branch stays. */
	http_callf(&res, "POST", r.api.token, "{\"base\":\"behind\",\"head\":\"main\"}", "%s/merges", r.api.path);
	ck_assert_int_eq(res.status, 204);
	ck_assert_uint_eq(res.body_len, 0);
	http_response_release(&res);
	expect_merge(&r, "{\"base\":\"main\",\"head\":\"v1.0\"}", 204, NULL);
	rev_parse(&r.git, "behind", out);
	ck_assert_str_eq(out, merge);

	/* A conflict: 409 and no change. */
	expect_merge(&r, "{\"base\":\"main\",\"head\":\"conflict\"}", 409, "Merge Conflict");
	rev_parse(&r.git, "main", out);
	ck_assert_str_eq(out, r.git.main);

	/* A SHA as head, with the caller's message. */
	snprintf(want, sizeof(want), "{\"base\":\"ahead\",\"head\":\"%s\",\"commit_message\":\"Bring b1\\n\\nin\"}",
	    r.git.behind);
	http_callf(&res, "POST", r.api.token, want, "%s/merges", r.api.path);
	ck_assert_msg(res.status == 201, "%ld %s", res.status, res.body);
	ck_assert_str_eq(json_str(json_object_get(res.json, "commit"), "message"), "Bring b1\n\nin");
	http_response_release(&res);
	git_out(&r.git, out, sizeof(out), "log", "-1", "--format=%P", "ahead", NULL);
	snprintf(want, sizeof(want), "%s %s", r.git.ahead, r.git.behind);
	ck_assert_str_eq(out, want);

	/* Missing base or head. */
	expect_merge(&r, "{\"base\":\"nope\",\"head\":\"main\"}", 404, "Base does not exist");
	expect_merge(&r, "{\"base\":\"v1.0\",\"head\":\"main\"}", 404, "Base does not exist");
	expect_merge(&r, "{\"base\":\"main\",\"head\":\"nope\"}", 404, "Head does not exist");
	expect_merge(&r, "{\"head\":\"main\"}", 422, NULL);
	git_out(&r.git, out, sizeof(out), "rev-list", "--merges", "--count", "--all", NULL);
	ck_assert_str_eq(out, "2");

	repo_make(&nogit, false);
	expect_merge(&nogit, "{\"base\":\"main\",\"head\":\"main\"}", 404, "Base does not exist");
	repo_release(&r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_of("commit-statuses", tcase_of("statuses", 120, (const TTest *const[]){
		create_and_list, validation_writes_nothing, access_rules, statuses_pagination,
		combined_rule, NULL }),
	    tcase_of("deployment-checks", 120, (const TTest *const[]){
		required_contexts_cases, behind_branch_is_merged, conflict_changes_nothing,
		no_merge_cases, concurrent_auto_merges, locked_ref_is_not_overwritten, NULL }),
	    tcase_of("merges", 120, (const TTest *const[]){ merges_api, NULL }), NULL);

	return suite_failures(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
