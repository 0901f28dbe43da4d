#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Sentence segmentation against an extractive reference: the share of the
# reference's sentences (one per line, verbatim article sentences, as in BBC
# News Summary) that digestd's segmenter finds exactly. Python 3 stdlib only.
"""Segmentation score of digestd on an extractive summarisation set.

Usage: python3 tools/eval-segment.py [--set PATH] [--digestd PATH] [--misses]
       [--min PCT]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SET = os.path.join(REPO, "..", "shared", "data", "summ", "bbc_news_summary.dev.jsonl")
# digestd lists at most SUMM_MAX_PICK (src/core/limits.h) sentences of an input.
MAX_PICK = 64
BATCH = 200


def sentences(digestd, files):
    """{file: [sentence text]} from `digestd summarize --method lead --ratio 1`,
    or None for a file with more sentences than digestd lists."""
    out = {}
    for k in range(0, len(files), BATCH):
        cmd = [digestd, "summarize", "--format", "json", "--method", "lead",
               "--ratio", "1"] + files[k:k + BATCH]
        p = subprocess.run(cmd, capture_output=True)
        if p.returncode != 0:
            sys.exit("eval-segment: %s exited with status %d: %s"
                     % (" ".join(cmd[:8]), p.returncode, p.stderr.decode()[-500:]))
        for line in p.stdout.decode("utf-8").splitlines():
            d = json.loads(line)
            got = [s["text"] for s in d["summary"]]
            out[d["file"]] = got if d["sentences"] <= len(got) else None
    return out


def write(path, lang, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write("Lang: %s\n\n%s" % (lang, text))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default=DEFAULT_SET, metavar="PATH")
    ap.add_argument("--digestd", default="build/digestd", metavar="PATH")
    ap.add_argument("--misses", action="store_true", help="print each missed sentence")
    ap.add_argument("--min", type=float, metavar="PCT",
                    help="exit 1 when fewer than PCT %% are found")
    opts = ap.parse_args()
    try:
        with open(opts.set, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
    except OSError as e:
        print("eval-segment: cannot read %s: %s" % (opts.set, e.strerror), file=sys.stderr)
        return os.EX_NOINPUT
    with tempfile.TemporaryDirectory(prefix="eval-segment.") as tmp:
        files = []
        for i, art in enumerate(rows):
            files.append(os.path.join(tmp, "%05d.txt" % i))
            write(files[-1], art["lang"], art["text"])
        got = sentences(opts.digestd, files)
        # An article with more sentences than digestd lists is split at its
        # blank lines, which always end a sentence, and read paragraph by
        # paragraph.
        split = {}
        for i, path in enumerate(files):
            if got[path] is None:
                paras = [p for p in rows[i]["text"].split("\n\n") if p.strip()]
                split[path] = ["%s.%d" % (path, j) for j in range(len(paras))]
                for name, para in zip(split[path], paras):
                    write(name, rows[i]["lang"], para)
        if split:
            more = sentences(opts.digestd, [f for fs in split.values() for f in fs])
            for path, fs in split.items():
                if any(more[f] is None for f in fs):
                    sys.exit("eval-segment: a paragraph of %s has more than %d sentences"
                             % (path, MAX_PICK))
                got[path] = [s for f in fs for s in more[f]]
    total = found = 0
    for art, path in zip(rows, files):
        have = set(got[path])
        for ref in art["summary"].split("\n"):
            ref = ref.strip()
            if not ref:
                continue
            total += 1
            if ref in have:
                found += 1
            elif opts.misses:
                print("miss: %s: %s" % (art["id"], ref))
    pct = 100.0 * found / total if total else 0.0
    print("segmentation: %d of %d reference sentences found exactly (%.2f %%) in %s"
          % (found, total, pct, os.path.basename(opts.set)))
    return 1 if opts.min is not None and pct < opts.min else 0


if __name__ == "__main__":
    sys.exit(main())
