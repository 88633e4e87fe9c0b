-- The rows of a statuses list page (src/api/store/store_statuses.c: the
-- status and its creator), whose WHERE follows.
SELECT s.id, s.deployment_id, s.state, s.description, s.environment, s.target_url,
          s.log_url, s.environment_url,
          extract(epoch FROM s.created_at)::bigint, extract(epoch FROM s.updated_at)::bigint,
          u.id, u.login, u.site_admin, u.name, u.email,
          extract(epoch FROM u.created_at)::bigint, extract(epoch FROM u.updated_at)::bigint
     FROM deployment_statuses s JOIN users u ON u.id = s.creator_id
