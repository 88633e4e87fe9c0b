#include "config.h"

#include "gitrefs.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "log.h"

#define GITREFS_CACHE_SIZE 32

struct cached_repository {
	char *path;
	git_repository *repo;
	unsigned long last_used;
};

static struct cached_repository cache[GITREFS_CACHE_SIZE];
static unsigned long use_clock;

void
gitrefs_init(void)
{
	git_libgit2_init();
}

void
gitrefs_shutdown(void)
{
	for (size_t i = 0; i < GITREFS_CACHE_SIZE; i++) {
		if (cache[i].repo)
			git_repository_free(cache[i].repo);
		free(cache[i].path);
		cache[i] = (struct cached_repository){ 0 };
	}
	git_libgit2_shutdown();
}

static git_repository *
open_cached(const char *path)
{
	struct cached_repository *victim = &cache[0];
	git_repository *repo;

	for (size_t i = 0; i < GITREFS_CACHE_SIZE; i++) {
		if (cache[i].path && strcmp(cache[i].path, path) == 0) {
			cache[i].last_used = ++use_clock;
			return cache[i].repo;
		}
		if (cache[i].last_used < victim->last_used)
			victim = &cache[i];
	}
	if (git_repository_open_bare(&repo, path) != 0) {
		const git_error *e = git_error_last();

		log_warn("cannot open git repository %s: %s", path, e ? e->message : "unknown error");
		return NULL;
	}
	if (victim->repo)
		git_repository_free(victim->repo);
	free(victim->path);
	victim->path = xstrdup(path);
	victim->repo = repo;
	victim->last_used = ++use_clock;
	return repo;
}

static bool
is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return false;
	return true;
}

/*
 * Whether a lookup failed because no such name can be there, rather than
 * because the repository could not be read: a name libgit2 refuses
 * (GIT_EINVALIDSPEC), one too long for its buffers (GIT_EBUFS), or one the
 * file system cannot hold (a component over 255 bytes: ENAMETOOLONG, which
 * libgit2 reports as an OS error).
 */
static bool
name_cannot_exist(int rc)
{
	const git_error *e = git_error_last();

	if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC || rc == GIT_EBUFS)
		return true;
	return e != NULL && e->klass == GIT_ERROR_OS && errno == ENAMETOOLONG;
}

/* The commit a reference points to, tags peeled. */
static enum gitrefs_result
commit_of_reference(git_repository *repo, const char *name, char *sha_out)
{
	git_reference *ref = NULL;
	git_object *commit = NULL;
	int valid = 0;
	int rc;

	if (git_reference_name_is_valid(&valid, name) != 0 || !valid)
		return GITREFS_NOT_FOUND;
	rc = git_reference_lookup(&ref, repo, name);
	if (rc != 0)
		return name_cannot_exist(rc) ? GITREFS_NOT_FOUND : GITREFS_ERROR;
	rc = git_reference_peel(&commit, ref, GIT_OBJECT_COMMIT);
	git_reference_free(ref);
	if (rc != 0)
		return GITREFS_NOT_FOUND;
	git_oid_tostr(sha_out, GIT_OID_HEXSZ + 1, git_object_id(commit));
	git_object_free(commit);
	return GITREFS_FOUND;
}

static enum gitrefs_result
commit_of_sha(git_repository *repo, const char *hex, char *sha_out)
{
	git_oid oid;
	git_object *obj = NULL;
	size_t len = strlen(hex);
	int rc;

	if (git_oid_fromstrn(&oid, hex, len) != 0)
		return GITREFS_NOT_FOUND;
	rc = git_object_lookup_prefix(&obj, repo, &oid, len, GIT_OBJECT_COMMIT);
	if (rc == GIT_EAMBIGUOUS || name_cannot_exist(rc))
		return GITREFS_NOT_FOUND;
	if (rc != 0)
		return GITREFS_ERROR;
	git_oid_tostr(sha_out, GIT_OID_HEXSZ + 1, git_object_id(obj));
	git_object_free(obj);
	return GITREFS_FOUND;
}

