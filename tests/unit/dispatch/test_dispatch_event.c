#include "config.h"

#include <string.h>

#include <jansson.h>

#include "dispatch_event.h"
#include "unit.h"

static struct user octocat = { .id = 7, .login = "octocat", .created_at = 1, .updated_at = 2 };
static struct user hubot = { .id = 9, .login = "hubot", .created_at = 1, .updated_at = 2 };

static struct repository
repository(void)
{
	return (struct repository){
		.id = 42, .name = "hello", .default_branch = "main", .created_at = 10,
		.updated_at = 20, .pushed_at = 30, .owner = octocat,
	};
}

static struct deployment
deployment(void)
{
	return (struct deployment){
		.id = 1001, .sha = "0123456789abcdef0123456789abcdef01234567", .ref = "main",
		.task = "deploy", .payload = "{\"k\": [1, 2]}", .original_environment = "staging",
		.environment = "production", .transient_environment = true, .created_at = 100,
		.updated_at = 200, .creator = hubot,
	};
}

static struct dispatch_event
event(const char *name, const char *action, const struct repository *r)
{
	return (struct dispatch_event){
		.event = name, .action = action,
		.base = { "http://h.example/api/v3", "http://h.example" },
		.repository = r, .sender = &octocat,
	};
}

static json_t *
rendered(const struct dispatch_event *e, struct buf *out)
{
	json_t *v;

	ck_assert_int_eq(dispatch_event_render(e, out), 0);
	v = json_loadb(out->data, out->len, 0, NULL);
	ck_assert_msg(v != NULL, "not JSON: %s", out->data);
	return v;
}

/* The body is render_deployment_event's, with the id known: the id in
 * every place the API used to leave holes for, the payload byte for byte. */
START_TEST(test_deployment_event)
{
	struct repository r = repository();
	struct deployment d = deployment();
	struct dispatch_event e = event("deployment", "created", &r);
	struct buf got = BUF_INIT, want = BUF_INIT;
	struct jsonw w;
	json_t *v, *dep;

	e.deployment = &d;
	v = rendered(&e, &got);
	jw_init(&w, &want);
	render_deployment_event(&w, &e.base, &r, &d, &octocat);
	ck_assert_str_eq(got.data, want.data);
	dep = json_object_get(v, "deployment");
	ck_assert_int_eq(json_integer_value(json_object_get(dep, "id")), 1001);
	ck_assert_str_eq(json_string_value(json_object_get(dep, "url")),
	    "http://h.example/api/v3/repos/octocat/hello/deployments/1001");
	ck_assert_str_eq(json_string_value(json_object_get(dep, "statuses_url")),
	    "http://h.example/api/v3/repos/octocat/hello/deployments/1001/statuses");
	ck_assert_str_eq(json_string_value(json_object_get(dep, "node_id")), "MDEwOkRlcGxveW1lbnQxMDAx");
	ck_assert_ptr_nonnull(strstr(got.data, "\"payload\":{\"k\": [1, 2]}"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(dep, "creator"), "login")),
	    "hubot");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(v, "sender"), "login")),
	    "octocat");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(v, "repository"), "id")), 42);
	json_decref(v);
	buf_release(&got);
	buf_release(&want);
}
END_TEST

START_TEST(test_status_event)
{
	struct repository r = repository();
	struct deployment d = deployment();
	struct deployment_status s = {
		.id = 5005, .deployment_id = 1001, .state = "success", .description = "",
		.environment = "production", .target_url = "", .log_url = "https://ci.example/1",
		.environment_url = "", .created_at = 200, .updated_at = 200, .creator = octocat,
	};
	struct dispatch_event e = event("deployment_status", "created", &r);
	struct buf got = BUF_INIT;
	json_t *v, *st;

	e.deployment = &d;
	ck_assert_int_eq(dispatch_event_render(&e, &got), -1); /* no status values */
	e.status = &s;
	v = rendered(&e, &got);
	st = json_object_get(v, "deployment_status");
	ck_assert_int_eq(json_integer_value(json_object_get(st, "id")), 5005);
	ck_assert_str_eq(json_string_value(json_object_get(st, "url")),
	    "http://h.example/api/v3/repos/octocat/hello/deployments/1001/statuses/5005");
	ck_assert_str_eq(json_string_value(json_object_get(st, "node_id")),
	    "MDE2OkRlcGxveW1lbnRTdGF0dXM1MDA1");
	ck_assert_str_eq(json_string_value(json_object_get(st, "updated_at")), "1970-01-01T00:03:20Z");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(v, "deployment"), "id")),
	    1001);
	json_decref(v);
	buf_release(&got);
}
END_TEST

START_TEST(test_repository_dispatch_event)
{
	struct repository r = repository();
	struct dispatch_event e = event("repository_dispatch", "on-demand", &r);
	struct buf got = BUF_INIT;
	json_t *v;

	e.client_payload = "{\"unit\":false}";
	v = rendered(&e, &got);
	ck_assert_str_eq(json_string_value(json_object_get(v, "action")), "on-demand");
	ck_assert_str_eq(json_string_value(json_object_get(v, "branch")), "main");
	ck_assert_ptr_nonnull(strstr(got.data, "\"client_payload\":{\"unit\":false}"));
	json_decref(v);
	buf_release(&got);
}
END_TEST

/* What the API never writes lean, or a row missing what its body needs,
 * is refused and leaves the buffer as it was. */
START_TEST(test_refused)
{
	struct repository r = repository();
	struct deployment d = deployment();
	struct dispatch_event e = event("deployment", "created", &r);
	struct buf got = BUF_INIT;

	ck_assert_int_eq(dispatch_event_render(&e, &got), -1); /* no deployment values */
	e.deployment = &d;
	e.sender = NULL;
	ck_assert_int_eq(dispatch_event_render(&e, &got), -1);
	e.sender = &octocat;
	e.repository = NULL;
	ck_assert_int_eq(dispatch_event_render(&e, &got), -1);
	e.repository = &r;
	e.base.web = NULL;
	ck_assert_int_eq(dispatch_event_render(&e, &got), -1);
	e = event("push", NULL, &r);
	ck_assert_int_eq(dispatch_event_render(&e, &got), -1);
	e = event("repository_dispatch", "x", &r);
	ck_assert_int_eq(dispatch_event_render(&e, &got), -1); /* no client_payload */
	ck_assert_uint_eq(got.len, 0);
	buf_release(&got);
}
END_TEST

Suite *
dispatch_event_suite(void)
{
	return unit_suite("dispatch_event", NULL, 0, (const TTest *const[]){
		test_deployment_event, test_status_event, test_repository_dispatch_event, test_refused,
		NULL });
}
