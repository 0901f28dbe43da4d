/* SPDX-License-Identifier: MIT */
/* The daemon's schedule: digest times and source due times, pure functions
 * of their inputs (docs/daemon.md, "One process, one thread, one loop"). */
#include "schedule.h"

#include <time.h>

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* The first of the schedule's local times of day strictly after now. */
static int64_t next_time_of_day(const struct cfg_schedule *s, time_t now)
{
	int64_t best = SCHEDULE_NEVER;

	for (int day = 0; day <= 1; day++) {
		for (unsigned i = 0; i < s->n_times; i++) {
			struct tm tm;
			time_t t;

			localtime_r(&now, &tm);
			tm.tm_mday += day;
			tm.tm_hour = s->times[i] / 60;
			tm.tm_min = s->times[i] % 60;
			tm.tm_sec = 0;
			tm.tm_isdst = -1;
			t = mktime(&tm);
			if (t != (time_t)-1 && t > now)
				best = min64(best, (int64_t)t);
		}
	}
	return best;
}

int64_t schedule_next_digest(const struct cfg_schedule *s, int64_t last, int64_t now)
{
	int64_t wait = s->interval;

	if (s->n_times)
		return next_time_of_day(s, (time_t)now);
	/* Counted from the last digest, even one composed before a restart. */
	if (last >= 0 && now >= last)
		wait = now - last >= wait ? 0 : wait - (now - last);
	return now + wait;
}

int64_t schedule_source_due(unsigned interval, int64_t not_before, int64_t mono_ms,
			    int64_t wall_ms)
{
	int64_t wait = (int64_t)interval * 1000;

	if (not_before)
		wait = not_before * 1000 - wall_ms;
	return wait > 0 ? mono_ms + wait : mono_ms;
}
