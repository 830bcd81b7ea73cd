#!/usr/bin/env bash
# signaalctl summary (preview, release, correct, due, list, show) and audit
# (show, verify): releases on the real binary, every refusal with a clear
# Dutch message, a non-zero exit and an unchanged database, the canary
# test on the document bytes and the audit log's exported forms, and
# tampering found by audit verify.
. "$(dirname "$0")/../lib.sh"

N=$T/node
"$SIGNAALCTL" init --id gent --naam Gent "$N" >/dev/null || exit 1
ctl() { "$SIGNAALCTL" -d "$N" "$@"; }
dbsum() { sqlite3 "$1/signaal.db" .dump | sha256sum; }
# Months relative to today (UTC). A settle delay of 40 days makes the
# states certain whatever today is: last month (m1) is always inside it,
# four and three months ago (m4, m3) always past it.
month() { date -u -d "$(date -u +%Y-%m-15) -$1 months" +%Y-%m; }
m0=$(month 0) m1=$(month 1) m3=$(month 3) m4=$(month 4)
sed -i 's/^settle_days = 0$/settle_days = 40/' "$N/signaal.ini"

# Signals whose every free field carries a unique canary.
csv=$T/canary.csv
echo "geregistreerd_op;vastgesteld_op;thema;probleemtype;leeftijd;doelgroep;sector;organisatie;melder;aantal_personen;ernst;wijk;omschrijving" >"$csv"
themes=(wonen mentaal energie "inkomen|wonen" werk)
for i in $(seq 1 90); do
	case $((i % 3)) in 0) m=$m4 ;; 1) m=$m3 ;; 2) m=$m1 ;; esac
	day=$(printf '%02d' $((10 + i % 18)))
	obs=$(printf '%02d' $((1 + i % 9)))
	printf '%s-%s;%s-%s;%s;%s;%s;%s;%s;KANARIE-ORG-%03d;KANARIE-MELDER-%03d;%d;;KANARIE-WIJK-%03d;KANARIE-OMSCHRIJVING-%03d\n' \
		"$m" "$day" "$m" "$obs" "${themes[i % 5]}" "$([ $((i % 4)) = 0 ] && echo werking)" \
		"$([ $((i % 2)) = 0 ] && echo 12-17 || echo 25-64)" "$([ $((i % 3)) = 0 ] && echo gezin)" \
		"$([ $((i % 2)) = 0 ] && echo caw || echo ocmw)" $((i % 13)) "$i" $((1 + i % 4)) "$i" "$i" >>"$csv"
done
t_check "import canary signals" ctl signal import "$csv"

t_check "summary --help" ctl summary --help
t_grep "help names the verbs" "preview PERIODE" "$T/last.out"
t_check "audit --help" ctl audit --help
t_expect_fail "summary without a verb" 2 ctl summary
t_expect_fail "summary with an unknown verb" 2 ctl summary publish

t_check "due" ctl summary due
t_grep "m4 is due" "^$m4\$" "$T/last.out"
t_grep "m3 is due" "^$m3\$" "$T/last.out"
if grep -qx "$m1\|$m0" "$T/last.out"; then t_notok "m1 and m0 are not due"; else t_ok "m1 and m0 are not due"; fi

# The preview writes nothing and explains every cell.
before=$(dbsum "$N")
t_check "preview" ctl summary preview "$m4"
t_grep "says nothing is written" "niets weggeschreven" "$T/last.out"
t_grep "shows the true count and the released value" "ECHT +VRIJGEGEVEN +WAAROM" "$T/last.out"
t_grep "explains small counts" "klein aantal \(1\.\.4\): bereik" "$T/last.out"
t_grep "says the state" "klaar om vrij te geven" "$T/last.out"
t_check "preview of one theme" ctl summary preview "$m4" --thema wonen
t_grep "only that theme" "^Wonen" "$T/last.out"
t_check "preview of an open period (looking ahead)" ctl summary preview "$m0"
t_grep "says it is still open" "loopt nog" "$T/last.out"
t_expect_fail "preview: bad theme code" 2 ctl summary preview "$m4" --thema "Wonen!"
t_expect_fail "preview: no period" 2 ctl summary preview
t_equal "preview changed nothing" "$(dbsum "$N")" "$before"

