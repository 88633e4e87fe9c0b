#include "config.h"

#include "handler.h"
#include "router.h"

#define DOCS_REPOS DOCS_ROOT "/repos/repos"
#define DOCS_USERS DOCS_ROOT "/users/users"

/* The API, one line a route. Order matters only between patterns that
 * could match the same path: the first match wins. */
const struct route routes[] = {
	{ "GET", "/healthz", h_healthz, ROUTE_OPEN, SCOPE_CLASS_CODE, "", DOCS_ROOT },
	{ "GET", "/user", h_user_get, ROUTE_USER, SCOPE_CLASS_CODE, "",
	  DOCS_USERS "#get-the-authenticated-user" },
	{ "GET", "/repos/:owner/:repo", h_repository_get, ROUTE_REPO_READ, SCOPE_CLASS_CODE, "repo",
	  DOCS_REPOS "#get-a-repository" },
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
