-- GET /repos/{owner}/{repo}/deployments (page 1, per_page 30 by default):
-- resolve (src/store_auth.c, plain: no id sequence, no deployment), then the
-- unfiltered list statement of src/store_deployments.c (deployment_list_0):
-- the total and the page in one statement.
--
-- A parameter the worker binds to NULL and pgbench cannot: the list's $2
-- (no last_id hint on page 1), written as a NULL literal marked NULL/*$2*/
-- (see normalize.pl). $3 is per_page (30), $4 the offset (0).
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
       extract(epoch FROM now())::bigint
  FROM (SELECT 1) AS one
  LEFT JOIN tokens t ON t.token_hash = :token_hash
  LEFT JOIN users u ON u.id = t.user_id
  LEFT JOIN (repositories r JOIN users o ON o.id = r.owner_id)
         ON lower(o.login) = lower(:owner) AND lower(r.name) = lower(:list_repo)
  LEFT JOIN collaborators c ON c.repository_id = r.id AND c.user_id = u.id;
SELECT c.total, p.* FROM (SELECT count(*) AS total FROM deployments x
                           WHERE x.repository_id = :list_repo_id) c
  LEFT JOIN LATERAL (SELECT d.id, d.sha, d.ref, d.task, d.payload, d.original_environment, d.environment,
                 d.description, d.transient_environment, d.production_environment,
                 d.latest_state, extract(epoch FROM d.created_at)::bigint,
                 extract(epoch FROM d.updated_at)::bigint,
                 u.id, u.login, u.site_admin, u.name, u.email,
                 extract(epoch FROM u.created_at)::bigint, extract(epoch FROM u.updated_at)::bigint
          FROM deployments d JOIN users u ON u.id = d.creator_id
         WHERE d.repository_id = :list_repo_id
           AND d.id < COALESCE(NULL/*$2*/::bigint, 9223372036854775807)
         ORDER BY d.id DESC LIMIT :per_page OFFSET :page_offset) p ON true;
