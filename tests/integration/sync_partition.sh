#!/usr/bin/env bash
# A partition: the hub goes down; on each side documents are published
# (two members that also peer with each other keep syncing, a third is
# cut off). When the hub comes back every node converges to the same
# state (equal version-vector digests).
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

t_check "federation set up" fed_init federatie vvsg gent kortrijk mortsel
sed -i "s/^peers = koepel$/peers = koepel kortrijk/" "$T/gent/signaal.ini"
sed -i "s/^peers = koepel$/peers = koepel gent/" "$T/kortrijk/signaal.ini"
for n in vvsg gent kortrijk mortsel; do fed_start "$n"; done
t_check "converges" fed_wait_converged 60 vvsg gent kortrijk mortsel

fed_stop vvsg
t_check "gent publishes during the partition" fed_fill gent 20 1
t_check "mortsel publishes during the partition" fed_fill mortsel 15 1
t_check "gent and kortrijk still converge" fed_wait_converged 30 gent kortrijk
t_check "mortsel is cut off" bash -c \
	"[ \"\$('$SIGNAALCTL' -d '$T/mortsel' sync digest | cut -d' ' -f1)\" != \"\$('$SIGNAALCTL' -d '$T/gent' sync digest | cut -d' ' -f1)\" ]"
t_check "the hub publishes while down (roster draft)" bash -c \
	"'$SIGNAALCTL' -d '$T/vvsg' federation policy --wachttijd 3 >/dev/null &&
	 '$SIGNAALCTL' -d '$T/vvsg' federation publish >/dev/null"

fed_start vvsg
t_check "the hub is back (and announced its restart)" fed_wait 30 \
	grep -q "event=status_published" "$T/vvsg.log"
# Every daemon publishes one status document per start, once it knows its
# own head (mortsel's may have waited for the hub): wait for all four, so
# that nothing is still on its way when the counts are compared.
t_check "every node has published its status" fed_wait 30 bash -c \
	"for n in vvsg gent kortrijk mortsel; do grep -q event=status_published '$T/'\$n.log || exit 1; done"
t_check "the partition heals" fed_wait_converged 60 vvsg gent kortrijk mortsel
d=$(fed_digest vvsg)
for n in gent kortrijk mortsel; do
	t_equal "$n identical to the hub" "$(fed_digest "$n")" "$d"
done
# 3 + 1 federation documents, 4 statuses, 20 + 15 published on the two
# sides, and the hub's status after its restart.
# What was published on both sides is everywhere (statuses may or may not
# have been published before the partition; the counts must agree).
seq_of() { "$SIGNAALCTL" -d "$T/$1" sync vv | awk -v o="$2" '$1 == o {print $2}'; }
for n in vvsg kortrijk mortsel; do
	t_check "$n has gent's 20" test "$(seq_of "$n" gent)" -ge 20
	t_check "$n has mortsel's 15" test "$(seq_of "$n" mortsel)" -ge 15
	t_equal "$n holds as many documents as gent" "$(fed_docs "$n")" "$(fed_docs gent)"
done
for n in vvsg gent kortrijk mortsel; do fed_stop "$n"; done
t_done