struct git_repository *
gitrefs_repository(const char *git_dir)
{
	return git_dir ? open_cached(git_dir) : NULL;
}

/* No repository on disk: a full 40-hex SHA, as given, lower-cased. */
static enum gitrefs_result
sha_without_repository(const char *hex, char *sha_out)
{
	if (!is_hex(hex, 40, 40))
		return GITREFS_NOT_FOUND;
	for (size_t i = 0; i < 40; i++)
		sha_out[i] = (char)tolower((unsigned char)hex[i]);
	sha_out[40] = '\0';
	return GITREFS_FOUND;
}

/* What a full ref name is, by its namespace. */
static enum gitrefs_kind
kind_of_name(const char *name)
{
	if (strncmp(name, "refs/heads/", 11) == 0)
		return GITREFS_KIND_BRANCH;
	if (strncmp(name, "refs/tags/", 10) == 0)
		return GITREFS_KIND_TAG;
	return GITREFS_KIND_REF;
}

enum gitrefs_result
gitrefs_resolve_kind(const char *git_dir, const char *ref, char *sha_out, enum gitrefs_kind *kind)
{
	static const struct {
		const char *prefix;
		enum gitrefs_kind kind;
	} prefixes[] = {
		{ "refs/heads/", GITREFS_KIND_BRANCH },
		{ "refs/tags/", GITREFS_KIND_TAG },
	};
	git_repository *repo;
	enum gitrefs_result r;
	struct buf name = BUF_INIT;

	if (git_dir == NULL) {
		*kind = GITREFS_KIND_SHA;
		return sha_without_repository(ref, sha_out);
	}
	repo = open_cached(git_dir);
	if (repo == NULL)
		return GITREFS_ERROR;
	/* Branches and tags first: a branch may look like hex. */
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		buf_reset(&name);
		buf_puts(&name, prefixes[i].prefix);
		buf_puts(&name, ref);
		*kind = prefixes[i].kind;
		r = commit_of_reference(repo, name.data, sha_out);
		if (r != GITREFS_NOT_FOUND) {
			buf_release(&name);
			return r;
		}
	}
	buf_release(&name);
	if (strncmp(ref, "refs/", 5) == 0) {
		*kind = kind_of_name(ref);
		return commit_of_reference(repo, ref, sha_out);
	}
	*kind = GITREFS_KIND_SHA;
	if (is_hex(ref, 4, 40))
		return commit_of_sha(repo, ref, sha_out);
	return GITREFS_NOT_FOUND;
}

enum gitrefs_result
gitrefs_resolve(const char *git_dir, const char *ref, char *sha_out)
{
	enum gitrefs_kind kind;

	return gitrefs_resolve_kind(git_dir, ref, sha_out, &kind);
}

enum gitrefs_result
gitrefs_branch(const char *git_dir, const char *branch, char *sha_out)
{
	git_repository *repo;
	struct buf name = BUF_INIT;
	enum gitrefs_result r;

	if (git_dir == NULL)
		return GITREFS_NOT_FOUND;
	repo = open_cached(git_dir);
	if (repo == NULL)
		return GITREFS_ERROR;
	buf_puts(&name, "refs/heads/");
	buf_puts(&name, branch);
	r = commit_of_reference(repo, name.data, sha_out);
	buf_release(&name);
	return r;
}

enum gitrefs_result
gitrefs_commit(const char *git_dir, const char *hex, char *sha_out)
{
	git_repository *repo;

	if (git_dir == NULL)
		return sha_without_repository(hex, sha_out);
	if (!is_hex(hex, 4, 40))
		return GITREFS_NOT_FOUND;
	repo = open_cached(git_dir);
	if (repo == NULL)
		return GITREFS_ERROR;
	return commit_of_sha(repo, hex, sha_out);
}
