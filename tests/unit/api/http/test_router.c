#include "config.h"

#include <string.h>

#include "handler.h"
#include "routes.h"
#include "unit.h"

#define SEGS(...) ((char *const[]){ __VA_ARGS__ })
#define NSEGS(...) (sizeof((char *const[]){ __VA_ARGS__ }) / sizeof(char *))
#define MATCH(table, n, method, m, ...) \
	router_match(table, n, method, SEGS(__VA_ARGS__), NSEGS(__VA_ARGS__), m)

static const struct route *
find_route(const char *method, const char *pattern)
{
	for (size_t i = 0; i < routes_count; i++)
		if (strcmp(routes[i].method, method) == 0 && strcmp(routes[i].pattern, pattern) == 0)
			return &routes[i];
	ck_abort_msg("no route %s %s in the table", method, pattern);
	return NULL;
}

START_TEST(test_real_table_shape)
{
	const struct route *r;

	ck_assert_uint_gt(routes_count, 0);
	for (size_t i = 0; i < routes_count; i++) {
		ck_assert_ptr_nonnull(routes[i].method);
		ck_assert_ptr_nonnull(routes[i].pattern);
		ck_assert_ptr_nonnull(routes[i].handler);
		ck_assert_ptr_nonnull(routes[i].accepted_scopes);
		ck_assert_ptr_nonnull(routes[i].documentation_url);
		ck_assert_int_eq(routes[i].pattern[0], '/');
		/* HEAD is served by GET routes; a HEAD route would never match. */
		ck_assert_str_ne(routes[i].method, "HEAD");
	}
	r = find_route("GET", "/healthz");
	ck_assert_int_eq(r->access, ROUTE_OPEN);
	ck_assert(r->handler == h_healthz);
	r = find_route("GET", "/user");
	ck_assert_int_eq(r->access, ROUTE_USER);
	ck_assert(r->handler == h_user_get);
	r = find_route("GET", "/repos/:owner/:repo");
	ck_assert_int_eq(r->access, ROUTE_REPO_READ);
	ck_assert(r->handler == h_repository_get);
}
END_TEST

START_TEST(test_real_table_matches)
{
	struct route_match m;

	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "healthz"), 0);
	ck_assert(m.route->handler == h_healthz);
	ck_assert_uint_eq(m.nparams, 0);

	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "user"), 0);
	ck_assert(m.route->handler == h_user_get);

	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "repos", "octo", "hello"), 0);
	ck_assert(m.route->handler == h_repository_get);
	ck_assert_uint_eq(m.nparams, 2);
	ck_assert_str_eq(route_param(&m, "owner"), "octo");
	ck_assert_str_eq(route_param(&m, "repo"), "hello");
	ck_assert_ptr_null(route_param(&m, "own"));
	ck_assert_ptr_null(route_param(&m, "owners"));
	ck_assert_ptr_null(route_param(&m, "Owner"));
	ck_assert_ptr_null(route_param(&m, ""));

	/* Literal segments after parameters. */
	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "repos", "o", "r", "deployments"), 0);
	ck_assert_str_eq(m.route->pattern, "/repos/:owner/:repo/deployments");
	ck_assert_int_eq(MATCH(routes, routes_count, "POST", &m, "repos", "o", "r", "deployments"),
	    0);
	ck_assert_str_eq(m.route->method, "POST");
	ck_assert_int_eq(m.route->access, ROUTE_REPO_WRITE);
	ck_assert_int_eq(MATCH(routes, routes_count, "DELETE", &m, "repos", "o", "r", "deployments",
	    "12"), 0);
	ck_assert_uint_eq(m.nparams, 3);
	ck_assert_str_eq(route_param(&m, "owner"), "o");
	ck_assert_str_eq(route_param(&m, "repo"), "r");
	ck_assert_str_eq(route_param(&m, "deployment_id"), "12");
	ck_assert_ptr_null(route_param(&m, "deployment"));

	/* Parameter values are borrowed, and may hold any decoded bytes. */
	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "repos", "a b", "c/d"), 0);
	ck_assert_str_eq(route_param(&m, "owner"), "a b");
	ck_assert_str_eq(route_param(&m, "repo"), "c/d");
}
END_TEST

