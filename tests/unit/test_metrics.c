/* SPDX-License-Identifier: MIT */
/* Unit tests for src/daemon/metrics: the exposition text of a daemon's
 * counters (names, label escaping, per-source series), its cap, and the
 * file replaced atomically in its folder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/cfg.h"
#include "core/log.h"
#include "daemon/metrics.h"

static struct daemon dm;
static char out[METRICS_FILE_BYTES];

/* A daemon's counters as the loop leaves them, two sources, the second
 * with a name no config would take (the escaping must hold anyway). */
static void setup(void)
{
	memset(&dm, 0, sizeof(dm));
	dm.cfg = &dm.cfgs[0];
	cfg_defaults(dm.cfg);
	dm.cfg->n_sources = 2;
	snprintf(dm.cfg->sources[0].name, sizeof(dm.cfg->sources[0].name), "lwn");
	snprintf(dm.cfg->sources[1].name, sizeof(dm.cfg->sources[1].name), "a\"b\\c\nd");
	dm.n.polls = 7;
	dm.n.poll_failures = 2;
	dm.n.delivered = 3;
	dm.ob_count = 1;
	dm.ob_bytes = 4096;
	dm.seen.capacity = 4096;
	dm.seen.count = 12;
	dm.src_n[0].polls = 5;
	dm.src_n[1].failures = 2;
	dm.src_n[0].items = 40;
	dm.src_n[1].consecutive = 2;
}

static void test_format(void)
{
	long n;

	setup();
	n = metrics_format(&dm, 1795888800, out, sizeof(out));
	CHECK(n > 0 && (size_t)n < sizeof(out));
	if (n <= 0)
		return;
	out[n] = '\0';
	CHECK(strstr(out, "# HELP digestd_polls_total Polls of sources started.\n"
			  "# TYPE digestd_polls_total counter\ndigestd_polls_total 7\n") == out);
	CHECK(strstr(out, "\ndigestd_poll_failures_total 2\n") != NULL);
	CHECK(strstr(out, "\ndigestd_digests_delivered_total 3\n") != NULL);
	CHECK(strstr(out, "\n# TYPE digestd_outbox_bytes gauge\ndigestd_outbox_bytes 4096\n") != NULL);
	CHECK(strstr(out, "\ndigestd_seen_articles 12\n") != NULL);
	CHECK(strstr(out, "\ndigestd_source_polls_total{source=\"lwn\"} 5\n") != NULL);
	CHECK(strstr(out, "\ndigestd_source_items_total{source=\"lwn\"} 40\n") != NULL);
	CHECK(strstr(out, "\ndigestd_source_poll_failures_total{source=\"a\\\"b\\\\c\\nd\"} 2\n") !=
	      NULL);
	CHECK(strstr(out, "\ndigestd_source_consecutive_failures{source=\"a\\\"b\\\\c\\nd\"} 2\n") !=
	      NULL);
	CHECK(strstr(out, "\ndigestd_last_cycle_timestamp_seconds 1795888800\n") != NULL);
	CHECK(out[n - 1] == '\n');
	/* Too small a buffer: refused whole, never cut. */
	CHECK_INT(metrics_format(&dm, 0, out, 100), -ENOSPC);
	CHECK_INT(metrics_format(&dm, 1795888800, out, (size_t)n), -ENOSPC);
	CHECK_INT(metrics_format(&dm, 1795888800, out, (size_t)n + 1) > 0, 1);
}

/* The most sources with the longest names and counts fit the buffer. */
static void test_largest_fits(void)
{
	setup();
	dm.cfg->n_sources = CFG_MAX_SOURCES;
	for (unsigned i = 0; i < CFG_MAX_SOURCES; i++) {
		memset(dm.cfg->sources[i].name, 'n', CFG_SOURCE_NAME_BYTES - 1);
		dm.cfg->sources[i].name[CFG_SOURCE_NAME_BYTES - 1] = '\0';
		dm.src_n[i].polls = dm.src_n[i].failures = (unsigned long)-1;
		dm.src_n[i].items = dm.src_n[i].consecutive = (unsigned long)-1;
	}
	CHECK(metrics_format(&dm, 1795888800, out, sizeof(out)) > 0);
}

static void test_write(void)
{
	char dir[] = "/tmp/test_metrics.XXXXXX", path[128], buf[256];
	FILE *f;

	setup();
	umask(077);
	CHECK(mkdtemp(dir) != NULL);
	/* None configured: nothing written. */
	CHECK_INT(metrics_write(&dm, 1), 0);
	snprintf(path, sizeof(path), "%s/digestd.prom", dir);
	snprintf(dm.cfg->daemon.metrics_file, sizeof(dm.cfg->daemon.metrics_file), "%s", path);
	CHECK_INT(metrics_write(&dm, 1), 0);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK(fgets(buf, sizeof(buf), f) != NULL);
		CHECK_STR(buf, "# HELP digestd_polls_total Polls of sources started.\n");
		fclose(f);
	}
	/* node_exporter reads it as another user, whatever the umask. */
	{
		struct stat st;

		CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644);
	}
	snprintf(buf, sizeof(buf), "%s/.digestd.prom.tmp", dir);
	CHECK(access(buf, F_OK) != 0);
	/* A missing folder: an error, said once, and the next success clears it. */
	snprintf(dm.cfg->daemon.metrics_file, sizeof(dm.cfg->daemon.metrics_file), "%s/no/x.prom",
		 dir);
	CHECK_INT(metrics_write(&dm, 2), -ENOENT);
	CHECK(dm.metrics_failed);
	snprintf(dm.cfg->daemon.metrics_file, sizeof(dm.cfg->daemon.metrics_file), "%s", path);
	CHECK_INT(metrics_write(&dm, 3), 0);
	CHECK(!dm.metrics_failed);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	log_init(LOG_LVL_ERR, "digestd");
	RUN(test_format);
	RUN(test_largest_fits);
	RUN(test_write);
	return CHECK_EXIT();
}
