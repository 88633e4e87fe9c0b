/*
 * Commits and commit statuses to GitHub-shaped JSON (render.h's rules:
 * GitHub's field order, absolute URLs from the request's bases, each
 * render_* writes exactly one JSON value).
 */
#ifndef DEPLOY_RENDER_COMMITS_H
#define DEPLOY_RENDER_COMMITS_H

#include <stddef.h>

#include "model.h"
#include "render.h"

/* base->api + "/repos/owner/name/statuses/<sha>": a status's url and the
 * Location of a created one (GitHub names statuses by their commit). */
void render_commit_status_url(struct buf *b, const struct url_base *base,
    const struct repository *repo, const char *sha);

/* GitHub's status, creator included. */
void render_commit_status(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const struct commit_status *s);

/* GitHub's combined-commit-status: state, this page of the latest status
 * of each context (simple-commit-status, no creator), the commit, the
 * number of contexts, the minimal repository and the URLs. */
void render_combined_status(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const char *sha, const char *state, int64_t total_count,
    const struct commit_status *latest, size_t count);

/* GitHub's commit object; author and committer are the users of this
 * server the commit is attributed to, NULL (JSON null) when unknown. */
void render_commit(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct commit_info *c, const struct user *author, const struct user *committer);

/* GitHub's commit, for a merge commit this server wrote (author and
 * committer are the same user). */
void render_merge_commit(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const struct merge_commit *c,
    const struct git_identity *who, const char *message, const struct user *author);

#endif
