/*
 * Model records to GitHub-shaped JSON, written in GitHub's field order
 * straight into a response or event body (jsonw.h). Each render_* writes
 * exactly one JSON value. URLs are absolute, built from the request's base
 * URLs, so they keep the /api/v3 prefix when the client used it.
 */
#ifndef DEPLOY_RENDER_H
#define DEPLOY_RENDER_H

#include <stdbool.h>

#include "buf.h"
#include "jsonw.h"
#include "model.h"
#include "util.h"

struct url_base {
	const char *api;  /* "http://host/api/v3" or "http://host" */
	const char *web;  /* "http://host" */
};

/* GitHub's opaque node id: base64 of "0<len(type)>:<type><id>". */
char *render_node_id(const char *type, int64_t id);
/* The same for a resource keyed by text (a commit: "06:Commit<sha>"). */
char *render_node_id_text(const char *type, const char *key);
/* The node id of (type, key) appended to out. */
void render_node_id_into(struct buf *out, const char *type, const char *key, size_t key_len);

/* "2026-11-21T06:01:00Z" */
void render_time(struct jsonw *w, int64_t epoch_seconds);

/* API URLs of resources, for Location headers. */
void render_repository_url(struct buf *b, const struct url_base *base,
    const struct repository *repo);
void render_deployment_url(struct buf *b, const struct url_base *base,
    const struct repository *repo, int64_t deployment_id);
void render_hook_url(struct buf *b, const struct url_base *base, const struct repository *repo,
    int64_t hook_id);

/* The host of the web URL ("http://h:8080" -> "h"), as git URLs and
 * GitHub's noreply emails use it. */
void render_host(struct buf *b, const struct url_base *base);

/* A user's avatar URL, as a string value. */
void render_avatar_url(struct jsonw *w, const struct url_base *base, int64_t user_id);
void render_simple_user(struct jsonw *w, const struct url_base *base, const struct user *u);

/* The authenticated user (GitHub's private-user). */
void render_private_user(struct jsonw *w, const struct url_base *base, const struct user *u,
    const struct user_counts *counts);

/* GitHub's full-repository; permission NULL (anonymous, webhooks): no
 * permissions object. */
void render_full_repository(struct jsonw *w, const struct url_base *base,
    const struct repository *r, const enum permission *permission);
/* GitHub's minimal-repository: the full one's ids, names, owner and URL
 * templates (the combined commit status embeds it). */
void render_minimal_repository(struct jsonw *w, const struct url_base *base,
    const struct repository *r);

void render_deployment(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct deployment *d);
/* The body of a deployment webhook (action "created"), rendered by
 * deploy-dispatch when it fans the event out (dispatch_event.h). */
void render_deployment_event(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const struct deployment *d, const struct user *sender);

void render_deployment_status(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const struct deployment_status *s);
/* The body of a deployment_status webhook (action "created"); d is the
 * deployment as the status left it. Rendered by deploy-dispatch. */
void render_deployment_status_event(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const struct deployment *d, const struct deployment_status *s,
    const struct user *sender);

/* GitHub's repository webhook object; the secret is never shown. */
void render_hook(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct hook *h);
/* A hook delivery as the list shows it or, with detail, with the last
 * request and response. */
void render_delivery(struct jsonw *w, const struct delivery *d, bool detail);
void render_ping_event(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct hook *h, const struct user *sender);
/* client_payload: JSON text of an object, or NULL. Rendered by
 * deploy-dispatch. */
void render_repository_dispatch_event(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const char *event_type, const char *client_payload,
    const struct user *sender);

#endif
