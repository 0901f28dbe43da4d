/* SPDX-License-Identifier: MIT */
/* `digestd run`: the daemon. One process, one thread, one poll() loop that
 * sleeps until a source, a digest, a push retry or the watchdog is due. */
#ifndef DIGESTD_CMD_RUN_H
#define DIGESTD_CMD_RUN_H

/* Default config file when --config is not given. */
#define RUN_DEFAULT_CONFIG "/etc/digestd/digestd.ini"

/* Runs the command; returns a sysexits status: 0 (stopped by a signal, or
 * --once with everything delivered), EX_USAGE, EX_NOINPUT (the config cannot
 * be read), EX_CONFIG (invalid config, signing key or token), EX_CANTCREAT
 * (the state directory cannot be made or written), EX_SOFTWARE (libcurl or
 * the event loop cannot start), EX_TEMPFAIL (--once left work to retry).
 * Blocks until stopped. */
int cmd_run(int argc, char **argv);

#endif
