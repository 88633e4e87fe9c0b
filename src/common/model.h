/*
 * The records the API serves, free of libpq and jansson types. Strings are
 * owned by the struct and released by its *_release function.
 */
#ifndef DEPLOY_MODEL_H
#define DEPLOY_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct user {
	int64_t id;
	char *login;
	bool site_admin;
	char *name;        /* NULL when unset */
	char *email;       /* NULL when unset */
	int64_t created_at;
	int64_t updated_at;
};

enum permission {
	PERMISSION_NONE = 0,
	PERMISSION_PULL,
	PERMISSION_PUSH,
	PERMISSION_ADMIN,
};

struct repository {
	int64_t id;
	char *name;
	bool is_private;
	char *default_branch;
	char *git_dir;      /* NULL: no git directory on disk */
	char *description;  /* NULL when unset */
	char *homepage;     /* NULL when unset */
	int64_t created_at;
	int64_t updated_at;
	int64_t pushed_at;
	struct user owner;
};

enum token_scope {
	SCOPE_REPO = 1 << 0,
	SCOPE_PUBLIC_REPO = 1 << 1,
	SCOPE_REPO_DEPLOYMENT = 1 << 2,
};

/* Who is calling. */
struct principal {
	bool authenticated;
	int64_t token_id;
	unsigned scopes;       /* enum token_scope bits */
	char *scopes_header;   /* "repo, repo_deployment" for X-OAuth-Scopes */
	int64_t rate_limit;    /* -1: the server's default; 0: unlimited */
	struct user user;
};

struct deployment {
	int64_t id;
	char sha[41];
	char *ref;
	char *task;
	char *payload;              /* JSON text: an object or a string */
	char *original_environment;
	char *environment;
	char *description;          /* NULL when unset */
	bool transient_environment;
	bool production_environment;
	char *latest_state;         /* NULL: no status yet */
	int64_t created_at;
	int64_t updated_at;
	struct user creator;
};

struct deployment_status {
	int64_t id;
	int64_t deployment_id;
	char *state;
	char *description;
	char *environment;
	char *target_url;
	char *log_url;
	char *environment_url;
	int64_t created_at;
	int64_t updated_at;
	struct user creator;
};

/* An environment of a repository (shared/spec/environments.md). */
struct environment {
	int64_t id;
	char *name;                /* as first spelled */
	bool can_admins_bypass;
	int64_t branch_gate_id;    /* 0: deployment_branch_policy null */
	int64_t created_at;
	int64_t updated_at;
};

/* A custom deployment branch policy of an environment. */
struct branch_policy {
	int64_t id;
	char *name;                /* a Ruby fnmatch pattern */
	char *type;                /* "branch" or "tag" */
};

/* A commit status (GitHub's statuses API), not a deployment's status. */
struct commit_status {
	int64_t id;
	char sha[41];
	char *state;               /* error, failure, pending, success */
	char *description;         /* NULL when unset */
	char *target_url;          /* NULL when unset */
	char *context;
	int64_t created_at;
	int64_t updated_at;
	struct user creator;       /* the combined status reads only its id */
};

struct hook {
	int64_t id;
	int64_t repository_id;
	char *url;
	char *content_type;       /* "json" or "form" */
	bool has_secret;
	bool insecure_ssl;
	char *events;             /* JSON array text */
	bool active;
	int64_t created_at;
	int64_t updated_at;
	int64_t last_status_code; /* -1: no delivery has a response yet */
	bool used;                /* any delivery at all */
	char *disabled_reason;    /* why deploy-dispatch disabled it; NULL: it did not */
};

struct delivery {
	int64_t id;
	char *guid;
	int64_t hook_id;
	int64_t repository_id;
	char *event;
	char *action;             /* NULL when the event has none */
	char *status;             /* pending, delivered, failed */
	bool redelivery;
	int64_t created_at;
	int64_t delivered_at;     /* 0: not delivered */
	int64_t status_code;      /* -1: no response yet */
	double duration_ms;       /* -1: no attempt yet */
	char *payload;            /* JSON text; detail only */
	/* The last attempt; detail only, NULL when there was none. */
	char *request_headers;    /* JSON object text */
	char *response_headers;   /* JSON object text */
	char *response_body;
	char *error;
};

/* The repository owner's counters in GitHub's private-user object. */
struct user_counts {
	int64_t public_repos;
	int64_t owned_private_repos;
	int64_t total_private_repos;
	int64_t collaborators;
};

/* Author and committer of the merge commit. */
struct git_identity {
	const char *name;
	const char *email;
	int64_t when;               /* epoch seconds, written as UTC */
};

/* The merge commit written, for rendering it. */
struct merge_commit {
	char sha[41];
	char tree[41];
	char parents[2][41];        /* the branch's head, then the merged commit */
};

/* A commit as GitHub's commit object shows it (render_commit). Filled by
 * gitcommit_read(), it owns its strings and parents (commit_info_release);
 * built by a caller around its own data (a merge just written), it
 * borrows them and is not released. */
struct commit_info {
	char sha[41];
	char tree[41];
	char (*parents)[41];        /* nparents SHAs, first parent first */
	size_t nparents;
	struct git_identity author;
	struct git_identity committer;
	const char *message;
};

void commit_info_release(struct commit_info *c);

/* Deep copies: dst owns its strings (release it with the matching
 * *_release). */
void user_copy(struct user *dst, const struct user *src);
void repository_copy(struct repository *dst, const struct repository *src);
void principal_copy(struct principal *dst, const struct principal *src);

void user_release(struct user *u);
void hook_release(struct hook *h);
void delivery_release(struct delivery *d);
void deployment_status_release(struct deployment_status *s);
void environment_release(struct environment *e);
void branch_policy_release(struct branch_policy *p);
void commit_status_release(struct commit_status *s);
void deployment_release(struct deployment *d);
void repository_release(struct repository *r);
void principal_release(struct principal *p);

enum permission permission_parse(const char *s);
/* Parses a comma-separated list of scope names; -1 on an unknown one. */
int scopes_parse(const char *list, unsigned *out);

#endif
