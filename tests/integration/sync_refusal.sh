#!/usr/bin/env bash
# A refusal is never retried forever (PROTOCOL.md 7, "Refused
# documents"). gent, stopped, publishes a summary under k = 3, which no
# policy of the federation ever allowed (signaal-probe does it as a
# broken or dishonest node would; signaalctl never releases under a
# looser policy): a summary every receiver must refuse (`policy`). When
# gent runs again, the association refuses it once, remembers it
# (signaald.json, signaalctl status, /metrics), logs one line saying
# what to do, does not fetch it again every round, and backs off the
# rounds with gent; gent remembers that its push was refused. (A summary
# released under the old k after a tightening it had not heard of used
# to be the example; it is held but not counted now: PROTOCOL.md 5.3,
# sync_late_tightening.sh.)
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"
PARSE=$ROOT/tests/prom_parse.py

t_check "federation set up" fed_init federatie vvsg gent
# Rounds back off up to 8 s here, so that a held-back round is visible.
sed -i 's/^backoff_max_s = 2$/backoff_max_s = 8/' "$T/vvsg/signaal.ini"
for n in vvsg gent; do fed_start "$n"; done
t_check "converges" fed_wait_converged 30 vvsg gent
fed_stop gent
t_check "gent publishes a summary under k = 3" \
	"$FED_PROBE" fill --dir "$T/gent" --loose-k 3
fed_start gent

rejected() { fed_metric vvsg 'signaal_docs_rejected_total\{reason="policy"'; }
t_check "the association refuses gent's summary" \
	fed_wait 30 bash -c "[ \$(grep -E '^signaal_docs_rejected_total\{reason=\"policy\"' '$T/vvsg/signaald.prom' | awk '{s+=\$NF} END {print s+0}') -ge 1 ]"
t_check "and remembers it" fed_wait 10 \
	grep -q "event=doc_refusal_remembered peer=gent origin=gent" "$T/vvsg.log"
rounds() { fed_metric vvsg 'signaal_sync_rounds_total\{peer="gent"'; }
sleep 1
r0=$(rejected)
n0=$(rounds)
sleep 12
r1=$(rejected)
n1=$(rounds)
t_check "not fetched again every round ($r0 then $r1 in 12 s)" \
	test "$r1" -le $((r0 + 2))
# Every second without the backoff; 2, 4, 8 s apart with it.
t_check "fewer rounds with gent ($((n1 - n0)) in 12 s, interval 1 s)" \
	test $((n1 - n0)) -le 6
t_equal "one log line, saying what to do" \
	"$(grep -c 'event=doc_refusal_remembered peer=gent origin=gent .*action="het document schendt het beleid' "$T/vvsg.log")" 1
t_check "the rounds with gent back off" \
	grep -q "event=round_stalled peer=gent" "$T/vvsg.log"
t_check "gent remembers that its push was refused" fed_wait 20 \
	grep -q "event=doc_refusal_remembered peer=vvsg origin=gent .*direction=push reason=policy" "$T/gent.log"

t_check "signaalctl status at the association" "$SIGNAALCTL" -d "$T/vvsg" status
t_grep "a line with the refusal and what to do" \
	"^Geweigerd +gent #[0-9]+ van peer gent \(policy\): .*Wat te doen: het document schendt het beleid" "$T/last.out"
t_check "status --format json" "$SIGNAALCTL" -d "$T/vvsg" status --format json
t_equal "json: the refusal" \
	"$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([(g['origin'], g['reason'], g['direction']) for g in d['geweigerd']])" "$T/last.out")" \
	"[('gent', 'policy', 'pull')]"
curl -s "http://127.0.0.1:${FED_HTTP[vvsg]}/metrics" >"$T/metrics"
t_check "/metrics: the refusal remembered" python3 "$PARSE" "$T/metrics" \
	'signaal_refusal_remembered{peer="gent",origin="gent",reason="policy",direction="pull"} >= 1'
t_check "the digests still differ (nothing was stored)" \
	bash -c "[ '$(fed_digest vvsg)' != '$(fed_digest gent)' ]"
for n in vvsg gent; do fed_stop "$n"; done
t_done
