-- CREATE_INSERTS(CONDITION) of src/api/store/store_deployments.c: the
-- deployment and its webhook event, inserted by one statement. @required@
-- is the worker's $13, the body's required_contexts; @condition@ follows
-- the inserted values (the checked create's WHERE, with its leading space).
 d AS (
  INSERT INTO deployments (id, repository_id, creator_id, created_at, updated_at, sha,
    ref, task, payload, original_environment, environment, description,
    transient_environment, production_environment, required_contexts, auto_merge)
  SELECT (currval('deployments_id_seq'))/*$1*/, :create_repo_id/*$2*/, :user_id/*$3*/,
    to_timestamp(:now/*$4*/), to_timestamp(:now/*$4*/), :sha/*$5*/, :ref/*$6*/, :task/*$7*/,
    :create_payload/*$8*/::json, :create_environment/*$9*/, :create_environment/*$9*/,
    NULL/*$10*/, :create_transient/*$11*/, :create_production/*$12*/,
    CASE WHEN @required@::json IS NULL THEN NULL
         ELSE ARRAY(SELECT json_array_elements_text(@required@::json)) END,
    :create_auto_merge/*$14*/@condition@
  RETURNING id, repository_id),
 o AS (INSERT INTO outbox (event, action, repository_id, deployment_id, payload)
  SELECT :event_deployment/*$15*/, 'created', d.repository_id, d.id, :create_event/*$16*/::json FROM d
  RETURNING id)
