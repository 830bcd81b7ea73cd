#!/usr/bin/env bash
# Documents are judged by the policy in force when they were made
# (PROTOCOL.md 5.3), so a federation survives policy changes: gent
# releases under k = 5; the association tightens to k = 7 while eeklo is
# offline; kortrijk releases under k = 7; mortsel joins after the
# tightening (and takes gent's k = 5 summaries); the association loosens
# back to k = 5 and mortsel releases under it; kortrijk is restored from
# a backup made before both changes; eeklo comes back after both. Every
# node converges to the same digest, holds every summary, and refused
# none for the policy.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

ALL=(vvsg gent kortrijk eeklo)
t_check "federation set up" fed_init federatie "${ALL[@]}"
for n in "${ALL[@]}"; do fed_start "$n"; done
t_check "converges" fed_wait_converged 60 "${ALL[@]}"

month=$(date -u -d "$(date -u +%Y-%m-15) -3 months" +%Y-%m)
signals() { # NODE: a few signals three months ago, then release
	for i in 1 2 3 4 5 6; do
		"$SIGNAALCTL" -d "$T/$1" signal add --geregistreerd-op "$month-1$i" \
			--thema wonen --leeftijd 18-24 --sector caw \
			--organisatie "CAW (fictief)" >/dev/null || return 1
	done
	"$SIGNAALCTL" -d "$T/$1" summary release >/dev/null
}
summaries() { # AT ORIGIN
	sqlite3 "$T/$1/signaal.db" \
		"SELECT count(*) FROM feed_doc WHERE origin = '$2' AND type = 4"
}
k_of() { "$SIGNAALCTL" -d "$T/$1" federation show | grep -oE 'k *[=:]? *[0-9]+' | head -1 | grep -oE '[0-9]+$'; }
policy() { # K: a new federation policy, published at the association
	"$SIGNAALCTL" -d "$T/vvsg" federation policy --k "$1" >/dev/null &&
		"$SIGNAALCTL" -d "$T/vvsg" federation publish >/dev/null
}

t_check "gent releases under k = 5" signals gent
g=$(summaries gent gent)
t_check "gent released ($g)" test "$g" -ge 1
t_check "the association has them" fed_wait 30 bash -c "[ \$(sqlite3 '$T/vvsg/signaal.db' \"SELECT count(*) FROM feed_doc WHERE origin = 'gent' AND type = 4\") = $g ]"
t_check "converges" fed_wait_converged 60 "${ALL[@]}"
t_check "kortrijk backed up before the changes" \
	"$SIGNAALCTL" -d "$T/kortrijk" backup "$T/kortrijk-old.db"
fed_stop eeklo

# Change 1: a tightening.
t_check "the association tightens to k = 7" policy 7
t_check "converges" fed_wait_converged 60 vvsg gent kortrijk
t_check "kortrijk releases under k = 7" signals kortrijk
kr=$(summaries kortrijk kortrijk)
t_check "kortrijk released ($kr)" test "$kr" -ge 1
t_check "converges" fed_wait_converged 60 vvsg gent kortrijk

# A member that joins after the tightening takes gent's k = 5 releases.
fed_node mortsel gemeente koepel
t_check "mortsel added" fed_member_add mortsel
t_check "roster published" "$SIGNAALCTL" -d "$T/vvsg" federation publish
t_check "bundle exported" "$SIGNAALCTL" -d "$T/vvsg" federation export "$T/federatie.bundle"
t_check "mortsel joins" fed_join mortsel
fed_start mortsel
t_check "mortsel converges (join after a tightening)" \
	fed_wait_converged 60 vvsg gent kortrijk mortsel
t_equal "mortsel's policy in force is k = 7" "$(k_of mortsel)" 7
t_equal "mortsel holds gent's k = 5 summaries" "$(summaries mortsel gent)" "$g"

# Change 2: a loosening, and a release under it.
t_check "the association loosens to k = 5" policy 5
t_check "converges" fed_wait_converged 60 vvsg gent kortrijk mortsel
t_check "mortsel releases under k = 5 (a loosening)" signals mortsel
m=$(summaries mortsel mortsel)
t_check "mortsel released ($m)" test "$m" -ge 1
t_check "converges" fed_wait_converged 60 vvsg gent kortrijk mortsel

# Restore across both changes.
fed_stop kortrijk
cp "$T/kortrijk-old.db" "$T/kortrijk/signaal.db"
rm -f "$T/kortrijk/signaal.db-wal" "$T/kortrijk/signaal.db-shm"
fed_start kortrijk
# Offline through both changes.
fed_start eeklo
NODES=(vvsg gent kortrijk eeklo mortsel)
t_check "every node converges (restore, offline through two changes)" \
	fed_wait_converged 90 "${NODES[@]}"
for n in "${NODES[@]}"; do
	t_equal "$n holds every summary" \
		"$(summaries "$n" gent) $(summaries "$n" kortrijk) $(summaries "$n" mortsel)" "$g $kr $m"
done
sleep 2 # a state write after the last rounds
for n in "${NODES[@]}"; do
	t_equal "$n refused nothing for the policy" \
		"$(fed_metric "$n" 'signaal_docs_rejected_total\{reason="policy"')" 0
done
for n in "${NODES[@]}"; do fed_stop "$n"; done
t_done
