#include "config.h"

#include "hook_target.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* What an address is, by the network it lies in. */
enum address_class {
	ADDRESS_EXTERNAL,
	ADDRESS_LOOPBACK,
	ADDRESS_PRIVATE,
	ADDRESS_SPECIAL,    /* link-local, unspecified, multicast, reserved, ...: no class */
};

struct special_network {
	struct hook_network net;
	enum address_class class;
};

#define V4(a, b, c, d, bits, cls) { { AF_INET, { a, b, c, d }, bits }, cls }
#define V6(a, b, bits, cls) { { AF_INET6, { a, b }, bits }, cls }

/* IANA's special-purpose registries, in the parts that matter here. An
 * IPv4 address outside all of them is external; an IPv6 one must also lie
 * in 2000::/3 (global unicast). IPv6 forms that embed an IPv4 address
 * (mapped, NAT64, 6to4) are judged by that address (embedded_ipv4). */
static const struct special_network special_networks[] = {
	V4(0, 0, 0, 0, 8, ADDRESS_SPECIAL),
	V4(10, 0, 0, 0, 8, ADDRESS_PRIVATE),
	V4(100, 64, 0, 0, 10, ADDRESS_SPECIAL),
	V4(127, 0, 0, 0, 8, ADDRESS_LOOPBACK),
	V4(169, 254, 0, 0, 16, ADDRESS_SPECIAL),
	V4(172, 16, 0, 0, 12, ADDRESS_PRIVATE),
	V4(192, 0, 0, 0, 24, ADDRESS_SPECIAL),
	V4(192, 0, 2, 0, 24, ADDRESS_SPECIAL),
	V4(192, 88, 99, 0, 24, ADDRESS_SPECIAL),
	V4(192, 168, 0, 0, 16, ADDRESS_PRIVATE),
	V4(198, 18, 0, 0, 15, ADDRESS_SPECIAL),
	V4(198, 51, 100, 0, 24, ADDRESS_SPECIAL),
	V4(203, 0, 113, 0, 24, ADDRESS_SPECIAL),
	V4(224, 0, 0, 0, 4, ADDRESS_SPECIAL),
	V4(240, 0, 0, 0, 4, ADDRESS_SPECIAL),
	{ { AF_INET6, { [15] = 1 }, 128 }, ADDRESS_LOOPBACK },
	V6(0xfc, 0x00, 7, ADDRESS_PRIVATE),
	V6(0x20, 0x01, 23, ADDRESS_SPECIAL),   /* IETF protocol assignments, Teredo */
	{ { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8 }, 32 }, ADDRESS_SPECIAL },
};

