#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fake_fcgi.h"
#include "request.h"
#include "unit.h"

/* percent_decode: input, plus_is_space, expected output (NULL: rejected). */
static const struct {
	const char *in;
	bool plus;
	const char *out;
} decode_cases[] = {
	{ "", false, "" },
	{ "plain", false, "plain" },
	{ "a%20b", false, "a b" },
	{ "%41%4a%4A%7e", false, "AJJ~" },
	{ "%2F%2f", false, "//" },
	{ "%25", false, "%" },
	{ "%C3%A9", false, "\xc3\xa9" },
	{ "%ff", false, "\xff" },
	{ "%01", false, "\x01" },
	{ "a+b", false, "a+b" },
	{ "a+b", true, "a b" },
	{ "%2B", true, "+" },
	{ "++", true, "  " },
	/* Malformed escapes. */
	{ "%", false, NULL },
	{ "%4", false, NULL },
	{ "a%", false, NULL },
	{ "a%2", true, NULL },
	{ "%G0", false, NULL },
	{ "%0G", false, NULL },
	{ "% 1", false, NULL },
	{ "%-1", false, NULL },
	{ "ok%zzok", false, NULL },
	/* An embedded NUL would truncate the string silently. */
	{ "%00", false, NULL },
	{ "a%00b", true, NULL },
};

START_TEST(test_percent_decode)
{
	const char *in = decode_cases[_i].in;
	char *out = percent_decode(in, strlen(in), decode_cases[_i].plus);

	if (decode_cases[_i].out == NULL) {
		ck_assert_msg(out == NULL, "percent_decode(\"%s\") accepted a malformed input", in);
	} else {
		ck_assert_msg(out != NULL, "percent_decode(\"%s\") rejected a valid input", in);
		ck_assert_str_eq(out, decode_cases[_i].out);
	}
	free(out);
}
END_TEST

START_TEST(test_percent_decode_length)
{
	char *out;

	/* Only n bytes are read: no NUL terminator is needed. */
	out = percent_decode("abc%20def", 3, false);
	ck_assert_str_eq(out, "abc");
	free(out);
	out = percent_decode("abc%20def", 6, false);
	ck_assert_str_eq(out, "abc ");
	free(out);
	/* An escape cut by n is malformed even if the bytes after n would fix it. */
	out = percent_decode("abc%20def", 5, false);
	ck_assert_ptr_null(out);
	out = percent_decode("%41", 0, false);
	ck_assert_str_eq(out, "");
	free(out);
}
END_TEST

static enum request_read_result
read_request_behind(struct request *req, char **envp, const char *body, int64_t body_max,
    const char *base_url, bool trust_proxy)
{
	static struct fake_fcgi f;

	fake_fcgi_init(&f, envp, body, body ? strlen(body) : 0);
	return request_read(req, &f.req, body_max, base_url, trust_proxy);
}

static enum request_read_result
read_request(struct request *req, char **envp, const char *body, int64_t body_max,
    const char *base_url)
{
	return read_request_behind(req, envp, body, body_max, base_url, true);
}

