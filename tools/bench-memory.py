# SPDX-License-Identifier: MIT
# `make bench`, memory part (docs/daemon.md, "Memory"): digestd's peak RSS for
# one cycle at the largest configuration check-config accepts, against a
# hostile feed and hostile pages of the largest sizes it accepts, beside the
# bound of src/core/limits.h and the unit's MemoryMax. Never fails on a miss.
"""Usage: python3 tools/bench-memory.py BUILD/digestd [--transfers N]

With --transfers N (default 1): [daemon] max_transfers = N, [http] max_size
the largest check-config accepts with N transfers (each transfer in flight
holds a body of max_size: the bound of limits.h), and N hostile sources, each
on its own loopback address (127.0.0.1 to 127.0.0.N, one server each, a
certificate naming them all), so that N large bodies can be in flight at
once. A daemon that runs one transfer at a time (before issue 11 phase 2)
measures only its sequential peak there; N > 1 is for the concurrent daemon.

Runs a local HTTPS server (the certificate of digest-sink --self-signed) that
serves, gzip-encoded, a windows-1252 RSS feed of exactly [http] max_size bytes
after decompression (its conversion to UTF-8 fills the 8 MiB conversion
buffer; one entry's escaped HTML fills the feed scratch; the rest are teasers)
and article pages of exactly the page cap (deeply nested, thousands of blocks),
plus one page of max_size (refused once the page buffer is full). digestd runs
one cycle (`run --once`) under GNU time, then again as a daemon whose VmRSS is
read after the poll and once the digest is delivered. The CA file is the
system's bundle plus that certificate, as the CA store costs with the system's
(left empty, ca_file means the system's bundle)."""

import gzip
import http.server
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading

# benchlib.py is beside this file; no __pycache__ written into the tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import start_sink, wait_for  # noqa: E402

LIMITS = "src/core/limits.h"
SYSTEM_CA = "/etc/ssl/certs/ca-certificates.crt"
# Static data only other commands use (fetch's 8 MiB, summarize's arena).
OTHER_COMMANDS = ("src/cmd/fetch.c", "src/cmd/fetch_source.c", "src/cmd/summarize.c",
                  "src/cmd/check_config.c")
UNIT = "firmware/digestd.service"
TEASERS = 40  # teaser entries, each fetching a page of the page cap


def limits():
    """The #define NAME value lines of limits.h (continued lines joined) whose
    value is an integer expression of numbers (u suffixes), + * ( ) and names
    defined before."""
    vals = {}
    with open(LIMITS, encoding="utf-8") as f:
        text = re.sub(r"\\\n", " ", f.read())
        for line in text.splitlines():
            m = re.match(r"#define ([A-Z0-9_]+)\s+(.+?)\s*(/\*.*)?$", line)
            if not m:
                continue
            expr = re.sub(r"\b(\d+)u\b", r"\1", m.group(2))
            expr = re.sub(r"\b([A-Z][A-Z0-9_]+)\b",
                          lambda n: str(vals[n.group(1)]) if n.group(1) in vals else "?", expr)
            if re.fullmatch(r"[0-9+*()\s]+", expr):
                vals[m.group(1)] = eval(expr)  # digits, spaces and + * ( ) only
    return vals


def key_ranges(digestd):
    """(section, key) -> the "Allowed" column of `check-config --keys`."""
    out = subprocess.run([digestd, "check-config", "--keys"], capture_output=True,
                         text=True, check=True).stdout
    ranges, section = {}, None
    for line in out.splitlines():
        m = re.match(r"### \[(\w+)", line)
        if m:
            section = m.group(1)
            continue
        cols = [c.strip() for c in line.split("|")]
        if len(cols) > 5 and cols[1].startswith("`"):
            ranges[(section, cols[1].strip("`"))] = cols[4]
    return ranges


def size_value(s):
    n = int(s.rstrip("KMG"))
    return n << {"K": 10, "M": 20, "G": 30}.get(s[-1], 0)


def largest(ranges, section, key):
    """The upper end of "1K to 16M" or "64 to 262144"."""
    return ranges[(section, key)].split(" to ")[1]


def memory_max_kib():
    with open(UNIT, encoding="utf-8") as f:
        m = re.search(r"^MemoryMax=(\d+)M$", f.read(), re.M)
    return int(m.group(1)) * 1024 if m else None


