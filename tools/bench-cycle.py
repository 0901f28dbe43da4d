# SPDX-License-Identifier: MIT
# `make bench`, cycle part (docs/bench.md, "One cycle over many feeds"): the
# wall time and peak RSS of one `run --once` cycle over N loopback feeds, one
# transfer at a time and concurrently, in the same run; then the idle daemon.
"""Usage: python3 tools/bench-cycle.py [BUILD/digestd] [--feeds N] [--transfers N]...
                               [--timeout S] [--slow S] [--idle S] [--seed N] [--quick]

tools/bench-feeds.py serves N feeds (default 1,000; --quick: 100) on N
loopback addresses: 2 % hang until digestd gives up ([http] timeout, --timeout,
default 10 s), 10 % answer after --slow seconds (default 2), the rest at once;
10 % carry teasers whose pages (fetch_pages = yes) are on the same host, some
slow. digestd runs one cycle (`run --once`, a fresh state folder, a fresh
digest-sink) with [daemon] max_transfers = 1, then with each --transfers given
(default: the key's default, from check-config), each under GNU time. Printed: each
run's wall time and peak RSS, their ratio, the sum of the latencies (what one
transfer at a time must take at least), the slowest host's own time and the
least time --transfers transfers at once can take, the articles each run
delivered (they must be equal, and be those the feeds hold), then the
wake-ups of the daemon idle after its first cycle over the same feeds
(tools/bench-idle.sh, --idle seconds, default 60; 0 skips it), with the
unit's watchdog. When digestd takes fewer sources than asked (check-config's
"too many sources"), it says so: without --feeds the run falls back to the
largest multiple of 10 it takes, with --feeds it stops (exit 78).

Exit status: 0; 1 when a run did not exit 0 or did not deliver the articles
the feeds hold; 78 when digestd refuses the configuration. Times are
reported, never checked. TEST_WRAPPER prefixes digestd and digest-sink."""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

# benchlib.py is beside this file; no __pycache__ written into the tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import start_sink, wait_for  # noqa: E402

DEFAULT_FEEDS = 1000
QUICK_FEEDS = 100
MAX_ITEMS = 3          # entries a feed holds at most (tools/bench-feeds.py)
UNIT = "firmware/digestd.service"
TARGET_RATIO = 10.0    # issue 11: concurrent at least 10x faster


