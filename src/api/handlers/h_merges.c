/*
 * POST /repos/{owner}/{repo}/merges: merge a branch or commit into a
 * branch (GitHub's "merge a branch"), with the same merge code as a
 * deployment's auto_merge (gitmerge.h). No database round trip beyond
 * resolving the caller.
 */
#include "config.h"

#include <string.h>

#include "bodies.h"
#include "buf.h"
#include "gitmerge.h"
#include "gitrefs.h"
#include "handler.h"
#include "input.h"
#include "render_commits.h"

#define BRANCH_MAX_CHARS 255
#define COMMIT_MESSAGE_MAX_CHARS 65536

int
parse_merge_request(struct handler_ctx *ctx, const struct input *body, struct merge_request *mr)
{
	struct validation v;

	validation_init(&v, "Merge");
	mr->base = input_string(&v, body, "base", INPUT_REQUIRED | INPUT_NO_CONTROL, BRANCH_MAX_CHARS);
	mr->head = input_string(&v, body, "head", INPUT_REQUIRED | INPUT_NO_CONTROL, BRANCH_MAX_CHARS);
	/* A message may span lines; it may not hold NUL (input_string). */
	mr->commit_message = input_string(&v, body, "commit_message", INPUT_NULLABLE,
	    COMMIT_MESSAGE_MAX_CHARS);
	if (mr->commit_message && *mr->commit_message == '\0')
		mr->commit_message = NULL;
	return validation_reply(&v, ctx);
}

void
h_merge_create(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	const char *git_dir = a->repo.git_dir;
	struct merge_request mr;
	char base_sha[41], head_sha[41];
	struct buf message = BUF_INIT;
	struct buf host = BUF_INIT;
	struct buf email = BUF_INIT;
	struct git_identity who;
	struct merge_commit merged;
	struct jsonw w;
	struct input *body;

	body = input_body_or_reply(ctx);
	if (body == NULL)
		return;
	if (parse_merge_request(ctx, body, &mr) < 0)
		goto out;
	/* The base must be a branch; the head may be anything that names a
	 * commit (branch, tag, SHA). */
	switch (gitrefs_branch(git_dir, mr.base, base_sha)) {
	case GITREFS_FOUND:
		break;
	case GITREFS_NOT_FOUND:
		response_error(ctx->res, 404, "Base does not exist");
		goto out;
	case GITREFS_ERROR:
		reply_git_read_failure(ctx);
		goto out;
	}
	switch (gitrefs_resolve(git_dir, mr.head, head_sha)) {
	case GITREFS_FOUND:
		break;
	case GITREFS_NOT_FOUND:
		response_error(ctx->res, 404, "Head does not exist");
		goto out;
	case GITREFS_ERROR:
		reply_git_read_failure(ctx);
		goto out;
	}

	if (mr.commit_message)
		buf_puts(&message, mr.commit_message);
	else
		buf_printf(&message, "Merge %s into %s", mr.head, mr.base);
	render_host(&host, &ctx->urls);
	gitmerge_identity(&who, &email, a->principal.user.login, a->principal.user.email, host.data,
	    a->now);
	switch (gitmerge_into_branch(git_dir, mr.base, base_sha, head_sha, &who, message.data,
	    &merged)) {
	case GITMERGE_MERGED:
		response_json_begin(ctx->res, 201, &w);
		render_merge_commit(&w, &ctx->urls, &a->repo, &merged, &who, message.data,
		    &a->principal.user);
		break;
	case GITMERGE_UP_TO_DATE:
		response_empty(ctx->res, 204);
		break;
	case GITMERGE_CONFLICT:
		response_error(ctx->res, 409, "Merge Conflict");
		break;
	case GITMERGE_BRANCH_MOVED:
		/* GitHub's words when a pull request's branch moves under a merge. */
		response_error(ctx->res, 409, "Base branch was modified. Review and try the merge again.");
		break;
	case GITMERGE_ERROR:
		reply_git_write_failure(ctx);
		break;
	}
out:
	buf_release(&email);
	buf_release(&host);
	buf_release(&message);
	input_release(body);
}
