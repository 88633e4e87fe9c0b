#include "config.h"

#include <string.h>

#include "prom.h"
#include "unit.h"

START_TEST(test_family_and_samples)
{
	struct buf b = BUF_INIT;
	struct prom_label labels[] = { { "route", "/repos/:owner/:repo" }, { "code", "200" } };

	prom_family(&b, "x_requests_total", "counter", "Requests.");
	prom_sample_uint(&b, "x_requests_total", labels, 2, 18446744073709551615ULL);
	prom_sample_uint(&b, "x_requests_total", NULL, 0, 0);
	prom_sample_double(&b, "x_age_seconds", NULL, 0, 1.5);
	ck_assert_str_eq(buf_cstr(&b),
	    "# HELP x_requests_total Requests.\n"
	    "# TYPE x_requests_total counter\n"
	    "x_requests_total{route=\"/repos/:owner/:repo\",code=\"200\"} 18446744073709551615\n"
	    "x_requests_total 0\n"
	    "x_age_seconds 1.5\n");
	buf_release(&b);
}
END_TEST

/* Backslash, double quote and newline are escaped; nothing else is. */
START_TEST(test_label_values_escaped)
{
	struct buf b = BUF_INIT;
	struct prom_label label = { "v", "a\\b\"c\nd é" };

	prom_sample_uint(&b, "x", &label, 1, 1);
	ck_assert_str_eq(buf_cstr(&b), "x{v=\"a\\\\b\\\"c\\nd é\"} 1\n");
	buf_release(&b);
}
END_TEST

/* Buckets are written cumulative, each bound inclusive, up to +Inf, which
 * _count repeats; _sum is in seconds. */
START_TEST(test_duration_histogram)
{
	struct prom_duration_histogram h;
	struct buf b = BUF_INIT;
	struct prom_label label = { "route", "/user" };

	memset(&h, 0, sizeof(h));
	prom_duration_observe(&h, 1000000);       /* exactly 1 ms: le="0.001" */
	prom_duration_observe(&h, 3000000);       /* le="0.005" */
	prom_duration_observe(&h, 60000000000LL); /* over 30 s: +Inf only */
	prom_duration_observe(&h, -5);            /* a clock step: 0 */
	prom_duration_write(&b, "x_duration_seconds", &label, 1, &h);
	ck_assert_ptr_nonnull(strstr(b.data, "x_duration_seconds_bucket{route=\"/user\",le=\"0.001\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "x_duration_seconds_bucket{route=\"/user\",le=\"0.0025\"} 2\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "x_duration_seconds_bucket{route=\"/user\",le=\"0.005\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "x_duration_seconds_bucket{route=\"/user\",le=\"30\"} 3\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "x_duration_seconds_bucket{route=\"/user\",le=\"+Inf\"} 4\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "x_duration_seconds_sum{route=\"/user\"} 60.004000000\n"));
	ck_assert_ptr_nonnull(strstr(b.data, "x_duration_seconds_count{route=\"/user\"} 4\n"));
	buf_reset(&b);
	prom_duration_write(&b, "y_seconds", NULL, 0, &h);
	ck_assert_ptr_nonnull(strstr(b.data, "\ny_seconds_bucket{le=\"+Inf\"} 4\ny_seconds_sum 60.004000000\n"
	    "y_seconds_count 4\n"));
	buf_release(&b);
}
END_TEST

Suite *
prom_suite(void)
{
	return unit_suite("prom", NULL, 0, (const TTest *const[]){
		test_family_and_samples, test_label_values_escaped, test_duration_histogram, NULL });
}
