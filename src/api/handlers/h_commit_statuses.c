/*
 * Commits and their statuses (GitHub's statuses API, not a deployment's
 * statuses): a commit, create a status, list a ref's statuses (also at the
 * legacy /statuses/{ref}), and the combined status of a ref. A SHA or ref
 * resolves through libgit2 (gitrefs.h); a commit is read from the git
 * directory (gitcommit.h), each status handler costs one statement
 * (store_commit_statuses.h).
 */
#include "config.h"

#include <string.h>

#include "bodies.h"
#include "buf.h"
#include "gitcommit.h"
#include "gitrefs.h"
#include "handler.h"
#include "input.h"
#include "pagination.h"
#include "render_commits.h"
#include "store_commit_statuses.h"

#define STATUS_DESCRIPTION_MAX_CHARS 140
#define STATUS_URL_MAX_CHARS 2048
#define CONTEXT_MAX_CHARS 255

static const char *const commit_states[] = { "error", "failure", "pending", "success" };

int
parse_commit_status_request(struct handler_ctx *ctx, const struct input *body,
    struct commit_status_request *sr)
{
	struct validation v;

	validation_init(&v, "Status");
	sr->state = input_enum(&v, body, "state", commit_states, ARRAY_SIZE(commit_states),
	    INPUT_REQUIRED);
	/* Characters, not bytes, and never truncated (as deployment statuses). */
	sr->description = input_string(&v, body, "description", INPUT_NULLABLE | INPUT_SAY_TOO_LONG,
	    STATUS_DESCRIPTION_MAX_CHARS);
	sr->target_url = input_string(&v, body, "target_url", INPUT_NULLABLE | INPUT_NO_CONTROL,
	    STATUS_URL_MAX_CHARS);
	if (sr->target_url && *sr->target_url == '\0')
		sr->target_url = NULL;
	sr->context = input_string(&v, body, "context", INPUT_NULLABLE | INPUT_NO_CONTROL,
	    CONTEXT_MAX_CHARS);
	if (sr->context == NULL || *sr->context == '\0')
		sr->context = "default";
	return validation_reply(&v, ctx);
}

/* GitHub's answer for a SHA or ref that names no commit. */
static void
reply_no_commit(struct handler_ctx *ctx, int status, const char *what)
{
	struct buf msg = BUF_INIT;

	buf_printf(&msg, "No commit found for SHA: %s", what);
	response_error(ctx->res, status, msg.data);
	buf_release(&msg);
}

/* The commit the path's {ref} names into sha (41 bytes); -1 with
 * not_found_status (GitHub answers 404 for statuses, 422 for a commit) or
 * 500 written. */
static int
resolve_ref_or_reply(struct handler_ctx *ctx, int not_found_status, char *sha)
{
	const char *ref = route_param(&ctx->match, "ref");

	switch (gitrefs_resolve(ctx->auth->repo.git_dir, ref, sha)) {
	case GITREFS_FOUND:
		return 0;
	case GITREFS_NOT_FOUND:
		reply_no_commit(ctx, not_found_status, ref);
		return -1;
	case GITREFS_ERROR:
		break;
	}
	reply_git_read_failure(ctx);
	return -1;
}

