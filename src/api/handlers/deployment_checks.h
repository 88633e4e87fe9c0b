/*
 * What creating a deployment checks between resolving its ref and writing
 * the row (semantics.md, "Order of checks on create", steps 3 and 4): the
 * environment's branch policies (environments.md, before step 3), the
 * auto-merge of the default branch into a branch that is behind it, then
 * the commit's statuses against required_contexts, which the statement that
 * creates the deployment checks (one snapshot, no extra round trip).
 * Legacy force skips the last two.
 */
#ifndef DEPLOY_DEPLOYMENT_CHECKS_H
#define DEPLOY_DEPLOYMENT_CHECKS_H

#include "gitrefs.h"
#include "handler.h"
#include "store_deployments.h"

/* What an environment's branch policies judge of a resolved ref: its kind
 * ("branch", "tag", NULL for a SHA or another ref, which no policy admits)
 * and its name without refs/heads/ or refs/tags/ (the ref as given for
 * other kinds). name is borrowed from ref. */
struct policy_ref {
	const char *kind;
	const char *name;
};

struct policy_ref deployment_policy_ref(const char *ref, enum gitrefs_kind kind);

/* GitHub's job-level wording for a ref that environment's policies
 * refuse: 'Branch "feature-x" is not allowed to deploy to production due
 * to environment protection rules.' ("Tag" for a tag), into msg; and
 * REST's 422 with it. */
void deployment_refused_message(struct buf *msg, const struct policy_ref *p,
    const char *environment);
void deployment_refused_reply(struct handler_ctx *ctx, const struct policy_ref *p,
    const char *environment);

/* Whether environment's branch policies admit the ref (one statement): 0,
 * or -1 with the 422 (or 503) written. The create statement judges again,
 * atomically; this earlier look is for what must not happen before a
 * refusal (an auto-merge) and for a status that moves a deployment. */
int deployment_branch_policies_or_reply(struct handler_ctx *ctx, const char *environment,
    const struct policy_ref *p) MUST_CHECK;

/*
 * A status that moves d to another environment (names compared after
 * ASCII folding: strcasecmp in the C locale the workers run in) is judged
 * by that environment's branch policies, on d's ref resolved again in
 * repo (a ref that no longer resolves is judged as a SHA: no policy admits
 * it). REFUSED: *refused is the environment's name (to free) and p the ref
 * as judged (borrowed from d).
 */
enum move_verdict { MOVE_ALLOWED, MOVE_REFUSED, MOVE_GIT_FAILED, MOVE_DB_FAILED };

enum move_verdict deployment_move_refusal(struct db *db, const struct repository *repo,
    const struct deployment *d, const char *environment, struct policy_ref *p, char **refused,
    struct db_error *err);

/*
 * Step 3. Only a branch other than the default branch takes a merge, and
 * only when the default branch's head is not already in it: then the
 * default branch is merged into it (gitmerge.h, compare-and-swap on sha,
 * the head the ref resolved to) and the answer is 202, the client deploys
 * again. A conflict, unrelated histories, or a branch that moved meanwhile
 * (a concurrent push or merge wins): 409, the repository unchanged. No
 * database round trip.
 */
enum auto_merge_result {
	AUTO_MERGE_NOT_NEEDED,   /* not a branch, the default one, or up to date */
	AUTO_MERGE_MERGED,       /* 202: "Auto-merged <default> into <ref> on deployment." */
	AUTO_MERGE_CONFLICT,     /* 409: "Conflict merging <default> into <ref>." */
	AUTO_MERGE_READ_FAILED,  /* the repository could not be read */
	AUTO_MERGE_WRITE_FAILED, /* nor written */
};

enum auto_merge_result deployment_auto_merge(const struct url_base *urls,
    const struct author *who, const char *ref, enum gitrefs_kind kind, const char *sha);
/* The message of MERGED ("Auto-merged ...") or CONFLICT ("Conflict merging ...") into msg. */
void deployment_auto_merge_message(struct buf *msg, enum auto_merge_result r,
    const struct repository *repo, const char *ref);
/* REST's answer: 0 when the create goes on, else -1 with the reply set. */
int deployment_auto_merge_or_reply(struct handler_ctx *ctx, const char *ref,
    enum gitrefs_kind kind, const char *sha) MUST_CHECK;

/*
 * Step 4, required_contexts (JSON array text, or NULL for every context
 * with a status on the commit): which check the create statement makes
 * (store_deployments.h); "[]" and legacy force check nothing.
 */
enum contexts_check deployment_contexts_check(const char *required_contexts, bool force);

/* The 409 for contexts that failed: GitHub's message and an errors entry
 * listing each context and its latest state ("missing" when it has none). */
void deployment_contexts_reply(struct handler_ctx *ctx, const char *ref,
    const struct context_failures *failing);

#endif
