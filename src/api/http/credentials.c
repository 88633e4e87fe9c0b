#include "config.h"

#include "credentials.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#define MAX_TOKEN_LEN 1024

static bool
scheme_is(const char *header, const char *scheme, const char **rest)
{
	size_t n = strlen(scheme);

	if (strncasecmp(header, scheme, n) != 0 || (header[n] != ' ' && header[n] != '\t'))
		return false;
	header += n;
	header += strspn(header, " \t");
	*rest = header;
	return true;
}

static enum credentials_kind
hash_token(const char *token, size_t len, char *token_hash)
{
	while (len > 0 && (token[len - 1] == ' ' || token[len - 1] == '\t'))
		len--;
	if (len == 0 || len > MAX_TOKEN_LEN)
		return CREDENTIALS_MALFORMED;
	sha256_hex(token, len, token_hash);
	return CREDENTIALS_TOKEN;
}

/* git and its friends send "TOKEN:x-oauth-basic" (GitHub's convention);
 * others "user:TOKEN". An empty password also means the token is the user. */
static bool
password_is_token(const char *password, size_t len)
{
	static const char placeholder[] = "x-oauth-basic";

	if (len == 0)
		return false;
	return !(len == sizeof(placeholder) - 1 && memcmp(password, placeholder, len) == 0);
}

static enum credentials_kind
parse_basic(const char *b64, char *token_hash)
{
	size_t len = strcspn(b64, " \t");
	unsigned char *decoded;
	int n;
	const char *colon;
	enum credentials_kind kind;

	if (len == 0 || len > 4 * (size_t)MAX_TOKEN_LEN || len % 4 != 0)
		return CREDENTIALS_MALFORMED;
	decoded = xmalloc(len);
	n = EVP_DecodeBlock(decoded, (const unsigned char *)b64, (int)len);
	if (n < 0) {
		free(decoded);
		return CREDENTIALS_MALFORMED;
	}
	/* EVP_DecodeBlock counts padding as zero bytes. */
	if (len >= 1 && b64[len - 1] == '=')
		n--;
	if (len >= 2 && b64[len - 2] == '=')
		n--;
	decoded[n] = '\0';
	colon = memchr(decoded, ':', (size_t)n);
	if (colon == NULL || memchr(decoded, '\0', (size_t)n) != NULL)
		kind = CREDENTIALS_MALFORMED;
	else if (password_is_token(colon + 1, (size_t)((const char *)decoded + n - (colon + 1))))
		kind = hash_token(colon + 1, (size_t)((const char *)decoded + n - (colon + 1)), token_hash);
	else
		kind = hash_token((const char *)decoded, (size_t)(colon - (const char *)decoded), token_hash);
	OPENSSL_cleanse(decoded, len);
	free(decoded);
	return kind;
}

enum credentials_kind
credentials_parse(const char *authorization, char *token_hash)
{
	const char *rest;

	if (authorization == NULL || *authorization == '\0')
		return CREDENTIALS_NONE;
	if (scheme_is(authorization, "token", &rest) || scheme_is(authorization, "bearer", &rest))
		return hash_token(rest, strlen(rest), token_hash);
	if (scheme_is(authorization, "basic", &rest))
		return parse_basic(rest, token_hash);
	return CREDENTIALS_MALFORMED;
}
