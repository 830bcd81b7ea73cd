#!/usr/bin/env bash
# A removed member's key closes at a point in its feed, not only at a time
# (PROTOCOL.md 6, "Removal"; 12, "Removed member"). mortsel publishes
# documents the association does not hear of (it is down) but gent takes
# in. The association then removes mortsel: the removal records the head
# of mortsel's feed as the association holds it (left_seq). When it runs
# again and meets mortsel's later documents through gent, it refuses them
# (revoked) although they were created before the removal, raises a
# trust alarm by origin (metric and status line), and keeps mortsel's
# feed at left_seq. gent keeps what it took before the roster reached it.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

head_of() { # NODE ORIGIN: the contiguous head the node holds
	"$SIGNAALCTL" -d "$T/$1" sync vv | awk -v o="$2" '$1 == o {print $2}'
}

FED_MEMBER_PEERS=alle
t_check "federation set up (members peer with each other)" \
	fed_init federatie vvsg gent mortsel
for n in vvsg gent mortsel; do fed_start "$n"; done
t_check "mortsel publishes" fed_fill mortsel 2
# mortsel's own status document (once its head is known, then hourly) is
# in its feed before the heads are counted: on a busy machine it came
# after the convergence, and mortsel's head was one more than counted.
t_check "mortsel's status document is published" \
	fed_wait 30 grep -q "event=status_published" "$T/mortsel.log"
t_check "converges" fed_wait_converged 60 vvsg gent mortsel
held=$(head_of vvsg mortsel)
t_check "the association holds mortsel's feed ($held)" test "${held:-0}" -ge 2

# The association is down; mortsel publishes three more, gent takes them.
fed_stop vvsg
t_check "mortsel publishes while the association is down" fed_fill mortsel 3 1
mhead=$(head_of mortsel mortsel)
t_equal "mortsel's head" "$mhead" "$((held + 3))"
t_check "gent takes them from mortsel" fed_wait 30 bash -c \
	"[ \"\$('$SIGNAALCTL' -d '$T/gent' sync vv | awk '\$1 == \"mortsel\" {print \$2}')\" = $mhead ]"
fed_stop mortsel

# The removal, decided on what the association holds.
t_check "the association removes mortsel" \
	"$SIGNAALCTL" -d "$T/vvsg" federation member remove mortsel
t_grep "at the head it holds" "zijn feed sluit na plaats $held " "$T/last.out"
t_check "and publishes the roster" "$SIGNAALCTL" -d "$T/vvsg" federation publish
fed_start vvsg
t_check "gent gets the new roster" fed_wait 30 bash -c \
	"[ \"\$('$SIGNAALCTL' -d '$T/gent' sync vv | awk '\$1 == \"federatie\" {print \$2}')\" = \"\$('$SIGNAALCTL' -d '$T/vvsg' sync vv | awk '\$1 == \"federatie\" {print \$2}')\" ]"

# mortsel's documents after left_seq reach the association through gent
# and are refused, whatever their created.
t_check "the association refuses them (revoked)" fed_wait 30 grep -q \
	'^signaal_trust_alarm{origin="mortsel",reason="revoked"} [1-9]' \
	"$T/vvsg/signaald.prom"
t_equal "mortsel's feed stays closed at left_seq" "$(head_of vvsg mortsel)" "$held"
t_grep "the alarm is logged once at error" \
	"level=error mod=ingest event=trust_alarm origin=mortsel reason=revoked seq=$((held + 1))" \
	"$T/vvsg.log"
t_equal "once" "$(grep -c 'event=trust_alarm origin=mortsel' "$T/vvsg.log")" 1
t_check "signaalctl status at the association" "$SIGNAALCTL" -d "$T/vvsg" status
t_grep "a status line for the alarm, by origin" \
	"^Alarm +mortsel: ondertekend met een ingetrokken sleutel of na het vertrek van het lid \\(seq $((held + 1))," \
	"$T/last.out"
t_check "status --format json" "$SIGNAALCTL" -d "$T/vvsg" status --format json
t_equal "json: the alarm" \
	"$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([(a['origin'], a['reason']) for a in d['alarmen']])" "$T/last.out")" \
	"[('mortsel', 'revoked')]"
t_equal "gent keeps what it took before the roster reached it" \
	"$(head_of gent mortsel)" "$mhead"
for n in vvsg gent; do fed_stop "$n"; done
t_done
