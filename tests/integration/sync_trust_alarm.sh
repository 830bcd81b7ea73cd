#!/usr/bin/env bash
# A federation document refused for a trust reason raises an alarm an
# operator sees (PROTOCOL.md 6, "Alarms"): here a policy signed with the
# federation key at the next position of the federation feed, but created
# before the policy in force (it would apply retroactively, 5.3), pushed
# to gent. gent refuses it (policy), keeps its policy, and shows the alarm
# by origin as a metric, one error log line, a status line and in the
# status json. A refusal that says nothing about trust (a forged
# signature) raises none. (The fork and revoked alarms: sync_fork.sh,
# sync_removal.sh.)
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

t_check "federation set up" fed_init federatie vvsg gent
# The policy in force created a second or more after the federation key's
# validity began, so that a second before it the key was valid.
sleep 1.2
"$SIGNAALCTL" -d "$T/vvsg" federation policy --k 6 >/dev/null
t_check "a policy published" "$SIGNAALCTL" -d "$T/vvsg" federation publish
for n in vvsg gent; do fed_start "$n"; done
t_check "converges" fed_wait_converged 30 vvsg gent
fedseq() { "$SIGNAALCTL" -d "$T/$1" sync vv | awk '$1 == "federatie" {print $2}'; }
before=$(fedseq gent)

probe() {
	"$FED_PROBE" --url "tcp://127.0.0.1:${FED_PORT[gent]}" \
		--key "$T/vvsg/keys/node.key" --peer-key "$T/gent/keys/node.pub" \
		--as vvsg --fed-dir "$T/vvsg" "$@"
}
t_check "a forged document is refused (sig)" probe forgeddoc
t_check "a backdated policy is refused (policy)" probe backdatedpolicy
t_equal "gent's federation feed is unchanged" "$(fedseq gent)" "$before"
t_check "the alarm in the metrics, by origin" fed_wait 10 grep -q \
	'^signaal_trust_alarm{origin="federatie",reason="successor"} 1$' \
	"$T/gent/signaald.prom"
t_equal "one alarm only (a bad signature is no trust alarm)" \
	"$(grep -c '^signaal_trust_alarm{' "$T/gent/signaald.prom")" 1
t_grep "logged at error" \
	"level=error mod=ingest event=trust_alarm origin=federatie reason=successor seq=$((before + 1))" \
	"$T/gent.log"
t_check "signaalctl status" "$SIGNAALCTL" -d "$T/gent" status
t_grep "a status line for the alarm, by origin" \
	"^Alarm +federatie: federatiedocument dat de regels van de ledenlijst of het beleid breekt \\(seq $((before + 1)), 1 keer geweigerd\\)" \
	"$T/last.out"
t_check "status --format json" "$SIGNAALCTL" -d "$T/gent" status --format json
t_equal "json: the alarm" \
	"$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([(a['origin'], a['reason'], a['seq']) for a in d['alarmen']])" "$T/last.out")" \
	"[('federatie', 'successor', $((before + 1)))]"
t_grep "gent still runs under the policy in force (k = 6)" "k=6" \
	<("$SIGNAALCTL" -d "$T/gent" federation show)
for n in vvsg gent; do fed_stop "$n"; done
t_done
