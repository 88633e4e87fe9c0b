/*
 * What creating a deployment checks between resolving its ref and writing
 * the row (semantics.md, "Order of checks on create", steps 3 and 4): the
 * auto-merge of the default branch into a branch that is behind it, then
 * the commit's statuses against required_contexts. Legacy force skips both
 * (the caller does not call them). Each returns 0 to go on, or -1 with the
 * response written (202 merged, 409, 500, 503): nothing is created then.
 */
#ifndef DEPLOY_DEPLOYMENT_CHECKS_H
#define DEPLOY_DEPLOYMENT_CHECKS_H

#include "gitrefs.h"
#include "handler.h"

/*
 * Step 3. Only a branch other than the default branch takes a merge, and
 * only when the default branch's head is not already in it: then the
 * default branch is merged into it (gitmerge.h, compare-and-swap on sha,
 * the head the ref resolved to) and the answer is 202, the client deploys
 * again. A conflict, unrelated histories, or a branch that moved meanwhile
 * (a concurrent push or merge wins): 409, the repository unchanged. No
 * database round trip.
 */
int deployment_auto_merge_or_reply(struct handler_ctx *ctx, const char *ref,
    enum gitrefs_kind kind, const char *sha) MUST_CHECK;

/*
 * Step 4. required_contexts: JSON array text, or NULL for every context
 * with a status on the commit; "[]" checks nothing and costs nothing.
 * Otherwise one statement; failing contexts give 409 with GitHub's errors
 * entry listing each one and its latest state ("missing" when it has none).
 */
int deployment_contexts_or_reply(struct handler_ctx *ctx, const char *ref, const char *sha,
    const char *required_contexts) MUST_CHECK;

#endif
