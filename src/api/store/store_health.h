/* The health check's statement: the database answers, or it does not. */
#ifndef DEPLOY_STORE_HEALTH_H
#define DEPLOY_STORE_HEALTH_H

#include "db.h"

/* A trivial round trip: 0 when the database answers. */
int store_ping(struct db *db, struct db_error *err) MUST_CHECK;

#endif
