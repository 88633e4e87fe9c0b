/*
 * The dispatcher's loop, on one thread: fan the outbox out into
 * deliveries, claim due deliveries in batches, send them concurrently
 * (dispatch_http.c), record each attempt and decide what comes next
 * (retry_schedule.c), in batches too. It sleeps in curl's poll, which also
 * watches the LISTEN socket (wake-ups) and a signalfd (stop), with a
 * periodic poll of the database as a safety net.
 *
 * Delivery is at least once: a claim is a lease, and a delivery whose
 * instance died is claimed again when the lease ends, under the same guid.
 */
#ifndef DEPLOY_DISPATCH_H
#define DEPLOY_DISPATCH_H

#include "dispatch_config.h"

/* Runs until SIGTERM or SIGINT; returns the process exit status. Stop:
 * no new claims, requests in flight finish (within --timeout-seconds) and
 * are recorded; whatever is still in flight after that is released. */
int dispatch_run(const struct dispatch_config *cfg);

/* --show-outbox: prints the bodies of those outbox rows on stdout
 * (dispatch_store_show); the process exit status. */
int dispatch_show_outbox(const struct dispatch_config *cfg);

#endif
