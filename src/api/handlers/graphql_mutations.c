/*
 * GraphQL's mutations (graphql.md section 7): createDeployment,
 * createDeploymentStatus and deleteDeployment, each REST's own write
 * (deployment_create.c, status_create.c, store_deployment_delete) with
 * REST's rules, answered in GraphQL's shapes.
 */
#include "config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "deployment_checks.h"
#include "deployment_create.h"
#include "gitrefs.h"
#include "graphql_ids.h"
#include "graphql_resolve.h"
#include "input.h"
#include "status_create.h"
#include "store_deployments.h"
#include "store_environments.h"

/* A field of the mutation's `input` object, resolved. */
static const struct gql_value *
input_field(struct gx *g, const struct gql_field_group *f, const char *name)
{
	const struct gql_value *in = gql_argument(f->field, "input", g->x->vars);

	for (const struct gql_argument *a = in ? in->fields : NULL; a; a = a->next)
		if (strcmp(a->name, name) == 0)
			return gql_resolve(a->value, g->x->vars);
	return NULL;
}

static int
resolve_client_mutation_id(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct gql_value *id = obj;

	(void)f;
	(void)path;
	if (id && id->kind == GQL_VALUE_STRING)
		jw_stringn(g->w, id->text, id->len);
	else
		jw_null(g->w);
	return 0;
}

static int
forbidden(struct gx *g, const struct gql_field_group *f, const struct gql_path *path,
    const char *mutation)
{
	struct buf msg = BUF_INIT;
	int rc;

	buf_printf(&msg, "%s does not have the correct permissions to execute `%s`",
	    g->x->ctx->auth->principal.user.login, mutation);
	rc = gx_add_error(g, "FORBIDDEN", path, f->field, &msg);
	buf_release(&msg);
	return rc;
}

/* The deployment a mutation's id names, if the caller can see it and
 * write to it: 0 (d and r filled, to be released either way), GX_NULL
 * (NOT_FOUND or FORBIDDEN added), GX_FATAL. */
static int
mutation_deployment(struct gx *g, const struct gql_field_group *f, const struct gql_path *path,
    const char *mutation, const struct gql_value *idv, struct deployment *d,
    struct graphql_repository *r)
{
	char type[GRAPHQL_TYPE_NAME_MAX];
	struct db_error err;
	int64_t key, repo_id;
	int found = 0;

	if (idv && idv->kind == GQL_VALUE_STRING &&
	    graphql_id_parse(idv->text, idv->len, type, &key) == 0 &&
	    strcmp(type, "Deployment") == 0) {
		found = store_graphql_deployment(g->x->ctx->db, key, d, &repo_id, &err);
		if (found < 0)
			return gx_db_failed(g, &err);
		if (found > 0)
			found = gx_node_repository(g, repo_id, r);
	}
	if (found == GX_FATAL)
		return GX_FATAL;
	if (found == 0)
		return gx_not_found_node(g, f, path, idv ? idv->text : "", idv ? idv->len : 0);
	return gx_allowed(g, r, ROUTE_REPO_WRITE) ? 0 : forbidden(g, f, path, mutation);
}

/* REST's DELETE of a deployment (semantics.md): gx_allowed when it is not
 * active or is the only one in its environment. */
