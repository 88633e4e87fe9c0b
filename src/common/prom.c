#include "config.h"

#include "prom.h"

#include <inttypes.h>
#include <stdio.h>

static const int64_t duration_bounds_ns[PROM_DURATION_BUCKETS] = {
	1000000, 2500000, 5000000, 10000000, 25000000, 50000000, 100000000, 250000000,
	500000000, 1000000000, 2500000000, 5000000000, 10000000000, 30000000000,
};

void
prom_family(struct buf *out, const char *name, const char *type, const char *help)
{
	buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
put_label_value(struct buf *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\')
			buf_puts(out, "\\\\");
		else if (*v == '"')
			buf_puts(out, "\\\"");
		else if (*v == '\n')
			buf_puts(out, "\\n");
		else
			buf_putc(out, *v);
	}
}

/* name{a="1",b="2"} with one more label (le) when extra is not NULL. */
static void
put_series(struct buf *out, const char *name, const char *suffix, const struct prom_label *labels,
    size_t nlabels, const struct prom_label *extra)
{
	size_t n = nlabels + (extra != NULL);

	buf_puts(out, name);
	buf_puts(out, suffix);
	if (n == 0)
		return;
	buf_putc(out, '{');
	for (size_t i = 0; i < n; i++) {
		const struct prom_label *l = i < nlabels ? &labels[i] : extra;

		if (i > 0)
			buf_putc(out, ',');
		buf_puts(out, l->name);
		buf_puts(out, "=\"");
		put_label_value(out, l->value);
		buf_putc(out, '"');
	}
	buf_putc(out, '}');
}

void
prom_sample_uint(struct buf *out, const char *name, const struct prom_label *labels,
    size_t nlabels, uint64_t value)
{
	put_series(out, name, "", labels, nlabels, NULL);
	buf_printf(out, " %" PRIu64 "\n", value);
}

void
prom_sample_double(struct buf *out, const char *name, const struct prom_label *labels,
    size_t nlabels, double value)
{
	put_series(out, name, "", labels, nlabels, NULL);
	buf_printf(out, " %.9g\n", value);
}

void
prom_duration_observe(struct prom_duration_histogram *h, int64_t ns)
{
	size_t i = 0;

	if (ns < 0)
		ns = 0;
	while (i < PROM_DURATION_BUCKETS && ns > duration_bounds_ns[i])
		i++;
	atomic_fetch_add_explicit(&h->counts[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, (uint64_t)ns, memory_order_relaxed);
}

void
prom_duration_write(struct buf *out, const char *name, const struct prom_label *labels,
    size_t nlabels, const struct prom_duration_histogram *h)
{
	uint64_t cumulative = 0;
	char le[32];
	struct prom_label extra = { "le", le };

	for (size_t i = 0; i <= PROM_DURATION_BUCKETS; i++) {
		cumulative += atomic_load_explicit(&h->counts[i], memory_order_relaxed);
		if (i < PROM_DURATION_BUCKETS)
			snprintf(le, sizeof(le), "%g", (double)duration_bounds_ns[i] / 1e9);
		else
			snprintf(le, sizeof(le), "+Inf");
		put_series(out, name, "_bucket", labels, nlabels, &extra);
		buf_printf(out, " %" PRIu64 "\n", cumulative);
	}
	put_series(out, name, "_sum", labels, nlabels, NULL);
	buf_printf(out, " %.9f\n",
	    (double)atomic_load_explicit(&h->sum_ns, memory_order_relaxed) / 1e9);
	put_series(out, name, "_count", labels, nlabels, NULL);
	buf_printf(out, " %" PRIu64 "\n", cumulative);
}
