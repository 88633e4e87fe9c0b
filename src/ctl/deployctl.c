/*
 * deployctl: the admin CLI. Every subcommand takes the database from
 * --db CONNINFO (anywhere on the line) or the PG* variables, prints errors
 * on stderr and exits non-zero on failure. Other tools parse its output:
 * keep each command's stdout exactly as documented in docs/deployctl.md.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db_query.h"
#include "migrations.h"
#include "model.h"

#define MIGRATION_LOCK_KEY "7245871203"
#define TOKEN_PREFIX "dpa_"
#define TOKEN_RANDOM_CHARS 40

struct cli {
	struct db db;
	int argc;      /* the subcommand's own arguments */
	char **argv;
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

/* Splits "OWNER/NAME"; -1 when it is not of that form. */
static int
split_full_name(const char *full, struct buf *owner, const char **name)
{
	const char *slash = strchr(full, '/');

	if (slash == NULL || slash == full || slash[1] == '\0' || strchr(slash + 1, '/'))
		return -1;
	buf_append(owner, full, (size_t)(slash - full));
	*name = slash + 1;
	return 0;
}

/*
 * Options of a subcommand: "--name value" or "--name=value"; flags take
 * no value. Positional arguments are collected in order.
 */
struct opt {
	const char *name;
	bool is_flag;
	const char *value;  /* NULL when absent; "" for a present flag */
};

static int
parse_args(struct cli *cli, struct opt *opts, size_t nopts, const char **pos, size_t npos)
{
	size_t got = 0;

	for (int i = 0; i < cli->argc; i++) {
		const char *a = cli->argv[i];
		struct opt *o = NULL;
		size_t len;

		if (strncmp(a, "--", 2) != 0) {
			if (got == npos)
				return fail("unexpected argument '%s'", a);
			pos[got++] = a;
			continue;
		}
		len = strcspn(a + 2, "=");
		for (size_t j = 0; j < nopts; j++)
			if (strlen(opts[j].name) == len && strncmp(opts[j].name, a + 2, len) == 0)
				o = &opts[j];
		if (o == NULL)
			return fail("unknown option %s", a);
		if (o->is_flag)
			o->value = "";
		else if (a[2 + len] == '=')
			o->value = a + 3 + len;
		else if (i + 1 < cli->argc)
			o->value = cli->argv[++i];
		else
			return fail("--%s needs a value", o->name);
	}
	if (got != npos)
		return fail("missing argument (see deployctl --help)");
	return 0;
}

