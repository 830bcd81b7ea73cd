#!/usr/bin/env bash
# Secure aggregation during a key rotation's overlap (PROTOCOL.md 15.3,
# 6 "Rotation"): a member, and the aggregator itself, whose keys the
# federation rotated with an overlap and which still sign with their old
# keys take part in the round: every secure-aggregation message is
# verified with the signer's key that its key id names, when the roster
# lets that key hold sessions, not with the signer's newest key. Then the
# member installs its new key and the next periods' rounds include it
# again, while the aggregator is still on its old key.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

month() { date -u -d "$(date -u +%Y-%m-15) -$1 months" +%Y-%m; }
m5=$(month 5) m4=$(month 4) m3=$(month 3) m2=$(month 2)
MEMBERS=(aalst boom dilbeek essen)
keyid() { "$SIGNAALCTL" -d "$1" keygen --toon | awk '/sleutel-id/ {print $2}'; }

t_check "federation set up" fed_init federatie vvsg "${MEMBERS[@]}"
n=1
for m in "${MEMBERS[@]}"; do
	t_check "signals at $m" fed_secagg_signals $n "$m" "$m5" "$m4"
	n=$((n + 1))
	fed_secagg_config "$m"
done
fed_secagg_config vvsg
# Four of four is what this test is about, not a slow member under load:
# a longer wait per phase (the rounds go on as soon as everyone answered).
for m in vvsg "${MEMBERS[@]}"; do
	sed -i "s/^wait_intervals = .*/wait_intervals = 10/" "$T/$m/signaal.ini"
done

# The association rotates aalst's key and its own node key, a day of
# overlap each; neither node installs its new key yet.
for k in aalst vvsg; do
	mkdir "$T/new-$k"
	"$SIGNAALCTL" -d "$T/new-$k" keygen >/dev/null
	"$SIGNAALCTL" -d "$T/vvsg" federation member rotate-key "$k" \
		--sleutel "$T/new-$k/keys/node.pub" --overgang 1 >/dev/null
done
t_check "rotations published" "$SIGNAALCTL" -d "$T/vvsg" federation publish
old_aalst=$(keyid "$T/aalst")
for m in vvsg "${MEMBERS[@]}"; do fed_start "$m"; done

published() { grep -q "event=fedsum_published period=$1 " "$T/vvsg.log"; }
t_check "aalst holds the rotating roster" fed_wait 30 grep -q \
	"event=own_key_closing node=aalst key_id=$old_aalst" "$T/aalst.log"
t_check "the round of $m5 completes" fed_wait 90 published "$m5"
t_check "the round of $m4 completes" fed_wait 90 published "$m4"
t_grep "all four are in the $m5 total, aalst on its old key" \
	"event=fedsum_published period=$m5 attempt=1 seq=[0-9]* included=4 invited=4" "$T/vvsg.log"
t_grep "and in the $m4 total" \
	"event=fedsum_published period=$m4 attempt=1 seq=[0-9]* included=4 invited=4" "$T/vvsg.log"
t_check "no member refused the aggregator's old key" bash -c \
	"! grep -h 'mod=secagg event=request_refused' $T/aalst.log $T/boom.log $T/dilbeek.log $T/essen.log | grep -q ."
t_check "every node holds the same documents" fed_wait_converged 60 vvsg "${MEMBERS[@]}"

# aalst installs its new key; two more periods fall due everywhere; the
# aggregator is still on its old key.
fed_stop aalst
cp "$T/new-aalst/keys/node.key" "$T/new-aalst/keys/node.pub" "$T/aalst/keys/"
fed_start aalst
new_aalst=$(keyid "$T/aalst")
t_check "aalst publishes with its new key" fed_wait 30 grep -q \
	"event=status_published.*key_id=$new_aalst" "$T/aalst.log"
# (the association finds aalst's new key for its sessions by itself)
t_check "and the association holds it" fed_wait_converged 60 vvsg "${MEMBERS[@]}"
n=1
for m in "${MEMBERS[@]}"; do
	t_check "more signals at $m" fed_secagg_signals $n "$m" "$m3" "$m2"
	n=$((n + 1))
	kill -HUP "${FED_PID[$m]}"
done
t_check "the round of $m3 completes" fed_wait 90 published "$m3"
t_check "the round of $m2 completes" fed_wait 90 published "$m2"
t_grep "all four in the $m3 total, aalst on its new key" \
	"event=fedsum_published period=$m3 attempt=1 seq=[0-9]* included=4 invited=4" "$T/vvsg.log"
t_grep "and in the $m2 total" \
	"event=fedsum_published period=$m2 attempt=1 seq=[0-9]* included=4 invited=4" "$T/vvsg.log"
t_check "every node holds the same documents again" fed_wait_converged 60 vvsg "${MEMBERS[@]}"
for m in vvsg "${MEMBERS[@]}"; do fed_stop "$m"; done
t_done
