#!/usr/bin/env python3
"""A second implementation of proto/PROTOCOL.md, written from that page and
tests/vectors/README.md alone (no project source read), that checks every
vector of MANIFEST it has a kind for and must agree on every verdict.

    second_reader.py [VECTOR_DIR]

Python's standard library only: BLAKE2b and SHA-512 from hashlib; Ed25519
verification (RFC 8032, with the stricter checks of libsodium that
section 2 names), X25519 (RFC 7748), ChaCha20, HChaCha20 and Poly1305
(RFC 8439, XChaCha20-Poly1305-IETF as libsodium) written out below. It is
slow (milliseconds per signature) and meant for the vectors, not traffic.

It checks every kind of tests/vectors/README.md: documents, chains, forks
and fork proofs, policy epochs and roster successors, push pages, sync
and secure-aggregation messages, and sessions (it opens every request
and reply, and reseals the `ok` request from its `eph` and `nonce` byte
for byte). Exit status 0 only when it reaches the verdict of MANIFEST on
every vector and every vector names its section.
"""
import hashlib
import os
import re
import sys

# ---------------------------------------------------------------- errors

class Refuse(Exception):
    """A verdict: the error name of PROTOCOL.md section 10."""

    def __init__(self, name, why=""):
        super().__init__(f"{name}: {why}")
        self.name = name
        self.why = why


def refuse(name, why=""):
    raise Refuse(name, why)


def blake(b, n=32):
    return hashlib.blake2b(b, digest_size=n).digest()


# ------------------------------------------------------- Ed25519 (RFC 8032)

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def _add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    A = (y1 - x1) * (y2 - x2) % P
    B = (y1 + x1) * (y2 + x2) % P
    C = t1 * 2 * D * t2 % P
    Dd = z1 * 2 * z2 % P
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return (E * F % P, G * H % P, F * G % P, E * H % P)


def _mul(s, pt):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _add(q, pt)
        pt = _add(pt, pt)
        s >>= 1
    return q


