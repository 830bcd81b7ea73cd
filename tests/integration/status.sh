#!/usr/bin/env bash
# Monitoring a small federation: `signaalctl status` at a municipality
# and at the association (text and JSON; with signaald running, stopped,
# never started), and the association's /metrics and /readyz over HTTP,
# parsed strictly (tests/prom_parse.py) and checked against the sync that
# happened.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"
PARSE=$ROOT/tests/prom_parse.py

t_check "federation set up" fed_init federatie vvsg gent eeklo
jget() { # FILE PYTHON-EXPR (d is the document)
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

t_check "status before signaald ever ran" "$SIGNAALCTL" -d "$T/gent" status
t_grep "it says signaald does not run" "^signaald +niet actief: geen statusbestand" "$T/last.out"
t_grep "it names the node, its role and its federation" "^Knooppunt +gent \(Test gent\), gemeente, federatie$" "$T/last.out"
t_equal "... never as \"federatie federatie\"" "$(grep -c 'federatie federatie' "$T/last.out")" 0
# The federation's id said once, whatever it is called; none said so.
"$SIGNAALCTL" init --id solo --naam "Test solo" "$T/solo" >/dev/null 2>&1
t_check "status of a node on its own" "$SIGNAALCTL" -d "$T/solo" status
t_grep "... says it is in no federation" "^Knooppunt +solo \(Test solo\), gemeente, geen federatie$" "$T/last.out"
sed -i '/^\[federation\]/,/^\[/ s/^id = .*/id = oost-vlaanderen/' "$T/solo/signaal.ini"
t_check "status of a node of federation oost-vlaanderen" "$SIGNAALCTL" -d "$T/solo" status
t_grep "... names it as federation oost-vlaanderen" "^Knooppunt +solo \(Test solo\), gemeente, federatie oost-vlaanderen$" "$T/last.out"
sed -i '/^\[federation\]/,/^\[/ s/^id = .*/id = federatie-west/' "$T/solo/signaal.ini"
t_check "status of a node of federatie-west" "$SIGNAALCTL" -d "$T/solo" status
t_grep "... names it once" "^Knooppunt +solo \(Test solo\), gemeente, federatie-west$" "$T/last.out"
t_expect_fail "an unknown format: exit 2" 2 "$SIGNAALCTL" -d "$T/gent" status --format xml
t_expect_fail "an extra argument: exit 2" 2 "$SIGNAALCTL" -d "$T/gent" status nu

for n in vvsg gent eeklo; do fed_start "$n"; done
t_check "they converge" fed_wait_converged 30 vvsg gent eeklo
# Every node's status document reaches the association, and signaald's
# state file (rewritten every second here) knows every feed's lag.
statuses_at_hub() {
	"$SIGNAALCTL" -d "$T/vvsg" status --format json >"$T/hub.json" &&
		[ "$(jget "$T/hub.json" "sum(1 for r in d['knooppunten'] if r['versie'] and r['achterstand'] is not None)")" = 3 ]
}
t_check "the association holds every node's status" fed_wait 30 statuses_at_hub

# A capture through the HTTP API of gent, then its status.
TOK=$("$SIGNAALCTL" -d "$T/gent" token new --rol veldwerker --organisatie "CAW (fictief)" 2>/dev/null)
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:${FED_HTTP[gent]}/api/v1/signals" \
	-H "Authorization: Bearer $TOK" -H "Content-Type: application/json" \
	-d '{"thema":["wonen"],"leeftijd":"25-64","sector":"caw"}')
t_equal "a capture at gent over HTTP" "$code" 201
t_check "status at gent" "$SIGNAALCTL" -d "$T/gent" status
cp "$T/last.out" "$T/gent.txt"
t_grep "signaald is running, with its HTTP address" "^signaald +actief: versie 0\.1\.0, pid [0-9]+" "$T/gent.txt"
t_grep "the HTTP address" "HTTP 127\.0\.0\.1:${FED_HTTP[gent]}" "$T/gent.txt"
t_grep "the signal counted" "1 signalen" "$T/gent.txt"
t_grep "its peer, with a good round" "^vvsg +ok +20[0-9-]+ [0-9:]+" "$T/gent.txt"
t_grep "no forks" "^Forks +geen" "$T/gent.txt"
t_check "no federation table at a municipality" bash -c "! grep -q '^Federatie:' '$T/gent.txt'"

t_check "status at the association" "$SIGNAALCTL" -d "$T/vvsg" status
cp "$T/last.out" "$T/hub.txt"
t_grep "the federation table" "^Federatie: 3 knooppunten" "$T/hub.txt"
t_grep "the association first" "^vvsg +koepel +0\.1\.0" "$T/hub.txt"
t_grep "each municipality with its version and last sign of life" "^gent +gemeente +0\.1\.0 +[0-9]+ (s|min) geleden" "$T/hub.txt"
t_grep "and eeklo" "^eeklo +gemeente +0\.1\.0" "$T/hub.txt"
t_check "status --format json" "$SIGNAALCTL" -d "$T/vvsg" status --format json
cp "$T/last.out" "$T/hub.json"
t_equal "json: the daemon runs" "$(jget "$T/hub.json" "d['signaald']['actief']")" True
t_equal "json: the peers" "$(jget "$T/hub.json" "sorted(p['id'] for p in d['peers'])")" "['eeklo', 'gent']"
t_equal "json: every node with its lag" \
	"$(jget "$T/hub.json" "[(r['knooppunt'], r['rol'], r['achterstand'], r['forks']) for r in d['knooppunten']]")" \
	"[('vvsg', 'koepel', 0, 0), ('eeklo', 'gemeente', 0, 0), ('gent', 'gemeente', 0, 0)]"

# The association's monitoring endpoints, against that sync.
HUB=http://127.0.0.1:${FED_HTTP[vvsg]}
code=$(curl -s -o "$T/ready" -w '%{http_code}' "$HUB/readyz")
t_equal "/readyz at the association: ready" "$code" 200
t_grep "both peers reachable" '"ingesteld":2,"bereikbaar":2' "$T/ready"
t_grep "the roster loaded" '"roster":\{"ok":true' "$T/ready"
curl -s "$HUB/metrics" >"$T/metrics"
python3 "$PARSE" "$T/metrics" \
	'signaal_sync_rounds_total{peer="gent",result="ok"} >= 1' \
	'signaal_sync_rounds_total{peer="eeklo",result="ok"} >= 1' \
	'signaal_sync_bytes_total{peer="gent",direction="in"} > 0' \
	'signaal_sync_bytes_total{peer="gent",direction="out"} > 0' \
	'signaal_peer_up{peer="gent"} == 1' \
	'signaal_sync_last_success_timestamp_seconds{peer="gent"} > 1700000000' \
	'signaal_feed_head{origin="gent"} >= 1' \
	'signaal_roster_members == 3' \
	'signaal_forks_unresolved == 0' \
	'signaal_info{node="vvsg",role="koepel"} == 1' \
	'signaal_signals_captured_total == 0' \
	'signaal_http_requests_total{route="readyz",status="200"} == 1' >"$T/parse.out"
cat "$T/parse.out"

# Stopped: status says so, and still reads the store.
fed_stop gent
t_check "status after a stop" "$SIGNAALCTL" -d "$T/gent" status
t_grep "it says signaald stopped" "^signaald +niet actief: gestopt" "$T/last.out"
t_grep "and still counts the signals" "1 signalen" "$T/last.out"
t_done
