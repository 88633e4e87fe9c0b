#include "config.h"

#include "handler.h"
#include "router.h"

#define DOCS_REPOS DOCS_ROOT "/repos/repos"
#define DOCS_USERS DOCS_ROOT "/users/users"
#define DOCS_DEPLOYMENTS DOCS_ROOT "/deployments/deployments"
#define DOCS_STATUSES DOCS_ROOT "/deployments/statuses"

#define DEPLOYMENT_SCOPES "repo, repo_deployment"

/* The API, one entry a route. Order matters only between patterns that
 * could match the same path: the first match wins. */
const struct route routes[] = {
	{ .method = "GET", .pattern = "/healthz", .handler = h_healthz, .access = ROUTE_OPEN,
	  .accepted_scopes = "", .documentation_url = DOCS_ROOT },
	{ .method = "GET", .pattern = "/user", .handler = h_user_get, .access = ROUTE_USER,
	  .accepted_scopes = "", .documentation_url = DOCS_USERS "#get-the-authenticated-user" },
	{ .method = "GET", .pattern = "/repos/:owner/:repo", .handler = h_repository_get,
	  .access = ROUTE_REPO_READ, .scope_class = SCOPE_CLASS_CODE, .accepted_scopes = "repo",
	  .documentation_url = DOCS_REPOS "#get-a-repository" },
	{ .method = "GET", .pattern = "/repos/:owner/:repo/deployments", .handler = h_deployments_list,
	  .access = ROUTE_REPO_READ, .scope_class = SCOPE_CLASS_DEPLOYMENTS,
	  .accepted_scopes = DEPLOYMENT_SCOPES, .documentation_url = DOCS_DEPLOYMENTS "#list-deployments" },
	{ .method = "POST", .pattern = "/repos/:owner/:repo/deployments", .handler = h_deployment_create,
	  .access = ROUTE_REPO_WRITE, .scope_class = SCOPE_CLASS_DEPLOYMENTS,
	  .accepted_scopes = DEPLOYMENT_SCOPES, .id_sequence = "deployments_id_seq",
	  .documentation_url = DOCS_DEPLOYMENTS "#create-a-deployment" },
	{ .method = "GET", .pattern = "/repos/:owner/:repo/deployments/:deployment_id",
	  .handler = h_deployment_get, .access = ROUTE_REPO_READ,
	  .scope_class = SCOPE_CLASS_DEPLOYMENTS, .accepted_scopes = DEPLOYMENT_SCOPES,
	  .documentation_url = DOCS_DEPLOYMENTS "#get-a-deployment" },
	{ .method = "DELETE", .pattern = "/repos/:owner/:repo/deployments/:deployment_id",
	  .handler = h_deployment_delete, .access = ROUTE_REPO_WRITE,
	  .scope_class = SCOPE_CLASS_DEPLOYMENTS, .accepted_scopes = DEPLOYMENT_SCOPES,
	  .documentation_url = DOCS_DEPLOYMENTS "#delete-a-deployment" },
	{ .method = "GET", .pattern = "/repos/:owner/:repo/deployments/:deployment_id/statuses",
	  .handler = h_deployment_statuses_list, .access = ROUTE_REPO_READ,
	  .scope_class = SCOPE_CLASS_DEPLOYMENTS, .accepted_scopes = DEPLOYMENT_SCOPES,
	  .documentation_url = DOCS_STATUSES "#list-deployment-statuses" },
	{ .method = "POST", .pattern = "/repos/:owner/:repo/deployments/:deployment_id/statuses",
	  .handler = h_deployment_status_create, .access = ROUTE_REPO_WRITE,
	  .scope_class = SCOPE_CLASS_DEPLOYMENTS, .accepted_scopes = DEPLOYMENT_SCOPES,
	  .documentation_url = DOCS_STATUSES "#create-a-deployment-status" },
	{ .method = "GET",
	  .pattern = "/repos/:owner/:repo/deployments/:deployment_id/statuses/:status_id",
	  .handler = h_deployment_status_get, .access = ROUTE_REPO_READ,
	  .scope_class = SCOPE_CLASS_DEPLOYMENTS, .accepted_scopes = DEPLOYMENT_SCOPES,
	  .documentation_url = DOCS_STATUSES "#get-a-deployment-status" },
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
