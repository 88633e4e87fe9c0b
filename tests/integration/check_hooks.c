/*
 * Repository webhooks and repository dispatch over real HTTP, with no
 * dispatcher running (deliveries and outbox rows stay where the API put
 * them): hooks CRUD as GitHub's (defaults, the write-only secret, events
 * replace/add/remove), validation with nothing written, admin-only access,
 * pings and their deliveries (list, detail, pagination, redeliveries: new
 * deliveries under the same guid), POST /dispatches (the outbox row, validation, push access),
 * and deployctl hook create / outbox status.
 */
#include "config.h"

#include <check.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "harness.h"
#include "suite.h"

#define HOOK_URL "https://hooks.example.com/receive"
#define SECRET "s3cr3t-never-shown-9f2c"
#define ADMIN_MESSAGE "Must have admin rights to Repository."
#define PUSH_MESSAGE "Must have push access to repository"

/* An owner with one repository, "app", which GET answers with the id it
 * has; default_branch NULL keeps deployctl's. */
static void
world_make_branch(struct test_repo *w, bool private_repo, const char *default_branch)
{
	const char *branch[] = { "--default-branch", default_branch, NULL };

	test_repo_make(w, "hk", "app", private_repo, default_branch ? branch : NULL);
	assert_repo_served(w);
}

static void
world_make(struct test_repo *w, bool private_repo)
{
	world_make_branch(w, private_repo, NULL);
}

/* ----------------------------------------------------------------- HTTP */

/* method path with body as token; asserts the status and that the body
 * does not show the secret, and returns the parsed body (owned, may be
 * NULL). */
static json_t *
call_as(const char *token, const char *method, const char *path, const char *body, long expect)
{
	json_t *out = http_json(method, token, body, expect, "%s", path);
	char *text = out ? json_dumps(out, JSON_ENCODE_ANY) : NULL;

	ck_assert_msg(text == NULL || strstr(text, SECRET) == NULL, "%s %s returned the secret: %s",
	    method, path, text);
	free(text);
	return out;
}

/* Same, as the repository's owner, on w->path + suffix (printf-style). */
static json_t *
call(const struct test_repo *w, const char *method, long expect, const char *body, const char *fmt, ...)
{
	struct buf path = BUF_INIT;
	va_list ap;
	json_t *out;

	buf_puts(&path, w->path);
	va_start(ap, fmt);
	buf_vprintf(&path, fmt, ap);
	va_end(ap);
	out = call_as(w->token, method, path.data, body, expect);
	buf_release(&path);
	return out;
}

/* POST /hooks with body; asserts 201 and returns the hook's id. */
static long long
create_hook(const struct test_repo *w, const char *body)
{
	json_t *h = call(w, "POST", 201, body, "/hooks");
	long long id = json_int(h, "id");

	json_decref(h);
	return id;
}

static long long
create_simple_hook(const struct test_repo *w)
{
	return create_hook(w, "{\"config\":{\"url\":\"" HOOK_URL "\"}}");
}

static void
ping(const struct test_repo *w, long long hook)
{
	struct http_response r;
	struct buf path = BUF_INIT;

	buf_printf(&path, "%s/hooks/%lld/pings", w->path, hook);
	http_call(&r, "POST", path.data, w->token, NULL, NULL);
	ck_assert_msg(r.status == 204, "ping: %ld %s", r.status, r.body);
	ck_assert_uint_eq(r.body_len, 0);
	http_response_release(&r);
	buf_release(&path);
}

/* The newest delivery of a hook, by SQL. */
static long long
newest_delivery(long long hook)
{
	return sql_int("SELECT max(id) FROM deliveries WHERE hook_id = %lld", hook);
}

