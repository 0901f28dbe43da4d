/* SPDX-License-Identifier: MIT */
/* Loading the configuration that cfg.def describes: the key table, the
 * defaults, and reading an ini file line by line into a struct cfg, every
 * error with its line. Nothing here allocates (but regcomp, checking a rule,
 * freed at once) or reads a secret. */
#include "cfg.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cfg_check.h"
#include "core/cfg_key.h"
#include "core/cfg_value.h"
#include "core/file.h"
#include "core/mem.h"
#include "core/rules.h"
#include "core/utf8.h"

#define CFG_DEFAULT_DIR "/etc/digestd"
#define CFG_DEFAULT_STATE_DIR "/var/lib/digestd"

#define CFG_DESC_PATH .type = CFG_T_PATH
#define CFG_DESC_SECRET .type = CFG_T_SECRET
#define CFG_DESC_URL(m) .type = CFG_T_URL, .schemes = (m)
#define CFG_DESC_BOOL .type = CFG_T_BOOL
#define CFG_DESC_UINT .type = CFG_T_UINT
#define CFG_DESC_DURATION .type = CFG_T_DURATION
#define CFG_DESC_SIZE .type = CFG_T_SIZE
#define CFG_DESC_SCHEDULE .type = CFG_T_SCHEDULE
#define CFG_DESC_LOGLEVEL .type = CFG_T_LOGLEVEL
#define CFG_DESC_ENUM(words) .type = CFG_T_ENUM, .values = #words
#define CFG_DESC_LANG .type = CFG_T_LANG
#define CFG_DESC_PIN .type = CFG_T_PIN
#define CFG_DESC_HEADER .type = CFG_T_HEADER
#define CFG_DESC_RULE .type = CFG_T_RULE
#define CFG_DESC_TEXT .type = CFG_T_TEXT
#define CFG_DESC_ADDRESS .type = CFG_T_ADDRESS
#define CFG_DESC_ADDRLIST .type = CFG_T_ADDRLIST

