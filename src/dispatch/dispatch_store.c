#include "config.h"

#include "dispatch_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db_query.h"
#include "dispatch_event.h"
#include "jsonw.h"
#include "log.h"
#include "model_rows.h"

/*
 * Fan-out, in one transaction of two statements (docs/dispatch.md,
 * "Rendering at fan-out"): the first takes the outbox rows and returns
 * what their bodies need, the dispatcher renders them, the second inserts
 * the deliveries; the outbox rows are gone only if the deliveries exist.
 *
 * The advisory lock makes fan-outs take turns across instances; with it,
 * the deliveries of one (hook, deployment) are created in outbox id order,
 * which the API makes commit order for one deployment, so a delivery with
 * a lower event_seq is always visible before a higher one. A try-lock,
 * because the instance holding it is doing the work already; it is held
 * until the commit, after the deliveries are inserted. The lock is taken
 * in an InitPlan, before the DELETE reads a row. The ids go to the DELETE
 * as an array so that it finds its rows through the primary key: as "IN
 * (subquery)" the planner hashes the subquery and reads the whole outbox,
 * backlog and dead rows included.
 *
 * Only events some active hook subscribes to come back (the others are
 * dropped with their row), one row each in id order, or one row of NULLs
 * beside the lock and the count when there is none. Each has its repository
 * and owner, its sender, and its own values (sql/0014) as the deployment
 * and status records of model_rows.h with their creators, or the rendered
 * payload of a row written before sql/0014. Rows are looked up one at a
 * time through LATERAL ... LIMIT 1, which the planner cannot turn into a
 * join that scans users or repositories (see the claim).
 */
/* The columns of an event, after the lock's and the count's. */
enum fanout_column {
	FANOUT_ID = 2,
	FANOUT_EVENT,
	FANOUT_ACTION,
	FANOUT_REPOSITORY_ID,
	FANOUT_DEPLOYMENT_ID,
	FANOUT_PAYLOAD,
	FANOUT_API_URL,
	FANOUT_WEB_URL,
	FANOUT_CLIENT_PAYLOAD,
	FANOUT_REPOSITORY,
	FANOUT_SENDER = FANOUT_REPOSITORY + MODEL_ROWS_REPOSITORY_NCOLUMNS,
	FANOUT_DEPLOYMENT = FANOUT_SENDER + MODEL_ROWS_USER_NCOLUMNS,
	FANOUT_STATUS = FANOUT_DEPLOYMENT + MODEL_ROWS_DEPLOYMENT_NCOLUMNS,
	FANOUT_NCOLUMNS = FANOUT_STATUS + MODEL_ROWS_STATUS_NCOLUMNS,
};

#define FANOUT_USER(alias, id) \
	" LEFT JOIN LATERAL (SELECT * FROM users WHERE id = " id " LIMIT 1) " alias " ON true"

/* The events of SOURCE (outbox rows as m), with what rendering needs. */
#define FANOUT_EVENTS(SOURCE)                                                       \
	"  SELECT m.id AS event_id, m.event, m.action, m.repository_id, m.deployment_id," \
	"    m.payload, m.api_url, m.web_url, m.event_values->>'client_payload',"         \
	"    " MODEL_ROWS_REPOSITORY_COLUMNS("r", "ow") ","                                \
	"    " MODEL_ROWS_USER_COLUMNS("se") ","                                          \
	"    " MODEL_ROWS_DEPLOYMENT_VALUES("d", "dc", "d.created_at", "d.updated_at") "," \
	"    " MODEL_ROWS_STATUS_VALUES("s", "sc", "s.created_at", "s.updated_at")        \
	"    FROM " SOURCE " m"                                                         \
	"    LEFT JOIN LATERAL (SELECT * FROM repositories WHERE id = m.repository_id LIMIT 1) r" \
	"      ON true"                                                                 \
	FANOUT_USER("ow", "r.owner_id") FANOUT_USER("se", "m.sender_id")              \
	"    LEFT JOIN LATERAL (SELECT m.deployment_id AS id, NULL::text AS latest_state, v.*" \
	"      FROM json_to_record(m.event_values->'deployment') AS v(sha text, ref text, task text," \
	"        payload text, original_environment text, environment text, description text," \
	"        transient_environment boolean, production_environment boolean,"          \
	"        created_at bigint, updated_at bigint, creator_id bigint)"              \
	"     WHERE m.event_values->'deployment' IS NOT NULL) d ON true"                \
	FANOUT_USER("dc", "d.creator_id")                                             \
	"    LEFT JOIN LATERAL (SELECT m.status_id AS id, m.deployment_id, v.*"        \
	"      FROM json_to_record(m.event_values->'status') AS v(state text, description text," \
	"        environment text, target_url text, log_url text, environment_url text," \
	"        created_at bigint, updated_at bigint, creator_id bigint)"              \
	"     WHERE m.event_values->'status' IS NOT NULL) s ON true"                    \
	FANOUT_USER("sc", "s.creator_id")

