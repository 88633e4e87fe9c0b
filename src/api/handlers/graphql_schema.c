#include "config.h"

#include "graphql_schema.h"

#include <stddef.h>

#define END { NULL, NULL, NULL, false }

static const struct gql_input_def page_args[] = {
	{ "first", "Int" }, { "last", "Int" }, { "after", "String" }, { "before", "String" },
	{ NULL, NULL },
};

static const struct gql_input_def deployments_args[] = {
	{ "environments", "[String!]" }, { "orderBy", "DeploymentOrder" },
	{ "first", "Int" }, { "last", "Int" }, { "after", "String" }, { "before", "String" },
	{ NULL, NULL },
};

static const struct gql_input_def environment_args[] = { { "name", "String!" }, { NULL, NULL } };
static const struct gql_input_def environments_args[] = {
	{ "after", "String" }, { "before", "String" }, { "first", "Int" }, { "last", "Int" },
	{ "names", "[String!]" }, { "orderBy", "Environments" },
	{ "pinnedEnvironmentFilter", "EnvironmentPinnedFilterField" },
	{ NULL, NULL },
};

static const struct gql_input_def repository_args[] = {
	{ "owner", "String!" }, { "name", "String!" }, { "followRenames", "Boolean" },
	{ NULL, NULL },
};

static const struct gql_input_def node_args[] = { { "id", "ID!" }, { NULL, NULL } };
static const struct gql_input_def nodes_args[] = { { "ids", "[ID!]!" }, { NULL, NULL } };
static const struct gql_input_def rate_limit_args[] = { { "dryRun", "Boolean" }, { NULL, NULL } };
static const struct gql_input_def ref_args[] = { { "qualifiedName", "String!" }, { NULL, NULL } };
static const struct gql_input_def avatar_args[] = { { "size", "Int" }, { NULL, NULL } };

static const struct gql_input_def deployment_order_fields[] = {
	{ "field", "DeploymentOrderField!" }, { "direction", "OrderDirection!" }, { NULL, NULL },
};
static const struct gql_input_def environment_order_fields[] = {
	{ "direction", "OrderDirection!" }, { "field", "EnvironmentOrderField!" }, { NULL, NULL },
};

static const struct gql_field_def query_fields[] = {
	{ "repository", "Repository", repository_args, false },
	{ "node", "Node", node_args, false },
	{ "nodes", "[Node]!", nodes_args, false },
	{ "viewer", "User!", NULL, false },
	{ "rateLimit", "RateLimit", rate_limit_args, false },
	END,
};

static const struct gql_input_def delete_deployment_input[] = {
	{ "id", "ID!" }, { "clientMutationId", "String" }, { NULL, NULL },
};
static const struct gql_input_def delete_deployment_args[] = {
	{ "input", "DeleteDeploymentInput!" }, { NULL, NULL },
};

static const struct gql_input_def create_status_input[] = {
	{ "deploymentId", "ID!" }, { "state", "DeploymentStatusState!" },
	{ "description", "String" }, { "environment", "String" }, { "environmentUrl", "String" },
	{ "logUrl", "String" }, { "autoInactive", "Boolean" }, { "clientMutationId", "String" },
	{ NULL, NULL },
};
static const struct gql_input_def create_status_args[] = {
	{ "input", "CreateDeploymentStatusInput!" }, { NULL, NULL },
};

static const struct gql_input_def create_deployment_input[] = {
	{ "repositoryId", "ID!" }, { "refId", "ID!" }, { "autoMerge", "Boolean" },
	{ "requiredContexts", "[String!]" }, { "description", "String" },
	{ "environment", "String" }, { "task", "String" }, { "payload", "String" },
	{ "clientMutationId", "String" }, { NULL, NULL },
};
static const struct gql_input_def create_deployment_args[] = {
	{ "input", "CreateDeploymentInput!" }, { NULL, NULL },
};

static const struct gql_field_def create_deployment_payload_fields[] = {
	{ "autoMerged", "Boolean", NULL, false },
	{ "clientMutationId", "String", NULL, false },
	{ "deployment", "Deployment", NULL, false },
	END,
};

static const struct gql_field_def mutation_fields[] = {
	{ "createDeployment", "CreateDeploymentPayload", create_deployment_args, false },
	{ "createDeploymentStatus", "CreateDeploymentStatusPayload", create_status_args, false },
	{ "deleteDeployment", "DeleteDeploymentPayload", delete_deployment_args, false },
	END,
};

