-- GET /repos/{owner}/{repo}/deployments (page 1, per_page 30 by default):
-- resolve (src/store_auth.c, plain: no id sequence, no deployment), then the
-- unfiltered list statement of src/store_deployments.c (deployment_list_0):
-- the total and the page in one statement.
--
-- A parameter the worker binds to NULL and pgbench cannot: the list's $2
-- (no last_id hint on page 1), written as a NULL literal marked NULL/*$2*/
-- (see normalize.pl). $3 is per_page (30), $4 the offset (0).
{{resolve repo=list_repo}}
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
