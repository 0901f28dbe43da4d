/* SPDX-License-Identifier: MIT */
/* Loading, checking and printing the configuration that cfg.def describes.
 * inih splits lines; our reader counts them, tracks sections and refuses what
 * inih would let pass. Nothing here allocates or reads a secret. */
#include "cfg.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dec.h"
#include "core/url.h"

#define CFG_DEFAULT_DIR "/etc/digestd"
#define CFG_DEFAULT_STATE_DIR "/var/lib/digestd"

enum type {
	T_PATH, T_SECRET, T_URL, T_BOOL, T_UINT, T_DURATION, T_SIZE,
	T_SCHEDULE, T_LOGLEVEL, T_ENUM, T_LANG, T_PIN, T_HEADER
};
enum sec { SEC_daemon, SEC_http, SEC_source, SEC_digest, SEC_endpoint, SEC_COUNT };

struct key {
	const char *section, *name, *def, *values, *doc;
	unsigned long long min, max;
	size_t offset, size;
	unsigned schemes;
	unsigned char sec, type;
};

#define CFG_DESC_PATH .type = T_PATH
#define CFG_DESC_SECRET .type = T_SECRET
#define CFG_DESC_URL(m) .type = T_URL, .schemes = (m)
#define CFG_DESC_BOOL .type = T_BOOL
#define CFG_DESC_UINT .type = T_UINT
#define CFG_DESC_DURATION .type = T_DURATION
#define CFG_DESC_SIZE .type = T_SIZE
#define CFG_DESC_SCHEDULE .type = T_SCHEDULE
#define CFG_DESC_LOGLEVEL .type = T_LOGLEVEL
#define CFG_DESC_ENUM(words) .type = T_ENUM, .values = #words
#define CFG_DESC_LANG .type = T_LANG
#define CFG_DESC_PIN .type = T_PIN
#define CFG_DESC_HEADER .type = T_HEADER

