#include "config.h"

#include "service_notify.h"

#ifdef HAVE_SYSTEMD

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "util.h"

static void
notify(const char *state)
{
	int rc = sd_notify(0, state);

	/* 0 is "no service manager listens": nothing to say. */
	if (rc < 0)
		log_warn("cannot notify the service manager (%s): %s", state, strerror(-rc));
}

void
service_notify_ready(void)
{
	notify("READY=1");
}

void
service_notify_reloading(void)
{
	char state[64];

	/* systemd 253+ (Type=notify-reload) matches the reload to the request
	 * by this clock; older versions ignore the field. */
	snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%" PRId64, monotonic_ns() / 1000);
	notify(state);
}

void
service_notify_stopping(void)
{
	notify("STOPPING=1");
}

#else

void
service_notify_ready(void)
{
}

void
service_notify_reloading(void)
{
}

void
service_notify_stopping(void)
{
}

#endif
