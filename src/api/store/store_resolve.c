#include "config.h"

#include "store_resolve.h"

#include <string.h>

#include "store_rows.h"

/*
 * A single row always comes back; its NULL columns say what did not match.
 * The owner is admin; a public repository gives everybody pull. Three
 * shapes, so that a route's statement has no join and no column the route
 * does not read: starting the executor up is most of this statement's cost.
 */
#define RESOLVE_COLUMNS                                                        \
	"SELECT t.id, t.expires_at IS NOT NULL AND t.expires_at <= now(),"     \
	"       array_to_string(t.scopes, ', '), t.rate_limit,"                 \
	"       " STORE_USER_COLUMNS("u") ","                                    \
	"       " STORE_REPOSITORY_COLUMNS("r", "o") ","                         \
	"       CASE WHEN r.id IS NULL THEN NULL"                               \
	"            WHEN o.id = u.id THEN 'admin'"                             \
	"            ELSE c.permission END,"                                    \
	"       " STORE_EPOCH("now()")
#define RESOLVE_NCOLUMNS (4 + STORE_USER_NCOLUMNS + STORE_REPOSITORY_NCOLUMNS + 2)
#define RESOLVE_JOINS                                                          \
	"  FROM (SELECT 1) AS one"                                             \
	"  LEFT JOIN tokens t ON t.token_hash = $1"                            \
	"  LEFT JOIN users u ON u.id = t.user_id"                              \
	"  LEFT JOIN (repositories r JOIN users o ON o.id = r.owner_id)"      \
	"         ON lower(o.login) = lower($2) AND lower(r.name) = lower($3)" \
	"  LEFT JOIN collaborators c ON c.repository_id = r.id AND c.user_id = u.id"

enum resolve_shape {
	RESOLVE_PLAIN,
	RESOLVE_NEW_ID,     /* $4: the sequence of the row the route creates */
	RESOLVE_DEPLOYMENT, /* $4: the deployment in the path */
};

static struct db_statement resolve_statements[] = {
	[RESOLVE_PLAIN] = {
	    .name = "resolve",
	    .nparams = 3,
	    .read_only = true,
	    .sql = RESOLVE_COLUMNS RESOLVE_JOINS,
	},
	[RESOLVE_NEW_ID] = {
	    .name = "resolve_new_id",
	    .nparams = 4,
	    /* Repeating it on a new connection at worst skips a sequence value. */
	    .read_only = true,
	    .sql = RESOLVE_COLUMNS ", nextval($4::regclass)" RESOLVE_JOINS,
	},
	[RESOLVE_DEPLOYMENT] = {
	    .name = "resolve_deployment",
	    .nparams = 4,
	    .read_only = true,
	    .sql = RESOLVE_COLUMNS ", " STORE_DEPLOYMENT_COLUMNS("dep", "dc") RESOLVE_JOINS
		"  LEFT JOIN (deployments dep JOIN users dc ON dc.id = dep.creator_id)"
		"         ON dep.id = $4::bigint AND dep.repository_id = r.id",
	},
};

int
store_resolve(struct db *db, const struct resolve_request *q, struct resolution *out,
    struct db_error *err)
{
	enum resolve_shape shape = q->id_sequence ? RESOLVE_NEW_ID
	    : q->deployment_id ? RESOLVE_DEPLOYMENT : RESOLVE_PLAIN;
	const char *params[4] = { q->token_hash, q->owner, q->name,
		shape == RESOLVE_NEW_ID ? q->id_sequence : q->deployment_id };
	PGresult *r;
	int col = 0;

	memset(out, 0, sizeof(*out));
	r = db_exec(db, &resolve_statements[shape], params, err);
	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1) {
		/* The statement selects from (SELECT 1): never. */
		db_error_set(err, DB_QUERY_FAILED, "XX000", "the resolve statement returned no row");
		PQclear(r);
		return -1;
	}
	out->token_found = !PQgetisnull(r, 0, 0);
	if (out->token_found) {
		struct principal *p = &out->principal;
		const char *scopes = db_get_text(r, 0, 2);

		out->token_expired = db_get_bool(r, 0, 1);
		p->authenticated = !out->token_expired;
		p->token_id = db_get_int64(r, 0, 0);
		p->scopes_header = xstrdup(scopes ? scopes : "");
		if (scopes_parse(p->scopes_header, &p->scopes) < 0)
			p->scopes = 0;
		p->rate_limit = PQgetisnull(r, 0, 3) ? -1 : db_get_int64(r, 0, 3);
	}
	col = 4;
	if (out->token_found)
		store_read_user(r, 0, col, &out->principal.user);
	col += STORE_USER_NCOLUMNS;
	out->repo_found = !PQgetisnull(r, 0, col);
	if (out->repo_found)
		store_read_repository(r, 0, col, &out->repo);
	col += STORE_REPOSITORY_NCOLUMNS;
	out->permission = permission_parse(db_get_text(r, 0, col));
	out->now = db_get_int64(r, 0, col + 1);
	if (shape == RESOLVE_NEW_ID)
		out->new_id = db_get_int64(r, 0, RESOLVE_NCOLUMNS);
	if (shape == RESOLVE_DEPLOYMENT) {
		out->deployment_found = !PQgetisnull(r, 0, RESOLVE_NCOLUMNS);
		if (out->deployment_found)
			store_read_deployment(r, 0, RESOLVE_NCOLUMNS, &out->deployment);
	}
	PQclear(r);
	return 0;
}

static struct db_statement next_id_statement = {
	.name = "next_id",
	.nparams = 1,
	.read_only = true,  /* repeated on a new connection, it skips a value */
	.sql = "SELECT nextval($1::regclass)",
};

int
store_next_id(struct db *db, const char *sequence, int64_t *id, struct db_error *err)
{
	const char *params[1] = { sequence };
	PGresult *r = db_exec(db, &next_id_statement, params, err);

	if (r == NULL)
		return -1;
	*id = db_get_int64(r, 0, 0);
	PQclear(r);
	return 0;
}

void
resolution_release(struct resolution *r)
{
	deployment_release(&r->deployment);
	principal_release(&r->principal);
	repository_release(&r->repo);
}
