/*
 * Deployment statuses over real HTTP: create, list, get, validation, the
 * log_url/target_url and environment rules, the inactive cascade case by
 * case, the delete rule with real statuses, concurrency, the outbox and
 * pagination, as the exact semantics settle them (sections "Deployment
 * statuses" and "The inactive cascade").
 *
 * Two modes. By default the stack's deploy-api runs with its default
 * options: the main suite runs, then this program restarts deploy-api with
 * --cascade-skip-production and runs the skip-production suite. With
 * CHECK_STATUSES_MODE=skip-production (run-with-stack.sh check_statuses
 * --cascade-skip-production) the server already has the option and only the
 * skip-production suite runs.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "harness.h"
#include "suite.h"

#define SHA "0123456789abcdef0123456789abcdef01234567"

static const char *const all_states[] = {
	"error", "failure", "inactive", "in_progress", "queued", "pending", "success",
};

/* An owner with one repository, "app" (no git dir: refs are full SHAs),
 * which GET answers with the id it has. */
static void
world_make(struct test_repo *w, bool private_repo)
{
	test_repo_make(w, "st", "app", private_repo, NULL);
	assert_repo_served(w);
}

/* ------------------------------------------------------------------ SQL */

static long long
count_statuses(const struct test_repo *w)
{
	return sql_int("SELECT count(*) FROM deployment_statuses s JOIN deployments d "
	    "ON d.id = s.deployment_id WHERE d.repository_id = %lld", w->id);
}

static long long
count_outbox(const struct test_repo *w)
{
	return sql_int("SELECT count(*) FROM outbox WHERE repository_id = %lld", w->id);
}

static long long
count_outbox_for(long long deployment_id)
{
	return sql_int("SELECT count(*) FROM outbox WHERE event = 'deployment_status' "
	    "AND deployment_id = %lld", deployment_id);
}

/* ----------------------------------------------------------------- HTTP */

/* POST /deployments with ref SHA, environment env and extra members (a JSON
 * fragment such as "\"transient_environment\":true", or NULL). */
static long long
create_deployment(const struct test_repo *w, const char *env, const char *extra)
{
	struct buf path = BUF_INIT, body = BUF_INIT;
	struct http_response r;
	long long id;

	buf_printf(&path, "%s/deployments", w->path);
	buf_printf(&body, "{\"ref\":\"%s\",\"environment\":\"%s\"%s%s}", SHA, env,
	    extra ? "," : "", extra ? extra : "");
	http_call(&r, "POST", path.data, w->token, body.data, NULL);
	ck_assert_msg(r.status == 201, "create deployment %s: %ld %s", body.data, r.status, r.body);
	id = json_int(r.json, "id");
	http_response_release(&r);
	buf_release(&path);
	buf_release(&body);
	return id;
}

/* POST a status; asserts the status code and returns the body (owned). */
static json_t *
post_status_as(const struct test_repo *w, const char *token, long long dep, const char *body,
    long expect)
{
	return http_json("POST", token, body, expect, "%s/deployments/%lld/statuses", w->path, dep);
}

static json_t *
post_status(const struct test_repo *w, long long dep, const char *body, long expect)
{
	return post_status_as(w, w->token, dep, body, expect);
}

/* POST {"state":state}; returns the new status id. */
static long long
add_state(const struct test_repo *w, long long dep, const char *state)
{
	struct buf body = BUF_INIT;
	json_t *s;
	long long id;

	buf_printf(&body, "{\"state\":\"%s\"}", state);
	s = post_status(w, dep, body.data, 201);
	ck_assert_str_eq(json_str(s, "state"), state);
	id = json_int(s, "id");
	json_decref(s);
	buf_release(&body);
	return id;
}

/* Every status of a deployment (at most 100), newest first. */
static json_t *
list_statuses(const struct test_repo *w, long long dep)
{
	json_t *out = http_json("GET", w->token, NULL, 200,
	    "%s/deployments/%lld/statuses?per_page=100", w->path, dep);

	ck_assert(json_is_array(out));
	return out;
}

/* The latest state as the statuses list shows it ("" without statuses). */
static char *
latest_state(const struct test_repo *w, long long dep)
{
	json_t *list = list_statuses(w, dep);
	char *s = xstrdup(json_array_size(list) ? json_str(json_array_get(list, 0), "state") : "");

	json_decref(list);
	return s;
}

static size_t
status_count(const struct test_repo *w, long long dep)
{
	json_t *list = list_statuses(w, dep);
	size_t n = json_array_size(list);

	json_decref(list);
	return n;
}

#define ck_latest(w, dep, expected) do { \
	char *latest_ = latest_state((w), (dep)); \
	ck_assert_msg(strcmp(latest_, (expected)) == 0, "deployment %lld: latest state %s, " \
	    "expected %s", (long long)(dep), latest_, (expected)); \
	free(latest_); \
} while (0)

/* Marks d1 then d2, of one environment, success: d2's success makes d1
 * inactive. */
static void
succeed_in_turn(const struct test_repo *w, long long d1, long long d2)
{
	add_state(w, d1, "success");
	add_state(w, d2, "success");
	ck_latest(w, d1, "inactive");
}

static json_t *
get_deployment(const struct test_repo *w, long long dep)
{
	return http_json("GET", w->token, NULL, 200, "%s/deployments/%lld", w->path, dep);
}

/* ---------------------------------------------------------------- tests */

/* The fields of a status object as the create, list and get answers give
 * them; prefix is "" or "/api/v3". */
static void
check_status_object(const struct test_repo *w, json_t *s, const char *prefix, long long dep,
    const char *state, const char *creator)
{
	struct buf url = BUF_INIT, node = BUF_INIT;
	long long id = json_int(s, "id");
	char *node_id;

	buf_printf(&url, "%s%s%s/deployments/%lld/statuses/%lld", env_or_die("DEPLOY_URL"), prefix,
	    w->path, dep, id);
	ck_assert_str_eq(json_str(s, "url"), url.data);
	buf_printf(&node, "016:DeploymentStatus%lld", id);
	node_id = test_base64(node.data);
	ck_assert_str_eq(json_str(s, "node_id"), node_id);
	free(node_id);
	ck_assert_str_eq(json_str(s, "state"), state);
	ck_assert_str_eq(json_str(json_object_get(s, "creator"), "login"), creator);
	ck_assert_str_eq(json_str(s, "description"), "");
	ck_assert_str_eq(json_str(s, "environment"), "staging");
	ck_assert_str_eq(json_str(s, "target_url"), "");
	ck_assert_str_eq(json_str(s, "log_url"), "");
	ck_assert_str_eq(json_str(s, "environment_url"), "");
	ck_assert_uint_eq(strlen(json_str(s, "created_at")), 20);
	ck_assert_str_eq(json_str(s, "created_at") + 19, "Z");
	ck_assert_str_eq(json_str(s, "updated_at"), json_str(s, "created_at"));
	buf_reset(&url);
	buf_printf(&url, "%s%s%s/deployments/%lld", env_or_die("DEPLOY_URL"), prefix, w->path, dep);
	ck_assert_str_eq(json_str(s, "deployment_url"), url.data);
	buf_reset(&url);
	buf_printf(&url, "%s%s%s", env_or_die("DEPLOY_URL"), prefix, w->path);
	ck_assert_str_eq(json_str(s, "repository_url"), url.data);
	ck_assert(json_is_null(json_object_get(s, "performed_via_github_app")));
	ck_assert_ptr_nonnull(json_object_get(s, "performed_via_github_app"));
	buf_release(&url);
	buf_release(&node);
}

