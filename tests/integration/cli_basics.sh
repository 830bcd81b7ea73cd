#!/usr/bin/env bash
# signaalctl basics: init, help texts, exit codes for wrong use.
. "$(dirname "$0")/../lib.sh"

N=$T/kortrijk
t_check "init creates a node" "$SIGNAALCTL" init --naam "Gemeente Kortrijk" "$N"
t_grep "init names the node" "Knooppunt 'kortrijk'" "$T/last.out"
for f in signaal.ini signaal.db keys/node.key keys/node.pub; do
	if [ -f "$N/$f" ]; then t_ok "init wrote $f"; else t_notok "init wrote $f"; fi
done
t_equal "secret key is 0600" "$(stat -c %a "$N/keys/node.key")" 600
t_equal "store is not world-readable" "$(stat -c %a "$N/signaal.db")" 640
t_grep "config has the id" '^id = kortrijk$' "$N/signaal.ini"
t_grep "config has the name" '^name = Gemeente Kortrijk$' "$N/signaal.ini"
t_check "the public key is a key file" grep -q '^public=[0-9a-f]\{64\}$' "$N/keys/node.pub"

before=$(sha256sum "$N/keys/node.key" "$N/signaal.ini")
t_expect_fail "a second init is refused" 5 "$SIGNAALCTL" init "$N"
t_equal "and changes nothing" "$(sha256sum "$N/keys/node.key" "$N/signaal.ini")" "$before"
t_expect_fail "init with a bad id" 2 "$SIGNAALCTL" init "$T/Bad Name"
t_expect_fail "init with a bad role" 3 "$SIGNAALCTL" init --rol baas "$T/x1"
[ -e "$T/x1/signaal.ini" ] && t_notok "failed init leaves nothing" || t_ok "failed init leaves nothing"
t_expect_fail "init with a missing taxonomy file" 3 "$SIGNAALCTL" init --taxonomie "$T/none.tsv" "$T/x2"
[ -e "$T/x2" ] && t_notok "no half node after failure" || t_ok "no half node after failure"

t_check "-d and \$SIGNAAL_DIR agree" env SIGNAAL_DIR="$N" "$SIGNAALCTL" check
t_check "check a fresh node" "$SIGNAALCTL" -d "$N" check
t_grep "check says it is fine" "in orde" "$T/last.out"

# Every command and subcommand has Dutch help and exits 0 with --help.
for cmd in init "signal add" "signal import" "signal list" "signal show" \
	"signal export" "signal erase" dossier "dossier new" "dossier show" \
	purge backup check taxonomy stats; do
	# shellcheck disable=SC2086
	t_check "help: $cmd" "$SIGNAALCTL" -d "$N" $cmd --help
	t_grep "help is Dutch: $cmd" "Gebruik: signaalctl" "$T/last.out"
done
t_check "top-level help" "$SIGNAALCTL" --help
t_grep "top-level help lists exit codes" "Afsluitcodes" "$T/last.out"

t_expect_fail "unknown command" 2 "$SIGNAALCTL" -d "$N" fly
t_expect_fail "unknown option" 2 "$SIGNAALCTL" -d "$N" signal list --kleur rood
t_expect_fail "no command" 2 "$SIGNAALCTL"
t_expect_fail "no node in the directory" 4 "$SIGNAALCTL" -d "$T/empty" signal list
t_grep "and says how to make one" "signaalctl init" "$T/last.out"

# A broken config names the line.
cp "$N/signaal.ini" "$T/ini.bak"
printf '[node]\nid = kortrijk\nname = K\nkleur = rood\n' >"$N/signaal.ini"
t_expect_fail "a bad config is an error" 1 "$SIGNAALCTL" -d "$N" signal list
t_grep "naming the line" "regel 4: onbekende sleutel 'kleur'" "$T/last.out"
cp "$T/ini.bak" "$N/signaal.ini"

# Local sub-codes.
t_check "add a local sub-code" "$SIGNAALCTL" -d "$N" taxonomy add thema wonen-koten --onder wonen --label "Studentenkoten"
t_check "list shows it" "$SIGNAALCTL" -d "$N" taxonomy list --dimensie thema
t_grep "under its shared code" "wonen-koten +wonen" "$T/last.out"
t_expect_fail "a sub-code under an unknown code" 3 "$SIGNAALCTL" -d "$N" taxonomy add thema x-y --onder nope --label X
t_expect_fail "an existing code" 5 "$SIGNAALCTL" -d "$N" taxonomy add thema wonen-koten --onder wonen --label X
t_done
