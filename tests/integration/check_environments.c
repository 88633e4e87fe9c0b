/*
 * Environments over real HTTP (shared/spec/environments.md): the object
 * and its key order, names (ASCII folding, the first spelling kept, path
 * encoding, limits), implicit creation by deployments and statuses, PUT's
 * settings and refusals (nothing stored), the delete cascade, pagination,
 * branch policies (CRUD, the 303, the limit) and their enforcement on
 * deployment create, the protection-rule stubs, and who may do what.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "suite.h"

/* ------------------------------------------------------------------------
 * One bare git repository for the program: main two commits ahead of the
 * branch behind (so deploying behind would auto-merge), branches
 * feature-x, release/1.0 and release/1/2 at main, tags v1.0 (annotated)
 * and v1.0-rc.
 */

static char git_root[128];
static char git_dir[192];

static const char GIT_SCRIPT[] =
    "set -e\n"
    "cd \"$1\"\n"
    "git init -q -b main work\n"
    "cd work\n"
    "git config user.name 'Environment Tests'\n"
    "git config user.email tests@example.com\n"
    "echo one > app.txt && git add app.txt && git commit -qm c1\n"
    "git branch behind\n"
    "git tag -a v1.0 -m 'Release 1.0'\n"
    "git tag v1.0-rc\n"
    "echo two > app.txt && git commit -qam c2\n"
    "git branch feature-x && git branch release/1.0 && git branch release/1/2\n"
    "cd ..\n"
    "git clone -q --bare work repo.git\n";

static void
git_make(void)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)GIT_SCRIPT, (char *)"sh", git_root,
		NULL };

	snprintf(git_root, sizeof(git_root), "/tmp/deploy-env-git.XXXXXX");
	if (mkdtemp(git_root) == NULL) {
		perror("mkdtemp");
		exit(EXIT_FAILURE);
	}
	snprintf(git_dir, sizeof(git_dir), "%s/repo.git", git_root);
	if (spawn_capture(argv, NULL, 0) != 0) {
		fprintf(stderr, "cannot create the test git repository in %s\n", git_root);
		exit(EXIT_FAILURE);
	}
}

static void
git_remove(void)
{
	char *argv[] = { (char *)"rm", (char *)"-rf", git_root, NULL };

	if (git_root[0])
		(void)spawn_capture(argv, NULL, 0);
}

static void
branch_head(const char *branch, char *out, size_t outlen)
{
	char *argv[] = { (char *)"git", (char *)"-C", git_dir, (char *)"rev-parse", (char *)branch,
		NULL };

	ck_assert_int_eq(spawn_capture(argv, out, outlen), 0);
}

/* ------------------------------------------------------------------------
 * Helpers.
 */

static void
repo_new(struct test_repo *r, bool private_repo)
{
	const char *git[] = { "--git-dir", git_dir, NULL };
	char name[64];

	unique_name("envs", name, sizeof(name));
	test_repo_make(r, "envowner", name, private_repo, git);
}

/* A deployment of ref to environment; asserts 201 and returns its id. */
static long long
deploy(const struct test_repo *r, const char *ref, const char *environment)
{
	char body[512];
	json_t *d;
	long long id;

	snprintf(body, sizeof(body), "{\"ref\":\"%s\",\"environment\":\"%s\",\"auto_merge\":false,"
	    "\"required_contexts\":[]}", ref, environment);
	d = http_json("POST", r->token, body, 201, "%s", r->deployments);
	id = json_int(d, "id");
	json_decref(d);
	return id;
}

static void
status(const struct test_repo *r, long long deployment_id, const char *body)
{
	json_decref(http_json("POST", r->token, body, 201, "%s/%lld/statuses", r->deployments,
	    deployment_id));
}

/* PUT .../environments/<encoded> with body (NULL: none); returns the
 * response, status asserted. */
static json_t *
put_env(const struct test_repo *r, const char *encoded, const char *body, long expect)
{
	return http_json("PUT", r->token, body, expect, "%s/environments/%s", r->path, encoded);
}

static void
expect_message(const char *method, const struct test_repo *r, const char *path_tail,
    const char *body, long status_code, const char *message)
{
	struct http_response res;

	http_callf(&res, method, r->token, body, "%s%s", r->path, path_tail);
	ck_assert_msg(res.status == status_code, "%s %s: %ld %s", method, path_tail, res.status,
	    res.body);
	ck_assert_str_eq(message_of(&res), message);
	http_response_release(&res);
}

/* Asserts a 422 whose errors are exactly one {resource, field, code}. */
static void
expect_invalid(const struct test_repo *r, const char *method, const char *path_tail,
    const char *body, const char *resource, const char *field, const char *code)
{
	struct http_response res;
	json_t *errors, *e;

	http_callf(&res, method, r->token, body, "%s%s", r->path, path_tail);
	ck_assert_msg(res.status == 422, "%s %s %s: %ld %s", method, path_tail, body, res.status,
	    res.body);
	ck_assert_str_eq(message_of(&res), "Validation Failed");
	errors = json_object_get(res.json, "errors");
	ck_assert_msg(json_array_size(errors) == 1, "%s", res.body);
	e = json_array_get(errors, 0);
	ck_assert_str_eq(json_str(e, "resource"), resource);
	ck_assert_str_eq(json_str(e, "field"), field);
	ck_assert_str_eq(json_str(e, "code"), code);
	http_response_release(&res);
}

static long long
env_count(const struct test_repo *r)
{
	return rows_of(r, "environments");
}

/* ------------------------------------------------------------------------
 * The object, implicit creation, names.
 */

