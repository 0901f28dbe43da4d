/* SPDX-License-Identifier: MIT */
/* Every capacity digestd has, in one place: each line says what it bounds and
 * what it costs in RAM. Nothing in the program grows past these numbers. */
#ifndef DIGESTD_LIMITS_H
#define DIGESTD_LIMITS_H

/* Summariser window: the first bytes of an article kept verbatim so that the
 * chosen sentences can be printed exactly. 256 KiB holds about 40,000 words,
 * four times the longest news story; text beyond it is read for term
 * statistics only and never offered as a sentence. RAM: 256 KiB. */
#define SUMM_WINDOW_BYTES (256u * 1024u)

/* Candidate sentences considered inside the window. 4096 entries of 20 bytes:
 * 80 KiB. Sentences past the 4096th are read for term statistics only. */
#define SUMM_MAX_SENTENCES 4096u

/* Hashed term tables (power of two): frequency, last pass seen, flags.
 * Collisions merge two terms' counts, which only blurs salience a little.
 * 16384 x 9 bytes: 144 KiB. */
#define SUMM_TERM_SLOTS 16384u

/* A sentence longer than this is cut at a space and treated as a fragment:
 * text without punctuation then still yields readable pieces. */
#define SEG_MAX_SENTENCE_BYTES 1024u

/* Largest N a summary may ask for (`-n`): the selection keeps a bitmap over
 * candidates, so this only bounds output size. */
#define SUMM_MAX_PICK 64u

/* Story grouping (summarise/story.h, docs/grouping.md). An article's
 * fingerprint is its STORY_PRINT_TERMS most salient word stems (4-byte hash,
 * 4-byte weight: 512 bytes); counting them takes a table of STORY_DOC_SLOTS
 * distinct stems (12 bytes each: 24 KiB; stems past it are not counted). A
 * story keeps STORY_STORY_TERMS stems of its articles' summed fingerprints
 * (1 KiB), and the window the last STORY_WINDOW stories (259 KiB); document
 * frequencies live in STORY_DF_SLOTS hashed 16-bit counters (128 KiB),
 * halved once STORY_DF_HALVE articles were counted so that old news fades.
 * The story window in all: about 465 KB, and the daemon keeps one. A
 * digest is grouped into it in place, each story slot it changes saved
 * first (struct story_undo) so that a digest not composed leaves the window
 * as it was: room for every slot of the window, 1,304 bytes each, 327 KiB,
 * touched only as far as used: 64 KiB for a digest of 50 stories, the
 * default max_articles. */
#define STORY_PRINT_TERMS 64u
#define STORY_STORY_TERMS 128u
#define STORY_DOC_SLOTS 2048u
#define STORY_WINDOW 256u
#define STORY_DF_SLOTS 65536u
#define STORY_DF_HALVE 16384u
/* What a story remembers of its last delivery for the log line of a repeat
 * (docs/grouping.md): the URL of the article that stood for it, cut to
 * STORY_URL_BYTES; 64 KiB per window. The window is kept on disk as the
 * file `stories` (digest/stories.h), about 460 KiB. */
#define STORY_URL_BYTES 256u
/* Largest word budget a summary may ask for (`--words`, [digest] words): a
 * counter, no memory; 64 sentences of at most 1 KiB hold fewer words. */
#define SUMM_MAX_WORDS 65535u

/* Article header block (Title:, URL:, Date:, Lang:): at most this many bytes
 * are examined before the body starts; each value is cut to its field size. */
#define ARTICLE_HEADER_BYTES 4096u
#define ARTICLE_TITLE_BYTES 512u
#define ARTICLE_URL_BYTES 1024u
#define ARTICLE_DATE_BYTES 64u
#define ARTICLE_LANG_BYTES 16u

/* XML tokenizer (src/sources/xml): a tag or attribute name is cut to
 * XML_NAME_BYTES; XML_MAX_ATTRS attributes per tag are kept (the rest are
 * skipped); XML_MAX_DEPTH open elements are tracked for end-tag matching and
 * namespace scope (deeper ones are counted only); XML_MAX_NSDECL namespace
 * declarations are in scope at once. RAM: a reader is 64 x 72 + 32 x 36 bytes
 * (about 6 KiB); a token 32 x 88 + 80 bytes (about 3 KiB). */
#define XML_NAME_BYTES 64u
#define XML_PREFIX_BYTES 32u
#define XML_MAX_ATTRS 32u
#define XML_MAX_DEPTH 64u
#define XML_MAX_NSDECL 32u

