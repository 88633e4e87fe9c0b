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
{{resolve_deployment repo=status_repo dep=dep}}
SELECT deployment_status_create(:status_repo_id, :dep, :env, :pending_state, :user_id,
    :pending_description, NULL/*$7*/, :pending_log_url/*$8*/, :pending_log_url/*$9*/,
    ('')/*$10*/, :pending_auto_inactive, :cascade_production, :now,
    :pending_head, :pending_mid1, :pending_mid2, :pending_tail);
