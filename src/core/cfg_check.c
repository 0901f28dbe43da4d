/* SPDX-License-Identifier: MIT */
/* The rules across keys and sections, each checked once, when a file is
 * loaded (run, check-config and a reload alike): required keys, orders,
 * source types, the endpoint rules, the memory bound and the secret files. */
#include "cfg_check.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cfg_value.h"
#include "core/file.h"
#include "core/url.h"

/* Is the normalised path inside $CREDENTIALS_DIRECTORY? */
static int in_credentials(const char *path)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	char dir[CFG_PATH_BYTES];
	size_t n;

	if (!creds || creds[0] != '/' || cfg_path_join("/", creds, dir, sizeof(dir)) < 0)
		return 0;
	n = strlen(dir);
	return n > 1 && strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* file_open_path, saying why not in why. */
static int open_regular(const char *path, struct stat *st, char *why, size_t whysz)
{
	struct file_walk w;
	int fd = file_open_path(path, st, &w);
	const char *not_regular = file_not_regular(fd);

	if (not_regular) {
		snprintf(why, whysz, "%s", not_regular);
		return -EINVAL;
	}
	if (fd < 0 && w.why[0])
		snprintf(why, whysz, "%s", w.why);
	else if (fd < 0)
		snprintf(why, whysz, "cannot open: %s", strerror(-fd));
	return fd;
}

/* Links are followed when only root or digestd's user could have made them
 * (file_walk): an admin may link /etc/digestd/signing-key to where keys are
 * kept, and what is checked below is the file reached; a link planted by
 * whoever may write a folder on the way is refused. */
