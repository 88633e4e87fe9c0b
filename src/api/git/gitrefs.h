/*
 * Refs to commits through libgit2, against the bare repository a
 * repository row names. Opened repositories are cached per worker (the
 * worker is single-threaded), so a request does not reopen one; libgit2
 * re-reads refs and packs from disk as they change.
 */
#ifndef DEPLOY_GITREFS_H
#define DEPLOY_GITREFS_H

#include "util.h"

enum gitrefs_result {
	GITREFS_FOUND,
	GITREFS_NOT_FOUND,
	GITREFS_ERROR,      /* the repository cannot be opened or read */
};

/* Once per process, after fork. */
void gitrefs_init(void);
void gitrefs_shutdown(void);

/*
 * Resolves ref (a branch, a tag peeled to its commit, a full or
 * abbreviated commit SHA, or a full ref name) to the commit's 40-hex SHA
 * in sha_out (41 bytes). git_dir NULL: no repository on disk; only a full
 * 40-hex SHA is accepted, as given (lower-cased).
 */
enum gitrefs_result gitrefs_resolve(const char *git_dir, const char *ref, char *sha_out);

/* What a resolved ref named: only a branch can take an auto-merge. */
enum gitrefs_kind {
	GITREFS_KIND_BRANCH,  /* refs/heads/<ref>, or a full name under refs/heads/ */
	GITREFS_KIND_TAG,     /* refs/tags/<ref>, or a full name under refs/tags/ */
	GITREFS_KIND_REF,     /* another full ref name */
	GITREFS_KIND_SHA,     /* a commit SHA */
};

/* gitrefs_resolve, also saying what matched (in *kind, when found). */
enum gitrefs_result gitrefs_resolve_kind(const char *git_dir, const char *ref, char *sha_out,
    enum gitrefs_kind *kind);

/* The head of refs/heads/<branch> only. git_dir NULL: never found. */
enum gitrefs_result gitrefs_branch(const char *git_dir, const char *branch, char *sha_out);

/* A commit SHA only, never a ref name: full or abbreviated with a git
 * directory, full 40-hex without one (taken as given, lower-cased). */
enum gitrefs_result gitrefs_commit(const char *git_dir, const char *hex, char *sha_out);

/*
 * The worker's cached handle of git_dir, opened on first use; NULL (and
 * logged) when it cannot be opened. Borrowed: a later gitrefs call for
 * another repository may evict it, so use it within one request, on one
 * repository. Code that writes to the repository (gitmerge.c) goes through
 * it, so a worker never holds two handles on one repository.
 */
struct git_repository;
struct git_repository *gitrefs_repository(const char *git_dir);

#endif
