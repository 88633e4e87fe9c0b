-- bench/provision.sql: the data the endpoints of bench/run.sh read and write,
-- inserted directly (generate_series), run by bench/run.sh with psql after
-- deployctl created the user, the token and the repositories:
--
--   psql -v user_id=U -v list_repo_id=L -v status_repo_id=S -v deep_repo_id=D -f provision.sql
--
-- Rows are inserted in the order their ids must have (one INSERT ... SELECT
-- ... ORDER BY each), so that bench/run.sh can compute every id from the
-- first one and checks that it can. Environment names in the status
-- repository are numbers: pgbench (which computes them per client with
-- \set) has no string arithmetic.
\set ON_ERROR_STOP on

-- The list repository: 1,000 deployments over three environments, the
-- newest of each 'success', the others 'inactive' (as real history is), one
-- a minute. GET .../deployments and GET .../deployments/{id} read it.
INSERT INTO deployments (repository_id, sha, ref, task, payload, original_environment,
    environment, description, creator_id, transient_environment, production_environment,
    required_contexts, auto_merge, latest_state, created_at, updated_at)
SELECT :list_repo_id, substr(md5(g::text) || md5(g::text), 1, 40), 'main', 'deploy',
       '{"k":"v"}', e, e, 'Benchmark deployment ' || g, :user_id, false, e = 'production',
       NULL, true, CASE WHEN g > 997 THEN 'success' ELSE 'inactive' END,
       now() - (1000 - g) * interval '1 minute', now() - (1000 - g) * interval '1 minute'
  FROM generate_series(1, 1000) g,
       LATERAL (SELECT (ARRAY['production', 'staging', 'qa'])[g % 3 + 1] AS e) x
 ORDER BY g;

-- The deep repository: 100,000 deployments (1,000 pages of 100), same shape.
INSERT INTO deployments (repository_id, sha, ref, task, payload, original_environment,
    environment, description, creator_id, transient_environment, production_environment,
    required_contexts, auto_merge, latest_state, created_at, updated_at)
SELECT :deep_repo_id, substr(md5(g::text) || md5(g::text), 1, 40), 'main', 'deploy',
       '{"k":"v"}', e, e, 'Benchmark deployment ' || g, :user_id, false, e = 'production',
       NULL, true, CASE WHEN g > 99997 THEN 'success' ELSE 'inactive' END,
       now() - (100000 - g) * interval '1 second', now() - (100000 - g) * interval '1 second'
  FROM generate_series(1, 100000) g,
       LATERAL (SELECT (ARRAY['production', 'staging', 'qa'])[g % 3 + 1] AS e) x
 ORDER BY g;

-- The status repository.
-- (1) "pending" pool: 128 deployments, number i (0..127) alone in
--     environment '1000 + i', so that requests to different ones never wait
--     for each other's environment lock.
INSERT INTO deployments (repository_id, sha, ref, task, payload, original_environment,
    environment, description, creator_id, transient_environment, production_environment,
    required_contexts, auto_merge, latest_state, created_at, updated_at)
SELECT :status_repo_id, substr(md5(i::text) || md5(i::text), 1, 40), 'main', 'deploy',
       '{"k":"v"}', (1000 + i)::text, (1000 + i)::text, NULL, :user_id, false, false, NULL, true,
       NULL, now(), now()
  FROM generate_series(0, 127) i
 ORDER BY i;
-- (2) "success" pool: 128 pairs A, B (ids a, a + 1) alone in environment
--     '2000 + pair'; B is the active one ('success'), A 'inactive'. A request
--     that sets success on the inactive one of a pair deactivates the other:
--     a cascade of exactly one.
INSERT INTO deployments (repository_id, sha, ref, task, payload, original_environment,
    environment, description, creator_id, transient_environment, production_environment,
    required_contexts, auto_merge, latest_state, created_at, updated_at)
SELECT :status_repo_id, substr(md5(p::text) || md5(s::text), 1, 40), 'main', 'deploy',
       '{"k":"v"}', (2000 + p)::text, (2000 + p)::text, NULL, :user_id, false, false, NULL, true,
       CASE s WHEN 1 THEN 'success' ELSE 'inactive' END, now(), now()
  FROM generate_series(0, 127) p, generate_series(0, 1) s
 ORDER BY p, s;
-- (3) Cascade cost: environment '10' with 10 deployments and environment
--     '100000' with 100,000, all 'inactive' but the newest ('success'); the
--     last two of each are the A, B pair that the measurement alternates.
INSERT INTO deployments (repository_id, sha, ref, task, payload, original_environment,
    environment, description, creator_id, transient_environment, production_environment,
    required_contexts, auto_merge, latest_state, created_at, updated_at)
SELECT :status_repo_id, substr(md5(g::text) || md5(n::text), 1, 40), 'main', 'deploy',
       '{"k":"v"}', n::text, n::text, NULL, :user_id, false, false, NULL, true,
       CASE WHEN g = n THEN 'success' ELSE 'inactive' END,
       now() - (n - g) * interval '1 second', now() - (n - g) * interval '1 second'
  FROM (VALUES (10), (100000)) v(n), generate_series(1, n) g
 ORDER BY n, g;
-- (4) The deployment whose statuses are listed: 40 statuses, so that the
--     default page (30) is full and a Link header is sent.
INSERT INTO deployments (repository_id, sha, ref, task, payload, original_environment,
    environment, description, creator_id, transient_environment, production_environment,
    required_contexts, auto_merge, latest_state, created_at, updated_at)
VALUES (:status_repo_id, repeat('ab', 20), 'main', 'deploy', '{"k":"v"}', 'staging', 'staging',
    NULL, :user_id, false, false, NULL, true, 'success', now(), now());
INSERT INTO deployment_statuses (deployment_id, state, creator_id, description, environment,
    target_url, log_url, environment_url, created_at, updated_at)
SELECT currval('deployments_id_seq'),
       (ARRAY['queued', 'in_progress', 'success', 'failure'])[g % 4 + 1], :user_id,
       'Status ' || g, 'staging', 'https://ci.example.com/builds/' || g,
       'https://ci.example.com/builds/' || g, 'https://staging.example.com',
       now() - (40 - g) * interval '1 minute', now() - (40 - g) * interval '1 minute'
  FROM generate_series(1, 40) g
 ORDER BY g;

VACUUM ANALYZE deployments;
VACUUM ANALYZE deployment_statuses;
