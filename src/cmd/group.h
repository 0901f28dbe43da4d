/* SPDX-License-Identifier: MIT */
/* `digestd group`: story grouping of seed-format article files, as the
 * daemon groups articles, for evaluation and for trying it out. */
#ifndef DIGESTD_CMD_GROUP_H
#define DIGESTD_CMD_GROUP_H

/* Runs the command; returns a sysexits status (0, EX_USAGE, EX_NOINPUT,
 * EX_IOERR). */
int cmd_group(int argc, char **argv);

#endif
