/*
 * Deployment statuses in PostgreSQL. Creating one is a single call of the
 * plpgsql function deployment_status_create (sql/0003, sql/0014), which takes the
 * environment lock, assigns the id, applies the inactive cascade and writes
 * the webhook event in one round trip.
 */
#ifndef DEPLOY_STORE_STATUSES_H
#define DEPLOY_STORE_STATUSES_H

#include "db.h"
#include "model.h"

struct status_insert {
	int64_t repository_id;
	int64_t deployment_id;
	const char *expected_environment;  /* the deployment's, as rendered */
	const char *state;
	int64_t creator_id;
	const char *description;
	const char *environment;           /* NULL: keep the deployment's */
	const char *target_url;
	const char *log_url;
	const char *environment_url;
	bool auto_inactive;
	bool cascade_production;
	int64_t created_at;
	/* The API's base URLs, for the event's URLs (store_deployments.h). */
	const char *api_url;
	const char *web_url;
};

enum status_create_result {
	STATUS_CREATED,
	STATUS_DEPLOYMENT_NOT_FOUND,
	STATUS_ENVIRONMENT_CHANGED,  /* read the deployment again and retry */
};

int store_status_create(struct db *db, const struct status_insert *s, int64_t *status_id,
    enum status_create_result *result, struct db_error *err) MUST_CHECK;

struct status_list {
	struct deployment_status *items;
	size_t count;
	int64_t total;
	bool more;  /* always false: counted (sql/0007) */
};

int store_status_list(struct db *db, int64_t deployment_id, int64_t limit, int64_t offset,
    int64_t before_id, struct status_list *out, struct db_error *err) MUST_CHECK;
void status_list_release(struct status_list *l);

/* 1 found, 0 not found (for that deployment), -1 error. */
int store_status_get(struct db *db, int64_t deployment_id, int64_t status_id,
    struct deployment_status *out, struct db_error *err) MUST_CHECK;

#endif
