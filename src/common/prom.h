/*
 * Prometheus' text exposition format (version 0.0.4), written into a buf:
 * each family's "# HELP" and "# TYPE" lines, then its samples, one a line.
 * Metric and label names are the caller's constants; label values are
 * escaped as the format requires (backslash, double quote, newline).
 *
 * Request and attempt durations share one histogram shape: counts per
 * bucket in atomics, so that processes sharing the memory (deploy-api's
 * workers) observe with two relaxed increments and a reader sums them up
 * into the cumulative buckets the format wants.
 */
#ifndef DEPLOY_PROM_H
#define DEPLOY_PROM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The text format's media type, for Content-Type. */
#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct prom_label {
	const char *name;
	const char *value;
};

/* "# HELP name help" and "# TYPE name type" (counter, gauge, histogram). */
void prom_family(struct buf *out, const char *name, const char *type, const char *help);

/* One sample line: name{labels} value. */
void prom_sample_uint(struct buf *out, const char *name, const struct prom_label *labels,
    size_t nlabels, uint64_t value);
void prom_sample_double(struct buf *out, const char *name, const struct prom_label *labels,
    size_t nlabels, double value);

/* Upper bounds in seconds: 1 ms to 30 s, then +Inf. */
#define PROM_DURATION_BUCKETS 14

struct prom_duration_histogram {
	/* Observations per bucket, not cumulative; the last is over every
	 * bound (+Inf only). */
	_Atomic uint64_t counts[PROM_DURATION_BUCKETS + 1];
	_Atomic uint64_t sum_ns;
};

void prom_duration_observe(struct prom_duration_histogram *h, int64_t ns);

/* name_bucket{labels,le="..."} cumulative up to +Inf, name_sum in seconds,
 * name_count (the +Inf bucket's value). */
void prom_duration_write(struct buf *out, const char *name, const struct prom_label *labels,
    size_t nlabels, const struct prom_duration_histogram *h);

#endif
