#include "config.h"

#include "render_commits.h"

#include <stdlib.h>
#include <string.h>

static void
kv_time(struct jsonw *w, const char *key, int64_t epoch_seconds)
{
	jw_key(w, key);
	render_time(w, epoch_seconds);
}

void
render_commit_status_url(struct buf *b, const struct url_base *base,
    const struct repository *repo, const char *sha)
{
	render_repository_url(b, base, repo);
	buf_puts(b, "/statuses/");
	buf_puts(b, sha);
}

/* Every field of simple-commit-status, in GitHub's order; the caller
 * closes the object (status adds the creator). */
static void
status_fields(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct commit_status *s)
{
	struct buf url = BUF_INIT;
	char *node_id = render_node_id("Status", s->id);

	render_commit_status_url(&url, base, repo, s->sha);
	jw_kv_string(w, "url", url.data);
	jw_key(w, "avatar_url");
	render_avatar_url(w, base, s->creator.id);
	jw_kv_int(w, "id", s->id);
	jw_kv_string(w, "node_id", node_id);
	jw_kv_string(w, "state", s->state);
	jw_kv_string(w, "description", s->description);
	jw_kv_string(w, "target_url", s->target_url);
	jw_kv_string(w, "context", s->context);
	kv_time(w, "created_at", s->created_at);
	kv_time(w, "updated_at", s->updated_at);
	free(node_id);
	buf_release(&url);
}

void
render_commit_status(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const struct commit_status *s)
{
	jw_object_begin(w);
	status_fields(w, base, repo, s);
	jw_key(w, "creator");
	render_simple_user(w, base, &s->creator);
	jw_object_end(w);
}

void
render_combined_status(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const char *sha, const char *state, int64_t total_count,
    const struct commit_status *latest, size_t count)
{
	struct buf url = BUF_INIT;

	render_repository_url(&url, base, repo);
	buf_puts(&url, "/commits/");
	buf_puts(&url, sha);
	jw_object_begin(w);
	jw_kv_string(w, "state", state);
	jw_key(w, "statuses");
	jw_array_begin(w);
	for (size_t i = 0; i < count; i++) {
		jw_object_begin(w);
		status_fields(w, base, repo, &latest[i]);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_kv_string(w, "sha", sha);
	jw_kv_int(w, "total_count", total_count);
	jw_key(w, "repository");
	render_minimal_repository(w, base, repo);
	jw_kv_string(w, "commit_url", url.data);
	jw_kv_concat(w, "url", url.data, "/status");
	jw_object_end(w);
	buf_release(&url);
}

/* {"name", "email", "date"} */
static void
git_user(struct jsonw *w, const struct git_identity *who)
{
	jw_object_begin(w);
	jw_kv_string(w, "name", who->name);
	jw_kv_string(w, "email", who->email);
	kv_time(w, "date", who->when);
	jw_object_end(w);
}

/* A commit's GitHub user (author or committer): NULL when no user of
 * this server is known for it. */
static void
commit_user(struct jsonw *w, const struct url_base *base, const struct user *u)
{
	if (u)
		render_simple_user(w, base, u);
	else
		jw_null(w);
}

void
render_commit(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct commit_info *c, const struct user *author, const struct user *committer)
{
	struct buf repo_url = BUF_INIT;
	struct buf web_url = BUF_INIT;
	struct buf url = BUF_INIT;
	char *node_id = render_node_id_text("Commit", c->sha);

	render_repository_url(&repo_url, base, repo);
	buf_puts(&web_url, base->web);
	buf_putc(&web_url, '/');
	buf_puts(&web_url, repo->owner.login);
	buf_putc(&web_url, '/');
	buf_puts(&web_url, repo->name);
	buf_puts(&url, repo_url.data);
	buf_puts(&url, "/commits/");
	buf_puts(&url, c->sha);

	jw_object_begin(w);
	jw_kv_string(w, "sha", c->sha);
	jw_kv_string(w, "node_id", node_id);
	jw_key(w, "commit");
	jw_object_begin(w);
	jw_key(w, "author");
	git_user(w, &c->author);
	jw_key(w, "committer");
	git_user(w, &c->committer);
	jw_kv_string(w, "message", c->message);
	jw_key(w, "tree");
	jw_object_begin(w);
	jw_kv_string(w, "sha", c->tree);
	jw_kv_concat3(w, "url", repo_url.data, "/git/trees/", c->tree);
	jw_object_end(w);
	jw_kv_concat3(w, "url", repo_url.data, "/git/commits/", c->sha);
	jw_kv_int(w, "comment_count", 0);
	jw_key(w, "verification");
	jw_object_begin(w);
	jw_kv_bool(w, "verified", false);
	jw_kv_string(w, "reason", "unsigned");
	jw_kv_null(w, "signature");
	jw_kv_null(w, "payload");
	jw_kv_null(w, "verified_at");
	jw_object_end(w);
	jw_object_end(w);
	jw_kv_string(w, "url", url.data);
	jw_kv_concat3(w, "html_url", web_url.data, "/commit/", c->sha);
	jw_kv_concat(w, "comments_url", url.data, "/comments");
	jw_key(w, "author");
	commit_user(w, base, author);
	jw_key(w, "committer");
	commit_user(w, base, committer);
	jw_key(w, "parents");
	jw_array_begin(w);
	for (size_t i = 0; i < c->nparents; i++) {
		jw_object_begin(w);
		jw_kv_string(w, "sha", c->parents[i]);
		jw_kv_concat3(w, "url", repo_url.data, "/commits/", c->parents[i]);
		jw_kv_concat3(w, "html_url", web_url.data, "/commit/", c->parents[i]);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
	free(node_id);
	buf_release(&url);
	buf_release(&web_url);
	buf_release(&repo_url);
}

void
render_merge_commit(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const struct merge_commit *c,
    const struct git_identity *who, const char *message, const struct user *author)
{
	char parents[2][41];
	struct commit_info info = {
		.parents = parents,
		.nparents = 2,
		.author = *who,
		.committer = *who,
		.message = message,
	};

	memcpy(info.sha, c->sha, sizeof(info.sha));
	memcpy(info.tree, c->tree, sizeof(info.tree));
	memcpy(parents, c->parents, sizeof(parents));
	render_commit(w, base, repo, &info, author, author);
}
