-- "resolve_deployment" of src/api/store/store_resolve.c: resolve that also
-- reads the deployment of the path (STORE_DEPLOYMENT_COLUMNS("dep", "dc")),
-- whose id is the pgbench variable @dep@.
{{resolve_columns}},
       dep.id, dep.sha, dep.ref, dep.task, dep.payload,
       dep.original_environment, dep.environment, dep.description,
       dep.transient_environment, dep.production_environment,
       dep.latest_state, extract(epoch FROM dep.created_at)::bigint,
       extract(epoch FROM dep.updated_at)::bigint,
       dc.id, dc.login, dc.site_admin, dc.name, dc.email,
       extract(epoch FROM dc.created_at)::bigint, extract(epoch FROM dc.updated_at)::bigint
{{resolve_joins repo=@repo@}}
  LEFT JOIN (deployments dep JOIN users dc ON dc.id = dep.creator_id)
         ON dep.id = :@dep@::bigint AND dep.repository_id = r.id;
