/* SPDX-License-Identifier: MIT */
/* The pipeline steps of the daemon on its struct daemon: article in, the
 * two-phase compose that never loses an article nor digests one twice
 * (docs/daemon.md, "The pending list"), and the push pass. */
#include "pipeline.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/notify.h"
#include "core/url.h"
#include "daemon/schedule.h"
#include "digest/message.h"
#include "outbox/outbox.h"
#include "digest/stories.h"
#include "summarise/lang.h"

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

void pipeline_endpoint_state(const struct cfg_endpoint *ep,
			     char name[PIPELINE_ENDPOINT_STATE_BYTES])
{
	snprintf(name, PIPELINE_ENDPOINT_STATE_BYTES, "endpoint:%s",
		 ep->name[0] ? ep->name : "default");
}

void pipeline_endpoint_address(const struct cfg_endpoint *ep,
			       char out[PIPELINE_ENDPOINT_ADDRESS_BYTES])
{
	char kind[16];

	/* Values are one line each: the newlines keep them apart. */
	cfg_kind_word((int)ep->kind, kind, sizeof(kind));
	snprintf(out, PIPELINE_ENDPOINT_ADDRESS_BYTES, "%s\n%s\n%s\n%s\n%s\n%s", kind, ep->url,
		 ep->url_file, ep->room, ep->chat_id, ep->to);
}

int pipeline_save(struct daemon *d)
{
	int rc = pending_save(&d->pend, d->state_fd, d->cfg->daemon.state_dir);

	d->pend_dirty = rc < 0;
	return rc;
}

/* The article's text through the summariser, its title weighing terms as a
 * seed file's does in `digestd summarize`; count sentences within a budget
 * of words (0: none). */
static void summarise(struct summ *summ, const struct source_article *a, enum lang lang,
		      unsigned count, unsigned words, struct summ_result *res)
{
	struct summ_opts o = { .count = count, .words = words, .lang = lang,
			       .method = SUMM_RANK, .title = a->title,
			       .title_len = strlen(a->title) };

	summ_begin(summ);
	summ_feed(summ, a->text, a->text_len);
	summ_end(summ, &o, res);
}

/* a->lang is the source's language unless that is auto; a code the
 * summariser does not know leaves detection on (LANG_UND). */
static enum lang article_lang(const struct source_article *a)
{
	enum lang lang = LANG_UND;

	if (a->lang[0] && lang_parse(a->lang, strlen(a->lang), &lang) < 0)
		lang = LANG_UND;
	return lang;
}

/* A field that may be NULL (struct source_article allows it for author
 * and categories) as a string. */
static const char *or_empty(const char *s)
{
	return s ? s : "";
}

void pipeline_judge(const struct cfg *c, const struct rules *rs, struct summ *summ,
		    const struct source_article *a, struct summ_result *res,
		    struct rules_verdict *v)
{
	unsigned sentences = a->idx < c->n_sources ? c->sources[a->idx].sentences : 0;
	char sum[RULES_MATCH_BYTES];
	size_t n = 0;
	struct rules_item it = {
		.text = { a->title, sum, or_empty(a->author), or_empty(a->categories), a->url },
	};

	summarise(summ, a, article_lang(a), sentences ? sentences : c->digest.sentences,
		  c->digest.words, res);
	/* The key sentences one a line, as far as the rules look. */
	for (unsigned i = 0; i < res->n_picks && n < sizeof(sum); i++) {
		size_t len = res->picks[i].length;

		if (i)
			sum[n++] = '\n';
		if (len > sizeof(sum) - n)
			len = sizeof(sum) - n;
		memcpy(sum + n, (const char *)summ_text(summ) + res->picks[i].offset, len);
		n += len;
	}
	for (unsigned f = 0; f < RULES_NFIELDS; f++)
		it.len[f] = f == RULES_SUMMARY ? n : strlen(it.text[f]);
	rules_decide(rs, a->idx, &it, v);
}

/* Is key, or the key an older digestd gave the same article (seen_key_legacy),
 * in the seen-set or the pending list? Both, so that an upgrade with a longer
 * list of tracking parameters delivers nothing twice. */
static int known_key(const struct daemon *d, const struct source_article *a,
		     const unsigned char key[SEEN_KEY_BYTES])
{
	unsigned char old[SEEN_KEY_BYTES];

	if (seen_contains(&d->seen, key) || pending_has(&d->pend, key))
		return 1;
	return seen_key_legacy(a->url, a->id, old) == 0 && memcmp(old, key, sizeof(old)) != 0 &&
	       (seen_contains(&d->seen, old) || pending_has(&d->pend, old));
}

int pipeline_known(const struct daemon *d, const struct source_article *a)
{
	unsigned char key[SEEN_KEY_BYTES];

	return seen_key(a->url, a->id, key) == 0 && known_key(d, a, key);
}

int pipeline_article(struct daemon *d, const char *source, const struct source_article *a)
{
	unsigned char key[SEEN_KEY_BYTES], text_key[SEEN_KEY_BYTES];
	struct digest_span spans[SUMM_MAX_PICK];
	struct digest_article art;
	struct summ_result res;
	struct rules_verdict v;
	char why[CFG_RULE_BYTES + 64];
	bool group = d->cfg->digest.group, has_text;
	int rc;

	d->n.articles++;
	if (seen_key(a->url, a->id, key) < 0) {
		log_warnx("source %s: an article with neither URL nor id skipped", source);
		return 0;
	}
	if (known_key(d, a, key)) {
		d->n.known++;
		return 0;
	}
	/* Marked seen, never taken: the seen-set is committed when the poll
	 * ends (on_polled), and losing that to a crash only means deciding
	 * again on the same article. */
	if (a->over_backlog) {
		seen_add(&d->seen, key);
		d->n.over_backlog++;
		return 0;
	}
	pipeline_judge(d->cfg, &d->rules[d->cur], &d->summ, a, &res, &v);
	if (!v.keep) {
		rules_describe(d->cfg, &v, why, sizeof(why));
		log_debug("source %s: %s: dropped: %s", source, a->url[0] ? a->url : a->title, why);
		seen_add(&d->seen, key);
		d->n.dropped++;
		return 0;
	}
	art.source = source;
	art.title = a->title;
	art.url = a->url;
	art.lang = res.lang != LANG_UND ? lang_code(res.lang) : a->lang;
	art.published = a->date;
	art.has_published = a->has_date != 0;
	for (unsigned i = 0; i < res.n_picks; i++) {
		spans[i].p = (const char *)summ_text(&d->summ) + res.picks[i].offset;
		spans[i].len = res.picks[i].length;
	}
	art.sentences = spans;
	art.n_sentences = res.n_picks;
	/* Its story fingerprint, from its whole title and text as `digestd
	 * group` takes it, once it is sure to be listed: its stems then count
	 * in the window's document frequencies once, in the order articles
	 * arrive (docs/grouping.md). */
	rc = pending_fits(&d->pend, &art, group ? STORY_PRINT_TERMS : 0) ? 0 : -ENOSPC;
	if (rc == 0 && group)
		story_article(&d->story_doc, &d->story, a->title, strlen(a->title), a->text,
			      a->text_len, &d->story_print);
	/* Its text key, from the same title and text, goes into the seen-set
	 * with it once delivered (settle): the same text under a new link is
	 * then the article delivered, whatever grouping says (drop_repeats). */
	has_text = rc == 0 && seen_text_key(a->title, strlen(a->title), a->text, a->text_len,
					    text_key) == 0;
	if (rc == 0)
		rc = pending_add(&d->pend, key, has_text ? text_key : NULL, &art,
				 group ? &d->story_print : NULL);
	if (rc < 0) {
		if (!d->pend_full)
			log_warnx("%u articles wait for the next digest (the most it holds): "
				  "sources pause until it goes out", d->pend.n);
		d->pend_full = true;
		return -ENOBUFS;
	}
	d->n.summarised++;
	/* Saved before the source hears back: a feed records its validators at
	 * the end of the poll, and would answer 304 for this article after a
	 * crash. A small file (header, records, the text in use). When it cannot
	 * be saved the poll ends here, so that the feed keeps its old validators
	 * and offers the article again. */
	if (pipeline_save(d) < 0) {
		log_warnx("source %s: poll cut short: the articles taken cannot be saved", source);
		return -EIO;
	}
	return 0;
}

/* ---- the outbox ---- */

unsigned pipeline_retry_s(const struct daemon *d)
{
	unsigned s = d->cfg->n_endpoints ? d->cfg->endpoints[0].retry_base : 30;

	for (unsigned i = 1; i < d->cfg->n_endpoints; i++)
		if (d->cfg->endpoints[i].retry_base < s)
			s = d->cfg->endpoints[i].retry_base;
	return s;
}