START_TEST(test_read_full)
{
	char *env[] = {
		"REQUEST_METHOD=GET",
		"REQUEST_URI=/api/v3/repos/octo/hello%20world/?per_page=5&ref=a%2Bb&flag&=x&empty=&q=a+b",
		"HTTP_HOST=example.com:8080",
		"HTTP_AUTHORIZATION=token abc",
		"HTTP_ACCEPT=application/vnd.github+json",
		"HTTP_X_GITHUB_API_VERSION=2022-11-28",
		"HTTP_IF_NONE_MATCH=\"etag\"",
		"REMOTE_ADDR=192.0.2.1",
		NULL,
	};
	struct request req;

	ck_assert_int_eq(read_request(&req, env, NULL, 1024, NULL), REQUEST_OK);
	ck_assert_str_eq(req.method, "GET");
	ck_assert_str_eq(req.raw_path, "/api/v3/repos/octo/hello%20world/");
	ck_assert_str_eq(req.path, "/repos/octo/hello%20world/");
	ck_assert(req.api_prefix);
	ck_assert(!req.path_invalid);
	/* Decoded segments; the trailing slash adds none. */
	ck_assert_uint_eq(req.nsegments, 3);
	ck_assert_str_eq(req.segments[0], "repos");
	ck_assert_str_eq(req.segments[1], "octo");
	ck_assert_str_eq(req.segments[2], "hello world");
	/* Parameters without a name are dropped; a name alone has value "". */
	ck_assert_uint_eq(req.nquery, 5);
	ck_assert_str_eq(request_query(&req, "per_page"), "5");
	ck_assert_str_eq(request_query(&req, "ref"), "a+b");
	ck_assert_str_eq(request_query(&req, "flag"), "");
	ck_assert_str_eq(request_query(&req, "empty"), "");
	ck_assert_str_eq(request_query(&req, "q"), "a b");
	ck_assert_ptr_null(request_query(&req, "missing"));
	ck_assert_ptr_null(request_query(&req, "PER_PAGE"));
	ck_assert_ptr_null(request_query(&req, ""));
	ck_assert_str_eq(req.authorization, "token abc");
	ck_assert_str_eq(req.accept, "application/vnd.github+json");
	ck_assert_str_eq(req.api_version, "2022-11-28");
	ck_assert_str_eq(req.if_none_match, "\"etag\"");
	ck_assert_str_eq(req.remote_addr, "192.0.2.1");
	ck_assert_str_eq(req.web_url, "http://example.com:8080");
	ck_assert_str_eq(req.api_url, "http://example.com:8080/api/v3");
	/* GitHub's X-GitHub-Request-Id shape. */
	assert_matches(req.request_id, "^[0-9A-F]{4}:[0-9A-F]{4}:[0-9A-F]+:[0-9A-F]+:[0-9A-F]{8}$");
	ck_assert_ptr_nonnull(req.body);
	ck_assert_uint_eq(req.body_len, 0);
	ck_assert_str_eq(req.body, "");
	request_release(&req);
	ck_assert_ptr_null(req.path);
	ck_assert_uint_eq(req.nsegments, 0);
	ck_assert_uint_eq(req.nquery, 0);
}
END_TEST

START_TEST(test_read_defaults)
{
	char *env[] = { NULL };
	struct request req;

	ck_assert_int_eq(read_request(&req, env, NULL, 1024, NULL), REQUEST_OK);
	ck_assert_str_eq(req.method, "GET");
	ck_assert_str_eq(req.path, "/");
	ck_assert_uint_eq(req.nsegments, 0);
	ck_assert_uint_eq(req.nquery, 0);
	ck_assert(!req.api_prefix);
	ck_assert_ptr_null(req.authorization);
	ck_assert_ptr_null(req.accept);
	ck_assert_ptr_null(req.api_version);
	ck_assert_ptr_null(req.if_none_match);
	ck_assert_ptr_null(req.remote_addr);
	ck_assert_str_eq(req.web_url, "http://localhost");
	ck_assert_str_eq(req.api_url, "http://localhost");
	request_release(&req);
}
END_TEST

/* Path parsing: URI, expected segments joined by '|', and path_invalid. */
static const struct {
	const char *uri;
	bool prefix;
	const char *path;
	const char *segments;
	bool invalid;
} path_cases[] = {
	{ "/", false, "/", "", false },
	{ "/healthz", false, "/healthz", "healthz", false },
	{ "/api/v3", true, "/", "", false },
	{ "/api/v3/", true, "/", "", false },
	{ "/api/v3/user", true, "/user", "user", false },
	{ "/api/v3x/user", false, "/api/v3x/user", "api|v3x|user", false },
	{ "/api/v", false, "/api/v", "api|v", false },
	{ "/repos/a/b?x=1", false, "/repos/a/b", "repos|a|b", false },
	{ "//repos//a///b//", false, "//repos//a///b//", "repos|a|b", false },
	{ "/a+b/%2Fc", false, "/a+b/%2Fc", "a+b|/c", false },
	{ "/repos/%zz", false, "/repos/%zz", "", true },
	{ "/repos/%00", false, "/repos/%00", "", true },
	/* Not UTF-8: names nothing (PostgreSQL refused it: a 500). */
	{ "/repos/alice/%FF", false, "/repos/alice/%FF", "", true },
	{ "/repos/a/b/commits/%C0%AF/status", false, "/repos/a/b/commits/%C0%AF/status", "", true },
	{ "/repos/caf%C3%A9/b", false, "/repos/caf%C3%A9/b", "repos|caf\xc3\xa9|b", false },
	{ "/repos/%", false, "/repos/%", "", true },
	{ "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", false, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16",
	  "1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16", false },
	{ "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", false,
	  "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", "", true },
};

/* A segment that does not decode is kept as REQUEST_UNDECODABLE, so that
 * a route that answers bad names itself can be matched; too many segments
 * are never routed. */
