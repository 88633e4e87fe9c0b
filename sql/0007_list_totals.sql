-- The sizes of the lists, kept as rows change, so that a page's Link
-- header (rel="last", which PyGithub's totalCount and go-github's LastPage
-- read) never counts the history: count(*) over a repository of 33,000
-- deployments took 39 ms per page.
--
-- A repository's deployments, in all and per environment. Each database
-- session adds to its own shard (its backend pid modulo 16): one row per
-- key would be locked by every create of the repository until it commits,
-- and creates would commit one at a time (10x fewer per second measured
-- with 16 clients). Readers sum at most 16 rows.
CREATE TABLE deployment_totals (
    repository_id  bigint NOT NULL,
    environment    text NOT NULL,   -- '': all of the repository's deployments
    shard          int NOT NULL,
    n              bigint NOT NULL,
    PRIMARY KEY (repository_id, environment, shard)
);

-- A deployment's statuses: they are written under the lock of the
-- deployment's environment, one at a time, so one row each is enough.
-- Statuses are only ever deleted with their deployment, which removes the
-- row.
CREATE TABLE status_totals (
    deployment_id  bigint PRIMARY KEY,
    n              bigint NOT NULL
);

-- Statement-level for inserts and deletes, so that a bulk load pays one
-- upsert per key, not per row. Both triggers name their rows "changed".
CREATE FUNCTION deployment_totals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    sign int := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    INSERT INTO deployment_totals AS t (repository_id, environment, shard, n)
    SELECT c.repository_id, k.environment, pg_backend_pid() % 16, sign * count(*)
      FROM changed c, LATERAL (VALUES (''), (c.environment)) AS k (environment)
     GROUP BY c.repository_id, k.environment
    ON CONFLICT (repository_id, environment, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM status_totals WHERE deployment_id IN (SELECT id FROM changed);
    END IF;
    RETURN NULL;
END
$$;

-- A status may move its deployment to another environment.
CREATE FUNCTION deployment_totals_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deployment_totals AS t (repository_id, environment, shard, n)
    VALUES (OLD.repository_id, OLD.environment, pg_backend_pid() % 16, -1),
           (NEW.repository_id, NEW.environment, pg_backend_pid() % 16, 1)
    ON CONFLICT (repository_id, environment, shard) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE FUNCTION status_totals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO status_totals AS t (deployment_id, n)
    SELECT deployment_id, count(*) FROM inserted GROUP BY deployment_id
    ON CONFLICT (deployment_id) DO UPDATE SET n = t.n + EXCLUDED.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER deployments_counted AFTER INSERT ON deployments
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION deployment_totals_changed();
CREATE TRIGGER deployments_uncounted AFTER DELETE ON deployments
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT
    EXECUTE FUNCTION deployment_totals_changed();
CREATE TRIGGER deployments_moved AFTER UPDATE OF environment ON deployments
    FOR EACH ROW WHEN (OLD.environment IS DISTINCT FROM NEW.environment)
    EXECUTE FUNCTION deployment_totals_moved();
CREATE TRIGGER statuses_counted AFTER INSERT ON deployment_statuses
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
    EXECUTE FUNCTION status_totals_inserted();

INSERT INTO deployment_totals (repository_id, environment, shard, n)
SELECT repository_id, '', 0, count(*) FROM deployments GROUP BY repository_id
UNION ALL
SELECT repository_id, environment, 0, count(*) FROM deployments GROUP BY repository_id, environment;
INSERT INTO status_totals (deployment_id, n)
SELECT deployment_id, count(*) FROM deployment_statuses GROUP BY deployment_id;
