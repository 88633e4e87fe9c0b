#include "config.h"

#include "render.h"

#include "base64.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
render_time(struct jsonw *w, int64_t epoch_seconds)
{
	char ts[ISO8601_LEN + 1];

	format_iso8601(epoch_seconds, ts);
	jw_string(w, ts);
}

void
render_node_id_into(struct buf *out, const char *type, const char *key, size_t key_len)
{
	struct base64_writer e = BASE64_WRITER_INIT(out);
	char digits[INT64_DECIMAL_MAX];
	size_t type_len = strlen(type);
	size_t ndigits = format_int64((int64_t)type_len, digits);

	base64_feed(&e, "0", 1);
	base64_feed(&e, digits, ndigits);
	base64_feed(&e, ":", 1);
	base64_feed(&e, type, type_len);
	base64_feed(&e, key, key_len);
	base64_finish(&e);
}

char *
render_node_id_text(const char *type, const char *key)
{
	struct buf out = BUF_INIT;

	render_node_id_into(&out, type, key, strlen(key));
	return buf_detach(&out);
}

char *
render_node_id(const char *type, int64_t id)
{
	struct buf out = BUF_INIT;
	char digits[INT64_DECIMAL_MAX];
	size_t ndigits = format_int64(id, digits);

	render_node_id_into(&out, type, digits, ndigits);
	return buf_detach(&out);
}

static void
kv_node_id(struct jsonw *w, const char *type, int64_t id)
{
	char digits[INT64_DECIMAL_MAX];
	size_t ndigits = format_int64(id, digits);

	/* Base64 needs no JSON escaping: straight into the string. */
	jw_key(w, "node_id");
	jw_string_begin(w);
	render_node_id_into(w->out, type, digits, ndigits);
	jw_string_end(w);
}

static void
kv_time(struct jsonw *w, const char *key, int64_t epoch_seconds)
{
	jw_key(w, key);
	render_time(w, epoch_seconds);
}

/* base->api + "/repos/owner/name" */
static void
put_repository_url(struct buf *b, const struct url_base *base, const struct repository *repo)
{
	buf_puts(b, base->api);
	buf_puts(b, "/repos/");
	buf_puts(b, repo->owner.login);
	buf_putc(b, '/');
	buf_puts(b, repo->name);
}

void
render_repository_url(struct buf *b, const struct url_base *base, const struct repository *repo)
{
	put_repository_url(b, base, repo);
}

void
render_deployment_url(struct buf *b, const struct url_base *base, const struct repository *repo,
    int64_t deployment_id)
{
	put_repository_url(b, base, repo);
	buf_puts(b, "/deployments/");
	buf_put_int(b, deployment_id);
}

void
render_hook_url(struct buf *b, const struct url_base *base, const struct repository *repo,
    int64_t hook_id)
{
	put_repository_url(b, base, repo);
	buf_puts(b, "/hooks/");
	buf_put_int(b, hook_id);
}

void
render_avatar_url(struct jsonw *w, const struct url_base *base, int64_t user_id)
{
	jw_string_begin(w);
	jw_string_part(w, base->web);
	jw_string_part(w, "/avatars/u/");
	jw_string_int(w, user_id);
	jw_string_part(w, "?v=4");
	jw_string_end(w);
}