START_TEST(each_state_is_accepted)
{
	struct test_repo w;
	long long dep;

	world_make(&w, false);
	dep = create_deployment(&w, "staging", NULL);
	for (size_t i = 0; i < sizeof(all_states) / sizeof(all_states[0]); i++) {
		const char *prefix = i % 2 ? "/api/v3" : "";
		struct buf path = BUF_INIT, body = BUF_INIT;
		struct http_response r;
		json_t *got;
		char *location;

		buf_printf(&path, "%s%s/deployments/%lld/statuses", prefix, w.path, dep);
		buf_printf(&body, "{\"state\":\"%s\"}", all_states[i]);
		http_call(&r, "POST", path.data, w.token, body.data, NULL);
		ck_assert_msg(r.status == 201, "%s: %ld %s", all_states[i], r.status, r.body);
		check_status_object(&w, r.json, prefix, dep, all_states[i], w.owner);
		location = http_header(&r, "Location");
		ck_assert_ptr_nonnull(location);
		ck_assert_str_eq(location, json_str(r.json, "url"));
		free(location);

		/* GET of the one status gives the same object. */
		got = http_json("GET", w.token, NULL, 200, "%s%s/deployments/%lld/statuses/%lld",
		    prefix, w.path, dep, json_int(r.json, "id"));
		ck_assert(json_equal(got, r.json));
		json_decref(got);
		ck_latest(&w, dep, all_states[i]);
		http_response_release(&r);
		buf_release(&path);
		buf_release(&body);
	}
	ck_assert_uint_eq(status_count(&w, dep), 7);
	/* Six events: none for inactive. */
	ck_assert_int_eq(count_outbox_for(dep), 6);
}
END_TEST

/* Posts body and expects 422 with exactly one error on field (code, and
 * the custom message when code is "custom"); nothing may change. */
static void
expect_invalid(const struct test_repo *w, long long dep, const char *body, const char *field,
    const char *code, const char *message)
{
	long long statuses = count_statuses(w), outbox = count_outbox(w);
	json_t *res = post_status(w, dep, body, 422);
	json_t *errors = json_object_get(res, "errors");
	json_t *e;

	ck_assert_str_eq(json_str(res, "message"), "Validation Failed");
	ck_assert_ptr_nonnull(json_object_get(res, "documentation_url"));
	ck_assert_msg(json_array_size(errors) == 1, "%s: %zu errors", body, json_array_size(errors));
	e = json_array_get(errors, 0);
	ck_assert_str_eq(json_str(e, "resource"), "DeploymentStatus");
	ck_assert_str_eq(json_str(e, "field"), field);
	ck_assert_str_eq(json_str(e, "code"), code);
	if (message)
		ck_assert_str_eq(json_str(e, "message"), message);
	ck_assert_int_eq(count_statuses(w), statuses);
	ck_assert_int_eq(count_outbox(w), outbox);
	json_decref(res);
}

START_TEST(validation_errors_change_nothing)
{
	struct test_repo w;
	long long dep;
	json_t *dbefore, *dafter, *res;
	long long statuses, outbox;
	const char *const bad_state[] = {
		"{\"state\":\"done\"}", "{\"state\":\"SUCCESS\"}", "{\"state\":\"\"}",
		"{\"state\":5}", "{\"state\":true}", "{\"state\":[\"success\"]}",
	};

	world_make(&w, false);
	dep = create_deployment(&w, "staging", NULL);
	add_state(&w, dep, "success");
	dbefore = get_deployment(&w, dep);

	/* The exact error of an unknown state, the whole body. */
	res = post_status(&w, dep, "{\"state\":\"done\"}", 422);
	{
		json_t *expected = json_pack("[{s:s, s:s, s:s, s:s}]", "resource", "DeploymentStatus",
		    "field", "state", "code", "custom", "message", "state is not included in the list");

		ck_assert(json_equal(json_object_get(res, "errors"), expected));
		json_decref(expected);
	}
	json_decref(res);

	for (size_t i = 0; i < sizeof(bad_state) / sizeof(bad_state[0]); i++)
		expect_invalid(&w, dep, bad_state[i], "state", "custom",
		    "state is not included in the list");
	expect_invalid(&w, dep, "{}", "state", "missing_field", NULL);
	expect_invalid(&w, dep, "{\"description\":\"no state\"}", "state", "missing_field", NULL);

	/* Wrong types for every other field. */
	expect_invalid(&w, dep, "{\"state\":\"success\",\"description\":5}", "description",
	    "invalid", NULL);
	expect_invalid(&w, dep, "{\"state\":\"success\",\"description\":{}}", "description",
	    "invalid", NULL);
	expect_invalid(&w, dep, "{\"state\":\"success\",\"target_url\":5}", "target_url",
	    "invalid", NULL);
	expect_invalid(&w, dep, "{\"state\":\"success\",\"log_url\":[]}", "log_url", "invalid", NULL);
	expect_invalid(&w, dep, "{\"state\":\"success\",\"environment\":{}}", "environment",
	    "invalid", NULL);
	expect_invalid(&w, dep, "{\"state\":\"success\",\"environment_url\":true}",
	    "environment_url", "invalid", NULL);
	expect_invalid(&w, dep, "{\"state\":\"success\",\"auto_inactive\":\"yes\"}", "auto_inactive",
	    "invalid", NULL);
	expect_invalid(&w, dep, "{\"state\":\"success\",\"auto_inactive\":1}", "auto_inactive",
	    "invalid", NULL);

	/* Not a JSON object at all: 400, nothing written either. */
	statuses = count_statuses(&w);
	outbox = count_outbox(&w);
	res = post_status(&w, dep, "[\"success\"]", 400);
	ck_assert_str_eq(json_str(res, "message"), "Body should be a JSON object");
	json_decref(res);
	res = post_status(&w, dep, "{\"state\":", 400);
	ck_assert_str_eq(json_str(res, "message"), "Problems parsing JSON");
	json_decref(res);
	ck_assert_int_eq(count_statuses(&w), statuses);
	ck_assert_int_eq(count_outbox(&w), outbox);

	/* The deployment is as it was. */
	dafter = get_deployment(&w, dep);
	ck_assert(json_equal(dbefore, dafter));
	ck_latest(&w, dep, "success");
	ck_assert_uint_eq(status_count(&w, dep), 1);
	json_decref(dbefore);
	json_decref(dafter);
}
END_TEST

