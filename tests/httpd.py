#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""HTTPS test server for tests/cli/fetch_http.sh and hostile.sh: serves the
test feeds (tests/data/feeds) and crafted misbehaviours on loopback, on four
ports at once (a certificate from the test CA for localhost, one from the test
CA for another name, one from an unknown CA, and the localhost one again on
127.0.0.2). With --plain instead of --tls, the same routes over plain HTTP on
127.0.0.1 and 127.0.0.2 (tests/unit/test_net.c). Python standard library only.

usage: httpd.py --tls DIR | --plain --feeds DIR --ready FILE --log FILE
  DIR holds good.pem/key, wrong.pem/key and unknown.pem/key. The ready file
  receives "GOOD WRONG UNKNOWN ALT" port numbers once all four listen (with
  --plain: "PORT ALT"); the log file one tab-separated line per request:
  path, If-None-Match, If-Modified-Since, Accept-Encoding, User-Agent,
  arrival (Unix seconds), the address the request came to, and how many
  requests with the same t= query value were in progress at its arrival
  (itself included): on all ports together, then on its own port (one host
  of the tests).

Routes:
  /feeds/PATH       a file of --feeds DIR; ETag and Last-Modified, 304 when they match
  /gzip/PATH        the same, gzip-encoded when the client accepts gzip
  /r/N/PATH         N redirects (302) before /PATH
  /loop             redirects to itself
  /status/CODE      that status; ?after=S sends Retry-After: S, ?date=S an
                    HTTP-date S seconds ahead; &clock=S: the server's clock
                    (its Date, and that HTTP-date) runs S seconds ahead
  /big              a 5 MiB feed with Content-Length
  /huge             a 100 MB feed streamed without Content-Length
  /stall            a feed that stops after 2000 of its bytes for 60 s
  /invalid-utf8     an RSS feed with invalid UTF-8 in its text
  /latin1           an ISO-8859-1 feed declared only in the Content-Type
  /page.html        an article page
  /latin1-page.html a French article page in windows-1252 bytes, declared only
                    as ISO-8859-1 in the Content-Type (no <meta>)
  /utf16-page.html  the article page in UTF-16 with a BOM
  /teasers.xml      an RSS feed: one teaser linking to /page.html, one full story
  /teasers-utf16.xml  an RSS feed: one teaser linking to /utf16-page.html
  /shuffled.xml     five dated entries out of date order, one undated
  /rel/feed.xml     an RSS feed whose item link is relative ("item1")
  /to?u=URL         a 302 redirect to URL; &after=S adds Retry-After: S
  /teaser.xml?link=URL  an RSS feed: one teaser linking to URL; &d=S: sent
                    after S seconds
  /slow.xml         an RSS feed (ETag, 304) of six teasers linking to /slow/1..6;
                    ?fresh: the same without ETag, so every poll gets it whole;
                    ?d=S: the pages wait S seconds (default 1); ?t=TAG: the
                    links carry the same t=
  /slow/N           an article page "Slow story N", sent after ?d=S seconds
  /broken.xml       an RSS feed cut off after its first item
  /encoded?e=ENC    a body sent with Content-Encoding: ENC (default zstd)
  /endless/KIND     a chunked body that never ends, at full speed: KIND
                    redirect, a 302 to /page.html (libcurl reads and drops a
                    followed redirect's body); gzip, a 200 gzip body of empty
                    deflate blocks (it decodes to nothing)
  /headers/N        the article page after N extra header lines; /headers/long:
                    after one header line of 200 KB
  /garbage          bytes that are no HTTP response (no status line)
  /trickle/CODE     that status with a body of one byte every half second
                    for 60 s and no Content-Length
A POST (a push) is answered as the GET of its path, its body dropped.
"""
import argparse
import email.utils
import gzip
import hashlib
import http.server
import os
import ssl
import sys
import threading
import time
import urllib.parse

LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"

STORY = ("The harbour authority opened the new northern breakwater on Tuesday after "
         "four years of work, ending a long argument about how to protect the old "
         "fishing quarter from winter storms. Engineers said the wall would cut wave "
         "height inside the basin by two thirds. ")

PAGE = ("<!DOCTYPE html><html lang=\"en\"><head><title>Breakwater opens</title>"
        "<meta property=\"article:published_time\" content=\"2024-03-05T09:00:00Z\">"
        "</head><body><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>"
        "<article><h1>Breakwater opens</h1>"
        + "".join("<p>%s Paragraph %d of the full story.</p>" % (STORY, i) for i in range(8))
        + "</article><footer>Copyright</footer></body></html>")

LATIN1_STORY = ("Le conseil r\u00e9gional a vot\u00e9 mardi une aide de 5 \u20ac par habitant "
                "pour l\u2019\u0153uvre \u00ab C\u0153ur de ville \u00bb, apr\u00e8s un "
                "d\u00e9bat tr\u00e8s anim\u00e9 sur les \u00e9coles et la gare "
                "\u201cprovisoire\u201d du quartier. ")

LATIN1_PAGE = ("<!DOCTYPE html><html lang=\"fr\"><head>"
               "<title>Le c\u0153ur du d\u00e9bat \u00e0 5 \u20ac</title></head><body><article>"
               + "".join("<p>%s Paragraphe %d.</p>" % (LATIN1_STORY, i) for i in range(6))
               + "</article></body></html>")


def rss(items, title="Test feed"):
    body = "".join(
        "<item><title>%s</title><link>%s</link><guid>%s</guid>"
        "<pubDate>%s</pubDate><description>%s</description></item>" % it
        for it in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>%s</title><link>https://example.org/</link>%s</channel></rss>"
            % (title, body)).encode()


def big_item(i):
    return ("<item><title>Item %d</title><link>https://example.org/%d</link>"
            "<description>%s</description></item>" % (i, i, STORY * 4)).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "digestd-test"
    # Keep-alive, as real servers do, so that a client's connection reuse is
    # tested; responses without a length close the connection.
    protocol_version = "HTTP/1.1"

    # Seconds the server's clock runs ahead of the host's (?clock=S).
    clock = 0

    def no_length(self):
        self.send_header("Connection", "close")
        self.close_connection = True

    def date_time_string(self, timestamp=None):
        return super().date_time_string((timestamp or time.time()) + self.clock)

    def log_message(self, fmt, *args):
        pass

    def record(self):
        h = self.headers
        with self.server.log_lock:
            line = "\t".join([self.path, h.get("If-None-Match", "-"),
                              h.get("If-Modified-Since", "-"),
                              h.get("Accept-Encoding", "-"), h.get("User-Agent", "-"),
                              "%.3f" % time.time(), self.server.server_address[0],
                              "%d" % self.server.active.get(self.tag, 0),
                              "%d" % self.server.own_active.get(self.tag, 0)])
            with open(self.server.log_path, "a") as f:
                f.write(line + "\n")

    def do_GET(self):
        # Requests in progress per t= tag, counted until the answer goes
        # out: the tests read concurrency from the log, not from timings.
        self.tag = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get(
            "t", [""])[0]
        self.counted = True
        with self.server.log_lock:
            for d in (self.server.active, self.server.own_active):
                d[self.tag] = d.get(self.tag, 0) + 1
        try:
            return self.route()
        finally:
            self.uncount()

    def do_POST(self):
        # A push (hostile.sh points an endpoint here): the request body is
        # read and dropped, then the route answers as for a GET.
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        return self.do_GET()

    def uncount(self):
        # Before a whole answer is sent (send), else once the handler ends:
        # a client that has the answer may start its next request on
        # another connection at once, which must not count this one.
        if self.counted:
            self.counted = False
            with self.server.log_lock:
                for d in (self.server.active, self.server.own_active):
                    d[self.tag] -= 1

    def send(self, code, body=b"", ctype="application/xml", extra=()):
        self.send_response(code)
        if code != 304:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.uncount()
        self.end_headers()
        if code != 304:
            self.wfile.write(body)

    def corpus(self, rel, compress):
        root = os.path.realpath(self.server.feeds)
        path = os.path.realpath(os.path.join(root, rel))
        if not path.startswith(root + os.sep) or not os.path.isfile(path):
            return self.send(404, b"not found", "text/plain")
        with open(path, "rb") as f:
            data = f.read()
        etag = '"%s"' % hashlib.sha1(data).hexdigest()[:16]
        val = [("ETag", etag), ("Last-Modified", LAST_MODIFIED)]
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm is not None and inm == etag) or (inm is None and ims == LAST_MODIFIED):
            return self.send(304, extra=val)
        ctype = "application/feed+json" if path.endswith(".json") else "application/xml"
        if compress:
            if "gzip" not in self.headers.get("Accept-Encoding", ""):
                return self.send(406, b"gzip only", "text/plain")
            data = gzip.compress(data)
            val.append(("Content-Encoding", "gzip"))
        self.send(200, data, ctype, val)

    def stream(self, total):
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.no_length()
        self.end_headers()
        self.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>')
        sent, i = 0, 0
        try:
            while sent < total:
                chunk = b"".join(big_item(i + k) for k in range(64))
                self.wfile.write(chunk)
                sent += len(chunk)
                i += 64
            self.wfile.write(b"</channel></rss>")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def endless(self, kind):
        if kind == "redirect":
            self.send_response(302)
            self.send_header("Location", "/page.html")
            block = b"x" * 65536
        else:
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            block = b"\x00\x00\x00\xff\xff" * 13000  # empty stored blocks
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Transfer-Encoding", "chunked")
        if kind != "redirect":
            # Not the redirect: libcurl leaves one that closes unread.
            self.no_length()
        self.end_headers()
        chunk = b"%x\r\n%s\r\n" % (len(block), block)
        try:
            if kind != "redirect":
                self.wfile.write(b"a\r\n\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\r\n")
            # 1 GB at most, should a client never stop reading.
            for _ in range(16384):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    def route(self):
        self.record()
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        p = url.path
        host = "%s:%d" % (self.server.origin, self.server.server_address[1])
        if p.startswith("/feeds/"):
            return self.corpus(urllib.parse.unquote(p[7:]), False)
        if p.startswith("/gzip/"):
            return self.corpus(urllib.parse.unquote(p[6:]), True)
        if p.startswith("/r/"):
            n, _, rest = p[3:].partition("/")
            loc = "/r/%d/%s" % (int(n) - 1, rest) if int(n) > 0 else "/" + rest
            return self.send(302, b"moved", "text/plain", [("Location", loc)])
        if p == "/loop":
            return self.send(302, b"moved", "text/plain", [("Location", "/loop")])
        if p.startswith("/status/"):
            extra = []
            self.clock = int(q["clock"][0]) if "clock" in q else 0
            if "after" in q:
                extra.append(("Retry-After", q["after"][0]))
            if "date" in q:
                extra.append(("Retry-After", email.utils.formatdate(
                    time.time() + self.clock + int(q["date"][0]), usegmt=True)))
            return self.send(int(p[8:]), b"status page", "text/html", extra)
        if p == "/big":
            items = b"".join(big_item(i) for i in range(5 * 1024 * 1024 // 1000))
            return self.send(200, b'<?xml version="1.0"?><rss version="2.0"><channel>'
                             + items + b"</channel></rss>", "application/rss+xml")
        if p == "/huge":
            return self.stream(100 * 1000 * 1000)
        if p == "/stall":
            body = rss([("Stalled", "https://example.org/s", "s", "", STORY)] * 40)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.no_length()
            self.end_headers()
            try:
                self.wfile.write(body[:2000])
                self.wfile.flush()
                time.sleep(60)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass
            return None
        if p == "/invalid-utf8":
            return self.send(200, b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
                             b"<channel><title>Bad</title><item><title>Caf\xe9 \xc0\xaf</title>"
                             b"<link>https://example.org/1</link><guid>u1</guid><description>"
                             b"broken \xff\xfe bytes \xc3( here</description></item>"
                             b"</channel></rss>", "application/rss+xml; charset=utf-8")
        if p == "/latin1":
            body = ('<?xml version="1.0"?><rss version="2.0"><channel><title>L</title>'
                    "<item><title>Caf\xe9 cr\xe8me</title><link>https://example.org/l</link>"
                    "<description>na\xefve</description></item></channel></rss>").encode("latin-1")
            return self.send(200, body, "application/rss+xml; charset=iso-8859-1")
        if p == "/page.html":
            return self.send(200, PAGE.encode(), "text/html; charset=utf-8")
        if p == "/latin1-page.html":
            return self.send(200, LATIN1_PAGE.encode("cp1252"), "text/html; charset=iso-8859-1")
        if p == "/utf16-page.html":
            return self.send(200, PAGE.encode("utf-16"), "text/html; charset=utf-16")
        if p == "/teasers.xml":
            return self.send(200, rss([
                ("Breakwater opens", host + "/page.html", "t1", "Tue, 05 Mar 2024 09:00:00 GMT",
                 "The harbour authority opened the breakwater. Read more"),
                ("Full story", "https://example.org/full", "t2", "Mon, 04 Mar 2024 09:00:00 GMT",
                 STORY * 12)]), "application/rss+xml")
        if p == "/teasers-utf16.xml":
            return self.send(200, rss([
                ("Breakwater opens", host + "/utf16-page.html", "u1",
                 "Tue, 05 Mar 2024 09:00:00 GMT",
                 "The harbour authority opened the breakwater. Read more")]),
                "application/rss+xml")
        if p == "/shuffled.xml":
            days = [3, 5, 1, 4, 2]
            items = [("Day %d" % d, "https://example.org/%d" % d, "d%d" % d,
                      "Tue, %02d Mar 2024 09:00:00 GMT" % d, STORY) for d in days]
            items.insert(2, ("Undated", "https://example.org/u", "du", "", STORY))
            return self.send(200, rss(items).replace(b"<pubDate></pubDate>", b""),
                             "application/rss+xml")
        if p == "/rel/feed.xml":
            return self.send(200, rss([("Relative", "item1", "r1", "", "x")]),
                             "application/rss+xml")
        if p == "/to":
            extra = [("Retry-After", q["after"][0])] if "after" in q else []
            return self.send(302, b"moved", "text/plain", [("Location", q["u"][0])] + extra)
        if p == "/teaser.xml":
            time.sleep(float(q.get("d", ["0"])[0]))
            return self.send(200, rss([
                ("Linked story", q["link"][0], "l1", "Tue, 05 Mar 2024 09:00:00 GMT",
                 "The harbour authority opened the breakwater. Read more")]),
                "application/rss+xml")
        if p == "/slow.xml":
            d = q.get("d", ["1"])[0]
            tag = "&t=" + q["t"][0] if "t" in q else ""
            body = rss([("Slow story %d" % k, host + "/slow/%d?d=%s%s" % (k, d, tag), "s%d" % k,
                         "Tue, %02d Mar 2024 09:00:00 GMT" % (10 - k),
                         "Slow story %d begins here. Read more" % k) for k in range(1, 7)])
            if "fresh" in url.query:
                return self.send(200, body, "application/rss+xml")
            etag = '"slow-%s"' % hashlib.sha1(body).hexdigest()[:12]
            if self.headers.get("If-None-Match") == etag:
                return self.send(304, extra=[("ETag", etag)])
            return self.send(200, body, "application/rss+xml", [("ETag", etag)])
        if p.startswith("/slow/"):
            time.sleep(float(q.get("d", ["1"])[0]))
            page = PAGE.replace("Breakwater opens", "Slow story %s" % p[6:]).replace(
                "The harbour authority", "Slow story %s: the harbour authority" % p[6:])
            return self.send(200, page.encode(), "text/html; charset=utf-8")
        if p == "/broken.xml":
            # Well-formed up to its first item, then cut off.
            return self.send(200, rss([("Cut", "https://example.org/c", "c1", "", STORY)])[:-30],
                             "application/rss+xml")
        if p == "/encoded":
            # A body in the encoding ?e= names, whatever the client asked for
            # (a hostile server's zstd or br: their windows grow with the body).
            return self.send(200, b"\x28\xb5\x2f\xfd" + b"x" * 64, "application/rss+xml",
                             [("Content-Encoding", q.get("e", ["zstd"])[0])])
        if p == "/headers/long":
            return self.send(200, PAGE.encode(), "text/html; charset=utf-8",
                             [("X-Long", "v" * 200000)])
        if p.startswith("/headers/"):
            return self.send(200, PAGE.encode(), "text/html; charset=utf-8",
                             [("X-Line-%d" % i, "v") for i in range(int(p[9:]))])
        if p == "/garbage":
            # Bytes that are no HTTP response (no status line), then close.
            self.close_connection = True
            self.wfile.write(b"this is not HTTP at all\r\n\r\n")
            return None
        if p.startswith("/endless/"):
            return self.endless(p[9:])
        if p.startswith("/trickle/"):
            self.send_response(int(p[9:]))
            self.send_header("Content-Type", "text/html")
            self.no_length()
            self.end_headers()
            try:
                for _ in range(120):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.5)
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                pass
            return None
        return self.send(404, b"not found", "text/plain")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # failed handshakes are the point of some tests


def main():
    ap = argparse.ArgumentParser()
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--tls")
    mode.add_argument("--plain", action="store_true")
    ap.add_argument("--feeds", required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    ports = []
    lock = threading.Lock()
    active = {}
    listen = ((None, "127.0.0.1"), (None, "127.0.0.2")) if a.plain else (
        ("good", "127.0.0.1"), ("wrong", "127.0.0.1"), ("unknown", "127.0.0.1"),
        ("good", "127.0.0.2"))
    for name, addr in listen:
        srv = Server((addr, 0), Handler)
        srv.origin = "http://" + addr
        if name:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(os.path.join(a.tls, name + ".pem"),
                                os.path.join(a.tls, name + ".key"))
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
            # Links in generated feeds name the host the server answers on.
            srv.origin = "https://localhost" if addr == "127.0.0.1" else "https://" + addr
        srv.feeds, srv.log_path, srv.log_lock = a.feeds, a.log, lock
        srv.active, srv.own_active = active, {}
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        ports.append(str(srv.server_address[1]))
    tmp = a.ready + ".tmp"
    with open(tmp, "w") as f:
        f.write(" ".join(ports) + "\n")
    os.rename(tmp, a.ready)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
