/*
 * Model records to GitHub-shaped JSON. Every render_* returns a new
 * reference (NULL only when jansson runs out of memory); field order is
 * GitHub's. URLs are absolute, built from the request's base URLs so they
 * keep the /api/v3 prefix when the client used it.
 */
#ifndef DEPLOY_RENDER_H
#define DEPLOY_RENDER_H

#include <stdbool.h>

#include <jansson.h>

#include "model.h"
#include "util.h"

struct url_base {
	const char *api;  /* "http://host/api/v3" or "http://host" */
	const char *web;  /* "http://host" */
};

/* GitHub's opaque node id: base64 of "0<len(type)>:<type><id>". */
char *render_node_id(const char *type, int64_t id);

json_t *render_simple_user(const struct url_base *base, const struct user *u);

struct user_counts {
	int64_t public_repos;
	int64_t owned_private_repos;
	int64_t total_private_repos;
	int64_t collaborators;
};
/* The authenticated user (GitHub's private-user). */
json_t *render_private_user(const struct url_base *base, const struct user *u,
    const struct user_counts *counts);

/* GitHub's full-repository; permissions is NULL-able (anonymous). */
json_t *render_full_repository(const struct url_base *base, const struct repository *r,
    const enum permission *permission);

/* GitHub's deployment object. */
json_t *render_deployment(const struct url_base *base, const struct repository *repo,
    const struct deployment *d);

/* The body of a deployment webhook (action "created"); steals deployment. */
json_t *render_deployment_event(const struct url_base *base, const struct repository *repo,
    json_t *deployment, const struct user *sender);

/* GitHub's deployment status object. */
json_t *render_deployment_status(const struct url_base *base, const struct repository *repo,
    const struct deployment_status *s);

/*
 * The body of a deployment_status webhook, rendered before the status has
 * an id: the database joins head ID mid1 ID mid2 NODE_ID tail once it
 * assigns one (sql/0003). s->id is ignored. Returns 0, or -1 when jansson
 * runs out of memory. The four strings are the caller's to free.
 */
struct event_pieces {
	char *head;
	char *mid1;
	char *mid2;
	char *tail;
};
int render_deployment_status_event(const struct url_base *base, const struct repository *repo,
    const struct deployment *d, const struct deployment_status *s, const struct user *sender,
    struct event_pieces *out) MUST_CHECK;
void event_pieces_release(struct event_pieces *p);

/* GitHub's repository webhook object; the secret is never shown. */
json_t *render_hook(const struct url_base *base, const struct repository *repo,
    const struct hook *h);

/* A hook delivery, as the list shows it or, with detail, with the last
 * request and response. */
json_t *render_delivery(const struct delivery *d, bool detail);

/* The ping event's body. */
json_t *render_ping_event(const struct url_base *base, const struct repository *repo,
    const struct hook *h, const struct user *sender);

/* The repository_dispatch event's body; steals client_payload. */
json_t *render_repository_dispatch_event(const struct url_base *base,
    const struct repository *repo, const char *event_type, json_t *client_payload,
    const struct user *sender);

/* "2026-11-21T06:01:00Z" as a JSON string. */
json_t *render_time(int64_t epoch_seconds);

#endif