START_TEST(description_counts_characters)
{
	struct test_repo w;
	long long dep, statuses, outbox;
	/* 2, 3 and 4 bytes per character. */
	const char *const pieces[] = { "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x9a\x80" };
	struct buf d140 = BUF_INIT, body = BUF_INIT;
	json_t *res, *list;

	world_make(&w, false);
	dep = create_deployment(&w, "staging", NULL);
	for (int i = 0; i < 140; i++)
		buf_puts(&d140, pieces[i % 3]);
	buf_printf(&body, "{\"state\":\"pending\",\"description\":\"%s\"}", d140.data);
	res = post_status(&w, dep, body.data, 201);
	ck_assert_str_eq(json_str(res, "description"), d140.data);
	json_decref(res);
	list = list_statuses(&w, dep);
	ck_assert_str_eq(json_str(json_array_get(list, 0), "description"), d140.data);
	json_decref(list);

	/* One more character: refused, never truncated. */
	buf_reset(&body);
	buf_printf(&body, "{\"state\":\"pending\",\"description\":\"%sx\"}", d140.data);
	expect_invalid(&w, dep, body.data, "description", "custom",
	    "description is too long (maximum is 140 characters)");
	buf_reset(&body);
	buf_printf(&body, "{\"state\":\"pending\",\"description\":\"%s%s\"}", d140.data, pieces[2]);
	expect_invalid(&w, dep, body.data, "description", "custom",
	    "description is too long (maximum is 140 characters)");

	/* 140 ASCII characters pass, 141 do not; null is the default "". */
	statuses = count_statuses(&w);
	outbox = count_outbox(&w);
	buf_reset(&d140);
	for (int i = 0; i < 140; i++)
		buf_putc(&d140, 'a');
	buf_reset(&body);
	buf_printf(&body, "{\"state\":\"pending\",\"description\":\"%s\"}", d140.data);
	json_decref(post_status(&w, dep, body.data, 201));
	buf_reset(&body);
	buf_printf(&body, "{\"state\":\"pending\",\"description\":\"%sa\"}", d140.data);
	expect_invalid(&w, dep, body.data, "description", "custom",
	    "description is too long (maximum is 140 characters)");
	res = post_status(&w, dep, "{\"state\":\"pending\",\"description\":null}", 201);
	ck_assert_str_eq(json_str(res, "description"), "");
	json_decref(res);
	ck_assert_int_eq(count_statuses(&w), statuses + 2);
	ck_assert_int_eq(count_outbox(&w), outbox + 2);
	buf_release(&d140);
	buf_release(&body);
}
END_TEST

START_TEST(log_url_and_target_url_fill_each_other)
{
	struct test_repo w;
	long long dep;
	json_t *res, *list;
	struct {
		const char *body, *expect;
	} cases[] = {
		{ "{\"state\":\"pending\",\"target_url\":\"https://ci.example/t\"}", "https://ci.example/t" },
		{ "{\"state\":\"pending\",\"log_url\":\"https://ci.example/l\"}", "https://ci.example/l" },
		{ "{\"state\":\"pending\",\"target_url\":\"https://ci.example/t2\","
		  "\"log_url\":\"https://ci.example/l2\"}", "https://ci.example/l2" },
		{ "{\"state\":\"pending\",\"log_url\":\"https://ci.example/l3\","
		  "\"target_url\":\"https://ci.example/t3\"}", "https://ci.example/l3" },
		{ "{\"state\":\"pending\"}", "" },
	};

	world_make(&w, false);
	dep = create_deployment(&w, "staging", NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		res = post_status(&w, dep, cases[i].body, 201);
		ck_assert_msg(strcmp(json_str(res, "target_url"), cases[i].expect) == 0 &&
		    strcmp(json_str(res, "log_url"), cases[i].expect) == 0,
		    "%s gave target_url %s, log_url %s", cases[i].body, json_str(res, "target_url"),
		    json_str(res, "log_url"));
		json_decref(res);
		/* As stored. */
		list = list_statuses(&w, dep);
		ck_assert_str_eq(json_str(json_array_get(list, 0), "target_url"), cases[i].expect);
		ck_assert_str_eq(json_str(json_array_get(list, 0), "log_url"), cases[i].expect);
		json_decref(list);
	}
	res = post_status(&w, dep, "{\"state\":\"pending\",\"environment_url\":\"https://app.example\"}",
	    201);
	ck_assert_str_eq(json_str(res, "environment_url"), "https://app.example");
	json_decref(res);
}
END_TEST

START_TEST(environment_moves_the_deployment)
{
	struct test_repo w;
	long long dep;
	json_t *res, *d, *list;
	bool found = false;

	world_make(&w, false);
	dep = create_deployment(&w, "staging", NULL);
	res = post_status(&w, dep, "{\"state\":\"in_progress\",\"environment\":\"qa\"}", 201);
	ck_assert_str_eq(json_str(res, "environment"), "qa");
	d = get_deployment(&w, dep);
	ck_assert_str_eq(json_str(d, "environment"), "qa");
	ck_assert_str_eq(json_str(d, "original_environment"), "staging");
	/* The deployment's updated_at is the status's created_at. */
	ck_assert_str_eq(json_str(d, "updated_at"), json_str(res, "created_at"));
	json_decref(d);
	json_decref(res);

	/* Without environment, a status takes the current one. */
	sleep(1);
	res = post_status(&w, dep, "{\"state\":\"success\"}", 201);
	ck_assert_str_eq(json_str(res, "environment"), "qa");
	d = get_deployment(&w, dep);
	ck_assert_str_eq(json_str(d, "updated_at"), json_str(res, "created_at"));
	ck_assert_str_ne(json_str(d, "updated_at"), json_str(d, "created_at"));
	json_decref(d);
	json_decref(res);

	/* The list filter sees the current environment. */
	list = http_json("GET", w.token, NULL, 200, "%s/deployments?environment=qa", w.path);
	for (size_t i = 0; i < json_array_size(list); i++)
		found |= json_int(json_array_get(list, i), "id") == dep;
	ck_assert(found);
	json_decref(list);

	/* Another move; original_environment keeps the first. */
	json_decref(post_status(&w, dep, "{\"state\":\"pending\",\"environment\":\"prod-eu\"}", 201));
	d = get_deployment(&w, dep);
	ck_assert_str_eq(json_str(d, "environment"), "prod-eu");
	ck_assert_str_eq(json_str(d, "original_environment"), "staging");
	json_decref(d);
}
END_TEST

/* Same environment: the prior success becomes inactive, with a new status
 * copying its urls, description "", the creator of the new status. */
START_TEST(cascade_same_environment)
{
	struct test_repo w;
	char pusher[40];
	char *pusher_token;
	long long d1, d2, s1, s2, outbox;
	json_t *res, *list, *inactive, *first;

	world_make(&w, false);
	pusher_token = add_collaborator(&w, "push", pusher);
	d1 = create_deployment(&w, "staging", NULL);
	d2 = create_deployment(&w, "staging", NULL);
	res = post_status(&w, d1, "{\"state\":\"success\",\"log_url\":\"https://ci.example/1\","
	    "\"environment_url\":\"https://staging.example/1\",\"description\":\"deployed 1\"}", 201);
	s1 = json_int(res, "id");
	json_decref(res);
	/* A non-success state on another deployment cascades nothing. */
	json_decref(post_status(&w, d2, "{\"state\":\"in_progress\"}", 201));
	ck_latest(&w, d1, "success");
	outbox = count_outbox(&w);

	res = post_status_as(&w, pusher_token, d2, "{\"state\":\"success\","
	    "\"log_url\":\"https://ci.example/2\"}", 201);
	s2 = json_int(res, "id");
	ck_assert_str_eq(json_str(json_object_get(res, "creator"), "login"), pusher);
	ck_latest(&w, d2, "success");
	ck_latest(&w, d1, "inactive");

	list = list_statuses(&w, d1);
	ck_assert_uint_eq(json_array_size(list), 2);
	inactive = json_array_get(list, 0);
	first = json_array_get(list, 1);
	ck_assert_int_eq(json_int(first, "id"), s1);
	ck_assert_int_gt(json_int(inactive, "id"), s2);
	ck_assert_str_eq(json_str(inactive, "state"), "inactive");
	ck_assert_str_eq(json_str(inactive, "description"), "");
	ck_assert_str_eq(json_str(inactive, "log_url"), "https://ci.example/1");
	ck_assert_str_eq(json_str(inactive, "target_url"), "https://ci.example/1");
	ck_assert_str_eq(json_str(inactive, "environment_url"), "https://staging.example/1");
	ck_assert_str_eq(json_str(inactive, "environment"), "staging");
	ck_assert_str_eq(json_str(json_object_get(inactive, "creator"), "login"), pusher);
	ck_assert_str_eq(json_str(inactive, "created_at"), json_str(res, "created_at"));
	json_decref(list);
	json_decref(res);

	/* One event: D2's success; none for the cascaded inactive status. */
	ck_assert_int_eq(count_outbox(&w), outbox + 1);
	ck_assert_int_eq(count_outbox_for(d1), 1);
	free(pusher_token);
}
END_TEST

