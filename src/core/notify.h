/* SPDX-License-Identifier: MIT */
/* The sd_notify protocol without libsystemd: one datagram per state change to
 * $NOTIFY_SOCKET (a path, or an abstract name written with a leading '@').
 * Owns no state between calls; never forks, never blocks on the receiver. */
#ifndef DIGESTD_NOTIFY_H
#define DIGESTD_NOTIFY_H

#include <stdint.h>

/* Sends msg (newline-separated "KEY=value" assignments) as one datagram.
 * Returns 0 when sent, or when $NOTIFY_SOCKET is unset (not run by systemd);
 * -EAFNOSUPPORT for an address that is neither absolute nor '@', -ENAMETOOLONG,
 * -EMSGSIZE, or the negative errno of socket/sendto. Never blocks. */
int notify_send(const char *msg);

/* READY=1, STOPPING=1, WATCHDOG=1: as notify_send. */
int notify_ready(void);
int notify_stopping(void);
int notify_watchdog(void);

/* RELOADING=1 with MONOTONIC_USEC= the current CLOCK_MONOTONIC time, as
 * Type=notify-reload expects (older systemd ignores the extra field). */
int notify_reloading(void);

/* STATUS=<text>; text is cut to fit one datagram and must not hold newlines
 * (they are replaced by spaces). Returns as notify_send. */
int notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The watchdog period in microseconds from $WATCHDOG_USEC, or 0 when there is
 * no watchdog: unset, not a positive number, or $WATCHDOG_PID set to another
 * process. Ping at half of it. Never fails. */
uint64_t notify_watchdog_usec(void);

#endif
