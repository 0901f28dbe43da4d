/* SPDX-License-Identifier: MIT */
/* libFuzzer target over the config loader: the input is an ini file. When it
 * loads, its dump must load back to the very same config and print the same;
 * every error line must name the file. Aborts when an invariant breaks. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cfg first, second;
static struct cfg_error err;
/* A dump of CFG_MAX_SOURCES sources with the longest values fits. */
static char dump1[4 * 1024 * 1024], dump2[4 * 1024 * 1024];

#define CHECK(cond)                \
	do {                       \
		if (!(cond))       \
			abort();   \
	} while (0)

static size_t dump(const struct cfg *c, char *buf, size_t size)
{
	FILE *f = fmemopen(buf, size, "w");
	long n;

	CHECK(f != NULL);
	cfg_dump(c, f);
	n = ftell(f);
	fclose(f);
	CHECK(n > 0 && (size_t)n < size); /* the buffer was large enough */
	return (size_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[CFG_PATH_BYTES], why[CFG_ERROR_BYTES];
	size_t n1, n2;
	int fd, rc;

	/* include reads the machine's files, names them in errors and is
	 * dumped as a comment: tests/cli/opml.sh and the bad configs cover it. */
	for (size_t i = 0; i + 7 <= size; i++)
		if (!memcmp(data + i, "include", 7))
			return 0;
	rc = cfg_load_buffer((const char *)data, size, "fuzz.ini", "/etc/digestd", 0, &first,
			     &err);
	if (rc < 0) {
		CHECK(rc == -EINVAL);
		CHECK(err.n >= 1 && err.n <= CFG_MAX_ERRORS);
		for (unsigned i = 0; i < err.n; i++) {
			CHECK(strncmp(err.msg[i], "fuzz.ini:", 9) == 0);
			CHECK(memchr(err.msg[i], '\0', sizeof(err.msg[i])) != NULL);
		}
		return 0;
	}
	CHECK(err.n == 0);
	CHECK(first.n_sources <= CFG_MAX_SOURCES);
	for (unsigned i = 0; i < first.n_sources; i++)
		CHECK(first.sources[i].type != CFG_SOURCE_AUTO && first.sources[i].url[0]);
	CHECK(first.n_endpoints <= CFG_MAX_ENDPOINTS);
	for (unsigned i = 0; i < first.n_endpoints; i++) {
		const struct cfg_endpoint *e = &first.endpoints[i];

		/* What each kind needs was checked at load. */
		if (e->kind == CFG_KIND_WEBHOOK)
			CHECK(e->url[0] && e->signing_key_file[0]);
		if (e->kind == CFG_KIND_SLACK || e->kind == CFG_KIND_DISCORD)
			CHECK(e->url_file[0] && !e->url[0]);
		if (e->kind == CFG_KIND_EMAIL)
			CHECK(e->url[0] && e->from[0] && e->to[0]);
		if (e->kind == CFG_KIND_TELEGRAM)
			CHECK(e->url[0] && e->chat_id[0] && e->token_file[0]);
		if (!e->signing_key_file[0])
			continue;
		/* Where the key is looked for; it is not there, or not read. */
		fd = cfg_secret_open(&first, e->signing_key_file, path, sizeof(path), why,
				     sizeof(why));
		if (fd >= 0)
			close(fd);
		CHECK(path[0] == '/');
	}
	n1 = dump(&first, dump1, sizeof(dump1));
	rc = cfg_load_buffer(dump1, n1, "dump.ini", "/etc/digestd", 0, &second, &err);
	if (rc < 0) {
		fprintf(stderr, "dump does not load: %s\n%s", err.msg[0], dump1);
		abort();
	}
	CHECK(cfg_used_bytes(&first) == cfg_used_bytes(&second) &&
	      memcmp(&first, &second, cfg_used_bytes(&first)) == 0);
	n2 = dump(&second, dump2, sizeof(dump2));
	CHECK(n1 == n2 && memcmp(dump1, dump2, n1) == 0);
	return 0;
}
