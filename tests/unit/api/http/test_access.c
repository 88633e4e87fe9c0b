#include "config.h"

#include <string.h>

#include "access.h"
#include "unit.h"
#include "util.h"

enum who { NOBODY, ANONYMOUS, TOKEN };

#define NO_SCOPES 0u
#define REPO SCOPE_REPO
#define PUBLIC_REPO SCOPE_PUBLIC_REPO
#define REPO_DEPLOYMENT SCOPE_REPO_DEPLOYMENT

#define PUBLIC false
#define PRIVATE true
#define FOUND true
#define MISSING false

static const char *
verdict_name(enum access_verdict v)
{
	switch (v) {
	case ACCESS_ALLOW: return "allow";
	case ACCESS_REQUIRES_AUTH: return "401";
	case ACCESS_NOT_FOUND: return "404";
	case ACCESS_NEEDS_PUSH: return "403 push";
	case ACCESS_NEEDS_ADMIN: return "403 admin";
	}
	return "?";
}

static enum access_verdict
decide(enum who who, unsigned scopes, bool found, bool is_private, enum permission perm,
    enum route_access need, enum scope_class cls)
{
	struct principal p;
	struct access_request a;

	memset(&p, 0, sizeof(p));
	p.authenticated = who == TOKEN;
	p.scopes = scopes;
	a.need = need;
	a.scope_class = cls;
	a.principal = who == NOBODY ? NULL : &p;
	a.repo_found = found;
	a.repo_private = is_private;
	a.permission = perm;
	return access_decide(&a);
}

/*
 * The rules of access.h and spec/semantics.md (Cross-cutting), one named
 * case per sentence or corner they imply.
 */
