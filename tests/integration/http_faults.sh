#!/usr/bin/env bash
# signaald's HTTP API on an operator's bad day (loopback, bounded):
#
# 1. SIGKILL under capture load: four clients capture with an
#    Idempotency-Key each and retry a capture (same key) until it is
#    acknowledged, while signaald is killed with SIGKILL and restarted
#    five times. Counted: acknowledged but lost (must be 0), and
#    duplicates (signals beyond one per key: must be 0).
# 2. An import during captures: `signaalctl signal import` holds the
#    store's write lock for its whole transaction, while a client
#    captures and a probe asks /healthz every 50 ms. The probe's own
#    latencies are recorded (printed); the test fails only on seconds
#    (a stalled daemon), not on milliseconds. Captures that met the busy
#    store got 503 with Retry-After, and each was stored exactly once
#    after its retries.
. "$(dirname "$0")/../lib.sh"

N=$T/node
"$SIGNAALCTL" init --id kortrijk --naam "Stad Kortrijk (test)" "$N" >/dev/null || exit 1
t_port port || exit 1
t_http_node "$N" "$port" ""
sed -i "/^\[http\]/,\$ s|^store_wait_ms = .*|store_wait_ms = 1000|" "$N/signaal.ini"
VW=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-12 2>/dev/null)
NODE=http://127.0.0.1:$port
start_node() {
	t_spawn "$T/signaald.log.$1" "$SIGNAALD" -d "$N"
	PID=$T_LAST_PID
	for _ in $(seq 200); do curl -s -o /dev/null "$NODE/healthz" && return 0; sleep 0.05; done
	return 1
}
count() { sqlite3 "$N/signaal.db" 'SELECT count(*) FROM signal'; }

# The capturing clients: each makes its signals one after the other, a
# new key per signal (for a while), and retries a signal (with its key)
# until a 201 or the deadline. Prints the acknowledged ids, one per line, and a
# summary line "# sent K keys, A acknowledged, R retries, S 503s".
cat >"$T/clients.py" <<'EOF'
import http.client, json, sys, threading, time, uuid
# ARGS: PORT TOKEN CLIENTS MAX_PER_CLIENT MAKE_SECONDS DEADLINE_SECONDS:
# new signals only during MAKE_SECONDS, retries until DEADLINE_SECONDS.
port, token, n_clients, per_client = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
make_until, deadline = time.time() + float(sys.argv[5]), time.time() + float(sys.argv[6])
body = json.dumps({"thema": ["wonen"], "leeftijd": "18-24", "sector": "caw", "omschrijving": "fouttest (fictief)"})
lock = threading.Lock()
acked, stats = [], {"keys": 0, "retries": 0, "busy": 0, "retry_after": 0, "replayed": 0}
def client():
    conn = None
    for _ in range(per_client):
        if time.time() > make_until:
            return
        key = str(uuid.uuid4())
        with lock: stats["keys"] += 1
        first = True
        while time.time() < deadline:
            if not first:
                with lock: stats["retries"] += 1
            first = False
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("POST", "/api/v1/signals", body, {"Authorization": "Bearer " + token,
                             "Content-Type": "application/json", "Idempotency-Key": key})
                r = conn.getresponse()
                data = r.read()
                if r.status == 201:
                    with lock:
                        acked.append(json.loads(data)["id"])
                        if r.getheader("Idempotent-Replayed"): stats["replayed"] += 1
                    break
                if r.status == 503:
                    with lock:
                        stats["busy"] += 1
                        if r.getheader("Retry-After"): stats["retry_after"] += 1
                if r.getheader("Connection", "").lower() == "close":
                    conn.close(); conn = None
                time.sleep(0.05)
            except Exception:
                if conn is not None: conn.close()
                conn = None
                time.sleep(0.05)
        else:
            return
ts = [threading.Thread(target=client) for _ in range(n_clients)]
for t in ts: t.start()
for t in ts: t.join()
for i in acked: print(i)
print("# sent %d keys, %d acknowledged, %d retries, %d replayed, %d 503s, %d with Retry-After" % (
    stats["keys"], len(acked), stats["retries"], stats["replayed"], stats["busy"], stats["retry_after"]))
EOF

# --- 1. SIGKILL under capture load ---------------------------------------
t_check "signaald starts" start_node 0
before=$(count)
python3 "$T/clients.py" "$port" "$VW" 4 100000 5 90 >"$T/acked" &
CL=$!
for i in 1 2 3 4 5; do
	sleep 0.$((5 + RANDOM % 4))
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null
	start_node "$i" || t_notok "signaald restarts after SIGKILL $i"
