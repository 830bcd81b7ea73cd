#!/usr/bin/env bash
# Six signaald processes on loopback (the association as hub, five
# municipalities, two of which also peer with each other) converge from
# empty, and again after new documents: status documents, a federation
# policy update published while they run, and a burst of documents at one
# municipality. The association sees every node's latest status.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

NODES=(vvsg berlaar bornem eeklo gent kortrijk)
t_check "federation set up" fed_init federatie "${NODES[@]}"
# gent and kortrijk also sync with each other.
sed -i "s/^peers = koepel$/peers = koepel kortrijk/" "$T/gent/signaal.ini"
sed -i "s/^peers = koepel$/peers = koepel gent/" "$T/kortrijk/signaal.ini"
# eeklo only fetches: what it publishes reaches the association by the
# association's own fetch (asking ahead, below).
sed -i "s/^push = ja$/push = nee/" "$T/eeklo/signaal.ini"
t_grep "eeklo does not push" "^push = nee" "$T/eeklo/signaal.ini"
for n in "${NODES[@]}"; do fed_start "$n"; done

# Every node publishes its status once it runs; each ends up with all six
# plus the three federation documents.
t_check "every node holds every status" fed_wait 60 bash -c \
	"for n in ${NODES[*]}; do '$SIGNAALCTL' -d '$T/'\$n sync digest | grep -q 'docs=9\$' || exit 1; done"
t_check "converges from empty" fed_wait_converged 60 "${NODES[@]}"
t_check "the association sees every node's status" fed_wait 20 \
	bash -c "grep -c '\"origin\"' '$T/vvsg/signaald.json' | grep -qx 6"

# New documents while running: a policy update at the association...
"$SIGNAALCTL" -d "$T/vvsg" federation policy --wachttijd 9 >/dev/null
t_check "policy update published" "$SIGNAALCTL" -d "$T/vvsg" federation publish
# ...and 300 documents at a municipality (pages of up to 256).
t_check "documents published at eeklo" fed_fill eeklo 300
t_check "converges after new documents" fed_wait_converged 60 "${NODES[@]}"
t_equal "all 310 documents everywhere" "$(fed_docs gent)" 310

# Asking ahead (node/sync_client.c): eeklo's 300 documents travel in
# pages of 256 and eeklo does not push, so the association's round that
# fetched them asked for the second page before the first was taken in
# (with a verify pool: two cores or more). /metrics counts that per
# peer, and the pages dropped unseen.
curl -s "http://127.0.0.1:${FED_HTTP[vvsg]}/metrics" >"$T/metrics_ahead"
t_grep "/metrics: pages asked ahead, a counter" \
	'^# TYPE signaal_sync_pages_ahead_total counter' "$T/metrics_ahead"
t_grep "/metrics: pages asked ahead and dropped, a counter" \
	'^# TYPE signaal_sync_pages_stale_total counter' "$T/metrics_ahead"
sum_of() {
	grep -E "^$1\{peer=\"[a-z]+\"\} " "$T/metrics_ahead" |
		awk '{s += $NF} END {print s + 0}'
}
ahead=$(sum_of signaal_sync_pages_ahead_total)
stale=$(sum_of signaal_sync_pages_stale_total)
from_eeklo=$(grep -E '^signaal_sync_pages_ahead_total\{peer="eeklo"\} ' \
	"$T/metrics_ahead" | awk '{print $NF + 0}')
if [ "$(nproc)" -lt 2 ] || [ "${from_eeklo:-0}" -ge 1 ]; then
	t_ok "pages were asked ahead of eeklo (${from_eeklo:-0}, $(nproc) cores)"
else
	t_notok "pages were asked ahead of eeklo" "${from_eeklo:-none}"
fi
if [ "$stale" -le "$ahead" ]; then
	t_ok "stale pages are some of those asked ahead ($stale of $ahead)"
else
	t_notok "stale pages are some of those asked ahead" "$stale > $ahead"
fi
t_grep "the new policy is in force at a member" "9 dagen" \
	<("$SIGNAALCTL" -d "$T/kortrijk" federation show)

# A round where nothing changed is one digest exchange of a few hundred
# bytes (two sealed messages). berlaar and vvsg call each other: count
# berlaar's rounds and the requests it served vvsg.
exchanges() {
	echo $(( $(fed_metric berlaar 'signaal_sync_rounds_total\{peer="vvsg"') +
		$(fed_metric berlaar 'signaal_sync_requests_total\{peer="vvsg"') ))
}
sleep 2
b0=$(fed_metric berlaar 'signaal_sync_bytes_total\{peer="vvsg"')
x0=$(exchanges)
sleep 4
b1=$(fed_metric berlaar 'signaal_sync_bytes_total\{peer="vvsg"')
x1=$(exchanges)
n=$((x1 - x0)) bytes=$((b1 - b0))
if [ "$n" -gt 0 ] && [ $((bytes / n)) -lt 400 ]; then
	t_ok "an idle exchange costs $((bytes / n)) bytes ($n exchanges)"
else
	t_notok "an idle exchange is cheap" "$bytes bytes in $n exchanges"
fi

# The replay guard that counts is the sync engine's (its own thread):
# a node that served sessions holds entries in it.
r=$(fed_metric berlaar 'signaal_replay_entries')
if [ "$r" -gt 0 ]; then t_ok "the replay guard's entries are counted ($r)"
else t_notok "the replay guard's entries are counted" "signaal_replay_entries $r"; fi

for n in "${NODES[@]}"; do fed_stop "$n"; done
t_grep "clean shutdown logged" "event=stopped" "$T/gent.log"
t_check "stores intact" "$SIGNAALCTL" -d "$T/gent" check
t_done