static bool
is_iso_seconds(const char *s)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(s) != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; pattern[i]; i++)
		if (pattern[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pattern[i])
			return false;
	return true;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The events array of a hook as one comma-joined string. */
static char *
events_of(json_t *hook)
{
	json_t *events = json_object_get(hook, "events");
	struct buf out = BUF_INIT;
	size_t i;
	json_t *e;

	ck_assert_msg(json_is_array(events), "events is not an array");
	json_array_foreach(events, i, e) {
		ck_assert(json_is_string(e));
		buf_printf(&out, "%s%s", i ? "," : "", json_string_value(e));
	}
	if (out.data == NULL)
		buf_puts(&out, "");
	return buf_detach(&out);
}

static void
assert_events(json_t *hook, const char *expected)
{
	char *got = events_of(hook);

	ck_assert_str_eq(got, expected);
	free(got);
}

/* -------------------------------------------------------------- hooks */

START_TEST(create_with_github_defaults)
{
	struct test_repo w;
	struct http_response r;
	struct buf path = BUF_INIT, url_suffix = BUF_INIT;
	json_t *config, *last;
	char *location;
	long long id;

	world_make(&w, false);
	buf_printf(&path, "%s/hooks", w.path);
	http_call(&r, "POST", path.data, w.token, "{\"config\":{\"url\":\"" HOOK_URL "\"}}", NULL);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	id = json_int(r.json, "id");
	ck_assert_int_gt(id, 0);
	buf_printf(&url_suffix, "%s/hooks/%lld", w.path, id);

	location = http_header(&r, "Location");
	ck_assert_ptr_nonnull(location);
	ck_assert_str_eq(location, json_str(r.json, "url"));
	ck_assert_msg(ends_with(location, url_suffix.data), "Location %s", location);
	free(location);

	ck_assert_str_eq(json_str(r.json, "type"), "Repository");
	ck_assert_str_eq(json_str(r.json, "name"), "web");
	ck_assert(json_is_true(json_object_get(r.json, "active")));
	assert_events(r.json, "push");
	config = json_object_get(r.json, "config");
	ck_assert(json_is_object(config));
	ck_assert_str_eq(json_str(config, "url"), HOOK_URL);
	ck_assert_str_eq(json_str(config, "content_type"), "form");
	ck_assert_str_eq(json_str(config, "insecure_ssl"), "0");
	ck_assert_msg(json_object_get(config, "secret") == NULL, "no secret set, yet: %s", r.body);
	ck_assert(is_iso_seconds(json_str(r.json, "created_at")));
	ck_assert(is_iso_seconds(json_str(r.json, "updated_at")));
	buf_puts(&url_suffix, "/pings");
	ck_assert(ends_with(json_str(r.json, "ping_url"), url_suffix.data));
	url_suffix.len -= strlen("/pings");
	url_suffix.data[url_suffix.len] = '\0';
	buf_puts(&url_suffix, "/test");
	ck_assert(ends_with(json_str(r.json, "test_url"), url_suffix.data));
	url_suffix.len -= strlen("/test");
	url_suffix.data[url_suffix.len] = '\0';
	buf_puts(&url_suffix, "/deliveries");
	ck_assert(ends_with(json_str(r.json, "deliveries_url"), url_suffix.data));
	last = json_object_get(r.json, "last_response");
	ck_assert(json_is_object(last));
	ck_assert(json_is_null(json_object_get(last, "code")));
	ck_assert_str_eq(json_str(last, "status"), "unused");
	ck_assert(json_is_null(json_object_get(last, "message")));
	http_response_release(&r);

	/* Stored as shown. */
	ck_assert_int_eq(rows_of(&w, "hooks"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM hooks WHERE id = %lld AND url = '%s' AND "
	    "content_type = 'form' AND secret IS NULL AND NOT insecure_ssl AND active AND "
	    "events = ARRAY['push']", id, HOOK_URL), 1);

	/* Under /api/v3, the URLs follow the prefix. */
	buf_reset(&path);
	buf_printf(&path, "/api/v3%s/hooks", w.path);
	http_call(&r, "POST", path.data, w.token,
	    "{\"name\":\"web\",\"config\":{\"url\":\"http://plain.example.com/h\"}}", NULL);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	location = http_header(&r, "Location");
	ck_assert_ptr_nonnull(strstr(location, "/api/v3/repos/"));
	ck_assert_str_eq(location, json_str(r.json, "url"));
	free(location);
	http_response_release(&r);
	buf_release(&path);
	buf_release(&url_suffix);
}
END_TEST

START_TEST(create_with_every_field_masks_the_secret)
{
	struct test_repo w;
	json_t *h, *config;
	long long id;
	char *stored;

	world_make(&w, false);
	h = call(&w, "POST", 201,
	    "{\"name\":\"web\",\"active\":false,"
	    "\"events\":[\"deployment\",\"deployment_status\",\"deployment\"],"
	    "\"config\":{\"url\":\"" HOOK_URL "\",\"content_type\":\"json\","
	    "\"secret\":\"" SECRET "\",\"insecure_ssl\":\"1\"}}", "/hooks");
	id = json_int(h, "id");
	ck_assert(json_is_false(json_object_get(h, "active")));
	assert_events(h, "deployment,deployment_status");
	config = json_object_get(h, "config");
	ck_assert_str_eq(json_str(config, "content_type"), "json");
	ck_assert_str_eq(json_str(config, "insecure_ssl"), "1");
	ck_assert_str_eq(json_str(config, "secret"), "********");
	json_decref(h);

	/* The secret is kept (deliveries are signed with it), never shown. */
	stored = sql_text("SELECT secret FROM hooks WHERE id = %lld", id);
	ck_assert_str_eq(stored, SECRET);
	free(stored);
	h = call(&w, "GET", 200, NULL, "/hooks/%lld", id);
	ck_assert_str_eq(json_str(json_object_get(h, "config"), "secret"), "********");
	json_decref(h);
	h = call(&w, "GET", 200, NULL, "/hooks");
	ck_assert_str_eq(json_str(json_object_get(json_array_get(h, 0), "config"), "secret"), "********");
	json_decref(h);

	/* "*" and an integer insecure_ssl are accepted as GitHub's are. */
	h = call(&w, "POST", 201, "{\"events\":[\"*\"],\"config\":{\"url\":\"" HOOK_URL "\","
	    "\"insecure_ssl\":0,\"secret\":\"\"}}", "/hooks");
	assert_events(h, "*");
	ck_assert_str_eq(json_str(json_object_get(h, "config"), "insecure_ssl"), "0");
	ck_assert_ptr_null(json_object_get(json_object_get(h, "config"), "secret"));
	json_decref(h);
}
END_TEST

START_TEST(list_and_get)
{
	struct test_repo w, other;
	struct http_response r;
	struct buf path = BUF_INIT;
	long long ids[3];
	json_t *list, *one;
	char *link;

	world_make(&w, false);
	world_make(&other, false);
	list = call(&w, "GET", 200, NULL, "/hooks");
	ck_assert(json_is_array(list));
	ck_assert_uint_eq(json_array_size(list), 0);
	json_decref(list);

	for (int i = 0; i < 3; i++)
		ids[i] = create_simple_hook(&w);
	(void)create_simple_hook(&other);

	list = call(&w, "GET", 200, NULL, "/hooks");
	ck_assert_uint_eq(json_array_size(list), 3);
	for (int i = 0; i < 3; i++) {
		bool seen = false;

		for (size_t j = 0; j < json_array_size(list); j++)
			if (json_int(json_array_get(list, j), "id") == ids[i])
				seen = true;
		ck_assert_msg(seen, "hook %lld missing from the list", ids[i]);
	}
	json_decref(list);

	/* per_page, with a Link header. */
	buf_printf(&path, "%s/hooks?per_page=2", w.path);
	http_call(&r, "GET", path.data, w.token, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(r.json), 2);
	link = http_header(&r, "Link");
	ck_assert_ptr_nonnull(link);
	ck_assert_ptr_nonnull(strstr(link, "rel=\"next\""));
	ck_assert_ptr_nonnull(strstr(link, "rel=\"last\""));
	free(link);
	http_response_release(&r);
	buf_reset(&path);
	buf_printf(&path, "%s/hooks?per_page=2&page=2", w.path);
	http_call(&r, "GET", path.data, w.token, NULL, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(json_array_size(r.json), 1);
	http_response_release(&r);

	one = call(&w, "GET", 200, NULL, "/hooks/%lld", ids[1]);
	ck_assert_int_eq(json_int(one, "id"), ids[1]);
	ck_assert_str_eq(json_str(json_object_get(one, "config"), "url"), HOOK_URL);
	json_decref(one);

	/* Another repository's hook, a missing one, a malformed id. */
	json_decref(call(&other, "GET", 404, NULL, "/hooks/%lld", ids[0]));
	json_decref(call(&w, "GET", 404, NULL, "/hooks/%lld", ids[2] + 1000000));
	json_decref(call(&w, "GET", 404, NULL, "/hooks/abc"));
	buf_release(&path);
}
END_TEST

START_TEST(update_config_events_and_active)
{
	struct test_repo w;
	json_t *h, *config;
	long long id;
	char *stored, *created;

	world_make(&w, false);
	id = create_hook(&w, "{\"events\":[\"push\"],\"config\":{\"url\":\"" HOOK_URL "\"}}");
	sql_exec("UPDATE hooks SET created_at = now() - interval '1 hour', "
	    "updated_at = now() - interval '1 hour' WHERE id = %lld", id);
	h = call(&w, "GET", 200, NULL, "/hooks/%lld", id);
	created = xstrdup(json_str(h, "created_at"));
	ck_assert_str_eq(json_str(h, "updated_at"), created);
	json_decref(h);

	/* Config fields, one by one as given; the others stay. */
	h = call(&w, "PATCH", 200, "{\"config\":{\"url\":\"http://new.example.com/x\","
	    "\"content_type\":\"json\",\"secret\":\"" SECRET "\",\"insecure_ssl\":\"1\"}}",
	    "/hooks/%lld", id);
	config = json_object_get(h, "config");
	ck_assert_str_eq(json_str(config, "url"), "http://new.example.com/x");
	ck_assert_str_eq(json_str(config, "content_type"), "json");
	ck_assert_str_eq(json_str(config, "insecure_ssl"), "1");
	ck_assert_str_eq(json_str(config, "secret"), "********");
	assert_events(h, "push");
	ck_assert(json_is_true(json_object_get(h, "active")));
	/* updated_at moves, created_at does not. */
	ck_assert_str_eq(json_str(h, "created_at"), created);
	ck_assert_str_gt(json_str(h, "updated_at"), created);
	json_decref(h);
	stored = sql_text("SELECT secret FROM hooks WHERE id = %lld", id);
	ck_assert_str_eq(stored, SECRET);
	free(stored);

	/* A change without config keeps the secret. */
	h = call(&w, "PATCH", 200, "{\"active\":true}", "/hooks/%lld", id);
	ck_assert_str_eq(json_str(json_object_get(h, "config"), "secret"), "********");
	json_decref(h);
	h = call(&w, "PATCH", 200, "{\"config\":{\"content_type\":\"form\",\"secret\":\"" SECRET
	    "\"}}", "/hooks/%lld", id);
	config = json_object_get(h, "config");
	ck_assert_str_eq(json_str(config, "url"), "http://new.example.com/x");
	ck_assert_str_eq(json_str(config, "content_type"), "form");
	ck_assert_str_eq(json_str(config, "secret"), "********");
	json_decref(h);

	/* events replaces the set. */
	h = call(&w, "PATCH", 200, "{\"events\":[\"deployment\"]}", "/hooks/%lld", id);
	assert_events(h, "deployment");
	json_decref(h);
	/* add_events adds (once each), remove_events removes. */
	h = call(&w, "PATCH", 200,
	    "{\"add_events\":[\"deployment_status\",\"deployment\",\"repository_dispatch\"]}",
	    "/hooks/%lld", id);
	assert_events(h, "deployment,deployment_status,repository_dispatch");
	json_decref(h);
	h = call(&w, "PATCH", 200, "{\"remove_events\":[\"deployment\",\"push\"]}", "/hooks/%lld",
	    id);
	assert_events(h, "deployment_status,repository_dispatch");
	json_decref(h);
	h = call(&w, "PATCH", 200,
	    "{\"add_events\":[\"push\"],\"remove_events\":[\"repository_dispatch\"]}",
	    "/hooks/%lld", id);
	assert_events(h, "deployment_status,push");
	json_decref(h);

	/* active false, and back; an empty body changes nothing. */
	h = call(&w, "PATCH", 200, "{\"active\":false}", "/hooks/%lld", id);
	ck_assert(json_is_false(json_object_get(h, "active")));
	assert_events(h, "deployment_status,push");
	json_decref(h);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM hooks WHERE id = %lld AND NOT active", id), 1);
	h = call(&w, "PATCH", 200, "{}", "/hooks/%lld", id);
	ck_assert(json_is_false(json_object_get(h, "active")));
	json_decref(h);
	h = call(&w, "PATCH", 200, "{\"active\":true}", "/hooks/%lld", id);
	ck_assert(json_is_true(json_object_get(h, "active")));
	json_decref(h);

	/* An empty secret removes it. */
	h = call(&w, "PATCH", 200, "{\"config\":{\"secret\":\"\"}}", "/hooks/%lld", id);
	ck_assert_ptr_null(json_object_get(json_object_get(h, "config"), "secret"));
	json_decref(h);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM hooks WHERE id = %lld AND secret IS NULL",
	    id), 1);

	/* GET shows what PATCH answered. */
	h = call(&w, "GET", 200, NULL, "/hooks/%lld", id);
	assert_events(h, "deployment_status,push");
	ck_assert_str_eq(json_str(json_object_get(h, "config"), "url"), "http://new.example.com/x");
	json_decref(h);

	json_decref(call(&w, "PATCH", 404, "{\"active\":false}", "/hooks/%lld", id + 1000000));
	free(created);
}
END_TEST

