/* SPDX-License-Identifier: MIT */
/* Checks of a rendered message part for tests/unit/test_message.c and
 * fuzz_message.c: each kind's JSON schema and limits, its escaping (no
 * active markup, only http(s) links), and the email's structure decoded back
 * to the digest's renderings. Header-only test code: each returns NULL when
 * the part passes, else a static string saying what failed. */
#ifndef DIGESTD_MESSAGE_CHECK_H
#define DIGESTD_MESSAGE_CHECK_H

#include <stdlib.h>
#include <string.h>

#include "digest/message.h"
#include "digest_check.h"
#include "core/jsonr.h"

/* Decoded JSON strings (a Matrix part is under 60,000 bytes). */
#define MCHECK_STR_BYTES 65536u

/* Moves r onto the value at path: object keys and array indexes separated
 * by '.'. Returns 0, or -1 when there is none. */
static inline int mcheck_nav(struct jsonr *r, const char *path)
{
	while (*path) {
		size_t seg = strcspn(path, ".");
		enum jsonr_type t = jsonr_peek(r);
		int found = 0;

		if (t == JSONR_OBJECT) {
			const char *k;
			size_t kl;

			if (jsonr_enter(r, JSONR_OBJECT) < 0)
				return -1;
			while (!found && jsonr_next_key(r, &k, &kl) == 1) {
				found = kl == seg && memcmp(k, path, seg) == 0;
				if (!found && jsonr_skip(r) < 0)
					return -1;
			}
		} else if (t == JSONR_ARRAY) {
			unsigned long want = strtoul(path, NULL, 10);

			if (jsonr_enter(r, JSONR_ARRAY) < 0)
				return -1;
			for (unsigned long i = 0; !found && jsonr_next_item(r) == 1; i++) {
				found = i == want;
				if (!found && jsonr_skip(r) < 0)
					return -1;
			}
		}
		if (!found)
			return -1;
		path += seg;
		if (*path == '.')
			path++;
	}
	return 0;
}

/* The string at path decoded into out (MCHECK_STR_BYTES); -1 when absent or
 * not a string. */
static inline long mcheck_str(const char *json, size_t n, const char *path, char *out)
{
	struct jsonr r;

	jsonr_init(&r, json, n);
	if (mcheck_nav(&r, path) < 0 || jsonr_peek(&r) != JSONR_STRING)
		return -1;
	return jsonr_string(&r, out, MCHECK_STR_BYTES);
}

/* Items of the array at path; -1 when there is none. */
static inline long mcheck_count(const char *json, size_t n, const char *path)
{
	struct jsonr r;
	long count = 0;

	jsonr_init(&r, json, n);
	if (mcheck_nav(&r, path) < 0 || jsonr_enter(&r, JSONR_ARRAY) < 0)
		return -1;
	while (jsonr_next_item(&r) == 1) {
		count++;
		if (jsonr_skip(&r) < 0)
			return -1;
	}
	return count;
}

/* 1 when the top-level member `key` is an empty object; the key is taken
 * whole, not as a path (Matrix's keys hold dots). */
static inline int mcheck_empty_member(const char *json, size_t n, const char *key)
{
	struct jsonr r;
	const char *k;
	size_t kl;

	jsonr_init(&r, json, n);
	if (jsonr_enter(&r, JSONR_OBJECT) < 0)
		return 0;
	while (jsonr_next_key(&r, &k, &kl) == 1) {
		if (jsonr_key_is(k, kl, key))
			return jsonr_enter(&r, JSONR_OBJECT) == 0 && jsonr_next_key(&r, &k, &kl) == 0;
		if (jsonr_skip(&r) < 0)
			return 0;
	}
	return 0;
}

/* UTF-16 code units of UTF-8 text (never fewer than its code points). */
static inline size_t mcheck_u16(const char *s, size_t n)
{
	size_t u = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		u += ((c & 0xc0) != 0x80) + (c >= 0xf0);
	}
	return u;
}

/* HTML whose tags are all in `allowed` (space-separated, each followed by a
 * space), and that dcheck_html accepts. */
