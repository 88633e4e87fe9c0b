-- POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses with
-- {"state":"in_progress",...}: resolve_deployment
-- (src/api/store/store_resolve.c) with $4 = the deployment id, then
-- deployment_status_create (sql/0014), as src/api/store/store_statuses.c
-- calls it from src/api/handlers/status_create.c try_create.
--
-- Which deployment: every client posts to :progress_dep, the first of the
-- "pending" pool (bench/provision.sql), alone in its environment
-- :progress_env, as the wrk script does (and the reference's status.sql).
--
-- Parameters of deployment_status_create, as the worker binds them:
-- - $7, the environment: NULL (the body has none: keep the deployment's).
--   pgbench cannot bind a NULL (a NULL variable is sent as the text 'NULL'),
--   so it is the literal NULL/*$7*/.
-- - $8 and $9, target_url and log_url, are both the body's log_url: one
--   variable pinned to both numbers (:var/*$n*/, see normalize.pl).
-- - $3, the expected environment, is the deployment's own.
-- - $10, environment_url: '' (the body has none). pgbench cannot define an
--   empty variable (-D NAME= is refused), so it is the literal ('')/*$10*/.
-- - $13 is the epoch the worker takes from resolve (any fixed value here).
-- - $14 and $15, the API's and the web's base URLs that the event's lean
--   outbox row carries (the dispatcher renders the body from them), are
--   those of a real event, which bench/run.sh read from the outbox after
--   one request to the endpoint (:api_url, :web_url).
{{resolve_deployment repo=status_repo dep=progress_dep}}
SELECT deployment_status_create(:status_repo_id, :progress_dep, :progress_env, :in_progress_state, :user_id,
    :in_progress_description, NULL/*$7*/, :in_progress_log_url/*$8*/, :in_progress_log_url/*$9*/,
    ('')/*$10*/, :in_progress_auto_inactive, :cascade_production, :now, :api_url, :web_url);
