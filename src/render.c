#include "config.h"

#include "render.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static json_t *
string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *
render_time(int64_t epoch_seconds)
{
	char ts[ISO8601_LEN + 1];

	format_iso8601(epoch_seconds, ts);
	return json_string(ts);
}

char *
render_node_id(const char *type, int64_t id)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf raw = BUF_INIT;
	struct buf out = BUF_INIT;
	const unsigned char *p;

	buf_printf(&raw, "0%zu:%s%lld", strlen(type), type, (long long)id);
	p = (const unsigned char *)raw.data;
	for (size_t i = 0; i < raw.len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		size_t left = raw.len - i;

		if (left > 1)
			v |= (unsigned)p[i + 1] << 8;
		if (left > 2)
			v |= p[i + 2];
		buf_putc(&out, b64[(v >> 18) & 63]);
		buf_putc(&out, b64[(v >> 12) & 63]);
		buf_putc(&out, left > 1 ? b64[(v >> 6) & 63] : '=');
		buf_putc(&out, left > 2 ? b64[v & 63] : '=');
	}
	buf_release(&raw);
	return buf_detach(&out);
}

static void
set_node_id(json_t *o, const char *type, int64_t id)
{
	char *node_id = render_node_id(type, id);

	json_object_set_new(o, "node_id", json_string(node_id));
	free(node_id);
}

/* Sets key to prefix + suffix. */
static void
set_url(json_t *o, const char *key, const char *prefix, const char *suffix)
{
	struct buf url = BUF_INIT;

	buf_puts(&url, prefix);
	buf_puts(&url, suffix);
	json_object_set_new(o, key, json_stringn(url.data, url.len));
	buf_release(&url);
}

static void
add_user_fields(json_t *o, const struct url_base *base, const struct user *u)
{
	struct buf user_url = BUF_INIT;
	struct buf avatar = BUF_INIT;
	struct buf html_url = BUF_INIT;
	const char *uu;

	buf_printf(&user_url, "%s/users/%s", base->api, u->login);
	uu = buf_cstr(&user_url);
	buf_printf(&avatar, "%s/avatars/u/%lld?v=4", base->web, (long long)u->id);
	buf_printf(&html_url, "%s/%s", base->web, u->login);

	json_object_set_new(o, "login", json_string(u->login));
	json_object_set_new(o, "id", json_integer(u->id));
	set_node_id(o, "User", u->id);
	json_object_set_new(o, "avatar_url", json_string(buf_cstr(&avatar)));
	json_object_set_new(o, "gravatar_id", json_string(""));
	json_object_set_new(o, "url", json_string(uu));
	json_object_set_new(o, "html_url", json_string(buf_cstr(&html_url)));
	set_url(o, "followers_url", uu, "/followers");
	set_url(o, "following_url", uu, "/following{/other_user}");
	set_url(o, "gists_url", uu, "/gists{/gist_id}");
	set_url(o, "starred_url", uu, "/starred{/owner}{/repo}");
	set_url(o, "subscriptions_url", uu, "/subscriptions");
	set_url(o, "organizations_url", uu, "/orgs");
	set_url(o, "repos_url", uu, "/repos");
	set_url(o, "events_url", uu, "/events{/privacy}");
	set_url(o, "received_events_url", uu, "/received_events");
	json_object_set_new(o, "type", json_string("User"));
	json_object_set_new(o, "site_admin", json_boolean(u->site_admin));
	buf_release(&html_url);
	buf_release(&avatar);
	buf_release(&user_url);
}

json_t *
render_simple_user(const struct url_base *base, const struct user *u)
{
	json_t *o = json_object();

	add_user_fields(o, base, u);
	return o;
}

