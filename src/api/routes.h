/* The API's route table: every path, its handler and what it needs. */
#ifndef DEPLOY_ROUTES_H
#define DEPLOY_ROUTES_H

#include <stddef.h>

#include "router.h"

extern const struct route routes[];
extern const size_t routes_count;

#endif
