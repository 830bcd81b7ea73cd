#!/usr/bin/env bash
# A routine key rotation never kills a member's feed (PROTOCOL.md 6,
# "Rotation"). The association rotates gent's key with an overlap: gent's
# node signs on with its old key during the overlap (a restart publishes
# a status document) and every node takes it; gent's operator installs
# the new key and restarts, and what gent signs next carries the new key.
# Then an emergency rotation without overlap while gent still runs on
# its current key: gent's signaald refuses to sign the releases that
# fall due (log, status line, metric), and gent's feed is refused
# nowhere; once the new key is installed it signs them and everything
# converges.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

keyid() { # DIR: the key id of DIR/keys/node.pub
	"$SIGNAALCTL" -d "$1" keygen --toon | awk '/sleutel-id/ {print $2}'
}
# published NODE KEYID: the node's log says it published a status signed
# with KEYID (since its last start: fed_start begins a new log).
published() {
	grep -q "event=status_published.*key_id=$2" "$T/$1.log"
}
# refused NODE: the documents the node refused, whatever the reason.
refused() { fed_metric "$1" 'signaal_docs_rejected_total'; }

t_check "federation set up" fed_init federatie vvsg gent kortrijk
for n in vvsg gent kortrijk; do fed_start "$n"; done
k1=$(keyid "$T/gent")
t_check "gent publishes with its first key" fed_wait 30 published gent "$k1"
t_check "converges" fed_wait_converged 60 vvsg gent kortrijk

# --- a rotation with an overlap of a day --------------------------------
mkdir "$T/k2" "$T/k3"
"$SIGNAALCTL" -d "$T/k2" keygen >/dev/null
"$SIGNAALCTL" -d "$T/k3" keygen >/dev/null
k2=$(keyid "$T/k2")
k3=$(keyid "$T/k3")
t_expect_fail "a bad --overgang is refused" 2 "$SIGNAALCTL" -d "$T/vvsg" \
	federation member rotate-key gent --sleutel "$T/k2/keys/node.pub" \
	--overgang -1
t_expect_fail "--overgang belongs to rotate-key only" 2 "$SIGNAALCTL" \
	-d "$T/vvsg" federation member remove gent --overgang 3
"$SIGNAALCTL" -d "$T/vvsg" federation member rotate-key gent \
	--sleutel "$T/k2/keys/node.pub" --overgang 1 >"$T/rotate1.out"
t_grep "rotate-key tells the overlap" "oude tekent nog 1 dag" "$T/rotate1.out"
t_check "rotation published" "$SIGNAALCTL" -d "$T/vvsg" federation publish
t_check "gent holds the rotating roster" fed_wait 30 bash -c \
	"'$SIGNAALCTL' -d '$T/gent' federation show | grep -q '$k2'"
t_check "gent warns that its key closes" fed_wait 20 \
	grep -q "event=own_key_closing node=gent key_id=$k1" "$T/gent.log"
t_check "the status says so" fed_wait 10 bash -c \
	"'$SIGNAALCTL' -d '$T/gent' status | grep -q '^Sleutel .*sluit op'"
t_equal "the closing time is a day after the roster" \
	"$(fed_metric gent signaal_own_key_closes_timestamp_seconds | awk -v now="$(date +%s)" '{d = $1 - now; print (d > 86000 && d <= 86400)}')" 1

# gent signs on with its old key during the overlap: taken everywhere.
fed_stop gent
fed_start gent
t_check "gent publishes with its old key in the overlap" \
	fed_wait 30 published gent "$k1"
t_check "every node takes it" fed_wait_converged 60 vvsg gent kortrijk

# gent's operator installs the new key and restarts.
fed_stop gent
cp "$T/k2/keys/node.key" "$T/k2/keys/node.pub" "$T/gent/keys/"
fed_start gent
t_check "gent publishes with its new key" fed_wait 30 published gent "$k2"
t_check "every node takes it too" fed_wait_converged 60 vvsg gent kortrijk
t_check "no warning any more" fed_wait 10 bash -c \
	"! '$SIGNAALCTL' -d '$T/gent' status | grep -q '^Sleutel'"

# --- an emergency rotation, no overlap, gent still on its key -----------
# The roster that closes gent's key closes its sessions too, so gent
# cannot get it by sync: the association sends the bundle, which gent's
# operator imports while signaald runs (its own head known). Nothing is
# due at gent meanwhile, so nothing it signs crosses the roster. Then
# periods become due (signals of two past months) and a SIGHUP runs the
# release at once: signed with the closed key, those summaries would be
# refused everywhere and gent's feed would stop there for good.
gent_head() { "$SIGNAALCTL" -d "$T/$1" sync vv | awk '$1 == "gent" {print $2}'; }
"$SIGNAALCTL" -d "$T/vvsg" federation member rotate-key gent \
	--sleutel "$T/k3/keys/node.pub" --overgang 0 >"$T/rotate2.out"
t_grep "rotate-key warns: switch at once" "LET OP: geen overgang" \
	"$T/rotate2.out"
t_check "emergency rotation published" "$SIGNAALCTL" -d "$T/vvsg" \
	federation publish
t_check "bundle" "$SIGNAALCTL" -d "$T/vvsg" federation export \
	"$T/federatie2.bundle"
t_check "gent imports it while running" "$SIGNAALCTL" -d "$T/gent" \
	federation import "$T/federatie2.bundle"
t_check "gent says it may not sign with its closed key" fed_wait 20 \
	grep -q "event=own_key_invalid node=gent key_id=$k2 reason=expired" \
	"$T/gent.log"
t_check "the status says what to do" fed_wait 10 bash -c \
	"'$SIGNAALCTL' -d '$T/gent' status | grep -q '^Sleutel .*FOUT: .*keys/node.key'"
t_check "the metric says so" fed_wait 10 bash -c \
	"[ \"\$(grep '^signaal_own_key_valid ' '$T/gent/signaald.prom' | awk '{print \$2}')\" = 0 ]"
held=$(gent_head gent)
t_check "periods become due at gent" fed_secagg_signals 1 gent 2025-09 2025-10
kill -HUP "${FED_PID[gent]}"
t_check "gent tries to release" fed_wait 10 grep -q "event=reloaded" "$T/gent.log"
sleep 3
t_equal "gent signed nothing" "$(gent_head gent)" "$held"
t_check "no release" bash -c "! grep -q 'event=released' '$T/gent.log'"
t_equal "said once" "$(grep -c "event=own_key_invalid" "$T/gent.log")" 1
t_check "the others converge" fed_wait_converged 30 vvsg kortrijk
t_equal "nothing of gent refused at the association" "$(refused vvsg)" 0
t_equal "nothing of gent refused at kortrijk" "$(refused kortrijk)" 0

# gent's operator installs the new key: it signs again, all converge.
fed_stop gent
cp "$T/k3/keys/node.key" "$T/k3/keys/node.pub" "$T/gent/keys/"
fed_start gent
t_check "gent publishes with the emergency key" fed_wait 30 \
	published gent "$k3"
t_check "and releases what was due" fed_wait 30 grep -q "event=released" \
	"$T/gent.log"
t_check "everything converges" fed_wait_converged 60 vvsg gent kortrijk
t_equal "still nothing refused at the association" "$(refused vvsg)" 0
t_equal "still nothing refused at kortrijk" "$(refused kortrijk)" 0
for n in vvsg gent kortrijk; do fed_stop "$n"; done
t_done
