#include "config.h"

#include "dispatcher.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "db_query.h"
#include "dispatch_http.h"
#include "dispatch_listen.h"
#include "dispatch_metrics.h"
#include "dispatch_request.h"
#include "retry_schedule.h"
#include "dispatch_store.h"
#include "log.h"
#include "metrics_http.h"
#include "service_notify.h"

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL

/* After a database failure, no statement for this long (db.c reconnects
 * at most once a second too), so an outage costs no busy loop. */
#define DB_BACKOFF_NS NS_PER_S
/* A finished attempt waits at most this long to be recorded in a batch. */
#define FLUSH_DELAY_NS (10 * NS_PER_MS)
/* Outbox rows fanned out per statement, per claim batch. */
#define FANOUT_FACTOR 10
/* Fan-out statements per loop pass, so claims keep up during a backlog. */
#define FANOUT_ROUNDS 4
/* Pruning: rows per statement; pause between statements while there is
 * more, and between rounds. The first round comes soon after start. */
#define PRUNE_BATCH 500
#define PRUNE_AGAIN_NS NS_PER_S
#define PRUNE_INTERVAL_NS (600 * NS_PER_S)
#define PRUNE_FIRST_NS (2 * NS_PER_S)
/* VACUUM of delivery_queue and outbox after this many recorded attempts,
 * or this long after the last one if there were any: both tables churn,
 * and a claim or fan-out steps over every dead index entry at the head of
 * its index until a vacuum removes them. */
#define VACUUM_EVERY 20000
#define VACUUM_INTERVAL_NS (30 * NS_PER_S)

struct job_list {
	struct dispatch_job **v;
	size_t n;
	size_t cap;
};

static void
job_list_push(struct job_list *l, struct dispatch_job *job)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = job;
}

/* Frees the jobs and leaves an empty, reusable list. */
static void
job_list_clear(struct job_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		dispatch_job_free(l->v[i]);
	l->n = 0;
}

