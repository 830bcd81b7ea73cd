#!/usr/bin/env bash
# Trends, priorities and the signal bundle end to end: a synthetic
# federation of the ten pilots (gen-signals -> gen-federation: import,
# monthly summaries under disclosure control, signed feeds) with planted
# rising themes in several municipalities and decoys (rising in one
# municipality only, or large but flat). The ranking must put the planted
# themes on top. Then the CLI's options and refusals, the [trends] weights
# from signaal.ini, the bundle file, and sharing a dossier.
. "$(dirname "$0")/../lib.sh"
GEN=$BUILD/gen-signals
FED=$BUILD/gen-federation
N=$T/vvsg
sql() { sqlite3 :memory: "$1"; }
# csvq FILE QUERY: query a CSV file (table t, columns by header name)
csvq() { sqlite3 :memory: -cmd ".import --csv $1 t" "$2"; }

"$SIGNAALCTL" init --id vvsg --naam "VVSG" --rol koepel "$N" >/dev/null 2>&1
t_expect_fail "no summaries yet: exit 4" 4 "$SIGNAALCTL" -d "$N" trends
t_grep "... and says why in Dutch" "nog geen samenvattingen" "$T/last.out"

# Planted: mentaal (all ages) rising in six municipalities, wonen for
# 18-24 in five. Decoys: energie rising fast in Ghent only, digitaal in
# Eeklo only; inkomen is large and flat.
"$GEN" --seed 11 --start 2024-01 --months 24 --rate 4 \
	--trend thema=mentaal,vanaf=2025-01,groei=8,gemeenten=dendermonde+gent+kortrijk+mortsel+roeselare+sint-niklaas \
	--trend thema=wonen,leeftijd=18-24,vanaf=2024-10,groei=40,gemeenten=bornem+gent+kortrijk+roeselare+sint-niklaas \
	--trend thema=energie,vanaf=2025-01,groei=15,gemeenten=gent \
	--trend thema=digitaal,vanaf=2025-01,groei=40,gemeenten=eeklo \
	--out-dir "$T/csv" 2>/dev/null
t_check "a synthetic federation of ten municipalities" "$FED" --knoop "$N" \
	--csv-map "$T/csv" --van 2024-01 --tot 2025-12 --rooster \
	--notitie "gent:mentaal:actie:Extra jeugdpsychologen in de wijkgezondheidscentra" \
	--notitie "kortrijk:mentaal:rapporteren:Wachtlijsten jeugdhulp in kaart gebracht" \
	--notitie "eeklo:wonen:beslissing:Huurpremie voor jongeren"

t_check "trends as CSV" "$SIGNAALCTL" -d "$N" trends --format csv
cp "$T/last.out" "$T/trends.csv"
rank() { csvq "$T/trends.csv" "select rang from t where niveau = 'thema' and thema = '$1'"; }
r_m=$(rank mentaal); r_w=$(rank wonen); r_e=$(rank energie); r_d=$(rank digitaal); r_i=$(rank inkomen)
if [ "$r_m" -le 2 ] && [ "$r_w" -le 2 ]; then t_ok "planted themes on top (mentaal $r_m, wonen $r_w)"
else t_notok "planted themes on top" "mentaal $r_m, wonen $r_w"; fi
if [ "$r_e" -gt 2 ] && [ "$r_d" -gt 2 ]; then t_ok "decoys rising in one municipality below (energie $r_e, digitaal $r_d)"
else t_notok "decoys rising in one municipality below" "energie $r_e, digitaal $r_d"; fi
if [ "$r_i" -gt 2 ]; then t_ok "large but flat decoy below (inkomen $r_i)"; else t_notok "large but flat decoy below" "inkomen $r_i"; fi
t_equal "18 themes ranked" "$(csvq "$T/trends.csv" "select count(*) from t where niveau = 'thema'")" 18
# the decoy's rise is attributed to its one municipality
t_equal "energie's rise comes from Ghent" "$(csvq "$T/trends.csv" "select uitleg like '%komt vooral uit één gemeente (Gent)%' from t where thema = 'energie'")" 1
t_equal "mentaal rises in several" "$(csvq "$T/trends.csv" "select stijgend >= 3 and uitleg not like '%één gemeente%' from t where thema = 'mentaal'")" 1