json_t *
render_private_user(const struct url_base *base, const struct user *u, const struct user_counts *c)
{
	json_t *o = json_object();

	add_user_fields(o, base, u);
	json_object_set_new(o, "name", string_or_null(u->name));
	json_object_set_new(o, "company", json_null());
	json_object_set_new(o, "blog", json_string(""));
	json_object_set_new(o, "location", json_null());
	json_object_set_new(o, "email", string_or_null(u->email));
	json_object_set_new(o, "hireable", json_null());
	json_object_set_new(o, "bio", json_null());
	json_object_set_new(o, "twitter_username", json_null());
	json_object_set_new(o, "public_repos", json_integer(c->public_repos));
	json_object_set_new(o, "public_gists", json_integer(0));
	json_object_set_new(o, "followers", json_integer(0));
	json_object_set_new(o, "following", json_integer(0));
	json_object_set_new(o, "created_at", render_time(u->created_at));
	json_object_set_new(o, "updated_at", render_time(u->updated_at));
	json_object_set_new(o, "private_gists", json_integer(0));
	json_object_set_new(o, "total_private_repos", json_integer(c->total_private_repos));
	json_object_set_new(o, "owned_private_repos", json_integer(c->owned_private_repos));
	json_object_set_new(o, "disk_usage", json_integer(0));
	json_object_set_new(o, "collaborators", json_integer(c->collaborators));
	json_object_set_new(o, "two_factor_authentication", json_false());
	return o;
}

/* The host part of a web URL ("http://h:8080" -> "h"), for git and ssh URLs. */
static void
put_host(struct buf *b, const char *web)
{
	const char *h = strstr(web, "://");
	size_t len;

	h = h ? h + 3 : web;
	if (*h == '[') {
		/* An IPv6 literal keeps its brackets and colons. */
		const char *end = strchr(h, ']');

		len = end ? (size_t)(end - h) + 1 : strcspn(h, "/");
	} else {
		len = strcspn(h, ":/");
	}
	buf_append(b, h, len);
}

