/* SPDX-License-Identifier: MIT */
/* digest-sink: a loopback HTTPS receiver for digestd's signed pushes, built on
 * mbedtls. Verifies, stores each webhook-id once, misbehaves on request for
 * tests. One connection at a time; every wait is bounded; bad input never crashes it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#include "core/dec.h"
#include "core/file.h"
#include "core/log.h"
#include "push/sign.h"
#include "sink_req.h"

#define TOKEN_MAX_BYTES 4096u
#define MAX_BODY_LIMIT (1024ul * 1024ul * 1024ul)
/* Poll slice, so that SIGTERM is noticed while waiting on a client. */
#define SLICE_MS 200
/* Hang mode waits for the client to give up, but not longer than this. */
#define HANG_MAX_MS (600 * 1000)
/* After an early answer, unread request bytes are drained (bounded) so the
 * client sees the answer instead of a connection reset. */
#define DRAIN_MAX_BYTES (64ul * 1024ul * 1024ul)
#define DRAIN_IDLE_MS 1000

enum mode_kind { MODE_OK, MODE_FAIL500, MODE_RATELIMIT, MODE_HANG, MODE_CLOSE, MODE_REJECT400 };

struct opts {
	const char *port, *cert, *key, *self_signed, *signing_key, *store, *token;
	const char *client_ca, *ready_file;
	int no_verify;
	size_t max_body;
	long max_requests, exit_after_stored;
	long timeout_s, tolerance_s;
	enum mode_kind mode;
	long mode_count; /* misbehave for requests 1..mode_count; -1: always */
	long retry_after;
};

struct stats {
	long requests, stored, duplicates, rejected, misbehaved;
};

struct conn {
	mbedtls_net_context net;
	mbedtls_ssl_context ssl;
	int64_t deadline_ms; /* whole request */
	int64_t idle_ms;     /* per read */
	int stopped, timed_out;
	struct sink_req_buf rd;
};

static volatile sig_atomic_t stop_requested;
static struct opts opt;
static struct stats st;
static struct sign_key skey;
static char token[TOKEN_MAX_BYTES + 1];
static size_t token_len;
static unsigned char *body;
static int store_fd = -1;
static struct conn conn;

static const char usage[] =
	"usage: digest-sink --store DIR (--signing-key FILE | --no-verify)\n"
	"                   (--self-signed DIR | --cert FILE --key FILE) [--port N]\n"
	"                   [--mode ok|fail500[:N]|ratelimit[:SECONDS][:N]|hang[:N]|close[:N]|reject400]\n"
	"                   [--max-body BYTES[K|M]] [--max-requests N] [--exit-after-stored N]\n"
	"                   [--token FILE] [--client-ca FILE] [--ready-file FILE]\n"
	"                   [--timeout SECONDS] [--tolerance SECONDS]\n"
	"       digest-sink --sign KEYFILE ID TIMESTAMP|now BODYFILE\n";

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *tls_err(int err, char *buf, size_t size)
{
	mbedtls_strerror(err, buf, size);
	return buf;
}

/* A whole number in min..max (min >= 0): digits only. */
static int parse_long(const char *s, long min, long max, long *out)
{
	uint64_t v;

	if (dec_parse(s, strlen(s), (uint64_t)max, &v) != 0 || v < (uint64_t)min)
		return -EINVAL;
	*out = (long)v;
	return 0;
}

/* Bytes, or K or M (powers of 1024) after the digits. */
static int parse_size(const char *s, size_t *out)
{
	uint64_t v, mul = 1;
	size_t used;

	if (dec_read(s, strlen(s), MAX_BODY_LIMIT, &v, &used) != 0)
		return -EINVAL;
	s += used;
	if (*s == 'K' || *s == 'k')
		mul = 1024;
	else if (*s == 'M' || *s == 'm')
		mul = 1024 * 1024;
	if (mul != 1)
		s++;
	if (*s || v > MAX_BODY_LIMIT / mul)
		return -EINVAL;
	*out = (size_t)(v * mul);
	return 0;
}

/* ok | fail500[:N] | ratelimit[:SECONDS][:N] | hang[:N] | close[:N] | reject400 */
static int parse_mode(const char *s)
{
	static const struct {
		const char *name;
		enum mode_kind kind;
	} modes[] = {
		{ "ok", MODE_OK },	   { "fail500", MODE_FAIL500 }, { "ratelimit", MODE_RATELIMIT },
		{ "hang", MODE_HANG },	   { "close", MODE_CLOSE },	{ "reject400", MODE_REJECT400 },
	};
	char buf[64], *arg1 = NULL, *arg2 = NULL, *colon;
	size_t n = strlen(s);

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n + 1);
	colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		arg1 = colon + 1;
		colon = strchr(arg1, ':');
		if (colon) {
			*colon = '\0';
			arg2 = colon + 1;
		}
	}
	opt.mode_count = -1;
	opt.retry_after = 1;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(buf, modes[i].name) != 0)
			continue;
		opt.mode = modes[i].kind;
		switch (opt.mode) {
		case MODE_OK:
		case MODE_REJECT400:
			return arg1 ? -EINVAL : 0;
		case MODE_RATELIMIT:
			/* Up to a year: digestd caps what it honours, and the
			 * tests show it. */
			if (arg1 && parse_long(arg1, 0, 366L * 86400, &opt.retry_after) < 0)
				return -EINVAL;
			if (arg2 && parse_long(arg2, 1, LONG_MAX, &opt.mode_count) < 0)
				return -EINVAL;
			return 0;
		default:
			if (arg2)
				return -EINVAL;
			if (arg1 && parse_long(arg1, 1, LONG_MAX, &opt.mode_count) < 0)
				return -EINVAL;
			return 0;
		}
	}
	return -EINVAL;
}

