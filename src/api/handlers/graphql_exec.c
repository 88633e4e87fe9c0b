#include "config.h"

#include "graphql_exec.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "access.h"
#include "gitrefs.h"
#include "gql_introspection.h"
#include "gql_limits.h"
#include "gql_request.h"
#include "graphql_ids.h"
#include "graphql_resolve.h"
#include "graphql_schema.h"
#include "store_environments.h"
#include "store_graphql.h"

_Static_assert(STORE_GRAPHQL_PAGE_MAX == GQL_PAGE_MAX, "the store reads at most a page of first or last");

/* A deployment pending status never updated for this long is ABANDONED
 * (graphql.md section 4.1). */
#define ABANDONED_AFTER_SECONDS (30 * 60)

struct commit_ref {
	const char *sha;
	const struct graphql_repository *repo;
};

struct ref_ref {
	const char *name;
	const char *prefix;
	const char *sha;
	const struct graphql_repository *repo;
};

static const struct gql_schema *const schema = &graphql_schema;

/* gql_validate refuses a query deeper than GQL_DEPTH_MAX fields; each field
 * adds at most a list and an object to data, inside the response's object. */
_Static_assert(JSONW_MAX_DEPTH > 2 * GQL_DEPTH_MAX + 2, "data cannot nest that deep");

static bool
is_non_null(const char *type, const char *field)
{
	const struct gql_type_def *t = gql_schema_type(schema, type);
	const struct gql_field_def *f = t ? gql_schema_field(t, field) : NULL;

	return f && f->type[strlen(f->type) - 1] == '!';
}

/* Where the writer was, to cut back to when a value turns out null. */
struct mark {
	struct jsonw w;
	size_t len;
};

static void
mark_take(struct gx *g, struct mark *m)
{
	m->w = *g->w;
	m->len = g->w->out->len;
}

static void
mark_restore(struct gx *g, const struct mark *m)
{
	*g->w = m->w;
	g->w->out->len = m->len;
	if (g->w->out->data)
		g->w->out->data[m->len] = '\0';
}

/* An object of type type: each field collected from sets, resolved by fn. */
int
gx_write_object(struct gx *g, const char *type, const struct gql_set *sets,
    const struct gql_path *path, resolver_fn fn, const void *obj)
{
	const struct graphql_exec *x = g->x;
	struct gql_field_group *f = gql_collect(x->arena, x->doc, schema, sets, type, x->vars);

	jw_object_begin(g->w);
	for (; f; f = f->next) {
		struct gql_path p = { .up = path, .key = f->key };
		struct mark m;
		int rc;

		mark_take(g, &m);
		jw_key(g->w, f->key);
		if (strcmp(f->field->name, "__typename") == 0) {
			jw_string(g->w, type);
			continue;
		}
		rc = fn(g, obj, f, &p);
		if (rc == GX_FATAL)
			return rc;
		if (rc == GX_NULL) {
			if (is_non_null(type, f->field->name))
				return GX_NULL;
			mark_restore(g, &m);
			jw_key(g->w, f->key);
			jw_null(g->w);
		}
	}
	jw_object_end(g->w);
	return 0;
}

/* A nullable item of a list: null when it fails. */
static int
write_item(struct gx *g, const char *type, const struct gql_set *sets, const struct gql_path *up,
    size_t index, resolver_fn fn, const void *obj)
{
	struct gql_path p = { .up = up, .index = (int64_t)index };
	struct mark m;
	int rc;

	mark_take(g, &m);
	rc = gx_write_object(g, type, sets, &p, fn, obj);
	if (rc == GX_NULL) {
		mark_restore(g, &m);
		jw_null(g->w);
		rc = 0;
	}
	return rc;
}

int
gx_add_error(struct gx *g, const char *type, const struct gql_path *path,
    const struct gql_selection *field, const struct buf *msg)
{
	gql_errors_add(g->x->errs, type, path, field->loc, buf_cstr(msg));
	return GX_NULL;
}

int
gx_db_failed(struct gx *g, const struct db_error *err)
{
	g->x->db_error = *err;
	return GX_FATAL;
}

/* A String value as C text; NULL for any other value and for a string
 * holding NUL, which no stored name or text can (PostgreSQL's text
 * cannot), and which C would cut short into another name. */
const char *
gx_text(const struct gql_value *v)
{
	return v && v->kind == GQL_VALUE_STRING && strlen(v->text) == v->len ? v->text : NULL;
}

static const char *
string_arg(struct gx *g, const struct gql_field_group *f, const char *name)
{
	return gx_text(gql_argument(f->field, name, g->x->vars));
}

/* a, sep and b as one string value ("octo/app", "https://host/octo"). */
static void
write_joined(struct gx *g, const char *a, const char *sep, const char *b)
{
	jw_string_begin(g->w);
	jw_string_part(g->w, a);
	jw_string_part(g->w, sep);
	jw_string_part(g->w, b);
	jw_string_end(g->w);
}

static void
write_id(struct gx *g, const char *type, int64_t id)
{
	char *s = render_node_id(type, id);

	jw_string(g->w, s);
	free(s);
}

static void
write_string_or_null_if_empty(struct gx *g, const char *s)
{
	if (s && *s)
		jw_string(g->w, s);
	else
		jw_null(g->w);
}

static void
write_upper(struct gx *g, const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s; s++)
		buf_putc(&b, (char)toupper((unsigned char)*s));
	jw_string(g->w, buf_cstr(&b));
	buf_release(&b);
}

/* Whether the caller may do what need says on repo, by REST's rules:
 * ROUTE_REPO_READ as GET of a deployment, ROUTE_REPO_WRITE as its POST. */
bool
gx_allowed(struct gx *g, const struct graphql_repository *r, enum route_access need)
{
	struct access_request ar = {
		.need = need,
		.scope_class = SCOPE_CLASS_DEPLOYMENTS,
		.principal = &g->x->ctx->auth->principal,
		.repo_found = true,
		.repo_private = r->repo.is_private,
		.permission = r->permission,
	};

	return access_decide(&ar) == ACCESS_ALLOW;
}

/* ---- User (every actor and owner here is a user) ---- */

