/* The Authorization header: the input is its value. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "credentials.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = xstrndup((const char *)data, size);
	char hash[65];

	if (credentials_parse(header, hash) == CREDENTIALS_TOKEN)
		fuzz_require(strlen(hash) == 64 && strspn(hash, "0123456789abcdef") == 64);
	free(header);
	return 0;
}
