/*
 * The webhook body of an outbox event, rendered by the dispatcher when it
 * fans the event out (docs/dispatch.md, "Rendering at fan-out"). The API
 * writes lean rows (sql/0014): ids, the deployment's and the status's own
 * values of the event's time, and the base URLs it would have built the
 * body's URLs from; the repository and the sender come from their rows.
 * The body is what the API rendered before, byte for byte, with the same
 * render functions (render.h).
 */
#ifndef DEPLOY_DISPATCH_EVENT_H
#define DEPLOY_DISPATCH_EVENT_H

#include "buf.h"
#include "model.h"
#include "render.h"
#include "util.h"

struct dispatch_event {
	const char *event;        /* X-GitHub-Event */
	const char *action;       /* NULL for none */
	struct url_base base;     /* the API's, from the row */
	const struct repository *repository;
	const struct user *sender;
	/* What the event's own values say, NULL where it has none: the
	 * deployment (deployment, deployment_status: as the change left it),
	 * the status (deployment_status), client_payload (repository_dispatch,
	 * JSON text). */
	const struct deployment *deployment;
	const struct deployment_status *status;
	const char *client_payload;
};

/* Appends e's body to out: 0, or -1 (out unchanged) when e is not an event
 * the API writes lean, or lacks what its body needs. */
int dispatch_event_render(const struct dispatch_event *e, struct buf *out) MUST_CHECK;

#endif