json_t *
render_full_repository(const struct url_base *base, const struct repository *r,
    const enum permission *permission)
{
	static const struct {
		const char *key;
		const char *suffix;
	} urls_a[] = {
		{ "forks_url", "/forks" },
		{ "keys_url", "/keys{/key_id}" },
		{ "collaborators_url", "/collaborators{/collaborator}" },
		{ "teams_url", "/teams" },
		{ "hooks_url", "/hooks" },
		{ "issue_events_url", "/issues/events{/number}" },
		{ "events_url", "/events" },
		{ "assignees_url", "/assignees{/user}" },
		{ "branches_url", "/branches{/branch}" },
		{ "tags_url", "/tags" },
		{ "blobs_url", "/git/blobs{/sha}" },
		{ "git_tags_url", "/git/tags{/sha}" },
		{ "git_refs_url", "/git/refs{/sha}" },
		{ "trees_url", "/git/trees{/sha}" },
		{ "statuses_url", "/statuses/{sha}" },
		{ "languages_url", "/languages" },
		{ "stargazers_url", "/stargazers" },
		{ "contributors_url", "/contributors" },
		{ "subscribers_url", "/subscribers" },
		{ "subscription_url", "/subscription" },
		{ "commits_url", "/commits{/sha}" },
		{ "git_commits_url", "/git/commits{/sha}" },
		{ "comments_url", "/comments{/number}" },
		{ "issue_comment_url", "/issues/comments{/number}" },
		{ "contents_url", "/contents/{+path}" },
		{ "compare_url", "/compare/{base}...{head}" },
		{ "merges_url", "/merges" },
		{ "archive_url", "/{archive_format}{/ref}" },
		{ "downloads_url", "/downloads" },
		{ "issues_url", "/issues{/number}" },
		{ "pulls_url", "/pulls{/number}" },
		{ "milestones_url", "/milestones{/number}" },
		{ "notifications_url", "/notifications{?since,all,participating}" },
		{ "labels_url", "/labels{/name}" },
		{ "releases_url", "/releases{/id}" },
		{ "deployments_url", "/deployments" },
	};
	json_t *o = json_object();
	struct buf full_name = BUF_INIT;
	struct buf repo_url = BUF_INIT;
	struct buf web_url = BUF_INIT;
	struct buf tmp = BUF_INIT;
	const char *ru;

	buf_printf(&full_name, "%s/%s", r->owner.login, r->name);
	buf_printf(&repo_url, "%s/repos/%s", base->api, buf_cstr(&full_name));
	buf_printf(&web_url, "%s/%s", base->web, buf_cstr(&full_name));
	ru = buf_cstr(&repo_url);

	json_object_set_new(o, "id", json_integer(r->id));
	set_node_id(o, "Repository", r->id);
	json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "full_name", json_string(buf_cstr(&full_name)));
	json_object_set_new(o, "private", json_boolean(r->is_private));
	json_object_set_new(o, "owner", render_simple_user(base, &r->owner));
	json_object_set_new(o, "html_url", json_string(buf_cstr(&web_url)));
	json_object_set_new(o, "description", string_or_null(r->description));
	json_object_set_new(o, "fork", json_false());
	json_object_set_new(o, "url", json_string(ru));
	for (size_t i = 0; i < ARRAY_SIZE(urls_a); i++)
		set_url(o, urls_a[i].key, ru, urls_a[i].suffix);
	json_object_set_new(o, "created_at", render_time(r->created_at));
	json_object_set_new(o, "updated_at", render_time(r->updated_at));
	json_object_set_new(o, "pushed_at", render_time(r->pushed_at));

	buf_puts(&tmp, "git://");
	put_host(&tmp, base->web);
	buf_printf(&tmp, "/%s.git", buf_cstr(&full_name));
	json_object_set_new(o, "git_url", json_string(buf_cstr(&tmp)));
	buf_reset(&tmp);
	buf_puts(&tmp, "git@");
	put_host(&tmp, base->web);
	buf_printf(&tmp, ":%s.git", buf_cstr(&full_name));
	json_object_set_new(o, "ssh_url", json_string(buf_cstr(&tmp)));
	set_url(o, "clone_url", buf_cstr(&web_url), ".git");
	json_object_set_new(o, "svn_url", json_string(buf_cstr(&web_url)));

	json_object_set_new(o, "homepage", string_or_null(r->homepage));
	json_object_set_new(o, "size", json_integer(0));
	json_object_set_new(o, "stargazers_count", json_integer(0));
	json_object_set_new(o, "watchers_count", json_integer(0));
	json_object_set_new(o, "language", json_null());
	json_object_set_new(o, "has_issues", json_false());
	json_object_set_new(o, "has_projects", json_false());
	json_object_set_new(o, "has_downloads", json_false());
	json_object_set_new(o, "has_wiki", json_false());
	json_object_set_new(o, "has_pages", json_false());
	json_object_set_new(o, "has_discussions", json_false());
	json_object_set_new(o, "forks_count", json_integer(0));
	json_object_set_new(o, "mirror_url", json_null());
	json_object_set_new(o, "archived", json_false());
	json_object_set_new(o, "disabled", json_false());
	json_object_set_new(o, "open_issues_count", json_integer(0));
	json_object_set_new(o, "license", json_null());
	json_object_set_new(o, "allow_forking", json_false());
	json_object_set_new(o, "is_template", json_false());
	json_object_set_new(o, "web_commit_signoff_required", json_false());
	json_object_set_new(o, "topics", json_array());
	json_object_set_new(o, "visibility", json_string(r->is_private ? "private" : "public"));
	json_object_set_new(o, "forks", json_integer(0));
	json_object_set_new(o, "open_issues", json_integer(0));
	json_object_set_new(o, "watchers", json_integer(0));
	json_object_set_new(o, "default_branch", json_string(r->default_branch));
	if (permission) {
		json_t *p = json_object();

		json_object_set_new(p, "admin", json_boolean(*permission >= PERMISSION_ADMIN));
		json_object_set_new(p, "maintain", json_boolean(*permission >= PERMISSION_ADMIN));
		json_object_set_new(p, "push", json_boolean(*permission >= PERMISSION_PUSH));
		json_object_set_new(p, "triage", json_boolean(*permission >= PERMISSION_PUSH));
		json_object_set_new(p, "pull", json_boolean(*permission >= PERMISSION_PULL));
		json_object_set_new(o, "permissions", p);
	}
	json_object_set_new(o, "network_count", json_integer(0));
	json_object_set_new(o, "subscribers_count", json_integer(0));

	buf_release(&tmp);
	buf_release(&web_url);
	buf_release(&repo_url);
	buf_release(&full_name);
	return o;
}

