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
 failing AS (
  SELECT l.context, l.state FROM (
    SELECT DISTINCT ON (context) context, state FROM commit_statuses
     WHERE repository_id = :create_repo_id/*$2*/ AND sha = :sha/*$5*/
     ORDER BY context, id DESC) l
   WHERE l.state <> 'success'),
 d AS (
  INSERT INTO deployments (id, repository_id, creator_id, created_at, updated_at, sha,
    ref, task, payload, original_environment, environment, description,
    transient_environment, production_environment, required_contexts, auto_merge)
  SELECT (currval('deployments_id_seq'))/*$1*/, :create_repo_id/*$2*/, :user_id/*$3*/,
    to_timestamp(:now/*$4*/), to_timestamp(:now/*$4*/), :sha/*$5*/, :ref/*$6*/, :task/*$7*/,
    :create_payload/*$8*/::json, :create_environment/*$9*/, :create_environment/*$9*/,
    NULL/*$10*/, :create_transient/*$11*/, :create_production/*$12*/,
    CASE WHEN NULL/*$13*/::json IS NULL THEN NULL
         ELSE ARRAY(SELECT json_array_elements_text(NULL/*$13*/::json)) END,
    :create_auto_merge/*$14*/ WHERE NOT EXISTS (SELECT 1 FROM failing)
  RETURNING id, repository_id),
 o AS (INSERT INTO outbox (event, action, repository_id, deployment_id, payload)
  SELECT :event_deployment/*$15*/, 'created', d.repository_id, d.id, :create_event/*$16*/::json FROM d
  RETURNING id)
SELECT context, state FROM failing ORDER BY context;
