/* SPDX-License-Identifier: MIT */
/* `digestd filter-test --config PATH [--source NAME] [--feed FILE]`: polls
 * each (or the named) source, or reads a saved feed, and prints one line per
 * article: keep, drop or over-backlog, and what decided. It writes nothing:
 * the state folder is only read, never made, and the seen-set not read. */
#include "filter_test.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd/check_config.h"
#include "cmd/fetch.h"
#include "core/cfg.h"
#include "core/log.h"
#include "core/rules.h"
#include "daemon/pipeline.h"
#include "net/net.h"
#include "sources/source.h"
#include "summarise/summ.h"

static const char usage[] =
	"usage: digestd filter-test [--config PATH] [--source NAME] [--feed FILE]\n";

/* Static: each is large (the config about 1 MiB, the summariser 482 KiB,
 * the source context's tables). */
static struct cfg cfg;
static struct rules rules;
static struct summ summ;
static struct source_ctx ctx;
/* Never raised: a signal ends filter-test at once, as it has nothing to
 * save; net_open wants a stop flag all the same. */
static volatile sig_atomic_t stop_flag;

/* Writes s with tabs and line breaks made spaces: one article, one line. */
static void put_field(const char *s)
{
	for (; *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static int on_article(const struct source_article *a, void *arg)
{
	struct summ_result res;
	struct rules_verdict v;
	char why[CFG_RULE_BYTES + 64];

	(void)arg;
	if (a->over_backlog) {
		snprintf(why, sizeof(why), "first poll: past backlog = %u",
			 cfg.sources[a->idx].backlog);
		fputs("seen", stdout);
	} else {
		pipeline_judge(&cfg, &rules, &summ, a, &res, &v);
		rules_describe(&cfg, &v, why, sizeof(why));
		fputs(v.keep ? "keep" : "drop", stdout);
	}
	putchar('\t');
	put_field(a->source);
	putchar('\t');
	put_field(a->title);
	putchar('\t');
	put_field(a->url);
	putchar('\t');
	put_field(why);
	putchar('\n');
	return 0;
}

/* --feed FILE: a source of its own at the end of cfg, reading the file as a
 * feed, under [digest]'s rules, or those of --source's (then replaced).
 * Returns the source's index, or a negative errno after logging: -ENOSPC
 * when no source is left for it, another for a file that cannot be read. */
static int feed_source(const char *file, int idx)
{
	struct cfg_source *s;
	char path[CFG_URL_BYTES];

	if (file[0] == '/')
		snprintf(path, sizeof(path), "%s", file);
	else if (!getcwd(path, sizeof(path)) ||
		 strlen(path) + 1 + strlen(file) >= sizeof(path))
		path[0] = '\0';
	else
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s", file);
	if (!path[0] || access(path, R_OK) < 0) {
		int rc = path[0] ? -errno : -ENAMETOOLONG;

		log_errx("filter-test: %s: cannot read it: %s", file, strerror(-rc));
		return rc;
	}
	if (idx < 0) {
		if (cfg.n_sources == CFG_MAX_SOURCES) {
			log_errx("filter-test: --feed needs --source with %u sources", cfg.n_sources);
			return -ENOSPC;
		}
		idx = (int)cfg.n_sources++;
		s = &cfg.sources[idx];
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "feed");
		s->max_items = SOURCE_MAX_ITEMS;
	}
	s = &cfg.sources[idx];
	memcpy(s->url, path, sizeof(s->url));
	s->type = CFG_SOURCE_FEED;
	s->fetch_pages = false;
	return idx;
}

static int source_named(const char *name)
{
	for (unsigned i = 0; i < cfg.n_sources; i++)
		if (strcmp(cfg.sources[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Polls source idx (dry run); returns its fetch_source_status. */
static int poll_one(unsigned idx)
{
	return fetch_source_status(source_poll(&cfg, &cfg.sources[idx], &ctx, on_article, NULL,
					       NULL));
}

static int run(const char *feed, const char *source)
{
	struct net *net;
	int idx = -1, status = 0;

	if (source) {
		idx = source_named(source);
		if (idx < 0) {
			log_errx("filter-test: no [source %s] in the configuration", source);
			return EX_USAGE;
		}
	}
	if (feed) {
		idx = feed_source(feed, idx);
		if (idx < 0)
			return idx == -ENOSPC ? EX_USAGE : EX_NOINPUT;
	}
	if (rules_compile(&rules, &cfg) < 0)
		return EX_CONFIG;
	if (net_open(&net, &cfg, &stop_flag) != 0) {
		log_errx("filter-test: cannot start the HTTP client");
		rules_free(&rules);
		return EX_OSERR;
	}
	if (source_ctx_init(&ctx, &cfg, net) != 0) {
		log_errx("filter-test: cannot map the body buffers");
		net_close(net);
		rules_free(&rules);
		return EX_OSERR;
	}
	/* Read only, and only when it is there: a first poll's backlog shows
	 * for a source without state. Never made, never written. */
	ctx.state_fd = open(cfg.daemon.state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ctx.dry_run = 1;
	ctx.keep_validators = 1;
	if (idx >= 0) {
		status = poll_one((unsigned)idx);
	} else {
		for (unsigned i = 0; i < cfg.n_sources; i++) {
			int st = poll_one(i);

			if (st > status)
				status = st;
		}
	}
	if (ctx.state_fd >= 0)
		close(ctx.state_fd);
	source_ctx_free(&ctx);
	net_close(net);
	rules_free(&rules);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warn("filter-test: writing output");
		return EX_IOERR;
	}
	return status;
}

/* Takes "--opt VALUE" or "--opt=VALUE" at argv[*i]; returns the value or
 * NULL when argv[*i] is not opt. */
static const char *option(int argc, char **argv, int *i, const char *opt, int *bad)
{
	size_t n = strlen(opt);
	const char *a = argv[*i];

	if (strncmp(a, opt, n) != 0 || (a[n] != '\0' && a[n] != '='))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (*i + 1 < argc)
		return argv[++*i];
	log_errx("filter-test: %s wants a value", opt);
	*bad = 1;
	return NULL;
}

int cmd_filter_test(int argc, char **argv)
{
	const char *config = CHECK_CONFIG_DEFAULT_PATH, *source = NULL, *feed = NULL, *v;
	static const char *const opts[] = { "--config", "--source", "--feed" };
	const char **dst[] = { &config, &source, &feed };
	struct cfg_error err;
	int bad = 0, rc;

	for (int i = 1; i < argc && !bad; i++) {
		unsigned j = 0;

		for (v = NULL; j < 3 && !v && !bad; j++)
			v = option(argc, argv, &i, opts[j], &bad);
		if (v)
			*dst[j - 1] = v;
		else if (!bad) {
			log_errx("filter-test: unexpected argument '%s'", argv[i]);
			bad = 1;
		}
	}
	if (bad) {
		fputs(usage, stderr);
		return EX_USAGE;
	}
	rc = cfg_load(config, 0, &cfg, &err);
	if (rc < 0) {
		cfg_log_errors(&err);
		return rc == -EINVAL ? EX_CONFIG : EX_NOINPUT;
	}
	return run(feed, source);
}
