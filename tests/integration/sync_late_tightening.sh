#!/usr/bin/env bash
# A late tightening (PROTOCOL.md 5.3, "Epochs"): eeklo is offline when the
# association tightens k from 5 to 7, and releases under k = 5 before it
# hears of it. Every node holds that summary and what follows it in
# eeklo's feed (the digests converge), none counts it (a metric and a
# status line say so, the trends leave it out), and eeklo releases the
# period again under k = 7 as a correction ("beleid"), which counts.
# Before, the nodes that held the tightening refused the summary and,
# with it, every later document of eeklo: the federation never converged.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

ALL=(vvsg gent eeklo)
t_check "federation set up" fed_init federatie "${ALL[@]}"
for n in "${ALL[@]}"; do fed_start "$n"; done
t_check "converges" fed_wait_converged 60 "${ALL[@]}"

# eeklo goes offline first: a running signaald releases due periods on
# its own, and would release these before the tightening.
fed_stop eeklo
month=$(date -u -d "$(date -u +%Y-%m-15) -3 months" +%Y-%m)
for i in 1 2 3 4 5 6 7 8; do
	"$SIGNAALCTL" -d "$T/eeklo" signal add --geregistreerd-op "$month-1$i" \
		--thema wonen --leeftijd 18-24 --sector caw \
		--organisatie "CAW (fictief)" >/dev/null ||
		t_notok "signal $i added" "signaalctl signal add failed"
done
summaries() { # AT: eeklo's summaries held, and how many are marked
	sqlite3 "$T/$1/signaal.db" \
		"SELECT count(*), sum(uncounted != 0) FROM feed_doc
		 WHERE origin = 'eeklo' AND type = 4"
}

t_check "the association tightens to k = 7" bash -c \
	"'$SIGNAALCTL' -d '$T/vvsg' federation policy --k 7 >/dev/null &&
	 '$SIGNAALCTL' -d '$T/vvsg' federation publish >/dev/null"
t_check "gent learns it" fed_wait_converged 60 vvsg gent
# eeklo, still offline, releases under the k = 5 it knows, a few seconds
# later (in the very second of the tightening, the policy before it may
# judge a summary too: PROTOCOL.md 5.3).
sleep 2
t_check "eeklo releases under k = 5, offline" \
	"$SIGNAALCTL" -d "$T/eeklo" summary release
t_equal "two periods released, counted where eeklo stands" \
	"$(summaries eeklo)" "2|0"
fed_start eeklo
t_check "every node converges (eeklo's late summary held everywhere)" \
	fed_wait_converged 60 "${ALL[@]}"
for n in "${ALL[@]}"; do
	t_equal "$n holds eeklo's two summaries, not counted" "$(summaries "$n")" "2|2"
done
metric_is() { [ "$(fed_metric "$1" "$2")" = "$3" ]; } # NODE PATTERN VALUE
for n in "${ALL[@]}"; do
	# the state file is written every few seconds
	t_check "$n: signaal_docs_uncounted for eeklo is 2" fed_wait 30 \
		metric_is "$n" 'signaal_docs_uncounted\{origin="eeklo"' 2
	t_equal "$n refused nothing for the policy" \
		"$(fed_metric "$n" 'signaal_docs_rejected_total\{reason="policy"')" 0
done
# The alert's gauge (SignaalOwnSummaryUncounted): eeklo's own two
# periods count nowhere; gent and vvsg hold them but have nothing to
# correct.
t_check "eeklo: signaal_own_periods_uncounted is 2" fed_wait 30 \
	metric_is eeklo 'signaal_own_periods_uncounted' 2
for n in vvsg gent; do
	t_check "$n: signaal_own_periods_uncounted is 0" \
		grep -qx 'signaal_own_periods_uncounted 0' "$T/$n/signaald.prom"
done
own_periods() { # NODE: the own periods signaald.json names
	python3 -c 'import json,sys
for u in json.load(open(sys.argv[1]))["uncounted"]:
    if u["own"]: print(" ".join(u["periods"]))' "$T/$1/signaald.json"
}
t_equal "eeklo's signaald.json names the two periods to correct" \
	"$(own_periods eeklo | wc -w)/$(own_periods eeklo | grep -cw -- "$month")" 2/1
status_says() { "$SIGNAALCTL" -d "$T/$1" status 2>&1 | grep -q "$2"; }
t_check "eeklo's status says it does not count, and what to do" \
	fed_wait 30 status_says eeklo "Niet geteld   eeklo: 2 samenvattingen .*deze periodes .*'signaalctl summary correct $month --reden beleid"
t_check "gent's status says so too, nothing to do there" \
	fed_wait 30 status_says gent "Niet geteld   eeklo: 2 samenvattingen .*niets hier"
t_check "summary list marks it" bash -c \
	"'$SIGNAALCTL' -d '$T/vvsg' summary list --herkomst eeklo | grep -q 'telt niet mee'"
t_expect_fail "the trends leave them out (nothing else to count)" 4 \
	"$SIGNAALCTL" -d "$T/vvsg" trends --gemeente eeklo

# eeklo releases the period again under the policy now in force.
t_check "eeklo corrects it under k = 7" \
	"$SIGNAALCTL" -d "$T/eeklo" summary correct "$month" --reden beleid \
	--toelichting "opnieuw onder het nieuwe beleid"
t_check "converges" fed_wait_converged 60 "${ALL[@]}"
for n in "${ALL[@]}"; do
	t_equal "$n holds the three, two not counted" "$(summaries "$n")" "3|2"
done
t_check "eeklo: one period left to correct" fed_wait 30 \
	metric_is eeklo 'signaal_own_periods_uncounted' 1
t_equal "and it is not the corrected one" \
	"$(own_periods eeklo | wc -w)/$(own_periods eeklo | grep -cw -- "$month")" 1/0
left=$(own_periods eeklo)
t_check "eeklo's status names the one left, not the corrected one" \
	fed_wait 30 status_says eeklo "geef deze periode opnieuw vrij onder het huidige beleid: 'signaalctl summary correct $left --reden beleid --toelichting TEKST'\$"
t_check "summary list: the correction replaces it" bash -c \
	"'$SIGNAALCTL' -d '$T/vvsg' summary list --herkomst eeklo | grep -q 'vervangen door'"
out=$("$SIGNAALCTL" -d "$T/vvsg" trends --gemeente eeklo --van "$month" 2>&1)
t_check "the trends count the correction, say what they left out" \
	grep -q "2 niet meegeteld" <<<"$out"
t_check "eeklo corrects the other period too" \
	"$SIGNAALCTL" -d "$T/eeklo" summary correct "$left" --reden beleid \
	--toelichting "opnieuw onder het nieuwe beleid"
t_check "eeklo's status: nothing left to do" \
	fed_wait 30 status_says eeklo "Niet geteld   eeklo: 2 samenvattingen .*niets meer: elke periode telt via een correctie"
for n in "${ALL[@]}"; do fed_stop "$n"; done
t_done
