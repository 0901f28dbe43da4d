/* SPDX-License-Identifier: MIT */
/* Unit tests for src/push/push against tools/digest-sink over real TLS on
 * loopback ($BUILD/digest-sink, through $TEST_WRAPPER): delivery with the
 * signature checked, every retry and dead-letter path, TLS refusals; and
 * each other endpoint kind's push against a fake of its service
 * (tests/cli/fake_service.py, python3). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/base64.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "check.h"
#include "digest/digest.h"
#include "digest/message.h"
#include "push/push.h"

static char dir[64];
static char sink_bin[256];
static const char *wrapper = "";
static pid_t sink_pid = -1;
static int port;
static char sink_dir[256]; /* the running sink's folder: tls/, store/, out */
static struct cfg cfg;
static struct net *net;
static struct push_client pc;
static struct outbox_entry e;
static struct push_result r;
static struct digest dg;
static volatile sig_atomic_t stop_flag;

/* Runs a shell command line (fork and exec of /bin/sh); returns its status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	pid_t pid;
	int st = 0;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int file_has(const char *path, const char *needle)
{
	static char buf[64 * 1024];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static int spawn(const char *cmd, const char *ready, const char *name, const char *args);

static void stop_sink(void)
{
	if (sink_pid > 0) {
		kill(sink_pid, SIGTERM);
		waitpid(sink_pid, NULL, 0);
	}
	sink_pid = -1;
}

/* Stops the server running and makes its successor's folder dir/PREFIXNAME
 * (sink_dir), with no ready file at ready (size bytes). */
static void server_dir(const char *prefix, const char *name, char *ready, size_t size)
{
	stop_sink();
	snprintf(sink_dir, sizeof sink_dir, "%s/%s%s", dir, prefix, name);
	mkdir(sink_dir, 0700);
	snprintf(ready, size, "%s/ready", sink_dir);
	unlink(ready);
}

/* Starts a sink in dir/NAME with the given extra arguments (TLS: a fresh
 * self-signed certificate unless ARGS give --cert/--key). */
static int start_sink(const char *name, const char *args)
{
	char ready[300], cmd[2048];
	int tls_given = strstr(args, "--cert ") != NULL;

	server_dir("", name, ready, sizeof ready);
	snprintf(cmd, sizeof cmd,
		 "exec %s '%s' %s%s%s --store '%s/store' --signing-key '%s/key' --port 0 "
		 "--ready-file '%s' %s >'%s/out' 2>'%s/err'",
		 wrapper, sink_bin, tls_given ? "" : "--self-signed '", tls_given ? "" : sink_dir,
		 tls_given ? "" : "/tls'", sink_dir, dir, ready, args, sink_dir, sink_dir);
	return spawn(cmd, ready, name, args);
}

/* Runs the server command line cmd in the background (as sink_pid) and
 * waits until it wrote its port to ready; sets port. */
static int spawn(const char *cmd, const char *ready, const char *name, const char *args)
{
	sink_pid = fork();
	if (sink_pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 600; i++) {
		FILE *f = fopen(ready, "r");
		if (f) {
			char line[32];
			char *end = NULL;
			long v = fgets(line, sizeof line, f) ? strtol(line, &end, 10) : 0;
			fclose(f);
			if (end && end != line && v > 0 && v < 65536) {
				port = (int)v;
				return 0;
			}
		}
		if (waitpid(sink_pid, NULL, WNOHANG) == sink_pid)
			break;
		usleep(50 * 1000);
	}
	printf("  server %s did not start: %s\n", name, args);
	sink_pid = -1;
	return -1;
}

/* Loads an [endpoint] for the running sink plus `extra` lines and makes the
 * push client. */
static int client(const char *extra)
{
	char ini[4096];
	struct cfg_error err;
	int n, rc;

	char ca[400];

	push_free(&pc);
	snprintf(ca, sizeof ca, "ca_file = %s/tls/cert.pem\n", sink_dir);
	/* extra may replace any of these defaults. The timeout is wide: a
	 * handshake with a sink under qemu-user on a loaded machine takes
	 * seconds, and no test here waits for it to pass. */
	n = snprintf(ini, sizeof ini,
		     "[source s]\nurl = x\n[endpoint]\nurl = https://localhost:%d/digest\n%s%s%s%s%s",
		     port,
		     strstr(extra, "ca_file =") ? "" : ca,
		     strstr(extra, "signing_key_file =") ? "" : "signing_key_file = key\n",
		     strstr(extra, "timeout =") ? "" : "timeout = 30s\n",
		     strstr(extra, "retry_max =") ? "" : "retry_base = 10s\nretry_max = 1h\n", extra);
	rc = cfg_load_buffer(ini, (size_t)n, "test.ini", dir, CFG_RUN, &cfg, &err);
	if (rc < 0) {
		printf("  config: %s\n", err.msg[0]);
		return rc;
	}
	return push_init(&pc, &cfg, &cfg.endpoints[0], net);
}

/* start_sink(name, args) and, unless extra is NULL, client(extra): 0, or
 * -1 with the test marked failed (a set-up that did not come up). */
static int sink_client(const char *name, const char *args, const char *extra)
{
	if (start_sink(name, args) < 0 || (extra && client(extra) < 0)) {
		check_current_failed = 1;
		return -1;
	}
	return 0;
}