static const struct gql_field_def create_status_payload_fields[] = {
	{ "clientMutationId", "String", NULL, false },
	{ "deploymentStatus", "DeploymentStatus", NULL, false },
	END,
};

static const struct gql_field_def delete_payload_fields[] = {
	{ "clientMutationId", "String", NULL, false },
	END,
};

static const struct gql_field_def node_fields[] = { { "id", "ID!", NULL, false }, END };

#define ACTOR_FIELDS                                                   \
	{ "login", "String!", NULL, false },                           \
	{ "url", "URI!", NULL, false },                                \
	{ "resourcePath", "URI!", NULL, false },                       \
	{ "avatarUrl", "URI!", avatar_args, false }

static const struct gql_field_def actor_fields[] = { ACTOR_FIELDS, END };

static const struct gql_field_def owner_fields[] = {
	ACTOR_FIELDS, { "id", "ID!", NULL, false }, END,
};

static const struct gql_field_def user_fields[] = {
	ACTOR_FIELDS,
	{ "id", "ID!", NULL, false },
	{ "databaseId", "Int", NULL, false },
	{ "name", "String", NULL, false },
	END,
};

static const struct gql_field_def repository_fields[] = {
	{ "id", "ID!", NULL, false },
	{ "databaseId", "Int", NULL, false },
	{ "name", "String!", NULL, false },
	{ "nameWithOwner", "String!", NULL, false },
	{ "owner", "RepositoryOwner!", NULL, false },
	{ "url", "URI!", NULL, false },
	{ "isPrivate", "Boolean!", NULL, false },
	{ "deployments", "DeploymentConnection!", deployments_args, true },
	{ "environment", "Environment", environment_args, false },
	{ "environments", "EnvironmentConnection!", environments_args, true },
	{ "defaultBranchRef", "Ref", NULL, false },
	{ "ref", "Ref", ref_args, false },
	END,
};

#define CONNECTION_FIELDS(edge, node)                                  \
	{ "edges", "[" edge "]", NULL, false },                        \
	{ "nodes", "[" node "]", NULL, false },                        \
	{ "pageInfo", "PageInfo!", NULL, false },                      \
	{ "totalCount", "Int!", NULL, false }

#define EDGE_FIELDS(node)                                              \
	{ "cursor", "String!", NULL, false },                          \
	{ "node", node, NULL, false }

static const struct gql_field_def deployment_connection_fields[] = {
	CONNECTION_FIELDS("DeploymentEdge", "Deployment"), END,
};
static const struct gql_field_def deployment_edge_fields[] = { EDGE_FIELDS("Deployment"), END };
static const struct gql_field_def status_connection_fields[] = {
	CONNECTION_FIELDS("DeploymentStatusEdge", "DeploymentStatus"), END,
};
static const struct gql_field_def status_edge_fields[] = { EDGE_FIELDS("DeploymentStatus"), END };

static const struct gql_field_def environment_connection_fields[] = {
	CONNECTION_FIELDS("EnvironmentEdge", "Environment"), END,
};
static const struct gql_field_def environment_edge_fields[] = { EDGE_FIELDS("Environment"), END };

static const struct gql_field_def page_info_fields[] = {
	{ "endCursor", "String", NULL, false },
	{ "hasNextPage", "Boolean!", NULL, false },
	{ "hasPreviousPage", "Boolean!", NULL, false },
	{ "startCursor", "String", NULL, false },
	END,
};

static const struct gql_field_def deployment_fields[] = {
	{ "commit", "Commit", NULL, false },
	{ "commitOid", "String!", NULL, false },
	{ "createdAt", "DateTime!", NULL, false },
	{ "creator", "Actor!", NULL, false },
	{ "databaseId", "Int", NULL, false },
	{ "description", "String", NULL, false },
	{ "environment", "String", NULL, false },
	{ "id", "ID!", NULL, false },
	{ "latestEnvironment", "String", NULL, false },
	{ "latestStatus", "DeploymentStatus", NULL, false },
	{ "originalEnvironment", "String", NULL, false },
	{ "payload", "String", NULL, false },
	{ "ref", "Ref", NULL, false },
	{ "repository", "Repository!", NULL, false },
	{ "state", "DeploymentState", NULL, false },
	{ "statuses", "DeploymentStatusConnection", page_args, true },
	{ "task", "String", NULL, false },
	{ "updatedAt", "DateTime!", NULL, false },
	END,
};

