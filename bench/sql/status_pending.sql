-- POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses with
-- {"state":"pending",...}: resolve_deployment (src/store_auth.c) with $4 = the
-- deployment id, then deployment_status_create (sql/0003), as
-- src/store_statuses.c calls it from src/h_statuses.c try_create.
--
-- Which deployment: client k of pgbench (:client_id) posts to deployment
-- :pend_base + k of the "pending" pool (bench/provision.sql), alone in its
-- environment '1000 + k', so that clients never wait for each other's
-- environment lock (the wrk script spreads its requests over the same pool).
--
-- Parameters of deployment_status_create, as the worker binds them:
-- - $7, the environment: NULL (the body has none: keep the deployment's).
--   pgbench cannot bind a NULL (a NULL variable is sent as the text 'NULL'),
--   so it is the literal NULL/*$7*/.
-- - $8 and $9, target_url and log_url, are both the body's log_url: one
--   variable pinned to both numbers (:var/*$n*/, see normalize.pl).
-- - $3, the expected environment, is the deployment's own (the client's
--   environment number, computed with \set: pgbench has no strings).
-- - $10, environment_url: '' (the body has none). pgbench cannot define an
--   empty variable (-D NAME= is refused), so it is the literal ('')/*$10*/.
-- - $13 is the epoch the worker takes from resolve (any fixed value here).
-- - $14..$17, the webhook body in four pieces around the status id and
--   node id, are the pieces of a real event that bench/run.sh cut from the
--   outbox after one request to the endpoint (~8 KB in all).
\set dep :pend_base + :client_id
\set env :pend_env_base + :client_id
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
         ON dep.id = :dep::bigint AND dep.repository_id = r.id;
SELECT deployment_status_create(:status_repo_id, :dep, :env, :pending_state, :user_id,
    :pending_description, NULL/*$7*/, :pending_log_url/*$8*/, :pending_log_url/*$9*/,
    ('')/*$10*/, :pending_auto_inactive, :cascade_production, :now,
    :pending_head, :pending_mid1, :pending_mid2, :pending_tail);
