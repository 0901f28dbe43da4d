#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Scores digestd's summariser, Lead-N and the Open Text Summarizer with ROUGE-1/2/L
# against the reference summaries of ../shared/data/summ and writes docs/quality.md.
# Python 3 stdlib only; reads the data where it lies and never copies it into the repo.
"""Summarisation evaluator for digestd.

Usage: python3 tools/eval-summ.py [--set PATH]... [--n N] [--limit K]
       [--digestd PATH] [--jobs J] [--markdown FILE] [--no-ots]
       python3 tools/eval-summ.py --self-test
"""

import argparse
import concurrent.futures
import datetime
import glob
import json
import math
import os
import random
import re
import shlex
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_GLOB = os.path.join("..", "shared", "data", "summ", "*.dev.jsonl")
# digestd caps a summary at this many sentences (SUMM_MAX_PICK in src/core/limits.h).
MAX_PICK = 64
# Files per digestd process: few processes, and argv stays far below ARG_MAX.
BATCH = 200
OTS_TIMEOUT = 60
OTS_DICT = {"en": "en", "fr": "fr", "de": "de", "es": "es", "it": "it", "pt": "pt"}
# digestd with Lead-N's word count per article as its --words budget.
MATCHED = "digestd at Lead-N's length"
# Languages whose tokens are Porter-stemmed; rouge-score's stemmer is English-only.
STEMMED = {"en"}


class Failure(Exception):
    """An error the user can fix; carries a sysexits status."""

    def __init__(self, msg, status):
        super().__init__(msg)
        self.status = status


class OtsFailure(Failure):
    """OTS failed on one article: the run goes on without that summary."""


# ---------------------------------------------------------------- Porter 1980
# The algorithm as published (M.F. Porter, "An algorithm for suffix stripping",
# Program 14(3), 1980): the longest matching suffix of a step decides, and when
# its condition fails the step does nothing.

def _cons(w, i):
    c = w[i]
    if c in "aeiou":
        return False
    if c == "y":
        return i == 0 or not _cons(w, i - 1)
    return True


def _measure(stem):
    """m in [C](VC)^m[V]: the number of vowel-run to consonant-run changes."""
    m = 0
    prev_vowel = False
    for i in range(len(stem)):
        vowel = not _cons(stem, i)
        if prev_vowel and not vowel:
            m += 1
        prev_vowel = vowel
    return m


def _has_vowel(stem):
    return any(not _cons(stem, i) for i in range(len(stem)))


def _double_cons(w):
    return len(w) >= 2 and w[-1] == w[-2] and _cons(w, len(w) - 1)


def _cvc(w):
    n = len(w)
    return (n >= 3 and _cons(w, n - 3) and not _cons(w, n - 2) and _cons(w, n - 1)
            and w[-1] not in "wxy")


_STEP2 = [("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"),
          ("izer", "ize"), ("abli", "able"), ("alli", "al"), ("entli", "ent"),
          ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
          ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"),
          ("ousness", "ous"), ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")]
_STEP3 = [("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"),
          ("ical", "ic"), ("ful", ""), ("ness", "")]
_STEP4 = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment",
          "ent", "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize"]
for _rules in (_STEP2, _STEP3):
    _rules.sort(key=lambda r: -len(r[0]))
_STEP4.sort(key=len, reverse=True)


def _replace(w, rules, min_m):
    for suffix, repl in rules:
        if w.endswith(suffix):
            stem = w[:len(w) - len(suffix)]
            return stem + repl if _measure(stem) > min_m else w
    return w


