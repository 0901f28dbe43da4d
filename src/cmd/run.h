/* SPDX-License-Identifier: MIT */
/* `digestd run`: the daemon's command line; the daemon is src/daemon/. */
#ifndef DIGESTD_CMD_RUN_H
#define DIGESTD_CMD_RUN_H

/* Runs the command; returns a sysexits status: 0 (stopped by a signal, or
 * --once with everything delivered), EX_USAGE, EX_NOINPUT (the config cannot
 * be read), EX_CONFIG (invalid config, signing key or token), EX_CANTCREAT
 * (the state directory cannot be made or written), EX_SOFTWARE (libcurl or
 * the event loop cannot start), EX_TEMPFAIL (--once left work to retry, or
 * the state folder is in use), EX_UNAVAILABLE (--once: the endpoint refused
 * a digest). Blocks until stopped. */
int cmd_run(int argc, char **argv);

#endif
