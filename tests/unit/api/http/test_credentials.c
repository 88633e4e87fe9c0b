#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "credentials.h"
#include "unit.h"

/* header, expected kind, and for CREDENTIALS_TOKEN the token it carries. */
static const struct {
	const char *header;
	enum credentials_kind kind;
	const char *token;
} cases[] = {
	{ NULL, CREDENTIALS_NONE, NULL },
	{ "", CREDENTIALS_NONE, NULL },
	/* "token" and "Bearer", any case, space or tab, padding trimmed. */
	{ "token abc", CREDENTIALS_TOKEN, "abc" },
	{ "Token abc", CREDENTIALS_TOKEN, "abc" },
	{ "TOKEN abc", CREDENTIALS_TOKEN, "abc" },
	{ "token\tabc", CREDENTIALS_TOKEN, "abc" },
	{ "token   abc", CREDENTIALS_TOKEN, "abc" },
	{ "token abc \t ", CREDENTIALS_TOKEN, "abc" },
	{ "Bearer ghp_16C7e42F292c6912E7710c838347Ae178B4a", CREDENTIALS_TOKEN,
	  "ghp_16C7e42F292c6912E7710c838347Ae178B4a" },
	{ "bearer abc", CREDENTIALS_TOKEN, "abc" },
	{ "BEARER abc", CREDENTIALS_TOKEN, "abc" },
	/* Basic: token as password, or as user with an empty password. */
	{ "Basic eC1hY2Nlc3MtdG9rZW46Z2hwX2FiYw==", CREDENTIALS_TOKEN, "ghp_abc" }, /* x-access-token:ghp_abc */
	{ "Basic OmdocF9hYmM=", CREDENTIALS_TOKEN, "ghp_abc" },                    /* :ghp_abc */
	{ "Basic Z2hwX2FiYzo=", CREDENTIALS_TOKEN, "ghp_abc" },                    /* ghp_abc: */
	{ "basic Z2hwX2FiYzo=", CREDENTIALS_TOKEN, "ghp_abc" },
	{ "Basic Z2hwX2FiYzp4LW9hdXRoLWJhc2lj", CREDENTIALS_TOKEN, "ghp_abc" },                 /* ghp_abc:x-oauth-basic */
	{ "BASIC\tZ2hwX2FiYzo=", CREDENTIALS_TOKEN, "ghp_abc" },
	{ "Basic dTp0b2sJ", CREDENTIALS_TOKEN, "tok" },                            /* u:tok<TAB> */
	/* Empty tokens. */
	{ "token", CREDENTIALS_MALFORMED, NULL },
	{ "token ", CREDENTIALS_MALFORMED, NULL },
	{ "token \t ", CREDENTIALS_MALFORMED, NULL },
	{ "Bearer", CREDENTIALS_MALFORMED, NULL },
	{ "Bearer  ", CREDENTIALS_MALFORMED, NULL },
	{ "Basic Og==", CREDENTIALS_MALFORMED, NULL },                             /* : */
	/* The scheme must be followed by white space. */
	{ "tokenabc", CREDENTIALS_MALFORMED, NULL },
	{ "Bearerabc", CREDENTIALS_MALFORMED, NULL },
	{ "token:abc", CREDENTIALS_MALFORMED, NULL },
	/* Unknown schemes and bare tokens. */
	{ "Digest username=\"a\"", CREDENTIALS_MALFORMED, NULL },
	{ "ghp_abc", CREDENTIALS_MALFORMED, NULL },
	{ "tok abc", CREDENTIALS_MALFORMED, NULL },
	/* Malformed Basic. */
	{ "Basic", CREDENTIALS_MALFORMED, NULL },
	{ "Basic ", CREDENTIALS_MALFORMED, NULL },
	{ "Basic Z2hwX2FiYw==", CREDENTIALS_MALFORMED, NULL },                     /* no colon */
	{ "Basic YQBiOmM=", CREDENTIALS_MALFORMED, NULL },                         /* a<NUL>b:c */
	{ "Basic !!!!", CREDENTIALS_MALFORMED, NULL },
	{ "Basic Z2hwX", CREDENTIALS_MALFORMED, NULL },                            /* length 5 */
	{ "Basic Z2hwX2FiYzo", CREDENTIALS_MALFORMED, NULL },                      /* unpadded */
	{ "Basic ====", CREDENTIALS_MALFORMED, NULL },
	{ "Basic Z2hw", CREDENTIALS_MALFORMED, NULL },                             /* ghp */
};

