#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Compares `digestd fetch --type feed --format json` with the reference parse
# in ../shared/data/feeds/expected.jsonl (python3-feedparser 6.0.10) and prints
# the match rates and one PASS:/FAIL: line per target. Stdlib only.
"""Feed corpus comparison.

Usage: feeds_compare.py --data DIR [--exceptions TSV] [--show N] -- CMD...
CMD is run as CMD FILE for every file in DIR/expected.jsonl (gzip files are
decompressed to a temporary file first, as the reference was given them).

Normalisation, applied to both sides alike:
  * entry count: the number of JSON lines digestd prints (0 when it exits
    non-zero) against the reference's entry_count.
  * entries are paired by position; an entry missing on either side fails
    every field it has on the reference side.
  * title: Unicode whitespace runs collapsed to one space, trimmed, absent =
    "". The reference reports sanitised HTML for titles it takes to be HTML
    while digestd reports their text, so a reference title with markup or a
    character reference also matches the text of that HTML (tags dropped,
    references decoded).
  * link: trimmed, absent = ""; both sides are already resolved URLs.
  * published: both RFC 3339 UTC ("YYYY-MM-DDTHH:MM:SSZ") or absent; compared
    as strings, i.e. as UTC seconds. updated is reported, not a target; the
    reference's updated falls back to published (feedparser only, not its
    JSON Feed records), so ours does too there. has_content (content present
    on both sides or neither) and enclosures (count, ours capped at 4) are
    reported too, not targets.
  * exceptions (TSV: file, field, entry index or *, reason) mark cases where
    the reference is judged wrong; they count as matches and are listed.
"""

import gzip
import html
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile

TARGETS = (("count", 97.0), ("title", 95.0), ("link", 95.0), ("published", 95.0))


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def ws(s):
    return re.sub(r"\s+", " ", s or "").strip()


def html_text(s):
    p = _Text()
    p.feed(s)
    p.close()
    return ws("".join(p.parts))


def title_match(ours, ref):
    if ws(ours) == ws(ref):
        return True
    if ref and (re.search(r"<[a-zA-Z/]", ref) or re.search(r"&#?\w+;", ref)):
        return ws(ours) == html_text(ref)
    return False


def load_exceptions(path):
    exc = {}
    if not path:
        return exc
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4 or not parts[3].strip():
                sys.exit(f"{path}:{n}: want 4 tab-separated fields with a reason")
            exc[(parts[0], parts[1], parts[2])] = parts[3]
    return exc


def run(cmd, path):
    try:
        p = subprocess.run(cmd + [path], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    if p.returncode != 0:
        return [], p.stderr.decode("utf-8", "replace").strip()
    out = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if line.strip():
            out.append(json.loads(line))
    return out, p.stderr.decode("utf-8", "replace").strip()


def main():
    args = sys.argv[1:]
    if "--" not in args:
        sys.exit(__doc__)
    cut = args.index("--")
    opts, cmd = args[:cut], args[cut + 1:]
    data, exc_path, show = None, None, 0
    i = 0
    while i < len(opts):
        if opts[i] == "--data":
            data = opts[i + 1]
        elif opts[i] == "--exceptions":
            exc_path = opts[i + 1]
        elif opts[i] == "--show":
            show = int(opts[i + 1])
        else:
            sys.exit(__doc__)
        i += 2
    exc = load_exceptions(exc_path)
    used = set()
    tally = {k: [0, 0, 0] for k in ("count", "title", "link", "published", "updated",
                                    "has_content", "enclosures")}
    misses = []
    with open(os.path.join(data, "expected.jsonl"), encoding="utf-8") as f:
        refs = [json.loads(line) for line in f if line.strip()]
    tmpdir = tempfile.mkdtemp()
    for ref in refs:
        name = ref["file"]
        path = os.path.join(data, name)
        if ref.get("gzip"):
            with gzip.open(path, "rb") as g:
                raw = g.read()
            path = os.path.join(tmpdir, "gunzipped.xml")
            with open(path, "wb") as o:
                o.write(raw)
        ours, err = run(cmd, path)
        if ours is None:
            ours = []
            misses.append((name, "count", "*", "timeout"))

        def record(field, idx, ok, got, want):
            t = tally[field]
            t[1] += 1
            if ok:
                t[0] += 1
                return
            key = (name, field, str(idx))
            if key in exc or (name, field, "*") in exc:
                used.add(key if key in exc else (name, field, "*"))
                t[0] += 1
                t[2] += 1
                return
            misses.append((name, field, idx, f"got {got!r} want {want!r}"))

        record("count", "*", len(ours) == ref["entry_count"], len(ours), ref["entry_count"])
        for idx, re_ in enumerate(ref["entries"]):
            mine = ours[idx] if idx < len(ours) else None
            if mine is None:
                for field in ("title", "link", "published", "updated", "has_content",
                              "enclosures"):
                    record(field, idx, False, None, "entry")
                continue
            record("title", idx, title_match(mine.get("title"), re_.get("title")),
                   mine.get("title"), re_.get("title"))
            record("link", idx, ws(mine.get("link")) == ws(re_.get("link")),
                   mine.get("link"), re_.get("link"))
            record("published", idx, mine.get("published") == re_.get("published_iso"),
                   mine.get("published"), re_.get("published_iso"))
            # The reference's `updated` falls back to `published` (a
            # feedparser 6 compatibility shim); ours does not, so compare
            # like with like. Informational only.
            upd = mine.get("updated")
            if not upd and ref.get("peer", "").startswith("feedparser"):
                upd = mine.get("published")
            record("updated", idx, upd == re_.get("updated_iso"), upd, re_.get("updated_iso"))
            # Informational: content present on both sides or neither, and
            # the number of enclosures (ours stops at 4).
            has = bool(mine.get("content"))
            record("has_content", idx, has == bool(re_.get("has_content")), has,
                   re_.get("has_content"))
            nenc = len(mine.get("enclosures", []))
            record("enclosures", idx, nenc == min(re_.get("enclosures", 0), 4), nenc,
                   re_.get("enclosures"))
    for m in misses[:show] if show else []:
        print("  mismatch: %s %s[%s]: %s" % m)
    if show:
        by = {}
        for m in misses:
            by.setdefault(m[1], set()).add(m[0])
        for field, files in sorted(by.items()):
            print(f"  {field}: {len(files)} files with mismatches")
    unused = set(exc) - used
    for key in sorted(unused):
        print("  unused exception: %s %s %s" % key)
    status = 0
    units = {"count": "files"}
    for field, t in tally.items():
        pct = 100.0 * t[0] / t[1] if t[1] else 0.0
        print(f"feeds corpus: {field}: {t[0]}/{t[1]} {units.get(field, 'entries')} match "
              f"({pct:.2f}%), {t[2]} by listed exception")
    for field, want in TARGETS:
        t = tally[field]
        pct = 100.0 * t[0] / t[1] if t[1] else 0.0
        ok = pct >= want
        print(f"{'PASS' if ok else 'FAIL'}: feeds corpus {field} {pct:.2f}% >= {want:.0f}%")
        status |= 0 if ok else 1
    if unused:
        print("FAIL: feeds corpus exceptions all used")
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
