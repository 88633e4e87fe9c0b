-- "resolve_new_id" of src/api/store/store_resolve.c: resolve that also
-- allocates the id of the row a create inserts, from the sequence in :id_seq.
{{resolve_columns}}, nextval(:id_seq/*$4*/::regclass)
{{resolve_joins repo=@repo@}};