void
h_commit_status_create(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	const char *sha_param = route_param(&ctx->match, "sha");
	struct commit_status_request sr;
	struct commit_status s;
	struct commit_status_insert ins;
	struct db_error err;
	struct buf location = BUF_INIT;
	struct jsonw w;
	struct input *body;

	body = input_body_or_reply(ctx);
	if (body == NULL)
		return;
	if (parse_commit_status_request(ctx, body, &sr) < 0)
		goto out;
	memset(&s, 0, sizeof(s));
	switch (gitrefs_commit(a->repo.git_dir, sha_param, s.sha)) {
	case GITREFS_FOUND:
		break;
	case GITREFS_NOT_FOUND:
		reply_no_commit(ctx, 422, sha_param);
		goto out;
	case GITREFS_ERROR:
		reply_git_read_failure(ctx);
		goto out;
	}

	/* Borrowed fields: s is rendered, never released. */
	s.id = a->new_id;
	s.state = (char *)sr.state;
	s.description = (char *)sr.description;
	s.target_url = (char *)sr.target_url;
	s.context = (char *)sr.context;
	s.created_at = a->now;
	s.updated_at = a->now;
	s.creator = a->principal.user;
	ins = (struct commit_status_insert){
		.id = s.id,
		.repository_id = a->repo.id,
		.sha = s.sha,
		.state = sr.state,
		.description = sr.description,
		.target_url = sr.target_url,
		.context = sr.context,
		.creator_id = a->principal.user.id,
		.created_at = a->now,
	};
	if (store_commit_status_create(ctx->db, &ins, &err) < 0) {
		reply_db_failure(ctx, &err);
		goto out;
	}
	render_commit_status_url(&location, &ctx->urls, &a->repo, s.sha);
	response_header(ctx->res, "Location", location.data);
	response_json_begin(ctx->res, 201, &w);
	render_commit_status(&w, &ctx->urls, &a->repo, &s);
out:
	buf_release(&location);
	input_release(body);
}

void
h_commit_statuses_list(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	struct page_request page;
	struct commit_status_list list;
	struct db_error err;
	struct jsonw w;
	char sha[41];

	if (resolve_ref_or_reply(ctx, 404, sha) < 0)
		return;
	pagination_parse(ctx->req, &page);
	if (store_commit_status_list(ctx->db, a->repo.id, sha, page.per_page,
	    pagination_offset(&page), page.before_id, &list, &err) < 0) {
		reply_db_failure(ctx, &err);
		return;
	}
	pagination_reply_begin(ctx, &page, list.total, list.more, PAGINATION_LAST_ID(list), &w);
	for (size_t i = 0; i < list.count; i++)
		render_commit_status(&w, &ctx->urls, &a->repo, &list.items[i]);
	jw_array_end(&w);
	commit_status_list_release(&list);
}

/* The page is a slice of the contexts in name order, so it is always
 * addressed by page number: no keyset hint. */
void
h_commit_status_combined(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	struct page_request page;
	struct combined_status combined;
	struct db_error err;
	struct jsonw w;
	char sha[41];

	if (resolve_ref_or_reply(ctx, 404, sha) < 0)
		return;
	pagination_parse(ctx->req, &page);
	page.before_id = 0;
	if (store_commit_status_combined(ctx->db, a->repo.id, sha, page.per_page,
	    pagination_offset(&page), &combined, &err) < 0) {
		reply_db_failure(ctx, &err);
		return;
	}
	pagination_link(ctx, &page, combined.latest.total, false, 0);
	response_json_begin(ctx->res, 200, &w);
	render_combined_status(&w, &ctx->urls, &a->repo, sha, combined.state, combined.latest.total,
	    combined.latest.items, combined.latest.count);
	combined_status_release(&combined);
}

/* GitHub's commit object, from the git directory. A repository without
 * one has no commits to show (its statuses are still served by SHA). The
 * author and committer are not matched to users: null, as GitHub shows a
 * commit whose email belongs to no account. */
void
h_commit_get(struct handler_ctx *ctx)
{
	const struct resolution *a = ctx->auth;
	struct commit_info commit;
	struct jsonw w;
	char sha[41];

	if (resolve_ref_or_reply(ctx, 422, sha) < 0)
		return;
	switch (gitcommit_read(a->repo.git_dir, sha, &commit)) {
	case GITREFS_FOUND:
		response_json_begin(ctx->res, 200, &w);
		render_commit(&w, &ctx->urls, &a->repo, &commit, NULL, NULL);
		commit_info_release(&commit);
		return;
	case GITREFS_NOT_FOUND:
		reply_no_commit(ctx, 422, route_param(&ctx->match, "ref"));
		return;
	case GITREFS_ERROR:
		break;
	}
	reply_git_read_failure(ctx);
}
