#include "config.h"

#include "router.h"

#include <string.h>

static int
match_pattern(const char *pattern, char *const *segments, size_t nsegments, struct route_match *m)
{
	const char *p = pattern;
	size_t i = 0;

	m->nparams = 0;
	while (*p == '/')
		p++;
	while (*p) {
		size_t len = strcspn(p, "/");

		if (i == nsegments)
			return -1;
		if (*p == ':') {
			if (m->nparams == ROUTE_MAX_PARAMS || segments[i][0] == '\0')
				return -1;
			m->names[m->nparams] = p + 1;
			m->name_lens[m->nparams] = len - 1;
			m->values[m->nparams] = segments[i];
			m->nparams++;
		} else if (strlen(segments[i]) != len || strncmp(p, segments[i], len) != 0) {
			return -1;
		}
		i++;
		p += len;
		while (*p == '/')
			p++;
	}
	return i == nsegments ? 0 : -1;
}

int
router_match(const struct route *table, size_t n, const char *method, char *const *segments,
    size_t nsegments, struct route_match *m)
{
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].method, method) != 0)
			continue;
		if (match_pattern(table[i].pattern, segments, nsegments, m) == 0) {
			m->route = &table[i];
			return 0;
		}
	}
	memset(m, 0, sizeof(*m));
	return -1;
}

const char *
route_param(const struct route_match *m, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < m->nparams; i++)
		if (m->name_lens[i] == len && strncmp(m->names[i], name, len) == 0)
			return m->values[i];
	return NULL;
}