static int
resolve_delete_deployment(struct gx *g, const struct gql_field_group *f,
    const struct gql_path *path)
{
	struct deployment d = { 0 };
	struct graphql_repository r = { 0 };
	enum deployment_delete_result result;
	struct db_error err;
	struct buf msg = BUF_INIT;
	const struct gql_value *idv = input_field(g, f, "id");
	int rc = mutation_deployment(g, f, path, "DeleteDeployment", idv, &d, &r);

	if (rc == 0) {
		if (store_deployment_delete(g->x->ctx->db, r.repo.id, d.id, &result, &err) < 0) {
			rc = gx_db_failed(g, &err);
		} else if (result == DEPLOYMENT_DELETED) {
			rc = gx_write_object(g, "DeleteDeploymentPayload", f->sets, path,
			    resolve_client_mutation_id, input_field(g, f, "clientMutationId"));
		} else if (result == DEPLOYMENT_ACTIVE) {
			buf_puts(&msg, "We cannot delete an active deployment unless it is the only "
			    "deployment in a given environment.");
			rc = gx_add_error(g, "UNPROCESSABLE", path, f->field, &msg);
		} else {
			/* Deleted by another request since it was read. */
			rc = gx_not_found_node(g, f, path, idv->text, idv->len);
		}
	}
	buf_release(&msg);
	deployment_release(&d);
	repository_release(&r.repo);
	return rc;
}

/* What createDeploymentStatus answers: the status, or null when refused. */
struct status_payload {
	const struct gql_value *client_mutation_id;
	const struct status_ref *status;
};

static int
resolve_status_payload(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct status_payload *p = obj;

	if (strcmp(f->field->name, "clientMutationId") == 0)
		return resolve_client_mutation_id(g, p->client_mutation_id, f, path);
	if (p->status == NULL) {
		jw_null(g->w);
		return 0;
	}
	return gx_write_object(g, "DeploymentStatus", f->sets, path, gx_resolve_status, p->status);
}

/* An optional String input: def when absent or null. */
static const char *
mutation_string(struct gx *g, const struct gql_field_group *f, const char *name,
    const char *def)
{
	const struct gql_value *v = input_field(g, f, name);

	return v && v->kind == GQL_VALUE_STRING ? v->text : def;
}

/* REST's checks of a status body (semantics.md), in the model's words:
 * "Description is too long (maximum is 140 characters)". NULL when all
 * pass, else the message (in msg). */
static const char *
status_input_problem(struct gx *g, const struct gql_field_group *f,
    const struct status_request *sr, struct buf *msg)
{
	static const struct {
		const char *name;
		const char *input;
		size_t offset;
		size_t max;
	} limits[] = {
		{ "Description", "description", offsetof(struct status_request, description), 140 },
		{ "Environment", "environment", offsetof(struct status_request, environment), 255 },
		{ "Environment url", "environmentUrl", offsetof(struct status_request, environment_url),
		  2048 },
		{ "Log url", "logUrl", offsetof(struct status_request, log_url), 2048 },
	};

	/* NUL fits no text column, and C would cut the text short at it. */
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
		const struct gql_value *v = input_field(g, f, limits[i].input);

		if (v && v->kind == GQL_VALUE_STRING && gx_text(v) == NULL) {
			buf_printf(msg, "%s is invalid", limits[i].name);
			return buf_cstr(msg);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
		const char *v = *(const char *const *)((const char *)sr + limits[i].offset);

		if (v == NULL)
			continue;
		if (i > 0 && has_control_chars(v))
			buf_printf(msg, "%s is invalid", limits[i].name);
		else if (utf8_length(v) > limits[i].max)
			buf_printf(msg, "%s is too long (maximum is %zu characters)", limits[i].name,
			    limits[i].max);
		if (msg->len)
			return buf_cstr(msg);
	}
	return NULL;
}

/* The status just created, read back with its deployment (now in its new
 * state), written as the payload. */
static int
write_created_status(struct gx *g, const struct gql_field_group *f, const struct gql_path *path,
    const struct graphql_repository *r, int64_t status_id)
{
	struct deployment d = { 0 };
	struct deployment_status s = { 0 };
	struct db_error err;
	int64_t repo_id;
	int rc = store_graphql_status(g->x->ctx->db, status_id, &s, &repo_id, &err);

	if (rc > 0)
		rc = store_graphql_deployment(g->x->ctx->db, s.deployment_id, &d, &repo_id, &err);
	if (rc < 0) {
		rc = gx_db_failed(g, &err);
	} else {
		struct deployment_batch batch = { .items = &d, .count = rc > 0 ? 1 : 0, .repo = r };
		struct deployment_ref ref = { &batch, 0 };
		struct status_ref sref = { &s, &ref };
		struct status_payload p = { input_field(g, f, "clientMutationId"), rc > 0 ? &sref : NULL };

		rc = gx_write_object(g, "CreateDeploymentStatusPayload", f->sets, path,
		    resolve_status_payload, &p);
		gx_batch_release(&batch);
	}
	deployment_status_release(&s);
	deployment_release(&d);
	return rc;
}

