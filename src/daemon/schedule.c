/* SPDX-License-Identifier: MIT */
/* The daemon's schedule: digest times and source due times, pure functions
 * of their inputs (docs/daemon.md, "One process, one thread, one loop"). */
#include "schedule.h"

#include <time.h>

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* The instant of the local time `minutes` past midnight on the day y-mon-mday
 * (struct tm's numbering; an mday past the month's end is the next month's).
 * When the clocks went back over it, the time happens twice: the first
 * counts. When they went forward over it, it does not exist: it is taken as
 * far past the change as it was into the gap (02:30 becomes 03:30), from the
 * offset before the change. mktime alone guesses, and glibc's guess depends
 * on its previous calls. */
static int64_t local_time(int y, int mon, int mday, unsigned minutes)
{
	int64_t first = SCHEDULE_NEVER, gap = SCHEDULE_NEVER;
	int hour = (int)(minutes / 60), min = (int)(minutes % 60);

	for (int dst = 0; dst <= 1; dst++) {
		struct tm tm = { .tm_year = y, .tm_mon = mon, .tm_mday = mday, .tm_hour = hour,
				 .tm_min = min, .tm_isdst = dst };
		struct tm back;
		time_t t = mktime(&tm);

		if (t == (time_t)-1 || !localtime_r(&t, &back))
			continue;
		/* Read with the other offset than the day's, the time names
		 * another hour: it does not happen that way. */
		if (back.tm_hour == hour && back.tm_min == min)
			first = min64(first, (int64_t)t);
		else if (gap == SCHEDULE_NEVER || (int64_t)t > gap)
			gap = (int64_t)t;
	}
	return first != SCHEDULE_NEVER ? first : gap;
}

/* The first of the schedule's local times of day strictly after now, each
 * taken once a day: today's, else tomorrow's. */
static int64_t next_time_of_day(const struct cfg_schedule *s, time_t now)
{
	int64_t best = SCHEDULE_NEVER;
	struct tm today;

	if (!localtime_r(&now, &today))
		return SCHEDULE_NEVER;
	for (int day = 0; day <= 1; day++) {
		for (unsigned i = 0; i < s->n_times; i++) {
			int64_t t = local_time(today.tm_year, today.tm_mon, today.tm_mday + day,
					       s->times[i]);

			if (t != SCHEDULE_NEVER && t > (int64_t)now)
				best = min64(best, t);
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

void schedule_clock_init(struct schedule_clock *c, int64_t mono_ms, int64_t wall_ms)
{
	c->offset_ms = wall_ms - mono_ms;
	c->mono_ms = mono_ms;
}

int64_t schedule_clock_step(struct schedule_clock *c, int64_t mono_ms, int64_t wall_ms)
{
	int64_t offset = wall_ms - mono_ms, step = offset - c->offset_ms;
	int64_t slack = SCHEDULE_STEP_MS + (mono_ms - c->mono_ms) / 1000;

	/* Slewing moves the difference too, slowly: the difference is kept
	 * as of each look, so that it never adds up into a step. */
	c->offset_ms = offset;
	c->mono_ms = mono_ms;
	return step > slack || step < -slack ? step : 0;
}
