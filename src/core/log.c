/* SPDX-License-Identifier: MIT */
/* Logging to stderr in the three shapes digestd needs: journald (priority
 * prefix), terminal daemon (timestamp) and command-line tool (program name). */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/limits.h"

static enum log_level current_level = LOG_LVL_INFO;
static enum { STYLE_TOOL, STYLE_JOURNAL, STYLE_STAMP } style = STYLE_TOOL;
/* digest-sink logs through these functions too: its lines must not say
 * "digestd". */
static const char *tool_name = "digestd";

void log_init(enum log_level level, const char *tool)
{
	/* vlog writes a line a character at a time (text_write_line): a
	 * line-buffered stderr sends it in one write, never in pieces. Set
	 * once, before anything is written: main and the daemon both call. */
	static char buf[LOG_STDERR_BYTES];
	static int buffered;

	if (!buffered) {
		setvbuf(stderr, buf, _IOLBF, sizeof buf);
		buffered = 1;
	}
	current_level = level;
	if (tool) {
		style = STYLE_TOOL;
		tool_name = tool;
	} else if (getenv("JOURNAL_STREAM")) {
		style = STYLE_JOURNAL;
	} else {
		style = STYLE_STAMP;
	}
}

void log_set_level(enum log_level level)
{
	current_level = level;
}

int log_level_parse(const char *name, enum log_level *out)
{
	static const struct {
		const char *name;
		enum log_level level;
	} names[] = {
		{ "err", LOG_LVL_ERR },   { "error", LOG_LVL_ERR },
		{ "warn", LOG_LVL_WARN }, { "warning", LOG_LVL_WARN },
		{ "info", LOG_LVL_INFO }, { "debug", LOG_LVL_DEBUG },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(names[i].name, name) == 0) {
			*out = names[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

static void vlog(enum log_level level, const char *suffix, const char *fmt, va_list ap)
{
	char line[1024];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	if (level > current_level || n < 0)
		return;
	switch (style) {
	case STYLE_JOURNAL:
		fprintf(stderr, "<%d>", (int)level);
		break;
	case STYLE_STAMP: {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(stderr, "%s ", stamp);
		break;
	}
	case STYLE_TOOL:
		fprintf(stderr, "%s: ", tool_name);
		break;
	}
	/* Lines quote network input (a server's answer, its reply line):
	 * its controls, raw or as UTF-8 C1, would forge extra lines or drive
	 * the terminal that shows the journal. */
	text_write_line(stderr, line, strlen(line), 0);
	if (suffix)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
}

#define LOG_FN(name, level, with_errno)                                        \
	void name(const char *fmt, ...)                                        \
	{                                                                      \
		int saved = errno;                                             \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		vlog(level, with_errno ? strerror(saved) : NULL, fmt, ap);     \
		va_end(ap);                                                    \
		errno = saved;                                                 \
	}

LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_errx, LOG_LVL_ERR, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_debug, LOG_LVL_DEBUG, 0)