t_check "youth view" "$SIGNAALCTL" -d "$N" trends --niveau jongeren --format csv
cp "$T/last.out" "$T/youth.csv"
t_equal "youth: wonen for 18-24 first" "$(csvq "$T/youth.csv" "select thema || '/' || uitsplitsing from t where rowid = 1")" "wonen/18-24"
t_equal "youth: only 12-17 and 18-24" "$(csvq "$T/youth.csv" "select count(*) from t where uitsplitsing not in ('12-17', '18-24')")" 0

t_check "youth view as text" "$SIGNAALCTL" -d "$N" trends --niveau jongeren --kort --top 4
t_equal "youth view: ranks 1, 2, 3, 4" "$(grep -E '^ +[0-9]+  ' "$T/last.out" | awk '{print $1}' | tr '\n' ' ')" "1 2 3 4 "
t_equal "youth CSV: ranks from 1" "$(csvq "$T/youth.csv" "select group_concat(rang, ' ') from (select rang from t order by rowid limit 4)")" "1 2 3 4"

# Widths: every level's names in full (the age band is at the end of a
# long theme name), and every row's columns under their header, also
# with COLUMNS small or large.
for cols in 80 200; do
	t_check "all levels as text (COLUMNS=$cols)" env COLUMNS=$cols "$SIGNAALCTL" -d "$N" trends --niveau alle --kort
	t_equal "... no name cut (COLUMNS=$cols)" "$(grep -E '^ +[0-9]+  ' "$T/last.out" | grep -c '…')" 0
done
t_grep "... the age band of a long theme name shown" "Wonen \(betaalbaarheid, kwaliteit, dak- en thuisloosheid\) — 18 tot 24 jaar" "$T/last.out"
t_equal "... theme x age rows all distinct" "$(awk '/^Per thema en leeftijd/{on=1;next} /^Per thema en doelgroep/{on=0} on && /^ +[0-9]+  /' "$T/last.out" | sed -E 's/^ +[0-9]+  //; s/  +[0-9]+,[0-9].*//' | sort | uniq -d | wc -l)" 0
# the SCORE column: in every table, the score ends where the header's
# SCORE ends (display width, UTF-8)
bad=$(python3 - "$T/last.out" <<'PY'
import re, sys
end = None; bad = 0
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("RANG "):
        end = line.index("SCORE") + len("SCORE")
    elif end is not None and re.match(r"^ +\d+  ", line):
        m = re.search(r"(\d+,\d)  ", line[end - 6:end + 2])
        bad += not (m and line[end - len(m.group(1)):end] == m.group(1))
print(bad)
PY
)
t_equal "... the score column under its header in every row" "$bad" 0

t_check "the table" "$SIGNAALCTL" -d "$N" trends --top 5
t_grep "table header" "^RANG +THEMA +SCORE +GEMEENTEN" "$T/last.out"
t_grep "a Dutch explanation per item" "Gemeld in 10 van de 10 gemeenten" "$T/last.out"
t_grep "names from the roster" "Trends van 2024-01 tot 2025-12 \(24 maanden\): 10 gemeenten, 240 samenvattingen" "$T/last.out"
t_check "sources listed" "$SIGNAALCTL" -d "$N" trends --bronnen --kort --top 1
t_equal "240 sources" "$(grep -cE '^  [a-z-]+ +[0-9]+  [0-9a-f]{64}$' "$T/last.out")" 240

t_check "JSON" "$SIGNAALCTL" -d "$N" trends --format json --niveau alle
cp "$T/last.out" "$T/trends.json"
t_equal "JSON names 240 documents" "$(sql "select json_array_length(readfile('$T/trends.json'), '\$.bronnen')")" 240
t_equal "JSON items of every level" "$(sql "select json_array_length(readfile('$T/trends.json'), '\$.items')")" $((18 + 18 * 6 + 18 * 11))
t_equal "JSON: a range is a range" "$(sql "select json_extract(readfile('$T/trends.json'), '\$.items[0].omvang.signalen.min') <= json_extract(readfile('$T/trends.json'), '\$.items[0].omvang.signalen.max')")" 1
t_equal "JSON: structural signals" "$(sql "select json_array_length(readfile('$T/trends.json'), '\$.structurele_signalen')")" 3
t_equal "JSON: member names" "$(sql "select json_extract(readfile('$T/trends.json'), '\$.gemeenten[9].naam')")" "Sint-Niklaas"

