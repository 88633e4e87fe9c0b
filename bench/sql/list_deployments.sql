-- GET /repos/{owner}/{repo}/deployments?per_page=30 (page 1):
-- resolve (src/api/store/store_resolve.c, plain: no id sequence, no
-- deployment), then the unfiltered list statement of
-- src/api/store/store_deployments.c (deployment_list_0): the total, from
-- the counts that sql/0007 keeps in deployment_totals, and the page, read
-- from its end nearer to the offset, in one statement.
--
-- A parameter the worker binds to NULL and pgbench cannot: the list's $2
-- (no last_id hint on page 1), written as a NULL literal marked NULL/*$2*/
-- (see normalize.pl). $3 is per_page (30), $4 the offset (0), each pinned
-- to its number wherever the statement reads it.
{{resolve repo=list_repo}}
WITH c AS (SELECT COALESCE(sum(n), 0)::bigint AS total FROM deployment_totals
            WHERE repository_id = :list_repo_id AND environment = '')
SELECT c.total, p.* FROM c LEFT JOIN LATERAL (
  ({{list_rows}}
    WHERE d.id = ANY(ARRAY(SELECT id FROM deployments
                            WHERE repository_id = :list_repo_id
                              AND id < COALESCE(NULL/*$2*/::bigint, 9223372036854775807)
                              AND :page_offset/*$4*/::bigint * 2 <= c.total
                            ORDER BY id DESC LIMIT :per_page/*$3*/ OFFSET :page_offset/*$4*/)))
  UNION ALL
  ({{list_rows}}
    WHERE d.id = ANY(ARRAY(SELECT id FROM deployments
                            WHERE repository_id = :list_repo_id
                              AND :page_offset/*$4*/::bigint * 2 > c.total
                            ORDER BY id
                            LIMIT greatest(least(:per_page/*$3*/::bigint, c.total - :page_offset/*$4*/::bigint), 0)
                            OFFSET greatest(c.total - :page_offset/*$4*/::bigint - :per_page/*$3*/::bigint, 0))))
) p ON true ORDER BY 2 DESC;