static struct db_statement fanout_take_statement = {
	.name = "dispatch_fanout_take",
	.nparams = 1,
	.sql =
	    "WITH lock AS MATERIALIZED ("
	    "  SELECT pg_try_advisory_xact_lock(7236828769341337601) AS ok),"
	    " moved AS ("
	    "  DELETE FROM outbox o"
	    "   WHERE o.id = ANY (ARRAY(SELECT id FROM outbox WHERE (SELECT ok FROM lock)"
	    "                           ORDER BY id LIMIT $1::int))"
	    "  RETURNING o.*),"
	    " subscribed AS ("
	    "  SELECT m.* FROM moved m"
	    "   WHERE EXISTS (SELECT 1 FROM hooks h WHERE h.repository_id = m.repository_id AND h.active"
	    "                    AND (m.event = ANY (h.events) OR '*' = ANY (h.events))))"
	    " SELECT (SELECT ok FROM lock), (SELECT count(*) FROM moved), e.*"
	    "   FROM (SELECT 1) AS one LEFT JOIN (" FANOUT_EVENTS("subscribed")
	    " ) e ON true ORDER BY e.event_id",
};

/* The same events read, not taken: the rows of $1 (ids), in id order. */
static struct db_statement fanout_show_statement = {
	.name = "dispatch_fanout_show",
	.nparams = 1,
	.read_only = true,
	.sql =
	    "SELECT true, 0::bigint, e.* FROM ("
	    FANOUT_EVENTS("(SELECT * FROM outbox WHERE id = ANY ($1::bigint[]))")
	    " ) e ORDER BY e.event_id",
};

/*
 * The deliveries of the events rendered: $1 a JSON array of {seq,
 * repository_id, event, action, deployment_id, payload}, the payload
 * embedded as it was rendered (a json field of json_to_recordset keeps its
 * text byte for byte). One delivery per active hook that subscribes,
 * event_seq the outbox id; the deliveries' trigger puts each one in
 * delivery_queue. Hooks are looked up through the repositories' array
 * (see the claim).
 */
static struct db_statement fanout_insert_statement = {
	.name = "dispatch_fanout_insert",
	.nparams = 1,
	.sql =
	    "WITH e AS MATERIALIZED ("
	    "  SELECT * FROM json_to_recordset($1::json) AS e(seq bigint, repository_id bigint,"
	    "    event text, action text, deployment_id bigint, payload json))"
	    " INSERT INTO deliveries (hook_id, repository_id, event, action, deployment_id,"
	    "   event_seq, payload)"
	    " SELECT h.id, e.repository_id, e.event, e.action, e.deployment_id, e.seq, e.payload"
	    "   FROM e JOIN hooks h ON h.repository_id = e.repository_id"
	    "    AND h.repository_id = ANY (ARRAY(SELECT repository_id FROM e))"
	    "  WHERE h.active AND (e.event = ANY (h.events) OR '*' = ANY (h.events))"
	    "  ORDER BY e.seq, h.id",
};

/*
 * Claim. Reads delivery_queue_due in (next_attempt_at, delivery_id)
 * order; the queue holds pending deliveries only, so the cost does not
 * grow with history. A claimed row's next_attempt_at moves to the end of
 * its lease, out of the scanned range, and comes back into it if the
 * instance dies; claims + 1 is the lease's token. The ordering rule probes
 * delivery_queue_order: a delivery of a deployment waits while an earlier
 * one of the same hook and deployment is queued (leased or waiting for a
 * retry included). Redeliveries are queued without a deployment: replays
 * neither wait nor hold others up.
 *
 * The window gives each hook at most its room ($5 minus what this instance
 * has in flight to it, $3/$4): rows locked but not picked are left as they
 * were. The EXCLUDE variant also skips hooks ($6) while scanning, for when
 * the head of the queue is a wall of rows of slow hooks without room; how
 * selective that is depends on the values, so it is planned on each use
 * (a generic plan guesses it wrong and sorts every due row).
 *
 * The result has one row per claimed delivery, or one row of NULLs when
 * none was picked; either way the last column says how many were locked.
 *
 * Rows are looked up as "id = ANY (ARRAY(...))" rather than by joins: the
 * plan is prepared once, often while the tables are still small (a new
 * install, a dispatcher started after a TRUNCATE), and a join planned
 * then hashes a sequential scan of what later holds the whole backlog or
 * history. An array of keys can only be looked up through the index.
 */