/* Reads a small secret file, trailing whitespace removed; logs naming it. */
static int read_small_file(const char *what, const char *path, char *out, size_t cap, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	int rc = 0;

	if (fd < 0) {
		rc = -errno;
		log_warn("%s %s", what, path);
		return rc;
	}
	rc = file_read_full(fd, out, cap, &n);
	if (rc < 0) {
		log_warn("%s %s", what, path); /* errno is read()'s */
		goto out;
	}
	if (n == cap) {
		rc = -EFBIG;
		log_errx("%s %s: longer than %zu bytes", what, path, cap - 1);
		goto out;
	}
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' ' ||
		     out[n - 1] == '\t'))
		n--;
	out[n] = '\0';
	*len = n;
out:
	close(fd);
	return rc;
}

static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	const unsigned char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int rc = 0;

	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = -errno;
			goto out;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0)
		rc = -errno;
out:
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc;
}

/* ---- certificates ---- */

static int write_pem(const char *dir, const char *name, const unsigned char *pem, mode_t mode)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	int rc;

	if (n < 0 || (size_t)n >= sizeof(path)) {
		log_errx("--self-signed %s: path too long", dir);
		return -ENAMETOOLONG;
	}
	rc = write_file(path, pem, strlen((const char *)pem), mode);
	if (rc < 0)
		log_errx("%s: %s", path, strerror(-rc));
	return rc;
}

static void utc_stamp(time_t t, char out[16])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y%m%d%H%M%S", &tm);
}

/* A fresh P-256 key and a self-signed certificate for localhost, valid from
 * an hour ago for three days, written to DIR/cert.pem and DIR/key.pem. It is
 * marked CA so that clients can use cert.pem directly as their CA file. */
static int make_self_signed(const char *dir, mbedtls_ctr_drbg_context *drbg,
			    mbedtls_x509_crt *crt, mbedtls_pk_context *pk)
{
	/* GeneralNames: dNSName "localhost", iPAddress 127.0.0.1. mbedtls 2.28
	 * has no SAN writer, so the DER is spelled out. */
	static const unsigned char san[] = {
		0x30, 0x11, 0x82, 0x09, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't',
		0x87, 0x04, 127,  0,	0,    1,
	};
	mbedtls_x509write_cert w;
	mbedtls_mpi serial;
	unsigned char pem[4096], serial_bytes[16];
	char not_before[16], not_after[16], msg[128];
	time_t now = time(NULL);
	int ret = 0, rc = -EIO;

	mbedtls_x509write_crt_init(&w);
	mbedtls_mpi_init(&serial);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		rc = -errno;
		log_warn("--self-signed %s", dir);
		goto out;
	}
	ret = mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (ret == 0)
		ret = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk),
					  mbedtls_ctr_drbg_random, drbg);
	if (ret == 0)
		ret = mbedtls_ctr_drbg_random(drbg, serial_bytes, sizeof(serial_bytes));
	if (ret != 0)
		goto out;
	serial_bytes[0] &= 0x7f; /* a positive serial number */
	serial_bytes[0] |= 0x01;
	ret = mbedtls_mpi_read_binary(&serial, serial_bytes, sizeof(serial_bytes));
	utc_stamp(now - 3600, not_before);
	utc_stamp(now + 3 * 86400, not_after);
	mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&w, pk);
	mbedtls_x509write_crt_set_issuer_key(&w, pk);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_serial(&w, &serial);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_subject_name(&w, "CN=localhost");
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_issuer_name(&w, "CN=localhost");
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_validity(&w, not_before, not_after);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_basic_constraints(&w, 1, 0);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_key_usage(
			&w, MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_CERT_SIGN);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_subject_key_identifier(&w);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_authority_key_identifier(&w);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_extension(
			&w, MBEDTLS_OID_SUBJECT_ALT_NAME, MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME),
			0, san, sizeof(san));
	if (ret == 0)
		ret = mbedtls_pk_write_key_pem(pk, pem, sizeof(pem));
	if (ret != 0)
		goto out;
	rc = write_pem(dir, "key.pem", pem, 0600);
	mbedtls_platform_zeroize(pem, sizeof(pem));
	if (rc < 0)
		goto out;
	ret = mbedtls_x509write_crt_pem(&w, pem, sizeof(pem), mbedtls_ctr_drbg_random, drbg);
	if (ret == 0)
		ret = mbedtls_x509_crt_parse(crt, pem, strlen((const char *)pem) + 1);
	if (ret != 0)
		goto out;
	rc = write_pem(dir, "cert.pem", pem, 0644);
