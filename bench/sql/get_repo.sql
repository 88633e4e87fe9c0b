-- The "resolve" statement of src/store_auth.c (the column macros of
-- src/store_rows.h expanded), in its plain shape (no deployment in the path,
-- no row to create): the only SQL that an authenticated
-- GET /repos/{owner}/{repo} runs. bench/run.sh checks that this text is the
-- statement the workers ran, and prints theirs when it is not.
--
-- Parameters: pgbench's \set only holds numbers, so bench/run.sh passes the
-- strings with -D: token_hash (sha256 hex of the token), owner, repo. With
-- -M prepared they become the text parameters $1, $2, $3, as libpq's
-- PQexecPrepared sends them.
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
       extract(epoch FROM now())::bigint
  FROM (SELECT 1) AS one
  LEFT JOIN tokens t ON t.token_hash = :token_hash
  LEFT JOIN users u ON u.id = t.user_id
  LEFT JOIN (repositories r JOIN users o ON o.id = r.owner_id)
         ON lower(o.login) = lower(:owner) AND lower(r.name) = lower(:repo)
  LEFT JOIN collaborators c ON c.repository_id = r.id AND c.user_id = u.id;
