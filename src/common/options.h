/*
 * Command-line options from one table per program: name, type, where the
 * value goes in the program's settings struct, default, range and help.
 * "--name value" and "--name=value" both work; --help prints the table.
 */
#ifndef DEPLOY_OPTIONS_H
#define DEPLOY_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum option_type {
	OPTION_STRING,  /* const char *, borrowed from argv or the default */
	OPTION_INT,     /* int64_t within [min, max] */
	OPTION_FLAG,    /* bool, true when given */
};

struct option_def {
	const char *name;
	enum option_type type;
	size_t offset;              /* of the field in the settings struct */
	const char *default_value;  /* NULL: the program computes it */
	int64_t min;
	int64_t max;
	const char *help;
};

struct option_table {
	const char *program;
	const struct option_def *defs;
	size_t ndefs;
};

/* Fills target with the defaults, then argv (fields without a default keep
 * what the caller put there). Returns 0,
 * 1 when --help was asked for (usage printed), or -1 with the error and
 * usage printed on stderr. */
int options_parse(const struct option_table *t, void *target, int argc, char **argv) MUST_CHECK;

/*
 * For a program with commands and arguments (deployctl: its options, a
 * command, the command's arguments and options). Both parse argv[first..]
 * after the table's defaults, as options_parse does, but print no usage:
 * on 1 (--help), the caller prints its own, and errors are one line.
 *
 * options_parse_prefix: the options before the first argument that is not
 * one (the command); *next is that argument's index, argc when none is.
 * options_parse_args: options anywhere; the other arguments are kept in
 * args in order, at most max of them (one more is an unexpected
 * argument); *nargs says how many there were.
 */
int options_parse_prefix(const struct option_table *t, void *target, int argc, char **argv,
    int first, int *next) MUST_CHECK;
int options_parse_args(const struct option_table *t, void *target, int argc, char **argv,
    int first, const char **args, size_t max, size_t *nargs) MUST_CHECK;

#endif