static int
resolve_user(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct user *u = obj;
	const char *n = f->field->name;
	const char *web = g->x->ctx->urls.web;

	(void)path;
	if (strcmp(n, "login") == 0)
		jw_string(g->w, u->login);
	else if (strcmp(n, "url") == 0)
		write_joined(g, web, "/", u->login);
	else if (strcmp(n, "resourcePath") == 0)
		write_joined(g, "", "/", u->login);
	else if (strcmp(n, "avatarUrl") == 0)
		render_avatar_url(g->w, &g->x->ctx->urls, u->id);
	else if (strcmp(n, "id") == 0)
		write_id(g, "User", u->id);
	else if (strcmp(n, "databaseId") == 0)
		jw_int(g->w, u->id);
	else
		jw_string(g->w, u->name);
	return 0;
}

/* ---- Repository ---- */

static int resolve_repository(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path);
static int resolve_environment(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path);
static int resolve_protection_rule(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path);
static int resolve_deployments(struct gx *g, const struct graphql_repository *r, const char *sha,
    const struct gql_field_group *f, const struct gql_path *path);

static int
write_repository(struct gx *g, const struct graphql_repository *r, const struct gql_field_group *f,
    const struct gql_path *path)
{
	return gx_write_object(g, "Repository", f->sets, path, resolve_repository, r);
}

/* ---- Commit and Ref ---- */

static void
write_commit_path(struct gx *g, const char *base, const struct commit_ref *c)
{
	jw_string_begin(g->w);
	jw_string_part(g->w, base);
	jw_string_part(g->w, "/");
	jw_string_part(g->w, c->repo->repo.owner.login);
	jw_string_part(g->w, "/");
	jw_string_part(g->w, c->repo->repo.name);
	jw_string_part(g->w, "/commit/");
	jw_string_part(g->w, c->sha);
	jw_string_end(g->w);
}

/* A git object's id: "<repository id>:<a><b>" (spec section 5). */
static void
write_git_id(struct gx *g, const char *type, const struct graphql_repository *r, const char *a,
    const char *b)
{
	struct buf key = BUF_INIT;
	char *id;

	buf_printf(&key, "%lld:%s%s", (long long)r->repo.id, a, b);
	id = render_node_id_text(type, buf_cstr(&key));
	jw_string(g->w, id);
	free(id);
	buf_release(&key);
}

static int
resolve_commit(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct commit_ref *c = obj;
	const char *n = f->field->name;

	if (strcmp(n, "id") == 0) {
		write_git_id(g, "Commit", c->repo, c->sha, "");
	} else if (strcmp(n, "oid") == 0) {
		jw_string(g->w, c->sha);
	} else if (strcmp(n, "abbreviatedOid") == 0) {
		jw_stringn(g->w, c->sha, 7);
	} else if (strcmp(n, "commitUrl") == 0 || strcmp(n, "url") == 0) {
		write_commit_path(g, g->x->ctx->urls.web, c);
	} else if (strcmp(n, "commitResourcePath") == 0 || strcmp(n, "resourcePath") == 0) {
		write_commit_path(g, "", c);
	} else if (strcmp(n, "deployments") == 0) {
		return resolve_deployments(g, c->repo, c->sha, f, path);
	} else {
		return write_repository(g, c->repo, f, path);
	}
	return 0;
}

static int
resolve_ref(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct ref_ref *r = obj;
	const char *n = f->field->name;

	if (strcmp(n, "id") == 0) {
		write_git_id(g, "Ref", r->repo, r->prefix, r->name);
	} else if (strcmp(n, "name") == 0) {
		jw_string(g->w, r->name);
	} else if (strcmp(n, "prefix") == 0) {
		jw_string(g->w, r->prefix);
	} else if (strcmp(n, "target") == 0) {
		struct commit_ref c = { r->sha, r->repo };

		return gx_write_object(g, "Commit", f->sets, path, resolve_commit, &c);
	} else {
		return write_repository(g, r->repo, f, path);
	}
	return 0;
}

/* The branch or tag name names now (a short name or a full one under
 * refs/heads/ or refs/tags/), or null: a SHA, a ref gone, no git
 * directory (graphql.md section 3). branch_only: the default branch. */
static int
write_named_ref(struct gx *g, const struct graphql_repository *r, const char *name,
    bool branch_only, const struct gql_field_group *f, const struct gql_path *path)
{
	char sha[41];
	enum gitrefs_kind kind = GITREFS_KIND_BRANCH;
	struct ref_ref ref = { .sha = sha, .repo = r };
	enum gitrefs_result found;

	if (r->repo.git_dir == NULL || name == NULL || *name == '\0') {
		jw_null(g->w);
		return 0;
	}
	found = branch_only ? gitrefs_branch(r->repo.git_dir, name, sha)
	    : gitrefs_resolve_kind(r->repo.git_dir, name, sha, &kind);
	if (found != GITREFS_FOUND || (kind != GITREFS_KIND_BRANCH && kind != GITREFS_KIND_TAG)) {
		jw_null(g->w);
		return 0;
	}
	ref.prefix = kind == GITREFS_KIND_BRANCH ? "refs/heads/" : "refs/tags/";
	if (strncmp(name, ref.prefix, strlen(ref.prefix)) == 0)
		name += strlen(ref.prefix);
	ref.name = name;
	return gx_write_object(g, "Ref", f->sets, path, resolve_ref, &ref);
}

/* ---- Connections ---- */

/* first/last/after/before of a connection field as a window; GX_NULL
 * with GitHub's error when they do not make one (graphql.md 2.2). */