def _eq(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and \
        (a[1] * b[2] - b[1] * a[2]) % P == 0


IDENT = (0, 1, 1, 0)
_GY = 4 * pow(5, P - 2, P) % P


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


G = (_recover_x(_GY, 0), _GY, 1, _recover_x(_GY, 0) * _GY % P)


def _decode_point(b):
    if len(b) != 32:
        return None
    y = int.from_bytes(b, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def _encode_point(pt):
    zi = pow(pt[2], P - 2, P)
    x, y = pt[0] * zi % P, pt[1] * zi % P
    return int.to_bytes(y | ((x & 1) << 255), 32, "little")


def _small_order(pt):
    return _eq(_mul(8, pt), IDENT)


def ed25519_valid_point(pk):
    """libsodium crypto_core_ed25519_is_valid_point: canonical, on the
    curve, not of small order, in the main subgroup."""
    pt = _decode_point(pk)
    if pt is None or _encode_point(pt) != pk:
        return False
    return not _small_order(pt) and _eq(_mul(L, pt), IDENT)


def ed25519_verify(pk, msg, sig):
    """crypto_sign_verify_detached as libsodium does it: S < L, R and A
    not of small order, A canonical, and [S]B - [h]A encodes to R."""
    if len(sig) != 64 or len(pk) != 32:
        return False
    s = int.from_bytes(sig[32:], "little")
    if s >= L:
        return False
    A = _decode_point(pk)
    Rp = _decode_point(sig[:32])
    if A is None or _encode_point(A) != pk or _small_order(A):
        return False
    if Rp is not None and _small_order(Rp):
        return False
    h = int.from_bytes(hashlib.sha512(sig[:32] + pk + msg).digest(),
                       "little") % L
    negA = ((P - A[0]) % P, A[1], A[2], (P - A[3]) % P)
    return _encode_point(_add(_mul(s, G), _mul(h, negA))) == sig[:32]


def ed25519_public_to_x25519(pk):
    """libsodium crypto_sign_ed25519_pk_to_curve25519: u = (1 + y)/(1 - y)."""
    y = int.from_bytes(pk, "little") & ((1 << 255) - 1)
    return ((1 + y) * pow(1 - y, P - 2, P) % P).to_bytes(32, "little")


def ed25519_seed_to_x25519(seed):
    """crypto_sign_ed25519_sk_to_curve25519: SHA-512 of the seed, the
    first half (clamped by X25519 itself)."""
    return hashlib.sha512(seed).digest()[:32]


def x25519(k, u):
    """RFC 7748, section 5."""
    k = bytearray(k)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    k = int.from_bytes(k, "little")
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        kt = (k >> t) & 1
        swap ^= kt
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = kt
        A, B = (x2 + z2) % P, (x2 - z2) % P
        AA, BB = A * A % P, B * B % P
        E = (AA - BB) % P
        C, Dd = (x3 + z3) % P, (x3 - z3) % P
        DA, CB = Dd * A % P, C * B % P
        x3 = (DA + CB) ** 2 % P
        z3 = x1 * (DA - CB) ** 2 % P
        x2 = AA * BB % P
        z2 = E * (AA + 121665 * E) % P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


def _rotl(v, c):
    return ((v << c) & 0xffffffff) | (v >> (32 - c))


def _chacha_rounds(st):
    x = list(st)

    def qr(a, b, c, d):
        x[a] = (x[a] + x[b]) & 0xffffffff; x[d] = _rotl(x[d] ^ x[a], 16)
        x[c] = (x[c] + x[d]) & 0xffffffff; x[b] = _rotl(x[b] ^ x[c], 12)
        x[a] = (x[a] + x[b]) & 0xffffffff; x[d] = _rotl(x[d] ^ x[a], 8)
        x[c] = (x[c] + x[d]) & 0xffffffff; x[b] = _rotl(x[b] ^ x[c], 7)

    for _ in range(10):
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
    return x


_SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]


def _words(b):
    return [int.from_bytes(b[i:i + 4], "little") for i in range(0, len(b), 4)]


def chacha20_block(key, counter, nonce12):
    st = _SIGMA + _words(key) + [counter] + _words(nonce12)
    x = _chacha_rounds(st)
    return b"".join(((a + b) & 0xffffffff).to_bytes(4, "little")
                    for a, b in zip(x, st))


def chacha20_xor(key, counter, nonce12, data):
    out = bytearray()
    for i in range(0, len(data), 64):
        ks = chacha20_block(key, counter + i // 64, nonce12)
        out += bytes(a ^ b for a, b in zip(data[i:i + 64], ks))
    return bytes(out)


def hchacha20(key, nonce16):
    x = _chacha_rounds(_SIGMA + _words(key) + _words(nonce16))
    return b"".join(v.to_bytes(4, "little") for v in x[0:4] + x[12:16])


def poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & 0x0ffffffc0ffffffc0ffffffc0fffffff
    s_ = int.from_bytes(key[16:], "little")
    acc, p = 0, 2**130 - 5
    for i in range(0, len(msg), 16):
        blk = msg[i:i + 16] + b"\x01"
        acc = (acc + int.from_bytes(blk, "little")) * r % p
    return ((acc + s_) % 2**128).to_bytes(16, "little")


def xchacha20poly1305_decrypt(key, nonce24, ad, ct):
    """libsodium crypto_aead_xchacha20poly1305_ietf_decrypt; None when
    the tag does not authenticate."""
    if len(ct) < 16:
        return None
    sub = hchacha20(key, nonce24[:16])
    n12 = bytes(4) + nonce24[16:]
    otk = chacha20_block(sub, 0, n12)[:32]
    body, tag = ct[:-16], ct[-16:]
    pad = lambda b: b + bytes(-len(b) % 16)
    mac = poly1305(otk, pad(ad) + pad(body) + len(ad).to_bytes(8, "little")
                   + len(body).to_bytes(8, "little"))
    if mac != tag:
        return None
    return chacha20_xor(sub, 1, n12, body)


# ------------------------------------------------ strict MessagePack (1)

class Reader:
    """A cursor over bytes: every rule of section 1, nothing more."""

    def __init__(self, b):
        self.b = b
        self.p = 0

    def left(self):
        return len(self.b) - self.p

    def peek(self):
        if self.p >= len(self.b):
            refuse("decode", "truncated")
        return self.b[self.p]

    def take(self, n):
        if n > self.left():
            refuse("decode", "truncated")
        out = self.b[self.p:self.p + n]
        self.p += n
        return out

    def byte(self):
        return self.take(1)[0]

    def end(self):
        if self.left():
            refuse("decode", "trailing bytes")

    def integer(self, lo, hi, what="int"):
        t = self.byte()
        if t <= 0x7f:
            v = t
        elif t >= 0xe0:
            v = t - 0x100
        elif 0xcc <= t <= 0xcf:
            v = int.from_bytes(self.take(1 << (t - 0xcc)), "big")
        elif 0xd0 <= t <= 0xd3:
            v = int.from_bytes(self.take(1 << (t - 0xd0)), "big",
                               signed=True)
        else:
            refuse("decode", f"{what}: not an integer (0x{t:02x})")
        if not lo <= v <= hi:
            refuse("decode", f"{what}: {v} outside {lo}..{hi}")
        return v

    def boolean(self):
        t = self.byte()
        if t not in (0xc2, 0xc3):
            refuse("decode", "not a bool")
        return t == 0xc3

    def _blob(self, is_bin, lo, hi, what):
        t = self.byte()
        if not is_bin and 0xa0 <= t <= 0xbf:
            n = t & 0x1f
        elif not is_bin and 0xd9 <= t <= 0xdb:
            n = int.from_bytes(self.take(1 << (t - 0xd9)), "big")
        elif is_bin and 0xc4 <= t <= 0xc6:
            n = int.from_bytes(self.take(1 << (t - 0xc4)), "big")
        else:
            refuse("decode", f"{what}: not a {'bin' if is_bin else 'str'}")
        # Section 1: a length above the field's maximum is limit, one
        # beyond the bytes that remain decode, one below its minimum
        # decode.
        if n > hi:
            refuse("limit", f"{what}: length {n} > {hi}")
        if n > self.left():
            refuse("decode", f"{what}: length beyond the bytes")
        if n < lo:
            refuse("decode", f"{what}: length {n} < {lo}")
        return self.take(n)

    def bin(self, lo, hi, what="bin"):
        return self._blob(True, lo, hi, what)

    def bin_exact(self, n, what="bin"):
        """"bin N means exactly N bytes": any other length is decode."""
        t = self.peek()
        try:
            return self._blob(True, n, n, what)
        except Refuse as e:
            if e.name == "limit":
                refuse("decode", f"{what}: not bin {n} (0x{t:02x})")
            raise

    def str_(self, lo, hi, what="str"):
        s = self._blob(False, lo, hi, what)
        try:
            return s.decode("utf-8")
        except UnicodeDecodeError:
            refuse("decode", f"{what}: not UTF-8")

    def _container(self, want_map):
        t = self.byte()
        if not want_map and 0x90 <= t <= 0x9f:
            return t & 0x0f
        if want_map and 0x80 <= t <= 0x8f:
            return t & 0x0f
        if not want_map and t in (0xdc, 0xdd):
            return int.from_bytes(self.take(2 if t == 0xdc else 4), "big")
        if want_map and t in (0xde, 0xdf):
            return int.from_bytes(self.take(2 if t == 0xde else 4), "big")
        refuse("decode", "not a map" if want_map else "not an array")

    def array(self, lo, hi, m=1, what="array"):
        """An array of a range: maximum, then bytes (section 11), then
        minimum."""
        n = self._container(False)
        if n > hi:
            refuse("limit", f"{what}: {n} > {hi}")
        if n * m > self.left():
            refuse("limit", f"{what}: {n} x {m} bytes > {self.left()} left")
        if n < lo:
            refuse("decode", f"{what}: {n} < {lo}")
        return n

    def array_exact(self, n, what="array"):
        c = self._container(False)
        if c != n:
            refuse("decode", f"{what}: {c} elements, not {n}")

    def skip(self, depth=8):
        """A skipped extension value: well-formed, counts within the bytes,
        at most `depth` nested arrays or maps from here."""
        t = self.byte()
        if t <= 0x7f or t >= 0xe0 or t in (0xc0, 0xc2, 0xc3):
            return
        if t == 0xc1:
            refuse("decode", "never-used byte 0xc1")
        fixed = {0xca: 4, 0xcb: 8, 0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8,
                 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8, 0xd4: 2, 0xd5: 3,
                 0xd6: 5, 0xd7: 9, 0xd8: 17}
        if t in fixed:
            self.take(fixed[t])
            return
        if 0xa0 <= t <= 0xbf:
            n = t & 0x1f
        elif t in (0xc4, 0xc5, 0xc6, 0xd9, 0xda, 0xdb):
            w = {0xc4: 1, 0xc5: 2, 0xc6: 4, 0xd9: 1, 0xda: 2, 0xdb: 4}[t]
            n = int.from_bytes(self.take(w), "big")
        elif t in (0xc7, 0xc8, 0xc9):
            w = {0xc7: 1, 0xc8: 2, 0xc9: 4}[t]
            n = int.from_bytes(self.take(w), "big") + 1  # + the ext type
        else:
            n = None
        if n is not None:
            if n > self.left():
                refuse("decode", "length beyond the bytes")
            self.take(n)
            return
        # A container.
        if depth == 0:
            refuse("limit", "nested deeper than 8")
        self.p -= 1
        is_map = 0x80 <= t <= 0x8f or t in (0xde, 0xdf)
        n = self._container(is_map)
        if (2 * n if is_map else n) > self.left():
            refuse("limit", "count beyond the bytes")
        for _ in range(2 * n if is_map else n):
            self.skip(depth - 1)

    def map(self, fields, required, what="map"):
        """A map of section 1: positive fixint keys, strictly ascending;
        fields[key](reader) reads a known key; unknown core keys are
        decode, extensions 64..127 skipped; every required key present."""
        n = self._container(True)
        if 2 * n > self.left():
            refuse("limit", f"{what}: map count beyond the bytes")
        last = -1
        seen = set()
        for _ in range(n):
            k = self.byte()
            if k > 0x7f:
                refuse("decode", f"{what}: key not a positive fixint")
            if k <= last:
                refuse("decode", f"{what}: keys not ascending")
            last = k
            if k in fields:
                fields[k](self)
                seen.add(k)
            elif k < 64:
                refuse("decode", f"{what}: unknown core key {k}")
            else:
                self.skip(8)
        missing = set(required) - seen
        if missing:
            refuse("decode", f"{what}: field {min(missing)} missing")
        return seen


# --------------------------------------------------------------- formats

NODE_ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,45}[a-z0-9])?$")
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,30}$")
MAX_SEQ = 2**53 - 1
T_MIN, T_MAX = 946684800, 32503679999


def node_id(r, what="node id"):
    s = r.str_(1, 47, what)
    if not NODE_ID.match(s):
        refuse("decode", f"{what}: {s!r}")
    return s


def code(r, empty=False, what="code"):
    s = r.str_(0 if empty else 1, 31, what)
    if s and not CODE.match(s):
        refuse("decode", f"{what}: {s!r}")
    return s


