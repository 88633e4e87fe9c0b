#include "config.h"

#include "deployment_checks.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "gitmerge.h"
#include "store_commit_statuses.h"
#include "store_environments.h"

#define BRANCH_PREFIX "refs/heads/"
#define TAG_PREFIX "refs/tags/"

struct policy_ref
deployment_policy_ref(const char *ref, enum gitrefs_kind kind)
{
	struct policy_ref p = { NULL, ref };

	if (kind == GITREFS_KIND_BRANCH) {
		p.kind = "branch";
		if (strncmp(ref, BRANCH_PREFIX, strlen(BRANCH_PREFIX)) == 0)
			p.name = ref + strlen(BRANCH_PREFIX);
	} else if (kind == GITREFS_KIND_TAG) {
		p.kind = "tag";
		if (strncmp(ref, TAG_PREFIX, strlen(TAG_PREFIX)) == 0)
			p.name = ref + strlen(TAG_PREFIX);
	}
	return p;
}

void
deployment_refused_message(struct buf *msg, const struct policy_ref *p, const char *environment)
{
	buf_printf(msg, "%s \"%s\" is not allowed to deploy to %s due to environment protection "
	    "rules.", p->kind && strcmp(p->kind, "tag") == 0 ? "Tag" : "Branch", p->name, environment);
}

void
deployment_refused_reply(struct handler_ctx *ctx, const struct policy_ref *p,
    const char *environment)
{
	struct buf msg = BUF_INIT;

	deployment_refused_message(&msg, p, environment);
	response_error(ctx->res, 422, msg.data);
	buf_release(&msg);
}

int
deployment_branch_policies_or_reply(struct handler_ctx *ctx, const char *environment,
    const struct policy_ref *p)
{
	char *refused = NULL;
	struct db_error err;

	if (store_environment_refusal(ctx->db, ctx->auth->repo.id, environment, p->kind, p->name,
	    &refused, &err) < 0) {
		reply_db_failure(ctx, &err);
		return -1;
	}
	if (refused == NULL)
		return 0;
	deployment_refused_reply(ctx, p, refused);
	free(refused);
	return -1;
}

enum move_verdict
deployment_move_refusal(struct db *db, const struct repository *repo, const struct deployment *d,
    const char *environment, struct policy_ref *p, char **refused, struct db_error *err)
{
	enum gitrefs_kind kind = GITREFS_KIND_SHA;
	char sha[41];

	*refused = NULL;
	if (environment == NULL || strcasecmp(environment, d->environment) == 0)
		return MOVE_ALLOWED;
	switch (gitrefs_resolve_kind(repo->git_dir, d->ref, sha, &kind)) {
	case GITREFS_FOUND:
		break;
	case GITREFS_NOT_FOUND:
		kind = GITREFS_KIND_SHA;
		break;
	case GITREFS_ERROR:
		return MOVE_GIT_FAILED;
	}
	*p = deployment_policy_ref(d->ref, kind);
	if (store_environment_refusal(db, repo->id, environment, p->kind, p->name, refused, err) < 0)
		return MOVE_DB_FAILED;
	return *refused ? MOVE_REFUSED : MOVE_ALLOWED;
}

enum auto_merge_result
deployment_auto_merge(const struct url_base *urls, const struct author *who, const char *ref,
    enum gitrefs_kind kind, const char *sha)
{
	const struct repository *repo = who->repo;
	const char *branch = ref;
	char default_sha[41];
	struct buf message = BUF_INIT;
	struct buf host = BUF_INIT;
	struct buf email = BUF_INIT;
	struct git_identity id;
	struct merge_commit merged;
	enum auto_merge_result rc = AUTO_MERGE_WRITE_FAILED;

	if (kind != GITREFS_KIND_BRANCH || repo->git_dir == NULL)
		return AUTO_MERGE_NOT_NEEDED;
	if (strncmp(branch, BRANCH_PREFIX, strlen(BRANCH_PREFIX)) == 0)
		branch += strlen(BRANCH_PREFIX);
	if (strcmp(branch, repo->default_branch) == 0)
		return AUTO_MERGE_NOT_NEEDED;
	switch (gitrefs_branch(repo->git_dir, repo->default_branch, default_sha)) {
	case GITREFS_FOUND:
		break;
	case GITREFS_NOT_FOUND:
		return AUTO_MERGE_NOT_NEEDED;  /* no default branch on disk: nothing to merge */
	case GITREFS_ERROR:
		return AUTO_MERGE_READ_FAILED;
	}

