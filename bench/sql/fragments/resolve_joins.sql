-- RESOLVE_JOINS of src/api/store/store_resolve.c: @repo@ is the pgbench
-- variable holding the repository name of the request's path.
  FROM (SELECT 1) AS one
  LEFT JOIN tokens t ON t.token_hash = :token_hash
  LEFT JOIN users u ON u.id = t.user_id
  LEFT JOIN (repositories r JOIN users o ON o.id = r.owner_id)
         ON lower(o.login) = lower(:owner) AND lower(r.name) = lower(:@repo@)
  LEFT JOIN collaborators c ON c.repository_id = r.id AND c.user_id = u.id
