#!/usr/bin/env bash
# Silent connections on the sync port, measured (loopback, bounded: 2000
# connections made within 20 s, held 14 s). nng 1.5.2 gives a TCP
# connection 10 s to send its 8-byte SP greeting (src/sp/transport/tcp/
# tcp.c, tcptran_pipe_start: nni_aio_set_timeout(p->negoaio, 10000),
# fixed, no option) and keeps such connections outside the pipes that
# [sync] max_connections counts, without a cap of its own. Under the
# systemd unit's LimitNOFILE=4096 that means: 2000 silent connections
# take 2000 descriptors of signaald for 10 s, /healthz keeps answering,
# a real peer keeps syncing, and nng drops them all after 10 s
# (docs/OPERATING.md gives the limit and the firewall rule).
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

t_check "federation set up" fed_init federatie vvsg gent
fed_start vvsg
t_spawn "$T/gent.log" bash -c "ulimit -n 4096 && exec '$SIGNAALD' -d '$T/gent'"
GPID=$T_LAST_PID
HTTP=http://127.0.0.1:${FED_HTTP[gent]}
t_check "gent answers" fed_wait 30 curl -sf "$HTTP/healthz"
t_check "they converge" fed_wait_converged 30 vvsg gent
base=$(ls /proc/"$GPID"/fd | wc -l)

# 2000 silent connections (from 20 addresses), then, while they are
# held: /healthz every 0.5 s with its latency, and the descriptors.
bash -c "ulimit -n 8192 && exec python3 - ${FED_PORT[gent]} $GPID ${FED_HTTP[gent]}" >"$T/silent" <<'PY' &
import os, socket, subprocess, sys, time
port, pid, http = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
held, failed = [], 0
start = time.time()
for i in range(2000):
    if time.time() - start > 20:
        break
    try:
        s = socket.socket(); s.bind(("127.0.0.%d" % (40 + i % 20), 0)); s.settimeout(2)
        s.connect(("127.0.0.1", port)); held.append(s)
    except OSError:
        failed += 1
made = time.time() - start
print("connections %d failed %d in %.1f s" % (len(held), failed, made))
time.sleep(0.5)
peak, worst, codes = 0, 0.0, []
t_end = time.time() + 6
while time.time() < t_end:
    t0 = time.time()
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3",
                        "http://127.0.0.1:%d/healthz" % http], capture_output=True, text=True)
    worst = max(worst, time.time() - t0)
    codes.append(r.stdout)
    peak = max(peak, len(os.listdir("/proc/%s/fd" % pid)))
    time.sleep(0.5)
print("fds_peak %d" % peak)
print("healthz_worst_ms %d" % (worst * 1000))
print("healthz_all_200 %d" % all(c == "200" for c in codes))
# nng drops them 10 s after each was accepted: wait for that
time.sleep(max(0, 12.5 - (time.time() - start - made)))
print("fds_after %d" % len(os.listdir("/proc/%s/fd" % pid)))
dropped = 0
for s in held:  # the node's own 8-byte greeting, then the end
    try:
        s.settimeout(0.05)
        while True:
            if s.recv(64) == b"":
                dropped += 1
                break
    except (ConnectionResetError, BrokenPipeError):
        dropped += 1
    except OSError:
        pass
print("dropped_by_node %d" % dropped)
for s in held:
    s.close()
PY
FLOOD=$!
# a real peer syncs while they are held
sleep 3
fed_fill vvsg 5
t_check "new documents reach gent during the flood" fed_wait_converged 20 vvsg gent
wait "$FLOOD"
cat "$T/silent"
t_grep "2000 silent connections were made" "^connections 2000 failed 0" "$T/silent"
peak=$(sed -n 's/^fds_peak //p' "$T/silent")
if [ -n "$peak" ] && [ "$peak" -ge $((base + 1900)) ]; then
	t_ok "each holds a descriptor of signaald (peak $peak, $base before)"
else t_notok "each holds a descriptor of signaald" "peak ${peak:-?}, $base before"; fi
t_grep "/healthz answered 200 throughout" "^healthz_all_200 1$" "$T/silent"
worst=$(sed -n 's/^healthz_worst_ms //p' "$T/silent")
if [ -n "$worst" ] && [ "$worst" -lt 2000 ]; then t_ok "/healthz within 2 s (worst ${worst} ms)"; else
	t_notok "/healthz within 2 s" "worst ${worst:-?} ms"; fi
t_grep "nng dropped every one of them after its 10 s" "^dropped_by_node 2000$" "$T/silent"
after=$(sed -n 's/^fds_after //p' "$T/silent")
if [ -n "$after" ] && [ "$after" -le $((base + 20)) ]; then
	t_ok "the descriptors are back ($after, $base before)"
else t_notok "the descriptors are back" "${after:-?}, $base before"; fi
t_check "no refusal was counted against max_connections (they are no pipes)" \
	bash -c "! curl -s '$HTTP/metrics' | grep -E '^signaal_sync_connections_refused_total\{reason=\"cap\"\} [1-9]'"
fed_stop vvsg
kill -TERM "$GPID"
wait "$GPID"
t_equal "gent stops cleanly" "$?" 0
t_done
