/* SPDX-License-Identifier: MIT */
/* `digestd fetch --config FILE --source NAME`: one poll of a configured
 * source, as the daemon does it (state, backoff, conditional GET), with the
 * articles printed instead of summarised. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd/fetch.h"
#include "core/date.h"
#include "core/json.h"
#include "core/log.h"
#include "core/statedir.h"
#include "core/url.h"
#include "sources/source.h"

static struct source_ctx ctx;

static void json_str(const char *key, const char *v, int first)
{
	printf("%s\"%s\":", first ? "{" : ",", key);
	json_write_string(stdout, v, strlen(v), 1);
}

static int print_article(const struct source_article *a, void *arg)
{
	const enum fetch_format *fmt = arg;
	char date[21] = "";

	if (a->has_date)
		date_format_rfc3339(a->date, date);
	if (*fmt == FETCH_JSON) {
		json_str("id", a->id, 1);
		json_str("title", a->title, 0);
		json_str("url", a->url, 0);
		fputs(",\"date\":", stdout);
		if (date[0])
			printf("\"%s\"", date);
		else
			fputs("null", stdout);
		json_str("lang", a->lang, 0);
		fputs(",\"text\":", stdout);
		json_write_string(stdout, a->text, a->text_len, 0);
		fputs("}\n", stdout);
	} else {
		text_write(stdout, a->title, strlen(a->title), 1);
		putchar('\n');
		text_write(stdout, a->url, strlen(a->url), 1);
		printf("\n%s\n\n", date);
		text_write(stdout, a->text, a->text_len, 0);
		fputs("\n\n", stdout);
	}
	return ferror(stdout) ? -EIO : 0;
}

int fetch_source_status(int rc)
{
	if (rc >= 0)
		return 0;
	if (rc == -EAGAIN || rc == -ETIMEDOUT || rc == -ECONNREFUSED || rc == -EHOSTUNREACH ||
	    rc == -EINTR || rc == -ETIME)
		return EX_TEMPFAIL;
	if (rc == -EFBIG || rc == -EBADMSG)
		return EX_DATAERR;
	if (rc == -ENOENT || rc == -EACCES || rc == -ENOTDIR)
		return EX_NOINPUT;
	return EX_UNAVAILABLE;
}

int fetch_print_source(const struct cfg *cfg, const char *name, enum fetch_format fmt,
		       volatile sig_atomic_t *stop)
{
	const struct cfg_source *src = NULL;
	struct net *net;
	int rc, status = 0;
	char until[21], lu[NET_URL_BYTES];

	for (unsigned i = 0; i < cfg->n_sources; i++)
		if (strcmp(cfg->sources[i].name, name) == 0)
			src = &cfg->sources[i];
	if (!src) {
		log_errx("fetch: no [source %s] in the configuration", name);
		return EX_USAGE;
	}
	if (net_open(&net, cfg, stop) != 0) {
		log_errx("fetch: cannot start the HTTP client");
		return EX_OSERR;
	}
	if (source_ctx_init(&ctx, cfg, net) != 0) {
		net_close(net);
		log_errx("fetch: cannot map the body buffers");
		return EX_OSERR;
	}
	/* The daemon's backoff is honoured and recorded (in the state folder,
	 * under the same checks); its validators are neither used nor replaced. */
	ctx.state_fd = statedir_open(cfg->daemon.state_dir);
	ctx.keep_validators = 1;
	if (ctx.state_fd < 0) {
		source_ctx_free(&ctx);
		net_close(net);
		return EX_CANTCREAT;
	}
	rc = source_poll(cfg, src, &ctx, print_article, NULL, &fmt);
	url_redact(src->url, lu, sizeof(lu));
	if (rc == -EINTR)
		log_errx("source %s: %s: stopped", name, lu);
	if (rc == -EAGAIN) {
		date_format_rfc3339(ctx.not_before, until);
		log_errx("source %s: %s: backing off (earlier failures or Retry-After); "
			 "not asked before %s", name, lu, until);
	}
	status = fetch_source_status(rc);
	close(ctx.state_fd);
	source_ctx_free(&ctx);
	net_close(net);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_warn("fetch: writing output");
		return EX_IOERR;
	}
	return status;
}
