#!/usr/bin/env bash
# Restore from an old backup: a node whose store goes back in time learns
# its own feed's head from its peers before it publishes again, so it
# never forks itself.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

t_check "federation set up" fed_init federatie vvsg roeselare
fed_start vvsg
fed_start roeselare
t_check "roeselare publishes" fed_fill roeselare 2
t_check "converges" fed_wait_converged 60 vvsg roeselare
t_check "backup made" "$SIGNAALCTL" -d "$T/roeselare" backup "$T/old.db"
t_check "more documents after the backup" fed_fill roeselare 5
t_check "the hub has them" fed_wait_converged 30 vvsg roeselare
fed_stop roeselare
head=$("$SIGNAALCTL" -d "$T/vvsg" sync vv | awk '$1 == "roeselare" {print $2}')

# Restore as the README says: stop, copy, remove -wal and -shm.
cp "$T/old.db" "$T/roeselare/signaal.db"
rm -f "$T/roeselare/signaal.db-wal" "$T/roeselare/signaal.db-shm"
old=$("$SIGNAALCTL" -d "$T/roeselare" sync vv | awk '$1 == "roeselare" {print $2}')
old=${old:-0}
t_check "the restored store is behind ($old < $head)" test "$old" -lt "$head"
# On start-up signaald publishes a status document — but only after it
# learned its own head.
fed_start roeselare
# (It fetches its own documents in its own round, or the hub pushes
# them; either way the gate opens only once nothing newer is out there.)
t_check "it learns its own head from the hub" fed_wait 30 \
	grep -q "event=own_head_known node=roeselare peer=vvsg" \
	"$T/roeselare.log"
t_check "it publishes its status after that" fed_wait 20 \
	grep -q "event=status_published" "$T/roeselare.log"
order=$(grep -oE "event=(own_head_known|status_published)" "$T/roeselare.log" | head -1)
t_equal "it did not publish before" "$order" "event=own_head_known"
first=$(grep -oE "event=status_published seq=[0-9]+" "$T/roeselare.log" |
	head -1 | sed 's/.*seq=//')
t_equal "its first document continues the feed" "$first" "$((head + 1))"
t_check "converges" fed_wait_converged 30 vvsg roeselare
t_check "no fork at the hub" bash -c \
	"'$SIGNAALCTL' -d '$T/vvsg' fork list | grep -q 'geen forks'"
t_check "no fork at the node" bash -c \
	"'$SIGNAALCTL' -d '$T/roeselare' fork list | grep -q 'geen forks'"
now=$("$SIGNAALCTL" -d "$T/roeselare" sync vv | awk '$1 == "roeselare" {print $2}')
t_check "its feed continues after the restored head ($now > $head)" \
	test "$now" -gt "$head"
fed_stop roeselare
fed_stop vvsg
t_done