/*
 * GitHub's reference for PATCH /repos/{owner}/{repo}/hooks/{hook_id}: "If
 * you previously had a secret set, you must provide the same secret or set
 * a new secret or the secret will be removed." A config without secret
 * removes it.
 */
/* A hook deploy-dispatch disabled says why in last_response (GitHub's
 * {code, status, message}); PATCHing it active again clears that. */
START_TEST(disabled_hook_says_why_until_made_active)
{
	struct test_repo w;
	json_t *h, *last;
	long long id;

	world_make(&w, false);
	id = create_hook(&w, "{\"events\":[\"deployment\"],\"config\":{\"url\":\"" HOOK_URL "\"}}");
	sql_exec("UPDATE hooks SET active = false, failing_since = now() - interval '4 days',"
	    " disabled_reason = 'Disabled: the receiver answered 410 Gone' WHERE id = %lld", id);
	h = call(&w, "GET", 200, NULL, "/hooks/%lld", id);
	ck_assert(json_is_false(json_object_get(h, "active")));
	last = json_object_get(h, "last_response");
	ck_assert(json_is_null(json_object_get(last, "code")));
	ck_assert_str_eq(json_str(last, "status"), "disabled");
	ck_assert_str_eq(json_str(last, "message"), "Disabled: the receiver answered 410 Gone");
	json_decref(h);

	/* A PATCH that leaves active alone leaves the reason. */
	json_decref(call(&w, "PATCH", 200, "{\"events\":[\"deployment\",\"deployment_status\"]}", "/hooks/%lld", id));
	ck_assert_int_eq(sql_int("SELECT count(*) FROM hooks WHERE id = %lld AND disabled_reason IS NOT NULL",
	    id), 1);

	h = call(&w, "PATCH", 200, "{\"active\":true}", "/hooks/%lld", id);
	ck_assert(json_is_true(json_object_get(h, "active")));
	last = json_object_get(h, "last_response");
	ck_assert_str_eq(json_str(last, "status"), "unused");
	ck_assert(json_is_null(json_object_get(last, "message")));
	json_decref(h);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM hooks WHERE id = %lld AND active"
	    " AND failing_since IS NULL AND disabled_reason IS NULL", id), 1);
}
END_TEST

START_TEST(update_config_without_secret_removes_it)
{
	struct test_repo w;
	json_t *h;
	long long id;

	world_make(&w, false);
	id = create_hook(&w, "{\"config\":{\"url\":\"" HOOK_URL "\",\"secret\":\"" SECRET "\"}}");
	h = call(&w, "PATCH", 200, "{\"config\":{\"url\":\"" HOOK_URL "\",\"content_type\":\"json\"}}",
	    "/hooks/%lld", id);
	ck_assert_str_eq(json_str(json_object_get(h, "config"), "content_type"), "json");
	ck_assert_msg(json_object_get(json_object_get(h, "config"), "secret") == NULL,
	    "PATCH with a config without secret kept the secret");
	json_decref(h);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM hooks WHERE id = %lld AND secret IS NULL",
	    id), 1);
}
END_TEST

START_TEST(update_validation_changes_nothing)
{
	struct test_repo w;
	static const char *const bad[] = {
		"{\"config\":{\"url\":\"ftp://example.com/h\"}}",
		"{\"config\":{\"url\":\"javascript:alert(1)\"}}",
		"{\"config\":{\"content_type\":\"xml\"}}",
		"{\"config\":\"https://example.com\"}",
		"{\"events\":[\"push\",\"no_such_event\"]}",
		"{\"events\":\"push\"}",
		"{\"add_events\":[\"no_such_event\"]}",
		"{\"add_events\":\"deployment\"}",
		"{\"remove_events\":\"push\"}",
		"{\"active\":\"no\"}",
		"{\"name\":\"email\"}",
		/* A valid change next to an invalid one is not applied either. */
		"{\"active\":false,\"events\":[\"nope\"]}",
	};
	json_t *before, *after, *e;
	long long id;

	world_make(&w, false);
	id = create_hook(&w, "{\"events\":[\"push\"],\"config\":{\"url\":\"" HOOK_URL "\"}}");
	before = call(&w, "GET", 200, NULL, "/hooks/%lld", id);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = call(&w, "PATCH", 422, bad[i], "/hooks/%lld", id);
		ck_assert_str_eq(json_str(e, "message"), "Validation Failed");
		ck_assert_msg(json_array_size(json_object_get(e, "errors")) > 0, "%s: no errors", bad[i]);
		json_decref(e);
	}
	after = call(&w, "GET", 200, NULL, "/hooks/%lld", id);
	ck_assert_msg(json_equal(before, after), "a rejected PATCH changed the hook");
	json_decref(before);
	json_decref(after);
}
END_TEST

START_TEST(delete_then_404)
{
	struct test_repo w;
	long long id, keep;

	world_make(&w, false);
	id = create_simple_hook(&w);
	keep = create_simple_hook(&w);
	ping(&w, id);
	ck_assert_int_eq(rows_of(&w, "deliveries"), 1);

	json_decref(call(&w, "DELETE", 204, NULL, "/hooks/%lld", id));
	json_decref(call(&w, "GET", 404, NULL, "/hooks/%lld", id));
	json_decref(call(&w, "DELETE", 404, NULL, "/hooks/%lld", id));
	json_decref(call(&w, "PATCH", 404, "{\"active\":false}", "/hooks/%lld", id));
	json_decref(call(&w, "POST", 404, NULL, "/hooks/%lld/pings", id));
	json_decref(call(&w, "GET", 404, NULL, "/hooks/%lld/deliveries", id));
	/* Its deliveries go with it; the other hook stays. */
	ck_assert_int_eq(rows_of(&w, "deliveries"), 0);
	ck_assert_int_eq(rows_of(&w, "hooks"), 1);
	json_decref(call(&w, "GET", 200, NULL, "/hooks/%lld", keep));
}
END_TEST

/* A create body whose url has url_chars characters and whose secret (when
 * secret_chars > 0) has secret_chars; newly allocated. */
static char *
hook_body_of_length(size_t url_chars, size_t secret_chars)
{
	static const char prefix[] = "https://example.com/";
	struct buf b = BUF_INIT;

	buf_printf(&b, "{\"config\":{\"url\":\"%s", prefix);
	for (size_t i = strlen(prefix); i < url_chars; i++)
		buf_putc(&b, 'u');
	buf_puts(&b, "\"");
	if (secret_chars > 0) {
		buf_puts(&b, ",\"secret\":\"");
		for (size_t i = 0; i < secret_chars; i++)
			buf_putc(&b, 's');
		buf_puts(&b, "\"");
	}
	buf_puts(&b, "}}");
	return buf_detach(&b);
}

