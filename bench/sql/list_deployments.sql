-- GET /repos/{owner}/{repo}/deployments?per_page=30 (page 1):
-- resolve (src/api/store/store_resolve.c, plain: no deployment), then the
-- unfiltered list statement of src/api/store/store_deployments.c
-- (deployment_list_0): the total, from the counts that sql/0007 keeps in
-- deployment_totals, and the page (fragments/list_page.sql).
{{resolve repo=list_repo}}
{{list_page total="SELECT COALESCE(sum(n), 0)::bigint AS total FROM deployment_totals WHERE repository_id = :list_repo_id AND environment = ''" rows=list_rows alias=d table=deployments key=repository_id owner=:list_repo_id}};
