#!/usr/bin/env bash
# gen-signals: deterministic, sized by population, trends that show, and
# output that imports. (The demo federation: tests/integration/demo.sh.)
. "$(dirname "$0")/../lib.sh"
GEN=$BUILD/gen-signals

t_check "same seed, same output" sh -c "'$GEN' --seed 5 --months 3 2>/dev/null | sha256sum > '$T/a'; '$GEN' --seed 5 --months 3 2>/dev/null | sha256sum > '$T/b'; cmp '$T/a' '$T/b'"
"$GEN" --seed 6 --months 3 2>/dev/null | sha256sum >"$T/c"
if cmp -s "$T/a" "$T/c"; then t_notok "another seed, other output"; else t_ok "another seed, other output"; fi

t_check "one file per municipality" "$GEN" --seed 5 --months 3 --out-dir "$T/dir"
t_equal "ten files" "$(ls "$T/dir"/*.csv | wc -l)" 10
"$GEN" --seed 5 --months 3 --municipality eeklo 2>/dev/null >"$T/eeklo.csv"
t_check "a municipality's rows do not depend on the others" cmp "$T/eeklo.csv" "$T/dir/eeklo.csv"
gent=$(($(wc -l <"$T/dir/gent.csv") - 1))
berlaar=$(($(wc -l <"$T/dir/berlaar.csv") - 1))
if [ "$gent" -gt $((berlaar * 10)) ]; then t_ok "sized by population (gent $gent, berlaar $berlaar)"; else t_notok "sized by population" "gent $gent, berlaar $berlaar"; fi
t_check "nothing real: organisations are marked fictional" sh -c "cut -d';' -f8 '$T/dir/gent.csv' | tail -n +2 | grep -v -c '(fictief)' | grep -qx 0"

# A planted trend stands out: mentaal x 12-17 in December vs January.
"$GEN" --seed 9 --municipality kortrijk --months 12 --rate 2 \
	--trend thema=mentaal,leeftijd=12-17,vanaf=2025-04,groei=100,gemeenten=kortrijk \
	>"$T/trend.csv" 2>"$T/trend.err"
t_grep "the trend is announced" "trend mentaal voor 12-17 vanaf maand 4 in: kortrijk" "$T/trend.err"
jan=$(grep -c '^2025-01-.*mentaal.*;12-17;' "$T/trend.csv")
dec=$(grep -c '^2025-12-.*mentaal.*;12-17;' "$T/trend.csv")
if [ "$dec" -gt $((jan * 4 + 10)) ]; then t_ok "the trend rises (jan $jan, dec $dec)"; else t_notok "the trend rises" "jan $jan, dec $dec"; fi
t_expect_fail "a bad trend is refused" 2 "$GEN" --trend thema=nope,vanaf=2025-01
t_expect_fail "an unknown municipality is refused" 2 "$GEN" --municipality brussel

N=$T/node
"$SIGNAALCTL" init --id kortrijk "$N" >/dev/null
t_check "generated data imports" "$SIGNAALCTL" -d "$N" signal import "$T/trend.csv"
"$GEN" --english --separator , --months 2 --municipality mortsel >"$T/en.csv" 2>/dev/null
t_check "English, comma-separated output imports too" "$SIGNAALCTL" -d "$N" signal import "$T/en.csv"

t_done
