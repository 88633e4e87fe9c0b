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

#endif