#define CLAIM_SQL(EXCLUDE) \
	"WITH c AS (" \
	"  SELECT q.delivery_id AS id, q.hook_id, q.next_attempt_at FROM delivery_queue q" \
	"   WHERE q.next_attempt_at <= now()" EXCLUDE \
	"     AND (q.deployment_id IS NULL OR NOT EXISTS (" \
	"          SELECT 1 FROM delivery_queue e" \
	"           WHERE e.hook_id = q.hook_id AND e.deployment_id = q.deployment_id" \
	"             AND e.event_seq < q.event_seq))" \
	"   ORDER BY q.next_attempt_at, q.delivery_id" \
	"   LIMIT $1::int" \
	"   FOR UPDATE OF q SKIP LOCKED)," \
	" pick AS (" \
	"  SELECT r.id FROM (SELECT id, hook_id, row_number() OVER (PARTITION BY hook_id" \
	"                      ORDER BY next_attempt_at, id) AS n FROM c) r" \
	"    LEFT JOIN unnest($3::bigint[], $4::int[]) AS f(hook_id, in_flight) USING (hook_id)" \
	"   WHERE r.n + coalesce(f.in_flight, 0) <= $5::int)," \
	" claimed AS (" \
	"  UPDATE delivery_queue q" \
	"     SET next_attempt_at = now() + $2::float8 * interval '1 second', claims = q.claims + 1" \
	"   WHERE q.delivery_id = ANY (ARRAY(SELECT id FROM pick))" \
	"  RETURNING q.delivery_id, q.claims)," \
	" async AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))" \
	" SELECT d.id, d.guid, d.hook_id, d.repository_id, d.event, d.deployment_id, d.event_seq," \
	"   d.attempts + 1, d.redelivery, d.payload, h.url, h.content_type, h.secret, h.insecure_ssl," \
	"   h.active, k.claims, l.locked, (SELECT count(*) FROM async)" \
	"   FROM (SELECT count(*) AS locked FROM c) l" \
	"   LEFT JOIN (claimed k JOIN deliveries d ON d.id = k.delivery_id" \
	"                AND d.id = ANY (ARRAY(SELECT delivery_id FROM claimed))" \
	"              JOIN hooks h ON h.id = d.hook_id" \
	"                AND h.id = ANY (ARRAY(SELECT hook_id FROM c))) ON true"

const char dispatch_store_claim_sql[] = CLAIM_SQL("");

static struct db_statement claim_statement = {
	.name = "dispatch_claim",
	.nparams = 5,
	.sql = CLAIM_SQL(""),
};

static const char claim_excluding_sql[] = CLAIM_SQL(" AND q.hook_id <> ALL ($6::bigint[])");

/*
 * Finish a batch. An attempt row is written for every job (it happened);
 * the delivery and its queue row only while this instance still holds the
 * claim (the queue row's claims is the one the claim set): a lease that
 * expired meanwhile belongs to whoever took it over. Delivered and failed
 * deliveries leave the queue; a retry stays with its new due time.
 * delivered_at is the time of the last attempt, as GitHub reports it,
 * delivered or not.
 *
 * The last CTE keeps the claim cheap while a deployment's first queued
 * delivery is retried: the later ones of the same (hook, deployment) that
 * were never claimed are moved to the retry time (they could not go
 * before it anyway), so claims do not step over them on every pass; when
 * that delivery leaves the queue, they are due again at once.
 *
 * A hook whose receiver answered 410 Gone, or whose attempts have all
 * failed for longer than $2 seconds (failing_since, reset by a delivered
 * one), is disabled with its reason (judged); only active hooks are
 * judged, so the "not sent" records of a disabled hook's queued
 * deliveries change nothing.
 *
 * Only the last attempt's response is kept (superseded): the deliveries
 * API shows no other, as GitHub's, and a receiver that fails every attempt
 * must not multiply what it can make the database hold by the schedule's
 * length. Earlier attempts keep their status, error and duration.
 *
 * Keys go to the index as arrays, for the reason given at the claim.
 */
