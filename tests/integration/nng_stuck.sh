#!/usr/bin/env bash
# nng gets stuck while signaald runs (issue 13; docs/OPERATING.md "When
# the sync library gets stuck"; daemon/tasks.c "nngprobe"):
#
#   - a healthy node: the probe passes, signaal_sync_engine_stuck is 0 and
#     signaal_sync_close_abandoned_total 0 from the first scrape, and
#     `signaalctl status` says nothing about it;
#   - nng_close starts hanging after the start (as nng 1.5.2's does once
#     its reaper is stuck): the next probe finds it, signaald logs one
#     error line (event=nng_stuck action="restart signaald"), writes the
#     gauge and signaald.json, stops itself within its bound with exit 75
#     (which the systemd unit restarts), and `signaalctl status` says
#     what happened and what to do;
#   - started again, the node serves captures and syncs, the gauge is 0;
#   - a reload whose close hangs (close_abandoned while running) is
#     counted and leads to the same restart at the next probe.
#
# nng's real hang cannot be caused on purpose from outside
# (test_daemon_watchdog makes it with nng alone, and checks that the
# probe finds it); here a preloaded shim makes nng_close hang once a file
# exists, and passes every close through to nng before that.
# Bounded: every wait has a limit in seconds; no timing is asserted
# beyond those limits.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

G=$T/gent
HANG=$T/hang

set_key() { # DIR KEY VALUE: a [daemon] key, replaced or added
	if grep -q "^$2 = " "$1/signaal.ini"; then
		sed -i "/^\[daemon\]/,/^\[/ s|^$2 = .*|$2 = $3|" "$1/signaal.ini"
	else
		sed -i "/^\[daemon\]/a $2 = $3" "$1/signaal.ini"
	fi
	grep -q "^$2 = $3\$" "$1/signaal.ini"
}

# wait_grep MAX_S PATTERN FILE: 0 once FILE has PATTERN (grep -E).
wait_grep() {
	for _ in $(seq $(($1 * 10))); do
		grep -Eq -- "$2" "$3" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

metric() { # NAME: its value at gent's /metrics
	curl -s --max-time 5 "http://127.0.0.1:${FED_HTTP[gent]}/metrics" |
		awk -v n="$1" '$1 == n { print $2 }'
}

capture() { # the HTTP status of one capture at gent
	curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
		-H "Authorization: Bearer $VW" -H 'Content-Type: application/json' \
		-d '{"thema":["wonen"],"leeftijd":"18-24","sector":"ocmw","aantal_personen":1,"ernst":2}' \
		"http://127.0.0.1:${FED_HTTP[gent]}/api/v1/signals"
}

start_gent() { # under the shim
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
		LD_PRELOAD=$T/hang.so SIGNAAL_TEST_HANG_FILE=$HANG \
		t_spawn "$T/gent.log" "$SIGNAALD" -d "$G"
	FED_PID[gent]=$T_LAST_PID
	wait_grep 30 "event=started" "$T/gent.log"
}

# --- the unit restarts on exit 75 ---------------------------------------
UNIT=$ROOT/configs/signaald.service
t_grep "the unit restarts a failed signaald" "^Restart=on-failure$" "$UNIT"
t_check "... and 75 is not among the statuses it never restarts" \
	sh -c "! grep -E '^RestartPreventExitStatus=.*\\b75\\b' '$UNIT'"

# --- the shim ------------------------------------------------------------
cat >"$T/hang.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>
typedef struct {
	unsigned id;
} sock_t;
/* nng_close hangs for ever once the file SIGNAAL_TEST_HANG_FILE names
 * exists (as nng 1.5.2's does once its reaper is stuck); before that
 * every close is nng's own. */
int nng_close(sock_t s)
{
	static int (*real)(sock_t);
	const char *f = getenv("SIGNAAL_TEST_HANG_FILE");
	if (f != NULL && access(f, F_OK) == 0)
		for (;;)
			pause();
	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "nng_close");
	return real != NULL ? real(s) : -1;
}
EOF
if ! cc -shared -fPIC -o "$T/hang.so" "$T/hang.c" -ldl 2>"$T/hang.err"; then
	t_notok "the nng_close shim builds" "$(cat "$T/hang.err")"
	t_done
fi

t_check "federation set up" fed_init federatie vvsg gent
set_key "$G" log_level debug && set_key "$G" shutdown_timeout_s 4 ||
	t_notok "test config" "log_level or shutdown_timeout_s not set"
# shutdown_timeout_s 4: an nng_close is waited for 1 s, a stop 4 s at most
VW=$("$SIGNAALCTL" -d "$G" token new --rol veldwerker --organisatie "CLB (fictief)" --persoon mw-1 2>/dev/null)

