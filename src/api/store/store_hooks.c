#include "config.h"

#include "store_hooks.h"

#include <stdlib.h>
#include <string.h>

#include "hook_sql.h"
#include "store_rows.h"

#define HOOK_COLUMNS(h)                                                          \
	h ".id, " h ".repository_id, " h ".url, " h ".content_type, "            \
	"coalesce(" h ".secret, '') <> '', " h ".insecure_ssl, "                \
	"array_to_json(" h ".events)::text, " h ".active, "                     \
	STORE_EPOCH(h ".created_at") ", " STORE_EPOCH(h ".updated_at") ", "      \
	"(SELECT coalesce(status_code, -1) FROM deliveries"                      \
	"  WHERE hook_id = " h ".id ORDER BY id DESC LIMIT 1), "                  \
	h ".disabled_reason"

/* The insert is deployctl's too (hook_sql.h). */
static struct db_statement hook_create_statement = {
	.name = "hook_create",
	.nparams = HOOK_INSERT_NPARAMS,
	.sql = "WITH h AS (" HOOK_INSERT_SQL "  RETURNING *) SELECT " HOOK_COLUMNS("h") " FROM h",
};

static struct db_statement hook_update_statement = {
	.name = "hook_update",
	.nparams = 8,
	.sql =
	    "WITH h AS (UPDATE hooks SET url = coalesce($3, url),"
	    "    content_type = coalesce($4, content_type),"
	    "    secret = CASE WHEN $5::text IS NULL THEN secret ELSE nullif($5, '') END,"
	    "    insecure_ssl = coalesce($6::boolean, insecure_ssl),"
	    "    events = CASE WHEN $7::json IS NULL THEN events"
	    "                  ELSE ARRAY(SELECT json_array_elements_text($7::json)) END,"
	    "    active = coalesce($8::boolean, active), updated_at = now(),"
	    /* Made active again: deploy-dispatch judges it afresh. */
	    "    failing_since = CASE WHEN $8::boolean THEN NULL ELSE failing_since END,"
	    "    disabled_reason = CASE WHEN $8::boolean THEN NULL ELSE disabled_reason END"
	    "  WHERE id = $2 AND repository_id = $1 RETURNING *)"
	    " SELECT " HOOK_COLUMNS("h") " FROM h",
};

static struct db_statement hook_get_statement = {
	.name = "hook_get",
	.nparams = 2,
	.read_only = true,
	.sql = "SELECT " HOOK_COLUMNS("h") " FROM hooks h WHERE h.id = $2 AND h.repository_id = $1",
};

static struct db_statement hook_delete_statement = {
	.name = "hook_delete",
	.nparams = 2,
	.sql = "DELETE FROM hooks WHERE id = $2 AND repository_id = $1",
};

static struct db_statement hook_list_statement = {
	.name = "hook_list",
	.nparams = 3,
	.read_only = true,
	.sql =
	    "SELECT c.total, p.* FROM (SELECT count(*) AS total FROM hooks WHERE repository_id = $1) c"
	    "  LEFT JOIN LATERAL (SELECT " HOOK_COLUMNS("h") " FROM hooks h"
	    "   WHERE h.repository_id = $1 ORDER BY h.id LIMIT $2 OFFSET $3) p ON true",
};

static struct db_statement delivery_queue_statement = {
	.name = "delivery_queue",
	.nparams = 5,
	.sql =
	    "INSERT INTO deliveries (hook_id, repository_id, event, action, event_seq, payload)"
	    " VALUES ($1, $2, $3, $4, 0, $5::json)",
};

#define DELIVERY_COLUMNS(d)                                                      \
	d ".id, " d ".guid, " d ".hook_id, " d ".repository_id, " d ".event, "  \
	d ".action, " d ".status, " d ".redelivery, " STORE_EPOCH(d ".created_at") ", " \
	"coalesce(" STORE_EPOCH(d ".delivered_at") ", 0), coalesce(" d ".status_code, -1), " \
	"coalesce(" d ".duration_ms, -1)"
#define DELIVERY_NCOLUMNS 12

static struct db_statement delivery_list_statement = {
	.name = "delivery_list",
	.nparams = 4,
	.read_only = true,
	.sql =
	    "SELECT c.total, p.* FROM (SELECT count(*) AS total FROM deliveries WHERE hook_id = $1) c"
	    "  LEFT JOIN LATERAL (SELECT " DELIVERY_COLUMNS("d") " FROM deliveries d"
	    "   WHERE d.hook_id = $1 AND d.id < coalesce($2::bigint, 9223372036854775807)"
	    "   ORDER BY d.id DESC LIMIT $3 OFFSET $4) p ON true",
};