/* OPML subscriptions (src/sources/opml, `digestd opml`): import reads the
 * whole file into one buffer of at most OPML_FILE_BYTES (2 MiB: a 1,000-feed
 * export is about 250 KiB); an outline's title is kept to OPML_TITLE_BYTES
 * and the folders around it, joined with '/', to OPML_CATEGORY_BYTES. RAM:
 * the buffer, a reader of about 10 KiB (an XML reader and token, the outline,
 * OPML_MAX_DEPTH folder offsets), and the names already given, CFG_MAX_SOURCES
 * x CFG_SOURCE_NAME_BYTES (31 KiB). */
#define OPML_FILE_BYTES (2u * 1024u * 1024u)
#define OPML_TITLE_BYTES 256u
#define OPML_CATEGORY_BYTES 256u
#define OPML_MAX_DEPTH XML_MAX_DEPTH

/* Feed entries (src/sources/feed): one struct feed_entry, reused for every
 * entry, so feed size never matters. Each text field is cut to its size on a
 * character boundary, but for the id, which keys the article: an id of at
 * most FEED_ID_BYTES - 1 bytes is kept whole, a longer one as its first
 * bytes and FEED_ID_HASH_BYTES more (" sha256:" and the SHA-256 of the whole
 * id in hex), so ids never share a key however long (feed.h). Sum: about
 * 158 KiB (content 128 KiB, summary 16 KiB, enclosures 4 x 2.2 KiB, the
 * rest under 4 KiB). */
#define FEED_ID_BYTES 512u
#define FEED_ID_HASH_BYTES 72u
#define FEED_ID_FIELD_BYTES (FEED_ID_BYTES + FEED_ID_HASH_BYTES)
#define FEED_TITLE_BYTES 1024u
#define FEED_URL_BYTES 2048u
#define FEED_AUTHOR_BYTES 256u
/* An entry's categories (RSS <category>, Atom term, JSON Feed tags), one a
 * line; those past this are dropped: 512 bytes, for [digest] keep/drop. */
#define FEED_CATEGORIES_BYTES 512u
#define FEED_LANG_BYTES 36u
#define FEED_SUMMARY_BYTES (16u * 1024u)
#define FEED_CONTENT_BYTES (128u * 1024u)
#define FEED_TYPE_BYTES 128u
#define FEED_MAX_ENCLOSURES 4u
/* Scratch for one element's decoded text before HTML reduction (escaped HTML
 * is longer than its text). RAM: 512 KiB, static in feed.c. */
#define FEED_SCRATCH_BYTES (512u * 1024u)
/* Nested xml:base / xml:lang scopes tracked (deeper ones are ignored).
 * RAM: 8 x (2 KiB + 36 bytes), about 17 KiB. */
#define FEED_MAX_SCOPES 8u
/* A feed that is not UTF-8 is converted here first (Latin-1 text grows at
 * most 2x, windows-1252 3x). Static in feed.c; the pages are only touched
 * when a non-UTF-8 feed arrives. Up to 8 MiB; a longer result is cut and
 * the entries that fitted are read. */
#define FEED_CONVERT_BYTES (8u * 1024u * 1024u)

/* HTML tokenizer: a tag name, an attribute name and the attributes kept per
 * tag (later ones are skipped); one token costs about 1.3 KiB of stack. */
#define HTML_TAG_NAME_BYTES 16u
#define HTML_ATTR_NAME_BYTES 24u
#define HTML_MAX_ATTRS 32u
/* class, id, style and role values examined for hints are cut to this. */
#define HTML_HINT_BYTES 128u
/* Open elements tracked; deeper ones are treated as closed by any end tag.
 * 256 x 8 bytes: 2 KiB (one static, one per html_to_text call on stack). */
#define HTML_MAX_DEPTH 256u
/* Main-content finder, one static workspace: containers (block elements)
 * and text blocks. The largest test page has about 4,300 tags; containers
 * past the table share their parent's entry and blocks past it are never
 * kept. Nodes 4096 x 44 bytes = 176 KiB, blocks 8192 x 24 bytes = 192 KiB. */
#define HTML_MAX_NODES 4096u
#define HTML_MAX_BLOCKS 8192u
_Static_assert(HTML_TAG_NAME_BYTES >= sizeof("figcaption"), "known tag names must fit");
_Static_assert(HTML_ATTR_NAME_BYTES >= sizeof("aria-hidden"), "known attributes must fit");
_Static_assert(HTML_HINT_BYTES >= sizeof("article:published_time"), "meta keys must fit");

/* `digestd fetch` reads a page or feed whole into one static buffer; bigger
 * input is refused. RAM: 4 MiB. */
#define FETCH_MAX_BYTES (4u * 1024u * 1024u)
/* `digestd fetch` guesses the type of a UTF-16 document from its start
 * converted to UTF-8 into a stack buffer of this size: 8 KiB. */
#define FETCH_GUESS_BYTES (8u * 1024u)