START_TEST(create_validation_writes_nothing)
{
	struct test_repo w;
	char *long_url = hook_body_of_length(2049, 0);
	char *long_secret = hook_body_of_length(40, 1025);
	char *longest = hook_body_of_length(2048, 1024);
	const struct {
		const char *body;
		const char *field;   /* the field named in errors[0], or NULL */
	} bad[] = {
		{ "{}", "config" },
		{ "{\"events\":[\"push\"]}", "config" },
		{ "{\"config\":{}}", "url" },
		{ "{\"config\":{\"content_type\":\"json\"}}", "url" },
		{ "{\"config\":{\"url\":\"\"}}", "url" },
		{ "{\"config\":{\"url\":null}}", "url" },
		{ "{\"config\":{\"url\":42}}", "url" },
		{ "{\"config\":\"https://example.com/h\"}", "config" },
		{ "{\"config\":{\"url\":\"ftp://example.com/h\"}}", "url" },
		{ "{\"config\":{\"url\":\"javascript:alert(1)\"}}", "url" },
		{ "{\"config\":{\"url\":\"file:///etc/passwd\"}}", "url" },
		{ "{\"config\":{\"url\":\"http://\"}}", "url" },
		{ "{\"config\":{\"url\":\"https:///path\"}}", "url" },
		{ "{\"config\":{\"url\":\"http://example.com/h h\"}}", "url" },
		{ long_url, "url" },
		{ long_secret, "secret" },
		{ "{\"config\":{\"url\":\"" HOOK_URL "\",\"content_type\":\"xml\"}}", "content_type" },
		{ "{\"config\":{\"url\":\"" HOOK_URL "\",\"content_type\":\"JSON\"}}", "content_type" },
		{ "{\"config\":{\"url\":\"" HOOK_URL "\",\"insecure_ssl\":\"yes\"}}", "insecure_ssl" },
		{ "{\"config\":{\"url\":\"" HOOK_URL "\"},\"events\":[\"push\",\"no_such_event\"]}",
		  "events" },
		{ "{\"config\":{\"url\":\"" HOOK_URL "\"},\"events\":[\"Push\"]}", "events" },
		{ "{\"config\":{\"url\":\"" HOOK_URL "\"},\"events\":\"push\"}", "events" },
		{ "{\"config\":{\"url\":\"" HOOK_URL "\"},\"events\":{\"push\":true}}", "events" },
		{ "{\"config\":{\"url\":\"" HOOK_URL "\"},\"events\":[1]}", "events" },
		{ "{\"config\":{\"url\":\"" HOOK_URL "\"},\"name\":\"email\"}", "name" },
		{ "{\"config\":{\"url\":\"" HOOK_URL "\"},\"name\":\"\"}", "name" },
		{ "{\"config\":{\"url\":\"" HOOK_URL "\"},\"active\":\"true\"}", "active" },
	};
	struct buf path = BUF_INIT;
	struct http_response r;
	json_t *err0;

	world_make(&w, false);
	buf_printf(&path, "%s/hooks", w.path);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_call(&r, "POST", path.data, w.token, bad[i].body, NULL);
		ck_assert_msg(r.status == 422, "%s: %ld %s", bad[i].body, r.status, r.body);
		ck_assert_str_eq(message_of(&r), "Validation Failed");
		err0 = json_array_get(json_object_get(r.json, "errors"), 0);
		ck_assert_msg(json_is_object(err0), "%s: no errors: %s", bad[i].body, r.body);
		ck_assert_str_eq(json_str(err0, "resource"), "Hook");
		if (bad[i].field)
			ck_assert_msg(strcmp(json_str(err0, "field"), bad[i].field) == 0,
			    "%s: field %s, expected %s", bad[i].body, json_str(err0, "field"), bad[i].field);
		http_response_release(&r);
	}
	/* Not JSON, not an object: 400. */
	http_call(&r, "POST", path.data, w.token, "{\"config\":", NULL);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(message_of(&r), "Problems parsing JSON");
	http_response_release(&r);
	http_call(&r, "POST", path.data, w.token, "[{\"config\":{\"url\":\"" HOOK_URL "\"}}]", NULL);
	ck_assert_int_eq(r.status, 400);
	http_response_release(&r);

	ck_assert_int_eq(rows_of(&w, "hooks"), 0);

	/* The longest url and secret pass. */
	http_call(&r, "POST", path.data, w.token, longest, NULL);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	http_response_release(&r);
	ck_assert_int_eq(rows_of(&w, "hooks"), 1);
	free(long_url);
	free(long_secret);
	free(longest);
	buf_release(&path);
}
END_TEST

/* Every hooks route, as token, expecting status and (when given) message;
 * existing is a hook and delivery of w. */
static void
every_hook_route(const struct test_repo *w, const char *token, long long hook, long long delivery,
    long expect, const char *message)
{
	/* ids: 0 none, 1 the hook's, 2 the hook's and the delivery's, after
	 * which comes tail. */
	static const struct {
		const char *method;
		int ids;
		const char *tail;
		const char *body;
	} routes[] = {
		{ "GET", 0, "", NULL },
		{ "POST", 0, "", "{\"config\":{\"url\":\"" HOOK_URL "\"}}" },
		{ "GET", 1, "", NULL },
		{ "PATCH", 1, "", "{\"active\":false}" },
		{ "DELETE", 1, "", NULL },
		{ "POST", 1, "/pings", NULL },
		{ "GET", 1, "/deliveries", NULL },
		{ "GET", 2, "", NULL },
		{ "POST", 2, "/attempts", NULL },
	};
	struct buf path = BUF_INIT;
	struct http_response r;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/hooks", w->path);
		if (routes[i].ids >= 1)
			buf_printf(&path, "/%lld", hook);
		if (routes[i].ids == 2)
			buf_printf(&path, "/deliveries/%lld", delivery);
		buf_puts(&path, routes[i].tail);
		http_call(&r, routes[i].method, path.data, token, routes[i].body, NULL);
		ck_assert_msg(r.status == expect, "%s %s: expected %ld, got %ld %s", routes[i].method,
		    path.data, expect, r.status, r.body);
		if (message)
			ck_assert_str_eq(message_of(&r), message);
		http_response_release(&r);
	}
	buf_release(&path);
}

START_TEST(admin_access_only)
{
	struct test_repo w;
	char pusher[40], reader[40], admin[40];
	char *push_token, *pull_token, *admin_token;
	long long hook, delivery;
	json_t *h;

	world_make(&w, false);
	push_token = add_collaborator(&w, "push", pusher);
	pull_token = add_collaborator(&w, "pull", reader);
	admin_token = add_collaborator(&w, "admin", admin);
	hook = create_simple_hook(&w);
	ping(&w, hook);
	delivery = newest_delivery(hook);
	sql_exec("UPDATE deliveries SET status = 'delivered' WHERE id = %lld", delivery);

	every_hook_route(&w, push_token, hook, delivery, 403, ADMIN_MESSAGE);
	every_hook_route(&w, pull_token, hook, delivery, 403, ADMIN_MESSAGE);
	every_hook_route(&w, NULL, hook, delivery, 401, NULL);
	/* The owner, with a token whose scopes do not cover code: 404. */
	{
		const char *dep[] = { "token", "create", w.owner, "--scopes", "repo_deployment", NULL };
		char *deploy_only = deployctl(dep);

		every_hook_route(&w, deploy_only, hook, delivery, 404, "Not Found");
		free(deploy_only);
	}
	/* Nothing was written by any of them. */
	ck_assert_int_eq(rows_of(&w, "hooks"), 1);
	ck_assert_int_eq(rows_of(&w, "deliveries"), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM hooks WHERE id = %lld AND active", hook), 1);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM deliveries WHERE id = %lld AND "
	    "status = 'delivered' AND NOT redelivery", delivery), 1);

	/* An admin collaborator may. */
	h = call_as(admin_token, "GET", w.path, NULL, 200);
	json_decref(h);
	{
		struct buf path = BUF_INIT;

		buf_printf(&path, "%s/hooks", w.path);
		json_decref(call_as(admin_token, "POST", path.data,
		    "{\"config\":{\"url\":\"" HOOK_URL "\"}}", 201));
		json_decref(call_as(admin_token, "GET", path.data, NULL, 200));
		buf_release(&path);
	}
	ck_assert_int_eq(rows_of(&w, "hooks"), 2);
	free(push_token);
	free(pull_token);
	free(admin_token);
}
END_TEST

/*
 * On a private repository: a collaborator, who can see the repository, is
 * told it needs admin rights (403, as semantics.md's "visible but not
 * writable"); a user with no access, or no user, gets 404; nothing is
 * written.
 */