int cfg_secret_open(const struct cfg *c, const char *value, char *path, size_t size, char *why,
		    size_t whysz)
{
	struct stat st;
	int credential, fd, rc;

	rc = cfg_secret_resolve(c->base_dir, value, path, size, &credential);
	if (rc < 0) {
		snprintf(path, size, "%s", value);
		if (rc == -ENAMETOOLONG)
			snprintf(why, whysz, "the path is longer than %zu bytes once resolved",
				 size - 1);
		else
			snprintf(why, whysz, "expected the path of a file");
		return rc;
	}
	fd = open_regular(path, &st, why, whysz);
	if (fd < 0)
		return fd;
	rc = 0;
	if (in_credentials(path)) {
		/* systemd hands credentials over with modes of its own. */
	} else if (st.st_uid != 0 && st.st_uid != geteuid()) {
		/* Its owner could rewrite the key we sign with. */
		rc = -EPERM;
		snprintf(why, whysz, "owned by uid %u, neither root nor digestd's user (uid %u); "
				     "chown %u %s", (unsigned)st.st_uid, (unsigned)geteuid(),
			 (unsigned)geteuid(), path);
	} else if (st.st_mode & 077) {
		rc = -EPERM;
		snprintf(why, whysz, "mode %04o gives group or others access; chmod 600 %s",
			 (unsigned)(st.st_mode & 07777), path);
	}
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

/* The slot of key (a CFG_KEY_ index) in ps->key_line and ps->bad; src says
 * which source or endpoint. */
static unsigned slot(unsigned key, unsigned src)
{
	return cfg_slot(cfg_keys[key].sec, src);
}

/* The line that set key, or 0 when it was not set. */
static unsigned line_of(const struct cfg_parse *ps, unsigned key, unsigned src)
{
	return ps->key_line[slot(key, src)][key];
}

/* Was key's value refused? Its field then holds the default. */
static bool is_bad(const struct cfg_parse *ps, unsigned key, unsigned src)
{
	return ps->bad[slot(key, src)][key];
}

static void check_required(struct cfg_parse *ps, unsigned sec, unsigned src, unsigned header_line)
{
	char where[CFG_SOURCE_NAME_BYTES + 16];

	if (sec == CFG_SEC_source ? ps->damaged_src[src] : ps->damaged_sec[sec])
		return;
	for (unsigned i = 0; i < CFG_N_KEYS; i++) {
		if (cfg_keys[i].sec != sec || cfg_keys[i].def || line_of(ps, i, src))
			continue;
		cfg_label(ps, sec, src, where, sizeof(where));
		cfg_fail(ps, header_line, "%s has no %s (required)", where, cfg_keys[i].name);
	}
}

/* a <= b for two DURATION keys of one section (src: which endpoint),
 * reported at the later line. */
static void check_order(struct cfg_parse *ps, unsigned a, unsigned b, unsigned src)
{
	unsigned sec = cfg_keys[a].sec;
	const char *base = cfg_section(&ps->cfg, sec, src);
	unsigned va = *(const unsigned *)(base + cfg_keys[a].offset);
	unsigned vb = *(const unsigned *)(base + cfg_keys[b].offset);
	unsigned la = line_of(ps, a, src), lb = line_of(ps, b, src);
	char sa[32], sb[32], where[CFG_SOURCE_NAME_BYTES + 16];

	if (va <= vb || is_bad(ps, a, src) || is_bad(ps, b, src))
		return;
	cfg_fmt_duration(va, sa, sizeof(sa));
	cfg_fmt_duration(vb, sb, sizeof(sb));
	cfg_label(ps, sec, src, where, sizeof(where));
	cfg_fail(ps, la > lb ? la : lb, "%s %s (%s) is longer than %s (%s)", where,
		 cfg_keys[a].name, sa, cfg_keys[b].name, sb);
}

static void check_source(struct cfg_parse *ps, unsigned i)
{
	struct cfg_source *s = &ps->cfg.sources[i];
	unsigned form = cfg_url_form(s->url);
	char type[16];

	/* Without a usable url there is no type to check it against. */
	if (!line_of(ps, CFG_KEY_source_url, i) || is_bad(ps, CFG_KEY_source_url, i))
		return;
	if (s->type == CFG_SOURCE_AUTO)
		s->type = form == CFG_URL_PATH ? CFG_SOURCE_FOLDER : CFG_SOURCE_FEED;
	if (is_bad(ps, CFG_KEY_source_type, i))
		return;
	if (s->type == CFG_SOURCE_FOLDER && (form == CFG_URL_HTTPS || form == CFG_URL_HTTP))
		cfg_fail(ps, line_of(ps, CFG_KEY_source_type, i),
			 "[source %s] type = folder needs a folder path, not an http(s) URL",
			 s->name);
	if (s->fetch_pages && s->type != CFG_SOURCE_FEED) {
		cfg_enum_word(cfg_keys[CFG_KEY_source_type].values, s->type, type, sizeof(type));
		cfg_fail(ps, line_of(ps, CFG_KEY_source_fetch_pages, i),
			 "[source %s] fetch_pages = yes applies to feeds only, and the type is %s",
			 s->name, type);
	}
}

static int is_loopback(const char *url)
{
	char host[CFG_URL_BYTES];

	return url_host(url, host, sizeof(host)) == 0 && url_host_is_loopback(host);
}

#define K(kind) (1u << CFG_KIND_##kind)

/* The endpoint keys that only some kinds use (takes) and those a kind
 * cannot do without (needs), in cfg.def's order (the order of their
 * messages); every kind takes the keys not listed (TLS, timeout, retries). */
static const struct kind_key {
	unsigned key, takes, needs;
} kind_keys[] = {
	{ CFG_KEY_endpoint_url, K(WEBHOOK) | K(EMAIL) | K(NTFY) | K(MATRIX) | K(TELEGRAM),
	  K(WEBHOOK) | K(EMAIL) | K(NTFY) | K(MATRIX) },
	{ CFG_KEY_endpoint_allow_insecure, K(WEBHOOK) | K(NTFY) | K(MATRIX) | K(TELEGRAM), 0 },
	{ CFG_KEY_endpoint_token_file, K(WEBHOOK) | K(NTFY) | K(MATRIX) | K(TELEGRAM),
	  K(MATRIX) | K(TELEGRAM) },
	{ CFG_KEY_endpoint_signing_key_file, K(WEBHOOK), K(WEBHOOK) },
	{ CFG_KEY_endpoint_format, K(WEBHOOK), 0 },
	{ CFG_KEY_endpoint_header, K(WEBHOOK) | K(NTFY), 0 },
	{ CFG_KEY_endpoint_url_file, K(SLACK) | K(DISCORD), K(SLACK) | K(DISCORD) },
	{ CFG_KEY_endpoint_from, K(EMAIL), K(EMAIL) },
	{ CFG_KEY_endpoint_to, K(EMAIL), K(EMAIL) },
	{ CFG_KEY_endpoint_subject, K(EMAIL) | K(NTFY), 0 },
	{ CFG_KEY_endpoint_username, K(EMAIL), 0 },
	{ CFG_KEY_endpoint_password_file, K(EMAIL), 0 },
	{ CFG_KEY_endpoint_priority, K(NTFY), 0 },
	{ CFG_KEY_endpoint_tags, K(NTFY), 0 },
	{ CFG_KEY_endpoint_room, K(MATRIX), K(MATRIX) },
	{ CFG_KEY_endpoint_chat_id, K(TELEGRAM), K(TELEGRAM) },
};

bool cfg_kind_takes(unsigned key, unsigned kind)
{
	for (size_t j = 0; j < sizeof(kind_keys) / sizeof(kind_keys[0]); j++)
		if (kind_keys[j].key == key)
			return kind_keys[j].takes & (1u << kind);
	return true;
}

/* The kinds of mask as "matrix" or "webhook, ntfy", for messages. */
static void kinds_list(unsigned mask, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned k = 0; k <= CFG_KIND_TELEGRAM && n < size; k++) {
		char w[16];

		if (!(mask & (1u << k)))
			continue;
		cfg_kind_word((int)k, w, sizeof(w));
		n += (size_t)snprintf(out + n, size - n, "%s%s", n ? ", " : "", w);
	}
}

