#!/usr/bin/env bash
# The capture form when the network fails, in a real browser
# (tests/browser/invoer_retry.js): a signal captured offline is sent
# when the browser is online again, and a capture whose answer was lost
# is sent again with the same Idempotency-Key; the node ends up with
# exactly one signal per capture; one captured offline on a shared
# device is sent with a token of its maker only. Screenshots in
# $BUILD/test-artifacts/web-retry/.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_browser.sh"
browser_setup || t_done
browser_node web-retry || exit 1
VW3=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-12 2>/dev/null)
browser_node_start
printf '{"node": "http://127.0.0.1:%s", "veldwerker": "%s", "veldwerker2": "%s", "veldwerker3": "%s"}\n' \
	"$port" "$VW" "$VW2" "$VW3" >"$T/cfg.json"
NODE_PATH=$BROWSER_DIR/node_modules node "$ROOT/tests/browser/invoer_retry.js" "$T/cfg.json" "$ART" >"$T/browser.out" 2>&1
rc=$?
cat "$T/browser.out"
[ $rc -eq 0 ] || [ "$(grep -c '^not ok' "$T/browser.out")" -gt 0 ] ||
	t_notok "the browser check ran" "exit $rc"
t_equal "the store holds exactly the three signals" "$(sqlite3 "$N/signaal.db" 'SELECT count(*) FROM signal')" 3
t_equal "each under its own key" "$(sqlite3 "$N/signaal.db" 'SELECT count(*) FROM capture_key')" 3
t_equal "the shared device's one is its maker's, not the other token's" \
	"$(sqlite3 "$N/signaal.db" "SELECT o.name || '/' || r.local_id FROM signal s JOIN organisation o ON o.id = s.organisation_id JOIN reporter r ON r.id = s.reporter_id WHERE s.neighbourhood = 'Gedeeld toestel (fictief)'")" \
	"CLB Noord (fictief)/mw-12"
t_equal "the offline one is there once" "$(sqlite3 "$N/signaal.db" "SELECT count(*) FROM signal WHERE neighbourhood = 'Kelder (offline, fictief)'")" 1
t_equal "the one whose answer was lost is there once" "$(sqlite3 "$N/signaal.db" "SELECT count(*) FROM signal WHERE neighbourhood = 'Verloren antwoord (fictief)'")" 1
t_done
