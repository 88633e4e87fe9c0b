#include "config.h"

#include "options.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static void
usage(const struct option_table *t, FILE *out)
{
	fprintf(out, "usage: %s [options]\n\n", t->program);
	for (size_t i = 0; i < t->ndefs; i++) {
		const struct option_def *o = &t->defs[i];

		fprintf(out, "  --%s%s\n      %s", o->name, o->type == OPTION_FLAG ? "" : " VALUE", o->help);
		if (o->default_value && *o->default_value)
			fprintf(out, " [%s]", o->default_value);
		fputc('\n', out);
	}
}

static int
option_set(const struct option_table *t, void *target, const struct option_def *o,
    const char *value)
{
	char *field = (char *)target + o->offset;

	switch (o->type) {
	case OPTION_STRING:
		*(const char **)field = value;
		return 0;
	case OPTION_INT:
		if (parse_int64(value, o->min, o->max, (int64_t *)field) < 0) {
			fprintf(stderr, "%s: --%s takes a whole number from %lld to %lld, not '%s'\n",
			    t->program, o->name, (long long)o->min, (long long)o->max, value);
			return -1;
		}
		return 0;
	case OPTION_FLAG:
		*(bool *)field = true;
		return 0;
	}
	return -1;
}

static const struct option_def *
find(const struct option_table *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->ndefs; i++)
		if (strlen(t->defs[i].name) == len && strncmp(t->defs[i].name, name, len) == 0)
			return &t->defs[i];
	return NULL;
}

int
options_parse(const struct option_table *t, void *target, int argc, char **argv)
{
	for (size_t i = 0; i < t->ndefs; i++)
		if (t->defs[i].default_value && option_set(t, target, &t->defs[i], t->defs[i].default_value) < 0)
			return -1;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *value = NULL;
		const struct option_def *o;
		size_t name_len;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			usage(t, stdout);
			return 1;
		}
		if (strncmp(arg, "--", 2) != 0) {
			fprintf(stderr, "%s: unexpected argument '%s'\n", t->program, arg);
			usage(t, stderr);
			return -1;
		}
		arg += 2;
		name_len = strcspn(arg, "=");
		o = find(t, arg, name_len);
		if (o == NULL) {
			fprintf(stderr, "%s: unknown option --%.*s\n", t->program, (int)name_len, arg);
			usage(t, stderr);
			return -1;
		}
		if (o->type == OPTION_FLAG) {
			if (arg[name_len] == '=') {
				fprintf(stderr, "%s: --%s takes no value\n", t->program, o->name);
				return -1;
			}
		} else if (arg[name_len] == '=') {
			value = arg + name_len + 1;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			fprintf(stderr, "%s: --%s needs a value\n", t->program, o->name);
			return -1;
		}
		if (option_set(t, target, o, value) < 0)
			return -1;
	}
	return 0;
}
