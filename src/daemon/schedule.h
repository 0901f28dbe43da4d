/* SPDX-License-Identifier: MIT */
/* The daemon's time arithmetic, as pure functions: when the next digest is
 * due (an interval counted from the last digest, or local times of day) and
 * when a source is due after a poll. Reads no clock and keeps no state. */
#ifndef DIGESTD_SCHEDULE_H
#define DIGESTD_SCHEDULE_H

#include <stdint.h>

#include "core/cfg.h"

/* Later than any time: nothing is scheduled. */
#define SCHEDULE_NEVER INT64_MAX

/* The Unix second of the next digest, for a schedule s, the Unix second of
 * the last digest composed (`last`, -1 when unknown) and the time now:
 *  - an interval: `interval` after the last digest, now when that has
 *    passed; `interval` after now when last is unknown or in the future
 *    (the clock went back);
 *  - times of day: the first of the local times (TZ) strictly after now,
 *    each taken once a day: a time the clocks pass twice (going back) at its
 *    first occurrence, one they skip (going forward) as far past the change
 *    as it was into the gap (02:30 at 03:30).
 * Never fails. */
int64_t schedule_next_digest(const struct cfg_schedule *s, int64_t last, int64_t now);

/* When a source is due again, in the caller's monotonic milliseconds, after
 * a poll that ended at mono_ms (wall_ms: the same instant in Unix
 * milliseconds): `interval` seconds later, or at not_before (Unix seconds,
 * the source's backoff or Retry-After; 0 = none) when the source set one;
 * never before mono_ms. With interval 0, the due time of a source at start-up: now, or when an
 * earlier run's backoff ends. Never fails. */
int64_t schedule_source_due(unsigned interval, int64_t not_before, int64_t mono_ms,
			    int64_t wall_ms);

/* The wall clock against the monotonic one, as last looked at: a step of
 * the wall clock (NTP setting a board without a real-time clock right, an
 * admin, a bad time server) shows as a change of their difference. */
struct schedule_clock {
	int64_t offset_ms; /* wall minus monotonic milliseconds */
	int64_t mono_ms;   /* the monotonic time of that look */
};

/* A first look at both clocks (mono_ms, wall_ms: the same instant). */
void schedule_clock_init(struct schedule_clock *c, int64_t mono_ms, int64_t wall_ms);

/* Another look: returns how far the wall clock stepped since the last
 * look, in ms (> 0 forward, < 0 back), or 0 when the difference moved by
 * no more than SCHEDULE_STEP_MS plus 1/1000 of the time between the two
 * looks (twice the fastest NTP slew, 500 ppm, which is no step). Records
 * this look. Never fails. */
int64_t schedule_clock_step(struct schedule_clock *c, int64_t mono_ms, int64_t wall_ms);

/* The least change of the wall clock against the monotonic one that counts
 * as a step. */
#define SCHEDULE_STEP_MS 1000

#endif
