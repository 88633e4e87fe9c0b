#include "config.h"

#include "gitcommit.h"

#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "log.h"

/* A copy of a libgit2 signature; libgit2 keeps names and emails as given,
 * which a commit written by another tool may leave NULL. */
static void
copy_identity(struct git_identity *out, const git_signature *sig)
{
	out->name = xstrdup(sig && sig->name ? sig->name : "");
	out->email = xstrdup(sig && sig->email ? sig->email : "");
	out->when = sig ? (int64_t)sig->when.time : 0;
}

enum gitrefs_result
gitcommit_read(const char *git_dir, const char *sha, struct commit_info *out)
{
	git_repository *repo;
	git_commit *commit;
	git_oid oid;
	const char *message;
	int rc;

	memset(out, 0, sizeof(*out));
	if (git_dir == NULL)
		return GITREFS_NOT_FOUND;
	repo = gitrefs_repository(git_dir);
	if (repo == NULL)
		return GITREFS_ERROR;
	if (git_oid_fromstrn(&oid, sha, strlen(sha)) < 0 || strlen(sha) != GIT_OID_HEXSZ)
		return GITREFS_NOT_FOUND;
	rc = git_commit_lookup(&commit, repo, &oid);
	if (rc == GIT_ENOTFOUND)
		return GITREFS_NOT_FOUND;
	if (rc < 0) {
		const git_error *e = git_error_last();

		log_error("cannot read commit %s in %s: %s", sha, git_dir, e ? e->message : "unknown error");
		return GITREFS_ERROR;
	}
	git_oid_tostr(out->sha, sizeof(out->sha), git_commit_id(commit));
	git_oid_tostr(out->tree, sizeof(out->tree), git_commit_tree_id(commit));
	out->nparents = git_commit_parentcount(commit);
	out->parents = xcalloc(out->nparents ? out->nparents : 1, sizeof(*out->parents));
	for (size_t i = 0; i < out->nparents; i++)
		git_oid_tostr(out->parents[i], sizeof(out->parents[i]), git_commit_parent_id(commit, (unsigned)i));
	copy_identity(&out->author, git_commit_author(commit));
	copy_identity(&out->committer, git_commit_committer(commit));
	message = git_commit_message(commit);
	out->message = xstrdup(message ? message : "");
	git_commit_free(commit);
	return GITREFS_FOUND;
}