# Refusals: clear Dutch, non-zero, nothing changed.
t_expect_fail "release: bad period" 2 ctl summary release 2025-13
t_grep "names the period" "ongeldige periode '2025-13'" "$T/last.out"
t_expect_fail "release: not a period" 2 ctl summary release gisteren
t_expect_fail "release: month without zero" 2 ctl summary release 2025-1
t_expect_fail "release: two periods" 2 ctl summary release "$m4" "$m3"
t_expect_fail "release: open period" 5 ctl summary release "$m0"
t_grep "says it is open" "nog niet afgesloten" "$T/last.out"
t_expect_fail "release: inside the settle delay" 5 ctl summary release "$m1"
t_grep "says it is settling" "wachttijd van 40 dagen" "$T/last.out"
t_expect_fail "release: quarter under a monthly policy" 5 ctl summary release "${m4}+3"
t_grep "says it is no policy period" "geen periode van het beleid" "$T/last.out"
t_expect_fail "correct: never released" 4 ctl summary correct "$m4" --reden invoerfout --toelichting "x"
t_expect_fail "release: no node" 4 "$SIGNAALCTL" -d "$T/nowhere" summary release
t_grep "says there is no node" "geen knooppunt" "$T/last.out"
mv "$N/keys/node.key" "$T/node.key"
t_expect_fail "release: no key" 4 ctl summary release "$m4"
t_grep "says how to make one" "keygen" "$T/last.out"
mv "$T/node.key" "$N/keys/node.key"
sed -i 's/^k = 0$/k = 3/' "$N/signaal.ini"
t_expect_fail "release: looser k in the config" 5 ctl summary release "$m4"
t_grep "says stricter, never looser" "nooit soepeler" "$T/last.out"
sed -i 's/^k = 3$/k = 0/' "$N/signaal.ini"
t_equal "refusals changed nothing" "$(dbsum "$N")" "$before"

# Release everything due.
t_check "release all due" ctl summary release
t_grep "releases m4" "^$m4 vrijgegeven: document" "$T/last.out"
t_grep "releases m3" "^$m3 vrijgegeven: document" "$T/last.out"
if grep -q "^$m1 " "$T/last.out"; then t_notok "not m1"; else t_ok "not m1"; fi
t_check "due again" ctl summary due
t_grep "nothing due now" "geen periode klaar" "$T/last.out"
t_check "release again: nothing to do" ctl summary release
t_grep "says so" "niets vrij te geven" "$T/last.out"
before=$(dbsum "$N")
t_expect_fail "a released period never changes" 5 ctl summary release "$m4"
t_grep "points to correct" "summary correct" "$T/last.out"
t_equal "and nothing changed" "$(dbsum "$N")" "$before"

t_check "list" ctl summary list
t_grep "lists m4" "^gent +[0-9]+ $m4 +drempel .*geldig" "$T/last.out"
t_check "show" ctl summary show "$m4"
t_grep "shows the theme table" "THEMA +SIGNALEN +PERSONEN +ORGANISATIES +MELDERS" "$T/last.out"
t_grep "with ranges for small counts" " 1-4 " "$T/last.out"
t_expect_fail "show: not released" 4 ctl summary show "$m1"
t_expect_fail "show: bad origin" 2 ctl summary show "$m4" --herkomst "Gent!"
t_expect_fail "show: bad seq" 2 ctl summary show "$m4" --seq nul

