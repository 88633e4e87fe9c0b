#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "unit.h"

int
main(void)
{
	Suite *(*const suites[])(void) = {
		buf_suite,
		util_suite,
		log_suite,
		prom_suite,
		request_suite,
		router_suite,
		credentials_suite,
		access_suite,
		ratelimit_suite,
		media_suite,
		render_suite,
		dispatch_event_suite,
		api_config_suite,
		gql_lexer_suite,
		gql_parser_suite,
		gql_validate_suite,
		graphql_ids_suite,
	};
	SRunner *sr;
	int failed;

	sr = srunner_create(NULL);
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	/* CK_ENV: CK_VERBOSITY, CK_FORK, CK_RUN_SUITE and CK_RUN_CASE apply. */
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
