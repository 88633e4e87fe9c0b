#include "config.h"

#include "dispatch_event.h"

#include <string.h>

#include "jsonw.h"

static bool
is_event(const struct dispatch_event *e, const char *event, const char *action)
{
	return strcmp(e->event, event) == 0 && e->action && strcmp(e->action, action) == 0;
}

int
dispatch_event_render(const struct dispatch_event *e, struct buf *out)
{
	struct jsonw w;

	if (e->repository == NULL || e->sender == NULL || e->base.api == NULL || e->base.web == NULL)
		return -1;
	jw_init(&w, out);
	if (is_event(e, "deployment", "created") && e->deployment) {
		render_deployment_event(&w, &e->base, e->repository, e->deployment, e->sender);
		return 0;
	}
	if (is_event(e, "deployment_status", "created") && e->deployment && e->status) {
		render_deployment_status_event(&w, &e->base, e->repository, e->deployment, e->status,
		    e->sender);
		return 0;
	}
	if (strcmp(e->event, "repository_dispatch") == 0 && e->action && e->client_payload) {
		render_repository_dispatch_event(&w, &e->base, e->repository, e->action,
		    e->client_payload, e->sender);
		return 0;
	}
	return -1;
}