static struct db_statement finish_statement = {
	.name = "dispatch_finish",
	.nparams = 2,
	.sql =
	    "WITH r AS MATERIALIZED ("
	    "  SELECT * FROM json_to_recordset($1::json) AS r(id bigint, hook_id bigint, claims int, outcome text,"
	    "    delay_ms bigint, status_code int, duration_ms float8, started_at float8, error text,"
	    "    request_headers json, response_headers json, response_body text)),"
	    " ids AS MATERIALIZED (SELECT array_agg(id) AS a FROM r),"
	    " async AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true)),"
	    " dequeued AS ("
	    "  DELETE FROM delivery_queue q USING r"
	    "   WHERE q.delivery_id = ANY ((SELECT a FROM ids)::bigint[])"
	    "     AND q.delivery_id = r.id AND q.claims = r.claims AND r.outcome <> 'retry'"
	    "  RETURNING q.delivery_id, q.hook_id, q.deployment_id, q.event_seq),"
	    " requeued AS ("
	    "  UPDATE delivery_queue q"
	    "     SET next_attempt_at = now() + r.delay_ms * interval '1 millisecond'"
	    "    FROM r WHERE q.delivery_id = ANY ((SELECT a FROM ids)::bigint[])"
	    "     AND q.delivery_id = r.id AND q.claims = r.claims AND r.outcome = 'retry'"
	    "  RETURNING q.delivery_id, q.hook_id, q.deployment_id, q.event_seq, q.next_attempt_at),"
	    " mine AS ("
	    "  SELECT delivery_id, hook_id, deployment_id, event_seq, NULL::timestamptz AS retry_at"
	    "    FROM dequeued"
	    "  UNION ALL SELECT delivery_id, hook_id, deployment_id, event_seq, next_attempt_at"
	    "    FROM requeued),"
	    " done AS ("
	    "  UPDATE deliveries d"
	    "     SET status = CASE r.outcome WHEN 'retry' THEN 'pending' ELSE r.outcome END,"
	    "         attempts = d.attempts + 1,"
	    "         next_attempt_at = coalesce(m.retry_at, d.next_attempt_at),"
	    "         delivered_at = to_timestamp(r.started_at),"
	    "         status_code = r.status_code,"
	    "         duration_ms = r.duration_ms"
	    "    FROM r JOIN mine m ON m.delivery_id = r.id"
	    "   WHERE d.id = ANY ((SELECT a FROM ids)::bigint[]) AND d.id = r.id"
	    "  RETURNING 1),"
	    " attempt AS ("
	    "  INSERT INTO delivery_attempts (delivery_id, started_at, duration_ms, status_code, error,"
	    "    request_headers, response_headers, response_body)"
	    "  SELECT r.id, to_timestamp(r.started_at), r.duration_ms, r.status_code, r.error,"
	    "    r.request_headers, r.response_headers, r.response_body"
	    "    FROM r WHERE r.id IN (SELECT id FROM deliveries WHERE id = ANY ((SELECT a FROM ids)::bigint[]))"
	    "  RETURNING 1),"
	    " superseded AS ("
	    "  UPDATE delivery_attempts old SET response_headers = NULL, response_body = NULL"
	    "   WHERE old.delivery_id = ANY ((SELECT a FROM ids)::bigint[])"
	    "     AND (old.response_headers IS NOT NULL OR old.response_body IS NOT NULL)"
	    "  RETURNING 1),"
	    " hook_outcome AS MATERIALIZED ("
	    "  SELECT hook_id, bool_or(outcome = 'delivered') AS ok, coalesce(bool_or(status_code = 410), false) AS gone,"
	    "    min(to_timestamp(started_at)) FILTER (WHERE outcome <> 'delivered') AS first_failure"
	    "    FROM r GROUP BY hook_id),"
	    " judged AS ("
	    "  UPDATE hooks h"
	    "     SET failing_since = CASE WHEN o.ok THEN NULL"
	    "                          ELSE coalesce(h.failing_since, o.first_failure) END,"
	    "         active = NOT (o.gone OR (NOT o.ok AND coalesce(h.failing_since, o.first_failure)"
	    "                                   <= now() - $2::float8 * interval '1 second')),"
	    "         disabled_reason = CASE"
	    "           WHEN o.gone THEN 'Disabled: the receiver answered 410 Gone'"
	    "           WHEN NOT o.ok AND coalesce(h.failing_since, o.first_failure)"
	    "                <= now() - $2::float8 * interval '1 second'"
	    "           THEN 'Disabled: every delivery failed since '"
	    "                || to_char(coalesce(h.failing_since, o.first_failure) AT TIME ZONE 'UTC',"
	    "                           'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    "           END"
	    "    FROM hook_outcome o"
	    "   WHERE h.id = ANY (ARRAY(SELECT hook_id FROM hook_outcome)) AND h.id = o.hook_id AND h.active"
	    "     AND ((o.ok AND h.failing_since IS NOT NULL)"
	    "          OR (NOT o.ok AND (h.failing_since IS NULL OR o.gone"
	    "              OR h.failing_since <= now() - $2::float8 * interval '1 second')))"
	    "  RETURNING 1),"
	    " later AS ("
	    "  UPDATE delivery_queue n"
	    "     SET next_attempt_at = coalesce(m.retry_at, now())"
	    "    FROM mine m"
	    "   WHERE m.deployment_id IS NOT NULL"
	    "     AND n.hook_id = ANY (ARRAY(SELECT hook_id FROM mine WHERE deployment_id IS NOT NULL))"
	    "     AND n.deployment_id = ANY (ARRAY(SELECT deployment_id FROM mine))"
	    "     AND n.hook_id = m.hook_id AND n.deployment_id = m.deployment_id"
	    "     AND n.event_seq > m.event_seq AND n.claims = 0"
	    "     AND CASE WHEN m.retry_at IS NULL THEN n.next_attempt_at > now()"
	    "         ELSE n.next_attempt_at < m.retry_at END"
	    "  RETURNING 1)"
	    " SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM later),"
	    "   (SELECT count(*) FROM attempt), (SELECT count(*) FROM async)",
};