/* The HTTP boundary (src/net/net), allocated once by net_open: a table of
 * NET_MAX_TRANSFERS transfer slots (the most [daemon] max_transfers may
 * allow; about 1 KiB each: the request, libcurl's header list nodes for
 * NET_MAX_HEADERS request headers, its error text and an address refusal),
 * NET_MAX_HOSTS hosts recently asked for the per-host cap (NET_PER_HOST
 * transfers at once) and the politeness delay (about 280 bytes each), and
 * NET_MAX_FDS sockets libcurl may wait on (a resolver's and two connection
 * attempts per transfer, with room to spare; 8 bytes each): 49 KiB in all
 * on x86-64. Each running transfer adds libcurl's easy handle and its connection
 * (libcurl's and the TLS library's allocations); response bodies go into the
 * caller's buffers, never into net's. A struct net_result (cache validators,
 * reason, libcurl's error text, Content-Type and effective URL of one
 * response) is about 3 KiB, the caller's. */
#define NET_MAX_TRANSFERS 32u
#define NET_PER_HOST 2u
#define NET_MAX_HOSTS 64u
#define NET_MAX_HEADERS 16u
#define NET_MAX_FDS (4u * NET_MAX_TRANSFERS)
/* Bytes on the wire one response of a fetch may bring, before decoding:
 * its cap plus cap / NET_WIRE_SLACK plus NET_WIRE_EXTRA (gzip's header and
 * deflate's stored blocks make an incompressible body a little larger). Bounds
 * a redirect's body, which libcurl reads and drops. No RAM. */
#define NET_WIRE_SLACK 8u
#define NET_WIRE_EXTRA 1024u
/* Response header lines and bytes one transfer may receive, its redirects
 * included (a real answer has 10 to 40 lines, 1 to 8 KiB). libcurl keeps
 * them all: at most about NET_HEAD_BYTES + 60 bytes a line of heap, within
 * the 300 KiB of headers NET_RSS_TRANSFER_BYTES allows. */
#define NET_HEAD_LINES 512u
#define NET_HEAD_BYTES (128u * 1024u)
#define NET_ETAG_BYTES 256u
#define NET_DATE_BYTES 64u
#define NET_REASON_BYTES 320u
#define NET_DETAIL_BYTES 256u
#define NET_URL_BYTES 2048u
#define NET_CTYPE_BYTES 128u
#define NET_HOST_BYTES 256u
/* "ADDRESS PORT" of the non-public address a source's own request was sent
 * to (struct net_scope): INET6_ADDRSTRLEN, a space and a port. */
#define NET_SCOPE_ADDR_BYTES 56u
/* The longest wait between two looks at the stop flag in net_step, in ms:
 * a raised flag ends a transfer within about this long. */
#define NET_STOP_SLICE_MS 100
_Static_assert(NET_MAX_HOSTS > NET_MAX_TRANSFERS,
	       "a host no transfer uses can always make room for a new one");

/* Per-source HTTP state file (src/sources/srcstate): a file longer than this
 * is corrupt. Read through a stack buffer: 4 KiB. */
#define SRCSTATE_FILE_BYTES 4096u
/* The last error kept in it, for `digestd status` and the problems of a
 * digest: one short line (in struct srcstate, struct source_poll and each
 * of a digest's DIGEST_MAX_PROBLEMS problems: 128 bytes each). */
#define SRCSTATE_ERROR_BYTES 128u
/* What its warnings call a state's owner, "source NAME" or "[endpoint
 * NAME]": a stack buffer of the load and the save. */
#define SRCSTATE_WHO_BYTES (CFG_SOURCE_NAME_BYTES + 16u)

/* Sources (src/sources/source): a seed file in a folder source larger than
 * SOURCE_FILE_BYTES is skipped; at most SOURCE_MAX_FILES files are read per
 * poll (names are picked in order by rescanning the folder, so no name table
 * is kept). A fetched page's main text is cut at SOURCE_TEXT_BYTES, the
 * summariser's window (static: 256 KiB). Feed entries are ranked by date
 * in a table of the newest max_items (at most SOURCE_MAX_ITEMS x 16 bytes:
 * 8 KiB). A source_ctx maps one buffer per transfer slot ([daemon]
 * max_transfers) once, each [http] max_size bytes (at most
 * SOURCE_BODY_MAX_BYTES, the largest value cfg accepts): a feed's or page's
 * body, or a teaser's linked page in its first SOURCE_PAGE_BYTES (max_size
 * when that is smaller; the largest news pages measure 1 to 3 MiB); folder
 * files and file:// feeds are read into a free one. RAM: only while a
 * transfer and its parse run, up to max_transfers x max_size; the pages a
 * transfer touched are given back when its body has been read. */