START_TEST(private_repository_hides_hooks)
{
	struct test_repo w;
	char pusher[40], reader[40], outsider[40];
	char *push_token, *pull_token, *outsider_token;
	long long hook, delivery;

	world_make(&w, true);
	push_token = add_collaborator(&w, "push", pusher);
	pull_token = add_collaborator(&w, "pull", reader);
	outsider_token = make_user_with_token("out", "repo", outsider);
	hook = create_simple_hook(&w);
	ping(&w, hook);
	delivery = newest_delivery(hook);

	every_hook_route(&w, push_token, hook, delivery, 403, ADMIN_MESSAGE);
	every_hook_route(&w, outsider_token, hook, delivery, 404, "Not Found");
	every_hook_route(&w, NULL, hook, delivery, 404, "Not Found");
	every_hook_route(&w, pull_token, hook, delivery, 403, ADMIN_MESSAGE);
	ck_assert_int_eq(rows_of(&w, "hooks"), 1);
	ck_assert_int_eq(rows_of(&w, "deliveries"), 1);
	free(push_token);
	free(pull_token);
	free(outsider_token);
}
END_TEST

/* ------------------------------------------------------ pings, deliveries */

START_TEST(ping_queues_a_pending_delivery)
{
	struct test_repo w;
	json_t *list, *d, *detail, *request, *payload, *hook, *response;
	long long id, did;
	char *status;

	world_make(&w, false);
	id = create_hook(&w, "{\"events\":[\"deployment\"],\"config\":{\"url\":\"" HOOK_URL "\","
	    "\"content_type\":\"json\",\"secret\":\"" SECRET "\"}}");
	list = call(&w, "GET", 200, NULL, "/hooks/%lld/deliveries", id);
	ck_assert_uint_eq(json_array_size(list), 0);
	json_decref(list);

	ping(&w, id);
	ck_assert_int_eq(rows_of(&w, "deliveries"), 1);
	did = newest_delivery(id);
	status = sql_text("SELECT status || ' ' || event || ' ' || attempts FROM deliveries "
	    "WHERE id = %lld", did);
	ck_assert_str_eq(status, "pending ping 0");
	free(status);
	/* A ping goes straight to deliveries, not through the outbox. */
	ck_assert_int_eq(rows_of(&w, "outbox"), 0);

	list = call(&w, "GET", 200, NULL, "/hooks/%lld/deliveries", id);
	ck_assert_uint_eq(json_array_size(list), 1);
	d = json_array_get(list, 0);
	ck_assert_int_eq(json_int(d, "id"), did);
	ck_assert_uint_eq(strlen(json_str(d, "guid")), 36);
	ck_assert_str_eq(json_str(d, "event"), "ping");
	ck_assert(json_is_null(json_object_get(d, "action")));
	ck_assert(json_is_false(json_object_get(d, "redelivery")));
	ck_assert_str_eq(json_str(d, "status"), "Pending");
	ck_assert_int_eq(json_int(d, "status_code"), 0);
	ck_assert(json_is_number(json_object_get(d, "duration")));
	ck_assert(is_iso_seconds(json_str(d, "delivered_at")));
	ck_assert(json_is_null(json_object_get(d, "installation_id")));
	ck_assert_int_eq(json_int(d, "repository_id"), w.id);
	ck_assert(json_is_null(json_object_get(d, "throttled_at")));
	ck_assert_ptr_null(json_object_get(d, "request"));

	detail = call(&w, "GET", 200, NULL, "/hooks/%lld/deliveries/%lld", id, did);
	ck_assert_str_eq(json_str(detail, "guid"), json_str(d, "guid"));
	ck_assert_str_eq(json_str(detail, "event"), "ping");
	request = json_object_get(detail, "request");
	ck_assert(json_is_object(request));
	ck_assert(json_is_object(json_object_get(request, "headers")));
	payload = json_object_get(request, "payload");
	ck_assert_msg(json_is_object(payload), "request.payload is not an object");
	ck_assert_uint_gt(strlen(json_str(payload, "zen")), 0);
	ck_assert_int_eq(json_int(payload, "hook_id"), id);
	hook = json_object_get(payload, "hook");
	ck_assert(json_is_object(hook));
	ck_assert_int_eq(json_int(hook, "id"), id);
	ck_assert_str_eq(json_str(hook, "type"), "Repository");
	ck_assert_str_eq(json_str(hook, "name"), "web");
	assert_events(hook, "deployment");
	ck_assert_str_eq(json_str(json_object_get(hook, "config"), "url"), HOOK_URL);
	ck_assert_str_eq(json_str(json_object_get(hook, "config"), "content_type"), "json");
	ck_assert_str_eq(json_str(json_object_get(hook, "config"), "secret"), "********");
	ck_assert(is_iso_seconds(json_str(hook, "created_at")));
	ck_assert_str_eq(json_str(json_object_get(payload, "repository"), "full_name"), w.full);
	ck_assert_int_eq(json_int(json_object_get(payload, "repository"), "id"), w.id);
	ck_assert_str_eq(json_str(json_object_get(payload, "sender"), "login"), w.owner);
	response = json_object_get(detail, "response");
	ck_assert(json_is_object(response));
	ck_assert(json_is_object(json_object_get(response, "headers")));
	json_decref(detail);
	json_decref(list);

	/* The hook was pinged, not yet answered: still "unused". */
	hook = call(&w, "GET", 200, NULL, "/hooks/%lld", id);
	ck_assert(json_is_null(json_object_get(json_object_get(hook, "last_response"), "code")));
	json_decref(hook);

	/* An inactive hook can still be pinged (as GitHub's). */
	json_decref(call(&w, "PATCH", 200, "{\"active\":false}", "/hooks/%lld", id));
	ping(&w, id);
	ck_assert_int_eq(rows_of(&w, "deliveries"), 2);
	json_decref(call(&w, "POST", 404, NULL, "/hooks/%lld/pings", id + 1000000));
	json_decref(call(&w, "GET", 404, NULL, "/hooks/%lld/deliveries/%lld", id, did + 1000000));
}
END_TEST

START_TEST(redelivery_is_a_new_delivery_with_the_guid)
{
	struct test_repo w;
	json_t *d, *accepted;
	long long id, did, redelivered;
	char *guid, *row;

	world_make(&w, false);
	id = create_simple_hook(&w);
	ping(&w, id);
	did = newest_delivery(id);
	guid = sql_text("SELECT guid FROM deliveries WHERE id = %lld", did);

	/* As if deploy-dispatch had delivered it. */
	sql_exec("UPDATE deliveries SET status = 'delivered', attempts = 1, delivered_at = now(), "
	    "status_code = 200, duration_ms = 12 WHERE id = %lld", did);
	d = call(&w, "GET", 200, NULL, "/hooks/%lld/deliveries/%lld", id, did);
	ck_assert_str_eq(json_str(d, "guid"), guid);
	ck_assert(json_is_false(json_object_get(d, "redelivery")));
	ck_assert_str_eq(json_str(d, "status"), "OK");
	ck_assert_int_eq(json_int(d, "status_code"), 200);
	json_decref(d);

	accepted = call(&w, "POST", 202, NULL, "/hooks/%lld/deliveries/%lld/attempts", id, did);
	ck_assert(json_is_object(accepted));
	json_decref(accepted);
	/* A delivery of its own, listed first: new id, same guid, pending;
	 * the original keeps its record. */
	redelivered = newest_delivery(id);
	ck_assert_int_gt(redelivered, did);
	row = sql_text("SELECT status || ' ' || redelivery || ' ' || guid || ' ' || attempts"
	    " FROM deliveries WHERE id = %lld", redelivered);
	{
		struct buf expected = BUF_INIT;

		buf_printf(&expected, "pending true %s 0", guid);
		ck_assert_str_eq(row, expected.data);
		buf_release(&expected);
	}
	free(row);
	ck_assert_int_eq(rows_of(&w, "deliveries"), 2);
	ck_assert_int_eq(sql_int("SELECT count(*) FROM delivery_queue WHERE delivery_id = %lld"
	    " AND deployment_id IS NULL", redelivered), 1);
	d = call(&w, "GET", 200, NULL, "/hooks/%lld/deliveries/%lld", id, did);
	ck_assert(json_is_false(json_object_get(d, "redelivery")));
	ck_assert_str_eq(json_str(d, "status"), "OK");
	ck_assert_int_eq(json_int(d, "status_code"), 200);
	json_decref(d);
	d = call(&w, "GET", 200, NULL, "/hooks/%lld/deliveries", id);
	ck_assert_uint_eq(json_array_size(d), 2);
	ck_assert_int_eq(json_int(json_array_get(d, 0), "id"), redelivered);
	ck_assert(json_is_true(json_object_get(json_array_get(d, 0), "redelivery")));
	ck_assert_str_eq(json_str(json_array_get(d, 0), "guid"), guid);
	ck_assert_str_eq(json_str(json_array_get(d, 0), "status"), "Pending");
	ck_assert_int_eq(json_int(json_array_get(d, 1), "id"), did);
	ck_assert(json_is_false(json_object_get(json_array_get(d, 1), "redelivery")));
	json_decref(d);

	/* Any delivery may be replayed, a pending one or a redelivery too:
	 * each time a new one under the same guid. */
	json_decref(call(&w, "POST", 202, NULL, "/hooks/%lld/deliveries/%lld/attempts", id,
	    redelivered));
	ck_assert_int_eq(rows_of(&w, "deliveries"), 3);
	ck_assert_int_eq(sql_int("SELECT count(DISTINCT guid) FROM deliveries WHERE hook_id = %lld",
	    id), 1);

	json_decref(call(&w, "POST", 404, NULL, "/hooks/%lld/deliveries/%lld/attempts", id,
	    did + 1000000));
	free(guid);
}
END_TEST

