/* SPDX-License-Identifier: MIT */
/* The configuration loader: value types, messages and their lines (every
 * error, each once), secrets resolution and the rules for secret files, what
 * `run` needs, defaults, the dump loading back to the same config. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/cfg.h"
#include "core/cfg_key.h"

static struct cfg c, c2;
static struct cfg_error err;
static char text[64 * 1024];

static int load(const char *ini)
{
	return cfg_load_buffer(ini, strlen(ini), "t.ini", "/etc/digestd", 0, &c, &err);
}

/* Loads "[section]\nkey = value\n" plus extra lines. */
static int load_kv(const char *section, const char *key, const char *value, const char *extra)
{
	snprintf(text, sizeof(text), "[%s]\n%s = %s\n%s", section, key, value, extra);
	return load(text);
}

static const char endpoint_extra[] = "signing_key_file = /etc/digestd/key\n";

static void durations(void)
{
	static const struct {
		const char *v;
		unsigned want;
	} good[] = {
		{ "30s", 30 },	   { "15m", 900 },	 { "2h", 7200 }, { "1h30m", 5400 },
		{ "90", 90 },	   { "1m30s", 90 },	 { "1h0m5s", 3605 }, { "0h1m", 60 },
		{ "3600s", 3600 },
	};
	static const char *const bad[] = { "",	   "1.5h", "30m1h", "1h1h", "h",    "-1",
					   "30 s", "1w",   "1H",    "1h30", "30ms", "99999999999999999999" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK_INT(load_kv("http", "backoff_base", good[i].v, ""), 0);
		CHECK_INT(c.http.backoff_base, good[i].want);
	}
	CHECK_INT(load_kv("http", "backoff_max", "1d", ""), 0);
	CHECK_INT(c.http.backoff_max, 86400);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(load_kv("http", "timeout", bad[i], ""), -EINVAL);
		CHECK(strstr(err.msg[0], "expected a duration like 30s, 15m, 2h, 1d or 1h30m, from 1s "
				      "to 1h") != NULL);
	}
	/* Out of range: timeout is 1s to 1h, min_host_delay may be 0. */
	CHECK_INT(load_kv("http", "timeout", "2h", ""), -EINVAL);
	CHECK_INT(load_kv("http", "timeout", "0", ""), -EINVAL);
	CHECK_INT(load_kv("http", "min_host_delay", "0", ""), 0);
	CHECK_INT(c.http.min_host_delay, 0);
}

static void sizes(void)
{
	static const struct {
		const char *v;
		unsigned long long want;
	} good[] = {
		{ "4M", 4ull << 20 },  { "512K", 512ull << 10 }, { "4096", 4096 },
		{ "4MiB", 4ull << 20 }, { "2k", 2048 },	  { "16M", 16ull << 20 },
	};
	/* 17M: past SOURCE_BODY_MAX_BYTES, the memory bound's share (limits.h). */
	static const char *const bad[] = { "4MB", "1.5M", "4 M", "-1", "M", "", "1T", "17M", "64M", "1023" };

	/* One transfer: four of 16M would pass the memory bound (memory_bound). */
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK_INT(load_kv("http", "max_size", good[i].v, "[daemon]\nmax_transfers = 1\n"), 0);
		CHECK_INT(c.http.max_size, good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(load_kv("http", "max_size", bad[i], ""), -EINVAL);
		CHECK(strstr(err.msg[0], "from 1K to 16M") != NULL);
	}
	CHECK_INT(load_kv("digest", "outbox_max", "1G", ""), 0);
	CHECK_INT(c.digest.outbox_max, 1ull << 30);
}

static void booleans(void)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "YES", "True" };
	static const char *const no[] = { "no", "false", "off", "0", "No" };
	static const char *const bad[] = { "maybe", "2", "y", "", "yes please" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		CHECK_INT(load_kv("digest", "send_empty", yes[i], ""), 0);
		CHECK(c.digest.send_empty);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		CHECK_INT(load_kv("digest", "send_empty", no[i], ""), 0);
		CHECK(!c.digest.send_empty);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(load_kv("digest", "send_empty", bad[i], ""), -EINVAL);
		CHECK(strstr(err.msg[0], "expected yes or no") != NULL);
	}
}

static void times_of_day(void)
{
	static const char *const bad[] = { "24:00", "7:0",    "07:60", "07:00,", ",07:00", "0700",
					   "07:00;19:00", "7:00am", "3600", "-1:00", "007:00", "25:00" };
	char many[256] = "";

	CHECK_INT(load_kv("digest", "schedule", "07:00,19:00", ""), 0);
	CHECK_INT(c.digest.schedule.n_times, 2);
	CHECK_INT(c.digest.schedule.times[0], 7 * 60);
	CHECK_INT(c.digest.schedule.times[1], 19 * 60);
	CHECK_INT(c.digest.schedule.interval, 0);
	CHECK_INT(load_kv("digest", "schedule", "19:30, 7:05 ,00:00", ""), 0);
	CHECK_INT(c.digest.schedule.n_times, 3);
	CHECK_INT(c.digest.schedule.times[0], 0);
	CHECK_INT(c.digest.schedule.times[1], 7 * 60 + 5);
	CHECK_INT(c.digest.schedule.times[2], 19 * 60 + 30);
	CHECK_INT(load_kv("digest", "schedule", "23:59", ""), 0);
	CHECK_INT(c.digest.schedule.times[0], 23 * 60 + 59);
	CHECK_INT(load_kv("digest", "schedule", "2h", ""), 0);
	CHECK_INT(c.digest.schedule.interval, 7200);
	CHECK_INT(c.digest.schedule.n_times, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(load_kv("digest", "schedule", bad[i], ""), -EINVAL);
		CHECK(strstr(err.msg[0], "expected an interval like 1h or times of day like "
				      "07:00,19:00") != NULL);
	}
	CHECK_INT(load_kv("digest", "schedule", "07:00,19:00,7:00", ""), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: [digest] schedule = '07:00,19:00,7:00': 07:00 is listed "
			   "twice");
	CHECK_INT(load_kv("digest", "schedule", "30s", ""), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: [digest] schedule = '30s': the interval must be from 1m "
			   "to 7d");
	for (int h = 0; h < 25; h++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%s%02d:%02d",
			 h ? "," : "", h % 24, h / 24);
	CHECK_INT(load_kv("digest", "schedule", many, ""), -EINVAL);
	CHECK(strstr(err.msg[0], "at most 24 times of day") != NULL);
}

