/*
 * The model's records (model.h) read from result rows: one SELECT list
 * and one reader per record, kept in step, shared by every program that
 * reads them (the API's stores, the dispatcher's fan-out). Times come
 * back as epoch seconds. A reader takes the row and the record's first
 * column; strings are copied (the record owns them).
 */
#ifndef DEPLOY_MODEL_ROWS_H
#define DEPLOY_MODEL_ROWS_H

#include "db_query.h"
#include "model.h"

#define MODEL_ROWS_EPOCH(col) "extract(epoch FROM " col ")::bigint"

#define MODEL_ROWS_USER_COLUMNS(u)                                         \
	u ".id, " u ".login, " u ".site_admin, " u ".name, " u ".email, "  \
	MODEL_ROWS_EPOCH(u ".created_at") ", " MODEL_ROWS_EPOCH(u ".updated_at")
#define MODEL_ROWS_USER_NCOLUMNS 7

/* o: the owner, a user. */
#define MODEL_ROWS_REPOSITORY_COLUMNS(r, o)                                \
	r ".id, " r ".name, " r ".private, " r ".default_branch, "          \
	r ".git_dir, " r ".description, " r ".homepage, "                   \
	MODEL_ROWS_EPOCH(r ".created_at") ", " MODEL_ROWS_EPOCH(r ".updated_at") ", " \
	MODEL_ROWS_EPOCH(r ".pushed_at") ", " MODEL_ROWS_USER_COLUMNS(o)
#define MODEL_ROWS_REPOSITORY_OWNER 10   /* the owner's first column */
#define MODEL_ROWS_REPOSITORY_NCOLUMNS (MODEL_ROWS_REPOSITORY_OWNER + MODEL_ROWS_USER_NCOLUMNS)

/* The deployment's own columns, times as epoch seconds (a record of
 * deployments' columns or of an event's values: sql/0014), then u's. */
#define MODEL_ROWS_DEPLOYMENT_VALUES(d, u, created_at, updated_at)          \
	d ".id, " d ".sha, " d ".ref, " d ".task, " d ".payload, "            \
	d ".original_environment, " d ".environment, " d ".description, "     \
	d ".transient_environment, " d ".production_environment, "            \
	d ".latest_state, " created_at ", " updated_at ", " MODEL_ROWS_USER_COLUMNS(u)
#define MODEL_ROWS_DEPLOYMENT_COLUMNS(d, u)                                 \
	MODEL_ROWS_DEPLOYMENT_VALUES(d, u, MODEL_ROWS_EPOCH(d ".created_at"), \
	    MODEL_ROWS_EPOCH(d ".updated_at"))
#define MODEL_ROWS_DEPLOYMENT_SHA 1
#define MODEL_ROWS_DEPLOYMENT_CREATOR 13 /* the creator's first column */
#define MODEL_ROWS_DEPLOYMENT_NCOLUMNS (MODEL_ROWS_DEPLOYMENT_CREATOR + MODEL_ROWS_USER_NCOLUMNS)

#define MODEL_ROWS_STATUS_VALUES(s, u, created_at, updated_at)              \
	s ".id, " s ".deployment_id, " s ".state, " s ".description, "        \
	s ".environment, " s ".target_url, " s ".log_url, "                   \
	s ".environment_url, " created_at ", " updated_at ", " MODEL_ROWS_USER_COLUMNS(u)
#define MODEL_ROWS_STATUS_COLUMNS(s, u)                                     \
	MODEL_ROWS_STATUS_VALUES(s, u, MODEL_ROWS_EPOCH(s ".created_at"),     \
	    MODEL_ROWS_EPOCH(s ".updated_at"))
#define MODEL_ROWS_STATUS_STATE 2
#define MODEL_ROWS_STATUS_CREATOR 10     /* the creator's first column */
#define MODEL_ROWS_STATUS_NCOLUMNS (MODEL_ROWS_STATUS_CREATOR + MODEL_ROWS_USER_NCOLUMNS)

/* A copy of the value, or NULL for SQL NULL. */
char *model_rows_text_or_null(const PGresult *r, int row, int col);

void model_rows_read_user(const PGresult *r, int row, int col, struct user *out);
void model_rows_read_repository(const PGresult *r, int row, int col, struct repository *out);
void model_rows_read_deployment(const PGresult *r, int row, int col, struct deployment *out);
void model_rows_read_status(const PGresult *r, int row, int col, struct deployment_status *out);

#endif
