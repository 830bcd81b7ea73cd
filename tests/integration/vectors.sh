#!/usr/bin/env bash
# The checked-in protocol test vectors are exactly what the generator
# writes: deterministic, and regenerated whenever the format changes.
. "$(dirname "$0")/../lib.sh"
GEN=$BUILD/tests/vectorgen
if [ ! -x "$GEN" ]; then
	t_notok "vectorgen is built" "$GEN missing (run make)"
	t_done
fi
t_check "the generator runs" "$GEN" "$T/a"
t_check "and runs again" "$GEN" "$T/b"
t_check "it is deterministic" diff -r "$T/a" "$T/b"
t_check "tests/vectors is up to date (else: $GEN tests/vectors)" \
	diff -r -x README.md -x vectorgen.c -x second_reader.py "$ROOT/tests/vectors" "$T/a"
# A second implementation, written from PROTOCOL.md and the vectors'
# README alone, reaches every verdict of MANIFEST it has a kind for.
if python3 "$ROOT/tests/vectors/second_reader.py" "$ROOT/tests/vectors" >"$T/second" 2>&1; then
	t_ok "a second reader of PROTOCOL.md agrees on every vector ($(tail -1 "$T/second"))"
else
	t_notok "a second reader of PROTOCOL.md agrees on every vector" "$(grep -v '^ok' "$T/second")"
fi
if grep -rlE -- '-----BEGIN|secret=' "$ROOT/tests/vectors" >/dev/null; then
	t_notok "no key files among the vectors"
else
	t_ok "no key files among the vectors"
fi
t_done
