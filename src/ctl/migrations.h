/* The schema migrations compiled into deployctl (see sql/README.md). */
#ifndef DEPLOY_MIGRATIONS_H
#define DEPLOY_MIGRATIONS_H

#include <stddef.h>

struct migration {
	const char *name;  /* "0001_foundation" */
	const char *sql;
};

extern const struct migration migrations[];
extern const size_t migrations_count;

#endif
