#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks a Prometheus text exposition file (format 0.0.4) as node_exporter's
textfile collector would take it, for tests/cli/health.sh: every line a
comment (# HELP / # TYPE), a blank, or a sample `name{label="value",...}
value`; names and label names well formed, label values correctly escaped,
values numbers, one TYPE per family given before its samples, no series
twice, the file ending in a newline. Prints one line per sample as
`name{labels} value` (labels unescaped) and exits 0, or names the first
bad line and exits 1. Python standard library only.

usage: prom_check.py FILE"""
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def parse_labels(s, i, lineno):
    """Parses {a="b",...} from s[i] == '{'; returns (dict, index after '}')."""
    labels = {}
    i += 1
    while True:
        if s[i] == "}":
            return labels, i + 1
        m = LABEL.match(s, i)
        if not m or s[m.end():m.end() + 2] != '="':
            raise ValueError("bad label name")
        name, i = m.group(0), m.end() + 2
        val = []
        while True:
            if i >= len(s):
                raise ValueError("unterminated label value")
            c = s[i]
            if c == "\\":
                esc = s[i + 1:i + 2]
                if esc not in ("\\", '"', "n"):
                    raise ValueError("bad escape \\" + esc)
                val.append("\n" if esc == "n" else esc)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise ValueError("newline in a label value")
            else:
                val.append(c)
                i += 1
        if name in labels:
            raise ValueError("label twice: " + name)
        labels[name] = "".join(val)
        if s[i] == ",":
            i += 1
        elif s[i] != "}":
            raise ValueError("expected , or }")


def main():
    data = open(sys.argv[1], encoding="utf-8").read()
    if not data.endswith("\n"):
        print("the file does not end in a newline")
        return 1
    types, seen, out = {}, set(), []
    for lineno, line in enumerate(data.split("\n")[:-1], 1):
        try:
            if not line.strip():
                continue
            if line.startswith("#"):
                parts = line.split(" ", 3)
                if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                    if not NAME.fullmatch(parts[2]):
                        raise ValueError("bad metric name in " + parts[1])
                    if parts[1] == "TYPE":
                        if parts[2] in types or len(parts) != 4 or parts[3] not in (
                                "counter", "gauge", "histogram", "summary", "untyped"):
                            raise ValueError("bad or repeated TYPE")
                        types[parts[2]] = parts[3]
                continue
            m = NAME.match(line)
            if not m:
                raise ValueError("bad metric name")
            name, i = m.group(0), m.end()
            labels = {}
            if line[i:i + 1] == "{":
                labels, i = parse_labels(line, i, lineno)
            rest = line[i:].split(" ")
            if rest[0] != "" or len(rest) not in (2, 3):
                raise ValueError("expected one space, a value and maybe a timestamp")
            float(rest[1])
            if name not in types:
                raise ValueError("sample before its TYPE")
            key = (name, tuple(sorted(labels.items())))
            if key in seen:
                raise ValueError("series twice")
            seen.add(key)
            lab = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
            out.append("%s{%s} %s" % (name, lab, rest[1]))
        except (ValueError, IndexError) as e:
            print("line %d: %s: %r" % (lineno, e, line))
            return 1
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
