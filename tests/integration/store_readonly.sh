#!/usr/bin/env bash
# The node's file system turns read-only under a running signaald, for
# real: the node directory on a loop-mounted ext4 image (errors=
# remount-ro), in a private mount namespace, captured into, then made
# read-only.
#
# Linux refuses `mount -o remount,ro` while a process holds a file open
# for writing (EBUSY: signaald holds the store), so an operator cannot do
# it by accident; what does happen is the kernel remounting a file system
# read-only after an I/O or metadata error (errors=remount-ro). The test
# asserts the first and causes the second (/sys/fs/ext4/DEV/
# trigger_fs_error): /readyz turns 503 with the reason, a capture gets
# 503 with a Dutch message and Retry-After, /healthz answers at once,
# /metrics and the metrics and status files (kept outside the node
# directory, as a textfile collector's are) say it, the log says it once,
# and nothing acknowledged is lost. ext4 keeps such a file system
# read-only until it is unmounted (a remount rw does not make it
# writable: "emergency_ro"), so the way back is the one /readyz names:
# stop signaald, unmount, fsck, mount, start; then it captures again.
if [ -z "${SIGNAAL_IN_MOUNT_NS:-}" ]; then
	export SIGNAAL_IN_MOUNT_NS=1
	if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
		exec unshare -m --propagation private bash "$0" "$@"
	fi
	echo "ok - # SKIP a read-only remount needs root (loop devices, mount)"
	exit 0
fi
. "$(dirname "$0")/../lib.sh"

DISK=$T/disk
IMG=$T/disk.img
mkdir -p "$DISK"
truncate -s 64m "$IMG"
if ! mkfs.ext4 -q -F "$IMG" >/dev/null 2>&1 ||
	! mount -o loop,errors=remount-ro "$IMG" "$DISK" 2>/dev/null; then
	echo "ok - # SKIP no loop-mounted ext4 here (mkfs.ext4, loop devices)"
	exit 0
fi
# Unmount whatever happens; signaald first (it holds files there).
ro_cleanup() {
	local pid
	for pid in "${T_PIDS[@]+"${T_PIDS[@]}"}"; do kill -KILL "$pid" 2>/dev/null; done
	wait 2>/dev/null
	umount "$DISK" 2>/dev/null
	t_cleanup
}
trap ro_cleanup EXIT
DEV=$(basename "$(findmnt -n -o SOURCE "$DISK")")
if [ ! -w "/sys/fs/ext4/$DEV/trigger_fs_error" ]; then
	echo "ok - # SKIP this kernel has no /sys/fs/ext4/$DEV/trigger_fs_error"
	exit 0
fi
t_ok "a 64 MiB ext4 (errors=remount-ro) for the node"

N=$DISK/node
"$SIGNAALCTL" init --id kortrijk "$N" >/dev/null || exit 1
t_port port || exit 1
t_http_node "$N" "$port"
sed -i "/^\[daemon\]/,/^\[/ { s|^state_interval_s = .*|state_interval_s = 1|; s|^metrics_file = .*|metrics_file = $T/signaald.prom|; s|^status_file = .*|status_file = $T/signaald.json| }" "$N/signaal.ini"
VW=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" 2>/dev/null)
CO=$("$SIGNAALCTL" -d "$N" token new --rol coordinator --organisatie "Stad Kortrijk" 2>/dev/null)
NODE=http://127.0.0.1:$port
start() {
	t_spawn "$T/signaald.log" "$SIGNAALD" -d "$N"
	PID=$T_LAST_PID
	for _ in $(seq 100); do curl -s -o /dev/null "$NODE/healthz" && break; sleep 0.1; done
}
start

capture() { # KEY
	curl -s -D "$T/cap.hdr" -o "$T/cap.json" -w '%{http_code}' -X POST "$NODE/api/v1/signals" \
		-H "Authorization: Bearer $VW" -H "Content-Type: application/json" \
		-H "Idempotency-Key: $1" \
		-d '{"thema":["wonen"],"leeftijd":"12-17","sector":"caw"}'
}
ready() { curl -s -o "$T/ready.json" -w '%{http_code}' "$NODE/readyz"; }
count() {
	curl -s "$NODE/api/v1/signals?limiet=500" -H "Authorization: Bearer $CO" |
		python3 -c "import json,sys; print(len(json.load(sys.stdin)['signalen']))"
}
metric() { curl -s "$NODE/metrics" | grep -E "^$1 " | awk '{print $2}'; }

t_equal "/readyz: 200" "$(ready)" 200
acked=0
for i in $(seq 20); do [ "$(capture "voor-$i")" = 201 ] && acked=$((acked + 1)); done
t_equal "20 captures acknowledged (201)" "$acked" 20

if mount -o remount,ro "$DISK" 2>"$T/remount.err"; then
	t_ok "mount -o remount,ro made the node's file system read-only"