/* A key set that the endpoint's kind does not use (a slip, or a key meant
 * for another section), and a key the kind needs that is missing. */
static void check_kind_keys(struct cfg_parse *ps, unsigned i, const char *where)
{
	unsigned kind = ps->cfg.endpoints[i].kind, bit = 1u << kind;
	char kw[16], list[64];

	cfg_kind_word((int)kind, kw, sizeof(kw));
	for (size_t j = 0; j < sizeof(kind_keys) / sizeof(kind_keys[0]); j++) {
		const struct kind_key *r = &kind_keys[j];
		unsigned line = line_of(ps, r->key, i);

		if (line && !(r->takes & bit)) {
			kinds_list(r->takes, list, sizeof(list));
			cfg_fail(ps, line, "%s %s: kind = %s does not use it (it is for %s)", where,
				 cfg_keys[r->key].name, kw, list);
		} else if (!line && (r->needs & bit) && !ps->damaged_ep[i]) {
			cfg_fail(ps, ps->ep_line[i], "%s has no %s: kind = %s needs it", where,
				 cfg_keys[r->key].name, kw);
		}
	}
}

/* The url's scheme against the kind, and plain http:// only to loopback. */
static void check_endpoint_url(struct cfg_parse *ps, unsigned i, const char *where)
{
	struct cfg_endpoint *e = &ps->cfg.endpoints[i];
	unsigned url_line = line_of(ps, CFG_KEY_endpoint_url, i), form;
	bool mail = e->kind == CFG_KIND_EMAIL;
	char q[80];

	if (!url_line || is_bad(ps, CFG_KEY_endpoint_url, i))
		return;
	form = cfg_url_form(e->url);
	cfg_quote_url(q, sizeof(q), e->url);
	if (mail != !!(form & (CFG_URL_SMTPS | CFG_URL_SMTP))) {
		cfg_fail(ps, url_line, "%s url = '%s': kind = email needs smtps:// or smtp://, "
				       "the other kinds https://", where, q);
		return;
	}
	if (form != CFG_URL_HTTP)
		return;
	if (!is_loopback(e->url))
		cfg_fail(ps, url_line, "%s url = '%s': plain http:// is allowed only to a "
				       "loopback address (localhost, 127.0.0.1, [::1]); use https://",
			 where, q);
	else if (!e->allow_insecure && !is_bad(ps, CFG_KEY_endpoint_allow_insecure, i))
		cfg_fail(ps, url_line, "%s url = '%s': plain http:// needs allow_insecure = yes",
			 where, q);
}

