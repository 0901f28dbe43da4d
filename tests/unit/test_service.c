/* SPDX-License-Identifier: MIT */
/* Unit tests for src/push/service: each kind's request (method, URL, header
 * lines) from endpoints loaded as the config
 * file gives them, and each kind's answers classified, rate-limit bodies
 * (Telegram, Discord, Matrix) included. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "push/service.h"

static struct cfg c;
static struct cfg_error err;
static struct service_req rq;

/* The first endpoint of an ini text, loaded without CFG_RUN (no secret
 * file is opened). */
static const struct cfg_endpoint *endpoint(const char *ini)
{
	int rc = cfg_load_buffer(ini, strlen(ini), "t.ini", "/etc/digestd", 0, &c, &err);

	CHECK_INT(rc, 0);
	if (rc < 0)
		printf("  %s\n", err.msg[0]);
	return &c.endpoints[0];
}

static int request(const struct cfg_endpoint *ep, const char *secret_url, const char *token,
		   const char *title, const char *click)
{
	struct service_in in = { .ep = ep, .secret_url = secret_url, .token = token,
				 .id = "dg_0123456789abcdef0123456789abcdef", .title = title,
				 .click = click };

	memset(&rq, 0, sizeof rq);
	return service_request(&in, &rq);
}

static void webhook(void)
{
	CHECK_INT(request(endpoint("[endpoint]\nurl = https://x.org/in?a=1\nsigning_key_file = k\n"),
			  "", "", "", ""),
		  0);
	CHECK_STR(rq.method, "POST");
	CHECK_STR(rq.url, "https://x.org/in?a=1");
	CHECK_INT(rq.n, 0); /* its signed lines are push.c's */
}

static void ntfy(void)
{
	const struct cfg_endpoint *ep =
		endpoint("[endpoint n]\nkind = ntfy\nurl = https://ntfy.sh/news\npriority = high\n"
			 "tags = newspaper,tada\n");

	CHECK_INT(request(ep, "", "", "Digest: 3 articles", "https://news.example.org/a?b=1"), 0);
	CHECK_STR(rq.method, "POST");
	CHECK_STR(rq.url, "https://ntfy.sh/news");
	CHECK_INT(rq.n, 5);
	CHECK_STR(rq.line[0], "Title: Digest: 3 articles");
	CHECK_STR(rq.line[1], "Click: https://news.example.org/a?b=1");
	CHECK_STR(rq.line[2], "Tags: newspaper,tada");
	CHECK_STR(rq.line[3], "Priority: 4");
	CHECK_STR(rq.line[4], "Markdown: yes");
	/* A UTF-8 title as an RFC 2047 word; a link that is not http(s), or
	 * would break the header, is left out. */
	CHECK_INT(request(ep, "", "", "Caf\xc3\xa9 news", "javascript:alert(1)"), 0);
	CHECK_STR(rq.line[0], "Title: =?UTF-8?B?Q2Fmw6kgbmV3cw==?=");
	CHECK_STR(rq.line[1], "Tags: newspaper,tada");
	CHECK_INT(request(ep, "", "", "", "https://x.org/\r\nX-Evil: 1"), 0);
	CHECK_STR(rq.line[0], "Tags: newspaper,tada");
	CHECK_INT(request(endpoint("[endpoint n]\nkind = ntfy\nurl = https://ntfy.sh/t\n"), "", "",
			  "", ""),
		  0);
	CHECK_INT(rq.n, 2);
	CHECK_STR(rq.line[0], "Priority: 3");
}

static void matrix(void)
{
	const struct cfg_endpoint *ep =
		endpoint("[endpoint m]\nkind = matrix\nurl = https://matrix.example.org/\n"
			 "room = !AbC:example.org\ntoken_file = t\n");

	CHECK_INT(request(ep, "", "", "", ""), 0);
	CHECK_STR(rq.method, "PUT");
	/* The room percent-encoded, the transaction id the entry's. */
	CHECK_STR(rq.url, "https://matrix.example.org/_matrix/client/v3/rooms/%21AbC%3Aexample.org"
			  "/send/m.room.message/dg_0123456789abcdef0123456789abcdef");
	CHECK_INT(rq.n, 1);
	CHECK_STR(rq.line[0], "Content-Type: application/json");
	ep = endpoint("[endpoint m]\nkind = matrix\nurl = https://m.org\n"
		      "room = #n\xc3\xa9ws:m.org\ntoken_file = t\n");
	CHECK_INT(request(ep, "", "", "", ""), 0);
	CHECK_STR(rq.url, "https://m.org/_matrix/client/v3/rooms/%23n%C3%A9ws%3Am.org/send/"
			  "m.room.message/dg_0123456789abcdef0123456789abcdef");
}

