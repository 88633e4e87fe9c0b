#include "config.h"

#include "access.h"

static bool
scopes_cover(unsigned scopes, bool repo_private, enum scope_class cls)
{
	if (scopes & SCOPE_REPO)
		return true;
	if ((scopes & SCOPE_PUBLIC_REPO) && !repo_private)
		return true;
	return (scopes & SCOPE_REPO_DEPLOYMENT) && cls == SCOPE_CLASS_DEPLOYMENTS;
}

enum access_verdict
access_decide(const struct access_request *a)
{
	bool authenticated = a->principal && a->principal->authenticated;
	enum permission perm = authenticated ? a->permission : PERMISSION_NONE;
	bool covers;

	switch (a->need) {
	case ROUTE_OPEN:
		return ACCESS_ALLOW;
	case ROUTE_USER:
		return authenticated ? ACCESS_ALLOW : ACCESS_REQUIRES_AUTH;
	case ROUTE_REPO_READ:
	case ROUTE_REPO_WRITE:
	case ROUTE_REPO_ADMIN:
	case ROUTE_REPO_ADMIN_OR_NOT_FOUND:
		break;
	}
	if (!a->repo_found)
		return ACCESS_NOT_FOUND;
	if (!a->repo_private && perm < PERMISSION_PULL)
		perm = PERMISSION_PULL;
	if (perm == PERMISSION_NONE)
		return ACCESS_NOT_FOUND;
	covers = authenticated && scopes_cover(a->principal->scopes, a->repo_private, a->scope_class);
	if (a->need == ROUTE_REPO_READ)
		return (a->repo_private && !covers) ? ACCESS_NOT_FOUND : ACCESS_ALLOW;
	if (!authenticated)
		return ACCESS_REQUIRES_AUTH;
	if (!covers)
		return ACCESS_NOT_FOUND;
	if (a->need == ROUTE_REPO_ADMIN)
		return perm >= PERMISSION_ADMIN ? ACCESS_ALLOW : ACCESS_NEEDS_ADMIN;
	if (a->need == ROUTE_REPO_ADMIN_OR_NOT_FOUND)
		return perm >= PERMISSION_ADMIN ? ACCESS_ALLOW : ACCESS_NOT_FOUND;
	return perm >= PERMISSION_PUSH ? ACCESS_ALLOW : ACCESS_NEEDS_PUSH;
}

const char *
access_verdict_message(enum access_verdict v, int *status)
{
	switch (v) {
	case ACCESS_REQUIRES_AUTH:
		*status = 401;
		return "Requires authentication";
	case ACCESS_NEEDS_PUSH:
		*status = 403;
		return "Must have push access to repository";
	case ACCESS_NEEDS_ADMIN:
		*status = 403;
		return "Must have admin rights to Repository.";
	case ACCESS_NOT_FOUND:
	case ACCESS_ALLOW:
		break;
	}
	*status = 404;
	return "Not Found";
}