/* What a kind's text keys must look like for the service to take them. */
static void check_endpoint_texts(struct cfg_parse *ps, unsigned i, const char *where)
{
	const struct cfg_endpoint *e = &ps->cfg.endpoints[i];
	const char *s;
	size_t n;

	for (s = e->tags; *s; s++) {
		/* A header value: ntfy reads it as ASCII. */
		if ((unsigned char)*s >= 0x80 || *s == ';') {
			cfg_fail(ps, line_of(ps, CFG_KEY_endpoint_tags, i),
				 "%s tags: ASCII words or emoji short codes (such as "
				 "newspaper) separated by commas", where);
			break;
		}
	}
	s = e->room;
	n = strlen(s);
	if (n && ((s[0] != '!' && s[0] != '#') || !strchr(s + 1, ':') || s[1] == ':' ||
		  s[n - 1] == ':' || strpbrk(s, " /"))) {
		cfg_fail(ps, line_of(ps, CFG_KEY_endpoint_room, i),
			 "%s room: expected a room id such as !abc123:example.org or an alias such "
			 "as #news:example.org", where);
	}
	s = e->chat_id;
	n = strlen(s);
	if (n && !(s[0] == '@' ? n >= 6 && strspn(s + 1, "abcdefghijklmnopqrstuvwxyz"
							 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
						   n - 1
			       : strspn(s + (s[0] == '-'), "0123456789") == n - (s[0] == '-') &&
					 n > (size_t)(s[0] == '-') && n <= 21)) {
		cfg_fail(ps, line_of(ps, CFG_KEY_endpoint_chat_id, i),
			 "%s chat_id: expected a chat id (a number, negative for a group) or "
			 "@channelname", where);
	}
}

/* The endpoint rules: checked here, once, for `run`, check-config and a
 * reload alike; the push clients trust them. */
static void check_endpoint(struct cfg_parse *ps, unsigned i)
{
	struct cfg_endpoint *e = &ps->cfg.endpoints[i];
	char where[CFG_SOURCE_NAME_BYTES + 16];

	cfg_label(ps, CFG_SEC_endpoint, i, where, sizeof(where));
	if (!is_bad(ps, CFG_KEY_endpoint_kind, i)) {
		check_kind_keys(ps, i, where);
		check_endpoint_url(ps, i, where);
	}
	/* The Bot API's own address unless a test or a proxy says otherwise. */
	if (e->kind == CFG_KIND_TELEGRAM && !e->url[0])
		(void)cfg_copy_str(e->url, sizeof(e->url), "https://api.telegram.org");
	check_endpoint_texts(ps, i, where);
	if (!e->client_cert[0] != !e->client_key[0] &&
	    !is_bad(ps, CFG_KEY_endpoint_client_cert, i) &&
	    !is_bad(ps, CFG_KEY_endpoint_client_key, i))
		cfg_fail(ps,
			 line_of(ps, e->client_cert[0] ? CFG_KEY_endpoint_client_cert
						       : CFG_KEY_endpoint_client_key, i),
			 "%s client_cert and client_key go together (mutual TLS)", where);
	if (!e->username[0] != !e->password_file[0] && !is_bad(ps, CFG_KEY_endpoint_username, i) &&
	    !is_bad(ps, CFG_KEY_endpoint_password_file, i))
		cfg_fail(ps,
			 line_of(ps, e->username[0] ? CFG_KEY_endpoint_username
						    : CFG_KEY_endpoint_password_file, i),
			 "%s username and password_file go together (SMTP login)", where);
	check_order(ps, CFG_KEY_endpoint_retry_base, CFG_KEY_endpoint_retry_max, i);
}

/* The file a PATH key names (already resolved by cfg_value) is opened to
 * prove that libcurl will be able to: a CA file that is not there would
 * otherwise fail every transfer, for ever, after a clean start. */
static void check_file(struct cfg_parse *ps, unsigned key, unsigned src, const char *path)
{
	char why[CFG_ERROR_BYTES], where[CFG_SOURCE_NAME_BYTES + 16];
	struct stat st;
	int fd;

	if (!*path || is_bad(ps, key, src))
		return;
	fd = open_regular(path, &st, why, sizeof(why));
	cfg_label(ps, cfg_keys[key].sec, src, where, sizeof(where));
	if (fd < 0)
		cfg_fail(ps, line_of(ps, key, src), "%s %s: %s: %s", where, cfg_keys[key].name,
			 path, why);
	else
		close(fd);
}

uint64_t cfg_memory_bound(const struct cfg *c, unsigned transfers, uint64_t *bodies)
{
	uint64_t slots = 1;

	while (slots < 2ull * c->digest.seen_capacity)
		slots <<= 1;
	*bodies = transfers * c->http.max_size;
	return *bodies + FEED_CONVERT_BYTES + c->digest.seen_capacity * 32ull + slots * 4u +
	       (uint64_t)c->n_sources * CFG_SOURCE_RSS_BYTES + RUN_RSS_OWN_BYTES +
	       RUN_RSS_LIBS_BYTES + (transfers - 1ull) * NET_RSS_TRANSFER_BYTES;
}

/* The bound must fit the unit's MemoryMax: each transfer in flight holds a
 * body buffer of max_size, so the two keys are refused together, at the
 * later of their lines, with the most transfers that fit at this max_size.
 * One transfer always fits (limits.h asserts it at the largest of every
 * other key). */
static void check_memory(struct cfg_parse *ps)
{
	const struct cfg *c = &ps->cfg;
	unsigned want = c->daemon.max_transfers, fit = 1, la, lb;
	uint64_t need, bodies, more;
	char sz[32];

	if (is_bad(ps, CFG_KEY_daemon_max_transfers, 0) || is_bad(ps, CFG_KEY_http_max_size, 0))
		return;
	need = cfg_memory_bound(c, want, &bodies);
	if (need <= RUN_MEMORY_MAX_BYTES)
		return;
	while (fit < want && cfg_memory_bound(c, fit + 1, &more) <= RUN_MEMORY_MAX_BYTES)
		fit++;
	cfg_fmt_size(c->http.max_size, sz, sizeof(sz));
	la = line_of(ps, CFG_KEY_daemon_max_transfers, 0);
	lb = line_of(ps, CFG_KEY_http_max_size, 0);
	cfg_fail(ps, la > lb ? la : lb,
		 "[daemon] max_transfers = %u with [http] max_size = %s: the daemon may need %llu "
		 "MiB (%llu MiB of bodies in flight), past the unit's MemoryMax=%uM; lower "
		 "max_transfers to %u or max_size (docs/daemon.md, Memory)",
		 want, sz, (unsigned long long)((need + (1u << 20) - 1) >> 20),
		 (unsigned long long)(bodies >> 20), RUN_MEMORY_MAX_BYTES >> 20, fit);
}

/* CFG_RUN: what `digestd run` needs besides a valid file. Secret files are
 * opened to prove they can be, and closed unread (push_init reads them). */
static void check_run(struct cfg_parse *ps)
{
	char path[CFG_PATH_BYTES + 64], why[CFG_ERROR_BYTES], where[CFG_SOURCE_NAME_BYTES + 16];

	check_file(ps, CFG_KEY_http_ca_file, 0, ps->cfg.http.ca_file);
	/* A refused section header may have been the missing one. */
	if (!ps->refused_section && !ps->cfg.n_sources)
		cfg_fail(ps, 0, "no [source NAME] section: digestd run needs at least one source");
	if (!ps->refused_section && !ps->cfg.n_endpoints)
		cfg_fail(ps, 0,
			 "no [endpoint] section: digestd run needs somewhere to push digests");
	for (unsigned j = 0; j < ps->cfg.n_endpoints; j++) {
		const struct cfg_endpoint *e = &ps->cfg.endpoints[j];

		cfg_label(ps, CFG_SEC_endpoint, j, where, sizeof(where));
		check_file(ps, CFG_KEY_endpoint_ca_file, j, e->ca_file);
		check_file(ps, CFG_KEY_endpoint_client_cert, j, e->client_cert);
		for (unsigned i = 0; i < CFG_N_KEYS; i++) {
			const char *value = (const char *)e + cfg_keys[i].offset;
			int fd;

			if (cfg_keys[i].sec != CFG_SEC_endpoint ||
			    cfg_keys[i].type != CFG_T_SECRET || !*value || is_bad(ps, i, j))
				continue;
			fd = cfg_secret_open(&ps->cfg, value, path, sizeof(path), why, sizeof(why));
			if (fd < 0)
				cfg_fail(ps, line_of(ps, i, j), "%s %s: %s: %s", where,
					 cfg_keys[i].name, path, why);
			else
				close(fd);
		}
	}
}

void cfg_check(struct cfg_parse *ps)
{
	for (unsigned sec = 0; sec < CFG_SEC_COUNT; sec++)
		if (sec != CFG_SEC_source && sec != CFG_SEC_endpoint && ps->sec_line[sec])
			check_required(ps, sec, 0, ps->sec_line[sec]);
	for (unsigned i = 0; i < ps->cfg.n_sources; i++) {
		check_required(ps, CFG_SEC_source, i, ps->src_line[i]);
		check_source(ps, i);
	}
	check_order(ps, CFG_KEY_http_connect_timeout, CFG_KEY_http_timeout, 0);
	check_order(ps, CFG_KEY_http_backoff_base, CFG_KEY_http_backoff_max, 0);
	check_memory(ps);
	for (unsigned i = 0; i < ps->cfg.n_endpoints; i++)
		check_endpoint(ps, i);
	if (ps->flags & CFG_RUN)
		check_run(ps);
}
