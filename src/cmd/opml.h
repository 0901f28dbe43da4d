/* SPDX-License-Identifier: MIT */
/* `digestd opml import FILE` and `digestd opml export [--config PATH]`:
 * subscriptions between OPML and [source NAME] sections. */
#ifndef DIGESTD_CMD_OPML_H
#define DIGESTD_CMD_OPML_H

/* Runs the command; returns a sysexits status: 0, EX_USAGE, EX_DATAERR (an
 * OPML file refused), EX_NOINPUT (a file that cannot be read), EX_CONFIG
 * (export: not a valid configuration) or EX_IOERR (output not written). */
int cmd_opml(int argc, char **argv);

#endif
