/*
 * deployctl: the admin CLI. Every subcommand takes the database from
 * --db CONNINFO (before the command or among its arguments) or the PG*
 * variables, prints errors on stderr and exits non-zero on failure. Other
 * tools parse its output: keep each command's stdout exactly as documented
 * in docs/deployctl.md. The SQL is ctl_store.c's; the options are parsed
 * by options.c, from one table per command.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ctl_store.h"
#include "migrations.h"
#include "model.h"
#include "options.h"

#define TOKEN_PREFIX "dpa_"
#define TOKEN_RANDOM_CHARS 40

/* The options of every command; each command's table names its own.
 * Strings are NULL when absent and have no default in the table. */
struct ctl_options {
	const char *db;
	bool site_admin;
	const char *scopes;
	const char *expires_days;
	const char *rate_limit;
	bool private_repo;
	const char *default_branch;
	const char *git_dir;
	const char *description;
	const char *permission;
	const char *url;
	const char *secret;
	const char *secret_file;
	const char *events;
	const char *content_type;
};

struct cli {
	struct db db;
	struct ctl_options opt;
	const char *args[2];  /* the command's arguments, in order */
	char *owner;          /* of the OWNER/NAME argument, when it has one */
	const char *name;
};

#define OPT(field) offsetof(struct ctl_options, field)
#define OPTIONS(defs) defs, ARRAY_SIZE(defs)

/* Before the command and in every command's table. No default: the
 * command's parse would put it back over a --db given before it. */
#define DB_OPTION                                                        \
	{ "db", OPTION_STRING, OPT(db), NULL, 0, 0,                      \
	  "libpq conninfo (default: the PG* environment variables)" }

static const struct option_def db_options[] = { DB_OPTION };

static const struct option_def user_create_options[] = {
	DB_OPTION,
	{ "site-admin", OPTION_FLAG, OPT(site_admin), NULL, 0, 0, "the user administers the server" },
};

/* --expires-days and --rate-limit are strings, checked by the command:
 * absent is not 0 (never expires; the server's default limit). */
static const struct option_def token_create_options[] = {
	DB_OPTION,
	{ "scopes", OPTION_STRING, OPT(scopes), "repo", 0, 0,
	  "comma-separated: repo, public_repo, repo_deployment" },
	{ "expires-days", OPTION_STRING, OPT(expires_days), NULL, 0, 0, "days the token is valid" },
	{ "rate-limit", OPTION_STRING, OPT(rate_limit), NULL, 0, 0,
	  "requests per hour (0: unlimited)" },
};

static const struct option_def repo_create_options[] = {
	DB_OPTION,
	{ "private", OPTION_FLAG, OPT(private_repo), NULL, 0, 0, "a private repository" },
	{ "default-branch", OPTION_STRING, OPT(default_branch), "main", 0, 0, "the default branch" },
	{ "git-dir", OPTION_STRING, OPT(git_dir), NULL, 0, 0, "the bare git repository" },
	{ "description", OPTION_STRING, OPT(description), NULL, 0, 0, "the description" },
};

static const struct option_def collaborator_add_options[] = {
	DB_OPTION,
	{ "permission", OPTION_STRING, OPT(permission), NULL, 0, 0, "pull, push or admin" },
};

static const struct option_def hook_create_options[] = {
	DB_OPTION,
	{ "url", OPTION_STRING, OPT(url), NULL, 0, 0, "where deliveries go" },
	{ "secret", OPTION_STRING, OPT(secret), NULL, 0, 0,
	  "signs the deliveries (visible to every local account in ps: prefer --secret-file)" },
	{ "secret-file", OPTION_STRING, OPT(secret_file), NULL, 0, 0,
	  "reads the secret from this file, or from standard input for -" },
	{ "events", OPTION_STRING, OPT(events), "*", 0, 0, "comma-separated event names" },
	{ "content-type", OPTION_STRING, OPT(content_type), "form", 0, 0, "json or form" },
};

