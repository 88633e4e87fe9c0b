/*
 * Logging to stderr, one logfmt line per event (key=value, values quoted
 * and escaped when needed) so that a log shipper can parse every line.
 */
#ifndef DEPLOY_LOG_H
#define DEPLOY_LOG_H

#include "buf.h"

/* Names the process in every line ("master", "worker", "dispatch", ...). */
void log_set_role(const char *role);

void log_info(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Appends key=value to b, quoting and escaping value when it needs it. */
void log_put_field(struct buf *b, const char *key, const char *value);
/* Writes a prepared line (level and fields already in b) with one write(2). */
void log_write_line(struct buf *b);
/* Starts a line with ts, level, role and pid. */
void log_begin_line(struct buf *b, const char *level);

#endif