#define SOURCE_FILE_BYTES (1024u * 1024u)
#define SOURCE_MAX_FILES 4096u
/* A folder poll picks its names SOURCE_FOLDER_BATCH at a time, one scan of
 * the folder each (a static table of that many names: 64 x 256 bytes plus
 * their order, 16.25 KiB). */
#define SOURCE_FOLDER_BATCH 64u
#define SOURCE_TEXT_BYTES SUMM_WINDOW_BYTES
#define SOURCE_MAX_ITEMS 500u
#define SOURCE_BODY_MAX_BYTES (16u * 1024u * 1024u)
#define SOURCE_PAGE_BYTES (4u * 1024u * 1024u)
/* Polls in flight at once (struct source_poll: its state file, validators,
 * address scope and counts, about 1 KiB) and teasers waiting for their page
 * or being fetched (struct source_job: the entry's link, id, title,
 * language, date and its teaser text cut to SOURCE_TEASER_BYTES, about
 * 6.4 KiB), in fixed tables of each source_ctx: 64 x 1 + 64 x 6.4 KiB, about
 * 475 KiB, plus a transfer's request and buffer pointer per slot (3.8 KiB x
 * NET_MAX_TRANSFERS: 121 KiB); a source_ctx is 637 KiB on x86-64. The daemon
 * keeps two contexts (a reload builds the second) and touches only the
 * entries in use. A feed poll starts only when job slots are free for as
 * many teasers as it may hold (max_items, at most SOURCE_MAX_JOBS); only a
 * feed with more teasers than that leaves some for the next poll (the feed
 * then keeps its validators). A longer teaser text is cut on a character
 * boundary: it is only the fallback when its page fails. */
#define SOURCE_MAX_POLLS 64u
#define SOURCE_MAX_JOBS 64u
#define SOURCE_TEASER_BYTES 2048u

/* The daemon's pending list (src/daemon): summarised articles waiting for
 * the next digest, their strings (source, title, URL, language, sentences)
 * and story fingerprints (taken as they arrive, so that grouping sees their
 * whole text: docs/grouping.md) in one arena. When either fills up, sources
 * pause until a digest goes out. RAM: an article costs RUN_PENDING_ITEM_BYTES
 * in the item table (its URL key and text key among them), its strings (about
 * 1 KiB with 3 key sentences) and its fingerprint (8 bytes a stem, at most
 * 512) in the arena, each touched only as far as used; with the problems
 * the digest in flight lists (DIGEST_MAX_PROBLEMS x 176 bytes): 500 x 96
 * bytes + 768 KiB + 5.5 KiB, about 820 KiB when full (the arena was 512 KiB
 * before fingerprints were kept: about as many articles fit). */
#define RUN_PENDING_MAX 500u
#define RUN_PENDING_BYTES (768u * 1024u)
#define RUN_PENDING_ITEM_BYTES 96u

/* Read buffer for streaming input: 64 KiB. */
#define INPUT_CHUNK_BYTES (64u * 1024u)

/* Webhook signing key: Standard Webhooks secrets are 24 to 64 bytes. The key
 * file is read through a stack buffer of SIGN_KEY_FILE_BYTES (whsec_ plus the
 * base64 of 64 bytes is 94 characters); a webhook-signature header longer than
 * SIGN_HEADER_MAX_BYTES is refused unread. RAM: 64 bytes per loaded key. */
#define SIGN_KEY_MIN_BYTES 24u
#define SIGN_KEY_MAX_BYTES 64u
#define SIGN_KEY_FILE_BYTES 512u
#define SIGN_HEADER_MAX_BYTES 4096u

/* Configuration (src/core/cfg): struct cfg keeps every setting in fixed
 * arrays. A source is 1,112 bytes on x86-64 (CFG_URL_BYTES dominates), so
 * 1,000 sources make a struct cfg of 1.04 MiB; the loader parses into one
 * static scratch copy (1.24 MiB with per-key line numbers and refused-value
 * flags, and a copy of one section to undo a refused value) so a failed
 * SIGHUP reload leaves the running config untouched, and the daemon keeps
 * two configs (the running one and the reload's). The sources come last in
 * each and only the configured ones are ever written or copied, so the
 * others' pages are never resident: a source costs at most
 * CFG_SOURCE_RSS_BYTES (three struct cfg_source, its line numbers and flags
 * in the scratch, the daemon's due time and poll counters), 3.5 MiB for
 * 1,000 sources and
 * nothing for those not configured (measured: check-config's peak RSS is
 * 8.3 MiB for 1 source, 8.6 MiB for 60, 10.5 MiB for 1,000). Strings in a
 * pool would save most of that 3.5 MiB, but a 1,000-source board pays it
 * within the bound below (cfg checks it). An ini line may be CFG_LINE_BYTES
 * long (inih keeps it on the stack); a file larger than CFG_FILE_BYTES is
 * refused. Repeated [endpoint] header lines: CFG_MAX_HEADERS of
 * CFG_HEADER_BYTES (2 KiB); CFG_MAX_TIMES digest times of day. A load
 * reports up to CFG_MAX_ERRORS lines of CFG_ERROR_BYTES (the last says how
 * many more there were): a struct cfg_error is 8 KiB, the caller's. */
