/* SPDX-License-Identifier: MIT */
/* digestd's entry point: picks the command and hands over to it. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "cmd/check_config.h"
#include "cmd/fetch.h"
#include "cmd/group.h"
#include "cmd/filter_test.h"
#include "cmd/opml.h"
#include "cmd/run.h"
#include "cmd/status.h"
#include "cmd/summarize.h"
#include "core/log.h"
#include "core/version.h"

static const char usage[] =
	"usage: digestd COMMAND [OPTIONS]\n"
	"commands:\n"
	"  check-config [--config PATH] [--keys]\n"
	"  fetch [--type feed|page] [--format text|json] [--config PATH] [--ca-file FILE]\n"
	"        URL|FILE|-\n"
	"  fetch --config PATH --source NAME [--format text|json]\n"
	"  group [--format text|json] FILE...\n"
	"  filter-test [--config PATH] [--source NAME] [--feed FILE]\n"
	"  opml import FILE|-\n"
	"  opml export [--config PATH]\n"
	"  run [--config PATH] [--once]\n"
	"  status [--config PATH] [--format text|json]\n"
	"  summarize [-n N | --ratio R] [--words W] [--lang auto|en|fr|de|es|it|pt]\n"
	"            [--format text|json|features] [--method rank|lead] [FILE|-]...\n"
	"  version\n";

int main(int argc, char **argv)
{
	log_init(LOG_LVL_INFO, "digestd");
	if (argc < 2) {
		fputs(usage, stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[1], "check-config") == 0)
		return cmd_check_config(argc - 1, argv + 1);
	if (strcmp(argv[1], "fetch") == 0)
		return cmd_fetch(argc - 1, argv + 1);
	if (strcmp(argv[1], "group") == 0)
		return cmd_group(argc - 1, argv + 1);
	if (strcmp(argv[1], "filter-test") == 0)
		return cmd_filter_test(argc - 1, argv + 1);
	if (strcmp(argv[1], "opml") == 0)
		return cmd_opml(argc - 1, argv + 1);
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(argv[1], "summarize") == 0 || strcmp(argv[1], "summarise") == 0)
		return cmd_summarize(argc - 1, argv + 1);
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("digestd %s\n", DIGESTD_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	log_errx("unknown command '%s'", argv[1]);
	fputs(usage, stderr);
	return EX_USAGE;
}