START_TEST(cascade_spares_other_environments)
{
	struct test_repo w;
	long long d1, d2, d3;

	world_make(&w, false);
	d1 = create_deployment(&w, "staging", NULL);
	d2 = create_deployment(&w, "qa", NULL);
	add_state(&w, d1, "success");
	add_state(&w, d2, "success");
	ck_latest(&w, d1, "success");
	ck_assert_uint_eq(status_count(&w, d1), 1);

	/* The environment that counts is the one after the status: moving D3
	 * into staging with a success inactivates D1 ... */
	d3 = create_deployment(&w, "review", NULL);
	json_decref(post_status(&w, d3, "{\"state\":\"success\",\"environment\":\"staging\"}", 201));
	ck_latest(&w, d1, "inactive");
	ck_latest(&w, d2, "success");
	ck_latest(&w, d3, "success");
	/* ... and a deployment that left qa is not qa's any more. */
	json_decref(post_status(&w, d2, "{\"state\":\"success\",\"environment\":\"elsewhere\"}", 201));
	{
		long long d4 = create_deployment(&w, "qa", NULL);

		add_state(&w, d4, "success");
		ck_latest(&w, d2, "success");
		ck_assert_uint_eq(status_count(&w, d2), 2);
	}
}
END_TEST

START_TEST(cascade_spares_transient_deployments)
{
	struct test_repo w;
	long long d1, d2, d3;

	world_make(&w, false);
	d1 = create_deployment(&w, "staging", "\"transient_environment\":true");
	d2 = create_deployment(&w, "staging", NULL);
	add_state(&w, d1, "success");
	add_state(&w, d2, "success");
	ck_latest(&w, d1, "success");
	ck_assert_uint_eq(status_count(&w, d1), 1);

	/* A transient deployment's own success still inactivates others. */
	d3 = create_deployment(&w, "staging", "\"transient_environment\":true");
	add_state(&w, d3, "success");
	ck_latest(&w, d2, "inactive");
	ck_latest(&w, d1, "success");
}
END_TEST

START_TEST(transient_deployment_marked_inactive)
{
	struct test_repo w;
	long long d, outbox;
	json_t *list;

	world_make(&w, false);
	d = create_deployment(&w, "pr-42", "\"transient_environment\":true");
	add_state(&w, d, "success");
	outbox = count_outbox(&w);
	add_state(&w, d, "inactive");
	ck_latest(&w, d, "inactive");
	list = list_statuses(&w, d);
	ck_assert_uint_eq(json_array_size(list), 2);
	ck_assert_str_eq(json_str(json_array_get(list, 1), "state"), "success");
	json_decref(list);
	/* No event for an inactive status. */
	ck_assert_int_eq(count_outbox(&w), outbox);
}
END_TEST

/* Production deployments (production_environment true) are cascaded by
 * default: GitHub's behaviour since 2018. */
START_TEST(cascade_includes_production_by_default)
{
	struct test_repo w;
	long long d1, d2, d3, d4;
	json_t *d;

	world_make(&w, false);
	d1 = create_deployment(&w, "production", NULL);
	d = get_deployment(&w, d1);
	ck_assert(json_is_true(json_object_get(d, "production_environment")));
	json_decref(d);
	d2 = create_deployment(&w, "production", NULL);
	succeed_in_turn(&w, d1, d2);
	ck_latest(&w, d2, "success");

	/* An explicit production_environment in another environment too. */
	d3 = create_deployment(&w, "eu", "\"production_environment\":true");
	d4 = create_deployment(&w, "eu", NULL);
	succeed_in_turn(&w, d3, d4);
}
END_TEST

START_TEST(cascade_spares_failed_deployments)
{
	struct test_repo w;
	long long d1, d2, d3;

	world_make(&w, false);
	d1 = create_deployment(&w, "staging", NULL);
	d2 = create_deployment(&w, "staging", NULL);
	d3 = create_deployment(&w, "staging", NULL);
	add_state(&w, d1, "success");
	add_state(&w, d1, "failure");
	add_state(&w, d3, "error");
	add_state(&w, d2, "success");
	ck_latest(&w, d1, "failure");
	ck_assert_uint_eq(status_count(&w, d1), 2);
	ck_latest(&w, d3, "error");
	ck_assert_uint_eq(status_count(&w, d3), 1);
	ck_latest(&w, d2, "success");
}
END_TEST

START_TEST(cascade_off_with_auto_inactive_false)
{
	struct test_repo w;
	long long d1, d2, d3, outbox;

	world_make(&w, false);
	d1 = create_deployment(&w, "staging", NULL);
	d2 = create_deployment(&w, "staging", NULL);
	d3 = create_deployment(&w, "staging", NULL);
	add_state(&w, d1, "success");
	outbox = count_outbox(&w);
	json_decref(post_status(&w, d2, "{\"state\":\"success\",\"auto_inactive\":false}", 201));
	ck_latest(&w, d1, "success");
	ck_latest(&w, d2, "success");
	ck_assert_uint_eq(status_count(&w, d1), 1);
	ck_assert_int_eq(count_outbox(&w), outbox + 1);
	/* auto_inactive true (explicit) cascades both. */
	json_decref(post_status(&w, d3, "{\"state\":\"success\",\"auto_inactive\":true}", 201));
	ck_latest(&w, d1, "inactive");
	ck_latest(&w, d2, "inactive");
	ck_latest(&w, d3, "success");
}
END_TEST

/* Re-marking an older deployment success makes the newer one inactive. */
START_TEST(cascade_rollback)
{
	struct test_repo w;
	long long d1, d2;
	json_t *list;

	world_make(&w, false);
	d1 = create_deployment(&w, "staging", NULL);
	d2 = create_deployment(&w, "staging", NULL);
	succeed_in_turn(&w, d1, d2);
	add_state(&w, d1, "success");
	ck_latest(&w, d2, "inactive");
	ck_latest(&w, d1, "success");
	list = list_statuses(&w, d1);
	ck_assert_uint_eq(json_array_size(list), 3);
	json_decref(list);
	/* Not recursive: D1's rollback gave D2 exactly one inactive status. */
	ck_assert_uint_eq(status_count(&w, d2), 2);
	/* Success again on the active deployment: nothing to cascade, and
	 * never onto itself. */
	add_state(&w, d1, "success");
	ck_latest(&w, d1, "success");
	ck_assert_uint_eq(status_count(&w, d1), 4);
	ck_assert_uint_eq(status_count(&w, d2), 2);
}
END_TEST

