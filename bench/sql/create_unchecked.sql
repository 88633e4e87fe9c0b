-- POST /repos/{owner}/{repo}/deployments with body/create_unchecked.json:
-- the request of sql/create_deployment.sql with "required_contexts": [],
-- which checks no commit status: resolve_new_id, then deployment_create
-- (src/store_deployments.c), the deployment and its webhook event in one
-- statement, which returns no row. Same repository and sha as
-- create_deployment (whose 5 success statuses this statement does not read).
--
-- Parameters: as in sql/create_deployment.sql, except $13, the body's
-- required_contexts as the worker re-serialises it (:create_required, "[]").
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
       extract(epoch FROM now())::bigint, nextval(:id_seq/*$4*/::regclass)
  FROM (SELECT 1) AS one
  LEFT JOIN tokens t ON t.token_hash = :token_hash
  LEFT JOIN users u ON u.id = t.user_id
  LEFT JOIN (repositories r JOIN users o ON o.id = r.owner_id)
         ON lower(o.login) = lower(:owner) AND lower(r.name) = lower(:create_repo)
  LEFT JOIN collaborators c ON c.repository_id = r.id AND c.user_id = u.id;
WITH
 d AS (
  INSERT INTO deployments (id, repository_id, creator_id, created_at, updated_at, sha,
    ref, task, payload, original_environment, environment, description,
    transient_environment, production_environment, required_contexts, auto_merge)
  SELECT (currval('deployments_id_seq'))/*$1*/, :create_repo_id/*$2*/, :user_id/*$3*/,
    to_timestamp(:now/*$4*/), to_timestamp(:now/*$4*/), :sha/*$5*/, :ref/*$6*/, :task/*$7*/,
    :create_payload/*$8*/::json, :create_environment/*$9*/, :create_environment/*$9*/,
    NULL/*$10*/, :create_transient/*$11*/, :create_production/*$12*/,
    CASE WHEN :create_required/*$13*/::json IS NULL THEN NULL
         ELSE ARRAY(SELECT json_array_elements_text(:create_required/*$13*/::json)) END,
    :create_auto_merge/*$14*/
  RETURNING id, repository_id),
 o AS (INSERT INTO outbox (event, action, repository_id, deployment_id, payload)
  SELECT :event_deployment/*$15*/, 'created', d.repository_id, d.id, :create_event/*$16*/::json FROM d
  RETURNING id)
SELECT NULL, NULL WHERE false;
