#include "config.h"

#include "master.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "metrics_http.h"
#include "service_notify.h"
#include "worker.h"

#define TICK_MS 200
#define CRASH_BACKOFF_MIN_NS 100000000LL
#define CRASH_BACKOFF_MAX_NS 10000000000LL

struct child {
	pid_t pid;
	unsigned generation;
	size_t slot;    /* its busy flag in the metrics (API_METRICS_NO_SLOT: none) */
	bool ready;     /* said WORKER_READY_SIGNAL: it got as far as accepting */
	bool stopping;  /* told to finish and exit */
};

struct master {
	const struct api_config *config;
	int listen_fd;
	struct ratelimit_table *ratelimit;
	struct api_metrics *metrics;  /* NULL: no --metrics-listen */
	struct metrics_http metrics_http;
	int sigfd;                    /* the blocked signals, read in the loop */
	struct child *children;
	size_t nchildren;
	size_t cap;
	unsigned generation;
	bool shutting_down;
	int64_t shutdown_deadline_ns;
	int64_t next_spawn_ns;     /* respawn not before this (crash backoff) */
	unsigned crash_streak;     /* workers in a row that died starting up */
	const char *spawn_reason;  /* why the next workers start, for the log */
	unsigned crashed_workers;  /* died abnormally (died_abnormally) */
	sigset_t signals;
};

/*
 * A worker that died without anyone having asked: a crash (SIGSEGV,
 * SIGABRT from a failed assertion, SIGBUS, ...), or one that had become
 * ready and then exited with a failure status, which is how AddressSanitizer
 * and LeakSanitizer end a process they found an error in. SIGKILL and
 * SIGTERM are how the master, an operator or a test stop one.
 */
static bool
died_abnormally(const struct child *c, int status)
{
	if (!WIFSIGNALED(status))
		return c->ready && WEXITSTATUS(status) != 0;
	switch (WTERMSIG(status)) {
	case SIGKILL:
	case SIGTERM:
	case SIGINT:
	case SIGQUIT:
		return false;
	default:
		return true;
	}
}

/* The lowest metrics slot no live worker holds. */
static size_t
free_slot(const struct master *m)
{
	for (size_t slot = 0; slot < api_metrics_worker_slots(m->metrics); slot++) {
		size_t i = 0;

		while (i < m->nchildren && m->children[i].slot != slot)
			i++;
		if (i == m->nchildren)
			return slot;
	}
	return API_METRICS_NO_SLOT;
}

static void
spawn(struct master *m)
{
	pid_t master_pid = getpid();
	size_t slot = free_slot(m);
	pid_t pid;
	sigset_t none;

	pid = fork();
	if (pid < 0) {
		log_error("fork failed: %s", strerror(errno));
		m->next_spawn_ns = monotonic_ns() + CRASH_BACKOFF_MIN_NS;
		return;
	}
	if (pid == 0) {
		struct worker_shared shared = {
			.listen_fd = m->listen_fd,
			.ratelimit = m->ratelimit,
			.metrics = m->metrics,
			.metrics_slot = slot,
		};

		close(m->sigfd);
		metrics_http_close(&m->metrics_http);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		free(m->children);
		_exit(worker_run(m->config, &shared, master_pid));
	}
	if (m->nchildren == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->children = xrealloc(m->children, m->cap * sizeof(*m->children));
	}
	m->children[m->nchildren++] = (struct child){
		.pid = pid,
		.generation = m->generation,
		.slot = slot,
	};
	log_info("worker %d started (%s)", (int)pid, m->spawn_reason);
}

static size_t
live_current(const struct master *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nchildren; i++)
		if (m->children[i].generation == m->generation && !m->children[i].stopping)
			n++;
	return n;
}

static void
stop_child(struct child *c, int sig)
{
	c->stopping = true;
	kill(c->pid, sig);
}

static struct child *
find_child(struct master *m, pid_t pid)
{
	for (size_t i = 0; i < m->nchildren; i++)
		if (m->children[i].pid == pid)
			return &m->children[i];
	return NULL;
}