/* A one-article JSON digest as the daemon would queue it. */
static void make_entry(const char *id)
{
	static const struct digest_span s[] = { { "Something happened today.", 25 } };
	struct digest_article a = { "test", "A title", "https://example.org/a", "en",
				    1795888800, true, s, 1, NULL, 0 };

	digest_begin(&dg, id, time(NULL), "testhost", 10);
	digest_add(&dg, &a);
	memset(&e, 0, offsetof(struct outbox_entry, body));
	snprintf(e.name, sizeof e.name, "00000000000000000001-%s.digest", id);
	snprintf(e.id, sizeof e.id, "%s", id);
	e.created = dg.created;
	e.format = CFG_FORMAT_JSON;
	digest_render(&dg, CFG_FORMAT_JSON, e.body, sizeof e.body, &e.len);
}

/* One push, start to answer: push_start, then net driven until its done. */
static int push_wait(struct push_client *c, const struct outbox_entry *en, int64_t now,
		     struct push_result *res)
{
	int rc = push_start(c, en, now, res, NULL, NULL);

	if (rc == -EINTR)
		return 0; /* stopped before sending: res says so */
	if (rc < 0)
		return rc;
	while (c->e)
		net_step(c->net);
	return 0;
}

static int attempt(void)
{
	int64_t now = time(NULL);
	int rc = push_wait(&pc, &e, now, &r);

	if (rc == 0 && r.outcome == PUSH_RETRY)
		e.attempts++;
	return rc;
}

static int stored_same(const char *id)
{
	static char got[DIGEST_BODY_BYTES];
	char p[400];
	FILE *f;
	size_t n;

	snprintf(p, sizeof p, "%s/store/%s.json", sink_dir, id);
	f = fopen(p, "rb");
	if (!f)
		return 0;
	n = fread(got, 1, sizeof got, f);
	fclose(f);
	return n == e.len && memcmp(got, e.body, n) == 0;
}

static void test_delivered(void)
{
	char out[300];

	if (sink_client("ok", "", "") < 0)
		return;
	make_entry("dg_ok");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	CHECK_INT(r.status, 200);
	CHECK(stored_same("dg_ok"));
	CHECK(strncmp(r.answer, "stored dg_ok", 12) == 0);
	/* A retry of the same id is answered 200 and stored once. */
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	stop_sink();
	snprintf(out, sizeof out, "%s/out", sink_dir);
	CHECK(file_has(out, "received id=dg_ok bytes="));
	CHECK(file_has(out, "articles=1 status=200"));
	CHECK(file_has(out, "duplicate id=dg_ok"));
}

static void test_other_formats(void)
{
	static const struct {
		const char *id;
		enum cfg_format fmt;
	} f[] = { { "dg_md", CFG_FORMAT_MARKDOWN }, { "dg_html", CFG_FORMAT_HTML } };

	if (sink_client("fmt", "", "") < 0)
		return;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		make_entry(f[i].id);
		e.format = f[i].fmt;
		digest_render(&dg, f[i].fmt, e.body, sizeof e.body, &e.len);
		CHECK_INT(attempt(), 0);
		CHECK_INT(r.outcome, PUSH_DELIVERED);
		CHECK(stored_same(f[i].id));
	}
	stop_sink();
}

/* The sink checks the signature: a client with another key is refused with
 * 401, which is final (dead letter). */
static void test_wrong_key_refused(void)
{
	char p[300];
	FILE *f;

	if (sink_client("wrongkey", "", NULL) < 0)
		return;
	snprintf(p, sizeof p, "%s/otherkey", dir);
	f = fopen(p, "w");
	if (f) {
		fputs("whsec_ZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmY=\n", f);
		fclose(f);
	}
	chmod(p, 0600);
	CHECK_INT(client("signing_key_file = otherkey\n"), 0);
	make_entry("dg_badsig");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DEAD);
	CHECK_INT(r.status, 401);
	CHECK(strstr(r.answer, "bad signature") != NULL);
	stop_sink();
}

/* Signed on a clock a day behind the sink's (a board without a real-time
 * clock before NTP set it): the sink refuses the timestamp with 401, and
 * its answer's Date shows the skew. Not a dead letter: retried, saying why,
 * and delivered once signed on the right clock. The same client a minute
 * behind (within PUSH_CLOCK_SKEW_MAX) is refused for good. */
static void test_clock_behind_retried(void)
{
	if (sink_client("clockbehind", "--tolerance 30", "") < 0)
		return;
	make_entry("dg_behind");
	CHECK_INT(push_wait(&pc, &e, time(NULL) - 86400, &r), 0);
	CHECK_INT(r.status, 401);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK(strstr(r.message, "s ahead of ours (is this clock set?)") != NULL);
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	CHECK(stored_same("dg_behind"));
	make_entry("dg_minute");
	CHECK_INT(push_wait(&pc, &e, time(NULL) - 50, &r), 0);
	CHECK_INT(r.status, 401);
	CHECK_INT(r.outcome, PUSH_DEAD);
	stop_sink();
}

/* A refusal no signature's timestamp gives (413: the body is too large)
 * stays a dead letter when the server's clock is off: retried, it would
 * come back refused forever, holding the endpoint's later digests. */
static void test_clock_behind_413_dead(void)
{
	if (sink_client("clock413", "--max-body 10", "") < 0)
		return;
	make_entry("dg_413");
	CHECK_INT(push_wait(&pc, &e, time(NULL) - 86400, &r), 0);
	CHECK_INT(r.status, 413);
	CHECK_INT(r.outcome, PUSH_DEAD);
	CHECK_STR(r.message, "HTTP 413");
	stop_sink();
}