def text(r, lo, hi, what="text"):
    s = r.str_(lo, hi, what)
    if any(ord(c) < 0x20 or ord(c) == 0x7f for c in s):
        refuse("decode", f"{what}: control character")
    return s


def time_or_zero(r, what):
    v = r.integer(0, T_MAX, what)
    if v != 0 and v < T_MIN:
        refuse("decode", f"{what}: {v}")
    return v


def fixed_array(r, n, fns, what):
    r.array_exact(n, what)
    return [f(r) for f in fns]


# ------------------------------------------------------- payload (4, 5)

TYPES = {1: "roster", 2: "taxonomy", 3: "policy", 4: "summary",
         5: "status", 6: "dossier_note", 7: "federation_summary"}


def feed_fields(payload):
    """Step 3: the feed fields, without the body."""
    r = Reader(payload)
    n = r._container(True)
    if 2 * n > r.left():
        refuse("limit", "payload map count")
    out = {}
    readers = [
        ("type", lambda: r.integer(1, 7, "type")),
        ("origin", lambda: node_id(r, "origin")),
        ("seq", lambda: r.integer(1, MAX_SEQ, "seq")),
        ("prev", lambda: r.bin_exact(32, "prev")),
        ("created", lambda: r.integer(T_MIN, T_MAX, "created")),
    ]
    for k, (name, fn) in enumerate(readers):
        if n <= k or r.byte() != k:
            refuse("decode", f"payload: feed field {k} missing or out of "
                   "order")
        out[name] = fn()
    if (out["seq"] == 1) != (out["prev"] == bytes(32)):
        refuse("decode", "prev is zero if and only if seq = 1")
    return out


def params(r, what="params"):
    r.array_exact(5, what)
    mode, k, eps, wb, cap = (r.integer(0, 2**32 - 1, what) for _ in range(5))
    if mode == 0:
        ok = 3 <= k <= 100 and eps == 0 and wb == 0
    elif mode == 1:
        ok = 10 <= eps <= 100000 and wb <= 1000 and k == 0
    else:
        ok = False
    if not ok or not 1 <= cap <= 1000:
        refuse("decode", f"{what}: {[mode, k, eps, wb, cap]}")
    return {"mode": mode, "k": k, "eps": eps, "wb": wb, "cap": cap}


def key_entry(r, what="key"):
    r.array_exact(4, what)
    kid = r.bin_exact(8, "key_id")
    pk = r.bin_exact(32, "public_key")
    vf = r.integer(0, 32503679999, "valid_from")
    vu = r.integer(0, 32503680000, "valid_until")
    if vu != 0 and not vf < vu:
        refuse("decode", "valid_until")
    if blake(pk)[:8] != kid:
        refuse("decode", "key id is not the key's")
    if not ed25519_valid_point(pk):
        refuse("decode", "public key is no valid point")
    return {"id": kid, "pk": pk, "from": vf, "until": vu}


ENDPOINT = re.compile(r"^(?:tcp|tls\+tcp)://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])"
                      r":([1-9][0-9]{0,4})$")


def member(r, fed_id):
    m = {"left_seq": None}

    def endpoints(r):
        n = r.array(0, 4, 9, "endpoints")
        for _ in range(n):
            e = r.str_(1, 127, "endpoint")
            mt = ENDPOINT.match(e)
            if not mt or not 1 <= int(mt.group(1)) <= 65535:
                refuse("decode", f"endpoint {e!r}")

    def keys(r):
        m["keys"] = [key_entry(r) for _ in range(r.array(1, 16, 47, "keys"))]

    def left(r):
        m["left"] = time_or_zero(r, "left")

    def left_seq(r):
        m["left_seq"] = r.integer(0, MAX_SEQ, "left_seq")

    r.map({0: lambda r: m.__setitem__("id", node_id(r)),
           1: lambda r: m.__setitem__("name", text(r, 1, 64, "name")),
           2: lambda r: m.__setitem__("role", r.integer(1, 2, "role")),
           3: keys, 4: endpoints, 5: left, 6: left_seq},
          {0, 1, 2, 3, 4, 5}, "member")
    if m["id"] == fed_id:
        refuse("decode", "a member has the federation id")
    if m["left_seq"] is not None and m["left"] == 0:
        refuse("decode", "left_seq without left")
    return m


def roster_body(r, hdr):
    b = {"revocations": []}

    def fed(r):
        b["federation"] = node_id(r)
        if b["federation"] != hdr["origin"]:
            refuse("decode", "federation is not the origin")

    def fed_keys(r):
        b["fed_keys"] = [key_entry(r)
                         for _ in range(r.array(1, 16, 47, "fed_keys"))]

    def members(r):
        ms = [member(r, hdr["origin"])
              for _ in range(r.array(0, 4096, 60, "members"))]
        ids = [m["id"].encode() for m in ms]
        if any(a >= b_ for a, b_ in zip(ids, ids[1:])):
            refuse("decode", "members not sorted")
        b["members"] = ms

    def revocations(r):
        out = []
        for _ in range(r.array(0, 4096, 14, "revocations")):
            v = fixed_array(r, 4, [
                lambda r: r.bin_exact(8, "revoked key id"),
                lambda r: r.integer(0, 32503679999, "at"),
                lambda r: r.integer(0, MAX_SEQ, "after_seq"),
                lambda r: code(r, True, "reason")], "revocation")
            out.append({"id": v[0], "at": v[1], "after_seq": v[2]})
        ids = [v["id"] for v in out]
        if any(a >= b_ for a, b_ in zip(ids, ids[1:])):
            refuse("decode", "revocations not sorted")
        b["revocations"] = out

    r.map({0: fed, 1: fed_keys, 2: members, 3: revocations},
          {0, 1, 2, 3}, "roster")
    all_ids = [k["id"] for k in b["fed_keys"]] + \
        [k["id"] for m in b["members"] for k in m["keys"]]
    if len(set(all_ids)) != len(all_ids):
        refuse("decode", "a key id appears twice")
    for v in b["revocations"]:
        if v["id"] not in all_ids:
            refuse("decode", "revocation of a key the roster does not list")
    return b


def taxonomy_body(r, hdr):
    out = []

    def entries(r):
        for _ in range(r.array(0, 2048, 7, "entries")):
            e = fixed_array(r, 4, [
                lambda r: r.integer(1, 5, "dimension"), code,
                lambda r: text(r, 1, 128, "label_nl"),
                lambda r: text(r, 0, 128, "label_en")], "entry")
            out.append((e[0], e[1].encode()))
        if any(a >= b for a, b in zip(out, out[1:])):
            refuse("decode", "entries not sorted")

    r.map({0: entries}, {0}, "taxonomy")
    return {"entries": out}


def policy_body(r, hdr):
    b = {}

    def months(r):
        b["months"] = r.integer(1, 12, "period_months")
        if b["months"] not in (1, 2, 3, 4, 6, 12):
            refuse("decode", "period_months")

    r.map({0: lambda r: b.__setitem__("params", params(r)), 1: months,
           2: lambda r: b.__setitem__("settle", r.integer(0, 365, "settle"))},
          {0, 1, 2}, "policy")
    return b


def period(r):
    return tuple(fixed_array(r, 3, [
        lambda r: r.integer(2000, 2999, "year"),
        lambda r: r.integer(1, 12, "month"),
        lambda r: r.integer(1, 12, "months")], "period"))


def cell(r):
    c = r._container(False)
    kind = r.integer(0, 3, "cell kind")
    want = {0: 2, 1: 3, 2: 4, 3: 3}[kind]
    if c != want:
        refuse("decode", f"cell of kind {kind} with {c} elements")
    cnt = lambda: r.integer(0, 10**9, "count")
    if kind == 0:
        return (0, cnt())
    if kind == 2:
        v = r.integer(-10**9, 10**9, "noisy value")
        return (2, v, cnt(), cnt())
    # The relations of a cell's numbers are checked with the disclosure
    # rules (section 1, "Sorted, unique, one of": policy for a summary).
    return (kind, cnt(), cnt())


