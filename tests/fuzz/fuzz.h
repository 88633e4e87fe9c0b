/*
 * What the libFuzzer targets of tests/fuzz share (docs/fuzzing.md): each
 * target is one LLVMFuzzerTestOneInput over the real parsing code, built
 * with ASan+UBSan by configure --enable-fuzzing. A target also aborts when
 * a parser's result breaks a promise its header makes (fuzz_require), so
 * wrong answers are findings as well as crashes.
 */
#ifndef DEPLOY_FUZZ_H
#define DEPLOY_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handler.h"
#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts, naming what failed, unless ok: libFuzzer saves the input. */
#define fuzz_require(ok) fuzz_require_at((ok), #ok, __FILE__, __LINE__)
void fuzz_require_at(bool ok, const char *what, const char *file, int line);

/* One body validator, run the way its handler runs it. */
typedef void (*fuzz_body_check)(struct handler_ctx *ctx, const struct input *body);

/* body (size bytes) as a request's body, parsed as input_body_or_reply()
 * parses it (400 for bad JSON), then each of checks[0..n) on the object;
 * every response left must be valid JSON. */
void fuzz_body(const char *body, size_t size, const fuzz_body_check *checks, size_t n);

/* The hook body validators: create, and update of a hook with events. */
void fuzz_hook_create(struct handler_ctx *ctx, const struct input *body);
void fuzz_hook_update(struct handler_ctx *ctx, const struct input *body);

#endif
