#!/usr/bin/env bash
# The association's dashboard in a real browser (Debian's chromium driven
# by playwright-core; tests/lib_browser.sh), against `signaalctl trends`:
# a synthetic federation of the ten pilots over two years with planted
# rises, a rise in Ghent only and a large flat theme. Two signaald serve
# the pages: the association (no signals of its own) and Gent (its own
# signals imported, its summaries released by itself, the nine others'
# as if synced). The dashboard must rank like the CLI (theme and youth
# views), default to the CLI's window, draw one scale per chart, say when
# a rise comes from one municipality, keep its month labels apart, show a
# local chart only where the node has its own signals. The association
# also holds federation summaries (type 7): the dashboard shows their
# totals with how many municipalities are in them. Screenshots in
# $BUILD/test-artifacts/web/.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_browser.sh"
. "$ROOT/tests/lib_federation.sh"
ART=$BUILD/test-artifacts/web
mkdir -p "$ART"
browser_setup || t_done
fed_pick_ports || { t_notok "free ports"; t_done; }
csvq() { sqlite3 :memory: -cmd ".import --csv $1 t" "$2"; }

"$BUILD/gen-signals" --seed 11 --start 2024-01 --months 24 --rate 4 \
	--trend thema=mentaal,vanaf=2025-01,groei=8,gemeenten=dendermonde+gent+kortrijk+mortsel+roeselare+sint-niklaas \
	--trend thema=wonen,leeftijd=18-24,vanaf=2024-10,groei=40,gemeenten=bornem+gent+kortrijk+roeselare+sint-niklaas \
	--trend thema=energie,vanaf=2025-01,groei=15,gemeenten=gent \
	--out-dir "$T/csv" 2>/dev/null
mkdir -p "$T/others" && cp "$T/csv/"*.csv "$T/others/" && rm "$T/others/gent.csv"

# mknode NAME ROLE PORT: a node serving the pages on 127.0.0.1:PORT
mknode() {
	"$SIGNAALCTL" init --id "$1" --naam "Test $1" --rol "$2" "$T/$1" >/dev/null 2>&1 &&
		sed -i "s|^listen = 127.0.0.1:8080|listen = 127.0.0.1:$3|; s|^web_dir = .*|web_dir = $ROOT/web|" "$T/$1/signaal.ini"
}
HV=$((FED_BASE + 60)) HG=$((FED_BASE + 61))
t_check "the association's node" mknode vvsg koepel $HV
t_check "the federation's summaries at the association, with federation totals" "$BUILD/gen-federation" --knoop "$T/vvsg" \
	--csv-map "$T/csv" --van 2024-01 --tot 2025-12 --rooster --federatietotalen
t_check "Gent's node" mknode gent gemeente $HG
t_check "the nine others' summaries at Gent" "$BUILD/gen-federation" --knoop "$T/gent" \
	--csv-map "$T/others" --van 2024-01 --tot 2025-12 --rooster
t_check "Gent's own signals" "$SIGNAALCTL" -d "$T/gent" signal import "$T/csv/gent.csv"
t_check "Gent releases its own summaries" "$SIGNAALCTL" -d "$T/gent" summary release

# What the CLI says, for the browser to compare with.
t_check "the CLI's ranking at the association" "$SIGNAALCTL" -d "$T/vvsg" trends --format csv --top 10
cp "$T/last.out" "$T/themes.csv"
t_check "the CLI's youth ranking" "$SIGNAALCTL" -d "$T/vvsg" trends --format csv --niveau jongeren --top 10
cp "$T/last.out" "$T/youth.csv"
t_check "the CLI's theme x target group ranking" "$SIGNAALCTL" -d "$T/vvsg" trends --format csv --niveau doelgroep --top 10
cp "$T/last.out" "$T/groups.csv"
t_check "the CLI's window" "$SIGNAALCTL" -d "$T/vvsg" trends --kort --top 1
window=$(sed -n 's/^Trends van \([0-9-]*\) tot \([0-9-]*\) .*/\1 \2/p' "$T/last.out")
themes=$(csvq "$T/themes.csv" "select group_concat(thema, ' ') from (select thema from t order by cast(rang as int))")
youth=$(csvq "$T/youth.csv" "select group_concat(thema || '/' || uitsplitsing, ' ') from (select thema, uitsplitsing from t order by cast(rang as int))")
groups=$(csvq "$T/groups.csv" "select group_concat(thema || '/' || uitsplitsing, ' ') from (select thema, uitsplitsing from t order by cast(rang as int))")
# the CLI's explanations, in rank order, for the browser to compare with
python3 -c 'import csv, json, sys; print(json.dumps([r["uitleg"] for r in sorted(csv.DictReader(open(sys.argv[1])), key=lambda r: int(r["rang"]))]))' \
	"$T/themes.csv" >"$T/explain.json"