START_TEST(object_in_spec_order)
{
	static const char *const keys[] = {
		"id", "node_id", "name", "url", "html_url", "created_at", "updated_at",
		"can_admins_bypass", "protection_rules", "deployment_branch_policy",
	};
	struct test_repo r;
	struct buf want = BUF_INIT;
	char node[64];
	char *b64;
	json_t *e;
	void *it;
	size_t i = 0;

	repo_new(&r, false);
	e = put_env(&r, "preview%2Fpr-12", NULL, 200);
	for (it = json_object_iter(e); it; it = json_object_iter_next(e, it), i++) {
		ck_assert_uint_lt(i, sizeof(keys) / sizeof(keys[0]));
		ck_assert_str_eq(json_object_iter_key(it), keys[i]);
	}
	ck_assert_uint_eq(i, sizeof(keys) / sizeof(keys[0]));
	ck_assert_str_eq(json_str(e, "name"), "preview/pr-12");
	snprintf(node, sizeof(node), "011:Environment%lld", json_int(e, "id"));
	b64 = test_base64(node);
	ck_assert_str_eq(json_str(e, "node_id"), b64);
	free(b64);
	buf_printf(&want, "%s%s/environments/preview%%2Fpr-12", env_or_die("DEPLOY_URL"), r.path);
	ck_assert_str_eq(json_str(e, "url"), want.data);
	buf_reset(&want);
	buf_printf(&want, "%s/%s/deployments/activity_log?environments_filter=preview%%2Fpr-12",
	    env_or_die("DEPLOY_URL"), r.full);
	ck_assert_str_eq(json_str(e, "html_url"), want.data);
	ck_assert_str_eq(json_str(e, "created_at"), json_str(e, "updated_at"));
	ck_assert(json_is_true(json_object_get(e, "can_admins_bypass")));
	ck_assert_uint_eq(json_array_size(json_object_get(e, "protection_rules")), 0);
	ck_assert(json_is_null(json_object_get(e, "deployment_branch_policy")));
	json_decref(e);
	buf_release(&want);
}
END_TEST

START_TEST(deployments_create_environments_case_insensitively)
{
	struct test_repo r;
	long long id, dep;
	json_t *e, *d, *list;

	repo_new(&r, false);
	dep = deploy(&r, "main", "Staging");
	e = http_json("GET", r.token, NULL, 200, "%s/environments/staging", r.path);
	ck_assert_str_eq(json_str(e, "name"), "Staging");
	id = json_int(e, "id");
	/* Timestamps are the deployment's. */
	d = http_json("GET", r.token, NULL, 200, "%s/%lld", r.deployments, dep);
	ck_assert_str_eq(json_str(e, "created_at"), json_str(d, "created_at"));
	json_decref(d);
	json_decref(e);

	/* Another spelling finds the record and never renames it. */
	e = put_env(&r, "STAGING", "{}", 200);
	ck_assert_int_eq(json_int(e, "id"), id);
	ck_assert_str_eq(json_str(e, "name"), "Staging");
	json_decref(e);
	(void)deploy(&r, "main", "sTaGiNg");
	ck_assert_int_eq(env_count(&r), 1);
	/* The deployment keeps its own spelling, and the exact-match filter
	 * of semantics.md is unchanged. */
	list = http_json("GET", r.token, NULL, 200, "%s?environment=Staging", r.deployments);
	ck_assert_uint_eq(json_array_size(list), 1);
	json_decref(list);

	/* Only ASCII folds: É and é are two environments. */
	(void)deploy(&r, "main", "\\u00c9t\\u00e9");
	(void)deploy(&r, "main", "\\u00e9t\\u00e9");
	ck_assert_int_eq(env_count(&r), 3);

	/* A status moving a deployment to an unknown environment creates it. */
	status(&r, dep, "{\"state\":\"success\",\"environment\":\"QA\"}");
	e = http_json("GET", r.token, NULL, 200, "%s/environments/qa", r.path);
	ck_assert_str_eq(json_str(e, "name"), "QA");
	json_decref(e);
	ck_assert_int_eq(env_count(&r), 4);

	/* The default environment too; and nothing is created by a refused
	 * deployment. */
	json_decref(http_json("POST", r.token, "{\"ref\":\"main\",\"auto_merge\":false}", 201, "%s",
	    r.deployments));
	json_decref(http_json("GET", r.token, NULL, 200, "%s/environments/production", r.path));
	ck_assert_int_eq(http_status("POST", r.token, "{\"ref\":\"nope\",\"environment\":\"ghost\"}",
	    "%s", r.deployments), 422);
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/environments/ghost", r.path), 404);
}
END_TEST

START_TEST(names_are_decoded_once_and_limited)
{
	struct test_repo r;
	struct buf name = BUF_INIT;
	struct http_response res;
	json_t *e, *error;

	repo_new(&r, false);
	e = put_env(&r, "Web%20Vault%20-%20US%20DEV+Cloud", NULL, 200);
	ck_assert_str_eq(json_str(e, "name"), "Web Vault - US DEV+Cloud");
	ck_assert_ptr_nonnull(strstr(json_str(e, "url"),
	    "/environments/Web%20Vault%20-%20US%20DEV%2BCloud"));
	json_decref(e);
	e = put_env(&r, "a%252Fb", NULL, 200);
	ck_assert_str_eq(json_str(e, "name"), "a%2Fb");
	json_decref(e);
	e = put_env(&r, "%C3%A9t%C3%A9", NULL, 200);
	ck_assert_str_eq(json_str(e, "name"), "\xc3\xa9t\xc3\xa9");
	json_decref(e);
	json_decref(put_env(&r, "preview%2Fpr-12", NULL, 200));
	/* An unencoded slash is another route. */
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/environments/preview/pr-12", r.path), 404);
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/environments/PREVIEW%%2FPR-12", r.path),
	    200);

	/* 255 characters (not bytes) are fine, 256 are not. */
	for (int i = 0; i < 255; i++)
		buf_puts(&name, "%C3%A9");
	json_decref(put_env(&r, name.data, NULL, 200));
	buf_puts(&name, "x");
	http_callf(&res, "PUT", r.token, NULL, "%s/environments/%s", r.path, name.data);
	ck_assert_int_eq(res.status, 422);
	ck_assert_str_eq(message_of(&res), "Validation Failed");
	error = json_array_get(json_object_get(res.json, "errors"), 0);
	ck_assert_str_eq(json_str(error, "resource"), "Environment");
	ck_assert_str_eq(json_str(error, "field"), "name");
	ck_assert_str_eq(json_str(error, "code"), "custom");
	ck_assert_str_eq(json_str(error, "message"), "name is too long (maximum is 255 characters)");
	http_response_release(&res);
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/environments/%s", r.path, name.data),
	    404);
	ck_assert_int_eq(http_status("DELETE", r.token, NULL, "%s/environments/%s", r.path,
	    name.data), 404);
	/* A control character. */
	expect_invalid(&r, "PUT", "/environments/a%01b", NULL, "Environment", "name", "invalid");
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/environments/a%%01b", r.path), 404);
	/* Bytes that are not UTF-8: 422 for a PUT, 404 for what only reads or
	 * deletes (environments.md, Names). (nginx refuses a bad %-escape
	 * itself, 400.) */
	expect_invalid(&r, "PUT", "/environments/%FF", NULL, "Environment", "name", "invalid");
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/environments/%%FF", r.path), 404);
	ck_assert_int_eq(http_status("DELETE", r.token, NULL, "%s/environments/%%FF", r.path), 404);
	ck_assert_int_eq(http_status("GET", r.token, NULL,
	    "%s/environments/%%FF/deployment-branch-policies", r.path), 404);
	buf_release(&name);
}
END_TEST

