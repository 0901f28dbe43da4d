/* SPDX-License-Identifier: MIT */
/* libFuzzer target: message parts (src/digest/message) of random digests
 * for every kind and every part. Each part must pass message_check.h (the
 * kind's JSON schema and limits, valid UTF-8, only http(s) links, no active
 * markup or pings, the email's structure decoding to the digest; a chat
 * kind's last part showing the sources with problems), no kind may make
 * more parts than articles and problems (each problem is one entry after
 * the articles, split across parts like them), and a second
 * rendering must give the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Enough articles for every kind to split (a 4 KB ntfy part holds a few),
 * few enough that rendering every part of every kind twice, each part
 * planning the split again, stays fast under the sanitizers; 500 articles
 * are tests/unit/test_message.c's. */
#define FUZZ_MAX_ARTICLES 40u

static struct digest d;
static char out[MESSAGE_BODY_BYTES + 1], again[MESSAGE_BODY_BYTES + 1];

/* Input: NUL-separated fields: the subject template, the host, a problem
 * count (its first byte, modulo DIGEST_MAX_PROBLEMS + 1) and per problem a
 * source and an error, then per article source, title, url, lang, a
 * control field (its first byte: the sentence count in the low 3 bits, bit
 * 3 a publication time, the high 4 bits the also entries) and the
 * sentences, then per also entry source, title, url. A field runs to the
 * next NUL or the end. */
struct fields {
	const char *p, *end;
};

static const char *field(struct fields *f)
{
	const char *s = f->p;
	const char *nul = memchr(f->p, '\0', (size_t)(f->end - f->p));

	f->p = nul ? nul + 1 : f->end;
	return s;
}

static void fail(const char *kind, unsigned part, const char *why)
{
	fprintf(stderr, "kind %s part %u: %s\n", kind, part, why);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "webhook", "email",   "ntfy",    "matrix",
					     "slack",   "discord", "telegram" };
	static char buf[65536 + 1];
	struct digest_span spans[8];
	struct digest_also also[DIGEST_MAX_ALSO];
	unsigned n_problems;
	struct fields f = { buf, buf + size };
	struct message_opts o = { MESSAGE_WEBHOOK, CFG_FORMAT_JSON, "digestd <d@example.org>",
				  "a@example.org, b@example.org", "", "@channel" };

	if (size > sizeof buf - 1)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	o.subject = field(&f);
	if (digest_begin(&d, "dg_fuzz", 1795888800, field(&f), FUZZ_MAX_ARTICLES) != 0)
		abort();
	n_problems = (unsigned char)*field(&f) % (DIGEST_MAX_PROBLEMS + 1);
	for (unsigned i = 0; i < n_problems; i++) {
		const char *source = field(&f);

		if (digest_add_problem(&d, source, 1795888800 - (int64_t)i * 3600, i + 1,
				       field(&f)) != 0)
			abort();
	}
	while (f.p < f.end) {
		struct digest_article a = { 0 };
		unsigned ctl;

		a.source = field(&f);
		a.title = field(&f);
		a.url = field(&f);
		a.lang = field(&f);
		ctl = (unsigned char)*field(&f);
		a.has_published = ctl & 8;
		a.published = 1795888800 - (int64_t)ctl * 3600;
		a.n_sentences = ctl & 7;
		for (unsigned i = 0; i < a.n_sentences; i++) {
			spans[i].p = field(&f);
			spans[i].len = strlen(spans[i].p);
		}
		a.sentences = spans;
		a.n_also = ctl >> 4;
		for (unsigned i = 0; i < a.n_also; i++) {
			also[i].source = field(&f);
			also[i].title = field(&f);
			also[i].url = field(&f);
		}
		a.also = also;
		if (digest_add(&d, &a) != 0)
			break;
	}
	for (int k = MESSAGE_WEBHOOK; k <= MESSAGE_TELEGRAM; k++) {
		struct message m, m2;
		unsigned parts = 1, entries = digest_count(&d) + d.n_problems;

		o.kind = (enum message_kind)k;
		for (unsigned part = 0; part < parts; part++) {
			const char *why;
			int rc = message_render(&o, &d, part, out, MESSAGE_BODY_BYTES, &m);

			if (rc != 0)
				fail(names[k], part, "message_render failed");
			parts = m.parts;
			why = k == MESSAGE_WEBHOOK ? dcheck_json(out, m.len)
			      : k == MESSAGE_EMAIL ? mcheck_email(&d, out, m.len, &m)
						   : mcheck_chat(&o, out, m.len, &m);
			if (!why && k > MESSAGE_EMAIL)
				why = mcheck_problems(&o, &d, out, m.len, part + 1 == parts);
			if (why)
				fail(names[k], part, why);
			if (message_render(&o, &d, part, again, MESSAGE_BODY_BYTES, &m2) != 0 ||
			    m2.len != m.len || memcmp(out, again, m.len) != 0 ||
			    strcmp(m.title, m2.title) != 0 || strcmp(m.click, m2.click) != 0)
				fail(names[k], part, "a second rendering differs");
		}
		if (parts > (entries ? entries : 1))
			fail(names[k], parts, "more parts than articles and problems");
	}
	return 0;
}