out:
	if (ret != 0) {
		log_errx("--self-signed %s: %s", dir, tls_err(ret, msg, sizeof(msg)));
		rc = -EIO;
	}
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&w);
	return rc;
}

static int load_cert(mbedtls_x509_crt *crt, mbedtls_pk_context *pk)
{
	char msg[128];
	int ret = mbedtls_x509_crt_parse_file(crt, opt.cert);

	if (ret != 0) {
		log_errx("--cert %s: %s", opt.cert, tls_err(ret, msg, sizeof(msg)));
		return -EINVAL;
	}
#if MBEDTLS_VERSION_MAJOR < 3
	ret = mbedtls_pk_parse_keyfile(pk, opt.key, NULL);
#else
	ret = mbedtls_pk_parse_keyfile(pk, opt.key, NULL, mbedtls_ctr_drbg_random, NULL);
#endif
	if (ret != 0) {
		log_errx("--key %s: %s", opt.key, tls_err(ret, msg, sizeof(msg)));
		return -EINVAL;
	}
	return 0;
}

/* ---- connection I/O ---- */

/* mbedtls receive callback: waits in short slices so that a stop request,
 * the per-read idle limit and the whole-request deadline all apply. */
static int bio_recv(void *ctx, unsigned char *buf, size_t len, uint32_t timeout_ms)
{
	struct conn *c = ctx;
	int64_t idle_end = mono_ms() + c->idle_ms;

	(void)timeout_ms;
	for (;;) {
		struct pollfd pfd = { .fd = c->net.fd, .events = POLLIN };
		int64_t now = mono_ms(), end = idle_end < c->deadline_ms ? idle_end : c->deadline_ms;
		int64_t wait = end - now;
		int n;

		if (stop_requested) {
			c->stopped = 1;
			return MBEDTLS_ERR_SSL_TIMEOUT;
		}
		if (wait <= 0) {
			c->timed_out = 1;
			return MBEDTLS_ERR_SSL_TIMEOUT;
		}
		n = poll(&pfd, 1, (int)(wait < SLICE_MS ? wait : SLICE_MS));
		if (n < 0 && errno != EINTR)
			return MBEDTLS_ERR_NET_RECV_FAILED;
		if (n > 0)
			return mbedtls_net_recv(&c->net, buf, len);
	}
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct conn *c = ctx;

	return mbedtls_net_send(&c->net, buf, len);
}

/* Returns bytes read, 0 at end of stream, or -ETIMEDOUT, -ECANCELED (stop
 * requested), -EIO. */
static int tls_read(struct conn *c, unsigned char *buf, size_t len)
{
	for (;;) {
		int r = mbedtls_ssl_read(&c->ssl, buf, len);

		if (r > 0)
			return r;
		if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || r == MBEDTLS_ERR_NET_CONN_RESET)
			return 0;
		if (c->stopped)
			return -ECANCELED;
		if (r == MBEDTLS_ERR_SSL_TIMEOUT)
			return -ETIMEDOUT;
		return -EIO;
	}
}

/* The request reader's fill function (sink_req_fill_fn) over TLS. */
static int tls_fill(void *ctx, unsigned char *buf, size_t cap)
{
	return tls_read(ctx, buf, cap);
}

static int tls_write(struct conn *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len) {
		int r = mbedtls_ssl_write(&c->ssl, p, len);

		if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (r <= 0)
			return -EIO;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Ends a connection whose request was not read to the end: close_notify
 * and FIN after the answer, then what the client still sends is discarded
 * unread, so that it sees the answer rather than a connection reset.
 * Bounded in bytes and time. */
static void close_early(struct conn *c)
{
	unsigned char tmp[4096];
	unsigned long total = 0;
	int64_t idle_end = mono_ms() + DRAIN_IDLE_MS;

	mbedtls_ssl_close_notify(&c->ssl);
	shutdown(c->net.fd, SHUT_WR);
	while (total < DRAIN_MAX_BYTES && !stop_requested) {
		struct pollfd pfd = { .fd = c->net.fd, .events = POLLIN };
		int64_t wait = idle_end - mono_ms();
		ssize_t r;
		int n;

		if (wait <= 0)
			break;
		n = poll(&pfd, 1, (int)(wait < SLICE_MS ? wait : SLICE_MS));
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		r = recv(c->net.fd, tmp, sizeof(tmp), 0);
		if (r <= 0)
			break;
		total += (unsigned long)r;
		idle_end = mono_ms() + DRAIN_IDLE_MS;
	}
}

static const char *status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	default: return "Status";
	}
}

/* Sends a complete answer with a short text body; the connection is closed
 * afterwards, so every answer says so. It carries the sink's clock in Date,
 * as HTTP servers do (RFC 9110, 6.6.1), by which digestd tells a refusal of
 * its signature's timestamp from one of its key. Errors are ignored: the
 * client may already be gone, and nothing else depends on the answer. */
static void respond(struct conn *c, int status, const char *extra, const char *text)
{
	char head[512], date[40] = "";
	size_t tlen = strlen(text);
	time_t now = time(NULL);
	struct tm tm;
	int n;

	if (gmtime_r(&now, &tm))
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
		     "Content-Length: %zu\r\nDate: %s\r\nConnection: close\r\n%s\r\n",
		     status, status_text(status), tlen, date, extra ? extra : "");

	if (n < 0 || (size_t)n >= sizeof(head))
		return;
	if (tls_write(c, head, (size_t)n) == 0)
		tls_write(c, text, tlen);
}

