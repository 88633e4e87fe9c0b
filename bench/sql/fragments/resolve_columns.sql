-- RESOLVE_COLUMNS of src/api/store/store_resolve.c, the column macros of
-- src/api/store/store_rows.h expanded: the token, its user, the repository,
-- its owner, the permission and the time, which every request reads first.
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