/* ------------------------------------------------------------------------
 * PUT: settings, refusals, effects.
 */

START_TEST(put_accepts_go_github_and_empty_bodies)
{
	struct test_repo r;
	json_t *e;

	repo_new(&r, false);
	e = put_env(&r, "a", "{\"wait_timer\":0,\"reviewers\":null,\"can_admins_bypass\":true,"
	    "\"deployment_branch_policy\":null}", 200);
	ck_assert(json_is_null(json_object_get(e, "deployment_branch_policy")));
	json_decref(e);
	json_decref(put_env(&r, "b", "null", 200));
	json_decref(put_env(&r, "c", "", 200));
	json_decref(put_env(&r, "d", "{\"reviewers\":[],\"prevent_self_review\":false,"
	    "\"unknown\":1}", 200));
	ck_assert_int_eq(http_status("PUT", r.token, "[]", "%s/environments/e", r.path), 400);
	ck_assert_int_eq(http_status("PUT", r.token, "{", "%s/environments/e", r.path), 400);
	ck_assert_int_eq(env_count(&r), 4);
}
END_TEST

START_TEST(put_validates_in_table_order_and_writes_nothing)
{
	static const struct {
		const char *body;
		const char *field;
	} invalid[] = {
		{ "{\"wait_timer\":50000}", "wait_timer" },
		{ "{\"wait_timer\":-1}", "wait_timer" },
		{ "{\"wait_timer\":\"30\"}", "wait_timer" },
		{ "{\"wait_timer\":1.5}", "wait_timer" },
		{ "{\"prevent_self_review\":\"yes\"}", "prevent_self_review" },
		{ "{\"reviewers\":\"octocat\"}", "reviewers" },
		{ "{\"can_admins_bypass\":1}", "can_admins_bypass" },
		{ "{\"deployment_branch_policy\":true}", "deployment_branch_policy" },
		{ "{\"deployment_branch_policy\":{\"custom_branch_policies\":true}}",
		  "deployment_branch_policy" },
		{ "{\"deployment_branch_policy\":{\"protected_branches\":false,"
		  "\"custom_branch_policies\":\"true\"}}", "deployment_branch_policy" },
		/* The first failing key in table order wins. */
		{ "{\"can_admins_bypass\":1,\"wait_timer\":99999}", "wait_timer" },
	};
	static const struct {
		const char *body;
		const char *message;
	} refused[] = {
		{ "{\"wait_timer\":30}", "wait_timer is not supported: this server runs no workflow "
		  "jobs to delay. Send 0 or omit it." },
		{ "{\"prevent_self_review\":true}", "prevent_self_review is not supported: this server "
		  "has no required reviewers. Send false or omit it." },
		{ "{\"reviewers\":[{\"type\":\"User\",\"id\":1}]}", "reviewers are not supported: this "
		  "server runs no workflow jobs to approve. Send null or [] or omit it." },
		{ "{\"deployment_branch_policy\":{\"protected_branches\":true,"
		  "\"custom_branch_policies\":false}}", "protected_branches is not supported: this "
		  "server has no branch protection rules. Use custom_branch_policies." },
		{ "{\"deployment_branch_policy\":{\"protected_branches\":true,"
		  "\"custom_branch_policies\":true}}",
		  "Exactly one of protected_branches and custom_branch_policies must be true." },
		{ "{\"deployment_branch_policy\":{\"protected_branches\":false,"
		  "\"custom_branch_policies\":false}}",
		  "Exactly one of protected_branches and custom_branch_policies must be true." },
		{ "{\"reviewers\":[{}],\"wait_timer\":5}", "wait_timer is not supported: this server "
		  "runs no workflow jobs to delay. Send 0 or omit it." },
	};
	struct test_repo r;
	json_t *e;

	repo_new(&r, false);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		expect_invalid(&r, "PUT", "/environments/prod", invalid[i].body, "Environment",
		    invalid[i].field, "invalid");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		expect_message("PUT", &r, "/environments/prod", refused[i].body, 422,
		    refused[i].message);
	ck_assert_int_eq(env_count(&r), 0);

	/* An existing environment is not changed by a refused PUT either. */
	e = put_env(&r, "prod", "{\"can_admins_bypass\":false}", 200);
	json_decref(e);
	expect_message("PUT", &r, "/environments/prod", "{\"can_admins_bypass\":true,"
	    "\"wait_timer\":1}", 422, "wait_timer is not supported: this server runs no workflow "
	    "jobs to delay. Send 0 or omit it.");
	e = http_json("GET", r.token, NULL, 200, "%s/environments/prod", r.path);
	ck_assert(json_is_false(json_object_get(e, "can_admins_bypass")));
	json_decref(e);
}
END_TEST

