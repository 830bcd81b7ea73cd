#!/usr/bin/env bash
# signaalctl federation, fork and sync without daemons: drafts, publish,
# the roster succession rules, bundles; every refusal changes nothing.
. "$(dirname "$0")/../lib.sh"

A=$T/vvsg
cat >"$T/vvsg.tpl" <<EOF2
[node]
id = vvsg
name = VVSG
role = koepel
[federation]
id = federatie
EOF2
"$SIGNAALCTL" init --config "$T/vvsg.tpl" "$A" >/dev/null
for m in gent eeklo; do
	"$SIGNAALCTL" init --id "$m" "$T/$m" >/dev/null
done
dump() { sqlite3 "$A/signaal.db" .dump | sha256sum; }

t_expect_fail "no federation id: refused" 5 "$SIGNAALCTL" -d "$T/gent" federation show
t_expect_fail "show before any roster: anchor missing" 1 "$SIGNAALCTL" -d "$A" federation show
t_check "init makes the key and drafts" "$SIGNAALCTL" -d "$A" federation init --adres tcp://127.0.0.1:7400
t_check "the federation key is private" bash -c "[ \"\$(stat -c %a '$A/keys/federation.key')\" = 600 ]"
t_expect_fail "init twice is refused (drafts exist)" 5 "$SIGNAALCTL" -d "$A" federation init
t_check "member add" "$SIGNAALCTL" -d "$A" federation member add gent --naam "Stad Gent" \
	--sleutel "$T/gent/keys/node.pub" --adres tcp://127.0.0.1:7401
t_expect_fail "a member twice" 5 "$SIGNAALCTL" -d "$A" federation member add gent \
	--naam x --sleutel "$T/gent/keys/node.pub"
t_expect_fail "the same key twice" 3 "$SIGNAALCTL" -d "$A" federation member add eeklo \
	--naam x --sleutel "$T/gent/keys/node.pub"
t_expect_fail "a bad address" 2 "$SIGNAALCTL" -d "$A" federation member add eeklo \
	--naam x --sleutel "$T/eeklo/keys/node.pub" --adres http://x
t_expect_fail "a secret key as public key" 3 "$SIGNAALCTL" -d "$A" federation member add eeklo \
	--naam x --sleutel "$T/eeklo/keys/node.key"
t_expect_fail "an invalid policy" 3 "$SIGNAALCTL" -d "$A" federation policy --maanden 5
t_check "the drafts show" "$SIGNAALCTL" -d "$A" federation show --concept
t_grep "the draft lists gent" "^gent +Stad Gent +gemeente" "$T/last.out"
t_check "publish" "$SIGNAALCTL" -d "$A" federation publish
t_grep "three documents" "beleid gepubliceerd als document 3" "$T/last.out"
t_expect_fail "nothing left to publish" 4 "$SIGNAALCTL" -d "$A" federation publish

# Members leave (they are never dropped), keys are revoked; drafts
# signed with a key that is not the federation's are refused whole.
t_check "eeklo joins" "$SIGNAALCTL" -d "$A" federation member add eeklo --naam Eeklo \
	--sleutel "$T/eeklo/keys/node.pub"
t_check "eeklo is published" "$SIGNAALCTL" -d "$A" federation publish
"$SIGNAALCTL" -d "$A" federation member remove gent >/dev/null
before=$(dump)
"$SIGNAALCTL" -d "$T/gent" keygen --federatie >/dev/null
t_expect_fail "a draft signed with another key is refused" 3 \
	"$SIGNAALCTL" -d "$A" federation publish --sleutel "$T/gent/keys/federation.key"
t_equal "nothing published" "$(dump)" "$before"
t_check "with the federation key it is published" "$SIGNAALCTL" -d "$A" federation publish
t_check "gent has left" bash -c "'$SIGNAALCTL' -d '$A' federation show | grep -q 'gent .*(vertrokken)'"
t_expect_fail "leaving twice" 5 "$SIGNAALCTL" -d "$A" federation member remove gent
t_check "revoke eeklo's key" "$SIGNAALCTL" -d "$A" federation member revoke-key eeklo --reden gestolen
t_check "publish the revocation" "$SIGNAALCTL" -d "$A" federation publish
t_expect_fail "revoking twice" 5 "$SIGNAALCTL" -d "$A" federation member revoke-key eeklo