static void
mark_ready(struct master *m, pid_t pid)
{
	struct child *c = find_child(m, pid);

	if (c == NULL)
		return;
	c->ready = true;
	m->crash_streak = 0;
}

/* A worker that dies before it is ready fails at start-up and would fail
 * again at once: only those back off (100 ms, doubling, at most 10 s).
 * One that dies after (killed, a crash on one request) is replaced at
 * once: its death costs its own request, and a delay would cost more. */
static void
note_death(struct master *m, const struct child *c, int status)
{
	int64_t delay = CRASH_BACKOFF_MIN_NS;
	char cause[48];

	if (WIFSIGNALED(status))
		snprintf(cause, sizeof(cause), "killed by signal %d", WTERMSIG(status));
	else
		snprintf(cause, sizeof(cause), "exited with status %d", WEXITSTATUS(status));
	if (died_abnormally(c, status))
		m->crashed_workers++;
	if (c->stopping || m->shutting_down) {
		log_info("worker %d stopped (%s)", (int)c->pid, cause);
		return;
	}
	if (WIFSIGNALED(status))
		m->spawn_reason = "replacing a killed worker";
	else if (WEXITSTATUS(status) == 0)
		m->spawn_reason = "replacing a recycled worker";
	else
		m->spawn_reason = "replacing a worker that failed";
	if (c->ready) {
		if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0)
			log_warn("worker %d %s; replacing it now", (int)c->pid, cause);
		return;
	}
	for (unsigned i = 0; i < m->crash_streak && delay < CRASH_BACKOFF_MAX_NS; i++)
		delay *= 2;
	if (delay > CRASH_BACKOFF_MAX_NS)
		delay = CRASH_BACKOFF_MAX_NS;
	m->crash_streak++;
	m->next_spawn_ns = monotonic_ns() + delay;
	m->spawn_reason = "replacing a worker that failed to start";
	log_warn("worker %d %s before it was ready (%u in a row); replacing it in %lld ms", (int)c->pid,
	    cause, m->crash_streak, (long long)(delay / 1000000));
}

static void
reap(struct master *m)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		struct child *c;

		if (pid <= 0)
			return;
		c = find_child(m, pid);
		if (c == NULL)
			continue;
		note_death(m, c, status);
		/* It may have died in the middle of a request. */
		api_metrics_set_busy(m->metrics, c->slot, false);
		*c = m->children[--m->nchildren];
	}
}

static void
begin_shutdown(struct master *m)
{
	if (m->shutting_down)
		return;
	service_notify_stopping();
	log_info("stopping: %zu workers finish their requests (at most %lld s)", m->nchildren,
	    (long long)m->config->shutdown_timeout);
	m->shutting_down = true;
	m->shutdown_deadline_ns = monotonic_ns() + m->config->shutdown_timeout * 1000000000LL;
	for (size_t i = 0; i < m->nchildren; i++)
		stop_child(&m->children[i], SIGTERM);
}

static void
begin_reload(struct master *m)
{
	unsigned old = m->generation;

	log_info("reloading: starting new workers, draining the old ones");
	service_notify_reloading();
	m->generation++;
	m->next_spawn_ns = 0;
	m->spawn_reason = "reload";
	while (live_current(m) < (size_t)m->config->workers)
		spawn(m);
	for (size_t i = 0; i < m->nchildren; i++)
		if (m->children[i].generation == old)
			stop_child(&m->children[i], SIGTERM);
	service_notify_ready();
}

/* Runs every tick: keeps the worker count, and repeats the stop signal to
 * draining workers (one blocked in accept() may have missed the first, which
 * can land between its check of the flag and the call) until they are gone;
 * after the deadline, kills the rest. */
