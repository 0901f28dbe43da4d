/* SPDX-License-Identifier: MIT */
/* `digestd summarize`: the command-line face of the summariser. */
#ifndef DIGESTD_CMD_SUMMARIZE_H
#define DIGESTD_CMD_SUMMARIZE_H

/* Runs the command; returns a sysexits status (0, EX_USAGE, EX_NOINPUT). */
int cmd_summarize(int argc, char **argv);

#endif
