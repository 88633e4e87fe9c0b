-- GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses (page 1,
-- per_page 30): resolve_deployment (src/store_auth.c) with $4 = the deployment id from
-- the path, then status_list (src/store_statuses.c). :list_status_dep is a
-- deployment of the status repository with 40 statuses.
--
-- NULL/*$2*/: the list's $2, which the worker binds to NULL (no last_id hint
-- on page 1) and pgbench cannot.
SELECT t.id, t.expires_at IS NOT NULL AND t.expires_at <= now(),
       array_to_string(t.scopes, ', '), t.rate_limit,
       u.id, u.login, u.site_admin, u.name, u.email,
       extract(epoch FROM u.created_at)::bigint, extract(epoch FROM u.updated_at)::bigint,
       r.id, r.name, r.private, r.default_branch, r.git_dir, r.description, r.homepage,
       extract(epoch FROM r.created_at)::bigint, extract(epoch FROM r.updated_at)::bigint,
       extract(epoch FROM r.pushed_at)::bigint,
       o.id, o.login, o.site_admin, o.name, o.email,
       extract(epoch FROM o.created_at)::bigint, extract(epoch FROM o.updated_at)::bigint,
       CASE WHEN r.id IS NULL THEN NULL
            WHEN o.id = u.id THEN 'admin'
            ELSE c.permission END,
       extract(epoch FROM now())::bigint,
       dep.id, dep.sha, dep.ref, dep.task, dep.payload,
       dep.original_environment, dep.environment, dep.description,
       dep.transient_environment, dep.production_environment,
       dep.latest_state, extract(epoch FROM dep.created_at)::bigint,
       extract(epoch FROM dep.updated_at)::bigint,
       dc.id, dc.login, dc.site_admin, dc.name, dc.email,
       extract(epoch FROM dc.created_at)::bigint, extract(epoch FROM dc.updated_at)::bigint
  FROM (SELECT 1) AS one
  LEFT JOIN tokens t ON t.token_hash = :token_hash
  LEFT JOIN users u ON u.id = t.user_id
  LEFT JOIN (repositories r JOIN users o ON o.id = r.owner_id)
         ON lower(o.login) = lower(:owner) AND lower(r.name) = lower(:status_repo)
  LEFT JOIN collaborators c ON c.repository_id = r.id AND c.user_id = u.id
  LEFT JOIN (deployments dep JOIN users dc ON dc.id = dep.creator_id)
         ON dep.id = :list_status_dep::bigint AND dep.repository_id = r.id;
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