static void test_500_then_ok(void)
{
	int64_t before;

	if (sink_client("fail500", "--mode fail500:1", "") < 0)
		return;
	make_entry("dg_500");
	before = time(NULL);
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK_INT(r.status, 500);
	/* First retry: retry_base (10 s) with jitter into [5, 10]. */
	CHECK(r.retry_at >= before + 5 && r.retry_at <= time(NULL) + 10);
	CHECK_STR(r.message, "HTTP 500");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	CHECK(stored_same("dg_500"));
	stop_sink();
}

/* Against a sink answering 429 with Retry-After: after, under the [endpoint]
 * lines extra: the next attempt is `want` seconds away. */
static void retry_after_waits(const char *name, long after, const char *extra, int64_t want)
{
	char mode[64];
	int64_t now;

	snprintf(mode, sizeof mode, "--mode ratelimit:%ld:1", after);
	if (sink_client(name, mode, extra) < 0)
		return;
	now = time(NULL);
	CHECK_INT(push_wait(&pc, &e, now, &r), 0);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK_INT(r.status, 429);
	CHECK_INT(r.retry_at, now + want);
	stop_sink();
}

static void test_429_retry_after(void)
{
	if (sink_client("ratelimit", "--mode ratelimit:7:1", "") < 0)
		return;
	make_entry("dg_429");
	CHECK_INT(push_wait(&pc, &e, time(NULL), &r), 0);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	stop_sink();
	retry_after_waits("ratelimit-7", 7, "", 7);
	/* Above retry_max it is honoured: the server knows when it can take it. */
	retry_after_waits("ratelimit-2h", 7200, "retry_max = 60s\n", 7200);
	/* Up to a day (PUSH_RETRY_AFTER_MAX), or retry_max when that is longer. */
	retry_after_waits("ratelimit-11d", 1000000, "retry_max = 60s\n", PUSH_RETRY_AFTER_MAX);
	retry_after_waits("ratelimit-11d-3d", 1000000, "retry_max = 3d\n", 3 * 86400);
}

static void test_hang_times_out(void)
{
	if (sink_client("hang", "--mode hang:1", "timeout = 2s\n") < 0)
		return;
	make_entry("dg_hang");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(r.message, "timeout after 2 s", 17) == 0);
	/* The answer that goes through is not held to the 2 s. */
	CHECK_INT(client(""), 0);
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	CHECK(stored_same("dg_hang"));
	stop_sink();
}

static void on_alarm(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* SIGTERM's flag abandons a push in flight; the entry is untouched. */
static void test_stop_flag(void)
{
	struct sigaction sa;

	if (sink_client("stop", "--mode hang:1", "timeout = 60s\n") < 0)
		return;
	make_entry("dg_stop");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	stop_flag = 0;
	alarm(2);
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_STOPPED);
	CHECK_INT(e.attempts, 0);
	/* Raised before the attempt: nothing is sent. */
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_STOPPED);
	stop_flag = 0;
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	stop_sink();
}

static void test_close_mid_request(void)
{
	if (sink_client("close", "--mode close:1", "") < 0)
		return;
	make_entry("dg_close");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(r.message, "network: ", 9) == 0 || strncmp(r.message, "TLS: ", 5) == 0);
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	CHECK(stored_same("dg_close"));
	stop_sink();
}

static void test_400_dead(void)
{
	if (sink_client("reject", "--mode reject400", "") < 0)
		return;
	make_entry("dg_400");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DEAD);
	CHECK_INT(r.status, 400);
	CHECK(r.answer_len > 0);
	CHECK_STR(r.message, "HTTP 400");
	stop_sink();
}

static void test_sink_down(void)
{
	if (sink_client("down", "", "") < 0)
		return;
	stop_sink();
	make_entry("dg_down");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(r.message, "network: ", 9) == 0);
}

static void test_unknown_ca(void)
{
	char other[300];

	/* Another sink's self-signed certificate is a CA that never signed
	 * this sink's. */
	if (sink_client("ca-other", "", NULL) < 0)
		return;
	snprintf(other, sizeof other, "%s", sink_dir);
	if (sink_client("ca", "", NULL) < 0)
		return;
	{
		char extra[400];
		snprintf(extra, sizeof extra, "ca_file = %s/tls/cert.pem\n", other);
		CHECK_INT(client(extra), 0);
	}
	make_entry("dg_ca");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK_INT(r.status, 0);
	CHECK(strncmp(r.message, "TLS: ", 5) == 0);
	stop_sink();
}

static void test_wrong_host_name(void)
{
	char args[700];

	CHECK_INT(sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
		     "-subj /CN=wrong.example -addext subjectAltName=DNS:wrong.example "
		     "-keyout '%s/wrong.key' -out '%s/wrong.pem' 2>/dev/null",
		     dir, dir),
		  0);
	snprintf(args, sizeof args, "--cert '%s/wrong.pem' --key '%s/wrong.key'", dir, dir);
	if (sink_client("wronghost", args, NULL) < 0)
		return;
	{
		char extra[400];
		snprintf(extra, sizeof extra, "ca_file = %s/wrong.pem\n", dir);
		CHECK_INT(client(extra), 0);
	}
	make_entry("dg_host");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK(strncmp(r.message, "TLS: ", 5) == 0);
	stop_sink();
}