static int
cmd_migrate(struct cli *cli)
{
	const char *lock[] = { MIGRATION_LOCK_KEY };
	struct db_error err;
	PGresult *r;
	int applied = 0;

	if (parse_args(cli, NULL, 0, NULL, 0))
		return 1;
	/* One migrator at a time, whatever the number of hosts. */
	r = db_exec_once(&cli->db, "SELECT pg_advisory_lock($1::bigint)", 1, lock, &err);
	if (r == NULL)
		return fail_db("migrate", &err);
	PQclear(r);
	if (db_exec_script(&cli->db,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())", &err) < 0)
		return fail_db("migrate", &err);
	for (size_t i = 0; i < migrations_count; i++) {
		const char *version[] = { migrations[i].name };

		r = db_exec_once(&cli->db, "SELECT 1 FROM schema_migrations WHERE version = $1", 1,
		    version, &err);
		if (r == NULL)
			return fail_db("migrate", &err);
		if (PQntuples(r) == 1) {
			PQclear(r);
			continue;
		}
		PQclear(r);
		if (db_exec_script(&cli->db, "BEGIN", &err) < 0 ||
		    db_exec_script(&cli->db, migrations[i].sql, &err) < 0 ||
		    (r = db_exec_once(&cli->db, "INSERT INTO schema_migrations (version) VALUES ($1)", 1,
			version, &err)) == NULL) {
			struct db_error ignored;

			/* If even ROLLBACK fails, the connection is gone and the
			 * server has rolled back already. */
			if (db_exec_script(&cli->db, "ROLLBACK", &ignored) < 0)
				fprintf(stderr, "rollback failed: %s\n", ignored.message);
			return fail_db(migrations[i].name, &err);
		}
		PQclear(r);
		if (db_exec_script(&cli->db, "COMMIT", &err) < 0)
			return fail_db(migrations[i].name, &err);
		fprintf(stderr, "applied %s\n", migrations[i].name);
		applied++;
	}
	if (applied == 0)
		fprintf(stderr, "schema is up to date\n");
	return 0;
}

static int
cmd_user_create(struct cli *cli)
{
	struct opt opts[] = { { "site-admin", true, NULL } };
	const char *login;
	const char *params[2];
	struct db_error err;
	PGresult *r;

	if (parse_args(cli, opts, ARRAY_SIZE(opts), &login, 1))
		return 1;
	params[0] = login;
	params[1] = opts[0].value ? "true" : "false";
	r = db_exec_once(&cli->db, "INSERT INTO users (login, site_admin) VALUES ($1, $2) RETURNING id",
	    2, params, &err);
	if (r == NULL)
		return fail_db(login, &err);
	printf("%s\n", PQgetvalue(r, 0, 0));
	PQclear(r);
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
	struct opt opts[] = {
		{ "scopes", false, NULL },
		{ "expires-days", false, NULL },
		{ "rate-limit", false, NULL },
	};
	const char *login;
	const char *scopes;
	unsigned scope_bits;
	int64_t n;
	struct buf token = BUF_INIT;
	struct buf scope_array = BUF_INIT;
	char hash[65];
	const char *params[5];
	struct db_error err;
	PGresult *r;

	if (parse_args(cli, opts, ARRAY_SIZE(opts), &login, 1))
		return 1;
	scopes = opts[0].value ? opts[0].value : "repo";
	if (scopes_parse(scopes, &scope_bits) < 0)
		return fail("--scopes takes repo, public_repo and repo_deployment, not '%s'", scopes);
	if (opts[1].value && parse_int64(opts[1].value, 1, 36500, &n) < 0)
		return fail("--expires-days takes a number of days from 1 to 36500");
	if (opts[2].value && parse_int64(opts[2].value, 0, INT64_MAX, &n) < 0)
		return fail("--rate-limit takes a whole number (0: unlimited)");
	if (make_token(&token) < 0)
		return fail("cannot read random bytes");
	sha256_hex(token.data, token.len, hash);
	/* scopes as a PostgreSQL array literal; names were checked above. */
	buf_putc(&scope_array, '{');
	buf_puts(&scope_array, scopes);
	buf_putc(&scope_array, '}');
	for (char *p = scope_array.data; *p; p++)
		if (*p == ' ')
			*p = ',';
	params[0] = hash;
	params[1] = buf_cstr(&scope_array);
	params[2] = opts[1].value;
	params[3] = opts[2].value;
	params[4] = login;
	r = db_exec_once(&cli->db,
	    "INSERT INTO tokens (user_id, token_hash, scopes, expires_at, rate_limit)"
	    " SELECT id, $1, array_remove($2::text[], ''),"
	    "        now() + make_interval(days => $3::int), $4::bigint"
	    "   FROM users WHERE lower(login) = lower($5) RETURNING id",
	    5, params, &err);
	buf_release(&scope_array);
	if (r == NULL) {
		buf_release(&token);
		return fail_db(login, &err);
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		buf_release(&token);
		return fail("no user '%s'", login);
	}
	PQclear(r);
	printf("%s\n", token.data);
	buf_release(&token);
	return 0;
}

static int
cmd_repo_create(struct cli *cli)
{
	struct opt opts[] = {
		{ "private", true, NULL },
		{ "default-branch", false, NULL },
		{ "git-dir", false, NULL },
		{ "description", false, NULL },
	};
	const char *full = NULL;
	const char *name;
	struct buf owner = BUF_INIT;
	const char *params[6];
	struct db_error err;
	PGresult *r;
	int rc = 0;

	if (parse_args(cli, opts, ARRAY_SIZE(opts), &full, 1))
		return 1;
	if (split_full_name(full, &owner, &name) < 0)
		return fail("repository must be OWNER/NAME, not '%s'", full);
	params[0] = owner.data;
	params[1] = name;
	params[2] = opts[0].value ? "true" : "false";
	params[3] = opts[1].value ? opts[1].value : "main";
	params[4] = opts[2].value;
	params[5] = opts[3].value;
	/* The owner is created when missing, in the same statement. */
	r = db_exec_once(&cli->db,
	    "WITH existing AS (SELECT id FROM users WHERE lower(login) = lower($1)),"
	    " created AS (INSERT INTO users (login) SELECT $1"
	    "             WHERE NOT EXISTS (SELECT 1 FROM existing) RETURNING id),"
	    " owner AS (SELECT id FROM existing UNION ALL SELECT id FROM created)"
	    " INSERT INTO repositories (owner_id, name, private, default_branch, git_dir, description)"
	    " SELECT id, $2, $3, $4, $5, $6 FROM owner RETURNING id",
	    6, params, &err);
	if (r == NULL) {
		rc = fail_db(full, &err);
	} else {
		printf("%s\n", PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	buf_release(&owner);
	return rc;
}

static int
cmd_collaborator_add(struct cli *cli)
{
	struct opt opts[] = { { "permission", false, NULL } };
	const char *pos[2];
	const char *name;
	struct buf owner = BUF_INIT;
	const char *params[4];
	struct db_error err;
	PGresult *r;
	int rc = 0;

	if (parse_args(cli, opts, ARRAY_SIZE(opts), pos, 2))
		return 1;
	if (opts[0].value == NULL || permission_parse(opts[0].value) == PERMISSION_NONE)
		return fail("--permission takes pull, push or admin");
	if (split_full_name(pos[0], &owner, &name) < 0)
		return fail("repository must be OWNER/NAME, not '%s'", pos[0]);
	params[0] = owner.data;
	params[1] = name;
	params[2] = pos[1];
	params[3] = opts[0].value;
	r = db_exec_once(&cli->db,
	    "INSERT INTO collaborators (repository_id, user_id, permission)"
	    " SELECT r.id, u.id, $4 FROM repositories r JOIN users o ON o.id = r.owner_id, users u"
	    "  WHERE lower(o.login) = lower($1) AND lower(r.name) = lower($2)"
	    "    AND lower(u.login) = lower($3)"
	    " ON CONFLICT (repository_id, user_id) DO UPDATE SET permission = EXCLUDED.permission"
	    " RETURNING 1",
	    4, params, &err);
	if (r == NULL) {
		rc = fail_db(pos[0], &err);
	} else {
		if (PQntuples(r) != 1)
			rc = fail("no repository '%s' or no user '%s'", pos[0], pos[1]);
		PQclear(r);
	}
	buf_release(&owner);
	return rc;
}

static int
cmd_hook_create(struct cli *cli)
{
	struct opt opts[] = {
		{ "url", false, NULL },
		{ "secret", false, NULL },
		{ "events", false, NULL },
		{ "content-type", false, NULL },
	};
	const char *full = NULL;
	const char *name;
	struct buf owner = BUF_INIT;
	struct buf events = BUF_INIT;
	const char *params[6];
	struct db_error err;
	PGresult *r;
	int rc = 0;

	if (parse_args(cli, opts, ARRAY_SIZE(opts), &full, 1))
		return 1;
	if (split_full_name(full, &owner, &name) < 0)
		return fail("repository must be OWNER/NAME, not '%s'", full);
	if (opts[0].value == NULL || (strncmp(opts[0].value, "http://", 7) != 0 &&
	    strncmp(opts[0].value, "https://", 8) != 0)) {
		buf_release(&owner);
		return fail("--url takes an http:// or https:// URL");
	}
	if (opts[3].value && strcmp(opts[3].value, "json") != 0 && strcmp(opts[3].value, "form") != 0) {
		buf_release(&owner);
		return fail("--content-type takes json or form");
	}
	/* A PostgreSQL array literal of the event names (letters, '_', '*'). */
	buf_putc(&events, '{');
	buf_puts(&events, opts[2].value ? opts[2].value : "*");
	buf_putc(&events, '}');
	for (const char *p = events.data + 1; p[1]; p++) {
		if (!((*p >= 'a' && *p <= 'z') || *p == '_' || *p == '*' || *p == ',')) {
			buf_release(&events);
			buf_release(&owner);
			return fail("--events takes a comma-separated list of event names");
		}
	}
	params[0] = owner.data;
	params[1] = name;
	params[2] = opts[0].value;
	params[3] = opts[1].value;
	params[4] = events.data;
	params[5] = opts[3].value ? opts[3].value : "form";
	r = db_exec_once(&cli->db,
	    "INSERT INTO hooks (repository_id, url, secret, events, content_type)"
	    " SELECT r.id, $3, nullif($4, ''), $5::text[], $6"
	    "   FROM repositories r JOIN users o ON o.id = r.owner_id"
	    "  WHERE lower(o.login) = lower($1) AND lower(r.name) = lower($2) RETURNING id",
	    6, params, &err);
	if (r == NULL) {
		rc = fail_db(full, &err);
	} else {
		if (PQntuples(r) == 1)
			printf("%s\n", PQgetvalue(r, 0, 0));
		else
			rc = fail("no repository '%s'", full);
		PQclear(r);
	}
	buf_release(&events);
	buf_release(&owner);
	return rc;
}

/* The dispatch backlog, for monitoring: one logfmt line. */
static int
cmd_outbox_status(struct cli *cli)
{
	struct db_error err;
	PGresult *r;

	if (parse_args(cli, NULL, 0, NULL, 0))
		return 1;
	r = db_exec_once(&cli->db,
	    "SELECT (SELECT count(*) FROM outbox),"
	    "       coalesce((SELECT extract(epoch FROM now() - min(created_at))::bigint FROM outbox), 0),"
	    "       (SELECT count(*) FROM deliveries WHERE status = 'pending'),"
	    "       coalesce((SELECT extract(epoch FROM now() - min(created_at))::bigint"
	    "                   FROM deliveries WHERE status = 'pending'), 0),"
	    "       (SELECT count(*) FROM deliveries WHERE status = 'failed')",
	    0, NULL, &err);
	if (r == NULL)
		return fail_db("outbox status", &err);
	printf("outbox_pending=%s outbox_oldest_seconds=%s deliveries_pending=%s "
	    "deliveries_oldest_seconds=%s deliveries_failed=%s\n",
	    PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3),
	    PQgetvalue(r, 0, 4));
	PQclear(r);
	return 0;
}

static const struct command {
	const char *words[2];
	int (*run)(struct cli *cli);
	const char *usage;
} commands[] = {
	{ { "migrate", NULL }, cmd_migrate, "migrate" },
	{ { "user", "create" }, cmd_user_create, "user create LOGIN [--site-admin]" },
	{ { "token", "create" }, cmd_token_create,
	  "token create LOGIN [--scopes repo,repo_deployment,public_repo] [--expires-days N] "
	  "[--rate-limit N]" },
	{ { "repo", "create" }, cmd_repo_create,
	  "repo create OWNER/NAME [--private] [--default-branch main] [--git-dir PATH] "
	  "[--description TEXT]" },
	{ { "collaborator", "add" }, cmd_collaborator_add,
	  "collaborator add OWNER/NAME LOGIN --permission pull|push|admin" },
	{ { "hook", "create" }, cmd_hook_create,
	  "hook create OWNER/NAME --url URL [--secret S] [--events deployment,deployment_status] "
	  "[--content-type json|form]" },
	{ { "outbox", "status" }, cmd_outbox_status, "outbox status" },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: deployctl [--db CONNINFO] COMMAND\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fprintf(out, "\nWithout --db, the PG* environment variables name the database.\n");
}

int
main(int argc, char **argv)
{
	const char *conninfo = "";
	char **args = xcalloc((size_t)argc + 1, sizeof(*args));
	int nargs = 0;
	int rc = 2;
	struct cli cli;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			conninfo = argv[++i];
		else if (strncmp(argv[i], "--db=", 5) == 0)
			conninfo = argv[i] + 5;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			free(args);
			return 0;
		} else
			args[nargs++] = argv[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct command *c = &commands[i];
		int nwords = c->words[1] ? 2 : 1;

		if (nargs < nwords || strcmp(args[0], c->words[0]) != 0 ||
		    (nwords == 2 && strcmp(args[1], c->words[1]) != 0))
			continue;
		db_init(&cli.db, conninfo, 5, 60000, "deployctl");
		cli.argc = nargs - nwords;
		cli.argv = args + nwords;
		rc = c->run(&cli);
		db_release(&cli.db);
		free(args);
		return rc;
	}
	usage(stderr);
	free(args);
	return rc;
}