def run_static_bytes(digestd, lim):
    """(bytes of .data/.bss `run` can touch, of which the seen-set's and the
    source tables'), from nm's symbol sizes and source lines; None without
    nm or debug information. The seen-set is part of struct daemon (one
    symbol), so its share is its two arrays' size from limits.h:
    SEEN_MAX_SLOTS index slots of 4 bytes and SEEN_MAX_CAPACITY keys of 32.
    The sources' tables (two configs in struct daemon, the loader's scratch)
    are touched only for the sources configured: CFG_MAX_SOURCES x
    CFG_SOURCE_RSS_BYTES at most, counted per source in the bound."""
    try:
        out = subprocess.run(["nm", "-S", "-l", "--defined-only", digestd],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    total = 0
    for line in out.splitlines():
        f = line.split()
        if len(f) < 4 or f[2] not in "bBdD" or len(f) < 5:
            continue
        if any(o in f[4] for o in OTHER_COMMANDS):
            continue
        total += int(f[1], 16)
    return (total, lim["SEEN_MAX_SLOTS"] * 4 + lim["SEEN_MAX_CAPACITY"] * 32,
            lim["CFG_MAX_SOURCES"] * lim["CFG_SOURCE_RSS_BYTES"])


def hostile_feed(size, base):
    """windows-1252 RSS of exactly size bytes: teasers first, one entry with
    600 KiB of escaped HTML, then a comment of bytes that grow 3x in UTF-8."""
    head = (b'<?xml version="1.0" encoding="windows-1252"?>\n<rss version="2.0"><channel>'
            b"<title>Hostile \x80 feed</title><link>%s/</link>\n" % base.encode())
    items = []
    for i in range(TEASERS):
        items.append(b"<item><title>Teaser %d \x93quoted\x94</title><link>%s/page/%d.html</link>"
                     b"<guid>bench-teaser-%d</guid><pubDate>Tue, 05 Mar 2024 09:%02d:00 GMT</pubDate>"
                     b"<description>A short teaser \x85 Read more</description></item>\n"
                     % (i, base.encode(), i, i, i % 60))
    # The page of max_size: fetched, refused as too large, teaser kept.
    items.append(b"<item><title>Oversized page</title><link>%s/big.html</link>"
                 b"<guid>bench-big</guid><description>Read more</description></item>\n"
                 % base.encode())
    para = b"&lt;p&gt;" + b"Escaped \x80 HTML text of a long entry, sentence after sentence. " * 8 + b"&lt;/p&gt;"
    items.append(b"<item><title>Long entry</title><guid>bench-long</guid><description>"
                 + para * (600 * 1024 // len(para)) + b"</description></item>\n")
    tail = b"</channel></rss>\n"
    body = head + b"".join(items)
    pad = size - len(body) - len(tail) - len(b"<!---->")
    if pad < 0:
        sys.exit("bench-memory: max_size %d is too small for the hostile feed" % size)
    filler = b"\x80\x85\x93\x94\x99 " * (pad // 6 + 1)
    return body + b"<!--" + filler[:pad] + b"-->" + tail


def hostile_page(size, n):
    """HTML of exactly size bytes: nested containers and many paragraphs of
    long sentences (the main-text finder's tables fill up)."""
    sentence = ("Sentence %d of a long hostile article, written to be kept in the summary "
                "because it is long and full of content words such as harbour, storm, "
                "budget, council, fishermen and tides. " % n).encode()
    head = b"<!DOCTYPE html><html><head><title>Page %d</title></head><body><article>" % n
    block = b"<div class=\"c\"><section><p>" + sentence * 3 + b"</p></section></div>\n"
    tail = b"</article></body></html>\n"
    count = (size - len(head) - len(tail)) // len(block)
    body = head + block * count
    pad = size - len(body) - len(tail)
    return body + b" " * pad + tail


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        srv = self.server
        if self.path == "/feed.xml":
            self.send_gz(srv.feed_gz, "application/rss+xml")
        elif self.path == "/big.html":
            self.send_gz(srv.big_gz, "text/html; charset=utf-8")
        elif self.path.startswith("/page/"):
            self.send_gz(srv.page_gz, "text/html; charset=utf-8")
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def send_gz(self, data, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def start_server(tls_dir, feed, page, big, addr="127.0.0.1"):
    srv = http.server.ThreadingHTTPServer((addr, 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(tls_dir, "cert.pem"), os.path.join(tls_dir, "key.pem"))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    srv.feed_gz = gzip.compress(feed, 6)
    srv.page_gz = gzip.compress(page, 6)
    srv.big_gz = gzip.compress(big, 6)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def status_kib(pid, field):
    with open("/proc/%d/status" % pid, encoding="utf-8") as f:
        m = re.search(r"^%s:\s+(\d+) kB" % field, f.read(), re.M)
    return int(m.group(1)) if m else 0


def write_config(ini, max_size, bases, **kw):
    """The bench's digestd.ini: one hostile source per base URL."""
    sources = "".join("""[source hostile%d]
url = %s/feed.xml
type = feed
max_items = %s
fetch_pages = yes
""" % (i, b, kw["max_items"]) for i, b in enumerate(bases))
    with open(ini, "w", encoding="utf-8") as f:
        f.write("""[daemon]
state_dir = %(tmp)s/state
max_transfers = %(transfers)d
[http]
ca_file = %(ca)s
max_size = %(max_size)d
timeout = 600s
low_speed_limit = 1
min_host_delay = 0s
%(sources)s[digest]
schedule = 1m
max_articles = %(max_articles)s
sentences = %(sentences)s
seen_capacity = %(seen_capacity)s
outbox_max = 1G
[endpoint]
url = https://localhost:%(sink_port)d/digest
ca_file = %(ca)s
signing_key_file = %(key)s
timeout = 600s
""" % dict(kw, max_size=max_size, sources=sources))


def largest_accepted(digestd, ini, top, bases, kw):
    """(max_size, check-config's output): the largest size, from top down in
    MiB and then halving, that check-config accepts with kw's transfers."""
    sizes = [m << 20 for m in range(top >> 20, 0, -1)] + [512 << 10, 256 << 10, 128 << 10]
    for size in sizes:
        write_config(ini, size, bases, **kw)
        p = subprocess.run([digestd, "check-config", "--config", ini], capture_output=True,
                           text=True)
        if p.returncode == 0:
            return size, p.stdout
    sys.exit("bench-memory: check-config accepts no max_size with max_transfers = %d:\n%s"
             % (kw["transfers"], p.stderr))


def loopback_cert(tls_dir, n):
    """A self-signed certificate for localhost and 127.0.0.1 to 127.0.0.n."""
    os.makedirs(tls_dir, exist_ok=True)
    san = ",".join(["DNS:localhost"] + ["IP:127.0.0.%d" % (i + 1) for i in range(n)])
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=" + san,
                    "-keyout", os.path.join(tls_dir, "key.pem"),
                    "-out", os.path.join(tls_dir, "cert.pem")],
                   check=True, capture_output=True)


def main():
    args = sys.argv[1:]
    transfers = 1
    if len(args) == 3 and args[1] == "--transfers" and args[2].isdigit() and int(args[2]) > 0:
        transfers = int(args[2])
    elif len(args) != 1:
        sys.exit(__doc__.splitlines()[0])
    digestd = args[0]
    sink = os.path.join(os.path.dirname(digestd), "digest-sink")
    lim = limits()
    ranges = key_ranges(digestd)
    top = size_value(largest(ranges, "http", "max_size"))
    cfgmax = {k: largest(ranges, s, k) for s, k in
              [("digest", "seen_capacity"), ("digest", "max_articles"), ("digest", "sentences"),
               ("source", "max_items")]}
    tmp = tempfile.mkdtemp(prefix="bench-memory.")
    procs = []
    try:
        key = os.path.join(tmp, "key")
        subprocess.run(["sh", "tools/signing-key.sh", key], check=True)
        sink_proc, sink_port = start_sink([sink, "--self-signed", os.path.join(tmp, "tls"),
                                           "--store", os.path.join(tmp, "store"),
                                           "--signing-key", key], tmp, "sink")
        procs.append(sink_proc)
        # One host per source, so that the per-host cap (2) does not hold
        # the transfers back; one transfer keeps the sink's certificate.
        tls = os.path.join(tmp, "tls")
        if transfers > 1:
            tls = os.path.join(tmp, "tls-sources")
            loopback_cert(tls, transfers)
        servers = [start_server(tls, b"", b"", b"", "127.0.0.%d" % (i + 1))
                   for i in range(transfers)]
        ca = os.path.join(tmp, "ca.pem")
        with open(ca, "wb") as out:
            for path in (SYSTEM_CA, os.path.join(tmp, "tls", "cert.pem"),
                         os.path.join(tls, "cert.pem")):
                if os.path.exists(path):
                    with open(path, "rb") as f:
                        out.write(f.read())
        if transfers == 1:
            bases = ["https://localhost:%d" % servers[0].server_address[1]]
        else:
            bases = ["https://127.0.0.%d:%d" % (i + 1, srv.server_address[1])
                     for i, srv in enumerate(servers)]
        ini = os.path.join(tmp, "digestd.ini")
        kw = dict(cfgmax, tmp=tmp, ca=ca, sink_port=sink_port, key=key, transfers=transfers)
        max_size, dump = largest_accepted(digestd, ini, top, bases, kw)
        m = re.search(r"^; memory bound: (\d+) MiB", dump, re.M)
        bound_mib = int(m.group(1)) if m else None
        page_cap = min(max_size, lim.get("SOURCE_PAGE_BYTES", max_size))
        feed = b""
        for srv, base in zip(servers, bases):
            feed = hostile_feed(max_size, base)
            srv.feed_gz = gzip.compress(feed, 6)
            srv.page_gz = gzip.compress(hostile_page(page_cap, 1), 6)
            srv.big_gz = gzip.compress(hostile_page(max_size, 2), 6)

        print("== 4. Memory: one cycle at the largest accepted configuration, hostile input ==")
        print("config: [daemon] max_transfers = %d; [http] max_size = %d (%.2f MiB, the largest "
              "accepted with that many transfers), page buffer %d (%.2f MiB); %d source(s): [source] "
              "max_items = %s, fetch_pages = yes; [digest] seen_capacity = %s, max_articles = %s, "
              "sentences = %s" % (transfers, max_size, max_size / 2**20, page_cap,
                                  page_cap / 2**20, len(bases), cfgmax["max_items"],
                                  cfgmax["seen_capacity"], cfgmax["max_articles"],
                                  cfgmax["sentences"]))
        print("input over HTTPS, gzip, per source: a windows-1252 feed of %d bytes (%d teasers, "
              "one entry of 600 KiB escaped HTML), pages of %d bytes, one of %d bytes" %
              (len(feed), TEASERS, page_cap, max_size))

        log = os.path.join(tmp, "once.log")
        rss = os.path.join(tmp, "rss")
        with open(log, "w") as lf:
            rc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss, digestd, "run", "--once",
                                 "--config", ini], stdout=lf, stderr=subprocess.STDOUT).returncode
        with open(rss, encoding="utf-8") as f:
            peak = int(f.read().split()[-1])
        with open(log, encoding="utf-8", errors="replace") as f:
            text = f.read()
        cycle = re.search(r"one cycle done: .*", text)
        print("run --once: exit %d; %s" % (rc, cycle.group(0) if cycle else "no cycle line"))
        for line in text.splitlines():
            if re.search(r"too large|composed|cannot|error", line):
                print("  log: " + line[20:])

        # The daemon: what stays resident once the large cycle is over.
        shutil.rmtree(os.path.join(tmp, "state"))
        dlog = os.path.join(tmp, "daemon.log")
        with open(dlog, "w") as lf:
            d = subprocess.Popen([digestd, "run", "--config", ini], stdout=lf,
                                 stderr=subprocess.STDOUT)
        procs.append(d)
        polled = wait_for(dlog, r"source hostile%d: \d+ new articles" % (transfers - 1), 600)
        after_poll = status_kib(d.pid, "VmRSS")
        anon, files = status_kib(d.pid, "RssAnon"), status_kib(d.pid, "RssFile")
        # The first digest is due a minute after start (schedule = 1m).
        delivered = polled and wait_for(dlog, r"delivered", 180)
        hwm, vmrss = status_kib(d.pid, "VmHWM"), status_kib(d.pid, "VmRSS")
        d.send_signal(signal.SIGTERM)
        d.wait(timeout=30)

        mm = memory_max_kib()
        print("peak RSS (GNU time %%M) of run --once: %d KiB (%.1f MiB)" % (peak, peak / 1024))
        print("daemon: VmHWM %d KiB (%.1f MiB); VmRSS after the poll %d KiB (%.1f MiB), once "
              "the digest was delivered %d KiB (%.1f MiB)%s" %
              (hwm, hwm / 1024, after_poll, after_poll / 1024, vmrss, vmrss / 1024,
               "" if delivered else " (the digest was NOT delivered)"))
        print("daemon after the poll: RssAnon %d KiB (static data, heap, stacks), RssFile %d KiB "
              "(the binary and the shared libraries)" % (anon, files))
        st = run_static_bytes(digestd, lim)
        if st:
            rest = st[0] - st[1] - st[2] - lim["FEED_CONVERT_BYTES"]
            print("static data run can touch (nm): %d KiB; without the seen-set (%d KiB), the "
                  "sources' tables (%d KiB for %d, counted per source) and the feed conversion "
                  "buffer (%d KiB): %d KiB, RUN_RSS_OWN_BYTES allows %d KiB"
                  % (st[0] // 1024, st[1] // 1024, st[2] // 1024, lim["CFG_MAX_SOURCES"],
                     lim["FEED_CONVERT_BYTES"] // 1024, rest // 1024,
                     lim.get("RUN_RSS_OWN_BYTES", 0) // 1024))
        if bound_mib:
            print("bound of this config (check-config's memory bound line): %d KiB (%d MiB): "
                  "peak %s" % (bound_mib * 1024, bound_mib,
                               "under it" if max(peak, hwm) <= bound_mib * 1024
                               else "OVER IT (missed)"))
        else:
            print("bound: check-config printed no memory bound line")
        if mm:
            print("unit MemoryMax: %d KiB (%d MiB): peak %s" %
                  (mm, mm // 1024, "under it" if max(peak, hwm) < mm else "OVER IT (missed)"))
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
