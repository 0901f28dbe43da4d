#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Main-text extraction scores on ../shared/data/html: digestd fetch against
# readability-lxml (python3-readability) on the same pages, same metrics.
"""Usage: tools/eval-html.py [--digestd PATH] [--wrapper CMD] [--data DIR] [--digestd-only]
                          [--json FILE] [--pages] [--floor SET=F1 ...]

Pages with a full expected text (readability, zyte-aeb) are scored with
token precision/recall/F1 (lower-case \\w+ tokens, bag-of-tokens overlap with
clipped counts, like ROUGE-1) and with 4-word shingles (the Zyte benchmark's
metric; the peer file peer-readability-lxml.jsonl reports that one), each
averaged per page. trafilatura pages only have snippets: 'with' snippets
found are true positives, 'without' snippets found false positives, pooled
over the set as trafilatura's own evaluation does.

digestd gets each page's bytes as they are stored (gzip undone), without an
HTTP Content-Type, so it decides the charset itself (BOM, <meta>, then UTF-8
or windows-1252); readability gets text decoded here the same way.
With --floor SET=F1 the exit status is 1 when a set's F1 is below it or
digestd failed on any page.
"""
import argparse
import collections
import gzip
import html.parser
import json
import os
import re
import shlex
import subprocess
import sys
import time

WORD = re.compile(r"\w+")
CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)


def read_page(path):
    raw = open(path, "rb").read()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    return raw


def decode_page(raw):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = CHARSET.search(raw[:8192])
    enc = m.group(1).decode("ascii") if m else "cp1252"
    try:
        return raw.decode(enc, errors="replace")
    except LookupError:
        return raw.decode("cp1252", errors="replace")


def tokens(text):
    return WORD.findall(text.lower())


def prf(got, want):
    """Clipped bag overlap of two Counters; empty-vs-empty counts as perfect."""
    if not got and not want:
        return 1.0, 1.0, 1.0
    common = sum((got & want).values())
    p = common / sum(got.values()) if got else 0.0
    r = common / sum(want.values()) if want else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def token_scores(text, truth):
    return prf(collections.Counter(tokens(text)), collections.Counter(tokens(truth)))


def shingle_scores(text, truth, n=4):
    def sh(t):
        w = tokens(t)
        return collections.Counter(tuple(w[i:i + n]) for i in range(max(0, len(w) - n + 1)))
    return prf(sh(text), sh(truth))


def collapse(s):
    return " ".join(s.split())


class TextOf(html.parser.HTMLParser):
    """HTML to text: block elements and <br> end lines."""
    BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td",
              "th", "pre", "blockquote", "section", "article", "table", "ul", "ol",
              "dt", "dd", "figcaption", "header", "footer", "main", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)

    def text(self):
        lines = (collapse(l) for l in "".join(self.parts).split("\n"))
        return "\n".join(l for l in lines if l)


def run_digestd(binary, page, wrapper):
    t0 = time.monotonic()
    p = subprocess.run(wrapper + [binary, "fetch", "--type", "page", "--format", "json", "-"],
                       input=page, capture_output=True, timeout=60)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        return None, "exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace")[:200]), dt
    try:
        return json.loads(p.stdout.decode("utf-8")), None, dt
    except ValueError as e:
        return None, "bad JSON: %s" % e, dt


def run_readability(page):
    try:
        from readability import Document
    except ImportError:
        sys.exit("eval-html: readability-lxml is not importable by %s; install the Debian "
                 "package python3-readability and run this with /usr/bin/python3, or "
                 "pass --digestd-only" % sys.executable)
    t0 = time.monotonic()
    try:
        summary = Document(page).summary(html_partial=True)
    except Exception as e:  # the peer fails on some pages; that is its score
        return "", "%s: %s" % (type(e).__name__, e), time.monotonic() - t0
    parser = TextOf()
    parser.feed(summary)
    parser.close()
    return parser.text(), None, time.monotonic() - t0


def snippet_counts(text, row):
    t = collapse(text)
    tp = sum(1 for s in row["with"] or [] if collapse(s) in t)
    fp = sum(1 for s in row["without"] or [] if collapse(s) in t)
    return tp, len(row["with"] or []) - tp, fp


def score(row, text):
    if row["text"] is not None:
        tp_, tr_, tf_ = token_scores(text, row["text"])
        sp, sr, sf = shingle_scores(text, row["text"])
        return {"p": tp_, "r": tr_, "f1": tf_, "sh_p": sp, "sh_r": sr, "sh_f1": sf}
    tp, fn, fp = snippet_counts(text, row)
    return {"tp": tp, "fn": fn, "fp": fp}


