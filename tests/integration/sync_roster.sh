#!/usr/bin/env bash
# Membership both ways: a node that is not in the roster gets nothing and
# gives nothing; a member whose key the federation revokes (a roster
# update published while everything runs) is cut off without a restart.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

t_check "federation set up" fed_init federatie vvsg gent kortrijk
# An outsider with the federation's documents and a config pointing at
# the hub, but not in the roster.
fed_node brugge gemeente "vvsg=tcp://127.0.0.1:${FED_PORT[vvsg]}"
fed_join brugge
t_check "outsider has documents of its own" fed_fill brugge 5
for n in vvsg gent kortrijk brugge; do fed_start "$n"; done
# Each member's status is everywhere (3 federation documents + 3).
t_check "members converge" fed_wait 60 bash -c \
	"for n in vvsg gent kortrijk; do '$SIGNAALCTL' -d '$T/'\$n sync digest | grep -q 'docs=6\$' || exit 1; done"
t_check "members have identical feeds" fed_wait_converged 30 vvsg gent kortrijk

# brugge's requests are refused (key), so it has nothing of the others
# and they have nothing of it.
t_check "outsider refused at the hub" fed_wait 20 bash -c \
	"grep -q 'signaal_sync_refused_total{reason=\"key\"}' '$T/vvsg/signaald.prom'"
t_grep "outsider's rounds fail" "event=round_failed peer=vvsg.*reason=key" \
	"$T/brugge.log"
t_equal "outsider got nothing" "$(fed_docs brugge)" 8
t_check "hub holds nothing of the outsider" bash -c \
	"! '$SIGNAALCTL' -d '$T/vvsg' sync vv | grep -q '^brugge '"
t_check "hub does not call the outsider" bash -c \
	"! grep -q 'peer_added peer=brugge' '$T/vvsg.log'"

# Revoke kortrijk's key at the association and publish: from now on, and
# for every position after what the association holds of its feed.
"$SIGNAALCTL" -d "$T/vvsg" federation member revoke-key kortrijk \
	--reden gestolen >/dev/null
t_check "revocation published" "$SIGNAALCTL" -d "$T/vvsg" federation publish
t_check "gent has the new roster" fed_wait 30 bash -c \
	"'$SIGNAALCTL' -d '$T/gent' federation show | grep -q 'ingetrokken'"
t_check "the hub drops kortrijk as a peer" fed_wait 20 \
	grep -q "peer_removed peer=kortrijk" "$T/vvsg.log"
kdocs=$(fed_docs kortrijk)
# kortrijk publishes more; it reaches nobody. The hub publishes more; it
# does not reach kortrijk.
t_check "kortrijk publishes after its revocation" fed_fill kortrijk 3 1
t_check "hub publishes a policy change" bash -c \
	"'$SIGNAALCTL' -d '$T/vvsg' federation policy --wachttijd 5 >/dev/null &&
	 '$SIGNAALCTL' -d '$T/vvsg' federation publish >/dev/null"
t_check "members converge without kortrijk" fed_wait_converged 30 vvsg gent
t_check "kortrijk is refused (revoked)" fed_wait 20 bash -c \
	"grep -q 'signaal_sync_refused_total{reason=\"revoked\"}' '$T/vvsg/signaald.prom'"
sleep 3
t_equal "kortrijk got nothing new" "$(fed_docs kortrijk)" "$((kdocs + 3))"
kseq=$("$SIGNAALCTL" -d "$T/vvsg" sync vv | awk '$1 == "kortrijk" {print $2}')
t_equal "kortrijk's new documents reached nobody" "$kseq" 1
for n in vvsg gent kortrijk brugge; do fed_stop "$n"; done
t_done
