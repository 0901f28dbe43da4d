/* SPDX-License-Identifier: MIT */
/* tests/httpd.py --plain for the unit tests of src/net and src/sources/fetch:
 * a temporary folder, the server on 127.0.0.1 and 127.0.0.2, its request log. */
#ifndef DIGESTD_TEST_HTTPD_H
#define DIGESTD_TEST_HTTPD_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[64], ready[128], log_path[128];
static pid_t srv_pid = -1;
static int port, alt; /* the server's ports on 127.0.0.1 and 127.0.0.2 */

/* Makes the test's temporary folder, TMPDIR/NAME.XXXXXX. Returns 0 or -1. */
static inline int httpd_dir(const char *name)
{
	const char *tmp = getenv("TMPDIR");

	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof dir, "%s/%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	if (!mkdtemp(dir)) {
		perror(dir);
		return -1;
	}
	snprintf(ready, sizeof ready, "%s/ready", dir);
	snprintf(log_path, sizeof log_path, "%s/requests", dir);
	return 0;
}

/* Starts tests/httpd.py --plain; python3 runs natively under any
 * TEST_WRAPPER. Returns 0 with port and alt set, or -1. */
static inline int httpd_start(void)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd,
		 "exec python3 tests/httpd.py --plain --feeds tests/data/feeds --ready '%s' "
		 "--log '%s' >'%s/httpd.out' 2>&1",
		 ready, log_path, dir);
	srv_pid = fork();
	if (srv_pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {
		FILE *f = fopen(ready, "r");

		if (f) {
			int got = fscanf(f, "%d %d", &port, &alt);

			fclose(f);
			if (got == 2)
				return 0;
		}
		if (waitpid(srv_pid, NULL, WNOHANG) == srv_pid)
			break;
		usleep(50 * 1000);
	}
	printf("  tests/httpd.py --plain did not start (see %s/httpd.out)\n", dir);
	srv_pid = -1;
	return -1;
}

/* Stops the server and removes the folder. */
static inline void httpd_stop(void)
{
	pid_t pid;

	if (srv_pid > 0) {
		kill(srv_pid, SIGTERM);
		waitpid(srv_pid, NULL, 0);
	}
	srv_pid = -1;
	pid = fork();
	if (pid == 0) {
		execl("/bin/rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* The fields of a request line the server logs. */
#define HTTPD_FIELDS 9

/* The request lines the server logged whose path holds tag, in log order:
 * up to max of them, each line's tab-separated fields (path, If-None-Match,
 * If-Modified-Since, Accept-Encoding, User-Agent, arrival in Unix seconds,
 * the address it came to, then how many requests with its t= tag were in
 * progress on any port and on its own, itself included) into
 * field[i][0..8]. Returns how many. */
static inline int httpd_requests(const char *tag, char field[][HTTPD_FIELDS][256], int max)
{
	char line[2048];
	FILE *f = fopen(log_path, "r");
	int n = 0;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof line, f)) {
		char *p = line;
		int k = 0;

		if (!strstr(line, tag))
			continue;
		while (k < HTTPD_FIELDS) {
			size_t len = strcspn(p, "\t\n");

			snprintf(field[n][k++], 256, "%.*s", (int)len, p);
			if (p[len] != '\t')
				break;
			p += len + 1;
		}
		if (k == HTTPD_FIELDS)
			n++;
	}
	fclose(f);
	return n;
}

/* The arrival times of those requests, and (when addr is not NULL) the
 * address each came to. */
static inline int httpd_arrivals(const char *tag, double *t, char addr[][16], int max)
{
	static char field[8][HTTPD_FIELDS][256];
	int n = httpd_requests(tag, field, max < 8 ? max : 8);

	for (int i = 0; i < n; i++) {
		t[i] = strtod(field[i][5], NULL);
		if (addr)
			snprintf(addr[i], 16, "%s", field[i][6]);
	}
	return n;
}

/* The most requests tagged tag (up to 8 of them) that the server had in
 * progress at once: on any port (own = 0) or on the request's own port. The
 * server counts a request until its answer goes out, so this tells
 * concurrency from the log, not from arrival times a loaded machine skews. */
static inline int httpd_most(const char *tag, int own)
{
	static char field[8][HTTPD_FIELDS][256];
	int n = httpd_requests(tag, field, 8), most = 0;

	for (int i = 0; i < n; i++) {
		int v = (int)strtol(field[i][own ? 8 : 7], NULL, 10);

		if (v > most)
			most = v;
	}
	return most;
}

static inline void httpd_sort(double *t, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && t[j] < t[j - 1]; j--) {
			double x = t[j];

			t[j] = t[j - 1];
			t[j - 1] = x;
		}
}

#endif