/* GitHub's Environment but latestCompletedDeployment (docs/graphql.md,
 * Not served). */
static const struct gql_field_def environment_fields[] = {
	{ "databaseId", "Int", NULL, false },
	{ "id", "ID!", NULL, false },
	{ "isPinned", "Boolean", NULL, false },
	{ "name", "String!", NULL, false },
	{ "pinnedPosition", "Int", NULL, false },
	{ "protectionRules", "DeploymentProtectionRuleConnection!", page_args, true },
	END,
};

static const struct gql_field_def protection_rule_connection_fields[] = {
	CONNECTION_FIELDS("DeploymentProtectionRuleEdge", "DeploymentProtectionRule"), END,
};
static const struct gql_field_def protection_rule_edge_fields[] = {
	EDGE_FIELDS("DeploymentProtectionRule"), END,
};

/* GitHub's but preventSelfReview and reviewers (docs/graphql.md). */
static const struct gql_field_def protection_rule_fields[] = {
	{ "databaseId", "Int", NULL, false },
	{ "timeout", "Int!", NULL, false },
	{ "type", "DeploymentProtectionRuleType!", NULL, false },
	END,
};

static const struct gql_field_def status_fields[] = {
	{ "createdAt", "DateTime!", NULL, false },
	{ "creator", "Actor!", NULL, false },
	{ "deployment", "Deployment!", NULL, false },
	{ "description", "String", NULL, false },
	{ "environment", "String", NULL, false },
	{ "environmentUrl", "URI", NULL, false },
	{ "id", "ID!", NULL, false },
	{ "logUrl", "URI", NULL, false },
	{ "state", "DeploymentStatusState!", NULL, false },
	{ "updatedAt", "DateTime!", NULL, false },
	END,
};

#define GIT_OBJECT_FIELDS                                              \
	{ "id", "ID!", NULL, false },                                  \
	{ "oid", "GitObjectID!", NULL, false },                        \
	{ "abbreviatedOid", "String!", NULL, false },                  \
	{ "commitUrl", "URI!", NULL, false },                          \
	{ "commitResourcePath", "URI!", NULL, false },                 \
	{ "repository", "Repository!", NULL, false }

static const struct gql_field_def git_object_fields[] = { GIT_OBJECT_FIELDS, END };

static const struct gql_field_def commit_fields[] = {
	GIT_OBJECT_FIELDS,
	{ "deployments", "DeploymentConnection", deployments_args, true },
	{ "url", "URI!", NULL, false },
	{ "resourcePath", "URI!", NULL, false },
	END,
};

static const struct gql_field_def ref_fields[] = {
	{ "id", "ID!", NULL, false },
	{ "name", "String!", NULL, false },
	{ "prefix", "String!", NULL, false },
	{ "target", "GitObject", NULL, false },
	{ "repository", "Repository!", NULL, false },
	END,
};

static const struct gql_field_def rate_limit_fields[] = {
	{ "cost", "Int!", NULL, false },
	{ "limit", "Int!", NULL, false },
	{ "nodeCount", "Int!", NULL, false },
	{ "remaining", "Int!", NULL, false },
	{ "resetAt", "DateTime!", NULL, false },
	{ "used", "Int!", NULL, false },
	END,
};

static const char *const deployment_states[] = {
	"ABANDONED", "ACTIVE", "DESTROYED", "ERROR", "FAILURE", "INACTIVE", "IN_PROGRESS",
	"PENDING", "QUEUED", "SUCCESS", "WAITING", NULL,
};
static const char *const status_states[] = {
	"ERROR", "FAILURE", "INACTIVE", "IN_PROGRESS", "PENDING", "QUEUED", "SUCCESS", "WAITING",
	NULL,
};
static const char *const order_directions[] = { "ASC", "DESC", NULL };
static const char *const deployment_order_fields_enum[] = { "CREATED_AT", NULL };
static const char *const environment_order_fields_enum[] = { "NAME", NULL };
static const char *const environment_pinned_filters[] = { "ALL", "NONE", "ONLY", NULL };
static const char *const protection_rule_types[] = {
	"BRANCH_POLICY", "REQUIRED_REVIEWERS", "WAIT_TIMER", NULL,
};