/* base->api + "/repos/owner/name" */
static void
put_repository_url(struct buf *b, const struct url_base *base, const struct repository *repo)
{
	buf_printf(b, "%s/repos/%s/%s", base->api, repo->owner.login, repo->name);
}

json_t *
render_deployment(const struct url_base *base, const struct repository *repo,
    const struct deployment *d)
{
	json_t *o = json_object();
	json_t *payload = json_loads(d->payload, JSON_DECODE_ANY, NULL);
	struct buf repo_url = BUF_INIT;
	struct buf url = BUF_INIT;

	put_repository_url(&repo_url, base, repo);
	buf_printf(&url, "%s/deployments/%lld", repo_url.data, (long long)d->id);
	json_object_set_new(o, "url", json_string(url.data));
	json_object_set_new(o, "id", json_integer(d->id));
	set_node_id(o, "Deployment", d->id);
	json_object_set_new(o, "sha", json_string(d->sha));
	json_object_set_new(o, "ref", json_string(d->ref));
	json_object_set_new(o, "task", json_string(d->task));
	json_object_set_new(o, "payload", payload ? payload : json_object());
	json_object_set_new(o, "original_environment", json_string(d->original_environment));
	json_object_set_new(o, "environment", json_string(d->environment));
	json_object_set_new(o, "description", string_or_null(d->description));
	json_object_set_new(o, "creator", render_simple_user(base, &d->creator));
	json_object_set_new(o, "created_at", render_time(d->created_at));
	json_object_set_new(o, "updated_at", render_time(d->updated_at));
	set_url(o, "statuses_url", url.data, "/statuses");
	json_object_set_new(o, "repository_url", json_string(repo_url.data));
	json_object_set_new(o, "transient_environment", json_boolean(d->transient_environment));
	json_object_set_new(o, "production_environment", json_boolean(d->production_environment));
	json_object_set_new(o, "performed_via_github_app", json_null());
	buf_release(&url);
	buf_release(&repo_url);
	return o;
}

json_t *
render_deployment_event(const struct url_base *base, const struct repository *repo,
    json_t *deployment, const struct user *sender)
{
	json_t *o = json_object();

	json_object_set_new(o, "action", json_string("created"));
	json_object_set_new(o, "deployment", deployment);
	json_object_set_new(o, "workflow", json_null());
	json_object_set_new(o, "workflow_run", json_null());
	json_object_set_new(o, "repository", render_full_repository(base, repo, NULL));
	json_object_set_new(o, "sender", render_simple_user(base, sender));
	return o;
}

/* base->api + "/repos/owner/name/deployments/ID" */
static void
put_deployment_url(struct buf *b, const struct url_base *base, const struct repository *repo,
    int64_t deployment_id)
{
	put_repository_url(b, base, repo);
	buf_printf(b, "/deployments/%lld", (long long)deployment_id);
}

/* Every field after node_id, in GitHub's order. */
static void
add_status_fields(json_t *o, const struct url_base *base, const struct repository *repo,
    const struct deployment_status *s)
{
	struct buf url = BUF_INIT;

	json_object_set_new(o, "state", json_string(s->state));
	json_object_set_new(o, "creator", render_simple_user(base, &s->creator));
	json_object_set_new(o, "description", json_string(s->description));
	json_object_set_new(o, "environment", json_string(s->environment));
	json_object_set_new(o, "target_url", json_string(s->target_url));
	json_object_set_new(o, "created_at", render_time(s->created_at));
	json_object_set_new(o, "updated_at", render_time(s->updated_at));
	put_deployment_url(&url, base, repo, s->deployment_id);
	json_object_set_new(o, "deployment_url", json_string(url.data));
	buf_reset(&url);
	put_repository_url(&url, base, repo);
	json_object_set_new(o, "repository_url", json_string(url.data));
	json_object_set_new(o, "environment_url", json_string(s->environment_url));
	json_object_set_new(o, "log_url", json_string(s->log_url));
	json_object_set_new(o, "performed_via_github_app", json_null());
	buf_release(&url);
}

