/* SPDX-License-Identifier: MIT */
/* The pipeline steps of the daemon on its struct daemon: article in, the
 * two-phase compose that never loses an article nor digests one twice
 * (docs/daemon.md, "The pending list"), and the push pass. */
#include "pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/notify.h"
#include "daemon/schedule.h"
#include "summarise/lang.h"

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int pipeline_save(struct daemon *d)
{
	int rc = pending_save(&d->pend, d->state_fd, d->cfg->daemon.state_dir);

	d->pend_dirty = rc < 0;
	return rc;
}

/* The article's text through the summariser, its title weighing terms as a
 * seed file's does in `digestd summarize`. */
static void summarise(struct daemon *d, const struct source_article *a, enum lang lang,
		      struct summ_result *res)
{
	struct summ_opts o = { .count = d->cfg->digest.sentences, .lang = lang,
			       .method = SUMM_RANK, .title = a->title,
			       .title_len = strlen(a->title) };

	summ_begin(&d->summ);
	summ_feed(&d->summ, a->text, a->text_len);
	summ_end(&d->summ, &o, res);
}

int pipeline_known(const struct daemon *d, const struct source_article *a)
{
	unsigned char key[SEEN_KEY_BYTES];

	return seen_key(a->url, a->id, key) == 0 &&
	       (seen_contains(&d->seen, key) || pending_has(&d->pend, key));
}

