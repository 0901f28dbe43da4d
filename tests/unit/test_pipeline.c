/* SPDX-License-Identifier: MIT */
/* Unit tests for src/daemon/pipeline on a daemon started on a temporary
 * state folder, without a network: articles handed to the article step,
 * then composed into an outbox entry (pending list emptied, keys in the
 * seen-set, on disk too); known articles; a seen-set or pending list that
 * cannot be saved (a folder planted at seen.tmp or pending.tmp) loses no
 * article and digests none twice, across a restart too; two daemons in
 * one process share nothing; a digest composed during a push pass goes out
 * in it (its pushes refused by a loopback port nobody listens on). */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "daemon/daemon.h"
#include "daemon/pipeline.h"

static struct daemon dm, other;
static struct seen disk_seen; /* the seen-set as a later run reads it */
static struct pending disk_pend;
static char root[64];
/* Lines added to the config's [source folder] section (keep/drop rules). */
static const char *source_extra = "";

static const char key_text[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"; /* 27 bytes */

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	CHECK(fclose(f) == 0);
	CHECK(chmod(path, mode) == 0);
}

/* A config with a folder source and an endpoint nobody listens on: a push
 * ends in a retry. Returns its path (static). */
static bool second_endpoint; /* config() adds [endpoint b] */
static const char *b_kind;    /* [endpoint b]'s kind, NULL: a webhook (slack, discord) */

static const char *config(const char *dir)
{
	static char ini[2][160];
	static unsigned which;
	char *path = ini[which++ % 2], text[2048], p[160];
	size_t n;

	snprintf(p, sizeof(p), "%s/key", dir);
	put(p, key_text, 0600);
	snprintf(p, sizeof(p), "%s/articles", dir);
	mkdir(p, 0700);
	n = (size_t)snprintf(text, sizeof(text),
			     "[daemon]\nstate_dir = %s/state\nlog_level = warning\n\n"
			     "[source folder]\nurl = %s/articles\ntype = folder\n%s\n"
			     "[digest]\nsentences = 2\nformat = json\n\n"
			     "[endpoint]\nurl = https://localhost:9/digest\n"
			     "signing_key_file = %s/key\n",
			     dir, dir, source_extra, dir);
	snprintf(p, sizeof(p), "%s/hook", dir);
	put(p, "https://localhost:9/api/webhooks/1/tok\n", 0600);
	if (second_endpoint && b_kind)
		snprintf(text + n, sizeof(text) - n, "[endpoint b]\nkind = %s\nurl_file = %s/hook\n",
			 b_kind, dir);
	else if (second_endpoint)
		snprintf(text + n, sizeof(text) - n,
			 "[endpoint b]\nurl = https://localhost:9/b\nsigning_key_file = %s/key\n",
			 dir);
	snprintf(path, sizeof(ini[0]), "%s/digestd.ini", dir);
	put(path, text, 0600);
	return path;
}

static void state_path(char *out, size_t size, const char *dir, const char *name)
{
	snprintf(out, size, "%s/state/%s", dir, name);
}

static int start(struct daemon *d, const char *dir)
{
	int rc = daemon_start(d, config(dir), false);

	CHECK_INT(rc, 0);
	return rc;
}

/* Hands article n (its own URL, title and text) to the article step. */
static int article(struct daemon *d, unsigned n)
{
	char url[64], title[64], text[512];
	struct source_article a = { .id = "", .lang = "en", .date = 1709640000, .has_date = 1 };

	snprintf(url, sizeof(url), "https://news.example.org/story-%u", n);
	snprintf(title, sizeof(title), "Harbour story %u", n);
	snprintf(text, sizeof(text),
		 "The harbour council met on Monday to discuss story %u in detail.\n"
		 "Fishermen said the new quay would change how they land their catch.\n"
		 "The mayor promised a vote on the plan before the end of the month.\n",
		 n);
	a.url = url;
	a.title = title;
	a.text = text;
	a.text_len = strlen(text);
	return pipeline_article(d, "folder", &a);
}

static void key_of(unsigned n, unsigned char key[SEEN_KEY_BYTES])
{
	char url[64];

	snprintf(url, sizeof(url), "https://news.example.org/story-%u", n);
	CHECK_INT(seen_key(url, "", key), 0);
}

/* The outbox's entries in order: how many, and into which of them each
 * article's title went (0 = none, -1 = several). */
static unsigned outbox_scan_ep(struct daemon *d, unsigned ep, const unsigned *ids,
			       unsigned n_ids, int *where)
{
	struct outbox *ob = &d->outboxes[d->cur][ep];
	char name[OUTBOX_NAME_BYTES], after[OUTBOX_NAME_BYTES] = "";
	unsigned count = 0;

	for (unsigned i = 0; i < n_ids; i++)
		where[i] = 0;
	while (outbox_next(ob, after, name) == 0) {
		count++;
		CHECK_INT(outbox_read(ob, name, &d->entry), 0);
		d->entry.body[d->entry.len < sizeof(d->entry.body) ? d->entry.len : 0] = '\0';
		for (unsigned i = 0; i < n_ids; i++) {
			char t[64];

			snprintf(t, sizeof(t), "\"Harbour story %u\"", ids[i]);
			if (strstr(d->entry.body, t))
				where[i] = where[i] ? -1 : (int)count;
		}
		snprintf(after, sizeof(after), "%s", name);
	}
	return count;
}

/* outbox_scan_ep of the first endpoint's outbox. */
static unsigned outbox_scan(struct daemon *d, const unsigned *ids, unsigned n_ids, int *where)
{
	return outbox_scan_ep(d, 0, ids, n_ids, where);
}

