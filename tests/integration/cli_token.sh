#!/usr/bin/env bash
# signaalctl token: new shows the token once and stores only its hash;
# list and revoke; every refusal changes nothing.
. "$(dirname "$0")/../lib.sh"

N=$T/node
"$SIGNAALCTL" init --id test "$N" >/dev/null || exit 1
ctl() { "$SIGNAALCTL" -d "$N" "$@"; }
dump() { sqlite3 "$N/signaal.db" .dump | sha256sum; }
export SIGNAAL_USER=tester

tok=$(ctl token new --rol veldwerker --organisatie "CLB Noord (fictief)" --persoon mw-12 --label "tablet" 2>"$T/new.err")
rc=$?
t_equal "token new succeeds" "$rc" 0
if [[ "$tok" =~ ^lst1_[0-9a-f]{16}_[0-9a-f]{64}$ ]]; then t_ok "stdout is exactly the token"; else
	t_notok "stdout is exactly the token" "got '$tok'"; fi
id=${tok:5:16}
secret=${tok:22}
t_grep "explains it is shown once" "maar één keer" "$T/new.err"
t_grep "names the token id" "$id" "$T/new.err"
t_equal "the token appears on stdout only" "$(grep -c "$secret" "$T/new.err")" 0

hash=$(sqlite3 "$N/signaal.db" "SELECT hex(hash) FROM api_token WHERE hex(token_id) = upper('$id')")
t_equal "one row with a 32-byte hash" "${#hash}" 64
sqlite3 "$N/signaal.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
if grep -q "$secret" "$N"/signaal.db*; then t_notok "no file holds the secret"; else t_ok "no file holds the secret"; fi

t_check "list" ctl token list
t_grep "list shows the token" "^$id +veldwerker +actief +CLB Noord \(fictief\) +mw-12" "$T/last.out"
t_grep "list counts" "^1 token$" "$T/last.out"
if grep -q "$secret" "$T/last.out"; then t_notok "list never shows a secret"; else t_ok "list never shows a secret"; fi

t_check "coordinator token without organisation" ctl token new --rol coordinator --geldig 30
t_check "admin alias" ctl token new --rol admin --organisatie "Stad (fictief)"
ctl token list >"$T/list.out"
t_grep "expiry shown" "coordinator +actief .* [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{5}  -$" "$T/list.out"
t_grep "admin is beheerder" "beheerder +actief +Stad \(fictief\)" "$T/list.out"

before=$(dump)
t_expect_fail "field worker without organisation" 3 ctl token new --rol veldwerker
t_grep "says why" "organisatie" "$T/last.out"
t_expect_fail "person without organisation" 3 ctl token new --rol coordinator --persoon x
t_expect_fail "unknown role" 2 ctl token new --rol baas --organisatie X
t_expect_fail "no role" 2 ctl token new --organisatie X
t_expect_fail "bad validity" 2 ctl token new --rol coordinator --geldig 0
t_expect_fail "organisation with a control character" 3 ctl token new --rol veldwerker --organisatie $'X\tY'
t_expect_fail "organisation too long" 3 ctl token new --rol veldwerker --organisatie "$(printf 'x%.0s' $(seq 121))"
t_expect_fail "revoke unknown id" 4 ctl token revoke 0011223344556677
t_expect_fail "revoke malformed id" 2 ctl token revoke xyz
t_expect_fail "revoke the whole token text" 2 ctl token revoke "$tok"
t_expect_fail "unknown verb" 2 ctl token show
t_equal "refusals changed nothing" "$(dump)" "$before"

t_check "revoke" ctl token revoke "$id"
t_expect_fail "revoke twice" 5 ctl token revoke "$id"
t_grep "says it was revoked already" "al ingetrokken" "$T/last.out"
ctl token list >"$T/list.out"
if grep -q "^$id" "$T/list.out"; then t_notok "revoked token hidden by default"; else t_ok "revoked token hidden by default"; fi
t_check "list --alle" ctl token list --alle
t_grep "revoked token listed with --alle" "^$id +veldwerker +ingetrokken" "$T/last.out"
t_check "help" ctl token --help
t_grep "help explains the roles" "veldwerker +signalen registreren" "$T/last.out"
t_done
