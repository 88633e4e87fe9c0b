#include "config.h"

#include "gql_ast.h"

#include <stdlib.h>

const char *
gql_response_key(const struct gql_selection *field)
{
	return field->alias ? field->alias : field->name;
}

void
gql_document_free(struct gql_document *doc)
{
	struct gql_arena arena;

	if (doc == NULL)
		return;
	/* The document is in its own arena: copy the arena out first. */
	arena = doc->arena;
	gql_arena_release(&arena);
}