/* REST's POST .../statuses (semantics.md; graphql.md 7.2), the inactive
 * cascade and the webhook event included. */
static int
resolve_create_status(struct gx *g, const struct gql_field_group *f, const struct gql_path *path)
{
	const struct gql_value *state = input_field(g, f, "state");
	const struct gql_value *auto_inactive = input_field(g, f, "autoInactive");
	struct deployment d = { 0 }, fresh = { 0 };
	struct graphql_repository r = { 0 };
	struct status_payload refused = { input_field(g, f, "clientMutationId"), NULL };
	struct deployment_status status;
	enum status_create_result result;
	struct status_request sr = { 0 };
	struct db_error err;
	struct buf msg = BUF_INIT, lower = BUF_INIT;
	const char *problem = NULL;
	int rc = mutation_deployment(g, f, path, "CreateDeploymentStatus",
	    input_field(g, f, "deploymentId"), &d, &r);

	if (rc != 0)
		goto out;
	for (const char *c = state ? state->text : ""; *c; c++)
		buf_putc(&lower, (char)tolower((unsigned char)*c));
	sr = (struct status_request){
		.state = buf_cstr(&lower),
		.description = mutation_string(g, f, "description", ""),
		.environment = mutation_string(g, f, "environment", NULL),
		.environment_url = mutation_string(g, f, "environmentUrl", ""),
		.log_url = mutation_string(g, f, "logUrl", ""),
		.auto_inactive = !(auto_inactive && auto_inactive->kind == GQL_VALUE_BOOLEAN &&
		    !auto_inactive->boolean),
	};
	sr.target_url = sr.log_url;
	if (sr.environment && *sr.environment == '\0')
		sr.environment = NULL;
	/* Stored states are REST's seven: the table has no room for waiting. */
	if (strcmp(sr.state, "waiting") == 0)
		problem = "State is not included in the list";
	if (problem == NULL)
		problem = status_input_problem(g, f, &sr, &msg);
	if (problem == NULL) {
		/* As REST: a move into an environment is judged by its policies. */
		struct policy_ref policy;
		char *denied = NULL;

		switch (deployment_move_refusal(g->x->ctx->db, &r.repo, &d, sr.environment, &policy,
		    &denied, &err)) {
		case MOVE_ALLOWED:
			break;
		case MOVE_REFUSED:
			buf_reset(&msg);
			deployment_refused_message(&msg, &policy, denied);
			free(denied);
			problem = buf_cstr(&msg);
			break;
		case MOVE_GIT_FAILED:
			buf_puts(&msg, "Something went wrong while executing your query.");
			rc = gx_add_error(g, NULL, path, f->field, &msg);
			goto out;
		case MOVE_DB_FAILED:
			rc = gx_db_failed(g, &err);
			goto out;
		}
	}
	if (problem) {
		rc = gx_write_object(g, "CreateDeploymentStatusPayload", f->sets, path,
		    resolve_status_payload, &refused);
		gql_errors_add(g->x->errs, "UNPROCESSABLE", path, f->field->loc, problem);
		goto out;
	}
	{
		const struct author who = { &r.repo, &g->x->ctx->auth->principal.user, g->now };

		if (status_create(g->x->ctx, &who, &sr, &d, &fresh, &status, &result, &err) < 0) {
			rc = gx_db_failed(g, &err);
			goto out;
		}
	}
	if (result == STATUS_CREATED) {
		rc = write_created_status(g, f, path, &r, status.id);
	} else if (result == STATUS_DEPLOYMENT_NOT_FOUND) {
		const struct gql_value *idv = input_field(g, f, "deploymentId");

		rc = gx_not_found_node(g, f, path, idv->text, idv->len);
	} else {
		buf_puts(&msg, "The deployment's environment keeps changing");
		rc = gx_add_error(g, "UNPROCESSABLE", path, f->field, &msg);
	}
out:
	buf_release(&msg);
	buf_release(&lower);
	deployment_release(&fresh);
	deployment_release(&d);
	repository_release(&r.repo);
	return rc;
}

