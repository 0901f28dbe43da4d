/* SPDX-License-Identifier: MIT */
/* `digestd fetch`: argument parsing, reading the input whole into a fixed
 * buffer (from a file, stdin or one HTTP(S) GET), guessing feed or page, and
 * printing a page's text as text or JSON. */
#include "fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "core/charset.h"
#include "core/file.h"
#include "core/json.h"
#include "core/limits.h"
#include "core/log.h"
#include "core/url.h"
#include "extract/html.h"
#include "sources/fetch.h"
#include "sources/xml.h"

static const char usage[] =
	"usage: digestd fetch [--type feed|page] [--format text|json] [--config FILE]\n"
	"                     [--ca-file FILE] URL|FILE|-\n"
	"       digestd fetch --config FILE --source NAME [--format text|json]\n";

/* Input and extracted text; one extra byte tells "exactly full" from "too
 * big". Text can outgrow its page only through U+FFFD replacements, and is
 * cut at the buffer's end then. */
static char input[FETCH_MAX_BYTES + 1];
static char text[FETCH_MAX_BYTES];

static const char *skip_past(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	for (; (size_t)(end - p) >= n; p++)
		if (memcmp(p, s, n) == 0)
			return p + n;
	return end;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Length of the whitespace that s[0..len) starts with. */
static size_t skip_ws(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && is_ws(s[i]))
		i++;
	return i;
}

/* A JSON object whose "version" string names jsonfeed.org. Only the
 * first 64 KiB are searched: "version" comes early in every JSON Feed. */
static int is_json_feed(const char *p, const char *end)
{
	if (end - p > 65536)
		end = p + 65536;
	while (p < end) {
		const char *q = skip_past(p, end, "\"version\"");
		const char *v;

		if (q >= end)
			return 0;
		p = q;
		while (q < end && is_ws(*q))
			q++;
		if (q >= end || *q != ':')
			continue;
		q++;
		while (q < end && is_ws(*q))
			q++;
		if (q >= end || *q != '"')
			continue;
		v = ++q;
		while (q < end && *q != '"')
			q++;
		if (skip_past(v, q, "jsonfeed.org") < q ||
		    (q - v >= 12 && memcmp(q - 12, "jsonfeed.org", 12) == 0))
			return 1;
	}
	return 0;
}

/* The first element of an XML document, past its prolog, comments, PIs and
 * DOCTYPE (whose internal subset may hold '>'), read with the feed's own
 * tokenizer: is it <rss>, <feed> or <rdf:RDF>? */
static int starts_feed_element(const char *p, size_t len)
{
	struct xml_reader r;
	struct xml_token t;

	xml_init(&r, p, len);
	for (;;) {
		enum xml_type type = xml_next(&r, &t);
		const char *local = t.name + t.local;

		if (type == XML_START)
			return strcmp(local, "rss") == 0 || strcmp(local, "feed") == 0 ||
			       (strcmp(local, "RDF") == 0 && t.local > 0);
		if (type == XML_EOF || (type == XML_TEXT && skip_ws(t.text, t.text_len) != t.text_len))
			return 0;
	}
}

enum fetch_type fetch_guess_type(const char *buf, size_t len)
{
	/* UTF-16 input is guessed from its first FETCH_GUESS_BYTES, as UTF-8. */
	char wide[FETCH_GUESS_BYTES];
	size_t skip = 0, used;
	enum charset cs = charset_detect(buf, len, NULL, &skip);
	const char *p, *end;

	if (cs == CHARSET_UTF16LE || cs == CHARSET_UTF16BE) {
		long n = charset_to_utf8(cs, buf + skip, len - skip, wide, sizeof(wide), &used);

		buf = wide;
		len = n >= 0 ? (size_t)n : strlen(wide);
	} else {
		buf += skip;
		len -= skip;
	}
	p = buf + skip_ws(buf, len);
	end = buf + len;
	if (p < end && *p == '{')
		return is_json_feed(p, end) ? FETCH_FEED : FETCH_PAGE;
	return starts_feed_element(p, (size_t)(end - p)) ? FETCH_FEED : FETCH_PAGE;
}

/* Maps an argument that is not an http(s) URL to a local path; NULL with
 * *status set otherwise. */
static const char *local_path(const char *arg, int *status)
{
	const char *path = url_file_path(arg);
	struct url_parts u;

	if (path)
		return path;
	url_split(arg, strlen(arg), &u);
	if (!u.has_authority || !u.scheme.len)
		return arg;
	if (url_web_scheme(&u))
		log_errx("fetch: %s: no host in the URL", arg);
	else if (u.scheme.len == 4 && strncasecmp(u.scheme.p, "file", 4) == 0)
		log_errx("fetch: %s: only file:///path and file://localhost/path are supported",
			 arg);
	else
		log_errx("fetch: %s: unsupported URL scheme", arg);
	*status = EX_USAGE;
	return NULL;
}