static void urls(void)
{
	static const char *const endpoint_bad[] = {
		"ftp://example.org/",	   "https://",		 "https:///x",
		"https://host:0/",	   "https://host:65536/", "https://ho st/",
		"example.org/digests",	   "https://[zz]/",	 "https://host:/",
		"https://host:80x/",	   "file:///tmp/x",	 "mailto:a@b",
	};

	CHECK_INT(load_kv("endpoint", "url", "https://digests.example.org:8443/in?x=1",
			  endpoint_extra),
		  0);
	CHECK_STR(c.endpoints[0].url, "https://digests.example.org:8443/in?x=1");
	CHECK_INT(load_kv("endpoint", "url", "HTTPS://[2001:db8::1]:443/", endpoint_extra), 0);
	for (size_t i = 0; i < sizeof(endpoint_bad) / sizeof(endpoint_bad[0]); i++)
		CHECK_INT(load_kv("endpoint", "url", endpoint_bad[i], endpoint_extra), -EINVAL);

	/* Plain http: loopback only, and only when allowed. */
	CHECK_INT(load_kv("endpoint", "url", "http://127.0.0.1:8080/", "allow_insecure = yes\n"
		  "signing_key_file = k\n"), 0);
	CHECK_INT(load_kv("endpoint", "url", "http://localhost/", "allow_insecure = yes\n"
		  "signing_key_file = k\n"), 0);
	CHECK_INT(load_kv("endpoint", "url", "http://[::1]:9/", "allow_insecure = yes\n"
		  "signing_key_file = k\n"), 0);
	CHECK_INT(load_kv("endpoint", "url", "http://127.0.0.1/", endpoint_extra), -EINVAL);
	CHECK(strstr(err.msg[0], "plain http:// needs allow_insecure = yes") != NULL);
	CHECK_INT(err.line[0], 2);
	static const char *const not_loopback[] = { "http://localhost.example.org/",
						    "http://127.0.0.1.example.org/",
						    "http://128.0.0.1/", "http://127.0.0.256/",
						    "http://[::2]/", "http://10.0.0.1/" };
	for (size_t i = 0; i < sizeof(not_loopback) / sizeof(not_loopback[0]); i++) {
		CHECK_INT(load_kv("endpoint", "url", not_loopback[i],
				  "allow_insecure = yes\nsigning_key_file = k\n"),
			  -EINVAL);
		CHECK(strstr(err.msg[0], "only to a loopback address") != NULL);
	}

	/* Credentials in a URL are refused without repeating them. */
	CHECK_INT(load_kv("endpoint", "url", "https://user:hunter2@example.org/", endpoint_extra),
		  -EINVAL);
	CHECK(strstr(err.msg[0], "hunter2") == NULL);
	CHECK(strstr(err.msg[0], "user name or password") != NULL);

	/* Sources: URLs, file:///, and paths resolved against the file's folder. */
	CHECK_INT(load_kv("source news", "url", "https://example.org/feed.xml", ""), 0);
	CHECK_INT(c.sources[0].type, CFG_SOURCE_FEED);
	CHECK_INT(load_kv("source news", "url", "file:///srv/feed.xml", ""), 0);
	CHECK_INT(c.sources[0].type, CFG_SOURCE_FEED);
	CHECK_INT(load_kv("source news", "url", "../seeds/", ""), 0);
	CHECK_STR(c.sources[0].url, "/etc/seeds");
	CHECK_INT(c.sources[0].type, CFG_SOURCE_FOLDER);
	CHECK_INT(load_kv("source news", "url", "/srv//news/./a/../b", ""), 0);
	CHECK_STR(c.sources[0].url, "/srv/news/b");
	CHECK_INT(load_kv("source news", "url", "file://srv/feed.xml", ""), -EINVAL);
	CHECK_INT(load_kv("source news", "url", "gopher://example.org/", ""), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: [source news] url = 'gopher://example.org/': expected an "
			   "https://, http:// or file:/// URL or a folder path");
	CHECK_INT(load_kv("source news", "url", "https://example.org/", "type = folder\n"),
		  -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:3: [source news] type = folder needs a folder path, not an "
			   "http(s) URL");
	CHECK_INT(load_kv("source news", "url", "seeds", "fetch_pages = yes\n"), -EINVAL);
	CHECK_INT(err.line[0], 3);

	CHECK_INT(load_kv("daemon", "contact", "mailto:ops@example.org", ""), 0);
	CHECK_INT(load_kv("daemon", "contact", "mailto:nobody", ""), -EINVAL);
	CHECK_INT(load_kv("daemon", "contact", "/tmp/x", ""), -EINVAL);
}

static void enums_and_levels(void)
{
	CHECK_INT(load_kv("digest", "format", "markdown", ""), 0);
	CHECK_INT(c.digest.format, CFG_FORMAT_MARKDOWN);
	CHECK_INT(load_kv("digest", "format", "TEXT", ""), 0);
	CHECK_INT(c.digest.format, CFG_FORMAT_TEXT);
	CHECK_INT(load_kv("digest", "format", "html", ""), 0);
	CHECK_INT(c.digest.format, CFG_FORMAT_HTML);
	CHECK_INT(load_kv("digest", "format", "htm", ""), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: [digest] format = 'htm': expected one of json, markdown, "
			   "text, html");
	CHECK_INT(load_kv("digest", "format", "jso", ""), -EINVAL);
	CHECK_INT(load_kv("source a", "url", "x", "type = page\n"), 0);
	CHECK_INT(c.sources[0].type, CFG_SOURCE_PAGE);
	CHECK_INT(load_kv("source a", "url", "x", "type = folder\n"), 0);
	CHECK_INT(c.sources[0].type, CFG_SOURCE_FOLDER);
	CHECK_INT(load_kv("daemon", "log_level", "debug", ""), 0);
	CHECK_INT(c.daemon.log_level, LOG_LVL_DEBUG);
	CHECK_INT(load_kv("daemon", "log_level", "loud", ""), -EINVAL);
	CHECK_INT(load_kv("source a", "url", "x", "lang = pt-BR\n"), 0);
	CHECK_STR(c.sources[0].lang, "pt-BR");
	CHECK_INT(load_kv("source a", "url", "x", "lang = english\n"), -EINVAL);
	CHECK_INT(load_kv("source a", "url", "x", "lang = e\n"), -EINVAL);
}

static void pins_and_headers(void)
{
	static const char pin[] = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	char two[200], extra[1024];

	CHECK_INT(load_kv("endpoint", "pinned_pubkey", pin, "url = https://x.org/\n"
		  "signing_key_file = k\n"), 0);
	snprintf(two, sizeof(two), "%s;%s", pin, pin);
	CHECK_INT(load_kv("endpoint", "pinned_pubkey", two, "url = https://x.org/\n"
		  "signing_key_file = k\n"), 0);
	CHECK_INT(load_kv("endpoint", "pinned_pubkey", "sha256//abc=", "url = https://x.org/\n"
		  "signing_key_file = k\n"), -EINVAL);
	CHECK_INT(load_kv("endpoint", "pinned_pubkey",
			  "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=",
			  "url = https://x.org/\nsigning_key_file = k\n"),
		  -EINVAL);
	snprintf(two, sizeof(two), "%s;", pin);
	CHECK_INT(load_kv("endpoint", "pinned_pubkey", two, "url = https://x.org/\n"
		  "signing_key_file = k\n"), -EINVAL);

	extra[0] = '\0';
	for (int i = 0; i < 7; i++)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "header = X-N%d: %d\n",
			 i, i);
	CHECK_INT(load_kv("endpoint", "url", "https://x.org/", "signing_key_file = k\n"
		  "header = X-Trace:    on\n"), 0);
	CHECK_INT(c.endpoints[0].header.n, 1);
	CHECK_STR(c.endpoints[0].header.line[0], "X-Trace: on");
	snprintf(text, sizeof(text), "[endpoint]\nurl = https://x.org/\nsigning_key_file = k\n"
		 "header = A: 1\n%s", extra);
	CHECK_INT(load(text), 0);
	CHECK_INT(c.endpoints[0].header.n, 8);
	snprintf(text + strlen(text), sizeof(text) - strlen(text), "header = B: 2\n");
	CHECK_INT(load(text), -EINVAL);
	CHECK(strstr(err.msg[0], "at most 8 header lines") != NULL);
	CHECK_INT(load_kv("endpoint", "header", "Bad Name: x", ""), -EINVAL);
	CHECK_INT(load_kv("endpoint", "header", "NoColon", ""), -EINVAL);
	CHECK_INT(load_kv("endpoint", "header", "X-Empty:", ""), -EINVAL);
	CHECK_INT(load_kv("endpoint", "header", "content-type: text/plain", ""), -EINVAL);
	CHECK(strstr(err.msg[0], "digestd sets Content-Type itself") != NULL);
	CHECK_INT(load_kv("endpoint", "header", "Authorization: Bearer s3cr3t", ""), -EINVAL);
	CHECK(strstr(err.msg[0], "s3cr3t") == NULL);
	CHECK_INT(load_kv("endpoint", "header", "X-Api-Key: s3cr3t", ""), -EINVAL);
	CHECK(strstr(err.msg[0], "s3cr3t") == NULL);
	/* The one list of headers digestd sets itself (push trusts it): it
	 * holds every name the push client used to refuse on its own. */
	static const char *const ours[] = { "webhook-id",	  "webhook-timestamp",
					    "webhook-signature", "authorization",
					    "content-type",	  "content-length",
					    "host",		  "transfer-encoding",
					    "expect",		  "User-Agent" };
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		snprintf(extra, sizeof(extra), "%s: x", ours[i]);
		CHECK_INT(load_kv("endpoint", "header", extra, "url = https://x.org/\n"
				  "signing_key_file = k\n"), -EINVAL);
		CHECK_INT(err.n, 1);
	}
}

