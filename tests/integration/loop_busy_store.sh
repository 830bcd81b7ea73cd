#!/usr/bin/env bash
# The loop never waits on the store (issue 13, docs/DAEMON.md "Threads and
# connections"). Another process holds the store's write lock for 5 s
# (as an import does) just as signaald's own retention purge is due; the
# purge waits for the lock, then blanks the free text of many signals in
# one long write transaction. Before issue 13 both waits were the loop's.
# Meanwhile `signaalctl backup` copies the store and a client captures,
# and a probe measures in its own clock (loopback, bounded):
#
#   - /healthz latency (the HTTP server's thread);
#   - /metrics latency and status (a bounded call into the loop);
#   - the state tick (a loop timer, state_interval_s = 1): the largest
#     gap between two updates of signaald.json's updated_at;
#   - SIGHUP answered (event=reloaded) while the purge runs.
#
# The numbers are printed; the test fails only on seconds (a stalled
# loop), never on milliseconds. Captures that met the busy store got
# 503 with Retry-After, and each was stored exactly once after retries.
. "$(dirname "$0")/../lib.sh"

N=$T/node
ROWS=${LOOP_BUSY_ROWS:-200000}
"$SIGNAALCTL" init --id kortrijk --naam "Stad Kortrijk (test)" "$N" >/dev/null || exit 1
t_port port || exit 1
t_http_node "$N" "$port" ""
sed -i "/^\[http\]/,\$ s|^store_wait_ms = .*|store_wait_ms = 500|" "$N/signaal.ini"
sed -i "s|^state_interval_s = .*|state_interval_s = 1|; s|^description_months = .*|description_months = 1|" "$N/signaal.ini"
grep -q '^state_interval_s = 1$' "$N/signaal.ini" && grep -q '^description_months = 1$' "$N/signaal.ini" ||
	{ t_notok "test config" "state_interval_s or description_months not set"; t_done; }
VW=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-12 2>/dev/null)
BH=$("$SIGNAALCTL" -d "$N" token new --rol beheerder 2>/dev/null)
NODE=http://127.0.0.1:$port

# Old signals with free text (2025): all past a one-month retention.
"$BUILD/gen-signals" --seed 4 --rows "$ROWS" --municipality kortrijk --out "$T/old.csv" 2>/dev/null
rows=$(($(wc -l <"$T/old.csv") - 1))
t_check "the old signals are imported ($rows rows)" "$SIGNAALCTL" -d "$N" signal import "$T/old.csv"
texts=$(sqlite3 "$N/signaal.db" "SELECT count(*) FROM signal WHERE description IS NOT NULL")

cat >"$T/probe.py" <<'EOF'
import http.client, json, os, sys, time
# ARGS: PORT STATE_FILE STOP_FILE MAX_SECONDS
port, state, stop, limit = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
hz, mx, fails = [], [], {"healthz": 0, "metrics": 0}
last_upd, last_change, gaps = None, time.time(), []
def get(path):
    t0 = time.time()
    ok = False
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", path); r = c.getresponse(); r.read(); c.close()
        ok = r.status == 200
    except Exception:
        pass
    return ok, time.time() - t0
end = time.time() + limit
while time.time() < end and not os.path.exists(stop):
    ok, dt = get("/healthz"); hz.append(dt); fails["healthz"] += not ok
    ok, dt = get("/metrics"); mx.append(dt); fails["metrics"] += not ok
    try:
        with open(state) as f: upd = json.load(f)["updated_at"]
        if upd != last_upd:
            now = time.time()
            if last_upd is not None: gaps.append(now - last_change)
            last_upd, last_change = upd, now
    except Exception:
        pass  # not written yet
    time.sleep(0.05)
