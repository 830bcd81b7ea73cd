#!/usr/bin/env bash
# A damaged store is refused, never absorbed: an emptied file, a
# truncated file, a file with overwritten pages in the middle and a
# directory in its place, each
# through `signaald --check`, the start of signaald, `signaalctl check`,
# a capture and a release; a store damaged while signaald runs turns
# /readyz to 503 with the reason, refuses captures and shows in /metrics.
# Nothing but `signaalctl init` makes a store: every refusal leaves the
# file exactly as it was. (Disk full: store_diskfull.sh.)
. "$(dirname "$0")/../lib.sh"

month() { date -u -d "$(date -u +%Y-%m-15) -$1 months" +%Y-%m; }
m4=$(month 4)
N=$T/node
"$SIGNAALCTL" init --id kortrijk --naam "Stad Kortrijk (test)" "$N" >/dev/null || exit 1
t_port port || exit 1
t_http_node "$N" "$port"
"$BUILD/gen-signals" --rows 3000 --municipality kortrijk --start "$m4" --months 3 \
	--out "$T/s.csv" >/dev/null 2>&1 || exit 1
t_check "a store with 3000 signals" "$SIGNAALCTL" -d "$N" signal import "$T/s.csv"
t_check "signaalctl check: in orde" "$SIGNAALCTL" -d "$N" check
t_check "signaald --check: in orde" "$SIGNAALD" -d "$N" --check
cp "$N/signaal.db" "$T/good.db"
DB=$N/signaal.db
pages=$(($(stat -c %s "$DB") / 4096))

# damage KIND: make $DB an emptied, truncated or overwritten copy.
damage() {
	rm -rf "$DB" "$DB-wal" "$DB-shm"
	cp "$T/good.db" "$DB"
	case $1 in
	empty) : >"$DB" ;;
	directory) rm -f "$DB" && mkdir "$DB" ;;
	truncated) truncate -s $((pages / 2 * 4096)) "$DB" ;;
	pages) # two whole pages in the middle, as a failing disk leaves them
		head -c 8192 /dev/zero | tr '\0' '\377' |
			dd of="$DB" bs=4096 seek=$((pages / 2)) count=2 conv=notrunc 2>/dev/null ;;
	esac
}
filesum() { sha256sum "$DB" | cut -d' ' -f1; }

for kind in empty truncated pages directory; do
	damage "$kind"
	before=$(filesum)
	t_expect_fail "$kind: signaald --check refuses it (exit 65)" 65 "$SIGNAALD" -d "$N" --check
	t_grep "$kind: the message names the file" "signaald: de databank $DB is (leeg|beschadigd|afgekapt|geen gewoon bestand)" "$T/last.out"
	t_grep "$kind: and says what to do" "zet de laatste back-up terug" "$T/last.out"
	t_grep "$kind: the log line is logfmt, in English" \
		"level=error mod=daemon event=store_refused file=$DB reason=corrupt action=\"stop, keep the node directory" "$T/last.out"
	t_expect_fail "$kind: signaald does not start (exit 65)" 65 timeout 20 "$SIGNAALD" -d "$N"
	t_expect_fail "$kind: signaalctl check refuses it (exit 1)" 1 "$SIGNAALCTL" -d "$N" check
	t_grep "$kind: signaalctl check names the file" "$DB" "$T/last.out"
	t_grep "$kind: and says what to do" "back-up terug" "$T/last.out"
	if [ "$kind" = pages ]; then
		t_grep "pages: signaalctl check shows what SQLite found" "Page [0-9]+" "$T/last.out"
	fi
	t_expect_fail "$kind: a release is refused" 1 "$SIGNAALCTL" -d "$N" summary release "$m4"
	t_grep "$kind: because the store is damaged" "(leeg|beschadigd|afgekapt|geen gewoon bestand)" "$T/last.out"
	if [ "$kind" != pages ]; then
		t_expect_fail "$kind: a capture is refused" 1 "$SIGNAALCTL" -d "$N" signal add \
			--thema wonen --leeftijd 12-17 --sector caw --organisatie X
	fi
	t_equal "$kind: the file is exactly as it was" "$(filesum)" "$before"
	if [ -e "$DB-wal" ] && [ -s "$DB-wal" ]; then t_notok "$kind: no journal was written"; else
		t_ok "$kind: no journal was written"; fi
done
# A backup put back over a store whose -wal and -shm were left beside
# it: the WAL's pages belong to the later store, and SQLite reads them
# over the backup's. It is refused, and neither the restored file nor
# the WAL is touched (SQLite's last connection would checkpoint the WAL
# into the file as it closes); the message says to remove them.
damage none
t_later_wal "$N" "$m4"
cp "$T/good.db" "$DB"
wal_before=$(sha256sum <"$DB-wal")
before=$(filesum)
if [ -s "$DB-wal" ]; then t_ok "stale WAL: the WAL of a later state is beside the backup"; else
	t_notok "stale WAL: the WAL of a later state is beside the backup"; fi
