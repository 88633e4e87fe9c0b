#include "config.h"

#include <string.h>

#include "graphql_ids.h"
#include "unit.h"

/* graphql.md sections 5 and 6: GitHub's examples, byte for byte. */
START_TEST(test_cursors)
{
	struct graphql_key k = { .set = true, .created_at = 1726777098, .id = 42 };
	struct graphql_key back;
	struct buf b = BUF_INIT;

	graphql_cursor_write(&b, &k);
	ck_assert_str_eq(buf_cstr(&b), "Y3Vyc29yOnYyOpK5MjAyNC0wOS0xOVQyMDoxODoxOCswMDowMCo=");
	ck_assert_int_eq(graphql_cursor_parse(b.data, b.len, true, &back), 0);
	ck_assert(back.set && back.created_at == k.created_at && back.id == 42);
	/* Not a status cursor. */
	ck_assert_int_eq(graphql_cursor_parse(b.data, b.len, false, &back), -1);
	buf_reset(&b);
	graphql_cursor_write(&b, &(struct graphql_key){ .set = true, .id = 7 });
	ck_assert_str_eq(buf_cstr(&b), "Y3Vyc29yOnYyOpEH");
	ck_assert_int_eq(graphql_cursor_parse(b.data, b.len, false, &back), 0);
	ck_assert_int_eq(back.id, 7);
	buf_reset(&b);
	graphql_cursor_write(&b, &(struct graphql_key){ .set = true, .id = 394578833 });
	ck_assert_int_eq(graphql_cursor_parse(b.data, b.len, false, &back), 0);
	ck_assert_int_eq(back.id, 394578833);
	/* GitHub's own cursor: an offset of +01:00 is not one of ours. */
	ck_assert_int_eq(graphql_cursor_parse("Y3Vyc29yOnYyOpK5MjAyMC0wMy0yN1QwNzozOToyMCswMTowMM4XhMuR",
	    56, true, &back), -1);
	ck_assert_int_eq(graphql_cursor_parse("abc", 3, true, &back), -1);
	ck_assert_int_eq(graphql_cursor_parse("", 0, false, &back), -1);
	ck_assert_int_eq(graphql_cursor_parse("Y3Vyc29yOnYyOpEA", 16, false, &back), -1);
	buf_release(&b);
}
END_TEST

START_TEST(test_ids)
{
	char type[GRAPHQL_TYPE_NAME_MAX];
	int64_t key;

	ck_assert_int_eq(graphql_id_parse("MDEwOkRlcGxveW1lbnQ0Mg==", 24, type, &key), 0);
	ck_assert_str_eq(type, "Deployment");
	ck_assert_int_eq(key, 42);
	/* Padding is optional. */
	ck_assert_int_eq(graphql_id_parse("MDQ6VXNlcjE", 11, type, &key), 0);
	ck_assert_str_eq(type, "User");
	ck_assert_int_eq(key, 1);
	ck_assert_int_eq(graphql_id_parse("MDE2OkRlcGxveW1lbnRTdGF0dXMx", 28, type, &key), 0);
	ck_assert_str_eq(type, "DeploymentStatus");
	/* A commit's key is not a number; next-format ids are never ours. */
	ck_assert_int_eq(graphql_id_parse("MDY6Q29tbWl0MTI5NjI2OTo3ZmQxYTYwYjAxZjkxYjMxNGY1OTk1NWE0ZTRkNGU4MGQ4ZWRmMTFk",
	    76, type, &key), -1);
	ck_assert_int_eq(graphql_id_parse("DE_kwDOHjNddM5sfT5s", 19, type, &key), -1);
	/* "011:Deployment1": the length does not match the type. */
	ck_assert_int_eq(graphql_id_parse("MDExOkRlcGxveW1lbnQx", 20, type, &key), -1);
	ck_assert_int_eq(graphql_id_parse("", 0, type, &key), -1);
}
END_TEST

/* A Ref's key is text (graphql.md section 5's captured example). */
START_TEST(test_text_ids)
{
	char type[GRAPHQL_TYPE_NAME_MAX];
	struct buf key = BUF_INIT;

	ck_assert_int_eq(graphql_id_parse_text("MDM6UmVmMTI5NjI2OTpyZWZzL2hlYWRzL21hc3Rlcg==", 44, type,
	    &key), 0);
	ck_assert_str_eq(type, "Ref");
	ck_assert_str_eq(buf_cstr(&key), "1296269:refs/heads/master");
	buf_reset(&key);
	/* "03:Refa" + NUL + "b": no NUL in a key. */
	ck_assert_int_eq(graphql_id_parse_text("MDM6UmVmYQBi", 12, type, &key), -1);
	buf_release(&key);
}
END_TEST

Suite *
graphql_ids_suite(void)
{
	return suite_of("graphql_ids",
	    tcase_of("core", 0, (const TTest *const[]){ test_cursors, test_ids, test_text_ids, NULL }), NULL);
}
