#!/usr/bin/env bash
# The coordinator's story in a real browser (Debian's chromium driven by
# playwright-core, setup in tests/lib_browser.sh), on one node:
#   a field worker captures a signal on a 360 px phone, with the keyboard;
#   a coordinator finds it (filters, free text), opens it, makes a dossier
#   of it, ticks the criteria, moves the phases with reasons, records an
#   action and its result, sends feedback — with the keyboard alone;
#   the field worker then sees that feedback in their own list.
# Every page is checked with axe-core (no serious or critical violation,
# WCAG 2.1 A/AA including colour contrast). Screenshots in
# $BUILD/test-artifacts/web/. Afterwards the store is checked directly:
# the dossier, its phase, criteria, action, feedback and history.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_browser.sh"
ART=$BUILD/test-artifacts/web
mkdir -p "$ART"
browser_setup || t_done

N=$T/gent
"$SIGNAALCTL" init --id gent --naam "Stad Gent (test)" "$N" >/dev/null || exit 1
t_port port || exit 1
t_http_node "$N" "$port"
# A year of signals of other organisations, so that finding one is a search.
"$BUILD/gen-signals" --seed 7 --start "$(date -u -d "$(date -u +%Y-%m-15) -11 months" +%Y-%m)" \
	--months 12 --rate 0.3 --municipality gent --out-dir "$T/csv" 2>/dev/null
t_check "a year of signals imported" "$SIGNAALCTL" -d "$N" signal import "$T/csv/gent.csv"
VW=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-12 2>/dev/null)
CO=$("$SIGNAALCTL" -d "$N" token new --rol coordinator --organisatie "Stad Gent (test)" --persoon an 2>/dev/null)
t_spawn "$T/signaald.log" "$SIGNAALD" -d "$N"
NODE=http://127.0.0.1:$port
for _ in $(seq 100); do
	curl -s -o /dev/null "$NODE/healthz" && break
	sleep 0.1
done
# Another organisation's signal, not in a dossier, with a target group:
# the browser finds it with every other filter, links and unlinks it.
DB=$N/signaal.db
IFS='|' read -r o_id o_month o_theme o_age o_group o_sector o_org < <(sqlite3 -separator '|' "$DB" "
	SELECT lower(hex(s.uid)), substr(s.registered_at, 1, 7),
	  (SELECT t.code FROM signal_theme x JOIN taxonomy t ON t.id = x.theme_id WHERE x.signal_id = s.id ORDER BY t.code LIMIT 1),
	  a.code,
	  (SELECT t.code FROM signal_target x JOIN taxonomy t ON t.id = x.target_id WHERE x.signal_id = s.id ORDER BY t.code LIMIT 1),
	  c.code, o.name
	FROM signal s JOIN taxonomy a ON a.id = s.age_id JOIN taxonomy c ON c.id = s.sector_id
	JOIN organisation o ON o.id = s.organisation_id
	WHERE s.status = 0 AND EXISTS (SELECT 1 FROM signal_target x WHERE x.signal_id = s.id)
	ORDER BY s.id DESC LIMIT 1")
o_count=$(sqlite3 "$DB" "SELECT count(*) FROM signal s JOIN taxonomy a ON a.id = s.age_id
	JOIN taxonomy c ON c.id = s.sector_id JOIN organisation o ON o.id = s.organisation_id
	WHERE s.status = 0 AND substr(s.registered_at, 1, 7) = '$o_month' AND a.code = '$o_age'
	AND c.code = '$o_sector' AND o.name = '$o_org'
	AND s.id IN (SELECT x.signal_id FROM signal_theme x JOIN taxonomy t ON t.id = x.theme_id WHERE t.code = '$o_theme')
	AND s.id IN (SELECT x.signal_id FROM signal_target x JOIN taxonomy t ON t.id = x.target_id WHERE t.code = '$o_group')")
cat >"$T/cfg.json" <<EOC
{"node": "$NODE", "veldwerker": "$VW", "coordinator": "$CO",
 "other": {"id": "$o_id", "month": "$o_month", "thema": "$o_theme", "leeftijd": "$o_age",
  "doelgroep": "$o_group", "sector": "$o_sector", "organisatie": "$o_org", "count": $o_count}}
EOC

NODE_PATH=$BROWSER_DIR/node_modules node "$ROOT/tests/browser/workbench_check.js" \
	"$T/cfg.json" "$ART" >"$T/browser.out" 2>&1
rc=$?
cat "$T/browser.out"
[ $rc -eq 0 ] || [ "$(grep -c '^not ok' "$T/browser.out")" -gt 0 ] ||
	t_notok "the browser check ran" "exit $rc"

# What the browser did, as the store has it.
id=$(sed -n 's/^# stored \([0-9a-f]\{32\}\)$/\1/p' "$T/browser.out")
nr=$(sed -n 's/^# dossier \([0-9]*\)$/\1/p' "$T/browser.out")
if [ -n "$id" ] && [ -n "$nr" ]; then
	t_equal "the signal is linked to the dossier" \
		"$(sqlite3 "$DB" "SELECT count(*) FROM dossier_signal ds JOIN signal s ON s.id = ds.signal_id
			WHERE ds.dossier_id = $nr AND lower(hex(s.uid)) = '$id'")" 1
	t_equal "the dossier is in the feedback phase with all four criteria" \
		"$(sqlite3 "$DB" "SELECT phase || ' ' || criteria FROM dossier WHERE id = $nr")" "7 15"
	t_equal "the signal is closed" "$(sqlite3 "$DB" "SELECT status FROM signal WHERE lower(hex(uid)) = '$id'")" 2
	t_equal "the action has its result" \
		"$(sqlite3 "$DB" "SELECT result FROM dossier_action WHERE dossier_id = $nr")" \
		"Twee extra intakes per week (fictief)"
	t_equal "the feedback went to the field worker's organisation" \
		"$(sqlite3 "$DB" "SELECT o.name FROM dossier_feedback f JOIN organisation o ON o.id = f.organisation_id
			WHERE f.dossier_id = $nr")" "CLB Noord (fictief)"
	t_equal "every phase move has its reason in the history" \
		"$(sqlite3 "$DB" "SELECT count(*) FROM dossier_history WHERE dossier_id = $nr AND kind = 'fase'
			AND (note IS NULL OR note = '')")" 0
	t_equal "the other signal was linked and unlinked: no longer in the dossier, new again" \
		"$(grep -c "^# unlinked $o_id\$" "$T/browser.out") $(sqlite3 "$DB" "SELECT count(*) FROM dossier_signal ds JOIN signal s
			ON s.id = ds.signal_id WHERE lower(hex(s.uid)) = '$o_id'") $(sqlite3 "$DB" "SELECT status FROM signal
			WHERE lower(hex(uid)) = '$o_id'")" "1 0 0"
	t_equal "the history names the coordinator" \
		"$(sqlite3 "$DB" "SELECT DISTINCT actor FROM dossier_history WHERE dossier_id = $nr")" "an (Stad Gent (test))"
else
	t_notok "the browser reported the signal and the dossier" "id=$id nr=$nr"
fi
for f in invoer-telefoon invoer-telefoon-bewaard signalen-gevonden signalen-detail dossier-nieuw \
	dossier-criteria-ontbreken dossier-feedback veldwerker-feedback; do
	if [ -s "$ART/$f.png" ]; then t_ok "screenshot $f.png kept"; else t_notok "screenshot $f.png kept"; fi
done
t_done
