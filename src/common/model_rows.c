#include "config.h"

#include "model_rows.h"

#include <stdio.h>

#include "util.h"

char *
model_rows_text_or_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : xstrdup(PQgetvalue(r, row, col));
}

void
model_rows_read_user(const PGresult *r, int row, int col, struct user *out)
{
	out->id = db_get_int64(r, row, col);
	out->login = xstrdup(PQgetvalue(r, row, col + 1));
	out->site_admin = db_get_bool(r, row, col + 2);
	out->name = model_rows_text_or_null(r, row, col + 3);
	out->email = model_rows_text_or_null(r, row, col + 4);
	out->created_at = db_get_int64(r, row, col + 5);
	out->updated_at = db_get_int64(r, row, col + 6);
}

void
model_rows_read_repository(const PGresult *r, int row, int col, struct repository *out)
{
	out->id = db_get_int64(r, row, col);
	out->name = xstrdup(PQgetvalue(r, row, col + 1));
	out->is_private = db_get_bool(r, row, col + 2);
	out->default_branch = xstrdup(PQgetvalue(r, row, col + 3));
	out->git_dir = model_rows_text_or_null(r, row, col + 4);
	out->description = model_rows_text_or_null(r, row, col + 5);
	out->homepage = model_rows_text_or_null(r, row, col + 6);
	out->created_at = db_get_int64(r, row, col + 7);
	out->updated_at = db_get_int64(r, row, col + 8);
	out->pushed_at = db_get_int64(r, row, col + 9);
	model_rows_read_user(r, row, col + MODEL_ROWS_REPOSITORY_OWNER, &out->owner);
}

void
model_rows_read_deployment(const PGresult *r, int row, int col, struct deployment *out)
{
	out->id = db_get_int64(r, row, col);
	snprintf(out->sha, sizeof(out->sha), "%s", PQgetvalue(r, row, col + 1));
	out->ref = xstrdup(PQgetvalue(r, row, col + 2));
	out->task = xstrdup(PQgetvalue(r, row, col + 3));
	out->payload = xstrdup(PQgetvalue(r, row, col + 4));
	out->original_environment = xstrdup(PQgetvalue(r, row, col + 5));
	out->environment = xstrdup(PQgetvalue(r, row, col + 6));
	out->description = model_rows_text_or_null(r, row, col + 7);
	out->transient_environment = db_get_bool(r, row, col + 8);
	out->production_environment = db_get_bool(r, row, col + 9);
	out->latest_state = model_rows_text_or_null(r, row, col + 10);
	out->created_at = db_get_int64(r, row, col + 11);
	out->updated_at = db_get_int64(r, row, col + 12);
	model_rows_read_user(r, row, col + MODEL_ROWS_DEPLOYMENT_CREATOR, &out->creator);
}

void
model_rows_read_status(const PGresult *r, int row, int col, struct deployment_status *out)
{
	out->id = db_get_int64(r, row, col);
	out->deployment_id = db_get_int64(r, row, col + 1);
	out->state = xstrdup(PQgetvalue(r, row, col + 2));
	out->description = xstrdup(PQgetvalue(r, row, col + 3));
	out->environment = xstrdup(PQgetvalue(r, row, col + 4));
	out->target_url = xstrdup(PQgetvalue(r, row, col + 5));
	out->log_url = xstrdup(PQgetvalue(r, row, col + 6));
	out->environment_url = xstrdup(PQgetvalue(r, row, col + 7));
	out->created_at = db_get_int64(r, row, col + 8);
	out->updated_at = db_get_int64(r, row, col + 9);
	model_rows_read_user(r, row, col + MODEL_ROWS_STATUS_CREATOR, &out->creator);
}
