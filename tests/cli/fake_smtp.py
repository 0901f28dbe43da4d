#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""An SMTP submission server on loopback for the email endpoint tests, made
with Debian's python3-aiosmtpd: STARTTLS (--starttls) or implicit TLS
(--smtps) on the given certificate, AUTH PLAIN and LOGIN required when --user
is given, each message stored and parsed back with Python's email package.

  fake_smtp.py --ready FILE --store DIR [--cert PEM --key PEM (--starttls|--smtps)]
               [--user U --password P] [--fail CODE --limit N] [--refuse ADDR] [--drop N] [--host H]

--fail CODE --limit N: the first N messages get CODE (421, 451, 554...) at
DATA instead of being stored. --refuse ADDR: RCPT TO ADDR gets 550 (the
others are taken). --drop N: the first N messages are stored, then the
connection is cut before the reply to the final '.'. Message k (from 1) is stored as DIR/k.eml (the
bytes received), DIR/k.text and DIR/k.html (the decoded parts of its
multipart/alternative) and DIR/k.json (the envelope, the login, whether TLS
was on, and the headers From, To, Subject, Date, Message-ID, Content-Type).
Each session's login attempts go to DIR/auth.log. The ready file gets the port.
"""
import argparse
import asyncio
import email
import email.policy
import email.utils
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult

A = None
STATE = {"n": 0, "failed": 0}


def parse(raw):
    """The fields a test checks, read the way a mail client reads them."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {k: str(msg.get(k, "")) for k in ("From", "To", "Subject", "Date", "Message-ID",
                                               "MIME-Version")}
    out["Content-Type"] = msg.get_content_type()
    out["date_ok"] = email.utils.parsedate_to_datetime(out["Date"]) is not None \
        if out["Date"] else False
    parts = {}
    if msg.is_multipart():
        for p in msg.iter_parts():
            parts[p.get_content_type()] = (p.get_payload(decode=True), p.get_content_charset())
    return out, parts


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == A.refuse:
            return "550 5.1.1 <%s>: Recipient address rejected: no such user" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if STATE["failed"] < A.limit:
            STATE["failed"] += 1
            return "%d %s" % (A.fail, "4.3.0 try again later" if A.fail < 500
                              else "5.7.1 message refused")
        STATE["n"] += 1
        base = os.path.join(A.store, str(STATE["n"]))
        raw = envelope.original_content or envelope.content
        with open(base + ".eml", "wb") as f:
            f.write(raw)
        fields, parts = parse(raw)
        fields["mail_from"] = envelope.mail_from
        fields["rcpt_tos"] = envelope.rcpt_tos
        fields["login"] = session.auth_data
        fields["tls"] = server.transport.get_extra_info("ssl_object") is not None
        fields["charsets"] = {k: v[1] for k, v in parts.items()}
        for ctype, ext in (("text/plain", ".text"), ("text/html", ".html")):
            if ctype in parts:
                with open(base + ext, "wb") as f:
                    f.write(parts[ctype][0])
        with open(base + ".json", "w", encoding="utf-8") as f:
            json.dump(fields, f, indent=1, sort_keys=True)
        if STATE["n"] <= A.drop:
            server.transport.abort()  # taken, but the client never hears it
        return "250 2.0.0 OK stored as %d" % STATE["n"]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login.decode() == A.user and auth_data.password.decode() == A.password
    with open(os.path.join(A.store, "auth.log"), "a", encoding="utf-8") as f:
        f.write("%s %s tls=%s\n" % (mechanism, "ok" if ok else "refused",
                                    server.transport.get_extra_info("ssl_object") is not None))
    if not ok:
        return AuthResult(success=False, handled=False)  # aiosmtpd answers 535
    return AuthResult(success=True, auth_data=auth_data.login.decode())


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--starttls", action="store_true")
    ap.add_argument("--smtps", action="store_true")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--fail", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--refuse", default="")
    ap.add_argument("--drop", type=int, default=0)
    A = ap.parse_args()
    os.makedirs(A.store, exist_ok=True)
    ctx = None
    if A.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(A.cert, A.key)
    kw = {"hostname": "fake-smtp.test", "decode_data": False}
    if A.starttls:
        kw.update(tls_context=ctx, require_starttls=True)
    if A.user:
        # Without STARTTLS (a loopback test) AUTH must still be possible.
        kw.update(authenticator=authenticator, auth_required=True,
                  auth_require_tls=A.starttls)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(Handler(), loop=loop, **kw), A.host, 0,
        ssl=ctx if A.smtps else None))
    port = server.sockets[0].getsockname()[1]
    tmp = A.ready + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("%d\n" % port)
    os.rename(tmp, A.ready)
    try:
        loop.run_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
