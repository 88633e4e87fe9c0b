-- POST /repos/{owner}/{repo}/deployments with body/create_deployment.json,
-- which omits required_contexts, on a repository without a git directory (a
-- full 40-hex sha as ref, so no git lookup): resolve (src/api/store/store_resolve.c),
-- then deployment_create_check_all (src/api/store/store_deployments.c):
-- required_contexts omitted means "every context with a status on the
-- commit", so the statement reads the latest status of each context on the
-- commit (bench/run.sh posts 5, all success, on this sha before the first
-- measurement) and inserts the deployment and its webhook event only when
-- none of them failed and the environment's branch policies do not refuse
-- the ref; it returns the new id, the failing contexts (none here) and the
-- refusing environment (none). sql/create_unchecked.sql is the same create
-- with required_contexts: [].
--
-- Parameters:
-- - NULL/*$n*/: what the worker binds to NULL (the body has no description,
--   $9, and no required_contexts, $12; a full sha is no branch nor tag, $17).
-- - :var/*$n*/ pins a variable to the worker's parameter number (the check
--   reads $1 and $4 before the insert does, so every parameter is pinned).
-- - :now is the epoch the worker takes from resolve (any fixed value here);
--   :sha and :ref are the body's ref; :create_payload the body's payload
--   as the worker re-serialises it; :api_url and :web_url the base URLs
--   of the webhook event's lean row (sql/0014), which bench/run.sh read
--   from the outbox after one real create.
-- - :create_environment, the body's environment, is a new one each time
--   (a random number: pgbench has no strings), as the wrk script's is.
\set create_environment random(1000000000, 2147483647)
{{resolve repo=create_repo}}
WITH
 failing AS (
  SELECT l.context, l.state FROM (
    SELECT DISTINCT ON (context) context, state FROM commit_statuses
     WHERE repository_id = :create_repo_id/*$1*/ AND sha = :sha/*$4*/
     ORDER BY context, id DESC) l
   WHERE l.state <> 'success'),
{{create_inserts required="NULL/*$12*/" condition="NOT EXISTS (SELECT 1 FROM failing) AND "}}
SELECT (SELECT id FROM d), f.context, f.state, (SELECT name FROM refused)
  FROM (SELECT 1) AS one LEFT JOIN failing f ON true ORDER BY f.context;