# Bundles: export, import at a member, bad bundles change nothing.
t_check "export" "$SIGNAALCTL" -d "$A" federation export "$T/fed.bundle"
sed -i 's/^id = $/id = federatie/' "$T/eeklo/signaal.ini"
grep -q '^id = federatie' "$T/eeklo/signaal.ini" || t_notok "eeklo config"
cp "$A/keys/federation.pub" "$T/eeklo/keys/"
E=$T/eeklo
edump() { sqlite3 "$E/signaal.db" .dump | sha256sum; }
before=$(edump)
head -c 100 "$T/fed.bundle" >"$T/cut.bundle"
t_expect_fail "a cut bundle is refused" 3 "$SIGNAALCTL" -d "$E" federation import "$T/cut.bundle"
printf 'not a bundle' >"$T/junk.bundle"
t_expect_fail "junk is refused" 3 "$SIGNAALCTL" -d "$E" federation import "$T/junk.bundle"
cp "$T/fed.bundle" "$T/flip.bundle"
printf '\x00' | dd of="$T/flip.bundle" bs=1 seek=$(( $(stat -c %s "$T/fed.bundle") - 3 )) conv=notrunc 2>/dev/null
t_expect_fail "a forged document is refused" 3 "$SIGNAALCTL" -d "$E" federation import "$T/flip.bundle"
t_equal "refused bundles changed nothing" "$(edump)" "$before"
t_check "import" "$SIGNAALCTL" -d "$E" federation import "$T/fed.bundle"
t_grep "all documents in" "^6 federatiedocumenten ingelezen" "$T/last.out"
t_check "import again changes nothing" "$SIGNAALCTL" -d "$E" federation import "$T/fed.bundle"
t_grep "all held already" "^0 federatiedocumenten ingelezen, 6 had" "$T/last.out"
t_equal "same federation feed" \
	"$("$SIGNAALCTL" -d "$E" sync vv | grep '^federatie')" \
	"$("$SIGNAALCTL" -d "$A" sync vv | grep '^federatie')"
t_check "sync digest prints a digest" bash -c \
	"'$SIGNAALCTL' -d '$E' sync digest | grep -Eq '^[0-9a-f]{64} origins=1 docs=6$'"
t_check "no forks" "$SIGNAALCTL" -d "$E" fork list
t_grep "none" "geen forks" "$T/last.out"
t_expect_fail "show an unknown fork" 4 "$SIGNAALCTL" -d "$E" fork show gent
t_expect_fail "resolve an unknown fork" 4 "$SIGNAALCTL" -d "$E" fork resolve gent
t_expect_fail "a bad origin" 2 "$SIGNAALCTL" -d "$E" fork resolve "Gent!"
# A member releases under the federation's policy, not the built-in one.
m=$(date -u -d "$(date -u +%Y-%m-15) -4 months" +%Y-%m)
t_check "a stricter policy" "$SIGNAALCTL" -d "$A" federation policy --k 9
t_check "published" "$SIGNAALCTL" -d "$A" federation publish
t_check "export again" "$SIGNAALCTL" -d "$A" federation export "$T/fed2.bundle"
t_check "import at eeklo" "$SIGNAALCTL" -d "$E" federation import "$T/fed2.bundle"
t_check "eeklo previews a release" "$SIGNAALCTL" -d "$E" summary preview "$m"
t_grep "under the federation's k" "drempelmodus, k = 9 " "$T/last.out"
t_check "a node outside any federation previews" "$SIGNAALCTL" -d "$T/gent" summary preview "$m"
t_grep "under the built-in k" "drempelmodus, k = 5 " "$T/last.out"
t_done
