#!/usr/bin/env python3
"""Print the shell commands of the docs, for tests/integration/docs.sh.

  docs_commands.py readme README.md        the commands of the start
  docs_commands.py setup docs/OPERATING.md the set-up steps and the
                                           association's commands

One command per line, as "BLOCK<TAB>COMMAND": BLOCK numbers the fenced
blocks in the order they appear, continuation lines ("\\" at the end)
are joined, trailing "# comments" kept (bash ignores them).
"""
import re
import sys


def blocks(text):
    out, cur = [], None
    for line in text.split("\n"):
        if cur is None and re.match(r"^\s*```(sh)?\s*$", line):
            cur = []
        elif cur is not None and re.match(r"^\s*```\s*$", line):
            out.append(cur)
            cur = None
        elif cur is not None:
            cur.append(line.strip())
    return out


def commands(block):
    out, acc = [], ""
    for line in block:
        if line.endswith("\\"):
            acc += line[:-1].rstrip() + " "
            continue
        acc += line
        if acc.strip():
            out.append(acc.strip())
        acc = ""
    return out


def main():
    kind, path = sys.argv[1], sys.argv[2]
    text = open(path, encoding="utf-8").read()
    if kind == "readme":
        # the start: everything before the first section heading
        text = text[: text.index("\n## ")]
    else:
        a = text.index("### Set up a node for your municipality, step by step")
        b = text.index("`member remove ID`", a)
        text = text[a:b]
    for i, b in enumerate(blocks(text)):
        for c in commands(b):
            print(f"{i + 1}\t{c}")


main()
