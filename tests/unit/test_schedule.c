/* SPDX-License-Identifier: MIT */
/* Unit tests for src/daemon/schedule: the next digest for an interval
 * counted from the last digest, and for local times of day across the
 * clock changes (POSIX TZ rules, so no zoneinfo file is needed); a source's
 * due time after a poll, a backoff and at start-up; a step of the wall
 * clock told from a slew. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "daemon/schedule.h"

/* Central Europe: clocks forward at 02:00 on the last Sunday of March,
 * back at 03:00 on the last Sunday of October. */
#define TZ_BERLIN "CET-1CEST,M3.5.0,M10.5.0/3"
/* Brazil until 2019: forward at midnight (00:00 does not exist that day),
 * back at midnight (23:00 to 23:59 of the day before happen twice). */
#define TZ_SAO_PAULO "<-03>3<-02>,M11.1.0/0,M2.3.0/0"

static void set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* Unix seconds of a UTC date and time. */
static int64_t utc(int y, int mon, int d, int h, int min)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = min };

	return (int64_t)timegm(&tm);
}

static struct cfg_schedule at(unsigned n, const unsigned short *minutes)
{
	struct cfg_schedule s = { .interval = 0, .n_times = n };

	memcpy(s.times, minutes, n * sizeof(minutes[0]));
	return s;
}

static void interval_from_last_digest(void)
{
	struct cfg_schedule s = { .interval = 3600 };
	int64_t now = utc(2024, 3, 5, 12, 0);

	CHECK_INT(schedule_next_digest(&s, -1, now), now + 3600);      /* none yet */
	CHECK_INT(schedule_next_digest(&s, now - 100, now), now + 3500);
	CHECK_INT(schedule_next_digest(&s, now - 3600, now), now);      /* due now */
	CHECK_INT(schedule_next_digest(&s, now - 86400, now), now);     /* long overdue */
	CHECK_INT(schedule_next_digest(&s, now, now), now + 3600);      /* just composed */
	/* The clock went back past the last digest: a whole interval. */
	CHECK_INT(schedule_next_digest(&s, now + 500, now), now + 3600);
}

static void times_of_day_in_utc(void)
{
	static const unsigned short t[] = { 19 * 60, 7 * 60 }; /* any order */
	struct cfg_schedule s = at(2, t);

	set_tz("UTC0");
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 3, 5, 6, 0)), utc(2024, 3, 5, 7, 0));
	/* Strictly after now: the digest just composed at 07:00 is not due again. */
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 3, 5, 7, 0)), utc(2024, 3, 5, 19, 0));
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 3, 5, 20, 0)), utc(2024, 3, 6, 7, 0));
	/* The last digest does not matter for times of day. */
	CHECK_INT(schedule_next_digest(&s, utc(2024, 3, 5, 5, 0), utc(2024, 3, 5, 6, 0)),
		  utc(2024, 3, 5, 7, 0));
	/* Across the end of a month and of a year. */
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 12, 31, 23, 0)), utc(2025, 1, 1, 7, 0));
}

static void times_of_day_in_local_time(void)
{
	static const unsigned short t[] = { 7 * 60 };
	struct cfg_schedule s = at(1, t);

	set_tz(TZ_BERLIN);
	/* 07:00 is 06:00 UTC in winter, 05:00 UTC in summer. */
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 1, 10, 12, 0)), utc(2024, 1, 11, 6, 0));
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 7, 10, 12, 0)), utc(2024, 7, 11, 5, 0));
	/* Over the days the clocks change: 23 and 25 hours later. */
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 3, 30, 6, 0)), utc(2024, 3, 31, 5, 0));
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 10, 26, 5, 0)), utc(2024, 10, 27, 6, 0));
}

/* Clocks forward: a time of day that does not exist that day comes once, as
 * far past the change as it was into the gap (02:30 -> 03:30 CEST). */
static void dst_skipped_time(void)
{
	static const unsigned short t230[] = { 2 * 60 + 30 }, t000[] = { 0 };
	struct cfg_schedule s = at(1, t230), m = at(1, t000);

	set_tz(TZ_BERLIN);
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 3, 30, 12, 0)), utc(2024, 3, 31, 1, 30));
	/* ... and not again that day: the next is the next day's 02:30 CEST. */
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 3, 31, 1, 30)), utc(2024, 4, 1, 0, 30));

	set_tz(TZ_SAO_PAULO); /* 2018-11-04: 00:00 -03 became 01:00 -02 */
	CHECK_INT(schedule_next_digest(&m, -1, utc(2018, 11, 3, 12, 0)), utc(2018, 11, 4, 3, 0));
	CHECK_INT(schedule_next_digest(&m, -1, utc(2018, 11, 4, 3, 0)), utc(2018, 11, 5, 2, 0));
}

/* Clocks back: a time of day that happens twice is taken once, at its first
 * occurrence; once that has passed (a digest composed then, or a restart
 * between the two), the next is the next day's. */