int pipeline_article(struct daemon *d, const char *source, const struct source_article *a)
{
	unsigned char key[SEEN_KEY_BYTES];
	struct digest_span spans[SUMM_MAX_PICK];
	struct digest_article art;
	struct summ_result res;
	enum lang lang = LANG_UND;

	d->n.articles++;
	if (seen_key(a->url, a->id, key) < 0) {
		log_warnx("source %s: an article with neither URL nor id skipped", source);
		return 0;
	}
	if (seen_contains(&d->seen, key) || pending_has(&d->pend, key)) {
		d->n.known++;
		return 0;
	}
	/* a->lang is the source's language unless that is auto; a code the
	 * summariser does not know leaves detection on (LANG_UND). */
	if (a->lang[0] && lang_parse(a->lang, strlen(a->lang), &lang) < 0)
		lang = LANG_UND;
	summarise(d, a, lang, &res);
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
	if (pending_add(&d->pend, key, &art) < 0) {
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

void pipeline_outbox_count(struct daemon *d)
{
	d->ob_count = 0;
	d->ob_bytes = 0;
	for (unsigned i = 0; i < d->cfg->n_endpoints; i++) {
		struct outbox *ob = &d->outboxes[d->cur][i];
		uint64_t bytes;
		unsigned count;

		if (outbox_count(ob, &count) < 0 || outbox_bytes(ob, &bytes) < 0) {
			log_warnx("%s: cannot count its entries", ob->where);
			continue;
		}
		d->ob_count += count;
		d->ob_bytes += bytes;
	}
}

/* The pass ends: the next push time and the outbox counts. */
static void push_pass_end(struct daemon *d)
{
	d->push.active = false;
	d->outbox_due = d->push.due;
	pipeline_outbox_count(d);
	if (d->outbox_full && d->ob_bytes < d->cfg->digest.outbox_max) {
		log_info("outbox below its cap again (%llu bytes): composing resumes",
			 (unsigned long long)d->ob_bytes);
		d->outbox_full = false;
	}
}

/* The walk of the current endpoint ends at a push to retry (or an outbox
 * it cannot list); the pass goes on with the next endpoint. */
static void walk_retry(struct daemon_push *ps)
{
	ps->ep_retry[ps->ep] = true;
	ps->ep++;
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
	switch (res->outcome) {
	case PUSH_DELIVERED:
		d->n.delivered++;
		outbox_remove(ob, ps->name);
		break;
	case PUSH_RETRY:
		d->n.push_failures++;
		if (outbox_update_attempt(ob, e, e->attempts + 1, res->retry_at) < 0)
			res->retry_at = now + d->cfg->endpoints[ps->ep].retry_base;
		ps->due = min64(ps->due, res->retry_at);
		walk_retry(ps);
		break;
	case PUSH_DEAD:
		d->n.dead++;
		outbox_dead_letter(ob, ps->name, res->message, res->answer, res->answer_len);
		break;
	case PUSH_STOPPED:
		push_pass_end(d);
		break;
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
	if (resume)
		return;
	memset(ps->ep_retry, 0, sizeof(ps->ep_retry));
	memset(ps->from, 0, sizeof(ps->from));
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

		if (*d->stop || ps->ep >= d->cfg->n_endpoints) {
			push_pass_end(d);
			return;
		}
		if (ps->ep_retry[ps->ep]) {
			ps->ep++;
			continue;
		}
		ob = &d->outboxes[d->cur][ps->ep];
		retry_s = d->cfg->endpoints[ps->ep].retry_base;
		rc = outbox_next(ob, ps->from[ps->ep], name);
		if (rc == -ENOENT) {
			ps->ep++;
			continue;
		}
		if (rc < 0) {
			ps->due = min64(ps->due, now + retry_s);
			walk_retry(ps);
			continue;
		}
		rc = outbox_read(ob, name, e);
		if (rc == -EBADMSG) { /* damaged: outbox_read moved it to dead/ */
			d->n.dead++;
			d->n.damaged++;
		} else if (rc < 0 && rc != -ENOENT) {
			ps->due = min64(ps->due, now + retry_s);
		} else if (rc == 0 && !ps->every && e->next_attempt > now) {
			ps->due = min64(ps->due, e->next_attempt);
		} else if (rc == 0 && d->pend.inflight && strcmp(e->id, d->pend.inflight_id) == 0) {
			/* Its articles are not in the seen-set yet (settle): pushed
			 * now, it would leave the outbox, and a restart would compose
			 * it again and push it a second time. It waits for the
			 * seen-set. */
			ps->due = min64(ps->due, now + retry_s);
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
				d->n.dead++;
				outbox_dead_letter(ob, name, ps->res.message, NULL, 0);
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
	for (unsigned i = 0; i < p->inflight; i++)
		seen_add(&d->seen, p->item[i].key);
	rc = seen_commit(&d->seen);
	if (rc < 0) {
		log_warnx("digest %s: its %u articles stay listed until the seen-set is saved; "
			  "nothing new is composed before", p->inflight_id, p->inflight);
		return rc;
	}
	d->inflight_written = false;
	pending_shift(p, p->inflight);
	d->pend_full = false; /* room again: the paused sources poll */
	/* Failing here repeats nothing: the seen-set holds the articles, and
	 * start-up drops them from an old list. The list is saved again before
	 * the next poll, and --once says 75 meanwhile. */
	pipeline_save(d);
	return 0;
}

/* Adds the first articles of the pending list (at most limit) to a digest
 * with this id; returns how many went in. */
static unsigned fill(struct daemon *d, const char *id, int64_t created, const char *host,
		     unsigned limit)
{
	struct digest_article art;
	struct digest_span spans[SUMM_MAX_PICK];
	unsigned k = 0;

	digest_begin(&d->dg, id, created, host, d->cfg->digest.max_articles);
	for (; k < limit; k++) {
		pending_get(&d->pend, k, &art, spans);
		if (digest_add(&d->dg, &art) < 0)
			break;
	}
	return k;
}

/* Did digest id reach the outbox of every endpoint? Until then a restart
 * composes it again (the endpoints that have it say -EEXIST). */
static bool in_every_outbox(struct daemon *d, const char *id)
{
	char name[OUTBOX_NAME_BYTES];

	for (unsigned i = 0; i < d->cfg->n_endpoints; i++)
		if (outbox_find(&d->outboxes[d->cur][i], id, name) != 0)
			return false;
	return true;
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
		log_warnx("%s/pending: damaged; every feed is fetched in full at its next poll", dir);
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
			d->inflight_written = true;
			if (settle(d) == 0)
				log_info("digest %s reached the outbox before the stop: its %u articles "
					 "are done", p->inflight_id, p->inflight);
		} else {
			log_info("digest %s was being written at the stop: composed again from its "
				 "%u articles, under the same id", p->inflight_id, p->inflight);
		}
	}
	/* Only with no digest in flight: its articles must stay first. */
	if (!p->inflight)
		dropped = pending_drop_if(p, in_seen, &d->seen);
	if (dropped)
		pipeline_save(d);
	if (p->n)
		log_info("%u articles from before the restart wait for the next digest", p->n);
	return 0;
}

int pipeline_compose(struct daemon *d, int64_t now)
{
	const struct cfg_digest *dc = &d->cfg->digest;
	struct pending *p = &d->pend;
	static const char placeholder[] = "dg_00000000000000000000000000000000";
	const unsigned char *keys[DIGEST_MAX_ARTICLES];
	char id[DIGEST_ID_BYTES], host[DIGEST_HOST_BYTES] = "localhost";
	char name[OUTBOX_NAME_BYTES];
	unsigned k, limit, written = 0;
	bool again = false;
	size_t len;
	int rc;

	if (p->inflight && d->inflight_written)
		return settle(d);
	if (p->n == 0 && !dc->send_empty)
		return 0;
	if (d->ob_bytes >= dc->outbox_max) {
		if (!d->outbox_full)
			log_warnx("outbox full (%llu bytes, outbox_max %llu): composing paused, "
				  "%u articles wait", (unsigned long long)d->ob_bytes,
				  (unsigned long long)dc->outbox_max, p->n);
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
	k = fill(d, placeholder, now, host, limit);
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
	} else {
		rc = digest_new_id(now, id, sizeof(id));
	}
	if (rc < 0) {
		log_warnx("digest: no id: %s", strerror(-rc));
		return rc;
	}
	if (p->inflight) {
		again = true;
		if (strcmp(id, p->inflight_id) != 0)
			log_warnx("digest %s: its %u articles no longer fit one digest; composed "
				  "again as %s", p->inflight_id, p->inflight, id);
	}
	fill(d, id, now, host, k);
	rc = digest_render(&d->dg, (enum cfg_format)dc->format, d->body, sizeof(d->body), &len);
	if (rc < 0) {
		log_warnx("digest %s: cannot render: %s", id, strerror(-rc));
		return rc;
	}
	/* Phase one: the list names the digest before it is written, so that
	 * start-up can tell whether its articles went into the outbox. */
	p->inflight = k;
	memcpy(p->inflight_id, id, sizeof(p->inflight_id));
	if (k && pipeline_save(d) < 0) {
		log_warnx("digest %s not composed (%u articles wait): the article list cannot be "
			  "saved", id, p->n);
		return -EIO;
	}
	/* One entry per endpoint, each in its own outbox, all before phase
	 * two: one that failed is written when the digest is composed again. */
	for (unsigned i = 0; i < d->cfg->n_endpoints; i++) {
		struct outbox *ob = &d->outboxes[d->cur][i];

		rc = outbox_add(ob, id, now, (enum cfg_format)dc->format, d->body, len, name);
		if (rc == -EEXIST) {
			log_info("digest %s is in %s already as %s", id, ob->where, name);
		} else if (rc < 0) {
			log_warnx("digest %s not composed (%u articles wait): %s: %s", id, p->n,
				  ob->where, strerror(-rc));
			return rc;
		} else {
			written++;
			d->ob_count++;
			d->ob_bytes += len;
		}
	}
	if (written) {
		d->n.digests++;
		log_info("digest %s %s: %u articles, %zu bytes%s", id,
			 again ? "composed again" : "composed", k, len,
			 p->n > k ? " (more wait for the next one)" : "");
	}
	d->outbox_due = 0;
	d->inflight_written = true;
	return settle(d);
}