static int
window_args(struct gx *g, const struct gql_field_group *f, const struct gql_path *path,
    bool with_time, struct graphql_window *w)
{
	static const char *const bounds[] = { "first", "last" };
	static const char *const cursors[] = { "after", "before" };
	const char *conn = f->field->name;
	struct buf msg = BUF_INIT;
	int64_t n[2] = { -1, -1 };
	int rc = 0;

	memset(w, 0, sizeof(*w));
	for (size_t i = 0; i < 2 && rc == 0; i++) {
		const struct gql_value *v = gql_argument(f->field, bounds[i], g->x->vars);

		if (v == NULL || v->kind != GQL_VALUE_INT)
			continue;
		n[i] = strtoll(v->text, NULL, 10);
		if (n[i] < 0) {
			buf_printf(&msg, "`%s` on the `%s` connection cannot be less than zero.",
			    bounds[i], conn);
			rc = gx_add_error(g, "INVALID_PAGINATION", path, f->field, &msg);
		} else if (n[i] > GQL_PAGE_MAX) {
			buf_printf(&msg, "Requesting %lld records on the `%s` connection exceeds the "
			    "`%s` limit of %d records.", (long long)n[i], conn, bounds[i], GQL_PAGE_MAX);
			rc = gx_add_error(g, "EXCESSIVE_PAGINATION", path, f->field, &msg);
		}
	}
	if (rc == 0 && n[0] >= 0 && n[1] >= 0) {
		buf_printf(&msg, "Passing both `first` and `last` to paginate the `%s` connection is "
		    "not supported.", conn);
		rc = gx_add_error(g, NULL, path, f->field, &msg);
	}
	for (size_t i = 0; i < 2 && rc == 0; i++) {
		const struct gql_value *v = gql_argument(f->field, cursors[i], g->x->vars);
		struct graphql_key *k = i == 0 ? &w->after : &w->before;

		if (v == NULL || v->kind != GQL_VALUE_STRING)
			continue;
		if (graphql_cursor_parse(v->text, v->len, with_time, k) < 0) {
			buf_puts(&msg, "`");
			buf_append(&msg, v->text, v->len);
			buf_puts(&msg, "` does not appear to be a valid cursor.");
			rc = gx_add_error(g, "INVALID_CURSOR_ARGUMENTS", path, f->field, &msg);
		}
	}
	w->from_end = n[1] >= 0;
	/* Neither: only totalCount or pageInfo is selected (gql_analyse). */
	w->limit = n[0] >= 0 ? n[0] : n[1] >= 0 ? n[1] : 0;
	buf_release(&msg);
	return rc;
}

enum connection_kind {
	CONNECTION_DEPLOYMENTS,
	CONNECTION_STATUSES,
	CONNECTION_ENVIRONMENTS,
	CONNECTION_PROTECTION_RULES,
};

/* Each kind's node and edge types, by enum connection_kind. */
static const char *const connection_types[][2] = {
	{ "Deployment", "DeploymentEdge" },
	{ "DeploymentStatus", "DeploymentStatusEdge" },
	{ "Environment", "EnvironmentEdge" },
	{ "DeploymentProtectionRule", "DeploymentProtectionRuleEdge" },
};

/* A page of a connection: its items are the kind's (NULL when count is 0). */
struct connection {
	enum connection_kind kind;
	const struct graphql_page_info *info;
	size_t count;
	struct deployment_batch *deployments;
	const struct graphql_status_page *statuses;
	const struct deployment_ref *parent;        /* the statuses' deployment */
	const struct environment *environments;
	const int64_t *rules;                       /* protection rules: their gate ids */
};

struct edge {
	const struct connection *c;
	size_t index;
};


static void
connection_cursor(const struct connection *c, size_t i, struct buf *out)
{
	struct graphql_key k = { .set = true };

	switch (c->kind) {
	case CONNECTION_DEPLOYMENTS:
		k.created_at = c->deployments->items[i].created_at;
		k.id = c->deployments->items[i].id;
		break;
	case CONNECTION_STATUSES:
		k.id = c->statuses->items[i].id;
		break;
	case CONNECTION_ENVIRONMENTS:
		k.id = c->environments[i].id;
		break;
	case CONNECTION_PROTECTION_RULES:
		k.id = c->rules[i];
		break;
	}
	graphql_cursor_write(out, &k);
}

/* The connection's node i: an object of its node type. */
static int
write_connection_node(struct gx *g, const struct connection *c, size_t i,
    const struct gql_set *sets, const struct gql_path *path, bool in_list)
{
	struct deployment_ref d = { c->deployments, i };
	struct status_ref s = { NULL, c->parent };
	const char *type = connection_types[c->kind][0];
	resolver_fn fn = NULL;
	const void *obj = NULL;

	switch (c->kind) {
	case CONNECTION_DEPLOYMENTS:
		fn = gx_resolve_deployment;
		obj = &d;
		break;
	case CONNECTION_STATUSES:
		s.status = &c->statuses->items[i];
		fn = gx_resolve_status;
		obj = &s;
		break;
	case CONNECTION_ENVIRONMENTS:
		fn = resolve_environment;
		obj = &c->environments[i];
		break;
	case CONNECTION_PROTECTION_RULES:
		fn = resolve_protection_rule;
		obj = &c->rules[i];
		break;
	}

	if (in_list)
		return write_item(g, type, sets, path, i, fn, obj);
	return gx_write_object(g, type, sets, path, fn, obj);
}

static int
resolve_edge(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct edge *e = obj;

	if (strcmp(f->field->name, "cursor") == 0) {
		struct buf cursor = BUF_INIT;

		connection_cursor(e->c, e->index, &cursor);
		jw_string(g->w, buf_cstr(&cursor));
		buf_release(&cursor);
		return 0;
	}
	return write_connection_node(g, e->c, e->index, f->sets, path, false);
}

static int
resolve_page_info(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct connection *c = obj;
	const char *n = f->field->name;
	bool start = strcmp(n, "startCursor") == 0;

	(void)path;
	if (strcmp(n, "hasNextPage") == 0) {
		jw_bool(g->w, c->info->has_next);
	} else if (strcmp(n, "hasPreviousPage") == 0) {
		jw_bool(g->w, c->info->has_previous);
	} else if (c->count == 0) {
		jw_null(g->w);
	} else {
		struct buf cursor = BUF_INIT;

		connection_cursor(c, start ? 0 : c->count - 1, &cursor);
		jw_string(g->w, buf_cstr(&cursor));
		buf_release(&cursor);
	}
	return 0;
}

static int
resolve_connection(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct connection *c = obj;
	const char *n = f->field->name;
	const char *edge_type = connection_types[c->kind][1];
	int rc = 0;

	if (strcmp(n, "totalCount") == 0) {
		jw_int(g->w, c->info->total);
	} else if (strcmp(n, "pageInfo") == 0) {
		rc = gx_write_object(g, "PageInfo", f->sets, path, resolve_page_info, c);
	} else {
		bool nodes = strcmp(n, "nodes") == 0;

		jw_array_begin(g->w);
		for (size_t i = 0; i < c->count && rc == 0; i++) {
			struct edge e = { c, i };

			rc = nodes ? write_connection_node(g, c, i, f->sets, path, true)
			    : write_item(g, edge_type, f->sets, path, i, resolve_edge, &e);
		}
		jw_array_end(g->w);
	}
	return rc;
}