# Corrections.
long=$(head -c 1001 /dev/zero | tr '\0' 'a')
t_expect_fail "correct: no reason" 2 ctl summary correct "$m4" --toelichting "x"
t_expect_fail "correct: unknown reason" 3 ctl summary correct "$m4" --reden typfout --toelichting "x"
t_grep "lists the reasons" "invoerfout" "$T/last.out"
t_expect_fail "correct: empty justification" 3 ctl summary correct "$m4" --reden invoerfout --toelichting ""
t_expect_fail "correct: justification too long" 3 ctl summary correct "$m4" --reden invoerfout --toelichting "$long"
t_grep "says how long" "hoogstens 1000" "$T/last.out"
t_expect_fail "correct: control characters" 3 ctl summary correct "$m4" --reden invoerfout --toelichting "$(printf 'a\001b')"
t_expect_fail "correct: nothing changed" 5 ctl summary correct "$m4" --reden invoerfout --toelichting "x"
t_grep "says the data did not change" "niet veranderd" "$T/last.out"
t_equal "bad corrections changed nothing" "$(dbsum "$N")" "$before"
ctl signal add --geregistreerd-op "$m4-20" --thema wonen --leeftijd 25-64 --sector caw --organisatie "KANARIE-ORG-LAAT" >/dev/null
t_check "preview shows the change" ctl summary preview "$m4"
t_grep "as VERANDERD" "VERANDERD" "$T/last.out"
t_check "correct" ctl summary correct "$m4" --reden invoerfout --toelichting "Partner voerde een signaal te laat in" --door dpo
t_grep "supersedes the release" "vervangt document" "$T/last.out"
t_check "list after the correction" ctl summary list
t_grep "the first is replaced" "$m4 .*vervangen door" "$T/last.out"
t_grep "the correction is valid" "$m4 .*geldig; correctie van" "$T/last.out"

# The audit log.
t_check "audit show" ctl audit show
t_grep "has the releases" "vrijgave +door" "$T/last.out"
t_grep "has the correction with its justification" "reden invoerfout: Partner voerde een signaal te laat in" "$T/last.out"
t_grep "names who" "correctie +door dpo" "$T/last.out"
cp "$T/last.out" "$T/audit.txt"
t_check "audit show --format json" ctl audit show --format json
cp "$T/last.out" "$T/audit.json"
t_check "the JSON parses" sqlite3 :memory: "SELECT json_valid(readfile('$T/audit.json'))"
t_grep "and is valid" "^1$" "$T/last.out"
t_expect_fail "audit show: bad format" 2 ctl audit show --format xml
t_check "audit verify" ctl audit verify
t_grep "says it is intact" "auditlog in orde" "$T/last.out"
anchor=$(sed -n 's/.*--anker \([0-9]*:[0-9a-f]*\)$/\1/p' "$T/last.out")
t_check "audit verify with the anchor" ctl audit verify --anker "$anchor"
t_expect_fail "audit verify: bad anchor" 2 ctl audit verify --anker 3:abc
t_expect_fail "audit verify: wrong anchor hash" 1 ctl audit verify --anker "${anchor%%:*}:$(printf '0%.0s' $(seq 64))"
t_grep "says it was rewritten" "herschreven" "$T/last.out"

