/* SPDX-License-Identifier: MIT */
/* Outbox entries on disk: names, the text header, atomic writes, the dead
 * letter folder and a reader that trusts nothing it reads back. Never
 * deletes an entry except outbox_remove after a delivery. */
#include "outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dec.h"
#include "core/file.h"
#include "core/log.h"
#include "core/sha256.h"
#include "core/statedir.h"
#include "digest/digest.h"

/* The two subfolders of the state folder that the outbox owns. */
#define OUTBOX_DIR "outbox"
#define DEAD_DIR "dead"

#define SEQ_DIGITS 20u
#define SUFFIX ".digest"
#define SUFFIX_LEN (sizeof SUFFIX - 1)
#define TMP_PREFIX ".tmp-"
#define MAGIC_LINE "digestd-outbox 2\n"
/* Entries written before the body checksum: read without one. */
#define MAGIC_LINE_V1 "digestd-outbox 1\n"
#define SUM_HEX 64u
/* Each header line is short but a part's click link: this bounds a line's
 * value when parsing. */
#define VALUE_BYTES MESSAGE_CLICK_BYTES

static const char *const format_names[DIGEST_FORMATS] = { "json", "markdown", "text", "html" };

/* An entry name: SEQ_DIGITS digits, '-', an id, ".digest". Stores the
 * sequence number and where the id is. */
static int name_parse(const char *name, uint64_t *seq, const char **id, size_t *idlen)
{
	size_t n = strlen(name);
	uint64_t v = 0;

	if (n <= SEQ_DIGITS + 1 + SUFFIX_LEN || name[SEQ_DIGITS] != '-' ||
	    memcmp(name + n - SUFFIX_LEN, SUFFIX, SUFFIX_LEN) != 0)
		return 0;
	if (dec_parse(name, SEQ_DIGITS, UINT64_MAX, &v) != 0)
		return 0;
	*id = name + SEQ_DIGITS + 1;
	*idlen = n - SEQ_DIGITS - 1 - SUFFIX_LEN;
	if (!digest_id_valid(*id, *idlen))
		return 0;
	*seq = v;
	return 1;
}

static int is_entry_name(const char *name)
{
	uint64_t seq;
	const char *id;
	size_t idlen;

	return name_parse(name, &seq, &id, &idlen);
}

int outbox_name_id(const char *name, char id[DIGEST_ID_BYTES])
{
	uint64_t seq;
	const char *at;
	size_t n;

	if (!name_parse(name, &seq, &at, &n) || n >= DIGEST_ID_BYTES)
		return -EINVAL;
	memcpy(id, at, n);
	id[n] = '\0';
	return 0;
}

/* Writes a then b as dirfd/name through dirfd/.tmp-name (swept on open). */
static int write_atomic(int dirfd, const char *name, const void *a, size_t alen, const void *b,
			size_t blen)
{
	char tmp[OUTBOX_NAME_BYTES + 64];

	snprintf(tmp, sizeof tmp, TMP_PREFIX "%s", name);
	return file_replace_at(dirfd, name, tmp, a, alen, b, blen);
}

static void sum_hex(const void *body, size_t len, char out[SUM_HEX + 1])
{
	unsigned char sum[32];

	sha256_once(body, len, sum);
	sha256_hex(sum, out);
}

/* A part's title or link is one header line's value: no control
 * character (a line break would add a header line). */
static int no_controls(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return 0;
	return 1;
}

static int line_ok(const char *v, size_t cap)
{
	size_t n = strnlen(v, cap);

	return n < cap && n < VALUE_BYTES && no_controls(v, n);
}

/* The part lines are written only for an entry that is a part (pt->n > 0),
 * and the last-attempt line only once an attempt is recorded (last_attempt
 * > 0), so that a webhook's entries stay as earlier versions wrote them
 * until a push of them fails. */
