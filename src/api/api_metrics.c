#include "config.h"

#include "api_metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "prom.h"
#include "routes.h"

#define STATUS_MIN 100
#define STATUS_MAX 599
#define NSTATUS (STATUS_MAX - STATUS_MIN + 1)
#define UNMATCHED "unmatched"

/* The methods a route can have, and one for any other. */
static const char *const methods[] = { "GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS",
	"other" };
#define NMETHODS ARRAY_SIZE(methods)

/*
 * One mapping: this header, then the arrays its pointers point into
 * (valid in every process forked after the mapping). Templates: the
 * distinct patterns of routes.c, in table order, then "unmatched".
 */
struct api_metrics {
	size_t size;               /* of the mapping */
	size_t ntemplates;         /* patterns + 1 */
	size_t nslots;
	size_t *template_of;       /* [routes_count]: a route's template */
	const char **templates;    /* [ntemplates] */
	_Atomic uint64_t *requests; /* [ntemplates][NMETHODS][NSTATUS] */
	struct prom_duration_histogram *durations; /* [ntemplates] */
	_Atomic bool *busy;        /* [nslots] */
	_Atomic uint64_t rate_limited;
	struct db_counters db;
};

/* Aligned for any of the arrays' types. */
static size_t
align_up(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

struct api_metrics *
api_metrics_create(size_t worker_slots)
{
	size_t nt = routes_count + 1;
	size_t off_template_of = align_up(sizeof(struct api_metrics));
	size_t off_templates = align_up(off_template_of + routes_count * sizeof(size_t));
	size_t off_requests = align_up(off_templates + nt * sizeof(const char *));
	size_t off_durations = align_up(off_requests + nt * NMETHODS * NSTATUS * sizeof(_Atomic uint64_t));
	size_t off_busy = align_up(off_durations + nt * sizeof(struct prom_duration_histogram));
	size_t size = off_busy + worker_slots * sizeof(_Atomic bool);
	struct api_metrics *m;
	char *base;

	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	m = (struct api_metrics *)base;
	m->size = size;
	m->nslots = worker_slots;
	m->template_of = (size_t *)(base + off_template_of);
	m->templates = (const char **)(base + off_templates);
	m->requests = (_Atomic uint64_t *)(base + off_requests);
	m->durations = (struct prom_duration_histogram *)(base + off_durations);
	m->busy = (_Atomic bool *)(base + off_busy);
	/* Two routes of one pattern (GET and POST .../deployments) are one
	 * template: the method is a label of its own. */
	for (size_t i = 0; i < routes_count; i++) {
		size_t t = 0;

		while (t < m->ntemplates && strcmp(m->templates[t], routes[i].pattern) != 0)
			t++;
		if (t == m->ntemplates)
			m->templates[m->ntemplates++] = routes[i].pattern;
		m->template_of[i] = t;
	}
	m->templates[m->ntemplates++] = UNMATCHED;
	return m;
}

void
api_metrics_destroy(struct api_metrics *m)
{
	if (m)
		munmap(m, m->size);
}

static size_t
method_index(const char *method)
{
	for (size_t i = 0; i + 1 < NMETHODS; i++)
		if (strcmp(method, methods[i]) == 0)
			return i;
	return NMETHODS - 1;
}

void
api_metrics_count_request(struct api_metrics *m, const struct route *route, const char *method,
    int status, int64_t duration_ns)
{
	size_t t;

	if (m == NULL)
		return;
	t = route ? m->template_of[route - routes] : m->ntemplates - 1;
	if (status >= STATUS_MIN && status <= STATUS_MAX)
		atomic_fetch_add_explicit(&m->requests[(t * NMETHODS + method_index(method)) * NSTATUS +
		    (size_t)(status - STATUS_MIN)], 1, memory_order_relaxed);
	prom_duration_observe(&m->durations[t], duration_ns);
}

void
api_metrics_count_rate_limited(struct api_metrics *m)
{
	if (m)
		atomic_fetch_add_explicit(&m->rate_limited, 1, memory_order_relaxed);
}

struct db_counters *
api_metrics_db_counters(struct api_metrics *m)
{
	return m ? &m->db : NULL;
}

void
api_metrics_set_busy(struct api_metrics *m, size_t slot, bool busy)
{
	if (m && slot < m->nslots)
		atomic_store_explicit(&m->busy[slot], busy, memory_order_relaxed);
}

size_t
api_metrics_worker_slots(const struct api_metrics *m)
{
	return m ? m->nslots : 0;
}

static void
write_requests(const struct api_metrics *m, struct buf *out)
{
	prom_family(out, "deploy_api_requests_total", "counter",
	    "Requests answered, by route template, method and status code.");
	for (size_t t = 0; t < m->ntemplates; t++)
		for (size_t k = 0; k < NMETHODS; k++)
			for (size_t s = 0; s < NSTATUS; s++) {
				uint64_t v = atomic_load_explicit(&m->requests[(t * NMETHODS + k) * NSTATUS + s],
				    memory_order_relaxed);
				char code[8];
				struct prom_label labels[] = {
					{ "route", m->templates[t] },
					{ "method", methods[k] },
					{ "code", code },
				};

				if (v == 0)
					continue;
				snprintf(code, sizeof(code), "%zu", s + STATUS_MIN);
				prom_sample_uint(out, "deploy_api_requests_total", labels, ARRAY_SIZE(labels), v);
			}
	prom_family(out, "deploy_api_request_duration_seconds", "histogram",
	    "Time from reading a request to its response sent, by route template.");
	for (size_t t = 0; t < m->ntemplates; t++) {
		struct prom_label label = { "route", m->templates[t] };

		prom_duration_write(out, "deploy_api_request_duration_seconds", &label, 1, &m->durations[t]);
	}
}

void
api_metrics_write(const struct api_metrics *m, size_t workers, struct buf *out)
{
	uint64_t busy = 0;

	if (m == NULL)
		return;
	write_requests(m, out);
	for (size_t i = 0; i < m->nslots; i++)
		busy += atomic_load_explicit(&m->busy[i], memory_order_relaxed);
	prom_family(out, "deploy_api_workers", "gauge",
	    "Worker processes alive, those draining after a reload included.");
	prom_sample_uint(out, "deploy_api_workers", NULL, 0, workers);
	prom_family(out, "deploy_api_workers_busy", "gauge", "Workers handling a request now.");
	prom_sample_uint(out, "deploy_api_workers_busy", NULL, 0, busy);
	db_counters_write(&m->db, "deploy_api", out);
	prom_family(out, "deploy_api_rate_limit_rejections_total", "counter",
	    "Requests refused with 403 because their rate-limit budget was spent.");
	prom_sample_uint(out, "deploy_api_rate_limit_rejections_total", NULL, 0,
	    atomic_load_explicit(&m->rate_limited, memory_order_relaxed));
}
