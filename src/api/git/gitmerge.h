/*
 * Merging one commit into a branch of a bare repository with libgit2, the
 * way GitHub's merges API and a deployment's auto_merge do: a real merge
 * commit (first parent the branch's head, second the merged commit) written
 * to the object database, then the branch moved to it with compare-and-swap
 * on the head the merge was computed from. A push (or another merge) that
 * moves the branch meanwhile wins: the merge is dropped, the branch keeps
 * the other writer's commit, and the caller answers 409. Nothing on disk
 * changes on a conflict (a written but unreferenced commit is garbage that
 * git gc removes).
 *
 * Repositories come from the worker's cache (gitrefs.h).
 */
#ifndef DEPLOY_GITMERGE_H
#define DEPLOY_GITMERGE_H

#include <stdint.h>

#include "buf.h"
#include "model.h"
#include "util.h"

/*
 * The identity merges are written as: the user's login, and the user's
 * email or, when there is none (or git could not take it),
 * login@users.noreply.<host>, GitHub's convention. The strings point into
 * login, email and the scratch buffer, which the caller releases.
 */
void gitmerge_identity(struct git_identity *out, struct buf *scratch, const char *login,
    const char *email, const char *host, int64_t when);

enum gitmerge_result {
	GITMERGE_MERGED,            /* a merge commit was written and the branch moved to it */
	GITMERGE_UP_TO_DATE,        /* the commit is already in the branch: nothing to do */
	GITMERGE_CONFLICT,          /* the trees conflict, or no common history */
	GITMERGE_BRANCH_MOVED,      /* the branch no longer points at base_sha: nothing written to it */
	GITMERGE_ERROR,             /* the repository cannot be read or written (logged) */
};

/*
 * Merges commit head_sha into refs/heads/<branch>, whose head the caller
 * read as base_sha (the compare-and-swap's expected value). "Already
 * merged" is first looked for among the branch's 1,000 newest commits (a
 * bounded walk: the usual answer, at the cost of the distance); otherwise
 * one merge-base computation answers it and gives the merge its base. That
 * walk covers the commits since the fork point, not the whole history
 * (docs/architecture.md has its measured cost). out is filled on
 * GITMERGE_MERGED.
 */
enum gitmerge_result gitmerge_into_branch(const char *git_dir, const char *branch,
    const char *base_sha, const char *head_sha, const struct git_identity *who,
    const char *message, struct merge_commit *out);

#endif
