/* SPDX-License-Identifier: MIT */
/* The configuration: one ini file and those its include names, read with inih
 * into a fixed-size struct cfg whose fields, defaults, checks, dump and docs
 * come from cfg.def. Loading never allocates (but regcomp, checking a rule,
 * freed at once) nor leaves a half-filled struct. */
#ifndef DIGESTD_CFG_H
#define DIGESTD_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/limits.h"
#include "core/log.h"

/*
 * Types in cfg.def's third column; min and max mean, per type:
 *   PATH      a file or folder path; a relative one is resolved against the
 *             config file's folder when loaded. max: buffer bytes.
 *   SECRET    the path of a file holding a secret, kept as written; a name
 *             without '/' is a systemd credential when $CREDENTIALS_DIRECTORY
 *             is set. Open it with cfg_secret_open(). max: buffer bytes.
 *   URL(m)    a URL whose allowed forms are the CFG_URL_* bits m (a plain
 *             path when CFG_URL_PATH, resolved like PATH). max: buffer bytes.
 *   BOOL      yes/no, true/false, on/off, 1/0.
 *   UINT      a whole number in min..max.
 *   DURATION  seconds, written 30s, 15m, 2h, 1d, 1h30m or plain seconds.
 *   SIZE      bytes, written 512K, 4M, 1G (powers of 1024) or plain bytes.
 *   SCHEDULE  an interval (a DURATION in min..max) or times of day 07:00,19:00.
 *   LOGLEVEL  err, warn, info or debug.
 *   ENUM(a|b) one of the listed words, stored as its index.
 *   LANG      auto or a language code such as en or pt-BR. max: buffer bytes.
 *   PIN       sha256//BASE64 public-key hashes separated by ';'. max: bytes.
 *   HEADER    "Name: value", repeatable up to CFG_MAX_HEADERS. max: bytes.
 *   RULE      a keep or drop rule, "FIELD: words" or "FIELD ~ regex"
 *             (core/rules.h), repeatable; its text goes to struct cfg's
 *             rules pool, the section's field counts them. max: bytes.
 *   TEXT      UTF-8 text without control characters. max: buffer bytes.
 *   ADDRESS   an email address, addr@domain or Name <addr@domain>. max: bytes.
 *   ADDRLIST  up to CFG_MAX_RECIPIENTS ADDRESSes, comma-separated, kept as
 *             "a@x, b@y". max: buffer bytes.
 * A default of NULL marks a required key; "" an optional one left unset.
 */
#define CFG_URL_HTTPS 0x01u
#define CFG_URL_HTTP 0x02u
#define CFG_URL_FILE 0x04u
#define CFG_URL_PATH 0x08u
#define CFG_URL_MAILTO 0x10u
#define CFG_URL_SMTPS 0x20u
#define CFG_URL_SMTP 0x40u

/* A digest schedule: either every `interval` seconds, or at each of the
 * n_times local times of day (minutes after midnight, ascending). */
struct cfg_schedule {
	unsigned interval;
	unsigned n_times;
	unsigned short times[CFG_MAX_TIMES];
};

/* Extra push headers, each stored as "Name: value". */
struct cfg_headers {
	unsigned n;
	char line[CFG_MAX_HEADERS][CFG_HEADER_BYTES];
};

/* A keep or drop rule as written, and whose it is: owner 0 for [digest],
 * 1 + i for sources[i]. In file order. */
struct cfg_rule {
	unsigned short owner;
	bool drop;
	char text[CFG_RULE_BYTES];
};

struct cfg_rules {
	unsigned n;
	unsigned long cost; /* the expressions' automaton bounds, summed */
	struct cfg_rule r[CFG_MAX_RULES];
};

/* Index values of the ENUM keys, in the order cfg.def lists the words.
 * CFG_SOURCE_AUTO never survives loading: it becomes feed or folder. */
enum cfg_source_type { CFG_SOURCE_AUTO, CFG_SOURCE_FEED, CFG_SOURCE_PAGE, CFG_SOURCE_FOLDER };
enum cfg_format { CFG_FORMAT_JSON, CFG_FORMAT_MARKDOWN, CFG_FORMAT_TEXT, CFG_FORMAT_HTML };
/* [endpoint] kind; the same order as enum message_kind. */
enum cfg_kind {
	CFG_KIND_WEBHOOK, CFG_KIND_EMAIL, CFG_KIND_NTFY, CFG_KIND_MATRIX, CFG_KIND_SLACK,
	CFG_KIND_DISCORD, CFG_KIND_TELEGRAM
};

