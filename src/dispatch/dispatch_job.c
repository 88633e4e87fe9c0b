#include "config.h"

#include "dispatch_job.h"

#include <stdlib.h>

struct dispatch_job *
dispatch_job_new(void)
{
	struct dispatch_job *job = xcalloc(1, sizeof(*job));

	job->retry_after_ms = -1;
	job->outcome = DISPATCH_FAILED;
	return job;
}

void
dispatch_job_free(struct dispatch_job *job)
{
	if (job == NULL)
		return;
	free(job->guid);
	free(job->event);
	free(job->payload);
	free(job->url);
	free(job->secret);
	free(job->error);
	buf_release(&job->body);
	buf_release(&job->response_body);
	json_decref(job->request_headers);
	json_decref(job->response_headers);
	free(job);
}

/* Length of the valid UTF-8 sequence at s (at most left bytes), 0 if none. */
static size_t
utf8_sequence(const unsigned char *s, size_t left)
{
	size_t n;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

char *
dispatch_text_clean(const char *s, size_t len)
{
	struct buf out = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	buf_append(&out, "", 0);
	while (i < len) {
		size_t n = utf8_sequence(p + i, len - i);

		if (n == 0) {
			buf_puts(&out, "\xef\xbf\xbd");
			i++;
		} else {
			if (p[i] != '\0')
				buf_append(&out, p + i, n);
			i += n;
		}
	}
	return buf_detach(&out);
}
