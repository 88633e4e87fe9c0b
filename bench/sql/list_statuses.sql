-- GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses (page 1,
-- per_page 30): resolve_deployment (src/store_auth.c) with $4 = the deployment id from
-- the path, then status_list (src/store_statuses.c). :list_status_dep is a
-- deployment of the status repository with 40 statuses.
--
-- NULL/*$2*/: the list's $2, which the worker binds to NULL (no last_id hint
-- on page 1) and pgbench cannot.
{{resolve_deployment repo=status_repo dep=list_status_dep}}
SELECT c.total, p.* FROM (SELECT count(*) AS total FROM deployment_statuses
                          WHERE deployment_id = :list_status_dep) c
  LEFT JOIN LATERAL (SELECT s.id, s.deployment_id, s.state, s.description,
                 s.environment, s.target_url, s.log_url, s.environment_url,
                 extract(epoch FROM s.created_at)::bigint,
                 extract(epoch FROM s.updated_at)::bigint,
                 u.id, u.login, u.site_admin, u.name, u.email,
                 extract(epoch FROM u.created_at)::bigint, extract(epoch FROM u.updated_at)::bigint
    FROM deployment_statuses s JOIN users u ON u.id = s.creator_id
   WHERE s.deployment_id = :list_status_dep
     AND s.id < COALESCE(NULL/*$2*/::bigint, 9223372036854775807)
   ORDER BY s.id DESC LIMIT :per_page OFFSET :page_offset) p ON true;
