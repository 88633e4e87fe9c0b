/*
 * What every test program of tests/ does with libcheck around its tests:
 * test cases and suites built from lists of tests, and a suite run to a
 * count of failures. Linked by the unit and the integration programs.
 */
#ifndef DEPLOY_TEST_SUITE_H
#define DEPLOY_TEST_SUITE_H

#include <check.h>

/* A test case of tests (NULL-terminated), run in that order. timeout:
 * seconds a test may take, or 0 for libcheck's default. */
TCase *tcase_of(const char *name, double timeout, const TTest *const *tests);

/* The same, with table_test first, once per row of its table (_i from 0
 * to rows - 1). */
TCase *tcase_with_table(const char *name, const TTest *table_test, int rows,
    const TTest *const *tests);

/* A suite of the test cases given after name, up to a NULL. */
Suite *suite_of(const char *name, ...);

/* Runs s (libcheck's normal output) and frees it; returns how many of its
 * tests failed. */
int suite_failures(Suite *s);

#endif
