#!/usr/bin/env bash
# A fork: a copy of a node (same key) signs other documents at the same
# feed positions. The hub detects it, keeps both documents as a portable
# proof, quarantines the origin and raises it (log, metrics, status);
# other members learn it from the proof; an operator resolves it.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

t_check "federation set up" fed_init federatie vvsg bornem eeklo
# The twin: bornem's directory copied before either published anything,
# listening elsewhere.
cp -a "$T/bornem" "$T/twin"
sed -i -e "/^\[sync\]/,/^\[/ s|^listen = .*|listen = tcp://127.0.0.1:$((FED_BASE + 50))|" \
	-e "/^\[http\]/,/^\[/ s|^listen = .*|listen = 127.0.0.1:$((FED_BASE + 51))|" \
	"$T/twin/signaal.ini"
t_check "bornem publishes" fed_fill bornem 4 1
t_check "its twin publishes other documents" fed_fill twin 6 2
for n in vvsg bornem eeklo; do fed_start "$n"; done
t_check "converges" fed_wait_converged 60 vvsg bornem eeklo
t_start=$(date +%s)
t_spawn "$T/twin.log" "$SIGNAALD" -d "$T/twin"
twin_pid=$T_LAST_PID

t_check "hub detects the fork" fed_wait 30 bash -c \
	"'$SIGNAALCTL' -d '$T/vvsg' fork list | grep -q '^bornem '"
t_grep "fork logged" "level=error mod=ingest event=fork_detected .*origin=bornem" \
	"$T/vvsg.log"
t_check "fork in the metrics" fed_wait 10 grep -q "^signaal_forks_unresolved 1" \
	"$T/vvsg/signaald.prom"
t_check "fork in the status file" fed_wait 10 bash -c \
	"grep -A3 '\"forks\"' '$T/vvsg/signaald.json' | grep -q bornem"
# A trust alarm (PROTOCOL.md 6, "Alarms"): a metric and a status line,
# named by origin.
t_check "trust alarm in the metrics" fed_wait 10 grep -q \
	'^signaal_trust_alarm{origin="bornem",reason="fork"} [1-9]' \
	"$T/vvsg/signaald.prom"
t_check "signaalctl status at the hub" "$SIGNAALCTL" -d "$T/vvsg" status
t_grep "a status line for the alarm, by origin" \
	"^Alarm +bornem: twee documenten op dezelfde plaats in de feed \(fork\)" \
	"$T/last.out"
t_check "eeklo learns it from the proof" fed_wait 30 bash -c \
	"'$SIGNAALCTL' -d '$T/eeklo' fork list | grep -q '^bornem '"
"$SIGNAALCTL" -d "$T/vvsg" fork show bornem --uit "$T/proof.bin" >"$T/show.out"
t_grep "the proof verifies" "bewijs: geldig" "$T/show.out"
t_check "the proof file exists" test -s "$T/proof.bin"
t_check "the proof again, under umask 000" sh -c \
	"umask 000 && exec '$SIGNAALCTL' -d '$T/vvsg' fork show bornem --uit '$T/proof000.bin'"
t_equal "it is 0644 whatever the umask, and the same proof" \
	"$(stat -c %a "$T/proof000.bin") $(cmp -s "$T/proof.bin" "$T/proof000.bin" && echo same)" "644 same"
t_expect_fail "an existing proof file is not overwritten (exit 5)" 5 \
	"$SIGNAALCTL" -d "$T/vvsg" fork show bornem --uit "$T/proof.bin"
t_equal "no temporary file is left" "$(find "$T" -maxdepth 1 -name 'proof*.tmp.*' | wc -l)" 0

# Quarantined: bornem itself learned of the fork and stopped its own
# feed too. Once the twin is gone its operator resolves it (keeping its
# own branch) and publishes again; the hub, still quarantined, takes
# nothing of it until its operator resolves the fork there as well.
kill -TERM "$twin_pid"; wait "$twin_pid"
t_check "bornem sees the fork too" fed_wait 30 bash -c \
	"'$SIGNAALCTL' -d '$T/bornem' fork list | grep -q '^bornem '"
t_expect_fail "a quarantined feed takes nothing, also its own" 1 \
	fed_fill bornem 1 3
t_check "bornem's operator resolves it" "$SIGNAALCTL" -d "$T/bornem" fork resolve bornem
head_before=$("$SIGNAALCTL" -d "$T/vvsg" sync vv | awk '$1 == "bornem" {print $2}')
t_check "bornem publishes again" fed_fill bornem 2 3
sleep 3
t_equal "the hub takes nothing of bornem while quarantined" \
	"$("$SIGNAALCTL" -d "$T/vvsg" sync vv | awk '$1 == "bornem" {print $2}')" \
	"$head_before"
t_check "resolved at the hub" "$SIGNAALCTL" -d "$T/vvsg" fork resolve bornem
t_check "resolved at eeklo" "$SIGNAALCTL" -d "$T/eeklo" fork resolve bornem
t_expect_fail "resolving twice" 4 "$SIGNAALCTL" -d "$T/vvsg" fork resolve bornem
t_check "bornem is accepted again" fed_wait 30 bash -c \
	"[ \"\$('$SIGNAALCTL' -d '$T/vvsg' sync vv | awk '\$1 == \"bornem\" {print \$2}')\" -gt $head_before ]"
t_check "everyone converges" fed_wait_converged 30 vvsg bornem eeklo
t_check "the proof is kept" bash -c \
	"'$SIGNAALCTL' -d '$T/vvsg' fork list --alle | grep -q '^bornem '"
for n in vvsg bornem eeklo; do fed_stop "$n"; done
t_done
