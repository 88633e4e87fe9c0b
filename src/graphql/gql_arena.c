#include "config.h"

#include "gql_arena.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Blocks grow with the document, so a large one costs few mallocs and a
 * small one (every query real clients send) costs one. */
#define GQL_ARENA_FIRST_BLOCK 4096

struct gql_arena_block {
	struct gql_arena_block *next;
	size_t size;                     /* bytes of data */
	alignas(max_align_t) unsigned char data[];
};

static size_t
round_up(size_t n)
{
	size_t a = alignof(max_align_t);

	return (n + a - 1) / a * a;
}

void *
gql_arena_alloc(struct gql_arena *arena, size_t size)
{
	struct gql_arena_block *b = arena->blocks;
	void *p;

	size = round_up(size > 0 ? size : 1);
	if (b == NULL || b->size - arena->used < size) {
		size_t want = b ? b->size * 2 : GQL_ARENA_FIRST_BLOCK;

		if (want < size)
			want = size;
		b = xmalloc(sizeof(*b) + want);
		b->size = want;
		b->next = arena->blocks;
		arena->blocks = b;
		arena->used = 0;
	}
	p = b->data + arena->used;
	arena->used += size;
	memset(p, 0, size);
	return p;
}

char *
gql_arena_strndup(struct gql_arena *arena, const char *s, size_t len)
{
	char *copy = gql_arena_alloc(arena, len + 1);

	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

void
gql_arena_release(struct gql_arena *arena)
{
	struct gql_arena_block *b = arena->blocks;

	while (b) {
		struct gql_arena_block *next = b->next;

		free(b);
		b = next;
	}
	arena->blocks = NULL;
	arena->used = 0;
}
