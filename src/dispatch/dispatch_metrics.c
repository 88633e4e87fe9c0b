#include "config.h"

#include "dispatch_metrics.h"

#include "retry_schedule.h"

void
dispatch_metrics_count(struct dispatch_metrics *m, const struct dispatch_job *job, bool sent)
{
	m->results[job->outcome]++;
	if (sent)
		prom_duration_observe(&m->attempt_durations, (int64_t)(job->duration_ms * 1e6));
}

bool
dispatch_metrics_queue_due(const struct dispatch_metrics *m, int64_t now_ns)
{
	return m->queue_read_ns == 0 || now_ns - m->queue_read_ns >= DISPATCH_METRICS_QUEUE_EVERY_NS;
}

static void
write_queue(const struct dispatch_metrics *m, struct buf *out)
{
	/* Never read (the database has not answered yet): no figure rather
	 * than a made-up zero. */
	if (!m->queue_known)
		return;
	prom_family(out, "deploy_dispatch_queue_depth", "gauge",
	    "Deliveries pending (due, waiting for a retry, or being sent), all instances together.");
	prom_sample_uint(out, "deploy_dispatch_queue_depth", NULL, 0, (uint64_t)m->queue.queued);
	prom_family(out, "deploy_dispatch_oldest_pending_age_seconds", "gauge",
	    "Age of the oldest pending delivery (0 when none is pending).");
	prom_sample_double(out, "deploy_dispatch_oldest_pending_age_seconds", NULL, 0,
	    (double)m->queue.oldest_queued_ms / 1000.0);
	prom_family(out, "deploy_dispatch_outbox_depth", "gauge",
	    "Events in the outbox not yet turned into deliveries.");
	prom_sample_uint(out, "deploy_dispatch_outbox_depth", NULL, 0, (uint64_t)m->queue.outbox);
}

void
dispatch_metrics_write(const struct dispatch_metrics *m, struct buf *out)
{
	prom_family(out, "deploy_dispatch_deliveries_total", "counter",
	    "Delivery attempts by result: delivered, retry (failed, tried again later), failed"
	    " (given up).");
	for (int o = DISPATCH_DELIVERED; o <= DISPATCH_FAILED; o++) {
		struct prom_label label = { "result", dispatch_outcome_name((enum dispatch_outcome)o) };

		prom_sample_uint(out, "deploy_dispatch_deliveries_total", &label, 1, m->results[o]);
	}
	prom_family(out, "deploy_dispatch_attempt_duration_seconds", "histogram",
	    "Time of each webhook request sent, connection included.");
	prom_duration_write(out, "deploy_dispatch_attempt_duration_seconds", NULL, 0,
	    &m->attempt_durations);
	write_queue(m, out);
	db_counters_write(&m->db, "deploy_dispatch", out);
}
