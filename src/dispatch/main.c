/*
 * deploy-dispatch: delivers webhooks. Parses the settings and runs the
 * dispatcher loop (dispatch.c) until SIGTERM. Any number of instances, on
 * any number of hosts, may run against one database.
 */
#include "config.h"

#include "dispatcher.h"
#include "dispatch_config.h"
#include "log.h"

int
main(int argc, char **argv)
{
	struct dispatch_config cfg;
	int rc = dispatch_config_parse(&cfg, argc, argv);

	if (rc != 0)
		return rc > 0 ? 0 : 2;
	log_set_role("dispatch");
	rc = *cfg.show_outbox ? dispatch_show_outbox(&cfg) : dispatch_run(&cfg);
	dispatch_config_release(&cfg);
	return rc;
}