static const struct {
	const char *what;
	enum who who;
	unsigned scopes;
	bool found;
	bool is_private;
	enum permission perm;
	enum route_access need;
	enum scope_class cls;
	enum access_verdict want;
} cases[] = {
	{ "health checks need nothing", NOBODY, NO_SCOPES, MISSING, PUBLIC, PERMISSION_NONE,
	  ROUTE_OPEN, SCOPE_CLASS_CODE, ACCESS_ALLOW },
	{ "/user needs a token", ANONYMOUS, REPO, MISSING, PUBLIC, PERMISSION_ADMIN,
	  ROUTE_USER, SCOPE_CLASS_CODE, ACCESS_REQUIRES_AUTH },
	{ "/user takes any token, even without scopes", TOKEN, NO_SCOPES, MISSING, PUBLIC,
	  PERMISSION_NONE, ROUTE_USER, SCOPE_CLASS_CODE, ACCESS_ALLOW },
	{ "anyone reads a public repository", ANONYMOUS, NO_SCOPES, FOUND, PUBLIC, PERMISSION_NONE,
	  ROUTE_REPO_READ, SCOPE_CLASS_CODE, ACCESS_ALLOW },
	{ "no principal at all reads a public repository", NOBODY, NO_SCOPES, FOUND, PUBLIC,
	  PERMISSION_NONE, ROUTE_REPO_READ, SCOPE_CLASS_DEPLOYMENTS, ACCESS_ALLOW },
	{ "a private repository is hidden from the anonymous", ANONYMOUS, NO_SCOPES, FOUND, PRIVATE,
	  PERMISSION_NONE, ROUTE_REPO_READ, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "writing a private repository anonymously is 404, not 401", ANONYMOUS, NO_SCOPES, FOUND,
	  PRIVATE, PERMISSION_NONE, ROUTE_REPO_WRITE, SCOPE_CLASS_DEPLOYMENTS, ACCESS_NOT_FOUND },
	{ "writing a public repository anonymously is 401", ANONYMOUS, NO_SCOPES, FOUND, PUBLIC,
	  PERMISSION_NONE, ROUTE_REPO_WRITE, SCOPE_CLASS_DEPLOYMENTS, ACCESS_REQUIRES_AUTH },
	{ "administering a public repository anonymously is 401", NOBODY, NO_SCOPES, FOUND, PUBLIC,
	  PERMISSION_NONE, ROUTE_REPO_ADMIN, SCOPE_CLASS_CODE, ACCESS_REQUIRES_AUTH },
	{ "an unauthenticated principal's permission and scopes count for nothing", ANONYMOUS, REPO,
	  FOUND, PRIVATE, PERMISSION_ADMIN, ROUTE_REPO_READ, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "a missing repository is 404 whoever asks", TOKEN, REPO, MISSING, PUBLIC, PERMISSION_ADMIN,
	  ROUTE_REPO_READ, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "a missing repository is 404 for anonymous writes too", ANONYMOUS, NO_SCOPES, MISSING,
	  PUBLIC, PERMISSION_NONE, ROUTE_REPO_WRITE, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "repo scope without permission on a private repository: 404", TOKEN, REPO, FOUND, PRIVATE,
	  PERMISSION_NONE, ROUTE_REPO_READ, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "repo scope, pull: reads a private repository", TOKEN, REPO, FOUND, PRIVATE,
	  PERMISSION_PULL, ROUTE_REPO_READ, SCOPE_CLASS_CODE, ACCESS_ALLOW },
	{ "visible but not writable: 403 push", TOKEN, REPO, FOUND, PRIVATE, PERMISSION_PULL,
	  ROUTE_REPO_WRITE, SCOPE_CLASS_DEPLOYMENTS, ACCESS_NEEDS_PUSH },
	{ "push writes", TOKEN, REPO, FOUND, PRIVATE, PERMISSION_PUSH, ROUTE_REPO_WRITE,
	  SCOPE_CLASS_DEPLOYMENTS, ACCESS_ALLOW },
	{ "push does not administer", TOKEN, REPO, FOUND, PRIVATE, PERMISSION_PUSH, ROUTE_REPO_ADMIN,
	  SCOPE_CLASS_CODE, ACCESS_NEEDS_ADMIN },
	{ "pull on a public repository does not administer", TOKEN, REPO, FOUND, PUBLIC,
	  PERMISSION_PULL, ROUTE_REPO_ADMIN, SCOPE_CLASS_CODE, ACCESS_NEEDS_ADMIN },
	{ "admin administers", TOKEN, REPO, FOUND, PRIVATE, PERMISSION_ADMIN, ROUTE_REPO_ADMIN,
	  SCOPE_CLASS_CODE, ACCESS_ALLOW },
	{ "push on an environment write: 404", TOKEN, REPO, FOUND, PUBLIC, PERMISSION_PUSH,
	  ROUTE_REPO_ADMIN_OR_NOT_FOUND, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "admin writes environments", TOKEN, PUBLIC_REPO, FOUND, PUBLIC, PERMISSION_ADMIN,
	  ROUTE_REPO_ADMIN_OR_NOT_FOUND, SCOPE_CLASS_CODE, ACCESS_ALLOW },
	{ "repo_deployment does not write environments", TOKEN, REPO_DEPLOYMENT, FOUND, PRIVATE,
	  PERMISSION_ADMIN, ROUTE_REPO_ADMIN_OR_NOT_FOUND, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "admin writes", TOKEN, REPO, FOUND, PUBLIC, PERMISSION_ADMIN, ROUTE_REPO_WRITE,
	  SCOPE_CLASS_CODE, ACCESS_ALLOW },
	{ "public_repo does not see private repositories", TOKEN, PUBLIC_REPO, FOUND, PRIVATE,
	  PERMISSION_ADMIN, ROUTE_REPO_READ, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "public_repo does not write private repositories", TOKEN, PUBLIC_REPO, FOUND, PRIVATE,
	  PERMISSION_ADMIN, ROUTE_REPO_WRITE, SCOPE_CLASS_DEPLOYMENTS, ACCESS_NOT_FOUND },
	{ "public_repo writes public repositories", TOKEN, PUBLIC_REPO, FOUND, PUBLIC,
	  PERMISSION_PUSH, ROUTE_REPO_WRITE, SCOPE_CLASS_CODE, ACCESS_ALLOW },
	{ "public_repo without permission: 403 push on a public repository", TOKEN, PUBLIC_REPO,
	  FOUND, PUBLIC, PERMISSION_NONE, ROUTE_REPO_WRITE, SCOPE_CLASS_CODE, ACCESS_NEEDS_PUSH },
	{ "a token without scopes reads public repositories", TOKEN, NO_SCOPES, FOUND, PUBLIC,
	  PERMISSION_NONE, ROUTE_REPO_READ, SCOPE_CLASS_CODE, ACCESS_ALLOW },
	{ "scopes not covering the repository: 404 on writes", TOKEN, NO_SCOPES, FOUND, PUBLIC,
	  PERMISSION_ADMIN, ROUTE_REPO_WRITE, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "scopes not covering the repository: 404 on admin", TOKEN, NO_SCOPES, FOUND, PUBLIC,
	  PERMISSION_ADMIN, ROUTE_REPO_ADMIN, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "repo_deployment writes deployments of a private repository", TOKEN, REPO_DEPLOYMENT,
	  FOUND, PRIVATE, PERMISSION_PUSH, ROUTE_REPO_WRITE, SCOPE_CLASS_DEPLOYMENTS, ACCESS_ALLOW },
	{ "repo_deployment reads deployments of a private repository", TOKEN, REPO_DEPLOYMENT,
	  FOUND, PRIVATE, PERMISSION_PULL, ROUTE_REPO_READ, SCOPE_CLASS_DEPLOYMENTS, ACCESS_ALLOW },
	{ "repo_deployment with pull: 403 push on deployments", TOKEN, REPO_DEPLOYMENT, FOUND,
	  PRIVATE, PERMISSION_PULL, ROUTE_REPO_WRITE, SCOPE_CLASS_DEPLOYMENTS, ACCESS_NEEDS_PUSH },
	{ "repo_deployment does not read code of a private repository", TOKEN, REPO_DEPLOYMENT,
	  FOUND, PRIVATE, PERMISSION_ADMIN, ROUTE_REPO_READ, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "repo_deployment does not write code of a private repository", TOKEN, REPO_DEPLOYMENT,
	  FOUND, PRIVATE, PERMISSION_ADMIN, ROUTE_REPO_WRITE, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "repo_deployment does not write code of a public repository", TOKEN, REPO_DEPLOYMENT,
	  FOUND, PUBLIC, PERMISSION_ADMIN, ROUTE_REPO_WRITE, SCOPE_CLASS_CODE, ACCESS_NOT_FOUND },
	{ "repo_deployment reads code of a public repository, as anyone can", TOKEN,
	  REPO_DEPLOYMENT, FOUND, PUBLIC, PERMISSION_NONE, ROUTE_REPO_READ, SCOPE_CLASS_CODE,
	  ACCESS_ALLOW },
	{ "public_repo + repo_deployment writes deployments of a private repository", TOKEN,
	  PUBLIC_REPO | REPO_DEPLOYMENT, FOUND, PRIVATE, PERMISSION_PUSH, ROUTE_REPO_WRITE,
	  SCOPE_CLASS_DEPLOYMENTS, ACCESS_ALLOW },
};

