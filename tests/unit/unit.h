/*
 * The unit-test program: one libcheck suite per pure module of src/, all
 * run by check_unit.c. Nothing here needs a database or the network.
 */
#ifndef DEPLOY_UNIT_H
#define DEPLOY_UNIT_H

#include <stdbool.h>

#include <check.h>

#include "suite.h"

/* Fails the test unless s matches the extended regular expression. */
void assert_matches(const char *s, const char *pattern);

/* A suite of one test case, "core": table_test once per row of its table
 * (_i from 0 to rows - 1) when it is not NULL, then tests (NULL-terminated). */
Suite *unit_suite(const char *name, const TTest *table_test, int rows, const TTest *const *tests);

Suite *buf_suite(void);
Suite *util_suite(void);
Suite *log_suite(void);
Suite *prom_suite(void);
Suite *request_suite(void);
Suite *router_suite(void);
Suite *credentials_suite(void);
Suite *access_suite(void);
Suite *ratelimit_suite(void);
Suite *media_suite(void);
Suite *render_suite(void);
Suite *dispatch_event_suite(void);
Suite *api_config_suite(void);
Suite *gql_lexer_suite(void);
Suite *gql_parser_suite(void);
Suite *gql_validate_suite(void);
Suite *graphql_ids_suite(void);

#endif