static int header_make(const char *id, int64_t created, enum cfg_format fmt, unsigned attempts,
		       int64_t next_attempt, int64_t last_attempt, const struct outbox_part *pt,
		       const void *body, size_t len, char *out, size_t size)
{
	char sum[SUM_HEX + 1], kind[OUTBOX_KIND_BYTES], last[48] = "";
	int n, m = 0;

	sum_hex(body, len, sum);
	if (last_attempt > 0)
		snprintf(last, sizeof last, "last-attempt: %" PRId64 "\n", last_attempt);
	n = snprintf(out, size,
		     MAGIC_LINE "id: %s\ncreated: %" PRId64 "\nformat: %s\nattempts: %u\n"
				"next-attempt: %" PRId64 "\n%slength: %zu\nsha256: %s\n",
		     id, created, format_names[fmt], attempts, next_attempt, last, len, sum);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	if (pt && pt->n) {
		cfg_kind_word(pt->kind, kind, sizeof(kind));
		m = snprintf(out + n, size - (size_t)n, "part: %u/%u\n%s%s%s%s%s%s%s%s%s",
			     pt->k + 1, pt->n, kind[0] ? "kind: " : "", kind, kind[0] ? "\n" : "",
			     pt->title[0] ? "title: " : "", pt->title,
			     pt->title[0] ? "\n" : "", pt->click[0] ? "click: " : "", pt->click,
			     pt->click[0] ? "\n" : "");
	}
	if (m < 0 || (size_t)(n + m) + 1 >= size)
		return -ENAMETOOLONG;
	out[n + m] = '\n';
	out[n + m + 1] = '\0';
	return n + m + 1;
}

/* A directory stream over dirfd, from its first entry; NULL with errno set.
 * It works on a duplicate, which shares the offset a previous scan left at
 * the end: hence the rewind. */
static DIR *scan_open(int dirfd)
{
	int fd = dup(dirfd);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d) {
		int saved = errno;

		close(fd);
		errno = saved;
		return NULL;
	}
	rewinddir(d);
	return d;
}

/* Removes ".tmp-" files (a write cut short by a crash; the entry it would
 * have replaced, if any, is intact). With seq, finds the largest entry
 * sequence number. */
static int sweep(int dirfd, const char *what, uint64_t *max_seq)
{
	DIR *d = scan_open(dirfd);
	struct dirent *de;

	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		uint64_t seq;
		const char *id;
		size_t idlen;

		if (strncmp(de->d_name, TMP_PREFIX, sizeof TMP_PREFIX - 1) == 0) {
			if (unlinkat(dirfd, de->d_name, 0) == 0)
				log_info("%s: removed %s left by an interrupted write", what,
					 de->d_name);
			continue;
		}
		if (max_seq && name_parse(de->d_name, &seq, &id, &idlen) && seq > *max_seq)
			*max_seq = seq;
	}
	closedir(d);
	return 0;
}

/* The folder top (OUTBOX_DIR or DEAD_DIR) of the state folder, or its
 * subfolder name when name is not "": its descriptor, or a negative errno
 * after statedir_sub's line. check: statedir_sub_check's (nothing made). */
static int open_folder(int state_fd, const char *state_dir, const char *top, const char *name,
		       bool check)
{
	char dir[CFG_PATH_BYTES + 16];
	int fd, rc;

	fd = check ? statedir_sub_check(state_fd, state_dir, top)
		   : statedir_sub(state_fd, state_dir, top);
	if (fd < 0 || !*name)
		return fd;
	snprintf(dir, sizeof dir, "%s/%s", state_dir, top);
	rc = check ? statedir_sub_check(fd, dir, name) : statedir_sub(fd, dir, name);
	close(fd);
	return rc;
}

int outbox_check(int state_fd, const char *state_dir, const char *name)
{
	static const char *const folders[] = { OUTBOX_DIR, DEAD_DIR };

	for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
		int fd = open_folder(state_fd, state_dir, folders[i], name, true);

		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return fd;
		close(fd);
	}
	return 0;
}

