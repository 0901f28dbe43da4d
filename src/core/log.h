/* SPDX-License-Identifier: MIT */
/* Logging: one line per event on stderr, with an sd-daemon priority prefix
 * under journald and a timestamp otherwise. Never pass secrets or article
 * bodies to these functions. */
#ifndef DIGESTD_LOG_H
#define DIGESTD_LOG_H

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

/* A non-NULL `tool` (the program's name, a string that outlives the
 * program's logging) prints plain "TOOL: message" lines, as command-line
 * tools do; NULL (the daemon) decides the format from $JOURNAL_STREAM.
 * Never fails. */
void log_init(enum log_level level, const char *tool);
void log_set_level(enum log_level level);
/* Parses "err|warn|info|debug"; returns 0 or -EINVAL. */
int log_level_parse(const char *name, enum log_level *out);

/* log_warn appends strerror(errno); the x variants do not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