void
gx_batch_release(struct deployment_batch *b)
{
	while (b->cache) {
		struct status_cache *c = b->cache;

		b->cache = c->next;
		for (size_t i = 0; c->pages && i < b->count; i++)
			graphql_status_page_release(&c->pages[i]);
		free(c->pages);
		free(c);
	}
}

/* Whether a connection field of type type asks what its page alone does
 * not tell: totalCount or pageInfo. */
static bool
asks_counts(const struct gx *g, const struct gql_field_group *f, const char *type)
{
	const struct graphql_exec *x = g->x;

	for (const struct gql_field_group *c = gql_collect(x->arena, x->doc, schema, f->sets, type,
	         x->vars); c; c = c->next)
		if (strcmp(c->field->name, "totalCount") == 0 || strcmp(c->field->name, "pageInfo") == 0)
			return true;
	return false;
}

/* The statuses field f selects of a batch's deployments, read on first
 * use for all of them; NULL with *rc set when its arguments were refused
 * or the database failed. latestStatus is the window {first: 1}. */
static const struct graphql_status_page *
batch_statuses(struct gx *g, const struct deployment_ref *d, const struct gql_field_group *f,
    const struct gql_path *path, int *rc)
{
	struct deployment_batch *b = d->batch;
	struct status_cache *c;
	struct graphql_window w = { .limit = 1 };
	struct db_error err;
	int64_t *ids;

	for (c = b->cache; c; c = c->next)
		if (c->field == f->field) {
			*rc = c->pages ? 0 : GX_NULL;
			return c->pages ? &c->pages[d->index] : NULL;
		}
	c = xcalloc(1, sizeof(*c));
	c->field = f->field;
	c->next = b->cache;
	b->cache = c;
	if (strcmp(f->field->name, "statuses") == 0) {
		if ((*rc = window_args(g, f, path, false, &w)))
			return NULL;
		w.counted = asks_counts(g, f, "DeploymentStatusConnection");
	}
	ids = xcalloc(b->count, sizeof(*ids));
	for (size_t i = 0; i < b->count; i++)
		ids[i] = b->items[i].id;
	c->pages = xcalloc(b->count, sizeof(*c->pages));
	if (store_graphql_statuses(g->x->ctx->db, ids, b->count, &w, c->pages, &err) < 0) {
		free(c->pages);
		c->pages = NULL;
		free(ids);
		*rc = gx_db_failed(g, &err);
		return NULL;
	}
	free(ids);
	*rc = 0;
	return &c->pages[d->index];
}

/* Whether a connection's orderBy asks for direction DESC. */
static bool
order_descending(struct gx *g, const struct gql_field_group *f)
{
	const struct gql_value *order = gql_argument(f->field, "orderBy", g->x->vars);

	for (const struct gql_argument *a = order ? order->fields : NULL; a; a = a->next) {
		const struct gql_value *v = gql_resolve(a->value, g->x->vars);

		if (strcmp(a->name, "direction") == 0 && v && v->kind == GQL_VALUE_ENUM)
			return strcmp(v->text, "DESC") == 0;
	}
	return false;
}

/* The names of a [String!] argument as a JSON array into out, their
 * number and the last of them: false (out untouched) when the argument is
 * absent, null or []. */
static bool
names_json(struct gx *g, const struct gql_field_group *f, const char *arg, struct buf *out,
    size_t *count, const char **last)
{
	const struct gql_value *list = gql_argument(f->field, arg, g->x->vars);
	struct jsonw w;

	*count = 0;
	if (list == NULL || list->kind != GQL_VALUE_LIST || list->items == NULL)
		return false;
	jw_init(&w, out);
	jw_array_begin(&w);
	for (const struct gql_value *i = list->items; i; i = i->next) {
		const char *name = gx_text(gql_resolve(i, g->x->vars));

		if (name) {
			jw_string(&w, name);
			*last = name;
			(*count)++;
		}
	}
	jw_array_end(&w);
	return true;
}

/* Repository.deployments, and Commit.deployments with sha. */
static int
resolve_deployments(struct gx *g, const struct graphql_repository *r, const char *sha,
    const struct gql_field_group *f, const struct gql_path *path)
{
	struct graphql_deployment_page page;
	struct graphql_window w;
	struct buf names = BUF_INIT;
	struct graphql_deployments_filter filter = { .repository_id = r->repo.id, .sha = sha };
	struct db_error err;
	int rc;

	if ((rc = window_args(g, f, path, true, &w)))
		return rc;
	w.counted = asks_counts(g, f, "DeploymentConnection");
	filter.descending = order_descending(g, f);
	/* environments: [] or null is no filter (graphql.md section 6). */
	if (names_json(g, f, "environments", &names, &filter.environment_count,
	    &filter.environment) && filter.environment_count == 0) {
		/* Only names that match nothing: no environment holds a control
		 * character (REST refuses them). */
		filter.environment = "\x01";
		filter.environment_count = 1;
	}
	filter.environments = names.len ? buf_cstr(&names) : NULL;
	if (store_graphql_deployments(g->x->ctx->db, &filter, &w, &page, &err) < 0) {
		buf_release(&names);
		return gx_db_failed(g, &err);
	}
	buf_release(&names);
	{
		struct deployment_batch batch = { .items = page.items, .count = page.count, .repo = r };
		struct connection c = { .kind = CONNECTION_DEPLOYMENTS, .info = &page.info,
			.count = page.count, .deployments = &batch };

		rc = gx_write_object(g, "DeploymentConnection", f->sets, path, resolve_connection, &c);
		gx_batch_release(&batch);
	}
	graphql_deployment_page_release(&page);
	return rc;
}

/* ---- Environment ---- */

/* A protection rule (obj: its gate id): the branch policy gate is the only
 * rule stored (environments.md: wait timers and reviewers are refused). */
static int
resolve_protection_rule(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const int64_t *gate = obj;
	const char *n = f->field->name;

	(void)path;
	if (strcmp(n, "databaseId") == 0)
		jw_int(g->w, *gate);
	else if (strcmp(n, "timeout") == 0)
		jw_int(g->w, 0);
	else
		jw_string(g->w, "BRANCH_POLICY");
	return 0;
}

/* Environment.protectionRules: the environment's gate, if it has one, in
 * the window of the arguments, with the page info the statements of the
 * other connections give (no statement: the record holds it). */
