#include "config.h"

#include "store_auth.h"

#include <string.h>

#include "store_rows.h"

/* A single row always comes back; its NULL columns say what did not match.
 * The owner is admin; a public repository gives everybody pull. */
static struct db_statement resolve_statement = {
	.name = "resolve",
	.nparams = 5,
	/* Repeating it on a new connection at worst skips a sequence value. */
	.read_only = true,
	.sql =
	    "SELECT t.id, t.expires_at IS NOT NULL AND t.expires_at <= now(),"
	    "       array_to_string(t.scopes, ', '), t.rate_limit,"
	    "       " STORE_USER_COLUMNS("u") ","
	    "       " STORE_REPOSITORY_COLUMNS("r", "o") ","
	    "       CASE WHEN r.id IS NULL THEN NULL"
	    "            WHEN o.id = u.id THEN 'admin'"
	    "            ELSE c.permission END,"
	    "       CASE WHEN $4::text IS NULL THEN NULL ELSE nextval($4::regclass) END,"
	    "       " STORE_EPOCH("now()") ","
	    "       " STORE_DEPLOYMENT_COLUMNS("dep", "dc")
	    "  FROM (SELECT 1) AS one"
	    "  LEFT JOIN tokens t ON t.token_hash = $1"
	    "  LEFT JOIN users u ON u.id = t.user_id"
	    "  LEFT JOIN (repositories r JOIN users o ON o.id = r.owner_id)"
	    "         ON lower(o.login) = lower($2) AND lower(r.name) = lower($3)"
	    "  LEFT JOIN collaborators c ON c.repository_id = r.id AND c.user_id = u.id"
	    "  LEFT JOIN (deployments dep JOIN users dc ON dc.id = dep.creator_id)"
	    "         ON dep.id = $5::bigint AND dep.repository_id = r.id",
};

int
store_resolve(struct db *db, const struct resolve_request *q, struct resolution *out,
    struct db_error *err)
{
	const char *params[5] = { q->token_hash, q->owner, q->name, q->id_sequence, q->deployment_id };
	PGresult *r;
	int col = 0;

	memset(out, 0, sizeof(*out));
	r = db_exec(db, &resolve_statement, params, err);
	if (r == NULL)
		return -1;
	if (PQntuples(r) != 1) {
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
	out->new_id = db_get_int64(r, 0, col + 1);
	out->now = db_get_int64(r, 0, col + 2);
	col += 3;
	out->deployment_found = !PQgetisnull(r, 0, col);
	if (out->deployment_found)
		store_read_deployment(r, 0, col, &out->deployment);
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
