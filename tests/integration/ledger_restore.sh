#!/usr/bin/env bash
# Issue 11, class 6: the privacy-budget ledger survives a restore. A
# municipality in noise mode releases, is restored from a backup taken
# before most of those releases (and loses keys/noise.secret as well),
# and restarts with its peer: it learns its own summaries back from the
# association, rebuilds its ledger from them before it decides anything,
# releases no period a second time, counts exactly the budget it spent,
# and a lost noise secret buys no unpaid fresh noise.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

month() { date -u -d "$(date -u +%Y-%m-15) -$1 months" +%Y-%m; }
m6=$(month 6) m5=$(month 5) m4=$(month 4) m3=$(month 3) m2=$(month 2)
# m6..m3 have signals; m2 has none but is closed and settled too: due as
# an empty summary. Last month is still settling. A settle delay of
# today's day of the month plus 10 days makes that so whatever the date:
# last month ended at most a day of the month ago, m2 at least 28 days
# more (a fixed delay cannot: last month is past 10 days from the 11th).
SETTLE=$((10#$(date -u +%d) + 10))
ledger() { sqlite3 "$T/roeselare/signaal.db" "$1"; }
spent() { ledger "SELECT coalesce(sum(cost_milli), 0) FROM release_ledger"; }
releases_are() { test "$(ledger 'SELECT count(*) FROM release_ledger')" = "$1"; }
spent_is() { test "$(spent)" = "$1"; }
# Per period, how many first releases (not corrections) the hub holds.
firsts() {
	"$SIGNAALCTL" -d "$T/vvsg" summary list --herkomst roeselare |
		awk 'NR > 1 && !/correctie van/ {print $3}' | sort | uniq -c |
		awk '{print $2 "=" $1}' | tr '\n' ' '
}

# A federation in noise mode (fed_init with the policy set before the
# bundle is exported, so the member starts with it).
FED_ID=federatie
fed_pick_ports || exit 1
fed_node vvsg koepel alle
t_check "federation" "$SIGNAALCTL" -d "$T/vvsg" federation init \
	--adres "tcp://127.0.0.1:${FED_PORT[vvsg]}"
t_check "noise-mode policy" "$SIGNAALCTL" -d "$T/vvsg" federation policy \
	--modus ruis --wachttijd "$SETTLE"
fed_node roeselare gemeente koepel
t_check "member" fed_member_add roeselare
t_check "publish" "$SIGNAALCTL" -d "$T/vvsg" federation publish
t_check "export" "$SIGNAALCTL" -d "$T/vvsg" federation export "$T/federatie.bundle"
t_check "join" fed_join roeselare

# Four closed months of signals; the first released by hand.
t_check "signals" "$BUILD/gen-signals" --municipality roeselare --start "$m6" \
	--months 4 --rows 400 --out "$T/r.csv"
t_check "import" "$SIGNAALCTL" -d "$T/roeselare" signal import "$T/r.csv"
t_check "release $m6 by hand" "$SIGNAALCTL" -d "$T/roeselare" summary release "$m6"
t_equal "it cost epsilon 1" "$(spent)" 1000
t_check "backup" "$SIGNAALCTL" -d "$T/roeselare" backup "$T/old.db"

# The daemon releases the other four; the association gets them.
fed_start vvsg
fed_start roeselare
t_check "the daemon releases the due months" fed_wait 60 releases_are 5
t_check "converges" fed_wait_converged 60 vvsg roeselare
t_check "a correction of $m5" bash -c "'$BUILD/gen-signals' --municipality roeselare \
	--start '$m5' --months 1 --rows 3 --seed 7 --out '$T/late.csv' &&
	'$SIGNAALCTL' -d '$T/roeselare' signal import '$T/late.csv' &&
	'$SIGNAALCTL' -d '$T/roeselare' summary correct '$m5' --reden invoerfout \
	--toelichting 'laat ingevoerd'"
before=$(spent)
t_equal "spent before the restore" "$before" 6000
t_check "converges again" fed_wait_converged 60 vvsg roeselare
t_equal "one first release per period at the hub" "$(firsts)" \
	"$m6=1 $m5=1 $m4=1 $m3=1 $m2=1 "
fed_stop roeselare

# Restore as the README says, and lose the noise secret too.
cp "$T/old.db" "$T/roeselare/signaal.db"
rm -f "$T/roeselare/signaal.db-wal" "$T/roeselare/signaal.db-shm"
rm -f "$T/roeselare/keys/noise.secret"
t_equal "the restored ledger knows one release" "$(spent)" 1000
: >"$T/roeselare.log"
fed_start roeselare
t_check "it learns its own head from the hub" fed_wait 30 \
	grep -q "event=own_head_known node=roeselare" "$T/roeselare.log"
t_check "it rebuilds its ledger from its own feed" fed_wait 30 spent_is "$before"
t_grep "and says so" "event=ledger_recovered" "$T/roeselare.log"
t_check "converges after the restore" fed_wait_converged 60 vvsg roeselare
sleep 2 # a release timer run after the gate opened
t_equal "still one first release per period at the hub" "$(firsts)" \
	"$m6=1 $m5=1 $m4=1 $m3=1 $m2=1 "
if grep -q "event=released" "$T/roeselare.log"; then
	t_notok "nothing was released again after the restore"
else
	t_ok "nothing was released again after the restore"
fi
t_equal "the ledger equals what was spent" "$(spent)" "$before"
t_check "the audit log names every summary again" \
	"$SIGNAALCTL" -d "$T/roeselare" audit verify
t_expect_fail "a released period is not released afresh" 5 \
	"$SIGNAALCTL" -d "$T/roeselare" summary release "$m4"
# With a new noise secret, the one way to new noise for a released
# period is a correction, paid in full like every release.
t_check "a correction with the new secret" bash -c "'$BUILD/gen-signals' \
	--municipality roeselare --start '$m4' --months 1 --rows 3 --seed 8 \
	--out '$T/late2.csv' &&
	'$SIGNAALCTL' -d '$T/roeselare' signal import '$T/late2.csv' &&
	'$SIGNAALCTL' -d '$T/roeselare' summary correct '$m4' --reden invoerfout \
	--toelichting 'na herstel'"
t_equal "is paid" "$(spent)" "$((before + 1000))"
t_check "a new secret was made for it" test -f "$T/roeselare/keys/noise.secret"
fed_stop roeselare
fed_stop vvsg
t_done
