#include "config.h"

#include "render_environments.h"

#include <stdlib.h>

static void
kv_node_id(struct jsonw *w, const char *type, int64_t id)
{
	char *node_id = render_node_id(type, id);

	jw_kv_string(w, "node_id", node_id);
	free(node_id);
}

void
render_environment_url(struct buf *b, const struct url_base *base,
    const struct repository *repo, const char *name)
{
	render_repository_url(b, base, repo);
	buf_puts(b, "/environments/");
	buf_put_urlencoded(b, name);
}

void
render_environment(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct environment *e)
{
	struct buf url = BUF_INIT;

	jw_object_begin(w);
	jw_kv_int(w, "id", e->id);
	kv_node_id(w, "Environment", e->id);
	jw_kv_string(w, "name", e->name);
	render_environment_url(&url, base, repo, e->name);
	jw_kv_string(w, "url", url.data);
	/* GitHub's shape: the repository's deployment log, filtered. */
	buf_reset(&url);
	buf_puts(&url, base->web);
	buf_putc(&url, '/');
	buf_puts(&url, repo->owner.login);
	buf_putc(&url, '/');
	buf_puts(&url, repo->name);
	buf_puts(&url, "/deployments/activity_log?environments_filter=");
	buf_put_urlencoded(&url, e->name);
	jw_kv_string(w, "html_url", url.data);
	jw_key(w, "created_at");
	render_time(w, e->created_at);
	jw_key(w, "updated_at");
	render_time(w, e->updated_at);
	jw_kv_bool(w, "can_admins_bypass", e->can_admins_bypass);
	jw_key(w, "protection_rules");
	jw_array_begin(w);
	if (e->branch_gate_id > 0) {
		jw_object_begin(w);
		jw_kv_int(w, "id", e->branch_gate_id);
		kv_node_id(w, "Gate", e->branch_gate_id);
		jw_kv_string(w, "type", "branch_policy");
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_key(w, "deployment_branch_policy");
	if (e->branch_gate_id > 0) {
		jw_object_begin(w);
		jw_kv_bool(w, "protected_branches", false);
		jw_kv_bool(w, "custom_branch_policies", true);
		jw_object_end(w);
	} else {
		jw_null(w);
	}
	jw_object_end(w);
	buf_release(&url);
}

void
render_branch_policy(struct jsonw *w, const struct branch_policy *p)
{
	jw_object_begin(w);
	jw_kv_int(w, "id", p->id);
	kv_node_id(w, "GateBranchPolicy", p->id);
	jw_kv_string(w, "name", p->name);
	jw_kv_string(w, "type", p->type);
	jw_object_end(w);
}