#define CFG_DECL_PATH(key, max) char key[max];
#define CFG_DECL_SECRET(key, max) char key[max];
#define CFG_DECL_URL(m) CFG_DECL_PATH
#define CFG_DECL_BOOL(key, max) bool key;
#define CFG_DECL_UINT(key, max) unsigned key;
#define CFG_DECL_DURATION(key, max) unsigned key;
#define CFG_DECL_SIZE(key, max) uint64_t key;
#define CFG_DECL_SCHEDULE(key, max) struct cfg_schedule key;
#define CFG_DECL_LOGLEVEL(key, max) enum log_level key;
#define CFG_DECL_ENUM(words) CFG_DECL_UINT
#define CFG_DECL_LANG(key, max) char key[max];
#define CFG_DECL_PIN(key, max) char key[max];
#define CFG_DECL_HEADER(key, max) struct cfg_headers key;
#define CFG_DECL_RULE(key, max) unsigned key;
#define CFG_DECL_TEXT(key, max) char key[max];
#define CFG_DECL_ADDRESS(key, max) char key[max];
#define CFG_DECL_ADDRLIST(key, max) char key[max];

/* One struct per section, each made from that section's lines of cfg.def. */
#define CFG(sec, ...) CFG_##sec(__VA_ARGS__)
#define CFG_FIELD(key, type, def, min, max, doc) CFG_DECL_##type(key, max)
#define CFG_SKIP(key, type, def, min, max, doc)

#define CFG_daemon CFG_FIELD
#define CFG_http CFG_SKIP
#define CFG_source CFG_SKIP
#define CFG_digest CFG_SKIP
#define CFG_endpoint CFG_SKIP
struct cfg_daemon {
#include "core/cfg.def"
};

#undef CFG_daemon
#undef CFG_http
#define CFG_daemon CFG_SKIP
#define CFG_http CFG_FIELD
struct cfg_http {
#include "core/cfg.def"
};

#undef CFG_http
#undef CFG_source
#define CFG_http CFG_SKIP
#define CFG_source CFG_FIELD
struct cfg_source {
	char name[CFG_SOURCE_NAME_BYTES];
#include "core/cfg.def"
};

#undef CFG_source
#undef CFG_digest
#define CFG_source CFG_SKIP
#define CFG_digest CFG_FIELD
struct cfg_digest {
#include "core/cfg.def"
};

#undef CFG_digest
#undef CFG_endpoint
#define CFG_digest CFG_SKIP
#define CFG_endpoint CFG_FIELD
struct cfg_endpoint {
	/* NAME of [endpoint NAME]; "" for the plain [endpoint]. */
	char name[CFG_SOURCE_NAME_BYTES];
#include "core/cfg.def"
};

#undef CFG
#undef CFG_FIELD
#undef CFG_SKIP
#undef CFG_daemon
#undef CFG_http
#undef CFG_source
#undef CFG_digest
#undef CFG_endpoint

struct cfg {
	struct cfg_daemon daemon;
	struct cfg_http http;
	struct cfg_digest digest;
	/* The [endpoint] and [endpoint NAME] sections, in the order given. */
	unsigned n_endpoints;
	struct cfg_endpoint endpoints[CFG_MAX_ENDPOINTS];
	struct cfg_rules rules; /* every keep and drop rule */
	/* Absolute folder of the config file: relative PATH values were
	 * resolved against it, relative SECRET values are at use time. */
	char base_dir[CFG_PATH_BYTES];
	unsigned n_sources;
	/* Last, so that only the n_sources in use are ever written or copied
	 * (cfg_used_bytes): the pages of the others are never touched, and a
	 * few sources cost no more RAM than before the cap grew to 1,000. */
	struct cfg_source sources[CFG_MAX_SOURCES];
};

/* What a load found wrong, in the order found (lines in file order, then
 * checks across keys, then what CFG_RUN adds): n lines "FILE:LINE: message",
 * or "FILE: message" when no line applies (line 0). When there were more
 * than CFG_MAX_ERRORS, the last line says how many were left out. */