START_TEST(deliveries_belong_to_their_hook)
{
	struct test_repo w, other;
	long long a, b, d, o;
	json_t *list;

	world_make(&w, false);
	world_make(&other, false);
	a = create_simple_hook(&w);
	b = create_simple_hook(&w);
	o = create_simple_hook(&other);
	ping(&w, a);
	d = newest_delivery(a);
	sql_exec("UPDATE deliveries SET status = 'delivered' WHERE id = %lld", d);

	json_decref(call(&w, "GET", 200, NULL, "/hooks/%lld/deliveries/%lld", a, d));
	json_decref(call(&w, "GET", 404, NULL, "/hooks/%lld/deliveries/%lld", b, d));
	json_decref(call(&w, "POST", 404, NULL, "/hooks/%lld/deliveries/%lld/attempts", b, d));
	list = call(&w, "GET", 200, NULL, "/hooks/%lld/deliveries", b);
	ck_assert_uint_eq(json_array_size(list), 0);
	json_decref(list);
	/* Another repository's path, with its own hook or with ours. */
	json_decref(call(&other, "GET", 404, NULL, "/hooks/%lld/deliveries/%lld", o, d));
	json_decref(call(&other, "GET", 404, NULL, "/hooks/%lld/deliveries/%lld", a, d));
	json_decref(call(&other, "POST", 404, NULL, "/hooks/%lld/deliveries/%lld/attempts", o, d));
	json_decref(call(&other, "GET", 404, NULL, "/hooks/%lld/deliveries", a));
	/* The 404s redelivered nothing. */
	ck_assert_int_eq(sql_int("SELECT count(*) FROM deliveries WHERE id = %lld AND "
	    "status = 'delivered' AND NOT redelivery", d), 1);
}
END_TEST

/* GETs a deliveries page (the path printf-style) and asserts it lists
 * exactly ids[newest] down to ids[oldest] (nothing when newest < oldest);
 * returns its Link header (owned, NULL when absent). */
static char *
expect_delivery_page(const struct test_repo *w, const long long *ids, int newest, int oldest,
    const char *fmt, ...)
{
	struct http_response r;
	struct buf path = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
	va_list ap;
	char *link;

	va_start(ap, fmt);
	buf_vprintf(&path, fmt, ap);
	va_end(ap);
	http_call(&r, "GET", path.data, w->token, NULL, NULL);
	ck_assert_msg(r.status == 200, "GET %s: %ld %s", path.data, r.status, r.body);
	ck_assert(json_is_array(r.json));
	for (size_t i = 0; i < json_array_size(r.json); i++)
		buf_printf(&got, "%s%lld", i ? "," : "", json_int(json_array_get(r.json, i), "id"));
	for (int i = newest; i >= oldest; i--)
		buf_printf(&want, "%s%lld", i < newest ? "," : "", ids[i]);
	ck_assert_msg(strcmp(buf_cstr(&got), buf_cstr(&want)) == 0, "GET %s: ids %s, expected %s",
	    path.data, buf_cstr(&got), buf_cstr(&want));
	link = http_header(&r, "Link");
	http_response_release(&r);
	buf_release(&path);
	buf_release(&got);
	buf_release(&want);
	return link;
}

START_TEST(deliveries_pagination)
{
	struct test_repo w;
	long long hook, ids[5];
	char *link, *next;

	world_make(&w, false);
	hook = create_simple_hook(&w);
	for (int i = 0; i < 5; i++) {
		ping(&w, hook);
		ids[i] = newest_delivery(hook);
	}

	/* Everything fits: newest first, no Link. */
	link = expect_delivery_page(&w, ids, 4, 0, "%s/hooks/%lld/deliveries", w.path, hook);
	ck_assert_ptr_null(link);

	link = expect_delivery_page(&w, ids, 4, 3, "%s/hooks/%lld/deliveries?per_page=2", w.path,
	    hook);
	ck_assert_ptr_nonnull(link);
	ck_assert_ptr_null(strstr(link, "rel=\"prev\""));
	ck_assert_ptr_nonnull(strstr(link, "rel=\"last\""));
	next = link_url(link, "next", NULL);
	ck_assert_msg(next != NULL, "no next in %s", link);
	free(link);

	/* The next link, as a client follows it. */
	link = expect_delivery_page(&w, ids, 2, 1, "%s", url_path(next));
	free(next);
	next = link_url(link, "next", NULL);
	ck_assert_ptr_nonnull(next);
	ck_assert_ptr_nonnull(strstr(link, "rel=\"prev\""));
	free(link);
	link = expect_delivery_page(&w, ids, 0, 0, "%s", url_path(next));
	ck_assert_ptr_null(strstr(link, "rel=\"next\""));
	free(next);
	free(link);

	/* page=N without the hint, as a client that builds URLs itself. */
	free(expect_delivery_page(&w, ids, 2, 1, "%s/hooks/%lld/deliveries?per_page=2&page=2",
	    w.path, hook));
	free(expect_delivery_page(&w, ids, -1, 0, "%s/hooks/%lld/deliveries?per_page=2&page=4",
	    w.path, hook));
}
END_TEST

/* ------------------------------------------------------------- dispatch */

static void
dispatch_as(const struct test_repo *w, const char *token, const char *body, long expect,
    const char *message)
{
	struct buf path = BUF_INIT;
	struct http_response r;

	buf_printf(&path, "%s/dispatches", w->path);
	http_call(&r, "POST", path.data, token, body, NULL);
	ck_assert_msg(r.status == expect, "POST %s %.200s: expected %ld, got %ld %s", path.data,
	    body, expect, r.status, r.body);
	if (expect == 204)
		ck_assert_uint_eq(r.body_len, 0);
	if (message)
		ck_assert_str_eq(message_of(&r), message);
	http_response_release(&r);
	buf_release(&path);
}

/* The payload of the newest outbox row of w, parsed. */
static json_t *
newest_outbox_payload(const struct test_repo *w)
{
	char *text = outbox_body(sql_int("SELECT id FROM outbox WHERE repository_id = %lld "
	    "ORDER BY id DESC LIMIT 1", w->id));
	json_t *payload = json_loads(text, 0, NULL);

	ck_assert_msg(payload != NULL, "outbox payload is not JSON: %s", text);
	free(text);
	return payload;
}

/* {"event_type":event_type,"client_payload":cp} as compact JSON text
 * (newly allocated); cp is borrowed. */
static char *
dispatch_body(const char *event_type, json_t *cp)
{
	json_t *body = json_pack("{s:s,s:O}", "event_type", event_type, "client_payload", cp);
	char *text = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	return text;
}