START_TEST(test_real_table_head)
{
	struct route_match m;

	ck_assert_int_eq(MATCH(routes, routes_count, "HEAD", &m, "repos", "o", "r"), 0);
	ck_assert(m.route->handler == h_repository_get);
	ck_assert_str_eq(m.route->method, "GET");
	ck_assert_str_eq(route_param(&m, "repo"), "r");
	ck_assert_int_eq(MATCH(routes, routes_count, "HEAD", &m, "healthz"), 0);
}
END_TEST

START_TEST(test_real_table_misses)
{
	struct route_match m;

	/* Method mismatch: methods are exact and case-sensitive. */
	ck_assert_int_eq(MATCH(routes, routes_count, "POST", &m, "healthz"), -1);
	ck_assert_int_eq(MATCH(routes, routes_count, "TRACE", &m, "repos", "o", "r"), -1);
	ck_assert_int_eq(MATCH(routes, routes_count, "get", &m, "healthz"), -1);
	/* Trailing, missing and empty segments. */
	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "repos", "o", "r", "x"), -1);
	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "repos", "o"), -1);
	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "repos", "", "r"), -1);
	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "repos", "o", ""), -1);
	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "healthz", ""), -1);
	/* Literal segments are exact: no prefix, no case folding. */
	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "health"), -1);
	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "healthzz"), -1);
	ck_assert_int_eq(MATCH(routes, routes_count, "GET", &m, "Healthz"), -1);
	ck_assert_int_eq(router_match(routes, routes_count, "GET", NULL, 0, &m), -1);
	/* A miss leaves no stale route or parameters behind. */
	ck_assert_ptr_null(m.route);
	ck_assert_uint_eq(m.nparams, 0);
	ck_assert_ptr_null(route_param(&m, "owner"));
}
END_TEST

#define LOCAL(m, p) { .method = (m), .pattern = (p), .access = ROUTE_OPEN, \
	.accepted_scopes = "", .documentation_url = "" }

static const struct route local[] = {
	LOCAL("GET", "/"),
	LOCAL("GET", "/a/:x/b"),
	LOCAL("GET", "/a/literal/:y"),
	LOCAL("GET", "/a/:x/:y"),
	{ .method = "POST", .pattern = "/a/:z/:y", .access = ROUTE_USER,
	  .scope_class = SCOPE_CLASS_DEPLOYMENTS, .accepted_scopes = "repo", .documentation_url = "" },
	LOCAL("GET", "/four/:p1/:p2/:p3/:p4"),
	LOCAL("GET", "/five/:p1/:p2/:p3/:p4/:p5"),
	LOCAL("DELETE", "//slashes//:id//"),
};

START_TEST(test_local_root)
{
	struct route_match m;

	ck_assert_int_eq(router_match(local, ARRAY_SIZE(local), "GET", NULL, 0, &m), 0);
	ck_assert_ptr_eq(m.route, &local[0]);
	ck_assert_uint_eq(m.nparams, 0);
	ck_assert_int_eq(MATCH(local, ARRAY_SIZE(local), "GET", &m, "a"), -1);
}
END_TEST