/* What createDeployment answers (graphql.md 7.1). */
struct deployment_payload {
	const struct gql_value *client_mutation_id;
	bool auto_merged;
	const struct deployment_ref *deployment;   /* NULL: none created */
};

static int
resolve_deployment_payload(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct deployment_payload *p = obj;
	const char *n = f->field->name;

	if (strcmp(n, "clientMutationId") == 0)
		return resolve_client_mutation_id(g, p->client_mutation_id, f, path);
	if (strcmp(n, "autoMerged") == 0) {
		jw_bool(g->w, p->auto_merged);
		return 0;
	}
	if (p->deployment == NULL) {
		jw_null(g->w);
		return 0;
	}
	return gx_write_object(g, "Deployment", f->sets, path, gx_resolve_deployment, p->deployment);
}

/* The payload with no deployment, and an UNPROCESSABLE error unless
 * message is NULL (an auto-merge: the client sends the mutation again). */
static int
refuse_deployment(struct gx *g, const struct gql_field_group *f, const struct gql_path *path,
    bool auto_merged, const char *message)
{
	struct deployment_payload p = { input_field(g, f, "clientMutationId"), auto_merged, NULL };
	int rc = gx_write_object(g, "CreateDeploymentPayload", f->sets, path,
	    resolve_deployment_payload, &p);

	if (message)
		gql_errors_add(g->x->errs, "UNPROCESSABLE", path, f->field->loc, message);
	return rc;
}

/* The branch or tag a refId names in r (graphql.md section 5: "<repository
 * id>:<qualified name>"): its short name into name, its commit into sha;
 * false when it names none. */
static bool
mutation_ref(const struct gql_value *idv, const struct graphql_repository *r,
    struct buf *name, char sha[41], enum gitrefs_kind *kind)
{
	char type[GRAPHQL_TYPE_NAME_MAX];
	struct buf key = BUF_INIT;
	const char *qualified;
	int64_t repo_id = 0;
	bool found = false;

	if (idv && idv->kind == GQL_VALUE_STRING &&
	    graphql_id_parse_text(idv->text, idv->len, type, &key) == 0 &&
	    strcmp(type, "Ref") == 0 && (qualified = strchr(key.data, ':')) != NULL) {
		*(char *)qualified++ = '\0';
		found = parse_int64(key.data, 1, INT64_MAX, &repo_id) == 0 && repo_id == r->repo.id &&
		    (strncmp(qualified, "refs/heads/", 11) == 0 ||
			strncmp(qualified, "refs/tags/", 10) == 0) &&
		    r->repo.git_dir &&
		    gitrefs_resolve_kind(r->repo.git_dir, qualified, sha, kind) == GITREFS_FOUND &&
		    (*kind == GITREFS_KIND_BRANCH || *kind == GITREFS_KIND_TAG);
		if (found)
			buf_puts(name, qualified + (qualified[5] == 'h' ? 11 : 10));
	}
	buf_release(&key);
	return found;
}

/* dr from the mutation's input, REST's defaults and limits (semantics.md)
 * in the model's words; NULL, or the message of what does not pass. */