static struct db_statement release_statement = {
	.name = "dispatch_release",
	.nparams = 2,
	.sql =
	    "WITH async AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))"
	    " UPDATE delivery_queue q SET next_attempt_at = now()"
	    "   FROM unnest($1::bigint[], $2::int[]) AS r(id, claims), async"
	    "  WHERE q.delivery_id = ANY ($1::bigint[]) AND q.delivery_id = r.id AND q.claims = r.claims",
};

/*
 * Pruning reads deliveries_by_created from a watermark ($3: the newest
 * created_at this process pruned so far), so it does not step over the
 * index entries of rows it deleted before, which only VACUUM removes.
 * created_at is never later than delivered_at, so no old row is missed; a
 * row passed over (pending, or redelivered lately) waits for a restart.
 * SKIP LOCKED: instances pruning at once split the work.
 */
static struct db_statement prune_statement = {
	.name = "dispatch_prune",
	.nparams = 3,
	.sql =
	    "WITH old AS ("
	    "  SELECT id, created_at FROM deliveries"
	    "   WHERE created_at >= $3::timestamptz"
	    "     AND created_at < now() - $1::int * interval '1 day'"
	    "     AND status <> 'pending' AND delivered_at < now() - $1::int * interval '1 day'"
	    "   ORDER BY created_at LIMIT $2::int"
	    "   FOR UPDATE SKIP LOCKED),"
	    " gone AS (DELETE FROM deliveries d USING old WHERE d.id = old.id RETURNING old.created_at),"
	    " async AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))"
	    " SELECT count(*), max(created_at)::text, (SELECT count(*) FROM async) FROM gone",
};

/* The records of row's event that it has: a record is there when its
 * first column (the values' for a deployment or status) and its user's
 * are (all are NULL for an old row). */
struct fanout_records {
	struct repository repository;
	struct user sender;
	struct deployment deployment;
	struct deployment_status status;
	bool has_repository, has_sender, has_deployment, has_status;
};

static void
fanout_records_read(const PGresult *r, int row, struct fanout_records *rec)
{
	memset(rec, 0, sizeof(*rec));
	if ((rec->has_repository = !PQgetisnull(r, row, FANOUT_REPOSITORY) &&
	        !PQgetisnull(r, row, FANOUT_REPOSITORY + MODEL_ROWS_REPOSITORY_OWNER)))
		model_rows_read_repository(r, row, FANOUT_REPOSITORY, &rec->repository);
	if ((rec->has_sender = !PQgetisnull(r, row, FANOUT_SENDER)))
		model_rows_read_user(r, row, FANOUT_SENDER, &rec->sender);
	if ((rec->has_deployment = !PQgetisnull(r, row, FANOUT_DEPLOYMENT + MODEL_ROWS_DEPLOYMENT_SHA) &&
	        !PQgetisnull(r, row, FANOUT_DEPLOYMENT + MODEL_ROWS_DEPLOYMENT_CREATOR)))
		model_rows_read_deployment(r, row, FANOUT_DEPLOYMENT, &rec->deployment);
	if ((rec->has_status = !PQgetisnull(r, row, FANOUT_STATUS + MODEL_ROWS_STATUS_STATE) &&
	        !PQgetisnull(r, row, FANOUT_STATUS + MODEL_ROWS_STATUS_CREATOR)))
		model_rows_read_status(r, row, FANOUT_STATUS, &rec->status);
}

static void
fanout_records_release(struct fanout_records *rec)
{
	if (rec->has_repository)
		repository_release(&rec->repository);
	if (rec->has_sender)
		user_release(&rec->sender);
	if (rec->has_deployment)
		deployment_release(&rec->deployment);
	if (rec->has_status)
		deployment_status_release(&rec->status);
}

/*
 * The body of row's event into body: the payload the row had (written
 * before sql/0014) or rendered now; -1 when it cannot be rendered (its
 * repository, sender or values gone: never written so by the API).
 */
static int
fanout_body(const PGresult *r, int row, struct buf *body)
{
	const char *payload = db_get_text(r, row, FANOUT_PAYLOAD);
	struct fanout_records rec;
	struct dispatch_event e;
	int rc;

	if (payload) {
		buf_puts(body, payload);
		return 0;
	}
	fanout_records_read(r, row, &rec);
	e = (struct dispatch_event){
		.event = db_get_text(r, row, FANOUT_EVENT),
		.action = db_get_text(r, row, FANOUT_ACTION),
		.base = { .api = db_get_text(r, row, FANOUT_API_URL),
		          .web = db_get_text(r, row, FANOUT_WEB_URL) },
		.repository = rec.has_repository ? &rec.repository : NULL,
		.sender = rec.has_sender ? &rec.sender : NULL,
		.deployment = rec.has_deployment ? &rec.deployment : NULL,
		.status = rec.has_status ? &rec.status : NULL,
		.client_payload = db_get_text(r, row, FANOUT_CLIENT_PAYLOAD),
	};
	rc = dispatch_event_render(&e, body);
	fanout_records_release(&rec);
	return rc;
}