	buf_printf(&message, "Merge branch '%s' into %s", repo->default_branch, branch);
	render_host(&host, urls);
	gitmerge_identity(&id, &email, who->user->login, who->user->email, host.data, who->now);
	switch (gitmerge_into_branch(repo->git_dir, branch, sha, default_sha, &id, message.data,
	    &merged)) {
	case GITMERGE_UP_TO_DATE:
		rc = AUTO_MERGE_NOT_NEEDED;
		break;
	case GITMERGE_MERGED:
		rc = AUTO_MERGE_MERGED;
		break;
	case GITMERGE_CONFLICT:
	case GITMERGE_BRANCH_MOVED:
		rc = AUTO_MERGE_CONFLICT;
		break;
	case GITMERGE_ERROR:
		rc = AUTO_MERGE_WRITE_FAILED;
		break;
	}
	buf_release(&email);
	buf_release(&host);
	buf_release(&message);
	return rc;
}

void
deployment_auto_merge_message(struct buf *msg, enum auto_merge_result r,
    const struct repository *repo, const char *ref)
{
	if (r == AUTO_MERGE_MERGED)
		buf_printf(msg, "Auto-merged %s into %s on deployment.", repo->default_branch, ref);
	else
		buf_printf(msg, "Conflict merging %s into %s.", repo->default_branch, ref);
}

int
deployment_auto_merge_or_reply(struct handler_ctx *ctx, const char *ref, enum gitrefs_kind kind,
    const char *sha)
{
	const struct resolution *a = ctx->auth;
	const struct author who = { &a->repo, &a->principal.user, a->now };
	enum auto_merge_result r = deployment_auto_merge(&ctx->urls, &who, ref, kind, sha);
	struct buf message = BUF_INIT;
	struct jsonw w;

	switch (r) {
	case AUTO_MERGE_NOT_NEEDED:
		return 0;
	case AUTO_MERGE_MERGED:
		deployment_auto_merge_message(&message, r, &a->repo, ref);
		response_json_begin(ctx->res, 202, &w);
		jw_object_begin(&w);
		jw_kv_string(&w, "message", message.data);
		jw_object_end(&w);
		break;
	case AUTO_MERGE_CONFLICT:
		deployment_auto_merge_message(&message, r, &a->repo, ref);
		response_error(ctx->res, 409, message.data);
		break;
	case AUTO_MERGE_READ_FAILED:
		reply_git_read_failure(ctx);
		break;
	case AUTO_MERGE_WRITE_FAILED:
		reply_git_write_failure(ctx);
		break;
	}
	buf_release(&message);
	return -1;
}

enum contexts_check
deployment_contexts_check(const char *required_contexts, bool force)
{
	if (force || (required_contexts && strcmp(required_contexts, "[]") == 0))
		return CONTEXTS_UNCHECKED;
	return required_contexts ? CONTEXTS_NAMED : CONTEXTS_ALL;
}

void
deployment_contexts_reply(struct handler_ctx *ctx, const char *ref,
    const struct context_failures *failing)
{
	struct buf message = BUF_INIT;
	struct buf errors = BUF_INIT;
	struct jsonw w;

	jw_init(&w, &errors);
	jw_array_begin(&w);
	jw_object_begin(&w);
	jw_kv_string(&w, "resource", "Deployment");
	jw_kv_string(&w, "field", "required_contexts");
	jw_kv_string(&w, "code", "invalid");
	jw_key(&w, "contexts");
	jw_array_begin(&w);
	for (size_t i = 0; i < failing->count; i++) {
		jw_object_begin(&w);
		jw_kv_string(&w, "context", failing->items[i].context);
		jw_kv_string(&w, "state", failing->items[i].state);
		jw_object_end(&w);
	}
	jw_array_end(&w);
	jw_object_end(&w);
	jw_array_end(&w);
	buf_printf(&message, "Conflict: Commit status checks failed for %s.", ref);
	response_error_with_errors(ctx->res, 409, message.data, buf_cstr(&errors));
	buf_release(&errors);
	buf_release(&message);
}
