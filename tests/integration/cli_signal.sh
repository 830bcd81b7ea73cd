#!/usr/bin/env bash
# signaalctl signal add/list/show/export/erase and stats.
. "$(dirname "$0")/../lib.sh"

N=$T/node
"$SIGNAALCTL" init --id test "$N" >/dev/null || exit 1
ctl() { "$SIGNAALCTL" -d "$N" "$@"; }
digest() { sqlite3 "$N/signaal.db" .dump | sha256sum; }

t_check "add a signal" ctl signal add --geregistreerd-op 2025-03-04 \
	--thema "mentaal|onderwijs" --leeftijd 12-17 --doelgroep student \
	--sector onderwijs --organisatie "CLB Test (fictief)" --melder mw-7 \
	--aantal-personen 3 --ernst 2 --wijk "Wijk A" \
	--omschrijving "ZZ-UNIEKE-TEKST-erase-test"
id=$(head -1 "$T/last.out")
if [[ "$id" =~ ^[0-9a-f]{32}$ ]]; then t_ok "add prints a 32-hex id"; else t_notok "add prints a 32-hex id" "$id"; fi
t_check "add another" ctl signal add --geregistreerd-op 2025-04-01 \
	--thema wonen --leeftijd 65plus --sector ocmw --organisatie "OCMW (fictief)"
id2=$(head -1 "$T/last.out")

d0=$(digest)
t_expect_fail "add: unknown theme" 3 ctl signal add --thema wonenn --leeftijd 65plus --sector ocmw --organisatie X
t_grep "names the option" "thema: onbekende thema-code 'wonenn'" "$T/last.out"
t_expect_fail "add: missing organisation" 3 ctl signal add --thema wonen --leeftijd 65plus --sector ocmw
t_expect_fail "add: bad date" 3 ctl signal add --geregistreerd-op 2025-02-30 --thema wonen --leeftijd 65plus --sector ocmw --organisatie X
t_expect_fail "add: severity out of range" 3 ctl signal add --ernst 7 --thema wonen --leeftijd 65plus --sector ocmw --organisatie X
t_expect_fail "add: observed after registered" 3 ctl signal add --geregistreerd-op 2025-01-01 --vastgesteld-op 2025-01-02 --thema wonen --leeftijd 65plus --sector ocmw --organisatie X
t_equal "refused adds change nothing" "$(digest)" "$d0"

t_check "list all" ctl signal list
t_grep "list shows the count" "^2 signalen$" "$T/last.out"
t_check "list by period" ctl signal list --periode 2025-03
t_grep "one in March" "^1 signaal$" "$T/last.out"
t_check "list by theme" ctl signal list --thema wonen
t_grep "one about housing" "$id2" "$T/last.out"
t_check "list by age and status" ctl signal list --leeftijd 12-17 --status nieuw
t_grep "the youth signal" "$id" "$T/last.out"
t_expect_fail "list: bad period" 2 ctl signal list --periode 2025-3
t_expect_fail "list: unknown theme" 3 ctl signal list --thema nope

t_check "show" ctl signal show "$id"
t_grep "show has all fields" "^doelgroep +student$" "$T/last.out"
t_grep "show has the text" "ZZ-UNIEKE-TEKST" "$T/last.out"
t_expect_fail "show: not a valid id" 2 ctl signal show 1234
t_expect_fail "show: unknown id" 4 ctl signal show 00000000000000000000000000000000

t_check "export csv" ctl signal export --uit "$T/out.csv"
t_equal "export file is private" "$(stat -c %a "$T/out.csv")" 600
t_grep "export has the Dutch header" "id;status;geregistreerd_op;vastgesteld_op;thema" "$T/out.csv"
t_expect_fail "export never overwrites" 5 ctl signal export --uit "$T/out.csv"
ctl signal export --formaat json --periode 2025-03 >"$T/j.json"
j() { sqlite3 :memory: "select $1 from (select readfile('$T/j.json') as d)"; }
t_equal "json: one object" "$(j 'json_array_length(d)')" 1
t_equal "json: themes as a list" "$(j "json_extract(d, '\$[0].thema')")" '["mentaal","onderwijs"]'
t_equal "json: numbers as numbers" "$(j "json_type(d, '\$[0].aantal_personen')")" integer

# Export -> import into another node gives the same signals.
M=$T/other
"$SIGNAALCTL" init --id other "$M" >/dev/null
t_check "an export imports elsewhere" "$SIGNAALCTL" -d "$M" signal import "$T/out.csv"
a=$(ctl signal export --zonder-bom | sort | sha256sum)
b=$("$SIGNAALCTL" -d "$M" signal export --zonder-bom | sort | sha256sum)
t_equal "round trip keeps every field" "$a" "$b"

t_check "stats" ctl stats --tabel doelgroep 2025-03
t_grep "stats counts the theme" "Mentaal welzijn +1 +3" "$T/last.out"
t_grep "stats breaks down" "mentaal +student +1" "$T/last.out"

# Right to erasure: gone from the store and from its files.
t_check "erase" ctl signal erase "$id"
t_expect_fail "erased signal is gone" 4 ctl signal show "$id"
if grep -qa "ZZ-UNIEKE-TEKST" "$N"/signaal.db*; then t_notok "erased text is not in any store file"; else t_ok "erased text is not in any store file"; fi
if grep -qa "mw-7" "$N"/signaal.db*; then t_notok "its reporter id is gone too"; else t_ok "its reporter id is gone too"; fi
t_expect_fail "erase twice" 4 ctl signal erase "$id"
t_check "the other signal stays" ctl signal show "$id2"
t_done