/* Dispatches an event_type of n times character (a UTF-8 sequence). */
static void
dispatch_event_type(const struct test_repo *w, const char *character, int n, long expect)
{
	struct buf body = BUF_INIT;

	buf_puts(&body, "{\"event_type\":\"");
	for (int i = 0; i < n; i++)
		buf_puts(&body, character);
	buf_puts(&body, "\"}");
	dispatch_as(w, w->token, body.data, expect, NULL);
	buf_release(&body);
}

/* Dispatches event_type with client_payload cp (stolen). */
static void
dispatch_payload(const struct test_repo *w, const char *event_type, json_t *cp, long expect,
    const char *message)
{
	char *text = dispatch_body(event_type, cp);

	dispatch_as(w, w->token, text, expect, message);
	free(text);
	json_decref(cp);
}

/* A client_payload of n keys, "k0": 0 to "k<n-1>": n - 1. */
static json_t *
payload_of_keys(int n)
{
	json_t *cp = json_object();

	for (int i = 0; i < n; i++) {
		char key[16];

		snprintf(key, sizeof(key), "k%d", i);
		json_object_set_new(cp, key, json_integer(i));
	}
	return cp;
}

/* {"big": n times fill}. */
static json_t *
payload_of_length(size_t n, char fill)
{
	char *big = malloc(n + 1);
	json_t *cp;

	ck_assert_ptr_nonnull(big);
	memset(big, fill, n);
	big[n] = '\0';
	cp = json_pack("{s:s}", "big", big);
	free(big);
	return cp;
}

START_TEST(dispatch_queues_a_repository_dispatch_event)
{
	struct test_repo w;
	json_t *payload, *expected_cp;
	char *row;

	world_make_branch(&w, false, "trunk");
	dispatch_as(&w, w.token, "{\"event_type\":\"on-demand-test\",\"client_payload\":"
	    "{\"unit\":false,\"integration\":true,\"nested\":{\"list\":[1,\"two\",null]}}}", 204, NULL);
	ck_assert_int_eq(rows_of(&w, "outbox"), 1);
	row = sql_text("SELECT event || '|' || coalesce(action, '(null)') || '|' || "
	    "coalesce(deployment_id::text, '(null)') FROM outbox WHERE repository_id = %lld",
	    w.id);
	ck_assert_str_eq(row, "repository_dispatch|on-demand-test|(null)");
	free(row);

	payload = newest_outbox_payload(&w);
	ck_assert_str_eq(json_str(payload, "action"), "on-demand-test");
	ck_assert_str_eq(json_str(payload, "branch"), "trunk");
	expected_cp = json_loads("{\"unit\":false,\"integration\":true,"
	    "\"nested\":{\"list\":[1,\"two\",null]}}", 0, NULL);
	ck_assert_msg(json_equal(json_object_get(payload, "client_payload"), expected_cp),
	    "client_payload changed on the way");
	json_decref(expected_cp);
	ck_assert_str_eq(json_str(json_object_get(payload, "repository"), "full_name"), w.full);
	ck_assert_int_eq(json_int(json_object_get(payload, "repository"), "id"), w.id);
	ck_assert_str_eq(json_str(json_object_get(payload, "repository"), "default_branch"), "trunk");
	ck_assert_str_eq(json_str(json_object_get(payload, "sender"), "login"), w.owner);
	/* Only GitHub Apps receive installation (docs/architecture.md). */
	ck_assert_ptr_null(json_object_get(payload, "installation"));
	json_decref(payload);

	/* Without client_payload: null; an empty object stays an object. */
	dispatch_as(&w, w.token, "{\"event_type\":\"bare\"}", 204, NULL);
	payload = newest_outbox_payload(&w);
	ck_assert_str_eq(json_str(payload, "action"), "bare");
	ck_assert_msg(json_object_get(payload, "client_payload") != NULL, "client_payload missing");
	ck_assert(json_is_null(json_object_get(payload, "client_payload")));
	json_decref(payload);
	dispatch_as(&w, w.token, "{\"event_type\":\"empty\",\"client_payload\":{}}", 204, NULL);
	payload = newest_outbox_payload(&w);
	ck_assert(json_is_object(json_object_get(payload, "client_payload")));
	ck_assert_uint_eq(json_object_size(json_object_get(payload, "client_payload")), 0);
	json_decref(payload);
	ck_assert_int_eq(rows_of(&w, "outbox"), 3);
	/* No hook is involved yet: the dispatcher fans out. */
	ck_assert_int_eq(rows_of(&w, "deliveries"), 0);
}
END_TEST

START_TEST(dispatch_limits)
{
	struct test_repo w;
	json_t *cp;
	char *text;

	world_make(&w, false);
	/* event_type: 100 characters (not bytes) pass. */
	dispatch_event_type(&w, "a", 100, 204);
	dispatch_event_type(&w, "\xc3\xa9", 100, 204);

	/* client_payload: 10 keys, and just under 64 KiB serialised, pass. */
	dispatch_payload(&w, "ten", payload_of_keys(10), 204, NULL);
	cp = payload_of_length(64 * 1024 - 1 - strlen("{\"big\":\"\"}"), 'x');
	text = json_dumps(cp, JSON_COMPACT);
	ck_assert_uint_eq(strlen(text), 64 * 1024 - 1);
	free(text);
	dispatch_payload(&w, "big", cp, 204, NULL);
	ck_assert_int_eq(rows_of(&w, "outbox"), 4);
}
END_TEST

START_TEST(dispatch_validation_writes_nothing)
{
	struct test_repo w;
	static const char *const bad_event_type[] = {
		"{}",
		"{\"client_payload\":{}}",
		"{\"event_type\":\"\"}",
		"{\"event_type\":null}",
		"{\"event_type\":42}",
		"{\"event_type\":[\"a\"]}",
	};
	static const char *const not_an_object[] = {
		"{\"event_type\":\"x\",\"client_payload\":[1,2]}",
		"{\"event_type\":\"x\",\"client_payload\":\"text\"}",
		"{\"event_type\":\"x\",\"client_payload\":5}",
		"{\"event_type\":\"x\",\"client_payload\":true}",
	};

	world_make(&w, false);
	for (size_t i = 0; i < sizeof(bad_event_type) / sizeof(bad_event_type[0]); i++)
		dispatch_as(&w, w.token, bad_event_type[i], 422, NULL);
	for (size_t i = 0; i < sizeof(not_an_object) / sizeof(not_an_object[0]); i++)
		dispatch_as(&w, w.token, not_an_object[i], 422, NULL);

	/* 101 characters. */
	dispatch_event_type(&w, "a", 101, 422);

	/* 11 top-level keys. */
	dispatch_payload(&w, "eleven", payload_of_keys(11), 422,
	    "No more than 10 properties are allowed; 11 were supplied.");

	/* Exactly 64 KiB serialised, and well over it. */
	dispatch_payload(&w, "big", payload_of_length(64 * 1024 - strlen("{\"big\":\"\"}"), 'x'),
	    422, "client_payload is too large.");
	dispatch_payload(&w, "bigger", payload_of_length(100 * 1024, 'y'), 422,
	    "client_payload is too large.");

	/* Not JSON: 400. */
	dispatch_as(&w, w.token, "{\"event_type\":", 400, "Problems parsing JSON");

	ck_assert_int_eq(rows_of(&w, "outbox"), 0);
}
END_TEST

START_TEST(dispatch_needs_push_access)
{
	struct test_repo w, priv;
	char reader[40], pusher[40], outsider[40], reader2[40];
	char *pull_token, *push_token, *outsider_token, *pull_private;
	json_t *payload;

	world_make(&w, false);
	world_make(&priv, true);
	pull_token = add_collaborator(&w, "pull", reader);
	push_token = add_collaborator(&w, "push", pusher);
	pull_private = add_collaborator(&priv, "pull", reader2);
	outsider_token = make_user_with_token("out", "repo", outsider);

	dispatch_as(&w, pull_token, "{\"event_type\":\"x\"}", 403, PUSH_MESSAGE);
	dispatch_as(&w, outsider_token, "{\"event_type\":\"x\"}", 403, PUSH_MESSAGE);
	dispatch_as(&w, NULL, "{\"event_type\":\"x\"}", 401, NULL);
	dispatch_as(&priv, pull_private, "{\"event_type\":\"x\"}", 403, PUSH_MESSAGE);
	dispatch_as(&priv, outsider_token, "{\"event_type\":\"x\"}", 404, "Not Found");
	ck_assert_int_eq(rows_of(&w, "outbox"), 0);
	ck_assert_int_eq(rows_of(&priv, "outbox"), 0);

	/* A push collaborator may; the sender is who asked. */
	dispatch_as(&w, push_token, "{\"event_type\":\"x\"}", 204, NULL);
	ck_assert_int_eq(rows_of(&w, "outbox"), 1);
	payload = newest_outbox_payload(&w);
	ck_assert_str_eq(json_str(json_object_get(payload, "sender"), "login"), pusher);
	json_decref(payload);
	free(pull_token);
	free(push_token);
	free(pull_private);
	free(outsider_token);
}
END_TEST