START_TEST(delete_rule_with_statuses)
{
	struct test_repo w;
	long long d1, d2, d3;
	json_t *res, *errors;
	struct http_response r;

	world_make(&w, false);
	d1 = create_deployment(&w, "staging", NULL);
	d2 = create_deployment(&w, "staging", NULL);
	d3 = create_deployment(&w, "staging", NULL);
	succeed_in_turn(&w, d1, d2);

	/* D1 is inactive: deletable, its statuses go with it. */
	http_callf(&r, "DELETE", w.token, NULL, "%s/deployments/%lld", w.path, d1);
	ck_assert_int_eq(r.status, 204);
	ck_assert_uint_eq(r.body_len, 0);
	http_response_release(&r);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM deployment_statuses WHERE deployment_id = %lld",
	    d1), 0);
	ck_assert_int_eq(http_status("GET", w.token, NULL, "%s/deployments/%lld/statuses", w.path,
	    d1), 404);

	/* D2 is active and not alone in staging (D3 has no status): 422. */
	res = http_json("DELETE", w.token, NULL, 422, "%s/deployments/%lld", w.path, d2);
	errors = json_pack("[s]", "We cannot delete an active deployment unless it is the only "
	    "deployment in a given environment.");
	ck_assert(json_equal(json_object_get(res, "errors"), errors));
	ck_assert_str_eq(json_str(res, "message"), "Validation Failed");
	json_decref(errors);
	json_decref(res);
	ck_latest(&w, d2, "success");

	/* D3 (no statuses, not active) can go; then D2 is alone and can go. */
	ck_assert_int_eq(http_status("DELETE", w.token, NULL, "%s/deployments/%lld", w.path, d3), 204);
	ck_assert_int_eq(http_status("DELETE", w.token, NULL, "%s/deployments/%lld", w.path, d2), 204);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM deployment_statuses WHERE deployment_id = %lld",
	    d2), 0);
}
END_TEST

/* One status as read back for the replay. */
struct seen_status {
	long long id;
	long long deployment;   /* an index into the test's deployments */
	char state[16];
	char env[32];
};