/* The label of the endpoint whose outbox holds the most bytes into label
 * (size bytes) and those bytes into *most: the one that is not taking its
 * digests when the outboxes are full. */
static void outbox_fullest(const struct daemon *d, char *label, size_t size, uint64_t *most)
{
	*most = 0;
	snprintf(label, size, "?");
	for (unsigned i = 0; i < d->cfg->n_endpoints; i++) {
		if (d->ob_bytes_at[i] > *most) {
			*most = d->ob_bytes_at[i];
			cfg_endpoint_label(d->cfg->endpoints[i].name, label, size);
		}
	}
}

void pipeline_outbox_count(struct daemon *d)
{
	d->ob_count = 0;
	d->ob_bytes = 0;
	for (unsigned i = 0; i < d->cfg->n_endpoints; i++) {
		struct outbox *ob = &d->outboxes[d->cur][i];
		uint64_t bytes;
		unsigned count;

		d->ob_bytes_at[i] = 0;
		if (outbox_count(ob, &count) < 0 || outbox_bytes(ob, &bytes) < 0) {
			log_warnx("%s: cannot count its entries", ob->where);
			continue;
		}
		d->ob_count += count;
		d->ob_bytes += bytes;
		d->ob_bytes_at[i] = bytes;
	}
}

static void unclaimed_say(const char *name, const char *where, unsigned count, void *arg)
{
	char label[CFG_SOURCE_NAME_BYTES + 16];

	(void)arg;
	cfg_endpoint_label(name, label, sizeof(label));
	log_warnx("%s: %u digest%s wait%s for %s, which is not configured: kept, and pushed if "
		  "it is configured again (to drop them, move them out of the state folder)",
		  where, count, count == 1 ? "" : "s", count == 1 ? "s" : "", label);
}

void pipeline_outbox_unclaimed(struct daemon *d)
{
	(void)outbox_unclaimed(d->state_fd, d->cfg, unclaimed_say, NULL);
}

/* The pass ends: the next push time and the outbox counts. */
static void push_pass_end(struct daemon *d)
{
	d->push.active = false;
	d->metrics_due = true;
	d->outbox_due = d->push.due;
	pipeline_outbox_count(d);
	if (d->outbox_full && d->ob_bytes < d->cfg->digest.outbox_max) {
		log_info("outbox below its cap again (%llu bytes): composing resumes",
			 (unsigned long long)d->ob_bytes);
		d->outbox_full = false;
	}
}

/* Endpoint ep's state (its last answer) into st, fresh when it was kept
 * for another address (pipeline_endpoint_address); name: its state's name
 * (pipeline_endpoint_state), label: the endpoint's ("[endpoint NAME]"),
 * which its warnings (srcstate's) say with the file's path. Returns true
 * when st holds an answer of an earlier version's file, which names no
 * address: taken as of this one, it must be saved so for a later move to
 * be seen before the endpoint's next answer. */
static bool endpoint_load(const struct daemon *d, const struct cfg_endpoint *ep,
			  char name[PIPELINE_ENDPOINT_STATE_BYTES],
			  char label[SRCSTATE_WHO_BYTES], struct srcstate *st)
{
	char addr[PIPELINE_ENDPOINT_ADDRESS_BYTES];
	bool unnamed;

	pipeline_endpoint_state(ep, name);
	pipeline_endpoint_address(ep, addr);
	cfg_endpoint_label(ep->name, label, SRCSTATE_WHO_BYTES);
	srcstate_load(d->state_fd, d->cfg->daemon.state_dir, name, label, NULL, st);
	unnamed = !st->url_id && st->last_attempt;
	srcstate_for_url(st, addr);
	return unnamed;
}

/* An endpoint's last answer, kept like a source's state (srcstate, under
 * the name pipeline_endpoint_state gives) for `digestd status`, and for
 * the order of the push after a restart or a reload (pipeline_push_marks).
 * A failed save is logged by srcstate_save (with its path) and counted, and
 * the next answer tries again. */
static void endpoint_note(struct daemon *d, const struct cfg_endpoint *ep,
			  const struct push_result *res, int64_t now)
{
	struct srcstate st;
	char name[PIPELINE_ENDPOINT_STATE_BYTES], label[SRCSTATE_WHO_BYTES];

	endpoint_load(d, ep, name, label, &st);
	st.last_attempt = now;
	if (res->outcome == PUSH_DELIVERED) {
		st.last_success = now;
		st.failures = 0;
		st.problem_since = 0;
	} else {
		if (st.failures == 0)
			st.problem_since = now;
		st.failures += st.failures < UINT_MAX;
	}
	srcstate_note(&st, res->status, res->outcome == PUSH_DELIVERED ? NULL : res->message);
	st.items += res->outcome == PUSH_DELIVERED;
	if (srcstate_save(d->state_fd, d->cfg->daemon.state_dir, name, label, &st) < 0)
		d->n.state_saves++;
}

/* The walk of the current endpoint ends at a push to retry (or an outbox
 * it cannot list); the pass goes on with the other endpoints. */
static void walk_retry(struct daemon_push *ps)
{
	ps->ep_retry[ps->ep] = true;
}

/* A push of the current endpoint ended: the next endpoint's turn. */
static void walk_turn(struct daemon *d)
{
	d->push.ep = (d->push.ep + 1) % d->cfg->n_endpoints;
}

/* Moves ps->ep to the first endpoint from it on (round) whose walk is not
 * over, one whose last push failed only when no other's is left: such an
 * endpoint (a service that hangs until the timeout) then delays the others'
 * news by none of its pushes but the one in flight when the news comes. It
 * still takes its turn in every pass, after them. False when every walk
 * is over. */
static bool walk_pick(struct daemon *d)
{
	struct daemon_push *ps = &d->push;
	unsigned n = d->cfg->n_endpoints;

	for (int failing = 0; failing <= 1; failing++)
		for (unsigned i = 0; i < n; i++) {
			unsigned k = (ps->ep + i) % n;

			if (!ps->ep_retry[k] && !ps->ep_done[k] && ps->ep_failing[k] == failing) {
				ps->ep = k;
				return true;
			}
		}
	return false;
}

/* Entry eid is digest id's: its one webhook entry, or one of its parts
 * ("<id>-<k>"). */