#define CFG_MAX_SOURCES 1000u
#define CFG_SOURCE_RSS_BYTES 3712u
#define CFG_SOURCE_NAME_BYTES 32u
#define CFG_URL_BYTES 1024u
#define CFG_PATH_BYTES 256u
#define CFG_CONTACT_BYTES 128u
#define CFG_LANG_BYTES 16u
#define CFG_PIN_BYTES 256u
#define CFG_MAX_HEADERS 8u
#define CFG_HEADER_BYTES 256u
#define CFG_MAX_TIMES 24u
#define CFG_LINE_BYTES 1280u
#define CFG_FILE_BYTES (1024u * 1024u)
#define CFG_ERROR_BYTES 512u
#define CFG_MAX_ERRORS 16u
/* keep = / drop = rules ([digest] and [source NAME], src/core/rules): at
 * most CFG_MAX_RULES in all, each at most CFG_RULE_BYTES as written, kept
 * in one pool of struct cfg rather than per source (a per-source array would
 * cost every configured source that much again): 66 KiB per struct cfg, of
 * which only the rules given are touched. A words rule has at most
 * RULES_MAX_WORDS words; a field is matched on its first RULES_MATCH_BYTES
 * (a stack copy, so that no rule ever runs over a whole hostile text).
 * Compiled: struct rules is CFG_MAX_RULES x 168 bytes (42 KiB), plus what
 * regcomp allocates per expression at load. */
#define CFG_MAX_RULES 256u
#define CFG_RULE_BYTES 256u
#define RULES_MAX_WORDS 16u
#define RULES_MATCH_BYTES 4096u
/* The expressions of a configuration's rules may together make automata of
 * at most RULES_RE_COST parts (rules.c, re_cost: each repetition is a copy
 * in glibc's regcomp), and their groups nest at most RULES_RE_DEPTH deep;
 * more is refused at load. glibc takes about 93 bytes a part (measured:
 * a{2047} 185 KiB before counts were capped, ^sport$ 2.7 KiB), so the compiled rules of a config hold
 * at most about 190 KiB of heap, 380 KiB while a reload builds the next. */
#define RULES_RE_COST 2048u
#define RULES_RE_DEPTH 32u
/* A count in {m,n} is at most this (POSIX's RE_DUP_MAX, musl's limit; glibc
 * takes up to 32767): a rule that loads on one build loads on all. No RAM. */
#define RULES_RE_DUP_MAX 255u
/* include = PATTERN (cfg.c): at most CFG_MAX_INCLUDES files, read after the
 * main one; their names (CFG_PATH_BYTES each) live in the loader's scratch:
 * 16 KiB. A place in a message is (file << CFG_PLACE_SHIFT) | line: a file
 * of CFG_FILE_BYTES has fewer lines than that shift allows. */
#define CFG_MAX_INCLUDES 64u
#define CFG_PLACE_SHIFT 24u
/* [endpoint NAME] sections (cfg.c): at most CFG_MAX_ENDPOINTS, the plain
 * [endpoint] counting as one, named like sources. A struct cfg_endpoint is
 * 7.6 KiB on x86-64 (its URL, paths, header lines and email addresses), so
 * the endpoints add 60 KiB to each struct cfg and to the loader's scratch,
 * whether used or not: 181 KiB in `run`, which keeps two configs; and `run`
 * keeps two sets of CFG_MAX_ENDPOINTS push clients (21.4 KiB each, 343 KiB)
 * and outboxes (96 bytes each). Email
 * keys: a from address of CFG_ADDR_BYTES, at most CFG_MAX_RECIPIENTS to
 * addresses in CFG_ADDRLIST_BYTES, texts (subject, username, ntfy tags,
 * Matrix room, Telegram chat id) of CFG_TEXT_BYTES. */
#define CFG_MAX_ENDPOINTS 8u
#define CFG_ADDR_BYTES 256u
#define CFG_ADDRLIST_BYTES 1024u
#define CFG_MAX_RECIPIENTS 16u
#define CFG_TEXT_BYTES 256u

/* A digest being composed (src/digest/digest): its articles' cleaned text in
 * one arena, DIGEST_MAX_ARTICLES index entries (24 bytes each, the largest
 * max_articles cfg allows) and the cap on a rendered body in any format;
 * digest_add refuses an article that would push any rendering past it.
 * RAM: struct digest about 530 KiB; one body buffer 1 MiB (the caller's). */
