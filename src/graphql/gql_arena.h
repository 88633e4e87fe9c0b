/*
 * A region allocator: a parsed document's nodes and strings are allocated
 * from one arena and released together, so the parser needs no free on any
 * path and a document is freed with one call. Allocation aborts when
 * memory is exhausted, as xmalloc() does.
 */
#ifndef DEPLOY_GQL_ARENA_H
#define DEPLOY_GQL_ARENA_H

#include <stddef.h>

struct gql_arena_block;

struct gql_arena {
	struct gql_arena_block *blocks;  /* the newest first */
	size_t used;                     /* bytes taken of the newest block */
};

#define GQL_ARENA_INIT { NULL, 0 }

/* size bytes, zeroed, aligned for any object; valid until the arena is
 * released. */
void *gql_arena_alloc(struct gql_arena *arena, size_t size);

/* A NUL-terminated copy of the len bytes at s. */
char *gql_arena_strndup(struct gql_arena *arena, const char *s, size_t len);

/* Frees every allocation; the arena is empty and usable again. */
void gql_arena_release(struct gql_arena *arena);

#endif