static int
by_id(const void *a, const void *b)
{
	const struct seen_status *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* What post_in_parallel() posts: bodies[i] to deployment targets[i]. */
struct parallel_statuses {
	const struct test_repo *w;
	const long long *targets;
	char *const *bodies;
};

static void
post_one_status(int i, void *arg, struct http_response *r)
{
	const struct parallel_statuses *p = arg;
	struct buf path = BUF_INIT;

	buf_printf(&path, "%s/deployments/%lld/statuses", p->w->path, p->targets[i]);
	http_call(r, "POST", path.data, p->w->token, p->bodies[i], NULL);
	if (r->status != 201)
		fprintf(stderr, "parallel POST %s %s: %ld %s\n", path.data, p->bodies[i], r->status,
		    r->body);
	buf_release(&path);
}

/* Posts bodies[i] to the statuses of deployment targets[i], all at once:
 * one process each, released together. Asserts every answer is 201. */
static void
post_in_parallel(const struct test_repo *w, const long long *targets, char *const *bodies, int n)
{
	struct parallel_statuses p = { w, targets, bodies };
	struct parallel_answer *answers = xcalloc((size_t)n, sizeof(*answers));

	in_parallel(n, post_one_status, &p, answers);
	for (int i = 0; i < n; i++)
		ck_assert_msg(answers[i].status == 201, "parallel request %d (%s) did not get 201", i,
		    bodies[i]);
	free(answers);
}

/* Every status of deps[0..n), sorted by id; lists[i] keeps deps[i]'s list
 * (newest first) for the caller to release. */
static struct seen_status *
collect_statuses(const struct test_repo *w, const long long *deps, int n, json_t **lists,
    size_t *count)
{
	struct seen_status *all = NULL;
	size_t nall = 0;

	for (int i = 0; i < n; i++) {
		json_t *list = lists[i] = list_statuses(w, deps[i]);
		size_t len = json_array_size(list);

		for (size_t j = 0; j + 1 < len; j++)
			ck_assert_int_gt(json_int(json_array_get(list, j), "id"),
			    json_int(json_array_get(list, j + 1), "id"));
		all = xrealloc(all, (nall + len + 1) * sizeof(*all));
		for (size_t j = 0; j < len; j++) {
			json_t *st = json_array_get(list, j);

			all[nall].id = json_int(st, "id");
			all[nall].deployment = i;
			snprintf(all[nall].state, sizeof(all[nall].state), "%s", json_str(st, "state"));
			snprintf(all[nall].env, sizeof(all[nall].env), "%s", json_str(st, "environment"));
			nall++;
		}
	}
	qsort(all, nall, sizeof(*all), by_id);
	*count = nall;
	return all;
}

#define PARALLEL_DEPLOYMENTS 10
#define PARALLEL_STATUSES 50

START_TEST(concurrent_successes_leave_one_active)
{
	struct test_repo w;
	long long deps[PARALLEL_DEPLOYMENTS], targets[PARALLEL_STATUSES];
	char *bodies[PARALLEL_STATUSES];
	struct seen_status *all;
	size_t nall = 0, nsuccess = 0, active = 0;
	const char *latest[PARALLEL_DEPLOYMENTS];
	const char *replayed[PARALLEL_DEPLOYMENTS];
	long long last_success_id = 0, last_success_dep = 0;
	struct buf expected = BUF_INIT;
	char *events;
	json_t *lists[PARALLEL_DEPLOYMENTS];

	world_make(&w, false);
	for (int i = 0; i < PARALLEL_DEPLOYMENTS; i++)
		deps[i] = create_deployment(&w, "staging", NULL);
	for (int i = 0; i < PARALLEL_STATUSES; i++) {
		targets[i] = deps[i % PARALLEL_DEPLOYMENTS];
		bodies[i] = (char *)"{\"state\":\"success\",\"log_url\":\"https://ci.example/p\"}";
	}
	post_in_parallel(&w, targets, bodies, PARALLEL_STATUSES);

	/* (a) at most one deployment has latest state success, as each
	 * statuses list (newest first) shows it. */
	all = collect_statuses(&w, deps, PARALLEL_DEPLOYMENTS, lists, &nall);
	for (int i = 0; i < PARALLEL_DEPLOYMENTS; i++) {
		ck_assert_uint_gt(json_array_size(lists[i]), 0);
		latest[i] = json_str(json_array_get(lists[i], 0), "state");
		active += strcmp(latest[i], "success") == 0;
	}
	ck_assert_msg(active <= 1, "%zu deployments of one environment are active", active);

	/* (b) replaying the rule over every status in id order gives exactly
	 * the latest states observed: each success makes every other
	 * deployment whose latest state is success inactive, through one
	 * inactive status each, before any later status. */
	for (int i = 0; i < PARALLEL_DEPLOYMENTS; i++)
		replayed[i] = "";
	for (size_t k = 0; k < nall; k++) {
		const struct seen_status *s = &all[k];

		if (strcmp(s->state, "success") == 0) {
			size_t expected_inactive = 0, j;

			nsuccess++;
			last_success_id = s->id;
			last_success_dep = s->deployment;
			replayed[s->deployment] = "success";
			for (int i = 0; i < PARALLEL_DEPLOYMENTS; i++)
				expected_inactive += i != s->deployment &&
				    strcmp(replayed[i], "success") == 0;
			/* The next expected_inactive statuses are those. */
			for (j = 0; j < expected_inactive; j++) {
				const struct seen_status *t = &all[k + 1 + j];

				ck_assert_msg(k + 1 + j < nall, "missing cascaded statuses");
				ck_assert_msg(strcmp(t->state, "inactive") == 0,
				    "status %lld (%s) follows success %lld, which should have "
				    "inactivated %zu deployments first", t->id, t->state, s->id,
				    expected_inactive);
				ck_assert_msg(strcmp(replayed[t->deployment], "success") == 0 &&
				    t->deployment != s->deployment,
				    "status %lld made a deployment inactive that was not active",
				    t->id);
				replayed[t->deployment] = "inactive";
			}
			k += j;
		} else {
			ck_assert_msg(0, "status %lld is %s: only the cascade writes other states "
			    "here", s->id, s->state);
		}
	}
	ck_assert_uint_eq(nsuccess, PARALLEL_STATUSES);
	for (int i = 0; i < PARALLEL_DEPLOYMENTS; i++)
		ck_assert_msg(strcmp(replayed[i], latest[i]) == 0,
		    "deployment %d: replay gives %s, observed %s", i, replayed[i], latest[i]);
	ck_assert_uint_eq(active, 1);
	/* The only active one is the deployment of the last success. */
	ck_assert_str_eq(latest[last_success_dep], "success");
	ck_assert_int_eq(json_int(json_array_get(lists[last_success_dep], 0), "id"), last_success_id);
	/* 50 successes over 10 deployments cascade at least 9 times. */
	ck_assert_uint_ge(nall, PARALLEL_STATUSES + PARALLEL_DEPLOYMENTS - 1);

	/* The outbox: one deployment_status event per non-inactive status, in
	 * id order, carrying that status; none for the inactive ones. */
	for (size_t k = 0; k < nall; k++)
		if (strcmp(all[k].state, "inactive") != 0)
			buf_printf(&expected, "%lld|%lld|%s\n", all[k].id, deps[all[k].deployment],
			    all[k].state);
	events = sql_rows("SELECT status_id, deployment_id, event_values->'status'->>'state'"
	    " FROM outbox WHERE repository_id = %lld AND event = 'deployment_status' ORDER BY id",
	    w.id);
	ck_assert_str_eq(events, expected.data);
	free(events);
	ck_assert_int_eq(count_outbox(&w) - PARALLEL_DEPLOYMENTS, PARALLEL_STATUSES);

	for (int i = 0; i < PARALLEL_DEPLOYMENTS; i++)
		json_decref(lists[i]);
	free(all);
	buf_release(&expected);
}
END_TEST

#define MOVING_DEPLOYMENTS 8
#define MOVING_STATUSES 48

/* Successes in parallel that also move deployments between two
 * environments (and so race with each other's environment changes): each
 * environment still ends with at most one active deployment, and replaying
 * the rule in id order, following each deployment's environment, gives
 * exactly what is observed. */
START_TEST(concurrent_moves_keep_one_active_per_environment)
{
	static const char *const envs[] = { "staging", "qa" };
	static const char *const body_for[] = {
		"{\"state\":\"success\"}",
		"{\"state\":\"success\",\"environment\":\"staging\"}",
		"{\"state\":\"success\",\"environment\":\"qa\"}",
	};
	struct test_repo w;
	long long deps[MOVING_DEPLOYMENTS], targets[MOVING_STATUSES];
	char *bodies[MOVING_STATUSES];
	json_t *lists[MOVING_DEPLOYMENTS];
	const char *env[MOVING_DEPLOYMENTS], *state[MOVING_DEPLOYMENTS];
	bool pending[MOVING_DEPLOYMENTS];
	struct seen_status *all;
	size_t nall, non_inactive = 0;
	struct buf expected = BUF_INIT;
	char *events;

	world_make(&w, false);
	for (int i = 0; i < MOVING_DEPLOYMENTS; i++) {
		deps[i] = create_deployment(&w, "staging", NULL);
		env[i] = "staging";
		state[i] = "";
		pending[i] = false;
	}
	for (int i = 0; i < MOVING_STATUSES; i++) {
		targets[i] = deps[i % MOVING_DEPLOYMENTS];
		bodies[i] = (char *)body_for[(i / MOVING_DEPLOYMENTS) % 3];
	}
	post_in_parallel(&w, targets, bodies, MOVING_STATUSES);

	/* pending[x]: a success has been replayed that must make x inactive,
	 * and x's inactive status has not been seen yet. Until it is, no
	 * status may touch x's environment (the cascade holds its lock). */
	all = collect_statuses(&w, deps, MOVING_DEPLOYMENTS, lists, &nall);
	for (size_t k = 0; k < nall; k++) {
		const struct seen_status *s = &all[k];
		int d = (int)s->deployment;

		if (strcmp(s->state, "inactive") == 0) {
			ck_assert_msg(pending[d], "status %lld made deployment %d inactive, which the "
			    "rule does not", s->id, d);
			ck_assert_str_eq(s->env, env[d]);
			pending[d] = false;
			state[d] = "inactive";
			continue;
		}
		ck_assert_str_eq(s->state, "success");
		non_inactive++;
		for (int x = 0; x < MOVING_DEPLOYMENTS; x++)
			ck_assert_msg(!pending[x] || (strcmp(env[x], env[d]) != 0 &&
			    strcmp(env[x], s->env) != 0),
			    "status %lld (deployment %d, %s -> %s) came before deployment %d's "
			    "cascaded inactive status", s->id, d, env[d], s->env, x);
		env[d] = strcmp(s->env, "qa") == 0 ? envs[1] : envs[0];
		state[d] = "success";
		for (int x = 0; x < MOVING_DEPLOYMENTS; x++)
			if (x != d && strcmp(env[x], env[d]) == 0 && strcmp(state[x], "success") == 0)
				pending[x] = true;
	}
	ck_assert_uint_eq(non_inactive, MOVING_STATUSES);
	for (int e = 0; e < 2; e++) {
		size_t active = 0;

		for (int i = 0; i < MOVING_DEPLOYMENTS; i++) {
			json_t *d = get_deployment(&w, deps[i]);

			ck_assert_msg(!pending[i], "deployment %d never got its inactive status", i);
			ck_assert_str_eq(json_str(json_array_get(lists[i], 0), "state"), state[i]);
			ck_assert_str_eq(json_str(d, "environment"), env[i]);
			if (strcmp(env[i], envs[e]) == 0 && strcmp(state[i], "success") == 0)
				active++;
			json_decref(d);
		}
		ck_assert_msg(active <= 1, "%zu active deployments in %s", active, envs[e]);
	}

	/* One event per success, none for the inactive statuses. */
	for (size_t k = 0; k < nall; k++)
		if (strcmp(all[k].state, "inactive") != 0)
			buf_printf(&expected, "%lld\n", all[k].id);
	events = sql_rows("SELECT status_id FROM outbox "
	    "WHERE repository_id = %lld AND event = 'deployment_status' ORDER BY status_id", w.id);
	ck_assert_str_eq(events, expected.data);
	free(events);
	for (int i = 0; i < MOVING_DEPLOYMENTS; i++)
		json_decref(lists[i]);
	free(all);
	buf_release(&expected);
}
END_TEST

/* The outbox rows of statuses: one per status but the inactive ones, in
 * order, each with the values its body is rendered from at fan-out
 * (sql/0014; the body itself: check_dispatch's test_event_values_of_their_time). */
START_TEST(outbox_events_follow_statuses)
{
	struct test_repo w;
	long long d1, d2, s[5];
	char *rows;
	struct buf expected = BUF_INIT;
	json_t *values, *st, *dep, *res;
	char *text;

	world_make(&w, false);
	d1 = create_deployment(&w, "staging", NULL);
	d2 = create_deployment(&w, "staging", NULL);
	s[0] = add_state(&w, d1, "queued");
	s[1] = add_state(&w, d1, "success");
	s[2] = add_state(&w, d2, "in_progress");
	res = post_status(&w, d2, "{\"state\":\"success\",\"environment\":\"prod-eu\","
	    "\"log_url\":\"https://ci.example/x\"}", 201);
	s[3] = json_int(res, "id");
	s[4] = add_state(&w, d2, "inactive");
	ck_latest(&w, d1, "success");   /* D2 left staging before its success */
	buf_printf(&expected, "%lld|created|%lld\n%lld|created|%lld\n%lld|created|%lld\n"
	    "%lld|created|%lld\n", s[0], d1, s[1], d1, s[2], d2, s[3], d2);
	rows = sql_rows("SELECT status_id, action, deployment_id FROM outbox "
	    "WHERE repository_id = %lld AND event = 'deployment_status' ORDER BY id", w.id);
	ck_assert_str_eq(rows, expected.data);
	free(rows);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox WHERE repository_id = %lld AND "
	    "(event_values->'status'->>'state') = 'inactive'", w.id), 0);
	(void)s[4];

	/* The values of D2's success event: the status and the deployment as
	 * the status left them; sender and base URLs beside them. */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM outbox o JOIN users u ON u.id = o.sender_id"
	    " WHERE o.status_id = %lld AND u.login = '%s' AND o.payload IS NULL"
	    " AND o.api_url IS NOT NULL AND o.web_url IS NOT NULL", s[3], w.owner), 1);
	text = sql_text("SELECT event_values::text FROM outbox WHERE status_id = %lld", s[3]);
	values = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(values);
	free(text);
	st = json_object_get(values, "status");
	ck_assert_str_eq(json_str(st, "state"), "success");
	ck_assert_str_eq(json_str(st, "environment"), "prod-eu");
	ck_assert_str_eq(json_str(st, "log_url"), "https://ci.example/x");
	ck_assert_str_eq(json_str(st, "target_url"), json_str(res, "target_url"));
	ck_assert_str_eq(json_str(st, "description"), json_str(res, "description"));
	dep = json_object_get(values, "deployment");
	ck_assert_str_eq(json_str(dep, "environment"), "prod-eu");
	ck_assert_str_eq(json_str(dep, "original_environment"), "staging");
	ck_assert_int_eq(json_int(dep, "updated_at"), json_int(st, "created_at"));
	ck_assert_int_eq(sql_int("SELECT extract(epoch FROM created_at)::bigint FROM deployment_statuses"
	    " WHERE id = %lld", s[3]), json_int(st, "created_at"));
	json_decref(values);
	json_decref(res);
	buf_release(&expected);
}
END_TEST

