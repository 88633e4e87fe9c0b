#include "config.h"

#include "dispatch_request.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "webhook_signature.h"

const char *
dispatch_request_user_agent(void)
{
	static char agent[32];

	/* GitHub sends the short id of the Hookshot build; ours names the
	 * build the same way, so receivers that match on the prefix work. */
	if (agent[0] == '\0') {
		char hex[65];

		sha256_hex(PACKAGE_STRING, strlen(PACKAGE_STRING), hex);
		snprintf(agent, sizeof(agent), "GitHub-Hookshot/%.7s", hex);
	}
	return agent;
}

static void
put_header(json_t *headers, const char *name, const char *value)
{
	/* Names are ours and values were checked for control characters, so
	 * jansson cannot refuse them; a failure would be out of memory. */
	if (json_object_set_new(headers, name, json_string(value)) < 0)
		abort();
}

int
dispatch_request_build(struct dispatch_job *job)
{
	char number[24];
	bool signed_body = job->secret != NULL && job->secret[0] != '\0';

	buf_reset(&job->body);
	json_decref(job->request_headers);
	job->request_headers = json_object();
	if (job->request_headers == NULL)
		abort();
	/* These go into header lines: a stray CR or LF would let stored data
	 * forge headers. The API never writes such values; check anyway. */
	if (has_control_chars(job->event) || has_control_chars(job->guid)) {
		free(job->error);
		job->error = xstrdup("event or guid has control characters; not sent");
		return -1;
	}
	if (job->form) {
		buf_puts(&job->body, "payload=");
		buf_put_urlencoded(&job->body, job->payload);
	} else {
		buf_puts(&job->body, job->payload);
	}

	put_header(job->request_headers, "Accept", "*/*");
	put_header(job->request_headers, "Content-Type",
	    job->form ? "application/x-www-form-urlencoded" : "application/json");
	put_header(job->request_headers, "User-Agent", dispatch_request_user_agent());
	put_header(job->request_headers, "X-GitHub-Delivery", job->guid);
	put_header(job->request_headers, "X-GitHub-Event", job->event);
	snprintf(number, sizeof(number), "%" PRId64, job->hook_id);
	put_header(job->request_headers, "X-GitHub-Hook-ID", number);
	snprintf(number, sizeof(number), "%" PRId64, job->repository_id);
	put_header(job->request_headers, "X-GitHub-Hook-Installation-Target-ID", number);
	put_header(job->request_headers, "X-GitHub-Hook-Installation-Target-Type", "repository");
	if (signed_body) {
		char sha1[SIGN_SHA1_LEN], sha256[SIGN_SHA256_LEN];
		size_t key_len = strlen(job->secret);

		if (sign_sha1(job->secret, key_len, job->body.data, job->body.len, sha1) < 0 ||
		    sign_sha256(job->secret, key_len, job->body.data, job->body.len, sha256) < 0) {
			free(job->error);
			job->error = xstrdup("cannot compute the HMAC signature");
			return -1;
		}
		put_header(job->request_headers, "X-Hub-Signature", sha1);
		put_header(job->request_headers, "X-Hub-Signature-256", sha256);
	}
	return 0;
}
