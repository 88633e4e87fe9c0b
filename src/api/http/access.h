/*
 * GitHub's access rules as one pure function: given who calls (principal,
 * scopes), the repository and the caller's permission on it, and what the
 * route needs, decide. Private repositories the caller cannot see are 404,
 * never 403, so their existence is not confirmed.
 */
#ifndef DEPLOY_ACCESS_H
#define DEPLOY_ACCESS_H

#include <stdbool.h>

#include "model.h"

enum route_access {
	ROUTE_OPEN,        /* no authentication at all (health checks) */
	ROUTE_USER,        /* any valid token */
	ROUTE_REPO_READ,   /* pull on the repository in the path */
	ROUTE_REPO_WRITE,  /* push */
	ROUTE_REPO_ADMIN,  /* admin */
	/* admin, and a caller without it is told 404, not 403, as GitHub
	 * answers environment writes */
	ROUTE_REPO_ADMIN_OR_NOT_FOUND,
};

/* Which scope besides repo/public_repo may grant a route. */
enum scope_class {
	SCOPE_CLASS_CODE,        /* repo, public_repo */
	SCOPE_CLASS_DEPLOYMENTS, /* also repo_deployment */
};

enum access_verdict {
	ACCESS_ALLOW,
	ACCESS_REQUIRES_AUTH,  /* 401 Requires authentication */
	ACCESS_NOT_FOUND,      /* 404 */
	ACCESS_NEEDS_PUSH,     /* 403 Must have push access to repository */
	ACCESS_NEEDS_ADMIN,    /* 403 Must have admin rights to Repository. */
};

struct access_request {
	enum route_access need;
	enum scope_class scope_class;
	const struct principal *principal;  /* authenticated or not */
	bool repo_found;
	bool repo_private;
	enum permission permission;         /* from collaborators/ownership */
};

enum access_verdict access_decide(const struct access_request *a);

/* GitHub's message for a verdict other than ACCESS_ALLOW, and its status
 * (401, 403 or 404) in *status. */
const char *access_verdict_message(enum access_verdict v, int *status);

#endif
