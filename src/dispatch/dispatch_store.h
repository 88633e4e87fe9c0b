/*
 * The dispatcher's SQL, one statement per step, each its own transaction
 * but the fan-out's two:
 *
 *   fan-out  outbox rows -> one delivery per subscribed active hook, its
 *            body rendered here (dispatch_event.h), the outbox rows deleted
 *            in the same transaction, in outbox id order, one instance at a
 *            time (transaction advisory lock); a trigger queues each new
 *            delivery in delivery_queue.
 *   claim    due rows of delivery_queue, FOR UPDATE SKIP LOCKED, leased
 *            (next_attempt_at = lease end, claims + 1), skipping any whose
 *            earlier event of the same (hook, deployment) is still queued.
 *   finish   a batch of attempts recorded: delivery_attempts rows, each
 *            delivery delivered or failed (out of the queue) or due again,
 *            failing hooks disabled.
 *   release  leases given back at shutdown.
 *   prune    old delivered and failed deliveries deleted, a batch at a time.
 *   vacuum   delivery_queue and outbox, whose churn would otherwise leave
 *            the claim and the fan-out stepping over dead index entries
 *            until autovacuum comes round; only when the dispatcher's
 *            role owns them (1 when it does not, left to autovacuum).
 *
 * Claim, finish, release and prune commit with synchronous_commit off: a
 * commit lost in a database crash only means a delivery sent again with
 * the same guid. The fan-out commits synchronously: losing it would bring
 * its outbox rows back and deliver them again under new guids.
 */
#ifndef DEPLOY_DISPATCH_STORE_H
#define DEPLOY_DISPATCH_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "db.h"
#include "dispatch_job.h"
#include "util.h"

struct dispatch_fanout_result {
	bool locked;       /* false: another instance was fanning out */
	int64_t moved;     /* outbox rows consumed */
	int64_t created;   /* deliveries inserted */
};

int dispatch_store_fanout(struct db *db, int64_t limit, struct dispatch_fanout_result *out,
    struct db_error *err) MUST_CHECK;

/* The bodies of the outbox rows ids ("{1,2}"), as the fan-out would send
 * them, without taking the rows: "ID<tab>BODY" lines in id order, BODY
 * null for an event that cannot be rendered (--show-outbox). */
int dispatch_store_show(struct db *db, const char *ids, FILE *out, struct db_error *err) MUST_CHECK;

struct dispatch_claim {
	int64_t limit;            /* rows locked at most */
	int64_t lease_seconds;
	int64_t hook_room;        /* requests in flight to one hook at most */
	const int64_t *hooks;     /* hooks with requests in flight here */
	const int64_t *in_flight; /* how many, for each of hooks */
	size_t nhooks;
	const int64_t *excluded;  /* hooks not even scanned (slow and full) */
	size_t nexcluded;
};

/* Claims due deliveries as c says; new jobs are appended to *jobs (an
 * array the caller frees, with the jobs). Returns how many rows the claim
 * locked, which exceeds those claimed when some belonged to hooks without
 * room, or -1. */
int64_t dispatch_store_claim(struct db *db, const struct dispatch_claim *c, struct dispatch_job ***jobs,
    size_t *njobs, struct db_error *err) MUST_CHECK;

/* Records the attempts of jobs (outcome and delay decided), and disables
 * the hooks whose receiver answered 410 or has failed every attempt for
 * longer than disable_after_seconds. */
int dispatch_store_finish(struct db *db, struct dispatch_job *const *jobs, size_t n,
    int64_t disable_after_seconds, struct db_error *err) MUST_CHECK;

/* Gives back the leases of jobs that were not attempted to the end. */
int dispatch_store_release(struct db *db, struct dispatch_job *const *jobs, size_t n,
    struct db_error *err) MUST_CHECK;

/* Deletes up to limit deliveries finished more than retention_days ago,
 * created at or after *watermark (NULL: any time), which it moves forward
 * (a string it allocates); returns how many, or -1. */
int64_t dispatch_store_prune(struct db *db, int64_t retention_days, int64_t limit, char **watermark,
    struct db_error *err) MUST_CHECK;

int dispatch_store_vacuum(struct db *db, struct db_error *err) MUST_CHECK;

/* The claim statement's text ($1 limit, $2 lease seconds, $3 hook ids,
 * $4 their requests in flight, $5 room per hook), for EXPLAIN. */
extern const char dispatch_store_claim_sql[];

/* What waits, for the metrics: deliveries pending in the queue (claimed ones included),
 * outbox events not fanned out yet, and the age of the oldest pending
 * delivery (0 when none). */
struct dispatch_queue_stats {
	int64_t queued;
	int64_t outbox;
	int64_t oldest_queued_ms;
};

int dispatch_store_queue_stats(struct db *db, struct dispatch_queue_stats *out,
    struct db_error *err) MUST_CHECK;

#endif