static bool
in_network(const struct hook_network *net, int family, const unsigned char *address)
{
	unsigned full = net->prefix_bits / 8, rest = net->prefix_bits % 8;

	if (net->family != family)
		return false;
	if (memcmp(net->address, address, full) != 0)
		return false;
	return rest == 0 || ((net->address[full] ^ address[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* The IPv4 address inside an IPv6 one: ::ffff:a.b.c.d (mapped), 64:ff9b::a.b.c.d
 * (NAT64) or 2002:aabb:ccdd:: (6to4); NULL for any other. */
static const unsigned char *
embedded_ipv4(const unsigned char *v6)
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const unsigned char nat64[12] = { 0x00, 0x64, 0xff, 0x9b };

	if (memcmp(v6, mapped, 12) == 0 || memcmp(v6, nat64, 12) == 0)
		return v6 + 12;
	if (v6[0] == 0x20 && v6[1] == 0x02)
		return v6 + 2;
	return NULL;
}

static enum address_class
class_of(int family, const unsigned char *address)
{
	for (size_t i = 0; i < ARRAY_SIZE(special_networks); i++)
		if (in_network(&special_networks[i].net, family, address))
			return special_networks[i].class;
	if (family == AF_INET6 && (address[0] & 0xe0) != 0x20)
		return ADDRESS_SPECIAL;
	return ADDRESS_EXTERNAL;
}

static bool
allows(const struct hook_target_policy *policy, int family, const unsigned char *address)
{
	const unsigned char *v4 = family == AF_INET6 ? embedded_ipv4(address) : NULL;

	if (policy->everything)
		return true;
	for (size_t i = 0; i < policy->nnetworks; i++)
		if (in_network(&policy->networks[i], family, address) ||
		    (v4 && in_network(&policy->networks[i], AF_INET, v4)))
			return true;
	if (v4)
		return allows(policy, AF_INET, v4);
	switch (class_of(family, address)) {
	case ADDRESS_EXTERNAL: return policy->external;
	case ADDRESS_LOOPBACK: return policy->loopback;
	case ADDRESS_PRIVATE: return policy->private_networks;
	case ADDRESS_SPECIAL: break;
	}
	return false;
}

bool
hook_target_allows_address(const struct hook_target_policy *policy, const struct sockaddr *address)
{
	if (address->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)address;

		return allows(policy, AF_INET, (const unsigned char *)&in->sin_addr);
	}
	if (address->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)address;

		return allows(policy, AF_INET6, in6->sin6_addr.s6_addr);
	}
	return false;
}

/* "10.0.0.0/8", "fd00::/8", or one address (a /32 or /128). */
static int
parse_network(const char *entry, struct hook_network *net)
{
	const char *slash = strchr(entry, '/');
	char *address = xstrndup(entry, slash ? (size_t)(slash - entry) : strlen(entry));
	int64_t bits = -1;
	int rc = -1;

	memset(net, 0, sizeof(*net));
	if (inet_pton(AF_INET, address, net->address) == 1)
		net->family = AF_INET;
	else if (inet_pton(AF_INET6, address, net->address) == 1)
		net->family = AF_INET6;
	if (net->family != 0) {
		int64_t max = net->family == AF_INET ? 32 : 128;

		if (slash == NULL)
			bits = max;
		else if (parse_int64(slash + 1, 0, max, &bits) < 0)
			bits = -1;
	}
	if (bits >= 0) {
		net->prefix_bits = (unsigned)bits;
		rc = 0;
	}
	free(address);
	return rc;
}

static bool
is_host_name(const char *s)
{
	if (strncmp(s, "*.", 2) == 0)
		s += 2;
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '.' && *s != '_')
			return false;
	return true;
}

static void
add_entry(struct hook_target_policy *policy, const char *entry, struct buf *error)
{
	struct hook_network net;

	if (strcasecmp(entry, "external") == 0) {
		policy->external = true;
	} else if (strcasecmp(entry, "loopback") == 0) {
		policy->loopback = true;
	} else if (strcasecmp(entry, "private") == 0) {
		policy->private_networks = true;
	} else if (strcmp(entry, "*") == 0) {
		policy->everything = true;
	} else if (parse_network(entry, &net) == 0) {
		policy->networks = xrealloc(policy->networks,
		    (policy->nnetworks + 1) * sizeof(*policy->networks));
		policy->networks[policy->nnetworks++] = net;
	} else if (strchr(entry, '/') == NULL && strchr(entry, ':') == NULL && is_host_name(entry)) {
		char *name = xstrdup(entry);

		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		policy->names = xrealloc(policy->names, (policy->nnames + 1) * sizeof(*policy->names));
		policy->names[policy->nnames++] = name;
	} else if (error->len == 0) {
		buf_printf(error, "'%s' is not external, loopback, private, *, a network or a host name",
		    entry);
	}
}

int
hook_target_policy_parse(struct hook_target_policy *policy, const char *spec, struct buf *error)
{
	memset(policy, 0, sizeof(*policy));
	while (*spec) {
		size_t len = strcspn(spec, ",");

		if (len > 0) {
			char *entry = xstrndup(spec, len);

			add_entry(policy, entry, error);
			free(entry);
		}
		spec += len;
		if (*spec == ',')
			spec++;
	}
	if (error->len > 0) {
		hook_target_policy_release(policy);
		return -1;
	}
	return 0;
}

void
hook_target_policy_release(struct hook_target_policy *policy)
{
	for (size_t i = 0; i < policy->nnames; i++)
		free(policy->names[i]);
	free(policy->names);
	free(policy->networks);
	memset(policy, 0, sizeof(*policy));
}

static bool
name_allowed(const struct hook_target_policy *policy, const char *host)
{
	size_t len = strlen(host);

	for (size_t i = 0; i < policy->nnames; i++) {
		const char *name = policy->names[i];

		if (strncmp(name, "*.", 2) == 0) {
			size_t suffix = strlen(name + 1);

			if (len > suffix && strcmp(host + len - suffix, name + 1) == 0)
				return true;
		} else if (strcmp(name, host) == 0) {
			return true;
		}
	}
	return false;
}

