/* SPDX-License-Identifier: MIT */
/* sd_notify in a few dozen lines (as chrony does): a fresh AF_UNIX datagram
 * socket per message, so nothing stays open across a reload or a fork. */
#include "notify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/dec.h"

/* Longest message we send: STATUS= lines are cut to fit. */
#define NOTIFY_MSG_BYTES 256

int notify_send(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t salen;
	size_t plen, mlen = strlen(msg);
	int fd, rc = 0;

	if (!path || !*path)
		return 0;
	if (path[0] != '/' && path[0] != '@')
		return -EAFNOSUPPORT;
	plen = strlen(path);
	if (plen > sizeof(sa.sun_path) - (path[0] == '/'))
		return -ENAMETOOLONG;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, plen);
	/* An abstract name is exactly its bytes after the leading NUL: counting
	 * the rest of sun_path would name a different socket. */
	if (path[0] == '@') {
		sa.sun_path[0] = '\0';
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	} else {
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + 1);
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, mlen, MSG_NOSIGNAL | MSG_DONTWAIT, (struct sockaddr *)&sa, salen) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int notify_ready(void)
{
	return notify_send("READY=1");
}

int notify_stopping(void)
{
	return notify_send("STOPPING=1");
}

int notify_watchdog(void)
{
	return notify_send("WATCHDOG=1");
}

int notify_reloading(void)
{
	char msg[NOTIFY_MSG_BYTES];
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
		 (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
	return notify_send(msg);
}

int notify_status(const char *fmt, ...)
{
	char msg[NOTIFY_MSG_BYTES] = "STATUS=";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + 7, sizeof(msg) - 7, fmt, ap);
	va_end(ap);
	for (char *c = msg; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return notify_send(msg);
}

uint64_t notify_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	uint64_t v;

	if (pid && (dec_parse(pid, strlen(pid), UINT64_MAX, &v) != 0 || v != (uint64_t)getpid()))
		return 0;
	if (!usec || dec_parse(usec, strlen(usec), UINT64_MAX, &v) != 0)
		return 0;
	return v;
}
