#include "config.h"

#include "graphql_exec.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "gitrefs.h"
#include "gql_limits.h"
#include "gql_request.h"
#include "graphql_ids.h"
#include "graphql_schema.h"
#include "deployment_checks.h"
#include "deployment_create.h"
#include "input.h"
#include "status_create.h"
#include "store_deployments.h"
#include "store_graphql.h"

/* What a resolver returns besides 0: its value is null and its error is
 * recorded (GX_NULL), or the database failed and the request with it. */
#define GX_NULL 1
#define GX_FATAL (-1)

/* A deployment pending status never updated for this long is ABANDONED
 * (graphql.md section 4.1). */
#define ABANDONED_AFTER_SECONDS (30 * 60)

struct gx;
typedef int (*resolver_fn)(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path);

struct gx {
	struct graphql_exec *x;
	struct jsonw *w;
	int64_t now;
};

/* The statuses of a batch's deployments for one field (a statuses
 * connection, or latestStatus), read once for all of them. */
struct status_cache {
	const struct gql_selection *field;
	struct graphql_status_page *pages;  /* one per deployment; NULL: failed */
	struct status_cache *next;
};

/* Deployments read together (a page, or one node): what their fields
 * select of the statuses is read for all of them at once. */
struct deployment_batch {
	const struct deployment *items;
	size_t count;
	const struct graphql_repository *repo;
	struct status_cache *cache;
};

struct deployment_ref {
	struct deployment_batch *batch;
	size_t index;
};

struct status_ref {
	const struct deployment_status *status;
	const struct deployment_ref *deployment;
};

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
static int
write_object(struct gx *g, const char *type, const struct gql_set *sets,
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
	rc = write_object(g, type, sets, &p, fn, obj);
	if (rc == GX_NULL) {
		mark_restore(g, &m);
		jw_null(g->w);
		rc = 0;
	}
	return rc;
}

static int
add_error(struct gx *g, const char *type, const struct gql_path *path,
    const struct gql_selection *field, const struct buf *msg)
{
	gql_errors_add(g->x->errs, type, path, field->loc, buf_cstr(msg));
	return GX_NULL;
}

static int
db_failed(struct gx *g, const struct db_error *err)
{
	g->x->db_error = *err;
	return GX_FATAL;
}

/* A String value as C text; NULL for any other value and for a string
 * holding NUL, which no stored name or text can (PostgreSQL's text
 * cannot), and which C would cut short into another name. */
static const char *
text_of(const struct gql_value *v)
{
	return v && v->kind == GQL_VALUE_STRING && strlen(v->text) == v->len ? v->text : NULL;
}

static const char *
string_arg(struct gx *g, const struct gql_field_group *f, const char *name)
{
	return text_of(gql_argument(f->field, name, g->x->vars));
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
static bool
allowed(struct gx *g, const struct graphql_repository *r, enum route_access need)
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
static int resolve_deployments(struct gx *g, const struct graphql_repository *r, const char *sha,
    const struct gql_field_group *f, const struct gql_path *path);

static int
write_repository(struct gx *g, const struct graphql_repository *r, const struct gql_field_group *f,
    const struct gql_path *path)
{
	return write_object(g, "Repository", f->sets, path, resolve_repository, r);
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

		return write_object(g, "Commit", f->sets, path, resolve_commit, &c);
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
	return write_object(g, "Ref", f->sets, path, resolve_ref, &ref);
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
			rc = add_error(g, "INVALID_PAGINATION", path, f->field, &msg);
		} else if (n[i] > GQL_PAGE_MAX) {
			buf_printf(&msg, "Requesting %lld records on the `%s` connection exceeds the "
			    "`%s` limit of %d records.", (long long)n[i], conn, bounds[i], GQL_PAGE_MAX);
			rc = add_error(g, "EXCESSIVE_PAGINATION", path, f->field, &msg);
		}
	}
	if (rc == 0 && n[0] >= 0 && n[1] >= 0) {
		buf_printf(&msg, "Passing both `first` and `last` to paginate the `%s` connection is "
		    "not supported.", conn);
		rc = add_error(g, NULL, path, f->field, &msg);
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
			rc = add_error(g, "INVALID_CURSOR_ARGUMENTS", path, f->field, &msg);
		}
	}
	w->from_end = n[1] >= 0;
	/* Neither: only totalCount or pageInfo is selected (gql_analyse). */
	w->limit = n[0] >= 0 ? n[0] : n[1] >= 0 ? n[1] : 0;
	buf_release(&msg);
	return rc;
}

struct connection {
	const struct graphql_page_info *info;
	size_t count;
	struct deployment_batch *deployments;       /* a deployments connection */
	const struct graphql_status_page *statuses; /* a statuses connection */
	const struct deployment_ref *parent;        /* the statuses' deployment */
};

struct edge {
	const struct connection *c;
	size_t index;
};

static int resolve_deployment(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path);
static int resolve_status(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path);

