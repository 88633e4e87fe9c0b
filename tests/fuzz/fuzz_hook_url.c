/*
 * The webhook URL check: the input is the URL itself, sent as a hook's
 * config.url (escaped into a JSON string, so that every input reaches the
 * check rather than failing as JSON), through the create and update
 * validators.
 */
#include "config.h"

#include "buf.h"
#include "fuzz.h"
#include "jsonw.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const fuzz_body_check checks[] = { fuzz_hook_create, fuzz_hook_update };
	struct buf body = BUF_INIT;
	struct jsonw w;

	jw_init(&w, &body);
	jw_object_begin(&w);
	jw_key(&w, "config");
	jw_object_begin(&w);
	jw_key(&w, "url");
	jw_stringn(&w, (const char *)data, size);
	jw_object_end(&w);
	jw_object_end(&w);
	fuzz_body(body.data, body.len, checks, sizeof(checks) / sizeof(checks[0]));
	buf_release(&body);
	return 0;
}