START_TEST(statuses_pagination)
{
	struct test_repo w;
	long long dep, ids[35];
	struct buf path = BUF_INIT;
	struct http_response r;
	size_t seen = 0;
	int page = 0;
	char *link, *next = NULL, *last, *first, *prev;

	world_make(&w, false);
	dep = create_deployment(&w, "staging", NULL);
	for (int i = 0; i < 35; i++)
		ids[i] = add_state(&w, dep, all_states[i % 7]);

	/* Follow rel="next" from page 1, checking every Link. */
	buf_printf(&path, "%s/deployments/%lld/statuses?per_page=10", w.path, dep);
	do {
		http_call(&r, "GET", next ? url_path(next) : path.data, w.token, NULL, NULL);
		ck_assert_int_eq(r.status, 200);
		page++;
		ck_assert_uint_eq(json_array_size(r.json), page < 4 ? 10 : 5);
		for (size_t i = 0; i < json_array_size(r.json); i++) {
			/* Newest first, each exactly once. */
			ck_assert_int_eq(json_int(json_array_get(r.json, i), "id"), ids[34 - seen]);
			seen++;
		}
		link = http_header(&r, "Link");
		ck_assert_ptr_nonnull(link);
		free(next);
		next = link_url(link, "next", NULL);
		last = link_url(link, "last", NULL);
		first = link_url(link, "first", NULL);
		prev = link_url(link, "prev", NULL);
		if (page < 4) {
			ck_assert_ptr_nonnull(next);
			ck_assert_ptr_nonnull(strstr(url_path(next), "per_page=10"));
			ck_assert_ptr_nonnull(last);
			ck_assert_ptr_nonnull(strstr(url_path(last), "page=4"));
		} else {
			ck_assert_ptr_null(next);
			ck_assert_ptr_null(last);
		}
		if (page == 1) {
			ck_assert_ptr_null(prev);
			ck_assert_ptr_null(first);
		} else {
			ck_assert_ptr_nonnull(prev);
			ck_assert_ptr_nonnull(url_path(prev));
			ck_assert_ptr_nonnull(first);
			ck_assert_ptr_nonnull(strstr(url_path(first), "page=1"));
		}
		free(last);
		free(first);
		free(prev);
		free(link);
		http_response_release(&r);
		ck_assert_int_le(page, 4);
	} while (next);
	ck_assert_int_eq(page, 4);
	ck_assert_uint_eq(seen, 35);

	/* page=N directly gives the same slices. */
	for (int p = 1; p <= 4; p++) {
		buf_reset(&path);
		buf_printf(&path, "%s/deployments/%lld/statuses?per_page=10&page=%d", w.path, dep, p);
		http_call(&r, "GET", path.data, w.token, NULL, NULL);
		ck_assert_int_eq(r.status, 200);
		ck_assert_uint_eq(json_array_size(r.json), p < 4 ? 10 : 5);
		ck_assert_int_eq(json_int(json_array_get(r.json, 0), "id"), ids[34 - (p - 1) * 10]);
		http_response_release(&r);
	}
	/* Everything on one page: no Link. */
	buf_reset(&path);
	buf_printf(&path, "%s/deployments/%lld/statuses?per_page=100", w.path, dep);
	http_call(&r, "GET", path.data, w.token, NULL, NULL);
	ck_assert_uint_eq(json_array_size(r.json), 35);
	link = http_header(&r, "Link");
	ck_assert_ptr_null(link);
	http_response_release(&r);
	buf_release(&path);
}
END_TEST

