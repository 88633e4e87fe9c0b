/*
 * Where hooks may be sent (hook_target.c): the input is an allowed-hosts
 * list, a newline, then a URL. The list is parsed as --hook-allowed-hosts
 * is; the URL is checked against it (without resolving names, as the
 * dispatcher checks it before a request) and against the default list.
 * Promises: an allowed URL is http(s):// with a host and no space or
 * control character; a URL with a user name is never allowed; the
 * default list never allows a loopback, private or link-local address
 * written in any spelling inet_aton accepts.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "hook_target.h"

static void
check_url(const struct hook_target_policy *policy, const char *url)
{
	struct buf host = BUF_INIT;
	bool by_name;
	enum hook_url_verdict v = hook_target_check_url(policy, url, false, &host, &by_name);

	if (v == HOOK_URL_ALLOWED) {
		fuzz_require(strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0);
		fuzz_require(host.len > 0 && !has_control_chars(url) && strchr(url, ' ') == NULL);
		fuzz_require(strchr(host.data, '@') == NULL);
	}
	fuzz_require(!by_name || v == HOOK_URL_ALLOWED);
	buf_release(&host);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	char *newline = strchr(text, '\n');
	const char *url = newline ? newline + 1 : text;
	struct hook_target_policy policy, external;
	struct buf error = BUF_INIT;
	struct in_addr address;

	fuzz_require(hook_target_policy_parse(&external, "external", &error) == 0);
	if (newline) {
		*newline = '\0';
		if (hook_target_policy_parse(&policy, text, &error) == 0) {
			check_url(&policy, url);
			hook_target_policy_release(&policy);
		} else {
			fuzz_require(error.len > 0);
		}
	}
	check_url(&external, url);
	/* A host that inet_aton reads as an internal address is refused. */
	if (inet_aton(url, &address)) {
		struct buf spelled = BUF_INIT;
		uint32_t a = ntohl(address.s_addr);

		buf_printf(&spelled, "http://%s/", url);
		if ((a >> 24) == 127 || (a >> 24) == 10 || (a >> 16) == 0xa9fe || (a >> 16) == 0xc0a8 ||
		    (a >> 24) == 0)
			fuzz_require(hook_target_check_url(&external, spelled.data, false, NULL, NULL) !=
			    HOOK_URL_ALLOWED);
		buf_release(&spelled);
	}
	hook_target_policy_release(&external);
	buf_release(&error);
	free(text);
	return 0;
}
