/* SPDX-License-Identifier: MIT */
/* digest-sink's HTTP/1.x request reader: a bounded read buffer over a
 * caller's fill function, the request head and the body framing. Parsing
 * only: no sockets, no logging, no allocation (tests/fuzz/fuzz_sink.c). */
#ifndef DIGESTD_SINK_REQ_H
#define DIGESTD_SINK_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

/* Request head (request line and header lines) and the read buffer that
 * holds it: 32 KiB of the sink's bss. */
#define SINK_REQ_HEAD_BYTES (16u * 1024u)
#define SINK_REQ_BUF_BYTES (32u * 1024u)
/* A header value we keep; longer ones are refused with 400. */
#define SINK_REQ_VALUE_BYTES 1024u
/* Raw webhook-id bytes; escaped, the file name stays under NAME_MAX. */
#define SINK_REQ_ID_BYTES 64u
#define SINK_REQ_ID_NAME_BYTES (SINK_REQ_ID_BYTES * 3u + 1u)

/* Reads more request bytes into buf[0..cap). Returns the count, 0 at the
 * end of the stream, or a negative errno that the reader passes on. */
typedef int (*sink_req_fill_fn)(void *ctx, unsigned char *buf, size_t cap);

/* The read buffer: buf[pos..len) holds bytes read but not yet consumed. */
struct sink_req_buf {
	sink_req_fill_fn fill;
	void *ctx;
	unsigned char buf[SINK_REQ_BUF_BYTES];
	size_t pos, len;
};

/* One parsed request head; values are NUL-terminated copies. */
struct sink_req {
	char method[16];
	char id[SINK_REQ_VALUE_BYTES], ts[SINK_REQ_VALUE_BYTES], auth[SINK_REQ_VALUE_BYTES];
	char sig[SIGN_HEADER_MAX_BYTES + 1];
	int has_id, has_ts, has_sig, has_auth, has_cl, chunked, expect_continue;
	uint64_t content_length;
};

/* Empties b and sets where its bytes come from. */
void sink_req_buf_init(struct sink_req_buf *b, sink_req_fill_fn fill, void *ctx);

/* Reads up to and including the blank line that ends the head into
 * head[0..cap) with a NUL, and consumes it from b. Returns 0 with *hlen its
 * length, 431 (larger than SINK_REQ_HEAD_BYTES or cap - 1), -EPIPE (the
 * stream ended first) or a fill error. */
int sink_req_head(struct sink_req_buf *b, char *head, size_t cap, size_t *hlen);

/* Parses head[0..hlen) (as sink_req_head gives it) in place into r.
 * Returns 0, or an HTTP status (400, 501) with *why set to a static reason:
 * a NUL byte, a malformed request line or header, a value longer than its
 * field (webhook-id: SINK_REQ_ID_BYTES), a repeated webhook or
 * authorization header, a bad or conflicting Content-Length, a transfer
 * coding other than chunked. Pure. */
int sink_req_parse_head(char *head, size_t hlen, struct sink_req *r, const char **why);

/* Copies the next n body bytes to dst (NULL: discards them). Returns 0,
 * -EPIPE (the stream ended first) or a fill error. */
int sink_req_body(struct sink_req_buf *b, unsigned char *dst, size_t n);

/* Reads a chunked body into body[0..max) up to its last chunk and trailer.
 * Returns 0 with *got its length, 400 (malformed framing) or 413 (larger
 * than max) with *why set, -EPIPE or a fill error. */
int sink_req_chunked(struct sink_req_buf *b, unsigned char *body, size_t max, size_t *got,
		     const char **why);

/* Writes id escaped for a file name and a log line into out (cap of
 * SINK_REQ_ID_NAME_BYTES holds any id of SINK_REQ_ID_BYTES): [A-Za-z0-9_-]
 * and non-leading '.' stay, every other byte becomes %XX, so distinct ids
 * never share a name and none starts with '.'. */
void sink_req_escape_id(const char *id, char *out, size_t cap);

#endif
