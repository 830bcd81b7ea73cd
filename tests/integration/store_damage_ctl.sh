#!/usr/bin/env bash
# Every signaalctl command that opens the store goes through signaald's
# start check (store_open_node): a missing, emptied, truncated, foreign
# or garbage file, damaged pages, a stale WAL beside a restored backup,
# another store's WAL beside it, a directory in its place and a store of
# a newer schema, each
# against commands that read and commands that write. Each is refused with a non-zero exit code and a
# Dutch message that names the file and says what to do, and leaves the
# file (and the WAL) byte for byte as it was; no command but init
# creates a store. Commands that only read take the cheap header check
# (damaged pages in the middle are found by the commands that write,
# `check` and `backup`; a read-only command that happens to read them
# fails, and never changes the file). store_damage.sh has signaald's side.
. "$(dirname "$0")/../lib.sh"

month() { date -u -d "$(date -u +%Y-%m-15) -$1 months" +%Y-%m; }
m4=$(month 4)
N=$T/node
DB=$N/signaal.db
"$SIGNAALCTL" init --id kortrijk --naam "Stad Kortrijk (test)" "$N" >/dev/null || exit 1
"$BUILD/gen-signals" --rows 3000 --municipality kortrijk --start "$m4" --months 3 \
	--out "$T/s.csv" >/dev/null 2>&1 || exit 1
t_check "a store with 3000 signals" "$SIGNAALCTL" -d "$N" signal import "$T/s.csv"
"$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB (fictief)" >/dev/null 2>&1
t_check "signaalctl check: in orde" "$SIGNAALCTL" -d "$N" check
cp "$DB" "$T/good.db"
pages=$(($(stat -c %s "$DB") / 4096))

# A WAL of a later state of the store, to put beside the backup (the
# restore that forgot to remove it).
t_later_wal "$N" "$m4"
cp "$DB-wal" "$T/stale.wal"
[ -s "$T/stale.wal" ] || { t_notok "a stale WAL was made"; t_done; }
# A WAL of another node's store (same schema, other pages): SQLite cannot
# tell it is not this file's.
"$SIGNAALCTL" init --id gent "$T/other" >/dev/null &&
	"$SIGNAALCTL" -d "$T/other" signal import "$T/s.csv" >/dev/null &&
	t_later_wal "$T/other" "$m4" && cp "$T/other/signaal.db-wal" "$T/foreign.wal"
[ -s "$T/foreign.wal" ] || { t_notok "a foreign WAL was made"; t_done; }

# damage KIND: make $DB (and what lies beside it) as KIND leaves it.
damage() {
	rm -rf "$DB" "$DB-wal" "$DB-shm"
	cp "$T/good.db" "$DB"
	case $1 in
	missing) rm -f "$DB" ;;
	empty) : >"$DB" ;;
	truncated) truncate -s $((pages / 2 * 4096)) "$DB" ;;
	garbage) head -c 65536 /dev/urandom >"$DB" ;;
	foreign) rm -f "$DB" && python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(a)'); c.execute('insert into t values (1)'); c.commit()" "$DB" ;;
	pages) # two whole pages in the middle, as a failing disk leaves them
		head -c 8192 /dev/zero | tr '\0' '\377' |
			dd of="$DB" bs=4096 seek=$((pages / 2)) count=2 conv=notrunc 2>/dev/null ;;
	stalewal) cp "$T/stale.wal" "$DB-wal" ;;
	foreignwal) cp "$T/foreign.wal" "$DB-wal" ;;
	directory) rm -f "$DB" && mkdir "$DB" ;;
	newer) python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=999'); c.commit()" "$DB" ;;
	esac
	rm -f "$DB-shm"
}
# The bytes of the store and of its WAL (an empty WAL holds nothing: a
# WAL-mode store read by SQLite gets one, with the -shm index, and the
# refusal keeps SQLite from removing it), and the other names in the
# node directory.
state() {
	{
		sha256sum "$DB" 2>/dev/null
		[ -s "$DB-wal" ] && sha256sum "$DB-wal"
		ls "$N" | grep -v -- '-\(wal\|shm\)$'
	} | sha256sum
}

