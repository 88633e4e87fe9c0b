#include "config.h"

#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static char *
copy_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
user_copy(struct user *dst, const struct user *src)
{
	*dst = *src;
	dst->login = copy_or_null(src->login);
	dst->name = copy_or_null(src->name);
	dst->email = copy_or_null(src->email);
}

void
repository_copy(struct repository *dst, const struct repository *src)
{
	*dst = *src;
	dst->name = copy_or_null(src->name);
	dst->default_branch = copy_or_null(src->default_branch);
	dst->git_dir = copy_or_null(src->git_dir);
	dst->description = copy_or_null(src->description);
	dst->homepage = copy_or_null(src->homepage);
	user_copy(&dst->owner, &src->owner);
}

void
principal_copy(struct principal *dst, const struct principal *src)
{
	*dst = *src;
	dst->scopes_header = copy_or_null(src->scopes_header);
	user_copy(&dst->user, &src->user);
}

void
user_release(struct user *u)
{
	free(u->login);
	free(u->name);
	free(u->email);
	memset(u, 0, sizeof(*u));
}

void
repository_release(struct repository *r)
{
	free(r->name);
	free(r->default_branch);
	free(r->git_dir);
	free(r->description);
	free(r->homepage);
	user_release(&r->owner);
	memset(r, 0, sizeof(*r));
}

void
deployment_release(struct deployment *d)
{
	free(d->ref);
	free(d->task);
	free(d->payload);
	free(d->original_environment);
	free(d->environment);
	free(d->description);
	free(d->latest_state);
	user_release(&d->creator);
	memset(d, 0, sizeof(*d));
}

void
environment_release(struct environment *e)
{
	free(e->name);
	memset(e, 0, sizeof(*e));
}

void
branch_policy_release(struct branch_policy *p)
{
	free(p->name);
	free(p->type);
	memset(p, 0, sizeof(*p));
}

void
deployment_status_release(struct deployment_status *s)
{
	free(s->state);
	free(s->description);
	free(s->environment);
	free(s->target_url);
	free(s->log_url);
	free(s->environment_url);
	user_release(&s->creator);
	memset(s, 0, sizeof(*s));
}

void
commit_status_release(struct commit_status *s)
{
	free(s->state);
	free(s->description);
	free(s->target_url);
	free(s->context);
	user_release(&s->creator);
	memset(s, 0, sizeof(*s));
}

void
hook_release(struct hook *h)
{
	free(h->url);
	free(h->content_type);
	free(h->events);
	free(h->disabled_reason);
	memset(h, 0, sizeof(*h));
}

void
delivery_release(struct delivery *d)
{
	free(d->guid);
	free(d->event);
	free(d->action);
	free(d->status);
	free(d->payload);
	free(d->request_headers);
	free(d->response_headers);
	free(d->response_body);
	free(d->error);
	memset(d, 0, sizeof(*d));
}

void
principal_release(struct principal *p)
{
	free(p->scopes_header);
	user_release(&p->user);
	memset(p, 0, sizeof(*p));
}

enum permission
permission_parse(const char *s)
{
	if (s == NULL)
		return PERMISSION_NONE;
	if (strcmp(s, "admin") == 0)
		return PERMISSION_ADMIN;
	if (strcmp(s, "push") == 0)
		return PERMISSION_PUSH;
	if (strcmp(s, "pull") == 0)
		return PERMISSION_PULL;
	return PERMISSION_NONE;
}

int
scopes_parse(const char *list, unsigned *out)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {
		{ "repo", SCOPE_REPO },
		{ "public_repo", SCOPE_PUBLIC_REPO },
		{ "repo_deployment", SCOPE_REPO_DEPLOYMENT },
	};

	*out = 0;
	while (*list) {
		size_t len;
		bool known = false;

		list += strspn(list, " ,");
		len = strcspn(list, " ,");
		if (len == 0)
			break;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strlen(names[i].name) == len && strncmp(names[i].name, list, len) == 0) {
				*out |= names[i].bit;
				known = true;
			}
		}
		if (!known)
			return -1;
		list += len;
	}
	return 0;
}

void
commit_info_release(struct commit_info *c)
{
	/* Owned when gitcommit_read() filled them (model.h). */
	free((char *)c->author.name);
	free((char *)c->author.email);
	free((char *)c->committer.name);
	free((char *)c->committer.email);
	free((char *)c->message);
	free(c->parents);
	memset(c, 0, sizeof(*c));
}
