/* SPDX-License-Identifier: MIT */
/* sd_notify: messages arrive whole on a real datagram socket bound to a path
 * and to an abstract name; bad addresses and watchdog variables. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "core/notify.h"

/* Binds a datagram socket to name ('@' = abstract) and points $NOTIFY_SOCKET
 * at it. Returns the socket or -1. */
static int listener(const char *name)
{
	struct sockaddr_un sa;
	size_t len = strlen(name);
	socklen_t salen;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@') {
		sa.sun_path[0] = '\0';
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	} else {
		unlink(name);
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	}
	if (bind(fd, (struct sockaddr *)&sa, salen) < 0) {
		close(fd);
		return -1;
	}
	setenv("NOTIFY_SOCKET", name, 1);
	return fd;
}

/* The next datagram as a string ("" when none is waiting). */
static const char *next_msg(int fd)
{
	static char buf[512];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void messages_on(const char *name)
{
	int fd = listener(name);
	const char *m;

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_INT(notify_ready(), 0);
	CHECK_STR(next_msg(fd), "READY=1");
	CHECK_INT(notify_status("polling %d sources\nnow", 3), 0);
	CHECK_STR(next_msg(fd), "STATUS=polling 3 sources now");
	CHECK_INT(notify_watchdog(), 0);
	CHECK_STR(next_msg(fd), "WATCHDOG=1");
	CHECK_INT(notify_reloading(), 0);
	m = next_msg(fd);
	CHECK(strncmp(m, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0);
	CHECK(strlen(m) > 27 && strspn(m + 27, "0123456789") == strlen(m + 27));
	CHECK_INT(notify_stopping(), 0);
	CHECK_STR(next_msg(fd), "STOPPING=1");
	CHECK_STR(next_msg(fd), "");
	close(fd);
	if (name[0] == '/')
		unlink(name);
}

static void path_socket(void)
{
	char name[64];

	snprintf(name, sizeof(name), "/tmp/test_notify.%ld", (long)getpid());
	messages_on(name);
}

static void abstract_socket(void)
{
	char name[64];

	snprintf(name, sizeof(name), "@digestd/test_notify/%ld", (long)getpid());
	messages_on(name);
}

static void long_status_is_cut(void)
{
	char big[1024], name[64];
	const char *m;
	int fd;

	/* The pid in the name: two runs of the suite at once on one machine
	 * (another work tree's, a CI dry run) share the abstract namespace. */
	snprintf(name, sizeof(name), "@digestd/test_notify/long/%ld", (long)getpid());
	fd = listener(name);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT(notify_status("%s", big), 0);
	m = next_msg(fd);
	CHECK(strncmp(m, "STATUS=xxx", 10) == 0);
	CHECK(strlen(m) < 300);
	close(fd);
}

static void bad_addresses(void)
{
	char longname[200];

	unsetenv("NOTIFY_SOCKET");
	CHECK_INT(notify_ready(), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	CHECK_INT(notify_ready(), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	CHECK_INT(notify_ready(), -EAFNOSUPPORT);
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	CHECK_INT(notify_ready(), -EAFNOSUPPORT);
	longname[0] = '/';
	memset(longname + 1, 'a', sizeof(longname) - 2);
	longname[sizeof(longname) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longname, 1);
	CHECK_INT(notify_ready(), -ENAMETOOLONG);
	/* 108 bytes fit an abstract name but not a path and its NUL. */
	longname[108] = '\0';
	setenv("NOTIFY_SOCKET", longname, 1);
	CHECK_INT(notify_ready(), -ENAMETOOLONG);
	longname[0] = '@';
	setenv("NOTIFY_SOCKET", longname, 1);
	CHECK_INT(notify_ready(), -ECONNREFUSED);
	setenv("NOTIFY_SOCKET", "/nonexistent/digestd/notify", 1);
	CHECK_INT(notify_ready(), -ENOENT);
	unsetenv("NOTIFY_SOCKET");
}

static void watchdog_usec(void)
{
	char pid[32];

	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	CHECK_INT(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	CHECK_INT(notify_watchdog_usec(), 30000000);
	setenv("WATCHDOG_USEC", "0", 1);
	CHECK_INT(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "-5", 1);
	CHECK_INT(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "12abc", 1);
	CHECK_INT(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "99999999999999999999999", 1);
	CHECK_INT(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "500000", 1);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	CHECK_INT(notify_watchdog_usec(), 500000);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	CHECK_INT(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", "x", 1);
	CHECK_INT(notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
}

int main(void)
{
	RUN(path_socket);
	RUN(abstract_socket);
	RUN(long_status_is_cut);
	RUN(bad_addresses);
	RUN(watchdog_usec);
	return CHECK_EXIT();
}