t_expect_fail "stale WAL: signaald --check refuses it (exit 65)" 65 "$SIGNAALD" -d "$N" --check
t_grep "stale WAL: the message names the WAL and says to remove it" \
	"Er staat een $DB-wal naast: .*verwijder dan ook $DB-wal en $DB-shm" "$T/last.out"
t_grep "stale WAL: and only after a restore (a live WAL holds committed data)" \
	"anders niet, want dan bevat hij nog bewaarde gegevens" "$T/last.out"
t_expect_fail "stale WAL: signaalctl check refuses it (exit 1)" 1 "$SIGNAALCTL" -d "$N" check
t_equal "stale WAL: the restored file is exactly as it was" "$(filesum)" "$before"
t_equal "stale WAL: so is the WAL" "$(sha256sum <"$DB-wal")" "$wal_before"
rm -f "$DB-wal" "$DB-shm"
t_check "stale WAL removed: the backup is sound" "$SIGNAALD" -d "$N" --check
# No other store appeared beside it (nothing but init creates one).
t_equal "no database file was created in the node directory" \
	"$(cd "$N" && ls | grep -v '^signaald\.\(json\|prom\)$' | sort | tr '\n' ' ')" \
	"keys signaal.db signaal.ini "

# --- damage while signaald runs ---------------------------------------------
damage none
sed -i "/^\[daemon\]/,/^\[/ s|^state_interval_s = .*|state_interval_s = 1|" "$N/signaal.ini"
VW=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" 2>/dev/null)
NODE=http://127.0.0.1:$port
t_spawn "$T/signaald.log" "$SIGNAALD" -d "$N"
PID=$T_LAST_PID
for _ in $(seq 100); do curl -s -o /dev/null "$NODE/healthz" && break; sleep 0.1; done
capture() {
	curl -s -D "$T/cap.hdr" -o "$T/cap.json" -w '%{http_code}' -X POST "$NODE/api/v1/signals" \
		-H "Authorization: Bearer $VW" -H "Content-Type: application/json" \
		-d '{"thema":["wonen"],"leeftijd":"12-17","sector":"caw"}'
}
t_equal "/readyz: 200 on a sound store" "$(curl -s -o "$T/ready.json" -w '%{http_code}' "$NODE/readyz")" 200
t_grep "it says the store is sound" '"opslag":\{"ok":true' "$T/ready.json"
t_equal "a capture: 201" "$(capture)" 201
metric() { curl -s "$NODE/metrics" | grep -E "^$1 " | awk '{print $2}'; }
t_equal "signaal_store_check_ok 1" "$(metric signaal_store_check_ok)" 1
t_equal "signaal_store_writable 1" "$(metric signaal_store_writable)" 1

head -c 8192 /dev/zero | tr '\0' '\377' |
	dd of="$DB" bs=4096 seek=$((pages / 2)) count=2 conv=notrunc 2>/dev/null
kill -HUP "$PID" # a reload checks the store again (as does a timer, every 6 h)
not_ready() { [ "$(curl -s -o "$T/ready.json" -w '%{http_code}' "$NODE/readyz")" = 503 ]; }
t_check "damaged under signaald: /readyz turns 503" wait_for 30 not_ready
t_grep "it gives the reason, naming the file" "\"opslag\":\{\"ok\":false,\"melding\":\"de databank $DB is beschadigd" "$T/ready.json"
t_grep "and what to do" "back-up terug" "$T/ready.json"
t_grep "the log says it in English" "mod=health event=store_check_failed file=$DB reason=corrupt" "$T/signaald.log"
before=$(filesum)
t_equal "a capture into the damaged store: 503" "$(capture)" 503
t_grep "with its status text" "^HTTP/1.1 503 Service Unavailable" "$T/cap.hdr"
t_grep "with a Dutch message" '"code":"store_damaged","melding":"De databank van dit knooppunt is beschadigd' "$T/cap.json"
t_equal "nothing was written" "$(filesum)" "$before"
t_equal "/healthz still answers (the process is alive)" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$NODE/healthz")" 200
t_equal "/metrics: signaal_store_check_ok 0" "$(metric signaal_store_check_ok)" 0
t_equal "/metrics: signaal_health_ok 0" "$(metric signaal_health_ok)" 0
kill -TERM "$PID"
wait "$PID"
t_equal "signaald stops cleanly" "$?" 0
t_expect_fail "and does not start again on it (exit 65)" 65 timeout 20 "$SIGNAALD" -d "$N"
t_done
