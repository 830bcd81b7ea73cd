#!/usr/bin/env bash
# File modes and free text:
# - signaald.json and signaald.prom are 0640 whatever the umask (000 and
#   077), also when an older file had another mode;
# - backups (signaalctl backup) and exports (signal export --uit) are
#   0600 from the first byte under both umasks, and a failed one (the
#   file size limit reached half-way) leaves no file and no temporary
#   file behind;
# - bidirectional control characters (U+202A-U+202E, U+2066-U+2069) are
#   refused in every free text on every path signaalctl offers (signal
#   add, CSV import, dossiers, tokens), with a message naming the
#   character, and nothing changes. The API's refusals are in
#   tests/unit/test_api.c.
. "$(dirname "$0")/../lib.sh"

mode() { stat -c %a "$1"; }
leftovers() { find "$1" -name '*.tmp.*' | wc -l; }
dbsum() { sqlite3 "$1/signaal.db" .dump | sha256sum; }

"$BUILD/gen-signals" --rows 400 --municipality kortrijk --out "$T/s.csv" >/dev/null 2>&1 || exit 1
for um in 000 077; do
	N=$T/node$um
	(umask $um && "$SIGNAALCTL" init --id kortrijk "$N" >/dev/null) || exit 1
	"$SIGNAALCTL" -d "$N" signal import "$T/s.csv" >/dev/null || exit 1
	sed -i "/^\[daemon\]/,/^\[/ s|^state_interval_s = .*|state_interval_s = 1|" "$N/signaal.ini"
	sed -i "/^\[http\]/,\$ s|^listen = .*|listen =|" "$N/signaal.ini"
	# An older state file with a wide mode is replaced, not reused.
	(umask 000 && echo '{}' >"$N/signaald.json")
	chmod 666 "$N/signaald.json"
	t_check "umask $um: signaald --check" sh -c "umask $um && exec '$SIGNAALD' -d '$N' --check"
	t_equal "umask $um: signaald.json is 0640" "$(mode "$N/signaald.json")" 640
	t_equal "umask $um: signaald.prom is 0640" "$(mode "$N/signaald.prom")" 640
	# and while it runs (rewritten every second)
	t_spawn "$T/d$um.log" sh -c "umask $um && exec '$SIGNAALD' -d '$N'"
	rewritten() {
		for _ in $(seq 100); do
			[ "$(sed -n 's/^signaal_uptime_seconds //p' "$N/signaald.prom")" -ge 1 ] 2>/dev/null && return 0
			sleep 0.1
		done
		return 1
	}
	t_check "umask $um: signaald rewrites its state files" rewritten
	t_grep "umask $um: no sync listener (no federation): its gauges say 0" \
		"^signaal_sync_max_connections 0$" "$N/signaald.prom"
	kill -TERM "$T_LAST_PID"
	wait "$T_LAST_PID"
	t_equal "umask $um: still 0640 after signaald ran" \
		"$(mode "$N/signaald.json") $(mode "$N/signaald.prom")" "640 640"

	t_check "umask $um: backup" sh -c "umask $um && exec '$SIGNAALCTL' -d '$N' backup '$T/b$um.db'"
	t_equal "umask $um: the backup is 0600" "$(mode "$T/b$um.db")" 600
	t_check "umask $um: the backup is a complete store" \
		sh -c "sqlite3 '$T/b$um.db' 'pragma integrity_check' | grep -qx ok"
	t_check "umask $um: export csv" sh -c "umask $um && exec '$SIGNAALCTL' -d '$N' signal export --uit '$T/e$um.csv'"
	t_equal "umask $um: the CSV export is 0600" "$(mode "$T/e$um.csv")" 600
	t_check "umask $um: export json" \
		sh -c "umask $um && exec '$SIGNAALCTL' -d '$N' signal export --formaat json --uit '$T/e$um.json'"
	t_equal "umask $um: the JSON export is 0600" "$(mode "$T/e$um.json")" 600
	t_equal "umask $um: no temporary files left" "$(leftovers "$T")" 0
done

# A write that fails half-way (the file size limit; SIGXFSZ ignored so
# the write returns EFBIG, as a full disk returns ENOSPC).
N=$T/node077
limited() { (trap '' XFSZ && ulimit -f 64 && exec "$@"); }
t_expect_fail "an export that cannot finish fails (exit 1)" 1 \
	limited "$SIGNAALCTL" -d "$N" signal export --uit "$T/cut.csv"
t_grep "it says no file was made" "er is geen bestand gemaakt" "$T/last.out"
t_check "no (partial) export exists" test ! -e "$T/cut.csv"
t_expect_fail "a backup that cannot finish fails (exit 1)" 1 \
	limited "$SIGNAALCTL" -d "$N" backup "$T/cut.db"
t_check "no (partial) backup exists" test ! -e "$T/cut.db"
t_equal "no temporary files left" "$(leftovers "$T")" 0
t_expect_fail "an existing export file is not overwritten (exit 5)" 5 \
	"$SIGNAALCTL" -d "$N" signal export --uit "$T/e077.csv"
t_expect_fail "an existing backup file is not overwritten (exit 5)" 5 \
	"$SIGNAALCTL" -d "$N" backup "$T/b077.db"

