#!/usr/bin/env python3
"""English in what an operator reads, for tests/integration/messages_nl.sh.

  messages_nl.py source FILE.c ...   the messages in the sources: the
                                     format strings of ls_errf, ctl_error,
                                     ctl_usage, printf, fprintf, puts,
                                     fputs and snprintf(why, ...)
  messages_nl.py output FILE ...     the lines a program printed (logfmt
                                     lines, "ts=... level=...", are logs
                                     and may be English)

Prints one line per message with English words ("FILE:LINE: [words]:
text") and exits 1 if there is any, else 0.

The words are ones that are not also Dutch ("is", "in", "of", "en" are
both). What a message quotes is not prose and is left out first: format
directives, quoted names ('...'), options (--x), [section] key, snake_case
field names, paths, URLs and the first argument of ctl_usage (the
command).
"""
import re
import sys

ENGLISH = re.compile(
    r"\b(the|must|not|invalid|missing|expected|unknown|too|failed|fails|"
    r"cannot|with|from|does|has|have|bad|empty|out|range|found|only|"
    r"allowed|should|when|before|after|already|exceeds|differs|below|"
    r"above|needs|wrong|refused|memory|line|field|value|number|could|"
    r"would|may|this|that|which|there|read|write|error|than|between|"
    r"given|no|usage|options|print|create|delete|none|file|directory|"
    r"such|denied|permission|unable|database|malformed|signature|"
    r"roster|outside|inside|trailing|unrecognized|unrecognised|option|"
    r"requires)\b",
    re.I,
)

CALLS = re.compile(
    r"\b(ls_errf|ctl_error|ctl_usage|printf|fprintf|puts|fputs|snprintf)\s*\("
)


def strip_quoted(text):
    t = re.sub(r"%[-+ #0-9.*]*(ll|l|z|h|j)?[a-zA-Z]", " ", text)
    t = re.sub(r"\\[nt]", " ", t)
    t = re.sub(r"'[^']*'", " ", t)
    t = re.sub(r"--[a-z-]+", " ", t)
    t = re.sub(r"\[[a-z_]+\]( [a-z_]+)?", " ", t)
    t = re.sub(r"\b[a-z0-9]+_[a-z0-9_]+\b", " ", t)
    t = re.sub(r"\S*/\S*", " ", t)
    return t


def call_args(src, start):
    """The text between the parenthesis at start-1 and its match."""
    depth, j = 1, start
    while depth and j < len(src):
        c = src[j]
        if c in "\"'":
            j += 1
            while src[j] != c:
                j += 2 if src[j] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        j += 1
    return src[start : j - 1]


def source(paths):
    bad = 0
    for path in paths:
        src = open(path, encoding="utf-8").read()
        for m in CALLS.finditer(src):
            args = call_args(src, m.end())
            if m.group(1) == "snprintf" and not re.match(r"\s*why\b", args):
                continue
            lits = re.findall(r'"((?:[^"\\]|\\.)*)"', args)
            if m.group(1) == "ctl_usage" and lits:
                lits = lits[1:]
            text = "".join(lits)
            words = ENGLISH.findall(strip_quoted(text))
            if words:
                line = src[: m.start()].count("\n") + 1
                found = sorted({w.lower() for w in words})
                print(f"{path}:{line}: {found}: {text[:160]}")
                bad += 1
    return bad


def output(paths):
    bad = 0
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if re.match(r"^ts=\S+ level=", line):
                    continue
                words = ENGLISH.findall(strip_quoted(line))
                if words:
                    found = sorted({w.lower() for w in words})
                    print(f"{path}:{n}: {found}: {line.rstrip()[:160]}")
                    bad += 1
    return bad


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("source", "output"):
        sys.stderr.write(__doc__)
        return 2
    run = source if sys.argv[1] == "source" else output
    return 1 if run(sys.argv[2:]) else 0


if __name__ == "__main__":
    sys.exit(main())
