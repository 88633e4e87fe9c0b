#include "config.h"

#include <string.h>

#include "media.h"
#include "unit.h"

#define V3 "github.v3; format=json"

static const struct {
	const char *accept;
	const char *served;
} served_cases[] = {
	{ NULL, V3 },
	{ "", V3 },
	{ "*/*", V3 },
	{ "application/json", V3 },
	{ "application/vnd.github+json", V3 },
	{ "application/vnd.github.v3+json", V3 },
	{ "application/vnd.github.v3", V3 },
	{ "application/vnd.github.v3+json; charset=utf-8", V3 },
	/* The previews GitHub documented for deployments. */
	{ "application/vnd.github.ant-man-preview+json", "github.ant-man-preview; format=json" },
	{ "application/vnd.github.flash-preview+json", "github.flash-preview; format=json" },
	{ "application/vnd.github.cannonball-preview+json",
	  "github.cannonball-preview; format=json" },
	{ "application/vnd.github.preview", "github.preview; format=json" },
	{ "application/vnd.github.preview+json", "github.preview; format=json" },
	/* Comma lists: the first preview named wins, wherever it stands. */
	{ "application/vnd.github.ant-man-preview+json, application/vnd.github.flash-preview+json",
	  "github.ant-man-preview; format=json" },
	{ "application/vnd.github.flash-preview+json,application/vnd.github.ant-man-preview+json",
	  "github.flash-preview; format=json" },
	{ "application/json, application/vnd.github.flash-preview+json",
	  "github.flash-preview; format=json" },
	{ "application/vnd.github+json, application/vnd.github.ant-man-preview+json",
	  "github.ant-man-preview; format=json" },
	{ "  ,, application/vnd.github.ant-man-preview+json ,", "github.ant-man-preview; format=json" },
	/* Junk: never echoed into the header, always answered as v3. */
	{ "text/html", V3 },
	{ "application/vnd.github", V3 },
	{ "application/vnd.github.", V3 },
	{ "application/vnd.github.+json", V3 },
	{ "application/vnd.githubx.foo+json", V3 },
	{ "application/vnd.github.EVIL+json", V3 },
	{ "application/vnd.github.\"x\"", V3 },
	{ "application/vnd.github.<script>", V3 },
	{ "xapplication/vnd.github.foo-preview+json", V3 },
	{ "application/vnd.github.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "+json", V3 },
};

START_TEST(test_served)
{
	struct buf b = BUF_INIT;

	media_type_served(served_cases[_i].accept, &b);
	ck_assert_msg(strcmp(buf_cstr(&b), served_cases[_i].served) == 0,
	    "Accept \"%s\": served \"%s\", expected \"%s\"",
	    served_cases[_i].accept ? served_cases[_i].accept : "(null)", buf_cstr(&b),
	    served_cases[_i].served);
	buf_release(&b);
}
END_TEST

START_TEST(test_served_appends_safe_bytes)
{
	struct buf b = BUF_INIT;

	/* It appends to what the buffer holds. */
	buf_puts(&b, "X: ");
	media_type_served("application/vnd.github.flash-preview+json", &b);
	ck_assert_str_eq(buf_cstr(&b), "X: github.flash-preview; format=json");
	buf_reset(&b);
	/* The name stops at the first byte that is not a token byte, so a CR
	 * LF in the header can never reach the response headers. */
	media_type_served("application/vnd.github.foo-preview\r\nSet-Cookie: a=b", &b);
	ck_assert_str_eq(buf_cstr(&b), "github.foo-preview; format=json");
	buf_release(&b);
}
END_TEST

START_TEST(test_api_versions)
{
	ck_assert(media_api_version_supported(NULL));
	ck_assert(media_api_version_supported(""));
	ck_assert(media_api_version_supported("2022-11-28"));
	ck_assert(media_api_version_supported("2026-03-10"));
	ck_assert(!media_api_version_supported("2021-01-01"));
	ck_assert(!media_api_version_supported("2022-11-28 "));
	ck_assert(!media_api_version_supported("2022-11-2"));
	ck_assert(!media_api_version_supported("v3"));

	ck_assert_str_eq(media_api_version_selected(NULL), "2022-11-28");
	ck_assert_str_eq(media_api_version_selected(""), "2022-11-28");
	ck_assert_str_eq(media_api_version_selected("2022-11-28"), "2022-11-28");
	ck_assert_str_eq(media_api_version_selected("2026-03-10"), "2026-03-10");
	ck_assert_str_eq(media_api_version_selected("1999-01-01"), "2022-11-28");
}
END_TEST

/* A name that is a prefix of "v3" is not v3: the search goes on. */
START_TEST(test_v3_prefix_is_not_v3)
{
	struct buf b = BUF_INIT;

	media_type_served("application/vnd.github.v+json, application/vnd.github.flash-preview+json",
	    &b);
	ck_assert_str_eq(buf_cstr(&b), "github.flash-preview; format=json");
	buf_release(&b);
}
END_TEST

Suite *
media_suite(void)
{
	return unit_suite("media", test_served, (int)ARRAY_SIZE(served_cases), (const TTest *const[]){
		test_served_appends_safe_bytes, test_api_versions, test_v3_prefix_is_not_v3, NULL });
}