/* "outbox" or "outbox/NAME" (top DEAD_DIR: "dead", "dead/NAME") into out:
 * the folder as messages and `digestd status` name it. */
static void where_of(const char *top, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s", top, *name ? "/" : "", name);
}

int outbox_open(struct outbox *ob, int state_fd, const char *state_dir, const char *name)
{
	uint64_t max_seq = 0;
	int rc = 0;

	ob->dirfd = -1;
	ob->deadfd = -1;
	ob->next_seq = 1;
	where_of(OUTBOX_DIR, name, ob->where, sizeof ob->where);
	where_of(DEAD_DIR, name, ob->dead_where, sizeof ob->dead_where);
	rc = open_folder(state_fd, state_dir, OUTBOX_DIR, name, false);
	if (rc < 0)
		goto out;
	ob->dirfd = rc;
	rc = open_folder(state_fd, state_dir, DEAD_DIR, name, false);
	if (rc < 0)
		goto out;
	ob->deadfd = rc;
	rc = sweep(ob->dirfd, ob->where, &max_seq);
	if (rc == 0)
		rc = sweep(ob->deadfd, ob->dead_where, NULL);
	if (rc < 0) {
		log_warnx("%s/%s: cannot list: %s", state_dir, ob->where, strerror(-rc));
		goto out;
	}
	ob->next_seq = max_seq + 1;
out:
	if (rc < 0)
		outbox_close(ob);
	return rc;
}

void outbox_close(struct outbox *ob)
{
	if (ob->dirfd >= 0)
		close(ob->dirfd);
	if (ob->deadfd >= 0)
		close(ob->deadfd);
	ob->dirfd = -1;
	ob->deadfd = -1;
}

int outbox_add(struct outbox *ob, const char *id, int64_t created, enum cfg_format fmt,
	       const void *body, size_t len, char *name)
{
	return outbox_add_part(ob, id, created, fmt, NULL, body, len, name);
}

int outbox_add_part(struct outbox *ob, const char *id, int64_t created, enum cfg_format fmt,
		    const struct outbox_part *pt, const void *body, size_t len, char *name)
{
	char hdr[OUTBOX_HEADER_BYTES];
	char fname[OUTBOX_NAME_BYTES];
	int n, rc;

	if (!id || !digest_id_valid(id, strlen(id)) || len > DIGEST_BODY_BYTES ||
	    (unsigned)fmt >= DIGEST_FORMATS || (len && !body))
		return -EINVAL;
	if (pt && (pt->k >= pt->n || pt->n > OUTBOX_MAX_PARTS || !line_ok(pt->title, MESSAGE_TITLE_BYTES) ||
		   !line_ok(pt->click, MESSAGE_CLICK_BYTES)))
		return -EINVAL;
	/* One entry per id: a digest composed again after a failure that came
	 * after its write must not go out twice. */
	if (outbox_find(ob, id, fname) == 0) {
		if (name)
			memcpy(name, fname, strlen(fname) + 1);
		return -EEXIST;
	}
	snprintf(fname, sizeof fname, "%020" PRIu64 "-%s" SUFFIX, ob->next_seq, id);
	n = header_make(id, created, fmt, 0, 0, 0, pt, body, len, hdr, sizeof hdr);
	if (n < 0)
		return n;
	ob->next_seq++;
	rc = write_atomic(ob->dirfd, fname, hdr, (size_t)n, body, len);
	if (rc < 0) {
		log_warnx("%s: cannot write digest %s: %s", ob->where, id, strerror(-rc));
		return rc;
	}
	if (name)
		memcpy(name, fname, strlen(fname) + 1);
	return 0;
}

