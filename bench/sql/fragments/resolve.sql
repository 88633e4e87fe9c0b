-- The "resolve" statement of src/api/store/store_resolve.c, in its plain
-- shape: no id to allocate, no deployment in the path.
{{resolve_columns}}
{{resolve_joins repo=@repo@}};