#define DIGEST_ARENA_BYTES (512u * 1024u)
#define DIGEST_MAX_ARTICLES 500u
#define DIGEST_BODY_BYTES (1024u * 1024u)
#define DIGEST_ID_BYTES 64u
#define DIGEST_HOST_BYTES 256u
/* The file naming a digest without articles being written, the endpoints
 * that hold it and the sources whose problems it lists
 * (src/digest/pending.c, "empty-digest"): its id, a line "[endpoint NAME]"
 * per endpoint and "[source NAME]" per source; read whole into a stack
 * buffer of this size (one larger file is damaged). */
#define PENDING_EMPTY_FILE_BYTES 2048u
/* The metrics file ([daemon] metrics_file, src/daemon/metrics): built whole
 * in struct daemon's buffer before it is written: 512 KiB of bss, touched
 * only as far as written (about 2 KiB plus 320 to 420 bytes per source). */
#define METRICS_FILE_BYTES (512u * 1024u)

/* Sources with problems listed in one digest (feed health): each a name and
 * an error, CFG_SOURCE_NAME_BYTES + SRCSTATE_ERROR_BYTES + 16 = 176 bytes,
 * 5.5 KiB in struct digest and as much in struct daemon's list. More wait
 * for the next digest. */
#define DIGEST_MAX_PROBLEMS 32u
/* "Also in" entries of one digest item (other sources' articles of its
 * story): their text lives in the arena above, so no RAM of their own; a
 * story carried by more sources lists the first ones, the rest wait. */
#define DIGEST_MAX_ALSO 16u

/* A digest as one endpoint kind's message part (src/digest/message): the
 * largest body a part may have, an email's being the biggest (its text and
 * HTML parts, each at most DIGEST_BODY_BYTES, base64-encoded in 76-column
 * lines: 2 x 4/3 x 78/76 of it plus headers); a part's title (email subject,
 * ntfy title) and click link. RAM: one body buffer of 3 MiB at push time. */
#define MESSAGE_BODY_BYTES (3u * DIGEST_BODY_BYTES)
/* What an email's headers and MIME frame may take beside its two base64
 * parts (16 recipients of 320 bytes, a subject of MESSAGE_TITLE_BYTES
 * encoded, the rest): digest_add keeps the whole message within
 * DIGEST_BODY_BYTES, the outbox entry's body. */
#define DIGEST_MAIL_HEAD_BYTES (16u * 1024u)
#define MESSAGE_TITLE_BYTES 512u
#define MESSAGE_CLICK_BYTES 2048u

/* Seen-set (src/digest/seen): a ring of SHA-256 keys plus a linear-probing
 * index of 32-bit slots (a power of two at least twice the capacity). The
 * arrays are sized for the largest seen_capacity cfg allows (8 MiB + 2 MiB
 * of bss) but only capacity x 32 + slots x 4 bytes are ever touched, so the
 * resident cost is that: 160 KiB for the default 4096, 10 MiB at 262144. */
#define SEEN_MAX_CAPACITY 262144u
#define SEEN_MAX_SLOTS (2u * SEEN_MAX_CAPACITY)
#define SEEN_MIN_CAPACITY 64u

/* Outbox (src/outbox/outbox): an entry file is a text header of at most
 * OUTBOX_HEADER_BYTES and a body of at most DIGEST_BODY_BYTES. One struct
 * outbox_entry holds a whole entry: about 1 MiB, owned by the caller. */
#define OUTBOX_HEADER_BYTES (512u + MESSAGE_TITLE_BYTES + MESSAGE_CLICK_BYTES + 32u)
/* Parts one digest may make for one endpoint: one article a part at worst
 * (docs/messages.md); bounds an entry header's part line. */
#define OUTBOX_MAX_PARTS DIGEST_MAX_ARTICLES
/* An entry's "kind:" value: the longest [endpoint] kind, "telegram", and
 * its NUL. */
#define OUTBOX_KIND_BYTES 16u
#define OUTBOX_NAME_BYTES 128u
#define OUTBOX_REASON_BYTES 256u

/* Push (src/push/push): the first PUSH_ANSWER_BYTES of an endpoint's answer
 * are kept for the log and the dead letter (the rest is read and dropped);
 * a bearer token file may hold PUSH_TOKEN_BYTES. RAM: 21.4 KiB per struct
 * push_client (its request header lines, its kind's request (SERVICE_*
 * below), a Slack or Discord URL and a struct net_result included),
 * 1.6 KiB per struct push_result. */