/* ---- JSON: count the elements of the top-level "articles" array ---- */

struct jcur {
	const unsigned char *p, *end;
};

static void j_ws(struct jcur *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* Skips a string; on success s and n give the raw bytes between the quotes. */
static int j_string(struct jcur *j, const unsigned char **s, size_t *n)
{
	const unsigned char *start;

	if (j->p >= j->end || *j->p != '"')
		return -1;
	start = ++j->p;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p == '\\') {
			if (j->end - j->p < 2)
				return -1;
			j->p++;
		}
		j->p++;
	}
	if (j->p >= j->end)
		return -1;
	*s = start;
	*n = (size_t)(j->p - start);
	j->p++;
	return 0;
}

static int j_skip(struct jcur *j, int depth)
{
	const unsigned char *s;
	size_t n;

	j_ws(j);
	if (j->p >= j->end || depth > 64)
		return -1;
	if (*j->p == '"')
		return j_string(j, &s, &n);
	if (*j->p == '{' || *j->p == '[') {
		unsigned char close = *j->p == '{' ? '}' : ']';
		int obj = close == '}';

		j->p++;
		j_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		for (;;) {
			if (obj) {
				j_ws(j);
				if (j_string(j, &s, &n) < 0)
					return -1;
				j_ws(j);
				if (j->p >= j->end || *j->p != ':')
					return -1;
				j->p++;
			}
			if (j_skip(j, depth + 1) < 0)
				return -1;
			j_ws(j);
			if (j->p >= j->end)
				return -1;
			if (*j->p == close) {
				j->p++;
				return 0;
			}
			if (*j->p != ',')
				return -1;
			j->p++;
		}
	}
	s = j->p;
	while (j->p < j->end && *j->p && strchr("+-.0123456789eEtruefalsn", *j->p))
		j->p++;
	return j->p > s ? 0 : -1;
}

/* Returns the number of elements of the top-level "articles" array, or -1
 * when the body is not a JSON object with one. */
static long count_articles(const unsigned char *p, size_t len)
{
	struct jcur j = { p, p + len };
	long count = -1;

	j_ws(&j);
	if (j.p >= j.end || *j.p != '{')
		return -1;
	j.p++;
	for (;;) {
		const unsigned char *k;
		size_t kn;

		j_ws(&j);
		if (j.p < j.end && *j.p == '}')
			return count;
		if (j_string(&j, &k, &kn) < 0)
			return -1;
		j_ws(&j);
		if (j.p >= j.end || *j.p != ':')
			return -1;
		j.p++;
		j_ws(&j);
		if (kn == 8 && memcmp(k, "articles", 8) == 0 && j.p < j.end && *j.p == '[') {
			count = 0;
			j.p++;
			j_ws(&j);
			if (j.p < j.end && *j.p == ']') {
				j.p++;
			} else {
				for (;;) {
					if (j_skip(&j, 1) < 0)
						return -1;
					count++;
					j_ws(&j);
					if (j.p < j.end && *j.p == ']') {
						j.p++;
						break;
					}
					if (j.p >= j.end || *j.p != ',')
						return -1;
					j.p++;
				}
			}
		} else if (j_skip(&j, 1) < 0) {
			return -1;
		}
		j_ws(&j);
		if (j.p < j.end && *j.p == ',') {
			j.p++;
			continue;
		}
		if (j.p < j.end && *j.p == '}')
			return count;
		return -1;
	}
}

/* ---- storage ---- */

/* Stores the body as <name>.json once, as digestd replaces its state files
 * (file_replace_at). Returns 0 (stored), 1 (already there) or a negative
 * errno. */
