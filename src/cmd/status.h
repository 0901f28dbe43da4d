/* SPDX-License-Identifier: MIT */
/* `digestd status`: the sources, the endpoint and the schedule as the state
 * folder records them; reads only. */
#ifndef DIGESTD_CMD_STATUS_H
#define DIGESTD_CMD_STATUS_H

/* Runs the command; returns a sysexits status: 0, EX_USAGE, EX_CONFIG (not
 * a valid configuration), EX_NOINPUT (the config file, or a state folder
 * that exists but cannot be opened) or EX_IOERR (output not written). */
int cmd_status(int argc, char **argv);

#endif