START_TEST(put_settings_omitted_keep_null_clears)
{
	struct test_repo r;
	json_t *e, *rules, *policy;
	long long gate, policy_id;
	char node[64];
	char *b64;

	repo_new(&r, false);
	e = put_env(&r, "prod", "{\"can_admins_bypass\":false}", 200);
	ck_assert(json_is_false(json_object_get(e, "can_admins_bypass")));
	json_decref(e);
	/* Omitted: unchanged. */
	e = put_env(&r, "prod", "{}", 200);
	ck_assert(json_is_false(json_object_get(e, "can_admins_bypass")));
	json_decref(e);
	/* null: true. */
	e = put_env(&r, "prod", "{\"can_admins_bypass\":null}", 200);
	ck_assert(json_is_true(json_object_get(e, "can_admins_bypass")));
	json_decref(e);

	e = put_env(&r, "prod", "{\"deployment_branch_policy\":{\"protected_branches\":false,"
	    "\"custom_branch_policies\":true}}", 200);
	policy = json_object_get(e, "deployment_branch_policy");
	ck_assert(json_is_false(json_object_get(policy, "protected_branches")));
	ck_assert(json_is_true(json_object_get(policy, "custom_branch_policies")));
	rules = json_object_get(e, "protection_rules");
	ck_assert_uint_eq(json_array_size(rules), 1);
	gate = json_int(json_array_get(rules, 0), "id");
	ck_assert_str_eq(json_str(json_array_get(rules, 0), "type"), "branch_policy");
	snprintf(node, sizeof(node), "04:Gate%lld", gate);
	b64 = test_base64(node);
	ck_assert_str_eq(json_str(json_array_get(rules, 0), "node_id"), b64);
	free(b64);
	json_decref(e);
	e = http_json("POST", r.token, "{\"name\":\"main\"}", 200,
	    "%s/environments/prod/deployment-branch-policies", r.path);
	policy_id = json_int(e, "id");
	json_decref(e);

	/* The same policy again, or omitted: gate and policies kept. */
	e = put_env(&r, "PROD", "{\"deployment_branch_policy\":{\"protected_branches\":false,"
	    "\"custom_branch_policies\":true}}", 200);
	ck_assert_int_eq(json_int(json_array_get(json_object_get(e, "protection_rules"), 0), "id"),
	    gate);
	json_decref(e);
	json_decref(put_env(&r, "prod", NULL, 200));
	json_decref(http_json("GET", r.token, NULL, 200,
	    "%s/environments/prod/deployment-branch-policies/%lld", r.path, policy_id));

	/* null: the gate and its policies go. */
	e = put_env(&r, "prod", "{\"deployment_branch_policy\":null}", 200);
	ck_assert(json_is_null(json_object_get(e, "deployment_branch_policy")));
	ck_assert_uint_eq(json_array_size(json_object_get(e, "protection_rules")), 0);
	json_decref(e);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM deployment_branch_policies WHERE id = %lld",
	    policy_id), 0);
	ck_assert_int_eq(http_status("GET", r.token, NULL,
	    "%s/environments/prod/deployment-branch-policies", r.path), 404);
}
END_TEST

START_TEST(put_sets_updated_at)
{
	struct test_repo r;
	json_t *e;
	char *created;

	repo_new(&r, false);
	e = put_env(&r, "prod", NULL, 200);
	created = strdup(json_str(e, "created_at"));
	json_decref(e);
	sql_exec("UPDATE environments SET created_at = created_at - interval '1 hour',"
	    " updated_at = updated_at - interval '1 hour' WHERE repository_id = %lld", r.id);
	e = put_env(&r, "prod", "{}", 200);
	ck_assert_str_ne(json_str(e, "created_at"), json_str(e, "updated_at"));
	ck_assert_str_ne(json_str(e, "created_at"), created);
	json_decref(e);
	free(created);
}
END_TEST

/* ------------------------------------------------------------------------
 * Get, delete, list.
 */

START_TEST(get_missing_is_404_with_the_docs_url)
{
	struct test_repo r;
	struct http_response res;

	repo_new(&r, false);
	http_callf(&res, "GET", r.token, NULL, "%s/environments/nowhere", r.path);
	ck_assert_int_eq(res.status, 404);
	ck_assert_str_eq(message_of(&res), "Not Found");
	ck_assert_str_eq(json_str(res.json, "documentation_url"),
	    "https://docs.github.com/rest/deployments/environments#get-an-environment");
	http_response_release(&res);
}
END_TEST

START_TEST(delete_cascades_to_deployments_of_every_spelling)
{
	struct test_repo r;
	long long a, b, c, other;
	json_t *list;

	repo_new(&r, false);
	a = deploy(&r, "main", "Prod");
	b = deploy(&r, "main", "prod");
	c = deploy(&r, "main", "staging");
	other = deploy(&r, "main", "staging");
	status(&r, a, "{\"state\":\"success\"}");
	status(&r, b, "{\"state\":\"success\"}");
	/* c moves to PROD: its environment is now prod's. */
	status(&r, c, "{\"state\":\"in_progress\",\"environment\":\"PROD\"}");
	ck_assert_int_eq(env_count(&r), 2);

	ck_assert_int_eq(http_status("DELETE", r.token, NULL, "%s/environments/pRoD", r.path), 204);
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/environments/prod", r.path), 404);
	ck_assert_int_eq(http_status("DELETE", r.token, NULL, "%s/environments/prod", r.path), 404);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM deployments WHERE id IN (%lld, %lld, %lld)",
	    a, b, c), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM deployment_statuses"
	    " WHERE deployment_id IN (%lld, %lld, %lld)", a, b, c), 0);
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/%lld", r.deployments, other), 200);
	list = http_json("GET", r.token, NULL, 200, "%s?environment=Prod", r.deployments);
	ck_assert_uint_eq(json_array_size(list), 0);
	json_decref(list);
	list = http_json("GET", r.token, NULL, 200, "%s", r.deployments);
	ck_assert_uint_eq(json_array_size(list), 1);
	json_decref(list);
	ck_assert_int_eq(env_count(&r), 1);

	/* The next deployment to it creates it again. */
	(void)deploy(&r, "main", "prod");
	ck_assert_int_eq(env_count(&r), 2);
}
END_TEST

