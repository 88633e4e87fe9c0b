#include "config.h"

#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/evp.h>

static void
out_of_memory(size_t size)
{
	fprintf(stderr, "level=fatal msg=\"out of memory\" bytes=%zu\n", size);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

void *
xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(count * size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		out_of_memory(size);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	/* strtoll would skip leading white space and take a '+': neither is
	 * a plain decimal number. */
	if (s == NULL || !(*s == '-' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

size_t
format_int64(int64_t v, char out[INT64_DECIMAL_MAX])
{
	char reversed[INT64_DECIMAL_MAX];
	/* Negated as unsigned so that INT64_MIN has a magnitude too. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, len = 0;

	do {
		reversed[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		out[len++] = '-';
	while (n > 0)
		out[len++] = reversed[--n];
	return len;
}

size_t
format_hex(uint64_t v, size_t min_width, bool upper, char out[16])
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t len = 1;

	while (len < 16 && (v >> (4 * len)) != 0)
		len++;
	if (len < min_width)
		len = min_width > 16 ? 16 : min_width;
	for (size_t i = len; i > 0; i--, v >>= 4)
		out[i - 1] = digits[v & 0xf];
	return len;
}

static int cached_pid;

static void
forget_pid(void)
{
	cached_pid = 0;
}

int
process_id(void)
{
	static bool registered;

	if (!registered)
		registered = pthread_atfork(NULL, NULL, forget_pid) == 0;
	/* Without the fork handler, no cache: a child would keep its parent's. */
	if (cached_pid == 0 || !registered)
		cached_pid = (int)getpid();
	return cached_pid;
}

void
format_decimal_padded(unsigned v, int width, char *out)
{
	while (width-- > 0) {
		out[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
format_iso8601(int64_t epoch_seconds, char *out)
{
	/* Days to a civil date (H. Hinnant's algorithm): gmtime_r and
	 * strftime cost more than the rest of a timestamp's rendering. */
	int64_t days = epoch_seconds / 86400, secs = epoch_seconds % 86400;
	int64_t era, year;
	unsigned doe, yoe, doy, mp, day, month;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = doy - (153 * mp + 2) / 5 + 1;
	month = mp < 10 ? mp + 3 : mp - 9;
	year = (int64_t)yoe + era * 400 + (month <= 2);
	if (year < 0 || year > 9999) {
		memcpy(out, "1970-01-01T00:00:00Z", ISO8601_LEN + 1);
		return;
	}
	memcpy(out, "0000-00-00T00:00:00Z", ISO8601_LEN + 1);
	format_decimal_padded((unsigned)year, 4, out);
	format_decimal_padded(month, 2, out + 5);
	format_decimal_padded(day, 2, out + 8);
	format_decimal_padded((unsigned)(secs / 3600), 2, out + 11);
	format_decimal_padded((unsigned)(secs / 60 % 60), 2, out + 14);
	format_decimal_padded((unsigned)(secs % 60), 2, out + 17);
}

void
sha256_hex(const void *data, size_t len, char *out)
{
	/* OpenSSL 3 looks the algorithm up on every one-shot SHA256() call;
	 * fetching it once per process, and reusing one context, keeps the
	 * hash a few microseconds on the request path. */
	static EVP_MD *md;
	static EVP_MD_CTX *ctx;
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (md == NULL)
		md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (ctx == NULL)
		ctx = EVP_MD_CTX_new();
	if (md == NULL || ctx == NULL || EVP_DigestInit_ex2(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, data, len) != 1 || EVP_DigestFinal_ex(ctx, digest, &n) != 1 ||
	    n != 32) {
		/* Without SHA-256 no token can be checked: nothing sane is left. */
		fprintf(stderr, "level=fatal msg=\"SHA-256 unavailable\"\n");
		abort();
	}
	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[64] = '\0';
}

static inline uint64_t
rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* MurmurHash3's finalizer. */
static inline uint64_t
fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

void
hash128(const void *data, size_t len, uint64_t out[2])
{
	/* Four independent lanes (xxHash's round) so that the multiplies of
	 * one 32-byte stripe overlap instead of waiting for each other. */
	static const uint64_t p1 = 0x9e3779b185ebca87ULL, p2 = 0xc2b2ae3d27d4eb4fULL;
	const unsigned char *p = data;
	uint64_t lane[4] = { p1 + p2, p2, 0, 0 - p1 };
	uint64_t w, tail = 0;
	size_t i = 0;

	for (; len - i >= 32; i += 32) {
		for (int k = 0; k < 4; k++) {
			memcpy(&w, p + i + 8 * k, 8);
			lane[k] = rotl64(lane[k] + w * p2, 31) * p1;
		}
	}
	for (int k = 0; len - i >= 8; i += 8, k++) {
		memcpy(&w, p + i, 8);
		lane[k] = rotl64(lane[k] + w * p2, 31) * p1;
	}
	if (len > i)
		memcpy(&tail, p + i, len - i);
	lane[3] = rotl64(lane[3] + (tail ^ (uint64_t)len) * p2, 31) * p1;
	out[0] = fmix64(rotl64(lane[0], 1) + rotl64(lane[1], 7) + rotl64(lane[2], 12) +
	    rotl64(lane[3], 18));
	out[1] = fmix64(lane[0] ^ rotl64(lane[1], 29) ^ rotl64(lane[2], 41) ^ rotl64(lane[3], 53) ^
	    out[0]);
}

int
random_bytes(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int64_t
monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool
has_control_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

size_t
utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

size_t
utf8_sequence_length(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp, min;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

bool
utf8_is_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	while (n > 0) {
		size_t len = utf8_sequence_length(p, n);

		if (len == 0)
			return false;
		p += len;
		n -= len;
	}
	return true;
}
