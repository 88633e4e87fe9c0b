#include "config.h"

#include "media.h"

#include <string.h>

#define VND_PREFIX "application/vnd.github"
#define DEFAULT_API_VERSION "2022-11-28"

static const char *const api_versions[] = { DEFAULT_API_VERSION, "2026-03-10" };

static bool
is_token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

void
media_type_served(const char *accept, struct buf *out)
{
	const char *p = accept;

	while (p && *p) {
		size_t len;

		p += strspn(p, " \t,");
		len = strcspn(p, ",");
		if (len > strlen(VND_PREFIX) && strncmp(p, VND_PREFIX, strlen(VND_PREFIX)) == 0 &&
		    p[strlen(VND_PREFIX)] == '.') {
			/* application/vnd.github.NAME[+json][; params] */
			const char *name = p + strlen(VND_PREFIX) + 1;
			size_t n = 0;
			bool v3, preview;

			while (name + n < p + len && is_token_char(name[n]))
				n++;
			/* Only v3 and the previews are media types of this API;
			 * other names are skipped like any foreign type. */
			v3 = n == 2 && memcmp(name, "v3", 2) == 0;
			preview = n >= 7 && n <= 64 && memcmp(name + n - 7, "preview", 7) == 0;
			if (v3)
				break;
			if (preview) {
				buf_puts(out, "github.");
				buf_append(out, name, n);
				buf_puts(out, "; format=json");
				return;
			}
		}
		p += len;
	}
	buf_puts(out, "github.v3; format=json");
}

bool
media_api_version_supported(const char *version)
{
	if (version == NULL || *version == '\0')
		return true;
	for (size_t i = 0; i < sizeof(api_versions) / sizeof(api_versions[0]); i++)
		if (strcmp(version, api_versions[i]) == 0)
			return true;
	return false;
}

const char *
media_api_version_selected(const char *version)
{
	for (size_t i = 0; version && i < sizeof(api_versions) / sizeof(api_versions[0]); i++)
		if (strcmp(version, api_versions[i]) == 0)
			return api_versions[i];
	return DEFAULT_API_VERSION;
}
