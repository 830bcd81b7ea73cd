#!/usr/bin/env bash
# signaalctl keygen: node and federation keys, file modes, never
# overwriting, showing the public key, Dutch errors with the right exit
# codes.
. "$(dirname "$0")/../lib.sh"

N=$T/node
mkdir -p "$N"
export SIGNAAL_DIR=$N

t_check "keygen makes a node key" "$SIGNAALCTL" keygen
t_grep "it shows the key id" 'sleutel-id: +[0-9a-f]{16}' "$T/last.out"
t_equal "the secret is 0600" "$(stat -c %a "$N/keys/node.key")" 600
t_equal "the keys folder is 0700" "$(stat -c %a "$N/keys")" 700
t_equal "the public file is 0644" "$(stat -c %a "$N/keys/node.pub")" 644
secret_line=$(grep '^secret=' "$N/keys/node.key" | cut -d= -f2)
if grep -rqF "${secret_line:-none}" "$T/last.out"; then
	t_notok "the secret is never printed"
else
	t_ok "the secret is never printed"
fi
id=$(grep '^key_id=' "$N/keys/node.pub" | cut -d= -f2)
t_equal "secret and public name the same key" \
	"$(grep '^key_id=' "$N/keys/node.key" | cut -d= -f2)" "$id"

before=$(sha256sum "$N/keys/node.key")
t_expect_fail "a second keygen refuses (conflict)" 5 "$SIGNAALCTL" keygen
t_grep "and says why, in Dutch" 'nooit overschreven' "$T/last.out"
t_equal "the existing key is unchanged" "$(sha256sum "$N/keys/node.key")" "$before"

t_check "--toon shows the existing key" "$SIGNAALCTL" keygen --toon
t_grep "with its key id" "$id" "$T/last.out"

t_expect_fail "--toon without a federation key: not found" 4 \
	"$SIGNAALCTL" keygen --federatie --toon
t_check "--federatie makes the federation key" "$SIGNAALCTL" keygen --federatie
t_equal "its secret is 0600" "$(stat -c %a "$N/keys/federation.key")" 600
t_check "-d selects the node folder" env -u SIGNAAL_DIR "$SIGNAALCTL" \
	-d "$N" keygen --federatie --toon

t_expect_fail "an unknown option is a usage error" 2 "$SIGNAALCTL" keygen --grootte 4096
t_grep "with the Dutch usage" 'gebruik: signaalctl' "$T/last.out"
t_check "--help" "$SIGNAALCTL" keygen --help
t_expect_fail "a missing node folder: not found" 4 \
	env SIGNAAL_DIR="$T/nergens" "$SIGNAALCTL" keygen
[ ! -e "$T/nergens" ] && t_ok "and nothing was created" || t_notok "and nothing was created"
t_done
