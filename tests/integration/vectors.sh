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
	diff -r -x README.md -x vectorgen.c "$ROOT/tests/vectors" "$T/a"
if grep -rlE -- '-----BEGIN|secret=' "$ROOT/tests/vectors" >/dev/null; then
	t_notok "no key files among the vectors"
else
	t_ok "no key files among the vectors"
fi
t_done