else
	t_grep "Linux refuses a plain remount,ro while signaald holds the store (busy)" \
		"busy" "$T/remount.err"
	t_equal "and the node still captures" "$(capture voor-21)" 201
	acked=$((acked + 1))
	echo 1 >"/sys/fs/ext4/$DEV/trigger_fs_error"
fi
if touch "$DISK/probe" 2>/dev/null; then t_notok "the file system is read-only now"; else
	t_ok "the file system is read-only now"; fi
lines_before=$(wc -l <"$T/signaald.log")

is_503() { [ "$(ready)" = 503 ]; }
t_check "/readyz turns 503" wait_for 10 is_503
t_grep "it says the file system is read-only, and what to do" \
	'"opslag":\{"ok":false,"melding":"het bestandssysteem van de databank [^"]* is alleen-lezen.*herstart signaald' "$T/ready.json"
refused=0
for i in $(seq 30); do [ "$(capture "tijdens-$i")" = 503 ] && refused=$((refused + 1)); done
t_equal "30 captures on the read-only store: 503" "$refused" 30
t_grep "with its status text" "^HTTP/1.1 503 Service Unavailable" "$T/cap.hdr"
t_grep "with Retry-After" "^Retry-After: [0-9]+" "$T/cap.hdr"
t_grep "with a Dutch message and a stable code" \
	'"code":"store_read_only","melding":"De databank van dit knooppunt kan niet schrijven' "$T/cap.json"
t0=$(date +%s%N)
h=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$NODE/healthz")
ms=$((($(date +%s%N) - t0) / 1000000))
t_equal "/healthz still answers 200" "$h" 200
if [ "$ms" -lt 1000 ]; then t_ok "/healthz within a second (${ms} ms)"; else
	t_notok "/healthz within a second" "${ms} ms"; fi
t_equal "/metrics: signaal_store_writable 0" "$(metric signaal_store_writable)" 0
t_equal "/metrics: signaal_health_ok 0" "$(metric signaal_health_ok)" 0
in_file() { grep -q "^signaal_store_writable 0" "$T/signaald.prom"; }
t_check "the metrics file says it" wait_for 5 in_file
in_json() { grep -q "alleen-lezen" "$T/signaald.json"; }
t_check "the status file says why" wait_for 5 in_json
sleep 2 # a few state ticks (1 s) on the read-only store
tail -n +"$((lines_before + 1))" "$T/signaald.log" >"$T/ro.log"
t_equal "the log says it once" "$(grep -c 'event=store_read_only' "$T/ro.log")" 1
t_grep "in English, naming the file" \
	"level=error mod=health event=store_read_only file=$N/signaal.db" "$T/ro.log"
noisy=$(grep -cE 'level=(warn|error)' "$T/ro.log")
if [ "$noisy" -le 6 ]; then t_ok "no flood: $noisy warning/error lines for 30 refused captures and the ticks"; else
	t_notok "no flood" "$noisy warning/error lines"
	t_show "$T/ro.log"
fi
t_check "signaald is still running" kill -0 "$PID"

# ext4 keeps it read-only until it is unmounted: a remount rw changes
# nothing, and /readyz keeps saying what to do.
python3 -c '
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.mount(b"none", sys.argv[1].encode(), None, 32, b"errors=remount-ro")  # MS_REMOUNT
' "$DISK"
if touch "$DISK/probe" 2>/dev/null; then
	rm -f "$DISK/probe"
	t_ok "remounted rw (this kernel allows it)"
	is_200() { [ "$(ready)" = 200 ]; }
	t_check "/readyz 200 again without a restart" wait_for 10 is_200
	t_equal "a capture: 201 again" "$(capture na-1)" 201
	acked=$((acked + 1))
else
	t_ok "ext4 keeps it read-only after a remount rw (emergency_ro)"
	t_equal "/readyz still 503" "$(ready)" 503
	kill -TERM "$PID"
	wait "$PID"
	t_equal "signaald stops cleanly on a read-only store" "$?" 0
	t_check "unmount" umount "$DISK"
	e2fsck -fy "$IMG" >"$T/fsck.out" 2>&1
	t_check "fsck: clean or repaired (exit 0 or 1)" test $? -le 1
	t_check "mount again" mount -o loop,errors=remount-ro "$IMG" "$DISK"
	t_check "signaald --check: the store is sound" "$SIGNAALD" -d "$N" --check
	start
	is_200() { [ "$(ready)" = 200 ]; }
	t_check "after the restart: /readyz 200" wait_for 10 is_200
	t_equal "a capture: 201" "$(capture na-1)" 201
	acked=$((acked + 1))
fi
t_equal "every acknowledged capture is there, none of the refused" "$(count)" "$acked"
t_equal "a retried capture from before is not stored twice" "$(capture voor-1)" 201
t_equal "still" "$(count)" "$acked"
kill -TERM "$PID"
wait "$PID"
t_equal "signaald stops cleanly" "$?" 0
t_check "the store is sound" "$SIGNAALCTL" -d "$N" check
t_done
