/* SPDX-License-Identifier: MIT */
/* A digest as the messages of one endpoint kind: the body of each part (a
 * webhook's JSON, Markdown, text or HTML; an RFC 5322 email with a text and an
 * HTML part; an ntfy Markdown text; a Matrix m.room.message; a Slack or
 * Discord webhook JSON; a Telegram sendMessage), split into numbered parts or
 * cut with "and N more" where the service's size limits need it
 * (docs/messages.md gives the rule per kind). Pure: no I/O, no allocation;
 * the same digest and options always give the same bytes, so that a part
 * rendered again for a retry is the part that was tried before. */
#ifndef DIGESTD_MESSAGE_H
#define DIGESTD_MESSAGE_H

#include <stddef.h>

#include "core/cfg.h"
#include "core/limits.h"
#include "digest/digest.h"

enum message_kind {
	MESSAGE_WEBHOOK,
	MESSAGE_EMAIL,
	MESSAGE_NTFY,
	MESSAGE_MATRIX,
	MESSAGE_SLACK,
	MESSAGE_DISCORD,
	MESSAGE_TELEGRAM,
};

/* What a kind's rendering needs beyond the digest; the push side fills it
 * from the [endpoint NAME] section. Strings are NUL-terminated, "" unset. */
struct message_opts {
	enum message_kind kind;
	enum cfg_format format; /* webhook: the body format */
	const char *from;       /* email: "Name <addr>" or addr */
	const char *to;         /* email: addresses, comma-separated */
	const char *subject;    /* email subject, ntfy title: a template */
	const char *chat_id;    /* telegram */
};

/* One rendered part. */
struct message {
	unsigned parts; /* parts this digest makes for this kind, at least 1 */
	size_t len;     /* body bytes written to out */
	/* This part's subject (email) or title (ntfy): the template filled in,
	 * " (2/3)" added when there are several parts; UTF-8, "" when the
	 * kind has none. */
	char title[MESSAGE_TITLE_BYTES];
	/* ntfy: the link a tap on the notification opens, "" for none. */
	char click[MESSAGE_CLICK_BYTES];
};

/* Renders part `part` (0-based) of digest d for o->kind into out[0..cap) and
 * m. Returns 0; -ERANGE when part >= m->parts (m->parts is still set, so a
 * caller may ask for part 0 to learn the count); -ENOSPC when cap is too
 * small (MESSAGE_BODY_BYTES always suffices); -EINVAL for a bad kind or a
 * missing option the kind needs (email: a from and at least one to, each
 * printable ASCII, so no CR or LF can add a header; telegram: a chat_id).
 * out is NUL-terminated when cap > m->len. m->title is UTF-8: a header
 * carrying it (ntfy's Title) must encode it. Never blocks. */
int message_render(const struct message_opts *o, const struct digest *d, unsigned part,
		   char *out, size_t cap, struct message *m);

#endif
