#!/usr/bin/env python3
"""A strict parser of the Prometheus text exposition format (0.0.4).

    prom_parse.py FILE [EXPR...]

Parses FILE (or stdin for "-") and fails (exit 1, the line named) on
anything the format does not allow: a sample before its family's TYPE,
a TYPE or HELP given twice, a family split in two, a bad metric or
label name, a bad escape in a label value, a label given twice, the
same series twice, a value that is not a float, a counter that is
negative or whose name does not end in _total.

Each EXPR is `NAME{label="v",...} OP NUMBER` (OP one of == >= > <= <),
`NAME{...} exists` or `NAME{...} absent`; a selector matches every
series that has at least those labels, and the values of the matching
series are summed. One "ok - EXPR" or "not ok - EXPR: got V" line per
EXPR (the TAP lines of tests/lib.sh). Exit 1 if the text is not valid
or an EXPR fails.
"""
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


class ParseError(Exception):
    pass


def parse_value(text, lineno):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        raise ParseError(f"line {lineno}: '{text}' is not a number")
    return float(text)


def parse_labels(s, i, lineno):
    """s[i] is '{'; returns (dict, index after '}')."""
    labels = {}
    i += 1
    while True:
        if i < len(s) and s[i] == "}":
            return labels, i + 1
        m = LABEL.match(s, i)
        if not m:
            raise ParseError(f"line {lineno}: bad label name at column {i + 1}")
        name = m.group(0)
        i = m.end()
        if s[i : i + 2] != '="':
            raise ParseError(f"line {lineno}: expected =\" after {name}")
        i += 2
        value = []
        while True:
            if i >= len(s):
                raise ParseError(f"line {lineno}: unterminated label value")
            c = s[i]
            if c == "\\":
                if i + 1 >= len(s) or s[i + 1] not in '\\"n':
                    raise ParseError(f"line {lineno}: bad escape in label value")
                value.append({"\\": "\\", '"': '"', "n": "\n"}[s[i + 1]])
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise ParseError(f"line {lineno}: newline in label value")
            else:
                value.append(c)
                i += 1
        if name in labels:
            raise ParseError(f"line {lineno}: label {name} given twice")
        labels[name] = "".join(value)
        if i < len(s) and s[i] == ",":
            i += 1
        elif i < len(s) and s[i] == "}":
            continue
        else:
            raise ParseError(f"line {lineno}: expected , or }} in labels")


def parse(text):
    """Returns {family: {"type", "help", "samples": [(name, labels, value)]}}."""
    if text and not text.endswith("\n"):
        raise ParseError("the text does not end with a newline")
    families = {}
    order = []
    current = None
    seen = set()
    for lineno, line in enumerate(text.split("\n")[:-1] if text else [], 1):
        if line == "":
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                fam = parts[2]
                if not NAME.fullmatch(fam):
                    raise ParseError(f"line {lineno}: bad metric name '{fam}'")
                f = families.setdefault(
                    fam, {"type": None, "help": None, "samples": []})
                if fam != current:
                    if fam in order:
                        raise ParseError(f"line {lineno}: family {fam} split in two")
                    order.append(fam)
                    current = fam
                key = parts[1].lower()
                if f[key] is not None:
                    raise ParseError(f"line {lineno}: {parts[1]} of {fam} twice")
                if parts[1] == "TYPE":
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise ParseError(f"line {lineno}: bad TYPE line")
                    if f["samples"]:
                        raise ParseError(f"line {lineno}: TYPE after samples")
                    f["type"] = parts[3]
                else:
                    f["help"] = parts[3] if len(parts) == 4 else ""
            continue
        m = NAME.match(line)
        if not m:
            raise ParseError(f"line {lineno}: bad metric name")
        name = m.group(0)
        i = m.end()
        labels = {}
        if i < len(line) and line[i] == "{":
            labels, i = parse_labels(line, i, lineno)
        if i >= len(line) or line[i] != " ":
            raise ParseError(f"line {lineno}: expected a space before the value")
        rest = line[i + 1 :].split(" ")
        if len(rest) not in (1, 2):
            raise ParseError(f"line {lineno}: expected VALUE [TIMESTAMP]")
        value = parse_value(rest[0], lineno)
        if len(rest) == 2 and not re.fullmatch(r"-?\d+", rest[1]):
            raise ParseError(f"line {lineno}: bad timestamp")
        fam = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name not in families and name.endswith(suffix):
                fam = name[: -len(suffix)]
        if fam != current:
            if fam in order:
                raise ParseError(f"line {lineno}: family {fam} split in two")
            order.append(fam)
            current = fam
        f = families.setdefault(fam, {"type": None, "help": None, "samples": []})
        if f["type"] is None:
            raise ParseError(f"line {lineno}: sample of {fam} before its TYPE")
        if f["type"] == "counter":
            if not name.endswith("_total"):
                raise ParseError(f"line {lineno}: counter {name} without _total")
            if value < 0 or math.isnan(value):
                raise ParseError(f"line {lineno}: counter {name} is {value}")
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise ParseError(f"line {lineno}: series {name}{labels} twice")
        seen.add(key)
        f["samples"].append((name, labels, value))
    return families


EXPR = re.compile(r"\s*([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s*"
                  r"(==|>=|<=|>|<|exists|absent)\s*(\S*)\s*$")


def evaluate(families, expr):
    m = EXPR.match(expr)
    if not m:
        raise ParseError(f"bad expression '{expr}'")
    name, sel, op, num = m.groups()
    want = {}
    if sel:
        want, _ = parse_labels(sel, 0, 0)
    total, found = 0.0, 0
    for f in families.values():
        for n, labels, v in f["samples"]:
            if n == name and all(labels.get(k) == x for k, x in want.items()):
                total += v
                found += 1
    if op == "exists":
        return found > 0, found
    if op == "absent":
        return found == 0, found
    x = float(num)
    ok = {"==": total == x, ">=": total >= x, "<=": total <= x,
          ">": total > x, "<": total < x}[op] and found > 0
    return ok, total if found else "no series"


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    text = sys.stdin.read() if sys.argv[1] == "-" else open(sys.argv[1]).read()
    try:
        families = parse(text)
    except ParseError as e:
        print(f"not ok - the metrics parse: {e}")
        return 1
    print(f"ok - the metrics parse ({len(families)} families)")
    failed = 0
    for expr in sys.argv[2:]:
        try:
            ok, got = evaluate(families, expr)
        except ParseError as e:
            ok, got = False, str(e)
        if ok:
            print(f"ok - {expr}")
        else:
            print(f"not ok - {expr}: got {got}")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