# --- bidi controls -----------------------------------------------------------
before=$(dbsum "$N")
rli=$'\u2067' rlo=$'\u202e' lri=$'\u2066' pdi=$'\u2069' lre=$'\u202a'
t_expect_fail "signal add: RLO in the description (exit 3)" 3 "$SIGNAALCTL" -d "$N" signal add \
	--thema wonen --leeftijd 12-17 --sector caw --organisatie X --omschrijving "huur ${rlo}0051 euro"
t_grep "the message names the field and the character" "omschrijving.*U\+202E" "$T/last.out"
t_expect_fail "signal add: LRI in the organisation (exit 3)" 3 "$SIGNAALCTL" -d "$N" signal add \
	--thema wonen --leeftijd 12-17 --sector caw --organisatie "CAW ${lri}Noord"
t_grep "it names U+2066" "U\+2066" "$T/last.out"
t_expect_fail "signal add: PDI in the reporter (exit 3)" 3 "$SIGNAALCTL" -d "$N" signal add \
	--thema wonen --leeftijd 12-17 --sector caw --organisatie X --melder "mw${pdi}"
csi=$'\u009b'
t_expect_fail "signal add: a C1 control (U+009B, a terminal's CSI) in the description (exit 3)" 3 \
	"$SIGNAALCTL" -d "$N" signal add --thema wonen --leeftijd 12-17 --sector caw --organisatie X \
	--omschrijving "huur ${csi}2J"
t_grep "the message names the field and a control character" "omschrijving.*stuurteken" "$T/last.out"
t_expect_fail "signal add: LRE in the neighbourhood (exit 3)" 3 "$SIGNAALCTL" -d "$N" signal add \
	--thema wonen --leeftijd 12-17 --sector caw --organisatie X --wijk "${lre}Noord"
{
	head -3 "$T/s.csv"
	sed -n 4p "$T/s.csv" | sed "s/;\([^;]*\)\$/;\1 ${rlo}gpj.exe/"
	sed -n '5,20p' "$T/s.csv"
} >"$T/bidi.csv"
t_expect_fail "CSV import with RLO on line 4: refused (exit 3)" 3 "$SIGNAALCTL" -d "$N" signal import "$T/bidi.csv"
t_grep "the message names the line and the character" "(regel|rij) 4.*U\+202E" "$T/last.out"
t_expect_fail "dossier title with RLO (exit 3)" 3 "$SIGNAALCTL" -d "$N" dossier new \
	--titel "Huur${rlo}" --trekker "Team" --thema wonen
t_grep "it names the title" "titel.*U\+202E" "$T/last.out"
t_expect_fail "token label with RLI (exit 3)" 3 "$SIGNAALCTL" -d "$N" token new \
	--rol veldwerker --organisatie X --label "a${rli}b"
t_equal "every refusal changed nothing" "$(dbsum "$N")" "$before"
# Names that reach other people: the node's own (in signaal.ini, by
# init or by hand), a roster member's, and who made a token.
t_expect_fail "init: RLO in the node's name (exit 3)" 3 "$SIGNAALCTL" init --id bidi \
	--naam "Stad${rlo}Kortrijk" "$T/bidi-node"
t_grep "the message names the key and the character" "\[node\] name: .*U\+202E" "$T/last.out"
t_check "and no node was made" test ! -e "$T/bidi-node/signaal.db"
cp "$N/signaal.ini" "$T/ini.keep"
sed -i "s/^name = .*/name = Stad${lri}Kortrijk/" "$N/signaal.ini"
t_expect_fail "signaald --check: LRI in [node] name by hand (exit 78)" 78 "$SIGNAALD" -d "$N" --check
t_grep "it names the line and the character" "\[node\] name: .*U\+2066" "$T/last.out"
cp "$T/ini.keep" "$N/signaal.ini"
t_expect_fail "token new: PDI in --door (exit 3)" 3 "$SIGNAALCTL" -d "$N" token new \
	--rol veldwerker --organisatie "CLB Noord (fictief)" --door "mw${pdi}"
t_grep "it names who makes the token" "maakt .*U\+2069" "$T/last.out"
t_equal "these refusals changed nothing either" "$(dbsum "$N")" "$before"
"$SIGNAALCTL" init --id koepel --naam "Koepel (test)" --rol koepel "$T/hub" >/dev/null
sed -i "s/^id = $/id = federatie/" "$T/hub/signaal.ini"
"$SIGNAALCTL" -d "$T/hub" federation init --adres tcp://127.0.0.1:1 >/dev/null
t_expect_fail "federation member add: RLO in --naam (exit 3)" 3 "$SIGNAALCTL" -d "$T/hub" \
	federation member add kortrijk --naam "Kort${rlo}rijk" --sleutel "$N/keys/node.pub"
t_grep "it names the name" "naam .*U\+202E" "$T/last.out"
t_check "the same texts without the characters are taken" "$SIGNAALCTL" -d "$N" signal add \
	--thema wonen --leeftijd 12-17 --sector caw --organisatie "CAW Noord" --omschrijving "huur 0051 euro"
t_done
