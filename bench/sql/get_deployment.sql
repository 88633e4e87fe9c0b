-- GET /repos/{owner}/{repo}/deployments/{deployment_id}: the
-- resolve_deployment statement only (src/store_auth.c), which reads the
-- deployment too: $4 is the id from the path (:get_dep, a deployment of the
-- list repository). $1 to $3 as in get_repo.sql.
{{resolve_deployment repo=list_repo dep=get_dep}}
