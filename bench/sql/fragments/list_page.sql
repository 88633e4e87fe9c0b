-- The page of a list as src/api/store/store_deployments.c and
-- store_statuses.c build it: the total (@total@, one row, one column named
-- total) and the page, read from its end nearer to the offset, in one
-- statement. @rows@ is the fragment of the rows' columns and joins (the
-- table aliased @alias@), @table@ and @key@ = @owner@ the list's rows. The
-- worker's $2 is the last_id hint (NULL on page 1, which pgbench cannot
-- bind), $3 per_page, $4 the offset.
WITH c AS (@total@)
SELECT c.total, p.* FROM c LEFT JOIN LATERAL (
  ({{@rows@}}
    WHERE @alias@.id = ANY(ARRAY(SELECT id FROM @table@
                            WHERE @key@ = @owner@
                              AND id < COALESCE(NULL/*$2*/::bigint, 9223372036854775807)
                              AND :page_offset/*$4*/::bigint * 2 <= c.total
                            ORDER BY id DESC LIMIT :per_page/*$3*/ OFFSET :page_offset/*$4*/)))
  UNION ALL
  ({{@rows@}}
    WHERE @alias@.id = ANY(ARRAY(SELECT id FROM @table@
                            WHERE @key@ = @owner@
                              AND :page_offset/*$4*/::bigint * 2 > c.total
                            ORDER BY id
                            LIMIT greatest(least(:per_page/*$3*/::bigint, c.total - :page_offset/*$4*/::bigint), 0)
                            OFFSET greatest(c.total - :page_offset/*$4*/::bigint - :per_page/*$3*/::bigint, 0))))
) p ON true ORDER BY 2 DESC
