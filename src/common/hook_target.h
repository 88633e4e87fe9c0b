/*
 * Where webhooks may be sent: the operator's list of allowed hosts
 * (--hook-allowed-hosts, as Gitea's ALLOWED_HOST_LIST) and the checks of a
 * hook's URL against it. The API checks a URL when a hook is created or
 * changed (by name, and each address the name resolves to); deploy-dispatch
 * checks the URL again before each request and every address it connects
 * to, so a name that resolves elsewhere later (DNS rebinding) reaches
 * nothing the list does not allow.
 *
 * The list is comma-separated:
 *   external   publicly routable addresses (GitHub's rule; the default)
 *   loopback   127.0.0.0/8, ::1 (and the name localhost)
 *   private    10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7
 *   *          everything
 *   CIDR       an IPv4 or IPv6 network, e.g. 169.254.169.254/32
 *   name       a host name, exactly or as *.suffix: allowed whatever it
 *              resolves to (the operator vouches for it)
 * Link-local, unspecified, multicast, shared (100.64.0.0/10) and reserved
 * addresses are in no class: only a CIDR entry or * allows them.
 */
#ifndef DEPLOY_HOOK_TARGET_H
#define DEPLOY_HOOK_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "util.h"

struct sockaddr;

struct hook_network {
	int family;                 /* AF_INET or AF_INET6 */
	unsigned char address[16];
	unsigned prefix_bits;
};

struct hook_target_policy {
	bool external, loopback, private_networks, everything;
	struct hook_network *networks;
	size_t nnetworks;
	char **names;               /* lower case; "*.example" matches below it */
	size_t nnames;
};

/* Parses spec into policy; -1 with the reason in error for an entry that is
 * none of the above. */
int hook_target_policy_parse(struct hook_target_policy *policy, const char *spec, struct buf *error)
    MUST_CHECK;
void hook_target_policy_release(struct hook_target_policy *policy);

/* Whether the policy allows connecting to address (IPv4, IPv6, or IPv4
 * mapped into IPv6, which counts as the IPv4 address). */
bool hook_target_allows_address(const struct hook_target_policy *policy, const struct sockaddr *address);

enum hook_url_verdict {
	HOOK_URL_ALLOWED,
	HOOK_URL_MALFORMED,        /* not http(s)://host... */
	HOOK_URL_CREDENTIALS,      /* user:password@ in the URL */
	HOOK_URL_HOST_REFUSED,     /* the host, or an address it resolves to, is not allowed */
};

/* Checks url against policy. With resolve, a host name that the policy
 * does not name is looked up and every address must be allowed (a name
 * that does not resolve passes: the dispatcher checks each connection).
 * host (when not NULL) receives the URL's host as written, without
 * brackets, for messages; *by_name (when not NULL) is set when a name
 * entry of the policy allowed the host, so its addresses are not checked. */
enum hook_url_verdict hook_target_check_url(const struct hook_target_policy *policy, const char *url,
    bool resolve, struct buf *host, bool *by_name);

#endif