static void
user_fields(struct jsonw *w, const struct url_base *base, const struct user *u)
{
	static const struct {
		const char *key;
		const char *suffix;
	} urls[] = {
		{ "followers_url", "/followers" },
		{ "following_url", "/following{/other_user}" },
		{ "gists_url", "/gists{/gist_id}" },
		{ "starred_url", "/starred{/owner}{/repo}" },
		{ "subscriptions_url", "/subscriptions" },
		{ "organizations_url", "/orgs" },
		{ "repos_url", "/repos" },
		{ "events_url", "/events{/privacy}" },
		{ "received_events_url", "/received_events" },
	};
	struct buf user_url = BUF_INIT;
	struct buf escaped = BUF_INIT;

	buf_puts(&user_url, base->api);
	buf_puts(&user_url, "/users/");
	buf_puts(&user_url, u->login);
	jw_escape_into(&escaped, user_url.data, user_url.len);
	jw_kv_string(w, "login", u->login);
	jw_kv_int(w, "id", u->id);
	kv_node_id(w, "User", u->id);
	jw_key(w, "avatar_url");
	render_avatar_url(w, base, u->id);
	jw_kv_string(w, "gravatar_id", "");
	jw_kv_string(w, "url", user_url.data);
	jw_kv_concat3(w, "html_url", base->web, "/", u->login);
	for (size_t i = 0; i < ARRAY_SIZE(urls); i++)
		jw_kv_concat_escaped(w, urls[i].key, &escaped, urls[i].suffix);
	jw_kv_string(w, "type", "User");
	jw_kv_bool(w, "site_admin", u->site_admin);
	buf_release(&escaped);
	buf_release(&user_url);
}

/* The last user rendered, kept as text: a list of thirty deployments by one
 * creator would otherwise render the same object, with its dozen URLs,
 * thirty times. The output depends only on what is compared here. */
static struct {
	int64_t id;
	bool site_admin;
	char *login;
	char *api;
	char *web;
	struct buf json;
} user_memo;

