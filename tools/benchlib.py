# SPDX-License-Identifier: MIT
# Helpers the Python benchmarks share (tools/bench-memory.py,
# tools/bench-cycle.py): waiting for a line in a file and starting
# digest-sink on a free loopback port. Imported, never run.
"""Shared by the `make bench` scripts in tools/."""

import os
import re
import subprocess
import time


def wait_for(path, pattern, seconds):
    """True once the file holds a line matching pattern (re.M), False after
    seconds without one."""
    end = time.time() + seconds
    while time.time() < end:
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                if re.search(pattern, f.read(), re.M):
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.2)
    return False


def start_sink(argv, workdir, name, seconds=20):
    """Starts digest-sink (argv: its command and options, --port and
    --ready-file left to this) on a free port, its output in
    workdir/name.log. Returns (Popen, port); exits when it does not start
    within seconds, showing its output."""
    ready = os.path.join(workdir, name + ".ready")
    log_path = os.path.join(workdir, name + ".log")
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(argv + ["--port", "0", "--ready-file", ready], stdout=log,
                                stderr=subprocess.STDOUT)
    if not wait_for(ready, r"\d", seconds):
        proc.terminate()
        proc.wait()
        with open(log_path, encoding="utf-8", errors="replace") as f:
            raise SystemExit("bench: digest-sink did not start: " + f.read()[-600:])
    with open(ready, encoding="utf-8") as f:
        return proc, int(f.read().split()[0])
