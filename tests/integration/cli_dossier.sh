#!/usr/bin/env bash
# signaalctl dossier: the follow-up flow and its refusals.
. "$(dirname "$0")/../lib.sh"

N=$T/node
"$SIGNAALCTL" init --id test "$N" >/dev/null || exit 1
ctl() { "$SIGNAALCTL" -d "$N" "$@"; }
export SIGNAAL_USER=tester
s1=$(ctl signal add --geregistreerd-op 2025-05-01 --thema mentaal --leeftijd 12-17 --sector onderwijs --organisatie "CLB (fictief)")
s2=$(ctl signal add --geregistreerd-op 2025-05-02 --thema mentaal --leeftijd 12-17 --sector caw --organisatie "CAW (fictief)")

t_check "new dossier" ctl dossier new --titel "Wachtlijsten jeugd" --trekker "Schepen (fictief)" --thema mentaal --probleemtype werking
t_grep "number 1" "dossier 1 gemaakt" "$T/last.out"
t_expect_fail "new without title" 2 ctl dossier new --trekker X --thema mentaal
t_expect_fail "new with unknown theme" 3 ctl dossier new --titel T --trekker X --thema nope
t_check "link signals" ctl dossier link 1 "$s1" "$s2"
t_grep "two linked" "2 signaal/signalen gekoppeld" "$T/last.out"
t_check "signals are linked now" ctl signal list --status gekoppeld
t_grep "both" "^2 signalen$" "$T/last.out"
t_expect_fail "link unknown signal" 4 ctl dossier link 1 00000000000000000000000000000000
t_expect_fail "link to unknown dossier" 4 ctl dossier link 9 "$s1"
t_expect_fail "skip a phase" 5 ctl dossier advance 1 rapporteren
t_grep "says what is allowed" "toegelaten: verzamelen" "$T/last.out"
t_expect_fail "unknown phase" 2 ctl dossier advance 1 klaar
for p in verzamelen bundelen analyseren; do
	t_check "advance to $p" ctl dossier advance 1 "$p"
done
t_expect_fail "report before the criteria" 5 ctl dossier advance 1 rapporteren
t_grep "lists the missing criteria" "nog niet voldaan: duidelijk,neutraal,herkend,gedeeld" "$T/last.out"
t_check "criteria" ctl dossier criteria 1 --voldaan alle --notitie "besproken in werkgroep"
t_check "report" ctl dossier advance 1 rapporteren
t_check "decide" ctl dossier advance 1 beslissing
t_check "act" ctl dossier act 1 --wat "Extra consulent" --wie "OCMW (fictief)" --tegen 2025-12-31
t_expect_fail "act with a bad date" 3 ctl dossier act 1 --wat x --wie y --tegen 31-12-2025
t_check "action result" ctl dossier act 1 --actie 1 --resultaat "aangeworven"
t_expect_fail "result of unknown action" 4 ctl dossier act 1 --actie 5 --resultaat x
t_check "to action phase" ctl dossier advance 1 actie
t_check "feedback to all reporters" ctl dossier feedback 1 --tekst "Bedankt voor jullie signalen"
t_grep "two organisations" "feedback aan 2 organisatie" "$T/last.out"
t_check "to feedback phase" ctl dossier advance 1 feedback
t_check "signals closed" ctl signal list --status afgesloten
t_grep "both closed" "^2 signalen$" "$T/last.out"
t_check "show" ctl dossier show 1
t_grep "show: phase" "^fase +feedback$" "$T/last.out"
t_grep "show: criteria" "duidelijk,neutraal,herkend,gedeeld" "$T/last.out"
t_grep "show: history with actor" "fase +analyseren -> rapporteren.*\(tester\)" "$T/last.out"
t_grep "show: action" "Extra consulent" "$T/last.out"
t_grep "show: feedback" "aan CLB \(fictief\)" "$T/last.out"
t_check "list" ctl dossier list --fase feedback
t_grep "list shows it" "Wachtlijsten jeugd" "$T/last.out"
t_expect_fail "show unknown" 4 ctl dossier show 7
t_expect_fail "option of another verb" 2 ctl dossier link 1 --titel x "$s1"

# Erasing a linked signal leaves no trace in the dossier's history.
t_check "erase a linked signal" ctl signal erase "$s1"
t_check "dossier still shows" ctl dossier show 1
if grep -q "$s1" "$T/last.out"; then t_notok "erased id not in the dossier"; else t_ok "erased id not in the dossier"; fi
t_done
