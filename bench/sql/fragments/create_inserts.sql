-- CREATE_REFUSED and CREATE_INSERTS(CONDITION) of
-- src/api/store/store_deployments.c: the environment's branch policies'
-- verdict, then the deployment and its webhook event, inserted by one
-- statement. @required@ is the worker's $12, the body's required_contexts;
-- @condition@ is what else the insert waits for (the checked create's
-- "NOT EXISTS (SELECT 1 FROM failing) AND ", or nothing). The event body is
-- the worker's five pieces around the new id ($15..$19), which bench/run.sh
-- cut from a real event. pgbench would take the colon of the node id's
-- prefix for a variable: it is chr(58) (normalize.pl, /*=...*/).
 refused AS (SELECT environment_branch_refusal(:create_repo_id/*$1*/, :create_environment/*$8*/,
                                               NULL/*$20*/, :ref/*$21*/) AS name),
 d AS (
  INSERT INTO deployments (repository_id, creator_id, created_at, updated_at, sha,
    ref, task, payload, original_environment, environment, description,
    transient_environment, production_environment, required_contexts, auto_merge)
  SELECT :create_repo_id/*$1*/, :user_id/*$2*/, to_timestamp(:now/*$3*/), to_timestamp(:now/*$3*/),
    :sha/*$4*/, :ref/*$5*/, :task/*$6*/, :create_payload/*$7*/::json,
    :create_environment/*$8*/, :create_environment/*$8*/,
    NULL/*$9*/, :create_transient/*$10*/, :create_production/*$11*/,
    CASE WHEN @required@::json IS NULL THEN NULL
         ELSE ARRAY(SELECT json_array_elements_text(@required@::json)) END,
    :create_auto_merge/*$13*/ WHERE @condition@(SELECT name FROM refused) IS NULL
  RETURNING id, repository_id),
 o AS (INSERT INTO outbox (event, action, repository_id, deployment_id, payload)
  SELECT :event_deployment/*$14*/, 'created', d.repository_id, d.id,
    (:create_head/*$15*/::text || d.id || :create_mid1/*$16*/::text || d.id || :create_mid2/*$17*/::text
     || encode(convert_to(('010' || chr(58) || 'Deployment')/*='010%3ADeployment'*/ || d.id, 'UTF8'), 'base64')
     || :create_mid3/*$18*/::text || d.id || :create_tail/*$19*/::text)::json FROM d RETURNING id)
