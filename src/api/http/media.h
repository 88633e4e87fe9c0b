/*
 * GitHub's media types and API versions. Every JSON flavour GitHub ever
 * documented for these endpoints is accepted (v3, the bare vnd.github+json,
 * the old previews); the X-GitHub-Media-Type header says what was served.
 */
#ifndef DEPLOY_MEDIA_H
#define DEPLOY_MEDIA_H

#include <stdbool.h>

#include "buf.h"

/* Appends the X-GitHub-Media-Type value for an Accept header (NULL ok),
 * e.g. "github.v3; format=json" or "github.ant-man-preview; format=json". */
void media_type_served(const char *accept, struct buf *out);

/* True for an absent header or a version this server implements. */
bool media_api_version_supported(const char *version);

/* The version reported in X-GitHub-Api-Version-Selected. */
const char *media_api_version_selected(const char *version);

#endif