static inline const char *mcheck_tags(const char *s, size_t n, const char *allowed)
{
	const char *why = dcheck_html(s, n);

	if (why)
		return why;
	for (size_t i = 0; i < n; i++) {
		char name[16];
		size_t k = 0;

		if (s[i] != '<')
			continue;
		i += s[i + 1] == '/';
		while (i + 1 < n && k < sizeof name - 2 &&
		       ((s[i + 1] >= 'a' && s[i + 1] <= 'z') || (s[i + 1] >= '1' && s[i + 1] <= '6')))
			name[k++] = s[++i];
		name[k++] = ' ';
		name[k] = '\0';
		if (k == 1 || !strstr(allowed, name) ||
		    (strstr(allowed, name) != allowed && strstr(allowed, name)[-1] != ' '))
			return "HTML: a tag the kind does not allow";
	}
	return NULL;
}

/* Telegram's text after entity parsing: tags dropped, each entity one
 * character; its UTF-16 length. */
static inline size_t mcheck_visible_u16(const char *s, size_t n)
{
	size_t u = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '<') {
			while (i < n && s[i] != '>')
				i++;
			continue;
		}
		if (s[i] == '&') {
			while (i < n && s[i] != ';')
				i++;
			u++;
			continue;
		}
		u += mcheck_u16(s + i, 1);
	}
	return u;
}

/* Slack mrkdwn: '&' only in &amp; &lt; &gt;, '<' only opening a link
 * <http(s)://...|text> that holds no other '<', so no <!channel>, <@user>
 * or other active markup. */
static inline const char *mcheck_mrkdwn(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '&' && strncmp(s + i, "&amp;", 5) && strncmp(s + i, "&lt;", 4) &&
		    strncmp(s + i, "&gt;", 4))
			return "mrkdwn: a raw '&'";
		if (s[i] == '>')
			return "mrkdwn: a raw '>'";
		if (s[i] != '<')
			continue;
		if (strncmp(s + i, "<http://", 8) && strncmp(s + i, "<https://", 9))
			return "mrkdwn: '<' that opens no http(s) link";
		for (int in_text = 0; i + 1 < n && s[i + 1] != '>';) {
			in_text |= s[++i] == '|';
			if (s[i] == '<' || (s[i] == ' ' && !in_text))
				return "mrkdwn: a link holding '<', or a space in its URL";
		}
		if (i + 1 >= n)
			return "mrkdwn: a link not closed";
		i++;
	}
	return NULL;
}

/* Markdown for Discord: every '@' escaped (no @everyone, @here or
 * <@id> pings even where allowed_mentions were ignored). */
static inline const char *mcheck_no_pings(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '@' && (i == 0 || s[i - 1] != '\\'))
			return "Discord: an unescaped '@'";
	return dcheck_markdown(s, n);
}

/* Whether s[0..n) holds the NUL-terminated t. */
static inline int mcheck_has(const char *s, size_t n, const char *t)
{
	size_t tl = strlen(t);

	for (size_t i = 0; tl <= n && i <= n - tl; i++)
		if (memcmp(s + i, t, tl) == 0)
			return 1;
	return 0;
}

/* A chat part's sources with problems: the last part of a digest with any
 * carries the kind's heading (its markup included, so no article text can
 * stand in for it). Run on every part; last says whether it is the last. */
static inline const char *mcheck_problems(const struct message_opts *o, const struct digest *d,
					  const char *b, size_t n, int last)
{
	static const char *const heading[] = {
		[MESSAGE_NTFY] = "**Sources with problems**",
		[MESSAGE_MATRIX] = "<p><b>Sources with problems</b></p>",
		[MESSAGE_SLACK] = "*Sources with problems*",
		[MESSAGE_DISCORD] = "\"title\":\"Sources with problems\"",
		[MESSAGE_TELEGRAM] = "<b>Sources with problems</b>",
	};

	if (o->kind < MESSAGE_NTFY || o->kind > MESSAGE_TELEGRAM)
		return "not a chat kind";
	if (last && d->n_problems && !mcheck_has(b, n, heading[o->kind]))
		return "the last part has no sources with problems";
	return NULL;
}

