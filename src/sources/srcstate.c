/* SPDX-License-Identifier: MIT */
/* Per-source state files: a "key value" line format read tolerantly through
 * a bounded cursor and written atomically. Holds no state in memory between
 * calls; never allocates. */
#include "srcstate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dec.h"
#include "core/file.h"
#include "core/log.h"
#include "core/outbuf.h"
#include "core/url.h"
#include "core/utf8.h"

#define MAGIC "digestd-source-state 1"

void srcstate_init(struct srcstate *s)
{
	memset(s, 0, sizeof(*s));
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

int srcstate_name(const char *name, char *out, size_t size)
{
	int n = snprintf(out, size, "source-%016llx.state", (unsigned long long)fnv1a(name));

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* A value may not hold control characters: each sits on one line, and the
 * validators go back into request headers. */
static int clean(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

static int parse_int(const char *p, size_t n, int64_t max, int64_t *out)
{
	uint64_t v;

	if (dec_parse(p, n, (uint64_t)max, &v) != 0)
		return -EBADMSG;
	*out = (int64_t)v;
	return 0;
}

static int set_str(char *dst, size_t size, const char *v, size_t n)
{
	if (n >= size)
		return -EBADMSG;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/* One "key value" line (value may be empty). */
static int parse_line(const char *k, size_t kn, const char *v, size_t vn, const char *name,
		      struct srcstate *s)
{
	int64_t x = 0;
	int rc;

#define KEY(lit) (kn == sizeof(lit) - 1 && memcmp(k, lit, kn) == 0)
	if (KEY("name"))
		return vn == strlen(name) && memcmp(v, name, vn) == 0 ? 0 : -EBADMSG;
	if (KEY("etag"))
		return set_str(s->v.etag, sizeof(s->v.etag), v, vn);
	if (KEY("last_modified"))
		return set_str(s->v.last_modified, sizeof(s->v.last_modified), v, vn);
	if (KEY("failures")) {
		rc = parse_int(v, vn, UINT_MAX, &x);
		s->failures = (unsigned)x;
		return rc;
	}
	if (KEY("last_attempt"))
		return parse_int(v, vn, INT64_MAX, &s->last_attempt);
	if (KEY("last_success"))
		return parse_int(v, vn, INT64_MAX, &s->last_success);
	if (KEY("next_due"))
		return parse_int(v, vn, INT64_MAX, &s->next_due);
	if (KEY("retry_after_until"))
		return parse_int(v, vn, INT64_MAX, &s->retry_after_until);
	if (KEY("status")) {
		rc = parse_int(v, vn, 999, &x);
		s->status = (long)x;
		return rc;
	}
	if (KEY("error"))
		return set_str(s->error, sizeof(s->error), v, vn);
	if (KEY("items"))
		return parse_int(v, vn, INT64_MAX, (int64_t *)&s->items);
	if (KEY("problem_since"))
		return parse_int(v, vn, INT64_MAX, &s->problem_since);
	if (KEY("next_poll"))
		return parse_int(v, vn, INT64_MAX, &s->next_poll);
	if (KEY("url")) {
		uint64_t h = 0;

		/* 16 lowercase hex digits, as srcstate_format writes them. */
		if (vn != 16)
			return -EBADMSG;
		for (size_t i = 0; i < vn; i++) {
			int d = v[i] >= '0' && v[i] <= '9' ? v[i] - '0'
				: v[i] >= 'a' && v[i] <= 'f' ? v[i] - 'a' + 10 : -1;

			if (d < 0)
				return -EBADMSG;
			h = h << 4 | (uint64_t)d;
		}
		s->url_id = h;
		return 0;
	}
	if (KEY("problem_reported")) {
		rc = parse_int(v, vn, 1, &x);
		s->problem_reported = (unsigned)x;
		return rc;
	}
#undef KEY
	return 0;
}

int srcstate_parse(const char *buf, size_t len, const char *name, struct srcstate *s)
{
	const char *p = buf, *end = buf + len;
	int line = 0, named = 0, rc = 0;

	srcstate_init(s);
	if (len > SRCSTATE_FILE_BYTES) {
		rc = -EBADMSG;
		goto out;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		size_t n;

		if (!nl) { /* files are written whole: a cut last line is damage */
			rc = -EBADMSG;
			goto out;
		}
		n = (size_t)(nl - p);
		if (!clean(p, n)) {
			rc = -EBADMSG;
			goto out;
		}
		if (line++ == 0) {
			if (n != sizeof(MAGIC) - 1 || memcmp(p, MAGIC, n) != 0) {
				rc = -EBADMSG;
				goto out;
			}
		} else {
			sp = memchr(p, ' ', n);
			if (!sp) {
				rc = -EBADMSG;
				goto out;
			}
			if (sp - p == 4 && memcmp(p, "name", 4) == 0)
				named = 1;
			rc = parse_line(p, (size_t)(sp - p), sp + 1, (size_t)(nl - sp - 1), name, s);
			if (rc != 0)
				goto out;
		}
		p = nl + 1;
	}
	if (!named)
		rc = -EBADMSG;
out:
	if (rc != 0)
		srcstate_init(s);
	return rc;
}

long srcstate_format(const struct srcstate *s, const char *name, char *out, size_t size)
{
	struct outbuf w;

	if (!clean(name, strlen(name)) || !clean(s->v.etag, strlen(s->v.etag)) ||
	    !clean(s->v.last_modified, strlen(s->v.last_modified)) ||
	    !clean(s->error, strlen(s->error)))
		return -EINVAL;
	outbuf_init(&w, out, size);
	outbuf_printf(&w, "%s\nname %s\netag %s\nlast_modified %s\n", MAGIC, name, s->v.etag,
		s->v.last_modified);
	outbuf_printf(&w, "last_attempt %lld\nlast_success %lld\nfailures %u\n",
		(long long)s->last_attempt, (long long)s->last_success, s->failures);
	outbuf_printf(&w, "next_due %lld\nretry_after_until %lld\n", (long long)s->next_due,
		(long long)s->retry_after_until);
	outbuf_printf(&w, "status %ld\nerror %s\nitems %llu\nproblem_since %lld\nproblem_reported %u\n",
		s->status, s->error, (unsigned long long)s->items, (long long)s->problem_since,
		s->problem_reported);
	/* A key of its own line: earlier versions skip it. */
	outbuf_printf(&w, "next_poll %lld\n", (long long)s->next_poll);
	if (s->url_id)
		outbuf_printf(&w, "url %016llx\n", (unsigned long long)s->url_id);
	return w.full || w.len > SRCSTATE_FILE_BYTES ? -ENOSPC : (long)w.len;
}

int srcstate_for_url(struct srcstate *s, const char *url)
{
	uint64_t id = fnv1a(url);
	int other = s->url_id && s->url_id != id;

	if (other)
		srcstate_init(s);
	s->url_id = id;
	return other;
}

/* What messages call the owner of the state of name: label, or for a
 * source (label NULL) "source NAME". Returns label or who. */
static const char *owner(const char *name, const char *label, char who[SRCSTATE_WHO_BYTES])
{
	if (label)
		return label;
	snprintf(who, SRCSTATE_WHO_BYTES, "source %s", name);
	return who;
}

int srcstate_read(int dirfd, const char *name, struct srcstate *s)
{
	char file[64], buf[SRCSTATE_FILE_BYTES + 1];
	size_t n = 0;
	int fd, rc;

	srcstate_init(s);
	rc = srcstate_name(name, file, sizeof(file));
	if (rc < 0)
		return rc;
	fd = file_open_read(dirfd, file);
	if (fd < 0)
		return fd;
	rc = file_read_full(fd, buf, sizeof(buf), &n);
	close(fd);
	return rc < 0 ? rc : srcstate_parse(buf, n, name, s);
}

int srcstate_peek(int dirfd, const char *state_dir, const char *name, const char *url,
		  struct srcstate *s)
{
	char file[64], who[SRCSTATE_WHO_BYTES];
	int rc = srcstate_read(dirfd, name, s);

	/* Read as none, the source's next poll is its first (its backlog):
	 * the line says why. */
	if (rc < 0 && rc != -ENOENT && srcstate_name(name, file, sizeof(file)) == 0)
		log_warnx("%s: state file %s/%s: %s; read as none, left for the daemon",
			  owner(name, NULL, who), state_dir, file,
			  rc == -EBADMSG ? "damaged" : file_strerror(rc));
	return srcstate_for_url(s, url);
}

int srcstate_load(int dirfd, const char *state_dir, const char *name, const char *label,
		  const char *url, struct srcstate *s)
{
	char file[64], who[SRCSTATE_WHO_BYTES];
	int rc = srcstate_read(dirfd, name, s);

	if (rc == 0 || rc == -ENOENT || srcstate_name(name, file, sizeof(file)) != 0)
		goto out;
	/* Damaged, or a link, FIFO or folder in its place: moved aside at
	 * once (the rename neither follows the link nor opens the FIFO), so
	 * that the next loads, of this run (a poll loads its source's state
	 * more than once) and of the next start-ups and reloads, find no file
	 * and say nothing more; left in place, it was said again at each of
	 * them until a save replaced it, days later for an endpoint that has
	 * nothing to push. A folder no save could replace. */
	if (rc == -EBADMSG || rc == -ELOOP || file_not_regular(rc))
		(void)file_set_aside(dirfd, state_dir, file, owner(name, label, who),
				     "starting afresh", NULL, "%s",
				     rc == -EBADMSG ? "damaged" : file_strerror(rc));
	else /* cannot be read (EIO, EACCES): not known to be damaged, kept */
		log_warnx("%s: state file %s/%s: %s (starting afresh)", owner(name, label, who),
			  state_dir, file, file_strerror(rc));
out:
	return url ? srcstate_for_url(s, url) : 0;
}

int srcstate_save(int dirfd, const char *state_dir, const char *name, const char *label,
		  const struct srcstate *s)
{
	char file[64], tmp[72], buf[SRCSTATE_FILE_BYTES], who[SRCSTATE_WHO_BYTES];
	long len = srcstate_format(s, name, buf, sizeof(buf));
	int rc;

	srcstate_name(name, file, sizeof(file));
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	if (len < 0) {
		log_warnx("%s: saving state: %s/%s: does not fit in %u bytes; not saved",
			  owner(name, label, who), state_dir, file, SRCSTATE_FILE_BYTES);
		return (int)len;
	}
	rc = file_replace_at(dirfd, file, tmp, buf, (size_t)len, NULL, 0);
	if (rc != 0)
		log_warnx("%s: saving state: %s/%s: %s", owner(name, label, who), state_dir,
			  file, strerror(-rc));
	return rc;
}

void srcstate_record(struct srcstate *s, const struct cfg_http *h, int64_t now, int ok,
		     int64_t retry_after)
{
	int64_t delay = h->backoff_base;

	s->last_attempt = now;
	s->retry_after_until = retry_after;
	if (ok) {
		s->last_success = now;
		s->failures = 0;
		s->next_due = 0;
		s->problem_since = 0;
		s->problem_reported = 0;
		return;
	}
	if (s->failures == 0 || s->problem_since == 0)
		s->problem_since = now;
	if (s->failures < UINT_MAX)
		s->failures++;
	for (unsigned i = 1; i < s->failures && delay < (int64_t)h->backoff_max; i++)
		delay *= 2;
	if (delay > (int64_t)h->backoff_max)
		delay = h->backoff_max;
	s->next_due = now + delay;
	if (retry_after > s->next_due)
		s->next_due = retry_after;
}

/* Appends n bytes of p to out at *k, stopping before a character that does
 * not fit (one byte is kept for the NUL); control characters become spaces. */
static void put_text(char *out, size_t size, size_t *k, const char *p, size_t n)
{
	while (n > 0) {
		uint32_t cp;
		size_t c = utf8_decode((const unsigned char *)p, (const unsigned char *)p + n, &cp);

		if (cp == UTF8_REPLACEMENT && c == 1 && (unsigned char)*p >= 0x80) {
			/* Invalid UTF-8 becomes U+FFFD: the file is read as text. */
			if (*k + 3 >= size)
				return;
			memcpy(out + *k, "\xef\xbf\xbd", 3);
			*k += 3;
			p++;
			n--;
			continue;
		}
		if (*k + c >= size)
			return;
		for (size_t i = 0; i < c; i++)
			out[(*k)++] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ? ' ' : p[i];
		p += c;
		n -= c;
	}
}

void srcstate_note(struct srcstate *s, long status, const char *error)
{
	size_t k = 0;

	s->status = status >= 0 && status <= 999 ? status : 0;
	/* Word by word: a word holding "://" is a URL, and may carry a token. */
	while (error && *error) {
		size_t n = strcspn(error, " ");
		char url[NET_URL_BYTES], red[NET_URL_BYTES];

		snprintf(url, sizeof(url), "%.*s", (int)n, error);
		if (strstr(url, "://")) {
			url_redact(url, red, sizeof(red));
			put_text(s->error, sizeof(s->error), &k, red, strlen(red));
		} else {
			put_text(s->error, sizeof(s->error), &k, error, n);
		}
		error += n;
		if (*error == ' ') {
			put_text(s->error, sizeof(s->error), &k, " ", 1);
			error++;
		}
	}
	s->error[k] = '\0';
}

int64_t srcstate_not_before(const struct srcstate *s, const struct cfg_http *h, int64_t now)
{
	int64_t ra = s->retry_after_until, due = 0, shift = 0;

	/* The last attempt in the future: the clock went back since (a bad
	 * time server, an admin). Its times are moved back with it, as if the
	 * attempt were made now: the wait asked for, from now, rather than
	 * until the clock reaches them again, years later maybe. */
	if (s->last_attempt > now)
		shift = now - s->last_attempt;
	if (ra)
		ra += shift;
	if (ra > now + FETCH_RETRY_AFTER_MAX)
		ra = now + FETCH_RETRY_AFTER_MAX;
	/* A next_due not past the Retry-After came from it: ra covers it. */
	if (s->next_due > s->retry_after_until) {
		due = s->next_due + shift;
		if (due > now + (int64_t)h->backoff_max)
			due = now + h->backoff_max;
	}
	return due > ra ? due : ra;
}
