/* SPDX-License-Identifier: MIT */
/* `digestd filter-test`: what the keep and drop rules (and a first poll's
 * backlog) would do with each article of the sources or of a saved feed,
 * without changing any state. */
#ifndef DIGESTD_CMD_FILTER_TEST_H
#define DIGESTD_CMD_FILTER_TEST_H

/* Runs the command; returns a sysexits status: 0, EX_USAGE, EX_CONFIG,
 * EX_NOINPUT (config or feed file unreadable), or the worst of the polls'
 * (fetch_source_status). Blocks on the network. */
int cmd_filter_test(int argc, char **argv);

#endif
