#!/usr/bin/env bash
# A node killed with SIGKILL in the middle of a sync restarts and
# converges, with nothing lost and nothing twice: pages are committed one
# by one, and the next round goes on from the store's heads.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

t_check "federation set up" fed_init federatie vvsg dendermonde
# Small pages, so that the sync takes many of them.
sed -i "s/^page_docs = .*/page_docs = 8/" "$T/vvsg/signaal.ini"
t_check "dendermonde has many documents" fed_fill dendermonde 3000
fed_start dendermonde
fed_start vvsg
partial() {
	local n
	n=$(fed_docs vvsg)
	[ "$n" -gt 100 ] && [ "$n" -lt 2900 ]
}
t_check "the hub is part-way" fed_wait 60 partial
fed_kill vvsg
got=$(fed_docs vvsg)
t_check "killed part-way ($got documents)" test "$got" -lt 3004
t_check "store intact after SIGKILL" "$SIGNAALCTL" -d "$T/vvsg" check
fed_start vvsg
t_check "converges after restart" fed_wait_converged 90 vvsg dendermonde
# Nothing twice: every feed is gapless, so documents = sum of heads.
heads=$("$SIGNAALCTL" -d "$T/vvsg" sync vv | awk '{s += $2} END {print s}')
t_equal "no duplicates, no gaps" "$(fed_docs vvsg)" "$heads"
dd=$("$SIGNAALCTL" -d "$T/vvsg" sync vv | awk '$1 == "dendermonde" {print $2}')
t_check "nothing lost" test "$dd" -ge 3000
t_grep "restart logged" "event=started node=vvsg" "$T/vvsg.log"
fed_stop vvsg
fed_stop dendermonde
t_done