int outbox_next(struct outbox *ob, const char *after, char *name)
{
	DIR *d = scan_open(ob->dirfd);
	struct dirent *de;
	int found = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (!is_entry_name(de->d_name) || strlen(de->d_name) >= OUTBOX_NAME_BYTES)
			continue;
		if (after && strcmp(de->d_name, after) <= 0)
			continue;
		if (found && strcmp(de->d_name, name) >= 0)
			continue;
		memcpy(name, de->d_name, strlen(de->d_name) + 1);
		found = 1;
	}
	closedir(d);
	return found ? 0 : -ENOENT;
}

int outbox_oldest(struct outbox *ob, char *name)
{
	return outbox_next(ob, NULL, name);
}

int outbox_find(struct outbox *ob, const char *id, char *name)
{
	DIR *d = scan_open(ob->dirfd);
	struct dirent *de;
	size_t n = strlen(id);
	int rc = -ENOENT;

	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		uint64_t seq;
		const char *eid;
		size_t elen;

		if (!name_parse(de->d_name, &seq, &eid, &elen) || elen != n ||
		    memcmp(eid, id, n) != 0 || strlen(de->d_name) >= OUTBOX_NAME_BYTES)
			continue;
		memcpy(name, de->d_name, strlen(de->d_name) + 1);
		rc = 0;
		break;
	}
	closedir(d);
	return rc;
}

enum {
	F_ID = 1, F_CREATED = 2, F_FORMAT = 4, F_ATTEMPTS = 8, F_NEXT = 16, F_LENGTH = 32,
	F_SUM = 64, F_PART = 128, F_TITLE = 256, F_CLICK = 512, F_KIND = 1024, F_LAST = 2048
};

static int set_why(char *why, const char *msg)
{
	if (why)
		snprintf(why, OUTBOX_REASON_BYTES, "%s", msg);
	return -EBADMSG;
}

/* Parses one "key: value" line into e; returns its F_ flag, or 0 when the
 * line is not understood. */
static int header_line(const char *k, size_t klen, const char *v, size_t vlen,
		       struct outbox_entry *e)
{
	int64_t x;

#define KEY(s) (klen == sizeof(s) - 1 && memcmp(k, s, klen) == 0)
	if (KEY("id")) {
		if (!digest_id_valid(v, vlen))
			return 0;
		memcpy(e->id, v, vlen);
		e->id[vlen] = '\0';
		return F_ID;
	}
	if (KEY("created")) {
		if (dec_parse_i64(v, vlen, INT64_MIN + 1, INT64_MAX, &x) < 0)
			return 0;
		e->created = x;
		return F_CREATED;
	}
	if (KEY("format")) {
		for (unsigned i = 0; i < DIGEST_FORMATS; i++) {
			if (vlen == strlen(format_names[i]) && memcmp(v, format_names[i], vlen) == 0) {
				e->format = (enum cfg_format)i;
				return F_FORMAT;
			}
		}
		return 0;
	}
	if (KEY("attempts")) {
		if (dec_parse_i64(v, vlen, 0, 1000000000, &x) < 0)
			return 0;
		e->attempts = (unsigned)x;
		return F_ATTEMPTS;
	}
	if (KEY("next-attempt")) {
		if (dec_parse_i64(v, vlen, 0, INT64_MAX, &x) < 0)
			return 0;
		e->next_attempt = x;
		return F_NEXT;
	}
	if (KEY("last-attempt")) {
		if (dec_parse_i64(v, vlen, 1, INT64_MAX, &x) < 0)
			return 0;
		e->last_attempt = x;
		return F_LAST;
	}
	if (KEY("length")) {
		if (dec_parse_i64(v, vlen, 0, DIGEST_BODY_BYTES, &x) < 0)
			return 0;
		e->len = (size_t)x;
		return F_LENGTH;
	}
	if (KEY("sha256")) {
		if (vlen != SUM_HEX)
			return 0;
		for (size_t i = 0; i < vlen; i++)
			if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
				return 0;
		memcpy(e->sum, v, SUM_HEX);
		e->sum[SUM_HEX] = '\0';
		return F_SUM;
	}
	if (KEY("part")) {
		const char *slash = memchr(v, '/', vlen);
		int64_t n;

		if (!slash || dec_parse_i64(v, (size_t)(slash - v), 1, OUTBOX_MAX_PARTS, &x) < 0 ||
		    dec_parse_i64(slash + 1, vlen - (size_t)(slash + 1 - v), 1, OUTBOX_MAX_PARTS,
				  &n) < 0 ||
		    x > n)
			return 0;
		e->part = (unsigned)x - 1;
		e->parts = (unsigned)n;
		return F_PART;
	}
	if (KEY("kind")) {
		char w[OUTBOX_KIND_BYTES];

		for (int i = CFG_KIND_WEBHOOK; i <= CFG_KIND_TELEGRAM; i++) {
			cfg_kind_word(i, w, sizeof(w));
			if (vlen == strlen(w) && memcmp(v, w, vlen) == 0) {
				e->kind = i;
				return F_KIND;
			}
		}
		return 0;
	}
	if (KEY("title") || KEY("click")) {
		char *to = KEY("title") ? e->title : e->click;
		size_t cap = KEY("title") ? sizeof e->title : sizeof e->click;

		if (vlen >= cap || !no_controls(v, vlen))
			return 0;
		memcpy(to, v, vlen);
		to[vlen] = '\0';
		return KEY("title") ? F_TITLE : F_CLICK;
	}
#undef KEY
	return 0;
}

