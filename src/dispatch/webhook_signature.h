/*
 * Webhook signatures: the hex HMAC of the exact bytes sent, keyed with the
 * hook's secret, as GitHub puts them in X-Hub-Signature-256 ("sha256=...")
 * and X-Hub-Signature ("sha1=..."). Receivers recompute the HMAC over the
 * raw body they read, so the signature must cover the body byte for byte
 * (the urlencoded form body for content type form, never the JSON inside).
 */
#ifndef DEPLOY_SIGN_H
#define DEPLOY_SIGN_H

#include <stddef.h>

#include "util.h"

/* "sha256=" + 64 hex digits + NUL. */
#define SIGN_SHA256_LEN (7 + 64 + 1)
/* "sha1=" + 40 hex digits + NUL. */
#define SIGN_SHA1_LEN (5 + 40 + 1)

/* The X-Hub-Signature-256 value for data under key into out
 * (SIGN_SHA256_LEN bytes); -1 only if the crypto library fails. */
int sign_sha256(const void *key, size_t key_len, const void *data, size_t len, char *out) MUST_CHECK;

/* The X-Hub-Signature (legacy SHA-1) value into out (SIGN_SHA1_LEN bytes). */
int sign_sha1(const void *key, size_t key_len, const void *data, size_t len, char *out) MUST_CHECK;

#endif