static const char *make_root(const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/pipe-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	CHECK(mkdtemp(root) != NULL);
	return root;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The state folder as the next run finds it: the pending list's length and
 * whether the seen-set file holds each article's key (1 each, else 0). */
static unsigned on_disk(const char *dir, const unsigned *ids, unsigned n_ids, int *in_seen)
{
	char state[96];
	int fd;

	snprintf(state, sizeof(state), "%s/state", dir);
	fd = open(state, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_INT(pending_load(&disk_pend, fd, state), 0);
	CHECK(seen_open(&disk_seen, fd, state, 4096) >= 0);
	for (unsigned i = 0; i < n_ids; i++) {
		unsigned char key[SEEN_KEY_BYTES];

		key_of(ids[i], key);
		in_seen[i] = seen_contains(&disk_seen, key);
	}
	close(fd);
	return disk_pend.n;
}

/* Two articles in, one digest out: the outbox entry holds both, the list is
 * empty and the seen-set has both keys, in memory and on disk. */
static void compose_takes_the_pending_articles(void)
{
	static const unsigned ids[] = { 1, 2 };
	const char *dir = make_root("compose");
	int where[2], seen_disk[2];
	unsigned char key[SEEN_KEY_BYTES];

	if (start(&dm, dir) != 0)
		return;
	CHECK_INT(article(&dm, 1), 0);
	CHECK_INT(article(&dm, 2), 0);
	CHECK_INT(dm.pend.n, 2);
	CHECK_INT(dm.n.summarised, 2);
	CHECK_INT(on_disk(dir, ids, 2, seen_disk), 2); /* saved before the source hears back */
	/* Each article's summary: the sentences picked, in the text's order. */
	CHECK_INT(dm.pend.item[0].n_sentences, 2);
	CHECK_INT(outbox_scan(&dm, ids, 2, where), 0);

	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(outbox_scan(&dm, ids, 2, where), 1);
	CHECK_INT(where[0], 1);
	CHECK_INT(where[1], 1);
	CHECK(strstr(dm.entry.body, "\"harbour council\"") != NULL || strstr(dm.entry.body, "harbour council") != NULL);
	CHECK_INT(dm.n.digests, 1);
	CHECK_INT(dm.ob_count, 1);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(dm.pend.inflight, 0);
	for (unsigned i = 0; i < 2; i++) {
		key_of(ids[i], key);
		CHECK(seen_contains(&dm.seen, key));
	}
	CHECK_INT(on_disk(dir, ids, 2, seen_disk), 0);
	CHECK_INT(seen_disk[0], 1);
	CHECK_INT(seen_disk[1], 1);
	/* Nothing waits: composing again writes nothing (send_empty is off). */
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(outbox_scan(&dm, ids, 2, where), 1);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* Articles a rule drops, and those past a first poll's backlog, never
 * reach the pending list or a digest: they are marked seen (in memory at
 * once, on disk with the next commit), so that they are not offered again. */
static void dropped_and_backlog_marked_seen(void)
{
	static const unsigned ids[] = { 1, 2, 3, 4, 5 };
	const char *dir = make_root("rules");
	int where[5], seen_disk[5];
	unsigned char key[SEEN_KEY_BYTES];
	struct source_article a = { .id = "", .lang = "en", .url = "https://news.example.org/story-5",
				    .title = "Harbour story 5", .text = "The quay.",
				    .text_len = 9, .over_backlog = 1 };

	/* Story 2 by its title, story 3 by its key sentences (which name it),
	 * story 4 for not being kept. */
	source_extra = "drop = title: story 2\ndrop = summary ~ story 3 in\n"
		       "keep = url ~ story-[1-3]$\n";
	if (start(&dm, dir) != 0)
		return;
	source_extra = "";
	for (unsigned n = 1; n <= 4; n++)
		CHECK_INT(article(&dm, n), 0);
	CHECK_INT(pipeline_article(&dm, "folder", &a), 0);
	CHECK_INT(dm.pend.n, 1);
	CHECK_INT(dm.n.summarised, 1);
	CHECK_INT(dm.n.dropped, 3);
	CHECK_INT(dm.n.over_backlog, 1);
	for (unsigned i = 1; i < 5; i++) {
		key_of(ids[i], key);
		CHECK(seen_contains(&dm.seen, key));
	}
	/* Offered again: known, not judged again. */
	CHECK_INT(article(&dm, 2), 0);
	CHECK_INT(dm.n.known, 1);
	CHECK_INT(dm.n.dropped, 3);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(outbox_scan(&dm, ids, 5, where), 1);
	CHECK_INT(where[0], 1);
	for (unsigned i = 1; i < 5; i++)
		CHECK_INT(where[i], 0);
	CHECK_INT(on_disk(dir, ids, 5, seen_disk), 0);
	for (unsigned i = 0; i < 5; i++)
		CHECK_INT(seen_disk[i], 1);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* A full pending list pauses the sources only until a digest takes its
 * articles: once composed, the list takes articles again and the sources
 * poll (the pause used to last until a restart). */
static void full_list_resumes_after_a_digest(void)
{
	const char *dir = make_root("full");
	unsigned n = 1;
	int rc;

	if (start(&dm, dir) != 0)
		return;
	while ((rc = article(&dm, n)) == 0 && n < 10 * RUN_PENDING_MAX)
		n++;
	CHECK_INT(rc, -ENOBUFS);
	CHECK(dm.pend_full);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK(dm.pend.n < n - 1);
	CHECK(!dm.pend_full);
	CHECK_INT(article(&dm, n), 0);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* An article waiting or digested is known: not summarised again, and a
 * teaser's page would not be fetched again. */
static void known_articles(void)
{
	static const unsigned ids[] = { 7 };
	const char *dir = make_root("known");
	struct source_article a = { .id = "", .url = "https://news.example.org/story-7",
				    .title = "", .lang = "", .text = "", .text_len = 0 };
	struct source_article anon = { .id = "", .url = "", .title = "No key", .lang = "",
				       .text = "Text.", .text_len = 5 };
	int where[1];

	if (start(&dm, dir) != 0)
		return;
	CHECK(!pipeline_known(&dm, &a));
	CHECK_INT(article(&dm, 7), 0);
	CHECK(pipeline_known(&dm, &a)); /* waiting */
	CHECK_INT(article(&dm, 7), 0);
	CHECK_INT(dm.pend.n, 1);
	CHECK_INT(dm.n.known, 1);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK(pipeline_known(&dm, &a)); /* digested */
	CHECK_INT(article(&dm, 7), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(dm.n.known, 2);
	/* Neither URL nor id: skipped, counted as offered only. */
	CHECK_INT(pipeline_article(&dm, "folder", &anon), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(dm.n.articles, 4);
	CHECK_INT(outbox_scan(&dm, ids, 1, where), 1);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* A seen-set written by digestd 0.1.0 holds keys of URLs with fbclid and
 * the like still in them: after the upgrade such an article, offered again
 * as it was, is known, and a new one is not. */
static void upgrade_keeps_old_keys(void)
{
	const char *dir = make_root("upgrade");
	const char *old_url = "https://news.example.org/story-9?fbclid=IwAR2x";
	struct source_article a = { .id = "", .url = old_url, .title = "", .lang = "",
				    .text = "", .text_len = 0 };
	unsigned char key[SEEN_KEY_BYTES];

	if (start(&dm, dir) != 0)
		return;
	CHECK_INT(seen_key_legacy(old_url, "", key), 0);
	CHECK_INT(seen_add(&dm.seen, key), 1);
	CHECK(pipeline_known(&dm, &a));
	CHECK_INT(pipeline_article(&dm, "folder", &a), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(dm.n.known, 1);
	a.url = "https://news.example.org/story-10?fbclid=IwAR2x";
	CHECK(!pipeline_known(&dm, &a));
	daemon_stop(&dm);
	remove_tree(dir);
}

/* [digest] words bounds each summary: of the two 12-word sentences that
 * sentences = 2 would keep, 13 words leave room for one. */
static void word_budget_of_the_config(void)
{
	const char *dir = make_root("words");

	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.words = 13;
	CHECK_INT(article(&dm, 3), 0);
	CHECK_INT(dm.pend.n, 1);
	CHECK_INT(dm.pend.item[0].n_sentences, 1);
	dm.cfg->digest.words = 24;
	CHECK_INT(article(&dm, 4), 0);
	CHECK_INT(dm.pend.item[1].n_sentences, 2);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* The seen-set cannot be saved (a folder planted at seen.tmp): the digest
 * reaches the outbox but its articles stay listed, marked in flight, and
 * nothing new is composed; a restart meanwhile finishes it; once the set can
 * be saved, each article is in exactly one digest. */
static void seen_save_failing_keeps_everything(void)
{
	static const unsigned ids[] = { 1, 2, 3 };
	const char *dir = make_root("seen");
	char tmp[128];
	int where[3], seen_disk[3];

	if (start(&dm, dir) != 0)
		return;
	/* article()'s texts share one template: one story to the grouping,
	 * whose later articles the story window would hold back. */
	dm.cfg->digest.group = false;
	state_path(tmp, sizeof(tmp), dir, "seen.tmp");
	CHECK_INT(article(&dm, 1), 0);
	CHECK_INT(mkdir(tmp, 0700), 0);
	CHECK(pipeline_compose(&dm, 1709643600) < 0);
	CHECK_INT(outbox_scan(&dm, ids, 3, where), 1);
	CHECK_INT(where[0], 1);
	CHECK_INT(dm.pend.n, 1);
	CHECK_INT(dm.pend.inflight, 1);
	CHECK(dm.inflight_written);
	CHECK(dm.seen.dirty);
	CHECK_INT(on_disk(dir, ids, 3, seen_disk), 1);
	CHECK_INT(disk_pend.inflight, 1);
	CHECK_INT(seen_disk[0], 0);
	/* A new article is taken, but no second digest is composed. */
	CHECK_INT(article(&dm, 2), 0);
	CHECK_INT(dm.pend.n, 2);
	CHECK(pipeline_compose(&dm, 1709647200) < 0);
	CHECK_INT(outbox_scan(&dm, ids, 3, where), 1);
	CHECK_INT(where[1], 0);

	/* Stopped meanwhile (the set still cannot be saved), then started
	 * again once it can: the digest in the outbox is finished. */
	daemon_stop(&dm);
	CHECK_INT(rmdir(tmp), 0);
	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.group = false;
	CHECK_INT(dm.pend.n, 1); /* article 2 waits */
	CHECK_INT(dm.pend.inflight, 0);
	CHECK_INT(on_disk(dir, ids, 3, seen_disk), 1);
	CHECK_INT(seen_disk[0], 1);
	CHECK_INT(seen_disk[1], 0);

	/* Failing again in the running daemon, then recovering. */
	CHECK_INT(article(&dm, 3), 0);
	CHECK_INT(mkdir(tmp, 0700), 0);
	CHECK(pipeline_compose(&dm, 1709650800) < 0);
	CHECK_INT(outbox_scan(&dm, ids, 3, where), 2);
	CHECK_INT(dm.pend.inflight, 2);
	CHECK_INT(rmdir(tmp), 0);
	CHECK_INT(pipeline_compose(&dm, 1709654400), 0); /* settles only */
	CHECK_INT(outbox_scan(&dm, ids, 3, where), 2);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(on_disk(dir, ids, 3, seen_disk), 0);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_INT(seen_disk[i], 1);
		CHECK(where[i] > 0); /* each in exactly one digest */
	}
	CHECK_INT(where[0], 1);
	CHECK_INT(where[1], 2);
	CHECK_INT(where[2], 2);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* The pending list cannot be saved (a folder planted at pending.tmp): the
 * article step says so (the poll must end, the feed keeps its validators),
 * the list is marked unsaved, and nothing is composed until it is saved. */
static void pending_save_failing(void)
{
	static const unsigned ids[] = { 4 };
	const char *dir = make_root("pending");
	char tmp[128];
	int where[1], seen_disk[1];

	if (start(&dm, dir) != 0)
		return;
	state_path(tmp, sizeof(tmp), dir, "pending.tmp");
	CHECK_INT(mkdir(tmp, 0700), 0);
	CHECK_INT(article(&dm, 4), -EIO);
	CHECK(dm.pend_dirty);
	CHECK_INT(dm.pend.n, 1); /* kept in memory */
	CHECK(pipeline_compose(&dm, 1709643600) < 0);
	CHECK_INT(outbox_scan(&dm, ids, 1, where), 0);
	CHECK_INT(rmdir(tmp), 0);
	CHECK_INT(pipeline_save(&dm), 0);
	CHECK(!dm.pend_dirty);
	CHECK_INT(on_disk(dir, ids, 1, seen_disk), 1);
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(outbox_scan(&dm, ids, 1, where), 1);
	CHECK_INT(where[0], 1);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* A page's main text is cut at the summariser's window (SOURCE_TEXT_BYTES):
 * the whole of it is summarised, up to its last sentence, which is the only
 * one with content words here (the rest are stopwords). */
static void text_filling_the_window(void)
{
	static char text[SOURCE_TEXT_BYTES];
	static const char filler[] = "It was what they said it would be, and so it was for all of "
				     "us when we were there with them.\n";
	static const char last[] = "Engineers reopened the harbour bridge after the storm.";
	struct source_article a = { .id = "", .url = "https://news.example.org/window",
				    .title = "Harbour bridge reopens after the storm",
				    .lang = "en", .text = text, .text_len = sizeof(text) };
	const char *dir = make_root("window");
	struct digest_span spans[SUMM_MAX_PICK];
	struct digest_article art;
	size_t n = 0, f = sizeof(filler) - 1, l = sizeof(last) - 1;
	int found = 0;

	while (n + f + l <= sizeof(text)) {
		memcpy(text + n, filler, f);
		n += f;
	}
	memset(text + n, ' ', sizeof(text) - l - n);
	memcpy(text + sizeof(text) - l, last, l);
	if (start(&dm, dir) != 0)
		return;
	CHECK_INT(pipeline_article(&dm, "page", &a), 0);
	CHECK_INT(dm.pend.n, 1);
	pending_get(&dm.pend, 0, &art, spans);
	for (unsigned i = 0; i < art.n_sentences; i++)
		found |= spans[i].len == l && memcmp(spans[i].p, last, l) == 0;
	if (!found)
		printf("  picked first: %.60s\n", art.n_sentences ? spans[0].p : "(none)");
	CHECK(found);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* Two daemons in one process, each on its own state folder: what one takes
 * and composes never shows in the other (no state outside struct daemon). */
static void two_daemons_share_nothing(void)
{
	static const unsigned ids[] = { 5, 6 };
	char a[64], b[64];
	int where[2];

	snprintf(a, sizeof(a), "%s", make_root("one"));
	snprintf(b, sizeof(b), "%s", make_root("two"));
	if (start(&dm, a) != 0 || start(&other, b) != 0)
		return;
	CHECK_INT(article(&dm, 5), 0);
	CHECK_INT(article(&other, 6), 0);
	CHECK_INT(dm.pend.n, 1);
	CHECK_INT(other.pend.n, 1);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(other.pend.n, 1);
	CHECK_INT(outbox_scan(&other, ids, 2, where), 0);
	CHECK_INT(pipeline_compose(&other, 1709643600), 0);
	CHECK_INT(outbox_scan(&dm, ids, 2, where), 1);
	CHECK_INT(where[0], 1);
	CHECK_INT(where[1], 0);
	CHECK_INT(outbox_scan(&other, ids, 2, where), 1);
	CHECK_INT(where[0], 0);
	CHECK_INT(where[1], 1);
	daemon_stop(&other);
	daemon_stop(&dm);
	remove_tree(a);
	remove_tree(b);
}

/* The same articles composed by two daemons on one host (two state
 * folders, say a JSON and a Markdown config) get two ids: a receiver that
 * both push to drops a repeated id, and must not drop the other's digest. */
static void two_daemons_two_ids(void)
{
	char a[64], b[64], na[OUTBOX_NAME_BYTES], nb[OUTBOX_NAME_BYTES];

	snprintf(a, sizeof(a), "%s", make_root("ida"));
	snprintf(b, sizeof(b), "%s", make_root("idb"));
	if (start(&dm, a) != 0 || start(&other, b) != 0)
		return;
	CHECK_INT(article(&dm, 7), 0);
	CHECK_INT(article(&other, 7), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(pipeline_compose(&other, 1709643600), 0);
	CHECK_INT(outbox_next(&dm.outboxes[dm.cur][0], "", na), 0);
	CHECK_INT(outbox_next(&other.outboxes[other.cur][0], "", nb), 0);
	CHECK(strcmp(strchr(na, '-'), strchr(nb, '-')) != 0);
	daemon_stop(&other);
	daemon_stop(&dm);
	remove_tree(a);
	remove_tree(b);
}

/* Story articles for the grouping tests: two outlets' reports of one
 * earthquake, and three other stories. */
static const struct {
	const char *url, *title, *text;
} stories[] = {
	{ "https://bbc.example/quake", "Earthquake shakes northern Chile coast",
	  "A magnitude 7.1 earthquake struck off the northern coast of Chile near Iquique on "
	  "Tuesday. Residents evacuated coastal towns after a tsunami warning was issued. "
	  "Officials reported damaged buildings and power cuts across Tarapaca." },
	{ "https://wire.example/chile-iquique", "Strong earthquake hits Chile near Iquique",
	  "A strong earthquake of magnitude 7.1 hit northern Chile near the port of Iquique. "
	  "A tsunami warning sent residents of coastal towns to higher ground. Power cuts and "
	  "damaged buildings were reported in Tarapaca." },
	{ "https://bbc.example/budget", "Parliament approves the national budget",
	  "Lawmakers approved the national budget after a long night of debate. The finance "
	  "minister said spending on schools and hospitals would rise. Opposition parties voted "
	  "against the plan and promised a referendum." },
	{ "https://bbc.example/cup", "Local club wins the cup final",
	  "The local football club won the cup final with a late goal from its young striker. "
	  "Thousands of supporters celebrated in the streets of the old town. The coach praised "
	  "the defence and dedicated the trophy to the fans." },
	{ "https://bbc.example/quake-again", "Earthquake shakes northern Chile coast again",
	  "A magnitude 7.1 earthquake struck the northern coast of Chile near Iquique on Tuesday. "
	  "Residents of coastal towns evacuated after the tsunami warning. Damaged buildings and "
	  "power cuts were reported across Tarapaca." },
};

static int story_art(struct daemon *d, const char *source, unsigned n)
{
	struct source_article a = { .id = "", .lang = "en", .date = 1709640000 + n,
				    .has_date = 1 };

	a.url = stories[n].url;
	a.title = stories[n].title;
	a.text = stories[n].text;
	a.text_len = strlen(a.text);
	return pipeline_article(d, source, &a);
}

static void story_key(unsigned n, unsigned char key[SEEN_KEY_BYTES])
{
	CHECK_INT(seen_key(stories[n].url, "", key), 0);
}

/* The body of the outbox's only or last entry, NUL-terminated in d->entry. */
static const char *last_body(struct daemon *d)
{
	char name[OUTBOX_NAME_BYTES], after[OUTBOX_NAME_BYTES] = "";

	while (outbox_next(&d->outboxes[d->cur][0], after, name) == 0)
		snprintf(after, sizeof(after), "%s", name);
	CHECK_INT(outbox_read(&d->outboxes[d->cur][0], after, &d->entry), 0);
	d->entry.body[d->entry.len < sizeof(d->entry.body) ? d->entry.len : 0] = '\0';
	return d->entry.body;
}

/* Two sources carrying one story make one item: the first to arrive with
 * the other as its "also" entry, ahead of a story one source carried that
 * arrived before it; all three articles are seen afterwards. */
static void one_story_two_sources(void)
{
	const char *dir = make_root("also");
	const char *body, *quake, *cup;
	unsigned char key[SEEN_KEY_BYTES];

	if (start(&dm, dir) != 0)
		return;
	CHECK_INT(story_art(&dm, "sport", 3), 0);
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(story_art(&dm, "wire", 1), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(digest_count(&dm.dg), 2);
	body = last_body(&dm);
	quake = strstr(body, "{\"source\":\"bbc\",\"title\":\"Earthquake shakes northern Chile coast\"");
	cup = strstr(body, "{\"source\":\"sport\"");
	CHECK(quake != NULL && cup != NULL && quake < cup);
	CHECK(strstr(body, "\"also\":[{\"source\":\"wire\",\"title\":\"Strong earthquake hits Chile "
			   "near Iquique\",\"url\":\"https://wire.example/chile-iquique\"}]}") != NULL);
	CHECK(strstr(body, "{\"source\":\"wire\",\"title\":\"Strong earthquake hits Chile near "
			   "Iquique\",\"url\":\"https://wire.example/chile-iquique\",\"published\"") ==
	      NULL);
	for (unsigned n = 0; n < 4; n++) {
		story_key(n, key);
		CHECK_INT(seen_contains(&dm.seen, key), n != 2);
	}
	daemon_stop(&dm);
	remove_tree(dir);

	/* group = no: every article an item of its own. */
	dir = make_root("noalso");
	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.group = false;
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(story_art(&dm, "wire", 1), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(digest_count(&dm.dg), 2);
	CHECK(strstr(last_body(&dm), "{\"source\":\"wire\",\"title\":\"Strong earthquake") != NULL);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* Runs pipeline_compose with the log (info and up) going into buf. */
static int compose_logged(struct daemon *d, int64_t now, char *buf, size_t size)
{
	struct check_capture c;
	int rc;

	CHECK_INT(check_stderr_begin(&c), 0);
	log_set_level(LOG_LVL_INFO);
	rc = pipeline_compose(d, now);
	log_set_level(LOG_LVL_WARN);
	check_stderr_end(&c, buf, size);
	return rc;
}

/* A story delivered in one digest that comes back under a new URL from
 * another source, after a restart (the window comes from the file
 * "stories"), is not delivered again: seen, off the list, logged with both
 * URLs. With repeat_after passed it is delivered as a new item; with
 * group = no the window has no effect. */
static void story_delivered_once(void)
{
	const char *dir = make_root("once");
	char log[4096], path[128];
	unsigned char key[SEEN_KEY_BYTES];
	const char *body;
	struct stat st;

	if (start(&dm, dir) != 0)
		return;
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(digest_count(&dm.dg), 1);
	state_path(path, sizeof path, dir, "stories");
	CHECK_INT(stat(path, &st), 0);
	daemon_stop(&dm);

	if (start(&dm, dir) != 0)
		return;
	CHECK_INT(story_art(&dm, "wire", 1), 0);
	CHECK_INT(story_art(&dm, "sport", 3), 0);
	CHECK_INT(compose_logged(&dm, 1709643600 + 86400, log, sizeof log), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(digest_count(&dm.dg), 1);
	body = last_body(&dm);
	CHECK(strstr(body, "\"source\":\"sport\"") != NULL);
	CHECK(strstr(body, "wire.example") == NULL);
	story_key(1, key);
	CHECK_INT(seen_contains(&dm.seen, key), 1);
	CHECK(strstr(log, "wire: https://wire.example/chile-iquique is a story already delivered "
			  "(as https://bbc.example/quake): marked seen") != NULL);
	daemon_stop(&dm);
	remove_tree(dir);

	/* repeat_after passed: delivered as a new item. */
	dir = make_root("repeat");
	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.repeat_after = 3600;
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(story_art(&dm, "wire", 1), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600 + 1800), 0);
	CHECK_INT(dm.pend.n, 0); /* not yet: seen, not delivered */
	CHECK(strstr(last_body(&dm), "wire.example") == NULL);
	CHECK_INT(story_art(&dm, "other", 4), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600 + 7200), 0);
	CHECK_INT(digest_count(&dm.dg), 1);
	CHECK(strstr(last_body(&dm), "https://bbc.example/quake-again") != NULL);
	daemon_stop(&dm);
	remove_tree(dir);

	/* group = no: no window effect. */
	dir = make_root("nowindow");
	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.group = false;
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(story_art(&dm, "wire", 1), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600 + 60), 0);
	CHECK(strstr(last_body(&dm), "wire.example/chile-iquique") != NULL);
	state_path(path, sizeof path, dir, "stories");
	CHECK(stat(path, &st) != 0);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* repeat_after counts real time across clock steps: a story delivered
 * while the clock was a year behind (a board before NTP) is not "a year
 * old" once the clock is set right (the step moves its time, in the
 * window's file too, which a restart before the next digest reads), and one
 * whose time lies ahead of the clock (set back before a restart, which no
 * step told) counts as delivered now, not held back for that long. */
static void repeat_after_across_clock_steps(void)
{
	const char *dir = make_root("stepped");
	const int64_t t = 1709643600, year = 365 * 86400;
	unsigned char key[SEEN_KEY_BYTES];

	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.repeat_after = 3600;
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(pipeline_compose(&dm, t - year), 0); /* a board before NTP */
	pipeline_clock_step(&dm, year);
	/* Restarted before the next digest (an upgrade, a crash): the window's
	 * file has the moved times too. */
	daemon_stop(&dm);
	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.repeat_after = 3600;
	CHECK_INT(story_art(&dm, "wire", 1), 0);
	CHECK_INT(pipeline_compose(&dm, t + 60), 0);
	story_key(1, key);
	CHECK_INT(seen_contains(&dm.seen, key), 1);
	CHECK(strstr(last_body(&dm), "wire.example") == NULL); /* held back */
	daemon_stop(&dm);

	/* Restarted with the clock a year behind the file's times. */
	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.repeat_after = 3600;
	CHECK_INT(story_art(&dm, "sport", 3), 0);
	CHECK_INT(pipeline_compose(&dm, t - year), 0); /* sees the story's time */
	CHECK_INT(story_art(&dm, "other", 4), 0);
	CHECK_INT(pipeline_compose(&dm, t - year + 7200), 0);
	CHECK(strstr(last_body(&dm), "https://bbc.example/quake-again") != NULL);
	daemon_stop(&dm);
	remove_tree(dir);
}


/* The same article (the same title and text) that its feed re-keys after
 * repeat_after (www. added and ?ref=, then a new guid in an entry without a
 * link) is the article already delivered, not a story coming back: seen,
 * logged, not delivered again, also after a restart (the seen-set's file
 * holds its text key), and with group = no. A story's genuinely new
 * article still comes back after repeat_after, and a headline without text
 * still goes out again. */
static void same_article_rekeyed(void)
{
	const char *dir = make_root("rekeyed");
	const int64_t t = 1709643600;
	char log[4096];
	unsigned char key[SEEN_KEY_BYTES];
	struct source_article a = { .id = "", .lang = "en", .date = 1709640000, .has_date = 1,
				    .url = "https://www.bbc.example/quake?ref=rss",
				    .title = stories[0].title, .text = stories[0].text };

	a.text_len = strlen(a.text);
	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.repeat_after = 3600;
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(pipeline_compose(&dm, t), 0);
	CHECK_INT(digest_count(&dm.dg), 1);
	daemon_stop(&dm);

	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.repeat_after = 3600;
	CHECK_INT(pipeline_article(&dm, "bbc", &a), 0);
	CHECK_INT(story_art(&dm, "sport", 3), 0);
	CHECK_INT(compose_logged(&dm, t + 7200, log, sizeof log), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(digest_count(&dm.dg), 1);
	CHECK(strstr(last_body(&dm), "www.bbc.example") == NULL);
	CHECK_INT(seen_key(a.url, "", key), 0);
	CHECK_INT(seen_contains(&dm.seen, key), 1);
	CHECK(strstr(log, "bbc: https://www.bbc.example/quake?*** has the title and text of "
			  "an article already delivered: marked seen, not delivered again") != NULL);

	/* A new guid, no link: the same text again, a day later. */
	a.url = "";
	a.id = "urn:uuid:6f1c0a9e-5b7d-4c2e-8f0a-0b1c2d3e4f50";
	CHECK_INT(pipeline_article(&dm, "bbc", &a), 0);
	CHECK_INT(story_art(&dm, "other", 2), 0);
	CHECK_INT(pipeline_compose(&dm, t + 86400), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(digest_count(&dm.dg), 1);
	CHECK(strstr(last_body(&dm), stories[0].title) == NULL);

	/* New coverage of the story: delivered, repeat_after having passed. */
	CHECK_INT(story_art(&dm, "bbc", 4), 0);
	CHECK_INT(pipeline_compose(&dm, t + 2 * 86400), 0);
	CHECK(strstr(last_body(&dm), "https://bbc.example/quake-again") != NULL);

	/* A headline without text under a new link goes out again. */
	for (unsigned i = 0; i < 2; i++) {
		struct source_article h = { .id = "", .lang = "en", .text = "",
					    .title = "Daily briefing" };

		h.url = i ? "https://www.pod.example/briefing" : "https://pod.example/briefing";
		CHECK_INT(pipeline_article(&dm, "pod", &h), 0);
		CHECK_INT(pipeline_compose(&dm, t + (3 + (int64_t)i) * 86400), 0);
		CHECK_INT(digest_count(&dm.dg), 1);
		CHECK(strstr(last_body(&dm), "Daily briefing") != NULL);
	}
	daemon_stop(&dm);
	remove_tree(dir);

	/* group = no: no story window, the text key still holds. */
	dir = make_root("rekeyed-nogroup");
	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.group = false;
	a.url = "https://www.bbc.example/quake?ref=rss";
	a.id = "";
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(pipeline_compose(&dm, t), 0);
	CHECK_INT(pipeline_article(&dm, "bbc", &a), 0);
	CHECK_INT(story_art(&dm, "sport", 3), 0);
	CHECK_INT(pipeline_compose(&dm, t + 60), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(digest_count(&dm.dg), 1);
	CHECK(strstr(last_body(&dm), "www.bbc.example") == NULL);
	daemon_stop(&dm);
	remove_tree(dir);
}
/* A headline with no text (a title-only feed: "Daily briefing" every day,
 * "Podcast episode 13" after 12, whose numbers are no terms) has too few
 * words to tell a new article from the one before: it is delivered, not
 * held back as a story already delivered. */
static void thin_article_not_held_back(void)
{
	static const char *const titles[] = { "Podcast episode 12", "Podcast episode 13" };
	const char *dir = make_root("thin");
	unsigned char key[SEEN_KEY_BYTES];

	if (start(&dm, dir) != 0)
		return;
	for (unsigned i = 0; i < 2; i++) {
		char url[64];
		struct source_article a = { .id = "", .lang = "en", .url = url, .text = "",
					    .title = titles[i] };

		snprintf(url, sizeof(url), "https://pod.example/%u", 12 + i);
		CHECK_INT(pipeline_article(&dm, "pod", &a), 0);
		CHECK_INT(pipeline_compose(&dm, 1709643600 + 86400 * (int64_t)i), 0);
		CHECK_INT(digest_count(&dm.dg), 1);
		CHECK(strstr(last_body(&dm), titles[i]) != NULL);
		CHECK_INT(seen_key(url, "", key), 0);
		CHECK_INT(seen_contains(&dm.seen, key), 1);
	}
	daemon_stop(&dm);
	remove_tree(dir);
}

/* Each article's fingerprint is taken as it arrives, from its whole title
 * and text as `digestd group` takes it (story_article), and counted once
 * in the window; articles listed without one (by an older digestd, or
 * while group = no) get one from what the list keeps, said once. */
static void story_print_on_arrival(void)
{
	static struct story_window fresh;
	static struct story_doc doc;
	static struct story_print want, got;
	const char *dir = make_root("print");
	char log[4096];
	const char *at;

	if (start(&dm, dir) != 0)
		return;
	CHECK_INT(dm.story.docs, 0);
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(dm.story.docs, 1);
	story_window_init(&fresh);
	story_article(&doc, &fresh, stories[0].title, strlen(stories[0].title), stories[0].text,
		      strlen(stories[0].text), &want);
	CHECK_INT(pending_print(&dm.pend, 0, &got), 0);
	CHECK(got.n == want.n && want.n > 0);
	CHECK(memcmp(got.hash, want.hash, want.n * sizeof(want.hash[0])) == 0 &&
	      memcmp(got.weight, want.weight, want.n * sizeof(want.weight[0])) == 0);
	CHECK(memcmp(dm.story.df, fresh.df, sizeof(fresh.df)) == 0);
	/* Kept on disk with the article. */
	CHECK_INT(pending_load(&disk_pend, dm.state_fd, dir), 0);
	CHECK(disk_pend.n == 1 && disk_pend.item[0].n_print == want.n);
	daemon_stop(&dm);
	remove_tree(dir);

	dir = make_root("noprint");
	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.group = false;
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(story_art(&dm, "wire", 1), 0);
	CHECK(dm.pend.item[0].n_print == PENDING_NO_PRINT &&
	      dm.pend.item[1].n_print == PENDING_NO_PRINT);
	CHECK_INT(dm.story.docs, 0);
	dm.cfg->digest.group = true;
	CHECK_INT(compose_logged(&dm, 1709643600, log, sizeof log), 0);
	at = strstr(log, "2 waiting articles had no story fingerprint");
	CHECK(at != NULL && strstr(at + 30, "had no story fingerprint") == NULL);
	CHECK_INT(digest_count(&dm.dg), 1);
	CHECK(strstr(last_body(&dm), "\"also\":[{\"source\":\"wire\"") != NULL);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* A compose that fails before its digest reaches the outbox (the list
 * cannot be saved: a folder planted at pending.tmp) leaves the story window
 * as it was, byte for byte; composed again, it groups as it would have. */
static void failed_compose_leaves_the_window(void)
{
	static struct story_window before;
	const char *dir = make_root("undo");
	char tmp[128];
	unsigned used = 0, joined = 0;

	if (start(&dm, dir) != 0)
		return;
	CHECK_INT(story_art(&dm, "bbc", 2), 0);
	CHECK_INT(pipeline_compose(&dm, 1709640000), 0); /* one story in the window */
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(story_art(&dm, "wire", 1), 0);
	CHECK_INT(story_art(&dm, "sport", 3), 0);
	before = dm.story;
	state_path(tmp, sizeof(tmp), dir, "pending.tmp");
	CHECK_INT(mkdir(tmp, 0700), 0);
	CHECK(pipeline_compose(&dm, 1709643600) < 0);
	CHECK(memcmp(&dm.story, &before, sizeof(before)) == 0);
	CHECK(!dm.story_planned);
	CHECK_INT(dm.pend.n, 3);
	CHECK_INT(rmdir(tmp), 0);
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(digest_count(&dm.dg), 2);
	CHECK(strstr(last_body(&dm), "\"also\":[{\"source\":\"wire\"") != NULL);
	for (unsigned i = 0; i < STORY_WINDOW; i++) {
		used += dm.story.s[i].id != 0;
		joined += dm.story.s[i].articles == 2;
	}
	CHECK_INT(used, 3);
	CHECK_INT(joined, 1);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* Hands article i of words of its own only (a story each) from source. */
static int distinct_art(struct daemon *d, const char *source, unsigned i)
{
	char url[64], title[64], text[160];
	struct source_article a = { .id = "", .lang = "en", .url = url, .title = title,
				    .text = text };

	snprintf(url, sizeof(url), "https://news.example.org/distinct-%u", i);
	snprintf(title, sizeof(title), "k%uxray k%uyankee", i, i);
	a.text_len = (size_t)snprintf(text, sizeof(text),
				      "k%ualpha k%ubravo k%ucharlie k%udelta k%uecho.", i, i, i, i, i);
	return pipeline_article(d, source, &a);
}

/* A digest of more stories than the window holds (its first stories
 * pushed out of the window by its last) goes out whole, and taken back it
 * leaves the window as it was: the undo list has room for every slot. */
static void digest_past_the_window(void)
{
	static struct story_window window_before;
	const char *dir = make_root("undowrap");
	unsigned n = STORY_WINDOW + 6;

	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.max_articles = n;
	for (unsigned i = 0; i < n; i++)
		CHECK_INT(distinct_art(&dm, "folder", i), 0);
	memcpy(&window_before, &dm.story, sizeof(window_before));
	story_undo_begin(&dm.story_undo, &dm.story);
	for (unsigned i = 0; i < n; i++) {
		struct story_print print;

		(void)pending_print(&dm.pend, i, &print);
		story_add_undo(&dm.story, story_find(&dm.story, &print, NULL), &print,
			       &dm.story_undo);
	}
	story_undo(&dm.story, &dm.story_undo);
	CHECK(memcmp(&window_before, &dm.story, sizeof(window_before)) == 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(digest_count(&dm.dg), n);
	CHECK_INT(dm.pend.n, 0);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* Articles that wait (max_per_source, max_articles) take no place in the
 * window: a busy feed whose backlog holds more stories than the window
 * cannot push out a story delivered before, which then comes back under a
 * new URL and is held back; the window holds only delivered stories. */
static void waiting_articles_keep_no_place(void)
{
	const char *dir = make_root("flood");
	unsigned char key[SEEN_KEY_BYTES];
	unsigned n = STORY_WINDOW + 6, used = 0;

	if (start(&dm, dir) != 0)
		return;
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	dm.cfg->digest.max_per_source = 1;
	for (unsigned i = 0; i < n; i++)
		CHECK_INT(distinct_art(&dm, "noisy", i), 0);
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(digest_count(&dm.dg), 1);
	CHECK_INT(dm.pend.n, n - 1);
	for (unsigned i = 0; i < STORY_WINDOW; i++)
		used += dm.story.s[i].id != 0;
	CHECK_INT(used, 2);
	CHECK_INT(story_art(&dm, "wire", 1), 0);
	CHECK_INT(pipeline_compose(&dm, 1709650800), 0);
	story_key(1, key);
	CHECK_INT(seen_contains(&dm.seen, key), 1);
	CHECK(!pending_has(&dm.pend, key));
	CHECK(strstr(last_body(&dm), "wire.example") == NULL);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* A digest in the outbox whose articles cannot be settled yet (the
 * seen-set cannot be saved: a folder at seen.tmp) keeps its grouping in
 * the window, and the window is saved once it is settled: a story of it
 * that comes back after a restart is held back. */
static void unsettled_digest_keeps_its_grouping(void)
{
	const char *dir = make_root("unsettled");
	char tmp[128], path[128];
	unsigned char key[SEEN_KEY_BYTES];
	struct stat st;
	unsigned used = 0;

	if (start(&dm, dir) != 0)
		return;
	state_path(tmp, sizeof(tmp), dir, "seen.tmp");
	state_path(path, sizeof(path), dir, "stories");
	CHECK_INT(story_art(&dm, "bbc", 0), 0);
	CHECK_INT(mkdir(tmp, 0700), 0);
	CHECK(pipeline_compose(&dm, 1709643600) < 0);
	CHECK(dm.inflight_written && dm.story_planned);
	for (unsigned i = 0; i < STORY_WINDOW; i++)
		used += dm.story.s[i].id != 0 && dm.story.s[i].delivered == 1709643600;
	CHECK_INT(used, 1);
	CHECK(stat(path, &st) != 0); /* not saved before it is settled */
	CHECK(pipeline_compose(&dm, 1709643700) < 0); /* still cannot settle */
	CHECK(dm.story_planned);
	CHECK_INT(rmdir(tmp), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643800), 0);
	CHECK(!dm.story_planned);
	CHECK_INT(stat(path, &st), 0);
	daemon_stop(&dm);

	if (start(&dm, dir) != 0)
		return;
	CHECK_INT(story_art(&dm, "wire", 1), 0);
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(dm.pend.n, 0);
	story_key(1, key);
	CHECK_INT(seen_contains(&dm.seen, key), 1);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* max_articles: a story whose item did not fit waits, and is delivered
 * next time, not held back as one delivered already. */
static void story_over_max_articles_waits(void)
{
	const char *dir = make_root("maxart");
	unsigned char key[SEEN_KEY_BYTES];

	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.max_articles = 1;
	CHECK_INT(story_art(&dm, "bbc", 2), 0);
	CHECK_INT(story_art(&dm, "sport", 3), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(digest_count(&dm.dg), 1);
	CHECK_INT(dm.pend.n, 1);
	CHECK(strstr(last_body(&dm), "Parliament approves") != NULL);
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(digest_count(&dm.dg), 1);
	CHECK(strstr(last_body(&dm), "Local club wins") != NULL);
	story_key(3, key);
	CHECK_INT(seen_contains(&dm.seen, key), 1);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* max_per_source: a source leads at most that many items; its others wait
 * for the next digest (pending, not seen) and go out in it. */
static void max_per_source_waits(void)
{
	const char *dir = make_root("cap");
	unsigned char key[SEEN_KEY_BYTES];
	const char *body;

	if (start(&dm, dir) != 0)
		return;
	dm.cfg->digest.max_per_source = 1;
	CHECK_INT(story_art(&dm, "noisy", 0), 0);
	CHECK_INT(story_art(&dm, "noisy", 2), 0);
	CHECK_INT(story_art(&dm, "calm", 3), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(digest_count(&dm.dg), 2);
	CHECK_INT(dm.pend.n, 1);
	story_key(2, key);
	CHECK_INT(seen_contains(&dm.seen, key), 0);
	CHECK(pending_has(&dm.pend, key));
	body = last_body(&dm);
	CHECK(strstr(body, "Parliament") == NULL);
	CHECK(strstr(body, "Local club") != NULL);
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(seen_contains(&dm.seen, key), 1);
	CHECK(strstr(last_body(&dm), "Parliament approves") != NULL);
	daemon_stop(&dm);
	remove_tree(dir);
}

/* How many entries outbox ob holds. */
static unsigned entries(struct outbox *ob)
{
	unsigned count = 0;

	CHECK_INT(outbox_count(ob, &count), 0);
	return count;
}

/* Stops dm and starts it again on dir as a crash would have left it:
 * endpoint b's entry `name` not written; the seen-set can be saved again
 * (the folder planted at seen_tmp goes). */
static int restart_without(const char *dir, const char *name, const char *seen_tmp)
{
	char p[256];

	daemon_stop(&dm);
	snprintf(p, sizeof(p), "%s/state/outbox/b/%s", dir, name);
	CHECK_INT(unlink(p), 0);
	CHECK_INT(rmdir(seen_tmp), 0);
	return start(&dm, dir);
}

/* Two endpoints: a digest is written to each one's outbox before its
 * articles are settled. One entry lost in a crash before the settling (the
 * seen-set could not be saved; the second entry deleted) is written again
 * at the next start, the other endpoint's kept as it was: each outbox holds
 * the digest once. */
static void every_endpoint_gets_each_digest(void)
{
	static const unsigned ids[] = { 1 };
	const char *dir = make_root("eps");
	char tmp[128], name[OUTBOX_NAME_BYTES], first[OUTBOX_NAME_BYTES];
	int where[1], seen_disk[1];

	second_endpoint = true;
	if (start(&dm, dir) != 0)
		goto out;
	CHECK_INT(dm.cfg->n_endpoints, 2);
	CHECK_STR(dm.outboxes[dm.cur][1].where, "outbox/b");
	state_path(tmp, sizeof(tmp), dir, "seen.tmp");
	CHECK_INT(article(&dm, 1), 0);
	CHECK_INT(mkdir(tmp, 0700), 0);
	CHECK(pipeline_compose(&dm, 1709643600) < 0);
	CHECK_INT(outbox_scan_ep(&dm, 0, ids, 1, where), 1);
	CHECK_INT(outbox_scan_ep(&dm, 1, ids, 1, where), 1);
	CHECK_INT(where[0], 1);
	CHECK_INT(dm.ob_count, 2);
	CHECK_INT(dm.n.digests, 1);
	CHECK_INT(outbox_oldest(&dm.outboxes[dm.cur][0], first), 0);
	CHECK_INT(outbox_oldest(&dm.outboxes[dm.cur][1], name), 0);
	/* As if the crash came between the two writes. */
	if (restart_without(dir, name, tmp) != 0)
		goto out;
	CHECK_INT(dm.pend.inflight, 1); /* not settled: b lacks it */
	CHECK_INT(on_disk(dir, ids, 1, seen_disk), 1);
	CHECK_INT(seen_disk[0], 0);
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(outbox_scan_ep(&dm, 0, ids, 1, where), 1);
	CHECK_INT(where[0], 1);
	CHECK_INT(outbox_scan_ep(&dm, 1, ids, 1, where), 1);
	CHECK_INT(where[0], 1);
	CHECK_INT(outbox_oldest(&dm.outboxes[dm.cur][0], name), 0);
	CHECK_STR(name, first); /* the first endpoint's entry is the one of before */
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(on_disk(dir, ids, 1, seen_disk), 0);
	CHECK_INT(seen_disk[0], 1);
	daemon_stop(&dm);
out:
	second_endpoint = false;
	remove_tree(dir);
}

/* Runs dm's transfers until its push in flight has its answer (here a
 * refused connection: a retry), at most 30 s. */
static void push_answered(void)
{
	int64_t give_up = net_now_ms() + 30000;

	while (dm.push.inflight && net_now_ms() < give_up) {
		struct pollfd fds[NET_MAX_FDS];
		size_t nf = net_pollfds(dm.net, fds, NET_MAX_FDS);
		int t = net_timeout(dm.net);

		if (poll(fds, nf, t < 0 || t > 1000 ? 1000 : t) < 0 && errno != EINTR)
			break;
		net_dispatch(dm.net, fds, nf);
	}
	CHECK(!dm.push.inflight);
}

/* Starts dm in dir with [endpoint b] (second_endpoint set) and composes a
 * first digest that the first endpoint took already: b alone holds it.
 * Returns start's result. */
static int first_taken_b_holds(const char *dir)
{
	char name[OUTBOX_NAME_BYTES];

	second_endpoint = true;
	if (start(&dm, dir) != 0)
		return -1;
	CHECK_INT(distinct_art(&dm, "folder", 1), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(outbox_oldest(&dm.outboxes[dm.cur][0], name), 0);
	CHECK_INT(outbox_remove(&dm.outboxes[dm.cur][0], name), 0);
	return 0;
}

/* A digest composed while a push pass is under way (a push of another
 * endpoint in flight) goes out in that pass to every endpoint, also to one
 * whose walk had already reached the end of its outbox: its entry does not
 * wait for a pass that only the next digest would start. */
static void digest_composed_during_a_pass(void)
{
	const char *dir = make_root("midpass");
	char second[OUTBOX_NAME_BYTES];

	if (first_taken_b_holds(dir) != 0)
		goto out;
	pipeline_push_begin(&dm, false, false);
	pipeline_push_step(&dm);
	CHECK(dm.push.active && dm.push.inflight);
	CHECK_INT(dm.push.ep, 1);
	CHECK_INT(distinct_art(&dm, "folder", 2), 0);
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(outbox_oldest(&dm.outboxes[dm.cur][0], second), 0);
	/* b's push ends in a retry (nobody listens), which ends b's walk. */
	push_answered();
	pipeline_push_step(&dm);
	CHECK(dm.push.active && dm.push.inflight);
	CHECK_INT(dm.push.ep, 0);
	CHECK_STR(dm.push.name, second);
	daemon_stop(&dm);
out:
	second_endpoint = false;
	remove_tree(dir);
}

/* At outbox_max, composing pauses and the log names the endpoint whose
 * outbox holds the most, with its bytes: b, once the first endpoint took
 * its entry. */
static void outbox_full_names_the_fullest(void)
{
	const char *dir = make_root("full");
	char log[2048], want[128];
	uint64_t b_bytes;

	if (first_taken_b_holds(dir) != 0)
		goto out;
	pipeline_outbox_count(&dm);
	CHECK_INT(outbox_bytes(&dm.outboxes[dm.cur][1], &b_bytes), 0);
	CHECK(b_bytes > 0);
	CHECK_INT(dm.ob_bytes, b_bytes);
	dm.cfg->digest.outbox_max = b_bytes;
	CHECK_INT(distinct_art(&dm, "folder", 2), 0);
	CHECK_INT(compose_logged(&dm, 1709647200, log, sizeof log), -EBUSY);
	snprintf(want, sizeof want, "; [endpoint b] holds %llu bytes of it (is it down?)",
		 (unsigned long long)b_bytes);
	CHECK(strstr(log, want) != NULL);
	if (!strstr(log, want))
		printf("  log: %s\n", log);
	daemon_stop(&dm);
out:
	second_endpoint = false;
	remove_tree(dir);
}

/* Articles 1..n (ids[]) composed into a digest left in flight: written to
 * every outbox but not settled, the seen-set's save blocked by a folder at
 * its temporary name, whose path goes to tmp. */
static void compose_unsettled(const char *dir, unsigned *ids, unsigned n, char *tmp, size_t size)
{
	state_path(tmp, size, dir, "seen.tmp");
	for (unsigned i = 0; i < n; i++) {
		ids[i] = i + 1;
		CHECK_INT(article(&dm, ids[i]), 0);
	}
	CHECK_INT(mkdir(tmp, 0700), 0);
	CHECK(pipeline_compose(&dm, 1709643600) < 0);
}

/* A digest in flight whose articles no longer fit one digest when it is
 * composed again (here max_articles lowered before the restart; a reload
 * or a host name changed does the same) goes out under another id: the
 * first id's entries, written before the crash (the webhook's entry, the
 * first of endpoint b's two Discord parts), are withdrawn, not pushed
 * beside it. Each article in exactly one entry of each outbox. */
static void recomposed_under_another_id(void)
{
	static unsigned ids[12];
	static int where[12];
	const char *dir = make_root("reid");
	struct outbox *b;
	char tmp[128], name[OUTBOX_NAME_BYTES], old_id[DIGEST_ID_BYTES], pid[80];
	unsigned n = sizeof(ids) / sizeof(ids[0]);

	second_endpoint = true;
	if (start(&dm, dir) != 0)
		goto out;
	dm.cfg->digest.group = false;
	dm.cfg->endpoints[1].kind = CFG_KIND_DISCORD; /* at most 10 embeds a part */
	compose_unsettled(dir, ids, n, tmp, sizeof(tmp));
	CHECK_INT(outbox_scan_ep(&dm, 0, ids, n, where), 1);
	snprintf(old_id, sizeof(old_id), "%s", dm.pend.inflight_id);
	snprintf(pid, sizeof(pid), "%s-2", old_id);
	CHECK_INT(outbox_find(&dm.outboxes[dm.cur][1], pid, name), 0);
	/* As if the crash came between b's two parts. */
	if (restart_without(dir, name, tmp) != 0)
		goto out;
	dm.cfg->digest.group = false;
	dm.cfg->endpoints[1].kind = CFG_KIND_DISCORD;
	dm.cfg->digest.max_articles = 4;
	b = &dm.outboxes[dm.cur][1];
	CHECK_INT(dm.pend.inflight, n);
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(dm.pend.n, n - 4);
	CHECK_INT(outbox_scan_ep(&dm, 0, ids, n, where), 1);
	for (unsigned i = 0; i < n; i++)
		CHECK_INT(where[i], i < 4 ? 1 : 0);
	CHECK(outbox_find(&dm.outboxes[dm.cur][0], old_id, name) == -ENOENT);
	snprintf(pid, sizeof(pid), "%s-1", old_id);
	CHECK(outbox_find(b, pid, name) == -ENOENT);
	CHECK_INT(entries(b), 1);
	CHECK_INT(pipeline_compose(&dm, 1709650800), 0);
	CHECK_INT(pipeline_compose(&dm, 1709654400), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(outbox_scan_ep(&dm, 0, ids, n, where), 3);
	for (unsigned i = 0; i < n; i++)
		CHECK_INT(where[i], (int)i / 4 + 1);
	CHECK_INT(entries(b), 3);
	daemon_stop(&dm);
out:
	second_endpoint = false;
	remove_tree(dir);
}

/* Every entry of outbox ob was rendered for kind `kind`; how many. */
static unsigned entries_of_kind(struct daemon *d, struct outbox *ob, int kind)
{
	char name[OUTBOX_NAME_BYTES], after[OUTBOX_NAME_BYTES] = "";
	unsigned count = 0;

	while (outbox_next(ob, after, name) == 0) {
		CHECK_INT(outbox_read(ob, name, &d->entry), 0);
		CHECK_INT(d->entry.kind, kind);
		count++;
		snprintf(after, sizeof(after), "%s", name);
	}
	return count;
}

/* A digest in flight, in every outbox but not settled (the seen-set could
 * not be saved), when a restart changes [endpoint b] kind from discord to
 * slack: b's Discord parts do not count as the digest written there, nor
 * are they kept beside Slack ones; it is composed again under its id,
 * b's parts all rendered for Slack, the webhook's entry kept as it was. */
static void recomposed_for_another_kind(void)
{
	static unsigned ids[12];
	const char *dir = make_root("kind");
	char tmp[128], first[OUTBOX_NAME_BYTES], name[OUTBOX_NAME_BYTES], id[DIGEST_ID_BYTES];
	unsigned n = sizeof(ids) / sizeof(ids[0]);

	second_endpoint = true;
	b_kind = "discord";
	if (start(&dm, dir) != 0)
		goto out;
	dm.cfg->digest.group = false;
	compose_unsettled(dir, ids, n, tmp, sizeof(tmp));
	snprintf(id, sizeof(id), "%s", dm.pend.inflight_id);
	CHECK(entries_of_kind(&dm, &dm.outboxes[dm.cur][1], CFG_KIND_DISCORD) >= 2);
	CHECK_INT(outbox_oldest(&dm.outboxes[dm.cur][0], first), 0);
	daemon_stop(&dm);
	CHECK_INT(rmdir(tmp), 0);
	b_kind = "slack";
	if (start(&dm, dir) != 0)
		goto out;
	dm.cfg->digest.group = false;
	CHECK_INT(dm.pend.inflight, n); /* not settled: b's parts are Discord's */
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_STR(dm.pend.inflight_id, "");
	CHECK(entries_of_kind(&dm, &dm.outboxes[dm.cur][1], CFG_KIND_SLACK) >= 1);
	snprintf(tmp, sizeof(tmp), "%s-1", id);
	CHECK_INT(outbox_find(&dm.outboxes[dm.cur][1], tmp, name), 0);
	CHECK_INT(entries(&dm.outboxes[dm.cur][0]), 1);
	CHECK_INT(outbox_oldest(&dm.outboxes[dm.cur][0], name), 0);
	CHECK_STR(name, first);
	daemon_stop(&dm);
out:
	second_endpoint = false;
	b_kind = NULL;
	remove_tree(dir);
}

/* A digest without articles (send_empty here; sources with problems
 * alone do the same) written to the first endpoint but not the second (its
 * outbox cannot be written: a full disk) is composed again for the second
 * only, under the same id: the first, which may have pushed it meanwhile,
 * got a second one under a new random id at every try. */
static void empty_digest_retried_once(void)
{
	const char *dir = make_root("empty");
	char name[OUTBOX_NAME_BYTES], other_name[OUTBOX_NAME_BYTES];
	struct outbox *b;
	int keep;

	second_endpoint = true;
	if (start(&dm, dir) != 0)
		goto out;
	dm.cfg->digest.send_empty = true;
	b = &dm.outboxes[dm.cur][1];
	keep = b->dirfd;
	b->dirfd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* not a folder: every write fails */
	CHECK(b->dirfd >= 0);
	CHECK(pipeline_compose(&dm, 1709643600) < 0);
	CHECK(pipeline_compose(&dm, 1709643660) < 0);
	CHECK_INT(entries(&dm.outboxes[dm.cur][0]), 1);
	/* Pushed and removed meanwhile. */
	CHECK_INT(outbox_oldest(&dm.outboxes[dm.cur][0], name), 0);
	CHECK_INT(outbox_remove(&dm.outboxes[dm.cur][0], name), 0);
	close(b->dirfd);
	b->dirfd = keep;
	CHECK_INT(pipeline_compose(&dm, 1709643720), 0);
	CHECK_INT(entries(&dm.outboxes[dm.cur][0]), 0);
	CHECK_INT(outbox_oldest(b, other_name), 0);
	CHECK_STR(strchr(other_name, '-'), strchr(name, '-')); /* the same id */
	/* The next one is a digest of its own, for both. */
	CHECK_INT(pipeline_compose(&dm, 1709647200), 0);
	CHECK_INT(entries(&dm.outboxes[dm.cur][0]), 1);
	CHECK_INT(entries(b), 2);
	daemon_stop(&dm);
out:
	second_endpoint = false;
	remove_tree(dir);
}

/* A digest for a webhook alone is held to the webhook's format only, not
 * to the email bound (about 40 % of it): 450 articles go out in one (not
 * grouped: they differ in a number only). */
static void webhook_digest_not_held_to_email(void)
{
	static unsigned ids[450];
	static int where[450];
	const char *dir = make_root("fit");
	unsigned n = sizeof(ids) / sizeof(ids[0]), in_first = 0;

	if (start(&dm, dir) != 0)
		goto out;
	dm.cfg->digest.max_articles = DIGEST_MAX_ARTICLES;
	dm.cfg->digest.group = 0;
	for (unsigned i = 0; i < n; i++) {
		ids[i] = i + 1;
		CHECK_INT(article(&dm, ids[i]), 0);
	}
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(dm.pend.n, 0);
	CHECK_INT(outbox_scan(&dm, ids, n, where), 1);
	for (unsigned i = 0; i < n; i++)
		in_first += where[i] == 1;
	CHECK_INT(in_first, n);
	daemon_stop(&dm);
out:
	remove_tree(dir);
}

/* [endpoint] format: the second webhook takes Markdown while the first
 * keeps [digest] format (JSON). */
static void endpoint_format(void)
{
	const char *dir = make_root("epfmt");
	char name[OUTBOX_NAME_BYTES];

	second_endpoint = true;
	if (start(&dm, dir) != 0)
		goto out;
	dm.cfg->endpoints[1].format = 1 + CFG_FORMAT_MARKDOWN;
	CHECK_INT(article(&dm, 1), 0);
	CHECK_INT(pipeline_compose(&dm, 1709643600), 0);
	CHECK_INT(outbox_oldest(&dm.outboxes[dm.cur][0], name), 0);
	CHECK_INT(outbox_read(&dm.outboxes[dm.cur][0], name, &dm.entry), 0);
	CHECK_INT(dm.entry.format, CFG_FORMAT_JSON);
	CHECK(dm.entry.len > 0 && dm.entry.body[0] == '{');
	CHECK_INT(outbox_oldest(&dm.outboxes[dm.cur][1], name), 0);
	CHECK_INT(outbox_read(&dm.outboxes[dm.cur][1], name, &dm.entry), 0);
	CHECK_INT(dm.entry.format, CFG_FORMAT_MARKDOWN);
	CHECK(dm.entry.len > 9 && memcmp(dm.entry.body, "# Digest ", 9) == 0);
	daemon_stop(&dm);
out:
	second_endpoint = false;
	remove_tree(dir);
}

int main(void)
{
	RUN(compose_takes_the_pending_articles);
	RUN(full_list_resumes_after_a_digest);
	RUN(dropped_and_backlog_marked_seen);
	RUN(known_articles);
	RUN(upgrade_keeps_old_keys);
	RUN(word_budget_of_the_config);
	RUN(seen_save_failing_keeps_everything);
	RUN(pending_save_failing);
	RUN(text_filling_the_window);
	RUN(two_daemons_share_nothing);
	RUN(two_daemons_two_ids);
	RUN(one_story_two_sources);
	RUN(max_per_source_waits);
	RUN(story_delivered_once);
	RUN(thin_article_not_held_back);
	RUN(repeat_after_across_clock_steps);
	RUN(same_article_rekeyed);
	RUN(story_print_on_arrival);
	RUN(failed_compose_leaves_the_window);
	RUN(story_over_max_articles_waits);
	RUN(webhook_digest_not_held_to_email);
	RUN(digest_past_the_window);
	RUN(waiting_articles_keep_no_place);
	RUN(unsettled_digest_keeps_its_grouping);
	RUN(every_endpoint_gets_each_digest);
	RUN(digest_composed_during_a_pass);
	RUN(outbox_full_names_the_fullest);
	RUN(recomposed_under_another_id);
	RUN(recomposed_for_another_kind);
	RUN(empty_digest_retried_once);
	RUN(endpoint_format);
	return CHECK_EXIT();
}
