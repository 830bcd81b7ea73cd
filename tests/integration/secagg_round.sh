#!/usr/bin/env bash
# Secure aggregation driven by signaald (docs/SECAGG.md, "Running
# rounds"): the association runs a round per released period over the
# sync sessions and publishes the federation summary (type 7) in its own
# feed; every node ends up holding the same documents.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

month() { date -u -d "$(date -u +%Y-%m-15) -$1 months" +%Y-%m; }
m3=$(month 3) m2=$(month 2)
MEMBERS=(aalst boom dilbeek essen)

# A few signals per member and month (different per member), [secagg] on.
t_check "federation set up" fed_init federatie vvsg "${MEMBERS[@]}"
n=1
for m in "${MEMBERS[@]}"; do
	t_check "signals at $m" fed_secagg_signals $n "$m" "$m3" "$m2"
	n=$((n + 1))
	fed_secagg_config "$m"
done
fed_secagg_config vvsg
for m in vvsg "${MEMBERS[@]}"; do fed_start "$m"; done

published() { grep -q "event=fedsum_published period=$1 " "$T/vvsg.log"; }
t_check "the round of $m3 completes" fed_wait 60 published "$m3"
t_check "the round of $m2 completes" fed_wait 60 published "$m2"
t_grep "all four are in the total" "event=fedsum_published period=$m3 attempt=1 seq=[0-9]* included=4 invited=4" "$T/vvsg.log"
t_check "every node holds the same documents" fed_wait_converged 60 vvsg "${MEMBERS[@]}"
t_check "the members' secret is private" test "$(stat -c %a "$T/aalst/keys/secagg.secret")" = 600
for m in vvsg "${MEMBERS[@]}"; do fed_stop "$m"; done
t_done
