/* Reads about users beyond authentication. */
#ifndef DEPLOY_STORE_USER_H
#define DEPLOY_STORE_USER_H

#include "db.h"
#include "model.h"

/* Repository counts for the authenticated-user object. */
int store_user_counts(struct db *db, int64_t user_id, struct user_counts *out,
    struct db_error *err) MUST_CHECK;

#endif
