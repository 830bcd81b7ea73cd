#!/usr/bin/env bash
# "Afmelden" on a shared device with signals still waiting in the
# browser, in a real browser (tests/browser/afmelden_check.js): the
# header counts them, the dialog offers to send them now (each stored
# once, a retry with the same Idempotency-Key), to keep them until their
# maker signs in again, or to delete them after a second confirmation;
# nothing else of the user stays in the browser, and one user's queue is
# never sent with another's token; a revoked token and a refusal are
# told as such. A kept signal is sealed: the browser's storage holds
# none of its text or its maker, another person's valid token neither
# sees, sends nor opens it, a changed one is reported and never sent,
# and the maker's tokens (the same or a new one) send it once. Screenshots in
# $BUILD/test-artifacts/web-logout/.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/lib_browser.sh"
browser_setup || t_done
browser_node web-logout || exit 1
CO=$("$SIGNAALCTL" -d "$N" token new --rol coordinator --organisatie "Stad Kortrijk (test)" 2>/dev/null)
VW4=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-77 2>/dev/null)
VW4b=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-77 2>/dev/null)
VWb=$("$SIGNAALCTL" -d "$N" token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-12 2>/dev/null)
browser_node_start
printf '{"node": "http://127.0.0.1:%s", "veldwerker": "%s", "veldwerker_nieuw": "%s", "veldwerker2": "%s", "coordinator": "%s",
 "veldwerker4": "%s", "veldwerker4_nieuw": "%s", "signaalctl": "%s", "dir": "%s"}\n' \
	"$port" "$VW" "$VWb" "$VW2" "$CO" "$VW4" "$VW4b" "$SIGNAALCTL" "$N" >"$T/cfg.json"
NODE_PATH=$BROWSER_DIR/node_modules node "$ROOT/tests/browser/afmelden_check.js" "$T/cfg.json" "$ART" >"$T/browser.out" 2>&1
rc=$?
cat "$T/browser.out"
[ $rc -eq 0 ] || [ "$(grep -c '^not ok' "$T/browser.out")" -gt 0 ] ||
	t_notok "the browser check ran" "exit $rc"

wijk() { sqlite3 "$N/signaal.db" "SELECT count(*) FROM signal WHERE neighbourhood = '$1'"; }
t_equal "sent at Afmelden: the one whose answer was lost is stored once" "$(wijk 'Wacht 1 (fictief)')" 1
t_equal "sent at Afmelden: the other one is stored once" "$(wijk 'Wacht 2 (fictief)')" 1
t_equal "kept at Afmelden: stored once, when its maker signed in again" "$(wijk 'Bewaard (fictief)')" 1
t_equal "deleted at Afmelden: never stored" "$(wijk 'Weg (fictief)')" 0
t_equal "waiting when its token was revoked: stored once, with the new token" "$(wijk 'Ingetrokken (fictief)')" 1
t_equal "kept sealed, opened by a new token of its maker: stored once" "$(wijk 'Verzegeld (fictief)')" 1
t_equal "kept when the node gave no key: deleted, never stored" "$(wijk 'Geen sleutel (fictief)')" 0
t_equal "the store holds exactly those five, each under its own key" \
	"$(sqlite3 "$N/signaal.db" 'SELECT count(*) FROM signal') $(sqlite3 "$N/signaal.db" 'SELECT count(*) FROM capture_key')" "5 5"
t_equal "the kept one is its maker's" \
	"$(sqlite3 "$N/signaal.db" "SELECT o.name || '/' || r.local_id FROM signal s JOIN organisation o ON o.id = s.organisation_id JOIN reporter r ON r.id = s.reporter_id WHERE s.neighbourhood = 'Bewaard (fictief)'")" \
	"CAW Zuid (fictief)/mw-40"
t_equal "the sealed one is its maker's" \
	"$(sqlite3 "$N/signaal.db" "SELECT o.name || '/' || r.local_id FROM signal s JOIN organisation o ON o.id = s.organisation_id JOIN reporter r ON r.id = s.reporter_id WHERE s.neighbourhood = 'Verzegeld (fictief)'")" \
	"CLB Noord (fictief)/mw-12"
t_equal "the web secret was made once, private" "$(stat -c %a "$N/keys/web.secret")" 600

# A web secret signaald cannot read: it still serves, /me gives no key
# (the pages then do not offer "Bewaren"), the log says why, and the
# file is left as it was (never replaced: that would lose every kept
# signal); the good file back gives the same key as before.
me_key() {
	curl -s "http://127.0.0.1:$port/api/v1/me" -H "Authorization: Bearer $1" |
		python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["rol"], d.get("wachtrij_sleutel", "-"))'
}
restart() {
	kill -TERM "$T_LAST_PID"
	for _ in $(seq 100); do kill -0 "$T_LAST_PID" 2>/dev/null || break; sleep 0.1; done
	browser_node_start
}
key1=$(me_key "$VW")
key1b=$(me_key "$VWb")
key2=$(me_key "$VW2")
t_check "a key per owner: two tokens of one person share it, another person's differs" \
	test "$key1" = "$key1b" -a "$key1" != "$key2" -a "${key1#veldwerker }" != "-"
cp "$N/keys/web.secret" "$T/web.secret.good"
printf 'web_secret=1234\n' >"$N/keys/web.secret"
sum=$(sha256sum <"$N/keys/web.secret")
restart
t_equal "bad web secret: /me answers, without a key" "$(me_key "$VW")" "veldwerker -"
t_grep "bad web secret: the log says which file and why" "web_secret_unavailable.*keys/web.secret" "$T/signaald.log"
t_equal "bad web secret: the file is left as it was" "$(sha256sum <"$N/keys/web.secret")" "$sum"
"$SIGNAALD" -d "$N" --check >"$T/check.out" 2>"$T/check.err"
t_equal "bad web secret: signaald --check still passes (not fatal)" "$?" 0
t_grep "bad web secret: --check warns, naming the file" \
	"waarschuwing: .*keys/web.secret.*bieden bij afmelden niet aan" "$T/check.err"
cp "$T/web.secret.good" "$N/keys/web.secret"
restart
t_equal "the web secret restored: the same key as before" "$(me_key "$VW")" "$key1"
"$SIGNAALD" -d "$N" --check >"$T/check.out" 2>"$T/check.err"
t_equal "the web secret restored: --check says nothing of it" \
	"$?/$(grep -c web.secret "$T/check.err")" "0/0"
t_done
