/*
 * A commit read from a repository's bare git directory with libgit2, for
 * GitHub's commit object (GET /repos/{owner}/{repo}/commits/{ref}). The
 * repository handle comes from the worker's cache (gitrefs.h).
 */
#ifndef DEPLOY_GITCOMMIT_H
#define DEPLOY_GITCOMMIT_H

#include "gitrefs.h"
#include "model.h"

/* The commit sha (40 hex) names into out, which then owns its strings
 * (commit_info_release). GITREFS_NOT_FOUND without a git directory: there
 * is nothing to read the commit from. */
enum gitrefs_result gitcommit_read(const char *git_dir, const char *sha, struct commit_info *out);

#endif