# --- healthy ---------------------------------------------------------------
fed_start vvsg
t_check "gent starts under the shim" start_gent
t_check "converges" fed_wait_converged 60 vvsg gent
t_equal "gauge present at 0" "$(metric signaal_sync_engine_stuck)" 0
t_equal "close_abandoned counter present at 0" "$(metric signaal_sync_close_abandoned_total)" 0
# state_interval_s = 1: a probe every 6 s
t_check "a probe passes" wait_grep 30 "event=nng_probe result=ok" "$T/gent.log"
t_equal "a capture is stored" "$(capture)" 201
"$SIGNAALCTL" -d "$G" status >"$T/status.ok" 2>&1
t_grep "status: signaald runs" "^signaald +actief" "$T/status.ok"
t_check "status: no line about a stuck sync engine" sh -c "! grep -q 'VASTGELOPEN' '$T/status.ok'"

# --- nng gets stuck --------------------------------------------------------
touch "$HANG"
wait_exit "${FED_PID[gent]}" 40
rc=$?
FED_PID[gent]=
t_equal "the probe finds nng stuck: signaald stops itself with exit 75" "$rc" 75
t_grep "one error line says what it means and what to do" \
	'level=error mod=tasks event=nng_stuck found_by=probe close_abandoned=0 wait_ms=1000 exit=75 action="restart signaald" meaning="[^"]*reaper thread is stuck' \
	"$T/gent.log"
t_equal "exactly one" "$(grep -c 'event=nng_stuck' "$T/gent.log")" 1
t_grep "the stop finishes" "event=stopped node=gent" "$T/gent.log"
t_equal "the watchdog was not needed" "$(grep -c event=shutdown_stuck "$T/gent.log")" 0
t_grep "signaald.prom: the gauge is 1" "^signaal_sync_engine_stuck 1$" "$G/signaald.prom"
t_check "signaald.json: sync_engine.stuck" \
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d['sync_engine']['stuck'] is True else 1)" "$G/signaald.json"
"$SIGNAALCTL" -d "$G" status >"$T/status.stuck" 2>&1
t_grep "status: a Dutch line with what happened and what to do" \
	"^Sync-motor +VASTGELOPEN bij de laatste run: signaald stopte zichzelf \(afsluitcode 75\).*systemctl start signaald" \
	"$T/status.stuck"
t_check "status --format json: sync_engine.stuck, for scripts" sh -c \
	"'$SIGNAALCTL' -d '$G' status --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d[\"signaald\"][\"sync_engine\"][\"stuck\"] is True else 1)'"

# --- started again ---------------------------------------------------------
rm -f "$HANG"
mv "$T/gent.log" "$T/gent.log.stuck"
t_check "gent starts again" start_gent
up=0
for _ in $(seq 100); do [ "$(metric signaal_sync_engine_stuck)" = 0 ] && { up=1; break; }; sleep 0.1; done
t_equal "after the restart the gauge is 0" "$up" 1
t_equal "captures are stored" "$(capture)" 201
t_check "and it syncs again" fed_wait_converged 60 vvsg gent
ok=0
for _ in $(seq 50); do
	"$SIGNAALCTL" -d "$G" status >"$T/status.again" 2>&1
	grep -Eq "^signaald +actief" "$T/status.again" && ! grep -q VASTGELOPEN "$T/status.again" && { ok=1; break; }
	sleep 0.2
done
t_equal "status: running, no stuck line" "$ok" 1
[ "$ok" = 1 ] || t_show "$T/status.again"

# --- a reload whose close hangs ------------------------------------------
# A new [sync] listen closes the sync server at SIGHUP (and a reload
# closes the peers' sockets): their closes hang, each is counted, and
# the next probe tick restarts signaald without probing.
touch "$HANG"
t_port newport || t_done
sed -i "/^\[sync\]/,/^\[/ s|^listen = .*|listen = tcp://127.0.0.1:$newport|" "$G/signaal.ini"
kill -HUP "${FED_PID[gent]}"
wait_exit "${FED_PID[gent]}" 40
rc=$?
FED_PID[gent]=
t_equal "a reload's close hangs: exit 75 at the next tick" "$rc" 75
t_grep "the close is told as an error while running" \
	"level=error mod=server event=close_abandoned url=tcp://127.0.0.1:[0-9]+ waited_ms=1000 reason=nng_close_hung" "$T/gent.log"
t_grep "the restart names what found it" \
	'level=error mod=tasks event=nng_stuck found_by=close_abandoned close_abandoned=[1-9] ' "$T/gent.log"
n=$(grep -c "event=close_abandoned" "$T/gent.log")
t_grep "signaald.prom: every close left behind is counted ($n)" "^signaal_sync_close_abandoned_total $n$" "$G/signaald.prom"
t_equal "the watchdog was not needed" "$(grep -c event=shutdown_stuck "$T/gent.log")" 0
rm -f "$HANG"

fed_stop vvsg
t_check "gent's store is whole" sh -c "sqlite3 '$G/signaal.db' 'pragma integrity_check' | grep -qx ok"
t_done
