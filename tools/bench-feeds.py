# SPDX-License-Identifier: MIT
# `make bench`, cycle part: the loopback feed server of tools/bench-cycle.py.
# N RSS feeds on N loopback addresses (one port), plain HTTP, a seeded mix of
# hanging, slow and teaser hosts. Python standard library only.
"""Usage: python3 tools/bench-feeds.py --feeds N --ready FILE --plan FILE --log FILE
                                    [--seed S] [--slow SECONDS]

Host i (from 0) is 127.0.X.Y with X = 1 + i // 250 and Y = 1 + i % 250 (Linux
routes all of 127.0.0.0/8 to lo), every host on the same port: each is a host
of its own to a client (its own connections, per-host cap and delay). Plain
HTTP: TLS would add the same handshake cost to both runs the benchmark
compares, and Python's TLS would be the bottleneck on 2 cores.

The mix, fixed by the seed (round(N x share), at least one of each):
  2 %   hang: read the request, never answer, close when the client does
  10 %  slow: every answer after --slow seconds (default 2)
  the rest answer at once.
  10 % of the hosts that do not hang carry teasers: their feed holds 2 short
  entries ("... Read more") linking to /page/1.html and /page/2.html on the
  same host, fetched by digestd with fetch_pages = yes; on every other teaser
  host page 2 is slow (and every page of a slow host is).
The other feeds hold 3 full-text entries drawn from a pool of 200 wire
stories (links https://wire.example/story/K.html, never fetched): the same
story in several feeds is one article, so 1,000 feeds still make one digest
(digestd's pending list and a digest hold at most 500 articles).

Routes: /feed.xml, /page/1.html and /page/2.html on teaser hosts; 404
otherwise. HTTP/1.1 with keep-alive.

The ready file receives the port once every address listens; before that,
the plan file receives the mix as JSON (port, slow, and per feed: name, host,
url, kind hang|slow|fast, teaser, pages [{url, slow}], links of its entries).
The log file gets one line per request as it arrives: Unix time, host, path.
"""

import argparse
import asyncio
import email.utils
import errno
import json
import os
import random
import resource
import sys
import time
from xml.sax.saxutils import escape

HANG_SHARE = 0.02
SLOW_SHARE = 0.10
TEASER_SHARE = 0.10
POOL = 200             # wire stories shared by the full-text feeds
FULL_ENTRIES = 3       # entries of a full-text feed
TEASER_PAGES = 2       # teaser entries (and pages) of a teaser feed
BASE_DATE = 1709629200  # 2024-03-05 09:00 UTC: entries are dated back from it
PORT_TRIES = 20

SUBJECTS = ["The city council", "The regional transport board", "A group of fishermen",
            "The harbour authority", "Local teachers", "The county health service",
            "A farmers' cooperative", "The university library", "Two rival bakeries",
            "The mountain rescue team", "The water company", "A youth orchestra"]
VERBS = ["approved", "rejected", "postponed", "debated", "announced", "questioned",
         "welcomed", "revised"]
OBJECTS = ["a new bridge budget", "the winter storm plan", "longer opening hours",
           "a ban on night flights", "the school bus timetable", "a repair fund for the pier",
           "a cheaper ferry fare", "the plan for a solar farm", "a festival in the old market",
           "new rules for street parking"]