static const char *const node_only[] = { "Node", NULL };
static const char *const user_interfaces[] = { "Node", "Actor", "RepositoryOwner", NULL };
static const char *const commit_interfaces[] = { "Node", "GitObject", NULL };

#define SCALAR(n) { n, GQL_KIND_SCALAR, NULL, NULL, NULL, NULL }
#define ENUM(n, v) { n, GQL_KIND_ENUM, NULL, NULL, v, NULL }
#define OBJECT(n, f, i) { n, GQL_KIND_OBJECT, f, NULL, NULL, i }
#define INTERFACE(n, f) { n, GQL_KIND_INTERFACE, f, NULL, NULL, NULL }

static const struct gql_type_def types[] = {
	SCALAR("String"), SCALAR("Int"), SCALAR("Float"), SCALAR("Boolean"), SCALAR("ID"),
	SCALAR("DateTime"), SCALAR("URI"), SCALAR("GitObjectID"),
	ENUM("DeploymentState", deployment_states),
	ENUM("DeploymentStatusState", status_states),
	ENUM("OrderDirection", order_directions),
	ENUM("DeploymentOrderField", deployment_order_fields_enum),
	{ "DeploymentOrder", GQL_KIND_INPUT_OBJECT, NULL, deployment_order_fields, NULL, NULL },
	ENUM("EnvironmentOrderField", environment_order_fields_enum),
	ENUM("EnvironmentPinnedFilterField", environment_pinned_filters),
	ENUM("DeploymentProtectionRuleType", protection_rule_types),
	{ "Environments", GQL_KIND_INPUT_OBJECT, NULL, environment_order_fields, NULL, NULL },
	OBJECT("Query", query_fields, NULL),
	OBJECT("Mutation", mutation_fields, NULL),
	{ "DeleteDeploymentInput", GQL_KIND_INPUT_OBJECT, NULL, delete_deployment_input, NULL, NULL },
	OBJECT("DeleteDeploymentPayload", delete_payload_fields, NULL),
	{ "CreateDeploymentStatusInput", GQL_KIND_INPUT_OBJECT, NULL, create_status_input, NULL,
	  NULL },
	OBJECT("CreateDeploymentStatusPayload", create_status_payload_fields, NULL),
	{ "CreateDeploymentInput", GQL_KIND_INPUT_OBJECT, NULL, create_deployment_input, NULL, NULL },
	OBJECT("CreateDeploymentPayload", create_deployment_payload_fields, NULL),
	INTERFACE("Node", node_fields),
	INTERFACE("Actor", actor_fields),
	INTERFACE("RepositoryOwner", owner_fields),
	INTERFACE("GitObject", git_object_fields),
	OBJECT("User", user_fields, user_interfaces),
	OBJECT("Repository", repository_fields, node_only),
	OBJECT("DeploymentConnection", deployment_connection_fields, NULL),
	OBJECT("DeploymentEdge", deployment_edge_fields, NULL),
	OBJECT("DeploymentStatusConnection", status_connection_fields, NULL),
	OBJECT("DeploymentStatusEdge", status_edge_fields, NULL),
	OBJECT("EnvironmentConnection", environment_connection_fields, NULL),
	OBJECT("EnvironmentEdge", environment_edge_fields, NULL),
	OBJECT("Environment", environment_fields, node_only),
	OBJECT("DeploymentProtectionRuleConnection", protection_rule_connection_fields, NULL),
	OBJECT("DeploymentProtectionRuleEdge", protection_rule_edge_fields, NULL),
	OBJECT("DeploymentProtectionRule", protection_rule_fields, NULL),
	OBJECT("PageInfo", page_info_fields, NULL),
	OBJECT("Deployment", deployment_fields, node_only),
	OBJECT("DeploymentStatus", status_fields, node_only),
	OBJECT("Commit", commit_fields, commit_interfaces),
	OBJECT("Ref", ref_fields, node_only),
	OBJECT("RateLimit", rate_limit_fields, NULL),
	{ NULL, GQL_KIND_SCALAR, NULL, NULL, NULL, NULL },
};

const struct gql_schema graphql_schema = {
	.types = types,
	.query = "Query",
	.mutation = "Mutation",
};
