#include "config.h"

#include "unit.h"

#include <regex.h>

void
assert_matches(const char *s, const char *pattern)
{
	regex_t re;

	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&re, s, 0, NULL, 0) == 0, "'%s' does not match /%s/", s, pattern);
	regfree(&re);
}

Suite *
unit_suite(const char *name, const TTest *table_test, int rows, const TTest *const *tests)
{
	return suite_of(name, tcase_with_table("core", table_test, rows, tests), NULL);
}
