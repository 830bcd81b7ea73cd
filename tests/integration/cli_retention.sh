#!/usr/bin/env bash
# signaalctl purge (retention), backup and check.
. "$(dirname "$0")/../lib.sh"

N=$T/node
"$SIGNAALCTL" init --id test "$N" >/dev/null || exit 1
ctl() { "$SIGNAALCTL" -d "$N" "$@"; }
sed -i 's/^description_months = 24$/description_months = 12/' "$N/signaal.ini"
ctl signal add --geregistreerd-op 2024-01-10 --thema energie --leeftijd 25-64 --sector ocmw --organisatie O --omschrijving "OUDE-TEKST-ZZ-1" >/dev/null
ctl signal add --geregistreerd-op 2025-01-10 --thema energie --leeftijd 25-64 --sector ocmw --organisatie O --omschrijving "NIEUWE-TEKST-ZZ-2" >/dev/null

t_check "purge dry run" ctl purge --proef --peildatum 2025-06-01
t_grep "counts one" "^1 omschrijving .*2024-06-01" "$T/last.out"
t_check "dry run kept the text" grep -qa "OUDE-TEKST-ZZ-1" "$N/signaal.db"
t_check "purge" ctl purge --peildatum 2025-06-01
if grep -qa "OUDE-TEKST-ZZ-1" "$N"/signaal.db*; then t_notok "old text gone from the files"; else t_ok "old text gone from the files"; fi
t_check "new text kept" grep -qa "NIEUWE-TEKST-ZZ-2" "$N/signaal.db"
t_equal "counts stay" "$(sqlite3 "$N/signaal.db" 'select count(*) from signal')" 2
t_expect_fail "purge: bad date" 2 ctl purge --peildatum gisteren

t_check "backup" ctl backup "$T/b.db"
t_expect_fail "backup never overwrites" 5 ctl backup "$T/b.db"
t_equal "backup has everything" "$(sqlite3 "$T/b.db" 'select count(*) from signal')" 2
t_check "backup is consistent" sh -c "sqlite3 '$T/b.db' 'pragma integrity_check' | grep -qx ok"
t_check "check" ctl check

# A corrupted reference is found by check.
sqlite3 "$N/signaal.db" "PRAGMA foreign_keys=OFF; INSERT INTO signal_theme VALUES (424242, 1);"
t_expect_fail "check finds broken references" 1 ctl check
t_grep "and says so" "verwijzingen +1 fout" "$T/last.out"

# A database from a newer version is refused, unchanged.
cp "$T/b.db" "$N/signaal.db"
rm -f "$N/signaal.db-wal" "$N/signaal.db-shm"
sqlite3 "$N/signaal.db" "PRAGMA user_version=99"
sum=$(sha256sum <"$N/signaal.db")
t_expect_fail "newer schema refused" 1 ctl signal list
t_grep "with a clear error" "schemaversie 99" "$T/last.out"
t_equal "and the file is untouched" "$(sha256sum <"$N/signaal.db")" "$sum"
t_done
