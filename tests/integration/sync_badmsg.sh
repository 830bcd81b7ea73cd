#!/usr/bin/env bash
# Forged, replayed, stale, truncated, oversized, wrong-typed and junk
# messages sent to a running signaald (by signaal-probe, which builds them
# with proto/) are refused with the right code, counted in the metrics,
# and change nothing in the store.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

t_check "federation set up" fed_init federatie vvsg eeklo
fed_start vvsg
t_check "hub is up" fed_wait 20 test -s "$T/vvsg/signaald.prom"
before=$("$SIGNAALCTL" -d "$T/vvsg" sync digest)
db_before=$(sqlite3 "$T/vvsg/signaal.db" .dump | sha256sum)

probe() {
	"$FED_PROBE" --url "tcp://127.0.0.1:${FED_PORT[vvsg]}" \
		--key "$T/eeklo/keys/node.key" \
		--peer-key "$T/vvsg/keys/node.pub" --as eeklo "$@"
}
t_check "a good request is answered" probe digest
for c in unknown forged stale replay resend truncated oversized junk \
	wrongtype forgeddoc; do
	t_check "$c is refused as it should" probe "$c"
done
sed 's/^/# /' "$T/last.out"

t_equal "nothing changed (digest)" \
	"$("$SIGNAALCTL" -d "$T/vvsg" sync digest)" "$before"
t_equal "nothing changed (database)" \
	"$(sqlite3 "$T/vvsg/signaal.db" .dump | sha256sum)" "$db_before"

# Counted: the metrics file is rewritten every second.
counted() {
	[ "$(fed_metric vvsg "signaal_sync_refused_total\{reason=\"$1\"\}")" -ge "$2" ]
}
t_check "unknown key counted" fed_wait 10 counted key 1
t_check "forged counted" fed_wait 10 counted sig 1
t_check "stale and replayed counted" fed_wait 10 counted replay 2
t_check "truncated and junk counted" fed_wait 10 counted decode 2
t_check "oversized counted" fed_wait 10 counted limit 1
t_check "wrong type counted" fed_wait 10 bash -c \
	"grep -q 'signaal_sync_errors_total{peer=\"eeklo\",result=\"decode\"} 1' '$T/vvsg/signaald.prom'"
t_check "forged document counted" fed_wait 10 bash -c \
	"grep -q 'signaal_docs_rejected_total{reason=\"sig\"} 1' '$T/vvsg/signaald.prom'"
t_grep "refusals logged with their reason" \
	"event=request_refused .*reason=sig" "$T/vvsg.log"

# The daemon still serves a member normally afterwards.
fed_start eeklo
t_check "a member still syncs" fed_wait_converged 30 vvsg eeklo
fed_stop eeklo
fed_stop vvsg
t_done