json_t *
render_deployment_status(const struct url_base *base, const struct repository *repo,
    const struct deployment_status *s)
{
	json_t *o = json_object();
	struct buf url = BUF_INIT;

	put_deployment_url(&url, base, repo, s->deployment_id);
	buf_printf(&url, "/statuses/%lld", (long long)s->id);
	json_object_set_new(o, "url", json_string(url.data));
	json_object_set_new(o, "id", json_integer(s->id));
	set_node_id(o, "DeploymentStatus", s->id);
	add_status_fields(o, base, repo, s);
	buf_release(&url);
	return o;
}

int
render_deployment_status_event(const struct url_base *base, const struct repository *repo,
    const struct deployment *d, const struct deployment_status *s, const struct user *sender,
    struct event_pieces *out)
{
	json_t *status_rest = json_object();
	json_t *event_rest = json_object();
	json_t *url_prefix;
	struct buf prefix = BUF_INIT;
	struct buf b = BUF_INIT;
	char *status_text, *event_text, *prefix_text;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	add_status_fields(status_rest, base, repo, s);
	json_object_set_new(event_rest, "deployment", render_deployment(base, repo, d));
	json_object_set_new(event_rest, "check_run", json_null());
	json_object_set_new(event_rest, "workflow", json_null());
	json_object_set_new(event_rest, "workflow_run", json_null());
	json_object_set_new(event_rest, "repository", render_full_repository(base, repo, NULL));
	json_object_set_new(event_rest, "sender", render_simple_user(base, sender));
	put_deployment_url(&prefix, base, repo, s->deployment_id);
	buf_puts(&prefix, "/statuses/");
	url_prefix = json_string(prefix.data);

	status_text = json_dumps(status_rest, JSON_COMPACT);
	event_text = json_dumps(event_rest, JSON_COMPACT);
	prefix_text = json_dumps(url_prefix, JSON_COMPACT | JSON_ENCODE_ANY);
	if (status_text && event_text && prefix_text) {
		/* prefix_text is "\"...\"": keep it open for the id. */
		buf_puts(&b, "{\"action\":\"created\",\"deployment_status\":{\"url\":");
		buf_append(&b, prefix_text, strlen(prefix_text) - 1);
		out->head = buf_detach(&b);
		out->mid1 = xstrdup("\",\"id\":");
		out->mid2 = xstrdup(",\"node_id\":\"");
		/* Both objects lose their opening brace: their members follow. */
		buf_puts(&b, "\",");
		buf_puts(&b, status_text + 1);
		buf_putc(&b, ',');
		buf_puts(&b, event_text + 1);
		out->tail = buf_detach(&b);
		rc = 0;
	}
	free(status_text);
	free(event_text);
	free(prefix_text);
	json_decref(url_prefix);
	json_decref(status_rest);
	json_decref(event_rest);
	buf_release(&prefix);
	return rc;
}

void
event_pieces_release(struct event_pieces *p)
{
	free(p->head);
	free(p->mid1);
	free(p->mid2);
	free(p->tail);
	memset(p, 0, sizeof(*p));
}

json_t *
render_hook(const struct url_base *base, const struct repository *repo, const struct hook *h)
{
	json_t *o = json_object();
	json_t *config = json_object();
	json_t *last = json_object();
	json_t *events = json_loads(h->events, 0, NULL);
	struct buf url = BUF_INIT;

	json_object_set_new(o, "type", json_string("Repository"));
	json_object_set_new(o, "id", json_integer(h->id));
	json_object_set_new(o, "name", json_string("web"));
	json_object_set_new(o, "active", json_boolean(h->active));
	json_object_set_new(o, "events", events ? events : json_array());
	json_object_set_new(config, "content_type", json_string(h->content_type));
	json_object_set_new(config, "insecure_ssl", json_string(h->insecure_ssl ? "1" : "0"));
	json_object_set_new(config, "url", json_string(h->url));
	if (h->has_secret)
		json_object_set_new(config, "secret", json_string("********"));
	json_object_set_new(o, "config", config);
	json_object_set_new(o, "updated_at", render_time(h->updated_at));
	json_object_set_new(o, "created_at", render_time(h->created_at));
	put_repository_url(&url, base, repo);
	buf_printf(&url, "/hooks/%lld", (long long)h->id);
	json_object_set_new(o, "url", json_string(url.data));
	set_url(o, "test_url", url.data, "/test");
	set_url(o, "ping_url", url.data, "/pings");
	set_url(o, "deliveries_url", url.data, "/deliveries");
	json_object_set_new(last, "code",
	    h->last_status_code > 0 ? json_integer(h->last_status_code) : json_null());
	json_object_set_new(last, "status", json_string(h->used ? "active" : "unused"));
	json_object_set_new(last, "message", json_null());
	json_object_set_new(o, "last_response", last);
	buf_release(&url);
	return o;
}