/* ------------------------------------------------------------ deployctl */

START_TEST(deployctl_hook_create)
{
	struct test_repo w;
	const char *args[] = { "hook", "create", w.full, "--url", HOOK_URL, "--secret", SECRET,
		"--events", "deployment,deployment_status", "--content-type", "json", NULL };
	const char *plain[] = { "hook", "create", w.full, "--url", "http://plain.example.com/", NULL };
	json_t *h, *config;
	char *out;
	long long id;

	world_make(&w, false);
	out = deployctl(args);
	ck_assert_msg(out[0] != '\0' && strspn(out, "0123456789") == strlen(out),
	    "deployctl hook create printed \"%s\"", out);
	id = strtoll(out, NULL, 10);
	free(out);

	h = call(&w, "GET", 200, NULL, "/hooks/%lld", id);
	ck_assert_int_eq(json_int(h, "id"), id);
	assert_events(h, "deployment,deployment_status");
	ck_assert(json_is_true(json_object_get(h, "active")));
	config = json_object_get(h, "config");
	ck_assert_str_eq(json_str(config, "url"), HOOK_URL);
	ck_assert_str_eq(json_str(config, "content_type"), "json");
	ck_assert_str_eq(json_str(config, "secret"), "********");
	ck_assert_str_eq(json_str(config, "insecure_ssl"), "0");
	json_decref(h);
	h = call(&w, "GET", 200, NULL, "/hooks");
	ck_assert_uint_eq(json_array_size(h), 1);
	json_decref(h);

	/* The defaults: every event, form, no secret. */
	out = deployctl(plain);
	id = strtoll(out, NULL, 10);
	free(out);
	h = call(&w, "GET", 200, NULL, "/hooks/%lld", id);
	assert_events(h, "*");
	ck_assert_str_eq(json_str(json_object_get(h, "config"), "content_type"), "form");
	ck_assert_ptr_null(json_object_get(json_object_get(h, "config"), "secret"));
	json_decref(h);
}
END_TEST

struct outbox_status {
	long long outbox_pending, outbox_oldest_seconds, deliveries_pending,
	    deliveries_oldest_seconds, deliveries_failed;
};

/* deployctl outbox status, parsed; asserts its exact shape: one line, the
 * five keys in order, non-negative integers. */
static void
outbox_status(struct outbox_status *s)
{
	static const char *const keys[] = {
		"outbox_pending", "outbox_oldest_seconds", "deliveries_pending",
		"deliveries_oldest_seconds", "deliveries_failed",
	};
	const char *args[] = { "outbox", "status", NULL };
	long long *fields[] = {
		&s->outbox_pending, &s->outbox_oldest_seconds, &s->deliveries_pending,
		&s->deliveries_oldest_seconds, &s->deliveries_failed,
	};
	char *out = deployctl(args);
	const char *p = out;

	ck_assert_msg(strchr(out, '\n') == NULL, "more than one line: %s", out);
	for (size_t i = 0; i < 5; i++) {
		size_t k = strlen(keys[i]);
		char *end;

		ck_assert_msg(strncmp(p, keys[i], k) == 0 && p[k] == '=', "expected %s= at \"%s\" in %s",
		    keys[i], p, out);
		p += k + 1;
		ck_assert_msg(isdigit((unsigned char)*p), "%s is not a number in %s", keys[i], out);
		*fields[i] = strtoll(p, &end, 10);
		p = end;
		if (i < 4) {
			ck_assert_msg(*p == ' ', "expected one space after %s in %s", keys[i], out);
			p++;
		}
	}
	ck_assert_msg(*p == '\0', "trailing text in %s", out);
	free(out);
}

START_TEST(deployctl_outbox_status)
{
	struct test_repo w;
	struct outbox_status s0, s;
	long long hook, d1, d2;

	world_make(&w, false);
	hook = create_simple_hook(&w);
	outbox_status(&s0);

	dispatch_as(&w, w.token, "{\"event_type\":\"one\"}", 204, NULL);
	dispatch_as(&w, w.token, "{\"event_type\":\"two\"}", 204, NULL);
	outbox_status(&s);
	ck_assert_int_eq(s.outbox_pending, s0.outbox_pending + 2);
	ck_assert_int_eq(s.deliveries_pending, s0.deliveries_pending);
	ck_assert_int_eq(s.deliveries_failed, s0.deliveries_failed);

	/* The oldest event's age. */
	sql_exec("UPDATE outbox SET created_at = now() - interval '1 day' WHERE repository_id = %lld "
	    "AND action = 'one'", w.id);
	outbox_status(&s);
	ck_assert_int_ge(s.outbox_oldest_seconds, 86400);

	ping(&w, hook);
	d1 = newest_delivery(hook);
	ping(&w, hook);
	d2 = newest_delivery(hook);
	outbox_status(&s);
	ck_assert_int_eq(s.deliveries_pending, s0.deliveries_pending + 2);
	sql_exec("UPDATE deliveries SET created_at = now() - interval '1 hour' WHERE id = %lld", d1);
	outbox_status(&s);
	ck_assert_int_ge(s.deliveries_oldest_seconds, 3600);

	/* One fails, one is delivered. */
	sql_exec("UPDATE deliveries SET status = 'failed', attempts = 5 WHERE id = %lld", d1);
	sql_exec("UPDATE deliveries SET status = 'delivered', delivered_at = now() WHERE id = %lld", d2);
	outbox_status(&s);
	ck_assert_int_eq(s.deliveries_pending, s0.deliveries_pending);
	ck_assert_int_eq(s.deliveries_failed, s0.deliveries_failed + 1);
	ck_assert_int_eq(s.outbox_pending, s0.outbox_pending + 2);

	/* Redelivering the failed one queues a new delivery; the failed one
	 * keeps its record. */
	json_decref(call(&w, "POST", 202, NULL, "/hooks/%lld/deliveries/%lld/attempts", hook, d1));
	outbox_status(&s);
	ck_assert_int_eq(s.deliveries_pending, s0.deliveries_pending + 1);
	ck_assert_int_eq(s.deliveries_failed, s0.deliveries_failed + 1);

	/* As if deploy-dispatch had fanned the events out. */
	sql_exec("DELETE FROM outbox WHERE repository_id = %lld", w.id);
	outbox_status(&s);
	ck_assert_int_eq(s.outbox_pending, s0.outbox_pending);
}
END_TEST

int
main(void)
{
	Suite *s = suite_of("hooks", tcase_of("hooks", 60, (const TTest *const[]){
		create_with_github_defaults, create_with_every_field_masks_the_secret, list_and_get,
		update_config_events_and_active, disabled_hook_says_why_until_made_active,
		update_config_without_secret_removes_it,
		update_validation_changes_nothing, delete_then_404, create_validation_writes_nothing,
		admin_access_only, private_repository_hides_hooks, NULL }),
	    tcase_of("deliveries", 60, (const TTest *const[]){
		ping_queues_a_pending_delivery, redelivery_is_a_new_delivery_with_the_guid,
		deliveries_belong_to_their_hook, deliveries_pagination, NULL }),
	    tcase_of("dispatch", 60, (const TTest *const[]){
		dispatch_queues_a_repository_dispatch_event, dispatch_limits,
		dispatch_validation_writes_nothing, dispatch_needs_push_access, NULL }),
	    tcase_of("deployctl", 60, (const TTest *const[]){
		deployctl_hook_create, deployctl_outbox_status, NULL }), NULL);

	return suite_failures(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
