#include "config.h"

#include "webhook_signature.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

/* prefix + lower-case hex of the HMAC into out. */
static int
sign_hex(const EVP_MD *md, const char *prefix, const void *key, size_t key_len,
    const void *data, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	size_t p = strlen(prefix);

	/* HMAC() takes an int key length; a NULL key with length 0 is an
	 * empty key, which callers never sign with (no secret, no header). */
	if (key_len > (size_t)0x7fffffff ||
	    HMAC(md, key_len ? key : "", (int)key_len, data, len, mac, &mac_len) == NULL)
		return -1;
	memcpy(out, prefix, p);
	for (unsigned int i = 0; i < mac_len; i++) {
		out[p++] = hex[mac[i] >> 4];
		out[p++] = hex[mac[i] & 0xf];
	}
	out[p] = '\0';
	return 0;
}

int
sign_sha256(const void *key, size_t key_len, const void *data, size_t len, char *out)
{
	return sign_hex(EVP_sha256(), "sha256=", key, key_len, data, len, out);
}

int
sign_sha1(const void *key, size_t key_len, const void *data, size_t len, char *out)
{
	return sign_hex(EVP_sha1(), "sha1=", key, key_len, data, len, out);
}
