#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Trains a linear sentence scorer on the summarisation dev sets and
cross-validates it leave-one-set-out against today's scorer.

For every sentence of every article, digestd itself exports what its scorer
sees (`digestd summarize --format features`); the label is the sentence's
ROUGE-1 + ROUGE-2 F1 (or precision, --label) against the reference
(eval-summ.py's ROUGE). A ridge
regression, fitted within articles (features and labels centred per article,
each set weighing the same), ranks sentences; the top N in document order
are the summary. For each set in turn, the model is trained on the other sets
and scored on it, beside today's picks (`--method rank`) and Lead-N.

Usage: python3 tools/train-scorer.py [--digestd build/digestd] [-n 3]
           [--markdown FILE] [SET.jsonl ...]
Plain Python (no numpy); about a minute on the six dev sets.
"""

import argparse
import glob
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("eval_summ", os.path.join(HERE, "eval-summ.py"))
ev = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ev)

LABEL = 2  # which of ROUGE's (P, R, F1) labels a sentence: --label
RIDGE = 1.0  # on standardised features: a light pull towards 0

# Names of the model's inputs, in the order of feature_vector().
NAMES = [
    "ln(1+today's score)", "ln(1+salience/distinct^0.75)", "1/(1+index)", "first sentence",
    "paragraph start", "fragment", "ln(1+words)", "under 8 words", "title share",
    "number share", "capitals share", "quotation", "relative position",
]


def feature_vector(f, n_sent):
    words = max(1, f["words"])
    distinct = max(1, f["distinct"])
    return [
        math.log1p(f["score"]),
        math.log1p(f["salience"] / distinct ** 0.75),
        1.0 / (1 + f["index"]),
        1.0 if f["index"] == 0 else 0.0,
        float(f["para_start"]),
        float(f["fragment"]),
        math.log1p(f["words"]),
        1.0 if f["words"] < 8 else 0.0,
        f["title"] / distinct,
        f["numbers"] / words,
        f["caps"] / words,
        float(f["quote"]),
        f["index"] / max(1, n_sent - 1),
    ]


def run(digestd, args, files):
    p = subprocess.run([digestd, "summarize"] + args + files, capture_output=True)
    if p.returncode != 0:
        sys.exit("train-scorer: digestd exited %d: %s"
                 % (p.returncode, p.stderr.decode("utf-8", "replace")[-500:]))
    out = {}
    for line in p.stdout.decode("utf-8").splitlines():
        d = json.loads(line)
        out[d["file"]] = d
    return out


def load(digestd, path, n):
    """[(article, ref tokens, rows, today's pick indexes)] for one set."""
    arts = ev.load_set(path, None)
    res = []
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for k, a in enumerate(arts):
            fn = os.path.join(tmp, "%05d.txt" % k)
            ev.write_article(fn, a)
            files.append(fn)
        feats, today = {}, {}
        for i in range(0, len(files), 200):
            batch = files[i:i + 200]
            feats.update(run(digestd, ["--format", "features"], batch))
            today.update(run(digestd, ["--format", "json", "-n", str(n)], batch))
        for a, fn in zip(arts, files):
            sents = feats[fn]["sentences"]
            ref = ev.tokenize(a["summary"], a["lang"])
            rows = []
            for f in sents:
                toks = ev.tokenize(f["text"], a["lang"])
                label = ev.rouge_n(ref, toks, 1)[LABEL] + ev.rouge_n(ref, toks, 2)[LABEL]
                rows.append((feature_vector(f, len(sents)), label, f["text"]))
            res.append((a, ref, rows, [p["index"] for p in today[fn]["summary"]]))
    return res


def solve(a, b):
    """Solves a x = b (a small dense system) by Gaussian elimination."""
    m = len(b)
    a = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(m):
        p = max(range(c, m), key=lambda r: abs(a[r][c]))
        a[c], a[p] = a[p], a[c]
        for r in range(m):
            if r != c and a[c][c]:
                k = a[r][c] / a[c][c]
                a[r] = [x - k * y for x, y in zip(a[r], a[c])]
    return [a[i][m] / a[i][i] if a[i][i] else 0.0 for i in range(m)]


def fit(sets):
    """Ridge weights over per-article centred rows, each set weighing the same."""
    d = len(NAMES)
    xtx = [[0.0] * d for _ in range(d)]
    xty = [0.0] * d
    sx = [0.0] * d
    sxx = [0.0] * d
    total = 0.0
    centred = []
    for arts in sets:
        n_rows = sum(len(r) for _, _, r, _ in arts) or 1
        w = 1.0 / n_rows
        for _, _, rows, _ in arts:
            if len(rows) < 2:
                continue
            mx = [sum(r[0][j] for r in rows) / len(rows) for j in range(d)]
            # Labels as z-scores within the article: only the order of an
            # article's sentences matters, and a long reference (BBC) would
            # otherwise outweigh a one-sentence one.
            my = sum(r[1] for r in rows) / len(rows)
            sy = math.sqrt(sum((r[1] - my) ** 2 for r in rows) / len(rows))
            if sy == 0:
                continue
            for x, y, _ in rows:
                cx = [x[j] - mx[j] for j in range(d)]
                centred.append((cx, (y - my) / sy, w))
                for j in range(d):
                    sx[j] += w * cx[j]
                    sxx[j] += w * cx[j] * cx[j]
                total += w
    scale = [math.sqrt(sxx[j] / total) or 1.0 for j in range(d)]
    for cx, cy, w in centred:
        z = [cx[j] / scale[j] for j in range(d)]
        for i in range(d):
            xty[i] += w * z[i] * cy
            row = xtx[i]
            for j in range(d):
                row[j] += w * z[i] * z[j]
    for i in range(d):
        xtx[i][i] += RIDGE * len(sets) / 1000.0
    beta = solve(xtx, xty)
    return [beta[j] / scale[j] for j in range(d)]


def summary_of(rows, idx):
    return " ".join(rows[i][2] for i in sorted(idx))


def evaluate(arts, weights, n):
    """Per-article (learned, today, lead) ROUGE triples."""
    out = []
    for a, ref, rows, today in arts:
        scored = sorted(range(len(rows)),
                        key=lambda i: (-sum(w * x for w, x in zip(weights, rows[i][0])), i))
        picks = {
            "learned": scored[:n],
            "today": today,
            # Today's first-scan score with the learned model's selection:
            # shows what the selection alone (cover, lean-back) is worth.
            "today-top": sorted(range(len(rows)), key=lambda i: (-rows[i][0][0], i))[:n],
            "lead": list(range(min(n, len(rows)))),
        }
        out.append({k: ev.score(ref, ev.tokenize(summary_of(rows, v), a["lang"]))
                    for k, v in picks.items()})
    return out


def mean_se(xs):
    m = sum(xs) / len(xs)
    if len(xs) < 2:
        return m, 0.0
    var = sum((x - m) ** 2 for x in xs) / (len(xs) - 1)
    return m, math.sqrt(var / len(xs))


def self_test():
    """Checks the solver and the fit on made-up articles; exit 0 when all pass."""
    bad = 0

    def check(name, ok):
        nonlocal bad
        print("%s: %s" % ("PASS" if ok else "FAIL", name))
        bad += not ok

    x = solve([[2.0, 1.0], [1.0, 3.0]], [5.0, 10.0])
    check("solve 2x2", abs(x[0] - 1.0) < 1e-9 and abs(x[1] - 3.0) < 1e-9)
    check("solve with a zero pivot", solve([[0.0, 1.0], [1.0, 0.0]], [2.0, 3.0]) == [3.0, 2.0])
    # Articles whose label is the paragraph-start input alone: the fit must
    # rank by it (largest weight), whatever the article's offset.
    arts = []
    for a in range(20):
        rows = []
        for i in range(6):
            f = {"score": 1000 + 37 * ((a * 7 + i * 3) % 11), "salience": 500 + 13 * i,
                 "distinct": 3 + i % 4, "index": i, "para_start": (i + a) % 2,
                 "fragment": 0, "words": 10 + (i * 5 + a) % 9, "title": i % 3,
                 "numbers": (i + 2 * a) % 3, "caps": i % 4, "quote": (a + i) % 3 == 0}
            rows.append((feature_vector(f, 6), 0.2 * f["para_start"] + 0.5 * (a % 3), ""))
        arts.append(({"lang": "en"}, [], rows, []))
    w = fit([arts])
    check("fit finds the one input that orders the sentences",
          max(range(len(w)), key=lambda j: abs(w[j])) == NAMES.index("paragraph start")
          and w[NAMES.index("paragraph start")] > 0)
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--digestd", default="build/digestd")
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--markdown", help="write the CV table here as a Markdown fragment")
    ap.add_argument("--label", choices=("precision", "recall", "f1"), default="f1",
                    help="the sentence's ROUGE-1 + ROUGE-2 measure used as its label")
    ap.add_argument("--self-test", action="store_true", help="check the solver and the fit")
    ap.add_argument("sets", nargs="*")
    o = ap.parse_args()
    if o.self_test:
        sys.exit(self_test())
    global LABEL
    LABEL = ("precision", "recall", "f1").index(o.label)
    paths = o.sets or sorted(glob.glob(os.path.join(HERE, "..", "..", "shared", "data",
                                                    "summ", "*.dev.jsonl")))
    if not paths:
        sys.exit("train-scorer: no sets given and none in ../shared/data/summ")
    data = {ev.set_name(p): load(o.digestd, p, o.n) for p in paths}
    lines = [
        "| held-out set | lang | articles | learned R-1 / R-2 / R-L | today R-1 / R-2 / R-L "
        "| today, top %d by its score | Lead-%d | learned minus today: R-1, R-2, R-L |"
        % (o.n, o.n),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    wins = 0
    for name, arts in data.items():
        w = fit([v for k, v in data.items() if k != name])
        res = evaluate(arts, w, o.n)
        cells = {}
        for k in ("learned", "today", "today-top", "lead"):
            cells[k] = " / ".join("%.2f" % (100 * sum(r[k][m] for r in res) / len(res))
                                  for m in range(3))
        diffs = []
        ahead = True
        for m in range(3):
            mu, se = mean_se([100 * (r["learned"][m] - r["today"][m]) for r in res])
            diffs.append("%+.2f ± %.2f" % (mu, se))
            ahead &= mu >= 0
        wins += ahead
        lines.append("| %s | %s | %d | %s | %s | %s | %s | %s |" % (
            name, arts[0][0]["lang"], len(arts), cells["learned"], cells["today"],
            cells["today-top"], cells["lead"], ", ".join(diffs)))
    full = fit(list(data.values()))
    lines.append("")
    lines.append("Held-out sets where the learned scorer is at or above today's on all "
                 "three: %d of %d." % (wins, len(data)))
    lines.append("")
    lines.append("Weights trained on all sets (per feature, raw units): " + "; ".join(
        "%s %+.4f" % (nm, x) for nm, x in zip(NAMES, full)) + ".")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if o.markdown:
        with open(o.markdown, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
