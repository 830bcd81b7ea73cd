#!/usr/bin/env bash
# The local demo (`make demo`): one node, synthetic signals, local counts.
#
# 1. creates a node for Kortrijk in $DEMO_DIR (default demo/kortrijk;
#    removed and made anew on every run),
# 2. generates a year of synthetic signals for Kortrijk with a planted
#    trend (mentaal welzijn for 12-17 rising from June) and imports them,
# 3. shows the local counts per theme for March and for December, and the
#    age breakdown of December, where the trend stands out,
# 4. follows the trend up in a dossier, checks the store and backs it up.
#
# Deterministic (fixed seed) and quick. Until the federation exists this
# is a single node; nothing leaves the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
CTL=$BUILD/signaalctl
GEN=$BUILD/gen-signals
DEMO_DIR=${DEMO_DIR:-demo/kortrijk}

step() { printf '\n== %s\n' "$*"; }

rm -rf "$DEMO_DIR"
mkdir -p "$(dirname "$DEMO_DIR")"

step "Een knooppunt maken"
"$CTL" init --id kortrijk --naam "Gemeente Kortrijk (demo)" "$DEMO_DIR"
export SIGNAAL_DIR=$DEMO_DIR SIGNAAL_USER=demo

step "Een jaar synthetische signalen maken en inlezen"
csv=$DEMO_DIR/../kortrijk-2025.csv
"$GEN" --seed 7 --municipality kortrijk --start 2025-01 --months 12 \
	--rate 1.5 --trend thema=mentaal,leeftijd=12-17,vanaf=2025-06,groei=150,gemeenten=kortrijk \
	--out "$csv"
"$CTL" signal import "$csv"

step "Lokale tellingen per thema: maart 2025"
"$CTL" stats 2025-03

step "De geplante trend: mentaal welzijn, 12-17 jaar, per maand"
printf '%-8s %9s\n' MAAND SIGNALEN
for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
	n=$("$CTL" stats --tabel leeftijd "2025-$m" |
		awk '$1 == "mentaal" && $2 == "12-17" {print $3}')
	printf '%-8s %9s\n' "2025-$m" "${n:-0}"
done

step "De trend opvolgen in een dossier"
"$CTL" dossier new --titel "Jongeren met psychische klachten wachten lang" \
	--trekker "Sociale dienst (demo)" --thema mentaal --probleemtype werking
mapfile -t ids < <("$CTL" signal list --periode 2025-12 --thema mentaal \
	--leeftijd 12-17 --limiet 5 | grep -oE '^[0-9a-f]{32}')
"$CTL" dossier link 1 "${ids[@]}"
"$CTL" dossier advance 1 verzamelen
"$CTL" dossier advance 1 bundelen
"$CTL" dossier advance 1 analyseren --notitie "herkend door CAW, CLB en huisartsen"
"$CTL" dossier criteria 1 --voldaan alle
"$CTL" dossier advance 1 rapporteren
"$CTL" dossier show 1 | sed -n '1,8p'

step "Controle en back-up"
"$CTL" check
rm -f "$DEMO_DIR/../kortrijk-backup.db"
"$CTL" backup "$DEMO_DIR/../kortrijk-backup.db"

printf '\nKlaar. Het knooppunt staat in %s; probeer bv.\n' "$DEMO_DIR"
printf '  %s -d %s signal list --periode 2025-12 --thema mentaal\n' "$CTL" "$DEMO_DIR"