static int
fail(const char *fmt, ...) PRINTF_LIKE(1, 2);

static int
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("deployctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int
fail_db(const char *what, const struct db_error *err)
{
	if (strcmp(err->sqlstate, "23505") == 0)
		return fail("%s: already exists", what);
	if (strcmp(err->sqlstate, "23514") == 0)
		return fail("%s: invalid value (%s)", what, err->message);
	return fail("%s: %s", what, err->message);
}

/* Splits "OWNER/NAME" into cli->owner and cli->name. */
static int
repository_arg(struct cli *cli, const char *full)
{
	const char *slash = strchr(full, '/');

	if (slash == NULL || slash == full || slash[1] == '\0' || strchr(slash + 1, '/'))
		return fail("repository must be OWNER/NAME, not '%s'", full);
	cli->owner = xstrndup(full, (size_t)(slash - full));
	cli->name = slash + 1;
	return 0;
}

static int
cmd_migrate(struct cli *cli)
{
	struct db_error err;
	int applied = 0;

	if (ctl_store_migrations_open(&cli->db, &err) < 0)
		return fail_db("migrate", &err);
	for (size_t i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];
		int done = ctl_store_migration_applied(&cli->db, m->name, &err);

		if (done < 0)
			return fail_db("migrate", &err);
		if (done)
			continue;
		if (ctl_store_migration_apply(&cli->db, m->name, m->sql, &err) < 0)
			return fail_db(m->name, &err);
		fprintf(stderr, "applied %s\n", m->name);
		applied++;
	}
	if (applied == 0)
		fprintf(stderr, "schema is up to date\n");
	return 0;
}

static int
cmd_user_create(struct cli *cli)
{
	const char *login = cli->args[0];
	struct db_error err;
	int64_t id;

	if (ctl_store_user_create(&cli->db, login, cli->opt.site_admin, &id, &err) < 0)
		return fail_db(login, &err);
	printf("%" PRId64 "\n", id);
	return 0;
}

static int
make_token(struct buf *token)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[TOKEN_RANDOM_CHARS];

	buf_puts(token, TOKEN_PREFIX);
	for (size_t i = 0; i < sizeof(rnd); i++) {
		/* Rejection sampling keeps every character equally likely. */
		do {
			if (random_bytes(&rnd[i], 1) < 0)
				return -1;
		} while (rnd[i] >= 248);
		buf_putc(token, alphabet[rnd[i] % 62]);
	}
	return 0;
}

static int
cmd_token_create(struct cli *cli)
{
	const struct ctl_options *o = &cli->opt;
	char hash[65];
	struct ctl_token t = { cli->args[0], hash, o->scopes, o->expires_days, o->rate_limit };
	unsigned scope_bits;
	int64_t n;
	struct buf token = BUF_INIT;
	struct db_error err;
	int rc;

	if (scopes_parse(o->scopes, &scope_bits) < 0)
		return fail("--scopes takes repo, public_repo and repo_deployment, not '%s'", o->scopes);
	if (o->expires_days && parse_int64(o->expires_days, 1, 36500, &n) < 0)
		return fail("--expires-days takes a number of days from 1 to 36500");
	if (o->rate_limit && parse_int64(o->rate_limit, 0, INT64_MAX, &n) < 0)
		return fail("--rate-limit takes a whole number (0: unlimited)");
	if (make_token(&token) < 0) {
		buf_release(&token);
		return fail("cannot read random bytes");
	}
	sha256_hex(token.data, token.len, hash);
	rc = ctl_store_token_create(&cli->db, &t, &err);
	if (rc < 0)
		rc = fail_db(t.login, &err);
	else if (rc == 0)
		rc = fail("no user '%s'", t.login);
	else {
		printf("%s\n", token.data);
		rc = 0;
	}
	buf_release(&token);
	return rc;
}