t_check "one municipality" "$SIGNAALCTL" -d "$N" trends --gemeente gent --format json
t_equal "... only its summaries" "$(sql "select json_array_length(readfile('$T/last.out'), '\$.bronnen')")" 24
t_check "a period range and a theme" "$SIGNAALCTL" -d "$N" trends --from 2025-01 --to 2025-06 --thema wonen --format csv
t_equal "... one row" "$(($(wc -l <"$T/last.out") - 1))" 1
t_check "an age band" "$SIGNAALCTL" -d "$N" trends --leeftijd 12-17 --format csv
cp "$T/last.out" "$T/age.csv"
t_equal "... 18 themes for 12-17" "$(csvq "$T/age.csv" "select count(*) from t where uitsplitsing = '12-17'")" 18

t_expect_fail "unknown theme: exit 2" 2 "$SIGNAALCTL" -d "$N" trends --thema ruimtevaart
t_grep "... named" "onbekende code 'ruimtevaart' voor --thema" "$T/last.out"
t_expect_fail "bad period: exit 2" 2 "$SIGNAALCTL" -d "$N" trends --van 2025-13
t_expect_fail "window backwards: exit 2" 2 "$SIGNAALCTL" -d "$N" trends --van 2025-06 --tot 2025-01
t_grep "... says why" "ligt na" "$T/last.out"
t_expect_fail "age and target group together: exit 2" 2 "$SIGNAALCTL" -d "$N" trends --leeftijd 12-17 --doelgroep student
t_expect_fail "unknown format: exit 2" 2 "$SIGNAALCTL" -d "$N" trends --format xml
t_expect_fail "bad municipality id: exit 2" 2 "$SIGNAALCTL" -d "$N" trends --gemeente "Gent!"
"$SIGNAALCTL" -d "$N" trends --gemeente brussel >"$T/out" 2>"$T/err"
t_equal "an unknown municipality: no summaries, exit 4" "$?" 4

# The weights come from signaal.ini: with only "scale", the theme with the
# most persons comes first.
cp "$N/signaal.ini" "$T/ini.orig"
sed -i -e 's/^weight_spread = .*/weight_spread = 0/' -e 's/^weight_rising = .*/weight_rising = 0/' \
	-e 's/^weight_growth = .*/weight_growth = 0/' -e 's/^weight_recurrence = .*/weight_recurrence = 0/' \
	-e 's/^weight_breadth = .*/weight_breadth = 0/' -e 's/^weight_youth = .*/weight_youth = 0/' "$N/signaal.ini"
t_check "weights from [trends]" "$SIGNAALCTL" -d "$N" trends --format csv
cp "$T/last.out" "$T/scale.csv"
biggest=$(csvq "$T/trends.csv" "select thema from t where niveau = 'thema' order by cast(personen_max as integer) + cast(personen_min as integer) desc limit 1")
t_equal "only scale: the most persons first" "$(csvq "$T/scale.csv" "select thema from t where rowid = 1")" "$biggest"
sed -i 's/^weight_scale = .*/weight_scale = 0/' "$N/signaal.ini"
t_expect_fail "all weights 0: exit 2" 2 "$SIGNAALCTL" -d "$N" trends
t_grep "... says so" "gewichten" "$T/last.out"
sed -i 's/^weight_scale = .*/weight_scale = -1/' "$N/signaal.ini"
t_expect_fail "a bad weight: exit 1" 1 "$SIGNAALCTL" -d "$N" trends
t_grep "... names the key" "weight_scale" "$T/last.out"
cp "$T/ini.orig" "$N/signaal.ini"