/* Parses the header at the start of buf[0..len) for entry `name`; stores the
 * header's length (through the blank line) in *hlen. */
static int header_parse(const char *name, const char *buf, size_t len, struct outbox_entry *e,
			size_t *hlen, char *why)
{
	const char *p = buf, *end, *nid;
	size_t nidlen;
	uint64_t seq;
	unsigned seen = 0;

	if (len > OUTBOX_HEADER_BYTES)
		len = OUTBOX_HEADER_BYTES;
	end = buf + len;
	unsigned want = F_ID | F_CREATED | F_FORMAT | F_ATTEMPTS | F_NEXT | F_LENGTH | F_SUM;

	if (!name_parse(name, &seq, &nid, &nidlen))
		return set_why(why, "not an outbox entry name");
	_Static_assert(sizeof MAGIC_LINE == sizeof MAGIC_LINE_V1, "magic lines of one length");
	if (len < sizeof MAGIC_LINE - 1)
		return set_why(why, "not an outbox entry (bad first line)");
	if (memcmp(buf, MAGIC_LINE_V1, sizeof MAGIC_LINE_V1 - 1) == 0)
		want &= ~(unsigned)F_SUM;
	else if (memcmp(buf, MAGIC_LINE, sizeof MAGIC_LINE - 1) != 0)
		return set_why(why, "not an outbox entry (bad first line)");
	e->sum[0] = '\0';
	e->last_attempt = 0;
	e->part = e->parts = 0;
	e->kind = OUTBOX_KIND_ANY;
	e->title[0] = e->click[0] = '\0';
	p += sizeof MAGIC_LINE - 1;
	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *colon;
		int flag;

		if (!nl)
			return set_why(why, "header cut short or too long");
		if (nl == p) {
			p++;
			break;
		}
		colon = memchr(p, ':', (size_t)(nl - p));
		if (!colon || colon + 1 >= nl || colon[1] != ' ' ||
		    (size_t)(nl - colon - 2) >= VALUE_BYTES)
			return set_why(why, "malformed header line");
		flag = header_line(p, (size_t)(colon - p), colon + 2, (size_t)(nl - colon - 2), e);
		if (flag == 0)
			return set_why(why, "unknown header key or bad value");
		if (seen & (unsigned)flag)
			return set_why(why, "repeated header key");
		seen |= (unsigned)flag;
		p = nl + 1;
	}
	/* The part lines and last-attempt are optional, and only in a
	 * version 2 entry (a version 1 entry is rewritten as 2 when an attempt
	 * is recorded). */
	if ((seen & (F_TITLE | F_CLICK | F_KIND)) && !(seen & F_PART))
		return set_why(why, "a kind, title or link without a part line");
	if ((seen & (F_PART | F_TITLE | F_CLICK | F_KIND)) && !(want & F_SUM))
		return set_why(why, "part lines in a version 1 entry");
	if ((seen & F_LAST) && !(want & F_SUM))
		return set_why(why, "a last-attempt line in a version 1 entry");
	if (!(seen & F_PART))
		e->kind = CFG_KIND_WEBHOOK;
	seen &= ~(unsigned)(F_PART | F_TITLE | F_CLICK | F_KIND | F_LAST);
	if (seen != want)
		return set_why(why, (seen & ~want) ? "a checksum in a version 1 entry"
						   : "header key missing");
	if (strlen(e->id) != nidlen || memcmp(e->id, nid, nidlen) != 0)
		return set_why(why, "id does not match the file name");
	memcpy(e->name, name, strlen(name) + 1);
	*hlen = (size_t)(p - buf);
	return 0;
}