# The chain rule of docs/DISCLOSURE.md, recomputed from the JSON export
# alone with other tools (sqlite3 for the fields, b2sum for BLAKE2b-256):
# the documentation and the export are enough to check the log.
sqlite3 :memory: "SELECT json_extract(value, '\$.hash'),
	hex('ls-audit-v1') || printf('%016X', json_extract(value, '\$.regel'))
	|| json_extract(value, '\$.vorige_hash') || printf('%016X', json_extract(value, '\$.tijd'))
	|| printf('%02X', json_extract(value, '\$.soort_code'))
	|| printf('%08X', length(CAST(json_extract(value, '\$.door') AS BLOB))) || hex(json_extract(value, '\$.door'))
	|| printf('%08X', length(CAST(json_extract(value, '\$.herkomst') AS BLOB))) || hex(json_extract(value, '\$.herkomst'))
	|| printf('%016X', json_extract(value, '\$.document')) || json_extract(value, '\$.document_hash')
	|| printf('%08X', length(CAST(json_extract(value, '\$.periode') AS BLOB))) || hex(json_extract(value, '\$.periode'))
	|| printf('%02X%08X%08X%08X%08X', json_extract(value, '\$.modus'), json_extract(value, '\$.k'),
	          json_extract(value, '\$.epsilon_milli'), json_extract(value, '\$.withhold_below'),
	          json_extract(value, '\$.persons_cap'))
	|| printf('%016X', json_extract(value, '\$.vervangt'))
	|| printf('%08X', length(CAST(json_extract(value, '\$.reden') AS BLOB))) || hex(json_extract(value, '\$.reden'))
	|| printf('%016X%016X%016X', json_extract(value, '\$.kost_milli'), json_extract(value, '\$.besteed_milli'),
	          json_extract(value, '\$.budget_milli'))
	|| printf('%08X%08X%08X%08X%08X%08X', json_extract(value, '\$.cellen.exact'), json_extract(value, '\$.cellen.klein'),
	          json_extract(value, '\$.cellen.nul_verborgen'), json_extract(value, '\$.cellen.aanvullend'),
	          json_extract(value, '\$.cellen.ruis'), json_extract(value, '\$.cellen.achtergehouden'))
	|| CASE WHEN json_extract(value, '\$.ruissleutel') IS NULL THEN '000000000000000000'
	        ELSE '01' || json_extract(value, '\$.ruissleutel') END
	|| printf('%08X', length(CAST(json_extract(value, '\$.toelichting') AS BLOB))) || hex(json_extract(value, '\$.toelichting'))
	|| printf('%08X', length(CAST(json_extract(value, '\$.bestemming') AS BLOB))) || hex(json_extract(value, '\$.bestemming'))
	FROM json_each(CAST(readfile('$T/audit.json') AS TEXT))" >"$T/chain.txt"
bad=0
while IFS='|' read -r hash hex; do
	got=$(printf '%b' "$(echo "$hex" | sed 's/../\\x&/g')" | b2sum -l 256 | cut -d' ' -f1)
	[ "$got" = "$hash" ] || { bad=$((bad + 1)); echo "# entry hash $hash, recomputed $got"; }
done <"$T/chain.txt"
t_equal "the exported entries" "$(wc -l <"$T/chain.txt")" "$(sqlite3 "$N/signaal.db" "SELECT count(*) FROM audit_log")"
t_equal "every hash recomputed from the export and the documented rule" "$bad" 0

# The canary test: nothing of a signal is in any document or in the
# audit log's exported forms. The needles: every canary, and every
# signal's id (raw bytes, and as hex in either case) and dates; the
# documents are searched byte for byte (instr() on the envelope blobs).
: >"$T/needles"
for i in $(seq -f '%03g' 1 90) LAAT; do
	printf 'KANARIE-%s-%s\n' ORG "$i" MELDER "$i" WIJK "$i" OMSCHRIJVING "$i" >>"$T/needles"
done
echo KANARIE >>"$T/needles"
sqlite3 -separator ' ' "$N/signaal.db" "SELECT lower(hex(uid)), registered_at, coalesce(observed_on, '') FROM signal" |
	tr ' ' '\n' | sed '/^$/d' >>"$T/needles"
scan() { # SQL condition on d.envelope -> number of (document, needle) hits
	sqlite3 "$N/signaal.db" <<-EOF
	CREATE TEMP TABLE n(x TEXT);
	.import $T/needles n
	SELECT count(*) FROM feed_doc d, n WHERE $1;
	EOF
}
t_equal "needles: canaries, ids and dates of every signal" "$(wc -l <"$T/needles")" \
	"$((91 * 4 + 1 + $(sqlite3 "$N/signaal.db" "SELECT 2 * count(*) + count(observed_on) FROM signal")))"