static void dst_repeated_time(void)
{
	static const unsigned short t230[] = { 2 * 60 + 30 }, t2330[] = { 23 * 60 + 30 };
	struct cfg_schedule s = at(1, t230), e = at(1, t2330);

	set_tz(TZ_BERLIN); /* 2024-10-27: 02:30 CEST is 00:30 UTC, 02:30 CET 01:30 UTC */
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 10, 26, 12, 0)), utc(2024, 10, 27, 0, 30));
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 10, 27, 0, 30)), utc(2024, 10, 28, 1, 30));
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 10, 27, 0, 45)), utc(2024, 10, 28, 1, 30));
	CHECK_INT(schedule_next_digest(&s, -1, utc(2024, 10, 27, 1, 10)), utc(2024, 10, 28, 1, 30));

	set_tz(TZ_SAO_PAULO); /* 2019-02-16: 23:30 -02 is 01:30 UTC, 23:30 -03 02:30 UTC */
	CHECK_INT(schedule_next_digest(&e, -1, utc(2019, 2, 16, 12, 0)), utc(2019, 2, 17, 1, 30));
	CHECK_INT(schedule_next_digest(&e, -1, utc(2019, 2, 17, 1, 30)), utc(2019, 2, 18, 2, 30));
}

/* A daemon composing at each time of day it is given, for a whole year:
 * exactly one digest per listed time per day, whatever the clocks do. */
static void dst_one_digest_per_time_per_day(void)
{
	static const unsigned short t[] = { 2 * 60 + 30, 7 * 60, 23 * 60 + 30 };
	static const char *const zones[] = { TZ_BERLIN, TZ_SAO_PAULO, "UTC0" };
	struct cfg_schedule s = at(3, t);

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		int64_t now = utc(2018, 7, 1, 12, 0), end = now + 365 * 86400LL, prev = now;
		unsigned n = 0;
		int forward = 1;

		set_tz(zones[z]);
		while (now < end) {
			now = schedule_next_digest(&s, prev, now);
			forward = forward && now > prev;
			if (now >= end || !forward)
				break;
			prev = now;
			n++;
		}
		if (n != 365 * 3)
			printf("  TZ=%s: %u digests in 365 days, want %u\n", zones[z], n, 365 * 3);
		CHECK_INT(n, 365 * 3);
		CHECK(forward);
	}
	set_tz("UTC0");
}

static void source_due_times(void)
{
	int64_t mono = 5000, wall = utc(2024, 3, 5, 12, 0) * 1000 + 250;

	/* After a poll: the interval. */
	CHECK_INT(schedule_source_due(1800, 0, mono, wall), mono + 1800 * 1000);
	/* Backing off (or Retry-After): when that ends, shorter or longer. */
	CHECK_INT(schedule_source_due(1800, wall / 1000 + 60, mono, wall), mono + 60 * 1000 - 250);
	CHECK_INT(schedule_source_due(60, wall / 1000 + 7200, mono, wall), mono + 7200 * 1000 - 250);
	/* A backoff that has ended already: due now, never in the past. */
	CHECK_INT(schedule_source_due(1800, wall / 1000 - 30, mono, wall), mono);
	/* At start-up (interval 0): now, or when an earlier run's backoff ends. */
	CHECK_INT(schedule_source_due(0, 0, mono, wall), mono);
	CHECK_INT(schedule_source_due(0, wall / 1000 + 600, mono, wall), mono + 600 * 1000 - 250);
}

/* A step of the wall clock is told from a slew by how much the difference
 * of the two clocks moved for the time between two looks. */
static void clock_steps(void)
{
	struct schedule_clock c;
	int64_t wall = utc(2024, 3, 5, 12, 0) * 1000, mono = 5000;

	schedule_clock_init(&c, mono, wall);
	CHECK_INT(schedule_clock_step(&c, mono + 60000, wall + 60000), 0);  /* a minute on */
	/* NTP slewing at its fastest (500 ppm) for a day: no step. */
	CHECK_INT(schedule_clock_step(&c, mono + 60000 + 86400000, wall + 60000 + 86443200), 0);
	schedule_clock_init(&c, mono, wall);
	CHECK_INT(schedule_clock_step(&c, mono + 1000, wall + 1000 + 63072000000), 63072000000);
	/* The new difference counts from then on: no second step. */
	CHECK_INT(schedule_clock_step(&c, mono + 2000, wall + 2000 + 63072000000), 0);
	CHECK_INT(schedule_clock_step(&c, mono + 3000, wall + 3000 - 86400000),
		  -86400000 - 63072000000);
	CHECK_INT(schedule_clock_step(&c, mono + 4000, wall + 4000 - 86400000 + 1500), 1500);
	CHECK_INT(schedule_clock_step(&c, mono + 5000, wall + 5000 - 86400000 + 1500 - 900), 0);
}

int main(void)
{
	RUN(interval_from_last_digest);
	RUN(times_of_day_in_utc);
	RUN(times_of_day_in_local_time);
	RUN(dst_skipped_time);
	RUN(dst_repeated_time);
	RUN(dst_one_digest_per_time_per_day);
	RUN(source_due_times);
	RUN(clock_steps);
	return CHECK_EXIT();
}
