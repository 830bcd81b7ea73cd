#!/usr/bin/env bash
# The sync listener under a connection flood (loopback, bounded): nng's
# listener has no cap and a REP socket keeps an idle connection for
# ever, so before [sync] max_connections a few hundred connections that
# sent nng's greeting took every descriptor of signaald: /healthz stopped
# answering, libmicrohttpd spun on accept() and the state files could
# not be written. Now: the cap (lowered to what the descriptor limit
# leaves) and the per-address limit close the surplus at once, count it
# in /metrics and log it with a count; HTTP keeps answering, signaald
# does not spin, and the federation syncs on.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

t_check "federation set up" fed_init federatie vvsg gent
sed -i '/^\[sync\]/,/^\[secagg\]/ s/^max_connections = .*/max_connections = 4096/' "$T/gent/signaal.ini"
fed_start vvsg
# 400 descriptors: half of what is left after 128 for everything else
# goes to peers (136), HTTP gets its cap from the rest.
t_spawn "$T/gent.log" bash -c "ulimit -n 400 && exec '$SIGNAALD' -d '$T/gent'"
GPID=$T_LAST_PID
HTTP=http://127.0.0.1:${FED_HTTP[gent]}
t_check "gent answers" fed_wait 30 curl -sf "$HTTP/healthz"
t_check "they converge" fed_wait_converged 30 vvsg gent
t_grep "the sync cap is lowered to the descriptor limit" \
	"mod=server event=max_connections_lowered configured=4096 fd_budget=272 max_connections=136" "$T/gent.log"
t_grep "and HTTP's cap to what is left" \
	"mod=http event=max_connections_lowered configured=512 fd_budget=272 max_connections=136" "$T/gent.log"

# 40 connections from 127.0.0.1 (the per-address limit is 32) and 560
# from 127.0.0.2..127.0.0.29, each sending nng's greeting as a REQ peer:
# 600 connections at a limit of 400 descriptors.
python3 - "${FED_PORT[gent]}" "$GPID" "${FED_HTTP[gent]}" >"$T/flood" <<'PY'
import os, socket, subprocess, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
hello = b"\x00SP\x00\x00\x30\x00\x00"  # SP over TCP, protocol REQ0
def cpu():
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
held, failed = [], 0
deadline = time.time() + 60
for i in range(600):
    if time.time() > deadline:
        break
    if i == 40:
        # the first 40 (one address) negotiated before the rest come:
        # else, on a slow run, some reach the cap and count as "cap"
        time.sleep(1)
    src = "127.0.0.1" if i < 40 else "127.0.0.%d" % (2 + i % 28)
    try:
        s = socket.socket(); s.bind((src, 0)); s.settimeout(2)
        s.connect(("127.0.0.1", port)); s.sendall(hello); held.append(s)
    except OSError:
        failed += 1
time.sleep(1)
c0, t0 = cpu(), time.time()
codes = []
for _ in range(6):
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3",
                        "http://127.0.0.1:%d/healthz" % (int(sys.argv[3]))], capture_output=True, text=True)
    codes.append(r.stdout)
    time.sleep(0.5)
print("connections %d failed %d" % (len(held), failed))
print("cpu_share %.2f" % ((cpu() - c0) / (time.time() - t0)))
print("healthz", " ".join(codes))
print("fds", len(os.listdir("/proc/%s/fd" % pid)))
for s in held:
    s.close()
PY
cat "$T/flood"
t_grep "600 connections were made" "^connections 600 failed 0" "$T/flood"
t_grep "/healthz answered throughout" "^healthz 200 200 200 200 200 200$" "$T/flood"
share=$(sed -n 's/^cpu_share //p' "$T/flood")
if [ -n "$share" ] && python3 -c "import sys; sys.exit(not ($share < 0.3))"; then
	t_ok "signaald does not spin under the flood (cpu share $share)"
else t_notok "signaald does not spin under the flood" "$(cat "$T/flood")"; fi
fds=$(sed -n 's/^fds //p' "$T/flood")
if [ -n "$fds" ] && [ "$fds" -lt 400 ]; then t_ok "descriptors left ($fds of 400 in use)"; else
	t_notok "descriptors left" "$fds in use"; fi
curl -s "$HTTP/metrics" >"$T/metrics"
python3 "$ROOT/tests/prom_parse.py" "$T/metrics" \
	'signaal_sync_max_connections == 136' \
	'signaal_sync_connections_refused_total{reason="per_client"} >= 8' \
	'signaal_sync_connections_refused_total{reason="cap"} >= 400' \
	'signaal_sync_connections >= 1' >"$T/parse.out"
t_check "the refusals are counted in /metrics" [ $? = 0 ]
cat "$T/parse.out"
t_check "and logged with a count" fed_wait 30 grep -qE \
	"mod=server event=refused reason=cap count=[0-9]+ total=" "$T/gent.log"
t_equal "at most one log line per reason while it lasted" \
	"$(grep -c 'mod=server event=refused reason=cap' "$T/gent.log")" 1
t_check "the state files are still written" bash -c "! grep -q 'event=write_failed' '$T/gent.log'"

# Connections that never send the greeting are the transport's for up
# to 10 s: 600 of them do take every descriptor for that long. HTTP then
# cannot accept; libmicrohttpd, with no connection of its own, would
# retry accept() in a busy loop: it is paced, and served again after.
python3 - "${FED_PORT[gent]}" "$GPID" "${FED_HTTP[gent]}" >"$T/silent" <<'PY'
import os, socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def cpu():
    f = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
held, fds = [], 0
end = time.time() + 8  # within the transport's 10 s
for i in range(600):
    if time.time() > end:
        break
    try:
        s = socket.socket(); s.bind(("127.0.0.%d" % (30 + i % 100), 0)); s.settimeout(1)
        s.connect(("127.0.0.1", port)); held.append(s)
    except OSError:
        pass
    if i % 25 == 24:
        time.sleep(0.05)
        fds = len(os.listdir("/proc/%s/fd" % pid))
        if fds >= 400:
            break
print("held %d" % len(held))
# a request while no descriptor is left: it cannot be accepted
try:
    c = socket.create_connection(("127.0.0.1", int(sys.argv[3])), timeout=1)
    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
except OSError:
    pass
c0, t0 = cpu(), time.time()
time.sleep(3)
print("fds %d" % fds)
print("cpu_share %.2f" % ((cpu() - c0) / (time.time() - t0)))
for s in held:
    s.close()
PY
cat "$T/silent"
t_grep "silent connections do take every descriptor for a while" "^fds 400$" "$T/silent"
share=$(sed -n 's/^cpu_share //p' "$T/silent")
if [ -n "$share" ] && python3 -c "import sys; sys.exit(not ($share < 0.3))"; then
	t_ok "out of descriptors, signaald does not spin (cpu share $share)"
else t_notok "out of descriptors, signaald does not spin" "$(cat "$T/silent")"; fi
t_check "once they are gone, /healthz answers again" fed_wait 30 curl -sf --max-time 2 "$HTTP/healthz"
curl -s "$HTTP/metrics" >"$T/metrics2"
python3 "$ROOT/tests/prom_parse.py" "$T/metrics2" \
	'signaal_http_refused_total{reason="fd_limit"} >= 1' >"$T/parse2.out"
t_check "the failed accepts are counted (fd_limit)" [ $? = 0 ]

# The flood gone, the federation syncs on.
fed_fill vvsg 5
t_check "new documents still reach gent" fed_wait_converged 60 vvsg gent
fed_stop vvsg
kill -TERM "$GPID"
wait "$GPID"
t_equal "gent stops cleanly" "$?" 0
t_done