def cell_numbers_ok(c):
    if c[0] == 1:
        return c[1] < c[2]
    if c[0] == 2:
        return c[2] <= max(0, c[1]) and c[1] <= c[3]
    if c[0] == 3:
        return c[1] <= c[2]
    return True


def tables(r, row_cell=cell):
    out = []
    r.array_exact(5, "tables")
    for t in range(5):
        rows = []
        for _ in range(r.array(0, 4096, 10, "table rows")):
            r.array_exact(4, "row")
            theme = code(r, what="theme")
            other = r.str_(0, 31, "other")
            if t == 0 and other != "":
                refuse("decode", "theme table other is not empty")
            if t != 0 and not CODE.match(other):
                refuse("decode", "other is not a code")
            rows.append(((theme.encode(), other.encode()),
                         row_cell(r), row_cell(r)))
        keys = [k for k, _, _ in rows]
        if any(a >= b for a, b in zip(keys, keys[1:])):
            refuse("decode", "rows not sorted")
        out.append(rows)
    return out


def summary_body(r, hdr):
    b = {}

    def supersedes(r):
        b["supersedes"] = r.integer(0, hdr["seq"] - 1, "supersedes")

    def recurrence(r):
        rows = []
        for _ in range(r.array(0, 4096, 9, "recurrence")):
            r.array_exact(3, "recurrence row")
            rows.append((code(r, what="theme").encode(), cell(r), cell(r)))
        if any(a[0] >= b_[0] for a, b_ in zip(rows, rows[1:])):
            refuse("decode", "recurrence not sorted")
        b["recurrence"] = rows

    r.map({0: lambda r: b.__setitem__("period", period(r)),
           1: lambda r: b.__setitem__("params", params(r)),
           2: supersedes,
           3: lambda r: b.__setitem__("reason", code(r, True, "reason")),
           4: lambda r: b.__setitem__("tables", tables(r)),
           5: recurrence}, {0, 1, 2, 3, 4, 5}, "summary")
    if (b["supersedes"] == 0) != (b["reason"] == ""):
        refuse("decode", "reason is empty if and only if supersedes is 0")
    return b


SOFTWARE = re.compile(r"^[0-9A-Za-z.+_-]{1,32}$")


def status_body(r, hdr):
    def software(r):
        if not SOFTWARE.match(r.str_(1, 32, "software")):
            refuse("decode", "software")

    def peers(r):
        ids = []
        for _ in range(r.array(0, 4096, 5, "peers")):
            p = fixed_array(r, 3, [node_id,
                                   lambda r: time_or_zero(r, "last_sync"),
                                   code], "peer")
            ids.append(p[0].encode())
        if any(a >= b for a, b in zip(ids, ids[1:])):
            refuse("decode", "peers not sorted")

    def counters(r):
        names = []
        for _ in range(r.array(0, 64, 4, "counters")):
            c = fixed_array(r, 2, [code,
                                   lambda r: r.integer(0, MAX_SEQ, "value")],
                            "counter")
            names.append(c[0].encode())
        if any(a >= b for a, b in zip(names, names[1:])):
            refuse("decode", "counters not sorted")

    r.map({0: software, 1: lambda r: r.integer(0, MAX_SEQ, "uptime"),
           2: lambda r: time_or_zero(r, "retired"), 3: peers, 4: counters},
          {0, 1, 2, 3, 4}, "status")
    return {}


PHASES = "opmerken verzamelen bundelen analyseren rapporteren beslissing " \
         "actie feedback".split()
HEADLINE_EXTRA = set(" !\"&'()+,-./:;?\u2013\u2014\u2018\u2019\u201c\u201d"
                     "\u20ac")


def headline_char(c):
    o = ord(c)
    return ("A" <= c <= "Z" or "a" <= c <= "z" or
            (0xc0 <= o <= 0x17f and o not in (0xd7, 0xf7)) or
            c in HEADLINE_EXTRA)


def note_body(r, hdr):
    def dossier(r):
        if r.bin_exact(16, "dossier") == bytes(16):
            refuse("decode", "dossier id all zero")

    def phase(r):
        if r.str_(1, 31, "phase") not in PHASES:
            refuse("decode", "phase")

    def headline(r):
        h = r.str_(1, 140, "headline")
        if not all(headline_char(c) for c in h):
            refuse("decode", "headline character")

    r.map({0: dossier, 1: code, 2: phase,
           3: lambda r: code(r, True, "problem_type"), 4: headline},
          {0, 1, 2, 3, 4}, "dossier note")
    return {}


def fedsum_body(r, hdr):
    b = {}

    def included(r):
        ids = [node_id(r).encode()
               for _ in range(r.array(2, 4096, 2, "included"))]
        if any(a >= b_ for a, b_ in zip(ids, ids[1:])):
            refuse("decode", "included not sorted")
        b["included"] = [i.decode() for i in ids]

    wb = {}

    def fcell(r):
        c = cell(r)
        if not cell_numbers_ok(c):
            refuse("decode", "federation cell numbers")
        if c[0] == 2 and not (c[1] >= wb["v"] and c[2] <= c[1] <= c[3]):
            refuse("decode", "federation noisy cell")
        if c[0] not in (2, 3):
            refuse("decode", "federation cell kind")
        return c

    def withhold(r):
        wb["v"] = r.integer(0, 1000, "withhold_below")

    r.map({0: period, 1: lambda r: r.bin_exact(32, "round"), 2: included,
           3: lambda r: noise_means(r, 1), 4: lambda r: r.integer(1, 10**8, "epsilon"),
           5: withhold,
           6: lambda r: b.__setitem__("cap", r.integer(1, 1000, "cap")),
           7: lambda r: tables(r, fcell)}, set(range(8)), "federation summary")
    return b


BODIES = {1: roster_body, 2: taxonomy_body, 3: policy_body, 4: summary_body,
          5: status_body, 6: note_body, 7: fedsum_body}


def full_payload(payload, hdr):
    """Step 6: the whole payload strictly."""
    r = Reader(payload)
    body = {}

    def read_body(r):
        body.update(BODIES[hdr["type"]](r, hdr))

    r.map({0: lambda r: r.integer(1, 7), 1: node_id,
           2: lambda r: r.integer(1, MAX_SEQ), 3: lambda r: r.bin_exact(32),
           4: lambda r: r.integer(T_MIN, T_MAX), 5: read_body},
          {0, 1, 2, 3, 4, 5}, "payload")
    r.end()
    return body


# ------------------------------------------------------------- envelope

ENV_MAX = 1048704


def envelope(b):
    """Steps 1 and 2."""
    if len(b) > ENV_MAX:
        refuse("limit", "envelope too large")
    r = Reader(b)
    r.array_exact(5, "envelope")
    version = r.integer(0, 2**64 - 1, "version")
    alg = r.integer(0, 2**64 - 1, "alg")
    kid = r.bin_exact(8, "key_id")
    payload = r.bin(1, 1048576, "payload")
    sig = r.bin_exact(64, "sig")
    r.end()
    if version != 1 or alg != 1:
        refuse("decode", "version or alg")
    return kid, payload, sig


def signing_input(kid, payload):
    return b"lokaal-signaal/doc/1" + bytes([1, 1]) + kid + payload


# ------------------------------------------------------------- trust (6)

AUTHORS = {1: "federation", 2: "federation", 3: "federation",
           4: "municipality", 5: "member", 6: "municipality",
           7: "aggregator"}