static const char *
deployment_input(struct gx *g, const struct gql_field_group *f, struct deployment_request *dr,
    struct buf *msg)
{
	static const struct { const char *name, *input; size_t max; } texts[] = {
		{ "Task", "task", 128 },
		{ "Environment", "environment", 255 },
		{ "Description", "description", 1024 },
	};
	const char *values[ARRAY_SIZE(texts)];
	const struct gql_value *contexts = input_field(g, f, "requiredContexts");
	const struct gql_value *auto_merge = input_field(g, f, "autoMerge");
	const struct gql_value *payload = input_field(g, f, "payload");

	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		const struct gql_value *v = input_field(g, f, texts[i].input);

		values[i] = v && v->kind == GQL_VALUE_STRING ? gx_text(v) : "";
		if (values[i] == NULL || (i < 2 && has_control_chars(values[i])))
			buf_printf(msg, "%s is invalid", texts[i].name);
		else if (utf8_length(values[i]) > texts[i].max)
			buf_printf(msg, "%s is too long (maximum is %zu characters)", texts[i].name,
			    texts[i].max);
		if (msg->len)
			return buf_cstr(msg);
	}
	dr->task = *values[0] ? values[0] : "deploy";
	dr->environment = *values[1] ? values[1] : "production";
	dr->description = values[2];
	dr->production_environment = strcmp(dr->environment, "production") == 0;
	dr->auto_merge = !(auto_merge && auto_merge->kind == GQL_VALUE_BOOLEAN && !auto_merge->boolean);
	dr->payload = payload && payload->kind == GQL_VALUE_STRING
	    ? input_json_or_string(payload->text, payload->len) : xstrdup("{}");
	if (dr->payload == NULL || strlen(dr->payload) > 64 * 1024) {
		buf_puts(msg, "Payload is invalid");
		return buf_cstr(msg);
	}
	if (contexts && contexts->kind == GQL_VALUE_LIST) {
		struct buf text = BUF_INIT;
		struct jsonw w;

		jw_init(&w, &text);
		jw_array_begin(&w);
		for (const struct gql_value *i = contexts->items; i; i = i->next) {
			const char *c = gx_text(gql_resolve(i, g->x->vars));

			if (c == NULL || has_control_chars(c) || utf8_length(c) > 255) {
				buf_release(&text);
				buf_puts(msg, "Required contexts is invalid");
				return buf_cstr(msg);
			}
			jw_string(&w, c);
		}
		jw_array_end(&w);
		dr->required_contexts = buf_detach(&text);
	}
	return NULL;
}

/* REST's POST .../deployments (semantics.md "Order of checks on create"),
 * its outcomes as graphql.md 7.1 maps them. */