/* The body against the header's checksum (entries of version 1 have none). */
static int sum_check(const struct outbox_entry *e, char *why)
{
	char sum[SUM_HEX + 1];

	if (!e->sum[0])
		return 0;
	sum_hex(e->body, e->len, sum);
	if (memcmp(sum, e->sum, SUM_HEX) != 0)
		return set_why(why, "body checksum mismatch (sha256 in the header)");
	return 0;
}

int outbox_parse(const char *name, const void *buf, size_t len, struct outbox_entry *e,
		 char *why)
{
	size_t hlen;
	int rc = header_parse(name, buf, len, e, &hlen, why);

	if (rc < 0)
		return rc;
	if (len - hlen != e->len)
		return set_why(why, len - hlen < e->len ? "body cut short" : "bytes after the body");
	memcpy(e->body, (const char *)buf + hlen, e->len);
	return sum_check(e, why);
}

/* Reads entry name into e; why says what is damaged for -EBADMSG. */
static int read_entry(int fd, const char *name, struct outbox_entry *e, char *why)
{
	char hdr[OUTBOX_HEADER_BYTES];
	struct stat st;
	size_t got, hlen;
	int rc;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return set_why(why, "not a regular file");
	if ((uint64_t)st.st_size > OUTBOX_HEADER_BYTES + DIGEST_BODY_BYTES)
		return set_why(why, "larger than any entry can be");
	rc = file_read_full(fd, hdr, sizeof hdr, &got);
	if (rc < 0)
		return rc;
	rc = header_parse(name, hdr, got, e, &hlen, why);
	if (rc < 0)
		return rc;
	if ((uint64_t)st.st_size != hlen + e->len)
		return set_why(why, (uint64_t)st.st_size < hlen + e->len ? "body cut short"
									  : "bytes after the body");
	/* The header read went past the header: come back to the body. */
	if (lseek(fd, (off_t)hlen, SEEK_SET) < 0)
		return -errno;
	rc = file_read_full(fd, e->body, e->len, &got);
	if (rc < 0)
		return rc;
	if (got != e->len)
		return set_why(why, "body cut short");
	return sum_check(e, why);
}