START_TEST(test_named_cases)
{
	enum access_verdict got = decide(cases[_i].who, cases[_i].scopes, cases[_i].found,
	    cases[_i].is_private, cases[_i].perm, cases[_i].need, cases[_i].cls);

	ck_assert_msg(got == cases[_i].want, "%s: got %s, expected %s", cases[_i].what,
	    verdict_name(got), verdict_name(cases[_i].want));
}
END_TEST

/*
 * The same rules stated once more, independently of access.c's structure,
 * to check every combination rather than a sample.
 */
static enum access_verdict
expected(enum who who, unsigned scopes, bool found, bool is_private, enum permission perm,
    enum route_access need, enum scope_class cls)
{
	bool token = who == TOKEN;
	bool covers;

	if (need == ROUTE_OPEN)
		return ACCESS_ALLOW;
	if (need == ROUTE_USER)
		return token ? ACCESS_ALLOW : ACCESS_REQUIRES_AUTH;
	if (!found)
		return ACCESS_NOT_FOUND;
	if (!token)
		perm = PERMISSION_NONE;
	covers = token && ((scopes & REPO) || ((scopes & PUBLIC_REPO) && !is_private) ||
	    ((scopes & REPO_DEPLOYMENT) && cls == SCOPE_CLASS_DEPLOYMENTS));
	/* A private repository exists only for a token with both a
	 * permission on it and scopes that reach it. */
	if (is_private && (perm == PERMISSION_NONE || !covers))
		return ACCESS_NOT_FOUND;
	if (need == ROUTE_REPO_READ)
		return ACCESS_ALLOW;
	if (!token)
		return ACCESS_REQUIRES_AUTH;
	if (!covers)
		return ACCESS_NOT_FOUND;
	if (need == ROUTE_REPO_ADMIN)
		return perm == PERMISSION_ADMIN ? ACCESS_ALLOW : ACCESS_NEEDS_ADMIN;
	return perm >= PERMISSION_PUSH ? ACCESS_ALLOW : ACCESS_NEEDS_PUSH;
}

/* One combination of the inputs access_decide reads. */
struct combo {
	enum who who;
	unsigned scopes;
	bool found;
	bool is_private;
	enum permission perm;
	enum route_access need;
	enum scope_class cls;
};