class Trust:
    def __init__(self, fed_id, anchor):
        self.fed_id = fed_id
        self.anchor = anchor
        self.roster = None   # (hdr, body)
        self.policies = []   # [(hdr, body)] in feed order

    def key(self, kid):
        """(owner, role, key, member) for a key id of the roster."""
        _, b = self.roster
        for k in b["fed_keys"]:
            if k["id"] == kid:
                return self.fed_id, "federation", k, None
        for m in b["members"]:
            for k in m["keys"]:
                if k["id"] == kid:
                    role = "municipality" if m["role"] == 1 else "aggregator"
                    return m["id"], role, k, m
        return None

    def check_key(self, kid, hdr):
        """Step 4."""
        if self.roster is None:
            # Bootstrap: the anchor, for federation documents only.
            if blake(self.anchor)[:8] != kid:
                refuse("key", "not the anchor (no roster yet)")
            if hdr["origin"] != self.fed_id or hdr["type"] not in (1, 2, 3):
                refuse("denied", "the anchor signs federation documents")
            return self.anchor
        found = self.key(kid)
        if found is None:
            refuse("key", "unknown key id")
        owner, role, k, m = found
        t, s = hdr["created"], hdr["seq"]
        if owner != hdr["origin"]:
            refuse("denied", "key of another owner")
        need = AUTHORS[hdr["type"]]
        if need == "member" and role == "federation" or \
                need not in ("member", role):
            refuse("denied", f"a {role} may not author type {hdr['type']}")
        if not (k["from"] <= t and (k["until"] == 0 or t < k["until"])):
            refuse("expired", "outside the key's validity")
        for v in self.roster[1]["revocations"]:
            if v["id"] == kid and not (t < v["at"] and s <= v["after_seq"]):
                refuse("revoked", "revoked")
        if m is not None and m["left"]:
            if t >= m["left"]:
                refuse("revoked", "member left")
            if m["left_seq"] is not None and s > m["left_seq"]:
                refuse("revoked", "after left_seq")
        return k["pk"]

    def policy_at(self, x):
        if not self.policies:
            return None
        at = self.policies[0]
        for p in self.policies:
            if p[0]["created"] <= x:
                at = p
        return at


