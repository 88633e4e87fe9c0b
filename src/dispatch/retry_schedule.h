/*
 * What happens after an attempt: delivered (any 2xx), another attempt
 * later, or failed for good (still redeliverable through the API). The
 * delay before attempt n + 1 is the schedule's entry n (the last entry
 * repeats) with +-20% jitter, so that a receiver coming back is not hit by
 * every delivery it missed in the same second; a 429 or 503 with
 * Retry-After gets that delay instead, up to a bound. No I/O here.
 */
#ifndef DEPLOY_DISPATCH_RETRY_H
#define DEPLOY_DISPATCH_RETRY_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum dispatch_outcome {
	DISPATCH_DELIVERED,
	DISPATCH_RETRY,
	DISPATCH_FAILED,
};

struct dispatch_retry {
	const int64_t *delays_ms;   /* borrowed from the config */
	size_t ndelays;
	int64_t max_attempts;
	int64_t retry_after_max_ms;
	uint64_t rng;               /* xorshift state, never 0 */
};

/* delays_ms must outlive r; seed 0 takes one from the kernel. */
void dispatch_retry_init(struct dispatch_retry *r, const int64_t *delays_ms, size_t ndelays,
    int64_t max_attempts, int64_t retry_after_max_ms, uint64_t seed);

/* attempts counts this one. status is the HTTP status, 0 when there was no
 * response; retry_after_ms is the parsed Retry-After or -1. *delay_ms is
 * set for DISPATCH_RETRY. */
enum dispatch_outcome dispatch_retry_decide(struct dispatch_retry *r, int64_t attempts, long status,
    int64_t retry_after_ms, int64_t *delay_ms);

/* A Retry-After value (delta seconds or an HTTP date) as milliseconds from
 * now_epoch; -1 when it is malformed. A date in the past is 0. */
int64_t dispatch_retry_after_parse(const char *value, int64_t now_epoch);

const char *dispatch_outcome_name(enum dispatch_outcome o);

#endif