int outbox_read(struct outbox *ob, const char *name, struct outbox_entry *e)
{
	char why[OUTBOX_REASON_BYTES] = "";
	int fd, rc;

	if (!is_entry_name(name) || strlen(name) >= OUTBOX_NAME_BYTES)
		return -EINVAL;
	/* O_NONBLOCK: a FIFO under an entry's name must not hang the reader;
	 * read_entry then refuses it as not a regular file. */
	fd = openat(ob->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		if (rc == -ELOOP)
			goto damaged;
		if (rc != -ENOENT)
			log_warnx("%s/%s: cannot open: %s", ob->where, name, strerror(-rc));
		return rc;
	}
	rc = read_entry(fd, name, e, why);
	close(fd);
	if (rc == 0 || rc != -EBADMSG) {
		if (rc < 0)
			log_warnx("%s/%s: cannot read: %s", ob->where, name, strerror(-rc));
		return rc;
	}
damaged:
	if (!why[0])
		snprintf(why, sizeof why, "a symbolic link");
	/* Said after the move: a refused one (a disk gone read-only) leaves
	 * the entry where it is, read and moved again by the next walk. */
	rc = outbox_dead_letter(ob, name, why, NULL, 0);
	if (rc < 0) {
		log_warnx("%s/%s: damaged entry (%s); kept in %s/, its move to %s/ tried again",
			  ob->where, name, why, ob->where, ob->dead_where);
		return rc;
	}
	log_warnx("%s/%s: damaged entry (%s); moved to %s/", ob->where, name, why,
		  ob->dead_where);
	return -EBADMSG;
}

int outbox_update_attempt(struct outbox *ob, struct outbox_entry *e, unsigned attempts,
			  int64_t next_attempt, int64_t at)
{
	char hdr[OUTBOX_HEADER_BYTES];
	int n, rc;

	if (!is_entry_name(e->name) || e->len > DIGEST_BODY_BYTES ||
	    (unsigned)e->format >= DIGEST_FORMATS)
		return -EINVAL;
	e->attempts = attempts;
	e->next_attempt = next_attempt < 0 ? 0 : next_attempt;
	e->last_attempt = at < 0 ? 0 : at;
	struct outbox_part pt = { .k = e->part, .n = e->parts, .kind = e->kind,
				  .title = e->title, .click = e->click };

	n = header_make(e->id, e->created, e->format, e->attempts, e->next_attempt, e->last_attempt,
			&pt, e->body, e->len, hdr, sizeof hdr);
	if (n < 0)
		return n;
	rc = write_atomic(ob->dirfd, e->name, hdr, (size_t)n, e->body, e->len);
	if (rc < 0)
		log_warnx("%s/%s: cannot record the attempt: %s", ob->where, e->name,
			  strerror(-rc));
	return rc;
}

int outbox_remove(struct outbox *ob, const char *name)
{
	int rc = 0;

	if (!is_entry_name(name))
		return -EINVAL;
	if (unlinkat(ob->dirfd, name, 0) < 0) {
		rc = -errno;
		if (rc == -ENOENT)
			return 0;
		log_warnx("%s/%s: cannot remove: %s", ob->where, name, strerror(-rc));
		return rc;
	}
	if (fsync(ob->dirfd) < 0) {
		rc = -errno;
		log_warnx("%s: fsync after removing %s: %s", ob->where, name, strerror(-rc));
	}
	return rc;
}

/* A name in dead/ for entry `name` that is not taken (with its .reason):
 * the name itself, else name.1, name.2, ... */
