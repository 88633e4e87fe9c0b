/*
 * The wake-up connection: a second PostgreSQL session that LISTENs on
 * deploy_dispatch, where the outbox and deliveries triggers notify. The
 * dispatcher polls its socket beside the HTTP transfers. Notifications are
 * only hints (a lost one costs a poll interval): after every reconnection
 * the caller is told to look for work, since some may have been missed.
 */
#ifndef DEPLOY_DISPATCH_LISTEN_H
#define DEPLOY_DISPATCH_LISTEN_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct dispatch_listen {
	struct db db;
	unsigned listening_generation; /* db.generation that ran LISTEN */
	int ignore_pid;                /* notifications from this backend are ours */
};

void dispatch_listen_init(struct dispatch_listen *l, const char *conninfo, int64_t connect_timeout_s);
void dispatch_listen_release(struct dispatch_listen *l);

/* Connects and LISTENs if needed (at most one attempt a second). True when
 * it just started listening: work may have been announced meanwhile. */
bool dispatch_listen_ensure(struct dispatch_listen *l);

/* The socket to poll, -1 while disconnected. */
int dispatch_listen_fd(const struct dispatch_listen *l);

/* Reads what arrived on the socket; true when another session notified.
 * A broken connection is dropped here (and reopened by _ensure). */
bool dispatch_listen_consume(struct dispatch_listen *l);

#endif