/* One chat part of kind o->kind: schema, limits, escaping. */
static inline const char *mcheck_chat(const struct message_opts *o, const char *b, size_t n,
				      const struct message *m)
{
	static char s[MCHECK_STR_BYTES];
	const char *why = dcheck_clean(b, n);
	char path[64];
	long len, count;
	size_t total = 0;

	if (why)
		return why;
	if (o->kind == MESSAGE_NTFY) {
		if (n > 4096)
			return "ntfy: body over 4,096 bytes";
		if (!*m->title || dcheck_clean(m->title, strlen(m->title)))
			return "ntfy: no title, or a title with control characters";
		if (*m->click && strncmp(m->click, "http://", 7) && strncmp(m->click, "https://", 8))
			return "ntfy: a click link other than http(s)";
		return dcheck_markdown(b, n);
	}
	why = dcheck_json(b, n);
	if (why)
		return why;
	switch (o->kind) {
	case MESSAGE_MATRIX:
		if (n > 60000)
			return "Matrix: event content over 60,000 bytes";
		if (mcheck_str(b, n, "msgtype", s) < 0 || strcmp(s, "m.text"))
			return "Matrix: msgtype is not m.text";
		if (mcheck_str(b, n, "format", s) < 0 || strcmp(s, "org.matrix.custom.html"))
			return "Matrix: format is not org.matrix.custom.html";
		if (mcheck_str(b, n, "body", s) < 0)
			return "Matrix: no body";
		if (!mcheck_empty_member(b, n, "m.mentions"))
			return "Matrix: m.mentions is not {}";
		len = mcheck_str(b, n, "formatted_body", s);
		if (len < 0)
			return "Matrix: no formatted_body";
		return mcheck_tags(s, (size_t)len, "h3 p a b i ul li br ");
	case MESSAGE_SLACK:
		len = mcheck_str(b, n, "text", s);
		if (len < 0 || mcheck_u16(s, (size_t)len) > 40000)
			return "Slack: no text, or text over 40,000 characters";
		why = mcheck_mrkdwn(s, (size_t)len);
		if (why)
			return why;
		count = mcheck_count(b, n, "blocks");
		if (count < 1 || count > 50)
			return "Slack: not 1 to 50 blocks";
		for (long i = 0; i < count; i++) {
			snprintf(path, sizeof path, "blocks.%ld.type", i);
			if (mcheck_str(b, n, path, s) < 0 || strcmp(s, "section"))
				return "Slack: a block that is not a section";
			snprintf(path, sizeof path, "blocks.%ld.text.type", i);
			if (mcheck_str(b, n, path, s) < 0 || strcmp(s, "mrkdwn"))
				return "Slack: a section text that is not mrkdwn";
			snprintf(path, sizeof path, "blocks.%ld.text.text", i);
			len = mcheck_str(b, n, path, s);
			if (len < 0 || mcheck_u16(s, (size_t)len) > 3000)
				return "Slack: a section text over 3,000 characters";
			why = mcheck_mrkdwn(s, (size_t)len);
			if (why)
				return why;
		}
		return NULL;
	case MESSAGE_DISCORD:
		len = mcheck_str(b, n, "content", s);
		if (len < 0 || mcheck_u16(s, (size_t)len) > 2000)
			return "Discord: no content, or content over 2,000 characters";
		why = mcheck_no_pings(s, (size_t)len);
		if (why)
			return why;
		if (mcheck_count(b, n, "allowed_mentions.parse") != 0)
			return "Discord: allowed_mentions.parse is not []";
		count = mcheck_count(b, n, "embeds");
		if (count < 0 || count > 10)
			return "Discord: more than 10 embeds";
		for (long i = 0; i < count; i++) {
			snprintf(path, sizeof path, "embeds.%ld.title", i);
			len = mcheck_str(b, n, path, s);
			if (len < 0 || mcheck_u16(s, (size_t)len) > 256)
				return "Discord: an embed title over 256 characters";
			total += mcheck_u16(s, (size_t)len);
			snprintf(path, sizeof path, "embeds.%ld.url", i);
			len = mcheck_str(b, n, path, s);
			if (len >= 0 && strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
				return "Discord: an embed url other than http(s)";
			snprintf(path, sizeof path, "embeds.%ld.description", i);
			len = mcheck_str(b, n, path, s);
			if (len < 0 || mcheck_u16(s, (size_t)len) > 4096)
				return "Discord: an embed description over 4,096 characters";
			total += mcheck_u16(s, (size_t)len);
			why = mcheck_no_pings(s, (size_t)len);
			if (why)
				return why;
		}
		return total > 6000 ? "Discord: embeds over 6,000 characters in all" : NULL;
	case MESSAGE_TELEGRAM: {
		struct jsonr r;

		if (mcheck_str(b, n, "chat_id", s) < 0 || strcmp(s, o->chat_id))
			return "Telegram: chat_id is not the one asked for";
		if (mcheck_str(b, n, "parse_mode", s) < 0 || strcmp(s, "HTML"))
			return "Telegram: parse_mode is not HTML";
		jsonr_init(&r, b, n);
		if (mcheck_nav(&r, "link_preview_options.is_disabled") < 0 ||
		    jsonr_peek(&r) != JSONR_TRUE)
			return "Telegram: link previews not disabled";
		len = mcheck_str(b, n, "text", s);
		if (len < 0 || mcheck_visible_u16(s, (size_t)len) > 4096)
			return "Telegram: no text, or text over 4,096 characters";
		return mcheck_tags(s, (size_t)len, "b i a code pre ");
	}
	default:
		return "not a chat kind";
	}
}

static inline int mcheck_b64_value(char c)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(digits, c) : NULL;

	return p ? (int)(p - digits) : -1;
}

