/* SPDX-License-Identifier: MIT */
/* libFuzzer target: opml_parse over arbitrary bytes. Every outline handed
 * out has its fields NUL-terminated inside their arrays and a web URL, and
 * the section import would print for it loads in cfg; a refusal says why. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cfg.h"
#include "core/url.h"
#include "sources/opml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	struct opml_names names;
	struct cfg config;
	char ini[CFG_URL_BYTES + 64];
};

static void terminated(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

static int outline(const struct opml_outline *o, void *arg)
{
	struct ctx *c = arg;
	char name[CFG_SOURCE_NAME_BYTES];
	struct cfg_error err;
	int n;

	terminated(o->title, sizeof(o->title));
	terminated(o->category, sizeof(o->category));
	terminated(o->url, sizeof(o->url));
	if (!url_is_http(o->url) || o->line == 0)
		abort();
	if (opml_name(&c->names, o, name) < 0)
		return -ENOSPC;
	terminated(name, sizeof(name));
	n = snprintf(c->ini, sizeof(c->ini), "[source %s]\n# title: %s\nurl = %s\n", name,
		     o->title, o->url);
	if (n < 0 || (size_t)n >= sizeof(c->ini))
		n = snprintf(c->ini, sizeof(c->ini), "[source %s]\nurl = %s\n", name, o->url);
	if (cfg_load_buffer(c->ini, (size_t)n, "fuzz.ini", "/", 0, &c->config, &err) != 0)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct opml_reader r;
	static struct ctx c;
	int rc;

	c.names.n = 0;
	rc = opml_parse(&r, (const char *)data, size, outline, &c);
	if (rc == -EBADMSG && (!r.why[0] || !memchr(r.why, '\0', sizeof(r.why))))
		abort();
	if (rc != 0 && rc != -EBADMSG && rc != -ENOSPC)
		abort();
	return 0;
}