#define PUSH_ANSWER_BYTES 1024u
#define PUSH_TOKEN_BYTES 1024u
#define PUSH_MESSAGE_BYTES 512u
/* A push's request per endpoint kind (src/push/service): its URL (the
 * endpoint's with a Matrix room percent-encoded, up to three times its
 * length, or a Telegram bot token in the path: SERVICE_URL_BYTES, twice:
 * the URL and its form for the log) and up to SERVICE_MAX_LINES header
 * lines of the kind (ntfy's Title in RFC 2047, Click, Tags, Priority,
 * Markdown), each at most SERVICE_LINE_BYTES (a click link of
 * MESSAGE_CLICK_BYTES). libcurl reads them during the transfer, so each
 * push client keeps one: 15.1 KiB. */
#define SERVICE_URL_BYTES 3072u
#define SERVICE_MAX_LINES 6u
#define SERVICE_LINE_BYTES (MESSAGE_CLICK_BYTES + 16u)

/* Longest wait an endpoint's Retry-After can ask for, in seconds (a day;
 * retry_max instead when that is set longer): honoured past retry_max, but
 * a broken or hostile answer cannot hold the outbox back for longer. */
#define PUSH_RETRY_AFTER_MAX 86400

/* Seconds between an endpoint's clock (its answer's Date) and ours past
 * which a webhook's 400, 401 or 403 refusal may be of the signature's
 * timestamp (receivers allow 5 minutes by the Standard Webhooks
 * specification; a board without a real-time clock can be days or years
 * behind until NTP sets it): retried rather than moved to dead/. Well under
 * the 5 minutes, over a slow answer's second or two. */
#define PUSH_CLOCK_SKEW_MAX 60

/* The daemon's peak RSS, for every configuration cfg accepts and any input
 * (docs/daemon.md, "Memory", lists each part and `make bench` measures it):
 *   max_transfers x max_size                      bodies of the transfers in
 *                                                 flight (a page uses at most
 *                                                 SOURCE_PAGE_BYTES of its
 *                                                 slot's buffer; a feed's is
 *                                                 given back once parsed)
 * + FEED_CONVERT_BYTES                            a feed in a legacy charset
 *                                                 (feeds are parsed one at a
 *                                                 time)
 * + seen_capacity x 32 + index slots x 4          the seen-set
 * + sources x CFG_SOURCE_RSS_BYTES                the configured sources
 * + RUN_RSS_OWN_BYTES                             every other buffer of run
 * + RUN_RSS_LIBS_BYTES                            binary, libraries, their heap
 * + (max_transfers - 1) x NET_RSS_TRANSFER_BYTES  libcurl's share of each
 *                                                 further running transfer
 * cfg refuses a configuration whose bound passes RUN_MEMORY_MAX_BYTES, the
 * unit's MemoryMax=64M, naming [daemon] max_transfers and [http] max_size
 * (cfg_check.c). RUN_RSS_OWN_BYTES covers digestd's other static data that
 * `run` can touch (5.1 MiB on x86-64: pending list, digest and its body,
 * outbox entry, summariser, feed scratch and entry, HTML workspace and page
 * text, the configs' fixed parts, the poll and page-job tables' entries in
 * use; `make bench` prints the sum), with metrics_file up to 0.4 MiB more of
 * the metrics buffer (1,000 sources; 5.5 MiB in all), and its
 * stack. RUN_RSS_LIBS_BYTES is measured, not derived (about 13 MiB at the
 * peak with Debian's libcurl, one transfer): the pages of the binary and of
 * the 34 shared libraries it pulls in (10.7 MiB; the static firmware is
 * 1.6 MB), net's tables (49 KiB), and what libcurl, OpenSSL or mbedtls and
 * glibc allocate for the multi handle and one transfer: the CA store, a
 * connection kept for reuse, response headers (libcurl caps them at 300
 * KiB), a certificate chain (OpenSSL: 100 KiB), zlib's window, the resolver
 * thread. NET_RSS_TRANSFER_BYTES is each further transfer's share of that,
 * derived from those caps (headers 300 KiB, certificate chain 100 KiB, TLS
 * records and connection about 100 KiB, receive and send buffers 80 KiB,
 * zlib 40 KiB, the resolver thread's stack and arena about 64 KiB) rather
 * than measured: `make bench` measures one transfer; tools/bench-memory.py
 * --transfers N measures N once the daemon runs transfers concurrently.
 * The default (4 transfers of 4 MiB, seen_capacity 4096) is 48 MiB plus
 * 3.6 KiB a source. RUN_RSS_BOUND_BYTES below is the largest configuration
 * with one transfer (max_size 16M, seen_capacity 262144, 1,000 sources):
 * 16 + 8 + 10 + 3.5 + 6 + 16 = 59.5 MiB, which must fit, so that every
 * value of each key alone stays usable; `make bench` measured 53.4 MiB
 * there with one source on the sequential daemon, 48.4 MiB on the
 * concurrent one (docs/daemon.md). tests/cli/unit.sh checks that the unit
 * agrees. */
