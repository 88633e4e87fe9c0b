-- Lean outbox rows: the webhook body is rendered by deploy-dispatch when
-- it fans an event out (src/dispatch/dispatch_event.c), no longer by the
-- API inside its transaction. A row carries what the event needs: its
-- event, action, repository, deployment, status and sender ids, the
-- deployment's and the status's own values as the change left them
-- (event_values: they may change, or the rows go, before the fan-out),
-- and the API's base URLs the body's URLs are built from (docs/dispatch.md,
-- "Rendering at fan-out"). The repository and the sender are read at
-- fan-out from their rows (a repository deleted takes its rows with it).
--
-- A deployment_status event's values are about 0.6 KB against a rendered
-- body of 7 to 10 KB.
--
-- Rows written before this migration keep their rendered payload, which
-- the fan-out sends as it is: payload is set on old rows only.

ALTER TABLE outbox
    ALTER COLUMN payload DROP NOT NULL,
    ADD COLUMN status_id bigint,
    ADD COLUMN sender_id bigint,
    -- {"deployment": {...}, "status": {...}} or {"client_payload": "..."}
    ADD COLUMN event_values json,
    ADD COLUMN api_url text,
    ADD COLUMN web_url text;

-- Every write maintained it; nothing reads the outbox by repository but
-- the cascade of a repository's delete, which may scan a table that the
-- dispatchers keep near empty (an admin's rare deployctl command), rather
-- than every deployment and status paying for an index entry.
DROP INDEX outbox_by_repository;

-- A deployment's own values for its events, as the renderer reads them
-- (model_rows.h, MODEL_ROWS_DEPLOYMENT_VALUES): times in epoch seconds,
-- the payload as the JSON text it was given, in a string.
CREATE FUNCTION deployment_event_values(d deployments)
RETURNS json LANGUAGE sql IMMUTABLE AS $$
    SELECT json_build_object('sha', d.sha, 'ref', d.ref, 'task', d.task,
        'payload', d.payload::text, 'original_environment', d.original_environment,
        'environment', d.environment, 'description', d.description,
        'transient_environment', d.transient_environment,
        'production_environment', d.production_environment,
        'created_at', extract(epoch FROM d.created_at)::bigint,
        'updated_at', extract(epoch FROM d.updated_at)::bigint,
        'creator_id', d.creator_id)
$$;

-- deployment_status_create (sql/0003) without the rendered event: it
-- writes the lean row, with the deployment's values as the status leaves
-- them and the status's own. Its comment there holds otherwise.
DROP FUNCTION deployment_status_create(bigint, bigint, text, text, bigint, text, text, text,
    text, text, boolean, boolean, bigint, text, text, text, text);

CREATE FUNCTION deployment_status_create(
    p_repository_id bigint, p_deployment_id bigint, p_expected_environment text,
    p_state text, p_creator_id bigint, p_description text, p_environment text,
    p_target_url text, p_log_url text, p_environment_url text, p_auto_inactive boolean,
    p_cascade_production boolean, p_created_at bigint, p_api_url text, p_web_url text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    old_env text;
    new_env text;
    locked_env text;
    at timestamptz := to_timestamp(p_created_at);
    created deployment_statuses;
    moved json;
    other record;
BEGIN
    SELECT environment INTO old_env FROM deployments
     WHERE id = p_deployment_id AND repository_id = p_repository_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF old_env <> p_expected_environment THEN
        RAISE EXCEPTION 'environment of deployment % changed concurrently', p_deployment_id
            USING ERRCODE = '40001';
    END IF;
    new_env := COALESCE(p_environment, old_env);
    PERFORM deployment_environment_lock(p_repository_id, LEAST(old_env, new_env));
    IF old_env <> new_env THEN
        PERFORM deployment_environment_lock(p_repository_id, GREATEST(old_env, new_env));
    END IF;
    SELECT environment INTO locked_env FROM deployments WHERE id = p_deployment_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF locked_env <> old_env THEN
        RAISE EXCEPTION 'environment of deployment % changed concurrently', p_deployment_id
            USING ERRCODE = '40001';
    END IF;

    INSERT INTO deployment_statuses (deployment_id, state, creator_id, description, environment,
        target_url, log_url, environment_url, created_at, updated_at)
    VALUES (p_deployment_id, p_state, p_creator_id, p_description, new_env, p_target_url,
        p_log_url, p_environment_url, at, at)
    RETURNING * INTO created;
    UPDATE deployments SET environment = new_env, latest_state = p_state, updated_at = at
     WHERE id = p_deployment_id
    RETURNING deployment_event_values(deployments) INTO moved;

    -- The cascade reads the active deployments from active_deployments
    -- (sql/0015): its cost does not grow with history.
    IF p_state = 'success' AND p_auto_inactive THEN
        FOR other IN
            SELECT d.id, s.target_url, s.log_url, s.environment_url
              FROM active_deployments a JOIN deployments d ON d.id = a.deployment_id
              LEFT JOIN LATERAL (SELECT target_url, log_url, environment_url
                                   FROM deployment_statuses
                                  WHERE deployment_id = d.id ORDER BY id DESC LIMIT 1) s ON true
             WHERE a.repository_id = p_repository_id AND a.environment = new_env
               AND a.deployment_id <> p_deployment_id
               AND NOT d.transient_environment
               AND (p_cascade_production OR NOT d.production_environment)
             ORDER BY d.id
               FOR UPDATE OF d
        LOOP
            INSERT INTO deployment_statuses (deployment_id, state, creator_id, description,
                environment, target_url, log_url, environment_url, created_at, updated_at)
            VALUES (other.id, 'inactive', p_creator_id, '', new_env,
                COALESCE(other.target_url, ''), COALESCE(other.log_url, ''),
                COALESCE(other.environment_url, ''), at, at);
            UPDATE deployments SET latest_state = 'inactive', updated_at = at WHERE id = other.id;
        END LOOP;
    END IF;

    -- GitHub sends no webhook for inactive statuses.
    IF p_state <> 'inactive' THEN
        INSERT INTO outbox (event, action, repository_id, deployment_id, status_id, sender_id,
            event_values, api_url, web_url)
        VALUES ('deployment_status', 'created', p_repository_id, p_deployment_id, created.id,
            p_creator_id, json_build_object('deployment', moved, 'status', json_build_object(
                'state', created.state, 'description', created.description,
                'environment', created.environment, 'target_url', created.target_url,
                'log_url', created.log_url, 'environment_url', created.environment_url,
                'created_at', p_created_at, 'updated_at', p_created_at,
                'creator_id', created.creator_id)),
            p_api_url, p_web_url);
    END IF;
    RETURN created.id;
END
$$;
