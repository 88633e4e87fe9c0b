-- POST /repos/{owner}/{repo}/deployments with body/create_deployment.json,
-- which omits required_contexts, on a repository without a git directory (a
-- full 40-hex sha as ref, so no git lookup): resolve_new_id (src/store_auth.c)
-- with $4 = 'deployments_id_seq', which allocates the new deployment's id, then
-- deployment_create_check_all (src/store_deployments.c): required_contexts
-- omitted means "every context with a status on the commit", so the
-- statement reads the latest status of each context on the commit
-- (bench/run.sh posts 5, all success, on this sha before the first
-- measurement) and inserts the deployment and its webhook event only when
-- none of them failed; it returns the failing contexts (none here).
-- sql/create_unchecked.sql is the same create with required_contexts: [].
--
-- Parameters:
-- - deployment_create_check_all's $1 is the id that resolve's nextval()
--   returned. The worker passes it back; pgbench cannot carry a value from
--   one statement to the next without \gset, and \gset fails on resolve's
--   result (columns named "?column?" are not valid variable names). So $1 is
--   written (currval('deployments_id_seq'))/*$1*/: the same value, the one
--   this session's resolve just took.
-- - NULL/*$n*/: what the worker binds to NULL (the body has no description,
--   $10, and no required_contexts, $13).
-- - :var/*$n*/ pins a variable to the worker's parameter number (resolve's
--   $4 comes before $1 in the text; the check reads $2 and $5 before the
--   insert does, so every parameter of the create statement is pinned).
-- - :now is the epoch the worker takes from resolve (any fixed value here);
--   :sha and :ref are the body's ref; :create_payload the body's payload
--   as the worker re-serialises it; :create_event the webhook body (~7.7 KB)
--   that bench/run.sh read from the outbox after one real create.
-- - :create_environment, the body's environment, is a new one each time
--   (a random number: pgbench has no strings), as the wrk script's is.
\set create_environment random(1000000000, 2147483647)
{{resolve_new_id repo=create_repo}}
WITH
 failing AS (
  SELECT l.context, l.state FROM (
    SELECT DISTINCT ON (context) context, state FROM commit_statuses
     WHERE repository_id = :create_repo_id/*$2*/ AND sha = :sha/*$5*/
     ORDER BY context, id DESC) l
   WHERE l.state <> 'success'),
{{create_inserts required="NULL/*$13*/" condition=" WHERE NOT EXISTS (SELECT 1 FROM failing)"}}
SELECT context, state FROM failing ORDER BY context;