static int
resolve_protection_rules(struct gx *g, const struct environment *e,
    const struct gql_field_group *f, const struct gql_path *path)
{
	struct graphql_page_info info = { .total = e->branch_gate_id > 0 };
	struct graphql_window w;
	bool in_window;
	int rc;

	if ((rc = window_args(g, f, path, false, &w)))
		return rc;
	in_window = info.total && (!w.after.set || e->branch_gate_id > w.after.id) &&
	    (!w.before.set || e->branch_gate_id < w.before.id);
	/* Nothing beyond a page of the only rule; an empty page has a next
	 * one when the window holds the rule (first: 0). */
	info.has_next = in_window && w.limit == 0;
	{
		struct connection c = { .kind = CONNECTION_PROTECTION_RULES, .info = &info,
			.count = in_window && w.limit > 0,
			.rules = &e->branch_gate_id };

		return gx_write_object(g, "DeploymentProtectionRuleConnection", f->sets, path,
		    resolve_connection, &c);
	}
}

static int
resolve_environment(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct environment *e = obj;
	const char *n = f->field->name;

	if (strcmp(n, "protectionRules") == 0)
		return resolve_protection_rules(g, e, f, path);
	if (strcmp(n, "id") == 0)
		write_id(g, "Environment", e->id);
	else if (strcmp(n, "databaseId") == 0)
		jw_int(g->w, e->id);
	else if (strcmp(n, "name") == 0)
		jw_string(g->w, e->name);
	else if (strcmp(n, "isPinned") == 0)
		/* Nothing pins an environment here. */
		jw_bool(g->w, false);
	else
		jw_null(g->w);  /* pinnedPosition: not pinned */
	return 0;
}

/* Repository.environment(name:): the record whose name folds equal, or null. */
static int
resolve_environment_by_name(struct gx *g, const struct graphql_repository *r,
    const struct gql_field_group *f, const struct gql_path *path)
{
	const char *name = string_arg(g, f, "name");
	struct environment e = { 0 };
	struct db_error err;
	int found, rc = 0;

	found = name ? store_environment_get(g->x->ctx->db, r->repo.id, name, &e, &err) : 0;
	if (found < 0)
		return gx_db_failed(g, &err);
	if (found == 0)
		jw_null(g->w);
	else
		rc = gx_write_object(g, "Environment", f->sets, path, resolve_environment, &e);
	environment_release(&e);
	return rc;
}

/* Repository.environments: pinnedEnvironmentFilter ONLY matches nothing
 * (nothing is pinned), ALL and NONE everything. */
static int
resolve_environments(struct gx *g, const struct graphql_repository *r,
    const struct gql_field_group *f, const struct gql_path *path)
{
	const struct gql_value *pinned = gql_argument(f->field, "pinnedEnvironmentFilter",
	    g->x->vars);
	struct graphql_environments_filter filter = { .repository_id = r->repo.id };
	struct graphql_environment_page page;
	struct graphql_window w;
	struct buf names = BUF_INIT;
	struct db_error err;
	const char *last;
	size_t count;
	int rc;

	if ((rc = window_args(g, f, path, false, &w)))
		return rc;
	filter.descending = order_descending(g, f);
	if (pinned && pinned->kind == GQL_VALUE_ENUM && strcmp(pinned->text, "ONLY") == 0)
		buf_puts(&names, "[]");
	else
		(void)names_json(g, f, "names", &names, &count, &last);
	filter.names = names.len ? buf_cstr(&names) : NULL;
	if (store_graphql_environments(g->x->ctx->db, &filter, &w, &page, &err) < 0) {
		buf_release(&names);
		return gx_db_failed(g, &err);
	}
	buf_release(&names);
	{
		struct connection c = { .kind = CONNECTION_ENVIRONMENTS, .info = &page.info,
			.count = page.count, .environments = page.items };

		rc = gx_write_object(g, "EnvironmentConnection", f->sets, path, resolve_connection, &c);
	}
	graphql_environment_page_release(&page);
	return rc;
}

/* ---- Deployment and DeploymentStatus ---- */

static void
write_deployment_state(struct gx *g, const struct deployment *d)
{
	if (d->latest_state == NULL)
		jw_string(g->w, g->now - d->created_at > ABANDONED_AFTER_SECONDS ? "ABANDONED"
		    : "PENDING");
	else if (strcmp(d->latest_state, "success") == 0)
		jw_string(g->w, "ACTIVE");
	else if (strcmp(d->latest_state, "inactive") == 0 && d->transient_environment)
		jw_string(g->w, "DESTROYED");
	else
		write_upper(g, d->latest_state);
}

/* The JSON encoding of the stored JSON text, as a string: two layers of
 * JSON in the response, as GitHub sends (graphql.md section 3.1). */
static void
write_payload(struct gx *g, const char *payload)
{
	struct buf text = BUF_INIT;
	struct jsonw tw;

	if (payload == NULL) {
		jw_null(g->w);
		return;
	}
	jw_init(&tw, &text);
	jw_string(&tw, payload);
	jw_string(g->w, buf_cstr(&text));
	buf_release(&text);
}