START_TEST(test_parse)
{
	char hash[65];
	char want[65];
	enum credentials_kind kind;

	memset(hash, 0, sizeof(hash));
	kind = credentials_parse(cases[_i].header, hash);
	ck_assert_msg(kind == cases[_i].kind, "credentials_parse(\"%s\") = %d, expected %d",
	    cases[_i].header ? cases[_i].header : "(null)", kind, cases[_i].kind);
	if (cases[_i].token) {
		sha256_hex(cases[_i].token, strlen(cases[_i].token), want);
		ck_assert_str_eq(hash, want);
	}
}
END_TEST

START_TEST(test_hash_is_sha256)
{
	char hash[65];

	/* Pinned, so that a change of hash is caught even if sha256_hex changes. */
	ck_assert_int_eq(credentials_parse("token abc", hash), CREDENTIALS_TOKEN);
	ck_assert_str_eq(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_uint_eq(strlen(hash), 64);
}
END_TEST

/* "token " or "Basic " followed by a token of n bytes ('a' repeated). */
static char *
header_with_token(const char *scheme, size_t n)
{
	char *token = malloc(n + 3);
	char *header;

	ck_assert_ptr_nonnull(token);
	if (strcmp(scheme, "Basic") == 0) {
		/* user "u", the token as password */
		size_t plain = n + 2;
		size_t b64 = 4 * ((plain + 2) / 3);

		memcpy(token, "u:", 2);
		memset(token + 2, 'a', n);
		header = malloc(strlen(scheme) + 1 + b64 + 1);
		ck_assert_ptr_nonnull(header);
		strcpy(header, "Basic ");
		EVP_EncodeBlock((unsigned char *)header + 6, (unsigned char *)token, (int)plain);
	} else {
		memset(token, 'a', n);
		token[n] = '\0';
		header = malloc(strlen(scheme) + 1 + n + 1);
		ck_assert_ptr_nonnull(header);
		strcpy(header, scheme);
		strcat(header, " ");
		strcat(header, token);
	}
	free(token);
	return header;
}

START_TEST(test_token_length_limit)
{
	static const char *const schemes[] = { "token", "Bearer", "Basic" };
	char hash[65];
	char want[65];
	char *longest = malloc(1024);

	ck_assert_ptr_nonnull(longest);
	memset(longest, 'a', 1024);
	sha256_hex(longest, 1024, want);
	for (size_t i = 0; i < ARRAY_SIZE(schemes); i++) {
		char *ok = header_with_token(schemes[i], 1024);
		char *over = header_with_token(schemes[i], 1025);
		char *far = header_with_token(schemes[i], 5000);

		ck_assert_msg(credentials_parse(ok, hash) == CREDENTIALS_TOKEN,
		    "%s: a 1024-byte token was refused", schemes[i]);
		ck_assert_str_eq(hash, want);
		ck_assert_msg(credentials_parse(over, hash) == CREDENTIALS_MALFORMED,
		    "%s: a 1025-byte token was accepted", schemes[i]);
		ck_assert_msg(credentials_parse(far, hash) == CREDENTIALS_MALFORMED,
		    "%s: a 5000-byte token was accepted", schemes[i]);
		free(far);
		free(over);
		free(ok);
	}
	free(longest);
}
END_TEST

Suite *
credentials_suite(void)
{
	return unit_suite("credentials", test_parse, (int)ARRAY_SIZE(cases), (const TTest *const[]){
		test_hash_is_sha256, test_token_length_limit, NULL });
}