static int
resolve_create_deployment(struct gx *g, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct gql_value *repo_id = input_field(g, f, "repositoryId");
	const struct gql_value *ref_id = input_field(g, f, "refId");
	struct graphql_repository r = { 0 };
	struct deployment_request dr = { 0 };
	struct deployment d = { 0 }, created = { 0 };
	struct context_failures failing = { 0 };
	struct buf name = BUF_INIT, msg = BUF_INIT;
	char type[GRAPHQL_TYPE_NAME_MAX];
	struct policy_ref policy;
	char *refused = NULL;
	enum gitrefs_kind kind;
	struct db_error err;
	int64_t key, rid;
	const char *problem;
	int found, rc = 0;

	/* The repository (visible, writable), then the ref in it. */
	found = repo_id && repo_id->kind == GQL_VALUE_STRING &&
	    graphql_id_parse(repo_id->text, repo_id->len, type, &key) == 0 &&
	    strcmp(type, "Repository") == 0 ? gx_node_repository(g, key, &r) : 0;
	if (found == GX_FATAL)
		rc = GX_FATAL;
	else if (found == 0)
		rc = gx_not_found_node(g, f, path, repo_id ? repo_id->text : "", repo_id ? repo_id->len : 0);
	else if (!gx_allowed(g, &r, ROUTE_REPO_WRITE))
		rc = forbidden(g, f, path, "CreateDeployment");
	else if (!mutation_ref(ref_id, &r, &name, d.sha, &kind))
		rc = gx_not_found_node(g, f, path, ref_id ? ref_id->text : "", ref_id ? ref_id->len : 0);
	if (rc != 0)
		goto out;
	dr.ref = buf_cstr(&name);
	if ((problem = deployment_input(g, f, &dr, &msg))) {
		rc = refuse_deployment(g, f, path, false, problem);
		goto out;
	}
	policy = deployment_policy_ref(dr.ref, kind);
	/* Policies before a merge, as REST: a refused branch is never merged
	 * (the create statement judges them again either way). */
	if (dr.auto_merge && kind == GITREFS_KIND_BRANCH &&
	    store_environment_refusal(g->x->ctx->db, r.repo.id, dr.environment, policy.kind,
	    policy.name, &refused, &err) < 0) {
		rc = gx_db_failed(g, &err);
		goto out;
	}
	if (refused == NULL) {
		const struct author who = { &r.repo, &g->x->ctx->auth->principal.user, g->now };
		enum auto_merge_result merge = dr.auto_merge
		    ? deployment_auto_merge(&g->x->ctx->urls, &who, dr.ref, kind, d.sha)
		    : AUTO_MERGE_NOT_NEEDED;

		if (merge == AUTO_MERGE_MERGED || merge == AUTO_MERGE_CONFLICT) {
			deployment_auto_merge_message(&msg, merge, &r.repo, dr.ref);
			rc = refuse_deployment(g, f, path, merge == AUTO_MERGE_MERGED,
			    merge == AUTO_MERGE_MERGED ? NULL : buf_cstr(&msg));
			goto out;
		}
		if (merge != AUTO_MERGE_NOT_NEEDED) {
			buf_puts(&msg, "Something went wrong while executing your query.");
			rc = gx_add_error(g, NULL, path, f->field, &msg);
			goto out;
		}
		if (deployment_create(g->x->ctx, &who, &dr, &d, &policy, &failing, &refused, &err) < 0) {
			rc = gx_db_failed(g, &err);
			goto out;
		}
	}
	if (refused) {
		deployment_refused_message(&msg, &policy, refused);
		rc = refuse_deployment(g, f, path, false, buf_cstr(&msg));
		goto out;
	}
	if (failing.count > 0) {
		buf_printf(&msg, "Commit status checks failed for %s.", dr.ref);
		rc = refuse_deployment(g, f, path, false, buf_cstr(&msg));
		goto out;
	}
	/* Read back: the row as every other read shows it. */
	rc = store_graphql_deployment(g->x->ctx->db, d.id, &created, &rid, &err);
	if (rc < 0) {
		rc = gx_db_failed(g, &err);
	} else {
		struct deployment_batch batch = { .items = &created, .count = 1, .repo = &r };
		struct deployment_ref ref = { &batch, 0 };
		struct deployment_payload p = { input_field(g, f, "clientMutationId"), false,
			rc > 0 ? &ref : NULL };

		rc = gx_write_object(g, "CreateDeploymentPayload", f->sets, path,
		    resolve_deployment_payload, &p);
		gx_batch_release(&batch);
	}
out:
	free(refused);
	context_failures_release(&failing);
	deployment_release(&created);
	deployment_request_release(&dr);
	buf_release(&name);
	buf_release(&msg);
	repository_release(&r.repo);
	return rc;
}

int
gx_resolve_mutation(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const char *n = f->field->name;

	(void)obj;
	if (strcmp(n, "createDeployment") == 0)
		return resolve_create_deployment(g, f, path);
	if (strcmp(n, "createDeploymentStatus") == 0)
		return resolve_create_status(g, f, path);
	return resolve_delete_deployment(g, f, path);
}