int
gx_resolve_deployment(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct deployment_ref *ref = obj;
	const struct deployment *d = &ref->batch->items[ref->index];
	const struct graphql_repository *r = ref->batch->repos ? ref->batch->repos[ref->index]
	    : ref->batch->repo;
	const char *n = f->field->name;

	if (strcmp(n, "commit") == 0) {
		struct commit_ref c = { d->sha, r };
		char sha[41];

		/* Null when the git directory no longer has it (graphql.md 3);
		 * without one, the SHA is all there is to know. */
		if (r->repo.git_dir && gitrefs_commit(r->repo.git_dir, d->sha, sha) == GITREFS_NOT_FOUND) {
			jw_null(g->w);
			return 0;
		}
		return gx_write_object(g, "Commit", f->sets, path, resolve_commit, &c);
	}
	if (strcmp(n, "creator") == 0)
		return gx_write_object(g, "User", f->sets, path, resolve_user, &d->creator);
	if (strcmp(n, "repository") == 0)
		return write_repository(g, r, f, path);
	if (strcmp(n, "ref") == 0)
		return write_named_ref(g, r, d->ref, false, f, path);
	if (strcmp(n, "latestStatus") == 0 || strcmp(n, "statuses") == 0) {
		int rc;
		const struct graphql_status_page *p = batch_statuses(g, ref, f, path, &rc);

		if (p == NULL)
			return rc;
		if (strcmp(n, "statuses") == 0) {
			struct connection c = { .kind = CONNECTION_STATUSES, .info = &p->info,
				.count = p->count, .statuses = p, .parent = ref };

			return gx_write_object(g, "DeploymentStatusConnection", f->sets, path,
			    resolve_connection, &c);
		}
		if (p->count == 0) {
			jw_null(g->w);
			return 0;
		}
		{
			struct status_ref s = { &p->items[0], ref };

			return gx_write_object(g, "DeploymentStatus", f->sets, path, gx_resolve_status, &s);
		}
	}
	if (strcmp(n, "commitOid") == 0)
		jw_string(g->w, d->sha);
	else if (strcmp(n, "createdAt") == 0)
		render_time(g->w, d->created_at);
	else if (strcmp(n, "updatedAt") == 0)
		render_time(g->w, d->updated_at);
	else if (strcmp(n, "databaseId") == 0)
		jw_int(g->w, d->id);
	else if (strcmp(n, "id") == 0)
		write_id(g, "Deployment", d->id);
	else if (strcmp(n, "description") == 0)
		jw_string(g->w, d->description);
	else if (strcmp(n, "environment") == 0 || strcmp(n, "latestEnvironment") == 0)
		jw_string(g->w, d->environment);
	else if (strcmp(n, "originalEnvironment") == 0)
		jw_string(g->w, d->original_environment);
	else if (strcmp(n, "payload") == 0)
		write_payload(g, d->payload);
	else if (strcmp(n, "state") == 0)
		write_deployment_state(g, d);
	else
		jw_string(g->w, d->task);
	return 0;
}

int
gx_resolve_status(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct status_ref *ref = obj;
	const struct deployment_status *s = ref->status;
	const char *n = f->field->name;

	if (strcmp(n, "creator") == 0)
		return gx_write_object(g, "User", f->sets, path, resolve_user, &s->creator);
	if (strcmp(n, "deployment") == 0)
		return gx_write_object(g, "Deployment", f->sets, path, gx_resolve_deployment, ref->deployment);
	if (strcmp(n, "createdAt") == 0)
		render_time(g->w, s->created_at);
	else if (strcmp(n, "updatedAt") == 0)
		render_time(g->w, s->updated_at);
	else if (strcmp(n, "description") == 0)
		jw_string(g->w, s->description);
	else if (strcmp(n, "environment") == 0)
		jw_string(g->w, s->environment);
	else if (strcmp(n, "environmentUrl") == 0)
		write_string_or_null_if_empty(g, s->environment_url);
	else if (strcmp(n, "logUrl") == 0)
		write_string_or_null_if_empty(g, s->log_url);
	else if (strcmp(n, "id") == 0)
		write_id(g, "DeploymentStatus", s->id);
	else
		write_upper(g, s->state);
	return 0;
}

static void
write_repository_url(struct gx *g, const struct graphql_repository *r)
{
	jw_string_begin(g->w);
	jw_string_part(g->w, g->x->ctx->urls.web);
	jw_string_part(g->w, "/");
	jw_string_part(g->w, r->repo.owner.login);
	jw_string_part(g->w, "/");
	jw_string_part(g->w, r->repo.name);
	jw_string_end(g->w);
}

static int
resolve_repository(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct graphql_repository *r = obj;
	const char *n = f->field->name;
	const char *owner = r->repo.owner.login;

	if (strcmp(n, "deployments") == 0)
		return resolve_deployments(g, r, NULL, f, path);
	if (strcmp(n, "environment") == 0)
		return resolve_environment_by_name(g, r, f, path);
	if (strcmp(n, "environments") == 0)
		return resolve_environments(g, r, f, path);
	if (strcmp(n, "defaultBranchRef") == 0)
		return write_named_ref(g, r, r->repo.default_branch, true, f, path);
	if (strcmp(n, "ref") == 0)
		return write_named_ref(g, r, string_arg(g, f, "qualifiedName"), false, f, path);
	if (strcmp(n, "owner") == 0)
		return gx_write_object(g, "User", f->sets, path, resolve_user, &r->repo.owner);
	if (strcmp(n, "id") == 0)
		write_id(g, "Repository", r->repo.id);
	else if (strcmp(n, "databaseId") == 0)
		jw_int(g->w, r->repo.id);
	else if (strcmp(n, "name") == 0)
		jw_string(g->w, r->repo.name);
	else if (strcmp(n, "nameWithOwner") == 0)
		write_joined(g, owner, "/", r->repo.name);
	else if (strcmp(n, "url") == 0)
		write_repository_url(g, r);
	else
		jw_bool(g->w, r->repo.is_private);
	return 0;
}

/* ---- Query ---- */

int
gx_not_found_node(struct gx *g, const struct gql_field_group *f, const struct gql_path *path,
    const char *id, size_t len)
{
	struct buf msg = BUF_INIT;
	int rc;

	buf_puts(&msg, "Could not resolve to a node with the global id of '");
	buf_append(&msg, id, len);
	buf_putc(&msg, '\'');
	rc = gx_add_error(g, "NOT_FOUND", path, f->field, &msg);
	buf_release(&msg);
	return rc;
}

/* The repository of a node found by id, if the caller may see it:
 * 1, 0 (not found or not visible), GX_FATAL. */
int
gx_node_repository(struct gx *g, int64_t id, struct graphql_repository *r)
{
	struct db_error err;
	int found = store_graphql_repository_by_id(g->x->ctx->db,
	    g->x->ctx->auth->principal.user.id, id, r, &err);

	if (found < 0)
		return gx_db_failed(g, &err);
	return found && gx_allowed(g, r, ROUTE_REPO_READ);
}

/* What node(id:) and nodes(ids:) read for all their ids at once: the
 * statuses, the deployments (theirs too), the environments, the
 * repositories (of them all), four statements at most (none for a type not
 * asked); the visible deployments make one batch. */
struct node_set {
	struct graphql_status_row *statuses;
	size_t nstatuses;
	struct graphql_deployment_row *deployments;
	size_t ndeployments;
	struct graphql_environment_row *environments;
	size_t nenvironments;
	struct graphql_repository *repos;
	size_t nrepos;
	struct deployment *items;                    /* the batch's, borrowed */
	const struct graphql_repository **item_repos;
	struct deployment_batch batch;
};

