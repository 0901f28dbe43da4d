/* SPDX-License-Identifier: MIT */
/* `digestd opml`: import prints [source NAME] sections for an OPML file's
 * subscriptions, only once the whole file has been read and checked; export
 * writes the configured feeds as OPML 2.0. Reads no secret. */
#include "opml.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd/check_config.h"
#include "core/cfg.h"
#include "core/file.h"
#include "core/log.h"
#include "core/url.h"
#include "sources/opml.h"

static const char usage[] = "usage: digestd opml import FILE|-\n"
			    "       digestd opml export [--config PATH]\n";

/* Everything import needs, allocated once when the command starts. */
struct import {
	struct opml_reader reader;
	struct opml_names names;
	FILE *out; /* NULL on the first pass, which only checks */
	unsigned count;
	char buf[OPML_FILE_BYTES + 1];
};

static int on_outline(const struct opml_outline *o, void *ctx)
{
	struct import *im = ctx;
	char name[CFG_SOURCE_NAME_BYTES];

	if (opml_name(&im->names, o, name) < 0) {
		im->reader.line = o->line;
		snprintf(im->reader.why, sizeof(im->reader.why),
			 "more than %u subscriptions: digestd takes at most %u sources",
			 CFG_MAX_SOURCES, CFG_MAX_SOURCES);
		return -EBADMSG;
	}
	im->count++;
	if (!im->out)
		return 0;
	fprintf(im->out, "\n[source %s]\n", name);
	if (o->title[0] && strcmp(o->title, name))
		fprintf(im->out, "# title: %s\n", o->title);
	if (o->category[0])
		fprintf(im->out, "# category: %s\n", o->category);
	fprintf(im->out, "url = %s\n", o->url);
	return 0;
}

/* Reads path (or standard input for "-") whole into im->buf. Returns 0, or
 * a sysexits status after saying why. */
static int read_file(const char *path, struct import *im, size_t *len)
{
	struct stat st;
	int fd = 0, rc, status = 0;

	if (strcmp(path, "-")) {
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			log_errx("%s: cannot open: %s", path, strerror(errno));
			return EX_NOINPUT;
		}
		/* A FIFO or a device would block or never end: a list is a file. */
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			log_errx("%s: not a regular file", path);
			status = EX_NOINPUT;
			goto out;
		}
	}
	rc = file_read_full(fd, im->buf, sizeof(im->buf), len);
	if (rc < 0) {
		log_errx("%s: cannot read: %s", path, strerror(-rc));
		status = EX_NOINPUT;
	} else if (*len > OPML_FILE_BYTES) {
		log_errx("%s: larger than %u MiB; is this an OPML file?", path,
			 OPML_FILE_BYTES / (1024 * 1024));
		status = EX_DATAERR;
	}
out:
	if (fd > 0)
		close(fd);
	return status;
}

/* Standard output written out, or EX_IOERR after saying so (a full disk
 * under a redirection must not pass for a complete list). */
static int flushed(const char *what)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	log_errx("opml %s: cannot write the output: %s", what, strerror(errno));
	return EX_IOERR;
}

static int import(const char *path)
{
	struct import *im = calloc(1, sizeof(*im));
	size_t len = 0;
	int status, rc;

	if (!im) {
		log_errx("opml import: out of memory");
		return EX_OSERR;
	}
	status = read_file(path, im, &len);
	if (status)
		goto out;
	/* Checked whole first, so that a refused file prints nothing at all. */
	rc = opml_parse(&im->reader, im->buf, len, on_outline, im);
	if (rc == 0) {
		memset(&im->names, 0, sizeof(im->names));
		fprintf(stdout, "# %u sources imported from OPML by digestd opml import\n",
			im->count);
		im->out = stdout;
		rc = opml_parse(&im->reader, im->buf, len, on_outline, im);
	}
	if (rc < 0) {
		if (im->reader.line)
			log_errx("%s:%u: %s", path, im->reader.line, im->reader.why);
		else
			log_errx("%s: %s", path, im->reader.why);
		status = EX_DATAERR;
		goto out;
	}
	status = flushed("import");
out:
	free(im);
	return status;
}

/* s as a double-quoted XML attribute value: what could end it or start
 * markup or an entity, and control bytes, as references. (digest.c's
 * put_html writes into a digest buffer, not a stream.) */
static void put_attr(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		const char *ent = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" :
				  c == '"' ? "&quot;" : NULL;

		if (ent)
			fputs(ent, f);
		else if (c < 0x20)
			fprintf(f, "&#%u;", c);
		else
			fputc(c, f);
	}
}

static int export(const char *path)
{
	struct cfg *c = malloc(sizeof(*c));
	struct cfg_error err;
	int status = 0, rc;

	if (!c) {
		log_errx("opml export: out of memory");
		return EX_OSERR;
	}
	rc = cfg_load(path, 0, c, &err);
	if (rc < 0) {
		cfg_log_errors(&err);
		status = rc == -EINVAL ? EX_CONFIG : EX_NOINPUT;
		goto out;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n"
	      "  <head>\n    <title>digestd sources</title>\n  </head>\n  <body>\n",
	      stdout);
	for (unsigned i = 0; i < c->n_sources; i++) {
		const struct cfg_source *s = &c->sources[i];

		/* Only feeds mean something to another reader. */
		if (s->type == CFG_SOURCE_FOLDER) {
			log_info("[source %s] left out: a folder of articles, not a feed", s->name);
		} else if (s->type == CFG_SOURCE_PAGE) {
			log_info("[source %s] left out: an article page, not a feed", s->name);
		} else if (!url_is_http(s->url)) {
			log_info("[source %s] left out: not an http:// or https:// URL", s->name);
		} else {
			fputs("    <outline type=\"rss\" text=\"", stdout);
			put_attr(stdout, s->name);
			fputs("\" title=\"", stdout);
			put_attr(stdout, s->name);
			fputs("\" xmlUrl=\"", stdout);
			put_attr(stdout, s->url);
			fputs("\"/>\n", stdout);
		}
	}
	fputs("  </body>\n</opml>\n", stdout);
	status = flushed("export");
out:
	free(c);
	return status;
}

int cmd_opml(int argc, char **argv)
{
	const char *path = CHECK_CONFIG_DEFAULT_PATH;

	if (argc == 3 && !strcmp(argv[1], "import"))
		return import(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "export")) {
		for (int i = 2; i < argc; i++) {
			if ((!strcmp(argv[i], "--config") || !strcmp(argv[i], "-c")) &&
			    i + 1 < argc) {
				path = argv[++i];
			} else if (!strncmp(argv[i], "--config=", 9)) {
				path = argv[i] + 9;
			} else {
				log_errx("opml export: unexpected argument '%s'", argv[i]);
				fputs(usage, stderr);
				return EX_USAGE;
			}
		}
		return export(path);
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	log_errx("opml: expected 'import FILE' or 'export [--config PATH]'");
	fputs(usage, stderr);
	return EX_USAGE;
}