def parse_args():
    ap = argparse.ArgumentParser(usage=__doc__.splitlines()[0][7:])
    ap.add_argument("digestd", nargs="?", default="build/digestd")
    ap.add_argument("--feeds", type=int)
    ap.add_argument("--transfers", type=int, action="append")
    ap.add_argument("--timeout", type=int, default=10)
    ap.add_argument("--slow", type=float, default=2.0)
    ap.add_argument("--idle", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.feeds is not None and a.feeds < 1:
        ap.error("--feeds must be at least 1")
    if not 1 <= a.timeout <= 3600:
        ap.error("--timeout must be 1 to 3600 seconds ([http] timeout)")
    if a.slow < 0 or a.slow >= a.timeout:
        ap.error("--slow must be at least 0 and under --timeout")
    if a.idle is None:
        a.idle = 10 if a.quick else 60
    return a


def watchdog_usec():
    """The unit's WatchdogSec= in microseconds (2 min when it cannot be read)."""
    try:
        with open(UNIT, encoding="utf-8") as f:
            m = re.search(r"^WatchdogSec=(\d+)(min|s)?$", f.read(), re.M)
    except OSError:
        m = None
    if not m:
        return 120000000
    return int(m.group(1)) * (60 if m.group(2) == "min" else 1) * 1000000


def config(path, sources, state, transfers, a, endpoint):
    """A digestd config: sources are (name, url, fetch_pages) triples."""
    lines = ["[daemon]", "state_dir = " + state, "log_level = info"]
    if transfers:
        lines.append("max_transfers = %d" % transfers)
    # A hanging host costs exactly the timeout: no earlier stall or connect
    # limit. poll_timeout leaves room for a feed and its pages at the timeout.
    # Failed sources (the hanging ones) wait an hour, not a minute, so that
    # the idle daemon is not polling them again. No per-host delay: it only
    # spaces requests to one host (a feed and its own pages here), and its
    # waiting, which concurrency hides, would flatter the ratio.
    lines += ["[http]", "connect_timeout = %ds" % min(a.timeout, 300),
              "timeout = %ds" % a.timeout, "low_speed_time = %ds" % a.timeout,
              "poll_timeout = %ds" % max(300, 4 * a.timeout), "min_host_delay = 0s",
              "backoff_base = 1h", "backoff_max = 6h",
              # The feeds and pages served are a few KiB; a small max_size
              # keeps up to 32 transfers and 1,000 sources inside the memory
              # bound that check-config enforces (docs/daemon.md, "Memory").
              "max_size = 128K"]
    for name, url, pages in sources:
        lines += ["[source %s]" % name, "url = " + url, "type = feed", "interval = 1d",
                  "max_items = %d" % MAX_ITEMS, "fetch_pages = " + ("yes" if pages else "no")]
    # Its wire stories are written from one template: grouping would join
    # them, and this measures the cycle, not the grouping.
    lines += ["[digest]", "schedule = 1h", "max_articles = 500", "group = no",
              "[endpoint]"] + endpoint
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def check_config(wrap, digestd, ini):
    p = subprocess.run(wrap + [digestd, "check-config", "--config", ini], capture_output=True,
                       text=True, check=False)
    return p.returncode, p.stdout, p.stderr


def source_cap(wrap, digestd, tmp, n, a, endpoint):
    """None when digestd takes n sources, else (its cap, check-config's line)."""
    ini = os.path.join(tmp, "cap.ini")
    config(ini, [("f%04d" % (i + 1), "http://127.0.0.1:9/%d.xml" % i, False) for i in range(n)],
           os.path.join(tmp, "state-cap"), 0, a, endpoint)
    rc, _, err = check_config(wrap, digestd, ini)
    m = re.search(r"^.*too many sources: at most (\d+).*$", err, re.M)
    if rc == 0 or not m:
        return None
    return int(m.group(1)), m.group(0)


def chain(f, a):
    """Seconds the host of feed f holds one transfer at a time."""
    if f["kind"] == "hang":
        return float(a.timeout)
    return (a.slow if f["kind"] == "slow" else 0.0) + sum(a.slow for p in f["pages"] if p["slow"])


def delivered(store):
    """(articles, URLs, teaser articles whose page text was taken)."""
    n, urls, expanded = 0, set(), 0
    for name in sorted(os.listdir(store)) if os.path.isdir(store) else []:
        if not name.endswith(".json"):
            continue
        with open(os.path.join(store, name), encoding="utf-8") as f:
            for art in json.load(f)["articles"]:
                # An item's "also" entries are articles of its story that
                # other feeds carried (digestd.digest/2).
                n += 1 + len(art.get("also", []))
                urls.add(art["url"])
                urls.update(o["url"] for o in art.get("also", []))
                if "/page/" in (art["url"] or "") and \
                        any("full report" in s for s in art["sentences"]):
                    expanded += 1
    return n, urls, expanded


def cycle(label, transfers, ctx):
    """One `run --once` over the plan's feeds, with its own state folder and
    digest-sink: a digest's id is a function of its articles, and the sink
    stores an id once. Prints the run's row; returns its figures."""
    a, tmp, wrap = ctx["args"], ctx["tmp"], ctx["wrap"]
    store = os.path.join(tmp, "store-" + label)
    tls = os.path.join(tmp, "tls")
    # The first sink makes the certificate, the second reuses it.
    if os.path.exists(os.path.join(tls, "cert.pem")):
        cert = ["--cert", os.path.join(tls, "cert.pem"), "--key", os.path.join(tls, "key.pem")]
    else:
        cert = ["--self-signed", tls]
    sink, port = start_sink(wrap + [ctx["sink"]] + cert + ["--store", store, "--signing-key",
                                                          ctx["key"]],
                            tmp, "sink-" + label, ctx["wait"])
    try:
        ini = os.path.join(tmp, label + ".ini")
        endpoint = ["url = https://localhost:%d/digest" % port,
                    "ca_file = " + os.path.join(tls, "cert.pem"),
                    "signing_key_file = " + ctx["key"], "timeout = 60s"]
        config(ini, ctx["sources"], os.path.join(tmp, "state-" + label), transfers, a, endpoint)
        rc, out, err = check_config(wrap, ctx["digestd"], ini)
        m = re.search(r"^max_transfers = (\d+)", out, re.M)
        if rc != 0 or not m:
            sys.stdout.write(err or "bench-cycle: check-config printed no max_transfers line\n")
            raise SystemExit(78)
        with open(ctx["reqlog"], encoding="utf-8") as f:
            before = len(f.readlines())
        log = os.path.join(tmp, label + ".log")
        rss = os.path.join(tmp, label + ".rss")
        with open(log, "w", encoding="utf-8") as lf:
            t0 = time.monotonic()
            rc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss] + wrap +
                                [ctx["digestd"], "run", "--once", "--config", ini],
                                stdout=lf, stderr=subprocess.STDOUT, check=False).returncode
            wall = time.monotonic() - t0
    finally:
        sink.terminate()
        sink.wait()
    with open(rss, encoding="utf-8") as f:
        peak = int(f.read().split()[-1])
    with open(ctx["reqlog"], encoding="utf-8") as f:
        reqs = [line.rstrip("\n").split("\t") for line in f.readlines()[before:]]
    with open(log, encoding="utf-8", errors="replace") as f:
        done = re.search(r"one cycle done: .*", f.read())
    n, urls, expanded = delivered(store)
    r = {"label": label, "transfers": int(m.group(1)), "wall": wall, "peak": peak, "rc": rc,
         "articles": n, "urls": urls, "expanded": expanded, "ini": ini}
    print("%-11s %13d %9.2f %14d %5d %9d %15d %9d" %
          (label, r["transfers"], wall, peak, rc, n, expanded, len(reqs)))
    times = [float(q[0]) for q in reqs]
    print("    digestd: %s; the server: %d feed and %d page requests, the last %.1f s after the "
          "first" % (done.group(0) if done else "no 'one cycle done' line",
                     sum(q[2] == "/feed.xml" for q in reqs), sum("/page/" in q[2] for q in reqs),
                     max(times) - min(times) if times else 0.0))
    return r