static bool of_digest(const char *eid, const char *id)
{
	size_t n = strlen(id);

	if (strncmp(eid, id, n) != 0)
		return false;
	if (eid[n] == '\0')
		return true;
	if (eid[n] != '-' || !eid[n + 1])
		return false;
	for (const char *c = eid + n + 1; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	return true;
}

/* The id of part k (1-based) of digest id: "<id>-<k>". A content id is 35
 * bytes, so it always fits; -ENAMETOOLONG otherwise. */
static int part_id(char out[DIGEST_ID_BYTES], const char *id, unsigned k)
{
	int n = snprintf(out, DIGEST_ID_BYTES, "%s-%u", id, k);

	return n < 0 || n >= (int)DIGEST_ID_BYTES ? -ENAMETOOLONG : 0;
}

/* push's callback: the answer decides the entry's fate; a retry ends this
 * endpoint's walk, a stop the pass. */
static void on_pushed(void *arg, struct push_result *res)
{
	struct daemon *d = arg;
	struct daemon_push *ps = &d->push;
	struct outbox *ob = &d->outboxes[d->cur][ps->ep];
	struct outbox_entry *e = &d->entry;
	int64_t now = time(NULL);

	ps->inflight = false;
	if (res->outcome != PUSH_STOPPED) {
		endpoint_note(d, &d->cfg->endpoints[ps->ep], res, now);
		ps->ep_failing[ps->ep] = res->outcome != PUSH_DELIVERED;
	}
	switch (res->outcome) {
	case PUSH_DELIVERED:
		d->n.delivered++;
		/* Counted at once, not at the pass's end: a status line or a
		 * metrics file written meanwhile must not show it waiting. A
		 * failed remove was logged: the entry is remembered as taken,
		 * so that no pass sends it again (a chat service would show it
		 * twice), and this endpoint's walk waits until it is removed. */
		if (outbox_remove(ob, ps->name) == 0) {
			pipeline_outbox_count(d);
			walk_turn(d);
			break;
		}
		memcpy(ps->taken[ps->ep], ps->name, sizeof(ps->taken[0]));
		ps->due = min64(ps->due, now + d->cfg->endpoints[ps->ep].retry_base);
		walk_retry(ps);
		break;
	case PUSH_RETRY:
		d->n.push_failures++;
		if (outbox_update_attempt(ob, e, e->attempts + 1, res->retry_at, now) < 0)
			res->retry_at = now + d->cfg->endpoints[ps->ep].retry_base;
		ps->due = min64(ps->due, res->retry_at);
		walk_retry(ps);
		break;
	case PUSH_DEAD:
		d->n.dead++;
		outbox_dead_letter(ob, ps->name, res->message, res->answer, res->answer_len);
		walk_turn(d);
		break;
	case PUSH_STOPPED:
		push_pass_end(d);
		break;
	}
}

/* Keeps, in held, the digest that entry id (the digest's id, or a part's
 * "<digest id>-<k>") belongs to. */
static void hold_digest(char held[DIGEST_ID_BYTES], const char *id)
{
	size_t n = strcspn(id, "-");

	if (n >= DIGEST_ID_BYTES)
		n = DIGEST_ID_BYTES - 1;
	memcpy(held, id, n);
	held[n] = '\0';
}

/* Was entry e rendered for an endpoint of ep's kind? One whose kind is
 * not known (a part of an earlier version) is taken as fitting. */
static bool kind_fits(const struct outbox_entry *e, const struct cfg_endpoint *ep)
{
	return e->kind == OUTBOX_KIND_ANY || e->kind == (int)ep->kind;
}

/* Entry e was rendered for another kind of endpoint than the one now
 * configured under its outbox's name (a reload or a restart changed
 * [endpoint] kind): sent, it would arrive as the raw bytes of the other
 * kind (a webhook's JSON as an ntfy message), and its articles cannot be
 * rendered again (they left the pending list). It goes to dead/ with the
 * reason, never pushed. Returns 0, or outbox_dead_letter's error when the
 * move failed (logged). */
static int kind_refuse(struct daemon *d, struct outbox *ob, const struct outbox_entry *e)
{
	const struct cfg_endpoint *ep = &d->cfg->endpoints[d->push.ep];
	char was[OUTBOX_KIND_BYTES], now[OUTBOX_KIND_BYTES], why[OUTBOX_REASON_BYTES];
	char label[CFG_SOURCE_NAME_BYTES + 16];

	cfg_kind_word(e->kind, was, sizeof(was));
	cfg_kind_word((int)ep->kind, now, sizeof(now));
	cfg_endpoint_label(ep->name, label, sizeof(label));
	snprintf(why, sizeof(why), "rendered for kind = %s; %s is now kind = %s", was, label, now);
	int rc = outbox_dead_letter(ob, e->name, why, NULL, 0);

	if (rc < 0) {
		log_warnx("%s/%s: %s: not sent; kept in %s/, its move to %s/ tried again in %us",
			  ob->where, e->name, why, ob->where, ob->dead_where, ep->retry_base);
		return rc;
	}
	log_warnx("%s/%s: %s: not sent, moved to %s/", ob->where, e->name, why, ob->dead_where);
	d->n.dead++;
	d->n.stale++;
	return 0;
}

/* Entry e's last attempt is recorded ahead of now: the clock was set back
 * since (a bad time server, an admin). Its next-attempt, on the old clock,
 * would wait up to the step longer than asked; the wait asked for (the two
 * recorded times apart) counts from now instead, as a source's backoff does
 * (srcstate_not_before). Written back, so that the passes until then keep
 * that time rather than count the wait from each one's now. A failed write
 * (logged) leaves e due now: an early retry rather than a late one. */
static void attempt_rebase(struct outbox *ob, struct outbox_entry *e, int64_t now)
{
	int64_t wait = e->next_attempt > e->last_attempt ? e->next_attempt - e->last_attempt : 0;

	log_info("%s/%s: the clock was set back since its last attempt: next attempt in %lld s",
		 ob->where, e->name, (long long)wait);
	if (outbox_update_attempt(ob, e, e->attempts, now + wait, now) < 0)
		e->next_attempt = 0;
}

/* Is entry id (a digest's, or a part's) of the digest being written, for
 * endpoint ep: the articles' digest until settled, or the digest without
 * articles until ep's mark in empty-digest is saved? */
static bool in_flight(const struct daemon *d, const char *id, unsigned ep)
{
	if (d->pend.inflight && of_digest(id, d->pend.inflight_id))
		return true;
	return d->empty.id[0] && of_digest(id, d->empty.id) &&
	       !pending_empty_holds(&d->empty, d->cfg->endpoints[ep].name);
}

void pipeline_push_marks(struct daemon *d)
{
	char name[PIPELINE_ENDPOINT_STATE_BYTES], label[SRCSTATE_WHO_BYTES];
	struct srcstate st;

	memset(d->push.ep_failing, 0, sizeof(d->push.ep_failing));
	for (unsigned i = 0; i < d->cfg->n_endpoints; i++) {
		if (endpoint_load(d, &d->cfg->endpoints[i], name, label, &st) &&
		    srcstate_save(d->state_fd, d->cfg->daemon.state_dir, name, label, &st) < 0)
			d->n.state_saves++;
		d->push.ep_failing[i] = st.failures > 0;
	}
}

void pipeline_push_begin(struct daemon *d, bool every, bool resume)
{
	struct daemon_push *ps = &d->push;

	ps->active = true;
	ps->inflight = ps->blocked = false;
	ps->every = every;
	ps->due = SCHEDULE_NEVER;
	ps->ep = 0;
	memset(ps->ep_done, 0, sizeof(ps->ep_done));
	if (resume)
		return;
	memset(ps->ep_retry, 0, sizeof(ps->ep_retry));
	memset(ps->from, 0, sizeof(ps->from));
	memset(ps->held, 0, sizeof(ps->held));
}

void pipeline_push_step(struct daemon *d)
{
	struct daemon_push *ps = &d->push;
	struct outbox_entry *e = &d->entry;
	char name[OUTBOX_NAME_BYTES];
	int rc;

	ps->blocked = false;
	while (ps->active && !ps->inflight) {
		int64_t now = time(NULL);
		struct outbox *ob;
		unsigned retry_s;

		if (*d->stop || !walk_pick(d)) {
			push_pass_end(d);
			return;
		}
		ob = &d->outboxes[d->cur][ps->ep];
		retry_s = d->cfg->endpoints[ps->ep].retry_base;
		if (ps->taken[ps->ep][0]) {
			if (outbox_remove(ob, ps->taken[ps->ep]) < 0) {
				ps->due = min64(ps->due, now + retry_s);
				walk_retry(ps);
				continue;
			}
			ps->taken[ps->ep][0] = '\0';
			pipeline_outbox_count(d);
		}
		rc = outbox_next(ob, ps->from[ps->ep], name);
		if (rc == -ENOENT) {
			ps->ep_done[ps->ep] = true;
			continue;
		}
		if (rc < 0) {
			ps->due = min64(ps->due, now + retry_s);
			walk_retry(ps);
			continue;
		}
		rc = outbox_read(ob, name, e);
		if (rc == 0 && !ps->every && e->last_attempt > now)
			attempt_rebase(ob, e, now);
		if (rc == -EBADMSG) { /* damaged: outbox_read moved it to dead/ */
			d->n.dead++;
			d->n.damaged++;
		} else if (rc == 0 && !kind_fits(e, &d->cfg->endpoints[ps->ep])) {
			/* A failed move (disk full or read-only) is tried again
			 * after retry_base, as a damaged entry's is (outbox_read's
			 * error, below): left to the next pass, it would wait for
			 * whatever else starts one. */
			if (kind_refuse(d, ob, e) < 0)
				ps->due = min64(ps->due, now + retry_s);
		} else if (rc < 0 && rc != -ENOENT) {
			/* It cannot be read now (an I/O error, logged): tried
			 * again after retry_base, and its digest's later parts
			 * wait with it, as behind a retry time, rather than
			 * arrive before it. Other digests go on: a bad sector
			 * holds only its own digest. */
			ps->due = min64(ps->due, now + retry_s);
			if (outbox_name_id(name, e->id) == 0)
				hold_digest(ps->held[ps->ep], e->id);
		} else if (rc == 0 && !ps->every && e->next_attempt > now &&
			   e->next_attempt <= now + push_retry_most(&d->cfg->endpoints[ps->ep])) {
			/* It waits for its retry time. One further ahead than
			 * any retry sets was written by a clock ahead of this one
			 * (the clock was set back since, or a hand edit): not
			 * waited for, but tried now, rather than years later; a
			 * failure then sets its next time on this clock. */
			ps->due = min64(ps->due, e->next_attempt);
			hold_digest(ps->held[ps->ep], e->id);
		} else if (rc == 0 && of_digest(e->id, ps->held[ps->ep])) {
			/* A later part of a digest whose earlier part waits for
			 * its retry time (never tried, or tried before it; not
			 * under `every`, which tries each whatever its time) or
			 * could not be read: sent now, part 2 would come before
			 * part 1. Each part is still retried on its own; other
			 * digests go on. */
		} else if (rc == 0 && in_flight(d, e->id, ps->ep)) {
			/* Its articles are not in the seen-set yet (settle), or,
			 * for a digest without articles, this endpoint's mark is
			 * not saved yet (empty-digest): pushed now, it would leave
			 * the outbox, and a restart would compose it again and
			 * push it a second time. It waits. What follows it in
			 * this outbox is the rest of the same digest (its later
			 * parts, written again when it is composed again): the
			 * walk stops here, the cursor before it, so that a pass
			 * resumed after composing sends its parts in order, not
			 * part 2 before part 1. */
			ps->due = min64(ps->due, now + retry_s);
			ps->ep_done[ps->ep] = true;
			continue;
		} else if (rc == 0) {
			notify_status("pushing %s", e->id);
			rc = push_start(&d->pushes[d->cur][ps->ep], e, now, &ps->res, on_pushed, d);
			if (rc == -EBUSY) { /* every transfer slot taken: this entry next time */
				ps->blocked = true;
				return;
			}
			if (rc == -EINTR) {
				push_pass_end(d);
				return;
			}
			if (rc < 0) {
				if (outbox_dead_letter(ob, name, ps->res.message, NULL, 0) < 0)
					ps->due = min64(ps->due, now + retry_s);
				else
					d->n.dead++;
			} else {
				memcpy(ps->name, name, sizeof(ps->name));
				ps->inflight = true;
			}
		}
		memcpy(ps->from[ps->ep], name, sizeof(ps->from[0]));
	}
}

/* ---- composing ---- */

static int in_seen(const unsigned char key[SEEN_KEY_BYTES], void *arg)
{
	return seen_contains(arg, key);
}

/* A digest's articles move into the seen-set in two phases (docs/daemon.md):
 * the pending list names the digest (pend.inflight articles, inflight_id)
 * before it is written to the outbox; once it is there, settle() puts its
 * articles into the seen-set and only then takes them off the list. A save
 * failing at any step leaves the marker, and nothing new is composed until
 * the step is done: no article is lost, and none goes into a second digest
 * (a digest composed again has the same articles, hence the same id). */
static int settle(struct daemon *d)
{
	struct pending *p = &d->pend;
	int rc;

	d->inflight_written = false;
	if (!p->inflight)
		return 0; /* an empty digest (send_empty) has nothing to settle */
	d->inflight_written = true;
	for (unsigned i = 0; i < p->inflight; i++) {
		const unsigned char *text_key = pending_text_key(p, i);

		seen_add(&d->seen, p->item[i].key);
		if (text_key)
			seen_add(&d->seen, text_key);
	}
	rc = seen_commit(&d->seen);
	if (rc < 0) {
		log_warnx("digest %s: its %u articles stay listed until the seen-set is saved; "
			  "nothing new is composed before", p->inflight_id, p->inflight);
		return rc;
	}
	d->inflight_written = false;
	/* The digest's grouping stays in the window: its stories now count as
	 * delivered. Failing (said by stories_save) repeats nothing: the
	 * articles are in the seen-set; only a story of them may come again as
	 * new under another URL after a restart. */
	if (d->story_planned && d->cfg->digest.group)
		(void)stories_save(&d->story, d->state_fd, d->cfg->daemon.state_dir);
	d->story_planned = false;
	pending_shift(p, p->inflight);
	d->pend_full = false; /* room again: the paused sources poll */
	/* Failing here repeats nothing: the seen-set holds the articles, and
	 * start-up drops them from an old list. The list is saved again before
	 * the next poll, and --once says 75 meanwhile. */
	pipeline_save(d);
	return 0;
}

/* The source called name, NULL for one no longer configured. */
static const struct cfg_source *source_named(const struct cfg *c, const char *name)
{
	for (unsigned i = 0; i < c->n_sources; i++)
		if (strcmp(c->sources[i].name, name) == 0)
			return &c->sources[i];
	return NULL;
}

/* [source] weight of the source called name, 0 for one no longer
 * configured. */
static unsigned source_weight(const struct cfg *c, const char *name)
{
	const struct cfg_source *src = source_named(c, name);

	return src ? src->weight : 0;
}

/* A digest's plan: its items in digest order, each a run of size[i]
 * articles of the pending list, the first standing for the story and the
 * rest its "also" entries; idx lists the articles' places in the list, item
 * after item. */
struct plan {
	unsigned n_items, n_articles;
	unsigned size[RUN_PENDING_MAX];
	unsigned idx[RUN_PENDING_MAX];
};

/* Every waiting article without a story fingerprint gets one from what
 * the list keeps of it (title and key sentences), its stems counted into
 * the window in list order: articles listed by a digestd that kept no
 * fingerprints (pending file version 1), or while group = no. Said once,
 * when any had none. One whose fingerprint the full list has no room for
 * is grouped without one: an item of its own. */
static void prints_fill(struct daemon *d)
{
	struct digest_article art;
	struct digest_span spans[SUMM_MAX_PICK];
	unsigned made = 0, no_room = 0;

	for (unsigned i = 0; i < d->pend.n; i++) {
		if (d->pend.item[i].n_print != PENDING_NO_PRINT)
			continue;
		pending_get(&d->pend, i, &art, spans);
		story_begin(&d->story_doc);
		story_feed_title(&d->story_doc, art.title, strlen(art.title));
		for (unsigned k = 0; k < art.n_sentences; k++) {
			story_feed(&d->story_doc, spans[k].p, spans[k].len);
			/* Sentences are stored without the space between them. */
			story_feed(&d->story_doc, " ", 1);
		}
		story_end(&d->story_doc, &d->story, &d->story_print);
		if (pending_set_print(&d->pend, i, &d->story_print) < 0)
			no_room++;
		made++;
	}
	if (made)
		log_info("%u waiting articles had no story fingerprint (listed by an older "
			 "digestd, or with group = no): taken from their title and key sentences"
			 "%s", made, no_room ? "; the list has no room for some: items of their own" : "");
}

/* How many sources carried the group of articles idx[0..n): distinct
 * source names. */
static unsigned group_sources(const struct pending *p, const unsigned *idx, unsigned n)
{
	unsigned sources = 0;

	for (unsigned i = 0; i < n; i++) {
		const char *si = p->arena + p->item[idx[i]].off;
		unsigned j = 0;

		while (j < i && strcmp(si, p->arena + p->item[idx[j]].off) != 0)
			j++;
		sources += j == i;
	}
	return sources;
}

/* The story with this id (in the window, grouped by this compose) goes
 * out now, the pending article i standing for it: remembered for
 * drop_repeats. Its slot was saved in story_undo when the plan joined or
 * began it, so the change is taken back with the rest. */
static void story_delivered(struct daemon *d, uint32_t id, unsigned i, int64_t now)
{
	struct digest_article art;
	struct digest_span spans[SUMM_MAX_PICK];

	for (unsigned k = 0; k < STORY_WINDOW; k++) {
		struct story *s = &d->story.s[k];

		if (s->id != id)
			continue;
		story_undo_save(&d->story_undo, &d->story, k);
		pending_get(&d->pend, i, &art, spans);
		s->delivered = now;
		snprintf(s->url, sizeof s->url, "%s", art.url);
		return;
	}
}

/* Is article i the same title and text as an article a digest delivered
 * (its text key in the seen-set)? Then it is that article under a new link
 * (www., ?ref=, a new guid), never new coverage: held back whatever
 * repeat_after says. */
static bool delivered_text(struct daemon *d, unsigned i)
{
	const unsigned char *text_key = pending_text_key(&d->pend, i);

	return text_key && seen_contains(&d->seen, text_key);
}

/* The story of article i that an earlier digest delivered, repeat_after not
 * passed since; NULL when there is none. */
static const struct story *delivered_story(struct daemon *d, unsigned i, int64_t now)
{
	unsigned repeat_after = d->cfg->digest.repeat_after;
	const struct story *s;
	int slot;

	/* A headline with little or no text goes out: the lost article
	 * would cost more than a repeated line. */
	if (pending_print(&d->pend, i, &d->story_print) < 0 ||
	    d->story_print.n < STORY_HOLD_TERMS)
		return NULL;
	slot = story_find(&d->story, &d->story_print, NULL);
	if (slot < 0)
		return NULL;
	s = &d->story.s[slot];
	if (!s->delivered || (repeat_after && now - s->delivered >= (int64_t)repeat_after))
		return NULL;
	return s;
}

/* Says why article i is held back: its title and text delivered before
 * (story NULL), or its story, delivered as story->url. The article is
 * read from the list once, here, for either line. */
static void repeat_said(struct daemon *d, unsigned i, const struct story *story)
{
	struct digest_article art;
	struct digest_span spans[SUMM_MAX_PICK];
	char a[STORY_URL_BYTES], b[STORY_URL_BYTES];

	pending_get(&d->pend, i, &art, spans);
	if (!story)
		log_info("%s: %s has the title and text of an article already delivered: marked "
			 "seen, not delivered again", art.source,
			 art.url[0] ? url_redact(art.url, a, sizeof a) : art.title);
	else
		log_info("%s: %s is a story already delivered (as %s): marked seen, not "
			 "delivered again", art.source, url_redact(art.url, a, sizeof a),
			 url_redact(story->url, b, sizeof b));
}

/* Articles already delivered are not delivered again as new: one with the
 * title and text of an article delivered (with group = yes or no), and,
 * with group = yes, one of a story an earlier digest delivered unless
 * [digest] repeat_after has passed since (docs/grouping.md). They are
 * logged, marked seen and leave the pending list. Only between digests
 * (none in flight: its articles must stay as they were). Returns how many
 * left; the lists are saved when any did. */
static unsigned drop_repeats(struct daemon *d, int64_t now)
{
	struct pending *p = &d->pend;
	bool group = d->cfg->digest.group;
	unsigned dropped = 0;

	if (p->inflight)
		return 0;
	/* A time ahead of the clock was stamped on one since set back with no
	 * step seen (before a restart, or a step's shift past the file's
	 * times): counted from now, never waited for. */
	for (unsigned k = 0; k < STORY_WINDOW && group; k++)
		if (d->story.s[k].delivered > now)
			d->story.s[k].delivered = now;
	if (group)
		prints_fill(d);
	for (unsigned i = 0; i < p->n; i++) {
		bool text = delivered_text(d, i);
		const struct story *story = text || !group ? NULL : delivered_story(d, i, now);

		if (!text && !story)
			continue;
		repeat_said(d, i, story);
		seen_add(&d->seen, p->item[i].key);
		dropped++;
	}
	d->n.repeats += dropped;
	if (!dropped)
		return 0;
	pending_drop_if(p, in_seen, &d->seen);
	d->pend_full = false;
	/* A failed save (said) leaves them listed and the set dirty: the next
	 * compose drops them again, and nothing is delivered twice meanwhile. */
	if (seen_commit(&d->seen) == 0)
		pipeline_save(d);
	return dropped;
}

void pipeline_clock_step(struct daemon *d, int64_t step_s)
{
	for (unsigned k = 0; k < STORY_WINDOW; k++) {
		int64_t *t = &d->story.s[k].delivered;

		/* Never 0 (never delivered) nor below (a damaged file). */
		if (*t)
			*t = *t + step_s > 0 ? *t + step_s : 1;
	}
	/* Saved now, or a restart before the next digest (an upgrade, a
	 * crash) reads the old clock's times: a story delivered before NTP
	 * set the clock forward would be a year old. A digest not settled yet
	 * keeps its grouping out of the file until it is (settle saves it).
	 * Failing is said by stories_save, and the next settle saves again. */
	if (d->cfg->digest.group && !d->story_planned)
		(void)stories_save(&d->story, d->state_fd, d->cfg->daemon.state_dir);
}

/* Groups the first `limit` pending articles by story (docs/grouping.md):
 * each joins a story of the window (the stories of earlier digests and of
 * this one) or starts one, in the window itself, each story changed saved
 * first in d->story_undo (d->story_planned: pipeline_compose takes it back
 * unless the digest reaches the outbox). The articles of one story make
 * one item whose
 * first article (the first to arrive) stands for it. Items are ordered by
 * how many sources carried the story, most first, then by the weight of
 * the item's source, highest first, then by when it first arrived; an
 * item's source (its first article's) leads at most
 * max_per_source items. Articles left out (over that cap, or past
 * DIGEST_MAX_ALSO also entries) stay pending for the next digest, and so
 * do those that do not fit the digest (fill): only the stories of items
 * that went in keep a place in the window, as delivered (window_keep). */
static void plan_digest(struct daemon *d, unsigned limit, struct plan *pl)
{
	static const unsigned none = RUN_PENDING_MAX;
	const struct pending *p = &d->pend;
	unsigned max_per = d->cfg->digest.max_per_source;
	uint32_t story[RUN_PENDING_MAX];
	unsigned first[RUN_PENDING_MAX], next[RUN_PENDING_MAX], count[RUN_PENDING_MAX];
	unsigned sources[RUN_PENDING_MAX], weight[RUN_PENDING_MAX], order[RUN_PENDING_MAX];
	unsigned led[CFG_MAX_SOURCES];
	const char *led_by[CFG_MAX_SOURCES];
	unsigned n_groups = 0, n_led = 0;

	story_undo_begin(&d->story_undo, &d->story);
	d->story_planned = true;
	pl->n_items = pl->n_articles = 0;
	if (d->cfg->digest.group)
		prints_fill(d);
	for (unsigned i = 0; i < limit; i++) {
		const struct story_print *print = &d->story_print;
		unsigned g = 0, *tail;

		if (d->cfg->digest.group) {
			/* None (no room for it): empty, a story of its own. */
			(void)pending_print(p, i, &d->story_print);
			story[i] = story_add_undo(&d->story, story_find(&d->story, print, NULL),
						  print, &d->story_undo);
		} else {
			story[i] = i + 1; /* a story of its own */
		}
		next[i] = none;
		while (g < n_groups && story[first[g]] != story[i])
			g++;
		if (g == n_groups) {
			first[n_groups] = i;
			count[n_groups++] = 1;
			continue;
		}
		if (count[g] > DIGEST_MAX_ALSO)
			continue; /* waits: the item lists as many as it can */
		for (tail = &first[g]; *tail != none && next[*tail] != none; tail = &next[*tail])
			;
		next[*tail] = i;
		count[g]++;
	}
	/* Insertion sort, stable: most sources first, then the highest [source]
	 * weight of the source that leads the item, then first arrived. */
	for (unsigned g = 0; g < n_groups; g++) {
		unsigned members[DIGEST_MAX_ALSO + 1], m = 0, at = g;

		for (unsigned i = first[g]; i != none; i = next[i])
			members[m++] = i;
		sources[g] = group_sources(p, members, m);
		weight[g] = source_weight(d->cfg, p->arena + p->item[first[g]].off);
		while (at > 0 && (sources[order[at - 1]] < sources[g] ||
				  (sources[order[at - 1]] == sources[g] &&
				   weight[order[at - 1]] < weight[g]))) {
			order[at] = order[at - 1];
			at--;
		}
		order[at] = g;
	}
	for (unsigned o = 0; o < n_groups; o++) {
		unsigned g = order[o], l = 0;
		const char *src = p->arena + p->item[first[g]].off;

		if (max_per) {
			while (l < n_led && strcmp(led_by[l], src) != 0)
				l++;
			if (l == n_led && n_led < CFG_MAX_SOURCES) {
				led_by[n_led] = src;
				led[n_led++] = 0;
			}
			if (l < n_led && led[l] >= max_per)
				continue; /* waits for the next digest */
			if (l < n_led)
				led[l]++;
		}
		pl->size[pl->n_items++] = count[g];
		for (unsigned i = first[g]; i != none; i = next[i])
			pl->idx[pl->n_articles++] = i;
	}
}

/* Only the digest's own articles (its first k in the list, whole items)
 * keep a place in the window: the plan's grouping is taken back and theirs
 * made again in the order they arrived, so that articles left to wait
 * (max_per_source, max_articles, a busy feed's backlog) never push out a
 * story an earlier digest delivered (docs/grouping.md); they are grouped
 * again when they go out. The stories of the items that went in count as
 * delivered; an item that did not fit waits, its story not counted. */
static void window_keep(struct daemon *d, const struct plan *pl, unsigned k, int64_t now)
{
	static const unsigned none = RUN_PENDING_MAX;
	unsigned at[RUN_PENDING_MAX]; /* arrival place -> place in the list */
	uint32_t id[RUN_PENDING_MAX]; /* place in the list -> its story */

	story_undo(&d->story, &d->story_undo);
	for (unsigned i = 0; i < RUN_PENDING_MAX; i++)
		at[i] = none;
	for (unsigned t = 0; t < k; t++)
		at[pl->idx[t]] = t;
	for (unsigned i = 0; i < RUN_PENDING_MAX; i++) {
		if (at[i] == none)
			continue;
		/* None (no room for it): empty, a story of its own. */
		(void)pending_print(&d->pend, at[i], &d->story_print);
		id[at[i]] = story_add_undo(&d->story, story_find(&d->story, &d->story_print, NULL),
					   &d->story_print, &d->story_undo);
	}
	for (unsigned g = 0, t = 0; g < pl->n_items && t + pl->size[g] <= k; t += pl->size[g++])
		story_delivered(d, id[t], t, now);
}

/* Moves the planned articles to the front of the pending list in plan
 * order (the others keep theirs), so that a digest's articles are the
 * first of the list, as the two-phase compose needs. */
static void plan_apply(struct daemon *d, const struct plan *pl)
{
	bool moved[RUN_PENDING_MAX] = { false };

	for (unsigned t = 0; t < pl->n_articles; t++) {
		unsigned j = pl->idx[t], at = t;

		/* Its place now: after the t moved, as many as the unmoved before it. */
		for (unsigned i = 0; i < j; i++)
			at += !moved[i];
		pending_move(&d->pend, at, t);
		moved[j] = true;
	}
}

/* The format a webhook endpoint is sent in: [endpoint] format, whose 0 is
 * "digest" ([digest] format) and the others cfg_format + 1. */
static enum cfg_format webhook_format(const struct cfg *cfg, const struct cfg_endpoint *ep)
{
	return (enum cfg_format)(ep->format ? ep->format - 1 : cfg->digest.format);
}

/* The renderings a digest must keep within a body: the [digest] format
 * (rendered for the log line), each webhook's, and an email message when
 * an endpoint mails it. Chat kinds split a digest into parts instead. */
static unsigned must_fit(const struct cfg *cfg)
{
	unsigned mask = 1u << cfg->digest.format;

	for (unsigned i = 0; i < cfg->n_endpoints; i++) {
		const struct cfg_endpoint *ep = &cfg->endpoints[i];

		if (ep->kind == CFG_KIND_WEBHOOK)
			mask |= 1u << webhook_format(cfg, ep);
		else if (ep->kind == CFG_KIND_EMAIL)
			mask |= DIGEST_FIT_MAIL | 1u << CFG_FORMAT_TEXT | 1u << CFG_FORMAT_HTML;
	}
	return mask;
}

/* Adds the plan's items (whose articles are the first of the pending list,
 * plan_apply) to a digest with this id, as many as fit; returns how many
 * articles went in. */
static unsigned fill(struct daemon *d, const char *id, int64_t created, const char *host,
		     const struct plan *pl)
{
	struct digest_article art, other;
	struct digest_span spans[SUMM_MAX_PICK], scratch[SUMM_MAX_PICK];
	struct digest_also also[DIGEST_MAX_ALSO];
	unsigned k = 0;

	digest_begin(&d->dg, id, created, host, d->cfg->digest.max_articles);
	digest_must_fit(&d->dg, must_fit(d->cfg));
	for (unsigned i = 0; i < d->n_problems; i++) {
		const struct digest_problem *pr = &d->problems[i];

		digest_add_problem(&d->dg, pr->source, pr->since, pr->failures, pr->error);
	}
	for (unsigned g = 0; g < pl->n_items; g++) {
		pending_get(&d->pend, k, &art, spans);
		for (unsigned i = 1; i < pl->size[g]; i++) {
			pending_get(&d->pend, k + i, &other, scratch);
			also[i - 1].source = other.source;
			also[i - 1].title = other.title;
			also[i - 1].url = other.url;
		}
		art.also = also;
		art.n_also = pl->size[g] - 1;
		if (digest_add(&d->dg, &art) < 0)
			break;
		k += pl->size[g];
	}
	return k;
}

/* Did digest id reach the outbox of every endpoint, rendered for its kind?
 * Until then a restart composes it again (the endpoints that have it say
 * -EEXIST). */
static bool in_every_outbox(struct daemon *d, const char *id)
{
	char name[OUTBOX_NAME_BYTES], pid[DIGEST_ID_BYTES];

	for (unsigned i = 0; i < d->cfg->n_endpoints; i++) {
		struct outbox *ob = &d->outboxes[d->cur][i];
		unsigned n;

		if (d->cfg->endpoints[i].kind == CFG_KIND_WEBHOOK) {
			if (outbox_find(ob, id, name) != 0)
				return false;
			continue;
		}
		/* Part 1's header holds the count: every part must be there. */
		if (part_id(pid, id, 1) < 0 || outbox_find(ob, pid, name) != 0 ||
		    outbox_read(ob, name, &d->entry) != 0 ||
		    !kind_fits(&d->entry, &d->cfg->endpoints[i]))
			return false;
		n = d->entry.parts;
		for (unsigned k = 2; k <= n; k++)
			if (part_id(pid, id, k) < 0 || outbox_find(ob, pid, name) != 0)
				return false;
		if (n == 0)
			return false;
	}
	return true;
}

/* Feed health: the HTTP sources whose failed polls in a row reached
 * [daemon] problem_after and that no digest listed yet (their state files),
 * into d->problems; at most DIGEST_MAX_PROBLEMS, the rest wait. */
static void problems_gather(struct daemon *d)
{
	const struct cfg *c = d->cfg;

	d->n_problems = 0;
	for (unsigned i = 0; i < c->n_sources && d->n_problems < DIGEST_MAX_PROBLEMS; i++) {
		const struct cfg_source *src = &c->sources[i];
		struct digest_problem *pr = &d->problems[d->n_problems];
		struct srcstate st;

		if (src->type == CFG_SOURCE_FOLDER || !url_is_http(src->url))
			continue;
		srcstate_load(d->state_fd, c->daemon.state_dir, src->name, NULL, src->url, &st);
		if (st.failures < c->daemon.problem_after || st.problem_reported)
			continue;
		memcpy(pr->source, src->name, sizeof(pr->source));
		memcpy(pr->error, st.error, sizeof(pr->error));
		pr->since = st.problem_since;
		pr->failures = st.failures;
		d->n_problems++;
	}
}

/* The digest listing d->problems is in the outbox: each source's state file
 * marks its problem as told, unless it recovered meanwhile. A mark that
 * cannot be saved (said by srcstate_save, with its path, and counted)
 * lists the problem again next time: told twice rather than never. Sources
 * are found by name: a reload may come between the gathering and this (a
 * digest without articles done once a reload removed the endpoints that
 * lacked it), and one it removed has nothing to mark. */
static void problems_told(struct daemon *d)
{
	const struct cfg *c = d->cfg;

	for (unsigned i = 0; i < d->n_problems; i++) {
		const struct cfg_source *src = source_named(c, d->problems[i].source);
		struct srcstate st;

		if (!src)
			continue;
		srcstate_load(d->state_fd, c->daemon.state_dir, src->name, NULL, src->url, &st);
		if (st.failures < c->daemon.problem_after)
			continue;
		st.problem_reported = 1;
		if (srcstate_save(d->state_fd, c->daemon.state_dir, src->name, NULL, &st) < 0)
			d->n.state_saves++;
	}
	d->n_problems = 0;
}

/* The problems the digest in flight lists (the pending list keeps them
 * with its mark) into d->problems. */
static void problems_inflight(struct daemon *d)
{
	d->n_problems = d->pend.n_problems;
	memcpy(d->problems, d->pend.problem, sizeof(d->problems[0]) * d->n_problems);
}

int pipeline_restore(struct daemon *d)
{
	const char *dir = d->cfg->daemon.state_dir;
	struct pending *p = &d->pend;
	unsigned dropped = 0;
	int rc;

	rc = pending_load(p, d->state_fd, dir);
	if (rc == -EBADMSG) {
		rc = source_forget_validators(d->cfg, &d->sources[d->cur]);
		if (rc < 0) {
			log_errx("%s/pending: damaged, and the feeds' validators cannot be dropped "
				 "to fetch its articles again; trying again later", dir);
			return -EAGAIN;
		}
		rc = pending_set_aside(d->state_fd, dir);
		if (rc < 0)
			return -EAGAIN;
	} else if (rc < 0) {
		return rc;
	}
	if (p->inflight) {
		bool seen_all = true;

		for (unsigned i = 0; i < p->inflight; i++)
			seen_all = seen_all && seen_contains(&d->seen, p->item[i].key);
		if (seen_all || in_every_outbox(d, p->inflight_id)) {
			char id[DIGEST_ID_BYTES];
			unsigned n = p->inflight;

			/* Said after settle, which clears the list's mark. */
			memcpy(id, p->inflight_id, sizeof(id));
			/* Every endpoint holds it: the problems it lists are told
			 * now (the stop may have come before), not listed again. */
			problems_inflight(d);
			problems_told(d);
			d->inflight_written = true;
			if (settle(d) == 0)
				log_info("digest %s reached the outbox before the stop: its %u articles "
					 "are done", id, n);
		} else {
			log_info("digest %s was being written at the stop: composed again from its "
				 "%u articles, under the same id", p->inflight_id, p->inflight);
			/* Failed (said): those entries go to dead/ when pushed. */
			(void)pipeline_inflight_refit(d);
		}
	}
	/* Said when it cannot be used: the digest then goes to every endpoint
	 * under a new id. */
	(void)pending_empty_load(&d->empty, d->state_fd, dir);
	if (d->empty.id[0])
		log_info("digest %s (without articles) was being written at the stop: the "
			 "endpoints that lack it get it under the same id", d->empty.id);
	/* Only with no digest in flight: its articles must stay first. */
	if (!p->inflight)
		dropped = pending_drop_if(p, in_seen, &d->seen);
	if (dropped)
		pipeline_save(d);
	if (p->n)
		log_info("%u articles from before the restart wait for the next digest", p->n);
	return 0;
}

/* One entry written to endpoint i's outbox: counted toward outbox_max, or
 * said to be there already. */
static int entry_add(struct daemon *d, unsigned i, const char *id, int64_t now,
		     enum cfg_format fmt, const struct outbox_part *pt, size_t len,
		     unsigned *written)
{
	struct outbox *ob = &d->outboxes[d->cur][i];
	char name[OUTBOX_NAME_BYTES];
	int rc = outbox_add_part(ob, id, now, fmt, pt, d->body, len, name);

	if (rc == -EEXIST) {
		log_info("digest %s is in %s already as %s", id, ob->where, name);
		return 0;
	}
	if (rc < 0)
		return rc;
	(*written)++;
	d->ob_count++;
	d->ob_bytes += len;
	d->ob_bytes_at[i] += len;
	return 0;
}

/* Removes from endpoint i's outbox digest id's parts (parts) and its
 * webhook entry (whole). Parts are written 1..n and removed n..1, so a
 * crash leaves 1..m, found again. Returns 0 or a negative errno after
 * logging. */
static int withdraw_at(struct daemon *d, unsigned i, const char *id, bool parts, bool whole)
{
	struct outbox *ob = &d->outboxes[d->cur][i];
	char name[OUTBOX_NAME_BYTES], pid[DIGEST_ID_BYTES];
	unsigned n = 0;
	int rc = 0;

	while (parts && n < OUTBOX_MAX_PARTS && rc == 0) {
		rc = part_id(pid, id, n + 1);
		if (rc == 0)
			rc = outbox_find(ob, pid, name);
		n += rc == 0;
	}
	if (rc == -ENOENT)
		rc = 0;
	for (unsigned k = n; k > 0 && rc == 0; k--) {
		rc = part_id(pid, id, k);
		if (rc == 0)
			rc = outbox_find(ob, pid, name);
		if (rc == 0)
			rc = outbox_remove(ob, name);
	}
	if (rc == 0 && whole)
		rc = outbox_find(ob, id, name);
	if (rc == 0 && whole)
		rc = outbox_remove(ob, name);
	if (rc == -ENOENT)
		rc = 0;
	if (rc < 0)
		log_warnx("digest %s: %s: cannot withdraw its entries: %s", id, ob->where,
			  strerror(-rc));
	return rc;
}

/* Removes digest id's entries (its webhook entry, its parts) from every
 * outbox: a digest in flight composed again under another id (its articles
 * no longer fit one digest: max_articles, a format or the host name
 * changed) must not also go out under the first one. They were never
 * pushed: the push pass holds the entries of the digest in flight.
 * Returns 0 or a negative errno after logging: the compose then waits. */
static int withdraw(struct daemon *d, const char *id)
{
	int rc = 0;

	for (unsigned i = 0; i < d->cfg->n_endpoints && rc == 0; i++)
		rc = withdraw_at(d, i, id, true, true);
	return rc;
}

int pipeline_inflight_refit(struct daemon *d)
{
	const char *id = d->pend.inflight_id;
	char name[OUTBOX_NAME_BYTES], pid[DIGEST_ID_BYTES];
	int rc = 0;

	if (!d->pend.inflight || d->inflight_written)
		return 0;
	for (unsigned i = 0; i < d->cfg->n_endpoints && rc == 0; i++) {
		const struct cfg_endpoint *ep = &d->cfg->endpoints[i];
		struct outbox *ob = &d->outboxes[d->cur][i];
		bool hook = ep->kind == CFG_KIND_WEBHOOK, parts = hook;

		if (!hook && part_id(pid, id, 1) == 0 && outbox_find(ob, pid, name) == 0 &&
		    outbox_read(ob, name, &d->entry) == 0)
			parts = !kind_fits(&d->entry, ep);
		rc = withdraw_at(d, i, id, parts, !hook);
	}
	return rc;
}

/* Digest id's entries for endpoint i: a webhook's one entry under the
 * digest id (as before kinds, so receivers see no change), another kind's
 * parts as "<id>-<k>" for k = 1..n, each header naming k/n. d->body is
 * rendered again for each, the same bytes every time (message.h). */
static int compose_for(struct daemon *d, unsigned i, const char *id, int64_t now,
		       unsigned *written)
{
	const struct cfg_endpoint *ep = &d->cfg->endpoints[i];
	enum cfg_format fmt = (enum cfg_format)d->cfg->digest.format;
	struct message_opts o = { .kind = (enum message_kind)ep->kind, .format = fmt,
				  .from = ep->from, .to = ep->to, .subject = ep->subject,
				  .chat_id = ep->chat_id };
	struct message m;
	unsigned k = 0;
	size_t len;
	int rc;

	_Static_assert((int)MESSAGE_TELEGRAM == (int)CFG_KIND_TELEGRAM &&
			       (int)MESSAGE_WEBHOOK == (int)CFG_KIND_WEBHOOK,
		       "endpoint kinds and message kinds in one order");
	if (ep->kind == CFG_KIND_WEBHOOK) {
		fmt = webhook_format(d->cfg, ep);
		rc = digest_render(&d->dg, fmt, d->body, sizeof(d->body), &len);
		return rc < 0 ? rc : entry_add(d, i, id, now, fmt, NULL, len, written);
	}
	do {
		char pid[DIGEST_ID_BYTES];
		struct outbox_part pt;

		rc = message_render(&o, &d->dg, k, d->body, sizeof(d->body), &m);
		if (rc < 0)
			return rc;
		if (m.parts > OUTBOX_MAX_PARTS)
			return -E2BIG;
		rc = part_id(pid, id, k + 1);
		if (rc < 0)
			return rc;
		pt = (struct outbox_part){ .k = k, .n = m.parts, .kind = (int)ep->kind,
					   .title = m.title, .click = m.click };
		rc = entry_add(d, i, pid, now, fmt, &pt, m.len, written);
		if (rc < 0)
			return rc;
	} while (++k < m.parts);
	return 0;
}

/* Does every endpoint hold the digest without articles d->empty names? It
 * is then done: the next one takes a new id. */
static bool empty_everywhere(const struct daemon *d)
{
	for (unsigned i = 0; i < d->cfg->n_endpoints; i++)
		if (!pending_empty_holds(&d->empty, d->cfg->endpoints[i].name))
			return false;
	return true;
}

/* Saves digest id without articles, held by endpoint i (none: -1) and the
 * others that hold it already (an endpoint a reload removed is dropped),
 * listing the problems d->problems holds, as d->empty. Only a saved mark
 * counts: until then the push holds the endpoint's entries back
 * (in_flight), so that a restart, which writes them again (an entry
 * already there is kept), never sends one twice. 0 or a negative errno
 * after logging. */
static int empty_mark(struct daemon *d, const char *id, int i)
{
	struct pending_empty e = { .n = 0 };
	int rc = 0;

	memcpy(e.id, id, sizeof(e.id));
	for (unsigned j = 0; j < d->cfg->n_endpoints && rc == 0; j++)
		if ((int)j == i || (strcmp(id, d->empty.id) == 0 &&
				    pending_empty_holds(&d->empty, d->cfg->endpoints[j].name)))
			rc = pending_empty_add(&e, d->cfg->endpoints[j].name);
	for (unsigned j = 0; j < d->n_problems && rc == 0; j++)
		rc = pending_empty_list(&e, d->problems[j].source);
	if (rc == 0)
		rc = pending_empty_save(&e, d->state_fd, d->cfg->daemon.state_dir);
	if (rc == 0)
		d->empty = e;
	return rc;
}

/* The digest without articles d->empty names is not to be written further:
 * a digest with articles lists the problems, or nothing is left to say (a
 * source recovered). What a cut-short write left in the outboxes of the
 * endpoints that do not hold it (never pushed: in_flight) is withdrawn,
 * then the file removed. 0, or a negative errno after logging (kept: tried
 * again at the next compose). */
static int empty_drop(struct daemon *d)
{
	static const struct pending_empty none;
	int rc = 0;

	if (!d->empty.id[0])
		return 0;
	for (unsigned i = 0; i < d->cfg->n_endpoints && rc == 0; i++)
		if (!pending_empty_holds(&d->empty, d->cfg->endpoints[i].name))
			rc = withdraw_at(d, i, d->empty.id, true, true);
	if (rc == 0)
		rc = pending_empty_save(&none, d->state_fd, d->cfg->daemon.state_dir);
	if (rc == 0)
		d->empty = none;
	return rc;
}

/* pipeline_compose's work; the grouping it leaves in the window is taken
 * back by the caller unless the digest reached the outbox. */
static int compose(struct daemon *d, int64_t now)
{
	const struct cfg_digest *dc = &d->cfg->digest;
	struct pending *p = &d->pend;
	static const char placeholder[] = "dg_00000000000000000000000000000000";
	const unsigned char *keys[RUN_PENDING_MAX];
	struct plan pl;
	char id[DIGEST_ID_BYTES], host[DIGEST_HOST_BYTES] = "localhost";
	unsigned k, limit, written = 0;
	bool again = false;
	size_t len;
	int rc;

	if (p->inflight && d->inflight_written)
		return settle(d);
	drop_repeats(d, now);
	/* Every endpoint holds the digest without articles, but it was not
	 * done: a reload removed the endpoints that lacked it, or digestd
	 * stopped after its last write. The problems its last copy listed
	 * (empty-digest names their sources) are told now. */
	if (d->empty.id[0] && empty_everywhere(d)) {
		log_info("digest %s (without articles) is done: every endpoint holds it",
			 d->empty.id);
		d->n_problems = 0;
		for (unsigned i = 0; i < d->empty.n_listed; i++)
			memcpy(d->problems[d->n_problems++].source, d->empty.listed[i],
			       sizeof(d->problems[0].source));
		problems_told(d);
		rc = empty_drop(d);
		if (rc < 0)
			return rc;
	}
	/* A digest in flight composed again lists the problems it listed when
	 * first composed (the pending list keeps them): the endpoints that hold
	 * it and those that get it now see the same digest, and a problem new
	 * since waits for the next one rather than being told to some only. */
	if (p->inflight)
		problems_inflight(d);
	else
		problems_gather(d);
	/* Problems alone make a digest: when every feed fails, no article
	 * comes, and that is when the reader must hear (docs/status.md). */
	if (p->n == 0 && !dc->send_empty && !d->n_problems)
		return empty_drop(d); /* nothing left to retry */
	if (d->ob_bytes >= dc->outbox_max) {
		char label[CFG_SOURCE_NAME_BYTES + 16];
		uint64_t most;

		/* outbox_max is one cap for every endpoint: say which one fills it,
		 * since the others, which take their digests, wait too. */
		if (!d->outbox_full) {
			outbox_fullest(d, label, sizeof(label), &most);
			log_warnx("outbox full (%llu bytes, outbox_max %llu): composing paused for "
				  "every endpoint, %u articles wait; %s holds %llu bytes of it (is it "
				  "down?)", (unsigned long long)d->ob_bytes,
				  (unsigned long long)dc->outbox_max, p->n, label,
				  (unsigned long long)most);
		}
		d->outbox_full = true;
		return -EBUSY;
	}
	gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	/* Which articles fit decides the id, and the id's length how much fits:
	 * a placeholder of the content id's length finds them, then the digest
	 * is made again under its id. */
	_Static_assert(sizeof(placeholder) == sizeof("dg_") + 32, "a content id's length");
	limit = p->inflight ? p->inflight : p->n;
	plan_digest(d, limit, &pl);
	plan_apply(d, &pl);
	k = fill(d, placeholder, now, host, &pl);
	/* Cannot happen within the limits (64 sentences of at most 1 KiB fit an
	 * empty digest), but an article that never fits must not block the rest. */
	if (k == 0 && p->n > 0) {
		struct digest_article art;
		struct digest_span spans[SUMM_MAX_PICK];

		pending_get(p, 0, &art, spans);
		log_warnx("digest: an article from %s does not fit any digest; dropped", art.source);
		pending_shift(p, 1);
		d->pend_full = false;
		return pipeline_save(d);
	}
	if (k) {
		/* The daemon that composes it: two on one host have two state
		 * folders, and a receiver both push to must keep both digests. */
		char who[DIGEST_HOST_BYTES + CFG_PATH_BYTES + 2];

		snprintf(who, sizeof(who), "%s\n%s", host, d->cfg->daemon.state_dir);
		for (unsigned i = 0; i < k; i++)
			keys[i] = p->item[i].key;
		rc = digest_content_id(who, keys, k, id, sizeof(id));
	} else if (d->empty.id[0] && !empty_everywhere(d)) {
		memcpy(id, d->empty.id, sizeof(id));
		again = true;
		rc = 0;
	} else {
		rc = digest_new_id(now, id, sizeof(id));
	}
	if (rc < 0) {
		log_warnx("digest: no id: %s", strerror(-rc));
		return rc;
	}
	if (p->inflight) {
		again = true;
		if (strcmp(id, p->inflight_id) != 0) {
			log_warnx("digest %s: its %u articles no longer fit one digest; composed "
				  "again as %s, its entries under the first id withdrawn",
				  p->inflight_id, p->inflight, id);
			/* Before phase one names the new id: until then a
			 * restart finds the first id in flight, not settled. */
			rc = withdraw(d, p->inflight_id);
			if (rc < 0)
				return rc;
		}
	}
	fill(d, id, now, host, &pl);
	if (dc->group)
		window_keep(d, &pl, k, now);
	rc = digest_render(&d->dg, (enum cfg_format)dc->format, d->body, sizeof(d->body), &len);
	if (rc < 0) {
		log_warnx("digest %s: cannot render: %s", id, strerror(-rc));
		return rc;
	}
	/* One with articles lists the problems again, if any: a digest
	 * without articles still being written goes no further. */
	if (k) {
		rc = empty_drop(d);
		if (rc < 0)
			return rc;
	}
	/* Phase one: the list names the digest before it is written, so that
	 * start-up can tell whether its articles went into the outbox; a
	 * digest without articles is named by empty-digest. */
	if (!k && strcmp(id, d->empty.id) != 0 && empty_mark(d, id, -1) < 0) {
		log_warnx("digest %s not composed: %s/empty-digest cannot be saved", id,
			  d->cfg->daemon.state_dir);
		return -EIO;
	}
	p->inflight = k;
	memcpy(p->inflight_id, id, sizeof(p->inflight_id));
	/* With the mark, the problems it lists: told at start-up if digestd
	 * stops before it tells them below (pipeline_restore). */
	p->n_problems = k ? d->n_problems : 0;
	memcpy(p->problem, d->problems, sizeof(p->problem[0]) * p->n_problems);
	if (k && pipeline_save(d) < 0) {
		log_warnx("digest %s not composed (%u articles wait): the article list cannot be "
			  "saved", id, p->n);
		return -EIO;
	}
	/* Each endpoint's entries, each in its own outbox, all before phase
	 * two: one that failed is written when the digest is composed again.
	 * A digest without articles is not held back from the push once an
	 * endpoint's mark is saved (empty_mark): that endpoint may have sent
	 * it already, and its retry, here or after a restart, skips it. */
	for (unsigned i = 0; i < d->cfg->n_endpoints; i++) {
		if (!k && pending_empty_holds(&d->empty, d->cfg->endpoints[i].name))
			continue;
		rc = compose_for(d, i, id, now, &written);
		if (rc == 0 && !k)
			rc = empty_mark(d, id, (int)i);
		if (rc < 0) {
			log_warnx("digest %s not composed (%u articles wait): %s: %s", id, p->n,
				  d->outboxes[d->cur][i].where, strerror(-rc));
			return rc;
		}
	}
	if (written) {
		d->n.digests++;
		log_info("digest %s %s: %u articles in %u items, %zu bytes%s", id,
			 again ? "composed again" : "composed", k, digest_count(&d->dg), len,
			 p->n > k ? " (more wait for the next one)" : "");
	}
	/* Every endpoint holds it now. A digest without articles whose copies
	 * were all there already (written before a stop that came ahead of
	 * their marks) wrote nothing, but it is the digest telling the
	 * problems: left untold, they would make a second one. */
	if (written || !k)
		problems_told(d);
	/* Every endpoint holds it, its problems are told: the file goes. A
	 * removal that failed (said) is harmless: a file whose every endpoint
	 * holds its digest names none to write. */
	if (!k && empty_drop(d) < 0)
		memset(&d->empty, 0, sizeof(d->empty));
	d->outbox_due = 0;
	/* A pass under way walks on into the new entries: one whose walk had
	 * reached the end of its outbox would leave them to the next pass, and
	 * the pass's end sets the next one's time without them (the next
	 * digest's, for an endpoint with nothing to retry). */
	memset(d->push.ep_done, 0, sizeof(d->push.ep_done));
	d->inflight_written = true;
	return settle(d);
}

int pipeline_compose(struct daemon *d, int64_t now)
{
	int rc = compose(d, now);

	/* A digest that did not reach the outbox is grouped again when it is
	 * composed again, from the window as it was: its grouping is taken
	 * back now (drop_repeats must not see its stories as delivered). One
	 * that did is kept until settled. */
	if (d->story_planned && !d->inflight_written) {
		story_undo(&d->story, &d->story_undo);
		d->story_planned = false;
	}
	return rc;
}