START_TEST(deleting_deployments_leaves_the_environment)
{
	struct test_repo r;
	long long id;

	repo_new(&r, false);
	id = deploy(&r, "main", "preview-479");
	status(&r, id, "{\"state\":\"inactive\"}");
	ck_assert_int_eq(http_status("DELETE", r.token, NULL, "%s/%lld", r.deployments, id), 204);
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/environments/preview-479", r.path),
	    200);
	/* An environment with no deployment deletes too. */
	ck_assert_int_eq(http_status("DELETE", r.token, NULL, "%s/environments/preview-479", r.path),
	    204);
}
END_TEST

START_TEST(list_pages_in_creation_order)
{
	struct test_repo r;
	struct http_response res;
	long long first = 0, prev = 0;
	char name[32], *link, *next;
	json_t *envs, *e;
	size_t i;

	repo_new(&r, false);
	http_callf(&res, "GET", r.token, NULL, "%s/environments", r.path);
	ck_assert_int_eq(res.status, 200);
	ck_assert_int_eq(json_int(res.json, "total_count"), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(res.json, "environments")), 0);
	ck_assert_ptr_null(http_header(&res, "Link"));
	http_response_release(&res);

	for (int n = 0; n < 35; n++) {
		snprintf(name, sizeof(name), "env-%02d", n);
		if (n % 2)
			json_decref(put_env(&r, name, NULL, 200));
		else
			(void)deploy(&r, "main", name);
	}
	/* page=0 is page 1 (strumwolf sends it). */
	http_callf(&res, "GET", r.token, NULL, "%s/environments?page=0", r.path);
	ck_assert_int_eq(res.status, 200);
	ck_assert_int_eq(json_int(res.json, "total_count"), 35);
	envs = json_object_get(res.json, "environments");
	ck_assert_uint_eq(json_array_size(envs), 30);
	json_array_foreach(envs, i, e) {
		snprintf(name, sizeof(name), "env-%02zu", i);
		ck_assert_str_eq(json_str(e, "name"), name);
		ck_assert_int_gt(json_int(e, "id"), prev);
		prev = json_int(e, "id");
		if (i == 0)
			first = prev;
	}
	link = http_header(&res, "Link");
	ck_assert_ptr_nonnull(link);
	next = link_url(link, "next", NULL);
	ck_assert_ptr_nonnull(next);
	ck_assert_ptr_nonnull(strstr(next, "page=2"));
	free(link);
	http_response_release(&res);

	http_call(&res, "GET", url_path(next), r.token, NULL, NULL);
	ck_assert_int_eq(res.status, 200);
	ck_assert_int_eq(json_int(res.json, "total_count"), 35);
	envs = json_object_get(res.json, "environments");
	ck_assert_uint_eq(json_array_size(envs), 5);
	ck_assert_str_eq(json_str(json_array_get(envs, 0), "name"), "env-30");
	free(next);
	http_response_release(&res);

	http_callf(&res, "GET", r.token, NULL, "%s/environments?per_page=10&page=4", r.path);
	envs = json_object_get(res.json, "environments");
	ck_assert_uint_eq(json_array_size(envs), 5);
	ck_assert_int_eq(json_int(json_array_get(envs, 0), "id"), first + 30);
	link = http_header(&res, "Link");
	ck_assert_ptr_null(link_url(link, "next", NULL));
	free(link);
	http_response_release(&res);
}
END_TEST

/* ------------------------------------------------------------------------
 * Branch policies.
 */

#define POLICIES "/environments/prod/deployment-branch-policies"
#define CUSTOM_POLICY "{\"deployment_branch_policy\":{\"protected_branches\":false," \
	"\"custom_branch_policies\":true}}"