static int dead_name(struct outbox *ob, const char *name, char *out, size_t size)
{
	for (unsigned i = 0; i < 1000; i++) {
		char r[OUTBOX_NAME_BYTES + 32];
		struct stat st;

		if (i == 0)
			snprintf(out, size, "%s", name);
		else
			snprintf(out, size, "%s.%u", name, i);
		snprintf(r, sizeof r, "%s.reason", out);
		if (fstatat(ob->deadfd, out, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT &&
		    fstatat(ob->deadfd, r, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
			return 0;
	}
	return -EEXIST;
}

int outbox_dead_letter(struct outbox *ob, const char *name, const char *reason,
		       const void *answer, size_t answer_len)
{
	char dname[OUTBOX_NAME_BYTES + 8];
	char rname[OUTBOX_NAME_BYTES + 32];
	char head[OUTBOX_REASON_BYTES + 8];
	int n, rc;

	if (!is_entry_name(name))
		return -EINVAL;
	rc = dead_name(ob, name, dname, sizeof dname);
	if (rc < 0) {
		log_warnx("%s/%s: no free name", ob->dead_where, name);
		return rc;
	}
	snprintf(rname, sizeof rname, "%s.reason", dname);
	n = snprintf(head, sizeof head, "%.*s\n\n", (int)OUTBOX_REASON_BYTES - 1,
		     reason ? reason : "");
	if (n < 0 || (size_t)n >= sizeof head)
		n = (int)sizeof head - 1;
	rc = write_atomic(ob->deadfd, rname, head, (size_t)n, answer, answer ? answer_len : 0);
	if (rc < 0) {
		log_warnx("%s/%s: cannot write: %s", ob->dead_where, rname, strerror(-rc));
		return rc;
	}
	if (renameat(ob->dirfd, name, ob->deadfd, dname) < 0) {
		rc = -errno;
		/* The retry writes the reason again: left, this one would
		 * stand beside no entry and push the retry to NAME.1. */
		unlinkat(ob->deadfd, rname, 0);
		log_warnx("%s/%s: cannot move to %s/: %s", ob->where, name, ob->dead_where,
			  strerror(-rc));
		return rc;
	}
	if (fsync(ob->deadfd) < 0 || fsync(ob->dirfd) < 0) {
		rc = -errno;
		log_warnx("%s: fsync after moving %s: %s", ob->where, name, strerror(-rc));
		return rc;
	}
	return 0;
}

static int tally(struct outbox *ob, uint64_t *bytes, unsigned *count)
{
	DIR *d = scan_open(ob->dirfd);
	struct dirent *de;

	*bytes = 0;
	*count = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (!is_entry_name(de->d_name))
			continue;
		if (fstatat(ob->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		*bytes += (uint64_t)st.st_size;
		(*count)++;
	}
	closedir(d);
	return 0;
}

int outbox_bytes(struct outbox *ob, uint64_t *bytes)
{
	unsigned count;

	return tally(ob, bytes, &count);
}

int outbox_count(struct outbox *ob, unsigned *count)
{
	uint64_t bytes;

	return tally(ob, &bytes, count);
}

/* Does an endpoint of c have outbox name ("" for the plain one)? */
static int claimed(const struct cfg *c, const char *name)
{
	for (unsigned i = 0; i < c->n_endpoints; i++)
		if (strcmp(c->endpoints[i].name, name) == 0)
			return 1;
	return 0;
}

/* The entries in folder dirfd; 0 when it cannot be listed. */
static unsigned entries_at(int dirfd)
{
	struct outbox ob = { .dirfd = dirfd, .deadfd = -1 };
	unsigned count = 0;

	return outbox_count(&ob, &count) == 0 ? count : 0;
}

unsigned outbox_unclaimed(int state_fd, const struct cfg *c, outbox_unclaimed_fn fn, void *arg)
{
	/* O_NONBLOCK: a FIFO in the place of a folder is not waited on. */
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
	int fd = openat(state_fd, OUTBOX_DIR, flags);
	char where[CFG_SOURCE_NAME_BYTES + 8]; /* as outbox.where */
	unsigned total = 0, n;
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return 0;
	n = claimed(c, "") ? 0 : entries_at(fd);
	if (n)
		fn("", OUTBOX_DIR, n, arg);
	total += n;
	d = scan_open(fd);
	while (d && (de = readdir(d)) != NULL) {
		int sub;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= CFG_SOURCE_NAME_BYTES ||
		    claimed(c, de->d_name))
			continue;
		sub = openat(fd, de->d_name, flags); /* an entry file: ENOTDIR */
		if (sub < 0)
			continue;
		n = entries_at(sub);
		close(sub);
		if (n) {
			where_of(OUTBOX_DIR, de->d_name, where, sizeof where);
			fn(de->d_name, where, n, arg);
		}
		total += n;
	}
	if (d)
		closedir(d);
	close(fd);
	return total;
}