struct cfg_error {
	unsigned n;
	unsigned line[CFG_MAX_ERRORS];
	char msg[CFG_MAX_ERRORS][CFG_ERROR_BYTES];
};

/* cfg_load flags. CFG_RUN: also what `digestd run` needs (check-config
 * checks the same): at least one source, at least one endpoint, and each of
 * their secret files present, readable and safe as cfg_secret_open says;
 * they are opened and closed, never read. */
#define CFG_RUN 0x1u

/* The configuration of an empty file: every default, no sources, no
 * endpoint, base_dir /etc/digestd. Reads $STATE_DIRECTORY. Never fails.
 * Writes only what cfg_used_bytes covers (sources[] is left as it was). */
void cfg_defaults(struct cfg *c);

/* The bytes of c that hold its settings: everything before sources[] and
 * its first n_sources entries. What lies past them is never read. */
size_t cfg_used_bytes(const struct cfg *c);

/* Reads and checks the ini file at path, then the files its [daemon]
 * include names (docs/config.md, Included files: their relative values
 * resolve against their own folder; errors name them), reporting every
 * error it finds.
 * Returns 0 and fills *out; or -EINVAL for an invalid configuration (exit
 * 78) and any other negative errno when the file cannot be read (exit 66),
 * with err saying why. On failure *out is untouched, so a reload can keep
 * the running config. Not reentrant (one static scratch copy); blocks on
 * the file (and, with CFG_RUN, on opening the secret files) only. */
int cfg_load(const char *path, unsigned flags, struct cfg *out, struct cfg_error *err);

/* cfg_load on len bytes in memory: name is used in messages and base_dir
 * (absolute) resolves relative paths. Returns 0 or -EINVAL. */
int cfg_load_buffer(const char *buf, size_t len, const char *name, const char *base_dir,
		    unsigned flags, struct cfg *out, struct cfg_error *err);

/* "[endpoint]" or "[endpoint NAME]" for the endpoint named name ("" for
 * the plain one) into out, for messages. */
void cfg_endpoint_label(const char *name, char *out, size_t size);

/* The word [endpoint] kind spells kind (an enum cfg_kind) with, "webhook"
 * to "telegram", into out (from the key table, the one list of them); ""
 * for a value that is no kind. */
void cfg_kind_word(int kind, char *out, size_t size);

/* Logs each line of err with log_errx. */
void cfg_log_errors(const struct cfg_error *err);

/* Opens for reading, without reading it, the secret file that a SECRET
 * key's value names: an absolute path as it is; a name with no '/' in
 * $CREDENTIALS_DIRECTORY when that is set (systemd LoadCredential=); anything
 * else relative to c->base_dir. A symbolic link is followed and the file it
 * leads to must be a regular file and, unless it lies in
 * $CREDENTIALS_DIRECTORY (systemd sets those modes), owned by root or our
 * effective user with no access for group or others, as OpenSSH wants of a
 * private key. Writes the normalised path to path (size bytes) either way.
 * Returns the descriptor (O_CLOEXEC; the caller closes it), or a negative
 * errno with why ("cannot open: ...", "not a regular file", "mode 0644 ...;
 * chmod 600 PATH", ...) saying what is wrong and how to fix it. A FIFO
 * does not block it. */
int cfg_secret_open(const struct cfg *c, const char *value, char *path, size_t size, char *why,
		    size_t whysz);

/* The daemon's peak RSS bound for c with transfers transfers in flight
 * (limits.h, RUN_RSS_BOUND_BYTES, says each part); *bodies gets the share of
 * the transfers' body buffers. cfg refuses a file whose bound at its
 * max_transfers passes RUN_MEMORY_MAX_BYTES. */
uint64_t cfg_memory_bound(const struct cfg *c, unsigned transfers, uint64_t *bodies);

/* Writes the effective configuration as an ini file that loads back to the
 * same struct: every key, defaults filled in, secrets only as the path they
 * come from (never their contents). */
void cfg_dump(const struct cfg *c, FILE *f);

/* Writes the key reference (section, key, type, default, range, meaning) as
 * a Markdown table; docs/config.md embeds it. */
void cfg_dump_keys(FILE *f);

#endif