START_TEST(branch_policies_crud)
{
	struct test_repo r;
	struct http_response res;
	long long main_id, tag_id;
	char *location, want[512];
	json_t *p;

	repo_new(&r, false);
	/* No environment, then no custom policies: 404. */
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s" POLICIES, r.path), 404);
	json_decref(put_env(&r, "prod", NULL, 200));
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s" POLICIES, r.path), 404);
	ck_assert_int_eq(http_status("POST", r.token, "{\"name\":\"main\"}", "%s" POLICIES, r.path),
	    404);
	json_decref(put_env(&r, "prod", CUSTOM_POLICY, 200));

	p = http_json("GET", r.token, NULL, 200, "%s" POLICIES, r.path);
	ck_assert_int_eq(json_int(p, "total_count"), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(p, "branch_policies")), 0);
	json_decref(p);

	p = http_json("POST", r.token, "{\"name\":\"main\"}", 200, "%s" POLICIES, r.path);
	main_id = json_int(p, "id");
	ck_assert_str_eq(json_str(p, "name"), "main");
	ck_assert_str_eq(json_str(p, "type"), "branch");
	{
		char node[64];
		char *b64;

		snprintf(node, sizeof(node), "016:GateBranchPolicy%lld", main_id);
		b64 = test_base64(node);
		ck_assert_str_eq(json_str(p, "node_id"), b64);
		free(b64);
	}
	json_decref(p);
	p = http_json("POST", r.token, "{\"name\":\"v*\",\"type\":\"tag\"}", 200, "%s" POLICIES,
	    r.path);
	tag_id = json_int(p, "id");
	ck_assert_str_eq(json_str(p, "type"), "tag");
	json_decref(p);
	/* The same name of the other type is another policy. */
	json_decref(http_json("POST", r.token, "{\"name\":\"main\",\"type\":\"tag\"}", 200,
	    "%s" POLICIES, r.path));

	/* The same (name, type), byte-exact: 303 to it. */
	http_callf(&res, "POST", r.token, "{\"name\":\"main\",\"type\":\"branch\"}", "%s" POLICIES,
	    r.path);
	ck_assert_int_eq(res.status, 303);
	location = http_header(&res, "Location");
	snprintf(want, sizeof(want), "%s%s" POLICIES "/%lld", env_or_die("DEPLOY_URL"), r.path,
	    main_id);
	ck_assert_str_eq(location, want);
	free(location);
	http_response_release(&res);
	json_decref(http_json("POST", r.token, "{\"name\":\"Main\"}", 200, "%s" POLICIES, r.path));

	expect_invalid(&r, "POST", POLICIES, "{}", "DeploymentBranchPolicy", "name",
	    "missing_field");
	expect_invalid(&r, "POST", POLICIES, "{\"name\":\"\"}", "DeploymentBranchPolicy", "name",
	    "invalid");
	expect_invalid(&r, "POST", POLICIES, "{\"name\":7}", "DeploymentBranchPolicy", "name",
	    "invalid");
	expect_invalid(&r, "POST", POLICIES, "{\"name\":\"x\",\"type\":\"commit\"}",
	    "DeploymentBranchPolicy", "type", "custom");

	p = http_json("GET", r.token, NULL, 200, "%s" POLICIES, r.path);
	ck_assert_int_eq(json_int(p, "total_count"), 4);
	ck_assert_int_eq(json_int(json_array_get(json_object_get(p, "branch_policies"), 0), "id"),
	    main_id);
	json_decref(p);

	p = http_json("GET", r.token, NULL, 200, "%s" POLICIES "/%lld", r.path, tag_id);
	ck_assert_str_eq(json_str(p, "name"), "v*");
	json_decref(p);
	p = http_json("PUT", r.token, "{\"name\":\"v[0-9]*\"}", 200, "%s" POLICIES "/%lld", r.path,
	    tag_id);
	ck_assert_str_eq(json_str(p, "name"), "v[0-9]*");
	ck_assert_str_eq(json_str(p, "type"), "tag");
	json_decref(p);
	/* The name of another policy of its type. */
	{
		char tail[128];

		snprintf(tail, sizeof(tail), POLICIES "/%lld", tag_id);
		expect_invalid(&r, "PUT", tail, "{\"name\":\"main\"}", "DeploymentBranchPolicy",
		    "name", "already_exists");
	}

	ck_assert_int_eq(http_status("DELETE", r.token, NULL, "%s" POLICIES "/%lld", r.path, tag_id),
	    204);
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s" POLICIES "/%lld", r.path, tag_id), 404);
	ck_assert_int_eq(http_status("DELETE", r.token, NULL, "%s" POLICIES "/%lld", r.path, tag_id),
	    404);

	/* Another environment's policy is not this one's. */
	json_decref(put_env(&r, "other", CUSTOM_POLICY, 200));
	ck_assert_int_eq(http_status("GET", r.token, NULL,
	    "%s/environments/other/deployment-branch-policies/%lld", r.path, main_id), 404);
}
END_TEST

START_TEST(branch_policies_are_capped_at_100)
{
	struct test_repo r;
	char body[64];

	repo_new(&r, false);
	json_decref(put_env(&r, "prod", CUSTOM_POLICY, 200));
	for (int i = 0; i < 100; i++) {
		snprintf(body, sizeof(body), "{\"name\":\"b%d\"}", i);
		json_decref(http_json("POST", r.token, body, 200, "%s" POLICIES, r.path));
	}
	expect_message("POST", &r, POLICIES, "{\"name\":\"one-more\"}", 422,
	    "An environment can have at most 100 deployment branch policies.");
	ck_assert_int_eq(sql_int("SELECT count(*) FROM deployment_branch_policies p"
	    " JOIN environments e ON e.id = p.environment_id WHERE e.repository_id = %lld", r.id),
	    100);
}
END_TEST

static void
expect_refused(const struct test_repo *r, const char *body, const char *message)
{
	long long before = rows_of(r, "deployments"), events = rows_of(r, "outbox");
	struct http_response res;

	http_callf(&res, "POST", r->token, body, "%s", r->deployments);
	ck_assert_msg(res.status == 422, "%s: %ld %s", body, res.status, res.body);
	ck_assert_str_eq(message_of(&res), message);
	ck_assert_str_eq(json_str(res.json, "documentation_url"),
	    "https://docs.github.com/rest/deployments/deployments#create-a-deployment");
	http_response_release(&res);
	ck_assert_int_eq(rows_of(r, "deployments"), before);
	ck_assert_int_eq(rows_of(r, "outbox"), events);
}

