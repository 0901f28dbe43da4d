# SPDX-License-Identifier: MIT
# `make bench` helper (run by tools/bench.sh): throughput of `digestd
# summarize` against `wc -w` and ots, its peak RSS per input size, and where
# that RSS lives. Reports targets as met or missed; never fails on a miss.
"""Usage: python3 tools/bench.py DIGESTD SIZEOF_PROGRAM RSS_PROBE_SO

Inputs are generated once under build/bench/inputs/ from the article texts of
../shared/data/summ/*.dev.jsonl and reused by later runs."""

import glob
import json
import os
import subprocess
import sys
import tempfile
import time

DATA_GLOB = "../shared/data/summ/*.dev.jsonl"
INPUT_DIR = "build/bench/inputs"
SIZES = [("10k", 10 * 1024), ("1m", 1024 * 1024), ("100m", 100 * 1024 * 1024)]
RUNS = 5
RSS_RUNS = 5  # peak RSS: the smallest of this many rounds, to damp page-cache noise
SLOW_BUDGET = 60.0  # seconds of repeated runs spent on one slow command
WC_TARGET = 2.0  # digestd/wc time on 100 MiB: at most this
OTS_TARGET = 100.0  # ots/digestd time on 1 MiB: at least this
RSS_SPREAD_TARGET = 64  # KiB between the largest and smallest peak RSS


def articles():
    files = sorted(glob.glob(DATA_GLOB))
    if not files:
        sys.exit("bench: no data in %s (run from the repo root, with shared/ "
                 "beside it)" % DATA_GLOB)
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                text = json.loads(line)["text"].strip()
                if text:
                    yield text.encode("utf-8")


def make_input(path, size):
    """Article texts, blank-line separated, cycled until `size` bytes and cut
    at a character boundary (then padded with spaces to the exact size)."""
    if os.path.exists(path) and os.path.getsize(path) == size:
        return
    texts = list(articles())
    tmp = path + ".tmp"
    written = 0
    with open(tmp, "wb") as out:
        while written < size:
            for t in texts:
                piece = t + b"\n\n"
                if written + len(piece) > size:
                    piece = piece[:size - written]
                    cut = len(piece)
                    while cut > 0 and (piece[cut - 1] & 0xC0) == 0x80:
                        cut -= 1
                    if cut > 0 and piece[cut - 1] >= 0xC0:
                        cut -= 1
                    piece = piece[:cut] + b" " * (len(piece) - cut)
                out.write(piece)
                written += len(piece)
                if written >= size:
                    break
    os.replace(tmp, path)


def run_once(argv, locale):
    env = dict(os.environ, LC_ALL=locale)
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, env=env, check=False)
    t1 = time.perf_counter()
    if p.returncode != 0:
        sys.exit("bench: %s exited %d: %s" % (" ".join(argv), p.returncode,
                                              p.stderr.decode(errors="replace")[:300]))
    return t1 - t0


def best_time(argv, locale, runs=RUNS):
    """Minimum wall time over `runs` runs, fewer when one run is slow."""
    times = []
    spent = 0.0
    while len(times) < runs and (not times or spent + times[-1] <= SLOW_BUDGET):
        t = run_once(argv, locale)
        times.append(t)
        spent += t
    return min(times), len(times)


def run_measured(argv, input_file, via_pipe, env=None):
    if via_pipe:
        cat = subprocess.Popen(["cat", input_file], stdout=subprocess.PIPE)
        p = subprocess.run(argv, stdin=cat.stdout, stdout=subprocess.DEVNULL,
                           env=env, check=False)
        cat.stdout.close()
        cat.wait()
    else:
        p = subprocess.run(argv + [input_file], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, env=env, check=False)
    if p.returncode != 0:
        sys.exit("bench: %s exited %d" % (" ".join(argv), p.returncode))


def summarize_argv(digestd, via_pipe):
    """`digestd summarize`, reading standard input for the pipe cases (the
    file cases get the path appended by run_measured)."""
    return [digestd, "summarize"] + (["-"] if via_pipe else [])


