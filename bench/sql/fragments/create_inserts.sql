-- CREATE_REFUSED and CREATE_INSERTS(CONDITION) of
-- src/api/store/store_deployments.c: the environment's branch policies'
-- verdict ($17 the ref's kind, $18 its short name), then the deployment and
-- its webhook event, inserted by one statement. @required@ is the worker's
-- $12, the body's required_contexts; @condition@ is what else the insert
-- waits for (the checked create's "NOT EXISTS (SELECT 1 FROM failing) AND ",
-- or nothing). The event is the lean outbox row of sql/0014 (the
-- deployment's values, the creator as sender), with the worker's base URLs
-- $15 and $16 (:api_url, :web_url, which bench/run.sh read from the row
-- of a real create).
 refused AS (SELECT environment_branch_refusal(:create_repo_id/*$1*/, :create_environment/*$8*/,
                                               NULL/*$17*/, :ref/*$18*/) AS name),
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
  RETURNING id, repository_id, creator_id,
    deployment_event_values(deployments) AS event_values),
 o AS (INSERT INTO outbox (event, action, repository_id, deployment_id, sender_id,
    event_values, api_url, web_url)
  SELECT :event_deployment/*$14*/, 'created', d.repository_id, d.id, d.creator_id,
    json_build_object('deployment', d.event_values), :api_url/*$15*/, :web_url/*$16*/
    FROM d RETURNING id)