/* Reads the whole input into `input`. Returns a sysexits status. */
static int read_input(const char *name, const char *path, size_t *len)
{
	int fd, rc, status = 0;
	struct stat st;
	size_t n = 0;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_warn("fetch: %s", name);
			return errno == ENOENT || errno == EACCES ? EX_NOINPUT : EX_IOERR;
		}
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			log_errx("fetch: %s: is a directory", name);
			status = EX_NOINPUT;
			goto out;
		}
	}
	rc = file_read_full(fd, input, sizeof(input), &n);
	if (rc < 0) {
		log_warn("fetch: %s: read", name); /* errno is read()'s */
		status = EX_IOERR;
		goto out;
	}
	if (n > FETCH_MAX_BYTES) {
		log_errx("fetch: %s: larger than %u bytes, the most digestd reads", name,
			 FETCH_MAX_BYTES);
		status = EX_DATAERR;
		goto out;
	}
	*len = n;
out:
	if (fd != STDIN_FILENO)
		close(fd);
	return status;
}

/* [http] settings: defaults, or from --config; --ca-file overrides. */
static struct cfg cfg;
static struct fetch_client client;
static struct fetch_response resp;

/* SIGTERM or SIGINT during a transfer: end it cleanly, as the daemon does. */
static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* Transient failures (worth retrying later) give EX_TEMPFAIL. */
static int url_status(int rc, const struct fetch_response *r)
{
	switch (r->kind) {
	case FETCH_KIND_TOO_LARGE:
		return EX_DATAERR;
	case FETCH_KIND_URL:
		return EX_USAGE;
	case FETCH_KIND_DNS:
	case FETCH_KIND_CONNECT:
	case FETCH_KIND_TIMEOUT:
	case FETCH_KIND_STALLED:
	case FETCH_KIND_STOPPED:
		return EX_TEMPFAIL;
	case FETCH_KIND_HTTP_STATUS:
		return r->net.status == 429 || r->net.status >= 500 ? EX_TEMPFAIL : EX_UNAVAILABLE;
	default:
		return rc < 0 ? EX_UNAVAILABLE : EX_PROTOCOL;
	}
}

/* One GET into `input`. The URL given is the configured one of a source:
 * it may be on any address, its redirects as a source's are (net_scope).
 * Returns a sysexits status. */
static int read_url(const char *url, size_t *len)
{
	struct net_scope scope;
	struct net *net;
	char lu[NET_URL_BYTES];
	int rc;

	catch_signals();
	if (net_open(&net, &cfg, &stop_flag) != 0) {
		log_errx("fetch: cannot start the HTTP client");
		return EX_OSERR;
	}
	fetch_init(&client, &cfg, net);
	net_scope_init(&scope, url, 0);
	scope.own = 1;
	rc = fetch_get(&client, url, NULL, &scope, &resp, input, FETCH_MAX_BYTES);
	net_close(net);
	if (rc == 0 && resp.kind == FETCH_KIND_OK) {
		*len = resp.net.len;
		return 0;
	}
	log_errx("fetch: %s: %s", url_redact(url, lu, sizeof(lu)), resp.net.reason);
	return url_status(rc, &resp);
}

/* Matches "--OPT VALUE" and "--OPT=VALUE": returns 1 with *v set (NULL when
 * the value is missing), 0 for any other argument. */
static int opt_value(const char *a, const char *opt, int argc, char **argv, int *i,
		     const char **v)
{
	size_t n = strlen(opt);

	if (strncmp(a, opt, n) != 0 || (a[n] != '\0' && a[n] != '='))
		return 0;
	if (a[n] == '=')
		*v = a + n + 1;
	else
		*v = *i + 1 < argc ? argv[++*i] : NULL;
	return 1;
}

/* Loads --config and applies --ca-file. Returns a sysexits status. */
static int setup_cfg(const char *config, const char *ca_file)
{
	struct cfg_error err;
	int rc;

	cfg_defaults(&cfg);
	if (config) {
		/* Without CFG_RUN: fetch needs no [endpoint] and reads no secret. */
		rc = cfg_load(config, 0, &cfg, &err);
		if (rc != 0) {
			cfg_log_errors(&err);
			return rc == -EINVAL ? EX_CONFIG : EX_NOINPUT;
		}
	}
	if (ca_file) {
		if (strlen(ca_file) >= sizeof(cfg.http.ca_file)) {
			log_errx("fetch: --ca-file: path too long");
			return EX_USAGE;
		}
		memcpy(cfg.http.ca_file, ca_file, strlen(ca_file) + 1);
	}
	return 0;
}

static int print_page(const char *buf, size_t len, const char *name, const char *ctype,
		      enum fetch_format fmt)
{
	static struct html_page meta;
	long n = html_extract(buf, len, ctype, &meta, text, sizeof(text));

