#!/usr/bin/env bash
# signaald as a program: a bad config stops it before it starts (naming
# the line, exit 78); --check; clean stops on SIGTERM and SIGINT; SIGHUP
# reloads (a bad config then is logged and the old one kept); a busy port;
# the metrics and status files.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

t_check "federation set up" fed_init federatie vvsg gent
G=$T/gent

cp "$G/signaal.ini" "$T/good.ini"
printf '[sync]\ninterval_s = soms\n' >>"$G/signaal.ini"
t_expect_fail "a bad config: exit 78" 78 "$SIGNAALD" -d "$G"
t_grep "the error names the line" "regel [0-9]+: sleutel 'interval_s' in \[sync\] staat er twee keer|regel [0-9]+: \[sync\] interval_s" "$T/last.out"
cp "$T/good.ini" "$G/signaal.ini"
mv "$G/keys/federation.pub" "$T/fed.pub"
t_expect_fail "no anchor: exit 78" 78 "$SIGNAALD" -d "$G"
t_grep "the error names the anchor" "\[federation\] anchor" "$T/last.out"
mv "$T/fed.pub" "$G/keys/federation.pub"
t_check "--check passes" "$SIGNAALD" -d "$G" --check
t_grep "--check says so" "in orde" "$T/last.out"
# --check reads the pages as the start would: a web_dir that does not
# exist (or misses a page) fails the check, not only the start (exit 78).
cp "$G/signaal.ini" "$T/good.ini"
sed -i 's|^web_dir *=.*|web_dir = /nonexistent/signaal-web|' "$G/signaal.ini"
grep -q '^web_dir = /nonexistent' "$G/signaal.ini" || printf '[http]\nweb_dir = /nonexistent/signaal-web\n' >>"$G/signaal.ini"
t_expect_fail "--check refuses a web_dir that does not exist: exit 78" 78 "$SIGNAALD" -d "$G" --check
t_grep "... naming [http] web_dir" "\[http\] web_dir: .*/nonexistent/signaal-web/" "$T/last.out"
mkdir -p "$T/halfweb" && cp "$ROOT/web/index.html" "$T/halfweb/"
sed -i "s|^web_dir *=.*|web_dir = $T/halfweb|" "$G/signaal.ini"
t_expect_fail "--check refuses a web_dir without every page: exit 78" 78 "$SIGNAALD" -d "$G" --check
cp "$T/good.ini" "$G/signaal.ini"
t_expect_fail "an unknown argument: exit 2" 2 "$SIGNAALD" --frobnicate
t_check "--version" "$SIGNAALD" --version

fed_start vvsg
fed_start gent
t_check "they converge" fed_wait_converged 30 vvsg gent
t_check "the metrics file is written" fed_wait 10 grep -q '^signaal_info{node="gent"' "$G/signaald.prom"
t_check "the status file is valid JSON" fed_wait 10 bash -c \
	"[ \"\$(sqlite3 :memory: \"SELECT json_extract(readfile('$G/signaald.json'), '\\\$.node')\")\" = gent ]"

# A second daemon on the same port cannot listen: it says so and stops.
cp -a "$G" "$T/gent2"
rm -f "$T/gent2/signaald.json" "$T/gent2/signaald.prom"
t_expect_fail "a busy port: exit 1" 1 "$SIGNAALD" -d "$T/gent2"
t_grep "the error names the address" "kan niet luisteren op tcp://127.0.0.1" "$T/last.out"

# SIGHUP: a new interval is applied, and the sync listener's connection
# limits (it listens again with them); a broken config is refused and
# the daemon carries on with the old one.
sed -i -e 's/^interval_s = .*/interval_s = 2/' \
	-e 's/^max_per_client = 32$/max_per_client = 5/' \
	-e 's/^max_per_client = 64$/max_per_client = 7/' "$G/signaal.ini"
kill -HUP "${FED_PID[gent]}"
t_check "reload applied" fed_wait 10 grep -q "event=reloaded" "$T/gent.log"
t_check "the sync listener's max_per_client too" fed_wait 10 grep -q \
	"event=listening .*max_per_client=5" "$T/gent.log"
t_check "and the HTTP server's limits (it reopens with them)" fed_wait 10 grep -q \
	"mod=http event=listening .*max_per_client=7" "$T/gent.log"
printf 'junk line\n' >>"$G/signaal.ini"
kill -HUP "${FED_PID[gent]}"
t_check "a bad config on reload is refused" fed_wait 10 grep -q "event=reload_failed" "$T/gent.log"
t_check "and the daemon runs on" kill -0 "${FED_PID[gent]}"
cp "$T/good.ini" "$G/signaal.ini"
t_check "gent still syncs" fed_wait 20 bash -c \
	"'$SIGNAALCTL' -d '$G' sync digest >/dev/null && grep -q 'signaal_peer_up{peer=\"vvsg\"} 1' '$G/signaald.prom'"

# Stops: SIGINT for gent, SIGTERM for the hub; both exit 0, closing every
# handle (the loop closes, or main would log handle_left_open and exit 1).
kill -INT "${FED_PID[gent]}"
wait "${FED_PID[gent]}"
t_equal "SIGINT: exit 0" "$?" 0
FED_PID[gent]=
fed_stop vvsg
t_grep "the stop is logged" "event=stopped node=vvsg" "$T/vvsg.log"
t_check "no handle was left open" bash -c "! grep -q handle_left_open '$T/vvsg.log' '$T/gent.log'"
t_done