done
wait "$CL"
grep '^#' "$T/acked"
grep -v '^#' "$T/acked" | sort -u >"$T/acked.ids"
sqlite3 "$N/signaal.db" "SELECT lower(hex(uid)) FROM signal" | sort -u >"$T/stored.ids"
keys=$(sed -n 's/^# sent \([0-9]*\) keys.*/\1/p' "$T/acked")
n_acked=$(wc -l <"$T/acked.ids")
lost=$(comm -23 "$T/acked.ids" "$T/stored.ids" | wc -l)
stored=$(($(count) - before))
echo "# SIGKILL x5 under 4 capturing clients: $keys keys, $n_acked acknowledged, $stored stored, $lost acknowledged but lost"
t_equal "every capture was acknowledged in the end" "$n_acked" "$keys"
retries=$(sed -n 's/.* acknowledged, \([0-9]*\) retries.*/\1/p' "$T/acked")
if [ "${retries:-0}" -gt 0 ]; then t_ok "the kills hit captures in flight ($retries retries)"; else
	t_notok "the kills hit captures in flight" "no retries: the load did not overlap the kills"; fi
t_equal "acknowledged but lost: 0" "$lost" 0
t_equal "duplicates (signals beyond one per key): 0" "$((stored - keys))" 0
t_equal "one key row per signal" "$(sqlite3 "$N/signaal.db" 'SELECT count(*) FROM capture_key')" "$stored"

# --- 2. an import during captures, /healthz measured -------------------
"$BUILD/gen-signals" --seed 9 --rows 150000 --municipality gent --out "$T/big.csv" 2>/dev/null
rows=$(($(wc -l <"$T/big.csv") - 1))
before=$(count)
cat >"$T/probe.py" <<'EOF'
import http.client, sys, time
port, seconds = int(sys.argv[1]), float(sys.argv[2])
lat, fails, end = [], 0, time.time() + seconds
while time.time() < end:
    t0 = time.time()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", "/healthz"); r = c.getresponse(); r.read(); c.close()
        if r.status != 200: fails += 1
    except Exception:
        fails += 1
    lat.append(time.time() - t0)
    time.sleep(0.05)
lat.sort()
print("healthz n=%d fails=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f" % (
    len(lat), fails, 1000 * lat[len(lat) // 2], 1000 * lat[min(len(lat) - 1, len(lat) * 99 // 100)], 1000 * lat[-1]))
EOF
python3 "$T/probe.py" "$port" 12 >"$T/probe" &
PROBE=$!
python3 "$T/clients.py" "$port" "$VW" 1 30 60 90 >"$T/acked2" &
CL=$!
sleep 0.5
t0=$(date +%s%N)
t_check "a big import runs meanwhile ($rows rows)" "$SIGNAALCTL" -d "$N" signal import "$T/big.csv"
import_ms=$((($(date +%s%N) - t0) / 1000000))
wait "$CL"
wait "$PROBE"
echo "# import of $rows rows took $import_ms ms"
cat "$T/probe"
grep '^#' "$T/acked2"
max=$(sed -n 's/.*max_ms=\([0-9.]*\)$/\1/p' "$T/probe")
fails=$(sed -n 's/.* fails=\([0-9]*\) .*/\1/p' "$T/probe")
t_equal "/healthz never failed during the import" "$fails" 0
if [ -n "$max" ] && python3 -c "import sys; sys.exit(not ($max < 2000))"; then
	t_ok "/healthz stayed responsive during the import (max $max ms; fails only on seconds)"
else t_notok "/healthz stayed responsive during the import" "max $max ms"; fi
acked2=$(grep -vc '^#' "$T/acked2")
t_equal "every capture during the import was stored in the end" "$acked2" 30
t_equal "the store has the import and the captures, once each" "$(count)" $((before + rows + 30))
busy=$(sed -n 's/.* \([0-9]*\) 503s.*/\1/p' "$T/acked2")
ra=$(sed -n 's/.* \([0-9]*\) with Retry-After$/\1/p' "$T/acked2")
t_equal "every 503 carried Retry-After" "$ra" "$busy"
kill -TERM "$PID"
wait "$PID"
t_equal "signaald stops cleanly" "$?" 0
t_done
