#!/usr/bin/env bash
# The signal bundle in a real browser: Debian's chromium, driven by
# playwright-core from npm (tests/browser/package.json, locked). The test
# installs what it needs (tests/lib_browser.sh), so `make test` works on
# a fresh machine. Screenshots, the page and a PDF are kept in
# $BUILD/test-artifacts/bundle/.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_browser.sh"
ART=$BUILD/test-artifacts/bundle
NODEDIR=$BROWSER_DIR
mkdir -p "$ART"
browser_setup || t_done

# A federation: two years of the ten pilots (24 month labels on an
# axis), a planted trend, a rise in one town only, notes.
N=$T/vvsg
"$SIGNAALCTL" init --id vvsg --naam "VVSG" --rol koepel "$N" >/dev/null 2>&1
"$BUILD/gen-signals" --seed 3 --start 2024-01 --months 24 --rate 3 \
	--trend thema=mentaal,leeftijd=12-17,vanaf=2025-04,groei=40,gemeenten=6 \
	--trend thema=energie,vanaf=2025-01,groei=30,gemeenten=gent \
	--out-dir "$T/csv" 2>/dev/null
t_check "a synthetic federation" "$BUILD/gen-federation" --knoop "$N" --csv-map "$T/csv" \
	--van 2024-01 --tot 2025-12 --rooster \
	--notitie "gent:mentaal:actie:Extra jeugdpsychologen in de wijkgezondheidscentra" \
	--notitie "mortsel:mentaal:rapporteren:Wachtlijsten jeugdhulp in kaart gebracht"
t_check "the bundle" "$SIGNAALCTL" -d "$N" bundle --van 2024-01 --tot 2025-12 \
	--datum 2026-01-15 --uit "$ART/signalenbundel.html" --overschrijven --top 5

NODE_PATH=$NODEDIR/node_modules node "$ROOT/tests/browser/bundle_check.js" \
	"$ART/signalenbundel.html" "$ART" >"$T/browser.out" 2>&1
rc=$?
cat "$T/browser.out"
[ $rc -eq 0 ] || [ "$(grep -c '^not ok' "$T/browser.out")" -gt 0 ] ||
	t_notok "the browser check ran" "exit $rc"
t_done
