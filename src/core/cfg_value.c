/* SPDX-License-Identifier: MIT */
/* One configuration value at a time: parsing each type cfg.h lists (paths,
 * URLs, sizes, durations, schedules, pins, headers, ...) into its field with
 * a message saying what was expected, and writing a field back as text. */
#include "cfg_value.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dec.h"
#include "core/url.h"
#include "core/rules.h"
#include "core/utf8.h"

#define NUM_CAP 1000000000000000ull /* far above any limit; keeps sums exact */

int cfg_has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Copies s for a message: control bytes escaped, long text cut with "...". */
void cfg_quote(char *out, size_t size, const char *s, size_t len)
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

void cfg_quote_url(char *out, size_t size, const char *url)
{
	char shown[CFG_URL_BYTES + 8];

	url_redact(url, shown, sizeof(shown));
	cfg_quote(out, size, shown, strlen(shown));
}

int cfg_copy_str(char *out, size_t size, const char *s)
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
int cfg_path_join(const char *base, const char *rel, char *out, size_t size)
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

int cfg_secret_resolve(const char *base_dir, const char *value, char *out, size_t size,
		       int *credential)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");

	*credential = 0;
	if (!*value)
		return -EINVAL;
	if (!strchr(value, '/') && creds && *creds) {
		*credential = 1;
		return cfg_path_join(creds, value, out, size);
	}
	return cfg_path_join(base_dir, value, out, size);
}

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
	switch (utf8_ascii_lower(*v)) {
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

void cfg_fmt_duration(unsigned long long s, char *out, size_t size)
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

void cfg_fmt_size(unsigned long long b, char *out, size_t size)
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

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
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

		while (j < len && v[j] && utf8_ascii_lower(v[j]) == w[j])
			j++;
		if (len > 0 && j == len && !v[j])
			return i;
		w += len;
		if (*w == '|')
			w++;
	}
	return -EINVAL;
}

void cfg_enum_word(const char *words, unsigned index, char *out, size_t size)
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

void cfg_enum_list(const char *words, char *out, size_t size)
{
	size_t n = 0;

	for (const char *w = words; *w && n + 3 < size; w++) {
		if (*w == '|') {
			out[n++] = ',';
			out[n++] = ' ';
		} else {
			out[n++] = *w;
		}
	}
	out[n] = '\0';
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

	if (strcasecmp(v, "auto") == 0)
		return 0;
	while (utf8_ascii_alpha((unsigned char)v[n]))
		n++;
	if (n < 2 || n > 3)
		return -EINVAL;
	v += n;
	while (*v == '-') {
		v++;
		n = 0;
		while (utf8_ascii_alpha((unsigned char)v[n]) || utf8_is_digit((unsigned char)v[n]))
			n++;
		if (n < 1 || n > 8)
			return -EINVAL;
		v += n;
	}
	return *v ? -EINVAL : 0;
}

static int is_b64(int c)
{
	return utf8_ascii_alpha(c) || utf8_is_digit(c) || c == '+' || c == '/';
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

/* Which form v has: a CFG_URL_* bit, or 0 for an unknown scheme. */
unsigned cfg_url_form(const char *v)
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
	if (u.scheme.len == 5 && strncasecmp(u.scheme.p, "smtps", 5) == 0 && u.has_authority)
		return CFG_URL_SMTPS;
	if (u.scheme.len == 4 && strncasecmp(u.scheme.p, "smtp", 4) == 0 && u.has_authority)
		return CFG_URL_SMTP;
	return 0;
}

