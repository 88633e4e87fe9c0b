#include "config.h"

#include "handler.h"
#include "routes.h"

#define DOCS_REPOS DOCS_ROOT "/repos/repos"
#define DOCS_USERS DOCS_ROOT "/users/users"
#define DOCS_DEPLOYMENTS DOCS_ROOT "/deployments/deployments"
#define DOCS_STATUSES DOCS_ROOT "/deployments/statuses"
#define DOCS_HOOKS DOCS_ROOT "/repos/webhooks"
#define DOCS_COMMITS DOCS_ROOT "/commits/commits"
#define DOCS_COMMIT_STATUSES DOCS_ROOT "/commits/statuses"
#define DOCS_BRANCHES DOCS_ROOT "/branches/branches"
#define DOCS_ENVIRONMENTS DOCS_ROOT "/deployments/environments"
#define DOCS_BRANCH_POLICIES DOCS_ROOT "/deployments/branch-policies"
#define DOCS_PROTECTION_RULES DOCS_ROOT "/deployments/protection-rules"

#define DEPLOYMENT_SCOPES "repo, repo_deployment"

/* GraphQL (graphql.md section 1): github.com's path and GHES's, POST and
 * GET (queries only). */
#define GRAPHQL_ROUTE(m, p)                                                     \
	{ .method = (m), .pattern = (p), .handler = h_graphql, .access = ROUTE_USER, \
	  .accepted_scopes = "repo", .documentation_url = "https://docs.github.com/graphql", \
	  .rate_resource = "graphql", .any_api_version = true }

/* The API, one entry a route. Order matters only between patterns that
 * could match the same path: the first match wins. */
