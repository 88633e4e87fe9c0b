-- POST /repos/{owner}/{repo}/deployments with body/create_unchecked.json:
-- the request of sql/create_deployment.sql with "required_contexts": [],
-- which checks no commit status: resolve, then deployment_create
-- (src/api/store/store_deployments.c), the deployment and its webhook event
-- in one statement, unless the environment's branch policies refuse the ref.
-- Same repository and sha as create_deployment (whose 5 success statuses
-- this statement does not read).
--
-- Parameters: as in sql/create_deployment.sql, except $12, the body's
-- required_contexts as the worker re-serialises it (:create_required, "[]").
\set create_environment random(1000000000, 2147483647)
{{resolve repo=create_repo}}
WITH
{{create_inserts required=:create_required/*$12*/ condition=}}
SELECT (SELECT id FROM d), NULL, NULL, (SELECT name FROM refused);
