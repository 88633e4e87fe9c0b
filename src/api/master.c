#include "config.h"

#include "master.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "worker.h"

#define TICK_NS 200000000LL
#define CRASH_BACKOFF_MIN_NS 100000000LL
#define CRASH_BACKOFF_MAX_NS 10000000000LL
#define CRASH_STREAK_RESET_NS 30000000000LL

struct child {
	pid_t pid;
	unsigned generation;
	bool stopping;  /* told to finish and exit */
};

struct master {
	const struct api_config *config;
	int listen_fd;
	struct ratelimit_table *ratelimit;
	struct child *children;
	size_t nchildren;
	size_t cap;
	unsigned generation;
	bool shutting_down;
	int64_t shutdown_deadline_ns;
	int64_t next_spawn_ns;     /* respawn not before this (crash backoff) */
	unsigned crash_streak;
	int64_t last_crash_ns;
	sigset_t signals;
};

static void
spawn(struct master *m)
{
	pid_t pid;
	sigset_t none;

	pid = fork();
	if (pid < 0) {
		log_error("fork failed: %s", strerror(errno));
		m->next_spawn_ns = monotonic_ns() + CRASH_BACKOFF_MIN_NS;
		return;
	}
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		free(m->children);
		_exit(worker_run(m->config, m->listen_fd, m->ratelimit));
	}
	if (m->nchildren == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->children = xrealloc(m->children, m->cap * sizeof(*m->children));
	}
	m->children[m->nchildren++] = (struct child){ .pid = pid, .generation = m->generation };
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

static void
note_crash(struct master *m)
{
	int64_t now = monotonic_ns();
	int64_t delay = CRASH_BACKOFF_MIN_NS;

	if (now - m->last_crash_ns > CRASH_STREAK_RESET_NS)
		m->crash_streak = 0;
	m->last_crash_ns = now;
	for (unsigned i = 0; i < m->crash_streak && delay < CRASH_BACKOFF_MAX_NS; i++)
		delay *= 2;
	if (delay > CRASH_BACKOFF_MAX_NS)
		delay = CRASH_BACKOFF_MAX_NS;
	m->crash_streak++;
	m->next_spawn_ns = now + delay;
	log_warn("worker crashed; replacing it in %lld ms", (long long)(delay / 1000000));
}

static void
reap(struct master *m)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		size_t i;

		if (pid <= 0)
			return;
		for (i = 0; i < m->nchildren && m->children[i].pid != pid; i++)
			;
		if (i == m->nchildren)
			continue;
		if (WIFSIGNALED(status))
			log_warn("worker %d killed by signal %d", (int)pid, WTERMSIG(status));
		else if (WEXITSTATUS(status) != 0)
			log_warn("worker %d exited with status %d", (int)pid, WEXITSTATUS(status));
		if (!m->children[i].stopping && !m->shutting_down &&
		    (WIFSIGNALED(status) || WEXITSTATUS(status) != 0))
			note_crash(m);
		m->children[i] = m->children[--m->nchildren];
	}
}

static void
begin_shutdown(struct master *m)
{
	if (m->shutting_down)
		return;
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
	m->generation++;
	m->next_spawn_ns = 0;
	while (live_current(m) < (size_t)m->config->workers)
		spawn(m);
	for (size_t i = 0; i < m->nchildren; i++)
		if (m->children[i].generation == old)
			stop_child(&m->children[i], SIGTERM);
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

int
master_run(const struct api_config *config, int listen_fd, struct ratelimit_table *ratelimit)
{
	struct master m = {
		.config = config,
		.listen_fd = listen_fd,
		.ratelimit = ratelimit,
	};
	struct timespec wait = { .tv_sec = 0, .tv_nsec = TICK_NS };

	log_set_role("master");
	sigemptyset(&m.signals);
	sigaddset(&m.signals, SIGCHLD);
	sigaddset(&m.signals, SIGTERM);
	sigaddset(&m.signals, SIGINT);
	sigaddset(&m.signals, SIGQUIT);
	sigaddset(&m.signals, SIGHUP);
	sigprocmask(SIG_BLOCK, &m.signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_info("started: %lld workers on %s", (long long)config->workers, config->listen);
	tick(&m);
	while (!m.shutting_down || m.nchildren > 0) {
		siginfo_t info;
		int sig = sigtimedwait(&m.signals, &info, &wait);

		switch (sig) {
		case SIGCHLD:
			reap(&m);
			break;
		case SIGTERM:
		case SIGINT:
		case SIGQUIT:
			begin_shutdown(&m);
			break;
		case SIGHUP:
			if (!m.shutting_down)
				begin_reload(&m);
			break;
		default:
			break;
		}
		reap(&m);
		tick(&m);
	}
	free(m.children);
	log_info("stopped");
	return 0;
}