START_TEST(test_undecodable_segment_kept)
{
	char uri[] = "REQUEST_URI=/repos/a/b/environments/%FF";
	char *env[] = { uri, NULL };
	struct request req;

	ck_assert_int_eq(read_request(&req, env, NULL, 1024, NULL), REQUEST_OK);
	ck_assert(req.path_invalid && req.path_undecodable && !req.path_too_long);
	ck_assert_uint_eq(req.nsegments, 5);
	ck_assert_str_eq(req.segments[4], REQUEST_UNDECODABLE);
	request_release(&req);
}
END_TEST

START_TEST(test_read_path)
{
	char uri[256];
	char *env[] = { uri, NULL };
	struct request req;
	struct buf joined = BUF_INIT;

	snprintf(uri, sizeof(uri), "REQUEST_URI=%s", path_cases[_i].uri);
	ck_assert_int_eq(read_request(&req, env, NULL, 1024, NULL), REQUEST_OK);
	ck_assert_int_eq(req.api_prefix, path_cases[_i].prefix);
	ck_assert_str_eq(req.path, path_cases[_i].path);
	ck_assert_int_eq(req.path_invalid, path_cases[_i].invalid);
	if (!path_cases[_i].invalid) {
		for (size_t i = 0; i < req.nsegments; i++) {
			if (i > 0)
				buf_putc(&joined, '|');
			buf_puts(&joined, req.segments[i]);
		}
		ck_assert_str_eq(buf_cstr(&joined), path_cases[_i].segments);
	}
	buf_release(&joined);
	request_release(&req);
}
END_TEST

START_TEST(test_read_query_edges)
{
	char *env[] = {
		"REQUEST_URI=/x?a=1&a=2&&bad=%zz&%00=v&n%61me=v%61l&sp+ace=1&=&k==v&last="
		"&environment=%FF&ref=%FE&%FF=1&e=%E2%82%AC",
		NULL,
	};
	struct request req;

	ck_assert_int_eq(read_request(&req, env, NULL, 1024, NULL), REQUEST_OK);
	/* The first of repeated parameters wins. */
	ck_assert_str_eq(request_query(&req, "a"), "1");
	/* Malformed names or values drop the parameter, nothing else. */
	ck_assert_ptr_null(request_query(&req, "bad"));
	ck_assert_str_eq(request_query(&req, "name"), "val");
	ck_assert_str_eq(request_query(&req, "sp ace"), "1");
	ck_assert_str_eq(request_query(&req, "k"), "=v");
	ck_assert_str_eq(request_query(&req, "last"), "");
	/* A value that is not UTF-8 is kept out; the first such name is kept
	 * for the 422. A name that is not UTF-8 is dropped. */
	ck_assert_ptr_null(request_query(&req, "environment"));
	ck_assert_ptr_null(request_query(&req, "ref"));
	ck_assert_str_eq(req.invalid_query_name, "environment");
	ck_assert_str_eq(request_query(&req, "e"), "\xe2\x82\xac");
	ck_assert_uint_eq(req.nquery, 7);
	request_release(&req);
}
END_TEST

START_TEST(test_read_urls)
{
	char *https_env[] = { "REQUEST_URI=/api/v3/user", "HTTP_HOST=h.example", "HTTPS=on", NULL };
	char *https_off[] = { "REQUEST_URI=/user", "HTTP_HOST=h.example", "HTTPS=off", NULL };
	char *forwarded[] = { "REQUEST_URI=/user", "HTTP_HOST=h.example",
		"HTTP_X_FORWARDED_PROTO=https", NULL };
	char *unsafe_host[] = { "REQUEST_URI=/user", "HTTP_HOST=evil.example/<x>",
		"SERVER_NAME=server.example", NULL };
	char *unsafe_both[] = { "REQUEST_URI=/user", "HTTP_HOST=a b", "SERVER_NAME=\"q\"", NULL };
	char *ipv6[] = { "REQUEST_URI=/user", "HTTP_HOST=[::1]:8080", NULL };
	/* Issue 15: a client's Host and X-Forwarded-Proto reached stored
	 * webhook payloads. Without --trust-proxy only the server's own name,
	 * port and TLS say what the URLs are. */
	char *attacker[] = { "REQUEST_URI=/user", "HTTP_HOST=attacker.example:8443",
		"HTTP_X_FORWARDED_PROTO=https", "SERVER_NAME=api.example", "SERVER_PORT=8080", NULL };
	char *tls[] = { "REQUEST_URI=/user", "HTTP_HOST=attacker.example", "HTTPS=on",
		"SERVER_NAME=api.example", "SERVER_PORT=443", NULL };
	/* The environment, the configured base URL, whether the proxy is
	 * trusted, the URLs expected (a NULL api_url is not checked). */
	const struct {
		char **env;
		const char *base_url;
		bool trust_proxy;
		const char *web_url, *api_url;
	} cases[] = {
		{ https_env, NULL, true, "https://h.example", "https://h.example/api/v3" },
		{ https_off, NULL, true, "http://h.example", "http://h.example" },
		{ forwarded, NULL, true, "https://h.example", NULL },
		/* A Host that could inject into a URL or a Link header is not used. */
		{ unsafe_host, NULL, true, "http://server.example", NULL },
		{ unsafe_both, NULL, true, "http://localhost", NULL },
		{ ipv6, NULL, true, "http://[::1]:8080", NULL },
		/* A configured base URL wins over Host, without its trailing slashes. */
		{ https_env, "https://api.example//", true, "https://api.example",
		  "https://api.example/api/v3" },
		{ https_off, "", true, "http://h.example", NULL },
		{ attacker, NULL, false, "http://api.example:8080", NULL },
		{ attacker, NULL, true, "https://attacker.example:8443", NULL },
		{ attacker, "https://api.example", false, "https://api.example", NULL },
		{ tls, NULL, false, "https://api.example", NULL },
		{ unsafe_host, NULL, false, "http://server.example", NULL },
	};
	struct request req;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		ck_assert_int_eq(read_request_behind(&req, cases[i].env, NULL, 1024, cases[i].base_url,
		    cases[i].trust_proxy), REQUEST_OK);
		ck_assert_str_eq(req.web_url, cases[i].web_url);
		if (cases[i].api_url)
			ck_assert_str_eq(req.api_url, cases[i].api_url);
		request_release(&req);
	}
}
END_TEST