t_equal "the scan finds what is there" "$(sqlite3 "$N/signaal.db" "SELECT count(*) > 0 FROM feed_doc WHERE instr(envelope, CAST('mentaal' AS BLOB))")" 1
t_equal "the scan reads every needle" "$(scan 1)" \
	"$(($(wc -l <"$T/needles") * $(sqlite3 "$N/signaal.db" "SELECT count(*) FROM feed_doc")))"
t_equal "no canary, id (hex) or date in any document" \
	"$(scan "instr(d.envelope, CAST(n.x AS BLOB)) OR instr(d.envelope, CAST(upper(n.x) AS BLOB))")" 0
t_equal "no signal id (raw bytes) in any document" \
	"$(sqlite3 "$N/signaal.db" "SELECT count(*) FROM feed_doc d, signal s WHERE instr(d.envelope, s.uid) OR instr(d.envelope, substr(s.uid, 1, 8))")" 0
t_check "nor anything of it in the audit log, as text or JSON" \
	sh -c "! grep -iFf '$T/needles' '$T/audit.txt' '$T/audit.json'"
t_check "the audit scan would find one" grep -qiFf "$T/needles" "$csv"

# Tampering is found, and where.
sqlite3 "$N/signaal.db" "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET n_primary = n_primary - 1 WHERE id = 2; CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'x'); END;"
t_expect_fail "verify finds a changed entry" 1 ctl audit verify
t_grep "names the entry" "regel 2: de inhoud van regel 2 is gewijzigd" "$T/last.out"
cp -r "$N" "$T/node2"
sqlite3 "$T/node2/signaal.db" "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 1;"
t_expect_fail "verify finds a deleted entry and the missing trigger" 1 "$SIGNAALCTL" -d "$T/node2" audit verify
t_grep "names it" "regel 1 ontbreekt" "$T/last.out"

# Noise mode: the secret is made once (0600), the budget is enforced.
M=$T/noise
"$SIGNAALCTL" init --id kortrijk --naam Kortrijk "$M" >/dev/null
sed -i -e 's/^mode = federatie$/mode = ruis/' -e 's/^budget_milli = 0$/budget_milli = 1000/' \
	-e 's/^settle_days = 0$/settle_days = 40/' "$M/signaal.ini"
"$SIGNAALCTL" -d "$M" signal import "$csv" >/dev/null
t_check "noise: preview" "$SIGNAALCTL" -d "$M" summary preview "$m4"
t_grep "explains noise" "ruis \(schaal" "$T/last.out"
t_check "noise: release" "$SIGNAALCTL" -d "$M" summary release "$m4"
t_grep "spends budget" "ruismodus.*privacybudget 1" "$T/last.out"
t_equal "the noise secret is private" "$(stat -c %a "$M/keys/noise.secret")" 600
"$SIGNAALCTL" -d "$M" signal add --geregistreerd-op "$m4-21" --thema wonen --leeftijd 25-64 --sector caw --organisatie X >/dev/null
before=$(dbsum "$M")
t_expect_fail "noise: a correction past the budget" 5 "$SIGNAALCTL" -d "$M" summary correct "$m4" --reden invoerfout --toelichting "laat ingevoerd"
t_grep "says the budget is spent" "privacybudget van [0-9]+ laat dit niet toe" "$T/last.out"
t_equal "and nothing changed" "$(dbsum "$M")" "$before"
t_check "noise: audit verify" "$SIGNAALCTL" -d "$M" audit verify
t_check "noise: audit show names the secret by fingerprint" "$SIGNAALCTL" -d "$M" audit show
t_grep "fingerprint" "ruissleutel [0-9a-f]{16}" "$T/last.out"
secret=$(sed -n 's/^noise_secret=//p' "$M/keys/noise.secret")
t_check "the secret is not in the audit log" sh -c "! grep -q '$secret' '$T/last.out'"
t_check "nor in the database" sh -c "! grep -qa '$secret' '$M'/signaal.db*"
t_done
