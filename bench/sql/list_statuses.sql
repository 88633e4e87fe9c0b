-- GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses (page 1,
-- per_page 30): resolve_deployment (src/api/store/store_resolve.c) with the
-- deployment id from the path, then status_list
-- (src/api/store/store_statuses.c): the total, from the counts of
-- status_totals, and the page (fragments/list_page.sql). :list_status_dep is
-- a deployment of the status repository with 40 statuses.
{{resolve_deployment repo=status_repo dep=list_status_dep}}
{{list_page total="SELECT COALESCE((SELECT n FROM status_totals WHERE deployment_id = :list_status_dep), 0) AS total" rows=status_rows alias=s table=deployment_statuses key=deployment_id owner=:list_status_dep}};