# The bundle.
# Without a period: the [trends] window (24) up to the latest month, as
# the README says; the file is named after that window.
mkdir -p "$T/nowin"
t_check "bundle without a period" sh -c "cd '$T/nowin' && '$SIGNAALCTL' -d '$N' bundle --datum 2026-01-15"
t_grep "... the [trends] window up to the latest month" "signalenbundel-2024-01-2025-12.html" "$T/last.out"
t_check "... with --van alone: up to the latest month" sh -c "cd '$T/nowin' && '$SIGNAALCTL' -d '$N' bundle --van 2025-01 --datum 2026-01-15"
t_grep "... named for it" "signalenbundel-2025-01-2025-12.html" "$T/last.out"
sed -i 's/^window = .*/window = 6/' "$N/signaal.ini"
t_check "... a [trends] window of 6" sh -c "cd '$T/nowin' && '$SIGNAALCTL' -d '$N' bundle --datum 2026-01-15"
t_grep "... gives 6 months" "signalenbundel-2025-07-2025-12.html" "$T/last.out"
cp "$T/ini.orig" "$N/signaal.ini"
t_check "bundle" sh -c "cd '$T' && '$SIGNAALCTL' -d '$N' bundle --van 2024-01 --tot 2025-12 --datum 2026-01-15"
t_grep "... says where" "signalenbundel geschreven naar signalenbundel-2024-01-2025-12.html" "$T/last.out"
B=$T/signalenbundel-2024-01-2025-12.html
t_grep "... a Dutch HTML page" '<html lang="nl">' "$B"
t_grep "... titled by its years" "<h1>Signalenbundel 2024–2025</h1>" "$B"
t_grep "... names the municipalities" "Sint-Niklaas" "$B"
t_grep "... with what municipalities did" "Extra jeugdpsychologen in de wijkgezondheidscentra" "$B"
t_equal "... charts for the leading themes and youth" "$(grep -o '<svg' "$B" | wc -l)" 7
sum1=$(sha256sum <"$B")
t_expect_fail "an existing file is not replaced: exit 5" 5 sh -c "cd '$T' && '$SIGNAALCTL' -d '$N' bundle --van 2024-01 --tot 2025-12"
t_equal "... and unchanged" "$(sha256sum <"$B")" "$sum1"
t_check "... unless asked" sh -c "cd '$T' && '$SIGNAALCTL' -d '$N' bundle --van 2024-01 --tot 2025-12 --datum 2026-01-15 --overschrijven --titel 'Signalenbundel <pilootfase>'"
t_grep "... escaped title" "<h1>Signalenbundel &lt;pilootfase&gt;</h1>" "$B"
t_check "to standard output" "$SIGNAALCTL" -d "$N" bundle --from 2025-01 --to 2025-12 --uit - --top 3
t_grep "... the page" "^<!DOCTYPE html>" "$T/last.out"
t_expect_fail "a window without summaries: exit 4" 4 "$SIGNAALCTL" -d "$N" bundle --van 2030-01 --tot 2030-12 --uit -

# Federation summaries (type 7): the same federation, with the
# association's totals of every month as a secure-aggregation round would
# give them. The federation's figures become those totals, next to the sum
# of ranges; the planted rise and the one-town decoy are judged the same.
F=$T/vvsg-fed
"$SIGNAALCTL" init --id vvsg --naam VVSG --rol koepel "$F" >/dev/null 2>&1
t_check "the federation with federation summaries" "$FED" --knoop "$F" \
	--csv-map "$T/csv" --van 2024-01 --tot 2025-12 --rooster --federatietotalen