read_cmds=(
	"status"
	"stats $m4"
	"signal list"
	"token list"
	"dossier list"
	"taxonomy list"
	"sync vv"
	"summary due"
	"check"
)
write_cmds=(
	"backup BACKUP"
	"signal add --thema wonen --leeftijd 12-17 --sector caw --organisatie X"
	"token new --rol veldwerker --organisatie X"
	"signal import $T/later.csv"
	"purge"
	"dossier new --titel Testdossier --trekker X --thema wonen"
)

# hint KIND: what the message must say to do.
hint() {
	case $1 in
	missing) echo "signaalctl init" ;;
	newer) echo "gebruik een nieuwere versie" ;;
	stalewal | foreignwal) echo "verwijder dan ook $DB-wal en $DB-shm" ;;
	*) echo "zet de laatste back-up terug" ;;
	esac
}

n=0
for kind in missing empty truncated garbage foreign pages stalewal foreignwal directory newer; do
	for cmd in "${read_cmds[@]}" "${write_cmds[@]}"; do
		n=$((n + 1))
		line=${cmd//BACKUP/$T/backup-$n.db}
		damage "$kind"
		before=$(state)
		# shellcheck disable=SC2086 # the command's words
		"$SIGNAALCTL" -d "$N" $line >"$T/last.out" 2>&1
		rc=$?
		is_read=0
		for r in "${read_cmds[@]}"; do [ "$r" = "$cmd" ] && is_read=1; done
		if [ "$kind" = pages ] && [ $is_read = 1 ] && [ "$cmd" != check ]; then
			# the header check does not read every page: it may pass
			t_equal "$kind: '$cmd' leaves the file as it was (exit $rc)" "$(state)" "$before"
			continue
		fi
		want=1
		[ "$kind" = missing ] && want=4
		if [ $rc -eq $want ]; then t_ok "$kind: '$cmd' is refused (exit $want)"; else
			t_notok "$kind: '$cmd' is refused (exit $want)" "exit $rc"
			t_show "$T/last.out"
		fi
		t_grep "$kind: '$cmd' names the file" "$DB" "$T/last.out"
		t_grep "$kind: '$cmd' says what to do" "$(hint "$kind")" "$T/last.out"
		t_equal "$kind: '$cmd' leaves the file as it was" "$(state)" "$before"
		[ -e "$T/backup-$n.db" ] && t_notok "$kind: '$cmd' wrote no backup"
	done
done
damage truncated
"$SIGNAALCTL" -d "$N" status >"$T/last.out" 2>&1
t_grep "truncated: a read-only command says how long the file is and should be" \
	"de databank $DB is afgekapt: het bestand is [0-9]+ bytes, volgens zijn kop [0-9]+" "$T/last.out"

# --- the cost of the check: a read-only command does not run quick_check
# on a sound store, and does after a crash left a WAL behind -----------------
damage none
t_check "sound: status" env SIGNAAL_LOG=info "$SIGNAALCTL" -d "$N" status
if grep -q "event=wal_left_over" "$T/last.out"; then t_notok "sound: status runs no quick_check"; else
	t_ok "sound: status runs no quick_check"; fi
python3 - "$DB" <<'PY'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA wal_autocheckpoint=0")
c.execute("UPDATE signal SET persons = persons + 1 WHERE id < 100")
c.execute("UPDATE signal SET persons = persons - 1 WHERE id < 100")
os._exit(0)  # a crash: the WAL of this (sound) store stays beside it
PY
if [ -s "$DB-wal" ]; then
	t_check "after a crash: status works" env SIGNAAL_LOG=info "$SIGNAALCTL" -d "$N" status
	t_grep "after a crash: status checks every page first (the WAL was left behind)" \
		"level=info mod=store event=wal_left_over file=$DB action=quick_check" "$T/last.out"
	t_check "after a crash: the store is sound" "$SIGNAALCTL" -d "$N" check
else
	t_notok "a crash left a WAL"
fi
t_done