#define CFG(sec_, key_, type_, def_, min_, max_, doc_)                                    \
	{ .sec = SEC_##sec_, .section = #sec_, .name = #key_, CFG_DESC_##type_,             \
	  .def = def_, .min = (min_), .max = (max_), .doc = doc_,                            \
	  .offset = offsetof(struct cfg_##sec_, key_),                                       \
	  .size = sizeof(((struct cfg_##sec_ *)0)->key_) },
static const struct key keys[] = {
#include "core/cfg.def"
};
#undef CFG
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const sec_names[SEC_COUNT] = { "daemon", "http", "source", "digest",
						  "endpoint" };

/* ps->sec before the first section, and in one whose header was refused
 * (its keys are skipped: they would only repeat that error). */
#define SEC_NONE (-1)
#define SEC_SKIP (-2)

/* The loader's scratch: the config being built plus where each thing was
 * set, so that messages can name lines. Static: see CFG_* in limits.h. */
struct parse {
	struct cfg cfg;
	const char *name;
	unsigned flags;
	struct cfg_error *err;
	int failed;  /* 0, -EINVAL, or -errno of a read error */
	bool stop;   /* the file cannot be read on: no more lines */
	unsigned errors; /* found, including those past err's room */
	FILE *f;
	const char *p, *end;
	unsigned line;
	size_t total;
	int sec; /* enum sec of the current section, or SEC_NONE, SEC_SKIP */
	unsigned src;
	bool refused_section; /* some section header was refused */
	unsigned sec_line[SEC_COUNT];
	unsigned src_line[CFG_MAX_SOURCES];
	/* Slot 0: the single sections; slot 1 + i: source i. */
	unsigned key_line[1 + CFG_MAX_SOURCES][N_KEYS];
	/* A value that was refused: checks across keys leave it alone, so that
	 * one mistake is reported once. */
	bool bad[1 + CFG_MAX_SOURCES][N_KEYS];
	/* A section with a line that could not be read (or an unknown key, maybe
	 * a required one mistyped) is not said to lack a required key. */
	bool damaged_sec[SEC_COUNT];
	bool damaged_src[CFG_MAX_SOURCES];
	/* A field's value before a refused line, put back so that later checks
	 * see a well-formed config. Any field fits: it is part of one of these. */
	union {
		struct cfg_daemon daemon;
		struct cfg_http http;
		struct cfg_source source;
		struct cfg_digest digest;
		struct cfg_endpoint endpoint;
	} undo;
};
static struct parse scratch;

/* ---- small text helpers ---- */

static int is_blank(int c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int has_prefix_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower((unsigned char)*s) != *prefix)
			return 0;
	return 1;
}

static int eq_ci(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower((unsigned char)*a) != lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Copies s for a message: control bytes escaped, long text cut with "...". */
static void quote(char *out, size_t size, const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 8 < size; i++) {
		unsigned char c = (unsigned char)s[i];

		if (n >= 60) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
}

static int copy_str(char *out, size_t size, const char *s)
{
	size_t len = strlen(s);

	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(out, s, len);
	/* The whole field is written, so equal configs compare equal bytewise. */
	memset(out + len, 0, size - len);
	return 0;
}

/* Joins base and rel (rel alone when absolute) into a normalised absolute
 * path: no ".", "..", repeated or trailing slashes. The result may end with
 * a blank ("a /" gives "a "), which a config value cannot: see path_value. */
static int path_join(const char *base, const char *rel, char *out, size_t size)
{
	const char *parts[2] = { rel[0] == '/' ? "" : base, rel };
	size_t len = 0;

	for (int i = 0; i < 2; i++) {
		const char *p = parts[i];

		while (*p) {
			const char *seg;
			size_t seglen;

			while (*p == '/')
				p++;
			if (!*p)
				break;
			seg = p;
			while (*p && *p != '/')
				p++;
			seglen = (size_t)(p - seg);
			if (seglen == 1 && seg[0] == '.')
				continue;
			if (seglen == 2 && seg[0] == '.' && seg[1] == '.') {
				while (len > 0 && out[len - 1] != '/')
					len--;
				if (len > 0)
					len--;
				continue;
			}
			if (len + seglen + 2 > size)
				return -ENAMETOOLONG;
			out[len++] = '/';
			memcpy(out + len, seg, seglen);
			len += seglen;
		}
	}
	if (len == 0) {
		if (size < 2)
			return -ENAMETOOLONG;
		out[len++] = '/';
	}
	memset(out + len, 0, size - len);
	return 0;
}

static int secret_resolve(const char *base_dir, const char *value, char *out, size_t size,
			  int *credential)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");

	*credential = 0;
	if (!*value)
		return -EINVAL;
	if (!strchr(value, '/') && creds && *creds) {
		*credential = 1;
		return path_join(creds, value, out, size);
	}
	return path_join(base_dir, value, out, size);
}

/* Is the normalised path inside $CREDENTIALS_DIRECTORY? */
static int in_credentials(const char *path)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	char dir[CFG_PATH_BYTES];
	size_t n;

	if (!creds || creds[0] != '/' || path_join("/", creds, dir, sizeof(dir)) < 0)
		return 0;
	n = strlen(dir);
	return n > 1 && strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* Links are followed: an admin may link /etc/digestd/signing-key to where
 * keys are kept, and what is checked below is the file reached. Whoever can
 * write the folder holding a secret can point digestd elsewhere anyway; that
 * folder is root's (/etc/digestd) or systemd's. */
int cfg_secret_open(const struct cfg *c, const char *value, char *path, size_t size, char *why,
		    size_t whysz)
{
	struct stat st;
	int credential, fd, rc;

	rc = secret_resolve(c->base_dir, value, path, size, &credential);
	if (rc < 0) {
		snprintf(path, size, "%s", value);
		if (rc == -ENAMETOOLONG)
			snprintf(why, whysz, "the path is longer than %zu bytes once resolved",
				 size - 1);
		else
			snprintf(why, whysz, "expected the path of a file");
		return rc;
	}
	/* A FIFO or a device is refused before it is opened: opening one can
	 * block or act (a watchdog device starts counting). */
	if (stat(path, &st) < 0) {
		rc = -errno;
		snprintf(why, whysz, "cannot open: %s", strerror(-rc));
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whysz, "not a regular file");
		return -EINVAL;
	}
	/* O_NONBLOCK: should a FIFO be swapped in meanwhile, it does not hang
	 * start-up (fstat below refuses it); a regular file ignores the flag. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, whysz, "cannot open: %s", strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(why, whysz, "cannot stat: %s", strerror(-rc));
	} else if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(why, whysz, "not a regular file");
	} else if (in_credentials(path)) {
		rc = 0;
	} else if (st.st_uid != 0 && st.st_uid != geteuid()) {
		/* Its owner could rewrite the key we sign with. */
		rc = -EPERM;
		snprintf(why, whysz, "owned by uid %u, neither root nor digestd's user (uid %u); "
				     "chown %u %s", (unsigned)st.st_uid, (unsigned)geteuid(),
			 (unsigned)geteuid(), path);
	} else if (st.st_mode & 077) {
		rc = -EPERM;
		snprintf(why, whysz, "mode %04o gives group or others access; chmod 600 %s",
			 (unsigned)(st.st_mode & 07777), path);
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

/* ---- numbers, durations, sizes ---- */

#define NUM_CAP 1000000000000000ull /* far above any limit; keeps sums exact */

/* Reads digits at *p and moves past them; returns 0 or -EINVAL when there
 * are none or they make more than NUM_CAP. */
static int read_number(const char **p, unsigned long long *out)
{
	uint64_t n;
	size_t used;

	if (dec_read(*p, strlen(*p), NUM_CAP, &n, &used) < 0)
		return -EINVAL;
	*p += used;
	*out = n;
	return 0;
}

static int parse_uint(const char *v, unsigned long long *out)
{
	uint64_t n;

	if (dec_parse(v, strlen(v), NUM_CAP, &n) < 0)
		return -EINVAL;
	*out = n;
	return 0;
}

/* 30s, 15m, 2h, 1d, 1h30m (units largest first, each once), or seconds. */
static int parse_duration(const char *v, unsigned long long *out)
{
	static const char units[] = "smhd";
	static const unsigned long long mult[] = { 1, 60, 3600, 86400 };
	unsigned long long total = 0, n;
	int last = 4;

	if (read_number(&v, &n) < 0)
		return -EINVAL;
	if (!*v) {
		*out = n;
		return 0;
	}
	for (;;) {
		const char *u = *v ? strchr(units, *v) : NULL;
		int rank;

		if (!u)
			return -EINVAL;
		rank = (int)(u - units);
		if (rank >= last)
			return -EINVAL;
		last = rank;
		total += n * mult[rank];
		if (total > NUM_CAP)
			return -EINVAL;
		v++;
		if (!*v)
			break;
		if (read_number(&v, &n) < 0)
			return -EINVAL;
	}
	*out = total;
	return 0;
}

/* 512K, 4M, 1G (optionally KiB, MiB, GiB; powers of 1024) or bytes. */
static int parse_size(const char *v, unsigned long long *out)
{
	unsigned long long n;
	int shift = 0;

	if (read_number(&v, &n) < 0)
		return -EINVAL;
	switch (lower((unsigned char)*v)) {
	case '\0':
		break;
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	default:
		return -EINVAL;
	}
	if (shift) {
		v++;
		if (v[0] == 'i' && v[1] == 'B')
			v += 2;
	}
	if (*v || n > (NUM_CAP >> shift))
		return -EINVAL;
	*out = n << shift;
	return 0;
}

static void fmt_duration(unsigned long long s, char *out, size_t size)
{
	static const char units[] = "dhms";
	static const unsigned long long mult[] = { 86400, 3600, 60, 1 };
	size_t n = 0;

	if (s == 0) {
		snprintf(out, size, "0s");
		return;
	}
	out[0] = '\0';
	for (int i = 0; i < 4 && n < size; i++) {
		if (s >= mult[i]) {
			int w = snprintf(out + n, size - n, "%llu%c", s / mult[i], units[i]);

			if (w < 0)
				return;
			n += (size_t)w;
			s %= mult[i];
		}
	}
}

static void fmt_size(unsigned long long b, char *out, size_t size)
{
	static const char units[] = "GMK";
	static const int shift[] = { 30, 20, 10 };

	for (int i = 0; i < 3; i++) {
		if (b && (b & ((1ull << shift[i]) - 1)) == 0) {
			snprintf(out, size, "%llu%c", b >> shift[i], units[i]);
			return;
		}
	}
	snprintf(out, size, "%llu", b);
}

/* ---- the other value types ---- */

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (eq_ci(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (eq_ci(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* Finds v among the '|'-separated words; returns its index or -EINVAL. */
static int enum_index(const char *words, const char *v)
{
	int i = 0;

	for (const char *w = words; *w; i++) {
		size_t len = strcspn(w, "|");

		size_t j = 0;

		while (j < len && v[j] && lower((unsigned char)v[j]) == w[j])
			j++;
		if (len > 0 && j == len && !v[j])
			return i;
		w += len;
		if (*w == '|')
			w++;
	}
	return -EINVAL;
}

static void enum_word(const char *words, unsigned index, char *out, size_t size)
{
	const char *w = words;
	size_t len;

	for (unsigned i = 0; i < index && *w; i++) {
		w += strcspn(w, "|");
		if (*w == '|')
			w++;
	}
	len = strcspn(w, "|");
	snprintf(out, size, "%.*s", (int)len, w);
}

static const char *level_name(enum log_level l)
{
	switch (l) {
	case LOG_LVL_ERR:
		return "err";
	case LOG_LVL_WARN:
		return "warn";
	case LOG_LVL_INFO:
		return "info";
	case LOG_LVL_DEBUG:
		return "debug";
	}
	return "info";
}

/* "auto", or a language tag: 2-3 letters, then -subtags of 1-8 letters or
 * digits (en, pt-BR, zh-Hant-TW). */
static int parse_lang(const char *v)
{
	size_t n = 0;

	if (eq_ci(v, "auto"))
		return 0;
	while (is_alpha((unsigned char)v[n]))
		n++;
	if (n < 2 || n > 3)
		return -EINVAL;
	v += n;
	while (*v == '-') {
		v++;
		n = 0;
		while (is_alpha((unsigned char)v[n]) || is_digit((unsigned char)v[n]))
			n++;
		if (n < 1 || n > 8)
			return -EINVAL;
		v += n;
	}
	return *v ? -EINVAL : 0;
}

static int is_b64(int c)
{
	return is_alpha(c) || is_digit(c) || c == '+' || c == '/';
}

/* sha256//BASE64 of 32 bytes (43 characters and '='), ';'-separated. */
static int parse_pin(const char *v)
{
	for (;;) {
		if (strncmp(v, "sha256//", 8) != 0)
			return -EINVAL;
		v += 8;
		for (int i = 0; i < 43; i++)
			if (!is_b64((unsigned char)v[i]))
				return -EINVAL;
		/* 32 bytes leave the last character's low two bits zero. */
		if (!strchr("AEIMQUYcgkosw048", v[42]) || v[43] != '=')
			return -EINVAL;
		v += 44;
		if (!*v)
			return 0;
		if (*v++ != ';')
			return -EINVAL;
	}
}

static int parse_times(const char *v, struct cfg_schedule *s, char *why, size_t whysz)
{
	s->interval = 0;
	s->n_times = 0;
	for (;;) {
		unsigned long long h, m;
		const char *start;
		unsigned t, i;

		while (*v == ' ' || *v == '\t')
			v++;
		start = v;
		if (read_number(&v, &h) < 0 || v - start > 2 || *v++ != ':')
			return -EINVAL;
		start = v;
		if (read_number(&v, &m) < 0 || v - start != 2 || h > 23 || m > 59)
			return -EINVAL;
		while (*v == ' ' || *v == '\t')
			v++;
		t = (unsigned)(h * 60 + m);
		for (i = 0; i < s->n_times && s->times[i] < t; i++)
			;
		if (i < s->n_times && s->times[i] == t) {
			snprintf(why, whysz, "%02u:%02u is listed twice", t / 60, t % 60);
			return -EEXIST;
		}
		if (s->n_times == CFG_MAX_TIMES) {
			snprintf(why, whysz, "at most %u times of day", CFG_MAX_TIMES);
			return -E2BIG;
		}
		memmove(&s->times[i + 1], &s->times[i], (s->n_times - i) * sizeof(s->times[0]));
		s->times[i] = (unsigned short)t;
		s->n_times++;
		if (!*v)
			return 0;
		if (*v++ != ',')
			return -EINVAL;
	}
}

/* ---- URLs ---- */

/* Which form v has: a CFG_URL_* bit, or 0 for an unknown scheme. */
static unsigned url_form(const char *v)
{
	struct url_parts u;
	int web;

	url_split(v, strlen(v), &u);
	web = url_web_scheme(&u);
	if (!u.scheme.len)
		return CFG_URL_PATH;
	if (web && u.has_authority)
		return web == URL_HTTPS ? CFG_URL_HTTPS : CFG_URL_HTTP;
	if (u.scheme.len == 4 && strncasecmp(u.scheme.p, "file", 4) == 0 && u.has_authority)
		return CFG_URL_FILE;
	if (u.scheme.len == 6 && strncasecmp(u.scheme.p, "mailto", 6) == 0)
		return CFG_URL_MAILTO;
	return 0;
}

static void url_expected(unsigned m, char *why, size_t whysz)
{
	const char *url[3], *alt[3];
	size_t nu = 0, na = 0, n;

	if (m & CFG_URL_HTTPS)
		url[nu++] = "https://";
	if (m & CFG_URL_HTTP)
		url[nu++] = "http://";
	if (m & CFG_URL_FILE)
		url[nu++] = "file:///";
	if (m & CFG_URL_MAILTO)
		alt[na++] = "a mailto: address";
	if (m & CFG_URL_PATH)
		alt[na++] = "a folder path";
	n = (size_t)snprintf(why, whysz, "an");
	for (size_t i = 0; i < nu && n < whysz; i++)
		n += (size_t)snprintf(why + n, whysz - n, "%s%s",
				      i == 0 ? " " : i + 1 == nu ? " or " : ", ", url[i]);
	if (n < whysz)
		n += (size_t)snprintf(why + n, whysz - n, " URL");
	for (size_t i = 0; i < na && n < whysz; i++)
		n += (size_t)snprintf(why + n, whysz - n, " or %s", alt[i]);
}

/* An http(s) URL's authority: a host name or an IPv6 literal, and an
 * optional port, no user info. Returns 0 or a negative errno with why. */
static int check_authority(const struct url_parts *u, char *why, size_t whysz)
{
	const char *h = u->host.p;
	size_t n = u->host.len;
	uint64_t port;

	if (u->has_userinfo) {
		snprintf(why, whysz, "a URL must not carry a user name or password (not "
				     "shown): secrets never go in the config file");
		return -EACCES;
	}
	if (n > 0 && h[0] == '[') {
		if (n < 3 || h[n - 1] != ']')
			goto bad;
		for (size_t i = 1; i + 1 < n; i++)
			if (!is_digit((unsigned char)h[i]) && !strchr("abcdefABCDEF:.", h[i]))
				goto bad;
	} else {
		if (n == 0)
			goto bad;
		for (size_t i = 0; i < n; i++)
			if (!is_alpha((unsigned char)h[i]) && !is_digit((unsigned char)h[i]) &&
			    !strchr("-._", h[i]))
				goto bad;
	}
	if (u->has_port && (dec_parse(u->port.p, u->port.len, 65535, &port) < 0 || port < 1))
		goto bad;
	return 0;
bad:
	snprintf(why, whysz, "expected host[:port] after '://', such as example.org or "
			     "127.0.0.1:8443");
	return -EINVAL;
}

static int is_loopback(const char *url)
{
	char host[CFG_URL_BYTES];

	return url_host(url, host, sizeof(host)) == 0 && url_host_is_loopback(host);
}

static int check_url(const char *v, unsigned form, char *why, size_t whysz)
{
	struct url_parts u;

	for (const char *s = v; *s; s++) {
		if ((unsigned char)*s <= 0x20 || *s == 0x7f) {
			snprintf(why, whysz, "a URL cannot contain spaces or control characters");
			return -EINVAL;
		}
	}
	url_split(v, strlen(v), &u);
	switch (form) {
	case CFG_URL_HTTPS:
	case CFG_URL_HTTP:
		return check_authority(&u, why, whysz);
	case CFG_URL_FILE:
		/* file:///path: no host, and a path after the third '/'. */
		if (u.authority.len || u.path.len == 0 || !u.path.p[1]) {
			snprintf(why, whysz, "expected an absolute path after file://, as in "
					     "file:///srv/feeds/news.xml");
			return -EINVAL;
		}
		return 0;
	default: /* mailto: */
		if (!v[u.scheme.len + 1] || !strchr(v + u.scheme.len + 1, '@')) {
			snprintf(why, whysz, "expected mailto:name@example.org");
			return -EINVAL;
		}
		return 0;
	}
}

/* ---- headers ---- */

static int is_tchar(int c)
{
	return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int parse_header(const char *v, struct cfg_headers *h, char *why, size_t whysz)
{
	/* Set by digestd itself: overriding them would break the push. */
	static const char *const reserved[] = {
		"Host", "Content-Type", "Content-Length", "Content-Encoding", "Transfer-Encoding",
		"Connection", "User-Agent", "Expect", "webhook-id", "webhook-timestamp",
		"webhook-signature",
	};
	static const char *const secretish[] = { "auth", "token", "secret", "password",
						  "cookie", "api-key", "apikey" };
	const char *colon = strchr(v, ':'), *val;
	char name[CFG_HEADER_BYTES];
	size_t nlen;

	if (!colon) {
		snprintf(why, whysz, "expected a header line such as X-Digest-Source: digestd");
		return -EINVAL;
	}
	nlen = (size_t)(colon - v);
	for (size_t i = 0; i < nlen; i++) {
		if (!is_tchar((unsigned char)v[i]))
			nlen = 0;
	}
	if (nlen == 0 || nlen >= sizeof(name)) {
		snprintf(why, whysz, "a header name is one word of letters, digits and "
				     "!#$%%&'*+-.^_`|~, followed by ':'");
		return -EINVAL;
	}
	memcpy(name, v, nlen);
	name[nlen] = '\0';
	if (eq_ci(name, "Authorization")) {
		snprintf(why, whysz, "Authorization (value not shown): put the token in a file "
				     "and set token_file, sent as Authorization: Bearer");
		return -EACCES;
	}
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		if (eq_ci(name, reserved[i])) {
			snprintf(why, whysz, "digestd sets %s itself", reserved[i]);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < sizeof(secretish) / sizeof(secretish[0]); i++) {
		for (const char *s = name; *s; s++) {
			if (has_prefix_ci(s, secretish[i])) {
				snprintf(why, whysz, "%s (value not shown): headers are shown by "
						     "check-config and may be logged, so they cannot "
						     "carry secrets; use token_file", name);
				return -EACCES;
			}
		}
	}
	val = colon + 1;
	while (*val == ' ' || *val == '\t')
		val++;
	if (!*val || *val == ';') {
		snprintf(why, whysz, "the header has no value (a value cannot start with ';')");
		return -EINVAL;
	}
	for (const char *s = val; *s; s++) {
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f) {
			snprintf(why, whysz, "control characters are not allowed in a header");
			return -EINVAL;
		}
	}
	if (h->n == CFG_MAX_HEADERS) {
		snprintf(why, whysz, "at most %u header lines", CFG_MAX_HEADERS);
		return -E2BIG;
	}
	if (nlen + 2 + strlen(val) >= sizeof(h->line[0])) {
		snprintf(why, whysz, "a header line is at most %u bytes", CFG_HEADER_BYTES - 1);
		return -E2BIG;
	}
	memcpy(h->line[h->n], name, nlen);
	memcpy(h->line[h->n] + nlen, ": ", 2);
	memcpy(h->line[h->n] + nlen + 2, val, strlen(val) + 1);
	h->n++;
	return 0;
}

/* ---- setting one value ---- */

/* Does a SECRET key's value look like the secret itself rather than where
 * it is kept? */
static int looks_like_secret(const char *v)
{
	size_t len = strlen(v), plain = 0;

	if (has_prefix_ci(v, "whsec_") || has_prefix_ci(v, "bearer ") || strstr(v, "-----BEGIN"))
		return 1;
	for (const char *s = v; *s; s++)
		plain += is_b64((unsigned char)*s) || *s == '=' || *s == '-' || *s == '_';
	/* Credential names are short words; 32 base64-ish characters and no
	 * path separator is a key pasted in. */
	return len >= 32 && plain == len && !strchr(v, '/');
}

static void *section_base(struct cfg *c, unsigned sec, unsigned src)
{
	switch (sec) {
	case SEC_daemon:
		return &c->daemon;
	case SEC_http:
		return &c->http;
	case SEC_source:
		return &c->sources[src];
	case SEC_digest:
		return &c->digest;
	default:
		return &c->endpoint;
	}
}

/* A PATH value (or a URL key's plain path), resolved into field. */
static int path_value(const char *v, const char *base_dir, char *field, size_t size, char *why,
		      size_t whysz)
{
	size_t len;

	if (!*v || has_control(v)) {
		snprintf(why, whysz, "expected a file path");
		return -EINVAL;
	}
	if (path_join(base_dir, v, field, size) < 0) {
		snprintf(why, whysz, "the path is longer than %zu bytes once resolved", size - 1);
		return -ENAMETOOLONG;
	}
	len = strlen(field);
	if (is_blank((unsigned char)field[len - 1])) {
		snprintf(why, whysz, "a file name cannot end with a space");
		return -EINVAL;
	}
	return 0;
}

/* Parses v for key k into field. Returns 0, or a negative errno with why
 * saying what was expected. */
static int set_value(const struct key *k, void *field, const char *v, const char *base_dir,
		     char *why, size_t whysz)
{
	unsigned long long n = 0;
	char tmp[CFG_PATH_BYTES], lo[32], hi[32];
	int rc, credential;
	unsigned form;

	if (!*v && k->def && !*k->def) {
		if (k->type != T_HEADER)
			((char *)field)[0] = '\0';
		return 0;
	}
	switch (k->type) {
	case T_PATH:
		return path_value(v, base_dir, field, k->size, why, whysz);
	case T_SECRET:
		if (!*v || has_control(v) || !strcmp(v, ".") || !strcmp(v, "..")) {
			snprintf(why, whysz, "expected the path of a file or a systemd credential "
					     "name");
			return -EINVAL;
		}
		if (looks_like_secret(v)) {
			snprintf(why, whysz, "the value looks like the secret itself (not shown); "
					     "secrets never go in the config file: put it in a "
					     "file and give the file's path here");
			return -EACCES;
		}
		if (copy_str(field, k->size, v) < 0 ||
		    secret_resolve(base_dir, v, tmp, sizeof(tmp), &credential) < 0) {
			snprintf(why, whysz, "the path is longer than %zu bytes once resolved",
				 k->size - 1);
			return -ENAMETOOLONG;
		}
		return 0;
	case T_URL:
		form = url_form(v);
		if (!*v || !(form & k->schemes)) {
			url_expected(k->schemes, tmp, sizeof(tmp));
			snprintf(why, whysz, "expected %s", tmp);
			return -EINVAL;
		}
		if (form == CFG_URL_PATH)
			return path_value(v, base_dir, field, k->size, why, whysz);
		rc = check_url(v, form, why, whysz);
		if (rc == 0 && copy_str(field, k->size, v) < 0) {
			snprintf(why, whysz, "longer than %zu bytes", k->size - 1);
			rc = -E2BIG;
		}
		return rc;
	case T_BOOL:
		if (parse_bool(v, field) < 0) {
			snprintf(why, whysz, "expected yes or no (or true/false, on/off, 1/0)");
			return -EINVAL;
		}
		return 0;
	case T_UINT:
		if (parse_uint(v, &n) < 0 || n < k->min || n > k->max) {
			snprintf(why, whysz, "expected a whole number from %llu to %llu", k->min,
				 k->max);
			return -EINVAL;
		}
		*(unsigned *)field = (unsigned)n;
		return 0;
	case T_DURATION:
		if (parse_duration(v, &n) < 0 || n < k->min || n > k->max) {
			fmt_duration(k->min, lo, sizeof(lo));
			fmt_duration(k->max, hi, sizeof(hi));
			snprintf(why, whysz, "expected a duration like 30s, 15m, 2h, 1d or 1h30m, "
					     "from %s to %s", lo, hi);
			return -EINVAL;
		}
		*(unsigned *)field = (unsigned)n;
		return 0;
	case T_SIZE:
		if (parse_size(v, &n) < 0 || n < k->min || n > k->max) {
			fmt_size(k->min, lo, sizeof(lo));
			fmt_size(k->max, hi, sizeof(hi));
			snprintf(why, whysz, "expected a size like 512K, 4M or 1G (powers of 1024) "
					     "or a number of bytes, from %s to %s", lo, hi);
			return -EINVAL;
		}
		*(uint64_t *)field = n;
		return 0;
	case T_SCHEDULE: {
		struct cfg_schedule s;

		memset(&s, 0, sizeof(s));
		why[0] = '\0';
		/* "0700" would be 700 seconds: a unit is required here. */
		if (strchr(v, ':'))
			rc = parse_times(v, &s, why, whysz);
		else if (v[strspn(v, "0123456789")] == '\0' || parse_duration(v, &n) < 0)
			rc = -EINVAL;
		else if (n < k->min || n > k->max) {
			fmt_duration(k->min, lo, sizeof(lo));
			fmt_duration(k->max, hi, sizeof(hi));
			snprintf(why, whysz, "the interval must be from %s to %s", lo, hi);
			rc = -ERANGE;
		} else {
			s.interval = (unsigned)n;
			rc = 0;
		}
		if (rc == -EINVAL)
			snprintf(why, whysz, "expected an interval like 1h or times of day like "
					     "07:00,19:00");
		if (rc == 0)
			memcpy(field, &s, sizeof(s));
		return rc;
	}
	case T_LOGLEVEL:
		if (log_level_parse(v, field) < 0) {
			snprintf(why, whysz, "expected err, warn, info or debug");
			return -EINVAL;
		}
		return 0;
	case T_ENUM:
		rc = enum_index(k->values, v);
		if (rc < 0) {
			char words[128];
			size_t i = 0;

			for (const char *w = k->values; *w && i + 3 < sizeof(words); w++) {
				if (*w == '|') {
					words[i++] = ',';
					words[i++] = ' ';
				} else {
					words[i++] = *w;
				}
			}
			words[i] = '\0';
			snprintf(why, whysz, "expected one of %s", words);
			return -EINVAL;
		}
		*(unsigned *)field = (unsigned)rc;
		return 0;
	case T_LANG:
		if (parse_lang(v) < 0 || copy_str(field, k->size, v) < 0) {
			snprintf(why, whysz, "expected auto or a language code such as en or pt-BR");
			return -EINVAL;
		}
		return 0;
	case T_PIN:
		if (parse_pin(v) < 0) {
			snprintf(why, whysz, "expected sha256// and the base64 SHA-256 of the public "
					     "key (44 characters), several separated by ';'");
			return -EINVAL;
		}
		if (copy_str(field, k->size, v) < 0) {
			snprintf(why, whysz, "longer than %zu bytes", k->size - 1);
			return -E2BIG;
		}
		return 0;
	default: /* T_HEADER */
		return parse_header(v, field, why, whysz);
	}
}

/* ---- defaults ---- */

static void apply_defaults(void *base, unsigned sec, const char *base_dir)
{
	char why[CFG_ERROR_BYTES];

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key *k = &keys[i];

		/* Every default parses: test_cfg checks it key by key. */
		if (k->sec == sec && k->def && *k->def)
			(void)set_value(k, (char *)base + k->offset, k->def, base_dir, why,
					sizeof(why));
	}
}

/* An unset state_dir: systemd's $STATE_DIRECTORY (several paths joined by
 * ':' when the unit lists several; the first is ours), else the FHS place. */
static void default_state_dir(struct cfg_daemon *d)
{
	const char *sd = getenv("STATE_DIRECTORY");
	char first[CFG_PATH_BYTES];
	size_t len = sd ? strcspn(sd, ":") : 0;

	if (sd && sd[0] == '/' && len < sizeof(first)) {
		memcpy(first, sd, len);
		first[len] = '\0';
		if (path_join("/", first, d->state_dir, sizeof(d->state_dir)) == 0)
			return;
	}
	(void)copy_str(d->state_dir, sizeof(d->state_dir), CFG_DEFAULT_STATE_DIR);
}

void cfg_defaults(struct cfg *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->base_dir, CFG_DEFAULT_DIR, sizeof(CFG_DEFAULT_DIR));
	for (unsigned sec = 0; sec < SEC_COUNT; sec++)
		if (sec != SEC_source)
			apply_defaults(section_base(c, sec, 0), sec, c->base_dir);
	default_state_dir(&c->daemon);
}

/* ---- the loader ---- */

static void fail(struct parse *ps, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records one error and goes on: the user gets every mistake in one go.
 * The last of err's lines is kept to say how many did not fit. */
static void fail(struct parse *ps, unsigned line, const char *fmt, ...)
{
	struct cfg_error *err = ps->err;
	char *msg;
	size_t size = sizeof(err->msg[0]);
	va_list ap;
	int n;

	if (!ps->failed)
		ps->failed = -EINVAL;
	ps->errors++;
	if (err->n == CFG_MAX_ERRORS - 1)
		return;
	msg = err->msg[err->n];
	err->line[err->n++] = line;
	if (line)
		n = snprintf(msg, size, "%s:%u: ", ps->name, line);
	else
		n = snprintf(msg, size, "%s: ", ps->name);
	if (n < 0)
		n = 0;
	if ((size_t)n >= size)
		n = (int)size - 1;
	va_start(ap, fmt);
	vsnprintf(msg + n, size - (size_t)n, fmt, ap);
	va_end(ap);
}

/* The line of err that says how many errors were left out, when some were. */
static void count_left_out(struct parse *ps)
{
	struct cfg_error *err = ps->err;

	if (ps->errors <= err->n)
		return;
	err->line[err->n] = 0;
	snprintf(err->msg[err->n], sizeof(err->msg[0]), "%s: %u more errors not shown",
		 ps->name, ps->errors - err->n);
	err->n++;
}

void cfg_log_errors(const struct cfg_error *err)
{
	for (unsigned i = 0; i < err->n; i++)
		log_errx("%s", err->msg[i]);
}

/* The current section had a line that could not be read or set. */
static void damage(struct parse *ps)
{
	if (ps->sec == SEC_source)
		ps->damaged_src[ps->src] = true;
	else if (ps->sec >= 0)
		ps->damaged_sec[ps->sec] = true;
}

static void label(const struct parse *ps, unsigned sec, unsigned src, char *out, size_t size)
{
	if (sec == SEC_source)
		snprintf(out, size, "[source %s]", ps->cfg.sources[src].name);
	else
		snprintf(out, size, "[%s]", sec_names[sec]);
}

static unsigned edit_distance(const char *a, size_t la, const char *b)
{
	enum { MAXLEN = 40 };
	unsigned row[MAXLEN + 1];
	size_t lb = strlen(b);

	if (la > MAXLEN || lb > MAXLEN)
		return UINT_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned prev = row[0];

		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cur = row[j];
			unsigned best = prev + (lower((unsigned char)a[i - 1]) !=
						lower((unsigned char)b[j - 1]));

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* A typo, not another word: one edit for short names, two for longer. */
static int is_close(unsigned d, const char *known)
{
	return d <= (strlen(known) <= 4 ? 1u : 2u);
}

static const struct key *key_named(unsigned sec, const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].sec == sec && !strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static void source_defaults(struct cfg_source *s, const char *base_dir)
{
	memset(s, 0, sizeof(*s));
	apply_defaults(s, SEC_source, base_dir);
}

static int valid_source_name(const char *s, size_t len)
{
	if (len == 0 || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!is_alpha((unsigned char)s[i]) && !is_digit((unsigned char)s[i]) &&
		    !strchr("._-", s[i]))
			return 0;
	return 1;
}

static int enter_source(struct parse *ps, const char *name, size_t len)
{
	struct cfg *c = &ps->cfg;
	char q[80];

	quote(q, sizeof(q), name, len);
	if (len == 0) {
		fail(ps, ps->line, "a source section needs a name: [source NAME]");
		return -EINVAL;
	}
	if (!valid_source_name(name, len)) {
		fail(ps, ps->line, "source name '%s' may use only letters, digits, '.', '_' "
				   "and '-' (not first)", q);
		return -EINVAL;
	}
	if (len >= CFG_SOURCE_NAME_BYTES) {
		fail(ps, ps->line, "source name '%s' is longer than %u bytes", q,
		     CFG_SOURCE_NAME_BYTES - 1);
		return -EINVAL;
	}
	for (unsigned i = 0; i < c->n_sources; i++) {
		if (strlen(c->sources[i].name) == len && !memcmp(c->sources[i].name, name, len)) {
			fail(ps, ps->line, "[source %s] is defined twice (first at line %u)", q,
			     ps->src_line[i]);
			return -EINVAL;
		}
	}
	if (c->n_sources == CFG_MAX_SOURCES) {
		fail(ps, ps->line, "too many sources: at most %u [source NAME] sections",
		     CFG_MAX_SOURCES);
		return -EINVAL;
	}
	ps->src = c->n_sources++;
	source_defaults(&c->sources[ps->src], c->base_dir);
	memcpy(c->sources[ps->src].name, name, len);
	ps->src_line[ps->src] = ps->line;
	ps->sec = SEC_source;
	return 0;
}

/* Follows a section header. Returns 0, or -EINVAL for a refused one. */
static int enter_section(struct parse *ps, const char *name, size_t len)
{
	unsigned best = UINT_MAX, best_sec = 0;
	size_t word = 0;
	char q[80], rest[80];

	for (unsigned sec = 0; sec < SEC_COUNT; sec++) {
		if (sec == SEC_source || strlen(sec_names[sec]) != len ||
		    memcmp(sec_names[sec], name, len))
			continue;
		if (ps->sec_line[sec]) {
			fail(ps, ps->line, "[%s] appears twice (first at line %u)", sec_names[sec],
			     ps->sec_line[sec]);
			return -EINVAL;
		}
		ps->sec_line[sec] = ps->line;
		ps->sec = (int)sec;
		if (sec == SEC_endpoint)
			ps->cfg.has_endpoint = true;
		return 0;
	}
	if (len >= 6 && !memcmp(name, "source", 6) && (len == 6 || is_blank(name[6]))) {
		size_t skip = 6;

		while (skip < len && is_blank(name[skip]))
			skip++;
		return enter_source(ps, name + skip, len - skip);
	}
	while (word < len && !is_blank(name[word]))
		word++;
	for (unsigned sec = 0; sec < SEC_COUNT; sec++) {
		unsigned d = edit_distance(name, word, sec_names[sec]);

		if (d < best) {
			best = d;
			best_sec = sec;
		}
	}
	quote(q, sizeof(q), name, len);
	quote(rest, sizeof(rest), name + word, len - word);
	if (is_close(best, sec_names[best_sec]) && best_sec == SEC_source)
		fail(ps, ps->line, "unknown section [%s]; did you mean [source%s]?", q,
		     word < len ? rest : " NAME");
	else if (is_close(best, sec_names[best_sec]))
		fail(ps, ps->line, "unknown section [%s]; did you mean [%s]?", q,
		     sec_names[best_sec]);
	else
		fail(ps, ps->line, "unknown section [%s]; sections are [daemon], [http], "
				   "[source NAME], [digest] and [endpoint]", q);
	return -EINVAL;
}

/* inih's rule for where a value or section name ends: at one of chars, or
 * at a ';' that follows whitespace (an inline comment). */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
	int was_space = 0;

	while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
		was_space = is_blank((unsigned char)*s);
		s++;
	}
	return s;
}

/* Follows a section header line. Returns 0, or -EINVAL for a refused one,
 * whose keys are then skipped. */
static int header_line(struct parse *ps, const char *s)
{
	const char *end, *rest, *name = s + 1;
	size_t len;

	end = find_chars_or_comment(name, "]");
	if (*end != ']') {
		fail(ps, ps->line, "a section header needs a closing ']'");
		goto refused;
	}
	for (rest = end + 1; is_blank((unsigned char)*rest); rest++)
		;
	if (*rest && *rest != ';' && *rest != '#') {
		fail(ps, ps->line, "unexpected text after ']'");
		goto refused;
	}
	while (name < end && is_blank((unsigned char)*name))
		name++;
	len = (size_t)(end - name);
	while (len > 0 && is_blank((unsigned char)name[len - 1]))
		len--;
	if (enter_section(ps, name, len) == 0)
		return 0;
refused:
	ps->sec = SEC_SKIP;
	ps->refused_section = true;
	return -EINVAL;
}

/* Checks the syntax of one line (leading blanks already gone) the way inih
 * will read it, and follows section headers. Returns 0 or -EINVAL. */
static int classify_line(struct parse *ps, const char *s)
{
	const char *end;
	size_t len;
	char q[80];

	if (!*s || *s == ';' || *s == '#')
		return 0;
	if (*s == '[')
		return header_line(ps, s);
	end = find_chars_or_comment(s, "=:");
	if (*end != '=' && *end != ':') {
		fail(ps, ps->line, "expected 'key = value', a [section] or a comment");
		return -EINVAL;
	}
	len = (size_t)(end - s);
	while (len > 0 && is_blank((unsigned char)s[len - 1]))
		len--;
	quote(q, sizeof(q), s, len);
	if (len == 0) {
		fail(ps, ps->line, "expected 'key = value': the key is missing");
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (is_blank((unsigned char)s[i])) {
			fail(ps, ps->line, "'%s' is not a key name; is '=' missing?", q);
			return -EINVAL;
		}
	}
	return 0;
}

static int next_byte(struct parse *ps)
{
	int c;

	if (!ps->f)
		return ps->p < ps->end ? (unsigned char)*ps->p++ : -1;
	c = getc(ps->f);
	if (c == EOF)
		return ferror(ps->f) ? -2 : -1;
	return c;
}

/* inih's reader: hands over one whole physical line at a time, so that the
 * line count is exact and a long line is refused instead of split. Leading
 * blanks are dropped: an indented key then stays a key instead of becoming
 * a continuation of the previous value (inih's multi-line mode). A line
 * that is refused goes to inih empty, so that reading goes on; only a file
 * that cannot be read (or is too large) stops it. */
static char *read_line(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	size_t cap = num > 1 ? (size_t)num - 1 : 0, n = 0, skip = 0;
	int c, any = 0, nul = 0, too_long = 0;

	if (ps->stop)
		return NULL;
	ps->line++;
	for (;;) {
		c = next_byte(ps);
		if (c < 0)
			break;
		any = 1;
		if (++ps->total > CFG_FILE_BYTES) {
			fail(ps, 0, "larger than %u KiB; is this the right file?",
			     CFG_FILE_BYTES / 1024);
			ps->stop = true;
			return NULL;
		}
		if (c == '\n')
			break;
		if (c == '\0')
			nul = 1;
		else if (n == cap)
			too_long = 1;
		else
			str[n++] = (char)c;
	}
	if (c == -2) {
		int e = errno ? errno : EIO;

		fail(ps, 0, "cannot read: %s", strerror(e));
		ps->failed = -e;
		ps->stop = true;
		return NULL;
	}
	if (!any) {
		ps->line--;
		return NULL;
	}
	str[n] = '\0';
	if (nul)
		fail(ps, ps->line, "NUL byte in the line; is this a text file?");
	else if (too_long)
		fail(ps, ps->line, "line longer than %zu bytes", cap);
	if (nul || too_long) {
		damage(ps);
		str[0] = '\0';
		return str;
	}
	if (ps->line == 1 && n >= 3 && !memcmp(str, "\xef\xbb\xbf", 3))
		skip = 3;
	while (skip < n && is_blank((unsigned char)str[skip]))
		skip++;
	memmove(str, str + skip, n - skip + 1);
	if (classify_line(ps, str) < 0) {
		damage(ps);
		str[0] = '\0';
	}
	return str;
}

static void unknown_key(struct parse *ps, const char *name, const char *where)
{
	static const char *const secret_words[] = { "token", "password", "passwd", "secret",
						    "bearer", "apikey", "api_key", "credential" };
	static const char *const secret_keys[] = { "key", "auth", "authorization",
						   "signing_key", "private_key" };
	const struct key *best = NULL;
	char others[64] = "";
	size_t no = 0;
	unsigned best_d = UINT_MAX;
	size_t len = strlen(name);
	char q[80], file_key[64];
	int secret = 0;

	quote(q, sizeof(q), name, len);
	for (size_t i = 0; i < N_KEYS; i++) {
		unsigned d;

		if (keys[i].sec != (unsigned)ps->sec) {
			if (!strcmp(keys[i].name, name) && no < sizeof(others))
				no += (size_t)snprintf(others + no, sizeof(others) - no, "%s[%s%s]",
						       no ? " or " : "", keys[i].section,
						       keys[i].sec == SEC_source ? " NAME" : "");
			continue;
		}
		d = edit_distance(name, len, keys[i].name);
		if (d < best_d) {
			best_d = d;
			best = &keys[i];
		}
	}
	if (best && is_close(best_d, best->name)) {
		fail(ps, ps->line, "unknown key '%s' in %s; did you mean '%s'?", q, where,
		     best->name);
		return;
	}
	for (size_t i = 0; i < sizeof(secret_words) / sizeof(secret_words[0]); i++)
		for (const char *s = name; *s && !secret; s++)
			secret = has_prefix_ci(s, secret_words[i]);
	for (size_t i = 0; i < sizeof(secret_keys) / sizeof(secret_keys[0]); i++)
		secret |= eq_ci(name, secret_keys[i]);
	if (secret) {
		snprintf(file_key, sizeof(file_key), "%s_file", name);
		if (!key_named(SEC_endpoint, file_key))
			snprintf(file_key, sizeof(file_key), "token_file");
		fail(ps, ps->line, "%s %s: secrets never go in the config file; put it in a file "
				   "and set [endpoint] %s to the file's path (or a systemd "
				   "credential name)", where, q, file_key);
		return;
	}
	if (no) {
		fail(ps, ps->line, "unknown key '%s' in %s; it belongs in %s", q, where, others);
		return;
	}
	fail(ps, ps->line, "unknown key '%s' in %s", q, where);
}

/* inih's handler. The section argument is ignored: read_line tracks
 * sections itself, since inih cuts long names and never reports a section
 * without keys. Always returns 1: errors are ours to report, every one. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct parse *ps = user;
	const struct key *k;
	unsigned slot, *seen;
	char where[CFG_SOURCE_NAME_BYTES + 16], why[CFG_ERROR_BYTES], q[80];
	char *field;
	int rc;

	(void)section;
	if (ps->sec == SEC_SKIP)
		return 1;
	if (ps->sec == SEC_NONE) {
		quote(q, sizeof(q), name, strlen(name));
		fail(ps, ps->line, "key '%s' comes before any [section]", q);
		return 1;
	}
	label(ps, (unsigned)ps->sec, ps->src, where, sizeof(where));
	k = key_named((unsigned)ps->sec, name);
	if (!k) {
		unknown_key(ps, name, where);
		damage(ps);
		return 1;
	}
	slot = k->sec == SEC_source ? 1 + ps->src : 0;
	seen = &ps->key_line[slot][k - keys];
	if (*seen && k->type != T_HEADER) {
		fail(ps, ps->line, "%s %s is set twice (first at line %u)", where, k->name, *seen);
		return 1;
	}
	*seen = ps->line;
	/* inih reads "key =;x" as ";x" but "key = ;x" as a comment: such a
	 * value could not be written back, and is a slip anyway. */
	if (value[0] == ';') {
		fail(ps, ps->line, "%s %s: a value cannot start with ';' (a comment needs a "
				   "space before it)", where, k->name);
		ps->bad[slot][k - keys] = true;
		return 1;
	}
	why[0] = '\0';
	field = (char *)section_base(&ps->cfg, k->sec, ps->src) + k->offset;
	memcpy(&ps->undo, field, k->size);
	rc = set_value(k, field, value, ps->cfg.base_dir, why, sizeof(why));
	if (rc == 0)
		return 1;
	memcpy(field, &ps->undo, k->size);
	ps->bad[slot][k - keys] = true;
	quote(q, sizeof(q), value, strlen(value));
	/* -EACCES: the value may carry a secret, so it is not repeated. */
	if (rc == -EACCES)
		fail(ps, ps->line, "%s %s: %s", where, k->name, why);
	else
		fail(ps, ps->line, "%s %s = '%s': %s", where, k->name, q, why);
	return 1;
}

/* ---- checks that involve more than one key ---- */

static unsigned line_of(const struct parse *ps, unsigned sec, unsigned src, const char *name)
{
	const struct key *k = key_named(sec, name);

	return ps->key_line[sec == SEC_source ? 1 + src : 0][k - keys];
}

/* Was the key's value refused? Its field then holds the default. */
static bool is_bad(const struct parse *ps, unsigned sec, unsigned src, const char *name)
{
	const struct key *k = key_named(sec, name);

	return ps->bad[sec == SEC_source ? 1 + src : 0][k - keys];
}

static void check_required(struct parse *ps, unsigned sec, unsigned src, unsigned header_line)
{
	char where[CFG_SOURCE_NAME_BYTES + 16];

	if (sec == SEC_source ? ps->damaged_src[src] : ps->damaged_sec[sec])
		return;
	for (size_t i = 0; i < N_KEYS; i++) {
		if (keys[i].sec != sec || keys[i].def)
			continue;
		if (!line_of(ps, sec, src, keys[i].name)) {
			label(ps, sec, src, where, sizeof(where));
			fail(ps, header_line, "%s has no %s (required)", where, keys[i].name);
		}
	}
}

/* a <= b for two DURATION keys of one section, reported at the later line. */
static void check_order(struct parse *ps, unsigned sec, const char *a, const char *b)
{
	const char *base = section_base(&ps->cfg, sec, 0);
	unsigned va = *(const unsigned *)(base + key_named(sec, a)->offset);
	unsigned vb = *(const unsigned *)(base + key_named(sec, b)->offset);
	unsigned la = line_of(ps, sec, 0, a), lb = line_of(ps, sec, 0, b);
	char sa[32], sb[32];

	if (va <= vb || is_bad(ps, sec, 0, a) || is_bad(ps, sec, 0, b))
		return;
	fmt_duration(va, sa, sizeof(sa));
	fmt_duration(vb, sb, sizeof(sb));
	fail(ps, la > lb ? la : lb, "[%s] %s (%s) is longer than %s (%s)", sec_names[sec], a, sa,
	     b, sb);
}

static void finish_source(struct parse *ps, unsigned i)
{
	struct cfg_source *s = &ps->cfg.sources[i];
	unsigned form = url_form(s->url);
	char type[16];

	/* Without a usable url there is no type to check it against. */
	if (!line_of(ps, SEC_source, i, "url") || is_bad(ps, SEC_source, i, "url"))
		return;
	if (s->type == CFG_SOURCE_AUTO)
		s->type = form == CFG_URL_PATH ? CFG_SOURCE_FOLDER : CFG_SOURCE_FEED;
	if (is_bad(ps, SEC_source, i, "type"))
		return;
	if (s->type == CFG_SOURCE_FOLDER && (form == CFG_URL_HTTPS || form == CFG_URL_HTTP))
		fail(ps, line_of(ps, SEC_source, i, "type"),
		     "[source %s] type = folder needs a folder path, not an http(s) URL", s->name);
	if (s->fetch_pages && s->type != CFG_SOURCE_FEED) {
		enum_word(key_named(SEC_source, "type")->values, s->type, type, sizeof(type));
		fail(ps, line_of(ps, SEC_source, i, "fetch_pages"),
		     "[source %s] fetch_pages = yes applies to feeds only, and the type is %s",
		     s->name, type);
	}
}

/* The endpoint rules: checked here, once, for `run`, check-config and a
 * reload alike; the push client trusts them. */
static void finish_endpoint(struct parse *ps)
{
	const struct cfg_endpoint *e = &ps->cfg.endpoint;
	unsigned url_line = line_of(ps, SEC_endpoint, 0, "url");
	bool http = url_line && !is_bad(ps, SEC_endpoint, 0, "url") &&
		    url_form(e->url) == CFG_URL_HTTP;
	char q[80];

	quote(q, sizeof(q), e->url, strlen(e->url));
	if (http && !is_loopback(e->url))
		fail(ps, url_line, "[endpoint] url = '%s': plain http:// is allowed only to a "
				   "loopback address (localhost, 127.0.0.1, [::1]); use https://",
		     q);
	else if (http && !e->allow_insecure && !is_bad(ps, SEC_endpoint, 0, "allow_insecure"))
		fail(ps, url_line, "[endpoint] url = '%s': plain http:// needs allow_insecure = yes",
		     q);
	if (!e->client_cert[0] != !e->client_key[0] && !is_bad(ps, SEC_endpoint, 0, "client_cert") &&
	    !is_bad(ps, SEC_endpoint, 0, "client_key"))
		fail(ps,
		     e->client_cert[0] ? line_of(ps, SEC_endpoint, 0, "client_cert")
				       : line_of(ps, SEC_endpoint, 0, "client_key"),
		     "[endpoint] client_cert and client_key go together (mutual TLS)");
	check_order(ps, SEC_endpoint, "retry_base", "retry_max");
}

/* CFG_RUN: what `digestd run` needs besides a valid file. Secret files are
 * opened to prove they can be, and closed unread. */
static void finish_run(struct parse *ps)
{
	const struct cfg_endpoint *e = &ps->cfg.endpoint;
	char path[CFG_PATH_BYTES + 64], why[CFG_ERROR_BYTES];

	/* A refused section header may have been the missing one. */
	if (!ps->refused_section && !ps->cfg.n_sources)
		fail(ps, 0, "no [source NAME] section: digestd run needs at least one source");
	if (!ps->refused_section && !ps->cfg.has_endpoint)
		fail(ps, 0, "no [endpoint] section: digestd run needs somewhere to push digests");
	if (!ps->cfg.has_endpoint)
		return;
	for (size_t i = 0; i < N_KEYS; i++) {
		const char *value = (const char *)e + keys[i].offset;
		int fd;

		if (keys[i].sec != SEC_endpoint || keys[i].type != T_SECRET || !*value ||
		    ps->bad[0][i])
			continue;
		fd = cfg_secret_open(&ps->cfg, value, path, sizeof(path), why, sizeof(why));
		if (fd < 0)
			fail(ps, ps->key_line[0][i], "[endpoint] %s: %s: %s", keys[i].name, path, why);
		else
			close(fd);
	}
}

static void finish(struct parse *ps)
{
	if (!ps->cfg.daemon.state_dir[0])
		default_state_dir(&ps->cfg.daemon);
	for (unsigned sec = 0; sec < SEC_COUNT; sec++)
		if (sec != SEC_source && ps->sec_line[sec])
			check_required(ps, sec, 0, ps->sec_line[sec]);
	for (unsigned i = 0; i < ps->cfg.n_sources; i++) {
		check_required(ps, SEC_source, i, ps->src_line[i]);
		finish_source(ps, i);
	}
	check_order(ps, SEC_http, "connect_timeout", "timeout");
	check_order(ps, SEC_http, "backoff_base", "backoff_max");
	if (ps->cfg.has_endpoint)
		finish_endpoint(ps);
	if (ps->flags & CFG_RUN)
		finish_run(ps);
}

static int load(FILE *f, const char *buf, size_t len, const char *name, const char *base_dir,
		unsigned flags, struct cfg *out, struct cfg_error *err)
{
	struct parse *ps = &scratch;
	int rc;

	memset(ps, 0, sizeof(*ps));
	err->n = 0;
	ps->name = name;
	ps->flags = flags;
	ps->err = err;
	ps->f = f;
	ps->p = buf;
	ps->end = buf ? buf + len : NULL;
	ps->sec = SEC_NONE;
	cfg_defaults(&ps->cfg);
	if (path_join("/", base_dir, ps->cfg.base_dir, sizeof(ps->cfg.base_dir)) < 0) {
		fail(ps, 0, "the config file's folder has a path longer than %u bytes",
		     CFG_PATH_BYTES - 1);
		return ps->failed;
	}
	/* Debian's inih sizes its stack line buffer from ini_max_line at run
	 * time (default 200): feed URLs need more. read_line never writes past
	 * the size inih passes it, whatever this is. */
	ini_max_line = (int)CFG_LINE_BYTES;
	rc = ini_parse_stream(read_line, ps, on_key, ps);
	if (rc != 0)
		fail(ps, rc > 0 ? (unsigned)rc : 0, "cannot parse this line");
	/* The checks across keys need the whole file. */
	if (rc == 0 && !ps->stop)
		finish(ps);
	count_left_out(ps);
	if (ps->failed)
		return ps->failed;
	memcpy(out, &ps->cfg, sizeof(*out));
	return 0;
}

int cfg_load_buffer(const char *buf, size_t len, const char *name, const char *base_dir,
		    unsigned flags, struct cfg *out, struct cfg_error *err)
{
	return load(NULL, buf, len, name, base_dir, flags, out, err);
}

int cfg_load(const char *path, unsigned flags, struct cfg *out, struct cfg_error *err)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	FILE *f;
	int rc;

	err->n = 1;
	err->line[0] = 0;
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		snprintf(err->msg[0], sizeof(err->msg[0]), "%s: cannot read: %s", path,
			 strerror(-rc));
		return rc;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (!realpath(dir, real)) {
		rc = -errno;
		snprintf(err->msg[0], sizeof(err->msg[0]), "%s: cannot resolve its folder: %s",
			 path, strerror(-rc));
		goto out;
	}
	rc = load(f, NULL, 0, path, real, flags, out, err);
out:
	fclose(f);
	return rc;
}

/* ---- printing ---- */

static void format_value(const struct key *k, const void *field, char *out, size_t size)
{
	const struct cfg_schedule *s;
	size_t n;

	switch (k->type) {
	case T_BOOL:
		snprintf(out, size, "%s", *(const bool *)field ? "yes" : "no");
		break;
	case T_UINT:
		snprintf(out, size, "%u", *(const unsigned *)field);
		break;
	case T_DURATION:
		fmt_duration(*(const unsigned *)field, out, size);
		break;
	case T_SIZE:
		fmt_size(*(const uint64_t *)field, out, size);
		break;
	case T_SCHEDULE:
		s = field;
		if (!s->n_times) {
			fmt_duration(s->interval, out, size);
			break;
		}
		out[0] = '\0';
		n = 0;
		for (unsigned i = 0; i < s->n_times && n < size; i++)
			n += (size_t)snprintf(out + n, size - n, "%s%02u:%02u", i ? "," : "",
					      s->times[i] / 60u, s->times[i] % 60u);
		break;
	case T_LOGLEVEL:
		snprintf(out, size, "%s", level_name(*(const enum log_level *)field));
		break;
	case T_ENUM:
		enum_word(k->values, *(const unsigned *)field, out, size);
		break;
	default: /* the string types */
		snprintf(out, size, "%s", (const char *)field);
		break;
	}
}

static void dump_line(FILE *f, const char *prefix, const char *name, const char *value)
{
	fprintf(f, "%s%s =%s%s", prefix, name, *value ? " " : "", value);
}

static void dump_section(const struct cfg *c, FILE *f, unsigned sec, const void *base,
			 const char *prefix)
{
	char value[CFG_URL_BYTES + 64], path[CFG_PATH_BYTES];

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key *k = &keys[i];
		const void *field = (const char *)base + k->offset;

		if (k->sec != sec)
			continue;
		if (k->type == T_HEADER) {
			const struct cfg_headers *h = field;

			if (!h->n)
				fprintf(f, "%s%s =\n", prefix, k->name);
			for (unsigned j = 0; j < h->n; j++)
				fprintf(f, "%s%s = %s\n", prefix, k->name, h->line[j]);
			continue;
		}
		format_value(k, field, value, sizeof(value));
		dump_line(f, prefix, k->name, value);
		if (k->type == T_SECRET && *value) {
			int credential;

			if (secret_resolve(c->base_dir, value, path, sizeof(path), &credential) < 0)
				fputs(" ; path too long", f);
			else
				fprintf(f, " ; read from %s%s", path,
					credential ? " (systemd credential)" : "");
		}
		fputc('\n', f);
	}
}

void cfg_dump(const struct cfg *c, FILE *f)
{
	struct cfg_source defaults;

	fputs("[daemon]\n", f);
	dump_section(c, f, SEC_daemon, &c->daemon, "");
	fputs("\n[http]\n", f);
	dump_section(c, f, SEC_http, &c->http, "");
	if (!c->n_sources) {
		fputs("\n; no [source NAME] section; a source's defaults are:\n", f);
		source_defaults(&defaults, c->base_dir);
		dump_section(c, f, SEC_source, &defaults, "; ");
	}
	for (unsigned i = 0; i < c->n_sources; i++) {
		fprintf(f, "\n[source %s]\n", c->sources[i].name);
		dump_section(c, f, SEC_source, &c->sources[i], "");
	}
	fputs("\n[digest]\n", f);
	dump_section(c, f, SEC_digest, &c->digest, "");
	if (c->has_endpoint) {
		fputs("\n[endpoint]\n", f);
		dump_section(c, f, SEC_endpoint, &c->endpoint, "");
	} else {
		fputs("\n; no [endpoint] section: digests are not pushed; its defaults are:\n", f);
		dump_section(c, f, SEC_endpoint, &c->endpoint, "; ");
	}
}

static void describe_type(const struct key *k, char *type, size_t tsz, char *range, size_t rsz)
{
	char lo[32], hi[32];
	size_t n = 0;

	range[0] = '\0';
	switch (k->type) {
	case T_PATH:
		snprintf(type, tsz, "path");
		break;
	case T_SECRET:
		snprintf(type, tsz, "secret file");
		snprintf(range, rsz, "path, or credential name");
		break;
	case T_URL:
		snprintf(type, tsz, "URL");
		url_expected(k->schemes, range, rsz);
		break;
	case T_BOOL:
		snprintf(type, tsz, "yes/no");
		break;
	case T_UINT:
		snprintf(type, tsz, "number");
		snprintf(range, rsz, "%llu to %llu", k->min, k->max);
		break;
	case T_DURATION:
	case T_SCHEDULE:
		fmt_duration(k->min, lo, sizeof(lo));
		fmt_duration(k->max, hi, sizeof(hi));
		snprintf(type, tsz, k->type == T_DURATION ? "duration" : "schedule");
		snprintf(range, rsz, k->type == T_DURATION ? "%s to %s"
							   : "%s to %s, or up to 24 times HH:MM",
			 lo, hi);
		break;
	case T_SIZE:
		fmt_size(k->min, lo, sizeof(lo));
		fmt_size(k->max, hi, sizeof(hi));
		snprintf(type, tsz, "size");
		snprintf(range, rsz, "%s to %s", lo, hi);
		break;
	case T_LOGLEVEL:
		snprintf(type, tsz, "log level");
		snprintf(range, rsz, "err, warn, info, debug");
		break;
	case T_ENUM:
		snprintf(type, tsz, "word");
		for (const char *w = k->values; *w && n + 3 < rsz; w++) {
			if (*w == '|') {
				range[n++] = ',';
				range[n++] = ' ';
			} else {
				range[n++] = *w;
			}
		}
		range[n] = '\0';
		break;
	case T_LANG:
		snprintf(type, tsz, "language");
		snprintf(range, rsz, "auto or a code");
		break;
	case T_PIN:
		snprintf(type, tsz, "key pins");
		snprintf(range, rsz, "sha256//BASE64, ';'-separated");
		break;
	default: /* T_HEADER */
		snprintf(type, tsz, "header");
		snprintf(range, rsz, "Name: value, repeatable, at most %u", CFG_MAX_HEADERS);
		break;
	}
}

void cfg_dump_keys(FILE *f)
{
	char type[32], range[160], def[64];

	for (unsigned sec = 0; sec < SEC_COUNT; sec++) {
		fprintf(f, "%s### [%s%s]\n\n", sec ? "\n" : "", sec_names[sec],
			sec == SEC_source ? " NAME" : "");
		fputs("| Key | Type | Default | Allowed | Meaning |\n", f);
		fputs("| --- | --- | --- | --- | --- |\n", f);
		for (size_t i = 0; i < N_KEYS; i++) {
			const struct key *k = &keys[i];

			if (k->sec != sec)
				continue;
			describe_type(k, type, sizeof(type), range, sizeof(range));
			if (!k->def)
				snprintf(def, sizeof(def), "required");
			else if (!*k->def)
				snprintf(def, sizeof(def), "unset");
			else
				snprintf(def, sizeof(def), "`%s`", k->def);
			fprintf(f, "| `%s` | %s | %s | %s | %s |\n", k->name, type, def, range,
				k->doc);
		}
	}
}