local_rise=$(csvq "$T/themes.csv" "select group_concat(thema, ' ') from t where uitleg like '%komt vooral uit één gemeente%'")
# (with federation totals a small theme's rise in one town can be certain
# too: the decoy must be among the local rises, the browser must show
# exactly the CLI's)
t_equal "the decoy is a local rise for the CLI" "$(echo " $local_rise " | grep -c ' energie ')" 1

t_spawn "$T/vvsg.log" "$SIGNAALD" -d "$T/vvsg"
t_spawn "$T/gent.log" "$SIGNAALD" -d "$T/gent"
up() { curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; }
t_check "the association serves its pages" fed_wait 20 up $HV
t_check "Gent serves its pages" fed_wait 20 up $HG
HC=$("$SIGNAALCTL" -d "$T/vvsg" token new --rol coordinator --organisatie "VVSG (test)" 2>/dev/null)
GC=$("$SIGNAALCTL" -d "$T/gent" token new --rol coordinator --organisatie "Stad Gent (test)" --persoon an 2>/dev/null)
# A dossier at Gent, for the dashboard's phase move (keyboard only).
REASON="Besproken in de werkgroep (fictief)"
dossier=$(curl -fsS -X POST "http://127.0.0.1:$HG/api/v1/dossiers" -H "Authorization: Bearer $GC" \
	-H "Content-Type: application/json" \
	-d '{"titel":"Wachtlijsten jeugd-GGZ (fictief)","trekker":"Sociale dienst (fictief)","thema":["mentaal"]}' |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["nr"])')
t_equal "a dossier at Gent" "$dossier" 1
cat >"$T/cfg.json" <<JSON
{"hub": "http://127.0.0.1:$HV", "gent": "http://127.0.0.1:$HG",
 "hub_coordinator": "$HC", "coordinator": "$GC", "dossier": "$dossier", "reason": "$REASON",
 "window": "$window", "themes": "$themes", "youth": "$youth", "groups": "$groups",
 "explain": "$T/explain.json", "local_rise": "$local_rise"}
JSON
NODE_PATH=$BROWSER_DIR/node_modules node "$ROOT/tests/browser/dashboard_check.js" \
	"$T/cfg.json" "$ART" >"$T/browser.out" 2>&1
rc=$?
cat "$T/browser.out"
[ $rc -eq 0 ] || [ "$(grep -c '^not ok' "$T/browser.out")" -gt 0 ] ||
	t_notok "the browser check ran" "exit $rc"
# What the keyboard did, as Gent's store has it: one phase move, with
# its reason (the attempts without one changed nothing).
t_equal "the dossier moved once, to verzamelen, with its reason" \
	"$(sqlite3 "$T/gent/signaal.db" "SELECT d.phase || '|' || count(h.id) || '|' || group_concat(h.note)
		FROM dossier d LEFT JOIN dossier_history h ON h.dossier_id = d.id AND h.kind = 'fase' WHERE d.id = 1")" \
	"1|1|$REASON"
for f in dashboard-koepel dashboard-jongeren dashboard-gent dashboard-fase dashboard-telefoon; do
	if [ -s "$ART/$f.png" ]; then t_ok "screenshot $f.png kept"; else t_notok "screenshot $f.png kept"; fi
done
t_done
