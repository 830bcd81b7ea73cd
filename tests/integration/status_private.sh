#!/usr/bin/env bash
# Status documents publish nothing an attacker can difference (PROTOCOL.md
# 5.5, issue 11). gent publishes a status, captures 37 signals, restarts
# (which publishes another); the association then holds every status
# document gent sent. tests/status_attack.py — a decoder written from the
# spec alone, no project code — reads them all and looks for a capture
# time, a signal counter, the number 37 or a counter that grew by 37.
# The same attacker finds both in a status of older software (the vector
# status_legacy), so the check can fail.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"
ATTACK="python3 $ROOT/tests/status_attack.py"
N=37

t_check "federation set up" fed_init federatie vvsg gent
for n in vvsg gent; do fed_start "$n"; done
t_check "they converge" fed_wait_converged 30 vvsg gent

statuses_of_gent() { # at the association
	sqlite3 "$T/vvsg/signaal.db" \
		"SELECT count(*) FROM feed_doc WHERE origin = 'gent' AND type = 5"
}
t_check "gent's first status reached the association" \
	fed_wait 30 bash -c "[ \$(sqlite3 '$T/vvsg/signaal.db' \"SELECT count(*) FROM feed_doc WHERE origin = 'gent' AND type = 5\") -ge 1 ]"

added=0
for i in $(seq $N); do
	"$SIGNAALCTL" -d "$T/gent" signal add --thema wonen --leeftijd 18-24 \
		--sector caw --organisatie "CAW (fictief)" >/dev/null && added=$((added + 1))
done
t_equal "gent captured $N signals" "$added" "$N"
t_check "gent counts them locally" "$SIGNAALCTL" -d "$T/gent" status
t_grep "signaalctl status shows the count to the operator" "$N signalen" "$T/last.out"

fed_stop gent
fed_start gent # a restart publishes a new status
before=$(statuses_of_gent)
t_check "gent's status after the captures reached the association" \
	fed_wait 30 bash -c "[ \$(sqlite3 '$T/vvsg/signaal.db' \"SELECT count(*) FROM feed_doc WHERE origin = 'gent' AND type = 5\") -gt $before ]"

t_check "every status document gent sent: no signal count or capture time" \
	$ATTACK "$T/vvsg/signaal.db" gent "$N"
cat "$T/last.out" | sed 's/^/# /'
t_expect_fail "the attacker finds them in a status of older software" 1 \
	$ATTACK --vector "$ROOT/tests/vectors/status_legacy.hex" 5678
t_grep "the capture time" "key 2 holds a time" "$T/last.out"
t_grep "the signal counter" "counter signals_total = 5678" "$T/last.out"

# The association's API and state file show no signal figure of gent.
TOK=$("$SIGNAALCTL" -d "$T/vvsg" token new --rol beheerder 2>/dev/null)
curl -s "http://127.0.0.1:${FED_HTTP[vvsg]}/api/v1/federation" \
	-H "Authorization: Bearer $TOK" >"$T/fed.json"
t_check "the federation view answers" grep -q '"gent"' "$T/fed.json"
t_check "it shows no capture time or signal counter" \
	bash -c "! grep -Eq 'laatste_registratie|signals_total' '$T/fed.json'"
t_check "nor does the association's state file" \
	bash -c "! grep -Eq 'last_capture|signals_total' '$T/vvsg/signaald.json'"
t_done