def porter_stem(w):
    """Stems one lower-case word with the original Porter (1980) algorithm."""
    if len(w) <= 2:
        return w
    # Step 1a
    if w.endswith("sses") or w.endswith("ies"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    # Step 1b
    cut = False
    if w.endswith("eed"):
        if _measure(w[:-3]) > 0:
            w = w[:-1]
    elif w.endswith("ed") and _has_vowel(w[:-2]):
        w, cut = w[:-2], True
    elif w.endswith("ing") and _has_vowel(w[:-3]):
        w, cut = w[:-3], True
    if cut:
        if w.endswith(("at", "bl", "iz")):
            w += "e"
        elif _double_cons(w) and w[-1] not in "lsz":
            w = w[:-1]
        elif _measure(w) == 1 and _cvc(w):
            w += "e"
    # Step 1c
    if w.endswith("y") and _has_vowel(w[:-1]):
        w = w[:-1] + "i"
    w = _replace(w, _STEP2, 0)
    w = _replace(w, _STEP3, 0)
    # Step 4
    for suffix in _STEP4:
        if w.endswith(suffix):
            stem = w[:len(w) - len(suffix)]
            if _measure(stem) > 1 and (suffix != "ion" or stem.endswith(("s", "t"))):
                w = stem
            break
    # Step 5
    if w.endswith("e"):
        stem = w[:-1]
        m = _measure(stem)
        if m > 1 or (m == 1 and not _cvc(stem)):
            w = stem
    if w.endswith("ll") and _measure(w) > 1:
        w = w[:-1]
    return w


# ---------------------------------------------------------------------- ROUGE

_TOKEN = re.compile(r"[^\W_]+")


def tokenize(text, lang):
    """Lower-cased runs of Unicode letters/digits; English tokens longer than 3
    characters are Porter-stemmed (rouge-score's rule)."""
    toks = _TOKEN.findall(text.lower())
    if lang in STEMMED:
        toks = [porter_stem(t) if len(t) > 3 else t for t in toks]
    return toks


def _prf(hits, n_pred, n_ref):
    p = hits / n_pred if n_pred else 0.0
    r = hits / n_ref if n_ref else 0.0
    f = 2 * p * r / (p + r) if p > 0 and r > 0 else 0.0
    return p, r, f


def _ngrams(toks, n):
    counts = {}
    for i in range(len(toks) - n + 1):
        g = tuple(toks[i:i + n])
        counts[g] = counts.get(g, 0) + 1
    return counts


def rouge_n(ref, pred, n):
    """(P, R, F1) of n-grams with clipped counts, over token lists."""
    rc, pc = _ngrams(ref, n), _ngrams(pred, n)
    hits = sum(min(c, rc.get(g, 0)) for g, c in pc.items())
    return _prf(hits, sum(pc.values()), sum(rc.values()))


def lcs_len(a, b):
    """Length of the longest common subsequence (bit-parallel, Hyyro 2004)."""
    if not a or not b:
        return 0
    masks = {}
    for i, t in enumerate(a):
        masks[t] = masks.get(t, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for t in b:
        u = v & masks.get(t, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def rouge_l(ref, pred):
    """(P, R, F1) from the LCS over the whole token sequences (rougeL)."""
    return _prf(lcs_len(ref, pred), len(pred), len(ref))


def score(ref_toks, pred_toks):
    """F1 of ROUGE-1, ROUGE-2, ROUGE-L."""
    return (rouge_n(ref_toks, pred_toks, 1)[2], rouge_n(ref_toks, pred_toks, 2)[2],
            rouge_l(ref_toks, pred_toks)[2])


# ------------------------------------------------------------ OTS ratio search

def pick_ratio(count, n, guess):
    """Finds the OTS ratio (1..100 percent) whose output has n sentences.

    count(r) gives the sentence count at ratio r (assumed non-decreasing in r).
    Gallops from guess, then bisects to the smallest ratio with >= n
    sentences, stopping at the first ratio with exactly n. Otherwise, of all
    ratios tried, returns the one whose count is closest to n; ties go to the
    output with more sentences, then to the smallest ratio (the largest one
    when there are fewer than n). Returns (ratio, count)."""
    seen = {}
    lo, hi = 0, 101  # count(lo) < n < count(hi); 0 and 101 are not run
    r = min(max(guess, 1), 100)
    step, first_high = 1, None
    while hi - lo > 1:
        if r not in seen:
            seen[r] = count(r)
        if seen[r] == n:
            return r, n
        high = seen[r] > n
        if high:
            hi = r
        else:
            lo = r
        if first_high is None:
            first_high = high
        if step and high == first_high:
            r = hi - step if high else lo + step
            step *= 2
            if lo < r < hi:
                continue
        step = 0
        r = (lo + hi) // 2
    best = min(seen, key=lambda k: (abs(seen[k] - n), seen[k] < n,
                                    k if seen[k] >= n else -k))
    return best, seen[best]


# ------------------------------------------------------------------- self-test

def self_test():
    failed = 0

    def check(name, got, want):
        nonlocal failed
        ok = (abs(got - want) < 1e-9 if isinstance(want, float) else got == want)
        if ok:
            print("PASS: %s" % name)
        else:
            failed += 1
            print("FAIL: %s\n  got %r, want %r" % (name, got, want))

    def f1(text_ref, text_pred, lang="fr"):
        return score(tokenize(text_ref, lang), tokenize(text_pred, lang))

    check("tokenize: Unicode letters and digits, '_' and punctuation split",
          tokenize("Hello, World_foo! Été 2004-05 l'arbre", "fr"),
          ["hello", "world", "foo", "été", "2004", "05", "l", "arbre"])
    check("tokenize: English stems tokens longer than 3 characters only",
          tokenize("The dogs was running ties", "en"), ["the", "dog", "was", "run", "ti"])
    # Hand-computed: ref 6 tokens, pred 5, all pred unigrams in ref; 3 of the 4
    # pred bigrams in ref (5 ref bigrams); LCS = 5.
    r1, r2, rl = f1("the cat sat on the mat", "the cat on the mat")
    check("ROUGE-1 F1 the cat/mat = 10/11", r1, 10 / 11)
    check("ROUGE-2 F1 the cat/mat = 2/3", r2, 2 / 3)
    check("ROUGE-L F1 the cat/mat = 10/11", rl, 10 / 11)
    check("ROUGE-1 P,R the cat/mat", rouge_n(tokenize("the cat sat on the mat", "fr"),
                                             tokenize("the cat on the mat", "fr"), 1)[:2],
          (1.0, 5 / 6))
    # Clipping: pred "the" x4 against ref "the" x2: 2 hits; bigram "the the" x3
    # against x1: 1 hit.
    r1, r2, rl = f1("the the cat", "the the the the")
    check("ROUGE-1 clipped counts = 4/7", r1, 4 / 7)
    check("ROUGE-2 clipped counts = 2/5", r2, 2 / 5)
    check("ROUGE-L repeated token = 4/7", rl, 4 / 7)
    check("ROUGE-L reversed order: LCS 1 of 5 = 1/5", f1("a b c d e", "e d c b a")[2], 1 / 5)
    check("ROUGE-L LCS skips gaps: a x b y c vs a b c = 3/4",
          f1("a x b y c", "a b c")[2], 2 * 1.0 * 0.6 / 1.6)
    check("ROUGE empty prediction scores 0", f1("un chat", ""), (0.0, 0.0, 0.0))
    check("ROUGE disjoint texts score 0", f1("un chat", "deux chiens"), (0.0, 0.0, 0.0))
    check("ROUGE identical texts score 1", f1("Le chat dort.", "le chat, dort"), (1.0, 1.0, 1.0))
    check("ROUGE-2 one-token texts have no bigrams: 0", f1("chat", "chat")[1], 0.0)
    # English: running->run, dogs->dog; "the"/"dog" too short to stem.
    r1, _, rl = f1("running dogs", "the dog runs", "en")
    check("ROUGE-1 with English stemming = 0.8", r1, 0.8)
    check("ROUGE-L with English stemming = 0.4", rl, 0.4)
    check("French is not stemmed: chats vs chat = 0", f1("chats", "chat")[0], 0.0)

    def lcs_dp(a, b):
        row = [0] * (len(b) + 1)
        for x in a:
            prev = 0
            for j, y in enumerate(b):
                cur = row[j + 1]
                row[j + 1] = prev + 1 if x == y else max(row[j + 1], row[j])
                prev = cur
        return row[-1]

    rng = random.Random(7)
    bad = 0
    for _ in range(300):
        a = [rng.choice("abcde") for _ in range(rng.randint(0, 40))]
        b = [rng.choice("abcdef") for _ in range(rng.randint(0, 40))]
        bad += lcs_len(a, b) != lcs_dp(a, b)
    check("bit-parallel LCS agrees with dynamic programming on 300 random pairs", bad, 0)

    porter = {
        "caresses": "caress", "ponies": "poni", "ties": "ti", "caress": "caress",
        "cats": "cat", "feed": "feed", "agreed": "agre", "plastered": "plaster",
        "bled": "bled", "motoring": "motor", "sing": "sing", "conflated": "conflat",
        "troubled": "troubl", "sized": "size", "hopping": "hop", "tanned": "tan",
        "falling": "fall", "hissing": "hiss", "fizzed": "fizz", "failing": "fail",
        "filing": "file", "happy": "happi", "sky": "sky", "relational": "relat",
        "conditional": "condit", "rational": "ration", "valenci": "valenc",
        "hesitanci": "hesit", "digitizer": "digit", "conformabli": "conform",
        "radicalli": "radic", "differentli": "differ", "vileli": "vile",
        "analogousli": "analog", "vietnamization": "vietnam", "predication": "predic",
        "operator": "oper", "feudalism": "feudal", "decisiveness": "decis",
        "hopefulness": "hope", "callousness": "callous", "formaliti": "formal",
        "sensitiviti": "sensit", "sensibiliti": "sensibl", "triplicate": "triplic",
        "formative": "form", "formalize": "formal", "electriciti": "electr",
        "electrical": "electr", "hopeful": "hope", "goodness": "good", "revival": "reviv",
        "allowance": "allow", "inference": "infer", "airliner": "airlin",
        "gyroscopic": "gyroscop", "adjustable": "adjust", "defensible": "defens",
        "irritant": "irrit", "replacement": "replac", "adjustment": "adjust",
        "dependent": "depend", "adoption": "adopt", "homologou": "homolog",
        "communism": "commun", "activate": "activ", "angulariti": "angular",
        "homologous": "homolog", "effective": "effect", "bowdlerize": "bowdler",
        "probate": "probat", "rate": "rate", "cease": "ceas", "controll": "control",
        "roll": "roll", "generalizations": "gener", "oscillators": "oscil",
        "cement": "cement", "logical": "logic", "abbreviation": "abbrevi",
    }
    wrong = ["%s->%s (want %s)" % (w, porter_stem(w), s) for w, s in porter.items()
             if porter_stem(w) != s]
    check("Porter 1980: %d words from the paper and its vocabulary" % len(porter), wrong, [])

    def stepped(table):
        return lambda r: table[min(r, len(table)) - 1]

    check("OTS ratio: the search stops at the first ratio giving N sentences",
          pick_ratio(stepped([1] * 9 + [2] * 5 + [3] * 6 + [4] * 80), 3, 50), (19, 3))
    check("OTS ratio: N unreachable, 2 and 5 around it: 2 is closer",
          pick_ratio(stepped([1] * 9 + [2] * 11 + [5] * 80), 3, 3), (20, 2))
    check("OTS ratio: tie between 2 and 4 goes to the longer output",
          pick_ratio(stepped([1] * 9 + [2] * 11 + [4] * 80), 3, 90), (21, 4))
    check("OTS ratio: short article, whole text at ratio 100",
          pick_ratio(stepped([1] * 60 + [2] * 40), 3, 10), (100, 2))
    check("OTS ratio: more than N even at ratio 1",
          pick_ratio(stepped([5] * 100), 3, 30), (1, 5))
    calls = []
    pick_ratio(lambda r: calls.append(r) or (3 if r >= 12 else 2), 3, 12)
    check("OTS ratio: a right guess needs 1 OTS run", calls, [12])
    calls.clear()
    pick_ratio(lambda r: calls.append(r) or (4 if r >= 12 else 2), 3, 12)
    check("OTS ratio: a miss is bracketed by 2 OTS runs", sorted(calls), [11, 12])
    return 1 if failed else 0


# ------------------------------------------------------------------ the run

def load_set(path, limit):
    rows = []
    try:
        f = open(path, encoding="utf-8")
    except OSError as e:
        raise Failure("eval-summ: cannot read set '%s': %s" % (path, e.strerror),
                      os.EX_NOINPUT)
    with f:
        for lineno, line in enumerate(f, 1):
            if limit is not None and len(rows) >= limit:
                break
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except ValueError as e:
                raise Failure("eval-summ: %s:%d: bad JSON: %s" % (path, lineno, e),
                              os.EX_DATAERR)
            missing = [k for k in ("id", "lang", "text", "summary")
                       if not isinstance(d.get(k), str)]
            if missing:
                raise Failure("eval-summ: %s:%d: missing string field(s) %s"
                              % (path, lineno, ", ".join(missing)), os.EX_DATAERR)
            if d["lang"] not in OTS_DICT:
                raise Failure("eval-summ: %s:%d: unsupported lang '%s'"
                              % (path, lineno, d["lang"]), os.EX_DATAERR)
            d.setdefault("title", "")
            rows.append(d)
    return rows


def set_name(path):
    base = os.path.basename(path)
    for suffix in (".dev.jsonl", ".jsonl"):
        if base.endswith(suffix):
            return base[:-len(suffix)]
    return base


def write_article(path, art):
    title = " ".join(str(art.get("title") or "").split())
    with open(path, "w", encoding="utf-8") as f:
        if title:
            f.write("Title: %s\n" % title)
        f.write("Lang: %s\n\n" % art["lang"])
        f.write(art["text"])


def parse_digestd_json(out, what):
    results = {}
    for line in out.splitlines():
        try:
            d = json.loads(line)
        except ValueError:
            raise Failure("eval-summ: %s: digestd printed a line that is not JSON: %.200s"
                          % (what, line), os.EX_SOFTWARE)
        results[d["file"]] = d
    return results


def run_digestd(digestd, args, files, stdin=None):
    """Runs `digestd summarize --format json ARGS FILES`; returns {file: result}."""
    cmd = [digestd, "summarize", "--format", "json"] + args + files
    try:
        p = subprocess.run(cmd, input=stdin, capture_output=True)
    except OSError as e:
        raise Failure("eval-summ: cannot run '%s': %s (build it with make, or pass "
                      "--digestd PATH)" % (digestd, e.strerror), os.EX_UNAVAILABLE)
    res = parse_digestd_json(p.stdout.decode("utf-8", "replace"), " ".join(cmd[:6]))
    if p.returncode != 0 or len(res) != len(files):
        raise Failure("eval-summ: '%s ... (%d files)' exited with status %d, %d results:\n%s"
                      % (" ".join(cmd[:4 + len(args)]), len(files), p.returncode,
                         len(res), p.stderr.decode("utf-8", "replace")[-2000:]),
                      os.EX_SOFTWARE)
    return res


def resplit(digestd, text, lang):
    """digestd's sentences of text (at most MAX_PICK) and its sentence count."""
    header = ("Lang: %s\n\n" % lang).encode()
    res = run_digestd(digestd, ["--method", "lead", "--ratio", "1"], ["-"],
                      header + text.encode("utf-8"))
    d = res["-"]
    return [s["text"] for s in d["summary"]], d["sentences"]


def ots_summary(digestd, art, n, guess):
    """OTS summary of art re-split by digestd, with the ratio searched so that it
    has n sentences. Returns a dict; raises OtsFailure when OTS fails on it."""
    outs = {}

    def count(r):
        # A file, not stdin: ots 0.5.0 crashes (SIGSEGV) when it has no file argument.
        cmd = ["ots", "-r", str(r), "-d", OTS_DICT[art["lang"]], art["_plain"]]
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=OTS_TIMEOUT)
        except OSError as e:
            raise Failure("eval-summ: cannot run ots: %s (install the Debian package ots, "
                          "tools/deps.sh, or pass --no-ots)" % e.strerror, os.EX_UNAVAILABLE)
        except subprocess.TimeoutExpired:
            raise OtsFailure("ots -r %d timed out after %d s on %s"
                             % (r, OTS_TIMEOUT, art["id"]), os.EX_SOFTWARE)
        if p.returncode != 0:
            raise OtsFailure("ots -r %d failed (status %d) on %s: %s"
                             % (r, p.returncode, art["id"],
                                p.stderr.decode("utf-8", "replace").strip()[:300]),
                             os.EX_SOFTWARE)
        outs[r] = resplit(digestd, p.stdout.decode("utf-8", "replace"), art["lang"])
        return outs[r][1]

    ratio, got = pick_ratio(count, n, guess)
    sents = outs[ratio][0]
    return {"ratio": ratio, "sentences": got, "summary": sents, "probes": len(outs)}


def in_batches(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def stale_binary(digestd):
    """True when some source file is newer than the binary."""
    try:
        built = os.path.getmtime(digestd)
    except OSError:
        return False
    for pattern in ("src/*.[ch]", "src/*/*.[ch]"):
        for p in glob.glob(os.path.join(REPO, pattern)):
            if os.path.getmtime(p) > built:
                return True
    return False


def git(*args):
    try:
        p = subprocess.run(["git", "-C", REPO] + list(args), capture_output=True, text=True)
    except OSError:
        return ""
    return p.stdout.strip() if p.returncode == 0 else ""


def evaluate(opts):
    started = time.monotonic()
    if opts.set:
        paths = opts.set
    else:
        paths = sorted(glob.glob(os.path.join(REPO, DATA_GLOB)))
        if not paths:
            raise Failure("eval-summ: no sets found at %s (the data lives in ../shared beside "
                          "the repo); pass --set PATH" % DATA_GLOB, os.EX_NOINPUT)
    sets = [(set_name(p), p, load_set(p, opts.limit)) for p in paths]
    lead_name = "Lead-%d" % opts.n
    systems = ["digestd", lead_name] + ([] if opts.no_ots else ["OTS"])
    notes = []
    if stale_binary(opts.digestd):
        msg = ("%s is older than a file under src/: it may not be the current summariser"
               % opts.digestd)
        print("eval-summ: warning: " + msg, file=sys.stderr)
        notes.append(msg + ".")

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=opts.jobs)
    try:
        with tempfile.TemporaryDirectory(prefix="eval-summ.") as tmp:
            files = []
            for si, (_, _, rows) in enumerate(sets):
                for ai, art in enumerate(rows):
                    path = os.path.join(tmp, "s%d-%05d.txt" % (si, ai))
                    write_article(path, art)
                    art["_file"] = path
                    files.append(path)
                    if not opts.no_ots:
                        art["_plain"] = path[:-4] + ".plain"
                        with open(art["_plain"], "w", encoding="utf-8") as f:
                            f.write(art["text"])
            jobs = {}
            for method in ("rank", "lead"):
                for batch in in_batches(files, BATCH):
                    jobs[pool.submit(run_digestd, opts.digestd,
                                     ["-n", str(opts.n), "--method", method], batch)] = method
            out = {"rank": {}, "lead": {}, "matched": {}}
            for fut in concurrent.futures.as_completed(jobs):
                out[jobs[fut]].update(fut.result())
            # digestd again with Lead-N's word count as its budget, so that
            # a gain from length alone shows: articles grouped by budget.
            by_budget = {}
            for f in files:
                words = sum(p["words"] for p in out["lead"][f]["summary"])
                by_budget.setdefault(max(words, 1), []).append(f)
            jobs = {}
            for words, group in sorted(by_budget.items()):
                for batch in in_batches(group, BATCH):
                    jobs[pool.submit(run_digestd, opts.digestd,
                                     ["-n", str(opts.n), "--method", "rank",
                                      "--words", str(words)], batch)] = "matched"
            for fut in concurrent.futures.as_completed(jobs):
                out["matched"].update(fut.result())

            ots_failed = {}
            if not opts.no_ots:
                futs = {}
                for _, _, rows in sets:
                    for art in rows:
                        total = out["lead"][art["_file"]]["sentences"]
                        guess = round(100.0 * opts.n / total) if total else 100
                        futs[pool.submit(ots_summary, opts.digestd, art, opts.n, guess)] = art
                for fut in concurrent.futures.as_completed(futs):
                    art = futs[fut]
                    try:
                        art["_ots"] = fut.result()
                    except OtsFailure as e:
                        ots_failed[art["id"]] = str(e)
                        art["_ots"] = {"ratio": 0, "sentences": 0, "summary": [], "probes": 0}
    finally:
        # On an error, do not wait for the queued OTS and digestd runs.
        pool.shutdown(cancel_futures=True)

    table = []
    for name, path, rows in sets:
        scored = systems + [MATCHED]
        sums = {s: [0.0, 0.0, 0.0, 0] for s in scored}
        per_article = {s: [] for s in scored}
        ref_words = 0
        ref_counts = []
        words = {s: [] for s in scored}
        leaning = [0, 0, 0]  # digestd's picks; joined with the one before; passed over
        odd = {"short_rank": [], "short_lead": [], "truncated": [], "lang": [],
               "ots_fewer": [], "ots_more": [], "ots_capped": []}
        probes = 0
        for art in rows:
            ref = tokenize(art["summary"], art["lang"])
            ref_words += len(ref)
            ref_counts.append(len(ref))
            rank, lead = out["rank"][art["_file"]], out["lead"][art["_file"]]
            leaning[0] += len(rank["summary"])
            leaning[1] += rank["joined"]
            leaning[2] += rank["passed"]
            preds = {"digestd": [s["text"] for s in rank["summary"]],
                     lead_name: [s["text"] for s in lead["summary"]],
                     MATCHED: [s["text"] for s in out["matched"][art["_file"]]["summary"]]}
            if len(rank["summary"]) < opts.n:
                odd["short_rank"].append("%s (%d of %d sentences)"
                                         % (art["id"], len(rank["summary"]), rank["sentences"]))
            if len(lead["summary"]) < opts.n:
                odd["short_lead"].append(art["id"])
            if rank["truncated"]:
                odd["truncated"].append(art["id"])
            if rank["lang"] != art["lang"]:
                odd["lang"].append("%s (%s)" % (art["id"], rank["lang"]))
            if "OTS" in systems:
                o = art["_ots"]
                preds["OTS"] = o["summary"]
                probes += o["probes"]
                if art["id"] not in ots_failed:
                    if o["sentences"] < opts.n:
                        odd["ots_fewer"].append("%s (%d)" % (art["id"], o["sentences"]))
                    elif o["sentences"] > opts.n:
                        odd["ots_more"].append("%s (%d)" % (art["id"], o["sentences"]))
                    if o["sentences"] > len(o["summary"]):
                        odd["ots_capped"].append(art["id"])
            for s in scored:
                pred = tokenize(" ".join(preds[s]), art["lang"])
                r1, r2, rl = score(ref, pred)
                per_article[s].append((r1, r2, rl))
                acc = sums[s]
                acc[0] += r1
                acc[1] += r2
                acc[2] += rl
                acc[3] += len(pred)
                words[s].append(len(pred))
        k = max(len(rows), 1)
        for s in scored:
            acc = sums[s]
            ours = per_article[MATCHED if s == MATCHED else "digestd"]
            against = per_article[lead_name if s == MATCHED else s]
            table.append({"set": name, "path": path, "lang": rows[0]["lang"] if rows else "",
                          "articles": len(rows), "system": s,
                          "r1": round(100 * acc[0] / k, 2), "r2": round(100 * acc[1] / k, 2),
                          "rl": round(100 * acc[2] / k, 2), "words": round(acc[3] / k, 1),
                          "ref_words": round(ref_words / k, 1),
                          "scores": per_article[s], "word_counts": words[s],
                          "ref_counts": ref_counts, "leaning": leaning,
                          "paired": paired_differences(ours, against)})
        set_notes(notes, name, opts.n, odd, probes, len(rows), "OTS" in systems)
    for art_id, msg in sorted(ots_failed.items()):
        notes.append("OTS failed on %s, scored as an empty summary: %s" % (art_id, msg))
    return table, notes, systems, time.monotonic() - started


def paired_differences(ours, theirs):
    """Per metric, the mean of (ours - theirs) over the same articles and its
    standard error, in points: whether a gap is larger than the spread of
    the per-article gaps allows by chance."""
    out = []
    n = len(ours)
    for m in range(3):
        d = [100 * (a[m] - b[m]) for a, b in zip(ours, theirs)]
        mean = sum(d) / n if n else 0.0
        var = sum((x - mean) ** 2 for x in d) / (n - 1) if n > 1 else 0.0
        out.append((mean, math.sqrt(var / n) if n else 0.0))
    return out


def _some(ids, limit=5):
    more = len(ids) - limit
    return ", ".join(ids[:limit]) + (", and %d more" % more if more > 0 else "")


def set_notes(notes, name, n, odd, probes, count, with_ots):
    if odd["short_rank"]:
        notes.append("%s: digestd returned fewer than %d sentences for %d article(s): %s."
                     % (name, n, len(odd["short_rank"]), _some(odd["short_rank"])))
    if odd["short_lead"]:
        notes.append("%s: Lead-%d has fewer than %d sentences for %d article(s) "
                     "(the article is that short): %s."
                     % (name, n, n, len(odd["short_lead"]), _some(odd["short_lead"])))
    if odd["truncated"]:
        notes.append("%s: digestd reported truncated input for %d article(s): %s."
                     % (name, len(odd["truncated"]), _some(odd["truncated"])))
    if odd["lang"]:
        notes.append("%s: digestd used another language than the set's for %d article(s): %s."
                     % (name, len(odd["lang"]), _some(odd["lang"])))
    if with_ots:
        notes.append("%s: OTS needed %.1f runs per article on average; no ratio gave exactly "
                     "%d sentences for %d of %d articles (%d kept fewer, %d kept more)."
                     % (name, probes / max(count, 1), n,
                        len(odd["ots_fewer"]) + len(odd["ots_more"]), count,
                        len(odd["ots_fewer"]), len(odd["ots_more"])))
        if odd["ots_fewer"]:
            notes.append("%s: OTS summaries with fewer than %d sentences: %s."
                         % (name, n, _some(odd["ots_fewer"])))
        if odd["ots_more"]:
            notes.append("%s: OTS summaries with more than %d sentences: %s."
                         % (name, n, _some(odd["ots_more"])))
        if odd["ots_capped"]:
            notes.append("%s: %d OTS output(s) had more than %d sentences; only the first %d "
                         "were scored: %s." % (name, len(odd["ots_capped"]), MAX_PICK,
                                               MAX_PICK, _some(odd["ots_capped"])))


def verdicts(table, systems, lead_name):
    lines = []
    for name in dict.fromkeys(r["set"] for r in table):
        rows = {r["system"]: r for r in table if r["set"] == name}
        d = rows["digestd"]
        parts = []
        for other, op in ((lead_name, ">="), ("OTS", ">")):
            if other not in systems:
                parts.append("OTS not run")
                continue
            o = rows[other]
            marks = []
            for m, (key, label) in enumerate((("r1", "R-1"), ("r2", "R-2"), ("rl", "R-L"))):
                ok = d[key] >= o[key] if op == ">=" else d[key] > o[key]
                mean, se = o["paired"][m]
                marks.append("%s %s (%.2f vs %.2f, %+.2f ± %.2f)"
                              % (label, "yes" if ok else "**no**", d[key], o[key], mean, se))
            parts.append("digestd %s %s: %s" % (op, other, ", ".join(marks)))
        lines.append("%s: %s." % (name, "; ".join(parts)))
    return lines


def _mean(xs):
    return sum(xs) / len(xs) if xs else 0.0


def _diff(ours, theirs, m):
    mean, se = paired_differences(ours, theirs)[m]
    return "%+.2f ± %.2f" % (mean, se)


def by_language(table, systems):
    """Rows per language: every article of the language's sets pooled, each
    system's mean R-1/R-2/R-L and words, digestd's paired lead over it."""
    rows = []
    for lang in sorted(dict.fromkeys(r["lang"] for r in table)):
        mine = [r for r in table if r["lang"] == lang]
        sets = list(dict.fromkeys(r["set"] for r in mine))
        pooled = {s: [x for r in mine if r["system"] == s for x in r["scores"]]
                  for s in systems}
        counts = {s: [x for r in mine if r["system"] == s for x in r["word_counts"]]
                  for s in systems}
        for s in systems:
            sc = pooled[s]
            rows.append({"lang": lang, "sets": len(sets), "articles": len(sc), "system": s,
                         "r": [100 * _mean([x[m] for x in sc]) for m in range(3)],
                         "words": _mean(counts[s]),
                         "vs": "" if s == "digestd" else
                         ", ".join(_diff(pooled["digestd"], sc, m) for m in range(3))})
    return rows


def language_lines(rows):
    out = ["| language | sets | articles | system | R-1 | R-2 | R-L | words/summary "
           "| digestd minus it: R-1, R-2, R-L |",
           "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |"]
    for r in rows:
        out.append("| %s | %d | %d | %s | %.2f | %.2f | %.2f | %.1f | %s |"
                   % (r["lang"], r["sets"], r["articles"],
                      "**digestd**" if r["system"] == "digestd" else r["system"],
                      r["r"][0], r["r"][1], r["r"][2], r["words"], r["vs"] or "-"))
    return out


def leaning_lines(table):
    """How often a pick of digestd opened with a word leaning on the sentence
    before, and what was done with it."""
    out = ["| set | articles | digestd's sentences | taken with the one before "
           "| passed over |", "| --- | ---: | ---: | ---: | ---: |"]
    for r in table:
        if r["system"] == "digestd":
            picks, joined, passed = r["leaning"]
            out.append("| %s | %d | %d | %d (%.1f %%) | %d (%.1f %% of the picks) |"
                       % (r["set"], r["articles"], picks, joined,
                          100.0 * joined / max(picks, 1), passed,
                          100.0 * passed / max(picks, 1)))
    return out


def matched_lines(table, lead_name):
    """digestd with Lead-N's word count as its budget, beside Lead-N."""
    out = ["| set | articles | words: %s / digestd at its length | %s R-1 / R-2 / R-L "
           "| digestd at its length R-1 / R-2 / R-L | paired difference R-1, R-2, R-L "
           "| at or above on all three |" % (lead_name, lead_name),
           "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
    for name in dict.fromkeys(r["set"] for r in table):
        rows = {r["system"]: r for r in table if r["set"] == name}
        m, lead = rows[MATCHED], rows[lead_name]
        ok = all(m[k] >= lead[k] for k in ("r1", "r2", "rl"))
        out.append("| %s | %d | %.1f / %.1f | %.2f / %.2f / %.2f | %.2f / %.2f / %.2f | %s | %s |"
                   % (name, m["articles"], lead["words"], m["words"], lead["r1"], lead["r2"],
                      lead["rl"], m["r1"], m["r2"], m["rl"],
                      ", ".join("%+.2f ± %.2f" % d for d in m["paired"]),
                      "yes" if ok else "**no**"))
    return out


COLUMNS = [("set", "set"), ("articles", "articles"), ("system", "system"), ("r1", "R-1"),
           ("r2", "R-2"), ("rl", "R-L"), ("words", "words/summary"),
           ("ref_words", "reference words")]


def _cell(row, key):
    v = row[key]
    if key in ("r1", "r2", "rl"):
        return "%.2f" % v
    if key in ("words", "ref_words"):
        return "%.1f" % v
    return str(v)


def print_table(table):
    cells = [[h for _, h in COLUMNS]] + [[_cell(r, k) for k, _ in COLUMNS] for r in table]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    for c in cells:
        print("  ".join(v.ljust(w) if i < 3 else v.rjust(w)
                        for i, (v, w) in enumerate(zip(c, widths))))


MARKDOWN = """\
# Summary quality

<!-- Generated by tools/eval-summ.py: edit the template in the tool, not this page. -->

How close digestd's extractive summaries come to human reference summaries,
next to two baselines: **Lead-{n}** (the first {n} sentences of the article, by
digestd's own segmenter, `digestd summarize --method lead`) and the **Open Text
Summarizer** (OTS, the Debian package `ots`, a classic word-frequency
summariser). Every system gives {n} sentences per article. The sets are the
*dev* parts of the summarisation sets described in
`../shared/data/summ/README.md` (tuning data: the held-out parts are not used
here). The reference summaries differ a lot between sets: BBC's are extractive
and long (about 45 % of the article), CNN/DailyMail's are abstractive
highlights, XSum's is one sentence that the article does not contain (so
Lead-{n} is weak by design), OrangeSum's (French) is the article's own
abstract, 10kGNAD's (German) is the editor's one-sentence lead of about 13
words (the text has no paragraph breaks and no quotation marks: the corpus
removed them), and NoticIA's (Spanish) is one sentence of about 12 words
answering what the clickbait headline (the set's `title`) withholds.

## How this page was made

- Command: `{command}`
- Date: {date}
- digestd: commit `{commit}`{dirty}, binary `{digestd}`; run time {seconds:.0f} s
  with {jobs} parallel jobs.
- Sets: {sets}.
- Each article is written once as a seed-format file (`Title:` line when the
  title is not empty, `Lang:` line with the set's language, blank line, text)
  and summarised with `digestd summarize --format json -n {n} --method rank`
  (digestd) and `--method lead` (Lead-{n}), {batch} files per process;
  then again with `--words W`, W being Lead-{n}'s word count for the article
  (below, "At Lead-{n}'s length").
- Scores are ROUGE F1 in percent, averaged over the articles of a set. They
  are computed by the tool itself, following the conventions of Google's
  `rouge-score` package: text lower-cased; tokens are runs of Unicode letters
  and digits (anything else, `_` included, separates tokens; rouge-score's
  default tokeniser keeps only `a-z0-9`, which would drop accented French
  letters); English tokens longer than 3 characters are stemmed with the
  original Porter (1980) algorithm (it gives the same stems as NLTK's
  `PorterStemmer` in `ORIGINAL_ALGORITHM` mode on all 19,131 word types of the
  English sets; rouge-score uses NLTK's default mode, whose extensions stem
  about 3 % of the English tokens differently, e.g. "says" -> "say" instead of
  "sai": on 2026-11-28 that moved digestd's and Lead-3's scores by at most
  0.06 points); French tokens are not stemmed (rouge-score has no French
  stemmer). ROUGE-N counts clipped n-gram matches; ROUGE-L is the
  longest common subsequence over the whole token sequences (rouge-score's
  `rougeL`, not the sentence-level `rougeLsum`); F1 = 2PR/(P+R), 0 when P or R
  is 0. A system's summary is its sentences joined by spaces. Words/summary
  counts these tokens: summaries with the same number of sentences can differ
  a lot in length, and a longer one gains recall against a long reference
  (BBC) and loses precision against a short one. `tests/cli/eval_selftest.sh` checks the ROUGE and
  Porter code against hand-computed cases.
- OTS gets the plain article text (no header) in a file (ots 0.5.0 crashes
  when it reads standard input) with the dictionary of the set's language
  (`ots -r RATIO -d en|fr|de|es FILE`). Its output is re-split into sentences
  with digestd's segmenter (`digestd summarize --method lead --ratio 1`), so
  that sentences are counted the same way for all systems. RATIO, a whole
  percentage from 1 to 100, is searched per article: starting from
  100 x {n} / (the article's sentence count), the tool gallops then bisects
  towards the smallest ratio whose output has at least {n} sentences (OTS's
  output grows with the ratio), and stops at the first ratio whose output has
  exactly {n}. When none has, the output with the sentence count closest to
  {n} among the ratios tried is kept whole; a tie (for example {n_minus} and {n_plus}
  sentences) goes to the longer output; among ratios giving the same count,
  the smallest is kept (the largest when the count is below {n}). So an OTS
  summary can have fewer or more than {n} sentences when no ratio gives
  exactly {n} (one OTS sentence can hold several of digestd's: OTS does not
  end a sentence at a line break, so a list of lines is one OTS sentence; and
  OTS adds whole sentences per step); the counts are under "Notes". An OTS
  run that fails is scored as an empty summary and listed under "Notes".

Sentence segmentation is scored on its own by `tools/eval-segment.py`: the
share of the BBC dev references' sentences (verbatim article sentences) that
digestd's segmenter finds exactly; `make eval` (`tests/eval/segment.sh`) fails
below 99 %.

## Results

{table}

Is digestd at least as good as Lead-{n} (>=), and better than OTS (>), on each
metric (compared at the two decimals shown)? In brackets: the two scores,
then digestd's lead over the other system, article by article, as mean ±
standard error in points; a lead within about two standard errors could be
chance on a set this size.

{verdicts}

### Per language

Every article of a language's sets pooled (English: BBC, CNN/DailyMail and
XSum), so that a language with a large set is not judged on a small one; the
last column is digestd's lead over the system, article by article, as mean ±
standard error in points.

{languages}

### At Lead-{n}'s length

digestd again, each article with Lead-{n}'s word count for it as its word
budget (`digestd summarize -n {n} --words W`: the best whole sentences that
fit in W words, where W is the sum of the `words` of Lead-{n}'s picks), so that
a gain that comes from longer picks alone shows. Words here are ROUGE's
tokens, which differ slightly from digestd's (an apostrophe splits a word for
ROUGE, not for digestd).

{matched}

### Sentences that stand alone

A pick of digestd that opens with a word leaning on the sentence before ("He",
"This", "But", "Il", "Er", "Pero"; the lists are in `src/summarise/lang.c`)
is taken together with that sentence when both fit the sentence count, and
passed over otherwise. How often each happened:

{leaning}

## Where digestd loses, and why

Against the issue's targets (issue 14), on these dev sets, with the scorer
of 2026-12-07 (see "What was tried: the lead of a text without paragraphs"
below for each step and its leave-one-set-out view):

- At or above Lead-{n} on R-1, R-2 and R-L: on all six sets. On 10kGNAD
  (German) only by the rule for texts without paragraph breaks, which makes
  digestd's picks there Lead-{n}'s in 147 of 183 articles (and on
  CNN/DailyMail, whose texts have none either, in 82 of 90); R-2 there is
  +0.13 ± 0.09, within two standard errors. Chosen on the other five sets,
  the rule's bonus would have been half as large and 10kGNAD would stay
  below Lead-{n} (-0.04, -0.26, -0.12): the rule's strength was set with the
  German set in view.
- A paired difference over two standard errors on at least three sets: no,
  on two and two thirds: R-1, R-2 and R-L on BBC and NoticIA; R-1 and R-L
  (not R-2) on 10kGNAD; R-2 alone on OrangeSum, whose margin shrank (R-1
  +0.36 to +0.14): 57 of its 390 texts have no paragraph breaks and lean on
  their lead more now.
- At Lead-{n}'s length, at or above it everywhere: yes, on all six sets,
  by +0.01 to +0.02 on R-2 for 10kGNAD and CNN/DailyMail (within a standard
  error: at equal length digestd is nearly Lead-{n} on those two).
- Above OTS on every set but BBC: yes, but on XSum's R-2 by 0.01 point
  (standard error about 0.36): a tie. With XSum left out of the choice of
  the paragraph-start bonus, the bonus chosen (0.3) leaves XSum's R-2 at
  3.12, below OTS.
- Sentences that stand alone cost a little ROUGE: before that step (commit
  52c7017's parent) R-1 was 0.04 to 0.37 points higher on five sets and 0.05
  lower on NoticIA.
- A learned scorer (the issue's "scorer that generalises") was trained and
  cross-validated, and did not beat the hand-set scorer on the sets it was
  not trained on, so it is not shipped: see "What was tried: a learned
  scorer" below. The scorer is still the hand-set one.
- Recurring word pairs as key phrases (aimed at R-2, digestd's weakest
  measure) lift R-2 on five of the six sets at weights 0.5 and 1 (not on
  10kGNAD), but put no third set over two standard errors and miss a
  target at every weight, so they are not shipped: see "What was tried:
  recurring bigrams" below.

The older finding on BBC still holds: OTS beats digestd there by about 9
points, and no scorer found on the first four dev sets beat OTS on BBC while
staying at or above Lead-3 on CNN/DailyMail. The BBC references were made by
picking the article's sentences that carry its most frequent words (about
45 % of each article, from anywhere in it), which is what a frequency
summariser without a position prior does; the other sets' references reward
the opposite: the opening sentences, kept short. The search (2026-11-28, on
the four sets then available) covered about 1,600 settings of position prior,
length exponent, tf weighting, title boost, coverage discount, duplicate cut,
a forced lead sentence, a word budget, a penalty for quotes and attributions,
centroid cosine scoring and a fusion of frequency and position ranks: pure
frequency reached BBC 58.59/53.83/44.58 (above OTS) but fell below Lead-3 on
CNN/DailyMail (33.31/14.19/21.89), OrangeSum and XSum, and no property of an
article (sentence count, term entropy, the share of the top terms, how many
top terms the lead covers, mean sentence length, word count) told the two
kinds apart (|r| <= 0.27, signs changing between sets).

## What was tried: recurring bigrams

On 2026-12-07, on the six dev sets, one experiment fixed in advance (its
rule, its weights and the rule for shipping were written down before any
run, and nothing else was varied): the scorer never looks at word pairs,
and R-2 is its weakest measure, so recurring pairs were tried as key
phrases, after the bigram concepts of Gillick & Favre (2009). A pair is two
content terms in a row inside one sentence (the text language's stopwords
and the uncounted tokens skipped between them; never across a sentence
end), counted over the whole text like term frequencies, into a hashed
table of 8,192 saturating byte counters (16 KiB with their cover counts);
a pair seen at least twice is a key phrase. A sentence's pair salience is
the sum, over its distinct key pairs, of the damped count the terms use
(1 + ln n), divided by 1 + 3 x the times picks covered the pair, as for
terms; the score is (term sum + W x pair sum) / the length norm, the rest
as shipped. W was 0 (what ships), 0.5, 1 or 2; digestd built at commit
5fb90a8 with the change (not kept: at W = 0 it gave what ships,
article for article), scored with
`--no-ots` and compared with the OTS rows above. The rule for shipping: one
W above 0 that keeps every target of issue 14 on all six sets, puts at
least three sets over two standard errors on R-1, R-2 and R-L, and is the
W chosen by leave-one-set-out in at least five of the six folds.

| set | W | R-1 / R-2 / R-L | minus Lead-3: R-1, R-2, R-L | at Lead-3's length, minus Lead-3 | at or above Lead-3 / at its length / above OTS / over 2 SE on all three |
| --- | --- | ---: | --- | --- | --- |
{pairs}

Leave-one-set-out: for each set, the W among the four that the other five
sets favour (the most sets at or above Lead-3 on all three measures, ties
broken by the mean R-2 paired difference), and the set left out scored
with it.

{pairs_loso}

Not shipped. Leave-one-set-out picks W = 1 in all six folds (at 0.5 XSum
falls below Lead-3 on R-1, -0.03; at 2 10kGNAD and CNN/DailyMail do; at 1
all six stay at or above it), but W = 1 falls below Lead-3 at Lead-3's
length on 10kGNAD (R-2 -0.02) and on CNN/DailyMail (-0.22, -0.20 on R-1 and
R-2), and no W puts a third set over two standard errors on all three
measures: BBC and NoticIA are there at every W; next come 10kGNAD at W = 0
(its weakest measure 1.5 standard errors) and CNN/DailyMail at 0 (1.0),
and the pairs lower both. What the pairs do: R-2 rises on BBC (+0.18 to
+0.58), NoticIA (+0.06 to +0.43), XSum (up to +0.30, to 3.47 at W = 2, well
clear of OTS's 3.16) and OrangeSum (up to +0.09), and at Lead-3's length
the margins widen on BBC, OrangeSum and XSum. On the two sets without
paragraph breaks, 10kGNAD and CNN/DailyMail, the pairs pull picks away
from the lead that the flat-text rule favours there: digestd's summary is
Lead-3's in 147, 142, 140 and 128 of 10kGNAD's 183 articles at W = 0,
0.5, 1 and 2, and in 82, 76, 68 and 61 of CNN/DailyMail's 90, and the
paired differences' standard errors double on CNN/DailyMail (0.21 to 0.41
on R-1 at W = 1): picks that differ from the lead more often, gaining on
some articles and losing on as many.

## What was tried: the lead of a text without paragraphs

On 2026-12-07, on the six dev sets, each setting scored with digestd's
`summarize -n 3` (and `--words` at Lead-3's length) against the same Lead-3
as above. What held digestd below Lead-3 on 10kGNAD is position, not
length: there, sentences 2 and 3 match the reference as well as the first
one does (ROUGE-2 precision 0.030, 0.029 and 0.045 for sentences 1 to 3;
0.023, 0.029 and 0.017 for the next three), and 89 of digestd's 549 picks
came after the third sentence. Its texts, and CNN/DailyMail's, have no
paragraph breaks (183 of 183 and 89 of 90; OrangeSum 57 of 390, the others
none), so the paragraph-start bonus marked only their first sentence. Three changes
ship, one setting for every language:

- A text without paragraph breaks (all its sentences in one paragraph)
  gives its first 3 sentences a bonus of 2 on the position prior
  (`FLAT_LEAD_SENTENCES`, `FLAT_LEAD_BONUS` in `src/summarise/summ.c`),
  standing for the lead paragraph that the text does not mark.
- The duplicate cut: a candidate is all but excluded when 80 % of its
  content terms are covered by earlier picks (was 60 %).
- The paragraph-start bonus is 0.6 (was 0.15).

Step by step (digestd's R-1 / R-2 / R-L, then its paired difference with
Lead-3, mean ± standard error, in full and at Lead-3's length):

{steps}

Leave-one-set-out: the four settings (the flat-text bonus 0, 1, 2 or 3;
the duplicate cut 60 or 80 %; the paragraph-start bonus 0.15, 0.3, 0.6 or
1; the first sentence's prior 4 or 6), 64 combinations, chosen on five sets
by the number of the issue's checks met there (each of R-1, R-2, R-L at or
above Lead-3, at or above it at equal length, above OTS), ties broken by the
summed paired differences over their standard errors; each row is the set
left out, scored with the setting chosen without it. On all six the same
criterion chooses what ships (2, 80 %, 0.6, 6).

{loso}

So the duplicate cut at 80 % holds in every fold, and the paragraph-start
bonus varies between 0.3 and 1 with the set left out (at 1, chosen without
BBC, BBC falls 0.08 below Lead-3 at equal length on R-1 and R-L); the
flat-text bonus is carried by 10kGNAD alone (CNN/DailyMail and OrangeSum
prefer a smaller one),
which is the overfitting risk of this change: on held-out German text with
paragraphs, or with a lead other than the first three sentences, it will
not help.

Also measured and not shipped (each added to what ships, or to the scorer
before, as said; "targets" are the four checks above):

- A stronger prior on the first sentence only of a flat text (6 to 60):
  10kGNAD -0.39 R-1 at best, still below Lead-3 (its first sentence is not
  the best one).
- The flat-text bonus on the first 2, 4 or 5 sentences instead of 3:
  10kGNAD stays below Lead-3 on R-2 (-0.43 to -0.63) for every bonus from
  0.5 to 6.
- Length (on the scorer before): the length norm's exponent 0.85, 0.95,
  1.05 (was 0.75: shorter picks), or a factor (25/words)^p, p 0.25 to 1,
  for sentences over 25 words: 10kGNAD's R-2 rises to -0.04 at best
  (exponent 1.05) while BBC falls by up to 1.1 and OrangeSum's R-2 by up to
  0.9 (below Lead-3 with the factor at p = 1).
- The coverage discount (redundancy between picks, MMR-like) at 1, 1.5, 2
  or 2.5 (was 3: weight / (1 + 3 x times covered)), with the flat-text rule
  and the 80 % cut: a weaker one lifts XSum's
  R-2 above OTS (3.43 at 1) and BBC by up to 0.7, but takes 10kGNAD's R-2
  below Lead-3 (-0.11) and OrangeSum's R-1 to +0.03.
- The title boost at 2, 4 or 6 (was 3), with the flat-text rule and the
  80 % cut: 2 loses 0.1-0.6 on BBC, NoticIA and OrangeSum; 4 and 6 gain on
  NoticIA (up to +0.6) and OrangeSum's R-L, but take BBC below Lead-3 at
  Lead-3's length (R-1 and R-L -0.01 at 4, -0.17 and -0.14 at 6).
- The position prior's decay at 2, 3, 6 or 8 (was 4) and its first-sentence
  weight at 4, 8 or 12 (was 6), with the flat-text rule and the 80 % cut:
  decay 6 and 8 lift XSum and NoticIA but take 10kGNAD below Lead-3; weight
  4 meets the same targets as what ships, with smaller margins on 10kGNAD
  (+0.22/+0.03/+0.22).
- Sentences under 8 words damped more or less (0.15, 0.5; was 0.3): no
  target moves; sentences over 60 words damped less (1; was 0.7): CNN/DailyMail
  falls below Lead-3 on R-1 and R-L; more (0.5): XSum's R-1 0.01 below.
- Terms seen once in the article weighed less (2026-12-07; Luhn's
  "significant words": the first step of the damped term frequency, 1,
  set to 0, 0.25, 0.5 or 0.75), on what ships. For German it takes
  10kGNAD below Lead-3 (at 0: -0.03, -0.47, -0.25): digestd does not split
  compounds, so German content words seldom recur and most of a sentence's
  salience is in words seen once. For every other language, German kept
  as it is: at 0, BBC 49.37 / 42.37 / 37.53 (+4.54, +6.16, +2.89 over
  Lead-3), NoticIA 13.57 / 6.04 / 11.18 (+2.43, +2.50, +2.34), XSum 20.08 /
  3.44 / 12.64 (R-2 0.28 above OTS), OrangeSum +0.42, +0.41, +0.41, but
  CNN/DailyMail at Lead-3's length falls below it (-0.14, -0.74, -0.18);
  at 0.25 CNN/DailyMail is below Lead-3 in full too (-0.03, -0.14, -0.09);
  at 0.5 every Lead-3 check is met with wider margins at Lead-3's length
  (BBC +0.48, +1.12, +0.22; OrangeSum +0.59, +0.35, +0.45; XSum +0.51,
  +0.20, +0.36; CNN/DailyMail +0.31, +0.14, +0.52) but XSum's R-2 falls to
  3.04, below OTS (3.16). No weight meets every target, and none puts a
  third set over two standard errors on all three measures (the closest:
  CNN/DailyMail 1.3 at 0.75, OrangeSum 1.3 and XSum 1.1 at 0, each its
  weakest measure's difference over its standard error). Not shipped: the
  choice between 0 and 0.5 turns on CNN/DailyMail's 90 and XSum's 77
  articles.

## What was tried: a learned scorer

`python3 tools/train-scorer.py --label precision` (and `--label f1`), on the
six dev sets, 2026-12-06. For every sentence, `digestd summarize --format
features` exports what the C scorer sees before any pick (position,
paragraph start, fragment, words, distinct content terms, title terms,
numbers, capitalised words, a quotation mark, the summed term weights and
today's score); the tool turns them into 13 inputs (today's score and the
salience per distinct term on a log scale, 1/(1+position), first sentence,
paragraph start, fragment, log words, under 8 words, title share, number
share, capitals share, quotation, relative position). The label of a
sentence is its ROUGE-1 + ROUGE-2 precision (or F1) against the reference,
as a z-score within its article (only the order inside an article counts,
and BBC's long references would otherwise outweigh the one-sentence ones).
A ridge regression over article-centred inputs, each set weighing the same,
ranks the sentences; the top 3 in document order are the summary.
Leave-one-set-out: each row is a set the model was not trained on. "today"
is digestd's summary as shipped before 2026-12-07 (`--method rank`, with its coverage
discount, duplicate cut and sentences that lean back); "today, top 3 by its
score" ranks by today's first-pass score with the learned model's plain
selection, so the two learned-versus-today effects can be told apart.
Scores are R-1 / R-2 / R-L F1 in percent; the last column is the learned
scorer minus today, article by article, mean ± standard error.

Labels: ROUGE-1 + ROUGE-2 precision.

{cv_precision}

Labels: ROUGE-1 + ROUGE-2 F1 (favours long sentences: far ahead on BBC,
whose references are long, behind everywhere else).

{cv_f1}

Neither beats today's scorer held-out: the precision model is at or above
it on all three measures only on NoticIA (Spanish, +0.67/+0.45/+0.90, within
two standard errors), level within noise on 10kGNAD and XSum, and below on
BBC, OrangeSum and CNN/DailyMail (-5.0 R-1 there: a model fitted to sets
whose best sentences sit at the start does not transfer to highlights drawn
from the whole article). What is learned on English and French does not
hold on German and Spanish better than the hand-set prior does, so the
weights were not compiled into digestd. One finding for later: today's
first-pass score with a plain top-3 selection (no coverage discount, no
duplicate cut, no joining) is 2.4/3.9/1.5 points above the shipped
selection on BBC and 0.4/0.8/0.5 on NoticIA, but 0.9/0.4/0.9 below on
CNN/DailyMail and lower on OrangeSum: the selection rules cost on long
references and help on short ones.

## Stopword lists

The stopwords of en, fr, de, es, it and pt (`src/summarise/lang.c`) are the
Snowball project's stop lists (snowballstem.org,
`algorithms/<language>/stop.txt`, BSD-3-Clause, Copyright (c) 2001 Dr Martin
Porter, (c) 2004-2005 Richard Boulton), as Debian's
`liblingua-stopwords-perl` 0.12 ships them, plus a short list per language of
our own (MIT): the words that digestd's earlier hand-made lists held beyond
Snowball's, mostly news words (said, year, according; selon, année; sagte,
laut; dijo, según; disse; detto) and a few function words Snowball leaves out
(French "a", "les", "ils"; German "dass", which Snowball spells "daß"). The
earlier lists could not be traced as a whole: their German one was
Snowball's with 17 words added, their English one NLTK's (itself derived from
Snowball's) with 58, and the French, Spanish, Italian and Portuguese ones
shorter hand-made lists (Spanish 144 words against Snowball's 308). Measured
with `python3 tools/eval-summ.py --no-ots` on the dev sets (digestd R-1 /
R-2 / R-L), before, with Snowball's lists alone, and with Snowball's plus
ours (what ships):

| set | before | Snowball alone | Snowball + ours |
| --- | ---: | ---: | ---: |
| 10kgnad_lead | 14.86 / 4.47 / 11.23 | 14.70 / 4.38 / 11.09 | 14.86 / 4.47 / 11.23 |
| bbc_news_summary | 46.83 / 38.61 / 35.79 | 47.09 / 38.99 / 35.97 | 46.81 / 38.58 / 35.79 |
| cnndm_frank | 39.62 / 17.42 / 25.24 | 39.66 / 17.46 / 25.32 | 39.62 / 17.42 / 25.24 |
| noticia_clickbait | 12.14 / 4.69 / 9.73 | 12.06 / 4.59 / 9.63 | 12.13 / 4.65 / 9.74 |
| orangesum_abstract | 27.21 / 10.10 / 17.29 | 27.08 / 9.87 / 17.17 | 27.24 / 10.12 / 17.32 |
| xsum_frank | 19.63 / 3.06 / 11.87 | 19.51 / 2.96 / 11.81 | 19.57 / 3.11 / 11.88 |

Snowball's lists alone lose 0.1-0.2 points on German, Spanish, French and
XSum (they lack the news words) and gain 0.3 on BBC; with our words added
every set is within 0.06 points of before, so that is what ships.

## Notes

{notes}
"""


# The scorer's steps of 2026-12-07 and their leave-one-set-out view (settings
# scored with /tmp builds of digestd at commit ca9142e, each tunable changed in
# turn): a static record of what was tried, not re-run by `make eval`.
STEPS_FLAT = """\
| set | step | R-1 / R-2 / R-L | minus Lead-3: R-1, R-2, R-L | at Lead-3's length, minus Lead-3 |
| --- | --- | ---: | --- | --- |
| 10kgnad_lead | before (ca9142e) | 14.86 / 4.47 / 11.23 | -0.45 ± 0.39, -0.60 ± 0.32, -0.41 ± 0.34 | +0.13 ± 0.15, -0.10 ± 0.12, +0.10 ± 0.13 |
| 10kgnad_lead | + flat lead | 15.75 / 5.21 / 11.97 | +0.44 ± 0.18, +0.13 ± 0.09, +0.33 ± 0.14 | +0.13 ± 0.08, +0.01 ± 0.01, +0.06 ± 0.05 |
| 10kgnad_lead | + duplicate cut at 80 % | 15.75 / 5.21 / 11.97 | +0.44 ± 0.18, +0.13 ± 0.09, +0.33 ± 0.14 | +0.13 ± 0.08, +0.01 ± 0.01, +0.06 ± 0.05 |
| 10kgnad_lead | + paragraph start 0.6 (shipped) | 15.75 / 5.21 / 11.97 | +0.44 ± 0.18, +0.13 ± 0.09, +0.33 ± 0.14 | +0.13 ± 0.08, +0.01 ± 0.01, +0.06 ± 0.05 |
| bbc_news_summary | before (ca9142e) | 46.81 / 38.58 / 35.79 | +1.98 ± 0.29, +2.36 ± 0.37, +1.15 ± 0.28 | +0.07 ± 0.16, +0.36 ± 0.24, +0.07 ± 0.17 |
| bbc_news_summary | + flat lead | 46.81 / 38.58 / 35.79 | +1.98 ± 0.29, +2.36 ± 0.37, +1.15 ± 0.28 | +0.07 ± 0.16, +0.36 ± 0.24, +0.07 ± 0.17 |
| bbc_news_summary | + duplicate cut at 80 % | 46.82 / 38.60 / 35.79 | +2.00 ± 0.29, +2.39 ± 0.37, +1.15 ± 0.28 | +0.06 ± 0.16, +0.35 ± 0.23, +0.05 ± 0.17 |
| bbc_news_summary | + paragraph start 0.6 (shipped) | 47.16 / 38.93 / 35.97 | +2.33 ± 0.30, +2.71 ± 0.38, +1.33 ± 0.29 | +0.16 ± 0.16, +0.43 ± 0.24, +0.05 ± 0.17 |
| cnndm_frank | before (ca9142e) | 39.62 / 17.42 / 25.24 | +0.27 ± 0.46, +0.31 ± 0.42, +0.54 ± 0.36 | +0.06 ± 0.18, -0.07 ± 0.16, +0.35 ± 0.17 |
| cnndm_frank | + flat lead | 39.72 / 17.30 / 24.97 | +0.37 ± 0.21, +0.19 ± 0.20, +0.27 ± 0.19 | +0.11 ± 0.08, -0.04 ± 0.07, +0.12 ± 0.08 |
| cnndm_frank | + duplicate cut at 80 % | 39.72 / 17.30 / 24.97 | +0.37 ± 0.21, +0.19 ± 0.20, +0.27 ± 0.19 | +0.10 ± 0.08, +0.02 ± 0.02, +0.11 ± 0.08 |
| cnndm_frank | + paragraph start 0.6 (shipped) | 39.72 / 17.30 / 24.97 | +0.37 ± 0.21, +0.19 ± 0.20, +0.27 ± 0.19 | +0.10 ± 0.08, +0.02 ± 0.02, +0.11 ± 0.08 |
| noticia_clickbait | before (ca9142e) | 12.13 / 4.65 / 9.74 | +0.99 ± 0.37, +1.10 ± 0.39, +0.89 ± 0.37 | +1.60 ± 0.42, +0.94 ± 0.36, +1.25 ± 0.38 |
| noticia_clickbait | + flat lead | 12.13 / 4.65 / 9.74 | +0.99 ± 0.37, +1.10 ± 0.39, +0.89 ± 0.37 | +1.60 ± 0.42, +0.94 ± 0.36, +1.25 ± 0.38 |
| noticia_clickbait | + duplicate cut at 80 % | 12.14 / 4.65 / 9.75 | +1.01 ± 0.37, +1.11 ± 0.39, +0.90 ± 0.37 | +1.59 ± 0.42, +0.93 ± 0.36, +1.24 ± 0.38 |
| noticia_clickbait | + paragraph start 0.6 (shipped) | 12.21 / 4.65 / 9.77 | +1.07 ± 0.38, +1.11 ± 0.39, +0.93 ± 0.37 | +1.70 ± 0.45, +1.08 ± 0.40, +1.39 ± 0.41 |
| orangesum_abstract | before (ca9142e) | 27.24 / 10.12 / 17.32 | +0.36 ± 0.24, +0.81 ± 0.23, +0.31 ± 0.19 | +0.27 ± 0.19, +0.18 ± 0.16, +0.15 ± 0.17 |
| orangesum_abstract | + flat lead | 27.14 / 9.98 / 17.21 | +0.26 ± 0.23, +0.67 ± 0.22, +0.20 ± 0.18 | +0.36 ± 0.17, +0.21 ± 0.15, +0.17 ± 0.15 |
| orangesum_abstract | + duplicate cut at 80 % | 27.08 / 9.94 / 17.22 | +0.20 ± 0.24, +0.64 ± 0.22, +0.21 ± 0.18 | +0.32 ± 0.18, +0.18 ± 0.15, +0.16 ± 0.15 |
| orangesum_abstract | + paragraph start 0.6 (shipped) | 27.02 / 9.86 / 17.16 | +0.14 ± 0.25, +0.55 ± 0.23, +0.15 ± 0.19 | +0.33 ± 0.19, +0.14 ± 0.17, +0.12 ± 0.16 |
| xsum_frank | before (ca9142e) | 19.57 / 3.11 / 11.88 | +0.01 ± 0.36, +0.44 ± 0.23, +0.22 ± 0.26 | +0.14 ± 0.17, +0.16 ± 0.09, +0.14 ± 0.14 |
| xsum_frank | + flat lead | 19.57 / 3.11 / 11.88 | +0.01 ± 0.36, +0.44 ± 0.23, +0.22 ± 0.26 | +0.14 ± 0.17, +0.16 ± 0.09, +0.14 ± 0.14 |
| xsum_frank | + duplicate cut at 80 % | 19.57 / 3.11 / 11.88 | +0.01 ± 0.36, +0.44 ± 0.23, +0.22 ± 0.26 | +0.14 ± 0.17, +0.16 ± 0.09, +0.14 ± 0.14 |
| xsum_frank | + paragraph start 0.6 (shipped) | 19.66 / 3.17 / 11.99 | +0.10 ± 0.37, +0.50 ± 0.23, +0.32 ± 0.26 | +0.14 ± 0.17, +0.16 ± 0.09, +0.14 ± 0.14 |"""

# The recurring-bigram experiment of 2026-12-07 (builds of 5fb90a8 with
# the pair weight at 0, 0.5, 1 and 2; the change was not kept): a static
# record of what was tried, not re-run by `make eval`.
STEPS_PAIRS = """\
| 10kgnad_lead | 0 (today) | 15.75 / 5.21 / 11.97 | +0.44 ± 0.18, +0.13 ± 0.09, +0.33 ± 0.14 | +0.13 ± 0.08, +0.01 ± 0.01, +0.06 ± 0.05 | yes / yes / yes / no |
| 10kgnad_lead | 0.5 | 15.57 / 5.16 / 11.90 | +0.26 ± 0.16, +0.08 ± 0.07, +0.26 ± 0.13 | +0.13 ± 0.08, +0.01 ± 0.01, +0.06 ± 0.05 | yes / yes / yes / no |
| 10kgnad_lead | 1 | 15.58 / 5.14 / 11.88 | +0.27 ± 0.16, +0.07 ± 0.07, +0.24 ± 0.13 | +0.09 ± 0.07, -0.02 ± 0.03, +0.08 ± 0.05 | yes / **no** / yes / no |
| 10kgnad_lead | 2 | 15.49 / 4.96 / 11.70 | +0.18 ± 0.25, -0.12 ± 0.19, +0.07 ± 0.23 | +0.15 ± 0.08, -0.02 ± 0.03, +0.12 ± 0.06 | **no** / **no** / yes / no |
| bbc_news_summary | 0 (today) | 47.16 / 38.93 / 35.97 | +2.33 ± 0.30, +2.71 ± 0.38, +1.33 ± 0.29 | +0.16 ± 0.16, +0.43 ± 0.24, +0.05 ± 0.17 | yes / yes / no (BBC) / yes |
| bbc_news_summary | 0.5 | 47.35 / 39.22 / 36.06 | +2.52 ± 0.30, +3.00 ± 0.39, +1.42 ± 0.29 | +0.17 ± 0.17, +0.54 ± 0.24, +0.05 ± 0.17 | yes / yes / no (BBC) / yes |
| bbc_news_summary | 1 | 47.25 / 39.11 / 35.95 | +2.42 ± 0.31, +2.89 ± 0.40, +1.32 ± 0.30 | +0.20 ± 0.18, +0.68 ± 0.27, +0.12 ± 0.20 | yes / yes / no (BBC) / yes |
| bbc_news_summary | 2 | 47.55 / 39.51 / 36.11 | +2.72 ± 0.32, +3.30 ± 0.42, +1.47 ± 0.31 | +0.41 ± 0.21, +0.98 ± 0.31, +0.24 ± 0.23 | yes / yes / no (BBC) / yes |
| cnndm_frank | 0 (today) | 39.72 / 17.30 / 24.97 | +0.37 ± 0.21, +0.19 ± 0.20, +0.27 ± 0.19 | +0.10 ± 0.08, +0.02 ± 0.02, +0.11 ± 0.08 | yes / yes / yes / no |
| cnndm_frank | 0.5 | 39.56 / 17.34 / 25.05 | +0.21 ± 0.27, +0.23 ± 0.27, +0.35 ± 0.29 | +0.13 ± 0.10, +0.06 ± 0.08, +0.22 ± 0.14 | yes / yes / yes / no |
| cnndm_frank | 1 | 39.66 / 17.46 / 25.15 | +0.31 ± 0.41, +0.34 ± 0.39, +0.46 ± 0.35 | -0.22 ± 0.36, -0.20 ± 0.27, +0.06 ± 0.32 | yes / **no** / yes / no |
| cnndm_frank | 2 | 39.23 / 17.22 / 24.83 | -0.12 ± 0.66, +0.10 ± 0.52, +0.13 ± 0.55 | -0.03 ± 0.42, -0.11 ± 0.31, +0.25 ± 0.39 | **no** / **no** / yes / no |
| noticia_clickbait | 0 (today) | 12.21 / 4.65 / 9.77 | +1.07 ± 0.38, +1.11 ± 0.39, +0.93 ± 0.37 | +1.70 ± 0.45, +1.08 ± 0.40, +1.39 ± 0.41 | yes / yes / yes / yes |
| noticia_clickbait | 0.5 | 12.10 / 4.71 / 9.71 | +0.97 ± 0.40, +1.16 ± 0.43, +0.87 ± 0.40 | +1.66 ± 0.45, +1.04 ± 0.39, +1.34 ± 0.40 | yes / yes / yes / yes |
| noticia_clickbait | 1 | 12.29 / 4.96 / 9.90 | +1.16 ± 0.41, +1.42 ± 0.46, +1.05 ± 0.41 | +1.65 ± 0.44, +1.11 ± 0.39, +1.39 ± 0.41 | yes / yes / yes / yes |
| noticia_clickbait | 2 | 12.40 / 5.08 / 9.97 | +1.26 ± 0.41, +1.54 ± 0.46, +1.12 ± 0.42 | +1.83 ± 0.44, +1.11 ± 0.40, +1.47 ± 0.39 | yes / yes / yes / yes |
| orangesum_abstract | 0 (today) | 27.02 / 9.86 / 17.16 | +0.14 ± 0.25, +0.55 ± 0.23, +0.15 ± 0.19 | +0.33 ± 0.19, +0.14 ± 0.17, +0.12 ± 0.16 | yes / yes / yes / no |
| orangesum_abstract | 0.5 | 27.06 / 9.93 / 17.26 | +0.18 ± 0.26, +0.62 ± 0.24, +0.25 ± 0.19 | +0.35 ± 0.20, +0.25 ± 0.19, +0.23 ± 0.18 | yes / yes / yes / no |
| orangesum_abstract | 1 | 27.04 / 9.88 / 17.24 | +0.16 ± 0.25, +0.58 ± 0.24, +0.23 ± 0.20 | +0.56 ± 0.23, +0.37 ± 0.22, +0.39 ± 0.20 | yes / yes / yes / no |
| orangesum_abstract | 2 | 27.01 / 9.95 / 17.30 | +0.13 ± 0.27, +0.64 ± 0.27, +0.29 ± 0.23 | +0.51 ± 0.27, +0.48 ± 0.28, +0.49 ± 0.23 | yes / yes / yes / no |
| xsum_frank | 0 (today) | 19.66 / 3.17 / 11.99 | +0.10 ± 0.37, +0.50 ± 0.23, +0.32 ± 0.26 | +0.14 ± 0.17, +0.16 ± 0.09, +0.14 ± 0.14 | yes / yes / yes / no |
| xsum_frank | 0.5 | 19.53 / 3.18 / 11.98 | -0.03 ± 0.36, +0.51 ± 0.23, +0.32 ± 0.28 | +0.26 ± 0.21, +0.20 ± 0.10, +0.14 ± 0.14 | **no** / yes / yes / no |
| xsum_frank | 1 | 19.75 / 3.40 / 12.18 | +0.19 ± 0.42, +0.73 ± 0.33, +0.51 ± 0.34 | +0.48 ± 0.25, +0.39 ± 0.20, +0.34 ± 0.21 | yes / yes / yes / no |
| xsum_frank | 2 | 19.78 / 3.47 / 12.27 | +0.22 ± 0.43, +0.80 ± 0.33, +0.60 ± 0.35 | +0.35 ± 0.29, +0.41 ± 0.20, +0.31 ± 0.23 | yes / yes / yes / no |"""

LOSO_PAIRS = """\
| set left out | sets at or above Lead-3 on all three, mean R-2 difference, on the other five, for W = 0 / 0.5 / 1 / 2 | W chosen | its R-1 / R-2 / R-L | minus Lead-3: R-1, R-2, R-L | at Lead-3's length, minus Lead-3 |
| --- | --- | --- | ---: | --- | --- |
| 10kgnad_lead | 5, +1.01 / 4, +1.11 / 5, +1.19 / 4, +1.28 | 1 | 15.58 / 5.14 / 11.88 | +0.27 ± 0.16, +0.07 ± 0.07, +0.24 ± 0.13 | +0.09 ± 0.07, -0.02 ± 0.03, +0.08 ± 0.05 |
| bbc_news_summary | 5, +0.50 / 4, +0.52 / 5, +0.63 / 3, +0.59 | 1 | 47.25 / 39.11 / 35.95 | +2.42 ± 0.31, +2.89 ± 0.40, +1.32 ± 0.30 | +0.20 ± 0.18, +0.68 ± 0.27, +0.12 ± 0.20 |
| cnndm_frank | 5, +1.00 / 4, +1.08 / 5, +1.14 / 4, +1.23 | 1 | 39.66 / 17.46 / 25.15 | +0.31 ± 0.41, +0.34 ± 0.39, +0.46 ± 0.35 | -0.22 ± 0.36, -0.20 ± 0.27, +0.06 ± 0.32 |
| noticia_clickbait | 5, +0.82 / 4, +0.89 / 5, +0.92 / 3, +0.94 | 1 | 12.29 / 4.96 / 9.90 | +1.16 ± 0.41, +1.42 ± 0.46, +1.05 ± 0.41 | +1.65 ± 0.44, +1.11 ± 0.39, +1.39 ± 0.41 |
| orangesum_abstract | 5, +0.93 / 4, +1.00 / 5, +1.09 / 3, +1.12 | 1 | 27.04 / 9.88 / 17.24 | +0.16 ± 0.25, +0.58 ± 0.24, +0.23 ± 0.20 | +0.56 ± 0.23, +0.37 ± 0.22, +0.39 ± 0.20 |
| xsum_frank | 5, +0.94 / 5, +1.02 / 5, +1.06 / 3, +1.09 | 1 | 19.75 / 3.40 / 12.18 | +0.19 ± 0.42, +0.73 ± 0.33, +0.51 ± 0.34 | +0.48 ± 0.25, +0.39 ± 0.20, +0.34 ± 0.21 |"""

LOSO_FLAT = """\
| set left out | chosen on the other five: flat-text bonus, duplicate cut, paragraph start, first sentence | its R-1 / R-2 / R-L | minus Lead-3: R-1, R-2, R-L | at Lead-3's length, minus Lead-3 |
| --- | --- | ---: | --- | --- |
| 10kgnad_lead | 1, 80 %, 0.3, 4 | 15.27 / 4.81 / 11.51 | -0.04 ± 0.28, -0.26 ± 0.24, -0.12 ± 0.28 | +0.15 ± 0.08, +0.01 ± 0.01, +0.09 ± 0.05 |
| bbc_news_summary | 2, 80 %, 1, 6 | 47.35 / 39.01 / 35.99 | +2.52 ± 0.33, +2.79 ± 0.43, +1.35 ± 0.31 | -0.08 ± 0.18, +0.13 ± 0.26, -0.08 ± 0.18 |
| cnndm_frank | 2, 80 %, 0.6, 6 | 39.72 / 17.30 / 24.97 | +0.37 ± 0.21, +0.19 ± 0.20, +0.27 ± 0.19 | +0.10 ± 0.08, +0.02 ± 0.02, +0.11 ± 0.08 |
| noticia_clickbait | 2, 80 %, 0.6, 6 | 12.21 / 4.65 / 9.77 | +1.07 ± 0.38, +1.11 ± 0.39, +0.93 ± 0.37 | +1.70 ± 0.45, +1.08 ± 0.40, +1.39 ± 0.41 |
| orangesum_abstract | 2, 80 %, 0.6, 6 | 27.02 / 9.86 / 17.16 | +0.14 ± 0.25, +0.55 ± 0.23, +0.15 ± 0.19 | +0.33 ± 0.19, +0.14 ± 0.17, +0.12 ± 0.16 |
| xsum_frank | 2, 80 %, 0.3, 6 | 19.59 / 3.12 / 11.91 | +0.03 ± 0.36, +0.46 ± 0.23, +0.24 ± 0.26 | +0.14 ± 0.17, +0.16 ± 0.09, +0.14 ± 0.14 |"""


# tools/train-scorer.py's leave-one-set-out tables (2026-12-06, commit
# f0d983a's digestd): a static
# record of what was tried, not re-run by `make eval`.
CV_PRECISION = """\
| held-out set | lang | articles | learned R-1 / R-2 / R-L | today R-1 / R-2 / R-L | today, top 3 by its score | Lead-3 | learned minus today: R-1, R-2, R-L |
| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |
| 10kgnad_lead | de | 183 | 14.79 / 4.37 / 11.25 | 14.86 / 4.47 / 11.23 | 14.78 / 4.59 / 11.19 | 15.31 / 5.08 / 11.64 | -0.07 ± 0.41, -0.10 ± 0.27, +0.02 ± 0.35 |
| bbc_news_summary | en | 608 | 46.06 / 38.55 / 35.48 | 46.81 / 38.58 / 35.79 | 49.21 / 42.45 / 37.32 | 44.82 / 36.22 / 34.64 | -0.75 ± 0.33, -0.03 ± 0.45, -0.31 ± 0.33 |
| cnndm_frank | en | 90 | 34.63 / 14.97 / 22.25 | 39.62 / 17.42 / 25.24 | 38.68 / 17.02 / 24.35 | 39.35 / 17.11 / 24.70 | -4.99 ± 0.91, -2.45 ± 0.87, -2.99 ± 0.78 |
| noticia_clickbait | es | 259 | 12.80 / 5.09 / 10.63 | 12.13 / 4.65 / 9.74 | 12.53 / 5.40 / 10.21 | 11.14 / 3.54 / 8.85 | +0.67 ± 0.44, +0.45 ± 0.48, +0.90 ± 0.45 |
| orangesum_abstract | fr | 390 | 26.58 / 9.37 / 17.08 | 27.24 / 10.12 / 17.32 | 26.93 / 9.77 / 17.23 | 26.88 / 9.31 / 17.01 | -0.66 ± 0.32, -0.75 ± 0.32, -0.24 ± 0.25 |
| xsum_frank | en | 77 | 19.11 / 3.04 / 12.07 | 19.57 / 3.11 / 11.88 | 19.30 / 3.46 / 12.33 | 19.56 / 2.67 / 11.67 | -0.46 ± 0.46, -0.07 ± 0.22, +0.19 ± 0.29 |"""

CV_F1 = """\
| held-out set | lang | articles | learned R-1 / R-2 / R-L | today R-1 / R-2 / R-L | today, top 3 by its score | Lead-3 | learned minus today: R-1, R-2, R-L |
| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |
| 10kgnad_lead | de | 183 | 12.52 / 3.58 / 9.49 | 14.86 / 4.47 / 11.23 | 14.78 / 4.59 / 11.19 | 15.31 / 5.08 / 11.64 | -2.33 ± 0.44, -0.89 ± 0.33, -1.74 ± 0.38 |
| bbc_news_summary | en | 608 | 52.24 / 44.45 / 39.16 | 46.81 / 38.58 / 35.79 | 49.21 / 42.45 / 37.32 | 44.82 / 36.22 / 34.64 | +5.43 ± 0.41, +5.87 ± 0.56, +3.37 ± 0.42 |
| cnndm_frank | en | 90 | 31.46 / 14.59 / 20.37 | 39.62 / 17.42 / 25.24 | 38.68 / 17.02 / 24.35 | 39.35 / 17.11 / 24.70 | -8.17 ± 0.85, -2.83 ± 0.88, -4.87 ± 0.87 |
| noticia_clickbait | es | 259 | 10.40 / 4.41 / 8.53 | 12.13 / 4.65 / 9.74 | 12.53 / 5.40 / 10.21 | 11.14 / 3.54 / 8.85 | -1.73 ± 0.35, -0.23 ± 0.45, -1.21 ± 0.37 |
| orangesum_abstract | fr | 390 | 23.75 / 8.74 / 15.28 | 27.24 / 10.12 / 17.32 | 26.93 / 9.77 / 17.23 | 26.88 / 9.31 / 17.01 | -3.49 ± 0.32, -1.38 ± 0.29, -2.03 ± 0.25 |
| xsum_frank | en | 77 | 16.75 / 3.14 / 10.81 | 19.57 / 3.11 / 11.88 | 19.30 / 3.46 / 12.33 | 19.56 / 2.67 / 11.67 | -2.82 ± 0.54, +0.04 ± 0.36, -1.07 ± 0.41 |"""


def write_markdown(path, opts, table, notes, systems, seconds):
    header = "| " + " | ".join(h for _, h in COLUMNS) + " |"
    align = "| " + " | ".join("---" if i < 3 else "---:" for i in range(len(COLUMNS))) + " |"
    lines = [header, align]
    for r in table:
        if r["system"] == MATCHED:
            continue
        lines.append("| " + " | ".join(("**%s**" % _cell(r, k)) if r["system"] == "digestd"
                                       and k == "system" else _cell(r, k)
                                       for k, _ in COLUMNS) + " |")
    dirty = git("status", "--porcelain", "--", "src", "Makefile")
    sets = []
    for name, path_ in dict.fromkeys((r["set"], r["path"]) for r in table):
        shown = os.path.relpath(os.path.abspath(path_), REPO)
        sets.append("%s (`%s`)" % (name, shown))
    lead_name = "Lead-%d" % opts.n
    text = MARKDOWN.format(
        n=opts.n, n_minus=opts.n - 1, n_plus=opts.n + 1,
        command="python3 " + shlex.join(sys.argv),
        date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        commit=git("rev-parse", "--short", "HEAD") or "unknown",
        dirty=" plus uncommitted changes under src/ or in the Makefile" if dirty else "",
        digestd=opts.digestd, seconds=seconds, jobs=opts.jobs, batch=BATCH,
        sets=", ".join(sets) + (" (first %d articles of each)" % opts.limit
                                if opts.limit is not None else ""),
        table="\n".join(lines),
        languages="\n".join(language_lines(by_language(table, systems))),
        matched="\n".join(matched_lines(table, lead_name)),
        leaning="\n".join(leaning_lines(table)),
        cv_precision=CV_PRECISION, cv_f1=CV_F1, steps=STEPS_FLAT, loso=LOSO_FLAT,
        pairs=STEPS_PAIRS, pairs_loso=LOSO_PAIRS,
        verdicts="\n".join("- " + v for v in verdicts(table, systems, lead_name)),
        notes="\n".join("- " + v for v in notes) if notes else "- None.")
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise Failure("eval-summ: cannot write '%s': %s" % (path, e.strerror),
                      os.EX_CANTCREAT)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        print("eval-summ: %s" % message, file=sys.stderr)
        sys.exit(os.EX_USAGE)


def main():
    ap = _Parser(description="Score digestd, Lead-N and OTS summaries with ROUGE.")
    ap.add_argument("--set", action="append", metavar="PATH",
                    help="JSONL set (repeatable; default: all of %s)" % DATA_GLOB)
    ap.add_argument("--n", type=int, default=3, help="sentences per summary (default 3)")
    ap.add_argument("--limit", type=int, metavar="K", help="first K articles of each set")
    ap.add_argument("--digestd", default="build/digestd", metavar="PATH",
                    help="digestd binary (default build/digestd)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="J",
                    help="parallel processes (default: number of CPUs)")
    ap.add_argument("--markdown", metavar="FILE", help="write the results page to FILE")
    ap.add_argument("--no-ots", action="store_true", help="skip the OTS baseline")
    ap.add_argument("--self-test", action="store_true",
                    help="check the ROUGE, Porter and OTS-ratio code, print PASS:/FAIL: lines")
    opts = ap.parse_args()
    if opts.self_test:
        return self_test()
    if not 1 <= opts.n <= MAX_PICK:
        ap.error("--n wants a whole number from 1 to %d" % MAX_PICK)
    if opts.limit is not None and opts.limit < 1:
        ap.error("--limit wants a positive number")
    if opts.jobs < 1:
        ap.error("--jobs wants a positive number")
    try:
        table, notes, systems, seconds = evaluate(opts)
        print_table([r for r in table if r["system"] != MATCHED])
        print()
        for v in verdicts(table, systems, "Lead-%d" % opts.n):
            print(v.replace("**", ""))
        print()
        for line in language_lines(by_language(table, systems)):
            print(line)
        print()
        for line in matched_lines(table, "Lead-%d" % opts.n):
            print(line)
        print()
        for line in leaning_lines(table):
            print(line)
        for v in notes:
            print("note: " + v)
        print("run time: %.1f s (%d jobs)" % (seconds, opts.jobs))
        if opts.markdown:
            write_markdown(opts.markdown, opts, table, notes, systems, seconds)
    except Failure as e:
        print(e, file=sys.stderr)
        return e.status
    return 0


if __name__ == "__main__":
    sys.exit(main())
