/* SPDX-License-Identifier: MIT */
/* `digestd check-config`: validates the config file and prints the effective
 * configuration, or the first problem with its file and line. */
#ifndef DIGESTD_CMD_CHECK_CONFIG_H
#define DIGESTD_CMD_CHECK_CONFIG_H

/* Default config file when --config is not given. */
#define CHECK_CONFIG_DEFAULT_PATH "/etc/digestd/digestd.ini"

/* Runs the command; returns a sysexits status: 0, EX_USAGE, EX_NOINPUT (the
 * file cannot be read) or EX_CONFIG (it is not a valid configuration). */
int cmd_check_config(int argc, char **argv);

#endif
