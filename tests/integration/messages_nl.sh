#!/usr/bin/env bash
# Operator messages are Dutch: no English reaches someone who runs
# signaalctl or signaald. English belongs in the logs (logfmt lines),
# where proto/'s detail of a refusal still goes.
#
# 1. The sources: every message format of signaalctl, of the core/ parsers
#    and of the node/, store/ and common/ code whose messages an operator
#    reads (tests/messages_nl.py source).
# 2. The programs: signaalctl and signaald run through their error paths
#    (bad config, CSV, taxonomy, token, period, key, documents, bundle,
#    missing files); what they print holds no English word
#    (tests/messages_nl.py output), and each says something.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
CHECK="python3 $ROOT/tests/messages_nl.py"

# --- 1. the sources -----------------------------------------------------
sources=(tools/signaalctl/*.c
	core/config.c core/csv.c core/taxonomy.c core/policy.c core/signal.c
	core/period.c core/token.c core/dossier.c
	node/release.c node/ledger.c node/dossier_share.c node/config_file.c
	node/secret.c node/trends_load.c node/fedview.c
	store/*.c common/text.c common/file.c common/err.c daemon/main.c)
if $CHECK source "${sources[@]}" >"$T/source.out"; then
	t_ok "no English in the message formats operators read (${#sources[@]} files)"
else
	t_notok "no English in the message formats operators read" "$(head -5 "$T/source.out")"
fi
# The checker itself finds English: a test that cannot fail proves nothing.
printf '%s\n' 'int f(void) { return ls_errf(e, LS_EINVAL, "key %s is not in the roster", id); }' \
	'void g(void) { ctl_error("kan %s niet lezen: %s", p, "niet gevonden"); }' >"$T/probe.c"
$CHECK source "$T/probe.c" >"$T/probe.out"
t_equal "the checker flags an English format (and only that one)" \
	"$(wc -l <"$T/probe.out")" 1
printf '%s\n' "signaalctl: knooppuntsleutel: /x/node.key: line 1 is not a valid key line" \
	"add: unrecognized option '--datum'" \
	"ts=2026-01-01T00:00:00.000Z level=info mod=ctl event=error_detail detail=\"bad key\"" \
	"signaalctl: knooppuntsleutel /x/node.key: onleesbare gegevens" >"$T/probe.txt"
$CHECK output "$T/probe.txt" >"$T/probe.out"
t_equal "the checker flags English output lines, not log lines" \
	"$(cut -d: -f2 "$T/probe.out" | tr '\n' ' ')" "1 2 "

# --- 2. the programs ----------------------------------------------------
N=$T/node
"$SIGNAALCTL" init --id test "$N" >/dev/null || exit 1
ctl() { "$SIGNAALCTL" -d "$N" "$@"; }
n=0
# dutch NAME CODE CMD...: CMD exits with CODE, prints a message, and no
# line it prints (outside logfmt log lines) holds English.
dutch() {
	local name=$1 want=$2 out
	shift 2
	n=$((n + 1))
	out=$T/run.$n
	"$@" >"$out" 2>&1
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		t_notok "$name" "exit $rc, wanted $want"
		sed 's/^/#   /' "$out" | head -5
	elif ! grep -vq '^ts=' "$out"; then
		t_notok "$name" "no message"
	elif ! $CHECK output "$out" >"$out.en"; then
		t_notok "$name" "English: $(head -2 "$out.en")"
	else
		t_ok "$name"
	fi
}

# config
cp "$N/signaal.ini" "$T/good.ini"
printf '[node]\nonbekend = 1\n' >>"$N/signaal.ini"
dutch "config: unknown key" 1 ctl signal list
cp "$T/good.ini" "$N/signaal.ini"
sed -i 's/^synchronous = .*/synchronous = soms/' "$N/signaal.ini"
dutch "config: bad value" 1 ctl signal list
cp "$T/good.ini" "$N/signaal.ini"
sed -i 's/^k = .*/k = 1/' "$N/signaal.ini"
dutch "config: k below the default" 5 ctl summary preview 2026-01
cp "$T/good.ini" "$N/signaal.ini"
dutch "no node here" 4 "$SIGNAALCTL" -d "$T/nowhere" signal list

# CSV
printf 'datum;thema;onzin\n2026-01-05;wonen;x\n' >"$T/col.csv"
dutch "csv: unknown column" 3 ctl signal import "$T/col.csv"
printf 'datum;thema;leeftijd;doelgroep;sector;organisatie\n2026-13-05;wonen;18-24;jongeren;welzijn;CLB\n' >"$T/date.csv"
dutch "csv: bad date" 3 ctl signal import "$T/date.csv"
printf '' >"$T/empty.csv"
dutch "csv: empty file" 3 ctl signal import "$T/empty.csv"
dutch "csv: missing file" 4 ctl signal import "$T/none.csv"
dutch "signal add: bad date" 3 ctl signal add --geregistreerd-op 2026-02-30 --thema wonen \
	--leeftijd onbekend --sector welzijn --organisatie CLB
dutch "signal add: unknown option (getopt is quiet)" 2 ctl signal add --datum 2026-01-01

# taxonomy
dutch "taxonomy: bad code" 3 ctl taxonomy add thema 'Wonen!' --onder wonen --label x
dutch "taxonomy: unknown parent" 3 ctl taxonomy add thema wonen-x --onder nergens --label x
printf 'dimension\tcode\tlabel_nl\tlabel_en\tparent\nthema\twonen\n' >"$T/bad.tsv"
dutch "init: bad taxonomy file" 3 "$SIGNAALCTL" init --id x --taxonomie "$T/bad.tsv" "$T/x"

# token
dutch "token: field worker without organisation" 3 ctl token new --rol veldwerker
dutch "token: revoke an unknown token" 4 ctl token revoke 0011223344556677

# period
dutch "stats: bad period" 2 ctl stats 2026-13
dutch "summary: not a policy period" 5 ctl summary preview 2026-02+5

# keys and documents
cp "$N/keys/node.key" "$T/node.key.good"
printf 'key_id = 00\nsecret = zz\n' >"$N/keys/node.key"
dutch "summary release with a damaged node key" 1 ctl summary release 2025-01
$SIGNAALCTL -d "$N" keygen --toon >/dev/null 2>&1
printf 'key_id = 00\n' >"$N/keys/node.pub"
dutch "keygen --toon with a damaged public key" 3 ctl keygen --toon
SIGNAAL_LOG=info ctl summary release 2025-01 >"$T/logged" 2>&1
t_grep "proto's English detail goes to the log" '^ts=.* event=error_detail .*detail=' "$T/logged"
dutch "signaald --check with a damaged node key" 1 "$SIGNAALD" -d "$N" --check
cp "$T/node.key.good" "$N/keys/node.key"

# a federation member: bad bundles, a damaged anchor
A=$T/vvsg
printf '[node]\nid = vvsg\nname = VVSG\nrole = koepel\n[federation]\nid = federatie\n' >"$T/vvsg.tpl"
"$SIGNAALCTL" init --config "$T/vvsg.tpl" "$A" >/dev/null || exit 1
fed() { "$SIGNAALCTL" -d "$A" federation "$@"; }
fed init --adres tcp://127.0.0.1:7400 >/dev/null 2>&1
dutch "federation: a secret key as public key" 3 fed member add test --naam x --sleutel "$N/keys/node.key"
dutch "federation: an invalid policy" 3 fed policy --maanden 5
dutch "federation: k below the minimum" 3 fed policy --k 1
fed publish >/dev/null 2>&1
fed export "$T/fed.bundle" >/dev/null 2>&1
printf 'geen bundel' >"$T/junk.bundle"
dutch "federation import: junk" 3 fed import "$T/junk.bundle"
head -c 100 "$T/fed.bundle" >"$T/cut.bundle"
dutch "federation import: a cut bundle" 3 fed import "$T/cut.bundle"
dutch "federation import: a missing file" 4 fed import "$T/none.bundle"
cp "$A/keys/federation.pub" "$T/federation.pub.good"
printf 'key_id = 00\n' >"$A/keys/federation.pub"
dutch "federation show with a damaged anchor" 1 fed show
cp "$T/federation.pub.good" "$A/keys/federation.pub"

t_done