/* "sha256//" + base64 of the SHA-256 of the certificate's public key. */
static int pin_of(const char *cert, char *out, size_t size)
{
	mbedtls_x509_crt crt;
	unsigned char der[1024], sum[32];
	size_t olen = 0;
	int n, rc = -1;

	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_file(&crt, cert) != 0)
		goto out;
	n = mbedtls_pk_write_pubkey_der(&crt.pk, der, sizeof der);
	if (n <= 0)
		goto out;
#if MBEDTLS_VERSION_MAJOR < 3
	mbedtls_sha256_ret(der + sizeof der - n, (size_t)n, sum, 0);
#else
	mbedtls_sha256(der + sizeof der - n, (size_t)n, sum, 0);
#endif
	memcpy(out, "sha256//", 8);
	if (mbedtls_base64_encode((unsigned char *)out + 8, size - 8, &olen, sum, sizeof sum) != 0)
		goto out;
	rc = 0;
out:
	mbedtls_x509_crt_free(&crt);
	return rc;
}

static void test_pinned_key(void)
{
	char cert[300], pin[100], extra[300];

	if (sink_client("pin", "", NULL) < 0)
		return;
	snprintf(cert, sizeof cert, "%s/tls/cert.pem", sink_dir);
	CHECK_INT(pin_of(cert, pin, sizeof pin), 0);
	snprintf(extra, sizeof extra, "pinned_pubkey = %s\n", pin);
	CHECK_INT(client(extra), 0);
	make_entry("dg_pin");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	/* Another key's hash: refused even though the CA is right. */
	CHECK_INT(client("pinned_pubkey = sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"), 0);
	make_entry("dg_pin2");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK(strstr(r.message, "pinned_pubkey") != NULL);
	stop_sink();
}

static void test_token(void)
{
	char args[400], p[300];
	FILE *f;

	snprintf(p, sizeof p, "%s/tokenfile", dir);
	f = fopen(p, "w");
	if (f) {
		fputs("s3cr3t-token\n", f);
		fclose(f);
	}
	chmod(p, 0600);
	snprintf(args, sizeof args, "--token '%s'", p);
	if (sink_client("token", args, "token_file = tokenfile\n") < 0)
		return;
	make_entry("dg_tok");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	CHECK_INT(client(""), 0);
	make_entry("dg_notok");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DEAD);
	CHECK_INT(r.status, 401);
	stop_sink();
}

static void test_mutual_tls(void)
{
	char args[400], extra[600];

	CHECK_INT(sh("cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		     "-nodes -days 1 -subj /CN=test-ca -keyout cca.key -out cca.pem 2>/dev/null && "
		     "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		     "-subj /CN=digestd -keyout client.key -out client.csr 2>/dev/null && "
		     "openssl x509 -req -in client.csr -CA cca.pem -CAkey cca.key -CAcreateserial "
		     "-days 1 -out client.pem 2>/dev/null",
		     dir),
		  0);
	snprintf(args, sizeof args, "--client-ca '%s/cca.pem'", dir);
	if (sink_client("mtls", args, NULL) < 0)
		return;
	snprintf(extra, sizeof extra, "client_cert = %s/client.pem\nclient_key = %s/client.key\n",
		 dir, dir);
	CHECK_INT(client(extra), 0);
	make_entry("dg_mtls");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	CHECK_INT(client(""), 0);
	make_entry("dg_nocert");
	CHECK_INT(attempt(), 0);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK_INT(r.status, 0);
	stop_sink();
}

/* push_init over a client in use would leak its curl handle. */
static int reinit(void)
{
	push_free(&pc);
	return push_init(&pc, &cfg, &cfg.endpoints[0], net);
}

/* cfg_load (CFG_RUN) checks the [endpoint] rules and the secret files; push
 * trusts the rules but opens each secret again, and a file that went
 * missing or unsafe since is refused then. */
