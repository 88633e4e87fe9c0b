-- POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses with
-- {"state":"success",...}: resolve_deployment
-- (src/api/store/store_resolve.c) with $4 = the deployment id, then
-- deployment_status_create (sql/0014), as src/api/store/store_statuses.c
-- calls it from src/api/handlers/status_create.c try_create, with the
-- inactive cascade (of one deployment, when the other of the pair is active).
--
-- Which deployment: every client alternates between the first pair of the
-- "success" pool (bench/provision.sql), deployments :succ_base (A) and
-- :succ_base + 1 (B), alone in environment :succ_env_base, B active at the
-- start: A, B, A... (:n counts the client's transactions), as the wrk script
-- does (and the reference's cascade.sql), so a success usually deactivates
-- the other one of the pair. The cascade-cost
-- measurement runs this same file at one client with succ_base and
-- succ_env_base pointing at the last two deployments of environment '10'
-- or '100000'.
--
-- Parameters of deployment_status_create, as the worker binds them:
-- - $7, the environment: NULL (the body has none: keep the deployment's).
--   pgbench cannot bind a NULL (a NULL variable is sent as the text 'NULL'),
--   so it is the literal NULL/*$7*/.
-- - $8 and $9, target_url and log_url, are both the body's log_url: one
--   variable pinned to both numbers (:var/*$n*/, see normalize.pl).
-- - $3, the expected environment, is the deployment's own (a number:
--   pgbench has no strings).
-- - $13 is the epoch the worker takes from resolve (any fixed value here).
-- - $14 and $15, the API's and the web's base URLs that the event's lean
--   outbox row carries (the dispatcher renders the body from them), are
--   those of a real event, which bench/run.sh read from the outbox after
--   one request to the endpoint (:api_url, :web_url).
\set dep :succ_base + :n % 2
\set n :n + 1
{{resolve_deployment repo=status_repo dep=dep}}
SELECT deployment_status_create(:status_repo_id, :dep, :succ_env_base, :success_state, :user_id,
    :success_description, NULL/*$7*/, :success_log_url/*$8*/, :success_log_url/*$9*/,
    :success_environment_url, :success_auto_inactive, :cascade_production, :now, :api_url, :web_url);