START_TEST(branch_policies_gate_deployments)
{
	struct test_repo r;
	char before[64], after[64], sha[64], body[256], msg[256];
	long long qa;

	repo_new(&r, false);
	/* The gh CLI recipe. */
	json_decref(put_env(&r, "Production", CUSTOM_POLICY, 200));
	/* No policy yet: nothing may deploy. */
	expect_refused(&r, "{\"ref\":\"main\",\"environment\":\"production\"}",
	    "Branch \"main\" is not allowed to deploy to Production due to environment protection "
	    "rules.");
	json_decref(http_json("POST", r.token, "{\"name\":\"main\"}", 200,
	    "%s/environments/production/deployment-branch-policies", r.path));
	json_decref(http_json("POST", r.token, "{\"name\":\"v*\",\"type\":\"tag\"}", 200,
	    "%s/environments/production/deployment-branch-policies", r.path));
	json_decref(http_json("POST", r.token, "{\"name\":\"release/*\"}", 200,
	    "%s/environments/production/deployment-branch-policies", r.path));

	expect_refused(&r, "{\"ref\":\"feature-x\",\"environment\":\"production\"}",
	    "Branch \"feature-x\" is not allowed to deploy to Production due to environment "
	    "protection rules.");
	json_decref(http_json("POST", r.token, "{\"ref\":\"main\",\"environment\":\"PRODUCTION\"}",
	    201, "%s", r.deployments));
	json_decref(http_json("POST", r.token, "{\"ref\":\"refs/heads/main\"}", 201, "%s",
	    r.deployments));
	json_decref(http_json("POST", r.token, "{\"ref\":\"v1.0\"}", 201, "%s", r.deployments));
	json_decref(http_json("POST", r.token, "{\"ref\":\"release/1.0\",\"auto_merge\":false}", 201,
	    "%s", r.deployments));
	expect_refused(&r, "{\"ref\":\"release/1/2\",\"auto_merge\":false}",
	    "Branch \"release/1/2\" is not allowed to deploy to Production due to environment "
	    "protection rules.");
	/* A tag is judged by the tag policies only. */
	json_decref(http_json("POST", r.token, "{\"name\":\"v1.0-rc\"}", 200,
	    "%s/environments/production/deployment-branch-policies", r.path));
	json_decref(http_json("POST", r.token, "{\"ref\":\"v1.0-rc\"}", 201, "%s", r.deployments));
	sql_exec("DELETE FROM deployment_branch_policies WHERE type = 'tag' AND environment_id IN"
	    " (SELECT id FROM environments WHERE repository_id = %lld)", r.id);
	expect_refused(&r, "{\"ref\":\"refs/tags/v1.0-rc\"}", "Tag \"v1.0-rc\" is not allowed to "
	    "deploy to Production due to environment protection rules.");
	/* A SHA matches no policy. */
	branch_head("main", sha, sizeof(sha));
	snprintf(body, sizeof(body), "{\"ref\":\"%s\"}", sha);
	snprintf(msg, sizeof(msg), "Branch \"%s\" is not allowed to deploy to Production due to "
	    "environment protection rules.", sha);
	expect_refused(&r, body, msg);

	/* Refused before the auto-merge: the branch behind main is untouched. */
	branch_head("behind", before, sizeof(before));
	expect_refused(&r, "{\"ref\":\"behind\"}", "Branch \"behind\" is not allowed to deploy to "
	    "Production due to environment protection rules.");
	branch_head("behind", after, sizeof(after));
	ck_assert_str_eq(before, after);

	/* Other environments are not gated; a status moving a deployment into
	 * a gated one is judged on the deployment's ref. */
	qa = deploy(&r, "feature-x", "qa");
	snprintf(msg, sizeof(msg), "%s/%lld/statuses", r.deployments, qa);
	{
		struct http_response res;

		http_callf(&res, "POST", r.token, "{\"state\":\"success\",\"environment\":\"production\"}",
		    "%s", msg);
		ck_assert_msg(res.status == 422, "%ld %s", res.status, res.body);
		ck_assert_str_eq(message_of(&res), "Branch \"feature-x\" is not allowed to deploy to "
		    "Production due to environment protection rules.");
		http_response_release(&res);
	}
	ck_assert_int_eq(sql_int("SELECT count(*) FROM deployment_statuses WHERE deployment_id = %lld",
	    qa), 0);
	/* Within its own environment, another spelling is no move. */
	status(&r, qa, "{\"state\":\"success\",\"environment\":\"QA\"}");
	status(&r, deploy(&r, "main", "qa"), "{\"state\":\"success\",\"environment\":\"production\"}");

	/* Clearing the policy opens it. */
	json_decref(put_env(&r, "production", "{\"deployment_branch_policy\":null}", 200));
	json_decref(http_json("POST", r.token, "{\"ref\":\"feature-x\",\"auto_merge\":false}", 201,
	    "%s", r.deployments));
}
END_TEST

/* ------------------------------------------------------------------------
 * Concurrency.
 */

/* The i-th request of a race: i == 4 deletes the environment "race", the
 * others deploy to it with their own spelling. */
static void
race_one(int i, void *arg, struct http_response *res)
{
	const struct test_repo *r = arg;
	char path[256];

	if (i == 4) {
		snprintf(path, sizeof(path), "%s/environments/race", r->path);
		http_call(res, "DELETE", path, r->token, NULL, NULL);
		return;
	}
	http_call(res, "POST", r->deployments, r->token, i % 2
	    ? "{\"ref\":\"main\",\"environment\":\"race\",\"auto_merge\":false}"
	    : "{\"ref\":\"main\",\"environment\":\"RACE\",\"auto_merge\":false}", NULL);
}

/* The invariant environments.md's cascade keeps: no deployment names an
 * environment without a record. */
static long long
deployments_without_environment(const struct test_repo *r)
{
	return sql_int("SELECT count(*) FROM deployments d WHERE d.repository_id = %lld"
	    " AND NOT EXISTS (SELECT 1 FROM environments e WHERE e.repository_id = d.repository_id"
	    " AND environment_fold(e.name) = environment_fold(d.environment))", r->id);
}

START_TEST(creates_and_a_delete_race_safely)
{
	enum { N = 12 };
	struct parallel_answer answers[N];
	struct test_repo r;

	repo_new(&r, false);
	/* Parallel first deployments to a new environment make one record. */
	in_parallel(N, race_one, &r, answers);
	for (int i = 0; i < N; i++) {
		if (i != 4)
			ck_assert_int_eq(answers[i].status, 201);
		else  /* before or after the first create made the record */
			ck_assert(answers[i].status == 204 || answers[i].status == 404);
	}
	ck_assert_int_le(env_count(&r), 1);
	ck_assert_int_eq(deployments_without_environment(&r), 0);
	/* Again, with the environment there from the start. */
	(void)deploy(&r, "main", "race");
	in_parallel(N, race_one, &r, answers);
	ck_assert_int_eq(answers[4].status, 204);
	ck_assert_int_le(env_count(&r), 1);
	ck_assert_int_eq(deployments_without_environment(&r), 0);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM deployments WHERE repository_id = %lld", r.id),
	    sql_int("SELECT COALESCE(sum(n), 0) FROM deployment_totals"
	    " WHERE repository_id = %lld AND environment = ''", r.id));
}
END_TEST