static int
cmd_repo_create(struct cli *cli)
{
	const struct ctl_options *o = &cli->opt;
	const struct ctl_repo r = { cli->owner, cli->name, o->private_repo, o->default_branch,
		o->git_dir, o->description };
	struct db_error err;
	int64_t id;

	if (ctl_store_repo_create(&cli->db, &r, &id, &err) < 0)
		return fail_db(cli->args[0], &err);
	printf("%" PRId64 "\n", id);
	return 0;
}

static int
cmd_collaborator_add(struct cli *cli)
{
	const char *permission = cli->opt.permission;
	struct db_error err;
	int rc;

	if (permission == NULL || permission_parse(permission) == PERMISSION_NONE)
		return fail("--permission takes pull, push or admin");
	rc = ctl_store_collaborator_add(&cli->db, cli->owner, cli->name, cli->args[1], permission, &err);
	if (rc < 0)
		return fail_db(cli->args[0], &err);
	if (rc == 0)
		return fail("no repository '%s' or no user '%s'", cli->args[0], cli->args[1]);
	return 0;
}

/* Comma-separated names of lower-case letters, '_' and '*', none empty;
 * "" is no event at all. */
static bool
events_valid(const char *s)
{
	if (*s == '\0')
		return true;
	for (;;) {
		size_t len = strspn(s, "abcdefghijklmnopqrstuvwxyz_*");

		if (len == 0)
			return false;
		s += len;
		if (*s == '\0')
			return true;
		if (*s++ != ',')
			return false;
	}
}

/* The secret in path ("-": standard input), without the line end a file
 * written by echo or an editor has; NULL when it cannot be read. */
static char *
read_secret(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	struct buf secret = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&secret, chunk, n);
	if (ferror(f)) {
		buf_release(&secret);
		secret.data = NULL;
	}
	if (f != stdin)
		fclose(f);
	if (secret.data == NULL)
		return NULL;
	while (secret.len > 0 && (secret.data[secret.len - 1] == '\n' || secret.data[secret.len - 1] == '\r'))
		secret.data[--secret.len] = '\0';
	return buf_detach(&secret);
}

static int create_hook(struct cli *cli, const char *secret);

/* Secrets come from a file or standard input: an argument is visible to
 * every local account (ps, /proc/PID/cmdline). --secret stays for scripts. */
static int
cmd_hook_create(struct cli *cli)
{
	const struct ctl_options *o = &cli->opt;
	char *secret;
	int rc;

	if (o->secret_file == NULL)
		return create_hook(cli, o->secret);
	if (o->secret != NULL)
		return fail("--secret and --secret-file exclude each other");
	secret = read_secret(o->secret_file);
	if (secret == NULL)
		return fail("cannot read the secret from --secret-file");
	rc = create_hook(cli, secret);
	free(secret);
	return rc;
}

static int
create_hook(struct cli *cli, const char *secret)
{
	const struct ctl_options *o = &cli->opt;
	const struct ctl_hook h = { cli->owner, cli->name, o->url, secret, o->events,
		o->content_type };
	struct db_error err;
	int64_t id;
	int rc;

	if (o->url == NULL || (strncmp(o->url, "http://", 7) != 0 && strncmp(o->url, "https://", 8) != 0))
		return fail("--url takes an http:// or https:// URL");
	if (strcmp(o->content_type, "json") != 0 && strcmp(o->content_type, "form") != 0)
		return fail("--content-type takes json or form");
	if (!events_valid(o->events))
		return fail("--events takes a comma-separated list of event names");
	rc = ctl_store_hook_create(&cli->db, &h, &id, &err);
	if (rc < 0)
		return fail_db(cli->args[0], &err);
	if (rc == 0)
		return fail("no repository '%s'", cli->args[0]);
	printf("%" PRId64 "\n", id);
	return 0;
}