static int store_body(const char *name, const unsigned char *p, size_t len)
{
	char final[SINK_REQ_ID_NAME_BYTES + 8], tmp[SINK_REQ_ID_NAME_BYTES + 16];
	struct stat sb;

	snprintf(final, sizeof(final), "%s.json", name);
	snprintf(tmp, sizeof(tmp), ".%s.json.tmp", name);
	if (fstatat(store_fd, final, &sb, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	if (errno != ENOENT)
		return -errno;
	return file_replace_at(store_fd, final, tmp, p, len, NULL, 0);
}

/* ---- one request ---- */

static int token_ok(const struct sink_req *r)
{
	const char *v = r->auth;
	size_t n;
	volatile unsigned char diff = 0;

	if (!r->has_auth || strncasecmp(v, "Bearer ", 7) != 0)
		return 0;
	v += 7;
	while (*v == ' ')
		v++;
	n = strlen(v);
	if (n != token_len)
		return 0;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(v[i] ^ token[i]);
	return diff == 0;
}

static int mode_applies(enum mode_kind kind, long req_no)
{
	return opt.mode == kind && (opt.mode_count < 0 || req_no <= opt.mode_count);
}

static void reject(struct conn *c, const char *eid, int status, const char *reason,
		   const char *extra)
{
	char text[256];

	st.rejected++;
	printf("rejected id=%s status=%d: %s\n", eid, status, reason);
	snprintf(text, sizeof(text), "%d %s\n", status, reason);
	respond(c, status, extra, text);
}

static const char *io_reason(int rc)
{
	switch (rc) {
	case -EPIPE: return "client closed the connection mid-request";
	case -ETIMEDOUT: return "timed out reading the request";
	case -ECANCELED: return "sink stopping";
	default: return "connection error";
	}
}

/* Waits until the client gives up (closes), the sink is stopped, or
 * HANG_MAX_MS pass, reading and discarding anything sent meanwhile. */
static void hang(struct conn *c, const char *eid, long req_no)
{
	unsigned char tmp[1024];
	const char *how = "client gave up";

	printf("misbehaved id=%s request=%ld mode=hang: holding the answer\n", eid, req_no);
	c->idle_ms = HANG_MAX_MS;
	c->deadline_ms = mono_ms() + HANG_MAX_MS;
	for (;;) {
		int r = tls_read(c, tmp, sizeof(tmp));

		if (r > 0)
			continue;
		if (r == -ECANCELED)
			how = "sink stopping";
		else if (r == -ETIMEDOUT)
			how = "hang limit reached";
		break;
	}
	st.misbehaved++;
	printf("hang over id=%s request=%ld: %s\n", eid, req_no, how);
}

static void handle_request(struct conn *c)
{
	static char head[SINK_REQ_HEAD_BYTES + 1];
	static struct sink_req r;
	char eid[SINK_REQ_ID_NAME_BYTES], text[SINK_REQ_ID_NAME_BYTES + 32], extra[64];
	const char *why = "";
	size_t got = 0, hlen = 0;
	long req_no, articles;
	int rc, complete = 0;

	rc = sink_req_head(&c->rd, head, sizeof(head), &hlen);
	if (rc < 0) {
		if (c->rd.len > 0)
			printf("dropped connection: %s\n", io_reason(rc));
		mbedtls_net_free(&c->net);
		return;
	}
	req_no = ++st.requests;
	if (rc != 0)
		why = "request head too large";
	else
		rc = sink_req_parse_head(head, hlen, &r, &why);
	if (rc != 0) {
		reject(c, "-", rc, why, NULL);
		goto out;
	}
	if (r.has_id)
		sink_req_escape_id(r.id, eid, sizeof(eid));
	else
		memcpy(eid, "-", 2);
	if (strcmp(r.method, "POST") != 0) {
		reject(c, eid, 405, "only POST is accepted", "Allow: POST\r\n");
		goto out;
	}
	if (!r.has_cl && !r.chunked) {
		reject(c, eid, 411, "Content-Length or chunked body required", NULL);
		goto out;
	}
	if (mode_applies(MODE_CLOSE, req_no)) {
		size_t half = r.has_cl ? (size_t)(r.content_length / 2) : 0;
		size_t have = c->rd.len - c->rd.pos;

		if (half > opt.max_body)
			half = opt.max_body;
		rc = sink_req_body(&c->rd, NULL, half);
		st.misbehaved++;
		printf("misbehaved id=%s request=%ld mode=close: closed after %zu body bytes%s\n",
		       eid, req_no, half > have ? half : have, rc < 0 ? " (client left first)" : "");
		/* no close_notify: the point is an abrupt end */
		mbedtls_net_free(&c->net);
		return;
	}
	if (r.has_cl && r.content_length > opt.max_body) {
		reject(c, eid, 413, "body larger than --max-body", NULL);
		goto out;
	}
	if (r.expect_continue) {
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

		if (tls_write(c, cont, sizeof(cont) - 1) < 0)
			goto out;
	}
	if (r.chunked) {
		rc = sink_req_chunked(&c->rd, body, opt.max_body, &got, &why);
	} else {
		got = (size_t)r.content_length;
		rc = sink_req_body(&c->rd, body, got);
	}
	if (rc > 0) {
		reject(c, eid, rc, why, NULL);
		goto out;
	}
	if (rc < 0) {
		printf("rejected id=%s status=-: %s\n", eid, io_reason(rc));
		st.rejected++;
		if (rc == -ETIMEDOUT)
			respond(c, 408, NULL, "408 request timed out\n");
		goto out;
	}
	complete = 1;
	if (opt.mode == MODE_REJECT400) {
		st.misbehaved++;
		printf("misbehaved id=%s request=%ld mode=reject400 status=400\n", eid, req_no);
		respond(c, 400, NULL, "400 rejected (--mode reject400)\n");
		goto out;
	}
	if (mode_applies(MODE_FAIL500, req_no)) {
		st.misbehaved++;
		printf("misbehaved id=%s request=%ld mode=fail500 status=500\n", eid, req_no);
		respond(c, 500, NULL, "500 failing on purpose (--mode fail500)\n");
		goto out;
	}
	if (mode_applies(MODE_RATELIMIT, req_no)) {
		st.misbehaved++;
		printf("misbehaved id=%s request=%ld mode=ratelimit status=429 retry-after=%ld\n",
		       eid, req_no, opt.retry_after);
		snprintf(extra, sizeof(extra), "Retry-After: %ld\r\n", opt.retry_after);
		respond(c, 429, extra, "429 slow down (--mode ratelimit)\n");
		goto out;
	}
	if (mode_applies(MODE_HANG, req_no)) {
		hang(c, eid, req_no);
		goto out;
	}
	if (token_len && !token_ok(&r)) {
		reject(c, eid, 401, r.has_auth ? "wrong bearer token" : "missing bearer token",
		       "WWW-Authenticate: Bearer\r\n");
		goto out;
	}
	if (!r.has_id || !r.id[0]) {
		reject(c, eid, 400, "missing webhook-id header", NULL);
		goto out;
	}
	if (!opt.no_verify) {
		if (!r.has_ts || !r.has_sig) {
			reject(c, eid, 400,
			       !r.has_ts ? "missing webhook-timestamp header"
					 : "missing webhook-signature header",
			       NULL);
			goto out;
		}
		rc = sign_verify(&skey, r.id, r.ts, body, got, r.sig, (int64_t)time(NULL),
				 opt.tolerance_s);
		if (rc == -EPERM) {
			reject(c, eid, 401, "bad signature", NULL);
			goto out;
		}
		if (rc == -ERANGE) {
			reject(c, eid, 401, "timestamp outside the window", NULL);
			goto out;
		}
		if (rc < 0) {
			reject(c, eid, 400, "malformed webhook-timestamp or webhook-signature", NULL);
			goto out;
		}
	}
	rc = store_body(eid, body, got);
	if (rc < 0) {
		char reason[128];

		snprintf(reason, sizeof(reason), "cannot store: %s", strerror(-rc));
		reject(c, eid, 500, reason, NULL);
		goto out;
	}
	if (rc == 1) {
		st.duplicates++;
		printf("duplicate id=%s bytes=%zu status=200\n", eid, got);
		snprintf(text, sizeof(text), "duplicate %s\n", eid);
	} else {
		st.stored++;
		articles = count_articles(body, got);
		if (articles < 0)
			printf("received id=%s bytes=%zu articles=? status=200\n", eid, got);
		else
			printf("received id=%s bytes=%zu articles=%ld status=200\n", eid, got,
			       articles);
		snprintf(text, sizeof(text), "stored %s\n", eid);
	}
	respond(c, 200, NULL, text);
out:
	if (complete)
		mbedtls_ssl_close_notify(&c->ssl);
	else
		close_early(c);
	mbedtls_net_free(&c->net);
}

static void serve_one(mbedtls_net_context *listen_ctx)
{
	struct conn *c = &conn;
	struct timeval tv = { .tv_sec = opt.timeout_s, .tv_usec = 0 };
	char msg[128];
	int ret;

	mbedtls_net_init(&c->net);
	ret = mbedtls_net_accept(listen_ctx, &c->net, NULL, 0, NULL);
	if (ret != 0)
		return;
	/* mbedtls_net_send blocks; a client that stops reading must not
	 * hold the sink forever. */
	setsockopt(c->net.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c->stopped = 0;
	c->timed_out = 0;
	sink_req_buf_init(&c->rd, tls_fill, c);
	c->idle_ms = opt.timeout_s * 1000;
	c->deadline_ms = mono_ms() + opt.timeout_s * 6000;
	mbedtls_ssl_session_reset(&c->ssl);
	mbedtls_ssl_set_bio(&c->ssl, c, bio_send, NULL, bio_recv);
	for (;;) {
		ret = mbedtls_ssl_handshake(&c->ssl);
		if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE)
			break;
	}
	if (ret != 0) {
		if (!c->stopped)
			printf("dropped connection: TLS handshake: %s\n",
			       tls_err(ret, msg, sizeof(msg)));
		mbedtls_net_free(&c->net);
		return;
	}
	handle_request(c);
}

/* ---- start-up ---- */

static int need_arg(int argc, char **argv, int i)
{
	if (i + 1 >= argc) {
		log_errx("%s needs a value", argv[i]);
		return 0;
	}
	return 1;
}

static int parse_args(int argc, char **argv)
{
	opt.port = "8443";
	opt.max_body = 4u * 1024u * 1024u;
	opt.timeout_s = 10;
	opt.tolerance_s = 300;
	opt.mode_count = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char **sval = NULL;

		if (strcmp(a, "--no-verify") == 0) {
			opt.no_verify = 1;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			exit(0);
		}
		if (strcmp(a, "--port") == 0)
			sval = &opt.port;
		else if (strcmp(a, "--cert") == 0)
			sval = &opt.cert;
		else if (strcmp(a, "--key") == 0)
			sval = &opt.key;
		else if (strcmp(a, "--self-signed") == 0)
			sval = &opt.self_signed;
		else if (strcmp(a, "--signing-key") == 0)
			sval = &opt.signing_key;
		else if (strcmp(a, "--store") == 0)
			sval = &opt.store;
		else if (strcmp(a, "--token") == 0)
			sval = &opt.token;
		else if (strcmp(a, "--client-ca") == 0)
			sval = &opt.client_ca;
		else if (strcmp(a, "--ready-file") == 0)
			sval = &opt.ready_file;
		if (sval) {
			if (!need_arg(argc, argv, i))
				return -EINVAL;
			*sval = v;
			i++;
			continue;
		}
		if (!need_arg(argc, argv, i)) {
			if (strncmp(a, "--", 2) != 0)
				log_errx("unexpected argument '%s'", a);
			return -EINVAL;
		}
		i++;
		if (strcmp(a, "--mode") == 0) {
			if (parse_mode(v) < 0) {
				log_errx("--mode: bad value '%s'", v);
				return -EINVAL;
			}
		} else if (strcmp(a, "--max-body") == 0) {
			if (parse_size(v, &opt.max_body) < 0) {
				log_errx("--max-body: bad size '%s' (at most 1024M)", v);
				return -EINVAL;
			}
		} else if (strcmp(a, "--max-requests") == 0) {
			if (parse_long(v, 1, LONG_MAX, &opt.max_requests) < 0) {
				log_errx("%s: bad count '%s'", a, v);
				return -EINVAL;
			}
		} else if (strcmp(a, "--exit-after-stored") == 0) {
			if (parse_long(v, 1, LONG_MAX, &opt.exit_after_stored) < 0) {
				log_errx("%s: bad count '%s'", a, v);
				return -EINVAL;
			}
		} else if (strcmp(a, "--timeout") == 0) {
			if (parse_long(v, 1, 3600, &opt.timeout_s) < 0) {
				log_errx("%s: bad number of seconds '%s'", a, v);
				return -EINVAL;
			}
		} else if (strcmp(a, "--tolerance") == 0) {
			if (parse_long(v, 0, 86400, &opt.tolerance_s) < 0) {
				log_errx("%s: bad number of seconds '%s'", a, v);
				return -EINVAL;
			}
		} else {
			log_errx("unknown option '%s'", a);
			return -EINVAL;
		}
	}
	if (parse_long(opt.port, 0, 65535, &(long){ 0 }) < 0) {
		log_errx("--port: bad port '%s'", opt.port);
		return -EINVAL;
	}
	if (!opt.store) {
		log_errx("--store DIR is required");
		return -EINVAL;
	}
	if (!opt.signing_key && !opt.no_verify) {
		log_errx("--signing-key FILE is required (or --no-verify)");
		return -EINVAL;
	}
	if (!opt.self_signed == !(opt.cert && opt.key) || (!opt.cert != !opt.key)) {
		log_errx("give either --self-signed DIR or both --cert FILE and --key FILE");
		return -EINVAL;
	}
	return 0;
}

static int write_ready_file(unsigned port)
{
	char tmp[PATH_MAX], text[16];
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp", opt.ready_file);
	int rc;

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	n = snprintf(text, sizeof(text), "%u\n", port);
	rc = write_file(tmp, text, (size_t)n, 0644);
	if (rc == 0 && rename(tmp, opt.ready_file) < 0)
		rc = -errno;
	return rc;
}

/* digest-sink --sign KEYFILE ID TS BODYFILE: prints the webhook-signature
 * value, so that tests and people can sign by hand. */
static int sign_main(int argc, char **argv)
{
	struct sign_key k;
	char out[SIGN_HEADER_BYTES];
	unsigned char *buf = NULL;
	struct stat sb;
	long ts;
	size_t len = 0;
	int fd = -1, rc = EX_DATAERR;

	if (argc != 6) {
		fputs(usage, stderr);
		return EX_USAGE;
	}
	if (strcmp(argv[4], "now") == 0) {
		ts = (long)time(NULL);
	} else if (parse_long(argv[4], 0, LONG_MAX, &ts) < 0) {
		log_errx("--sign: bad timestamp '%s'", argv[4]);
		return EX_USAGE;
	}
	if (sign_key_load(argv[2], &k) < 0)
		return EX_CONFIG;
	fd = open(argv[5], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		log_warn("%s", argv[5]);
		rc = EX_NOINPUT;
		goto out;
	}
	/* A pipe or a device has no size to read up to: its body would be
	 * signed as empty. */
	if (!S_ISREG(sb.st_mode)) {
		log_errx("%s: not a regular file", argv[5]);
		rc = EX_NOINPUT;
		goto out;
	}
	if (sb.st_size < 0 || (unsigned long long)sb.st_size > MAX_BODY_LIMIT) {
		log_errx("%s: larger than %lu bytes", argv[5], MAX_BODY_LIMIT);
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		rc = EX_OSERR;
		goto out;
	}
	/* One byte more than its size: a file that changes while read is
	 * refused, never signed in part. */
	if (file_read_full(fd, buf, (size_t)sb.st_size + 1, &len) < 0) {
		log_warn("%s", argv[5]);
		rc = EX_IOERR;
		goto out;
	}
	if (len != (size_t)sb.st_size) {
		log_errx("%s: changed while being read", argv[5]);
		goto out;
	}
	if (sign_webhook(&k, argv[3], ts, buf, len, out, sizeof(out)) < 0) {
		log_errx("--sign: cannot sign (empty id?)");
		goto out;
	}
	printf("%s\n", out);
	rc = 0;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	sign_key_clear(&k);
	return rc;
}

int main(int argc, char **argv)
{
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt crt, client_ca;
	mbedtls_pk_context pk;
	mbedtls_net_context listen_ctx;
	struct sigaction sa;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	char msg[128];
	int ret, rc = EX_SOFTWARE;

	log_init(LOG_LVL_INFO, "digest-sink");
	if (argc >= 2 && strcmp(argv[1], "--sign") == 0)
		return sign_main(argc, argv);
	if (parse_args(argc, argv) < 0) {
		fputs(usage, stderr);
		return EX_USAGE;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_ssl_config_init(&conf);
	mbedtls_x509_crt_init(&crt);
	mbedtls_x509_crt_init(&client_ca);
	mbedtls_pk_init(&pk);
	mbedtls_net_init(&listen_ctx);
	mbedtls_ssl_init(&conn.ssl);

	if (opt.signing_key && sign_key_load(opt.signing_key, &skey) < 0) {
		rc = EX_CONFIG;
		goto out;
	}
	if (opt.token) {
		if (read_small_file("--token", opt.token, token, sizeof(token), &token_len) < 0) {
			rc = EX_CONFIG;
			goto out;
		}
		if (token_len == 0) {
			log_errx("--token %s: empty", opt.token);
			rc = EX_CONFIG;
			goto out;
		}
	}
	if (mkdir(opt.store, 0755) < 0 && errno != EEXIST) {
		log_warn("--store %s", opt.store);
		rc = EX_CANTCREAT;
		goto out;
	}
	store_fd = open(opt.store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (store_fd < 0) {
		log_warn("--store %s", opt.store);
		rc = EX_CANTCREAT;
		goto out;
	}
	body = malloc(opt.max_body ? opt.max_body : 1);
	if (!body) {
		log_errx("cannot allocate --max-body %zu bytes", opt.max_body);
		rc = EX_OSERR;
		goto out;
	}
	ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
				    (const unsigned char *)"digest-sink", 11);
	if (ret != 0) {
		log_errx("random seed: %s", tls_err(ret, msg, sizeof(msg)));
		goto out;
	}
	if (opt.self_signed) {
		if (make_self_signed(opt.self_signed, &drbg, &crt, &pk) < 0) {
			rc = EX_CANTCREAT;
			goto out;
		}
	} else if (load_cert(&crt, &pk) < 0) {
		rc = EX_CONFIG;
		goto out;
	}
	ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
					  MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret == 0)
		ret = mbedtls_ssl_conf_own_cert(&conf, &crt, &pk);
	if (ret != 0) {
		log_errx("TLS set-up: %s", tls_err(ret, msg, sizeof(msg)));
		rc = EX_CONFIG;
		goto out;
	}
	mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
	mbedtls_ssl_conf_read_timeout(&conf, (uint32_t)opt.timeout_s * 1000u);
	if (opt.client_ca) {
		ret = mbedtls_x509_crt_parse_file(&client_ca, opt.client_ca);
		if (ret != 0) {
			log_errx("--client-ca %s: %s", opt.client_ca, tls_err(ret, msg, sizeof(msg)));
			rc = EX_CONFIG;
			goto out;
		}
		mbedtls_ssl_conf_ca_chain(&conf, &client_ca, NULL);
		mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	} else {
		mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_NONE);
	}
	ret = mbedtls_ssl_setup(&conn.ssl, &conf);
	if (ret != 0) {
		log_errx("TLS set-up: %s", tls_err(ret, msg, sizeof(msg)));
		goto out;
	}
	/* loopback only: the sink is a test and demo tool, never a service */
	ret = mbedtls_net_bind(&listen_ctx, "127.0.0.1", opt.port, MBEDTLS_NET_PROTO_TCP);
	if (ret != 0 || getsockname(listen_ctx.fd, (struct sockaddr *)&sin, &slen) < 0) {
		log_errx("cannot listen on 127.0.0.1 port %s: %s", opt.port,
			 tls_err(ret, msg, sizeof(msg)));
		rc = EX_UNAVAILABLE;
		goto out;
	}
	printf("listening on https://localhost:%u/ port=%u\n", ntohs(sin.sin_port),
	       ntohs(sin.sin_port));
	if (opt.ready_file && write_ready_file(ntohs(sin.sin_port)) < 0) {
		log_warn("--ready-file %s", opt.ready_file);
		rc = EX_CANTCREAT;
		goto out;
	}
	while (!stop_requested) {
		struct pollfd pfd = { .fd = listen_ctx.fd, .events = POLLIN };
		int n = poll(&pfd, 1, SLICE_MS);

		if (n <= 0)
			continue;
		serve_one(&listen_ctx);
		if (opt.max_requests && st.requests >= opt.max_requests)
			break;
		if (opt.exit_after_stored && st.stored >= opt.exit_after_stored)
			break;
	}
	printf("stopped requests=%ld stored=%ld duplicates=%ld rejected=%ld misbehaved=%ld\n",
	       st.requests, st.stored, st.duplicates, st.rejected, st.misbehaved);
	rc = 0;
out:
	if (store_fd >= 0)
		close(store_fd);
	free(body);
	sign_key_clear(&skey);
	mbedtls_platform_zeroize(token, sizeof(token));
	mbedtls_net_free(&listen_ctx);
	mbedtls_ssl_free(&conn.ssl);
	mbedtls_ssl_config_free(&conf);
	mbedtls_pk_free(&pk);
	mbedtls_x509_crt_free(&client_ca);
	mbedtls_x509_crt_free(&crt);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return rc;
}