static void
connection_cursor(const struct connection *c, size_t i, struct buf *out)
{
	struct graphql_key k = { .set = true };

	if (c->deployments) {
		k.created_at = c->deployments->items[i].created_at;
		k.id = c->deployments->items[i].id;
	} else {
		k.id = c->statuses->items[i].id;
	}
	graphql_cursor_write(out, &k);
}

/* The connection's node i: an object of its node type. */
static int
write_connection_node(struct gx *g, const struct connection *c, size_t i,
    const struct gql_set *sets, const struct gql_path *path, bool in_list)
{
	struct deployment_ref d = { c->deployments, i };
	struct status_ref s = { c->statuses ? &c->statuses->items[i] : NULL, c->parent };
	const char *type = c->deployments ? "Deployment" : "DeploymentStatus";
	resolver_fn fn = c->deployments ? resolve_deployment : resolve_status;
	const void *obj = c->deployments ? (const void *)&d : (const void *)&s;

	if (in_list)
		return write_item(g, type, sets, path, i, fn, obj);
	return write_object(g, type, sets, path, fn, obj);
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
	const char *edge_type = c->deployments ? "DeploymentEdge" : "DeploymentStatusEdge";
	int rc = 0;

	if (strcmp(n, "totalCount") == 0) {
		jw_int(g->w, c->info->total);
	} else if (strcmp(n, "pageInfo") == 0) {
		rc = write_object(g, "PageInfo", f->sets, path, resolve_page_info, c);
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

static void
status_cache_free(struct deployment_batch *b)
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
	if (strcmp(f->field->name, "statuses") == 0 && (*rc = window_args(g, f, path, false, &w)))
		return NULL;
	ids = xcalloc(b->count, sizeof(*ids));
	for (size_t i = 0; i < b->count; i++)
		ids[i] = b->items[i].id;
	c->pages = xcalloc(b->count, sizeof(*c->pages));
	if (store_graphql_statuses(g->x->ctx->db, ids, b->count, &w, c->pages, &err) < 0) {
		free(c->pages);
		c->pages = NULL;
		free(ids);
		*rc = db_failed(g, &err);
		return NULL;
	}
	free(ids);
	*rc = 0;
	return &c->pages[d->index];
}

/* Repository.deployments, and Commit.deployments with sha. */
static int
resolve_deployments(struct gx *g, const struct graphql_repository *r, const char *sha,
    const struct gql_field_group *f, const struct gql_path *path)
{
	const struct gql_value *envs = gql_argument(f->field, "environments", g->x->vars);
	const struct gql_value *order = gql_argument(f->field, "orderBy", g->x->vars);
	struct graphql_deployment_page page;
	struct graphql_window w;
	struct buf names = BUF_INIT;
	struct jsonw nw;
	struct graphql_deployments_filter filter = { .repository_id = r->repo.id, .sha = sha };
	struct db_error err;
	int rc;

	if ((rc = window_args(g, f, path, true, &w)))
		return rc;
	for (const struct gql_argument *a = order ? order->fields : NULL; a; a = a->next) {
		const struct gql_value *v = gql_resolve(a->value, g->x->vars);

		if (strcmp(a->name, "direction") == 0 && v && v->kind == GQL_VALUE_ENUM &&
		    strcmp(v->text, "DESC") == 0)
			filter.descending = true;
	}
	/* environments: [] or null is no filter (graphql.md section 6). */
	if (envs && envs->kind == GQL_VALUE_LIST && envs->items) {
		jw_init(&nw, &names);
		jw_array_begin(&nw);
		for (const struct gql_value *i = envs->items; i; i = i->next) {
			const char *name = text_of(gql_resolve(i, g->x->vars));

			if (name) {
				jw_string(&nw, name);
				filter.environment = name;
				filter.environment_count++;
			}
		}
		jw_array_end(&nw);
		/* Only names that match nothing: no environment holds a control
		 * character (REST refuses them). */
		if (filter.environment_count == 0) {
			filter.environment = "\x01";
			filter.environment_count = 1;
		}
	}
	filter.environments = names.len ? buf_cstr(&names) : NULL;
	if (store_graphql_deployments(g->x->ctx->db, &filter, &w, &page, &err) < 0) {
		buf_release(&names);
		return db_failed(g, &err);
	}
	buf_release(&names);
	{
		struct deployment_batch batch = { page.items, page.count, r, NULL };
		struct connection c = { .info = &page.info, .count = page.count, .deployments = &batch };

		rc = write_object(g, "DeploymentConnection", f->sets, path, resolve_connection, &c);
		status_cache_free(&batch);
	}
	graphql_deployment_page_release(&page);
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

static int
resolve_deployment(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct deployment_ref *ref = obj;
	const struct deployment *d = &ref->batch->items[ref->index];
	const struct graphql_repository *r = ref->batch->repo;
	const char *n = f->field->name;

	if (strcmp(n, "commit") == 0) {
		struct commit_ref c = { d->sha, r };

		return write_object(g, "Commit", f->sets, path, resolve_commit, &c);
	}
	if (strcmp(n, "creator") == 0)
		return write_object(g, "User", f->sets, path, resolve_user, &d->creator);
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
			struct connection c = { .info = &p->info, .count = p->count, .statuses = p,
				.parent = ref };

			return write_object(g, "DeploymentStatusConnection", f->sets, path,
			    resolve_connection, &c);
		}
		if (p->count == 0) {
			jw_null(g->w);
			return 0;
		}
		{
			struct status_ref s = { &p->items[0], ref };

			return write_object(g, "DeploymentStatus", f->sets, path, resolve_status, &s);
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

static int
resolve_status(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct status_ref *ref = obj;
	const struct deployment_status *s = ref->status;
	const char *n = f->field->name;

	if (strcmp(n, "creator") == 0)
		return write_object(g, "User", f->sets, path, resolve_user, &s->creator);
	if (strcmp(n, "deployment") == 0)
		return write_object(g, "Deployment", f->sets, path, resolve_deployment, ref->deployment);
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
	if (strcmp(n, "defaultBranchRef") == 0)
		return write_named_ref(g, r, r->repo.default_branch, true, f, path);
	if (strcmp(n, "ref") == 0)
		return write_named_ref(g, r, string_arg(g, f, "qualifiedName"), false, f, path);
	if (strcmp(n, "owner") == 0)
		return write_object(g, "User", f->sets, path, resolve_user, &r->repo.owner);
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

static int
not_found_node(struct gx *g, const struct gql_field_group *f, const struct gql_path *path,
    const char *id, size_t len)
{
	struct buf msg = BUF_INIT;
	int rc;

	buf_puts(&msg, "Could not resolve to a node with the global id of '");
	buf_append(&msg, id, len);
	buf_putc(&msg, '\'');
	rc = add_error(g, "NOT_FOUND", path, f->field, &msg);
	buf_release(&msg);
	return rc;
}

/* The repository of a node found by id, if the caller may see it:
 * 1, 0 (not found or not visible), GX_FATAL. */
static int
node_repository(struct gx *g, int64_t id, struct graphql_repository *r)
{
	struct db_error err;
	int found = store_graphql_repository_by_id(g->x->ctx->db,
	    g->x->ctx->auth->principal.user.id, id, r, &err);

	if (found < 0)
		return db_failed(g, &err);
	return found && allowed(g, r, ROUTE_REPO_READ);
}

static int
write_deployment_node(struct gx *g, const struct deployment *d, const struct deployment_status *s,
    const struct graphql_repository *r, const struct gql_field_group *f,
    const struct gql_path *path)
{
	struct deployment_batch batch = { d, 1, r, NULL };
	struct deployment_ref ref = { &batch, 0 };
	struct status_ref sref = { s, &ref };
	int rc = s ? write_object(g, "DeploymentStatus", f->sets, path, resolve_status, &sref)
	    : write_object(g, "Deployment", f->sets, path, resolve_deployment, &ref);

	status_cache_free(&batch);
	return rc;
}

/* A node by its global id (graphql.md section 5): a Repository,
 * Deployment, DeploymentStatus or the viewer; anything else, or what the
 * caller cannot see, is NOT_FOUND. */
static int
write_node(struct gx *g, const struct gql_value *idv, const struct gql_field_group *f,
    const struct gql_path *path)
{
	char type[GRAPHQL_TYPE_NAME_MAX];
	struct graphql_repository r = { 0 };
	struct deployment d = { 0 };
	struct deployment_status s = { 0 };
	struct db_error err;
	int64_t key, repo_id = 0;
	int found = 0, rc;

	if (idv == NULL || idv->kind != GQL_VALUE_STRING ||
	    graphql_id_parse(idv->text, idv->len, type, &key) < 0)
		return not_found_node(g, f, path, idv ? idv->text : "", idv ? idv->len : 0);
	if (strcmp(type, "User") == 0 && key == g->x->ctx->auth->principal.user.id)
		return write_object(g, "User", f->sets, path, resolve_user,
		    &g->x->ctx->auth->principal.user);
	if (strcmp(type, "Repository") == 0) {
		found = 1;
		repo_id = key;
	} else if (strcmp(type, "DeploymentStatus") == 0) {
		found = store_graphql_status(g->x->ctx->db, key, &s, &repo_id, &err);
		if (found > 0)
			key = s.deployment_id;
	}
	if (found >= 0 && (strcmp(type, "Deployment") == 0 || found > 0) &&
	    strcmp(type, "Repository") != 0)
		found = store_graphql_deployment(g->x->ctx->db, key, &d, &repo_id, &err);
	if (found < 0) {
		deployment_status_release(&s);
		return db_failed(g, &err);
	}
	if (found > 0)
		found = node_repository(g, repo_id, &r);
	if (found == GX_FATAL)
		rc = GX_FATAL;
	else if (found == 0)
		rc = not_found_node(g, f, path, idv->text, idv->len);
	else if (strcmp(type, "Repository") == 0)
		rc = write_repository(g, &r, f, path);
	else
		rc = write_deployment_node(g, &d, s.id ? &s : NULL, &r, f, path);
	deployment_status_release(&s);
	deployment_release(&d);
	repository_release(&r.repo);
	return rc;
}

static int
resolve_nodes(struct gx *g, const struct gql_field_group *f, const struct gql_path *path)
{
	const struct gql_value *ids = gql_argument(f->field, "ids", g->x->vars);
	size_t n = 0, i = 0;
	int rc = 0;

	for (const struct gql_value *v = ids ? ids->items : NULL; v; v = v->next)
		n++;
	if (n > GQL_PAGE_MAX) {
		struct buf msg = BUF_INIT;

		buf_printf(&msg, "Requesting %zu records on the `nodes` connection exceeds the "
		    "`first` limit of %d records.", n, GQL_PAGE_MAX);
		rc = add_error(g, "EXCESSIVE_PAGINATION", path, f->field, &msg);
		buf_release(&msg);
		return rc;
	}
	jw_array_begin(g->w);
	for (const struct gql_value *v = ids ? ids->items : NULL; v && rc >= 0; v = v->next, i++) {
		struct gql_path p = { .up = path, .index = (int64_t)i };
		struct mark m;

		mark_take(g, &m);
		rc = write_node(g, gql_resolve(v, g->x->vars), f, &p);
		if (rc == GX_NULL) {
			mark_restore(g, &m);
			jw_null(g->w);
			rc = 0;
		}
	}
	jw_array_end(g->w);
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

	found = owner && name ? store_graphql_repository(g->x->ctx->db,
	    g->x->ctx->auth->principal.user.id, owner, name, &r, &err) : 0;
	if (found < 0)
		return db_failed(g, &err);
	if (found == 0 || !allowed(g, &r, ROUTE_REPO_READ)) {
		struct buf msg = BUF_INIT;

		buf_printf(&msg, "Could not resolve to a Repository with the name '%s/%s'.",
		    owner ? owner : "", name ? name : "");
		rc = add_error(g, "NOT_FOUND", path, f->field, &msg);
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
	if (strcmp(n, "repository") == 0)
		return resolve_repository_by_name(g, f, path);
	if (strcmp(n, "node") == 0)
		return write_node(g, gql_argument(f->field, "id", g->x->vars), f, path);
	if (strcmp(n, "nodes") == 0)
		return resolve_nodes(g, f, path);
	if (strcmp(n, "viewer") == 0)
		return write_object(g, "User", f->sets, path, resolve_user,
		    &g->x->ctx->auth->principal.user);
	return write_object(g, "RateLimit", f->sets, path, resolve_rate_limit, g->x);
}

/* ---- Mutation (graphql.md section 7) ---- */

/* A field of the mutation's `input` object, resolved. */
static const struct gql_value *
input_field(struct gx *g, const struct gql_field_group *f, const char *name)
{
	const struct gql_value *in = gql_argument(f->field, "input", g->x->vars);

	for (const struct gql_argument *a = in ? in->fields : NULL; a; a = a->next)
		if (strcmp(a->name, name) == 0)
			return gql_resolve(a->value, g->x->vars);
	return NULL;
}

static int
resolve_client_mutation_id(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct gql_value *id = obj;

	(void)f;
	(void)path;
	if (id && id->kind == GQL_VALUE_STRING)
		jw_stringn(g->w, id->text, id->len);
	else
		jw_null(g->w);
	return 0;
}

static int
forbidden(struct gx *g, const struct gql_field_group *f, const struct gql_path *path,
    const char *mutation)
{
	struct buf msg = BUF_INIT;
	int rc;

	buf_printf(&msg, "%s does not have the correct permissions to execute `%s`",
	    g->x->ctx->auth->principal.user.login, mutation);
	rc = add_error(g, "FORBIDDEN", path, f->field, &msg);
	buf_release(&msg);
	return rc;
}

/* The deployment a mutation's id names, if the caller can see it and
 * write to it: 0 (d and r filled, to be released either way), GX_NULL
 * (NOT_FOUND or FORBIDDEN added), GX_FATAL. */
static int
mutation_deployment(struct gx *g, const struct gql_field_group *f, const struct gql_path *path,
    const char *mutation, const struct gql_value *idv, struct deployment *d,
    struct graphql_repository *r)
{
	char type[GRAPHQL_TYPE_NAME_MAX];
	struct db_error err;
	int64_t key, repo_id;
	int found = 0;

	if (idv && idv->kind == GQL_VALUE_STRING &&
	    graphql_id_parse(idv->text, idv->len, type, &key) == 0 &&
	    strcmp(type, "Deployment") == 0) {
		found = store_graphql_deployment(g->x->ctx->db, key, d, &repo_id, &err);
		if (found < 0)
			return db_failed(g, &err);
		if (found > 0)
			found = node_repository(g, repo_id, r);
	}
	if (found == GX_FATAL)
		return GX_FATAL;
	if (found == 0)
		return not_found_node(g, f, path, idv ? idv->text : "", idv ? idv->len : 0);
	return allowed(g, r, ROUTE_REPO_WRITE) ? 0 : forbidden(g, f, path, mutation);
}

/* REST's DELETE of a deployment (semantics.md): allowed when it is not
 * active or is the only one in its environment. */
static int
resolve_delete_deployment(struct gx *g, const struct gql_field_group *f,
    const struct gql_path *path)
{
	struct deployment d = { 0 };
	struct graphql_repository r = { 0 };
	enum deployment_delete_result result;
	struct db_error err;
	struct buf msg = BUF_INIT;
	const struct gql_value *idv = input_field(g, f, "id");
	int rc = mutation_deployment(g, f, path, "DeleteDeployment", idv, &d, &r);

	if (rc == 0) {
		if (store_deployment_delete(g->x->ctx->db, r.repo.id, d.id, &result, &err) < 0) {
			rc = db_failed(g, &err);
		} else if (result == DEPLOYMENT_DELETED) {
			rc = write_object(g, "DeleteDeploymentPayload", f->sets, path,
			    resolve_client_mutation_id, input_field(g, f, "clientMutationId"));
		} else if (result == DEPLOYMENT_ACTIVE) {
			buf_puts(&msg, "We cannot delete an active deployment unless it is the only "
			    "deployment in a given environment.");
			rc = add_error(g, "UNPROCESSABLE", path, f->field, &msg);
		} else {
			/* Deleted by another request since it was read. */
			rc = not_found_node(g, f, path, idv->text, idv->len);
		}
	}
	buf_release(&msg);
	deployment_release(&d);
	repository_release(&r.repo);
	return rc;
}

/* What createDeploymentStatus answers: the status, or null when refused. */
struct status_payload {
	const struct gql_value *client_mutation_id;
	const struct status_ref *status;
};

static int
resolve_status_payload(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct status_payload *p = obj;

	if (strcmp(f->field->name, "clientMutationId") == 0)
		return resolve_client_mutation_id(g, p->client_mutation_id, f, path);
	if (p->status == NULL) {
		jw_null(g->w);
		return 0;
	}
	return write_object(g, "DeploymentStatus", f->sets, path, resolve_status, p->status);
}

/* An optional String input: def when absent or null. */
static const char *
mutation_string(struct gx *g, const struct gql_field_group *f, const char *name,
    const char *def)
{
	const struct gql_value *v = input_field(g, f, name);

	return v && v->kind == GQL_VALUE_STRING ? v->text : def;
}

/* REST's checks of a status body (semantics.md), in the model's words:
 * "Description is too long (maximum is 140 characters)". NULL when all
 * pass, else the message (in msg). */
static const char *
status_input_problem(struct gx *g, const struct gql_field_group *f,
    const struct status_request *sr, struct buf *msg)
{
	static const struct {
		const char *name;
		const char *input;
		size_t offset;
		size_t max;
	} limits[] = {
		{ "Description", "description", offsetof(struct status_request, description), 140 },
		{ "Environment", "environment", offsetof(struct status_request, environment), 255 },
		{ "Environment url", "environmentUrl", offsetof(struct status_request, environment_url),
		  2048 },
		{ "Log url", "logUrl", offsetof(struct status_request, log_url), 2048 },
	};

	/* NUL fits no text column, and C would cut the text short at it. */
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
		const struct gql_value *v = input_field(g, f, limits[i].input);

		if (v && v->kind == GQL_VALUE_STRING && text_of(v) == NULL) {
			buf_printf(msg, "%s is invalid", limits[i].name);
			return buf_cstr(msg);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
		const char *v = *(const char *const *)((const char *)sr + limits[i].offset);

		if (v == NULL)
			continue;
		if (i > 0 && has_control_chars(v))
			buf_printf(msg, "%s is invalid", limits[i].name);
		else if (utf8_length(v) > limits[i].max)
			buf_printf(msg, "%s is too long (maximum is %zu characters)", limits[i].name,
			    limits[i].max);
		if (msg->len)
			return buf_cstr(msg);
	}
	return NULL;
}

/* The status just created, read back with its deployment (now in its new
 * state), written as the payload. */
static int
write_created_status(struct gx *g, const struct gql_field_group *f, const struct gql_path *path,
    const struct graphql_repository *r, int64_t status_id)
{
	struct deployment d = { 0 };
	struct deployment_status s = { 0 };
	struct db_error err;
	int64_t repo_id;
	int rc = store_graphql_status(g->x->ctx->db, status_id, &s, &repo_id, &err);

	if (rc > 0)
		rc = store_graphql_deployment(g->x->ctx->db, s.deployment_id, &d, &repo_id, &err);
	if (rc < 0) {
		rc = db_failed(g, &err);
	} else {
		struct deployment_batch batch = { &d, rc > 0 ? 1 : 0, r, NULL };
		struct deployment_ref ref = { &batch, 0 };
		struct status_ref sref = { &s, &ref };
		struct status_payload p = { input_field(g, f, "clientMutationId"), rc > 0 ? &sref : NULL };

		rc = write_object(g, "CreateDeploymentStatusPayload", f->sets, path,
		    resolve_status_payload, &p);
		status_cache_free(&batch);
	}
	deployment_status_release(&s);
	deployment_release(&d);
	return rc;
}

/* REST's POST .../statuses (semantics.md; graphql.md 7.2), the inactive
 * cascade and the webhook event included. */
static int
resolve_create_status(struct gx *g, const struct gql_field_group *f, const struct gql_path *path)
{
	const struct gql_value *state = input_field(g, f, "state");
	const struct gql_value *auto_inactive = input_field(g, f, "autoInactive");
	struct deployment d = { 0 }, fresh = { 0 };
	struct graphql_repository r = { 0 };
	struct status_payload refused = { input_field(g, f, "clientMutationId"), NULL };
	struct deployment_status status;
	enum status_create_result result;
	struct status_request sr = { 0 };
	struct db_error err;
	struct buf msg = BUF_INIT, lower = BUF_INIT;
	const char *problem = NULL;
	int rc = mutation_deployment(g, f, path, "CreateDeploymentStatus",
	    input_field(g, f, "deploymentId"), &d, &r);

	if (rc != 0)
		goto out;
	for (const char *c = state ? state->text : ""; *c; c++)
		buf_putc(&lower, (char)tolower((unsigned char)*c));
	sr = (struct status_request){
		.state = buf_cstr(&lower),
		.description = mutation_string(g, f, "description", ""),
		.environment = mutation_string(g, f, "environment", NULL),
		.environment_url = mutation_string(g, f, "environmentUrl", ""),
		.log_url = mutation_string(g, f, "logUrl", ""),
		.auto_inactive = !(auto_inactive && auto_inactive->kind == GQL_VALUE_BOOLEAN &&
		    !auto_inactive->boolean),
	};
	sr.target_url = sr.log_url;
	if (sr.environment && *sr.environment == '\0')
		sr.environment = NULL;
	/* Stored states are REST's seven: the table has no room for waiting. */
	if (strcmp(sr.state, "waiting") == 0)
		problem = "State is not included in the list";
	if (problem == NULL)
		problem = status_input_problem(g, f, &sr, &msg);
	if (problem) {
		rc = write_object(g, "CreateDeploymentStatusPayload", f->sets, path,
		    resolve_status_payload, &refused);
		gql_errors_add(g->x->errs, "UNPROCESSABLE", path, f->field->loc, problem);
		goto out;
	}
	{
		const struct author who = { &r.repo, &g->x->ctx->auth->principal.user, g->now };

		if (status_create(g->x->ctx, &who, &sr, &d, &fresh, &status, &result, &err) < 0) {
			rc = db_failed(g, &err);
			goto out;
		}
	}
	if (result == STATUS_CREATED) {
		rc = write_created_status(g, f, path, &r, status.id);
	} else if (result == STATUS_DEPLOYMENT_NOT_FOUND) {
		const struct gql_value *idv = input_field(g, f, "deploymentId");

		rc = not_found_node(g, f, path, idv->text, idv->len);
	} else {
		buf_puts(&msg, "The deployment's environment keeps changing");
		rc = add_error(g, "UNPROCESSABLE", path, f->field, &msg);
	}
out:
	buf_release(&msg);
	buf_release(&lower);
	deployment_release(&fresh);
	deployment_release(&d);
	repository_release(&r.repo);
	return rc;
}

/* What createDeployment answers (graphql.md 7.1). */
struct deployment_payload {
	const struct gql_value *client_mutation_id;
	bool auto_merged;
	const struct deployment_ref *deployment;   /* NULL: none created */
};

static int
resolve_deployment_payload(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct deployment_payload *p = obj;
	const char *n = f->field->name;

	if (strcmp(n, "clientMutationId") == 0)
		return resolve_client_mutation_id(g, p->client_mutation_id, f, path);
	if (strcmp(n, "autoMerged") == 0) {
		jw_bool(g->w, p->auto_merged);
		return 0;
	}
	if (p->deployment == NULL) {
		jw_null(g->w);
		return 0;
	}
	return write_object(g, "Deployment", f->sets, path, resolve_deployment, p->deployment);
}

/* The payload with no deployment, and an UNPROCESSABLE error unless
 * message is NULL (an auto-merge: the client sends the mutation again). */
static int
refuse_deployment(struct gx *g, const struct gql_field_group *f, const struct gql_path *path,
    bool auto_merged, const char *message)
{
	struct deployment_payload p = { input_field(g, f, "clientMutationId"), auto_merged, NULL };
	int rc = write_object(g, "CreateDeploymentPayload", f->sets, path,
	    resolve_deployment_payload, &p);

	if (message)
		gql_errors_add(g->x->errs, "UNPROCESSABLE", path, f->field->loc, message);
	return rc;
}

/* The branch or tag a refId names in r (graphql.md section 5: "<repository
 * id>:<qualified name>"): its short name into name, its commit into sha;
 * false when it names none. */
static bool
mutation_ref(const struct gql_value *idv, const struct graphql_repository *r,
    struct buf *name, char sha[41], enum gitrefs_kind *kind)
{
	char type[GRAPHQL_TYPE_NAME_MAX];
	struct buf key = BUF_INIT;
	const char *qualified;
	int64_t repo_id = 0;
	bool found = false;

	if (idv && idv->kind == GQL_VALUE_STRING &&
	    graphql_id_parse_text(idv->text, idv->len, type, &key) == 0 &&
	    strcmp(type, "Ref") == 0 && (qualified = strchr(key.data, ':')) != NULL) {
		*(char *)qualified++ = '\0';
		found = parse_int64(key.data, 1, INT64_MAX, &repo_id) == 0 && repo_id == r->repo.id &&
		    (strncmp(qualified, "refs/heads/", 11) == 0 ||
			strncmp(qualified, "refs/tags/", 10) == 0) &&
		    r->repo.git_dir &&
		    gitrefs_resolve_kind(r->repo.git_dir, qualified, sha, kind) == GITREFS_FOUND &&
		    (*kind == GITREFS_KIND_BRANCH || *kind == GITREFS_KIND_TAG);
		if (found)
			buf_puts(name, qualified + (qualified[5] == 'h' ? 11 : 10));
	}
	buf_release(&key);
	return found;
}

/* dr from the mutation's input, REST's defaults and limits (semantics.md)
 * in the model's words; NULL, or the message of what does not pass. */
static const char *
deployment_input(struct gx *g, const struct gql_field_group *f, struct deployment_request *dr,
    struct buf *msg)
{
	static const struct { const char *name, *input; size_t max; } texts[] = {
		{ "Task", "task", 128 },
		{ "Environment", "environment", 255 },
		{ "Description", "description", 1024 },
	};
	const char *values[ARRAY_SIZE(texts)];
	const struct gql_value *contexts = input_field(g, f, "requiredContexts");
	const struct gql_value *auto_merge = input_field(g, f, "autoMerge");
	const struct gql_value *payload = input_field(g, f, "payload");

	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		const struct gql_value *v = input_field(g, f, texts[i].input);

		values[i] = v && v->kind == GQL_VALUE_STRING ? text_of(v) : "";
		if (values[i] == NULL || (i < 2 && has_control_chars(values[i])))
			buf_printf(msg, "%s is invalid", texts[i].name);
		else if (utf8_length(values[i]) > texts[i].max)
			buf_printf(msg, "%s is too long (maximum is %zu characters)", texts[i].name,
			    texts[i].max);
		if (msg->len)
			return buf_cstr(msg);
	}
	dr->task = *values[0] ? values[0] : "deploy";
	dr->environment = *values[1] ? values[1] : "production";
	dr->description = values[2];
	dr->production_environment = strcmp(dr->environment, "production") == 0;
	dr->auto_merge = !(auto_merge && auto_merge->kind == GQL_VALUE_BOOLEAN && !auto_merge->boolean);
	dr->payload = payload && payload->kind == GQL_VALUE_STRING
	    ? input_json_or_string(payload->text, payload->len) : xstrdup("{}");
	if (dr->payload == NULL || strlen(dr->payload) > 64 * 1024) {
		buf_puts(msg, "Payload is invalid");
		return buf_cstr(msg);
	}
	if (contexts && contexts->kind == GQL_VALUE_LIST) {
		struct buf text = BUF_INIT;
		struct jsonw w;

		jw_init(&w, &text);
		jw_array_begin(&w);
		for (const struct gql_value *i = contexts->items; i; i = i->next) {
			const char *c = text_of(gql_resolve(i, g->x->vars));

			if (c == NULL || has_control_chars(c) || utf8_length(c) > 255) {
				buf_release(&text);
				buf_puts(msg, "Required contexts is invalid");
				return buf_cstr(msg);
			}
			jw_string(&w, c);
		}
		jw_array_end(&w);
		dr->required_contexts = buf_detach(&text);
	}
	return NULL;
}

/* REST's POST .../deployments (semantics.md "Order of checks on create"),
 * its outcomes as graphql.md 7.1 maps them. */
static int
resolve_create_deployment(struct gx *g, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const struct gql_value *repo_id = input_field(g, f, "repositoryId");
	const struct gql_value *ref_id = input_field(g, f, "refId");
	struct graphql_repository r = { 0 };
	struct deployment_request dr = { 0 };
	struct deployment d = { 0 }, created = { 0 };
	struct context_failures failing = { 0 };
	struct buf name = BUF_INIT, msg = BUF_INIT;
	char type[GRAPHQL_TYPE_NAME_MAX];
	enum gitrefs_kind kind;
	struct db_error err;
	int64_t key, rid;
	const char *problem;
	int rc;

	rc = repo_id && repo_id->kind == GQL_VALUE_STRING &&
	    graphql_id_parse(repo_id->text, repo_id->len, type, &key) == 0 &&
	    strcmp(type, "Repository") == 0 ? node_repository(g, key, &r) : 0;
	if (rc == 0)
		rc = not_found_node(g, f, path, repo_id ? repo_id->text : "", repo_id ? repo_id->len : 0);
	else if (rc == 1 && !allowed(g, &r, ROUTE_REPO_WRITE))
		rc = forbidden(g, f, path, "CreateDeployment");
	else if (rc == 1 && !mutation_ref(ref_id, &r, &name, d.sha, &kind))
		rc = not_found_node(g, f, path, ref_id ? ref_id->text : "", ref_id ? ref_id->len : 0);
	else if (rc == 1)
		rc = 0;
	if (rc != 0)
		goto out;
	dr.ref = buf_cstr(&name);
	if ((problem = deployment_input(g, f, &dr, &msg))) {
		rc = refuse_deployment(g, f, path, false, problem);
		goto out;
	}
	{
		const struct author who = { &r.repo, &g->x->ctx->auth->principal.user, g->now };
		enum auto_merge_result merge = dr.auto_merge
		    ? deployment_auto_merge(&g->x->ctx->urls, &who, dr.ref, kind, d.sha)
		    : AUTO_MERGE_NOT_NEEDED;

		if (merge == AUTO_MERGE_MERGED || merge == AUTO_MERGE_CONFLICT) {
			deployment_auto_merge_message(&msg, merge, &r.repo, dr.ref);
			rc = refuse_deployment(g, f, path, merge == AUTO_MERGE_MERGED,
			    merge == AUTO_MERGE_MERGED ? NULL : buf_cstr(&msg));
			goto out;
		}
		if (merge != AUTO_MERGE_NOT_NEEDED) {
			buf_puts(&msg, "Something went wrong while executing your query.");
			rc = add_error(g, NULL, path, f->field, &msg);
			goto out;
		}
		if (deployment_create(g->x->ctx, &who, &dr, &d, &failing, &err) < 0) {
			rc = db_failed(g, &err);
			goto out;
		}
	}
	if (failing.count > 0) {
		buf_printf(&msg, "Commit status checks failed for %s.", dr.ref);
		rc = refuse_deployment(g, f, path, false, buf_cstr(&msg));
		goto out;
	}
	/* Read back: the row as every other read shows it. */
	rc = store_graphql_deployment(g->x->ctx->db, d.id, &created, &rid, &err);
	if (rc < 0) {
		rc = db_failed(g, &err);
	} else {
		struct deployment_batch batch = { &created, 1, &r, NULL };
		struct deployment_ref ref = { &batch, 0 };
		struct deployment_payload p = { input_field(g, f, "clientMutationId"), false,
			rc > 0 ? &ref : NULL };

		rc = write_object(g, "CreateDeploymentPayload", f->sets, path,
		    resolve_deployment_payload, &p);
		status_cache_free(&batch);
	}
out:
	context_failures_release(&failing);
	deployment_release(&created);
	deployment_request_release(&dr);
	buf_release(&name);
	buf_release(&msg);
	repository_release(&r.repo);
	return rc;
}

static int
resolve_mutation(struct gx *g, const void *obj, const struct gql_field_group *f,
    const struct gql_path *path)
{
	const char *n = f->field->name;

	(void)obj;
	if (strcmp(n, "createDeployment") == 0)
		return resolve_create_deployment(g, f, path);
	if (strcmp(n, "createDeploymentStatus") == 0)
		return resolve_create_status(g, f, path);
	return resolve_delete_deployment(g, f, path);
}

int
graphql_execute(struct graphql_exec *x, const struct gql_definition *op, struct jsonw *w)
{
	struct gx g = { .x = x, .w = w, .now = (int64_t)time(NULL) };
	struct gql_set root = { .selections = op->selections };
	bool mutation = op->operation == GQL_OPERATION_MUTATION;
	struct mark m;
	int rc;

	mark_take(&g, &m);
	rc = write_object(&g, mutation ? "Mutation" : "Query", &root, NULL,
	    mutation ? resolve_mutation : resolve_query, NULL);
	if (rc == GX_NULL) {
		/* A non-null root field (viewer, nodes) failed: data is null. */
		mark_restore(&g, &m);
		jw_null(w);
	}
	return rc == GX_FATAL ? -1 : 0;
}
