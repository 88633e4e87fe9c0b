#include "config.h"

#include "retry_schedule.h"

#include <string.h>
#include <time.h>

void
dispatch_retry_init(struct dispatch_retry *r, const int64_t *delays_ms, size_t ndelays,
    int64_t max_attempts, int64_t retry_after_max_ms, uint64_t seed)
{
	r->delays_ms = delays_ms;
	r->ndelays = ndelays;
	r->max_attempts = max_attempts;
	r->retry_after_max_ms = retry_after_max_ms;
	/* Instances started together must not jitter in step. */
	if (seed == 0 && random_bytes(&seed, sizeof(seed)) < 0)
		seed = (uint64_t)monotonic_ns();
	r->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

/* Uniform in [0, 1): xorshift64*, plenty for jitter. */
static double
next_unit(struct dispatch_retry *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return (double)((r->rng * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

enum dispatch_outcome
dispatch_retry_decide(struct dispatch_retry *r, int64_t attempts, long status, int64_t retry_after_ms,
    int64_t *delay_ms)
{
	int64_t base;
	size_t i;

	*delay_ms = 0;
	if (status >= 200 && status <= 299)
		return DISPATCH_DELIVERED;
	if (attempts >= r->max_attempts || r->ndelays == 0)
		return DISPATCH_FAILED;
	if ((status == 429 || status == 503) && retry_after_ms >= 0) {
		*delay_ms = retry_after_ms < r->retry_after_max_ms ? retry_after_ms : r->retry_after_max_ms;
		return DISPATCH_RETRY;
	}
	i = attempts < 1 ? 0 : (size_t)attempts;
	if (i >= r->ndelays)
		i = r->ndelays - 1;
	base = r->delays_ms[i];
	*delay_ms = (int64_t)((double)base * (0.8 + 0.4 * next_unit(r)));
	return DISPATCH_RETRY;
}

int64_t
dispatch_retry_after_parse(const char *value, int64_t now_epoch)
{
	struct tm tm;
	const char *end;
	int64_t seconds;

	while (*value == ' ' || *value == '\t')
		value++;
	if (*value >= '0' && *value <= '9') {
		size_t n = strspn(value, "0123456789");
		char digits[16];

		if (n >= sizeof(digits) || value[n + strspn(value + n, " \t")] != '\0')
			return -1;
		memcpy(digits, value, n);
		digits[n] = '\0';
		if (parse_int64(digits, 0, INT64_MAX / 1000, &seconds) < 0)
			return -1;
		return seconds * 1000;
	}
	/* IMF-fixdate, the form servers send: "Wed, 21 Oct 2015 07:28:00 GMT". */
	memset(&tm, 0, sizeof(tm));
	end = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || end[strspn(end, " \t")] != '\0')
		return -1;
	seconds = (int64_t)timegm(&tm) - now_epoch;
	return seconds > 0 ? seconds * 1000 : 0;
}

const char *
dispatch_outcome_name(enum dispatch_outcome o)
{
	switch (o) {
	case DISPATCH_DELIVERED:
		return "delivered";
	case DISPATCH_RETRY:
		return "retry";
	case DISPATCH_FAILED:
		return "failed";
	}
	return "failed";
}
