/* SPDX-License-Identifier: MIT */
/* `digestd run`: parses the arguments and runs the daemon (src/daemon/):
 * start, the loop or one cycle, stop. */
#include "run.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "core/log.h"
#include "daemon/daemon.h"

static const char usage[] = "usage: digestd run [--config PATH] [--once]\n";

/* Returns 0, 1 for --help (printed), or -EINVAL (said). */
static int parse_args(int argc, char **argv, const char **path, bool *once)
{
	*path = DAEMON_DEFAULT_CONFIG;
	*once = false;
	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--config") || !strcmp(argv[i], "-c")) && i + 1 < argc) {
			*path = argv[++i];
		} else if (!strncmp(argv[i], "--config=", 9)) {
			*path = argv[i] + 9;
		} else if (!strcmp(argv[i], "--once")) {
			*once = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 1;
		} else {
			log_errx("run: unexpected argument '%s'", argv[i]);
			fputs(usage, stderr);
			return -EINVAL;
		}
	}
	return 0;
}

int cmd_run(int argc, char **argv)
{
	/* The daemon's whole state, about 14 MiB of buffers sized at compile
	 * time: static, so it costs no allocation that could fail and only the
	 * pages it touches count (most of it is the seen-set's 10 MiB, touched
	 * up to seen_capacity). */
	static struct daemon d;
	const char *path;
	bool once;
	int status;

	status = parse_args(argc, argv, &path, &once);
	if (status)
		return status > 0 ? 0 : EX_USAGE;
	status = daemon_start(&d, path, once);
	if (status == 0)
		status = once ? daemon_once(&d) : daemon_run(&d);
	daemon_stop(&d);
	return status;
}