static struct db_statement delivery_get_statement = {
	.name = "delivery_get",
	.nparams = 2,
	.read_only = true,
	.sql =
	    "SELECT " DELIVERY_COLUMNS("d") ", d.payload, a.request_headers, a.response_headers,"
	    "       a.response_body, a.error"
	    "  FROM deliveries d"
	    "  LEFT JOIN LATERAL (SELECT * FROM delivery_attempts"
	    "                      WHERE delivery_id = d.id ORDER BY id DESC LIMIT 1) a ON true"
	    " WHERE d.id = $2 AND d.hook_id = $1",
};

/* A delivery of its own that replays the one in the path under its guid,
 * so receivers de-duplicate; the original keeps its record. The insert
 * queues it and wakes the dispatchers (the triggers on deliveries). */
static struct db_statement delivery_redeliver_statement = {
	.name = "delivery_redeliver",
	.nparams = 2,
	.sql =
	    "INSERT INTO deliveries (guid, hook_id, repository_id, event, action, deployment_id,"
	    "    event_seq, payload, redelivery)"
	    " SELECT guid, hook_id, repository_id, event, action, deployment_id, event_seq, payload,"
	    "    true"
	    "   FROM deliveries WHERE id = $2 AND hook_id = $1",
};

static struct db_statement repository_dispatch_statement = {
	.name = "repository_dispatch",
	.nparams = 6,
	.sql =
	    "INSERT INTO outbox (event, action, repository_id, sender_id, event_values, api_url,"
	    "   web_url)"
	    " VALUES ('repository_dispatch', $2, $1, $3, json_build_object('client_payload', $4::text),"
	    "   $5, $6)",
};

static void
read_hook(const PGresult *r, int row, int col, struct hook *h)
{
	h->id = db_get_int64(r, row, col);
	h->repository_id = db_get_int64(r, row, col + 1);
	h->url = xstrdup(PQgetvalue(r, row, col + 2));
	h->content_type = xstrdup(PQgetvalue(r, row, col + 3));
	h->has_secret = db_get_bool(r, row, col + 4);
	h->insecure_ssl = db_get_bool(r, row, col + 5);
	h->events = xstrdup(PQgetvalue(r, row, col + 6));
	h->active = db_get_bool(r, row, col + 7);
	h->created_at = db_get_int64(r, row, col + 8);
	h->updated_at = db_get_int64(r, row, col + 9);
	h->used = !PQgetisnull(r, row, col + 10);
	h->last_status_code = h->used ? db_get_int64(r, row, col + 10) : -1;
	h->disabled_reason = store_text_or_null(r, row, col + 11);
}

static void
read_delivery(const PGresult *r, int row, int col, struct delivery *d)
{
	d->id = db_get_int64(r, row, col);
	d->guid = xstrdup(PQgetvalue(r, row, col + 1));
	d->hook_id = db_get_int64(r, row, col + 2);
	d->repository_id = db_get_int64(r, row, col + 3);
	d->event = xstrdup(PQgetvalue(r, row, col + 4));
	d->action = store_text_or_null(r, row, col + 5);
	d->status = xstrdup(PQgetvalue(r, row, col + 6));
	d->redelivery = db_get_bool(r, row, col + 7);
	d->created_at = db_get_int64(r, row, col + 8);
	d->delivered_at = db_get_int64(r, row, col + 9);
	d->status_code = db_get_int64(r, row, col + 10);
	d->duration_ms = strtod(PQgetvalue(r, row, col + 11), NULL);
}

static void
read_hook_row(const PGresult *r, int row, int col, void *item)
{
	read_hook(r, row, col, item);
}

static void
read_delivery_row(const PGresult *r, int row, int col, void *item)
{
	read_delivery(r, row, col, item);
}

int
store_hook_create(struct db *db, int64_t repository_id, const struct hook_change *c,
    struct hook *out, struct db_error *err)
{
	char repo[STORE_INT_LEN];
	const char *params[7] = { repo, c->url, c->content_type, c->secret, c->insecure_ssl,
		c->events, c->active };

	store_format_int(repo, repository_id);
	/* An INSERT ... RETURNING always returns its row. */
	return store_read_one(db, &hook_create_statement, params, read_hook_row, out, sizeof(*out),
	    err) == 1 ? 0 : -1;
}

int
store_hook_update(struct db *db, int64_t repository_id, int64_t id, const struct hook_change *c,
    struct hook *out, struct db_error *err)
{
	char repo[STORE_INT_LEN], hid[STORE_INT_LEN];
	const char *params[8] = { repo, hid, c->url, c->content_type, c->secret, c->insecure_ssl,
		c->events, c->active };

	store_format_int(repo, repository_id);
	store_format_int(hid, id);
	return store_read_one(db, &hook_update_statement, params, read_hook_row, out, sizeof(*out),
	    err);
}