const struct route routes[] = {
	{ .method = "GET", .pattern = "/healthz", .handler = h_healthz, .access = ROUTE_OPEN,
	  .accepted_scopes = "", .documentation_url = DOCS_ROOT },
	GRAPHQL_ROUTE("POST", "/graphql"),
	GRAPHQL_ROUTE("POST", "/api/graphql"),
	GRAPHQL_ROUTE("GET", "/graphql"),
	GRAPHQL_ROUTE("GET", "/api/graphql"),
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
	  .accepted_scopes = DEPLOYMENT_SCOPES,
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
#define HOOK_ROUTE(m, p, h, doc)                                                    \
	{ .method = (m), .pattern = "/repos/:owner/:repo/hooks" p, .handler = (h),   \
	  .access = ROUTE_REPO_ADMIN, .scope_class = SCOPE_CLASS_CODE,              \
	  .accepted_scopes = "admin:repo_hook, repo", .documentation_url = (doc) }
	HOOK_ROUTE("GET", "", h_hooks_list, DOCS_HOOKS "#list-repository-webhooks"),
	HOOK_ROUTE("POST", "", h_hook_create, DOCS_HOOKS "#create-a-repository-webhook"),
	HOOK_ROUTE("GET", "/:hook_id", h_hook_get, DOCS_HOOKS "#get-a-repository-webhook"),
	HOOK_ROUTE("PATCH", "/:hook_id", h_hook_update, DOCS_HOOKS "#update-a-repository-webhook"),
	HOOK_ROUTE("DELETE", "/:hook_id", h_hook_delete, DOCS_HOOKS "#delete-a-repository-webhook"),
	HOOK_ROUTE("POST", "/:hook_id/pings", h_hook_ping, DOCS_HOOKS "#ping-a-repository-webhook"),
	HOOK_ROUTE("POST", "/:hook_id/tests", h_hook_test, DOCS_HOOKS "#test-the-push-repository-webhook"),
	/* The hook's test_url, as GitHub spells it. */
	HOOK_ROUTE("POST", "/:hook_id/test", h_hook_test, DOCS_HOOKS "#test-the-push-repository-webhook"),
	HOOK_ROUTE("GET", "/:hook_id/deliveries", h_hook_deliveries_list,
	    DOCS_HOOKS "#list-deliveries-for-a-repository-webhook"),
	HOOK_ROUTE("GET", "/:hook_id/deliveries/:delivery_id", h_hook_delivery_get,
	    DOCS_HOOKS "#get-a-delivery-for-a-repository-webhook"),
	HOOK_ROUTE("POST", "/:hook_id/deliveries/:delivery_id/attempts", h_hook_delivery_redeliver,
	    DOCS_HOOKS "#redeliver-a-delivery-for-a-repository-webhook"),
	/* Environments: reads as the repository's, writes by admins only
	 * (anyone else is told 404, as GitHub does); repo_deployment grants
	 * none of them. */
#define ENVIRONMENT_ROUTE_OF(m, p, h, access_, doc, undecodable)                     \
	{ .method = (m), .pattern = "/repos/:owner/:repo/environments" p, .handler = (h), \
	  .access = (access_), .scope_class = SCOPE_CLASS_CODE, .accepted_scopes = "repo", \
	  .documentation_url = (doc), .takes_undecodable = (undecodable) }
#define ENVIRONMENT_ROUTE(m, p, h, access_, doc) ENVIRONMENT_ROUTE_OF(m, p, h, access_, doc, false)
#define ENVIRONMENT_READ(p, h, doc) ENVIRONMENT_ROUTE("GET", p, h, ROUTE_REPO_READ, doc)
#define ENVIRONMENT_WRITE(m, p, h, doc) \
	ENVIRONMENT_ROUTE(m, p, h, ROUTE_REPO_ADMIN_OR_NOT_FOUND, doc)
	ENVIRONMENT_READ("", h_environments_list, DOCS_ENVIRONMENTS "#list-environments"),
	ENVIRONMENT_READ("/:environment_name", h_environment_get,
	    DOCS_ENVIRONMENTS "#get-an-environment"),
	/* A name that does not decode is 422 here, 404 elsewhere (environments.md). */
	ENVIRONMENT_ROUTE_OF("PUT", "/:environment_name", h_environment_put,
	    ROUTE_REPO_ADMIN_OR_NOT_FOUND, DOCS_ENVIRONMENTS "#create-or-update-an-environment", true),
	ENVIRONMENT_WRITE("DELETE", "/:environment_name", h_environment_delete,
	    DOCS_ENVIRONMENTS "#delete-an-environment"),
	ENVIRONMENT_READ("/:environment_name/deployment-branch-policies", h_branch_policies_list,
	    DOCS_BRANCH_POLICIES "#list-deployment-branch-policies"),
	ENVIRONMENT_WRITE("POST", "/:environment_name/deployment-branch-policies",
	    h_branch_policy_create, DOCS_BRANCH_POLICIES "#create-a-deployment-branch-policy"),
	ENVIRONMENT_READ("/:environment_name/deployment-branch-policies/:branch_policy_id",
	    h_branch_policy_get, DOCS_BRANCH_POLICIES "#get-a-deployment-branch-policy"),
	ENVIRONMENT_WRITE("PUT", "/:environment_name/deployment-branch-policies/:branch_policy_id",
	    h_branch_policy_update, DOCS_BRANCH_POLICIES "#update-a-deployment-branch-policy"),
	ENVIRONMENT_WRITE("DELETE",
	    "/:environment_name/deployment-branch-policies/:branch_policy_id",
	    h_branch_policy_delete, DOCS_BRANCH_POLICIES "#delete-a-deployment-branch-policy"),
	ENVIRONMENT_READ("/:environment_name/deployment_protection_rules", h_protection_rules_list,
	    DOCS_PROTECTION_RULES "#get-all-deployment-protection-rules-for-an-environment"),
	ENVIRONMENT_WRITE("POST", "/:environment_name/deployment_protection_rules",
	    h_protection_rule_create,
	    DOCS_PROTECTION_RULES "#create-a-custom-deployment-protection-rule-on-an-environment"),
	ENVIRONMENT_READ("/:environment_name/deployment_protection_rules/apps",
	    h_protection_rule_apps_list, DOCS_PROTECTION_RULES
	    "#list-custom-deployment-rule-integrations-available-for-an-environment"),
	ENVIRONMENT_READ("/:environment_name/deployment_protection_rules/:protection_rule_id",
	    h_protection_rule_get_or_delete,
	    DOCS_PROTECTION_RULES "#get-a-custom-deployment-protection-rule"),
	ENVIRONMENT_WRITE("DELETE",
	    "/:environment_name/deployment_protection_rules/:protection_rule_id",
	    h_protection_rule_get_or_delete, DOCS_PROTECTION_RULES
	    "#disable-a-custom-protection-rule-for-an-environment"),
	{ .method = "POST", .pattern = "/repos/:owner/:repo/statuses/:sha",
	  .handler = h_commit_status_create, .access = ROUTE_REPO_WRITE,
	  .scope_class = SCOPE_CLASS_CODE, .accepted_scopes = "repo",
	  .id_sequence = "commit_statuses_id_seq",
	  .documentation_url = DOCS_COMMIT_STATUSES "#create-a-commit-status" },
#define COMMIT_READ_ROUTE(p, h, doc)                                                \
	{ .method = "GET", .pattern = "/repos/:owner/:repo" p, .handler = (h),        \
	  .access = ROUTE_REPO_READ, .scope_class = SCOPE_CLASS_CODE,                \
	  .accepted_scopes = "repo", .documentation_url = (doc) }
	COMMIT_READ_ROUTE("/commits/:ref", h_commit_get, DOCS_COMMITS "#get-a-commit"),
	COMMIT_READ_ROUTE("/commits/:ref/statuses", h_commit_statuses_list,
	    DOCS_COMMIT_STATUSES "#list-commit-statuses-for-a-reference"),
	/* The legacy name of the list above, which PyGithub's get_statuses()
	 * and pull requests' statuses_url use. */
	COMMIT_READ_ROUTE("/statuses/:ref", h_commit_statuses_list,
	    DOCS_COMMIT_STATUSES "#list-commit-statuses-for-a-reference"),
	COMMIT_READ_ROUTE("/commits/:ref/status", h_commit_status_combined,
	    DOCS_COMMIT_STATUSES "#get-the-combined-status-for-a-specific-reference"),
	{ .method = "POST", .pattern = "/repos/:owner/:repo/merges", .handler = h_merge_create,
	  .access = ROUTE_REPO_WRITE, .scope_class = SCOPE_CLASS_CODE, .accepted_scopes = "repo",
	  .documentation_url = DOCS_BRANCHES "#merge-a-branch" },
	{ .method = "POST", .pattern = "/repos/:owner/:repo/dispatches",
	  .handler = h_repository_dispatch, .access = ROUTE_REPO_WRITE,
	  .scope_class = SCOPE_CLASS_CODE, .accepted_scopes = "repo",
	  .documentation_url = DOCS_REPOS "#create-a-repository-dispatch-event" },
};

const size_t routes_count = sizeof(routes) / sizeof(routes[0]);
