#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Scores `digestd group` on ../shared/data/clusters/dev.jsonl with B-cubed and
# pairwise precision/recall against two baselines computed in the same run.
# Python 3 stdlib only; the data is read where it lies, never copied.
"""Story-grouping evaluator for digestd (docs/grouping.md).

Usage: python3 tools/eval-group.py [--data FILE] [--digestd PATH]
       [--wrapper CMD] [--markdown FILE]

Each article becomes a temporary seed-format file (Title:, Lang:, a blank
line, the text), and all of them go to one `digestd group --format json` in
file order. Baselines: exact normalised title (lower-cased words joined by
one space), and single-pass TF-IDF cosine clustering (an article joins the
centroid most similar to it when the cosine reaches the threshold, else
starts a cluster; IDF over the whole file) with its threshold tuned on the
same file for the best B-cubed F1 (0.01 to 0.60 in steps of 0.01).
"""

import argparse
import collections
import json
import math
import os
import re
import shlex
import subprocess
import sys
import tempfile

DATA = os.path.join("..", "shared", "data", "clusters", "dev.jsonl")
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def bcubed(pred, gold):
    """B-cubed precision, recall, F1 over items, then pairwise P and R."""
    pc, gc = collections.defaultdict(set), collections.defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold)):
        pc[p].add(i)
        gc[g].add(i)
    n = len(gold)
    bp = br = 0.0
    for i in range(n):
        inter = len(pc[pred[i]] & gc[gold[i]])
        bp += inter / len(pc[pred[i]])
        br += inter / len(gc[gold[i]])
    bp, br = bp / n, br / n
    f1 = 2 * bp * br / (bp + br) if bp + br else 0.0
    same_p = sum(len(s) * (len(s) - 1) // 2 for s in pc.values())
    same_g = sum(len(s) * (len(s) - 1) // 2 for s in gc.values())
    both = 0
    for s in pc.values():
        c = collections.Counter(gold[i] for i in s)
        both += sum(k * (k - 1) // 2 for k in c.values())
    pp = both / same_p if same_p else 1.0
    pr = both / same_g if same_g else 1.0
    return bp, br, f1, pp, pr


def words(s):
    return WORD.findall(s.lower())


def title_baseline(rows):
    seen, pred = {}, []
    for r in rows:
        pred.append(seen.setdefault(" ".join(words(r["title"])), len(seen)))
    return pred


def tfidf_vectors(rows):
    docs = [collections.Counter(words(r["title"] + " " + r["text"])) for r in rows]
    df = collections.Counter(t for d in docs for t in d)
    n = len(docs)
    out = []
    for d in docs:
        v = {t: (1 + math.log(c)) * math.log(n / df[t]) for t, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out.append({t: x / norm for t, x in v.items()})
    return out


def tfidf_baseline(vecs, threshold):
    cents, norms2, pred = [], [], []
    for v in vecs:
        best, best_sim = -1, 0.0
        for i, c in enumerate(cents):
            sim = sum(x * c.get(t, 0.0) for t, x in v.items()) / math.sqrt(norms2[i])
            if sim > best_sim:
                best, best_sim = i, sim
        if best >= 0 and best_sim >= threshold:
            c = cents[best]
            for t, x in v.items():
                old = c.get(t, 0.0)
                norms2[best] += 2 * old * x + x * x
                c[t] = old + x
            pred.append(best)
        else:
            cents.append(dict(v))
            norms2.append(sum(x * x for x in v.values()) or 1.0)
            pred.append(len(cents) - 1)
    return pred


def run_digestd(rows, digestd, wrapper):
    with tempfile.TemporaryDirectory(prefix="eval-group-") as tmp:
        files = []
        for i, r in enumerate(rows):
            path = os.path.join(tmp, "a%04d.txt" % i)
            title = " ".join(r["title"].split())
            with open(path, "w", encoding="utf-8") as f:
                f.write("Title: %s\nLang: %s\n\n%s\n" % (title, r["lang"], r["text"]))
            files.append(path)
        cmd = shlex.split(wrapper) + [digestd, "group", "--format", "json"] + files
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout.decode()
        group = {}
        for line in out.splitlines():
            o = json.loads(line)
            group[o["file"]] = o["group"]
        return [group[f] for f in files]


def part_of(r):
    return r["id"].split(":", 1)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=DATA)
    ap.add_argument("--digestd", default="build/digestd")
    ap.add_argument("--wrapper", default="")
    ap.add_argument("--markdown", help="write the table here too")
    a = ap.parse_args()
    try:
        with open(a.data, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
    except OSError as e:
        print("eval-group: cannot read %s: %s" % (a.data, e.strerror), file=sys.stderr)
        return 66
    gold = [r["event"] for r in rows]
    vecs = tfidf_vectors(rows)
    tuned = max((bcubed(tfidf_baseline(vecs, t / 100), gold)[2], -t) for t in range(1, 61))
    threshold = -tuned[1] / 100
    preds = [
        ("**digestd group**", run_digestd(rows, a.digestd, a.wrapper)),
        ("exact normalised title", title_baseline(rows)),
        ("TF-IDF cosine, threshold %.2f" % threshold, tfidf_baseline(vecs, threshold)),
    ]
    parts = ["all"] + sorted(set(part_of(r) for r in rows))
    lines = [
        "| part | articles | stories | method | B³ P | B³ R | B³ F1 | pair P | pair R |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for part in parts:
        idx = [i for i, r in enumerate(rows) if part == "all" or part_of(r) == part]
        g = [gold[i] for i in idx]
        for name, pred in preds:
            s = bcubed([pred[i] for i in idx], g)
            lines.append("| %s | %d | %d | %s | %s |" % (
                part, len(idx), len(set(g)), name, " | ".join("%.3f" % x for x in s)))
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if a.markdown:
        with open(a.markdown, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