/* The dispatch backlog, for monitoring: one logfmt line. */
static int
cmd_outbox_status(struct cli *cli)
{
	struct ctl_outbox_status s;
	struct db_error err;

	if (ctl_store_outbox_status(&cli->db, &s, &err) < 0)
		return fail_db("outbox status", &err);
	printf("outbox_pending=%" PRId64 " outbox_oldest_seconds=%" PRId64 " deliveries_pending=%" PRId64
	    " deliveries_oldest_seconds=%" PRId64 " deliveries_failed=%" PRId64 "\n",
	    s.outbox_pending, s.outbox_oldest_seconds, s.deliveries_pending,
	    s.deliveries_oldest_seconds, s.deliveries_failed);
	return 0;
}

static const struct command {
	const char *words[2];
	int (*run)(struct cli *cli);
	const struct option_def *options;
	size_t noptions;
	size_t nargs;        /* arguments besides options, all required */
	bool repository;     /* the first is OWNER/NAME */
	const char *usage;
} commands[] = {
	{ { "migrate", NULL }, cmd_migrate, OPTIONS(db_options), 0, false, "migrate" },
	{ { "user", "create" }, cmd_user_create, OPTIONS(user_create_options), 1, false,
	  "user create LOGIN [--site-admin]" },
	{ { "token", "create" }, cmd_token_create, OPTIONS(token_create_options), 1, false,
	  "token create LOGIN [--scopes repo,repo_deployment,public_repo] [--expires-days N] "
	  "[--rate-limit N]" },
	{ { "repo", "create" }, cmd_repo_create, OPTIONS(repo_create_options), 1, true,
	  "repo create OWNER/NAME [--private] [--default-branch main] [--git-dir PATH] "
	  "[--description TEXT]" },
	{ { "collaborator", "add" }, cmd_collaborator_add, OPTIONS(collaborator_add_options), 2, true,
	  "collaborator add OWNER/NAME LOGIN --permission pull|push|admin" },
	{ { "hook", "create" }, cmd_hook_create, OPTIONS(hook_create_options), 1, true,
	  "hook create OWNER/NAME --url URL [--secret-file FILE|-] [--events deployment,deployment_status] "
	  "[--content-type json|form]" },
	{ { "outbox", "status" }, cmd_outbox_status, OPTIONS(db_options), 0, false,
	  "outbox status" },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: deployctl [--db CONNINFO] COMMAND\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fprintf(out, "\nWithout --db, the PG* environment variables name the database.\n");
}

/* The command named by the words at argv[0..argc), or NULL. */
static const struct command *
command_find(int argc, char **argv, int *nwords)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct command *c = &commands[i];

		*nwords = c->words[1] ? 2 : 1;
		if (argc >= *nwords && strcmp(argv[0], c->words[0]) == 0 &&
		    (*nwords == 1 || strcmp(argv[1], c->words[1]) == 0))
			return c;
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option_table global = { "deployctl", OPTIONS(db_options) };
	struct cli cli = { .owner = NULL };
	const struct command *c = NULL;
	struct option_table table;
	int first, nwords, rc;
	size_t nargs = 0;

	/* The options before the command, then the command's own. */
	rc = options_parse_prefix(&global, &cli.opt, argc, argv, 1, &first);
	if (rc == 0)
		c = command_find(argc - first, argv + first, &nwords);
	if (c != NULL) {
		table = (struct option_table){ "deployctl", c->options, c->noptions };
		rc = options_parse_args(&table, &cli.opt, argc, argv, first + nwords, cli.args, c->nargs,
		    &nargs);
		if (rc < 0)
			return 1;
	}
	if (rc == 1) {
		usage(stdout);
		return 0;
	}
	if (c == NULL) {
		usage(stderr);
		return 2;
	}
	if (nargs != c->nargs)
		return fail("missing argument (see deployctl --help)");
	if (c->repository && repository_arg(&cli, cli.args[0]))
		return 1;
	db_init(&cli.db, cli.opt.db ? cli.opt.db : "", 5, 60000, "deployctl");
	rc = c->run(&cli);
	db_release(&cli.db);
	free(cli.owner);
	return rc;
}