int
store_hook_get(struct db *db, int64_t repository_id, int64_t id, struct hook *out,
    struct db_error *err)
{
	char repo[STORE_INT_LEN], hid[STORE_INT_LEN];
	const char *params[2] = { repo, hid };

	store_format_int(repo, repository_id);
	store_format_int(hid, id);
	return store_read_one(db, &hook_get_statement, params, read_hook_row, out, sizeof(*out), err);
}

int
store_hook_delete(struct db *db, int64_t repository_id, int64_t id, struct db_error *err)
{
	char repo[STORE_INT_LEN], hid[STORE_INT_LEN];
	const char *params[2] = { repo, hid };
	int64_t deleted;

	store_format_int(repo, repository_id);
	store_format_int(hid, id);
	deleted = store_exec_count(db, &hook_delete_statement, params, err);
	return deleted < 0 ? -1 : deleted == 1;
}

int
store_hook_list(struct db *db, int64_t repository_id, int64_t limit, int64_t offset,
    struct hook_list *out, struct db_error *err)
{
	char repo[STORE_INT_LEN], lim[STORE_INT_LEN], off[STORE_INT_LEN];
	const char *params[3] = { repo, lim, off };
	struct store_page page;

	store_format_int(repo, repository_id);
	store_format_int(lim, limit);
	store_format_int(off, offset);
	return STORE_READ_LIST(db, &hook_list_statement, params, limit, read_hook_row, out, &page, err);
}

STORE_LIST_RELEASE(hook_list, hook_release)

int
store_delivery_queue(struct db *db, const struct hook *h, const char *event, const char *action,
    const char *payload, struct db_error *err)
{
	char hid[STORE_INT_LEN], repo[STORE_INT_LEN];
	const char *params[5] = { hid, repo, event, action, payload };

	store_format_int(hid, h->id);
	store_format_int(repo, h->repository_id);
	return store_exec_count(db, &delivery_queue_statement, params, err) < 0 ? -1 : 0;
}

int
store_delivery_list(struct db *db, int64_t hook_id, int64_t limit, int64_t offset,
    int64_t before_id, struct delivery_list *out, struct db_error *err)
{
	char hid[STORE_INT_LEN], before[STORE_INT_LEN], lim[STORE_INT_LEN], off[STORE_INT_LEN];
	const char *params[4] = { hid, before_id > 0 ? before : NULL, lim, off };
	struct store_page page;

	store_format_int(hid, hook_id);
	store_format_int(before, before_id);
	store_format_int(lim, limit);
	store_format_int(off, offset);
	return STORE_READ_LIST(db, &delivery_list_statement, params, limit, read_delivery_row, out,
	    &page, err);
}

STORE_LIST_RELEASE(delivery_list, delivery_release)

int
store_delivery_get(struct db *db, int64_t hook_id, int64_t id, struct delivery *out,
    struct db_error *err)
{
	char hid[STORE_INT_LEN], did[STORE_INT_LEN];
	const char *params[2] = { hid, did };
	PGresult *r;
	int found;

	store_format_int(hid, hook_id);
	store_format_int(did, id);
	memset(out, 0, sizeof(*out));
	r = db_exec(db, &delivery_get_statement, params, err);
	if (r == NULL)
		return -1;
	found = PQntuples(r) == 1;
	if (found) {
		read_delivery(r, 0, 0, out);
		out->payload = xstrdup(PQgetvalue(r, 0, DELIVERY_NCOLUMNS));
		out->request_headers = store_text_or_null(r, 0, DELIVERY_NCOLUMNS + 1);
		out->response_headers = store_text_or_null(r, 0, DELIVERY_NCOLUMNS + 2);
		out->response_body = store_text_or_null(r, 0, DELIVERY_NCOLUMNS + 3);
		out->error = store_text_or_null(r, 0, DELIVERY_NCOLUMNS + 4);
	}
	PQclear(r);
	return found;
}

int
store_delivery_redeliver(struct db *db, int64_t hook_id, int64_t id, struct db_error *err)
{
	char hid[STORE_INT_LEN], did[STORE_INT_LEN];
	const char *params[2] = { hid, did };
	int64_t rows;

	store_format_int(hid, hook_id);
	store_format_int(did, id);
	rows = store_exec_count(db, &delivery_redeliver_statement, params, err);
	return rows < 0 ? -1 : rows > 0;
}

int
store_repository_dispatch(struct db *db, const struct repository_dispatch_insert *d,
    struct db_error *err)
{
	char repo[STORE_INT_LEN], sender[STORE_INT_LEN];
	const char *params[6] = { repo, d->event_type, sender, d->client_payload, d->api_url,
		d->web_url };

	store_format_int(repo, d->repository_id);
	store_format_int(sender, d->sender_id);
	return store_exec_count(db, &repository_dispatch_statement, params, err) < 0 ? -1 : 0;
}
