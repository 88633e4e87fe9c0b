/*
 * Small helpers every module uses: allocation that aborts on exhaustion (the
 * master replaces a worker that dies, so callers never check for NULL),
 * checked integer parsing, UTC time formatting and hashing.
 */
#ifndef DEPLOY_UTIL_H
#define DEPLOY_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MUST_CHECK __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Parses a whole decimal string into *out; -1 on empty input, trailing
 * garbage, or a value outside [min, max]. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out) MUST_CHECK;

/* v in decimal at out, without a NUL; returns the length (at most 20). */
#define INT64_DECIMAL_MAX 20
size_t format_int64(int64_t v, char out[INT64_DECIMAL_MAX]);

/* The last width decimal digits of v at out, zero-padded, without a NUL. */
void format_decimal_padded(unsigned v, int width, char *out);

/* v in hexadecimal at out, at least min_width digits (zero-padded, at most
 * 16), without a NUL; returns the length. */
size_t format_hex(uint64_t v, size_t min_width, bool upper, char out[16]);

/* getpid(), without a system call per use: cached, and renewed in the
 * child of every fork. */
int process_id(void);

/* "2026-11-21T06:01:00Z" into out (at least ISO8601_LEN + 1 bytes). */
#define ISO8601_LEN 20
void format_iso8601(int64_t epoch_seconds, char *out);

/* Lower-case hex SHA-256 of data into out (at least 65 bytes). */
void sha256_hex(const void *data, size_t len, char *out);

/* A fast 128-bit hash of data into out (not cryptographic: for ETags,
 * where a body of tens of kilobytes must not cost a SHA-256). */
void hash128(const void *data, size_t len, uint64_t out[2]);

/* Fills buf with len bytes from the kernel's CSPRNG; -1 on failure. */
int random_bytes(void *buf, size_t len) MUST_CHECK;

/* Monotonic clock in nanoseconds. */
int64_t monotonic_ns(void);

/* True when s has any byte below 0x20 or 0x7f. */
bool has_control_chars(const char *s);

/* Number of UTF-8 code points in s (continuation bytes are not counted). */
size_t utf8_length(const char *s);

/* The length of the well-formed UTF-8 sequence at s (at most n bytes): 1
 * to 4, or 0 when the bytes there are not one (a stray continuation byte,
 * a truncated, overlong or surrogate sequence, or past U+10FFFF). */
size_t utf8_sequence_length(const unsigned char *s, size_t n);

/* True when the n bytes at s are well-formed UTF-8. Untrusted bytes must
 * pass this before they reach PostgreSQL (which rejects them: a 500) or
 * an error message. */
bool utf8_is_valid(const char *s, size_t n);

#endif
