#include "config.h"

#include <string.h>
#include <unistd.h>

#include "log.h"
#include "unit.h"

static const struct {
	const char *value;
	const char *field;
} field_cases[] = {
	{ "plain", "k=plain" },
	{ "with-dash_and.dot/slash:colon", "k=with-dash_and.dot/slash:colon" },
	{ "caf\xc3\xa9", "k=caf\xc3\xa9" },
	{ "", "k=\"\"" },
	{ "two words", "k=\"two words\"" },
	{ " lead", "k=\" lead\"" },
	{ "a=b", "k=\"a=b\"" },
	{ "say \"hi\"", "k=\"say \\\"hi\\\"\"" },
	{ "\"", "k=\"\\\"\"" },
	{ "back\\slash", "k=\"back\\\\slash\"" },
	{ "line\nbreak", "k=\"line\\nbreak\"" },
	{ "tab\there", "k=\"tab\\x09here\"" },
	{ "cr\r", "k=\"cr\\x0d\"" },
	{ "\x01\x1f", "k=\"\\x01\\x1f\"" },
	{ "del\x7f", "k=\"del\\x7f\"" },
	{ "\\\"\n", "k=\"\\\\\\\"\\n\"" },
};

START_TEST(test_put_field)
{
	struct buf b = BUF_INIT;

	log_put_field(&b, "k", field_cases[_i].value);
	ck_assert_str_eq(buf_cstr(&b), field_cases[_i].field);
	buf_release(&b);
}
END_TEST

START_TEST(test_put_field_separator)
{
	struct buf b = BUF_INIT;

	/* The first field has no leading space, the next ones one each. */
	log_put_field(&b, "a", "1");
	log_put_field(&b, "b", "x y");
	log_put_field(&b, "c", "");
	ck_assert_str_eq(buf_cstr(&b), "a=1 b=\"x y\" c=\"\"");
	buf_release(&b);
}
END_TEST

START_TEST(test_begin_line)
{
	struct buf b = BUF_INIT;

	log_set_role("worker");
	log_begin_line(&b, "warn");
	assert_matches(buf_cstr(&b),
	    "^ts=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
	    "level=warn role=worker pid=[0-9]+$");
	buf_release(&b);
}
END_TEST

/* Runs log_info with stderr sent to a pipe and returns what it wrote. */
static void
capture_log_info(const char *msg, char *out, size_t size)
{
	int fds[2];
	int saved;
	ssize_t n;
	size_t got = 0;

	ck_assert_int_eq(pipe(fds), 0);
	saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_ge(dup2(fds[1], STDERR_FILENO), 0);
	log_info("message: %s", msg);
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	close(saved);
	close(fds[1]);
	while (got + 1 < size && (n = read(fds[0], out + got, size - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fds[0]);
}

START_TEST(test_log_info_line)
{
	char line[1024];
	const char *msg;

	log_set_role("master");
	capture_log_info("a \"quoted\"\nvalue", line, sizeof(line));
	/* One line, terminated, with the message quoted and escaped. */
	ck_assert_uint_gt(strlen(line), 0);
	ck_assert_int_eq(line[strlen(line) - 1], '\n');
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
	ck_assert_ptr_nonnull(strstr(line, " level=info role=master pid="));
	msg = strstr(line, " msg=");
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(msg, " msg=\"message: a \\\"quoted\\\"\\nvalue\"\n");
}
END_TEST

Suite *
log_suite(void)
{
	return unit_suite("log", test_put_field, (int)ARRAY_SIZE(field_cases), (const TTest *const[]){
		test_put_field_separator, test_begin_line, test_log_info_line, NULL });
}