START_TEST(not_found_cases)
{
	static const char success[] = "{\"state\":\"success\"}";
	struct test_repo w, other;
	long long d1, d2, s1, s2, od, statuses;

	world_make(&w, false);
	world_make(&other, false);
	d1 = create_deployment(&w, "staging", NULL);
	d2 = create_deployment(&w, "staging", NULL);
	od = create_deployment(&other, "staging", NULL);
	s1 = add_state(&w, d1, "pending");
	s2 = add_state(&w, d2, "pending");
	(void)s2;

	/* A status id of another deployment. */
	ck_assert_int_eq(http_status("GET", w.token, NULL, "%s/deployments/%lld/statuses/%lld",
	    w.path, d2, s1), 404);
	ck_assert_int_eq(http_status("GET", w.token, NULL, "%s/deployments/%lld/statuses/%lld",
	    w.path, d1, s1), 200);

	/* A deployment of another repository, through this one (other's
	 * owner owns it, w's owner can see both repositories). */
	statuses = count_statuses(&other);
	ck_assert_int_eq(http_status("GET", w.token, NULL, "%s/deployments/%lld/statuses", w.path,
	    od), 404);
	ck_assert_int_eq(http_status("POST", w.token, success, "%s/deployments/%lld/statuses", w.path,
	    od), 404);
	ck_assert_int_eq(count_statuses(&other), statuses);
	/* w's deployment through other's repository, with other's token. */
	ck_assert_int_eq(http_status("GET", other.token, NULL, "%s/deployments/%lld/statuses/%lld",
	    other.path, d1, s1), 404);

	/* Missing ids. */
	ck_assert_int_eq(http_status("GET", w.token, NULL, "%s/deployments/999999999/statuses",
	    w.path), 404);
	ck_assert_int_eq(http_status("POST", w.token, success, "%s/deployments/999999999/statuses",
	    w.path), 404);
	ck_assert_int_eq(http_status("GET", w.token, NULL, "%s/deployments/%lld/statuses/999999999",
	    w.path, d1), 404);
	ck_assert_int_eq(http_status("GET", w.token, NULL, "%s/deployments/999999999/statuses/%lld",
	    w.path, s1), 404);
	ck_assert_int_eq(http_status("GET", w.token, NULL,
	    "/repos/%s/nothing-here/deployments/%lld/statuses", w.owner, d1), 404);
}
END_TEST

START_TEST(pull_collaborator_cannot_create)
{
	struct test_repo w;
	char reader[40], pusher[40];
	char *reader_token, *pusher_token;
	long long dep, statuses, outbox;
	struct buf path = BUF_INIT;
	struct http_response r;

	world_make(&w, true);
	reader_token = add_collaborator(&w, "pull", reader);
	pusher_token = add_collaborator(&w, "push", pusher);
	dep = create_deployment(&w, "staging", NULL);
	add_state(&w, dep, "success");
	statuses = count_statuses(&w);
	outbox = count_outbox(&w);

	buf_printf(&path, "%s/deployments/%lld/statuses", w.path, dep);
	http_call(&r, "POST", path.data, reader_token, "{\"state\":\"failure\"}", NULL);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(json_str(r.json, "message"), "Must have push access to repository");
	http_response_release(&r);
	ck_assert_int_eq(count_statuses(&w), statuses);
	ck_assert_int_eq(count_outbox(&w), outbox);
	/* The reader can still read them. */
	ck_assert_int_eq(http_status("GET", reader_token, NULL, "%s", path.data), 200);
	/* A push collaborator can write. */
	json_decref(post_status_as(&w, pusher_token, dep, "{\"state\":\"failure\"}", 201));
	ck_latest(&w, dep, "failure");
	free(reader_token);
	free(pusher_token);
	buf_release(&path);
}
END_TEST

/* ------------------------------------------ --cascade-skip-production */

/* Same stack, deploy-api restarted with the pages' literal rule. Runs in
 * main, outside any test: libcheck kills a test's process group when the
 * test ends, which would take the new server with it. */
static int
restart_with_skip_production(void)
{
	const char *script = "source \"$DEPLOY_SRC/scripts/lib.sh\" && "
	    "stop_pidfile \"$DEPLOY_DATA/run/deploy-api.pid\" && "
	    "api_start \"$DEPLOY_DATA\" \"$DEPLOY_BIN\" --workers 4 --cascade-skip-production && "
	    "wait_http \"$DEPLOY_URL/healthz\" 30";
	char *argv[] = { (char *)"/bin/bash", (char *)"-c", (char *)script, NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -1;
	return 0;
}

START_TEST(skip_production_spares_production)
{
	struct test_repo w;
	long long d1, d2, d3, d4, s1, s2;

	world_make(&w, false);
	d1 = create_deployment(&w, "production", NULL);
	d2 = create_deployment(&w, "production", NULL);
	s1 = add_state(&w, d1, "success");
	s2 = add_state(&w, d2, "success");
	ck_assert_int_gt(s2, s1);
	ck_latest(&w, d1, "success");
	ck_latest(&w, d2, "success");
	ck_assert_uint_eq(status_count(&w, d1), 1);

	/* production_environment is what counts, not the name. */
	d3 = create_deployment(&w, "eu", "\"production_environment\":true");
	d4 = create_deployment(&w, "eu", NULL);
	add_state(&w, d3, "success");
	add_state(&w, d4, "success");
	ck_latest(&w, d3, "success");
	json_decref(post_status(&w, d4, "{\"state\":\"success\"}", 201));
	ck_latest(&w, d3, "success");
	{
		/* "production" named but explicitly not production: cascaded. */
		long long d5 = create_deployment(&w, "production", "\"production_environment\":false");

		add_state(&w, d5, "success");
		add_state(&w, d1, "success");
		ck_latest(&w, d5, "inactive");
		ck_latest(&w, d2, "success");
	}
}
END_TEST

START_TEST(skip_production_still_cascades_the_rest)
{
	struct test_repo w;
	long long d1, d2;

	world_make(&w, false);
	d1 = create_deployment(&w, "staging", NULL);
	d2 = create_deployment(&w, "staging", NULL);
	succeed_in_turn(&w, d1, d2);
	ck_latest(&w, d2, "success");
}
END_TEST

static Suite *
statuses_suite(void)
{
	return suite_of("statuses", tcase_of("statuses", 120, (const TTest *const[]){
		each_state_is_accepted, validation_errors_change_nothing,
		description_counts_characters, log_url_and_target_url_fill_each_other,
		environment_moves_the_deployment, outbox_events_follow_statuses, statuses_pagination,
		not_found_cases, pull_collaborator_cannot_create, NULL }),
	    tcase_of("cascade", 180, (const TTest *const[]){
		cascade_same_environment, cascade_spares_other_environments,
		cascade_spares_transient_deployments, transient_deployment_marked_inactive,
		cascade_includes_production_by_default, cascade_spares_failed_deployments,
		cascade_off_with_auto_inactive_false, cascade_rollback, delete_rule_with_statuses,
		concurrent_successes_leave_one_active,
		concurrent_moves_keep_one_active_per_environment, NULL }), NULL);
}

static Suite *
skip_production_suite(void)
{
	return suite_of("statuses --cascade-skip-production", tcase_of("skip-production", 60,
	    (const TTest *const[]){ skip_production_spares_production,
		skip_production_still_cascades_the_rest, NULL }), NULL);
}

int
main(void)
{
	const char *mode = getenv("CHECK_STATUSES_MODE");
	bool restart = mode == NULL || strcmp(mode, "skip-production") != 0;
	int failed = 0;

	if (restart) {
		failed += suite_failures(statuses_suite());
		if (restart_with_skip_production() < 0) {
			fprintf(stderr, "check_statuses: cannot restart deploy-api with "
			    "--cascade-skip-production\n");
			return EXIT_FAILURE;
		}
	}
	failed += suite_failures(skip_production_suite());
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