def summary_policy_check(hdr, b, pol):
    """Section 5.4 "Against the policy of its time"; returns a reason
    or None."""
    pp, sp = pol["params"], b["params"]
    if sp["mode"] != pp["mode"] or sp["cap"] != pp["cap"]:
        return "mode or persons_cap"
    if sp["mode"] == 0 and sp["k"] < pp["k"]:
        return f"k {sp['k']} below {pp['k']}"
    if sp["mode"] == 1 and (sp["eps"] > pp["eps"] or sp["wb"] < pp["wb"]):
        return "epsilon or withhold_below"
    y, mth, months = b["period"]
    if months != pol["months"] or (mth - 1) % months != 0:
        return "period"
    import calendar
    em = mth - 1 + months
    end = calendar.timegm((y + em // 12, em % 12 + 1, 1, 0, 0, 0))
    if hdr["created"] < end + pol["settle"] * 86400:
        return "released before the period settled"
    return None


def disclosure_check(b):
    """Section 5.4's rules on the summary's own params."""
    p = b["params"]
    cells = [c for t in b["tables"] for _, a, c2 in t for c in (a, c2)]
    cells += [c for _, a, c2 in b["recurrence"] for c in (a, c2)]
    for c in cells:
        if not cell_numbers_ok(c):
            refuse("policy", f"cell {c}")
        if p["mode"] == 0:
            if c[0] not in (0, 1):
                refuse("policy", "cell kind in threshold mode")
            if c[0] == 0 and 0 < c[1] < p["k"]:
                refuse("policy", "small exact count")
            if c[0] == 1 and c[1] < p["k"] and not (c[1] <= 1 and
                                                    c[2] >= p["k"] - 1):
                refuse("policy", "narrow range")
        elif c[0] not in (2, 3):
            refuse("policy", "cell kind in noise mode")


def verify(trust, env, now, skew=300):
    """Section 3's steps; returns (hdr, body, hash)."""
    kid, payload, sig = envelope(env)
    hdr = feed_fields(payload)
    if hdr["created"] > now + skew:
        refuse("expired", "created in the future")
    pk = trust.check_key(kid, hdr)
    if not ed25519_verify(pk, signing_input(kid, payload), sig):
        refuse("sig", "signature")
    body = full_payload(payload, hdr)
    if hdr["type"] == 4:
        disclosure_check(body)
        if not trust.policies:
            refuse("state", "no policy")
        body["uncounted"] = not judge_summary(trust, hdr, body)
    if hdr["type"] == 7:
        roles = {m["id"]: m["role"] for m in trust.roster[1]["members"]}
        if any(roles.get(i) != 1 for i in body["included"]):
            refuse("denied", "included names no municipality")
        if trust.policy_at(hdr["created"]) is None:
            refuse("state", "no policy")
        body["uncounted"] = not judge(
            trust, hdr["created"],
            lambda pb: None if pb["params"]["cap"] == body["cap"]
            else "persons_cap")
    return hdr, body, blake(payload)


def judge(trust, t, check):
    """Section 5.3, "Epochs": True when the policy of its time (or, in
    that policy's own second, the one before) allows it; False when only
    an earlier policy of the feed does (held, counted nowhere); refused
    when none up to its time does. check(policy body) gives a reason or
    None."""
    ph, pb = trust.policy_at(t)
    why = check(pb)
    if why is None:
        return True
    if ph["created"] == t:
        _, qb = trust.policy_at(t - 1)
        if check(qb) is None:
            return True
    for h, b in trust.policies:
        if h is ph:
            break
        if check(b) is None:
            return False
    refuse("policy", why)


def judge_summary(trust, hdr, body):
    return judge(trust, hdr["created"],
                 lambda pb: summary_policy_check(hdr, body, pb))


def successor_ok(old, new, new_created):
    """Section 6, "Successor rule"; returns a reason or None."""
    if old["federation"] != new["federation"]:
        return "federation id"

    def keys(b):
        out = {k["id"]: ("", k) for k in b["fed_keys"]}
        for m in b["members"]:
            out.update({k["id"]: (m["id"], k) for k in m["keys"]})
        return out

    ok_, nk = keys(old), keys(new)
    for kid, (owner, k) in ok_.items():
        if kid not in nk:
            return "a key dropped"
        o2, k2 = nk[kid]
        if o2 != owner or k2["pk"] != k["pk"] or k2["from"] != k["from"]:
            return "a key changed"
        if k2["until"] != k["until"] and (
                k["until"] != 0 or k2["until"] < new_created):
            return "valid_until changed"
    nm = {m["id"]: m for m in new["members"]}
    for m in old["members"]:
        m2 = nm.get(m["id"])
        if m2 is None:
            return "a member dropped"
        if m2["role"] != m["role"]:
            return "role changed"
        if m["left"] and m2["left"] != m["left"]:
            return "left changed"
        if not m["left"] and m2["left"] and m2["left"] < new_created:
            return "left set in the past"
        if m["left_seq"] is not None and m2["left_seq"] != m["left_seq"]:
            return "left_seq changed or dropped"
    nr = {v["id"]: v for v in new["revocations"]}
    for v in old["revocations"]:
        v2 = nr.get(v["id"])
        if v2 is None or v2["at"] > v["at"] or \
                v2["after_seq"] > v["after_seq"]:
            return "revocation withdrawn or made later"
    return None


def take_federation_doc(trust, hdr, body):
    """A verified federation document enters the trust (roster successor,
    policy epochs)."""
    if hdr["type"] == 1:
        if trust.roster is not None:
            why = successor_ok(trust.roster[1], body, hdr["created"])
            if why:
                refuse("policy", why)
        elif not any(k["pk"] == trust.anchor for k in body["fed_keys"]):
            refuse("key", "first roster without the anchor")
        trust.roster = (hdr, body)
    elif hdr["type"] == 3:
        if trust.policies and hdr["created"] < \
                trust.policies[-1][0]["created"]:
            refuse("policy", "policy created before the one in force")
        trust.policies.append((hdr, body))


# ------------------------------------------------------------- sync (7)

SYNC_TYPES = {1: "digest_req", 2: "digest_rep", 3: "vv_req", 4: "vv_rep",
              5: "docs_req", 6: "docs_rep", 7: "push_req", 8: "push_rep",
              9: "fork_req", 10: "fork_rep", 11: "error",
              13: "secagg_open_req", 14: "secagg_key_rep",
              15: "secagg_keyset_req", 16: "secagg_contrib_rep",
              17: "secagg_close_req", 18: "secagg_reveal_rep"}


def origin_str(r):
    return node_id(r, "origin")


def sync_decode(b):
    if len(b) > 4259840:
        refuse("limit", "sync message too large")
    r = Reader(b)
    n = r._container(True)
    if 2 * n > r.left():
        refuse("limit", "map count")
    if n == 0 or r.byte() != 0:
        refuse("decode", "type is not first")
    t = r.integer(1, 18, "sync type")
    if t not in SYNC_TYPES:
        refuse("decode", "sync type")
    r.p = 0
    m = {"type": SYNC_TYPES[t], "docs": []}

    def docs(lo, hi):
        def fn(r):
            total = 0
            for _ in range(r.array(lo, hi, 2, "docs")):
                # A page's element is any bin up to an envelope's
                # maximum: one that is no envelope is that document's
                # refusal when it is verified, not the message's.
                d = r.bin(0, ENV_MAX, "document")
                total += len(d)
                m["docs"].append(d)
            if total > 4194304:
                refuse("limit", "documents above 4194304 bytes")
        return fn

    def fork_docs(r):
        r.array_exact(2, "fork_rep docs")
        m["docs"] = [r.bin(0, ENV_MAX, "document") for _ in range(2)]

    def vv(r):
        ents = []
        for _ in range(r.array(0, 4097, 39, "entries")):
            e = fixed_array(r, 4, [origin_str,
                                   lambda r: r.integer(1, MAX_SEQ, "seq"),
                                   lambda r: r.bin_exact(32, "head"),
                                   lambda r: r.integer(0, 1, "flags")],
                            "vv entry")
            ents.append(e)
        keys = [e[0].encode() for e in ents]
        if any(a >= b_ for a, b_ in zip(keys, keys[1:])):
            refuse("decode", "vv not sorted")
        m["digest"] = blake(b"".join(
            bytes([len(e[0])]) + e[0].encode() + e[1].to_bytes(8, "big") +
            e[2] + bytes([e[3]]) for e in ents))

    def wants(r):
        for _ in range(r.array(1, 256, 5, "wants")):
            w = fixed_array(r, 3, [origin_str,
                                   lambda r: r.integer(1, MAX_SEQ, "from"),
                                   lambda r: r.integer(0, MAX_SEQ, "to")],
                            "want")
            if w[2] != 0 and w[2] < w[1]:
                refuse("decode", "to < from")

    def results(r):
        for _ in range(r.array(0, 1024, 1, "results")):
            r.integer(0, 65535, "result")

    blob = lambda r: r.bin(1, 1048576, "secagg message")
    typ = {0: lambda r: r.integer(1, 18)}
    fields = {
        1: ({1: lambda r: r.bin_exact(32, "digest"),
             2: lambda r: r.integer(0, 4097, "n_origins")}),
        3: {},
        4: {1: vv},
        5: {1: wants, 2: lambda r: r.integer(1, 1024, "max_docs"),
            3: lambda r: r.integer(1048704, 4194304, "max_bytes")},
        6: {1: docs(0, 1024), 2: lambda r: r.boolean()},
        7: {1: docs(1, 1024)},
        8: {1: results},
        9: {1: origin_str},
        10: {1: fork_docs},
        11: {1: lambda r: r.integer(1, 65535, "code"),
             2: lambda r: code(r, True, "detail")},
        13: {1: blob}, 14: {1: blob}, 15: {1: blob, 2: blob},
        16: {1: blob}, 17: {1: blob, 2: blob, 3: blob}, 18: {1: blob},
    }
    f = dict(fields[2 if t == 2 else t] if t != 2 else fields[1])
    f.update(typ)
    r.map(f, set(f), "sync message")
    r.end()
    return m


# -------------------------------------------------------- sessions (8, 9)

SESSION_MAX = 4260096
CT_MAX = 4259840 + 16
WIRE_NAMES = ["ok", "decode", "limit", "sig", "key", "revoked", "expired",
              "fork", "chain", "replay", "denied", "busy", "internal",
              "notfound", "policy", "state", "exists", "inval"]


def aead_encrypt(key, nonce24, ad, pt):
    sub = hchacha20(key, nonce24[:16])
    n12 = bytes(4) + nonce24[16:]
    otk = chacha20_block(sub, 0, n12)[:32]
    body = chacha20_xor(sub, 1, n12, pt)
    pad = lambda b: b + bytes(-len(b) % 16)
    return body + poly1305(otk, pad(ad) + pad(body) +
                           len(ad).to_bytes(8, "little") +
                           len(body).to_bytes(8, "little"))


def mp_uint(v):
    if v < 128:
        return bytes([v])
    for t, w in ((0xcc, 1), (0xcd, 2), (0xce, 4), (0xcf, 8)):
        if v < 1 << (8 * w):
            return bytes([t]) + v.to_bytes(w, "big")


def mp_bin(b):
    for t, w in ((0xc4, 1), (0xc5, 2), (0xc6, 4)):
        if len(b) < 1 << (8 * w):
            return bytes([t]) + len(b).to_bytes(w, "big") + b


def nonzero(dh):
    if dh == bytes(32):
        refuse("sig", "X25519 result all zero")
    return dh


REQ_LABEL = b"lokaal-signaal/session/1/req"
REP_LABEL = b"lokaal-signaal/session/1/rep"
BASEPOINT = (9).to_bytes(32, "little")


def session_frame(b, kind_want):
    """Frame size, structure and exact lengths, version and kind; returns
    the fields and the associated data (the bytes before the ciphertext's
    bin header)."""
    if len(b) > SESSION_MAX:
        refuse("limit", "frame too large")
    r = Reader(b)
    n = r._container(False)
    version = r.integer(0, 2**64 - 1, "version")
    kind = r.integer(0, 2**64 - 1, "kind")
    if kind == 3:
        if n != 4:
            refuse("decode", "refusal frame")
        code_ = r.integer(1, 65535, "code")
        r.integer(0, 2**63 - 1, "server_time")
        r.end()
        if version != 1:
            refuse("decode", "version")
        return {"kind": 3, "code": code_}, None
    f = {"kind": kind}
    if n != (8 if kind == 1 else 7):
        refuse("decode", f"frame of {n} elements")
    f["sender"] = r.bin_exact(8, "sender key id")
    f["recipient"] = r.bin_exact(8, "recipient key id")
    if kind == 1:
        f["ts"] = r.integer(-2**63, 2**63 - 1, "ts")
    f["nonce"] = r.bin_exact(24, "nonce")
    f["eph"] = r.bin_exact(32, "ephemeral key")
    ad = b[:r.p]
    f["ct"] = r.bin(16, CT_MAX, "ciphertext")
    r.end()
    if version != 1 or kind != kind_want:
        refuse("decode", "version or kind")
    return f, ad


def session_open_request(frame, trust, me, seeds, pubs, now):
    """Section 8, "A server opens a request", in its order."""
    f, ad = session_frame(frame, 1)
    if f["kind"] != 1:
        refuse("decode", "not a request")
    if f["recipient"] != blake(pubs[me])[:8]:
        refuse("denied", "a request for another node")
    if abs(f["ts"] - now) > 300:
        refuse("replay", "outside the clock window")
    found = trust.key(f["sender"])
    if found is None:
        refuse("key", "unknown sender")
    owner, role, k, m = found
    if m is None:
        refuse("denied", "a federation key holds no sessions")
    if not (k["from"] <= now and (k["until"] == 0 or now < k["until"])):
        refuse("expired", "sender key not valid now")
    for v in trust.roster[1]["revocations"]:
        if v["id"] == f["sender"] and now >= v["at"]:
            refuse("revoked", "sender key revoked")
    if m["left"] and now >= m["left"]:
        refuse("revoked", "sender left")
    x_s = ed25519_seed_to_x25519(seeds[me])
    X_S = ed25519_public_to_x25519(pubs[me])
    X_C = ed25519_public_to_x25519(k["pk"])
    es = nonzero(x25519(x_s, f["eph"]))
    ss = nonzero(x25519(x_s, X_C))
    k_req = blake(REQ_LABEL + es + ss + X_C + X_S + f["eph"])
    pt = xchacha20poly1305_decrypt(k_req, f["nonce"], ad, f["ct"])
    if pt is None:
        refuse("sig", "AEAD")
    f["plain"] = pt
    return f


def session_client(frm, to, seeds, pubs, eph, nonce, now, plain):
    """The request gent seals to kortrijk with the given ephemeral secret
    and nonce, and the client's state for the reply."""
    x_c = ed25519_seed_to_x25519(seeds[frm])
    X_C = ed25519_public_to_x25519(pubs[frm])
    X_S = ed25519_public_to_x25519(pubs[to])
    E = x25519(eph, BASEPOINT)
    k_req = blake(REQ_LABEL + nonzero(x25519(eph, X_S)) +
                  nonzero(x25519(x_c, X_S)) + X_C + X_S + E)
    head = bytes([0x98, 1, 1]) + mp_bin(blake(pubs[frm])[:8]) + \
        mp_bin(blake(pubs[to])[:8]) + mp_uint(now) + mp_bin(nonce) + mp_bin(E)
    frame = head + mp_bin(aead_encrypt(k_req, nonce, head, plain))
    return frame, {"k_req": k_req, "eph": eph, "x_c": x_c, "nonce": nonce,
                   "client": blake(pubs[frm])[:8],
                   "server": blake(pubs[to])[:8]}


def session_open_reply(frame, st):
    """Section 8, "A client opens a reply"."""
    f, ad = session_frame(frame, 2)
    if f["kind"] == 3:
        c = f["code"]
        refuse(WIRE_NAMES[c] if c < len(WIRE_NAMES) else "internal",
               "a refusal frame")
    if f["sender"] != st["server"] or f["recipient"] != st["client"] or \
            f["nonce"] != st["nonce"]:
        refuse("denied", "not the reply to this request")
    ee = nonzero(x25519(st["eph"], f["eph"]))
    se = nonzero(x25519(st["x_c"], f["eph"]))
    k_rep = blake(REP_LABEL + st["k_req"] + ee + se + f["eph"])
    pt = xchacha20poly1305_decrypt(k_rep, f["nonce"], ad, f["ct"])
    if pt is None:
        refuse("sig", "AEAD")
    return pt


# ------------------------------------------------ secure aggregation (15.3)

SECAGG_TYPES = {1: "open", 2: "key", 3: "keyset", 4: "contrib", 5: "close",
                6: "reveal", 7: "total"}


def secagg_ids(r, lo=2):
    ids = [node_id(r).encode() for _ in range(r.array(lo, 4096, 2, "ids"))]
    if any(a >= b for a, b in zip(ids, ids[1:])):
        refuse("decode", "node ids not sorted and unique")
    return len(ids)


def noise_means(r, num_min):
    """Two noise means num/den (a federation summary's are at least 1/den,
    a secure-aggregation round's may be 0)."""
    r.array_exact(2, "noise")
    for _ in range(2):
        r.array_exact(2, "mu")
        num = r.integer(num_min, 2**24, "num")
        den = r.integer(1, 2**24, "den")
        if num > den * 2**20:
            refuse("decode", "noise mean above 2^20")


def secagg_noise(r):
    noise_means(r, 0)


def secagg_vector(r, what):
    v = r.bin(16, 8 * 32768, what)
    if len(v) % 8:
        refuse("decode", f"{what}: not 8 bytes per entry")


def secagg_payload(t, payload):
    r = Reader(payload)
    rid = lambda r: r.bin_exact(32, "round")
    h32 = lambda r: r.bin_exact(32, "hash")
    st = {}

    def created(r):
        st["created"] = r.integer(T_MIN, T_MAX, "created")

    def deadline(r):
        if r.integer(T_MIN, T_MAX, "deadline") <= st.get("created", T_MAX):
            refuse("decode", "deadline not after created")

    def min_parties(r):
        st["min"] = r.integer(2, 4096, "min_parties")

    def members(r):
        if st.get("min", 2) > secagg_ids(r):
            refuse("decode", "min_parties above the members")

    def keyset(r):
        for _ in range(r.array(2, 4096, 2, "keys")):
            r.bin(1, 256, "key message")

    def pairs(r):
        ids = []
        for _ in range(r.array(0, 4096, 37, "pairs")):
            ids.append(fixed_array(r, 2, [node_id, h32], "pair")[0].encode())
        if any(a >= b for a, b in zip(ids, ids[1:])):
            refuse("decode", "pairs not sorted")

    fields = {
        1: {0: period, 1: lambda r: r.integer(1, 16, "attempt"), 2: h32,
            3: lambda r: r.integer(2, 32768, "entries"), 4: secagg_noise,
            5: lambda r: r.integer(0, 100, "k"), 6: min_parties, 7: created,
            8: deadline, 9: members},
        2: {0: rid, 1: lambda r: r.bin_exact(32, "X25519 key")},
        3: {0: rid, 1: keyset},
        4: {0: rid, 1: h32, 2: lambda r: secagg_vector(r, "masked vector")},
        5: {0: rid, 1: h32, 2: secagg_ids},
        6: {0: rid, 1: h32, 2: h32, 3: pairs},
        7: {0: rid, 1: h32, 2: period, 3: secagg_noise, 4: secagg_ids,
            5: lambda r: secagg_vector(r, "total")},
    }[t]
    r.map(fields, set(fields), SECAGG_TYPES[t])
    r.end()


def secagg_verify(b, pk):
    if len(b) > 1048576:
        refuse("limit", "secure-aggregation message too large")
    r = Reader(b)
    r.array_exact(6, "secagg message")
    version = r.integer(0, 2**64 - 1, "version")
    t = r.integer(0, 2**64 - 1, "type")
    signer = node_id(r, "signer")
    kid = r.bin_exact(8, "key id")
    payload = r.bin(1, 1048576, "payload")
    sig = r.bin_exact(64, "sig")
    r.end()
    if version != 1 or not 1 <= t <= 7:
        refuse("decode", "version or type")
    if blake(pk)[:8] != kid:
        refuse("key", "not the signer's key")
    msg = b"lokaal-signaal/secagg/1" + bytes([version, t, len(signer)]) + \
        signer.encode() + kid + payload
    if not ed25519_verify(pk, msg, sig):
        refuse("sig", "signature")
    secagg_payload(t, payload)
    return SECAGG_TYPES[t]


# ------------------------------------------------------------ the runner

def load_hex(d, name):
    with open(os.path.join(d, name + ".hex")) as fh:
        return bytes.fromhex("".join(fh.read().split()))


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.abspath(__file__))
    keys = {}
    seeds = {}
    with open(os.path.join(d, "test-keys.txt")) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            name, kid, pk, seed = line.split()
            keys[name] = bytes.fromhex(pk)
            seeds[name] = bytes.fromhex(seed)
            assert blake(bytes.fromhex(pk))[:8].hex() == kid, name
            assert blake(b"lokaal-signaal test key " + name.encode()) == \
                bytes.fromhex(seed), name
    vectors = []
    with open(os.path.join(d, "MANIFEST")) as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            name, kind, expect, prm, desc = line.rstrip("\n").split("\t")
            prm = dict(kv.split("=", 1) for kv in prm.split())
            vectors.append((name, kind, expect, prm, desc))
    byname = {v[0]: v for v in vectors}
    boot = [v for v in vectors if v[1] == "roster-bootstrap"]
    assert len(boot) == 1
    bp = boot[0][3]
    now0 = int(bp["now"])
    fed_id = bp["federation"]

    def fresh_trust(with_fed=("taxonomy", "policy")):
        """The receiver of the doc vectors: the bootstrap roster and the
        federation documents named."""
        t = Trust(fed_id, keys[bp["anchor"]])
        for n in ("roster",) + tuple(with_fed):
            h, b, _ = verify(t, load_hex(d, n), now0)
            take_federation_doc(t, h, b)
        return t

    base = fresh_trust()

    def doc(name, trust=None, now=None):
        return verify(trust or base, load_hex(d, name),
                      int(byname[name][3].get("now", now or now0)))

    def run(v):
        name, kind, expect, prm, _ = v
        now = int(prm.get("now", now0))
        if kind == "roster-bootstrap":
            t = Trust(prm["federation"], keys[prm["anchor"]])
            h, b, _ = verify(t, load_hex(d, name), now)
            take_federation_doc(t, h, b)
        elif kind == "doc":
            doc(name, now=now)
        elif kind == "chain":
            ph, _, phash = doc(prm["pred"])
            h, _, _ = doc(name)
            if h["origin"] != ph["origin"] or h["seq"] != ph["seq"] + 1 or \
                    h["prev"] != phash:
                refuse("chain", "does not follow pred")
        elif kind == "fork":
            oh, _, ohash = doc(prm["other"])
            h, _, hh = doc(name)
            if (h["origin"], h["seq"]) == (oh["origin"], oh["seq"]) and \
                    hh != ohash:
                refuse("fork", "fork")
        elif kind == "forkproof":
            r = Reader(load_hex(d, name))
            r.array_exact(2, "fork proof")
            a = r.bin(1, ENV_MAX)
            b = r.bin(1, ENV_MAX)
            r.end()
            ha, _, xa = verify(base, a, now)
            hb, _, xb = verify(base, b, now)
            if (ha["origin"], ha["seq"]) != (hb["origin"], hb["seq"]) or \
                    xa == xb:
                refuse("inval", "no fork proof")
            if xa > xb:
                refuse("decode", "not in hash order")
        elif kind in ("sync", "secagg_req"):
            m = sync_decode(load_hex(d, name))
            if expect == "ok":
                if m["type"] != prm["type"]:
                    refuse("internal", f"type {m['type']}, not {prm['type']}")
                if "docs" in prm and m["docs"] != [
                        load_hex(d, n) for n in prm["docs"].split(",")]:
                    refuse("internal", "documents differ")
                if "digest" in prm and m["digest"].hex() != prm["digest"]:
                    refuse("internal", "digest differs")
        elif kind == "summary-epoch":
            t = fresh_trust(("taxonomy",))
            for p in prm["policies"].split(","):
                h, b, _ = verify(t, load_hex(d, p), now)
                take_federation_doc(t, h, b)
            _, b, _ = verify(t, load_hex(d, name), now)
            if b.get("uncounted"):
                return "uncounted"
        elif kind in ("policy-epoch", "roster-successor"):
            t = fresh_trust(("taxonomy", "policy") if kind == "policy-epoch"
                            else ("taxonomy", "policy"))
            ph, pb, _ = verify(t, load_hex(d, prm["pred"]), now)
            take_federation_doc(t, ph, pb)
            h, b, _ = verify(t, load_hex(d, name), now)
            take_federation_doc(t, h, b)
        elif kind == "push-page":
            m = sync_decode(load_hex(d, name))
            if m["type"] != "push_req":
                refuse("decode", "not a push_req")
            heads = {}
            held = set()
            results = []
            for env in m["docs"]:
                try:
                    h, b, hh = verify(base, env, now)
                    if hh in held:
                        results.append("exists")
                        continue
                    seq0, head0 = heads.get(h["origin"], (0, bytes(32)))
                    if h["seq"] != seq0 + 1 or h["prev"] != head0:
                        refuse("chain", "does not follow")
                    heads[h["origin"]] = (h["seq"], hh)
                    held.add(hh)
                    results.append("ok")
                except Refuse as e:
                    results.append(e.name)
            if results != prm["results"].split(","):
                refuse("internal", f"results {results}")
        elif kind == "session-request":
            guard = {}
            if "after" in prm:
                a = load_hex(d, prm["after"])
                f = session_open_request(a, base, prm["to"], seeds, keys,
                                         int(byname[prm["after"]][3]["now"]))
                guard[(f["sender"], f["nonce"])] = blake(a)
            frame = load_hex(d, name)
            f = session_open_request(frame, base, prm["to"], seeds, keys, now)
            seen = guard.get((f["sender"], f["nonce"]))
            if seen is not None:
                if seen == blake(frame):
                    return "resend"
                refuse("replay", "nonce reused with other bytes")
            if expect == "ok":
                plain = load_hex(d, prm["plain"])
                if f["plain"] != plain:
                    refuse("internal", "plaintext differs")
                again, _ = session_client(
                    prm["from"], prm["to"], seeds, keys,
                    bytes.fromhex(prm["eph"]), bytes.fromhex(prm["nonce"]),
                    now, plain)
                if again != frame:
                    refuse("internal", "resealing does not reproduce it")
        elif kind == "session-reply":
            rq = byname[prm["request"]][3]
            _, st = session_client(
                prm["from"], prm["to"], seeds, keys,
                bytes.fromhex(rq["eph"]), bytes.fromhex(rq["nonce"]),
                int(rq["now"]), load_hex(d, rq["plain"]))
            pt = session_open_reply(load_hex(d, name), st)
            if expect == "ok" and pt != load_hex(d, prm["plain"]):
                refuse("internal", "plaintext differs")
        elif kind == "secagg":
            t = secagg_verify(load_hex(d, name), keys[prm["key"]])
            if expect == "ok" and t != prm["type"]:
                refuse("internal", f"type {t}")
        else:
            return None
        return "ok"

    bad = 0
    skipped = []
    for v in vectors:
        name, kind, expect = v[0], v[1], v[2]
        if "section" not in v[3]:
            print(f"not ok - {name}: no section= in MANIFEST")
            bad += 1
        try:
            got = run(v)
            why = ""
        except Refuse as e:
            got, why = e.name, e.why
        if got is None:
            skipped.append(name)
            continue
        if got == expect:
            print(f"ok - {name} ({kind}): {got}")
        else:
            bad += 1
            print(f"not ok - {name} ({kind}): expected {expect}, "
                  f"the second reader says {got} ({why})")
    if skipped:
        print(f"# kinds it does not know: {len(skipped)}: "
              + " ".join(skipped))
    print(f"# {len(vectors) - len(skipped) - bad} agree, {bad} disagree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