/* Appends row's delivery to the insert's array; an event that cannot be
 * rendered is logged and dropped, as an event nobody subscribes to is. */
static bool
fanout_append(struct jsonw *w, const PGresult *r, int row)
{
	struct buf body = BUF_INIT;

	if (fanout_body(r, row, &body) < 0) {
		log_error("outbox event %s (id %s) cannot be rendered; dropped",
		    db_get_text(r, row, FANOUT_EVENT), db_get_text(r, row, FANOUT_ID));
		buf_release(&body);
		return false;
	}
	jw_object_begin(w);
	jw_key(w, "seq");
	jw_raw(w, db_get_text(r, row, FANOUT_ID));
	jw_key(w, "repository_id");
	jw_raw(w, db_get_text(r, row, FANOUT_REPOSITORY_ID));
	jw_kv_string(w, "event", db_get_text(r, row, FANOUT_EVENT));
	jw_kv_string(w, "action", db_get_text(r, row, FANOUT_ACTION));
	jw_key(w, "deployment_id");
	jw_raw(w, PQgetisnull(r, row, FANOUT_DEPLOYMENT_ID) ? "null"
	                                                    : db_get_text(r, row, FANOUT_DEPLOYMENT_ID));
	jw_key(w, "payload");
	jw_raw(w, body.data);
	jw_object_end(w);
	buf_release(&body);
	return true;
}

/* Renders the events of r and inserts their deliveries: how many, or -1
 * with err filled. */
static int64_t
fanout_insert(struct db *db, const PGresult *r, struct db_error *err)
{
	struct buf rows = BUF_INIT;
	struct jsonw w;
	const char *params[1];
	size_t appended = 0;
	PGresult *ins;
	int64_t created;

	jw_init(&w, &rows);
	jw_array_begin(&w);
	for (int row = 0; row < PQntuples(r); row++) {
		if (!PQgetisnull(r, row, FANOUT_ID) && fanout_append(&w, r, row))
			appended++;
	}
	jw_array_end(&w);
	if (appended == 0) {
		buf_release(&rows);
		return 0;
	}
	params[0] = rows.data;
	ins = db_exec(db, &fanout_insert_statement, params, err);
	buf_release(&rows);
	if (ins == NULL)
		return -1;
	created = strtoll(PQcmdTuples(ins), NULL, 10);
	PQclear(ins);
	return created;
}

int
dispatch_store_fanout(struct db *db, int64_t limit, struct dispatch_fanout_result *out,
    struct db_error *err)
{
	char limit_text[24];
	const char *params[1] = { limit_text };
	struct db_error ignored;
	PGresult *r;