t_check "trends with federation totals" "$SIGNAALCTL" -d "$F" trends --kort
t_grep "... counted apart" "240 samenvattingen en 24 federatiesamenvattingen" "$T/last.out"
t_grep "... and said how to read" "Federatietotalen \\(beveiligde optelling\\) voor 24 van de 24 maanden, telkens 10 gemeenten" "$T/last.out"
t_check "--federatie: totals next to the sum of ranges" "$SIGNAALCTL" -d "$F" trends --federatie --top 3
t_grep "... value, interval and municipalities" "^   1  Mentaal welzijn  *[0-9.]* \\([0-9.]*–[0-9.]*\\)  *10 van 10 gemeenten  *[0-9.]*–[0-9.]*$" "$T/last.out"
t_check "... as CSV" "$SIGNAALCTL" -d "$F" trends --format csv
cp "$T/last.out" "$T/fed.csv"
t_equal "... every month from the federation summaries" "$(csvq "$T/fed.csv" "select federatie_perioden || '/' || federatie_gemeenten_max from t where thema = 'mentaal'")" "24/10"
t_equal "... the same ranking as from the summaries alone" "$(csvq "$T/fed.csv" "select group_concat(thema, ' ') from (select thema from t where niveau = 'thema' order by cast(rang as integer) limit 2)")" "$(csvq "$T/trends.csv" "select group_concat(thema, ' ') from (select thema from t where niveau = 'thema' order by cast(rang as integer) limit 2)")"
t_equal "... mentaal rises in several" "$(csvq "$T/fed.csv" "select stijgend >= 3 and uitleg not like '%één gemeente%' from t where thema = 'mentaal'")" 1
t_equal "... energie's rise still comes from Ghent" "$(csvq "$T/fed.csv" "select uitleg like '%komt vooral uit één gemeente (Gent)%' from t where thema = 'energie'")" 1
t_check "... as JSON" "$SIGNAALCTL" -d "$F" trends --format json
t_equal "... the type 7 documents are listed inputs" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for b in d["bronnen"] if b["origin"] == "vvsg"), d["federatie_perioden"])' "$T/last.out")" "24 24"
t_check "... and the bundle" "$SIGNAALCTL" -d "$F" bundle --van 2024-01 --tot 2025-12 --datum 2026-01-15 --uit -
t_grep "... says how to read them" "<h3>Federatietotalen</h3>" "$T/last.out"
t_grep "... next to the sum of ranges" "federatietotaal \\(10 van 10 gemeenten\\); som van de bereiken van de gemeenten: " "$T/last.out"
t_check "a chosen municipality: its own summaries only" "$SIGNAALCTL" -d "$F" trends --gemeente gent --kort
t_grep "... no federation totals" "Nog geen federatietotalen" "$T/last.out"

# Sharing a recognised structural signal from a municipality's node.
K=$T/kortrijk
"$SIGNAALCTL" init --id kortrijk --naam "Stad Kortrijk" "$K" >/dev/null 2>&1
"$SIGNAALCTL" -d "$K" dossier new --titel "Wachtlijsten jeugd-GGZ" --trekker "Sociale dienst" \
	--thema mentaal --probleemtype beleidsleemte >/dev/null
dump() { sqlite3 "$K/signaal.db" .dump | sha256sum; }
before=$(dump)
t_expect_fail "not recognised yet: exit 5" 5 "$SIGNAALCTL" -d "$K" dossier share 1 --kop "Extra psychologen"
t_grep "... says why in Dutch" "nog niet erkend als structureel signaal" "$T/last.out"
"$SIGNAALCTL" -d "$K" dossier criteria 1 --voldaan alle >/dev/null
for ph in verzamelen bundelen analyseren rapporteren; do
	"$SIGNAALCTL" -d "$K" dossier advance 1 "$ph" >/dev/null
done
before=$(dump)
t_expect_fail "a headline with digits: exit 3" 3 "$SIGNAALCTL" -d "$K" dossier share 1 --kop "Bel 0470 12 34 56"
t_grep "... no phone numbers" "cijfer" "$T/last.out"
t_expect_fail "a headline with an e-mail address: exit 3" 3 "$SIGNAALCTL" -d "$K" dossier share 1 --kop "Mail jan@example.org"
t_expect_fail "no headline and no action: exit 3" 3 "$SIGNAALCTL" -d "$K" dossier share 1
t_equal "refusals changed nothing" "$(dump)" "$before"
t_check "a dry run" "$SIGNAALCTL" -d "$K" dossier share 1 --kop "Extra jeugdpsychologen" --proef
t_grep "... says it did not share" "Proef, niet gedeeld" "$T/last.out"
t_equal "... and changed nothing" "$(dump)" "$before"
t_check "share" "$SIGNAALCTL" -d "$K" dossier share 1 --kop "Extra jeugdpsychologen"
t_grep "... published as kortrijk's first document" "document +kortrijk nr. 1" "$T/last.out"
t_check "share the same again" "$SIGNAALCTL" -d "$K" dossier share 1 --kop "Extra jeugdpsychologen"
t_grep "... nothing new" "niets nieuws" "$T/last.out"
t_expect_fail "unknown dossier: exit 4" 4 "$SIGNAALCTL" -d "$K" dossier share 9 --kop "Iets"
t_done
