#!/usr/bin/env bash
# The web pages as served by signaald, in a real browser (Debian's
# chromium driven by playwright-core; setup shared in tests/lib_browser.sh):
# a small federation (the association and two municipalities, each
# signaald with its own HTTP port); at gent a field worker fills in the
# capture form on a phone-sized screen and the signal is then looked up
# in gent's store; the dashboard draws its charts; the association's
# federation view lists every node. Screenshots in
# $BUILD/test-artifacts/web/.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_browser.sh"
. "$ROOT/tests/lib_federation.sh"
ART=$BUILD/test-artifacts/web
mkdir -p "$ART"
browser_setup || t_done

t_check "federation set up" fed_init federatie vvsg gent eeklo
# A year of gent's signals up to this month, for the dashboard.
"$BUILD/gen-signals" --seed 5 --start "$(date -u -d "$(date -u +%Y-%m-15) -11 months" +%Y-%m)" \
	--months 12 --rate 0.5 --municipality gent --out-dir "$T/csv" 2>/dev/null
t_check "gent's signals imported" "$SIGNAALCTL" -d "$T/gent" signal import "$T/csv/gent.csv"
for n in vvsg gent eeklo; do fed_start "$n"; done
t_check "they converge" fed_wait_converged 30 vvsg gent eeklo
hub_sees_all() {
	"$SIGNAALCTL" -d "$T/vvsg" status --format json >"$T/hub.json" &&
		python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if sum(1 for r in d['knooppunten'] if r['versie']) == 3 else 1)" "$T/hub.json"
}
t_check "the association has every node's status" fed_wait 30 hub_sees_all

VW=$("$SIGNAALCTL" -d "$T/gent" token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-12 2>/dev/null)
VO=$("$SIGNAALCTL" -d "$T/gent" token new --rol veldwerker --organisatie "CLB Zuid (fictief)" 2>/dev/null)
CO=$("$SIGNAALCTL" -d "$T/gent" token new --rol coordinator --organisatie "Stad Gent (test)" 2>/dev/null)
HC=$("$SIGNAALCTL" -d "$T/vvsg" token new --rol coordinator --organisatie "VVSG (test)" 2>/dev/null)
cat >"$T/cfg.json" <<EOF
{"gent": "http://127.0.0.1:${FED_HTTP[gent]}", "hub": "http://127.0.0.1:${FED_HTTP[vvsg]}",
 "veldwerker": "$VW", "veldwerker_zonder_persoon": "$VO", "coordinator": "$CO", "hub_coordinator": "$HC",
 "nodes": ["vvsg", "gent", "eeklo"]}
EOF
before=$(sqlite3 "$T/gent/signaal.db" 'SELECT count(*) FROM signal')
NODE_PATH=$BROWSER_DIR/node_modules node "$ROOT/tests/browser/web_check.js" \
	"$T/cfg.json" "$ART" >"$T/browser.out" 2>&1
rc=$?
cat "$T/browser.out"
[ $rc -eq 0 ] || [ "$(grep -c '^not ok' "$T/browser.out")" -gt 0 ] ||
	t_notok "the browser check ran" "exit $rc"

# The signal the form stored, as the store has it.
id=$(sed -n 's/^# stored \([0-9a-f]\{32\}\)$/\1/p' "$T/browser.out")
t_equal "one signal more in gent's store" "$(sqlite3 "$T/gent/signaal.db" 'SELECT count(*) FROM signal')" $((before + 1))
row=$(sqlite3 -separator ' ' "$T/gent/signaal.db" "
	SELECT s.persons, s.severity, s.neighbourhood, o.name,
	       (SELECT group_concat(t.code, '+') FROM (SELECT tx.code FROM signal_theme st
	         JOIN taxonomy tx ON tx.id = st.theme_id WHERE st.signal_id = s.id ORDER BY tx.code) t)
	FROM signal s JOIN organisation o ON o.id = s.organisation_id
	WHERE lower(hex(s.uid)) = '$id'" 2>&1)
t_equal "the stored signal is what the form said" "$row" \
	"3 2 Wijk Noord (fictief) CLB Noord (fictief) mentaal+onderwijs"
for f in invoer-fout invoer-ingevuld invoer-bewaard dashboard federatie federatie-telefoon; do
	if [ -s "$ART/$f.png" ]; then t_ok "screenshot $f.png kept"; else t_notok "screenshot $f.png kept"; fi
done
t_done