	snprintf(limit_text, sizeof(limit_text), "%" PRId64, limit);
	memset(out, 0, sizeof(*out));
	if (db_begin(db, err) < 0)
		return -1;
	if ((r = db_exec(db, &fanout_take_statement, params, err)) == NULL)
		goto failed;
	if (PQntuples(r) < 1 || PQnfields(r) != FANOUT_NCOLUMNS) {
		db_error_set(err, DB_QUERY_FAILED, NULL, "fan-out: unexpected result shape");
		PQclear(r);
		goto failed;
	}
	out->locked = db_get_bool(r, 0, 0);
	out->moved = db_get_int64(r, 0, 1);
	out->created = fanout_insert(db, r, err);
	PQclear(r);
	if (out->created < 0)
		goto failed;
	if (db_end(db, true, err) < 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;

failed:
	memset(out, 0, sizeof(*out));
	if (db_end(db, false, &ignored) < 0)
		log_warn("fan-out: rollback failed: %s", ignored.message);
	return -1;
}

int
dispatch_store_show(struct db *db, const char *ids, FILE *out, struct db_error *err)
{
	const char *params[1] = { ids };
	PGresult *r = db_exec(db, &fanout_show_statement, params, err);
	struct buf body = BUF_INIT;

	if (r == NULL)
		return -1;
	for (int row = 0; row < PQntuples(r); row++) {
		buf_reset(&body);
		if (fanout_body(r, row, &body) < 0)
			buf_puts(&body, "null");
		fprintf(out, "%s\t%s\n", db_get_text(r, row, FANOUT_ID), body.data);
	}
	buf_release(&body);
	PQclear(r);
	return 0;
}

/* "{1,2,3}": an integer array parameter. */
static void
put_int_array(struct buf *b, const int64_t *v, size_t n)
{
	buf_putc(b, '{');
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%" PRId64, i ? "," : "", v[i]);
	buf_putc(b, '}');
}

static char *
copy_text(const PGresult *r, int row, int col)
{
	const char *v = db_get_text(r, row, col);

	return v ? xstrdup(v) : NULL;
}

int64_t
dispatch_store_claim(struct db *db, const struct dispatch_claim *claim, struct dispatch_job ***jobs,
    size_t *njobs, struct db_error *err)
{
	char limit_text[24], lease_text[24], room_text[24];
	struct buf hooks = BUF_INIT, in_flight = BUF_INIT, excluded = BUF_INIT;
	const char *params[6] = { limit_text, lease_text, NULL, NULL, room_text, NULL };
	int64_t locked = 0;
	PGresult *r;
	int rows;

	snprintf(limit_text, sizeof(limit_text), "%" PRId64, claim->limit);
	snprintf(lease_text, sizeof(lease_text), "%" PRId64, claim->lease_seconds);
	snprintf(room_text, sizeof(room_text), "%" PRId64, claim->hook_room);
	put_int_array(&hooks, claim->hooks, claim->nhooks);
	put_int_array(&in_flight, claim->in_flight, claim->nhooks);
	put_int_array(&excluded, claim->excluded, claim->nexcluded);
	params[2] = hooks.data;
	params[3] = in_flight.data;
	params[5] = excluded.data;
	if (claim->nexcluded == 0)
		r = db_exec(db, &claim_statement, params, err);
	else
		r = db_exec_once(db, claim_excluding_sql, 6, params, err);
	buf_release(&hooks);
	buf_release(&in_flight);
	buf_release(&excluded);
	if (r == NULL)
		return -1;
	rows = PQntuples(r);
	*jobs = xrealloc(*jobs, (*njobs + (size_t)rows + 1) * sizeof(**jobs));
	if (rows > 0)
		locked = db_get_int64(r, 0, 16);
	for (int i = 0; i < rows; i++) {
		struct dispatch_job *job;
		const char *content_type;

		/* The row of NULLs: rows were locked, none picked. */
		if (PQgetisnull(r, i, 0))
			continue;
		job = dispatch_job_new();
		content_type = db_get_text(r, i, 11);
		job->id = db_get_int64(r, i, 0);
		job->guid = copy_text(r, i, 1);
		job->hook_id = db_get_int64(r, i, 2);
		job->repository_id = db_get_int64(r, i, 3);
		job->event = copy_text(r, i, 4);
		job->deployment_id = db_get_int64(r, i, 5);
		job->event_seq = db_get_int64(r, i, 6);
		job->attempts = db_get_int64(r, i, 7);
		job->redelivery = db_get_bool(r, i, 8);
		job->payload = copy_text(r, i, 9);
		job->url = copy_text(r, i, 10);
		job->form = content_type != NULL && strcmp(content_type, "form") == 0;
		job->secret = copy_text(r, i, 12);
		job->insecure_ssl = db_get_bool(r, i, 13);
		job->hook_active = db_get_bool(r, i, 14);
		job->claims = db_get_int64(r, i, 15);
		(*jobs)[(*njobs)++] = job;
	}
	PQclear(r);
	return locked;
}

/* Cuts valid UTF-8 text s to at most max bytes without splitting a
 * character. */
static void
cut_at_character(char *s, size_t max)
{
	size_t len = strlen(s);

	if (len <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	s[max] = '\0';
}

/* job as a row of the finish statement's json_to_recordset(). */
static json_t *
finish_row(const struct dispatch_job *job)
{
	json_t *row = json_object();
	char *body = job->status != 0 ? dispatch_text_clean(buf_cstr(&job->response_body),
	    job->response_body.len) : NULL;
	char *error = job->error ? dispatch_text_clean(job->error, strlen(job->error)) : NULL;

	if (row == NULL)
		abort();
	/* Cleaning turns each stray byte into three: the stored excerpt is
	 * bounded again, at a character's start. */
	if (body != NULL)
		cut_at_character(body, DISPATCH_BODY_EXCERPT);
	json_object_set_new(row, "id", json_integer(job->id));
	json_object_set_new(row, "hook_id", json_integer(job->hook_id));
	json_object_set_new(row, "claims", json_integer(job->claims));
	json_object_set_new(row, "outcome", json_string(dispatch_outcome_name(job->outcome)));
	json_object_set_new(row, "delay_ms", json_integer(job->delay_ms));
	json_object_set_new(row, "status_code", job->status ? json_integer(job->status) : json_null());
	json_object_set_new(row, "duration_ms", json_real(job->duration_ms));
	json_object_set_new(row, "started_at", json_real(job->started_at));
	json_object_set_new(row, "error", error ? json_string(error) : json_null());
	/* Not sent (inactive hook, unsendable event): no headers, but the
	 * column wants an object. */
	if (job->request_headers)
		json_object_set(row, "request_headers", job->request_headers);
	else
		json_object_set_new(row, "request_headers", json_object());
	json_object_set(row, "response_headers",
	    job->status && job->response_headers ? job->response_headers : json_null());
	json_object_set_new(row, "response_body", body ? json_string(body) : json_null());
	free(body);
	free(error);
	return row;
}

int
dispatch_store_finish(struct db *db, struct dispatch_job *const *jobs, size_t n,
    int64_t disable_after_seconds, struct db_error *err)
{
	json_t *rows = json_array();
	char disable_after[24];
	const char *params[2] = { NULL, disable_after };
	char *text;
	PGresult *r;

	if (rows == NULL)
		abort();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rows, finish_row(jobs[i]));
	text = json_dumps(rows, JSON_COMPACT);
	json_decref(rows);
	if (text == NULL)
		abort();
	params[0] = text;
	snprintf(disable_after, sizeof(disable_after), "%" PRId64, disable_after_seconds);
	r = db_exec(db, &finish_statement, params, err);
	free(text);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

int
dispatch_store_release(struct db *db, struct dispatch_job *const *jobs, size_t n, struct db_error *err)
{
	struct buf ids = BUF_INIT, claims = BUF_INIT;
	const char *params[2];
	PGresult *r;

	buf_putc(&ids, '{');
	buf_putc(&claims, '{');
	for (size_t i = 0; i < n; i++) {
		buf_printf(&ids, "%s%" PRId64, i ? "," : "", jobs[i]->id);
		buf_printf(&claims, "%s%" PRId64, i ? "," : "", jobs[i]->claims);
	}
	buf_putc(&ids, '}');
	buf_putc(&claims, '}');
	params[0] = ids.data;
	params[1] = claims.data;
	r = db_exec(db, &release_statement, params, err);
	buf_release(&ids);
	buf_release(&claims);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

int64_t
dispatch_store_prune(struct db *db, int64_t retention_days, int64_t limit, char **watermark,
    struct db_error *err)
{
	char days[24], limit_text[24];
	const char *params[3] = { days, limit_text, *watermark ? *watermark : "-infinity" };
	int64_t deleted;
	PGresult *r;

	snprintf(days, sizeof(days), "%" PRId64, retention_days);
	snprintf(limit_text, sizeof(limit_text), "%" PRId64, limit);
	if ((r = db_exec(db, &prune_statement, params, err)) == NULL)
		return -1;
	deleted = db_get_int64(r, 0, 0);
	if (deleted > 0 && db_get_text(r, 0, 1) != NULL) {
		free(*watermark);
		*watermark = xstrdup(db_get_text(r, 0, 1));
	}
	PQclear(r);
	return deleted;
}

int
dispatch_store_vacuum(struct db *db, struct db_error *err)
{
	static const char owns_sql[] =
	    "SELECT bool_and(pg_has_role(current_user, relowner, 'USAGE')) FROM pg_class"
	    " WHERE oid IN ('delivery_queue'::regclass, 'outbox'::regclass)";
	PGresult *r;
	bool owner;

	/* Only the tables' owner may vacuum them; PostgreSQL would answer
	 * anyone else with a warning every time. */
	if ((r = db_exec_once(db, owns_sql, 0, NULL, err)) == NULL)
		return -1;
	owner = db_get_bool(r, 0, 0);
	PQclear(r);
	if (!owner)
		return 1;
	/* SKIP_LOCKED: another instance vacuuming is as good. Not in a
	 * transaction block: a lone statement's implicit one is allowed. */
	r = db_exec_once(db, "VACUUM (SKIP_LOCKED) delivery_queue, outbox", 0, NULL, err);
	if (r == NULL)
		return -1;
	PQclear(r);
	return 0;
}

/* Counts read whole: at most every few seconds, on a scrape
 * (dispatch_metrics.h). The oldest pending delivery is the queue's lowest
 * id, found through the primary keys, not a scan for the earliest time. */
static struct db_statement queue_stats_statement = {
	.name = "dispatch_queue_stats",
	.nparams = 0,
	.read_only = true,
	.sql =
	    "SELECT (SELECT count(*) FROM delivery_queue),"
	    "       (SELECT count(*) FROM outbox),"
	    "       coalesce((SELECT extract(epoch FROM now() - d.created_at)::float8 * 1000"
	    "                   FROM deliveries d"
	    "                  WHERE d.id = (SELECT min(delivery_id) FROM delivery_queue)), 0)::bigint",
};

int
dispatch_store_queue_stats(struct db *db, struct dispatch_queue_stats *out, struct db_error *err)
{
	PGresult *r = db_exec(db, &queue_stats_statement, NULL, err);

	if (r == NULL)
		return -1;
	out->queued = db_get_int64(r, 0, 0);
	out->outbox = db_get_int64(r, 0, 1);
	out->oldest_queued_ms = db_get_int64(r, 0, 2);
	PQclear(r);
	return 0;
}
