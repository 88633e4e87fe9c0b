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

/* What the loop does with an argument that is not an option. */
struct arguments {
	bool stop;          /* stop before it: next is its index */
	const char **args;  /* or keep it here, up to max of them */
	size_t max;
	size_t count;
	int next;
};

/* argv[first..argc) after the table's defaults. with_usage (options_parse):
 * --help, an unknown option and an unexpected argument print the table's
 * usage. */
static int
parse(const struct option_table *t, void *target, int argc, char **argv, int first,
    bool with_usage, struct arguments *a)
{
	for (size_t i = 0; i < t->ndefs; i++)
		if (t->defs[i].default_value && option_set(t, target, &t->defs[i], t->defs[i].default_value) < 0)
			return -1;
	a->next = argc;
	for (int i = first; i < argc; i++) {
		const char *arg = argv[i];
		const char *value = NULL;
		const struct option_def *o;
		size_t name_len;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			if (with_usage)
				usage(t, stdout);
			return 1;
		}
		if (strncmp(arg, "--", 2) != 0) {
			if (a->stop) {
				a->next = i;
				return 0;
			}
			if (a->count < a->max) {
				a->args[a->count++] = arg;
				continue;
			}
			fprintf(stderr, "%s: unexpected argument '%s'\n", t->program, arg);
			if (with_usage)
				usage(t, stderr);
			return -1;
		}
		arg += 2;
		name_len = strcspn(arg, "=");
		o = find(t, arg, name_len);
		if (o == NULL) {
			fprintf(stderr, "%s: unknown option --%.*s\n", t->program, (int)name_len, arg);
			if (with_usage)
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

int
options_parse(const struct option_table *t, void *target, int argc, char **argv)
{
	struct arguments none = { 0 };

	return parse(t, target, argc, argv, 1, true, &none);
}

int
options_parse_prefix(const struct option_table *t, void *target, int argc, char **argv, int first,
    int *next)
{
	struct arguments stop = { .stop = true };
	int rc = parse(t, target, argc, argv, first, false, &stop);

	*next = stop.next;
	return rc;
}

int
options_parse_args(const struct option_table *t, void *target, int argc, char **argv, int first,
    const char **args, size_t max, size_t *nargs)
{
	struct arguments keep = { .args = args, .max = max };
	int rc = parse(t, target, argc, argv, first, false, &keep);

	*nargs = keep.count;
	return rc;
}
