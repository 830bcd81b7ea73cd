#!/usr/bin/env bash
# Secure aggregation under failure, with real signaald processes
# (docs/SECAGG.md, "Running rounds"):
#  1. a member killed (SIGKILL) between its key and its contribution is
#     dropped: the survivors reveal their pair seeds with it, the total
#     is published without it and names exactly who is in it;
#  2. the aggregator and a member killed (SIGKILL) in the middle of a
#     round: after the restart the aggregator resumes the stored round
#     (same round id, same messages) and it completes;
#  3. the state shows in signaald.json and /metrics.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

month() { date -u -d "$(date -u +%Y-%m-15) -$1 months" +%Y-%m; }
m4=$(month 4) m3=$(month 3)
MEMBERS=(aalst boom dilbeek essen)

t_check "federation set up" fed_init federatie vvsg "${MEMBERS[@]}"
n=1
for m in "${MEMBERS[@]}"; do
	t_check "signals at $m" fed_secagg_signals $n "$m" "$m4" "$m3"
	n=$((n + 1))
	fed_secagg_config "$m"
done
fed_secagg_config vvsg nee
sed -i "s/^log_level = .*/log_level = debug/" "$T/vvsg/signaal.ini"
for m in vvsg "${MEMBERS[@]}"; do fed_start "$m"; done
released() {
	local m
	for m in "${MEMBERS[@]}"; do
		grep -q "event=released period=$m3 " "$T/$m.log" || return 1
	done
}
t_check "the members release $m4 and $m3" fed_wait 60 released
t_check "the releases reach the hub" fed_wait_converged 60 vvsg "${MEMBERS[@]}"

# 1. essen gives its key, then dies before its contribution: the others
# are stopped while it answers, so that the key set waits for them.
for m in aalst boom dilbeek; do kill -STOP "${FED_PID[$m]}"; done
sed -i "s/^enabled = nee/enabled = ja/" "$T/vvsg/signaal.ini"
kill -HUP "${FED_PID[vvsg]}"
t_check "essen's key is taken" fed_wait 30 grep -q \
	"event=taken peer=essen attempt=1 type=key" "$T/vvsg.log"
fed_kill essen
for m in aalst boom dilbeek; do kill -CONT "${FED_PID[$m]}"; done
published() { grep -q "event=fedsum_published period=$1 " "$T/vvsg.log"; }
t_check "the round of $m4 completes without essen" fed_wait 60 published "$m4"
t_grep "essen is dropped: three in the total of four invited" \
	"event=fedsum_published period=$m4 attempt=1 seq=[0-9]* included=3 invited=4" "$T/vvsg.log"
if grep -q "event=taken peer=essen attempt=1 type=contrib" "$T/vvsg.log"; then
	t_notok "no contribution from essen"
else
	t_ok "no contribution from essen"
fi
t_check "the next period runs without essen" fed_wait 60 published "$m3"
t_check "the status names the dropped member" fed_wait 30 grep -q \
	"\"dropped\": 1" "$T/vvsg/signaald.json"
grep -q '"dropped": 1' "$T/vvsg/signaald.json" ||
	grep -A40 '"secagg"' "$T/vvsg/signaald.json" | sed 's/^/# /'
t_check "the metrics show the round" fed_wait 30 grep -qE \
	"^signaal_secagg_round_members\\{period=\"$m4\",state=\"published\",kind=\"dropped\"\\} 1" \
	"$T/vvsg/signaald.prom"
idle() {
	grep -q '"current": ""' "$T/vvsg/signaald.json" &&
		grep -q '"enabled": true' "$T/vvsg/signaald.json"
}
t_check "every released period is done" fed_wait 60 idle
fed_start essen
t_check "every node holds the same documents" fed_wait_converged 60 vvsg "${MEMBERS[@]}"
[ -n "${SECAGG_PART1_ONLY:-}" ] && t_done

# 2. A correction at every member opens no new round (a period is
# published once); a new period does. The hub and a member die in the
# middle of its round and it still completes.
m5=$(month 5)
for m in "${MEMBERS[@]}"; do
	printf '%s-03;;wonen;;25-64;;ocmw;OCMW;;1;2;;\n' "$m5" |
		sed '1i geregistreerd_op;vastgesteld_op;thema;probleemtype;leeftijd;doelgroep;sector;organisatie;melder;aantal_personen;ernst;wijk;omschrijving' \
		>"$T/$m.m5.csv"
	"$SIGNAALCTL" -d "$T/$m" signal import "$T/$m.m5.csv" >/dev/null
done
# The members release it at their next start.
for m in "${MEMBERS[@]}"; do fed_stop "$m"; done
fed_stop vvsg
cp "$T/vvsg.log" "$T/vvsg.part1.log"
sed -i "s/^log_level = .*/log_level = debug/" "$T/vvsg/signaal.ini"
for m in vvsg "${MEMBERS[@]}"; do fed_start "$m"; done
t_check "the round of $m5 opens" fed_wait 60 grep -q \
	"event=round_opened period=$m5 attempt=1" "$T/vvsg.log"
contributed() {
	sed -n "/event=round_opened period=$m5 /,\$p" "$T/vvsg.log" |
		grep -q "event=taken peer=[a-z]* attempt=1 type=contrib"
}
t_check "a contribution is taken" fed_wait 30 contributed
fed_kill vvsg
fed_kill boom
t_check "the hub's store is intact" "$SIGNAALCTL" -d "$T/vvsg" check
fed_start boom
fed_start vvsg
t_check "the hub resumes the stored round" fed_wait 30 grep -q \
	"event=round_resumed period=$m5 attempt=1" "$T/vvsg.log"
t_check "and it completes" fed_wait 60 published "$m5"
t_grep "as attempt 1 (the same round), all four in" \
	"event=fedsum_published period=$m5 attempt=1 seq=[0-9]* included=4 invited=4" "$T/vvsg.log"
t_check "every node holds the same documents" fed_wait_converged 60 vvsg "${MEMBERS[@]}"
if grep -E "level=error" "$T"/*.log | grep -q "mod=secagg"; then
	t_notok "no secagg errors logged" "$(grep -E 'level=error' "$T"/*.log | grep mod=secagg | head -3)"
else
	t_ok "no secagg errors logged"
fi
for m in vvsg "${MEMBERS[@]}"; do fed_stop "$m"; done
t_done