#define RUN_RSS_OWN_BYTES (6u * 1024u * 1024u)
#define RUN_RSS_LIBS_BYTES (16u * 1024u * 1024u)
#define NET_RSS_TRANSFER_BYTES (768u * 1024u)
#define RUN_RSS_BOUND_BYTES                                                                    \
	(SOURCE_BODY_MAX_BYTES + FEED_CONVERT_BYTES +                                          \
	 SEEN_MAX_CAPACITY * 32u + SEEN_MAX_SLOTS * 4u + CFG_MAX_SOURCES * CFG_SOURCE_RSS_BYTES + \
	 RUN_RSS_OWN_BYTES + RUN_RSS_LIBS_BYTES)
#define RUN_MEMORY_MAX_BYTES (64u * 1024u * 1024u)
_Static_assert(RUN_RSS_BOUND_BYTES <= RUN_MEMORY_MAX_BYTES,
	       "the daemon's memory bound must sit under the unit's MemoryMax");
_Static_assert(SOURCE_PAGE_BYTES <= SOURCE_BODY_MAX_BYTES, "a page fits the body cap");

/* Walking a path the ini names (core/file.c, file_walk): at most
 * FILE_WALK_LINKS symbolic links are followed in one walk, the kernel's own
 * bound (MAXSYMLINKS); past it the walk stops as a loop. A refusal is said
 * in one line of at most FILE_WALK_WHY_BYTES, which fits a config error line
 * (CFG_ERROR_BYTES) once cut. RAM: the walk's three path buffers, 12 KiB of
 * stack while it runs, and the caller's struct file_walk (768 bytes). */
#define FILE_WALK_LINKS 40u
#define FILE_WALK_WHY_BYTES 512u

/* What is wrong with a state file set aside (core/file.c, file_set_aside),
 * such as "damaged story window (written by a build of other sizes or byte
 * order)": one clause of its log line, 160 bytes of stack while it logs. */
#define FILE_ASIDE_WHAT_BYTES 160u

_Static_assert(DIGEST_ARENA_BYTES < 0xffffffffu, "arena offsets are 32-bit");
_Static_assert(4096u + CFG_MAX_SOURCES * 4u * (48u + CFG_SOURCE_NAME_BYTES + 24u) <=
		       METRICS_FILE_BYTES,
	       "the metrics of the most sources fit the metrics file's buffer");
_Static_assert(DIGEST_ID_BYTES + 32 < OUTBOX_NAME_BYTES, "an outbox file name holds an id");
_Static_assert(DIGEST_ID_BYTES + CFG_MAX_ENDPOINTS * (CFG_SOURCE_NAME_BYTES + 12u) +
			       DIGEST_MAX_PROBLEMS * (CFG_SOURCE_NAME_BYTES + 10u) <
		       PENDING_EMPTY_FILE_BYTES,
	       "the empty-digest file holds an id, every endpoint's line and every problem's");
_Static_assert((SEEN_MAX_SLOTS & (SEEN_MAX_SLOTS - 1)) == 0, "SEEN_MAX_SLOTS must be a power of two");

_Static_assert((STORY_DOC_SLOTS & (STORY_DOC_SLOTS - 1)) == 0 &&
		       (STORY_DF_SLOTS & (STORY_DF_SLOTS - 1)) == 0,
	       "story hash tables must be powers of two");
_Static_assert(STORY_PRINT_TERMS <= STORY_STORY_TERMS && STORY_PRINT_TERMS < STORY_DOC_SLOTS,
	       "a story holds an article's fingerprint");
_Static_assert(STORY_DF_HALVE < 65535u, "document frequencies are 16-bit");
_Static_assert((SUMM_TERM_SLOTS & (SUMM_TERM_SLOTS - 1)) == 0,
	       "SUMM_TERM_SLOTS must be a power of two");
_Static_assert(SUMM_WINDOW_BYTES < 0x7fffffffu, "offsets are 32-bit");
_Static_assert(SEG_MAX_SENTENCE_BYTES < SUMM_WINDOW_BYTES,
	       "a sentence must fit in the window");
_Static_assert(CFG_FILE_BYTES < (1u << CFG_PLACE_SHIFT) && CFG_MAX_INCLUDES < (1u << (32 - CFG_PLACE_SHIFT)),
	       "a place holds a line number and a file index");
_Static_assert(CFG_URL_BYTES + 32 < CFG_LINE_BYTES && 2 * CFG_PATH_BYTES + 64 < CFG_LINE_BYTES,
	       "a dumped config line (value and comment) must load back");

/* stderr's buffer (core/log.c): one log line, 1 KiB formatted, each byte of
 * it at most 3 written (an invalid one as U+FFFD), goes out in one write.
 * RAM: 4 KiB. */
#define LOG_STDERR_BYTES 4096u

#endif