static void
job_list_release(struct job_list *l)
{
	job_list_clear(l);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct in_flight {
	int64_t hook_id;
	int64_t started_ns;
};

/* Per hook with requests in flight: how many, and since when. */
struct hook_load {
	int64_t hook_id;
	int64_t count;
	int64_t oldest_ns;
};

struct dispatcher {
	const struct dispatch_config *cfg;
	struct db db;
	struct dispatch_listen listen;
	struct dispatch_http http;
	struct dispatch_retry retry;
	int sigfd;
	struct metrics_http metrics_http;   /* listen_fd -1: no --metrics-listen */
	struct dispatch_metrics metrics;

	/* Attempts finished and decided, waiting to be recorded. */
	struct job_list done;
	int64_t oldest_done_ns;
	/* Requests aborted at stop, whose leases go back. */
	struct job_list released;
	unsigned finish_failures;   /* in a row, for the batch at hand */

	/* Each request in flight: its hook and start, to keep one hook from
	 * taking every slot. Unordered; at most --concurrency entries. */
	struct in_flight *inflight;
	size_t ninflight;

	bool outbox_work;           /* the outbox may have rows */
	bool more_work;             /* deliveries may be due */
	int64_t next_poll_ns;
	int64_t next_due_ns;        /* a retry of ours, or a hook turning slow; 0: none */
	int64_t db_wait_until_ns;
	bool db_down;               /* said so in the log already */
	int64_t next_prune_ns;
	char *prune_watermark;      /* newest created_at pruned; NULL: none yet */
	int64_t churn;              /* attempts recorded since the last vacuum */
	int64_t last_vacuum_ns;
	bool vacuum_refused;        /* said once: not the owner, no vacuum */
	unsigned work_generation;

	bool stopping;
	bool stop_now;              /* second signal: release at once */
	int64_t stop_deadline_ns;

	uint64_t delivered, retried, failed;
};

static int
open_signalfd(void)
{
	sigset_t set;
	struct sigaction sa;

	/* Signals arrive as reads on a descriptor that the loop polls with
	 * everything else, so no code runs in a signal handler. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void
read_signals(struct dispatcher *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP ignored: deploy-dispatch reads its settings only at start");
			continue;
		}
		if (d->stopping) {
			log_info("second stop signal: releasing what is in flight");
			d->stop_now = true;
			continue;
		}
		d->stopping = true;
		service_notify_stopping();
		d->stop_deadline_ns = monotonic_ns() + d->cfg->timeout_seconds * NS_PER_S + NS_PER_S;
		log_info("stopping: no new claims, %zu requests in flight", dispatch_http_in_flight(&d->http));
	}
}

/* Statements may run: the last failure is long enough ago. */
static bool
db_ready(const struct dispatcher *d, int64_t now)
{
	return now >= d->db_wait_until_ns;
}

static void
db_failed(struct dispatcher *d, const char *what, const struct db_error *err)
{
	d->db_wait_until_ns = monotonic_ns() + DB_BACKOFF_NS;
	if (err->failure == DB_QUERY_FAILED) {
		log_error("%s failed: %s (sqlstate %s)", what, err->message, err->sqlstate);
	} else if (!d->db_down) {
		/* db.c logs each failed connection; say once what it stops. */
		log_warn("%s: database unavailable, retrying every second: %s", what, err->message);
		d->db_down = true;
	}
}

/* Notifications from our own work session (its fan-out inserting
 * deliveries) would only wake us for work we already know about. */
static void
note_work_session(struct dispatcher *d)
{
	d->db_down = false;
	if (d->db.conn != NULL && d->work_generation != d->db.generation) {
		d->work_generation = d->db.generation;
		d->listen.ignore_pid = PQbackendPID(d->db.conn);
	}
}

static void
inflight_add(struct dispatcher *d, int64_t hook_id)
{
	d->inflight[d->ninflight].hook_id = hook_id;
	d->inflight[d->ninflight].started_ns = monotonic_ns();
	d->ninflight++;
}

static void
inflight_remove(struct dispatcher *d, int64_t hook_id)
{
	int64_t newest = -1;
	size_t at = 0;

	/* Requests to one hook are interchangeable here; drop the newest so
	 * the oldest start time stays an honest "slow since". */
	for (size_t i = 0; i < d->ninflight; i++)
		if (d->inflight[i].hook_id == hook_id && d->inflight[i].started_ns > newest) {
			newest = d->inflight[i].started_ns;
			at = i;
		}
	if (newest >= 0)
		d->inflight[at] = d->inflight[--d->ninflight];
}

static int
compare_in_flight(const void *a, const void *b)
{
	int64_t x = ((const struct in_flight *)a)->hook_id, y = ((const struct in_flight *)b)->hook_id;

	return (x > y) - (x < y);
}

/* The hooks with requests in flight, into loads (room for ninflight);
 * returns how many. */
static size_t
hook_loads(const struct dispatcher *d, struct hook_load *loads)
{
	struct in_flight *sorted;
	size_t n = 0;

	if (d->ninflight == 0)
		return 0;
	sorted = xmalloc(d->ninflight * sizeof(*sorted));
	memcpy(sorted, d->inflight, d->ninflight * sizeof(*sorted));
	qsort(sorted, d->ninflight, sizeof(*sorted), compare_in_flight);
	for (size_t i = 0; i < d->ninflight; i++) {
		if (n == 0 || loads[n - 1].hook_id != sorted[i].hook_id) {
			loads[n].hook_id = sorted[i].hook_id;
			loads[n].count = 0;
			loads[n].oldest_ns = sorted[i].started_ns;
			n++;
		}
		loads[n - 1].count++;
		if (sorted[i].started_ns < loads[n - 1].oldest_ns)
			loads[n - 1].oldest_ns = sorted[i].started_ns;
	}
	free(sorted);
	return n;
}

static void
log_attempt(const struct dispatch_job *job)
{
	struct buf line = BUF_INIT;
	char v[64];

	log_begin_line(&line, job->outcome == DISPATCH_DELIVERED ? "info" : "warn");
	log_put_field(&line, "msg", "delivery");
	snprintf(v, sizeof(v), "%" PRId64, job->id);
	log_put_field(&line, "delivery", v);
	log_put_field(&line, "guid", job->guid ? job->guid : "");
	snprintf(v, sizeof(v), "%" PRId64, job->hook_id);
	log_put_field(&line, "hook", v);
	log_put_field(&line, "event", job->event ? job->event : "");
	snprintf(v, sizeof(v), "%" PRId64, job->attempts);
	log_put_field(&line, "attempt", v);
	snprintf(v, sizeof(v), "%ld", job->status);
	log_put_field(&line, "status", v);
	snprintf(v, sizeof(v), "%.3f", job->duration_ms);
	log_put_field(&line, "duration_ms", v);
	log_put_field(&line, "outcome", dispatch_outcome_name(job->outcome));
	if (job->outcome == DISPATCH_RETRY) {
		snprintf(v, sizeof(v), "%" PRId64, job->delay_ms);
		log_put_field(&line, "retry_in_ms", v);
	}
	if (job->error)
		log_put_field(&line, "error", job->error);
	log_write_line(&line);
	buf_release(&line);
}

static void
push_done(struct dispatcher *d, struct dispatch_job *job)
{
	if (d->done.n == 0)
		d->oldest_done_ns = monotonic_ns();
	job_list_push(&d->done, job);
}

/* Decides what follows the attempt in job and queues it for recording.
 * force_failed: the delivery cannot be sent as it is (inactive hook).
 * sent: a request went out (or was tried), whose time counts. */
static void
attempt_done(struct dispatcher *d, struct dispatch_job *job, bool force_failed, bool sent)
{
	if (force_failed) {
		job->outcome = DISPATCH_FAILED;
		job->delay_ms = 0;
	} else {
		job->outcome = dispatch_retry_decide(&d->retry, job->attempts, job->status,
		    job->retry_after_ms, &job->delay_ms);
	}
	switch (job->outcome) {
	case DISPATCH_DELIVERED:
		d->delivered++;
		break;
	case DISPATCH_RETRY: {
		/* Wake up for our own retries instead of waiting for a poll; the
		 * database counts the delay from the flush, a little later. */
		int64_t due = monotonic_ns() + job->delay_ms * NS_PER_MS + 2 * FLUSH_DELAY_NS;

		d->retried++;
		if (d->next_due_ns == 0 || due < d->next_due_ns)
			d->next_due_ns = due;
		break;
	}
	case DISPATCH_FAILED:
		d->failed++;
		break;
	}
	dispatch_metrics_count(&d->metrics, job, sent);
	log_attempt(job);
	push_done(d, job);
}

static void
on_transfer_done(void *arg, struct dispatch_job *job)
{
	struct dispatcher *d = arg;

	inflight_remove(d, job->hook_id);
	attempt_done(d, job, false, true);
}

static void
flush_done(struct dispatcher *d)
{
	struct db_error err;

	if (d->done.n == 0)
		return;
	if (dispatch_store_finish(&d->db, d->done.v, d->done.n, d->cfg->hook_disable_after, &err) < 0) {
		db_failed(d, "recording attempts", &err);
		/* A batch the database refuses twice (a delivery deleted with its
		 * hook mid-flight, say) is dropped rather than retried forever:
		 * its leases expire and the deliveries are claimed again. */
		if (err.failure != DB_QUERY_FAILED || ++d->finish_failures < 2)
			return;
		log_error("dropping %zu attempt records; their deliveries are retried when their leases end",
		    d->done.n);
	}
	note_work_session(d);
	d->finish_failures = 0;
	d->churn += (int64_t)d->done.n;
	job_list_clear(&d->done);
	/* A finished delivery may have been holding the next one of its
	 * deployment back. */
	d->more_work = true;
}

static void
fan_out(struct dispatcher *d)
{
	for (int round = 0; round < FANOUT_ROUNDS && d->outbox_work; round++) {
		struct dispatch_fanout_result res;
		struct db_error err;
		int64_t limit = d->cfg->batch * FANOUT_FACTOR;

		if (dispatch_store_fanout(&d->db, limit, &res, &err) < 0) {
			db_failed(d, "fan-out", &err);
			return;
		}
		note_work_session(d);
		if (res.created > 0)
			d->more_work = true;
		/* Not locked: another instance is fanning out and goes on while
		 * it finds full batches; its deliveries notify us. */
		if (!res.locked || res.moved < limit)
			d->outbox_work = false;
	}
}

static void
start_job(struct dispatcher *d, struct dispatch_job *job)
{
	if (!job->hook_active) {
		job->error = xstrdup("hook is inactive; not sent");
		attempt_done(d, job, true, false);
		return;
	}
	if (dispatch_http_check_target(&d->http, job) < 0 || dispatch_request_build(job) < 0) {
		attempt_done(d, job, true, false);
		return;
	}
	if (dispatch_http_start(&d->http, job) < 0) {
		attempt_done(d, job, false, false);
		return;
	}
	inflight_add(d, job->hook_id);
}

/* The earlier of two monotonic deadlines; 0 is "none". */
static int64_t
min_deadline(int64_t a, int64_t b)
{
	return a == 0 ? b : (b == 0 ? a : (a < b ? a : b));
}

/* A hook whose slots are all taken by requests running this long is slow:
 * claims then step over its rows instead of stopping at them. */
static int64_t
slow_after_ns(const struct dispatcher *d)
{
	int64_t quarter = d->cfg->timeout_seconds * NS_PER_S / 4;

	return quarter < NS_PER_S ? quarter : NS_PER_S;
}

static void
claim(struct dispatcher *d)
{
	int64_t room = d->cfg->concurrency - (int64_t)dispatch_http_in_flight(&d->http);
	struct hook_load *loads = xmalloc((d->ninflight + 1) * sizeof(*loads));
	size_t nloads = hook_loads(d, loads);
	int64_t *hooks = xmalloc((nloads + 1) * sizeof(*hooks));
	int64_t *counts = xmalloc((nloads + 1) * sizeof(*counts));
	int64_t *slow = xmalloc((nloads + 1) * sizeof(*slow));
	struct dispatch_claim c = {
		.limit = room < d->cfg->batch ? room : d->cfg->batch,
		.lease_seconds = d->cfg->lease_seconds,
		.hook_room = d->cfg->hook_concurrency,
		.hooks = hooks,
		.in_flight = counts,
		.nhooks = nloads,
		.excluded = slow,
	};
	struct dispatch_job **jobs = NULL;
	size_t njobs = 0;
	struct db_error err;
	int64_t locked, now = monotonic_ns();
	int64_t slow_soon = 0;      /* when the next full hook turns slow */
	size_t excluded;

	for (size_t i = 0; i < nloads; i++) {
		int64_t slow_at = loads[i].oldest_ns + slow_after_ns(d);

		hooks[i] = loads[i].hook_id;
		counts[i] = loads[i].count;
		if (loads[i].count < d->cfg->hook_concurrency)
			continue;
		if (now >= slow_at)
			slow[c.nexcluded++] = loads[i].hook_id;
		else
			slow_soon = min_deadline(slow_soon, slow_at);
	}
	/* Excluding hooks costs a scan of their due rows, so only when the
	 * plain claim found nothing but rows of hooks without room. */
	excluded = c.nexcluded;
	c.nexcluded = 0;
	locked = dispatch_store_claim(&d->db, &c, &jobs, &njobs, &err);
	if (locked > 0 && njobs == 0 && excluded > 0) {
		c.nexcluded = excluded;
		locked = dispatch_store_claim(&d->db, &c, &jobs, &njobs, &err);
	}
	free(loads);
	free(hooks);
	free(counts);
	free(slow);
	if (locked < 0) {
		db_failed(d, "claim", &err);
		free(jobs);
		return;
	}
	note_work_session(d);
	/* Fewer rows than asked for: nothing else is due now. None picked:
	 * what is due waits for room, which a finished request makes, or for
	 * a full hook to turn slow, when claims step over its rows. */
	if (locked < c.limit || njobs == 0)
		d->more_work = false;
	if (locked > 0 && njobs == 0 && slow_soon != 0)
		d->next_due_ns = min_deadline(d->next_due_ns, slow_soon);
	for (size_t i = 0; i < njobs; i++)
		start_job(d, jobs[i]);
	free(jobs);
}

static void
prune(struct dispatcher *d, int64_t now)
{
	struct db_error err;
	int64_t deleted = dispatch_store_prune(&d->db, d->cfg->retention_days, PRUNE_BATCH,
	    &d->prune_watermark, &err);

	if (deleted < 0) {
		db_failed(d, "prune", &err);
		d->next_prune_ns = now + PRUNE_AGAIN_NS * 10;
		return;
	}
	if (deleted > 0)
		log_info("pruned %" PRId64 " deliveries older than %" PRId64 " days", deleted,
		    d->cfg->retention_days);
	d->next_prune_ns = now + (deleted == PRUNE_BATCH ? PRUNE_AGAIN_NS : PRUNE_INTERVAL_NS);
}

static bool
vacuum_due(const struct dispatcher *d, int64_t now)
{
	return d->churn >= VACUUM_EVERY || (d->churn > 0 && now - d->last_vacuum_ns >= VACUUM_INTERVAL_NS);
}

static void
vacuum(struct dispatcher *d, int64_t now)
{
	struct db_error err;

	d->last_vacuum_ns = now;
	d->churn = 0;
	switch (dispatch_store_vacuum(&d->db, &err)) {
	case -1:
		db_failed(d, "vacuum", &err);
		break;
	case 1:
		if (!d->vacuum_refused)
			log_info("the database role does not own delivery_queue and outbox:"
			    " they are left to autovacuum");
		d->vacuum_refused = true;
		break;
	default:
		break;
	}
}

/* Requests in flight may start only when this many slots are free, so
 * that a busy dispatcher claims in batches rather than one by one. */
static int64_t
claim_threshold(const struct dispatcher *d)
{
	int64_t quarter = (d->cfg->batch < d->cfg->concurrency ? d->cfg->batch : d->cfg->concurrency) / 4;

	if (dispatch_http_in_flight(&d->http) == 0 || quarter < 1)
		return 1;
	return quarter;
}

static bool
can_claim(const struct dispatcher *d)
{
	int64_t room = d->cfg->concurrency - (int64_t)dispatch_http_in_flight(&d->http);

	return !d->stopping && d->more_work && room >= claim_threshold(d);
}

static bool
should_flush(const struct dispatcher *d, int64_t now)
{
	if (d->done.n == 0)
		return false;
	return d->stopping || (int64_t)d->done.n >= claim_threshold(d) ||
	    (int64_t)dispatch_http_in_flight(&d->http) * 2 <= d->cfg->concurrency ||
	    now - d->oldest_done_ns >= FLUSH_DELAY_NS;
}

/* How long the loop may sleep. */
static int
wait_ms(const struct dispatcher *d, int64_t now)
{
	int64_t until = d->next_poll_ns;
	int metrics_ms = metrics_http_timeout_ms(&d->metrics_http, now);
	int64_t ms;

	until = min_deadline(until, d->next_due_ns);
	if (d->done.n > 0)
		until = min_deadline(until, d->oldest_done_ns + FLUSH_DELAY_NS);
	if (d->stopping)
		until = min_deadline(until, d->stop_deadline_ns);
	if (!d->stopping) {
		until = min_deadline(until, d->next_prune_ns);
		if (d->churn > 0)
			until = min_deadline(until, d->last_vacuum_ns + VACUUM_INTERVAL_NS);
	}
	if (!db_ready(d, now))
		until = until > d->db_wait_until_ns ? until : d->db_wait_until_ns;
	else if (d->outbox_work || can_claim(d) || should_flush(d, now))
		return 0;
	ms = (until - now + NS_PER_MS - 1) / NS_PER_MS;
	ms = ms < 0 ? 0 : (ms > 60000 ? 60000 : ms);
	/* A metrics connection is closed at its deadline. */
	if (metrics_ms >= 0 && metrics_ms < ms)
		ms = metrics_ms;
	return (int)ms;
}

static void
release_in_flight(void *arg, struct dispatch_job *job)
{
	struct dispatcher *d = arg;

	inflight_remove(d, job->hook_id);
	job_list_push(&d->released, job);
}

/* The stop deadline passed with requests still in flight, or a second
 * signal came: abort them and give their leases back, record the rest. */
static void
stop_now(struct dispatcher *d)
{
	struct db_error err;

	dispatch_http_abort_all(&d->http, release_in_flight, d);
	d->db_wait_until_ns = 0;
	flush_done(d);
	if (d->released.n > 0) {
		d->db_wait_until_ns = 0;
		if (dispatch_store_release(&d->db, d->released.v, d->released.n, &err) < 0)
			log_warn("cannot release %zu leases (%s); they expire in %" PRId64 " s",
			    d->released.n, err.message, d->cfg->lease_seconds);
		else
			log_info("released %zu deliveries in flight", d->released.n);
	}
	job_list_clear(&d->released);
}

static void
loop(struct dispatcher *d)
{
	for (;;) {
		int64_t now = monotonic_ns();
		struct pollfd fds[3];

		if (d->stopping) {
			if (dispatch_http_in_flight(&d->http) == 0 && d->done.n == 0)
				return;
			if (d->stop_now || now >= d->stop_deadline_ns) {
				stop_now(d);
				return;
			}
		}
		if (dispatch_listen_ensure(&d->listen))
			d->outbox_work = d->more_work = true;
		if (now >= d->next_poll_ns) {
			d->outbox_work = d->more_work = true;
			d->next_poll_ns = now + d->cfg->poll_ms * NS_PER_MS;
		}
		if (d->next_due_ns != 0 && now >= d->next_due_ns) {
			d->more_work = true;
			d->next_due_ns = 0;
		}
		if (db_ready(d, now) && should_flush(d, now))
			flush_done(d);
		if (db_ready(d, now) && !d->stopping && d->outbox_work)
			fan_out(d);
		if (db_ready(d, now) && can_claim(d))
			claim(d);
		if (db_ready(d, now) && !d->stopping && now >= d->next_prune_ns)
			prune(d, now);
		if (db_ready(d, now) && !d->stopping && vacuum_due(d, now))
			vacuum(d, now);

		fds[0] = (struct pollfd){ .fd = d->sigfd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = dispatch_listen_fd(&d->listen), .events = POLLIN };
		metrics_http_pollfd(&d->metrics_http, &fds[2]);
		dispatch_http_wait(&d->http, fds, ARRAY_SIZE(fds), wait_ms(d, monotonic_ns()));
		if (fds[0].revents & POLLIN)
			read_signals(d);
		if ((fds[1].revents & POLLIN) && dispatch_listen_consume(&d->listen))
			d->outbox_work = d->more_work = true;
		metrics_http_step(&d->metrics_http, fds[2].revents);
		dispatch_http_perform(&d->http, on_transfer_done, d);
	}
}

/* The page of GET /metrics; the queue figures read first when due, unless
 * the database is in its backoff (then the last ones stand). */
static void
write_metrics(void *arg, struct buf *out)
{
	struct dispatcher *d = arg;
	int64_t now = monotonic_ns();

	if (dispatch_metrics_queue_due(&d->metrics, now) && db_ready(d, now)) {
		struct db_error err;

		d->metrics.queue_read_ns = now;
		if (dispatch_store_queue_stats(&d->db, &d->metrics.queue, &err) < 0)
			db_failed(d, "reading the queue for the metrics", &err);
		else
			d->metrics.queue_known = true;
	}
	dispatch_metrics_write(&d->metrics, out);
}

int
dispatch_run(const struct dispatch_config *cfg)
{
	struct dispatcher d;
	int64_t now = monotonic_ns();

	memset(&d, 0, sizeof(d));
	d.cfg = cfg;
	d.sigfd = open_signalfd();
	if (d.sigfd < 0) {
		log_error("cannot set up signals: %s", strerror(errno));
		return 1;
	}
	if (metrics_http_open(&d.metrics_http, cfg->metrics_listen, write_metrics, &d) < 0) {
		close(d.sigfd);
		return 1;
	}
	if (dispatch_http_init(&d.http, cfg->timeout_seconds, (size_t)cfg->concurrency,
	    &cfg->hook_targets, cfg->ca_file) < 0) {
		log_error("cannot initialise libcurl");
		metrics_http_close(&d.metrics_http);
		close(d.sigfd);
		return 1;
	}
	db_init(&d.db, cfg->db, cfg->connect_timeout, cfg->statement_timeout, "deploy-dispatch");
	d.db.counters = &d.metrics.db;
	dispatch_listen_init(&d.listen, cfg->db, cfg->connect_timeout);
	dispatch_retry_init(&d.retry, cfg->delays_ms, cfg->ndelays, cfg->max_attempts,
	    cfg->retry_after_max * 1000, 0);
	d.inflight = xcalloc((size_t)cfg->concurrency, sizeof(*d.inflight));
	d.next_poll_ns = now;
	d.next_prune_ns = now + PRUNE_FIRST_NS;
	d.last_vacuum_ns = now;
	log_info("started: concurrency=%" PRId64 " hook_concurrency=%" PRId64 " batch=%" PRId64
	    " lease_seconds=%" PRId64 " timeout_seconds=%" PRId64 " max_attempts=%" PRId64
	    " schedule=%s user_agent=%s", cfg->concurrency, cfg->hook_concurrency, cfg->batch,
	    cfg->lease_seconds, cfg->timeout_seconds, cfg->max_attempts, cfg->schedule,
	    dispatch_request_user_agent());

	service_notify_ready();
	loop(&d);

	log_info("stopped: delivered=%" PRIu64 " retried=%" PRIu64 " failed=%" PRIu64,
	    d.delivered, d.retried, d.failed);
	job_list_release(&d.done);
	job_list_release(&d.released);
	free(d.inflight);
	free(d.prune_watermark);
	dispatch_http_release(&d.http);
	dispatch_listen_release(&d.listen);
	db_release(&d.db);
	metrics_http_close(&d.metrics_http);
	close(d.sigfd);
	return 0;
}

int
dispatch_show_outbox(const struct dispatch_config *cfg)
{
	struct buf ids = BUF_INIT;
	struct db_error err;
	struct db db;
	int rc;

	buf_printf(&ids, "{%s}", cfg->show_outbox);
	db_init(&db, cfg->db, cfg->connect_timeout, cfg->statement_timeout, "deploy-dispatch");
	rc = dispatch_store_show(&db, ids.data, stdout, &err);
	if (rc < 0)
		log_error("show-outbox: %s", err.message);
	db_release(&db);
	buf_release(&ids);
	return rc < 0 || fflush(stdout) != 0 ? 1 : 0;
}