static void test_init_refusals(void)
{
	char p[300], q[300];

	port = 1;
	/* No sink: only its CA file, which cfg_load opens. */
	snprintf(sink_dir, sizeof sink_dir, "%s/nosink", dir);
	snprintf(p, sizeof p, "%s/tls", sink_dir);
	CHECK_INT(mkdir(sink_dir, 0700), 0);
	CHECK_INT(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/tls/cert.pem", sink_dir);
	CHECK_INT(close(open(p, O_WRONLY | O_CREAT | O_EXCL, 0644)), 0);
	CHECK_INT(client("header = X-Team: news\n"), 0);
	CHECK_INT(client("signing_key_file = missing\n"), -EINVAL);
	CHECK_INT(client("token_file = missing\n"), -EINVAL);
	CHECK_INT(client("client_key = missing\nclient_cert = x.pem\n"), -EINVAL);
	snprintf(p, sizeof p, "%s/key", dir);
	snprintf(q, sizeof q, "%s/key.saved", dir);
	CHECK_INT(client(""), 0);
	CHECK_INT(rename(p, q), 0);
	CHECK_INT(reinit(), -ENOENT);
	CHECK_INT(rename(q, p), 0);
	CHECK_INT(reinit(), 0);
	CHECK_INT(chmod(p, 0640), 0);
	CHECK_INT(reinit(), -EPERM);
	CHECK_INT(chmod(p, 0600), 0);
	CHECK_INT(reinit(), 0);
	push_free(&pc);
	push_free(&pc);
}

static void test_backoff(void)
{
	struct cfg_endpoint ep;

	memset(&ep, 0, sizeof ep);
	ep.retry_base = 30;
	ep.retry_max = 3600;
	CHECK_INT(push_backoff(&ep, 1, 0), 15);
	CHECK_INT(push_backoff(&ep, 1, 15), 30);
	CHECK_INT(push_backoff(&ep, 1, 16), 15);
	CHECK_INT(push_backoff(&ep, 2, 30), 60);
	CHECK_INT(push_backoff(&ep, 3, 0), 60);
	CHECK_INT(push_backoff(&ep, 8, 1800), 3600);
	CHECK_INT(push_backoff(&ep, 1000000, 0), 1800);
	for (uint32_t rnd = 0; rnd < 2000; rnd += 7) {
		int64_t d = push_backoff(&ep, 4, rnd * 2654435761u);
		CHECK(d >= 120 && d <= 240);
	}
	ep.retry_base = 1;
	ep.retry_max = 1;
	CHECK_INT(push_backoff(&ep, 5, 12345), 1);
	/* Never 0 s: an odd delay's half is rounded up. */
	CHECK_INT(push_backoff(&ep, 1, 0), 1);
	ep.retry_max = 3;
	CHECK_INT(push_backoff(&ep, 3, 0), 2);
}

/* A fake of a service (tests/cli/fake_service.py) on the certificate of the
 * last sink started, answering its first `limit` requests with its rate
 * limit; its log in dir/fake-KIND/log. */
static int start_fake(const char *kind, const char *token, int limit)
{
	char ready[300], cmd[2048], tls[300];

	snprintf(tls, sizeof tls, "%s/kinds/tls", dir);
	server_dir("fake-", kind, ready, sizeof ready);
	snprintf(cmd, sizeof cmd,
		 "exec python3 tests/cli/fake_service.py --kind %s --cert '%s/cert.pem' --key "
		 "'%s/key.pem' --ready '%s' --log '%s/log' --token '%s' --limit %d 2>'%s/err'",
		 kind, tls, tls, ready, sink_dir, token, limit, sink_dir);
	return spawn(cmd, ready, kind, cmd);
}

/* A private secret file dir/NAME holding text. */
static void secret(const char *name, const char *text)
{
	char p[300];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	chmod(p, 0600);
}

/* An endpoint of another kind for the running fake: loaded without CFG_RUN
 * (check-config refuses the kinds whose messages are not composed yet),
 * its push client made as `run` makes it. */
static int kind_client(const char *lines)
{
	char ini[2048];
	struct cfg_error err;
	int n, rc;

	push_free(&pc);
	n = snprintf(ini, sizeof ini, "[endpoint k]\n%sca_file = %s/kinds/tls/cert.pem\n"
		     "timeout = 30s\nretry_base = 100s\nretry_max = 1h\n", lines, dir);
	rc = cfg_load_buffer(ini, (size_t)n, "test.ini", dir, 0, &cfg, &err);
	if (rc < 0) {
		printf("  config: %s\n", err.msg[0]);
		return rc;
	}
	return push_init(&pc, &cfg, &cfg.endpoints[0], net);
}

/* entry e with body text (as the kind's renderer would give it). */
static void kind_entry(const char *body)
{
	memset(&e, 0, offsetof(struct outbox_entry, body));
	snprintf(e.name, sizeof e.name, "00000000000000000001-dg_kind.digest");
	snprintf(e.id, sizeof e.id, "dg_kind");
	e.format = CFG_FORMAT_JSON;
	e.len = strlen(body);
	memcpy(e.body, body, e.len);
}

/* One kind: a rate-limited first attempt retried when the service says
 * (want_wait seconds; 0: the backoff's), then delivered, the fake's log
 * holding want (the request it checked). */
static void kind_round(const char *kind, const char *lines, const char *body, int64_t want_wait,
		       const char *want)
{
	char log[300];
	int64_t now;

	if (kind_client(lines) < 0) {
		check_current_failed = 1;
		return;
	}
	kind_entry(body);
	now = time(NULL);
	CHECK_INT(push_wait(&pc, &e, now, &r), 0);
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK_INT(r.status, 429);
	if (want_wait)
		CHECK_INT(r.retry_at - now, want_wait);
	else
		CHECK(r.retry_at - now >= 50 && r.retry_at - now <= 100);
	CHECK_INT(push_wait(&pc, &e, time(NULL), &r), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	snprintf(log, sizeof log, "%s/log", sink_dir);
	if (!file_has(log, want)) {
		printf("  %s: no '%s' in the fake's log\n", kind, want);
		check_current_failed = 1;
	}
}

/* Each kind's request against a fake of its service: method, path, token
 * where the service wants it, headers; its rate-limit answer honoured
 * (Telegram's parameters.retry_after, Discord's Retry-After, Matrix's
 * retry_after_ms, Slack's Retry-After); a refusal is a dead letter. */
static void test_kinds(void)
{
	static char big[2200];
	char lines[1024], log[300];

	/* The fakes use this sink's self-signed certificate. */
	if (sink_client("kinds", "", NULL) < 0)
		return;
	stop_sink();
	secret("tg-token", "123456:ABC-tg\n");
	if (start_fake("telegram", "123456:ABC-tg", 1) == 0) {
		snprintf(lines, sizeof lines, "kind = telegram\nchat_id = 42\ntoken_file = tg-token\n"
			 "url = https://localhost:%d\n", port);
		kind_round("telegram", lines, "{\"chat_id\":42,\"text\":\"hi\",\"parse_mode\":\"HTML\"}",
			   3, "\"path\": \"/bot***/sendMessage\", \"status\": 200");
		/* A group made a supergroup: 400, a dead letter whose line names
		 * the new chat id (the log's excerpt of the answer ends before it). */
		kind_entry("{\"chat_id\":-4242,\"text\":\"hi\",\"parse_mode\":\"HTML\"}");
		CHECK_INT(push_wait(&pc, &e, time(NULL), &r), 0);
		CHECK_INT(r.outcome, PUSH_DEAD);
		CHECK_INT(r.status, 400);
		CHECK_STR(r.message, "HTTP 400 (the group became a supergroup: set [endpoint k] "
				     "chat_id = -1004242)");
		/* Another bot token: 401, a dead letter. */
		secret("tg-token", "999:wrong\n");
		CHECK_INT(kind_client(lines), 0);
		CHECK_INT(push_wait(&pc, &e, time(NULL), &r), 0);
		CHECK_INT(r.outcome, PUSH_DEAD);
		CHECK_INT(r.status, 401);
	} else {
		check_current_failed = 1;
	}
	secret("mx-token", "syt_matrix\n");
	if (start_fake("matrix", "syt_matrix", 1) == 0) {
		snprintf(lines, sizeof lines, "kind = matrix\nroom = !r00m:example.org\n"
			 "token_file = mx-token\nurl = https://localhost:%d/\n", port);
		kind_round("matrix", lines, "{\"msgtype\":\"m.text\",\"body\":\"hi\"}", 3,
			   "\\\"room\\\": \\\"!r00m:example.org\\\", \\\"txn\\\": \\\"dg_kind\\\", "
			   "\\\"again\\\": false");
		/* A retry of a delivered event is the same transaction. */
		CHECK_INT(push_wait(&pc, &e, time(NULL), &r), 0);
		CHECK_INT(r.outcome, PUSH_DELIVERED);
		snprintf(log, sizeof log, "%s/log", sink_dir);
		CHECK(file_has(log, "\\\"again\\\": true"));
	} else {
		check_current_failed = 1;
	}
	if (start_fake("slack", "XXXXsecret", 1) == 0) {
		snprintf(lines, sizeof lines,
			 "https://localhost:%d/services/T000/B000/XXXXsecret\n", port);
		secret("slack-url", lines);
		kind_round("slack", "kind = slack\nurl_file = slack-url\n", "{\"text\":\"hi\"}", 7,
			   "\"method\": \"POST\", \"path\": \"/services/T000/B000/XXXXsecret\", "
			   "\"status\": 200");
	} else {
		check_current_failed = 1;
	}
	if (start_fake("discord", "tok", 1) == 0) {
		snprintf(lines, sizeof lines, "https://localhost:%d/api/webhooks/1/tok\n", port);
		secret("discord-url", lines);
		kind_round("discord", "kind = discord\nurl_file = discord-url\n",
			   "{\"content\":\"hi\"}", 5, "\"path\": \"/api/webhooks/1/tok?wait=true\", "
			   "\"status\": 200");
		/* Past Discord's 2,000 characters: refused, a dead letter. */
		memset(big, 'x', 2100);
		memcpy(big, "{\"content\":\"", 12);
		memcpy(big + 2100, "\"}", 3);
		kind_entry(big);
		CHECK_INT(push_wait(&pc, &e, time(NULL), &r), 0);
		CHECK_INT(r.outcome, PUSH_DEAD);
		CHECK_INT(r.status, 400);
	} else {
		check_current_failed = 1;
	}
	secret("ntfy-token", "tk_ntfy\n");
	if (start_fake("ntfy", "tk_ntfy", 1) == 0) {
		snprintf(lines, sizeof lines, "kind = ntfy\nurl = https://localhost:%d/news\n"
			 "token_file = ntfy-token\npriority = high\ntags = newspaper\n", port);
		/* ntfy's 429 has no Retry-After: the backoff's wait. */
		kind_round("ntfy", lines, "**hi**", 0,
			   "\\\"priority\\\": \\\"4\\\", \\\"tags\\\": \\\"newspaper\\\", "
			   "\\\"markdown\\\": \\\"yes\\\"");
	} else {
		check_current_failed = 1;
	}
	stop_sink();
}

/* The fake SMTP server (tests/cli/fake_smtp.py, Debian's aiosmtpd: the
 * system's python3, not a pyenv one) with args, on the kinds' certificate;
 * what it stores in dir/smtp-NAME/store. */
static int start_smtp(const char *name, const char *args)
{
	char ready[300], cmd[2048];

	server_dir("smtp-", name, ready, sizeof ready);
	snprintf(cmd, sizeof cmd,
		 "exec /usr/bin/python3 tests/cli/fake_smtp.py --cert '%s/kinds/tls/cert.pem' "
		 "--key '%s/kinds/tls/key.pem' --ready '%s' --store '%s/store' --user digest "
		 "--password 's3cret-app-pw' %s 2>'%s/err'",
		 dir, dir, ready, sink_dir, args, sink_dir);
	return spawn(cmd, ready, name, args);
}

/* An email endpoint for the running SMTP server at scheme://localhost, its
 * message for the make_entry digest in e. */
static int mail_client(const char *scheme, const char *host, const char *password)
{
	static const struct message_opts o = {
		.kind = MESSAGE_EMAIL, .from = "Digest <digest@example.org>",
		.to = "ann@example.org, Bob <bob@example.net>", .subject = "News of {date}",
	};
	struct message m;
	char lines[1024];

	secret("mail-pw", password);
	snprintf(lines, sizeof lines,
		 "kind = email\nurl = %s://%s:%d\nfrom = %s\nto = %s\nsubject = %s\n"
		 "username = digest\npassword_file = mail-pw\n",
		 scheme, host, port, o.from, o.to, o.subject);
	if (kind_client(lines) < 0)
		return -1;
	make_entry("dg_mail");
	if (message_render(&o, &dg, 0, e.body, sizeof e.body, &m) < 0)
		return -1;
	e.len = m.len;
	return 0;
}

/* Whether dir/smtp-NAME/store/K.EXT holds exactly the digest's rendering
 * in format f. */
static int part_is(int k, const char *ext, enum cfg_format f)
{
	static char want[DIGEST_BODY_BYTES], got[DIGEST_BODY_BYTES];
	size_t wn = 0, gn;
	char p[400];
	FILE *fp;

	if (digest_render(&dg, f, want, sizeof want, &wn) < 0)
		return 0;
	snprintf(p, sizeof p, "%s/store/%d.%s", sink_dir, k, ext);
	fp = fopen(p, "rb");
	if (!fp)
		return 0;
	gn = fread(got, 1, sizeof got, fp);
	fclose(fp);
	/* A text part's lines end in CRLF (RFC 2046, 4.1.1). */
	for (size_t i = 0, j = 0; i <= gn; i++) {
		if (i == gn) {
			gn = j;
			break;
		}
		if (!(got[i] == '\r' && i + 1 < gn && got[i + 1] == '\n'))
			got[j++] = got[i];
	}
	return gn == wn && memcmp(got, want, wn) == 0;
}

/* Whether needle is in the n bytes at p. */
static int has_bytes(const char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(p + i, needle, k) == 0)
			return 1;
	return 0;
}

static int stored_has(int k, const char *needle)
{
	char p[400];

	snprintf(p, sizeof p, "%s/store/%d.json", sink_dir, k);
	if (file_has(p, needle))
		return 1;
	printf("  no '%s' in %s\n", needle, p);
	return 0;
}

/* One attempt against a fresh server NAME started with ARGS, through
 * scheme://host logged in with password; r holds its result. Returns 0, or
 * -1 (the test failed) when the server or the client could not start. */
static int mail_round(const char *name, const char *args, const char *scheme, const char *host,
		      const char *password)
{
	if (start_smtp(name, args) < 0 || mail_client(scheme, host, password) < 0) {
		check_current_failed = 1;
		return -1;
	}
	CHECK_INT(push_wait(&pc, &e, time(NULL), &r), 0);
	return 0;
}

/* The email kind through a real SMTP server: STARTTLS and AUTH, the
 * envelope, the message parsed back as a mail client reads it, its parts
 * the digest's text and HTML renderings; implicit TLS (smtps://); a wrong
 * password and a 5xx at DATA are dead letters with the reply; 421 and 451
 * are retried with the backoff (SMTP has no Retry-After); a loopback server
 * without STARTTLS is used in the clear. */
static void test_email(void)
{
	static const char pw[] = "s3cret-app-pw\n";
	char cert[300], eml[400];
	int64_t now;

	/* test_kinds' certificate: made again at the same path, it would not be
	 * read again (libcurl caches a CA file's store by its path). */
	snprintf(cert, sizeof cert, "%s/kinds/tls/cert.pem", dir);
	if (access(cert, R_OK) != 0 && sink_client("kinds", "", NULL) < 0)
		return;
	stop_sink();
	if (mail_round("starttls", "--starttls", "smtp", "localhost", pw) < 0)
		return;
	if (r.outcome != PUSH_DELIVERED)
		printf("  %s\n", r.message);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	CHECK_INT(r.status, 250);
	CHECK(stored_has(1, "\"tls\": true"));
	CHECK(stored_has(1, "\"login\": \"digest\""));
	CHECK(stored_has(1, "\"mail_from\": \"digest@example.org\""));
	CHECK(stored_has(1, "\"ann@example.org\",\n  \"bob@example.net\""));
	CHECK(stored_has(1, "\"From\": \"Digest <digest@example.org>\""));
	CHECK(stored_has(1, "\"To\": \"ann@example.org, Bob <bob@example.net>\""));
	CHECK(stored_has(1, "\"Subject\": \"News of "));
	CHECK(stored_has(1, "\"date_ok\": true"));
	CHECK(stored_has(1, "\"Message-ID\": \"<dg_mail@"));
	CHECK(stored_has(1, "\"Content-Type\": \"multipart/alternative\""));
	CHECK(stored_has(1, "\"text/plain\": \"utf-8\""));
	CHECK(part_is(1, "text", CFG_FORMAT_TEXT));
	CHECK(part_is(1, "html", CFG_FORMAT_HTML));

	/* A wrong password: 535, a dead letter; the password never shown. */
	CHECK_INT(mail_client("smtp", "localhost", "wrong\n"), 0);
	CHECK_INT(push_wait(&pc, &e, time(NULL), &r), 0);
	CHECK_INT(r.outcome, PUSH_DEAD);
	CHECK_INT(r.status, 535);
	CHECK(!has_bytes(r.answer, r.answer_len, "wrong") && !strstr(r.message, "wrong"));

	if (mail_round("smtps", "--smtps", "smtps", "localhost", pw) < 0)
		return;
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	CHECK(stored_has(1, "\"tls\": true"));
	CHECK(part_is(1, "html", CFG_FORMAT_HTML));

	/* A transient refusal, then the same message taken. */
	for (int code = 421; code <= 451; code += 30) {
		char args[64];

		snprintf(args, sizeof args, "--starttls --fail %d --limit 1", code);
		now = time(NULL);
		if (mail_round(code == 421 ? "421" : "451", args, "smtp", "localhost", pw) < 0)
			return;
		CHECK_INT(r.outcome, PUSH_RETRY);
		CHECK_INT(r.status, code);
		CHECK(r.retry_at - now >= 50 && r.retry_at - now <= 101);
		CHECK_INT(push_wait(&pc, &e, time(NULL), &r), 0);
		CHECK_INT(r.outcome, PUSH_DELIVERED);
		CHECK(part_is(1, "text", CFG_FORMAT_TEXT));
	}

	/* A permanent refusal at DATA: dead, the reply kept for the dead letter. */
	if (mail_round("554", "--starttls --fail 554 --limit 1", "smtp", "localhost", pw) < 0)
		return;
	CHECK_INT(r.outcome, PUSH_DEAD);
	CHECK_INT(r.status, 554);
	CHECK(r.answer_len > 0 && has_bytes(r.answer, r.answer_len, "554 5.7.1"));

	/* The connection cut after the message's final '.', before the 250:
	 * the server has it, digestd cannot know, so it is sent again (SMTP
	 * has no way to ask, RFC 1047) under the same Message-ID, which mail
	 * clients show once. */
	if (mail_round("drop", "--starttls --drop 1", "smtp", "localhost", pw) < 0)
		return;
	CHECK_INT(r.outcome, PUSH_RETRY);
	CHECK_INT(r.status, 0);
	CHECK(strstr(r.message, "no reply after the whole message") != NULL);
	CHECK_INT(push_wait(&pc, &e, time(NULL), &r), 0);
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	CHECK(stored_has(1, "\"Message-ID\": \"<dg_mail@"));
	CHECK(stored_has(2, "\"Message-ID\": \"<dg_mail@"));

	/* One recipient of two refused: the message is one submission, so a
	 * dead letter for both (docs/endpoints.md), with the refusal naming the
	 * address; not the "221" of the QUIT that libcurl sends after it. */
	if (mail_round("rcpt", "--starttls --refuse bob@example.net", "smtp", "localhost", pw) <
	    0)
		return;
	CHECK_INT(r.outcome, PUSH_DEAD);
	CHECK_INT(r.status, 550);
	CHECK(has_bytes(r.answer, r.answer_len, "550 5.1.1 <bob@example.net>"));
	CHECK(!has_bytes(r.answer, r.answer_len, "221"));

	/* No STARTTLS offered: on loopback the message goes in the clear. */
	if (mail_round("plain", "", "smtp", "127.0.0.1", pw) < 0)
		return;
	CHECK_INT(r.outcome, PUSH_DELIVERED);
	CHECK(stored_has(1, "\"tls\": false"));
	/* The same server by a name that is not a loopback one to digestd
	 * (127.1, which the resolver reads as 127.0.0.1): refused, retried,
	 * with a line that says why, and nothing sent. */
	if (mail_round("clear", "", "smtp", "127.1", pw) < 0)
		return;
	CHECK_INT(r.outcome, PUSH_RETRY);
	if (!strstr(r.message, "offers no STARTTLS")) {
		printf("  %s\n", r.message);
		check_current_failed = 1;
	}
	snprintf(eml, sizeof eml, "%s/store/1.eml", sink_dir);
	CHECK(access(eml, F_OK) != 0);
	stop_sink();
}

int main(void)
{
	const char *b = getenv("BUILD"), *t = getenv("TMPDIR"), *w = getenv("TEST_WRAPPER");
	char p[300];
	FILE *f;

	signal(SIGPIPE, SIG_IGN);
	snprintf(sink_bin, sizeof sink_bin, "%s/digest-sink", b && *b ? b : "build");
	if (w)
		wrapper = w;
	snprintf(dir, sizeof dir, "%s/test_push.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	snprintf(p, sizeof p, "%s/key", dir);
	f = fopen(p, "w");
	if (!f)
		return 1;
	fputs("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", f);
	fclose(f);
	chmod(p, 0600);
	cfg_defaults(&cfg);
	if (net_open(&net, &cfg, &stop_flag) != 0) {
		printf("FAIL: net_open\n");
		return 1;
	}
	RUN(test_backoff);
	RUN(test_init_refusals);
	RUN(test_delivered);
	RUN(test_other_formats);
	RUN(test_wrong_key_refused);
	RUN(test_clock_behind_retried);
	RUN(test_clock_behind_413_dead);
	RUN(test_500_then_ok);
	RUN(test_429_retry_after);
	RUN(test_hang_times_out);
	RUN(test_stop_flag);
	RUN(test_close_mid_request);
	RUN(test_400_dead);
	RUN(test_sink_down);
	RUN(test_unknown_ca);
	RUN(test_wrong_host_name);
	RUN(test_pinned_key);
	RUN(test_token);
	RUN(test_mutual_tls);
	RUN(test_kinds);
	RUN(test_email);
	stop_sink();
	push_free(&pc);
	net_close(net);
	sh("rm -rf '%s'", dir);
	return CHECK_EXIT();
}
