/*
 * Reading the token out of an Authorization header, as GitHub accepts it:
 * "token T", "Bearer T", or Basic with the token as password (or as user
 * when the password is empty). Only the token's SHA-256 ever reaches the
 * database, so secrets are compared by index lookup, never by strcmp.
 */
#ifndef DEPLOY_CREDENTIALS_H
#define DEPLOY_CREDENTIALS_H

#include "buf.h"

enum credentials_kind {
	CREDENTIALS_NONE,       /* no header: anonymous */
	CREDENTIALS_TOKEN,      /* token_hash filled */
	CREDENTIALS_MALFORMED,  /* a header we cannot read: 401 */
};

/* token_hash: at least 65 bytes for the hex SHA-256. */
enum credentials_kind credentials_parse(const char *authorization, char *token_hash);

#endif