static void
node_set_release(struct node_set *set)
{
	gx_batch_release(&set->batch);
	for (size_t i = 0; i < set->nstatuses; i++)
		deployment_status_release(&set->statuses[i].status);
	for (size_t i = 0; i < set->ndeployments; i++)
		deployment_release(&set->deployments[i].deployment);
	for (size_t i = 0; i < set->nenvironments; i++)
		environment_release(&set->environments[i].environment);
	for (size_t i = 0; i < set->nrepos; i++)
		repository_release(&set->repos[i].repo);
	free(set->statuses);
	free(set->deployments);
	free(set->environments);
	free(set->repos);
	free(set->items);
	free(set->item_repos);
}

/* The repository of set with that id, if the caller may see it. */
static const struct graphql_repository *
node_set_repository(struct gx *g, const struct node_set *set, int64_t id)
{
	for (size_t i = 0; i < set->nrepos; i++)
		if (set->repos[i].repo.id == id)
			return gx_allowed(g, &set->repos[i], ROUTE_REPO_READ) ? &set->repos[i] : NULL;
	return NULL;
}

/* The batch index of the visible deployment with that id, or -1. */
static ssize_t
node_set_deployment(const struct node_set *set, int64_t id)
{
	for (size_t i = 0; i < set->batch.count; i++)
		if (set->items[i].id == id)
			return (ssize_t)i;
	return -1;
}

static bool
parse_node_id(const struct gql_value *v, char type[GRAPHQL_TYPE_NAME_MAX], int64_t *key)
{
	return v && v->kind == GQL_VALUE_STRING && graphql_id_parse(v->text, v->len, type, key) == 0;
}

/* Appends the key of each id of the type to keys (room for n). */
static size_t
keys_of_type(const struct gql_value *const *ids, size_t n, const char *want, int64_t *keys)
{
	char type[GRAPHQL_TYPE_NAME_MAX];
	size_t k = 0;
	int64_t key;

	for (size_t i = 0; i < n; i++)
		if (parse_node_id(ids[i], type, &key) && strcmp(type, want) == 0)
			keys[k++] = key;
	return k;
}

static int
load_nodes(struct gx *g, const struct gql_value *const *ids, size_t n, struct node_set *set)
{
	struct db *db = g->x->ctx->db;
	int64_t *keys = xcalloc(2 * n + 1, sizeof(*keys));
	struct db_error err;
	size_t k;
	int rc = GX_FATAL;

	memset(set, 0, sizeof(*set));
	k = keys_of_type(ids, n, "DeploymentStatus", keys);
	if (store_graphql_statuses_by_id(db, keys, k, &set->statuses, &set->nstatuses, &err) < 0)
		goto out;
	k = keys_of_type(ids, n, "Deployment", keys);
	for (size_t i = 0; i < set->nstatuses; i++)
		keys[k++] = set->statuses[i].status.deployment_id;
	if (store_graphql_deployments_by_id(db, keys, k, &set->deployments, &set->ndeployments,
	    &err) < 0)
		goto out;
	k = keys_of_type(ids, n, "Environment", keys);
	if (store_graphql_environments_by_id(db, keys, k, &set->environments,
	    &set->nenvironments, &err) < 0)
		goto out;
	free(keys);
	keys = xcalloc(n + set->ndeployments + set->nenvironments + 1, sizeof(*keys));
	k = keys_of_type(ids, n, "Repository", keys);
	for (size_t i = 0; i < set->ndeployments; i++)
		keys[k++] = set->deployments[i].repository_id;
	for (size_t i = 0; i < set->nenvironments; i++)
		keys[k++] = set->environments[i].repository_id;
	if (store_graphql_repositories_by_id(db, g->x->ctx->auth->principal.user.id, keys, k,
	    &set->repos, &set->nrepos, &err) < 0)
		goto out;
	set->items = xcalloc(set->ndeployments + 1, sizeof(*set->items));
	set->item_repos = xcalloc(set->ndeployments + 1, sizeof(*set->item_repos));
	for (size_t i = 0; i < set->ndeployments; i++) {
		const struct graphql_repository *r = node_set_repository(g, set,
		    set->deployments[i].repository_id);

		if (r == NULL)
			continue;
		set->items[set->batch.count] = set->deployments[i].deployment;
		set->item_repos[set->batch.count++] = r;
	}
	set->batch.items = set->items;
	set->batch.repos = set->item_repos;
	rc = 0;
out:
	free(keys);
	return rc == 0 ? 0 : gx_db_failed(g, &err);
}

/* A node by its global id (graphql.md section 5), from set: a
 * Repository, Deployment, DeploymentStatus, Environment or the viewer;
 * anything else, or what the caller cannot see, is NOT_FOUND. */
static int
write_node(struct gx *g, struct node_set *set, const struct gql_value *idv,
    const struct gql_field_group *f, const struct gql_path *path)
{
	char type[GRAPHQL_TYPE_NAME_MAX];
	const struct graphql_repository *r;
	struct deployment_ref ref = { &set->batch, 0 };
	ssize_t i = -1;
	int64_t key;

	if (!parse_node_id(idv, type, &key))
		return gx_not_found_node(g, f, path, idv ? idv->text : "", idv ? idv->len : 0);
	if (strcmp(type, "User") == 0 && key == g->x->ctx->auth->principal.user.id)
		return gx_write_object(g, "User", f->sets, path, resolve_user,
		    &g->x->ctx->auth->principal.user);
	if (strcmp(type, "Repository") == 0 && (r = node_set_repository(g, set, key)))
		return write_repository(g, r, f, path);
	if (strcmp(type, "Deployment") == 0 && (i = node_set_deployment(set, key)) >= 0) {
		ref.index = (size_t)i;
		return gx_write_object(g, "Deployment", f->sets, path, gx_resolve_deployment, &ref);
	}
	for (size_t e = 0; strcmp(type, "Environment") == 0 && e < set->nenvironments; e++) {
		const struct graphql_environment_row *row = &set->environments[e];

		if (row->environment.id == key && node_set_repository(g, set, row->repository_id))
			return gx_write_object(g, "Environment", f->sets, path, resolve_environment,
			    &row->environment);
	}
	for (size_t s = 0; strcmp(type, "DeploymentStatus") == 0 && s < set->nstatuses; s++) {
		const struct deployment_status *st = &set->statuses[s].status;

		if (st->id == key && (i = node_set_deployment(set, st->deployment_id)) >= 0) {
			struct status_ref sref = { st, &ref };

			ref.index = (size_t)i;
			return gx_write_object(g, "DeploymentStatus", f->sets, path, gx_resolve_status,
			    &sref);
		}
	}
	return gx_not_found_node(g, f, path, idv->text, idv->len);
}