static void slack_discord_telegram(void)
{
	const char *hook = "https://hooks.slack.com/services/T000/B000/XXXXSECRET";

	CHECK_INT(request(endpoint("[endpoint s]\nkind = slack\nurl_file = s\n"), hook, "", "", ""),
		  0);
	CHECK_STR(rq.method, "POST");
	CHECK_STR(rq.url, hook);
	CHECK_INT(rq.n, 1);
	CHECK_INT(request(endpoint("[endpoint d]\nkind = discord\nurl_file = d\n"),
			  "https://discord.com/api/webhooks/1/tok", "", "", ""),
		  0);
	CHECK_STR(rq.url, "https://discord.com/api/webhooks/1/tok?wait=true");
	CHECK_INT(request(&c.endpoints[0], "https://discord.com/api/webhooks/1/tok?thread_id=5", "",
			  "", ""),
		  0);
	CHECK_STR(rq.url, "https://discord.com/api/webhooks/1/tok?thread_id=5&wait=true");
	CHECK_INT(request(endpoint("[endpoint t]\nkind = telegram\nchat_id = 42\ntoken_file = b\n"),
			  "", "123456:ABC-secret", "", ""),
		  0);
	CHECK_STR(rq.url, "https://api.telegram.org/bot123456:ABC-secret/sendMessage");
	CHECK_INT(request(endpoint("[endpoint t]\nkind = telegram\nchat_id = 42\ntoken_file = b\n"
				   "url = http://127.0.0.1:8081/\nallow_insecure = yes\n"),
			  "", "1:x", "", ""),
		  0);
	CHECK_STR(rq.url, "http://127.0.0.1:8081/bot1:x/sendMessage");
	/* email is not an HTTP request. */
	CHECK_INT(request(endpoint("[endpoint e]\nkind = email\nurl = smtps://m.org\n"
				   "from = a@b.org\nto = c@d.org\n"),
			  "", "", "", ""),
		  -EINVAL);
}

static void too_long(void)
{
	static char token[SERVICE_URL_BYTES];

	memset(token, 'a', sizeof token - 1);
	CHECK_INT(request(endpoint("[endpoint t]\nkind = telegram\nchat_id = 42\ntoken_file = b\n"),
			  "", token, "", ""),
		  -ENAMETOOLONG);
}

static int64_t wait;

static enum service_class classify(unsigned kind, long status, const char *body)
{
	return service_classify(kind, status, body, strlen(body), &wait);
}