def summarise(results, who):
    """Per set: mean token P/R/F1 and shingle F1, or pooled snippet P/R/F1."""
    sets = collections.OrderedDict()
    for r in results:
        sets.setdefault(r["source"], []).append(r[who])
    out = collections.OrderedDict()
    for name, rows in sets.items():
        if "tp" in rows[0]:
            tp = sum(x["tp"] for x in rows)
            fn = sum(x["fn"] for x in rows)
            fp = sum(x["fp"] for x in rows)
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[name] = {"pages": len(rows), "p": p, "r": r, "f1": f,
                         "with_found": tp, "with": tp + fn, "without_found": fp}
        else:
            n = len(rows)
            out[name] = {"pages": n}
            for k in ("p", "r", "f1", "sh_p", "sh_r", "sh_f1"):
                out[name][k] = sum(x[k] for x in rows) / n
    return out


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--digestd", default=os.path.join(here, "..", "build", "digestd"))
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "html"))
    ap.add_argument("--digestd-only", action="store_true")
    ap.add_argument("--wrapper", default="", help="command prefix, e.g. qemu-aarch64")
    ap.add_argument("--json")
    ap.add_argument("--pages", action="store_true", help="print per-page scores")
    ap.add_argument("--floor", action="append", default=[], metavar="SET=F1")
    a = ap.parse_args()

    rows = [json.loads(l) for l in open(os.path.join(a.data, "ground-truth.jsonl"))]
    peer = {}
    peer_path = os.path.join(a.data, "peer-readability-lxml.jsonl")
    if os.path.exists(peer_path):
        for l in open(peer_path):
            x = json.loads(l)
            peer[(x["source"], x["page"])] = x
    results, failures = [], []
    for row in rows:
        page = read_page(os.path.join(a.data, row["html"]))
        res = {"source": row["source"], "page": row["page"]}
        out, err, res["digestd_s"] = run_digestd(a.digestd, page, shlex.split(a.wrapper))
        if err:
            failures.append("%s/%s: %s" % (row["source"], row["page"], err))
            out = {"title": "", "text": "", "lang": "", "date": ""}
        res["digestd"] = score(row, out["text"])
        res["digestd_title"] = out["title"]
        res["title_ok"] = bool(row.get("title")) and collapse(out["title"]) == collapse(row["title"])
        if not a.digestd_only:
            text, rerr, res["readability_s"] = run_readability(decode_page(page))
            res["readability"] = score(row, text)
            res["readability_error"] = rerr
            pk = peer.get((row["source"], row["page"]))
            if pk and "sh_f1" in res["readability"]:
                res["peer_sh_f1"] = pk["scores"].get("shingle_f1")
        results.append(res)
        if a.pages:
            d = res["digestd"]
            line = "%-12s %-40s digestd %s" % (row["source"], row["page"][:40],
                   "F1 %.3f P %.3f R %.3f" % (d["f1"], d["p"], d["r"]) if "f1" in d
                   else "with %d/%d without %d" % (d["tp"], d["tp"] + d["fn"], d["fp"]))
            if not a.digestd_only:
                x = res["readability"]
                line += "  readability %s" % ("F1 %.3f" % x["f1"] if "f1" in x
                                              else "with %d/%d without %d" % (x["tp"], x["tp"] + x["fn"], x["fp"]))
            print(line)

    sums = {"digestd": summarise(results, "digestd")}
    if not a.digestd_only:
        sums["readability"] = summarise(results, "readability")
    print("| set | pages | metric | digestd P | R | F1 |%s" %
          ("" if a.digestd_only else " readability-lxml P | R | F1 |"))
    print("| --- | --- | --- | --- | --- | --- |%s" % ("" if a.digestd_only else " --- | --- | --- |"))
    for name, d in sums["digestd"].items():
        metrics = [("snippets", "p", "r", "f1")] if "with" in d else \
                  [("tokens", "p", "r", "f1"), ("4-shingles", "sh_p", "sh_r", "sh_f1")]
        for label, kp, kr, kf in metrics:
            line = "| %s | %d | %s | %.3f | %.3f | %.3f |" % (name, d["pages"], label, d[kp], d[kr], d[kf])
            if not a.digestd_only:
                x = sums["readability"][name]
                line += " %.3f | %.3f | %.3f |" % (x[kp], x[kr], x[kf])
            print(line)
        if "with" in d:
            extra = "  %s: digestd found %d/%d 'with' snippets, kept %d 'without'" % (
                name, d["with_found"], d["with"], d["without_found"])
            if not a.digestd_only:
                x = sums["readability"][name]
                extra += "; readability-lxml %d/%d, kept %d" % (x["with_found"], x["with"], x["without_found"])
            print(extra)
    titles = sum(r["title_ok"] for r in results)
    print("titles equal to the truth's: %d of %d pages" % (titles, len(results)))
    if not a.digestd_only:
        pk = [r for r in results if "peer_sh_f1" in r]
        if pk:
            diff = max(abs(r["peer_sh_f1"] - r["readability"]["sh_f1"]) for r in pk)
            mean_peer = sum(r["peer_sh_f1"] for r in pk) / len(pk)
            print("cross-check: peer file's shingle F1 mean %.3f over %d pages; this run's "
                  "readability-lxml %.3f; largest per-page difference %.3f" % (
                      mean_peer, len(pk), sum(r["readability"]["sh_f1"] for r in pk) / len(pk), diff))
    print("time: digestd %.2fs total" % sum(r["digestd_s"] for r in results) +
          ("" if a.digestd_only else ", readability-lxml %.2fs total" % sum(r["readability_s"] for r in results)))
    for f in failures:
        print("FAILED: " + f)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"summary": sums, "pages": results}, f, indent=1)
    status = 1 if failures and a.floor else 0
    for fl in a.floor:
        name, _, value = fl.partition("=")
        got = sums["digestd"].get(name, {}).get("f1")
        if got is None or got < float(value):
            print("BELOW FLOOR: %s F1 %s < %s" % (name, "missing" if got is None else "%.3f" % got, value))
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