void cfg_url_expected(unsigned m, char *why, size_t whysz)
{
	const char *url[5], *alt[3];
	size_t nu = 0, na = 0, n;

	if (m & CFG_URL_HTTPS)
		url[nu++] = "https://";
	if (m & CFG_URL_HTTP)
		url[nu++] = "http://";
	if (m & CFG_URL_FILE)
		url[nu++] = "file:///";
	if (m & CFG_URL_SMTPS)
		url[nu++] = "smtps://";
	if (m & CFG_URL_SMTP)
		url[nu++] = "smtp://";
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
			if (!utf8_is_digit((unsigned char)h[i]) && !strchr("abcdefABCDEF:.", h[i]))
				goto bad;
	} else {
		if (n == 0)
			goto bad;
		for (size_t i = 0; i < n; i++)
			if (!utf8_ascii_alpha((unsigned char)h[i]) &&
			    !utf8_is_digit((unsigned char)h[i]) && !strchr("-._", h[i]))
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
	case CFG_URL_SMTPS:
	case CFG_URL_SMTP:
		/* libcurl would take a path as the EHLO name: a slip here. */
		if (u.path.len > 1 || u.has_query || u.has_fragment) {
			snprintf(why, whysz, "expected smtps://host[:port] or smtp://host[:port], "
					     "nothing after the port");
			return -EINVAL;
		}
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

static int is_tchar(int c)
{
	return utf8_ascii_alpha(c) || utf8_is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
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
	if (strcasecmp(name, "Authorization") == 0) {
		snprintf(why, whysz, "Authorization (value not shown): put the token in a file "
				     "and set token_file, sent as Authorization: Bearer");
		return -EACCES;
	}
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		if (strcasecmp(name, reserved[i]) == 0) {
			snprintf(why, whysz, "digestd sets %s itself", reserved[i]);
			return -EINVAL;
		}
	}
	for (size_t i = 0; i < sizeof(secretish) / sizeof(secretish[0]); i++) {
		for (const char *s = name; *s; s++) {
			if (strncasecmp(s, secretish[i], strlen(secretish[i])) == 0) {
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

/* TEXT: valid UTF-8 with no control character, as a header or a title
 * will carry it. Returns 0 or -EINVAL. */
static int check_text(const char *v)
{
	const unsigned char *p = (const unsigned char *)v, *end = p + strlen(v);
	uint32_t cp;

	while (p < end) {
		size_t n = utf8_decode(p, end, &cp);

		if ((cp == UTF8_REPLACEMENT && n == 1) || cp < 0x20 || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0))
			return -EINVAL;
		p += n;
	}
	return 0;
}

static int is_atext(int c)
{
	return utf8_ascii_alpha(c) || utf8_is_digit(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* An RFC 5321 address, local@domain: a dot-atom local part and a domain of
 * letter-digit-hyphen labels, ASCII only (no SMTPUTF8). */
static int check_addr_spec(const char *p, size_t len)
{
	const char *at = memchr(p, '@', len);
	size_t local, label = 0;

	if (!at || at == p || (size_t)(at - p) > 64 || at == p + len - 1)
		return -EINVAL;
	local = (size_t)(at - p);
	for (size_t i = 0; i < local; i++)
		if (!is_atext((unsigned char)p[i]) &&
		    !(p[i] == '.' && i > 0 && i + 1 < local && p[i - 1] != '.'))
			return -EINVAL;
	for (const char *d = at + 1; d < p + len; d++) {
		if (*d == '.') {
			if (!label || d[-1] == '-' || d + 1 == p + len)
				return -EINVAL;
			label = 0;
		} else if (utf8_ascii_alpha((unsigned char)*d) || utf8_is_digit((unsigned char)*d) ||
			   (*d == '-' && label)) {
			if (++label > 63)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	return p[len - 1] == '-' ? -EINVAL : 0;
}

/* One mailbox, p[0..len) trimmed: addr or Name <addr>. The name is text
 * without '"', ',', '<' or '>' (message.c quotes it as the header needs). */
static int check_mailbox(const char *p, size_t len)
{
	const char *lt = memchr(p, '<', len);
	char name[CFG_ADDR_BYTES];
	size_t n;

	if (!lt)
		return check_addr_spec(p, len);
	n = (size_t)(lt - p);
	if (p[len - 1] != '>' || n >= sizeof(name) || memchr(p, '"', n) || memchr(p, ',', n) ||
	    memchr(p, '>', n))
		return -EINVAL;
	memcpy(name, p, n);
	name[n] = '\0';
	if (check_text(name) < 0)
		return -EINVAL;
	return check_addr_spec(lt + 1, len - n - 2);
}

/* ADDRESS or ADDRLIST (list): each comma-separated mailbox checked, kept
 * joined by ", " in field. Returns 0 or -EINVAL with why. */
static int parse_addresses(const struct cfg_key *k, char *field, const char *v, bool list,
			   char *why, size_t whysz)
{
	size_t n = 0, count = 0;
	const char *p = v;

	memset(field, 0, k->size);
	for (;;) {
		const char *end = list ? strchr(p, ',') : NULL;
		size_t len;

		if (!end)
			end = p + strlen(p);
		while (p < end && utf8_ascii_space((unsigned char)*p))
			p++;
		len = (size_t)(end - p);
		while (len && utf8_ascii_space((unsigned char)p[len - 1]))
			len--;
		if (!len || check_mailbox(p, len) < 0) {
			snprintf(why, whysz, list ? "expected addresses separated by commas, each "
						    "name@example.org or Name <name@example.org>"
						  : "expected name@example.org or Name "
						    "<name@example.org>");
			return -EINVAL;
		}
		if (++count > CFG_MAX_RECIPIENTS) {
			snprintf(why, whysz, "at most %u addresses", CFG_MAX_RECIPIENTS);
			return -EINVAL;
		}
		if (n + len + 3 > k->size) {
			snprintf(why, whysz, "longer than %zu bytes", k->size - 1);
			return -E2BIG;
		}
		if (n) {
			memcpy(field + n, ", ", 2);
			n += 2;
		}
		memcpy(field + n, p, len);
		n += len;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

/* Does a SECRET key's value look like the secret itself rather than where
 * it is kept? */
static int looks_like_secret(const char *v)
{
	size_t len = strlen(v), plain = 0;

	if (strncasecmp(v, "whsec_", 6) == 0 || strncasecmp(v, "bearer ", 7) == 0 ||
	    strstr(v, "-----BEGIN"))
		return 1;
	for (const char *s = v; *s; s++)
		plain += is_b64((unsigned char)*s) || *s == '=' || *s == '-' || *s == '_';
	/* Credential names are short words; 32 base64-ish characters and no
	 * path separator is a key pasted in. */
	return len >= 32 && plain == len && !strchr(v, '/');
}

/* A PATH value (or a URL key's plain path), resolved into field. */
static int path_value(const char *v, const char *base_dir, char *field, size_t size, char *why,
		      size_t whysz)
{
	size_t len;

	if (!*v || cfg_has_control(v)) {
		snprintf(why, whysz, "expected a file path");
		return -EINVAL;
	}
	if (cfg_path_join(base_dir, v, field, size) < 0) {
		snprintf(why, whysz, "the path is longer than %zu bytes once resolved", size - 1);
		return -ENAMETOOLONG;
	}
	len = strlen(field);
	if (utf8_ascii_space((unsigned char)field[len - 1])) {
		snprintf(why, whysz, "a file name cannot end with a space");
		return -EINVAL;
	}
	return 0;
}

/* A checked string value into its field, whole. */
static int copy_value(const struct cfg_key *k, void *field, const char *v, char *why,
		      size_t whysz)
{
	if (cfg_copy_str(field, k->size, v) < 0) {
		snprintf(why, whysz, "longer than %zu bytes", k->size - 1);
		return -E2BIG;
	}
	return 0;
}

/* Parses v for key k into field. Returns 0, or a negative errno with why
 * saying what was expected. */
int cfg_value_set(const struct cfg_key *k, void *field, const char *v, const char *base_dir,
		  char *why, size_t whysz)
{
	unsigned long long n = 0;
	char tmp[CFG_PATH_BYTES], lo[32], hi[32];
	int rc, credential;
	unsigned form;

	if (!*v && k->def && !*k->def) {
		if (k->type == CFG_T_RULE)
			*(unsigned *)field = 0;
		else if (k->type != CFG_T_HEADER)
			((char *)field)[0] = '\0';
		return 0;
	}
	switch (k->type) {
	case CFG_T_PATH:
		return path_value(v, base_dir, field, k->size, why, whysz);
	case CFG_T_SECRET:
		if (!*v || cfg_has_control(v) || !strcmp(v, ".") || !strcmp(v, "..")) {
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
		if (cfg_copy_str(field, k->size, v) < 0 ||
		    cfg_secret_resolve(base_dir, v, tmp, sizeof(tmp), &credential) < 0) {
			snprintf(why, whysz, "the path is longer than %zu bytes once resolved",
				 k->size - 1);
			return -ENAMETOOLONG;
		}
		return 0;
	case CFG_T_URL:
		form = cfg_url_form(v);
		if (!*v || !(form & k->schemes)) {
			cfg_url_expected(k->schemes, tmp, sizeof(tmp));
			snprintf(why, whysz, "expected %s", tmp);
			return -EINVAL;
		}
		if (form == CFG_URL_PATH)
			return path_value(v, base_dir, field, k->size, why, whysz);
		rc = check_url(v, form, why, whysz);
		return rc < 0 ? rc : copy_value(k, field, v, why, whysz);
	case CFG_T_BOOL:
		if (parse_bool(v, field) < 0) {
			snprintf(why, whysz, "expected yes or no (or true/false, on/off, 1/0)");
			return -EINVAL;
		}
		return 0;
	case CFG_T_UINT:
		if (parse_uint(v, &n) < 0 || n < k->min || n > k->max) {
			snprintf(why, whysz, "expected a whole number from %llu to %llu", k->min,
				 k->max);
			return -EINVAL;
		}
		*(unsigned *)field = (unsigned)n;
		return 0;
	case CFG_T_DURATION:
		if (parse_duration(v, &n) < 0 || n < k->min || n > k->max) {
			cfg_fmt_duration(k->min, lo, sizeof(lo));
			cfg_fmt_duration(k->max, hi, sizeof(hi));
			snprintf(why, whysz, "expected a duration like 30s, 15m, 2h, 1d or 1h30m, "
					     "from %s to %s", lo, hi);
			return -EINVAL;
		}
		*(unsigned *)field = (unsigned)n;
		return 0;
	case CFG_T_SIZE:
		if (parse_size(v, &n) < 0 || n < k->min || n > k->max) {
			cfg_fmt_size(k->min, lo, sizeof(lo));
			cfg_fmt_size(k->max, hi, sizeof(hi));
			snprintf(why, whysz, "expected a size like 512K, 4M or 1G (powers of 1024) "
					     "or a number of bytes, from %s to %s", lo, hi);
			return -EINVAL;
		}
		*(uint64_t *)field = n;
		return 0;
	case CFG_T_SCHEDULE: {
		struct cfg_schedule s;

		memset(&s, 0, sizeof(s));
		why[0] = '\0';
		/* "0700" would be 700 seconds: a unit is required here. */
		if (strchr(v, ':'))
			rc = parse_times(v, &s, why, whysz);
		else if (v[strspn(v, "0123456789")] == '\0' || parse_duration(v, &n) < 0)
			rc = -EINVAL;
		else if (n < k->min || n > k->max) {
			cfg_fmt_duration(k->min, lo, sizeof(lo));
			cfg_fmt_duration(k->max, hi, sizeof(hi));
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
	case CFG_T_LOGLEVEL:
		if (log_level_parse(v, field) < 0) {
			snprintf(why, whysz, "expected err, warn, info or debug");
			return -EINVAL;
		}
		return 0;
	case CFG_T_ENUM:
		rc = enum_index(k->values, v);
		if (rc < 0) {
			cfg_enum_list(k->values, tmp, sizeof(tmp));
			snprintf(why, whysz, "expected one of %s", tmp);
			return -EINVAL;
		}
		*(unsigned *)field = (unsigned)rc;
		return 0;
	case CFG_T_LANG:
		if (parse_lang(v) < 0 || cfg_copy_str(field, k->size, v) < 0) {
			snprintf(why, whysz, "expected auto or a language code such as en or pt-BR");
			return -EINVAL;
		}
		return 0;
	case CFG_T_PIN:
		if (parse_pin(v) < 0) {
			snprintf(why, whysz, "expected sha256// and the base64 SHA-256 of the public "
					     "key (44 characters), several separated by ';'");
			return -EINVAL;
		}
		return copy_value(k, field, v, why, whysz);
	case CFG_T_TEXT:
		if (check_text(v) < 0) {
			snprintf(why, whysz, "expected UTF-8 text without control characters");
			return -EINVAL;
		}
		return copy_value(k, field, v, why, whysz);
	case CFG_T_ADDRESS:
	case CFG_T_ADDRLIST:
		return parse_addresses(k, field, v, k->type == CFG_T_ADDRLIST, why, whysz);
	case CFG_T_RULE: /* checked only: cfg.c's add_rule keeps it in the pool */
		return rules_check(v, NULL, why, whysz);
	default: /* CFG_T_HEADER */
		return parse_header(v, field, why, whysz);
	}
}

void cfg_value_format(const struct cfg_key *k, const void *field, char *out, size_t size)
{
	const struct cfg_schedule *s;
	size_t n;

	switch (k->type) {
	case CFG_T_BOOL:
		snprintf(out, size, "%s", *(const bool *)field ? "yes" : "no");
		break;
	case CFG_T_UINT:
		snprintf(out, size, "%u", *(const unsigned *)field);
		break;
	case CFG_T_DURATION:
		cfg_fmt_duration(*(const unsigned *)field, out, size);
		break;
	case CFG_T_SIZE:
		cfg_fmt_size(*(const uint64_t *)field, out, size);
		break;
	case CFG_T_SCHEDULE:
		s = field;
		if (!s->n_times) {
			cfg_fmt_duration(s->interval, out, size);
			break;
		}
		out[0] = '\0';
		n = 0;
		for (unsigned i = 0; i < s->n_times && n < size; i++)
			n += (size_t)snprintf(out + n, size - n, "%s%02u:%02u", i ? "," : "",
					      s->times[i] / 60u, s->times[i] % 60u);
		break;
	case CFG_T_LOGLEVEL:
		snprintf(out, size, "%s", level_name(*(const enum log_level *)field));
		break;
	case CFG_T_ENUM:
		cfg_enum_word(k->values, *(const unsigned *)field, out, size);
		break;
	default: /* the string types */
		snprintf(out, size, "%s", (const char *)field);
		break;
	}
}