#define CFG(sec_, key_, type_, def_, min_, max_, doc_)                                    \
	{ .sec = CFG_SEC_##sec_, .section = #sec_, .name = #key_, CFG_DESC_##type_,         \
	  .def = def_, .min = (min_), .max = (max_), .doc = doc_,                            \
	  .offset = offsetof(struct cfg_##sec_, key_),                                       \
	  .size = sizeof(((struct cfg_##sec_ *)0)->key_) },
const struct cfg_key cfg_keys[CFG_N_KEYS] = {
#include "core/cfg.def"
};
#undef CFG

const char *const cfg_sec_names[CFG_SEC_COUNT] = { "daemon", "http", "source", "digest",
						   "endpoint" };

static struct cfg_parse scratch;

_Static_assert(sizeof(struct cfg) - offsetof(struct cfg, sources) -
			       sizeof(((struct cfg *)0)->sources) < _Alignof(struct cfg),
	       "sources[] ends struct cfg: cfg_used_bytes copies what precedes it");

#define LINE_MASK ((1u << CFG_PLACE_SHIFT) - 1)

/* The name of the file a place is in, as messages show it. */
static const char *place_file(const struct cfg_parse *ps, unsigned place)
{
	unsigned file = place >> CFG_PLACE_SHIFT;

	return file ? ps->inc_name[file - 1] : ps->name;
}

void cfg_place(const struct cfg_parse *ps, unsigned place, char *out, size_t size)
{
	if (place >> CFG_PLACE_SHIFT == ps->file)
		snprintf(out, size, "line %u", place & LINE_MASK);
	else
		snprintf(out, size, "%s:%u", place_file(ps, place), place & LINE_MASK);
}

/* The last of err's lines is kept to say how many did not fit. */
void cfg_fail(struct cfg_parse *ps, unsigned place, const char *fmt, ...)
{
	struct cfg_error *err = ps->err;
	unsigned line = place & LINE_MASK;
	char *msg;
	size_t size = sizeof(err->msg[0]);
	va_list ap;
	int n;

	if (!ps->failed)
		ps->failed = -EINVAL;
	ps->errors++;
	if (err->n == CFG_MAX_ERRORS - 1)
		return;
	msg = err->msg[err->n];
	err->line[err->n++] = line;
	if (line)
		n = snprintf(msg, size, "%s:%u: ", place_file(ps, place), line);
	else
		n = snprintf(msg, size, "%s: ", place_file(ps, place));
	if (n < 0)
		n = 0;
	if ((size_t)n >= size)
		n = (int)size - 1;
	va_start(ap, fmt);
	vsnprintf(msg + n, size - (size_t)n, fmt, ap);
	va_end(ap);
}

/* The line of err that says how many errors were left out, when some were. */
static void count_left_out(struct cfg_parse *ps)
{
	struct cfg_error *err = ps->err;

	if (ps->errors <= err->n)
		return;
	err->line[err->n] = 0;
	snprintf(err->msg[err->n], sizeof(err->msg[0]), "%s: %u more errors not shown",
		 ps->name, ps->errors - err->n);
	err->n++;
}

void cfg_log_errors(const struct cfg_error *err)
{
	for (unsigned i = 0; i < err->n; i++)
		log_errx("%s", err->msg[i]);
}

/* The current section had a line that could not be read or set. */
static void damage(struct cfg_parse *ps)
{
	if (ps->sec == CFG_SEC_source)
		ps->damaged_src[ps->src] = true;
	else if (ps->sec == CFG_SEC_endpoint)
		ps->damaged_ep[ps->src] = true;
	else if (ps->sec >= 0)
		ps->damaged_sec[ps->sec] = true;
}

void cfg_endpoint_label(const char *name, char *out, size_t size)
{
	snprintf(out, size, "[endpoint%s%s]", name[0] ? " " : "", name);
}

void cfg_kind_word(int kind, char *out, size_t size)
{
	if (kind >= CFG_KIND_WEBHOOK && kind <= CFG_KIND_TELEGRAM)
		cfg_enum_word(cfg_keys[CFG_KEY_endpoint_kind].values, (unsigned)kind, out, size);
	else if (size)
		out[0] = '\0';
}

void cfg_label(const struct cfg_parse *ps, unsigned sec, unsigned src, char *out, size_t size)
{
	if (sec == CFG_SEC_source)
		snprintf(out, size, "[source %s]", ps->cfg.sources[src].name);
	else if (sec == CFG_SEC_endpoint)
		cfg_endpoint_label(ps->cfg.endpoints[src].name, out, size);
	else
		snprintf(out, size, "[%s]", cfg_sec_names[sec]);
}

static unsigned edit_distance(const char *a, size_t la, const char *b)
{
	enum { MAXLEN = 40 };
	unsigned row[MAXLEN + 1];
	size_t lb = strlen(b);

	if (la > MAXLEN || lb > MAXLEN)
		return UINT_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned prev = row[0];

		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cur = row[j];
			unsigned best = prev + (utf8_ascii_lower(a[i - 1]) !=
						utf8_ascii_lower(b[j - 1]));

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* A typo, not another word: one edit for short names, two for longer. */
static int is_close(unsigned d, const char *known)
{
	return d <= (strlen(known) <= 4 ? 1u : 2u);
}

const struct cfg_key *cfg_key_named(unsigned sec, const char *name)
{
	for (size_t i = 0; i < CFG_N_KEYS; i++)
		if (cfg_keys[i].sec == sec && !strcmp(cfg_keys[i].name, name))
			return &cfg_keys[i];
	return NULL;
}

void *cfg_section(struct cfg *c, unsigned sec, unsigned src)
{
	switch (sec) {
	case CFG_SEC_daemon:
		return &c->daemon;
	case CFG_SEC_http:
		return &c->http;
	case CFG_SEC_source:
		return &c->sources[src];
	case CFG_SEC_digest:
		return &c->digest;
	default:
		return &c->endpoints[src];
	}
}

unsigned cfg_slot(unsigned sec, unsigned src)
{
	if (sec == CFG_SEC_endpoint)
		return 1 + src;
	if (sec == CFG_SEC_source)
		return 1 + CFG_MAX_ENDPOINTS + src;
	return 0;
}

static void apply_defaults(void *base, unsigned sec, const char *base_dir)
{
	char why[CFG_ERROR_BYTES];

	for (size_t i = 0; i < CFG_N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		/* Every default parses: test_cfg checks it key by key. */
		if (k->sec == sec && k->def && *k->def)
			(void)cfg_value_set(k, (char *)base + k->offset, k->def, base_dir, why,
					    sizeof(why));
	}
}

void cfg_source_defaults(struct cfg_source *s, const char *base_dir)
{
	memset(s, 0, sizeof(*s));
	apply_defaults(s, CFG_SEC_source, base_dir);
}

void cfg_endpoint_defaults(struct cfg_endpoint *e, const char *base_dir)
{
	memset(e, 0, sizeof(*e));
	apply_defaults(e, CFG_SEC_endpoint, base_dir);
}

/* An unset state_dir: systemd's $STATE_DIRECTORY (several paths joined by
 * ':' when the unit lists several; the first is ours), else the FHS place. */
static void default_state_dir(struct cfg_daemon *d)
{
	const char *sd = getenv("STATE_DIRECTORY");
	char first[CFG_PATH_BYTES];
	size_t len = sd ? strcspn(sd, ":") : 0;

	if (sd && sd[0] == '/' && len < sizeof(first)) {
		memcpy(first, sd, len);
		first[len] = '\0';
		if (cfg_path_join("/", first, d->state_dir, sizeof(d->state_dir)) == 0)
			return;
	}
	(void)cfg_copy_str(d->state_dir, sizeof(d->state_dir), CFG_DEFAULT_STATE_DIR);
}

size_t cfg_used_bytes(const struct cfg *c)
{
	return offsetof(struct cfg, sources) + c->n_sources * sizeof(c->sources[0]);
}

void cfg_defaults(struct cfg *c)
{
	/* mem_zero, mem_copy (load): the endpoints and rules a config does not
	 * use (about 125 KiB) stay unmapped pages in the daemon's static cfgs. */
	mem_zero(c, offsetof(struct cfg, sources));
	memcpy(c->base_dir, CFG_DEFAULT_DIR, sizeof(CFG_DEFAULT_DIR));
	for (unsigned sec = 0; sec < CFG_SEC_COUNT; sec++)
		if (sec != CFG_SEC_source && sec != CFG_SEC_endpoint)
			apply_defaults(cfg_section(c, sec, 0), sec, c->base_dir);
	default_state_dir(&c->daemon);
}

static int valid_source_name(const char *s, size_t len)
{
	if (len == 0 || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!utf8_ascii_alpha((unsigned char)s[i]) && !utf8_is_digit((unsigned char)s[i]) &&
		    !strchr("._-", s[i]))
			return 0;
	return 1;
}

/* A [source NAME] or [endpoint NAME] name (what: "source", "endpoint"):
 * it names a folder of the state (an endpoint's outbox), hence the rules.
 * Returns 0 or -EINVAL after saying why. */
static int check_name(struct cfg_parse *ps, const char *what, const char *name, size_t len)
{
	char q[80];

	cfg_quote(q, sizeof(q), name, len);
	if (len == 0) {
		cfg_fail(ps, ps->line, "a %s section needs a name: [%s NAME]", what, what);
		return -EINVAL;
	}
	if (!valid_source_name(name, len)) {
		cfg_fail(ps, ps->line, "%s name '%s' may use only letters, digits, '.', '_' "
				       "and '-' (not first)", what, q);
		return -EINVAL;
	}
	if (len >= CFG_SOURCE_NAME_BYTES) {
		cfg_fail(ps, ps->line, "%s name '%s' is longer than %u bytes", what, q,
			 CFG_SOURCE_NAME_BYTES - 1);
		return -EINVAL;
	}
	return 0;
}

static int enter_source(struct cfg_parse *ps, const char *name, size_t len)
{
	struct cfg *c = &ps->cfg;
	char q[80], first[CFG_PATH_BYTES + 16];

	cfg_quote(q, sizeof(q), name, len);
	if (check_name(ps, "source", name, len) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < c->n_sources; i++) {
		if (strlen(c->sources[i].name) == len && !memcmp(c->sources[i].name, name, len)) {
			cfg_place(ps, ps->src_line[i], first, sizeof(first));
			cfg_fail(ps, ps->line, "[source %s] is defined twice (first at %s)", q, first);
			return -EINVAL;
		}
	}
	if (c->n_sources == CFG_MAX_SOURCES) {
		cfg_fail(ps, ps->line, "too many sources: at most %u [source NAME] sections",
			 CFG_MAX_SOURCES);
		return -EINVAL;
	}
	ps->src = c->n_sources++;
	cfg_source_defaults(&c->sources[ps->src], c->base_dir);
	memcpy(c->sources[ps->src].name, name, len);
	ps->src_line[ps->src] = ps->line;
	ps->damaged_src[ps->src] = false;
	memset(ps->key_line[cfg_slot(CFG_SEC_source, ps->src)], 0, sizeof(ps->key_line[0]));
	memset(ps->bad[cfg_slot(CFG_SEC_source, ps->src)], 0, sizeof(ps->bad[0]));
	ps->sec = CFG_SEC_source;
	return 0;
}

/* [endpoint] (len 0) or [endpoint NAME]. The plain one may appear again in
 * another file, as the single sections may (its keys still count once);
 * a named one only once across all files, as a source. */
static int enter_endpoint(struct cfg_parse *ps, const char *name, size_t len)
{
	struct cfg *c = &ps->cfg;
	char q[80], first[CFG_PATH_BYTES + 16];
	unsigned i;

	cfg_quote(q, sizeof(q), name, len);
	if (len && check_name(ps, "endpoint", name, len) < 0)
		return -EINVAL;
	/* Its folders sit among the plain endpoint's entries (NAME.digest) and
	 * dead letters (NAME.digest.reason, .digest.1): never taken for one. */
	for (size_t j = 0; j + 7 <= len; j++) {
		if (!memcmp(name + j, ".digest", 7)) {
			cfg_fail(ps, ps->line, "endpoint name '%s' may not contain '.digest'", q);
			return -EINVAL;
		}
	}
	for (i = 0; i < c->n_endpoints; i++)
		if (strlen(c->endpoints[i].name) == len && !memcmp(c->endpoints[i].name, name, len))
			break;
	if (i < c->n_endpoints && (len || ps->ep_line[i] >> CFG_PLACE_SHIFT == ps->file)) {
		cfg_place(ps, ps->ep_line[i], first, sizeof(first));
		if (len)
			cfg_fail(ps, ps->line, "[endpoint %s] is defined twice (first at %s)", q,
				 first);
		else
			cfg_fail(ps, ps->line, "[endpoint] appears twice (first at %s)", first);
		return -EINVAL;
	}
	/* The plain endpoint keeps its last answer in the state file
	 * endpoint:default (pipeline_endpoint_state): [endpoint default] beside
	 * it would share it, each taking the other's answers for its own in
	 * `digestd status` and in the push order read back at start-up. */
	for (unsigned j = 0; i == c->n_endpoints && j < c->n_endpoints; j++) {
		const char *o = c->endpoints[j].name;

		if (len ? o[0] || len != 7 || memcmp(name, "default", 7) : strcmp(o, "default"))
			continue;
		cfg_place(ps, ps->ep_line[j], first, sizeof(first));
		cfg_fail(ps, ps->line, "[endpoint%s] would share the state file endpoint:default "
				       "with [endpoint%s] (at %s): name [endpoint default] otherwise",
			 len ? " default" : "", len ? "" : " default", first);
		return -EINVAL;
	}
	if (i == c->n_endpoints && i == CFG_MAX_ENDPOINTS) {
		cfg_fail(ps, ps->line, "too many endpoints: at most %u [endpoint NAME] sections",
			 CFG_MAX_ENDPOINTS);
		return -EINVAL;
	}
	ps->src = i;
	ps->sec = CFG_SEC_endpoint;
	if (i < c->n_endpoints)
		return 0;
	c->n_endpoints++;
	cfg_endpoint_defaults(&c->endpoints[i], c->base_dir);
	memcpy(c->endpoints[i].name, name, len);
	ps->ep_line[i] = ps->line;
	return 0;
}

/* Follows a section header. Returns 0, or -EINVAL for a refused one. */
static int enter_section(struct cfg_parse *ps, const char *name, size_t len)
{
	unsigned best = UINT_MAX, best_sec = 0;
	size_t word = 0;
	char q[80], rest[80], first[CFG_PATH_BYTES + 16];

	for (unsigned sec = 0; sec < CFG_SEC_COUNT; sec++) {
		if (sec == CFG_SEC_source || sec == CFG_SEC_endpoint ||
		    strlen(cfg_sec_names[sec]) != len ||
		    memcmp(cfg_sec_names[sec], name, len))
			continue;
		/* Again in another file is fine: its keys still count once. */
		if (ps->sec_line[sec] && ps->sec_line[sec] >> CFG_PLACE_SHIFT == ps->file) {
			cfg_place(ps, ps->sec_line[sec], first, sizeof(first));
			cfg_fail(ps, ps->line, "[%s] appears twice (first at %s)",
				 cfg_sec_names[sec], first);
			return -EINVAL;
		}
		if (!ps->sec_line[sec])
			ps->sec_line[sec] = ps->line;
		ps->sec = (int)sec;
		return 0;
	}
	if (len >= 6 && !memcmp(name, "source", 6) && (len == 6 || utf8_ascii_space(name[6]))) {
		size_t skip = 6;

		while (skip < len && utf8_ascii_space(name[skip]))
			skip++;
		return enter_source(ps, name + skip, len - skip);
	}
	if (len >= 8 && !memcmp(name, "endpoint", 8) && (len == 8 || utf8_ascii_space(name[8]))) {
		size_t skip = 8;

		while (skip < len && utf8_ascii_space(name[skip]))
			skip++;
		return enter_endpoint(ps, name + skip, len - skip);
	}
	while (word < len && !utf8_ascii_space(name[word]))
		word++;
	for (unsigned sec = 0; sec < CFG_SEC_COUNT; sec++) {
		unsigned d = edit_distance(name, word, cfg_sec_names[sec]);

		if (d < best) {
			best = d;
			best_sec = sec;
		}
	}
	cfg_quote(q, sizeof(q), name, len);
	cfg_quote(rest, sizeof(rest), name + word, len - word);
	if (is_close(best, cfg_sec_names[best_sec]) && best_sec == CFG_SEC_source)
		cfg_fail(ps, ps->line, "unknown section [%s]; did you mean [source%s]?", q,
			 word < len ? rest : " NAME");
	else if (is_close(best, cfg_sec_names[best_sec]) && best_sec == CFG_SEC_endpoint)
		cfg_fail(ps, ps->line, "unknown section [%s]; did you mean [endpoint%s]?", q,
			 word < len ? rest : "");
	else if (is_close(best, cfg_sec_names[best_sec]))
		cfg_fail(ps, ps->line, "unknown section [%s]; did you mean [%s]?", q,
			 cfg_sec_names[best_sec]);
	else
		cfg_fail(ps, ps->line, "unknown section [%s]; sections are [daemon], [http], "
				       "[source NAME], [digest] and [endpoint]", q);
	return -EINVAL;
}

/* Where a section name ends: at one of chars, or at a ';' that follows
 * whitespace (an inline comment), as inih ends a value. */
static const char *find_chars_or_comment(const char *s, const char *chars)
{
	int was_space = 0;

	while (*s && !strchr(chars, *s) && !(was_space && *s == ';')) {
		was_space = utf8_ascii_space((unsigned char)*s);
		s++;
	}
	return s;
}

/* Follows a section header line. Returns 0, or -EINVAL for a refused one,
 * whose keys are then skipped. */
static int header_line(struct cfg_parse *ps, const char *s)
{
	const char *end, *rest, *name = s + 1;
	size_t len;

	end = find_chars_or_comment(name, "]");
	if (*end != ']') {
		cfg_fail(ps, ps->line, "a section header needs a closing ']'");
		goto refused;
	}
	for (rest = end + 1; utf8_ascii_space((unsigned char)*rest); rest++)
		;
	if (*rest && *rest != ';' && *rest != '#') {
		cfg_fail(ps, ps->line, "unexpected text after ']'");
		goto refused;
	}
	while (name < end && utf8_ascii_space((unsigned char)*name))
		name++;
	len = (size_t)(end - name);
	while (len > 0 && utf8_ascii_space((unsigned char)name[len - 1]))
		len--;
	if (enter_section(ps, name, len) == 0)
		return 0;
refused:
	ps->sec = CFG_SEC_SKIP;
	ps->refused_section = true;
	return -EINVAL;
}

static int next_byte(struct cfg_parse *ps)
{
	int c;

	if (!ps->f)
		return ps->p < ps->end ? (unsigned char)*ps->p++ : -1;
	c = getc(ps->f);
	if (c == EOF)
		return ferror(ps->f) ? -2 : -1;
	return c;
}

/* After inih has had a key line: on_key clears ps->key_pending, so still
 * set, inih found no '=' or ':' in it (and, going on, says only which was
 * the first such line). */
static void key_line_done(struct cfg_parse *ps)
{
	if (!ps->key_pending)
		return;
	ps->key_pending = false;
	cfg_fail(ps, ps->line, "expected 'key = value', a [section] or a comment");
	damage(ps);
}

/* inih's reader, one whole physical line at a time. The lines are ours:
 * counted exactly, a long one or one with a NUL refused instead of split,
 * the BOM dropped, blank lines, comments and [section] headers taken here
 * and handed on empty. inih gets the key lines and is their only parser
 * ('=' or ':', blanks, inline comments): Debian's inih cannot be left the
 * sections, as it cuts long names, says nothing of a section without keys
 * and tells a bad line only by the first one's number. Only a file that
 * cannot be read (or is too large) stops the reading. */
static char *read_line(char *str, int num, void *stream)
{
	struct cfg_parse *ps = stream;
	size_t cap = num > 1 ? (size_t)num - 1 : 0, n = 0, skip = 0;
	int c, any = 0, nul = 0, too_long = 0;

	key_line_done(ps);
	if (ps->stop)
		return NULL;
	ps->line++;
	for (;;) {
		c = next_byte(ps);
		if (c < 0)
			break;
		any = 1;
		if (++ps->total > CFG_FILE_BYTES) {
			cfg_fail(ps, 0, "larger than %u KiB; is this the right file?",
				 CFG_FILE_BYTES / 1024);
			ps->stop = true;
			return NULL;
		}
		if (c == '\n')
			break;
		if (c == '\0')
			nul = 1;
		else if (n == cap)
			too_long = 1;
		else
			str[n++] = (char)c;
	}
	if (c == -2) {
		int e = errno ? errno : EIO;

		cfg_fail(ps, 0, "cannot read: %s", strerror(e));
		ps->failed = -e;
		ps->stop = true;
		return NULL;
	}
	if (!any) {
		ps->line--;
		return NULL;
	}
	str[n] = '\0';
	if (nul)
		cfg_fail(ps, ps->line, "NUL byte in the line; is this a text file?");
	else if (too_long)
		cfg_fail(ps, ps->line, "line longer than %zu bytes", cap);
	if (nul || too_long) {
		damage(ps);
		str[0] = '\0';
		return str;
	}
	if ((ps->line & LINE_MASK) == 1 && n >= 3 && !memcmp(str, "\xef\xbb\xbf", 3))
		skip = 3;
	while (skip < n && utf8_ascii_space((unsigned char)str[skip]))
		skip++;
	memmove(str, str + skip, n - skip + 1);
	if (str[0] == '[')
		(void)header_line(ps, str);
	else if (str[0] && str[0] != ';' && str[0] != '#')
		ps->key_pending = true;
	if (!ps->key_pending)
		str[0] = '\0';
	return str;
}

static void unknown_key(struct cfg_parse *ps, const char *name, const char *where)
{
	static const char *const secret_words[] = { "token", "password", "passwd", "secret",
						    "bearer", "apikey", "api_key", "credential" };
	static const char *const secret_keys[] = { "key", "auth", "authorization",
						   "signing_key", "private_key" };
	const struct cfg_key *best = NULL;
	char others[64] = "";
	size_t no = 0;
	unsigned best_d = UINT_MAX;
	size_t len = strlen(name);
	char q[80], file_key[64];
	int secret = 0;

	cfg_quote(q, sizeof(q), name, len);
	for (size_t i = 0; i < CFG_N_KEYS; i++) {
		unsigned d;

		if (cfg_keys[i].sec != (unsigned)ps->sec) {
			if (!strcmp(cfg_keys[i].name, name) && no < sizeof(others))
				no += (size_t)snprintf(others + no, sizeof(others) - no, "%s[%s%s]",
						       no ? " or " : "", cfg_keys[i].section,
						       cfg_keys[i].sec == CFG_SEC_source ? " NAME" : "");
			continue;
		}
		d = edit_distance(name, len, cfg_keys[i].name);
		if (d < best_d) {
			best_d = d;
			best = &cfg_keys[i];
		}
	}
	if (best && is_close(best_d, best->name)) {
		cfg_fail(ps, ps->line, "unknown key '%s' in %s; did you mean '%s'?", q, where,
			 best->name);
		return;
	}
	for (size_t i = 0; i < sizeof(secret_words) / sizeof(secret_words[0]); i++)
		for (const char *s = name; *s && !secret; s++)
			secret = strncasecmp(s, secret_words[i], strlen(secret_words[i])) == 0;
	for (size_t i = 0; i < sizeof(secret_keys) / sizeof(secret_keys[0]); i++)
		secret |= strcasecmp(name, secret_keys[i]) == 0;
	if (secret) {
		const struct cfg_key *fk;

		snprintf(file_key, sizeof(file_key), "%s_file", name);
		fk = cfg_key_named(CFG_SEC_endpoint, file_key);
		/* Only a key this endpoint's kind (as far as read) takes. */
		if (!fk || (ps->sec == CFG_SEC_endpoint &&
			    !cfg_kind_takes((unsigned)(fk - cfg_keys),
					    ps->cfg.endpoints[ps->src].kind)))
			snprintf(file_key, sizeof(file_key), "token_file");
		cfg_fail(ps, ps->line, "%s %s: secrets never go in the config file; put it in a file "
				       "and set %s %s to the file's path (or a systemd "
				       "credential name)", where, q,
			 ps->sec == CFG_SEC_endpoint ? where : "[endpoint]", file_key);
		return;
	}
	if (no) {
		cfg_fail(ps, ps->line, "unknown key '%s' in %s; it belongs in %s", q, where,
			 others);
		return;
	}
	cfg_fail(ps, ps->line, "unknown key '%s' in %s", q, where);
}

/* A key line whose key inih found empty or with blanks inside: said, and
 * the section counted as damaged. Returns 1 then, else 0. */
static int key_name_refused(struct cfg_parse *ps, const char *name)
{
	char q[80];

	if (!*name) {
		cfg_fail(ps, ps->line, "expected 'key = value': the key is missing");
	} else if (name[strcspn(name, " \t\v\f\r")]) {
		cfg_quote(q, sizeof(q), name, strlen(name));
		cfg_fail(ps, ps->line, "'%s' is not a key name; is '=' missing?", q);
	} else {
		return 0;
	}
	damage(ps);
	return 1;
}

/* A keep or drop line: checked (a bad expression is refused here, naming
 * the line) and added to the rules pool, in file order. */
static void add_rule(struct cfg_parse *ps, const struct cfg_key *k, unsigned *count,
		     const char *value, const char *where)
{
	struct cfg_rules *rules = &ps->cfg.rules;
	struct cfg_rule *r;
	char why[CFG_ERROR_BYTES], q[80];
	unsigned long cost;

	if (!*value) /* "keep =": none, as the dump writes it */
		return;
	cfg_quote(q, sizeof(q), value, strlen(value));
	if (strlen(value) >= sizeof(r->text)) {
		cfg_fail(ps, ps->line, "%s %s: a rule is at most %u bytes", where, k->name,
			 CFG_RULE_BYTES - 1);
		return;
	}
	if (rules_check(value, &cost, why, sizeof(why)) < 0) {
		cfg_fail(ps, ps->line, "%s %s = '%s': %s", where, k->name, q, why);
		return;
	}
	/* One budget for all: each expression's automaton is regcomp's heap. */
	if (rules->cost + cost > RULES_RE_COST) {
		cfg_fail(ps, ps->line, "%s %s = '%s': the regular expressions of all keep and drop "
				       "rules together would pass %u parts (docs/rules.md)", where,
			 k->name, q, RULES_RE_COST);
		return;
	}
	if (rules->n == CFG_MAX_RULES) {
		cfg_fail(ps, ps->line, "%s %s: at most %u keep and drop rules in all", where,
			 k->name, CFG_MAX_RULES);
		return;
	}
	rules->cost += cost;
	r = &rules->r[rules->n++];
	r->owner = (unsigned short)(k->sec == CFG_SEC_source ? 1 + ps->src : 0);
	r->drop = strcmp(k->name, "drop") == 0;
	memcpy(r->text, value, strlen(value) + 1);
	(*count)++;
}

/* inih's handler, for each key line. The section argument is ignored:
 * read_line takes the section headers, which inih never sees. Always
 * returns 1: errors are ours to report, every one. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
	struct cfg_parse *ps = user;
	const struct cfg_key *k;
	unsigned slot, *seen;
	char where[CFG_SOURCE_NAME_BYTES + 16], why[CFG_ERROR_BYTES], q[80];
	char first[CFG_PATH_BYTES + 16], secret[CFG_PATH_BYTES];
	char *field;
	int rc, credential;

	(void)section;
	ps->key_pending = false;
	/* What inih read before the '=' (blanks trimmed) must be a name. */
	if (key_name_refused(ps, name))
		return 1;
	if (ps->sec == CFG_SEC_SKIP)
		return 1;
	if (ps->sec == CFG_SEC_NONE) {
		cfg_quote(q, sizeof(q), name, strlen(name));
		cfg_fail(ps, ps->line, "key '%s' comes before any [section]", q);
		return 1;
	}
	cfg_label(ps, (unsigned)ps->sec, ps->src, where, sizeof(where));
	k = cfg_key_named((unsigned)ps->sec, name);
	if (!k) {
		unknown_key(ps, name, where);
		damage(ps);
		return 1;
	}
	if (k == &cfg_keys[CFG_KEY_daemon_include] && ps->file) {
		cfg_fail(ps, ps->line, "[daemon] include: only the main config file may include "
				       "others, not an included one");
		return 1;
	}
	slot = cfg_slot(k->sec, ps->src);
	seen = &ps->key_line[slot][k - cfg_keys];
	if (*seen && k->type != CFG_T_HEADER && k->type != CFG_T_RULE) {
		cfg_place(ps, *seen, first, sizeof(first));
		cfg_fail(ps, ps->line, "%s %s is set twice (first at %s)", where, k->name, first);
		return 1;
	}
	*seen = ps->line;
	/* inih reads "key =;x" as ";x" but "key = ;x" as a comment: such a
	 * value could not be written back, and is a slip anyway. */
	if (value[0] == ';') {
		cfg_fail(ps, ps->line, "%s %s: a value cannot start with ';' (a comment needs a "
				       "space before it)", where, k->name);
		ps->bad[slot][k - cfg_keys] = true;
		return 1;
	}
	why[0] = '\0';
	field = (char *)cfg_section(&ps->cfg, k->sec, ps->src) + k->offset;
	if (k->type == CFG_T_RULE) {
		add_rule(ps, k, (unsigned *)(void *)field, value, where);
		return 1;
	}
	memcpy(&ps->undo, field, k->size);
	if (k == &cfg_keys[CFG_KEY_daemon_include])
		(void)cfg_copy_str(ps->inc_raw, sizeof(ps->inc_raw), value);
	/* A secret file named in an included file is found from that file's
	 * folder, as its paths are (a credential name stays a name). */
	if (k->type == CFG_T_SECRET && ps->file && *value && *value != '/' &&
	    cfg_secret_resolve(ps->dir, value, secret, sizeof(secret), &credential) == 0 &&
	    !credential)
		value = secret;
	rc = cfg_value_set(k, field, value, ps->dir, why, sizeof(why));
	if (rc == 0)
		return 1;
	memcpy(field, &ps->undo, k->size);
	ps->bad[slot][k - cfg_keys] = true;
	if (k->type == CFG_T_URL)
		cfg_quote_url(q, sizeof(q), value);
	else
		cfg_quote(q, sizeof(q), value, strlen(value));
	/* -EACCES: the value may carry a secret, so it is not repeated. */
	if (rc == -EACCES)
		cfg_fail(ps, ps->line, "%s %s: %s", where, k->name, why);
	else
		cfg_fail(ps, ps->line, "%s %s = '%s': %s", where, k->name, q, why);
	return 1;
}

/* Adds an included file, its name as messages show it (prefix, then the
 * name in the folder), keeping them in name order. */
static void add_include(struct cfg_parse *ps, unsigned place, const char *prefix,
			const char *name)
{
	char shown[CFG_PATH_BYTES];
	unsigned i;
	int n = snprintf(shown, sizeof(shown), "%s%s", prefix, name);

	if (n < 0 || (size_t)n >= sizeof(shown)) {
		cfg_fail(ps, place, "[daemon] include: the path of '%s' is longer than %u bytes",
			 name, CFG_PATH_BYTES - 1);
		return;
	}
	if (ps->n_inc == CFG_MAX_INCLUDES) {
		if (!ps->stop)
			cfg_fail(ps, place, "[daemon] include: more than %u files match",
				 CFG_MAX_INCLUDES);
		ps->stop = true;
		return;
	}
	for (i = ps->n_inc; i > 0 && strcmp(ps->inc_name[i - 1], shown) > 0; i--)
		memcpy(ps->inc_name[i], ps->inc_name[i - 1], sizeof(ps->inc_name[0]));
	memcpy(ps->inc_name[i], shown, sizeof(shown));
	ps->n_inc++;
}

/* Reads included file i (inc_name[i - 1]) through inih as the main one is
 * read, into the same struct. Its own folder resolves its relative values.
 * A file that is the main one again (include = *.ini beside it) is skipped. */
static void read_include(struct cfg_parse *ps, unsigned i, bool fixed, const struct stat *main_st)
{
	const char *name = ps->inc_name[i - 1], *slash = strrchr(name, '/');
	unsigned place = ps->key_line[0][CFG_KEY_daemon_include], base = i << CFG_PLACE_SHIFT;
	const char *not_regular;
	char path[2 * CFG_PATH_BYTES];
	struct file_walk w;
	struct stat st;
	FILE *f;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/%s", ps->inc_dir, slash ? slash + 1 : name);
	fd = file_open_path(path, &st, &w);
	if (fd < 0 && w.why[0]) {
		cfg_fail(ps, base, "%s", w.why);
		return;
	}
	not_regular = file_not_regular(fd);
	if (fd == -ENOENT && fixed) {
		cfg_fail(ps, place, "[daemon] include: %s: no such file", name);
		return;
	}
	if (not_regular) {
		cfg_fail(ps, base, "%s", not_regular);
		return;
	}
	if (fd < 0) {
		cfg_fail(ps, base, "cannot read: %s", strerror(-fd));
		return;
	}
	if (st.st_dev == main_st->st_dev && st.st_ino == main_st->st_ino) {
		close(fd);
		return;
	}
	f = fdopen(fd, "r");
	if (!f) {
		cfg_fail(ps, base, "cannot read: %s", strerror(errno));
		close(fd);
		return;
	}
	ps->file = i;
	ps->line = base;
	ps->f = f;
	ps->total = 0;
	ps->sec = CFG_SEC_NONE;
	ps->dir = ps->inc_dir;
	rc = ini_parse_stream(read_line, ps, on_key, ps);
	if (rc < 0 || (rc > 0 && !ps->failed))
		cfg_fail(ps, rc > 0 ? base | (unsigned)rc : base, "cannot parse this line");
	fclose(f);
}

/* [daemon] include: the files its pattern names, after the main one in name
 * order. Wildcards only in the last part, so one folder is read, without
 * glob()'s allocations; a pattern matching nothing is an empty conf.d. */
static void read_includes(struct cfg_parse *ps, const struct stat *main_st)
{
	const char *pattern = ps->cfg.daemon.include, *last = strrchr(pattern, '/') + 1;
	const char *raw_slash = strrchr(ps->inc_raw, '/'), *main_slash = strrchr(ps->name, '/');
	unsigned place = ps->key_line[0][CFG_KEY_daemon_include];
	char prefix[CFG_PATH_BYTES], q[80];
	bool fixed = !strpbrk(last, "*?[");
	struct file_walk w;
	struct dirent *e;
	DIR *d = NULL;
	int fd;

	/* cfg_value_set made the pattern an absolute, normalised path. */
	snprintf(ps->inc_dir, sizeof(ps->inc_dir), "%.*s",
		 last - pattern > 1 ? (int)(last - pattern - 1) : 1, pattern);
	if (strpbrk(ps->inc_dir, "*?[")) {
		cfg_quote(q, sizeof(q), ps->inc_raw, strlen(ps->inc_raw));
		cfg_fail(ps, place, "[daemon] include = '%s': wildcards only in the file name", q);
		return;
	}
	/* Messages name an included file as the pattern was written, beside
	 * the main file's name as it was given. */
	snprintf(prefix, sizeof(prefix), "%.*s%.*s",
		 ps->inc_raw[0] == '/' || !main_slash ? 0 : (int)(main_slash - ps->name + 1),
		 ps->name, raw_slash ? (int)(raw_slash - ps->inc_raw + 1) : 0, ps->inc_raw);
	if (fixed) {
		add_include(ps, place, prefix, last);
	} else {
		fd = file_open_dir(ps->inc_dir, FILE_WALK_FOLLOW, &w);
		d = fd >= 0 ? fdopendir(fd) : NULL;
		if (fd >= 0 && !d) {
			int err = -errno;

			close(fd);
			fd = err;
		}
		if (fd < 0 && w.why[0]) {
			cfg_fail(ps, place, "[daemon] include: %s: %s", ps->inc_dir, w.why);
			return;
		}
		if (fd < 0 && fd != -ENOENT && fd != -ENOTDIR) {
			cfg_fail(ps, place, "[daemon] include: cannot read the folder %s: %s",
				 ps->inc_dir, strerror(-fd));
			return;
		}
		while (d && (e = readdir(d)) && !ps->stop)
			if (fnmatch(last, e->d_name, FNM_PERIOD) == 0)
				add_include(ps, place, prefix, e->d_name);
		if (d)
			closedir(d);
	}
	for (unsigned i = 1; i <= ps->n_inc && !ps->stop; i++)
		read_include(ps, i, fixed, main_st);
	ps->file = 0;
	ps->dir = ps->cfg.base_dir;
}

static int load(FILE *f, const char *buf, size_t len, const char *name, const char *base_dir,
		unsigned flags, struct cfg *out, struct cfg_error *err)
{
	struct cfg_parse *ps = &scratch;
	struct stat main_st = { 0 };
	int rc;

	/* The per-source tables are zeroed source by source (enter_source). */
	mem_zero(ps, offsetof(struct cfg_parse, src_line));
	/* The rows of the single sections and the endpoints; the sources' as
	 * they are entered. */
	memset(ps->key_line, 0, (1 + CFG_MAX_ENDPOINTS) * sizeof(ps->key_line[0]));
	memset(ps->bad, 0, (1 + CFG_MAX_ENDPOINTS) * sizeof(ps->bad[0]));
	err->n = 0;
	ps->name = name;
	ps->flags = flags;
	ps->err = err;
	ps->f = f;
	ps->p = buf;
	ps->end = buf ? buf + len : NULL;
	ps->sec = CFG_SEC_NONE;
	cfg_defaults(&ps->cfg);
	if (cfg_path_join("/", base_dir, ps->cfg.base_dir, sizeof(ps->cfg.base_dir)) < 0) {
		cfg_fail(ps, 0, "the config file's folder has a path longer than %u bytes",
			 CFG_PATH_BYTES - 1);
		return ps->failed;
	}
	/* inih's one option digestd sets, here and nowhere else: Debian's inih
	 * takes its options at run time, as globals (upstream fixes them when
	 * inih is built), and sizes its stack line buffer from this one, whose
	 * default of 200 bytes is too short for a feed URL. read_line never
	 * writes past the size inih passes it, whatever this is. */
	ini_max_line = (int)CFG_LINE_BYTES;
	ps->dir = ps->cfg.base_dir;
	rc = ini_parse_stream(read_line, ps, on_key, ps);
	/* A positive rc is the first key line without '=', which read_line
	 * has said already, with every other one. */
	if (rc < 0 || (rc > 0 && !ps->failed))
		cfg_fail(ps, rc > 0 ? (unsigned)rc : 0, "cannot parse this line");
	if (rc >= 0 && !ps->stop && ps->cfg.daemon.include[0]) {
		if (f && fstat(fileno(f), &main_st) < 0)
			memset(&main_st, 0, sizeof(main_st));
		read_includes(ps, &main_st);
	}
	/* The checks across keys need the whole file. */
	if (rc >= 0 && !ps->stop) {
		if (!ps->cfg.daemon.state_dir[0])
			default_state_dir(&ps->cfg.daemon);
		cfg_check(ps);
	}
	count_left_out(ps);
	rc = ps->failed;
	if (rc == 0)
		mem_copy(out, &ps->cfg, cfg_used_bytes(&ps->cfg));
	/* The parse's 1.6 MB scratch (44 KB written by a small file) is needed
	 * again only by the next load, which clears what it uses: its pages
	 * need not stay the daemon's between reloads. */
	mem_release(ps, sizeof(*ps));
	return rc;
}

int cfg_load_buffer(const char *buf, size_t len, const char *name, const char *base_dir,
		    unsigned flags, struct cfg *out, struct cfg_error *err)
{
	return load(NULL, buf, len, name, base_dir, flags, out, err);
}

int cfg_load(const char *path, unsigned flags, struct cfg *out, struct cfg_error *err)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/'), *not_regular;
	struct file_walk w;
	struct stat st;
	FILE *f;
	int fd, rc;

	err->n = 1;
	err->line[0] = 0;
	/* Not a FIFO: a reload reading one would hang the loop. */
	fd = file_open_path(path, &st, &w);
	f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		rc = fd < 0 ? fd : -errno;
		not_regular = file_not_regular(rc);
		if (fd >= 0)
			close(fd);
		if (fd < 0 && w.why[0]) {
			/* A link refused on the way: cut to the line. */
			snprintf(err->msg[0], sizeof(err->msg[0]), "%s: %.*s", path,
				 (int)sizeof(err->msg[0]) - 3, w.why);
			return -EINVAL;
		}
		if (not_regular)
			snprintf(err->msg[0], sizeof(err->msg[0]), "%s: %s", path, not_regular);
		else
			snprintf(err->msg[0], sizeof(err->msg[0]), "%s: cannot read: %s", path,
				 strerror(-rc));
		/* A FIFO or a device is a config error (exit 78); a folder, as a
		 * missing file, is no input (66). */
		return rc == -ENXIO ? -EINVAL : rc;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (!realpath(dir, real)) {
		rc = -errno;
		snprintf(err->msg[0], sizeof(err->msg[0]), "%s: cannot resolve its folder: %s",
			 path, strerror(-rc));
		goto out;
	}
	rc = load(f, NULL, 0, path, real, flags, out, err);
out:
	fclose(f);
	return rc;
}