static void
tick(struct master *m)
{
	int64_t now = monotonic_ns();

	if (!m->shutting_down) {
		while (live_current(m) < (size_t)m->config->workers && now >= m->next_spawn_ns) {
			size_t before = m->nchildren;

			spawn(m);
			if (m->nchildren == before)
				break;
		}
	}
	for (size_t i = 0; i < m->nchildren; i++) {
		struct child *c = &m->children[i];

		if (!c->stopping)
			continue;
		if (m->shutting_down && now >= m->shutdown_deadline_ns) {
			log_warn("worker %d did not finish in time; killing it", (int)c->pid);
			kill(c->pid, SIGKILL);
		} else {
			kill(c->pid, SIGTERM);
		}
	}
}

static void
on_signal(struct master *m, const struct signalfd_siginfo *info)
{
	switch (info->ssi_signo) {
	case SIGCHLD:
		reap(m);
		break;
	case SIGTERM:
	case SIGINT:
	case SIGQUIT:
		begin_shutdown(m);
		break;
	case SIGHUP:
		if (!m->shutting_down)
			begin_reload(m);
		break;
	default:
		if ((int)info->ssi_signo == WORKER_READY_SIGNAL)
			mark_ready(m, (pid_t)info->ssi_pid);
		break;
	}
}

static void
write_metrics(void *arg, struct buf *out)
{
	const struct master *m = arg;

	api_metrics_write(m->metrics, m->nchildren, out);
}

/* Sleeps until a signal, a metrics connection or the next tick. */
static void
wait_and_handle(struct master *m)
{
	struct pollfd pfds[2] = { { .fd = m->sigfd, .events = POLLIN } };
	int timeout = metrics_http_timeout_ms(&m->metrics_http, monotonic_ns());

	metrics_http_pollfd(&m->metrics_http, &pfds[1]);
	if (timeout < 0 || timeout > TICK_MS)
		timeout = TICK_MS;
	if (poll(pfds, ARRAY_SIZE(pfds), timeout) < 0 && errno != EINTR)
		log_warn("poll failed: %s", strerror(errno));
	if (pfds[0].revents & POLLIN) {
		struct signalfd_siginfo info;

		while (read(m->sigfd, &info, sizeof(info)) == (ssize_t)sizeof(info))
			on_signal(m, &info);
	}
	metrics_http_step(&m->metrics_http, pfds[1].revents);
}

/* The signals become reads on a descriptor that the loop polls with the
 * metrics socket; they stay blocked, so no code runs in a handler. */
static int
take_signals(struct master *m)
{
	sigemptyset(&m->signals);
	sigaddset(&m->signals, SIGCHLD);
	sigaddset(&m->signals, SIGTERM);
	sigaddset(&m->signals, SIGINT);
	sigaddset(&m->signals, SIGQUIT);
	sigaddset(&m->signals, SIGHUP);
	sigaddset(&m->signals, WORKER_READY_SIGNAL);
	sigprocmask(SIG_BLOCK, &m->signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	m->sigfd = signalfd(-1, &m->signals, SFD_NONBLOCK | SFD_CLOEXEC);
	if (m->sigfd < 0) {
		log_error("cannot set up signals: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
master_run(const struct api_config *config, int listen_fd, struct ratelimit_table *ratelimit,
    struct api_metrics *metrics)
{
	struct master m = {
		.config = config,
		.listen_fd = listen_fd,
		.ratelimit = ratelimit,
		.metrics = metrics,
		.spawn_reason = "start",
	};

	log_set_role("master");
	if (take_signals(&m) < 0)
		return 1;
	if (metrics_http_open(&m.metrics_http, config->metrics_listen, write_metrics, &m) < 0) {
		close(m.sigfd);
		return 1;
	}

	log_info("started: %lld workers on %s", (long long)config->workers, config->listen);
	tick(&m);
	service_notify_ready();
	while (!m.shutting_down || m.nchildren > 0) {
		wait_and_handle(&m);
		reap(&m);
		tick(&m);
	}
	metrics_http_close(&m.metrics_http);
	close(m.sigfd);
	free(m.children);
	/* The exit status says whether a worker crashed meanwhile, so that a
	 * supervisor or a test harness sees it without reading the log. */
	if (m.crashed_workers > 0) {
		log_warn("stopped; %u workers crashed", m.crashed_workers);
		return 1;
	}
	log_info("stopped");
	return 0;
}