def main():
    a = parse_args()
    # Each row as soon as its run ends, also into a pipe or a file.
    sys.stdout.reconfigure(line_buffering=True)
    wrap = shlex.split(os.environ.get("TEST_WRAPPER", ""))
    digestd = a.digestd
    sink = os.path.join(os.path.dirname(digestd), "digest-sink")
    for tool, why in ((digestd, "make builds it"), (sink, "make builds it"),
                      ("/usr/bin/time", "make deps installs it")):
        if not os.access(tool, os.X_OK):
            sys.exit("bench-cycle: %s is missing (%s)" % (tool, why))
    tmp = tempfile.mkdtemp(prefix="bench-cycle.")
    server = None
    try:
        key = os.path.join(tmp, "key")
        subprocess.run(["sh", "tools/signing-key.sh", key], check=True)
        asked = a.feeds or (QUICK_FEEDS if a.quick else DEFAULT_FEEDS)
        # The cap check needs a valid endpoint: a placeholder one.
        placeholder = ["url = https://localhost:9/digest", "ca_file = " + key,
                       "signing_key_file = " + key]
        cap = source_cap(wrap, digestd, tmp, asked, a, placeholder)
        n = asked
        if cap:
            print("digestd takes at most %d sources (check-config: %s)" % (cap[0], cap[1].strip()))
            if a.feeds:
                print("bench-cycle: run with --feeds %d or fewer" % cap[0])
                return 78
            n = max(1, cap[0] - cap[0] % 10)
            print("this run: %d feeds instead of %d, the same mix scaled down" % (n, asked))

        reqlog = os.path.join(tmp, "requests.log")
        ready = os.path.join(tmp, "feeds.ready")
        plan_path = os.path.join(tmp, "plan.json")
        server = subprocess.Popen([sys.executable, "tools/bench-feeds.py", "--feeds", str(n),
                                   "--ready", ready, "--plan", plan_path, "--log", reqlog,
                                   "--seed", str(a.seed), "--slow", str(a.slow)])
        if not wait_for(ready, r"\d", 60):
            sys.exit("bench-cycle: tools/bench-feeds.py did not start")
        with open(plan_path, encoding="utf-8") as f:
            plan = json.load(f)
        ctx = {"args": a, "tmp": tmp, "wrap": wrap, "digestd": digestd, "sink": sink,
               "key": key, "reqlog": reqlog, "wait": 80 if wrap else 20,
               "sources": [(f["name"], f["url"], f["teaser"]) for f in plan["feeds"]]}
        total, slowest = header(a, plan)
        runs = [cycle("sequential", 1, ctx)]
        for i, k in enumerate(a.transfers or [None]):
            runs.append(cycle("concurrent" if i == 0 else "concurr-%d" % (i + 1), k, ctx))
        ok = summary(plan, runs, total, slowest)
        if a.idle > 0:
            idle(a, ctx, total, runs[1]["ini"])
        return 0 if ok else 1
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def header(a, plan):
    """Prints the mix, the config and the estimates; returns (sum of the
    latencies, the slowest host's time)."""
    feeds = plan["feeds"]
    teasers = [f for f in feeds if f["teaser"]]
    total = sum(chain(f, a) for f in feeds)
    slowest = max(chain(f, a) for f in feeds)
    print("== 5. One cycle over %d feeds (tools/bench-cycle.py) ==" % len(feeds))
    print("feeds: %d on loopback addresses 127.0.X.Y, port %d, plain HTTP (seed %d): "
          "%d hang, %d answer after %g s, %d at once; %d carry 2 teasers each (fetch_pages = "
          "yes, pages on the same host, %d of them slow)" %
          (len(feeds), plan["port"], plan["seed"], sum(f["kind"] == "hang" for f in feeds),
           sum(f["kind"] == "slow" for f in feeds), a.slow,
           sum(f["kind"] == "fast" for f in feeds), len(teasers),
           sum(p["slow"] for f in teasers for p in f["pages"])))
    print("config: [http] timeout = %ds (connect_timeout, low_speed_time the same; a hanging "
          "host costs exactly that), min_host_delay = 0s; [source] interval = 1d, max_items = %d;"
          " [digest] max_articles = 500, group = no; a fresh state folder and digest-sink per run" %
          (a.timeout, MAX_ITEMS))
    print("sum of latencies: %.1f s (one transfer at a time takes at least this); slowest "
          "host: %.1f s (its feed and pages one after the other)" % (total, slowest))
    print("%-11s %13s %9s %14s %5s %9s %15s %9s" % ("run", "max_transfers", "wall s",
                                                    "peak RSS KiB", "exit", "articles",
                                                    "pages expanded", "requests"))
    return total, slowest


