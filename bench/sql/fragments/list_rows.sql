-- The rows of a deployments list page (STORE_DEPLOYMENT_COLUMNS("d", "u") of
-- src/api/store/store_deployments.c, the deployment and its creator), whose
-- WHERE follows.
SELECT d.id, d.sha, d.ref, d.task, d.payload, d.original_environment, d.environment,
          d.description, d.transient_environment, d.production_environment, d.latest_state,
          extract(epoch FROM d.created_at)::bigint, extract(epoch FROM d.updated_at)::bigint,
          u.id, u.login, u.site_admin, u.name, u.email,
          extract(epoch FROM u.created_at)::bigint, extract(epoch FROM u.updated_at)::bigint
     FROM deployments d JOIN users u ON u.id = d.creator_id
