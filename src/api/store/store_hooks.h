/*
 * Repository webhooks and their deliveries, as the API sees them: CRUD on
 * hooks, pings and redeliveries queue work for deploy-dispatch, which does
 * the sending (src/dispatch*.c).
 */
#ifndef DEPLOY_STORE_HOOKS_H
#define DEPLOY_STORE_HOOKS_H

#include "db.h"
#include "model.h"

/* What a create or an update sets; NULL fields are left as they are (on
 * create: the table's defaults). */
struct hook_change {
	const char *url;
	const char *content_type;
	const char *secret;        /* "" clears it */
	const char *insecure_ssl;  /* "t" / "f" */
	const char *events;        /* JSON array text */
	const char *active;        /* "t" / "f" */
};

int store_hook_create(struct db *db, int64_t repository_id, const struct hook_change *c,
    struct hook *out, struct db_error *err) MUST_CHECK;
/* 1 updated, 0 not found, -1 error. */
int store_hook_update(struct db *db, int64_t repository_id, int64_t id, const struct hook_change *c,
    struct hook *out, struct db_error *err) MUST_CHECK;
/* 1 found, 0 not found, -1 error. */
int store_hook_get(struct db *db, int64_t repository_id, int64_t id, struct hook *out,
    struct db_error *err) MUST_CHECK;
/* 1 deleted, 0 not found, -1 error. */
int store_hook_delete(struct db *db, int64_t repository_id, int64_t id,
    struct db_error *err) MUST_CHECK;

struct hook_list {
	struct hook *items;
	size_t count;
	int64_t total;
	bool more;  /* always false: counted */
};
int store_hook_list(struct db *db, int64_t repository_id, int64_t limit, int64_t offset,
    struct hook_list *out, struct db_error *err) MUST_CHECK;
void hook_list_release(struct hook_list *l);

/* Queues a delivery of event (no ordering) to one hook, payload rendered. */
int store_delivery_queue(struct db *db, const struct hook *h, const char *event,
    const char *action, const char *payload, struct db_error *err) MUST_CHECK;

struct delivery_list {
	struct delivery *items;
	size_t count;
	int64_t total;
	bool more;  /* always false: counted */
};
int store_delivery_list(struct db *db, int64_t hook_id, int64_t limit, int64_t offset,
    int64_t before_id, struct delivery_list *out, struct db_error *err) MUST_CHECK;
void delivery_list_release(struct delivery_list *l);
/* 1 found, 0 not found (for that hook), -1 error. With the last attempt. */
int store_delivery_get(struct db *db, int64_t hook_id, int64_t id, struct delivery *out,
    struct db_error *err) MUST_CHECK;
/* Queues a redelivery: a new delivery with the guid and payload of the
 * one given: 1 done, 0 not found. */
int store_delivery_redeliver(struct db *db, int64_t hook_id, int64_t id,
    struct db_error *err) MUST_CHECK;

/* The repository_dispatch event, into the outbox as a lean row (sql/0014),
 * which deploy-dispatch renders. */
struct repository_dispatch_insert {
	int64_t repository_id;
	int64_t sender_id;
	const char *event_type;
	const char *client_payload;  /* JSON text of an object, or NULL */
	const char *api_url;         /* the base URLs (store_deployments.h) */
	const char *web_url;
};
int store_repository_dispatch(struct db *db, const struct repository_dispatch_insert *d,
    struct db_error *err) MUST_CHECK;

#endif