START_TEST(test_read_body)
{
	char *env5[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=5", NULL };
	char *env_empty[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=", NULL };
	char *env_bad[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=5x", NULL };
	char *env_neg[] = { "REQUEST_METHOD=POST", "REQUEST_URI=/x", "CONTENT_LENGTH=-1", NULL };
	struct request req;

	ck_assert_int_eq(read_request(&req, env5, "hello", 1024, NULL), REQUEST_OK);
	ck_assert_str_eq(req.method, "POST");
	ck_assert_uint_eq(req.body_len, 5);
	ck_assert_str_eq(req.body, "hello");
	request_release(&req);

	/* Only the declared length is read. */
	ck_assert_int_eq(read_request(&req, env5, "hello, world", 1024, NULL), REQUEST_OK);
	ck_assert_uint_eq(req.body_len, 5);
	ck_assert_str_eq(req.body, "hello");
	request_release(&req);

	/* The client stopped early. */
	ck_assert_int_eq(read_request(&req, env5, "hel", 1024, NULL), REQUEST_BODY_INCOMPLETE);
	request_release(&req);

	/* The limit is inclusive and checked before anything is read. */
	ck_assert_int_eq(read_request(&req, env5, "hello", 5, NULL), REQUEST_OK);
	request_release(&req);
	ck_assert_int_eq(read_request(&req, env5, "hello", 4, NULL), REQUEST_BODY_TOO_LARGE);
	ck_assert_ptr_null(req.body);
	request_release(&req);

	ck_assert_int_eq(read_request(&req, env_empty, "", 1024, NULL), REQUEST_OK);
	ck_assert_uint_eq(req.body_len, 0);
	request_release(&req);

	ck_assert_int_eq(read_request(&req, env_bad, "hello", 1024, NULL), REQUEST_BODY_INCOMPLETE);
	request_release(&req);
	ck_assert_int_eq(read_request(&req, env_neg, "", 1024, NULL), REQUEST_BODY_INCOMPLETE);
	request_release(&req);
}
END_TEST

START_TEST(test_request_ids_differ)
{
	char *env[] = { NULL };
	struct request a, b;

	ck_assert_int_eq(read_request(&a, env, NULL, 1024, NULL), REQUEST_OK);
	ck_assert_int_eq(read_request(&b, env, NULL, 1024, NULL), REQUEST_OK);
	ck_assert_str_ne(a.request_id, b.request_id);
	request_release(&a);
	request_release(&b);
}
END_TEST

Suite *
request_suite(void)
{
	TCase *decoding = tcase_with_table("percent_decode", test_percent_decode,
	    (int)ARRAY_SIZE(decode_cases), (const TTest *const[]){ test_percent_decode_length, NULL });
	TCase *reading = tcase_with_table("request_read", test_read_path, (int)ARRAY_SIZE(path_cases),
	    (const TTest *const[]){ test_read_full, test_read_defaults, test_read_query_edges,
		test_read_urls, test_read_body, test_request_ids_differ, test_undecodable_segment_kept,
		NULL });

	return suite_of("request", decoding, reading, NULL);
}