/* ------------------------------------------------------------------------
 * Protection rules, unrouted features, permissions.
 */

START_TEST(protection_rules_are_empty)
{
	struct test_repo r;
	json_t *j;

	repo_new(&r, false);
	ck_assert_int_eq(http_status("GET", r.token, NULL,
	    "%s/environments/prod/deployment_protection_rules", r.path), 404);
	json_decref(put_env(&r, "prod", NULL, 200));
	j = http_json("GET", r.token, NULL, 200, "%s/environments/prod/deployment_protection_rules",
	    r.path);
	ck_assert_int_eq(json_int(j, "total_count"), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "custom_deployment_protection_rules")), 0);
	json_decref(j);
	j = http_json("GET", r.token, NULL, 200,
	    "%s/environments/prod/deployment_protection_rules/apps", r.path);
	ck_assert_int_eq(json_int(j, "total_count"), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(j,
	    "available_custom_deployment_protection_rule_integrations")), 0);
	json_decref(j);
	expect_message("POST", &r, "/environments/prod/deployment_protection_rules",
	    "{\"integration_id\":5}", 422,
	    "Custom deployment protection rules are not supported: this server has no GitHub Apps.");
	ck_assert_int_eq(http_status("GET", r.token, NULL,
	    "%s/environments/prod/deployment_protection_rules/1", r.path), 404);
	ck_assert_int_eq(http_status("DELETE", r.token, NULL,
	    "%s/environments/prod/deployment_protection_rules/1", r.path), 404);
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/environments/prod/secrets", r.path),
	    404);
	ck_assert_int_eq(http_status("GET", r.token, NULL, "%s/environments/prod/variables", r.path),
	    404);
}
END_TEST

START_TEST(writes_need_admin_and_say_404)
{
	struct test_repo priv, pub;
	char pusher[40], admin[40], reader[40], login[40];
	char *push_token, *admin_token, *read_token, *dep_token, *h;
	const char *dep_args[] = { "token", "create", NULL, "--scopes", "repo_deployment",
		"--rate-limit", "0", NULL };
	struct http_response res;

	repo_new(&priv, true);
	repo_new(&pub, false);
	push_token = add_collaborator(&priv, "push", pusher);
	admin_token = add_collaborator(&priv, "admin", admin);
	read_token = add_collaborator(&priv, "pull", reader);
	dep_args[2] = priv.owner;
	dep_token = deployctl(dep_args);

	ck_assert_int_eq(http_status("PUT", push_token, NULL, "%s/environments/prod", priv.path),
	    404);
	ck_assert_int_eq(http_status("PUT", read_token, NULL, "%s/environments/prod", priv.path),
	    404);
	ck_assert_int_eq(http_status("PUT", dep_token, NULL, "%s/environments/prod", priv.path), 404);
	ck_assert_int_eq(env_count(&priv), 0);
	http_callf(&res, "PUT", admin_token, NULL, "%s/environments/prod", priv.path);
	ck_assert_int_eq(res.status, 200);
	h = http_header(&res, "X-Accepted-OAuth-Scopes");
	ck_assert_str_eq(h, "repo");
	free(h);
	http_response_release(&res);
	ck_assert_int_eq(http_status("GET", read_token, NULL, "%s/environments/prod", priv.path), 200);
	ck_assert_int_eq(http_status("GET", dep_token, NULL, "%s/environments/prod", priv.path), 404);
	ck_assert_int_eq(http_status("GET", NULL, NULL, "%s/environments", priv.path), 404);
	ck_assert_int_eq(http_status("DELETE", push_token, NULL, "%s/environments/prod", priv.path),
	    404);
	ck_assert_int_eq(env_count(&priv), 1);

	/* Public: anyone reads, even without a token; writing needs one. */
	json_decref(put_env(&pub, "prod", NULL, 200));
	ck_assert_int_eq(http_status("GET", NULL, NULL, "%s/environments/prod", pub.path), 200);
	ck_assert_int_eq(http_status("GET", NULL, NULL, "%s/environments", pub.path), 200);
	ck_assert_int_eq(http_status("PUT", NULL, NULL, "%s/environments/prod", pub.path), 401);
	{
		char *outsider = make_user_with_token("outsider", "repo", login);

		ck_assert_int_eq(http_status("DELETE", outsider, NULL, "%s/environments/prod",
		    pub.path), 404);
		free(outsider);
	}
	free(push_token);
	free(admin_token);
	free(read_token);
	free(dep_token);
}
END_TEST

static Suite *
environments_suite(void)
{
	return suite_of("environments", tcase_of("records", 120, (const TTest *const[]){
		object_in_spec_order, deployments_create_environments_case_insensitively,
		names_are_decoded_once_and_limited, NULL }),
	    tcase_of("put", 120, (const TTest *const[]){
		put_accepts_go_github_and_empty_bodies, put_validates_in_table_order_and_writes_nothing,
		put_settings_omitted_keep_null_clears, put_sets_updated_at, NULL }),
	    tcase_of("get-delete-list", 120, (const TTest *const[]){
		get_missing_is_404_with_the_docs_url, delete_cascades_to_deployments_of_every_spelling,
		deleting_deployments_leaves_the_environment, list_pages_in_creation_order, NULL }),
	    tcase_of("branch-policies", 120, (const TTest *const[]){
		branch_policies_crud, branch_policies_are_capped_at_100,
		branch_policies_gate_deployments, NULL }),
	    tcase_of("stubs-access", 120, (const TTest *const[]){
		protection_rules_are_empty, writes_need_admin_and_say_404,
		creates_and_a_delete_race_safely, NULL }), NULL);
}

int
main(void)
{
	int failed;

	git_make();
	failed = suite_failures(environments_suite());
	git_remove();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
