/* SPDX-License-Identifier: MIT */
/* OPML through the project's XML tokenizer: folders tracked by element
 * depth, subscriptions checked as cfg checks a source's url, names made
 * valid for [source NAME]. A DOCTYPE internal subset is refused outright. */
#include "opml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/cfg.h"
#include "core/cfg_key.h"
#include "core/cfg_value.h"
#include "core/url.h"
#include "core/utf8.h"

static int refuse(struct opml_reader *r, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct opml_reader *r, unsigned line, const char *fmt, ...)
{
	va_list ap;

	r->line = line;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

/* The line of the current token: newlines counted once, as the reader goes. */
static unsigned token_line(struct opml_reader *r)
{
	const char *p = r->counted, *to = r->tok.start;

	while (p < to) {
		const char *nl = memchr(p, '\n', (size_t)(to - p));
		if (!nl)
			break;
		r->line++;
		p = nl + 1;
	}
	if (to > r->counted)
		r->counted = to;
	return r->line;
}

/* An unprefixed attribute by name, in any case (xmlUrl, xmlurl). */
static const struct xml_attr *attr(const struct xml_token *t, const char *name)
{
	for (unsigned i = 0; i < t->nattr; i++)
		if (t->attr[i].ns == XML_NS_NONE && !strcasecmp(t->attr[i].name, name))
			return &t->attr[i];
	return NULL;
}

/* An attribute's decoded value into buf, control characters made spaces
 * and surrounding blanks trimmed. Returns 0, or -ENOSPC when it was cut. */
static int attr_text(const struct xml_attr *a, char *buf, size_t size)
{
	struct xml_out o;
	size_t start = 0, n;

	xml_out_init(&o, buf, size);
	if (a)
		xml_out_text(&o, a->val, a->val_len);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	n = strlen(buf);
	while (start < n && buf[start] == ' ')
		start++;
	while (n > start && buf[n - 1] == ' ')
		n--;
	memmove(buf, buf + start, n - start);
	buf[n - start] = '\0';
	return o.full ? -ENOSPC : 0;
}

/* Checks r->o.url as cfg checks a source's url, and that it is a web URL:
 * an OPML file must not turn into a reader of local files. */
static int check_url(struct opml_reader *r, unsigned line)
{
	const struct cfg_key *k = cfg_key_named(CFG_SEC_source, "url");
	char field[CFG_URL_BYTES], why[CFG_ERROR_BYTES], q[96];

	cfg_quote_url(q, sizeof(q), r->o.url);
	if (!r->o.url[0])
		return refuse(r, line, "an outline has an empty xmlUrl");
	if (!(cfg_url_form(r->o.url) & (CFG_URL_HTTPS | CFG_URL_HTTP)))
		return refuse(r, line, "xmlUrl '%s' is not an http:// or https:// URL", q);
	if (cfg_value_set(k, field, r->o.url, "/", why, sizeof(why)) < 0)
		return refuse(r, line, "xmlUrl '%s': %s", q, why);
	return 0;
}

/* An <outline>: a subscription when it has an xmlUrl, else a folder whose
 * title the outlines inside it carry as their category. */
static int outline(struct opml_reader *r, unsigned line, opml_fn fn, void *ctx)
{
	const struct xml_token *t = &r->tok;
	const struct xml_attr *url = attr(t, "xmlUrl"), *title = attr(t, "title");
	size_t len = strlen(r->category);
	int rc;

	if (!title || title->val_len == 0)
		title = attr(t, "text");
	(void)attr_text(title, r->o.title, sizeof(r->o.title));
	if (!url) {
		/* A folder: appended to the category, cut to fit. */
		if (!r->o.title[0])
			return 0;
		if (len && len + 1 < sizeof(r->category))
			r->category[len++] = '/';
		if (len + 1 < sizeof(r->category))
			snprintf(r->category + len, sizeof(r->category) - len, "%s", r->o.title);
		return 0;
	}
	if (attr_text(url, r->o.url, sizeof(r->o.url)) < 0)
		return refuse(r, line, "an outline's xmlUrl is longer than %u bytes",
			      CFG_URL_BYTES - 1);
	rc = check_url(r, line);
	if (rc < 0)
		return rc;
	memcpy(r->o.category, r->category, sizeof(r->o.category));
	r->o.line = line;
	return fn(&r->o, ctx);
}

int opml_parse(struct opml_reader *r, const char *buf, size_t len, opml_fn fn, void *ctx)
{
	struct xml_token *t = &r->tok;
	int root = 0, rc = 0;

	xml_init(&r->xr, buf, len);
	r->counted = buf;
	r->line = 1;
	r->why[0] = '\0';
	r->category[0] = '\0';
	while (rc == 0 && xml_next(&r->xr, t) != XML_EOF) {
		unsigned line = token_line(r);

		if (t->type == XML_DOCTYPE && memchr(t->start, '[', (size_t)(t->end - t->start))) {
			rc = refuse(r, line, "a DOCTYPE with an internal subset (entity declarations) "
					     "is refused");
		} else if (t->type == XML_START && !root) {
			if (strcasecmp(t->name + t->local, "opml"))
				rc = refuse(r, line, "not an OPML file: the first element is <%s>, "
						     "not <opml>", t->name);
			root = 1;
		} else if (t->type == XML_START) {
			if (t->depth > OPML_MAX_DEPTH) {
				rc = refuse(r, line, "outlines nested deeper than %u levels",
					    OPML_MAX_DEPTH);
				break;
			}
			r->cat_len[t->depth] = strlen(r->category);
			if (!strcasecmp(t->name + t->local, "outline"))
				rc = outline(r, line, fn, ctx);
		} else if (t->type == XML_END && t->depth >= 2 && t->depth <= OPML_MAX_DEPTH) {
			/* Leaving an element: the folders it opened are closed. */
			r->category[r->cat_len[t->depth]] = '\0';
		}
	}
	if (rc == 0 && !root)
		rc = refuse(r, 0, "not an OPML file: no <opml> element");
	return rc;
}

/* ASCII letters for U+00C0..U+00FF ('-': none), so that "Süddeutsche"
 * becomes "Suddeutsche", not "S-ddeutsche". */
static const char latin1[] = "AAAAAAACEEEEIIIIDNOOOOO-OUUUUYTs"
			     "aaaaaaaceeeeiiiidnooooo-ouuuuyty";

static int taken(const struct opml_names *names, const char *s)
{
	for (unsigned i = 0; i < names->n; i++)
		if (!strcmp(names->name[i], s))
			return 1;
	return 0;
}

/* s as a source name into out (CFG_SOURCE_NAME_BYTES); may be "". A run
 * of other characters becomes one '-', dropped at either end; the name's
 * own characters are kept as they are, so a valid name maps to itself. */
static void name_from(const char *s, char *out)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	size_t n = 0, max = CFG_SOURCE_NAME_BYTES - 1;
	int sep = 0; /* out ends with a '-' made from other characters */

	while (p < end && n < max) {
		uint32_t cp;
		char c = 0;

		p += utf8_decode(p, end, &cp);
		if (cp < 0x80 && (utf8_ascii_alpha((int)cp) || utf8_is_digit(cp) || cp == '.' ||
				  cp == '_' || cp == '-'))
			c = (char)cp;
		else if (cp >= 0xC0 && cp <= 0xFF && latin1[cp - 0xC0] != '-')
			c = latin1[cp - 0xC0];
		if (!c || (sep && c == '-')) {
			if (n > 0 && !sep) {
				out[n++] = '-';
				sep = 1;
			}
			continue;
		}
		/* cfg wants neither '.' nor '-' first. */
		if (n == 0 && (c == '.' || c == '-'))
			continue;
		out[n++] = c;
		sep = 0;
	}
	if (sep)
		n--;
	out[n] = '\0';
}

int opml_name(struct opml_names *names, const struct opml_outline *o, char *out)
{
	char host[CFG_SOURCE_NAME_BYTES * 4], base[CFG_SOURCE_NAME_BYTES], suffix[16];

	if (names->n == CFG_MAX_SOURCES)
		return -ENOSPC;
	name_from(o->title, base);
	if (!base[0] && url_host(o->url, host, sizeof(host)) == 0)
		name_from(host, base);
	if (!base[0])
		snprintf(base, sizeof(base), "feed");
	snprintf(out, CFG_SOURCE_NAME_BYTES, "%s", base);
	for (unsigned k = 2; taken(names, out); k++) {
		size_t room = CFG_SOURCE_NAME_BYTES - 1 - (size_t)snprintf(suffix, sizeof(suffix),
									    "-%u", k);
		size_t n = strlen(base);

		if (n > room)
			n = room;
		while (n > 1 && (base[n - 1] == '-' || base[n - 1] == '.'))
			n--;
		snprintf(out, CFG_SOURCE_NAME_BYTES, "%.*s%s", (int)n, base, suffix);
	}
	memcpy(names->name[names->n++], out, CFG_SOURCE_NAME_BYTES);
	return 0;
}
