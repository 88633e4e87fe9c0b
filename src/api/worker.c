#include "config.h"

#include "worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "db.h"
#include "gitrefs.h"
#include "log.h"
#include "serve.h"

static volatile sig_atomic_t worker_stopping;

static void
on_stop_signal(int sig)
{
	(void)sig;
	worker_stopping = 1;
}

/*
 * Stop signals interrupt accept() (no SA_RESTART, FCGI_FAIL_ACCEPT_ON_INTR)
 * and are blocked while a request is handled, so a request in flight is
 * never cut short: the signal waits until the response is out.
 */
static void
install_signals(sigset_t *stop_set)
{
	struct sigaction sa;
	static const int stop_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(stop_set);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++) {
		sigaction(stop_signals[i], &sa, NULL);
		sigaddset(stop_set, stop_signals[i]);
	}
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/*
 * Whether a stop signal arrives within 300 ms. An accept that fails while
 * the master is stopping the worker (seen in a worker that a reload had
 * just started: libfcgi reported a stale errno, ENOENT) is the stop, not an
 * error; the master repeats its stop signal every 200 ms to a worker that
 * has not exited, so a failure with no signal after it is a real one.
 */
static bool
stop_comes(const sigset_t *stop_set)
{
	struct timespec wait = { 0, 300 * 1000 * 1000 };

	return sigtimedwait(stop_set, NULL, &wait) > 0;
}

/*
 * libfcgi closes a connection by shutting down its write side and waiting
 * until nginx closes too (a guard against TCP resets dropping unread
 * data), which puts the worker to sleep once more per request. When nginx
 * has sent the whole request (stdin read to its end) nothing of ours can
 * be reset, so a detached request is closed at once; otherwise, the body
 * left unread, libfcgi's lingering close stays.
 */
static void
finish_request(FCGX_Request *fcgx)
{
	if (FCGX_GetChar(fcgx->in) == EOF && FCGX_GetError(fcgx->in) == 0)
		fcgx->detached = 1;
	FCGX_Finish_r(fcgx);
}

int
worker_run(const struct api_config *config, const struct worker_shared *shared, pid_t master_pid)
{
	FCGX_Request fcgx;
	struct db db;
	struct serve_env env;
	sigset_t stop_set;
	int64_t served = 0;
	int status = 0;

	log_set_role("worker");
	install_signals(&stop_set);
	sigprocmask(SIG_BLOCK, &stop_set, NULL);
	/* A stop signal when the master dies; if it died before this line,
	 * the signal will never come, so look once. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0)
		log_warn("cannot ask for a signal when the master dies: %s", strerror(errno));
	if (getppid() != master_pid) {
		log_warn("master %d is gone before the worker started; exiting", (int)master_pid);
		return 0;
	}
	db_init(&db, config->db, config->connect_timeout, config->statement_timeout, "deploy-api");
	db.counters = api_metrics_db_counters(shared->metrics);
	serve_env_init(&env, config, &db, shared->ratelimit, shared->metrics);
	{
		struct db_error err;

		/* Connecting now makes the first request fast; failing is fine,
		 * requests get 503 until the database answers. */
		if (db_ensure(&db, &err) < 0)
			log_warn("starting without a database connection: %s", err.message);
	}
	gitrefs_init();
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fcgx, shared->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
		log_error("cannot initialise libfcgi");
		serve_env_release(&env);
		db_release(&db);
		return 1;
	}
	kill(master_pid, WORKER_READY_SIGNAL);
	while (!worker_stopping) {
		int rc;

		sigprocmask(SIG_UNBLOCK, &stop_set, NULL);
		rc = worker_stopping ? -EINTR : FCGX_Accept_r(&fcgx);
		sigprocmask(SIG_BLOCK, &stop_set, NULL);
		if (rc < 0) {
			if (worker_stopping || stop_comes(&stop_set))
				break;
			log_error("accept failed: %s", strerror(-rc));
			status = 1;
			break;
		}
		api_metrics_set_busy(shared->metrics, shared->metrics_slot, true);
		serve_request(&fcgx, &env);
		finish_request(&fcgx);
		api_metrics_set_busy(shared->metrics, shared->metrics_slot, false);
		if (config->max_requests > 0 && ++served >= config->max_requests) {
			log_info("served %lld requests; exiting to be replaced", (long long)served);
			break;
		}
	}
	if (getppid() != master_pid)
		log_info("master %d is gone; exiting after the request in hand", (int)master_pid);
	FCGX_Free(&fcgx, 1);
	gitrefs_shutdown();
	serve_env_release(&env);
	db_release(&db);
	return status;
}