static bool
same_string(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

void
render_simple_user(struct jsonw *w, const struct url_base *base, const struct user *u)
{
	struct jsonw mw;

	if (user_memo.json.len > 0 && user_memo.id == u->id && user_memo.site_admin == u->site_admin &&
	    same_string(user_memo.login, u->login) && same_string(user_memo.api, base->api) &&
	    same_string(user_memo.web, base->web)) {
		jw_raw(w, user_memo.json.data);
		return;
	}
	free(user_memo.login);
	free(user_memo.api);
	free(user_memo.web);
	buf_reset(&user_memo.json);
	user_memo.id = u->id;
	user_memo.site_admin = u->site_admin;
	user_memo.login = xstrdup(u->login);
	user_memo.api = xstrdup(base->api);
	user_memo.web = xstrdup(base->web);
	jw_init(&mw, &user_memo.json);
	jw_object_begin(&mw);
	user_fields(&mw, base, u);
	jw_object_end(&mw);
	jw_raw(w, user_memo.json.data);
}

void
render_private_user(struct jsonw *w, const struct url_base *base, const struct user *u,
    const struct user_counts *c)
{
	jw_object_begin(w);
	user_fields(w, base, u);
	jw_kv_string(w, "name", u->name);
	jw_kv_null(w, "company");
	jw_kv_string(w, "blog", "");
	jw_kv_null(w, "location");
	jw_kv_string(w, "email", u->email);
	jw_kv_null(w, "hireable");
	jw_kv_null(w, "bio");
	jw_kv_null(w, "twitter_username");
	jw_kv_int(w, "public_repos", c->public_repos);
	jw_kv_int(w, "public_gists", 0);
	jw_kv_int(w, "followers", 0);
	jw_kv_int(w, "following", 0);
	kv_time(w, "created_at", u->created_at);
	kv_time(w, "updated_at", u->updated_at);
	jw_kv_int(w, "private_gists", 0);
	jw_kv_int(w, "total_private_repos", c->total_private_repos);
	jw_kv_int(w, "owned_private_repos", c->owned_private_repos);
	jw_kv_int(w, "disk_usage", 0);
	jw_kv_int(w, "collaborators", c->collaborators);
	jw_kv_bool(w, "two_factor_authentication", false);
	jw_object_end(w);
}

/* The host part of a web URL ("http://h:8080" -> "h"; an IPv6 literal
 * keeps its brackets), for git and ssh URLs. */
static void
put_host(struct buf *b, const char *web)
{
	const char *h = strstr(web, "://");
	size_t len;

	h = h ? h + 3 : web;
	if (*h == '[') {
		const char *end = strchr(h, ']');

		len = end ? (size_t)(end - h) + 1 : strcspn(h, "/");
	} else {
		len = strcspn(h, ":/");
	}
	buf_append(b, h, len);
}

void
render_host(struct buf *b, const struct url_base *base)
{
	put_host(b, base->web);
}

/* The repository's API URL templates, in GitHub's order. */
static const struct {
	const char *key;
	const char *suffix;
} repository_urls[] = {
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

/* The names both repository objects are built from. */
struct repository_names {
	struct buf full_name; /* owner/name */
	struct buf api_url;
	struct buf web_url;
};

static void
repository_names_init(struct repository_names *n, const struct url_base *base, const struct repository *r)
{
	*n = (struct repository_names){ BUF_INIT, BUF_INIT, BUF_INIT };
	buf_puts(&n->full_name, r->owner.login);
	buf_putc(&n->full_name, '/');
	buf_puts(&n->full_name, r->name);
	put_repository_url(&n->api_url, base, r);
	buf_puts(&n->web_url, base->web);
	buf_putc(&n->web_url, '/');
	buf_puts(&n->web_url, n->full_name.data);
}

static void
repository_names_release(struct repository_names *n)
{
	buf_release(&n->web_url);
	buf_release(&n->api_url);
	buf_release(&n->full_name);
}

/* What minimal-repository and full-repository begin with: ids, names,
 * owner and the URL templates. */
static void
repository_head(struct jsonw *w, const struct url_base *base, const struct repository *r,
    const struct repository_names *n)
{
	const char *full_name = n->full_name.data;
	const char *repo_url = n->api_url.data;
	const char *web_url = n->web_url.data;
	struct buf escaped = BUF_INIT;

	jw_kv_int(w, "id", r->id);
	kv_node_id(w, "Repository", r->id);
	jw_kv_string(w, "name", r->name);
	jw_kv_string(w, "full_name", full_name);
	jw_kv_bool(w, "private", r->is_private);
	jw_key(w, "owner");
	render_simple_user(w, base, &r->owner);
	jw_kv_string(w, "html_url", web_url);
	jw_kv_string(w, "description", r->description);
	jw_kv_bool(w, "fork", false);
	jw_kv_string(w, "url", repo_url);
	jw_escape_into(&escaped, repo_url, strlen(repo_url));
	for (size_t i = 0; i < ARRAY_SIZE(repository_urls); i++)
		jw_kv_concat_escaped(w, repository_urls[i].key, &escaped, repository_urls[i].suffix);
	buf_release(&escaped);
}

void
render_minimal_repository(struct jsonw *w, const struct url_base *base, const struct repository *r)
{
	struct repository_names names;

	repository_names_init(&names, base, r);
	jw_object_begin(w);
	repository_head(w, base, r, &names);
	jw_object_end(w);
	repository_names_release(&names);
}

/* "KEY": "SCHEMEHOST SEPowner/name.git", the git and ssh clone addresses. */
static void
kv_git_address(struct jsonw *w, const char *key, const char *scheme, const char *host, const char *separator,
    const char *full_name)
{
	jw_key(w, key);
	jw_string_begin(w);
	jw_string_part(w, scheme);
	jw_string_part(w, host);
	jw_string_part(w, separator);
	jw_string_part(w, full_name);
	jw_string_part(w, ".git");
	jw_string_end(w);
}

void
render_full_repository(struct jsonw *w, const struct url_base *base, const struct repository *r,
    const enum permission *permission)
{
	static const char *const zero_counts[] = {
		"size", "stargazers_count", "watchers_count",
	};
	static const char *const false_flags[] = {
		"has_issues", "has_projects", "has_downloads", "has_wiki", "has_pages", "has_discussions",
	};
	struct repository_names names;
	struct buf host = BUF_INIT;

	repository_names_init(&names, base, r);
	put_host(&host, base->web);

	jw_object_begin(w);
	repository_head(w, base, r, &names);
	kv_time(w, "created_at", r->created_at);
	kv_time(w, "updated_at", r->updated_at);
	kv_time(w, "pushed_at", r->pushed_at);
	kv_git_address(w, "git_url", "git://", host.data, "/", names.full_name.data);
	kv_git_address(w, "ssh_url", "git@", host.data, ":", names.full_name.data);
	jw_kv_concat(w, "clone_url", names.web_url.data, ".git");
	jw_kv_string(w, "svn_url", names.web_url.data);
	jw_kv_string(w, "homepage", r->homepage);
	for (size_t i = 0; i < ARRAY_SIZE(zero_counts); i++)
		jw_kv_int(w, zero_counts[i], 0);
	jw_kv_null(w, "language");
	for (size_t i = 0; i < ARRAY_SIZE(false_flags); i++)
		jw_kv_bool(w, false_flags[i], false);
	jw_kv_int(w, "forks_count", 0);
	jw_kv_null(w, "mirror_url");
	jw_kv_bool(w, "archived", false);
	jw_kv_bool(w, "disabled", false);
	jw_kv_int(w, "open_issues_count", 0);
	jw_kv_null(w, "license");
	jw_kv_bool(w, "allow_forking", false);
	jw_kv_bool(w, "is_template", false);
	jw_kv_bool(w, "web_commit_signoff_required", false);
	jw_key(w, "topics");
	jw_array_begin(w);
	jw_array_end(w);
	jw_kv_string(w, "visibility", r->is_private ? "private" : "public");
	jw_kv_int(w, "forks", 0);
	jw_kv_int(w, "open_issues", 0);
	jw_kv_int(w, "watchers", 0);
	jw_kv_string(w, "default_branch", r->default_branch);
	if (permission) {
		jw_key(w, "permissions");
		jw_object_begin(w);
		jw_kv_bool(w, "admin", *permission >= PERMISSION_ADMIN);
		jw_kv_bool(w, "maintain", *permission >= PERMISSION_ADMIN);
		jw_kv_bool(w, "push", *permission >= PERMISSION_PUSH);
		jw_kv_bool(w, "triage", *permission >= PERMISSION_PUSH);
		jw_kv_bool(w, "pull", *permission >= PERMISSION_PULL);
		jw_object_end(w);
	}
	jw_kv_int(w, "network_count", 0);
	jw_kv_int(w, "subscribers_count", 0);
	jw_object_end(w);

	buf_release(&host);
	repository_names_release(&names);
}

void
render_deployment(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct deployment *d)
{
	struct buf repo_url = BUF_INIT;
	struct buf url = BUF_INIT;

	put_repository_url(&repo_url, base, repo);
	buf_puts(&url, repo_url.data);
	buf_puts(&url, "/deployments/");
	buf_put_int(&url, d->id);
	jw_object_begin(w);
	jw_kv_string(w, "url", url.data);
	jw_kv_int(w, "id", d->id);
	kv_node_id(w, "Deployment", d->id);
	jw_kv_string(w, "sha", d->sha);
	jw_kv_string(w, "ref", d->ref);
	jw_kv_string(w, "task", d->task);
	/* Stored as the JSON text it was given: an object or a string. */
	jw_key(w, "payload");
	jw_raw(w, d->payload && *d->payload ? d->payload : "{}");
	jw_kv_string(w, "original_environment", d->original_environment);
	jw_kv_string(w, "environment", d->environment);
	jw_kv_string(w, "description", d->description);
	jw_key(w, "creator");
	render_simple_user(w, base, &d->creator);
	kv_time(w, "created_at", d->created_at);
	kv_time(w, "updated_at", d->updated_at);
	jw_key(w, "statuses_url");
	jw_string_begin(w);
	jw_string_part(w, url.data);
	jw_string_part(w, "/statuses");
	jw_string_end(w);
	jw_kv_string(w, "repository_url", repo_url.data);
	jw_kv_bool(w, "transient_environment", d->transient_environment);
	jw_kv_bool(w, "production_environment", d->production_environment);
	jw_kv_null(w, "performed_via_github_app");
	jw_object_end(w);
	buf_release(&url);
	buf_release(&repo_url);
}

/* What every event body ends with. */
static void
event_tail(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct user *sender)
{
	jw_key(w, "repository");
	render_full_repository(w, base, repo, NULL);
	jw_key(w, "sender");
	render_simple_user(w, base, sender);
}

void
render_deployment_event(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct deployment *d, const struct user *sender)
{
	jw_object_begin(w);
	jw_kv_string(w, "action", "created");
	jw_key(w, "deployment");
	render_deployment(w, base, repo, d);
	jw_kv_null(w, "workflow");
	jw_kv_null(w, "workflow_run");
	event_tail(w, base, repo, sender);
	jw_object_end(w);
}

/* Every field after node_id, in GitHub's order. */
static void
status_fields(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct deployment_status *s)
{
	struct buf url = BUF_INIT;

	jw_kv_string(w, "state", s->state);
	jw_key(w, "creator");
	render_simple_user(w, base, &s->creator);
	jw_kv_string(w, "description", s->description);
	jw_kv_string(w, "environment", s->environment);
	jw_kv_string(w, "target_url", s->target_url);
	kv_time(w, "created_at", s->created_at);
	kv_time(w, "updated_at", s->updated_at);
	render_deployment_url(&url, base, repo, s->deployment_id);
	jw_kv_string(w, "deployment_url", url.data);
	buf_reset(&url);
	put_repository_url(&url, base, repo);
	jw_kv_string(w, "repository_url", url.data);
	jw_kv_string(w, "environment_url", s->environment_url);
	jw_kv_string(w, "log_url", s->log_url);
	jw_kv_null(w, "performed_via_github_app");
	buf_release(&url);
}

void
render_deployment_status(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const struct deployment_status *s)
{
	struct buf url = BUF_INIT;

	render_deployment_url(&url, base, repo, s->deployment_id);
	buf_puts(&url, "/statuses/");
	buf_put_int(&url, s->id);
	jw_object_begin(w);
	jw_kv_string(w, "url", url.data);
	jw_kv_int(w, "id", s->id);
	kv_node_id(w, "DeploymentStatus", s->id);
	status_fields(w, base, repo, s);
	jw_object_end(w);
	buf_release(&url);
}

void
render_deployment_status_event(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const struct deployment *d, const struct deployment_status *s,
    const struct user *sender)
{
	jw_object_begin(w);
	jw_kv_string(w, "action", "created");
	jw_key(w, "deployment_status");
	render_deployment_status(w, base, repo, s);
	jw_key(w, "deployment");
	render_deployment(w, base, repo, d);
	jw_kv_null(w, "check_run");
	jw_kv_null(w, "workflow");
	jw_kv_null(w, "workflow_run");
	event_tail(w, base, repo, sender);
	jw_object_end(w);
}

void
render_hook(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct hook *h)
{
	struct buf url = BUF_INIT;

	render_hook_url(&url, base, repo, h->id);
	jw_object_begin(w);
	jw_kv_string(w, "type", "Repository");
	jw_kv_int(w, "id", h->id);
	jw_kv_string(w, "name", "web");
	jw_kv_bool(w, "active", h->active);
	jw_key(w, "events");
	jw_raw(w, h->events && *h->events ? h->events : "[]");
	jw_key(w, "config");
	jw_object_begin(w);
	jw_kv_string(w, "content_type", h->content_type);
	jw_kv_string(w, "insecure_ssl", h->insecure_ssl ? "1" : "0");
	jw_kv_string(w, "url", h->url);
	if (h->has_secret)
		jw_kv_string(w, "secret", "********");
	jw_object_end(w);
	kv_time(w, "updated_at", h->updated_at);
	kv_time(w, "created_at", h->created_at);
	jw_kv_string(w, "url", url.data);
	jw_kv_concat(w, "test_url", url.data, "/test");
	jw_kv_concat(w, "ping_url", url.data, "/pings");
	jw_kv_concat(w, "deliveries_url", url.data, "/deliveries");
	jw_key(w, "last_response");
	jw_object_begin(w);
	jw_key(w, "code");
	if (h->last_status_code > 0)
		jw_int(w, h->last_status_code);
	else
		jw_null(w);
	if (h->disabled_reason != NULL) {
		jw_kv_string(w, "status", "disabled");
		jw_kv_string(w, "message", h->disabled_reason);
	} else {
		jw_kv_string(w, "status", h->used ? "active" : "unused");
		jw_kv_null(w, "message");
	}
	jw_object_end(w);
	jw_object_end(w);
	buf_release(&url);
}

/* GitHub's words for how a delivery went. */
static void
delivery_status_text(struct jsonw *w, const struct delivery *d)
{
	if (d->status_code >= 200 && d->status_code < 300) {
		jw_string(w, "OK");
	} else if (d->status_code > 0) {
		jw_string_begin(w);
		jw_string_part(w, "Invalid HTTP Response: ");
		jw_string_int(w, d->status_code);
		jw_string_end(w);
	} else if (d->error) {
		jw_string(w, d->error);
	} else if (d->duration_ms >= 0) {
		jw_string(w, "We couldn't deliver this payload");
	} else {
		jw_string(w, "Pending");
	}
}

void
render_delivery(struct jsonw *w, const struct delivery *d, bool detail)
{
	jw_object_begin(w);
	jw_kv_int(w, "id", d->id);
	jw_kv_string(w, "guid", d->guid);
	kv_time(w, "delivered_at", d->delivered_at ? d->delivered_at : d->created_at);
	jw_kv_bool(w, "redelivery", d->redelivery);
	jw_key(w, "duration");
	jw_double(w, d->duration_ms > 0 ? d->duration_ms / 1000.0 : 0.0);
	jw_key(w, "status");
	delivery_status_text(w, d);
	jw_kv_int(w, "status_code", d->status_code > 0 ? d->status_code : 0);
	jw_kv_string(w, "event", d->event);
	jw_kv_string(w, "action", d->action);
	jw_kv_null(w, "installation_id");
	jw_kv_int(w, "repository_id", d->repository_id);
	jw_kv_null(w, "throttled_at");
	if (detail) {
		/* Stored JSON texts (json columns), embedded as they are. */
		jw_key(w, "request");
		jw_object_begin(w);
		jw_key(w, "headers");
		jw_raw(w, d->request_headers ? d->request_headers : "{}");
		jw_key(w, "payload");
		jw_raw(w, d->payload ? d->payload : "null");
		jw_object_end(w);
		jw_key(w, "response");
		jw_object_begin(w);
		jw_key(w, "headers");
		jw_raw(w, d->response_headers ? d->response_headers : "{}");
		jw_kv_string(w, "payload", d->response_body);
		jw_object_end(w);
	}
	jw_object_end(w);
}

void
render_ping_event(struct jsonw *w, const struct url_base *base, const struct repository *repo,
    const struct hook *h, const struct user *sender)
{
	jw_object_begin(w);
	jw_kv_string(w, "zen", "Design for failure.");
	jw_kv_int(w, "hook_id", h->id);
	jw_key(w, "hook");
	render_hook(w, base, repo, h);
	event_tail(w, base, repo, sender);
	jw_object_end(w);
}

void
render_repository_dispatch_event(struct jsonw *w, const struct url_base *base,
    const struct repository *repo, const char *event_type, const char *client_payload,
    const struct user *sender)
{
	jw_object_begin(w);
	jw_kv_string(w, "action", event_type);
	jw_kv_string(w, "branch", repo->default_branch);
	jw_key(w, "client_payload");
	jw_raw(w, client_payload ? client_payload : "null");
	event_tail(w, base, repo, sender);
	jw_object_end(w);
}