def peak_rss_kib(argv, input_file, via_pipe, fixed_layout):
    """Peak RSS of one run from GNU time's %M (the child's maxrss). GNU time
    is small, so its own RSS at fork, which maxrss also covers, stays below
    ours; Python's would not. fixed_layout runs it under `setarch -R`."""
    prefix = ["setarch", "-R"] if fixed_layout else []
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        run_measured(prefix + ["/usr/bin/time", "-f", "%M", "-o", out.name] + argv,
                     input_file, via_pipe)
        return int(out.read().split()[-1])


def can_fix_layout():
    """Whether address-space randomisation can be switched off for a child
    (a container's seccomp filter may refuse the personality call)."""
    try:
        return subprocess.run(["setarch", "-R", "true"], stderr=subprocess.DEVNULL,
                              check=False).returncode == 0
    except OSError:
        return False


def peak_rss_rounds(digestd, inputs, fixed_layout):
    """Peak RSS per (size, mode), RSS_RUNS rounds, each round running every
    case once, so that a change in the page cache during the run falls on
    all cases alike instead of on the sizes measured last."""
    cases = [(name, mode, via_pipe) for name, _ in SIZES
             for mode, via_pipe in (("file", False), ("pipe", True))]
    runs = {case: [] for case in cases}
    for _ in range(RSS_RUNS):
        for case in cases:
            runs[case].append(peak_rss_kib(summarize_argv(digestd, case[2]), inputs[case[0]],
                                           case[2], fixed_layout))
    return cases, runs


def rss_at_exit(argv, input_file, via_pipe, probe):
    """(RssAnon, RssFile, VmHWM) in KiB as digestd exits, via the probe."""
    with tempfile.NamedTemporaryFile("r", suffix=".status") as out:
        env = dict(os.environ, LD_PRELOAD=os.path.abspath(probe), RSS_AT_EXIT=out.name)
        run_measured(argv, input_file, via_pipe, env)
        status = {}
        for line in out.read().splitlines():
            key, _, value = line.partition(":")
            status[key] = value.split()[0] if value.split() else ""
    return int(status["RssAnon"]), int(status["RssFile"]), int(status["VmHWM"])