gaps.append(time.time() - last_change)  # the gap still open at the end
def p(lat, q): lat = sorted(lat); return 1000 * lat[min(len(lat) - 1, len(lat) * q // 100)]
print("healthz n=%d fails=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f" % (len(hz), fails["healthz"], p(hz, 50), p(hz, 99), 1000 * max(hz)))
print("metrics n=%d fails=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f" % (len(mx), fails["metrics"], p(mx, 50), p(mx, 99), 1000 * max(mx)))
print("state updates=%d max_gap_ms=%.0f" % (len(gaps), 1000 * max(gaps)))
EOF

# One capturing client: a key per signal, retried (same key) until 201;
# counts 503s and whether they carried Retry-After.
cat >"$T/capture.py" <<'EOF'
import http.client, json, sys, time, uuid
port, token, n, deadline = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), time.time() + float(sys.argv[4])
body = json.dumps({"thema": ["wonen"], "leeftijd": "18-24", "sector": "caw", "omschrijving": "lustest (fictief)"})
acked, busy, ra = 0, 0, 0
for _ in range(n):
    key = str(uuid.uuid4())
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("POST", "/api/v1/signals", body, {"Authorization": "Bearer " + token,
                      "Content-Type": "application/json", "Idempotency-Key": key})
            r = c.getresponse(); r.read(); c.close()
            if r.status == 201: acked += 1; break
            if r.status == 503:
                busy += 1; ra += r.getheader("Retry-After") is not None
        except Exception:
            pass
        time.sleep(0.1)
    time.sleep(0.1)
print("captures acked=%d busy=%d retry_after=%d" % (acked, busy, ra))
EOF

t_spawn "$T/signaald.log" "$SIGNAALD" -d "$N"
PID=$T_LAST_PID
up=0
for _ in $(seq 200); do curl -s -o /dev/null "$NODE/healthz" && { up=1; break; }; sleep 0.05; done
t_equal "signaald starts" "$up" 1
before=$(sqlite3 "$N/signaal.db" 'SELECT count(*) FROM signal')
python3 "$T/probe.py" "$port" "$N/signaald.json" "$T/stop" 120 >"$T/probe" &
PROBE=$!
python3 "$T/capture.py" "$port" "$VW" 40 110 >"$T/captures" &
CAP=$!
# The purge's first run is 5 s after start: another process takes the
# write lock just before, for 5 s; a reload is asked for while the
# purge waits, then the store is backed up.
sleep 3.5
python3 "$ROOT/tests/hold_write_lock.py" "$N/signaal.db" 5 >"$T/lock.out" &
LOCK=$!
sleep 2
purge_done_at_hup=$(grep -c "event=purged" "$T/signaald.log")
hup_t0=$(date +%s%N)
kill -HUP "$PID"
hup_ms=
for _ in $(seq 600); do
	grep -q "event=reloaded" "$T/signaald.log" && { hup_ms=$((($(date +%s%N) - hup_t0) / 1000000)); break; }
	sleep 0.01
done
# Other routes while the lock is held: a write (DELETE of a signal, on
# the API's writer) is a bounded wait and a 503 with Retry-After, and
# changes nothing; a read (GET, on a reader) is answered.
victim=$(sqlite3 "$N/signaal.db" "SELECT lower(hex(uid)) FROM signal ORDER BY id LIMIT 1")
cat >"$T/routes.py" <<'EOF'
import http.client, sys, time
port, token, victim = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def ask(method, path):
    t0 = time.time()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, None, {"Authorization": "Bearer " + token})
    r = c.getresponse(); r.read(); c.close()
    return "%s %d retry_after=%s ms=%.0f" % (method, r.status, r.getheader("Retry-After"), 1000 * (time.time() - t0))
print(ask("DELETE", "/api/v1/signals/" + victim))
print(ask("GET", "/api/v1/signals?limiet=5"))
EOF
python3 "$T/routes.py" "$port" "$BH" "$victim" >"$T/routes"
locked_during_routes=$(grep -c released "$T/lock.out")
t_check "a backup runs meanwhile" "$SIGNAALCTL" -d "$N" backup "$T/backup.db"
for _ in $(seq 1200); do grep -q "event=purged\|event=purge_failed" "$T/signaald.log" && break; sleep 0.05; done
sleep 2
touch "$T/stop"
wait "$LOCK"
t_equal "the other process held the write lock" "$(tr '\n' ' ' <"$T/lock.out")" "locked released "
wait "$PROBE"
wait "$CAP"

