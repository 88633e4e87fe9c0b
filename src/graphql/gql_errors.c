#include "config.h"

#include "gql_errors.h"

void
gql_errors_init(struct gql_errors *e)
{
	e->text = (struct buf)BUF_INIT;
	e->count = 0;
	jw_init(&e->w, &e->text);
	jw_array_begin(&e->w);
}

void
gql_errors_release(struct gql_errors *e)
{
	buf_release(&e->text);
	e->count = 0;
}

static void
write_path_items(struct jsonw *w, const struct gql_path *p)
{
	if (p == NULL)
		return;
	write_path_items(w, p->up);
	if (p->key)
		jw_string(w, p->key);
	else
		jw_int(w, p->index);
}

void
gql_path_write(struct jsonw *w, const struct gql_path *path)
{
	jw_array_begin(w);
	write_path_items(w, path);
	jw_array_end(w);
}

void
gql_errors_begin(struct gql_errors *e, const char *type, const struct gql_path *path)
{
	jw_object_begin(&e->w);
	if (type)
		jw_kv_string(&e->w, "type", type);
	if (path) {
		jw_key(&e->w, "path");
		gql_path_write(&e->w, path);
	}
}

void
gql_errors_end(struct gql_errors *e, struct gql_location loc, const char *message)
{
	if (loc.line > 0) {
		jw_key(&e->w, "locations");
		jw_array_begin(&e->w);
		jw_object_begin(&e->w);
		jw_kv_int(&e->w, "line", loc.line);
		jw_kv_int(&e->w, "column", loc.column);
		jw_object_end(&e->w);
		jw_array_end(&e->w);
	}
	jw_kv_string(&e->w, "message", message);
	jw_object_end(&e->w);
	e->count++;
}

void
gql_errors_add(struct gql_errors *e, const char *type, const struct gql_path *path,
    struct gql_location loc, const char *message)
{
	gql_errors_begin(e, type, path);
	gql_errors_end(e, loc, message);
}

const char *
gql_errors_finish(struct gql_errors *e)
{
	jw_array_end(&e->w);
	return buf_cstr(&e->text);
}
