#include "config.h"

#include "suite.h"

#include <stdarg.h>

TCase *
tcase_with_table(const char *name, const TTest *table_test, int rows, const TTest *const *tests)
{
	TCase *tc = tcase_create(name);

	if (table_test != NULL)
		tcase_add_loop_test(tc, table_test, 0, rows);
	for (size_t i = 0; tests[i] != NULL; i++)
		tcase_add_test(tc, tests[i]);
	return tc;
}

TCase *
tcase_of(const char *name, double timeout, const TTest *const *tests)
{
	TCase *tc = tcase_with_table(name, NULL, 0, tests);

	/* 0 would mean no timeout at all to libcheck, not its default. */
	if (timeout > 0)
		tcase_set_timeout(tc, timeout);
	return tc;
}

Suite *
suite_of(const char *name, ...)
{
	Suite *s = suite_create(name);
	va_list ap;
	TCase *tc;

	va_start(ap, name);
	while ((tc = va_arg(ap, TCase *)) != NULL)
		suite_add_tcase(s, tc);
	va_end(ap);
	return s;
}

int
suite_failures(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}
