/* SPDX-License-Identifier: MIT */
/* `digestd group [--format text|json] FILE...`: each file's seed header and
 * first SOURCE_TEXT_BYTES of text through the story window in the order
 * given, fingerprinted as the daemon fingerprints an article that arrives
 * (story_article); one line per file with its group. */
#include "group.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "core/article.h"
#include "core/file.h"
#include "core/json.h"
#include "core/log.h"
#include "summarise/story.h"

static const char usage[] = "usage: digestd group [--format text|json] FILE...\n";

struct group_state {
	struct story_window window;
	struct story_doc doc;
	struct story_print print;
	struct article_header header;
	/* A seed header, then as much text as story_article takes. */
	char text[ARTICLE_HEADER_BYTES + SOURCE_TEXT_BYTES];
};

/* Reads name (its header and the first SOURCE_TEXT_BYTES of its text) and
 * returns its group: > 0, or a negative errno when it cannot be read. A
 * file without a Title: line is titled by its name, as a folder source
 * titles it. */
static int group_file(struct group_state *g, const char *name, uint32_t *group)
{
	size_t got = 0, body;
	const char *title, *base = strrchr(name, '/');
	int fd = open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK), rc;

	if (fd < 0)
		return -errno;
	rc = file_read_full(fd, g->text, sizeof(g->text), &got);
	close(fd);
	if (rc < 0)
		return rc;
	body = article_parse_header(g->text, got, &g->header);
	title = g->header.title[0] ? g->header.title : base ? base + 1 : name;
	story_article(&g->doc, &g->window, title, strlen(title), g->text + body, got - body,
		      &g->print);
	*group = story_add(&g->window, story_find(&g->window, &g->print, NULL), &g->print);
	return 0;
}

int cmd_group(int argc, char **argv)
{
	/* About 750 KiB: static, but only this function's. */
	static struct group_state state;
	struct group_state *g = &state;
	int json = 0, status = 0, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		if (strcmp(argv[i], "--format") != 0 || i + 1 == argc) {
			log_errx("group: unknown or incomplete option '%s'", argv[i]);
			fputs(usage, stderr);
			return EX_USAGE;
		}
		i++;
		if (strcmp(argv[i], "json") == 0 || strcmp(argv[i], "text") == 0) {
			json = argv[i][0] == 'j';
		} else {
			log_errx("group: --format wants text or json, not '%s'", argv[i]);
			return EX_USAGE;
		}
	}
	if (i == argc) {
		log_errx("group: no article files given");
		fputs(usage, stderr);
		return EX_USAGE;
	}
	story_window_init(&g->window);
	for (; i < argc; i++) {
		uint32_t group = 0;
		int rc = group_file(g, argv[i], &group);

		if (rc < 0) {
			log_errx("group: cannot read '%s': %s", argv[i], strerror(-rc));
			status = EX_NOINPUT;
			continue;
		}
		if (json) {
			fputs("{\"file\":", stdout);
			json_write_string(stdout, argv[i], strlen(argv[i]), 0);
			printf(",\"group\":%u}\n", (unsigned)group);
		} else {
			text_write(stdout, argv[i], strlen(argv[i]), 1);
			printf("\t%u\n", (unsigned)group);
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_errx("group: cannot write output: %s", strerror(errno));
		return EX_IOERR;
	}
	return status;
}
