-- GET /repos/{owner}/{repo}/deployments/{deployment_id}: the
-- resolve_deployment statement only (src/store_auth.c), which reads the
-- deployment too: $4 is the id from the path (:get_dep, a deployment of the
-- list repository). $1 to $3 as in get_repo.sql.
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
         ON lower(o.login) = lower(:owner) AND lower(r.name) = lower(:list_repo)
  LEFT JOIN collaborators c ON c.repository_id = r.id AND c.user_id = u.id
  LEFT JOIN (deployments dep JOIN users dc ON dc.id = dep.creator_id)
         ON dep.id = :get_dep::bigint AND dep.repository_id = r.id;