grep -o "event=purged.*" "$T/signaald.log" | sed 's/^/# /'
cat "$T/probe" | sed 's/^/# /'
cat "$T/captures" | sed 's/^/# /'
echo "# SIGHUP answered in ${hup_ms:-never} ms (purge ended before it: $purge_done_at_hup)"
purged=$(sed -n 's/.*event=purged descriptions=\([0-9]*\).*/\1/p' "$T/signaald.log" | head -1)
purge_ms=$(sed -n 's/.*event=purged .* ms=\([0-9]*\).*/\1/p' "$T/signaald.log" | head -1)
t_equal "the purge blanked every old text" "$purged" "$texts"
t_equal "no old text left" "$(sqlite3 "$N/signaal.db" "SELECT count(*) FROM signal WHERE description IS NOT NULL AND description <> 'lustest (fictief)'")" 0

sed 's/^/# /' "$T/routes"
t_equal "the routes were asked while the lock was held" "$locked_during_routes" 0
t_grep "a DELETE met the busy store: 503 with Retry-After" "^DELETE 503 retry_after=[0-9]" "$T/routes"
t_equal "and deleted nothing" "$(sqlite3 "$N/signaal.db" "SELECT count(*) FROM signal WHERE lower(hex(uid)) = '$victim'")" 1
t_grep "a GET was answered meanwhile" "^GET 200 " "$T/routes"
secs_ok() { python3 -c "import sys; sys.exit(not ($1 < $2))"; }
hz_max=$(sed -n 's/^healthz .*max_ms=\([0-9.]*\)$/\1/p' "$T/probe")
m_max=$(sed -n 's/^metrics .*max_ms=\([0-9.]*\)$/\1/p' "$T/probe")
gap=$(sed -n 's/^state .*max_gap_ms=\([0-9]*\)$/\1/p' "$T/probe")
t_equal "/healthz never failed" "$(sed -n 's/^healthz n=[0-9]* fails=\([0-9]*\) .*/\1/p' "$T/probe")" 0
t_equal "/metrics never failed (the loop answered in time)" "$(sed -n 's/^metrics n=[0-9]* fails=\([0-9]*\) .*/\1/p' "$T/probe")" 0
if [ -n "$hz_max" ] && secs_ok "$hz_max" 2000; then t_ok "/healthz stayed responsive (max $hz_max ms; fails only on seconds)"; else t_notok "/healthz stayed responsive" "max $hz_max ms"; fi
if [ -n "$m_max" ] && secs_ok "$m_max" 2000; then t_ok "/metrics stayed responsive (max $m_max ms; fails only on seconds)"; else t_notok "/metrics stayed responsive" "max $m_max ms"; fi
# state_interval_s = 1; whole seconds in updated_at make a normal gap up to ~2 s.
if [ -n "$gap" ] && secs_ok "$gap" 4000; then t_ok "the state tick kept running (largest gap $gap ms; fails only on seconds)"; else t_notok "the state tick kept running" "largest gap $gap ms"; fi
if [ -n "$hup_ms" ] && secs_ok "$hup_ms" 2000; then t_ok "SIGHUP answered in $hup_ms ms during the purge"; else t_notok "SIGHUP answered during the purge" "${hup_ms:-never}"; fi
t_equal "the reload fell inside the purge (its wait for the lock and its work took ${purge_ms} ms)" "$purge_done_at_hup" 0
t_check "the backup is a consistent store" sh -c "sqlite3 '$T/backup.db' 'pragma integrity_check' | grep -qx ok"
acked=$(sed -n 's/^captures acked=\([0-9]*\).*/\1/p' "$T/captures")
t_equal "every capture was acknowledged in the end" "$acked" 40
t_equal "and stored once" "$(sqlite3 "$N/signaal.db" 'SELECT count(*) FROM signal')" $((before + 40))
busy=$(sed -n 's/.* busy=\([0-9]*\).*/\1/p' "$T/captures")
t_equal "every 503 carried Retry-After" "$(sed -n 's/.* retry_after=\([0-9]*\).*/\1/p' "$T/captures")" "$busy"
kill -TERM "$PID"
wait "$PID"
t_equal "signaald stops cleanly" "$?" 0
t_done