static void answers(void)
{
	CHECK_INT(classify(CFG_KIND_WEBHOOK, 204, ""), SERVICE_DELIVERED);
	CHECK_INT(classify(CFG_KIND_WEBHOOK, 400, "bad"), SERVICE_DEAD);
	CHECK_INT(classify(CFG_KIND_WEBHOOK, 404, ""), SERVICE_DEAD);
	CHECK_INT(classify(CFG_KIND_WEBHOOK, 408, ""), SERVICE_RETRY);
	CHECK_INT(classify(CFG_KIND_WEBHOOK, 503, ""), SERVICE_RETRY);
	CHECK_INT(classify(CFG_KIND_WEBHOOK, 301, ""), SERVICE_RETRY);
	CHECK_INT(wait, 0);
	/* Telegram: {"ok":false,"error_code":429,"parameters":{"retry_after":N}}. */
	CHECK_INT(classify(CFG_KIND_TELEGRAM, 429,
			   "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many "
			   "Requests: retry after 35\",\"parameters\":{\"retry_after\":35}}"),
		  SERVICE_RETRY);
	CHECK_INT(wait, 35);
	CHECK_INT(classify(CFG_KIND_TELEGRAM, 400,
			   "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat "
			   "not found\"}"),
		  SERVICE_DEAD);
	CHECK_INT(classify(CFG_KIND_TELEGRAM, 200, "{\"ok\":true,\"result\":{}}"), SERVICE_DELIVERED);
	/* Discord: seconds with a fraction, rounded up. */
	CHECK_INT(classify(CFG_KIND_DISCORD, 429,
			   "{\"message\": \"You are being rate limited.\", \"retry_after\": 64.57, "
			   "\"global\": false}"),
		  SERVICE_RETRY);
	CHECK_INT(wait, 65);
	CHECK_INT(classify(CFG_KIND_DISCORD, 429, "{\"retry_after\": 2.0}"), SERVICE_RETRY);
	CHECK_INT(wait, 2);
	CHECK_INT(classify(CFG_KIND_DISCORD, 429, "{\"retry_after\": 0.25}"), SERVICE_RETRY);
	CHECK_INT(wait, 1);
	/* Matrix: M_LIMIT_EXCEEDED with milliseconds. */
	CHECK_INT(classify(CFG_KIND_MATRIX, 429,
			   "{\"errcode\":\"M_LIMIT_EXCEEDED\",\"error\":\"Too many requests\","
			   "\"retry_after_ms\":2500}"),
		  SERVICE_RETRY);
	CHECK_INT(wait, 3);
	CHECK_INT(classify(CFG_KIND_MATRIX, 403, "{\"errcode\":\"M_FORBIDDEN\"}"), SERVICE_DEAD);
	CHECK_INT(classify(CFG_KIND_MATRIX, 200, "{\"event_id\":\"$x\"}"), SERVICE_DELIVERED);
	/* Slack and ntfy say it in Retry-After only (net's). */
	CHECK_INT(classify(CFG_KIND_SLACK, 429, "{\"retry_after\": 30}"), SERVICE_RETRY);
	CHECK_INT(wait, 0);
	CHECK_INT(classify(CFG_KIND_SLACK, 404, "no_service"), SERVICE_DEAD);
	/* SMTP reply codes: 4xx transient with no wait, 5xx permanent. */
	CHECK_INT(classify(CFG_KIND_EMAIL, 250, "250 2.0.0 OK"), SERVICE_DELIVERED);
	CHECK_INT(classify(CFG_KIND_EMAIL, 421, "421 4.3.0 busy"), SERVICE_RETRY);
	CHECK_INT(wait, 0);
	CHECK_INT(classify(CFG_KIND_EMAIL, 451, "451 {\"retry_after\": 30}"), SERVICE_RETRY);
	CHECK_INT(wait, 0);
	CHECK_INT(classify(CFG_KIND_EMAIL, 535, "535 5.7.8 invalid"), SERVICE_DEAD);
	CHECK_INT(classify(CFG_KIND_EMAIL, 554, "554 5.7.1 refused"), SERVICE_DEAD);
	CHECK_INT(classify(CFG_KIND_NTFY, 429, "{\"code\":42901}"), SERVICE_RETRY);
	CHECK_INT(wait, 0);
	/* Hostile or broken bodies: no wait, or at most a day. */
	CHECK_INT(classify(CFG_KIND_TELEGRAM, 429, "{\"parameters\":{\"retry_after\":-5}}"),
		  SERVICE_RETRY);
	CHECK_INT(wait, 0);
	CHECK_INT(classify(CFG_KIND_TELEGRAM, 429,
			   "{\"parameters\":{\"retry_after\":99999999999999999999}}"),
		  SERVICE_RETRY);
	CHECK_INT(wait, PUSH_RETRY_AFTER_MAX);
	CHECK_INT(classify(CFG_KIND_DISCORD, 429, "{\"retry_after\": \"10\"}"), SERVICE_RETRY);
	CHECK_INT(wait, 0);
	CHECK_INT(classify(CFG_KIND_MATRIX, 429, "{\"retry_after_ms\":"), SERVICE_RETRY);
	CHECK_INT(wait, 0);
	CHECK_INT(classify(CFG_KIND_TELEGRAM, 429, "<html>busy</html>"), SERVICE_RETRY);
	CHECK_INT(wait, 0);
	/* A number with an exponent, as Python's json writes one past 1e16 or
	 * below 1e-4: its value, not its first digits (1e+16 was 1 s, 3.0E2 4 s,
	 * 5e-05 5 s). */
	static const struct {
		unsigned kind;
		const char *body;
		int64_t want;
	} expo[] = {
		{ CFG_KIND_DISCORD, "{\"retry_after\": 1e+16}", PUSH_RETRY_AFTER_MAX },
		{ CFG_KIND_DISCORD, "{\"retry_after\": 3.0E2}", 300 },
		{ CFG_KIND_DISCORD, "{\"retry_after\": 5e-05}", 1 },
		{ CFG_KIND_DISCORD, "{\"retry_after\": 1.25e1}", 13 },
		{ CFG_KIND_DISCORD, "{\"retry_after\": 0.0e5}", 0 },
		{ CFG_KIND_DISCORD, "{\"retry_after\": 007.50}", 8 },
		{ CFG_KIND_MATRIX, "{\"retry_after_ms\": 2.5e3}", 3 },
		{ CFG_KIND_MATRIX, "{\"retry_after_ms\": 1E4}", 10 },
	};
	/* Telegram's group made a supergroup: its new id, a negative number. */
	static const char *moved[] = {
		"{\"ok\":false,\"parameters\":{\"migrate_to_chat_id\":-1001234567890}}",
		"{\"parameters\":{\"migrate_to_chat_id\":\"-1\"}}",
		"{\"parameters\":{\"migrate_to_chat_id\":1.5}}",
	};
	char chat[32];
	CHECK_INT(service_moved_chat(moved[0], strlen(moved[0]), chat, sizeof chat), 1);
	CHECK_STR(chat, "-1001234567890");
	CHECK_INT(service_moved_chat(moved[1], strlen(moved[1]), chat, sizeof chat), 0);
	CHECK_INT(service_moved_chat(moved[2], strlen(moved[2]), chat, sizeof chat), 0);
	for (size_t i = 0; i < sizeof expo / sizeof expo[0]; i++) {
		CHECK_INT(classify(expo[i].kind, 429, expo[i].body), SERVICE_RETRY);
		CHECK_INT(wait, expo[i].want);
	}
}

int main(void)
{
	RUN(webhook);
	RUN(ntfy);
	RUN(matrix);
	RUN(slack_discord_telegram);
	RUN(too_long);
	RUN(answers);
	return CHECK_EXIT();
}