static void closest_key(void)
{
	CHECK_INT(load("[source news]\nurl = https://e.org/f\nintervall = 10m\n"), -EINVAL);
	CHECK_STR(err.msg[0],
		  "t.ini:3: unknown key 'intervall' in [source news]; did you mean 'interval'?");
	CHECK_INT(err.line[0], 3);
	CHECK_INT(load("[digest]\nSchedule = 1h\n"), -EINVAL);
	CHECK(strstr(err.msg[0], "did you mean 'schedule'?") != NULL);
	CHECK_INT(load("[http]\nmax_sizes = 4M\n"), -EINVAL);
	CHECK(strstr(err.msg[0], "did you mean 'max_size'?") != NULL);
	CHECK_INT(load("[http]\nxyzzy = 1\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: unknown key 'xyzzy' in [http]");
	CHECK_INT(load("[digest]\ntimeout = 5s\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: unknown key 'timeout' in [digest]; it belongs in [http] or "
			   "[endpoint]");
	CHECK_INT(load("[endpint]\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:1: unknown section [endpint]; did you mean [endpoint]?");
	CHECK_INT(load("[sorce news]\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:1: unknown section [sorce news]; did you mean [source news]?");
	CHECK_INT(load("[weather]\n"), -EINVAL);
	CHECK(strstr(err.msg[0], "did you mean") == NULL);
	CHECK_INT(load("[endpoint]\ntoken = abc123\n"), -EINVAL);
	CHECK(strstr(err.msg[0], "use") != NULL || strstr(err.msg[0], "token_file") != NULL);
	CHECK(strstr(err.msg[0], "abc123") == NULL);
	CHECK_INT(load("[endpoint]\nsigning_key = abc123\n"), -EINVAL);
	CHECK(strstr(err.msg[0], "signing_key_file") != NULL);
}

static void lines_and_syntax(void)
{
	/* BOM, CRLF, comments, blank and indented lines keep the count exact. */
	CHECK_INT(load("\xef\xbb\xbf; comment\r\n\r\n  [digest]\r\n  # x\r\n  sentences = 99\r\n"),
		  -EINVAL);
	CHECK_INT(err.line[0], 5);
	CHECK_STR(err.msg[0], "t.ini:5: [digest] sentences = '99': expected a whole number from 1 "
			   "to 64");
	/* An indented key is a key, not a continuation of the previous value. */
	CHECK_INT(load("[digest]\n  sentences = 4\n  max_articles = 7 ; inline comment\n"), 0);
	CHECK_INT(c.digest.sentences, 4);
	CHECK_INT(c.digest.max_articles, 7);
	CHECK_INT(load("[digest]\nwords = 40\n"), 0);
	CHECK_INT(c.digest.words, 40);
	CHECK_INT(load("[digest]\n"), 0);
	CHECK_INT(c.digest.words, 0); /* no word budget by default */
	CHECK_INT(load("[digest]\nwords = 65536\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: [digest] words = '65536': expected a whole number from 0 "
			   "to 65535");
	CHECK_INT(load("[digest]\nsentences = 4\nsentences = 5\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:3: [digest] sentences is set twice (first at line 2)");
	CHECK_INT(load("[digest]\n[http]\n[digest]\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:3: [digest] appears twice (first at line 1)");
	CHECK_INT(load("[digest\n"), -EINVAL);
	CHECK_INT(err.line[0], 1);
	CHECK_INT(load("[digest]\njust words\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: expected 'key = value', a [section] or a comment");
	CHECK_INT(load("[digest]\nsend empty = yes\n"), -EINVAL);
	CHECK_INT(load("[digest] extra\n"), -EINVAL);
	CHECK_INT(load("[digest]\n= 3\n"), -EINVAL);
	CHECK_INT(load("[digest]\nsentences = 3\n\0\n"), 0); /* strlen stops at the NUL */
	CHECK_INT(cfg_load_buffer("[digest]\nx\0y = 1\n", 16, "t.ini", "/", 0, &c, &err), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: NUL byte in the line; is this a text file?");
	memset(text, 'a', 2000);
	memcpy(text, "[digest]\n; ", 11);
	text[2000] = '\0';
	CHECK_INT(load(text), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: line longer than 1279 bytes");
	CHECK_INT(load("sentences = 3\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:1: key 'sentences' comes before any [section]");
}

static void sources(void)
{
	size_t n = 0;

	for (unsigned i = 0; i < CFG_MAX_SOURCES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "[source s%u]\nurl = f%u\n", i, i);
	CHECK_INT(load(text), 0);
	CHECK_INT(c.n_sources, CFG_MAX_SOURCES);
	CHECK_STR(c.sources[999].name, "s999");
	CHECK_STR(c.sources[999].url, "/etc/digestd/f999");
	snprintf(text + n, sizeof(text) - n, "[source one-too-many]\nurl = x\n");
	CHECK_INT(load(text), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2001: too many sources: at most 1000 [source NAME] sections");
	CHECK_INT(err.n, 1);
	CHECK_INT(load("[source a]\nurl = x\n[source a]\nurl = y\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:3: [source a] is defined twice (first at line 1)");
	CHECK_INT(load("[source]\nurl = x\n"), -EINVAL);
	CHECK_INT(load("[source a/b]\nurl = x\n"), -EINVAL);
	CHECK_INT(load("[source abcdefghijabcdefghijabcdefghijab]\nurl = x\n"), -EINVAL);
	CHECK_INT(load("[source  tabs\t]\nurl = x\n"), 0);
	CHECK_STR(c.sources[0].name, "tabs");
	CHECK_INT(load("[source a]\ninterval = 1h\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:1: [source a] has no url (required)");
	CHECK_INT(load("[source a]\nurl = x\ninterval = 30s\n"), -EINVAL);
}

static void required_and_pairs(void)
{
	CHECK_INT(load("[endpoint]\nurl = https://x.org/\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:1: [endpoint] has no signing_key_file: kind = webhook needs it");
	CHECK_INT(load("[endpoint]\nsigning_key_file = k\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:1: [endpoint] has no url: kind = webhook needs it");
	CHECK_INT(load("[endpoint]\nurl = https://x.org/\nsigning_key_file = k\nclient_cert = c\n"),
		  -EINVAL);
	CHECK_INT(err.line[0], 4);
	CHECK_INT(load("[endpoint]\nurl = https://x.org/\nsigning_key_file = k\nclient_cert = c\n"
		       "client_key = key.pem\n"),
		  0);
	CHECK_INT(load("[http]\nbackoff_base = 12h\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: [http] backoff_base (12h) is longer than backoff_max (6h)");
	CHECK_INT(load("[endpoint]\nurl = https://x.org/\nsigning_key_file = k\nretry_max = 10s\n"),
		  -EINVAL);
	CHECK_INT(err.line[0], 4);
	CHECK_INT(load("[endpoint]\nurl = https://x.org/\nsigning_key_file = "
		       "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"),
		  -EINVAL);
	CHECK(strstr(err.msg[0], "MfKQ9r8") == NULL);
	CHECK_INT(load("[endpoint]\nurl = https://x.org/\nsigning_key_file = ..\n"), -EINVAL);
}

static char why[CFG_ERROR_BYTES];

/* cfg_secret_open on value, its descriptor closed: 0 or its negative errno,
 * with the path it looked at in out and the reason in why. */
static int try_open(const char *value, char *out, size_t size)
{
	int fd = cfg_secret_open(&c, value, out, size, why, sizeof(why));

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* Where cfg_secret_open looks for value (none of these files exist). */
static int secret_where(const char *value, char *out, size_t size)
{
	int rc = try_open(value, out, size);

	/* Whether a file is there does not matter, only where it is looked for. */
	return rc == -ENOENT || rc == -EACCES || rc == -EPERM ? 0 : rc;
}

static void secret_paths(void)
{
	char out[CFG_PATH_BYTES], small[8], longname[300];

	CHECK_INT(load("[endpoint]\nurl = https://x.org/\nsigning_key_file = signing-key\n"
		       "token_file = sub/../tok\nclient_cert = c.pem\nclient_key = /abs/key.pem\n"),
		  0);
	CHECK_STR(c.endpoints[0].signing_key_file, "signing-key"); /* kept as written */
	unsetenv("CREDENTIALS_DIRECTORY");
	CHECK_INT(secret_where(c.endpoints[0].signing_key_file, out, sizeof(out)), 0);
	CHECK_STR(out, "/etc/digestd/signing-key");
	setenv("CREDENTIALS_DIRECTORY", "/run/credentials/digestd.service", 1);
	CHECK_INT(secret_where(c.endpoints[0].signing_key_file, out, sizeof(out)), 0);
	CHECK_STR(out, "/run/credentials/digestd.service/signing-key");
	/* A name with a '/' is a path, credentials or not. */
	CHECK_INT(secret_where(c.endpoints[0].token_file, out, sizeof(out)), 0);
	CHECK_STR(out, "/etc/digestd/tok");
	CHECK_INT(secret_where(c.endpoints[0].client_key, out, sizeof(out)), 0);
	CHECK_STR(out, "/abs/key.pem");
	CHECK_STR(c.endpoints[0].client_cert, "/etc/digestd/c.pem");
	CHECK_INT(secret_where("", out, sizeof(out)), -EINVAL);
	CHECK_INT(secret_where("signing-key", small, sizeof(small)), -ENAMETOOLONG);
	setenv("CREDENTIALS_DIRECTORY", "", 1);
	CHECK_INT(secret_where("signing-key", out, sizeof(out)), 0);
	CHECK_STR(out, "/etc/digestd/signing-key");
	unsetenv("CREDENTIALS_DIRECTORY");
	memset(longname, '.', sizeof(longname) - 1);
	longname[0] = 'k';
	longname[sizeof(longname) - 1] = '\0';
	snprintf(text, sizeof(text), "[endpoint]\nurl = https://x.org/\nsigning_key_file = %s\n",
		 longname);
	CHECK_INT(load(text), -EINVAL);
	CHECK(strstr(err.msg[0], "longer than 255 bytes") != NULL);
}

/* ---- what `run` needs (CFG_RUN), and secret files ---- */

static char dir[64]; /* a private folder for secret files */

static int load_run(const char *ini)
{
	return cfg_load_buffer(ini, strlen(ini), "t.ini", dir, CFG_RUN, &c, &err);
}

static int put(const char *name, const char *body, mode_t mode)
{
	char p[128];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, body, strlen(body)) != (ssize_t)strlen(body) || close(fd) < 0 ||
	    chmod(p, mode) < 0)
		return -1;
	return 0;
}

static void run_needs(void)
{
	static const char ok[] = "[source a]\nurl = x\n[endpoint]\nurl = https://x.org/\n"
				 "signing_key_file = key\n";

	CHECK_INT(put("key", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", 0600), 0);
	CHECK_INT(load_run(ok), 0);
	CHECK_INT(err.n, 0);
	/* Without CFG_RUN (digestd fetch) neither is needed. */
	CHECK_INT(load(""), 0);
	CHECK_INT(load_run(""), -EINVAL);
	CHECK_INT(err.n, 2);
	CHECK_STR(err.msg[0], "t.ini: no [source NAME] section: digestd run needs at least one "
			      "source");
	CHECK_STR(err.msg[1], "t.ini: no [endpoint] section: digestd run needs somewhere to push "
			      "digests");
	CHECK_INT(err.line[0], 0);
	CHECK_INT(load_run("[source a]\nurl = x\n"), -EINVAL);
	CHECK_INT(err.n, 1);
	CHECK(strstr(err.msg[0], "no [endpoint] section") != NULL);
	/* A refused section header may be the missing one: not said again. */
	CHECK_INT(load_run("[sorce a]\nurl = x\n[endpoint]\nurl = https://x.org/\n"
			   "signing_key_file = key\n"),
		  -EINVAL);
	CHECK_INT(err.n, 1);
	/* Each secret file is checked; the contents are not read (push_init
	 * reads them). A certificate file is opened, not parsed. */
	CHECK_INT(put("key", "not a key at all", 0600), 0);
	CHECK_INT(put("c.pem", "not parsed here", 0644), 0);
	CHECK_INT(load_run(ok), 0);
	CHECK_INT(load_run("[source a]\nurl = x\n[endpoint]\nurl = https://x.org/\n"
			   "signing_key_file = nokey\ntoken_file = notoken\n"
			   "client_cert = c.pem\nclient_key = noclient\n"),
		  -EINVAL);
	CHECK_INT(err.n, 3);
	snprintf(text, sizeof(text), "t.ini:8: [endpoint] client_key: %s/noclient: cannot open: No "
		 "such file or directory", dir);
	CHECK_STR(err.msg[0], text);
	CHECK_INT(err.line[1], 6);
	CHECK(strstr(err.msg[1], "[endpoint] token_file: ") != NULL);
	CHECK_INT(err.line[2], 5);
	CHECK(strstr(err.msg[2], "[endpoint] signing_key_file: ") != NULL);
	/* A refused value is not opened. */
	CHECK_INT(load_run("[source a]\nurl = x\n[endpoint]\nurl = https://x.org/\n"
			   "signing_key_file = whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"),
		  -EINVAL);
	CHECK_INT(err.n, 1);
}

static void secret_rules(void)
{
	char path[CFG_PATH_BYTES], p[128], q[128];

	cfg_defaults(&c);
	snprintf(c.base_dir, sizeof(c.base_dir), "%s", dir);
	unsetenv("CREDENTIALS_DIRECTORY");
	CHECK_INT(put("key", "k\n", 0600), 0);
	CHECK_INT(try_open("key", path, sizeof(path)), 0);
	CHECK_INT(put("key", "k\n", 0400), 0);
	CHECK_INT(try_open("key", path, sizeof(path)), 0);
	/* Group or others may read, write or even only execute: refused. */
	static const mode_t open_modes[] = { 0644, 0604, 0640, 0620, 0602, 0610, 0666 };
	for (size_t i = 0; i < sizeof(open_modes) / sizeof(open_modes[0]); i++) {
		CHECK_INT(put("key", "k\n", open_modes[i]), 0);
		CHECK_INT(try_open("key", path, sizeof(path)), -EPERM);
	}
	snprintf(text, sizeof(text), "mode 0666 gives group or others access; chmod 600 %s/key",
		 dir);
	CHECK_STR(why, text);
	/* Not a regular file: a FIFO does not block, a folder is refused. */
	snprintf(p, sizeof(p), "%s/fifo", dir);
	CHECK_INT(mkfifo(p, 0600), 0);
	CHECK_INT(try_open("fifo", path, sizeof(path)), -EINVAL);
	CHECK_STR(why, "not a regular file");
	CHECK_INT(try_open("/", path, sizeof(path)), -EINVAL);
	CHECK_STR(why, "not a regular file (a folder)");
	/* A link is followed; the rules hold for the file it leads to. */
	CHECK_INT(put("key", "k\n", 0600), 0);
	snprintf(p, sizeof(p), "%s/link", dir);
	CHECK_INT(symlink("key", p), 0);
	CHECK_INT(try_open("link", path, sizeof(path)), 0);
	CHECK_INT(put("key", "k\n", 0644), 0);
	CHECK_INT(try_open("link", path, sizeof(path)), -EPERM);
	/* In $CREDENTIALS_DIRECTORY systemd sets the modes: not checked. */
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	CHECK_INT(try_open("key", path, sizeof(path)), 0);
	snprintf(q, sizeof(q), "%s/key", dir);
	CHECK_INT(try_open(q, path, sizeof(path)), 0);
	/* Only inside it: a sibling folder whose name starts the same is not. */
	snprintf(p, sizeof(p), "%s/ke", dir);
	setenv("CREDENTIALS_DIRECTORY", p, 1);
	CHECK_INT(try_open(q, path, sizeof(path)), -EPERM);
	unsetenv("CREDENTIALS_DIRECTORY");
	CHECK_INT(put("key", "k\n", 0600), 0);
	if (geteuid() == 0) {
		/* Root reads anything: the owner is what tells. */
		CHECK_INT(chown(q, 65534, 65534), 0);
		CHECK_INT(try_open("key", path, sizeof(path)), -EPERM);
		snprintf(text, sizeof(text), "owned by uid 65534, neither root nor digestd's user "
					     "(uid 0); chown 0 %s", q);
		CHECK_STR(why, text);
		CHECK_INT(chown(q, 0, 0), 0);
	} else {
		CHECK_INT(chmod(q, 0), 0);
		CHECK_INT(try_open("key", path, sizeof(path)), -EACCES);
		CHECK_STR(why, "cannot open: Permission denied");
	}
}

/* err holds n errors, at these lines. */
static void check_lines(unsigned n, const unsigned *want)
{
	CHECK_INT(err.n, n);
	for (unsigned i = 0; i < n && i < err.n; i++)
		CHECK_INT(err.line[i], want[i]);
}

/* Every error is reported, each once, in file order, then the checks
 * across keys; a refused line does not bring others with it. */
static void every_error(void)
{
	size_t n = 0;

	CHECK_INT(load("[source news]\nurl = https://e.org/f\nintervall = 10m\n[digest]\n"
		       "format = htm\nsentences = 0\n[http]\nconnect_timeout = 1m\n"
		       "timeout = 30s\n"),
		  -EINVAL);
	check_lines(4, (const unsigned[]){ 3, 5, 6, 9 });
	CHECK_STR(err.msg[3], "t.ini:9: [http] connect_timeout (1m) is longer than timeout (30s)");
	/* A refused header's keys are skipped, reading goes on past a bad line. */
	CHECK_INT(load("[digets]\nschedule = 1h\nformat = x\n[digest\nsentences = 0\n[digest]\n"
		       "just words\nsentences = 99\n"),
		  -EINVAL);
	check_lines(4, (const unsigned[]){ 1, 4, 7, 8 });
	/* A line too long, or with a NUL, may hide a required key: not said. */
	memset(text, 'a', 2000);
	memcpy(text, "[source a]\nurl = ", 17);
	snprintf(text + 2000, sizeof(text) - 2000, "\n[http]\ntimeout = 0\n");
	CHECK_INT(load(text), -EINVAL);
	CHECK_INT(err.n, 2);
	CHECK_STR(err.msg[0], "t.ini:2: line longer than 1279 bytes");
	CHECK_INT(err.line[1], 4);
	{
		static const char nul[] = "[source a]\nu\0rl = x\n[digest]\nsentences = 0\n";

		CHECK_INT(cfg_load_buffer(nul, sizeof(nul) - 1, "t.ini", "/", 0, &c, &err), -EINVAL);
	}
	CHECK_INT(err.n, 2);
	/* So may an unknown key ('ulr' for 'url'). */
	CHECK_INT(load("[source a]\nulr = x\n"), -EINVAL);
	CHECK_INT(err.n, 1);
	/* A refused value is not checked against others. */
	CHECK_INT(load("[source a]\nurl = x\ntype = pdf\nfetch_pages = yes\n"), -EINVAL);
	CHECK_INT(err.n, 1);
	CHECK_INT(load("[source a]\nurl = gopher://x/\nfetch_pages = yes\n"), -EINVAL);
	CHECK_INT(err.n, 1);
	CHECK_INT(load("[http]\ntimeout = forever\nconnect_timeout = 1m\n"), -EINVAL);
	CHECK_INT(err.n, 1);
	CHECK_INT(load("[endpoint]\nurl = http://x.org/\nallow_insecure = maybe\n"
		       "signing_key_file = k\n"),
		  -EINVAL);
	CHECK_INT(err.n, 2); /* the value, and http:// to a host that is not loopback */
	CHECK_INT(load("[endpoint]\nurl = http://127.0.0.1/\nallow_insecure = maybe\n"
		       "signing_key_file = k\n"),
		  -EINVAL);
	CHECK_INT(err.n, 1);
	/* Past the room, the last line says how many more there were. */
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s[digest]\n",
				      i ? "" : "[http]\n");
	CHECK_INT(load(text), -EINVAL);
	CHECK_INT(err.n, CFG_MAX_ERRORS);
	CHECK_STR(err.msg[CFG_MAX_ERRORS - 2], "t.ini:17: [digest] appears twice (first at line 2)");
	CHECK_STR(err.msg[CFG_MAX_ERRORS - 1], "t.ini: 24 more errors not shown");
	CHECK_INT(err.line[CFG_MAX_ERRORS - 1], 0);
}

static void defaults(void)
{
	unsetenv("STATE_DIRECTORY");
	cfg_defaults(&c);
	CHECK_STR(c.daemon.state_dir, "/var/lib/digestd");
	CHECK_INT(c.daemon.log_level, LOG_LVL_INFO);
	CHECK_STR(c.daemon.contact, "");
	CHECK_INT(c.http.connect_timeout, 10);
	CHECK_INT(c.http.timeout, 30);
	CHECK_INT(c.http.low_speed_limit, 100);
	CHECK_INT(c.http.max_size, 4u << 20);
	CHECK_INT(c.http.min_host_delay, 2);
	CHECK_INT(c.digest.schedule.interval, 3600);
	CHECK_INT(c.digest.max_articles, 50);
	CHECK_INT(c.digest.sentences, 3);
	CHECK_INT(c.digest.format, CFG_FORMAT_JSON);
	CHECK(!c.digest.send_empty);
	CHECK_INT(c.digest.seen_capacity, 4096);
	CHECK_INT(c.digest.outbox_max, 16u << 20);
	CHECK_INT(c.n_endpoints, 0);
	CHECK_INT(load("[endpoint]\nurl = https://x.org/\nsigning_key_file = k\n"), 0);
	CHECK_INT(c.n_endpoints, 1);
	CHECK_INT(c.endpoints[0].kind, CFG_KIND_WEBHOOK);
	CHECK_STR(c.endpoints[0].name, "");
	CHECK_INT(c.endpoints[0].timeout, 30);
	CHECK_INT(c.endpoints[0].retry_base, 30);
	CHECK_INT(c.endpoints[0].retry_max, 3600);
	CHECK_INT(c.n_sources, 0);
	CHECK_STR(c.base_dir, "/etc/digestd");
	CHECK_INT(load("[source a]\nurl = x\n"), 0);
	CHECK_INT(c.sources[0].interval, 1800);
	CHECK_INT(c.sources[0].max_items, 20);
	CHECK_STR(c.sources[0].lang, "auto");
	CHECK(!c.sources[0].fetch_pages);

	setenv("STATE_DIRECTORY", "/var/lib/private/digestd:/var/lib/other", 1);
	cfg_defaults(&c);
	CHECK_STR(c.daemon.state_dir, "/var/lib/private/digestd");
	CHECK_INT(load("[daemon]\nstate_dir = here\n"), 0);
	CHECK_STR(c.daemon.state_dir, "/etc/digestd/here");
	CHECK_INT(load("[daemon]\nstate_dir = here /\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: [daemon] state_dir = 'here /': a file name cannot end with a "
			   "space");
	setenv("STATE_DIRECTORY", "relative", 1);
	cfg_defaults(&c);
	CHECK_STR(c.daemon.state_dir, "/var/lib/digestd");
	unsetenv("STATE_DIRECTORY");
}

/* Column col (1-based) of a Markdown table row, trimmed, into out. */
static void column(const char *row, int col, char *out, size_t size)
{
	const char *p = row, *e;

	for (int i = 0; i < col && p; i++)
		p = strchr(p + 1, '|');
	if (!p) {
		out[0] = '\0';
		return;
	}
	p++;
	while (*p == ' ')
		p++;
	e = strchr(p, '|');
	while (e && e > p && e[-1] == ' ')
		e--;
	snprintf(out, size, "%.*s", e ? (int)(e - p) : 0, p);
}

/* Every default in cfg.def, written out as a value, loads: the key table
 * printed by cfg_dump_keys gives each key's default. */
/* cfg.def made both the key table and its CFG_KEY_ indices, which the
 * rules use: each index is its key's place. */
static void key_indices(void)
{
	CHECK(cfg_key_named(CFG_SEC_endpoint, "url") == &cfg_keys[CFG_KEY_endpoint_url]);
	CHECK(cfg_key_named(CFG_SEC_source, "url") == &cfg_keys[CFG_KEY_source_url]);
	CHECK(cfg_key_named(CFG_SEC_http, "backoff_max") == &cfg_keys[CFG_KEY_http_backoff_max]);
	CHECK(cfg_key_named(CFG_SEC_source, "nope") == NULL);
	for (unsigned i = 0; i < CFG_N_KEYS; i++)
		CHECK(cfg_key_named(cfg_keys[i].sec, cfg_keys[i].name) == &cfg_keys[i]);
	CHECK_STR(cfg_sec_names[cfg_keys[CFG_KEY_digest_schedule].sec], "digest");
}

static void every_default_parses(void)
{
	static char table[32 * 1024];
	FILE *f = fmemopen(table, sizeof(table) - 1, "w");
	size_t n = 0;
	int keys = 0;

	CHECK(f != NULL);
	if (!f)
		return;
	cfg_dump_keys(f);
	fclose(f);
	for (char *line = table, *next; *line; line = next) {
		char key[64], def[128];

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (!strcmp(line, "### [source NAME]")) {
			n += (size_t)snprintf(text + n, sizeof(text) - n, "[source a]\nurl = x\n");
		} else if (!strcmp(line, "### [endpoint] or [endpoint NAME]")) {
			n += (size_t)snprintf(text + n, sizeof(text) - n, "[endpoint]\nurl = "
					      "https://x.org/\nsigning_key_file = k\n");
		} else if (!strncmp(line, "### ", 4)) {
			n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n", line + 4);
		} else if (!strncmp(line, "| `", 3)) {
			keys++;
			column(line, 0, key, sizeof(key));
			column(line, 2, def, sizeof(def));
			/* `value`, or "required" / "unset" for keys without one.
			 * The one ntfy key with a default is not for a webhook:
			 * endpoints() loads it. */
			if (def[0] == '`' && strcmp(key, "`priority`"))
				n += (size_t)snprintf(text + n, sizeof(text) - n, "%.*s = %.*s\n",
						      (int)strlen(key) - 2, key + 1,
						      (int)strlen(def) - 2, def + 1);
		}
	}
	CHECK_INT(keys, 66);
	CHECK_INT(load(text), 0);
	for (unsigned i = 0; i < err.n; i++)
		printf("  %s\n", err.msg[i]);
}

/* [endpoint NAME] sections: several, each with its kind's keys, every
 * mistake named with the section and its line. */
static void endpoints(void)
{
	static const char *const bad_from[] = {
		"a",	      "@x.org",	      "a@",	    "a@x..org",	  "a b@x.org", "a@-x.org",
		"a.@x.org",   "é@x.org",      "N <a@x.org", "N\"q <a@x.org>", "a@x.org, b@x.org",
		"N <a@x_.org>",
	};
	char many[2048];
	size_t n = 0;

	CHECK_INT(load("[endpoint]\nurl = https://a.org/\nsigning_key_file = k\n"
		       "[endpoint phone]\nkind = ntfy\nurl = https://ntfy.sh/news\n"
		       "priority = high\ntags = newspaper,tada\nsubject = News\n"
		       "[endpoint mail]\nkind = email\nurl = smtps://mail.example.org\n"
		       "from = Digest Bot <bot@example.org>\nto = a@example.org,b@example.org , "
		       "C <c@example.org>\nusername = bot\npassword_file = smtp-pass\n"),
		  0);
	CHECK_INT(c.n_endpoints, 3);
	CHECK_STR(c.endpoints[0].name, "");
	CHECK_STR(c.endpoints[1].name, "phone");
	CHECK_INT(c.endpoints[1].kind, CFG_KIND_NTFY);
	CHECK_INT(c.endpoints[1].priority, 3); /* min low default high max */
	CHECK_STR(c.endpoints[2].from, "Digest Bot <bot@example.org>");
	CHECK_STR(c.endpoints[2].to, "a@example.org, b@example.org, C <c@example.org>");
	CHECK_INT(c.endpoints[2].kind, CFG_KIND_EMAIL);
	CHECK_INT(load("[endpoint tg]\nkind = telegram\nchat_id = -1001234\ntoken_file = bot\n"),
		  0);
	CHECK_STR(c.endpoints[0].url, "https://api.telegram.org");
	CHECK_INT(load("[endpoint tg]\nkind = telegram\nchat_id = @news_chan\ntoken_file = bot\n"
		       "url = http://127.0.0.1:8081\nallow_insecure = yes\n"),
		  0);
	CHECK_INT(load("[endpoint m]\nkind = matrix\nurl = https://matrix.org\n"
		       "room = !abc:matrix.org\ntoken_file = t\n[endpoint s]\nkind = slack\n"
		       "url_file = slack-url\n[endpoint d]\nkind = discord\nurl_file = d\n"),
		  0);
	CHECK_INT(c.n_endpoints, 3);

	/* Names, twice, too many. */
	CHECK_INT(load("[endpoint a]\nurl = https://a.org/\nsigning_key_file = k\n"
		       "[endpoint a]\nurl = https://b.org/\n"),
		  -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:4: [endpoint a] is defined twice (first at line 1)");
	CHECK_INT(load("[endpoint]\nurl = https://a.org/\nsigning_key_file = k\n[endpoint]\n"),
		  -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:4: [endpoint] appears twice (first at line 1)");
	/* The plain endpoint's state file is endpoint:default: never shared. */
	CHECK_INT(load("[endpoint]\nurl = https://a.org/\nsigning_key_file = k\n"
		       "[endpoint default]\nurl = https://b.org/\nsigning_key_file = k\n"),
		  -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:4: [endpoint default] would share the state file "
			      "endpoint:default with [endpoint] (at line 1): name [endpoint "
			      "default] otherwise");
	CHECK_INT(load("[endpoint default]\nurl = https://b.org/\nsigning_key_file = k\n"
		       "[endpoint]\nurl = https://a.org/\nsigning_key_file = k\n"),
		  -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:4: [endpoint] would share the state file endpoint:default "
			      "with [endpoint default] (at line 1): name [endpoint default] "
			      "otherwise");
	CHECK_INT(load("[endpoint default]\nurl = https://b.org/\nsigning_key_file = k\n"
		       "[endpoint defaults]\nurl = https://a.org/\nsigning_key_file = k\n"),
		  0);
	CHECK_INT(load("[endpoint a/b]\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:1: endpoint name 'a/b' may use only letters, digits, '.', "
			      "'_' and '-' (not first)");
	CHECK_INT(load("[endpoint 00000000000000000001-a.digest.1]\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:1: endpoint name '00000000000000000001-a.digest.1' may not "
			      "contain '.digest'");
	CHECK_INT(load("[endpont x]\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:1: unknown section [endpont x]; did you mean [endpoint x]?");
	for (unsigned i = 0; i <= CFG_MAX_ENDPOINTS; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n,
				      "[endpoint e%u]\nkind = slack\nurl_file = f\n", i);
	CHECK_INT(load(many), -EINVAL);
	CHECK_INT(err.n, 1);
	CHECK_STR(err.msg[0], "t.ini:25: too many endpoints: at most 8 [endpoint NAME] sections");

	/* What a kind needs, and keys it does not use. */
	CHECK_INT(load("[endpoint m]\nkind = matrix\nurl = https://matrix.org\n"), -EINVAL);
	CHECK_INT(err.n, 2);
	CHECK_STR(err.msg[0], "t.ini:1: [endpoint m] has no token_file: kind = matrix needs it");
	CHECK_STR(err.msg[1], "t.ini:1: [endpoint m] has no room: kind = matrix needs it");
	CHECK_INT(load("[endpoint s]\nkind = slack\nurl = https://hooks.slack.com/x\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:3: [endpoint s] url: kind = slack does not use it (it is "
			      "for webhook, email, ntfy, matrix, telegram)");
	CHECK_STR(err.msg[1], "t.ini:1: [endpoint s] has no url_file: kind = slack needs it");
	CHECK_INT(load("[endpoint w]\nurl = https://a.org/\nsigning_key_file = k\nroom = !a:b\n"),
		  -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:4: [endpoint w] room: kind = webhook does not use it (it is "
			      "for matrix)");
	CHECK_INT(load("[endpoint e]\nkind = email\nurl = smtp://m.org:587\nto = a@b.org\n"
		       "username = u\n"),
		  -EINVAL);
	CHECK_INT(err.n, 2);
	CHECK_STR(err.msg[0], "t.ini:1: [endpoint e] has no from: kind = email needs it");
	CHECK_STR(err.msg[1], "t.ini:5: [endpoint e] username and password_file go together "
			      "(SMTP login)");
	/* A kind that is not one: no kind rules, one error. */
	CHECK_INT(load("[endpoint x]\nkind = pager\nroom = !a:b\n"), -EINVAL);
	CHECK_INT(err.n, 1);
	CHECK(strstr(err.msg[0], "kind = 'pager': expected one of webhook, email, ntfy") != NULL);

	/* URL schemes per kind; plain http to loopback only. */
	CHECK_INT(load("[endpoint e]\nkind = email\nurl = https://m.org\nfrom = a@b.org\n"
		       "to = a@b.org\n"),
		  -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:3: [endpoint e] url = 'https://m.org': kind = email needs "
			      "smtps:// or smtp://, the other kinds https://");
	CHECK_INT(load("[endpoint w]\nurl = smtps://m.org\nsigning_key_file = k\n"), -EINVAL);
	CHECK_INT(load("[endpoint n]\nkind = ntfy\nurl = http://ntfy.example.org/t\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:3: [endpoint n] url = 'http://ntfy.example.org/t': plain "
			      "http:// is allowed only to a loopback address (localhost, "
			      "127.0.0.1, [::1]); use https://");
	CHECK_INT(load("[endpoint n]\nkind = ntfy\nurl = http://[::1]:8080/t\n"), -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:3: [endpoint n] url = 'http://[::1]:8080/t': plain http:// "
			      "needs allow_insecure = yes");
	CHECK_INT(load("[endpoint e]\nkind = email\nurl = smtp://m.org/x\nfrom = a@b.org\n"
		       "to = a@b.org\n"),
		  -EINVAL);
	CHECK_INT(load("[endpoint e]\nkind = email\nurl = smtp://u:p@m.org\nfrom = a@b.org\n"
		       "to = a@b.org\n"),
		  -EINVAL);
	CHECK(strstr(err.msg[0], "password") && !strstr(err.msg[0], "u:p"));

	/* Addresses and texts. */
	for (size_t i = 0; i < sizeof(bad_from) / sizeof(bad_from[0]); i++) {
		CHECK_INT(load_kv("endpoint e", "from", bad_from[i], "kind = email\nto = a@b.org\n"
				  "url = smtps://m.org\n"),
			  -EINVAL);
		CHECK(strstr(err.msg[0], "expected name@example.org or Name <name@example.org>"));
	}
	n = 0;
	for (unsigned i = 0; i <= CFG_MAX_RECIPIENTS; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%sr%u@x.org", i ? "," : "", i);
	CHECK_INT(load_kv("endpoint e", "to", many, "kind = email\nfrom = a@b.org\n"
			  "url = smtps://m.org\n"),
		  -EINVAL);
	CHECK(strstr(err.msg[0], "at most 16 addresses"));
	CHECK_INT(load_kv("endpoint e", "to", "a@b.org,,c@d.org", "kind = email\nfrom = a@b.org\n"
			  "url = smtps://m.org\n"),
		  -EINVAL);
	CHECK_INT(load_kv("endpoint n", "subject", "a\x01z", "kind = ntfy\nurl = https://n.org/t\n"),
		  -EINVAL);
	CHECK(strstr(err.msg[0], "expected UTF-8 text without control characters"));
	CHECK_INT(load_kv("endpoint n", "subject", "caf\xe9", "kind = ntfy\nurl = https://n.org/t\n"),
		  -EINVAL);
	CHECK_INT(load_kv("endpoint n", "subject", "Caf\xc3\xa9 \xe2\x80\x94 {date}",
			  "kind = ntfy\nurl = https://n.org/t\n"),
		  0);
	CHECK_INT(load_kv("endpoint n", "tags", "zeitung,\xc3\xa9", "kind = ntfy\n"
			  "url = https://n.org/t\n"),
		  -EINVAL);
	CHECK(strstr(err.msg[0], "[endpoint n] tags: ASCII words"));
	CHECK_INT(load_kv("endpoint m", "room", "abc:matrix.org", "kind = matrix\n"
			  "url = https://m.org\ntoken_file = t\n"),
		  -EINVAL);
	CHECK(strstr(err.msg[0], "[endpoint m] room: expected a room id"));
	CHECK_INT(load_kv("endpoint m", "room", "#news:matrix.org", "kind = matrix\n"
			  "url = https://m.org\ntoken_file = t\n"),
		  0);
	CHECK_INT(load_kv("endpoint t", "chat_id", "12a", "kind = telegram\ntoken_file = t\n"),
		  -EINVAL);
	CHECK(strstr(err.msg[0], "[endpoint t] chat_id: expected a chat id"));
	CHECK_INT(load_kv("endpoint t", "chat_id", "-", "kind = telegram\ntoken_file = t\n"),
		  -EINVAL);
	CHECK_INT(load_kv("endpoint t", "chat_id", "@abc", "kind = telegram\ntoken_file = t\n"),
		  -EINVAL);
	CHECK_INT(load_kv("endpoint n", "priority", "urgent", "kind = ntfy\n"
			  "url = https://n.org/t\n"),
		  -EINVAL);
	CHECK_INT(load_kv("endpoint n", "priority", "default", "kind = ntfy\n"
			  "url = https://n.org/t\n"),
		  0);
	CHECK_INT(load_kv("endpoint n", "retry_base", "2h", "kind = ntfy\n"
			  "url = https://n.org/t\n"),
		  -EINVAL);
	CHECK_STR(err.msg[0], "t.ini:2: [endpoint n] retry_base (2h) is longer than retry_max "
			      "(1h)");
}

/* cfg_kind_word spells each kind as `kind =` reads it, and nothing for a
 * value that is no kind (an outbox entry that names none). */
static void kind_words(void)
{
	static const struct {
		int kind;
		const char *word;
	} k[] = { { CFG_KIND_WEBHOOK, "webhook" }, { CFG_KIND_EMAIL, "email" },
		  { CFG_KIND_NTFY, "ntfy" },	   { CFG_KIND_MATRIX, "matrix" },
		  { CFG_KIND_SLACK, "slack" },	   { CFG_KIND_DISCORD, "discord" },
		  { CFG_KIND_TELEGRAM, "telegram" }, { -1, "" },
		  { CFG_KIND_TELEGRAM + 1, "" } };
	char w[16];

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		snprintf(w, sizeof(w), "?");
		cfg_kind_word(k[i].kind, w, sizeof(w));
		CHECK_STR(w, k[i].word);
	}
}

/* An endpoint of each kind dumps only its kind's keys and loads back. */
static void endpoints_dump(void)
{
	static char a[64 * 1024], b[64 * 1024];
	static const char ini[] =
		"[endpoint]\nurl = https://x.org/in\nsigning_key_file = signing-key\n"
		"[endpoint mail]\nkind = email\nurl = smtp://127.0.0.1:2525\n"
		"from = D <d@example.org>\nto = a@example.org,b@example.org\nsubject = News\n"
		"username = d\npassword_file = pw\n"
		"[endpoint n]\nkind = ntfy\nurl = https://ntfy.sh/t\npriority = max\ntags = a,b\n"
		"[endpoint m]\nkind = matrix\nurl = https://m.org\nroom = !r:m.org\ntoken_file = t\n"
		"[endpoint s]\nkind = slack\nurl_file = s\n"
		"[endpoint d]\nkind = discord\nurl_file = d\n"
		"[endpoint t]\nkind = telegram\nchat_id = 42\ntoken_file = bot\n";
	FILE *f;

	CHECK_INT(load(ini), 0);
	CHECK_INT(c.n_endpoints, 7);
	f = fmemopen(a, sizeof(a) - 1, "w");
	cfg_dump(&c, f);
	fclose(f);
	CHECK(strstr(a, "\n[endpoint mail]\nkind = email\nurl = smtp://127.0.0.1:2525\n"));
	CHECK(strstr(a, "to = a@example.org, b@example.org\n"));
	CHECK(strstr(a, "[endpoint t]\nkind = telegram\nurl = https://api.telegram.org\n"));
	CHECK(strstr(a, "url_file = s ; read from /etc/digestd/s\n"));
	CHECK(!strstr(a, "\nroom =\n") && !strstr(a, "\nchat_id =\n"));
	CHECK_INT(cfg_load_buffer(a, strlen(a), "dump", "/etc/digestd", 0, &c2, &err), 0);
	CHECK(memcmp(&c, &c2, cfg_used_bytes(&c)) == 0);
	f = fmemopen(b, sizeof(b) - 1, "w");
	cfg_dump(&c2, f);
	fclose(f);
	CHECK_STR(b, a);
}

/* The dump loads back to the same configuration, and prints it the same. */
static void dump_round_trip(void)
{
	static char a[64 * 1024], b[64 * 1024];
	static const char ini[] =
		"[daemon]\nstate_dir = state\nlog_level = debug\ncontact = https://me.example/\n"
		"[http]\nca_file = /etc/ssl/ca.pem\nbackoff_base = 90\n"
		"[source one]\nurl = https://e.org/feed\nfetch_pages = yes\nlang = fr\n"
		"[source two]\nurl = ../seeds\n"
		"[digest]\nschedule = 19:00,07:30\nformat = text\noutbox_max = 1048576\n"
		"[endpoint]\nurl = https://x.org/in\nsigning_key_file = signing-key\n"
		"token_file = secrets/token\nheader = X-A:  1\nheader = X-B: two words\n"
		"pinned_pubkey = sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
	FILE *f;

	CHECK_INT(load(ini), 0);
	f = fmemopen(a, sizeof(a) - 1, "w");
	cfg_dump(&c, f);
	fclose(f);
	CHECK(strstr(a, "signing_key_file = signing-key ; read from /etc/digestd/signing-key\n"));
	CHECK(strstr(a, "backoff_base = 1m30s\n"));
	CHECK(strstr(a, "schedule = 07:30,19:00\n"));
	CHECK(strstr(a, "outbox_max = 1M\n"));
	CHECK(strstr(a, "header = X-A: 1\nheader = X-B: two words\n"));
	CHECK(strstr(a, "[source two]\nurl = /etc/seeds\ntype = folder\n"));
	CHECK_INT(cfg_load_buffer(a, strlen(a), "dump", "/etc/digestd", 0, &c2, &err), 0);
	CHECK_INT(cfg_used_bytes(&c2), cfg_used_bytes(&c));
	CHECK(memcmp(&c, &c2, cfg_used_bytes(&c)) == 0);
	f = fmemopen(b, sizeof(b) - 1, "w");
	cfg_dump(&c2, f);
	fclose(f);
	CHECK_STR(b, a);
}

/* [daemon] max_transfers with [http] max_size: the bound of limits.h must
 * fit the unit's MemoryMax, and the refusal names both keys, the bound and
 * the most transfers that fit. */
static void memory_bound(void)
{
	size_t n = 0;

	CHECK_INT(load("[daemon]\nmax_transfers = 4\n[http]\nmax_size = 4M\n"), 0);
	CHECK_INT(load("[http]\nmax_size = 16M\n[daemon]\nmax_transfers = 2\n"), 0);
	CHECK_INT(load("[http]\nmax_size = 16M\n[daemon]\nmax_transfers = 3\n"), -EINVAL);
	CHECK_INT(err.n, 1);
	CHECK_STR(err.msg[0], "t.ini:4: [daemon] max_transfers = 3 with [http] max_size = 16M: "
			      "the daemon may need 80 MiB (48 MiB of bodies in flight), past the "
			      "unit's MemoryMax=64M; lower max_transfers to 2 or max_size "
			      "(docs/daemon.md, Memory)");
	/* One transfer at the largest max_size and seen_capacity still fits:
	 * the sequential poll's feed body and page are counted. */
	CHECK_INT(load("[http]\nmax_size = 16M\n[daemon]\nmax_transfers = 1\n"
		       "[digest]\nseen_capacity = 262144\n"), 0);
	CHECK_INT(load("[daemon]\nmax_transfers = 32\n"), -EINVAL);
	CHECK(strstr(err.msg[0], "t.ini:2: [daemon] max_transfers = 32 with [http] max_size = 4M"));
	CHECK(strstr(err.msg[0], "lower max_transfers to 7 or max_size"));
	/* Each source counts: 32 small transfers fit with 1 source, not 1,000. */
	n = (size_t)snprintf(text, sizeof(text), "[daemon]\nmax_transfers = 32\n[http]\n"
				"max_size = 256K\n");
	CHECK_INT(load(text), 0);
	for (unsigned i = 0; i < CFG_MAX_SOURCES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "[source s%u]\nurl = f%u\n", i, i);
	CHECK_INT(load(text), -EINVAL);
	CHECK(strstr(err.msg[0], "t.ini:4: [daemon] max_transfers = 32 with [http] max_size = 256K"));
	CHECK(strstr(err.msg[0], "lower max_transfers to 31 or max_size"));
	/* A refused value is reported once, not again as past the bound. */
	CHECK_INT(load("[daemon]\nmax_transfers = 33\n[http]\nmax_size = 16M\n"), -EINVAL);
	CHECK_INT(err.n, 1);
}

/* A load writes only the sources it configures: with the cap at 1,000, the
 * pages of the others (about 1 MiB per struct cfg) are never touched, so
 * they cost no RAM (limits.h, CFG_*). */
static void unused_sources_untouched(void)
{
	unsigned char *rest = (unsigned char *)&c.sources[1];
	size_t len = sizeof(c.sources) - sizeof(c.sources[0]);
	size_t i;

	memset(rest, 0xa5, len);
	CHECK_INT(load("[source a]\nurl = x\n"), 0);
	CHECK_INT(c.n_sources, 1);
	CHECK_INT(cfg_used_bytes(&c), offsetof(struct cfg, sources) + sizeof(c.sources[0]));
	for (i = 0; i < len && rest[i] == 0xa5; i++)
		;
	CHECK_INT(i, len);
	cfg_defaults(&c);
	for (i = 0; i < len && rest[i] == 0xa5; i++)
		;
	CHECK_INT(i, len);
}

/* A failed load leaves the previous configuration exactly as it was. */
static void failed_load_keeps_old(void)
{
	static struct cfg before;

	CHECK_INT(load("[source a]\nurl = x\n[digest]\nsentences = 5\n"), 0);
	memcpy(&before, &c, sizeof(c));
	CHECK_INT(load("[source b]\nurl = y\n[digest]\nsentences = 6\nformat = pdf\n"), -EINVAL);
	CHECK(memcmp(&before, &c, sizeof(c)) == 0);
	CHECK_INT(cfg_load("/nonexistent/digestd.ini", 0, &c, &err), -ENOENT);
	CHECK_STR(err.msg[0], "/nonexistent/digestd.ini: cannot read: No such file or directory");
	CHECK(memcmp(&before, &c, sizeof(c)) == 0);
}

int main(void)
{
	const char *t = getenv("TMPDIR");
	int rc;

	snprintf(dir, sizeof(dir), "%s/test_cfg.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	RUN(durations);
	RUN(sizes);
	RUN(booleans);
	RUN(times_of_day);
	RUN(urls);
	RUN(enums_and_levels);
	RUN(pins_and_headers);
	RUN(closest_key);
	RUN(lines_and_syntax);
	RUN(sources);
	RUN(required_and_pairs);
	RUN(secret_paths);
	RUN(run_needs);
	RUN(secret_rules);
	RUN(every_error);
	RUN(defaults);
	RUN(key_indices);
	RUN(every_default_parses);
	RUN(dump_round_trip);
	RUN(endpoints);
	RUN(endpoints_dump);
	RUN(kind_words);
	RUN(memory_bound);
	RUN(unused_sources_untouched);
	RUN(failed_load_keeps_old);
	rc = CHECK_EXIT();
	for (const char *const *f = (const char *const[]){ "key", "fifo", "link", NULL }; *f; f++) {
		char p[128];

		snprintf(p, sizeof(p), "%s/%s", dir, *f);
		unlink(p);
	}
	rmdir(dir);
	return rc;
}
