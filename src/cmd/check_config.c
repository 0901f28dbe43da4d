/* SPDX-License-Identifier: MIT */
/* `digestd check-config [--config PATH] [--keys]`: loads and checks the file
 * exactly as `digestd run` does, and what run checks at start besides (the
 * state folder, without making or changing anything; the endpoint's secrets,
 * read and parsed as the push client does, then wiped, never shown); then
 * prints the effective configuration (or, with --keys, the key reference
 * that docs/config.md embeds). Exits as run would: 78, or 73 for a state
 * folder run refuses. */
#include "check_config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <unistd.h>

#include "core/cfg.h"
#include "core/log.h"
#include "core/statedir.h"
#include "outbox/outbox.h"
#include "push/push.h"

static const char usage[] = "usage: digestd check-config [--config PATH] [--keys]\n";

static struct cfg config;

/* run's start-up checks past cfg_load, in run's order; every refusal is
 * said, and the status is the one run would exit with first. */
static int check_start(const struct cfg *c)
{
	const char *dir = c->daemon.state_dir;
	struct push_client push;
	int status = 0, fd;

	fd = statedir_check(dir);
	if (fd >= 0) {
		for (unsigned i = 0; i < c->n_endpoints && !status; i++)
			if (outbox_check(fd, dir, c->endpoints[i].name) < 0)
				status = EX_CANTCREAT;
		close(fd);
	} else if (fd != -ENOENT) {
		status = EX_CANTCREAT;
	}
	for (unsigned i = 0; i < c->n_endpoints; i++) {
		if (push_init(&push, c, &c->endpoints[i], NULL) < 0)
			return status ? status : EX_CONFIG;
		push_free(&push);
	}
	return status;
}

int cmd_check_config(int argc, char **argv)
{
	const char *path = CHECK_CONFIG_DEFAULT_PATH;
	struct cfg_error err;
	int keys = 0, rc;

	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--config") || !strcmp(argv[i], "-c")) && i + 1 < argc) {
			path = argv[++i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			path = argv[i] + 9;
		} else if (!strcmp(argv[i], "--keys")) {
			keys = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else {
			log_errx("check-config: unexpected argument '%s'", argv[i]);
			fputs(usage, stderr);
			return EX_USAGE;
		}
	}
	if (keys) {
		cfg_dump_keys(stdout);
		return 0;
	}
	rc = cfg_load(path, CFG_RUN, &config, &err);
	if (rc < 0) {
		cfg_log_errors(&err);
		return rc == -EINVAL ? EX_CONFIG : EX_NOINPUT;
	}
	rc = check_start(&config);
	if (rc)
		return rc;
	printf("; effective configuration of %s: defaults filled in, relative paths\n"
	       "; resolved, secrets shown only as the file they are read from\n",
	       path);
	cfg_dump(&config, stdout);
	return 0;
}