/* Every address host resolves to is allowed (or it resolves to none). */
static bool
resolved_addresses_allowed(const struct hook_target_policy *policy, const char *host)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *list = NULL;
	bool allowed = true;

	if (getaddrinfo(host, NULL, &hints, &list) != 0)
		return true;
	for (const struct addrinfo *a = list; a && allowed; a = a->ai_next)
		allowed = hook_target_allows_address(policy, a->ai_addr);
	freeaddrinfo(list);
	return allowed;
}

/*
 * Splits url into its host (lower case, brackets and a trailing dot
 * removed); the verdict for a URL that is not http(s)://[user@]host[:port]
 * followed by /, ? or # or the end, or that holds a space.
 */
static enum hook_url_verdict
url_host(const char *url, struct buf *host)
{
	const char *authority, *end, *host_end;

	/* Spaces and control characters are no part of a URL (RFC 3986). */
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return HOOK_URL_MALFORMED;
	if (strncmp(url, "http://", 7) == 0)
		authority = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		authority = url + 8;
	else
		return HOOK_URL_MALFORMED;
	end = authority + strcspn(authority, "/?#");
	if (memchr(authority, '@', (size_t)(end - authority)) != NULL)
		return HOOK_URL_CREDENTIALS;
	if (*authority == '[') {
		host_end = memchr(authority, ']', (size_t)(end - authority));
		if (host_end == NULL)
			return HOOK_URL_MALFORMED;
		buf_append(host, authority + 1, (size_t)(host_end - authority - 1));
		host_end++;
	} else {
		host_end = authority;
		while (host_end < end && *host_end != ':')
			host_end++;
		buf_append(host, authority, (size_t)(host_end - authority));
	}
	if (host_end < end && (*host_end != ':' || host_end + 1 == end))
		return HOOK_URL_MALFORMED;
	for (const char *p = host_end + (host_end < end); p < end; p++)
		if (!isdigit((unsigned char)*p))
			return HOOK_URL_MALFORMED;
	while (host->len > 0 && host->data[host->len - 1] == '.')
		host->data[--host->len] = '\0';
	if (host->len == 0)
		return HOOK_URL_MALFORMED;
	for (size_t i = 0; i < host->len; i++) {
		unsigned char c = (unsigned char)host->data[i];

		/* Letters, digits and the punctuation of names and addresses;
		 * anything else (a backslash, %, space) parsers read apart. */
		if (!isalnum(c) && c != '.' && c != '-' && c != '_' && c != ':')
			return HOOK_URL_MALFORMED;
		host->data[i] = (char)tolower(c);
	}
	return HOOK_URL_ALLOWED;
}

static bool
is_localhost(const char *host)
{
	size_t len = strlen(host);

	return strcmp(host, "localhost") == 0 ||
	    (len > 10 && strcmp(host + len - 10, ".localhost") == 0);
}

enum hook_url_verdict
hook_target_check_url(const struct hook_target_policy *policy, const char *url, bool resolve,
    struct buf *host_out, bool *by_name)
{
	struct buf host = BUF_INIT;
	enum hook_url_verdict verdict = url_host(url, &host);
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in in = { .sin_family = AF_INET };
	const char *name = buf_cstr(&host);

	if (by_name)
		*by_name = false;
	if (verdict != HOOK_URL_ALLOWED || policy->everything) {
		/* Nothing more to check. */
	} else if (name_allowed(policy, name)) {
		if (by_name)
			*by_name = true;
	} else if (inet_pton(AF_INET6, name, &in6.sin6_addr) == 1) {
		if (!hook_target_allows_address(policy, (struct sockaddr *)&in6))
			verdict = HOOK_URL_HOST_REFUSED;
	} else if (inet_aton(name, &in.sin_addr) != 0) {
		/* inet_aton, as the resolver: 2130706433, 0x7f.1 and 127.1 are
		 * all 127.0.0.1. */
		if (!hook_target_allows_address(policy, (struct sockaddr *)&in))
			verdict = HOOK_URL_HOST_REFUSED;
	} else if (is_localhost(name)) {
		if (!policy->loopback)
			verdict = HOOK_URL_HOST_REFUSED;
	} else if (resolve && !resolved_addresses_allowed(policy, name)) {
		verdict = HOOK_URL_HOST_REFUSED;
	}
	if (host_out)
		buf_append(host_out, host.data, host.len);
	buf_release(&host);
	return verdict;
}
