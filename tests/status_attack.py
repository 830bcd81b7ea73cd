#!/usr/bin/env python3
"""The attacker of PROTOCOL.md 5.5, written from the spec alone.

    status_attack.py DB ORIGIN SIGNALS
    status_attack.py --vector FILE.hex SIGNALS   (one envelope, in hex)

Reads every status document of ORIGIN that the node with store DB holds
(what ORIGIN sent into the federation), decodes each one with the small
MessagePack reader below (no project code), and looks for anything about
ORIGIN's raw signals: a capture time in key 2, a counter about signals,
a counter whose value is the true number of signals (SIGNALS), or a
counter that changes between two documents by that number. Prints one
line per finding and exits 1 if there is any; prints the number of
documents checked and exits 0 otherwise. It must find at least two
documents (one before and one after the captures) to say anything.
"""
import sqlite3
import sys

HEALTH = {"docs_exists", "docs_rejected", "docs_stored", "feed_bytes",
          "feed_docs", "forks_unresolved", "rounds_failed", "rounds_ok",
          "summaries_released"}


class Reader:
    def __init__(self, b):
        self.b, self.i = b, 0

    def take(self, n):
        if self.i + n > len(self.b):
            raise ValueError("truncated")
        v = self.b[self.i:self.i + n]
        self.i += n
        return v

    def uint(self, n):
        return int.from_bytes(self.take(n), "big")

    def sint(self, n):
        return int.from_bytes(self.take(n), "big", signed=True)

    def value(self, depth=0):
        if depth > 8:
            raise ValueError("too deep")
        t = self.take(1)[0]
        if t <= 0x7f:
            return t
        if t >= 0xe0:
            return t - 0x100
        if 0x80 <= t <= 0x8f:
            return self.map(t & 0x0f, depth)
        if 0x90 <= t <= 0x9f:
            return [self.value(depth + 1) for _ in range(t & 0x0f)]
        if 0xa0 <= t <= 0xbf:
            return self.take(t & 0x1f).decode("utf-8")
        ints = {0xcc: (1, False), 0xcd: (2, False), 0xce: (4, False),
                0xcf: (8, False), 0xd0: (1, True), 0xd1: (2, True),
                0xd2: (4, True), 0xd3: (8, True)}
        if t in ints:
            n, signed = ints[t]
            return self.sint(n) if signed else self.uint(n)
        if t in (0xd9, 0xda, 0xdb):
            return self.take(self.uint({0xd9: 1, 0xda: 2, 0xdb: 4}[t])
                             ).decode("utf-8")
        if t in (0xc4, 0xc5, 0xc6):
            return bytes(self.take(self.uint({0xc4: 1, 0xc5: 2,
                                              0xc6: 4}[t])))
        if t in (0xdc, 0xdd):
            n = self.uint(2 if t == 0xdc else 4)
            return [self.value(depth + 1) for _ in range(n)]
        if t in (0xde, 0xdf):
            return self.map(self.uint(2 if t == 0xde else 4), depth)
        if t in (0xc2, 0xc3):
            return t == 0xc3
        raise ValueError("type 0x%02x is not in the format" % t)

    def map(self, n, depth):
        return {self.value(depth + 1): self.value(depth + 1)
                for _ in range(n)}


def decode(b):
    r = Reader(b)
    v = r.value()
    if r.i != len(b):
        raise ValueError("trailing bytes")
    return v


def main():
    if sys.argv[1] == "--vector":
        with open(sys.argv[2]) as f:
            rows = [(1, bytes.fromhex("".join(f.read().split())))]
        origin, signals, need = sys.argv[2], int(sys.argv[3]), 1
    else:
        db, origin, signals = sys.argv[1], sys.argv[2], int(sys.argv[3])
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        rows = con.execute("SELECT seq, envelope FROM feed_doc WHERE "
                           "origin = ? ORDER BY seq", (origin,)).fetchall()
        need = 2
    findings, statuses = [], []
    for seq, env in rows:
        e = decode(bytes(env))
        p = decode(e[3])
        if p[0] != 5:
            continue
        body = p[5]
        statuses.append((seq, body))
        if set(body) - {0, 1, 2, 3, 4, *range(64, 128)}:
            findings.append("seq %d: unknown keys %s" % (seq, sorted(body)))
        if body.get(2, 0) != 0:
            findings.append("seq %d: key 2 holds a time: %d"
                            % (seq, body[2]))
        for name, value in body.get(4, []):
            if name.startswith("signal") or name.startswith("capture"):
                findings.append("seq %d: counter %s = %d"
                                % (seq, name, value))
            elif name not in HEALTH:
                findings.append("seq %d: counter %s not documented"
                                % (seq, name))
            if value == signals:
                findings.append("seq %d: counter %s is the number of "
                                "signals" % (seq, name))
    for (s1, b1), (s2, b2) in zip(statuses, statuses[1:]):
        c1, c2 = dict(b1.get(4, [])), dict(b2.get(4, []))
        for name in set(c1) & set(c2):
            if c2[name] - c1[name] == signals:
                findings.append("seq %d..%d: counter %s grew by the "
                                "number of signals" % (s1, s2, name))
    for f in findings:
        print(f)
    if len(statuses) < need:
        print("only %d status documents of %s" % (len(statuses), origin))
        return 1
    print("%d status documents of %s checked" % (len(statuses), origin))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
