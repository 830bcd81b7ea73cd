#!/usr/bin/env bash
# A member that switched to its new key during a rotation's overlap and
# never pushes (push = nee) still gets its documents out (PROTOCOL.md 6,
# "Sessions in the overlap"). The association addresses kortrijk on the
# key that last worked (its old one); kortrijk, now on its new key,
# refuses that key (denied), and the association tries kortrijk's other
# valid key within the same round, syncs, and remembers it. Without the
# fallback kortrijk's new documents reach nobody until the overlap ends.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

keyid() { # DIR: the key id of DIR/keys/node.pub
	"$SIGNAALCTL" -d "$1" keygen --toon | awk '/sleutel-id/ {print $2}'
}
published() { # NODE KEYID: a status signed with KEYID since the last start
	grep -q "event=status_published.*key_id=$2" "$T/$1.log"
}
# kortrijk_seq NODE: the highest position of kortrijk's feed NODE holds.
kortrijk_seq() {
	"$SIGNAALCTL" -d "$T/$1" sync vv | awk '$1 == "kortrijk" {print $2}'
}
fallbacks() {
	fed_metric vvsg 'signaal_sync_session_key_fallbacks_total\{peer="kortrijk"\}'
}

t_check "federation set up" fed_init federatie vvsg gent kortrijk
sed -i "s/^push = ja$/push = nee/" "$T/kortrijk/signaal.ini"
t_grep "kortrijk does not push" "^push = nee" "$T/kortrijk/signaal.ini"
for n in vvsg gent kortrijk; do fed_start "$n"; done
k1=$(keyid "$T/kortrijk")
t_check "kortrijk publishes with its first key" fed_wait 30 \
	published kortrijk "$k1"
t_check "converges (the association pulls from kortrijk)" \
	fed_wait_converged 60 vvsg gent kortrijk

# The association rotates kortrijk's key with a day of overlap.
mkdir "$T/k2"
"$SIGNAALCTL" -d "$T/k2" keygen >/dev/null
k2=$(keyid "$T/k2")
"$SIGNAALCTL" -d "$T/vvsg" federation member rotate-key kortrijk \
	--sleutel "$T/k2/keys/node.pub" --overgang 1 >/dev/null
t_check "rotation published" "$SIGNAALCTL" -d "$T/vvsg" federation publish
t_check "kortrijk holds the rotating roster" fed_wait 30 \
	grep -q "event=own_key_closing node=kortrijk key_id=$k1" \
	"$T/kortrijk.log"
t_check "converges on the old key" fed_wait_converged 60 vvsg gent kortrijk
t_equal "no fallback while kortrijk is on its old key" "$(fallbacks)" 0

# kortrijk's operator installs the new key; kortrijk publishes with it
# and pushes nothing.
before=$(kortrijk_seq vvsg)
fed_stop kortrijk
cp "$T/k2/keys/node.key" "$T/k2/keys/node.pub" "$T/kortrijk/keys/"
fed_start kortrijk
t_check "kortrijk publishes with its new key" fed_wait 30 \
	published kortrijk "$k2"
t_check "the association fetches it in the overlap" fed_wait 30 bash -c \
	"[ \"\$('$SIGNAALCTL' -d '$T/vvsg' sync vv | awk '\$1 == \"kortrijk\" {print \$2}')\" -gt $before ]"
t_check "everything converges" fed_wait_converged 60 vvsg gent kortrijk
t_grep "the association logs the fallback" \
	"event=session_key_fallback peer=kortrijk refused_key_id=$k1 key_id=$k2" \
	"$T/vvsg.log"
t_check "and counts it" fed_wait 10 bash -c "[ \"\$(grep -E '^signaal_sync_session_key_fallbacks_total\\{peer=\"kortrijk\"\\}' '$T/vvsg/signaald.prom' | awk '{print \$2}')\" = 1 ]"
t_check "kortrijk refused the old key" grep -q \
	'^signaal_sync_refused_total{reason="denied"}' "$T/kortrijk/signaald.prom"
# Remembered: later rounds address the new key at once.
before=$(grep -c "event=session_key_fallback" "$T/vvsg.log")
sleep 4
t_equal "no further fallback (the key that worked is remembered)" \
	"$(fallbacks)" 1
t_equal "logged once" "$(grep -c "event=session_key_fallback" "$T/vvsg.log")" "$before"
t_equal "nothing refused at the association" \
	"$(fed_metric vvsg signaal_docs_rejected_total)" 0
for n in vvsg gent kortrijk; do fed_stop "$n"; done
t_done