/* Decodes base64 s[0..n) (CR and LF skipped) into out; its length, or -1. */
static inline long mcheck_b64(const char *s, size_t n, char *out, size_t cap)
{
	unsigned v = 0, bits = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int d = mcheck_b64_value(s[i]);

		if (s[i] == '\r' || s[i] == '\n' || s[i] == '=')
			continue;
		if (d < 0)
			return -1;
		v = (v << 6 | (unsigned)d) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (k >= cap)
				return -1;
			out[k++] = (char)(v >> bits & 0xff);
		}
	}
	return (long)k;
}

/* The email, by structure: CRLF line ends only, lines within 998 (header
 * lines within 78 unless one word fills them), the headers it must have,
 * the Subject decoding to m->title, one multipart/alternative with a text
 * and an HTML part in base64 that decode to the digest's text and HTML
 * renderings (their LF made CRLF), the boundary nowhere in the parts. */
static inline const char *mcheck_email(const struct digest *d, const char *b, size_t n,
				       const struct message *m)
{
	static char want[DIGEST_BODY_BYTES + 1], got[2 * DIGEST_BODY_BYTES + 8];
	char subject[MESSAGE_TITLE_BYTES * 2], boundary[80], delim[96];
	const char *p = b, *end = b + n, *body, *ct, *q;
	size_t sl = 0;
	int in_head = 1;

	for (size_t i = 0; i < n; i++)
		if ((b[i] == '\n' && (i == 0 || b[i - 1] != '\r')) ||
		    (b[i] == '\r' && (i + 1 >= n || b[i + 1] != '\n')))
			return "email: a bare CR or LF";
	while (p < end) {
		const char *e = strstr(p, "\r\n");
		size_t ll;

		if (!e)
			return "email: the last line does not end in CRLF";
		ll = (size_t)(e - p);
		if (ll > 998)
			return "email: a line over 998 characters";
		if (ll == 0)
			in_head = 0;
		if (in_head && ll > 78) {
			const char *sp = memchr(p + 1, ' ', ll - 1);

			if (sp && memchr(sp + 1, ' ', (size_t)(e - sp - 1)))
				return "email: a header line over 78 characters that could fold";
		}
		p = e + 2;
	}
	body = strstr(b, "\r\n\r\n");
	if (!body)
		return "email: no blank line after the headers";
	body += 4;
	for (const char *h = b; h < body;) {
		const char *e = strstr(h, "\r\n");

		if (strncmp(h, "Subject:", 8) == 0) {
			char raw[MESSAGE_TITLE_BYTES * 4];
			size_t rl = 0;

			/* Unfolded: the CRLFs before continuation lines removed. */
			for (q = h + 8; q < body; q++) {
				if (q[0] == '\r' && q[1] == '\n' && q[2] != ' ')
					break;
				if (*q == '\r' || *q == '\n')
					continue;
				if (rl >= sizeof raw - 1)
					return "email: subject too long";
				raw[rl++] = *q;
			}
			raw[rl] = '\0';
			if (rl < 11 || memcmp(raw, " =?UTF-8?B?", 11) != 0) {
				if (rl == 0 || rl - 1 >= sizeof subject)
					return "email: subject too long or empty";
				memcpy(subject, raw + 1, rl);
				sl = rl - 1;
			}
			for (q = raw; strncmp(q, " =?UTF-8?B?", 11) == 0;) {
				const char *we = strstr(q + 11, "?=");
				long k;

				if (!we)
					return "email: a bad encoded-word";
				k = mcheck_b64(q + 11, (size_t)(we - q - 11), subject + sl,
					       sizeof subject - 1 - sl);
				if (k < 0)
					return "email: a bad encoded-word";
				sl += (size_t)k;
				q = we + 2;
			}
			subject[sl] = '\0';
		}
		h = e + 2;
	}
	if (!sl || strcmp(subject, m->title))
		return "email: the Subject does not decode to the title";
	for (size_t i = 0; i < 6; i++) {
		static const char *const must[] = { "\r\nTo: ", "\r\nDate: ", "\r\nMessage-ID: <",
						    "\r\nMIME-Version: 1.0\r\n",
						    "\r\nContent-Type: multipart/alternative;",
						    "From: " };
		const char *at = strstr(b, must[i]);

		if (!at || at > body)
			return "email: a header missing";
	}
	ct = strstr(b, "\r\nContent-Type: multipart/alternative;\r\n boundary=\"");
	if (!ct || ct > body)
		return "email: no boundary";
	ct += 51;
	q = strchr(ct, '"');
	if (!q || (size_t)(q - ct) >= sizeof boundary - 1 || q == ct)
		return "email: a bad boundary";
	memcpy(boundary, ct, (size_t)(q - ct));
	boundary[q - ct] = '\0';
	snprintf(delim, sizeof delim, "--%s", boundary);
	p = body;
	for (int part = 0; part < 2; part++) {
		static const char *const types[] = { "Content-Type: text/plain; charset=utf-8\r\n",
						     "Content-Type: text/html; charset=utf-8\r\n" };
		const char *start, *stop;
		size_t wl = 0, k = 0;
		long gl;

		p = strstr(p, delim);
		if (!p || strncmp(p + strlen(delim), "\r\n", 2))
			return "email: a part's delimiter missing";
		p += strlen(delim) + 2;
		if (strncmp(p, types[part], strlen(types[part])))
			return "email: a part of the wrong type";
		p += strlen(types[part]);
		if (strncmp(p, "Content-Transfer-Encoding: base64\r\n\r\n", 37))
			return "email: a part not in base64";
		start = p + 37;
		stop = strstr(start, delim);
		if (!stop)
			return "email: a part not closed";
		for (q = start; q < stop; q = strstr(q, "\r\n") + 2)
			if (strstr(q, "\r\n") - q > 76)
				return "email: a base64 line over 76 characters";
		gl = mcheck_b64(start, (size_t)(stop - start), got, sizeof got);
		if (gl < 0)
			return "email: a part that is not base64";
		digest_render(d, part ? CFG_FORMAT_HTML : CFG_FORMAT_TEXT, want, sizeof want, &wl);
		for (long i = 0; i < gl; i++) {
			if (got[i] == '\r' && i + 1 < gl && got[i + 1] == '\n')
				continue;
			if (got[i] == '\r' || k >= wl || got[i] != want[k])
				return "email: a part that does not decode to the digest's rendering";
			k++;
		}
		if (k != wl)
			return "email: a part shorter than the digest's rendering";
		p = stop;
	}
	if (strncmp(p, delim, strlen(delim)) || strcmp(p + strlen(delim), "--\r\n"))
		return "email: no closing delimiter at the end";
	return NULL;
}

#endif