static const enum who all_whos[] = { NOBODY, ANONYMOUS, TOKEN };
static const unsigned all_scopes[] = {
	NO_SCOPES, REPO, PUBLIC_REPO, REPO_DEPLOYMENT, PUBLIC_REPO | REPO_DEPLOYMENT,
	REPO | REPO_DEPLOYMENT, REPO | PUBLIC_REPO | REPO_DEPLOYMENT,
};
static const enum permission all_perms[] = {
	PERMISSION_NONE, PERMISSION_PULL, PERMISSION_PUSH, PERMISSION_ADMIN,
};
static const enum route_access all_needs[] = {
	ROUTE_OPEN, ROUTE_USER, ROUTE_REPO_READ, ROUTE_REPO_WRITE, ROUTE_REPO_ADMIN,
};
static const enum scope_class all_classes[] = { SCOPE_CLASS_CODE, SCOPE_CLASS_DEPLOYMENTS };

#define COMBOS (ARRAY_SIZE(all_whos) * ARRAY_SIZE(all_scopes) * 2 * 2 * \
	ARRAY_SIZE(all_perms) * ARRAY_SIZE(all_needs) * ARRAY_SIZE(all_classes))

/* The i-th combination, i in [0, COMBOS): a mixed-radix counter, so one
 * loop walks the whole matrix. */
static struct combo
combo_at(size_t i)
{
	struct combo c;

	c.cls = all_classes[i % ARRAY_SIZE(all_classes)];
	i /= ARRAY_SIZE(all_classes);
	c.need = all_needs[i % ARRAY_SIZE(all_needs)];
	i /= ARRAY_SIZE(all_needs);
	c.perm = all_perms[i % ARRAY_SIZE(all_perms)];
	i /= ARRAY_SIZE(all_perms);
	c.is_private = i % 2;
	i /= 2;
	c.found = i % 2;
	i /= 2;
	c.scopes = all_scopes[i % ARRAY_SIZE(all_scopes)];
	i /= ARRAY_SIZE(all_scopes);
	c.who = all_whos[i];
	return c;
}

START_TEST(test_full_matrix)
{
	for (size_t i = 0; i < COMBOS; i++) {
		struct combo c = combo_at(i);
		enum access_verdict got = decide(c.who, c.scopes, c.found, c.is_private, c.perm,
		    c.need, c.cls);
		enum access_verdict want = expected(c.who, c.scopes, c.found, c.is_private, c.perm,
		    c.need, c.cls);

		ck_assert_msg(got == want,
		    "who=%d scopes=%u found=%d private=%d perm=%d need=%d class=%d: got %s, "
		    "expected %s", c.who, c.scopes, c.found, c.is_private, c.perm, c.need, c.cls,
		    verdict_name(got), verdict_name(want));
	}
}
END_TEST

START_TEST(test_private_never_leaks)
{
	/* The promise of access.h worth checking on its own: a private
	 * repository the caller cannot read answers every route with 404,
	 * never 401 or 403. */
	for (size_t i = 0; i < COMBOS; i++) {
		struct combo c = combo_at(i);
		enum access_verdict read, v;

		if (!c.found || !c.is_private || c.need == ROUTE_OPEN || c.need == ROUTE_USER)
			continue;
		read = decide(c.who, c.scopes, c.found, c.is_private, c.perm, ROUTE_REPO_READ,
		    c.cls);
		v = decide(c.who, c.scopes, c.found, c.is_private, c.perm, c.need, c.cls);
		if (read == ACCESS_NOT_FOUND)
			ck_assert_msg(v == ACCESS_NOT_FOUND,
			    "who=%d scopes=%u perm=%d need=%d class=%d leaks a private repository: %s",
			    c.who, c.scopes, c.perm, c.need, c.cls, verdict_name(v));
	}
}
END_TEST

START_TEST(test_combo_walk_is_complete)
{
	struct combo first = combo_at(0);
	struct combo last = combo_at(COMBOS - 1);

	ck_assert_int_eq(first.who, NOBODY);
	ck_assert_int_eq(first.cls, SCOPE_CLASS_CODE);
	ck_assert_int_eq(last.who, TOKEN);
	ck_assert_uint_eq(last.scopes, REPO | PUBLIC_REPO | REPO_DEPLOYMENT);
	ck_assert(last.found && last.is_private);
	ck_assert_int_eq(last.perm, PERMISSION_ADMIN);
	ck_assert_int_eq(last.need, ROUTE_REPO_ADMIN);
	ck_assert_int_eq(last.cls, SCOPE_CLASS_DEPLOYMENTS);
}
END_TEST

Suite *
access_suite(void)
{
	return unit_suite("access", test_named_cases, (int)ARRAY_SIZE(cases), (const TTest *const[]){
		test_combo_walk_is_complete, test_full_matrix, test_private_never_leaks, NULL });
}
