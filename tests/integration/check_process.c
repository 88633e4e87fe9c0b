/*
 * The process model under failure, over real HTTP: workers killed with
 * SIGKILL are replaced, a stopped database gives prompt 503s and the
 * service recovers by itself, SIGHUP reloads and SIGTERM stops without
 * dropping requests in flight.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "harness.h"
#include "suite.h"

/* Running, not a zombie waiting to be reaped. */
static bool
process_alive(int pid)
{
	char path[64], line[512];
	FILE *f;
	char state = 'X';

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	if (fgets(line, sizeof(line), f)) {
		char *p = strrchr(line, ')');

		if (p)
			state = p[2];
	}
	fclose(f);
	return state != 'Z' && state != 'X';
}

/* The children of pid, from /proc. */
static size_t
children_of(int pid, int *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL && n < max) {
		char path[300], line[512];
		FILE *f;
		int ppid = -1;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(line, sizeof(line), f)) {
			char *p = strrchr(line, ')');

			if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == pid)
				out[n++] = atoi(e->d_name);
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Waits (5 s at most) for master to have its 4 workers again, none of
 * them one of the n in before; while old ones are still going there can
 * be more than 4. */
static void
expect_new_workers(int master, const int *before, size_t n)
{
	int after[16];

	for (int i = 0; i < 50 && children_of(master, after, 16) != 4; i++)
		sleep_ms(100);
	ck_assert_uint_eq(children_of(master, after, 16), 4);
	for (size_t i = 0; i < 4; i++)
		for (size_t j = 0; j < n; j++)
			ck_assert_int_ne(after[i], before[j]);
}

static long
get_status(const char *path, const char *token, double *seconds)
{
	struct http_response r;
	long status;

	http_call(&r, "GET", path, token, NULL, NULL);
	status = r.status;
	if (status != 200)
		fprintf(stderr, "GET %s: %ld %s\n", path, status, r.body);
	if (seconds)
		*seconds = r.seconds;
	http_response_release(&r);
	return status;
}

START_TEST(killed_workers_are_replaced)
{
	int master = stack_pid("deploy-api");
	int before[16];
	size_t n = children_of(master, before, 16);

	ck_assert_uint_eq(n, 4);
	for (size_t i = 0; i < n; i++)
		kill(before[i], SIGKILL);
	/* A request a worker holds when it is killed dies with it; the next
	 * ones wait in the socket's backlog for the new workers. */
	for (size_t i = 0; i < n; i++)
		while (process_alive(before[i]))
			sleep_ms(10);
	ck_assert_int_eq(get_status("/healthz", NULL, NULL), 200);
	expect_new_workers(master, before, n);
	ck_assert_int_eq(get_status("/healthz", NULL, NULL), 200);
}
END_TEST

START_TEST(database_outage_gives_503_then_recovers)
{
	char login[40];
	char *token = make_user_with_token("outage", "repo", login);
	struct http_response r;
	double seconds;
	long status = 0;

	ck_assert_int_eq(get_status("/user", token, NULL), 200);
	ck_assert_int_eq(stack_command("pg_stop \"$1\""), 0);
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(get_status("/user", token, &seconds), 503);
		/* Prompt: bounded by connect_timeout, not a hang. */
		ck_assert_msg(seconds < 3.0, "503 took %.2f s", seconds);
	}
	/* The token cannot be read: the client address's budget is counted. */
	http_call(&r, "GET", "/user", token, NULL, NULL);
	ck_assert_int_eq(r.status, 503);
	assert_header(&r, "X-RateLimit-Limit", "60");
	assert_header(&r, "X-RateLimit-Resource", "core");
	http_response_release(&r);
	ck_assert_int_eq(get_status("/healthz", NULL, NULL), 503);
	ck_assert_int_eq(stack_command("pg_start \"$1\""), 0);
	/* Every worker reconnects by itself within its retry interval. */
	for (int i = 0; i < 50 && (status = get_status("/user", token, NULL)) != 200; i++)
		sleep_ms(100);
	ck_assert_int_eq(status, 200);
	for (int i = 0; i < 12; i++)
		ck_assert_int_eq(get_status("/user", token, NULL), 200);
	free(token);
}
END_TEST

/* Holds an exclusive lock on tokens, so requests that authenticate wait in
 * the database: they are in flight for as long as the lock is held. */
static PGconn *
block_authentication(void)
{
	PGconn *c = PQconnectdb(env_or_die("DEPLOY_DB"));
	PGresult *r;

	ck_assert(PQstatus(c) == CONNECTION_OK);
	r = PQexec(c, "BEGIN; LOCK TABLE tokens IN ACCESS EXCLUSIVE MODE");
	ck_assert(PQresultStatus(r) == PGRES_COMMAND_OK);
	PQclear(r);
	return c;
}

static void
unblock_authentication(PGconn *c)
{
	PQclear(PQexec(c, "COMMIT"));
	PQfinish(c);
}

/* Starts n requests in child processes; each child exits 0 on a 200. */
static void
start_requests(const char *token, pid_t *pids, int n)
{
	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0)
			_exit(get_status("/user", token, NULL) == 200 ? 0 : 1);
	}
}

static void
expect_all_succeeded(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++) {
		int st;

		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "request %d failed", i);
	}
}

START_TEST(reload_keeps_serving)
{
	char login[40];
	char *token = make_user_with_token("reload", "repo", login);
	int master = stack_pid("deploy-api");
	int before[16];
	pid_t pids[3];
	PGconn *lock;
	size_t n;

	n = children_of(master, before, 16);
	lock = block_authentication();
	start_requests(token, pids, 3);
	sleep_ms(300);
	kill(master, SIGHUP);
	sleep_ms(300);
	unblock_authentication(lock);
	expect_all_succeeded(pids, 3);
	expect_new_workers(master, before, n);
	ck_assert_int_eq(get_status("/user", token, NULL), 200);
	free(token);
}
END_TEST

START_TEST(sigterm_drains_requests_in_flight)
{
	char login[40];
	char *token = make_user_with_token("drain", "repo", login);
	int master = stack_pid("deploy-api");
	pid_t pids[3];
	PGconn *lock;

	lock = block_authentication();
	start_requests(token, pids, 3);
	sleep_ms(300);
	kill(master, SIGTERM);
	sleep_ms(500);
	/* Still finishing its requests: the master waits for them. */
	ck_assert_int_eq(kill(master, 0), 0);
	unblock_authentication(lock);
	expect_all_succeeded(pids, 3);
	for (int i = 0; i < 50 && kill(master, 0) == 0; i++)
		sleep_ms(100);
	ck_assert_int_ne(kill(master, 0), 0);
	/* Bring the server back for whatever runs next. */
	ck_assert_int_eq(stack_command("api_start \"$1\" \"$2\" --workers 4"), 0);
	ck_assert_int_eq(get_status("/user", token, NULL), 200);
	free(token);
}
END_TEST

int
main(void)
{
	TCase *tc = tcase_of("supervision", 120, (const TTest *const[]){
		killed_workers_are_replaced, database_outage_gives_503_then_recovers,
		reload_keeps_serving, sigterm_drains_requests_in_flight, NULL });

	return suite_failures(suite_of("process", tc, NULL)) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
