/* SPDX-License-Identifier: MIT */
/* The metrics file: the daemon's counters and gauges as Prometheus text,
 * formatted through a checked output into the daemon's fixed buffer and
 * written as a whole file or not at all. */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/file.h"
#include "core/log.h"
#include "core/outbuf.h"
#include "digest/seen.h"

/* A label value, escaped as the exposition format says. */
static void label(struct outbuf *o, const char *s)
{
	for (; *s && !o->full; s++) {
		if (*s == '\\')
			outbuf_printf(o, "\\\\");
		else if (*s == '"')
			outbuf_printf(o, "\\\"");
		else if (*s == '\n')
			outbuf_printf(o, "\\n");
		else
			outbuf_printf(o, "%c", *s);
	}
}

static void family(struct outbuf *o, const char *name, const char *type, const char *help)
{
	outbuf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(struct outbuf *o, const char *name, const char *type, const char *help,
		unsigned long long v)
{
	family(o, name, type, help);
	outbuf_printf(o, "%s %llu\n", name, v);
}

/* One family with a sample per source: the counter at byte offset field
 * (offsetof) of source i's row in d->src_n. */
static void per_source(struct outbuf *o, const struct daemon *d, const char *name,
		       const char *type, const char *help, size_t field)
{
	family(o, name, type, help);
	for (unsigned i = 0; i < d->cfg->n_sources; i++) {
		const char *row = (const char *)&d->src_n[i];
		unsigned long v;

		memcpy(&v, row + field, sizeof(v));
		outbuf_printf(o, "%s{source=\"", name);
		label(o, d->cfg->sources[i].name);
		outbuf_printf(o, "\"} %lu\n", v);
	}
}

long metrics_format(const struct daemon *d, int64_t now, char *out, size_t cap)
{
	struct outbuf o;
	const struct daemon_counters *n = &d->n;

	outbuf_init(&o, out, cap);
	one(&o, "digestd_polls_total", "counter", "Polls of sources started.", n->polls);
	one(&o, "digestd_poll_failures_total", "counter", "Polls of sources that failed.",
	    n->poll_failures);
	one(&o, "digestd_articles_offered_total", "counter",
	    "Articles the sources handed over.", n->articles);
	one(&o, "digestd_articles_new_total", "counter",
	    "Articles summarised and added to the pending list.", n->summarised);
	one(&o, "digestd_articles_known_total", "counter",
	    "Articles already digested or waiting.", n->known);
	one(&o, "digestd_articles_repeats_total", "counter",
	    "New articles held back: a story a digest delivered.", n->repeats);
	one(&o, "digestd_digests_composed_total", "counter", "Digests written to the outbox.",
	    n->digests);
	one(&o, "digestd_digests_delivered_total", "counter",
	    "Digests the endpoint took with a 2xx answer.", n->delivered);
	one(&o, "digestd_push_failures_total", "counter", "Pushes to be retried.",
	    n->push_failures);
	one(&o, "digestd_dead_letters_total", "counter",
	    "Digests moved to dead/, refused or damaged.", n->dead);
	one(&o, "digestd_state_save_failures_total", "counter",
	    "State files of sources and endpoints that could not be saved.",
	    n->state_saves + d->sources[d->cur].save_failures);
	one(&o, "digestd_pending_articles", "gauge", "Articles waiting for the next digest.",
	    d->pend.n);
	one(&o, "digestd_outbox_digests", "gauge", "Digests waiting in the outbox.", d->ob_count);
	one(&o, "digestd_outbox_bytes", "gauge", "Bytes of the digests in the outbox.",
	    (unsigned long long)d->ob_bytes);
	one(&o, "digestd_seen_articles", "gauge",
	    "Keys the seen-set remembers (articles, and delivered articles' text).",
	    seen_count(&d->seen));
	one(&o, "digestd_seen_capacity", "gauge", "Keys the seen-set can remember.",
	    d->seen.capacity);
	one(&o, "digestd_sources", "gauge", "Configured sources.", d->cfg->n_sources);
	per_source(&o, d, "digestd_source_polls_total", "counter", "Polls of the source.",
		   offsetof(struct daemon_source_counters, polls));
	per_source(&o, d, "digestd_source_poll_failures_total", "counter",
		   "Failed polls of the source.",
		   offsetof(struct daemon_source_counters, failures));
	per_source(&o, d, "digestd_source_items_total", "counter",
		   "Articles the source handed over.",
		   offsetof(struct daemon_source_counters, items));
	per_source(&o, d, "digestd_source_consecutive_failures", "gauge",
		   "Failed polls of the source in a row.",
		   offsetof(struct daemon_source_counters, consecutive));
	one(&o, "digestd_last_cycle_timestamp_seconds", "gauge",
	    "When this file was written, in Unix seconds.", (unsigned long long)now);
	return o.full ? -ENOSPC : (long)o.len;
}

int metrics_write(struct daemon *d, int64_t now)
{
	const char *path = d->cfg->daemon.metrics_file, *base;
	char dir[CFG_PATH_BYTES], tmp[CFG_PATH_BYTES + 8];
	struct file_walk w;
	long len;
	int fd, rc;

	if (!path[0])
		return 0;
	base = strrchr(path, '/');
	/* cfg resolves a relative path against the config's folder: there is
	 * always a '/'. */
	base = base ? base + 1 : path;
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
	snprintf(tmp, sizeof(tmp), ".%s.tmp", base);
	len = metrics_format(d, now, d->metrics, sizeof(d->metrics));
	if (len < 0) {
		rc = (int)len;
		if (!d->metrics_failed)
			log_warnx("%s: the metrics of %u sources do not fit in %u bytes; not written",
				  path, d->cfg->n_sources, METRICS_FILE_BYTES);
		goto out;
	}
	/* Through links only root or digestd's user could have made: this
	 * file is written, and a planted link would choose where. */
	fd = file_open_dir(dir[0] ? dir : "/", FILE_WALK_FOLLOW, &w);
	if (fd < 0) {
		rc = fd;
	} else {
		/* node_exporter runs as another user: the file is readable. */
		rc = file_replace_mode_at(fd, base, tmp, d->metrics, (size_t)len, 0644);
		close(fd);
	}
	if (rc < 0 && !d->metrics_failed)
		log_warnx("%s: cannot write the metrics: %s (said once until a write succeeds)",
			  path, fd < 0 && w.why[0] ? w.why : strerror(-rc));
out:
	if (rc == 0 && d->metrics_failed)
		log_info("%s: metrics written again", path);
	d->metrics_failed = rc < 0;
	return rc;
}
