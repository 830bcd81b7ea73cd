#!/usr/bin/env bash
# signaalctl signal import: synthetic data, and every kind of bad input
# refused with line and column, changing nothing.
. "$(dirname "$0")/../lib.sh"

N=$T/node
"$SIGNAALCTL" init --id test "$N" >/dev/null || exit 1
ctl() { "$SIGNAALCTL" -d "$N" "$@"; }
digest() { sqlite3 "$N/signaal.db" .dump | sha256sum; }

"$BUILD/gen-signals" --municipality oud-turnhout --months 6 --out "$T/ot.csv" 2>/dev/null
# gen-signals writes one line per row (no newlines inside fields)
rows=$(($(wc -l <"$T/ot.csv") - 1))
t_check "dry run of synthetic data" ctl signal import --proef "$T/ot.csv"
t_grep "dry run stores nothing" "proef: niets bewaard" "$T/last.out"
t_check "import synthetic data" ctl signal import "$T/ot.csv"
t_grep "all rows imported" "^$rows signalen ingelezen" "$T/last.out"
t_equal "the store has them" "$(sqlite3 "$N/signaal.db" 'select count(*) from signal')" "$rows"

# English header, comma separator, CRLF, BOM.
printf '\xef\xbb\xbfregistered_at,theme,age_band,sector,organisation,description\r\n2025-07-01,digitaal,65plus,vrijwilligers,"Digipunt, fictief","meerdere\r\nregels"\r\n' >"$T/en.csv"
t_check "English, comma, CRLF, BOM" ctl signal import "$T/en.csv"
t_check "from standard input" sh -c "\"$SIGNAALCTL\" -d \"$N\" signal import - < \"$T/en.csv\""

d0=$(digest)
hdr='geregistreerd_op;thema;leeftijd;sector;organisatie;aantal_personen;omschrijving'
good='2025-08-01;wonen;25-64;ocmw;OCMW (fictief);1;ok'
bad() { # NAME ROW PATTERN
	printf '%s\n%s\n%s\n' "$hdr" "$good" "$2" >"$T/bad.csv"
	t_expect_fail "refused: $1" 3 ctl signal import "$T/bad.csv"
	t_grep "explained: $1" "$3" "$T/last.out"
	t_equal "unchanged after: $1" "$(digest)" "$d0"
}
bad "unknown code" '2025-08-02;wonen|xyz;25-64;ocmw;O;1;x' "regel 3, kolom 'thema': onbekende thema-code 'xyz'"
bad "bad date" '2025-13-01;wonen;25-64;ocmw;O;1;x' "regel 3, kolom 'geregistreerd_op': ongeldige datum"
bad "bad number" '2025-08-02;wonen;25-64;ocmw;O;1,5;x' "regel 3, kolom 'aantal_personen': ongeldig getal"
bad "invalid UTF-8" "$(printf '2025-08-02;wonen;25-64;ocmw;O;1;caf\xe9')" "regel 3, kolom 'omschrijving': geen geldige UTF-8"
bad "field over its limit" "2025-08-02;wonen;25-64;ocmw;$(head -c 200 /dev/zero | tr '\0' o);1;x" "regel 3, kolom 'organisatie': te lang"
bad "too many columns" '2025-08-02;wonen;25-64;ocmw;O;1;x;extra' "regel 3: te veel kolommen"
bad "too many themes" '2025-08-02;wonen|werk|energie|inkomen;25-64;ocmw;O;1;x' "te veel codes"
bad "unterminated quote" '2025-08-02;wonen;25-64;ocmw;O;1;"open' "regel 3: aanhalingsteken wordt nooit afgesloten"
bad "SQL in a field" "2025-08-02;wonen'); DELETE FROM signal; --;25-64;ocmw;O;1;x" "regel 3"

# many errors: first ones listed, all counted
{ echo "$hdr"; for i in $(seq 1 30); do echo "2025-08-02;nope;25-64;ocmw;O;1;x"; done; } >"$T/many.csv"
t_expect_fail "many bad rows" 3 ctl signal import "$T/many.csv"
t_grep "all counted" "30 fouten" "$T/last.out"
t_grep "rest summarised" "en nog 20" "$T/last.out"
t_equal "unchanged after many errors" "$(digest)" "$d0"

printf 'thema;kleur\nwonen;rood\n' >"$T/hdr.csv"
t_expect_fail "unknown column" 3 ctl signal import "$T/hdr.csv"
t_grep "names the column" "onbekende kolomnaam 'kleur'" "$T/last.out"
: >"$T/empty.csv"
t_expect_fail "empty file" 3 ctl signal import "$T/empty.csv"
t_expect_fail "missing file" 4 ctl signal import "$T/none.csv"
t_expect_fail "a directory" 3 ctl signal import "$T"
t_equal "unchanged at the end" "$(digest)" "$d0"
t_done