	if (n == -ENOTSUP) {
		log_errx("fetch: %s: the page is UTF-16, which digestd does not read", name);
		return EX_DATAERR;
	}
	if (n < 0) {
		log_errx("fetch: %s: cannot read the page", name);
		return EX_SOFTWARE;
	}
	if (n == 0)
		log_warnx("fetch: %s: no main text found", name);
	if (fmt == FETCH_JSON) {
		fputs("{\"title\":", stdout);
		json_write_string(stdout, meta.title, strlen(meta.title), 1);
		fputs(",\"date\":", stdout);
		json_write_string(stdout, meta.date, strlen(meta.date), 1);
		fputs(",\"lang\":", stdout);
		json_write_string(stdout, meta.lang, strlen(meta.lang), 1);
		fputs(",\"text\":", stdout);
		json_write_string(stdout, text, (size_t)n, 0);
		fputs("}\n", stdout);
	} else {
		text_write(stdout, meta.title, strlen(meta.title), 1);
		fputs("\n\n", stdout);
		text_write(stdout, text, (size_t)n, 0);
		if (n > 0)
			putchar('\n');
	}
	if (fflush(stdout) != 0) {
		log_warn("fetch: writing output");
		return EX_IOERR;
	}
	return 0;
}

int cmd_fetch(int argc, char **argv)
{
	enum fetch_type type = FETCH_AUTO;
	enum fetch_format fmt = FETCH_TEXT;
	const char *name = NULL, *path, *config = NULL, *ca_file = NULL, *source = NULL;
	static const char *const vopts[] = { "--config", "--ca-file", "--source" };
	const char **vdst[] = { &config, &ca_file, &source };
	size_t len = 0;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		size_t k = 0;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		for (size_t j = 0; j < sizeof(vopts) / sizeof(vopts[0]); j++) {
			if (!opt_value(a, vopts[j], argc, argv, &i, &v))
				continue;
			if (!v || !v[0]) {
				log_errx("fetch: %s wants a value", vopts[j]);
				return EX_USAGE;
			}
			*vdst[j] = v;
			k = 1;
		}
		if (k)
			continue;
		if (strncmp(a, "--type", 6) == 0 || strncmp(a, "--format", 8) == 0) {
			k = a[2] == 't' ? 6 : 8;
			if (a[k] == '=')
				v = a + k + 1;
			else if (a[k] == '\0' && i + 1 < argc)
				v = argv[++i];
			else if (a[k] != '\0')
				k = 0;
		}
		if (k == 6 && v && strcmp(v, "feed") == 0) {
			type = FETCH_FEED;
		} else if (k == 6 && v && strcmp(v, "page") == 0) {
			type = FETCH_PAGE;
		} else if (k == 8 && v && strcmp(v, "text") == 0) {
			fmt = FETCH_TEXT;
		} else if (k == 8 && v && strcmp(v, "json") == 0) {
			fmt = FETCH_JSON;
		} else if (k != 0) {
			log_errx("fetch: %s wants %s, not '%s'", k == 6 ? "--type" : "--format",
				 k == 6 ? "feed or page" : "text or json", v ? v : "nothing");
			return EX_USAGE;
		} else if (a[0] == '-' && a[1] != '\0') {
			log_errx("fetch: unknown option '%s'", a);
			fputs(usage, stderr);
			return EX_USAGE;
		} else if (name) {
			log_errx("fetch: one URL or FILE at a time ('%s' and '%s')", name, a);
			return EX_USAGE;
		} else {
			name = a;
		}
	}
	if (source && (name || !config)) {
		log_errx("fetch: --source takes no URL or FILE, and needs --config");
		return EX_USAGE;
	}
	if (!name && !source) {
		fputs(usage, stderr);
		return EX_USAGE;
	}
	status = setup_cfg(config, ca_file);
	if (status != 0)
		return status;
	if (source) {
		catch_signals();
		return fetch_print_source(&cfg, source, fmt, &stop_flag);
	}
	if (url_is_http(name)) {
		status = read_url(name, &len);
	} else {
		path = local_path(name, &status);
		if (!path)
			return status;
		status = read_input(strcmp(name, "-") == 0 ? "stdin" : name, path, &len);
	}
	if (status != 0)
		return status;
	if (type == FETCH_AUTO)
		type = fetch_guess_type(input, len);
	if (type == FETCH_FEED)
		status = url_is_http(name) ? fetch_print_feed(input, len, resp.net.effective_url,
							      resp.net.content_type, fmt)
					   : fetch_print_feed(input, len, name, NULL, fmt);
	else
		status = print_page(input, len, name,
				    url_is_http(name) ? resp.net.content_type : NULL, fmt);
	return status;
}
