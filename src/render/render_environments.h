/*
 * Environments and their deployment branch policies to GitHub-shaped JSON
 * (render.h's rules; shared/spec/environments.md gives the field order).
 * Names in URLs are percent-encoded: every byte outside A-Za-z0-9-._~.
 */
#ifndef DEPLOY_RENDER_ENVIRONMENTS_H
#define DEPLOY_RENDER_ENVIRONMENTS_H

#include "model.h"
#include "render.h"

/* base->api + "/repos/owner/name/environments/<encoded name>". */
void render_environment_url(struct buf *b, const struct url_base *base,
    const struct repository *repo, const char *name);

/* GitHub's environment, can_admins_bypass included (GitHub returns it
 * though its schema does not list it). */
void render_environment(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const struct environment *e);

/* GitHub's deployment-branch-policy. */
void render_branch_policy(struct jsonw *w, const struct branch_policy *p);

#endif