PLACES = ["Harbourton", "Millbrook", "Eastfield", "Kingsbridge", "Larkhill", "Northwick",
          "Ravensby", "Stonehaven", "Westmoor", "Ashcombe"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
DETAILS = ["Officials said the decision would affect about {n} residents.",
           "The measure had been discussed for {n} weeks before the vote.",
           "Critics said the cost of {n} thousand euros was too high for the town.",
           "Supporters gathered {n} signatures in favour of the proposal.",
           "A final report on the matter is expected within {n} days.",
           "Around {n} people attended the public meeting in the town hall."]


def share(n, frac):
    return max(1, int(n * frac + 0.5))


def host_of(i):
    return "127.0.%d.%d" % (1 + i // 250, 1 + i % 250)


def story(k, seed):
    """(title, sentences) of wire story k: deterministic from the seed."""
    r = random.Random(seed * 1000003 + k)
    subj, verb, obj = r.choice(SUBJECTS), r.choice(VERBS), r.choice(OBJECTS)
    place, day = r.choice(PLACES), r.choice(DAYS)
    title = "Story %d: %s of %s %s %s" % (k, subj, place, verb, obj)
    lead = "%s of %s %s %s on %s." % (subj, place, verb, obj, day)
    details = [d.format(n=r.randint(3, 900)) for d in r.sample(DETAILS, 4)]
    return title, [lead] + details


def make_plan(n, seed, slow, port):
    rng = random.Random(seed)
    order = list(range(n))
    rng.shuffle(order)
    hang = set(order[:min(n, share(n, HANG_SHARE))])
    rest = order[len(hang):]
    slow_hosts = set(rng.sample(rest, min(len(rest), share(n, SLOW_SHARE))))
    teasers = sorted(rng.sample(rest, min(len(rest), share(n, TEASER_SHARE))))
    feeds = []
    slot = 0
    for i in range(n):
        host = host_of(i)
        base = "http://%s:%d" % (host, port)
        kind = "hang" if i in hang else "slow" if i in slow_hosts else "fast"
        f = {"name": "f%04d" % (i + 1), "host": host, "url": base + "/feed.xml", "kind": kind,
             "teaser": i in teasers, "pages": [], "links": []}
        if f["teaser"]:
            rank = teasers.index(i)
            for j in range(1, TEASER_PAGES + 1):
                url = "%s/page/%d.html" % (base, j)
                f["pages"].append({"url": url,
                                   "slow": kind == "slow" or (j == 2 and rank % 2 == 0)})
                f["links"].append(url)
        else:
            for _ in range(FULL_ENTRIES):
                f["links"].append("https://wire.example/story/%d.html" % (slot % POOL))
                slot += 1
        feeds.append(f)
    return {"port": port, "seed": seed, "slow": slow, "feeds": feeds}


def teaser_story(feed, j, seed):
    """(title, sentences) behind teaser j (from 1) of a teaser feed."""
    title, sents = story(100000 + int(feed["name"][1:]) * 10 + j, seed)
    return "Report %s-%d: %s" % (feed["name"], j, title.split(": ", 1)[1]), sents


def rss(feed, seed):
    items = []
    for j, link in enumerate(feed["links"]):
        if feed["teaser"]:
            title, sents = teaser_story(feed, j + 1, seed)
            text = sents[0] + " Read more"
        else:
            k = int(link.rsplit("/", 1)[1].split(".")[0])
            title, sents = story(k, seed)
            text = " ".join(sents)
        date = email.utils.formatdate(BASE_DATE - 60 * (j + 1), usegmt=True)
        items.append("<item><title>%s</title><link>%s</link><pubDate>%s</pubDate>"
                     "<description>%s</description></item>" %
                     (escape(title), escape(link), date, escape(text)))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            "<title>Bench feed %s</title><link>%s</link>"
            "<description>Loopback benchmark feed</description>\n%s\n</channel></rss>\n" %
            (feed["name"], feed["url"][:-len("feed.xml")], "\n".join(items))).encode()


def page(feed, j, seed):
    """The article page behind teaser j (1-based): every sentence says "full
    report", which the teaser does not, so an expanded teaser shows."""
    title, sents = teaser_story(feed, j, seed)
    paras = []
    for n, s in enumerate(sents):
        paras.append("<p>%s, according to the full report number %d.</p>" %
                     (escape(s.rstrip(".")), n + 1))
    return ("<!DOCTYPE html><html lang=\"en\"><head><title>%s</title></head><body>"
            "<nav><a href=\"/\">Home</a></nav><article><h1>%s</h1>%s</article>"
            "<footer>Bench</footer></body></html>" %
            (escape(title), escape(title), "".join(paras))).encode()


class Server:
    def __init__(self, log):
        self.log = log
        self.slow = 0.0
        self.by_host = {}

    def load(self, plan):
        """The answers of every host: before the ready file, so before any
        request the benchmark makes."""
        self.slow = plan["slow"]
        for f in plan["feeds"]:
            routes = {"/feed.xml": (rss(f, plan["seed"]), "application/rss+xml",
                                    f["kind"] == "slow")}
            for j, p in enumerate(f["pages"]):
                routes["/page/%d.html" % (j + 1)] = (page(f, j + 1, plan["seed"]),
                                                     "text/html; charset=utf-8", p["slow"])
            self.by_host[f["host"]] = (f["kind"], routes)

    async def serve(self, reader, writer):
        host = writer.get_extra_info("sockname")[0]
        kind, routes = self.by_host[host]
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
                    return
                words = head.split(b"\r\n", 1)[0].split()
                path = words[1].decode("latin-1") if len(words) > 1 else "?"
                self.log.write("%.3f\t%s\t%s\n" % (time.time(), host, path))
                self.log.flush()
                if kind == "hang":
                    # Never answer: read until the client gives up and closes.
                    while await reader.read(4096):
                        pass
                    return
                body, ctype, slow = routes.get(path, (b"not found\n", "text/plain", False))
                if slow:
                    await asyncio.sleep(self.slow)
                status = "200 OK" if path in routes else "404 Not Found"
                writer.write(("HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" %
                              (status, ctype, len(body))).encode() + body)
                await writer.drain()
                if b"connection: close" in head.lower():
                    return
        except OSError:
            return
        finally:
            writer.close()


async def listen_all(server, hosts):
    """Listens on every host at one port; returns (port, servers)."""
    for _ in range(PORT_TRIES):
        servers = []
        try:
            first = await asyncio.start_server(server.serve, hosts[0], 0, backlog=64)
            servers.append(first)
            port = first.sockets[0].getsockname()[1]
            for h in hosts[1:]:
                servers.append(await asyncio.start_server(server.serve, h, port, backlog=64))
            return port, servers
        except OSError as e:
            for s in servers:
                s.close()
            if e.errno != errno.EADDRINUSE:
                raise
    raise SystemExit("bench-feeds: no port free on all %d addresses after %d tries" %
                     (len(hosts), PORT_TRIES))


def write_file(path, text):
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


async def main_async(args):
    hosts = [host_of(i) for i in range(args.feeds)]
    with open(args.log, "a", encoding="utf-8") as log:
        # The port comes first, the plan (its URLs) from it.
        server = Server(log)
        port, _servers = await listen_all(server, hosts)
        plan = make_plan(args.feeds, args.seed, args.slow, port)
        server.load(plan)
        write_file(args.plan, json.dumps(plan, indent=1) + "\n")
        write_file(args.ready, "%d\n" % port)
        await asyncio.Event().wait()


def main():
    ap = argparse.ArgumentParser(usage=__doc__.splitlines()[0][7:])
    ap.add_argument("--feeds", type=int, required=True)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--plan", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--slow", type=float, default=2.0)
    args = ap.parse_args()
    if not 1 <= args.feeds <= 250 * 254:
        sys.exit("bench-feeds: --feeds must be 1 to 63500")
    # One socket per host, and the connections: more than the usual 1,024.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.feeds + 1024
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE,
                           (want if hard == resource.RLIM_INFINITY else min(want, hard), hard))
    try:
        asyncio.run(main_async(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