def summary(plan, runs, total, slowest):
    """Prints the ratio and what was delivered; False when a run did not
    deliver every article the feeds that answer hold."""
    live = [f for f in plan["feeds"] if f["kind"] != "hang"]
    want = {u for f in live for u in f["links"]}
    want_pages = sum(len(f["pages"]) for f in live)
    seq = runs[0]
    for conc in runs[1:]:
        k = conc["transfers"]
        least = max(slowest, total / k)
        ratio = seq["wall"] / conc["wall"]
        print("wall time sequential / %s: %.2f (target >= %g: %s); with max_transfers = %d "
              "the cycle takes at least max(slowest host, sum / %d) = %.1f s, the run took "
              "%.2f times that" % (conc["label"], ratio, TARGET_RATIO,
                                   "met" if ratio >= TARGET_RATIO else "MISSED", k, k, least,
                                   conc["wall"] / least if least > 0 else 0.0))
    ok = True
    for r in runs:
        if r["rc"] != 0 or r["urls"] != want or r["articles"] != len(want) or \
                r["expanded"] != want_pages:
            ok = False
            print("FAILED: %s: exit %d, %d articles (%d distinct) delivered, %d teaser pages "
                  "expanded; the feeds hold %d articles, %d of them teasers with pages" %
                  (r["label"], r["rc"], r["articles"], len(r["urls"]), r["expanded"], len(want),
                   want_pages))
    if ok:
        print("articles delivered: %d in each run, equal, every one the feeds hold (%d of them "
              "from teaser pages)" % (len(want), want_pages))
    return ok


def idle(a, ctx, total, conc_ini):
    """The daemon idle after its first cycle over the same feeds, in a fresh
    state folder (tools/bench-idle.sh, shared with tools/bench-daemon.sh)."""
    if ctx["wrap"]:
        print("idle: not measured under TEST_WRAPPER (strace would trace the emulator)")
        return
    wd = watchdog_usec()
    ini = os.path.join(ctx["tmp"], "idle.ini")
    with open(conc_ini, encoding="utf-8") as f:
        text = f.read()
    with open(ini, "w", encoding="utf-8") as f:
        f.write(re.sub(r"^state_dir = .*$", "state_dir = " + os.path.join(ctx["tmp"], "state-idle"),
                       text, flags=re.M))
    print("idle: the daemon (the concurrent config, a fresh state folder) after its first "
          "poll of every source, WATCHDOG_USEC=%d (the unit's WatchdogSec)" % wd)
    sys.stdout.flush()
    # Its first poll may take up to twice the latency sum before it is idle.
    subprocess.run(["sh", "tools/bench-idle.sh", ctx["digestd"], ini, str(a.idle), str(wd),
                    str(int(total * 2) + 60)], check=False)


if __name__ == "__main__":
    sys.exit(main())
