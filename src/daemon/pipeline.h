/* SPDX-License-Identifier: MIT */
/* The daemon's pipeline steps, each a function of struct daemon: an article
 * in (summary -> pending list), composing a digest (two-phase with the
 * seen-set) and a push pass over the outbox. No scheduling, no signals. */
#ifndef DIGESTD_PIPELINE_H
#define DIGESTD_PIPELINE_H

#include <stdbool.h>

#include "core/rules.h"
#include "daemon/daemon.h"
#include "sources/source.h"

/* The name under which an endpoint's last answer is kept in the state
 * folder, as a source's state (srcstate): last attempt, last success, HTTP
 * status, error, consecutive failures; items counts digests delivered.
 * Source names cannot hold ':': "endpoint:NAME", "endpoint:default" for
 * the plain [endpoint]. */
#define PIPELINE_ENDPOINT_STATE_BYTES (CFG_SOURCE_NAME_BYTES + 16u)
void pipeline_endpoint_state(const struct cfg_endpoint *ep,
			     char name[PIPELINE_ENDPOINT_STATE_BYTES]);

/* Where endpoint ep's pushes go, as one string of the keys that say it:
 * kind, url, url_file (slack, discord: the file's path, not the URL in
 * it), room (matrix), chat_id (telegram) and to (email). Its state is
 * kept for this address (srcstate_for_url): when a reload or a restart
 * changes one of these keys, the endpoint starts afresh, its failures at
 * the old address not counted against the new one (pipeline_push_marks).
 * Pure. */
#define PIPELINE_ENDPOINT_ADDRESS_BYTES                                                    \
	(16u + CFG_URL_BYTES + CFG_PATH_BYTES + 2u * CFG_TEXT_BYTES + CFG_ADDRLIST_BYTES)
void pipeline_endpoint_address(const struct cfg_endpoint *ep,
			       char out[PIPELINE_ENDPOINT_ADDRESS_BYTES]);

/* Saves the pending list. A failure is remembered (d->pend_dirty): until a
 * save succeeds no source may be polled (a feed would record validators
 * covering articles that are only in memory) and --once does not report
 * success. Returns 0 or pending_save's negative errno (logged there). */
int pipeline_save(struct daemon *d);

/* An article from source `source` (its name): its key is looked up in the
 * seen-set and the pending list; a new one over its first poll's backlog,
 * or one a drop rule (or no keep rule) refuses (pipeline_judge), is added
 * to the seen-set (committed when the poll ends) and counted; any other is
 * summarised, added to the list and the list saved. Returns 0 (taken, known, or skipped for having neither
 * URL nor id; d->n counts each), -ENOBUFS when the list is full (d->pend_full:
 * sources pause until a digest goes out), -EIO when the list cannot be saved
 * (the poll must end so that the feed keeps its validators). Either error
 * means: stop this source's poll. Blocks on the disk. */
int pipeline_article(struct daemon *d, const char *source, const struct source_article *a);

/* What the daemon does with an article before it is taken: summarises it
 * into summ (res: its key sentences; [source] sentences, else [digest]'s)
 * and asks rs for the verdict on its title, key sentences, author,
 * categories and URL (v). c and rs are one configuration's; a->idx must be
 * a source of c. Shared with `digestd filter-test`. Pure but for summ. */
void pipeline_judge(const struct cfg *c, const struct rules *rs, struct summ *summ,
		    const struct source_article *a, struct summ_result *res,
		    struct rules_verdict *v);

/* Nonzero when the article is digested (seen-set) or waiting (pending list):
 * asked before a teaser's page is fetched. Pure. */
int pipeline_known(const struct daemon *d, const struct source_article *a);

/* The pending list left by the last run. A digest being written then is
 * settled if it reached the outbox (or its articles are seen already), else
 * composed again later from the same articles; articles already seen are
 * dropped. A damaged list is set aside after the feeds' validators are
 * dropped, so that their next polls offer every article again. Returns 0,
 * -EAGAIN (try again later: exit 75) or another negative errno after logging
 * when the list cannot be trusted (saving over it would lose it). */
int pipeline_restore(struct daemon *d);

/* Composes one digest from the pending list at Unix second `now`, writes it
 * to every endpoint's outbox and only then marks its articles seen. An unsettled digest
 * goes first: if it reached the outbox only the seen-set is retried, else it
 * is composed again from the same articles (hence under the same id).
 * Returns 0 (also when there was nothing to send), -EBUSY while the outbox is
 * at outbox_max, or a save's negative errno (-ENOSPC for a full disk); the
 * articles then stay pending. Blocks on the disk. */
int pipeline_compose(struct daemon *d, int64_t now);

/* The wall clock stepped by step_s seconds (negative: back): the story
 * window's delivery times, stamped on the old clock, move with it, so that
 * [digest] repeat_after counts real time, and the window is saved (unless a
 * digest not settled yet holds its grouping in it). Blocks on the disk. */
void pipeline_clock_step(struct daemon *d, int64_t step_s);

/* Begins a pass over the endpoints' outboxes, each oldest first (d->push).
 * Only entries whose time has come are tried, or with `every` each entry
 * once (--once). The endpoints take turns, one push each, those whose last
 * push failed only once the others have none left in the pass. An
 * endpoint's walk stops at its first push to retry (the endpoint is then
 * unlikely to take the next one), the pass when *d->stop rises. With
 * `resume`, each endpoint goes on after the last entry the previous pass
 * tried there, and one whose walk stopped at a retry is left alone. */
void pipeline_push_begin(struct daemon *d, bool every, bool resume);

/* Each endpoint's mark in d->push.ep_failing from its state file
 * (pipeline_endpoint_state): failing while it counts failures since its
 * last delivered push; a missing or unreadable file, or one kept for
 * another address (pipeline_endpoint_address), not failing. A file of an
 * earlier version (no address) is taken as of the current one and saved
 * with it (a failed save logged and counted). Call once d->cfg's push
 * clients are the running ones (start-up, a reload), before a pass begins
 * on them. Blocks on the disk. */
void pipeline_push_marks(struct daemon *d);

/* Walks the pass on until a push is in flight (one at a time; its answer,
 * from net's callback, moves the entry on) or the pass ended: then
 * d->push.active is false and d->outbox_due and the outbox counts are set.
 * d->push.blocked when every transfer slot was taken: call again when one
 * ended. Never blocks for the network. */
void pipeline_push_step(struct daemon *d);

/* The digest in flight that is not yet in every outbox (composed again
 * next, under its id): its entries rendered for another kind than their
 * endpoint's now (a reload or a restart changed [endpoint] kind) are
 * withdrawn, so that it is written again in the endpoint's kind. Reads
 * entries into d->entry: call only with no push in flight. Returns 0 or
 * a negative errno after logging (those entries then go to dead/ when
 * pushed). Blocks on the disk. */
int pipeline_inflight_refit(struct daemon *d);

/* One warning line for each outbox in the state folder that holds entries
 * and that no configured endpoint takes (an [endpoint NAME] removed or
 * renamed; outbox_unclaimed): its digests wait, unsent, until an endpoint
 * of that name is configured again. At start-up and after a reload.
 * Blocks on the disk. */
void pipeline_outbox_unclaimed(struct daemon *d);

/* Counts the entries and bytes of every endpoint's outbox into d (a failure
 * is logged). */
void pipeline_outbox_count(struct daemon *d);

/* The shortest retry_base of the endpoints: how long to wait before trying
 * again what failed on the disk (a save, an outbox write). Pure. */
unsigned pipeline_retry_s(const struct daemon *d);

#endif
