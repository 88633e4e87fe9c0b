#include "config.h"

#include "db_counters.h"

#include "prom.h"

void
db_counters_write(const struct db_counters *c, const char *prefix, struct buf *out)
{
	struct buf name = BUF_INIT;
	struct prom_label unavailable = { "kind", "unavailable" }, query = { "kind", "query" };

	buf_printf(&name, "%s_database_errors_total", prefix);
	prom_family(out, buf_cstr(&name), "counter",
	    "Database calls that failed: kind unavailable (no connection, or it broke) or query"
	    " (the server refused the statement).");
	prom_sample_uint(out, buf_cstr(&name), &unavailable, 1,
	    atomic_load_explicit(&c->unavailable, memory_order_relaxed));
	prom_sample_uint(out, buf_cstr(&name), &query, 1,
	    atomic_load_explicit(&c->query_failed, memory_order_relaxed));
	buf_reset(&name);
	buf_printf(&name, "%s_database_reconnects_total", prefix);
	prom_family(out, buf_cstr(&name), "counter",
	    "Database connections made again after the first one was lost.");
	prom_sample_uint(out, buf_cstr(&name), NULL, 0,
	    atomic_load_explicit(&c->reconnects, memory_order_relaxed));
	buf_release(&name);
}