START_TEST(test_local_first_match_wins)
{
	struct route_match m;

	/* "/a/:x/b" comes before "/a/:x/:y". */
	ck_assert_int_eq(MATCH(local, ARRAY_SIZE(local), "GET", &m, "a", "1", "b"), 0);
	ck_assert_ptr_eq(m.route, &local[1]);
	ck_assert_uint_eq(m.nparams, 1);
	ck_assert_str_eq(route_param(&m, "x"), "1");
	ck_assert_ptr_null(route_param(&m, "y"));

	/* "/a/:x/b" starts to match "a literal 2" then fails; the next route's
	 * parameters must not carry anything from that attempt. */
	ck_assert_int_eq(MATCH(local, ARRAY_SIZE(local), "GET", &m, "a", "literal", "2"), 0);
	ck_assert_ptr_eq(m.route, &local[2]);
	ck_assert_uint_eq(m.nparams, 1);
	ck_assert_str_eq(route_param(&m, "y"), "2");
	ck_assert_ptr_null(route_param(&m, "x"));

	ck_assert_int_eq(MATCH(local, ARRAY_SIZE(local), "GET", &m, "a", "1", "2"), 0);
	ck_assert_ptr_eq(m.route, &local[3]);
	ck_assert_uint_eq(m.nparams, 2);
	ck_assert_str_eq(route_param(&m, "x"), "1");
	ck_assert_str_eq(route_param(&m, "y"), "2");
}
END_TEST

START_TEST(test_local_method)
{
	struct route_match m;

	ck_assert_int_eq(MATCH(local, ARRAY_SIZE(local), "POST", &m, "a", "1", "b"), 0);
	ck_assert_ptr_eq(m.route, &local[4]);
	ck_assert_int_eq(m.route->access, ROUTE_USER);
	ck_assert_int_eq(m.route->scope_class, SCOPE_CLASS_DEPLOYMENTS);
	ck_assert_str_eq(route_param(&m, "z"), "1");
	ck_assert_str_eq(route_param(&m, "y"), "b");
	/* HEAD never reaches a POST route. */
	ck_assert_int_eq(MATCH(local, ARRAY_SIZE(local), "HEAD", &m, "a", "1", "b"), 0);
	ck_assert_ptr_eq(m.route, &local[1]);
	ck_assert_int_eq(MATCH(local, ARRAY_SIZE(local), "PUT", &m, "a", "1", "b"), -1);
}
END_TEST

START_TEST(test_local_param_limit)
{
	struct route_match m;

	ck_assert_int_eq(MATCH(local, ARRAY_SIZE(local), "GET", &m, "four", "1", "2", "3", "4"), 0);
	ck_assert_uint_eq(m.nparams, ROUTE_MAX_PARAMS);
	ck_assert_str_eq(route_param(&m, "p1"), "1");
	ck_assert_str_eq(route_param(&m, "p4"), "4");
	/* More parameters than a match can hold: the route never matches
	 * rather than dropping one. */
	ck_assert_int_eq(MATCH(local, ARRAY_SIZE(local), "GET", &m, "five", "1", "2", "3", "4", "5"),
	    -1);
}
END_TEST

START_TEST(test_local_pattern_slashes)
{
	struct route_match m;

	/* Repeated slashes in a pattern separate segments like one. */
	ck_assert_int_eq(MATCH(local, ARRAY_SIZE(local), "DELETE", &m, "slashes", "9"), 0);
	ck_assert_ptr_eq(m.route, &local[7]);
	ck_assert_str_eq(route_param(&m, "id"), "9");
	ck_assert_int_eq(MATCH(local, ARRAY_SIZE(local), "DELETE", &m, "slashes", "9", ""), -1);
}
END_TEST

START_TEST(test_empty_table)
{
	struct route_match m;

	ck_assert_int_eq(router_match(local, 0, "GET", NULL, 0, &m), -1);
	ck_assert_ptr_null(m.route);
}
END_TEST

Suite *
router_suite(void)
{
	return suite_of("router", tcase_of("routes", 0, (const TTest *const[]){
		test_real_table_shape, test_real_table_matches, test_real_table_head,
		test_real_table_misses, NULL }), tcase_of("local_table", 0, (const TTest *const[]){
		test_local_root, test_local_first_match_wins, test_local_method,
		test_local_param_limit, test_local_pattern_slashes, test_empty_table, NULL }), NULL);
}
