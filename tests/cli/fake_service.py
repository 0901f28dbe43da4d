#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A fake of one chat or notification service on loopback, over TLS, for
the endpoint tests: it checks each request the way the real service does
(method, path, token, headers, JSON schema, size limits) and answers like it,
its errors and rate limits included.

  fake_service.py --kind ntfy|matrix|slack|discord|telegram --cert PEM --key PEM
                  --ready FILE --log FILE [--token T] [--limit N] [--port P]

--token: the bearer token (ntfy, matrix) or bot token (telegram) it wants;
for slack and discord the secret part of the webhook path. --limit N: the
first N valid requests get the service's rate-limit answer. Each request is
one JSON line in --log: kind, method, path (a Telegram token shown as ***),
status, what was checked, the body's SHA-256 (sha, to count deliveries by
content), its title and body (text) and the part "k/n" they name ("" for
none). The ready file gets the port. Telegram's chat -4242 is a group made a
supergroup: refused with its new id, -1004242, as Telegram does. ntfy's
topic "hostile" is refused with an answer a hostile server would write:
raw controls a terminal acts on (ESC, DEL, U+009B as UTF-8, a lone 0x9B),
U+2028 and a right-to-left override, each before a fake log line.
"""
import argparse
import email.header
import hashlib
import html
import http.server
import json
import os
import re
import ssl
import sys
import urllib.parse

A = None
STATE = {"limited": 0, "txn": {}}


def rfc2047(value):
    """A header value with RFC 2047 words decoded, as ntfy does."""
    return str(email.header.make_header(email.header.decode_header(value)))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", ctype="application/json", headers=None, note=""):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        # Logged before the answer goes out: a client that got it may exit
        # at once, and the tests read the log as soon as it has.
        path = self.path.replace(A.token, "***") if A.token and A.kind == "telegram" else self.path
        data = getattr(self, "data", b"")
        text = rfc2047(self.headers.get("Title", "")) + data.decode("utf-8", "replace")
        part = re.search(r"\((\d+)/(\d+)\)", text)
        with open(A.log, "a", encoding="utf-8") as f:
            f.write(json.dumps({"kind": A.kind, "method": self.command, "path": path,
                                "status": status, "note": note,
                                "sha": hashlib.sha256(data).hexdigest(), "text": text,
                                "part": part.group(1) + "/" + part.group(2) if part else ""})
                    + "\n")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n)

    def limited(self):
        if STATE["limited"] < A.limit:
            STATE["limited"] += 1
            return True
        return False

    def bearer_ok(self):
        return self.headers.get("Authorization", "") == "Bearer " + A.token

    def do_PUT(self):
        self.route()

    def do_POST(self):
        self.route()

    def route(self):
        data = self.data = self.body()
        getattr(self, "kind_" + A.kind)(data)

    # ntfy: POST /<topic>; message up to 4096 bytes (the default limit).
    def kind_ntfy(self, data):
        if self.command != "POST" or self.path.count("/") != 1 or len(self.path) < 2:
            return self.answer(404, {"code": 40401, "http": 404, "error": "page not found"})
        if A.token and not self.bearer_ok():
            return self.answer(401, {"code": 40101, "http": 401, "error": "unauthorized"})
        if self.path == "/hostile":
            return self.answer(400, b'{"error":"x\x1b[2J\x7f\xc2\x9b31m\x9b31m'
                               b'\xe2\x80\xa8<3>fake line\xe2\x80\xaeenil"}')
        if len(data) > 4096:
            return self.answer(413, {"code": 41301, "http": 413, "error": "message too large"})
        prio = self.headers.get("Priority", "3")
        if prio not in ("1", "2", "3", "4", "5"):
            return self.answer(400, {"code": 40007, "http": 400, "error": "invalid priority"})
        if self.limited():
            return self.answer(429, {"code": 42901, "http": 429, "error": "limit reached"})
        title = rfc2047(self.headers.get("Title", ""))
        self.answer(200, {"id": "x", "event": "message", "topic": self.path[1:],
                          "title": title, "message": data.decode()},
                    note=json.dumps({"title": title, "priority": prio,
                                     "tags": self.headers.get("Tags", ""),
                                     "markdown": self.headers.get("Markdown", "")}))

    # Matrix: PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId}.
    def kind_matrix(self, data):
        parts = self.path.split("/")
        if (self.command != "PUT" or len(parts) != 9 or parts[1:6] !=
                ["_matrix", "client", "v3", "rooms", parts[5]] or parts[6:8] != ["send", "m.room.message"]):
            return self.answer(404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})
        if not self.headers.get("Authorization"):
            return self.answer(401, {"errcode": "M_MISSING_TOKEN", "error": "Missing access token"})
        if not self.bearer_ok():
            return self.answer(401, {"errcode": "M_UNKNOWN_TOKEN", "error": "Unknown access token"})
        if len(data) > 65536:
            return self.answer(413, {"errcode": "M_TOO_LARGE", "error": "event too large"})
        try:
            ev = json.loads(data)
            ok = ev.get("msgtype") == "m.text" and isinstance(ev.get("body"), str)
        except ValueError:
            ok = False
        if not ok:
            return self.answer(400, {"errcode": "M_BAD_JSON", "error": "bad event"})
        if self.limited():
            return self.answer(429, {"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests",
                                     "retry_after_ms": 2500})
        room = urllib.parse.unquote(parts[5])
        txn = urllib.parse.unquote(parts[8])
        if room[:1] not in ("!", "#") or ":" not in room:
            return self.answer(400, {"errcode": "M_INVALID_PARAM", "error": "bad room id"})
        # A transaction id seen before gets the same event: no second post.
        again = txn in STATE["txn"]
        event = STATE["txn"].setdefault(txn, "$ev%d" % len(STATE["txn"]))
        self.answer(200, {"event_id": event}, note=json.dumps({"room": room, "txn": txn,
                                                               "again": again}))

    # Slack incoming webhook: POST /services/T/B/<secret>; "ok" in text/plain.
    def kind_slack(self, data):
        if self.command != "POST" or self.path != "/services/T000/B000/" + A.token:
            return self.answer(404, "no_service", "text/html")
        if self.headers.get("Content-Type", "").split(";")[0] != "application/json":
            return self.answer(400, "invalid_payload", "text/html")
        try:
            msg = json.loads(data)
            ok = isinstance(msg.get("text"), str) or isinstance(msg.get("blocks"), list)
        except ValueError:
            ok = False
        if not ok:
            return self.answer(400, "invalid_payload", "text/html")
        if self.limited():
            return self.answer(429, "rate_limited", "text/html", {"Retry-After": "7"})
        self.answer(200, "ok", "text/html")

    # Discord webhook: POST /api/webhooks/<id>/<token>[?wait=true].
    def kind_discord(self, data):
        path, _, query = self.path.partition("?")
        if self.command != "POST" or path != "/api/webhooks/1/" + A.token:
            return self.answer(404, {"message": "Unknown Webhook", "code": 10015})
        try:
            msg = json.loads(data)
        except ValueError:
            return self.answer(400, {"message": "Cannot send an empty message", "code": 50006})
        content = msg.get("content") or ""
        embeds = msg.get("embeds") or []
        total = len(content) + sum(len(e.get("description", "")) + len(e.get("title", ""))
                                   for e in embeds)
        if (not content and not embeds) or len(content) > 2000 or len(embeds) > 10 or \
                any(len(e.get("description", "")) > 4096 for e in embeds) or total > 6000:
            return self.answer(400, {"message": "Invalid Form Body", "code": 50035})
        if self.limited():
            return self.answer(429, {"message": "You are being rate limited.",
                                     "retry_after": 4.2, "global": False},
                               headers={"Retry-After": "5"})
        if "wait=true" in query.split("&"):
            return self.answer(200, {"id": "1", "content": content})
        self.answer(204)

    # Telegram Bot API: POST /bot<token>/sendMessage.
    def kind_telegram(self, data):
        if self.command != "POST" or not self.path.startswith("/bot") or \
                not self.path.endswith("/sendMessage"):
            return self.answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if self.path != "/bot%s/sendMessage" % A.token:
            return self.answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        try:
            msg = json.loads(data)
        except ValueError:
            msg = {}
        if "chat_id" not in msg or not isinstance(msg.get("text"), str):
            return self.answer(400, {"ok": False, "error_code": 400,
                                     "description": "Bad Request: message text is empty"})
        if str(msg["chat_id"]) == "-4242":
            return self.answer(400, {"ok": False, "error_code": 400,
                                     "description": "Bad Request: group chat was upgraded to "
                                                    "a supergroup chat",
                                     "parameters": {"migrate_to_chat_id": -1004242}})
        # Telegram counts the text after parsing its entities: the HTML
        # tags are not characters of the message, entities are one each.
        if len(html.unescape(re.sub(r"<[^>]*>", "", msg["text"]))) > 4096:
            return self.answer(400, {"ok": False, "error_code": 400,
                                     "description": "Bad Request: message is too long"})
        if self.limited():
            return self.answer(429, {"ok": False, "error_code": 429,
                                     "description": "Too Many Requests: retry after 3",
                                     "parameters": {"retry_after": 3}})
        self.answer(200, {"ok": True, "result": {"message_id": 1, "text": msg["text"]}},
                    note=json.dumps({"chat_id": msg["chat_id"]}))


def main():
    global A
    p = argparse.ArgumentParser()
    p.add_argument("--kind", required=True,
                   choices=["ntfy", "matrix", "slack", "discord", "telegram"])
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--ready", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--token", default="")
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--port", type=int, default=0)
    A = p.parse_args()
    srv = http.server.HTTPServer(("127.0.0.1", A.port), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(A.cert, A.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    # Written whole, then renamed: the tests read it as soon as it exists.
    with open(A.ready + ".tmp", "w", encoding="utf-8") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(A.ready + ".tmp", A.ready)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
