/*
 * The one INSERT INTO hooks, for the two programs that create webhooks:
 * deploy-api's POST /repos/{owner}/{repo}/hooks (api/store/store_hooks.c)
 * and deployctl hook create (ctl/ctl_store.c). Their layers may not use
 * each other and deployctl does not link the API's store, so the text
 * lives here, in the layer both use: one place says which columns a new
 * hook sets and which defaults apply. It is only text (no code, no libpq),
 * so common stays free of SQL that runs; each caller adds its RETURNING
 * and runs it through its own store.
 *
 *   $1 repository id
 *   $2 url
 *   $3 content_type        NULL: 'form'
 *   $4 secret              NULL or '': deliveries are not signed
 *   $5 insecure_ssl        NULL: false
 *   $6 events, JSON array  NULL: ["push"], GitHub's default
 *   $7 active              NULL: true
 */
#ifndef DEPLOY_HOOK_SQL_H
#define DEPLOY_HOOK_SQL_H

#define HOOK_INSERT_SQL                                                              \
	"INSERT INTO hooks (repository_id, url, content_type, secret, insecure_ssl,"  \
	"    events, active)"                                                        \
	"  VALUES ($1, $2, coalesce($3, 'form'), nullif($4, ''), coalesce($5::boolean, false)," \
	"    CASE WHEN $6::json IS NULL THEN ARRAY['push']"                         \
	"         ELSE ARRAY(SELECT json_array_elements_text($6::json)) END,"        \
	"    coalesce($7::boolean, true))"
#define HOOK_INSERT_NPARAMS 7

#endif
