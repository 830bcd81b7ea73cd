#!/usr/bin/env bash
# One organisation name used with two sectors in a month (issue 11): that
# month's release used to fail ("... organisations in 2 sectors") and every
# later month stayed unreleased, in `summary release` and in signaald.
# The rule: each signal counts under the sector recorded on it, and the
# organisation once per sector among the organisations; the operator is
# told (a Dutch warning, a log line), and the later months follow.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_federation.sh"

month() { date -u -d "$(date -u +%Y-%m-15) -$1 months" +%Y-%m; }
m4=$(month 4) m3=$(month 3) m2=$(month 2)
csv=$T/signals.csv
echo "geregistreerd_op;vastgesteld_op;thema;probleemtype;leeftijd;doelgroep;sector;organisatie;melder;aantal_personen;ernst;wijk;omschrijving" >"$csv"
for i in $(seq 1 12); do
	# "CAW Noord" under two sectors in m4; ordinary signals in m3
	printf '%s-%02d;;wonen;;25-64;;%s;CAW Noord;;1;2;;\n' "$m4" $((1 + i)) \
		"$([ $((i % 2)) = 0 ] && echo caw || echo thuiszorg)" >>"$csv"
	printf '%s-%02d;;energie;;65plus;;ocmw;OCMW;;2;2;;\n' "$m3" $((1 + i)) >>"$csv"
done

# signaalctl
N=$T/node
"$SIGNAALCTL" init --id eeklo --naam Eeklo "$N" >/dev/null || exit 1
t_check "import" "$SIGNAALCTL" -d "$N" signal import "$csv"
t_check "preview of $m4" "$SIGNAALCTL" -d "$N" summary preview "$m4"
t_grep "the preview warns in Dutch" "Let op: 1 organisatie\(s\) meldden in deze periode onder meer dan één sector" "$T/last.out"
t_check "summary release (every due period)" "$SIGNAALCTL" -d "$N" summary release
t_grep "$m4 is released" "^$m4 vrijgegeven" "$T/last.out"
t_grep "with the warning" "Let op: 1 organisatie" "$T/last.out"
t_grep "$m3 is released after it" "^$m3 vrijgegeven" "$T/last.out"
t_grep "and $m2" "^$m2 vrijgegeven" "$T/last.out"

# signaald
t_check "federation set up" fed_init federatie vvsg eeklo
t_check "import at the member" "$SIGNAALCTL" -d "$T/eeklo" signal import "$csv"
fed_start vvsg
fed_start eeklo
released() {
	grep -q "event=released period=$m4" "$T/eeklo.log" &&
		grep -q "event=released period=$m3" "$T/eeklo.log" &&
		grep -q "event=released period=$m2" "$T/eeklo.log"
}
t_check "signaald releases $m4 and the months after it" fed_wait 60 released
t_grep "and logs the two sectors" "event=organisation_sectors period=$m4 organisations=1" "$T/eeklo.log"
if grep -q "event=release_failed" "$T/eeklo.log"; then
	t_notok "no release failed"
else
	t_ok "no release failed"
fi
fed_stop eeklo
fed_stop vvsg
t_done