static int
resolve_node(struct gx *g, const struct gql_field_group *f, const struct gql_path *path)
{
	const struct gql_value *id = gql_argument(f->field, "id", g->x->vars);
	struct node_set set;
	int rc = load_nodes(g, &id, 1, &set);

	if (rc == 0)
		rc = write_node(g, &set, id, f, path);
	node_set_release(&set);
	return rc;
}

static int
resolve_nodes(struct gx *g, const struct gql_field_group *f, const struct gql_path *path)
{
	const struct gql_value *ids = gql_argument(f->field, "ids", g->x->vars);
	const struct gql_value **list;
	struct node_set set;
	size_t n = 0, i = 0;
	int rc = 0;

	for (const struct gql_value *v = ids ? ids->items : NULL; v; v = v->next)
		n++;
	if (n > GQL_PAGE_MAX) {
		struct buf msg = BUF_INIT;

		buf_printf(&msg, "Requesting %zu records on the `nodes` connection exceeds the "
		    "`first` limit of %d records.", n, GQL_PAGE_MAX);
		rc = gx_add_error(g, "EXCESSIVE_PAGINATION", path, f->field, &msg);
		buf_release(&msg);
		return rc;
	}
	list = xcalloc(n + 1, sizeof(*list));
	for (const struct gql_value *v = ids ? ids->items : NULL; v; v = v->next)
		list[i++] = gql_resolve(v, g->x->vars);
	rc = load_nodes(g, list, n, &set);
	jw_array_begin(g->w);
	for (i = 0; i < n && rc >= 0; i++) {
		struct gql_path p = { .up = path, .index = (int64_t)i };
		struct mark m;

		mark_take(g, &m);
		rc = write_node(g, &set, list[i], f, &p);
		if (rc == GX_NULL) {
			mark_restore(g, &m);
			jw_null(g->w);
			rc = 0;
		}
	}
	jw_array_end(g->w);
	node_set_release(&set);
	free(list);
	return rc;
}

static int
resolve_repository_by_name(struct gx *g, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const char *owner = string_arg(g, f, "owner"), *name = string_arg(g, f, "name");
	struct graphql_repository r = { 0 };
	struct db_error err;
	int found, rc;

	found = owner && name ? g->x->ctx->find_repository(g->x->ctx, owner, name, &r.repo,
	    &r.permission, &err) : 0;
	if (found < 0)
		return gx_db_failed(g, &err);
	if (found == 0 || !gx_allowed(g, &r, ROUTE_REPO_READ)) {
		struct buf msg = BUF_INIT;

		buf_printf(&msg, "Could not resolve to a Repository with the name '%s/%s'.",
		    owner ? owner : "", name ? name : "");
		rc = gx_add_error(g, "NOT_FOUND", path, f->field, &msg);
		buf_release(&msg);
	} else {
		rc = write_repository(g, &r, f, path);
	}
	repository_release(&r.repo);
	return rc;
}

static int
resolve_rate_limit(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct graphql_exec *x = obj;
	const char *n = f->field->name;

	(void)path;
	if (strcmp(n, "cost") == 0)
		jw_int(g->w, x->cost.cost);
	else if (strcmp(n, "limit") == 0)
		jw_int(g->w, x->rate.limit);
	else if (strcmp(n, "nodeCount") == 0)
		jw_int(g->w, x->cost.nodes);
	else if (strcmp(n, "remaining") == 0)
		jw_int(g->w, x->rate.remaining);
	else if (strcmp(n, "resetAt") == 0)
		render_time(g->w, x->rate.reset);
	else
		jw_int(g->w, x->rate.used);
	return 0;
}

static int
resolve_query(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const char *n = f->field->name;

	(void)obj;
	if (g->dry_run && strcmp(n, "rateLimit") != 0) {
		/* graphql.md section 8: every other root field null. */
		jw_null(g->w);
		return 0;
	}
	if (strcmp(n, "__schema") == 0 || strcmp(n, "__type") == 0) {
		struct gql_introspection in = {
			.schema = schema, .doc = g->x->doc, .arena = g->x->arena, .vars = g->x->vars,
			.w = g->w,
		};

		gql_introspect(&in, f->field, f->sets);
		return 0;
	}
	if (strcmp(n, "repository") == 0)
		return resolve_repository_by_name(g, f, path);
	if (strcmp(n, "node") == 0)
		return resolve_node(g, f, path);
	if (strcmp(n, "nodes") == 0)
		return resolve_nodes(g, f, path);
	if (strcmp(n, "viewer") == 0)
		return gx_write_object(g, "User", f->sets, path, resolve_user,
		    &g->x->ctx->auth->principal.user);
	return gx_write_object(g, "RateLimit", f->sets, path, resolve_rate_limit, g->x);
}

int
graphql_execute(struct graphql_exec *x, const struct gql_definition *op, struct jsonw *w)
{
	struct gx g = { .x = x, .w = w, .now = (int64_t)time(NULL) };
	struct gql_set root = { .selections = op->selections };
	bool mutation = op->operation == GQL_OPERATION_MUTATION;
	struct mark m;
	int rc;

	for (const struct gql_field_group *f = mutation ? NULL : gql_collect(x->arena, x->doc, schema,
		 &root, "Query", x->vars); f; f = f->next) {
		const struct gql_value *dry = gql_argument(f->field, "dryRun", x->vars);

		if (strcmp(f->field->name, "rateLimit") == 0 && dry && dry->kind == GQL_VALUE_BOOLEAN)
			g.dry_run = g.dry_run || dry->boolean;
	}
	mark_take(&g, &m);
	rc = gx_write_object(&g, mutation ? "Mutation" : "Query", &root, NULL,
	    mutation ? gx_resolve_mutation : resolve_query, NULL);
	if (rc == GX_NULL) {
		/* A non-null root field (viewer, nodes) failed: data is null. */
		mark_restore(&g, &m);
		jw_null(w);
	}
	return rc == GX_FATAL ? -1 : 0;
}