def smaps_split(digestd, feed_path):
    """Starts `digestd summarize -` on a pipe, feeds it an input, and reads
    its mappings while it waits for more: Rss (and Pss) per kind."""
    p = subprocess.Popen([digestd, "summarize", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL)
    binary = os.path.realpath(digestd)
    kinds = {}
    try:
        with open(feed_path, "rb") as f:
            p.stdin.write(f.read())
        p.stdin.flush()
        time.sleep(0.5)  # let it read everything and block on the pipe
        with open("/proc/%d/smaps" % p.pid, encoding="utf-8") as f:
            lines = f.read().splitlines()
    finally:
        p.stdin.close()
        p.wait()
    prev_end = None
    prev_kind = None
    current = None
    for line in lines:
        fields = line.split()
        if "-" in fields[0] and ":" not in fields[0]:
            start, end = (int(x, 16) for x in fields[0].split("-"))
            path = fields[5] if len(fields) > 5 else ""
            if path == binary:
                kind = "digestd binary (text, data)"
            elif ".so" in os.path.basename(path):
                kind = "  " + os.path.basename(path)
            elif path == "[heap]":
                kind = "heap"
            elif path == "[stack]":
                kind = "stack"
            elif path.startswith(("[vdso", "[vvar", "[vsyscall")):
                kind = "vdso/vvar"
            elif path == "" and prev_kind and prev_kind.startswith("digestd") \
                    and prev_end == start:
                kind = "digestd .bss (arena, buffers)"
            elif path == "":
                kind = "other anonymous (libraries' bss, loader)"
            else:
                kind = "other files (%s)" % path
            current = kinds.setdefault(kind, {"rss": 0, "pss": 0, "size": 0})
            current["size"] += (end - start) // 1024
            prev_end, prev_kind = end, kind
        elif fields[0] == "Rss:":
            current["rss"] += int(fields[1])
        elif fields[0] == "Pss:":
            current["pss"] += int(fields[1])
    return kinds


def mib_s(size, secs):
    return size / (1024 * 1024) / secs


def verdict(ok):
    return "met" if ok else "MISSED"


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    digestd, sizeof_prog, probe = sys.argv[1:4]
    os.makedirs(INPUT_DIR, exist_ok=True)
    inputs = {}
    for name, size in SIZES:
        inputs[name] = os.path.join(INPUT_DIR, "news-%s.txt" % name)
        make_input(inputs[name], size)
    size_of = dict(SIZES)
    summary = []
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    print("machine: %d CPUs, %s; load average at start %s" % (
        os.cpu_count(), cpu, " ".join("%.2f" % x for x in os.getloadavg())))
    print()

    print("== 1. Throughput (best of up to %d runs, wall clock; slow commands "
          "stop after %.0f s) ==" % (RUNS, SLOW_BUDGET))
    print("%-34s %6s %5s %10s %10s" % ("command", "input", "runs", "seconds", "MiB/s"))
    t = {}
    # wc -w runs in both locales and the faster one is the ceiling.
    cases = [
        ("digestd", "100m", [digestd, "summarize"], "C.UTF-8"),
        ("wc", "100m", ["wc", "-w"], "C.UTF-8"),
        ("wc", "100m", ["wc", "-w"], "C"),
        ("digestd", "1m", [digestd, "summarize"], "C.UTF-8"),
        ("wc", "1m", ["wc", "-w"], "C.UTF-8"),
        ("wc", "1m", ["wc", "-w"], "C"),
        ("ots", "1m", ["ots"], "C.UTF-8"),
        ("digestd", "10k", [digestd, "summarize"], "C.UTF-8"),
        ("ots", "10k", ["ots"], "C.UTF-8"),
    ]
    for tool, name, argv, locale in cases:
        secs, runs = best_time(argv + [inputs[name]], locale)
        t[(tool, name)] = min(secs, t.get((tool, name), secs))
        label = " ".join([os.path.basename(argv[0])] + argv[1:])
        if tool == "wc":
            label += " (LC_ALL=%s)" % locale
        print("%-34s %6s %5d %10.4f %10.1f" % (label, name, runs, secs,
                                               mib_s(size_of[name], secs)))
    ratio_wc = t[("digestd", "100m")] / t[("wc", "100m")]
    ratio_wc1 = t[("digestd", "1m")] / t[("wc", "1m")]
    ratio_ots = t[("ots", "1m")] / t[("digestd", "1m")]
    ratio_ots10 = t[("ots", "10k")] / t[("digestd", "10k")]
    print("digestd/wc time (faster wc), 100 MiB: %.2f   (1 MiB: %.2f)"
          % (ratio_wc, ratio_wc1))
    print("ots/digestd time, 1 MiB: %.1f   (10 KiB: %.1f)" % (ratio_ots, ratio_ots10))
    summary.append(("digestd/wc time on 100 MiB <= %.1f" % WC_TARGET,
                    "%.2f" % ratio_wc, ratio_wc <= WC_TARGET))
    summary.append(("ots/digestd time on 1 MiB >= %.0f" % OTS_TARGET,
                    "%.1f" % ratio_ots, ratio_ots >= OTS_TARGET))

    print()
    print("== 2. Peak RSS of digestd summarize (KiB) ==")
    fixed = can_fix_layout()
    print("peak: GNU time %%M, smallest of %d rounds (all runs in brackets), %s;"
          % (RSS_RUNS, "address layout fixed (setarch -R)" if fixed else
             "address layout randomised (setarch -R refused here)"))
    print("at exit: RssAnon (our own: bss, heap, stack) and RssFile (binary and "
          "shared libraries' pages)")
    cases, runs = peak_rss_rounds(digestd, inputs, fixed)
    peaks = []
    anons = []
    for case in cases:
        name, mode, via_pipe = case
        anon, filed, hwm = rss_at_exit(summarize_argv(digestd, via_pipe), inputs[name],
                                       via_pipe, probe)
        peaks.append(min(runs[case]))
        anons.append(anon)
        print("%-5s %-5s peak %6d %-36s at exit: anon %5d  file %5d  (VmHWM %d)"
              % (name, mode, min(runs[case]), str(runs[case]), anon, filed, hwm))
    spread = max(peaks) - min(peaks)
    anon_spread = max(anons) - min(anons)
    print("spread (max - min) of peak RSS: %d KiB; of RssAnon at exit: %d KiB"
          % (spread, anon_spread))
    summary.append(("peak RSS spread over sizes and pipe/file <= %d KiB" % RSS_SPREAD_TARGET,
                    "%d KiB" % spread, spread <= RSS_SPREAD_TARGET))
    summary.append(("  (own memory only: RssAnon spread <= %d KiB)" % RSS_SPREAD_TARGET,
                    "%d KiB" % anon_spread, anon_spread <= RSS_SPREAD_TARGET))
    if fixed:
        # The control: the same runs as deployed, with randomised addresses.
        _, aslr = peak_rss_rounds(digestd, inputs, False)
        same = aslr[cases[0]]
        mins = [min(r) for r in aslr.values()]
        print("with randomised addresses (as deployed): spread of the smallest peaks "
              "%d KiB; %s %s alone, %d runs: %s, spread %d KiB"
              % (max(mins) - min(mins), cases[0][0], cases[0][1], len(same), same,
                 max(same) - min(same)))

    print()
    print("== 3. Where the RSS is (/proc/PID/smaps of `digestd summarize -` "
          "blocked on a pipe after 1 MiB) ==")
    kinds = smaps_split(digestd, inputs["1m"])
    total_rss = sum(k["rss"] for k in kinds.values())
    total_pss = sum(k["pss"] for k in kinds.values())
    libs_kind = {"rss": 0, "pss": 0, "size": 0}
    for kind, k in kinds.items():
        if kind.startswith("  "):
            for field in libs_kind:
                libs_kind[field] += k[field]
    kinds["shared libraries (file-backed)"] = libs_kind
    print("%-44s %9s %9s %9s" % ("mapping kind", "Rss KiB", "Pss KiB", "Size KiB"))
    ordered = sorted((kv for kv in kinds.items() if not kv[0].startswith("  ")),
                     key=lambda kv: -kv[1]["rss"])
    for kind, k in ordered:
        print("%-44s %9d %9d %9d" % (kind, k["rss"], k["pss"], k["size"]))
        if kind.startswith("shared"):
            for lib, lk in sorted(((n, v) for n, v in kinds.items() if n.startswith("  ")),
                                  key=lambda kv: -kv[1]["rss"]):
                print("%-44s %9d %9d %9d" % (lib, lk["rss"], lk["pss"], lk["size"]))
    print("%-44s %9d %9d" % ("total", total_rss, total_pss))
    libs = libs_kind["rss"]
    own = total_rss - libs - kinds.get("vdso/vvar", {"rss": 0})["rss"]
    print("shared libraries: %d KiB (%.0f%%); digestd's own (binary, bss, heap, "
          "stack, anonymous): %d KiB" % (libs, 100.0 * libs / total_rss, own))
    sizes = subprocess.run([sizeof_prog], stdout=subprocess.PIPE, check=True,
                           text=True).stdout
    print(sizes.rstrip())

    print()
    print("load average at end: %s" % " ".join("%.2f" % x for x in os.getloadavg()))
    print("== Summary ==")
    for what, got, ok in summary:
        print("%-56s %-10s %s" % (what, got, verdict(ok)))
    missed = sum(1 for _, _, ok in summary if not ok)
    print("%d of %d targets met%s" % (len(summary) - missed, len(summary),
                                      "" if not missed else
                                      " (a missed target is reported, not a build failure)"))


if __name__ == "__main__":
    main()