/* GitHub's words for how a delivery went. */
static json_t *
delivery_status_text(const struct delivery *d)
{
	struct buf b = BUF_INIT;
	json_t *s;

	if (d->status_code >= 200 && d->status_code < 300)
		return json_string("OK");
	if (d->status_code > 0)
		buf_printf(&b, "Invalid HTTP Response: %lld", (long long)d->status_code);
	else if (d->error)
		buf_puts(&b, d->error);
	else if (d->duration_ms >= 0)
		buf_puts(&b, "We couldn't deliver this payload");
	else
		buf_puts(&b, "Pending");
	s = json_string(b.data);
	buf_release(&b);
	return s ? s : json_string("Undeliverable");
}

static json_t *
json_text_or(const char *text, json_t *fallback)
{
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

	if (v == NULL)
		return fallback;
	json_decref(fallback);
	return v;
}

json_t *
render_delivery(const struct delivery *d, bool detail)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(d->id));
	json_object_set_new(o, "guid", json_string(d->guid));
	json_object_set_new(o, "delivered_at", render_time(d->delivered_at ? d->delivered_at : d->created_at));
	json_object_set_new(o, "redelivery", json_boolean(d->redelivery));
	json_object_set_new(o, "duration", json_real(d->duration_ms > 0 ? d->duration_ms / 1000.0 : 0.0));
	json_object_set_new(o, "status", delivery_status_text(d));
	json_object_set_new(o, "status_code", json_integer(d->status_code > 0 ? d->status_code : 0));
	json_object_set_new(o, "event", json_string(d->event));
	json_object_set_new(o, "action", string_or_null(d->action));
	json_object_set_new(o, "installation_id", json_null());
	json_object_set_new(o, "repository_id", json_integer(d->repository_id));
	json_object_set_new(o, "throttled_at", json_null());
	if (detail) {
		json_t *request = json_object();
		json_t *response = json_object();

		json_object_set_new(request, "headers", json_text_or(d->request_headers, json_object()));
		json_object_set_new(request, "payload", json_text_or(d->payload, json_null()));
		json_object_set_new(response, "headers", json_text_or(d->response_headers, json_object()));
		json_object_set_new(response, "payload", string_or_null(d->response_body));
		json_object_set_new(o, "request", request);
		json_object_set_new(o, "response", response);
	}
	return o;
}

json_t *
render_ping_event(const struct url_base *base, const struct repository *repo, const struct hook *h,
    const struct user *sender)
{
	json_t *o = json_object();

	json_object_set_new(o, "zen", json_string("Design for failure."));
	json_object_set_new(o, "hook_id", json_integer(h->id));
	json_object_set_new(o, "hook", render_hook(base, repo, h));
	json_object_set_new(o, "repository", render_full_repository(base, repo, NULL));
	json_object_set_new(o, "sender", render_simple_user(base, sender));
	return o;
}

json_t *
render_repository_dispatch_event(const struct url_base *base, const struct repository *repo,
    const char *event_type, json_t *client_payload, const struct user *sender)
{
	json_t *o = json_object();

	json_object_set_new(o, "action", json_string(event_type));
	json_object_set_new(o, "branch", json_string(repo->default_branch));
	json_object_set_new(o, "client_payload", client_payload ? client_payload : json_null());
	json_object_set_new(o, "repository", render_full_repository(base, repo, NULL));
	json_object_set_new(o, "sender", render_simple_user(base, sender));
	return o;
}
