/*
 * Routes and their matcher: a method and the decoded
 * path segments in, the route and its path parameters out. Patterns are
 * segment lists such as "/repos/:owner/:repo"; a ":name" segment matches
 * any one segment. HEAD is served by GET routes.
 */
#ifndef DEPLOY_ROUTER_H
#define DEPLOY_ROUTER_H

#include <stddef.h>

#include "access.h"
#include "util.h"

#define ROUTE_MAX_PARAMS 4

struct handler_ctx;
typedef void (*handler_fn)(struct handler_ctx *ctx);

struct route {
	const char *method;
	const char *pattern;
	handler_fn handler;
	enum route_access access;
	enum scope_class scope_class;
	const char *accepted_scopes;  /* X-Accepted-OAuth-Scopes */
	const char *id_sequence;      /* creates a row with an id from it */
	const char *documentation_url;
	const char *rate_resource;    /* X-RateLimit-Resource, a budget of its own; NULL: core */
	bool any_api_version;         /* X-GitHub-Api-Version accepted and ignored (GraphQL) */
	bool takes_undecodable;       /* routed with a REQUEST_UNDECODABLE segment (else 404) */
};

struct route_match {
	const struct route *route;
	size_t nparams;
	const char *names[ROUTE_MAX_PARAMS];   /* without the ':' */
	size_t name_lens[ROUTE_MAX_PARAMS];
	const char *values[ROUTE_MAX_PARAMS];  /* borrowed from the request */
};

/* 0 and m filled when a route matches; -1 when none does. */
int router_match(const struct route *table, size_t n, const char *method, char *const *segments,
    size_t nsegments, struct route_match *m) MUST_CHECK;

/* The value of path parameter name, or NULL. */
const char *route_param(const struct route_match *m, const char *name);

#endif
